//! sdl-train: graph networks trained on simulated n-body data, after Cranmer et al. (2020),
//! "Discovering Symbolic Models from Deep Learning with Inductive Biases". In: `sdl-sim` graph
//! data; out: a trained [`GraphNet`], its per-step losses, its messages per edge and the
//! Table-1 comparison of the most significant message channels with the true pair forces.
//! Always true: everything runs on a burn [`Device`](burn::prelude::Device) chosen by the
//! caller ([`cpu_device`] gives the CPU one with autodiff), and bad input gives a
//! [`TrainError`] rather than a panic.
//!
//! ```no_run
//! use sdl_sim::{simulate, Law, SimConfig};
//! use sdl_train::{cpu_device, extract_messages, force_fit, Dataset, GraphNetConfig, Regularizer, TrainConfig, Trainer};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sim = simulate(&SimConfig::new(Law::Spring, 4, 2))?;
//! let data = Dataset::from_graph_data(&sim)?;
//! let device = cpu_device();
//! let model = GraphNetConfig::new(4, 2).with_regularizer(Regularizer::Bottleneck);
//! let mut trainer = Trainer::new(&model, TrainConfig::default(), &device)?;
//! let losses = trainer.train(&data, 1000)?;
//! let messages = extract_messages(trainer.model(), &sim.graphs, &device)?;
//! let fit = force_fit(&messages, &sim.graphs, Law::Spring, 2)?;
//! println!("final loss {:?}, Table-1 R^2 {}", losses.last(), fit.messages_from_force_mean());
//! # Ok(())
//! # }
//! ```

pub mod data;
pub mod error;
pub mod extract;
pub mod model;
pub mod train;

pub use data::{Batch, Dataset};
pub use error::TrainError;
pub use extract::{extract_messages, force_fit, r_squared, EdgeRef, ForceFit, Messages};
pub use model::{complete_edges, Forward, GraphNet, GraphNetConfig, Mlp, Regularizer};
pub use train::{loss, scalar, Loss, TrainConfig, Trainer};

/// Re-export of burn, so callers use the same version.
pub use burn;

/// The CPU device (burn's NdArray backend) with autodiff, for training.
#[allow(deprecated)] // NdArray is deprecated in favour of Flex; this build enables ndarray only.
pub fn cpu_device() -> burn::prelude::Device {
    burn::prelude::Device::ndarray().autodiff()
}
