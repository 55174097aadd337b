//! Training a [`Network`] on a [`Dataset`]: Adam with weight decay, a one-cycle (or constant)
//! learning rate, mean absolute error plus the message penalty, shuffled mini-batches with the
//! paper's translation augmentation. In: a network, a [`TrainConfig`] and a device with
//! autodiff; out: the trained network and the loss of every step.
//!
//! Each batch is cut into `shards` equal parts whose losses and gradients are computed on their
//! own threads (each in a one-thread pool, on its own copy of the weights, so their autodiff
//! graphs never meet) and summed in shard order. Always true: for a fixed seed, data and shard
//! count the run is bit-for-bit reproducible at any thread count (the thread count only decides
//! how many shards run at once; every random draw — batch order, augmentation, KL noise —
//! comes from `sdl_formula::rng::Rng` on the calling thread); a step whose loss is not finite
//! stops training with [`TrainError::Diverged`] and leaves the last weights that gave a finite
//! loss in place; the stop flag is honoured between steps and keeps everything done so far.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use burn::optim::{GradientsAccumulator, GradientsParams};
use burn::prelude::*;
use sdl_formula::rng::Rng;

use crate::adam::{Adam, AdamSettings};
use crate::data::{Batch, Dataset};
use crate::error::TrainError;
use crate::network::{scalar, Network, NetworkConfig};

/// How the learning rate moves over a run.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Schedule {
    /// `lr` throughout.
    Constant,
    /// PyTorch's `OneCycleLR` (cosine annealing): from `lr / 25` up to `lr` over the first 30%
    /// of the steps, then down to `lr / 25 / 1e4` (the paper's schedule; Adam's momentum is not
    /// cycled).
    OneCycle,
}

impl Schedule {
    /// The name used in scripts and files.
    pub fn name(self) -> &'static str {
        match self {
            Schedule::Constant => "constant",
            Schedule::OneCycle => "onecycle",
        }
    }

    /// Looks a schedule up by name.
    pub fn from_name(name: &str) -> Option<Schedule> {
        [Schedule::Constant, Schedule::OneCycle].into_iter().find(|s| s.name() == name)
    }

    /// The learning rate at zero-based `step` of `total`, for peak rate `lr`.
    pub fn rate(self, lr: f64, step: usize, total: usize) -> f64 {
        match self {
            Schedule::Constant => lr,
            Schedule::OneCycle => {
                let initial = lr / 25.0;
                let min = initial / 1e4;
                let anneal =
                    |from: f64, to: f64, pct: f64| to + (from - to) / 2.0 * (1.0 + (std::f64::consts::PI * pct).cos());
                let up_end = 0.3 * total as f64 - 1.0;
                let down_end = total as f64 - 1.0;
                let s = step as f64;
                if up_end <= 0.0 || down_end <= up_end {
                    return lr;
                }
                if s <= up_end {
                    anneal(initial, lr, s / up_end)
                } else {
                    anneal(lr, min, ((s - up_end) / (down_end - up_end)).min(1.0))
                }
            }
        }
    }
}

/// Optimiser and batching settings. [`TrainConfig::default`] follows the paper: peak lr
/// `1e-3` on a one-cycle schedule, weight decay `1e-8`, batch 64, translation augmentation
/// with sigma 3.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainConfig {
    /// Graphs per step.
    pub batch: usize,
    /// Peak learning rate.
    pub lr: f64,
    /// How the rate moves.
    pub schedule: Schedule,
    /// Adam weight decay (added to the gradient as `wd * w`, as in PyTorch's `Adam`).
    pub weight_decay: f64,
    /// Adam epsilon (PyTorch's default `1e-8`).
    pub epsilon: f32,
    /// Seed for the weights, the batch order, the augmentation and the KL noise.
    pub seed: u64,
    /// Standard deviation of the random per-graph translation of positions; `0` turns the
    /// augmentation off.
    pub augment_sigma: f64,
    /// Parts each batch is cut into (results depend on this, not on `threads`).
    pub shards: usize,
    /// Threads working on shards at once (`0`: one per core).
    pub threads: usize,
}

impl Default for TrainConfig {
    fn default() -> TrainConfig {
        TrainConfig {
            batch: 64,
            lr: 1e-3,
            schedule: Schedule::OneCycle,
            weight_decay: 1e-8,
            epsilon: 1e-8,
            seed: 0,
            augment_sigma: 3.0,
            shards: 2,
            threads: 0,
        }
    }
}

impl TrainConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), TrainError> {
        let bad = |s: String| Err(TrainError::BadConfig(s));
        if self.batch == 0 {
            return bad("batch must be at least 1".into());
        }
        if self.shards == 0 || self.shards > self.batch {
            return bad(format!("shards must be between 1 and the batch size {}, got {}", self.batch, self.shards));
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return bad(format!("lr must be positive, got {}", self.lr));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return bad(format!("weight_decay must be >= 0, got {}", self.weight_decay));
        }
        if !(self.epsilon.is_finite() && self.epsilon > 0.0) {
            return bad(format!("epsilon must be positive, got {}", self.epsilon));
        }
        if !(self.augment_sigma.is_finite() && self.augment_sigma >= 0.0) {
            return bad(format!("augment_sigma must be >= 0, got {}", self.augment_sigma));
        }
        Ok(())
    }

    /// Threads actually used: `threads`, or one per core, never more than `shards`.
    pub fn effective_threads(&self) -> usize {
        let t =
            if self.threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { self.threads };
        t.clamp(1, self.shards.max(1))
    }
}

/// What a progress callback is told.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// Steps done so far (in the whole run, counting resumed ones).
    pub step: usize,
    /// Steps the run is set to take.
    pub total: usize,
    /// Mean batch loss over the steps since the last report.
    pub loss: f64,
    /// Training throughput since the last report.
    pub graphs_per_s: f64,
    /// The current learning rate.
    pub lr: f64,
}

/// Why [`Trainer::run`] returned.
#[derive(Clone, Debug, PartialEq)]
pub enum Stop {
    /// Every step was taken.
    Finished,
    /// The stop flag was raised; the network holds the last completed step.
    Interrupted,
}

/// A network with its optimiser state and batch stream.
pub struct Trainer {
    net: Network,
    last_good: Network,
    optim: Adam,
    config: TrainConfig,
    device: Device,
    pub(crate) rng: Rng,
    pub(crate) order: Vec<usize>,
    pub(crate) cursor: usize,
    pub(crate) steps_done: usize,
    pub(crate) total_steps: usize,
    pools: Vec<rayon::ThreadPool>,
}

fn adam(config: &TrainConfig) -> Adam {
    Adam::new(AdamSettings {
        beta1: 0.9,
        beta2: 0.999,
        epsilon: config.epsilon as f64,
        weight_decay: config.weight_decay,
    })
}

impl Trainer {
    /// Draws a fresh network from `config.seed` and sets up Adam for a run of `total_steps`
    /// steps (the schedule's length). `device` must have autodiff.
    pub fn new(
        net: &NetworkConfig,
        config: TrainConfig,
        total_steps: usize,
        device: &Device,
    ) -> Result<Trainer, TrainError> {
        config.validate()?;
        if !device.is_autodiff() {
            return Err(TrainError::BadConfig("the training device needs autodiff: use device.autodiff()".into()));
        }
        let net = net.init(device, config.seed)?;
        Trainer::from_network(net, config, total_steps, device)
    }

    /// Continues training an existing network (it must live on `device`) with a fresh
    /// optimiser, for `total_steps` more steps.
    pub fn from_network(
        net: Network,
        config: TrainConfig,
        total_steps: usize,
        device: &Device,
    ) -> Result<Trainer, TrainError> {
        config.validate()?;
        let pools = (0..config.shards)
            .map(|_| rayon::ThreadPoolBuilder::new().num_threads(1).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TrainError::BadConfig(format!("cannot start training threads: {e}")))?;
        Ok(Trainer {
            last_good: net.clone(),
            net,
            optim: adam(&config),
            rng: Rng::new(config.seed),
            config,
            device: device.clone(),
            order: Vec::new(),
            cursor: 0,
            steps_done: 0,
            total_steps,
            pools,
        })
    }

    /// The current network.
    pub fn network(&self) -> &Network {
        &self.net
    }

    /// The trained network.
    pub fn into_network(self) -> Network {
        self.net
    }

    /// The settings in use.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Steps taken so far.
    pub fn steps_done(&self) -> usize {
        self.steps_done
    }

    /// Steps the run is set to take.
    pub fn total_steps(&self) -> usize {
        self.total_steps
    }

    /// The learning rate of the next step.
    pub fn current_lr(&self) -> f64 {
        self.config.schedule.rate(self.config.lr, self.steps_done, self.total_steps)
    }

    pub(crate) fn optimizer(&self) -> &Adam {
        &self.optim
    }

    pub(crate) fn set_optimizer(&mut self, optim: Adam) {
        self.optim = optim;
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

    fn check_data(&self, data: &Dataset) -> Result<(), TrainError> {
        if data.is_empty() {
            return Err(TrainError::NoData);
        }
        if data.features() != self.net.node_features() || data.dim() != self.net.dim() || data.n() < 2 {
            return Err(TrainError::BadData(format!(
                "the graphs have {} bodies with {} features in {} dimensions; the network wants {} features in {} dimensions",
                data.n(),
                data.features(),
                data.dim(),
                self.net.node_features(),
                self.net.dim()
            )));
        }
        Ok(())
    }

    /// One optimiser step on the next batch of `data`; returns the batch loss (MAE + penalty).
    pub fn step(&mut self, data: &Dataset) -> Result<f64, TrainError> {
        self.check_data(data)?;
        let idx = self.next_indices(data.len());
        let sigma = self.config.augment_sigma;
        let shift = if sigma > 0.0 { Some((&mut self.rng, sigma)) } else { None };
        let batch = data.batch(&idx, shift)?;
        let shards = self.shard_inputs(&batch);
        let results = self.shard_gradients(shards);
        let mut total = 0.0;
        let mut acc = GradientsAccumulator::<Network>::new();
        for r in results {
            let (value, grads) = r?;
            total += value;
            acc.accumulate(&self.net, grads);
        }
        if !total.is_finite() {
            self.net = self.last_good.clone();
            return Err(TrainError::Diverged { step: self.steps_done });
        }
        let lr = self.current_lr();
        self.last_good = self.net.clone();
        let net = self.net.clone();
        self.net = self.optim.step(lr, net, acc.grads());
        self.steps_done += 1;
        Ok(total)
    }

    /// Cuts a batch into shards, with the KL noise of each drawn here in shard order.
    fn shard_inputs(&mut self, batch: &Batch) -> Vec<ShardInput> {
        let s = self.config.shards;
        let (base, extra) = (batch.graphs / s, batch.graphs % s);
        let edges = batch.n * (batch.n - 1);
        let m = self.net.edge_channels();
        let mut start = 0;
        (0..s)
            .map(|k| {
                let count = base + usize::from(k < extra);
                let part = batch.part(start, count);
                start += count;
                let noise = self
                    .net
                    .needs_noise()
                    .then(|| (0..count * edges * m).map(|_| self.rng.normal() as f32).collect::<Vec<f32>>());
                ShardInput { weight: count as f64 / batch.graphs as f64, part, noise, edges, channels: m }
            })
            .collect()
    }

    /// Loss and gradients of every shard, in shard order.
    fn shard_gradients(&self, shards: Vec<ShardInput>) -> Vec<Result<(f64, GradientsParams), TrainError>> {
        let threads = self.config.effective_threads();
        let work = |k: usize, input: ShardInput| {
            let net = fresh_leaves(self.net.clone());
            self.pools[k].install(|| input.run(&net, &self.device))
        };
        if threads <= 1 {
            return shards.into_iter().enumerate().map(|(k, s)| work(k, s)).collect();
        }
        let mut out = Vec::with_capacity(shards.len());
        let mut pending = shards.into_iter().enumerate().peekable();
        while pending.peek().is_some() {
            let round: Vec<(usize, ShardInput)> = pending.by_ref().take(threads).collect();
            std::thread::scope(|scope| {
                let handles: Vec<_> = round.into_iter().map(|(k, s)| scope.spawn(move || work(k, s))).collect();
                for h in handles {
                    out.push(h.join().unwrap_or_else(|_| Err(TrainError::Tensor("a training thread panicked".into()))));
                }
            });
        }
        out
    }

    /// Trains until `total_steps` are done or `stop` is raised, calling `progress` about
    /// every 0.2 s and after the last step; returns the loss of every step taken and why it
    /// stopped. On [`TrainError::Diverged`] the losses taken so far are lost to the caller
    /// but the network keeps the last good weights.
    pub fn run(
        &mut self,
        data: &Dataset,
        stop: &AtomicBool,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<(Vec<f64>, Stop), TrainError> {
        self.run_until(data, self.total_steps, stop, progress)
    }

    /// [`Trainer::run`], stopping after step `until` (at most `total_steps`), so a caller can
    /// look at the network part-way (the schedule still spans `total_steps`).
    pub fn run_until(
        &mut self,
        data: &Dataset,
        until: usize,
        stop: &AtomicBool,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<(Vec<f64>, Stop), TrainError> {
        let until = until.min(self.total_steps);
        let mut losses = Vec::with_capacity(self.total_steps.saturating_sub(self.steps_done));
        let mut since = Instant::now();
        let mut since_step = self.steps_done;
        let mut since_loss = 0.0;
        let mut report = |t: &Trainer, since: &mut Instant, since_step: &mut usize, since_loss: &mut f64| {
            let steps = t.steps_done - *since_step;
            if steps > 0 {
                let secs = since.elapsed().as_secs_f64().max(1e-9);
                progress(&Progress {
                    step: t.steps_done,
                    total: t.total_steps,
                    loss: *since_loss / steps as f64,
                    graphs_per_s: (steps * t.config.batch) as f64 / secs,
                    lr: t.current_lr(),
                });
            }
            *since = Instant::now();
            *since_step = t.steps_done;
            *since_loss = 0.0;
        };
        while self.steps_done < until {
            if stop.load(Ordering::Relaxed) {
                report(self, &mut since, &mut since_step, &mut since_loss);
                return Ok((losses, Stop::Interrupted));
            }
            let loss = self.step(data)?;
            losses.push(loss);
            since_loss += loss;
            if since.elapsed().as_secs_f64() >= 0.2 {
                report(self, &mut since, &mut since_step, &mut since_loss);
            }
        }
        report(self, &mut since, &mut since_step, &mut since_loss);
        Ok((losses, Stop::Finished))
    }
}

/// The same network with every weight a new autodiff leaf (same data, same parameter ids), so
/// shards working at once build separate autodiff graphs. Cheaper than `Module::fork`, which
/// copies every weight.
fn fresh_leaves(net: Network) -> Network {
    struct Leaves;
    impl burn::module::ModuleMapper for Leaves {
        fn map_float<const D: usize>(
            &mut self,
            param: burn::module::Param<Tensor<D>>,
        ) -> burn::module::Param<Tensor<D>> {
            let (id, tensor, mapper) = param.consume();
            burn::module::Param::from_mapped_value(id, tensor.detach().require_grad(), mapper)
        }
    }
    net.map(&mut Leaves)
}

/// One shard's inputs.
struct ShardInput {
    weight: f64,
    part: Batch,
    noise: Option<Vec<f32>>,
    edges: usize,
    channels: usize,
}

impl ShardInput {
    /// The shard's weighted loss and its gradients (run inside the shard's pool).
    fn run(self, net: &Network, device: &Device) -> Result<(f64, GradientsParams), TrainError> {
        let x = self.part.nodes_tensor(device);
        let y = self.part.accel_tensor(device);
        let noise = self
            .noise
            .map(|v| Tensor::<3>::from_data(TensorData::new(v, [self.part.graphs, self.edges, self.channels]), device));
        let loss = net.loss(x, y, noise).total.mul_scalar(self.weight);
        let value = scalar(&loss)?;
        let grads = GradientsParams::from_grads(loss.backward(), net);
        Ok((value, grads))
    }
}
