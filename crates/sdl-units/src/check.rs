//! The search's per-candidate question: can this formula have the target dimension, given the
//! variables' dimensions, if at most `k` of its constants carry a dimension?
//!
//! In: a formula, the variables' dimensions (`None`: unknown, free), the target dimension and the
//! number of constants allowed a dimension. Out: yes or no, as a hard constraint (PySR instead
//! adds a penalty to the loss). Always true: for `k = 0` the answer is `infer(f, var_dims,
//! ConstMode::Dimensionless, Some(target)).is_ok()`, when `k` is at least the number of
//! constants it is `infer(..., ConstMode::Free, ...).is_ok()`, and in between it is the same as
//! trying every set of at most `k` free constants; a property test checks all three on random
//! formulas.
//! A [`DimChecker`] reuses its buffers, so a
//! check allocates nothing once they have grown (unless the formula has custom operators,
//! which are inlined into fresh buffers).
//!
//! Cost: one walk with dimensionless constants (14-byte stack entries, no linear algebra) answers
//! most candidates. Only when that fails and `k > 0` does a second walk treat every constant as
//! an unknown and solve the rows exactly; then the constants the rows fix to a nonzero dimension
//! must number at most `k`, and if the rest leave a choice, subsets of the undetermined constants
//! are tried (at most [`MAX_SUBSETS`]; past that the answer is a lenient yes).

use crate::engine::{Engine, Program};
use crate::infer::{columns, inline};
use crate::Dim;
use sdl_formula::{Formula, Node};

/// The most subsets of undetermined constants one check tries before answering yes.
pub const MAX_SUBSETS: usize = 4096;

/// Reusable buffers for [`DimChecker::consistent`]; one per search thread.
#[derive(Clone, Debug, Default)]
pub struct DimChecker {
    engine: Engine,
    var_col: Vec<u16>,
    const_col: Vec<u16>,
    scratch: crate::linear::System,
    undetermined: Vec<usize>,
    chosen: Vec<usize>,
}

/// One-off form of [`DimChecker::consistent`] (allocates a checker).
pub fn consistent(f: &Formula, var_dims: &[Option<Dim>], target: Dim, max_dimensioned_constants: usize) -> bool {
    DimChecker::new().consistent(f, var_dims, target, max_dimensioned_constants)
}

impl DimChecker {
    /// A checker with empty buffers.
    pub fn new() -> DimChecker {
        DimChecker::default()
    }

    /// True when `f` can have dimension `target`, with `f.vars[i]` of dimension `var_dims[i]`
    /// (`None` or missing: any), by giving at most `max_dimensioned_constants` of its constants
    /// a dimension (the others are dimensionless numbers).
    pub fn consistent(
        &mut self,
        f: &Formula,
        var_dims: &[Option<Dim>],
        target: Dim,
        max_dimensioned_constants: usize,
    ) -> bool {
        let inlined = inline(f);
        let (nodes, consts): (&[Node], &[f64]) = match &inlined {
            Some(i) => (&i.nodes, &i.consts),
            None => (&f.nodes, &f.consts),
        };
        let outer = f.consts.len();
        // Pass 1: every constant dimensionless.
        let n = columns(var_dims, f.vars.len(), consts.len(), outer, |_| false, &mut self.var_col, &mut self.const_col);
        if self.walk(nodes, consts, var_dims, n, target) {
            return true;
        }
        if max_dimensioned_constants == 0 || outer == 0 {
            return false;
        }
        // Pass 2: every constant of the formula free.
        let n = columns(var_dims, f.vars.len(), consts.len(), outer, |_| true, &mut self.var_col, &mut self.const_col);
        if !self.walk(nodes, consts, var_dims, n, target) {
            return false;
        }
        // Constants the rows fix to a nonzero dimension count for sure; undetermined ones may.
        let sys = &self.engine.sys;
        let mut fixed = 0;
        self.undetermined.clear();
        for &col in self.const_col.iter().take(outer) {
            match sys.determined(col as usize) {
                Some(Ok(raw)) if raw != [0; 7] => fixed += 1,
                Some(_) => {}
                None => self.undetermined.push(col as usize),
            }
        }
        if fixed > max_dimensioned_constants {
            return false;
        }
        let k = max_dimensioned_constants - fixed;
        if k >= self.undetermined.len() {
            return true;
        }
        self.try_subsets(k)
    }

    /// Walks the program and, if it succeeds, reduces the rows and checks that every fixed
    /// unknown is on the grid.
    fn walk(&mut self, nodes: &[Node], consts: &[f64], var_dims: &[Option<Dim>], n: usize, target: Dim) -> bool {
        let prog = Program { nodes, consts, const_col: &self.const_col, var_dims, var_col: &self.var_col };
        if self.engine.run(&prog, n, Some(target)).is_err() {
            return false;
        }
        n == 0 || (self.engine.sys.reduce().is_ok() && self.engine.sys.representable())
    }

    /// Tries every way of letting `k` of the undetermined constants carry a dimension (the rest
    /// forced dimensionless), in lexicographic order, up to [`MAX_SUBSETS`].
    fn try_subsets(&mut self, k: usize) -> bool {
        let u = self.undetermined.len();
        self.chosen.clear();
        self.chosen.extend(0..k);
        for _ in 0..MAX_SUBSETS {
            self.scratch.copy_from(&self.engine.sys);
            let mut ok = true;
            let mut next = 0;
            for (i, &col) in self.undetermined.iter().enumerate() {
                if next < k && self.chosen[next] == i {
                    next += 1;
                    continue;
                }
                if self.scratch.insert_zero(col).is_err() {
                    ok = false;
                    break;
                }
            }
            if ok && self.scratch.reduce().is_ok() && self.scratch.representable() {
                return true;
            }
            // Next k-subset of 0..u.
            let mut i = k;
            loop {
                if i == 0 {
                    return false;
                }
                i -= 1;
                if self.chosen[i] < u - k + i {
                    self.chosen[i] += 1;
                    for j in i + 1..k {
                        self.chosen[j] = self.chosen[j - 1] + 1;
                    }
                    break;
                }
            }
        }
        true
    }
}
