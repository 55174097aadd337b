//! The mutation set of PySR: add_node, insert_node, delete_node, do_nothing, mutate_constant,
//! mutate_operator, mutate_feature, swap_operands, rotate_tree, randomize, simplify and
//! optimize, plus random tree generation.
//!
//! Mutations work directly on the flat postfix array: a subtree is a contiguous slice, so
//! replacing one is a `splice`. Only `rotate_tree` goes through a small arena tree. Every
//! mutation keeps the formula's variable list untouched (it is the template function's argument
//! list) and re-tidies constants. Mutations here only build trees; whether the result obeys the
//! grammar is judged by the caller with `OperatorSet::check`, which retries or keeps the parent.
//! `simplify` and `optimize` need the data, so they are carried out in `evolve`.

use crate::member::tidy_consts;
use sdl_formula::rng::Rng;
use sdl_formula::{Formula, Node, Op, OperatorSet};

/// One kind of mutation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutation {
    AddNode,
    InsertNode,
    DeleteNode,
    DoNothing,
    MutateConstant,
    MutateOperator,
    MutateFeature,
    SwapOperands,
    RotateTree,
    Randomize,
    Simplify,
    Optimize,
}

impl Mutation {
    /// Every mutation, in the order of `MutationWeights::as_pairs`.
    pub const ALL: [Mutation; 12] = [
        Mutation::AddNode,
        Mutation::InsertNode,
        Mutation::DeleteNode,
        Mutation::DoNothing,
        Mutation::MutateConstant,
        Mutation::MutateOperator,
        Mutation::MutateFeature,
        Mutation::SwapOperands,
        Mutation::RotateTree,
        Mutation::Randomize,
        Mutation::Simplify,
        Mutation::Optimize,
    ];
}

/// Settings a mutation needs besides the formula.
#[derive(Clone, Copy, Debug)]
pub struct MutateCtx<'a> {
    pub opset: &'a OperatorSet,
    pub perturbation_factor: f64,
    pub probability_negate_constant: f64,
    /// Annealing temperature in [0, 1] (1 without annealing).
    pub temperature: f64,
}

/// Adjusts the weights to what can apply to `f` (PySR's `condition_mutation_weights!`): no
/// constant mutation without constants, no operator mutation on a leaf, no growth at
/// `maxsize`, no feature mutation with one feature.
pub fn condition_weights(base: &[f64; 12], f: &Formula, complexity: u32, opset: &OperatorSet) -> [f64; 12] {
    let mut w = *base;
    let n_ops = f.nodes.iter().filter(|n| matches!(n, Node::Op(_))).count();
    let has_binary = f.nodes.iter().any(|n| matches!(n, Node::Op(op) if op.arity() >= 2));
    if f.consts.is_empty() {
        w[4] = 0.0;
    }
    if n_ops == 0 {
        w[5] = 0.0; // mutate_operator
        w[2] = 0.0; // delete_node
        w[8] = 0.0; // rotate_tree
        w[10] = 0.0; // simplify
    }
    if !has_binary {
        w[7] = 0.0;
    }
    if f.vars.len() <= 1 || !f.nodes.iter().any(|n| matches!(n, Node::Var(_))) {
        w[6] = 0.0;
    }
    if complexity >= opset.maxsize {
        w[0] = 0.0;
        w[1] = 0.0;
    }
    if w.iter().all(|x| *x <= 0.0) {
        w[3] = 1.0;
    }
    w
}

/// A random operator of the set (each operator equally likely), or `None` for an empty set.
pub fn random_op(opset: &OperatorSet, rng: &mut Rng) -> Option<Op> {
    let n = opset.unary.len() + opset.binary.len() + opset.ternary.len();
    if n == 0 {
        return None;
    }
    opset.all_ops().nth(rng.below(n))
}

/// Appends a random leaf to `out`: a variable or a standard-normal constant (half each, as
/// PySR), pushing the constant into `f.consts`.
fn push_leaf(f: &mut Formula, out: &mut Vec<Node>, rng: &mut Rng) {
    if f.vars.is_empty() || rng.chance(0.5) {
        f.consts.push(rng.normal());
        f.const_names.push(None);
        out.push(Node::Const((f.consts.len() - 1) as u16));
    } else {
        out.push(Node::Var(rng.below(f.vars.len()) as u16));
    }
}

/// The node sequence `op(leaves..)` with the existing subtree `keep` in argument slot `slot`
/// (or all leaves when `keep` is `None`).
fn wrap(f: &mut Formula, op: Op, keep: Option<(&[Node], usize)>, rng: &mut Rng) -> Vec<Node> {
    let mut out = Vec::new();
    for s in 0..op.arity() {
        match keep {
            Some((nodes, slot)) if slot == s => out.extend_from_slice(nodes),
            _ => push_leaf(f, &mut out, rng),
        }
    }
    out.push(Node::Op(op));
    out
}

fn positions(f: &Formula, pred: impl Fn(&Node) -> bool) -> Vec<usize> {
    f.nodes.iter().enumerate().filter(|(_, n)| pred(n)).map(|(i, _)| i).collect()
}

fn pick(rng: &mut Rng, v: &[usize]) -> Option<usize> {
    if v.is_empty() {
        None
    } else {
        Some(v[rng.below(v.len())])
    }
}

/// A random leaf formula over `vars`.
pub fn random_leaf(vars: &[String], rng: &mut Rng) -> Formula {
    let mut f = Formula { vars: vars.to_vec(), ..Formula::default() };
    let mut nodes = Vec::new();
    push_leaf(&mut f, &mut nodes, rng);
    f.nodes = nodes;
    f
}

/// A random tree over `vars` with about `n_ops` operators, grown like PySR's
/// `gen_random_tree`: start from a leaf and replace random leaves by random operators.
pub fn random_tree(vars: &[String], opset: &OperatorSet, n_ops: usize, rng: &mut Rng) -> Formula {
    let mut f = random_leaf(vars, rng);
    for _ in 0..n_ops {
        match append_at_leaf(&f, opset, rng) {
            Some(g) => f = g,
            None => break,
        }
    }
    f
}

/// Replaces a random leaf by a random operator over new random leaves.
fn append_at_leaf(f: &Formula, opset: &OperatorSet, rng: &mut Rng) -> Option<Formula> {
    let op = random_op(opset, rng)?;
    let leaf = pick(rng, &positions(f, |n| !matches!(n, Node::Op(_))))?;
    let mut g = f.clone();
    let new = wrap(&mut g, op, None, rng);
    g.nodes.splice(leaf..=leaf, new);
    tidy_consts(&mut g);
    Some(g)
}

/// Applies one structural mutation. Returns `None` when it does not apply to this formula.
/// `Simplify` and `Optimize` are not handled here (they need the data) and return `None`.
pub fn mutate(m: Mutation, f: &Formula, ctx: &MutateCtx, rng: &mut Rng) -> Option<Formula> {
    let opset = ctx.opset;
    let mut g = f.clone();
    match m {
        Mutation::DoNothing => return Some(g),
        Mutation::AddNode => {
            if rng.chance(0.5) {
                // Prepend: the whole tree becomes one argument of a new root.
                let op = random_op(opset, rng)?;
                let slot = rng.below(op.arity());
                let old = std::mem::take(&mut g.nodes);
                g.nodes = wrap(&mut g, op, Some((&old, slot)), rng);
            } else {
                return append_at_leaf(f, opset, rng);
            }
        }
        Mutation::InsertNode => {
            let op = random_op(opset, rng)?;
            let at = rng.below(g.nodes.len());
            let start = g.subtree_start(at);
            let sub: Vec<Node> = g.nodes[start..=at].to_vec();
            let slot = rng.below(op.arity());
            let new = wrap(&mut g, op, Some((&sub, slot)), rng);
            g.nodes.splice(start..=at, new);
        }
        Mutation::DeleteNode => {
            let at = pick(rng, &positions(f, |n| matches!(n, Node::Op(_))))?;
            let start = g.subtree_start(at);
            let kids = g.children(at);
            let keep = kids[rng.below(kids.len())];
            let kstart = g.subtree_start(keep);
            let sub: Vec<Node> = g.nodes[kstart..=keep].to_vec();
            g.nodes.splice(start..=at, sub);
        }
        Mutation::MutateConstant => {
            if g.consts.is_empty() {
                return None;
            }
            let i = rng.below(g.consts.len());
            // PySR's mutate_value: scale by up to (1 + perturbation * T) in either direction.
            let max_change = ctx.perturbation_factor * ctx.temperature + 1.0 + 1e-9;
            let factor = max_change.powf(rng.uniform());
            if rng.chance(0.5) {
                g.consts[i] *= factor;
            } else {
                g.consts[i] /= factor;
            }
            if rng.chance(ctx.probability_negate_constant) {
                g.consts[i] = -g.consts[i];
            }
            return Some(g);
        }
        Mutation::MutateOperator => {
            let at = pick(rng, &positions(f, |n| matches!(n, Node::Op(_))))?;
            let Node::Op(old) = g.nodes[at] else { return None };
            let same: Vec<Op> = opset.all_ops().filter(|o| o.arity() == old.arity()).collect();
            if same.is_empty() {
                return None;
            }
            g.nodes[at] = Node::Op(same[rng.below(same.len())]);
            return Some(g);
        }
        Mutation::MutateFeature => {
            let at = pick(rng, &positions(f, |n| matches!(n, Node::Var(_))))?;
            if g.vars.len() < 2 {
                return None;
            }
            let Node::Var(old) = g.nodes[at] else { return None };
            let mut new = rng.below(g.vars.len() - 1) as u16;
            if new >= old {
                new += 1;
            }
            g.nodes[at] = Node::Var(new);
            return Some(g);
        }
        Mutation::SwapOperands => {
            let at = pick(rng, &positions(f, |n| matches!(n, Node::Op(op) if op.arity() >= 2)))?;
            let kids = g.children(at);
            let (i, j) = if kids.len() == 2 {
                (0, 1)
            } else {
                let i = rng.below(kids.len());
                let j = (i + 1 + rng.below(kids.len() - 1)) % kids.len();
                (i.min(j), i.max(j))
            };
            let ranges: Vec<(usize, usize)> = kids.iter().map(|&k| (g.subtree_start(k), k)).collect();
            let start = ranges[0].0;
            let mut order: Vec<usize> = (0..kids.len()).collect();
            order.swap(i, j);
            let mut new = Vec::with_capacity(at + 1 - start);
            for k in order {
                let (s, e) = ranges[k];
                new.extend_from_slice(&f.nodes[s..=e]);
            }
            new.push(f.nodes[at]);
            g.nodes.splice(start..=at, new);
            return Some(g);
        }
        Mutation::RotateTree => return rotate(f, rng),
        Mutation::Randomize => {
            let n_ops = f.nodes.iter().filter(|n| matches!(n, Node::Op(_))).count();
            let mut r = random_tree(&f.vars, opset, rng.below(n_ops + 1), rng);
            tidy_consts(&mut r);
            return Some(r);
        }
        Mutation::Simplify | Mutation::Optimize => return None,
    }
    tidy_consts(&mut g);
    Some(g)
}

/// Splices the subtree of `donor` ending at `dend` into `f` in place of the subtree ending at
/// `at`, carrying the donor's constants along. Used by crossover.
pub fn graft(f: &Formula, at: usize, donor: &Formula, dend: usize) -> Formula {
    let mut g = f.clone();
    let start = g.subtree_start(at);
    let dstart = donor.subtree_start(dend);
    let base = g.consts.len() as u16;
    let new: Vec<Node> = donor.nodes[dstart..=dend]
        .iter()
        .map(|n| match *n {
            Node::Const(i) => Node::Const(i + base),
            other => other,
        })
        .collect();
    g.consts.extend_from_slice(&donor.consts);
    g.const_names.extend(donor.const_names.iter().cloned());
    g.nodes.splice(start..=at, new);
    tidy_consts(&mut g);
    g
}

/// Tree rotation (PySR's `randomly_rotate_tree!`): pick a node `r` with an operator child `p`
/// and a grandchild `c` of `p`; `c` takes `p`'s place under `r`, `r` takes `c`'s place under
/// `p`, and `p` takes `r`'s place. `a + (b * c)` can become `(a + b) * c`.
fn rotate(f: &Formula, rng: &mut Rng) -> Option<Formula> {
    // Arena: node and child ids.
    let mut arena: Vec<(Node, Vec<usize>)> = Vec::with_capacity(f.nodes.len());
    let mut stack: Vec<usize> = Vec::new();
    for &n in &f.nodes {
        let kids = match n {
            Node::Op(op) => stack.split_off(stack.len().checked_sub(op.arity())?),
            _ => Vec::new(),
        };
        arena.push((n, kids));
        stack.push(arena.len() - 1);
    }
    let mut root = stack.pop()?;
    let is_op = |a: &Vec<(Node, Vec<usize>)>, i: usize| matches!(a[i].0, Node::Op(_));
    let cands: Vec<usize> = (0..arena.len()).filter(|&i| arena[i].1.iter().any(|&k| is_op(&arena, k))).collect();
    let r = pick(rng, &cands)?;
    let op_kids: Vec<usize> = (0..arena[r].1.len()).filter(|&s| is_op(&arena, arena[r].1[s])).collect();
    let slot = op_kids[rng.below(op_kids.len())];
    let p = arena[r].1[slot];
    let gslot = rng.below(arena[p].1.len());
    let c = arena[p].1[gslot];
    arena[r].1[slot] = c;
    arena[p].1[gslot] = r;
    if root == r {
        root = p;
    } else if let Some(parent) = (0..arena.len()).find(|&i| arena[i].1.contains(&r)) {
        for k in arena[parent].1.iter_mut() {
            if *k == r {
                *k = p;
            }
        }
    }
    let mut nodes = Vec::with_capacity(f.nodes.len());
    // Iterative post-order write-out.
    let mut work: Vec<(usize, bool)> = vec![(root, false)];
    while let Some((i, done)) = work.pop() {
        if done || arena[i].1.is_empty() {
            nodes.push(arena[i].0);
        } else {
            work.push((i, true));
            for &k in arena[i].1.iter().rev() {
                work.push((k, false));
            }
        }
    }
    let mut g = f.clone();
    g.nodes = nodes;
    tidy_consts(&mut g);
    Some(g)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> OperatorSet {
        OperatorSet {
            unary: vec![Op::Exp, Op::Sin],
            binary: vec![Op::Add, Op::Mul, Op::Cond],
            ..OperatorSet::default()
        }
    }

    fn valid_postfix(f: &Formula) -> bool {
        let mut depth = 0i64;
        for n in &f.nodes {
            match n {
                Node::Op(op) => depth -= op.arity() as i64 - 1,
                Node::Var(i) => {
                    if *i as usize >= f.vars.len() {
                        return false;
                    }
                    depth += 1
                }
                Node::Const(i) => {
                    if *i as usize >= f.consts.len() {
                        return false;
                    }
                    depth += 1
                }
            }
            if depth < 1 {
                return false;
            }
        }
        depth == 1 && f.consts.len() == f.const_names.len()
    }

    #[test]
    fn every_mutation_keeps_a_valid_program_and_the_variable_list() {
        let vars: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let opset = set();
        let ctx = MutateCtx {
            opset: &opset,
            perturbation_factor: 0.129,
            probability_negate_constant: 0.01,
            temperature: 1.0,
        };
        let mut rng = Rng::new(5);
        let mut f = random_tree(&vars, &opset, 4, &mut rng);
        for step in 0..5000 {
            let m = Mutation::ALL[step % 10];
            if let Some(g) = mutate(m, &f, &ctx, &mut rng) {
                assert!(valid_postfix(&g), "{m:?} broke {f:?} into {g:?}");
                assert_eq!(g.vars, vars);
                if g.len() < 40 {
                    f = g;
                }
            }
        }
    }

    #[test]
    fn rotation_preserves_leaves_and_operators() {
        let x = Formula::var("x");
        let f = Formula::apply(
            Op::Add,
            vec![x.clone(), Formula::apply(Op::Mul, vec![Formula::constant(2.0), Formula::var("y")])],
        );
        let mut rng = Rng::new(1);
        let g = rotate(&f, &mut rng).unwrap();
        assert_eq!(g.len(), f.len());
        let mut a = f.nodes.clone();
        let mut b = g.nodes.clone();
        a.sort_by_key(|n| format!("{n:?}"));
        b.sort_by_key(|n| format!("{n:?}"));
        assert_eq!(a, b);
        assert_ne!(g.nodes, f.nodes);
    }
}
