//! Dimension inference over a formula: its dimension, the dimensions its free constants and
//! unit-less variables must take, or the node where it cannot be consistent.
//!
//! In: an [`sdl_formula::Formula`], the dimension of each variable (`None`: unknown, solved
//! for), how to treat numeric constants ([`ConstMode`]) and optionally the dimension the result
//! must have. Out: [`Inferred`] or a [`DimError`] naming the node (an index into `f.nodes`) and
//! both sides' dimensions. The rules are those of `engine.rs` (`+` needs equal dimensions, `exp`
//! a dimensionless argument, `x^p` a constant rational `p` unless `x` is dimensionless, ...).
//! Always true: a constant or variable left free by the formula is reported as `None`, never
//! guessed; the sides of an error are printed with the unknowns the formula fixed before that
//! node, free ones taken as dimensionless. Custom operators are inlined first (their bodies'
//! numbers are dimensionless whatever the mode, being part of the operator's definition), and an
//! error inside an inlined body points at the custom operator's node.

use crate::engine::{Engine, Fail, FailKind, Program, NO_COL};
use crate::Dim;
use sdl_formula::{custom, Formula, Node, Op};
use std::fmt;

/// How numeric constants count.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ConstMode {
    /// Every constant is a dimensionless number.
    Dimensionless,
    /// Every constant may carry whatever dimension makes the formula consistent (the way `G`
    /// carries `m^3/(kg*s^2)` in Newton's law): the search's free constants.
    Free,
    /// Named constants (`const_names[i]` is `Some`, the free parameters of a model such as `G`
    /// in `G * m1 * m2 / r^2`) are free; plain numbers are dimensionless.
    NamedFree,
}

/// What inference found.
#[derive(Clone, Debug, PartialEq)]
pub struct Inferred {
    /// The formula's dimension (the target when one was given); `None` when it depends on
    /// unknowns the formula leaves free.
    pub dim: Option<Dim>,
    /// Per constant (`f.consts[i]`): the dimension it has or must take; `None` when free.
    pub consts: Vec<Option<Dim>>,
    /// Per variable (`f.vars[i]`): the given dimension, or the one an unknown variable must
    /// take; `None` when free.
    pub vars: Vec<Option<Dim>>,
}

/// Where a formula is dimensionally inconsistent: `node` indexes `f.nodes`.
#[derive(Clone, Debug, PartialEq)]
pub struct DimError {
    pub node: usize,
    pub kind: DimErrorKind,
}

/// The kinds of dimension errors.
#[derive(Clone, Debug, PartialEq)]
pub enum DimErrorKind {
    /// The operands of `op` (`+ - max min`, a comparison, the branches of `ifelse`) differ.
    Mismatch { op: Op, left: Dim, right: Dim },
    /// The argument of `op` (`exp`, `log`, `sin`, ..., or the exponent of `^`) is not
    /// dimensionless.
    NotDimensionless { op: Op, found: Dim },
    /// A dimensioned base raised to an exponent that is not a constant rational (`exponent` is
    /// its value when variable-free, `None` when it depends on variables).
    Exponent { base: Dim, exponent: Option<f64> },
    /// The formula's dimension is not the target.
    Target { found: Dim, target: Dim },
    /// An exponent leaves the 1/60 grid or the range (`m^(1/7)`, a constant that would need it).
    NotRepresentable,
    /// Not a valid postfix program.
    Malformed,
}

impl fmt::Display for DimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            DimErrorKind::Mismatch { op, left, right } => {
                write!(f, "`{op}` needs equal dimensions, found {left} and {right}")
            }
            DimErrorKind::NotDimensionless { op, found } => {
                write!(f, "`{op}` needs a dimensionless argument, found {found}")
            }
            DimErrorKind::Exponent { base, exponent: Some(e) } => {
                write!(f, "{base} raised to {e}, which is not a rational with denominator dividing 60")
            }
            DimErrorKind::Exponent { base, exponent: None } => {
                write!(f, "{base} raised to a power that depends on variables")
            }
            DimErrorKind::Target { found, target } => write!(f, "the formula has dimension {found}, expected {target}"),
            DimErrorKind::NotRepresentable => f.write_str("a dimension exponent leaves the 1/60 grid or its range"),
            DimErrorKind::Malformed => f.write_str("not a valid formula"),
        }
    }
}

impl std::error::Error for DimError {}

/// A formula with its custom operators replaced by their bodies, and for each node the node of
/// the original formula it came from. Constants of the bodies follow the original constants.
pub(crate) struct Inlined {
    pub nodes: Vec<Node>,
    pub consts: Vec<f64>,
    pub origin: Vec<usize>,
}

/// Inlines `f`'s custom operators; `None` when it has none.
pub(crate) fn inline(f: &Formula) -> Option<Inlined> {
    if !f.nodes.iter().any(|n| matches!(n, Node::Op(Op::Custom(_)))) {
        return None;
    }
    let mut consts = f.consts.clone();
    let mut stack: Vec<Vec<(Node, usize)>> = Vec::new();
    for (idx, &node) in f.nodes.iter().enumerate() {
        match node {
            Node::Op(Op::Custom(id)) => {
                let def = custom::get(id);
                let body = match inline(&def.body) {
                    Some(b) => b,
                    None => Inlined {
                        nodes: def.body.nodes.clone(),
                        consts: def.body.consts.clone(),
                        origin: vec![0; def.body.nodes.len()],
                    },
                };
                let at = stack.len().saturating_sub(def.arity);
                let args = stack.split_off(at);
                let base = consts.len() as u16;
                consts.extend_from_slice(&body.consts);
                let mut out = Vec::new();
                for n in body.nodes {
                    match n {
                        Node::Var(i) => match args.get(i as usize) {
                            Some(arg) => out.extend_from_slice(arg),
                            None => out.push((Node::Var(u16::MAX), idx)),
                        },
                        Node::Const(i) => out.push((Node::Const(i.saturating_add(base)), idx)),
                        op => out.push((op, idx)),
                    }
                }
                stack.push(out);
            }
            Node::Op(op) => {
                let at = stack.len().saturating_sub(op.arity());
                let mut out: Vec<(Node, usize)> = stack.split_off(at).concat();
                out.push((node, idx));
                stack.push(out);
            }
            leaf => stack.push(vec![(leaf, idx)]),
        }
    }
    let all: Vec<(Node, usize)> = stack.concat();
    Some(Inlined { nodes: all.iter().map(|p| p.0).collect(), consts, origin: all.iter().map(|p| p.1).collect() })
}

/// Assigns unknown columns: variables without a dimension first, then the free constants among
/// the first `outer` constants (later ones come from custom bodies and are dimensionless).
/// Returns the number of columns.
pub(crate) fn columns(
    var_dims: &[Option<Dim>],
    n_vars: usize,
    n_consts: usize,
    outer: usize,
    free: impl Fn(usize) -> bool,
    var_col: &mut Vec<u16>,
    const_col: &mut Vec<u16>,
) -> usize {
    let mut n = 0u16;
    var_col.clear();
    for i in 0..n_vars {
        if var_dims.get(i).copied().flatten().is_some() {
            var_col.push(NO_COL);
        } else {
            var_col.push(n);
            n += 1;
        }
    }
    const_col.clear();
    for i in 0..n_consts {
        if i < outer && free(i) {
            const_col.push(n);
            n += 1;
        } else {
            const_col.push(NO_COL);
        }
    }
    n as usize
}

/// Infers the dimension of `f` (see the module documentation). `var_dims[i]` is the dimension of
/// `f.vars[i]`; `None` or a missing entry means unknown, to be solved for.
pub fn infer(
    f: &Formula,
    var_dims: &[Option<Dim>],
    mode: ConstMode,
    target: Option<Dim>,
) -> Result<Inferred, DimError> {
    let inlined = inline(f);
    let (nodes, consts, origin): (&[Node], &[f64], Option<&[usize]>) = match &inlined {
        Some(i) => (&i.nodes, &i.consts, Some(&i.origin)),
        None => (&f.nodes, &f.consts, None),
    };
    let map_node = |n: usize| origin.map_or(n, |o| o.get(n).copied().unwrap_or(n));
    let free = |i: usize| match mode {
        ConstMode::Dimensionless => false,
        ConstMode::Free => true,
        ConstMode::NamedFree => f.const_names.get(i).is_some_and(|n| n.is_some()),
    };
    let (mut var_col, mut const_col) = (Vec::new(), Vec::new());
    let n = columns(var_dims, f.vars.len(), consts.len(), f.consts.len(), free, &mut var_col, &mut const_col);
    let prog = Program { nodes, consts, const_col: &const_col, var_dims, var_col: &var_col };
    let mut eng = Engine::default();
    if let Err(fail) = eng.run(&prog, n, target) {
        let kind = describe(&mut eng, fail, nodes, target);
        return Err(DimError { node: map_node(fail.node), kind });
    }
    if eng.sys.reduce().is_err() {
        return Err(DimError { node: map_node(nodes.len().saturating_sub(1)), kind: DimErrorKind::NotRepresentable });
    }
    let solved = |col: u16| -> Result<Option<Dim>, ()> {
        match eng.sys.determined(col as usize) {
            Some(Ok(raw)) => Ok(Some(Dim::from_raw(raw))),
            Some(Err(())) => Err(()),
            None => Ok(None),
        }
    };
    let first_use = |leaf: Node| nodes.iter().position(|&n| n == leaf).map_or(0, map_node);
    let unrepresentable = |leaf: Node| DimError { node: first_use(leaf), kind: DimErrorKind::NotRepresentable };
    let mut vars = Vec::with_capacity(f.vars.len());
    for (i, &col) in var_col.iter().enumerate() {
        vars.push(match col {
            NO_COL => var_dims.get(i).copied().flatten(),
            c => solved(c).map_err(|()| unrepresentable(Node::Var(i as u16)))?,
        });
    }
    let mut const_dims = Vec::with_capacity(f.consts.len());
    for (i, &col) in const_col.iter().take(f.consts.len()).enumerate() {
        const_dims.push(match col {
            NO_COL => Some(Dim::ONE),
            c => solved(c).map_err(|()| unrepresentable(Node::Const(i as u16)))?,
        });
    }
    let dim = match target {
        Some(t) => Some(t),
        None => entry_dim(&eng, 0, true),
    };
    Ok(Inferred { dim, consts: const_dims, vars })
}

/// The dimension of stack entry `e` with the unknowns the rows fix substituted. With `strict`,
/// `None` when it depends on a free unknown or leaves the grid; otherwise free unknowns count as
/// dimensionless and off-grid exponents are truncated (for messages only).
fn entry_dim(eng: &Engine, e: usize, strict: bool) -> Option<Dim> {
    if !eng.unk[e] {
        return Some(eng.base[e]);
    }
    // raw = base + sum_k (a_k / den) X_k, accumulated times den.
    let den = eng.cden[e] as i128;
    let mut raw = eng.base[e].raw().map(|x| x as i128 * den);
    for (col, &a) in eng.coefs(e).iter().enumerate() {
        if a == 0 {
            continue;
        }
        match eng.sys.determined(col) {
            Some(Ok(x)) => {
                for d in 0..7 {
                    raw[d] += a as i128 * x[d] as i128;
                }
            }
            _ if strict => return None,
            _ => {}
        }
    }
    let mut out = [0i16; 7];
    for d in 0..7 {
        if strict && raw[d] % den != 0 {
            return None;
        }
        out[d] = i16::try_from(raw[d] / den).ok()?;
    }
    Some(Dim::from_raw(out))
}

/// Turns the engine's failure into a public error kind, reading both sides off the stack.
fn describe(eng: &mut Engine, fail: Fail, nodes: &[Node], target: Option<Dim>) -> DimErrorKind {
    let op = match nodes.get(fail.node) {
        Some(Node::Op(op)) => *op,
        _ => Op::Add,
    };
    // Rows added before the failure are consistent; reduce them to read off what they fix.
    let _ = eng.sys.reduce();
    let dim = |eng: &Engine, e: usize| entry_dim(eng, e, false).unwrap_or(eng.base[e]);
    match fail.kind {
        FailKind::Mismatch { a, b } => DimErrorKind::Mismatch { op, left: dim(eng, a), right: dim(eng, b) },
        FailKind::NotDimensionless { a } => DimErrorKind::NotDimensionless { op, found: dim(eng, a) },
        FailKind::PowBase { base, exponent } => DimErrorKind::Exponent { base: dim(eng, base), exponent },
        FailKind::Target => DimErrorKind::Target { found: dim(eng, 0), target: target.unwrap_or(Dim::ONE) },
        FailKind::NotRepresentable => DimErrorKind::NotRepresentable,
        FailKind::Malformed => DimErrorKind::Malformed,
    }
}
