//! Per-formula timing of the fused interpreter, the JIT and the row interpreter (ns per row),
//! plus the first JIT call (compilation): the measurements behind the cost model.
//! `cargo run -p sdl-kernel --release --example per_formula -- FILE ROWS f32|f64`.

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
    let data = Dataset::new(names.clone(), cols).unwrap_or_else(|e| panic!("{e}"));
    let fs = sdl_kernel::bench::parse_lines(&src).unwrap_or_default();
    let lines: Vec<&str> = src.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).collect();
    let progs: Vec<Program> =
        fs.iter().map(|f| Program::compile(f, &names).unwrap_or_else(|e| panic!("{e}"))).collect();
    let consts: Vec<&[f64]> = fs.iter().map(|f| f.consts.as_slice()).collect();
    let per = if args.get(3).map(String::as_str) == Some("f64") {
        time(&progs, &consts, &data)
    } else {
        time(&progs, &consts, &data.cast::<f32>())
    };
    let mut total = [0.0; 3];
    for ((p, line), f) in per.iter().zip(&lines).zip(&fs) {
        println!(
            "{:>7.2} {:>7.2} {:>7.2} ns/row  first-jit-call {:>7.1} us  nodes {:>2}  {}",
            p[0],
            p[1],
            p[2],
            p[3] * 1e6,
            f.len(),
            line
        );
        (0..3).for_each(|i| total[i] += p[i]);
    }
    println!("{:>7.2} {:>7.2} {:>7.2} ns/row  total (fused, jit, reference)", total[0], total[1], total[2]);
}

fn time<T: num_traits::Float + Send + Sync + 'static>(
    progs: &[Program],
    consts: &[&[f64]],
    data: &Dataset<T>,
) -> Vec<[f64; 4]> {
    let rows = data.n_rows();
    let mut out = vec![T::zero(); rows];
    progs
        .iter()
        .zip(consts)
        .map(|(prog, c)| {
            let c: Vec<T> = c.iter().map(|v| T::from(*v).unwrap_or_else(T::nan)).collect();
            let t = Instant::now();
            run_program_serial(prog, Engine::Jit, &c, data, &mut out, false);
            let compile = t.elapsed().as_secs_f64();
            let mut per = [0.0, 0.0, 0.0, compile];
            for (i, engine) in [Engine::Fused, Engine::Jit, Engine::Reference].into_iter().enumerate() {
                let reps = if engine == Engine::Reference { 1 } else { (2_000_000 / rows).max(1) };
                run_program_serial(prog, engine, &c, data, &mut out, false);
                let t = Instant::now();
                for _ in 0..reps {
                    run_program_serial(prog, engine, &c, data, &mut out, false);
                }
                per[i] = t.elapsed().as_secs_f64() / (reps * rows) as f64 * 1e9;
            }
            per
        })
        .collect()
}
