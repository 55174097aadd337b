//! The message-passing graph network of Cranmer et al. (2020): an edge model
//! `phi_e([x_i, x_j]) -> m_ij` (an MLP, or formulas after [`GraphNet::replace_messages`]), an
//! aggregation of incoming messages per receiver (sum, mean or max), an optional global model
//! `phi_u([mean_i x_i, mean_ij m_ij]) -> u`, and a node model `phi_v([x_i, agg_i, u]) -> a_i`.
//! In: a batch of graphs `[batch, n, features]`; out: accelerations `[batch, n, dim]` and the
//! messages `[batch, n (n - 1), msg_dim]`. Always true: the graph is complete and directed
//! without self-loops, edges in receiver-major order with senders ascending (the order of
//! `sdl_sim::edges`), built for whatever body count the batch has, so a network trained on 4
//! bodies runs on 8.

use burn::prelude::*;
use sdl_formula::rng::Rng;
use sdl_formula::Formula;

use crate::error::TrainError;
use crate::mlp::{Mlp, MlpSpec};
use crate::symbolic::SymbolicMessage;

/// How incoming messages are combined per receiver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Aggregation {
    /// The paper's choice: the sum of the messages (a net force).
    Sum,
    /// The mean over the `n - 1` senders.
    Mean,
    /// The componentwise maximum.
    Max,
}

impl Aggregation {
    /// The name used in declarations and model files.
    pub fn name(self) -> &'static str {
        match self {
            Aggregation::Sum => "sum",
            Aggregation::Mean => "mean",
            Aggregation::Max => "max",
        }
    }

    /// Looks an aggregation up by name.
    pub fn from_name(name: &str) -> Option<Aggregation> {
        [Aggregation::Sum, Aggregation::Mean, Aggregation::Max].into_iter().find(|a| a.name() == name)
    }
}

/// The pressure on the messages (the columns of the paper's Table 1).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Penalty {
    /// No constraint ("Standard").
    None,
    /// Message size forced to the spatial dimension ("Bottleneck").
    Bottleneck,
    /// `weight * sum |m| / edges` added to the loss (paper: weight `1e-2`).
    L1 {
        /// Penalty weight.
        weight: f64,
    },
    /// Messages are drawn from `N(mu, exp(logvar))` in training (the edge model emits
    /// interleaved `(mu, logvar)` pairs) and `weight * sum (exp(logvar) + mu^2 - logvar) / 2 /
    /// edges` is added to the loss; evaluation uses `mu`.
    Kl {
        /// Penalty weight.
        weight: f64,
    },
}

impl Penalty {
    /// `none`, `bottleneck`, `l1(w)`, `kl(w)`.
    pub fn describe(self) -> String {
        match self {
            Penalty::None => "none".into(),
            Penalty::Bottleneck => "bottleneck".into(),
            Penalty::L1 { weight } => format!("l1({weight})"),
            Penalty::Kl { weight } => format!("kl({weight})"),
        }
    }
}

/// Node feature names of `sdl-sim` graphs in `dim` dimensions: `x, y[, z], vx, vy[, vz], q, m`.
pub fn standard_features(dim: usize) -> Vec<String> {
    let pos = ["x", "y", "z"];
    let mut f: Vec<String> = pos[..dim.min(3)].iter().map(|s| s.to_string()).collect();
    f.extend(pos[..dim.min(3)].iter().map(|s| format!("v{s}")));
    f.push("q".into());
    f.push("m".into());
    f
}

/// Shape and settings of a [`GraphNet`]. [`GraphNetConfig::paper`] gives the paper's network.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GraphNetConfig {
    /// Node feature names; the first `dim` are positions.
    pub features: Vec<String>,
    /// Spatial dimension: the size of the predicted acceleration.
    pub dim: usize,
    /// Shape of the edge model.
    pub message: MlpSpec,
    /// Message size (paper: 100); must equal `dim` for [`Penalty::Bottleneck`].
    pub msg_dim: usize,
    /// Shape of the node model.
    pub node: MlpSpec,
    /// Shape and output size of the optional global model.
    pub global: Option<(MlpSpec, usize)>,
    /// How messages are combined.
    pub aggregation: Aggregation,
    /// The pressure on the messages.
    pub penalty: Penalty,
}

impl GraphNetConfig {
    /// The paper's network for `sdl-sim` graphs in `dim` dimensions: both MLPs 300 x 3 with
    /// ReLU, message size 100 (`dim` for a bottleneck), sum aggregation.
    pub fn paper(dim: usize, penalty: Penalty) -> GraphNetConfig {
        GraphNetConfig {
            features: standard_features(dim),
            dim,
            message: MlpSpec::paper(),
            msg_dim: if penalty == Penalty::Bottleneck { dim } else { 100 },
            node: MlpSpec::paper(),
            global: None,
            aggregation: Aggregation::Sum,
            penalty,
        }
    }

    /// The same network with both MLPs of another width and depth.
    pub fn with_mlp(mut self, hidden: usize, layers: usize) -> GraphNetConfig {
        self.message = MlpSpec { hidden, layers, ..self.message };
        self.node = MlpSpec { hidden, layers, ..self.node };
        self
    }

    /// The same network with another message size.
    pub fn with_msg_dim(mut self, msg_dim: usize) -> GraphNetConfig {
        self.msg_dim = msg_dim;
        self
    }

    /// Checks every field; the error names the first bad one.
    pub fn validate(&self) -> Result<(), TrainError> {
        let bad = |s: String| Err(TrainError::BadConfig(s));
        if self.dim == 0 || self.dim > self.features.len() {
            return bad(format!("dim {} does not fit {} node features", self.dim, self.features.len()));
        }
        for (what, spec) in [("message", &self.message), ("node", &self.node)]
            .into_iter()
            .chain(self.global.as_ref().map(|(s, _)| ("global", s)))
        {
            if spec.hidden == 0 && spec.layers > 0 {
                return bad(format!("the {what} model has hidden width 0"));
            }
        }
        if self.msg_dim == 0 {
            return bad("the message size must be positive".into());
        }
        if matches!(self.global, Some((_, 0))) {
            return bad("the global model's output size must be positive".into());
        }
        match self.penalty {
            Penalty::Bottleneck if self.msg_dim != self.dim => {
                bad(format!("a bottleneck's message size is the spatial dimension {}, not {}", self.dim, self.msg_dim))
            }
            Penalty::L1 { weight } | Penalty::Kl { weight } if !(weight.is_finite() && weight >= 0.0) => {
                bad(format!("the penalty weight must be finite and non-negative, got {weight}"))
            }
            _ => Ok(()),
        }
    }

    /// Builds a freshly initialised network on `device`, weights drawn from `rng`.
    pub fn init(&self, device: &Device, rng: &mut Rng) -> Result<GraphNet, TrainError> {
        self.validate()?;
        let f = self.features.len();
        let kl = matches!(self.penalty, Penalty::Kl { .. });
        let edge_out = if kl { 2 * self.msg_dim } else { self.msg_dim };
        let edge = EdgeModel::Mlp(self.message.init(2 * f, edge_out, device, rng));
        let global_dim = self.global.map_or(0, |(_, k)| k);
        let global = self.global.map(|(spec, k)| spec.init(f + self.msg_dim, k, device, rng));
        let node = self.node.init(f + self.msg_dim + global_dim, self.dim, device, rng);
        Ok(GraphNet { edge, node, global, config: self.clone() })
    }
}

/// The edge model: learned, or formulas put in its place.
#[derive(Module, Debug)]
pub enum EdgeModel {
    /// The MLP `phi_e`.
    Mlp(Mlp),
    /// Formulas for some message channels (the others are zero).
    Symbolic(SymbolicMessage),
}

/// The outputs of one forward pass.
#[derive(Debug)]
pub struct Forward {
    /// Predicted accelerations `[batch, n, dim]`.
    pub accel: Tensor<3>,
    /// The messages that were aggregated `[batch, edges, msg_dim]` (samples in KL training).
    pub messages: Tensor<3>,
    /// For a KL model: `(mu, logvar)`, each `[batch, edges, msg_dim]`.
    pub kl: Option<(Tensor<3>, Tensor<3>)>,
}

/// The graph network (see the module summary).
#[derive(Module, Debug)]
pub struct GraphNet {
    edge: EdgeModel,
    node: Mlp,
    global: Option<Mlp>,
    #[module(skip)]
    config: GraphNetConfig,
}

/// Receiver and sender indices of the complete directed graph on `n` bodies without
/// self-loops, receiver-major with senders ascending.
pub fn complete_edges(n: usize) -> (Vec<i64>, Vec<i64>) {
    let pairs: Vec<(i64, i64)> =
        (0..n).flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i as i64, j as i64))).collect();
    (pairs.iter().map(|p| p.0).collect(), pairs.iter().map(|p| p.1).collect())
}

/// `x.select(1, idx)` for a host index list.
pub(crate) fn select_bodies(x: Tensor<3>, idx: &[i64]) -> Tensor<3> {
    let device = x.device();
    let idx = Tensor::<1, Int>::from_data(TensorData::new(idx.to_vec(), [idx.len()]), &device);
    x.select(1, idx)
}

impl GraphNet {
    /// The settings the network was built with.
    pub fn config(&self) -> &GraphNetConfig {
        &self.config
    }

    /// Spatial dimension.
    pub fn dim(&self) -> usize {
        self.config.dim
    }

    /// Node features per body.
    pub fn node_features(&self) -> usize {
        self.config.features.len()
    }

    /// Message size.
    pub fn msg_dim(&self) -> usize {
        self.config.msg_dim
    }

    /// Whether this is a KL (variational message) model with a learned edge model.
    pub fn is_kl(&self) -> bool {
        matches!(self.config.penalty, Penalty::Kl { .. }) && matches!(self.edge, EdgeModel::Mlp(_))
    }

    /// The formulas of a replaced edge model, with their channels.
    pub fn message_formulas(&self) -> Option<Vec<(usize, Formula)>> {
        match &self.edge {
            EdgeModel::Symbolic(s) => Some(s.formulas()),
            EdgeModel::Mlp(_) => None,
        }
    }

    /// The same network with its edge model replaced by formulas (channel, formula) over the
    /// edge variables (see [`crate::symbolic::edge_variables`]); channels without a formula
    /// send zero. The penalty is dropped: it shaped the learned messages, not the formulas.
    pub fn replace_messages(&self, formulas: &[(usize, Formula)], device: &Device) -> Result<GraphNet, TrainError> {
        let c = &self.config;
        let edge = SymbolicMessage::new(formulas, c.msg_dim, &c.features, c.dim, device)?;
        let mut config = c.clone();
        config.penalty = Penalty::None;
        Ok(GraphNet { edge: EdgeModel::Symbolic(edge), node: self.node.clone(), global: self.global.clone(), config })
    }

    /// Checks that `x` is `[batch > 0, n >= 2, node_features]`.
    pub fn check_input(&self, x: &Tensor<3>) -> Result<(), TrainError> {
        let [b, n, f] = x.dims();
        if b == 0 || n < 2 || f != self.node_features() {
            return Err(TrainError::BadData(format!(
                "input is [{b}, {n}, {f}], the network wants [graphs > 0, bodies >= 2, {}]",
                self.node_features()
            )));
        }
        Ok(())
    }

    /// One forward pass over `x: [batch, n, node_features]`. For a KL model, `noise`
    /// (`[batch, edges, msg_dim]` standard normal draws) samples the messages; without it the
    /// means are passed on. Call [`GraphNet::check_input`] first on untrusted shapes.
    pub fn forward(&self, x: Tensor<3>, noise: Option<Tensor<3>>) -> Forward {
        let [b, n, f] = x.dims();
        let (recv, send) = complete_edges(n);
        let e = recv.len();
        let m = self.config.msg_dim;
        let xi = select_bodies(x.clone(), &recv).reshape([b * e, f]);
        let xj = select_bodies(x.clone(), &send).reshape([b * e, f]);
        let raw = match &self.edge {
            EdgeModel::Mlp(mlp) => mlp.forward(Tensor::cat(vec![xi, xj], 1)),
            EdgeModel::Symbolic(s) => s.forward(xi, xj),
        };
        let (messages, kl) = if self.is_kl() {
            let pairs = raw.reshape([b, e, m, 2]);
            let mu = pairs.clone().narrow(3, 0, 1).reshape([b, e, m]);
            let logvar = pairs.narrow(3, 1, 1).reshape([b, e, m]);
            let msg = match noise {
                Some(eps) => mu.clone() + logvar.clone().mul_scalar(0.5).exp() * eps,
                None => mu.clone(),
            };
            (msg, Some((mu, logvar)))
        } else {
            (raw.reshape([b, e, m]), None)
        };
        // Receiver-major order: receiver i's n - 1 incoming edges are contiguous.
        let grouped = messages.clone().reshape([b, n, n - 1, m]);
        let agg: Tensor<3> = match self.config.aggregation {
            Aggregation::Sum => grouped.sum_dim(2).reshape([b, n, m]),
            Aggregation::Mean => grouped.mean_dim(2).reshape([b, n, m]),
            Aggregation::Max => grouped.max_dim(2).reshape([b, n, m]),
        };
        let mut node_in = vec![x.clone(), agg];
        if let Some(global) = &self.global {
            let summary = Tensor::cat(vec![x.mean_dim(1), messages.clone().mean_dim(1)], 2).reshape([b, f + m]);
            let u = global.forward(summary);
            let [_, k] = u.dims();
            node_in.push(u.reshape([b, 1, k]).expand([b, n, k]));
        }
        let width = node_in.iter().map(|t| t.dims()[2]).sum::<usize>();
        let node_in = Tensor::cat(node_in, 2).reshape([b * n, width]);
        let accel = self.node.forward(node_in).reshape([b, n, self.config.dim]);
        Forward { accel, messages, kl }
    }
}
