//! Checks the flat tables and the split: edge rows per graph, no self-loops, the sign of
//! `dx`, summed edge forces reproducing accelerations, node rows matching graphs, and splits
//! that partition the graphs reproducibly.

use sdl_sim::{damping_force, external_force, simulate, GraphData, Law, SimConfig, SimError};

fn data(law: Law, n: usize, dim: usize) -> GraphData {
    let mut cfg = SimConfig::new(law, n, dim);
    cfg.steps = 30;
    cfg.keep_every = 10;
    cfg.n_sims = 2;
    cfg.seed = 3;
    simulate(&cfg).unwrap()
}

fn col(names: &[String], name: &str) -> usize {
    names.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name}"))
}

#[test]
fn edge_table_layout() {
    let d = data(Law::R2, 4, 3);
    let (names, rows) = d.edge_columns();
    let want: Vec<&str> = "graph receiver sender x1 y1 z1 vx1 vy1 vz1 q1 m1 \
         x2 y2 z2 vx2 vy2 vz2 q2 m2 dx dy dz r fx fy fz"
        .split_whitespace()
        .collect();
    assert_eq!(names, want);
    assert_eq!(rows.len(), d.len() * 4 * 3);
    let (dx, x1, x2, r) = (col(&names, "dx"), col(&names, "x1"), col(&names, "x2"), col(&names, "r"));
    for row in &rows {
        assert_eq!(row.len(), names.len());
        assert_ne!(row[1], row[2], "self-loop");
        assert_eq!(row[dx], row[x2] - row[x1], "dx is sender minus receiver");
        let rr: f64 = (0..3).map(|k| row[dx + k].powi(2)).sum::<f64>().sqrt();
        assert!((rr - row[r]).abs() < 1e-12);
    }
    let (names2, _) = data(Law::Spring, 3, 2).edge_columns();
    assert_eq!(names2.len(), 3 + 6 + 6 + 2 + 1 + 2);
    // Chain law: neighbours only.
    let chain = data(Law::String, 6, 2);
    let (_, rows) = chain.edge_columns();
    assert_eq!(rows.len(), chain.len() * 2 * 5);
    assert!(rows.iter().all(|r| (r[1] - r[2]).abs() == 1.0));
}

#[test]
fn summed_edge_forces_give_accelerations() {
    for &law in Law::all() {
        for dim in [2, 3] {
            let d = data(law, 5, dim);
            let (names, rows) = d.edge_columns();
            let (fx, m1) = (col(&names, "fx"), col(&names, "m1"));
            let mut sum = vec![vec![vec![0.0; dim]; d.n]; d.len()];
            for row in &rows {
                let (g, i) = (row[0] as usize, row[1] as usize);
                for k in 0..dim {
                    sum[g][i][k] += row[fx + k];
                }
            }
            for (g, graph) in d.graphs.iter().enumerate() {
                for (i, node) in graph.nodes.iter().enumerate() {
                    let m = node[m1 - 3];
                    let extra_d = damping_force(law, node, d.n, dim).unwrap();
                    let extra_e = external_force(law, node, dim).unwrap();
                    for k in 0..dim {
                        let a = (sum[g][i][k] + extra_d[k] + extra_e[k]) / m;
                        let want = graph.accel[i][k];
                        assert!(
                            (a - want).abs() <= 1e-9 * (1.0 + want.abs()),
                            "{law} dim {dim} graph {g} body {i}: {a} vs {want}"
                        );
                        if law != Law::Damped && law != Law::String {
                            let plain = sum[g][i][k] / m;
                            assert!((plain - want).abs() <= 1e-9 * (1.0 + want.abs()));
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn node_table_matches_graphs() {
    let d = data(Law::Charge, 4, 2);
    let (names, rows) = d.node_columns();
    let want: Vec<&str> = "graph node x y vx vy q m ax ay".split_whitespace().collect();
    assert_eq!(names, want);
    assert_eq!(rows.len(), d.len() * 4);
    for row in &rows {
        let g = &d.graphs[row[0] as usize];
        let i = row[1] as usize;
        assert_eq!(&row[2..8], &g.nodes[i][..]);
        assert_eq!(&row[8..10], &g.accel[i][..]);
    }
}

#[test]
fn split_partitions_graphs_reproducibly() {
    let mut cfg = SimConfig::new(Law::Spring, 4, 2);
    cfg.steps = 100;
    cfg.keep_every = 1;
    let d = simulate(&cfg).unwrap();
    let (train, test) = d.split(0.8, 9).unwrap();
    assert_eq!(train.len(), 80);
    assert_eq!(test.len(), 20);
    assert_eq!(d.split(0.8, 9).unwrap(), (train.clone(), test.clone()));
    assert_ne!(d.split(0.8, 10).unwrap().1, test);
    for g in &test.graphs {
        assert!(!train.graphs.contains(g));
        assert!(d.graphs.contains(g));
    }
    assert_eq!(d.split(0.0, 1).unwrap().0.len(), 0);
    assert_eq!(d.split(1.0, 1).unwrap().1.len(), 0);
    for bad in [-0.1, 1.5, f64::NAN] {
        assert!(matches!(d.split(bad, 1), Err(SimError::BadFraction(_))));
    }
}
