//! What units cost and save in the search: a few dimensioned laws, each searched for a fixed
//! number of iterations (same seed, 2 threads) without and with units; prints, from the same
//! runs, the fraction of candidates rejected by the dimension check (never evaluated), the
//! evaluations per second and the candidates (evaluated or rejected) per second; then the cost of
//! one dimension check alone, timed over the final hall of fame's laws.
//! `cargo run --release -p sdl-search --example measure_units -- [iterations]`

use sdl_search::bench::sample;
use sdl_search::bench_units::unit_laws;
use sdl_search::{search, Problem, SearchOptions};
use std::sync::atomic::AtomicBool;

fn main() {
    let iterations: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().expect("a 2-thread pool");
    let names = ["gravitation", "ideal_gas", "kinetic_energy", "coulomb", "pendulum_period", "damped_oscillator"];
    println!("{iterations} iterations, 8 islands x 27, 100 cycles, seed 1, 2 threads");
    println!(
        "{:<18} {:>9} {:>12} {:>12} {:>7} {:>13} {:>13} {:>10}",
        "law", "rejected", "evals/s", "evals/s u", "ratio", "cand/s", "cand/s u", "ns/check"
    );
    for law in unit_laws().into_iter().filter(|l| names.contains(&l.law.name)) {
        let (d, y) = sample(&law.law, 500, 1, false).expect("benchmark laws sample");
        let base = SearchOptions { niterations: iterations, ..law.search_options() };
        let with = SearchOptions { units: Some(law.units().expect("units parse")), ..base.clone() };
        let problem = Problem::plain(d, y);
        let stop = AtomicBool::new(false);
        let (p, u) = pool.install(|| {
            (search(&problem, &base, &|_| {}, &stop).unwrap(), search(&problem, &with, &|_| {}, &stop).unwrap())
        });
        let secs = |r: &sdl_search::SearchResult| r.elapsed.as_secs_f64().max(1e-9);
        let (ep, eu) = (p.evals as f64 / secs(&p), u.evals as f64 / secs(&u));
        // Candidates made: evaluations plus those rejected before evaluation.
        let (cp, cu) = (ep, (u.evals + u.units_rejected) as f64 / secs(&u));
        let units = law.units().expect("units parse");
        let mut checker = sdl_units::DimChecker::new();
        let t = std::time::Instant::now();
        let mut n = 0u64;
        for _ in 0..2000 {
            for e in &u.hall_of_fame {
                n += checker.consistent(&e.formula, &units.features, units.target, units.max_dimensioned_constants)
                    as u64;
            }
        }
        let ns = t.elapsed().as_nanos() as f64 / (2000 * u.hall_of_fame.len().max(1)) as f64;
        assert!(n > 0);
        println!(
            "{:<18} {:>8.1}% {:>12.0} {:>12.0} {:>7.2} {:>13.0} {:>13.0} {:>10.0}",
            law.law.name,
            100.0 * u.units_rejected as f64 / u.units_checked.max(1) as f64,
            ep,
            eu,
            eu / ep,
            cp,
            cu,
            ns
        );
    }
}
