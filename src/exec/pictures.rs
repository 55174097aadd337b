//! Pictures from values: `plot`, `plot_messages` and `plot_predictions` at run time, and the
//! figures `sdl fit --plot`, `sdl bench train --plot` and `report` draw. In: language values (a
//! table with options, a search, a constant fit, a network, graphs); out: an
//! [`sdl_plot::Picture`] written to the file the name's extension asks for, a line saying where
//! it went (and what was skipped), and, with `show: true`, the picture in the terminal.
//!
//! Always true: every figure comes from one function here (`pareto_figure`,
//! `training_figure`, `messages_picture`, ...), so the language, the command line and reports
//! draw the same pictures; NaN and infinite values are counted and reported
//! (`note[non-finite-data]`), never drawn; a picture with nothing in it is `nothing-to-plot`.

use super::builtins::{net_call, Ctx};
use super::fit::{ConstFitOutcome, SearchOutcome};
use super::network::{self, TrainedNet};
use super::value::Value;
use super::Vm;
use crate::builtins::Builtin;
use crate::data::Table;
use crate::diag::{Code, Diagnostic};
use crate::formula::Formula;
use crate::search::SearchResult;
use crate::sim::GraphData;
use crate::train::{extract_messages, linear_fit, r_squared, training_device, ModelMeta, Network, TrainError, Truth};
use sdl_plot::{Axis, Corner, Drawn, Figure, Format, Picture, PlotError, Series, Style};
use std::io::Write;
use std::path::Path;

/// Points a panel of messages draws at most (every k-th edge beyond).
const MESSAGE_POINTS: usize = 5000;
/// Points a training curve draws at most (block means beyond).
const CURVE_POINTS: usize = 2000;

/// Named options of a picture built-in.
pub(super) struct Opts<'a>(pub &'a [(String, Value)]);

impl Opts<'_> {
    fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// A string option.
    pub(super) fn string(&self, c: &Ctx, name: &str) -> Result<Option<String>, Diagnostic> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => c.string(v).map(|s| Some(s.to_string())),
        }
    }

    /// A bool option.
    pub(super) fn flag(&self, c: &Ctx, name: &str) -> Result<Option<bool>, Diagnostic> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(c.wrong(&format!("true or false for `{name}`"), other)),
        }
    }

    /// A whole number option of at least `min`.
    fn count(&self, c: &Ctx, name: &str, min: f64, max: f64) -> Result<Option<usize>, Diagnostic> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => {
                let n = c.num(v)?;
                if n.fract() != 0.0 || n < min || n > max {
                    return Err(c.err(
                        Code::BadArgument,
                        format!("`{name}: {n}` must be a whole number from {min} to {max}"),
                        "give a whole number in that range",
                    ));
                }
                Ok(Some(n as usize))
            }
        }
    }
}

/// Runs a picture built-in (`report` is in [`super::report`]).
pub(super) fn call(
    vm: &mut Vm,
    b: Builtin,
    args: &[Value],
    extra: &[(String, Value)],
    c: &Ctx,
) -> Result<Value, Diagnostic> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nothing);
    let opts = Opts(extra);
    let (pic, path) = match b {
        Builtin::Plot => {
            let path = picture_path(c, &arg(1))?;
            (plot_picture(c, &arg(0), &opts)?, path)
        }
        Builtin::PlotMessages => {
            let path = picture_path(c, &arg(2))?;
            let call = net_call(c);
            let model = call.network(&arg(0))?;
            let data = call.graphs(&arg(1))?;
            let truth = opts.string(c, "truth")?;
            let (pic, _) = messages_picture(&call, &model, &data, truth.as_deref())?;
            (pic, path)
        }
        Builtin::PlotPredictions => {
            let path = picture_path(c, &arg(2))?;
            let residuals = opts.flag(c, "residuals")?.unwrap_or(false);
            (Picture::single(predictions_of(c, &arg(0), &arg(1), residuals)?), path)
        }
        Builtin::Report => return super::report::report(vm, c, &arg(0), &arg(1), &opts),
        _ => unreachable!("`{}` is dispatched to another group", b.name()),
    };
    let pic = with_look(c, pic, &opts)?;
    emit(vm, c, &pic, &path, opts.flag(c, "show")?.unwrap_or(false))
}

/// The file name, checked for a picture format before anything is drawn.
fn picture_path(c: &Ctx, v: &Value) -> Result<String, Diagnostic> {
    let path = c.string(v)?;
    match Format::from_path(Path::new(&*path)) {
        Ok(_) => Ok(path.to_string()),
        Err(_) => Err(crate::domain::files::unknown_format(&path, false, c.span.clone()).in_source(c.src)),
    }
}

/// `title:`, `width:` and `height:` applied to a picture.
fn with_look(c: &Ctx, mut pic: Picture, opts: &Opts) -> Result<Picture, Diagnostic> {
    if let Some(t) = opts.string(c, "title")? {
        match pic.panels.as_mut_slice() {
            [one] => one.title = t,
            _ => pic.title = Some(t),
        }
    }
    if let Some(w) = opts.count(c, "width", 16.0, 16384.0)? {
        pic.width = w as u32;
    }
    if let Some(h) = opts.count(c, "height", 16.0, 16384.0)? {
        pic.height = h as u32;
    }
    Ok(pic)
}

/// Writes the picture, says where, and shows it in the terminal when asked.
fn emit(vm: &mut Vm, c: &Ctx, pic: &Picture, path: &str, show: bool) -> Result<Value, Diagnostic> {
    let drawn = sdl_plot::write(pic, Path::new(path)).map_err(|e| plot_error(c, e))?;
    let _ = write!(vm.out, "{}", written(path, &drawn));
    if show {
        let _ = write!(vm.out, "{}", inline(pic, path).map_err(|e| plot_error(c, e))?);
    }
    let _ = vm.out.flush();
    Ok(Value::Nothing)
}

/// `wrote FILE (png, 800 x 600, N points)` and a note for each kind of value left out.
pub fn written(path: &str, d: &Drawn) -> String {
    let mut out =
        format!("wrote {path} ({}, {} x {}, {} points)\n", d.format.name(), d.width, d.height, d.counts.drawn);
    let n = &d.counts;
    if n.non_finite > 0 {
        out.push_str(&format!("note[non-finite-data]: {} NaN or infinite value(s) skipped, not drawn\n", n.non_finite));
    }
    if n.non_positive > 0 {
        out.push_str(&format!("note: {} value(s) not positive skipped on a logarithmic axis\n", n.non_positive));
    }
    if n.thinned > 0 {
        out.push_str(&format!(
            "note: {} point(s) of series longer than {} left out (every k-th drawn)\n",
            n.thinned,
            sdl_plot::MAX_POINTS
        ));
    }
    out
}

/// The escape sequence that shows a picture in this terminal, or a note saying it cannot.
pub fn inline(pic: &Picture, path: &str) -> Result<String, PlotError> {
    use sdl_plot::terminal::{self, Protocol};
    Ok(match terminal::detect(&|k| std::env::var(k).ok()) {
        Some(Protocol::Sixel) => {
            let (rgb, _, _) = sdl_plot::render_rgb(pic)?;
            terminal::sixel(&rgb, pic.width, pic.height)
        }
        Some(Protocol::Kitty) => terminal::kitty(&sdl_plot::render(pic, Format::Png)?.bytes),
        Some(Protocol::Iterm) => terminal::iterm(&sdl_plot::render(pic, Format::Png)?.bytes, path),
        None => format!(
            "note: this terminal does not show pictures inline (kitty, iTerm2, WezTerm and sixel terminals do; \
             SDL_IMAGE_PROTOCOL=kitty|iterm|sixel chooses one); open {path}\n"
        ),
    })
}

/// A drawing or writing failure as a coded diagnostic.
fn plot_error(c: &Ctx, e: PlotError) -> Diagnostic {
    let (code, help) = match &e {
        PlotError::UnknownFormat { path, .. } => {
            return crate::domain::files::unknown_format(path, false, c.span.clone()).in_source(c.src)
        }
        PlotError::Empty { .. } => (Code::NothingToPlot, "plot data with finite values (see `dropnan`)"),
        PlotError::BadSize { .. } => (Code::BadArgument, "give width and height from 16 to 16384 pixels"),
        PlotError::Io { .. } => (Code::IoError, "check that the folder exists and can be written"),
        PlotError::Draw(_) => (Code::IoError, "report this"),
    };
    c.err(code, e.to_string(), help)
}

/// The picture `plot` draws for a value.
fn plot_picture(c: &Ctx, subject: &Value, opts: &Opts) -> Result<Picture, Diagnostic> {
    let mut fig = match subject {
        Value::Table(t) => table_figure(c, t, opts)?,
        Value::SearchResult(o) => pareto_figure(&o.result),
        Value::ConstFit(o) => const_fit_figure(c, o)?,
        Value::Network(n) => {
            if n.meta.history.is_empty() {
                return Err(c.err(Code::NothingToPlot, "the network has no training history", "train it first"));
            }
            training_figure(&n.meta)
        }
        Value::Graphs(g) => {
            let sim = opts.count(c, "sim", 0.0, 1e9)?.unwrap_or(0);
            trajectories_figure(g, sim).map_err(|m| c.err(Code::BadArgument, m, "pick a simulation that exists"))?
        }
        other => return Err(c.wrong("a table, a fit, a network or graphs", other)),
    };
    if let Some(b) = opts.flag(c, "logx")? {
        fig.x.log = b;
    }
    if let Some(b) = opts.flag(c, "logy")? {
        fig.y.log = b;
    }
    Ok(Picture::single(fig))
}

/// One series' values: a column, or a formula evaluated on the table.
struct Column {
    label: String,
    unit: Option<String>,
    values: Vec<f64>,
}

fn column(c: &Ctx, t: &Table, name: &str) -> Result<Column, Diagnostic> {
    match t.column(name) {
        Some(v) => Ok(Column { label: name.to_string(), unit: t.dim(name).map(|d| d.to_string()), values: v.to_vec() }),
        None => Err(crate::domain::unknown_column(name, &t.names, &t.origin, c.span.clone()).in_source(c.src)),
    }
}

/// The columns or formulas of a `y:` / `lines:` option.
fn series_values(c: &Ctx, t: &Table, v: &Value) -> Result<Vec<Column>, Diagnostic> {
    match v {
        Value::Str(name) => Ok(vec![column(c, t, name)?]),
        Value::Formula(f) => Ok(vec![formula_column(c, t, f)?]),
        Value::List(items) => items
            .iter()
            .map(|i| series_values(c, t, i))
            .collect::<Result<Vec<Vec<Column>>, _>>()
            .map(|v| v.into_iter().flatten().collect()),
        other => Err(c.wrong("a column name, a formula or a list of them", other)),
    }
}

fn formula_column(c: &Ctx, t: &Table, f: &Formula) -> Result<Column, Diagnostic> {
    let values = super::builtins::eval_on_table(f, t, c.span, c.src)?;
    Ok(Column { label: f.to_string(), unit: None, values })
}

/// `name [unit]`, or the name alone.
fn with_unit(name: &str, unit: &Option<String>) -> String {
    match unit {
        Some(u) if !u.is_empty() => format!("{name} [{u}]"),
        _ => name.to_string(),
    }
}

/// A table's columns and formulas: `y:` as points, `lines:` as lines sorted by x.
fn table_figure(c: &Ctx, t: &Table, opts: &Opts) -> Result<Figure, Diagnostic> {
    if t.n_rows() == 0 {
        return Err(c.err(Code::NothingToPlot, format!("{} has no rows", t.origin), "check the table and any `where`"));
    }
    let x = match opts.string(c, "x")? {
        Some(name) => Some(column(c, t, &name)?),
        None if t.names.len() >= 2 => Some(column(c, t, &t.names[0])?),
        None => None,
    };
    let x = x.unwrap_or_else(|| Column {
        label: "row".into(),
        unit: None,
        values: (0..t.n_rows()).map(|i| i as f64).collect(),
    });
    let points = match opts.get("y") {
        Some(v) => series_values(c, t, v)?,
        None if opts.get("lines").is_some() => vec![],
        None => t.names.iter().filter(|n| **n != x.label).map(|n| column(c, t, n)).collect::<Result<_, _>>()?,
    };
    let lines = match opts.get("lines") {
        Some(v) => series_values(c, t, v)?,
        None => vec![],
    };
    let all: Vec<&Column> = points.iter().chain(&lines).collect();
    let ylabel = match opts.string(c, "ylabel")? {
        Some(l) => l,
        None if all.len() == 1 => with_unit(&all[0].label, &all[0].unit),
        None => match all.first().map(|c| &c.unit) {
            Some(Some(u)) if all.iter().all(|c| c.unit.as_ref() == Some(u)) => format!("[{u}]"),
            _ => String::new(),
        },
    };
    let xlabel = opts.string(c, "xlabel")?.unwrap_or_else(|| with_unit(&x.label, &x.unit));
    let mut fig = Figure::new("", Axis::linear(xlabel), Axis::linear(ylabel));
    let label = |col: &Column| if all.len() > 1 { col.label.clone() } else { String::new() };
    for col in &points {
        fig.series.push(Series::new(label(col), Style::Points, x.values.clone(), col.values.clone()));
    }
    let mut order: Vec<usize> = (0..x.values.len()).collect();
    order.sort_by(|&a, &b| x.values[a].total_cmp(&x.values[b]));
    for col in &lines {
        let xs = order.iter().map(|&i| x.values[i]).collect();
        let ys = order.iter().map(|&i| col.values[i]).collect();
        fig.series.push(Series::new(label(col), Style::Line, xs, ys));
    }
    Ok(fig)
}

/// A formula cut to `max` characters for a legend.
fn short(f: &Formula, max: usize) -> String {
    let s = f.to_string();
    if s.chars().count() <= max {
        s
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
}

/// True when values are all positive and span at least a factor of ten: a logarithmic axis
/// shows them better than a linear one.
fn wide_and_positive(values: &[f64]) -> bool {
    let (lo, hi) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
    !values.is_empty() && lo > 0.0 && hi / lo >= 10.0
}

/// The Pareto front of a search: loss against complexity (a log axis when the losses are
/// positive and span a decade or more), the chosen formula marked.
pub fn pareto_figure(r: &SearchResult) -> Figure {
    let front = r.pareto();
    let xs: Vec<f64> = front.iter().map(|e| f64::from(e.complexity)).collect();
    let ys: Vec<f64> = front.iter().map(|e| e.loss).collect();
    let log = wide_and_positive(&ys);
    let mut fig = Figure::new("Pareto front", Axis::linear("complexity"), Axis { label: "loss".into(), log })
        .with(Series::new("Pareto front", Style::LinePoints, xs, ys));
    if let Some(b) = r.best() {
        fig.series.push(Series::new(
            format!("chosen: {}", short(&b.formula, 48)),
            Style::Highlight,
            vec![f64::from(b.complexity)],
            vec![b.loss],
        ));
    }
    fig
}

/// The loss of every training step (block means when there are more than 2,000 steps) and the
/// validation error when it was measured; logarithmic when the values are positive and span a
/// decade or more.
pub fn training_figure(meta: &ModelMeta) -> Figure {
    let h = &meta.history;
    let k = h.len().div_ceil(CURVE_POINTS).max(1);
    let (xs, ys): (Vec<f64>, Vec<f64>) = h
        .chunks(k)
        .enumerate()
        .map(|(i, block)| ((i * k + block.len()) as f64, block.iter().sum::<f64>() / block.len() as f64))
        .unzip();
    let label = if k > 1 { format!("training loss (mean of {k} steps)") } else { "training loss".to_string() };
    let all: Vec<f64> = ys.iter().chain(meta.validation.iter().map(|(_, v)| v)).copied().collect();
    let log = wide_and_positive(&all);
    let mut fig = Figure::new("training", Axis::linear("step"), Axis { label: "loss".into(), log }).with(Series::new(
        label,
        Style::Line,
        xs,
        ys,
    ));
    if !meta.validation.is_empty() {
        let (vx, vy) = meta.validation.iter().map(|(s, v)| (*s as f64, *v)).unzip();
        fig.series.push(Series::new("validation error (MAE)", Style::LinePoints, vx, vy));
    }
    fig
}

/// Predictions against the truth (or residuals against the truth), with `y = x` (or `y = 0`)
/// for reference and R^2 in the title.
pub fn predictions_figure(
    what: &str,
    series: &[(String, Vec<f64>, Vec<f64>)],
    residuals: bool,
    unit: &Option<String>,
) -> Figure {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut truth_all, mut pred_all) = (Vec::new(), Vec::new());
    for (_, truth, pred) in series {
        for (t, p) in truth.iter().zip(pred) {
            if t.is_finite() && p.is_finite() {
                lo = lo.min(*t);
                hi = hi.max(*t);
                truth_all.push(*t);
                pred_all.push(*p);
            }
        }
    }
    let r2 = if truth_all.len() >= 2 { super::builtins::r2(&pred_all, &truth_all) } else { f64::NAN };
    let title = format!("{what} (R² = {})", crate::data::format_num((r2 * 1e4).round() / 1e4));
    let y = if residuals { "prediction − truth" } else { "prediction" };
    let mut fig = Figure::new(title, Axis::linear(with_unit("truth", unit)), Axis::linear(with_unit(y, unit)));
    fig.legend = Corner::LowerRight;
    for (label, truth, pred) in series {
        let ys = if residuals { pred.iter().zip(truth).map(|(p, t)| p - t).collect() } else { pred.clone() };
        let label = if series.len() > 1 { label.clone() } else { String::new() };
        fig.series.push(Series::new(label, Style::Points, truth.clone(), ys));
    }
    if lo < hi {
        let (a, b) = if residuals { (0.0, 0.0) } else { (lo, hi) };
        fig.series.push(Series::new(
            if residuals { "y = 0" } else { "y = x" },
            Style::Reference,
            vec![lo, hi],
            vec![a, b],
        ));
    }
    fig
}

/// A fit's predictions on a table (its target column is the truth), or a network's
/// accelerations on graphs.
fn predictions_of(c: &Ctx, fit: &Value, data: &Value, residuals: bool) -> Result<Figure, Diagnostic> {
    let (formula, target) = match fit {
        Value::SearchResult(o) => match o.result.best() {
            Some(b) => (b.formula.clone(), o.data.target.clone()),
            None => return Err(c.err(Code::NothingToPlot, "the search found no formula", "allow more iterations")),
        },
        Value::ConstFit(o) => (o.formula.clone(), o.data.target.clone()),
        Value::Network(n) => {
            let call = net_call(c);
            let g = call.graphs(data)?;
            network::check_dim(&call, n, &g)?;
            return network_predictions(&call, n, &g, residuals);
        }
        other => return Err(c.wrong("a fit or a network", other)),
    };
    let t = c.table(data)?;
    let truth = column(c, &t, &target)?;
    let pred = super::builtins::eval_on_table(&formula, &t, c.span, c.src)?;
    let what = format!("{target} on {}", t.origin);
    Ok(predictions_figure(&what, &[(target, truth.values, pred)], residuals, &truth.unit))
}

/// A network's predicted accelerations against the true ones, one series per component.
pub fn network_predictions(
    call: &network::Call,
    n: &TrainedNet,
    g: &GraphData,
    residuals: bool,
) -> Result<Figure, Diagnostic> {
    let graphs = network::sample(g);
    let pred =
        crate::train::predict_accelerations(&n.net, graphs, &training_device()).map_err(|e| call.train_error(e))?;
    let truth: Vec<&Vec<f64>> = graphs.iter().flat_map(|gr| gr.accel.iter()).collect();
    let series: Vec<(String, Vec<f64>, Vec<f64>)> = (0..g.dim)
        .map(|k| {
            let name = ["ax", "ay", "az"][k].to_string();
            (
                name,
                truth.iter().map(|a| a[k]).collect(),
                pred.iter().map(|p| p.get(k).copied().unwrap_or(f64::NAN)).collect(),
            )
        })
        .collect();
    Ok(predictions_figure(&format!("accelerations of {} graphs", graphs.len()), &series, residuals, &None))
}

/// A constant fit against its data: the data and the fitted curve when the formula has one
/// variable, predictions against the truth otherwise.
fn const_fit_figure(c: &Ctx, o: &ConstFitOutcome) -> Result<Figure, Diagnostic> {
    let t = &o.data.table;
    let truth = column(c, t, &o.data.target)?;
    let pred = super::builtins::eval_on_table(&o.formula, t, c.span, c.src)?;
    let vars = o.formula.used_vars();
    let [var] = vars.as_slice() else {
        let what = format!("{} ~ {}", o.data.target, short(&o.formula, 40));
        return Ok(predictions_figure(&what, &[(o.data.target.clone(), truth.values, pred)], false, &truth.unit));
    };
    let x = column(c, t, var)?;
    let mut order: Vec<usize> = (0..x.values.len()).collect();
    order.sort_by(|&a, &b| x.values[a].total_cmp(&x.values[b]));
    let title = format!("{} = {}", o.data.target, short(&o.formula, 60));
    let mut fig =
        Figure::new(title, Axis::linear(with_unit(var, &x.unit)), Axis::linear(with_unit(&o.data.target, &truth.unit)))
            .with(Series::new("data", Style::Points, x.values.clone(), truth.values))
            .with(Series::new(
                "fit",
                Style::Line,
                order.iter().map(|&i| x.values[i]).collect(),
                order.iter().map(|&i| pred[i]).collect(),
            ));
    fig.legend = Corner::UpperLeft;
    Ok(fig)
}

/// Where each simulation starts: a graph whose bodies' charges or masses differ from the
/// previous graph's (every simulation draws its own), as graphs are stored simulation by
/// simulation.
fn simulation_starts(g: &GraphData) -> Vec<usize> {
    let (q, m) = (crate::sim::charge_index(g.dim), crate::sim::mass_index(g.dim));
    let key = |gr: &crate::sim::Graph| -> Vec<u64> {
        gr.nodes.iter().flat_map(|n| [n.get(q), n.get(m)]).map(|v| v.copied().unwrap_or(f64::NAN).to_bits()).collect()
    };
    let mut starts = vec![0];
    for i in 1..g.graphs.len() {
        if key(&g.graphs[i]) != key(&g.graphs[i - 1]) {
            starts.push(i);
        }
    }
    starts
}

/// The bodies' paths in one simulation (x against y; 3-D graphs are seen from above).
pub fn trajectories_figure(g: &GraphData, sim: usize) -> Result<Figure, String> {
    if g.graphs.is_empty() {
        return Err("there are no graphs".into());
    }
    let starts = simulation_starts(g);
    let Some(&from) = starts.get(sim) else {
        return Err(format!(
            "sim: {sim}, but the graphs hold {} simulation(s) (0 to {})",
            starts.len(),
            starts.len() - 1
        ));
    };
    let to = starts.get(sim + 1).copied().unwrap_or(g.graphs.len());
    let snaps = &g.graphs[from..to];
    let seen = if g.dim == 3 { ", seen from above" } else { "" };
    let title = format!("{}: simulation {sim}, {} bodies, {} snapshots{seen}", g.law.name(), g.n, snaps.len());
    let mut fig = Figure::new(title, Axis::linear("x"), Axis::linear("y"));
    for body in 0..g.n {
        let xs = snaps.iter().map(|s| s.nodes.get(body).map_or(f64::NAN, |n| n[0])).collect();
        let ys = snaps.iter().map(|s| s.nodes.get(body).map_or(f64::NAN, |n| n[1])).collect();
        fig.series.push(Series::new(format!("body {body}"), Style::Line, xs, ys));
    }
    let first = &snaps[0].nodes;
    fig.series.push(Series::new(
        "start",
        Style::Highlight,
        first.iter().map(|n| n[0]).collect(),
        first.iter().map(|n| n[1]).collect(),
    ));
    Ok(fig)
}

/// The paper's Figure 3: each top message channel against the best linear combination of the
/// truth (the pair force, the force over the receiver's mass, or for a Hamiltonian network the
/// pair potential), one panel per channel with its R^2. Returns the picture and the R^2s.
pub fn messages_picture(
    call: &network::Call,
    model: &TrainedNet,
    data: &GraphData,
    truth: Option<&str>,
) -> Result<(Picture, Vec<f64>), Diagnostic> {
    network::check_dim(call, model, data)?;
    let hamiltonian = matches!(model.net, Network::Hamiltonian(_));
    let truth = match (truth, hamiltonian) {
        (_, true) => Truth::Potential,
        (None | Some("force"), false) => Truth::Force,
        (Some("accel"), false) => Truth::Acceleration,
        (Some(other), false) => {
            return Err(call.err(
                Code::BadArgument,
                format!("truth: \"{other}\" is not a target"),
                "use \"force\" or \"accel\"",
            ))
        }
    };
    let order = network::ranked(call, model, data)?;
    let graphs = network::sample(data);
    let m = extract_messages(&model.net, graphs, &training_device()).map_err(|e| call.train_error(e))?;
    let targets = truth_columns(data, graphs, &m.edges, truth).map_err(|e| call.train_error(e))?;
    let k = if hamiltonian { 1 } else { data.dim.min(model.net.edge_channels()) };
    let what = match truth {
        Truth::Force => "the true force",
        Truth::Acceleration => "the force / mass",
        Truth::Potential => "the pair potential",
    };
    let stride = m.rows().div_ceil(MESSAGE_POINTS).max(1);
    let mut panels = Vec::with_capacity(k);
    let mut r2s = Vec::with_capacity(k);
    for (rank, &ch) in order.iter().take(k).enumerate() {
        let y = m.channel(ch);
        let fitted = linear_fit(&targets, &y).map_err(|e| call.train_error(e))?;
        let r2 = r_squared(&targets, &y).map_err(|e| call.train_error(e))?;
        r2s.push(r2);
        let name = if hamiltonian { "pair energy".to_string() } else { format!("e{rank}") };
        let (lo, hi) = fitted
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
        let mut fig = Figure::new(
            format!("{name} (R² = {:.3})", r2),
            Axis::linear(format!("linear combination of {what}")),
            Axis::linear(if hamiltonian { name.clone() } else { format!("message {name}") }),
        )
        .with(Series::new(
            "",
            Style::Points,
            fitted.iter().step_by(stride).copied().collect(),
            y.iter().step_by(stride).copied().collect(),
        ));
        if lo < hi {
            fig.series.push(Series::new("y = x", Style::Reference, vec![lo, hi], vec![lo, hi]));
        }
        fig.legend = Corner::LowerRight;
        panels.push(fig);
    }
    let mut pic = Picture::grid(panels);
    pic.title = Some(format!("messages against {what} ({} law, {} edges)", data.law.name(), m.rows()));
    Ok((pic, r2s))
}

/// The truth of every edge, one column per component.
fn truth_columns(
    data: &GraphData,
    graphs: &[crate::sim::Graph],
    edges: &[crate::train::EdgeRef],
    truth: Truth,
) -> Result<Vec<Vec<f64>>, TrainError> {
    let d = data.dim;
    let comps = if truth == Truth::Potential { 1 } else { d };
    let mut cols = vec![Vec::with_capacity(edges.len()); comps];
    for e in edges {
        let g = graphs.get(e.graph).ok_or_else(|| TrainError::BadData(format!("no graph {}", e.graph)))?;
        let (xi, xj) = (&g.nodes[e.receiver], &g.nodes[e.sender]);
        let values = match truth {
            Truth::Potential => vec![crate::sim::pair_potential(data.law, xi, xj, d)?],
            Truth::Force => crate::sim::pair_force(data.law, xi, xj, d)?,
            Truth::Acceleration => {
                let m = xi[crate::sim::mass_index(d)];
                crate::sim::pair_force(data.law, xi, xj, d)?.into_iter().map(|f| f / m).collect()
            }
        };
        for (col, v) in cols.iter_mut().zip(values) {
            col.push(v);
        }
    }
    Ok(cols)
}

/// A search's and a constant fit's predictions on the data they were fitted to: predictions
/// against the truth and the residuals, side by side (for reports and `sdl fit --plot`).
pub fn fit_predictions_picture(formula: &Formula, data: &super::fit::FitData) -> Option<Picture> {
    let t = &data.table;
    let truth = t.column(&data.target)?.to_vec();
    let pred = crate::domain::CompiledFormula::new(formula).eval_on(t).ok()?;
    let what = format!("{} on {}", data.target, t.origin);
    let series = [(data.target.clone(), truth, pred)];
    let unit = t.dim(&data.target).map(|d| d.to_string());
    Some(Picture::grid(vec![
        predictions_figure(&what, &series, false, &unit),
        predictions_figure("residuals", &series, true, &unit),
    ]))
}

/// The search outcome's figures for `sdl fit --plot`: the Pareto front beside predictions.
pub fn search_picture(o: &SearchOutcome) -> Picture {
    let mut panels = vec![pareto_figure(&o.result)];
    if let Some(p) = o.result.best().and_then(|b| fit_predictions_picture(&b.formula, &o.data)) {
        panels.push(p.panels.into_iter().next().unwrap_or_default());
    }
    Picture::grid(panels)
}
