//! Benchmark of the search's dimension check: checks per second on random formulas.
//!
//! In: nothing (fixed seed); `cargo run -p sdl-units --release --example bench_consistent`.
//! Out: one line per setting (`k` dimensioned constants allowed, size of formulas) with checks
//! per second and the share of candidates found consistent. Always true: the formulas are drawn
//! once, before timing, from `sdl_formula::gen` over the variables `m1 m2 r v t` (kg, kg, m, m/s,
//! s) and the operators `+ - * / ^ sqrt square exp log sin cos`, with target N; one `DimChecker`
//! is reused, as a search thread would. Most random candidates fail early, so a second set per
//! size keeps only formulas consistent when every constant is free (each check then walks the
//! whole formula and solves for the constants): the worst case.

use sdl_formula::gen::random_formula;
use sdl_formula::rng::Rng;
use sdl_formula::{Formula, Op};
use sdl_units::{Dim, DimChecker, Unit};
use std::time::Instant;

fn dim(text: &str) -> Dim {
    Unit::parse(text).map(|u| u.dim).unwrap_or(Dim::ONE)
}

fn main() {
    let vars: Vec<String> = ["m1", "m2", "r", "v", "t"].iter().map(|s| s.to_string()).collect();
    let var_dims = [Some(dim("kg")), Some(dim("kg")), Some(dim("m")), Some(dim("m/s")), Some(dim("s"))];
    let ops = [Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Pow, Op::Sqrt, Op::Square, Op::Exp, Op::Log, Op::Sin, Op::Cos];
    let target = dim("N");
    let mut rng = Rng::new(42);
    let mut checker = DimChecker::new();
    for size in [7usize, 15, 30] {
        let random: Vec<Formula> = (0..20_000).map(|_| random_formula(&mut rng, &vars, &ops, size)).collect();
        let mut passing: Vec<Formula> = Vec::new();
        while passing.len() < 2_000 {
            let f = random_formula(&mut rng, &vars, &ops, size);
            if checker.consistent(&f, &var_dims, target, usize::MAX) {
                passing.push(f);
            }
        }
        for (label, formulas, k) in [
            ("random", &random, 0usize),
            ("random", &random, 1),
            ("random", &random, usize::MAX),
            ("passing", &passing, 0),
            ("passing", &passing, 1),
            ("passing", &passing, usize::MAX),
        ] {
            let nodes: usize = formulas.iter().map(Formula::len).sum();
            let mut consistent = 0usize;
            let mut checks = 0usize;
            let start = Instant::now();
            while start.elapsed().as_secs_f64() < 0.5 {
                for f in formulas.iter() {
                    consistent += usize::from(checker.consistent(f, &var_dims, target, k));
                }
                checks += formulas.len();
            }
            let secs = start.elapsed().as_secs_f64();
            let k_text = if k == usize::MAX { "all".to_string() } else { k.to_string() };
            println!(
                "{label:>7} size<={size:>2} (mean {:>4.1} nodes) k={k_text:>3}: {:>10.0} checks/s, {:>5.1}% consistent",
                nodes as f64 / formulas.len() as f64,
                checks as f64 / secs,
                100.0 * consistent as f64 / checks as f64
            );
        }
    }
}
