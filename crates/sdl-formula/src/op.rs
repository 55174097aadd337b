//! The operator library: every built-in operator a formula may contain, its name, arity and
//! reference semantics on `f64`.
//!
//! Semantics follow IEEE 754: domain errors (`log(-1)`, `sqrt(-1)`, `1/0`) give NaN or ±Inf,
//! never a panic. Comparisons return 1.0 for true and 0.0 for false. `cond(c, y)` is PySR's
//! conditional: `y` where `c > 0`, otherwise `0`. User-defined operators (`op sq(x) = x * x`)
//! are `Op::Custom(id)` entries of the process-wide registry in [`crate::custom`].

use std::fmt;

/// A formula operator. Copy-able and small so that flat node arrays stay compact.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    // Binary arithmetic.
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Max,
    Min,
    /// `cond(c, y) = y if c > 0 else 0` (PySR's `cond`).
    Cond,
    // Binary comparisons, 1.0 / 0.0.
    Greater,
    GreaterEq,
    Less,
    LessEq,
    // Unary.
    Neg,
    Square,
    Cube,
    Sqrt,
    Cbrt,
    Abs,
    Sign,
    Inv,
    Exp,
    Log,
    Log10,
    Log2,
    Log1p,
    Sin,
    Cos,
    Tan,
    Sinh,
    Cosh,
    Tanh,
    Asin,
    Acos,
    Atan,
    Erf,
    Relu,
    /// Ternary `ifelse(c, a, b) = a if c > 0 else b`.
    IfElse,
    /// A user-defined operator: index into the registry of [`crate::custom`].
    Custom(u16),
}

/// Every built-in operator, in a fixed order (used for lookup by name and for tests).
pub const BUILTIN_OPS: &[Op] = &[
    Op::Add,
    Op::Sub,
    Op::Mul,
    Op::Div,
    Op::Pow,
    Op::Max,
    Op::Min,
    Op::Cond,
    Op::Greater,
    Op::GreaterEq,
    Op::Less,
    Op::LessEq,
    Op::Neg,
    Op::Square,
    Op::Cube,
    Op::Sqrt,
    Op::Cbrt,
    Op::Abs,
    Op::Sign,
    Op::Inv,
    Op::Exp,
    Op::Log,
    Op::Log10,
    Op::Log2,
    Op::Log1p,
    Op::Sin,
    Op::Cos,
    Op::Tan,
    Op::Sinh,
    Op::Cosh,
    Op::Tanh,
    Op::Asin,
    Op::Acos,
    Op::Atan,
    Op::Erf,
    Op::Relu,
    Op::IfElse,
];

impl Op {
    /// Number of arguments (1, 2 or 3).
    pub fn arity(self) -> usize {
        use Op::*;
        match self {
            Add | Sub | Mul | Div | Pow | Max | Min | Cond | Greater | GreaterEq | Less | LessEq => 2,
            IfElse => 3,
            Custom(id) => crate::custom::arity(id),
            _ => 1,
        }
    }

    /// The canonical name used in operator sets and function-call syntax (`exp`, `+`, `cond`).
    pub fn name(self) -> String {
        match self {
            Op::Custom(id) => crate::custom::name(id),
            other => other.builtin_name().to_string(),
        }
    }

    fn builtin_name(self) -> &'static str {
        use Op::*;
        match self {
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Pow => "^",
            Max => "max",
            Min => "min",
            Cond => "cond",
            Greater => "greater",
            GreaterEq => "greater_equal",
            Less => "less",
            LessEq => "less_equal",
            Neg => "neg",
            Square => "square",
            Cube => "cube",
            Sqrt => "sqrt",
            Cbrt => "cbrt",
            Abs => "abs",
            Sign => "sign",
            Inv => "inv",
            Exp => "exp",
            Log => "log",
            Log10 => "log10",
            Log2 => "log2",
            Log1p => "log1p",
            Sin => "sin",
            Cos => "cos",
            Tan => "tan",
            Sinh => "sinh",
            Cosh => "cosh",
            Tanh => "tanh",
            Asin => "asin",
            Acos => "acos",
            Atan => "atan",
            Erf => "erf",
            Relu => "relu",
            IfElse => "ifelse",
            Custom(_) => "custom",
        }
    }

    /// Looks an operator up by name. Accepts the canonical names plus the aliases users type:
    /// `plus minus mult times div pow`, `>`/`>=`/`<`/`<=`, `if` for `ifelse`. Built-in operators only: user operators are
    /// named in a [`crate::custom::OpScope`].
    pub fn from_name(name: &str) -> Option<Op> {
        let alias = match name {
            "plus" | "add" => Some(Op::Add),
            "minus" | "sub" => Some(Op::Sub),
            "mult" | "times" | "mul" => Some(Op::Mul),
            "div" => Some(Op::Div),
            "pow" => Some(Op::Pow),
            ">" => Some(Op::Greater),
            ">=" => Some(Op::GreaterEq),
            "<" => Some(Op::Less),
            "<=" => Some(Op::LessEq),
            "if" => Some(Op::IfElse),
            _ => None,
        };
        alias.or_else(|| BUILTIN_OPS.iter().copied().find(|op| op.builtin_name() == name))
    }

    /// True for the infix arithmetic operators `+ - * / ^`.
    pub fn is_infix(self) -> bool {
        matches!(self, Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Pow)
    }

    /// True for operators whose arguments may be swapped without changing the value.
    pub fn is_commutative(self) -> bool {
        matches!(self, Op::Add | Op::Mul | Op::Max | Op::Min)
    }

    /// Reference semantics of a unary operator on `f64`. Panics only if `self` is not unary
    /// built-in (a programming error inside the library, never a user input).
    pub fn apply1(self, x: f64) -> f64 {
        use Op::*;
        match self {
            Neg => -x,
            Square => x * x,
            Cube => x * x * x,
            Sqrt => x.sqrt(),
            Cbrt => x.cbrt(),
            Abs => x.abs(),
            Sign => {
                if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else if x == 0.0 {
                    0.0
                } else {
                    f64::NAN
                }
            }
            Inv => 1.0 / x,
            Exp => x.exp(),
            Log => x.ln(),
            Log10 => x.log10(),
            Log2 => x.log2(),
            Log1p => x.ln_1p(),
            Sin => x.sin(),
            Cos => x.cos(),
            Tan => x.tan(),
            Sinh => x.sinh(),
            Cosh => x.cosh(),
            Tanh => x.tanh(),
            Asin => x.asin(),
            Acos => x.acos(),
            Atan => x.atan(),
            Erf => erf(x),
            Relu => {
                if x > 0.0 {
                    x
                } else if x.is_nan() {
                    f64::NAN
                } else {
                    0.0
                }
            }
            Custom(id) => crate::custom::apply(id, &[x]),
            _ => unreachable!("apply1 called on non-unary operator {self:?}"),
        }
    }

    /// Reference semantics of a binary operator on `f64`.
    pub fn apply2(self, a: f64, b: f64) -> f64 {
        use Op::*;
        match self {
            Add => a + b,
            Sub => a - b,
            Mul => a * b,
            Div => a / b,
            Pow => a.powf(b),
            Max => {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.max(b)
                }
            }
            Min => {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.min(b)
                }
            }
            Cond => {
                if a.is_nan() {
                    f64::NAN
                } else if a > 0.0 {
                    b
                } else {
                    0.0
                }
            }
            Greater => bool_or_nan(a, b, a > b),
            GreaterEq => bool_or_nan(a, b, a >= b),
            Less => bool_or_nan(a, b, a < b),
            LessEq => bool_or_nan(a, b, a <= b),
            Custom(id) => crate::custom::apply(id, &[a, b]),
            _ => unreachable!("apply2 called on non-binary operator {self:?}"),
        }
    }

    /// Reference semantics of a ternary operator on `f64`.
    pub fn apply3(self, c: f64, a: f64, b: f64) -> f64 {
        match self {
            Op::IfElse => {
                if c.is_nan() {
                    f64::NAN
                } else if c > 0.0 {
                    a
                } else {
                    b
                }
            }
            Op::Custom(id) => crate::custom::apply(id, &[c, a, b]),
            _ => unreachable!("apply3 called on non-ternary operator {self:?}"),
        }
    }

    /// Applies the operator to `args.len() == self.arity()` arguments.
    pub fn apply(self, args: &[f64]) -> f64 {
        match args.len() {
            1 => self.apply1(args[0]),
            2 => self.apply2(args[0], args[1]),
            3 => self.apply3(args[0], args[1], args[2]),
            n => unreachable!("operator {self:?} applied to {n} arguments"),
        }
    }
}

fn bool_or_nan(a: f64, b: f64, value: bool) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if value {
        1.0
    } else {
        0.0
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// The error function, accurate to about 1e-15 (W. J. Cody's rational approximations are
/// replaced here by the complementary-error continued fraction for large |x| and the Taylor
/// series for small |x|, both summed until they no longer change the result).
pub fn erf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let ax = x.abs();
    let value = if ax < 2.5 {
        // Taylor series: erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)).
        let x2 = ax * ax;
        let mut term = ax;
        let mut sum = ax;
        let mut n = 0.0;
        loop {
            n += 1.0;
            term *= -x2 / n;
            let add = term / (2.0 * n + 1.0);
            sum += add;
            if add.abs() <= 1e-17 * sum.abs() || n > 200.0 {
                break;
            }
        }
        sum * std::f64::consts::FRAC_2_SQRT_PI
    } else if ax < 6.0 {
        // Continued fraction for erfc(x), evaluated bottom-up with a fixed depth.
        let mut frac = 0.0;
        for k in (1..=60).rev() {
            frac = (k as f64 / 2.0) / (ax + frac);
        }
        let erfc = (-ax * ax).exp() / (ax + frac) / std::f64::consts::PI.sqrt();
        1.0 - erfc
    } else {
        1.0
    };
    value.copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_for_every_builtin() {
        for &op in BUILTIN_OPS {
            assert_eq!(Op::from_name(&op.name()), Some(op), "{op:?}");
        }
    }

    #[test]
    fn erf_matches_known_values() {
        let cases = [
            (0.0, 0.0),
            (0.5, 0.520_499_877_813_046_5),
            (1.0, 0.842_700_792_949_714_9),
            (2.0, 0.995_322_265_018_952_7),
            (3.0, 0.999_977_909_503_001_4),
            (-1.0, -0.842_700_792_949_714_9),
        ];
        for (x, want) in cases {
            assert!((erf(x) - want).abs() < 1e-13, "erf({x}) = {} want {want}", erf(x));
        }
    }

    #[test]
    fn domain_errors_give_nan_not_panic() {
        assert!(Op::Log.apply1(-1.0).is_nan());
        assert!(Op::Sqrt.apply1(-1.0).is_nan());
        assert!(Op::Div.apply2(1.0, 0.0).is_infinite());
        assert!(Op::Pow.apply2(-2.0, 0.5).is_nan());
    }
}
