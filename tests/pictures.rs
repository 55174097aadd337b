//! Pictures from the language and the command line, checked rather than just written: PNGs
//! decode at the requested size and are not blank; SVG tick labels follow the data; the
//! Pareto front marks the chosen formula where the axes put it; NaN and infinite values are
//! skipped and counted; `show: true` writes the terminal's escape sequence; every bad input
//! is a coded diagnostic (run time here, static ones in `tests/golden/err_pictures.sdl`);
//! `sdl fit --plot/--report` and `sdl bench table1 --plot` write their files.

mod common;

use sdl::exec::value::Value;
use sdl::session::RunError;
use std::path::PathBuf;
use std::process::Command;

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sdl-pictures-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs a program (with `DIR` replaced by `dir`); returns what it printed.
fn run(src: &str, dir: &std::path::Path) -> String {
    let src = src.replace("DIR", &dir.display().to_string());
    let (mut s, out) = common::session();
    if let Err(e) = s.run_source("<test>", &src) {
        panic!("{}\n{}", out.take(), s.render_error(&e));
    }
    out.take()
}

/// The code of the error a program stops with.
fn error_code(src: &str, dir: &std::path::Path) -> String {
    let src = src.replace("DIR", &dir.display().to_string());
    let (mut s, _) = common::session();
    match s.run_source("<test>", &src) {
        Ok(v) => panic!("{src} ran: {v}"),
        Err(RunError::Static(ds)) => ds[0].code.name().to_string(),
        Err(RunError::Runtime(d)) => {
            assert!(d.help.is_some() && d.span.end <= src.len(), "{d:?}");
            d.code.name().to_string()
        }
    }
}

/// Decoded RGB pixels: (width, height, bytes).
fn decode(path: &std::path::Path) -> (u32, u32, Vec<u8>) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = png::Decoder::new(std::io::BufReader::new(file)).read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// The share of pixels that are not white.
fn ink(rgb: &[u8]) -> f64 {
    let px = rgb.chunks(3).filter(|p| p.iter().any(|c| *c < 235)).count();
    px as f64 / (rgb.len() / 3) as f64
}

const TABLE: &str =
    "let t = table({x: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], y: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81, 100]})\n";

#[test]
fn a_table_plot_is_a_png_of_the_requested_size_and_says_where_it_went() {
    let dir = scratch("table");
    let out = run(
        &format!(
            "{TABLE}plot(t, \"DIR/t.png\", x: \"x\", y: \"y\", lines: formula {{ x ^ 2 }}, width: 640, height: 400)"
        ),
        &dir,
    );
    let path = dir.join("t.png");
    assert_eq!(out, format!("wrote {} (png, 640 x 400, 22 points)\n", path.display()));
    let (w, h, rgb) = decode(&path);
    assert_eq!((w, h), (640, 400));
    assert!(ink(&rgb) > 0.02, "the picture is nearly blank: {}", ink(&rgb));
}

/// The text of an SVG's `<text>` elements.
fn svg_texts(path: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("the SVG is XML");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(|t| t.trim().to_string()))
        .collect()
}

/// The numbers among an SVG's `<text>` elements.
fn svg_numbers(path: &std::path::Path) -> Vec<f64> {
    svg_texts(path).iter().filter_map(|t| t.parse::<f64>().ok()).collect()
}

#[test]
fn an_svg_plot_parses_and_its_axes_follow_the_data_units_included() {
    let dir = scratch("svg");
    let src = "let t = with_units(table({r: [200, 300, 400], F: [-50, 10, 70]}), {r: \"m\", F: \"N\"})\nplot(t, \"DIR/f.svg\", x: \"r\", y: \"F\")";
    run(src, &dir);
    let path = dir.join("f.svg");
    let texts = svg_texts(&path);
    assert!(
        texts.iter().any(|t| t == "r [m]") && texts.iter().any(|t| t == "F [kg*m/s^2]"),
        "axis labels with units: {texts:?}"
    );
    let ticks = svg_numbers(&path);
    let (xs, ys): (Vec<f64>, Vec<f64>) = ticks.iter().partition(|v| **v >= 150.0);
    // x ticks between 190 and 410, y ticks between -56 and 76, reaching both ends of the data.
    assert!(xs.iter().all(|v| (190.0..=410.0).contains(v)) && xs.len() >= 3, "{ticks:?}");
    assert!(xs.iter().any(|v| *v <= 210.0) && xs.iter().any(|v| *v >= 390.0), "{ticks:?}");
    assert!(ys.iter().all(|v| (-56.0..=76.0).contains(v)) && ys.len() >= 3, "{ticks:?}");
    assert!(ys.iter().any(|v| *v <= -40.0) && ys.iter().any(|v| *v >= 60.0), "{ticks:?}");
}

#[test]
fn nan_and_infinite_values_are_skipped_counted_and_reported() {
    let dir = scratch("nan");
    let out = run("plot(table({x: [1, 2, 3, 4], y: [1, 0 / 0, 1 / 0, 2]}), \"DIR/n.png\", x: \"x\", y: \"y\")", &dir);
    assert!(
        out.contains("2 points)") && out.contains("note[non-finite-data]: 2 NaN or infinite value(s) skipped"),
        "{out}"
    );
    let out = run("plot(table({x: [1, 2, 3], y: [0, 1, 10]}), \"DIR/l.png\", x: \"x\", y: \"y\", logy: true)", &dir);
    assert!(out.contains("note: 1 value(s) not positive skipped on a logarithmic axis"), "{out}");
}

#[test]
fn the_pareto_front_marks_the_chosen_formula_where_the_axes_put_it() {
    let (mut s, _) = common::session();
    let v = s
        .run_source("<test>", "let t = table({x: [1, 2, 3, 4, 5, 6], y: [2.1, 3.9, 6.2, 7.8, 10.1, 12]})\nfit(t, y ~ f(x), niterations: 4, seed: 2, progress: false)")
        .unwrap_or_else(|e| panic!("{}", s.render_error(&e)));
    let Value::SearchResult(o) = v else { panic!("not a search result") };
    let best = o.result.best().expect("a formula");
    let fig = sdl::exec::pictures::pareto_figure(&o.result);
    assert!(fig.y.log, "positive losses are drawn on a log axis");
    let drawn = sdl_plot::render(&sdl_plot::Picture::single(fig), sdl_plot::Format::Png).unwrap();
    let dir = scratch("pareto");
    let path = dir.join("p.png");
    std::fs::write(&path, &drawn.bytes).unwrap();
    let (w, _, rgb) = decode(&path);
    let (px, py) = drawn.panels[0].to_pixel(f64::from(best.complexity), best.loss);
    let at = |x: f64, y: f64| {
        let i = (y.round() as usize * w as usize + x.round() as usize) * 3;
        (rgb[i], rgb[i + 1], rgb[i + 2])
    };
    assert_eq!(at(px, py), sdl_plot::HIGHLIGHT, "the chosen formula's mark is at ({px}, {py})");
    assert_eq!(drawn.counts.drawn, o.result.pareto().len() + 1);
}

#[test]
fn networks_draw_training_messages_predictions_and_trajectories() {
    let dir = scratch("network");
    let src = "graphnet gn { message: mlp(hidden: 16, layers: 1) -> 4, node: mlp(hidden: 16, layers: 1) -> 2 }
let d = simulate_nbody(\"spring\", sims: 3, steps: 60, seed: 1)
let parts = split(d, 0.7, 1)
let m = train(gn, parts.train, steps: 40, progress: false, validation: parts.test)
assert(len(m.history) == 40, \"one loss per step\")
plot(m, \"DIR/train.png\")
plot_messages(m, parts.test, \"DIR/messages.png\", truth: \"accel\")
plot_predictions(m, parts.test, \"DIR/pred.svg\")
plot(d, \"DIR/paths.png\", sim: 2)";
    let out = run(src, &dir);
    assert_eq!(out.lines().filter(|l| l.starts_with("wrote ")).count(), 4, "{out}");
    let (w, h, rgb) = decode(&dir.join("messages.png"));
    assert_eq!((w, h), (1120, 480), "two panels, one per top channel in 2-D");
    assert!(ink(&rgb) > 0.02);
    let (w, h, rgb) = decode(&dir.join("train.png"));
    assert_eq!((w, h), (800, 600));
    assert!(ink(&rgb) > 0.02);
    // One series per acceleration component, and y = x for reference.
    let texts = svg_texts(&dir.join("pred.svg"));
    assert!(["ax", "ay", "y = x"].iter().all(|l| texts.iter().any(|t| t == l)), "{texts:?}");
    let (w, h, rgb) = decode(&dir.join("paths.png"));
    assert!((w, h) == (800, 600) && ink(&rgb) > 0.01);
    assert_eq!(
        error_code(
            &format!("{}\nplot(d, \"DIR/p.png\", sim: 3)", &src.lines().take(2).collect::<Vec<_>>().join("\n")),
            &dir
        ),
        "bad-argument"
    );
}

#[test]
fn a_constant_fit_is_drawn_against_its_data_and_residuals_on_request() {
    let dir = scratch("const");
    let out = run(&format!("{TABLE}let c = fit(t, y ~ a * x ^ 2 + b)\nplot(c, \"DIR/c.png\")\nplot_predictions(c, t, \"DIR/r.svg\", residuals: true, title: \"residuals\")"), &dir);
    assert!(out.contains("c.png (png, 800 x 600, 22 points)"), "{out}");
    let texts = svg_texts(&dir.join("r.svg"));
    assert!(texts.iter().any(|t| t == "residuals") && texts.iter().any(|t| t == "prediction − truth"), "{texts:?}");
}

#[test]
fn bad_input_at_run_time_is_a_coded_error() {
    let dir = scratch("errors");
    let name = "let ext = \"gif\"\n";
    assert_eq!(error_code(&format!("{TABLE}{name}plot(t, \"DIR/a.\" + ext)"), &dir), "unknown-format");
    assert_eq!(
        error_code(&format!("{TABLE}{name}report(fit(t, y ~ a * x), \"DIR/a.\" + ext)"), &dir),
        "unknown-format"
    );
    assert_eq!(
        error_code(&format!("{TABLE}let col = \"yy\"\nplot(t, \"DIR/a.png\", x: \"x\", y: col)"), &dir),
        "unknown-column"
    );
    assert_eq!(error_code(&format!("{TABLE}plot(t where x > 100, \"DIR/a.png\")"), &dir), "nothing-to-plot");
    assert_eq!(
        error_code("plot(table({x: [1, 2], y: [0 / 0, 1 / 0]}), \"DIR/a.png\", x: \"x\")", &dir),
        "nothing-to-plot"
    );
    assert_eq!(error_code(&format!("{TABLE}plot(t, \"DIR/no/such/folder/a.png\")"), &dir), "io-error");
    assert_eq!(error_code(&format!("{TABLE}plot(t, \"DIR/a.png\", width: 3)"), &dir), "bad-argument");
    let graphs = "graphnet gn { message: mlp(hidden: 8, layers: 1) -> 2, node: mlp(hidden: 8, layers: 1) -> 2 }\nlet m = train(gn, simulate_nbody(\"spring\", sims: 1, steps: 20), steps: 2, progress: false)\n";
    assert_eq!(
        error_code(
            &format!("{graphs}plot_messages(m, simulate_nbody(\"spring\", dim: 3, sims: 1, steps: 20), \"DIR/m.png\")"),
            &dir
        ),
        "network-data-mismatch"
    );
    assert_eq!(error_code("plot(load_model(\"tests/golden/data/ragged.csv\"), \"DIR/a.png\")", &dir), "bad-model-file");
}

fn sdl(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sdl"));
    cmd.args(args)
        .env_remove("TERM")
        .env_remove("TERM_PROGRAM")
        .env_remove("KITTY_WINDOW_ID")
        .env_remove("LC_TERMINAL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the sdl binary runs")
}

#[test]
fn show_writes_the_terminals_inline_image_or_says_it_cannot() {
    let dir = scratch("show");
    let plot = format!("plot(table({{x: [1, 2, 3]}}), \"{}/s.svg\", show: true)", dir.display());
    let kitty = sdl(&["-e", &plot], &[("SDL_IMAGE_PROTOCOL", "kitty")]);
    let out = String::from_utf8_lossy(&kitty.stdout);
    assert!(out.contains("wrote ") && out.contains("\x1b_Ga=T,f=100"), "{out:.200}");
    let iterm = sdl(&["-e", &plot], &[("TERM_PROGRAM", "iTerm.app")]);
    assert!(String::from_utf8_lossy(&iterm.stdout).contains("\x1b]1337;File="));
    let sixel = sdl(&["-e", &plot], &[("TERM", "foot")]);
    assert!(String::from_utf8_lossy(&sixel.stdout).contains("\x1bPq\"1;1;800;600"));
    let plain = sdl(&["-e", &plot], &[("TERM", "xterm-256color")]);
    let out = String::from_utf8_lossy(&plain.stdout);
    assert!(out.contains("does not show pictures inline") && !out.contains('\x1b'), "{out}");
}

#[test]
fn sdl_fit_draws_and_reports_and_keeps_json_clean() {
    let dir = scratch("cli-fit");
    let (png_path, html) = (dir.join("fit.png"), dir.join("fit.html"));
    let out = sdl(
        &[
            "fit",
            "tests/golden/data/points.csv",
            "--target",
            "y",
            "--niterations",
            "4",
            "--seed",
            "1",
            "--json",
            "--plot",
            png_path.to_str().unwrap(),
            "--report",
            html.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON object");
    assert!(json["best"].is_string());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("wrote ") && err.contains("fit.png (png, 1120 x 480") && err.contains("(report page"),
        "{err}"
    );
    let (w, h, rgb) = decode(&png_path);
    assert_eq!((w, h), (1120, 480));
    assert!(ink(&rgb) > 0.02);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<math>") && page.contains("data:image/png;base64,") && page.contains("points.csv"));
    // A bad file name stops before any search.
    let bad = sdl(&["fit", "tests/golden/data/points.csv", "--target", "y", "--plot", "fit.jpg"], &[]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("error[unknown-format]"));
    assert!(bad.stdout.is_empty());
}

#[test]
fn sdl_bench_table1_draws_the_training_and_the_messages() {
    let dir = scratch("cli-bench");
    let out = Command::new(env!("CARGO_BIN_EXE_sdl"))
        .current_dir(&dir)
        .args([
            "bench", "table1", "--sims", "4", "--steps", "20", "--hidden", "16", "--msg", "8", "--batch", "16",
            "--plot", "--report", "t1.html",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("table1_r2="));
    let (w, h, rgb) = decode(&dir.join("table1.png"));
    assert_eq!((w, h), (1680, 480), "training beside two message panels");
    assert!(ink(&rgb) > 0.02);
    let page = std::fs::read_to_string(dir.join("t1.html")).unwrap();
    assert!(
        page.contains("Messages") && page.matches("data:image/png;base64,").count() == 3,
        "training, messages, predictions"
    );
}
