//! Shared helpers for the search tests: seeded data from a closure, extrapolation checks.
#![allow(dead_code)]

use sdl_formula::rng::Rng;
use sdl_formula::{Op, OperatorSet};
use sdl_kernel::Dataset;
use sdl_search::{search, Problem, SearchOptions, SearchResult};
use std::sync::atomic::AtomicBool;

/// `n` rows with each variable uniform in its range, and the law's values.
pub fn data(vars: &[(&str, f64, f64)], n: usize, seed: u64, law: &dyn Fn(&[f64]) -> f64) -> (Dataset<f64>, Vec<f64>) {
    let mut rng = Rng::new(seed);
    let cols: Vec<Vec<f64>> = vars.iter().map(|(_, lo, hi)| (0..n).map(|_| rng.range(*lo, *hi)).collect()).collect();
    let y = (0..n).map(|i| law(&cols.iter().map(|c| c[i]).collect::<Vec<_>>())).collect();
    (Dataset::new(vars.iter().map(|v| v.0.to_string()).collect(), cols).unwrap(), y)
}

pub fn r2(pred: &[f64], target: &[f64]) -> f64 {
    sdl_search::bench::r2(pred, target)
}

/// Small, fast options for tests.
pub fn small_options(seed: u64, binary: Vec<Op>, unary: Vec<Op>) -> SearchOptions {
    SearchOptions {
        operators: OperatorSet { binary, unary, maxsize: 20, ..OperatorSet::default() },
        populations: 6,
        population_size: 27,
        niterations: 30,
        ncycles_per_iteration: 100,
        seed,
        ..SearchOptions::default()
    }
}

pub fn run(problem: &Problem, o: &SearchOptions) -> SearchResult {
    let stop = AtomicBool::new(false);
    search(problem, o, &|_| {}, &stop).unwrap()
}

/// R² on the extrapolation data of the most accurate entry and of the selected one (the larger).
pub fn extrapolation_r2(res: &SearchResult, test: &Dataset<f64>, y: &[f64]) -> f64 {
    [res.accuracy(), res.best()]
        .into_iter()
        .flatten()
        .map(|e| {
            let (pred, _) = sdl_kernel::eval(&e.formula, test);
            r2(&pred, y)
        })
        .fold(f64::NEG_INFINITY, f64::max)
}
