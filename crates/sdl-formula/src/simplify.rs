//! Value-preserving simplification and substitution.
//!
//! In: a [`Formula`]. Out: an equivalent, usually smaller formula over the same variable list.
//! Always true: wherever the original evaluates to a finite number, the simplified formula
//! evaluates to the same number up to floating-point rounding of the original and up to the
//! sign of zero (`x * 0 → 0` cannot know the sign of `x`; -0 and +0 differ only through a pole,
//! as in `inv(-0) = -inf`, and where that pole is later mapped back to a finite value the
//! results may differ). Rewrites are
//! chosen so that only non-finite originals may change value (`x * 0 → 0` is allowed because
//! `x * 0` is finite only where `x` is; `x / x → 1` is not applied, to keep `0 / 0` visible).
//! Named constants are fit parameters and are never folded, nor dropped by a rule such as
//! `x * 0 → 0`.
//!
//! The rewriting is bottom-up through smart constructors: [`mk`] applies an operator to
//! arguments that are already simplified and returns the simplified result. The rules are
//! constant folding (only to a finite result), the identities `x + 0`, `x - 0`, `0 - x`, `x * 1`,
//! `x * 0`, `x / 1`, `0 / x`, `x ^ 1`, `x ^ 0`, `1 ^ x`, `--x`, `x - x`, `x + x → 2 * x`,
//! `max(x, x)`, sign pushing (`x + -y → x - y`, `-(a - b) → b - a`, `c * -x → (-c) * x`) and the
//! merging of constant chains (`(x + 2) + 3 → x + 5`, `2 * (3 * x) → 6 * x`), which keeps
//! constants to the right of sums and to the left of products. Chain merging re-associates, so
//! it can differ from the original by the original's own rounding; products are only merged
//! when the merged constant is a normal number, so no underflow or overflow is introduced.

use crate::tree::Expr;
use crate::{Formula, Op};

/// Simplifies `f` without changing its value wherever it is finite. The result keeps `f`'s
/// variable list (and order), so it evaluates on the same rows.
pub fn simplify(f: &Formula) -> Formula {
    let e = simplify_expr(&f.to_expr());
    Formula::from_expr(&e).with_vars_superset(&f.vars)
}

/// Replaces every occurrence of variable `var` (and of a named constant called `var`) by
/// `replacement`. The result lists `f`'s other variables first, in their order, then any new
/// ones the replacement brings. No simplification is done; call [`simplify`] afterwards.
pub fn subs(f: &Formula, var: &str, replacement: &Formula) -> Formula {
    let rep = replacement.to_expr();
    let e = subs_expr(&f.to_expr(), var, &rep);
    let keep_var = rep.depends_on(var);
    let order: Vec<String> = f.vars.iter().filter(|v| keep_var || v.as_str() != var).cloned().collect();
    Formula::from_expr(&e).with_vars_superset(&order)
}

fn subs_expr(e: &Expr, var: &str, rep: &Expr) -> Expr {
    match e {
        Expr::Var(v) if v == var => rep.clone(),
        Expr::Const { name: Some(n), .. } if n == var => rep.clone(),
        Expr::Apply(op, args) => Expr::Apply(*op, args.iter().map(|a| subs_expr(a, var, rep)).collect()),
        leaf => leaf.clone(),
    }
}

/// Simplifies a tree bottom-up.
pub(crate) fn simplify_expr(e: &Expr) -> Expr {
    match e {
        Expr::Apply(op, args) => mk(*op, args.iter().map(simplify_expr).collect()),
        leaf => leaf.clone(),
    }
}

fn is_num(e: &Expr, v: f64) -> bool {
    e.as_num() == Some(v)
}

/// True if the tree holds a named constant; such subtrees must not be dropped.
fn has_named(e: &Expr) -> bool {
    match e {
        Expr::Const { name, .. } => name.is_some(),
        Expr::Var(_) => false,
        Expr::Apply(_, args) => args.iter().any(has_named),
    }
}

fn app(op: Op, args: Vec<Expr>) -> Expr {
    Expr::Apply(op, args)
}

/// Applies `op` to already simplified arguments and simplifies the result.
pub(crate) fn mk(op: Op, mut args: Vec<Expr>) -> Expr {
    if args.len() != op.arity() {
        return app(op, args);
    }
    let nums: Option<Vec<f64>> = args.iter().map(Expr::as_num).collect();
    if let Some(vals) = nums {
        let v = op.apply(&vals);
        if v.is_finite() {
            return Expr::num(v);
        }
        return app(op, args);
    }
    match op {
        Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Pow | Op::Max | Op::Min => {
            let b = args.pop().unwrap_or(Expr::num(f64::NAN));
            let a = args.pop().unwrap_or(Expr::num(f64::NAN));
            match op {
                Op::Add => add(a, b),
                Op::Sub => sub(a, b),
                Op::Mul => mul(a, b),
                Op::Div => div(a, b),
                Op::Pow => pow(a, b),
                _ if a.same_as(&b) => a,
                _ => app(op, vec![a, b]),
            }
        }
        Op::Neg => neg(args.pop().unwrap_or(Expr::num(f64::NAN))),
        Op::Abs => match args.pop() {
            Some(Expr::Apply(Op::Neg, mut inner)) => mk(Op::Abs, vec![inner.pop().unwrap_or(Expr::num(f64::NAN))]),
            Some(x) => app(Op::Abs, vec![x]),
            None => app(Op::Abs, vec![]),
        },
        Op::IfElse if args[1].same_as(&args[2]) => {
            // `ifelse(c, a, a)` is `a` wherever `c` is not NaN, and NaN there is not finite.
            args.swap_remove(1)
        }
        _ => app(op, args),
    }
}

/// `base + s` written with a positive constant, or just `base` when `s` is zero.
fn offset(base: Expr, s: f64) -> Expr {
    if s < 0.0 {
        sub(base, Expr::num(-s))
    } else {
        add(base, Expr::num(s))
    }
}

/// Splits `base + k` or `base - k` (unnamed `k`) into `(base, ±k)`.
fn additive(e: &Expr) -> Option<(Expr, f64)> {
    match e {
        Expr::Apply(Op::Add, xs) => xs[1].as_num().map(|k| (xs[0].clone(), k)),
        Expr::Apply(Op::Sub, xs) => xs[1].as_num().map(|k| (xs[0].clone(), -k)),
        _ => None,
    }
}

fn neg_arg(e: &Expr) -> Option<&Expr> {
    match e {
        Expr::Apply(Op::Neg, xs) => xs.first(),
        _ => None,
    }
}

fn add(a: Expr, b: Expr) -> Expr {
    if is_num(&b, 0.0) {
        return a;
    }
    if is_num(&a, 0.0) {
        return b;
    }
    if let Some(y) = neg_arg(&b) {
        return sub(a, y.clone());
    }
    if let Some(y) = neg_arg(&a) {
        return sub(b, y.clone());
    }
    if a.as_num().is_some() {
        return add(b, a);
    }
    if let Some(c) = b.as_num() {
        if let Some((base, k)) = additive(&a) {
            let s = k + c;
            if s.is_finite() {
                return offset(base, s);
            }
        }
        if let Expr::Apply(Op::Sub, xs) = &a {
            if let Some(k) = xs[0].as_num() {
                // (k - x) + c = (k + c) - x.
                if (k + c).is_finite() {
                    return sub(Expr::num(k + c), xs[1].clone());
                }
            }
        }
        if c < 0.0 {
            return app(Op::Sub, vec![a, Expr::num(-c)]);
        }
    }
    if a.same_as(&b) {
        return mul(Expr::num(2.0), a);
    }
    app(Op::Add, vec![a, b])
}

fn sub(a: Expr, b: Expr) -> Expr {
    if is_num(&b, 0.0) {
        return a;
    }
    if is_num(&a, 0.0) {
        return neg(b);
    }
    if a.same_as(&b) && !has_named(&a) {
        return Expr::num(0.0);
    }
    if let Some(y) = neg_arg(&b) {
        return add(a, y.clone());
    }
    // a - (c * y) with c < 0 is a + (-c) * y exactly: negation is exact in IEEE arithmetic.
    if let Expr::Apply(Op::Mul, xs) = &b {
        if let Some(c) = xs[0].as_num().filter(|c| *c < 0.0) {
            return add(a, app(Op::Mul, vec![Expr::num(-c), xs[1].clone()]));
        }
    }
    if let Some(c) = b.as_num() {
        if let Some((base, k)) = additive(&a) {
            let s = k - c;
            if s.is_finite() {
                return offset(base, s);
            }
        }
        if c < 0.0 {
            return add(a, Expr::num(-c));
        }
    }
    if let Some(c) = a.as_num() {
        if let Some((base, k)) = additive(&b) {
            // c - (x + k) = (c - k) - x.
            if (c - k).is_finite() {
                return sub(Expr::num(c - k), base);
            }
        }
    }
    app(Op::Sub, vec![a, b])
}

/// True if `v` is a safe merged factor: normal, so merging loses no range.
fn good_factor(v: f64) -> bool {
    v.is_normal()
}

fn mul(a: Expr, b: Expr) -> Expr {
    if b.as_num().is_some() && a.as_num().is_none() {
        return mul(b, a);
    }
    if let Some(c) = a.as_num() {
        if c == 1.0 {
            return b;
        }
        if c == 0.0 && !has_named(&b) {
            return Expr::num(0.0);
        }
        if c == -1.0 {
            return neg(b);
        }
        if let Some(y) = neg_arg(&b) {
            return mul(Expr::num(-c), y.clone());
        }
        match &b {
            Expr::Apply(Op::Mul, xs) => {
                if let Some(k) = xs[0].as_num() {
                    if good_factor(c * k) {
                        return mul(Expr::num(c * k), xs[1].clone());
                    }
                }
            }
            Expr::Apply(Op::Div, xs) => {
                if let Some(k) = xs[0].as_num() {
                    if good_factor(c * k) {
                        return div(Expr::num(c * k), xs[1].clone());
                    }
                }
            }
            _ => {}
        }
    }
    if let (Some(x), Some(y)) = (neg_arg(&a), neg_arg(&b)) {
        return mul(x.clone(), y.clone());
    }
    app(Op::Mul, vec![a, b])
}

fn div(a: Expr, b: Expr) -> Expr {
    if is_num(&b, 1.0) {
        return a;
    }
    if is_num(&b, -1.0) {
        return neg(a);
    }
    if is_num(&a, 0.0) && !has_named(&b) {
        return Expr::num(0.0);
    }
    if let (Some(k), Expr::Apply(Op::Mul, xs)) = (b.as_num(), &a) {
        if let Some(c) = xs[0].as_num() {
            if good_factor(c / k) {
                return mul(Expr::num(c / k), xs[1].clone());
            }
        }
    }
    if let (Some(x), Some(y)) = (neg_arg(&a), neg_arg(&b)) {
        return div(x.clone(), y.clone());
    }
    app(Op::Div, vec![a, b])
}

fn pow(a: Expr, b: Expr) -> Expr {
    if is_num(&b, 1.0) {
        return a;
    }
    // `powf(x, 0) = 1` and `powf(1, y) = 1` for every x and y, NaN included.
    if (is_num(&b, 0.0) && !has_named(&a)) || (is_num(&a, 1.0) && !has_named(&b)) {
        return Expr::num(1.0);
    }
    app(Op::Pow, vec![a, b])
}

fn neg(a: Expr) -> Expr {
    if let Some(c) = a.as_num() {
        return Expr::num(-c);
    }
    match a {
        Expr::Apply(Op::Neg, mut xs) => xs.pop().unwrap_or(Expr::num(f64::NAN)),
        // -(x - y) = y - x exactly, because rounding to nearest is symmetric.
        Expr::Apply(Op::Sub, mut xs) => {
            let y = xs.pop().unwrap_or(Expr::num(f64::NAN));
            let x = xs.pop().unwrap_or(Expr::num(f64::NAN));
            sub(y, x)
        }
        Expr::Apply(Op::Mul, ref xs) if xs[0].as_num().is_some() => {
            let c = xs[0].as_num().unwrap_or(f64::NAN);
            mul(Expr::num(-c), xs[1].clone())
        }
        other => app(Op::Neg, vec![other]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    fn s(src: &str) -> String {
        simplify(&parse(src).expect("test formula parses")).to_string()
    }

    #[test]
    fn subtracting_a_negative_multiple_adds() {
        assert_eq!(s("x - -2 * y"), "x + 2 * y");
    }

    #[test]
    fn folds_and_applies_identities() {
        assert_eq!(s("(x + 2) + 3"), "x + 5");
        assert_eq!(s("2 * (3 * x)"), "6 * x");
        assert_eq!(s("x * 1 + 0"), "x");
        assert_eq!(s("x - x + y"), "y");
        assert_eq!(s("--x"), "x");
        assert_eq!(s("x ^ 1 / 1"), "x");
        assert_eq!(s("exp(2 - 2) * x"), "x");
        assert_eq!(s("x + -y"), "x - y");
        assert_eq!(s("(x - 1) - 2"), "x - 3");
        assert_eq!(s("(x + 1) - 3"), "x - 2");
        assert_eq!(s("x * 0 + 1"), "1");
        assert_eq!(s("x / x"), "x / x");
        assert_eq!(s("x + x"), "2 * x");
        assert_eq!(s("-(x - y)"), "y - x");
        assert_eq!(s("3 * -x"), "-3 * x");
        assert_eq!(s("max(x, x)"), "x");
        assert_eq!(s("log(-1) + x"), "log(-1) + x");
    }

    #[test]
    fn named_constants_survive() {
        let f = parse("a * x").expect("parses");
        let f = subs(&f, "a", &Formula::named_constant("a", 0.0));
        let zero = subs(&f, "x", &Formula::constant(0.0));
        let g = simplify(&zero);
        assert_eq!(g.to_string(), "0 * a");
        let h = simplify(&subs(&parse("a - a").expect("parses"), "a", &Formula::named_constant("a", 2.0)));
        assert_eq!(h.to_string(), "a - a");
    }

    #[test]
    fn subs_replaces_variables_and_keeps_order() {
        let f = parse("x * y + z").expect("parses").with_vars(&["x".into(), "y".into(), "z".into()]);
        let g = subs(&f, "y", &parse("sin(w)").expect("parses"));
        assert_eq!(g.to_string(), "x * sin(w) + z");
        assert_eq!(g.vars, vec!["x", "z", "w"]);
        let h = subs(&f, "x", &parse("x + 1").expect("parses"));
        assert_eq!(h.vars, vec!["x", "y", "z"]);
        assert_eq!(simplify(&f).vars, f.vars);
    }
}
