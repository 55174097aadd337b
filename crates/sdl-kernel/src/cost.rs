//! The cost model: which engine evaluates a program over a given number of rows.
//!
//! In: a compiled [`Program`] and a row count. Out: an [`Engine`]. The rule and the numbers
//! behind it (release build, 2-core shared x86-64 with AVX2, `examples/per_formula.rs` on
//! `benches/formulas.txt`, f32, ns per row for fused / JIT / row interpreter):
//!
//! * 1 row: fused 170–385, row interpreter 75–190 (the block engine pays for its register
//!   file); 8 rows: fused 26–55, row interpreter 39–89. So fewer than [`SMALL_ROWS`] rows
//!   use the row interpreter, the rest the fused block interpreter.
//! * JIT: compiling a structure costs 0.1–4 ms (cached by structure afterwards). Whole
//!   benchmark at 10,000 rows, f32, one thread (2026-12-02, AVX-512 host, node evaluations
//!   per second): AVX-512 build fused 1.2e10 / JIT 1.07e10; AVX2 build (`SDL_KERNEL_SIMD=avx2`)
//!   fused 9.6e9 / JIT 8.5e9; baseline SSE2 build fused 4.7e9 / JIT 4.8e9. Cranelift emits
//!   128-bit SIMD for the arithmetic it keeps in registers, so the JIT only wins where the
//!   interpreter is also 128 bits wide: on wide hosts the fused interpreter is chosen, on
//!   baseline hosts the JIT from [`JIT_MIN_WORK`] row-operations, the work at which ~1 ms of
//!   compilation is repaid by ~0.5 ns saved per operation.
//! * Constant fitting ([`fit_uses_jit`]): the compiled value–loss–gradient functions of
//!   [`crate::jit_fit`] against `grad_consts` + the fit's Rust loops, one thread, f64,
//!   `examples/fit_throughput.rs` on the 10 benchmark formulas with constants (2026-12-03,
//!   2-core shared x86-64, log in `bench/results/fit-jit-2026-12-03.txt`): one BFGS evaluation
//!   (loss + gradient) costs 7.7–10.2 ns per node-row fused and 2.6–3.1 ns compiled (3.0–3.5×
//!   over the set at 100, 1,000 and 10,000 rows; 2.4× for `cos`-bound formulas, 6–7× for
//!   `exp`-bound ones), LM's normal equations 8.3–9.7 vs 3.0–3.1 ns (2.8–3.1×). Compiling one
//!   function costs 0.66–1.35 ms. So compiling pays once 5–7 ns saved per node-row evaluation
//!   has repaid ~1 ms: at 90,000–265,000 node-row evaluations; [`FIT_JIT_MIN_WORK`] is
//!   200,000. A fit's evaluations are estimated per start as `max_iter` for BFGS (measured
//!   1.2–2.7× that, line searches included) and `min(max_iter, 10)` for LM (measured 4–10 per
//!   start); the standard errors are one more. A structure already compiled costs nothing, so
//!   it always takes the compiled path (the two paths give bit-identical fits, so neither this
//!   rule nor the cache's state can change a result).
//!

use crate::Program;

/// An evaluation engine.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Engine {
    /// Row-by-row interpreter over the compiled program (no block buffers).
    Reference,
    /// Block interpreter with fused kernels.
    Fused,
    /// Cranelift-compiled block function.
    Jit,
}

impl Engine {
    /// The engine's name as printed by the benchmark.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Reference => "reference",
            Engine::Fused => "fused",
            Engine::Jit => "jit",
        }
    }
}

/// Below this many rows the row interpreter is cheaper than setting up a block.
pub const SMALL_ROWS: usize = 4;

/// Rows × operator applications from which the JIT is chosen on hosts without AVX2.
pub const JIT_MIN_WORK: usize = 2_000_000;

/// Node-row evaluations (formula nodes × rows × expected evaluations) from which a fit compiles
/// its value–loss–gradient function (see the module documentation).
pub const FIT_JIT_MIN_WORK: usize = 200_000;

/// Whether a constant fit of a formula with `n_nodes` nodes over `rows` rows, expecting `evals`
/// evaluations of values and gradient, uses the compiled functions of [`crate::jit_fit`]
/// (`cached`: the function for this structure is compiled already, so it costs nothing).
pub fn fit_uses_jit(n_nodes: usize, rows: usize, evals: usize, cached: bool) -> bool {
    cached || n_nodes.saturating_mul(rows).saturating_mul(evals) >= FIT_JIT_MIN_WORK
}

/// Chooses the engine for evaluating `prog` once over `rows` rows.
pub fn choose_engine(prog: &Program, rows: usize) -> Engine {
    if rows < SMALL_ROWS {
        Engine::Reference
    } else if !wide_simd() && rows.saturating_mul(prog.n_ops()) >= JIT_MIN_WORK {
        Engine::Jit
    } else {
        Engine::Fused
    }
}

/// True when the fused interpreter runs a build wider than the baseline.
fn wide_simd() -> bool {
    crate::jit::simd_level() > crate::jit::SimdLevel::Baseline
}

#[cfg(test)]
mod tests {
    use super::*;
    use sdl_formula::{Formula, Op};

    #[test]
    fn small_inputs_use_the_row_interpreter() {
        let f = Formula::apply(Op::Exp, vec![Formula::var("x")]);
        let p = Program::compile(&f, &["x".to_string()]).unwrap();
        assert_eq!(choose_engine(&p, 1), Engine::Reference);
        assert_ne!(choose_engine(&p, 1000), Engine::Reference);
        if wide_simd() {
            assert_eq!(choose_engine(&p, 10_000_000), Engine::Fused);
        } else {
            assert_eq!(choose_engine(&p, 10_000_000), Engine::Jit);
        }
    }

    #[test]
    fn fits_compile_when_the_work_repays_compilation() {
        // The search's fits: ~10 nodes, 3 starts x 8 BFGS iterations.
        assert!(!fit_uses_jit(10, 500, 24, false));
        assert!(fit_uses_jit(10, 1000, 24, false));
        assert!(fit_uses_jit(10, 500, 24, true), "a compiled structure costs nothing");
        assert!(!fit_uses_jit(10, 10_000, 1, false), "one evaluation does not repay ~1 ms");
    }
}
