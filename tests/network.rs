//! Graph networks from the language: declarations print and type-check, graphs filter, split,
//! save and load, a trained network saves and loads, a checkpoint resumes, and the messages
//! table has the columns the checker promised.

mod common;

use sdl::session::RunError;

fn run(src: &str) -> String {
    let (mut s, out) = common::session();
    if let Err(e) = s.run_source("<test>", src) {
        panic!("failed:\n{}\n{}", out.take(), s.render_error(&e));
    }
    out.take()
}

fn temp(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("sdl-network-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).display().to_string()
}

const SETUP: &str = r#"
let d = simulate_nbody("spring", n: 4, dim: 2, sims: 2, steps: 100, seed: 3)
graphnet g {
  message: mlp(hidden: 16, layers: 2) -> 8
  node: mlp(hidden: 16, layers: 2) -> 2
  penalty: l1(0.01)
}
"#;

#[test]
fn where_and_except_split_graphs_into_disjoint_parts() {
    let out = run(&format!(
        "{SETUP}\nlet light = d where m < 2\nlet rest = except(d, light)\nlet close = d where r < 3\n\
         print len(d), len(light) + len(rest), len(light) < len(d), len(close) <= len(d)\n\
         print len(except(d, d)), len(except(d, rest)) == len(light)\n\
         print rows(light.nodes where m >= 2), rows(rest.nodes where m >= 2) >= len(rest), rows(close.edges where r >= 3)"
    ));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "40 40 true true");
    assert_eq!(lines[1], "0 true");
    assert_eq!(lines[2], "0 true 0");
}

#[test]
fn graphs_and_networks_save_and_load() {
    let (graphs, model) = (temp("g.npz"), temp("m.sdlnet"));
    let out = run(&format!(
        "{SETUP}\nsave(d, \"{graphs}\")\nlet back = load_graphs(\"{graphs}\")\nprint back, back.nodes == d.nodes\n\
         let m = train(g, d, steps: 30, batch: 8)\nsave(m, \"{model}\")\nlet m2 = load_model(\"{model}\")\n\
         print mae(m, d) == mae(m2, back), m2.steps, m2.loss == m.loss, m2.channels == m.channels"
    ));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "graphs: 40 snapshots of 4 bodies in 2-D (spring) true");
    assert_eq!(lines[1], "true 30 true true");
}

#[test]
fn a_checkpointed_run_resumes_instead_of_starting_over() {
    let path = temp("run.sdlnet");
    let _ = std::fs::remove_file(&path);
    let src = format!("{SETUP}\nlet m = train(g, d, steps: 40, batch: 8, checkpoint: \"{path}\")\nprint m.steps, len(m.history), mae(m, d)");
    let first = run(&src);
    assert!(std::path::Path::new(&path).exists());
    // The same call again finds the finished run on disk: no new step is taken (an empty
    // history), and the network is the same.
    let again = run(&src);
    let (a, b): (Vec<&str>, Vec<&str>) = (first.split_whitespace().collect(), again.split_whitespace().collect());
    assert_eq!((a[0], a[1]), ("40", "40"));
    assert_eq!((b[0], b[1]), ("40", "0"), "{again}");
    assert_eq!(a[2], b[2], "same network");
    // A checkpoint of another network is refused.
    let (mut s, _) = common::session();
    let other = format!("{SETUP}\ngraphnet h {{ message: mlp(hidden: 4) -> 2, node: mlp(hidden: 4) -> 2 }}\nlet m = train(h, d, steps: 5, checkpoint: \"{path}\")");
    match s.run_source("<test>", &other) {
        Err(RunError::Runtime(d)) => assert_eq!(d.code.name(), "bad-model-file"),
        r => panic!("{r:?}"),
    }
}

#[test]
fn the_messages_table_has_the_promised_columns_and_the_true_force() {
    let out = run(&format!(
        "{SETUP}\nlet m = train(g, d, steps: 20, batch: 8)\nlet t = messages(m, d, top: 3)\n\
         print columns(t)\nprint rows(t), len(m.channels)\n\
         print r2(t.fx, eval(formula {{ 2 * (r + 0.01 - 1) * dx / r }}, t)) > 0.999999\n\
         let p = predict(m, d)\nprint columns(p), rows(p)\nprint message_r2(m, d) >= 0, message_r2(m, d) <= 1"
    ));
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].ends_with("\"dx\", \"dy\", \"r\", \"fx\", \"fy\", \"u\", \"e0\", \"e1\", \"e2\"]"), "{out}");
    assert_eq!(lines[1], "480 8");
    assert_eq!(lines[2], "true");
    assert_eq!(lines[3], "[\"graph\", \"node\", \"ax\", \"ay\"] 160");
    assert_eq!(lines[4], "true true");
}

#[test]
fn declarations_with_computed_sizes_are_checked_when_they_run() {
    let (mut s, out) = common::session();
    s.run_source(
        "<test>",
        "let w = 8\nlet gn = graphnet { message: mlp(hidden: w * 2) -> w, node: mlp(hidden: w) -> 2 }\nprint gn",
    )
    .unwrap();
    assert!(out.take().contains("mlp(hidden: 16, layers: 3, activation: relu) -> 8"));
    match s.run_source("<test>", "let z = 0\nlet bad = graphnet { message: mlp(hidden: z) -> 4, node: mlp() -> 2 }") {
        Err(RunError::Runtime(d)) => assert_eq!(d.code.name(), "bad-graphnet"),
        r => panic!("{r:?}"),
    }
}

#[test]
fn message_r2_scores_against_the_force_or_the_acceleration() {
    let out = run(&format!(
        "{SETUP}\nlet m = train(g, d, steps: 20, batch: 8)\nlet f = message_r2(m, d)\n\
         let a = message_r2(m, d, truth: \"accel\")\nprint f == message_r2(m, d, truth: \"force\"), a >= 0, a <= 1"
    ));
    assert_eq!(out.trim(), "true true true");
    let (mut s, _) = common::session();
    s.run_source("<test>", &format!("{SETUP}\nlet m = train(g, d, steps: 5, batch: 8)")).unwrap();
    for (src, code) in
        [("message_r2(m, d, truth: \"energy\")", "bad-argument"), ("message_r2(m, d, truth: 3)", "type-mismatch")]
    {
        match s.run_source("<test>", src) {
            Err(RunError::Runtime(d)) => assert_eq!(d.code.name(), code, "{src}"),
            Err(RunError::Static(ds)) => assert_eq!(ds[0].code.name(), code, "{src}"),
            r => panic!("{src}: {r:?}"),
        }
    }
}
