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
