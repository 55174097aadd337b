//! Crossover (PySR's `crossover_trees`): swap a random subtree of one parent with a random
//! subtree of the other. For templates the same function is crossed in both parents, since the
//! functions have different argument lists and a subtree of `g(x3)` means nothing inside
//! `f(x1, x2)`. Children that break the grammar are retried a few times; if none obeys it the
//! caller keeps the parents.

use crate::member::obeys;
use crate::mutate::graft;
use sdl_formula::rng::Rng;
use sdl_formula::{Formula, OperatorSet};

/// How many times a crossover is retried before giving up.
pub const MAX_ATTEMPTS: usize = 10;

/// Crosses `a` and `b` (expression lists of the same template). Returns the two children, both
/// obeying `opset`, or `None`.
pub fn crossover(
    a: &[Formula],
    b: &[Formula],
    opset: &OperatorSet,
    rng: &mut Rng,
) -> Option<(Vec<Formula>, Vec<Formula>)> {
    if a.is_empty() || a.len() != b.len() {
        return None;
    }
    for _ in 0..MAX_ATTEMPTS {
        let k = rng.below(a.len());
        let (fa, fb) = (&a[k], &b[k]);
        let ia = rng.below(fa.len());
        let ib = rng.below(fb.len());
        let ca = graft(fa, ia, fb, ib);
        let cb = graft(fb, ib, fa, ia);
        let mut xa = a.to_vec();
        let mut xb = b.to_vec();
        xa[k] = ca;
        xb[k] = cb;
        if obeys(&xa, opset) && obeys(&xb, opset) {
            return Some((xa, xb));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mutate::random_tree;
    use sdl_formula::Op;

    #[test]
    fn children_obey_the_grammar_and_keep_variables() {
        let opset = OperatorSet { maxsize: 9, binary: vec![Op::Add, Op::Mul], ..OperatorSet::default() };
        let vars = vec!["x".to_string(), "y".to_string()];
        let mut rng = Rng::new(2);
        let mut made = 0;
        for _ in 0..500 {
            let a = vec![random_tree(&vars, &opset, 3, &mut rng)];
            let b = vec![random_tree(&vars, &opset, 4, &mut rng)];
            if let Some((x, y)) = crossover(&a, &b, &opset, &mut rng) {
                made += 1;
                for f in x.iter().chain(&y) {
                    assert!(opset.check(f).is_ok());
                    assert_eq!(f.vars, vars);
                }
            }
        }
        assert!(made > 100, "{made}");
    }
}
