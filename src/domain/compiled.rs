//! Formulas specialised once for the kernel: where lowering knows statically that a formula
//! literal is evaluated on tables (`t where cond`, `eval(formula { ... }, t)`), the IR carries a
//! [`CompiledFormula`] — the formula's variables in a fixed order and its kernel program — so a
//! `where` inside a loop or a function compiles nothing per call.

use crate::data::Table;
use crate::formula::Formula;
use crate::kernel::{choose_engine, Dataset, Program};

/// A formula with its kernel program, compiled once.
#[derive(Debug)]
pub struct CompiledFormula {
    pub formula: Formula,
    /// The variables the program reads, in column order.
    pub vars: Vec<String>,
    /// `None` only for a formula the kernel cannot compile (then it is evaluated uncompiled).
    program: Option<Program>,
}

impl CompiledFormula {
    /// Compiles `f` for its own variables.
    pub fn new(f: &Formula) -> CompiledFormula {
        // User operators inlined first, so the program and its constants come from one formula.
        let f = f.inline_custom();
        let vars = f.used_vars();
        let program = Program::compile(&f, &vars).ok();
        CompiledFormula { formula: f, vars, program }
    }

    /// The formula's value on every row of `t`, or the first variable that is not a column.
    pub fn eval_on(&self, t: &Table) -> Result<Vec<f64>, String> {
        let mut cols = Vec::with_capacity(self.vars.len());
        for v in &self.vars {
            cols.push(t.column(v).ok_or_else(|| v.clone())?.to_vec());
        }
        let n = t.n_rows();
        let data = Dataset::new(self.vars.clone(), cols).map_err(|e| e.to_string())?;
        let mut out = vec![f64::NAN; n];
        match &self.program {
            Some(p) => {
                let consts = &self.formula.consts;
                crate::kernel::batch::run_program(p, choose_engine(p, n), consts, &data, &mut out, false);
            }
            None => out = crate::kernel::eval(&self.formula, &data).0,
        }
        Ok(out)
    }
}
