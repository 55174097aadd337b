//! Every example in `examples/` runs and reaches its result: the force law extrapolates, the
//! decay constants are recovered; the graph-network examples run at a tiny scale (their
//! `param`s set as `sdl FILE --set name=value` would) and report sane numbers.

mod common;

fn run_example(name: &str) -> String {
    run_example_with(name, &[])
}

fn run_example_with(name: &str, params: &[(&str, &str)]) -> String {
    let path = format!("examples/{name}");
    let text = std::fs::read_to_string(&path).unwrap();
    let (mut s, out) = common::session();
    for (k, v) in params {
        s.set_param(k, v);
    }
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
    assert_eq!(
        names,
        // embed.rs (the Rust embedding example) is run by tests/embed.rs.
        vec![
            "decay.sdl",
            "embed.rs",
            "forces.sdl",
            "hamiltonian.sdl",
            "nbody.sdl",
            "newtonian.sdl",
            "penalties.sdl",
            "pictures.sdl",
            "tour.sdl"
        ],
        "add a test for each new example"
    );
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

const TINY: &[(&str, &str)] = &[("sims", "3"), ("steps", "200"), ("hidden", "32"), ("niterations", "3")];

/// The numbers after `prefix` on its line.
fn numbers_after(output: &str, prefix: &str) -> Vec<f64> {
    let line =
        output.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("no line `{prefix}` in\n{output}"));
    line[prefix.len()..].split_whitespace().filter_map(|w| w.parse().ok()).collect()
}

#[test]
fn newtonian_example_runs_the_whole_pipeline() {
    let out = run_example_with("newtonian.sdl", TINY);
    // Seeded and deterministic: 0.74 at this scale; a network whose messages ignore the force
    // scores about 0 (the paper's Standard column), so this checks the L1 messages learned it.
    let r2 = number_after(&out, "Table 1 R^2:");
    assert!(r2 > 0.5 && r2 <= 1.0, "{out}");
    assert!(out.contains("e0 =") && out.contains("e1 ="), "{out}");
    // The formulas are in the network, and refitting them lowers their loss.
    assert!(out.contains("network (symbolic"), "{out}");
    let losses = numbers_after(&out, "training loss: network");
    let (before, after) = (losses[1], losses[2]);
    assert!(after < before, "refit went from {before} to {after}\n{out}");
    for prefix in ["test MAE (in distribution): network", "out-of-distribution MAE: network"] {
        let v = numbers_after(&out, prefix);
        assert!(v.len() == 2 && v.iter().all(|x| x.is_finite()), "{prefix}: {v:?}\n{out}");
    }
}

#[test]
fn penalties_example_gives_a_table1_row_where_sparsity_helps() {
    let out = run_example_with("penalties.sdl", TINY);
    let r2: Vec<f64> = ["Standard   R^2", "Bottleneck R^2", "L1         R^2", "KL         R^2"]
        .iter()
        .map(|p| number_after(&out, p))
        .collect();
    assert!(r2.iter().all(|r| (0.0..=1.0).contains(r)), "{out}");
    // Even at this scale a bottleneck and L1 make the messages track the force better.
    assert!(r2[1] > r2[0] && r2[2] > r2[0], "{out}");
}

#[test]
fn hamiltonian_example_reads_off_a_pair_energy() {
    let out = run_example_with("hamiltonian.sdl", TINY);
    assert!(out.contains("network (hamiltonian, 2-D)"), "{out}");
    // Seeded: 0.56 at this scale; an energy unrelated to the pair potential scores about 0.
    let r2 = number_after(&out, "R^2 of the pair energy against the true pair potential:");
    assert!(r2 > 0.3 && r2 <= 1.0, "{out}");
    assert!(number_after(&out, "test MAE of the accelerations:").is_finite(), "{out}");
    assert!(out.contains("E_pair ="), "{out}");
}

#[test]
fn pictures_example_draws_every_picture_and_two_report_pages() {
    let dir = std::env::temp_dir().join(format!("sdl-example-pictures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dir_text = dir.display().to_string();
    let out = run_example_with(
        "pictures.sdl",
        &[("dir", &dir_text), ("sims", "3"), ("steps", "40"), ("hidden", "16"), ("niterations", "3")],
    );
    for file in [
        "pareto.png",
        "residuals.png",
        "search.html",
        "trajectories.png",
        "training.png",
        "messages.png",
        "network.html",
    ] {
        let path = dir.join(format!("sdl_{file}"));
        assert!(out.contains(&format!("wrote {}", path.display())), "{file} not reported\n{out}");
        assert!(std::fs::metadata(&path).map(|m| m.len() > 1000).unwrap_or(false), "{file} missing or empty");
    }
    let r2 = number_after(&out, "Table 1 R^2:");
    assert!((0.0..=1.0).contains(&r2), "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}
