//! The Hamiltonian network: forward-mode tangents equal finite differences of the energy,
//! Hamilton's equations come out with the right signs, training reduces the loss, and the pair
//! energy can be read off and compared with the true potential.

use std::sync::atomic::AtomicBool;

use sdl_sim::{simulate, Law, SimConfig};
use sdl_train::burn::prelude::*;
use sdl_train::burn::tensor::Distribution;
use sdl_train::{
    cpu_device, extract_messages, truth_fit, Activation, Dataset, HamiltonianConfig, MlpSpec, Network, NetworkConfig,
    Schedule, Stop, TrainConfig, Trainer, Truth,
};

fn tiny() -> HamiltonianConfig {
    let spec = MlpSpec::new(24, 2).with_activation(Activation::Softplus);
    HamiltonianConfig { pair: spec, self_energy: spec, ..HamiltonianConfig::paper(2) }
}

fn values(t: Tensor<2>) -> Vec<f64> {
    t.into_data().try_into_vec::<f32>().unwrap().iter().map(|&v| v as f64).collect()
}

#[test]
fn tangents_match_finite_differences() {
    let device = cpu_device();
    device.seed(3);
    for activation in Activation::ALL {
        let mlp =
            MlpSpec::new(16, 2).with_activation(activation).init(5, 2, &device, &mut sdl_formula::rng::Rng::new(3));
        let x = Tensor::<2>::random([3, 5], Distribution::Normal(0.0, 1.0), &device);
        let coords = [0, 2, 4];
        let (y, t) = mlp.forward_with_tangents(x.clone(), &coords);
        assert_eq!(y.dims(), [3, 2]);
        assert_eq!(t.dims(), [3, 3, 2]);
        let y_direct = values(mlp.forward(x.clone()));
        assert_eq!(values(y), y_direct);
        let h = 1e-2;
        for (k, &c) in coords.iter().enumerate() {
            let mut bump = vec![0f32; 15];
            for row in 0..3 {
                bump[row * 5 + c] = h as f32;
            }
            let bump = Tensor::<2>::from_data(TensorData::new(bump, [3, 5]), &device);
            let up = values(mlp.forward(x.clone() + bump.clone()));
            let down = values(mlp.forward(x.clone() - bump));
            let tk = values(t.clone().narrow(0, k, 1).reshape([3, 2]));
            for i in 0..6 {
                let fd = (up[i] - down[i]) / (2.0 * h);
                // ReLU kinks make finite differences rough; the smooth ones must agree closely.
                let tol = if activation == Activation::Relu { 0.1 } else { 2e-3 };
                assert!((tk[i] - fd).abs() <= tol * fd.abs().max(1.0), "{activation:?} coord {c}: {} vs {fd}", tk[i]);
            }
        }
    }
}

#[test]
fn hamiltons_equations_are_the_derivatives_of_the_energy() {
    let device = cpu_device();
    device.seed(1);
    let net = NetworkConfig::Hamiltonian(tiny()).init(&device, 1).unwrap();
    let Network::Hamiltonian(h) = &net else { unreachable!() };
    let (n, f) = (3, 6);
    let x = Tensor::<3>::random([1, n, f], Distribution::Normal(0.0, 1.0), &device);
    // Positive masses, as in the data.
    let x = Tensor::cat(vec![x.clone().narrow(2, 0, 5), x.narrow(2, 5, 1).exp()], 2);
    h.check_input(&x).unwrap();
    let out = h.forward(x.clone());
    assert_eq!(out.dq_dt.dims(), [1, n, 2]);
    assert_eq!(out.pair_energy.dims(), [1, n * (n - 1), 1]);
    let dq_dt = out.dq_dt.into_data().try_into_vec::<f32>().unwrap();
    let dp_dt = out.dp_dt.into_data().try_into_vec::<f32>().unwrap();
    let host = x.clone().into_data().try_into_vec::<f32>().unwrap();
    let energy = |v: &[f32]| {
        let t = Tensor::<3>::from_data(TensorData::new(v.to_vec(), [1, n, f]), &device);
        h.energy(t).into_data().try_into_vec::<f32>().unwrap()[0] as f64
    };
    let step = 1e-2f32;
    for body in 0..n {
        let mass = host[body * f + 5];
        for axis in 0..2 {
            // dH/dq: move the position.
            let (mut up, mut down) = (host.clone(), host.clone());
            up[body * f + axis] += step;
            down[body * f + axis] -= step;
            let dh_dq = (energy(&up) - energy(&down)) / (2.0 * step as f64);
            // dH/dp: move the velocity by step / m, which moves p = m v by step.
            let (mut up, mut down) = (host.clone(), host.clone());
            up[body * f + 2 + axis] += step / mass;
            down[body * f + 2 + axis] -= step / mass;
            let dh_dp = (energy(&up) - energy(&down)) / (2.0 * step as f64);
            let at = body * 2 + axis;
            assert!((dq_dt[at] as f64 - dh_dp).abs() < 2e-3 * dh_dp.abs().max(1.0), "{} vs {dh_dp}", dq_dt[at]);
            assert!((dp_dt[at] as f64 + dh_dq).abs() < 2e-3 * dh_dq.abs().max(1.0), "{} vs {}", dp_dt[at], -dh_dq);
        }
    }
    assert!(NetworkConfig::Hamiltonian(HamiltonianConfig { dim: 3, ..tiny() }).init(&device, 1).is_err());
}

#[test]
fn the_pair_energy_read_off_is_the_symmetric_part_the_energy_sums() {
    let device = cpu_device();
    device.seed(2);
    let net = NetworkConfig::Hamiltonian(tiny()).init(&device, 4).unwrap();
    let Network::Hamiltonian(h) = &net else { unreachable!() };
    let (n, f) = (4, 6);
    let x = Tensor::<3>::random([2, n, f], Distribution::Normal(0.0, 1.0), &device);
    let x = Tensor::cat(vec![x.clone().narrow(2, 0, 5), x.narrow(2, 5, 1).exp()], 2);
    let raw = h.forward(x.clone()).pair_energy.into_data().try_into_vec::<f32>().unwrap();
    let sym = net.edge_outputs(x).into_data().try_into_vec::<f32>().unwrap();
    let e = n * (n - 1);
    let row = |i: usize, j: usize| i * (n - 1) + if j < i { j } else { j - 1 };
    let mut antisymmetric = 0f32;
    for b in 0..2 {
        for i in 0..n {
            for j in (0..n).filter(|&j| j != i) {
                let (ij, ji) = (b * e + row(i, j), b * e + row(j, i));
                assert!((sym[ij] - sym[ji]).abs() < 1e-5, "edge {i}->{j}: {} vs {}", sym[ij], sym[ji]);
                assert!((sym[ij] - (raw[ij] + raw[ji]) / 2.0).abs() < 1e-5);
                antisymmetric = antisymmetric.max((raw[ij] - raw[ji]).abs());
            }
        }
    }
    // A random pair model is not symmetric, so the read-off changed something.
    assert!(antisymmetric > 1e-3, "{antisymmetric}");
}

#[test]
fn a_hamiltonian_network_learns_and_exposes_its_pair_energy() {
    let mut cfg = SimConfig::new(Law::Spring, 4, 2);
    cfg.n_sims = 4;
    cfg.steps = 200;
    cfg.keep_every = 4;
    cfg.seed = 11;
    let sim = simulate(&cfg).unwrap();
    let data = Dataset::from_graph_data(&sim).unwrap();
    let tc =
        TrainConfig { batch: 16, schedule: Schedule::Constant, lr: 3e-3, augment_sigma: 0.0, ..TrainConfig::default() };
    let mut t = Trainer::new(&NetworkConfig::Hamiltonian(tiny()), tc, 150, &cpu_device()).unwrap();
    let (losses, stop) = t.run(&data, &AtomicBool::new(false), &mut |_| {}).unwrap();
    assert_eq!(stop, Stop::Finished);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (first, last) = (mean(&losses[..10]), mean(&losses[140..]));
    assert!(last < 0.7 * first, "loss went from {first} to {last}");
    let m = extract_messages(t.network(), &sim.graphs[..20], &cpu_device()).unwrap();
    assert_eq!((m.msg_dim, m.rows()), (1, 20 * 12));
    let fit = truth_fit(&m, &sim.graphs[..20], Law::Spring, 2, Truth::Potential, None, 0.9).unwrap();
    assert!((0.0..=1.0).contains(&fit.table1()));
}
