//! Regularised evolution on one island (PySR's `s_r_cycle` and `reg_evol_cycle`): repeated
//! tournaments pick a parent, a mutation (or crossover) makes a child, and the child replaces
//! the oldest member. Selection pressure towards simple laws comes from adaptive parsimony:
//! each complexity's running frequency in the populations inflates the cost of common sizes in
//! tournaments and makes moves towards common sizes less likely to be accepted. Annealing, when
//! on, also accepts worse children with probability `exp(-delta / (T * alpha))`, the temperature
//! falling from 1 to 0 over an iteration.
//!
//! An island owns its generator, population and scratch buffers, and reads everything else
//! through [`Shared`], so islands can run on any threads in any order with identical results.

use crate::crossover::crossover;
use crate::frequencies::freq_of;
pub use crate::frequencies::Frequencies;
use crate::hall_of_fame::HallOfFame;
use crate::member::{obeys, PopMember};
use crate::mutate::{condition_weights, mutate, MutateCtx, Mutation};
use crate::options::SearchOptions;
use crate::population::Population;
use crate::template::{Scorer, Scratch};
use crate::units::{Admission, UnitGate};
use sdl_formula::rng::Rng;
use sdl_formula::Formula;
use sdl_kernel::{fit_constants, Dataset, FitOptions};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// How many times a mutation is retried when it breaks the grammar (or, with units, the
/// target's dimension) before the parent is kept.
pub const MAX_MUTATION_ATTEMPTS: usize = 10;

/// Everything islands read but do not own.
pub(crate) struct Shared<'a> {
    pub scorer: &'a Scorer,
    pub opts: &'a SearchOptions,
    pub data: &'a Dataset<f64>,
    pub target: &'a [f64],
    pub weights: Option<&'a [f64]>,
    pub args: &'a [Vec<String>],
    pub stop: &'a AtomicBool,
    pub deadline: Option<Instant>,
    /// Normalised complexity frequencies at the start of the iteration (adaptive parsimony).
    pub freq: &'a [f64],
    /// Units as a hard constraint (`None`: no units, nothing is checked).
    pub units: Option<&'a UnitGate>,
}

impl Shared<'_> {
    fn should_stop(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

/// One island.
#[derive(Clone, Debug)]
pub(crate) struct Island {
    pub pop: Population,
    pub rng: Rng,
    pub scratch: Scratch,
    /// Best member per complexity seen during the current iteration, scored on all rows.
    pub seen: HallOfFame,
    /// Row-normalised evaluations done during the current iteration.
    pub evals: f64,
    /// True when the iteration was cut short by the stop flag or the deadline.
    pub interrupted: bool,
    /// The island's dimension checker and its counts (cumulative over the search).
    pub admission: Admission,
    idx: Vec<usize>,
    ranked: Vec<(f64, usize)>,
    batch_rows: Vec<usize>,
    batch_target: Vec<f64>,
    batch_weights: Vec<f64>,
}

impl Island {
    pub fn new(pop: Population, rng: Rng, maxsize: u32) -> Island {
        Island {
            pop,
            rng,
            scratch: Scratch::default(),
            seen: HallOfFame::new(maxsize),
            evals: 0.0,
            interrupted: false,
            admission: Admission::default(),
            idx: Vec::new(),
            ranked: Vec::new(),
            batch_rows: Vec::new(),
            batch_target: Vec::new(),
            batch_weights: Vec::new(),
        }
    }

    /// Scores every member on all rows and records them in `seen`. With units, a member that
    /// is not consistent (an initial placeholder) is left unscored with an infinite cost.
    pub fn score_all(&mut self, sh: &Shared) {
        for m in self.pop.members.iter_mut() {
            if sh.units.is_some() && !self.admission.admit(sh.units, &m.exprs) {
                continue;
            }
            sh.scorer.score(m, sh.data, sh.target, sh.weights, &mut self.scratch);
            self.evals += 1.0;
            self.seen.offer(m);
        }
    }

    /// One iteration: `ncycles_per_iteration` cycles of regularised evolution, then
    /// simplification and constant optimisation, then (when batching) rescoring on all rows.
    pub fn iterate(&mut self, sh: &Shared) {
        let o = sh.opts;
        self.evals = 0.0;
        self.interrupted = false;
        self.seen = HallOfFame::new(o.operators.maxsize);
        let n_rows = sh.data.n_rows();
        let batching = o.batching && o.batch_size < n_rows;
        let per_cycle = o.population_size.div_ceil(o.tournament_selection_n.max(1));
        for cycle in 0..o.ncycles_per_iteration {
            if sh.should_stop() {
                self.interrupted = true;
                break;
            }
            let temperature = if o.annealing && o.ncycles_per_iteration > 1 {
                1.0 - cycle as f64 / (o.ncycles_per_iteration - 1) as f64
            } else {
                1.0
            };
            let mut bt = std::mem::take(&mut self.batch_target);
            let mut bw = std::mem::take(&mut self.batch_weights);
            let batch = if batching { Some(self.make_batch(sh, o.batch_size, &mut bt, &mut bw)) } else { None };
            let (data, target, weights, frac) = match &batch {
                Some(b) => (b, &bt[..], sh.weights.map(|_| &bw[..]), o.batch_size as f64 / n_rows as f64),
                None => (sh.data, sh.target, sh.weights, 1.0),
            };
            let view = View { data, target, weights, frac };
            for _ in 0..per_cycle {
                if self.rng.chance(o.crossover_probability) {
                    let a = self.tournament(sh);
                    let b = self.tournament(sh);
                    let (ea, eb) = (self.pop.members[a].exprs.clone(), self.pop.members[b].exprs.clone());
                    if let Some((xa, xb)) = crossover(&ea, &eb, &o.operators, &mut self.rng) {
                        for exprs in [xa, xb] {
                            if !self.admission.admit(sh.units, &exprs) {
                                continue;
                            }
                            let birth = self.pop.birth();
                            let mut child = PopMember::new(exprs, &o.operators, birth);
                            self.score_on(&mut child, sh, &view);
                            debug_assert!(obeys(&child.exprs, &o.operators));
                            let old = self.pop.oldest();
                            self.pop.members[old] = child;
                        }
                    }
                } else {
                    let a = self.tournament(sh);
                    if let Some(child) = self.next_generation(a, temperature, sh, &view) {
                        // Every child is checked in debug builds (all tests), not just survivors.
                        debug_assert!(obeys(&child.exprs, &o.operators));
                        let old = self.pop.oldest();
                        self.pop.members[old] = child;
                    }
                }
            }
            self.batch_target = bt;
            self.batch_weights = bw;
            if !batching {
                for m in &self.pop.members {
                    self.seen.offer(m);
                }
            }
        }
        // Also rescores on all rows when batching, since the hall of fame wants all rows. An
        // interrupted island skips the (slow) optimisation so that stopping is prompt.
        self.optimize_and_simplify(sh, batching, !self.interrupted);
    }

    /// Draws a batch of rows (with replacement, as PySR), filling `target` and `weights`.
    fn make_batch(&mut self, sh: &Shared, size: usize, target: &mut Vec<f64>, weights: &mut Vec<f64>) -> Dataset<f64> {
        let n = sh.data.n_rows();
        self.batch_rows.clear();
        for _ in 0..size {
            self.batch_rows.push(self.rng.below(n));
        }
        target.clear();
        target.extend(self.batch_rows.iter().map(|&r| sh.target[r]));
        if let Some(w) = sh.weights {
            weights.clear();
            weights.extend(self.batch_rows.iter().map(|&r| w[r]));
        }
        sh.data.select_rows(&self.batch_rows)
    }

    fn score_on(&mut self, m: &mut PopMember, sh: &Shared, v: &View) {
        sh.scorer.score(m, v.data, v.target, v.weights, &mut self.scratch);
        self.evals += v.frac;
    }

    /// Tournament selection (PySR's `best_of_sample`): sample `n` distinct members, rank them
    /// by cost inflated by `exp(adaptive_parsimony_scaling * frequency)`, and take the k-th
    /// best with probability `p (1 - p)^k`.
    fn tournament(&mut self, sh: &Shared) -> usize {
        let o = sh.opts;
        let size = self.pop.members.len();
        let n = o.tournament_selection_n.min(size).max(1);
        self.idx.clear();
        self.idx.extend(0..size);
        for i in 0..n {
            let j = i + self.rng.below(size - i);
            self.idx.swap(i, j);
        }
        // Adjusted costs are computed once per sampled member, then the sample is ranked.
        self.ranked.clear();
        for &i in &self.idx[..n] {
            let m = &self.pop.members[i];
            let c = if m.cost.is_nan() { f64::INFINITY } else { m.cost };
            let adj = if o.use_frequency_in_tournament {
                c * (o.adaptive_parsimony_scaling * freq_of(sh.freq, m.complexity)).exp()
            } else {
                c
            };
            self.ranked.push((adj, i));
        }
        self.ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let p = o.tournament_selection_p;
        let mut k = 0;
        if p < 1.0 {
            // Geometric choice of rank, truncated to the sample.
            while k + 1 < n && !self.rng.chance(p) {
                k += 1;
            }
        }
        self.ranked[k].1
    }

    /// Makes a child of member `a` (PySR's `next_generation`). `None` when the mutation failed
    /// to produce a grammatical tree or the child was rejected.
    fn next_generation(&mut self, a: usize, temperature: f64, sh: &Shared, v: &View) -> Option<PopMember> {
        let o = sh.opts;
        let opset = &o.operators;
        let parent = &self.pop.members[a];
        let (parent_cost, parent_c) = (parent.cost, parent.complexity);
        let k = self.rng.below(parent.exprs.len());
        let base: [f64; 12] = o.weights.as_pairs().map(|(_, w)| w);
        let w = condition_weights(&base, &parent.exprs[k], parent.complexity, opset);
        let kind = Mutation::ALL[self.rng.weighted(&w)];
        let mut exprs = parent.exprs.clone();
        match kind {
            Mutation::DoNothing => {
                // An unscored parent may be an inconsistent initial placeholder.
                if !parent_cost.is_finite() && !self.admission.admit(sh.units, &exprs) {
                    return None;
                }
            }
            Mutation::Optimize => {
                let mut child = parent.clone();
                child.birth = self.pop.birth();
                self.optimize(&mut child, sh, v);
                return Some(child);
            }
            Mutation::Simplify => {
                let s = simplify_expr(&exprs[k], &sh.args[k]);
                exprs[k] = s;
                if !obeys(&exprs, opset) || !self.admission.admit(sh.units, &exprs) {
                    return None;
                }
            }
            _ => {
                let ctx = MutateCtx {
                    opset,
                    perturbation_factor: o.perturbation_factor,
                    probability_negate_constant: o.probability_negate_constant,
                    temperature,
                };
                let mut ok = false;
                for _ in 0..MAX_MUTATION_ATTEMPTS {
                    if let Some(g) = mutate(kind, &parent.exprs[k], &ctx, &mut self.rng) {
                        exprs[k] = g;
                        if obeys(&exprs, opset) && self.admission.admit(sh.units, &exprs) {
                            ok = true;
                            break;
                        }
                    }
                }
                if !ok {
                    return None;
                }
            }
        }
        let birth = self.pop.birth();
        let mut child = PopMember::new(exprs, opset, birth);
        self.score_on(&mut child, sh, v);
        let mut prob = 1.0;
        if o.annealing {
            let delta = child.cost - parent_cost;
            prob *= if temperature > 0.0 {
                (-delta / (temperature * o.alpha)).exp()
            } else if delta > 0.0 {
                0.0
            } else {
                1.0
            };
        }
        if o.use_frequency {
            prob *= freq_of(sh.freq, parent_c) / freq_of(sh.freq, child.complexity);
        }
        // Non-finite probabilities (inf - inf) count as "accept": the child is at worst as bad.
        if prob < 1.0 && !self.rng.chance(prob) {
            return None;
        }
        Some(child)
    }

    /// Constant optimisation of one member with the kernel's `fit_constants`; the fitted
    /// constants are kept only if the member's own loss improves.
    fn optimize(&mut self, m: &mut PopMember, sh: &Shared, v: &View) {
        if m.n_consts() == 0 {
            return;
        }
        // An unscored member may be an inconsistent initial placeholder: never fit it.
        if !m.loss.is_finite() && !self.admission.admit(sh.units, &m.exprs) {
            return;
        }
        let o = sh.opts;
        let fo = FitOptions {
            method: o.optimizer_algorithm.clone(),
            loss: o.loss.clone(),
            max_iter: o.optimizer_iterations,
            restarts: o.optimizer_nrestarts,
            seed: self.rng.next_u64(),
        };
        let mut cand = m.exprs.clone();
        let iters = if sh.scorer.template.is_plain() {
            let r = fit_constants(&cand[0], v.data, v.target, v.weights, &fo);
            if r.consts.len() != cand[0].consts.len() {
                return;
            }
            cand[0].consts = r.consts;
            r.iterations
        } else {
            let (f, keys) = sh.scorer.compose_for_fit(&cand);
            let r = fit_constants(&f, v.data, v.target, v.weights, &fo);
            for (j, key) in keys.iter().enumerate() {
                if let (Some((k, i)), Some(c)) = (key, r.consts.get(j)) {
                    cand[*k].consts[*i] = *c;
                }
            }
            r.iterations
        };
        // Each optimiser iteration costs about one evaluation plus its gradient.
        self.evals += v.frac * (iters as f64 + 1.0);
        // New constant values can break a dimension (`x^c` needs a rational `c`).
        if !self.admission.admit(sh.units, &cand) {
            return;
        }
        let loss = sh.scorer.loss_of(&cand, v.data, v.target, v.weights, &mut self.scratch);
        if loss < m.loss || !m.loss.is_finite() && loss.is_finite() {
            m.exprs = cand;
            m.loss = loss;
            m.cost = sh.scorer.cost(loss, m.complexity);
        }
    }

    /// PySR's `optimize_and_simplify_population`: simplify every member, optimise the
    /// constants of a random `optimizer_probability` share, on all rows.
    fn optimize_and_simplify(&mut self, sh: &Shared, batching: bool, improve: bool) {
        let o = sh.opts;
        let full = View { data: sh.data, target: sh.target, weights: sh.weights, frac: 1.0 };
        for i in 0..self.pop.members.len() {
            let mut m = self.pop.members[i].clone();
            let mut changed = false;
            if improve && o.should_simplify {
                let s: Vec<Formula> = m.exprs.iter().zip(sh.args).map(|(e, a)| simplify_expr(e, a)).collect();
                if s != m.exprs && obeys(&s, &o.operators) && self.admission.admit(sh.units, &s) {
                    m.exprs = s;
                    m.refresh_complexity(&o.operators);
                    changed = true;
                }
            }
            // A member scored before (finite loss) was admitted; an unscored one is checked
            // (an initial placeholder with units must never be evaluated).
            let admitted = changed || m.loss.is_finite() || self.admission.admit(sh.units, &m.exprs);
            if (changed || batching) && admitted {
                self.score_on(&mut m, sh, &full);
            }
            if improve && o.should_optimize_constants && self.rng.chance(o.optimizer_probability) {
                self.optimize(&mut m, sh, &full);
            }
            self.seen.offer(&m);
            self.pop.members[i] = m;
        }
    }
}

/// Rows, target and weights a member is scored on (all rows or a batch), and the share of all
/// rows they make up (for counting evaluations).
pub(crate) struct View<'a> {
    data: &'a Dataset<f64>,
    target: &'a [f64],
    weights: Option<&'a [f64]>,
    frac: f64,
}

/// Simplifies one function expression, keeping its argument list as the variable list. Falls
/// back to the input if simplification produced something not over those arguments.
pub(crate) fn simplify_expr(e: &Formula, args: &[String]) -> Formula {
    let s = sdl_formula::simplify(e);
    if s.nodes.is_empty() || s.vars.iter().any(|v| !args.contains(v)) {
        return e.clone();
    }
    let mut s = s.with_vars(args);
    crate::member::tidy_consts(&mut s);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Template;
    use sdl_formula::{Op, OperatorSet};

    #[test]
    fn thousands_of_evolved_members_obey_tight_constraints() {
        let set = OperatorSet {
            binary: vec![Op::Add, Op::Mul, Op::Pow, Op::Cond],
            unary: vec![Op::Exp, Op::Sin, Op::Neg],
            maxsize: 8,
            maxdepth: Some(3),
            constraints: vec![(Op::Pow, vec![Some(1), Some(1)]), (Op::Cond, vec![Some(3), None])],
            nested_constraints: vec![(Op::Exp, Op::Exp, 0), (Op::Sin, Op::Exp, 0), (Op::Neg, Op::Neg, 0)],
            ..OperatorSet::default()
        };
        let opts = SearchOptions {
            operators: set.clone(),
            ncycles_per_iteration: 3,
            population_size: 20,
            tournament_selection_n: 5,
            crossover_probability: 0.2,
            ..SearchOptions::default()
        };
        let names = vec!["x".to_string(), "y".to_string()];
        let xs: Vec<f64> = (0..30).map(|i| i as f64 / 10.0).collect();
        let ys: Vec<f64> = xs.iter().map(|x| 1.0 - x).collect();
        let data = Dataset::new(names.clone(), vec![xs.clone(), ys]).unwrap();
        let target: Vec<f64> = xs.iter().map(|x| x.sin() * 2.0).collect();
        let template = Template::plain(&names);
        let scorer = Scorer::new(&template, &names, opts.loss.clone(), 0.0);
        let args = vec![names.clone()];
        let stop = AtomicBool::new(false);
        let freq = Frequencies::new(set.maxsize);
        let sh = Shared {
            scorer: &scorer,
            opts: &opts,
            data: &data,
            target: &target,
            weights: None,
            args: &args,
            stop: &stop,
            deadline: None,
            freq: &freq.normalized,
            units: None,
        };
        let mut rng = Rng::new(1);
        let pop = Population::random(opts.population_size, &args, &set, &mut rng);
        let mut isl = Island::new(pop, rng, set.maxsize);
        isl.score_all(&sh);
        let mut checked = 0;
        let mut last_birth = isl.pop.next_birth;
        for _ in 0..150 {
            isl.iterate(&sh);
            for m in &isl.pop.members {
                for e in &m.exprs {
                    assert_eq!(set.check(e), Ok(()), "{e:?}");
                }
                checked += 1;
            }
            for m in isl.seen.members() {
                assert!(set.check(&m.exprs[0]).is_ok());
            }
            assert!(isl.pop.next_birth > last_birth, "no children were made");
            last_birth = isl.pop.next_birth;
        }
        assert!(checked >= 3000);
    }
}
