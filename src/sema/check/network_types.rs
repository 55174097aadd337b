//! Typing rules of the graph-network built-ins (`train`, `refit`, `messages`, `message_r2`,
//! `replace`, `predict`, `mae`, `load_model`, `load_graphs`, `param`): the declaration is
//! checked against the graphs' dimension when both are known, and a formula given to `replace`
//! against the variables the message model sees.

use super::builtin_types::BCall;
use super::*;
use crate::domain::graphnet::GraphNetDecl;
use crate::domain::{data_mismatch, default_top, message_columns, unknown_variable};

impl Checker {
    pub(super) fn network_builtin(&mut self, call: &BCall) -> Type {
        let types = call.types();
        let graphs_dim = |c: &mut Checker, i: usize| -> Option<usize> {
            match &types[i] {
                Type::Graphs(d) => *d,
                Type::Unknown => None,
                other => {
                    c.err(mismatch(
                        &Type::Graphs(None),
                        other,
                        call.arg_span(i),
                        "networks work on graphs (simulate_nbody, load_graphs)",
                    ));
                    None
                }
            }
        };
        let network = |c: &mut Checker| -> (Option<usize>, Option<bool>, Option<usize>) {
            match &types[0] {
                Type::Network { dim, hamiltonian, channels } => (*dim, *hamiltonian, *channels),
                Type::Unknown => (None, None, None),
                other => {
                    c.err(mismatch(
                        &Type::Network { dim: None, hamiltonian: None, channels: None },
                        other,
                        call.arg_span(0),
                        "this takes a trained network (the result of train or load_model)",
                    ));
                    (None, None, None)
                }
            }
        };
        let same_dim = |c: &mut Checker, net: Option<usize>, data: Option<usize>| {
            if let (Some(n), Some(d)) = (net, data) {
                if n != d {
                    c.err(data_mismatch(
                        format!("the network was trained on {n}-D graphs; these are {d}-D"),
                        "use graphs of the dimension the network was trained on",
                        call.arg_span(1),
                    ));
                }
            }
        };
        match call.b {
            Builtin::Train => {
                let dim = graphs_dim(self, 1);
                match &types[0] {
                    Type::GraphNet { hamiltonian, decl } => {
                        let mut channels = None;
                        if let (Some(decl), Some(d)) = (decl, dim) {
                            self.check_decl_fits(decl, d, call.arg_span(1));
                            channels = match decl.config_for(d) {
                                Ok(crate::train::NetworkConfig::Graph(g)) => Some(g.msg_dim),
                                Ok(crate::train::NetworkConfig::Hamiltonian(_)) => Some(1),
                                Err(_) => None,
                            };
                        }
                        Type::Network { dim, hamiltonian: Some(*hamiltonian), channels }
                    }
                    Type::Unknown => Type::Network { dim, hamiltonian: None, channels: None },
                    other => {
                        self.err(mismatch(
                            &Type::GraphNet { hamiltonian: false, decl: None },
                            other,
                            call.arg_span(0),
                            "`train` takes a `graphnet` declaration",
                        ));
                        Type::Network { dim, hamiltonian: None, channels: None }
                    }
                }
            }
            Builtin::Refit => {
                let (net_dim, hamiltonian, channels) = network(self);
                let dim = graphs_dim(self, 1);
                same_dim(self, net_dim, dim);
                Type::Network { dim: net_dim.or(dim), hamiltonian, channels }
            }
            Builtin::Messages | Builtin::MessageR2 | Builtin::Predict | Builtin::Mae => {
                let (net_dim, hamiltonian, channels) = network(self);
                let dim = graphs_dim(self, 1);
                same_dim(self, net_dim, dim);
                let dim = net_dim.or(dim);
                match call.b {
                    Builtin::MessageR2 => {
                        self.want_arg(call, 2, Type::Num, "`keep` is the fraction of edges scored");
                        Type::Num
                    }
                    Builtin::Messages => {
                        self.want_arg(call, 2, Type::Num, "`top` is a channel count");
                        let top = match (call.lit(2), dim, hamiltonian, channels) {
                            (Some(Lit::Num(k)), _, _, _) => Some(*k as usize),
                            (Some(Lit::Nothing), Some(d), Some(h), Some(ch)) => Some(default_top(d, ch, h)),
                            _ => None,
                        };
                        match (dim, top) {
                            (Some(d), Some(k)) => {
                                Type::Table(Some(TableInfo::unitless("the messages", message_columns(d, k))))
                            }
                            _ => Type::Table(None),
                        }
                    }
                    Builtin::Predict => match dim {
                        Some(d) => {
                            let mut columns = vec!["graph".to_string(), "node".to_string()];
                            columns.extend(["ax", "ay", "az"][..d.min(3)].iter().map(|s| s.to_string()));
                            Type::Table(Some(TableInfo::unitless("the predictions", columns)))
                        }
                        None => Type::Table(None),
                    },
                    _ => Type::Num,
                }
            }
            Builtin::Replace => {
                let (dim, hamiltonian, _) = network(self);
                if hamiltonian == Some(true) {
                    self.err(
                        Diagnostic::new(
                            Code::TypeMismatch,
                            "`replace` puts formulas in place of a message model; this network is Hamiltonian",
                            call.arg_span(0),
                        )
                        .with_label("a Hamiltonian network")
                        .with_help("fit its pair energy from `messages(model, data)` instead"),
                    );
                }
                let formulas: Vec<(Option<Vec<String>>, Span)> = match (&types[1], &call.args[1].kind) {
                    (Type::Formula(v), _) => vec![(v.clone(), call.arg_span(1))],
                    (Type::List(elem), Kind::List(items)) if matches!(**elem, Type::Formula(_) | Type::Unknown) => {
                        items
                            .iter()
                            .map(|i| match &i.ty {
                                Type::Formula(v) => (v.clone(), i.span.clone()),
                                _ => (None, i.span.clone()),
                            })
                            .collect()
                    }
                    (Type::List(elem), _) if matches!(**elem, Type::Formula(_) | Type::Unknown) => vec![],
                    (Type::Unknown, _) => vec![],
                    (other, _) => {
                        self.err(mismatch(
                            &Type::Formula(None),
                            other,
                            call.arg_span(1),
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
                Type::Network { dim, hamiltonian, channels: None }
            }
            Builtin::Except => {
                let a = graphs_dim(self, 0);
                let b = graphs_dim(self, 1);
                if let (Some(x), Some(y)) = (a, b) {
                    if x != y {
                        self.err(data_mismatch(
                            format!("{x}-D graphs and {y}-D graphs"),
                            "take the rest of graphs of one dimension",
                            call.arg_span(1),
                        ));
                    }
                }
                Type::Graphs(a.or(b))
            }
            Builtin::LoadModel => {
                self.want_arg(call, 0, Type::Str, "`load_model` takes a path");
                Type::Network { dim: None, hamiltonian: None, channels: None }
            }
            Builtin::LoadGraphs => {
                self.want_arg(call, 0, Type::Str, "`load_graphs` takes a path");
                Type::Graphs(None)
            }
            _ => Type::Unknown,
        }
    }

    fn check_decl_fits(&mut self, decl: &GraphNetDecl, dim: usize, data_span: Span) {
        if let Err(m) = decl.config_for(dim) {
            self.err(data_mismatch(m.message, &m.help, data_span).with_note("see the graphnet declaration"));
        }
    }
}
