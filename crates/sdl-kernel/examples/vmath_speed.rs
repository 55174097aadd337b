//! ns per element of the slice kernels in every build this CPU supports (each call on 256
//! arguments in [0.5, 2], copied in first: `abs` shows the cost of the copy and the call):
//! `cargo run -p sdl-kernel --release --example vmath_speed`.
use sdl_formula::Op;
use sdl_kernel::jit::{unary_at, SimdLevel};
use std::time::Instant;

fn time<T: num_traits::Float + 'static>(level: SimdLevel, op: Op, what: &str) {
    // Arguments in [0.5, 2] like `sdl bench eval`'s data, restored before every call.
    let src: Vec<T> = (0..256).map(|i| T::from(0.5 + i as f64 * 1.5 / 256.0).unwrap_or_else(T::nan)).collect();
    let mut v = src.clone();
    let reps = 20000;
    let t = Instant::now();
    for _ in 0..reps {
        v.copy_from_slice(&src);
        unary_at(level, op, &mut v);
        std::hint::black_box(&mut v);
    }
    let ns = t.elapsed().as_secs_f64() / (reps as f64 * 256.0) * 1e9;
    println!("{:>8} {what} {op:>5}: {ns:.3} ns/elem", level.name());
}

fn main() {
    for level in SimdLevel::ALL.into_iter().filter(|l| l.supported()) {
        for op in [Op::Abs, Op::Exp, Op::Log, Op::Sin, Op::Cos, Op::Tanh, Op::Sqrt] {
            time::<f32>(level, op, "f32");
            time::<f64>(level, op, "f64");
        }
    }
}
