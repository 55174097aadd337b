//! The graph network of Cranmer et al. (2020): an edge model `phi_e([x_i, x_j]) -> m_ij`, a sum
//! of incoming messages per receiver, and a node model `phi_v([x_i, sum_j m_ij]) -> a_i`. In: a
//! batch of graphs as a `[batch, n, features]` tensor; out: accelerations `[batch, n, dim]` and
//! the messages `[batch, edges, msg_dim]`. Always true: edges follow [`sdl_sim::edges`] order
//! (receiver-major, senders ascending), fixed for the model's body count, so message row
//! `b * edges + e` is edge `e` of graph `b`.

use burn::nn::{Linear, LinearConfig, Relu};
use burn::prelude::*;
use burn::tensor::Distribution;

use crate::error::TrainError;

/// How the messages are constrained (the columns of the paper's Table 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Regularizer {
    /// No constraint ("Standard").
    Standard,
    /// Message size forced to the spatial dimension ("Bottleneck").
    Bottleneck,
    /// `weight * mean over edges of sum_k |m_k|` added to the loss (paper: weight `1e-2`).
    L1 {
        /// Penalty weight.
        weight: f64,
    },
    /// Messages are sampled from `N(mu, exp(logvar))` in training (the edge model emits
    /// interleaved `(mu, logvar)` pairs) and `weight * mean over edges of
    /// sum_k (exp(logvar) + mu^2 - logvar) / 2` is added to the loss; evaluation uses `mu`.
    Kl {
        /// Penalty weight.
        weight: f64,
    },
}

/// Shape and settings of a [`GraphNet`]. [`GraphNetConfig::new`] gives the paper's network.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphNetConfig {
    /// Bodies per graph.
    pub n: usize,
    /// Spatial dimension (size of the predicted acceleration).
    pub dim: usize,
    /// Node features (`2 * dim + 2` for `sdl-sim` data: position, velocity, charge, mass).
    pub node_features: usize,
    /// Width of every hidden layer of both MLPs (paper: 300).
    pub hidden: usize,
    /// Number of hidden layers of each MLP (paper: 3; each MLP then has 4 linear layers).
    pub layers: usize,
    /// Message size (paper: 100); ignored for [`Regularizer::Bottleneck`], which uses `dim`.
    pub msg_dim: usize,
    /// Message constraint.
    pub regularizer: Regularizer,
    /// Directed edges `(receiver, sender)`; [`GraphNetConfig::new`] uses the complete graph
    /// without self-loops.
    pub edges: Vec<(usize, usize)>,
}

impl GraphNetConfig {
    /// The paper's network for `n` bodies in `dim` dimensions: hidden 300, 3 hidden layers,
    /// message size 100, no regularizer, complete directed graph without self-loops.
    pub fn new(n: usize, dim: usize) -> GraphNetConfig {
        GraphNetConfig {
            n,
            dim,
            node_features: 2 * dim + 2,
            hidden: 300,
            layers: 3,
            msg_dim: 100,
            regularizer: Regularizer::Standard,
            edges: complete_edges(n),
        }
    }

    /// Sets the hidden width and the number of hidden layers.
    pub fn with_mlp(mut self, hidden: usize, layers: usize) -> GraphNetConfig {
        self.hidden = hidden;
        self.layers = layers;
        self
    }

    /// Sets the message size.
    pub fn with_msg_dim(mut self, msg_dim: usize) -> GraphNetConfig {
        self.msg_dim = msg_dim;
        self
    }

    /// Sets the regularizer.
    pub fn with_regularizer(mut self, regularizer: Regularizer) -> GraphNetConfig {
        self.regularizer = regularizer;
        self
    }

    /// The message size actually used: `dim` for a bottleneck, else `msg_dim`.
    pub fn effective_msg_dim(&self) -> usize {
        match self.regularizer {
            Regularizer::Bottleneck => self.dim,
            _ => self.msg_dim,
        }
    }

    /// Checks every field; the error names the first bad one.
    pub fn validate(&self) -> Result<(), TrainError> {
        let bad = |s: String| Err(TrainError::BadConfig(s));
        if self.n < 2 {
            return bad(format!("need at least 2 bodies, got {}", self.n));
        }
        if self.dim == 0 {
            return bad("dim must be positive".into());
        }
        if self.node_features == 0 || self.hidden == 0 || self.effective_msg_dim() == 0 {
            return bad("node_features, hidden and msg_dim must be positive".into());
        }
        if self.edges.is_empty() {
            return bad("the graph has no edges".into());
        }
        if let Some(&(r, s)) = self.edges.iter().find(|&&(r, s)| r >= self.n || s >= self.n) {
            return bad(format!("edge ({r}, {s}) names a body outside 0..{}", self.n));
        }
        match self.regularizer {
            Regularizer::L1 { weight } | Regularizer::Kl { weight } if !(weight.is_finite() && weight >= 0.0) => {
                bad(format!("penalty weight must be finite and non-negative, got {weight}"))
            }
            _ => Ok(()),
        }
    }

    /// Builds a freshly initialised network on `device` (seed the device first for
    /// reproducible weights: `device.seed(s)`).
    pub fn init(&self, device: &Device) -> Result<GraphNet, TrainError> {
        self.validate()?;
        let m = self.effective_msg_dim();
        let edge_out = if matches!(self.regularizer, Regularizer::Kl { .. }) { 2 * m } else { m };
        let edge = Mlp::new(2 * self.node_features, self.hidden, self.layers, edge_out, device);
        let node = Mlp::new(self.node_features + m, self.hidden, self.layers, self.dim, device);
        Ok(GraphNet {
            edge,
            node,
            n: self.n,
            dim: self.dim,
            node_features: self.node_features,
            msg_dim: m,
            kl: matches!(self.regularizer, Regularizer::Kl { .. }),
            receivers: self.edges.iter().map(|e| e.0 as i64).collect(),
            senders: self.edges.iter().map(|e| e.1 as i64).collect(),
        })
    }
}

/// The complete directed graph on `n` bodies without self-loops, receiver-major with senders
/// ascending (the order of [`sdl_sim::edges`] for every law but `string`).
pub fn complete_edges(n: usize) -> Vec<(usize, usize)> {
    (0..n).flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j))).collect()
}

/// A multilayer perceptron: `layers` hidden layers of width `hidden` with ReLU, then a linear
/// output layer.
#[derive(Module, Debug)]
pub struct Mlp {
    linears: Vec<Linear>,
    activation: Relu,
}

impl Mlp {
    /// `d_in -> hidden (x layers, ReLU) -> d_out`; `layers = 0` is a single linear map.
    pub fn new(d_in: usize, hidden: usize, layers: usize, d_out: usize, device: &Device) -> Mlp {
        let mut linears = Vec::with_capacity(layers + 1);
        let mut width = d_in;
        for _ in 0..layers {
            linears.push(LinearConfig::new(width, hidden).init(device));
            width = hidden;
        }
        linears.push(LinearConfig::new(width, d_out).init(device));
        Mlp { linears, activation: Relu::new() }
    }

    /// Applies the network to rows `[rows, d_in]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let last = self.linears.len() - 1;
        let mut h = x;
        for (i, l) in self.linears.iter().enumerate() {
            h = l.forward(h);
            if i < last {
                h = self.activation.forward(h);
            }
        }
        h
    }
}

/// The outputs of one forward pass.
#[derive(Debug)]
pub struct Forward {
    /// Predicted accelerations `[batch, n, dim]`.
    pub accel: Tensor<3>,
    /// The messages that were summed `[batch, edges, msg_dim]` (samples in KL training mode).
    pub messages: Tensor<3>,
    /// For a KL model: `(mu, logvar)`, each `[batch, edges, msg_dim]`.
    pub kl: Option<(Tensor<3>, Tensor<3>)>,
}

/// The graph network (edge model, sum aggregation, node model).
#[derive(Module, Debug)]
pub struct GraphNet {
    edge: Mlp,
    node: Mlp,
    #[module(skip)]
    n: usize,
    #[module(skip)]
    dim: usize,
    #[module(skip)]
    node_features: usize,
    #[module(skip)]
    msg_dim: usize,
    #[module(skip)]
    kl: bool,
    #[module(skip)]
    receivers: Vec<i64>,
    #[module(skip)]
    senders: Vec<i64>,
}

impl GraphNet {
    /// Bodies per graph.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Spatial dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Node features per body.
    pub fn node_features(&self) -> usize {
        self.node_features
    }

    /// Message size.
    pub fn msg_dim(&self) -> usize {
        self.msg_dim
    }

    /// Number of directed edges per graph.
    pub fn n_edges(&self) -> usize {
        self.receivers.len()
    }

    /// The edges `(receiver, sender)` in message-row order.
    pub fn edges(&self) -> Vec<(usize, usize)> {
        self.receivers.iter().zip(&self.senders).map(|(&r, &s)| (r as usize, s as usize)).collect()
    }

    /// Whether this is a KL (variational message) model.
    pub fn is_kl(&self) -> bool {
        self.kl
    }

    /// Checks that `x` is `[batch, n, node_features]` with `batch > 0`.
    pub fn check_input(&self, x: &Tensor<3>) -> Result<(), TrainError> {
        let [b, n, f] = x.dims();
        if b == 0 || n != self.n || f != self.node_features {
            return Err(TrainError::BadData(format!(
                "input is [{b}, {n}, {f}], model wants [batch > 0, {}, {}]",
                self.n, self.node_features
            )));
        }
        Ok(())
    }

    /// One forward pass over `x: [batch, n, node_features]`. `sample` draws KL messages
    /// (training); otherwise KL models pass their means. Call [`GraphNet::check_input`] first
    /// on untrusted shapes (burn panics on mismatched shapes).
    pub fn forward(&self, x: Tensor<3>, sample: bool) -> Forward {
        let [b, n, f] = x.dims();
        let device = x.device();
        let e = self.receivers.len();
        let m = self.msg_dim;
        let recv = Tensor::<1, Int>::from_data(TensorData::new(self.receivers.clone(), [e]), &device);
        let send = Tensor::<1, Int>::from_data(TensorData::new(self.senders.clone(), [e]), &device);
        let xi = x.clone().select(1, recv);
        let xj = x.clone().select(1, send);
        let edge_in = Tensor::cat(vec![xi, xj], 2).reshape([b * e, 2 * f]);
        let raw = self.edge.forward(edge_in);
        let (messages, kl) = if self.kl {
            let pairs = raw.reshape([b, e, m, 2]);
            let mu = pairs.clone().narrow(3, 0, 1).reshape([b, e, m]);
            let logvar = pairs.narrow(3, 1, 1).reshape([b, e, m]);
            let msg = if sample {
                let eps = Tensor::<3>::random([b, e, m], Distribution::Normal(0.0, 1.0), &device);
                mu.clone() + logvar.clone().mul_scalar(0.5).exp() * eps
            } else {
                mu.clone()
            };
            (msg, Some((mu, logvar)))
        } else {
            (raw.reshape([b, e, m]), None)
        };
        // Sum per receiver: incidence [n, e] times messages [e, b * m].
        let mut inc = vec![0f32; n * e];
        for (k, &r) in self.receivers.iter().enumerate() {
            inc[r as usize * e + k] = 1.0;
        }
        let inc = Tensor::<2>::from_data(TensorData::new(inc, [n, e]), &device);
        let flat = messages.clone().swap_dims(0, 1).reshape([e, b * m]);
        let agg = inc.matmul(flat).reshape([n, b, m]).swap_dims(0, 1);
        let node_in = Tensor::cat(vec![x, agg], 2).reshape([b * n, f + m]);
        let accel = self.node.forward(node_in).reshape([b, n, self.dim]);
        Forward { accel, messages, kl }
    }
}
