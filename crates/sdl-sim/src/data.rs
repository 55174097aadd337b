//! Simulation output as graphs and as flat tables. In: [`GraphData`] from
//! [`crate::simulate`]; out: a node table (one row per body per graph), an edge table (one row
//! per directed edge per graph, with the true pair force as the regression target) and
//! train/test splits. Always true: every table row has exactly as many values as there are
//! column names; graph and body indices are stored as exact small floats; edge rows follow
//! [`crate::edges`] order, so each graph contributes `n (n - 1)` rows (`2 (n - 1)` for
//! `string`); `dx, dy, dz` are sender minus receiver; `fx, fy, fz` are [`crate::pair_force`]
//! on the receiver.

use sdl_formula::rng::Rng;

use crate::error::SimError;
use crate::law::Law;
use crate::physics::{add_pair_force, charge_mass, distance, edges};

/// One snapshot: node features `[n][2 * dim + 2]` (`[x, y(, z), vx, vy(, vz), q, m]`) and the
/// true accelerations `[n][dim]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    /// Node feature rows.
    pub nodes: Vec<Vec<f64>>,
    /// Acceleration of each node (the graph network's target).
    pub accel: Vec<Vec<f64>>,
}

/// A set of snapshot graphs of one law, body count and dimension.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphData {
    /// The law that generated the data.
    pub law: Law,
    /// Bodies per graph.
    pub n: usize,
    /// Spatial dimension.
    pub dim: usize,
    /// The snapshots, ordered by simulation then time.
    pub graphs: Vec<Graph>,
}

fn axis_names(dim: usize) -> (&'static [&'static str], &'static [&'static str]) {
    let pos: &[&str] = &["x", "y", "z"];
    let vel: &[&str] = &["vx", "vy", "vz"];
    (&pos[..dim.min(3)], &vel[..dim.min(3)])
}

/// Node feature names `x, y(, z), vx, vy(, vz), q, m`, each with `suffix` appended.
fn feature_names(dim: usize, suffix: &str) -> Vec<String> {
    let (pos, vel) = axis_names(dim);
    pos.iter().chain(vel).chain(&["q", "m"]).map(|s| format!("{s}{suffix}")).collect()
}

impl GraphData {
    /// Number of graphs.
    pub fn len(&self) -> usize {
        self.graphs.len()
    }

    /// Whether there are no graphs.
    pub fn is_empty(&self) -> bool {
        self.graphs.is_empty()
    }

    /// Node table: one row per node per graph; columns `graph, node, x, y[, z], vx, vy[, vz],
    /// q, m, ax, ay[, az]`.
    pub fn node_columns(&self) -> (Vec<String>, Vec<Vec<f64>>) {
        let (pos, _) = axis_names(self.dim);
        let mut names = vec!["graph".to_string(), "node".to_string()];
        names.extend(feature_names(self.dim, ""));
        names.extend(pos.iter().map(|p| format!("a{p}")));
        let mut rows = Vec::with_capacity(self.graphs.len() * self.n);
        for (g, graph) in self.graphs.iter().enumerate() {
            for (i, (node, acc)) in graph.nodes.iter().zip(&graph.accel).enumerate() {
                let mut row = Vec::with_capacity(names.len());
                row.push(g as f64);
                row.push(i as f64);
                row.extend_from_slice(node);
                row.extend_from_slice(acc);
                rows.push(row);
            }
        }
        (names, rows)
    }

    /// Edge table: one row per directed edge (receiver `i`, sender `j != i`, in
    /// [`crate::edges`] order) per graph. Columns: `graph, receiver, sender`, the receiver's
    /// features suffixed `1` (`x1, y1, .., vx1, .., q1, m1`), the sender's suffixed `2`,
    /// `dx, dy[, dz]` = sender minus receiver position, `r` = unsoftened distance, and
    /// `fx, fy[, fz]` = [`crate::pair_force`] on the receiver. Summing `f` over a receiver's
    /// senders and dividing by `m1` gives its acceleration, except for `damped` (add
    /// [`crate::damping_force`]) and `string` (add [`crate::external_force`]).
    pub fn edge_columns(&self) -> (Vec<String>, Vec<Vec<f64>>) {
        let dim = self.dim;
        let (pos, _) = axis_names(dim);
        let mut names = vec!["graph".to_string(), "receiver".to_string(), "sender".to_string()];
        names.extend(feature_names(dim, "1"));
        names.extend(feature_names(dim, "2"));
        names.extend(pos.iter().map(|p| format!("d{p}")));
        names.push("r".to_string());
        names.extend(pos.iter().map(|p| format!("f{p}")));
        let pairs = edges(self.law, self.n);
        let mut rows = Vec::with_capacity(self.graphs.len() * pairs.len());
        for (g, graph) in self.graphs.iter().enumerate() {
            for &(i, j) in &pairs {
                let (Some(xi), Some(xj)) = (graph.nodes.get(i), graph.nodes.get(j)) else {
                    continue;
                };
                let mut row = Vec::with_capacity(names.len());
                row.push(g as f64);
                row.push(i as f64);
                row.push(j as f64);
                row.extend_from_slice(xi);
                row.extend_from_slice(xj);
                row.extend(xi[..dim].iter().zip(&xj[..dim]).map(|(a, b)| b - a));
                row.push(distance(&xi[..dim], &xj[..dim]));
                let mut f = vec![0.0; dim];
                add_pair_force(
                    self.law,
                    &xi[..dim],
                    &xj[..dim],
                    charge_mass(xi, dim),
                    charge_mass(xj, dim),
                    1.0,
                    &mut f,
                );
                row.extend(f);
                rows.push(row);
            }
        }
        (names, rows)
    }

    /// Splits by graph into (train, test): a seeded shuffle of the graph indices, the first
    /// `round(train_fraction * len)` to train, the rest to test, each side in original order.
    /// Note that snapshots of one simulation are correlated, so a by-graph split leaks time
    /// neighbours across the two sides (as in the paper's setup).
    pub fn split(&self, train_fraction: f64, seed: u64) -> Result<(GraphData, GraphData), SimError> {
        if !(0.0..=1.0).contains(&train_fraction) {
            return Err(SimError::BadFraction(train_fraction));
        }
        let len = self.graphs.len();
        let mut order: Vec<usize> = (0..len).collect();
        let mut rng = Rng::new(seed);
        // Fisher–Yates with the crate-wide generator, so splits are reproducible.
        for k in (1..len).rev() {
            let j = rng.below(k + 1);
            order.swap(k, j);
        }
        let n_train = ((train_fraction * len as f64).round() as usize).min(len);
        let mut in_train = vec![false; len];
        for &g in &order[..n_train] {
            in_train[g] = true;
        }
        let pick = |want: bool| GraphData {
            law: self.law,
            n: self.n,
            dim: self.dim,
            graphs: self.graphs.iter().zip(&in_train).filter(|(_, &t)| t == want).map(|(g, _)| g.clone()).collect(),
        };
        Ok((pick(true), pick(false)))
    }
}
