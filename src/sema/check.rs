//! The checker: resolves names and infers a static type for every expression, reporting every
//! independent problem with a span, before anything runs.
//!
//! User functions are checked once generically (parameters typed by their annotations, or `?`)
//! and again at each call site with the argument types, so `fn twice(f) = f * 2` works for
//! numbers and formulas alike and a wrong use is reported where it happens. Results are cached
//! per (function, argument types); recursion stops at the declared return type or `?`.

use super::opset;
use super::symbolic::{classify_names, to_formula, to_model, unknown_column};
use super::types::{TableInfo, Type};
use crate::builtins::{self, MATH_FUNCTIONS};
use crate::diag::{did_you_mean, help_suggesting, Code, Diagnostic, SourceId};
use crate::formula::Op;
use crate::syntax::ast::*;
use std::collections::HashMap;

mod builtin_types;
mod network_types;
pub use builtin_types::{sim_columns, unknown_law};
pub use network_types::{data_mismatch, message_columns, unknown_variable, TRAIN_OPTIONS};

/// A user function as written.
#[derive(Clone, Debug)]
pub struct FnDef {
    pub name: String,
    pub params: Vec<Param>,
    pub ret: Option<Type>,
    pub body: Expr,
    pub source: SourceId,
}

/// Named options of `fit` and the type each takes.
pub const FIT_OPTIONS: &[(&str, &str)] = &[
    ("ops", "opset"),
    ("niterations", "num"),
    ("populations", "num"),
    ("population_size", "num"),
    ("ncycles_per_iteration", "num"),
    ("maxsize", "num"),
    ("maxdepth", "num"),
    ("timeout", "num"),
    ("max_evals", "num"),
    ("loss_threshold", "num"),
    ("seed", "num"),
    ("threads", "num"),
    ("loss", "loss"),
    ("weights", "str"),
    ("parsimony", "num"),
    ("batching", "bool"),
    ("batch_size", "num"),
    ("annealing", "bool"),
    ("hof_csv", "str"),
    ("warm_start", "str"),
    ("method", "str"),
    ("max_iter", "num"),
    ("restarts", "num"),
    ("progress", "bool"),
    ("params", "record"),
];

/// Name resolution and type inference over programs; keeps the global environment between
/// inputs (the REPL checks each line against what came before).
#[derive(Clone, Debug, Default)]
pub struct Checker {
    globals: HashMap<String, Type>,
    pub fns: Vec<FnDef>,
    cache: HashMap<(usize, String), Type>,
    in_progress: Vec<(usize, String)>,
    scopes: Vec<HashMap<String, Type>>,
    diags: Vec<Diagnostic>,
    source: SourceId,
}

impl Checker {
    pub fn new() -> Checker {
        Checker::default()
    }

    /// Checks a program from source `source`. On errors the global environment is left as it
    /// was, so a failed REPL input defines nothing.
    pub fn check_program(&mut self, prog: &Program, source: SourceId) -> Vec<Diagnostic> {
        let saved = (self.globals.clone(), self.fns.len());
        self.source = source;
        self.diags.clear();
        for stmt in &prog.stmts {
            self.check_stmt(stmt);
        }
        let diags = dedup(std::mem::take(&mut self.diags));
        if !diags.is_empty() {
            self.globals = saved.0;
            self.fns.truncate(saved.1);
            self.cache.retain(|(id, _), _| *id < saved.1);
        }
        diags
    }

    /// The type of one expression in the current global environment (`:type`).
    pub fn type_of(&mut self, e: &Expr, source: SourceId) -> (Type, Vec<Diagnostic>) {
        self.source = source;
        self.diags.clear();
        let t = self.expr(e);
        (t, dedup(std::mem::take(&mut self.diags)))
    }

    /// The type a global name has now.
    pub fn global_type(&self, name: &str) -> Option<&Type> {
        self.globals.get(name)
    }

    /// Every name visible at the top level (for completion).
    pub fn visible_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.globals.keys().cloned().collect();
        names.extend(builtins::BUILTINS.iter().map(|b| b.name.to_string()));
        names.extend(MATH_FUNCTIONS.iter().map(|s| s.to_string()));
        names.sort();
        names.dedup();
        names
    }

    /// Forgets every definition (`:reset`).
    pub fn reset(&mut self) {
        *self = Checker::default();
    }

    fn err(&mut self, d: Diagnostic) {
        self.diags.push(d.in_source(self.source));
    }

    fn errs(&mut self, ds: Vec<Diagnostic>) {
        for d in ds {
            self.err(d);
        }
    }

    fn bind(&mut self, name: &str, t: Type) {
        match self.scopes.last_mut() {
            Some(scope) => {
                scope.insert(name.to_string(), t);
            }
            None => {
                self.globals.insert(name.to_string(), t);
            }
        }
    }

    fn lookup(&self, name: &str) -> Option<Type> {
        for scope in self.scopes.iter().rev() {
            if let Some(t) = scope.get(name) {
                return Some(t.clone());
            }
        }
        if let Some(t) = self.globals.get(name) {
            return Some(t.clone());
        }
        if let Some(b) = builtins::lookup(name) {
            return Some(Type::Builtin(b.name));
        }
        if MATH_FUNCTIONS.contains(&name) || matches!(Op::from_name(name), Some(Op::Custom(_))) {
            return Some(Type::OpFn(name.to_string()));
        }
        if name == "pi" {
            return Some(Type::Num);
        }
        None
    }

    fn check_stmt(&mut self, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::Let { name, ty, value } => {
                let t = self.expr(value);
                let t = match ty.as_ref().and_then(|te| self.written_type(te)) {
                    Some(want) => {
                        if !t.fits(&want) {
                            self.err(mismatch(
                                &want,
                                &t,
                                value.span.clone(),
                                &format!("`{}` is declared {want}", name.name),
                            ));
                        }
                        want
                    }
                    None => t,
                };
                self.bind(&name.name, t);
            }
            StmtKind::Fn { name, params, ret, body } => self.define_fn(name, params, ret.as_ref(), body),
            StmtKind::Op { name, params, body } => self.define_op(name, params, body),
            StmtKind::Print(args) => {
                for a in args {
                    self.expr(a);
                }
            }
            StmtKind::Expr(e) => {
                self.expr(e);
            }
            StmtKind::Error => {}
        }
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

    fn define_fn(&mut self, name: &Ident, params: &[Param], ret: Option<&TypeExpr>, body: &Expr) {
        self.check_duplicate_params(params.iter().map(|p| &p.name));
        let ret = ret.and_then(|r| self.written_type(r));
        let id = self.fns.len();
        self.fns.push(FnDef {
            name: name.name.clone(),
            params: params.to_vec(),
            ret: ret.clone(),
            body: body.clone(),
            source: self.source,
        });
        self.bind(&name.name, Type::UserFn(id));
        // Generic check: catches unknown names and type errors that hold whatever the arguments.
        let mut scope = HashMap::new();
        for p in params {
            let declared = p.ty.as_ref().and_then(|t| self.written_type(t)).unwrap_or(Type::Unknown);
            if let Some(d) = &p.default {
                let dt = self.expr(d);
                if !dt.fits(&declared) {
                    self.err(mismatch(&declared, &dt, d.span.clone(), "default value of the wrong type"));
                }
            }
            scope.insert(p.name.name.clone(), declared);
        }
        self.scopes.push(scope);
        let t = self.expr(body);
        self.scopes.pop();
        if let Some(r) = &ret {
            if !t.fits(r) {
                self.err(mismatch(r, &t, body.span.clone(), &format!("`{}` is declared to return {r}", name.name)));
            }
        }
    }

    fn define_op(&mut self, name: &Ident, params: &[Ident], body: &Expr) {
        self.check_duplicate_params(params.iter());
        match to_formula(body) {
            Ok(f) => {
                let names: Vec<String> = params.iter().map(|p| p.name.clone()).collect();
                match crate::formula::custom::register(&name.name, &names, &f) {
                    Ok(_) => self.bind(&name.name, Type::OpFn(name.name.clone())),
                    Err(e) => {
                        let (code, msg, help) = match e {
                            crate::formula::custom::RegisterError::BadArity(n) => (
                                Code::OperatorArity,
                                format!("an operator takes 1 to 3 arguments, not {n}"),
                                "change the parameter list".to_string(),
                            ),
                            crate::formula::custom::RegisterError::UnknownVariable(v) => (
                                Code::UnknownName,
                                format!("the body uses `{v}`, which is not a parameter"),
                                format!("add `{v}` to the parameters of `{}`", name.name),
                            ),
                            crate::formula::custom::RegisterError::ShadowsBuiltin(n) => (
                                Code::UnknownOperator,
                                format!("`{n}` is a built-in operator"),
                                "choose another name".to_string(),
                            ),
                            crate::formula::custom::RegisterError::Full => (
                                Code::UnknownOperator,
                                "too many operators defined".to_string(),
                                "restart the session".to_string(),
                            ),
                        };
                        self.err(
                            Diagnostic::new(code, msg, name.span.clone())
                                .with_label("in this operator")
                                .with_help(help),
                        );
                    }
                }
            }
            Err(ds) => self.errs(ds),
        }
    }

    fn expr(&mut self, e: &Expr) -> Type {
        match &e.kind {
            ExprKind::Num(_) => Type::Num,
            ExprKind::Bool(_) => Type::Bool,
            ExprKind::Str(_) => Type::Str,
            ExprKind::Var(name) => match self.lookup(name) {
                Some(t) => t,
                None => {
                    self.unknown_name(name, e.span.clone());
                    Type::Unknown
                }
            },
            ExprKind::List(items) => self.list(items),
            ExprKind::Record(fields) => {
                let mut out: Vec<(String, Type)> = Vec::new();
                for (name, value) in fields {
                    let t = self.expr(value);
                    out.retain(|(n, _)| *n != name.name);
                    out.push((name.name.clone(), t));
                }
                Type::Record(out)
            }
            ExprKind::Field(base, field) => {
                let t = self.expr(base);
                self.field(&t, field)
            }
            ExprKind::Index(base, index) => {
                let t = self.expr(base);
                let it = self.expr(index);
                if !it.fits(&Type::Num) {
                    self.err(mismatch(&Type::Num, &it, index.span.clone(), "list indices are numbers"));
                }
                match t {
                    Type::List(elem) => *elem,
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
                }
            }
            ExprKind::Call(callee, args) => self.call(callee, args, e.span.clone()),
            ExprKind::Unary(op, a) => {
                let t = self.expr(a);
                match (op, &t) {
                    (_, Type::Unknown) => Type::Unknown,
                    (UnOp::Neg, Type::Num) => Type::Num,
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
                }
            }
            ExprKind::Binary(op, a, b) => {
                let ta = self.expr(a);
                let tb = self.expr(b);
                self.binary(*op, &ta, &tb, e)
            }
            ExprKind::If(c, t, f) => {
                let tc = self.expr(c);
                if !tc.fits(&Type::Bool) {
                    self.err(mismatch(&Type::Bool, &tc, c.span.clone(), "an `if` condition must be a bool"));
                }
                let tt = self.expr(t);
                match f {
                    None => Type::Nothing,
                    Some(f) => {
                        let tf = self.expr(f);
                        match tt.join(&tf) {
                            Some(j) => j,
                            None => {
                                self.err(mismatch(
                                    &tt,
                                    &tf,
                                    f.span.clone(),
                                    "both branches of `if` must have one type",
                                ));
                                Type::Unknown
                            }
                        }
                    }
                }
            }
            ExprKind::Block(stmts) => {
                self.scopes.push(HashMap::new());
                let mut last = Type::Nothing;
                for s in stmts {
                    self.check_stmt(s);
                    last = match &s.kind {
                        StmtKind::Expr(e) => self.expr_type_quiet(e),
                        _ => Type::Nothing,
                    };
                }
                self.scopes.pop();
                last
            }
            ExprKind::Formula(body) => match to_formula(body) {
                Ok(f) => Type::Formula(Some(f.used_vars())),
                Err(ds) => {
                    self.errs(ds);
                    Type::Formula(None)
                }
            },
            ExprKind::Model(l, r) => {
                if let Err(ds) = to_model(l, r) {
                    self.errs(ds);
                }
                Type::Model
            }
            ExprKind::Where(t, cond) => {
                let tt = self.expr(t);
                match to_formula(cond) {
                    Ok(f) => {
                        if let Type::Table(Some(info)) = &tt {
                            for v in f.used_vars() {
                                if !info.columns.contains(&v) {
                                    self.err(unknown_column(&v, &info.columns, &info.origin, cond.span.clone()));
                                }
                            }
                        }
                        if let Type::Graphs(Some(dim)) = &tt {
                            self.check_graph_condition(&f.used_vars(), *dim, &cond.span);
                        }
                    }
                    Err(ds) => self.errs(ds),
                }
                if matches!(tt, Type::Graphs(_)) {
                    return tt;
                }
                if !tt.fits(&Type::Table(None)) {
                    self.err(mismatch(&Type::Table(None), &tt, t.span.clone(), "`where` filters a table"));
                    return Type::Unknown;
                }
                tt
            }
            ExprKind::Operators(entries) => {
                if let Err(ds) = opset::build(entries, &e.span) {
                    self.errs(ds);
                }
                Type::OpSet
            }
            ExprKind::GraphNet(entries) => self.graphnet(entries, &e.span),
            ExprKind::Error => Type::Unknown,
        }
    }

    fn graphnet(&mut self, entries: &[GnEntry], span: &Span) -> Type {
        match super::graphnet::build(entries, span) {
            Ok(t) => {
                for e in &t.exprs {
                    let et = self.expr(e);
                    if !et.fits(&Type::Num) {
                        self.err(mismatch(&Type::Num, &et, e.span.clone(), "sizes and weights are numbers"));
                    }
                }
                let hamiltonian = matches!(t.net, super::graphnet::NetTemplate::Hamiltonian { .. });
                let decl = if t.exprs.is_empty() { t.instantiate(&[]).ok().map(Box::new) } else { None };
                Type::GraphNet { hamiltonian, decl }
            }
            Err(ds) => {
                self.errs(ds);
                Type::Unknown
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

    /// The type of an expression statement already checked (blocks re-derive it without
    /// reporting twice).
    fn expr_type_quiet(&mut self, e: &Expr) -> Type {
        let n = self.diags.len();
        let t = self.expr(e);
        self.diags.truncate(n);
        t
    }

    fn unknown_name(&mut self, name: &str, span: Span) {
        let mut candidates: Vec<String> = self.scopes.iter().flat_map(|s| s.keys().cloned()).collect();
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

    fn list(&mut self, items: &[Expr]) -> Type {
        let mut elem = Type::Unknown;
        for item in items {
            let t = self.expr(item);
            match elem.join(&t) {
                Some(j) => elem = j,
                None => {
                    self.err(mismatch(&elem, &t, item.span.clone(), "list elements must have one type"));
                }
            }
        }
        Type::List(Box::new(elem))
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

    fn binary(&mut self, op: BinOp, ta: &Type, tb: &Type, e: &Expr) -> Type {
        use Type::*;
        if matches!(ta, Unknown) || matches!(tb, Unknown) {
            return match op {
                BinOp::Eq | BinOp::Ne | BinOp::And | BinOp::Or => Bool,
                _ => Unknown,
            };
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

    fn call(&mut self, callee: &Expr, args: &[Arg], span: Span) -> Type {
        let ct = self.expr(callee);
        match ct {
            Type::Builtin(name) => self.builtin(name, args, span),
            Type::UserFn(id) => self.user_call(id, args, span),
            Type::OpFn(name) => self.op_call(&name, args, span),
            Type::Formula(vars) => self.formula_call(vars.as_ref(), args, span),
            Type::Unknown => {
                for a in args {
                    self.expr(&a.value);
                }
                Type::Unknown
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
                Type::Unknown
            }
        }
    }

    /// Matches arguments to parameters, reporting count and name problems. Returns the
    /// argument (if any) for each parameter and the extra named arguments.
    fn bind_args<'a>(
        &mut self,
        fname: &str,
        params: &[(&str, bool)],
        args: &'a [Arg],
        open_named: bool,
        span: &Span,
    ) -> (Vec<Option<&'a Arg>>, Vec<&'a Arg>) {
        let mut slots: Vec<Option<&Arg>> = vec![None; params.len()];
        let mut extra = Vec::new();
        let mut next = 0;
        for a in args {
            match &a.name {
                None => {
                    if next < params.len() {
                        slots[next] = Some(a);
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
                    Some(i) => slots[i] = Some(a),
                    None if open_named => extra.push(a),
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

    fn user_call(&mut self, id: usize, args: &[Arg], span: Span) -> Type {
        let def = self.fns[id].clone();
        let params: Vec<(&str, bool)> =
            def.params.iter().map(|p| (p.name.name.as_str(), p.default.is_none())).collect();
        let (slots, _) = self.bind_args(&def.name, &params, args, false, &span);
        let mut arg_types = Vec::new();
        for (p, slot) in def.params.iter().zip(&slots) {
            let declared = p.ty.as_ref().and_then(|t| Type::from_name(&t.name.name, None));
            let t = match slot {
                Some(a) => {
                    let t = self.expr(&a.value);
                    if let Some(want) = &declared {
                        if !t.fits(want) {
                            self.err(mismatch(
                                want,
                                &t,
                                a.value.span.clone(),
                                &format!("parameter `{}` is {want}", p.name.name),
                            ));
                        }
                    }
                    t
                }
                None => declared.unwrap_or(Type::Unknown),
            };
            arg_types.push(t);
        }
        for a in args.iter().filter(|a| !slots.iter().any(|s| s.is_some_and(|s| std::ptr::eq(s, *a)))) {
            self.expr(&a.value);
        }
        self.instantiate(id, arg_types)
    }

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
        let saved_scopes = std::mem::take(&mut self.scopes);
        let saved_source = self.source;
        self.source = def.source;
        let scope: HashMap<String, Type> = def.params.iter().map(|p| p.name.name.clone()).zip(arg_types).collect();
        self.scopes.push(scope);
        let t = self.expr(&def.body);
        self.scopes = saved_scopes;
        self.source = saved_source;
        self.in_progress.pop();
        let t = def.ret.clone().unwrap_or(t);
        self.cache.insert(key, t.clone());
        t
    }

    fn op_call(&mut self, name: &str, args: &[Arg], span: Span) -> Type {
        let arity = Op::from_name(name).map(|o| o.arity()).unwrap_or(1);
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
        for a in args {
            match self.expr(&a.value) {
                Type::Num | Type::Unknown => {}
                Type::Formula(v) => {
                    any_formula = true;
                    vars = union(vars.as_ref(), v.as_ref());
                }
                other => self.err(mismatch(
                    &Type::Num,
                    &other,
                    a.value.span.clone(),
                    &format!("`{name}` takes numbers or formulas"),
                )),
            }
        }
        if any_formula {
            Type::Formula(vars)
        } else {
            Type::Num
        }
    }

    fn formula_call(&mut self, vars: Option<&Vec<String>>, args: &[Arg], span: Span) -> Type {
        let named: Vec<&Arg> = args.iter().filter(|a| a.name.is_some()).collect();
        let positional: Vec<&Arg> = args.iter().filter(|a| a.name.is_none()).collect();
        match (positional.len(), named.is_empty()) {
            (1, true) => {
                let t = self.expr(&positional[0].value);
                self.check_vars_in_table(vars, &t, &span);
                match t {
                    Type::Table(_) | Type::Unknown => Type::List(Box::new(Type::Num)),
                    other => {
                        self.err(mismatch(
                            &Type::Table(None),
                            &other,
                            positional[0].value.span.clone(),
                            "a formula is called on a table",
                        ));
                        Type::Unknown
                    }
                }
            }
            (0, _) => {
                for a in &named {
                    let t = self.expr(&a.value);
                    if !t.fits(&Type::Num) {
                        self.err(mismatch(&Type::Num, &t, a.value.span.clone(), "variable values are numbers"));
                    }
                }
                let given: Vec<&str> = named.iter().filter_map(|a| a.name.as_ref().map(|n| n.name.as_str())).collect();
                self.check_all_vars_given(vars, &given, &span);
                Type::Num
            }
            _ => {
                self.err(
                    Diagnostic::new(
                        Code::WrongArgCount,
                        "a formula is called with one table or with named values",
                        span,
                    )
                    .with_label("unexpected arguments")
                    .with_help("write f(t) or f(x: 1, y: 2)"),
                );
                Type::Unknown
            }
        }
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
