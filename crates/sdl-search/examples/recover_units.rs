//! The dimensioned recovery benchmark: every law of `bench_units` searched without and with
//! units (same seed, same time budget, 2 threads), counting a law as recovered when the best or
//! most accurate law reaches R² ≥ 1 − 1e-8 on points outside the training ranges. Prints a table,
//! the totals and every law recovered without units but lost with them.
//! `cargo run --release -p sdl-search --example recover_units -- [--budget SECONDS] [-v]
//! [--export DIR] [filter]` (budget per law and per mode, default 15 s; `-v` prints the most
//! accurate law of each run; `--export DIR` writes each law's training and extrapolation data
//! as `LAW_train.csv` / `LAW_test.csv` with an index `laws.tsv`, the layout
//! `bench/operon_recover.py` reads, and stops).

use sdl_kernel::Dataset;
use sdl_search::bench::{r2, sample};
use sdl_search::bench_units::{unit_laws, UnitLaw};
use sdl_search::{search, Problem, SearchOptions, SearchResult};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// Sampled rows and their target values.
type Rows = (Dataset<f64>, Vec<f64>);

/// The training rows (seed 1) and the extrapolation rows (seed 2) of a law.
fn data(law: &UnitLaw) -> Result<[Rows; 2], String> {
    Ok([sample(&law.law, 500, 1, false)?, sample(&law.law, 500, 2, true)?])
}

/// One run: (R² on the extrapolation points, the result).
fn run(law: &UnitLaw, units: bool, budget: f64) -> Result<(f64, SearchResult), String> {
    let [(d, y), (td, ty)] = data(law)?;
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let var = y.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / y.len() as f64;
    let o = SearchOptions {
        niterations: 100_000,
        timeout: Some(Duration::from_secs_f64(budget)),
        // Relative: the targets' scales span 1e-34 to 1e9.
        loss_threshold: Some(var * 1e-24),
        units: if units {
            let mut u = law.units()?;
            if let Some(k) = std::env::var("SDL_MAX_DIM_CONSTS").ok().and_then(|k| k.parse().ok()) {
                u.max_dimensioned_constants = k;
            }
            Some(u)
        } else {
            None
        },
        ..law.search_options()
    };
    let stop = AtomicBool::new(false);
    let res = search(&Problem::plain(d, y), &o, &|_| {}, &stop).map_err(|e| e.to_string())?;
    let best = [res.accuracy(), res.best()]
        .into_iter()
        .flatten()
        .map(|e| r2(&sdl_kernel::eval(&e.formula, &td).0, &ty))
        .fold(f64::NEG_INFINITY, f64::max);
    Ok((best, res))
}

/// Writes every law's data for other tools: `laws.tsv` (name, binary and unary operators,
/// formula) and the two CSV files of each law, the target last as `y`.
fn export(laws: &[UnitLaw], dir: &std::path::Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut index = String::new();
    for law in laws {
        let l = &law.law;
        index.push_str(&format!("{}\t{}\t{}\t{}\n", l.name, l.binary.join(","), l.unary.join(","), l.formula));
        let [train, test] = data(law)?;
        for (suffix, (d, y)) in [("train", train), ("test", test)] {
            let mut text = d.names().join(",") + ",y\n";
            for (i, yi) in y.iter().enumerate() {
                let row: Vec<String> = (0..d.n_features()).map(|j| format!("{:e}", d.column(j)[i])).collect();
                text.push_str(&format!("{},{yi:e}\n", row.join(",")));
            }
            let path = dir.join(format!("{}_{suffix}.csv", l.name));
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    std::fs::write(dir.join("laws.tsv"), index).map_err(|e| e.to_string())
}

fn main() {
    let mut budget = 15.0;
    let mut export_dir = None;
    let mut filter = String::new();
    let mut verbose = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "-v" {
            verbose = true;
        } else if a == "--export" {
            export_dir = args.next().map(std::path::PathBuf::from);
        } else if a == "--budget" {
            budget = args.next().and_then(|s| s.parse().ok()).expect("--budget SECONDS");
        } else {
            filter = a;
        }
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().expect("a 2-thread pool");
    let laws: Vec<UnitLaw> = unit_laws().into_iter().filter(|l| l.law.name.contains(&filter)).collect();
    if let Some(dir) = export_dir {
        match export(&laws, &dir) {
            Ok(()) => println!("wrote {} laws to {}", laws.len(), dir.display()),
            Err(e) => {
                eprintln!("export failed: {e}");
                std::process::exit(1);
            }
        }
        return;
    }
    println!("budget {budget} s per law and mode, 2 threads, seed 1; recovered = R2 >= 1 - 1e-8 outside training");
    println!(
        "{:<26} {:<17} {:>4} {:>8} {:>8} {:>9} {:>11} {:>11}",
        "law", "field", "vars", "plain", "units", "rejected", "evals/s", "evals/s u"
    );
    let (mut plain_n, mut units_n, mut lost) = (0, 0, Vec::new());
    for law in &laws {
        let out = pool.install(|| (run(law, false, budget), run(law, true, budget)));
        let (Ok((r_plain, p)), Ok((r_units, u))) = out else {
            println!("{:<26} error: {:?}", law.law.name, out.0.err().or(out.1.err()));
            continue;
        };
        let (ok_p, ok_u) = (r_plain >= 1.0 - 1e-8, r_units >= 1.0 - 1e-8);
        plain_n += ok_p as usize;
        units_n += ok_u as usize;
        if ok_p && !ok_u {
            lost.push(law.law.name);
        }
        let rate = |r: &SearchResult| r.evals as f64 / r.elapsed.as_secs_f64().max(1e-9);
        println!(
            "{:<26} {:<17} {:>4} {:>8} {:>8} {:>8.1}% {:>11.0} {:>11.0}",
            law.law.name,
            law.field,
            law.law.vars.len(),
            if ok_p { "yes" } else { "no" },
            if ok_u { "yes" } else { "no" },
            100.0 * u.units_rejected as f64 / u.units_checked.max(1) as f64,
            rate(&p),
            rate(&u),
        );
        if verbose {
            for (mode, r) in [("plain", &p), ("units", &u)] {
                if let Some(e) = r.accuracy() {
                    let dims: Vec<String> =
                        e.const_dims.iter().map(|d| d.map_or("free".into(), |d| format!("[{d}]"))).collect();
                    println!("    {mode}: {} (loss {:.3e}, constants' dimensions {dims:?})", e.formula, e.loss);
                }
            }
        }
    }
    println!("recovered without units: {plain_n}/{}", laws.len());
    println!("recovered with units:    {units_n}/{}", laws.len());
    println!("recovered without units but lost with units: {lost:?}");
}
