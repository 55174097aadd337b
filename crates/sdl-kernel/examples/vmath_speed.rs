//! ns per element of the slice kernels (baseline build, no AVX2 dispatch).
use std::time::Instant;
fn time(name: &str, f: impl Fn(&mut [f64])) {
    let mut v: Vec<f64> = (0..256).map(|i| 0.5 + i as f64 / 200.0).collect();
    let t = Instant::now();
    for _ in 0..20000 {
        f(&mut v);
        v.iter_mut().for_each(|x| *x = x.abs() + 0.5);
    }
    println!("{name}: {:.2} ns/elem", t.elapsed().as_secs_f64() / (20000.0 * 256.0) * 1e9);
}
fn main() {
    time("copy", |_| {});
    time("exp", sdl_kernel::vmath::exp_f64);
    time("log", sdl_kernel::vmath::log_f64);
    time("sin", sdl_kernel::vmath::sin_f64);
    time("tanh", sdl_kernel::vmath::tanh_f64);
    time("std sin", |v| v.iter_mut().for_each(|x| *x = x.sin()));
    time("std tanh", |v| v.iter_mut().for_each(|x| *x = x.tanh()));
}
