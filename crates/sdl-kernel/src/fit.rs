//! Constant fitting: Levenberg–Marquardt and BFGS with restarts.
//!
//! In: a formula whose constants are the free parameters (their current values are the
//! starting point), data, a target, optional weights and [`FitOptions`]. Out: a [`FitResult`]
//! with the best constants found, their loss, standard errors from the Jacobian at the optimum
//! (`sqrt(diag((J^T W J)^-1) * s^2)`, `s^2 = weighted residual SS / (n - p)`), the iteration
//! count and whether a convergence test (not the iteration cap) stopped it. LM handles L2;
//! other losses go through BFGS. Restarts perturb the start with `sdl_formula::rng::Rng`
//! seeded by `FitOptions::seed`, so results are reproducible. Never panics on user data: bad
//! input gives a result with NaN loss and `converged == false`.

use crate::grad::{grad_consts, Jacobian};
use crate::{loss_value, Dataset, Loss};
use sdl_formula::rng::Rng;
use sdl_formula::Formula;

/// Optimisation method.
#[derive(Clone, Debug)]
pub enum Method {
    LevenbergMarquardt,
    Bfgs,
}

/// Options of [`fit_constants`].
#[derive(Clone, Debug)]
pub struct FitOptions {
    pub method: Method,
    pub loss: Loss,
    /// Iterations per start.
    pub max_iter: usize,
    /// Extra starts from perturbed initial constants (0: only the given start).
    pub restarts: usize,
    pub seed: u64,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions { method: Method::LevenbergMarquardt, loss: Loss::L2, max_iter: 100, restarts: 0, seed: 0 }
    }
}

/// The outcome of a fit.
#[derive(Clone, Debug)]
pub struct FitResult {
    pub consts: Vec<f64>,
    pub loss: f64,
    pub std_errors: Vec<f64>,
    pub iterations: usize,
    pub converged: bool,
}

struct Problem<'a> {
    f: &'a Formula,
    data: &'a Dataset<f64>,
    target: &'a [f64],
    weights: Option<&'a [f64]>,
    loss: &'a Loss,
}

impl Problem<'_> {
    fn jacobian(&self, c: &[f64]) -> Option<Jacobian> {
        grad_consts(self.f, c, self.data).ok()
    }

    fn loss(&self, c: &[f64]) -> f64 {
        let mut pred = vec![0.0; self.data.n_rows()];
        crate::eval_into(self.f, c, self.data, &mut pred);
        let l = loss_value(&pred, self.target, self.weights, self.loss);
        if l.is_finite() {
            l
        } else {
            f64::INFINITY
        }
    }

    fn w(&self, i: usize) -> f64 {
        self.weights.map_or(1.0, |w| w[i])
    }
}

/// Fits the constants of `f` to `target`. See the module documentation.
pub fn fit_constants(
    f: &Formula,
    data: &Dataset<f64>,
    target: &[f64],
    weights: Option<&[f64]>,
    opts: &FitOptions,
) -> FitResult {
    let p = f.consts.len();
    let bad = FitResult {
        consts: f.consts.clone(),
        loss: f64::NAN,
        std_errors: vec![f64::NAN; p],
        iterations: 0,
        converged: false,
    };
    if target.len() != data.n_rows() || weights.is_some_and(|w| w.len() != target.len()) || data.n_rows() == 0 {
        return bad;
    }
    let prob = Problem { f, data, target, weights, loss: &opts.loss };
    if crate::Program::compile(f, data.names()).is_err() {
        return bad;
    }
    let rng = Rng::new(opts.seed);
    let mut best: Option<(Vec<f64>, f64, usize, bool)> = None;
    let mut total_iter = 0;
    for start in 0..=opts.restarts {
        let mut c0 = f.consts.clone();
        if start > 0 {
            let mut r = rng.fork(start as u64);
            for v in c0.iter_mut() {
                *v = *v * (1.0 + 0.5 * r.normal()) + 0.5 * r.normal();
            }
        }
        let use_lm = matches!(opts.method, Method::LevenbergMarquardt) && opts.loss == Loss::L2;
        let (c, l, it, conv) = if p == 0 {
            (c0.clone(), prob.loss(&c0), 0, true)
        } else if use_lm {
            levenberg_marquardt(&prob, c0, opts.max_iter)
        } else {
            bfgs(&prob, c0, opts.max_iter)
        };
        total_iter += it;
        if best.as_ref().is_none_or(|b| l < b.1) {
            best = Some((c, l, it, conv));
        }
    }
    let Some((consts, loss, _, converged)) = best else { return bad };
    let std_errors = std_errors(&prob, &consts);
    let loss = if loss.is_finite() { loss } else { f64::NAN };
    FitResult { consts, loss, std_errors, iterations: total_iter, converged }
}

/// LM on weighted residuals `sqrt(w) (f - y)`; returns (constants, loss, iterations, converged).
fn levenberg_marquardt(prob: &Problem, mut c: Vec<f64>, max_iter: usize) -> (Vec<f64>, f64, usize, bool) {
    let p = c.len();
    let mut loss = prob.loss(&c);
    let mut lambda = 1e-3;
    for it in 0..max_iter {
        let Some(j) = prob.jacobian(&c) else { return (c, loss, it, false) };
        let (mut a, mut g) = (vec![0.0; p * p], vec![0.0; p]);
        for i in 0..j.values.len() {
            let w = prob.w(i);
            let r = j.values[i] - prob.target[i];
            let row = &j.jac[i * p..(i + 1) * p];
            if !r.is_finite() || row.iter().any(|v| !v.is_finite()) {
                continue;
            }
            for s in 0..p {
                g[s] += w * row[s] * r;
                for t in 0..=s {
                    a[s * p + t] += w * row[s] * row[t];
                }
            }
        }
        for s in 0..p {
            for t in 0..s {
                a[t * p + s] = a[s * p + t];
            }
        }
        let mut improved = false;
        for _ in 0..30 {
            let mut m = a.clone();
            for s in 0..p {
                m[s * p + s] += lambda * (a[s * p + s].max(1e-12));
            }
            let neg_g: Vec<f64> = g.iter().map(|v| -v).collect();
            let Some(step) = solve_spd(&m, &neg_g, p) else {
                lambda *= 10.0;
                continue;
            };
            let trial: Vec<f64> = c.iter().zip(&step).map(|(x, d)| x + d).collect();
            let tl = prob.loss(&trial);
            if tl < loss {
                let rel = (loss - tl) / loss.max(1e-300);
                let small_step = step.iter().zip(&c).all(|(d, x)| d.abs() <= 1e-10 * (x.abs() + 1e-10));
                c = trial;
                loss = tl;
                lambda = (lambda / 3.0).max(1e-12);
                improved = true;
                if rel < 1e-12 || small_step {
                    return (c, loss, it + 1, true);
                }
                break;
            }
            lambda *= 4.0;
            if lambda > 1e12 {
                break;
            }
        }
        if !improved {
            // No step reduces the loss: a (local) minimum to working precision.
            return (c, loss, it + 1, loss.is_finite());
        }
    }
    (c, loss, max_iter, false)
}

/// BFGS with a backtracking (Armijo) line search on the mean loss.
fn bfgs(prob: &Problem, mut c: Vec<f64>, max_iter: usize) -> (Vec<f64>, f64, usize, bool) {
    let p = c.len();
    let grad = |c: &[f64]| -> Option<(f64, Vec<f64>)> {
        let j = prob.jacobian(c)?;
        let mut g = vec![0.0; p];
        let mut wsum = 0.0;
        for i in 0..j.values.len() {
            let w = prob.w(i);
            wsum += w;
            let d = prob.loss.row_grad(j.values[i], prob.target[i]);
            for (gs, js) in g.iter_mut().zip(&j.jac[i * p..(i + 1) * p]) {
                *gs += w * d * js;
            }
        }
        let l = loss_value(&j.values, prob.target, prob.weights, prob.loss);
        let g: Vec<f64> = g.iter().map(|v| v / wsum).collect();
        (l.is_finite() && g.iter().all(|v| v.is_finite())).then_some((l, g))
    };
    let Some((mut loss, mut g)) = grad(&c) else { return (c, f64::INFINITY, 0, false) };
    let mut h: Vec<f64> = (0..p * p).map(|k| if k % (p + 1) == 0 { 1.0 } else { 0.0 }).collect();
    for it in 0..max_iter {
        let d: Vec<f64> = (0..p).map(|s| -(0..p).map(|t| h[s * p + t] * g[t]).sum::<f64>()).collect();
        let slope: f64 = d.iter().zip(&g).map(|(a, b)| a * b).sum();
        let (d, slope) = if slope < 0.0 {
            (d, slope)
        } else {
            // Not a descent direction: reset to steepest descent.
            h = (0..p * p).map(|k| if k % (p + 1) == 0 { 1.0 } else { 0.0 }).collect();
            let s = -g.iter().map(|v| v * v).sum::<f64>();
            (g.iter().map(|v| -v).collect(), s)
        };
        let mut t = 1.0;
        let mut next = None;
        for _ in 0..50 {
            let trial: Vec<f64> = c.iter().zip(&d).map(|(x, s)| x + t * s).collect();
            if let Some((tl, tg)) = grad(&trial) {
                if tl <= loss + 1e-4 * t * slope {
                    next = Some((trial, tl, tg));
                    break;
                }
            }
            t *= 0.5;
        }
        let Some((nc, nl, ng)) = next else { return (c, loss, it + 1, true) };
        let s: Vec<f64> = nc.iter().zip(&c).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = ng.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
        let rel = (loss - nl).abs() / loss.abs().max(1e-300);
        c = nc;
        loss = nl;
        g = ng;
        if rel < 1e-14 || g.iter().all(|v| v.abs() < 1e-14) {
            return (c, loss, it + 1, true);
        }
        if sy > 1e-300 {
            // H <- (I - rho s y^T) H (I - rho y s^T) + rho s s^T
            let rho = 1.0 / sy;
            let hy: Vec<f64> = (0..p).map(|a| (0..p).map(|b| h[a * p + b] * y[b]).sum()).collect();
            let yhy: f64 = y.iter().zip(&hy).map(|(a, b)| a * b).sum();
            for a in 0..p {
                for b in 0..p {
                    h[a * p + b] += -rho * (hy[a] * s[b] + s[a] * hy[b]) + (rho * rho * yhy + rho) * s[a] * s[b];
                }
            }
        }
    }
    (c, loss, max_iter, false)
}

/// Standard errors `sqrt(diag((J^T W J)^-1) s^2)`; NaN when `n <= p` or `J^T W J` is singular.
fn std_errors(prob: &Problem, c: &[f64]) -> Vec<f64> {
    let p = c.len();
    let nan = vec![f64::NAN; p];
    let Some(j) = prob.jacobian(c) else { return nan };
    let n = j.values.len();
    if n <= p {
        return nan;
    }
    let mut a = vec![0.0; p * p];
    let mut ss = 0.0;
    for i in 0..n {
        let w = prob.w(i);
        let r = j.values[i] - prob.target[i];
        ss += w * r * r;
        for s in 0..p {
            for t in 0..p {
                a[s * p + t] += w * j.jac[i * p + s] * j.jac[i * p + t];
            }
        }
    }
    let s2 = ss / (n - p) as f64;
    (0..p)
        .map(|k| {
            let e: Vec<f64> = (0..p).map(|t| if t == k { 1.0 } else { 0.0 }).collect();
            solve_spd(&a, &e, p).map_or(f64::NAN, |x| (x[k] * s2).sqrt())
        })
        .collect()
}

/// Solves `m x = b` for symmetric positive definite `m` (p × p, row-major) by Cholesky.
fn solve_spd(m: &[f64], b: &[f64], p: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; p * p];
    for i in 0..p {
        for k in 0..=i {
            let s: f64 = m[i * p + k] - (0..k).map(|t| l[i * p + t] * l[k * p + t]).sum::<f64>();
            if i == k {
                if s.is_nan() || s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * p + i] = s.sqrt();
            } else {
                l[i * p + k] = s / l[k * p + k];
            }
        }
    }
    let mut y = vec![0.0; p];
    for i in 0..p {
        y[i] = (b[i] - (0..i).map(|t| l[i * p + t] * y[t]).sum::<f64>()) / l[i * p + i];
    }
    let mut x = vec![0.0; p];
    for i in (0..p).rev() {
        x[i] = (y[i] - (i + 1..p).map(|t| l[t * p + i] * x[t]).sum::<f64>()) / l[i * p + i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sdl_formula::Op;

    fn decay(a: f64, b: f64, c: f64) -> Formula {
        let bx = Formula::apply(Op::Mul, vec![Formula::named_constant("b", b), Formula::var("x")]);
        let e = Formula::apply(Op::Exp, vec![Formula::apply(Op::Neg, vec![bx])]);
        let ae = Formula::apply(Op::Mul, vec![Formula::named_constant("a", a), e]);
        Formula::apply(Op::Add, vec![ae, Formula::named_constant("c", c)])
    }

    fn noisy(f: &Formula, d: &Dataset<f64>, sigma: f64, seed: u64) -> Vec<f64> {
        let mut r = Rng::new(seed);
        crate::eval(f, d).0.iter().map(|v| v + sigma * r.normal()).collect()
    }

    #[test]
    fn recovers_exponential_decay_with_lm_and_bfgs() {
        let xs: Vec<f64> = (0..200).map(|i| i as f64 * 0.05).collect();
        let d = Dataset::new(vec!["x".into()], vec![xs]).unwrap();
        let y = noisy(&decay(2.5, 1.3, 0.4), &d, 1e-3, 1);
        let start = decay(1.0, 0.5, 0.0);
        for method in [Method::LevenbergMarquardt, Method::Bfgs] {
            let opts = FitOptions { method: method.clone(), max_iter: 500, ..Default::default() };
            let r = fit_constants(&start, &d, &y, None, &opts);
            for (got, want) in r.consts.iter().zip([2.5, 1.3, 0.4]) {
                assert!((got - want).abs() < 1e-2, "{method:?}: {:?}", r.consts);
            }
            assert!(r.loss < 2e-6, "{method:?} loss {}", r.loss);
            assert!(r.std_errors.iter().all(|s| s.is_finite() && *s > 0.0 && *s < 1e-2), "{:?}", r.std_errors);
        }
    }

    #[test]
    fn recovers_inverse_square_law_with_weights_and_restarts() {
        // F = k m1 m2 / r^2 with k = 6.7
        let mut rng = Rng::new(5);
        let n = 150;
        let cols: Vec<Vec<f64>> = (0..3).map(|_| (0..n).map(|_| rng.range(0.5, 3.0)).collect()).collect();
        let d = Dataset::new(vec!["m1".into(), "m2".into(), "r".into()], cols).unwrap();
        let m = Formula::apply(Op::Mul, vec![Formula::var("m1"), Formula::var("m2")]);
        let km = Formula::apply(Op::Mul, vec![Formula::named_constant("k", 1.0), m]);
        let r2 = Formula::apply(Op::Pow, vec![Formula::var("r"), Formula::named_constant("e", -1.0)]);
        let f = Formula::apply(Op::Mul, vec![km, r2]);
        let y: Vec<f64> = (0..n).map(|i| 6.7 * d.column(0)[i] * d.column(1)[i] / d.column(2)[i].powi(2)).collect();
        let w = vec![2.0; n];
        let opts = FitOptions { restarts: 3, seed: 9, ..Default::default() };
        let r = fit_constants(&f, &d, &y, Some(&w), &opts);
        assert!((r.consts[0] - 6.7).abs() < 1e-6 && (r.consts[1] + 2.0).abs() < 1e-6, "{:?}", r.consts);
        assert!(r.converged);
        let again = fit_constants(&f, &d, &y, Some(&w), &opts);
        assert_eq!(again.consts, r.consts, "seeded restarts are reproducible");
    }

    #[test]
    fn robust_losses_and_bad_input() {
        let xs: Vec<f64> = (0..100).map(|i| i as f64 * 0.1).collect();
        let d = Dataset::new(vec!["x".into()], vec![xs.clone()]).unwrap();
        let f = Formula::apply(Op::Mul, vec![Formula::named_constant("a", 1.0), Formula::var("x")]);
        let mut y: Vec<f64> = xs.iter().map(|x| 3.0 * x).collect();
        y[10] = 1e3; // an outlier L1 / Huber should ignore
        for loss in [Loss::L1, Loss::Huber(0.1)] {
            let r = fit_constants(&f, &d, &y, None, &FitOptions { loss, max_iter: 200, ..Default::default() });
            assert!((r.consts[0] - 3.0).abs() < 1e-3, "{:?}", r.consts);
        }
        let r = fit_constants(&f, &d, &y[..3], None, &FitOptions::default());
        assert!(r.loss.is_nan() && !r.converged);
    }
}
