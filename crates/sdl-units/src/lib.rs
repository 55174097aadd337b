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
//!
//! ```
//! use sdl_formula::{Formula, Op};
//! use sdl_units::{infer, ConstMode, DimChecker, Unit};
//!
//! let kg = Unit::parse("kg").unwrap().dim;
//! let m = Unit::parse("m").unwrap().dim;
//! let newton = Unit::parse("kg*m/s^2").unwrap().dim;
//! // G * m1 * m2 / r^2 with G a free constant.
//! let num = Formula::apply(Op::Mul, vec![Formula::named_constant("G", 1.0), Formula::var("m1")]);
//! let num = Formula::apply(Op::Mul, vec![num, Formula::var("m2")]);
//! let r2 = Formula::apply(Op::Square, vec![Formula::var("r")]);
//! let law = Formula::apply(Op::Div, vec![num, r2]);
//! let dims = [Some(kg), Some(kg), Some(m)];
//! let found = infer(&law, &dims, ConstMode::NamedFree, Some(newton)).unwrap();
//! assert_eq!(found.consts[0].unwrap().to_string(), "m^3/(kg*s^2)");
//! // The search's check: consistent with one dimensioned constant, not with none.
//! let mut checker = DimChecker::new();
//! assert!(checker.consistent(&law, &dims, newton, 1));
//! assert!(!checker.consistent(&law, &dims, newton, 0));
//! ```

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
