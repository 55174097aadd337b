//! A population member: one candidate law, with its loss and the bookkeeping selection needs.
//!
//! A member holds one expression per template function (one for a plain search). Each
//! expression's `vars` list is exactly its function's argument list and never changes, so a
//! `Node::Var(i)` always means argument `i`: that is how the search guarantees a function only
//! ever sees its own arguments.

use sdl_formula::{Formula, Node, OperatorSet};

/// One candidate: an expression per template function plus its scores.
#[derive(Clone, Debug, PartialEq)]
pub struct PopMember {
    /// One expression per template function, in template order.
    pub exprs: Vec<Formula>,
    /// Loss on the rows it was last scored on (the whole data set, or a batch when batching).
    pub loss: f64,
    /// Loss normalised by the baseline plus parsimony: what selection compares.
    pub cost: f64,
    /// Sum of the expressions' complexities.
    pub complexity: u32,
    /// When the member was made (island-local counter); the oldest is replaced first.
    pub birth: u64,
}

impl PopMember {
    /// A member with the given expressions, not yet scored (infinite loss).
    pub fn new(exprs: Vec<Formula>, opset: &OperatorSet, birth: u64) -> PopMember {
        let complexity = total_complexity(&exprs, opset);
        PopMember { exprs, loss: f64::INFINITY, cost: f64::INFINITY, complexity, birth }
    }

    /// Recomputes the complexity after the expressions changed.
    pub fn refresh_complexity(&mut self, opset: &OperatorSet) {
        self.complexity = total_complexity(&self.exprs, opset);
    }

    /// Total number of constants over all expressions.
    pub fn n_consts(&self) -> usize {
        self.exprs.iter().map(|e| e.consts.len()).sum()
    }
}

/// Sum of the complexities of `exprs`.
pub fn total_complexity(exprs: &[Formula], opset: &OperatorSet) -> u32 {
    exprs.iter().map(|e| opset.complexity(e)).sum()
}

/// True if every expression obeys the grammar and the total complexity fits `maxsize`.
pub fn obeys(exprs: &[Formula], opset: &OperatorSet) -> bool {
    exprs.iter().all(|e| opset.check(e).is_ok()) && total_complexity(exprs, opset) <= opset.maxsize
}

/// Renumbers constants by first use and drops unused ones, after a mutation spliced nodes in
/// or out. Keeps `const_names` aligned.
pub fn tidy_consts(f: &mut Formula) {
    let n = f.consts.len();
    let mut map = vec![u16::MAX; n];
    let mut consts = Vec::with_capacity(n);
    let mut names = Vec::with_capacity(n);
    for node in f.nodes.iter_mut() {
        if let Node::Const(i) = node {
            let old = *i as usize;
            if map[old] == u16::MAX {
                map[old] = consts.len() as u16;
                consts.push(f.consts[old]);
                names.push(f.const_names.get(old).cloned().flatten());
            }
            *i = map[old];
        }
    }
    f.consts = consts;
    f.const_names = names;
}

#[cfg(test)]
mod tests {
    use super::*;
    use sdl_formula::Op;

    #[test]
    fn tidy_drops_unused_constants_and_renumbers() {
        let mut f = Formula {
            nodes: vec![Node::Const(2), Node::Var(0), Node::Op(Op::Add)],
            consts: vec![1.0, 2.0, 3.0],
            const_names: vec![None, None, None],
            vars: vec!["x".into()],
        };
        tidy_consts(&mut f);
        assert_eq!(f.consts, vec![3.0]);
        assert_eq!(f.nodes[0], Node::Const(0));
        assert_eq!(f.eval_row(&[1.0]), 4.0);
    }

    #[test]
    fn complexity_is_summed_over_functions() {
        let set = OperatorSet::default();
        let a = Formula::apply(Op::Add, vec![Formula::var("x"), Formula::constant(1.0)]);
        let m = PopMember::new(vec![a.clone(), Formula::var("y")], &set, 0);
        assert_eq!(m.complexity, 4);
        assert!(obeys(&m.exprs, &set));
        let small = OperatorSet { maxsize: 3, ..OperatorSet::default() };
        assert!(!obeys(&m.exprs, &small));
    }
}
