//! Vectorisable transcendental functions for `f32` and `f64`.
//!
//! In: a slice of values (a block of rows). Out: the function applied in place. Each kernel is
//! a branch-free polynomial after an exact range reduction (Cody–Waite constants, exponent bit
//! manipulation with magic-number rounding), so the compiler vectorises the loop over a
//! block; rare arguments outside the reduction's accurate range (|x| > 1e5 for sin/cos,
//! non-positive or non-finite bases for pow) are patched afterwards with `std`.
//!
//! Every kernel is generic over an [`Isa`] marker: [`Plain`] rounds `a * b + c` twice (the
//! baseline build), [`Fma`] once (`mul_add`, the AVX2+FMA and AVX-512 builds that
//! [`crate::jit`] selects at run time). Kernels are called directly (never through function
//! pointers or closures), so that they are inlined into, and vectorised for, the build that
//! calls them. [`crate::jit::simd_apply_unary`] runs the widest build the CPU has.
//!
//! Always true, for both markers (tested against `std` over wide random ranges, see the tests):
//! `exp`, `log` (f32 and f64): ≤ 2 ulp; `sin`, `cos`: ≤ 2 ulp (f64: native for |x| ≤ 1e5, f32:
//! for |x| ≤ 8192, beyond through f64/std); `tanh`: ≤ 3 ulp (f64), ≤ 4 ulp (f32); `f32`
//! `pow`, `log2`, `log10` (computed in f64): ≤ 1 ulp;
//! `f64` `pow`: ≤ 2 + |y ln x| ulp (exp of a product, documented, not hidden);
//! and the IEEE special values: `log(-1)` NaN, `log(0)` -inf, `exp(1000)` inf, `exp(-1000)` 0,
//! NaN in gives NaN out. Other operators use `num_traits::Float` (libm) element by element.

use crate::jit::{as_f32, as_f32_mut, as_f64, as_f64_mut};
use num_traits::{Float, NumCast};
use sdl_formula::Op;
use std::f64::consts::{LOG10_E, LOG2_E};

const BLOCK: usize = crate::fused::BLOCK;

/// True when `$cond` holds for every element: a loop without closures, so that it is always
/// inlined into (and vectorised for) the calling build.
macro_rules! all {
    ($v:pat in $it:expr => $cond:expr) => {{
        let mut ok = true;
        for $v in $it {
            ok &= $cond;
        }
        ok
    }};
}

/// How a kernel build computes `a * b + c`.
pub trait Isa: Copy + Send + Sync + 'static {
    /// True when `a * b + c` is one fused multiply-add (one rounding).
    const FMA: bool;
}

/// `a * b + c` with two roundings: the baseline build (no FMA unit assumed).
#[derive(Copy, Clone, Debug)]
pub struct Plain;

/// `a * b + c` as one fused multiply-add: the builds for CPUs with FMA.
#[derive(Copy, Clone, Debug)]
pub struct Fma;

impl Isa for Plain {
    const FMA: bool = false;
}

impl Isa for Fma {
    const FMA: bool = true;
}

/// Multiply-add in the rounding of an [`Isa`].
pub trait Mla: Copy {
    /// `self * b + c`, fused when `S::FMA`.
    fn mla<S: Isa>(self, b: Self, c: Self) -> Self;
}

impl Mla for f64 {
    #[inline(always)]
    fn mla<S: Isa>(self, b: f64, c: f64) -> f64 {
        if S::FMA {
            self.mul_add(b, c)
        } else {
            self * b + c
        }
    }
}

impl Mla for f32 {
    #[inline(always)]
    fn mla<S: Isa>(self, b: f32, c: f32) -> f32 {
        if S::FMA {
            self.mul_add(b, c)
        } else {
            self * b + c
        }
    }
}

/// Applies a unary transcendental `op` to `x` in place, with the semantics of `Op::apply1`.
#[inline(always)]
pub(crate) fn apply_unary<T: Float + 'static, S: Isa>(op: Op, x: &mut [T]) {
    if let Some(x) = as_f32_mut(x) {
        unary_f32::<S>(op, x)
    } else if let Some(x) = as_f64_mut(x) {
        unary_f64::<S>(op, x)
    } else {
        for v in x.iter_mut() {
            *v = scalar1(op, *v);
        }
    }
}

#[inline(always)]
fn unary_f32<S: Isa>(op: Op, x: &mut [f32]) {
    match op {
        Op::Exp => exp_f32::<S>(x),
        Op::Log => log_f32::<S>(x),
        // Through f64: the scaled result then rounds correctly to f32 (≤ 1 ulp).
        Op::Log2 => {
            for v in x.iter_mut() {
                *v = (log1::<S>(*v as f64) * LOG2_E) as f32;
            }
        }
        Op::Log10 => {
            for v in x.iter_mut() {
                *v = (log1::<S>(*v as f64) * LOG10_E) as f32;
            }
        }
        Op::Sin => sin_f32::<S>(x),
        Op::Cos => cos_f32::<S>(x),
        Op::Tanh => tanh_f32::<S>(x),
        _ => {
            for v in x.iter_mut() {
                *v = scalar1(op, *v);
            }
        }
    }
}

#[inline(always)]
fn unary_f64<S: Isa>(op: Op, x: &mut [f64]) {
    match op {
        Op::Exp => exp_f64::<S>(x),
        Op::Log => log_f64::<S>(x),
        Op::Log2 => {
            for v in x.iter_mut() {
                *v = log1::<S>(*v) * LOG2_E;
            }
        }
        Op::Log10 => {
            for v in x.iter_mut() {
                *v = log1::<S>(*v) * LOG10_E;
            }
        }
        Op::Sin => sin_f64::<S>(x),
        Op::Cos => cos_f64::<S>(x),
        Op::Tanh => tanh_f64::<S>(x),
        _ => {
            for v in x.iter_mut() {
                *v = scalar1(op, *v);
            }
        }
    }
}

/// Generic unary semantics (libm through `Float`), the same as `Op::apply1`.
pub(crate) fn scalar1<T: Float>(op: Op, x: T) -> T {
    use Op::*;
    match op {
        Neg => -x,
        Square => x * x,
        Cube => x * x * x,
        Sqrt => x.sqrt(),
        Cbrt => x.cbrt(),
        Abs => x.abs(),
        Inv => T::one() / x,
        Exp => x.exp(),
        Log => x.ln(),
        Log10 => x.log10(),
        Log2 => x.log2(),
        Log1p => x.ln_1p(),
        Sin => x.sin(),
        Cos => x.cos(),
        Tan => x.tan(),
        Sinh => x.sinh(),
        Cosh => x.cosh(),
        Tanh => x.tanh(),
        Asin => x.asin(),
        Acos => x.acos(),
        Atan => x.atan(),
        Erf => from_f64(sdl_formula::op::erf(to_f64(x))),
        Sign | Relu => from_f64(op.apply1(to_f64(x))),
        _ => T::nan(),
    }
}

fn to_f64<T: Float>(v: T) -> f64 {
    v.to_f64().unwrap_or(f64::NAN)
}

fn from_f64<T: Float>(v: f64) -> T {
    <T as NumCast>::from(v).unwrap_or_else(T::nan)
}

/// `x[i] = x[i] ^ e` for one exponent.
#[inline(always)]
pub(crate) fn pow_scalar_exp<T: Float + 'static, S: Isa>(x: &mut [T], e: T) {
    let e64 = to_f64(e);
    if let Some(x) = as_f32_mut(x) {
        pow_f32::<S>(x, Exponent::Scalar(e64))
    } else if let Some(x) = as_f64_mut(x) {
        pow_f64::<S>(x, Exponent::Scalar(e64))
    } else {
        for v in x.iter_mut() {
            *v = v.powf(e);
        }
    }
}

/// `x[i] = x[i] ^ y[i]` (`y.len() >= x.len()`).
#[inline(always)]
pub(crate) fn pow_slices<T: Float + 'static, S: Isa>(x: &mut [T], y: &[T]) {
    let y = &y[..x.len()];
    if let (Some(x), Some(y)) = (as_f32_mut(x), as_f32(y)) {
        let mut ys = [0f64; BLOCK];
        for (chunk, yc) in x.chunks_mut(BLOCK).zip(y.chunks(BLOCK)) {
            {
                for (d, s) in ys.iter_mut().zip(yc) {
                    *d = *s as f64;
                }
            };
            pow_f32::<S>(chunk, Exponent::Slice(&ys[..yc.len()]));
        }
    } else if let (Some(x), Some(y)) = (as_f64_mut(x), as_f64(y)) {
        pow_f64::<S>(x, Exponent::Slice(y))
    } else {
        for (v, e) in x.iter_mut().zip(y) {
            *v = v.powf(*e);
        }
    }
}

/// The exponent operand of a pow kernel.
#[derive(Copy, Clone)]
enum Exponent<'a> {
    Scalar(f64),
    /// At least as long as the bases.
    Slice(&'a [f64]),
}

/// True when the fast path `exp(b ln v)` of `f64` pow has exact special values.
#[inline(always)]
fn pow_simple(v: f64, b: f64) -> bool {
    v > 0.0 && v < f64::INFINITY && b.is_finite()
}

#[inline(always)]
fn pow1<S: Isa>(v: f64, b: f64) -> f64 {
    exp1::<S>(b * log1::<S>(v))
}

/// `pow` of one `f64`: the fast path, or `std` for the rare bases and exponents outside it.
#[inline(always)]
fn pow1_any<S: Isa>(v: f64, b: f64) -> f64 {
    if pow_simple(v, b) {
        pow1::<S>(v, b)
    } else {
        v.powf(b)
    }
}

#[inline(always)]
fn pow_f64<S: Isa>(x: &mut [f64], y: Exponent<'_>) {
    // The fast path `exp(y ln x)` is exact in its special values only for finite positive
    // bases and finite exponents; other elements (rare) take std's `powf`.
    match y {
        Exponent::Scalar(b) => {
            if all!(v in x.iter() => pow_simple(*v, b)) {
                for v in x.iter_mut() {
                    *v = pow1::<S>(*v, b);
                }
            } else {
                for v in x.iter_mut() {
                    *v = pow1_any::<S>(*v, b);
                }
            }
        }
        Exponent::Slice(ys) => {
            let ys = &ys[..x.len()];
            if all!((v, b) in x.iter().zip(ys) => pow_simple(*v, *b)) {
                for (v, b) in x.iter_mut().zip(ys) {
                    *v = pow1::<S>(*v, *b);
                }
            } else {
                for (v, b) in x.iter_mut().zip(ys) {
                    *v = pow1_any::<S>(*v, *b);
                }
            }
        }
    }
}

/// `pow` of one `f32` through `f64` (the product `b ln v` then carries enough bits for a
/// 1-ulp `f32` result); `b` is an `f32` exponent widened.
#[inline(always)]
fn pow1_f32<S: Isa>(v: f32, b: f64) -> f32 {
    if v > 0.0 && v < f32::INFINITY && b.is_finite() {
        pow1::<S>(v as f64, b) as f32
    } else {
        v.powf(b as f32)
    }
}

#[inline(always)]
fn pow_f32<S: Isa>(x: &mut [f32], y: Exponent<'_>) {
    match y {
        Exponent::Scalar(b) => {
            let b = b as f32 as f64;
            if all!(v in x.iter() => *v > 0.0 && *v < f32::INFINITY && b.is_finite()) {
                for v in x.iter_mut() {
                    *v = pow1::<S>(*v as f64, b) as f32;
                }
            } else {
                for v in x.iter_mut() {
                    *v = pow1_f32::<S>(*v, b);
                }
            }
        }
        Exponent::Slice(ys) => {
            let ys = &ys[..x.len()];
            for (v, b) in x.iter_mut().zip(ys) {
                *v = pow1_f32::<S>(*v, *b as f32 as f64);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// f64 kernels.

/// Horner evaluation with constant indices, fully unrolled at compile time so the loop over a
/// block (not the polynomial) is what the compiler vectorises. Each step is one [`Mla::mla`].
macro_rules! horner {
    ($s:ty; $x:expr; $c:expr; $first:literal $(, $i:literal)*) => {{
        let x = $x;
        let mut p = $c[$first];
        $( p = p.mla::<$s>(x, $c[$i]); )*
        p
    }};
}

const MAGIC64: f64 = 6755399441055744.0; // 1.5 * 2^52: adding it rounds to an integer.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);

/// Reciprocal factorials 1/k!, k = 0..=20, computed at compile time.
const INV_FACT: [f64; 21] = {
    let mut t = [1.0f64; 21];
    let mut k = 1;
    while k < 21 {
        t[k] = t[k - 1] / k as f64;
        k += 1;
    }
    t
};

/// `exp(r) ~ sum c_k r^k` for |r| <= ln(2)/2: a Chebyshev fit of degree 11 (mpmath
/// `chebyfit`; |error| <= 3.2e-18, 0.014 ulp; two terms fewer than the Taylor series needs).
const EXP_MINIMAX: [f64; 12] = [
    1.0,
    1.0,
    0.5000000000000019,
    0.1666666666666668,
    0.04166666666648795,
    0.008333333333319589,
    0.0013888888952352863,
    0.00019841269890076403,
    2.4801485441561313e-05,
    2.755724088722987e-06,
    2.763265472252779e-07,
    2.5110049204818658e-08,
];

/// `2 / (2k + 1)`: the series of `log(1+f) = 2 atanh(s)` in `z = s^2` (index 0 unused).
const LOG_C: [f64; 12] = {
    let mut t = [0.0f64; 12];
    let mut k = 1;
    while k < 12 {
        t[k] = 2.0 / (2 * k + 1) as f64;
        k += 1;
    }
    t
};

/// fdlibm `__ieee754_log` Lg1..Lg7: `R(z) ~ sum Lg_k z^k`.
// The published decimal values, kept as printed (they round to the intended doubles).
#[allow(clippy::excessive_precision)]
const LOG_MINIMAX: [f64; 7] = [
    6.666_666_666_666_735_13e-1,
    3.999_999_999_940_941_91e-1,
    2.857_142_874_366_239_15e-1,
    2.222_219_843_214_978_40e-1,
    1.818_357_216_161_805_01e-1,
    1.531_383_769_920_937_33e-1,
    1.479_819_860_511_658_59e-1,
];

/// `(-1)^k / (2k+1)!`: sin's series in `z = r^2` (index 0 unused).
const SIN_C: [f64; 10] = {
    let mut t = [0.0f64; 10];
    let mut k = 1;
    while k < 10 {
        t[k] = if k % 2 == 1 { -INV_FACT[2 * k + 1] } else { INV_FACT[2 * k + 1] };
        k += 1;
    }
    t
};

/// `(-1)^k / (2k)!`: cos's series in `z = r^2` (indices 0 and 1 are handled explicitly).
const COS_C: [f64; 11] = {
    let mut t = [0.0f64; 11];
    let mut k = 2;
    while k < 11 {
        t[k] = if k % 2 == 1 { -INV_FACT[2 * k] } else { INV_FACT[2 * k] };
        k += 1;
    }
    t
};

const INV_FACT32: [f32; 8] = {
    let mut t = [0.0f32; 8];
    let mut k = 0;
    while k < 8 {
        t[k] = INV_FACT[k] as f32;
        k += 1;
    }
    t
};

const LOG_C32: [f32; 7] = {
    let mut t = [0.0f32; 7];
    let mut k = 1;
    while k < 7 {
        t[k] = LOG_C[k] as f32;
        k += 1;
    }
    t
};

/// `exp` of one `f64`, branch-free (selects only).
#[inline(always)]
pub fn exp1<S: Isa>(x: f64) -> f64 {
    let xc = x.clamp(-746.0, 710.0);
    let t = xc * std::f64::consts::LOG2_E + MAGIC64;
    let k = t.to_bits().wrapping_sub(MAGIC64.to_bits()) as i64;
    let kf = t - MAGIC64;
    let r = (xc - kf * LN2_HI) - kf * LN2_LO;
    let p = horner!(S; r; EXP_MINIMAX; 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    // 2^k split in two factors so that subnormal results and k = 1024 need no branch.
    let k1 = k >> 1;
    let k2 = k - k1;
    let s1 = f64::from_bits(((k1 + 1023) as u64) << 52);
    let s2 = f64::from_bits(((k2 + 1023) as u64) << 52);
    let y = p * s1 * s2;
    if x.is_nan() {
        x
    } else {
        y
    }
}

/// `exp` of one `f64` with |x| <= [`EXP_NORMAL`] (not NaN): the result is a normal number, so
/// one scale factor suffices and no clamp or select is needed.
#[inline(always)]
fn exp1_normal<S: Isa>(x: f64) -> f64 {
    let t = x * std::f64::consts::LOG2_E + MAGIC64;
    let k = t.to_bits().wrapping_sub(MAGIC64.to_bits());
    let kf = t - MAGIC64;
    let r = (x - kf * LN2_HI) - kf * LN2_LO;
    let p = horner!(S; r; EXP_MINIMAX; 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    p * f64::from_bits(k.wrapping_add(1023) << 52)
}

/// Arguments for which [`exp1_normal`] applies: e^-708 > 2^-1022 and e^708 < 2^1022.
const EXP_NORMAL: f64 = 708.0;

/// `ln` of one normal, positive, finite `f64` (no subnormal scaling, no special values).
#[inline(always)]
fn log1_normal<S: Isa>(x: f64) -> f64 {
    let u = x.to_bits().wrapping_add(0x3ff0_0000_0000_0000 - 0x3fe6_a09e_667f_3bcd);
    let e_bits = (u >> 52) & 0x7ff;
    // 2^52 + e_bits - (2^52 + 1023), exactly.
    let ef = f64::from_bits(0x4330_0000_0000_0000 | e_bits) - (4503599627370496.0 + 1023.0);
    let m = f64::from_bits((u & 0x000f_ffff_ffff_ffff) + 0x3fe6_a09e_667f_3bcd);
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let r = horner!(S; z; LOG_MINIMAX; 6, 5, 4, 3, 2, 1, 0) * z;
    let hfsq = 0.5 * f * f;
    ef * LN2_HI + (f - (hfsq - (s * (hfsq + r) + ef * LN2_LO)))
}

/// `ln` of one `f64`, branch-free.
#[inline(always)]
pub fn log1<S: Isa>(x: f64) -> f64 {
    let sub = x < f64::MIN_POSITIVE;
    let xs = if sub { x * 18014398509481984.0 } else { x }; // 2^54
    let u = xs.to_bits().wrapping_add(0x3ff0_0000_0000_0000 - 0x3fe6_a09e_667f_3bcd);
    let e_bits = (u >> 52) & 0x7ff;
    let ef =
        f64::from_bits(0x4330_0000_0000_0000 | e_bits) - 4503599627370496.0 - 1023.0 - if sub { 54.0 } else { 0.0 };
    let m = f64::from_bits((u & 0x000f_ffff_ffff_ffff) + 0x3fe6_a09e_667f_3bcd);
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    // R = sum_{k>=1} 2 z^k / (2k + 1), with fdlibm's minimax Lg1..Lg7 (z <= 0.0295).
    let r = horner!(S; z; LOG_MINIMAX; 6, 5, 4, 3, 2, 1, 0) * z;
    let hfsq = 0.5 * f * f;
    let y = ef * LN2_HI + (f - (hfsq - (s * (hfsq + r) + ef * LN2_LO)));
    if x > 0.0 && x < f64::INFINITY {
        y
    } else if x == 0.0 {
        f64::NEG_INFINITY
    } else if x == f64::INFINITY {
        x
    } else {
        f64::NAN
    }
}

const FRAC_1_PI: f64 = std::f64::consts::FRAC_1_PI;
const PIO2_1: f64 = f64::from_bits(0x3ff9_21fb_5440_0000); // first 33 bits of pi/2
const PIO2_2: f64 = f64::from_bits(0x3dd0_b461_1a60_0000); // next 33 bits
const PIO2_3: f64 = f64::from_bits(0x3ba3_198a_2e03_7073); // the rest
const TRIG_LIMIT: f64 = 1e5;

/// `P(z)` with `sin(r) = r + r z P(z)`, `z = r^2 <= (pi/2)^2`: a Chebyshev fit of degree 8
/// (mpmath `chebyfit`; 0.32 ulp of the result once rounded to doubles, nearly all of it the
/// rounding of -1/6).
const SIN_PI_MINIMAX: [f64; 9] = [
    -0.16666666666666666,
    0.008333333333333333,
    -0.00019841269841269806,
    2.7557319223971256e-06,
    -2.5052108382389887e-08,
    1.605904347927675e-10,
    -7.647139114646649e-13,
    2.810468581681568e-15,
    -8.006048703469621e-18,
];

/// `sin(x)` (`cos == false`) or `cos(x)` for |x| <= TRIG_LIMIT, branch-free. One polynomial:
/// `x = n pi/2 + r` with `n` even for sin and odd for cos, |r| <= pi/2, so that both are
/// `± sin(r)` (no sine/cosine pair per quadrant to compute and select between).
#[inline(always)]
fn sincos1<S: Isa>(x: f64, cos: bool) -> f64 {
    // sin: n = 2q, q = round(x / pi); cos: n = 2q + 1, q = round(x / pi - 1/2).
    let t = if cos { x * FRAC_1_PI - 0.5 } else { x * FRAC_1_PI } + MAGIC64;
    let q = t.to_bits().wrapping_sub(MAGIC64.to_bits());
    let qf = t - MAGIC64;
    let nf = if cos { qf + qf + 1.0 } else { qf + qf };
    // Cody–Waite: n * PIO2_1 is exact for |n| < 2^20.
    let r = ((x - nf * PIO2_1) - nf * PIO2_2) - nf * PIO2_3;
    let z = r * r;
    let p = horner!(S; z; SIN_PI_MINIMAX; 8, 7, 6, 5, 4, 3, 2, 1, 0);
    // The select keeps sin(-0) = -0.
    let s = if z == 0.0 { r } else { (r * z).mla::<S>(p, r) };
    // sin(x) = (-1)^q sin(r); cos(x) = -sin(r + q pi) = (-1)^(q+1) sin(r).
    let flip = q.wrapping_add(cos as u64) << 63;
    f64::from_bits(s.to_bits() ^ flip)
}

/// `sin(x)` or `cos(x)` for any `f64`: the kernel, or `std` beyond its range.
#[inline(always)]
fn trig1<S: Isa>(x: f64, cos: bool) -> f64 {
    if x.abs() <= TRIG_LIMIT {
        sincos1::<S>(x, cos)
    } else if cos {
        x.cos()
    } else {
        x.sin()
    }
}

#[inline(always)]
fn trig_f64<S: Isa>(x: &mut [f64], cos: bool) {
    let rare = !all!(v in x.iter() => v.abs() <= TRIG_LIMIT);
    if !rare {
        for v in x.iter_mut() {
            *v = sincos1::<S>(*v, cos);
        }
    } else {
        for v in x.iter_mut() {
            *v = trig1::<S>(*v, cos);
        }
    }
}

/// `sin` over a slice of `f64`, in place.
#[inline(always)]
pub fn sin_f64<S: Isa>(x: &mut [f64]) {
    trig_f64::<S>(x, false)
}

/// `cos` over a slice of `f64`, in place.
#[inline(always)]
pub fn cos_f64<S: Isa>(x: &mut [f64]) {
    trig_f64::<S>(x, true)
}

/// `exp` over a slice of `f64`, in place. Slices whose arguments all give normal results (the
/// usual case) take the shorter kernel.
#[inline(always)]
pub fn exp_f64<S: Isa>(x: &mut [f64]) {
    if all!(v in x.iter() => v.abs() <= EXP_NORMAL) {
        for v in x.iter_mut() {
            *v = exp1_normal::<S>(*v);
        }
    } else {
        for v in x.iter_mut() {
            *v = exp1::<S>(*v);
        }
    }
}

/// `ln` over a slice of `f64`, in place. Slices of normal, positive, finite values (the usual
/// case) take the shorter kernel.
#[inline(always)]
pub fn log_f64<S: Isa>(x: &mut [f64]) {
    if all!(v in x.iter() => *v >= f64::MIN_POSITIVE && *v <= f64::MAX) {
        for v in x.iter_mut() {
            *v = log1_normal::<S>(*v);
        }
    } else {
        for v in x.iter_mut() {
            *v = log1::<S>(*v);
        }
    }
}

/// Taylor coefficients of tanh (x, x^3, ...), from tanh' = 1 - tanh^2 (the f32 kernel's).
const TANH_C: [f64; 20] = {
    let mut a = [0.0f64; 20];
    a[0] = 1.0;
    let mut k = 1;
    while k < 20 {
        let mut s = 0.0;
        let mut i = 0;
        while i < k {
            s += a[i] * a[k - 1 - i];
            i += 1;
        }
        a[k] = -s / (2 * k + 1) as f64;
        k += 1;
    }
    a
};

/// `P(z)` with `tanh(x) = x + x z P(z)`, `z = x^2 <= 1/4`: a Chebyshev fit of degree 10
/// (mpmath `chebyfit`; |error| <= 1.1e-18, 0.04 ulp of the result once rounded to doubles).
const TANH_MINIMAX: [f64; 11] = [
    -0.3333333333333333,
    0.1333333333333323,
    -0.053968253968089755,
    0.0218694885258676,
    -0.008863235198659135,
    0.0035921217969498704,
    -0.0014557608138655873,
    0.0005894667419101905,
    -0.00023635364294136244,
    8.819580305745065e-05,
    -2.295330465333733e-05,
];

/// `tanh(x)` for |x| < 0.5: `x + x z P(z)`.
#[inline(always)]
fn tanh1_small<S: Isa>(x: f64) -> f64 {
    let z = x * x;
    let p = horner!(S; z; TANH_MINIMAX; 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    // The select keeps tanh(-0) = -0.
    if z == 0.0 {
        x
    } else {
        (x * z).mla::<S>(p, x)
    }
}

/// `tanh(x)` for |x| >= 0.5 or NaN: `1 - 2/(e^{2|x|}+1)`, |x| capped at 20 (where tanh rounds
/// to 1).
#[inline(always)]
fn tanh1_big<S: Isa>(x: f64) -> f64 {
    let a = x.abs();
    let e = exp1_normal::<S>(2.0 * a.min(20.0));
    let big = (1.0 - 2.0 / (e + 1.0)).copysign(x);
    if a.is_nan() {
        x
    } else {
        big
    }
}

/// `tanh` of one `f64`, branch-free: a polynomial for |x| < 0.5, `1 - 2/(e^{2|x|}+1)` beyond.
#[inline(always)]
pub fn tanh1<S: Isa>(x: f64) -> f64 {
    if x.abs() < 0.5 {
        tanh1_small::<S>(x)
    } else {
        tanh1_big::<S>(x)
    }
}

/// `tanh` over a slice of `f64`, in place; a slice entirely on one side of 0.5 computes one
/// formula only.
#[inline(always)]
pub fn tanh_f64<S: Isa>(x: &mut [f64]) {
    if all!(v in x.iter() => v.abs() < 0.5) {
        for v in x.iter_mut() {
            *v = tanh1_small::<S>(*v);
        }
    } else if all!(v in x.iter() => v.abs() >= 0.5 || v.is_nan()) {
        for v in x.iter_mut() {
            *v = tanh1_big::<S>(*v);
        }
    } else {
        for v in x.iter_mut() {
            *v = tanh1::<S>(*v);
        }
    }
}

// ---------------------------------------------------------------------------------------
// f32 kernels (exp, log, sin, cos, tanh native; log2, log10, pow through the f64 kernels).

const MAGIC32: f32 = 12582912.0; // 1.5 * 2^23
const LN2_HI32: f32 = f32::from_bits(0x3f31_8000); // 0.693359375, exact in 9 bits
const LN2_LO32: f32 = -2.121_944_4e-4;

/// `exp` of one `f32`, branch-free.
#[inline(always)]
pub fn exp1_f32<S: Isa>(x: f32) -> f32 {
    let xc = x.clamp(-104.0, 89.0);
    let t = xc * std::f32::consts::LOG2_E + MAGIC32;
    let k = t.to_bits().wrapping_sub(MAGIC32.to_bits()) as i32;
    let kf = t - MAGIC32;
    let r = (xc - kf * LN2_HI32) - kf * LN2_LO32;
    let p = horner!(S; r; INV_FACT32; 7, 6, 5, 4, 3, 2, 1, 0);
    let k1 = k >> 1;
    let k2 = k - k1;
    let s1 = f32::from_bits(((k1 + 127) as u32) << 23);
    let s2 = f32::from_bits(((k2 + 127) as u32) << 23);
    let y = p * s1 * s2;
    if x.is_nan() {
        x
    } else {
        y
    }
}

/// `ln` of one `f32`, branch-free.
#[inline(always)]
pub fn log1_f32<S: Isa>(x: f32) -> f32 {
    let sub = x < f32::MIN_POSITIVE;
    let xs = if sub { x * 33554432.0 } else { x }; // 2^25
    let u = xs.to_bits().wrapping_add(0x3f80_0000 - 0x3f35_04f3);
    let e_bits = (u >> 23) & 0xff;
    let ef = f32::from_bits(0x4b00_0000 | e_bits) - 8388608.0 - 127.0 - if sub { 25.0 } else { 0.0 };
    let m = f32::from_bits((u & 0x007f_ffff) + 0x3f35_04f3);
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let r = horner!(S; z; LOG_C32; 6, 5, 4, 3, 2, 1) * z;
    let hfsq = 0.5 * f * f;
    let y = ef * LN2_HI32 + (f - (hfsq - (s * (hfsq + r) + ef * LN2_LO32)));
    if x > 0.0 && x < f32::INFINITY {
        y
    } else if x == 0.0 {
        f32::NEG_INFINITY
    } else if x == f32::INFINITY {
        x
    } else {
        f32::NAN
    }
}

const FRAC_2_PI32: f32 = std::f32::consts::FRAC_2_PI;
const PIO2_1_32: f32 = 1.570_312_5; // 8 significant bits: q * PIO2_1_32 is exact
const PIO2_2_32: f32 = 4.837_513e-4; // 11 significant bits (Cephes' DP2 doubled)
const PIO2_3_32: f32 = 7.549_79e-8;
const TRIG_LIMIT32: f32 = 8192.0;

const SIN_C32: [f32; 5] = {
    let mut t = [0.0f32; 5];
    let mut k = 1;
    while k < 5 {
        t[k] = SIN_C[k] as f32;
        k += 1;
    }
    t
};

const COS_C32: [f32; 6] = {
    let mut t = [0.0f32; 6];
    let mut k = 2;
    while k < 6 {
        t[k] = COS_C[k] as f32;
        k += 1;
    }
    t
};

const TANH_C32: [f32; 9] = {
    let mut t = [0.0f32; 9];
    let mut k = 0;
    while k < 9 {
        t[k] = TANH_C[k] as f32;
        k += 1;
    }
    t
};

/// sin(x + quadrant * pi/2) for |x| <= TRIG_LIMIT32 in `f32`, branch-free.
#[inline(always)]
fn sincos1_f32<S: Isa>(x: f32, quadrant: u32) -> f32 {
    let t = x * FRAC_2_PI32 + MAGIC32;
    let q = t.to_bits().wrapping_sub(MAGIC32.to_bits()).wrapping_add(quadrant);
    let qf = t - MAGIC32;
    let r = ((x - qf * PIO2_1_32) - qf * PIO2_2_32) - qf * PIO2_3_32;
    let z = r * r;
    let s = if z == 0.0 { r } else { r + r * z * horner!(S; z; SIN_C32; 4, 3, 2, 1) };
    let c = 1.0 - 0.5 * z + z * z * horner!(S; z; COS_C32; 5, 4, 3, 2);
    let v = if q & 1 == 0 { s } else { c };
    if q & 2 == 0 {
        v
    } else {
        -v
    }
}

#[inline(always)]
fn trig_f32<S: Isa>(x: &mut [f32], quadrant: u32) {
    let rare = !all!(v in x.iter() => v.abs() <= TRIG_LIMIT32);
    if !rare {
        for v in x.iter_mut() {
            *v = sincos1_f32::<S>(*v, quadrant);
        }
    } else {
        // Large or non-finite arguments: the f64 kernel's reduction (and std beyond it).
        for v in x.iter_mut() {
            *v = trig1::<S>(*v as f64, quadrant == 1) as f32;
        }
    }
}

/// `sin` over a slice of `f32`, in place.
#[inline(always)]
pub fn sin_f32<S: Isa>(x: &mut [f32]) {
    trig_f32::<S>(x, 0)
}

/// `cos` over a slice of `f32`, in place.
#[inline(always)]
pub fn cos_f32<S: Isa>(x: &mut [f32]) {
    trig_f32::<S>(x, 1)
}

/// `tanh` of one `f32`, branch-free (same scheme as [`tanh1`]).
#[inline(always)]
pub fn tanh1_f32<S: Isa>(x: f32) -> f32 {
    let a = x.abs();
    let z = x * x;
    let p = horner!(S; z; TANH_C32; 8, 7, 6, 5, 4, 3, 2, 1);
    let small = if z == 0.0 { x } else { x + x * z * p };
    let big = (1.0 - 2.0 / (exp1_f32::<S>(2.0 * a) + 1.0)).copysign(x);
    if a < 0.5 {
        small
    } else {
        big
    }
}

/// `tanh` over a slice of `f32`, in place.
#[inline(always)]
pub fn tanh_f32<S: Isa>(x: &mut [f32]) {
    for v in x.iter_mut() {
        *v = tanh1_f32::<S>(*v);
    }
}

/// `exp` over a slice of `f32`, in place.
#[inline(always)]
pub fn exp_f32<S: Isa>(x: &mut [f32]) {
    for v in x.iter_mut() {
        *v = exp1_f32::<S>(*v);
    }
}

/// `ln` over a slice of `f32`, in place.
#[inline(always)]
pub fn log_f32<S: Isa>(x: &mut [f32]) {
    for v in x.iter_mut() {
        *v = log1_f32::<S>(*v);
    }
}

/// Distance in units in the last place between two `f64` (0 for equal values, including two
/// NaNs; `u64::MAX` when exactly one is NaN).
pub fn ulp_diff_f64(a: f64, b: f64) -> u64 {
    if a.is_nan() || b.is_nan() {
        return if a.is_nan() && b.is_nan() { 0 } else { u64::MAX };
    }
    let key = |v: f64| {
        let i = v.to_bits() as i64;
        if i < 0 {
            i64::MIN - i
        } else {
            i
        }
    };
    key(a).abs_diff(key(b))
}

/// Like [`ulp_diff_f64`] for `f32`.
pub fn ulp_diff_f32(a: f32, b: f32) -> u64 {
    if a.is_nan() || b.is_nan() {
        return if a.is_nan() && b.is_nan() { 0 } else { u64::MAX };
    }
    let key = |v: f32| {
        let i = v.to_bits() as i32 as i64;
        if i < 0 {
            i32::MIN as i64 - i
        } else {
            i
        }
    };
    key(a).abs_diff(key(b))
}

#[cfg(test)]
#[path = "vmath_tests.rs"]
mod tests;
