//! Formulas inside networks and networks on disk: a formula lowered to tensor operations
//! agrees with the reference evaluator; the true spring law put in place of the learned
//! messages and refitted beats the network; bad formulas are refused; saved models and
//! checkpoints load back exactly.

use std::sync::atomic::AtomicBool;

use sdl_formula::{parse, Formula};
use sdl_sim::{simulate, GraphData, Law, SimConfig};
use sdl_train::{
    acceleration_mae, cpu_device, edge_variables, extract_messages, load_checkpoint, load_network, save_checkpoint,
    save_network, standard_features, Dataset, GraphNetConfig, ModelMeta, Network, NetworkConfig, Penalty, Schedule,
    TrainConfig, TrainError, Trainer,
};

fn spring(n_sims: usize, seed: u64) -> GraphData {
    let mut cfg = SimConfig::new(Law::Spring, 4, 2);
    cfg.n_sims = n_sims;
    cfg.steps = 200;
    cfg.keep_every = 4;
    cfg.seed = seed;
    simulate(&cfg).unwrap()
}

fn config() -> TrainConfig {
    TrainConfig { batch: 32, augment_sigma: 0.0, schedule: Schedule::Constant, lr: 3e-3, ..TrainConfig::default() }
}

fn train(net: Network, data: &Dataset, steps: usize, seed: u64) -> Network {
    let mut t = Trainer::from_network(net, TrainConfig { seed, ..config() }, steps, &cpu_device()).unwrap();
    t.run(data, &AtomicBool::new(false), &mut |_| {}).unwrap();
    t.into_network()
}

fn fresh(penalty: Penalty, seed: u64) -> Network {
    let device = cpu_device();
    device.seed(seed);
    NetworkConfig::Graph(GraphNetConfig::paper(2, penalty).with_mlp(64, 2)).init(&device, 1).unwrap()
}

#[test]
fn formulas_evaluate_like_the_reference_interpreter() {
    let sim = spring(1, 3);
    let graphs = &sim.graphs[..3];
    let net = fresh(Penalty::Bottleneck, 1);
    let Network::Graph(g) = &net else { unreachable!() };
    let texts = ["2 * (r + 0.01 - 1) * dx / r", "exp(-r) * sin(dy) + m1 * q2 ^ 2 - abs(vx1) / (1 + m2)"];
    let formulas: Vec<(usize, Formula)> = texts.iter().enumerate().map(|(c, t)| (c, parse(t).unwrap())).collect();
    let sym = Network::Graph(g.replace_messages(&formulas, &cpu_device()).unwrap());
    let m = extract_messages(&sym, graphs, &cpu_device()).unwrap();
    let names = edge_variables(&standard_features(2), 2);
    for (row, e) in m.edges.iter().enumerate() {
        let (xi, xj) = (&graphs[e.graph].nodes[e.receiver], &graphs[e.graph].nodes[e.sender]);
        let mut values: Vec<f64> = xi.iter().chain(xj).copied().collect();
        let (dx, dy) = (xj[0] - xi[0], xj[1] - xi[1]);
        values.extend([dx, dy, (dx * dx + dy * dy).sqrt()]);
        for (c, f) in &formulas {
            let want = f.with_vars(&names).eval_row(&values);
            let got = m.row(row).unwrap()[*c];
            assert!((got - want).abs() <= 1e-4 * want.abs().max(1.0), "{}: {got} vs {want}", f);
        }
    }
}

#[test]
fn bad_formulas_are_refused() {
    let net = fresh(Penalty::Bottleneck, 1);
    let Network::Graph(g) = &net else { unreachable!() };
    let device = cpu_device();
    let err = g.replace_messages(&[(0, parse("dz * r").unwrap())], &device).unwrap_err();
    assert!(matches!(&err, TrainError::BadFormula(m) if m.contains("`dz`")), "{err}");
    assert!(matches!(g.replace_messages(&[(2, parse("r").unwrap())], &device), Err(TrainError::BadFormula(_))));
    let twice = [(0, parse("r").unwrap()), (0, parse("dx").unwrap())];
    assert!(matches!(g.replace_messages(&twice, &device), Err(TrainError::BadFormula(_))));
    assert!(matches!(g.replace_messages(&[], &device), Err(TrainError::BadFormula(_))));
}

#[test]
fn the_true_law_refitted_beats_the_network() {
    let data = Dataset::from_graph_data(&spring(8, 5)).unwrap();
    let test = spring(2, 99);
    let net = train(fresh(Penalty::Bottleneck, 2), &data, 400, 1);
    let Network::Graph(g) = &net else { unreachable!() };
    // The spring force with a deliberately wrong stiffness and rest length: refit finds them.
    let law = |d: &str| parse(&format!("1.5 * (r + 0.01 - 0.8) * {d} / r")).unwrap();
    let sym = Network::Graph(g.replace_messages(&[(0, law("dx")), (1, law("dy"))], &cpu_device()).unwrap());
    let refit = train(sym, &data, 400, 1);
    let more = train(net.clone(), &data, 400, 1);
    let device = cpu_device();
    let (net_mae, refit_mae) = (
        acceleration_mae(&more, &test.graphs, &device).unwrap(),
        acceleration_mae(&refit, &test.graphs, &device).unwrap(),
    );
    assert!(refit_mae < net_mae, "refitted formula {refit_mae}, network {net_mae}");
    let Network::Graph(r) = &refit else { unreachable!() };
    let formulas = r.message_formulas().unwrap();
    assert_eq!(formulas.len(), 2);
    assert_ne!(formulas[0].1.consts, law("dx").consts, "constants were refitted");
}

#[test]
fn saved_networks_and_checkpoints_load_back_exactly() {
    let dir = std::env::temp_dir().join(format!("sdl-train-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sim = spring(1, 7);
    let data = Dataset::from_graph_data(&sim).unwrap();
    let device = cpu_device();
    let graphs = &sim.graphs[..4];
    let meta = ModelMeta {
        channel_std: vec![1.0, 0.5],
        history: vec![3.0, 2.0],
        steps: 2,
        law: Some("spring".into()),
        loss: Some(0.5),
        validation: vec![(1, 0.75), (2, 0.5)],
        ..ModelMeta::default()
    };

    for net in [fresh(Penalty::Kl { weight: 1.0 }, 3), {
        let Network::Graph(g) = fresh(Penalty::Bottleneck, 4) else { unreachable!() };
        Network::Graph(g.replace_messages(&[(1, parse("dx * (r - 1.25)").unwrap())], &device).unwrap())
    }] {
        let path = dir.join("net.sdlnet");
        save_network(&path, &net, &meta).unwrap();
        let (back, back_meta) = load_network(&path, &device).unwrap();
        assert_eq!(back_meta, meta);
        assert_eq!(back.config(), net.config());
        assert_eq!(extract_messages(&back, graphs, &device).unwrap(), extract_messages(&net, graphs, &device).unwrap());
    }

    // Ten steps straight equal five, a checkpoint, a load and five more.
    let net_config = NetworkConfig::Graph(GraphNetConfig::paper(2, Penalty::L1 { weight: 0.01 }).with_mlp(32, 2));
    let tc = TrainConfig { batch: 8, schedule: Schedule::OneCycle, ..TrainConfig::default() };
    let mut straight = Trainer::new(&net_config, tc.clone(), 10, &device).unwrap();
    let (all, _) = straight.run(&data, &AtomicBool::new(false), &mut |_| {}).unwrap();
    let mut first = Trainer::new(&net_config, tc, 10, &device).unwrap();
    for _ in 0..5 {
        first.step(&data).unwrap();
    }
    let path = dir.join("run.sdlnet");
    save_checkpoint(&path, &first, &meta).unwrap();
    let (mut resumed, _) = load_checkpoint(&path, &device).unwrap();
    assert_eq!(resumed.steps_done(), 5);
    let (rest, _) = resumed.run(&data, &AtomicBool::new(false), &mut |_| {}).unwrap();
    assert_eq!(&all[5..], &rest[..]);

    // Not a model file; a model where a checkpoint is wanted; a truncated file.
    std::fs::write(dir.join("junk.sdlnet"), b"hello").unwrap();
    assert!(matches!(load_network(&dir.join("junk.sdlnet"), &device), Err(TrainError::BadFile(_))));
    assert!(matches!(load_network(&dir.join("missing.sdlnet"), &device), Err(TrainError::Io(_))));
    assert!(matches!(load_checkpoint(&dir.join("net.sdlnet"), &device), Err(TrainError::BadFile(_))));
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(dir.join("cut.sdlnet"), &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(load_network(&dir.join("cut.sdlnet"), &device), Err(TrainError::BadFile(_))));
    let _ = std::fs::remove_dir_all(&dir);
}
