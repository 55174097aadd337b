//! The `sdl` command line: REPL, scripts, `check`, `-e`, `fit` on a CSV, `explain`, `bench`.
//!
//! Exit status: 0 on success, 1 when the program has syntax or type errors, 2 on a run-time
//! error, 130 when interrupted.

use clap::{Args, Parser, Subcommand};
use sdl::exec::INTERRUPTED;
use sdl::session::{RunError, Session};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "sdl",
    version,
    about = "A language and REPL for discovering symbolic laws in data",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    /// A .sdl script to run (without it, the REPL starts).
    file: Option<PathBuf>,
    /// Evaluate this code instead of a file.
    #[arg(short = 'e', long = "eval", value_name = "CODE")]
    eval: Option<String>,
    /// Set a script parameter read with `param("name", default)` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and type-check a script without running it.
    Check { file: PathBuf },
    /// Explain a diagnostic code (e.g. `sdl explain type-mismatch`).
    Explain { code: String },
    /// Symbolic regression on a CSV file.
    Fit(sdl::cli::FitArgs),
    /// Benchmarks.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Evaluation speed of each engine on formulas read from a file.
    Eval(EvalBenchArgs),
    /// Laws recovered within a time budget each.
    Recover(sdl::cli::RecoverArgs),
    /// Trains the paper's graph network; prints graphs/s and the Table-1 R^2 (also `table1`).
    #[command(alias = "table1")]
    Train(sdl::cli::TrainBenchArgs),
}

#[derive(Args)]
struct EvalBenchArgs {
    #[arg(long)]
    formulas: PathBuf,
    #[arg(long, default_value_t = 10_000)]
    rows: usize,
    #[arg(long, default_value_t = 1)]
    threads: usize,
    #[arg(long, default_value = "f32")]
    precision: String,
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst));
    // The executor recurses on the Rust stack for user function calls: give it room.
    let child = std::thread::Builder::new().stack_size(256 << 20).spawn(move || run(cli));
    match child.map(|c| c.join()) {
        Ok(Ok(code)) => ExitCode::from(code),
        _ => {
            eprintln!("sdl: internal error");
            ExitCode::from(3)
        }
    }
}

fn new_session() -> Session {
    let mut s = Session::new(Box::new(std::io::stdout()));
    s.color = std::io::stderr().is_terminal();
    s.set_progress(std::io::stderr().is_terminal());
    s
}

fn report(session: &Session, e: &RunError) -> u8 {
    eprint!("{}", session.render_error(e));
    match e {
        RunError::Static(_) => 1,
        RunError::Runtime(d) if d.code == sdl::diag::Code::Interrupted => 130,
        RunError::Runtime(_) => 2,
    }
}

fn run(cli: Cli) -> u8 {
    match cli.command {
        Some(Command::Check { file }) => {
            let Some(text) = read(&file) else { return 1 };
            let mut s = new_session();
            let diags = s.check_source(&file.display().to_string(), &text);
            if diags.is_empty() {
                println!("{}: no problems found", file.display());
                0
            } else {
                eprint!("{}", s.render(&diags));
                eprintln!("{} problem(s) found", diags.len());
                1
            }
        }
        Some(Command::Explain { code }) => match sdl::diag::Code::from_name(&code) {
            Some(c) => {
                println!("{}\n\n{}", c.name(), c.explanation());
                0
            }
            None => {
                eprintln!("no diagnostic code `{code}`");
                1
            }
        },
        Some(Command::Fit(args)) => sdl::cli::fit(&args),
        Some(Command::Bench(BenchCommand::Eval(a))) => {
            let Some(text) = read(&a.formulas) else { return 1 };
            let precision = match a.precision.as_str() {
                "f32" => sdl::kernel::Precision::F32,
                "f64" => sdl::kernel::Precision::F64,
                other => {
                    eprintln!("--precision must be f32 or f64, not {other}");
                    return 1;
                }
            };
            match sdl::kernel::bench_eval(&text, a.rows, a.threads, precision, a.seed) {
                Ok(lines) => {
                    for l in lines {
                        println!("{l}");
                    }
                    0
                }
                Err(e) => {
                    eprintln!("sdl bench eval: {e}");
                    1
                }
            }
        }
        Some(Command::Bench(BenchCommand::Recover(a))) => sdl::cli::recover(&a),
        Some(Command::Bench(BenchCommand::Train(a))) => sdl::cli::bench_train(&a),
        None => {
            let mut s = new_session();
            for item in &cli.set {
                match item.split_once('=') {
                    Some((name, value)) if !name.trim().is_empty() => s.set_param(name.trim(), value),
                    _ => {
                        eprintln!("error[bad-argument]: --set {item}: write --set name=value");
                        return 1;
                    }
                }
            }
            if let Some(code) = cli.eval {
                return match s.run_source("<-e>", &code) {
                    Ok(_) => 0,
                    Err(e) => report(&s, &e),
                };
            }
            if let Some(file) = cli.file {
                let Some(text) = read(&file) else { return 2 };
                return match s.run_source(&file.display().to_string(), &text) {
                    Ok(_) => 0,
                    Err(e) => report(&s, &e),
                };
            }
            let code = if std::io::stdin().is_terminal() {
                sdl::repl::run_terminal(&mut s)
            } else {
                sdl::repl::run_plain(&mut s, std::io::stdin().lock())
            };
            code as u8
        }
    }
}

fn read(path: &PathBuf) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) => {
            eprintln!("error[file-not-found]: cannot read {}: {e}", path.display());
            None
        }
    }
}
