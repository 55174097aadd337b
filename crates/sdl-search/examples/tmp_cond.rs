use sdl_formula::{Op, OperatorSet};
use sdl_search::bench::{benchmark_laws, sample};
use sdl_search::{search, Problem, SearchOptions};
use std::sync::atomic::AtomicBool;
fn main() {
    let law = benchmark_laws().into_iter().find(|l| l.name == std::env::args().nth(1).unwrap()).unwrap();
    let cons = std::env::args().nth(2).is_some();
    for seed in 1..9 {
        let (d, y) = sample(&law, 200, 1, false).unwrap();
        let mut set = OperatorSet { binary: vec![Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Cond], maxsize: 20, ..OperatorSet::default() };
        if cons { set.constraints = vec![(Op::Cond, vec![Some(3), None])]; set.nested_constraints = vec![(Op::Cond, Op::Cond, 0)]; }
        let o = SearchOptions { operators: set, populations: 8, niterations: 400, ncycles_per_iteration: 100, loss_threshold: Some(1e-24), seed, ..SearchOptions::default() };
        let t = std::time::Instant::now();
        let r = search(&Problem::plain(d, y), &o, &|_| {}, &AtomicBool::new(false)).unwrap();
        println!("seed {seed} iters {} loss {:.2e} {:.2}s", r.iterations, r.accuracy().unwrap().loss, t.elapsed().as_secs_f64());
    }
}
