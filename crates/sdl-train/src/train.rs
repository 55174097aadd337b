//! Training a [`GraphNet`] on a [`Dataset`]: Adam with weight decay, mean absolute error on
//! accelerations plus the message penalty, shuffled mini-batches. In: a model config, a
//! [`TrainConfig`] and a device with autodiff; out: the per-step losses and the trained model.
//! Always true: for a fixed seed, data and device the run is reproducible (the device is seeded
//! with `seed` before the weights are drawn, and batch order and augmentation come from
//! `sdl_formula::rng::Rng::new(seed)`).

use burn::optim::decay::WeightDecayConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use sdl_formula::rng::Rng;

use crate::data::Dataset;
use crate::error::TrainError;
use crate::model::{GraphNet, GraphNetConfig, Regularizer};

/// Optimiser and batching settings. [`TrainConfig::default`] follows the paper (lr `1e-3`,
/// weight decay `1e-8`, batch 64, translation augmentation with sigma 3) but without the
/// one-cycle schedule: the rate is constant.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    /// Graphs per step.
    pub batch: usize,
    /// Learning rate.
    pub lr: f64,
    /// Adam weight decay (added to the gradient as `wd * w`, as in PyTorch's `Adam`).
    pub weight_decay: f64,
    /// Adam epsilon (PyTorch's default `1e-8`; burn's default would be `1e-5`).
    pub epsilon: f32,
    /// Seed for the weights, the batch order and the augmentation.
    pub seed: u64,
    /// Standard deviation of the random per-graph translation of positions; `0` turns the
    /// augmentation off.
    pub augment_sigma: f64,
}

impl Default for TrainConfig {
    fn default() -> TrainConfig {
        TrainConfig { batch: 64, lr: 1e-3, weight_decay: 1e-8, epsilon: 1e-8, seed: 0, augment_sigma: 3.0 }
    }
}

impl TrainConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), TrainError> {
        if self.batch == 0 {
            return Err(TrainError::BadConfig("batch must be at least 1".into()));
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(TrainError::BadConfig(format!("lr must be positive, got {}", self.lr)));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return Err(TrainError::BadConfig(format!("weight_decay must be >= 0, got {}", self.weight_decay)));
        }
        if !(self.epsilon.is_finite() && self.epsilon > 0.0) {
            return Err(TrainError::BadConfig(format!("epsilon must be positive, got {}", self.epsilon)));
        }
        if !(self.augment_sigma.is_finite() && self.augment_sigma >= 0.0) {
            return Err(TrainError::BadConfig(format!("augment_sigma must be >= 0, got {}", self.augment_sigma)));
        }
        Ok(())
    }
}

/// The loss of one batch, split into its parts.
#[derive(Debug)]
pub struct Loss {
    /// `mae + penalty`, the scalar that is differentiated.
    pub total: Tensor<1>,
    /// Mean absolute error over all acceleration components of the batch.
    pub mae: Tensor<1>,
    /// The weighted message penalty (zero for Standard and Bottleneck).
    pub penalty: Tensor<1>,
}

/// The training loss of `model` on `x: [batch, n, features]` against `target: [batch, n, dim]`:
/// `mean |a - target| + penalty`, where the L1 penalty is `weight * sum |m| / edges_in_batch`
/// and the KL penalty `weight * sum (exp(logvar) + mu^2 - logvar) / 2 / edges_in_batch`.
/// KL messages are sampled.
pub fn loss(model: &GraphNet, x: Tensor<3>, target: Tensor<3>, regularizer: Regularizer) -> Loss {
    let [b, _, _] = x.dims();
    let edges = (b * model.n_edges()) as f64;
    let out = model.forward(x, true);
    let mae = (out.accel - target).abs().mean();
    let penalty = match (regularizer, out.kl) {
        (Regularizer::L1 { weight }, _) => out.messages.abs().sum().mul_scalar(weight / edges),
        (Regularizer::Kl { weight }, Some((mu, logvar))) => {
            let kl = logvar.clone().exp() + mu.square() - logvar;
            kl.sum().mul_scalar(0.5 * weight / edges)
        }
        _ => mae.zeros_like(),
    };
    Loss { total: mae.clone() + penalty.clone(), mae, penalty }
}

/// A model with its optimiser state and batch stream.
pub struct Trainer {
    model: GraphNet,
    optim: ModuleOptimizer,
    config: TrainConfig,
    regularizer: Regularizer,
    device: Device,
    rng: Rng,
    order: Vec<usize>,
    cursor: usize,
    steps_done: usize,
}

impl Trainer {
    /// Seeds `device` with `config.seed`, draws a fresh network from `model` and sets up Adam.
    /// `device` must have autodiff (`Device::ndarray().autodiff()`).
    pub fn new(model: &GraphNetConfig, config: TrainConfig, device: &Device) -> Result<Trainer, TrainError> {
        config.validate()?;
        if !device.is_autodiff() {
            return Err(TrainError::BadConfig("the training device needs autodiff: use device.autodiff()".into()));
        }
        device.seed(config.seed);
        let net = model.init(device)?;
        Trainer::from_model(net, model.regularizer, config, device)
    }

    /// Continues training an existing network (it must live on `device`).
    pub fn from_model(
        model: GraphNet,
        regularizer: Regularizer,
        config: TrainConfig,
        device: &Device,
    ) -> Result<Trainer, TrainError> {
        config.validate()?;
        let optim = AdamConfig::new()
            .with_epsilon(config.epsilon)
            .with_weight_decay(Some(WeightDecayConfig::new(config.weight_decay as f32)))
            .init();
        let rng = Rng::new(config.seed);
        Ok(Trainer {
            model,
            optim,
            config,
            regularizer,
            device: device.clone(),
            rng,
            order: Vec::new(),
            cursor: 0,
            steps_done: 0,
        })
    }

    /// The current network.
    pub fn model(&self) -> &GraphNet {
        &self.model
    }

    /// The trained network.
    pub fn into_model(self) -> GraphNet {
        self.model
    }

    /// Steps taken so far.
    pub fn steps_done(&self) -> usize {
        self.steps_done
    }

    /// The next `batch` graph indices: epochs of a Fisher-Yates shuffle of `0..len`.
    fn next_indices(&mut self, len: usize) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.config.batch);
        while out.len() < self.config.batch {
            if self.cursor >= self.order.len() || self.order.len() != len {
                self.order = (0..len).collect();
                for i in (1..len).rev() {
                    let j = self.rng.below(i + 1);
                    self.order.swap(i, j);
                }
                self.cursor = 0;
            }
            out.push(self.order[self.cursor]);
            self.cursor += 1;
        }
        out
    }

    /// One optimiser step on the next batch of `data`; returns the batch loss (MAE + penalty).
    pub fn step(&mut self, data: &Dataset) -> Result<f64, TrainError> {
        if data.is_empty() {
            return Err(TrainError::NoData);
        }
        if data.n() != self.model.n() || data.features() != self.model.node_features() || data.dim() != self.model.dim()
        {
            return Err(TrainError::BadData(format!(
                "data has n = {}, features = {}, dim = {}; model wants {}, {}, {}",
                data.n(),
                data.features(),
                data.dim(),
                self.model.n(),
                self.model.node_features(),
                self.model.dim()
            )));
        }
        let idx = self.next_indices(data.len());
        let sigma = self.config.augment_sigma;
        let shift = if sigma > 0.0 { Some((&mut self.rng, sigma)) } else { None };
        let batch = data.batch(&idx, shift)?;
        let x = batch.nodes_tensor(&self.device);
        let y = batch.accel_tensor(&self.device);
        let l = loss(&self.model, x, y, self.regularizer);
        let value = scalar(&l.total)?;
        if !value.is_finite() {
            return Err(TrainError::Diverged { step: self.steps_done });
        }
        let grads = GradientsParams::from_grads(l.total.backward(), &self.model);
        let model = self.model.clone();
        self.model = self.optim.step(self.config.lr, model, grads);
        self.steps_done += 1;
        Ok(value)
    }

    /// `steps` optimiser steps; returns the loss of each.
    pub fn train(&mut self, data: &Dataset, steps: usize) -> Result<Vec<f64>, TrainError> {
        (0..steps).map(|_| self.step(data)).collect()
    }
}

/// Reads a one-element tensor back to the host.
pub fn scalar(t: &Tensor<1>) -> Result<f64, TrainError> {
    let v = t.to_data().try_into_vec_as::<f32>().map_err(|e| TrainError::Tensor(e.to_string()))?;
    v.first().map(|&x| x as f64).ok_or_else(|| TrainError::Tensor("empty tensor".into()))
}
