//! Graph networks at run time: `graphnet` declarations become networks on the graphs they are
//! trained on (`sdl-train`), and `train`, `refit`, `messages`, `message_r2`, `replace`,
//! `predict`, `mae`, model files and graph filtering are carried out here.
//!
//! Training shows a progress line on a terminal, stops between steps on Ctrl-C and keeps the
//! network trained so far (the interrupt is consumed here, like a search's), saves a checkpoint
//! every half minute when asked (`checkpoint: "run.sdlnet"`; the same call resumes from it), and
//! reports a loss that is no longer finite as `training-diverged` after putting the last good
//! weights in the checkpoint.

use super::value::Value;
use super::{runtime_error, Vm, INTERRUPTED};
use crate::data::Table;
use crate::diag::{Code, Diagnostic, SourceId};
use crate::domain::graphnet::{GraphNetDecl, GraphNetTemplate};
use crate::formula::Formula;
use crate::sim::GraphData;
use crate::syntax::ast::Span;
use crate::train::{
    acceleration_mae, extract_messages, load_checkpoint, load_network, predict_accelerations, save_checkpoint,
    save_network, training_device, truth_fit, Dataset, ModelMeta, Network, NetworkConfig, Progress, Schedule, Stop,
    TrainConfig, TrainError, Trainer, Truth,
};
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// A trained network with what is known of its training.
#[derive(Debug)]
pub struct TrainedNet {
    pub net: Network,
    pub meta: ModelMeta,
    /// How this session trained it (none for a network read from a file or changed by
    /// `replace`).
    pub run: Option<super::fit::RunRecord>,
    /// The graphs it was trained on, shared (for reports).
    pub data: Option<Rc<GraphData>>,
}

/// Graphs evaluated at most when measuring a loss or ranking channels.
const SAMPLE: usize = 1000;

impl TrainedNet {
    /// `symbolic`, `message passing` or `hamiltonian`.
    pub fn kind(&self) -> &'static str {
        match &self.net {
            Network::Graph(g) if g.message_formulas().is_some() => "symbolic",
            Network::Graph(_) => "message passing",
            Network::Hamiltonian(_) => "hamiltonian",
        }
    }

    /// Channels in decreasing order of their standard deviation when training ended.
    pub fn ranking(&self) -> Vec<usize> {
        let s = &self.meta.channel_std;
        let mut idx: Vec<usize> = (0..s.len()).collect();
        idx.sort_by(|&a, &b| s[b].total_cmp(&s[a]).then(a.cmp(&b)));
        idx
    }

    /// A few lines: kind, sizes, steps and loss.
    pub fn summary(&self) -> String {
        let config = self.net.config();
        let mut out = format!("network ({}, {}-D", self.kind(), config.dim());
        if let NetworkConfig::Graph(g) = &config {
            out.push_str(&format!(
                ", message size {}, {} aggregation, penalty {}",
                g.msg_dim,
                g.aggregation.name(),
                g.penalty.describe()
            ));
        }
        out.push_str(&format!("): {} steps", self.meta.steps));
        if let Some(l) = self.meta.loss {
            out.push_str(&format!(", loss {l:.6}"));
        }
        if let Some(b) = self.meta.loss_before {
            out.push_str(&format!(" (before refit {b:.6})"));
        }
        if self.meta.stopped_early {
            out.push_str(", stopped early");
        }
        if let Network::Graph(g) = &self.net {
            for (c, f) in g.message_formulas().unwrap_or_default() {
                out.push_str(&format!("\n  channel {c}: {f}"));
            }
        }
        out
    }

    /// `.loss`, `.history`, ...
    pub fn field(&self, name: &str) -> Option<Value> {
        let nums = |xs: Vec<f64>| Value::List(Rc::new(xs.into_iter().map(Value::Num).collect()));
        Some(match name {
            "loss" => Value::Num(self.meta.loss.unwrap_or(f64::NAN)),
            "loss_before" => Value::Num(self.meta.loss_before.unwrap_or(f64::NAN)),
            "history" => nums(self.meta.history.clone()),
            "steps" => Value::Num(self.meta.steps as f64),
            "formulas" => Value::List(Rc::new(match &self.net {
                Network::Graph(g) => g
                    .message_formulas()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(_, f)| Value::Formula(Rc::new(f)))
                    .collect(),
                Network::Hamiltonian(_) => vec![],
            })),
            "channels" => nums(self.ranking().into_iter().map(|c| c as f64).collect()),
            "kind" => Value::Str(self.kind().into()),
            "dim" => Value::Num(self.net.dim() as f64),
            "stopped_early" => Value::Bool(self.meta.stopped_early),
            _ => return None,
        })
    }
}

/// One line describing a declaration (how it prints).
pub fn describe_decl(d: &GraphNetDecl) -> String {
    let mlp = |m: &crate::train::MlpSpec| {
        format!("mlp(hidden: {}, layers: {}, activation: {})", m.hidden, m.layers, m.activation.name())
    };
    match d {
        GraphNetDecl::Message { message, msg_dim, node, node_out, global, aggregation, penalty, .. } => {
            let mut s = format!("graphnet {{ message: {}", mlp(message));
            if let Some(m) = msg_dim {
                s.push_str(&format!(" -> {m}"));
            }
            s.push_str(&format!(", node: {} -> {node_out}", mlp(node)));
            if let Some((g, k)) = global {
                s.push_str(&format!(", global: {} -> {k}", mlp(g)));
            }
            s.push_str(&format!(", aggregate: {}, penalty: {} }}", aggregation.name(), penalty.describe()));
            s
        }
        GraphNetDecl::Hamiltonian { pair, self_energy } => {
            format!("graphnet {{ pair: {} -> 1, self: {} -> 1 }}", mlp(pair), mlp(self_energy))
        }
    }
}

/// Context of one call, for errors.
pub struct Call<'a> {
    pub name: &'static str,
    pub span: &'a Span,
    pub src: SourceId,
}

impl Call<'_> {
    pub(super) fn err(&self, code: Code, message: impl Into<String>, help: &str) -> Diagnostic {
        runtime_error(code, message, self.span, self.src, help)
    }

    fn wrong(&self, what: &str, v: &Value) -> Diagnostic {
        self.err(Code::TypeMismatch, format!("`{}` expected {what}, found {}", self.name, v.type_name()), "see `:help`")
    }

    pub(super) fn graphs(&self, v: &Value) -> Result<Rc<GraphData>, Diagnostic> {
        match v {
            Value::Graphs(g) => Ok(g.clone()),
            other => Err(self.wrong("graphs", other)),
        }
    }

    pub(super) fn network(&self, v: &Value) -> Result<Rc<TrainedNet>, Diagnostic> {
        match v {
            Value::Network(n) => Ok(n.clone()),
            other => Err(self.wrong("a network", other)),
        }
    }

    /// A `TrainError` as a diagnostic.
    pub(super) fn train_error(&self, e: TrainError) -> Diagnostic {
        match e {
            TrainError::BadFormula(m) if m.contains("does not see") => {
                self.err(Code::UnknownVariable, m, "use the columns of the table `messages` returns")
            }
            TrainError::BadFormula(m) => self.err(Code::BadArgument, m, "give one formula per message channel kept"),
            TrainError::BadData(m) => self.err(Code::NetworkDataMismatch, m, "use graphs of the network's dimension"),
            TrainError::NoData => self.err(Code::BadArgument, "no graphs given", "simulate or load some graphs"),
            TrainError::Diverged { step } => self.err(
                Code::TrainingDiverged,
                format!("the loss stopped being finite at step {step}"),
                "lower the learning rate (lr:) or the penalty weight",
            ),
            TrainError::Io(m) => self.err(Code::IoError, m, "check the path and permissions"),
            TrainError::BadFile(m) => {
                self.err(Code::BadModelFile, m, "pass a file sdl wrote, or delete the stale checkpoint")
            }
            other => self.err(Code::BadArgument, other.to_string(), "check the settings"),
        }
    }

    fn mismatch(&self, m: crate::domain::graphnet::Mismatch) -> Diagnostic {
        self.err(Code::NetworkDataMismatch, m.message, &m.help)
    }
}

/// Builds a declaration from its template and the values of its size expressions.
pub fn make_graphnet(t: &GraphNetTemplate, values: Vec<Value>, src: SourceId) -> Result<Value, Diagnostic> {
    let nums: Vec<f64> = values.iter().map(|v| if let Value::Num(n) = v { *n } else { f64::NAN }).collect();
    t.instantiate(&nums).map(|d| Value::GraphNet(Rc::new(d))).map_err(|(message, at)| {
        Diagnostic::new(Code::BadGraphnet, message, at)
            .with_label("this size")
            .with_help("sizes are whole numbers of at least 1")
            .in_source(src)
    })
}

/// Checks that no body of `data` has a NaN or infinite feature or acceleration.
fn check_finite(c: &Call, data: &GraphData) -> Result<(), Diagnostic> {
    let bad = data.graphs.iter().position(|g| g.nodes.iter().chain(&g.accel).flatten().any(|v| !v.is_finite()));
    match bad {
        Some(g) => Err(c.err(
            Code::NonFiniteData,
            format!("graph {g} has NaN or infinite values"),
            "drop those graphs first, e.g. `data where is_finite(x)`",
        )),
        None => Ok(()),
    }
}

/// What `train` / `refit` do besides the optimiser's settings.
struct RunOptions {
    steps: usize,
    progress: bool,
    checkpoint: Option<String>,
    /// Graphs whose error is measured about 20 times during the run.
    validation: Option<Rc<GraphData>>,
}

/// The settings of `train` / `refit` from their named options.
fn train_config(
    c: &Call,
    opts: &[(String, Value)],
    data_len: usize,
    default_steps: usize,
    vm: &Vm,
) -> Result<(TrainConfig, RunOptions), Diagnostic> {
    let mut config = TrainConfig::default();
    let mut steps = None;
    let mut epochs = None;
    let mut progress = vm.progress;
    let mut checkpoint = None;
    let mut validation = None;
    for (name, v) in opts {
        let num = || match v {
            Value::Num(n) => Ok(*n),
            other => Err(c.wrong(&format!("a number for `{name}`"), other)),
        };
        let count = |min: f64| -> Result<usize, Diagnostic> {
            let n = num()?;
            if n.fract() != 0.0 || n < min || n > 1e9 {
                return Err(c.err(
                    Code::BadArgument,
                    format!("`{name}` must be a whole number of at least {min}, not {n}"),
                    "give a whole number",
                ));
            }
            Ok(n as usize)
        };
        match name.as_str() {
            "steps" => steps = Some(count(0.0)?),
            "epochs" => epochs = Some(num()?),
            "batch" => config.batch = count(1.0)?,
            "lr" => config.lr = num()?,
            "weight_decay" => config.weight_decay = num()?,
            "augment" => config.augment_sigma = num()?,
            "seed" => config.seed = count(0.0)? as u64,
            "threads" => config.threads = count(0.0)?,
            "shards" => config.shards = count(1.0)?,
            "schedule" => {
                let Value::Str(s) = v else { return Err(c.wrong("a schedule name", v)) };
                config.schedule = Schedule::from_name(s).ok_or_else(|| {
                    c.err(Code::BadArgument, format!("no schedule \"{s}\""), "use \"onecycle\" or \"constant\"")
                })?;
            }
            "progress" => progress = matches!(v, Value::Bool(true)),
            "checkpoint" => {
                let Value::Str(s) = v else { return Err(c.wrong("a path", v)) };
                checkpoint = Some(s.to_string());
            }
            "validation" => {
                let g = c.graphs(v)?;
                check_finite(c, &g)?;
                validation = Some(g);
            }
            other => {
                return Err(c.err(Code::UnknownNamedArg, format!("`{}` has no option `{other}`", c.name), "see :help"))
            }
        }
    }
    config.shards = config.shards.min(config.batch);
    let steps = match (steps, epochs) {
        (Some(s), _) => s,
        (None, Some(e)) if e.is_finite() && e > 0.0 => ((e * data_len as f64) / config.batch as f64).ceil() as usize,
        (None, Some(e)) => {
            return Err(c.err(
                Code::BadArgument,
                format!("epochs must be positive, not {e}"),
                "give a number of passes",
            ))
        }
        (None, None) => default_steps,
    };
    config.validate().map_err(|e| c.train_error(e))?;
    Ok((config, RunOptions { steps, progress, checkpoint, validation }))
}

/// The first `SAMPLE` graphs.
pub(super) fn sample(data: &GraphData) -> &[crate::sim::Graph] {
    &data.graphs[..data.len().min(SAMPLE)]
}

/// What a run of the trainer gave: the loss of every step, the validation curve, whether
/// Ctrl-C stopped it, and its wall-clock time.
struct Driven {
    losses: Vec<f64>,
    validation: Vec<(usize, f64)>,
    interrupted: bool,
    seconds: f64,
}

/// Runs a trainer to its end (or Ctrl-C), with progress, checkpoints and, with validation
/// graphs, their error after every twentieth of the run.
fn drive(
    c: &Call,
    trainer: &mut Trainer,
    dataset: &Dataset,
    run: &RunOptions,
    meta: &ModelMeta,
) -> Result<Driven, Diagnostic> {
    let (show, checkpoint) = (run.progress, run.checkpoint.as_deref());
    let started = Instant::now();
    let mut validation = Vec::new();
    let validate = |t: &Trainer, curve: &mut Vec<(usize, f64)>| -> Result<(), Diagnostic> {
        if let Some(v) = &run.validation {
            let mae = acceleration_mae(t.network(), sample(v), &training_device()).map_err(|e| c.train_error(e))?;
            curve.push((t.steps_done(), mae));
        }
        Ok(())
    };
    // Slices of 200 steps, so a checkpoint is written about every 30 s; shorter with validation.
    let slice = match run.validation {
        Some(_) => trainer.total_steps().div_ceil(20).clamp(1, 200),
        None => 200,
    };
    validate(trainer, &mut validation)?;
    let mut losses = Vec::new();
    let mut last_save = Instant::now();
    let save = |t: &Trainer| -> Result<(), Diagnostic> {
        match checkpoint {
            Some(p) => save_checkpoint(Path::new(p), t, meta).map_err(|e| c.train_error(e)),
            None => Ok(()),
        }
    };
    let mut progress = |p: &Progress| {
        if show {
            eprint!(
                "\r\x1b[2Ktrain: step {}/{}  loss {:.5}  {:.0} graphs/s  lr {:.1e}",
                p.step, p.total, p.loss, p.graphs_per_s, p.lr
            );
        }
    };
    let interrupted = loop {
        let until = (trainer.steps_done() + slice).min(trainer.total_steps());
        match trainer.run_until(dataset, until, &INTERRUPTED, &mut progress) {
            Ok((l, stop)) => {
                losses.extend(l);
                validate(trainer, &mut validation)?;
                if stop == Stop::Interrupted {
                    break true;
                }
            }
            Err(e) => {
                if show {
                    eprintln!();
                }
                save(trainer)?;
                return Err(c.train_error(e));
            }
        }
        if trainer.steps_done() >= trainer.total_steps() {
            break false;
        }
        if last_save.elapsed().as_secs_f64() >= 30.0 {
            save(trainer)?;
            last_save = Instant::now();
        }
    };
    if show {
        eprintln!();
    }
    save(trainer)?;
    if interrupted {
        INTERRUPTED.store(false, Ordering::SeqCst);
        eprintln!("training interrupted after {} steps: keeping the network trained so far", trainer.steps_done());
    }
    Ok(Driven { losses, validation, interrupted, seconds: started.elapsed().as_secs_f64() })
}

/// Standard deviation of each edge-output channel over a sample of `data`.
fn channel_std(c: &Call, net: &Network, data: &GraphData) -> Result<Vec<f64>, Diagnostic> {
    let m = extract_messages(net, sample(data), &training_device()).map_err(|e| c.train_error(e))?;
    Ok(m.channel_std())
}

fn finish(
    c: &Call,
    trainer: Trainer,
    data: &Rc<GraphData>,
    mut meta: ModelMeta,
    driven: Driven,
    mut run: super::fit::RunRecord,
) -> Result<Value, Diagnostic> {
    let steps = trainer.steps_done();
    run.settings = format!("{:#?}\n{:#?}", trainer.network().config(), trainer.config());
    run.seed = trainer.config().seed;
    run.seconds = driven.seconds;
    let net = trainer.into_network();
    meta.steps += steps;
    meta.history = driven.losses;
    meta.validation = driven.validation;
    meta.stopped_early = driven.interrupted;
    meta.loss = Some(acceleration_mae(&net, sample(data), &training_device()).map_err(|e| c.train_error(e))?);
    Ok(Value::Network(Rc::new(TrainedNet { net, meta, run: Some(run), data: Some(data.clone()) })))
}

/// What ran, with the options as given (the settings, seed and time are added at the end).
fn record(what: String, opts: &[(String, Value)]) -> super::fit::RunRecord {
    let given = opts.iter().map(|(n, v)| (n.clone(), v.to_string())).collect();
    super::fit::RunRecord { what, given, ..Default::default() }
}

/// `train(gn, data, steps: ..., ...)`.
pub fn train(vm: &mut Vm, c: &Call, decl: &Value, data: &Value, opts: &[(String, Value)]) -> Result<Value, Diagnostic> {
    let Value::GraphNet(decl) = decl else { return Err(c.wrong("a graphnet declaration", decl)) };
    let data = c.graphs(data)?;
    check_finite(c, &data)?;
    let net_config = decl.config_for(data.dim).map_err(|m| c.mismatch(m))?;
    let (config, run) = train_config(c, opts, data.len(), 1000, vm)?;
    let checkpoint = run.checkpoint.clone();
    let dataset = Dataset::from_graph_data(&data).map_err(|e| c.train_error(e))?;
    let device = training_device();
    let mut meta = ModelMeta { law: Some(data.law.name().to_string()), ..ModelMeta::default() };
    let resumed = match &checkpoint {
        Some(p) if Path::new(p).exists() => {
            let (t, m) = load_checkpoint(Path::new(p), &device).map_err(|e| c.train_error(e))?;
            if t.network().config() != net_config {
                return Err(c.err(
                    Code::BadModelFile,
                    format!("the checkpoint {p} holds another network"),
                    "delete it, or give this run another checkpoint path",
                ));
            }
            meta = m;
            meta.steps = 0;
            Some(t)
        }
        _ => None,
    };
    let mut trainer = match resumed {
        Some(t) => t,
        None => Trainer::new(&net_config, config, run.steps, &device).map_err(|e| c.train_error(e))?,
    };
    let driven = drive(c, &mut trainer, &dataset, &run, &meta)?;
    meta.channel_std = channel_std(c, trainer.network(), &data)?;
    let what = format!("train({}, {} graphs of {} bodies in {}-D)", describe_decl(decl), data.len(), data.n, data.dim);
    finish(c, trainer, &data, meta, driven, record(what, opts))
}

/// `refit(model, data, steps: ..., ...)`: trains every weight and constant further.
pub fn refit(
    vm: &mut Vm,
    c: &Call,
    model: &Value,
    data: &Value,
    opts: &[(String, Value)],
) -> Result<Value, Diagnostic> {
    let model = c.network(model)?;
    let data = c.graphs(data)?;
    check_finite(c, &data)?;
    if data.dim != model.net.dim() {
        return Err(c.err(
            Code::NetworkDataMismatch,
            format!("the network was trained on {}-D graphs; these are {}-D", model.net.dim(), data.dim),
            "use graphs of the dimension the network was trained on",
        ));
    }
    let (config, run) = train_config(c, opts, data.len(), 1000, vm)?;
    let dataset = Dataset::from_graph_data(&data).map_err(|e| c.train_error(e))?;
    let device = training_device();
    let before = acceleration_mae(&model.net, sample(&data), &device).map_err(|e| c.train_error(e))?;
    let mut trainer =
        Trainer::from_network(model.net.clone(), config, run.steps, &device).map_err(|e| c.train_error(e))?;
    let mut meta = model.meta.clone();
    meta.loss_before = Some(before);
    let driven = drive(c, &mut trainer, &dataset, &run, &meta)?;
    let what = format!("refit({} network, {} graphs of {} bodies in {}-D)", model.kind(), data.len(), data.n, data.dim);
    finish(c, trainer, &data, meta, driven, record(what, opts))
}

/// The channels of `model` in rank order (measured on `data` when the model has no ranking).
pub(super) fn ranked(c: &Call, model: &TrainedNet, data: &GraphData) -> Result<Vec<usize>, Diagnostic> {
    if model.meta.channel_std.len() == model.net.edge_channels() {
        return Ok(model.ranking());
    }
    let s = channel_std(c, &model.net, data)?;
    let meta = ModelMeta { channel_std: s, ..ModelMeta::default() };
    let t = TrainedNet { net: model.net.clone(), meta, run: None, data: None };
    Ok(t.ranking())
}

pub(super) fn check_dim(c: &Call, model: &TrainedNet, data: &GraphData) -> Result<(), Diagnostic> {
    if data.dim != model.net.dim() {
        return Err(c.err(
            Code::NetworkDataMismatch,
            format!("the network was trained on {}-D graphs; these are {}-D", model.net.dim(), data.dim),
            "use graphs of the dimension the network was trained on",
        ));
    }
    Ok(())
}

/// `messages(model, data, top: k)`.
pub fn messages(c: &Call, model: &Value, data: &Value, top: Option<&Value>) -> Result<Value, Diagnostic> {
    let model = c.network(model)?;
    let data = c.graphs(data)?;
    check_dim(c, &model, &data)?;
    let channels = model.net.edge_channels();
    let default_top = crate::domain::default_top(data.dim, channels, matches!(model.net, Network::Hamiltonian(_)));
    let top = match top {
        None | Some(Value::Nothing) => default_top,
        Some(Value::Num(k)) if k.fract() == 0.0 && *k >= 1.0 && (*k as usize) <= channels => *k as usize,
        Some(Value::Num(k)) => {
            return Err(c.err(
                Code::BadArgument,
                format!("top: {k} is not between 1 and the {channels} channels"),
                "ask for fewer channels",
            ))
        }
        Some(other) => return Err(c.wrong("a channel count", other)),
    };
    let order = ranked(c, &model, &data)?;
    let m = extract_messages(&model.net, &data.graphs, &training_device()).map_err(|e| c.train_error(e))?;
    let names = crate::domain::message_columns(data.dim, top);
    let mut columns: Vec<Vec<f64>> = vec![Vec::with_capacity(m.rows()); names.len()];
    let d = data.dim;
    for (row, e) in m.edges.iter().enumerate() {
        let g = &data.graphs[e.graph];
        let (xi, xj) = (&g.nodes[e.receiver], &g.nodes[e.sender]);
        let mut values = vec![e.graph as f64, e.receiver as f64, e.sender as f64];
        values.extend_from_slice(xi);
        values.extend_from_slice(xj);
        let delta: Vec<f64> = (0..d).map(|k| xj[k] - xi[k]).collect();
        values.extend_from_slice(&delta);
        values.push(delta.iter().map(|v| v * v).sum::<f64>().sqrt());
        values.extend(crate::sim::pair_force(data.law, xi, xj, d).unwrap_or_else(|_| vec![f64::NAN; d]));
        values.push(crate::sim::pair_potential(data.law, xi, xj, d).unwrap_or(f64::NAN));
        let msg = m.row(row).unwrap_or(&[]);
        values.extend(order[..top].iter().map(|&ch| msg.get(ch).copied().unwrap_or(f64::NAN)));
        for (col, v) in columns.iter_mut().zip(values) {
            col.push(v);
        }
    }
    let table = Table::new(names, columns, "the messages").map_err(|e| c.err(Code::BadArgument, e, "report this"))?;
    Ok(Value::Table(Rc::new(table)))
}

/// `message_r2(model, data, keep: 0.9, truth: "force")`: the Table-1 number, scored on the
/// best-fitting `keep` fraction of edges as the paper's code does (`keep: 1` counts every edge),
/// against the pair force or (`truth: "accel"`) the force divided by the receiver's mass.
pub fn message_r2(c: &Call, model: &Value, data: &Value, keep: &Value, truth: &Value) -> Result<Value, Diagnostic> {
    // Defaults (keep 0.9, truth "force") are filled in from the built-in's definition.
    let keep = match keep {
        Value::Num(k) if *k > 0.0 && *k <= 1.0 => *k,
        Value::Num(k) => {
            return Err(c.err(
                Code::BadArgument,
                format!("keep: {k} is not in (0, 1]"),
                "keep 0.9 (the paper) or 1 (every edge)",
            ))
        }
        other => return Err(c.wrong("a fraction", other)),
    };
    let model = c.network(model)?;
    let data = c.graphs(data)?;
    check_dim(c, &model, &data)?;
    let accel = match truth {
        Value::Str(s) if &**s == "force" => false,
        Value::Str(s) if &**s == "accel" => true,
        Value::Str(s) => {
            return Err(c.err(
                Code::BadArgument,
                format!("truth: \"{s}\" is not a target the messages are scored against"),
                "use truth: \"force\" (the paper's) or truth: \"accel\" (force over the receiver's mass)",
            ))
        }
        other => return Err(c.wrong("\"force\" or \"accel\"", other)),
    };
    let (truth, k) = match model.net {
        Network::Graph(_) => {
            (if accel { Truth::Acceleration } else { Truth::Force }, data.dim.min(model.net.edge_channels()))
        }
        Network::Hamiltonian(_) if accel => {
            return Err(c.err(
                Code::BadArgument,
                "a Hamiltonian network is scored against its pair energy; there is no acceleration to compare",
                "leave out truth:",
            ))
        }
        Network::Hamiltonian(_) => (Truth::Potential, 1),
    };
    let order = ranked(c, &model, &data)?;
    let graphs = sample(&data);
    let m = extract_messages(&model.net, graphs, &training_device()).map_err(|e| c.train_error(e))?;
    let fit = truth_fit(&m, graphs, data.law, data.dim, truth, Some(order[..k].to_vec()), keep)
        .map_err(|e| c.train_error(e))?;
    Ok(Value::Num(fit.table1()))
}

/// `replace(model, message: f)` or `message: [f0, f1, ...]` for the top channels.
pub fn replace(c: &Call, model: &Value, message: &Value) -> Result<Value, Diagnostic> {
    let model = c.network(model)?;
    let Network::Graph(g) = &model.net else {
        return Err(c.err(
            Code::TypeMismatch,
            "`replace` puts formulas in place of a message model; this network is Hamiltonian",
            "fit its pair energy from `messages(model, data)` instead",
        ));
    };
    let formulas: Vec<Formula> = match message {
        Value::Formula(f) => vec![(**f).clone()],
        Value::Num(n) => vec![Formula::constant(*n)],
        Value::List(items) => items
            .iter()
            .map(|v| match v {
                Value::Formula(f) => Ok((**f).clone()),
                Value::Num(n) => Ok(Formula::constant(*n)),
                other => Err(c.wrong("formulas", other)),
            })
            .collect::<Result<_, _>>()?,
        other => return Err(c.wrong("a formula or a list of formulas", other)),
    };
    let order = model.ranking();
    let order = if order.len() == g.msg_dim() { order } else { (0..g.msg_dim()).collect() };
    if formulas.len() > order.len() {
        return Err(c.err(
            Code::BadArgument,
            format!("{} formulas for {} message channels", formulas.len(), order.len()),
            "give at most one formula per channel",
        ));
    }
    let pairs: Vec<(usize, Formula)> = order.iter().copied().zip(formulas).collect();
    let net = g.replace_messages(&pairs, &training_device()).map_err(|e| c.train_error(e))?;
    let mut meta = model.meta.clone();
    meta.loss = None;
    meta.loss_before = None;
    Ok(Value::Network(Rc::new(TrainedNet { net: Network::Graph(net), meta, run: None, data: model.data.clone() })))
}

/// `predict(model, data)`: a table of predicted accelerations.
pub fn predict(c: &Call, model: &Value, data: &Value) -> Result<Value, Diagnostic> {
    let model = c.network(model)?;
    let data = c.graphs(data)?;
    check_dim(c, &model, &data)?;
    let pred = predict_accelerations(&model.net, &data.graphs, &training_device()).map_err(|e| c.train_error(e))?;
    let mut names = vec!["graph".to_string(), "node".to_string()];
    names.extend(["ax", "ay", "az"][..data.dim].iter().map(|s| s.to_string()));
    let mut columns: Vec<Vec<f64>> = vec![Vec::with_capacity(pred.len()); names.len()];
    for (i, p) in pred.iter().enumerate() {
        columns[0].push((i / data.n) as f64);
        columns[1].push((i % data.n) as f64);
        for (k, v) in p.iter().enumerate() {
            columns[2 + k].push(*v);
        }
    }
    let table =
        Table::new(names, columns, "the predictions").map_err(|e| c.err(Code::BadArgument, e, "report this"))?;
    Ok(Value::Table(Rc::new(table)))
}

/// `mae(model, data)`.
pub fn mae(c: &Call, model: &Value, data: &Value) -> Result<Value, Diagnostic> {
    let model = c.network(model)?;
    let data = c.graphs(data)?;
    check_dim(c, &model, &data)?;
    acceleration_mae(&model.net, &data.graphs, &training_device()).map(Value::Num).map_err(|e| c.train_error(e))
}

/// `save(model, path)` for a network.
pub fn save_model(c: &Call, model: &TrainedNet, path: &str) -> Result<(), Diagnostic> {
    save_network(Path::new(path), &model.net, &model.meta).map_err(|e| c.train_error(e))
}

/// `load_model(path)`.
pub fn load_model(c: &Call, path: &str) -> Result<Value, Diagnostic> {
    if !Path::new(path).exists() {
        return Err(c.err(Code::FileNotFound, format!("no file {path}"), "check the path"));
    }
    let (net, meta) = load_network(Path::new(path), &training_device()).map_err(|e| c.train_error(e))?;
    Ok(Value::Network(Rc::new(TrainedNet { net, meta, run: None, data: None })))
}

/// The graphs of `data` where `cond` holds for every body (a condition on node columns) or
/// every pair (on edge columns).
pub fn where_graphs(data: &GraphData, cond: &Formula, span: &Span, src: SourceId) -> Result<Value, Diagnostic> {
    let used = cond.used_vars();
    let (node_names, node_rows) = data.node_columns();
    let (names, rows) =
        if used.iter().all(|v| node_names.contains(v)) { (node_names, node_rows) } else { data.edge_columns() };
    let columns: Vec<Vec<f64>> = (0..names.len()).map(|j| rows.iter().map(|r| r[j]).collect()).collect();
    let table = Table::new(names, columns, "the graphs")
        .map_err(|e| runtime_error(Code::BadArgument, e, span, src, "report this"))?;
    let values = super::builtins::eval_on_table(cond, &table, span, src)?;
    let graph_col = table.column("graph").unwrap_or(&[]);
    let mut keep = vec![true; data.len()];
    for (g, v) in graph_col.iter().zip(&values) {
        // NaN counts as false, as in `where` on tables.
        if v.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            if let Some(k) = keep.get_mut(*g as usize) {
                *k = false;
            }
        }
    }
    let graphs = data.graphs.iter().zip(&keep).filter(|(_, &k)| k).map(|(g, _)| g.clone()).collect();
    Ok(Value::Graphs(Rc::new(GraphData { law: data.law, n: data.n, dim: data.dim, graphs })))
}

/// `except(data, subset)`: the graphs of `data` that are not in `subset` (compared by value).
pub fn except(c: &Call, data: &Value, subset: &Value) -> Result<Value, Diagnostic> {
    let data = c.graphs(data)?;
    let subset = c.graphs(subset)?;
    let key = |g: &crate::sim::Graph| -> Vec<u64> { g.nodes.iter().flatten().map(|v| v.to_bits()).collect() };
    let taken: std::collections::HashSet<Vec<u64>> = subset.graphs.iter().map(key).collect();
    let graphs = data.graphs.iter().filter(|g| !taken.contains(&key(g))).cloned().collect();
    Ok(Value::Graphs(Rc::new(GraphData { law: data.law, n: data.n, dim: data.dim, graphs })))
}

/// The node or edge table of graphs (`g.nodes`, `g.edges`).
pub fn graph_table(data: &GraphData, edges: bool) -> Value {
    let (names, rows) = if edges { data.edge_columns() } else { data.node_columns() };
    let columns: Vec<Vec<f64>> = (0..names.len()).map(|j| rows.iter().map(|r| r[j]).collect()).collect();
    let what = if edges { "edges" } else { "nodes" };
    let dims = vec![None; names.len()];
    Value::Table(Rc::new(Table { names, columns, dims, origin: format!("the {} graphs' {what}", data.law.name()) }))
}

/// `.nodes`, `.edges`, `.law`, `.n`, `.dim`, `.count` of graphs.
pub fn graphs_field(data: &GraphData, name: &str) -> Option<Value> {
    Some(match name {
        "nodes" => graph_table(data, false),
        "edges" => graph_table(data, true),
        "law" => Value::Str(data.law.name().into()),
        "n" => Value::Num(data.n as f64),
        "dim" => Value::Num(data.dim as f64),
        "count" => Value::Num(data.len() as f64),
        _ => return None,
    })
}
