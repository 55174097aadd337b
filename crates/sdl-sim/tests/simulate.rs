//! Checks the simulations: energy conservation for the conservative laws, the initial-state
//! distributions, seeded reproducibility, the recorded targets, and that bad configurations
//! are errors.

use sdl_sim::{
    accelerations, energy, initial_state, simulate, simulate_with, GraphData, Integrator, Law, SimConfig, SimError,
};

/// Largest |E(t) - E(0)| over the run, relative to a scale that cannot vanish: the initial
/// kinetic energy plus the absolute pair potentials (the total itself can be near zero).
fn energy_drift(data: &GraphData) -> f64 {
    let dim = data.dim;
    let scale = {
        let nodes = &data.graphs[0].nodes;
        let mut s = 0.0;
        for (i, a) in nodes.iter().enumerate() {
            let v2: f64 = a[dim..2 * dim].iter().map(|v| v * v).sum();
            s += 0.5 * a[2 * dim + 1] * v2;
            if data.law == Law::String {
                s += (a[2 * dim + 1] * a[1]).abs();
            }
            for b in &nodes[i + 1..] {
                s += sdl_sim::pair_potential(data.law, a, b, dim).unwrap().abs();
            }
        }
        s
    };
    let e0 = energy(data.law, &data.graphs[0].nodes, dim).unwrap();
    data.graphs.iter().map(|g| (energy(data.law, &g.nodes, dim).unwrap() - e0).abs() / scale).fold(0.0, f64::max)
}

#[test]
fn conservative_laws_conserve_energy() {
    // 300 output steps at the paper's dt for 4 bodies, several seeds, 2-D and 3-D. With the
    // default tolerances (rtol = atol = 1.4e-8) the largest observed drift is about 1e-7 of
    // the energy scale; 1e-5 leaves two orders of magnitude of headroom. (Full paper-length
    // runs, 1000 steps with 8 bodies, stay below 1e-5 of max(|E0|, 1) as well.)
    for &law in &[Law::R1, Law::R2, Law::Spring, Law::Charge, Law::Superposition, Law::String] {
        for dim in [2, 3] {
            let mut cfg = SimConfig::new(law, 4, dim);
            cfg.steps = 300;
            cfg.keep_every = 10;
            for seed in 0..3 {
                cfg.seed = seed;
                let data = simulate(&cfg).unwrap();
                let drift = energy_drift(&data);
                assert!(drift < 1e-5, "{law} dim {dim} seed {seed}: drift {drift}");
            }
        }
    }
}

#[test]
fn fixed_step_rk4_conserves_spring_energy() {
    let mut cfg = SimConfig::new(Law::Spring, 4, 2);
    cfg.steps = 300;
    let data = simulate_with(&cfg, Integrator::Rk4 { substeps: 1 }).unwrap();
    let drift = energy_drift(&data);
    assert!(drift < 1e-5, "drift {drift}");
}

#[test]
fn damped_springs_lose_energy() {
    let mut cfg = SimConfig::new(Law::Damped, 4, 2);
    cfg.steps = 200;
    let data = simulate(&cfg).unwrap();
    let e: Vec<f64> = data.graphs.iter().map(|g| energy(Law::Damped, &g.nodes, 2).unwrap()).collect();
    // Damping power is -sum v^2 / n <= 0, so energy never rises (up to integration error).
    for w in e.windows(2) {
        assert!(w[1] <= w[0] + 1e-9, "{} -> {}", w[0], w[1]);
    }
    assert!(e.last().unwrap() < &e[0]);
}

#[test]
fn initial_states_follow_the_paper() {
    let mut cfg = SimConfig::new(Law::Charge, 8, 3);
    cfg.n_sims = 300;
    let mut log_m = Vec::new();
    let mut charges = [0usize; 2];
    for s in 0..cfg.n_sims {
        for row in initial_state(&cfg, s).unwrap() {
            assert_eq!(row.len(), 8);
            let (q, m) = (row[6], row[7]);
            assert!(m > 0.0);
            log_m.push(m.ln());
            assert!(q == 1.0 || q == -1.0);
            charges[(q > 0.0) as usize] += 1;
        }
    }
    let mean = log_m.iter().sum::<f64>() / log_m.len() as f64;
    let var = log_m.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / log_m.len() as f64;
    assert!(mean.abs() < 0.1 && (var - 1.0).abs() < 0.1, "ln m: {mean} {var}");
    let frac = charges[1] as f64 / (charges[0] + charges[1]) as f64;
    assert!((frac - 0.5).abs() < 0.05, "positive fraction {frac}");

    let chain = initial_state(&SimConfig::new(Law::String, 30, 2), 0).unwrap();
    for (i, row) in chain.iter().enumerate() {
        assert_eq!(row[5], 1.0);
        assert_eq!(&row[2..4], &[0.0, 0.0]);
        assert!((row[0] - i as f64).abs() < 3.0);
    }
}

#[test]
fn seeds_reproduce_and_differ() {
    let mut cfg = SimConfig::new(Law::R2, 4, 2);
    cfg.steps = 50;
    cfg.n_sims = 3;
    cfg.seed = 5;
    let a = simulate(&cfg).unwrap();
    let b = simulate(&cfg).unwrap();
    assert_eq!(a, b);
    cfg.seed = 6;
    let c = simulate(&cfg).unwrap();
    assert_ne!(a.graphs[0].nodes, c.graphs[0].nodes);
    // Simulation s does not depend on how many others run beside it.
    cfg.seed = 5;
    cfg.n_sims = 1;
    let d = simulate(&cfg).unwrap();
    assert_eq!(d.graphs[..], a.graphs[..d.len()]);
    // Different simulations of one batch start differently.
    assert_ne!(a.graphs[0].nodes, a.graphs[d.len()].nodes);
}

#[test]
fn shapes_and_recorded_targets() {
    for &law in Law::all() {
        let mut cfg = SimConfig::new(law, 5, 3);
        cfg.steps = 23;
        cfg.keep_every = 5;
        cfg.n_sims = 2;
        let data = simulate(&cfg).unwrap();
        assert_eq!(data.len(), 2 * 5, "{law}");
        for g in &data.graphs {
            assert_eq!(g.nodes.len(), 5);
            assert!(g.nodes.iter().all(|r| r.len() == 8));
            assert_eq!(g.accel, accelerations(law, &g.nodes, 3).unwrap());
        }
        // Step 0 is the initial state itself.
        assert_eq!(data.graphs[0].nodes, initial_state(&cfg, 0).unwrap());
    }
}

#[test]
fn bad_configurations_are_errors() {
    let base = SimConfig::new(Law::Spring, 4, 2);
    let cases = [
        (SimConfig { dim: 1, ..base.clone() }, SimError::BadDim(1)),
        (SimConfig { dim: 4, ..base.clone() }, SimError::BadDim(4)),
        (SimConfig { n: 1, ..base.clone() }, SimError::TooFewBodies(1)),
        (SimConfig { n: 0, ..base.clone() }, SimError::TooFewBodies(0)),
        (SimConfig { steps: 0, ..base.clone() }, SimError::ZeroSteps),
        (SimConfig { keep_every: 0, ..base.clone() }, SimError::ZeroKeepEvery),
        (SimConfig { n_sims: 0, ..base.clone() }, SimError::ZeroSims),
        (SimConfig { dt: Some(-1.0), ..base.clone() }, SimError::BadDt(-1.0)),
    ];
    for (cfg, want) in cases {
        assert_eq!(simulate(&cfg), Err(want.clone()));
        assert!(initial_state(&cfg, 0).is_err());
        assert!(!want.to_string().is_empty());
    }
    assert!(matches!(simulate(&SimConfig { dt: Some(f64::NAN), ..base.clone() }), Err(SimError::BadDt(_))));
    assert!(matches!(simulate_with(&base, Integrator::Rk4 { substeps: 0 }), Err(SimError::BadIntegrator(_))));
}

#[test]
fn exhausted_step_budget_is_an_error() {
    let mut cfg = SimConfig::new(Law::R2, 4, 2);
    cfg.steps = 20;
    cfg.dt = Some(10.0);
    let tight = Integrator::Adaptive { rtol: 1e-12, atol: 1e-12, max_substeps: 3 };
    assert!(matches!(simulate_with(&cfg, tight), Err(SimError::StepLimit { sim: 0, .. })));
}
