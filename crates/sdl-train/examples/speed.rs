//! Training throughput of the paper's network (hidden 300, 3 hidden layers, message 100,
//! batch 64, n = 4, dim = 2) on spring data, plus the grad-of-grad check. Run with
//! `cargo run --release --example speed [steps]`.

use std::time::Instant;

use sdl_sim::{simulate, Law, SimConfig};
use sdl_train::burn::prelude::*;
use sdl_train::{cpu_device, extract_messages, force_fit, Dataset, GraphNetConfig, Regularizer, TrainConfig, Trainer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let steps: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100);
    let mut cfg = SimConfig::new(Law::Spring, 4, 2);
    cfg.n_sims = 20;
    cfg.seed = 1;
    let sim = simulate(&cfg)?;
    let data = Dataset::from_graph_data(&sim)?;
    println!("data: {} graphs", data.len());
    let device = cpu_device();
    for reg in [Regularizer::Standard, Regularizer::L1 { weight: 1e-2 }, Regularizer::Bottleneck] {
        let model = GraphNetConfig::new(4, 2).with_regularizer(reg);
        let mut t = Trainer::new(&model, TrainConfig { seed: 0, ..TrainConfig::default() }, &device)?;
        t.train(&data, 5)?; // warm-up
        let start = Instant::now();
        let losses = t.train(&data, steps)?;
        let secs = start.elapsed().as_secs_f64();
        let per = steps as f64 / secs;
        println!(
            "{reg:?}: {steps} steps in {secs:.2} s: {per:.1} steps/s, {:.0} graphs/s; loss {:.4} -> {:.4}",
            per * 64.0,
            losses[0],
            losses[steps - 1]
        );
        let start = Instant::now();
        let m = extract_messages(t.model(), &sim.graphs[..1000.min(sim.graphs.len())], &device)?;
        let fit = force_fit(&m, &sim.graphs, Law::Spring, 2)?;
        println!(
            "  messages: {} rows in {:.2} s; active channels {}; R^2 force<-msg {:.3}, msg<-force {:.3}",
            m.rows(),
            start.elapsed().as_secs_f64(),
            m.active_channels(0.1),
            fit.force_from_messages_mean(),
            fit.messages_from_force_mean()
        );
    }
    // Grad of grad.
    let x = Tensor::<1>::from_floats([2.0], &device).require_grad();
    let dx = x.grad(&x.clone().powf_scalar(3.0).sum().backward()).ok_or("no first derivative")?;
    println!("first derivative of x^3 at 2: {:?}", dx.to_data().try_into_vec_as::<f32>()?);
    println!("gradient tracked (differentiable again): {}", dx.is_tracked());
    let second = std::panic::catch_unwind(|| {
        let _ = dx.sum().backward();
    });
    println!("second derivative possible: {}", second.is_ok());
    Ok(())
}
