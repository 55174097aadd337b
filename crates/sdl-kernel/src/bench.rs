//! The evaluation benchmark behind `sdl bench eval`.
//!
//! In: formula text (one plain infix formula per line over `x0..x9`, `#` comments), a row
//! count, a thread count, a precision and a seed. Out: one line `engine=NAME
//! node_evals_per_s=X` per engine (reference, fused, jit) and a last line `fastest=NAME`.
//! Nodes are counted as written (every operator, call, variable and constant once). Data are
//! uniform in [0.5, 2] from `sdl_formula::rng::Rng(seed)`; formulas are spread over a rayon
//! pool of `threads` threads, each formula evaluated over all rows by one thread. Timing
//! excludes parsing and JIT compilation (the JIT cache is warmed first). Formulas are read
//! with `sdl_formula::parse` (a minus written before a number is part of the constant).

use crate::batch::run_program_serial;
use crate::cost::Engine;
use crate::{Dataset, KernelError, Program};
use num_traits::Float;
use rayon::prelude::*;
use sdl_formula::rng::Rng;
use sdl_formula::Formula;
use std::time::{Duration, Instant};

/// Floating-point precision of a benchmark run.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Precision {
    F32,
    F64,
}

/// Minimum measured time per engine.
const MIN_TIME: Duration = Duration::from_millis(400);

/// Runs the benchmark; see the module documentation for the output lines.
pub fn bench_eval(
    formulas_src: &str,
    rows: usize,
    threads: usize,
    precision: Precision,
    seed: u64,
) -> Result<Vec<String>, KernelError> {
    let formulas = parse_lines(formulas_src)?;
    if formulas.is_empty() {
        return Err(KernelError::Parse { line: 0, message: "no formulas".into() });
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| KernelError::Jit(format!("thread pool: {e}")))?;
    let names: Vec<String> = (0..10).map(|i| format!("x{i}")).collect();
    let mut rng = Rng::new(seed);
    let cols: Vec<Vec<f64>> = (0..10).map(|_| (0..rows).map(|_| rng.range(0.5, 2.0)).collect()).collect();
    let data = Dataset::new(names, cols)?;
    let results = match precision {
        Precision::F32 => pool.install(|| run_all(&formulas, &data.cast::<f32>())),
        Precision::F64 => pool.install(|| run_all(&formulas, &data)),
    }?;
    let mut lines: Vec<String> =
        results.iter().map(|(e, rate)| format!("engine={} node_evals_per_s={:.4e}", e.name(), rate)).collect();
    let fastest = results.iter().max_by(|a, b| a.1.total_cmp(&b.1)).map_or("none", |r| r.0.name());
    lines.push(format!("fastest={fastest}"));
    Ok(lines)
}

fn run_all<T: Float + Send + Sync + 'static>(
    formulas: &[Formula],
    data: &Dataset<T>,
) -> Result<Vec<(Engine, f64)>, KernelError> {
    let progs: Vec<(Program, Vec<T>)> = formulas
        .iter()
        .map(|f| {
            let p = Program::compile(f, data.names())?;
            Ok((p, f.consts.iter().map(|c| T::from(*c).unwrap_or_else(T::nan)).collect()))
        })
        .collect::<Result<_, KernelError>>()?;
    let nodes: usize = formulas.iter().map(Formula::len).sum();
    let mut out = Vec::new();
    for engine in [Engine::Reference, Engine::Fused, Engine::Jit] {
        let once = || {
            progs.par_iter().for_each(|(p, c)| {
                let mut buf = vec![T::zero(); data.n_rows()];
                run_program_serial(p, engine, c, data, &mut buf, false);
                std::hint::black_box(&buf);
            })
        };
        once(); // warm-up: JIT compilation, page faults
        let start = Instant::now();
        let mut reps = 0usize;
        while start.elapsed() < MIN_TIME || reps == 0 {
            once();
            reps += 1;
        }
        let secs = start.elapsed().as_secs_f64();
        out.push((engine, (nodes * data.n_rows() * reps) as f64 / secs));
    }
    Ok(out)
}

/// Parses one formula per non-empty, non-comment line.
pub fn parse_lines(src: &str) -> Result<Vec<Formula>, KernelError> {
    let mut out = Vec::new();
    for (i, line) in src.lines().enumerate() {
        let text = line.split('#').next().unwrap_or("").trim();
        if text.is_empty() {
            continue;
        }
        let f = sdl_formula::parse(text).map_err(|e| KernelError::Parse { line: i + 1, message: e.to_string() })?;
        out.push(f);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_counts_nodes_as_written() {
        let one = |s: &str| parse_lines(s).unwrap().remove(0);
        assert_eq!(one("x0^2").len(), 3);
        assert_eq!(one("-x0").len(), 2);
        let f = one("x1*cos(x2-3.2)  # comment");
        assert_eq!(f.len(), 6);
        assert_eq!(f.eval_row(&[2.0, 3.2]), 2.0);
        assert!(matches!(parse_lines("\n# only\nfoo(x)"), Err(KernelError::Parse { line: 3, .. })));
    }

    #[test]
    fn sample_file_parses_and_bench_reports_every_engine() {
        let src = include_str!("../benches/formulas.txt");
        assert_eq!(parse_lines(src).unwrap().len(), 20);
        let lines = bench_eval("x0*x1\nexp(x2) # c\n", 300, 1, Precision::F32, 1).unwrap();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("engine=reference node_evals_per_s="));
        assert!(lines[3].starts_with("fastest="));
        assert!(matches!(bench_eval("x0 +", 10, 1, Precision::F64, 1), Err(KernelError::Parse { line: 1, .. })));
    }
}
