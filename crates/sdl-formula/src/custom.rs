//! The process-wide registry of user-defined operators (`op sq(x) = x * x` in sdl).
//!
//! A custom operator is a name, an arity and a body formula whose variables are the operator's
//! parameters in order. Entries are only ever appended, so an `Op::Custom(id)` stays valid for the
//! life of the process; redefining a name appends a new entry that later lookups find first.
//! Evaluators inline the body (see `Formula::inline_custom`), so custom operators run at the
//! speed of built-in ones.

use crate::{Formula, Op};
use std::sync::{Arc, RwLock};

/// One user-defined operator.
#[derive(Clone, Debug)]
pub struct CustomOp {
    pub name: String,
    pub arity: usize,
    /// Body over variables `vars[0..arity]`, the parameters in order.
    pub body: Formula,
}

static REGISTRY: RwLock<Vec<Arc<CustomOp>>> = RwLock::new(Vec::new());

/// Why an operator could not be registered.
#[derive(Clone, Debug, PartialEq)]
pub enum RegisterError {
    /// Arity must be 1, 2 or 3.
    BadArity(usize),
    /// The body uses a variable that is not a parameter.
    UnknownVariable(String),
    /// The name is a built-in operator.
    ShadowsBuiltin(String),
    /// Too many operators were registered (more than `u16::MAX`).
    Full,
}

/// Registers an operator named `name` with parameters `params` and body `body`. The body's
/// variables are renumbered to the parameter order.
pub fn register(name: &str, params: &[String], body: &Formula) -> Result<Op, RegisterError> {
    if !(1..=3).contains(&params.len()) {
        return Err(RegisterError::BadArity(params.len()));
    }
    if crate::op::BUILTIN_OPS.iter().any(|op| op.name() == name) {
        return Err(RegisterError::ShadowsBuiltin(name.to_string()));
    }
    for v in &body.vars {
        if !params.contains(v) {
            return Err(RegisterError::UnknownVariable(v.clone()));
        }
    }
    let body = body.with_vars(params);
    let mut reg = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
    let id = u16::try_from(reg.len()).map_err(|_| RegisterError::Full)?;
    reg.push(Arc::new(CustomOp { name: name.to_string(), arity: params.len(), body }));
    Ok(Op::Custom(id))
}

/// The definition of custom operator `id`.
pub fn get(id: u16) -> Arc<CustomOp> {
    let reg = REGISTRY.read().unwrap_or_else(|e| e.into_inner());
    reg[id as usize].clone()
}

/// Finds the newest custom operator called `name`.
pub fn lookup(name: &str) -> Option<Op> {
    let reg = REGISTRY.read().unwrap_or_else(|e| e.into_inner());
    reg.iter().rposition(|c| c.name == name).map(|i| Op::Custom(i as u16))
}

pub(crate) fn arity(id: u16) -> usize {
    get(id).arity
}

pub(crate) fn name(id: u16) -> String {
    get(id).name.clone()
}

pub(crate) fn apply(id: u16, args: &[f64]) -> f64 {
    get(id).body.eval_row(args)
}
