//! Property tests over random formulas: printing round-trips through the parser, simplification
//! preserves finite values, and symbolic derivatives match finite differences. Every test is
//! seeded, so a failure names a formula that can be replayed.

use sdl_formula::gen::{random_formula, random_formula_with, GenOptions};
use sdl_formula::op::BUILTIN_OPS;
use sdl_formula::rng::Rng;
use sdl_formula::{
    custom, diff, parse, parse_in, simplify, subs, to_latex, to_numpy, to_rust, to_sympy, Formula, Node, Op,
};

fn vars() -> Vec<String> {
    vec!["x".into(), "y".into(), "m1".into()]
}

fn random_row(rng: &mut Rng) -> Vec<f64> {
    (0..3).map(|_| rng.range(-3.0, 3.0)).collect()
}

/// Relative closeness with a small absolute floor: re-association in `simplify` may move the
/// last bits of a sum, which matters relative to the result only when the result cancels to
/// nearly zero.
fn close(a: f64, b: f64, rel: f64) -> bool {
    a == b || (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn print_parse_round_trip_on_random_formulas() {
    let body = parse("x * y - 1").expect("parses");
    let custom_op = custom::register("mulm1_roundtrip", &["x".to_string(), "y".to_string()], &body).expect("ok");
    let mut scope = custom::OpScope::new();
    scope.define("mulm1_roundtrip", custom_op);
    let mut ops: Vec<Op> = BUILTIN_OPS.to_vec();
    ops.push(custom_op);
    let opts = GenOptions { const_prob: 0.5, extreme_constants: true };
    let mut rng = Rng::new(1);
    for i in 0..4000 {
        let size = 1 + rng.below(25);
        let f = random_formula_with(&mut rng, &vars(), &ops, size, &opts);
        let text = f.to_string();
        let g = parse_in(&text, &scope).unwrap_or_else(|e| panic!("case {i}: `{text}` does not parse: {e}"));
        assert!(g.same_as(&f), "case {i}: `{text}` parsed back as `{g}`");
        // The other printers must not panic and must produce something.
        assert!(!to_latex(&f).is_empty() && !to_sympy(&f).is_empty());
        assert!(!to_numpy(&f).is_empty() && !to_rust(&f).is_empty());
    }
}

/// Evaluation that turns every -0 into +0 after each operator. `simplify` preserves values up
/// to the sign of zero (`x * 0 → 0` cannot know the sign of `x`), and the sign of a zero is
/// visible only through a pole such as `inv(-0) = -inf`, so this is the semantics it keeps.
fn eval_unsigned_zero(f: &Formula, row: &[f64]) -> f64 {
    let mut stack: Vec<f64> = Vec::new();
    for n in &f.nodes {
        let v = match *n {
            Node::Var(i) => row[i as usize],
            Node::Const(i) => f.consts[i as usize],
            Node::Op(op) => {
                let at = stack.len() - op.arity();
                let v = op.apply(&stack[at..]);
                stack.truncate(at);
                v
            }
        };
        stack.push(v + 0.0);
    }
    stack.pop().unwrap_or(f64::NAN)
}

#[test]
fn simplify_preserves_finite_values() {
    let mut rng = Rng::new(2);
    let mut changed = 0;
    for i in 0..3000 {
        let size = 1 + rng.below(20);
        let f = random_formula(&mut rng, &vars(), BUILTIN_OPS, size);
        let g = simplify(&f);
        assert_eq!(g.vars, f.vars, "simplify keeps the variable list");
        assert!(g.len() <= f.len(), "case {i}: `{f}` grew to `{g}`");
        changed += usize::from(g.len() < f.len());
        for _ in 0..8 {
            let row = random_row(&mut rng);
            let (a, b) = (eval_unsigned_zero(&f, &row), eval_unsigned_zero(&g, &row));
            if a.is_finite() {
                assert!(close(a, b, 1e-9), "case {i}: `{f}` = {a} but `{g}` = {b} at {row:?}");
            }
        }
        // Simplifying twice changes nothing more: the smart constructors reach a fixed point.
        assert!(simplify(&g).same_as(&g), "case {i}: `{f}` -> `{g}` simplifies further to `{}`", simplify(&g));
    }
    assert!(changed > 300, "only {changed} formulas got smaller");
}

#[test]
fn simplify_folds_constant_subtrees() {
    let mut rng = Rng::new(3);
    for _ in 0..500 {
        let n = 1 + rng.below(15);
        let f = random_formula(&mut rng, &[], &[Op::Add, Op::Mul, Op::Sub, Op::Exp, Op::Neg], n);
        let v = f.eval_row(&[]);
        let g = simplify(&f);
        // Folding stops at a non-finite intermediate (`exp(exp(9))`), even if an outer operator
        // brings the value back to a finite one, so only all-finite trees must fold completely.
        if all_intermediates_finite(&f) {
            assert_eq!(g.len(), 1, "`{f}` should fold to one constant, got `{g}`");
            assert!(close(v, g.eval_row(&[]), 1e-12));
        }
    }
}

fn all_intermediates_finite(f: &Formula) -> bool {
    (0..f.len()).all(|end| {
        let start = f.subtree_start(end);
        let sub = Formula { nodes: f.nodes[start..=end].to_vec(), ..f.clone() };
        sub.eval_row(&[]).is_finite()
    })
}

#[test]
fn subs_then_eval_equals_eval_at_substituted_value() {
    let mut rng = Rng::new(4);
    for _ in 0..500 {
        let n = 1 + rng.below(12);
        let f = random_formula(&mut rng, &vars(), &[Op::Add, Op::Mul, Op::Sin, Op::Div], n);
        let n = 1 + rng.below(4);
        let r = random_formula(&mut rng, &["y".to_string()], &[Op::Add, Op::Exp], n);
        let g = subs(&f, "x", &r).with_vars_superset(&vars());
        let row = random_row(&mut rng);
        let mut row_x = row.clone();
        row_x[0] = r.with_vars(&vars()).eval_row(&row);
        let (a, b) = (f.eval_row(&row_x), g.eval_row(&row));
        assert!(a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()), "`{f}` with x = `{r}`: {a} vs {b}");
    }
}

/// Central difference with step `h` in coordinate `k`.
fn central(f: &Formula, row: &[f64], k: usize, h: f64) -> f64 {
    let mut plus = row.to_vec();
    let mut minus = row.to_vec();
    plus[k] += h;
    minus[k] -= h;
    (f.eval_row(&plus) - f.eval_row(&minus)) / (2.0 * h)
}

#[test]
fn derivatives_match_finite_differences() {
    let mut rng = Rng::new(5);
    let names = vars();
    let mut checked = 0;
    for i in 0..1500 {
        let n = 1 + rng.below(14);
        let f = random_formula(&mut rng, &names, BUILTIN_OPS, n);
        let k = rng.below(names.len());
        let df = diff(&f, &names[k]);
        assert_eq!(df.vars, f.vars);
        for _ in 0..4 {
            let row = random_row(&mut rng);
            let exact = df.eval_row(&row);
            let h = 1e-5 * row[k].abs().max(1.0);
            let (coarse, fine) = (central(&f, &row, k, 2.0 * h), central(&f, &row, k, h));
            // Skip points where the function is not finite or not smooth at the scale of the
            // step (a kink of abs or relu, a pole, a branch cut): the two step sizes disagree.
            let scale = fine.abs().max(1.0);
            // Rounding noise of the difference quotient: when the function is huge, a small
            // term's slope drowns in the last bits of the total.
            let noise = 1e-15 * f.eval_row(&row).abs() / h;
            // A non-finite exact derivative marks a point where the function is not
            // differentiable (`sqrt` at 0), which finite differences cannot see either.
            if !f.eval_row(&row).is_finite() || !coarse.is_finite() || !fine.is_finite() || !exact.is_finite() {
                continue;
            }
            if (coarse - fine).abs() > 1e-4 * scale || fine.abs() > 1e6 || noise > 1e-6 * scale {
                continue;
            }
            checked += 1;
            assert!(
                (exact - fine).abs() <= 1e-3 * scale,
                "case {i}: d/d{} of `{f}` is `{df}` = {exact}, finite difference {fine} at {row:?}",
                names[k]
            );
        }
    }
    assert!(checked > 2000, "only {checked} points were smooth enough to check");
}

#[test]
fn derivative_of_general_power_and_special_functions() {
    let f = parse("x^y + erf(x) + atan(x*y) + tanh(x) + log2(x) + cbrt(x) + acos(x/4)").expect("parses");
    let dx = diff(&f, "x");
    let dy = diff(&f, "y");
    let row = [1.3, 0.7];
    for (d, k) in [(&dx, 0), (&dy, 1)] {
        let fd = central(&f, &row, k, 1e-6);
        assert!((d.eval_row(&row) - fd).abs() < 1e-6, "`{d}`: {} vs {fd}", d.eval_row(&row));
    }
}

#[test]
fn never_panics_on_random_input() {
    let mut rng = Rng::new(2024);
    let pieces = [
        "x", "y1", "2", "-", "+", "*", "/", "^", "**", "(", ")", ",", "max", "exp", "ifelse", "1e", "e5", ".", "1e-3",
        ">", ">=", "<", "#", "\n", " ", "inf", "nan", "é", "\u{0}", "neg", "--",
    ];
    for _ in 0..20_000 {
        let n = rng.below(16);
        let s: String = if rng.chance(0.5) {
            (0..n).map(|_| pieces[rng.below(pieces.len())]).collect()
        } else {
            let bytes: Vec<u8> = (0..n).map(|_| rng.below(256) as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        if let Ok(f) = parse(&s) {
            // Whatever parses is a valid program: one value, printable, and reparsable.
            assert_eq!(f.subtree_start(f.len() - 1), 0, "{s:?}");
            let again = parse(&f.to_string()).unwrap_or_else(|e| panic!("{s:?} -> {f}: {e}"));
            assert!(again.same_as(&f), "{s:?} -> {f} -> {again}");
        } else if let Err(e) = parse(&s) {
            assert!(e.span.start <= e.span.end && e.span.end <= s.len(), "{s:?}: {e}");
            assert!(s.is_char_boundary(e.span.start) && s.is_char_boundary(e.span.end));
        }
    }
}

#[test]
fn deepest_parsable_formulas_survive_every_algorithm() {
    // The parser's depth limits exist so that the recursive printers, the simplifier and the
    // differentiator cannot overflow a test thread's stack on anything it accepts.
    let long_sum = vec!["x * y"; 390].join(" - ");
    let nested = format!("{}x{}", "exp(".repeat(190), ")".repeat(190));
    let tower = vec!["sin(x)"; 60].join("^");
    for src in [long_sum, nested, tower] {
        let f = parse(&src).unwrap_or_else(|e| panic!("{e}"));
        assert!(parse(&f.to_string()).expect("reparses").same_as(&f));
        let g = simplify(&f);
        let d = diff(&f, "x");
        assert!(!to_latex(&g).is_empty() && !to_sympy(&d).is_empty());
        assert!(!to_numpy(&f).is_empty() && !to_rust(&f).is_empty());
    }
}
