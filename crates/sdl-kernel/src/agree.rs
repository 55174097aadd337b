//! Property tests: every engine agrees with the reference interpreter.
//!
//! In: random formulas (depth ≤ 5, every operator family, domain-error-prone operators
//! included) and random data (uniform in [-3, 3] plus 0, ±1, 1e-3, 50 and NaN rows). Out:
//! assertions. The stated bound: for each row, the engine's value is within
//! `2 * E + 4 ulp` of the reference, where `E` is a first-order bound of the rounding error
//! propagated through the formula (each operator adds 4 ulp of its value — `f64` pow
//! `4 + 2|b ln a|` ulp — scaled by the operator's partial derivatives, in the engine's
//! precision); and the finite/non-finite status is the same. Rows whose outcome can flip
//! within `E` (a comparison or a domain boundary closer than the error, a value near overflow)
//! are excluded from the comparison, and counted so that the test fails if too few rows remain.

use crate::cost::Engine;
use crate::grad::partials;
use crate::{batch, Dataset, Program};
use sdl_formula::rng::Rng;
use sdl_formula::{Formula, Node, Op};

const UNARY: &[Op] = &[
    Op::Neg,
    Op::Square,
    Op::Cube,
    Op::Sqrt,
    Op::Abs,
    Op::Inv,
    Op::Exp,
    Op::Log,
    Op::Log2,
    Op::Log10,
    Op::Sin,
    Op::Cos,
    Op::Tanh,
    Op::Relu,
    Op::Sign,
    Op::Atan,
    Op::Asin,
    Op::Erf,
];
const BINARY: &[Op] = &[Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Pow, Op::Max, Op::Min, Op::Greater, Op::Cond];

fn random_formula(r: &mut Rng, depth: usize) -> Formula {
    if depth == 0 || r.chance(0.25) {
        return if r.chance(0.6) {
            Formula::var(&format!("x{}", r.below(3)))
        } else if r.chance(0.3) {
            Formula::constant([2.0, 3.0, -1.0, 0.5][r.below(4)])
        } else {
            Formula::constant((r.range(-3.0, 3.0) * 100.0).round() / 100.0)
        };
    }
    match r.below(10) {
        0..=3 => Formula::apply(UNARY[r.below(UNARY.len())], vec![random_formula(r, depth - 1)]),
        4 => Formula::apply(
            Op::IfElse,
            vec![random_formula(r, depth - 1), random_formula(r, depth - 1), random_formula(r, depth - 1)],
        ),
        _ => Formula::apply(
            BINARY[r.below(BINARY.len())],
            vec![random_formula(r, depth - 1), random_formula(r, depth - 1)],
        ),
    }
}

fn random_data(r: &mut Rng, rows: usize) -> Dataset<f64> {
    let special = [0.0, 1.0, -1.0, 1e-3, 50.0, f64::NAN, -0.0, 2.0];
    let cols = (0..3)
        .map(|_| {
            (0..rows)
                .map(|_| if r.chance(0.1) { special[r.below(special.len())] } else { r.range(-3.0, 3.0) })
                .collect()
        })
        .collect();
    Dataset::new(vec!["x0".into(), "x1".into(), "x2".into()], cols).unwrap()
}

/// Reference value and error bound for one row; the bound is `None` for unstable rows.
fn value_and_bound(f: &Formula, row: &[f64], eps: f64, max: f64, tiny: f64) -> (f64, Option<f64>) {
    let mut stack: Vec<(f64, f64)> = Vec::new();
    let mut stable = true;
    // Leaves are rounded to the engine's precision (data and constants are cast).
    for n in &f.nodes {
        match *n {
            Node::Var(i) => {
                let v = row[i as usize];
                stack.push((v, 0.5 * eps * v.abs()));
            }
            Node::Const(i) => {
                let v = f.consts[i as usize];
                stack.push((v, 0.5 * eps * v.abs()));
            }
            Node::Op(op) => {
                let k = op.arity();
                let args: Vec<(f64, f64)> = stack.split_off(stack.len() - k);
                let mut x = [0.0; 3];
                let mut e = [0.0; 3];
                for (s, (v, err)) in args.iter().enumerate() {
                    x[s] = *v;
                    e[s] = *err;
                }
                let v = op.apply(&x[..k]);
                let near = |a: f64, b: f64, err: f64| (a - b).abs() <= 2.0 * err + tiny;
                // Outcomes that can flip within the error: branches and domain boundaries.
                let flips = match op {
                    Op::Max | Op::Min | Op::Greater => near(x[0], x[1], e[0] + e[1]),
                    Op::Cond | Op::IfElse | Op::Sign | Op::Relu => near(x[0], 0.0, e[0]),
                    Op::Log | Op::Log2 | Op::Log10 | Op::Sqrt | Op::Inv => near(x[0], 0.0, e[0]),
                    Op::Div => near(x[1], 0.0, e[1]),
                    Op::Pow => near(x[0], 0.0, e[0]) || (x[0] < 0.0 && e[1] > 0.0),
                    Op::Asin => near(x[0].abs(), 1.0, e[0]),
                    _ => false,
                };
                if flips || (v.is_finite() && v.abs() > max) {
                    stable = false;
                }
                let err = if v.is_finite() {
                    let d = partials(op, x, v);
                    let carried: f64 = (0..k).map(|s| (d[s] * e[s]).abs()).sum();
                    let own =
                        if op == Op::Pow && eps < 1e-10 { 4.0 + 2.0 * (x[1] * x[0].abs().ln()).abs() } else { 4.0 };
                    carried + own * eps * v.abs() + tiny
                } else {
                    0.0
                };
                if err.is_nan() || err.is_infinite() {
                    stable = false;
                }
                stack.push((v, err));
            }
        }
    }
    let (v, err) = stack.pop().unwrap_or((f64::NAN, 0.0));
    (v, stable.then_some(err))
}

/// Checks one engine's output against the reference; returns the number of rows compared.
fn check(f: &Formula, data: &Dataset<f64>, got: &[f64], single: bool, what: &str) -> usize {
    let (eps, max, tiny) = if single { (f32::EPSILON as f64, 1e37, 1e-44) } else { (f64::EPSILON, 1e300, 1e-320) };
    let mut compared = 0;
    for (r, g) in got.iter().enumerate().take(data.n_rows()) {
        let row: Vec<f64> = (0..3).map(|c| data.column(c)[r]).collect();
        let (want, bound) =
            value_and_bound(&f.with_vars(&["x0".into(), "x1".into(), "x2".into()]), &row, eps, max, tiny);
        let Some(bound) = bound else { continue };
        compared += 1;
        assert_eq!(
            want.is_finite(),
            g.is_finite(),
            "{what}: status differs at row {r} {row:?}: want {want} got {g}\n{f:?}"
        );
        if want.is_finite() {
            assert!(
                (want - g).abs() <= 2.0 * bound + 4.0 * eps * want.abs(),
                "{what}: row {r} {row:?}: want {want} got {g} (bound {bound})\n{f:?}"
            );
        } else {
            assert_eq!(want.is_nan(), g.is_nan(), "{what}: NaN vs inf at row {r}: want {want} got {g}");
        }
    }
    compared
}

fn run(engine: Engine, prog: &Program, consts: &[f64], data: &Dataset<f64>, single: bool) -> (Vec<f64>, bool) {
    if single {
        let d32: Dataset<f32> = data.cast();
        let c32: Vec<f32> = consts.iter().map(|c| *c as f32).collect();
        let mut out = vec![0f32; data.n_rows()];
        let ok = batch::run_program_serial(prog, engine, &c32, &d32, &mut out, false);
        (out.iter().map(|v| *v as f64).collect(), ok)
    } else {
        let mut out = vec![0f64; data.n_rows()];
        let ok = batch::run_program_serial(prog, engine, consts, data, &mut out, false);
        (out, ok)
    }
}

#[test]
fn engines_agree_with_reference_on_random_formulas() {
    let mut r = Rng::new(2024);
    let (mut compared, mut total) = (0usize, 0usize);
    for case in 0..160 {
        let f = random_formula(&mut r, 5);
        let rows = [0, 1, 3, 257, 600][case % 5];
        let data = random_data(&mut r, rows);
        let (reference, ref_complete) = crate::eval_reference(&f, &data);
        let prog = Program::compile(&f, data.names()).unwrap();
        for engine in [Engine::Fused, Engine::Jit, Engine::Reference] {
            for single in [false, true] {
                let (got, complete) = run(engine, &prog, &f.consts, &data, single);
                let what = format!("{engine:?} f32={single} case {case}");
                compared += check(&f, &data, &got, single, &what);
                total += rows;
                assert_eq!(complete, got.iter().all(|v| v.is_finite()), "{what}: complete flag");
                if !single && engine == Engine::Fused {
                    assert!(ref_complete || !complete || rows == 0 || reference.iter().any(|v| v.is_finite()));
                }
            }
        }
        // The public entry points agree with the engines.
        let (v, ok) = crate::eval(&f, &data);
        assert_eq!(ok, v.iter().all(|x| x.is_finite()));
        check(&f, &data, &v, false, "eval");
    }
    assert!(compared * 10 >= total * 7, "only {compared} of {total} rows were comparable");
}

#[test]
fn many_formulas_and_parallel_rows_agree() {
    let mut r = Rng::new(7);
    let fs: Vec<Formula> = (0..24).map(|_| random_formula(&mut r, 4)).collect();
    let data = random_data(&mut r, 9000); // above the parallel threshold
    let many = crate::eval_many(&fs, &data);
    for (f, (v, ok)) in fs.iter().zip(&many) {
        check(f, &data, v, false, "eval_many");
        let prog = Program::compile(f, data.names()).unwrap();
        for engine in [Engine::Fused, Engine::Jit] {
            let mut out = vec![0.0; data.n_rows()];
            let complete = batch::run_program(&prog, engine, &f.consts, &data, &mut out, false);
            assert_eq!(complete, *ok);
            check(f, &data, &out, false, "parallel");
        }
    }
}

#[test]
fn early_exit_and_errors() {
    let f = Formula::apply(Op::Log, vec![Formula::var("x0")]);
    let mut cols = vec![1.0; 5000];
    cols[10] = -1.0;
    let data = Dataset::new(vec!["x0".into()], vec![cols]).unwrap();
    let mut out = vec![0.0f64; 5000];
    assert!(!crate::eval_into(&f, &[], &data, &mut out));
    assert!(out[10].is_nan());
    let g = Formula::apply(Op::Add, vec![Formula::var("nope"), Formula::constant(1.0)]);
    assert!(!crate::eval_into(&g, &[1.0], &data, &mut out));
    assert!(!crate::eval_into(&f, &[], &data, &mut out[..3]));
    let c = Formula::apply(Op::Mul, vec![Formula::var("x0"), Formula::constant(2.0)]);
    assert!(!crate::eval_into(&c, &[], &data, &mut out), "missing constants");
    assert!(crate::eval_into(&c, &[3.0], &data, &mut out) && out[0] == 3.0);
    let empty = Dataset::new(vec!["x0".into()], vec![vec![]]).unwrap();
    assert!(crate::eval_into(&c, &[3.0], &empty, &mut []));
}
