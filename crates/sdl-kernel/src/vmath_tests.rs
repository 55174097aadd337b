//! Accuracy tests of the vectorised kernels against `std`: the ulp bounds stated in
//! [`super`] over wide random ranges, and the IEEE special values.

use super::*;
use sdl_formula::rng::Rng;

/// Max ulp error of `kernel` against `reference` on `xs`.
fn max_ulp64(xs: &[f64], kernel: fn(&mut [f64]), reference: fn(f64) -> f64) -> (u64, f64) {
    let mut v = xs.to_vec();
    kernel(&mut v);
    xs.iter().zip(&v).map(|(x, got)| (ulp_diff_f64(*got, reference(*x)), *x)).max_by_key(|p| p.0).unwrap_or((0, 0.0))
}

fn max_ulp32(xs: &[f32], kernel: fn(&mut [f32]), reference: fn(f32) -> f32) -> (u64, f32) {
    let mut v = xs.to_vec();
    kernel(&mut v);
    xs.iter().zip(&v).map(|(x, got)| (ulp_diff_f32(*got, reference(*x)), *x)).max_by_key(|p| p.0).unwrap_or((0, 0.0))
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
    let (e, x) = max_ulp64(&uniform(N, -745.0, 710.0, 1), exp_f64, f64::exp);
    assert!(e <= 2, "exp: {e} ulp at {x}");
    let (e, x) = max_ulp64(&uniform(N, -2.0, 2.0, 2), exp_f64, f64::exp);
    assert!(e <= 2, "exp small: {e} ulp at {x}");
    let (e, x) = max_ulp64(&positive_bits(N, 3), log_f64, f64::ln);
    assert!(e <= 2, "log: {e} ulp at {x}");
    let (e, x) = max_ulp64(&uniform(N, 0.5, 2.0, 4), log_f64, f64::ln);
    assert!(e <= 2, "log near 1: {e} ulp at {x}");
    for (lo, hi) in [(-1e5, 1e5), (-10.0, 10.0), (-1e-3, 1e-3), (-1e7, 1e7)] {
        let (e, x) = max_ulp64(&uniform(N, lo, hi, 5), sin_f64, f64::sin);
        assert!(e <= 2, "sin: {e} ulp at {x}");
        let (e, x) = max_ulp64(&uniform(N, lo, hi, 6), cos_f64, f64::cos);
        assert!(e <= 2, "cos: {e} ulp at {x}");
    }
    for (lo, hi) in [(-20.0, 20.0), (-1.0, 1.0), (-1e-4, 1e-4)] {
        let (e, x) = max_ulp64(&uniform(N, lo, hi, 7), tanh_f64, f64::tanh);
        assert!(e <= 3, "tanh: {e} ulp at {x}");
    }
}

#[test]
fn f32_kernels_within_stated_ulp_bounds() {
    let xs: Vec<f32> = uniform(N, -104.0, 89.0, 8).iter().map(|v| *v as f32).collect();
    let (e, x) = max_ulp32(&xs, exp_f32, f32::exp);
    assert!(e <= 2, "exp: {e} ulp at {x}");
    let mut r = Rng::new(9);
    let xs: Vec<f32> = (0..N).map(|_| f32::from_bits((r.next_u64() >> 33) as u32)).filter(|v| v.is_finite()).collect();
    let (e, x) = max_ulp32(&xs, log_f32, f32::ln);
    assert!(e <= 2, "log: {e} ulp at {x}");
    for (lo, hi) in [(-8192.0, 8192.0), (-10.0, 10.0), (-1e-3, 1e-3), (-1e6, 1e6)] {
        let xs: Vec<f32> = uniform(N, lo, hi, 10).iter().map(|v| *v as f32).collect();
        let (e, x) = max_ulp32(&xs, sin_f32, f32::sin);
        assert!(e <= 2, "sin: {e} ulp at {x}");
        let (e, x) = max_ulp32(&xs, cos_f32, f32::cos);
        assert!(e <= 2, "cos: {e} ulp at {x}");
    }
    for (lo, hi) in [(-20.0, 20.0), (-1.0, 1.0), (-1e-4, 1e-4)] {
        let xs: Vec<f32> = uniform(N, lo, hi, 11).iter().map(|v| *v as f32).collect();
        let (e, x) = max_ulp32(&xs, tanh_f32, f32::tanh);
        assert!(e <= 4, "tanh: {e} ulp at {x}");
    }
    let xs: Vec<f32> = uniform(N, -100.0, 100.0, 10).iter().map(|v| *v as f32).collect();
    let mut p: Vec<f32> = xs.iter().map(|v| v.abs() * 0.05).collect();
    pow_scalar_exp(&mut p, 2.7f32);
    for (x, got) in xs.iter().zip(&p) {
        assert!(ulp_diff_f32(*got, (x.abs() * 0.05).powf(2.7)) <= 1);
    }
}

#[test]
fn special_values() {
    let mut v = [-1.0, 0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, f64::MIN_POSITIVE / 8.0];
    log_f64(&mut v);
    assert!(v[0].is_nan() && v[1] == f64::NEG_INFINITY && v[2] == f64::NEG_INFINITY && v[3] == f64::INFINITY);
    assert!(v[4].is_nan() && v[5].is_nan() && v[6] == (f64::MIN_POSITIVE / 8.0).ln());
    let mut v = [1000.0, -1000.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 709.0, -740.0];
    exp_f64(&mut v);
    assert_eq!(&v[..4], &[f64::INFINITY, 0.0, f64::INFINITY, 0.0]);
    assert!(v[4].is_nan() && ulp_diff_f64(v[5], 709f64.exp()) <= 2 && v[6] == (-740f64).exp());
    let mut v = [1000.0f32, -1000.0, f32::NAN, -1.0];
    exp_f32(&mut v);
    assert!(v[0] == f32::INFINITY && v[1] == 0.0 && v[2].is_nan());
    let mut v = [-1.0f32, 0.0, f32::INFINITY];
    log_f32(&mut v);
    assert!(v[0].is_nan() && v[1] == f32::NEG_INFINITY && v[2] == f32::INFINITY);
    let mut v = [f64::INFINITY, f64::NAN, -0.0, 1e300];
    sin_f64(&mut v);
    assert!(v[0].is_nan() && v[1].is_nan() && v[2].to_bits() == (-0.0f64).to_bits() && v[3] == 1e300f64.sin());
    let mut v = [f64::INFINITY, f64::NEG_INFINITY, f64::NAN, -0.0];
    tanh_f64(&mut v);
    assert!(v[0] == 1.0 && v[1] == -1.0 && v[2].is_nan() && v[3].to_bits() == (-0.0f64).to_bits());
    let mut b = [-2.0, -2.0, 0.0, 0.0, f64::NAN, 1.0, 2.0];
    let e = [2.0, 0.5, -1.0, 0.0, 0.0, f64::NAN, 1e10];
    pow_slices(&mut b, &e);
    let want: Vec<f64> =
        [-2.0f64, -2.0, 0.0, 0.0, f64::NAN, 1.0, 2.0].iter().zip(&e).map(|(a, b)| a.powf(*b)).collect();
    for (g, w) in b.iter().zip(&want) {
        assert_eq!(ulp_diff_f64(*g, *w), 0, "{b:?} vs {want:?}");
    }
}
