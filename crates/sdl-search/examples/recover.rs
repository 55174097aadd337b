//! Recovery benchmark at PySR's default scale: for each benchmark law, search until the loss
//! is (numerically) zero or `niterations` run out, then report the time and the R² of the
//! found law on the extrapolation range. `cargo run --release -p sdl-search --example recover
//! [law-name-filter]`.

use sdl_formula::{Op, OperatorSet};
use sdl_search::bench::{benchmark_laws, r2, sample};
use sdl_search::{search, Problem, SearchOptions};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

fn main() {
    let filter = std::env::args().nth(1).unwrap_or_default();
    for law in benchmark_laws().iter().filter(|l| l.name.contains(&filter)) {
        let (d, y) = match sample(law, 500, 1, false) {
            Ok(x) => x,
            Err(e) => {
                eprintln!("{e}");
                continue;
            }
        };
        let (td, ty) = sample(law, 500, 2, true).expect("law sampled once already");
        let ops = |names: &[&str]| names.iter().filter_map(|n| Op::from_name(n)).collect::<Vec<_>>();
        let o = SearchOptions {
            operators: OperatorSet { binary: ops(law.binary), unary: ops(law.unary), ..OperatorSet::default() },
            niterations: 100,
            loss_threshold: Some(1e-24),
            seed: 1,
            ..SearchOptions::default()
        };
        let t = Instant::now();
        let stop = AtomicBool::new(false);
        let res = match search(&Problem::plain(d, y), &o, &|_| {}, &stop) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{}: {e}", law.name);
                continue;
            }
        };
        let secs = t.elapsed().as_secs_f64();
        let best_r2 = [res.accuracy(), res.best()]
            .into_iter()
            .flatten()
            .map(|e| r2(&sdl_kernel::eval(&e.formula, &td).0, &ty))
            .fold(f64::NEG_INFINITY, f64::max);
        println!(
            "{:<20} recovered={:<5} R2={:.12} iters={:<4} evals={:<9} {:.2}s ({:.0} evals/s)",
            law.name,
            best_r2 >= 1.0 - 1e-8,
            best_r2,
            res.iterations,
            res.evals,
            secs,
            res.evals as f64 / secs
        );
    }
}
