//! The dimensioned recovery benchmark: textbook laws (mechanics, electromagnetism, optics and
//! waves, thermodynamics, relativity, quantum) with SI units on every variable and the target,
//! physical sampling ranges and real constants (G, k_e, h, c, k_B, ...).
//!
//! In: nothing. Out: [`unit_laws`], each a [`BenchLaw`] (sampled with [`crate::bench::sample`],
//! scored with [`crate::bench::r2`]) plus a unit per variable and the target's unit, resolved by
//! [`UnitLaw::units`] into the search's [`Units`]. Always true: every unit parses, every law
//! has 1–6 variables and samples finite values on both ranges (unit tests), and each variable's
//! extrapolation range lies outside its training range. Units are written as `sdl_units::Unit`
//! reads them; `1` marks a dimensionless quantity (an angle, a refractive index, a count).

use crate::bench::{BenchLaw, BenchVar};
use crate::units::Units;
use crate::SearchOptions;
use sdl_formula::{Op, OperatorSet};
use sdl_units::{Dim, Unit};

mod classical;
mod modern;
use classical::{electromagnetism, mechanics};
use modern::{modern, optics_thermo};

/// One dimensioned benchmark law.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitLaw {
    pub law: BenchLaw,
    /// Unit of each of `law.vars`, in order.
    pub var_units: Vec<&'static str>,
    /// Unit of the target.
    pub target_unit: &'static str,
    /// The field the law comes from.
    pub field: &'static str,
}

/// Parses a unit (`1`: dimensionless).
pub fn parse_dim(s: &str) -> Result<Dim, String> {
    if s == "1" {
        return Ok(Dim::ONE);
    }
    Unit::parse(s).map(|u| u.dim).map_err(|e| format!("`{s}`: {e}"))
}

impl UnitLaw {
    /// The search's units for this law (default dimensioned-constant budget).
    pub fn units(&self) -> Result<Units, String> {
        let features = self.var_units.iter().map(|u| parse_dim(u).map(Some)).collect::<Result<Vec<_>, _>>()?;
        Ok(Units::new(features, parse_dim(self.target_unit)?))
    }

    /// The search settings both benchmark runners use for this law: its operators at maxsize
    /// 25, 8 islands of 100 cycles per iteration, seed 1, no units (set `units` to add them).
    pub fn search_options(&self) -> SearchOptions {
        let ops = |names: &[&str]| names.iter().filter_map(|n| Op::from_name(n)).collect::<Vec<_>>();
        SearchOptions {
            operators: OperatorSet {
                binary: ops(self.law.binary),
                unary: ops(self.law.unary),
                maxsize: 25,
                ..OperatorSet::default()
            },
            populations: 8,
            ncycles_per_iteration: 100,
            seed: 1,
            ..SearchOptions::default()
        }
    }

    /// Overrides the extrapolation range of variable `name`.
    fn test(mut self, name: &str, lo: f64, hi: f64) -> UnitLaw {
        for v in self.law.vars.iter_mut().filter(|v| v.name == name) {
            v.test = (lo, hi);
        }
        self
    }
}

const ARITH: &[&str] = &["+", "-", "*", "/"];

/// A law; each variable `(name, unit, lo, hi)` trains on `[lo, hi)` and extrapolates to
/// `[hi, 2 hi - lo)`.
fn law(
    field: &'static str,
    name: &'static str,
    formula: &'static str,
    target_unit: &'static str,
    vars: &[(&'static str, &'static str, f64, f64)],
    unary: &'static [&'static str],
) -> UnitLaw {
    let law = BenchLaw {
        name,
        formula,
        vars: vars
            .iter()
            .map(|&(n, _, lo, hi)| BenchVar { name: n, train: (lo, hi), test: (hi, 2.0 * hi - lo) })
            .collect(),
        binary: ARITH,
        unary,
    };
    UnitLaw { law, var_units: vars.iter().map(|v| v.1).collect(), target_unit, field }
}

const M: &str = "mechanics";
const E: &str = "electromagnetism";
const O: &str = "optics and waves";
const T: &str = "thermodynamics";
const R: &str = "relativity";
const Q: &str = "quantum";

/// The laws, by field.
pub fn unit_laws() -> Vec<UnitLaw> {
    let mut v = mechanics();
    v.extend(electromagnetism());
    v.extend(optics_thermo());
    v.extend(modern());
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::sample;

    #[test]
    fn sixty_laws_parse_with_units_and_sample_finite_values_outside_training() {
        let laws = unit_laws();
        assert!(laws.len() >= 60, "{}", laws.len());
        for l in &laws {
            let u = l.units().unwrap_or_else(|e| panic!("{}: {e}", l.law.name));
            assert_eq!(u.features.len(), l.law.vars.len());
            assert!((1..=6).contains(&l.law.vars.len()), "{}", l.law.name);
            for extrapolate in [false, true] {
                let (_, y) = sample(&l.law, 50, 1, extrapolate).unwrap();
                assert!(y.iter().all(|v| v.is_finite()), "{}", l.law.name);
            }
            for v in &l.law.vars {
                assert!(v.test.0 >= v.train.1 || v.test.1 <= v.train.0, "{}: {}", l.law.name, v.name);
            }
            // The law itself is consistent with its units (its numbers may carry dimensions).
            let f = sdl_formula::parse(l.law.formula).unwrap();
            let names: Vec<String> = l.law.vars.iter().map(|v| v.name.to_string()).collect();
            let dims: Vec<_> =
                f.vars.iter().map(|v| names.iter().position(|n| n == v).and_then(|i| u.features[i])).collect();
            let ok = sdl_units::infer(&f, &dims, sdl_units::ConstMode::Free, Some(u.target)).is_ok();
            assert!(ok, "{} is not consistent with its units", l.law.name);
        }
    }
}
