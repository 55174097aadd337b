//! sdl: a small language and REPL for discovering symbolic laws in data.
//!
//! Pipeline: [`syntax`] (logos + lalrpop) -> [`sema`] (names and types; produces the checked
//! [`tree`]) -> [`ir`] (flat instructions lowered from the checked tree) -> [`exec`] (runs them,
//! calling [`formula`], [`kernel`], [`search`] and [`data`]). [`domain`] and [`types`] hold
//! what the stages share. [`repl`] and the `sdl` binary are front ends over [`session::Session`]. [`diag`]
//! holds diagnostics and renders them; [`builtins`] is the table of built-in functions shared by
//! the checker and the executor; [`cli`] holds the script-free commands (`sdl fit`, benches).

// Diagnostics travel on the error path only, where their size costs nothing measurable; boxing
// them everywhere would add noise to every stage.
#![allow(clippy::result_large_err)]

pub mod builtins;
pub mod cli;
pub mod data;
pub mod diag;
pub mod domain;
pub mod embed;
pub mod exec;
pub mod help;
pub mod ir;
pub mod repl;
pub mod sema;
pub mod session;
pub mod syntax;
pub mod tree;
pub mod types;

pub use sdl_formula as formula;
pub use sdl_kernel as kernel;
pub use sdl_search as search;
pub use sdl_sim as sim;
pub use sdl_train as train;
