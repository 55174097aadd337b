//! `sdl bench train`: simulates a law, trains the paper's graph network for a number of
//! optimiser steps and prints the training throughput and the Table-1 R^2 (the reviewers'
//! command of the graph-network issue). Progress goes to stderr; the last two lines of stdout
//! are always `graphs_per_s=X` and `table1_r2=Y` (scored as the paper's code does, on the
//! best-fitting 90% of edges; the line before gives the same fit scored on every edge, and
//! `table1_r2_accel`, the paper's score against the force divided by the receiver's mass).
//! `--plot` draws the training curve beside each top message channel against the true force on
//! the test graphs (the paper's Figure 3); `--report` writes the run's HTML page. The command is
//! also called `sdl bench table1`.

use super::fail;
use crate::exec::fit::RunRecord;
use crate::exec::network::{Call, TrainedNet};
use crate::exec::pictures;
use crate::exec::INTERRUPTED;
use crate::sim::{simulate, Law, SimConfig};
use crate::train::ModelMeta;
use crate::train::{
    extract_messages, training_device, truth_fit, Dataset, GraphNetConfig, NetworkConfig, Penalty, Schedule, Stop,
    TrainConfig, Trainer, Truth,
};
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `sdl bench train`.
#[derive(clap::Args, Debug)]
pub struct TrainBenchArgs {
    /// Force law to simulate (spring, r1, r2, charge, damped, discontinuous, ...).
    #[arg(long, default_value = "spring")]
    pub law: String,
    /// Spatial dimension (2 or 3).
    #[arg(long, default_value_t = 2)]
    pub dim: usize,
    /// Bodies per simulation.
    #[arg(long, default_value_t = 4)]
    pub n: usize,
    /// Message penalty: none, l1, kl or bottleneck.
    #[arg(long, default_value = "l1")]
    pub penalty: String,
    /// Penalty weight for l1 (paper 1e-2) and kl (default 1).
    #[arg(long)]
    pub weight: Option<f64>,
    /// Optimiser steps.
    #[arg(long, default_value_t = 1000)]
    pub steps: usize,
    /// Graphs per step.
    #[arg(long, default_value_t = 64)]
    pub batch: usize,
    /// Hidden width of both MLPs.
    #[arg(long, default_value_t = 300)]
    pub hidden: usize,
    /// Hidden layers of both MLPs.
    #[arg(long, default_value_t = 3)]
    pub layers: usize,
    /// Message size (ignored for a bottleneck, which uses dim).
    #[arg(long, default_value_t = 100)]
    pub msg: usize,
    /// Peak learning rate.
    #[arg(long, default_value_t = 1e-3)]
    pub lr: f64,
    /// Learning-rate schedule: onecycle or constant.
    #[arg(long, default_value = "onecycle")]
    pub schedule: String,
    /// Threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Parts each batch is cut into, trained on in parallel (results depend on this, not on
    /// --threads).
    #[arg(long, default_value_t = 2)]
    pub shards: usize,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Simulations to draw graphs from (each gives 200 graphs; 75% train, 25% test).
    #[arg(long, default_value_t = 1000)]
    pub sims: usize,
    /// Also print the Table-1 R^2 on the test graphs every this many steps (0: only at the end).
    #[arg(long, default_value_t = 0)]
    pub eval_every: usize,
    /// Save the trained network to this file (load it in sdl with `load_model`).
    #[arg(long)]
    pub save: Option<PathBuf>,
    /// Draw the training loss and each top message channel against the true force (the paper's
    /// Figure 3) on the test graphs, to a PNG or SVG file (default table1.png).
    #[arg(long, value_name = "FILE.png", num_args = 0..=1, default_missing_value = "table1.png")]
    pub plot: Option<PathBuf>,
    /// Write a self-contained HTML page about the run (settings, training, messages, timings).
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
}

fn penalty(args: &TrainBenchArgs) -> Result<Penalty, String> {
    Ok(match args.penalty.as_str() {
        "none" => Penalty::None,
        "bottleneck" => Penalty::Bottleneck,
        "l1" => Penalty::L1 { weight: args.weight.unwrap_or(1e-2) },
        "kl" => Penalty::Kl { weight: args.weight.unwrap_or(1.0) },
        other => return Err(format!("no penalty `{other}`")),
    })
}

/// Runs `sdl bench train`; returns the exit status.
pub fn bench_train(args: &TrainBenchArgs) -> u8 {
    if let Err(code) = super::check_outputs(args.plot.as_deref(), args.report.as_deref()) {
        return code;
    }
    let Some(law) = Law::from_name(&args.law) else {
        let names: Vec<&str> = Law::all().iter().map(|l| l.name()).collect();
        return fail("bad-argument", format!("no force law `{}`", args.law), &format!("laws: {}", names.join(", ")));
    };
    let penalty = match penalty(args) {
        Ok(p) => p,
        Err(e) => return fail("bad-argument", e, "use none, l1, kl or bottleneck"),
    };
    let Some(schedule) = Schedule::from_name(&args.schedule) else {
        return fail("bad-argument", format!("no schedule `{}`", args.schedule), "use onecycle or constant");
    };
    let mut sim = SimConfig::new(law, args.n, args.dim);
    sim.n_sims = args.sims;
    sim.seed = args.seed;
    let start = Instant::now();
    let data = match simulate(&sim).and_then(|d| d.split(0.75, args.seed)) {
        Ok(d) => d,
        Err(e) => return fail("bad-argument", e.to_string(), "check --law, --n, --dim and --sims"),
    };
    let (train, test) = data;
    eprintln!(
        "simulated {} train and {} test graphs in {:.1} s",
        train.len(),
        test.len(),
        start.elapsed().as_secs_f64()
    );
    let dataset = match Dataset::from_graph_data(&train) {
        Ok(d) => d,
        Err(e) => return fail("bad-argument", e.to_string(), "simulate more graphs"),
    };
    let mut net = GraphNetConfig::paper(args.dim, penalty).with_mlp(args.hidden, args.layers);
    if penalty != Penalty::Bottleneck {
        net = net.with_msg_dim(args.msg);
    }
    let config = TrainConfig {
        batch: args.batch,
        lr: args.lr,
        schedule,
        seed: args.seed,
        threads: args.threads,
        shards: args.shards,
        ..TrainConfig::default()
    };
    let device = training_device();
    let mut trainer = match Trainer::new(&NetworkConfig::Graph(net), config, args.steps, &device) {
        Ok(t) => t,
        Err(e) => return fail("bad-argument", e.to_string(), "check the network settings"),
    };
    let sample = &test.graphs[..test.len().min(1000)];
    // The paper's score (best-fitting 90% of edges), the same fit scored on every edge, and the
    // paper's score against the force over the receiver's mass (what a network may carry instead).
    let table1 = |t: &Trainer| -> Result<(f64, f64, f64), String> {
        let m = extract_messages(t.network(), sample, &device).map_err(|e| e.to_string())?;
        let fit = |truth| truth_fit(&m, sample, law, args.dim, truth, None, 0.9).map_err(|e| e.to_string());
        let force = fit(Truth::Force)?;
        Ok((force.table1(), force.table1_all_edges(), fit(Truth::Acceleration)?.table1()))
    };
    let chunk = if args.eval_every == 0 { args.steps } else { args.eval_every };
    let mut train_secs = 0.0;
    let mut last_loss = f64::NAN;
    let mut history: Vec<f64> = Vec::new();
    let mut last_report = Instant::now();
    let mut progress = |p: &crate::train::Progress| {
        if last_report.elapsed().as_secs_f64() >= 10.0 || p.step == p.total {
            eprintln!("step {}/{} loss {:.5} graphs/s {:.0} lr {:.2e}", p.step, p.total, p.loss, p.graphs_per_s, p.lr);
            last_report = Instant::now();
        }
    };
    while trainer.steps_done() < args.steps {
        let until = (trainer.steps_done() + chunk).min(args.steps);
        let t0 = Instant::now();
        let outcome = trainer.run_until(&dataset, until, &INTERRUPTED, &mut progress);
        train_secs += t0.elapsed().as_secs_f64();
        match outcome {
            Ok((losses, stop)) => {
                if let Some(l) = losses.last() {
                    last_loss = *l;
                }
                history.extend(losses);
                if stop == Stop::Interrupted {
                    eprintln!("interrupted after {} steps", trainer.steps_done());
                    break;
                }
            }
            Err(e) => {
                eprintln!("training stopped: {e}");
                break;
            }
        }
        if args.eval_every > 0 && trainer.steps_done() < args.steps {
            match table1(&trainer) {
                Ok((r2, all, accel)) => println!(
                    "step={} loss={last_loss:.5} table1_r2={r2:.4} table1_r2_all_edges={all:.4} \
                     table1_r2_accel={accel:.4}",
                    trainer.steps_done()
                ),
                Err(e) => eprintln!("table 1: {e}"),
            }
        }
    }
    if let Some(path) = &args.save {
        let meta = crate::train::ModelMeta {
            steps: trainer.steps_done(),
            law: Some(law.name().to_string()),
            ..Default::default()
        };
        if let Err(e) = crate::train::save_network(path, trainer.network(), &meta) {
            eprintln!("could not save: {e}");
        }
    }
    let (r2, all, accel) = match table1(&trainer) {
        Ok(r) => r,
        Err(e) => return fail("fit-failed", e, "train longer or on more graphs"),
    };
    println!(
        "steps={} final_loss={last_loss:.5} train_seconds={train_secs:.1} table1_r2_all_edges={all:.4} \
         table1_r2_accel={accel:.4}",
        trainer.steps_done()
    );
    println!("graphs_per_s={:.1}", (trainer.steps_done() * args.batch) as f64 / train_secs.max(1e-9));
    println!("table1_r2={r2:.4}");
    let interrupted = u8::from(INTERRUPTED.load(std::sync::atomic::Ordering::Relaxed)) * 130;
    if args.plot.is_none() && args.report.is_none() {
        return interrupted;
    }
    let trained = TrainedNet {
        net: trainer.network().clone(),
        meta: ModelMeta { history, steps: trainer.steps_done(), law: Some(law.name().into()), ..ModelMeta::default() },
        run: Some(RunRecord {
            what: format!(
                "sdl bench train --law {} --dim {} --penalty {} --steps {}",
                law.name(),
                args.dim,
                args.penalty,
                args.steps
            ),
            given: vec![],
            settings: format!("{args:#?}\n{:#?}\n{:#?}", trainer.network().config(), trainer.config()),
            seed: args.seed,
            seconds: train_secs,
        }),
        data: None,
    };
    match outputs(args, &trained, &test, r2) {
        0 => interrupted,
        status => status,
    }
}

/// `--plot` (the training curve beside the paper's Figure 3 on the test graphs) and `--report`.
fn outputs(args: &TrainBenchArgs, trained: &TrainedNet, test: &crate::sim::GraphData, r2: f64) -> u8 {
    let span = 0..0;
    let call = Call { name: "sdl bench train", span: &span, src: 0 };
    let plot = match &args.plot {
        Some(path) => match pictures::messages_picture(&call, trained, test, None) {
            Ok((messages, _)) => {
                let mut panels = vec![pictures::training_figure(&trained.meta)];
                panels.extend(messages.panels);
                let mut pic = sdl_plot::Picture::grid(panels);
                pic.title =
                    Some(format!("{} law, {}-D, {} penalty: table1_r2 = {r2:.4}", args.law, args.dim, args.penalty));
                Some((path.as_path(), pic))
            }
            Err(d) => return fail(d.code.name(), d.message, d.help.as_deref().unwrap_or("")),
        },
        None => None,
    };
    let report = match &args.report {
        Some(path) => {
            let title = Some(format!("sdl bench train: {} law, {}-D, {} penalty", args.law, args.dim, args.penalty));
            match crate::exec::report::network_page(&call, trained, Some(test), title) {
                Ok(page) => Some((path.as_path(), page)),
                Err(d) => return fail(d.code.name(), d.message, d.help.as_deref().unwrap_or("")),
            }
        }
        None => None,
    };
    super::write_outputs(plot, report)
}
