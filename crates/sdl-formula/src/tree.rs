//! A boxed expression tree, the working form for printing, simplification and differentiation.
//!
//! A [`Formula`] is a flat postfix array, which is ideal for evaluation but awkward for rewriting.
//! [`Expr`] is the same formula as an owned tree whose leaves carry variable names and constant
//! values directly. `Formula::to_expr` and `Formula::from_expr` convert both ways; the round trip
//! keeps the tree exactly (constants are renumbered in postfix order and variables are listed in
//! order of first use). Conversion from postfix uses an explicit stack, so it never recurses.
//! [`Formula::same_as`] compares two formulas as trees, which is the notion of equality the
//! printer and parser promise to preserve.

use crate::{Formula, Node, Op};

/// An expression tree. Leaves carry names and values, so two trees can be compared without
/// looking at index tables.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A variable by name.
    Var(String),
    /// A constant; `name` is `Some` for a named free parameter of a fit.
    Const { value: f64, name: Option<String> },
    /// An operator applied to `op.arity()` arguments, first argument first.
    Apply(Op, Vec<Expr>),
}

impl Expr {
    /// An unnamed constant.
    pub fn num(value: f64) -> Expr {
        Expr::Const { value, name: None }
    }

    /// A variable.
    pub fn var(name: &str) -> Expr {
        Expr::Var(name.to_string())
    }

    /// The value of an unnamed constant, `None` for anything else. Named constants are fit
    /// parameters whose value will change, so rewriting rules must not treat them as numbers.
    pub fn as_num(&self) -> Option<f64> {
        match self {
            Expr::Const { value, name: None } => Some(*value),
            _ => None,
        }
    }

    /// True if the tree mentions variable `var` (or a named constant called `var`).
    pub fn depends_on(&self, var: &str) -> bool {
        match self {
            Expr::Var(v) => v == var,
            Expr::Const { name, .. } => name.as_deref() == Some(var),
            Expr::Apply(_, args) => args.iter().any(|a| a.depends_on(var)),
        }
    }

    /// Tree equality with constants compared bit for bit (every NaN equals every other NaN,
    /// because printing cannot preserve NaN payloads).
    pub fn same_as(&self, other: &Expr) -> bool {
        match (self, other) {
            (Expr::Var(a), Expr::Var(b)) => a == b,
            (Expr::Const { value: a, name: na }, Expr::Const { value: b, name: nb }) => {
                na == nb && (a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()))
            }
            (Expr::Apply(oa, xa), Expr::Apply(ob, xb)) => {
                oa == ob && xa.len() == xb.len() && xa.iter().zip(xb).all(|(a, b)| a.same_as(b))
            }
            _ => false,
        }
    }

    /// Number of nodes in the tree.
    pub fn size(&self) -> usize {
        match self {
            Expr::Apply(_, args) => 1 + args.iter().map(Expr::size).sum::<usize>(),
            _ => 1,
        }
    }
}

impl Formula {
    /// The formula as a boxed tree.
    pub fn to_expr(&self) -> Expr {
        let mut stack: Vec<Expr> = Vec::with_capacity(self.nodes.len());
        for n in &self.nodes {
            match *n {
                Node::Var(i) => stack.push(Expr::Var(self.vars[i as usize].clone())),
                Node::Const(i) => stack
                    .push(Expr::Const { value: self.consts[i as usize], name: self.const_names[i as usize].clone() }),
                Node::Op(op) => {
                    let at = stack.len().saturating_sub(op.arity());
                    let args = stack.split_off(at);
                    stack.push(Expr::Apply(op, args));
                }
            }
        }
        stack.pop().unwrap_or(Expr::num(f64::NAN))
    }

    /// Builds the flat formula of a tree. Variables are listed in order of first use and every
    /// constant leaf gets its own slot, in postfix order.
    pub fn from_expr(e: &Expr) -> Formula {
        let mut out = Formula::default();
        push_expr(&mut out, e);
        out
    }

    /// True if both formulas are the same tree: same operators, same variable names at the same
    /// places, same constant names and bit-identical constant values (any NaN matches any NaN).
    /// Variable numbering, unused variables and constant slot order do not matter.
    pub fn same_as(&self, other: &Formula) -> bool {
        if self.nodes.len() != other.nodes.len() {
            return false;
        }
        // A postfix sequence determines its tree, so comparing node by node compares trees.
        self.nodes.iter().zip(&other.nodes).all(|(a, b)| match (*a, *b) {
            (Node::Var(i), Node::Var(j)) => self.vars[i as usize] == other.vars[j as usize],
            (Node::Const(i), Node::Const(j)) => {
                let (x, y) = (self.consts[i as usize], other.consts[j as usize]);
                self.const_names[i as usize] == other.const_names[j as usize]
                    && (x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
            }
            (Node::Op(p), Node::Op(q)) => p == q,
            _ => false,
        })
    }

    /// The values of the constants the program reads, in postfix order (named and unnamed).
    pub fn constants_used(&self) -> Vec<f64> {
        self.nodes
            .iter()
            .filter_map(|n| match n {
                Node::Const(i) => Some(self.consts[*i as usize]),
                _ => None,
            })
            .collect()
    }
}

fn push_expr(out: &mut Formula, e: &Expr) {
    match e {
        Expr::Var(name) => {
            let i = match out.vars.iter().position(|v| v == name) {
                Some(i) => i,
                None => {
                    out.vars.push(name.clone());
                    out.vars.len() - 1
                }
            };
            out.nodes.push(Node::Var(i as u16));
        }
        Expr::Const { value, name } => {
            out.consts.push(*value);
            out.const_names.push(name.clone());
            out.nodes.push(Node::Const((out.consts.len() - 1) as u16));
        }
        Expr::Apply(op, args) => {
            for a in args {
                push_expr(out, a);
            }
            out.nodes.push(Node::Op(*op));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_through_tree_keeps_formula() {
        let f = Formula::apply(
            Op::Add,
            vec![
                Formula::apply(Op::Mul, vec![Formula::named_constant("a", 2.0), Formula::var("y")]),
                Formula::apply(Op::Exp, vec![Formula::var("x")]),
            ],
        );
        let g = Formula::from_expr(&f.to_expr());
        assert!(g.same_as(&f));
        assert_eq!(g.eval_row(&[3.0, 0.0]), f.eval_row(&[3.0, 0.0]));
        assert_eq!(f.to_expr().size(), f.len());
    }

    #[test]
    fn same_as_sees_differences() {
        let a = Formula::apply(Op::Sub, vec![Formula::var("x"), Formula::constant(1.0)]);
        let b = Formula::apply(Op::Sub, vec![Formula::var("x"), Formula::constant(1.0 + 1e-16 * 2.0)]);
        let c = Formula::apply(Op::Sub, vec![Formula::var("y"), Formula::constant(1.0)]);
        let d = Formula::apply(Op::Add, vec![Formula::var("x"), Formula::constant(1.0)]);
        assert!(a.same_as(&a.clone()));
        assert!(!a.same_as(&b));
        assert!(!a.same_as(&c));
        assert!(!a.same_as(&d));
        assert!(!Formula::constant(0.0).same_as(&Formula::constant(-0.0)));
        assert!(Formula::constant(f64::NAN).same_as(&Formula::constant(-f64::NAN)));
        assert!(!Formula::constant(1.0).same_as(&Formula::named_constant("k", 1.0)));
    }
}
