//! Block kernels: execute one [`Instr`] over a block of rows.
//!
//! In: an instruction, the register file (`n_regs * BLOCK` values), the block's column slices
//! and the constants. Out: the destination register filled for the block's `n` rows. Each
//! operator/operand-shape pair is its own monomorphised loop (column, constant or register
//! operands, in place when the first operand is the destination), so arithmetic auto-vectorises
//! and a fused `un(bin(a, b))` makes one pass. Transcendentals go through [`crate::vmath`]'s
//! branch-free slice kernels. Semantics equal [`sdl_formula::Op::apply1`]/`apply2`/`apply3`.

use crate::program::{Instr, Src};
use crate::vmath::{self, Isa};
use num_traits::Float;
use sdl_formula::Op;

/// Rows per block: 256 values of 8 bytes per register keeps a whole program's registers in L1.
pub const BLOCK: usize = 256;

/// A read operand for one block.
#[derive(Copy, Clone)]
enum In<'a, T> {
    /// The destination itself (evaluation in place).
    Dst,
    Slice(&'a [T]),
    Scalar(T),
}

/// The block's view of the data: full columns and the block's first row.
#[derive(Copy, Clone)]
pub(crate) struct Cols<'a, T> {
    pub cols: &'a [&'a [T]],
    pub off: usize,
}

#[inline(always)]
fn operand<'a, T: Float>(src: Src, dst: u32, above: &'a [T], cols: Cols<'a, T>, consts: &[T], n: usize) -> In<'a, T> {
    match src {
        Src::Col(c) => In::Slice(&cols.cols[c as usize][cols.off..cols.off + n]),
        Src::Const(k) => In::Scalar(consts.get(k as usize).copied().unwrap_or_else(T::nan)),
        Src::Reg(r) if r == dst => In::Dst,
        Src::Reg(r) => {
            // Registers other than the destination always lie above it (see `program`).
            let at = (r - dst - 1) as usize * BLOCK;
            In::Slice(&above[at..at + n])
        }
    }
}

/// Executes `instr` on the first `n <= BLOCK` rows of the block.
#[inline(always)]
pub(crate) fn exec<T: Float + 'static, S: Isa>(
    instr: &Instr,
    regs: &mut [T],
    cols: Cols<'_, T>,
    consts: &[T],
    n: usize,
) {
    let d = match *instr {
        Instr::Un { dst, .. } | Instr::Bin { dst, .. } | Instr::Tern { dst, .. } | Instr::UnBin { dst, .. } => dst,
    };
    let (lo, above) = regs.split_at_mut((d as usize + 1) * BLOCK);
    let out = &mut lo[d as usize * BLOCK..][..n];
    let above: &[T] = above;
    match *instr {
        Instr::Un { op, a, dst } => unary::<T, S>(op, out, operand(a, dst, above, cols, consts, n)),
        Instr::Bin { op, a, b, dst } => {
            binary::<T, S>(op, out, operand(a, dst, above, cols, consts, n), operand(b, dst, above, cols, consts, n))
        }
        Instr::UnBin { un, op, a, b, dst } => {
            let (a, b) = (operand(a, dst, above, cols, consts, n), operand(b, dst, above, cols, consts, n));
            fused::<T, S>(un, op, out, a, b)
        }
        Instr::Tern { op, c, a, b, dst } => {
            let (c, a, b) = (
                operand(c, dst, above, cols, consts, n),
                operand(a, dst, above, cols, consts, n),
                operand(b, dst, above, cols, consts, n),
            );
            let at = |x: In<T>, o: &[T], i: usize| match x {
                In::Dst => o[i],
                In::Slice(s) => s[i],
                In::Scalar(v) => v,
            };
            for i in 0..n {
                let (cv, av, bv) = (at(c, out, i), at(a, out, i), at(b, out, i));
                out[i] = ternary(op, cv, av, bv);
            }
        }
    }
}

#[inline(always)]
fn map1<T: Float>(out: &mut [T], a: In<T>, f: impl Fn(T) -> T) {
    match a {
        In::Dst => {
            for o in out.iter_mut() {
                *o = f(*o);
            }
        }
        In::Slice(s) => {
            for (o, &x) in out.iter_mut().zip(s) {
                *o = f(x);
            }
        }
        In::Scalar(v) => out.fill(f(v)),
    }
}

#[inline(always)]
fn map2<T: Float>(out: &mut [T], a: In<T>, b: In<T>, f: impl Fn(T, T) -> T) {
    match (a, b) {
        (In::Dst, In::Slice(s)) => {
            for (o, &y) in out.iter_mut().zip(s) {
                *o = f(*o, y);
            }
        }
        (In::Dst, In::Scalar(v)) => {
            for o in out.iter_mut() {
                *o = f(*o, v);
            }
        }
        (In::Slice(s), In::Slice(t)) => {
            for (o, (&x, &y)) in out.iter_mut().zip(s.iter().zip(t)) {
                *o = f(x, y);
            }
        }
        (In::Slice(s), In::Scalar(v)) => {
            for (o, &x) in out.iter_mut().zip(s) {
                *o = f(x, v);
            }
        }
        (In::Scalar(u), In::Slice(t)) => {
            for (o, &y) in out.iter_mut().zip(t) {
                *o = f(u, y);
            }
        }
        (In::Scalar(u), In::Scalar(v)) => out.fill(f(u, v)),
        (In::Slice(s), In::Dst) => {
            for (o, &x) in out.iter_mut().zip(s) {
                *o = f(x, *o);
            }
        }
        (In::Scalar(u), In::Dst) => {
            for o in out.iter_mut() {
                *o = f(u, *o);
            }
        }
        (In::Dst, In::Dst) => {
            for o in out.iter_mut() {
                *o = f(*o, *o);
            }
        }
    }
}

/// Copies operand `a` into `out` (used before an in-place slice kernel).
#[inline(always)]
fn load<T: Float>(out: &mut [T], a: In<T>) {
    map1(out, a, |x| x)
}

/// `x = op(x)` over a slice (the dispatched slice kernels of `jit::unary_at`).
#[inline(always)]
pub(crate) fn apply_unary_inplace<T: Float + 'static, S: Isa>(op: Op, x: &mut [T]) {
    unary::<T, S>(op, x, In::Dst)
}

#[inline(always)]
fn unary<T: Float + 'static, S: Isa>(op: Op, out: &mut [T], a: In<T>) {
    // Cheap operators: one monomorphised loop each (no function pointers, so every loop is
    // inlined into, and vectorised for, the calling build).
    match op {
        Op::Neg => map1(out, a, |x| -x),
        Op::Square => map1(out, a, |x| x * x),
        Op::Cube => map1(out, a, |x| x * x * x),
        Op::Abs => map1(out, a, |x| x.abs()),
        Op::Inv => map1(out, a, |x| T::one() / x),
        Op::Sqrt => map1(out, a, |x| x.sqrt()),
        Op::Sign => map1(out, a, sign),
        Op::Relu => map1(out, a, relu),
        _ => {
            load(out, a);
            vmath::apply_unary::<T, S>(op, out);
        }
    }
}

#[inline(always)]
fn fused<T: Float + 'static, S: Isa>(un: Op, op: Op, out: &mut [T], a: In<T>, b: In<T>) {
    // One pass for the most common arithmetic pairs with a cheap outer operator.
    macro_rules! pair {
        ($bin:expr) => {
            match un {
                Op::Neg => return map2(out, a, b, |x, y| -$bin(x, y)),
                Op::Square => {
                    return map2(out, a, b, |x, y| {
                        let v = $bin(x, y);
                        v * v
                    })
                }
                Op::Abs => return map2(out, a, b, |x, y| $bin(x, y).abs()),
                Op::Inv => return map2(out, a, b, |x, y| T::one() / $bin(x, y)),
                Op::Sqrt => return map2(out, a, b, |x, y| $bin(x, y).sqrt()),
                _ => {}
            }
        };
    }
    match op {
        Op::Add => pair!(|x: T, y: T| x + y),
        Op::Sub => pair!(|x: T, y: T| x - y),
        Op::Mul => pair!(|x: T, y: T| x * y),
        Op::Div => pair!(|x: T, y: T| x / y),
        _ => {}
    }
    // Otherwise: the binary result stays in the L1-resident destination and the outer
    // (transcendental) operator runs over it immediately.
    binary::<T, S>(op, out, a, b);
    unary::<T, S>(un, out, In::Dst);
}

#[inline(always)]
fn binary<T: Float + 'static, S: Isa>(op: Op, out: &mut [T], a: In<T>, b: In<T>) {
    let nan_or = |x: T, y: T, v: T| if x.is_nan() || y.is_nan() { T::nan() } else { v };
    match op {
        Op::Add => map2(out, a, b, |x, y| x + y),
        Op::Sub => map2(out, a, b, |x, y| x - y),
        Op::Mul => map2(out, a, b, |x, y| x * y),
        Op::Div => map2(out, a, b, |x, y| x / y),
        Op::Max => map2(out, a, b, |x, y| nan_or(x, y, x.max(y))),
        Op::Min => map2(out, a, b, |x, y| nan_or(x, y, x.min(y))),
        Op::Pow => pow::<T, S>(out, a, b),
        _ => map2(out, a, b, |x, y| scalar2(op, x, y)),
    }
}

#[inline(always)]
fn pow<T: Float + 'static, S: Isa>(out: &mut [T], a: In<T>, b: In<T>) {
    if let In::Scalar(e) = b {
        // Small integer exponents (x^2, x^3, x^-1) are exact products: the same value as
        // `powf` within 1 ulp and several times faster.
        let two = T::one() + T::one();
        if e == T::one() {
            return load(out, a);
        } else if e == two {
            return map1(out, a, |x| x * x);
        } else if e == two + T::one() {
            return map1(out, a, |x| x * x * x);
        } else if e == -T::one() {
            return map1(out, a, |x| T::one() / x);
        } else if e == T::zero() {
            return out.fill(T::one());
        }
    }
    match (a, b) {
        (In::Dst, In::Scalar(v)) => vmath::pow_scalar_exp::<T, S>(out, v),
        (In::Slice(_) | In::Scalar(_), In::Scalar(v)) => {
            load(out, a);
            vmath::pow_scalar_exp::<T, S>(out, v)
        }
        _ => {
            // A varying exponent: materialise it next to the base, then one slice kernel.
            let mut ys = [T::zero(); BLOCK];
            let n = out.len();
            load(&mut ys[..n], b);
            load(out, a);
            vmath::pow_slices::<T, S>(out, &ys[..n]);
        }
    }
}

/// `sign(x)` with NaN for NaN (same as `Op::apply1`).
#[inline(always)]
fn sign<T: Float>(x: T) -> T {
    if x > T::zero() {
        T::one()
    } else if x < T::zero() {
        -T::one()
    } else if x == T::zero() {
        T::zero()
    } else {
        T::nan()
    }
}

/// `relu(x)`, NaN passed through (same as `Op::apply1`).
#[inline(always)]
fn relu<T: Float>(x: T) -> T {
    if x > T::zero() || x.is_nan() {
        x
    } else {
        T::zero()
    }
}

/// Generic binary semantics (same as `Op::apply2`).
pub(crate) fn scalar2<T: Float>(op: Op, a: T, b: T) -> T {
    let bool_or_nan = |v: bool| {
        if a.is_nan() || b.is_nan() {
            T::nan()
        } else if v {
            T::one()
        } else {
            T::zero()
        }
    };
    match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div => a / b,
        Op::Pow => a.powf(b),
        Op::Max | Op::Min if a.is_nan() || b.is_nan() => T::nan(),
        Op::Max => a.max(b),
        Op::Min => a.min(b),
        Op::Cond => {
            if a.is_nan() {
                T::nan()
            } else if a > T::zero() {
                b
            } else {
                T::zero()
            }
        }
        Op::Greater => bool_or_nan(a > b),
        Op::GreaterEq => bool_or_nan(a >= b),
        Op::Less => bool_or_nan(a < b),
        Op::LessEq => bool_or_nan(a <= b),
        // Non-binary operators never reach here (programs are built from valid formulas).
        _ => T::nan(),
    }
}

/// Generic ternary semantics (`ifelse`).
pub(crate) fn ternary<T: Float>(op: Op, c: T, a: T, b: T) -> T {
    match op {
        Op::IfElse if c.is_nan() => T::nan(),
        Op::IfElse if c > T::zero() => a,
        Op::IfElse => b,
        _ => T::nan(),
    }
}
