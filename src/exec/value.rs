//! Run-time values. Cheap to clone (`Rc` inside); the executor is single-threaded, and long work
//! (search, fitting) copies what it needs into plain Rust data before going parallel.

use crate::builtins::Builtin;
use crate::data::{format_num, Table};
use crate::domain::ModelSpec;
use crate::formula::{Formula, Op, OperatorSet};
use crate::ir::FnProto;
use std::fmt;
use std::rc::Rc;

/// A user function with the values it captured where it was created.
#[derive(Debug)]
pub struct Closure {
    pub proto: Rc<FnProto>,
    pub captures: Vec<Value>,
}

/// A value of the language.
#[derive(Clone, Debug)]
pub enum Value {
    Num(f64),
    Bool(bool),
    Str(Rc<str>),
    Nothing,
    List(Rc<Vec<Value>>),
    Record(Rc<Vec<(String, Value)>>),
    Formula(Rc<Formula>),
    OpSet(Rc<OperatorSet>),
    Table(Rc<Table>),
    Model(Rc<ModelSpec>),
    Func(Rc<Closure>),
    Builtin(Builtin),
    OpFn(Op),
    SearchResult(Rc<super::fit::SearchOutcome>),
    ConstFit(Rc<super::fit::ConstFitOutcome>),
    GraphNet(Rc<crate::domain::graphnet::GraphNetDecl>),
    /// An argument left out of a call, so the function's default applies (never a user value).
    Absent,
    Network(Rc<super::network::TrainedNet>),
    Graphs(Rc<crate::sim::GraphData>),
}

impl Value {
    /// The type name used in run-time messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Num(_) => "num",
            Value::Bool(_) => "bool",
            Value::Str(_) => "str",
            Value::Nothing => "nothing",
            Value::List(_) => "list",
            Value::Record(_) => "record",
            Value::Formula(_) => "formula",
            Value::OpSet(_) => "opset",
            Value::Table(_) => "table",
            Value::Model(_) => "model",
            Value::Func(_) | Value::Builtin(_) | Value::OpFn(_) => "fn",
            Value::SearchResult(_) => "search-result",
            Value::ConstFit(_) => "const-fit",
            Value::GraphNet(_) => "graphnet",
            Value::Absent => "nothing",
            Value::Network(_) => "network",
            Value::Graphs(_) => "graphs",
        }
    }

    /// Structural equality for `==` (functions compare by identity).
    pub fn equals(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Num(a), Value::Num(b)) => a == b,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Nothing, Value::Nothing) => true,
            (Value::List(a), Value::List(b)) => a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.equals(y)),
            (Value::Record(a), Value::Record(b)) => {
                a.len() == b.len() && a.iter().all(|(n, v)| b.iter().any(|(m, w)| m == n && v.equals(w)))
            }
            (Value::Formula(a), Value::Formula(b)) => a.to_string() == b.to_string(),
            (Value::OpSet(a), Value::OpSet(b)) => a == b,
            (Value::Table(a), Value::Table(b)) => a == b,
            (Value::Func(a), Value::Func(b)) => Rc::ptr_eq(a, b),
            (Value::Builtin(a), Value::Builtin(b)) => a == b,
            (Value::OpFn(a), Value::OpFn(b)) => a == b,
            _ => false,
        }
    }

    fn write_nested(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write!(f, "{s:?}"),
            other => write!(f, "{other}"),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Num(n) => f.write_str(&format_num(*n)),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Str(s) => f.write_str(s),
            Value::Nothing => f.write_str("nothing"),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    v.write_nested(f)?;
                }
                f.write_str("]")
            }
            Value::Record(fields) => {
                f.write_str("{")?;
                for (i, (n, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{n}: ")?;
                    v.write_nested(f)?;
                }
                f.write_str("}")
            }
            Value::Formula(fm) => write!(f, "{fm}"),
            Value::OpSet(s) => write_opset(s, f),
            Value::Table(t) => write!(f, "{}", t.preview(5).trim_end()),
            Value::Model(m) => write!(f, "{} ~ {}", m.target, m.outer),
            Value::Func(c) => write!(f, "fn {}({})", c.proto.name, c.proto.params.join(", ")),
            Value::Builtin(b) => write!(f, "builtin {}", b.name()),
            Value::Absent => write!(f, "nothing"),
            Value::OpFn(op) => write!(f, "operator {op}"),
            Value::SearchResult(r) => write!(f, "{}", r.table().trim_end()),
            Value::ConstFit(r) => write!(f, "{}", r.summary().trim_end()),
            Value::GraphNet(d) => write!(f, "{}", super::network::describe_decl(d)),
            Value::Network(n) => write!(f, "{}", n.summary().trim_end()),
            Value::Graphs(g) => {
                write!(f, "graphs: {} snapshots of {} bodies in {}-D ({})", g.len(), g.n, g.dim, g.law.name())
            }
        }
    }
}

fn write_opset(s: &OperatorSet, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let names = |ops: &[Op]| ops.iter().map(|o| o.name()).collect::<Vec<_>>().join(", ");
    write!(f, "operators {{ binary: [{}], unary: [{}], maxsize: {}", names(&s.binary), names(&s.unary), s.maxsize)?;
    if let Some(d) = s.maxdepth {
        write!(f, ", maxdepth: {d}")?;
    }
    if !s.op_complexity.is_empty() {
        let c: Vec<String> = s.op_complexity.iter().map(|(o, c)| format!("{o}: {c}")).collect();
        write!(f, ", complexity: {{ {} }}", c.join(", "))?;
    }
    if !s.constraints.is_empty() {
        let c: Vec<String> = s
            .constraints
            .iter()
            .map(|(o, l)| {
                let lim: Vec<String> = l.iter().map(|x| x.map_or("-1".to_string(), |v| v.to_string())).collect();
                format!("{o}: [{}]", lim.join(", "))
            })
            .collect();
        write!(f, ", constraints: {{ {} }}", c.join(", "))?;
    }
    if !s.nested_constraints.is_empty() {
        let mut outers: Vec<Op> = Vec::new();
        for (o, _, _) in &s.nested_constraints {
            if !outers.contains(o) {
                outers.push(*o);
            }
        }
        let c: Vec<String> = outers
            .iter()
            .map(|o| {
                let inner: Vec<String> = s
                    .nested_constraints
                    .iter()
                    .filter(|(p, _, _)| p == o)
                    .map(|(_, i, n)| format!("{i}: {n}"))
                    .collect();
                format!("{o}: {{ {} }}", inner.join(", "))
            })
            .collect();
        write!(f, ", nested: {{ {} }}", c.join(", "))?;
    }
    f.write_str(" }")
}
