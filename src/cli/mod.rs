//! Command-line tools that need no script: `sdl fit FILE.csv --target y` (symbolic regression
//! on a CSV), `sdl bench recover` (laws recovered within a time budget each) and `sdl bench
//! train` (graph-network training throughput and Table-1 R^2, in [`train`]).

mod train;
pub use train::{bench_train, TrainBenchArgs};

use crate::data::Table;
use crate::domain::ModelSpec;
use crate::embed::FromValue;
use crate::exec::fit::{default_search_options, SearchOutcome};
use crate::exec::value::Value;
use crate::exec::{Vm, INTERRUPTED};
use crate::formula::{Op, OperatorSet};
use crate::search::{self, SearchOptions, Template};
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Arguments of `sdl fit`. Options left out keep the defaults of the language's `fit`
/// (`exec::fit::default_search_options`, the operator set's defaults), the one place they are
/// written.
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
    /// Binary operators, e.g. "+,-,*,/" (default: + - * /).
    #[arg(long)]
    pub binary: Option<String>,
    /// Unary operators, e.g. "exp,log,sqrt" (default: none).
    #[arg(long)]
    pub unary: Option<String>,
    /// Largest formula complexity searched (default: fit's, 30).
    #[arg(long)]
    pub maxsize: Option<u32>,
    /// Wall-clock limit in seconds.
    #[arg(long)]
    pub timeout: Option<f64>,
    /// Iterations of evolution (default: fit's, 20).
    #[arg(long)]
    pub niterations: Option<usize>,
    /// Worker threads (default: every core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Random seed (default 0); results are identical for a seed at any thread count.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Drop rows with NaN or infinite values instead of stopping.
    #[arg(long)]
    pub dropnan: bool,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Ignore the units in the CSV header (values are still converted to SI): search without
    /// the dimensional constraint.
    #[arg(long)]
    pub no_units: bool,
    /// Write the hall of fame to this CSV after every iteration.
    #[arg(long)]
    pub hof_csv: Option<PathBuf>,
    /// Resume from a hall-of-fame CSV written earlier.
    #[arg(long)]
    pub warm_start: Option<PathBuf>,
    /// Draw the Pareto front and the chosen formula's predictions to this PNG or SVG file.
    #[arg(long, value_name = "FILE.png")]
    pub plot: Option<PathBuf>,
    /// Write a self-contained HTML page about the run (data, settings, Pareto table, plots).
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
}

/// Checks the file names of `--plot` and `--report` before any work: Err is the exit status.
pub(crate) fn check_outputs(plot: Option<&std::path::Path>, report: Option<&std::path::Path>) -> Result<(), u8> {
    if let Some(p) = plot {
        if sdl_plot::Format::from_path(p).is_err() {
            return Err(fail(
                "unknown-format",
                format!("--plot {}: not a .png or .svg file name", p.display()),
                "end the file name in .png or .svg",
            ));
        }
    }
    if let Some(r) = report {
        if !crate::domain::files::has_page_extension(&r.to_string_lossy()) {
            return Err(fail(
                "unknown-format",
                format!("--report {}: not an .html file name", r.display()),
                "end the file name in .html",
            ));
        }
    }
    Ok(())
}

/// Writes `--plot` and `--report` outputs, saying where on stderr (stdout holds the result).
/// Returns the exit status: 0, or 2 when one could not be written.
pub(crate) fn write_outputs(
    plot: Option<(&std::path::Path, sdl_plot::Picture)>,
    report: Option<(&std::path::Path, sdl_plot::page::Page)>,
) -> u8 {
    if let Some((path, pic)) = plot {
        match sdl_plot::write(&pic, path) {
            Ok(d) => eprint!("{}", crate::exec::pictures::written(&path.display().to_string(), &d)),
            Err(e) => {
                let code = if matches!(e, sdl_plot::PlotError::Empty { .. }) { "nothing-to-plot" } else { "io-error" };
                return fail(code, e.to_string(), "check the path and the data");
            }
        }
    }
    if let Some((path, page)) = report {
        match crate::exec::report::write_page(&page, &path.to_string_lossy()) {
            Ok(bytes) => eprintln!("wrote {} (report page, {} KB)", path.display(), bytes.div_ceil(1024)),
            Err(e) => return fail("io-error", e, "check the path"),
        }
    }
    0
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
///
/// The file is read and checked here (columns, non-finite rows, `--dropnan`, no rows: the
/// command line's own errors, with file line numbers); the search itself is the language's
/// `fit` ([`crate::exec::fit::fit`]), called with values (the table, the model
/// `target ~ f(features...)`, the options by their names in the language), so no sdl source is
/// generated and every default is the language's.
pub fn fit(args: &FitArgs) -> u8 {
    if let Err(code) = check_outputs(args.plot.as_deref(), args.report.as_deref()) {
        return code;
    }
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
    let mut features: Vec<String> = Vec::new();
    match &args.features {
        Some(list) => {
            for f in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if table.column(f).is_none() {
                    return unknown(f);
                }
                if f == args.target {
                    return fail(
                        "bad-argument",
                        format!("`{f}` is the target; it cannot also be a feature"),
                        "leave the target out of --features",
                    );
                }
                if !features.iter().any(|g| g == f) {
                    features.push(f.to_string());
                }
            }
        }
        None => features.extend(table.names.iter().filter(|n| **n != args.target).cloned()),
    }
    if features.is_empty() {
        return fail("bad-argument", "no feature columns to search over".into(), "name them with --features a,b");
    }
    let mut used = features.clone();
    used.push(args.target.clone());
    let columns = used.iter().map(|n| table.column(n).unwrap_or(&[]).to_vec()).collect();
    let mut sub = match Table::new(used.clone(), columns, &table.origin) {
        Ok(t) => t,
        Err(e) => return fail("bad-csv", e, "check the file"),
    };
    // The header's units go with the columns (the language's fit then searches under them).
    sub.dims = used.iter().map(|n| if args.no_units { None } else { table.dim(n) }).collect();
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
    let options = match fit_options(args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    // The model `target ~ f(features...)`, its unknown function named unlike every column.
    let plain = Template::plain(&used);
    let model = ModelSpec {
        target: args.target.clone(),
        outer: plain.outer,
        functions: plain.functions.into_iter().map(|f| (f.name, features.clone())).collect(),
    };
    // The language's `fit` writes its notes (an interrupted search) to the program's output:
    // here stderr, so that stdout holds only the result (one JSON object with --json).
    let sub_has_units = sub.dim(&args.target).is_some() && sub.has_units();
    let mut vm = Vm::new(Box::new(std::io::stderr()));
    let value =
        crate::exec::fit::fit(&mut vm, Value::Table(Rc::new(sub)), Value::Model(Rc::new(model)), options, &(0..0), 0);
    let outcome = match value.as_ref().map(<Rc<SearchOutcome>>::from_value) {
        Ok(Some(o)) => o,
        Ok(None) => return fail("fit-failed", "the fit gave no search result".into(), "report this as a bug"),
        Err(d) => return fail(d.code.name(), d.message.clone(), d.help.as_deref().unwrap_or("")),
    };
    let status = print_outcome(&outcome.result, args.json, sub_has_units);
    if status != 0 {
        return status;
    }
    let plot = args.plot.as_deref().map(|p| (p, crate::exec::pictures::search_picture(&outcome)));
    let report = args.report.as_deref().map(|p| (p, crate::exec::report::search_page(&outcome, None)));
    write_outputs(plot, report)
}

/// The options of `sdl fit` as the language's `fit` takes them (named values); only those given
/// on the command line, so the rest keep the language's defaults. Err: the exit status.
fn fit_options(args: &FitArgs) -> Result<Vec<(String, Value)>, u8> {
    let mut options: Vec<(String, Value)> = Vec::new();
    let mut put = |name: &str, v: Value| options.push((name.to_string(), v));
    if args.binary.is_some() || args.unary.is_some() {
        let mut ops = OperatorSet::default();
        let parsed = (args.binary.as_deref().map(|b| parse_ops(b, 2)), args.unary.as_deref().map(|u| parse_ops(u, 1)));
        match parsed {
            (Some(Err(e)), _) | (_, Some(Err(e))) => {
                return Err(fail("unknown-operator", e, "operators: + - * / ^ max min exp log sqrt sin cos tanh ..."))
            }
            (b, u) => {
                if let Some(Ok(b)) = b {
                    ops.binary = b;
                }
                if let Some(Ok(u)) = u {
                    ops.unary = u;
                }
            }
        }
        put("ops", Value::OpSet(Rc::new(ops)));
    }
    let num = |n: f64| Value::Num(n);
    if let Some(n) = args.maxsize {
        put("maxsize", num(n.into()));
    }
    if let Some(n) = args.niterations {
        put("niterations", num(n as f64));
    }
    if let Some(t) = args.timeout {
        put("timeout", num(t));
    }
    if let Some(n) = args.seed {
        put("seed", num(n as f64));
    }
    if let Some(n) = args.threads {
        put("threads", num(n as f64));
    }
    for (name, path) in [("hof_csv", &args.hof_csv), ("warm_start", &args.warm_start)] {
        if let Some(p) = path {
            let Some(text) = p.to_str() else {
                return Err(fail(
                    "bad-argument",
                    format!("--{} {}: the path is not valid UTF-8", name.replace('_', "-"), p.display()),
                    "rename the file",
                ));
            };
            put(name, Value::Str(text.into()));
        }
    }
    // A progress line on a terminal, never beside JSON.
    put("progress", Value::Bool(!args.json && std::io::IsTerminal::is_terminal(&std::io::stderr())));
    Ok(options)
}

/// Prints a search result as `sdl fit` always has: the Pareto front as a table and the best
/// formula, or one JSON object. Returns the exit status.
fn print_outcome(r: &search::SearchResult, json: bool, units: bool) -> u8 {
    let Some(best) = r.best() else { return fail("fit-failed", "no formula found".into(), "allow more iterations") };
    if json {
        let pareto: Vec<serde_json::Value> = r
            .pareto()
            .iter()
            .map(|e| {
                serde_json::json!({
                    "complexity": e.complexity,
                    "loss": e.loss,
                    "score": e.score,
                    "equation": crate::formula::to_sympy(&e.formula),
                    // With units: every entry passed the dimension check; each constant's units
                    // (null where it is dimensionless or free).
                    "constant_units": e.const_dims.iter().map(|d| d.map(|d| d.to_string())).collect::<Vec<_>>(),
                })
            })
            .collect();
        let out = serde_json::json!({
            "units_checked": units,
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
            let units = crate::exec::fit::constant_units(&e.formula, &e.const_dims);
            println!("{:>10}  {:>12.6e}  {:>10.4}  {}{units}", e.complexity, e.loss, e.score, e.formula);
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
            niterations: 100_000,
            timeout: Some(Duration::from_secs_f64(args.budget)),
            seed: args.seed,
            loss_threshold: Some(1e-24),
            ..default_search_options()
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
