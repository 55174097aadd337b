//! `graphnet { ... }` declarations: from the syntax tree to a
//! [`GraphNetTemplate`](crate::domain::graphnet::GraphNetTemplate) (the structure, with every
//! size either a literal or a slot whose expression is returned beside it). Every problem is reported against its
//! span; all of them at once.
//!
//! A message-passing network:
//! ```text
//! graphnet gn {
//!   message: mlp(hidden: 300, layers: 3, activation: relu) -> 100
//!   node: mlp(hidden: 300, layers: 3) -> 2        # `update` is a synonym
//!   global: mlp(hidden: 64, layers: 1) -> 8       # optional
//!   aggregate: sum                                # sum (default), mean, max
//!   penalty: l1(0.01)                             # none (default), l1(w), kl(w), bottleneck
//! }
//! ```
//! A Hamiltonian network (the paper's FlatHGN): `graphnet h { pair: mlp(...) -> 1, self:
//! mlp(...) -> 1 }` (activation softplus unless given).

use crate::diag::{help_suggesting, Code, Diagnostic};
use crate::domain::graphnet::{GraphNetTemplate, MlpTemplate, NetTemplate, Num, PenaltyTemplate};
use crate::syntax::ast::{Expr, ExprKind, GnEntry, Span};
use crate::train::{Activation, Aggregation};

const MESSAGE_KEYS: &[&str] = &["message", "node", "update", "global", "aggregate", "penalty"];
const HAMILTONIAN_KEYS: &[&str] = &["pair", "self"];

struct Builder {
    exprs: Vec<Expr>,
    diags: Vec<Diagnostic>,
}

fn bad(message: impl Into<String>, span: &Span, label: &str, help: impl Into<String>) -> Diagnostic {
    Diagnostic::new(Code::BadGraphnet, message, span.clone()).with_label(label.to_string()).with_help(help)
}

impl Builder {
    fn num(&mut self, e: &Expr) -> (Num, Span) {
        let n = match &e.kind {
            ExprKind::Num(v) => Num::Lit(*v),
            ExprKind::Unary(crate::syntax::ast::UnOp::Neg, inner) if matches!(inner.kind, ExprKind::Num(_)) => {
                let ExprKind::Num(v) = inner.kind else { unreachable!() };
                Num::Lit(-v)
            }
            _ => {
                self.exprs.push(e.clone());
                Num::Slot(self.exprs.len() - 1)
            }
        };
        (n, e.span.clone())
    }

    fn mlp(&mut self, e: &Expr, default_activation: Activation) -> Option<MlpTemplate> {
        let ExprKind::Call(callee, args) = &e.kind else {
            self.diags.push(bad(
                "a model is written `mlp(hidden: 300, layers: 3, activation: relu)`",
                &e.span,
                "not an MLP",
                "write mlp(...) with the sizes you want",
            ));
            return None;
        };
        if !matches!(&callee.kind, ExprKind::Var(n) if n == "mlp") {
            self.diags.push(bad(
                "only `mlp(...)` models can be declared",
                &callee.span,
                "unknown model",
                "write mlp(hidden: 300, layers: 3)",
            ));
            return None;
        }
        let mut hidden = (Num::Lit(300.0), e.span.clone());
        let mut layers = (Num::Lit(3.0), e.span.clone());
        let mut activation = default_activation;
        let params = ["hidden", "layers", "activation"];
        for (i, a) in args.iter().enumerate() {
            let name = a.name.as_ref().map(|n| n.name.as_str()).or(params.get(i).copied()).unwrap_or("");
            match name {
                "hidden" => hidden = self.num(&a.value),
                "layers" => layers = self.num(&a.value),
                "activation" => match &a.value.kind {
                    ExprKind::Var(v) => match Activation::from_name(v) {
                        Some(act) => activation = act,
                        None => {
                            let names: Vec<&str> = Activation::ALL.iter().map(|a| a.name()).collect();
                            self.diags.push(bad(
                                format!("no activation `{v}`"),
                                &a.value.span,
                                "unknown activation",
                                help_suggesting(
                                    v,
                                    names.iter().copied(),
                                    &format!("activations: {}", names.join(", ")),
                                ),
                            ));
                        }
                    },
                    _ => self.diags.push(bad(
                        "an activation is a name",
                        &a.value.span,
                        "not a name",
                        "write activation: relu (or softplus, tanh, silu)",
                    )),
                },
                other => {
                    let span = a.name.as_ref().map(|n| n.span.clone()).unwrap_or(a.value.span.clone());
                    self.diags.push(bad(
                        if other.is_empty() {
                            "`mlp` takes at most three arguments".to_string()
                        } else {
                            format!("`mlp` has no parameter `{other}`")
                        },
                        &span,
                        "unknown argument",
                        help_suggesting(other, params, "parameters: hidden, layers, activation"),
                    ))
                }
            }
        }
        Some(MlpTemplate { hidden, layers, activation: Some(activation) })
    }

    fn out(&mut self, entry: &GnEntry, required: bool) -> Option<(Num, Span)> {
        match &entry.out {
            Some(e) => Some(self.num(e)),
            None if required => {
                self.diags.push(bad(
                    format!("`{}` needs an output size", entry.key.name),
                    &entry.span,
                    "no `-> size`",
                    format!("write `{}: mlp(...) -> SIZE`", entry.key.name),
                ));
                None
            }
            None => None,
        }
    }

    fn penalty(&mut self, e: &Expr) -> Option<PenaltyTemplate> {
        let names = ["none", "bottleneck", "l1", "kl"];
        let unknown = |b: &mut Builder, n: &str, span: &Span| {
            b.diags.push(bad(
                format!("no penalty `{n}`"),
                span,
                "unknown penalty",
                help_suggesting(n, names, "penalties: none, bottleneck, l1(weight), kl(weight)"),
            ));
        };
        match &e.kind {
            ExprKind::Var(n) => match n.as_str() {
                "none" => Some(PenaltyTemplate::None),
                "bottleneck" => Some(PenaltyTemplate::Bottleneck),
                "l1" => Some(PenaltyTemplate::L1((Num::Lit(1e-2), e.span.clone()))),
                "kl" => Some(PenaltyTemplate::Kl((Num::Lit(1.0), e.span.clone()))),
                other => {
                    unknown(self, other, &e.span);
                    None
                }
            },
            ExprKind::Call(callee, args) => {
                let ExprKind::Var(n) = &callee.kind else {
                    unknown(self, "?", &e.span);
                    return None;
                };
                if !matches!(n.as_str(), "l1" | "kl") || args.len() != 1 || args[0].name.is_some() {
                    if matches!(n.as_str(), "l1" | "kl") {
                        self.diags.push(bad(
                            format!("`{n}` takes one weight"),
                            &e.span,
                            "wrong arguments",
                            format!("write {n}(0.01)"),
                        ));
                    } else {
                        unknown(self, n, &callee.span);
                    }
                    return None;
                }
                let w = self.num(&args[0].value);
                Some(if n == "l1" { PenaltyTemplate::L1(w) } else { PenaltyTemplate::Kl(w) })
            }
            _ => {
                unknown(self, "?", &e.span);
                None
            }
        }
    }
}

/// Builds the template of a declaration, reporting every problem.
pub fn build(entries: &[GnEntry], whole: &Span) -> Result<(GraphNetTemplate, Vec<Expr>), Vec<Diagnostic>> {
    let mut b = Builder { exprs: Vec::new(), diags: Vec::new() };
    let hamiltonian = entries.iter().any(|e| HAMILTONIAN_KEYS.contains(&e.key.name.as_str()));
    let message_kind = entries.iter().any(|e| MESSAGE_KEYS.contains(&e.key.name.as_str()));
    if hamiltonian && message_kind {
        b.diags.push(bad(
            "a declaration is either message passing (message, node) or Hamiltonian (pair, self), not both",
            whole,
            "mixed keys",
            "split it into two declarations",
        ));
        return Err(b.diags);
    }
    let mut seen: Vec<&str> = Vec::new();
    let mut message = None;
    let mut msg_out = None;
    let mut node = None;
    let mut node_out = None;
    let mut global = None;
    let mut aggregation = Aggregation::Sum;
    let mut penalty = PenaltyTemplate::None;
    let mut pair = None;
    let mut self_energy = None;
    let default_act = if hamiltonian { Activation::Softplus } else { Activation::Relu };
    for entry in entries {
        let key = entry.key.name.as_str();
        let canonical = if key == "update" { "node" } else { key };
        if seen.contains(&canonical) {
            b.diags.push(bad(format!("`{key}` is given twice"), &entry.key.span, "duplicate", "give each key once"));
            continue;
        }
        seen.push(canonical);
        let no_out = |b: &mut Builder| {
            if let Some(o) = &entry.out {
                b.diags.push(bad(format!("`{key}` has no output size"), &o.span, "unexpected", "remove `-> ...`"));
            }
        };
        match canonical {
            "message" => {
                message = b.mlp(&entry.value, default_act);
                msg_out = b.out(entry, false);
            }
            "node" => {
                node = b.mlp(&entry.value, default_act);
                node_out = b.out(entry, true);
            }
            "global" => {
                let m = b.mlp(&entry.value, default_act);
                let o = b.out(entry, true);
                global = m.zip(o);
            }
            "pair" | "self" => {
                let m = b.mlp(&entry.value, default_act);
                if let Some(o) = &entry.out {
                    if !matches!(o.kind, ExprKind::Num(v) if v == 1.0) {
                        b.diags.push(bad(
                            format!("the {key} energy is one number: its size is 1"),
                            &o.span,
                            "not 1",
                            "write `-> 1` or leave the size out",
                        ));
                    }
                }
                if canonical == "pair" {
                    pair = m;
                } else {
                    self_energy = m;
                }
            }
            "aggregate" => {
                no_out(&mut b);
                match &entry.value.kind {
                    ExprKind::Var(v) if Aggregation::from_name(v).is_some() => {
                        aggregation = Aggregation::from_name(v).unwrap_or(Aggregation::Sum)
                    }
                    _ => b.diags.push(bad(
                        "an aggregation is sum, mean or max",
                        &entry.value.span,
                        "unknown aggregation",
                        "write aggregate: sum",
                    )),
                }
            }
            "penalty" => {
                no_out(&mut b);
                if let Some(p) = b.penalty(&entry.value) {
                    penalty = p;
                }
            }
            other => {
                let keys: Vec<&str> = MESSAGE_KEYS.iter().chain(HAMILTONIAN_KEYS).copied().collect();
                b.diags.push(bad(
                    format!("a graphnet has no key `{other}`"),
                    &entry.key.span,
                    "unknown key",
                    help_suggesting(other, keys.iter().copied(), &format!("keys: {}", keys.join(", "))),
                ));
            }
        }
    }
    // A missing model after an unknown key is most likely that key misspelt: say it once.
    let unknown_key = b.diags.iter().any(|d| d.message.starts_with("a graphnet has no key"));
    let net = if hamiltonian {
        for (name, m) in [("pair", &pair), ("self", &self_energy)] {
            if m.is_none() && !seen.contains(&name) && !unknown_key {
                b.diags.push(bad(
                    format!("a Hamiltonian network needs a `{name}` energy model"),
                    whole,
                    "incomplete declaration",
                    format!("add `{name}: mlp(hidden: 300, layers: 3) -> 1`"),
                ));
            }
        }
        pair.zip(self_energy).map(|(pair, self_energy)| NetTemplate::Hamiltonian { pair, self_energy })
    } else {
        for (name, present) in [("message", message.is_some()), ("node", node.is_some())] {
            if !present && !seen.contains(&name) && !unknown_key {
                b.diags.push(bad(
                    format!("a graph network needs a `{name}` model"),
                    whole,
                    "incomplete declaration",
                    format!("add `{name}: mlp(hidden: 300, layers: 3) -> SIZE`"),
                ));
            }
        }
        if msg_out.is_none() && message.is_some() && penalty != PenaltyTemplate::Bottleneck {
            let at = entries.iter().find(|e| e.key.name == "message").map(|e| e.span.clone()).unwrap_or(whole.clone());
            b.diags.push(bad(
                "`message` needs an output size (only a bottleneck's is implied)",
                &at,
                "no `-> size`",
                "write `message: mlp(...) -> 100`",
            ));
        }
        match (message, node, node_out) {
            (Some(message), Some(node), Some(node_out)) => {
                Some(NetTemplate::Message { message, msg_out, node, node_out, global, aggregation, penalty })
            }
            _ => None,
        }
    };
    match net {
        Some(net) if b.diags.is_empty() => {
            let t = GraphNetTemplate { net, n_slots: b.exprs.len(), span: whole.clone() };
            // Literal sizes are checked now; sizes computed at run time when they are known.
            if t.n_slots == 0 {
                if let Err((message, span)) = t.instantiate(&[]) {
                    return Err(vec![bad(message, &span, "bad size", "sizes are whole numbers of at least 1")]);
                }
            }
            Ok((t, b.exprs))
        }
        _ => Err(b.diags),
    }
}
