//! The one error type of `sdl-train`. Every public entry point checks its input (shapes, sizes,
//! settings) and returns a [`TrainError`] rather than panicking, so a REPL can show the message
//! as is.

use std::fmt;

/// Why building, training or probing a graph network was refused or failed.
#[derive(Clone, Debug, PartialEq)]
pub enum TrainError {
    /// A model or training setting that cannot work (zero width, zero batch, bad rate, ...).
    BadConfig(String),
    /// Graph data that does not fit the model (wrong body count, feature count, ragged rows).
    BadData(String),
    /// No graphs were given where some are needed.
    NoData,
    /// A tensor could not be read back from the device.
    Tensor(String),
    /// The loss became NaN or infinite at this step.
    Diverged {
        /// Zero-based training step.
        step: usize,
    },
    /// The simulator refused a request (forwarded from `sdl-sim`).
    Sim(sdl_sim::SimError),
    /// A formula cannot stand in for a part of the network (unknown variables, bad channel).
    BadFormula(String),
    /// Reading or writing a model file failed.
    Io(String),
    /// A file is not a model or checkpoint this version can read.
    BadFile(String),
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::BadConfig(s) => write!(f, "bad setting: {s}"),
            TrainError::BadData(s) => write!(f, "bad data: {s}"),
            TrainError::NoData => write!(f, "no graphs given"),
            TrainError::Tensor(s) => write!(f, "tensor read-back failed: {s}"),
            TrainError::Diverged { step } => write!(f, "loss is not finite at step {step}"),
            TrainError::Sim(e) => write!(f, "simulation: {e}"),
            TrainError::BadFormula(s) => write!(f, "{s}"),
            TrainError::Io(s) => write!(f, "{s}"),
            TrainError::BadFile(s) => write!(f, "{s}"),
        }
    }
}

impl std::error::Error for TrainError {}

impl From<sdl_sim::SimError> for TrainError {
    fn from(e: sdl_sim::SimError) -> Self {
        TrainError::Sim(e)
    }
}
