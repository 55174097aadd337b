//! Loss functions comparing predictions with targets.
//!
//! In: predictions, targets, optional per-row weights and a [`Loss`]. Out: the weighted mean
//! of the per-row loss. NaN or infinite predictions propagate into the result (a formula that
//! blows up on a row never looks good); mismatched lengths give NaN, never a panic.

use sdl_formula::{Formula, Node};

/// A per-row loss, averaged (weighted) over rows.
#[derive(Clone, Debug, PartialEq)]
pub enum Loss {
    /// `(pred - target)^2`.
    L2,
    /// `|pred - target|`.
    L1,
    /// Huber loss with threshold `delta`: quadratic inside, linear outside.
    Huber(f64),
    /// A formula over the variables `pred` and `target` (other names read as NaN).
    Custom(Formula),
}

impl Loss {
    /// The loss of one row.
    pub fn row(&self, pred: f64, target: f64) -> f64 {
        let r = pred - target;
        match self {
            Loss::L2 => r * r,
            Loss::L1 => r.abs(),
            Loss::Huber(delta) => huber(r, *delta),
            Loss::Custom(f) => {
                let row: Vec<f64> = f
                    .vars
                    .iter()
                    .map(|v| match v.as_str() {
                        "pred" => pred,
                        "target" => target,
                        _ => f64::NAN,
                    })
                    .collect();
                if !crate::reference::valid(f) {
                    f64::NAN
                } else if f.nodes.iter().any(|n| matches!(n, Node::Op(sdl_formula::Op::Custom(_)))) {
                    f.inline_custom().eval_row(&row)
                } else {
                    f.eval_row(&row)
                }
            }
        }
    }

    /// Derivative of the row loss with respect to `pred` (used by the optimisers).
    pub fn row_grad(&self, pred: f64, target: f64) -> f64 {
        let r = pred - target;
        match self {
            Loss::L2 => 2.0 * r,
            Loss::L1 => r.signum() * (r != 0.0) as u8 as f64,
            Loss::Huber(delta) => {
                if r.abs() <= *delta {
                    r
                } else {
                    delta * r.signum()
                }
            }
            Loss::Custom(_) => {
                // Central difference: custom losses are rare and small, exactness is not needed.
                let h = 1e-6 * (1.0 + pred.abs());
                (self.row(pred + h, target) - self.row(pred - h, target)) / (2.0 * h)
            }
        }
    }
}

fn huber(r: f64, delta: f64) -> f64 {
    let a = r.abs();
    if a <= delta {
        0.5 * r * r
    } else {
        delta * (a - 0.5 * delta)
    }
}

/// Weighted mean of the row losses. NaN/inf propagate; empty input or zero total weight gives
/// NaN; mismatched lengths give NaN.
pub fn loss_value(pred: &[f64], target: &[f64], weights: Option<&[f64]>, loss: &Loss) -> f64 {
    if pred.len() != target.len() || weights.is_some_and(|w| w.len() != pred.len()) || pred.is_empty() {
        return f64::NAN;
    }
    let (mut sum, mut wsum) = (0.0, 0.0);
    match (loss, weights) {
        (Loss::L2, None) => {
            // The hot case of the search: a plain loop the compiler vectorises.
            sum = pred.iter().zip(target).map(|(p, t)| (p - t) * (p - t)).sum();
            wsum = pred.len() as f64;
        }
        _ => {
            for i in 0..pred.len() {
                let w = weights.map_or(1.0, |w| w[i]);
                sum += w * loss.row(pred[i], target[i]);
                wsum += w;
            }
        }
    }
    if wsum == 0.0 {
        f64::NAN
    } else {
        sum / wsum
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sdl_formula::Op;

    #[test]
    fn standard_losses() {
        let p = [1.0, 2.0, 4.0];
        let t = [1.0, 1.0, 1.0];
        assert_eq!(loss_value(&p, &t, None, &Loss::L2), 10.0 / 3.0);
        assert_eq!(loss_value(&p, &t, None, &Loss::L1), 4.0 / 3.0);
        assert_eq!(loss_value(&p, &t, Some(&[0.0, 1.0, 1.0]), &Loss::L1), 2.0);
        assert_eq!(loss_value(&p, &t, None, &Loss::Huber(1.0)), (0.0 + 0.5 + 2.5) / 3.0);
        assert!(loss_value(&[f64::NAN], &[1.0], None, &Loss::L2).is_nan());
        assert!(loss_value(&[1.0], &[1.0, 2.0], None, &Loss::L2).is_nan());
    }

    #[test]
    fn custom_loss_formula() {
        let d = Formula::apply(Op::Sub, vec![Formula::var("pred"), Formula::var("target")]);
        let f = Formula::apply(Op::Abs, vec![d]);
        assert_eq!(loss_value(&[3.0, 0.0], &[1.0, 1.0], None, &Loss::Custom(f)), 1.5);
    }
}
