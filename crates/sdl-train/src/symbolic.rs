//! Formulas as burn modules: a formula from `sdl-formula` lowered to tensor operations, with
//! its constants as trainable parameters, so a symbolic model can stand in for an MLP inside a
//! graph network and be refitted end to end. In: formulas over edge variables (the receiver's
//! features suffixed `1`, the sender's suffixed `2`, `dx, dy[, dz]` = sender minus receiver
//! position, `r` = distance); out: a [`SymbolicMessage`] whose forward pass gives the message
//! channels. Always true: user-defined operators are inlined when the module is built, so a
//! saved model does not depend on the session that made it; a formula naming a variable the
//! edge model does not see is refused with [`TrainError::BadFormula`].

use burn::module::Param;
use burn::prelude::*;
use sdl_formula::{Formula, Node, Op};

use crate::error::TrainError;

/// The variables an edge model sees, in order: receiver features suffixed `1`, sender
/// features suffixed `2`, `d` + each position feature (sender minus receiver), and `r`.
pub fn edge_variables(features: &[String], dim: usize) -> Vec<String> {
    let mut names: Vec<String> = features.iter().map(|f| format!("{f}1")).collect();
    names.extend(features.iter().map(|f| format!("{f}2")));
    names.extend(features[..dim.min(features.len())].iter().map(|p| format!("d{p}")));
    names.push("r".to_string());
    names
}

/// The edge variables as columns `[rows]`, in [`edge_variables`] order, from receiver rows
/// `xi` and sender rows `xj` (`[rows, features]`).
pub fn edge_columns(xi: Tensor<2>, xj: Tensor<2>, dim: usize) -> Vec<Tensor<1>> {
    let [rows, f] = xi.dims();
    let col = |t: &Tensor<2>, c: usize| t.clone().narrow(1, c, 1).reshape([rows]);
    let mut out: Vec<Tensor<1>> = (0..f).map(|c| col(&xi, c)).collect();
    out.extend((0..f).map(|c| col(&xj, c)));
    let d = xj.narrow(1, 0, dim) - xi.narrow(1, 0, dim);
    out.extend((0..dim).map(|c| col(&d, c)));
    out.push(d.square().sum_dim(1).sqrt().reshape([rows]));
    out
}

/// One formula with trainable constants.
#[derive(Module, Debug)]
pub struct SymbolicFormula {
    consts: Option<Param<Tensor<1>>>,
    #[module(skip)]
    formula: Formula,
    /// For each variable of `formula`, its index among the edge columns.
    #[module(skip)]
    columns: Vec<usize>,
}

impl SymbolicFormula {
    /// Lowers `formula` over the variables `names` (its variables must all be among them).
    pub fn new(formula: &Formula, names: &[String], device: &Device) -> Result<SymbolicFormula, TrainError> {
        let formula = formula.inline_custom();
        let used = formula.used_vars();
        let unknown: Vec<&String> = used.iter().filter(|v| !names.contains(v)).collect();
        if !unknown.is_empty() {
            return Err(TrainError::BadFormula(format!(
                "`{formula}` uses {} that the model does not see; it sees {}",
                unknown.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", "),
                names.join(", ")
            )));
        }
        if let Some(op) = formula.nodes.iter().find_map(|n| match n {
            Node::Op(op @ Op::Custom(_)) => Some(*op),
            _ => None,
        }) {
            return Err(TrainError::BadFormula(format!("operator `{op}` could not be inlined")));
        }
        let columns = formula.vars.iter().map(|v| names.iter().position(|n| n == v).unwrap_or(0)).collect();
        let consts = (!formula.consts.is_empty()).then(|| {
            let values: Vec<f32> = formula.consts.iter().map(|&c| c as f32).collect();
            let n = values.len();
            Param::from_tensor(Tensor::<1>::from_data(TensorData::new(values, [n]), device))
        });
        Ok(SymbolicFormula { consts, formula, columns })
    }

    /// The formula with the current (possibly refitted) constants. A constant still at its
    /// starting value keeps its exact `f64` value (the parameter holds it rounded to `f32`).
    pub fn formula(&self) -> Formula {
        let mut f = self.formula.clone();
        if let Some(c) = &self.consts {
            if let Ok(v) = c.val().into_data().try_into_vec::<f32>() {
                for (slot, x) in f.consts.iter_mut().zip(v) {
                    if x != *slot as f32 {
                        *slot = x as f64;
                    }
                }
            }
        }
        f
    }

    /// Evaluates the formula on edge columns (each `[rows]`).
    pub fn forward(&self, columns: &[Tensor<1>]) -> Tensor<1> {
        let rows = columns.first().map_or(0, |c| c.dims()[0]);
        let device = columns.first().map(|c| c.device()).unwrap_or_default();
        let consts = self.consts.as_ref().map(|c| c.val());
        let mut stack: Vec<Tensor<1>> = Vec::with_capacity(8);
        for (at, node) in self.formula.nodes.iter().enumerate() {
            let value = match *node {
                Node::Var(i) => columns[self.columns[i as usize]].clone(),
                Node::Const(i) => match &consts {
                    Some(c) => c.clone().narrow(0, i as usize, 1).expand([rows]),
                    None => Tensor::zeros([rows], &device),
                },
                Node::Op(op) => {
                    let arity = op.arity();
                    let args = stack.split_off(stack.len() - arity);
                    self.apply(op, args, at)
                }
            };
            stack.push(value);
        }
        stack.pop().unwrap_or_else(|| Tensor::zeros([rows], &device))
    }

    /// The constant value of the subtree ending at node `end`, when that subtree is a lone
    /// constant (used to keep integer powers exact).
    fn constant_operand(&self, end: usize) -> Option<f64> {
        match self.formula.nodes.get(end) {
            Some(Node::Const(i)) => self.formula.consts.get(*i as usize).copied(),
            _ => None,
        }
    }

    fn apply(&self, op: Op, mut args: Vec<Tensor<1>>, at: usize) -> Tensor<1> {
        let b = if args.len() >= 2 { args.pop() } else { None };
        let a = args.pop().expect("arity checked by the formula invariants");
        let c = args.pop();
        let two = |b: Option<Tensor<1>>| b.expect("binary operator has two operands");
        match op {
            Op::Add => a + two(b),
            Op::Sub => a - two(b),
            Op::Mul => a * two(b),
            Op::Div => a / two(b),
            Op::Pow => match self.constant_operand(at - 1) {
                // A constant integer exponent stays fixed, so negative bases work (x^2, r^-3).
                Some(e) if e.fract() == 0.0 && e.abs() <= 64.0 => a.powi_scalar(e as i32),
                _ => a.powf(two(b)),
            },
            Op::Max => a.max_pair(two(b)),
            Op::Min => a.min_pair(two(b)),
            Op::Cond => two(b) * a.greater_elem(0.0).float(),
            Op::Greater => a.greater(two(b)).float(),
            Op::GreaterEq => a.greater_equal(two(b)).float(),
            Op::Less => a.lower(two(b)).float(),
            Op::LessEq => a.lower_equal(two(b)).float(),
            Op::IfElse => {
                // Operands come as (cond, then, else): `a` is `then`, `b` is `else`.
                let cond = c.expect("ifelse has three operands");
                two(b).mask_where(cond.greater_elem(0.0), a)
            }
            Op::Neg => a.neg(),
            Op::Square => a.clone() * a,
            Op::Cube => a.clone() * a.clone() * a,
            Op::Sqrt => a.sqrt(),
            Op::Cbrt => a.clone().sign() * a.abs().powf_scalar(1.0 / 3.0),
            Op::Abs => a.abs(),
            Op::Sign => a.sign(),
            Op::Inv => a.recip(),
            Op::Exp => a.exp(),
            Op::Log => a.log(),
            Op::Log10 => a.log().div_scalar(std::f64::consts::LN_10),
            Op::Log2 => a.log().div_scalar(std::f64::consts::LN_2),
            Op::Log1p => a.log1p(),
            Op::Sin => a.sin(),
            Op::Cos => a.cos(),
            Op::Tan => a.tan(),
            Op::Sinh => a.sinh(),
            Op::Cosh => a.cosh(),
            Op::Tanh => a.tanh(),
            Op::Asin => a.asin(),
            Op::Acos => a.acos(),
            Op::Atan => a.atan(),
            Op::Erf => a.erf(),
            Op::Relu => a.clamp_min(0.0),
            // Inlined in `new`; never reached.
            Op::Custom(_) => a,
        }
    }
}

/// A message model made of formulas: channel `channels[k]` of the message is `formulas[k]`,
/// every other channel is zero.
#[derive(Module, Debug)]
pub struct SymbolicMessage {
    formulas: Vec<SymbolicFormula>,
    #[module(skip)]
    channels: Vec<usize>,
    #[module(skip)]
    msg_dim: usize,
    #[module(skip)]
    dim: usize,
}

impl SymbolicMessage {
    /// Formulas for the given channels of a `msg_dim`-channel message, over the edge variables
    /// of nodes with `features` in `dim` dimensions.
    pub fn new(
        formulas: &[(usize, Formula)],
        msg_dim: usize,
        features: &[String],
        dim: usize,
        device: &Device,
    ) -> Result<SymbolicMessage, TrainError> {
        if formulas.is_empty() {
            return Err(TrainError::BadFormula("no formula given".into()));
        }
        let names = edge_variables(features, dim);
        let mut channels = Vec::new();
        let mut lowered = Vec::new();
        for (channel, f) in formulas {
            if *channel >= msg_dim {
                return Err(TrainError::BadFormula(format!("channel {channel} is outside 0..{msg_dim}")));
            }
            if channels.contains(channel) {
                return Err(TrainError::BadFormula(format!("channel {channel} is given two formulas")));
            }
            channels.push(*channel);
            lowered.push(SymbolicFormula::new(f, &names, device)?);
        }
        Ok(SymbolicMessage { formulas: lowered, channels, msg_dim, dim })
    }

    /// The formulas with their current constants, with their channels.
    pub fn formulas(&self) -> Vec<(usize, Formula)> {
        self.channels.iter().copied().zip(self.formulas.iter().map(|f| f.formula())).collect()
    }

    /// Messages `[rows, msg_dim]` for receiver rows `xi` and sender rows `xj`.
    pub fn forward(&self, xi: Tensor<2>, xj: Tensor<2>) -> Tensor<2> {
        let [rows, _] = xi.dims();
        let device = xi.device();
        let columns = edge_columns(xi, xj, self.dim);
        let mut out: Vec<Tensor<2>> = (0..self.msg_dim).map(|_| Tensor::zeros([rows, 1], &device)).collect();
        for (f, &c) in self.formulas.iter().zip(&self.channels) {
            out[c] = f.forward(&columns).reshape([rows, 1]);
        }
        Tensor::cat(out, 1)
    }
}
