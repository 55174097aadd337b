//! Exec: runs IR chunks on a value stack, with globals by name and locals in numbered slots.
//!
//! Built-in functions live in [`builtins`], `fit` in [`fit`], pictures in [`pictures`] and report
//! pages in [`report`]. A run-time problem becomes a
//! coded [`Diagnostic`] pointing at the instruction's span; nothing panics on user data.
//! Ctrl-C sets [`INTERRUPTED`]; the loop checks it at every instruction and long work (search,
//! fitting) checks it too and returns its best result so far.

pub mod builtins;
pub mod fit;
pub mod network;
pub mod pictures;
pub mod report;
pub mod value;

use crate::diag::{Code, Diagnostic, SourceId};
use crate::formula::{Formula, Op};
use crate::ir::{Chunk, Instr};
use crate::syntax::ast::{BinOp, Span};
use std::collections::HashMap;
use std::io::Write;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use value::{Closure, Value};

/// Set by the Ctrl-C handler; cleared when a new input starts.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

const MAX_DEPTH: usize = 400;

/// Where `print` output goes.
pub type Output = Box<dyn Write>;

/// The executor and its global environment.
pub struct Vm {
    pub globals: HashMap<String, Value>,
    pub out: Output,
    /// Show progress for long work (on a terminal).
    pub progress: bool,
    /// Script parameters given on the command line (`--set name=value`), read by `param`.
    pub params: HashMap<String, String>,
    /// The session's user operators (for `parse_formula`).
    pub ops: crate::formula::custom::OpScope,
    depth: usize,
}

/// A run-time error at `span` of `source`.
pub fn runtime_error(code: Code, message: impl Into<String>, span: &Span, source: SourceId, help: &str) -> Diagnostic {
    Diagnostic::new(code, message, span.clone())
        .with_label("while evaluating this")
        .with_help(help.to_string())
        .in_source(source)
}

impl Vm {
    pub fn new(out: Output) -> Vm {
        Vm { globals: HashMap::new(), out, progress: false, params: HashMap::new(), ops: Default::default(), depth: 0 }
    }

    /// Runs a top-level chunk; returns the value it leaves.
    pub fn run(&mut self, chunk: &Chunk) -> Result<Value, Diagnostic> {
        self.depth = 0;
        let mut locals = vec![Value::Nothing; chunk.n_locals as usize];
        let v = self.exec(chunk, &mut locals, None);
        let _ = self.out.flush();
        v
    }

    fn exec(
        &mut self,
        chunk: &Chunk,
        locals: &mut Vec<Value>,
        closure: Option<&Rc<Closure>>,
    ) -> Result<Value, Diagnostic> {
        let src = chunk.source;
        let mut stack: Vec<Value> = Vec::with_capacity(16);
        let mut pc = 0usize;
        while pc < chunk.code.len() {
            if INTERRUPTED.load(Ordering::Relaxed) {
                return Err(Diagnostic::new(Code::Interrupted, "interrupted", 0..0)
                    .with_label("stopped here")
                    .with_help("the input was abandoned; definitions made before it remain")
                    .in_source(src));
            }
            let instr = &chunk.code[pc];
            pc += 1;
            match instr {
                Instr::Push(v) => stack.push(v.clone()),
                Instr::LoadLocal(i) => stack.push(locals.get(*i as usize).cloned().unwrap_or(Value::Nothing)),
                Instr::StoreLocal(i) => {
                    let v = pop(&mut stack);
                    let i = *i as usize;
                    if i >= locals.len() {
                        locals.resize(i + 1, Value::Nothing);
                    }
                    locals[i] = v;
                }
                Instr::LoadCapture(i) => {
                    stack.push(closure.and_then(|c| c.captures.get(*i as usize).cloned()).unwrap_or(Value::Nothing))
                }
                Instr::LoadSelf => stack.push(closure.map(|c| Value::Func(c.clone())).unwrap_or(Value::Nothing)),
                Instr::LoadGlobal(name, span) => stack.push(self.load_global(name, span, src)?),
                Instr::StoreGlobal(name) => {
                    let v = pop(&mut stack);
                    self.globals.insert(name.to_string(), v);
                }
                Instr::List(n) => {
                    let items = split_top(&mut stack, *n as usize);
                    stack.push(Value::List(Rc::new(items)));
                }
                Instr::Record(names) => {
                    let values = split_top(&mut stack, names.len());
                    let mut fields: Vec<(String, Value)> = Vec::new();
                    for (n, v) in names.iter().zip(values) {
                        fields.retain(|(m, _)| m != n);
                        fields.push((n.clone(), v));
                    }
                    stack.push(Value::Record(Rc::new(fields)));
                }
                Instr::Field(name, span) => {
                    let base = pop(&mut stack);
                    stack.push(field(&base, name, span, src)?);
                }
                Instr::Index(span) => {
                    let index = pop(&mut stack);
                    let base = pop(&mut stack);
                    stack.push(index_value(&base, &index, span, src)?);
                }
                Instr::Neg(span) => {
                    let v = pop(&mut stack);
                    stack.push(match v {
                        Value::Num(n) => Value::Num(-n),
                        Value::Formula(f) => Value::Formula(Rc::new(Formula::apply(Op::Neg, vec![(*f).clone()]))),
                        other => return Err(type_error("-", &other, span, src)),
                    });
                }
                Instr::Not(span) => match pop(&mut stack) {
                    Value::Bool(b) => stack.push(Value::Bool(!b)),
                    other => return Err(type_error("not", &other, span, src)),
                },
                Instr::Binary(op, span) => {
                    let b = pop(&mut stack);
                    let a = pop(&mut stack);
                    stack.push(binary(*op, a, b, span, src)?);
                }
                Instr::CallBuiltin(b, names, span) => {
                    let named_values = split_top(&mut stack, names.len());
                    let args = split_top(&mut stack, b.spec().params.len());
                    let named = names.iter().cloned().zip(named_values).collect();
                    let v = builtins::call(self, *b, args, named, span, src)?;
                    stack.push(v);
                }
                Instr::CallFn(n, span) => {
                    let args = split_top(&mut stack, *n as usize);
                    let v = match pop(&mut stack) {
                        Value::Func(c) => self.call_closure(&c, args, span, src)?,
                        other => return Err(not_callable(&other, span, src)),
                    };
                    stack.push(v);
                }
                Instr::CallOp(op, n, span) => {
                    let args = split_top(&mut stack, *n as usize).into_iter().map(|v| (None, v)).collect();
                    stack.push(builtins::apply_op(*op, args, span, src)?);
                }
                Instr::CallDynamic(names, span) => {
                    let values = split_top(&mut stack, names.len());
                    let callee = pop(&mut stack);
                    let args: Vec<(Option<String>, Value)> = names.iter().cloned().zip(values).collect();
                    let v = self.call(callee, args, span, src)?;
                    stack.push(v);
                }
                Instr::Jump(t) => pc = *t as usize,
                Instr::JumpIfFalse(t, span) => match pop(&mut stack) {
                    Value::Bool(true) => {}
                    Value::Bool(false) => pc = *t as usize,
                    other => return Err(type_error("if", &other, span, src)),
                },
                Instr::Pop => {
                    stack.pop();
                }
                Instr::Print(n) => {
                    let items = split_top(&mut stack, *n as usize);
                    let line: Vec<String> = items.iter().map(|v| v.to_string()).collect();
                    let _ = writeln!(self.out, "{}", line.join(" "));
                }
                Instr::Where(f, span) => {
                    let t = pop(&mut stack);
                    stack.push(builtins::where_rows(&t, f, span, src)?);
                }
                Instr::EvalCompiled(f, span) => {
                    let t = pop(&mut stack);
                    stack.push(builtins::eval_compiled(f, &t, span, src)?);
                }
                Instr::WithColumnCompiled(f, span) => {
                    let name = pop(&mut stack);
                    let t = pop(&mut stack);
                    stack.push(builtins::with_column_compiled(f, &t, &name, span, src)?);
                }
                Instr::MakeClosure(proto) => {
                    let captures = split_top(&mut stack, proto.n_captures as usize);
                    stack.push(Value::Func(Rc::new(Closure { proto: proto.clone(), captures })));
                }
                Instr::GraphNet(template, _) => {
                    let values = split_top(&mut stack, template.n_slots);
                    stack.push(network::make_graphnet(template, values, src)?);
                }
            }
        }
        Ok(stack.pop().unwrap_or(Value::Nothing))
    }

    fn load_global(&self, name: &str, span: &Span, src: SourceId) -> Result<Value, Diagnostic> {
        self.globals.get(name).cloned().ok_or_else(|| {
            runtime_error(Code::UnknownName, format!("unknown name `{name}`"), span, src, "define it before use")
        })
    }

    /// Calls any callable value with positional and named arguments bound by name now (a
    /// function passed as a value, a formula called on a table).
    pub fn call(
        &mut self,
        callee: Value,
        args: Vec<(Option<String>, Value)>,
        span: &Span,
        src: SourceId,
    ) -> Result<Value, Diagnostic> {
        match callee {
            Value::Func(c) => {
                let proto = &c.proto;
                let params: Vec<(&str, bool)> =
                    proto.params.iter().zip(&proto.defaults).map(|(p, d)| (p.as_str(), d.is_none())).collect();
                let (slots, _) = bind_values(&proto.name, &params, args, false, span, src)?;
                let args = slots.into_iter().map(|s| s.unwrap_or(Value::Absent)).collect();
                self.call_closure(&c, args, span, src)
            }
            Value::Builtin(b) => {
                let spec = b.spec();
                let params: Vec<(&str, bool)> = spec.params.iter().map(|p| (p.name, p.required())).collect();
                let open = !matches!(spec.named, crate::builtins::Named::Closed);
                let (slots, named) = bind_values(spec.name, &params, args, open, span, src)?;
                let args = slots
                    .into_iter()
                    .zip(spec.params)
                    .map(|(s, p)| s.unwrap_or_else(|| default_value(p.default)))
                    .collect();
                builtins::call(self, b, args, named, span, src)
            }
            Value::OpFn(op) => builtins::apply_op(op, args, span, src),
            Value::Formula(f) => builtins::call_formula(&f, args, span, src),
            other => Err(not_callable(&other, span, src)),
        }
    }

    /// Runs a closure on arguments bound to its parameters (`Value::Absent` where the default
    /// applies; defaults run in the function's frame, so they may use earlier parameters).
    fn call_closure(
        &mut self,
        c: &Rc<Closure>,
        args: Vec<Value>,
        span: &Span,
        src: SourceId,
    ) -> Result<Value, Diagnostic> {
        let proto = &c.proto;
        if self.depth >= MAX_DEPTH {
            return Err(runtime_error(
                Code::RecursionLimit,
                format!("`{}` recursed more than {MAX_DEPTH} calls deep", proto.name),
                span,
                src,
                "give the recursion a base case",
            ));
        }
        let mut locals = vec![Value::Nothing; (proto.body.n_locals as usize).max(args.len())];
        for (i, v) in args.into_iter().enumerate() {
            locals[i] = v;
        }
        self.depth += 1;
        let r = self.run_frame(c, &mut locals);
        self.depth -= 1;
        r
    }

    fn run_frame(&mut self, c: &Rc<Closure>, locals: &mut Vec<Value>) -> Result<Value, Diagnostic> {
        for (i, d) in c.proto.defaults.iter().enumerate() {
            if matches!(locals[i], Value::Absent) {
                locals[i] = match d {
                    Some(chunk) => self.exec(chunk, locals, Some(c))?,
                    None => Value::Nothing,
                };
            }
        }
        self.exec(&c.proto.body, locals, Some(c))
    }
}

/// The value of a built-in parameter's default (for calls bound at run time).
pub fn default_value(d: crate::builtins::Default) -> Value {
    use crate::builtins::Default;
    match d {
        Default::Required | Default::Absent => Value::Nothing,
        Default::Num(v) => Value::Num(v),
        Default::Str(s) => Value::Str(s.into()),
        Default::Bool(b) => Value::Bool(b),
    }
}

fn not_callable(v: &Value, span: &Span, src: SourceId) -> Diagnostic {
    runtime_error(
        Code::NotCallable,
        format!("a value of type {} cannot be called", v.type_name()),
        span,
        src,
        "call a function",
    )
}

/// Pops the top `n` values (in push order); fewer if the stack is short.
fn split_top(stack: &mut Vec<Value>, n: usize) -> Vec<Value> {
    stack.split_off(stack.len().saturating_sub(n))
}

/// The value for each parameter (if given) and the extra named values.
pub type BoundArgs = (Vec<Option<Value>>, Vec<(String, Value)>);

/// Binds values to parameters by position and name (the run-time twin of the checker's
/// binding). Returns the value for each parameter and the extra named values.
pub fn bind_values(
    fname: &str,
    params: &[(&str, bool)],
    args: Vec<(Option<String>, Value)>,
    open_named: bool,
    span: &Span,
    src: SourceId,
) -> Result<BoundArgs, Diagnostic> {
    let mut slots: Vec<Option<Value>> = vec![None; params.len()];
    let mut extra = Vec::new();
    let mut next = 0;
    for (name, v) in args {
        match name {
            None if next < params.len() => {
                slots[next] = Some(v);
                next += 1;
            }
            None => {
                return Err(runtime_error(
                    Code::WrongArgCount,
                    format!("too many arguments for `{fname}`"),
                    span,
                    src,
                    "remove the extra argument",
                ))
            }
            Some(n) => match params.iter().position(|(p, _)| *p == n) {
                Some(i) if slots[i].is_none() => slots[i] = Some(v),
                Some(_) => {
                    return Err(runtime_error(
                        Code::DuplicateArg,
                        format!("`{n}` given twice"),
                        span,
                        src,
                        "give it once",
                    ))
                }
                None if open_named => extra.push((n, v)),
                None => {
                    return Err(runtime_error(
                        Code::UnknownNamedArg,
                        format!("`{fname}` has no parameter `{n}`"),
                        span,
                        src,
                        "check the name",
                    ))
                }
            },
        }
    }
    for (i, (p, required)) in params.iter().enumerate() {
        if *required && slots[i].is_none() {
            return Err(runtime_error(
                Code::WrongArgCount,
                format!("`{fname}` is missing `{p}`"),
                span,
                src,
                "pass every required argument",
            ));
        }
    }
    Ok((slots, extra))
}

fn pop(stack: &mut Vec<Value>) -> Value {
    stack.pop().unwrap_or(Value::Nothing)
}

fn type_error(what: &str, v: &Value, span: &Span, src: SourceId) -> Diagnostic {
    runtime_error(
        Code::TypeMismatch,
        format!("`{what}` cannot take a {}", v.type_name()),
        span,
        src,
        "check the value's type with :type",
    )
}

fn field(base: &Value, name: &str, span: &Span, src: SourceId) -> Result<Value, Diagnostic> {
    let missing = |fields: Vec<&str>| {
        runtime_error(
            Code::UnknownField,
            format!("no field `{name}`"),
            span,
            src,
            &format!("fields: {}", fields.join(", ")),
        )
    };
    match base {
        Value::Record(fields) => fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| missing(fields.iter().map(|(n, _)| n.as_str()).collect())),
        Value::Table(t) => match t.column(name) {
            Some(c) => Ok(Value::List(Rc::new(c.iter().map(|x| Value::Num(*x)).collect()))),
            None => Err(crate::domain::unknown_column(name, &t.names, &t.origin, span.clone()).in_source(src)),
        },
        Value::SearchResult(r) => {
            r.field(name).ok_or_else(|| missing(vec!["best", "accuracy", "score", "loss", "complexity", "pareto"]))
        }
        Value::ConstFit(r) => r
            .field(name)
            .ok_or_else(|| missing(vec!["formula", "params", "std_errors", "loss", "iterations", "converged"])),
        Value::Graphs(g) => {
            network::graphs_field(g, name).ok_or_else(|| missing(vec!["nodes", "edges", "law", "n", "dim", "count"]))
        }
        Value::Network(n) => n.field(name).ok_or_else(|| {
            missing(vec![
                "loss",
                "loss_before",
                "history",
                "steps",
                "formulas",
                "channels",
                "kind",
                "dim",
                "stopped_early",
            ])
        }),
        other => Err(runtime_error(
            Code::UnknownField,
            format!("a {} has no fields", other.type_name()),
            span,
            src,
            "fields exist on records, tables and fit results",
        )),
    }
}

fn index_value(base: &Value, index: &Value, span: &Span, src: SourceId) -> Result<Value, Diagnostic> {
    match (base, index) {
        (Value::List(items), Value::Num(i)) => {
            if i.fract() != 0.0 || *i < 0.0 || *i as usize >= items.len() {
                return Err(runtime_error(
                    Code::IndexOutOfRange,
                    format!("index {i} is outside a list of {} elements", items.len()),
                    span,
                    src,
                    "use a whole index from 0 to len - 1",
                ));
            }
            Ok(items[*i as usize].clone())
        }
        (other, _) => Err(type_error("[]", other, span, src)),
    }
}

fn to_formula_value(v: &Value) -> Option<Formula> {
    match v {
        Value::Num(n) => Some(Formula::constant(*n)),
        Value::Formula(f) => Some((**f).clone()),
        _ => None,
    }
}

fn binary(op: BinOp, a: Value, b: Value, span: &Span, src: SourceId) -> Result<Value, Diagnostic> {
    use Value::*;
    let num_op = |x: f64, y: f64| -> Option<Value> {
        Some(match op {
            BinOp::Add => Num(x + y),
            BinOp::Sub => Num(x - y),
            BinOp::Mul => Num(x * y),
            BinOp::Div => Num(x / y),
            BinOp::Pow => Num(x.powf(y)),
            BinOp::Lt => Bool(x < y),
            BinOp::Le => Bool(x <= y),
            BinOp::Gt => Bool(x > y),
            BinOp::Ge => Bool(x >= y),
            _ => return None,
        })
    };
    if matches!(op, BinOp::Eq | BinOp::Ne) {
        let eq = a.equals(&b);
        return Ok(Bool(if op == BinOp::Eq { eq } else { !eq }));
    }
    let result = match (&a, &b) {
        (Num(x), Num(y)) => num_op(*x, *y),
        (Str(x), Str(y)) if op == BinOp::Add => Some(Str(format!("{x}{y}").into())),
        (List(x), List(y)) if op == BinOp::Add => Some(List(Rc::new(x.iter().chain(y.iter()).cloned().collect()))),
        (Formula(_), _) | (_, Formula(_)) => match (to_formula_value(&a), to_formula_value(&b)) {
            (Some(fa), Some(fb)) => {
                let fop = match op {
                    BinOp::Add => Some(Op::Add),
                    BinOp::Sub => Some(Op::Sub),
                    BinOp::Mul => Some(Op::Mul),
                    BinOp::Div => Some(Op::Div),
                    BinOp::Pow => Some(Op::Pow),
                    BinOp::Gt => Some(Op::Greater),
                    BinOp::Ge => Some(Op::GreaterEq),
                    BinOp::Lt => Some(Op::Less),
                    BinOp::Le => Some(Op::LessEq),
                    _ => None,
                };
                fop.map(|o| Value::Formula(Rc::new(crate::formula::Formula::apply(o, vec![fa, fb]))))
            }
            _ => None,
        },
        _ => None,
    };
    result.ok_or_else(|| {
        runtime_error(
            Code::TypeMismatch,
            format!("cannot apply `{}` to {} and {}", op.symbol(), a.type_name(), b.type_name()),
            span,
            src,
            "arithmetic works on numbers and formulas",
        )
    })
}
