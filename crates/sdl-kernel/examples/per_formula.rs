//! Per-formula timing of the fused interpreter and the JIT (ns per row), plus JIT compile
//! time: the measurements behind the cost model. `cargo run -p sdl-kernel --release
//! --example per_formula -- FILE ROWS f32|f64`.

use sdl_kernel::batch::run_program_serial;
use sdl_kernel::{Dataset, Engine, Program};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let file = args.get(1).map_or("crates/sdl-kernel/benches/formulas.txt", String::as_str);
    let rows: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let src = std::fs::read_to_string(file).unwrap_or_default();
    let names: Vec<String> = (0..10).map(|i| format!("x{i}")).collect();
    let mut rng = sdl_formula::rng::Rng::new(1);
    let cols: Vec<Vec<f64>> = (0..10).map(|_| (0..rows).map(|_| rng.range(0.5, 2.0)).collect()).collect();
    let data: Dataset<f32> = Dataset::new(names.clone(), cols).map(|d| d.cast()).unwrap_or_else(|e| panic!("{e}"));
    let fs = sdl_kernel::bench::parse_lines(&src).unwrap_or_default();
    for (line, f) in src.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).zip(&fs) {
        let prog = Program::compile(f, &names).unwrap_or_else(|e| panic!("{e}"));
        let consts: Vec<f32> = f.consts.iter().map(|c| *c as f32).collect();
        let mut out = vec![0f32; rows];
        let t = Instant::now();
        run_program_serial(&prog, Engine::Jit, &consts, &data, &mut out, false);
        let compile = t.elapsed().as_secs_f64();
        let mut per = Vec::new();
        for engine in [Engine::Fused, Engine::Jit, Engine::Reference] {
            let reps = (2_000_000 / rows).max(1);
            let t = Instant::now();
            for _ in 0..reps {
                run_program_serial(&prog, engine, &consts, &data, &mut out, false);
            }
            per.push(t.elapsed().as_secs_f64() / (reps * rows) as f64 * 1e9);
        }
        println!(
            "{:>7.2} {:>7.2} {:>7.2} ns/row  first-jit-call {:>7.1} us  nodes {:>2}  {}",
            per[0],
            per[1],
            per[2],
            compile * 1e6,
            f.len(),
            line
        );
    }
}
