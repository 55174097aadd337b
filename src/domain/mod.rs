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

/// The dimension of `f`'s values when every variable it uses has one (`dim_of`), its written
/// numbers counted dimensionless: `m1 * m2 / r^2` over kg, kg, m is kg^2/m^2. `None` when a
/// variable has no units or the formula is inconsistent (the checker reports that).
pub fn formula_dim(
    f: &crate::formula::Formula,
    dim_of: impl Fn(&str) -> Option<sdl_units::Dim>,
) -> Option<sdl_units::Dim> {
    let dims: Vec<Option<sdl_units::Dim>> = f.vars.iter().map(|v| dim_of(v)).collect();
    if f.used_vars().iter().any(|v| dim_of(v).is_none()) {
        return None;
    }
    sdl_units::infer(f, &dims, sdl_units::ConstMode::Dimensionless, None).ok()?.dim
}
