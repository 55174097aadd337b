//! Search options: every knob of the search with PySR's names and PySR's defaults, so that a
//! user who knows PySR (or SymbolicRegression.jl) can read and set them without a table of
//! translations. [`SearchOptions::validate`] returns every problem at once rather than the first,
//! because a user fixing options one error per run wastes whole searches.

use crate::units::Units;
use sdl_formula::OperatorSet;
use sdl_kernel::{Loss, Method};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Relative weights of the mutations (PySR's `weight_*`). Only ratios matter.
#[derive(Clone, Debug, PartialEq)]
pub struct MutationWeights {
    pub add_node: f64,
    pub insert_node: f64,
    pub delete_node: f64,
    pub do_nothing: f64,
    pub mutate_constant: f64,
    pub mutate_operator: f64,
    pub mutate_feature: f64,
    pub swap_operands: f64,
    pub rotate_tree: f64,
    pub randomize: f64,
    pub simplify: f64,
    pub optimize: f64,
}

impl Default for MutationWeights {
    /// PySR's tuned defaults (`mutate_feature` is SymbolicRegression.jl's 0.1).
    fn default() -> Self {
        MutationWeights {
            add_node: 2.47,
            insert_node: 0.0112,
            delete_node: 0.870,
            do_nothing: 0.273,
            mutate_constant: 0.0346,
            mutate_operator: 0.293,
            mutate_feature: 0.1,
            swap_operands: 0.198,
            rotate_tree: 4.26,
            randomize: 0.000502,
            simplify: 0.00209,
            optimize: 0.0,
        }
    }
}

impl MutationWeights {
    /// The weights as `(name, value)` pairs, in the order of [`crate::mutate::Mutation::ALL`].
    pub fn as_pairs(&self) -> [(&'static str, f64); 12] {
        [
            ("add_node", self.add_node),
            ("insert_node", self.insert_node),
            ("delete_node", self.delete_node),
            ("do_nothing", self.do_nothing),
            ("mutate_constant", self.mutate_constant),
            ("mutate_operator", self.mutate_operator),
            ("mutate_feature", self.mutate_feature),
            ("swap_operands", self.swap_operands),
            ("rotate_tree", self.rotate_tree),
            ("randomize", self.randomize),
            ("simplify", self.simplify),
            ("optimize", self.optimize),
        ]
    }
}

/// All options of one search. `Default` gives PySR's defaults.
#[derive(Clone, Debug)]
pub struct SearchOptions {
    /// Grammar and limits (`binary_operators`, `unary_operators`, `maxsize`, `maxdepth`,
    /// `constraints`, `nested_constraints`, `complexity_of_*`).
    pub operators: OperatorSet,
    /// Number of islands (PySR `populations`, 31).
    pub populations: usize,
    /// Members per island (`population_size`, 27).
    pub population_size: usize,
    /// Iterations (`niterations`, 100). Each is `ncycles_per_iteration` rounds of evolution on
    /// every island followed by optimisation, hall-of-fame update and migration.
    pub niterations: usize,
    /// `ncycles_per_iteration` (380).
    pub ncycles_per_iteration: usize,
    /// `tournament_selection_n` (15).
    pub tournament_selection_n: usize,
    /// `tournament_selection_p` (0.982): probability that the best of the tournament wins.
    pub tournament_selection_p: f64,
    /// `parsimony` (0.0): cost added per unit of complexity.
    pub parsimony: f64,
    /// `adaptive_parsimony_scaling` (1040).
    pub adaptive_parsimony_scaling: f64,
    /// `use_frequency` (true): accept mutations towards rarer complexities more readily.
    pub use_frequency: bool,
    /// `use_frequency_in_tournament` (true): penalise common complexities in tournaments.
    pub use_frequency_in_tournament: bool,
    /// Mutation weights.
    pub weights: MutationWeights,
    /// `crossover_probability` (0.0259).
    pub crossover_probability: f64,
    /// `perturbation_factor` (0.129): scale of constant mutations.
    pub perturbation_factor: f64,
    /// `probability_negate_constant` (0.00743).
    pub probability_negate_constant: f64,
    /// `annealing` (false).
    pub annealing: bool,
    /// `alpha` (3.17): annealing temperature scale.
    pub alpha: f64,
    /// `should_optimize_constants` (true).
    pub should_optimize_constants: bool,
    /// `optimizer_probability` (0.14): fraction of members optimised per iteration.
    pub optimizer_probability: f64,
    /// `optimizer_iterations` (8).
    pub optimizer_iterations: usize,
    /// `optimizer_nrestarts` (2).
    pub optimizer_nrestarts: usize,
    /// `optimizer_algorithm` (BFGS).
    pub optimizer_algorithm: Method,
    /// `should_simplify` (true).
    pub should_simplify: bool,
    /// `migration` (true).
    pub migration: bool,
    /// `hof_migration` (true).
    pub hof_migration: bool,
    /// `fraction_replaced` (0.00036): share of each island replaced by other islands' best.
    pub fraction_replaced: f64,
    /// `fraction_replaced_hof` (0.0614): share replaced by hall-of-fame members.
    pub fraction_replaced_hof: f64,
    /// `topn` (12): how many of each island's best are offered for migration.
    pub topn: usize,
    /// `batching` (false): score mutations on random mini-batches.
    pub batching: bool,
    /// `batch_size` (50).
    pub batch_size: usize,
    /// `elementwise_loss` (L2).
    pub loss: Loss,
    /// Random seed; results are identical for a seed at any thread count.
    pub seed: u64,
    /// `timeout_in_seconds` (none). A timeout makes the result depend on machine speed and
    /// load, so seeded runs stopped by it are not reproducible.
    pub timeout: Option<Duration>,
    /// `max_evals` (none): stop after this many row-normalised evaluations (checked between
    /// iterations, so the last iteration may overshoot).
    pub max_evals: Option<u64>,
    /// `early_stop_condition` as a loss: stop once some hall-of-fame entry reaches it.
    pub loss_threshold: Option<f64>,
    /// Write the hall of fame to this CSV after every iteration.
    pub hof_csv: Option<PathBuf>,
    /// Seed the populations from a hall-of-fame CSV written by an earlier run.
    pub warm_start: Option<PathBuf>,
    /// Units as a hard constraint (none): with them, only laws whose dimension can equal the
    /// target's are kept (see [`crate::units`]).
    pub units: Option<Units>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            operators: OperatorSet::default(),
            populations: 31,
            population_size: 27,
            niterations: 100,
            ncycles_per_iteration: 380,
            tournament_selection_n: 15,
            tournament_selection_p: 0.982,
            parsimony: 0.0,
            adaptive_parsimony_scaling: 1040.0,
            use_frequency: true,
            use_frequency_in_tournament: true,
            weights: MutationWeights::default(),
            crossover_probability: 0.0259,
            perturbation_factor: 0.129,
            probability_negate_constant: 0.00743,
            annealing: false,
            alpha: 3.17,
            should_optimize_constants: true,
            optimizer_probability: 0.14,
            optimizer_iterations: 8,
            optimizer_nrestarts: 2,
            optimizer_algorithm: Method::Bfgs,
            should_simplify: true,
            migration: true,
            hof_migration: true,
            fraction_replaced: 0.00036,
            fraction_replaced_hof: 0.0614,
            topn: 12,
            batching: false,
            batch_size: 50,
            loss: Loss::L2,
            seed: 0,
            timeout: None,
            max_evals: None,
            loss_threshold: None,
            hof_csv: None,
            warm_start: None,
            units: None,
        }
    }
}

/// One invalid option: the PySR name of the field and what is wrong with it.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionError {
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl SearchOptions {
    /// Checks every option and returns all problems found (operator-set problems included).
    pub fn validate(&self) -> Result<(), Vec<OptionError>> {
        let mut errs = Vec::new();
        let mut err = |field: &'static str, message: String| errs.push(OptionError { field, message });
        if self.populations == 0 {
            err("populations", "must be at least 1".into());
        }
        if self.population_size < 2 {
            err("population_size", format!("must be at least 2, got {}", self.population_size));
        }
        if self.tournament_selection_n == 0 || self.tournament_selection_n > self.population_size {
            err(
                "tournament_selection_n",
                format!(
                    "must be in 1..={} (population_size), got {}",
                    self.population_size, self.tournament_selection_n
                ),
            );
        }
        let probs = [
            ("tournament_selection_p", self.tournament_selection_p),
            ("crossover_probability", self.crossover_probability),
            ("optimizer_probability", self.optimizer_probability),
            ("fraction_replaced", self.fraction_replaced),
            ("fraction_replaced_hof", self.fraction_replaced_hof),
            ("probability_negate_constant", self.probability_negate_constant),
        ];
        for (name, p) in probs {
            if !(0.0..=1.0).contains(&p) {
                err(name, format!("must be a probability in [0, 1], got {p}"));
            }
        }
        let nonneg = [
            ("parsimony", self.parsimony),
            ("adaptive_parsimony_scaling", self.adaptive_parsimony_scaling),
            ("perturbation_factor", self.perturbation_factor),
            ("alpha", self.alpha),
        ];
        for (name, v) in nonneg {
            if !(v.is_finite() && v >= 0.0) {
                err(name, format!("must be finite and non-negative, got {v}"));
            }
        }
        let pairs = self.weights.as_pairs();
        for (name, w) in pairs {
            if !(w.is_finite() && w >= 0.0) {
                err("weights", format!("weight_{name} must be finite and non-negative, got {w}"));
            }
        }
        if pairs.iter().all(|(_, w)| *w <= 0.0) {
            err("weights", "at least one mutation weight must be positive".into());
        }
        if self.batching && self.batch_size == 0 {
            err("batch_size", "must be at least 1 when batching".into());
        }
        if self.topn == 0 && self.migration {
            err("topn", "must be at least 1 when migration is on".into());
        }
        if let Some(t) = self.loss_threshold {
            if t.is_nan() {
                err("loss_threshold", "must not be NaN".into());
            }
        }
        if let Loss::Huber(d) = self.loss {
            if !(d.is_finite() && d > 0.0) {
                err("loss", format!("Huber delta must be positive, got {d}"));
            }
        }
        if let Err(set_errs) = self.operators.validate() {
            for e in set_errs {
                err("operators", e.to_string());
            }
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_pysr_like() {
        let o = SearchOptions::default();
        assert_eq!(o.validate(), Ok(()));
        assert_eq!((o.populations, o.population_size, o.ncycles_per_iteration), (31, 27, 380));
        assert_eq!(o.operators.maxsize, 30);
    }

    #[test]
    fn validate_reports_every_problem() {
        let o = SearchOptions {
            populations: 0,
            tournament_selection_p: 1.5,
            parsimony: -1.0,
            batching: true,
            batch_size: 0,
            ..SearchOptions::default()
        };
        let errs = o.validate().unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["populations", "tournament_selection_p", "parsimony", "batch_size"], "{errs:?}");
    }
}
