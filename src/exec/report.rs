//! `report(result, "run.html")` and `--report FILE`: one self-contained HTML page per run. In:
//! a search, a constant fit or a trained network (with the data, settings and timings they
//! keep, [`super::fit::RunRecord`]); out: an [`sdl_plot::page::Page`] with a data summary,
//! every setting, the results (the Pareto table with formulas typeset as MathML), the pictures
//! of [`super::pictures`] inlined as PNG, the timings, sdl's version and the seed.
//!
//! Always true: the page loads nothing from anywhere (see `sdl_plot::page`); a picture that has
//! nothing to draw becomes a sentence on the page, not a failed report.

use super::builtins::{net_call, Ctx};
use super::fit::{ConstFitOutcome, FitData, RunRecord, SearchOutcome};
use super::network::{Call, TrainedNet};
use super::pictures::{self, Opts};
use super::value::Value;
use super::Vm;
use crate::data::{format_num, Table};
use crate::diag::Diagnostic;
use crate::formula::Formula;
use crate::sim::GraphData;
use sdl_plot::page::{Block, Html, Page, Section};
use sdl_plot::{Format, Picture};
use std::io::Write;
use std::time::Instant;

/// `report(result, path, title:, data:)`.
pub(super) fn report(vm: &mut Vm, c: &Ctx, result: &Value, path: &Value, opts: &Opts) -> Result<Value, Diagnostic> {
    let path = c.string(path)?;
    if !crate::domain::files::has_page_extension(&path) {
        return Err(crate::domain::files::unknown_format(&path, true, c.span.clone()).in_source(c.src));
    }
    let title = opts.string(c, "title")?;
    let page = match result {
        Value::SearchResult(o) => search_page(o, title),
        Value::ConstFit(o) => const_fit_page(o, title),
        Value::Network(n) => {
            let call = net_call(c);
            let data = match opts.0.iter().find(|(name, _)| name == "data") {
                Some((_, v)) => Some(call.graphs(v)?),
                None => n.data.clone(),
            };
            network_page(&call, n, data.as_deref(), title)?
        }
        other => return Err(c.wrong("a fit or a trained network", other)),
    };
    let bytes = write_page(&page, &path).map_err(|e| c.err(crate::diag::Code::IoError, e, "check the folder"))?;
    let _ = writeln!(vm.out, "wrote {path} (report page, {} KB)", bytes.div_ceil(1024));
    Ok(Value::Nothing)
}

/// Writes a page; returns its size in bytes.
pub fn write_page(page: &Page, path: &str) -> Result<usize, String> {
    let html = page.to_html();
    std::fs::write(path, &html).map_err(|e| format!("cannot write {path}: {e}"))?;
    Ok(html.len())
}

/// A picture as a page block (a sentence when there was nothing to draw).
fn picture_block(caption: &str, pic: Result<Picture, String>) -> Block {
    match pic.and_then(|p| sdl_plot::render(&p, Format::Png).map_err(|e| e.to_string())) {
        Ok(d) => Block::Picture {
            caption: caption.to_string(),
            bytes: d.bytes,
            svg: false,
            width: d.width,
            height: d.height,
        },
        Err(e) => Block::Paragraph(Html::text(format!("{caption}: no picture ({e})."))),
    }
}

/// The formula typeset, its constants shown to six significant digits (the plain text beside
/// it keeps every digit).
fn math(f: &Formula) -> Html {
    let mut shown = f.clone();
    for c in &mut shown.consts {
        if c.is_finite() && *c != 0.0 {
            *c = format!("{c:.5e}").parse().unwrap_or(*c);
        }
    }
    Html::raw(crate::formula::to_mathml(&shown))
}

fn sci(x: f64) -> String {
    if x.is_finite() && x != 0.0 {
        format!("{x:.4e}")
    } else {
        format_num(x)
    }
}

/// "written by sdl 0.1.0 on 2026-05-01 12:00 UTC, seed 0".
fn byline(run: &RunRecord) -> String {
    format!("written by sdl {} on {} · seed {}", env!("CARGO_PKG_VERSION"), utc_now(), run.seed)
}

/// The current time as `YYYY-MM-DD HH:MM UTC` (days to civil date: Howard Hinnant's algorithm).
fn utc_now() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", rem / 3600, rem % 3600 / 60)
}

/// The data: where it came from, its size, and each column's unit, range and mean.
fn data_section(t: &Table, target: &str) -> Section {
    let facts = vec![
        ("source".to_string(), Html::text(&t.origin)),
        ("rows".to_string(), Html::text(t.n_rows().to_string())),
        ("target".to_string(), Html::code(target)),
    ];
    let rows = t
        .names
        .iter()
        .zip(&t.columns)
        .zip(&t.dims)
        .map(|((name, col), dim)| {
            let finite: Vec<f64> = col.iter().copied().filter(|v| v.is_finite()).collect();
            let (lo, hi) = finite.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
            let mean = finite.iter().sum::<f64>() / finite.len().max(1) as f64;
            let num = |x: f64| Html::text(if finite.is_empty() { "–".to_string() } else { format_num(x) });
            vec![
                Html::code(name),
                Html::text(dim.map(|d| d.to_string()).unwrap_or_default()),
                num(lo),
                num(hi),
                num(mean),
                Html::text((col.len() - finite.len()).to_string()),
            ]
        })
        .collect();
    let header = ["column", "unit (SI)", "min", "max", "mean", "NaN or infinite"].map(String::from).to_vec();
    Section::new("Data").with(Block::Facts(facts)).with(Block::Table { header, rows, marked: None })
}

/// Every setting: the options as given, then everything in force.
fn settings_section(run: &RunRecord) -> Section {
    let given = if run.given.is_empty() {
        Block::Paragraph(Html::text("No options were given: every setting is a default."))
    } else {
        Block::Facts(run.given.iter().map(|(n, v)| (n.clone(), Html::code(v))).collect())
    };
    Section::new("Settings")
        .with(Block::Paragraph(Html::code(&run.what)))
        .with(given)
        .with(Block::Folded { summary: "every setting in force".into(), text: run.settings.clone() })
}

fn timings_section(run: &RunRecord, mut facts: Vec<(String, Html)>, drawn: Instant) -> Section {
    facts.insert(0, ("run time".into(), Html::text(format!("{:.3} s", run.seconds))));
    facts.push(("drawing this page".into(), Html::text(format!("{:.3} s", drawn.elapsed().as_secs_f64()))));
    facts.push(("sdl version".into(), Html::text(env!("CARGO_PKG_VERSION"))));
    facts.push(("seed".into(), Html::text(run.seed.to_string())));
    Section::new("Timings and provenance").with(Block::Facts(facts))
}

/// The page of a symbolic search.
pub fn search_page(o: &SearchOutcome, title: Option<String>) -> Page {
    let started = Instant::now();
    let r = &o.result;
    let best = r.best();
    let front = r.pareto();
    let marked = best.and_then(|b| front.iter().position(|e| e.complexity == b.complexity));
    let rows = front
        .iter()
        .map(|e| {
            vec![
                Html::text(e.complexity.to_string()),
                Html::text(sci(e.loss)),
                Html::text(format!("{:.4}", e.score)),
                math(&e.formula),
                Html::code(format!("{}{}", e.formula, super::fit::constant_units(&e.formula, &e.const_dims))),
            ]
        })
        .collect();
    let header = ["complexity", "loss", "score", "formula", "as text"].map(String::from).to_vec();
    let mut result = vec![("model".to_string(), Html::code(&o.run.what))];
    if let Some(b) = best {
        result.push(("chosen formula".into(), math(&b.formula)));
        result.push(("as text".into(), Html::code(b.formula.to_string())));
        result.push(("loss".into(), Html::text(sci(b.loss))));
        result.push(("complexity".into(), Html::text(b.complexity.to_string())));
    }
    if r.stopped_early {
        result.push(("stopped early".into(), Html::text(format!("{:?}", r.stop_reason))));
    }
    if r.units_checked > 0 {
        result.push((
            "units".into(),
            Html::text(format!(
                "{} candidates checked, {} rejected as dimensionally inconsistent",
                r.units_checked, r.units_rejected
            )),
        ));
    }
    let pareto = Section::new("Pareto front").with(Block::Table { header, rows, marked }).with(picture_block(
        "loss against complexity; the chosen formula is marked",
        Ok(Picture::single(pictures::pareto_figure(r))),
    ));
    let predictions = predictions_section(best.map(|b| &b.formula), &o.data);
    let timings = vec![
        ("iterations".into(), Html::text(r.iterations.to_string())),
        ("formula evaluations".into(), Html::text(r.evals.to_string())),
        ("evaluations per second".into(), Html::text(format!("{:.0}", r.evals as f64 / o.run.seconds.max(1e-9)))),
    ];
    Page {
        title: title.unwrap_or_else(|| format!("sdl {}", o.run.what)),
        byline: byline(&o.run),
        sections: vec![
            Section::new("Result").with(Block::Facts(result)),
            pareto,
            predictions,
            data_section(&o.data.table, &o.data.target),
            settings_section(&o.run),
            timings_section(&o.run, timings, started),
        ],
    }
}

fn predictions_section(formula: Option<&Formula>, data: &FitData) -> Section {
    let pic = formula.and_then(|f| pictures::fit_predictions_picture(f, data)).ok_or_else(|| "no formula".to_string());
    Section::new("Predictions").with(picture_block("predictions against the data fitted, and the residuals", pic))
}

/// The page of fitted constants.
pub fn const_fit_page(o: &ConstFitOutcome, title: Option<String>) -> Page {
    let started = Instant::now();
    let rows = o
        .params
        .iter()
        .zip(&o.std_errors)
        .map(|((n, v), (_, se))| {
            let unit = o
                .param_dims
                .iter()
                .find(|(m, _)| m == n)
                .and_then(|(_, d)| *d)
                .map(|d| d.to_string())
                .unwrap_or_default();
            vec![Html::code(n), Html::text(format_num(*v)), Html::text(sci(*se)), Html::text(unit)]
        })
        .collect();
    let result = vec![
        ("model".to_string(), Html::code(&o.run.what)),
        ("fitted formula".into(), math(&o.formula)),
        ("as text".into(), Html::code(o.formula.to_string())),
        ("loss".into(), Html::text(sci(o.loss))),
        (
            "iterations".into(),
            Html::text(format!("{}{}", o.iterations, if o.converged { "" } else { " (not converged)" })),
        ),
    ];
    let header = ["constant", "value", "standard error", "unit (SI)"].map(String::from).to_vec();
    Page {
        title: title.unwrap_or_else(|| format!("sdl {}", o.run.what)),
        byline: byline(&o.run),
        sections: vec![
            Section::new("Result").with(Block::Facts(result)).with(Block::Table { header, rows, marked: None }),
            predictions_section(Some(&o.formula), &o.data),
            data_section(&o.data.table, &o.data.target),
            settings_section(&o.run),
            timings_section(&o.run, vec![], started),
        ],
    }
}

/// The page of a trained network: training, the messages against the truth (the paper's
/// Figure 3 and Table 1 number), predictions, data, settings and timings.
pub fn network_page(
    call: &Call,
    n: &TrainedNet,
    data: Option<&GraphData>,
    title: Option<String>,
) -> Result<Page, Diagnostic> {
    let started = Instant::now();
    let run = n.run.clone().unwrap_or_else(|| RunRecord {
        what: "no record of its training (read from a file, or changed by replace)".into(),
        ..RunRecord::default()
    });
    let mut result = vec![
        ("network".to_string(), Html::text(n.summary().lines().next().unwrap_or_default())),
        ("steps".into(), Html::text(n.meta.steps.to_string())),
    ];
    if let Some(l) = n.meta.loss {
        result.push(("mean absolute error of the accelerations".into(), Html::text(sci(l))));
    }
    if let crate::train::Network::Graph(g) = &n.net {
        for (ch, f) in g.message_formulas().unwrap_or_default() {
            result.push((format!("channel {ch}"), math(&f)));
        }
    }
    let training = if n.meta.history.is_empty() {
        Err("the network has no training history".to_string())
    } else {
        Ok(Picture::single(pictures::training_figure(&n.meta)))
    };
    let mut sections = vec![Section::new("Training").with(picture_block("loss per step", training))];
    if let Some(d) = data {
        let (pic, r2s) = pictures::messages_picture(call, n, d, None)?;
        let mean = r2s.iter().sum::<f64>() / r2s.len().max(1) as f64;
        result.push(("R² of the top messages against the truth (every edge)".into(), Html::text(format!("{mean:.4}"))));
        sections.push(
            Section::new("Messages").with(picture_block(
                "each top message channel against the best linear combination of the truth",
                Ok(pic),
            )),
        );
        let pred = pictures::network_predictions(call, n, d, false).map(Picture::single).map_err(|e| e.message);
        sections.push(Section::new("Predictions").with(picture_block("predicted against true accelerations", pred)));
        let facts = vec![
            ("law".to_string(), Html::text(d.law.name())),
            ("bodies per graph".into(), Html::text(d.n.to_string())),
            ("dimension".into(), Html::text(d.dim.to_string())),
            ("graphs".into(), Html::text(d.len().to_string())),
        ];
        sections.push(Section::new("Data").with(Block::Facts(facts)));
    }
    sections.insert(0, Section::new("Result").with(Block::Facts(result)));
    sections.push(settings_section(&run));
    sections.push(timings_section(&run, vec![], started));
    Ok(Page { title: title.unwrap_or_else(|| format!("sdl: {} network", n.kind())), byline: byline(&run), sections })
}
