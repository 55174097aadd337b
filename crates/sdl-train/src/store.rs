//! Networks and training runs on disk. In: a [`Network`] with its [`ModelMeta`] (and, for a
//! checkpoint, the [`Trainer`]'s optimiser and batch-stream state); out: one file that loads
//! back into the same network, or into a trainer that continues the run exactly where it
//! stopped. Always true: a file is `SDLNET1\n`, then three length-prefixed parts (a JSON header
//! with the settings, the formulas of a replaced edge model and the metadata; burn's record of
//! the weights; the optimiser's moments, empty for a plain model); anything else is
//! refused with [`TrainError::BadFile`], never a panic.

use std::path::Path;

use burn::module::Module;
use burn::prelude::*;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;
use sdl_formula::rng::Rng;
use serde::{Deserialize, Serialize};

use crate::adam::Adam;
use crate::error::TrainError;
use crate::network::{Network, NetworkConfig};
use crate::train::{TrainConfig, Trainer};

const MAGIC: &[u8] = b"SDLNET1\n";

/// What is kept with a trained network besides its weights.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelMeta {
    /// Standard deviation of each edge-output channel over a sample of the training graphs,
    /// measured when training ended (ranks the message channels).
    pub channel_std: Vec<f64>,
    /// Loss of every training step (the last run's, refits included).
    pub history: Vec<f64>,
    /// Optimiser steps taken in all.
    pub steps: usize,
    /// The simulation law of the training data, when known.
    pub law: Option<String>,
    /// Mean absolute error on (a sample of) the training graphs when training ended.
    pub loss: Option<f64>,
    /// The same before the last `refit`, for a refitted network.
    pub loss_before: Option<f64>,
    /// Whether the last run stopped before its last step (interrupted).
    pub stopped_early: bool,
    /// The validation loss (mean absolute error of the accelerations on held-out graphs) at
    /// steps of the last run, as `(step, loss)`, when training was given validation graphs.
    /// Files written before it existed read as empty.
    #[serde(default)]
    pub validation: Vec<(usize, f64)>,
}

#[derive(Serialize, Deserialize)]
struct TrainerState {
    config: TrainConfig,
    rng: [u64; 4],
    order: Vec<usize>,
    cursor: usize,
    steps_done: usize,
    total_steps: usize,
}

#[derive(Serialize, Deserialize)]
struct Header {
    network: NetworkConfig,
    /// Formulas of a replaced edge model (channel, formula in plain infix).
    symbolic: Option<Vec<(usize, String)>>,
    meta: ModelMeta,
    trainer: Option<TrainerState>,
}

fn io(path: &Path, e: impl std::fmt::Display) -> TrainError {
    TrainError::Io(format!("{}: {e}", path.display()))
}

fn bad(path: &Path, why: impl std::fmt::Display) -> TrainError {
    TrainError::BadFile(format!("{}: {why}", path.display()))
}

fn write_file(path: &Path, header: &Header, net: &Network, optim: Option<Vec<u8>>) -> Result<(), TrainError> {
    let head = serde_json::to_vec(header).map_err(|e| io(path, e))?;
    let weights = net.clone().into_record().into_bytes().map_err(|e| io(path, e))?;
    let optim = optim.unwrap_or_default();
    let mut out = Vec::with_capacity(MAGIC.len() + head.len() + weights.len() + optim.len() + 24);
    out.extend_from_slice(MAGIC);
    for part in [&head[..], &weights[..], &optim[..]] {
        out.extend_from_slice(&(part.len() as u64).to_le_bytes());
        out.extend_from_slice(part);
    }
    // Write then rename, so an interrupted save never leaves a half-written checkpoint behind.
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, &out).map_err(|e| io(path, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io(path, e))
}

struct Parts {
    header: Header,
    weights: Vec<u8>,
    optim: Vec<u8>,
}

fn read_file(path: &Path) -> Result<Parts, TrainError> {
    let bytes = std::fs::read(path).map_err(|e| io(path, e))?;
    let rest = bytes.strip_prefix(MAGIC).ok_or_else(|| bad(path, "not an sdl network file"))?;
    let mut parts = Vec::new();
    let mut at = 0usize;
    for _ in 0..3 {
        let len_bytes: [u8; 8] =
            rest.get(at..at + 8).and_then(|s| s.try_into().ok()).ok_or_else(|| bad(path, "the file is cut short"))?;
        let len = u64::from_le_bytes(len_bytes) as usize;
        at += 8;
        let end = at.checked_add(len).filter(|&e| e <= rest.len()).ok_or_else(|| bad(path, "the file is cut short"))?;
        parts.push(rest[at..end].to_vec());
        at = end;
    }
    let optim = parts.pop().unwrap_or_default();
    let weights = parts.pop().unwrap_or_default();
    let header: Header = serde_json::from_slice(&parts.pop().unwrap_or_default()).map_err(|e| bad(path, e))?;
    Ok(Parts { header, weights, optim })
}

fn header_for(net: &Network, meta: &ModelMeta, trainer: Option<TrainerState>) -> Header {
    let symbolic = match net {
        Network::Graph(g) => g.message_formulas().map(|fs| fs.into_iter().map(|(c, f)| (c, f.to_string())).collect()),
        Network::Hamiltonian(_) => None,
    };
    Header { network: net.config(), symbolic, meta: meta.clone(), trainer }
}

/// Rebuilds the network a header describes and loads `weights` into it.
fn rebuild(path: &Path, header: &Header, weights: Vec<u8>, device: &Device) -> Result<Network, TrainError> {
    let mut net = header.network.init(device, 0).map_err(|e| bad(path, e))?;
    if let (Some(formulas), Network::Graph(g)) = (&header.symbolic, &net) {
        let parsed = formulas
            .iter()
            .map(|(c, text)| sdl_formula::parse(text).map(|f| (*c, f)).map_err(|e| bad(path, e.message)))
            .collect::<Result<Vec<_>, _>>()?;
        net = Network::Graph(g.replace_messages(&parsed, device)?);
    }
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(weights)).map_err(|e| bad(path, e))?;
    net.try_load_record(record).map_err(|e| bad(path, e))
}

/// Saves a trained network and its metadata.
pub fn save_network(path: &Path, net: &Network, meta: &ModelMeta) -> Result<(), TrainError> {
    write_file(path, &header_for(net, meta, None), net, None)
}

/// Loads a network saved by [`save_network`] or [`save_checkpoint`] onto `device`.
pub fn load_network(path: &Path, device: &Device) -> Result<(Network, ModelMeta), TrainError> {
    let parts = read_file(path)?;
    let net = rebuild(path, &parts.header, parts.weights, device)?;
    Ok((net, parts.header.meta))
}

/// Saves a training run mid-way: the network, the optimiser state and the batch stream.
pub fn save_checkpoint(path: &Path, trainer: &Trainer, meta: &ModelMeta) -> Result<(), TrainError> {
    let state = TrainerState {
        config: trainer.config().clone(),
        rng: trainer.rng.state(),
        order: trainer.order.clone(),
        cursor: trainer.cursor,
        steps_done: trainer.steps_done,
        total_steps: trainer.total_steps,
    };
    let optim = trainer.optimizer().to_bytes();
    write_file(path, &header_for(trainer.network(), meta, Some(state)), trainer.network(), Some(optim))
}

/// Loads a checkpoint written by [`save_checkpoint`] into a trainer that continues the run
/// exactly (same next batch, same optimiser moments, same schedule position).
pub fn load_checkpoint(path: &Path, device: &Device) -> Result<(Trainer, ModelMeta), TrainError> {
    let parts = read_file(path)?;
    let Some(state) = &parts.header.trainer else {
        return Err(bad(path, "a saved model, not a training checkpoint"));
    };
    let net = rebuild(path, &parts.header, parts.weights, device)?;
    let mut trainer = Trainer::from_network(net, state.config.clone(), state.total_steps, device)?;
    if !parts.optim.is_empty() {
        trainer.set_optimizer(Adam::from_bytes(&parts.optim).map_err(|e| bad(path, e))?);
    }
    trainer.rng = Rng::from_state(state.rng);
    trainer.order = state.order.clone();
    trainer.cursor = state.cursor;
    trainer.steps_done = state.steps_done;
    Ok((trainer, parts.header.meta))
}
