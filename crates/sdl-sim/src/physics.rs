//! Analytic forces, accelerations and energies. In: a [`Law`], node rows
//! `[x, y(, z), vx, vy(, vz), q, m]` and the dimension; out: pair forces, per-body
//! accelerations, total energy. Always true: the force on a receiver `i` from a sender `j` is
//! minus the gradient of the pair potential with respect to `x_i`, written as
//! `F = U'(r') d / r` with `d = x_j - x_i` (sender minus receiver) and `r' = r + SOFTENING`;
//! pair forces are antisymmetric (`F_ij = -F_ji`); an acceleration is the sum of pair forces
//! over the law's [`edges`], plus [`damping_force`] and [`external_force`], divided by the
//! receiver's mass.
//!
//! Derivatives are written by hand rather than taken numerically so the data are exact to
//! rounding; the tests check them against central differences of [`pair_potential`].

use crate::error::SimError;
use crate::law::Law;

/// Added to every distance before it enters a potential (`r' = r + 0.01`), as in the paper's
/// code, so that close encounters stay finite.
pub const SOFTENING: f64 = 0.01;

/// Damping coefficient of the `damped` law: the damping force on body `i` is
/// `-DAMPING * v_i / n` (a drag on each body's own velocity, scaled by the body count like the
/// paper's per-pair term so that it does not dominate the springs as `n` grows).
pub const DAMPING: f64 = 1.0;

pub(crate) fn check_dim(dim: usize) -> Result<(), SimError> {
    if dim == 2 || dim == 3 {
        Ok(())
    } else {
        Err(SimError::BadDim(dim))
    }
}

/// Length of a node row in `dim` dimensions: `[position, velocity, q, m]`.
pub const fn node_len(dim: usize) -> usize {
    2 * dim + 2
}

/// Index of the charge `q` in a node row.
pub const fn charge_index(dim: usize) -> usize {
    2 * dim
}

/// Index of the mass `m` in a node row.
pub const fn mass_index(dim: usize) -> usize {
    2 * dim + 1
}

/// `(q, m)` of a node row (of length [`node_len`]).
pub(crate) fn charge_mass(row: &[f64], dim: usize) -> (f64, f64) {
    (row[charge_index(dim)], row[mass_index(dim)])
}

fn check_row(row: &[f64], node: usize, dim: usize) -> Result<(), SimError> {
    let expected = node_len(dim);
    if row.len() == expected {
        Ok(())
    } else {
        Err(SimError::BadNode { node, len: row.len(), expected })
    }
}

pub(crate) fn check_nodes(nodes: &[Vec<f64>], dim: usize) -> Result<(), SimError> {
    check_dim(dim)?;
    for (i, row) in nodes.iter().enumerate() {
        check_row(row, i, dim)?;
    }
    Ok(())
}

/// `U(r')` for one pair, from the unsoftened distance `r` and both bodies' charge and mass.
pub(crate) fn potential_at(law: Law, r: f64, qi: f64, mi: f64, qj: f64, mj: f64) -> f64 {
    let rs = r + SOFTENING;
    match law {
        Law::R1 => mi * mj * rs.ln(),
        Law::R2 => -mi * mj / rs,
        Law::Spring | Law::Damped | Law::String => (rs - 1.0) * (rs - 1.0),
        Law::Charge => qi * qj / rs,
        Law::Discontinuous => {
            if rs < 2.0 {
                0.0
            } else {
                (rs - 1.0) * (rs - 1.0)
            }
        }
        Law::Superposition => (qi * qj - mi * mj) / rs,
    }
}

/// `dU/dr'` for one pair (the same arguments as [`potential_at`]).
pub(crate) fn dpotential_at(law: Law, r: f64, qi: f64, mi: f64, qj: f64, mj: f64) -> f64 {
    let rs = r + SOFTENING;
    match law {
        Law::R1 => mi * mj / rs,
        Law::R2 => mi * mj / (rs * rs),
        Law::Spring | Law::Damped | Law::String => 2.0 * (rs - 1.0),
        Law::Charge => -qi * qj / (rs * rs),
        Law::Discontinuous => {
            if rs < 2.0 {
                0.0
            } else {
                2.0 * (rs - 1.0)
            }
        }
        Law::Superposition => (mi * mj - qi * qj) / (rs * rs),
    }
}

/// Force on the body at `pi` from the body at `pj` (positions only), added into `out`.
/// At `r = 0` the direction is undefined and the force is taken as zero.
pub(crate) fn add_pair_force(
    law: Law,
    pi: &[f64],
    pj: &[f64],
    (qi, mi): (f64, f64),
    (qj, mj): (f64, f64),
    sign: f64,
    out: &mut [f64],
) {
    let r2: f64 = pi.iter().zip(pj).map(|(a, b)| (b - a) * (b - a)).sum();
    let r = r2.sqrt();
    if r == 0.0 {
        return;
    }
    let c = sign * dpotential_at(law, r, qi, mi, qj, mj) / r;
    for ((o, a), b) in out.iter_mut().zip(pi).zip(pj) {
        *o += c * (b - a);
    }
}

/// The directed edges `(receiver, sender)` of the law's interaction graph on `n` bodies:
/// the complete graph without self-loops (receiver-major, senders ascending) for every law
/// except `string`, whose edges are chain neighbours `i <-> i + 1` only.
pub fn edges(law: Law, n: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for i in 0..n {
        if law.chain() {
            if i > 0 {
                out.push((i, i - 1));
            }
            if i + 1 < n {
                out.push((i, i + 1));
            }
        } else {
            out.extend((0..n).filter(|&j| j != i).map(|j| (i, j)));
        }
    }
    out
}

/// The force on receiver `xi` from sender `xj` (full node rows of length `2 * dim + 2`):
/// `-grad_{x_i} U(r')`, i.e. `U'(r') d / r` with `d = x_j - x_i`. For `damped` this is the
/// spring part only (see [`damping_force`]); for `string` it is the spring between the two
/// bodies whether or not they are chain neighbours (see [`edges`]). Zero when `r = 0`.
pub fn pair_force(law: Law, xi: &[f64], xj: &[f64], dim: usize) -> Result<Vec<f64>, SimError> {
    check_dim(dim)?;
    check_row(xi, 0, dim)?;
    check_row(xj, 1, dim)?;
    let mut out = vec![0.0; dim];
    add_pair_force(law, &xi[..dim], &xj[..dim], charge_mass(xi, dim), charge_mass(xj, dim), 1.0, &mut out);
    Ok(out)
}

/// The pair potential `U(r')` between two node rows (see [`Law`] for the table).
pub fn pair_potential(law: Law, xi: &[f64], xj: &[f64], dim: usize) -> Result<f64, SimError> {
    check_dim(dim)?;
    check_row(xi, 0, dim)?;
    check_row(xj, 1, dim)?;
    let r = distance(&xi[..dim], &xj[..dim]);
    let ((qi, mi), (qj, mj)) = (charge_mass(xi, dim), charge_mass(xj, dim));
    Ok(potential_at(law, r, qi, mi, qj, mj))
}

/// The velocity-dependent force on one body in a system of `n`: `-DAMPING * v / n` for
/// `damped`, zero for every other law.
pub fn damping_force(law: Law, xi: &[f64], n: usize, dim: usize) -> Result<Vec<f64>, SimError> {
    check_dim(dim)?;
    check_row(xi, 0, dim)?;
    if law != Law::Damped || n == 0 {
        return Ok(vec![0.0; dim]);
    }
    Ok(xi[dim..2 * dim].iter().map(|v| -DAMPING * v / n as f64).collect())
}

/// The external (one-body) force: `-m` along the second axis (`U = m y`) for `string`, zero
/// for every other law.
pub fn external_force(law: Law, xi: &[f64], dim: usize) -> Result<Vec<f64>, SimError> {
    check_dim(dim)?;
    check_row(xi, 0, dim)?;
    let mut out = vec![0.0; dim];
    if law == Law::String {
        out[1] = -xi[mass_index(dim)];
    }
    Ok(out)
}

pub(crate) fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>().sqrt()
}

/// Accelerations of all bodies from flat state: `pos` and `vel` are `n * dim` (body-major),
/// `q` and `m` are `n`. Writes `n * dim` values into `acc`. Shared by the integrator and
/// [`accelerations`] so that recorded targets are exactly what drove the motion.
pub(crate) fn accel_flat(law: Law, dim: usize, pos: &[f64], vel: &[f64], q: &[f64], m: &[f64], acc: &mut [f64]) {
    let n = m.len();
    acc.iter_mut().for_each(|a| *a = 0.0);
    // Forces first (antisymmetric, so each unordered pair is computed once), then divide.
    let mut f = [0.0f64; 3];
    for i in 0..n {
        let upper = if law.chain() { (i + 2).min(n) } else { n };
        for j in i + 1..upper {
            let f = &mut f[..dim];
            f.iter_mut().for_each(|x| *x = 0.0);
            add_pair_force(
                law,
                &pos[i * dim..(i + 1) * dim],
                &pos[j * dim..(j + 1) * dim],
                (q[i], m[i]),
                (q[j], m[j]),
                1.0,
                f,
            );
            for k in 0..dim {
                acc[i * dim + k] += f[k];
                acc[j * dim + k] -= f[k];
            }
        }
    }
    for i in 0..n {
        for k in 0..dim {
            let mut force = acc[i * dim + k];
            if law == Law::Damped {
                force -= DAMPING * vel[i * dim + k] / n as f64;
            }
            if law == Law::String && k == 1 {
                force -= m[i];
            }
            acc[i * dim + k] = force / m[i];
        }
    }
}

/// Splits node rows into flat positions, velocities, charges and masses.
pub(crate) fn unpack(nodes: &[Vec<f64>], dim: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let n = nodes.len();
    let mut pos = Vec::with_capacity(n * dim);
    let mut vel = Vec::with_capacity(n * dim);
    let mut q = Vec::with_capacity(n);
    let mut m = Vec::with_capacity(n);
    for row in nodes {
        pos.extend_from_slice(&row[..dim]);
        vel.extend_from_slice(&row[dim..2 * dim]);
        let (qi, mi) = charge_mass(row, dim);
        q.push(qi);
        m.push(mi);
    }
    (pos, vel, q, m)
}

/// True accelerations `[n][dim]` of every body: the sum of [`pair_force`] over the law's
/// [`edges`], plus [`damping_force`] and [`external_force`], divided by the body's mass.
pub fn accelerations(law: Law, nodes: &[Vec<f64>], dim: usize) -> Result<Vec<Vec<f64>>, SimError> {
    check_nodes(nodes, dim)?;
    let (pos, vel, q, m) = unpack(nodes, dim);
    let mut acc = vec![0.0; nodes.len() * dim];
    accel_flat(law, dim, &pos, &vel, &q, &m, &mut acc);
    Ok(acc.chunks(dim).map(|c| c.to_vec()).collect())
}

/// Flat-state total energy (see [`energy`]).
pub(crate) fn energy_flat(law: Law, dim: usize, pos: &[f64], vel: &[f64], q: &[f64], m: &[f64]) -> f64 {
    let n = m.len();
    let mut e = 0.0;
    for i in 0..n {
        let v2: f64 = vel[i * dim..(i + 1) * dim].iter().map(|v| v * v).sum();
        e += 0.5 * m[i] * v2;
        if law == Law::String {
            e += m[i] * pos[i * dim + 1];
        }
        let upper = if law.chain() { (i + 2).min(n) } else { n };
        for j in i + 1..upper {
            let r = distance(&pos[i * dim..(i + 1) * dim], &pos[j * dim..(j + 1) * dim]);
            e += potential_at(law, r, q[i], m[i], q[j], m[j]);
        }
    }
    e
}

/// Total energy: kinetic `sum m v^2 / 2` plus the pair potential over each undirected edge of
/// the law's graph, plus `m y` per body for `string`. Conserved by the exact dynamics only when
/// [`Law::conservative`] holds.
pub fn energy(law: Law, nodes: &[Vec<f64>], dim: usize) -> Result<f64, SimError> {
    check_nodes(nodes, dim)?;
    let (pos, vel, q, m) = unpack(nodes, dim);
    Ok(energy_flat(law, dim, &pos, &vel, &q, &m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gravity_attracts_and_charges_repel() {
        let a = vec![0.0, 0.0, 0.0, 0.0, 1.0, 2.0];
        let b = vec![3.0, 4.0, 0.0, 0.0, 1.0, 3.0];
        let f = pair_force(Law::R2, &a, &b, 2).unwrap();
        // Magnitude m1 m2 / (r + 0.01)^2 along +d = (3, 4) / 5.
        let mag = 6.0 / (5.01f64 * 5.01);
        assert!((f[0] - mag * 0.6).abs() < 1e-12 && (f[1] - mag * 0.8).abs() < 1e-12);
        let f = pair_force(Law::Charge, &a, &b, 2).unwrap();
        assert!(f[0] < 0.0 && f[1] < 0.0);
    }

    #[test]
    fn coincident_bodies_feel_no_force() {
        let a = vec![1.0, 1.0, 0.0, 0.0, 1.0, 1.0];
        for &law in Law::all() {
            assert_eq!(pair_force(law, &a, &a, 2).unwrap(), vec![0.0, 0.0]);
        }
    }

    #[test]
    fn edge_lists() {
        assert_eq!(edges(Law::R2, 3).len(), 6);
        assert_eq!(edges(Law::String, 3), vec![(0, 1), (1, 0), (1, 2), (2, 1)]);
        assert!(edges(Law::Spring, 5).iter().all(|(i, j)| i != j));
    }
}
