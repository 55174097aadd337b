//! The checked tree: the program as the checker accepted it, and the only input of lowering.
//!
//! In: built by `sema::Checker` from the syntax tree. Out: read by `ir::lower`. Always true:
//! every expression carries its static type and span; every name is resolved (local slot,
//! captured variable, global, built-in, operator, constant); every call of a built-in or of a
//! statically known user function has its arguments bound to parameters with defaults filled
//! in; every literal that needs converting (formula, model, operator set, graph-network
//! template) is already converted. Nothing here refers to the syntax tree.

use crate::builtins::Builtin;
use crate::diag::SourceId;
use crate::domain::graphnet::GraphNetTemplate;
use crate::domain::ModelSpec;
use crate::formula::{Formula, Op, OperatorSet};
use crate::syntax::ast::{BinOp, Span, UnOp};
use crate::types::Type;
use std::rc::Rc;

/// A checked program (one source: a file or a REPL input).
#[derive(Clone, Debug)]
pub struct Program {
    pub stmts: Vec<Stmt>,
    /// Local slots used by blocks at the top level.
    pub n_locals: u32,
    pub source: SourceId,
}

/// Where a `let` (or `fn`, `op`) stores its value.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    Global(Rc<str>),
    Local(u32),
}

/// A checked statement.
#[derive(Clone, Debug)]
pub enum Stmt {
    Let {
        target: Target,
        value: Expr,
    },
    Fn {
        target: Target,
        func: Rc<Function>,
    },
    /// `op name(...) = body`: the operator is defined in the session's scope when the input is
    /// committed; the statement binds the operator as a value.
    Op {
        target: Target,
        name: String,
        op: Op,
    },
    Print(Vec<Expr>),
    Expr(Expr),
}

/// A user function: its parameters are local slots `0..params.len()` of its own frame.
#[derive(Debug)]
pub struct Function {
    pub name: String,
    pub params: Vec<String>,
    /// Default values, evaluated in the function's frame when an argument is left out.
    pub defaults: Vec<Option<Expr>>,
    pub body: Expr,
    pub n_locals: u32,
    /// Where each captured variable comes from in the frame that creates the function.
    pub captures: Vec<Capture>,
    pub source: SourceId,
}

/// A variable a function captures from the frame that defines it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Capture {
    /// A local slot of the defining frame.
    Local(u32),
    /// A variable the defining function itself captured.
    Outer(u32),
    /// The defining function itself (a closure inside a recursive function that calls it).
    SelfFn,
}

/// What a name refers to.
#[derive(Clone, Debug, PartialEq)]
pub enum Name {
    Local(u32),
    /// The i-th captured variable of the running function.
    Captured(u32),
    /// The running function itself (recursion).
    SelfFn,
    Global(Rc<str>),
    Builtin(Builtin),
    Op(Op),
    Const(f64),
}

/// A literal value, converted by the checker.
#[derive(Clone, Debug)]
pub enum Lit {
    Num(f64),
    Bool(bool),
    Str(Rc<str>),
    Nothing,
    /// A formula and the source span of each of its nodes.
    Formula(Rc<Formula>, Rc<[Span]>),
    Model(Rc<ModelSpec>),
    OpSet(Rc<OperatorSet>),
}

/// A checked expression.
#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: Kind,
    pub ty: Type,
    pub span: Span,
}

/// The kinds of checked expression.
#[derive(Clone, Debug)]
pub enum Kind {
    Lit(Lit),
    Name(Name),
    List(Vec<Expr>),
    Record(Vec<(String, Expr)>),
    Field(Box<Expr>, String, Span),
    Index(Box<Expr>, Box<Expr>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `and` / `or`: the right side runs only when needed.
    Logic(BinOp, Box<Expr>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Option<Box<Expr>>),
    /// Statements of a block and its value (the last expression statement, else `nothing`).
    Block(Vec<Stmt>, Option<Box<Expr>>),
    /// A built-in call: one argument per parameter (defaults filled in) and the named options.
    CallBuiltin {
        builtin: Builtin,
        args: Vec<Expr>,
        named: Vec<(String, Expr)>,
    },
    /// A call of a statically known user function: one argument per parameter, `None` where
    /// the function's default applies.
    CallFn {
        callee: Box<Expr>,
        args: Vec<Option<Expr>>,
    },
    /// An operator applied to numbers or formulas (`exp(x)`).
    CallOp {
        op: Op,
        args: Vec<Expr>,
    },
    /// A call whose callee is only known at run time (a function passed as a value, a formula
    /// called on a table); arguments are bound by name when it runs.
    CallDynamic {
        callee: Box<Expr>,
        args: Vec<(Option<String>, Expr)>,
    },
    /// `table where condition`.
    Where(Box<Expr>, Rc<Formula>),
    /// A `graphnet { ... }` declaration and the expressions of its computed sizes.
    GraphNet(Rc<GraphNetTemplate>, Vec<Expr>),
    /// Where the checker found an error (never lowered: such programs do not run).
    Error,
}

impl Expr {
    /// An expression of `kind` and type `ty` at `span`.
    pub fn new(kind: Kind, ty: Type, span: Span) -> Expr {
        Expr { kind, ty, span }
    }

    /// A literal.
    pub fn lit(lit: Lit, ty: Type, span: Span) -> Expr {
        Expr::new(Kind::Lit(lit), ty, span)
    }
}
