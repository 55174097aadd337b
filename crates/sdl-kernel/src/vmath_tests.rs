//! Accuracy tests of the vectorised kernels against `std`: the ulp bounds stated in
//! [`super`] over wide random ranges, and the IEEE special values. Every check runs on both
//! rounding markers ([`Plain`], [`Fma`]) and on every build this CPU supports, through the
//! run-time dispatch that the evaluators use.

use super::*;
use crate::jit::{unary_at, SimdLevel};
use sdl_formula::rng::Rng;

/// One way of running a kernel: a rounding marker or a compiled build.
#[derive(Copy, Clone, Debug)]
enum Variant {
    Plain,
    Fma,
    Build(SimdLevel),
}

fn variants() -> Vec<Variant> {
    let mut v = vec![Variant::Plain, Variant::Fma];
    v.extend(SimdLevel::ALL.into_iter().filter(|l| l.supported()).map(Variant::Build));
    v
}

/// Runs `op` (one of the kernels' operators) on `x` in `variant`.
fn run_op<T: Float + 'static>(variant: Variant, op: Op, x: &mut [T]) {
    match variant {
        Variant::Plain => apply_unary::<T, Plain>(op, x),
        Variant::Fma => apply_unary::<T, Fma>(op, x),
        Variant::Build(level) => unary_at(level, op, x),
    }
}

/// Max ulp error of `op` in every variant against `reference` on `xs`, with the variant.
fn max_ulp64(xs: &[f64], op: Op, reference: fn(f64) -> f64) -> (u64, f64, Variant) {
    let mut worst = (0, 0.0, Variant::Plain);
    for var in variants() {
        let mut v = xs.to_vec();
        run_op(var, op, &mut v);
        for (x, got) in xs.iter().zip(&v) {
            let e = ulp_diff_f64(*got, reference(*x));
            if e > worst.0 {
                worst = (e, *x, var);
            }
        }
    }
    worst
}

fn max_ulp32(xs: &[f32], op: Op, reference: fn(f32) -> f32) -> (u64, f32, Variant) {
    let mut worst = (0, 0.0, Variant::Plain);
    for var in variants() {
        let mut v = xs.to_vec();
        run_op(var, op, &mut v);
        for (x, got) in xs.iter().zip(&v) {
            let e = ulp_diff_f32(*got, reference(*x));
            if e > worst.0 {
                worst = (e, *x, var);
            }
        }
    }
    worst
}

fn uniform(n: usize, lo: f64, hi: f64, seed: u64) -> Vec<f64> {
    let mut r = Rng::new(seed);
    (0..n).map(|_| r.range(lo, hi)).collect()
}

/// Positive doubles spread over every exponent (random bit patterns).
fn positive_bits(n: usize, seed: u64) -> Vec<f64> {
    let mut r = Rng::new(seed);
    (0..n).map(|_| f64::from_bits(r.next_u64() >> 1)).filter(|v| v.is_finite()).collect()
}

const N: usize = 20_000;

#[test]
fn f64_kernels_within_stated_ulp_bounds() {
    let (e, x, v) = max_ulp64(&uniform(N, -745.0, 710.0, 1), Op::Exp, f64::exp);
    assert!(e <= 2, "exp: {e} ulp at {x} ({v:?})");
    let (e, x, v) = max_ulp64(&uniform(N, -2.0, 2.0, 2), Op::Exp, f64::exp);
    assert!(e <= 2, "exp small: {e} ulp at {x} ({v:?})");
    let (e, x, v) = max_ulp64(&positive_bits(N, 3), Op::Log, f64::ln);
    assert!(e <= 2, "log: {e} ulp at {x} ({v:?})");
    let (e, x, v) = max_ulp64(&uniform(N, 0.5, 2.0, 4), Op::Log, f64::ln);
    assert!(e <= 2, "log near 1: {e} ulp at {x} ({v:?})");
    for (lo, hi) in [(-1e5, 1e5), (-10.0, 10.0), (-1e-3, 1e-3), (-1e7, 1e7)] {
        let (e, x, v) = max_ulp64(&uniform(N, lo, hi, 5), Op::Sin, f64::sin);
        assert!(e <= 2, "sin: {e} ulp at {x} ({v:?})");
        let (e, x, v) = max_ulp64(&uniform(N, lo, hi, 6), Op::Cos, f64::cos);
        assert!(e <= 2, "cos: {e} ulp at {x} ({v:?})");
    }
    for (lo, hi) in [(-20.0, 20.0), (-1.0, 1.0), (-1e-4, 1e-4)] {
        let (e, x, v) = max_ulp64(&uniform(N, lo, hi, 7), Op::Tanh, f64::tanh);
        assert!(e <= 3, "tanh: {e} ulp at {x} ({v:?})");
    }
}

#[test]
fn f32_kernels_within_stated_ulp_bounds() {
    let xs: Vec<f32> = uniform(N, -104.0, 89.0, 8).iter().map(|v| *v as f32).collect();
    let (e, x, v) = max_ulp32(&xs, Op::Exp, f32::exp);
    assert!(e <= 2, "exp: {e} ulp at {x} ({v:?})");
    let mut r = Rng::new(9);
    let xs: Vec<f32> = (0..N).map(|_| f32::from_bits((r.next_u64() >> 33) as u32)).filter(|v| v.is_finite()).collect();
    let (e, x, v) = max_ulp32(&xs, Op::Log, f32::ln);
    assert!(e <= 2, "log: {e} ulp at {x} ({v:?})");
    for (lo, hi) in [(-8192.0, 8192.0), (-10.0, 10.0), (-1e-3, 1e-3), (-1e6, 1e6)] {
        let xs: Vec<f32> = uniform(N, lo, hi, 10).iter().map(|v| *v as f32).collect();
        let (e, x, v) = max_ulp32(&xs, Op::Sin, f32::sin);
        assert!(e <= 2, "sin: {e} ulp at {x} ({v:?})");
        let (e, x, v) = max_ulp32(&xs, Op::Cos, f32::cos);
        assert!(e <= 2, "cos: {e} ulp at {x} ({v:?})");
    }
    for (lo, hi) in [(-20.0, 20.0), (-1.0, 1.0), (-1e-4, 1e-4)] {
        let xs: Vec<f32> = uniform(N, lo, hi, 11).iter().map(|v| *v as f32).collect();
        let (e, x, v) = max_ulp32(&xs, Op::Tanh, f32::tanh);
        assert!(e <= 4, "tanh: {e} ulp at {x} ({v:?})");
    }
    let xs: Vec<f32> = uniform(N, -100.0, 100.0, 10).iter().map(|v| *v as f32).collect();
    for fma in [false, true] {
        let mut p: Vec<f32> = xs.iter().map(|v| v.abs() * 0.05).collect();
        if fma {
            pow_scalar_exp::<f32, Fma>(&mut p, 2.7f32);
        } else {
            pow_scalar_exp::<f32, Plain>(&mut p, 2.7f32);
        }
        for (x, got) in xs.iter().zip(&p) {
            assert!(ulp_diff_f32(*got, (x.abs() * 0.05).powf(2.7)) <= 1, "pow fma={fma}");
        }
    }
}

/// `op` applied to `input` in every variant.
fn each<T: Float + 'static, const N: usize>(op: Op, input: [T; N]) -> Vec<(Variant, [T; N])> {
    variants()
        .into_iter()
        .map(|var| {
            let mut v = input;
            run_op(var, op, &mut v);
            (var, v)
        })
        .collect()
}

#[test]
fn special_values() {
    let small = f64::MIN_POSITIVE / 8.0;
    for (var, v) in each(Op::Log, [-1.0, 0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, small]) {
        assert!(v[0].is_nan() && v[1] == f64::NEG_INFINITY && v[2] == f64::NEG_INFINITY && v[3] == f64::INFINITY);
        assert!(v[4].is_nan() && v[5].is_nan() && v[6] == small.ln(), "{var:?}");
    }
    for (var, v) in each(Op::Exp, [1000.0, -1000.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 709.0, -740.0]) {
        assert_eq!(&v[..4], &[f64::INFINITY, 0.0, f64::INFINITY, 0.0], "{var:?}");
        assert!(v[4].is_nan() && ulp_diff_f64(v[5], 709f64.exp()) <= 2 && v[6] == (-740f64).exp(), "{var:?}");
    }
    for (var, v) in each(Op::Exp, [1000.0f32, -1000.0, f32::NAN, -1.0]) {
        assert!(v[0] == f32::INFINITY && v[1] == 0.0 && v[2].is_nan(), "{var:?}");
    }
    for (var, v) in each(Op::Log, [-1.0f32, 0.0, f32::INFINITY]) {
        assert!(v[0].is_nan() && v[1] == f32::NEG_INFINITY && v[2] == f32::INFINITY, "{var:?}");
    }
    for (var, v) in each(Op::Sin, [f64::INFINITY, f64::NAN, -0.0, 1e300]) {
        assert!(v[0].is_nan() && v[1].is_nan() && v[2].to_bits() == (-0.0f64).to_bits() && v[3] == 1e300f64.sin());
        assert!(v[3] == 1e300f64.sin(), "{var:?}");
    }
    for (var, v) in each(Op::Tanh, [f64::INFINITY, f64::NEG_INFINITY, f64::NAN, -0.0]) {
        assert!(v[0] == 1.0 && v[1] == -1.0 && v[2].is_nan() && v[3].to_bits() == (-0.0f64).to_bits(), "{var:?}");
    }
    for fma in [false, true] {
        let mut b = [-2.0, -2.0, 0.0, 0.0, f64::NAN, 1.0, 2.0];
        let e = [2.0, 0.5, -1.0, 0.0, 0.0, f64::NAN, 1e10];
        if fma {
            pow_slices::<f64, Fma>(&mut b, &e);
        } else {
            pow_slices::<f64, Plain>(&mut b, &e);
        }
        let want: Vec<f64> =
            [-2.0f64, -2.0, 0.0, 0.0, f64::NAN, 1.0, 2.0].iter().zip(&e).map(|(a, b)| a.powf(*b)).collect();
        for (g, w) in b.iter().zip(&want) {
            assert_eq!(ulp_diff_f64(*g, *w), 0, "{b:?} vs {want:?}");
        }
    }
}
