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
//!
//! Values and derivatives come from [`grad_consts`] or, when the cost model
//! ([`crate::cost::fit_uses_jit`]) says it pays, from the compiled functions of
//! [`crate::jit_fit`] (one pass over the rows accumulating BFGS's loss and gradient or LM's
//! normal equations). The two paths give bit-identical results, so the choice (and the JIT
//! cache's state) never changes a fit; `SDL_KERNEL_FIT_JIT=on|off` overrides the choice.

use crate::grad::{grad_consts, Jacobian};
use crate::jit_fit::{FitKernel, Variant};
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

/// Which path computes a fit's values and derivatives.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FitEngine {
    /// The cost model decides ([`crate::cost::fit_uses_jit`]).
    Auto,
    /// `grad_consts` and Rust loops.
    Fused,
    /// The compiled functions of [`crate::jit_fit`] (falls back to `Fused` where they cannot
    /// be built, e.g. losses other than L2 for the optimiser's own evaluations).
    Jit,
}

impl FitEngine {
    /// `SDL_KERNEL_FIT_JIT=on` / `off` (read once), else `Auto`.
    pub fn from_env() -> FitEngine {
        static ENGINE: std::sync::OnceLock<FitEngine> = std::sync::OnceLock::new();
        *ENGINE.get_or_init(|| match std::env::var("SDL_KERNEL_FIT_JIT").as_deref() {
            Ok("on") => FitEngine::Jit,
            Ok("off") => FitEngine::Fused,
            _ => FitEngine::Auto,
        })
    }
}

/// The compiled functions a fit uses (each `None`: that evaluation goes through `grad_consts`).
#[derive(Default)]
struct Compiled {
    /// BFGS's loss and gradient (L2 only).
    loss_grad: Option<FitKernel>,
    /// LM's normal equations.
    normal: Option<FitKernel>,
    /// Values and Jacobian rows (standard errors).
    rows: Option<FitKernel>,
    /// The weights, or ones (the same bits as no weights).
    weights: Vec<f64>,
}

struct Problem<'a> {
    f: &'a Formula,
    data: &'a Dataset<f64>,
    target: &'a [f64],
    weights: Option<&'a [f64]>,
    loss: &'a Loss,
    jit: Compiled,
}

impl Problem<'_> {
    fn jacobian(&self, c: &[f64]) -> Option<Jacobian> {
        match &self.jit.rows {
            Some(k) => k.rows(c, self.data),
            None => grad_consts(self.f, c, self.data).ok(),
        }
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
    fit_constants_with(f, data, target, weights, opts, FitEngine::from_env())
}

/// [`fit_constants`] with the evaluation path chosen by the caller (the result is the same
/// whichever path runs; only the time differs).
pub fn fit_constants_with(
    f: &Formula,
    data: &Dataset<f64>,
    target: &[f64],
    weights: Option<&[f64]>,
    opts: &FitOptions,
    engine: FitEngine,
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
    let Ok(prog) = crate::Program::compile(f, data.names()) else { return bad };
    let use_lm = matches!(opts.method, Method::LevenbergMarquardt) && opts.loss == Loss::L2;
    let jit = if p == 0 { Compiled::default() } else { compiled(f, data, weights, opts, &prog, use_lm, engine) };
    let prob = Problem { f, data, target, weights, loss: &opts.loss, jit };
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

/// The compiled functions `engine` and the cost model choose for this fit.
fn compiled(
    f: &Formula,
    data: &Dataset<f64>,
    weights: Option<&[f64]>,
    opts: &FitOptions,
    prog: &crate::Program,
    use_lm: bool,
    engine: FitEngine,
) -> Compiled {
    let (rows, p, names) = (data.n_rows(), f.consts.len(), data.names());
    let pick = |variant: Variant, evals: usize| -> Option<FitKernel> {
        let yes = match engine {
            FitEngine::Fused => false,
            FitEngine::Jit => true,
            FitEngine::Auto => {
                crate::cost::fit_uses_jit(prog.n_nodes, rows, evals, FitKernel::is_cached(f, names, p, variant))
            }
        };
        if yes {
            FitKernel::new(f, names, p, variant)
        } else {
            None
        }
    };
    // Expected evaluations of the main variant (measured, see cost.rs): one or more (line
    // search) per iteration per start for BFGS; LM converges in at most ~10 per start. The
    // standard errors take one more.
    let starts = opts.restarts.saturating_add(1);
    let evals = starts.saturating_mul(opts.max_iter.max(1));
    let (loss_grad, normal, rows_k) = if use_lm {
        (None, pick(Variant::Normal, starts.saturating_mul(opts.max_iter.clamp(1, 10))), pick(Variant::Rows, 1))
    } else if opts.loss == Loss::L2 {
        (pick(Variant::LossGrad, evals), None, pick(Variant::Rows, 1))
    } else {
        // Other losses: BFGS reads the Jacobian rows at every evaluation.
        (None, None, pick(Variant::Rows, evals + 1))
    };
    let weights = match (&loss_grad, &normal) {
        (None, None) => Vec::new(),
        _ => weights.map_or_else(|| vec![1.0; rows], <[f64]>::to_vec),
    };
    Compiled { loss_grad, normal, rows: rows_k, weights }
}

/// LM's `J^T W J` (full, symmetric) and `J^T W r` over the rows whose residual and Jacobian
/// row are finite.
fn normal_equations(prob: &Problem, c: &[f64]) -> Option<(Vec<f64>, Vec<f64>)> {
    let p = c.len();
    if let Some(k) = &prob.jit.normal {
        let mut ne = k.normal(c, prob.data, prob.target, &prob.jit.weights)?;
        for s in 0..p {
            for t in 0..s {
                ne.a[t * p + s] = ne.a[s * p + t];
            }
        }
        return Some((ne.a, ne.g));
    }
    let j = prob.jacobian(c)?;
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
    Some((a, g))
}

/// LM on weighted residuals `sqrt(w) (f - y)`; returns (constants, loss, iterations, converged).
fn levenberg_marquardt(prob: &Problem, mut c: Vec<f64>, max_iter: usize) -> (Vec<f64>, f64, usize, bool) {
    let p = c.len();
    let mut loss = prob.loss(&c);
    let mut lambda = 1e-3;
    for it in 0..max_iter {
        let Some((a, g)) = normal_equations(prob, &c) else { return (c, loss, it, false) };
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
                // Relative to the constants themselves, so that tiny constants (1e-34) still
                // converge to full precision.
                let small_step = step.iter().zip(&c).all(|(d, x)| d.abs() <= 1e-10 * x.abs().max(1e-300));
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
        if let Some(k) = &prob.jit.loss_grad {
            // The same sums as below and loss_value, in the same order (jit_fit.rs).
            let lg = k.loss_grad(c, prob.data, prob.target, &prob.jit.weights)?;
            let l = lg.sum / lg.wsum;
            let g: Vec<f64> = lg.grad.iter().map(|v| v / lg.wsum).collect();
            return (l.is_finite() && g.iter().all(|v| v.is_finite())).then_some((l, g));
        }
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
    // The first step moves the constants by about their own size (at least 1), whatever the
    // loss's scale: a target of 1e-34 (Planck's constant times a frequency) has gradients far
    // too large for a unit step, and halving alone cannot bridge 30 orders of magnitude.
    let gmax = g.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let cmax = c.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    let h0 = if gmax > 0.0 && gmax.is_finite() { cmax / gmax } else { 1.0 };
    let identity =
        |scale: f64| -> Vec<f64> { (0..p * p).map(|k| if k % (p + 1) == 0 { scale } else { 0.0 }).collect() };
    let mut h = identity(h0);
    let mut first_update = true;
    for it in 0..max_iter {
        let d: Vec<f64> = (0..p).map(|s| -(0..p).map(|t| h[s * p + t] * g[t]).sum::<f64>()).collect();
        let slope: f64 = d.iter().zip(&g).map(|(a, b)| a * b).sum();
        let (d, slope) = if slope < 0.0 {
            (d, slope)
        } else {
            // Not a descent direction: reset to (scaled) steepest descent.
            h = identity(h0);
            first_update = true;
            let s = -h0 * g.iter().map(|v| v * v).sum::<f64>();
            (g.iter().map(|v| -h0 * v).collect(), s)
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
            if first_update {
                // Before the first update, H is the identity scaled by s.y / y.y (Nocedal and
                // Wright, eq. 6.20), so the curvature's scale comes from the data.
                let yy: f64 = y.iter().map(|v| v * v).sum();
                if yy > 0.0 && (sy / yy).is_finite() {
                    h = identity(sy / yy);
                }
                first_update = false;
            }
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

    fn same_result(a: &FitResult, b: &FitResult) -> bool {
        let bits = |v: &[f64]| v.iter().map(|x| if x.is_nan() { u64::MAX } else { x.to_bits() }).collect::<Vec<_>>();
        bits(&a.consts) == bits(&b.consts)
            && bits(&[a.loss]) == bits(&[b.loss])
            && bits(&a.std_errors) == bits(&b.std_errors)
            && (a.iterations, a.converged) == (b.iterations, b.converged)
    }

    #[test]
    fn compiled_and_fused_paths_give_identical_fits() {
        let mut rng = Rng::new(21);
        let n = 240;
        let names: Vec<String> = (0..3).map(|i| format!("x{i}")).collect();
        let cols: Vec<Vec<f64>> = (0..3).map(|_| (0..n).map(|_| rng.range(0.2, 2.5)).collect()).collect();
        let d = Dataset::new(names, cols).unwrap();
        let w: Vec<f64> = (0..n).map(|_| rng.range(0.5, 2.0)).collect();
        let mut fitted = 0;
        for src in [
            "1.0*exp(-0.5*x0) + 0.1",
            "2.0*x0*x1/(x2^1.5)",
            "sin(1.1*x0 + 0.2)*x1 + cos(0.7*x2)",
            "log(x0*0.8 + 0.1) - 0.3*x1^2.0",
            "sqrt(x0 - 0.9)*1.5 + tanh(x1*0.5)",
            "x0/(x1 - 1.0)*0.5 + 1.0",
        ] {
            let start = sdl_formula::parse(src).unwrap();
            let truth = sdl_formula::parse(&src.replace("1.0", "1.3").replace("0.5", "0.6")).unwrap();
            let y = noisy(&truth, &d, 1e-3, 2);
            for (method, loss) in
                [(Method::LevenbergMarquardt, Loss::L2), (Method::Bfgs, Loss::L2), (Method::Bfgs, Loss::Huber(0.5))]
            {
                for weights in [None, Some(w.as_slice())] {
                    let opts =
                        FitOptions { method: method.clone(), loss: loss.clone(), max_iter: 30, restarts: 2, seed: 3 };
                    let a = fit_constants_with(&start, &d, &y, weights, &opts, FitEngine::Fused);
                    let b = fit_constants_with(&start, &d, &y, weights, &opts, FitEngine::Jit);
                    assert!(same_result(&a, &b), "{src} {method:?} {loss:?}: {a:?} vs {b:?}");
                    fitted += a.loss.is_finite() as usize;
                }
            }
        }
        assert!(fitted >= 30, "{fitted}");
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
