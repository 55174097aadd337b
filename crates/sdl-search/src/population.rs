//! One island's population: a fixed-size list of members, created at random (or from a warm
//! start) and renewed by regularised evolution, where each new member replaces the oldest.
//!
//! Births are counted per island, so "oldest" is a deterministic notion that does not depend
//! on timing or on how islands are scheduled across threads.

use crate::member::{obeys, PopMember};
use crate::mutate::random_tree;
use sdl_formula::rng::Rng;
use sdl_formula::{Formula, OperatorSet};

/// A population (island).
#[derive(Clone, Debug)]
pub struct Population {
    pub members: Vec<PopMember>,
    /// Birth stamp the next member will get.
    pub next_birth: u64,
}

impl Population {
    /// `n` random members for a template with the given argument lists, each a small random
    /// tree (PySR starts from trees of about three operators) that obeys `opset`. Members are
    /// not scored yet.
    pub fn random(n: usize, args: &[Vec<String>], opset: &OperatorSet, rng: &mut Rng) -> Population {
        let mut members = Vec::with_capacity(n);
        for birth in 0..n {
            let exprs = random_exprs(args, opset, rng);
            members.push(PopMember::new(exprs, opset, birth as u64));
        }
        Population { members, next_birth: n as u64 }
    }

    /// A fresh birth stamp.
    pub fn birth(&mut self) -> u64 {
        self.next_birth += 1;
        self.next_birth - 1
    }

    /// Index of the oldest member (smallest birth; the first one on ties).
    pub fn oldest(&self) -> usize {
        let mut best = 0;
        for (i, m) in self.members.iter().enumerate() {
            if m.birth < self.members[best].birth {
                best = i;
            }
        }
        best
    }

    /// Indices of the `n` lowest-cost members, best first (ties broken by index, so the
    /// order is deterministic).
    pub fn best_indices(&self, n: usize) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.members.len()).collect();
        idx.sort_by(|&a, &b| self.members[a].cost.total_cmp(&self.members[b].cost).then(a.cmp(&b)));
        idx.truncate(n);
        idx
    }
}

/// One random expression per argument list, together obeying `opset`. Falls back to single
/// leaves (which obey any valid operator set whose `maxsize` allows them) after a few tries.
pub fn random_exprs(args: &[Vec<String>], opset: &OperatorSet, rng: &mut Rng) -> Vec<Formula> {
    let per_fn = (opset.maxsize as usize / args.len().max(1)).max(1);
    for _ in 0..20 {
        let exprs: Vec<Formula> = args
            .iter()
            .map(|a| {
                let n_ops = rng.below(4.min(per_fn / 2 + 1));
                random_tree(a, opset, n_ops, rng)
            })
            .collect();
        if obeys(&exprs, opset) {
            return exprs;
        }
    }
    args.iter().map(|a| crate::mutate::random_leaf(a, rng)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_population_obeys_grammar_and_oldest_is_first_born() {
        let opset = OperatorSet { maxsize: 7, ..OperatorSet::default() };
        let args = vec![vec!["x".to_string(), "y".to_string()]];
        let mut rng = Rng::new(9);
        let mut p = Population::random(20, &args, &opset, &mut rng);
        assert!(p.members.iter().all(|m| obeys(&m.exprs, &opset)));
        assert_eq!(p.oldest(), 0);
        p.members[0].birth = p.birth();
        assert_eq!(p.oldest(), 1);
    }
}
