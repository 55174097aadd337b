//! Units as a hard constraint: with a dimension per feature and for the target, the search keeps
//! only candidates whose dimension can equal the target's.
//!
//! In: [`Units`] (set on [`crate::SearchOptions::units`]): a [`Dim`] per dataset column (`None`:
//! unknown, free, never a reason to reject), the target's dimension and how many constants may
//! carry a dimension. Out: a yes/no per candidate ([`Admission::admit`], through a reused
//! `sdl_units::DimChecker` per island), counts of checked and rejected candidates, and the
//! dimension each constant of a reported law must carry ([`const_dims`]); before the search
//! starts, whether the target's dimension is reachable at all ([`Units::unreachable`]).
//! Always true: a rejected candidate is never evaluated, never enters a population and never
//! reaches the hall of fame (PySR instead adds a penalty to the loss, so violating laws stay in
//! its populations); without units nothing here runs and the search draws exactly the same random
//! numbers as before. For a template the expressions are composed through the outer formula and
//! the whole is checked, so each unknown function's dimension is whatever makes the law
//! consistent; constants of the outer formula count as free too (lenient, never over-rejecting).
//! Cost: a plain search's check allocates nothing once the checker's buffers have grown; a
//! template's check allocates the composed formula.

use crate::evolve::Island;
use crate::hall_of_fame::HofEntry;
use crate::member::PopMember;
use crate::options::SearchOptions;
use crate::template::Template;
use sdl_formula::{Formula, Op, OperatorSet};
use sdl_units::{infer, ConstMode, Dim, DimChecker};

/// Default for [`Units::max_dimensioned_constants`]: 2. One dimensioned constant covers a
/// single-coupling law (`G m1 m2 / r^2`, `k x`, `h f`); a second covers a law with a dimensioned
/// offset or two couplings (`v0 + a t`, `a x + b x^2`). More lets almost any formula through
/// (each constant absorbs a mismatch: `c1 x + c2 y` for any `x`, `y`), so the constraint would
/// prune little.
pub const DEFAULT_MAX_DIMENSIONED_CONSTANTS: usize = 2;

/// How many random initial candidates an island draws for one member before it keeps an
/// inconsistent one as a never-scored placeholder (only possible when no lone constant fits,
/// i.e. `max_dimensioned_constants == 0` and a dimensioned target).
pub const INIT_ATTEMPTS: usize = 200;

/// Units of a search problem.
#[derive(Clone, Debug, PartialEq)]
pub struct Units {
    /// Per dataset column, in the order of `Problem::data`'s names: its dimension, or `None`
    /// when unknown (such a variable is free: it may take any dimension).
    pub features: Vec<Option<Dim>>,
    /// The target's dimension.
    pub target: Dim,
    /// How many constants of one law may carry a dimension (the rest are pure numbers).
    pub max_dimensioned_constants: usize,
}

impl Units {
    /// Units with the default [`DEFAULT_MAX_DIMENSIONED_CONSTANTS`].
    pub fn new(features: Vec<Option<Dim>>, target: Dim) -> Units {
        Units { features, target, max_dimensioned_constants: DEFAULT_MAX_DIMENSIONED_CONSTANTS }
    }

    /// Why no law of `ops` over the variables `args` (dataset columns, `names` order) can have
    /// the target's dimension, or `None` when one can. Decided before the search starts, and
    /// lenient: it only says "unreachable" when it is sure. A dimensioned constant, a variable
    /// without units, a dimensionless target or a user operator make any target reachable;
    /// with `*`, `/`, `^` or a power operator the laws reach the products of rational powers of
    /// the variables' units (a superset of what they reach); without them, only a variable's
    /// own unit.
    pub fn unreachable(&self, ops: &OperatorSet, args: &[String], names: &[String]) -> Option<String> {
        if self.max_dimensioned_constants > 0 || self.target.is_dimensionless() {
            return None;
        }
        let mut dims = Vec::new();
        for a in args {
            match names.iter().position(|n| n == a).and_then(|i| self.features.get(i).copied().flatten()) {
                Some(d) => dims.push(d),
                None => return None,
            }
        }
        let powers = [Op::Mul, Op::Div, Op::Pow, Op::Square, Op::Cube, Op::Sqrt, Op::Cbrt, Op::Inv];
        if ops.all_ops().any(|o| matches!(o, Op::Custom(_))) {
            return None;
        }
        let units: Vec<String> = args.iter().zip(&dims).map(|(a, d)| format!("{a} [{d}]")).collect();
        let reachable = if ops.all_ops().any(|o| powers.contains(&o)) {
            self.target.in_span_of(&dims)
        } else {
            dims.contains(&self.target)
        };
        (!reachable).then(|| {
            format!(
                "no formula over {} can have the target's units [{}] with these operators and no dimensioned constant",
                units.join(", "),
                self.target
            )
        })
    }
}

/// Units resolved against a template: read-only, shared by the islands.
#[derive(Clone, Debug)]
pub(crate) struct UnitGate {
    /// Per template function: the dimensions of its arguments.
    per_fn: Vec<Vec<Option<Dim>>>,
    plain: bool,
    template: Template,
    names: Vec<String>,
    units: Units,
}

impl UnitGate {
    /// Resolves `units` (already checked to have one entry per column) against `template`.
    pub fn new(units: &Units, template: &Template, names: &[String]) -> UnitGate {
        let dim_of = |a: &String| names.iter().position(|n| n == a).and_then(|i| units.features[i]);
        let per_fn = template.functions.iter().map(|f| f.args.iter().map(dim_of).collect()).collect();
        UnitGate {
            per_fn,
            plain: template.is_plain(),
            template: template.clone(),
            names: names.to_vec(),
            units: units.clone(),
        }
    }

    /// True when the candidate (one expression per template function) can have the target's
    /// dimension with at most `max_dimensioned_constants` dimensioned constants.
    pub fn consistent(&self, exprs: &[Formula], checker: &mut DimChecker) -> bool {
        let u = &self.units;
        if self.plain {
            return checker.consistent(&exprs[0], &self.per_fn[0], u.target, u.max_dimensioned_constants);
        }
        let f = self.template.compose(exprs).with_vars_superset(&self.names);
        checker.consistent(&f, &u.features, u.target, u.max_dimensioned_constants)
    }

    /// The dimension each constant of `formula` (a composed law over the dataset's columns)
    /// must carry for the law to have the target's dimension; `None` where it is left free.
    pub fn const_dims(&self, formula: &Formula) -> Vec<Option<Dim>> {
        const_dims(formula, &self.names, &self.units)
    }
}

/// The dimension each constant of `formula` must carry (from `sdl_units::infer` with
/// `ConstMode::Free` and the target); where that leaves several constants free, the dimension
/// goes to as few of them as can carry it (the first that work), the rest being numbers;
/// `None` only where no such choice within the budget exists. `names` are the
/// dataset's columns, in the order of `units.features`.
pub fn const_dims(formula: &Formula, names: &[String], units: &Units) -> Vec<Option<Dim>> {
    let dims: Vec<Option<Dim>> = formula
        .vars
        .iter()
        .map(|v| names.iter().position(|n| n == v).and_then(|i| units.features.get(i).copied().flatten()))
        .collect();
    let Ok(found) = infer(formula, &dims, ConstMode::Free, Some(units.target)) else {
        return vec![None; formula.consts.len()];
    };
    if found.consts.iter().all(Option::is_some) {
        return found.consts;
    }
    // Several constants could share a dimension (`m1 * (355.2 / r * (m2 / r)) / 53.2`): give it
    // to as few as possible, the first that work, and keep the others pure numbers, so that the
    // law is reported with one `G`, not with none.
    let fixed: Vec<usize> =
        (0..found.consts.len()).filter(|&i| found.consts[i].is_some_and(|d| !d.is_dimensionless())).collect();
    let open: Vec<usize> = (0..found.consts.len()).filter(|&i| found.consts[i].is_none()).collect();
    let budget = units.max_dimensioned_constants.saturating_sub(fixed.len()).min(2);
    let try_free = |extra: &[usize]| -> Option<Vec<Option<Dim>>> {
        let mut g = formula.clone();
        for (i, name) in g.const_names.iter_mut().enumerate() {
            *name = (fixed.contains(&i) || extra.contains(&i)).then(|| format!("c{i}"));
        }
        let r = infer(&g, &dims, ConstMode::NamedFree, Some(units.target)).ok()?;
        r.consts.iter().all(Option::is_some).then_some(r.consts)
    };
    let singles = open.iter().map(|&i| vec![i]);
    let pairs = open.iter().enumerate().flat_map(|(a, &i)| open[a + 1..].iter().map(move |&j| vec![i, j]));
    std::iter::once(vec![])
        .chain(singles.take(if budget >= 1 { usize::MAX } else { 0 }))
        .chain(pairs.take(if budget >= 2 { usize::MAX } else { 0 }))
        .find_map(|extra| try_free(&extra))
        .unwrap_or(found.consts)
}

/// One island's checker and counts.
#[derive(Clone, Debug, Default)]
pub(crate) struct Admission {
    checker: DimChecker,
    /// Candidates checked.
    pub checked: u64,
    /// Candidates rejected (never evaluated).
    pub rejected: u64,
}

impl Admission {
    /// True when there are no units or the candidate is consistent; counts the check.
    pub fn admit(&mut self, gate: Option<&UnitGate>, exprs: &[Formula]) -> bool {
        let Some(g) = gate else { return true };
        self.checked += 1;
        let ok = g.consistent(exprs, &mut self.checker);
        if !ok {
            self.rejected += 1;
        }
        ok
    }
}

/// With units, fills every entry's `const_dims`.
pub(crate) fn annotate(entries: &mut [HofEntry], gate: Option<&UnitGate>) {
    if let Some(g) = gate {
        for e in entries {
            e.const_dims = g.const_dims(&e.formula);
        }
    }
}

/// Replaces an island's inconsistent initial members (warm-started ones included) with
/// consistent random ones, drawn from the island's own generator; after [`INIT_ATTEMPTS`] tries
/// the member stays as a placeholder that is never scored (its cost stays infinite).
pub(crate) fn fill_consistent(isl: &mut Island, gate: &UnitGate, args: &[Vec<String>], o: &SearchOptions) {
    for j in 0..isl.pop.members.len() {
        if isl.admission.admit(Some(gate), &isl.pop.members[j].exprs) {
            continue;
        }
        for _ in 0..INIT_ATTEMPTS {
            let exprs = crate::population::random_exprs(args, &o.operators, &mut isl.rng);
            if isl.admission.admit(Some(gate), &exprs) {
                isl.pop.members[j] = PopMember::new(exprs, &o.operators, isl.pop.members[j].birth);
                break;
            }
        }
    }
}
