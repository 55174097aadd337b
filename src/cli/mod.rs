//! Command-line tools that need no script: `sdl fit FILE.csv --target y` (symbolic regression
//! on a CSV), `sdl bench recover` (laws recovered within a time budget each) and `sdl bench
//! train` (graph-network training throughput and Table-1 R^2, in [`train`]).

mod train;
pub use train::{bench_train, TrainBenchArgs};

use crate::data::Table;
use crate::exec::INTERRUPTED;
use crate::formula::{Op, OperatorSet};
use crate::kernel::Dataset;
use crate::search::{self, SearchOptions, Template};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Arguments of `sdl fit`.
#[derive(clap::Args, Debug)]
pub struct FitArgs {
    /// The CSV file (header row of column names).
    pub file: PathBuf,
    /// The column to explain.
    #[arg(long)]
    pub target: String,
    /// Comma-separated feature columns (default: every other column).
    #[arg(long)]
    pub features: Option<String>,
    /// Binary operators, e.g. "+,-,*,/".
    #[arg(long, default_value = "+,-,*,/")]
    pub binary: String,
    /// Unary operators, e.g. "exp,log,sqrt".
    #[arg(long, default_value = "")]
    pub unary: String,
    #[arg(long, default_value_t = 20)]
    pub maxsize: u32,
    /// Wall-clock limit in seconds.
    #[arg(long)]
    pub timeout: Option<f64>,
    #[arg(long, default_value_t = 40)]
    pub niterations: usize,
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Drop rows with NaN or infinite values instead of stopping.
    #[arg(long)]
    pub dropnan: bool,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Write the hall of fame to this CSV after every iteration.
    #[arg(long)]
    pub hof_csv: Option<PathBuf>,
    /// Resume from a hall-of-fame CSV written earlier.
    #[arg(long)]
    pub warm_start: Option<PathBuf>,
}

pub(crate) fn fail(code: &str, message: String, help: &str) -> u8 {
    eprintln!("error[{code}]: {message}\n  help: {help}");
    if code == "bad-csv"
        || code == "file-not-found"
        || code == "unknown-column"
        || code == "non-finite-data"
        || code == "unknown-operator"
    {
        1
    } else {
        2
    }
}

fn parse_ops(list: &str, arity: usize) -> Result<Vec<Op>, String> {
    let mut ops = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match Op::from_name(name) {
            Some(op) if op.arity() == arity => ops.push(op),
            Some(op) => return Err(format!("`{name}` takes {} argument(s), not {arity}", op.arity())),
            None => return Err(format!("unknown operator `{name}`")),
        }
    }
    Ok(ops)
}

/// Runs `sdl fit`; returns the exit status.
pub fn fit(args: &FitArgs) -> u8 {
    let table = match Table::load_csv(&args.file) {
        Ok(t) => t,
        Err(d) => return fail(d.code.name(), d.message, d.help.as_deref().unwrap_or("")),
    };
    let unknown = |name: &str| {
        let help = crate::diag::help_suggesting(
            name,
            table.names.iter().map(|s| s.as_str()),
            &format!("columns: {}", table.names.join(", ")),
        );
        fail("unknown-column", format!("no column `{name}` in {}", args.file.display()), &help)
    };
    if table.column(&args.target).is_none() {
        return unknown(&args.target);
    }
    let features: Vec<String> = match &args.features {
        Some(f) => f.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
        None => table.names.iter().filter(|n| **n != args.target).cloned().collect(),
    };
    if let Some(f) = features.iter().find(|f| table.column(f).is_none()) {
        return unknown(f);
    }
    let mut used = features.clone();
    used.push(args.target.clone());
    let sub =
        Table::new(used.clone(), used.iter().map(|n| table.column(n).unwrap_or(&[]).to_vec()).collect(), &table.origin)
            .expect("columns of one table");
    let bad = sub.non_finite_rows();
    let sub = if bad.is_empty() {
        sub
    } else if args.dropnan {
        eprintln!("dropping {} row(s) with NaN or infinite values", bad.len());
        let keep: Vec<usize> = (0..sub.n_rows()).filter(|r| bad.binary_search(r).is_err()).collect();
        sub.select_rows(&keep)
    } else {
        let shown: Vec<String> = bad.iter().take(10).map(|r| (r + 2).to_string()).collect();
        return fail(
            "non-finite-data",
            format!("{} row(s) have NaN or infinite values (file lines {})", bad.len(), shown.join(", ")),
            "rerun with --dropnan to drop them",
        );
    };
    if sub.n_rows() == 0 {
        return fail("fit-failed", "no rows to fit".into(), "check the file");
    }
    let (binary, unary) = match (parse_ops(&args.binary, 2), parse_ops(&args.unary, 1)) {
        (Ok(b), Ok(u)) => (b, u),
        (Err(e), _) | (_, Err(e)) => {
            return fail("unknown-operator", e, "operators: + - * / ^ max min exp log sqrt sin cos tanh ...")
        }
    };
    let operators = OperatorSet { binary, unary, maxsize: args.maxsize, ..OperatorSet::default() };
    let options = SearchOptions {
        operators,
        populations: 8,
        ncycles_per_iteration: 100,
        niterations: args.niterations,
        timeout: args.timeout.map(Duration::from_secs_f64),
        seed: args.seed,
        hof_csv: args.hof_csv.clone(),
        warm_start: args.warm_start.clone(),
        ..SearchOptions::default()
    };
    let target = sub.column(&args.target).unwrap_or(&[]).to_vec();
    let data = match Dataset::new(
        features.clone(),
        features.iter().map(|f| sub.column(f).unwrap_or(&[]).to_vec()).collect(),
    ) {
        Ok(d) => d,
        Err(e) => return fail("bad-csv", e.to_string(), "check the file"),
    };
    let problem = search::Problem { data, target, weights: None, template: Template::plain(&features) };
    let show = !args.json && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let progress = |p: &search::Progress| {
        if show {
            eprint!("\r\x1b[2K{}", crate::exec::fit::progress_line(p));
        }
    };
    let run = || search::search(&problem, &options, &progress, &INTERRUPTED);
    let result = match args.threads {
        0 => run(),
        n => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
            Ok(pool) => pool.install(run),
            Err(e) => return fail("bad-argument", format!("cannot start {n} threads: {e}"), "use fewer threads"),
        },
    };
    if show {
        eprintln!();
    }
    let r = match result {
        Ok(r) => r,
        Err(e) => return fail("fit-failed", e.to_string(), "check the data and the operators"),
    };
    let Some(best) = r.best() else { return fail("fit-failed", "no formula found".into(), "allow more iterations") };
    if args.json {
        let pareto: Vec<serde_json::Value> = r
            .pareto()
            .iter()
            .map(|e| {
                serde_json::json!({
                    "complexity": e.complexity,
                    "loss": e.loss,
                    "score": e.score,
                    "equation": crate::formula::to_sympy(&e.formula),
                })
            })
            .collect();
        let out = serde_json::json!({
            "best": crate::formula::to_sympy(&best.formula),
            "loss": best.loss,
            "complexity": best.complexity,
            "pareto": pareto,
            "stopped_early": r.stopped_early,
        });
        println!("{out}");
    } else {
        println!("{:>10}  {:>12}  {:>10}  formula", "complexity", "loss", "score");
        for e in r.pareto() {
            println!("{:>10}  {:>12.6e}  {:>10.4}  {}", e.complexity, e.loss, e.score, e.formula);
        }
        println!("best: {}", best.formula);
    }
    0
}

/// Arguments of `sdl bench recover`.
#[derive(clap::Args, Debug)]
pub struct RecoverArgs {
    /// Seconds of search per law.
    #[arg(long, default_value_t = 10.0)]
    pub budget: f64,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Training rows per law.
    #[arg(long, default_value_t = 200)]
    pub rows: usize,
    /// Only laws whose name contains this text.
    #[arg(long)]
    pub only: Option<String>,
    /// Write the laws' training and extrapolation data as CSV files into this folder (for
    /// comparing other tools on the same data) and stop.
    #[arg(long)]
    pub export: Option<PathBuf>,
}

/// Runs `sdl bench recover`; returns the exit status.
pub fn recover(args: &RecoverArgs) -> u8 {
    let laws: Vec<_> = search::bench::benchmark_laws()
        .into_iter()
        .filter(|l| args.only.as_ref().is_none_or(|o| l.name.contains(o.as_str())))
        .collect();
    let mut recovered = 0;
    for law in &laws {
        let (train, y) = match search::bench::sample(law, args.rows, args.seed, false) {
            Ok(d) => d,
            Err(e) => return fail("bad-argument", e, "check the law table"),
        };
        let (test, y_test) = match search::bench::sample(law, 1000, args.seed + 1, true) {
            Ok(d) => d,
            Err(e) => return fail("bad-argument", e, "check the law table"),
        };
        if let Some(dir) = &args.export {
            let _ = std::fs::create_dir_all(dir);
            let line = format!("{}\t{}\t{}\t{}\n", law.name, law.binary.join(","), law.unary.join(","), law.formula);
            let index = dir.join("laws.tsv");
            let mut text = std::fs::read_to_string(&index).unwrap_or_default();
            if !text.lines().any(|l| l.starts_with(&format!("{}\t", law.name))) {
                text.push_str(&line);
                let _ = std::fs::write(&index, text);
            }
            for (suffix, d, t) in [("train", &train, &y), ("test", &test, &y_test)] {
                let mut names = d.names().to_vec();
                names.push("y".into());
                let mut cols: Vec<Vec<f64>> = (0..d.n_features()).map(|i| d.column(i).to_vec()).collect();
                cols.push(t.clone());
                let table = Table::new(names, cols, law.name).expect("sampled columns agree");
                let _ = table.save_csv(&dir.join(format!("{}_{suffix}.csv", law.name)));
            }
            continue;
        }
        let ops = |names: &[&str], arity| parse_ops(&names.join(","), arity).unwrap_or_default();
        let options = SearchOptions {
            operators: OperatorSet {
                binary: ops(law.binary, 2),
                unary: ops(law.unary, 1),
                maxsize: 25,
                ..OperatorSet::default()
            },
            populations: 8,
            ncycles_per_iteration: 100,
            niterations: 100_000,
            timeout: Some(Duration::from_secs_f64(args.budget)),
            seed: args.seed,
            loss_threshold: Some(1e-24),
            ..SearchOptions::default()
        };
        let names = train.names().to_vec();
        let problem = search::Problem { data: train, target: y, weights: None, template: Template::plain(&names) };
        let start = Instant::now();
        let run = || search::search(&problem, &options, &|_| {}, &INTERRUPTED);
        let result = match args.threads {
            0 => run(),
            n => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
                Ok(pool) => pool.install(run),
                Err(e) => return fail("bad-argument", e.to_string(), "use fewer threads"),
            },
        };
        let secs = start.elapsed().as_secs_f64();
        // Recovered when the lowest-loss formula extrapolates (the single final model, as other
        // tools report it).
        let (ok, formula) = match result {
            Ok(r) => match r.accuracy() {
                Some(e) => {
                    let pred = crate::kernel::eval(&e.formula, &test).0;
                    (search::bench::r2(&pred, &y_test) >= 1.0 - 1e-8, e.formula.to_string())
                }
                None => (false, String::new()),
            },
            Err(e) => (false, format!("error: {e}")),
        };
        recovered += usize::from(ok);
        println!("law={} recovered={} seconds={secs:.2} formula={formula}", law.name, ok);
    }
    if args.export.is_none() {
        println!("recovered={recovered}/{}", laws.len());
    }
    0
}
