//! Reading what a trained network computes, and comparing it with the true physics (the
//! paper's Table 1). In: a [`Network`] and graphs; out: one row of edge outputs per directed
//! edge (messages, or symmetrised pair energies), predicted accelerations, per-channel standard
//! deviations, the most significant channels and the R^2 of linear fits between those channels
//! and the true pair forces or pair potentials. Always true: rows come graph by graph in
//! [`complete_edges`] order, evaluation never samples (KL models give their means), and every
//! R^2 reported lies in `[0, 1]`.

use burn::prelude::*;
use sdl_sim::{Graph, Law};

use crate::data::Dataset;
use crate::error::TrainError;
use crate::model::complete_edges;
use crate::network::Network;

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

/// Edge outputs of a set of graphs: `rows` x `msg_dim`, row-major (the messages of a
/// message-passing network, the pair energy of a Hamiltonian one).
#[derive(Clone, Debug, PartialEq)]
pub struct Messages {
    /// Channels per row.
    pub msg_dim: usize,
    /// Values, `[rows, msg_dim]` row-major.
    pub values: Vec<f64>,
    /// The edge of each row.
    pub edges: Vec<EdgeRef>,
}

/// Graphs per forward pass when evaluating.
const CHUNK: usize = 256;

/// Runs `f` on the network's non-autodiff copy over `graphs` in chunks, collecting the
/// `f32` values each chunk gives.
fn evaluate_chunks(
    net: &Network,
    graphs: &[Graph],
    device: &Device,
    f: impl Fn(&Network, Tensor<3>) -> Tensor<3>,
) -> Result<(Dataset, Vec<f32>), TrainError> {
    let n = graphs.first().map_or(0, |g| g.nodes.len());
    let data = Dataset::from_graphs(graphs, n, net.dim())?;
    if data.features() != net.node_features() || n < 2 {
        return Err(TrainError::BadData(format!(
            "the graphs have {n} bodies with {} node features; the network wants at least 2 bodies with {}",
            data.features(),
            net.node_features()
        )));
    }
    let valid = net.valid();
    let mut values = Vec::new();
    let idx: Vec<usize> = (0..graphs.len()).collect();
    for chunk in idx.chunks(CHUNK) {
        let batch = data.batch(chunk, None)?;
        let x = batch.nodes_tensor(device).without_autodiff();
        let out = f(&valid, x);
        values.extend(out.into_data().try_into_vec_as::<f32>().map_err(|e| TrainError::Tensor(e.to_string()))?);
    }
    Ok((data, values))
}

/// The edge outputs of every directed edge of `graphs` (evaluation mode: KL models give their
/// means).
pub fn extract_messages(net: &Network, graphs: &[Graph], device: &Device) -> Result<Messages, TrainError> {
    let (data, v) = evaluate_chunks(net, graphs, device, |n, x| n.edge_outputs(x))?;
    let m = net.edge_channels();
    let (recv, send) = complete_edges(data.n());
    let edges: Vec<EdgeRef> = (0..graphs.len())
        .flat_map(|g| {
            recv.iter().zip(&send).map(move |(&r, &s)| EdgeRef { graph: g, receiver: r as usize, sender: s as usize })
        })
        .collect();
    if v.len() != edges.len() * m {
        return Err(TrainError::Tensor(format!("got {} values for {} edges", v.len(), edges.len())));
    }
    Ok(Messages { msg_dim: m, values: v.iter().map(|&x| x as f64).collect(), edges })
}

/// Predicted accelerations of every body of `graphs`, `[graphs * n][dim]` row-major by
/// graph then body.
pub fn predict_accelerations(net: &Network, graphs: &[Graph], device: &Device) -> Result<Vec<Vec<f64>>, TrainError> {
    let (_, v) = evaluate_chunks(net, graphs, device, |n, x| n.predict(x))?;
    Ok(v.chunks(net.dim()).map(|c| c.iter().map(|&x| x as f64).collect()).collect())
}

/// Mean absolute error of the predicted accelerations of `graphs` against their true ones.
pub fn acceleration_mae(net: &Network, graphs: &[Graph], device: &Device) -> Result<f64, TrainError> {
    let pred = predict_accelerations(net, graphs, device)?;
    let truth = graphs.iter().flat_map(|g| g.accel.iter());
    let (mut sum, mut count) = (0.0, 0usize);
    for (p, t) in pred.iter().zip(truth) {
        for (a, b) in p.iter().zip(t) {
            sum += (a - b).abs();
            count += 1;
        }
    }
    if count == 0 {
        return Err(TrainError::NoData);
    }
    Ok(sum / count as f64)
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

/// Linear fits between the most significant edge-output channels and the true physics.
#[derive(Clone, Debug, PartialEq)]
pub struct TruthFit {
    /// The channels used: the `k` of largest standard deviation, where `k` is the number of
    /// true components (`dim` force components, or 1 pair potential).
    pub channels: Vec<usize>,
    /// For each true component `f_c`: R^2 of the least-squares fit `f_c ~ b + sum_k a_k m_k`
    /// over the chosen channels.
    pub truth_from_messages: Vec<f64>,
    /// For each chosen channel `m_k`: R^2 of `m_k ~ b + sum_c a_c f_c` (the direction of the
    /// paper's Table 1 caption: "a linear combination of true force components to the message
    /// components").
    pub messages_from_truth: Vec<f64>,
    /// The same fits as [`TruthFit::messages_from_truth`], scored on the best-fitting `keep`
    /// fraction of edges (see [`trimmed_r_squared`]; the paper's code keeps 0.9).
    pub messages_from_truth_trimmed: Vec<f64>,
}

impl TruthFit {
    /// Mean of [`TruthFit::messages_from_truth_trimmed`]: the Table-1 number as the paper's
    /// evaluation code computes it.
    pub fn table1(&self) -> f64 {
        mean(&self.messages_from_truth_trimmed)
    }

    /// Mean of [`TruthFit::messages_from_truth`]: the Table-1 comparison with every edge
    /// counted (stricter for forces with a singularity).
    pub fn table1_all_edges(&self) -> f64 {
        mean(&self.messages_from_truth)
    }

    /// Mean of [`TruthFit::truth_from_messages`].
    pub fn truth_from_messages_mean(&self) -> f64 {
        mean(&self.truth_from_messages)
    }
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// What the edge outputs are compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truth {
    /// The pair force on the receiver ([`sdl_sim::pair_force`], `dim` components).
    Force,
    /// The pair potential ([`sdl_sim::pair_potential`], one component).
    Potential,
    /// The pair force divided by the receiver's mass: the sender's contribution to the
    /// receiver's acceleration (`dim` components). A network may carry this instead of the
    /// force (its node model then needs no division by the mass); for the gravity-like laws
    /// the two differ by the receiver's mass, which no linear fit can absorb.
    Acceleration,
}

/// The paper's Table-1 comparison: takes the channels of largest standard deviation in
/// `messages` (extracted from `graphs`) — as many as the truth has components, or the given
/// `channels` — computes the truth on each row's edge, and fits ordinary least squares with an
/// intercept in both directions (see [`TruthFit`]), scoring the message-from-truth fits both on
/// every edge and on the best-fitting `keep` fraction (the paper's code: 0.9). R^2 is `1 - SS_res / SS_tot`,
/// clamped to `[0, 1]`, and 0 for a constant target.
pub fn truth_fit(
    messages: &Messages,
    graphs: &[Graph],
    law: Law,
    dim: usize,
    truth: Truth,
    channels: Option<Vec<usize>>,
    keep: f64,
) -> Result<TruthFit, TrainError> {
    if messages.rows() == 0 {
        return Err(TrainError::NoData);
    }
    let k = match truth {
        Truth::Force | Truth::Acceleration => dim,
        Truth::Potential => 1,
    };
    let channels = channels.unwrap_or_else(|| messages.top_channels(k));
    let mut target = vec![Vec::with_capacity(messages.rows()); k];
    for e in &messages.edges {
        let g = graphs.get(e.graph).ok_or_else(|| TrainError::BadData(format!("no graph {}", e.graph)))?;
        let (Some(xi), Some(xj)) = (g.nodes.get(e.receiver), g.nodes.get(e.sender)) else {
            return Err(TrainError::BadData(format!("graph {} has no body {} or {}", e.graph, e.receiver, e.sender)));
        };
        let values = match truth {
            Truth::Force => sdl_sim::pair_force(law, xi, xj, dim)?,
            Truth::Potential => vec![sdl_sim::pair_potential(law, xi, xj, dim)?],
            Truth::Acceleration => {
                let m = xi.get(sdl_sim::mass_index(dim)).copied().unwrap_or(f64::NAN);
                if !(m > 0.0 && m.is_finite()) {
                    return Err(TrainError::BadData(format!(
                        "graph {} body {} has mass {m}; the acceleration needs a positive mass",
                        e.graph, e.receiver
                    )));
                }
                sdl_sim::pair_force(law, xi, xj, dim)?.into_iter().map(|f| f / m).collect()
            }
        };
        for (c, v) in values.into_iter().enumerate() {
            target[c].push(v);
        }
    }
    let msg_cols: Vec<Vec<f64>> = channels.iter().map(|&c| messages.channel(c)).collect();
    let truth_from_messages = target.iter().map(|y| r_squared(&msg_cols, y)).collect::<Result<_, _>>()?;
    let messages_from_truth = msg_cols.iter().map(|y| r_squared(&target, y)).collect::<Result<_, _>>()?;
    let messages_from_truth_trimmed =
        msg_cols.iter().map(|y| trimmed_r_squared(&target, y, keep)).collect::<Result<_, _>>()?;
    Ok(TruthFit { channels, truth_from_messages, messages_from_truth, messages_from_truth_trimmed })
}

/// R^2 of the ordinary least-squares fit `y ~ b + sum_k a_k x_k` (columns `xs`, each as long
/// as `y`), clamped to `[0, 1]`; 0 when `y` is constant. Solves the normal equations on centred
/// data by Gaussian elimination with partial pivoting; near-singular directions are dropped.
pub fn r_squared(xs: &[Vec<f64>], y: &[f64]) -> Result<f64, TrainError> {
    trimmed_r_squared(xs, y, 1.0)
}

/// The fitted values `b + sum_k a_k x_k` of the ordinary least-squares fit of `y` to the
/// columns `xs` (each as long as `y`), with an intercept: the best linear combination of the
/// regressors, which the paper plots each message channel against (its Figure 3). Collinear
/// regressors are dropped as in [`r_squared`].
pub fn linear_fit(xs: &[Vec<f64>], y: &[f64]) -> Result<Vec<f64>, TrainError> {
    if y.is_empty() {
        return Err(TrainError::NoData);
    }
    if xs.iter().any(|c| c.len() != y.len()) {
        return Err(TrainError::BadData("regressor and target lengths differ".into()));
    }
    let residuals = ols_residuals(xs, y, &vec![true; y.len()]);
    Ok(y.iter().zip(residuals).map(|(v, r)| v - r).collect())
}

/// The outlier-robust R^2 of the paper's own evaluation code: the linear fit `y ~ b + sum_k a_k
/// x_k` that minimises the mean of the smallest `keep` fraction of squared residuals (least
/// trimmed squares, found by alternating an OLS fit and the choice of the best-fitting rows,
/// from the OLS fit on every row), and `1 - (that mean) / var(y)` over all rows, clamped to
/// `[0, 1]`. `keep = 1` is the ordinary R^2; the paper keeps 90%, so that a few close
/// encounters (forces that grow like `1/r^2`) do not decide the score.
pub fn trimmed_r_squared(xs: &[Vec<f64>], y: &[f64], keep: f64) -> Result<f64, TrainError> {
    let n = y.len();
    if n == 0 {
        return Err(TrainError::NoData);
    }
    if xs.iter().any(|c| c.len() != n) {
        return Err(TrainError::BadData("regressor and target lengths differ".into()));
    }
    if !(keep > 0.0 && keep <= 1.0) {
        return Err(TrainError::BadConfig(format!("the kept fraction {keep} is outside (0, 1]")));
    }
    let ym = y.iter().sum::<f64>() / n as f64;
    let var = y.iter().map(|v| (v - ym) * (v - ym)).sum::<f64>() / n as f64;
    if !var.is_finite() || var <= 0.0 {
        return Ok(0.0);
    }
    let kept = ((keep * n as f64).ceil() as usize).clamp(1, n);
    let mut mask = vec![true; n];
    let mut residuals = ols_residuals(xs, y, &mask);
    for _ in 0..50 {
        if kept == n {
            break;
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| residuals[a].abs().total_cmp(&residuals[b].abs()));
        let mut next = vec![false; n];
        for &r in &order[..kept] {
            next[r] = true;
        }
        if next == mask {
            break;
        }
        mask = next;
        residuals = ols_residuals(xs, y, &mask);
    }
    let mut sq: Vec<f64> = residuals.iter().map(|r| r * r).collect();
    sq.sort_by(f64::total_cmp);
    let trimmed = sq[..kept].iter().sum::<f64>() / kept as f64;
    let r2 = 1.0 - trimmed / var;
    Ok(if r2.is_finite() { r2.clamp(0.0, 1.0) } else { 0.0 })
}

/// Residuals on every row of the least-squares fit with an intercept over the rows in `mask`.
fn ols_residuals(xs: &[Vec<f64>], y: &[f64], mask: &[bool]) -> Vec<f64> {
    let rows: Vec<usize> = (0..y.len()).filter(|&r| mask[r]).collect();
    let m = rows.len().max(1) as f64;
    let mean = |c: &[f64]| rows.iter().map(|&r| c[r]).sum::<f64>() / m;
    let xm: Vec<f64> = xs.iter().map(|c| mean(c)).collect();
    let ym = mean(y);
    let k = xs.len();
    let centred = |c: usize, r: usize| xs[c][r] - xm[c];
    // Normal equations [X'X | X'y] over the kept rows.
    let a: Vec<Vec<f64>> = (0..k)
        .map(|i| {
            let mut row: Vec<f64> = (0..k).map(|j| rows.iter().map(|&r| centred(i, r) * centred(j, r)).sum()).collect();
            row.push(rows.iter().map(|&r| centred(i, r) * (y[r] - ym)).sum());
            row
        })
        .collect();
    let beta = solve(a, k);
    (0..y.len()).map(|r| (y[r] - ym) - (0..k).map(|j| beta[j] * centred(j, r)).sum::<f64>()).collect()
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
