//! One type for every trainable graph network: the message-passing [`GraphNet`] and the
//! Hamiltonian [`Hamiltonian`], with the loss they are trained on, their predictions and
//! their per-edge outputs (messages, or pair energies). In: batches of graphs as tensors; out:
//! losses, accelerations, edge outputs. Always true: the loss is the mean absolute error on
//! the network's targets (accelerations for a message-passing network; `dq/dt = v` and
//! `dp/dt = m a` for a Hamiltonian one) plus the weighted message penalty.

use burn::prelude::*;
use sdl_formula::rng::Rng;

use crate::error::TrainError;
use crate::hamiltonian::{Hamiltonian, HamiltonianConfig};
use crate::model::{GraphNet, GraphNetConfig, Penalty};

/// Settings of either kind of network.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum NetworkConfig {
    /// A message-passing network.
    Graph(GraphNetConfig),
    /// A Hamiltonian network.
    Hamiltonian(HamiltonianConfig),
}

impl NetworkConfig {
    /// Node feature names the network reads.
    pub fn features(&self) -> &[String] {
        match self {
            NetworkConfig::Graph(c) => &c.features,
            NetworkConfig::Hamiltonian(c) => &c.features,
        }
    }

    /// Spatial dimension.
    pub fn dim(&self) -> usize {
        match self {
            NetworkConfig::Graph(c) => c.dim,
            NetworkConfig::Hamiltonian(c) => c.dim,
        }
    }

    /// The message penalty (none for a Hamiltonian network).
    pub fn penalty(&self) -> Penalty {
        match self {
            NetworkConfig::Graph(c) => c.penalty,
            NetworkConfig::Hamiltonian(_) => Penalty::None,
        }
    }

    /// Builds a freshly initialised network whose weights are a function of `seed` alone.
    pub fn init(&self, device: &Device, seed: u64) -> Result<Network, TrainError> {
        // A stream of its own, apart from the batch order drawn with `Rng::new(seed)`.
        let mut rng = Rng::new(seed).fork(0x5EED);
        Ok(match self {
            NetworkConfig::Graph(c) => Network::Graph(c.init(device, &mut rng)?),
            NetworkConfig::Hamiltonian(c) => Network::Hamiltonian(c.init(device, &mut rng)?),
        })
    }
}

/// A trainable graph network of either kind.
#[derive(Module, Debug)]
pub enum Network {
    /// A message-passing network.
    Graph(GraphNet),
    /// A Hamiltonian network.
    Hamiltonian(Hamiltonian),
}

/// The loss of one batch, split into its parts.
#[derive(Debug)]
pub struct Loss {
    /// `mae + penalty`, the scalar that is differentiated.
    pub total: Tensor<1>,
    /// Mean absolute error over all target components of the batch.
    pub mae: Tensor<1>,
    /// The weighted message penalty (zero without one).
    pub penalty: Tensor<1>,
}

impl Network {
    /// The settings the network was built with.
    pub fn config(&self) -> NetworkConfig {
        match self {
            Network::Graph(g) => NetworkConfig::Graph(g.config().clone()),
            Network::Hamiltonian(h) => NetworkConfig::Hamiltonian(h.config().clone()),
        }
    }

    /// Spatial dimension.
    pub fn dim(&self) -> usize {
        self.config().dim()
    }

    /// Node features per body.
    pub fn node_features(&self) -> usize {
        self.config().features().len()
    }

    /// Channels per edge output: the message size, or 1 (the pair energy).
    pub fn edge_channels(&self) -> usize {
        match self {
            Network::Graph(g) => g.msg_dim(),
            Network::Hamiltonian(_) => 1,
        }
    }

    /// Whether the messages are sampled in training (KL), so the loss needs noise.
    pub fn needs_noise(&self) -> bool {
        matches!(self, Network::Graph(g) if g.is_kl())
    }

    /// Checks that `x` is `[batch > 0, n >= 2, node_features]`.
    pub fn check_input(&self, x: &Tensor<3>) -> Result<(), TrainError> {
        match self {
            Network::Graph(g) => g.check_input(x),
            Network::Hamiltonian(h) => h.check_input(x),
        }
    }

    /// Predicted accelerations `[batch, n, dim]` (KL models use their means).
    pub fn predict(&self, x: Tensor<3>) -> Tensor<3> {
        match self {
            Network::Graph(g) => g.forward(x, None).accel,
            Network::Hamiltonian(h) => h.forward(x).accel,
        }
    }

    /// Per-edge outputs `[batch, edges, channels]`: the messages (KL: their means) or the
    /// symmetrised pair energies ([`Hamiltonian::pair_energy`]).
    pub fn edge_outputs(&self, x: Tensor<3>) -> Tensor<3> {
        match self {
            Network::Graph(g) => g.forward(x, None).messages,
            Network::Hamiltonian(h) => h.pair_energy(x),
        }
    }

    /// The training loss on bodies `x: [batch, n, features]` with accelerations
    /// `accel: [batch, n, dim]`. `noise` samples KL messages (`[batch, edges, msg_dim]`).
    /// The L1 penalty is `weight * sum |m| / edges_in_batch`, the KL penalty
    /// `weight * sum (exp(logvar) + mu^2 - logvar) / 2 / edges_in_batch`.
    pub fn loss(&self, x: Tensor<3>, accel: Tensor<3>, noise: Option<Tensor<3>>) -> Loss {
        match self {
            Network::Graph(g) => {
                let [b, n, _] = x.dims();
                let edges = (b * n * (n - 1)) as f64;
                let out = g.forward(x, noise);
                let mae = (out.accel - accel).abs().mean();
                let penalty = match (g.config().penalty, out.kl) {
                    (Penalty::L1 { weight }, _) => out.messages.abs().sum().mul_scalar(weight / edges),
                    (Penalty::Kl { weight }, Some((mu, logvar))) => {
                        let kl = logvar.clone().exp() + mu.square() - logvar;
                        kl.sum().mul_scalar(0.5 * weight / edges)
                    }
                    _ => mae.zeros_like(),
                };
                Loss { total: mae.clone() + penalty.clone(), mae, penalty }
            }
            Network::Hamiltonian(h) => {
                let d = h.config().dim;
                let out = h.forward(x.clone());
                let v = x.clone().narrow(2, d, d);
                let mass = x.narrow(2, 2 * d + 1, 1);
                let pred = Tensor::cat(vec![out.dq_dt, out.dp_dt], 2);
                let target = Tensor::cat(vec![v, accel * mass], 2);
                let mae = (pred - target).abs().mean();
                Loss { total: mae.clone(), penalty: mae.zeros_like(), mae }
            }
        }
    }
}

/// Reads a one-element tensor back to the host.
pub fn scalar(t: &Tensor<1>) -> Result<f64, TrainError> {
    let v = t.to_data().try_into_vec_as::<f32>().map_err(|e| TrainError::Tensor(e.to_string()))?;
    v.first().map(|&x| x as f64).ok_or_else(|| TrainError::Tensor("empty tensor".into()))
}
