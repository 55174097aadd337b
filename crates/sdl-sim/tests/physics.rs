//! Checks the analytic forces against the potentials they come from: every law's
//! `pair_force` is minus the central-difference gradient of `pair_potential` at seeded random
//! points, pair forces are antisymmetric, `accelerations` are the sum of the parts divided by
//! mass, and malformed input is an error.

use sdl_formula::rng::Rng;
use sdl_sim::{
    accelerations, damping_force, edges, energy, external_force, pair_force, pair_potential, Law, SimError, SOFTENING,
};

fn random_node(rng: &mut Rng, dim: usize, spread: f64) -> Vec<f64> {
    let mut row: Vec<f64> = (0..2 * dim + 2).map(|_| rng.normal()).collect();
    row[..dim].iter_mut().for_each(|x| *x *= spread);
    row[2 * dim] = if rng.uniform() < 0.5 { -1.0 } else { 1.0 };
    row[2 * dim + 1] = row[2 * dim + 1].exp();
    row
}

fn dist(a: &[f64], b: &[f64], dim: usize) -> f64 {
    (0..dim).map(|k| (a[k] - b[k]).powi(2)).sum::<f64>().sqrt()
}

#[test]
fn pair_force_is_minus_gradient_of_potential() {
    let mut rng = Rng::new(11);
    let h = 1e-6;
    for &law in Law::all() {
        for dim in [2, 3] {
            let mut checked = 0;
            while checked < 40 {
                let xi = random_node(&mut rng, dim, 1.5);
                let xj = random_node(&mut rng, dim, 1.5);
                let r = dist(&xi, &xj, dim);
                // Keep away from r = 0 (direction undefined) and from the discontinuous law's
                // jump at r' = 2, where a central difference straddles a step.
                if r < 0.05 || (r + SOFTENING - 2.0).abs() < 1e-3 {
                    continue;
                }
                let f = pair_force(law, &xi, &xj, dim).unwrap();
                for k in 0..dim {
                    let mut plus = xi.clone();
                    let mut minus = xi.clone();
                    plus[k] += h;
                    minus[k] -= h;
                    let grad = (pair_potential(law, &plus, &xj, dim).unwrap()
                        - pair_potential(law, &minus, &xj, dim).unwrap())
                        / (2.0 * h);
                    let tol = 1e-5 * (1.0 + f[k].abs());
                    assert!((f[k] + grad).abs() < tol, "{law} dim {dim} axis {k}: force {} vs -grad {}", f[k], -grad);
                }
                checked += 1;
            }
        }
    }
}

#[test]
fn pair_forces_are_antisymmetric() {
    let mut rng = Rng::new(12);
    for &law in Law::all() {
        for dim in [2, 3] {
            for _ in 0..20 {
                let xi = random_node(&mut rng, dim, 2.0);
                let xj = random_node(&mut rng, dim, 2.0);
                let fij = pair_force(law, &xi, &xj, dim).unwrap();
                let fji = pair_force(law, &xj, &xi, dim).unwrap();
                for k in 0..dim {
                    assert!((fij[k] + fji[k]).abs() <= 1e-12 * (1.0 + fij[k].abs()));
                }
            }
        }
    }
}

#[test]
fn accelerations_are_summed_forces_over_mass() {
    let mut rng = Rng::new(13);
    for &law in Law::all() {
        for dim in [2, 3] {
            for n in [2, 4, 7] {
                let nodes: Vec<Vec<f64>> = (0..n).map(|_| random_node(&mut rng, dim, 2.0)).collect();
                let acc = accelerations(law, &nodes, dim).unwrap();
                let mut want = vec![vec![0.0; dim]; n];
                for (i, j) in edges(law, n) {
                    let f = pair_force(law, &nodes[i], &nodes[j], dim).unwrap();
                    (0..dim).for_each(|k| want[i][k] += f[k]);
                }
                for i in 0..n {
                    let d = damping_force(law, &nodes[i], n, dim).unwrap();
                    let e = external_force(law, &nodes[i], dim).unwrap();
                    let m = nodes[i][2 * dim + 1];
                    for k in 0..dim {
                        let a = (want[i][k] + d[k] + e[k]) / m;
                        assert!(
                            (acc[i][k] - a).abs() <= 1e-10 * (1.0 + a.abs()),
                            "{law} n {n} dim {dim} body {i}: {} vs {a}",
                            acc[i][k]
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn damping_and_external_forces_have_documented_form() {
    let node = vec![0.5, 2.0, 3.0, -4.0, 1.0, 2.5];
    assert_eq!(damping_force(Law::Damped, &node, 4, 2).unwrap(), vec![-0.75, 1.0]);
    assert_eq!(damping_force(Law::Spring, &node, 4, 2).unwrap(), vec![0.0, 0.0]);
    assert_eq!(external_force(Law::String, &node, 2).unwrap(), vec![0.0, -2.5]);
    assert_eq!(external_force(Law::R2, &node, 2).unwrap(), vec![0.0, 0.0]);
}

#[test]
fn energy_is_kinetic_plus_pair_potentials() {
    // Two unit masses at distance 1 moving with speed 1 and 2: E = 0.5 + 2 + U(1.01).
    let a = vec![0.0, 0.0, 1.0, 0.0, 1.0, 1.0];
    let b = vec![1.0, 0.0, 0.0, 2.0, 1.0, 1.0];
    let nodes = vec![a, b];
    let e = energy(Law::R2, &nodes, 2).unwrap();
    assert!((e - (2.5 - 1.0 / 1.01)).abs() < 1e-12);
    let e = energy(Law::Spring, &nodes, 2).unwrap();
    assert!((e - (2.5 + 0.01f64.powi(2))).abs() < 1e-12);
}

#[test]
fn malformed_input_is_an_error() {
    let good = vec![0.0; 6];
    let short = vec![0.0; 5];
    assert_eq!(pair_force(Law::R2, &good, &good, 1), Err(SimError::BadDim(1)));
    assert_eq!(pair_force(Law::R2, &good, &good, 4), Err(SimError::BadDim(4)));
    assert!(matches!(pair_force(Law::R2, &good, &short, 2), Err(SimError::BadNode { len: 5, expected: 6, .. })));
    assert!(pair_potential(Law::Charge, &short, &good, 2).is_err());
    assert!(accelerations(Law::R1, &[good.clone(), short.clone()], 2).is_err());
    assert!(energy(Law::R1, &[good.clone(), good.clone()], 3).is_err());
    assert!(damping_force(Law::Damped, &short, 2, 2).is_err());
    assert!(external_force(Law::String, &good, 0).is_err());
    // Empty systems are fine: nothing to compute.
    assert_eq!(accelerations(Law::R2, &[], 2).unwrap().len(), 0);
}
