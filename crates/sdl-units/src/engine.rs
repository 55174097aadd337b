//! The dimension walk over a postfix program, shared by [`crate::infer`] and the search's check.
//!
//! In: a program (nodes, constant values) and, per leaf, a known dimension or an unknown column
//! (a free constant or a variable without a unit). Out: `Ok` with the rows that the unknowns must
//! satisfy in [`Engine::sys`], or the first node where the program cannot be consistent.
//! Always true: each stack entry is an affine dimension `base * prod_k X_k^(a_k / d)` (integer
//! `a_k` and a per-entry denominator `d`, so coefficients are exact at any depth of roots; only
//! dimensions themselves live on the 1/60 grid) plus, for variable-free subtrees, its numeric
//! value (so `x^(1/3)` reads its exponent); the stack, the
//! coefficient arena and the rows reuse their buffers, so a run allocates nothing once they have
//! grown; a malformed program is an error, never a panic.
//!
//! Rules: `+ - max min`, comparisons and the branches of `ifelse` need equal dimensions
//! (comparisons give a dimensionless 0/1); `* /` combine; `x^p` needs a dimensionless `p`, and
//! unless `p` is a variable-free subtree whose value is on the 1/60 grid, a dimensionless `x`;
//! `square cube inv sqrt cbrt` scale the exponents by 2, 3, -1, 1/2, 1/3; `neg abs relu` keep the
//! dimension; `sign` gives a dimensionless result from any argument; `cond(c, y)` has `y`'s
//! dimension and `c` may have any (it is only compared with 0, which has every dimension), as
//! may the condition of `ifelse`; `exp`, the logarithms, the trigonometric and hyperbolic
//! functions and their inverses and `erf` need a dimensionless argument and give one.

use crate::linear::{LinFail, System};
use crate::{rational_exponent, Dim, DEN};
use sdl_formula::{Node, Op};

/// Marks a leaf with a known dimension in the column maps.
pub(crate) const NO_COL: u16 = u16::MAX;

/// A program to walk: postfix nodes, constant values, and per leaf its unknown column or
/// [`NO_COL`]. A constant without a column is dimensionless; a variable without one has
/// `var_dims[i]` (missing entries count as dimensionless, but callers give every unit-less
/// variable a column).
pub(crate) struct Program<'a> {
    pub nodes: &'a [Node],
    pub consts: &'a [f64],
    pub const_col: &'a [u16],
    pub var_dims: &'a [Option<Dim>],
    pub var_col: &'a [u16],
}

/// Where and why the walk stopped. Stack indices refer to the engine's entries, which are left
/// as they were at the failure so that the caller can describe both sides.
#[derive(Copy, Clone, Debug, PartialEq)]
pub(crate) enum FailKind {
    /// Entries `a` and `b` must have equal dimensions and cannot.
    Mismatch { a: usize, b: usize },
    /// Entry `a` must be dimensionless and cannot.
    NotDimensionless { a: usize },
    /// Entry `base` is raised to a power that is not a constant on the 1/60 grid (`exponent` is
    /// its value when the exponent is variable-free) and cannot be dimensionless.
    PowBase { base: usize, exponent: Option<f64> },
    /// An exponent leaves the 1/60 grid or the range, or the rows overflowed.
    NotRepresentable,
    /// The result (entry 0) cannot have the target dimension.
    Target,
    /// Not a valid postfix program (or a custom operator that was not inlined).
    Malformed,
}

#[derive(Copy, Clone, Debug, PartialEq)]
pub(crate) struct Fail {
    pub node: usize,
    pub kind: FailKind,
}

/// The walk's reusable state.
#[derive(Clone, Debug, Default)]
pub(crate) struct Engine {
    n: usize,
    pub base: Vec<Dim>,
    /// `n` coefficient numerators per stack entry.
    pub coef: Vec<i64>,
    /// The common denominator of each entry's coefficients (positive).
    pub cden: Vec<i64>,
    /// Whether the entry has any nonzero coefficient.
    pub unk: Vec<bool>,
    val: Vec<Option<f64>>,
    pub sys: System,
}

fn fail(node: usize, kind: FailKind) -> Fail {
    Fail { node, kind }
}

impl Engine {
    /// The coefficients of entry `e`.
    pub fn coefs(&self, e: usize) -> &[i64] {
        &self.coef[e * self.n..(e + 1) * self.n]
    }

    /// Walks `prog` with `n` unknown columns and, if `target` is given, requires the result to
    /// have that dimension.
    pub fn run(&mut self, prog: &Program, n: usize, target: Option<Dim>) -> Result<(), Fail> {
        self.n = n;
        self.base.clear();
        self.coef.clear();
        self.cden.clear();
        self.unk.clear();
        self.val.clear();
        self.sys.reset(n);
        for (idx, node) in prog.nodes.iter().enumerate() {
            match *node {
                Node::Var(i) => {
                    let i = i as usize;
                    let col = prog.var_col.get(i).copied().unwrap_or(NO_COL);
                    let dim = prog.var_dims.get(i).copied().flatten().unwrap_or(Dim::ONE);
                    self.push(dim, col, None);
                }
                Node::Const(i) => {
                    let i = i as usize;
                    let value = *prog.consts.get(i).ok_or(fail(idx, FailKind::Malformed))?;
                    let col = prog.const_col.get(i).copied().unwrap_or(NO_COL);
                    self.push(Dim::ONE, col, Some(value));
                }
                Node::Op(op) => self.apply(op, idx)?,
            }
        }
        let last = prog.nodes.len().saturating_sub(1);
        if self.base.len() != 1 {
            return Err(fail(last, FailKind::Malformed));
        }
        if let Some(t) = target {
            if self.unk[0] {
                self.row_between(0, None, t).map_err(|e| fail(last, lin_kind(e, FailKind::Target)))?;
            } else if self.base[0] != t {
                return Err(fail(last, FailKind::Target));
            }
        }
        Ok(())
    }

    fn push(&mut self, dim: Dim, col: u16, val: Option<f64>) {
        self.base.push(dim);
        self.val.push(val);
        let start = self.coef.len();
        self.coef.resize(start + self.n, 0);
        let unknown = col != NO_COL && (col as usize) < self.n;
        if unknown {
            self.coef[start + col as usize] = 1;
        }
        self.cden.push(1);
        self.unk.push(unknown);
    }

    /// Adds the row `entry a == entry b` (or `entry a == dim` when `b` is `None`).
    fn row_between(&mut self, a: usize, b: Option<usize>, dim: Dim) -> Result<(), LinFail> {
        let n = self.n;
        // sum_k (A_a/d_a - A_b/d_b) X_k = base_b - base_a, multiplied through by lcm(d_a, d_b).
        let (rb, cb, db): ([i16; 7], Option<usize>, i64) = match b {
            Some(b) => (self.base[b].raw(), Some(b), self.cden[b]),
            None => (dim.raw(), None, 1),
        };
        let (ra, da) = (self.base[a].raw(), self.cden[a]);
        let l = lcm(da, db).ok_or(LinFail::Overflow)?;
        let (fa, fb) = (l / da, l / db);
        let row = self.sys.new_row();
        for (k, slot) in row[..n].iter_mut().enumerate() {
            let ck = cb.map_or(0, |b| self.coef[b * n + k]) as i128;
            let v = self.coef[a * n + k] as i128 * fa as i128 - ck * fb as i128;
            *slot = i64::try_from(v).map_err(|_| LinFail::Overflow)?;
        }
        for d in 0..7 {
            let v = l as i128 * (rb[d] as i128 - ra[d] as i128);
            row[n + d] = i64::try_from(v).map_err(|_| LinFail::Overflow)?;
        }
        self.sys.insert()
    }

    fn equate(&mut self, a: usize, b: usize, node: usize) -> Result<(), Fail> {
        if !self.unk[a] && !self.unk[b] {
            if self.base[a] == self.base[b] {
                return Ok(());
            }
            return Err(fail(node, FailKind::Mismatch { a, b }));
        }
        self.row_between(a, Some(b), Dim::ONE).map_err(|e| fail(node, lin_kind(e, FailKind::Mismatch { a, b })))
    }

    fn require_dimensionless(&mut self, a: usize, node: usize, kind: FailKind) -> Result<(), Fail> {
        if !self.unk[a] {
            return if self.base[a].is_dimensionless() { Ok(()) } else { Err(fail(node, kind)) };
        }
        self.row_between(a, None, Dim::ONE).map_err(|e| fail(node, lin_kind(e, kind)))
    }

    /// Makes entry `a` a known dimension with no unknowns.
    fn set_known(&mut self, a: usize, dim: Dim) {
        self.base[a] = dim;
        self.coef[a * self.n..(a + 1) * self.n].fill(0);
        self.cden[a] = 1;
        self.unk[a] = false;
    }

    /// Copies entry `b` over entry `a` (dimension only).
    fn copy_entry(&mut self, a: usize, b: usize) {
        self.base[a] = self.base[b];
        self.unk[a] = self.unk[b];
        self.cden[a] = self.cden[b];
        let n = self.n;
        self.coef.copy_within(b * n..(b + 1) * n, a * n);
    }

    /// Raises entry `a` to `raw / 60`.
    fn scale(&mut self, a: usize, raw: i32, node: usize) -> Result<(), Fail> {
        let bad = fail(node, FailKind::NotRepresentable);
        self.base[a] = self.base[a].checked_pow_raw(raw).ok_or(bad)?;
        if self.unk[a] {
            for c in &mut self.coef[a * self.n..(a + 1) * self.n] {
                *c = c.checked_mul(raw as i64).ok_or(bad)?;
            }
            self.cden[a] = self.cden[a].checked_mul(DEN as i64).ok_or(bad)?;
            self.unk[a] = raw != 0;
            self.normalise(a);
        }
        Ok(())
    }

    /// Entry `a` times entry `b` to the power `sign` (±1).
    fn combine(&mut self, a: usize, b: usize, sign: i32, node: usize) -> Result<(), Fail> {
        let bad = fail(node, FailKind::NotRepresentable);
        let db = self.base[b];
        self.base[a] = if sign > 0 { self.base[a].checked_mul(db) } else { self.base[a].checked_div(db) }.ok_or(bad)?;
        if self.unk[b] {
            let n = self.n;
            let (da, db) = (self.cden[a], self.cden[b]);
            let l = lcm(da, db).ok_or(bad)?;
            let (fa, fb) = (l / da, l / db);
            let mut any = false;
            for k in 0..n {
                let v = self.coef[a * n + k] as i128 * fa as i128
                    + (sign as i64 * self.coef[b * n + k]) as i128 * fb as i128;
                let v = i64::try_from(v).map_err(|_| bad)?;
                self.coef[a * n + k] = v;
                any |= v != 0;
            }
            self.cden[a] = l;
            self.unk[a] = any;
            self.normalise(a);
        }
        Ok(())
    }

    /// Divides entry `a`'s coefficients and denominator by their gcd.
    fn normalise(&mut self, a: usize) {
        let n = self.n;
        let g = self.coef[a * n..(a + 1) * n].iter().fold(self.cden[a], |g, &x| gcd(g, x));
        if g > 1 {
            for c in &mut self.coef[a * n..(a + 1) * n] {
                *c /= g;
            }
            self.cden[a] /= g;
        }
        if !self.unk[a] {
            self.cden[a] = 1;
        }
    }

    fn apply(&mut self, op: Op, node: usize) -> Result<(), Fail> {
        let k = match op {
            Op::Custom(_) => return Err(fail(node, FailKind::Malformed)),
            _ => op.arity(),
        };
        let len = self.base.len();
        if len < k {
            return Err(fail(node, FailKind::Malformed));
        }
        let top = len - k;
        let mut args = [0.0; 3];
        let mut all_values = true;
        for (j, slot) in args.iter_mut().enumerate().take(k) {
            match self.val[top + j] {
                Some(v) => *slot = v,
                None => all_values = false,
            }
        }
        let (a, b) = (top, top + 1);
        use Op::*;
        match op {
            Add | Sub | Max | Min => {
                self.equate(a, b, node)?;
                if self.unk[a] && !self.unk[b] {
                    self.copy_entry(a, b);
                }
            }
            Greater | GreaterEq | Less | LessEq => {
                self.equate(a, b, node)?;
                self.set_known(a, Dim::ONE);
            }
            Mul => self.combine(a, b, 1, node)?,
            Div => self.combine(a, b, -1, node)?,
            Pow => {
                let exponent = self.val[b];
                self.require_dimensionless(b, node, FailKind::NotDimensionless { a: b })?;
                match exponent.and_then(rational_exponent) {
                    Some(raw) => self.scale(a, raw, node)?,
                    None => {
                        self.require_dimensionless(a, node, FailKind::PowBase { base: a, exponent })?;
                        self.set_known(a, Dim::ONE);
                    }
                }
            }
            Cond => self.copy_entry(a, b),
            IfElse => {
                self.equate(b, top + 2, node)?;
                let pick = if self.unk[b] && !self.unk[top + 2] { top + 2 } else { b };
                self.copy_entry(a, pick);
            }
            Neg | Abs | Relu => {}
            Square => self.scale(a, 2 * DEN, node)?,
            Cube => self.scale(a, 3 * DEN, node)?,
            Inv => self.scale(a, -DEN, node)?,
            Sqrt => self.scale(a, DEN / 2, node)?,
            Cbrt => self.scale(a, DEN / 3, node)?,
            Sign => self.set_known(a, Dim::ONE),
            Exp | Log | Log10 | Log2 | Log1p | Sin | Cos | Tan | Sinh | Cosh | Tanh | Asin | Acos | Atan | Erf => {
                self.require_dimensionless(a, node, FailKind::NotDimensionless { a })?;
                self.set_known(a, Dim::ONE);
            }
            Custom(_) => return Err(fail(node, FailKind::Malformed)),
        }
        self.val[a] = if all_values { Some(op.apply(&args[..k])) } else { None };
        self.base.truncate(top + 1);
        self.unk.truncate(top + 1);
        self.val.truncate(top + 1);
        self.coef.truncate((top + 1) * self.n);
        self.cden.truncate(top + 1);
        Ok(())
    }
}

fn gcd(a: i64, b: i64) -> i64 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a as i64
}

fn lcm(a: i64, b: i64) -> Option<i64> {
    (a / gcd(a, b).max(1)).checked_mul(b)
}

fn lin_kind(e: LinFail, inconsistent: FailKind) -> FailKind {
    match e {
        LinFail::Inconsistent => inconsistent,
        LinFail::Overflow => FailKind::NotRepresentable,
    }
}
