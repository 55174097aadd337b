//! `sdl-kernel`: batched evaluation of formulas (reference interpreter, fused kernels, JIT),
//! derivatives and constant fitting.
//!
//! In: a [`sdl_formula::Formula`] and a columnar [`Dataset`]. Out: one value per row plus a
//! "complete" flag that is true exactly when every value is finite. Every engine (reference,
//! fused block interpreter, Cranelift JIT) computes the same operator semantics as
//! [`sdl_formula::Op::apply1`] and friends, within the ULP bounds stated in [`vmath`]; none of
//! them panics on user data (unknown variables, ragged input, NaN, zero rows).
//!
//! Constant fitting ([`fit`]) evaluates one structure many times with new constants; where the
//! cost model says it pays, it runs compiled value–loss–gradient functions ([`jit_fit`]) that
//! give bit-identical results to [`grad_consts`] and the fit's own loops.

pub mod batch;
pub mod bench;
pub mod cost;
mod dataset;
mod error;
pub mod fit;
mod fused;
pub mod grad;
pub mod jit;
pub mod jit_fit;
pub mod loss;
pub mod program;
pub mod reference;
pub mod vmath;

#[cfg(test)]
mod agree;

pub use batch::{eval, eval_into, eval_many, try_eval_into, Evaluator};
pub use bench::{bench_eval, Precision};
pub use cost::{choose_engine, Engine};
pub use dataset::Dataset;
pub use error::KernelError;
pub use fit::{fit_constants, fit_constants_with, FitEngine, FitOptions, FitResult, Method};
pub use grad::{grad_consts, grad_vars, Jacobian};
pub use loss::{loss_value, Loss};
pub use program::Program;
pub use reference::{eval_reference, eval_reference_with};
