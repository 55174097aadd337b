//! Symbolic differentiation.
//!
//! In: a [`Formula`] and the name of a variable. Out: the partial derivative as a simplified
//! formula over the same variable list. Every built-in operator has a rule; custom operators
//! are inlined first. A named constant whose name is `var` is differentiated as a variable,
//! which gives the gradient of a fit with respect to its parameters.
//!
//! Always true: wherever the formula is differentiable and the derivative is finite, the result
//! evaluates to the derivative. Piecewise operators get the derivative of the piece they select:
//! `d cond(c, y) = cond(c, dy)`, `d relu(a) = cond(a, da)`, `d max(a, b) = ifelse(a > b, da, db)`,
//! `d abs(a) = sign(a) da`, and comparisons and `sign` have derivative 0. Powers use
//! `b a^(b-1) a'` when the exponent does not depend on `var` (this keeps `x^2` differentiable at
//! negative `x`) and `a^b (b' log a + b a' / a)` otherwise. Every intermediate is built through
//! the simplifier's smart constructors, so zero terms vanish as they are produced.

use crate::simplify::{mk, simplify_expr};
use crate::tree::Expr;
use crate::{Formula, Op};

/// The partial derivative of `f` with respect to `var`, simplified.
pub fn diff(f: &Formula, var: &str) -> Formula {
    let e = simplify_expr(&f.inline_custom().to_expr());
    let d = simplify_expr(&d_expr(&e, var));
    Formula::from_expr(&d).with_vars_superset(&f.vars)
}

fn num(v: f64) -> Expr {
    Expr::num(v)
}

fn add(a: Expr, b: Expr) -> Expr {
    mk(Op::Add, vec![a, b])
}

fn sub(a: Expr, b: Expr) -> Expr {
    mk(Op::Sub, vec![a, b])
}

/// A product in a derivative. A zero factor is an exact zero derivative here, so the product is
/// dropped even when the other factor holds a named constant (which `simplify` would keep).
fn mul(a: Expr, b: Expr) -> Expr {
    if is_zero(&a) || is_zero(&b) {
        return num(0.0);
    }
    mk(Op::Mul, vec![a, b])
}

/// A quotient in a derivative; a zero numerator is an exact zero derivative.
fn div(a: Expr, b: Expr) -> Expr {
    if is_zero(&a) {
        return num(0.0);
    }
    mk(Op::Div, vec![a, b])
}

fn pow(a: Expr, b: Expr) -> Expr {
    mk(Op::Pow, vec![a, b])
}

fn neg(a: Expr) -> Expr {
    mk(Op::Neg, vec![a])
}

fn f1(op: Op, a: &Expr) -> Expr {
    mk(op, vec![a.clone()])
}

fn sq(a: &Expr) -> Expr {
    pow(a.clone(), num(2.0))
}

fn is_zero(e: &Expr) -> bool {
    e.as_num() == Some(0.0)
}

/// The derivative of `e` with respect to `var`, before final simplification.
fn d_expr(e: &Expr, var: &str) -> Expr {
    let (op, args) = match e {
        Expr::Var(v) => return num(if v == var { 1.0 } else { 0.0 }),
        Expr::Const { name, .. } => return num(if name.as_deref() == Some(var) { 1.0 } else { 0.0 }),
        Expr::Apply(op, args) => (*op, args),
    };
    if !e.depends_on(var) {
        return num(0.0);
    }
    let ds: Vec<Expr> = args.iter().map(|a| d_expr(a, var)).collect();
    let a = &args[0];
    let da = ds[0].clone();
    // The chain rule for unary operators: f'(a) * da.
    let chain = |outer: Expr| mul(outer, da.clone());
    match op {
        Op::Add => add(da, ds[1].clone()),
        Op::Sub => sub(da, ds[1].clone()),
        Op::Mul => add(mul(da, args[1].clone()), mul(a.clone(), ds[1].clone())),
        Op::Div => {
            let b = &args[1];
            // (a / b)' = a'/b - a b' / b^2, written so a constant denominator stays simple.
            sub(div(da, b.clone()), div(mul(a.clone(), ds[1].clone()), sq(b)))
        }
        Op::Pow => {
            let b = &args[1];
            if !b.depends_on(var) {
                let b_minus_1 = sub(b.clone(), num(1.0));
                mul(mul(b.clone(), pow(a.clone(), b_minus_1)), da)
            } else {
                let log_term = mul(ds[1].clone(), f1(Op::Log, a));
                let base_term = if is_zero(&da) { num(0.0) } else { div(mul(b.clone(), da), a.clone()) };
                mul(e.clone(), add(log_term, base_term))
            }
        }
        Op::Max | Op::Min => {
            let test = if op == Op::Max { Op::Greater } else { Op::Less };
            if is_zero(&da) && is_zero(&ds[1]) {
                return num(0.0);
            }
            mk(Op::IfElse, vec![mk(test, vec![a.clone(), args[1].clone()]), da, ds[1].clone()])
        }
        Op::Cond => {
            if is_zero(&ds[1]) {
                return num(0.0);
            }
            mk(Op::Cond, vec![a.clone(), ds[1].clone()])
        }
        Op::IfElse => {
            if is_zero(&ds[1]) && is_zero(&ds[2]) {
                return num(0.0);
            }
            mk(Op::IfElse, vec![a.clone(), ds[1].clone(), ds[2].clone()])
        }
        Op::Greater | Op::GreaterEq | Op::Less | Op::LessEq | Op::Sign => num(0.0),
        Op::Neg => neg(da),
        Op::Square => chain(mul(num(2.0), a.clone())),
        Op::Cube => chain(mul(num(3.0), sq(a))),
        Op::Sqrt => div(da, mul(num(2.0), f1(Op::Sqrt, a))),
        Op::Cbrt => div(da, mul(num(3.0), sq(&f1(Op::Cbrt, a)))),
        Op::Abs => chain(f1(Op::Sign, a)),
        Op::Inv => neg(div(da, sq(a))),
        Op::Exp => chain(e.clone()),
        Op::Log => div(da, a.clone()),
        Op::Log10 => div(da, mul(num(std::f64::consts::LN_10), a.clone())),
        Op::Log2 => div(da, mul(num(std::f64::consts::LN_2), a.clone())),
        Op::Log1p => div(da, add(a.clone(), num(1.0))),
        Op::Sin => chain(f1(Op::Cos, a)),
        Op::Cos => neg(chain(f1(Op::Sin, a))),
        Op::Tan => div(da, sq(&f1(Op::Cos, a))),
        Op::Sinh => chain(f1(Op::Cosh, a)),
        Op::Cosh => chain(f1(Op::Sinh, a)),
        Op::Tanh => chain(sub(num(1.0), sq(e))),
        Op::Asin => div(da, f1(Op::Sqrt, &sub(num(1.0), sq(a)))),
        Op::Acos => neg(div(da, f1(Op::Sqrt, &sub(num(1.0), sq(a))))),
        Op::Atan => div(da, add(sq(a), num(1.0))),
        Op::Erf => chain(mul(num(std::f64::consts::FRAC_2_SQRT_PI), f1(Op::Exp, &neg(sq(a))))),
        Op::Relu => {
            if is_zero(&da) {
                return num(0.0);
            }
            mk(Op::Cond, vec![a.clone(), da])
        }
        // Custom operators were inlined by `diff`; a stray one (a registry entry whose body
        // still holds custom operators after inlining cannot exist) is differentiated by
        // inlining it here as well.
        Op::Custom(_) => {
            let inlined = simplify_expr(&Formula::from_expr(e).inline_custom().to_expr());
            if inlined.same_as(e) {
                num(f64::NAN)
            } else {
                d_expr(&inlined, var)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    fn d(src: &str, var: &str) -> String {
        diff(&parse(src).expect("test formula parses"), var).to_string()
    }

    #[test]
    fn textbook_derivatives() {
        assert_eq!(d("x^2", "x"), "2 * x");
        assert_eq!(d("3 * x + y", "x"), "3");
        assert_eq!(d("3 * x + y", "z"), "0");
        assert_eq!(d("sin(x)", "x"), "cos(x)");
        assert_eq!(d("exp(2 * x)", "x"), "2 * exp(2 * x)");
        assert_eq!(d("log(x)", "x"), "1 / x");
        assert_eq!(d("abs(x)", "x"), "sign(x)");
        assert_eq!(d("relu(x)", "x"), "cond(x, 1)");
        assert_eq!(d("cond(x, y * x)", "x"), "cond(x, y)");
        assert_eq!(d("max(x, 1)", "x"), "ifelse(x > 1, 1, 0)");
        assert_eq!(d("x > 1", "x"), "0");
    }

    #[test]
    fn named_constants_are_parameters() {
        let f = crate::subs(&parse("a * exp(x)").expect("parses"), "a", &Formula::named_constant("a", 2.0));
        assert_eq!(diff(&f, "a").to_string(), "exp(x)");
        assert_eq!(diff(&f, "x").to_string(), "a * exp(x)");
    }

    #[test]
    fn custom_operators_are_inlined() {
        let body = parse("x * x * x").expect("parses");
        let op = crate::custom::register("cube_for_diff_test", &["x".to_string()], &body).expect("registers");
        let f = Formula::apply(op, vec![Formula::var("t")]);
        let g = diff(&f, "t");
        for t in [-2.0, 0.5, 3.0] {
            assert!((g.eval_row(&[t]) - 3.0 * t * t).abs() < 1e-12, "{g} at {t}");
        }
    }
}
