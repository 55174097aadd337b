//! User-defined operators (`op sq(x) = x * x` in sdl): a process-wide store of definitions and
//! per-owner name scopes.
//!
//! A custom operator is a name, an arity and a body formula whose variables are the operator's
//! parameters in order. Definitions are only ever appended to the store, so an `Op::Custom(id)`
//! stays valid for the life of the process and every crate can print, differentiate and evaluate
//! it. Names are not global: an [`OpScope`] (owned by whoever defines operators, e.g. one sdl
//! session) maps names to ids, so two owners in one process never see each other's operators,
//! and an owner forgets an operator by dropping it from its scope. Evaluators inline the body
//! (see `Formula::inline_custom`), so custom operators run at the speed of built-in ones.

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

/// Names of user-defined operators visible to one owner (an sdl session), on top of the
/// built-in operators.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OpScope {
    names: Vec<(String, Op)>,
}

impl OpScope {
    /// An empty scope: only built-in operators resolve.
    pub fn new() -> OpScope {
        OpScope::default()
    }

    /// Makes `name` mean `op` from now on (a redefinition replaces the older meaning).
    pub fn define(&mut self, name: &str, op: Op) {
        self.names.retain(|(n, _)| n != name);
        self.names.push((name.to_string(), op));
    }

    /// The operator `name` means here: a built-in, else a user operator of this scope.
    pub fn resolve(&self, name: &str) -> Option<Op> {
        Op::from_name(name).or_else(|| self.user(name))
    }

    /// The user operator called `name` in this scope.
    pub fn user(&self, name: &str) -> Option<Op> {
        self.names.iter().rev().find(|(n, _)| n == name).map(|(_, op)| *op)
    }

    /// The user operators' names, in definition order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|(n, _)| n.as_str())
    }
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
