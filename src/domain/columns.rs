//! The column schemas of graph data (node, edge and message tables) and the diagnostics that
//! name columns, laws and variables: what both the checker (statically) and the executor (at
//! run time) report, written once.

use crate::diag::{did_you_mean, help_suggesting, Code, Diagnostic};
use crate::syntax::ast::Span;

/// Column names of the node and edge tables of a simulation in `dim` dimensions.
pub fn sim_columns(dim: usize) -> (Vec<String>, Vec<String>) {
    let empty = crate::sim::GraphData { law: crate::sim::Law::Spring, n: 2, dim, graphs: vec![] };
    (empty.node_columns().0, empty.edge_columns().0)
}

/// The diagnostic for a law name that does not exist.
pub fn unknown_law(law: &str, span: Span) -> Diagnostic {
    let names: Vec<&str> = crate::sim::Law::all().iter().map(|l| l.name()).collect();
    let help = match did_you_mean(law, names.iter().copied()) {
        Some(s) => format!("did you mean \"{s}\"? laws: {}", names.join(", ")),
        None => format!("laws: {}", names.join(", ")),
    };
    Diagnostic::new(Code::BadArgument, format!("no force law \"{law}\""), span)
        .with_label("unknown law")
        .with_help(help)
}

/// Columns of the table `messages` returns for `dim`-D graphs and `top` channels: the edge
/// table of the simulation (ids, receiver and sender features, `dx, dy[, dz]`, `r`, the true
/// force `fx, fy[, fz]`), the true pair potential `u`, then `e0 .. e{top-1}`.
pub fn message_columns(dim: usize, top: usize) -> Vec<String> {
    let mut cols = sim_columns(dim).1;
    cols.push("u".into());
    cols.extend((0..top).map(|k| format!("e{k}")));
    cols
}

/// How many message channels `messages` returns when `top` is not given: the spatial
/// dimension, at most the message width; one (the pair energy) for a Hamiltonian network.
pub fn default_top(dim: usize, channels: usize, hamiltonian: bool) -> usize {
    if hamiltonian {
        1
    } else {
        dim.min(channels)
    }
}

/// The `network-data-mismatch` diagnostic.
pub fn data_mismatch(message: String, help: &str, span: Span) -> Diagnostic {
    Diagnostic::new(Code::NetworkDataMismatch, message, span).with_label("these graphs").with_help(help.to_string())
}

/// The `unknown-variable` diagnostic for a formula variable a message model does not see.
pub fn unknown_variable(v: &str, seen: &[String], span: Span) -> Diagnostic {
    Diagnostic::new(Code::UnknownVariable, format!("the message model does not see `{v}`"), span)
        .with_label("in this formula")
        .with_help(help_suggesting(v, seen.iter().map(|s| s.as_str()), &format!("it sees {}", seen.join(", "))))
}

/// The message for a column given units twice (in its header and again, or twice in code).
pub fn already_has_units(name: &str, had: sdl_units::Dim) -> String {
    format!("column `{name}` already has units ({had})")
}

/// The help line for a column given units twice.
pub const UNITS_ONCE: &str = "give each column's unit once: in the CSV header or with with_units, not both";
