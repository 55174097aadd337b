//! Units: a dimension with an SI scale factor, parsed from the way people write them in CSV
//! headers and code, with typed errors that carry byte ranges and "did you mean" suggestions.
//!
//! In: any string (`kg*m/s^2`, `m s^-1`, `km/h`, `µs`, `m^(1/2)`, `W/(m^2*K^4)`, `m²`, `1`, ``).
//! Out: a [`Unit`] or a [`UnitError`]. Always true: parsing never panics, whatever the input
//! (a nesting limit bounds recursion; numbers and exponents are range-checked), and a
//! `Dim`'s `Display` parses back to the same dimension with scale 1.
//!
//! Grammar: a product of factors joined by `*`, `·`, `⋅`, `.`, plain juxtaposition (`m s^-1`) or
//! `/`, all of one precedence and left-associative (`kg/m/s` = kg m^-1 s^-1, and `J/kg K` =
//! J K/kg: write `J/(kg K)`). A factor is a unit name (see `table.rs`), a positive number (`1`,
//! `1e-3`, `10^3`; a scale) or a parenthesised product, optionally raised to a power:
//! `^2`, `^-1`, `**2`, `^(1/2)`, `^(-3/2)`, `^0.5`, digits attached to a name (`m2`, `s-1`) or
//! superscripts (`m²`, `s⁻¹`). `m^1/2` is refused as ambiguous (write `m^(1/2)`). The empty
//! string, `1`, `-` and `dimensionless` are dimensionless. Exponents live on the `1/60` grid of
//! [`Dim`]. Temperature scales with an offset (`°C`, `degC`, `°F`) are refused with
//! [`UnitErrorKind::Affine`]: a unit here is linear (value_SI = value * scale); write `K`.

use crate::dim::rational_exponent;
use crate::{table, Dim};
use std::fmt;
use std::ops::Range;

/// A unit: a dimension and the factor that converts a value in this unit to SI base units.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Unit {
    pub dim: Dim,
    /// `value_in_SI = value * scale` (`km`: 1000, `min`: 60, `g`: 0.001).
    pub scale: f64,
}

/// Why a string is not a unit, and where (byte offsets into the parsed string).
#[derive(Clone, Debug, PartialEq)]
pub struct UnitError {
    pub kind: UnitErrorKind,
    pub span: Range<usize>,
}

/// The kinds of unit errors.
#[derive(Clone, Debug, PartialEq)]
pub enum UnitErrorKind {
    /// A name that is no known unit; `suggestion` is the closest known name, if any is close.
    Unknown { name: String, suggestion: Option<String> },
    /// A temperature scale with an offset (`°C`): refused, the unit model is linear.
    Affine { name: String },
    /// Something other than what the grammar allows here.
    Unexpected { found: String, expected: &'static str },
    /// `m^1/2`: write `m^(1/2)` (or `m/2` if a scale of one half was meant).
    AmbiguousExponent,
    /// An exponent off the 1/60 grid (`^(1/7)`, `^0.333`) or a result out of range.
    NotRepresentable,
    /// A number that is zero, negative or not finite where a scale was expected.
    BadNumber,
    /// Parentheses nested deeper than the parser follows (32).
    TooDeep,
}

impl fmt::Display for UnitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            UnitErrorKind::Unknown { name, suggestion: Some(s) } => {
                write!(f, "unknown unit `{name}`; did you mean `{s}`?")
            }
            UnitErrorKind::Unknown { name, suggestion: None } => write!(f, "unknown unit `{name}`"),
            UnitErrorKind::Affine { name } => {
                write!(f, "`{name}` has an offset from kelvin, which units here cannot express; give the column in K")
            }
            UnitErrorKind::Unexpected { found, expected } => write!(f, "expected {expected}, found {found}"),
            UnitErrorKind::AmbiguousExponent => f.write_str("ambiguous exponent; write `^(1/2)` for a fraction"),
            UnitErrorKind::NotRepresentable => {
                f.write_str("exponent is not a multiple of 1/60 or the result is out of range")
            }
            UnitErrorKind::BadNumber => f.write_str("a scale must be a positive finite number"),
            UnitErrorKind::TooDeep => f.write_str("parentheses nested too deeply"),
        }
    }
}

impl std::error::Error for UnitError {}

impl Unit {
    /// The dimensionless unit with scale 1.
    pub const ONE: Unit = Unit { dim: Dim::ONE, scale: 1.0 };

    /// A unit of dimension `dim` and scale 1 (a coherent SI unit).
    pub const fn si(dim: Dim) -> Unit {
        Unit { dim, scale: 1.0 }
    }

    /// Parses a unit expression (see the module documentation for the grammar).
    pub fn parse(text: &str) -> Result<Unit, UnitError> {
        if text.trim() == "-" {
            return Ok(Unit::ONE);
        }
        let toks = crate::lex::lex(text)?;
        let mut p = Parser { toks, pos: 0, depth: 0 };
        if matches!(p.peek(), Tok::End) {
            return Ok(Unit::ONE);
        }
        let unit = p.product()?;
        match p.peek() {
            Tok::End => Ok(unit),
            Tok::RParen => Err(p.unexpected("a unit or the end")),
            _ => Err(p.unexpected("`*`, `/` or the end")),
        }
    }

    /// `value` in this unit expressed in SI base units.
    pub fn to_si(self, value: f64) -> f64 {
        value * self.scale
    }

    fn mul(self, other: Unit, span: &Range<usize>) -> Result<Unit, UnitError> {
        let dim = self.dim.checked_mul(other.dim).ok_or_else(|| err(UnitErrorKind::NotRepresentable, span))?;
        Ok(Unit { dim, scale: self.scale * other.scale })
    }

    fn div(self, other: Unit, span: &Range<usize>) -> Result<Unit, UnitError> {
        let dim = self.dim.checked_div(other.dim).ok_or_else(|| err(UnitErrorKind::NotRepresentable, span))?;
        Ok(Unit { dim, scale: self.scale / other.scale })
    }
}

impl std::str::FromStr for Unit {
    type Err = UnitError;
    fn from_str(s: &str) -> Result<Unit, UnitError> {
        Unit::parse(s)
    }
}

impl fmt::Display for Unit {
    /// The dimension, preceded by the scale when it is not 1 (`0.001 m`, `60 s`): parses back to
    /// an equal unit.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.scale == 1.0, self.dim.is_dimensionless()) {
            (true, _) => write!(f, "{}", self.dim),
            (false, true) => write!(f, "{:?}", self.scale),
            (false, false) => write!(f, "{:?} {}", self.scale, self.dim),
        }
    }
}

pub(crate) fn err(kind: UnitErrorKind, span: &Range<usize>) -> UnitError {
    UnitError { kind, span: span.clone() }
}

/// A token of a unit expression.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    Name,
    Num(f64),
    Star,
    Slash,
    /// `^` or `**`.
    Caret,
    Plus,
    Minus,
    LParen,
    RParen,
    /// An exponent attached to a name (`m2`, `s-1`) or written in superscripts (`²`, `⁻¹`).
    Attached(i32),
    End,
}

struct Parser {
    toks: Vec<(Tok, Range<usize>, String)>,
    pos: usize,
    depth: usize,
}

const MAX_DEPTH: usize = 32;

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos.min(self.toks.len() - 1)].0
    }

    fn peek_at(&self, k: usize) -> &Tok {
        &self.toks[(self.pos + k).min(self.toks.len() - 1)].0
    }

    fn span(&self) -> Range<usize> {
        self.toks[self.pos.min(self.toks.len() - 1)].1.clone()
    }

    fn bump(&mut self) -> (Tok, Range<usize>, String) {
        let t = self.toks[self.pos.min(self.toks.len() - 1)].clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn unexpected(&self, expected: &'static str) -> UnitError {
        let (tok, span, text) = &self.toks[self.pos.min(self.toks.len() - 1)];
        let found = if *tok == Tok::End { "the end".to_string() } else { format!("`{text}`") };
        err(UnitErrorKind::Unexpected { found, expected }, span)
    }

    fn product(&mut self) -> Result<Unit, UnitError> {
        let start = self.span().start;
        let mut acc = self.power()?;
        loop {
            let divide = match self.peek() {
                Tok::Star => {
                    self.bump();
                    false
                }
                Tok::Slash => {
                    self.bump();
                    true
                }
                Tok::Name | Tok::Num(_) | Tok::LParen => false,
                _ => return Ok(acc),
            };
            let rhs = self.power()?;
            let span = start..self.toks[self.pos.saturating_sub(1)].1.end;
            acc = if divide { acc.div(rhs, &span)? } else { acc.mul(rhs, &span)? };
        }
    }

    fn power(&mut self) -> Result<Unit, UnitError> {
        let base = self.atom()?;
        let (raw, span) = match self.peek().clone() {
            Tok::Attached(n) => {
                let span = self.bump().1;
                (n.checked_mul(crate::dim::DEN), span)
            }
            Tok::Caret => {
                self.bump();
                self.exponent()?
            }
            _ => return Ok(base),
        };
        let raw = raw.ok_or_else(|| err(UnitErrorKind::NotRepresentable, &span))?;
        let dim = base.dim.checked_pow_raw(raw).ok_or_else(|| err(UnitErrorKind::NotRepresentable, &span))?;
        let scale = base.scale.powf(raw as f64 / crate::dim::DEN as f64);
        if !(scale.is_finite() && scale > 0.0) {
            return Err(err(UnitErrorKind::BadNumber, &span));
        }
        Ok(Unit { dim, scale })
    }

    /// After `^`: `2`, `-1`, `+3`, `0.5`, `(1/2)`, `(-3/2)`, `(0.5)`. Returns the exponent
    /// times 60 (`None` when off the grid) and its span.
    fn exponent(&mut self) -> Result<(Option<i32>, Range<usize>), UnitError> {
        let start = self.span().start;
        if matches!(self.peek(), Tok::LParen) {
            self.bump();
            let (num, _) = self.signed_number()?;
            let mut value = num;
            if matches!(self.peek(), Tok::Slash) {
                self.bump();
                let (den, _) = self.signed_number()?;
                value = if num.fract() == 0.0 && den.fract() == 0.0 && den != 0.0 { num / den } else { f64::NAN };
            }
            if !matches!(self.peek(), Tok::RParen) {
                return Err(self.unexpected("`)` closing the exponent"));
            }
            let end = self.bump().1.end;
            return Ok((rational_exponent(value), start..end));
        }
        let (value, span) = self.signed_number()?;
        if matches!(self.peek(), Tok::Slash) && matches!(self.peek_at(1), Tok::Num(_)) {
            return Err(err(UnitErrorKind::AmbiguousExponent, &(start..self.toks[self.pos + 1].1.end)));
        }
        Ok((rational_exponent(value), start..span.end))
    }

    fn signed_number(&mut self) -> Result<(f64, Range<usize>), UnitError> {
        let sign = match self.peek() {
            Tok::Minus => {
                self.bump();
                -1.0
            }
            Tok::Plus => {
                self.bump();
                1.0
            }
            _ => 1.0,
        };
        match self.peek().clone() {
            Tok::Num(v) => Ok((sign * v, self.bump().1)),
            _ => Err(self.unexpected("an exponent")),
        }
    }

    fn atom(&mut self) -> Result<Unit, UnitError> {
        match self.peek().clone() {
            Tok::Name => {
                let (_, span, text) = self.bump();
                if table::is_affine(&text) {
                    return Err(err(UnitErrorKind::Affine { name: text }, &span));
                }
                match table::lookup(&text) {
                    Some((dim, scale)) => Ok(Unit { dim, scale }),
                    None => {
                        let suggestion = table::suggest(&text);
                        Err(err(UnitErrorKind::Unknown { name: text, suggestion }, &span))
                    }
                }
            }
            Tok::Num(v) => {
                let span = self.bump().1;
                if v.is_finite() && v > 0.0 {
                    Ok(Unit { dim: Dim::ONE, scale: v })
                } else {
                    Err(err(UnitErrorKind::BadNumber, &span))
                }
            }
            Tok::LParen => {
                if self.depth >= MAX_DEPTH {
                    return Err(err(UnitErrorKind::TooDeep, &self.span()));
                }
                self.bump();
                self.depth += 1;
                let inner = self.product()?;
                self.depth -= 1;
                if !matches!(self.peek(), Tok::RParen) {
                    return Err(self.unexpected("`)`"));
                }
                self.bump();
                Ok(inner)
            }
            _ => Err(self.unexpected("a unit")),
        }
    }
}

/// Splits a column header into its name and unit: `r [m]`, `v [m/s]`, `F [kg*m/s^2]`, `E[J]`,
/// `T []` (dimensionless). `None` when the header carries no unit. Also accepts a parenthesised
/// unit after a space (`mass (kg)`), but only when it parses, since parentheses may belong to
/// the name (`f (x)`). The error span is relative to the whole header. The name is trimmed and
/// may be empty (`[m]`).
pub fn header_unit(header: &str) -> Option<(&str, Result<Unit, UnitError>)> {
    let trimmed = header.trim_end();
    if let Some(body) = trimmed.strip_suffix(']') {
        let open = body.rfind('[')?;
        let unit = Unit::parse(&body[open + 1..]).map_err(|mut e| {
            e.span = e.span.start + open + 1..e.span.end + open + 1;
            e
        });
        return Some((header[..open].trim(), unit));
    }
    let body = trimmed.strip_suffix(')')?;
    let open = body.rfind('(')?;
    let name = &header[..open];
    if !name.ends_with(char::is_whitespace) || name.trim().is_empty() {
        return None;
    }
    Unit::parse(&body[open + 1..]).ok().map(|u| (name.trim(), Ok(u)))
}
