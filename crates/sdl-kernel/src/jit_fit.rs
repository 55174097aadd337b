//! Compiled value–loss–gradient functions for constant fitting (Cranelift).
//!
//! In: a formula (custom operators inlined), the data's column names, the number of constants
//! `p` and a [`Variant`]. Out: a cached [`FitKernel`] that makes one pass over the rows and, per
//! row, computes the formula's value and its derivatives with respect to every constant
//! (reverse mode, unrolled into straight-line code: the "tape" is the SSA values of the row),
//! then either writes the values and Jacobian rows ([`Variant::Rows`]), or accumulates the L2
//! loss and its gradient ([`Variant::LossGrad`], what BFGS needs), or the normal equations
//! `J^T W J`, `J^T W r` of Levenberg–Marquardt ([`Variant::Normal`]) with no intermediate
//! arrays. Constants are run-time arguments, so one compiled structure serves every constant
//! vector; functions are cached by (structure, `p`, variant).
//!
//! Always true: the results are bit-identical to [`crate::grad_consts`] followed by the Rust
//! loops of [`crate::fit`] (same operator semantics, same partial-derivative expressions,
//! same order of every floating-point accumulation, including `grad_consts`' rule that a zero
//! adjoint is not propagated), so choosing this path never changes a fit's result.
//! Arithmetic (`+ - * /`, neg, square, cube, sqrt, abs, inv) and the partial derivatives of
//! the arithmetic, power, exponential, logarithmic, trigonometric, hyperbolic and erf operators
//! are generated inline; transcendental functions are direct calls of the same `f64` functions
//! `Op::apply` uses (`f64::exp`, `f64::powf`, ...); the remaining rare operators (max, min,
//! comparisons, cond, ifelse, sign, relu, abs's derivative) call `Op::apply` /
//! `grad::partials` through one dispatching helper. So every formula `grad_consts` accepts is
//! compiled — nothing falls back. The generated code only touches the buffers described by
//! [`crate::jit::FitLayout`]; `jit.rs` checks their lengths before each call.

use crate::grad::{partials, Jacobian};
use crate::jit::{isa, FitCode, FitLayout};
use crate::Dataset;
use cranelift_codegen::ir::{
    condcodes::{FloatCC, IntCC},
    types, AbiParam, InstBuilder, MemFlagsData, Signature, Type, UserFuncName, Value,
};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Linkage, Module};
use sdl_formula::op::BUILTIN_OPS;
use sdl_formula::{Formula, Node, Op};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// What a compiled fit function produces.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    /// Values and Jacobian rows (what [`crate::grad_consts`] returns).
    Rows,
    /// `sum w r^2`, `sum w` and `sum (w 2 r) J` (the L2 loss and BFGS's gradient numerator).
    LossGrad,
    /// Levenberg–Marquardt's `J^T W r` and lower triangle of `J^T W J` over the rows whose
    /// residual and Jacobian row are finite.
    Normal,
}

/// Maximum number of cached compiled functions; the cache is emptied when it is full.
const CACHE_CAP: usize = 4096;

type Key = (Vec<Node>, usize, usize, Variant);

fn cache() -> &'static Mutex<HashMap<Key, Option<Arc<FitCode>>>> {
    static CACHE: OnceLock<Mutex<HashMap<Key, Option<Arc<FitCode>>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The loss and gradient sums of [`Variant::LossGrad`].
#[derive(Clone, Debug, PartialEq)]
pub struct LossGrad {
    /// `sum_i w_i (f_i - y_i)^2`.
    pub sum: f64,
    /// `sum_i w_i`.
    pub wsum: f64,
    /// `sum_i (w_i 2 (f_i - y_i)) df_i/dc_s` per constant.
    pub grad: Vec<f64>,
}

/// The normal equations of [`Variant::Normal`].
#[derive(Clone, Debug, PartialEq)]
pub struct Normal {
    /// `p x p` row-major `sum_i w_i J_is J_it` over finite rows (only `t <= s` filled; the
    /// upper triangle is 0).
    pub a: Vec<f64>,
    /// `sum_i w_i J_is r_i` over finite rows.
    pub g: Vec<f64>,
}

/// A compiled fit function bound to a formula's variable names.
#[derive(Clone)]
pub struct FitKernel {
    code: Arc<FitCode>,
    /// The inlined formula's variable names, in the order of its `Var` nodes.
    vars: Vec<String>,
    p: usize,
    variant: Variant,
}

/// The inlined formula and its cache key, or `None` when `grad_consts` would reject it
/// (malformed, a constant index `>= p`, a used variable not among `names`).
fn prepare(f: &Formula, names: &[String], p: usize, variant: Variant) -> Option<(Formula, Key)> {
    if !crate::reference::valid(f) {
        return None;
    }
    let g = f.inline_custom();
    if !crate::reference::valid(&g) || g.nodes.is_empty() {
        return None;
    }
    for n in &g.nodes {
        match *n {
            Node::Var(i) if !names.contains(&g.vars[i as usize]) => return None,
            Node::Const(i) if i as usize >= p => return None,
            _ => {}
        }
    }
    let key = (g.nodes.clone(), g.vars.len(), p, variant);
    Some((g, key))
}

impl FitKernel {
    /// The compiled function for `f` with `p` constants, compiling it on first use; `None` when
    /// the formula is invalid for the data (as [`crate::grad_consts`] would report) or the host
    /// has no JIT.
    pub fn new(f: &Formula, names: &[String], p: usize, variant: Variant) -> Option<FitKernel> {
        let (g, key) = prepare(f, names, p, variant)?;
        let cached = cache().lock().ok()?.get(&key).cloned();
        let code = match cached {
            Some(c) => c?,
            None => {
                let c = compile(&g.nodes, g.vars.len(), p, variant).map(Arc::new);
                let mut map = cache().lock().ok()?;
                if map.len() >= CACHE_CAP {
                    map.clear();
                }
                map.insert(key, c.clone());
                c?
            }
        };
        Some(FitKernel { code, vars: g.vars, p, variant })
    }

    /// True when the function for this structure is already compiled (no compile cost).
    pub fn is_cached(f: &Formula, names: &[String], p: usize, variant: Variant) -> bool {
        let Some((_, key)) = prepare(f, names, p, variant) else { return false };
        cache().lock().is_ok_and(|m| matches!(m.get(&key), Some(Some(_))))
    }

    /// Number of constants (Jacobian columns).
    pub fn n_params(&self) -> usize {
        self.p
    }

    fn cols<'a>(&self, data: &'a Dataset<f64>) -> Vec<&'a [f64]> {
        self.vars.iter().map(|v| data.index_of(v).map_or(&[][..], |i| data.column(i))).collect()
    }

    fn check(&self, variant: Variant, consts: &[f64]) -> bool {
        self.variant == variant && consts.len() == self.p
    }

    /// Values and Jacobian, equal bit for bit to `grad_consts(f, consts, data)`. `None` on a
    /// variant mismatch, `consts.len() != p` or missing columns.
    pub fn rows(&self, consts: &[f64], data: &Dataset<f64>) -> Option<Jacobian> {
        if !self.check(Variant::Rows, consts) {
            return None;
        }
        let n = data.n_rows();
        let mut values = vec![0.0; n];
        let mut jac = vec![0.0; n.checked_mul(self.p)?];
        let idle = vec![0.0; n];
        let cols = self.cols(data);
        self.code.call(&cols, consts, &idle, &idle, &mut [], &mut values, &mut jac).then_some(())?;
        Some(Jacobian { values, jac, n_params: self.p })
    }

    /// The L2 loss sums and gradient numerator over all rows (`weights`: one per row; pass
    /// ones for an unweighted fit, which gives the same bits as no weights).
    pub fn loss_grad(&self, consts: &[f64], data: &Dataset<f64>, target: &[f64], weights: &[f64]) -> Option<LossGrad> {
        if !self.check(Variant::LossGrad, consts) || target.len() != data.n_rows() || weights.len() != target.len() {
            return None;
        }
        let mut acc = vec![0.0; 2 + self.p];
        let cols = self.cols(data);
        self.code.call(&cols, consts, target, weights, &mut acc, &mut [], &mut []).then_some(())?;
        Some(LossGrad { sum: acc[0], wsum: acc[1], grad: acc[2..].to_vec() })
    }

    /// Levenberg–Marquardt's normal equations (see [`Normal`]).
    pub fn normal(&self, consts: &[f64], data: &Dataset<f64>, target: &[f64], weights: &[f64]) -> Option<Normal> {
        if !self.check(Variant::Normal, consts) || target.len() != data.n_rows() || weights.len() != target.len() {
            return None;
        }
        let p = self.p;
        let mut acc = vec![0.0; p + p * (p + 1) / 2];
        let cols = self.cols(data);
        self.code.call(&cols, consts, target, weights, &mut acc, &mut [], &mut []).then_some(())?;
        let mut a = vec![0.0; p * p];
        let mut k = p;
        for s in 0..p {
            for t in 0..=s {
                a[s * p + t] = acc[k];
                k += 1;
            }
        }
        Some(Normal { a, g: acc[..p].to_vec() })
    }
}

/// Value of built-in operator number `code` (an index into `BUILTIN_OPS`), as `Op::apply`.
extern "C" fn cb_apply(code: u32, a: f64, b: f64, c: f64) -> f64 {
    match BUILTIN_OPS.get(code as usize) {
        Some(op) => op.apply(&[a, b, c][..op.arity().min(3)]),
        None => f64::NAN,
    }
}

/// Partial derivative `slot` of built-in operator `code` at `(a, b, c)` with value `v`, as
/// `grad::partials`.
extern "C" fn cb_partial(code: u32, slot: u32, a: f64, b: f64, c: f64, v: f64) -> f64 {
    match BUILTIN_OPS.get(code as usize) {
        Some(op) => partials(*op, [a, b, c], v).get(slot as usize).copied().unwrap_or(f64::NAN),
        None => f64::NAN,
    }
}

/// A direct helper for the value of a unary operator (the same function `Op::apply1` calls),
/// so the hot transcendental calls skip `cb_apply`'s dispatch.
fn unary_fn(op: Op) -> Option<extern "C" fn(f64) -> f64> {
    macro_rules! h {
        ($f:expr) => {{
            extern "C" fn h(x: f64) -> f64 {
                $f(x)
            }
            h
        }};
    }
    Some(match op {
        Op::Exp => h!(f64::exp),
        Op::Log => h!(f64::ln),
        Op::Log10 => h!(f64::log10),
        Op::Log2 => h!(f64::log2),
        Op::Log1p => h!(f64::ln_1p),
        Op::Sin => h!(f64::sin),
        Op::Cos => h!(f64::cos),
        Op::Tan => h!(f64::tan),
        Op::Sinh => h!(f64::sinh),
        Op::Cosh => h!(f64::cosh),
        Op::Tanh => h!(f64::tanh),
        Op::Asin => h!(f64::asin),
        Op::Acos => h!(f64::acos),
        Op::Atan => h!(f64::atan),
        Op::Cbrt => h!(f64::cbrt),
        Op::Erf => h!(sdl_formula::op::erf),
        _ => return None,
    })
}

/// `a.powf(b)`, as `Op::apply2(Pow)` and `grad::partials` compute it.
extern "C" fn h_powf(a: f64, b: f64) -> f64 {
    a.powf(b)
}

/// Calls of the direct helpers from generated code.
struct Calls {
    ptr: Type,
    unary: cranelift_codegen::ir::SigRef,
    binary: cranelift_codegen::ir::SigRef,
}

impl Calls {
    fn unary(&self, bcx: &mut FunctionBuilder, op: Op, x: Value) -> Option<Value> {
        let f = unary_fn(op)?;
        let f = bcx.ins().iconst(self.ptr, f as *const () as i64);
        let call = bcx.ins().call_indirect(self.unary, f, &[x]);
        Some(bcx.inst_results(call)[0])
    }

    fn powf(&self, bcx: &mut FunctionBuilder, a: Value, b: Value) -> Value {
        let f = bcx.ins().iconst(self.ptr, h_powf as *const () as i64);
        let call = bcx.ins().call_indirect(self.binary, f, &[a, b]);
        bcx.inst_results(call)[0]
    }
}

fn op_code(op: Op) -> Option<u32> {
    BUILTIN_OPS.iter().position(|o| *o == op).map(|i| i as u32)
}

fn compile(nodes: &[Node], n_vars: usize, p: usize, variant: Variant) -> Option<FitCode> {
    // Every operator must be a built-in (custom ones are inlined before).
    for n in nodes {
        if let Node::Op(op) = *n {
            op_code(op)?;
        }
    }
    let isa = isa()?.clone();
    let mut module = JITModule::new(JITBuilder::with_isa(isa, default_libcall_names()));
    let ptr = module.target_config().pointer_type();
    let cc = module.target_config().default_call_conv;
    let mut ctx = module.make_context();
    let mut fctx = FunctionBuilderContext::new();
    let mut sig = module.make_signature();
    for _ in 0..8 {
        sig.params.push(AbiParam::new(ptr));
    }
    let fid = module.declare_function("fit", Linkage::Local, &sig).ok()?;
    ctx.func.signature = sig;
    ctx.func.name = UserFuncName::user(0, fid.as_u32());
    let frontend = module.target_config();
    {
        let mut bcx = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        emit(&mut bcx, nodes, p, variant, ptr, cc)?;
        bcx.seal_all_blocks();
        bcx.finalize(frontend);
    }
    module.define_function(fid, &mut ctx).ok()?;
    module.clear_context(&mut ctx);
    let mut used_vars: Vec<usize> = Vec::new();
    for n in nodes {
        if let Node::Var(i) = *n {
            if !used_vars.contains(&(i as usize)) {
                used_vars.push(i as usize);
            }
        }
    }
    let n_consts = nodes.iter().filter_map(|n| if let Node::Const(i) = *n { Some(i as usize + 1) } else { None }).max();
    let layout = FitLayout {
        n_vars,
        used_vars,
        n_consts: n_consts.unwrap_or(0),
        n_params: p,
        acc_len: match variant {
            Variant::Rows => 0,
            Variant::LossGrad => 2 + p,
            Variant::Normal => p + p * (p + 1) / 2,
        },
        rows_out: variant == Variant::Rows,
    };
    FitCode::new(module, fid, layout)
}

/// Inline partial derivative `slot` of `op` at `x` with value `v`, with exactly the expression
/// of `grad::partials`; `None` for operators whose partials are a helper call.
fn inline_partial(
    bcx: &mut FunctionBuilder,
    calls: &Calls,
    op: Op,
    slot: usize,
    x: [Value; 3],
    v: Value,
) -> Option<Value> {
    use std::f64::consts::{FRAC_2_SQRT_PI, LN_10, LN_2};
    let [a, b, _] = x;
    let k = |bcx: &mut FunctionBuilder, c: f64| bcx.ins().f64const(c);
    // `1 / x`
    let recip = |bcx: &mut FunctionBuilder, x: Value| {
        let one = bcx.ins().f64const(1.0);
        bcx.ins().fdiv(one, x)
    };
    Some(match (op, slot) {
        (Op::Pow, 0) => {
            // if b == 0 { 0 } else { b * a.powf(b - 1) }
            let one = k(bcx, 1.0);
            let bm1 = bcx.ins().fsub(b, one);
            let pw = calls.powf(bcx, a, bm1);
            let d = bcx.ins().fmul(b, pw);
            let zero = k(bcx, 0.0);
            let b0 = bcx.ins().fcmp(FloatCC::Equal, b, zero);
            bcx.ins().select(b0, zero, d)
        }
        (Op::Pow, _) => {
            // if a > 0 { v * a.ln() } else { 0 }
            let ln = calls.unary(bcx, Op::Log, a)?;
            let d = bcx.ins().fmul(v, ln);
            let zero = k(bcx, 0.0);
            let pos = bcx.ins().fcmp(FloatCC::GreaterThan, a, zero);
            bcx.ins().select(pos, d, zero)
        }
        (Op::Sin, _) => calls.unary(bcx, Op::Cos, a)?,
        (Op::Cos, _) => {
            let s = calls.unary(bcx, Op::Sin, a)?;
            bcx.ins().fneg(s)
        }
        (Op::Sinh, _) => calls.unary(bcx, Op::Cosh, a)?,
        (Op::Cosh, _) => calls.unary(bcx, Op::Sinh, a)?,
        (Op::Tan, _) => {
            let one = k(bcx, 1.0);
            let vv = bcx.ins().fmul(v, v);
            bcx.ins().fadd(one, vv)
        }
        (Op::Atan, _) => {
            let one = k(bcx, 1.0);
            let aa = bcx.ins().fmul(a, a);
            let s = bcx.ins().fadd(one, aa);
            recip(bcx, s)
        }
        (Op::Asin, _) | (Op::Acos, _) => {
            // (+-1) / (1 - a * a).sqrt()
            let one = k(bcx, 1.0);
            let aa = bcx.ins().fmul(a, a);
            let s = bcx.ins().fsub(one, aa);
            let r = bcx.ins().sqrt(s);
            let num = k(bcx, if op == Op::Asin { 1.0 } else { -1.0 });
            bcx.ins().fdiv(num, r)
        }
        (Op::Erf, _) => {
            // FRAC_2_SQRT_PI * (-a * a).exp()
            let na = bcx.ins().fneg(a);
            let e = bcx.ins().fmul(na, a);
            let e = calls.unary(bcx, Op::Exp, e)?;
            let c = k(bcx, FRAC_2_SQRT_PI);
            bcx.ins().fmul(c, e)
        }
        (Op::Log10, _) | (Op::Log2, _) => {
            let c = k(bcx, if op == Op::Log10 { LN_10 } else { LN_2 });
            let ac = bcx.ins().fmul(a, c);
            recip(bcx, ac)
        }
        (Op::Log1p, _) => {
            let one = k(bcx, 1.0);
            let s = bcx.ins().fadd(one, a);
            recip(bcx, s)
        }
        (Op::Cbrt, _) => {
            let three = k(bcx, 3.0);
            let t = bcx.ins().fmul(three, v);
            let t = bcx.ins().fmul(t, v);
            recip(bcx, t)
        }
        (Op::Add, _) | (Op::Sub, 0) => k(bcx, 1.0),
        (Op::Sub, _) | (Op::Neg, _) => k(bcx, -1.0),
        (Op::Mul, 0) => b,
        (Op::Mul, _) => a,
        (Op::Div, 0) => {
            let one = k(bcx, 1.0);
            bcx.ins().fdiv(one, b)
        }
        (Op::Div, _) => {
            let na = bcx.ins().fneg(a);
            let bb = bcx.ins().fmul(b, b);
            bcx.ins().fdiv(na, bb)
        }
        (Op::Square, _) => {
            let two = k(bcx, 2.0);
            bcx.ins().fmul(two, a)
        }
        (Op::Cube, _) => {
            let three = k(bcx, 3.0);
            let t = bcx.ins().fmul(three, a);
            bcx.ins().fmul(t, a)
        }
        (Op::Sqrt, _) => {
            let half = k(bcx, 0.5);
            bcx.ins().fdiv(half, v)
        }
        (Op::Inv, _) => {
            let m1 = k(bcx, -1.0);
            let aa = bcx.ins().fmul(a, a);
            bcx.ins().fdiv(m1, aa)
        }
        (Op::Exp, _) => v,
        (Op::Log, _) => {
            let one = k(bcx, 1.0);
            bcx.ins().fdiv(one, a)
        }
        (Op::Tanh, _) => {
            let one = k(bcx, 1.0);
            let vv = bcx.ins().fmul(v, v);
            bcx.ins().fsub(one, vv)
        }
        _ => return None,
    })
}

/// Inline value of `op` at `x`, with exactly `Op::apply`'s arithmetic; `None` for a call.
fn inline_value(bcx: &mut FunctionBuilder, calls: &Calls, op: Op, x: [Value; 3]) -> Option<Value> {
    let [a, b, _] = x;
    if let Some(v) = calls.unary(bcx, op, a) {
        return Some(v);
    }
    Some(match op {
        Op::Pow => calls.powf(bcx, a, b),
        Op::Add => bcx.ins().fadd(a, b),
        Op::Sub => bcx.ins().fsub(a, b),
        Op::Mul => bcx.ins().fmul(a, b),
        Op::Div => bcx.ins().fdiv(a, b),
        Op::Neg => bcx.ins().fneg(a),
        Op::Square => bcx.ins().fmul(a, a),
        Op::Cube => {
            let aa = bcx.ins().fmul(a, a);
            bcx.ins().fmul(aa, a)
        }
        Op::Sqrt => bcx.ins().sqrt(a),
        Op::Abs => bcx.ins().fabs(a),
        Op::Inv => {
            let one = bcx.ins().f64const(1.0);
            bcx.ins().fdiv(one, a)
        }
        _ => return None,
    })
}

fn emit(bcx: &mut FunctionBuilder, nodes: &[Node], p: usize, variant: Variant, ptr: Type, cc: CallConv) -> Option<()> {
    let flags = MemFlagsData::new().with_notrap();
    let f64t = types::F64;
    let m = nodes.len();
    // Argument node indices of every operator node, and whether a subtree holds a constant.
    let mut args: Vec<[usize; 3]> = vec![[0; 3]; m];
    let mut has_const = vec![false; m];
    let mut stack: Vec<usize> = Vec::new();
    for (j, n) in nodes.iter().enumerate() {
        match *n {
            Node::Op(op) => {
                let k = op.arity();
                if stack.len() < k || k > 3 {
                    return None;
                }
                for (slot, a) in stack.drain(stack.len() - k..).enumerate() {
                    args[j][slot] = a;
                    has_const[j] |= has_const[a];
                }
            }
            Node::Const(_) => has_const[j] = true,
            Node::Var(_) => {}
        }
        stack.push(j);
    }

    let entry = bcx.create_block();
    bcx.append_block_params_for_function_params(entry);
    bcx.switch_to_block(entry);
    let prm = bcx.block_params(entry).to_vec();
    let (cols, consts, target, weights, n, accp, valp, jacp) =
        (prm[0], prm[1], prm[2], prm[3], prm[4], prm[5], prm[6], prm[7]);

    let mut apply_sig = Signature::new(cc);
    apply_sig.params.push(AbiParam::new(types::I32));
    apply_sig.params.extend([AbiParam::new(f64t), AbiParam::new(f64t), AbiParam::new(f64t)]);
    apply_sig.returns.push(AbiParam::new(f64t));
    let apply_sig = bcx.import_signature(apply_sig);
    let mut part_sig = Signature::new(cc);
    part_sig.params.extend([AbiParam::new(types::I32), AbiParam::new(types::I32)]);
    part_sig.params.extend([AbiParam::new(f64t); 4]);
    part_sig.returns.push(AbiParam::new(f64t));
    let part_sig = bcx.import_signature(part_sig);
    let mut un_sig = Signature::new(cc);
    un_sig.params.push(AbiParam::new(f64t));
    un_sig.returns.push(AbiParam::new(f64t));
    let mut bin_sig = un_sig.clone();
    bin_sig.params.push(AbiParam::new(f64t));
    let calls = Calls { ptr, unary: bcx.import_signature(un_sig), binary: bcx.import_signature(bin_sig) };

    // Column pointers and constants, loaded once.
    let mut colp: HashMap<u16, Value> = HashMap::new();
    let mut kv: HashMap<u16, Value> = HashMap::new();
    for node in nodes {
        match *node {
            Node::Var(i) if !colp.contains_key(&i) => {
                let v = bcx.ins().load(ptr, flags, cols, (i as i64 * ptr.bytes() as i64) as i32);
                colp.insert(i, v);
            }
            Node::Const(k) if !kv.contains_key(&k) => {
                let v = bcx.ins().load(f64t, flags, consts, (k as i64 * 8) as i32);
                kv.insert(k, v);
            }
            _ => {}
        }
    }

    // Loop variables: row index and accumulators.
    let n_acc = match variant {
        Variant::Rows => 0,
        Variant::LossGrad => 2 + p,
        Variant::Normal => p + p * (p + 1) / 2,
    };
    let idx = bcx.declare_var(ptr);
    let zero_i = bcx.ins().iconst(ptr, 0);
    bcx.def_var(idx, zero_i);
    let accs: Vec<Variable> = (0..n_acc).map(|_| bcx.declare_var(f64t)).collect();
    let zero0 = bcx.ins().f64const(0.0);
    for a in &accs {
        bcx.def_var(*a, zero0);
    }
    let header = bcx.create_block();
    let body = bcx.create_block();
    let exit = bcx.create_block();
    bcx.ins().jump(header, &[]);
    bcx.switch_to_block(header);
    let i = bcx.use_var(idx);
    let more = bcx.ins().icmp(IntCC::UnsignedLessThan, i, n);
    bcx.ins().brif(more, body, &[], exit, &[]);

    bcx.switch_to_block(body);
    let i = bcx.use_var(idx);
    let off = bcx.ins().ishl_imm_u(i, 3);
    let zero = bcx.ins().f64const(0.0);
    // Forward pass: one SSA value per node.
    let mut val: Vec<Value> = Vec::with_capacity(m);
    for (j, node) in nodes.iter().enumerate() {
        let v = match *node {
            Node::Var(c) => {
                let addr = bcx.ins().iadd(colp[&c], off);
                bcx.ins().load(f64t, flags, addr, 0)
            }
            Node::Const(k) => kv[&k],
            Node::Op(op) => {
                let k = op.arity();
                let mut x = [zero; 3];
                for s in 0..k {
                    x[s] = val[args[j][s]];
                }
                match inline_value(bcx, &calls, op, x) {
                    Some(v) => v,
                    None => {
                        let f = bcx.ins().iconst(ptr, cb_apply as *const () as i64);
                        let code = bcx.ins().iconst(types::I32, op_code(op)? as i64);
                        let call = bcx.ins().call_indirect(apply_sig, f, &[code, x[0], x[1], x[2]]);
                        bcx.inst_results(call)[0]
                    }
                }
            }
        };
        val.push(v);
    }
    let value = val[m - 1];
    // Reverse pass (grad.rs's order): adjoints of nodes whose subtree holds a constant.
    let mut adj: Vec<Option<Value>> = vec![None; m];
    let mut jac: Vec<Option<Value>> = vec![None; p];
    if has_const[m - 1] {
        adj[m - 1] = Some(bcx.ins().f64const(1.0));
    }
    for j in (0..m).rev() {
        match nodes[j] {
            Node::Op(op) => {
                let Some(g) = adj[j] else { continue };
                // grad.rs skips a node whose adjoint is 0 (its arguments keep adjoint 0); the
                // root's adjoint is the constant 1.
                let g_zero = (j != m - 1).then(|| bcx.ins().fcmp(FloatCC::Equal, g, zero));
                let k = op.arity();
                let mut x = [zero; 3];
                for s in 0..k {
                    x[s] = val[args[j][s]];
                }
                for (s, &c) in args[j].iter().enumerate().take(k) {
                    if !has_const[c] {
                        continue;
                    }
                    let d = match inline_partial(bcx, &calls, op, s, x, val[j]) {
                        Some(d) => d,
                        None => {
                            let f = bcx.ins().iconst(ptr, cb_partial as *const () as i64);
                            let code = bcx.ins().iconst(types::I32, op_code(op)? as i64);
                            let slot = bcx.ins().iconst(types::I32, s as i64);
                            let call = bcx.ins().call_indirect(part_sig, f, &[code, slot, x[0], x[1], x[2], val[j]]);
                            bcx.inst_results(call)[0]
                        }
                    };
                    let gd = bcx.ins().fmul(g, d);
                    let a = bcx.ins().fadd(zero, gd);
                    adj[c] = Some(match g_zero {
                        Some(z) => bcx.ins().select(z, zero, a),
                        None => a,
                    });
                }
            }
            Node::Const(k) => {
                if let Some(a) = adj[j] {
                    let prev = jac[k as usize].unwrap_or(zero);
                    jac[k as usize] = Some(bcx.ins().fadd(prev, a));
                }
            }
            Node::Var(_) => {}
        }
    }

    match variant {
        Variant::Rows => {
            let vaddr = bcx.ins().iadd(valp, off);
            bcx.ins().store(flags, value, vaddr, 0);
            let row = bcx.ins().imul_imm_s(i, (p * 8) as i64);
            let jaddr = bcx.ins().iadd(jacp, row);
            for (s, js) in jac.iter().enumerate() {
                bcx.ins().store(flags, js.unwrap_or(zero), jaddr, (s * 8) as i32);
            }
        }
        Variant::LossGrad => {
            // fit.rs BFGS: `g += w * (2 r) * js`; loss.rs: `sum += w * (r * r)`, `wsum += w`.
            let taddr = bcx.ins().iadd(target, off);
            let t = bcx.ins().load(f64t, flags, taddr, 0);
            let waddr = bcx.ins().iadd(weights, off);
            let w = bcx.ins().load(f64t, flags, waddr, 0);
            let r = bcx.ins().fsub(value, t);
            let rr = bcx.ins().fmul(r, r);
            let wrr = bcx.ins().fmul(w, rr);
            let sum = bcx.use_var(accs[0]);
            let sum = bcx.ins().fadd(sum, wrr);
            bcx.def_var(accs[0], sum);
            let wsum = bcx.use_var(accs[1]);
            let wsum = bcx.ins().fadd(wsum, w);
            bcx.def_var(accs[1], wsum);
            let two = bcx.ins().f64const(2.0);
            let d = bcx.ins().fmul(two, r);
            let wd = bcx.ins().fmul(w, d);
            for (s, js) in jac.iter().enumerate() {
                // A structurally zero derivative adds `wd * 0`, which leaves the sum unchanged
                // unless `wd` is not finite — and then the loss sum is not finite either.
                if let Some(js) = js {
                    let t = bcx.ins().fmul(wd, *js);
                    let gs = bcx.use_var(accs[2 + s]);
                    let gs = bcx.ins().fadd(gs, t);
                    bcx.def_var(accs[2 + s], gs);
                }
            }
        }
        Variant::Normal => {
            // fit.rs LM: skip rows with a non-finite residual or Jacobian entry; then
            // `g[s] += w * row[s] * r`, `a[s][t] += w * row[s] * row[t]` (t <= s).
            let taddr = bcx.ins().iadd(target, off);
            let t = bcx.ins().load(f64t, flags, taddr, 0);
            let waddr = bcx.ins().iadd(weights, off);
            let w = bcx.ins().load(f64t, flags, waddr, 0);
            let r = bcx.ins().fsub(value, t);
            let mut z = bcx.ins().fsub(r, r);
            for js in jac.iter().flatten() {
                let dz = bcx.ins().fsub(*js, *js);
                z = bcx.ins().fadd(z, dz);
            }
            let ok = bcx.ins().fcmp(FloatCC::Equal, z, zero);
            let accb = bcx.create_block();
            let next = bcx.create_block();
            bcx.ins().brif(ok, accb, &[], next, &[]);
            bcx.switch_to_block(accb);
            // With every term finite, a structurally zero entry adds +-0 to a sum that is
            // never -0, which changes nothing: those terms are left out.
            for s in 0..p {
                let Some(js) = jac[s] else { continue };
                let ws = bcx.ins().fmul(w, js);
                let wr = bcx.ins().fmul(ws, r);
                let gs = bcx.use_var(accs[s]);
                let gs = bcx.ins().fadd(gs, wr);
                bcx.def_var(accs[s], gs);
                for (t, jt) in jac.iter().enumerate().take(s + 1) {
                    let Some(jt) = jt else { continue };
                    let slot = p + s * (s + 1) / 2 + t;
                    let wst = bcx.ins().fmul(ws, *jt);
                    let a = bcx.use_var(accs[slot]);
                    let a = bcx.ins().fadd(a, wst);
                    bcx.def_var(accs[slot], a);
                }
            }
            bcx.ins().jump(next, &[]);
            bcx.switch_to_block(next);
        }
    }
    let i = bcx.use_var(idx);
    let i1 = bcx.ins().iadd_imm_s(i, 1);
    bcx.def_var(idx, i1);
    bcx.ins().jump(header, &[]);

    bcx.switch_to_block(exit);
    for (k, a) in accs.iter().enumerate() {
        let v = bcx.use_var(*a);
        bcx.ins().store(flags, v, accp, (k * 8) as i32);
    }
    bcx.ins().return_(&[]);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{eval_reference_with, grad_consts};
    use sdl_formula::rng::Rng;

    /// The benchmark formulas plus division, powers, transcendentals, comparisons and
    /// NaN-producing operators (data below include negatives and exact zeros).
    fn formulas() -> Vec<Formula> {
        let mut src = include_str!("../benches/formulas.txt").to_string();
        src.push_str(
            "2.0*x0/(x1 - 0.5)\nx0^1.7 + 0.3\n1.2^x0 * x1\nx0^2.0 - x1^3.0\nabs(x0)^0.5*1.1\nlog(x0*1.3)\n\
             sqrt(x1 - 0.2)*2.0\nsin(1.1*x0)*exp(0.3*x1)\n1.0/(x0 - x0)*2.0 + 1.0\nmax(x0*0.7, x1)\n\
             min(x0, 0.4*x1) + cos(x2*0.9)\ntan(0.5*x0) + atan(x1*1.5)\nerf(0.8*x0) + asin(x1*0.4)\n\
             cbrt(x0*2.0) + tanh(1.3*x1)\nsinh(0.7*x0) - cosh(0.2*x1)\n(x0 > 0.1)*2.0 + 0.5\n\
             exp(x0*x1*3.0)^2.0\nlog(log(x0*2.0))\n1.0/x0*0.0 + 3.0*x1\n2.5\nx0\n",
        );
        crate::bench::parse_lines(&src).unwrap()
    }

    fn data(rows: usize, seed: u64) -> Dataset<f64> {
        let mut r = Rng::new(seed);
        let names: Vec<String> = (0..10).map(|i| format!("x{i}")).collect();
        let cols: Vec<Vec<f64>> = (0..10)
            .map(|c| (0..rows).map(|i| if (i + c) % 37 == 0 { 0.0 } else { r.range(-2.0, 2.0) }).collect())
            .collect();
        Dataset::new(names, cols).unwrap()
    }

    fn same(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    fn close(a: f64, b: f64) -> bool {
        same(a, b) || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) || (a == b)
    }

    #[test]
    fn rows_agree_with_grad_consts_and_the_reference() {
        let (mut incomplete, mut with_consts) = (0, 0);
        for rows in [0usize, 1, 7, 300] {
            let d = data(rows, 11);
            for f in formulas() {
                let p = f.consts.len();
                with_consts += (p > 0) as usize;
                let k = FitKernel::new(&f, d.names(), p, Variant::Rows).expect("compiles");
                let got = k.rows(&f.consts, &d).unwrap();
                let want = grad_consts(&f, &f.consts, &d).unwrap();
                let (reference, complete) = eval_reference_with(&f, &f.consts, &d);
                assert_eq!(got.values.iter().all(|v| v.is_finite()), complete, "{f:?}");
                incomplete += !complete as usize;
                for (i, (a, b)) in got.values.iter().zip(&want.values).enumerate() {
                    assert!(same(*a, *b), "{f:?} row {i}: value {a} vs {b}");
                    assert!(close(*a, reference[i]), "{f:?} row {i}: value {a} vs reference {}", reference[i]);
                }
                for (i, (a, b)) in got.jac.iter().zip(&want.jac).enumerate() {
                    assert!(same(*a, *b), "{f:?} entry {i}: derivative {a} vs {b}");
                }
                assert_eq!(got.jac.len(), want.jac.len());
            }
        }
        // The spread is real: most formulas have constants, several produce NaN or infinity.
        assert!(with_consts >= 100 && incomplete >= 8, "{with_consts} {incomplete}");
    }

    #[test]
    fn loss_gradient_and_normal_equations_agree_with_the_fit_loops() {
        let d = data(500, 12);
        let mut r = Rng::new(4);
        let target: Vec<f64> = (0..500).map(|_| r.range(-1.0, 1.0)).collect();
        let weights: Vec<f64> = (0..500).map(|_| r.range(0.5, 2.0)).collect();
        let ones = vec![1.0; 500];
        for f in formulas() {
            let p = f.consts.len();
            let j = grad_consts(&f, &f.consts, &d).unwrap();
            for (w, wopt) in [(&ones, None), (&weights, Some(weights.as_slice()))] {
                // BFGS's gradient loop and loss_value, as in fit.rs.
                let lg = FitKernel::new(&f, d.names(), p, Variant::LossGrad).unwrap();
                let got = lg.loss_grad(&f.consts, &d, &target, w).unwrap();
                let mut g = vec![0.0; p];
                let mut wsum = 0.0;
                for i in 0..500 {
                    wsum += w[i];
                    let dl = crate::Loss::L2.row_grad(j.values[i], target[i]);
                    for (gs, js) in g.iter_mut().zip(&j.jac[i * p..(i + 1) * p]) {
                        *gs += w[i] * dl * js;
                    }
                }
                let l = crate::loss_value(&j.values, &target, wopt, &crate::Loss::L2);
                assert!(same(got.sum / got.wsum, l), "{f:?}: loss {} vs {l}", got.sum / got.wsum);
                assert_eq!(got.wsum, wsum);
                if l.is_finite() {
                    for (a, b) in got.grad.iter().zip(&g) {
                        assert!(same(*a, *b), "{f:?}: gradient {a} vs {b}");
                    }
                }
                // LM's normal equations.
                let ne = FitKernel::new(&f, d.names(), p, Variant::Normal).unwrap();
                let got = ne.normal(&f.consts, &d, &target, w).unwrap();
                let (mut a, mut g) = (vec![0.0; p * p], vec![0.0; p]);
                for i in 0..500 {
                    let res = j.values[i] - target[i];
                    let row = &j.jac[i * p..(i + 1) * p];
                    if !res.is_finite() || row.iter().any(|v| !v.is_finite()) {
                        continue;
                    }
                    for s in 0..p {
                        g[s] += w[i] * row[s] * res;
                        for t in 0..=s {
                            a[s * p + t] += w[i] * row[s] * row[t];
                        }
                    }
                }
                assert!(got.g.iter().zip(&g).all(|(x, y)| same(*x, *y)), "{f:?}: {:?} vs {g:?}", got.g);
                assert!(got.a.iter().zip(&a).all(|(x, y)| same(*x, *y)), "{f:?}: {:?} vs {a:?}", got.a);
            }
        }
    }

    #[test]
    fn bad_input_is_refused_not_run() {
        let d = data(10, 1);
        let f = sdl_formula::parse("x0*2.0 + q").unwrap();
        assert!(FitKernel::new(&f, d.names(), 1, Variant::Rows).is_none());
        let f = sdl_formula::parse("x0*2.0").unwrap();
        assert!(FitKernel::new(&f, d.names(), 0, Variant::Rows).is_none(), "constant index out of range");
        let k = FitKernel::new(&f, d.names(), 1, Variant::LossGrad).unwrap();
        assert!(k.rows(&[2.0], &d).is_none(), "wrong variant");
        assert!(k.loss_grad(&[2.0, 1.0], &d, &[0.0; 10], &[1.0; 10]).is_none(), "wrong constant count");
        assert!(k.loss_grad(&[2.0], &d, &[0.0; 9], &[1.0; 9]).is_none(), "wrong target length");
        assert!(FitKernel::is_cached(&f, d.names(), 1, Variant::LossGrad));
    }
}
