//! Sema: name resolution and type checking of the syntax tree, before anything runs.
//!
//! **Invariant:** the checker never panics and reports every independent error; execution
//! starts only when it reports none. It reads a CSV header when `load` is given a literal path,
//! so an unknown column is reported statically.

mod check;
pub mod graphnet;
pub mod opset;
pub mod symbolic;
pub mod types;

pub use check::{
    data_mismatch, message_columns, mismatch, sim_columns, unknown_law, unknown_variable, Checker, FnDef, FIT_OPTIONS,
    TRAIN_OPTIONS,
};
pub use types::{TableInfo, Type};
