//! The domain layer: data that both sides of the language need and neither owns — models
//! (`y ~ rhs`), graph-network declarations, the node/edge/message column schemas, the
//! diagnostics that name columns, and the formats of the files pictures are written to. The checker (`sema`) builds these from syntax; lowering and
//! the executor consume them. It imports no stage of the front end except syntax spans.

pub mod columns;
pub mod compiled;
pub mod files;
pub mod graphnet;
pub mod model;

pub use columns::{data_mismatch, default_top, message_columns, sim_columns, unknown_law, unknown_variable};
pub use compiled::CompiledFormula;
pub use model::{classify_names, unknown_column, ModelSpec};
