//! Every example in `examples/` runs (at the small scale it is written for) and reaches its
//! result: the force law extrapolates, the decay constants are recovered.

mod common;

fn run_example(name: &str) -> String {
    let path = format!("examples/{name}");
    let text = std::fs::read_to_string(&path).unwrap();
    let (mut s, out) = common::session();
    if let Err(e) = s.run_source(&path, &text) {
        panic!("{path} failed:\n{}\n{}", out.take(), s.render_error(&e));
    }
    out.take()
}

fn number_after(output: &str, prefix: &str) -> f64 {
    let line =
        output.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("no line `{prefix}` in\n{output}"));
    line[prefix.len()..].split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn every_example_is_tested() {
    let mut names: Vec<String> = std::fs::read_dir("examples")
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec!["decay.sdl", "forces.sdl", "nbody.sdl", "tour.sdl"], "add a test for each new example");
}

#[test]
fn forces_example_recovers_a_law_that_extrapolates() {
    let out = run_example("forces.sdl");
    let r2 = number_after(&out, "R^2 outside the training range:");
    assert!(r2 >= 1.0 - 1e-8, "R^2 {r2} outside the training range\n{out}");
}

#[test]
fn decay_example_recovers_the_constants() {
    let out = run_example("decay.sdl");
    let line = out.lines().find(|l| l.starts_with("a, b, c =")).unwrap();
    let v: Vec<f64> = line["a, b, c =".len()..].split_whitespace().map(|x| x.parse().unwrap()).collect();
    for (got, want) in v.iter().zip([2.5, 1.3, 0.7]) {
        assert!((got - want).abs() < 1e-6, "{line}");
    }
}

#[test]
fn nbody_example_reads_the_spring_law_off_simulated_pairs() {
    let out = run_example("nbody.sdl");
    let r2 = number_after(&out, "R^2 on a new simulation:");
    assert!(r2 >= 1.0 - 1e-8, "R^2 {r2} on a fresh simulation\n{out}");
}

#[test]
fn tour_example_runs() {
    let out = run_example("tour.sdl");
    assert!(out.contains("F(r) ="), "{out}");
    assert!(out.contains("\\frac"), "LaTeX printed: {out}");
}
