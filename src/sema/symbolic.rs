//! Reading expressions symbolically: the body of `formula { ... }`, of `op f(x) = ...`, and both
//! sides of a model `y ~ ...` become [`Formula`] values.
//!
//! Only the checker calls these; the checked tree carries the results, so a formula literal is
//! converted exactly once. Calls resolve against the session's operators (`OpScope`).

use crate::diag::{did_you_mean, Code, Diagnostic};
use crate::domain::ModelSpec;
use crate::formula::custom::OpScope;
use crate::formula::{Formula, Op};
use crate::syntax::ast::{BinOp, Expr, ExprKind, Span, UnOp};

/// Converts a formula-literal expression. Identifiers are variables; calls are operators.
pub fn to_formula(e: &Expr, ops: &OpScope) -> Result<Formula, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let f = convert(e, ops, &mut None, &mut diags);
    if diags.is_empty() {
        Ok(f)
    } else {
        Err(diags)
    }
}

/// Converts `lhs ~ rhs`. Calls of names that are not operators are unknown functions, whose
/// arguments must be plain names.
pub fn to_model(lhs: &Expr, rhs: &Expr, ops: &OpScope) -> Result<ModelSpec, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let target = match &lhs.kind {
        ExprKind::Var(name) => name.clone(),
        _ => {
            diags.push(
                Diagnostic::new(Code::BadModel, "the left side of `~` must be a column name", lhs.span.clone())
                    .with_label("not a plain name")
                    .with_help("write the target column alone, e.g. `y ~ f(x1, x2)`"),
            );
            String::new()
        }
    };
    let mut functions = Some(Vec::new());
    let outer = convert(rhs, ops, &mut functions, &mut diags);
    if diags.is_empty() {
        Ok(ModelSpec { target, outer, functions: functions.unwrap_or_default() })
    } else {
        Err(diags)
    }
}

/// The source span of each node of the formula [`to_formula`] builds from `e`, in node order
/// (postfix, as `Formula::apply` lays them out), so a problem found at a node (a unit mismatch)
/// points at the operator that causes it.
pub fn node_spans(e: &Expr) -> Vec<Span> {
    let mut out = Vec::new();
    push_spans(e, &mut out);
    out
}

fn push_spans(e: &Expr, out: &mut Vec<Span>) {
    match &e.kind {
        ExprKind::Unary(UnOp::Neg, a) if !matches!(a.kind, ExprKind::Num(_)) => push_spans(a, out),
        ExprKind::Binary(_, a, b) => {
            push_spans(a, out);
            push_spans(b, out);
        }
        ExprKind::Call(_, args) => args.iter().for_each(|a| push_spans(&a.value, out)),
        _ => {}
    }
    out.push(e.span.clone());
}

fn not_symbolic(e: &Expr, what: &str) -> Diagnostic {
    Diagnostic::new(Code::NotSymbolic, format!("{what} cannot appear in a formula"), e.span.clone())
        .with_label("not symbolic")
        .with_help("formulas hold numbers, names, `+ - * / ^`, comparisons and operator calls like exp(x)")
}

fn convert(
    e: &Expr,
    ops: &OpScope,
    functions: &mut Option<Vec<(String, Vec<String>)>>,
    diags: &mut Vec<Diagnostic>,
) -> Formula {
    let bad = Formula::constant(f64::NAN);
    match &e.kind {
        ExprKind::Num(n) => Formula::constant(*n),
        ExprKind::Var(name) if name == "pi" => Formula::constant(std::f64::consts::PI),
        ExprKind::Var(name) => Formula::var(name),
        ExprKind::Unary(UnOp::Neg, a) => {
            let inner = convert(a, ops, functions, diags);
            // A negated number literal is one constant, so `-2` prints and parses back as `-2`.
            if let (ExprKind::Num(n), true) = (&a.kind, inner.len() == 1) {
                return Formula::constant(-n);
            }
            Formula::apply(Op::Neg, vec![inner])
        }
        ExprKind::Binary(op, a, b) => {
            let fop = match op {
                BinOp::Add => Op::Add,
                BinOp::Sub => Op::Sub,
                BinOp::Mul => Op::Mul,
                BinOp::Div => Op::Div,
                BinOp::Pow => Op::Pow,
                BinOp::Gt => Op::Greater,
                BinOp::Ge => Op::GreaterEq,
                BinOp::Lt => Op::Less,
                BinOp::Le => Op::LessEq,
                BinOp::Eq | BinOp::Ne | BinOp::And | BinOp::Or => {
                    diags.push(not_symbolic(e, &format!("`{}`", op.symbol())));
                    return bad;
                }
            };
            let fa = convert(a, ops, functions, diags);
            let fb = convert(b, ops, functions, diags);
            Formula::apply(fop, vec![fa, fb])
        }
        ExprKind::Call(callee, args) => {
            let ExprKind::Var(name) = &callee.kind else {
                diags.push(not_symbolic(callee, "a computed function"));
                return bad;
            };
            if let Some(a) = args.iter().find(|a| a.name.is_some()) {
                diags.push(not_symbolic(&a.value, "a named argument"));
                return bad;
            }
            match ops.resolve(name) {
                Some(op) => {
                    if op.arity() != args.len() {
                        diags.push(
                            Diagnostic::new(
                                Code::OperatorArity,
                                format!("`{name}` takes {} argument(s), found {}", op.arity(), args.len()),
                                e.span.clone(),
                            )
                            .with_label("wrong number of arguments")
                            .with_help(format!("call it as {name}({})", vec!["_"; op.arity()].join(", "))),
                        );
                        return bad;
                    }
                    let fargs = args.iter().map(|a| convert(&a.value, ops, functions, diags)).collect();
                    Formula::apply(op, fargs)
                }
                None => match functions {
                    Some(fns) => {
                        let mut names = Vec::new();
                        for a in args {
                            match &a.value.kind {
                                ExprKind::Var(v) => names.push(v.clone()),
                                _ => diags.push(
                                    Diagnostic::new(
                                        Code::BadModel,
                                        format!("arguments of the unknown function `{name}` must be column names"),
                                        a.value.span.clone(),
                                    )
                                    .with_label("not a plain name")
                                    .with_help(format!("write `{name}(x1, x2)`; the search finds the expression")),
                                ),
                            }
                        }
                        match fns.iter().find(|(n, _)| n == name) {
                            Some((_, prev)) if *prev != names => diags.push(
                                Diagnostic::new(
                                    Code::BadModel,
                                    format!("unknown function `{name}` is used with different arguments"),
                                    e.span.clone(),
                                )
                                .with_label("differs from the first use")
                                .with_help("call each unknown function with the same arguments everywhere"),
                            ),
                            Some(_) => {}
                            None => fns.push((name.clone(), names)),
                        }
                        Formula::var(name)
                    }
                    None => {
                        let known = crate::formula::op::BUILTIN_OPS.iter().map(|o| o.name()).collect::<Vec<_>>();
                        let help = match did_you_mean(name, known.iter().map(|s| s.as_str())) {
                            Some(s) => format!("did you mean `{s}`? or define it: op {name}(x) = ..."),
                            None => format!("define it first: op {name}(x) = ..."),
                        };
                        diags.push(
                            Diagnostic::new(
                                Code::UnknownOperator,
                                format!("unknown operator `{name}`"),
                                callee.span.clone(),
                            )
                            .with_label("not an operator")
                            .with_help(help),
                        );
                        bad
                    }
                },
            }
        }
        ExprKind::Error => bad,
        ExprKind::Str(_) => {
            diags.push(not_symbolic(e, "a string"));
            bad
        }
        ExprKind::Bool(_) => {
            diags.push(not_symbolic(e, "a boolean"));
            bad
        }
        _ => {
            diags.push(not_symbolic(e, "this expression"));
            bad
        }
    }
}
