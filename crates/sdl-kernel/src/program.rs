//! Compiles a formula into a register program for block evaluation.
//!
//! In: a formula (custom operators are inlined first) and the data's column names. Out: a
//! [`Program`]: a list of [`Instr`] whose operands are data columns, constants (read at call
//! time, so one program serves every constant vector) or registers. Register `p` holds stack
//! position `p` of the postfix program, so an instruction's first operand, when it is a
//! register, is always its destination (evaluation is in place) and other register operands
//! always have a larger index. Always true: every register index is `< n_regs`, every column
//! index is `< names.len()`, every constant index is `< n_consts`.

use crate::KernelError;
use sdl_formula::{Formula, Node, Op};

/// An operand: a data column, a constant (by index into the constant vector) or a register.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Src {
    Col(u32),
    Const(u32),
    Reg(u32),
}

/// One block-wide operation. `dst` is a register index.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Instr {
    /// `dst = op(a)`.
    Un { op: Op, a: Src, dst: u32 },
    /// `dst = op(a, b)`.
    Bin { op: Op, a: Src, b: Src, dst: u32 },
    /// `dst = op(c, a, b)` (`ifelse`).
    Tern { op: Op, c: Src, a: Src, b: Src, dst: u32 },
    /// Fused `dst = un(op(a, b))`: one instruction, one pass over the block.
    UnBin { un: Op, op: Op, a: Src, b: Src, dst: u32 },
}

/// A compiled formula. Hashing/equality cover the structure only (not constant values), so a
/// program is the key of the JIT cache.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Program {
    pub instrs: Vec<Instr>,
    /// The value of the formula: a register, or a column/constant for leaf formulas.
    pub result: Src,
    pub n_regs: usize,
    /// Number of constants the formula reads (the constant vector must be at least this long).
    pub n_consts: usize,
    /// Number of nodes of the inlined formula (operators, variables, constants).
    pub n_nodes: usize,
    /// Number of data columns the program may address.
    pub n_cols: usize,
}

impl Program {
    /// Compiles `f` against columns named `names`. Errors on unknown variables and malformed
    /// formulas; unused variables need not exist in the data.
    pub fn compile(f: &Formula, names: &[String]) -> Result<Program, KernelError> {
        Self::compile_opts(f, names, true)
    }

    /// Like [`Program::compile`]; `fuse = false` keeps every operator a separate instruction.
    pub fn compile_opts(f: &Formula, names: &[String], fuse: bool) -> Result<Program, KernelError> {
        // Validate before inlining: inlining walks the postfix program and needs it well formed.
        if !crate::reference::valid(f) {
            return Err(KernelError::Malformed(format!("{} nodes do not form one expression", f.nodes.len())));
        }
        let f = f.inline_custom();
        if !crate::reference::valid(&f) {
            return Err(KernelError::Malformed(format!("{} nodes do not form one expression", f.nodes.len())));
        }
        let mut stack: Vec<Src> = Vec::new();
        let mut instrs: Vec<Instr> = Vec::new();
        let (mut n_regs, mut n_consts) = (0usize, 0usize);
        for node in &f.nodes {
            match *node {
                Node::Var(i) => {
                    let name = &f.vars[i as usize];
                    let col = names
                        .iter()
                        .position(|n| n == name)
                        .ok_or_else(|| KernelError::UnknownVariable(name.clone()))?;
                    stack.push(Src::Col(col as u32));
                }
                Node::Const(i) => {
                    n_consts = n_consts.max(i as usize + 1);
                    stack.push(Src::Const(i as u32));
                }
                Node::Op(op) => {
                    let k = op.arity();
                    let args = stack.split_off(stack.len() - k);
                    let dst = stack.len() as u32;
                    n_regs = n_regs.max(dst as usize + 1);
                    let instr = match *args.as_slice() {
                        [a] => {
                            match (fuse, instrs.last()) {
                                // The operand is the previous instruction's result: fuse.
                                (true, Some(&Instr::Bin { op: bop, a: ba, b: bb, dst: bd }))
                                    if a == Src::Reg(dst) && bd == dst && fusable_unary(op) =>
                                {
                                    instrs.pop();
                                    Instr::UnBin { un: op, op: bop, a: ba, b: bb, dst }
                                }
                                _ => Instr::Un { op, a, dst },
                            }
                        }
                        [a, b] => Instr::Bin { op, a, b, dst },
                        [c, a, b] => Instr::Tern { op, c, a, b, dst },
                        _ => return Err(KernelError::Malformed(format!("operator {op} has arity {k}"))),
                    };
                    instrs.push(instr);
                    stack.push(Src::Reg(dst));
                }
            }
        }
        let result = stack.pop().ok_or_else(|| KernelError::Malformed("empty formula".into()))?;
        Ok(Program { instrs, result, n_regs, n_consts, n_nodes: f.nodes.len(), n_cols: names.len() })
    }

    /// Number of operator applications per row (a rough cost measure).
    pub fn n_ops(&self) -> usize {
        self.instrs.iter().map(|i| if matches!(i, Instr::UnBin { .. }) { 2 } else { 1 }).sum()
    }

    /// Number of transcendental operator applications per row.
    pub fn n_transcendental(&self) -> usize {
        self.instrs
            .iter()
            .filter(|i| match i {
                Instr::Un { op, .. } | Instr::Bin { op, .. } => is_transcendental(*op),
                Instr::UnBin { un, op, .. } => is_transcendental(*un) || is_transcendental(*op),
                Instr::Tern { .. } => false,
            })
            .count()
    }
}

/// Unary operators worth fusing with the binary operator feeding them.
fn fusable_unary(op: Op) -> bool {
    !matches!(op, Op::Custom(_))
}

/// Operators implemented by a polynomial or a library call rather than one instruction.
pub fn is_transcendental(op: Op) -> bool {
    use Op::*;
    matches!(
        op,
        Pow | Exp | Log | Log10 | Log2 | Log1p | Sin | Cos | Tan | Sinh | Cosh | Tanh | Asin | Acos | Atan | Erf | Cbrt
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_follow_stack_positions_and_fuse() {
        // exp(x * c) + y
        let xc = Formula::apply(Op::Mul, vec![Formula::var("x"), Formula::constant(2.0)]);
        let f = Formula::apply(Op::Add, vec![Formula::apply(Op::Exp, vec![xc]), Formula::var("y")]);
        let names = vec!["y".to_string(), "x".to_string()];
        let p = Program::compile(&f, &names).unwrap();
        assert_eq!(
            p.instrs,
            vec![
                Instr::UnBin { un: Op::Exp, op: Op::Mul, a: Src::Col(1), b: Src::Const(0), dst: 0 },
                Instr::Bin { op: Op::Add, a: Src::Reg(0), b: Src::Col(0), dst: 0 },
            ]
        );
        assert_eq!((p.n_regs, p.n_consts, p.n_nodes), (1, 1, 6));
        assert!(matches!(Program::compile(&f, &names[..1]), Err(KernelError::UnknownVariable(_))));
    }

    #[test]
    fn leaf_formula_has_no_instructions() {
        let p = Program::compile(&Formula::var("x"), &["x".to_string()]).unwrap();
        assert!(p.instrs.is_empty());
        assert_eq!(p.result, Src::Col(0));
    }
}
