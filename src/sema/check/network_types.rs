//! Typing rules of the graph-network built-ins (`train`, `refit`, `messages`, `message_r2`,
//! `replace`, `predict`, `mae`, `load_model`, `load_graphs`, `param`): the declaration is
//! checked against the graphs' dimension when both are known, and a formula given to `replace`
//! against the variables the message model sees.

use super::*;
use crate::sema::graphnet::GraphNetDecl;

/// Named options of `train` and `refit`, and the type each takes.
pub const TRAIN_OPTIONS: &[(&str, &str)] = &[
    ("steps", "num"),
    ("epochs", "num"),
    ("batch", "num"),
    ("lr", "num"),
    ("schedule", "str"),
    ("weight_decay", "num"),
    ("augment", "num"),
    ("seed", "num"),
    ("threads", "num"),
    ("shards", "num"),
    ("progress", "bool"),
    ("checkpoint", "str"),
];

/// Columns of the table `messages` returns for `dim`-D graphs and `top` channels: the edge
/// table of the simulation (ids, receiver and sender features, `dx, dy[, dz]`, `r`, the true
/// force `fx, fy[, fz]`), the true pair potential `u`, then `e0 .. e{top-1}`.
pub fn message_columns(dim: usize, top: usize) -> Vec<String> {
    let mut cols = sim_columns(dim).1;
    cols.push("u".into());
    cols.extend((0..top).map(|k| format!("e{k}")));
    cols
}

/// The `network-data-mismatch` diagnostic.
pub fn data_mismatch(message: String, help: &str, span: Span) -> Diagnostic {
    Diagnostic::new(Code::NetworkDataMismatch, message, span).with_label("these graphs").with_help(help.to_string())
}

impl Checker {
    pub(super) fn network_builtin(
        &mut self,
        name: &'static str,
        types: &[Type],
        slots: &[Option<&Arg>],
        extra: &[(String, Type, Span)],
        span: &Span,
    ) -> Type {
        let arg_span = |i: usize| slots[i].map(|a| a.value.span.clone()).unwrap_or(span.clone());
        let want = |c: &mut Checker, i: usize, t: Type, why: &str| {
            if slots[i].is_some() && !types[i].fits(&t) {
                c.err(mismatch(&t, &types[i], arg_span(i), why));
            }
        };
        let graphs_dim = |c: &mut Checker, i: usize| -> Option<usize> {
            match &types[i] {
                Type::Graphs(d) => *d,
                Type::Unknown => None,
                other => {
                    c.err(mismatch(
                        &Type::Graphs(None),
                        other,
                        arg_span(i),
                        "networks work on graphs (simulate_nbody, load_graphs)",
                    ));
                    None
                }
            }
        };
        let network = |c: &mut Checker| -> (Option<usize>, Option<bool>) {
            match &types[0] {
                Type::Network { dim, hamiltonian } => (*dim, *hamiltonian),
                Type::Unknown => (None, None),
                other => {
                    c.err(mismatch(
                        &Type::Network { dim: None, hamiltonian: None },
                        other,
                        arg_span(0),
                        "this takes a trained network (the result of train or load_model)",
                    ));
                    (None, None)
                }
            }
        };
        let same_dim = |c: &mut Checker, net: Option<usize>, data: Option<usize>| {
            if let (Some(n), Some(d)) = (net, data) {
                if n != d {
                    c.err(data_mismatch(
                        format!("the network was trained on {n}-D graphs; these are {d}-D"),
                        "use graphs of the dimension the network was trained on",
                        arg_span(1),
                    ));
                }
            }
        };
        match name {
            "train" => {
                self.train_options(name, extra);
                let dim = graphs_dim(self, 1);
                match &types[0] {
                    Type::GraphNet { hamiltonian, decl } => {
                        if let (Some(decl), Some(d)) = (decl, dim) {
                            self.check_decl_fits(decl, d, arg_span(1));
                        }
                        Type::Network { dim, hamiltonian: Some(*hamiltonian) }
                    }
                    Type::Unknown => Type::Network { dim, hamiltonian: None },
                    other => {
                        self.err(mismatch(
                            &Type::GraphNet { hamiltonian: false, decl: None },
                            other,
                            arg_span(0),
                            "`train` takes a `graphnet` declaration",
                        ));
                        Type::Network { dim, hamiltonian: None }
                    }
                }
            }
            "refit" => {
                self.train_options(name, extra);
                let (net_dim, hamiltonian) = network(self);
                let dim = graphs_dim(self, 1);
                same_dim(self, net_dim, dim);
                Type::Network { dim: net_dim.or(dim), hamiltonian }
            }
            "messages" | "message_r2" | "predict" | "mae" => {
                let (net_dim, hamiltonian) = network(self);
                let dim = graphs_dim(self, 1);
                same_dim(self, net_dim, dim);
                let dim = net_dim.or(dim);
                match name {
                    "message_r2" => {
                        want(self, 2, Type::Num, "`keep` is the fraction of edges scored");
                        Type::Num
                    }
                    "messages" => {
                        want(self, 2, Type::Num, "`top` is a channel count");
                        let top = match slots[2].map(|a| &a.value.kind) {
                            Some(ExprKind::Num(k)) => Some(*k as usize),
                            Some(_) => None,
                            None => match hamiltonian {
                                Some(true) => Some(1),
                                Some(false) => dim,
                                None => None,
                            },
                        };
                        match (dim, top) {
                            (Some(d), Some(k)) => Type::Table(Some(TableInfo {
                                origin: "the messages".into(),
                                columns: message_columns(d, k),
                            })),
                            _ => Type::Table(None),
                        }
                    }
                    "predict" => match dim {
                        Some(d) => {
                            let mut columns = vec!["graph".to_string(), "node".to_string()];
                            columns.extend(["ax", "ay", "az"][..d.min(3)].iter().map(|s| s.to_string()));
                            Type::Table(Some(TableInfo { origin: "the predictions".into(), columns }))
                        }
                        None => Type::Table(None),
                    },
                    _ => Type::Num,
                }
            }
            "replace" => {
                let (dim, hamiltonian) = network(self);
                if hamiltonian == Some(true) {
                    self.err(
                        Diagnostic::new(
                            Code::TypeMismatch,
                            "`replace` puts formulas in place of a message model; this network is Hamiltonian",
                            arg_span(0),
                        )
                        .with_label("a Hamiltonian network")
                        .with_help("fit its pair energy from `messages(model, data)` instead"),
                    );
                }
                let formulas: Vec<(Option<Vec<String>>, Span)> = match (&types[1], slots[1].map(|a| &a.value.kind)) {
                    (Type::Formula(v), _) => vec![(v.clone(), arg_span(1))],
                    (Type::List(elem), Some(ExprKind::List(items)))
                        if matches!(**elem, Type::Formula(_) | Type::Unknown) =>
                    {
                        items.iter().map(|i| (to_formula(i).ok().map(|f| f.used_vars()), i.span.clone())).collect()
                    }
                    (Type::List(elem), _) if matches!(**elem, Type::Formula(_) | Type::Unknown) => vec![],
                    (Type::Unknown, _) => vec![],
                    (other, _) => {
                        self.err(mismatch(
                            &Type::Formula(None),
                            other,
                            arg_span(1),
                            "`message:` takes a formula, or a list of formulas for the top channels",
                        ));
                        vec![]
                    }
                };
                if let Some(d) = dim {
                    let seen = crate::train::edge_variables(&crate::train::standard_features(d), d);
                    for (vars, fspan) in formulas {
                        for v in vars.unwrap_or_default() {
                            if !seen.contains(&v) {
                                self.err(unknown_variable(&v, &seen, fspan.clone()));
                            }
                        }
                    }
                }
                Type::Network { dim, hamiltonian }
            }
            "except" => {
                let a = graphs_dim(self, 0);
                let b = graphs_dim(self, 1);
                if let (Some(x), Some(y)) = (a, b) {
                    if x != y {
                        self.err(data_mismatch(
                            format!("{x}-D graphs and {y}-D graphs"),
                            "take the rest of graphs of one dimension",
                            arg_span(1),
                        ));
                    }
                }
                Type::Graphs(a.or(b))
            }
            "load_model" => {
                want(self, 0, Type::Str, "`load_model` takes a path");
                Type::Network { dim: None, hamiltonian: None }
            }
            "load_graphs" => {
                want(self, 0, Type::Str, "`load_graphs` takes a path");
                Type::Graphs(None)
            }
            "param" => {
                want(self, 0, Type::Str, "a parameter's name is a string");
                match &types[1] {
                    Type::Num | Type::Str | Type::Bool | Type::Unknown => types[1].clone(),
                    other => {
                        self.err(mismatch(
                            &Type::Num,
                            other,
                            arg_span(1),
                            "a parameter's default is a number, a string or a bool",
                        ));
                        Type::Unknown
                    }
                }
            }
            other => unreachable!("`{other}` is not a network built-in"),
        }
    }

    fn check_decl_fits(&mut self, decl: &GraphNetDecl, dim: usize, data_span: Span) {
        if let Err(m) = decl.config_for(dim) {
            self.err(data_mismatch(m.message, &m.help, data_span).with_note("see the graphnet declaration"));
        }
    }

    fn train_options(&mut self, name: &str, extra: &[(String, Type, Span)]) {
        for (n, t, s) in extra {
            match TRAIN_OPTIONS.iter().find(|(o, _)| o == n) {
                None => {
                    let names: Vec<&str> = TRAIN_OPTIONS.iter().map(|(o, _)| *o).collect();
                    let help = help_suggesting(n, names.iter().copied(), &format!("options: {}", names.join(", ")));
                    self.err(
                        Diagnostic::new(Code::UnknownNamedArg, format!("`{name}` has no option `{n}`"), s.clone())
                            .with_label("unknown option")
                            .with_help(help),
                    );
                }
                Some((_, ty)) => {
                    let want = Type::from_name(ty, None).unwrap_or(Type::Unknown);
                    if !t.fits(&want) {
                        self.err(mismatch(&want, t, s.clone(), &format!("option `{n}` is {want}")));
                    }
                }
            }
        }
    }
}

/// The `unknown-variable` diagnostic for a formula variable a message model does not see.
pub fn unknown_variable(v: &str, seen: &[String], span: Span) -> Diagnostic {
    Diagnostic::new(Code::UnknownVariable, format!("the message model does not see `{v}`"), span)
        .with_label("in this formula")
        .with_help(help_suggesting(v, seen.iter().map(|s| s.as_str()), &format!("it sees {}", seen.join(", "))))
}
