//! Every example in `examples/` runs and reaches its result: the force law extrapolates, the
//! decay constants are recovered; the graph-network examples run at a reduced scale (their
//! `param`s set as `sdl FILE --set name=value` would) and recover the paper's laws — the
//! spring force in both message channels, the spring potential from the Hamiltonian — or, at a
//! tiny scale, report sane numbers.

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

/// `formula` (an expression of the session) evaluated on the edges of `graphs` as `messages`
/// gives them for the session's `model`, and the named columns of those edges.
fn on_edges(s: &mut sdl::session::Session, graphs: &str, formula: &str, columns: &[&str]) -> (Vec<f64>, Vec<Vec<f64>>) {
    s.run_source("<check>", &format!("let fresh = messages(model, {graphs})"))
        .unwrap_or_else(|e| panic!("{}", s.render_error(&e)));
    let pred: Vec<f64> = s.eval(&format!("eval({formula}, fresh)")).unwrap();
    let cols = columns.iter().map(|c| s.eval(&format!("column(fresh, \"{c}\")")).unwrap()).collect();
    (pred, cols)
}

/// The variables a formula of the session uses.
fn formula_vars(s: &mut sdl::session::Session, formula: &str) -> Vec<String> {
    let f: sdl::formula::Formula = s.eval(formula).unwrap();
    let mut v: Vec<String> = f.used_vars().into_iter().collect();
    v.sort();
    v
}

#[test]
fn newtonian_example_recovers_the_spring_law_in_both_channels() {
    // Half the default training, the default search (55 s on a quiet 2-core machine; with 200
    // iterations channel 0 stopped at `(dy + dx * r) * 0.287`, R^2 0.898, on one seed).
    let path = "examples/newtonian.sdl";
    let (mut s, out) = common::session();
    s.set_param("steps", "10000");
    if let Err(e) = s.run_source(path, &std::fs::read_to_string(path).unwrap()) {
        panic!("{path} failed:\n{}\n{}", out.take(), s.render_error(&e));
    }
    let out = out.take();
    // Seeded: 0.9946 at this scale (0.998 at the default 20k steps).
    let r2 = number_after(&out, "Table 1 R^2:");
    assert!(r2 > 0.99, "{out}");
    for channel in ["e0", "e1"] {
        // The script's own check, on test edges the search did not see: 0.99998 for both.
        let r2 = number_after(&out, &format!("{channel} against the best linear combination of the true force: R^2"));
        assert!(r2 > 0.999, "{channel}: {r2}\n{out}");
        // The same, recomputed here on fresh simulations: the paper's form (a . (dx, dy)) (r - 1) / r + b
        // is a linear combination of the force components; the choice at 6000 training steps,
        // `-0.21 (dx + dy) r`, scored 0.896, a law with `r * dx` in place of `(r - 1) / r * dx`
        // 0.991.
        let formula = format!("{channel}.score");
        let fresh = "simulate_nbody(\"spring\", sims: 20, seed: 7) where m < 2";
        let (pred, force) = on_edges(&mut s, fresh, &formula, &["fx", "fy"]);
        let r2 = sdl::train::r_squared(&force, &pred).unwrap();
        assert!(r2 > 0.999, "{channel} on fresh simulations: {r2}\n{out}");
        assert_eq!(formula_vars(&mut s, &formula), ["dx", "dy", "r"], "{out}");
    }
    // The formula network generalises better than the network it came from: 0.053 against 0.097
    // in distribution, 0.117 against 0.201 on the systems with a heavier body.
    for prefix in ["test MAE (in distribution): network", "out-of-distribution MAE: network"] {
        let v = numbers_after(&out, prefix);
        assert!(v.len() == 2 && v[1].is_finite() && v[1] <= v[0], "{prefix}: {v:?}\n{out}");
    }
    let losses = numbers_after(&out, "training loss: network");
    assert!(losses[2] < losses[1], "refit went from {} to {}\n{out}", losses[1], losses[2]);
}

#[test]
fn newtonian_example_runs_on_a_handful_of_graphs() {
    // The whole pipeline on 3 simulations: every step copes with little data (fewer test
    // graphs than the sample size) and gives finite numbers.
    let out = run_example_with("newtonian.sdl", TINY);
    let r2 = number_after(&out, "Table 1 R^2:");
    assert!((0.0..=1.0).contains(&r2), "{out}");
    assert!(out.contains("e0 =") && out.contains("e1 =") && out.contains("network (symbolic"), "{out}");
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
fn hamiltonian_example_recovers_the_spring_potential() {
    // 2000 training steps instead of 3000, 50 search iterations instead of 100 (about 35 s).
    let path = "examples/hamiltonian.sdl";
    let (mut s, out) = common::session();
    s.set_param("steps", "2000");
    s.set_param("niterations", "50");
    if let Err(e) = s.run_source(path, &std::fs::read_to_string(path).unwrap()) {
        panic!("{path} failed:\n{}\n{}", out.take(), s.render_error(&e));
    }
    let out = out.take();
    assert!(out.contains("network (hamiltonian, 2-D)"), "{out}");
    // Seeded: 0.943 at this scale; the raw, unsymmetrised pair energy scored 0.65 at the old
    // default scale.
    let r2 = number_after(&out, "R^2 of the pair energy against the true pair potential:");
    assert!(r2 > 0.9 && r2 <= 1.0, "{out}");
    // The recovered energy is the spring's (r' - 1)^2 up to scale and offset: 0.996 here; the
    // wrong forms the search offers score 0.89 (`square(r / 2) + b`) and 0.984 (`0.071 r^3 - 4.6`,
    // PySR's pick here), and the old default's `6.15 - m2` nothing.
    let printed = number_after(&out, "E_pair against the true potential, best scale and offset: R^2");
    assert!(printed > 0.99, "{out}");
    let (pred, u) = on_edges(&mut s, "simulate_nbody(\"spring\", sims: 20, seed: 7)", "law", &["u"]);
    let r2 = sdl::train::r_squared(&u, &pred).unwrap();
    assert!(r2 > 0.99, "E_pair on fresh simulations: {r2}\n{out}");
    assert_eq!(formula_vars(&mut s, "law"), ["r"], "{out}");
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
