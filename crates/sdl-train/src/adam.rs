//! Adam with L2 weight decay, as PyTorch's `torch.optim.Adam` defines it, in one fused pass per
//! parameter. In: a module, its gradients and a learning rate; out: the updated module. The
//! moments live on the host as plain `f32` vectors keyed by parameter id, so one step reads
//! each weight, gradient and moment once (burn's own Adam makes some fifteen tensor passes
//! with an allocation each, a quarter of a training step at the paper's network size).
//! Always true: the update is elementwise, so the result does not depend on how rayon splits
//! the work; [`Adam::to_bytes`] / [`Adam::from_bytes`] carry the full state for checkpoints.

use std::collections::HashMap;

use burn::module::{Module, ModuleMapper, Param, ParamId};
use burn::optim::GradientsParams;
use burn::prelude::*;
use rayon::prelude::*;

use crate::error::TrainError;

/// Adam hyper-parameters (PyTorch's names and defaults but for the weight decay).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamSettings {
    /// First-moment decay.
    pub beta1: f64,
    /// Second-moment decay.
    pub beta2: f64,
    /// Added to the root of the second moment.
    pub epsilon: f64,
    /// L2 weight decay: `wd * w` is added to the gradient.
    pub weight_decay: f64,
}

struct Moments {
    m: Vec<f32>,
    v: Vec<f32>,
}

/// The optimiser and its state.
pub struct Adam {
    settings: AdamSettings,
    step: u64,
    moments: HashMap<u64, Moments>,
}

/// Elements per rayon task.
const CHUNK: usize = 1 << 14;

impl Adam {
    /// A fresh optimiser.
    pub fn new(settings: AdamSettings) -> Adam {
        Adam { settings, step: 0, moments: HashMap::new() }
    }

    /// Applies one update with rate `lr` to every parameter of `module` that has a gradient.
    pub fn step<M: Module>(&mut self, lr: f64, module: M, grads: GradientsParams) -> M {
        self.step += 1;
        let mut mapper = Mapper { adam: self, grads, lr };
        module.map(&mut mapper)
    }

    fn update(&mut self, id: ParamId, lr: f64, w: &mut [f32], g: &[f32]) {
        let s = self.settings;
        let t = self.step as f64;
        let state =
            self.moments.entry(id.val()).or_insert_with(|| Moments { m: vec![0.0; w.len()], v: vec![0.0; w.len()] });
        if state.m.len() != w.len() {
            *state = Moments { m: vec![0.0; w.len()], v: vec![0.0; w.len()] };
        }
        let (b1, b2) = (s.beta1 as f32, s.beta2 as f32);
        let bias1 = 1.0 - s.beta1.powf(t);
        let bias2_sqrt = (1.0 - s.beta2.powf(t)).sqrt();
        let step_size = (lr / bias1) as f32;
        let (eps, wd) = (s.epsilon as f32, s.weight_decay as f32);
        let inv_bias2_sqrt = (1.0 / bias2_sqrt) as f32;
        w.par_chunks_mut(CHUNK)
            .zip(g.par_chunks(CHUNK))
            .zip(state.m.par_chunks_mut(CHUNK).zip(state.v.par_chunks_mut(CHUNK)))
            .for_each(|((w, g), (m, v))| {
                for i in 0..w.len() {
                    let grad = g[i] + wd * w[i];
                    m[i] = b1 * m[i] + (1.0 - b1) * grad;
                    v[i] = b2 * v[i] + (1.0 - b2) * grad * grad;
                    w[i] -= step_size * m[i] / (v[i].sqrt() * inv_bias2_sqrt + eps);
                }
            });
    }

    /// The full state: settings, step count and every moment.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let s = self.settings;
        for x in [s.beta1, s.beta2, s.epsilon, s.weight_decay] {
            out.extend_from_slice(&x.to_le_bytes());
        }
        out.extend_from_slice(&self.step.to_le_bytes());
        let mut ids: Vec<&u64> = self.moments.keys().collect();
        ids.sort();
        out.extend_from_slice(&(ids.len() as u64).to_le_bytes());
        for id in ids {
            let mo = &self.moments[id];
            out.extend_from_slice(&id.to_le_bytes());
            out.extend_from_slice(&(mo.m.len() as u64).to_le_bytes());
            for x in mo.m.iter().chain(&mo.v) {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
        out
    }

    /// Reads [`Adam::to_bytes`] back.
    pub fn from_bytes(bytes: &[u8]) -> Result<Adam, TrainError> {
        let mut at = 0usize;
        let mut take = |n: usize| -> Result<&[u8], TrainError> {
            let s = bytes.get(at..at + n).ok_or_else(|| TrainError::BadFile("optimiser state is cut short".into()))?;
            at += n;
            Ok(s)
        };
        let mut f64s = [0.0; 4];
        for x in &mut f64s {
            *x = f64::from_le_bytes(take(8)?.try_into().unwrap_or_default());
        }
        let u64_of = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or_default());
        let step = u64_of(take(8)?);
        let count = u64_of(take(8)?) as usize;
        let mut moments = HashMap::new();
        for _ in 0..count {
            let id = u64_of(take(8)?);
            let len = u64_of(take(8)?) as usize;
            let data = take(len.checked_mul(8).ok_or_else(|| TrainError::BadFile("bad optimiser state".into()))?)?;
            let vals: Vec<f32> = data.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
            moments.insert(id, Moments { m: vals[..len].to_vec(), v: vals[len..].to_vec() });
        }
        let settings = AdamSettings { beta1: f64s[0], beta2: f64s[1], epsilon: f64s[2], weight_decay: f64s[3] };
        Ok(Adam { settings, step, moments })
    }
}

struct Mapper<'a> {
    adam: &'a mut Adam,
    grads: GradientsParams,
    lr: f64,
}

impl ModuleMapper for Mapper<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (id, tensor, mapper) = param.consume();
        let Some(grad) = self.grads.remove::<D>(id) else {
            return Param::from_mapped_value(id, tensor, mapper);
        };
        let device = tensor.device();
        let shape = tensor.shape();
        let (Ok(mut w), Ok(g)) = (tensor.to_data().try_into_vec::<f32>(), grad.into_data().try_into_vec::<f32>())
        else {
            return Param::from_mapped_value(id, tensor, mapper);
        };
        if w.len() != g.len() {
            return Param::from_mapped_value(id, tensor, mapper);
        }
        self.adam.update(id, self.lr, &mut w, &g);
        let updated = Tensor::<D>::from_data(TensorData::new(w, shape), &device).require_grad();
        Param::from_mapped_value(id, updated, mapper)
    }
}
