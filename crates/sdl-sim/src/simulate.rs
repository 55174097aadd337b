//! Running batches of simulations. In: a [`SimConfig`] (law, bodies, dimension, count, steps,
//! sampling, seed) and optionally an [`Integrator`]; out: [`GraphData`] holding one snapshot
//! graph per kept step per simulation, ordered by simulation then time. Always true: the
//! config is validated before any work; simulation `s` draws its initial state from
//! `Rng::new(seed).fork(s)`, so results do not depend on the thread count and the first `k`
//! simulations of a batch are the same whatever `n_sims` is; the recorded accelerations are
//! exactly the derivative the integrator used at that state.
//!
//! Initial states (paper's code): every feature standard normal, drawn body by body in node
//! order `[x, v, q, m]`; mass replaced by `exp(N(0,1))` (log-normal, positive); charge by
//! `sign(N(0,1))` (±1, zero counted as +1). For `string`, masses are 1, the first coordinate is
//! `i + 0.5 N(0,1)` so the chain starts laid out along x, and velocities are zero (the chain
//! starts at rest and falls).

use rayon::prelude::*;
use sdl_formula::rng::Rng;

use crate::data::{Graph, GraphData};
use crate::error::SimError;
use crate::integrate::{StepFail, Stepper};
use crate::law::Law;
use crate::physics::{accel_flat, charge_index, charge_mass, check_dim, mass_index, node_len};
use crate::Integrator;

/// Upper bound on the numbers a single call to [`simulate`] may produce (node features plus
/// accelerations), so that a typo in `n` or `steps` is an error rather than an out-of-memory
/// abort.
pub const MAX_VALUES: usize = 1 << 30;

/// What to simulate. Field defaults via [`SimConfig::new`] follow the paper.
#[derive(Clone, Debug, PartialEq)]
pub struct SimConfig {
    /// The interaction law.
    pub law: Law,
    /// Number of bodies (at least 2; the paper uses 4 and 8, and 30 for `string`).
    pub n: usize,
    /// Spatial dimension, 2 or 3.
    pub dim: usize,
    /// Number of independent simulations (each from its own random initial state).
    pub n_sims: usize,
    /// Output steps per simulation, including the initial state (paper: 1000).
    pub steps: usize,
    /// Keep every k-th output step as a graph, starting with step 0 (paper: 5).
    pub keep_every: usize,
    /// Output time step; `None` means [`Law::dt`].
    pub dt: Option<f64>,
    /// Seed for the initial states.
    pub seed: u64,
}

impl SimConfig {
    /// The paper's setup for `law`: one simulation, 1000 steps, keep every 5th, the law's
    /// `dt`, seed 0.
    pub fn new(law: Law, n: usize, dim: usize) -> SimConfig {
        SimConfig { law, n, dim, n_sims: 1, steps: 1000, keep_every: 5, dt: None, seed: 0 }
    }

    /// The output time step in use (`dt` or the law's default).
    pub fn time_step(&self) -> f64 {
        self.dt.unwrap_or_else(|| self.law.dt())
    }

    /// Graphs kept per simulation: `ceil(steps / keep_every)`.
    pub fn graphs_per_sim(&self) -> usize {
        if self.keep_every == 0 {
            0
        } else {
            self.steps.div_ceil(self.keep_every)
        }
    }

    /// Checks every field; the error names the first bad one.
    pub fn validate(&self) -> Result<(), SimError> {
        check_dim(self.dim)?;
        if self.n < 2 {
            return Err(SimError::TooFewBodies(self.n));
        }
        if self.steps == 0 {
            return Err(SimError::ZeroSteps);
        }
        if self.keep_every == 0 {
            return Err(SimError::ZeroKeepEvery);
        }
        if self.n_sims == 0 {
            return Err(SimError::ZeroSims);
        }
        let dt = self.time_step();
        if !(dt > 0.0 && dt.is_finite()) {
            return Err(SimError::BadDt(dt));
        }
        let per_node = 3 * self.dim + 2;
        let total = self
            .n
            .checked_mul(per_node)
            .and_then(|x| x.checked_mul(self.graphs_per_sim()))
            .and_then(|x| x.checked_mul(self.n_sims));
        match total {
            Some(t) if t <= MAX_VALUES => Ok(()),
            _ => Err(SimError::TooLarge(format!(
                "{} sims x {} graphs x {} bodies exceeds {MAX_VALUES} values",
                self.n_sims,
                self.graphs_per_sim(),
                self.n
            ))),
        }
    }
}

/// The initial node rows `[n][2 * dim + 2]` of simulation `sim` of a batch (see the module
/// docs for the distributions). Validates `cfg` first.
pub fn initial_state(cfg: &SimConfig, sim: usize) -> Result<Vec<Vec<f64>>, SimError> {
    cfg.validate()?;
    Ok(draw_initial(cfg, sim))
}

fn draw_initial(cfg: &SimConfig, sim: usize) -> Vec<Vec<f64>> {
    let dim = cfg.dim;
    let mut rng = Rng::new(cfg.seed).fork(sim as u64);
    (0..cfg.n)
        .map(|i| {
            let mut row: Vec<f64> = (0..node_len(dim)).map(|_| rng.normal()).collect();
            if cfg.law == Law::String {
                row[0] = i as f64 + 0.5 * row[0];
                row[dim..2 * dim].iter_mut().for_each(|v| *v = 0.0);
                row[mass_index(dim)] = 1.0;
            } else {
                row[mass_index(dim)] = row[mass_index(dim)].exp();
            }
            row[charge_index(dim)] = if row[charge_index(dim)] < 0.0 { -1.0 } else { 1.0 };
            row
        })
        .collect()
}

/// Runs `cfg.n_sims` simulations with the default (adaptive) [`Integrator`].
pub fn simulate(cfg: &SimConfig) -> Result<GraphData, SimError> {
    simulate_with(cfg, Integrator::default())
}

/// Runs `cfg.n_sims` simulations (in parallel) with the given integrator. If several
/// simulations fail, the error of the lowest-numbered one is returned.
pub fn simulate_with(cfg: &SimConfig, integ: Integrator) -> Result<GraphData, SimError> {
    cfg.validate()?;
    integ.validate()?;
    let runs: Vec<Result<Vec<Graph>, SimError>> =
        (0..cfg.n_sims).into_par_iter().map(|s| run_one(cfg, integ, s)).collect();
    let mut graphs = Vec::with_capacity(cfg.n_sims * cfg.graphs_per_sim());
    for run in runs {
        graphs.extend(run?);
    }
    Ok(GraphData { law: cfg.law, n: cfg.n, dim: cfg.dim, graphs })
}

fn run_one(cfg: &SimConfig, integ: Integrator, sim: usize) -> Result<Vec<Graph>, SimError> {
    let (law, n, dim) = (cfg.law, cfg.n, cfg.dim);
    let nd = n * dim;
    let dt = cfg.time_step();
    let init = draw_initial(cfg, sim);
    // State y = [positions (n * dim), velocities (n * dim)]; charge and mass are constants.
    let mut y = vec![0.0; 2 * nd];
    let mut q = vec![0.0; n];
    let mut m = vec![0.0; n];
    for (i, row) in init.iter().enumerate() {
        y[i * dim..(i + 1) * dim].copy_from_slice(&row[..dim]);
        y[nd + i * dim..nd + (i + 1) * dim].copy_from_slice(&row[dim..2 * dim]);
        (q[i], m[i]) = charge_mass(row, dim);
    }
    let deriv = |y: &[f64], dy: &mut [f64]| {
        let (dpos, dvel) = dy.split_at_mut(nd);
        dpos.copy_from_slice(&y[nd..]);
        accel_flat(law, dim, &y[..nd], &y[nd..], &q, &m, dvel);
    };
    let mut stepper = Stepper::new(integ, 2 * nd, dt);
    let mut graphs = Vec::with_capacity(cfg.graphs_per_sim());
    let mut acc = vec![0.0; nd];
    for step in 0..cfg.steps {
        if step > 0 {
            stepper.advance(&deriv, &mut y, dt).map_err(|StepFail::Budget| SimError::StepLimit { sim, step })?;
            if !y.iter().all(|v| v.is_finite()) {
                return Err(SimError::Diverged { sim, step });
            }
        }
        if step % cfg.keep_every == 0 {
            accel_flat(law, dim, &y[..nd], &y[nd..], &q, &m, &mut acc);
            let nodes = (0..n)
                .map(|i| {
                    let mut row = Vec::with_capacity(node_len(dim));
                    row.extend_from_slice(&y[i * dim..(i + 1) * dim]);
                    row.extend_from_slice(&y[nd + i * dim..nd + (i + 1) * dim]);
                    row.push(q[i]);
                    row.push(m[i]);
                    row
                })
                .collect();
            let accel = acc.chunks(dim).map(|c| c.to_vec()).collect();
            graphs.push(Graph { nodes, accel });
        }
    }
    Ok(graphs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphs_per_sim_counts_step_zero() {
        let mut cfg = SimConfig::new(Law::Spring, 4, 2);
        cfg.steps = 11;
        cfg.keep_every = 5;
        assert_eq!(cfg.graphs_per_sim(), 3);
        cfg.steps = 10;
        assert_eq!(cfg.graphs_per_sim(), 2);
    }

    #[test]
    fn huge_requests_are_refused() {
        let mut cfg = SimConfig::new(Law::Spring, usize::MAX / 2, 3);
        cfg.keep_every = 1;
        assert!(matches!(cfg.validate(), Err(SimError::TooLarge(_))));
    }
}
