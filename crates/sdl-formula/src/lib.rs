//! `sdl-formula`: formulas as data. A [`Formula`] is a flat postfix node array with separate
//! constants and variable names; [`Op`] is the operator library with reference semantics;
//! [`custom`] holds user-defined operators. This crate knows nothing of the sdl language: it is
//! a plain Rust library that the kernel, the search and the language build on.

pub mod custom;
mod formula;
pub mod op;
pub mod opset;
pub mod rng;

pub use formula::{Formula, Node};
pub use op::Op;
pub use opset::{OperatorSet, Violation};
