//! `sdl-search`: symbolic regression over sdl formulas, as a plain Rust library.
//!
//! The engine follows PySR / SymbolicRegression.jl: several islands of regularised evolution
//! with tournament selection, PySR's mutation set and weights, crossover, constant optimisation
//! with the kernel's `fit_constants`, simplification, adaptive parsimony, optional annealing,
//! migration between islands and from the hall of fame, and mini-batching. Every candidate it
//! keeps obeys the problem's `OperatorSet` and, when `SearchOptions::units` gives dimensions, can
//! have the target's dimension (see [`units`]): inconsistent candidates are rejected before they
//! are evaluated. Runs are reproducible bit for bit for a seed at any
//! thread count. Entry point: [`search`].

pub mod bench;
pub mod bench_units;
pub mod crossover;
pub mod evolve;
pub mod export;
pub mod frequencies;
pub mod hall_of_fame;
pub mod member;
pub mod migration;
pub mod mutate;
pub mod options;
pub mod population;
pub mod search;
pub mod template;
pub mod units;

pub use export::{
    export_best, export_document, export_formula, export_formula_with_units, export_pareto, ExportFormat, Exported,
};
pub use hall_of_fame::{HallOfFame, HofEntry};
pub use member::PopMember;
pub use options::{MutationWeights, OptionError, SearchOptions};
pub use search::{search, Problem, Progress, SearchError, SearchResult, StopReason};
pub use template::{Template, TemplateFn};
pub use units::{const_dims, Units, DEFAULT_MAX_DIMENSIONED_CONSTANTS};
