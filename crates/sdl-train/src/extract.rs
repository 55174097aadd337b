//! Reading a trained network's messages and comparing them with the true pair forces (the
//! paper's Table 1). In: a [`GraphNet`] and graphs; out: one message row per directed edge, the
//! per-channel standard deviations, the most significant channels and the R^2 of linear fits
//! between those channels and [`sdl_sim::pair_force`]. Always true: message rows come graph by
//! graph in the model's edge order, and every R^2 reported lies in `[0, 1]`.

use burn::prelude::*;
use sdl_sim::{Graph, Law};

use crate::data::Dataset;
use crate::error::TrainError;
use crate::model::GraphNet;

/// Which graph and edge a message row belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EdgeRef {
    /// Graph index within the graphs given.
    pub graph: usize,
    /// Receiving body.
    pub receiver: usize,
    /// Sending body.
    pub sender: usize,
}

/// Messages of a set of graphs: `rows` x `msg_dim`, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Messages {
    /// Channels per message.
    pub msg_dim: usize,
    /// Message values, `[rows, msg_dim]` row-major.
    pub values: Vec<f64>,
    /// The edge of each row.
    pub edges: Vec<EdgeRef>,
}

/// Graphs per forward pass in [`extract_messages`].
const CHUNK: usize = 256;

/// The messages of every directed edge of `graphs` (evaluation mode: KL models give their
/// means). Runs on the model's non-autodiff copy (`Module::valid`).
pub fn extract_messages(model: &GraphNet, graphs: &[Graph], device: &Device) -> Result<Messages, TrainError> {
    let data = Dataset::from_graphs(graphs, model.n(), model.dim())?;
    if data.features() != model.node_features() {
        return Err(TrainError::BadData(format!(
            "graphs have {} node features, model wants {}",
            data.features(),
            model.node_features()
        )));
    }
    let net = model.valid();
    let m = model.msg_dim();
    let edges = model.edges();
    let mut values = Vec::with_capacity(graphs.len() * edges.len() * m);
    let mut refs = Vec::with_capacity(graphs.len() * edges.len());
    let idx: Vec<usize> = (0..graphs.len()).collect();
    for chunk in idx.chunks(CHUNK) {
        let batch = data.batch(chunk, None)?;
        let x = batch.nodes_tensor(device).without_autodiff();
        let out = net.forward(x, false);
        let v = out.messages.into_data().try_into_vec_as::<f32>().map_err(|e| TrainError::Tensor(e.to_string()))?;
        values.extend(v.iter().map(|&x| x as f64));
        for &g in chunk {
            refs.extend(edges.iter().map(|&(receiver, sender)| EdgeRef { graph: g, receiver, sender }));
        }
    }
    if values.len() != refs.len() * m {
        return Err(TrainError::Tensor(format!("got {} message values for {} edges", values.len(), refs.len())));
    }
    Ok(Messages { msg_dim: m, values, edges: refs })
}

impl Messages {
    /// Number of message rows (edges over all graphs).
    pub fn rows(&self) -> usize {
        self.edges.len()
    }

    /// Message row `i`, if it exists.
    pub fn row(&self, i: usize) -> Option<&[f64]> {
        self.values.get(i * self.msg_dim..(i + 1) * self.msg_dim)
    }

    /// Values of channel `c` over all rows.
    pub fn channel(&self, c: usize) -> Vec<f64> {
        if c >= self.msg_dim {
            return Vec::new();
        }
        self.values.iter().skip(c).step_by(self.msg_dim).copied().collect()
    }

    /// Population standard deviation of each channel over all rows (0 for no rows).
    pub fn channel_std(&self) -> Vec<f64> {
        (0..self.msg_dim).map(|c| std_dev(&self.channel(c))).collect()
    }

    /// The `k` channels with the largest standard deviation, largest first (ties: lower
    /// index first); fewer if there are fewer channels.
    pub fn top_channels(&self, k: usize) -> Vec<usize> {
        let s = self.channel_std();
        let mut idx: Vec<usize> = (0..self.msg_dim).collect();
        idx.sort_by(|&a, &b| s[b].total_cmp(&s[a]).then(a.cmp(&b)));
        idx.truncate(k);
        idx
    }

    /// Channels whose standard deviation exceeds `fraction` of the largest one (a sparsity
    /// measure: L1-trained models should have few).
    pub fn active_channels(&self, fraction: f64) -> usize {
        let s = self.channel_std();
        let max = s.iter().copied().fold(0.0, f64::max);
        if max <= 0.0 {
            return 0;
        }
        s.iter().filter(|&&v| v > fraction * max).count()
    }
}

impl Messages {
    /// Channels whose standard deviation exceeds the absolute `threshold`.
    pub fn channels_above(&self, threshold: f64) -> usize {
        self.channel_std().iter().filter(|&&v| v > threshold).count()
    }
}

fn std_dev(v: &[f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n).sqrt()
}

/// Linear fits between the top message channels and the true pair forces.
#[derive(Clone, Debug, PartialEq)]
pub struct ForceFit {
    /// The channels used (the `dim` channels of largest standard deviation).
    pub channels: Vec<usize>,
    /// For each force component `f_c`: R^2 of the least-squares fit
    /// `f_c ~ b + sum_k a_k m_k` over the chosen channels.
    pub force_from_messages: Vec<f64>,
    /// For each chosen channel `m_k`: R^2 of `m_k ~ b + sum_c a_c f_c` (the direction of the
    /// paper's Table 1 caption: "a linear combination of true force components to the message
    /// components").
    pub messages_from_force: Vec<f64>,
}

impl ForceFit {
    /// Mean of [`ForceFit::force_from_messages`].
    pub fn force_from_messages_mean(&self) -> f64 {
        mean(&self.force_from_messages)
    }

    /// Mean of [`ForceFit::messages_from_force`] (the Table-1 number).
    pub fn messages_from_force_mean(&self) -> f64 {
        mean(&self.messages_from_force)
    }
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// The paper's Table-1 comparison: takes the `dim` channels of largest standard deviation in
/// `messages` (extracted from `graphs`), computes the true force on each row's receiver from its
/// sender with [`sdl_sim::pair_force`], and fits ordinary least squares with an intercept in
/// both directions (see [`ForceFit`]). Every row is used (no outlier cut). R^2 is
/// `1 - SS_res / SS_tot`, clamped to `[0, 1]`, and 0 for a constant target.
pub fn force_fit(messages: &Messages, graphs: &[Graph], law: Law, dim: usize) -> Result<ForceFit, TrainError> {
    if messages.rows() == 0 {
        return Err(TrainError::NoData);
    }
    let channels = messages.top_channels(dim);
    let mut force = vec![Vec::with_capacity(messages.rows()); dim];
    for e in &messages.edges {
        let g = graphs.get(e.graph).ok_or_else(|| TrainError::BadData(format!("no graph {}", e.graph)))?;
        let (xi, xj) = match (g.nodes.get(e.receiver), g.nodes.get(e.sender)) {
            (Some(a), Some(b)) => (a, b),
            _ => {
                return Err(TrainError::BadData(format!(
                    "graph {} has no body {} or {}",
                    e.graph, e.receiver, e.sender
                )))
            }
        };
        let f = sdl_sim::pair_force(law, xi, xj, dim)?;
        for (c, v) in f.into_iter().enumerate() {
            force[c].push(v);
        }
    }
    let msg_cols: Vec<Vec<f64>> = channels.iter().map(|&c| messages.channel(c)).collect();
    let force_from_messages = force.iter().map(|y| r_squared(&msg_cols, y)).collect::<Result<_, _>>()?;
    let messages_from_force = msg_cols.iter().map(|y| r_squared(&force, y)).collect::<Result<_, _>>()?;
    Ok(ForceFit { channels, force_from_messages, messages_from_force })
}

/// R^2 of the ordinary least-squares fit `y ~ b + sum_k a_k x_k` (columns `xs`, each as long
/// as `y`), clamped to `[0, 1]`; 0 when `y` is constant. Solves the normal equations on centred
/// data by Gaussian elimination with partial pivoting; near-singular directions are dropped.
pub fn r_squared(xs: &[Vec<f64>], y: &[f64]) -> Result<f64, TrainError> {
    let n = y.len();
    if n == 0 {
        return Err(TrainError::NoData);
    }
    if xs.iter().any(|c| c.len() != n) {
        return Err(TrainError::BadData("regressor and target lengths differ".into()));
    }
    let ym = y.iter().sum::<f64>() / n as f64;
    let ss_tot: f64 = y.iter().map(|v| (v - ym) * (v - ym)).sum();
    if !ss_tot.is_finite() || ss_tot <= 0.0 {
        return Ok(0.0);
    }
    let k = xs.len();
    let cols: Vec<Vec<f64>> = xs
        .iter()
        .map(|c| {
            let m = c.iter().sum::<f64>() / n as f64;
            c.iter().map(|v| v - m).collect()
        })
        .collect();
    let yc: Vec<f64> = y.iter().map(|v| v - ym).collect();
    // Normal equations [X'X | X'y].
    let mut a = vec![vec![0.0; k + 1]; k];
    for i in 0..k {
        for j in 0..k {
            a[i][j] = dot(&cols[i], &cols[j]);
        }
        a[i][k] = dot(&cols[i], &yc);
    }
    let beta = solve(a, k);
    let ss_res: f64 = (0..n)
        .map(|r| {
            let pred: f64 = (0..k).map(|j| beta[j] * cols[j][r]).sum();
            (yc[r] - pred) * (yc[r] - pred)
        })
        .sum();
    let r2 = 1.0 - ss_res / ss_tot;
    Ok(if r2.is_finite() { r2.clamp(0.0, 1.0) } else { 0.0 })
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Solves the `k x k` augmented system; pivots below `1e-12` of the largest diagonal give a
/// zero coefficient (a dropped, collinear regressor).
fn solve(mut a: Vec<Vec<f64>>, k: usize) -> Vec<f64> {
    let scale = (0..k).map(|i| a[i][i].abs()).fold(0.0, f64::max);
    let tol = 1e-12 * scale.max(f64::MIN_POSITIVE);
    let mut pivot_of = vec![None; k];
    let mut row = 0;
    for col in 0..k {
        let best = (row..k).max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs()));
        let Some(p) = best else { break };
        if a[p][col].abs() <= tol {
            continue;
        }
        a.swap(row, p);
        let pivot_row = a[row].clone();
        for (r, target) in a.iter_mut().enumerate() {
            if r != row {
                let f = target[col] / pivot_row[col];
                if f != 0.0 {
                    for (t, &pv) in target[col..].iter_mut().zip(&pivot_row[col..]) {
                        *t -= f * pv;
                    }
                }
            }
        }
        pivot_of[col] = Some(row);
        row += 1;
    }
    (0..k).map(|col| pivot_of[col].map_or(0.0, |r| a[r][k] / a[r][col])).collect()
}
