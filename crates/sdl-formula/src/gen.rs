//! Random formulas for property tests (shared with the kernel and search crates).
//!
//! In: a seeded [`Rng`], variable names, the operators to draw from and a target size. Out: a
//! valid [`Formula`] whose variable list is exactly `vars` (some may go unused). Always true:
//! the result has at most `max(size, 1)` nodes, uses only operators from `ops`, and is the same
//! for the same generator state, so a failing case can be replayed from its seed. Constants are
//! drawn from a mixture of small integers, special values (0, ±1, 0.5, 2) and normal draws; with
//! [`GenOptions::extreme_constants`] they also include tiny, huge, subnormal values and -0.

use crate::rng::Rng;
use crate::{Formula, Node, Op};

/// Knobs of the generator.
#[derive(Clone, Debug, PartialEq)]
pub struct GenOptions {
    /// Probability that a leaf is a constant rather than a variable (leaves are always constants
    /// when there are no variables).
    pub const_prob: f64,
    /// Also draw tiny, huge, subnormal and negative-zero constants (for printer round trips).
    pub extreme_constants: bool,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions { const_prob: 0.35, extreme_constants: false }
    }
}

/// A random formula of about `size` nodes over `vars` using operators from `ops`, with
/// moderate constants. See [`random_formula_with`].
pub fn random_formula(rng: &mut Rng, vars: &[String], ops: &[Op], size: usize) -> Formula {
    random_formula_with(rng, vars, ops, size, &GenOptions::default())
}

/// A random formula of at most `max(size, 1)` nodes. Operators are picked uniformly among those
/// of `ops` whose arguments still fit in the remaining size, and the remaining size is split at
/// random between the arguments, so both bushy and stringy trees occur.
pub fn random_formula_with(rng: &mut Rng, vars: &[String], ops: &[Op], size: usize, opts: &GenOptions) -> Formula {
    let mut f = Formula { vars: vars.to_vec(), ..Formula::default() };
    build(rng, ops, size.max(1), opts, &mut f);
    f
}

fn build(rng: &mut Rng, ops: &[Op], size: usize, opts: &GenOptions, f: &mut Formula) {
    let fitting: Vec<Op> = ops.iter().copied().filter(|op| op.arity() < size).collect();
    if fitting.is_empty() {
        leaf(rng, opts, f);
        return;
    }
    let op = fitting[rng.below(fitting.len())];
    let k = op.arity();
    // Split size - 1 nodes between k children, each getting at least one.
    let mut budget = size - 1 - k;
    for i in 0..k {
        let extra = if i + 1 == k { budget } else { rng.below(budget + 1) };
        budget -= extra;
        build(rng, ops, 1 + extra, opts, f);
    }
    f.nodes.push(Node::Op(op));
}

fn leaf(rng: &mut Rng, opts: &GenOptions, f: &mut Formula) {
    if f.vars.is_empty() || rng.chance(opts.const_prob) {
        let v = random_constant(rng, opts.extreme_constants);
        f.consts.push(v);
        f.const_names.push(None);
        f.nodes.push(Node::Const((f.consts.len() - 1) as u16));
    } else {
        let i = rng.below(f.vars.len());
        f.nodes.push(Node::Var(i as u16));
    }
}

/// A random finite constant. Moderate draws are small integers, special values and normal
/// draws of scale 3, half of them negative; `extreme` adds magnitudes from 1e-320 to 1e300.
pub fn random_constant(rng: &mut Rng, extreme: bool) -> f64 {
    let pick = rng.uniform();
    if extreme && pick < 0.25 {
        let sign = if rng.chance(0.5) { -1.0 } else { 1.0 };
        return match rng.below(4) {
            0 => -0.0,
            1 => sign * f64::from_bits(1 + rng.below(1 << 40) as u64),
            _ => sign * rng.range(1.0, 10.0) * 10f64.powi(rng.below(600) as i32 - 300),
        };
    }
    if pick < 0.5 {
        (rng.below(11) as f64) - 5.0
    } else if pick < 0.65 {
        [0.0, 1.0, -1.0, 0.5, 2.0][rng.below(5)]
    } else {
        3.0 * rng.normal()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::BUILTIN_OPS;

    #[test]
    fn formulas_are_valid_and_reproducible() {
        let vars: Vec<String> = vec!["x".into(), "y".into()];
        let mut a = Rng::new(11);
        let mut b = Rng::new(11);
        for size in 1..40 {
            let f = random_formula(&mut a, &vars, BUILTIN_OPS, size);
            let g = random_formula(&mut b, &vars, BUILTIN_OPS, size);
            assert!(f.same_as(&g));
            assert!(f.len() <= size && !f.is_empty(), "size {size}: {} nodes", f.len());
            // A valid postfix program leaves exactly one value: its whole span is one subtree.
            assert_eq!(f.subtree_start(f.len() - 1), 0);
            assert_eq!(f.vars, vars);
        }
    }

    #[test]
    fn only_requested_operators_and_constants_without_vars() {
        let mut rng = Rng::new(5);
        for _ in 0..200 {
            let f = random_formula(&mut rng, &[], &[Op::Add, Op::Exp], 9);
            assert!(f.nodes.iter().all(|n| matches!(n, Node::Const(_) | Node::Op(Op::Add | Op::Exp))));
            let w = random_formula_with(&mut rng, &["x".into()], &[], 5, &GenOptions::default());
            assert_eq!(w.len(), 1);
        }
        let mut saw_tiny = false;
        for _ in 0..2000 {
            let c = random_constant(&mut rng, true);
            assert!(c.is_finite());
            saw_tiny |= c != 0.0 && c.abs() < 1e-300;
        }
        assert!(saw_tiny);
    }
}
