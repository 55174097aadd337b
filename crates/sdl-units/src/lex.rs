//! The lexer of unit expressions.
//!
//! In: any string. Out: tokens with their byte ranges and text, ending with `Tok::End`, or a
//! [`UnitError`] for a character no unit expression contains. Always true: never panics; the
//! ranges lie on character boundaries of the input; digits attached to a name (`m2`, `s-1`) and
//! superscript runs (`²`, `⁻¹`) become one `Tok::Attached` exponent.

use crate::unit::{err, Tok, UnitError, UnitErrorKind};
use std::ops::Range;

type Token = (Tok, Range<usize>, String);

fn is_name_char(c: char) -> bool {
    c.is_alphabetic() || matches!(c, '°' | '%' | '_' | '℃' | '℉' | 'Ω')
}

fn superscript_digit(c: char) -> Option<i64> {
    match c {
        '⁰' => Some(0),
        '¹' => Some(1),
        '²' => Some(2),
        '³' => Some(3),
        '⁴'..='⁹' => Some(c as i64 - '⁴' as i64 + 4),
        _ => None,
    }
}

/// Splits `text` into tokens.
pub(crate) fn lex(text: &str) -> Result<Vec<Token>, UnitError> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let byte = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    while let Some(c) = at(i) {
        let start = i;
        let tok = match c {
            _ if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '*' if at(i + 1) == Some('*') => {
                i += 2;
                Tok::Caret
            }
            '*' | '·' | '⋅' | '×' => {
                i += 1;
                Tok::Star
            }
            '.' if !at(i + 1).is_some_and(|d| d.is_ascii_digit()) => {
                i += 1;
                Tok::Star
            }
            '/' => {
                i += 1;
                Tok::Slash
            }
            '^' => {
                i += 1;
                Tok::Caret
            }
            '(' => {
                i += 1;
                Tok::LParen
            }
            ')' => {
                i += 1;
                Tok::RParen
            }
            '+' => {
                i += 1;
                Tok::Plus
            }
            '-' => {
                i += 1;
                Tok::Minus
            }
            _ if c.is_ascii_digit() || c == '.' => {
                i = number_end(&chars, i);
                let s = &text[byte(start)..byte(i)];
                Tok::Num(s.parse::<f64>().unwrap_or(f64::NAN))
            }
            _ if superscript_digit(c).is_some() || c == '⁻' || c == '⁺' => {
                let negative = c == '⁻';
                if matches!(c, '⁻' | '⁺') {
                    i += 1;
                }
                let mut n: i64 = 0;
                let digits_start = i;
                while let Some(d) = at(i).and_then(superscript_digit) {
                    n = (n * 10 + d).min(1_000_000);
                    i += 1;
                }
                let span = byte(start)..byte(i);
                if i == digits_start {
                    return Err(err(
                        UnitErrorKind::Unexpected { found: format!("`{c}`"), expected: "a superscript digit" },
                        &span,
                    ));
                }
                Tok::Attached(if negative { -n } else { n } as i32)
            }
            _ if is_name_char(c) => {
                while at(i).is_some_and(is_name_char) {
                    i += 1;
                }
                out.push((Tok::Name, byte(start)..byte(i), text[byte(start)..byte(i)].to_string()));
                // Digits written straight after a name are its exponent: `m2`, `s-1`, `m+3`.
                let sign = matches!(at(i), Some('-' | '+'));
                let first_digit = if sign { i + 1 } else { i };
                if at(first_digit).is_some_and(|d| d.is_ascii_digit()) {
                    let exp_start = i;
                    i = first_digit;
                    let mut n: i64 = 0;
                    while let Some(d) = at(i).and_then(|d| d.to_digit(10)) {
                        n = (n * 10 + d as i64).min(1_000_000);
                        i += 1;
                    }
                    let n = if at(exp_start) == Some('-') { -n } else { n };
                    out.push((
                        Tok::Attached(n as i32),
                        byte(exp_start)..byte(i),
                        text[byte(exp_start)..byte(i)].into(),
                    ));
                }
                continue;
            }
            _ => {
                let span = byte(i)..byte(i + 1);
                let found = format!("`{c}`");
                return Err(err(UnitErrorKind::Unexpected { found, expected: "a unit, number or operator" }, &span));
            }
        };
        let span = byte(start)..byte(i);
        out.push((tok, span.clone(), text[span].to_string()));
    }
    out.push((Tok::End, text.len()..text.len(), String::new()));
    Ok(out)
}

/// The index just past a number starting at `i`: digits, an optional fraction, and an optional
/// exponent (`e` or `E`, only when digits follow, so `2eV` is two and an electronvolt).
fn number_end(chars: &[(usize, char)], mut i: usize) -> usize {
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let digits = |mut i: usize| {
        while at(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
        i
    };
    i = digits(i);
    if at(i) == Some('.') {
        i = digits(i + 1);
    }
    if matches!(at(i), Some('e' | 'E')) {
        let j = if matches!(at(i + 1), Some('+' | '-')) { i + 2 } else { i + 1 };
        if at(j).is_some_and(|c| c.is_ascii_digit()) {
            i = digits(j);
        }
    }
    i
}
