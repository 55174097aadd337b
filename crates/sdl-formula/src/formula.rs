//! The formula value: a flat postfix array of nodes plus separate constants and variable names.
//!
//! Structure (`nodes`) and numbers (`consts`) are kept apart so that constant optimisation and
//! compiled code can reuse one structure with many constant vectors. `Node::Var(i)` names
//! `vars[i]`; `Node::Const(i)` reads `consts[i]` (optionally named by `const_names[i]`, the free
//! parameters of a fit such as `a` in `a * exp(-b * x)`).
//!
//! Invariants: `nodes` is a valid postfix program that leaves exactly one value; every `Var`
//! index is `< vars.len()`; every `Const` index is `< consts.len()`, and
//! `const_names.len() == consts.len()`.

use crate::Op;

/// One entry of the postfix program.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    /// Pushes variable `vars[i]`.
    Var(u16),
    /// Pushes constant `consts[i]`.
    Const(u16),
    /// Pops `op.arity()` values (the first argument deepest) and pushes the result.
    Op(Op),
}

/// A formula over named variables with separate constants.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Formula {
    pub nodes: Vec<Node>,
    pub consts: Vec<f64>,
    pub const_names: Vec<Option<String>>,
    pub vars: Vec<String>,
}

impl Formula {
    /// The formula made of one variable.
    pub fn var(name: &str) -> Formula {
        Formula { nodes: vec![Node::Var(0)], consts: vec![], const_names: vec![], vars: vec![name.to_string()] }
    }

    /// The formula made of one unnamed constant.
    pub fn constant(value: f64) -> Formula {
        Formula { nodes: vec![Node::Const(0)], consts: vec![value], const_names: vec![None], vars: vec![] }
    }

    /// The formula made of one named free constant (a fit parameter) with initial value `value`.
    pub fn named_constant(name: &str, value: f64) -> Formula {
        Formula {
            nodes: vec![Node::Const(0)],
            consts: vec![value],
            const_names: vec![Some(name.to_string())],
            vars: vec![],
        }
    }

    /// Applies `op` to `args` (which must number `op.arity()`), merging variable lists (by
    /// name, first occurrence first) and concatenating constants.
    pub fn apply(op: Op, args: Vec<Formula>) -> Formula {
        debug_assert_eq!(op.arity(), args.len());
        let mut out = Formula::default();
        for arg in args {
            out.append(&arg);
        }
        out.nodes.push(Node::Op(op));
        out
    }

    /// Appends `other`'s program to this one, remapping its variables and constants.
    fn append(&mut self, other: &Formula) {
        let var_map: Vec<u16> = other.vars.iter().map(|v| self.var_index_or_insert(v)).collect();
        let const_base = self.consts.len() as u16;
        self.consts.extend_from_slice(&other.consts);
        self.const_names.extend(other.const_names.iter().cloned());
        self.nodes.extend(other.nodes.iter().map(|n| match *n {
            Node::Var(i) => Node::Var(var_map[i as usize]),
            Node::Const(i) => Node::Const(i + const_base),
            op => op,
        }));
    }

    fn var_index_or_insert(&mut self, name: &str) -> u16 {
        match self.vars.iter().position(|v| v == name) {
            Some(i) => i as u16,
            None => {
                self.vars.push(name.to_string());
                (self.vars.len() - 1) as u16
            }
        }
    }

    /// Returns the same formula with its variable list replaced by `vars` (a superset of the
    /// variables it uses), renumbering `Var` nodes. Used to align a formula with a table's
    /// columns or an operator's parameters.
    ///
    /// Panics if a used variable is missing from `vars` (callers check names first).
    pub fn with_vars(&self, vars: &[String]) -> Formula {
        let map: Vec<u16> =
            self.vars.iter().map(|v| vars.iter().position(|w| w == v).map(|i| i as u16).unwrap_or(u16::MAX)).collect();
        let nodes = self
            .nodes
            .iter()
            .map(|n| match *n {
                Node::Var(i) => {
                    let j = map[i as usize];
                    assert!(j != u16::MAX, "variable {} not in the new list", self.vars[i as usize]);
                    Node::Var(j)
                }
                other => other,
            })
            .collect();
        Formula { nodes, consts: self.consts.clone(), const_names: self.const_names.clone(), vars: vars.to_vec() }
    }

    /// Number of nodes (each operator, variable and constant counts once).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True for the empty formula (never produced by the constructors).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The variables the program actually uses, in order of `vars`.
    pub fn used_vars(&self) -> Vec<String> {
        let mut used = vec![false; self.vars.len()];
        for n in &self.nodes {
            if let Node::Var(i) = n {
                used[*i as usize] = true;
            }
        }
        self.vars.iter().zip(used).filter(|(_, u)| *u).map(|(v, _)| v.clone()).collect()
    }

    /// Index of the first node of the subtree that ends at node `end` (postfix order).
    pub fn subtree_start(&self, end: usize) -> usize {
        let mut need = 1usize;
        let mut i = end + 1;
        while need > 0 {
            i -= 1;
            need -= 1;
            if let Node::Op(op) = self.nodes[i] {
                need += op.arity();
            }
        }
        i
    }

    /// The end indices of the children of the operator node at `end`, first argument first.
    pub fn children(&self, end: usize) -> Vec<usize> {
        let arity = match self.nodes[end] {
            Node::Op(op) => op.arity(),
            _ => 0,
        };
        let mut kids = Vec::with_capacity(arity);
        let mut j = end;
        for _ in 0..arity {
            let child_end = j - 1;
            kids.push(child_end);
            j = self.subtree_start(child_end);
        }
        kids.reverse();
        kids
    }

    /// Depth of the tree (a leaf has depth 1).
    pub fn depth(&self) -> usize {
        let mut stack: Vec<usize> = Vec::new();
        for n in &self.nodes {
            match n {
                Node::Op(op) => {
                    let k = op.arity();
                    let d = stack.drain(stack.len() - k..).max().unwrap_or(0);
                    stack.push(d + 1);
                }
                _ => stack.push(1),
            }
        }
        stack.pop().unwrap_or(0)
    }

    /// Evaluates the formula on one row: `row[i]` is the value of `vars[i]`. Reference
    /// semantics, no speed tricks.
    pub fn eval_row(&self, row: &[f64]) -> f64 {
        self.eval_row_with(row, &self.consts)
    }

    /// Like [`Formula::eval_row`] with a different constant vector.
    pub fn eval_row_with(&self, row: &[f64], consts: &[f64]) -> f64 {
        let mut stack: Vec<f64> = Vec::with_capacity(self.nodes.len());
        for n in &self.nodes {
            match *n {
                Node::Var(i) => stack.push(row[i as usize]),
                Node::Const(i) => stack.push(consts[i as usize]),
                Node::Op(op) => {
                    let k = op.arity();
                    let at = stack.len() - k;
                    let v = op.apply(&stack[at..]);
                    stack.truncate(at);
                    stack.push(v);
                }
            }
        }
        stack.pop().unwrap_or(f64::NAN)
    }

    /// Replaces every custom operator by its body, so evaluators see built-in operators only.
    pub fn inline_custom(&self) -> Formula {
        if !self.nodes.iter().any(|n| matches!(n, Node::Op(Op::Custom(_)))) {
            return self.clone();
        }
        // Rebuild bottom-up as a tree of formulas.
        let mut stack: Vec<Formula> = Vec::new();
        for n in &self.nodes {
            match *n {
                Node::Var(i) => stack.push(Formula::var(&self.vars[i as usize])),
                Node::Const(i) => {
                    let mut c = Formula::constant(self.consts[i as usize]);
                    c.const_names[0] = self.const_names[i as usize].clone();
                    stack.push(c)
                }
                Node::Op(op) => {
                    let k = op.arity();
                    let args = stack.split_off(stack.len() - k);
                    let f = match op {
                        Op::Custom(id) => crate::custom::get(id).body.inline_custom().substitute_vars(&args),
                        _ => Formula::apply(op, args),
                    };
                    stack.push(f);
                }
            }
        }
        let out = stack.pop().unwrap_or_default();
        out.with_vars_superset(&self.vars)
    }

    /// Replaces `vars[i]` by `args[i]` for every variable (`args.len() == vars.len()`).
    pub fn substitute_vars(&self, args: &[Formula]) -> Formula {
        let mut stack: Vec<Formula> = Vec::new();
        for n in &self.nodes {
            match *n {
                Node::Var(i) => stack.push(args[i as usize].clone()),
                Node::Const(i) => {
                    let mut c = Formula::constant(self.consts[i as usize]);
                    c.const_names[0] = self.const_names[i as usize].clone();
                    stack.push(c)
                }
                Node::Op(op) => {
                    let k = op.arity();
                    let a = stack.split_off(stack.len() - k);
                    stack.push(Formula::apply(op, a));
                }
            }
        }
        stack.pop().unwrap_or_default()
    }

    /// Reorders `vars` so that the names in `order` come first (those it uses), keeping any
    /// others after them.
    pub fn with_vars_superset(&self, order: &[String]) -> Formula {
        let mut vars: Vec<String> = order.to_vec();
        for v in &self.vars {
            if !vars.contains(v) {
                vars.push(v.clone());
            }
        }
        self.with_vars(&vars)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m1m2_over_r2() -> Formula {
        let num = Formula::apply(Op::Mul, vec![Formula::var("m1"), Formula::var("m2")]);
        let r2 = Formula::apply(Op::Pow, vec![Formula::var("r"), Formula::constant(2.0)]);
        Formula::apply(Op::Div, vec![num, r2])
    }

    #[test]
    fn builds_and_evaluates() {
        let f = m1m2_over_r2();
        assert_eq!(f.vars, vec!["m1", "m2", "r"]);
        assert_eq!(f.len(), 7);
        assert_eq!(f.eval_row(&[2.0, 3.0, 2.0]), 1.5);
        assert_eq!(f.depth(), 3);
    }

    #[test]
    fn subtrees_and_children() {
        let f = m1m2_over_r2();
        let last = f.len() - 1;
        assert_eq!(f.subtree_start(last), 0);
        assert_eq!(f.children(last), vec![2, 5]);
        assert_eq!(f.subtree_start(5), 3);
    }

    #[test]
    fn inline_custom_matches_direct_evaluation() {
        let body = Formula::apply(Op::Mul, vec![Formula::var("x"), Formula::var("x")]);
        let sq = crate::custom::register("sq_test_op", &["x".to_string()], &body).unwrap();
        let f = Formula::apply(sq, vec![Formula::apply(Op::Add, vec![Formula::var("a"), Formula::constant(1.0)])]);
        assert_eq!(f.eval_row(&[2.0]), 9.0);
        let g = f.inline_custom();
        assert!(!g.nodes.iter().any(|n| matches!(n, Node::Op(Op::Custom(_)))));
        assert_eq!(g.eval_row(&[2.0]), 9.0);
    }
}
