//! The driver: checks the problem, builds the islands, runs iterations in parallel over
//! islands (rayon), and at the synchronised point after each iteration merges statistics,
//! updates the hall of fame, migrates, reports progress, writes the checkpoint CSV and checks
//! the stopping rules.
//!
//! Reproducibility: island `i` draws from `Rng::new(seed).fork(i)` only, everything shared is
//! read-only during an iteration, and every reduction (hall of fame, frequencies, evaluation
//! counts, migration) runs in island order afterwards. A seed therefore gives the same hall of
//! fame at any thread count. Only `timeout` and the stop flag depend on wall-clock time.

use crate::evolve::{Frequencies, Island, Shared};
use crate::hall_of_fame::{self, HallOfFame, HofEntry};
use crate::member::{obeys, PopMember};
use crate::migration::{island_bests, migrate};
use crate::options::{OptionError, SearchOptions};
use crate::population::Population;
use crate::template::{Scorer, Template};
use crate::units::{annotate, fill_consistent, UnitGate};
use rayon::prelude::*;
use sdl_formula::rng::Rng;
use sdl_formula::Formula;
use sdl_kernel::Dataset;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What to search: data, target, optional weights and the form of the law.
#[derive(Clone, Debug)]
pub struct Problem {
    pub data: Dataset<f64>,
    pub target: Vec<f64>,
    pub weights: Option<Vec<f64>>,
    pub template: Template,
}

impl Problem {
    /// A plain search `target ~ f(all columns)`.
    pub fn plain(data: Dataset<f64>, target: Vec<f64>) -> Problem {
        let template = Template::plain(data.names());
        Problem { data, target, weights: None, template }
    }
}

/// Why a search could not start.
#[derive(Clone, Debug, PartialEq)]
pub enum SearchError {
    /// The data set has no rows.
    ZeroRows,
    /// The target is empty.
    MissingTarget,
    /// The target length differs from the number of rows.
    TargetLength { rows: usize, target: usize },
    /// The weights length differs from the number of rows.
    WeightsLength { rows: usize, weights: usize },
    /// A weight is negative, NaN or infinite (first offending rows, 0-based).
    BadWeights { rows: Vec<usize> },
    /// A column (or `target`) holds NaN or ±Inf (first offending rows, 0-based).
    NonFinite { column: String, rows: Vec<usize> },
    /// A template function names an argument that is not a column.
    UnknownArgument { function: String, variable: String },
    /// The outer template formula uses a name that is neither a column nor a function.
    UnknownOuterVariable { variable: String },
    /// A template function has the same name as a column, or two functions share a name.
    NameClash { name: String },
    /// The template has no functions.
    NoFunctions,
    /// The options are invalid (every problem listed).
    InvalidOptions(Vec<OptionError>),
    /// The operator set cannot express any candidate for this template.
    CannotExpress { reason: String },
    /// With units: no law of the operator set over the features can have the target's
    /// dimension (decided before the search starts).
    UnitsUnreachable { reason: String },
    /// The warm-start file could not be used.
    WarmStart { path: PathBuf, message: String },
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = |r: &[usize]| r.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ");
        match self {
            SearchError::ZeroRows => write!(f, "the data set has no rows"),
            SearchError::MissingTarget => write!(f, "no target values were given"),
            SearchError::TargetLength { rows, target } => {
                write!(f, "the target has {target} values but the data set has {rows} rows")
            }
            SearchError::WeightsLength { rows, weights } => {
                write!(f, "the weights have {weights} values but the data set has {rows} rows")
            }
            SearchError::BadWeights { rows: r } => {
                write!(f, "weights must be finite and non-negative; bad in rows {}", rows(r))
            }
            SearchError::NonFinite { column, rows: r } => {
                write!(f, "column `{column}` holds NaN or infinite values in rows {}", rows(r))
            }
            SearchError::UnknownArgument { function, variable } => {
                write!(f, "template function `{function}` takes `{variable}`, which is not a column of the data")
            }
            SearchError::UnknownOuterVariable { variable } => {
                write!(f, "the template uses `{variable}`, which is neither a column nor a template function")
            }
            SearchError::NameClash { name } => {
                write!(f, "the template function name `{name}` is also a column or another function")
            }
            SearchError::NoFunctions => write!(f, "the template has no functions to search for"),
            SearchError::InvalidOptions(errs) => {
                write!(f, "invalid search options: ")?;
                for (i, e) in errs.iter().enumerate() {
                    if i > 0 {
                        write!(f, "; ")?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
            SearchError::CannotExpress { reason } => write!(f, "the operator set cannot express any law: {reason}"),
            SearchError::UnitsUnreachable { reason } => write!(f, "the target's units are out of reach: {reason}"),
            SearchError::WarmStart { path, message } => {
                write!(f, "cannot warm-start from {}: {message}", path.display())
            }
        }
    }
}

impl std::error::Error for SearchError {}

/// Progress after one iteration.
#[derive(Clone, Debug)]
pub struct Progress {
    /// Iterations completed (1-based).
    pub iteration: usize,
    pub niterations: usize,
    /// Row-normalised evaluations so far.
    pub evals: u64,
    pub evals_per_second: f64,
    pub elapsed: Duration,
    /// The current Pareto front (by increasing complexity).
    pub pareto: Vec<HofEntry>,
}

/// Why the search ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    Iterations,
    Timeout,
    MaxEvals,
    LossThreshold,
    Interrupted,
}

/// Relative loss below which a formula counts as an exact fit for model selection.
pub const EXACT: f64 = 1e-20;

/// The outcome of a search.
#[derive(Clone, Debug)]
pub struct SearchResult {
    /// Best entry per complexity, by increasing complexity.
    pub hall_of_fame: Vec<HofEntry>,
    pub template: Template,
    pub iterations: usize,
    pub evals: u64,
    pub elapsed: Duration,
    /// True when the search ended before `niterations` (stop flag, timeout, max_evals or
    /// loss_threshold); the hall of fame is the best found so far.
    pub stopped_early: bool,
    pub stop_reason: StopReason,
    /// Problems that did not stop the search (a checkpoint that could not be written).
    pub warnings: Vec<String>,
    /// Loss of predicting the mean target (floored at 0.01, as PySR does): the scale that says
    /// which losses are numerically zero.
    pub baseline_loss: f64,
    /// With units: candidates checked for dimensional consistency (0 without units).
    pub units_checked: u64,
    /// With units: candidates rejected as inconsistent, never evaluated (0 without units).
    pub units_rejected: u64,
}

impl SearchResult {
    /// Entries that strictly improve the loss as complexity grows.
    pub fn pareto(&self) -> Vec<&HofEntry> {
        hall_of_fame::pareto(&self.hall_of_fame)
    }

    /// PySR's selection: highest score among entries with loss ≤ 1.5 × the lowest loss. Losses
    /// below `EXACT * baseline_loss` (a relative RMS error of about 1e-10) count as exact, so
    /// among exact fits the one with the largest score wins, not the one whose rounding error
    /// happens to be smallest.
    pub fn best(&self) -> Option<&HofEntry> {
        hall_of_fame::best_with_floor(&self.hall_of_fame, EXACT * self.baseline_loss)
    }

    /// The entry with the lowest loss.
    pub fn accuracy(&self) -> Option<&HofEntry> {
        hall_of_fame::accuracy(&self.hall_of_fame)
    }

    /// Pareto entries by decreasing score.
    pub fn by_score(&self) -> Vec<&HofEntry> {
        hall_of_fame::by_score(&self.hall_of_fame)
    }

    /// The hall of fame as CSV (the checkpoint format).
    pub fn to_csv(&self) -> String {
        hall_of_fame::to_csv(&self.hall_of_fame, &self.template)
    }
}

/// First (up to five) rows where `pred` holds.
fn first_rows(v: &[f64], bad: impl Fn(f64) -> bool) -> Vec<usize> {
    v.iter().enumerate().filter(|(_, x)| bad(**x)).map(|(i, _)| i).take(5).collect()
}

/// Checks the problem and options; returns every template function's argument list.
pub(crate) fn check_problem(p: &Problem, o: &SearchOptions) -> Result<Vec<Vec<String>>, SearchError> {
    o.validate().map_err(SearchError::InvalidOptions)?;
    let rows = p.data.n_rows();
    if rows == 0 {
        return Err(SearchError::ZeroRows);
    }
    if p.target.is_empty() {
        return Err(SearchError::MissingTarget);
    }
    if p.target.len() != rows {
        return Err(SearchError::TargetLength { rows, target: p.target.len() });
    }
    if let Some(w) = &p.weights {
        if w.len() != rows {
            return Err(SearchError::WeightsLength { rows, weights: w.len() });
        }
        let bad = first_rows(w, |x| !(x.is_finite() && x >= 0.0));
        if !bad.is_empty() {
            return Err(SearchError::BadWeights { rows: bad });
        }
    }
    let names = p.data.names();
    let t = &p.template;
    if t.functions.is_empty() {
        return Err(SearchError::NoFunctions);
    }
    for (i, f) in t.functions.iter().enumerate() {
        if names.contains(&f.name) || t.functions[..i].iter().any(|g| g.name == f.name) {
            return Err(SearchError::NameClash { name: f.name.clone() });
        }
        for a in &f.args {
            if !names.contains(a) {
                return Err(SearchError::UnknownArgument { function: f.name.clone(), variable: a.clone() });
            }
        }
    }
    for v in &t.outer.vars {
        if !names.contains(v) && !t.functions.iter().any(|f| &f.name == v) {
            return Err(SearchError::UnknownOuterVariable { variable: v.clone() });
        }
    }
    // Only columns the search can read need to be finite.
    let used: Vec<&String> =
        names.iter().filter(|n| t.functions.iter().any(|f| f.args.contains(n)) || t.outer.vars.contains(n)).collect();
    for (i, n) in names.iter().enumerate() {
        if !used.contains(&n) {
            continue;
        }
        let bad = first_rows(p.data.column(i), |x| !x.is_finite());
        if !bad.is_empty() {
            return Err(SearchError::NonFinite { column: n.clone(), rows: bad });
        }
    }
    let bad = first_rows(&p.target, |x| !x.is_finite());
    if !bad.is_empty() {
        return Err(SearchError::NonFinite { column: "target".into(), rows: bad });
    }
    let set = &o.operators;
    let leaf = set.var_complexity.min(set.const_complexity);
    if leaf as usize * t.functions.len() > set.maxsize as usize {
        return Err(SearchError::CannotExpress {
            reason: format!(
                "maxsize {} is below {} functions times the cheapest leaf ({leaf})",
                set.maxsize,
                t.functions.len()
            ),
        });
    }
    if let Some(u) = &o.units {
        if u.features.len() != names.len() {
            let message = format!("{} feature dimensions for {} columns", u.features.len(), names.len());
            return Err(SearchError::InvalidOptions(vec![OptionError { field: "units", message }]));
        }
        if t.is_plain() {
            if let Some(reason) = u.unreachable(set, &t.functions[0].args, names) {
                return Err(SearchError::UnitsUnreachable { reason });
            }
        }
    }
    if set.all_ops().next().is_none() && t.functions.iter().all(|f| f.args.is_empty()) {
        return Err(SearchError::CannotExpress { reason: "no operators and no variables".into() });
    }
    Ok(t.functions.iter().map(|f| f.args.clone()).collect())
}

/// Reads a warm-start CSV into expression lists that obey the grammar.
fn load_warm_start(path: &std::path::Path, t: &Template, o: &SearchOptions) -> Result<Vec<Vec<Formula>>, SearchError> {
    let err = |message: String| SearchError::WarmStart { path: path.to_path_buf(), message };
    let rows = hall_of_fame::read_csv(path).map_err(err)?;
    let mut out = Vec::new();
    for (n, row) in rows.iter().enumerate() {
        let srcs: Vec<&str> = if t.is_plain() {
            vec![row.equation.as_str()]
        } else {
            let mut v = Vec::new();
            for f in &t.functions {
                match row.functions.iter().find(|(name, _)| name == &f.name) {
                    Some((_, s)) => v.push(s.as_str()),
                    None => return Err(err(format!("no column for template function `{}`", f.name))),
                }
            }
            v
        };
        let mut exprs = Vec::new();
        for (src, f) in srcs.iter().zip(&t.functions) {
            let e = sdl_formula::parse(src).map_err(|e| err(format!("row {}: `{src}`: {e}", n + 1)))?;
            if let Some(v) = e.vars.iter().find(|v| !f.args.contains(v)) {
                return Err(err(format!("row {}: `{src}` uses `{v}`, not an argument of `{}`", n + 1, f.name)));
            }
            let mut e = e.with_vars(&f.args);
            crate::member::tidy_consts(&mut e);
            exprs.push(e);
        }
        if obeys(&exprs, &o.operators) {
            out.push(exprs);
        }
    }
    Ok(out)
}

/// Runs a search. `progress` is called after every iteration; setting `stop` ends the search
/// soon after with the best found so far (`stopped_early`).
pub fn search(
    problem: &Problem,
    options: &SearchOptions,
    progress: &(dyn Fn(&Progress) + Sync),
    stop: &AtomicBool,
) -> Result<SearchResult, SearchError> {
    let start = Instant::now();
    let args = check_problem(problem, options)?;
    let o = options;
    let names = problem.data.names().to_vec();
    let mut scorer = Scorer::new(&problem.template, &names, o.loss.clone(), o.parsimony);
    let weights = problem.weights.as_deref();
    scorer.set_baseline(&problem.target, weights);
    let gate = o.units.as_ref().map(|u| UnitGate::new(u, &problem.template, &names));
    let mut warm = match &o.warm_start {
        Some(path) => load_warm_start(path, &problem.template, o)?,
        None => Vec::new(),
    };
    if let Some(g) = &gate {
        let mut checker = sdl_units::DimChecker::new();
        warm.retain(|exprs| g.consistent(exprs, &mut checker));
    }
    let deadline = o.timeout.map(|t| start + t);
    let maxsize = o.operators.maxsize;
    let root = Rng::new(o.seed);
    let mut islands: Vec<Island> = (0..o.populations)
        .map(|i| {
            let mut rng = root.fork(i as u64);
            let mut pop = Population::random(o.population_size, &args, &o.operators, &mut rng);
            // Warm start: each island gets the saved laws, rotated so islands start apart.
            for j in 0..warm.len().min(o.population_size) {
                let src = &warm[(j + i) % warm.len()];
                pop.members[j] = PopMember::new(src.clone(), &o.operators, pop.members[j].birth);
            }
            let mut isl = Island::new(pop, rng, maxsize);
            if let Some(g) = &gate {
                fill_consistent(&mut isl, g, &args, o);
            }
            isl
        })
        .collect();
    let mut freq = Frequencies::new(maxsize);
    let mut hof = HallOfFame::new(maxsize);
    let mut evals = 0.0f64;
    let mut warnings = Vec::new();
    let mut iteration = 0;
    let mut reason = StopReason::Iterations;
    {
        let sh = Shared {
            scorer: &scorer,
            opts: o,
            data: &problem.data,
            target: &problem.target,
            weights,
            args: &args,
            stop,
            deadline,
            freq: &freq.normalized,
            units: gate.as_ref(),
        };
        islands.par_iter_mut().for_each(|isl| isl.score_all(&sh));
    }
    for isl in &islands {
        evals += isl.evals;
        for m in isl.seen.members() {
            hof.offer(m);
        }
    }
    while iteration < o.niterations {
        if stop.load(Ordering::Relaxed) {
            reason = StopReason::Interrupted;
            break;
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            reason = StopReason::Timeout;
            break;
        }
        {
            let sh = Shared {
                scorer: &scorer,
                opts: o,
                data: &problem.data,
                target: &problem.target,
                weights,
                args: &args,
                stop,
                deadline,
                freq: &freq.normalized,
                units: gate.as_ref(),
            };
            islands.par_iter_mut().for_each(|isl| isl.iterate(&sh));
        }
        iteration += 1;
        // Synchronised point: reductions in island order.
        for isl in &islands {
            evals += isl.evals;
            for m in isl.seen.members() {
                hof.offer(m);
            }
            for m in &isl.pop.members {
                freq.add(m.complexity);
            }
        }
        freq.settle();
        let interrupted = islands.iter().any(|i| i.interrupted);
        if !interrupted {
            if o.migration {
                let bests = island_bests(&islands, o.topn);
                migrate(&mut islands, &bests, o.fraction_replaced);
            }
            if o.hof_migration {
                let front: Vec<PopMember> = hof
                    .pareto()
                    .into_iter()
                    .cloned()
                    .map(|mut m| {
                        m.cost = scorer.cost(m.loss, m.complexity);
                        m
                    })
                    .collect();
                migrate(&mut islands, &front, o.fraction_replaced_hof);
            }
        }
        let mut entries = hof.entries(&problem.template, &names);
        annotate(&mut entries, gate.as_ref());
        if let Some(path) = &o.hof_csv {
            if let Err(e) = hall_of_fame::write_csv(path, &entries, &problem.template) {
                warnings.push(format!("could not write {}: {e}", path.display()));
            }
        }
        let elapsed = start.elapsed();
        progress(&Progress {
            iteration,
            niterations: o.niterations,
            evals: evals as u64,
            evals_per_second: evals / elapsed.as_secs_f64().max(1e-9),
            elapsed,
            pareto: hall_of_fame::pareto(&entries).into_iter().cloned().collect(),
        });
        if interrupted {
            reason = if stop.load(Ordering::Relaxed) { StopReason::Interrupted } else { StopReason::Timeout };
            break;
        }
        if o.loss_threshold.is_some_and(|t| hof.best_loss() <= t) {
            reason = StopReason::LossThreshold;
            break;
        }
        if o.max_evals.is_some_and(|m| evals >= m as f64) {
            reason = StopReason::MaxEvals;
            break;
        }
    }
    let mut hall_of_fame = hof.entries(&problem.template, &names);
    annotate(&mut hall_of_fame, gate.as_ref());
    Ok(SearchResult {
        hall_of_fame,
        template: problem.template.clone(),
        iterations: iteration,
        evals: evals as u64,
        elapsed: start.elapsed(),
        stopped_early: reason != StopReason::Iterations,
        stop_reason: reason,
        warnings,
        baseline_loss: scorer.baseline,
        units_checked: islands.iter().map(|i| i.admission.checked).sum(),
        units_rejected: islands.iter().map(|i| i.admission.rejected).sum(),
    })
}
