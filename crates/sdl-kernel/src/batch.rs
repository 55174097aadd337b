//! Batched evaluation: the public `eval*` entry points.
//!
//! In: a formula, constants and a columnar [`Dataset`]. Out: one value per row and the
//! "complete" flag (every value finite). The formula is compiled once into a [`Program`];
//! rows are processed in blocks of [`BLOCK`] through the fused kernels or the JIT (chosen by
//! [`crate::cost`]); large row counts are split over rayon's threads, and many formulas are
//! evaluated in parallel by [`eval_many`]. Errors (unknown variables, too few constants, wrong
//! output length) give NaN output and `false`, never a panic.

use crate::cost::{choose_engine, Engine};
use crate::fused::{exec, Cols, BLOCK};
use crate::vmath::Isa;
use crate::{jit, Dataset, KernelError, Program};
use num_traits::Float;
use rayon::prelude::*;
use sdl_formula::Formula;
use std::sync::atomic::{AtomicBool, Ordering};

pub use crate::fused::BLOCK as BLOCK_ROWS;
pub use crate::program::Src;

/// Rows per parallel task (whole blocks); fewer rows than two tasks run on the caller's thread.
const PAR_CHUNK: usize = 16 * BLOCK;

/// Reusable per-thread evaluation buffers (the register file).
#[derive(Clone, Debug, Default)]
pub struct Evaluator<T> {
    regs: Vec<T>,
}

impl<T: Float + Send + Sync + 'static> Evaluator<T> {
    /// An evaluator with empty buffers (they grow on first use and are then reused).
    pub fn new() -> Self {
        Evaluator { regs: Vec::new() }
    }

    /// Evaluates rows `start .. start + out.len()` of `data` with the interpreter. Returns true
    /// when all values are finite; with `early_exit` it stops after the first block holding a
    /// non-finite value (later values are then unspecified).
    pub fn run(
        &mut self,
        prog: &Program,
        cols: &[&[T]],
        consts: &[T],
        start: usize,
        out: &mut [T],
        early_exit: bool,
    ) -> bool {
        let need = prog.n_regs.max(1) * BLOCK;
        if self.regs.len() < need {
            self.regs.resize(need, T::zero());
        }
        // The block loop, compiled for the widest SIMD the CPU has (see `jit::run_blocks_simd`).
        jit::run_blocks_simd(prog, &mut self.regs, cols, consts, start, out, early_exit)
    }
}

/// The block loop of the fused interpreter; `regs` holds `n_regs * BLOCK` values. Always
/// inlined so that `jit::run_blocks_simd` can compile it for wider vector units.
#[inline(always)]
pub(crate) fn run_blocks<T: Float + 'static, S: Isa>(
    prog: &Program,
    regs: &mut [T],
    cols: &[&[T]],
    consts: &[T],
    start: usize,
    out: &mut [T],
    early_exit: bool,
) -> bool {
    let mut complete = true;
    for (b, block) in out.chunks_mut(BLOCK).enumerate() {
        let n = block.len();
        let view = Cols { cols, off: start + b * BLOCK };
        for instr in &prog.instrs {
            exec::<T, S>(instr, regs, view, consts, n);
        }
        write_result(prog.result, regs, view, consts, block);
        if !block.iter().fold(true, |acc, v| acc & v.is_finite()) {
            complete = false;
            if early_exit {
                return false;
            }
        }
    }
    complete
}

/// Copies the program's result operand into `block`.
#[inline(always)]
pub(crate) fn write_result<T: Float>(result: Src, regs: &[T], view: Cols<'_, T>, consts: &[T], block: &mut [T]) {
    let n = block.len();
    match result {
        Src::Reg(r) => block.copy_from_slice(&regs[r as usize * BLOCK..][..n]),
        Src::Col(c) => block.copy_from_slice(&view.cols[c as usize][view.off..view.off + n]),
        Src::Const(k) => block.fill(consts.get(k as usize).copied().unwrap_or_else(T::nan)),
    }
}

/// Evaluates `f` (variables matched to `data`'s names by name) with constants `consts` into
/// `out` (`out.len() == data.n_rows()`). Returns true when every value is finite; stops early
/// after the first block with a non-finite value (the rest of `out` is then unspecified).
pub fn eval_into<T: Float + Send + Sync + 'static>(
    f: &Formula,
    consts: &[T],
    data: &Dataset<T>,
    out: &mut [T],
) -> bool {
    match try_eval_into(f, consts, data, out, true) {
        Ok(complete) => complete,
        Err(_) => {
            out.fill(T::nan());
            false
        }
    }
}

/// Evaluates `f` with its own constants; all values are computed (no early exit).
pub fn eval<T: Float + Send + Sync + 'static>(f: &Formula, data: &Dataset<T>) -> (Vec<T>, bool) {
    let consts: Vec<T> = f.consts.iter().map(|c| T::from(*c).unwrap_or_else(T::nan)).collect();
    let mut out = vec![T::nan(); data.n_rows()];
    match try_eval_into(f, &consts, data, &mut out, false) {
        Ok(complete) => (out, complete),
        Err(_) => (vec![T::nan(); data.n_rows()], false),
    }
}

/// Evaluates many formulas (each with its own constants) in parallel, one formula per task.
pub fn eval_many<T: Float + Send + Sync + 'static>(fs: &[Formula], data: &Dataset<T>) -> Vec<(Vec<T>, bool)> {
    fs.par_iter()
        .map_init(Evaluator::new, |ev, f| {
            let consts: Vec<T> = f.consts.iter().map(|c| T::from(*c).unwrap_or_else(T::nan)).collect();
            let mut out = vec![T::nan(); data.n_rows()];
            let cols: Vec<&[T]> = data.columns().iter().map(Vec::as_slice).collect();
            let complete = match Program::compile(f, data.names()) {
                Ok(p) if consts.len() >= p.n_consts => ev.run(&p, &cols, &consts, 0, &mut out, false),
                _ => {
                    out.fill(T::nan());
                    false
                }
            };
            (out, complete)
        })
        .collect()
}

/// Like [`eval_into`] but reports why a formula could not be evaluated. `early_exit` chooses
/// whether to stop at the first non-finite block.
pub fn try_eval_into<T: Float + Send + Sync + 'static>(
    f: &Formula,
    consts: &[T],
    data: &Dataset<T>,
    out: &mut [T],
    early_exit: bool,
) -> Result<bool, KernelError> {
    if out.len() != data.n_rows() {
        return Err(KernelError::LengthMismatch { what: "output", len: out.len(), expected: data.n_rows() });
    }
    let prog = Program::compile(f, data.names())?;
    if consts.len() < prog.n_consts {
        return Err(KernelError::MissingConstants { needed: prog.n_consts, given: consts.len() });
    }
    let engine = choose_engine(&prog, data.n_rows());
    Ok(run_program(&prog, engine, consts, data, out, early_exit))
}

/// Runs a compiled program with a given engine over all rows (in parallel when large).
pub fn run_program<T: Float + Send + Sync + 'static>(
    prog: &Program,
    engine: Engine,
    consts: &[T],
    data: &Dataset<T>,
    out: &mut [T],
    early_exit: bool,
) -> bool {
    let cols: Vec<&[T]> = data.columns().iter().map(Vec::as_slice).collect();
    let compiled = match engine {
        Engine::Jit => jit::compiled_for::<T>(prog, None),
        _ => None,
    };
    let run_chunk = |ev: &mut Evaluator<T>, start: usize, chunk: &mut [T]| match &compiled {
        Some(k) => k.run(&cols, consts, start, chunk, early_exit),
        None if engine == Engine::Reference => reference_chunk(prog, &cols, consts, start, chunk),
        None => ev.run(prog, &cols, consts, start, chunk, early_exit),
    };
    if out.len() < 2 * PAR_CHUNK || rayon::current_num_threads() < 2 {
        return run_chunk(&mut Evaluator::new(), 0, out);
    }
    let stop = AtomicBool::new(false);
    let all_finite = AtomicBool::new(true);
    out.par_chunks_mut(PAR_CHUNK).enumerate().for_each_init(Evaluator::new, |ev, (c, chunk)| {
        if early_exit && stop.load(Ordering::Relaxed) {
            return;
        }
        if !run_chunk(ev, c * PAR_CHUNK, chunk) {
            all_finite.store(false, Ordering::Relaxed);
            stop.store(true, Ordering::Relaxed);
        }
    });
    all_finite.load(Ordering::Relaxed)
}

/// Runs a compiled program with a given engine over all rows on the calling thread.
pub fn run_program_serial<T: Float + Send + Sync + 'static>(
    prog: &Program,
    engine: Engine,
    consts: &[T],
    data: &Dataset<T>,
    out: &mut [T],
    early_exit: bool,
) -> bool {
    let cols: Vec<&[T]> = data.columns().iter().map(Vec::as_slice).collect();
    match engine {
        Engine::Reference => reference_chunk(prog, &cols, consts, 0, out),
        Engine::Jit => match jit::compiled_for::<T>(prog, None) {
            Some(k) => k.run(&cols, consts, 0, out, early_exit),
            None => Evaluator::new().run(prog, &cols, consts, 0, out, early_exit),
        },
        Engine::Fused => Evaluator::new().run(prog, &cols, consts, 0, out, early_exit),
    }
}

/// The interpreter without fusion tricks, one row at a time (the "reference" engine of the
/// benchmark, generic over `T`).
fn reference_chunk<T: Float>(prog: &Program, cols: &[&[T]], consts: &[T], start: usize, out: &mut [T]) -> bool {
    let mut stack: Vec<T> = vec![T::zero(); prog.n_regs.max(1)];
    let read = |s: Src, stack: &[T], r: usize| match s {
        Src::Col(c) => cols[c as usize][r],
        Src::Const(k) => consts.get(k as usize).copied().unwrap_or_else(T::nan),
        Src::Reg(i) => stack[i as usize],
    };
    use crate::program::Instr;
    for (i, o) in out.iter_mut().enumerate() {
        let r = start + i;
        for ins in &prog.instrs {
            match *ins {
                Instr::Un { op, a, dst } => stack[dst as usize] = crate::vmath::scalar1(op, read(a, &stack, r)),
                Instr::Bin { op, a, b, dst } => {
                    stack[dst as usize] = crate::fused::scalar2(op, read(a, &stack, r), read(b, &stack, r))
                }
                Instr::Tern { op, c, a, b, dst } => {
                    stack[dst as usize] =
                        crate::fused::ternary(op, read(c, &stack, r), read(a, &stack, r), read(b, &stack, r))
                }
                Instr::UnBin { un, op, a, b, dst } => {
                    let v = crate::fused::scalar2(op, read(a, &stack, r), read(b, &stack, r));
                    stack[dst as usize] = crate::vmath::scalar1(un, v)
                }
            }
        }
        *o = read(prog.result, &stack, r);
    }
    out.iter().all(|v| v.is_finite())
}
