//! Models `target ~ rhs` as data, and how their names split into columns and free constants
//! once a table's columns are known (statically from a CSV header, or at run time).

use crate::diag::{did_you_mean, help_suggesting, Code, Diagnostic};
use crate::formula::Formula;
use crate::syntax::ast::Span;

/// The pieces of `target ~ rhs`.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelSpec {
    pub target: String,
    /// The right side with every unknown function call `f(x1, x2)` replaced by a variable `f`.
    pub outer: Formula,
    /// The unknown functions and the variables each one may use.
    pub functions: Vec<(String, Vec<String>)>,
}

impl ModelSpec {
    /// True when the model has unknown functions to search for.
    pub fn is_search(&self) -> bool {
        !self.functions.is_empty()
    }

    /// The model as written: `y ~ f(x1, x2) + c` (each unknown function with its arguments).
    pub fn text(&self) -> String {
        let outer = self.outer.to_string();
        let mut rhs = String::with_capacity(outer.len() + 16);
        let mut word = String::new();
        let flush = |word: &mut String, rhs: &mut String| {
            match self.functions.iter().find(|(n, _)| n == word) {
                Some((n, args)) => rhs.push_str(&format!("{n}({})", args.join(", "))),
                None => rhs.push_str(word),
            }
            word.clear();
        };
        for ch in outer.chars() {
            if ch.is_alphanumeric() || ch == '_' {
                word.push(ch);
            } else {
                flush(&mut word, &mut rhs);
                rhs.push(ch);
            }
        }
        flush(&mut word, &mut rhs);
        format!("{} ~ {rhs}", self.target)
    }
}

/// Splits a model's right-side variables into columns and free constants, given the table's
/// columns. A name that is not a column but looks like a mistyped one (`x9` beside `x1`) is an
/// `unknown-column` error rather than a silent new constant. Returns the free-constant names.
pub fn classify_names(
    spec: &ModelSpec,
    columns: &[String],
    origin: &str,
    span: &Span,
) -> Result<Vec<String>, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut params = Vec::new();
    if !columns.contains(&spec.target) {
        diags.push(unknown_column(&spec.target, columns, origin, span.clone()));
    }
    let fn_names: Vec<&String> = spec.functions.iter().map(|(n, _)| n).collect();
    for (_, args) in &spec.functions {
        for a in args {
            if !columns.contains(a) {
                diags.push(unknown_column(a, columns, origin, span.clone()));
            }
        }
    }
    for v in &spec.outer.vars {
        if columns.contains(v) || fn_names.contains(&v) {
            continue;
        }
        if looks_like_column(v, columns) {
            diags.push(
                unknown_column(v, columns, origin, span.clone())
                    .with_note(format!("if `{v}` is meant as a free constant, give it a name unlike the columns")),
            );
        } else {
            params.push(v.clone());
        }
    }
    if diags.is_empty() {
        Ok(params)
    } else {
        Err(diags)
    }
}

fn looks_like_column(name: &str, columns: &[String]) -> bool {
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
    let has_digits = stem.len() < name.len() && !stem.is_empty();
    let same_family = has_digits
        && columns.iter().any(|c| {
            let cs = c.trim_end_matches(|ch: char| ch.is_ascii_digit());
            cs == stem && cs.len() < c.len()
        });
    same_family || (name.len() >= 3 && did_you_mean(name, columns.iter().map(|s| s.as_str())).is_some())
}

/// The `unknown-column` diagnostic with a "did you mean" help line.
pub fn unknown_column(name: &str, columns: &[String], origin: &str, span: Span) -> Diagnostic {
    let help = help_suggesting(name, columns.iter().map(|s| s.as_str()), &format!("columns: {}", columns.join(", ")));
    Diagnostic::new(Code::UnknownColumn, format!("no column `{name}` in {origin}"), span)
        .with_label(format!("`{name}` is not a column"))
        .with_help(help)
}
