//! `sdl-formula`: formulas as data. A [`Formula`] is a flat postfix node array with separate
//! constants and variable names; [`Op`] is the operator library with reference semantics;
//! [`custom`] holds user-defined operators. This crate knows nothing of the sdl language: it is
//! a plain Rust library that the kernel, the search and the language build on.
//!
//! Besides evaluation, a formula value can be printed ([`std::fmt::Display`], [`to_latex`],
//! [`to_sympy`], [`to_numpy`], [`to_rust`], MathML with [`to_mathml`]), parsed back
//! ([`parse`]), simplified ([`simplify`], [`subs`]) and differentiated ([`diff`]); [`gen`] draws
//! random formulas for tests.

pub mod custom;
mod diff;
mod formula;
pub mod gen;
mod mathml;
pub mod op;
pub mod opset;
mod parse;
mod print;
pub mod rng;
mod simplify;
pub mod tree;

pub use diff::diff;
pub use formula::{Formula, Node};
pub use mathml::to_mathml;
pub use op::Op;
pub use opset::{OperatorSet, Violation};
pub use parse::{parse, parse_in, ParseError, MAX_DEPTH};
pub use print::{to_latex, to_latex_with_units, to_numpy, to_rust, to_sympy, to_sympy_with_units};
pub use simplify::{simplify, subs};
pub use tree::Expr;
