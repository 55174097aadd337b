//! `sdl-sim`: the N-body simulations of Cranmer et al., "Discovering Symbolic Models from Deep
//! Learning with Inductive Biases" (2020, section 4.1), as a plain Rust library. In go a force
//! law ([`Law`]), a body count, a dimension (2 or 3), a step count and a seed ([`SimConfig`]);
//! out come snapshot graphs ([`GraphData`]) whose nodes are `[position, velocity, q, m]` and
//! whose targets are the true accelerations, plus flat node and edge tables ready for symbolic
//! regression ([`GraphData::node_columns`], [`GraphData::edge_columns`]).
//!
//! Always true: a seed fixes every number bit for bit (the only randomness is
//! [`sdl_formula::rng::Rng`], forked per simulation, so thread count does not matter); bad
//! input is reported as a [`SimError`], never a panic; forces are analytic (no autodiff), and
//! the same [`pair_force`] feeds the integrator, the accelerations and the edge table, so the
//! data a graph network sees and the law symbolic regression should recover are one function.
//!
//! Conventions used throughout (see the item docs for details):
//! - node feature layout `[x, y(, z), vx, vy(, vz), q, m]`, G = 1, softened distance
//!   `r' = r + 0.01`;
//! - displacement `d = x_sender - x_receiver` (columns `dx, dy, dz` of the edge table), so an
//!   attractive force on the receiver points along `+d`;
//! - damping (law `damped`) is a node force `-v_i / n` added after the pair forces;
//! - integration is adaptive Dormand–Prince 5(4) by default ([`Integrator`]).
//!
//! ```
//! use sdl_sim::{simulate, Law, SimConfig};
//!
//! let mut cfg = SimConfig::new(Law::R2, 4, 2); // paper defaults: dt 1e-3, keep every 5th
//! cfg.steps = 50;
//! let data = simulate(&cfg).unwrap();
//! assert_eq!(data.len(), 10);
//! let (names, rows) = data.edge_columns();
//! assert_eq!(rows.len(), 10 * 4 * 3); // n (n - 1) directed edges per graph
//! assert_eq!(names.last().map(String::as_str), Some("fy"));
//! ```

mod data;
mod error;
mod integrate;
mod law;
mod physics;
mod simulate;

pub use data::{Graph, GraphData};
pub use error::SimError;
pub use integrate::Integrator;
pub use law::Law;
pub use physics::{
    accelerations, charge_index, damping_force, edges, energy, external_force, mass_index, node_len, pair_force,
    pair_potential, DAMPING, SOFTENING,
};
pub use simulate::{initial_state, simulate, simulate_with, SimConfig, MAX_VALUES};
