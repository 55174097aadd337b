//! The paper's Hamiltonian graph network (FlatHGN): a scalar energy
//! `H = sum_{i != j} E_pair(z_i, z_j) + sum_i E_self(z_i)` over bodies `z = [q, p, charge, m]`
//! (position, momentum `p = m v`, charge, mass), whose predictions are Hamilton's equations
//! `dq/dt = dH/dp`, `dp/dt = -dH/dq`. In: a batch of `sdl-sim` graphs `[batch, n, 2 dim + 2]`;
//! out: `dq/dt`, `dp/dt` (and so accelerations `dp/dt / m`) and the pair energy of every
//! directed edge.
//!
//! Training needs the loss gradient of `dH/dq` with respect to the weights: a second
//! derivative, which burn 0.22's autodiff cannot take (`tests/second_derivative.rs`). So the
//! derivatives of `H` with respect to `q` and `p` are computed forward, by propagating input
//! tangents through the MLPs alongside their values ([`Mlp::forward_with_tangents`]), and only
//! ordinary backpropagation is used on top. Always true: edges are those of
//! [`crate::model::complete_edges`] for the batch's body count.

use burn::prelude::*;
use sdl_formula::rng::Rng;
use sdl_sim::{charge_index, mass_index, node_len};

use crate::error::TrainError;
use crate::mlp::{Activation, Mlp, MlpSpec};
use crate::model::{complete_edges, select_bodies, standard_features};

/// Shape of a [`Hamiltonian`] network. [`HamiltonianConfig::paper`] gives the paper's.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HamiltonianConfig {
    /// Node feature names (`sdl-sim` layout: positions, velocities, charge, mass).
    pub features: Vec<String>,
    /// Spatial dimension.
    pub dim: usize,
    /// Shape of the pair-energy model `[z_i, z_j] -> E`.
    pub pair: MlpSpec,
    /// Shape of the self-energy model `z_i -> E`.
    pub self_energy: MlpSpec,
}

impl HamiltonianConfig {
    /// The paper's FlatHGN: both energy models 300 x 3 with Softplus.
    pub fn paper(dim: usize) -> HamiltonianConfig {
        let spec = MlpSpec::paper().with_activation(Activation::Softplus);
        HamiltonianConfig { features: standard_features(dim), dim, pair: spec, self_energy: spec }
    }

    /// Checks the feature layout and shapes.
    pub fn validate(&self) -> Result<(), TrainError> {
        if self.dim == 0 || self.features.len() != node_len(self.dim) {
            return Err(TrainError::BadConfig(format!(
                "a Hamiltonian network needs bodies [position, velocity, charge, mass]: {} features for dim {}, got {}",
                node_len(self.dim),
                self.dim,
                self.features.len()
            )));
        }
        for (what, spec) in [("pair", &self.pair), ("self", &self.self_energy)] {
            if spec.hidden == 0 && spec.layers > 0 {
                return Err(TrainError::BadConfig(format!("the {what} energy model has hidden width 0")));
            }
        }
        Ok(())
    }

    /// Builds a freshly initialised network on `device`, weights drawn from `rng`.
    pub fn init(&self, device: &Device, rng: &mut Rng) -> Result<Hamiltonian, TrainError> {
        self.validate()?;
        let f = self.features.len();
        Ok(Hamiltonian {
            pair: self.pair.init(2 * f, 1, device, rng),
            self_energy: self.self_energy.init(f, 1, device, rng),
            config: self.clone(),
        })
    }
}

/// The Hamiltonian graph network (see the module summary).
#[derive(Module, Debug)]
pub struct Hamiltonian {
    pair: Mlp,
    self_energy: Mlp,
    #[module(skip)]
    config: HamiltonianConfig,
}

/// The outputs of one forward pass of a [`Hamiltonian`].
#[derive(Debug)]
pub struct HamiltonianForward {
    /// `dq/dt = dH/dp`, `[batch, n, dim]`.
    pub dq_dt: Tensor<3>,
    /// `dp/dt = -dH/dq`, `[batch, n, dim]`.
    pub dp_dt: Tensor<3>,
    /// Accelerations `dp/dt / m`, `[batch, n, dim]`.
    pub accel: Tensor<3>,
    /// Pair energy of every directed edge as the pair model gives it, `[batch, edges, 1]`
    /// (see [`Hamiltonian::pair_energy`] for the part of it the dynamics see).
    pub pair_energy: Tensor<3>,
}

impl Hamiltonian {
    /// The settings the network was built with.
    pub fn config(&self) -> &HamiltonianConfig {
        &self.config
    }

    /// The canonical coordinates `[q, p = m v, charge, m]` of bodies `x = [q, v, charge, m]`.
    pub fn canonical(&self, x: Tensor<3>) -> Tensor<3> {
        let d = self.config.dim;
        let mass = x.clone().narrow(2, mass_index(d), 1);
        let p = x.clone().narrow(2, d, d) * mass;
        Tensor::cat(vec![x.clone().narrow(2, 0, d), p, x.narrow(2, charge_index(d), 2)], 2)
    }

    /// Hamilton's equations for `x: [batch, n, 2 dim + 2]` (call [`Hamiltonian::check_input`]
    /// first on untrusted shapes).
    pub fn forward(&self, x: Tensor<3>) -> HamiltonianForward {
        let [b, n, f] = x.dims();
        let d = self.config.dim;
        let z = self.canonical(x.clone());
        let (recv, send) = complete_edges(n);
        let e = recv.len();
        let zi = select_bodies(z.clone(), &recv).reshape([b * e, f]);
        let zj = select_bodies(z.clone(), &send).reshape([b * e, f]);
        // Tangents along q_i, p_i (receiver) then q_j, p_j (sender): 4 d directions.
        let coords: Vec<usize> = (0..2 * d).chain(f..f + 2 * d).collect();
        let (energy, t_pair) = self.pair.forward_with_tangents(Tensor::cat(vec![zi, zj], 1), &coords);
        let t_pair = t_pair.reshape([4 * d, b, e]);
        // Receiver side: a receiver's n - 1 edges are contiguous.
        let from_recv =
            t_pair.clone().narrow(0, 0, 2 * d).reshape([2 * d, b, n, n - 1]).sum_dim(3).reshape([2 * d, b, n]);
        // Sender side: scatter through the sender incidence matrix [e, n].
        let mut incidence = vec![0f32; e * n];
        for (k, &s) in send.iter().enumerate() {
            incidence[k * n + s as usize] = 1.0;
        }
        let incidence = Tensor::<2>::from_data(TensorData::new(incidence, [e, n]), &x.device());
        let from_send = t_pair.narrow(0, 2 * d, 2 * d).reshape([2 * d * b, e]).matmul(incidence).reshape([2 * d, b, n]);
        let self_coords: Vec<usize> = (0..2 * d).collect();
        let (_, t_self) = self.self_energy.forward_with_tangents(z.reshape([b * n, f]), &self_coords);
        let grad = from_recv + from_send + t_self.reshape([2 * d, b, n]);
        // [2d, b, n] -> [b, n, 2d]: dH/dq then dH/dp.
        let grad = grad.permute([1, 2, 0]);
        let dh_dq = grad.clone().narrow(2, 0, d);
        let dh_dp = grad.narrow(2, d, d);
        let mass = x.narrow(2, mass_index(d), 1);
        let dp_dt = dh_dq.neg();
        let accel = dp_dt.clone() / mass;
        HamiltonianForward { dq_dt: dh_dp, dp_dt, accel, pair_energy: energy.reshape([b, e, 1]) }
    }

    /// The pair energy of every directed edge of `x: [batch, n, 2 dim + 2]`, symmetrised:
    /// `(E_pair(z_i, z_j) + E_pair(z_j, z_i)) / 2`, `[batch, edges, 1]`. `H` sums both
    /// directions of every pair, so it sees the pair model only through that sum: an
    /// antisymmetric part `g(z_i) - g(z_j)` changes no prediction, gets no gradient, and keeps
    /// whatever size the random start gave it (measured on the spring at 3000 steps: 44% of the
    /// variance of the raw per-edge energy; R^2 against the potential on every test edge 0.41
    /// raw, 0.90 symmetrised). This is the pair energy as the Hamiltonian uses it.
    pub fn pair_energy(&self, x: Tensor<3>) -> Tensor<3> {
        let [b, n, f] = x.dims();
        let z = self.canonical(x);
        let (recv, send) = complete_edges(n);
        let e = recv.len();
        let zi = select_bodies(z.clone(), &recv).reshape([b * e, f]);
        let zj = select_bodies(z, &send).reshape([b * e, f]);
        let there = self.pair.forward(Tensor::cat(vec![zi.clone(), zj.clone()], 1));
        let back = self.pair.forward(Tensor::cat(vec![zj, zi], 1));
        (there + back).mul_scalar(0.5).reshape([b, e, 1])
    }

    /// The energy `H` of each graph of `x: [batch, n, 2 dim + 2]`, `[batch]`.
    pub fn energy(&self, x: Tensor<3>) -> Tensor<1> {
        let [b, n, f] = x.dims();
        let z = self.canonical(x);
        let (recv, send) = complete_edges(n);
        let e = recv.len();
        let zi = select_bodies(z.clone(), &recv).reshape([b * e, f]);
        let zj = select_bodies(z.clone(), &send).reshape([b * e, f]);
        let pair = self.pair.forward(Tensor::cat(vec![zi, zj], 1)).reshape([b, e]).sum_dim(1);
        let own = self.self_energy.forward(z.reshape([b * n, f])).reshape([b, n]).sum_dim(1);
        (pair + own).reshape([b])
    }

    /// Checks that `x` is `[batch > 0, n >= 2, 2 dim + 2]`.
    pub fn check_input(&self, x: &Tensor<3>) -> Result<(), TrainError> {
        let [b, n, f] = x.dims();
        if b == 0 || n < 2 || f != self.config.features.len() {
            return Err(TrainError::BadData(format!(
                "input is [{b}, {n}, {f}], the network wants [graphs > 0, bodies >= 2, {}]",
                self.config.features.len()
            )));
        }
        Ok(())
    }
}
