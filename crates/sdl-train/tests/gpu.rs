//! The opt-in `wgpu` backend: the tiny seeded training run of `train.rs` on the GPU that wgpu
//! finds (a software Vulkan device such as Mesa's llvmpipe is enough) reduces the loss and
//! follows the CPU run step for step. Not part of the default suite (the feature is off);
//! run it with `cargo test -p sdl-train --release --features wgpu --test gpu`.
#![cfg(feature = "wgpu")]

use std::sync::atomic::AtomicBool;

use sdl_sim::{simulate, Law, SimConfig};
use sdl_train::burn::prelude::Device;
use sdl_train::{cpu_device, Dataset, GraphNetConfig, NetworkConfig, Penalty, Schedule, Stop, TrainConfig, Trainer};

fn losses(device: &Device, steps: usize) -> Vec<f64> {
    let mut cfg = SimConfig::new(Law::Spring, 4, 2);
    (cfg.n_sims, cfg.steps, cfg.keep_every, cfg.seed) = (4, 100, 5, 7);
    let data = Dataset::from_graph_data(&simulate(&cfg).unwrap()).unwrap();
    let net = GraphNetConfig::paper(2, Penalty::L1 { weight: 1e-2 }).with_mlp(32, 2).with_msg_dim(16);
    let config =
        TrainConfig { batch: 16, seed: 3, augment_sigma: 0.0, schedule: Schedule::Constant, ..TrainConfig::default() };
    let mut t = Trainer::new(&NetworkConfig::Graph(net), config, steps, device).unwrap();
    let (losses, stop) = t.run(&data, &AtomicBool::new(false), &mut |_| {}).unwrap();
    assert_eq!(stop, Stop::Finished);
    losses
}

#[test]
fn wgpu_training_reduces_the_loss_and_follows_the_cpu() {
    let gpu = Device::wgpu(Default::default()).autodiff();
    let on_gpu = losses(&gpu, 200);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (first, last) = (mean(&on_gpu[..10]), mean(&on_gpu[190..]));
    assert!(last < 0.7 * first, "loss went from {first} to {last}");
    // Same initial weights and batches (both drawn from the seed, not from the device): the
    // first steps differ only by f32 rounding in another summation order.
    let on_cpu = losses(&cpu_device(), 10);
    for (step, (g, c)) in on_gpu.iter().zip(&on_cpu).enumerate() {
        assert!((g - c).abs() <= 1e-3 * c.abs(), "step {step}: gpu {g}, cpu {c}");
    }
}
