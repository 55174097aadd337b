//! The one error type of `sdl-sim`. Every public entry point validates its input and returns a
//! [`SimError`] instead of panicking; each variant names the offending value so the message can
//! be shown to a REPL user as is.

use std::fmt;

/// Why a simulation or a physics query was refused or failed.
#[derive(Clone, Debug, PartialEq)]
pub enum SimError {
    /// Only 2-D and 3-D systems exist in the paper (and in this crate).
    BadDim(usize),
    /// A system needs at least two bodies to have any interaction.
    TooFewBodies(usize),
    /// `steps` was zero: there would be no snapshot at all.
    ZeroSteps,
    /// `keep_every` was zero.
    ZeroKeepEvery,
    /// `n_sims` was zero.
    ZeroSims,
    /// An explicit time step that is not a positive finite number.
    BadDt(f64),
    /// Integrator settings that cannot work (zero substeps, non-positive tolerances, ...).
    BadIntegrator(String),
    /// A node row has the wrong length for the dimension (`expected = 2 * dim + 2`).
    BadNode {
        /// Index of the offending row.
        node: usize,
        /// Its length.
        len: usize,
        /// The length the dimension calls for.
        expected: usize,
    },
    /// The requested data set would hold more than [`crate::MAX_VALUES`] numbers.
    TooLarge(String),
    /// A split fraction outside `[0, 1]` (or NaN).
    BadFraction(f64),
    /// The state stopped being finite (a blow-up); `step` is the output step reached.
    Diverged {
        /// Simulation index within the batch.
        sim: usize,
        /// Output step at which the state became non-finite.
        step: usize,
    },
    /// The adaptive integrator needed more than its substep budget for one output step
    /// (a near-collision so close that even the softened force is too stiff).
    StepLimit {
        /// Simulation index within the batch.
        sim: usize,
        /// Output step that could not be completed.
        step: usize,
    },
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::BadDim(d) => write!(f, "dimension must be 2 or 3, got {d}"),
            SimError::TooFewBodies(n) => write!(f, "need at least 2 bodies, got {n}"),
            SimError::ZeroSteps => write!(f, "steps must be at least 1"),
            SimError::ZeroKeepEvery => write!(f, "keep_every must be at least 1"),
            SimError::ZeroSims => write!(f, "n_sims must be at least 1"),
            SimError::BadDt(dt) => write!(f, "time step must be positive and finite, got {dt}"),
            SimError::BadIntegrator(why) => write!(f, "bad integrator settings: {why}"),
            SimError::BadNode { node, len, expected } => {
                write!(f, "node {node} has {len} features, expected {expected} (position, velocity, q, m)")
            }
            SimError::TooLarge(what) => write!(f, "requested data set is too large: {what}"),
            SimError::BadFraction(x) => write!(f, "fraction must lie in [0, 1], got {x}"),
            SimError::Diverged { sim, step } => {
                write!(f, "simulation {sim} diverged (non-finite state) at step {step}")
            }
            SimError::StepLimit { sim, step } => {
                write!(f, "simulation {sim}: adaptive integrator exceeded its substep budget at step {step}")
            }
        }
    }
}

impl std::error::Error for SimError {}
