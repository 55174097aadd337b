//! Graph-network declarations as data: a [`GraphNetTemplate`] (the structure of a checked
//! `graphnet { ... }`, every size a literal or a slot filled at run time) and a
//! [`GraphNetDecl`] (every size known), which becomes an `sdl_train::NetworkConfig` for the
//! data's dimension. The checker builds templates from syntax (`sema::graphnet`); the executor
//! instantiates them. Neither side owns these types.

use crate::syntax::ast::Span;
use crate::train::{Activation, Aggregation, GraphNetConfig, HamiltonianConfig, MlpSpec, NetworkConfig, Penalty};

/// A size in a declaration: a literal, or the value of `exprs[i]` computed at run time.
#[derive(Clone, Debug, PartialEq)]
pub enum Num {
    Lit(f64),
    Slot(usize),
}

/// `mlp(hidden: H, layers: L, activation: A)`.
#[derive(Clone, Debug, PartialEq)]
pub struct MlpTemplate {
    pub hidden: (Num, Span),
    pub layers: (Num, Span),
    pub activation: Option<Activation>,
}

/// A penalty with its weight still to be computed.
#[derive(Clone, Debug, PartialEq)]
pub enum PenaltyTemplate {
    None,
    Bottleneck,
    L1((Num, Span)),
    Kl((Num, Span)),
}

/// The two kinds of network, sizes unresolved.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // one per declaration; boxing would only add noise
pub enum NetTemplate {
    Message {
        message: MlpTemplate,
        msg_out: Option<(Num, Span)>,
        node: MlpTemplate,
        node_out: (Num, Span),
        global: Option<(MlpTemplate, (Num, Span))>,
        aggregation: Aggregation,
        penalty: PenaltyTemplate,
    },
    Hamiltonian {
        pair: MlpTemplate,
        self_energy: MlpTemplate,
    },
}

/// A checked declaration whose sizes may still be expressions.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphNetTemplate {
    pub net: NetTemplate,
    /// How many sizes are computed at run time (the checked tree holds their expressions).
    pub n_slots: usize,
    pub span: Span,
}

/// A declaration with every size known.
#[derive(Clone, Debug, PartialEq)]
pub enum GraphNetDecl {
    Message {
        message: MlpSpec,
        /// `None` for a bottleneck declared without a size (it is the data's dimension).
        msg_dim: Option<usize>,
        node: MlpSpec,
        node_out: usize,
        global: Option<(MlpSpec, usize)>,
        aggregation: Aggregation,
        penalty: Penalty,
        /// Where the node model's output size and the message size were written.
        node_out_span: Span,
        msg_span: Span,
    },
    Hamiltonian {
        pair: MlpSpec,
        self_energy: MlpSpec,
    },
}

/// Why a declaration does not fit data of a given dimension.
#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch {
    pub message: String,
    pub help: String,
    /// The part of the declaration at fault.
    pub decl_span: Span,
}

impl GraphNetDecl {
    /// The network for `sdl-sim` graphs in `dim` dimensions, or why it does not fit them.
    pub fn config_for(&self, dim: usize) -> Result<NetworkConfig, Mismatch> {
        match self {
            GraphNetDecl::Message {
                message,
                msg_dim,
                node,
                node_out,
                global,
                aggregation,
                penalty,
                node_out_span,
                msg_span,
            } => {
                if *node_out != dim {
                    return Err(Mismatch {
                        message: format!(
                            "the node model outputs {node_out} value(s), but the graphs are {dim}-D: an acceleration has {dim} components"
                        ),
                        help: format!("declare `node: mlp(...) -> {dim}`"),
                        decl_span: node_out_span.clone(),
                    });
                }
                let msg = match (penalty, msg_dim) {
                    (Penalty::Bottleneck, None) => dim,
                    (Penalty::Bottleneck, Some(m)) if *m != dim => {
                        return Err(Mismatch {
                            message: format!("a bottleneck's message size is the spatial dimension {dim}, not {m}"),
                            help: format!("write `-> {dim}` or leave the size out"),
                            decl_span: msg_span.clone(),
                        })
                    }
                    (_, Some(m)) => *m,
                    (_, None) => dim,
                };
                Ok(NetworkConfig::Graph(GraphNetConfig {
                    features: crate::train::standard_features(dim),
                    dim,
                    message: *message,
                    msg_dim: msg,
                    node: *node,
                    global: *global,
                    aggregation: *aggregation,
                    penalty: *penalty,
                }))
            }
            GraphNetDecl::Hamiltonian { pair, self_energy } => Ok(NetworkConfig::Hamiltonian(HamiltonianConfig {
                features: crate::train::standard_features(dim),
                dim,
                pair: *pair,
                self_energy: *self_energy,
            })),
        }
    }
}

impl GraphNetTemplate {
    /// The declaration with the slot expressions' values `values` (in slot order), or the first
    /// size that is not usable, with its span.
    pub fn instantiate(&self, values: &[f64]) -> Result<GraphNetDecl, (String, Span)> {
        let get = |(n, span): &(Num, Span)| -> f64 {
            let _ = span;
            match n {
                Num::Lit(v) => *v,
                Num::Slot(i) => values.get(*i).copied().unwrap_or(f64::NAN),
            }
        };
        let count = |slot: &(Num, Span), what: &str, min: f64| -> Result<usize, (String, Span)> {
            let v = get(slot);
            if v.is_finite() && v.fract() == 0.0 && v >= min && v <= 1e6 {
                Ok(v as usize)
            } else {
                Err((format!("{what} must be a whole number from {min} to 1e6, not {v}"), slot.1.clone()))
            }
        };
        let mlp = |m: &MlpTemplate| -> Result<MlpSpec, (String, Span)> {
            Ok(MlpSpec {
                hidden: count(&m.hidden, "a hidden width", 1.0)?,
                layers: count(&m.layers, "a layer count", 0.0)?,
                activation: m.activation.unwrap_or(Activation::Relu),
            })
        };
        let weight = |slot: &(Num, Span)| -> Result<f64, (String, Span)> {
            let w = get(slot);
            if w.is_finite() && w >= 0.0 {
                Ok(w)
            } else {
                Err((format!("a penalty weight must be finite and at least 0, not {w}"), slot.1.clone()))
            }
        };
        Ok(match &self.net {
            NetTemplate::Message { message, msg_out, node, node_out, global, aggregation, penalty } => {
                GraphNetDecl::Message {
                    message: mlp(message)?,
                    msg_dim: msg_out.as_ref().map(|o| count(o, "a message size", 1.0)).transpose()?,
                    node: mlp(node)?,
                    node_out: count(node_out, "an output size", 1.0)?,
                    global: match global {
                        Some((m, o)) => Some((mlp(m)?, count(o, "an output size", 1.0)?)),
                        None => None,
                    },
                    aggregation: *aggregation,
                    penalty: match penalty {
                        PenaltyTemplate::None => Penalty::None,
                        PenaltyTemplate::Bottleneck => Penalty::Bottleneck,
                        PenaltyTemplate::L1(w) => Penalty::L1 { weight: weight(w)? },
                        PenaltyTemplate::Kl(w) => Penalty::Kl { weight: weight(w)? },
                    },
                    node_out_span: node_out.1.clone(),
                    msg_span: msg_out.as_ref().map(|o| o.1.clone()).unwrap_or(message.hidden.1.clone()),
                }
            }
            NetTemplate::Hamiltonian { pair, self_energy } => {
                GraphNetDecl::Hamiltonian { pair: mlp(pair)?, self_energy: mlp(self_energy)? }
            }
        })
    }
}
