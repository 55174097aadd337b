//! Typing rules of the picture built-ins (`plot`, `plot_messages`, `plot_predictions`,
//! `report`): what each can draw, the format a literal file name asks for (`unknown-format`
//! before anything runs), and for a table of known columns the columns named in `x:`, `y:` and
//! `lines:` and the variables of formulas given there (`unknown-column`). Options that do not
//! apply to what is drawn (`x:` for a network) are reported too. All four give `nothing`.

use super::builtin_types::BCall;
use super::*;
use crate::domain::files::{has_page_extension, unknown_format};

/// Options of `plot` that only a table uses, and the one only graphs use.
const TABLE_ONLY: &[&str] = &["x", "y", "lines", "xlabel", "ylabel"];

impl Checker {
    pub(super) fn pictures_type(&mut self, c: &BCall) -> Type {
        let types = c.types();
        match c.b {
            Builtin::Plot => {
                self.check_file_name(c, 1, false);
                self.plot_subject(c, &types[0]);
            }
            Builtin::PlotMessages => {
                self.want_arg(
                    c,
                    0,
                    Type::Network { dim: None, hamiltonian: None, channels: None },
                    "`plot_messages` draws a trained network's messages",
                );
                self.want_arg(c, 1, Type::Graphs(None), "the messages are computed on graphs");
                self.check_file_name(c, 2, false);
                for (n, x) in &c.named {
                    if let ("truth", Kind::Lit(Lit::Str(t))) = (n.as_str(), &x.kind) {
                        if &**t != "force" && &**t != "accel" {
                            self.err(
                                Diagnostic::new(
                                    Code::BadArgument,
                                    format!("truth: \"{t}\" is not a target"),
                                    x.span.clone(),
                                )
                                .with_label("not \"force\" or \"accel\"")
                                .with_help("use truth: \"force\" (the paper's) or truth: \"accel\""),
                            );
                        }
                    }
                }
            }
            Builtin::PlotPredictions => {
                match &types[0] {
                    Type::SearchResult | Type::ConstFit => {
                        self.want_arg(c, 1, Type::Table(None), "a fit predicts on a table with its columns")
                    }
                    Type::Network { .. } => self.want_arg(c, 1, Type::Graphs(None), "a network predicts on graphs"),
                    Type::Unknown => {}
                    other => self.err(mismatch(
                        &Type::SearchResult,
                        other,
                        c.arg_span(0),
                        "`plot_predictions` takes a fit (search or constants) with a table, or a network with graphs",
                    )),
                }
                self.check_file_name(c, 2, false);
            }
            Builtin::Report => {
                if !matches!(types[0], Type::SearchResult | Type::ConstFit | Type::Network { .. } | Type::Unknown) {
                    self.err(mismatch(
                        &Type::SearchResult,
                        &types[0],
                        c.arg_span(0),
                        "`report` describes a fit (a search or fitted constants) or a trained network",
                    ));
                }
                self.check_file_name(c, 1, true);
            }
            _ => unreachable!("`{}` is typed by another group", c.b.name()),
        }
        Type::Nothing
    }

    /// The file name must be a string; a literal one must end in `.png`/`.svg` (pictures) or
    /// `.html` (pages).
    fn check_file_name(&mut self, c: &BCall, i: usize, page: bool) {
        self.want_arg(c, i, Type::Str, "the file to write is a path string");
        let Some(Lit::Str(path)) = c.lit(i) else { return };
        let ok = if page {
            has_page_extension(path)
        } else {
            sdl_plot::Format::from_path(std::path::Path::new(&**path)).is_ok()
        };
        if !ok {
            self.err(unknown_format(path, page, c.arg_span(i)));
        }
    }

    /// What `plot` draws, and the options that go with it.
    fn plot_subject(&mut self, c: &BCall, subject: &Type) {
        let kind = match subject {
            Type::Table(_) => "table",
            Type::Graphs(_) => "graphs",
            Type::SearchResult | Type::ConstFit | Type::Network { .. } => "fit",
            Type::Unknown => return,
            other => {
                self.err(mismatch(
                    &Type::Table(None),
                    other,
                    c.arg_span(0),
                    "`plot` draws a table, a fit (search or constants), a trained network or graphs",
                ));
                return;
            }
        };
        for (name, x) in &c.named {
            let misplaced =
                (TABLE_ONLY.contains(&name.as_str()) && kind != "table") || (name == "sim" && kind != "graphs");
            if misplaced {
                self.err(
                    Diagnostic::new(
                        Code::BadArgument,
                        format!("`{name}:` does not apply when plotting {subject}"),
                        x.span.clone(),
                    )
                    .with_label("not used for this picture")
                    .with_help(if name == "sim" {
                        "`sim:` picks a simulation of graphs"
                    } else {
                        "`x:`, `y:`, `lines:` and the axis labels are for tables"
                    }),
                );
            }
        }
        if kind == "table" {
            for (name, x) in &c.named {
                match name.as_str() {
                    "x" => self.check_column_literal(x, subject),
                    "y" | "lines" => self.check_series(x, subject),
                    _ => {}
                }
            }
        }
    }

    /// A `y:` or `lines:` value: a column name, a formula, or a list of them.
    fn check_series(&mut self, x: &tree::Expr, table: &Type) {
        match (&x.kind, &x.ty) {
            (Kind::List(items), _) => {
                for item in items {
                    self.check_series(item, table);
                }
            }
            (_, Type::Formula(vars)) => self.check_vars_in_table(vars.as_ref(), table, &x.span),
            (_, Type::Str) => self.check_column_literal(x, table),
            // Other types were reported by the option check (`series`).
            _ => {}
        }
    }

    fn check_column_literal(&mut self, x: &tree::Expr, table: &Type) {
        if let (Kind::Lit(Lit::Str(col)), Type::Table(Some(info))) = (&x.kind, table) {
            if !info.columns.iter().any(|c| **c == **col) {
                self.err(unknown_column(col, &info.columns, &info.origin, x.span.clone()));
            }
        }
    }
}
