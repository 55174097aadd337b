//! The reference interpreter: the oracle every fast engine is tested against.
//!
//! In: a formula and `f64` data. Out: one value per row (computed row by row with
//! [`sdl_formula::Op::apply`], no tricks) and the "complete" flag (every value finite).
//! Unknown variables give NaN everywhere and `complete == false`.

use crate::Dataset;
use sdl_formula::{Formula, Node};

/// Evaluates `f` with its own constants, row by row, with the operator library's semantics.
pub fn eval_reference(f: &Formula, data: &Dataset<f64>) -> (Vec<f64>, bool) {
    eval_reference_with(f, &f.consts, data)
}

/// Like [`eval_reference`] with a different constant vector (missing constants read as NaN).
pub fn eval_reference_with(f: &Formula, consts: &[f64], data: &Dataset<f64>) -> (Vec<f64>, bool) {
    let n = data.n_rows();
    if !valid(f) {
        return (vec![f64::NAN; n], n == 0);
    }
    let f = f.inline_custom();
    let cols: Option<Vec<usize>> = f.vars.iter().map(|v| data.index_of(v)).collect();
    let (Some(cols), true) = (cols, valid(&f)) else {
        return (vec![f64::NAN; n], n == 0);
    };
    let mut stack: Vec<f64> = Vec::with_capacity(f.nodes.len());
    let mut out = Vec::with_capacity(n);
    for r in 0..n {
        stack.clear();
        for node in &f.nodes {
            match *node {
                Node::Var(i) => stack.push(data.column(cols[i as usize])[r]),
                Node::Const(i) => stack.push(consts.get(i as usize).copied().unwrap_or(f64::NAN)),
                Node::Op(op) => {
                    let at = stack.len() - op.arity();
                    let v = op.apply(&stack[at..]);
                    stack.truncate(at);
                    stack.push(v);
                }
            }
        }
        out.push(stack.pop().unwrap_or(f64::NAN));
    }
    let complete = out.iter().all(|v| v.is_finite());
    (out, complete)
}

/// True when `f.nodes` is a postfix program leaving exactly one value with in-range indices.
pub(crate) fn valid(f: &Formula) -> bool {
    let mut depth = 0usize;
    for node in &f.nodes {
        match *node {
            Node::Var(i) if (i as usize) < f.vars.len() => depth += 1,
            Node::Const(_) => depth += 1,
            Node::Op(op) => {
                let k = op.arity();
                if depth < k {
                    return false;
                }
                depth = depth - k + 1;
            }
            Node::Var(_) => return false,
        }
    }
    depth == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use sdl_formula::Op;

    #[test]
    fn evaluates_rows_and_flags_non_finite() {
        let f = Formula::apply(Op::Log, vec![Formula::var("x")]);
        let d = Dataset::new(vec!["x".into()], vec![vec![1.0, -1.0]]).unwrap();
        let (v, ok) = eval_reference(&f, &d);
        assert_eq!(v[0], 0.0);
        assert!(v[1].is_nan() && !ok);
    }

    #[test]
    fn malformed_formulas_are_errors_not_panics() {
        let bad = Formula { nodes: vec![Node::Op(Op::Add)], ..Default::default() };
        let d = Dataset::new(vec!["x".into()], vec![vec![1.0]]).unwrap();
        assert!(!eval_reference(&bad, &d).1);
        assert!(!crate::eval(&bad, &d).1);
        assert!(crate::grad_consts(&bad, &[], &d).is_err());
        assert!(crate::loss_value(&[1.0], &[1.0], None, &crate::Loss::Custom(bad.clone())).is_nan());
        let r = crate::fit_constants(&bad, &d, &[1.0], None, &crate::FitOptions::default());
        assert!(r.loss.is_nan());
    }

    #[test]
    fn unknown_variable_is_nan_not_panic() {
        let f = Formula::var("nope");
        let d = Dataset::new(vec!["x".into()], vec![vec![1.0]]).unwrap();
        let (v, ok) = eval_reference(&f, &d);
        assert!(v[0].is_nan() && !ok);
    }
}
