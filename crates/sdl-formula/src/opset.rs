//! Operator sets: the search grammar of one problem (PySR's `binary_operators`,
//! `unary_operators`, `complexity_of_operators`, `maxsize`, `maxdepth`, `constraints`,
//! `nested_constraints`).
//!
//! An [`OperatorSet`] says which operators a candidate may use, what each node costs in
//! complexity, and the structural limits every candidate must obey. [`OperatorSet::check`] is the
//! single judge of whether a formula is allowed; the search calls it on every candidate it keeps.

use crate::{Formula, Node, Op};
use std::fmt;

/// A problem's grammar and limits.
#[derive(Clone, Debug, PartialEq)]
pub struct OperatorSet {
    pub unary: Vec<Op>,
    pub binary: Vec<Op>,
    /// Ternary operators (`ifelse`); rarely used in search.
    pub ternary: Vec<Op>,
    /// Complexity of each operator; operators not listed cost 1.
    pub op_complexity: Vec<(Op, u32)>,
    pub const_complexity: u32,
    pub var_complexity: u32,
    /// Largest complexity a candidate may have.
    pub maxsize: u32,
    /// Largest depth a candidate may have (`None`: unlimited).
    pub maxdepth: Option<u32>,
    /// PySR's `constraints`: for an operator, the largest complexity of each argument
    /// (`None`: unlimited). `(Pow, [None, Some(1)])` allows only simple exponents.
    pub constraints: Vec<(Op, Vec<Option<u32>>)>,
    /// PySR's `nested_constraints`: `(outer, inner, max)` means at most `max` occurrences of
    /// `inner` inside any argument of `outer` (`(Exp, Exp, 0)`: no `exp(exp(..))`).
    pub nested_constraints: Vec<(Op, Op, u32)>,
}

impl Default for OperatorSet {
    /// PySR's default grammar: `+ - * /`, no unary operators, `maxsize` 30.
    fn default() -> Self {
        OperatorSet {
            unary: vec![],
            binary: vec![Op::Add, Op::Sub, Op::Mul, Op::Div],
            ternary: vec![],
            op_complexity: vec![],
            const_complexity: 1,
            var_complexity: 1,
            maxsize: 30,
            maxdepth: None,
            constraints: vec![],
            nested_constraints: vec![],
        }
    }
}

/// Why a formula is not allowed by an operator set.
#[derive(Clone, Debug, PartialEq)]
pub enum Violation {
    OperatorNotAllowed(Op),
    TooComplex { complexity: u32, maxsize: u32 },
    TooDeep { depth: u32, maxdepth: u32 },
    ArgumentTooComplex { op: Op, arg: usize, complexity: u32, max: u32 },
    NestedTooOften { outer: Op, inner: Op, count: u32, max: u32 },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::OperatorNotAllowed(op) => write!(f, "operator `{op}` is not in the operator set"),
            Violation::TooComplex { complexity, maxsize } => {
                write!(f, "complexity {complexity} exceeds maxsize {maxsize}")
            }
            Violation::TooDeep { depth, maxdepth } => write!(f, "depth {depth} exceeds maxdepth {maxdepth}"),
            Violation::ArgumentTooComplex { op, arg, complexity, max } => {
                write!(f, "argument {} of `{op}` has complexity {complexity}, more than the constraint {max}", arg + 1)
            }
            Violation::NestedTooOften { outer, inner, count, max } => {
                write!(f, "`{inner}` occurs {count} times inside `{outer}`, more than {max}")
            }
        }
    }
}

/// A problem with the operator set itself (contradictory or impossible limits).
#[derive(Clone, Debug, PartialEq)]
pub enum OpSetError {
    /// An operator is listed in a slot of the wrong arity (`sin` among the binary operators).
    WrongArity { op: Op, expected: usize },
    /// A constraint or complexity names an operator that is not in the set.
    NotInSet(Op),
    /// A constraint lists a different number of argument limits than the operator has.
    ConstraintArity { op: Op, given: usize },
    /// `maxsize` is smaller than the smallest leaf, so nothing can be expressed.
    MaxsizeTooSmall { maxsize: u32 },
    /// `maxdepth` of 0.
    MaxdepthZero,
    /// The same operator appears twice.
    Duplicate(Op),
}

impl fmt::Display for OpSetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpSetError::WrongArity { op, expected } => {
                write!(f, "`{op}` takes {} argument(s), not {expected}", op.arity())
            }
            OpSetError::NotInSet(op) => write!(f, "`{op}` is constrained but not in the operator set"),
            OpSetError::ConstraintArity { op, given } => {
                write!(f, "constraint for `{op}` lists {given} limits but `{op}` takes {}", op.arity())
            }
            OpSetError::MaxsizeTooSmall { maxsize } => {
                write!(f, "maxsize {maxsize} is smaller than the complexity of any leaf")
            }
            OpSetError::MaxdepthZero => write!(f, "maxdepth must be at least 1"),
            OpSetError::Duplicate(op) => write!(f, "`{op}` is listed twice"),
        }
    }
}

impl OperatorSet {
    /// Every operator of the set, unary first.
    pub fn all_ops(&self) -> impl Iterator<Item = Op> + '_ {
        self.unary.iter().chain(&self.binary).chain(&self.ternary).copied()
    }

    /// True if `op` is in the set.
    pub fn contains(&self, op: Op) -> bool {
        self.all_ops().any(|o| o == op)
    }

    /// Complexity of one operator node.
    pub fn op_cost(&self, op: Op) -> u32 {
        self.op_complexity.iter().find(|(o, _)| *o == op).map(|(_, c)| *c).unwrap_or(1)
    }

    /// Complexity of one node.
    pub fn node_cost(&self, node: Node) -> u32 {
        match node {
            Node::Var(_) => self.var_complexity,
            Node::Const(_) => self.const_complexity,
            Node::Op(op) => self.op_cost(op),
        }
    }

    /// Complexity of a whole formula: the sum of its node costs.
    pub fn complexity(&self, f: &Formula) -> u32 {
        f.nodes.iter().map(|n| self.node_cost(*n)).sum()
    }

    /// Checks the set for contradictions; returns every problem found.
    pub fn validate(&self) -> Result<(), Vec<OpSetError>> {
        let mut errs = Vec::new();
        for (list, arity) in [(&self.unary, 1), (&self.binary, 2), (&self.ternary, 3)] {
            for op in list {
                if op.arity() != arity {
                    errs.push(OpSetError::WrongArity { op: *op, expected: arity });
                }
            }
        }
        let all: Vec<Op> = self.all_ops().collect();
        for (i, op) in all.iter().enumerate() {
            if all[..i].contains(op) {
                errs.push(OpSetError::Duplicate(*op));
            }
        }
        for (op, limits) in &self.constraints {
            if !self.contains(*op) {
                errs.push(OpSetError::NotInSet(*op));
            } else if limits.len() != op.arity() {
                errs.push(OpSetError::ConstraintArity { op: *op, given: limits.len() });
            }
        }
        for (outer, _, _) in &self.nested_constraints {
            if !self.contains(*outer) {
                errs.push(OpSetError::NotInSet(*outer));
            }
        }
        if self.maxsize < self.var_complexity.min(self.const_complexity) {
            errs.push(OpSetError::MaxsizeTooSmall { maxsize: self.maxsize });
        }
        if self.maxdepth == Some(0) {
            errs.push(OpSetError::MaxdepthZero);
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }

    /// Checks that `f` obeys the set: operators, `maxsize`, `maxdepth`, `constraints` and
    /// `nested_constraints`. Returns the first violation found.
    pub fn check(&self, f: &Formula) -> Result<(), Violation> {
        for n in &f.nodes {
            if let Node::Op(op) = n {
                if !self.contains(*op) {
                    return Err(Violation::OperatorNotAllowed(*op));
                }
            }
        }
        let complexity = self.complexity(f);
        if complexity > self.maxsize {
            return Err(Violation::TooComplex { complexity, maxsize: self.maxsize });
        }
        if let Some(maxdepth) = self.maxdepth {
            let depth = f.depth() as u32;
            if depth > maxdepth {
                return Err(Violation::TooDeep { depth, maxdepth });
            }
        }
        if self.constraints.is_empty() && self.nested_constraints.is_empty() {
            return Ok(());
        }
        // Subtree complexities, one per node, in one postfix pass.
        let mut sub = vec![0u32; f.nodes.len()];
        for (i, n) in f.nodes.iter().enumerate() {
            sub[i] = self.node_cost(*n)
                + match n {
                    Node::Op(_) => f.children(i).iter().map(|&c| sub[c]).sum(),
                    _ => 0,
                };
        }
        for (i, n) in f.nodes.iter().enumerate() {
            let Node::Op(op) = *n else { continue };
            if let Some((_, limits)) = self.constraints.iter().find(|(o, _)| *o == op) {
                for (arg, (&child, limit)) in f.children(i).iter().zip(limits).enumerate() {
                    if let Some(max) = *limit {
                        if sub[child] > max {
                            return Err(Violation::ArgumentTooComplex { op, arg, complexity: sub[child], max });
                        }
                    }
                }
            }
            for &(outer, inner, max) in &self.nested_constraints {
                if outer != op {
                    continue;
                }
                let start = f.subtree_start(i);
                let count = f.nodes[start..i].iter().filter(|m| **m == Node::Op(inner)).count() as u32;
                if count > max {
                    return Err(Violation::NestedTooOften { outer, inner, count, max });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exp(f: Formula) -> Formula {
        Formula::apply(Op::Exp, vec![f])
    }

    #[test]
    fn complexity_counts_nodes_with_costs() {
        let mut set = OperatorSet { unary: vec![Op::Exp], ..OperatorSet::default() };
        let f = Formula::apply(Op::Mul, vec![exp(Formula::var("x")), Formula::constant(2.0)]);
        assert_eq!(set.complexity(&f), 4);
        set.op_complexity.push((Op::Exp, 3));
        assert_eq!(set.complexity(&f), 6);
        assert_eq!(set.check(&f), Ok(()));
        set.maxsize = 5;
        assert!(matches!(set.check(&f), Err(Violation::TooComplex { .. })));
    }

    #[test]
    fn nested_and_argument_constraints() {
        let set = OperatorSet {
            unary: vec![Op::Exp],
            binary: vec![Op::Add, Op::Pow],
            nested_constraints: vec![(Op::Exp, Op::Exp, 0)],
            constraints: vec![(Op::Pow, vec![None, Some(1)])],
            ..OperatorSet::default()
        };
        assert!(matches!(set.check(&exp(exp(Formula::var("x")))), Err(Violation::NestedTooOften { .. })));
        let x = Formula::var("x");
        let ok = Formula::apply(Op::Pow, vec![x.clone(), Formula::constant(2.0)]);
        assert_eq!(set.check(&ok), Ok(()));
        let bad = Formula::apply(Op::Pow, vec![x.clone(), Formula::apply(Op::Add, vec![x.clone(), x])]);
        assert!(matches!(set.check(&bad), Err(Violation::ArgumentTooComplex { arg: 1, .. })));
        assert!(matches!(
            set.check(&exp(Formula::apply(Op::Sin, vec![Formula::var("x")]))),
            Err(Violation::OperatorNotAllowed(Op::Sin))
        ));
    }

    #[test]
    fn validate_reports_every_problem() {
        let set = OperatorSet {
            unary: vec![Op::Add],
            binary: vec![Op::Mul, Op::Mul],
            constraints: vec![(Op::Pow, vec![None, None])],
            maxsize: 0,
            maxdepth: Some(0),
            ..OperatorSet::default()
        };
        let errs = set.validate().unwrap_err();
        assert_eq!(errs.len(), 5, "{errs:?}");
    }
}
