//! sdl-train: graph networks trained on simulated n-body data, after Cranmer et al. (2020),
//! "Discovering Symbolic Models from Deep Learning with Inductive Biases". In: `sdl-sim` graph
//! data; out: a trained [`Network`] (the message-passing [`GraphNet`] or the Hamiltonian
//! [`Hamiltonian`]), its per-step losses, its messages per edge, the Table-1 comparison of the
//! most significant message channels with the true pair forces, symbolic edge models put in
//! place of the learned one, and model files.
//! Always true: everything runs on a burn [`Device`](burn::prelude::Device) chosen by the
//! caller ([`cpu_device`] gives the CPU one with autodiff); bad input gives a [`TrainError`]
//! rather than a panic; this crate knows nothing of the sdl language.
//!
//! ```no_run
//! use sdl_sim::{simulate, Law, SimConfig};
//! use sdl_train::{cpu_device, extract_messages, truth_fit, Dataset, GraphNetConfig, NetworkConfig, Penalty,
//!     TrainConfig, Trainer, Truth};
//! use std::sync::atomic::AtomicBool;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sim = simulate(&SimConfig::new(Law::Spring, 4, 2))?;
//! let data = Dataset::from_graph_data(&sim)?;
//! let device = cpu_device();
//! let net = NetworkConfig::Graph(GraphNetConfig::paper(2, Penalty::Bottleneck));
//! let mut trainer = Trainer::new(&net, TrainConfig::default(), 1000, &device)?;
//! let (losses, _) = trainer.run(&data, &AtomicBool::new(false), &mut |_| {})?;
//! let messages = extract_messages(trainer.network(), &sim.graphs, &device)?;
//! let fit = truth_fit(&messages, &sim.graphs, Law::Spring, 2, Truth::Force, None, 0.9)?;
//! println!("final loss {:?}, Table-1 R^2 {}", losses.last(), fit.table1());
//! # Ok(())
//! # }
//! ```

pub mod adam;
pub mod data;
pub mod error;
pub mod extract;
pub mod hamiltonian;
pub mod mlp;
pub mod model;
pub mod network;
pub mod store;
pub mod symbolic;
pub mod train;

pub use data::{Batch, Dataset};
pub use error::TrainError;
pub use extract::{
    acceleration_mae, extract_messages, linear_fit, predict_accelerations, r_squared, trimmed_r_squared, truth_fit,
    EdgeRef, Messages, Truth, TruthFit,
};
pub use hamiltonian::{Hamiltonian, HamiltonianConfig};
pub use mlp::{Activation, Mlp, MlpSpec};
pub use model::{complete_edges, standard_features, Aggregation, GraphNet, GraphNetConfig, Penalty};
pub use network::{scalar, Loss, Network, NetworkConfig};
pub use store::{load_checkpoint, load_network, save_checkpoint, save_network, ModelMeta};
pub use symbolic::edge_variables;
pub use train::{Progress, Schedule, Stop, TrainConfig, Trainer};

/// Re-export of burn, so callers use the same version.
pub use burn;

/// The CPU device (burn's Flex backend, whose matrix products use AVX-512 or AVX2 kernels
/// chosen at run time) with autodiff, for training.
pub fn cpu_device() -> burn::prelude::Device {
    burn::prelude::Device::flex().autodiff()
}

/// The device to train on: the CPU ([`cpu_device`]) unless this crate was built with the `wgpu`
/// feature and the environment variable `SDL_DEVICE` is `wgpu` (the GPU wgpu finds).
pub fn training_device() -> burn::prelude::Device {
    match std::env::var("SDL_DEVICE").as_deref() {
        #[cfg(feature = "wgpu")]
        Ok("wgpu") => burn::prelude::Device::wgpu(Default::default()).autodiff(),
        _ => cpu_device(),
    }
}
