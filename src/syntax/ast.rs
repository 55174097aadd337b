//! The untyped syntax tree that the parser produces. Every node carries its byte span.
//!
//! Parse errors are represented in the tree (`StmtKind::Error`, `ExprKind::Error`) so that one
//! run of the front end reports every independent problem: the checker skips error nodes
//! silently.

use std::ops::Range;

/// Byte offsets into one source text.
pub type Span = Range<usize>;

/// A name with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A whole file or REPL input.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Program {
    pub stmts: Vec<Stmt>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `let name[: type] = value`
    Let {
        name: Ident,
        ty: Option<TypeExpr>,
        value: Expr,
    },
    /// `fn name(params)[-> type] = body` or `fn name(params) { ... }`
    Fn {
        name: Ident,
        params: Vec<Param>,
        ret: Option<TypeExpr>,
        body: Expr,
    },
    /// `op name(x, y) = formula-expression`: a user-defined formula operator.
    Op {
        name: Ident,
        params: Vec<Ident>,
        body: Expr,
    },
    /// `print a, b`
    Print(Vec<Expr>),
    Expr(Expr),
    /// A statement that did not parse; its diagnostic was already reported.
    Error,
}

/// A function parameter: `x`, `x: num`, `x = 2`.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub default: Option<Expr>,
}

/// A written type: `num`, `list[num]`, ...
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub name: Ident,
    pub arg: Option<Box<TypeExpr>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Num(f64),
    Bool(bool),
    Str(String),
    Var(String),
    List(Vec<Expr>),
    Record(Vec<(Ident, Expr)>),
    Field(Box<Expr>, Ident),
    Index(Box<Expr>, Box<Expr>),
    Call(Box<Expr>, Vec<Arg>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Option<Box<Expr>>),
    /// `{ stmt; stmt; expr }`: the value is the last expression statement.
    Block(Vec<Stmt>),
    /// `formula { e }`: `e` read symbolically.
    Formula(Box<Expr>),
    /// `target ~ rhs`: a model for `fit`.
    Model(Box<Expr>, Box<Expr>),
    /// `table where condition`
    Where(Box<Expr>, Box<Expr>),
    /// `operators { key: value, ... }`
    Operators(Vec<OpSetEntry>),
    /// `graphnet { message: mlp(...) -> 100, ... }`: a graph-network declaration.
    GraphNet(Vec<GnEntry>),
    /// An expression that did not parse.
    Error,
}

/// A call argument, positional or named (`seed: 1`).
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Pow => "^",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }
}

/// One entry of a `graphnet { ... }` declaration: `key: value` or `key: value -> out`.
#[derive(Clone, Debug, PartialEq)]
pub struct GnEntry {
    pub key: Ident,
    pub value: Expr,
    /// The output size after `->`.
    pub out: Option<Expr>,
    pub span: Span,
}

/// One `key: value` entry of an `operators { ... }` declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct OpSetEntry {
    pub key: Ident,
    pub value: OpSetValue,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OpSetValue {
    pub kind: OpSetValueKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum OpSetValueKind {
    /// `[+, -, exp]` or `[-1, 1]`
    List(Vec<OpItem>),
    /// `{ exp: { exp: 0 } }` (keys are operator names)
    Map(Vec<(OpItem, OpSetValue)>),
    /// Any other expression (`25`).
    Expr(Expr),
}

/// An operator name (`+`, `exp`) or a number inside an operator-set list.
#[derive(Clone, Debug, PartialEq)]
pub struct OpItem {
    pub kind: OpItemKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum OpItemKind {
    Name(String),
    Num(f64),
}

/// Builds a binary expression node (used by the grammar).
pub fn bin(op: BinOp, a: Expr, b: Expr, span: Span) -> Expr {
    Expr { kind: ExprKind::Binary(op, Box::new(a), Box::new(b)), span }
}

/// A compact S-expression of an expression tree, with spans: what `:ast` shows.
pub fn sexpr(e: &Expr) -> String {
    let inner = match &e.kind {
        ExprKind::Num(n) => return format!("{n}@{}", e.span.start),
        ExprKind::Bool(b) => return format!("{b}@{}", e.span.start),
        ExprKind::Str(s) => return format!("{s:?}@{}", e.span.start),
        ExprKind::Var(v) => return format!("{v}@{}", e.span.start),
        ExprKind::List(items) => format!("list {}", join(items.iter().map(sexpr))),
        ExprKind::Record(fields) => {
            format!("record {}", join(fields.iter().map(|(n, v)| format!("{}: {}", n.name, sexpr(v)))))
        }
        ExprKind::Field(base, f) => format!(". {} {}", sexpr(base), f.name),
        ExprKind::Index(base, i) => format!("index {} {}", sexpr(base), sexpr(i)),
        ExprKind::Call(f, args) => format!(
            "call {} {}",
            sexpr(f),
            join(args.iter().map(|a| match &a.name {
                Some(n) => format!("{}: {}", n.name, sexpr(&a.value)),
                None => sexpr(&a.value),
            }))
        ),
        ExprKind::Unary(UnOp::Neg, a) => format!("neg {}", sexpr(a)),
        ExprKind::Unary(UnOp::Not, a) => format!("not {}", sexpr(a)),
        ExprKind::Binary(op, a, b) => format!("{} {} {}", op.symbol(), sexpr(a), sexpr(b)),
        ExprKind::If(c, t, f) => match f {
            Some(f) => format!("if {} {} {}", sexpr(c), sexpr(t), sexpr(f)),
            None => format!("if {} {}", sexpr(c), sexpr(t)),
        },
        ExprKind::Block(stmts) => format!("block ({} statements)", stmts.len()),
        ExprKind::Formula(body) => format!("formula {}", sexpr(body)),
        ExprKind::Model(a, b) => format!("~ {} {}", sexpr(a), sexpr(b)),
        ExprKind::Where(t, c) => format!("where {} {}", sexpr(t), sexpr(c)),
        ExprKind::Operators(entries) => format!("operators {}", join(entries.iter().map(|e| e.key.name.clone()))),
        ExprKind::GraphNet(entries) => format!("graphnet {}", join(entries.iter().map(|e| e.key.name.clone()))),
        ExprKind::Error => "error".to_string(),
    };
    format!("({inner})@{}..{}", e.span.start, e.span.end)
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(" ")
}
