//! Graph data as flat `f32` arrays ready for batching. In: `sdl-sim` graphs; out: a
//! [`Dataset`] whose batches become `[batch, n, features]` node tensors and `[batch, n, dim]`
//! target tensors. Always true: every graph in a dataset has the same body count and feature
//! width (checked on construction), and a batch copies graphs in the order of the indices given.

use burn::prelude::*;
use sdl_formula::rng::Rng;
use sdl_sim::{Graph, GraphData};

use crate::error::TrainError;

/// Graphs of one shape, flattened: nodes `[len, n, features]`, accelerations `[len, n, dim]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    n: usize,
    dim: usize,
    features: usize,
    nodes: Vec<f32>,
    accel: Vec<f32>,
    len: usize,
}

/// One batch in host memory, ready to become tensors.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    /// Graphs in the batch.
    pub graphs: usize,
    /// Bodies per graph.
    pub n: usize,
    /// Node features.
    pub features: usize,
    /// Spatial dimension.
    pub dim: usize,
    /// Node features, `[graphs, n, features]` row-major.
    pub nodes: Vec<f32>,
    /// Target accelerations, `[graphs, n, dim]` row-major.
    pub accel: Vec<f32>,
}

impl Batch {
    /// The node tensor `[graphs, n, features]` on `device`.
    pub fn nodes_tensor(&self, device: &Device) -> Tensor<3> {
        Tensor::from_data(TensorData::new(self.nodes.clone(), [self.graphs, self.n, self.features]), device)
    }

    /// The target tensor `[graphs, n, dim]` on `device`.
    pub fn accel_tensor(&self, device: &Device) -> Tensor<3> {
        Tensor::from_data(TensorData::new(self.accel.clone(), [self.graphs, self.n, self.dim]), device)
    }
}

impl Batch {
    /// Graphs `start..start + count` of this batch.
    pub fn part(&self, start: usize, count: usize) -> Batch {
        let (gn, ga) = (self.n * self.features, self.n * self.dim);
        let count = count.min(self.graphs.saturating_sub(start));
        Batch {
            graphs: count,
            n: self.n,
            features: self.features,
            dim: self.dim,
            nodes: self.nodes[start * gn..(start + count) * gn].to_vec(),
            accel: self.accel[start * ga..(start + count) * ga].to_vec(),
        }
    }
}

impl Dataset {
    /// Graphs `indices` of this set (repeats allowed), as a new set.
    pub fn subset(&self, indices: &[usize]) -> Result<Dataset, TrainError> {
        let b = self.batch(indices, None)?;
        Ok(Dataset { n: self.n, dim: self.dim, features: self.features, nodes: b.nodes, accel: b.accel, len: b.graphs })
    }

    /// All graphs of a simulation run.
    pub fn from_graph_data(data: &GraphData) -> Result<Dataset, TrainError> {
        Dataset::from_graphs(&data.graphs, data.n, data.dim)
    }

    /// Graphs with `n` bodies in `dim` dimensions; node rows must all have one width, and
    /// acceleration rows length `dim`.
    pub fn from_graphs(graphs: &[Graph], n: usize, dim: usize) -> Result<Dataset, TrainError> {
        let first = graphs.first().ok_or(TrainError::NoData)?;
        let features = first.nodes.first().map_or(0, Vec::len);
        if n == 0 || dim == 0 || features == 0 {
            return Err(TrainError::BadData(format!("n = {n}, dim = {dim}, features = {features}")));
        }
        let mut nodes = Vec::with_capacity(graphs.len() * n * features);
        let mut accel = Vec::with_capacity(graphs.len() * n * dim);
        for (g, graph) in graphs.iter().enumerate() {
            if graph.nodes.len() != n || graph.accel.len() != n {
                return Err(TrainError::BadData(format!(
                    "graph {g} has {} node rows and {} acceleration rows, want {n}",
                    graph.nodes.len(),
                    graph.accel.len()
                )));
            }
            for (row, a) in graph.nodes.iter().zip(&graph.accel) {
                if row.len() != features || a.len() != dim {
                    return Err(TrainError::BadData(format!(
                        "graph {g}: node row of length {} (want {features}), acceleration of length {} (want {dim})",
                        row.len(),
                        a.len()
                    )));
                }
                nodes.extend(row.iter().map(|&v| v as f32));
                accel.extend(a.iter().map(|&v| v as f32));
            }
        }
        Ok(Dataset { n, dim, features, nodes, accel, len: graphs.len() })
    }

    /// Number of graphs.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no graphs.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bodies per graph.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Spatial dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Node features.
    pub fn features(&self) -> usize {
        self.features
    }

    /// The graphs at `indices` (repeats allowed). With `shift = Some((rng, sigma))`, each
    /// graph's positions (the first `dim` features) are translated by one draw of
    /// `N(0, sigma^2)` per axis, shared by all its bodies (the paper's augmentation, sigma 3).
    pub fn batch(&self, indices: &[usize], shift: Option<(&mut Rng, f64)>) -> Result<Batch, TrainError> {
        if indices.is_empty() {
            return Err(TrainError::NoData);
        }
        if let Some(&i) = indices.iter().find(|&&i| i >= self.len) {
            return Err(TrainError::BadData(format!("graph index {i} out of range 0..{}", self.len)));
        }
        let (gn, ga) = (self.n * self.features, self.n * self.dim);
        let mut nodes = Vec::with_capacity(indices.len() * gn);
        let mut accel = Vec::with_capacity(indices.len() * ga);
        let mut shift = shift;
        let mut offset = vec![0f32; self.dim.min(self.features)];
        for &i in indices {
            if let Some((rng, sigma)) = shift.as_mut() {
                for o in offset.iter_mut() {
                    *o = (rng.normal() * *sigma) as f32;
                }
            }
            for body in self.nodes[i * gn..(i + 1) * gn].chunks(self.features) {
                nodes.extend(body.iter().enumerate().map(|(k, &v)| v + offset.get(k).copied().unwrap_or(0.0)));
            }
            accel.extend_from_slice(&self.accel[i * ga..(i + 1) * ga]);
        }
        Ok(Batch { graphs: indices.len(), n: self.n, features: self.features, dim: self.dim, nodes, accel })
    }
}
