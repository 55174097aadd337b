//! Syntax: source text in, an untyped [`ast::Program`] plus every syntax diagnostic out.
//!
//! **Invariant:** `parse` never panics and never stops at the first error. Lexing errors and
//! parse errors become diagnostics (`unknown-character`, `unexpected-token`,
//! `unexpected-end`, ...), and broken statements become `StmtKind::Error` nodes so that the rest
//! of the input is still parsed and checked.

pub mod ast;
pub mod lexer;

use crate::diag::{Code, Diagnostic};
use ast::{Expr, Program, Span};
use lalrpop_util::{lalrpop_mod, ErrorRecovery, ParseError};
use lexer::{LexError, Token};

lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused_parens, unused_imports, dead_code)]
    grammar,
    "/sdl.rs"
);

/// Parses a whole program. Returns the tree (with error nodes where statements did not parse)
/// and all diagnostics.
pub fn parse(src: &str) -> (Program, Vec<Diagnostic>) {
    let (tokens, lex_errors) = lexer::lex(src);
    let mut diags: Vec<Diagnostic> = lex_errors.iter().map(lex_diag).collect();
    let mut recovered: Vec<ErrorRecovery<usize, Token, LexError>> = Vec::new();
    let result = grammar::ProgramParser::new().parse(&mut recovered, tokens.into_iter().map(Ok::<_, LexError>));
    for r in recovered {
        diags.push(parse_diag(r.error, src.len()));
    }
    match result {
        Ok(program) => (program, diags),
        Err(e) => {
            diags.push(parse_diag(e, src.len()));
            (Program::default(), diags)
        }
    }
}

/// Parses a single expression (used by `:type` and `:ast` in the REPL).
pub fn parse_expr(src: &str) -> (Option<Expr>, Vec<Diagnostic>) {
    let (tokens, lex_errors) = lexer::lex(src);
    let mut diags: Vec<Diagnostic> = lex_errors.iter().map(lex_diag).collect();
    let mut recovered = Vec::new();
    let tokens = tokens.into_iter().filter(|t| t.1 != Token::Newline).map(Ok::<_, LexError>);
    match grammar::ExprParser::new().parse(&mut recovered, tokens) {
        Ok(e) => (Some(e), diags),
        Err(e) => {
            diags.push(parse_diag(e, src.len()));
            (None, diags)
        }
    }
}

/// True when the only problem with `src` is that it ends too early (an open bracket, a
/// dangling operator): the REPL then keeps reading lines.
pub fn is_incomplete(src: &str) -> bool {
    let (_, diags) = parse(src);
    !diags.is_empty() && diags.iter().all(|d| d.code == Code::UnexpectedEnd)
}

fn lex_diag(e: &LexError) -> Diagnostic {
    if e.text.starts_with('"') {
        Diagnostic::new(Code::BadString, format!("malformed string literal {}", e.text), e.span.clone())
            .with_label("this string is not closed on its line, or has an unknown escape")
            .with_help("strings are written \"...\" on one line; escapes are \\n \\t \\\\ \\\"")
    } else {
        Diagnostic::new(Code::UnknownCharacter, format!("unknown character `{}`", e.text), e.span.clone())
            .with_label("not part of any sdl token")
            .with_help("remove it; comments start with `#`")
    }
}

fn expected_list(expected: &[String]) -> String {
    let mut names: Vec<String> = expected
        .iter()
        .filter(|s| !s.contains("nl"))
        .map(|s| match s.as_str() {
            "\"name\"" => "a name".to_string(),
            "\"number\"" => "a number".to_string(),
            "\"string\"" => "a string".to_string(),
            other => format!("`{}`", other.trim_matches('"')),
        })
        .collect();
    // Names and literals first: they are what a user most often forgot.
    names.sort_by_key(|n| !n.starts_with("a "));
    names.truncate(8);
    names.join(", ")
}

fn parse_diag(e: ParseError<usize, Token, LexError>, src_len: usize) -> Diagnostic {
    match e {
        ParseError::InvalidToken { location } => {
            Diagnostic::new(Code::UnexpectedToken, "invalid token", location..location + 1)
        }
        ParseError::UnrecognizedEof { location, expected } => {
            let span: Span = location.min(src_len)..src_len.max(location);
            Diagnostic::new(Code::UnexpectedEnd, "the input ends too early", span)
                .with_label("more was expected here")
                .with_help(format!("finish the statement; expected one of: {}", expected_list(&expected)))
        }
        ParseError::UnrecognizedToken { token: (l, tok, r), expected } => {
            let help = if expected.is_empty() {
                "check the statement's syntax".to_string()
            } else {
                format!("expected one of: {}", expected_list(&expected))
            };
            let (code, message) = match tok {
                Token::Newline => (Code::UnexpectedToken, "unexpected end of line".to_string()),
                Token::RParen | Token::RBracket | Token::RBrace => {
                    (Code::UnbalancedBracket, format!("unexpected closing {tok}"))
                }
                _ => (Code::UnexpectedToken, format!("unexpected {tok}")),
            };
            Diagnostic::new(code, message, l..r).with_label("not expected here").with_help(help)
        }
        ParseError::ExtraToken { token: (l, tok, r) } => {
            Diagnostic::new(Code::UnexpectedToken, format!("unexpected {tok}"), l..r)
                .with_label("extra token")
                .with_help("remove it")
        }
        ParseError::User { error } => lex_diag(&error),
    }
}
