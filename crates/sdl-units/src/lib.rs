//! `sdl-units`: physical dimensions and units, and dimensional analysis of formulas.
//!
//! In: unit expressions as people write them (`kg*m/s^2`, `m s^-1`, `µs`), CSV headers
//! (`v [m/s]`), and [`sdl_formula::Formula`]s with the dimensions of their variables. Out:
//! [`Dim`] (exact rational exponents over the seven SI base dimensions), [`Unit`] (a dimension
//! and an SI scale), the dimension of a formula with the dimensions its free constants must
//! take ([`infer`]), and a cheap yes/no for the search ([`DimChecker::consistent`]).
//! Always true: this crate knows nothing of the sdl language and depends only on `sdl-formula`,
//! so the checker, tables and the symbolic-regression search share one notion of dimension;
//! no input string makes the parser panic.

mod check;
mod dim;
mod engine;
mod infer;
mod lex;
mod linear;
mod table;
mod unit;

pub use check::{consistent, DimChecker, MAX_SUBSETS};
pub use dim::{rational_exponent, Dim, BASE_SYMBOLS, DEN};
pub use infer::{infer, ConstMode, DimError, DimErrorKind, Inferred};
pub use unit::{header_unit, Unit, UnitError, UnitErrorKind};
