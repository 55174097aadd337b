//! `fit(table, model, ...)` at run time: a model with unknown functions (`y ~ f(x1, x2)`) runs
//! symbolic regression (`sdl-search`); a fixed form with free constants (`y ~ a * exp(-b * x)`)
//! fits the constants (`sdl-kernel`). Options use PySR's names.
//!
//! Ctrl-C during a search stops it and keeps the best found so far: the interrupt is consumed
//! here, so the program goes on with that result.

use super::value::Value;
use super::{runtime_error, Vm, INTERRUPTED};
use crate::data::Table;
use crate::diag::{Code, Diagnostic, SourceId};
use crate::domain::{classify_names, ModelSpec};
use crate::formula::{Formula, OperatorSet};
use crate::kernel::{Dataset, FitOptions, Loss, Method};
use crate::search::{ExportFormat, SearchOptions, SearchResult, Template, TemplateFn, Units};
use crate::syntax::ast::Span;
use std::io::Write;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How a result was made, for reports: what ran, the settings, the seed and the time taken.
#[derive(Clone, Debug, Default)]
pub struct RunRecord {
    /// The call in words: `fit(data.csv, y ~ f(x1, x2))`.
    pub what: String,
    /// The options as given (name and value), in order.
    pub given: Vec<(String, String)>,
    /// Every setting in force: the options structure, printed.
    pub settings: String,
    pub seed: u64,
    pub seconds: f64,
}

/// The data a fit was made on (shared, not copied) and its target column.
#[derive(Clone, Debug)]
pub struct FitData {
    pub table: Rc<Table>,
    pub target: String,
}

/// The result of a symbolic search, as a language value.
#[derive(Debug)]
pub struct SearchOutcome {
    pub result: SearchResult,
    pub run: RunRecord,
    pub data: FitData,
}

/// The result of fitting the constants of a fixed form.
#[derive(Debug)]
pub struct ConstFitOutcome {
    pub run: RunRecord,
    pub data: FitData,
    pub formula: Formula,
    pub params: Vec<(String, f64)>,
    pub std_errors: Vec<(String, f64)>,
    /// Each constant's dimension when the table has units and the formula determines it.
    pub param_dims: Vec<(String, Option<sdl_units::Dim>)>,
    pub loss: f64,
    pub iterations: usize,
    pub converged: bool,
}

/// `   [2.5: m/s, 0.1: 1/s]`: the units each constant must carry, when the search had units.
pub fn constant_units(f: &Formula, dims: &[Option<sdl_units::Dim>]) -> String {
    let parts: Vec<String> = f
        .consts
        .iter()
        .zip(dims)
        .filter_map(|(c, d)| {
            d.filter(|d| !d.is_dimensionless()).map(|d| format!("{}: {d}", crate::data::format_num(*c)))
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("   [{}]", parts.join(", "))
    }
}

fn formula_value(f: &Formula) -> Value {
    Value::Formula(Rc::new(f.clone()))
}

impl SearchOutcome {
    /// The Pareto front as a text table (complexity, loss, score, formula).
    pub fn table(&self) -> String {
        let best = self.result.best().map(|b| b.complexity);
        let mut out = format!("{:>10}  {:>12}  {:>10}  formula\n", "complexity", "loss", "score");
        for e in self.result.pareto() {
            let mark = if Some(e.complexity) == best { "  <- best" } else { "" };
            out.push_str(&format!(
                "{:>10}  {:>12.6e}  {:>10.4}  {}{}{mark}\n",
                e.complexity,
                e.loss,
                e.score,
                e.formula,
                constant_units(&e.formula, &e.const_dims)
            ));
        }
        if self.result.stopped_early {
            out.push_str(&format!("(stopped early: {:?})\n", self.result.stop_reason));
        }
        out
    }

    /// Field access: `.best`, `.pareto`, ...
    pub fn field(&self, name: &str) -> Option<Value> {
        let r = &self.result;
        let best = r.best();
        Some(match name {
            "best" => formula_value(&best?.formula),
            "accuracy" => formula_value(&r.accuracy()?.formula),
            "score" => formula_value(&r.by_score().first()?.formula),
            "loss" => Value::Num(best?.loss),
            "complexity" => Value::Num(best?.complexity as f64),
            "pareto" => Value::List(Rc::new(
                r.pareto()
                    .iter()
                    .map(|e| {
                        Value::Record(Rc::new(vec![
                            ("complexity".into(), Value::Num(e.complexity as f64)),
                            ("loss".into(), Value::Num(e.loss)),
                            ("score".into(), Value::Num(e.score)),
                            ("formula".into(), formula_value(&e.formula)),
                        ]))
                    })
                    .collect(),
            )),
            "latex" => Value::Str(crate::search::export_document(r, ExportFormat::Latex).into()),
            "sympy" => Value::Str(crate::search::export_document(r, ExportFormat::Sympy).into()),
            "numpy" => Value::Str(crate::search::export_document(r, ExportFormat::Numpy).into()),
            "rust" => Value::Str(crate::search::export_document(r, ExportFormat::Rust).into()),
            "stopped_early" => Value::Bool(r.stopped_early),
            _ => return None,
        })
    }
}

impl ConstFitOutcome {
    /// Constants with standard errors, the loss and the fitted formula.
    pub fn summary(&self) -> String {
        let mut out = format!("{}\n", self.formula);
        for ((n, v), (_, se)) in self.params.iter().zip(&self.std_errors) {
            let v = if v.abs() >= 1e-3 && v.abs() < 1e7 { format!("{v:.10}") } else { format!("{v:.10e}") };
            out.push_str(&format!("  {n} = {v} ± {se:.3e}{}\n", self.unit_of(n)));
        }
        out.push_str(&format!(
            "  loss = {:.6e} ({} iterations{})\n",
            self.loss,
            self.iterations,
            if self.converged { "" } else { ", not converged" }
        ));
        out
    }

    /// ` [unit]` after a constant whose dimension is known, else nothing.
    fn unit_of(&self, name: &str) -> String {
        match self.param_dims.iter().find(|(n, _)| n == name).and_then(|(_, d)| *d) {
            Some(d) => format!(" [{d}]"),
            None => String::new(),
        }
    }

    /// The fitted law in `format` with the constants' values in place of their names, each
    /// written with its units where known (LaTeX, SymPy).
    pub fn export(&self, format: ExportFormat) -> String {
        let mut f = self.formula.clone();
        let dims: Vec<Option<sdl_units::Dim>> = f
            .const_names
            .iter()
            .map(|n| n.as_ref().and_then(|n| self.param_dims.iter().find(|(p, _)| p == n)).and_then(|(_, d)| *d))
            .collect();
        f.const_names.iter_mut().for_each(|n| *n = None);
        crate::search::export_formula_with_units(&f, &dims, format)
    }

    pub fn field(&self, name: &str) -> Option<Value> {
        let record = |xs: &[(String, f64)]| {
            Value::Record(Rc::new(xs.iter().map(|(n, v)| (n.clone(), Value::Num(*v))).collect()))
        };
        Some(match name {
            "formula" => formula_value(&self.formula),
            "params" => record(&self.params),
            "std_errors" => record(&self.std_errors),
            "units" => Value::Record(Rc::new(
                self.param_dims
                    .iter()
                    .map(|(n, d)| (n.clone(), Value::Str(d.map(|d| d.to_string()).unwrap_or_default().into())))
                    .collect(),
            )),
            "loss" => Value::Num(self.loss),
            "iterations" => Value::Num(self.iterations as f64),
            "converged" => Value::Bool(self.converged),
            _ => return None,
        })
    }
}

struct Opts<'a> {
    values: Vec<(String, Value)>,
    span: &'a Span,
    src: SourceId,
}

impl Opts<'_> {
    fn get(&self, name: &str) -> Option<&Value> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    fn err(&self, message: String, help: &str) -> Diagnostic {
        runtime_error(Code::BadArgument, message, self.span, self.src, help)
    }

    fn num(&self, name: &str) -> Result<Option<f64>, Diagnostic> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Num(n)) if n.is_finite() => Ok(Some(*n)),
            Some(v) => Err(self.err(format!("option `{name}` must be a finite number, found {v}"), "give a number")),
        }
    }

    fn count(&self, name: &str, min: usize) -> Result<Option<usize>, Diagnostic> {
        match self.num(name)? {
            Some(n) if n.fract() == 0.0 && n >= min as f64 => Ok(Some(n as usize)),
            Some(n) => Err(self.err(
                format!("option `{name}` must be a whole number of at least {min}, found {n}"),
                "give a whole number",
            )),
            None => Ok(None),
        }
    }

    fn flag(&self, name: &str) -> Option<bool> {
        match self.get(name) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    fn string(&self, name: &str) -> Option<String> {
        match self.get(name) {
            Some(Value::Str(s)) => Some(s.to_string()),
            _ => None,
        }
    }

    fn loss(&self) -> Result<Loss, Diagnostic> {
        match self.get("loss") {
            None => Ok(Loss::L2),
            Some(Value::Str(s)) => match &**s {
                "l2" | "mse" => Ok(Loss::L2),
                "l1" | "mae" => Ok(Loss::L1),
                "huber" => Ok(Loss::Huber(1.0)),
                other => Err(self.err(
                    format!("unknown loss \"{other}\""),
                    "use \"l2\", \"l1\", \"huber\" or a formula of pred and target",
                )),
            },
            Some(Value::Formula(f)) => {
                if let Some(v) = f.used_vars().iter().find(|v| *v != "pred" && *v != "target") {
                    return Err(self.err(
                        format!("a loss formula may use only `pred` and `target`, not `{v}`"),
                        "e.g. formula { abs(pred - target) }",
                    ));
                }
                Ok(Loss::Custom((**f).clone()))
            }
            Some(v) => Err(self.err(format!("a loss is a string or a formula, found {v}"), "e.g. loss: \"l1\"")),
        }
    }
}

/// Runs `fit`: the built-in, and `sdl fit`, which calls this with values (a table, a model and
/// the options by their names) rather than through sdl source.
pub fn fit(
    vm: &mut Vm,
    table: Value,
    model: Value,
    options: Vec<(String, Value)>,
    span: &Span,
    src: SourceId,
) -> Result<Value, Diagnostic> {
    let Value::Table(table) = table else {
        return Err(runtime_error(
            Code::TypeMismatch,
            format!("`fit` takes a table, found {}", table.type_name()),
            span,
            src,
            "pass a table first",
        ));
    };
    let Value::Model(spec) = model else {
        return Err(runtime_error(
            Code::BadModel,
            format!("`fit` takes a model `y ~ ...`, found {}", model.type_name()),
            span,
            src,
            "write the model inline: fit(t, y ~ f(x))",
        ));
    };
    let opts = Opts { values: options, span, src };
    let params =
        classify_names(&spec, &table.names, &table.origin, span).map_err(|mut ds| ds.remove(0).in_source(src))?;
    let target = table.column(&spec.target).map(|c| c.to_vec()).unwrap_or_default();
    if target.is_empty() {
        return Err(runtime_error(
            Code::FitFailed,
            format!("{} has no rows to fit", table.origin),
            span,
            src,
            "check the table and any `where` filter",
        ));
    }
    let weights = match opts.string("weights") {
        Some(col) => match table.column(&col) {
            Some(w) => Some(w.to_vec()),
            None => {
                return Err(
                    crate::domain::unknown_column(&col, &table.names, &table.origin, span.clone()).in_source(src)
                )
            }
        },
        None => None,
    };
    let mut used: Vec<String> = vec![spec.target.clone()];
    used.extend(spec.outer.vars.iter().filter(|v| table.column(v).is_some()).cloned());
    used.extend(spec.functions.iter().flat_map(|(_, a)| a.iter().cloned()));
    check_finite(&table, &used, span, src)?;
    let data = Dataset::new(table.names.clone(), table.columns.clone())
        .map_err(|e| runtime_error(Code::BadArgument, e.to_string(), span, src, "check the table"))?;
    let run = RunRecord {
        what: format!("fit({}, {})", table.origin, spec.text()),
        given: opts.values.iter().map(|(n, v)| (n.clone(), v.to_string())).collect(),
        ..RunRecord::default()
    };
    let fit_data = FitData { table: table.clone(), target: spec.target.clone() };
    if spec.is_search() {
        let units = search_units(&table, &spec.target, &opts)?;
        let outcome = search(vm, &spec, &params, data, target, weights, &opts, units)?;
        Ok(Value::SearchResult(Rc::new(SearchOutcome { run: finish_record(run, &outcome), data: fit_data, ..outcome })))
    } else {
        let started = std::time::Instant::now();
        let (fitted, settings, seed) = const_fit(&spec, &params, &data, &target, weights.as_deref(), &opts)?;
        let run = RunRecord { settings, seed, seconds: started.elapsed().as_secs_f64(), ..run };
        let fitted = ConstFitOutcome { run, data: fit_data, ..fitted };
        Ok(Value::ConstFit(Rc::new(with_param_dims(fitted, &table, &spec.target))))
    }
}

/// The record of a search: what was asked, with the settings, seed and time the search reports.
fn finish_record(asked: RunRecord, outcome: &SearchOutcome) -> RunRecord {
    RunRecord { what: asked.what, given: asked.given, ..outcome.run.clone() }
}

/// The dimension each fitted constant must carry so that the formula has the target's units
/// (only when the table has units; a constant the formula leaves free stays unknown).
fn with_param_dims(mut fit: ConstFitOutcome, table: &Table, target: &str) -> ConstFitOutcome {
    if !table.has_units() {
        return fit;
    }
    let var_dims: Vec<Option<sdl_units::Dim>> = fit.formula.vars.iter().map(|v| table.dim(v)).collect();
    let mode = sdl_units::ConstMode::NamedFree;
    if let Ok(inferred) = sdl_units::infer(&fit.formula, &var_dims, mode, table.dim(target)) {
        fit.param_dims = fit
            .formula
            .const_names
            .iter()
            .zip(&inferred.consts)
            .filter_map(|(n, d)| n.as_ref().map(|n| (n.clone(), *d)))
            .collect();
    }
    fit
}

fn check_finite(t: &Table, used: &[String], span: &Span, src: SourceId) -> Result<(), Diagnostic> {
    let mut bad: Vec<usize> = Vec::new();
    for name in used {
        if let Some(c) = t.column(name) {
            bad.extend(c.iter().enumerate().filter(|(_, x)| !x.is_finite()).map(|(i, _)| i));
        }
    }
    bad.sort_unstable();
    bad.dedup();
    if bad.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = bad.iter().take(10).map(|r| r.to_string()).collect();
    Err(runtime_error(
        Code::NonFiniteData,
        format!(
            "{} has NaN or infinite values in {} row(s): {}{}",
            t.origin,
            bad.len(),
            shown.join(", "),
            if bad.len() > 10 { ", ..." } else { "" }
        ),
        span,
        src,
        "drop those rows first: fit(dropnan(t), ...)",
    ))
}

fn const_fit(
    spec: &ModelSpec,
    params: &[String],
    data: &Dataset<f64>,
    target: &[f64],
    weights: Option<&[f64]>,
    opts: &Opts,
) -> Result<(ConstFitOutcome, String, u64), Diagnostic> {
    let init = |name: &str| -> f64 {
        match opts.get("params") {
            Some(Value::Record(fields)) => fields
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, v)| if let Value::Num(x) = v { Some(*x) } else { None })
                .unwrap_or(1.0),
            _ => 1.0,
        }
    };
    let args: Vec<Formula> = spec
        .outer
        .vars
        .iter()
        .map(|v| if params.contains(v) { Formula::named_constant(v, init(v)) } else { Formula::var(v) })
        .collect();
    let written = spec.outer.substitute_vars(&args);
    let (f, data) = freeze_literals(&written, data);
    let method = match opts.string("method").as_deref() {
        None | Some("lm") => Method::LevenbergMarquardt,
        Some("bfgs") => Method::Bfgs,
        Some(other) => return Err(opts.err(format!("unknown method \"{other}\""), "use \"lm\" or \"bfgs\"")),
    };
    let fit_opts = FitOptions {
        method,
        loss: opts.loss()?,
        max_iter: opts.count("max_iter", 1)?.unwrap_or(200),
        restarts: opts.count("restarts", 0)?.unwrap_or(4),
        seed: opts.count("seed", 0)?.unwrap_or(0) as u64,
    };
    let r = crate::kernel::fit_constants(&f, &data, target, weights, &fit_opts);
    let (settings, seed) = (format!("{fit_opts:#?}"), fit_opts.seed);
    let mut fitted = f.clone();
    fitted.consts = r.consts.clone();
    let fitted = thaw_literals(&fitted, &written);
    let named = |xs: &[f64]| -> Vec<(String, f64)> {
        f.const_names.iter().zip(xs).filter_map(|(n, v)| n.as_ref().map(|n| (n.clone(), *v))).collect()
    };
    let outcome = ConstFitOutcome {
        run: RunRecord::default(),
        data: FitData { table: Rc::new(Table::default()), target: spec.target.clone() },
        params: named(&r.consts),
        std_errors: named(&r.std_errors),
        param_dims: Vec::new(),
        formula: fitted,
        loss: r.loss,
        iterations: r.iterations,
        converged: r.converged,
    };
    Ok((outcome, settings, seed))
}

/// Prefix of the columns that hold a model's written numbers during a constant fit; `#` cannot
/// start a column name, so they never meet the user's.
const LITERAL: &str = "#";

/// A number written in the model stays as written (`F ~ G * m1 * m2 / r^2` fits `G`, not the 2):
/// each unnamed constant becomes a column holding its value, so the fit sees only the named
/// constants. Returns that formula and the data with those columns added.
fn freeze_literals(f: &Formula, data: &Dataset<f64>) -> (Formula, Dataset<f64>) {
    use crate::formula::Node;
    let literals: Vec<usize> = (0..f.consts.len()).filter(|&i| f.const_names[i].is_none()).collect();
    if literals.is_empty() {
        return (f.clone(), data.clone());
    }
    let mut out = f.clone();
    let named: Vec<usize> = (0..f.consts.len()).filter(|&i| f.const_names[i].is_some()).collect();
    out.consts = named.iter().map(|&i| f.consts[i]).collect();
    out.const_names = named.iter().map(|&i| f.const_names[i].clone()).collect();
    out.vars.extend((0..literals.len()).map(|k| format!("{LITERAL}{k}")));
    let n_vars = f.vars.len();
    for node in &mut out.nodes {
        if let Node::Const(i) = *node {
            let i = i as usize;
            *node = match named.iter().position(|&j| j == i) {
                Some(p) => Node::Const(p as u16),
                None => Node::Var((n_vars + literals.iter().position(|&j| j == i).unwrap_or(0)) as u16),
            };
        }
    }
    let rows = data.n_rows();
    let mut names = data.names().to_vec();
    let mut columns = data.columns().to_vec();
    for (k, &i) in literals.iter().enumerate() {
        names.push(format!("{LITERAL}{k}"));
        columns.push(vec![f.consts[i]; rows]);
    }
    let data = Dataset::new(names, columns).unwrap_or_else(|_| data.clone());
    (out, data)
}

/// [`freeze_literals`] undone on the fitted formula: the literal columns become the numbers
/// written in `written` again.
fn thaw_literals(fitted: &Formula, written: &Formula) -> Formula {
    let values: Vec<f64> =
        (0..written.consts.len()).filter(|&i| written.const_names[i].is_none()).map(|i| written.consts[i]).collect();
    if values.is_empty() {
        return fitted.clone();
    }
    let args: Vec<Formula> = fitted
        .vars
        .iter()
        .map(|v| match v.strip_prefix(LITERAL).and_then(|k| k.parse::<usize>().ok()) {
            Some(k) => Formula::constant(values[k]),
            None => Formula::var(v),
        })
        .collect();
    fitted.substitute_vars(&args).with_vars_superset(&written.vars)
}

/// The search defaults, written once: what the language's `fit` uses for every option left out
/// (and `sdl fit`, which runs through it, too); `sdl bench recover` starts from them. Fewer
/// islands and rounds than `sdl_search`'s PySR-sized defaults, so that a search at the REPL
/// answers in seconds; the rest (population size, mutation weights, ...) are the crate's.
pub fn default_search_options() -> SearchOptions {
    SearchOptions { populations: 8, niterations: 20, ncycles_per_iteration: 100, ..SearchOptions::default() }
}

fn search_options(opts: &Opts) -> Result<(SearchOptions, usize), Diagnostic> {
    let mut o = default_search_options();
    o.operators = match opts.get("ops") {
        Some(Value::OpSet(s)) => (**s).clone(),
        _ => OperatorSet::default(),
    };
    if let Some(n) = opts.count("maxsize", 1)? {
        o.operators.maxsize = n as u32;
    }
    if let Some(n) = opts.count("maxdepth", 1)? {
        o.operators.maxdepth = Some(n as u32);
    }
    if let Some(n) = opts.count("niterations", 1)? {
        o.niterations = n;
    }
    if let Some(n) = opts.count("populations", 1)? {
        o.populations = n;
    }
    if let Some(n) = opts.count("population_size", 4)? {
        o.population_size = n;
    }
    if let Some(n) = opts.count("ncycles_per_iteration", 1)? {
        o.ncycles_per_iteration = n;
    }
    if let Some(n) = opts.count("batch_size", 1)? {
        o.batch_size = n;
    }
    if let Some(n) = opts.count("seed", 0)? {
        o.seed = n as u64;
    }
    if let Some(p) = opts.num("parsimony")? {
        o.parsimony = p;
    }
    if let Some(t) = opts.num("timeout")? {
        o.timeout = Some(Duration::from_secs_f64(t.max(0.0)));
    }
    if let Some(n) = opts.count("max_evals", 1)? {
        o.max_evals = Some(n as u64);
    }
    if let Some(l) = opts.num("loss_threshold")? {
        o.loss_threshold = Some(l);
    }
    o.batching = opts.flag("batching").unwrap_or(false);
    o.annealing = opts.flag("annealing").unwrap_or(false);
    o.hof_csv = opts.string("hof_csv").map(Into::into);
    o.warm_start = opts.string("warm_start").map(Into::into);
    o.loss = opts.loss()?;
    // 0 (the default) means every core, as the option's documentation says.
    let threads = opts.count("threads", 0)?.unwrap_or(0);
    if let Err(errs) = o.validate() {
        let msg: Vec<String> = errs.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
        return Err(opts.err(format!("invalid search options: {}", msg.join("; ")), "fix the options named"));
    }
    Ok((o, threads))
}

/// The units the search must respect: the table's column dimensions and the target's (from its
/// column or `target_units:`), unless `units: false` or nothing has units.
fn search_units(table: &Table, target: &str, opts: &Opts) -> Result<Option<Units>, Diagnostic> {
    if opts.flag("units") == Some(false) {
        return Ok(None);
    }
    let target_dim = match opts.string("target_units") {
        Some(text) => Some(
            sdl_units::Unit::parse(&text)
                .map_err(|e| opts.err(format!("target_units: {e}"), &crate::diag::unit_help(&e)))?
                .dim,
        ),
        None => table.dim(target),
    };
    let Some(target_dim) = target_dim else { return Ok(None) };
    let features: Vec<Option<sdl_units::Dim>> =
        table.names.iter().zip(&table.dims).map(|(n, d)| if n == target { None } else { *d }).collect();
    if features.iter().all(|d| d.is_none()) {
        return Ok(None);
    }
    let mut units = Units::new(features, target_dim);
    if let Some(k) = opts.count("max_dimensioned_constants", 0)? {
        units.max_dimensioned_constants = k;
    }
    Ok(Some(units))
}

#[allow(clippy::too_many_arguments)] // the pieces of one fit, all needed by the search
fn search(
    vm: &mut Vm,
    spec: &ModelSpec,
    params: &[String],
    data: Dataset<f64>,
    target: Vec<f64>,
    weights: Option<Vec<f64>>,
    opts: &Opts,
    units: Option<Units>,
) -> Result<SearchOutcome, Diagnostic> {
    if let Some(p) = params.first() {
        return Err(runtime_error(
            Code::BadModel,
            format!("`{p}` is neither a column nor an unknown function"),
            opts.span,
            opts.src,
            "in a search the constants are found inside the unknown functions; remove the free constant",
        ));
    }
    let (mut options, threads) = search_options(opts)?;
    options.units = units;
    let template = Template {
        outer: spec.outer.clone(),
        functions: spec
            .functions
            .iter()
            .map(|(name, args)| TemplateFn { name: name.clone(), args: args.clone() })
            .collect(),
    };
    let problem = crate::search::Problem { data, target, weights, template };
    let show = opts.flag("progress").unwrap_or(vm.progress);
    let progress = |p: &crate::search::Progress| {
        if show {
            eprint!("\r\x1b[2K{}", progress_line(p));
        }
    };
    let settings = format!("{options:#?}\nthreads: {threads} (0: every core)");
    let started = std::time::Instant::now();
    let run = || crate::search::search(&problem, &options, &progress, &INTERRUPTED);
    let result = if threads > 0 {
        match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
            Ok(pool) => pool.install(run),
            Err(e) => return Err(opts.err(format!("cannot start {threads} threads: {e}"), "use fewer threads")),
        }
    } else {
        run()
    };
    if show {
        eprintln!();
    }
    if INTERRUPTED.swap(false, Ordering::SeqCst) {
        let _ = writeln!(vm.out, "search interrupted: keeping the best formulas found so far");
    }
    match result {
        Ok(r) => Ok(SearchOutcome {
            result: r,
            run: RunRecord {
                settings,
                seed: options.seed,
                seconds: started.elapsed().as_secs_f64(),
                ..RunRecord::default()
            },
            data: FitData { table: Rc::new(Table::default()), target: spec.target.clone() },
        }),
        Err(e @ crate::search::SearchError::UnitsUnreachable { .. }) => Err(runtime_error(
            Code::UnreachableUnits,
            e.to_string(),
            opts.span,
            opts.src,
            "allow a dimensioned constant (max_dimensioned_constants: 1), check the units, or pass units: false",
        )),
        Err(e) => Err(runtime_error(
            Code::FitFailed,
            e.to_string(),
            opts.span,
            opts.src,
            "check the data, the model and the operator set",
        )),
    }
}

/// One status line for a running search: iteration, evaluations per second, the current Pareto
/// front as `complexity:loss` pairs, and its most accurate formula; cut to fit a terminal.
pub fn progress_line(p: &crate::search::Progress) -> String {
    let front: Vec<String> = p.pareto.iter().map(|e| format!("{}:{:.1e}", e.complexity, e.loss)).collect();
    let best =
        p.pareto.iter().min_by(|a, b| a.loss.total_cmp(&b.loss)).map(|b| b.formula.to_string()).unwrap_or_default();
    let line = format!(
        "iteration {}/{}  {:.0} evals/s  front {}  best {best}",
        p.iteration,
        p.niterations,
        p.evals_per_second,
        front.join(" ")
    );
    line.chars().take(200).collect()
}
