//! The IR: a checked program ([`crate::tree`]) lowered to flat instruction lists (one
//! [`Chunk`] per function body and default value, plus one for the top level) that
//! [`crate::exec`] runs on a value stack. [`print_chunk`] shows it (`:ir EXPR` in the REPL).
//!
//! Lowering reads only the checked tree: names arrive resolved (local slot, captured slot,
//! global, built-in, operator), built-in calls arrive bound (one value per parameter, defaults
//! filled in), literals arrive converted, so each becomes one `Push` of a ready value. A
//! function becomes a prototype; `MakeClosure` pairs it with the values it captures.
//!
//! **Invariant:** lowering runs only on programs the checker accepted and never fails.

use crate::builtins::Builtin;
use crate::diag::SourceId;
use crate::domain::graphnet::GraphNetTemplate;
use crate::domain::CompiledFormula;
use crate::exec::value::Value;
use crate::formula::Op;
use crate::syntax::ast::{BinOp, Span, UnOp};
use crate::tree::{self, Capture, Kind, Lit, Name, Target};
use std::fmt::Write as _;
use std::rc::Rc;

/// One instruction.
#[derive(Clone, Debug)]
pub enum Instr {
    Push(Value),
    LoadLocal(u32),
    StoreLocal(u32),
    /// The i-th value the running closure captured.
    LoadCapture(u32),
    /// The running closure itself.
    LoadSelf,
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
    /// Pops one value per parameter of the built-in, then one per named option; pushes the
    /// result.
    CallBuiltin(Builtin, Rc<[String]>, Span),
    /// Pops n arguments (`Value::Absent` where the default applies) and the callee below them.
    CallFn(u32, Span),
    /// Pops the operator's arguments; applies it to numbers or formulas.
    CallOp(Op, u32, Span),
    /// Pops the arguments (n = names.len()) and the callee below them; binds by name.
    CallDynamic(Rc<[Option<String>]>, Span),
    Jump(u32),
    /// Pops a bool; jumps when it is false.
    JumpIfFalse(u32, Span),
    Pop,
    /// Pops n values and prints them on one line.
    Print(u32),
    /// Pops a table (or graphs), pushes the rows where the formula is positive.
    Where(Rc<CompiledFormula>, Span),
    /// Pops a table, pushes the formula's value on every row (`eval(formula { ... }, t)`).
    EvalCompiled(Rc<CompiledFormula>, Span),
    /// Pops a column name and a table, pushes the table with the formula's values as that
    /// column (`with_column(t, "name", formula { ... })`).
    WithColumnCompiled(Rc<CompiledFormula>, Span),
    /// Pops the captured values, pushes a closure of the prototype.
    MakeClosure(Rc<FnProto>),
    /// Pops the values of the declaration's computed sizes (in slot order) and pushes the
    /// graph-network declaration.
    GraphNet(Rc<GraphNetTemplate>, Span),
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
    /// Default-value chunks, run in the function's frame when an argument is left out.
    pub defaults: Vec<Option<Chunk>>,
    pub body: Chunk,
    /// How many values a closure of this function captures.
    pub n_captures: u32,
}

struct Lowerer {
    code: Vec<Instr>,
}

/// Lowers a checked program. The chunk leaves the value of the last top-level expression
/// statement on the stack (or `nothing`), which the REPL echoes.
pub fn lower_program(prog: &tree::Program) -> Chunk {
    let mut l = Lowerer { code: vec![] };
    let mut last_is_value = false;
    for (i, stmt) in prog.stmts.iter().enumerate() {
        last_is_value = l.stmt(stmt, i + 1 == prog.stmts.len());
    }
    if !last_is_value {
        l.push(Value::Nothing);
    }
    Chunk { code: l.code, n_locals: prog.n_locals, source: prog.source }
}

fn lower_expr(e: &tree::Expr, n_locals: u32, source: SourceId) -> Chunk {
    let mut l = Lowerer { code: vec![] };
    l.expr(e);
    Chunk { code: l.code, n_locals, source }
}

fn lower_fn(f: &tree::Function) -> FnProto {
    FnProto {
        name: f.name.clone(),
        params: f.params.clone(),
        defaults: f.defaults.iter().map(|d| d.as_ref().map(|d| lower_expr(d, f.n_locals, f.source))).collect(),
        body: lower_expr(&f.body, f.n_locals, f.source),
        n_captures: f.captures.len() as u32,
    }
}

impl Lowerer {
    fn here(&self) -> u32 {
        self.code.len() as u32
    }

    fn push(&mut self, v: Value) {
        self.code.push(Instr::Push(v));
    }

    fn store(&mut self, target: &Target) {
        self.code.push(match target {
            Target::Global(name) => Instr::StoreGlobal(name.clone()),
            Target::Local(slot) => Instr::StoreLocal(*slot),
        });
    }

    /// Lowers a statement; returns true when it left a value on the stack (only for the last
    /// expression statement when `keep` is set).
    fn stmt(&mut self, stmt: &tree::Stmt, keep: bool) -> bool {
        match stmt {
            tree::Stmt::Let { target, value } => {
                self.expr(value);
                self.store(target);
                false
            }
            tree::Stmt::Fn { target, func } => {
                for c in &func.captures {
                    self.code.push(match c {
                        Capture::Local(s) => Instr::LoadLocal(*s),
                        Capture::Outer(i) => Instr::LoadCapture(*i),
                        Capture::SelfFn => Instr::LoadSelf,
                    });
                }
                self.code.push(Instr::MakeClosure(Rc::new(lower_fn(func))));
                self.store(target);
                false
            }
            tree::Stmt::Op { target, op, .. } => {
                self.push(Value::OpFn(*op));
                self.store(target);
                false
            }
            tree::Stmt::Print(args) => {
                for a in args {
                    self.expr(a);
                }
                self.code.push(Instr::Print(args.len() as u32));
                false
            }
            tree::Stmt::Expr(e) => {
                self.expr(e);
                if !keep {
                    self.code.push(Instr::Pop);
                }
                keep
            }
        }
    }

    fn expr(&mut self, e: &tree::Expr) {
        let span = e.span.clone();
        match &e.kind {
            Kind::Lit(lit) => self.push(lit_value(lit)),
            Kind::Name(name) => self.name(name, span),
            Kind::List(items) => {
                for i in items {
                    self.expr(i);
                }
                self.code.push(Instr::List(items.len() as u32));
            }
            Kind::Record(fields) => {
                for (_, v) in fields {
                    self.expr(v);
                }
                self.code.push(Instr::Record(fields.iter().map(|(n, _)| n.clone()).collect()));
            }
            Kind::Field(base, name, fspan) => {
                self.expr(base);
                self.code.push(Instr::Field(name.as_str().into(), fspan.clone()));
            }
            Kind::Index(base, index) => {
                self.expr(base);
                self.expr(index);
                self.code.push(Instr::Index(span));
            }
            Kind::Unary(op, a) => {
                self.expr(a);
                self.code.push(match op {
                    UnOp::Neg => Instr::Neg(span),
                    UnOp::Not => Instr::Not(span),
                });
            }
            Kind::Binary(op, a, b) => {
                self.expr(a);
                self.expr(b);
                self.code.push(Instr::Binary(*op, span));
            }
            Kind::Logic(BinOp::And, a, b) => self.branch(a, |l| l.expr(b), |l| l.push(Value::Bool(false))),
            Kind::Logic(_, a, b) => self.branch(a, |l| l.push(Value::Bool(true)), |l| l.expr(b)),
            Kind::If(c, t, f) => self.branch(
                c,
                |l| l.expr(t),
                |l| match f {
                    Some(f) => l.expr(f),
                    None => l.push(Value::Nothing),
                },
            ),
            Kind::Block(stmts, value) => {
                for s in stmts {
                    self.stmt(s, false);
                }
                match value {
                    Some(v) => self.expr(v),
                    None => self.push(Value::Nothing),
                }
            }
            // A formula literal evaluated on a table: specialised once, here.
            Kind::CallBuiltin { builtin: Builtin::Eval, args, named }
                if named.is_empty() && is_table_formula(&args[1], &args[0]) =>
            {
                if let Kind::Lit(Lit::Formula(f, _)) = &args[0].kind {
                    self.expr(&args[1]);
                    self.code.push(Instr::EvalCompiled(Rc::new(CompiledFormula::new(f)), span));
                }
            }
            Kind::CallBuiltin { builtin: Builtin::WithColumn, args, .. } if is_table_formula(&args[0], &args[2]) => {
                if let Kind::Lit(Lit::Formula(f, _)) = &args[2].kind {
                    self.expr(&args[0]);
                    self.expr(&args[1]);
                    self.code.push(Instr::WithColumnCompiled(Rc::new(CompiledFormula::new(f)), span));
                }
            }
            Kind::CallBuiltin { builtin, args, named } => {
                for a in args.iter().chain(named.iter().map(|(_, x)| x)) {
                    self.expr(a);
                }
                let names: Rc<[String]> = named.iter().map(|(n, _)| n.clone()).collect();
                self.code.push(Instr::CallBuiltin(*builtin, names, span));
            }
            Kind::CallFn { callee, args } => {
                self.expr(callee);
                for a in args {
                    match a {
                        Some(a) => self.expr(a),
                        None => self.push(Value::Absent),
                    }
                }
                self.code.push(Instr::CallFn(args.len() as u32, span));
            }
            Kind::CallOp { op, args } => {
                for a in args {
                    self.expr(a);
                }
                self.code.push(Instr::CallOp(*op, args.len() as u32, span));
            }
            Kind::CallDynamic { callee, args } => {
                self.expr(callee);
                for (_, a) in args {
                    self.expr(a);
                }
                let names: Rc<[Option<String>]> = args.iter().map(|(n, _)| n.clone()).collect();
                self.code.push(Instr::CallDynamic(names, span));
            }
            Kind::Where(t, cond) => {
                self.expr(t);
                self.code.push(Instr::Where(Rc::new(CompiledFormula::new(cond)), span));
            }
            Kind::GraphNet(template, sizes) => {
                for s in sizes {
                    self.expr(s);
                }
                self.code.push(Instr::GraphNet(template.clone(), span));
            }
            Kind::Error => self.push(Value::Nothing),
        }
    }

    fn name(&mut self, name: &Name, span: Span) {
        self.code.push(match name {
            Name::Local(slot) => Instr::LoadLocal(*slot),
            Name::Captured(i) => Instr::LoadCapture(*i),
            Name::SelfFn => Instr::LoadSelf,
            Name::Global(n) => Instr::LoadGlobal(n.clone(), span),
            Name::Builtin(b) => Instr::Push(Value::Builtin(*b)),
            Name::Op(op) => Instr::Push(Value::OpFn(*op)),
            Name::Const(v) => Instr::Push(Value::Num(*v)),
        });
    }

    /// `if cond { then } else { other }` shape used by `if`, `and` and `or`.
    fn branch(&mut self, cond: &tree::Expr, then: impl FnOnce(&mut Self), other: impl FnOnce(&mut Self)) {
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
}

/// A table argument and a formula literal to evaluate on it.
fn is_table_formula(table: &tree::Expr, formula: &tree::Expr) -> bool {
    matches!(formula.kind, Kind::Lit(Lit::Formula(..))) && matches!(table.ty, crate::types::Type::Table(_))
}

fn lit_value(lit: &Lit) -> Value {
    match lit {
        Lit::Num(n) => Value::Num(*n),
        Lit::Bool(b) => Value::Bool(*b),
        Lit::Str(s) => Value::Str(s.clone()),
        Lit::Nothing => Value::Nothing,
        Lit::Formula(f, _) => Value::Formula(f.clone()),
        Lit::Model(m) => Value::Model(m.clone()),
        Lit::OpSet(s) => Value::OpSet(s.clone()),
    }
}

/// The chunk as text, one instruction a line, with the chunks of the functions it creates
/// after it (`:ir` shows this; the lowering snapshots compare it).
pub fn print_chunk(chunk: &Chunk) -> String {
    let mut out = String::new();
    write_chunk(&mut out, "main", chunk);
    out
}

fn write_chunk(out: &mut String, name: &str, chunk: &Chunk) {
    let _ = writeln!(out, "{name}: locals {}", chunk.n_locals);
    let mut protos = Vec::new();
    for (i, ins) in chunk.code.iter().enumerate() {
        let _ = writeln!(out, "  {i:>3}  {}", instr_text(ins));
        if let Instr::MakeClosure(p) = ins {
            protos.push(p.clone());
        }
    }
    for p in protos {
        for (param, d) in p.params.iter().zip(&p.defaults) {
            if let Some(d) = d {
                write_chunk(out, &format!("fn {} default {param}", p.name), d);
            }
        }
        write_chunk(out, &format!("fn {}({}) captures {}", p.name, p.params.join(", "), p.n_captures), &p.body);
    }
}

fn instr_text(ins: &Instr) -> String {
    match ins {
        Instr::Push(v) => format!("push {}", value_text(v)),
        Instr::LoadLocal(s) => format!("load local {s}"),
        Instr::StoreLocal(s) => format!("store local {s}"),
        Instr::LoadCapture(i) => format!("load capture {i}"),
        Instr::LoadSelf => "load self".into(),
        Instr::LoadGlobal(n, _) => format!("load global {n}"),
        Instr::StoreGlobal(n) => format!("store global {n}"),
        Instr::List(n) => format!("list {n}"),
        Instr::Record(names) => format!("record {}", names.join(" ")),
        Instr::Field(n, _) => format!("field {n}"),
        Instr::Index(_) => "index".into(),
        Instr::Neg(_) => "neg".into(),
        Instr::Not(_) => "not".into(),
        Instr::Binary(op, _) => format!("binary {}", op.symbol()),
        Instr::CallBuiltin(b, named, _) if named.is_empty() => format!("call {}/{}", b.name(), b.spec().params.len()),
        Instr::CallBuiltin(b, named, _) => {
            format!(
                "call {}/{} {}",
                b.name(),
                b.spec().params.len(),
                named.iter().map(|n| format!("{n}:")).collect::<String>()
            )
        }
        Instr::CallFn(n, _) => format!("call fn/{n}"),
        Instr::CallOp(op, n, _) => format!("apply {}/{n}", op.name()),
        Instr::CallDynamic(names, _) => format!(
            "call dynamic/{}{}",
            names.len(),
            names.iter().flatten().map(|n| format!(" {n}:")).collect::<String>()
        ),
        Instr::Jump(t) => format!("jump {t}"),
        Instr::JumpIfFalse(t, _) => format!("jump-if-false {t}"),
        Instr::Pop => "pop".into(),
        Instr::Print(n) => format!("print {n}"),
        Instr::Where(f, _) => format!("where {{ {} }} compiled over {}", f.formula, f.vars.join(" ")),
        Instr::EvalCompiled(f, _) => format!("eval {{ {} }} compiled over {}", f.formula, f.vars.join(" ")),
        Instr::WithColumnCompiled(f, _) => {
            format!("with_column {{ {} }} compiled over {}", f.formula, f.vars.join(" "))
        }
        Instr::MakeClosure(p) => format!("closure {} captures {}", p.name, p.n_captures),
        Instr::GraphNet(t, _) => format!("graphnet sizes {}", t.n_slots),
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Str(s) => format!("{s:?}"),
        Value::Formula(f) => format!("formula {{ {f} }}"),
        Value::Model(m) => format!("model {} ~ {}", m.target, m.outer),
        Value::OpSet(_) => "operators {...}".into(),
        Value::Builtin(b) => format!("builtin {}", b.name()),
        Value::OpFn(op) => format!("op {}", op.name()),
        Value::Absent => "absent".into(),
        other => other.to_string(),
    }
}
