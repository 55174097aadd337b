//! The checker: resolves every name and infers a static type for every expression, reporting
//! every independent problem with a span, and produces the checked tree ([`crate::tree`]) that
//! lowering reads.
//!
//! Names resolve lexically, once: a local slot of the running frame, a variable captured from
//! an enclosing function (closures capture by value when they are created), a global, a
//! built-in, an operator or a constant. User functions are checked once where they are defined
//! (that check produces their tree) and their result type is inferred again at each call site
//! from the argument types, in the environment of the definition (cached per argument types),
//! so `fn twice(f) = f * 2` works for numbers and formulas alike and a wrong use is reported
//! where it happens. Recursion stops at the declared return type or `?`. Each expression is
//! checked once, so checking time is linear in the program's size.

use super::opset;
use super::symbolic::{node_spans, to_formula, to_model};
use crate::builtins::{self, Builtin, MATH_FUNCTIONS};
use crate::diag::{did_you_mean, help_suggesting, Code, Diagnostic, SourceId};
use crate::domain::{sim_columns, unknown_column};
use crate::formula::custom::OpScope;
use crate::formula::Op;
use crate::syntax::ast::{self, Arg, BinOp, ExprKind, Ident, Param, Span, StmtKind, TypeExpr, UnOp};
use crate::tree::{self, Capture, Function, Kind, Lit, Name, Target};
use crate::types::{TableInfo, Type};
use std::collections::HashMap;
use std::rc::Rc;

mod builtin_types;
mod network_types;
mod picture_types;
mod units;

/// A user function as written, kept for per-call-site typing.
#[derive(Clone, Debug)]
pub struct FnDef {
    pub name: String,
    pub params: Vec<Param>,
    pub ret: Option<Type>,
    pub body: ast::Expr,
    pub source: SourceId,
    /// The frames visible where the function was defined (types and slots).
    env: Vec<Frame>,
}

/// One function activation's names: block scopes of local slots, and captured variables.
#[derive(Clone, Debug, Default)]
struct Frame {
    scopes: Vec<HashMap<String, (Type, u32)>>,
    n_locals: u32,
    /// Captured names, where each comes from in the enclosing frame, and its type.
    captures: Vec<(String, Capture, Type)>,
    /// The function this frame runs (for recursion), with its type.
    self_fn: Option<(String, Type)>,
}

impl Frame {
    fn find(&self, name: &str) -> Option<(Type, u32)> {
        self.scopes.iter().rev().find_map(|s| s.get(name).cloned())
    }
}

/// How a name was found in the frames.
enum Found {
    Slot(u32),
    Captured(u32),
    SelfFn,
}

/// Name resolution and type inference over programs; keeps the global environment between
/// inputs (the REPL checks each line against what came before).
#[derive(Clone, Debug)]
pub struct Checker {
    globals: HashMap<String, Type>,
    fns: Vec<FnDef>,
    cache: HashMap<(usize, String), Type>,
    in_progress: Vec<(usize, String)>,
    frames: Vec<Frame>,
    /// The user operators this environment defines.
    pub ops: OpScope,
    diags: Vec<Diagnostic>,
    source: SourceId,
}

impl Default for Checker {
    fn default() -> Checker {
        Checker {
            globals: HashMap::new(),
            fns: Vec::new(),
            cache: HashMap::new(),
            in_progress: Vec::new(),
            frames: vec![Frame::default()],
            ops: OpScope::new(),
            diags: Vec::new(),
            source: 0,
        }
    }
}

impl Checker {
    pub fn new() -> Checker {
        Checker::default()
    }

    /// Checks a program from source `source`, returning its checked tree and every diagnostic.
    /// The caller commits the checker (keeps this value) only when there are none, so a failed
    /// REPL input defines nothing — no global, no function, no operator.
    pub fn check_program(&mut self, prog: &ast::Program, source: SourceId) -> (tree::Program, Vec<Diagnostic>) {
        self.source = source;
        self.diags.clear();
        self.frames = vec![Frame::default()];
        let stmts = prog.stmts.iter().filter_map(|s| self.stmt(s).map(|(s, _)| s)).collect();
        let n_locals = self.frames[0].n_locals;
        let diags = dedup(std::mem::take(&mut self.diags));
        (tree::Program { stmts, n_locals, source }, diags)
    }

    /// One expression checked in the current global environment (`:type`, `:ir`).
    pub fn check_expr(&mut self, e: &ast::Expr, source: SourceId) -> (tree::Program, Vec<Diagnostic>) {
        self.source = source;
        self.diags.clear();
        self.frames = vec![Frame::default()];
        let x = self.expr(e);
        let n_locals = self.frames[0].n_locals;
        let diags = dedup(std::mem::take(&mut self.diags));
        (tree::Program { stmts: vec![tree::Stmt::Expr(x)], n_locals, source }, diags)
    }

    /// The type a global name has now.
    pub fn global_type(&self, name: &str) -> Option<&Type> {
        self.globals.get(name)
    }

    /// Declares a global bound by the host (the embedding API).
    pub fn declare_global(&mut self, name: &str, t: Type) {
        self.globals.insert(name.to_string(), t);
    }

    /// Every name visible at the top level (for completion).
    pub fn visible_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.globals.keys().cloned().collect();
        names.extend(builtins::ALL.iter().map(|b| b.name().to_string()));
        names.extend(MATH_FUNCTIONS.iter().map(|s| s.to_string()));
        names.extend(self.ops.names().map(|s| s.to_string()));
        names.sort();
        names.dedup();
        names
    }

    fn err(&mut self, d: Diagnostic) {
        self.diags.push(d.in_source(self.source));
    }

    fn errs(&mut self, ds: Vec<Diagnostic>) {
        for d in ds {
            self.err(d);
        }
    }

    fn frame(&mut self) -> &mut Frame {
        self.frames.last_mut().expect("the checker always has a frame")
    }

    /// True at the top level of a program, where `let` defines globals.
    fn at_top(&self) -> bool {
        self.frames.len() == 1 && self.frames[0].scopes.is_empty()
    }

    /// Binds `name` in the innermost scope (or as a global at the top level).
    fn bind(&mut self, name: &str, t: Type) -> Target {
        if self.at_top() {
            self.globals.insert(name.to_string(), t);
            return Target::Global(name.into());
        }
        let frame = self.frame();
        let slot = frame.n_locals;
        frame.n_locals += 1;
        if frame.scopes.is_empty() {
            frame.scopes.push(HashMap::new());
        }
        frame.scopes.last_mut().expect("a scope").insert(name.to_string(), (t, slot));
        Target::Local(slot)
    }

    /// Finds `name` in frame `fi` or below it, capturing it into every frame above.
    fn find_in_frames(&mut self, name: &str, fi: usize) -> Option<(Found, Type)> {
        let frame = &self.frames[fi];
        let here = if let Some((t, slot)) = frame.find(name) {
            Some((Found::Slot(slot), t))
        } else if let Some(i) = frame.captures.iter().position(|(n, _, _)| n == name) {
            Some((Found::Captured(i as u32), frame.captures[i].2.clone()))
        } else if frame.self_fn.as_ref().is_some_and(|(n, _)| n == name) {
            Some((Found::SelfFn, frame.self_fn.as_ref().map(|(_, t)| t.clone()).unwrap_or(Type::Unknown)))
        } else {
            None
        };
        if here.is_some() || fi == 0 {
            return here;
        }
        let (found, t) = self.find_in_frames(name, fi - 1)?;
        let from = match found {
            Found::Slot(s) => Capture::Local(s),
            Found::Captured(i) => Capture::Outer(i),
            Found::SelfFn => Capture::SelfFn,
        };
        let captures = &mut self.frames[fi].captures;
        captures.push((name.to_string(), from, t.clone()));
        Some((Found::Captured(captures.len() as u32 - 1), t))
    }

    /// Resolves a name: locals and captures, globals, built-ins, operators, constants.
    fn resolve(&mut self, name: &str) -> Option<(Name, Type)> {
        let top = self.frames.len() - 1;
        if let Some((found, t)) = self.find_in_frames(name, top) {
            return Some((
                match found {
                    Found::Slot(s) => Name::Local(s),
                    Found::Captured(i) => Name::Captured(i),
                    Found::SelfFn => Name::SelfFn,
                },
                t,
            ));
        }
        if let Some(t) = self.globals.get(name) {
            return Some((Name::Global(name.into()), t.clone()));
        }
        if let Some(b) = builtins::lookup(name) {
            return Some((Name::Builtin(b), Type::Builtin(b)));
        }
        if let Some(op) = self.ops.user(name) {
            return Some((Name::Op(op), Type::OpFn(name.to_string())));
        }
        if MATH_FUNCTIONS.contains(&name) {
            if let Some(op) = Op::from_name(name) {
                return Some((Name::Op(op), Type::OpFn(name.to_string())));
            }
        }
        if name == "pi" {
            return Some((Name::Const(std::f64::consts::PI), Type::Num));
        }
        None
    }

    /// Checks a statement; returns it and, for an expression statement, its type.
    fn stmt(&mut self, stmt: &ast::Stmt) -> Option<(tree::Stmt, Option<Type>)> {
        Some(match &stmt.kind {
            StmtKind::Let { name, ty, value } => {
                let v = self.expr(value);
                let t = match ty.as_ref().and_then(|te| self.written_type(te)) {
                    Some(want) => {
                        if !v.ty.fits(&want) {
                            self.err(mismatch(
                                &want,
                                &v.ty,
                                value.span.clone(),
                                &format!("`{}` is declared {want}", name.name),
                            ));
                        }
                        want
                    }
                    None => v.ty.clone(),
                };
                (tree::Stmt::Let { target: self.bind(&name.name, t), value: v }, None)
            }
            StmtKind::Fn { name, params, ret, body } => (self.define_fn(name, params, ret.as_ref(), body), None),
            StmtKind::Op { name, params, body } => (self.define_op(name, params, body)?, None),
            StmtKind::Print(args) => (tree::Stmt::Print(args.iter().map(|a| self.expr(a)).collect()), None),
            StmtKind::Expr(e) => {
                let x = self.expr(e);
                let t = x.ty.clone();
                (tree::Stmt::Expr(x), Some(t))
            }
            StmtKind::Error => return None,
        })
    }

    fn written_type(&mut self, te: &TypeExpr) -> Option<Type> {
        let arg = te.arg.as_ref().and_then(|a| self.written_type(a));
        match Type::from_name(&te.name.name, arg) {
            Some(t) => Some(t),
            None => {
                let known = ["num", "bool", "str", "list", "formula", "table", "opset", "model", "record", "any"];
                let help = match did_you_mean(&te.name.name, known) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("types: {}", known.join(", ")),
                };
                self.err(
                    Diagnostic::new(Code::UnknownType, format!("unknown type `{}`", te.name.name), te.span.clone())
                        .with_label("not a type")
                        .with_help(help),
                );
                None
            }
        }
    }

    fn check_duplicate_params<'a>(&mut self, names: impl Iterator<Item = &'a Ident>) {
        let mut seen: Vec<&str> = Vec::new();
        for p in names {
            if seen.contains(&p.name.as_str()) {
                self.err(
                    Diagnostic::new(
                        Code::DuplicateParam,
                        format!("parameter `{}` is declared twice", p.name),
                        p.span.clone(),
                    )
                    .with_label("second declaration")
                    .with_help("give each parameter its own name"),
                );
            }
            seen.push(&p.name);
        }
    }

    fn define_fn(&mut self, name: &Ident, params: &[Param], ret: Option<&TypeExpr>, body: &ast::Expr) -> tree::Stmt {
        self.check_duplicate_params(params.iter().map(|p| &p.name));
        let ret = ret.and_then(|r| self.written_type(r));
        let id = self.fns.len();
        let fn_type = Type::UserFn(id);
        self.fns.push(FnDef {
            name: name.name.clone(),
            params: params.to_vec(),
            ret: ret.clone(),
            body: body.clone(),
            source: self.source,
            env: Vec::new(),
        });
        let target = self.bind(&name.name, fn_type.clone());
        // The frames a call site re-checks the body in: those of the definition, which now
        // include the function's own name.
        self.fns[id].env = self.frames.clone();
        let declared: Vec<Type> =
            params.iter().map(|p| p.ty.as_ref().and_then(|t| self.written_type(t)).unwrap_or(Type::Unknown)).collect();
        self.frames.push(Frame {
            scopes: vec![HashMap::new()],
            self_fn: Some((name.name.clone(), fn_type)),
            ..Frame::default()
        });
        for (p, t) in params.iter().zip(&declared) {
            self.bind(&p.name.name, t.clone());
        }
        let defaults: Vec<Option<tree::Expr>> = params
            .iter()
            .zip(&declared)
            .map(|(p, want)| {
                p.default.as_ref().map(|d| {
                    let x = self.expr(d);
                    if !x.ty.fits(want) {
                        self.err(mismatch(want, &x.ty, d.span.clone(), "default value of the wrong type"));
                    }
                    x
                })
            })
            .collect();
        let body_tree = self.expr(body);
        let frame = self.frames.pop().expect("pushed above");
        if let Some(r) = &ret {
            if !body_tree.ty.fits(r) {
                self.err(mismatch(
                    r,
                    &body_tree.ty,
                    body.span.clone(),
                    &format!("`{}` is declared to return {r}", name.name),
                ));
            }
        }
        let func = Function {
            name: name.name.clone(),
            params: params.iter().map(|p| p.name.name.clone()).collect(),
            defaults,
            body: body_tree,
            n_locals: frame.n_locals,
            captures: frame.captures.iter().map(|(_, c, _)| *c).collect(),
            source: self.source,
        };
        tree::Stmt::Fn { target, func: Rc::new(func) }
    }

    fn define_op(&mut self, name: &Ident, params: &[Ident], body: &ast::Expr) -> Option<tree::Stmt> {
        use crate::formula::custom::RegisterError;
        self.check_duplicate_params(params.iter());
        let f = match to_formula(body, &self.ops) {
            Ok(f) => f,
            Err(ds) => {
                self.errs(ds);
                return None;
            }
        };
        let names: Vec<String> = params.iter().map(|p| p.name.clone()).collect();
        // The definition goes to the process-wide store (ids are never reused); the name goes
        // only into this checker's scope, which the session keeps only if the input has no error.
        match crate::formula::custom::register(&name.name, &names, &f) {
            Ok(op) => {
                self.ops.define(&name.name, op);
                let target = self.bind(&name.name, Type::OpFn(name.name.clone()));
                Some(tree::Stmt::Op { target, name: name.name.clone(), op })
            }
            Err(e) => {
                let (code, msg, help) = match e {
                    RegisterError::BadArity(n) => (
                        Code::OperatorArity,
                        format!("an operator takes 1 to 3 arguments, not {n}"),
                        "change the parameter list".to_string(),
                    ),
                    RegisterError::UnknownVariable(v) => (
                        Code::UnknownName,
                        format!("the body uses `{v}`, which is not a parameter"),
                        format!("add `{v}` to the parameters of `{}`", name.name),
                    ),
                    RegisterError::ShadowsBuiltin(n) => (
                        Code::UnknownOperator,
                        format!("`{n}` is a built-in operator"),
                        "choose another name".to_string(),
                    ),
                    RegisterError::Full => (
                        Code::UnknownOperator,
                        "too many operators defined".to_string(),
                        "restart the session".to_string(),
                    ),
                };
                self.err(Diagnostic::new(code, msg, name.span.clone()).with_label("in this operator").with_help(help));
                None
            }
        }
    }

    fn expr(&mut self, e: &ast::Expr) -> tree::Expr {
        let span = e.span.clone();
        let (kind, ty) = match &e.kind {
            ExprKind::Num(n) => (Kind::Lit(Lit::Num(*n)), Type::Num),
            ExprKind::Bool(b) => (Kind::Lit(Lit::Bool(*b)), Type::Bool),
            ExprKind::Str(s) => (Kind::Lit(Lit::Str(s.as_str().into())), Type::Str),
            ExprKind::Var(name) => match self.resolve(name) {
                Some((Name::Const(v), t)) => (Kind::Lit(Lit::Num(v)), t),
                Some((n, t)) => (Kind::Name(n), t),
                None => {
                    self.unknown_name(name, span.clone());
                    (Kind::Error, Type::Unknown)
                }
            },
            ExprKind::List(items) => self.list(items),
            ExprKind::Record(fields) => {
                let mut out: Vec<(String, tree::Expr)> = Vec::new();
                for (name, value) in fields {
                    let x = self.expr(value);
                    out.retain(|(n, _)| *n != name.name);
                    out.push((name.name.clone(), x));
                }
                let t = Type::Record(out.iter().map(|(n, x)| (n.clone(), x.ty.clone())).collect());
                (Kind::Record(out), t)
            }
            ExprKind::Field(base, field) => {
                let b = self.expr(base);
                let t = self.field(&b.ty, field);
                (Kind::Field(Box::new(b), field.name.clone(), field.span.clone()), t)
            }
            ExprKind::Index(base, index) => self.index(base, index),
            ExprKind::Call(callee, args) => return self.call(callee, args, span),
            ExprKind::Unary(op, a) => self.unary(*op, a),
            ExprKind::Binary(op, a, b) => {
                let xa = self.expr(a);
                let xb = self.expr(b);
                let t = self.binary(*op, &xa.ty, &xb.ty, e);
                let kind = match op {
                    BinOp::And | BinOp::Or => Kind::Logic(*op, Box::new(xa), Box::new(xb)),
                    _ => Kind::Binary(*op, Box::new(xa), Box::new(xb)),
                };
                (kind, t)
            }
            ExprKind::If(c, t, f) => self.if_expr(c, t, f.as_deref()),
            ExprKind::Block(stmts) => self.block(stmts),
            ExprKind::Formula(body) => match to_formula(body, &self.ops) {
                Ok(f) => {
                    let t = Type::Formula(Some(f.used_vars()));
                    (Kind::Lit(Lit::Formula(Rc::new(f), node_spans(body).into())), t)
                }
                Err(ds) => {
                    self.errs(ds);
                    (Kind::Error, Type::Formula(None))
                }
            },
            ExprKind::Model(l, r) => match to_model(l, r, &self.ops) {
                Ok(m) => (Kind::Lit(Lit::Model(Rc::new(m))), Type::Model),
                Err(ds) => {
                    self.errs(ds);
                    (Kind::Error, Type::Model)
                }
            },
            ExprKind::Where(t, cond) => self.where_expr(t, cond),
            ExprKind::Operators(entries) => match opset::build(entries, &e.span, &self.ops) {
                Ok(s) => (Kind::Lit(Lit::OpSet(Rc::new(s))), Type::OpSet),
                Err(ds) => {
                    self.errs(ds);
                    (Kind::Error, Type::OpSet)
                }
            },
            ExprKind::GraphNet(entries) => self.graphnet(entries, &e.span),
            ExprKind::Error => (Kind::Error, Type::Unknown),
        };
        tree::Expr::new(kind, ty, span)
    }

    fn index(&mut self, base: &ast::Expr, index: &ast::Expr) -> (Kind, Type) {
        if let ExprKind::Num(v) = &base.kind {
            return self.unit_literal(*v, index);
        }
        let b = self.expr(base);
        let i = self.expr(index);
        if !i.ty.fits(&Type::Num) {
            self.err(mismatch(&Type::Num, &i.ty, index.span.clone(), "list indices are numbers"));
        }
        let t = match &b.ty {
            Type::List(elem) => (**elem).clone(),
            Type::Unknown => Type::Unknown,
            other => {
                self.err(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        format!("cannot index a value of type {other}"),
                        base.span.clone(),
                    )
                    .with_label(format!("this is {other}"))
                    .with_help("only lists can be indexed; use `t.column` for a table column"),
                );
                Type::Unknown
            }
        };
        (Kind::Index(Box::new(b), Box::new(i)), t)
    }

    fn unary(&mut self, op: UnOp, a: &ast::Expr) -> (Kind, Type) {
        let x = self.expr(a);
        let t = match (op, &x.ty) {
            (_, Type::Unknown) => Type::Unknown,
            (UnOp::Neg, Type::Num) => Type::Num,
            (UnOp::Neg, Type::Quantity(d)) => Type::Quantity(*d),
            (UnOp::Neg, Type::Formula(v)) => Type::Formula(v.clone()),
            (UnOp::Not, Type::Bool) => Type::Bool,
            (UnOp::Neg, other) => {
                self.err(mismatch(&Type::Num, other, a.span.clone(), "`-` needs a number or a formula"));
                Type::Unknown
            }
            (UnOp::Not, other) => {
                self.err(mismatch(&Type::Bool, other, a.span.clone(), "`not` needs a bool"));
                Type::Unknown
            }
        };
        (Kind::Unary(op, Box::new(x)), t)
    }

    fn if_expr(&mut self, c: &ast::Expr, t: &ast::Expr, f: Option<&ast::Expr>) -> (Kind, Type) {
        let xc = self.expr(c);
        if !xc.ty.fits(&Type::Bool) {
            self.err(mismatch(&Type::Bool, &xc.ty, c.span.clone(), "an `if` condition must be a bool"));
        }
        let xt = self.expr(t);
        let (xf, ty) = match f {
            None => (None, Type::Nothing),
            Some(f) => {
                let xf = self.expr(f);
                let ty = match xt.ty.join(&xf.ty) {
                    Some(j) => j,
                    None => {
                        self.err(mismatch(&xt.ty, &xf.ty, f.span.clone(), "both branches of `if` must have one type"));
                        Type::Unknown
                    }
                };
                (Some(Box::new(xf)), ty)
            }
        };
        (Kind::If(Box::new(xc), Box::new(xt), xf), ty)
    }

    fn block(&mut self, stmts: &[ast::Stmt]) -> (Kind, Type) {
        self.frame().scopes.push(HashMap::new());
        let mut out = Vec::new();
        let mut last_type = None;
        for s in stmts {
            last_type = None;
            if let Some((x, t)) = self.stmt(s) {
                out.push(x);
                last_type = t;
            }
        }
        self.frame().scopes.pop();
        // The last expression statement is the block's value.
        let value = match (last_type.is_some(), out.pop()) {
            (true, Some(tree::Stmt::Expr(x))) => Some(Box::new(x)),
            (_, Some(other)) => {
                out.push(other);
                None
            }
            (_, None) => None,
        };
        let ty = value.as_ref().map(|v| v.ty.clone()).unwrap_or(Type::Nothing);
        (Kind::Block(out, value), ty)
    }

    fn where_expr(&mut self, t: &ast::Expr, cond: &ast::Expr) -> (Kind, Type) {
        let xt = self.expr(t);
        let f = match to_formula(cond, &self.ops) {
            Ok(f) => {
                if let Type::Table(Some(info)) = &xt.ty {
                    for v in f.used_vars() {
                        if !info.columns.contains(&v) {
                            self.err(unknown_column(&v, &info.columns, &info.origin, cond.span.clone()));
                        }
                    }
                    self.check_dims(&f, &node_spans(cond), info, &cond.span);
                }
                if let Type::Graphs(Some(dim)) = &xt.ty {
                    self.check_graph_condition(&f.used_vars(), *dim, &cond.span);
                }
                f
            }
            Err(ds) => {
                self.errs(ds);
                crate::formula::Formula::constant(f64::NAN)
            }
        };
        let ty = if matches!(xt.ty, Type::Graphs(_)) {
            xt.ty.clone()
        } else if !xt.ty.fits(&Type::Table(None)) {
            self.err(mismatch(&Type::Table(None), &xt.ty, t.span.clone(), "`where` filters a table"));
            Type::Unknown
        } else {
            xt.ty.clone()
        };
        (Kind::Where(Box::new(xt), Rc::new(f)), ty)
    }

    fn graphnet(&mut self, entries: &[ast::GnEntry], span: &Span) -> (Kind, Type) {
        match super::graphnet::build(entries, span) {
            Ok((template, exprs)) => {
                let sizes: Vec<tree::Expr> = exprs
                    .iter()
                    .map(|e| {
                        let x = self.expr(e);
                        if !x.ty.fits(&Type::Num) {
                            self.err(mismatch(&Type::Num, &x.ty, e.span.clone(), "sizes and weights are numbers"));
                        }
                        x
                    })
                    .collect();
                let hamiltonian = matches!(template.net, crate::domain::graphnet::NetTemplate::Hamiltonian { .. });
                let decl = if sizes.is_empty() { template.instantiate(&[]).ok().map(Box::new) } else { None };
                (Kind::GraphNet(Rc::new(template), sizes), Type::GraphNet { hamiltonian, decl })
            }
            Err(ds) => {
                self.errs(ds);
                (Kind::Error, Type::Unknown)
            }
        }
    }

    /// A condition on graphs reads node columns (every body must satisfy it) or edge columns
    /// (every pair must), not both.
    fn check_graph_condition(&mut self, vars: &[String], dim: usize, span: &Span) {
        let (nodes, edges) = sim_columns(dim);
        let on_nodes = vars.iter().all(|v| nodes.contains(v));
        let on_edges = vars.iter().all(|v| edges.contains(v));
        if on_nodes || on_edges {
            return;
        }
        let mut all: Vec<String> = nodes.clone();
        all.extend(edges.iter().filter(|e| !nodes.contains(e)).cloned());
        match vars.iter().find(|v| !all.contains(v)) {
            Some(v) => self.err(unknown_column(v, &all, "the graphs", span.clone())),
            None => self.err(
                Diagnostic::new(
                    Code::TypeMismatch,
                    "a condition on graphs reads body columns or pair columns, not both",
                    span.clone(),
                )
                .with_label("mixes both")
                .with_help(format!(
                    "body columns: {}; pair columns: {}",
                    nodes.join(", "),
                    edges.join(", ")
                )),
            ),
        }
    }

    fn unknown_name(&mut self, name: &str, span: Span) {
        let mut candidates: Vec<String> =
            self.frames.iter().flat_map(|f| f.scopes.iter().flat_map(|s| s.keys().cloned())).collect();
        candidates.extend(self.visible_names());
        let help = match did_you_mean(name, candidates.iter().map(|s| s.as_str())) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("define it with `let {name} = ...` before this line"),
        };
        self.err(
            Diagnostic::new(Code::UnknownName, format!("unknown name `{name}`"), span)
                .with_label("not defined")
                .with_help(help),
        );
    }

    fn list(&mut self, items: &[ast::Expr]) -> (Kind, Type) {
        let mut elem = Type::Unknown;
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let x = self.expr(item);
            match elem.join(&x.ty) {
                Some(j) => elem = j,
                None => self.err(mismatch(&elem, &x.ty, item.span.clone(), "list elements must have one type")),
            }
            out.push(x);
        }
        (Kind::List(out), Type::List(Box::new(elem)))
    }

    fn field(&mut self, t: &Type, field: &Ident) -> Type {
        match t {
            Type::Unknown => Type::Unknown,
            Type::Table(Some(info)) => {
                if info.columns.contains(&field.name) {
                    Type::List(Box::new(Type::Num))
                } else {
                    self.err(unknown_column(&field.name, &info.columns, &info.origin, field.span.clone()));
                    Type::Unknown
                }
            }
            Type::Table(None) => Type::List(Box::new(Type::Num)),
            other => match other.fields() {
                Some(fields) => match fields.iter().find(|(n, _)| *n == field.name) {
                    Some((_, t)) => t.clone(),
                    None => {
                        let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
                        let help = help_suggesting(
                            &field.name,
                            names.iter().copied(),
                            &format!("fields: {}", names.join(", ")),
                        );
                        self.err(
                            Diagnostic::new(
                                Code::UnknownField,
                                format!("no field `{}` in {other}", field.name),
                                field.span.clone(),
                            )
                            .with_label("unknown field")
                            .with_help(help),
                        );
                        Type::Unknown
                    }
                },
                None => {
                    self.err(
                        Diagnostic::new(
                            Code::UnknownField,
                            format!("a value of type {other} has no fields"),
                            field.span.clone(),
                        )
                        .with_label(format!("`.{}` on {other}", field.name))
                        .with_help("fields exist on records, tables (columns) and fit results"),
                    );
                    Type::Unknown
                }
            },
        }
    }

    fn binary(&mut self, op: BinOp, ta: &Type, tb: &Type, e: &ast::Expr) -> Type {
        use Type::*;
        if matches!(ta, Unknown) || matches!(tb, Unknown) {
            return match op {
                BinOp::Eq | BinOp::Ne | BinOp::And | BinOp::Or => Bool,
                _ => Unknown,
            };
        }
        if matches!(ta, Quantity(_)) || matches!(tb, Quantity(_)) {
            if let Some(t) = self.quantity_binary(op, ta, tb, e) {
                return t;
            }
            // With a formula, a quantity is a number.
            let plain = |t: &crate::types::Type| if matches!(t, Quantity(_)) { Num } else { t.clone() };
            return self.binary(op, &plain(ta), &plain(tb), e);
        }
        let result = match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow => match (ta, tb) {
                (Num, Num) => Some(Num),
                (Formula(a), Formula(b)) => Some(Formula(union(a.as_ref(), b.as_ref()))),
                (Formula(a), Num) | (Num, Formula(a)) => Some(Formula(a.clone())),
                (Str, Str) if op == BinOp::Add => Some(Str),
                (List(a), List(b)) if op == BinOp::Add => a.join(b).map(|t| List(Box::new(t))),
                _ => None,
            },
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => match (ta, tb) {
                (Num, Num) => Some(Bool),
                (Formula(a), Formula(b)) => Some(Formula(union(a.as_ref(), b.as_ref()))),
                (Formula(a), Num) | (Num, Formula(a)) => Some(Formula(a.clone())),
                _ => None,
            },
            BinOp::Eq | BinOp::Ne => ta.join(tb).map(|_| Bool),
            BinOp::And | BinOp::Or => match (ta, tb) {
                (Bool, Bool) => Some(Bool),
                _ => None,
            },
        };
        match result {
            Some(t) => t,
            None => {
                self.err(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        format!("cannot apply `{}` to {ta} and {tb}", op.symbol()),
                        e.span.clone(),
                    )
                    .with_label(format!("{ta} {} {tb}", op.symbol()))
                    .with_help(binary_help(op)),
                );
                Unknown
            }
        }
    }

    fn call(&mut self, callee: &ast::Expr, args: &[Arg], span: Span) -> tree::Expr {
        let c = self.expr(callee);
        match c.ty.clone() {
            Type::Builtin(b) => self.builtin_call(b, args, span),
            Type::UserFn(id) => self.user_call(c, id, args, span),
            Type::OpFn(name) => {
                // A global or local holding an operator has the operator's name in its type.
                let op = match &c.kind {
                    Kind::Name(Name::Op(op)) => Some(*op),
                    _ => self.ops.resolve(&name),
                };
                let (xs, t) = self.op_call(&name, op, args, &span);
                match op {
                    Some(op) => tree::Expr::new(Kind::CallOp { op, args: xs }, t, span),
                    None => self.dynamic(c, xs, args, t, span),
                }
            }
            Type::Formula(vars) => {
                let (xs, t) = self.formula_call(vars.as_ref(), args, &span);
                self.dynamic(c, xs, args, t, span)
            }
            Type::Unknown => {
                let xs: Vec<tree::Expr> = args.iter().map(|a| self.expr(&a.value)).collect();
                self.dynamic(c, xs, args, Type::Unknown, span)
            }
            other => {
                for a in args {
                    self.expr(&a.value);
                }
                self.err(
                    Diagnostic::new(
                        Code::NotCallable,
                        format!("a value of type {other} cannot be called"),
                        callee.span.clone(),
                    )
                    .with_label(format!("this is {other}, not a function"))
                    .with_help("remove the parentheses, or call a function"),
                );
                tree::Expr::new(Kind::Error, Type::Unknown, span)
            }
        }
    }

    /// A call bound by argument names at run time.
    fn dynamic(&mut self, callee: tree::Expr, xs: Vec<tree::Expr>, args: &[Arg], t: Type, span: Span) -> tree::Expr {
        let bound = args.iter().map(|a| a.name.as_ref().map(|n| n.name.clone())).zip(xs).collect();
        tree::Expr::new(Kind::CallDynamic { callee: Box::new(callee), args: bound }, t, span)
    }

    /// Matches arguments to parameters, reporting count and name problems. Returns the index
    /// of the argument (if any) for each parameter and the indices of extra named arguments.
    fn bind_args(
        &mut self,
        fname: &str,
        params: &[(&str, bool)],
        args: &[Arg],
        open_named: bool,
        span: &Span,
    ) -> (Vec<Option<usize>>, Vec<usize>) {
        let mut slots: Vec<Option<usize>> = vec![None; params.len()];
        let mut extra = Vec::new();
        let mut next = 0;
        for (ai, a) in args.iter().enumerate() {
            match &a.name {
                None => {
                    if next < params.len() {
                        slots[next] = Some(ai);
                        next += 1;
                    } else {
                        self.err(
                            Diagnostic::new(
                                Code::WrongArgCount,
                                format!("`{fname}` takes {} argument(s), but more were given", params.len()),
                                a.value.span.clone(),
                            )
                            .with_label("extra argument")
                            .with_help(format!("parameters: {}", param_list(params))),
                        );
                    }
                }
                Some(n) => match params.iter().position(|(p, _)| *p == n.name) {
                    Some(i) if slots[i].is_some() => self.err(
                        Diagnostic::new(Code::DuplicateArg, format!("`{}` is given twice", n.name), n.span.clone())
                            .with_label("already given")
                            .with_help("give each parameter once"),
                    ),
                    Some(i) => slots[i] = Some(ai),
                    None if open_named => extra.push(ai),
                    None => {
                        let names: Vec<&str> = params.iter().map(|(p, _)| *p).collect();
                        let help = help_suggesting(
                            &n.name,
                            names.iter().copied(),
                            &format!("parameters: {}", param_list(params)),
                        );
                        self.err(
                            Diagnostic::new(
                                Code::UnknownNamedArg,
                                format!("`{fname}` has no parameter `{}`", n.name),
                                n.span.clone(),
                            )
                            .with_label("unknown parameter")
                            .with_help(help),
                        );
                    }
                },
            }
        }
        for (i, (p, required)) in params.iter().enumerate() {
            if *required && slots[i].is_none() {
                self.err(
                    Diagnostic::new(
                        Code::WrongArgCount,
                        format!("`{fname}` is missing the argument `{p}`"),
                        span.clone(),
                    )
                    .with_label(format!("`{p}` not given"))
                    .with_help(format!("parameters: {}", param_list(params))),
                );
            }
        }
        (slots, extra)
    }

    fn user_call(&mut self, callee: tree::Expr, id: usize, args: &[Arg], span: Span) -> tree::Expr {
        let def = self.fns[id].clone();
        let params: Vec<(&str, bool)> =
            def.params.iter().map(|p| (p.name.name.as_str(), p.default.is_none())).collect();
        let (slots, _) = self.bind_args(&def.name, &params, args, false, &span);
        let mut xs: Vec<Option<tree::Expr>> = vec![None; def.params.len()];
        let mut arg_types = Vec::new();
        for (i, (p, slot)) in def.params.iter().zip(&slots).enumerate() {
            let declared = p.ty.as_ref().and_then(|t| Type::from_name(&t.name.name, None));
            let t = match slot {
                Some(ai) => {
                    let a = &args[*ai];
                    let x = self.expr(&a.value);
                    if let Some(want) = &declared {
                        if !x.ty.fits(want) {
                            self.err(mismatch(
                                want,
                                &x.ty,
                                a.value.span.clone(),
                                &format!("parameter `{}` is {want}", p.name.name),
                            ));
                        }
                    }
                    let t = x.ty.clone();
                    xs[i] = Some(x);
                    t
                }
                None => declared.unwrap_or(Type::Unknown),
            };
            arg_types.push(t);
        }
        for (ai, a) in args.iter().enumerate() {
            if !slots.contains(&Some(ai)) {
                self.expr(&a.value);
            }
        }
        let t = self.instantiate(id, arg_types);
        tree::Expr::new(Kind::CallFn { callee: Box::new(callee), args: xs }, t, span)
    }

    /// The result type of user function `id` for these argument types: its body re-checked in
    /// the frames of its definition (the tree of this check is dropped).
    fn instantiate(&mut self, id: usize, arg_types: Vec<Type>) -> Type {
        let key = (id, format!("{arg_types:?}"));
        if let Some(t) = self.cache.get(&key) {
            return t.clone();
        }
        let def = self.fns[id].clone();
        if self.in_progress.contains(&key) || self.in_progress.len() > 64 {
            return def.ret.clone().unwrap_or(Type::Unknown);
        }
        self.in_progress.push(key.clone());
        let saved_frames = std::mem::replace(&mut self.frames, def.env.clone());
        let saved_source = self.source;
        self.source = def.source;
        self.frames.push(Frame {
            scopes: vec![HashMap::new()],
            self_fn: Some((def.name.clone(), Type::UserFn(id))),
            ..Frame::default()
        });
        for (p, t) in def.params.iter().zip(arg_types) {
            self.bind(&p.name.name, t);
        }
        let t = self.expr(&def.body).ty;
        self.frames = saved_frames;
        self.source = saved_source;
        self.in_progress.pop();
        let t = def.ret.clone().unwrap_or(t);
        self.cache.insert(key, t.clone());
        t
    }

    fn op_call(&mut self, name: &str, op: Option<Op>, args: &[Arg], span: &Span) -> (Vec<tree::Expr>, Type) {
        let arity = op.map(|o| o.arity()).unwrap_or(1);
        if args.len() != arity || args.iter().any(|a| a.name.is_some()) {
            self.err(
                Diagnostic::new(
                    Code::WrongArgCount,
                    format!("`{name}` takes {arity} positional argument(s)"),
                    span.clone(),
                )
                .with_label(format!("{} given", args.len()))
                .with_help(format!("call it as {name}({})", vec!["_"; arity].join(", "))),
            );
        }
        let mut any_formula = false;
        let mut vars: Option<Vec<String>> = Some(vec![]);
        let mut xs = Vec::with_capacity(args.len());
        for a in args {
            let x = self.expr(&a.value);
            match &x.ty {
                Type::Num | Type::Quantity(_) | Type::Unknown => {}
                Type::Formula(v) => {
                    any_formula = true;
                    vars = union(vars.as_ref(), v.as_ref());
                }
                other => self.err(mismatch(
                    &Type::Num,
                    other,
                    a.value.span.clone(),
                    &format!("`{name}` takes numbers or formulas"),
                )),
            }
            xs.push(x);
        }
        let t = match (any_formula, self.quantity_op(name, &xs, span)) {
            (true, _) => Type::Formula(vars),
            (false, Some(t)) => t,
            (false, None) => Type::Num,
        };
        (xs, t)
    }

    fn formula_call(&mut self, vars: Option<&Vec<String>>, args: &[Arg], span: &Span) -> (Vec<tree::Expr>, Type) {
        let named = args.iter().filter(|a| a.name.is_some()).count();
        let positional = args.len() - named;
        let xs: Vec<tree::Expr> = args.iter().map(|a| self.expr(&a.value)).collect();
        let t = match (positional, named == 0) {
            (1, true) => {
                self.check_vars_in_table(vars, &xs[0].ty, span);
                match &xs[0].ty {
                    Type::Table(_) | Type::Unknown => Type::List(Box::new(Type::Num)),
                    other => {
                        self.err(mismatch(
                            &Type::Table(None),
                            other,
                            xs[0].span.clone(),
                            "a formula is called on a table",
                        ));
                        Type::Unknown
                    }
                }
            }
            (0, _) => {
                for x in &xs {
                    if !x.ty.fits(&Type::Num) {
                        self.err(mismatch(&Type::Num, &x.ty, x.span.clone(), "variable values are numbers"));
                    }
                }
                let given: Vec<&str> = args.iter().filter_map(|a| a.name.as_ref().map(|n| n.name.as_str())).collect();
                self.check_all_vars_given(vars, &given, span);
                Type::Num
            }
            _ => {
                self.err(
                    Diagnostic::new(
                        Code::WrongArgCount,
                        "a formula is called with one table or with named values",
                        span.clone(),
                    )
                    .with_label("unexpected arguments")
                    .with_help("write f(t) or f(x: 1, y: 2)"),
                );
                Type::Unknown
            }
        };
        (xs, t)
    }

    /// Reports the variables of a formula that a call gives no value for.
    fn check_all_vars_given(&mut self, vars: Option<&Vec<String>>, given: &[&str], span: &Span) {
        let Some(vars) = vars else { return };
        let missing: Vec<String> =
            vars.iter().filter(|v| !given.contains(&v.as_str())).map(|m| format!("`{m}`")).collect();
        if !missing.is_empty() {
            self.err(
                Diagnostic::new(
                    Code::WrongArgCount,
                    format!("no value for variable(s) {}", missing.join(", ")),
                    span.clone(),
                )
                .with_label("formula evaluated here")
                .with_help(format!(
                    "pass a table, or a value for every variable: {}",
                    vars.iter().map(|v| format!("{v}: ...")).collect::<Vec<_>>().join(", ")
                )),
            );
        }
    }

    /// Reports a formula that combines the units of a table's columns inconsistently
    /// (`unit-mismatch` at the offending operator). Columns without units are free.
    fn check_dims(&mut self, f: &crate::formula::Formula, spans: &[Span], info: &TableInfo, whole: &Span) {
        if info.dims.iter().all(|d| d.is_none()) {
            return;
        }
        let var_dims: Vec<Option<sdl_units::Dim>> = f.vars.iter().map(|v| info.dim(v)).collect();
        if let Err(e) = sdl_units::infer(f, &var_dims, sdl_units::ConstMode::Dimensionless, None) {
            let span = spans.get(e.node).cloned().unwrap_or_else(|| whole.clone());
            let used: Vec<String> =
                f.used_vars().iter().filter_map(|v| info.dim(v).map(|d| format!("{v} [{d}]"))).collect();
            self.err(
                Diagnostic::new(Code::UnitMismatch, format!("units do not fit: {e}"), span)
                    .with_label("here")
                    .with_help(format!("the columns' units: {}", used.join(", "))),
            );
        }
    }

    fn check_vars_in_table(&mut self, vars: Option<&Vec<String>>, table: &Type, span: &Span) {
        if let (Some(vars), Type::Table(Some(info))) = (vars, table) {
            for v in vars {
                if !info.columns.contains(v) {
                    self.err(
                        unknown_column(v, &info.columns, &info.origin, span.clone())
                            .with_note(format!("the formula uses `{v}`")),
                    );
                }
            }
        }
    }
}

fn union(a: Option<&Vec<String>>, b: Option<&Vec<String>>) -> Option<Vec<String>> {
    let (a, b) = (a?, b?);
    let mut out = a.clone();
    for v in b {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    Some(out)
}

fn param_list(params: &[(&str, bool)]) -> String {
    params.iter().map(|(p, r)| if *r { p.to_string() } else { format!("{p}?") }).collect::<Vec<_>>().join(", ")
}

fn binary_help(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "`+` adds numbers or formulas, joins strings and lists",
        BinOp::And | BinOp::Or => "`and`/`or` combine bools",
        BinOp::Eq | BinOp::Ne => "compare values of one type",
        _ => "arithmetic and comparison work on numbers and formulas",
    }
}

/// The standard `type-mismatch` diagnostic.
pub fn mismatch(want: &Type, found: &Type, span: Span, why: &str) -> Diagnostic {
    Diagnostic::new(Code::TypeMismatch, format!("expected {want}, found {found}"), span)
        .with_label(format!("this is {found}"))
        .with_help(why.to_string())
}

fn dedup(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    for d in diags {
        if !out.iter().any(|o| o.code == d.code && o.span == d.span && o.source == d.source && o.message == d.message) {
            out.push(d);
        }
    }
    out.sort_by_key(|d| (d.source, d.span.start));
    out
}
