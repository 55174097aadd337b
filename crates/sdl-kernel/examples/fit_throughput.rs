//! Constant-optimisation throughput, fused path (`grad_consts` + the fit's Rust loops) vs the
//! compiled value–loss–gradient functions of `jit_fit`, on one thread: the measurements behind
//! `cost::fit_uses_jit`. For each formula and row count: BFGS evaluations (loss + gradient)
//! per second and LM evaluations (normal equations) per second on both paths and their ratio,
//! the first (compiling) call, and end-to-end `fit_constants` time per formula with the
//! search's settings (BFGS, 8 iterations, 2 restarts) and with LM (100 iterations).
//! `cargo run -p sdl-kernel --release --example fit_throughput -- [FILE] [ROWS,ROWS,..]`.

// The fused side mirrors fit.rs's index loops on purpose.
#![allow(clippy::needless_range_loop)]

use sdl_kernel::jit_fit::{FitKernel, Variant};
use sdl_kernel::{fit_constants_with, grad_consts, loss_value, Dataset, FitEngine, FitOptions, Loss, Method};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Best per-call time of `f` over repeated runs of at least `min` in total.
fn time(min: Duration, mut f: impl FnMut()) -> f64 {
    f();
    let mut best = f64::INFINITY;
    let start = Instant::now();
    while start.elapsed() < min {
        let t = Instant::now();
        let mut reps = 0;
        while t.elapsed() < min / 8 {
            f();
            reps += 1;
        }
        best = best.min(t.elapsed().as_secs_f64() / reps as f64);
    }
    best
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let file = args.get(1).map_or("crates/sdl-kernel/benches/formulas.txt", String::as_str);
    let row_counts: Vec<usize> =
        args.get(2).map_or("100,1000,10000", String::as_str).split(',').filter_map(|s| s.parse().ok()).collect();
    let src = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let fs = sdl_kernel::bench::parse_lines(&src).unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<&str> =
        src.lines().map(|l| l.split('#').next().unwrap_or("").trim()).filter(|l| !l.is_empty()).collect();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    pool.install(|| run(&fs, &lines, &row_counts));
}

fn run(fs: &[sdl_formula::Formula], lines: &[&str], row_counts: &[usize]) {
    let names: Vec<String> = (0..10).map(|i| format!("x{i}")).collect();
    let min = Duration::from_millis(160);
    println!("# one thread; evals/s = value+loss+gradient evaluations per second; ratio = jit / fused");
    for &rows in row_counts {
        let mut rng = sdl_formula::rng::Rng::new(1);
        let cols: Vec<Vec<f64>> = (0..10).map(|_| (0..rows).map(|_| rng.range(0.5, 2.0)).collect()).collect();
        let data = Dataset::new(names.clone(), cols).unwrap_or_else(|e| panic!("{e}"));
        let (mut t_bf, mut t_bj, mut t_lf, mut t_lj, mut node_rows) = (0.0, 0.0, 0.0, 0.0, 0.0);
        let (mut e2e_f, mut e2e_j, mut e2e_lf, mut e2e_lj) = (0.0, 0.0, 0.0, 0.0);
        println!(
            "rows={rows}\n{:>5} {:>6} {:>11} {:>11} {:>6} {:>11} {:>11} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9}  formula",
            "nodes",
            "consts",
            "bfgs_fused",
            "bfgs_jit",
            "ratio",
            "lm_fused",
            "lm_jit",
            "ratio",
            "compile",
            "fitB_fus",
            "fitB_jit",
            "fitLM_fus",
            "fitLM_jit"
        );
        for (f, line) in fs.iter().zip(lines) {
            let p = f.consts.len();
            if p == 0 {
                continue;
            }
            // A target near the formula so the fits do real work.
            let y: Vec<f64> = sdl_kernel::eval(f, &data)
                .0
                .iter()
                .enumerate()
                .map(|(i, v)| v * (1.0 + 0.01 * ((i % 7) as f64 - 3.0)))
                .collect();
            let ones = vec![1.0; rows];
            let c: Vec<f64> = f.consts.iter().map(|v| v * 1.1 + 0.05).collect();
            // Fused BFGS evaluation: grad_consts + fit.rs's gradient loop + loss_value.
            let bf = time(min, || {
                let j = grad_consts(f, &c, &data).unwrap();
                let mut g = vec![0.0; p];
                for i in 0..rows {
                    let d = Loss::L2.row_grad(j.values[i], y[i]);
                    for (gs, js) in g.iter_mut().zip(&j.jac[i * p..(i + 1) * p]) {
                        *gs += d * js;
                    }
                }
                black_box((loss_value(&j.values, &y, None, &Loss::L2), g));
            });
            let t0 = Instant::now();
            let kb = FitKernel::new(f, &names, p, Variant::LossGrad).expect("compiles");
            let compile = t0.elapsed().as_secs_f64();
            let bj = time(min, || {
                black_box(kb.loss_grad(&c, &data, &y, &ones));
            });
            // Fused LM evaluation: grad_consts + fit.rs's normal-equation loop.
            let lf = time(min, || {
                let j = grad_consts(f, &c, &data).unwrap();
                let (mut a, mut g) = (vec![0.0; p * p], vec![0.0; p]);
                for i in 0..rows {
                    let r = j.values[i] - y[i];
                    let row = &j.jac[i * p..(i + 1) * p];
                    if !r.is_finite() || row.iter().any(|v| !v.is_finite()) {
                        continue;
                    }
                    for s in 0..p {
                        g[s] += row[s] * r;
                        for t in 0..=s {
                            a[s * p + t] += row[s] * row[t];
                        }
                    }
                }
                black_box((a, g));
            });
            let kl = FitKernel::new(f, &names, p, Variant::Normal).expect("compiles");
            let lj = time(min, || {
                black_box(kl.normal(&c, &data, &y, &ones));
            });
            // End to end (functions already compiled, so the JIT path runs without compiling).
            let start = sdl_formula::Formula { consts: c.clone(), ..f.clone() };
            let bo = FitOptions { method: Method::Bfgs, max_iter: 8, restarts: 2, ..Default::default() };
            let lo = FitOptions { method: Method::LevenbergMarquardt, max_iter: 100, ..Default::default() };
            let fit = |o: &FitOptions, e: FitEngine| {
                time(min, || drop(black_box(fit_constants_with(&start, &data, &y, None, o, e))))
            };
            let (fbf, fbj) = (fit(&bo, FitEngine::Fused), fit(&bo, FitEngine::Jit));
            let (flf, flj) = (fit(&lo, FitEngine::Fused), fit(&lo, FitEngine::Jit));
            println!(
                "{:>5} {:>6} {:>11.4e} {:>11.4e} {:>6.2} {:>11.4e} {:>11.4e} {:>6.2} {:>7.0}us {:>7.0}us {:>7.0}us {:>7.0}us {:>7.0}us  {line}",
                f.len(),
                p,
                1.0 / bf,
                1.0 / bj,
                bf / bj,
                1.0 / lf,
                1.0 / lj,
                lf / lj,
                compile * 1e6,
                fbf * 1e6,
                fbj * 1e6,
                flf * 1e6,
                flj * 1e6
            );
            t_bf += bf;
            t_bj += bj;
            t_lf += lf;
            t_lj += lj;
            node_rows += (f.len() * rows) as f64;
            e2e_f += fbf;
            e2e_j += fbj;
            e2e_lf += flf;
            e2e_lj += flj;
        }
        println!(
            "total rows={rows}: bfgs eval ratio {:.2} (fused {:.2} ns, jit {:.2} ns per node-row); lm eval ratio {:.2} (fused {:.2}, jit {:.2} ns per node-row); fit_constants BFGS ratio {:.2}, LM ratio {:.2}",
            t_bf / t_bj,
            t_bf / node_rows * 1e9,
            t_bj / node_rows * 1e9,
            t_lf / t_lj,
            t_lf / node_rows * 1e9,
            t_lj / node_rows * 1e9,
            e2e_f / e2e_j,
            e2e_lf / e2e_lj
        );
    }
}
