//! Parsing the plain infix formula language (`sdl bench eval` files, `sdl fit` outputs).
//!
//! In: any string. Out: a [`Formula`] or a [`ParseError`] with a message and the byte range of
//! the offending text. The parser never panics, whatever the input: it is a hand-written
//! recursive descent with a nesting limit, and it refuses formulas deeper than [`MAX_DEPTH`] or
//! with more leaves than node indices can address, so that the recursive algorithms downstream
//! (printing, simplification, differentiation) cannot run out of stack on its output.
//!
//! Grammar, loosest first: comparisons `> >= < <=` (left-associative, mapped to `greater` and
//! friends); `+ -`; `* /`; unary minus; `^` or `**` (right-associative, binds tighter than unary
//! minus, and its exponent may itself start with a minus: `2^-1`); then numbers (`3`, `2.5`,
//! `1e-7`, `inf`, `nan`), variables, `f(a, b)` calls of any operator known to `Op::from_name`
//! (custom operators included, arity checked) and parentheses. `#` starts a comment that runs
//! to the end of the line. A minus written directly before a number that is not the base of a
//! power is part of the number: `-2 * x` has the constant -2, while `-(2)` is `neg(2)` and
//! `-2^x` is `-(2^x)`. This is what lets `Display` output parse back to the same tree.

use crate::custom::OpScope;
use crate::{Formula, Node, Op};
use std::fmt;
use std::ops::Range;

/// Deepest formula the parser accepts (a leaf has depth 1).
pub const MAX_DEPTH: usize = 400;

/// Deepest nesting the parser follows. Each parenthesis or call costs two levels and each unary
/// minus or exponent one, so about 200 nested parentheses are allowed.
const MAX_NESTING: usize = 400;

/// Why a string is not a formula, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    /// Byte offsets into the source.
    pub span: Range<usize>,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}..{}", self.message, self.span.start, self.span.end)
    }
}

impl std::error::Error for ParseError {}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Ident(String),
    Plus,
    Minus,
    Star,
    Slash,
    Pow,
    LParen,
    RParen,
    Comma,
    Cmp(Op),
    End,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Num(v) => format!("number {v}"),
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Plus => "`+`".into(),
            Tok::Minus => "`-`".into(),
            Tok::Star => "`*`".into(),
            Tok::Slash => "`/`".into(),
            Tok::Pow => "`^`".into(),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Cmp(op) => format!("comparison `{op}`"),
            Tok::End => "end of input".into(),
        }
    }
}

fn err<T>(message: impl Into<String>, span: Range<usize>) -> Result<T, ParseError> {
    Err(ParseError { message: message.into(), span })
}

fn lex(src: &str) -> Result<Vec<(Tok, Range<usize>)>, ParseError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let single = |t: Tok| (t, start..start + 1);
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'+' | b'-' | b'/' | b'^' | b'(' | b')' | b',' => {
                out.push(single(match c {
                    b'+' => Tok::Plus,
                    b'-' => Tok::Minus,
                    b'/' => Tok::Slash,
                    b'^' => Tok::Pow,
                    b'(' => Tok::LParen,
                    b')' => Tok::RParen,
                    _ => Tok::Comma,
                }));
                i += 1;
            }
            b'*' => {
                if bytes.get(i + 1) == Some(&b'*') {
                    out.push((Tok::Pow, i..i + 2));
                    i += 2;
                } else {
                    out.push(single(Tok::Star));
                    i += 1;
                }
            }
            b'>' | b'<' => {
                let eq = bytes.get(i + 1) == Some(&b'=');
                let op = match (c, eq) {
                    (b'>', false) => Op::Greater,
                    (b'>', true) => Op::GreaterEq,
                    (_, false) => Op::Less,
                    (_, true) => Op::LessEq,
                };
                let len = if eq { 2 } else { 1 };
                out.push((Tok::Cmp(op), i..i + len));
                i += len;
            }
            b'0'..=b'9' | b'.' => {
                i = scan_number(bytes, i);
                let text = &src[start..i];
                match text.parse::<f64>() {
                    Ok(v) => out.push((Tok::Num(v), start..i)),
                    Err(_) => return err(format!("malformed number `{text}`"), start..i),
                }
            }
            _ => {
                // Identifiers may use any Unicode letter; `start` is a char boundary because
                // every branch above consumes whole ASCII characters or whole identifiers.
                let rest = &src[start..];
                let first = rest.chars().next().unwrap_or(' ');
                if !(first.is_alphabetic() || first == '_') {
                    return err(format!("unexpected character `{first}`"), start..start + first.len_utf8());
                }
                let len: usize =
                    rest.chars().take_while(|ch| ch.is_alphanumeric() || *ch == '_').map(char::len_utf8).sum();
                i = start + len;
                let name = &src[start..i];
                let tok = match name {
                    "inf" => Tok::Num(f64::INFINITY),
                    "nan" => Tok::Num(f64::NAN),
                    _ => Tok::Ident(name.to_string()),
                };
                out.push((tok, start..i));
            }
        }
    }
    out.push((Tok::End, src.len()..src.len()));
    Ok(out)
}

/// The end of a decimal number starting at `i`: digits, an optional fraction and an optional
/// exponent, which is only taken when digits follow the `e` (so `2e` is `2` then `e`).
fn scan_number(bytes: &[u8], mut i: usize) -> usize {
    let digits = |mut j: usize| {
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        j
    };
    i = digits(i);
    if bytes.get(i) == Some(&b'.') {
        i = digits(i + 1);
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if bytes.get(j).is_some_and(u8::is_ascii_digit) {
            i = digits(j);
        }
    }
    i
}

struct Parser<'a> {
    scope: &'a OpScope,
    toks: Vec<(Tok, Range<usize>)>,
    pos: usize,
    nesting: usize,
    out: Formula,
    /// Depth of each value the emitted program leaves on its stack.
    depths: Vec<usize>,
}

/// Parses a formula written in plain infix. See the module documentation for the grammar.
/// Calls name built-in operators only; [`parse_in`] also knows a scope's user operators.
pub fn parse(src: &str) -> Result<Formula, ParseError> {
    parse_in(src, &OpScope::default())
}

/// Parses a formula whose calls may name the user operators of `scope`.
pub fn parse_in(src: &str, scope: &OpScope) -> Result<Formula, ParseError> {
    let toks = lex(src)?;
    let mut p = Parser { scope, toks, pos: 0, nesting: 0, out: Formula::default(), depths: Vec::new() };
    p.expr()?;
    if p.peek() != &Tok::End {
        return err(format!("unexpected {}", p.peek().describe()), p.span());
    }
    Ok(p.out)
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos.min(self.toks.len() - 1)].0
    }

    fn peek_at(&self, k: usize) -> &Tok {
        &self.toks[(self.pos + k).min(self.toks.len() - 1)].0
    }

    fn span(&self) -> Range<usize> {
        self.toks[self.pos.min(self.toks.len() - 1)].1.clone()
    }

    fn bump(&mut self) {
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return err("parentheses, calls or signs nested too deeply", self.span());
        }
        Ok(())
    }

    fn emit_const(&mut self, value: f64, span: Range<usize>) -> Result<(), ParseError> {
        if self.out.consts.len() >= u16::MAX as usize {
            return err("too many constants in one formula", span);
        }
        self.out.consts.push(value);
        self.out.const_names.push(None);
        self.out.nodes.push(Node::Const((self.out.consts.len() - 1) as u16));
        self.depths.push(1);
        Ok(())
    }

    fn emit_var(&mut self, name: String, span: Range<usize>) -> Result<(), ParseError> {
        let i = match self.out.vars.iter().position(|v| *v == name) {
            Some(i) => i,
            None if self.out.vars.len() >= u16::MAX as usize => return err("too many variables", span),
            None => {
                self.out.vars.push(name);
                self.out.vars.len() - 1
            }
        };
        self.out.nodes.push(Node::Var(i as u16));
        self.depths.push(1);
        Ok(())
    }

    fn emit_op(&mut self, op: Op, span: Range<usize>) -> Result<(), ParseError> {
        let k = op.arity().min(self.depths.len());
        let at = self.depths.len() - k;
        let depth = self.depths.drain(at..).max().unwrap_or(0) + 1;
        if depth > MAX_DEPTH {
            return err(format!("formula deeper than {MAX_DEPTH} levels"), span);
        }
        self.depths.push(depth);
        self.out.nodes.push(Node::Op(op));
        Ok(())
    }

    fn expr(&mut self) -> Result<(), ParseError> {
        self.add()?;
        while let Tok::Cmp(op) = *self.peek() {
            let span = self.span();
            self.bump();
            self.add()?;
            self.emit_op(op, span)?;
        }
        Ok(())
    }

    fn add(&mut self) -> Result<(), ParseError> {
        self.mul()?;
        loop {
            let op = match self.peek() {
                Tok::Plus => Op::Add,
                Tok::Minus => Op::Sub,
                _ => return Ok(()),
            };
            let span = self.span();
            self.bump();
            self.mul()?;
            self.emit_op(op, span)?;
        }
    }

    fn mul(&mut self) -> Result<(), ParseError> {
        self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Star => Op::Mul,
                Tok::Slash => Op::Div,
                _ => return Ok(()),
            };
            let span = self.span();
            self.bump();
            self.unary()?;
            self.emit_op(op, span)?;
        }
    }

    fn unary(&mut self) -> Result<(), ParseError> {
        self.enter()?;
        let result = self.unary_inner();
        self.nesting -= 1;
        result
    }

    fn unary_inner(&mut self) -> Result<(), ParseError> {
        if self.peek() != &Tok::Minus {
            return self.pow();
        }
        let span = self.span();
        if let Tok::Num(v) = *self.peek_at(1) {
            if self.peek_at(2) != &Tok::Pow {
                // A minus glued to a number is the negative constant, see the module docs.
                let end = self.toks[(self.pos + 1).min(self.toks.len() - 1)].1.end;
                self.bump();
                self.bump();
                return self.emit_const(-v, span.start..end);
            }
        }
        self.bump();
        self.unary()?;
        self.emit_op(Op::Neg, span)
    }

    fn pow(&mut self) -> Result<(), ParseError> {
        self.primary()?;
        if self.peek() == &Tok::Pow {
            let span = self.span();
            self.bump();
            self.unary()?;
            self.emit_op(Op::Pow, span)?;
        }
        Ok(())
    }

    fn primary(&mut self) -> Result<(), ParseError> {
        let span = self.span();
        match self.peek().clone() {
            Tok::Num(v) => {
                self.bump();
                self.emit_const(v, span)
            }
            Tok::Ident(name) => {
                self.bump();
                if self.peek() == &Tok::LParen {
                    self.call(name, span)
                } else {
                    self.emit_var(name, span)
                }
            }
            Tok::LParen => {
                self.bump();
                self.enter()?;
                self.expr()?;
                self.nesting -= 1;
                if self.peek() != &Tok::RParen {
                    return err(
                        format!("expected `)` to close the `(` at {}, found {}", span.start, self.peek().describe()),
                        self.span(),
                    );
                }
                self.bump();
                Ok(())
            }
            other => err(format!("expected an expression, found {}", other.describe()), span),
        }
    }

    /// A call `name(args)`; the opening parenthesis is the current token.
    fn call(&mut self, name: String, name_span: Range<usize>) -> Result<(), ParseError> {
        let Some(op) = self.scope.resolve(&name) else {
            return err(format!("unknown function `{name}`"), name_span);
        };
        self.bump();
        self.enter()?;
        let mut count = 0;
        if self.peek() != &Tok::RParen {
            loop {
                self.expr()?;
                count += 1;
                if self.peek() != &Tok::Comma {
                    break;
                }
                self.bump();
            }
        }
        self.nesting -= 1;
        if self.peek() != &Tok::RParen {
            return err(
                format!("expected `,` or `)` in the call of `{name}`, found {}", self.peek().describe()),
                self.span(),
            );
        }
        let whole = name_span.start..self.span().end;
        self.bump();
        let arity = op.arity();
        if count != arity {
            let plural = if arity == 1 { "" } else { "s" };
            return err(format!("`{name}` takes {arity} argument{plural}, found {count}"), whole);
        }
        self.emit_op(op, whole)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(src: &str, row: &[f64]) -> f64 {
        parse(src).unwrap_or_else(|e| panic!("{src}: {e}")).eval_row(row)
    }

    #[test]
    fn precedence_and_associativity() {
        assert_eq!(eval("-x0^2", &[3.0]), -9.0);
        assert_eq!(eval("2^-1", &[]), 0.5);
        assert_eq!(eval("2^3^2", &[]), 512.0);
        assert_eq!(eval("2**3**2", &[]), 512.0);
        assert_eq!(eval("8 / 4 / 2", &[]), 1.0);
        assert_eq!(eval("8 - 4 - 2", &[]), 2.0);
        assert_eq!(eval("1 + 2 * 3 > 6", &[]), 1.0);
        assert_eq!(eval("1 + 2 * 3 <= 6", &[]), 0.0);
        assert_eq!(eval("-(2)^2", &[]), -4.0);
        assert_eq!(eval("(-2)^2", &[]), 4.0);
        assert_eq!(eval("-2^2", &[]), -4.0);
        assert_eq!(eval("max(1, 2) + if(0, 5, 7) + plus(1, 1)", &[]), 11.0);
        assert_eq!(eval("x # the variable\n * 2 # doubled", &[4.0]), 8.0);
        assert_eq!(eval(".5 + 1. + 2.5E+1", &[]), 26.5);
    }

    #[test]
    fn variables_in_order_of_first_use() {
        let f = parse("b * a + b + cos(c_1) + exp").expect("parses");
        assert_eq!(f.vars, vec!["b", "a", "c_1", "exp"]);
        let g = parse("-2 * x").expect("parses");
        assert_eq!(g.consts, vec![-2.0]);
        let h = parse("-(2) * x").expect("parses");
        assert_eq!(h.nodes[1], Node::Op(Op::Neg));
        assert!(parse("inf - nan").expect("parses").consts[0].is_infinite());
    }

    fn fails(src: &str, needle: &str, span: Range<usize>) {
        match parse(src) {
            Ok(f) => panic!("{src:?} parsed as {f}"),
            Err(e) => {
                assert!(e.message.contains(needle), "{src:?}: message {:?} lacks {needle:?}", e.message);
                assert_eq!(e.span, span, "{src:?}: {}", e.message);
            }
        }
    }

    #[test]
    fn errors_carry_messages_and_spans() {
        fails("", "expected an expression", 0..0);
        fails("x +", "expected an expression", 3..3);
        fails("x + * y", "expected an expression", 4..5);
        fails("foo(x)", "unknown function `foo`", 0..3);
        fails("max(x)", "`max` takes 2 arguments, found 1", 0..6);
        fails("exp(x, y)", "takes 1 argument,", 0..9);
        fails("(x + 1", "expected `)`", 6..6);
        fails("x y", "unexpected `y`", 2..3);
        fails("x $ y", "unexpected character `$`", 2..3);
        fails("x + é€", "unexpected character `€`", 6..9);
        fails("x é", "unexpected `é`", 2..4);
        fails("2 ∑", "unexpected character `∑`", 2..5);
        fails("1.2.3", "unexpected number", 3..5);
        fails("max(1, 2", "expected `,` or `)`", 8..8);
    }

    #[test]
    fn limits_refuse_instead_of_overflowing() {
        let deep = format!("{}x{}", "(".repeat(5000), ")".repeat(5000));
        fails(&deep, "nested too deeply", 200..201);
        assert!(parse(&format!("{}x", "-".repeat(5000))).is_err());
        assert!(parse(&"2^".repeat(5000)).is_err());
        let long_sum = vec!["x"; 5000].join(" + ");
        fails(&long_sum, "formula deeper than 400", 1598..1599);
        assert!(parse(&vec!["x"; 300].join(" + ")).is_ok());
        let many = (0..70_000).map(|i| format!("max({i}, 1)")).collect::<Vec<_>>().join(" + ");
        assert!(parse(&many).is_err());
    }
}
