//! The JIT: compiles a [`Program`]'s structure to a native block function with Cranelift.
//!
//! In: a program (structure only: instructions and column mapping; constant values are read
//! at call time) and a precision. Out: a cached [`JitKernel`] whose `run` evaluates rows
//! exactly like the fused interpreter. Runs of arithmetic instructions become one SIMD loop
//! over the block (`f32x4`/`f64x2`, values kept in registers, every result also stored to its
//! register buffer); transcendental and rare operators become calls to the vectorised Rust
//! slice kernels of [`crate::vmath`] / [`crate::fused`] on a register buffer.
//!
//! It also owns the code of [`crate::jit_fit`]'s compiled fit functions ([`FitCode`]) and makes
//! their one call, after checking every buffer against the function's [`FitLayout`].
//!
//! Memory safety (this is the only module with `unsafe`): generated code only touches
//! driver-owned buffers that are each `BLOCK` elements long (column copies, registers) or the
//! constant vector (`n_consts` elements, read at fixed offsets); its loops cover
//! `round_up(n, lanes) <= BLOCK` elements with `n <= BLOCK`, and `BLOCK` is a multiple of
//! every lane count. User slices are never handed to generated code: the driver copies each
//! block in and the results out, so no row count (0 and 1 included) can make it read outside.

use crate::fused::{self, Cols, BLOCK};
use crate::program::{Instr, Src};
use crate::vmath::{Fma, Plain};
use crate::Program;
use cranelift_codegen::ir::{
    condcodes::{FloatCC, IntCC},
    types, AbiParam, BlockArg, InstBuilder, MemFlagsData, Signature, Type, UserFuncName, Value,
};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Linkage, Module};
use num_traits::{Float, NumCast};
use sdl_formula::Op;
use std::any::TypeId;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

/// Signature of a compiled block function: `(column pointers, constants, registers, n, view)`;
/// `view` points at the block's [`Cols`] and is only passed on to [`cb_exec`].
type BlockFn<F> = extern "C" fn(*const *const F, *const F, *mut F, usize, *const u8);

/// Vectors per loop iteration of a generated arithmetic group.
const UNROLL: usize = 2;
const _: () = assert!(BLOCK.is_multiple_of(UNROLL * 4), "generated loops must tile a block exactly");

/// Arithmetic groups with fewer instructions than this become interpreter calls instead: a
/// 128-bit loop for one or two operations loses to the interpreter's 256/512-bit loop.
const MIN_GROUP: usize = 2;

/// Maximum number of cached compiled structures; the cache is emptied when it is full.
const CACHE_CAP: usize = 4096;

/// A native float type the JIT generates code for.
trait Native: Float + Send + Sync + 'static {
    const TY: Type;
    const VEC: Type;
    const LANES: usize;
}

impl Native for f32 {
    const TY: Type = types::F32;
    const VEC: Type = types::F32X4;
    const LANES: usize = 4;
}

impl Native for f64 {
    const TY: Type = types::F64;
    const VEC: Type = types::F64X2;
    const LANES: usize = 2;
}

/// What the interpreter calls of a compiled function need besides the block: the program's
/// instructions (the code refers to them by index) and the buffer sizes.
struct CallCtx {
    instrs: Vec<Instr>,
    n_regs: usize,
    n_consts: usize,
}

/// Executes instruction `idx` of `ctx` on the current block with the fused interpreter, in
/// the build of [`simd_level`] (the generated code's calls for transcendental, rare and
/// isolated operators).
extern "C" fn cb_exec<F: Native>(
    ctx: *const CallCtx,
    idx: u32,
    view: *const u8,
    consts: *const F,
    regs: *mut F,
    n: usize,
) {
    // SAFETY: `ctx` is the `CallCtx` owned by the `Compiled` whose code is running (it lives
    // as long as the code).
    let ctx = unsafe { &*ctx };
    let Some(instr) = ctx.instrs.get(idx as usize) else { return };
    // SAFETY: the driver passes a pointer to a live `Cols<F>` for this block (its slices stay
    // borrowed, unchanged, until the generated function returns).
    let view = unsafe { *(view as *const Cols<'_, F>) };
    // SAFETY: the driver's register buffer holds `n_regs.max(1) * BLOCK` values and its
    // constant buffer at least `n_consts.max(1)`; the generated code is suspended in this call
    // and no Rust reference to either buffer is alive meanwhile.
    let regs = unsafe { std::slice::from_raw_parts_mut(regs, ctx.n_regs.max(1) * BLOCK) };
    // SAFETY: see above.
    let consts = unsafe { std::slice::from_raw_parts(consts, ctx.n_consts.max(1)) };
    exec_simd(instr, regs, view, consts, n.min(BLOCK));
}

// ---------------------------------------------------------------------------------------
// Run-time selection of the interpreter's and the slice kernels' build.

/// The instruction-set builds of the fused interpreter and the slice kernels. The workspace
/// compiles for baseline x86-64 (SSE2); the same Rust code is compiled again with wider
/// target features and chosen at run time after CPU detection.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SimdLevel {
    /// The workspace's target (SSE2 on x86-64), `a * b + c` rounded twice.
    Baseline,
    /// AVX2 + FMA: 256-bit vectors, fused multiply-add in the polynomials.
    Avx2,
    /// AVX-512 (F, BW, DQ, VL) + FMA: 512-bit vectors and mask registers.
    Avx512,
}

impl SimdLevel {
    /// Every level, narrowest first.
    pub const ALL: [SimdLevel; 3] = [SimdLevel::Baseline, SimdLevel::Avx2, SimdLevel::Avx512];

    /// The level's name (`baseline`, `avx2`, `avx512`), as accepted by `SDL_KERNEL_SIMD`.
    pub fn name(self) -> &'static str {
        match self {
            SimdLevel::Baseline => "baseline",
            SimdLevel::Avx2 => "avx2",
            SimdLevel::Avx512 => "avx512",
        }
    }

    /// True when this CPU can run the level's build.
    pub fn supported(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            match self {
                SimdLevel::Baseline => true,
                SimdLevel::Avx2 => has!("avx2") && has!("fma"),
                SimdLevel::Avx512 => {
                    SimdLevel::Avx2.supported()
                        && has!("avx512f")
                        && has!("avx512bw")
                        && has!("avx512dq")
                        && has!("avx512vl")
                }
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            self == SimdLevel::Baseline
        }
    }
}

/// The level the evaluators use: the widest this CPU supports, capped by the environment
/// variable `SDL_KERNEL_SIMD` (`baseline`, `avx2` or `avx512`; read once) when it is set.
pub fn simd_level() -> SimdLevel {
    static LEVEL: OnceLock<SimdLevel> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        let cap = std::env::var("SDL_KERNEL_SIMD").ok();
        let cap = SimdLevel::ALL.into_iter().find(|l| cap.as_deref() == Some(l.name())).unwrap_or(SimdLevel::Avx512);
        SimdLevel::ALL.into_iter().rev().find(|l| *l <= cap && l.supported()).unwrap_or(SimdLevel::Baseline)
    })
}

/// `level` if the CPU supports it, else the baseline.
fn checked(level: SimdLevel) -> SimdLevel {
    if level.supported() {
        level
    } else {
        SimdLevel::Baseline
    }
}

/// The same slice viewed at type `U` when `T` is `U` (equal type ids), else `None`.
pub(crate) fn as_type<T: 'static, U: 'static>(x: &[T]) -> Option<&[U]> {
    if TypeId::of::<T>() == TypeId::of::<U>() {
        // SAFETY: `T` and `U` are the same type, so the memory is a valid `[U]` of the same
        // length, borrowed for the same lifetime.
        Some(unsafe { &*(x as *const [T] as *const [U]) })
    } else {
        None
    }
}

/// Mutable version of [`as_type`].
pub(crate) fn as_type_mut<T: 'static, U: 'static>(x: &mut [T]) -> Option<&mut [U]> {
    if TypeId::of::<T>() == TypeId::of::<U>() {
        // SAFETY: as in `as_type`; the unique borrow of `x` moves into the result.
        Some(unsafe { &mut *(x as *mut [T] as *mut [U]) })
    } else {
        None
    }
}

/// `x` as `&[f32]` when `T` is `f32`.
#[inline(always)]
pub(crate) fn as_f32<T: 'static>(x: &[T]) -> Option<&[f32]> {
    as_type::<T, f32>(x)
}

/// `x` as `&[f64]` when `T` is `f64`.
#[inline(always)]
pub(crate) fn as_f64<T: 'static>(x: &[T]) -> Option<&[f64]> {
    as_type::<T, f64>(x)
}

/// `x` as `&mut [f32]` when `T` is `f32`.
#[inline(always)]
pub(crate) fn as_f32_mut<T: 'static>(x: &mut [T]) -> Option<&mut [f32]> {
    as_type_mut::<T, f32>(x)
}

/// `x` as `&mut [f64]` when `T` is `f64`.
#[inline(always)]
pub(crate) fn as_f64_mut<T: 'static>(x: &mut [T]) -> Option<&mut [f64]> {
    as_type_mut::<T, f64>(x)
}

/// Runs the fused interpreter's block loop in the build of [`simd_level`].
pub(crate) fn run_blocks_simd<T: Float + 'static>(
    prog: &Program,
    regs: &mut [T],
    cols: &[&[T]],
    consts: &[T],
    start: usize,
    out: &mut [T],
    early_exit: bool,
) -> bool {
    run_blocks_at(simd_level(), prog, regs, cols, consts, start, out, early_exit)
}

/// Runs the fused interpreter's block loop in the build of `level` (the baseline when the CPU
/// lacks it).
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_blocks_at<T: Float + 'static>(
    level: SimdLevel,
    prog: &Program,
    regs: &mut [T],
    cols: &[&[T]],
    consts: &[T],
    start: usize,
    out: &mut [T],
    early_exit: bool,
) -> bool {
    match checked(level) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `checked` returned Avx512 only because the CPU has every feature that
        // `run_blocks_avx512` enables.
        SimdLevel::Avx512 => unsafe { run_blocks_avx512(prog, regs, cols, consts, start, out, early_exit) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `checked` returned Avx2 only because the CPU has AVX2 and FMA.
        SimdLevel::Avx2 => unsafe { run_blocks_avx2(prog, regs, cols, consts, start, out, early_exit) },
        _ => crate::batch::run_blocks::<T, Plain>(prog, regs, cols, consts, start, out, early_exit),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn run_blocks_avx2<T: Float + 'static>(
    prog: &Program,
    regs: &mut [T],
    cols: &[&[T]],
    consts: &[T],
    start: usize,
    out: &mut [T],
    early_exit: bool,
) -> bool {
    crate::batch::run_blocks::<T, Fma>(prog, regs, cols, consts, start, out, early_exit)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
fn run_blocks_avx512<T: Float + 'static>(
    prog: &Program,
    regs: &mut [T],
    cols: &[&[T]],
    consts: &[T],
    start: usize,
    out: &mut [T],
    early_exit: bool,
) -> bool {
    crate::batch::run_blocks::<T, Fma>(prog, regs, cols, consts, start, out, early_exit)
}

/// `x = op(x)` over a slice in the build of [`simd_level`] (the semantics of `Op::apply1`;
/// the JIT's calls and the kernel benchmarks use it).
pub fn simd_apply_unary<T: Float + 'static>(op: Op, x: &mut [T]) {
    // `simd_level` is always supported, so `unary_at`'s check passes.
    unary_at(simd_level(), op, x)
}

/// `x = op(x)` over a slice in the build of `level` (the baseline when the CPU lacks it).
pub fn unary_at<T: Float + 'static>(level: SimdLevel, op: Op, x: &mut [T]) {
    match checked(level) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has every feature `unary_avx512` enables (checked).
        SimdLevel::Avx512 => unsafe { unary_avx512(op, x) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX2 and FMA (checked).
        SimdLevel::Avx2 => unsafe { unary_avx2(op, x) },
        _ => fused::apply_unary_inplace::<T, Plain>(op, x),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn unary_avx2<T: Float + 'static>(op: Op, x: &mut [T]) {
    fused::apply_unary_inplace::<T, Fma>(op, x)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
fn unary_avx512<T: Float + 'static>(op: Op, x: &mut [T]) {
    fused::apply_unary_inplace::<T, Fma>(op, x)
}

/// One interpreter instruction on one block (`n <= BLOCK` rows), in the build of
/// [`simd_level`].
fn exec_simd<T: Float + 'static>(instr: &Instr, regs: &mut [T], view: Cols<'_, T>, consts: &[T], n: usize) {
    match simd_level() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `simd_level` returns Avx512 only on CPUs with all of its features.
        SimdLevel::Avx512 => unsafe { exec_avx512(instr, regs, view, consts, n) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above: Avx2 only on CPUs with AVX2 and FMA.
        SimdLevel::Avx2 => unsafe { exec_avx2(instr, regs, view, consts, n) },
        _ => fused::exec::<T, Plain>(instr, regs, view, consts, n),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn exec_avx2<T: Float + 'static>(instr: &Instr, regs: &mut [T], view: Cols<'_, T>, consts: &[T], n: usize) {
    fused::exec::<T, Fma>(instr, regs, view, consts, n)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
fn exec_avx512<T: Float + 'static>(instr: &Instr, regs: &mut [T], view: Cols<'_, T>, consts: &[T], n: usize) {
    fused::exec::<T, Fma>(instr, regs, view, consts, n)
}

/// A compiled block function, the module owning its code and the context its calls use.
struct Compiled {
    module: Option<JITModule>,
    code: usize,
    /// A second function for programs with `x ^ c` (constant `c`): it computes every such power
    /// inline as `x * x` or `x * x * x` and may only run when each of those constants is 2 or
    /// 3 (indices in `pow_consts`), the exact products the interpreter uses for them.
    code_int_pow: Option<usize>,
    pow_consts: Vec<u32>,
    f32: bool,
    /// Referred to by address from the generated code: boxed so that it never moves.
    _ctx: Box<CallCtx>,
}

// SAFETY: the module is only touched again in `drop`, which has exclusive access; the code
// pointer refers to immutable executable memory that may be called from any thread; the
// context is only read.
unsafe impl Send for Compiled {}
// SAFETY: shared access only reads `code`, `f32` and the context.
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

/// The target ISA the JIT compiles for (shared with [`crate::jit_fit`]).
pub(crate) fn isa() -> Option<&'static OwnedTargetIsa> {
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

/// The registers and columns an instruction reads, and its destination.
fn operands(i: &Instr) -> ([Option<Src>; 3], u32) {
    match *i {
        Instr::Un { a, dst, .. } => ([Some(a), None, None], dst),
        Instr::Bin { a, b, dst, .. } | Instr::UnBin { a, b, dst, .. } => ([Some(a), Some(b), None], dst),
        Instr::Tern { c, a, b, dst, .. } => ([Some(c), Some(a), Some(b)], dst),
    }
}

/// The cached JIT kernel for `prog` in `T`'s precision (`f32` when `T` has 4 bytes, else
/// `f64`), compiling it on first use; `None` when the JIT cannot handle the program (a leaf
/// result, an unsupported host) — callers then use the interpreter.
pub(crate) fn compiled_for<T: Float + 'static>(prog: &Program, _x: Option<T>) -> Option<JitKernel> {
    let single = std::mem::size_of::<T>() <= 4;
    if !matches!(prog.result, Src::Reg(_)) {
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
    for i in &prog.instrs {
        for s in operands(i).0.into_iter().flatten() {
            if let Src::Col(c) = s {
                if !used_cols.contains(&(c as usize)) {
                    used_cols.push(c as usize);
                }
            }
        }
    }
    Some(JitKernel { compiled, prog: prog.clone(), used_cols })
}

impl JitKernel {
    /// Evaluates rows `start .. start + out.len()`; same contract as `Evaluator::run`.
    pub(crate) fn run<T: Float + 'static>(
        &self,
        cols: &[&[T]],
        consts: &[T],
        start: usize,
        out: &mut [T],
        early_exit: bool,
    ) -> bool {
        if self.compiled.f32 {
            self.run_level::<T, f32>(cols, consts, start, out, early_exit)
        } else {
            self.run_level::<T, f64>(cols, consts, start, out, early_exit)
        }
    }

    /// The driver loop (copies, finiteness checks) compiled for the build of [`simd_level`].
    fn run_level<T: Float + 'static, F: Native>(
        &self,
        cols: &[&[T]],
        consts: &[T],
        start: usize,
        out: &mut [T],
        early_exit: bool,
    ) -> bool {
        match simd_level() {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `simd_level` returns Avx512 only on CPUs with all of its features.
            SimdLevel::Avx512 => unsafe { self.run_avx512::<T, F>(cols, consts, start, out, early_exit) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `simd_level` returns Avx2 only on CPUs with AVX2 and FMA.
            SimdLevel::Avx2 => unsafe { self.run_avx2::<T, F>(cols, consts, start, out, early_exit) },
            _ => self.run_native::<T, F>(cols, consts, start, out, early_exit),
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn run_avx2<T: Float + 'static, F: Native>(
        &self,
        cols: &[&[T]],
        consts: &[T],
        start: usize,
        out: &mut [T],
        early_exit: bool,
    ) -> bool {
        self.run_native::<T, F>(cols, consts, start, out, early_exit)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
    fn run_avx512<T: Float + 'static, F: Native>(
        &self,
        cols: &[&[T]],
        consts: &[T],
        start: usize,
        out: &mut [T],
        early_exit: bool,
    ) -> bool {
        self.run_native::<T, F>(cols, consts, start, out, early_exit)
    }

    #[inline(always)]
    fn run_native<T: Float + 'static, F: Native>(
        &self,
        cols: &[&[T]],
        consts: &[T],
        start: usize,
        out: &mut [T],
        early_exit: bool,
    ) -> bool {
        let conv = |v: T| <F as NumCast>::from(v).unwrap_or_else(F::nan);
        let n_cols = self.prog.n_cols.max(1);
        if cols.len() < self.prog.n_cols || self.used_cols.iter().any(|&c| cols[c].len() < start + out.len()) {
            out.fill(T::nan());
            return false;
        }
        let Src::Reg(res) = self.prog.result else { return false };
        // Columns already in the kernel's type are read in place for whole blocks (the
        // generated loops then read exactly the block's BLOCK elements); partial blocks, and
        // columns of another type, are copied into BLOCK-long buffers, because the generated
        // loops read whole vectors up to `round_up(n, lanes)`.
        let direct: Option<Vec<&[F]>> = cols.iter().map(|c| as_type::<T, F>(c)).collect();
        let mut colbuf: Vec<F> = vec![F::zero(); (self.used_cols.len() + 1) * BLOCK];
        let mut regs: Vec<F> = vec![F::zero(); self.prog.n_regs.max(1) * BLOCK];
        let mut cbuf: Vec<F> = consts.iter().map(|c| conv(*c)).collect();
        cbuf.resize(self.prog.n_consts.max(cbuf.len()).max(1), F::nan());
        let two = F::one() + F::one();
        let int_pow = self.compiled.pow_consts.iter().all(|&k| {
            let e = cbuf[k as usize];
            e == two || e == two + F::one()
        });
        let code = match self.compiled.code_int_pow {
            Some(c) if int_pow => c,
            _ => self.compiled.code,
        };
        // SAFETY: both functions were compiled for `F` (checked by `run`) with signature
        // `BlockFn<F>`; the integer-power one only when its precondition (just checked) holds.
        let func: BlockFn<F> = unsafe { std::mem::transmute::<usize, BlockFn<F>>(code) };
        let mut complete = true;
        let mut ptrs: Vec<*const F> = vec![std::ptr::null(); n_cols];
        for (b, block) in out.chunks_mut(BLOCK).enumerate() {
            let (n, off) = (block.len(), start + b * BLOCK);
            match &direct {
                Some(d) if n == BLOCK => {
                    for &c in &self.used_cols {
                        // A whole block of the caller's column: exactly the BLOCK elements read.
                        ptrs[c] = d[c][off..off + BLOCK].as_ptr();
                    }
                    let view = Cols { cols: d, off };
                    func(ptrs.as_ptr(), cbuf.as_ptr(), regs.as_mut_ptr(), n, &view as *const Cols<'_, F> as *const u8);
                }
                _ => {
                    for (k, &c) in self.used_cols.iter().enumerate() {
                        let dst = &mut colbuf[k * BLOCK..][..n];
                        dst.iter_mut().zip(&cols[c][off..off + n]).for_each(|(d, s)| *d = conv(*s));
                    }
                    // Unused columns are empty for the interpreter calls and point at the spare
                    // last BLOCK of `colbuf` for the generated code (never read).
                    let mut view_cols: Vec<&[F]> = vec![&colbuf[self.used_cols.len() * BLOCK..]; n_cols];
                    for (k, &c) in self.used_cols.iter().enumerate() {
                        view_cols[c] = &colbuf[k * BLOCK..][..BLOCK];
                    }
                    for (p, c) in ptrs.iter_mut().zip(&view_cols) {
                        *p = c.as_ptr();
                    }
                    let view = Cols { cols: &view_cols, off: 0 };
                    func(ptrs.as_ptr(), cbuf.as_ptr(), regs.as_mut_ptr(), n, &view as *const Cols<'_, F> as *const u8);
                }
            }
            let res = &regs[res as usize * BLOCK..][..n];
            match as_type_mut::<T, F>(block) {
                Some(b) => b.copy_from_slice(res),
                None => block.iter_mut().zip(res).for_each(|(o, v)| *o = T::from(*v).unwrap_or_else(T::nan)),
            }
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

// ---------------------------------------------------------------------------------------
// Compiled fit functions (generated by `jit_fit`): ownership of their code and the one call.

/// Signature of a compiled fit function (see [`crate::jit_fit`]): `(variable column pointers,
/// constants, target, weights, n, accumulators, values, jacobian)`.
type FitFn = extern "C" fn(*const *const f64, *const f64, *const f64, *const f64, usize, *mut f64, *mut f64, *mut f64);

/// What a compiled fit function reads and writes, for `n` rows: `cols[v][..n]` for every `v`
/// in `used_vars` (the pointer array has `n_vars` entries), `consts[..n_consts]`,
/// `target[..n]`, `weights[..n]`, `acc[..acc_len]`, and with `rows_out` also `values[..n]`
/// and `jac[..n * n_params]`. `jit_fit` generates code that touches nothing else.
#[derive(Clone, Debug)]
pub(crate) struct FitLayout {
    pub n_vars: usize,
    pub used_vars: Vec<usize>,
    pub n_consts: usize,
    pub n_params: usize,
    pub acc_len: usize,
    pub rows_out: bool,
}

/// A finalised fit function and the module owning its code.
pub(crate) struct FitCode {
    module: Option<JITModule>,
    code: usize,
    layout: FitLayout,
}

// SAFETY: as for `Compiled`: the module is only touched again in `drop` (exclusive access), the
// code is immutable executable memory callable from any thread, the layout is plain data.
unsafe impl Send for FitCode {}
// SAFETY: shared access only reads `code` and `layout`.
unsafe impl Sync for FitCode {}

impl Drop for FitCode {
    fn drop(&mut self) {
        if let Some(m) = self.module.take() {
            // SAFETY: the last owner is being dropped, so nobody can call the code any more.
            unsafe { m.free_memory() };
        }
    }
}

impl FitCode {
    /// Finalises `module`, whose function `id` was defined by `jit_fit` with the [`FitFn`]
    /// signature and the memory accesses described by `layout`.
    pub(crate) fn new(mut module: JITModule, id: cranelift_module::FuncId, layout: FitLayout) -> Option<FitCode> {
        module.finalize_definitions().ok()?;
        let code = module.get_finalized_function(id) as usize;
        Some(FitCode { module: Some(module), code, layout })
    }

    /// Runs the function over `n = target.len()` rows. Returns false (and runs nothing) when a
    /// buffer is shorter than the layout requires.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn call(
        &self,
        cols: &[&[f64]],
        consts: &[f64],
        target: &[f64],
        weights: &[f64],
        acc: &mut [f64],
        values: &mut [f64],
        jac: &mut [f64],
    ) -> bool {
        let l = &self.layout;
        let n = target.len();
        let ok = cols.len() == l.n_vars
            && l.used_vars.iter().all(|&v| v < cols.len() && cols[v].len() >= n)
            && consts.len() >= l.n_consts
            && weights.len() >= n
            && acc.len() >= l.acc_len
            && (!l.rows_out || (values.len() >= n && n.checked_mul(l.n_params).is_some_and(|m| jac.len() >= m)));
        if !ok {
            return false;
        }
        let ptrs: Vec<*const f64> = cols.iter().map(|c| c.as_ptr()).collect();
        // SAFETY: `jit_fit` generated this function with the `FitFn` signature; it reads and
        // writes only the ranges of `FitLayout`, and every one of them lies inside the slices
        // just checked (borrowed for the whole call, the mutable ones exclusively).
        let func: FitFn = unsafe { std::mem::transmute::<usize, FitFn>(self.code) };
        func(
            ptrs.as_ptr(),
            consts.as_ptr(),
            target.as_ptr(),
            weights.as_ptr(),
            n,
            acc.as_mut_ptr(),
            values.as_mut_ptr(),
            jac.as_mut_ptr(),
        );
        true
    }
}

/// One lowered step: a SIMD loop over arithmetic instructions, or a call of the interpreter
/// for one instruction (by index into the program).
enum Step {
    Group(Vec<GOp>),
    Call(u32),
}

#[derive(Copy, Clone)]
enum GOp {
    Un {
        op: Op,
        a: Src,
        dst: u32,
    },
    Bin {
        op: Op,
        a: Src,
        b: Src,
        dst: u32,
    },
    /// `a ^ consts[k]` where the constant is 2 or 3 (the integer-power variant only).
    PowK {
        a: Src,
        k: u32,
        dst: u32,
    },
}

impl GOp {
    fn srcs(&self) -> [Option<Src>; 2] {
        match *self {
            GOp::Un { a, .. } | GOp::PowK { a, .. } => [Some(a), None],
            GOp::Bin { a, b, .. } => [Some(a), Some(b)],
        }
    }

    fn dst(&self) -> u32 {
        match *self {
            GOp::Un { dst, .. } | GOp::Bin { dst, .. } | GOp::PowK { dst, .. } => dst,
        }
    }
}

fn arith_unary(op: Op) -> bool {
    matches!(op, Op::Neg | Op::Abs | Op::Sqrt | Op::Square | Op::Cube | Op::Inv)
}

fn arith_binary(op: Op) -> bool {
    matches!(op, Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Max | Op::Min)
}

/// The binary part of an instruction as an inline operation, if it is arithmetic (or, with
/// `int_pow`, a power with a constant exponent).
fn inline_bin(op: Op, a: Src, b: Src, dst: u32, int_pow: bool) -> Option<GOp> {
    match (op, b) {
        _ if arith_binary(op) => Some(GOp::Bin { op, a, b, dst }),
        (Op::Pow, Src::Const(k)) if int_pow => Some(GOp::PowK { a, k, dst }),
        _ => None,
    }
}

/// The instruction as inline vector operations, when all its operators are arithmetic.
fn inline_ops(i: &Instr, int_pow: bool) -> Option<Vec<GOp>> {
    match *i {
        Instr::Un { op, a, dst } if arith_unary(op) => Some(vec![GOp::Un { op, a, dst }]),
        Instr::Bin { op, a, b, dst } => Some(vec![inline_bin(op, a, b, dst, int_pow)?]),
        Instr::UnBin { un, op, a, b, dst } if arith_unary(un) => {
            Some(vec![inline_bin(op, a, b, dst, int_pow)?, GOp::Un { op: un, a: Src::Reg(dst), dst }])
        }
        _ => None,
    }
}

/// Constants used as exponents of `x ^ c` (the integer-power variant's precondition).
fn pow_consts(prog: &Program) -> Vec<u32> {
    let mut ks: Vec<u32> = Vec::new();
    for i in &prog.instrs {
        if let Instr::Bin { op: Op::Pow, b: Src::Const(k), .. } | Instr::UnBin { op: Op::Pow, b: Src::Const(k), .. } =
            *i
        {
            if !ks.contains(&k) {
                ks.push(k);
            }
        }
    }
    ks
}

/// Runs of arithmetic instructions become groups (those shorter than [`MIN_GROUP`] calls);
/// every other instruction a call.
fn lower(prog: &Program, int_pow: bool) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut run: Vec<(u32, Vec<GOp>)> = Vec::new();
    let flush = |steps: &mut Vec<Step>, run: &mut Vec<(u32, Vec<GOp>)>| {
        if run.len() >= MIN_GROUP {
            steps.push(Step::Group(run.drain(..).flat_map(|(_, g)| g).collect()));
        } else {
            steps.extend(run.drain(..).map(|(i, _)| Step::Call(i)));
        }
    };
    for (idx, i) in prog.instrs.iter().enumerate() {
        match inline_ops(i, int_pow) {
            Some(g) => run.push((idx as u32, g)),
            None => {
                flush(&mut steps, &mut run);
                steps.push(Step::Call(idx as u32));
            }
        }
    }
    flush(&mut steps, &mut run);
    steps
}

/// For each group step, which of its operations must store their value to the register
/// buffer: those whose register is read from memory later (by an interpreter call, by a later
/// group that does not hold it in a vector register, or as the program's result) before
/// being overwritten. Values only used inside their own group stay in vector registers.
fn stores_needed(steps: &[Step], prog: &Program) -> Vec<Vec<bool>> {
    let mut needed: HashSet<u32> = HashSet::new();
    if let Src::Reg(r) = prog.result {
        needed.insert(r);
    }
    let reg = |s: &Src| match s {
        Src::Reg(r) => Some(*r),
        _ => None,
    };
    let mut out: Vec<Vec<bool>> = steps.iter().map(|_| Vec::new()).collect();
    for (si, step) in steps.iter().enumerate().rev() {
        match step {
            Step::Call(idx) => {
                let (srcs, dst) = operands(&prog.instrs[*idx as usize]);
                needed.remove(&dst);
                needed.extend(srcs.iter().flatten().filter_map(reg));
            }
            Step::Group(ops) => {
                // Registers each operation reads from memory: those not yet written in the group.
                let mut written: HashSet<u32> = HashSet::new();
                let mut mem_reads: Vec<Vec<u32>> = Vec::with_capacity(ops.len());
                for g in ops {
                    mem_reads
                        .push(g.srcs().iter().flatten().filter_map(reg).filter(|r| !written.contains(r)).collect());
                    written.insert(g.dst());
                }
                let mut store = vec![false; ops.len()];
                for (j, g) in ops.iter().enumerate().rev() {
                    store[j] = needed.remove(&g.dst());
                    needed.extend(mem_reads[j].iter().copied());
                }
                out[si] = store;
            }
        }
    }
    out
}

fn compile<F: Native>(prog: &Program) -> Option<Compiled> {
    let isa = isa()?.clone();
    let ptr = isa.pointer_type();
    let mut module = JITModule::new(JITBuilder::with_isa(isa, default_libcall_names()));
    let call_ctx = Box::new(CallCtx { instrs: prog.instrs.clone(), n_regs: prog.n_regs, n_consts: prog.n_consts });
    let pow_consts = pow_consts(prog);
    let general = define::<F>(&mut module, prog, &call_ctx, false)?;
    let int_pow = if pow_consts.is_empty() { None } else { Some(define::<F>(&mut module, prog, &call_ctx, true)?) };
    let _ = ptr;
    module.finalize_definitions().ok()?;
    let code = module.get_finalized_function(general) as usize;
    let code_int_pow = int_pow.map(|f| module.get_finalized_function(f) as usize);
    Some(Compiled { module: Some(module), code, code_int_pow, pow_consts, f32: F::LANES == 4, _ctx: call_ctx })
}

/// Declares and defines one block function for `prog` (`int_pow`: the integer-power variant).
fn define<F: Native>(
    module: &mut JITModule,
    prog: &Program,
    call_ctx: &CallCtx,
    int_pow: bool,
) -> Option<cranelift_module::FuncId> {
    let ptr = module.target_config().pointer_type();
    let mut ctx = module.make_context();
    let mut fctx = FunctionBuilderContext::new();
    let call_conv = module.target_config().default_call_conv;
    let mut sig = module.make_signature();
    for _ in 0..5 {
        sig.params.push(AbiParam::new(ptr));
    }
    let name = if int_pow { "block_int_pow" } else { "block" };
    let fid = module.declare_function(name, Linkage::Local, &sig).ok()?;
    ctx.func.signature = sig;
    ctx.func.name = UserFuncName::user(0, fid.as_u32());
    let frontend = module.target_config();
    {
        let mut bcx = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        emit::<F>(&mut bcx, prog, call_ctx, ptr, call_conv, int_pow);
        bcx.seal_all_blocks();
        bcx.finalize(frontend);
    }
    module.define_function(fid, &mut ctx).ok()?;
    module.clear_context(&mut ctx);
    Some(fid)
}

fn emit<F: Native>(
    bcx: &mut FunctionBuilder,
    prog: &Program,
    call_ctx: &CallCtx,
    ptr: Type,
    cc: CallConv,
    int_pow: bool,
) {
    let flags = MemFlagsData::new().with_notrap();
    let size = std::mem::size_of::<F>() as i64;
    let entry = bcx.create_block();
    bcx.append_block_params_for_function_params(entry);
    bcx.switch_to_block(entry);
    let p = bcx.block_params(entry).to_vec();
    let (cols, consts, regs, n, view) = (p[0], p[1], p[2], p[3], p[4]);
    let mut csig = Signature::new(cc);
    csig.params.extend([
        AbiParam::new(ptr),
        AbiParam::new(types::I32),
        AbiParam::new(ptr),
        AbiParam::new(ptr),
        AbiParam::new(ptr),
        AbiParam::new(ptr),
    ]);
    let csig = bcx.import_signature(csig);
    let reg_off = |r: u32| (r as i64 * BLOCK as i64 * size) as i32;
    let n_bytes = bcx.ins().imul_imm_s(n, size);
    let steps = lower(prog, int_pow);
    let stores = stores_needed(&steps, prog);
    for (si, step) in steps.into_iter().enumerate() {
        match step {
            Step::Call(idx) => {
                let f = bcx.ins().iconst(ptr, cb_exec::<F> as *const () as i64);
                let c = bcx.ins().iconst(ptr, call_ctx as *const CallCtx as i64);
                let i = bcx.ins().iconst(types::I32, idx as i64);
                bcx.ins().call_indirect(csig, f, &[c, i, view, consts, regs, n]);
            }
            Step::Group(ops) => {
                let store = &stores[si];
                // Constants (splatted) and column pointers of this group, loaded before its
                // loop (not once per function: they would not survive the calls in between).
                let mut kvals: HashMap<u32, Value> = HashMap::new();
                let mut cptrs: HashMap<u32, Value> = HashMap::new();
                // Per integer-power exponent: an all-ones lane mask when it is 3 (else 2).
                let mut cube_masks: HashMap<u32, Value> = HashMap::new();
                for g in &ops {
                    if let GOp::PowK { k, .. } = *g {
                        if let std::collections::hash_map::Entry::Vacant(slot) = cube_masks.entry(k) {
                            let e = bcx.ins().load(F::TY, flags, consts, (k as i64 * size) as i32);
                            let three = if F::LANES == 4 { bcx.ins().f32const(3.0) } else { bcx.ins().f64const(3.0) };
                            let is3 = bcx.ins().fcmp(FloatCC::Equal, e, three);
                            let ity = if F::LANES == 4 { types::I32 } else { types::I64 };
                            let ones = bcx.ins().iconst(ity, -1);
                            let zero = bcx.ins().iconst(ity, 0);
                            let m = bcx.ins().select(is3, ones, zero);
                            let m = bcx.ins().bitcast(F::TY, MemFlagsData::new(), m);
                            slot.insert(bcx.ins().splat(F::VEC, m));
                        }
                    }
                    for s in g.srcs().into_iter().flatten() {
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
                // The loop covers `round_up(n, UNROLL * LANES) <= BLOCK` elements.
                let stride = (UNROLL * F::LANES) as i64 * size;
                let header = bcx.create_block();
                let body = bcx.create_block();
                let exit = bcx.create_block();
                bcx.append_block_param(header, ptr);
                let zero = bcx.ins().iconst(ptr, 0);
                bcx.ins().jump(header, &[BlockArg::Value(zero)]);
                bcx.switch_to_block(header);
                let byte = bcx.block_params(header)[0];
                let more = bcx.ins().icmp(IntCC::UnsignedLessThan, byte, n_bytes);
                bcx.ins().brif(more, body, &[], exit, &[]);
                bcx.switch_to_block(body);
                let rbase = bcx.ins().iadd(regs, byte);
                let cbase: HashMap<u32, Value> = cptrs.iter().map(|(c, p)| (*c, bcx.ins().iadd(*p, byte))).collect();
                for u in 0..UNROLL {
                    let lane_off = (u * F::LANES) as i64 * size;
                    let mut live: HashMap<u32, Value> = HashMap::new();
                    let read = |bcx: &mut FunctionBuilder, s: Src, live: &HashMap<u32, Value>| match s {
                        Src::Const(k) => kvals[&k],
                        Src::Col(c) => bcx.ins().load(F::VEC, flags, cbase[&c], lane_off as i32),
                        Src::Reg(r) => match live.get(&r) {
                            Some(v) => *v,
                            None => bcx.ins().load(F::VEC, flags, rbase, reg_off(r) + lane_off as i32),
                        },
                    };
                    for (j, g) in ops.iter().enumerate() {
                        let (v, dst) = match *g {
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
                                        let one = if F::LANES == 4 {
                                            bcx.ins().f32const(1.0)
                                        } else {
                                            bcx.ins().f64const(1.0)
                                        };
                                        let one = bcx.ins().splat(F::VEC, one);
                                        bcx.ins().fdiv(one, x)
                                    }
                                };
                                (v, dst)
                            }
                            GOp::PowK { a, k, dst } => {
                                // x * x, or (x * x) * x: the interpreter's exact products.
                                let x = read(bcx, a, &live);
                                let x2 = bcx.ins().fmul(x, x);
                                let x3 = bcx.ins().fmul(x2, x);
                                (bcx.ins().bitselect(cube_masks[&k], x3, x2), dst)
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
                        if store[j] {
                            bcx.ins().store(flags, v, rbase, reg_off(dst) + lane_off as i32);
                        }
                        live.insert(dst, v);
                    }
                }
                let next = bcx.ins().iadd_imm_s(byte, stride);
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
