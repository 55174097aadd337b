//! The JIT: compiles a [`Program`]'s structure to a native block function with Cranelift.
//!
//! In: a program (structure only: instructions and column mapping; constant values are read
//! at call time) and a precision. Out: a cached [`JitKernel`] whose `run` evaluates rows
//! exactly like the fused interpreter. Runs of arithmetic instructions become one SIMD loop
//! over the block (`f32x4`/`f64x2`, values kept in registers, every result also stored to its
//! register buffer); transcendental and rare operators become calls to the vectorised Rust
//! slice kernels of [`crate::vmath`] / [`crate::fused`] on a register buffer.
//!
//! Memory safety (this is the only module with `unsafe`): generated code only touches
//! driver-owned buffers that are each `BLOCK` elements long (column copies, registers) or the
//! constant vector (`n_consts` elements, read at fixed offsets); its loops cover
//! `round_up(n, lanes) <= BLOCK` elements with `n <= BLOCK`, and `BLOCK` is a multiple of
//! every lane count. User slices are never handed to generated code: the driver copies each
//! block in and the results out, so no row count (0 and 1 included) can make it read outside.

use crate::fused::{self, BLOCK};
use crate::program::{Instr, Src};
use crate::Program;
use cranelift_codegen::ir::{
    condcodes::IntCC, types, AbiParam, BlockArg, InstBuilder, MemFlagsData, Signature, Type, UserFuncName, Value,
};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Linkage, Module};
use num_traits::{Float, NumCast};
use sdl_formula::op::BUILTIN_OPS;
use sdl_formula::Op;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Signature of a compiled block function: `(column pointers, constants, registers, n)`.
type BlockFn<F> = extern "C" fn(*const *const F, *const F, *mut F, usize);

/// Maximum number of cached compiled structures; the cache is emptied when it is full.
const CACHE_CAP: usize = 4096;

/// A native float type the JIT generates code for.
trait Native: Float + Send + Sync + 'static {
    const TY: Type;
    const VEC: Type;
    const LANES: usize;
    fn unary_cb() -> usize;
    fn binary_cb() -> usize;
}

impl Native for f32 {
    const TY: Type = types::F32;
    const VEC: Type = types::F32X4;
    const LANES: usize = 4;
    fn unary_cb() -> usize {
        cb_unary::<f32> as *const () as usize
    }
    fn binary_cb() -> usize {
        cb_binary::<f32> as *const () as usize
    }
}

impl Native for f64 {
    const TY: Type = types::F64;
    const VEC: Type = types::F64X2;
    const LANES: usize = 2;
    fn unary_cb() -> usize {
        cb_unary::<f64> as *const () as usize
    }
    fn binary_cb() -> usize {
        cb_binary::<f64> as *const () as usize
    }
}

/// `x[..n] = op(x[..n])` for the operator `BUILTIN_OPS[op]`.
extern "C" fn cb_unary<F: Native>(op: u32, x: *mut F, n: usize) {
    let Some(&op) = BUILTIN_OPS.get(op as usize) else { return };
    // SAFETY: generated code passes a register buffer of BLOCK elements and n <= BLOCK; the
    // buffer is not otherwise borrowed while the generated function runs.
    let xs = unsafe { std::slice::from_raw_parts_mut(x, n.min(BLOCK)) };
    unary_simd(op, xs);
}

/// `x[..n] = op(x[..n], y)` where `y` is `y[..n]`, or the scalar `*y` when `scalar != 0`.
extern "C" fn cb_binary<F: Native>(op: u32, x: *mut F, y: *const F, scalar: u32, n: usize) {
    let Some(&op) = BUILTIN_OPS.get(op as usize) else { return };
    let n = n.min(BLOCK);
    // SAFETY: `x` is a register buffer of BLOCK elements; `y` is another register buffer, a
    // column copy (both BLOCK elements, distinct from `x`) or one element of the constant
    // vector when `scalar != 0`. Nothing else accesses them during the call.
    let xs = unsafe { std::slice::from_raw_parts_mut(x, n) };
    if scalar != 0 {
        // SAFETY: see above: `y` points at one valid constant.
        let v = unsafe { *y };
        fused::apply_binary_inplace(op, xs, Err(v));
    } else {
        // SAFETY: see above: `y` has at least n <= BLOCK valid elements and does not alias `x`.
        let ys = unsafe { std::slice::from_raw_parts(y, n) };
        fused::apply_binary_inplace(op, xs, Ok(ys));
    }
}

/// Runs the fused interpreter's block loop compiled for AVX2 when the CPU has it (the
/// workspace builds for baseline x86-64, whose SSE2 vectors are half as wide), otherwise the
/// baseline build. Same results bit for bit: no fused multiply-add contraction happens in Rust.
pub(crate) fn run_blocks_simd<T: Float>(
    prog: &Program,
    regs: &mut [T],
    cols: &[&[T]],
    consts: &[T],
    start: usize,
    out: &mut [T],
    early_exit: bool,
) -> bool {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above), the only requirement of
        // `run_blocks_avx2`'s target feature.
        return unsafe { run_blocks_avx2(prog, regs, cols, consts, start, out, early_exit) };
    }
    crate::batch::run_blocks(prog, regs, cols, consts, start, out, early_exit)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn run_blocks_avx2<T: Float>(
    prog: &Program,
    regs: &mut [T],
    cols: &[&[T]],
    consts: &[T],
    start: usize,
    out: &mut [T],
    early_exit: bool,
) -> bool {
    crate::batch::run_blocks(prog, regs, cols, consts, start, out, early_exit)
}

/// `x = op(x)` compiled for AVX2 when available (the JIT's slice-kernel calls).
fn unary_simd<T: Float>(op: Op, x: &mut [T]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return unsafe { unary_avx2(op, x) };
    }
    fused::apply_unary_inplace(op, x)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn unary_avx2<T: Float>(op: Op, x: &mut [T]) {
    fused::apply_unary_inplace(op, x)
}

/// A compiled block function and the module owning its code.
struct Compiled {
    module: Option<JITModule>,
    code: usize,
    f32: bool,
}

// SAFETY: the module is only touched again in `drop`, which has exclusive access; the code
// pointer refers to immutable executable memory that may be called from any thread.
unsafe impl Send for Compiled {}
// SAFETY: shared access only reads `code` and `f32`.
unsafe impl Sync for Compiled {}

impl Drop for Compiled {
    fn drop(&mut self) {
        if let Some(m) = self.module.take() {
            // SAFETY: the last `Arc<Compiled>` is being dropped, so no `JitKernel` can call the
            // code any more.
            unsafe { m.free_memory() };
        }
    }
}

/// A compiled program ready to run on blocks of rows.
pub(crate) struct JitKernel {
    compiled: Arc<Compiled>,
    prog: Program,
    used_cols: Vec<usize>,
}

type CacheKey = (Vec<Instr>, usize, bool);

fn cache() -> &'static Mutex<HashMap<CacheKey, Option<Arc<Compiled>>>> {
    static CACHE: OnceLock<Mutex<HashMap<CacheKey, Option<Arc<Compiled>>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn isa() -> Option<&'static OwnedTargetIsa> {
    static ISA: OnceLock<Option<OwnedTargetIsa>> = OnceLock::new();
    ISA.get_or_init(|| {
        let mut flags = settings::builder();
        flags.set("opt_level", "speed").ok()?;
        flags.set("use_colocated_libcalls", "false").ok()?;
        flags.set("is_pic", "false").ok()?;
        cranelift_native::builder().ok()?.finish(settings::Flags::new(flags)).ok()
    })
    .as_ref()
}

/// The cached JIT kernel for `prog` in `T`'s precision (`f32` when `T` has 4 bytes, else
/// `f64`), compiling it on first use; `None` when the JIT cannot handle the program (leaf
/// results, ternary operators, an unsupported host) — callers then use the interpreter.
pub(crate) fn compiled_for<T: Float>(prog: &Program, _x: Option<T>) -> Option<JitKernel> {
    let single = std::mem::size_of::<T>() <= 4;
    if !matches!(prog.result, Src::Reg(_)) || prog.instrs.iter().any(|i| matches!(i, Instr::Tern { .. })) {
        return None;
    }
    let key = (prog.instrs.clone(), prog.n_regs, single);
    let cached = cache().lock().ok()?.get(&key).cloned();
    let compiled = match cached {
        Some(c) => c?,
        None => {
            let c = if single { compile::<f32>(prog) } else { compile::<f64>(prog) }.map(Arc::new);
            let mut map = cache().lock().ok()?;
            if map.len() >= CACHE_CAP {
                map.clear();
            }
            map.insert(key, c.clone());
            c?
        }
    };
    let mut used_cols: Vec<usize> = Vec::new();
    let mut note = |s: Src| {
        if let Src::Col(c) = s {
            if !used_cols.contains(&(c as usize)) {
                used_cols.push(c as usize);
            }
        }
    };
    for i in &prog.instrs {
        match *i {
            Instr::Un { a, .. } => note(a),
            Instr::Bin { a, b, .. } | Instr::UnBin { a, b, .. } => {
                note(a);
                note(b)
            }
            Instr::Tern { c, a, b, .. } => {
                note(c);
                note(a);
                note(b)
            }
        }
    }
    Some(JitKernel { compiled, prog: prog.clone(), used_cols })
}

impl JitKernel {
    /// Evaluates rows `start .. start + out.len()`; same contract as `Evaluator::run`.
    pub(crate) fn run<T: Float>(
        &self,
        cols: &[&[T]],
        consts: &[T],
        start: usize,
        out: &mut [T],
        early_exit: bool,
    ) -> bool {
        if self.compiled.f32 {
            self.run_native::<T, f32>(cols, consts, start, out, early_exit)
        } else {
            self.run_native::<T, f64>(cols, consts, start, out, early_exit)
        }
    }

    fn run_native<T: Float, F: Native>(
        &self,
        cols: &[&[T]],
        consts: &[T],
        start: usize,
        out: &mut [T],
        early_exit: bool,
    ) -> bool {
        let conv = |v: T| <F as NumCast>::from(v).unwrap_or_else(F::nan);
        let n_cols = self.prog.n_cols.max(1);
        let mut colbuf: Vec<F> = vec![F::zero(); (self.used_cols.len() + 1) * BLOCK];
        let mut regs: Vec<F> = vec![F::zero(); self.prog.n_regs.max(1) * BLOCK];
        let mut cbuf: Vec<F> = consts.iter().map(|c| conv(*c)).collect();
        cbuf.resize(self.prog.n_consts.max(cbuf.len()).max(1), F::nan());
        if cols.len() < self.prog.n_cols || self.used_cols.iter().any(|&c| cols[c].len() < start + out.len()) {
            out.fill(T::nan());
            return false;
        }
        // SAFETY: `code` was compiled for `F` (checked by `run`) with signature `BlockFn<F>`.
        let func: BlockFn<F> = unsafe { std::mem::transmute::<usize, BlockFn<F>>(self.compiled.code) };
        let mut complete = true;
        let mut ptrs: Vec<*const F> = vec![std::ptr::null(); n_cols];
        for (b, block) in out.chunks_mut(BLOCK).enumerate() {
            let (n, off) = (block.len(), start + b * BLOCK);
            for (k, &c) in self.used_cols.iter().enumerate() {
                let dst = &mut colbuf[k * BLOCK..][..n];
                dst.iter_mut().zip(&cols[c][off..off + n]).for_each(|(d, s)| *d = conv(*s));
            }
            // Unused columns point at the spare last BLOCK of `colbuf` (never read).
            let spare = colbuf[self.used_cols.len() * BLOCK..].as_ptr();
            ptrs.iter_mut().for_each(|p| *p = spare);
            for (k, &c) in self.used_cols.iter().enumerate() {
                ptrs[c] = colbuf[k * BLOCK..].as_ptr();
            }
            func(ptrs.as_ptr(), cbuf.as_ptr(), regs.as_mut_ptr(), n);
            let Src::Reg(r) = self.prog.result else { return false };
            let res = &regs[r as usize * BLOCK..][..n];
            block.iter_mut().zip(res).for_each(|(o, v)| *o = T::from(*v).unwrap_or_else(T::nan));
            if !block.iter().fold(true, |acc, v| acc & v.is_finite()) {
                complete = false;
                if early_exit {
                    return false;
                }
            }
        }
        complete
    }
}

/// One lowered step: a SIMD loop over arithmetic instructions, or a call to a slice kernel.
enum Step {
    Group(Vec<GOp>),
    Unary { op: Op, dst: u32 },
    Binary { op: Op, dst: u32, b: Src },
}

#[derive(Copy, Clone)]
enum GOp {
    Copy { a: Src, dst: u32 },
    Un { op: Op, a: Src, dst: u32 },
    Bin { op: Op, a: Src, b: Src, dst: u32 },
}

fn arith_unary(op: Op) -> bool {
    matches!(op, Op::Neg | Op::Abs | Op::Sqrt | Op::Square | Op::Cube | Op::Inv)
}

fn arith_binary(op: Op) -> bool {
    matches!(op, Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Max | Op::Min)
}

fn lower(prog: &Program) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let push = |steps: &mut Vec<Step>, g: GOp| match steps.last_mut() {
        Some(Step::Group(v)) => v.push(g),
        _ => steps.push(Step::Group(vec![g])),
    };
    let un = |steps: &mut Vec<Step>, op: Op, a: Src, dst: u32| {
        if arith_unary(op) {
            push(steps, GOp::Un { op, a, dst });
        } else {
            if a != Src::Reg(dst) {
                push(steps, GOp::Copy { a, dst });
            }
            steps.push(Step::Unary { op, dst });
        }
    };
    let bin = |steps: &mut Vec<Step>, op: Op, a: Src, b: Src, dst: u32| {
        if arith_binary(op) {
            push(steps, GOp::Bin { op, a, b, dst });
        } else {
            if a != Src::Reg(dst) {
                push(steps, GOp::Copy { a, dst });
            }
            steps.push(Step::Binary { op, dst, b });
        }
    };
    for i in &prog.instrs {
        match *i {
            Instr::Un { op, a, dst } => un(&mut steps, op, a, dst),
            Instr::Bin { op, a, b, dst } => bin(&mut steps, op, a, b, dst),
            Instr::UnBin { un: u, op, a, b, dst } => {
                bin(&mut steps, op, a, b, dst);
                un(&mut steps, u, Src::Reg(dst), dst);
            }
            Instr::Tern { .. } => {}
        }
    }
    steps
}

fn compile<F: Native>(prog: &Program) -> Option<Compiled> {
    let isa = isa()?.clone();
    let ptr = isa.pointer_type();
    let mut module = JITModule::new(JITBuilder::with_isa(isa, default_libcall_names()));
    let mut ctx = module.make_context();
    let mut fctx = FunctionBuilderContext::new();
    let call_conv = module.target_config().default_call_conv;
    let mut sig = module.make_signature();
    for _ in 0..4 {
        sig.params.push(AbiParam::new(ptr));
    }
    let fid = module.declare_function("block", Linkage::Local, &sig).ok()?;
    ctx.func.signature = sig;
    ctx.func.name = UserFuncName::user(0, fid.as_u32());
    let frontend = module.target_config();
    {
        let mut bcx = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        emit::<F>(&mut bcx, prog, ptr, call_conv);
        bcx.seal_all_blocks();
        bcx.finalize(frontend);
    }
    module.define_function(fid, &mut ctx).ok()?;
    module.clear_context(&mut ctx);
    module.finalize_definitions().ok()?;
    let code = module.get_finalized_function(fid) as usize;
    Some(Compiled { module: Some(module), code, f32: F::LANES == 4 })
}

fn emit<F: Native>(bcx: &mut FunctionBuilder, prog: &Program, ptr: Type, cc: CallConv) {
    let flags = MemFlagsData::new().with_notrap();
    let size = std::mem::size_of::<F>() as i64;
    let entry = bcx.create_block();
    bcx.append_block_params_for_function_params(entry);
    bcx.switch_to_block(entry);
    let p = bcx.block_params(entry).to_vec();
    let (cols, consts, regs, n) = (p[0], p[1], p[2], p[3]);
    // Constants (splatted) and column block pointers, loaded once.
    let mut kvals: HashMap<u32, Value> = HashMap::new();
    let mut cptrs: HashMap<u32, Value> = HashMap::new();
    for i in &prog.instrs {
        let srcs = match *i {
            Instr::Un { a, .. } => vec![a],
            Instr::Bin { a, b, .. } | Instr::UnBin { a, b, .. } => vec![a, b],
            Instr::Tern { c, a, b, .. } => vec![c, a, b],
        };
        for s in srcs {
            match s {
                Src::Const(k) if !kvals.contains_key(&k) => {
                    let v = bcx.ins().load(F::TY, flags, consts, (k as i64 * size) as i32);
                    let v = bcx.ins().splat(F::VEC, v);
                    kvals.insert(k, v);
                }
                Src::Col(c) if !cptrs.contains_key(&c) => {
                    let v = bcx.ins().load(ptr, flags, cols, (c as i64 * ptr.bytes() as i64) as i32);
                    cptrs.insert(c, v);
                }
                _ => {}
            }
        }
    }
    let mut usig = Signature::new(cc);
    usig.params.extend([AbiParam::new(types::I32), AbiParam::new(ptr), AbiParam::new(ptr)]);
    let usig = bcx.import_signature(usig);
    let mut bsig = Signature::new(cc);
    bsig.params.extend([
        AbiParam::new(types::I32),
        AbiParam::new(ptr),
        AbiParam::new(ptr),
        AbiParam::new(types::I32),
        AbiParam::new(ptr),
    ]);
    let bsig = bcx.import_signature(bsig);
    let reg_off = |r: u32| (r as i64 * BLOCK as i64 * size) as i32;
    let op_index = |op: Op| BUILTIN_OPS.iter().position(|o| *o == op).unwrap_or(usize::MAX) as i64;
    for step in lower(prog) {
        match step {
            Step::Unary { op, dst } => {
                let f = bcx.ins().iconst(ptr, F::unary_cb() as i64);
                let o = bcx.ins().iconst(types::I32, op_index(op));
                let x = bcx.ins().iadd_imm_s(regs, reg_off(dst) as i64);
                bcx.ins().call_indirect(usig, f, &[o, x, n]);
            }
            Step::Binary { op, dst, b } => {
                let f = bcx.ins().iconst(ptr, F::binary_cb() as i64);
                let o = bcx.ins().iconst(types::I32, op_index(op));
                let x = bcx.ins().iadd_imm_s(regs, reg_off(dst) as i64);
                let (y, scalar) = match b {
                    Src::Const(k) => (bcx.ins().iadd_imm_s(consts, k as i64 * size), 1),
                    Src::Col(c) => (cptrs[&c], 0),
                    Src::Reg(r) => (bcx.ins().iadd_imm_s(regs, reg_off(r) as i64), 0),
                };
                let s = bcx.ins().iconst(types::I32, scalar);
                bcx.ins().call_indirect(bsig, f, &[o, x, y, s, n]);
            }
            Step::Group(ops) => {
                let header = bcx.create_block();
                let body = bcx.create_block();
                let exit = bcx.create_block();
                bcx.append_block_param(header, ptr);
                let zero = bcx.ins().iconst(ptr, 0);
                bcx.ins().jump(header, &[BlockArg::Value(zero)]);
                bcx.switch_to_block(header);
                let i = bcx.block_params(header)[0];
                let more = bcx.ins().icmp(IntCC::UnsignedLessThan, i, n);
                bcx.ins().brif(more, body, &[], exit, &[]);
                bcx.switch_to_block(body);
                let byte = bcx.ins().imul_imm_s(i, size);
                let rbase = bcx.ins().iadd(regs, byte);
                let mut live: HashMap<u32, Value> = HashMap::new();
                let read = |bcx: &mut FunctionBuilder, s: Src, live: &HashMap<u32, Value>| match s {
                    Src::Const(k) => kvals[&k],
                    Src::Col(c) => {
                        let a = bcx.ins().iadd(cptrs[&c], byte);
                        bcx.ins().load(F::VEC, flags, a, 0)
                    }
                    Src::Reg(r) => match live.get(&r) {
                        Some(v) => *v,
                        None => bcx.ins().load(F::VEC, flags, rbase, reg_off(r)),
                    },
                };
                for g in ops {
                    let (v, dst) = match g {
                        GOp::Copy { a, dst } => (read(bcx, a, &live), dst),
                        GOp::Un { op, a, dst } => {
                            let x = read(bcx, a, &live);
                            let v = match op {
                                Op::Neg => bcx.ins().fneg(x),
                                Op::Abs => bcx.ins().fabs(x),
                                Op::Sqrt => bcx.ins().sqrt(x),
                                Op::Square => bcx.ins().fmul(x, x),
                                Op::Cube => {
                                    let x2 = bcx.ins().fmul(x, x);
                                    bcx.ins().fmul(x2, x)
                                }
                                _ => {
                                    // Inv
                                    let one =
                                        if F::LANES == 4 { bcx.ins().f32const(1.0) } else { bcx.ins().f64const(1.0) };
                                    let one = bcx.ins().splat(F::VEC, one);
                                    bcx.ins().fdiv(one, x)
                                }
                            };
                            (v, dst)
                        }
                        GOp::Bin { op, a, b, dst } => {
                            let (x, y) = (read(bcx, a, &live), read(bcx, b, &live));
                            let v = match op {
                                Op::Add => bcx.ins().fadd(x, y),
                                Op::Sub => bcx.ins().fsub(x, y),
                                Op::Mul => bcx.ins().fmul(x, y),
                                Op::Div => bcx.ins().fdiv(x, y),
                                Op::Max => bcx.ins().fmax(x, y),
                                _ => bcx.ins().fmin(x, y),
                            };
                            (v, dst)
                        }
                    };
                    bcx.ins().store(flags, v, rbase, reg_off(dst));
                    live.insert(dst, v);
                }
                let next = bcx.ins().iadd_imm_s(i, F::LANES as i64);
                bcx.ins().jump(header, &[BlockArg::Value(next)]);
                bcx.switch_to_block(exit);
            }
        }
    }
    bcx.ins().return_(&[]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Dataset;

    #[test]
    fn compiles_and_matches_the_interpreter_bit_for_bit() {
        let names: Vec<String> = (0..10).map(|i| format!("x{i}")).collect();
        let src = include_str!("../benches/formulas.txt");
        let mut r = sdl_formula::rng::Rng::new(3);
        for rows in [0usize, 1, 5, 300] {
            let cols: Vec<Vec<f64>> = (0..10).map(|_| (0..rows).map(|_| r.range(-2.0, 2.0)).collect()).collect();
            let data = Dataset::new(names.clone(), cols).unwrap();
            for f in crate::bench::parse_lines(src).unwrap() {
                let prog = Program::compile(&f, &names).unwrap();
                let k = compiled_for::<f64>(&prog, None).expect("jit compiles");
                assert!(compiled_for::<f32>(&prog, None).is_some());
                let cols: Vec<&[f64]> = data.columns().iter().map(Vec::as_slice).collect();
                let (mut a, mut b) = (vec![0.0; rows], vec![0.0; rows]);
                let ka = k.run(&cols, &f.consts, 0, &mut a, false);
                let kb = crate::Evaluator::new().run(&prog, &cols, &f.consts, 0, &mut b, false);
                assert_eq!(ka, kb);
                for (x, y) in a.iter().zip(&b) {
                    assert!(x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()), "{f:?}: {x} vs {y}");
                }
            }
        }
        assert!(
            compiled_for::<f64>(&Program::compile(&sdl_formula::Formula::var("x0"), &names).unwrap(), None).is_none()
        );
    }
}
