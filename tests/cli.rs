//! The `sdl` binary as a user runs it: exit statuses, `-e`, `check`, piped REPL input,
//! `sdl fit` (table and JSON, errors, NaN handling, thread-count determinism), `explain`, and
//! `bench eval`.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn sdl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sdl")).args(args).output().expect("the sdl binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn eval_check_and_exit_statuses() {
    let ok = sdl(&["-e", "print 1 + 2"]);
    assert_eq!((ok.status.code(), text(&ok.stdout).as_str()), (Some(0), "3\n"));
    let static_err = sdl(&["-e", "print 1 + \"a\"\nprint nope"]);
    assert_eq!(static_err.status.code(), Some(1));
    let err = text(&static_err.stderr);
    assert!(err.contains("type-mismatch") && err.contains("unknown-name"), "{err}");
    let runtime = sdl(&["-e", "print [1][3]"]);
    assert_eq!(runtime.status.code(), Some(2));
    assert!(text(&runtime.stderr).contains("index-out-of-range"));
    let check = sdl(&["check", "tests/golden/err_types.sdl"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(text(&check.stderr).contains("8 problem(s)"), "{}", text(&check.stderr));
    assert_eq!(sdl(&["check", "examples/forces.sdl"]).status.code(), Some(0));
    assert_eq!(sdl(&["explain", "type-mismatch"]).status.code(), Some(0));
    assert_eq!(sdl(&["no-such-file.sdl"]).status.code(), Some(2));
}

#[test]
fn piped_input_runs_the_plain_repl() {
    let mut child =
        Command::new(env!("CARGO_BIN_EXE_sdl")).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"print 1 + 2\nlet xs = [1,\n 2]\nprint len(xs)\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(text(&out.stdout), "3\n2\n");
    assert_eq!(out.status.code(), Some(0));
}

fn fit_json(threads: &str) -> serde_json::Value {
    let out = sdl(&[
        "fit",
        "tests/golden/data/points.csv",
        "--target",
        "y",
        "--niterations",
        "8",
        "--seed",
        "3",
        "--threads",
        threads,
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

#[test]
fn fit_prints_json_and_is_identical_across_thread_counts() {
    let one = fit_json("1");
    assert!(one["best"].is_string() && one["loss"].is_number() && one["complexity"].is_number(), "{one}");
    assert!(!one["pareto"].as_array().unwrap().is_empty());
    let best = one["best"].as_str().unwrap();
    assert!(best.contains("x1") || best.contains("x2"), "uses the column names: {best}");
    assert_eq!(one, fit_json("2"), "same seed, 1 and 2 threads");
}

#[test]
fn fit_command_and_the_language_fit_agree() {
    // `sdl fit` runs through the language's `fit`: the same CSV, model, options and seed give the
    // same Pareto front, and options left out on both sides share one set of defaults.
    let cli = sdl(&[
        "fit",
        "tests/golden/data/points.csv",
        "--target",
        "y",
        "--binary",
        "+,-,*",
        "--unary",
        "exp",
        "--maxsize",
        "15",
        "--niterations",
        "6",
        "--seed",
        "5",
        "--threads",
        "1",
        "--json",
    ]);
    assert_eq!(cli.status.code(), Some(0), "{}", text(&cli.stderr));
    let cli: serde_json::Value = serde_json::from_slice(&cli.stdout).expect("one JSON object");
    let program = "let t = load(\"tests/golden/data/points.csv\")\n\
        let r = fit(t, y ~ f(x1, x2), ops: operators { binary: [+, -, *], unary: [exp], maxsize: 15 }, \
        niterations: 6, seed: 5, threads: 1, progress: false)\n\
        fn loss(e) = e.loss\n\
        fn cx(e) = e.complexity\n\
        print sympy(r.best)\n\
        print map(r.pareto, cx)\n\
        print map(r.pareto, loss)";
    let lang = sdl(&["-e", program]);
    assert_eq!(lang.status.code(), Some(0), "{}", text(&lang.stderr));
    let lang = text(&lang.stdout);
    let lines: Vec<&str> = lang.lines().collect();
    assert_eq!(lines[0], cli["best"].as_str().unwrap(), "best formula");
    let nums = |line: &str| -> Vec<f64> {
        line.trim_matches(['[', ']']).split(", ").map(|x| x.parse().expect("a number")).collect()
    };
    let front = cli["pareto"].as_array().unwrap();
    let field = |name: &str| -> Vec<f64> { front.iter().map(|e| e[name].as_f64().unwrap()).collect() };
    assert_eq!(nums(lines[1]), field("complexity"), "Pareto front complexities");
    // (serde_json reads floats to within an ulp, not always exactly.)
    let (a, b) = (nums(lines[2]), field("loss"));
    assert!(
        a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| (x - y).abs() <= 1e-12 * x.abs()),
        "losses {a:?} {b:?}"
    );

    // Defaults: no options but the seed and the thread count on either side.
    let cli = sdl(&["fit", "tests/golden/data/points.csv", "--target", "y", "--seed", "2", "--threads", "1", "--json"]);
    assert_eq!(cli.status.code(), Some(0), "{}", text(&cli.stderr));
    let cli: serde_json::Value = serde_json::from_slice(&cli.stdout).expect("one JSON object");
    let lang = sdl(&[
        "-e",
        "print sympy(fit(load(\"tests/golden/data/points.csv\"), y ~ f(x1, x2), seed: 2, threads: 1, progress: false).best)",
    ]);
    assert_eq!(text(&lang.stdout).trim(), cli["best"].as_str().unwrap(), "{}", text(&lang.stderr));
}

#[test]
fn fit_takes_any_column_names_and_rejects_the_target_as_a_feature() {
    // No sdl source is generated, so column names need not be sdl names.
    let dir = std::env::temp_dir().join(format!("sdl_cli_names_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("odd.csv");
    let mut body = String::from("mass (kg),fit,y-value\n");
    for i in 1..=12 {
        let (m, f) = (i as f64 * 0.5, (i % 4) as f64);
        body.push_str(&format!("{m},{f},{}\n", 3.0 * m + f));
    }
    std::fs::write(&csv, body).unwrap();
    let csv = csv.to_str().unwrap();
    let out = sdl(&["fit", csv, "--target", "y-value", "--niterations", "3", "--threads", "1", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert!(json["best"].is_string(), "{json}");
    let both = sdl(&["fit", csv, "--target", "y-value", "--features", "fit,y-value"]);
    assert_eq!(both.status.code(), Some(2));
    assert!(text(&both.stderr).contains("bad-argument"), "{}", text(&both.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_fit_and_prints_the_best_so_far() {
    let child = Command::new(env!("CARGO_BIN_EXE_sdl"))
        .args(["fit", "tests/golden/data/points.csv", "--target", "y", "--niterations", "1000000", "--timeout", "60"])
        .arg("--json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("only the JSON object on stdout");
    assert_eq!(json["stopped_early"], serde_json::Value::Bool(true), "{json}");
    assert!(text(&out.stderr).contains("search interrupted"), "{}", text(&out.stderr));
}

#[test]
fn fit_reports_bad_input_with_codes() {
    let missing = sdl(&["fit", "tests/golden/data/points.csv", "--target", "yy"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        text(&missing.stderr).contains("unknown-column") && text(&missing.stderr).contains("did you mean `y`"),
        "{}",
        text(&missing.stderr)
    );
    let nan = sdl(&["fit", "tests/golden/data/with_nan.csv", "--target", "y"]);
    assert_eq!(nan.status.code(), Some(1));
    assert!(text(&nan.stderr).contains("non-finite-data") && text(&nan.stderr).contains("--dropnan"));
    let dropped =
        sdl(&["fit", "tests/golden/data/with_nan.csv", "--target", "y", "--dropnan", "--niterations", "3", "--json"]);
    assert_eq!(dropped.status.code(), Some(0), "{}", text(&dropped.stderr));
    let ragged = sdl(&["fit", "tests/golden/data/ragged.csv", "--target", "a"]);
    assert_eq!(ragged.status.code(), Some(1));
    assert!(text(&ragged.stderr).contains("bad-csv"));
    let bad_op = sdl(&["fit", "tests/golden/data/points.csv", "--target", "y", "--unary", "expp"]);
    assert_eq!(bad_op.status.code(), Some(1));
}

#[test]
fn bench_eval_prints_one_line_per_engine() {
    let out = sdl(&[
        "bench",
        "eval",
        "--formulas",
        "crates/sdl-kernel/benches/formulas.txt",
        "--rows",
        "200",
        "--threads",
        "1",
        "--precision",
        "f64",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for engine in ["reference", "fused", "jit"] {
        assert!(stdout.contains(&format!("engine={engine} node_evals_per_s=")), "{stdout}");
    }
    assert!(stdout.lines().last().unwrap().starts_with("fastest="), "{stdout}");
}

#[test]
fn fit_picks_units_up_from_the_header() {
    let csv = "tests/golden/data/speed_units.csv";
    let args = ["fit", csv, "--target", "v", "--niterations", "10", "--seed", "1", "--threads", "1", "--json"];
    let out = sdl(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(json["units_checked"], true, "{json}");
    assert_eq!(json["best"], "x / t", "{json}");
    // The lone constant of the simplest law must be a speed.
    let first = &json["pareto"][0];
    assert_eq!(first["constant_units"][0], "m/s", "{json}");
    let mut plain = args.to_vec();
    plain.push("--no-units");
    let json: serde_json::Value = serde_json::from_slice(&sdl(&plain).stdout).expect("one JSON object");
    assert_eq!(json["units_checked"], false, "{json}");
    let bad = sdl(&["fit", "tests/golden/data/bad_unit_header.csv", "--target", "x"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("bad-unit") && text(&bad.stderr).contains("meter"), "{}", text(&bad.stderr));
}
