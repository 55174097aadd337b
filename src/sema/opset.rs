//! `operators { ... }` declarations: from the syntax tree to an [`OperatorSet`], with every
//! problem reported against its span (unknown operators, wrong arity, contradictory limits).
//!
//! Keys (PySR's names, with short aliases): `binary`, `unary`, `ternary`, `maxsize`,
//! `maxdepth`, `complexity` (`complexity_of_operators`), `complexity_of_constants`,
//! `complexity_of_variables`, `constraints`, `nested` (`nested_constraints`).

use crate::diag::{did_you_mean, help_suggesting, Code, Diagnostic};
use crate::formula::custom::OpScope;
use crate::formula::opset::OpSetError;
use crate::formula::{Op, OperatorSet};
use crate::syntax::ast::{ExprKind, OpItem, OpItemKind, OpSetEntry, OpSetValue, OpSetValueKind, Span};

const KEYS: &[&str] = &[
    "binary",
    "unary",
    "ternary",
    "maxsize",
    "maxdepth",
    "complexity",
    "complexity_of_operators",
    "complexity_of_constants",
    "complexity_of_variables",
    "constraints",
    "nested",
    "nested_constraints",
];

/// Builds and validates an operator set. All problems are returned together.
pub fn build(entries: &[OpSetEntry], whole: &Span, ops: &OpScope) -> Result<OperatorSet, Vec<Diagnostic>> {
    let mut set = OperatorSet { binary: vec![], ..OperatorSet::default() };
    let mut diags = Vec::new();
    let mut saw_binary = false;
    let mut op_spans: Vec<(Op, Span)> = Vec::new();
    for entry in entries {
        let key = entry.key.name.as_str();
        let v = &entry.value;
        match key {
            "binary" | "unary" | "ternary" => {
                let arity = match key {
                    "unary" => 1,
                    "binary" => 2,
                    _ => 3,
                };
                saw_binary |= key == "binary";
                for item in list_items(v, &mut diags) {
                    if let Some(op) = op_of(item, ops, &mut diags) {
                        if op.arity() != arity {
                            diags.push(
                                Diagnostic::new(
                                    Code::OperatorArity,
                                    format!("`{op}` takes {} argument(s) but is listed under `{key}`", op.arity()),
                                    item.span.clone(),
                                )
                                .with_label("wrong arity for this list")
                                .with_help(format!("move it to `{}`", arity_key(op.arity()))),
                            );
                            continue;
                        }
                        if op_spans.iter().any(|(o, _)| *o == op) {
                            diags.push(
                                Diagnostic::new(
                                    Code::BadOperatorSet,
                                    format!("`{op}` is listed twice"),
                                    item.span.clone(),
                                )
                                .with_label("duplicate")
                                .with_help("list each operator once"),
                            );
                            continue;
                        }
                        op_spans.push((op, item.span.clone()));
                        match arity {
                            1 => set.unary.push(op),
                            2 => set.binary.push(op),
                            _ => set.ternary.push(op),
                        }
                    }
                }
            }
            "maxsize" => {
                if let Some(n) = whole_number(v, 1.0, &mut diags) {
                    set.maxsize = n;
                }
            }
            "maxdepth" => {
                if let Some(n) = whole_number(v, 1.0, &mut diags) {
                    set.maxdepth = Some(n);
                }
            }
            "complexity_of_constants" => {
                if let Some(n) = whole_number(v, 0.0, &mut diags) {
                    set.const_complexity = n;
                }
            }
            "complexity_of_variables" => {
                if let Some(n) = whole_number(v, 0.0, &mut diags) {
                    set.var_complexity = n;
                }
            }
            "complexity" | "complexity_of_operators" => {
                for (k, val) in map_entries(v, &mut diags) {
                    if let (Some(op), Some(c)) = (op_of(k, ops, &mut diags), whole_number(val, 0.0, &mut diags)) {
                        set.op_complexity.push((op, c));
                    }
                }
            }
            "constraints" => {
                for (k, val) in map_entries(v, &mut diags) {
                    let Some(op) = op_of(k, ops, &mut diags) else { continue };
                    let limits: Vec<Option<u32>> = match &val.kind {
                        OpSetValueKind::List(items) => items.iter().filter_map(|i| limit(i, &mut diags)).collect(),
                        OpSetValueKind::Expr(_) => match number(val, &mut diags) {
                            Some(n) if op.arity() == 1 => vec![if n < 0.0 { None } else { Some(n as u32) }],
                            Some(_) => {
                                diags.push(bad_set(
                                    val.span.clone(),
                                    format!("`{op}` takes {} arguments: give a list of limits", op.arity()),
                                ));
                                continue;
                            }
                            None => continue,
                        },
                        OpSetValueKind::Map(_) => {
                            diags.push(bad_set(
                                val.span.clone(),
                                "a constraint is a list of argument limits, e.g. [-1, 1]",
                            ));
                            continue;
                        }
                    };
                    if limits.len() != op.arity() {
                        diags.push(bad_set(
                            val.span.clone(),
                            format!(
                                "constraint for `{op}` lists {} limits but `{op}` takes {}",
                                limits.len(),
                                op.arity()
                            ),
                        ));
                        continue;
                    }
                    set.constraints.push((op, limits));
                }
            }
            "nested" | "nested_constraints" => {
                for (outer_item, inner_map) in map_entries(v, &mut diags) {
                    let Some(outer) = op_of(outer_item, ops, &mut diags) else { continue };
                    for (inner_item, count) in map_entries(inner_map, &mut diags) {
                        if let (Some(inner), Some(n)) =
                            (op_of(inner_item, ops, &mut diags), whole_number(count, 0.0, &mut diags))
                        {
                            set.nested_constraints.push((outer, inner, n));
                        }
                    }
                }
            }
            other => {
                let help = help_suggesting(other, KEYS.iter().copied(), &format!("keys: {}", KEYS.join(", ")));
                diags.push(
                    Diagnostic::new(
                        Code::BadOperatorSet,
                        format!("unknown operator-set key `{other}`"),
                        entry.key.span.clone(),
                    )
                    .with_label("unknown key")
                    .with_help(help),
                );
            }
        }
    }
    if !saw_binary {
        // Without a `binary` entry the set keeps PySR's default `+ - * /`.
        set.binary = OperatorSet::default().binary;
    }
    if diags.is_empty() {
        if let Err(errs) = set.validate() {
            for e in errs {
                let span = match &e {
                    OpSetError::NotInSet(op) | OpSetError::Duplicate(op) | OpSetError::WrongArity { op, .. } => {
                        op_spans.iter().find(|(o, _)| o == op).map(|(_, s)| s.clone()).unwrap_or(whole.clone())
                    }
                    _ => whole.clone(),
                };
                diags.push(bad_set(span, e.to_string()));
            }
        }
    }
    if diags.is_empty() {
        Ok(set)
    } else {
        Err(diags)
    }
}

fn arity_key(arity: usize) -> &'static str {
    match arity {
        1 => "unary",
        2 => "binary",
        _ => "ternary",
    }
}

fn bad_set(span: Span, message: impl Into<String>) -> Diagnostic {
    let message = message.into();
    Diagnostic::new(Code::BadOperatorSet, message, span)
        .with_label("contradicts the rest of the operator set")
        .with_help("see `:explain bad-operator-set` for the keys and their meaning")
}

fn list_items<'a>(v: &'a OpSetValue, diags: &mut Vec<Diagnostic>) -> &'a [OpItem] {
    match &v.kind {
        OpSetValueKind::List(items) => items,
        _ => {
            diags.push(bad_set(v.span.clone(), "expected a list of operators, e.g. [+, -, *, /]"));
            &[]
        }
    }
}

fn map_entries<'a>(v: &'a OpSetValue, diags: &mut Vec<Diagnostic>) -> Vec<(&'a OpItem, &'a OpSetValue)> {
    match &v.kind {
        OpSetValueKind::Map(entries) => entries.iter().map(|(k, v)| (k, v)).collect(),
        _ => {
            diags.push(bad_set(v.span.clone(), "expected a map of operators, e.g. { exp: 2 }"));
            vec![]
        }
    }
}

fn op_of(item: &OpItem, ops: &OpScope, diags: &mut Vec<Diagnostic>) -> Option<Op> {
    match &item.kind {
        OpItemKind::Name(name) => match ops.resolve(name) {
            Some(op) => Some(op),
            None => {
                let names: Vec<String> = crate::formula::op::BUILTIN_OPS.iter().map(|o| o.name()).collect();
                let help = match did_you_mean(name, names.iter().map(|s| s.as_str())) {
                    Some(s) => format!("did you mean `{s}`? or define it with `op {name}(x) = ...`"),
                    None => format!("define it with `op {name}(x) = ...`, or use one of: {}", names.join(" ")),
                };
                diags.push(
                    Diagnostic::new(Code::UnknownOperator, format!("unknown operator `{name}`"), item.span.clone())
                        .with_label("not an operator")
                        .with_help(help),
                );
                None
            }
        },
        OpItemKind::Num(_) => {
            diags.push(bad_set(item.span.clone(), "expected an operator name here"));
            None
        }
    }
}

fn limit(item: &OpItem, diags: &mut Vec<Diagnostic>) -> Option<Option<u32>> {
    match item.kind {
        OpItemKind::Num(n) if n < 0.0 => Some(None),
        OpItemKind::Num(n) if n.fract() == 0.0 => Some(Some(n as u32)),
        _ => {
            diags.push(bad_set(item.span.clone(), "an argument limit is a whole number, or -1 for no limit"));
            None
        }
    }
}

fn number(v: &OpSetValue, diags: &mut Vec<Diagnostic>) -> Option<f64> {
    match &v.kind {
        OpSetValueKind::Expr(e) => match e.kind {
            ExprKind::Num(n) => Some(n),
            _ => {
                diags.push(bad_set(v.span.clone(), "operator-set limits are number literals"));
                None
            }
        },
        OpSetValueKind::List(items) if items.len() == 1 => match items[0].kind {
            OpItemKind::Num(n) => Some(n),
            _ => None,
        },
        _ => {
            diags.push(bad_set(v.span.clone(), "expected a number"));
            None
        }
    }
}

fn whole_number(v: &OpSetValue, min: f64, diags: &mut Vec<Diagnostic>) -> Option<u32> {
    let n = number(v, diags)?;
    if n.fract() != 0.0 || n < min || n > 1e6 {
        diags.push(bad_set(v.span.clone(), format!("expected a whole number of at least {min}, found {n}")));
        return None;
    }
    Some(n as u32)
}
