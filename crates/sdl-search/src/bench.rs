//! The recovery benchmark's laws, shared by the tests, the CLI benchmark and the pyoperon /
//! PySR comparison script: each law is a formula in plain infix (readable by
//! `sdl_formula::parse` and by Python with `numpy` names), its variables with a training range
//! and a disjoint extrapolation range, and the operators a search needs to express it.
//! "Recovered" means R² ≥ 1 − 1e-8 on points drawn from the extrapolation ranges.

use sdl_formula::rng::Rng;
use sdl_kernel::Dataset;

/// One variable of a benchmark law.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchVar {
    pub name: &'static str,
    /// Training range `[lo, hi)`.
    pub train: (f64, f64),
    /// Extrapolation range `[lo, hi)`, outside the training range.
    pub test: (f64, f64),
}

/// One benchmark law.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchLaw {
    pub name: &'static str,
    /// The law in plain infix.
    pub formula: &'static str,
    pub vars: Vec<BenchVar>,
    /// Binary operators a search for it should be given.
    pub binary: &'static [&'static str],
    /// Unary operators a search for it should be given.
    pub unary: &'static [&'static str],
}

fn v(name: &'static str, train: (f64, f64), test: (f64, f64)) -> BenchVar {
    BenchVar { name, train, test }
}

/// The variables of the paper's pairwise-force laws (Cranmer et al. 2020): displacement,
/// distance, masses and charges. Distances are positive and kept away from 0.
fn force_vars() -> Vec<BenchVar> {
    vec![
        v("dx", (-2.0, 2.0), (2.0, 4.0)),
        v("dy", (-2.0, 2.0), (2.0, 4.0)),
        v("r", (0.5, 3.0), (3.0, 5.0)),
        v("m1", (0.5, 2.0), (2.0, 4.0)),
        v("m2", (0.5, 2.0), (2.0, 4.0)),
        v("q1", (-1.0, 1.0), (1.0, 2.0)),
        v("q2", (-1.0, 1.0), (1.0, 2.0)),
    ]
}

const ARITH: &[&str] = &["+", "-", "*", "/"];

/// The benchmark laws: the paper's forces first, then textbook laws with 1–5 variables.
pub fn benchmark_laws() -> Vec<BenchLaw> {
    vec![
        BenchLaw { name: "spring", formula: "(r - 1) * dx / r", vars: force_vars(), binary: ARITH, unary: &[] },
        BenchLaw {
            name: "inverse_r",
            formula: "m1 * m2 * dx / (r * r)",
            vars: force_vars(),
            binary: ARITH,
            unary: &[],
        },
        BenchLaw {
            name: "inverse_r2",
            formula: "m1 * m2 * dx / (r * r * r)",
            vars: force_vars(),
            binary: ARITH,
            unary: &[],
        },
        BenchLaw {
            name: "charge",
            formula: "q1 * q2 * dx / (r * r * r)",
            vars: force_vars(),
            binary: ARITH,
            unary: &[],
        },
        BenchLaw {
            name: "discontinuous",
            formula: "cond(r - 2, (r - 1) * dx / r)",
            vars: force_vars(),
            binary: &["+", "-", "*", "/", "cond"],
            unary: &[],
        },
        BenchLaw {
            name: "kinetic_energy",
            formula: "0.5 * m * v * v",
            vars: vec![v("m", (1.0, 5.0), (5.0, 10.0)), v("v", (1.0, 5.0), (5.0, 10.0))],
            binary: ARITH,
            unary: &[],
        },
        BenchLaw {
            name: "exponential_decay",
            formula: "n0 * exp(-0.7 * t)",
            vars: vec![v("n0", (1.0, 5.0), (5.0, 8.0)), v("t", (0.0, 3.0), (3.0, 5.0))],
            binary: ARITH,
            unary: &["exp"],
        },
        BenchLaw {
            name: "gravity",
            formula: "6.674 * m1 * m2 / (r * r)",
            vars: vec![
                v("m1", (1.0, 5.0), (5.0, 10.0)),
                v("m2", (1.0, 5.0), (5.0, 10.0)),
                v("r", (1.0, 5.0), (5.0, 10.0)),
            ],
            binary: ARITH,
            unary: &[],
        },
        BenchLaw {
            name: "pendulum_period",
            formula: "6.283185307179586 * sqrt(l / g)",
            vars: vec![v("l", (0.1, 2.0), (2.0, 5.0)), v("g", (1.0, 10.0), (10.0, 20.0))],
            binary: ARITH,
            unary: &["sqrt"],
        },
        BenchLaw {
            name: "thin_lens",
            formula: "a * b / (a + b)",
            vars: vec![v("a", (1.0, 5.0), (5.0, 10.0)), v("b", (1.0, 5.0), (5.0, 10.0))],
            binary: ARITH,
            unary: &[],
        },
        BenchLaw {
            name: "ideal_gas",
            formula: "8.314 * n * t / vol",
            vars: vec![
                v("n", (1.0, 5.0), (5.0, 10.0)),
                v("t", (1.0, 5.0), (5.0, 10.0)),
                v("vol", (1.0, 5.0), (5.0, 10.0)),
            ],
            binary: ARITH,
            unary: &[],
        },
        BenchLaw {
            name: "projectile_range",
            formula: "v * v * sin(2 * theta) / 9.81",
            vars: vec![v("v", (1.0, 5.0), (5.0, 10.0)), v("theta", (0.1, 0.7), (0.7, 0.9))],
            binary: ARITH,
            unary: &["sin"],
        },
        BenchLaw {
            name: "five_vars",
            formula: "x1 * x2 + x3 * x4 / x5",
            vars: vec![
                v("x1", (1.0, 3.0), (3.0, 6.0)),
                v("x2", (1.0, 3.0), (3.0, 6.0)),
                v("x3", (1.0, 3.0), (3.0, 6.0)),
                v("x4", (1.0, 3.0), (3.0, 6.0)),
                v("x5", (1.0, 3.0), (3.0, 6.0)),
            ],
            binary: ARITH,
            unary: &[],
        },
        BenchLaw {
            name: "one_var_cubic",
            formula: "x * x * x - 2 * x",
            vars: vec![v("x", (-2.0, 2.0), (2.0, 4.0))],
            binary: ARITH,
            unary: &[],
        },
    ]
}

/// Draws `n` rows of `law` (training or extrapolation ranges) with a seeded generator and
/// evaluates the law on them. Errors if the law's formula does not parse.
pub fn sample(law: &BenchLaw, n: usize, seed: u64, extrapolate: bool) -> Result<(Dataset<f64>, Vec<f64>), String> {
    let f = sdl_formula::parse(law.formula).map_err(|e| format!("{}: {e}", law.name))?;
    let mut rng = Rng::new(seed);
    let names: Vec<String> = law.vars.iter().map(|v| v.name.to_string()).collect();
    let cols: Vec<Vec<f64>> = law
        .vars
        .iter()
        .map(|v| {
            let (lo, hi) = if extrapolate { v.test } else { v.train };
            (0..n).map(|_| rng.range(lo, hi)).collect()
        })
        .collect();
    let f = f.with_vars_superset(&names);
    let target = (0..n)
        .map(|i| {
            let row: Vec<f64> =
                f.vars.iter().map(|v| names.iter().position(|n| n == v).map_or(0.0, |j| cols[j][i])).collect();
            f.eval_row(&row)
        })
        .collect();
    let data = Dataset::new(names, cols).map_err(|e| format!("{}: {e:?}", law.name))?;
    Ok((data, target))
}

/// Coefficient of determination of `pred` against `target` (1 is perfect; NaN predictions
/// give −∞).
pub fn r2(pred: &[f64], target: &[f64]) -> f64 {
    let n = target.len() as f64;
    let mean = target.iter().sum::<f64>() / n;
    let ss_tot: f64 = target.iter().map(|t| (t - mean).powi(2)).sum();
    let ss_res: f64 = pred.iter().zip(target).map(|(p, t)| (p - t).powi(2)).sum();
    if !ss_res.is_finite() {
        return f64::NEG_INFINITY;
    }
    if ss_tot == 0.0 {
        return if ss_res == 0.0 { 1.0 } else { f64::NEG_INFINITY };
    }
    1.0 - ss_res / ss_tot
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_law_parses_samples_finite_values_and_extrapolates_outside_training() {
        let laws = benchmark_laws();
        assert!(laws.len() >= 12);
        for law in &laws {
            for extrapolate in [false, true] {
                let (d, y) = sample(law, 50, 1, extrapolate).unwrap();
                assert_eq!(d.n_rows(), 50);
                assert!(y.iter().all(|v| v.is_finite()), "{}", law.name);
            }
            for v in &law.vars {
                assert!(v.train.0 < v.train.1 && v.test.0 < v.test.1, "{}", v.name);
                assert!(v.test.0 >= v.train.1 || v.test.1 <= v.train.0, "{}: {} ranges overlap", law.name, v.name);
            }
            for op in law.binary.iter().chain(law.unary) {
                assert!(sdl_formula::Op::from_name(op).is_some(), "{op}");
            }
        }
        assert_eq!(r2(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]), 1.0);
        assert!(r2(&[f64::NAN, 2.0], &[1.0, 2.0]).is_infinite());
    }
}
