//! Derivatives of a formula with respect to its constants and its variables.
//!
//! In: a formula, a constant vector and `f64` data. Out: the values and, per row, the partial
//! derivatives (reverse mode over the flat postfix form: one forward pass storing every node's
//! value for a block of rows, one backward pass accumulating adjoints, node-major so the inner
//! loops run over rows). Always true: the values equal the reference interpreter's; a
//! derivative through a non-differentiable point takes a one-sided value (`abs'(0) = 0`,
//! `max` picks the first argument on ties), and `d(a^b)/db` is 0 where `a <= 0`.

use crate::{Dataset, KernelError};
use sdl_formula::{Formula, Node, Op};

const BLOCK: usize = 128;

/// Values and Jacobian of a formula over the rows of a dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct Jacobian {
    /// Formula value per row.
    pub values: Vec<f64>,
    /// Row-major `n_rows × n_params` partial derivatives.
    pub jac: Vec<f64>,
    /// Number of parameters (columns of `jac`).
    pub n_params: usize,
}

/// Which leaves the derivatives are taken with respect to.
#[derive(Copy, Clone, PartialEq)]
enum Wrt {
    Consts,
    Vars,
}

/// Values and derivatives with respect to the constants (`jac` is `n_rows × consts.len()`).
pub fn grad_consts(f: &Formula, consts: &[f64], data: &Dataset<f64>) -> Result<Jacobian, KernelError> {
    run(f, consts, data, Wrt::Consts)
}

/// Values and derivatives with respect to the formula's variables (`jac` is
/// `n_rows × f.vars.len()`, in the order of `f.vars`; unused variables get 0).
pub fn grad_vars(f: &Formula, data: &Dataset<f64>) -> Result<Jacobian, KernelError> {
    run(f, &f.consts, data, Wrt::Vars)
}

fn run(f: &Formula, consts: &[f64], data: &Dataset<f64>, wrt: Wrt) -> Result<Jacobian, KernelError> {
    if !crate::reference::valid(f) {
        return Err(KernelError::Malformed("formula is not one expression".into()));
    }
    let vars_order = f.vars.clone();
    let f = f.inline_custom().with_vars_superset(&vars_order);
    if !crate::reference::valid(&f) {
        return Err(KernelError::Malformed("formula is not one expression".into()));
    }
    let cols: Vec<Option<&[f64]>> = f.vars.iter().map(|v| data.index_of(v).map(|i| data.column(i))).collect();
    for n in &f.nodes {
        match *n {
            Node::Var(i) if cols[i as usize].is_none() => {
                return Err(KernelError::UnknownVariable(f.vars[i as usize].clone()))
            }
            Node::Const(i) if i as usize >= consts.len() => {
                return Err(KernelError::MissingConstants { needed: i as usize + 1, given: consts.len() })
            }
            _ => {}
        }
    }
    // Argument node indices of every operator node.
    let mut args: Vec<[usize; 3]> = vec![[0; 3]; f.nodes.len()];
    let mut stack: Vec<usize> = Vec::new();
    for (j, n) in f.nodes.iter().enumerate() {
        if let Node::Op(op) = *n {
            let k = op.arity();
            for (slot, a) in stack.drain(stack.len() - k..).enumerate() {
                args[j][slot] = a;
            }
        }
        stack.push(j);
    }
    let n_params = match wrt {
        Wrt::Consts => consts.len(),
        Wrt::Vars => vars_order.len(),
    };
    let rows = data.n_rows();
    let m = f.nodes.len();
    let mut values = vec![0.0; rows];
    let mut jac = vec![0.0; rows * n_params];
    let mut val = vec![0.0; m * BLOCK];
    let mut adj = vec![0.0; m * BLOCK];
    for start in (0..rows).step_by(BLOCK) {
        let nb = BLOCK.min(rows - start);
        for (j, node) in f.nodes.iter().enumerate() {
            let (lo, hi) = val.split_at_mut(j * BLOCK);
            let out = &mut hi[..nb];
            match *node {
                Node::Var(i) => out.copy_from_slice(&cols[i as usize].unwrap_or(&[])[start..start + nb]),
                Node::Const(i) => out.fill(consts[i as usize]),
                Node::Op(op) => {
                    let a = args[j];
                    for (r, o) in out.iter_mut().enumerate() {
                        let x = [lo[a[0] * BLOCK + r], lo[a[1] * BLOCK + r], lo[a[2] * BLOCK + r]];
                        *o = op.apply(&x[..op.arity()]);
                    }
                }
            }
        }
        values[start..start + nb].copy_from_slice(&val[(m - 1) * BLOCK..][..nb]);
        adj.fill(0.0);
        adj[(m - 1) * BLOCK..][..nb].fill(1.0);
        for j in (0..m).rev() {
            match f.nodes[j] {
                Node::Op(op) => {
                    let a = args[j];
                    for r in 0..nb {
                        let g = adj[j * BLOCK + r];
                        if g == 0.0 {
                            continue;
                        }
                        let x = [val[a[0] * BLOCK + r], val[a[1] * BLOCK + r], val[a[2] * BLOCK + r]];
                        let d = partials(op, x, val[j * BLOCK + r]);
                        for s in 0..op.arity() {
                            adj[a[s] * BLOCK + r] += g * d[s];
                        }
                    }
                }
                Node::Const(i) if wrt == Wrt::Consts => {
                    for r in 0..nb {
                        jac[(start + r) * n_params + i as usize] += adj[j * BLOCK + r];
                    }
                }
                Node::Var(i) if wrt == Wrt::Vars && (i as usize) < n_params => {
                    for r in 0..nb {
                        jac[(start + r) * n_params + i as usize] += adj[j * BLOCK + r];
                    }
                }
                _ => {}
            }
        }
    }
    Ok(Jacobian { values, jac, n_params })
}

/// Partial derivatives of `op` at arguments `x` (only the first `arity` are used) with value `v`.
pub fn partials(op: Op, x: [f64; 3], v: f64) -> [f64; 3] {
    use Op::*;
    let [a, b, _] = x;
    let one = |d: f64| [d, 0.0, 0.0];
    match op {
        Add => [1.0, 1.0, 0.0],
        Sub => [1.0, -1.0, 0.0],
        Mul => [b, a, 0.0],
        Div => [1.0 / b, -a / (b * b), 0.0],
        Pow => {
            let da = if b == 0.0 { 0.0 } else { b * a.powf(b - 1.0) };
            let db = if a > 0.0 { v * a.ln() } else { 0.0 };
            [da, db, 0.0]
        }
        Max => {
            if a >= b {
                [1.0, 0.0, 0.0]
            } else {
                [0.0, 1.0, 0.0]
            }
        }
        Min => {
            if a <= b {
                [1.0, 0.0, 0.0]
            } else {
                [0.0, 1.0, 0.0]
            }
        }
        Cond => [0.0, if a > 0.0 { 1.0 } else { 0.0 }, 0.0],
        Greater | GreaterEq | Less | LessEq | Sign => [0.0; 3],
        Neg => one(-1.0),
        Square => one(2.0 * a),
        Cube => one(3.0 * a * a),
        Sqrt => one(0.5 / v),
        Cbrt => one(1.0 / (3.0 * v * v)),
        Abs => one(if a > 0.0 {
            1.0
        } else if a < 0.0 {
            -1.0
        } else {
            0.0
        }),
        Inv => one(-1.0 / (a * a)),
        Exp => one(v),
        Log => one(1.0 / a),
        Log10 => one(1.0 / (a * std::f64::consts::LN_10)),
        Log2 => one(1.0 / (a * std::f64::consts::LN_2)),
        Log1p => one(1.0 / (1.0 + a)),
        Sin => one(a.cos()),
        Cos => one(-a.sin()),
        Tan => one(1.0 + v * v),
        Sinh => one(a.cosh()),
        Cosh => one(a.sinh()),
        Tanh => one(1.0 - v * v),
        Asin => one(1.0 / (1.0 - a * a).sqrt()),
        Acos => one(-1.0 / (1.0 - a * a).sqrt()),
        Atan => one(1.0 / (1.0 + a * a)),
        Erf => one(std::f64::consts::FRAC_2_SQRT_PI * (-a * a).exp()),
        Relu => one(if a > 0.0 { 1.0 } else { 0.0 }),
        IfElse => {
            if a > 0.0 {
                [0.0, 1.0, 0.0]
            } else {
                [0.0, 0.0, 1.0]
            }
        }
        // Custom operators are inlined before differentiation.
        Custom(_) => [f64::NAN, f64::NAN, f64::NAN],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Dataset<f64> {
        Dataset::new(vec!["x".into()], vec![(0..300).map(|i| 0.1 + i as f64 * 0.01).collect()]).unwrap()
    }

    #[test]
    fn constant_gradient_matches_finite_differences() {
        // a * exp(-b * x) + c
        let bx = Formula::apply(Op::Mul, vec![Formula::named_constant("b", 0.7), Formula::var("x")]);
        let e = Formula::apply(Op::Exp, vec![Formula::apply(Op::Neg, vec![bx])]);
        let ae = Formula::apply(Op::Mul, vec![Formula::named_constant("a", 2.0), e]);
        let f = Formula::apply(Op::Add, vec![ae, Formula::named_constant("c", 0.3)]);
        let d = data();
        let j = grad_consts(&f, &f.consts, &d).unwrap();
        assert_eq!(j.n_params, 3);
        for r in [0, 17, 299] {
            for p in 0..3 {
                let mut c = f.consts.clone();
                let h = 1e-6;
                c[p] += h;
                let up = f.eval_row_with(&[d.column(0)[r]], &c);
                c[p] -= 2.0 * h;
                let dn = f.eval_row_with(&[d.column(0)[r]], &c);
                let fd = (up - dn) / (2.0 * h);
                assert!((fd - j.jac[r * 3 + p]).abs() < 1e-6 * (1.0 + fd.abs()), "row {r} param {p}");
            }
            assert_eq!(j.values[r], f.eval_row(&[d.column(0)[r]]));
        }
    }

    #[test]
    fn variable_gradient() {
        // sin(x) * x -> cos(x) x + sin(x)
        let f = Formula::apply(Op::Mul, vec![Formula::apply(Op::Sin, vec![Formula::var("x")]), Formula::var("x")]);
        let d = data();
        let j = grad_vars(&f, &d).unwrap();
        for r in 0..d.n_rows() {
            let x = d.column(0)[r];
            assert!((j.jac[r] - (x.cos() * x + x.sin())).abs() < 1e-12);
        }
        assert!(matches!(grad_vars(&Formula::var("q"), &d), Err(KernelError::UnknownVariable(_))));
    }
}
