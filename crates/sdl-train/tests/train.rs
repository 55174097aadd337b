//! End-to-end checks of sdl-train on tiny, seeded spring data (debug-build friendly: small
//! networks, few steps).

use sdl_sim::{simulate, GraphData, Law, SimConfig};
use sdl_train::burn::prelude::*;
use sdl_train::burn::tensor::Distribution;
use sdl_train::{
    cpu_device, extract_messages, force_fit, loss, r_squared, Dataset, GraphNetConfig, Regularizer, TrainConfig,
    TrainError, Trainer,
};

fn spring_data(n_sims: usize, seed: u64) -> GraphData {
    let mut cfg = SimConfig::new(Law::Spring, 4, 2);
    cfg.n_sims = n_sims;
    cfg.steps = 100;
    cfg.keep_every = 5;
    cfg.seed = seed;
    simulate(&cfg).expect("simulation")
}

fn tiny(reg: Regularizer) -> GraphNetConfig {
    GraphNetConfig::new(4, 2).with_mlp(32, 2).with_msg_dim(16).with_regularizer(reg)
}

fn tiny_train(seed: u64) -> TrainConfig {
    TrainConfig { batch: 16, seed, augment_sigma: 0.0, ..TrainConfig::default() }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn forward_shapes() {
    let device = cpu_device();
    device.seed(1);
    let net = tiny(Regularizer::Standard).init(&device).unwrap();
    let x = Tensor::<3>::random([3, 4, 6], Distribution::Default, &device);
    net.check_input(&x).unwrap();
    let out = net.forward(x, false);
    assert_eq!(out.accel.dims(), [3, 4, 2]);
    assert_eq!(out.messages.dims(), [3, 12, 16]);
    assert!(out.kl.is_none());

    let kl = tiny(Regularizer::Kl { weight: 1.0 }).init(&device).unwrap();
    let out = kl.forward(Tensor::<3>::zeros([2, 4, 6], &device), true);
    assert_eq!(out.messages.dims(), [2, 12, 16]);
    let (mu, logvar) = out.kl.unwrap();
    assert_eq!(mu.dims(), [2, 12, 16]);
    assert_eq!(logvar.dims(), [2, 12, 16]);

    let bottleneck = tiny(Regularizer::Bottleneck).init(&device).unwrap();
    assert_eq!(bottleneck.msg_dim(), 2);
    let bad = Tensor::<3>::zeros([2, 5, 6], &device);
    assert!(matches!(bottleneck.check_input(&bad), Err(TrainError::BadData(_))));
}

#[test]
fn bad_settings_are_errors() {
    let device = cpu_device();
    assert!(matches!(tiny(Regularizer::Standard).with_mlp(0, 2).init(&device), Err(TrainError::BadConfig(_))));
    assert!(matches!(tiny(Regularizer::L1 { weight: f64::NAN }).init(&device), Err(TrainError::BadConfig(_))));
    let bad = TrainConfig { batch: 0, ..TrainConfig::default() };
    assert!(matches!(Trainer::new(&tiny(Regularizer::Standard), bad, &device), Err(TrainError::BadConfig(_))));
    #[allow(deprecated)]
    let plain = Device::ndarray();
    assert!(Trainer::new(&tiny(Regularizer::Standard), TrainConfig::default(), &plain).is_err());
    assert!(matches!(Dataset::from_graphs(&[], 4, 2), Err(TrainError::NoData)));
    // Data of the wrong body count for the model.
    let mut cfg = SimConfig::new(Law::Spring, 3, 2);
    cfg.steps = 10;
    let three = Dataset::from_graph_data(&simulate(&cfg).unwrap()).unwrap();
    let mut t = Trainer::new(&tiny(Regularizer::Standard), tiny_train(0), &device).unwrap();
    assert!(matches!(t.step(&three), Err(TrainError::BadData(_))));
}

#[test]
fn training_reduces_loss_and_is_reproducible() {
    let data = Dataset::from_graph_data(&spring_data(4, 7)).unwrap();
    let device = cpu_device();
    let mut t = Trainer::new(&tiny(Regularizer::Standard), tiny_train(3), &device).unwrap();
    let losses = t.train(&data, 200).unwrap();
    assert_eq!(losses.len(), 200);
    assert!(losses.iter().all(|l| l.is_finite()));
    let (first, last) = (mean(&losses[..10]), mean(&losses[190..]));
    assert!(last < 0.7 * first, "loss went from {first} to {last}");

    let mut again = Trainer::new(&tiny(Regularizer::Standard), tiny_train(3), &device).unwrap();
    let repeat = again.train(&data, 5).unwrap();
    assert_eq!(&repeat[..], &losses[..5]);
}

#[test]
fn l1_penalty_is_in_the_loss_and_sparsifies() {
    let sim = spring_data(4, 11);
    let data = Dataset::from_graph_data(&sim).unwrap();
    let device = cpu_device();
    let reg = Regularizer::L1 { weight: 0.1 };
    device.seed(5);
    let net = tiny(reg).init(&device).unwrap();
    let b = data.batch(&[0, 1, 2, 3], None).unwrap();
    let l = loss(&net, b.nodes_tensor(&device), b.accel_tensor(&device), reg);
    let (total, mae, pen) = (
        sdl_train::scalar(&l.total).unwrap(),
        sdl_train::scalar(&l.mae).unwrap(),
        sdl_train::scalar(&l.penalty).unwrap(),
    );
    assert!(pen > 0.0);
    assert!((total - mae - pen).abs() < 1e-5 * total.abs().max(1.0));

    let run = |reg: Regularizer| {
        let mut t = Trainer::new(&tiny(reg), tiny_train(9), &device).unwrap();
        t.train(&data, 150).unwrap();
        let m = extract_messages(t.model(), &sim.graphs, &device).unwrap();
        (m.channels_above(0.2), m.channel_std().iter().sum::<f64>())
    };
    let (active_std, spread_std) = run(Regularizer::Standard);
    let (active_l1, spread_l1) = run(reg);
    // At this tiny scale L1 shrinks every channel rather than selecting a few (no channel
    // stands out relative to the others yet), so sparsity is measured absolutely: fewer
    // channels with a standard deviation above 0.2, and a much smaller total spread.
    assert!(active_l1 < active_std, "channels with std > 0.2: L1 {active_l1}, standard {active_std}");
    assert!(spread_l1 < 0.5 * spread_std, "total std: L1 {spread_l1}, standard {spread_std}");
}

#[test]
fn message_extraction_and_table1_fit() {
    let sim = spring_data(2, 13);
    let data = Dataset::from_graph_data(&sim).unwrap();
    let device = cpu_device();
    let mut t = Trainer::new(&tiny(Regularizer::Bottleneck), tiny_train(2), &device).unwrap();
    t.train(&data, 100).unwrap();
    let graphs = &sim.graphs[..10];
    let m = extract_messages(t.model(), graphs, &device).unwrap();
    assert_eq!(m.rows(), 10 * 12);
    assert_eq!(m.msg_dim, 2);
    assert_eq!(m.values.len(), 10 * 12 * 2);
    assert_eq!(m.edges[13].graph, 1);
    assert_eq!((m.edges[13].receiver, m.edges[13].sender), (0, 2));
    assert_eq!(m.channel_std().len(), 2);
    let fit = force_fit(&m, graphs, Law::Spring, 2).unwrap();
    assert_eq!(fit.channels.len(), 2);
    for r2 in [fit.force_from_messages_mean(), fit.messages_from_force_mean()] {
        assert!(r2.is_finite() && (0.0..=1.0).contains(&r2), "R^2 = {r2}");
    }
    assert!(matches!(force_fit(&m, &graphs[..1], Law::Spring, 2), Err(TrainError::BadData(_))));
}

#[test]
fn r_squared_of_exact_and_unrelated_fits() {
    let x1: Vec<f64> = (0..50).map(|i| (i as f64 * 0.37).sin()).collect();
    let x2: Vec<f64> = (0..50).map(|i| (i as f64 * 1.3).cos()).collect();
    let y: Vec<f64> = x1.iter().zip(&x2).map(|(a, b)| 2.0 * a - 0.5 * b + 3.0).collect();
    let r2 = r_squared(&[x1.clone(), x2.clone()], &y).unwrap();
    assert!((r2 - 1.0).abs() < 1e-9, "{r2}");
    // A collinear duplicate regressor is dropped, not fatal.
    let r2 = r_squared(&[x1.clone(), x1.clone(), x2.clone()], &y).unwrap();
    assert!((r2 - 1.0).abs() < 1e-9, "{r2}");
    assert_eq!(r_squared(std::slice::from_ref(&x1), &[1.0; 50]).unwrap(), 0.0);
    let noise: Vec<f64> = (0..50).map(|i| ((i * 7919 % 101) as f64 / 101.0) - 0.5).collect();
    assert!(r_squared(&[x1], &noise).unwrap() < 0.3);
}

#[test]
fn kl_model_trains_with_its_penalty() {
    let data = Dataset::from_graph_data(&spring_data(1, 17)).unwrap();
    let device = cpu_device();
    let reg = Regularizer::Kl { weight: 1.0 };
    let mut t = Trainer::new(&tiny(reg), tiny_train(4), &device).unwrap();
    let losses = t.train(&data, 5).unwrap();
    assert!(losses.iter().all(|l| l.is_finite()));
    let b = data.batch(&[0, 1], None).unwrap();
    let l = loss(t.model(), b.nodes_tensor(&device), b.accel_tensor(&device), reg);
    assert!(sdl_train::scalar(&l.penalty).unwrap() > 0.0);
    // Evaluation messages are the means: deterministic.
    let a = extract_messages(t.model(), &data_graphs(17)[..2], &device).unwrap();
    let b = extract_messages(t.model(), &data_graphs(17)[..2], &device).unwrap();
    assert_eq!(a, b);
}

fn data_graphs(seed: u64) -> Vec<sdl_sim::Graph> {
    spring_data(1, seed).graphs
}
