//! The lexer: source text in, spanned tokens out (logos), with newline handling.
//!
//! Newlines separate statements, but only where a statement can end: a newline inside `(...)`
//! or `[...]`, after a token that cannot end an expression (`+`, `,`, `=`, `{` ...), or before a
//! token that cannot start a statement (`else`, `}`, `)`, a binary-only operator such as `*`)
//! is dropped, so expressions may span lines naturally. Lexing never fails: an unknown
//! character becomes a `LexError` with its span and lexing goes on.

use logos::Logos;
use std::fmt;
use std::ops::Range;

/// A token of sdl source.
#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(skip r"[ \t\r\f]+")]
#[logos(skip(r"#[^\n]*", allow_greedy = true))]
pub enum Token {
    #[token("let")]
    Let,
    #[token("fn")]
    Fn,
    #[token("op")]
    Op,
    #[token("if")]
    If,
    #[token("else")]
    Else,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("print")]
    Print,
    #[token("formula")]
    Formula,
    #[token("operators")]
    Operators,
    #[token("graphnet")]
    Graphnet,
    #[token("where")]
    Where,
    #[token("and")]
    And,
    #[token("or")]
    Or,
    #[token("not")]
    Not,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(",")]
    Comma,
    #[token(":")]
    Colon,
    #[token(";")]
    Semi,
    #[token(".")]
    Dot,
    #[token("=")]
    Assign,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("^")]
    #[token("**")]
    Caret,
    #[token("~")]
    Tilde,
    #[token("->")]
    Arrow,
    #[token("\n")]
    Newline,
    #[regex(r"[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?", |lex| lex.slice().parse::<f64>().ok())]
    #[regex(r"\.[0-9]+([eE][+-]?[0-9]+)?", |lex| lex.slice().parse::<f64>().ok())]
    Num(f64),
    #[regex(r#""([^"\\\n]|\\.)*""#, |lex| unescape(lex.slice()))]
    Str(String),
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*", |lex| lex.slice().to_string())]
    Ident(String),
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Token::Num(n) => return write!(f, "number `{n}`"),
            Token::Str(s) => return write!(f, "string {s:?}"),
            Token::Ident(s) => return write!(f, "name `{s}`"),
            Token::Newline => "end of line",
            Token::Let => "`let`",
            Token::Fn => "`fn`",
            Token::Op => "`op`",
            Token::If => "`if`",
            Token::Else => "`else`",
            Token::True => "`true`",
            Token::False => "`false`",
            Token::Print => "`print`",
            Token::Formula => "`formula`",
            Token::Operators => "`operators`",
            Token::Graphnet => "`graphnet`",
            Token::Where => "`where`",
            Token::And => "`and`",
            Token::Or => "`or`",
            Token::Not => "`not`",
            Token::LParen => "`(`",
            Token::RParen => "`)`",
            Token::LBracket => "`[`",
            Token::RBracket => "`]`",
            Token::LBrace => "`{`",
            Token::RBrace => "`}`",
            Token::Comma => "`,`",
            Token::Colon => "`:`",
            Token::Semi => "`;`",
            Token::Dot => "`.`",
            Token::Assign => "`=`",
            Token::EqEq => "`==`",
            Token::NotEq => "`!=`",
            Token::Lt => "`<`",
            Token::Le => "`<=`",
            Token::Gt => "`>`",
            Token::Ge => "`>=`",
            Token::Plus => "`+`",
            Token::Minus => "`-`",
            Token::Star => "`*`",
            Token::Slash => "`/`",
            Token::Caret => "`^`",
            Token::Tilde => "`~`",
            Token::Arrow => "`->`",
        };
        f.write_str(s)
    }
}

/// The keywords of the language, for completion and "did you mean".
pub const KEYWORDS: &[&str] = &[
    "let",
    "fn",
    "op",
    "if",
    "else",
    "true",
    "false",
    "print",
    "formula",
    "operators",
    "graphnet",
    "where",
    "and",
    "or",
    "not",
];

fn unescape(quoted: &str) -> Option<String> {
    let inner = &quoted[1..quoted.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('\\') => out.push('\\'),
                Some('"') => out.push('"'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// A character sequence that is not a token (or a bad escape in a string).
#[derive(Clone, Debug, PartialEq)]
pub struct LexError {
    pub span: Range<usize>,
    pub text: String,
}

/// A token with its byte span.
pub type Spanned = (usize, Token, usize);

/// Lexes `src` completely: every token with its span, plus every lexing error. Newlines are
/// already filtered as described in the module documentation.
pub fn lex(src: &str) -> (Vec<Spanned>, Vec<LexError>) {
    let mut raw = Vec::new();
    let mut errors = Vec::new();
    let mut lexer = Token::lexer(src);
    while let Some(tok) = lexer.next() {
        let span = lexer.span();
        match tok {
            Ok(t) => raw.push((span.start, t, span.end)),
            Err(()) => errors.push(LexError { span: span.clone(), text: src[span].to_string() }),
        }
    }
    (filter_newlines(raw), errors)
}

fn cannot_end_expression(t: &Token) -> bool {
    use Token::*;
    matches!(
        t,
        Plus | Minus
            | Star
            | Slash
            | Caret
            | Tilde
            | Comma
            | Colon
            | Assign
            | EqEq
            | NotEq
            | Lt
            | Le
            | Gt
            | Ge
            | And
            | Or
            | Not
            | LParen
            | LBracket
            | LBrace
            | Dot
            | Arrow
            | Where
            | Else
            | Newline
            | Semi
            | Let
            | Fn
            | Op
            | If
            | Print
            | Formula
            | Operators
            | Graphnet
    )
}

fn cannot_start_statement(t: &Token) -> bool {
    use Token::*;
    matches!(
        t,
        Else | RBrace
            | RParen
            | RBracket
            | Star
            | Slash
            | Caret
            | Tilde
            | Comma
            | Dot
            | EqEq
            | NotEq
            | Lt
            | Le
            | Gt
            | Ge
            | And
            | Or
            | Where
            | Arrow
            | Plus
            | Colon
            | Assign
    )
}

fn filter_newlines(raw: Vec<Spanned>) -> Vec<Spanned> {
    let mut out: Vec<Spanned> = Vec::with_capacity(raw.len());
    let mut nesting: Vec<Token> = Vec::new();
    for i in 0..raw.len() {
        let tok = &raw[i].1;
        match tok {
            Token::LParen | Token::LBracket | Token::LBrace => nesting.push(tok.clone()),
            Token::RParen | Token::RBracket | Token::RBrace => {
                nesting.pop();
            }
            _ => {}
        }
        if *tok == Token::Newline {
            let in_group = matches!(nesting.last(), Some(Token::LParen | Token::LBracket));
            let prev_blocks = out.last().map(|p| cannot_end_expression(&p.1)).unwrap_or(true);
            let next = raw[i + 1..].iter().find(|t| t.1 != Token::Newline);
            let next_blocks = next.map(|n| cannot_start_statement(&n.1)).unwrap_or(true);
            if in_group || prev_blocks || next_blocks {
                continue;
            }
        }
        out.push(raw[i].clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Token> {
        lex(src).0.into_iter().map(|t| t.1).collect()
    }

    #[test]
    fn numbers_names_strings_and_comments() {
        use Token::*;
        assert_eq!(
            kinds("let x = 1.5e3 # note\nprint \"a\\n\""),
            vec![Let, Ident("x".into()), Assign, Num(1500.0), Newline, Print, Str("a\n".into())]
        );
    }

    #[test]
    fn newlines_inside_groups_and_after_operators_are_dropped() {
        use Token::*;
        assert_eq!(kinds("f(1,\n 2)"), vec![Ident("f".into()), LParen, Num(1.0), Comma, Num(2.0), RParen]);
        assert_eq!(kinds("1 +\n 2"), vec![Num(1.0), Plus, Num(2.0)]);
        assert_eq!(kinds("a\n  * b"), vec![Ident("a".into()), Star, Ident("b".into())]);
        assert_eq!(kinds("a\n\n\nb"), vec![Ident("a".into()), Newline, Ident("b".into())]);
    }

    #[test]
    fn unknown_characters_are_errors_not_panics() {
        let (toks, errs) = lex("let x = 1 $ 2 @");
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].span, 10..11);
        assert_eq!(toks.len(), 5);
    }
}
