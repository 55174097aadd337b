//! Vectorisable transcendental functions for `f32` and `f64`.
//!
//! In: a slice of values (a block of rows). Out: the function applied in place. Each kernel is
//! a branch-free polynomial after an exact range reduction (Cody–Waite constants, exponent bit
//! manipulation with magic-number rounding), so the compiler vectorises the loop over a
//! block; rare arguments outside the reduction's accurate range (|x| > 1e5 for sin/cos,
//! non-positive or non-finite bases for pow) are patched afterwards with `std`.
//!
//! Always true (tested against `std` over wide random ranges, see the tests):
//! `exp`, `log` (f32 and f64): ≤ 2 ulp; `sin`, `cos`: ≤ 2 ulp (f64: native for |x| ≤ 1e5, f32:
//! for |x| ≤ 8192, beyond through f64/std); `tanh`: ≤ 3 ulp (f64), ≤ 4 ulp (f32); `f32`
//! `pow`, `log2`, `log10` (computed in f64): ≤ 1 ulp;
//! `f64` `pow`: ≤ 2 + |y ln x| ulp (exp of a product, documented, not hidden);
//! and the IEEE special values: `log(-1)` NaN, `log(0)` -inf, `exp(1000)` inf, `exp(-1000)` 0,
//! NaN in gives NaN out. Other operators use `num_traits::Float` (libm) element by element.

use num_traits::{Float, NumCast};
use sdl_formula::Op;

const BLOCK: usize = crate::fused::BLOCK;

/// Applies a unary transcendental `op` to `x` in place, with the semantics of `Op::apply1`.
#[inline(always)]
pub fn apply_unary<T: Float>(op: Op, x: &mut [T]) {
    match op {
        Op::Exp => native(x, exp_f32, exp_f64),
        Op::Log => native(x, log_f32, log_f64),
        Op::Log2 => native(
            x,
            |v| map_f32(v, log_f64, std::f64::consts::LOG2_E),
            |v| log_scaled_f64(v, std::f64::consts::LOG2_E),
        ),
        Op::Log10 => native(
            x,
            |v| map_f32(v, log_f64, std::f64::consts::LOG10_E),
            |v| log_scaled_f64(v, std::f64::consts::LOG10_E),
        ),
        Op::Sin => native(x, sin_f32, sin_f64),
        Op::Cos => native(x, cos_f32, cos_f64),
        Op::Tanh => native(x, tanh_f32, tanh_f64),
        Op::Erf => x.iter_mut().for_each(|v| *v = from_f64(sdl_formula::op::erf(to_f64(*v)))),
        _ => x.iter_mut().for_each(|v| *v = scalar1(op, *v)),
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

/// Runs an `f32` or `f64` slice kernel on a generic slice. For `T = f32`/`f64` the conversions
/// are identities that compile to copies through a stack buffer (cheap next to the kernel).
#[inline(always)]
fn native<T: Float>(x: &mut [T], k32: impl Fn(&mut [f32]), k64: impl Fn(&mut [f64])) {
    if std::mem::size_of::<T>() <= 4 {
        let mut buf = [0f32; BLOCK];
        for chunk in x.chunks_mut(BLOCK) {
            let b = &mut buf[..chunk.len()];
            b.iter_mut().zip(chunk.iter()).for_each(|(b, v)| *b = v.to_f32().unwrap_or(f32::NAN));
            k32(b);
            chunk.iter_mut().zip(b.iter()).for_each(|(v, b)| *v = <T as NumCast>::from(*b).unwrap_or_else(T::nan));
        }
    } else {
        let mut buf = [0f64; BLOCK];
        for chunk in x.chunks_mut(BLOCK) {
            let b = &mut buf[..chunk.len()];
            b.iter_mut().zip(chunk.iter()).for_each(|(b, v)| *b = to_f64(*v));
            k64(b);
            chunk.iter_mut().zip(b.iter()).for_each(|(v, b)| *v = from_f64(*b));
        }
    }
}

/// An `f32` kernel computed through an `f64` one (then scaled by `scale` when not 1).
#[inline(always)]
fn map_f32(x: &mut [f32], k: impl Fn(&mut [f64]), scale: f64) {
    let mut buf = [0f64; BLOCK];
    for chunk in x.chunks_mut(BLOCK) {
        let b = &mut buf[..chunk.len()];
        b.iter_mut().zip(chunk.iter()).for_each(|(b, v)| *b = *v as f64);
        k(b);
        if scale != 1.0 {
            b.iter_mut().for_each(|v| *v *= scale);
        }
        chunk.iter_mut().zip(b.iter()).for_each(|(v, b)| *v = *b as f32);
    }
}

#[inline(always)]
fn log_scaled_f64(x: &mut [f64], scale: f64) {
    log_f64(x);
    x.iter_mut().for_each(|v| *v *= scale);
}

/// `x[i] = x[i] ^ e` for one exponent.
#[inline(always)]
pub fn pow_scalar_exp<T: Float>(x: &mut [T], e: T) {
    let e64 = to_f64(e);
    native(x, |v| pow_f32(v, |_| e64), |v| pow_f64(v, |_| e64));
}

/// `x[i] = x[i] ^ y[i]` (`y.len() >= x.len()`).
#[inline(always)]
pub fn pow_slices<T: Float>(x: &mut [T], y: &[T]) {
    let mut ys = [0f64; BLOCK];
    for (c, chunk) in x.chunks_mut(BLOCK).enumerate() {
        let yb = &y[c * BLOCK..][..chunk.len()];
        ys.iter_mut().zip(yb).for_each(|(d, s)| *d = to_f64(*s));
        native(chunk, |v| pow_f32(v, |i| ys[i]), |v| pow_f64(v, |i| ys[i]));
    }
}

#[inline(always)]
fn pow_f64(x: &mut [f64], y: impl Fn(usize) -> f64) {
    // The fast path `exp(y ln x)` is exact in its special values only for finite positive
    // bases and finite exponents; other elements (rare) take std's `powf`.
    let simple =
        x.iter().enumerate().fold(true, |acc, (i, v)| acc & (*v > 0.0 && *v < f64::INFINITY && y(i).is_finite()));
    if simple {
        x.iter_mut().enumerate().for_each(|(i, v)| *v = exp1(y(i) * log1(*v)));
    } else {
        for (i, v) in x.iter_mut().enumerate() {
            let b = y(i);
            *v = if *v > 0.0 && *v < f64::INFINITY && b.is_finite() { exp1(b * log1(*v)) } else { v.powf(b) };
        }
    }
}

#[inline(always)]
fn pow_f32(x: &mut [f32], y: impl Fn(usize) -> f64) {
    // Computed in f64: the product y ln x then carries enough bits for a 1-ulp f32 result.
    let ok = |v: f32, b: f64| v > 0.0 && v < f32::INFINITY && b.is_finite();
    let simple = x.iter().enumerate().fold(true, |acc, (i, v)| acc & ok(*v, y(i) as f32 as f64));
    if simple {
        x.iter_mut().enumerate().for_each(|(i, v)| *v = exp1(y(i) as f32 as f64 * log1(*v as f64)) as f32);
    } else {
        for (i, v) in x.iter_mut().enumerate() {
            let b = y(i) as f32;
            *v = if ok(*v, b as f64) { exp1(b as f64 * log1(*v as f64)) as f32 } else { v.powf(b) };
        }
    }
}

// ---------------------------------------------------------------------------------------
// f64 kernels.

/// Horner evaluation with constant indices, fully unrolled at compile time so the loop over a
/// block (not the polynomial) is what the compiler vectorises.
macro_rules! horner {
    ($x:expr; $c:expr; $first:literal $(, $i:literal)*) => {{
        let x = $x;
        let mut p = $c[$first];
        $( p = p * x + $c[$i]; )*
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

/// fdlibm `__kernel_sin` S1..S6.
// The published decimal values, kept as printed (they round to the intended doubles).
#[allow(clippy::excessive_precision)]
const SIN_MINIMAX: [f64; 6] = [
    -1.666_666_666_666_663_24e-1,
    8.333_333_333_322_489_46e-3,
    -1.984_126_982_985_794_93e-4,
    2.755_731_370_707_006_77e-6,
    -2.505_076_025_340_686_34e-8,
    1.589_690_995_211_550_10e-10,
];

/// fdlibm `__kernel_cos` C1..C6.
// The published decimal values, kept as printed (they round to the intended doubles).
#[allow(clippy::excessive_precision)]
const COS_MINIMAX: [f64; 6] = [
    4.166_666_666_666_660_19e-2,
    -1.388_888_888_887_410_96e-3,
    2.480_158_728_947_672_94e-5,
    -2.755_731_435_139_066_33e-7,
    2.087_572_321_298_174_83e-9,
    -1.135_964_755_778_819_48e-11,
];

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
pub fn exp1(x: f64) -> f64 {
    let xc = x.clamp(-746.0, 710.0);
    let t = xc * std::f64::consts::LOG2_E + MAGIC64;
    let k = t.to_bits().wrapping_sub(MAGIC64.to_bits()) as i64;
    let kf = t - MAGIC64;
    let r = (xc - kf * LN2_HI) - kf * LN2_LO;
    let p = horner!(r; INV_FACT; 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
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

/// `ln` of one `f64`, branch-free.
#[inline(always)]
pub fn log1(x: f64) -> f64 {
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
    // R = sum_{k>=1} 2 z^k / (2k + 1), 11 terms (z <= 0.0295).
    // fdlibm's minimax Lg1..Lg7 (7 terms instead of 11 series terms).
    let r = horner!(z; LOG_MINIMAX; 6, 5, 4, 3, 2, 1, 0) * z;
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

const FRAC_2_PI: f64 = std::f64::consts::FRAC_2_PI;
const PIO2_1: f64 = f64::from_bits(0x3ff9_21fb_5440_0000); // first 33 bits of pi/2
const PIO2_2: f64 = f64::from_bits(0x3dd0_b461_1a60_0000); // next 33 bits
const PIO2_3: f64 = f64::from_bits(0x3ba3_198a_2e03_7073); // the rest
const TRIG_LIMIT: f64 = 1e5;

/// sin(x + quadrant * pi/2) for |x| <= TRIG_LIMIT, branch-free.
#[inline(always)]
fn sincos1(x: f64, quadrant: u64) -> f64 {
    let t = x * FRAC_2_PI + MAGIC64;
    let q = t.to_bits().wrapping_sub(MAGIC64.to_bits()).wrapping_add(quadrant);
    let qf = t - MAGIC64;
    let r = ((x - qf * PIO2_1) - qf * PIO2_2) - qf * PIO2_3;
    let z = r * r;
    // sin: r + r z (-1/3! + z (1/5! - ...)), through r^19.
    // fdlibm's minimax coefficients on [-pi/4, pi/4] (6 terms instead of 9 Taylor terms).
    let ps = horner!(z; SIN_MINIMAX; 5, 4, 3, 2, 1, 0);
    // The select keeps sin(-0) = -0.
    let s = if z == 0.0 { r } else { r + r * z * ps };
    // cos: 1 - z/2 + z^2 (1/4! - ...), through r^20.
    let pc = horner!(z; COS_MINIMAX; 5, 4, 3, 2, 1, 0);
    let c = 1.0 - 0.5 * z + z * z * pc;
    let v = if q & 1 == 0 { s } else { c };
    if q & 2 == 0 {
        v
    } else {
        -v
    }
}

#[inline(always)]
fn trig_f64(x: &mut [f64], quadrant: u64, std_fn: fn(f64) -> f64) {
    let rare = x.iter().fold(false, |acc, v| acc | v.is_nan() | (v.abs() > TRIG_LIMIT));
    if !rare {
        x.iter_mut().for_each(|v| *v = sincos1(*v, quadrant));
    } else {
        for v in x.iter_mut() {
            *v = if v.abs() <= TRIG_LIMIT { sincos1(*v, quadrant) } else { std_fn(*v) };
        }
    }
}

/// `sin` over a slice of `f64`, in place.
#[inline(always)]
pub fn sin_f64(x: &mut [f64]) {
    trig_f64(x, 0, f64::sin)
}

/// `cos` over a slice of `f64`, in place.
#[inline(always)]
pub fn cos_f64(x: &mut [f64]) {
    trig_f64(x, 1, f64::cos)
}

/// `exp` over a slice of `f64`, in place.
#[inline(always)]
pub fn exp_f64(x: &mut [f64]) {
    x.iter_mut().for_each(|v| *v = exp1(*v));
}

/// `ln` over a slice of `f64`, in place.
#[inline(always)]
pub fn log_f64(x: &mut [f64]) {
    x.iter_mut().for_each(|v| *v = log1(*v));
}

/// Taylor coefficients of tanh (x, x^3, ...), from tanh' = 1 - tanh^2.
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

/// `tanh` of one `f64`, branch-free: a series for |x| < 0.5, `1 - 2/(e^{2|x|}+1)` beyond.
#[inline(always)]
pub fn tanh1(x: f64) -> f64 {
    let a = x.abs();
    let z = x * x;
    let p = horner!(z; TANH_C; 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
    let small = if z == 0.0 { x } else { x + x * z * p };
    let big = (1.0 - 2.0 / (exp1(2.0 * a) + 1.0)).copysign(x);
    if a < 0.5 {
        small
    } else {
        big
    }
}

/// `tanh` over a slice of `f64`, in place.
#[inline(always)]
pub fn tanh_f64(x: &mut [f64]) {
    x.iter_mut().for_each(|v| *v = tanh1(*v));
}

// ---------------------------------------------------------------------------------------
// f32 kernels (exp and log native; the others through the f64 kernels).

const MAGIC32: f32 = 12582912.0; // 1.5 * 2^23
const LN2_HI32: f32 = f32::from_bits(0x3f31_8000); // 0.693359375, exact in 9 bits
const LN2_LO32: f32 = -2.121_944_4e-4;

/// `exp` of one `f32`, branch-free.
#[inline(always)]
pub fn exp1_f32(x: f32) -> f32 {
    let xc = x.clamp(-104.0, 89.0);
    let t = xc * std::f32::consts::LOG2_E + MAGIC32;
    let k = t.to_bits().wrapping_sub(MAGIC32.to_bits()) as i32;
    let kf = t - MAGIC32;
    let r = (xc - kf * LN2_HI32) - kf * LN2_LO32;
    let p = horner!(r; INV_FACT32; 7, 6, 5, 4, 3, 2, 1, 0);
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
pub fn log1_f32(x: f32) -> f32 {
    let sub = x < f32::MIN_POSITIVE;
    let xs = if sub { x * 33554432.0 } else { x }; // 2^25
    let u = xs.to_bits().wrapping_add(0x3f80_0000 - 0x3f35_04f3);
    let e_bits = (u >> 23) & 0xff;
    let ef = f32::from_bits(0x4b00_0000 | e_bits) - 8388608.0 - 127.0 - if sub { 25.0 } else { 0.0 };
    let m = f32::from_bits((u & 0x007f_ffff) + 0x3f35_04f3);
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let r = horner!(z; LOG_C32; 6, 5, 4, 3, 2, 1) * z;
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
fn sincos1_f32(x: f32, quadrant: u32) -> f32 {
    let t = x * FRAC_2_PI32 + MAGIC32;
    let q = t.to_bits().wrapping_sub(MAGIC32.to_bits()).wrapping_add(quadrant);
    let qf = t - MAGIC32;
    let r = ((x - qf * PIO2_1_32) - qf * PIO2_2_32) - qf * PIO2_3_32;
    let z = r * r;
    let s = if z == 0.0 { r } else { r + r * z * horner!(z; SIN_C32; 4, 3, 2, 1) };
    let c = 1.0 - 0.5 * z + z * z * horner!(z; COS_C32; 5, 4, 3, 2);
    let v = if q & 1 == 0 { s } else { c };
    if q & 2 == 0 {
        v
    } else {
        -v
    }
}

#[inline(always)]
fn trig_f32(x: &mut [f32], quadrant: u32, f64_kernel: fn(&mut [f64])) {
    let rare = x.iter().fold(false, |acc, v| acc | v.is_nan() | (v.abs() > TRIG_LIMIT32));
    if !rare {
        x.iter_mut().for_each(|v| *v = sincos1_f32(*v, quadrant));
    } else {
        // Large or non-finite arguments: the f64 kernel's reduction (and std beyond it).
        map_f32(x, f64_kernel, 1.0);
    }
}

/// `sin` over a slice of `f32`, in place.
#[inline(always)]
pub fn sin_f32(x: &mut [f32]) {
    trig_f32(x, 0, sin_f64)
}

/// `cos` over a slice of `f32`, in place.
#[inline(always)]
pub fn cos_f32(x: &mut [f32]) {
    trig_f32(x, 1, cos_f64)
}

/// `tanh` of one `f32`, branch-free (same scheme as [`tanh1`]).
#[inline(always)]
pub fn tanh1_f32(x: f32) -> f32 {
    let a = x.abs();
    let z = x * x;
    let p = horner!(z; TANH_C32; 8, 7, 6, 5, 4, 3, 2, 1);
    let small = if z == 0.0 { x } else { x + x * z * p };
    let big = (1.0 - 2.0 / (exp1_f32(2.0 * a) + 1.0)).copysign(x);
    if a < 0.5 {
        small
    } else {
        big
    }
}

/// `tanh` over a slice of `f32`, in place.
#[inline(always)]
pub fn tanh_f32(x: &mut [f32]) {
    x.iter_mut().for_each(|v| *v = tanh1_f32(*v));
}

/// `exp` over a slice of `f32`, in place.
#[inline(always)]
pub fn exp_f32(x: &mut [f32]) {
    x.iter_mut().for_each(|v| *v = exp1_f32(*v));
}

/// `ln` over a slice of `f32`, in place.
#[inline(always)]
pub fn log_f32(x: &mut [f32]) {
    x.iter_mut().for_each(|v| *v = log1_f32(*v));
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
