//! Physical dimensions as a small exact type: exponents over the seven SI base dimensions.
//!
//! In: base dimensions and rational exponents. Out: [`Dim`] values, their products, quotients
//! and rational powers, printed canonically (`kg*m^2/s^2`, `m^(1/2)`, `1`).
//! Always true: every exponent is stored exactly as a multiple of `1/`[`DEN`] in an `i16`, so
//! equality is plain array equality and `Dim` is `Copy`, hashable and 14 bytes long. Operations
//! that would leave that grid (`m^(1/7)`, `sqrt` of `m^(1/60)`) or overflow it (exponents past
//! about ±546) return `None` from the `checked_*` methods; the operator traits panic on those,
//! like integer overflow, and are meant for literals in code and tests.
//!
//! Why a fixed denominator instead of reduced `i16` pairs: 60 = lcm(1..6) covers the exponents
//! physics meets (halves from `sqrt`, thirds from `cbrt` and Kepler's law, quarters, fifths from
//! the Sedov–Taylor blast wave `(E t^2/rho)^(1/5)`, sixths, tenths, twelfths), arithmetic needs
//! no gcd (a product is seven additions, which matters in the search's per-candidate check), and
//! printing reduces each exponent once.

use std::fmt;

/// Every exponent is a multiple of `1/DEN`.
pub const DEN: i32 = 60;

/// The base dimensions in storage order, by their SI unit symbols.
pub const BASE_SYMBOLS: [&str; 7] = ["m", "kg", "s", "A", "K", "mol", "cd"];

/// The order in which [`Dim`]'s `Display` writes base units (`kg*m^2/s^2`, as SI texts do).
const DISPLAY_ORDER: [usize; 7] = [1, 0, 2, 3, 4, 5, 6];

/// A physical dimension: `m^e0 * kg^e1 * s^e2 * A^e3 * K^e4 * mol^e5 * cd^e6` with rational
/// exponents, each stored as `e * DEN`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Dim {
    raw: [i16; 7],
}

impl Dim {
    /// The dimensionless dimension (all exponents zero).
    pub const ONE: Dim = Dim { raw: [0; 7] };
    /// Length (metre).
    pub const LENGTH: Dim = Dim::base(0);
    /// Mass (kilogram).
    pub const MASS: Dim = Dim::base(1);
    /// Time (second).
    pub const TIME: Dim = Dim::base(2);
    /// Electric current (ampere).
    pub const CURRENT: Dim = Dim::base(3);
    /// Thermodynamic temperature (kelvin).
    pub const TEMPERATURE: Dim = Dim::base(4);
    /// Amount of substance (mole).
    pub const AMOUNT: Dim = Dim::base(5);
    /// Luminous intensity (candela).
    pub const LUMINOSITY: Dim = Dim::base(6);

    const fn base(i: usize) -> Dim {
        let mut raw = [0i16; 7];
        raw[i] = DEN as i16;
        Dim { raw }
    }

    /// The dimension with integer exponents `[m, kg, s, A, K, mol, cd]`; `None` past the range.
    pub fn from_ints(exps: [i32; 7]) -> Option<Dim> {
        let mut raw = [0i16; 7];
        for (r, e) in raw.iter_mut().zip(exps) {
            *r = i16::try_from(e.checked_mul(DEN)?).ok()?;
        }
        Some(Dim { raw })
    }

    /// The dimension whose exponents are `raw[i] / DEN`.
    pub const fn from_raw(raw: [i16; 7]) -> Dim {
        Dim { raw }
    }

    /// The exponents times [`DEN`], in storage order `[m, kg, s, A, K, mol, cd]`.
    pub const fn raw(self) -> [i16; 7] {
        self.raw
    }

    /// The exponent of base dimension `i` as a reduced fraction `(numerator, denominator > 0)`.
    pub fn exponent(self, i: usize) -> (i32, i32) {
        reduce(self.raw[i] as i32, DEN)
    }

    /// True when every exponent is zero.
    pub fn is_dimensionless(self) -> bool {
        self.raw == [0; 7]
    }

    /// `self * other`, or `None` if an exponent leaves the range.
    pub fn checked_mul(self, other: Dim) -> Option<Dim> {
        self.zip(other, |a, b| a.checked_add(b))
    }

    /// `self / other`, or `None` if an exponent leaves the range.
    pub fn checked_div(self, other: Dim) -> Option<Dim> {
        self.zip(other, |a, b| a.checked_sub(b))
    }

    /// `1 / self` (never fails: the range is symmetric except for `i16::MIN`, which no
    /// constructor produces).
    pub fn inv(self) -> Dim {
        Dim { raw: self.raw.map(|a| a.saturating_neg()) }
    }

    /// `self ^ (num / den)`, or `None` if `den == 0` or a resulting exponent is not a multiple
    /// of `1/DEN` or leaves the range.
    pub fn checked_pow(self, num: i32, den: i32) -> Option<Dim> {
        if den == 0 {
            return None;
        }
        let mut raw = [0i16; 7];
        for (r, &a) in raw.iter_mut().zip(&self.raw) {
            let n = (a as i64) * (num as i64);
            if n % (den as i64) != 0 {
                return None;
            }
            *r = i16::try_from(n / den as i64).ok()?;
        }
        Some(Dim { raw })
    }

    /// `self ^ (raw_exp / DEN)`: a power whose exponent is already on the `1/DEN` grid (as
    /// returned by [`rational_exponent`]).
    pub fn checked_pow_raw(self, raw_exp: i32) -> Option<Dim> {
        self.checked_pow(raw_exp, DEN)
    }

    /// Square root (`None` if an exponent is not a multiple of `2/DEN`).
    pub fn sqrt(self) -> Option<Dim> {
        self.checked_pow(1, 2)
    }

    /// Cube root (`None` if an exponent is not a multiple of `3/DEN`).
    pub fn cbrt(self) -> Option<Dim> {
        self.checked_pow(1, 3)
    }

    fn zip(self, other: Dim, f: impl Fn(i16, i16) -> Option<i16>) -> Option<Dim> {
        let mut raw = [0i16; 7];
        for ((r, &a), &b) in raw.iter_mut().zip(&self.raw).zip(&other.raw) {
            *r = f(a, b)?;
        }
        Some(Dim { raw })
    }

    /// The SI name of a derived unit with exactly this dimension (`N`, `J`, `W`, `Pa`, `C`, `V`,
    /// `F`, `Ω`, `S`, `Wb`, `T`, `H`, `Hz`), for messages like "force (N)". Where two names share
    /// a dimension the commoner wins: `J` over `N*m`, `Hz` over `Bq`.
    pub fn si_name(self) -> Option<&'static str> {
        crate::table::DERIVED_NAMES.iter().find(|(_, exps)| Dim::from_ints(*exps) == Some(self)).map(|(n, _)| *n)
    }
}

fn gcd(a: i32, b: i32) -> i32 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a as i32
}

fn reduce(num: i32, den: i32) -> (i32, i32) {
    let g = gcd(num, den).max(1);
    (num / g, den / g)
}

/// `x` as an exponent on the `1/DEN` grid: `Some(n)` when `x` is within `1e-9 * max(1, |x|)` of
/// `n / DEN` (so `0.5`, `2`, `-1` and `1/3` computed in floating point qualify; a hand-typed
/// `0.333` does not) and `|n|` fits the exponent range; `None` otherwise (NaN, infinities,
/// irrational-looking or finer values).
pub fn rational_exponent(x: f64) -> Option<i32> {
    if !x.is_finite() || x.abs() > 1000.0 {
        return None;
    }
    let scaled = x * DEN as f64;
    let n = scaled.round();
    if (x - n / DEN as f64).abs() <= 1e-9 * x.abs().max(1.0) {
        Some(n as i32)
    } else {
        None
    }
}

impl std::ops::Mul for Dim {
    type Output = Dim;
    /// Panics if an exponent overflows (use [`Dim::checked_mul`] on untrusted input).
    fn mul(self, rhs: Dim) -> Dim {
        self.checked_mul(rhs).expect("dimension exponent overflow")
    }
}

impl std::ops::Div for Dim {
    type Output = Dim;
    /// Panics if an exponent overflows (use [`Dim::checked_div`] on untrusted input).
    fn div(self, rhs: Dim) -> Dim {
        self.checked_div(rhs).expect("dimension exponent overflow")
    }
}

impl Dim {
    /// `self ^ n` for an integer `n`; panics on overflow (see [`Dim::checked_pow`]).
    pub fn powi(self, n: i32) -> Dim {
        self.checked_pow(n, 1).expect("dimension exponent overflow")
    }
}

/// Writes one base unit with the absolute value of its exponent: `m`, `m^2`, `m^(1/2)`.
fn write_factor(f: &mut fmt::Formatter<'_>, symbol: &str, raw: i16) -> fmt::Result {
    let (num, den) = reduce((raw as i32).abs(), DEN);
    match (num, den) {
        (1, 1) => write!(f, "{symbol}"),
        (n, 1) => write!(f, "{symbol}^{n}"),
        (n, d) => write!(f, "{symbol}^({n}/{d})"),
    }
}

impl Dim {
    /// True when `self` is a product of rational powers of `basis` (it lies in their span over
    /// the rationals): `N` from `kg`, `m`, `s`; not `K` from `m`, `s`. Exact (fraction-free
    /// elimination on integers).
    pub fn in_span_of(self, basis: &[Dim]) -> bool {
        // Rows: the seven base dimensions; columns: the basis, then `self`.
        let n = basis.len();
        let mut m: Vec<Vec<i128>> =
            (0..7).map(|i| basis.iter().map(|d| d.raw[i] as i128).chain([self.raw[i] as i128]).collect()).collect();
        let rank = |m: &mut Vec<Vec<i128>>, cols: usize| -> usize {
            let mut r = 0;
            for c in 0..cols {
                let Some(p) = (r..m.len()).find(|&i| m[i][c] != 0) else { continue };
                m.swap(r, p);
                for i in 0..m.len() {
                    if i != r && m[i][c] != 0 {
                        let (a, b) = (m[r][c], m[i][c]);
                        for j in 0..m[i].len() {
                            m[i][j] = m[i][j] * a - m[r][j] * b;
                        }
                        let g = m[i].iter().fold(0i128, |g, &x| gcd128(g, x.abs()));
                        if g > 1 {
                            m[i].iter_mut().for_each(|x| *x /= g);
                        }
                    }
                }
                r += 1;
            }
            r
        };
        let r_basis = rank(&mut m.clone(), n);
        r_basis == rank(&mut m, n + 1)
    }
}

fn gcd128(a: i128, b: i128) -> i128 {
    if b == 0 {
        a
    } else {
        gcd128(b, a % b)
    }
}

/// SymPy's names for the SI base units (`sympy.physics.units`), in `BASE_SYMBOLS` order.
pub const SYMPY_BASE_UNITS: [&str; 7] = ["meter", "kilogram", "second", "ampere", "kelvin", "mole", "candela"];

impl Dim {
    /// LaTeX for the unit in SI base units, upright, positive exponents first:
    /// `\mathrm{m}^{3}\,\mathrm{kg}^{-1}\,\mathrm{s}^{-2}`; `1` when dimensionless.
    pub fn to_latex(self) -> String {
        let order = DISPLAY_ORDER
            .iter()
            .filter(|&&i| self.raw[i] > 0)
            .chain(DISPLAY_ORDER.iter().filter(|&&i| self.raw[i] < 0));
        let parts: Vec<String> = order
            .map(|&i| {
                let (n, d) = self.exponent(i);
                let sym = format!("\\mathrm{{{}}}", BASE_SYMBOLS[i]);
                match (n, d) {
                    (1, 1) => sym,
                    (n, 1) => format!("{sym}^{{{n}}}"),
                    (n, d) => format!("{sym}^{{{n}/{d}}}"),
                }
            })
            .collect();
        if parts.is_empty() {
            "1".into()
        } else {
            parts.join("\\,")
        }
    }

    /// A SymPy product of `sympy.physics.units` base units: `meter**3/(kilogram*second**2)`
    /// (`Rational` exponents where they are fractions); `1` when dimensionless.
    pub fn to_sympy(self) -> String {
        let factor = |i: usize| {
            let (n, d) = self.exponent(i);
            let (n, name) = (n.abs(), SYMPY_BASE_UNITS[i]);
            match (n, d) {
                (1, 1) => name.to_string(),
                (n, 1) => format!("{name}**{n}"),
                (n, d) => format!("{name}**Rational({n}, {d})"),
            }
        };
        let pos: Vec<String> = DISPLAY_ORDER.iter().copied().filter(|&i| self.raw[i] > 0).map(factor).collect();
        let neg: Vec<String> = DISPLAY_ORDER.iter().copied().filter(|&i| self.raw[i] < 0).map(factor).collect();
        let top = if pos.is_empty() { "1".to_string() } else { pos.join("*") };
        match neg.len() {
            0 => top,
            1 => format!("{top}/{}", neg[0]),
            _ => format!("{top}/({})", neg.join("*")),
        }
    }
}

impl fmt::Display for Dim {
    /// Positive exponents first, then `/` and the negative ones, parenthesised when there are
    /// several: `kg*m^2/s^2`, `m^3/(kg*s^2)`, `1/s`, `m^(1/2)`; `1` when dimensionless. The
    /// output parses back to the same dimension with [`crate::Unit::parse`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pos: Vec<usize> = DISPLAY_ORDER.iter().copied().filter(|&i| self.raw[i] > 0).collect();
        let neg: Vec<usize> = DISPLAY_ORDER.iter().copied().filter(|&i| self.raw[i] < 0).collect();
        if pos.is_empty() {
            f.write_str("1")?;
        }
        for (k, &i) in pos.iter().enumerate() {
            if k > 0 {
                f.write_str("*")?;
            }
            write_factor(f, BASE_SYMBOLS[i], self.raw[i])?;
        }
        if neg.is_empty() {
            return Ok(());
        }
        f.write_str("/")?;
        if neg.len() > 1 {
            f.write_str("(")?;
        }
        for (k, &i) in neg.iter().enumerate() {
            if k > 0 {
                f.write_str("*")?;
            }
            write_factor(f, BASE_SYMBOLS[i], self.raw[i])?;
        }
        if neg.len() > 1 {
            f.write_str(")")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_and_printing() {
        let force = Dim::MASS * Dim::LENGTH / Dim::TIME.powi(2);
        assert_eq!(force.to_string(), "kg*m/s^2");
        assert_eq!((force * Dim::LENGTH).to_string(), "kg*m^2/s^2");
        assert_eq!(Dim::LENGTH.sqrt().unwrap().to_string(), "m^(1/2)");
        assert_eq!(Dim::LENGTH.sqrt().unwrap().inv().to_string(), "1/m^(1/2)");
        assert_eq!(Dim::ONE.to_string(), "1");
        assert_eq!(Dim::TIME.inv().to_string(), "1/s");
        let g = Dim::LENGTH.powi(3) / (Dim::MASS * Dim::TIME.powi(2));
        assert_eq!(g.to_string(), "m^3/(kg*s^2)");
        assert_eq!(g.to_latex(), "\\mathrm{m}^{3}\\,\\mathrm{kg}^{-1}\\,\\mathrm{s}^{-2}");
        assert_eq!(g.to_sympy(), "meter**3/(kilogram*second**2)");
        assert_eq!(Dim::LENGTH.sqrt().unwrap().inv().to_sympy(), "1/meter**Rational(1, 2)");
        assert_eq!(Dim::ONE.to_latex(), "1");
        assert!(force.in_span_of(&[Dim::MASS, Dim::LENGTH, Dim::TIME]));
        assert!(Dim::LENGTH.sqrt().unwrap().in_span_of(&[Dim::LENGTH * Dim::LENGTH]));
        assert!(!Dim::TEMPERATURE.in_span_of(&[Dim::LENGTH, Dim::TIME]));
        assert!(!force.in_span_of(&[Dim::MASS * Dim::LENGTH, Dim::LENGTH / Dim::TIME]));
        assert!(Dim::ONE.in_span_of(&[]));
        assert_eq!(force.si_name(), Some("N"));
        assert_eq!(Dim::TIME.inv().si_name(), Some("Hz"));
        assert!(Dim::ONE.is_dimensionless() && !force.is_dimensionless());
        assert_eq!(Dim::LENGTH.checked_pow(1, 7), None);
        assert_eq!(Dim::LENGTH.checked_pow(2, 3).unwrap().exponent(0), (2, 3));
        assert_eq!(Dim::LENGTH.checked_pow(1000, 1), None);
        assert_eq!(Dim::LENGTH.checked_pow(1, 0), None);
    }

    #[test]
    fn rational_exponents() {
        assert_eq!(rational_exponent(0.5), Some(30));
        assert_eq!(rational_exponent(1.0 / 3.0), Some(20));
        assert_eq!(rational_exponent(-2.0), Some(-120));
        assert_eq!(rational_exponent(0.2), Some(12));
        assert_eq!(rational_exponent(0.333), None);
        assert_eq!(rational_exponent(std::f64::consts::E), None);
        assert_eq!(rational_exponent(f64::NAN), None);
        assert_eq!(rational_exponent(1e300), None);
    }
}
