//! Running complexity frequencies for adaptive parsimony (PySR's `RunningSearchStatistics`):
//! counts of member complexities over a fading window, normalised after every iteration.

/// Running counts of member complexities (PySR's `RunningSearchStatistics`), kept in a window
/// so that old history fades.
#[derive(Clone, Debug)]
pub struct Frequencies {
    counts: Vec<f64>,
    /// `counts` divided by their sum.
    pub normalized: Vec<f64>,
}

/// PySR's window size for the running frequencies.
const WINDOW: f64 = 100_000.0;

impl Frequencies {
    /// Uniform start: every complexity counted once.
    pub fn new(maxsize: u32) -> Frequencies {
        let n = maxsize as usize + 1;
        let mut f = Frequencies { counts: vec![1.0; n], normalized: vec![0.0; n] };
        f.normalize();
        f
    }

    /// Counts one member of complexity `c`.
    pub fn add(&mut self, c: u32) {
        if let Some(x) = self.counts.get_mut(c as usize) {
            *x += 1.0;
        }
    }

    /// Scales counts down so their sum stays within the window, then renormalises.
    pub fn settle(&mut self) {
        let total: f64 = self.counts.iter().sum();
        if total > WINDOW {
            let s = WINDOW / total;
            for x in &mut self.counts {
                *x *= s;
            }
        }
        self.normalize();
    }

    fn normalize(&mut self) {
        let total: f64 = self.counts.iter().sum();
        for (n, c) in self.normalized.iter_mut().zip(&self.counts) {
            *n = c / total;
        }
    }
}

/// Frequency of complexity `c` (sizes above `maxsize` count as very rare).
pub(crate) fn freq_of(freq: &[f64], c: u32) -> f64 {
    freq.get(c as usize).copied().unwrap_or(1e-6).max(1e-12)
}
