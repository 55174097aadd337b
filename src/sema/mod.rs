//! Sema: name resolution and type checking of the syntax tree, before anything runs. Its
//! output is the checked tree ([`crate::tree`]) and every diagnostic.
//!
//! **Invariant:** the checker never panics and reports every independent error; execution
//! starts only when it reports none. It reads a CSV header when `load` is given a literal path,
//! so an unknown column is reported statically.

mod check;
pub mod graphnet;
pub mod opset;
pub mod symbolic;

pub use check::{mismatch, Checker, FnDef};
