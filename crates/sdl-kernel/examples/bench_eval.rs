//! `cargo run -p sdl-kernel --release --example bench_eval -- FILE ROWS THREADS f32|f64`:
//! the same benchmark as `sdl bench eval`, for use before the CLI exists.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let file = args.get(1).map_or("crates/sdl-kernel/benches/formulas.txt", String::as_str);
    let rows = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let threads = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let precision = match args.get(4).map(String::as_str) {
        Some("f64") => sdl_kernel::Precision::F64,
        _ => sdl_kernel::Precision::F32,
    };
    let src = match std::fs::read_to_string(file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{file}: {e}");
            std::process::exit(2);
        }
    };
    match sdl_kernel::bench_eval(&src, rows, threads, precision, 1) {
        Ok(lines) => lines.iter().for_each(|l| println!("{l}")),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
