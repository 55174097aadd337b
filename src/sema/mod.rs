//! Sema: name resolution and type checking of the syntax tree, before anything runs.
//!
//! **Invariant:** the checker never panics and reports every independent error; execution
//! starts only when it reports none. It reads a CSV header when `load` is given a literal path,
//! so an unknown column is reported statically.

mod check;
pub mod opset;
pub mod symbolic;
pub mod types;

pub use check::{mismatch, sim_columns, unknown_law, Checker, FnDef, FIT_OPTIONS};
pub use types::{TableInfo, Type};
