//! The IR: a checked program lowered to flat instruction lists (one [`Chunk`] per function
//! body plus one for the top level) that [`crate::exec`] runs on a value stack.
//!
//! Formula literals, models and operator sets are fully static, so lowering turns each into one
//! `Push` of a ready value: the executor never re-reads syntax. Local variables get numbered
//! slots; top-level `let`s are globals by name, so the REPL can redefine them.
//!
//! **Invariant:** lowering runs only on programs the checker accepted; it still never panics on
//! error nodes (they lower to a push of `nothing`).

use crate::diag::SourceId;
use crate::exec::value::Value;
use crate::formula::Op;
use crate::sema::opset;
use crate::sema::symbolic::{to_formula, to_model};
use crate::syntax::ast::*;
use std::collections::HashMap;
use std::rc::Rc;

/// One instruction.
#[derive(Clone, Debug)]
pub enum Instr {
    Push(Value),
    LoadLocal(u32),
    StoreLocal(u32),
    LoadGlobal(Rc<str>, Span),
    StoreGlobal(Rc<str>),
    /// Pops n values, pushes a list.
    List(u32),
    /// Pops one value per name, pushes a record.
    Record(Rc<[String]>),
    Field(Rc<str>, Span),
    Index(Span),
    Neg(Span),
    Not(Span),
    Binary(BinOp, Span),
    /// Pops the arguments (n = names.len()) and the callee below them; pushes the result.
    Call(Rc<[Option<String>]>, Span),
    Jump(u32),
    /// Pops a bool; jumps when it is false.
    JumpIfFalse(u32, Span),
    Pop,
    /// Pops n values and prints them on one line.
    Print(u32),
    /// Pops a table, pushes the rows where the formula is positive.
    Where(Rc<crate::formula::Formula>, Span),
    /// Pushes a new function value.
    MakeFn(Rc<FnProto>),
    /// Pops the values of the declaration's size expressions (in slot order) and pushes the
    /// graph-network declaration.
    GraphNet(Rc<crate::sema::graphnet::GraphNetTemplate>),
}

/// A straight-line instruction list with its number of local slots.
#[derive(Clone, Debug, Default)]
pub struct Chunk {
    pub code: Vec<Instr>,
    pub n_locals: u32,
    pub source: SourceId,
}

/// A compiled user function.
#[derive(Debug)]
pub struct FnProto {
    pub name: String,
    pub params: Vec<String>,
    /// Default-value chunks, evaluated at call time in the global environment.
    pub defaults: Vec<Option<Chunk>>,
    pub body: Chunk,
}

struct Lowerer {
    code: Vec<Instr>,
    scopes: Vec<HashMap<String, u32>>,
    n_locals: u32,
    /// False at the top level, where `let` defines globals.
    in_function: bool,
    source: SourceId,
}

/// Lowers a checked program. The chunk leaves the value of the last top-level expression
/// statement on the stack (or `nothing`), which the REPL echoes.
pub fn lower_program(prog: &Program, source: SourceId) -> Chunk {
    let mut l = Lowerer { code: vec![], scopes: vec![], n_locals: 0, in_function: false, source };
    let mut last_is_value = false;
    for (i, stmt) in prog.stmts.iter().enumerate() {
        let last = i + 1 == prog.stmts.len();
        last_is_value = l.stmt(stmt, last);
    }
    if !last_is_value {
        l.code.push(Instr::Push(Value::Nothing));
    }
    Chunk { code: l.code, n_locals: l.n_locals, source }
}

/// Lowers one expression on its own (for `:type`-like uses and default values).
pub fn lower_expr(e: &Expr, source: SourceId) -> Chunk {
    let mut l = Lowerer { code: vec![], scopes: vec![HashMap::new()], n_locals: 0, in_function: true, source };
    l.expr(e);
    Chunk { code: l.code, n_locals: l.n_locals, source }
}

impl Lowerer {
    fn here(&self) -> u32 {
        self.code.len() as u32
    }

    fn new_local(&mut self, name: &str) -> u32 {
        let slot = self.n_locals;
        self.n_locals += 1;
        if self.scopes.is_empty() {
            self.scopes.push(HashMap::new());
        }
        self.scopes.last_mut().expect("a scope exists").insert(name.to_string(), slot);
        slot
    }

    fn local(&self, name: &str) -> Option<u32> {
        self.scopes.iter().rev().find_map(|s| s.get(name).copied())
    }

    fn store(&mut self, name: &str) {
        if self.in_function || !self.scopes.is_empty() {
            let slot = self.new_local(name);
            self.code.push(Instr::StoreLocal(slot));
        } else {
            self.code.push(Instr::StoreGlobal(name.into()));
        }
    }

    /// Lowers a statement; returns true when it left a value on the stack (only for the last
    /// expression statement when `keep` is set).
    fn stmt(&mut self, stmt: &Stmt, keep: bool) -> bool {
        match &stmt.kind {
            StmtKind::Let { name, value, .. } => {
                self.expr(value);
                self.store(&name.name);
                false
            }
            StmtKind::Fn { name, params, body, .. } => {
                let proto = lower_fn(&name.name, params, body, self.source);
                self.code.push(Instr::MakeFn(Rc::new(proto)));
                self.store(&name.name);
                false
            }
            StmtKind::Op { name, .. } => {
                let v = Op::from_name(&name.name).map(Value::OpFn).unwrap_or(Value::Nothing);
                self.code.push(Instr::Push(v));
                self.store(&name.name);
                false
            }
            StmtKind::Print(args) => {
                for a in args {
                    self.expr(a);
                }
                self.code.push(Instr::Print(args.len() as u32));
                false
            }
            StmtKind::Expr(e) => {
                self.expr(e);
                if !keep {
                    self.code.push(Instr::Pop);
                }
                keep
            }
            StmtKind::Error => false,
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Num(n) => self.code.push(Instr::Push(Value::Num(*n))),
            ExprKind::Bool(b) => self.code.push(Instr::Push(Value::Bool(*b))),
            ExprKind::Str(s) => self.code.push(Instr::Push(Value::Str(s.as_str().into()))),
            ExprKind::Var(name) => match self.local(name) {
                Some(slot) => self.code.push(Instr::LoadLocal(slot)),
                None => self.code.push(Instr::LoadGlobal(name.as_str().into(), e.span.clone())),
            },
            ExprKind::List(items) => {
                for i in items {
                    self.expr(i);
                }
                self.code.push(Instr::List(items.len() as u32));
            }
            ExprKind::Record(fields) => {
                for (_, v) in fields {
                    self.expr(v);
                }
                self.code.push(Instr::Record(fields.iter().map(|(n, _)| n.name.clone()).collect()));
            }
            ExprKind::Field(base, field) => {
                self.expr(base);
                self.code.push(Instr::Field(field.name.as_str().into(), field.span.clone()));
            }
            ExprKind::Index(base, index) => {
                self.expr(base);
                self.expr(index);
                self.code.push(Instr::Index(e.span.clone()));
            }
            ExprKind::Call(callee, args) => self.call(callee, args, e.span.clone()),
            ExprKind::Unary(UnOp::Neg, a) => {
                self.expr(a);
                self.code.push(Instr::Neg(e.span.clone()));
            }
            ExprKind::Unary(UnOp::Not, a) => {
                self.expr(a);
                self.code.push(Instr::Not(e.span.clone()));
            }
            ExprKind::Binary(BinOp::And, a, b) => self.branch(a, |l| l.expr(b), |l| l.push(Value::Bool(false))),
            ExprKind::Binary(BinOp::Or, a, b) => self.branch(a, |l| l.push(Value::Bool(true)), |l| l.expr(b)),
            ExprKind::Binary(op, a, b) => {
                self.expr(a);
                self.expr(b);
                self.code.push(Instr::Binary(*op, e.span.clone()));
            }
            ExprKind::If(c, t, f) => self.branch(
                c,
                |l| l.expr(t),
                |l| match f {
                    Some(f) => l.expr(f),
                    None => l.push(Value::Nothing),
                },
            ),
            ExprKind::Block(stmts) => {
                self.scopes.push(HashMap::new());
                let mut has_value = false;
                for (i, s) in stmts.iter().enumerate() {
                    has_value = self.stmt(s, i + 1 == stmts.len());
                }
                if !has_value {
                    self.push(Value::Nothing);
                }
                self.scopes.pop();
            }
            ExprKind::Formula(body) => {
                let v = to_formula(body).map(|f| Value::Formula(Rc::new(f))).unwrap_or(Value::Nothing);
                self.push(v);
            }
            ExprKind::Model(a, b) => {
                let v = to_model(a, b).map(|m| Value::Model(Rc::new(m))).unwrap_or(Value::Nothing);
                self.push(v);
            }
            ExprKind::Where(t, cond) => {
                self.expr(t);
                let f = to_formula(cond).unwrap_or_else(|_| crate::formula::Formula::constant(f64::NAN));
                self.code.push(Instr::Where(Rc::new(f), e.span.clone()));
            }
            ExprKind::Operators(entries) => {
                let v = opset::build(entries, &e.span).map(|s| Value::OpSet(Rc::new(s))).unwrap_or(Value::Nothing);
                self.push(v);
            }
            ExprKind::GraphNet(entries) => match crate::sema::graphnet::build(entries, &e.span) {
                Ok(t) => {
                    for slot in &t.exprs {
                        self.expr(slot);
                    }
                    self.code.push(Instr::GraphNet(Rc::new(t)));
                }
                Err(_) => self.push(Value::Nothing),
            },
            ExprKind::Error => self.push(Value::Nothing),
        }
    }

    fn push(&mut self, v: Value) {
        self.code.push(Instr::Push(v));
    }

    /// `if cond { then } else { other }` shape used by `if`, `and` and `or`.
    fn branch(&mut self, cond: &Expr, then: impl FnOnce(&mut Self), other: impl FnOnce(&mut Self)) {
        self.expr(cond);
        let jf = self.here();
        self.code.push(Instr::JumpIfFalse(0, cond.span.clone()));
        then(self);
        let j = self.here();
        self.code.push(Instr::Jump(0));
        let else_at = self.here();
        other(self);
        let end = self.here();
        self.code[jf as usize] = Instr::JumpIfFalse(else_at, cond.span.clone());
        self.code[j as usize] = Instr::Jump(end);
    }

    fn call(&mut self, callee: &Expr, args: &[Arg], span: Span) {
        self.expr(callee);
        // `diff(f, r)`: a bare name in the variable position means the variable itself.
        let symbolic_var = matches!(&callee.kind, ExprKind::Var(n) if n == "diff" && self.local(n).is_none());
        for (i, a) in args.iter().enumerate() {
            let is_var_slot = a.name.as_ref().map(|n| n.name == "var").unwrap_or(i == 1);
            match (&a.value.kind, symbolic_var && is_var_slot) {
                (ExprKind::Var(v), true) => self.push(Value::Str(v.as_str().into())),
                _ => self.expr(&a.value),
            }
        }
        let names: Rc<[Option<String>]> = args.iter().map(|a| a.name.as_ref().map(|n| n.name.clone())).collect();
        self.code.push(Instr::Call(names, span));
    }
}

fn lower_fn(name: &str, params: &[Param], body: &Expr, source: SourceId) -> FnProto {
    let mut l = Lowerer { code: vec![], scopes: vec![HashMap::new()], n_locals: 0, in_function: true, source };
    for p in params {
        l.new_local(&p.name.name);
    }
    l.expr(body);
    FnProto {
        name: name.to_string(),
        params: params.iter().map(|p| p.name.name.clone()).collect(),
        defaults: params.iter().map(|p| p.default.as_ref().map(|d| lower_expr(d, source))).collect(),
        body: Chunk { code: l.code, n_locals: l.n_locals, source },
    }
}
