//! Built-in functions at run time: one function per built-in, dispatched by name from the
//! table in [`crate::builtins`]. Formula work goes to `sdl-formula`, evaluation on tables to
//! `sdl-kernel`, `fit` to [`super::fit`].

use super::value::Value;
use super::{runtime_error, Vm};
use crate::builtins::{Builtin, Topic};
use crate::data::Table;
use crate::diag::{Code, Diagnostic, SourceId};
use crate::domain::CompiledFormula;
use crate::formula::{Formula, Op, OperatorSet};
use crate::search::ExportFormat;
use crate::syntax::ast::Span;
use std::path::Path;
use std::rc::Rc;

type Args = Vec<(Option<String>, Value)>;

/// Context for one built-in call: its name, span and source, for error messages.
pub(super) struct Ctx<'a> {
    pub name: &'static str,
    pub span: &'a Span,
    pub src: SourceId,
}

impl Ctx<'_> {
    pub(super) fn err(&self, code: Code, message: impl Into<String>, help: &str) -> Diagnostic {
        runtime_error(code, message, self.span, self.src, help)
    }

    pub(super) fn wrong(&self, what: &str, v: &Value) -> Diagnostic {
        self.err(
            Code::TypeMismatch,
            format!("`{}` expected {what}, found {}", self.name, v.type_name()),
            "see `:help` for the signature",
        )
    }

    pub(super) fn num(&self, v: &Value) -> Result<f64, Diagnostic> {
        match v {
            Value::Num(n) => Ok(*n),
            other => Err(self.wrong("a number", other)),
        }
    }

    pub(super) fn string(&self, v: &Value) -> Result<Rc<str>, Diagnostic> {
        match v {
            Value::Str(s) => Ok(s.clone()),
            other => Err(self.wrong("a string", other)),
        }
    }

    pub(super) fn table(&self, v: &Value) -> Result<Rc<Table>, Diagnostic> {
        match v {
            Value::Table(t) => Ok(t.clone()),
            other => Err(self.wrong("a table", other)),
        }
    }

    pub(super) fn formula(&self, v: &Value) -> Result<Rc<Formula>, Diagnostic> {
        match v {
            Value::Formula(f) => Ok(f.clone()),
            Value::Num(n) => Ok(Rc::new(Formula::constant(*n))),
            other => Err(self.wrong("a formula", other)),
        }
    }

    pub(super) fn nums(&self, v: &Value) -> Result<Vec<f64>, Diagnostic> {
        match v {
            Value::List(items) => items.iter().map(|x| self.num(x)).collect(),
            other => Err(self.wrong("a list of numbers", other)),
        }
    }
}

fn nums_value(xs: &[f64]) -> Value {
    Value::List(Rc::new(xs.iter().map(|x| Value::Num(*x)).collect()))
}

fn strs_value(xs: &[String]) -> Value {
    Value::List(Rc::new(xs.iter().map(|x| Value::Str(x.as_str().into())).collect()))
}

/// Calls built-in `b` with one value per parameter (defaults filled in; `nothing` for an
/// optional parameter left out) and its named options.
pub fn call(
    vm: &mut Vm,
    b: Builtin,
    args: Vec<Value>,
    extra: Vec<(String, Value)>,
    span: &Span,
    src: SourceId,
) -> Result<Value, Diagnostic> {
    let c = Ctx { name: b.name(), span, src };
    match b.topic() {
        Topic::Values => call_values(vm, b, &args, &c),
        Topic::Tables => call_tables(b, &args, &c),
        Topic::Formulas => call_formulas(vm, b, &args, extra, &c),
        Topic::Graphs => call_graphs(vm, b, &args, extra, &c),
        Topic::Pictures => super::pictures::call(vm, b, &args, &extra, &c),
    }
}

/// The arguments that were given (or have a default): `nothing` marks an optional one left out.
fn given(args: &[Value]) -> Vec<Option<Value>> {
    args.iter().map(|v| if matches!(v, Value::Nothing) { None } else { Some(v.clone()) }).collect()
}

/// Numbers, strings, lists, assertions and script parameters.
fn call_values(vm: &mut Vm, b: Builtin, args: &[Value], c: &Ctx) -> Result<Value, Diagnostic> {
    let (name, span, src) = (c.name, c.span, c.src);
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nothing);
    match b {
        Builtin::Len => match arg(0) {
            Value::List(items) => Ok(Value::Num(items.len() as f64)),
            Value::Graphs(g) => Ok(Value::Num(g.len() as f64)),
            Value::Table(t) => Ok(Value::Num(t.n_rows() as f64)),
            Value::Str(s) => Ok(Value::Num(s.chars().count() as f64)),
            other => Err(c.wrong("a list, table or string", &other)),
        },
        Builtin::Str => Ok(Value::Str(arg(0).to_string().into())),
        Builtin::Range => {
            let n = c.num(&arg(0))?;
            if !(0.0..=1e8).contains(&n) || n.fract() != 0.0 {
                return Err(c.err(
                    Code::BadArgument,
                    format!("range({n}) needs a whole count from 0 to 1e8"),
                    "pass a whole number",
                ));
            }
            Ok(nums_value(&(0..n as usize).map(|i| i as f64).collect::<Vec<_>>()))
        }
        Builtin::Uniform | Builtin::Normal => {
            let n = c.num(&arg(0))?;
            if !(0.0..=1e8).contains(&n) || n.fract() != 0.0 {
                return Err(c.err(
                    Code::BadArgument,
                    format!("{name}({n}, ...) needs a whole count from 0 to 1e8"),
                    "pass a whole number",
                ));
            }
            let seed_at = if name == "uniform" { 3 } else { 1 };
            let mut rng = crate::formula::rng::Rng::new(c.num(&arg(seed_at))?.max(0.0) as u64);
            let xs: Vec<f64> = if name == "uniform" {
                let (lo, hi) = (c.num(&arg(1))?, c.num(&arg(2))?);
                (0..n as usize).map(|_| rng.range(lo, hi)).collect()
            } else {
                (0..n as usize).map(|_| rng.normal()).collect()
            };
            Ok(nums_value(&xs))
        }
        Builtin::Sum => Ok(Value::Num(c.nums(&arg(0))?.iter().sum())),
        Builtin::Std => {
            let xs = c.nums(&arg(0))?;
            let m = xs.iter().sum::<f64>() / xs.len() as f64;
            Ok(Value::Num((xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / xs.len() as f64).sqrt()))
        }
        Builtin::Map => {
            let Value::List(items) = arg(0) else { return Err(c.wrong("a list", &arg(0))) };
            let f = arg(1);
            let mut out = Vec::with_capacity(items.len());
            for item in items.iter() {
                out.push(vm.call(f.clone(), vec![(None, item.clone())], span, src)?);
            }
            Ok(Value::List(Rc::new(out)))
        }
        Builtin::Assert => match arg(0) {
            Value::Bool(true) => Ok(Value::Nothing),
            Value::Bool(false) => {
                let msg = match arg(1) {
                    Value::Str(s) => s.to_string(),
                    _ => "assertion failed".to_string(),
                };
                Err(c.err(Code::AssertionFailed, msg, "the condition was false"))
            }
            other => Err(c.wrong("a bool", &other)),
        },
        Builtin::R2 => {
            let p = c.nums(&arg(0))?;
            let t = c.nums(&arg(1))?;
            if p.len() != t.len() || t.is_empty() {
                return Err(c.err(
                    Code::BadArgument,
                    format!("{} predictions for {} targets", p.len(), t.len()),
                    "give lists of one length",
                ));
            }
            Ok(Value::Num(r2(&p, &t)))
        }
        Builtin::Param => {
            let name = c.string(&arg(0))?;
            let default = arg(1);
            match vm.params.get(&*name) {
                None => Ok(default),
                Some(text) => match default {
                    Value::Num(_) => text.trim().parse::<f64>().map(Value::Num).map_err(|_| {
                        c.err(Code::BadArgument, format!("--set {name}={text}: not a number"), "give a number")
                    }),
                    Value::Bool(_) => match text.trim() {
                        "true" => Ok(Value::Bool(true)),
                        "false" => Ok(Value::Bool(false)),
                        _ => Err(c.err(
                            Code::BadArgument,
                            format!("--set {name}={text}: not true or false"),
                            "give true or false",
                        )),
                    },
                    _ => Ok(Value::Str(text.as_str().into())),
                },
            }
        }
        _ => unreachable!("`{}` is dispatched to another group", b.name()),
    }
}

/// Tables: files, splits, columns and rows.
fn call_tables(b: Builtin, args: &[Value], c: &Ctx) -> Result<Value, Diagnostic> {
    let (span, src) = (c.span, c.src);
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nothing);
    match b {
        Builtin::Load => {
            let path = c.string(&arg(0))?;
            let t = Table::load_csv(Path::new(&*path)).map_err(|d| d.with_span(span.clone()).in_source(src))?;
            match arg(1) {
                Value::Nothing => Ok(Value::Table(Rc::new(t))),
                units => with_units(c, &t, &units),
            }
        }
        Builtin::WithUnits => with_units(c, &*c.table(&arg(0))?, &arg(1)),
        Builtin::Save => {
            let path = c.string(&arg(1))?;
            match arg(0) {
                Value::Graphs(g) => crate::data::save_graphs(&g, Path::new(&*path)),
                Value::Network(n) => super::network::save_model(&net_call(c), &n, &path),
                other => c.table(&other)?.save_csv(Path::new(&*path)),
            }
            .map_err(|d| d.with_span(span.clone()).in_source(src))?;
            Ok(Value::Nothing)
        }
        Builtin::Split => {
            let frac = c.num(&arg(1))?;
            let seed = c.num(&arg(2))?.max(0.0) as u64;
            if !(frac > 0.0 && frac < 1.0) {
                return Err(c.err(
                    Code::BadArgument,
                    format!("split fraction {frac} is outside (0, 1)"),
                    "give the training share, e.g. 0.75",
                ));
            }
            let (a, b) = match arg(0) {
                Value::Graphs(g) => {
                    let (a, b) = g
                        .split(frac, seed)
                        .map_err(|e| c.err(Code::BadArgument, e.to_string(), "give a fraction in (0, 1)"))?;
                    (Value::Graphs(Rc::new(a)), Value::Graphs(Rc::new(b)))
                }
                other => {
                    let (a, b) = c.table(&other)?.split(frac, seed);
                    (Value::Table(Rc::new(a)), Value::Table(Rc::new(b)))
                }
            };
            Ok(Value::Record(Rc::new(vec![("train".into(), a), ("test".into(), b)])))
        }
        Builtin::Columns => Ok(strs_value(&c.table(&arg(0))?.names)),
        Builtin::Column => {
            let t = c.table(&arg(0))?;
            let name = c.string(&arg(1))?;
            match t.column(&name) {
                Some(col) => Ok(nums_value(col)),
                None => Err(crate::domain::unknown_column(&name, &t.names, &t.origin, span.clone()).in_source(src)),
            }
        }
        Builtin::Head => {
            let t = c.table(&arg(0))?;
            let n = c.num(&arg(1))?.max(0.0) as usize;
            let rows: Vec<usize> = (0..n.min(t.n_rows())).collect();
            Ok(Value::Table(Rc::new(t.select_rows(&rows))))
        }
        Builtin::Dropnan => {
            let t = c.table(&arg(0))?;
            let bad = t.non_finite_rows();
            let keep: Vec<usize> = (0..t.n_rows()).filter(|r| bad.binary_search(r).is_err()).collect();
            Ok(Value::Table(Rc::new(t.select_rows(&keep))))
        }
        Builtin::WithColumn => {
            let t = c.table(&arg(0))?;
            let name = c.string(&arg(1))?;
            let (values, dim) = match arg(2) {
                Value::Formula(f) => (eval_on_table(&f, &t, span, src)?, crate::domain::formula_dim(&f, |v| t.dim(v))),
                v => (c.nums(&v)?, None),
            };
            if values.len() != t.n_rows() {
                return Err(c.err(
                    Code::BadArgument,
                    format!("{} values for a table of {} rows", values.len(), t.n_rows()),
                    "give one value per row",
                ));
            }
            Ok(Value::Table(Rc::new(t.with_column(&name, values, dim))))
        }
        Builtin::Table => {
            let Value::Record(fields) = arg(0) else { return Err(c.wrong("a record of columns", &arg(0))) };
            let mut names = Vec::new();
            let mut cols = Vec::new();
            for (n, v) in fields.iter() {
                names.push(n.clone());
                cols.push(c.nums(v)?);
            }
            Table::new(names, cols, "the table")
                .map(|t| Value::Table(Rc::new(t)))
                .map_err(|m| c.err(Code::BadArgument, m, "give equal-length columns"))
        }
        _ => unreachable!("`{}` is dispatched to another group", b.name()),
    }
}

/// Formulas: evaluation, symbolic manipulation, printing and `fit`.
fn call_formulas(
    vm: &mut Vm,
    b: Builtin,
    args: &[Value],
    extra: Vec<(String, Value)>,
    c: &Ctx,
) -> Result<Value, Diagnostic> {
    let (span, src) = (c.span, c.src);
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nothing);
    match b {
        Builtin::Eval => {
            let f = c.formula(&arg(0))?;
            match arg(1) {
                Value::Table(t) => Ok(nums_value(&eval_on_table(&f, &t, span, src)?)),
                Value::Nothing => call_formula(&f, extra.into_iter().map(|(n, v)| (Some(n), v)).collect(), span, src),
                other => Err(c.wrong("a table", &other)),
            }
        }
        Builtin::ParseFormula => {
            let text = c.string(&arg(0))?;
            crate::formula::parse_in(&text, &vm.ops).map(|f| Value::Formula(Rc::new(f))).map_err(|e| {
                c.err(
                    Code::NotSymbolic,
                    format!("not a formula: {} (at byte {})", e.message, e.span.start),
                    "write plain infix such as \"m1 * m2 / r^2\"",
                )
            })
        }
        Builtin::Simplify => Ok(Value::Formula(Rc::new(crate::formula::simplify(&*c.formula(&arg(0))?)))),
        Builtin::Diff => {
            let f = c.formula(&arg(0))?;
            let var = c.string(&arg(1))?;
            Ok(Value::Formula(Rc::new(crate::formula::diff(&f, &var))))
        }
        Builtin::Subs => {
            let mut f = (*c.formula(&arg(0))?).clone();
            for (var, v) in extra {
                let with = match v {
                    Value::Num(n) => Formula::constant(n),
                    Value::Formula(g) => (*g).clone(),
                    other => return Err(c.wrong("a number or formula", &other)),
                };
                f = crate::formula::subs(&f, &var, &with);
            }
            Ok(Value::Formula(Rc::new(f)))
        }
        Builtin::Latex | Builtin::Sympy => {
            let format = if b == Builtin::Latex { ExportFormat::Latex } else { ExportFormat::Sympy };
            let text = match arg(0) {
                Value::ConstFit(fit) => fit.export(format),
                Value::SearchResult(r) => match r.result.best() {
                    Some(e) => crate::search::export_formula_with_units(&e.formula, &e.const_dims, format),
                    None => return Err(c.err(Code::FitFailed, "the search found no formula", "run it longer")),
                },
                other => crate::search::export_formula(&*c.formula(&other)?, format),
            };
            Ok(Value::Str(text.into()))
        }
        Builtin::Vars => Ok(strs_value(&c.formula(&arg(0))?.used_vars())),
        Builtin::Constants => Ok(nums_value(&c.formula(&arg(0))?.consts)),
        Builtin::Complexity => {
            let f = c.formula(&arg(0))?;
            let n = match arg(1) {
                Value::OpSet(s) => s.complexity(&f) as f64,
                _ => OperatorSet::default().complexity(&f) as f64,
            };
            Ok(Value::Num(n))
        }
        Builtin::Fit => super::fit::fit(vm, arg(0), arg(1), extra, span, src),
        _ => unreachable!("`{}` is dispatched to another group", b.name()),
    }
}

/// Simulations and graph networks.
fn call_graphs(
    vm: &mut Vm,
    b: Builtin,
    args: &[Value],
    extra: Vec<(String, Value)>,
    c: &Ctx,
) -> Result<Value, Diagnostic> {
    let (span, src) = (c.span, c.src);
    let slots = given(args);
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nothing);
    match b {
        Builtin::SimulateNbody => simulate_nbody(c, &slots),
        Builtin::Train => super::network::train(vm, &net_call(c), &arg(0), &arg(1), &extra),
        Builtin::Refit => super::network::refit(vm, &net_call(c), &arg(0), &arg(1), &extra),
        Builtin::Messages => super::network::messages(&net_call(c), &arg(0), &arg(1), slots[2].as_ref()),
        Builtin::MessageR2 => super::network::message_r2(&net_call(c), &arg(0), &arg(1), &arg(2), &arg(3)),
        Builtin::Replace => super::network::replace(&net_call(c), &arg(0), &arg(1)),
        Builtin::Predict => super::network::predict(&net_call(c), &arg(0), &arg(1)),
        Builtin::Mae => super::network::mae(&net_call(c), &arg(0), &arg(1)),
        Builtin::Except => super::network::except(&net_call(c), &arg(0), &arg(1)),
        Builtin::LoadModel => super::network::load_model(&net_call(c), &c.string(&arg(0))?),
        Builtin::LoadGraphs => {
            let path = c.string(&arg(0))?;
            crate::data::load_graphs(Path::new(&*path))
                .map(|g| Value::Graphs(Rc::new(g)))
                .map_err(|d| d.with_span(span.clone()).in_source(src))
        }
        _ => unreachable!("`{}` is dispatched to another group", b.name()),
    }
}

fn simulate_nbody(c: &Ctx, slots: &[Option<Value>]) -> Result<Value, Diagnostic> {
    let law_name = c.string(slots[0].as_ref().unwrap_or(&Value::Nothing))?;
    let law = crate::sim::Law::from_name(&law_name)
        .ok_or_else(|| crate::domain::unknown_law(&law_name, c.span.clone()).in_source(c.src))?;
    // Every count has its default in the built-in's definition (crate::builtins).
    let count = |i: usize| -> Result<usize, Diagnostic> {
        match &slots[i] {
            None => Err(c.wrong("a count", &Value::Nothing)),
            Some(v) => {
                let x = c.num(v)?;
                if x < 0.0 || x.fract() != 0.0 || x > 1e9 {
                    return Err(c.err(
                        Code::BadArgument,
                        format!("expected a whole count, found {x}"),
                        "give a whole number",
                    ));
                }
                Ok(x as usize)
            }
        }
    };
    let mut cfg = crate::sim::SimConfig::new(law, count(1)?, count(2)?);
    cfg.n_sims = count(3)?;
    cfg.steps = count(4)?;
    cfg.keep_every = count(5)?;
    cfg.seed = count(6)? as u64;
    let data = crate::sim::simulate(&cfg)
        .map_err(|e| c.err(Code::BadArgument, e.to_string(), "check the simulation settings"))?;
    Ok(Value::Graphs(Rc::new(data)))
}

pub(super) fn net_call<'a>(c: &Ctx<'a>) -> super::network::Call<'a> {
    super::network::Call { name: c.name, span: c.span, src: c.src }
}

/// Coefficient of determination `1 - SS_res / SS_tot`.
pub fn r2(pred: &[f64], target: &[f64]) -> f64 {
    let mean = target.iter().sum::<f64>() / target.len() as f64;
    let ss_tot: f64 = target.iter().map(|t| (t - mean).powi(2)).sum();
    let ss_res: f64 = pred.iter().zip(target).map(|(p, t)| (p - t).powi(2)).sum();
    1.0 - ss_res / ss_tot
}

/// Evaluates a formula on every row of a table (with the fast evaluator).
pub fn eval_on_table(f: &Formula, t: &Table, span: &Span, src: SourceId) -> Result<Vec<f64>, Diagnostic> {
    // A formula known only at run time is compiled here; literals were compiled at lowering.
    compiled_on_table(&CompiledFormula::new(f), t, span, src)
}

/// Keeps the rows of a table where a condition formula is positive (comparisons give 1 or 0).
pub fn where_rows(t: &Value, cond: &CompiledFormula, span: &Span, src: SourceId) -> Result<Value, Diagnostic> {
    if let Value::Graphs(g) = t {
        return super::network::where_graphs(g, &cond.formula, span, src);
    }
    let Value::Table(t) = t else {
        return Err(runtime_error(
            Code::TypeMismatch,
            format!("`where` filters a table, not a {}", t.type_name()),
            span,
            src,
            "use it as `t where x > 0`",
        ));
    };
    let values = compiled_on_table(cond, t, span, src)?;
    let keep: Vec<usize> = values.iter().enumerate().filter(|(_, v)| **v > 0.0).map(|(i, _)| i).collect();
    Ok(Value::Table(Rc::new(t.select_rows(&keep))))
}

/// `eval(formula { ... }, t)` with the formula compiled when the program was lowered.
pub fn eval_compiled(f: &CompiledFormula, t: &Value, span: &Span, src: SourceId) -> Result<Value, Diagnostic> {
    match t {
        Value::Table(t) => Ok(nums_value(&compiled_on_table(f, t, span, src)?)),
        other => Err(runtime_error(
            Code::TypeMismatch,
            format!("`eval(f, t)` takes a table, not a {}", other.type_name()),
            span,
            src,
            "pass a table",
        )),
    }
}

/// The table with the units of a record `{column: "unit", ...}` applied (values converted to SI).
fn with_units(c: &Ctx, t: &Table, units: &Value) -> Result<Value, Diagnostic> {
    let Value::Record(fields) = units else { return Err(c.wrong("a record of units", units)) };
    let mut t = t.clone();
    for (name, v) in fields.iter() {
        let text = c.string(v)?;
        let unit = sdl_units::Unit::parse(&text)
            .map_err(|e| c.err(Code::BadUnit, format!("unit of `{name}`: {e}"), &crate::diag::unit_help(&e)))?;
        t = match t.with_unit(name, &unit) {
            Some(Ok(t)) => t,
            Some(Err(had)) => {
                let message = crate::domain::columns::already_has_units(name, had);
                return Err(c.err(Code::BadUnit, message, crate::domain::columns::UNITS_ONCE));
            }
            None => {
                return Err(crate::domain::unknown_column(name, &t.names, &t.origin, c.span.clone()).in_source(c.src))
            }
        };
    }
    Ok(Value::Table(Rc::new(t)))
}

/// `with_column(t, name, formula { ... })` with the formula compiled when the program was lowered.
pub fn with_column_compiled(
    f: &CompiledFormula,
    t: &Value,
    name: &Value,
    span: &Span,
    src: SourceId,
) -> Result<Value, Diagnostic> {
    let c = Ctx { name: "with_column", span, src };
    let t = c.table(t)?;
    let name = c.string(name)?;
    let values = compiled_on_table(f, &t, span, src)?;
    let dim = crate::domain::formula_dim(&f.formula, |v| t.dim(v));
    Ok(Value::Table(Rc::new(t.with_column(&name, values, dim))))
}

fn compiled_on_table(f: &CompiledFormula, t: &Table, span: &Span, src: SourceId) -> Result<Vec<f64>, Diagnostic> {
    f.eval_on(t).map_err(|v| crate::domain::unknown_column(&v, &t.names, &t.origin, span.clone()).in_source(src))
}

/// Applies a formula operator to numbers (a number) or to formulas (a formula).
pub fn apply_op(op: Op, args: Args, span: &Span, src: SourceId) -> Result<Value, Diagnostic> {
    if args.len() != op.arity() || args.iter().any(|(n, _)| n.is_some()) {
        return Err(runtime_error(
            Code::WrongArgCount,
            format!("`{op}` takes {} positional argument(s)", op.arity()),
            span,
            src,
            "pass them by position",
        ));
    }
    let values: Vec<Value> = args.into_iter().map(|(_, v)| v).collect();
    if values.iter().all(|v| matches!(v, Value::Num(_))) {
        let xs: Vec<f64> = values.iter().map(|v| if let Value::Num(n) = v { *n } else { f64::NAN }).collect();
        return Ok(Value::Num(op.apply(&xs)));
    }
    let mut fs = Vec::new();
    for v in values {
        match v {
            Value::Num(n) => fs.push(Formula::constant(n)),
            Value::Formula(f) => fs.push((*f).clone()),
            other => {
                return Err(runtime_error(
                    Code::TypeMismatch,
                    format!("`{op}` takes numbers or formulas, not a {}", other.type_name()),
                    span,
                    src,
                    "pass numbers or formulas",
                ))
            }
        }
    }
    Ok(Value::Formula(Rc::new(Formula::apply(op, fs))))
}

/// `f(t)` evaluates on a table; `f(x: 1, y: 2)` on named values.
pub fn call_formula(f: &Formula, args: Args, span: &Span, src: SourceId) -> Result<Value, Diagnostic> {
    if let [(None, Value::Table(t))] = args.as_slice() {
        return Ok(nums_value(&eval_on_table(f, t, span, src)?));
    }
    let mut row = vec![f64::NAN; f.vars.len()];
    for (name, v) in &args {
        let (Some(name), Value::Num(x)) = (name, v) else {
            return Err(runtime_error(
                Code::WrongArgCount,
                "a formula is called with one table or with named numbers",
                span,
                src,
                "write f(t) or f(x: 1, y: 2)",
            ));
        };
        if let Some(i) = f.vars.iter().position(|v| v == name) {
            row[i] = *x;
        }
    }
    let used = f.used_vars();
    if let Some(missing) = used.iter().find(|v| !args.iter().any(|(n, _)| n.as_deref() == Some(v.as_str()))) {
        return Err(runtime_error(
            Code::WrongArgCount,
            format!("no value for variable `{missing}`"),
            span,
            src,
            "give a value for every variable",
        ));
    }
    Ok(Value::Num(f.eval_row(&row)))
}
