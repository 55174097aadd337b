//! Printing formulas: plain infix (`Display`), LaTeX, SymPy, NumPy and Rust source.
//!
//! Every printer takes a [`Formula`] and returns a string; none of them fails. All five share
//! one bottom-up renderer: each subtree renders to a string plus the precedence of its outermost
//! construct, and a parent parenthesises a child whose precedence is too low for its position.
//! Levels, loosest first: comparison, `+ -`, `* /`, unary minus, `^`, atom. `^` is
//! right-associative and binds tighter than unary minus, so `-x^2` means `-(x^2)`.
//!
//! Always true: the plain form parses back to the same tree, `parse(&f.to_string())` is
//! `same_as(f)` for formulas without named constants (named constants print as their name and
//! so parse back as variables). To make that hold, unnamed negative constants print as `-2.5`
//! and get parentheses wherever a unary minus would (`x * (-2.5)`, `(-2)^x`), while `neg` of a
//! bare number prints as `-(2)`, because the parser reads `-2` (a minus directly before a
//! number that is not a base of `^`) as the negative constant. Constants use Rust's shortest
//! round-trip formatting, so values survive bit for bit. The SymPy, NumPy and Rust exports
//! inline custom operators first, because those targets do not know them.

use crate::tree::Expr;
use crate::{Formula, Op};
use std::fmt;

// Precedence levels, loosest first (shared with the MathML printer).
pub(crate) const CMP: u8 = 1;
pub(crate) const ADD: u8 = 2;
pub(crate) const MUL: u8 = 3;
pub(crate) const UNARY: u8 = 4;
pub(crate) const POW: u8 = 5;
pub(crate) const ATOM: u8 = 6;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Plain,
    Latex,
    Sympy,
    Numpy,
    Rust,
}

/// A rendered subtree and the precedence of its outermost construct.
struct R {
    s: String,
    prec: u8,
}

fn r(s: String, prec: u8) -> R {
    R { s, prec }
}

impl fmt::Display for Formula {
    /// Plain infix that [`crate::parse`] reads back to the same tree.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render(&self.to_expr(), Dialect::Plain).s)
    }
}

/// LaTeX math-mode source: `\frac{a}{b}`, `\sqrt{x}`, `x^{2}`, `\exp\left(x\right)`, `a \cdot b`,
/// with `m1` written `m_{1}` and Greek names as their letters.
pub fn to_latex(f: &Formula) -> String {
    render(&f.to_expr(), Dialect::Latex).s
}

/// A string that SymPy's `sympify` parses to the same function: `**`, `Max`, `Min`, `Abs`,
/// `log(x, 10)`, `real_root(x, 3)`, and `Piecewise` for `cond`, `ifelse` and comparisons. The
/// two agree wherever every intermediate value is finite and real; SymPy's `zoo` and complex
/// values do not follow IEEE infinities and NaN.
pub fn to_sympy(f: &Formula) -> String {
    render(&f.inline_custom().to_expr(), Dialect::Sympy).s
}

/// A Python expression over NumPy arrays (`np.exp`, `np.power`, `np.where`). `erf` is written
/// `scipy.special.erf`, so the caller needs `import numpy as np` and `import scipy.special`.
pub fn to_numpy(f: &Formula) -> String {
    render(&f.inline_custom().to_expr(), Dialect::Numpy).s
}

/// A Rust `f64` expression in method syntax (`x.exp()`, `x.powf(y)`), with variables and named
/// constants as identifiers and literals typed (`2.0_f64`), so it compiles wherever the names
/// are `f64` bindings. `erf` is written as a call `erf(x)` that the caller provides (for
/// example `use sdl_formula::op::erf;`). Comparisons and `cond` become `if` expressions.
pub fn to_rust(f: &Formula) -> String {
    render(&f.inline_custom().to_expr(), Dialect::Rust).s
}

/// Marks a constant's name as "this value carries the unit that follows" while rendering.
const UNIT_MARK: char = '\u{1}';

/// [`to_latex`] with the constant `consts[i]` written as a quantity, its value followed by
/// `units[i]` (LaTeX, e.g. `\mathrm{m}\,\mathrm{s}^{-1}`) where that is `Some`:
/// `2.5\,\mathrm{m}\,\mathrm{s}^{-1} \cdot t`. Named constants keep their names.
pub fn to_latex_with_units(f: &Formula, units: &[Option<String>]) -> String {
    render(&with_unit_marks(f, units).to_expr(), Dialect::Latex).s
}

/// [`to_sympy`] with the constant `consts[i]` multiplied by `units[i]` (a product of
/// `sympy.physics.units` names, e.g. `meter/second`) where that is `Some`, so that SymPy sees a
/// quantity: `sympify(s, locals=vars(sympy.physics.units))`.
pub fn to_sympy_with_units(f: &Formula, units: &[Option<String>]) -> String {
    render(&with_unit_marks(f, units).inline_custom().to_expr(), Dialect::Sympy).s
}

/// `f` with every unnamed constant that has a unit renamed `UNIT_MARK + unit`.
fn with_unit_marks(f: &Formula, units: &[Option<String>]) -> Formula {
    let mut out = f.clone();
    for (name, unit) in out.const_names.iter_mut().zip(units) {
        if let (None, Some(u)) = (&name, unit) {
            *name = Some(format!("{UNIT_MARK}{u}"));
        }
    }
    out
}

/// A constant with its unit, as a product.
fn quantity(value: f64, unit: &str, d: Dialect) -> R {
    let n = number(value, d);
    let sep = if d == Dialect::Latex { "\\," } else { "*" };
    let prec = if n.prec == UNARY { UNARY } else { MUL };
    r(format!("{}{sep}{unit}", n.s), prec)
}

fn paren(d: Dialect, s: &str) -> String {
    if d == Dialect::Latex {
        format!("\\left({s}\\right)")
    } else {
        format!("({s})")
    }
}

/// The child's text, parenthesised if its precedence is below `need`.
fn at_least(d: Dialect, x: &R, need: u8) -> String {
    if x.prec < need {
        paren(d, &x.s)
    } else {
        x.s.clone()
    }
}

/// The right operand of `+ - * /`: parenthesised when it binds looser than `min`, and also when
/// it is a unary minus, because `x - -y` is legal but hard to read.
fn right_operand(d: Dialect, x: &R, min: u8) -> String {
    if x.prec < min || x.prec == UNARY {
        paren(d, &x.s)
    } else {
        x.s.clone()
    }
}

fn call(d: Dialect, name: &str, args: &[R]) -> R {
    let inner: Vec<&str> = args.iter().map(|a| a.s.as_str()).collect();
    r(format!("{name}{}", paren(d, &inner.join(", "))), ATOM)
}

fn render(e: &Expr, d: Dialect) -> R {
    match e {
        Expr::Var(name) => r(ident(name, d), ATOM),
        Expr::Const { name: Some(name), value } => match name.strip_prefix(UNIT_MARK) {
            Some(unit) => quantity(*value, unit, d),
            None => r(ident(name, d), ATOM),
        },
        Expr::Const { value, name: None } => number(*value, d),
        Expr::Apply(op, args) => {
            let rendered: Vec<R> = args.iter().map(|a| render(a, d)).collect();
            apply(*op, args, rendered, d)
        }
    }
}

fn ident(name: &str, d: Dialect) -> String {
    if d == Dialect::Latex {
        latex_name(name)
    } else {
        name.to_string()
    }
}

/// Rust's shortest round-trip text for a finite value, with a trailing `.0` removed.
fn shortest(v: f64) -> String {
    let s = format!("{v:?}");
    match s.strip_suffix(".0") {
        Some(t) => t.to_string(),
        None => s,
    }
}

fn number(v: f64, d: Dialect) -> R {
    let neg = v.is_sign_negative() && !v.is_nan();
    let prec = if neg { UNARY } else { ATOM };
    if v.is_nan() {
        let s = match d {
            Dialect::Plain | Dialect::Sympy => "nan",
            Dialect::Latex => "\\mathrm{NaN}",
            Dialect::Numpy => "np.nan",
            Dialect::Rust => "f64::NAN",
        };
        return r(s.to_string(), ATOM);
    }
    if v.is_infinite() {
        let s = match d {
            Dialect::Plain => "inf",
            Dialect::Latex => "\\infty",
            Dialect::Sympy => "oo",
            Dialect::Numpy => "np.inf",
            Dialect::Rust => return r(if neg { "f64::NEG_INFINITY" } else { "f64::INFINITY" }.to_string(), ATOM),
        };
        return r(if neg { format!("-{s}") } else { s.to_string() }, prec);
    }
    match d {
        Dialect::Plain => r(shortest(v), prec),
        Dialect::Numpy => r(format!("{v:?}"), prec),
        // Every literal carries its type, because a method call on an untyped float literal
        // (`(if c { 1.0 } else { 2.0 }).exp()`) does not compile.
        Dialect::Rust => r(format!("{v:?}_f64"), prec),
        Dialect::Sympy => {
            // Integers print without a decimal point so that SymPy keeps them exact (`x**2`
            // rather than `x**2.0`), which lets its simplifier do more.
            if v.fract() == 0.0 && v.abs() < 1e15 {
                r(format!("{}", v as i64), if v < 0.0 { UNARY } else { ATOM })
            } else {
                r(format!("{v:?}"), prec)
            }
        }
        Dialect::Latex => {
            let s = shortest(v);
            match s.split_once('e') {
                Some((m, exp)) if m == "1" || m == "-1" => {
                    r(format!("{}10^{{{exp}}}", if m == "-1" { "-" } else { "" }), if neg { UNARY } else { POW })
                }
                Some((m, exp)) => r(format!("{m} \\cdot 10^{{{exp}}}"), if neg { UNARY } else { MUL }),
                None => r(s, prec),
            }
        }
    }
}

fn apply(op: Op, args: &[Expr], a: Vec<R>, d: Dialect) -> R {
    use Dialect::*;
    let infix = |sym: &str, prec: u8, right_min: u8| {
        r(format!("{} {sym} {}", at_least(d, &a[0], prec), right_operand(d, &a[1], right_min)), prec)
    };
    let compare = |sym: &str| r(format!("{} {sym} {}", at_least(d, &a[0], ADD), at_least(d, &a[1], ADD)), CMP);
    match (op, d) {
        (Op::Add, _) => infix("+", ADD, MUL),
        (Op::Sub, _) => infix("-", ADD, MUL),
        (Op::Mul, Latex) => infix("\\cdot", MUL, POW),
        (Op::Mul, _) => infix("*", MUL, POW),
        (Op::Div, Latex) => r(format!("\\frac{{{}}}{{{}}}", a[0].s, a[1].s), POW),
        (Op::Div, _) => infix("/", MUL, POW),
        (Op::Neg, Plain) => {
            // `-2` would read back as the constant -2, so `neg` of a bare number keeps parentheses.
            let s = if args[0].as_num().is_some() { paren(d, &a[0].s) } else { at_least(d, &a[0], POW) };
            r(format!("-{s}"), UNARY)
        }
        (Op::Neg, Rust) => r(format!("-{}", at_least(d, &a[0], ATOM)), UNARY),
        (Op::Neg, _) => r(format!("-{}", at_least(d, &a[0], POW)), UNARY),
        (Op::Pow, Plain) => r(format!("{}^{}", at_least(d, &a[0], ATOM), at_least(d, &a[1], POW)), POW),
        (Op::Pow, Sympy) => r(format!("{}**{}", at_least(d, &a[0], ATOM), at_least(d, &a[1], POW)), POW),
        (Op::Pow, Latex) => latex_pow(&a[0], &a[1].s),
        (Op::Square, Latex) => latex_pow(&a[0], "2"),
        (Op::Cube, Latex) => latex_pow(&a[0], "3"),
        (Op::Square, Sympy) => r(format!("{}**2", at_least(d, &a[0], ATOM)), POW),
        (Op::Cube, Sympy) => r(format!("{}**3", at_least(d, &a[0], ATOM)), POW),
        (Op::Greater, Plain | Latex) => compare(">"),
        (Op::Less, Plain | Latex) => compare("<"),
        (Op::GreaterEq, Plain) => compare(">="),
        (Op::LessEq, Plain) => compare("<="),
        (Op::GreaterEq, Latex) => compare("\\geq"),
        (Op::LessEq, Latex) => compare("\\leq"),
        (_, Plain) => call(d, &op.name(), &a),
        (_, Latex) => latex_call(op, a),
        (_, Sympy) => sympy_call(op, a),
        (_, Numpy) => numpy_call(op, a),
        (_, Rust) => rust_call(op, a),
    }
}

fn latex_pow(base: &R, exp: &str) -> R {
    r(format!("{}^{{{exp}}}", at_least(Dialect::Latex, base, ATOM)), POW)
}

fn latex_call(op: Op, a: Vec<R>) -> R {
    let d = Dialect::Latex;
    let name = match op {
        Op::Sqrt => return r(format!("\\sqrt{{{}}}", a[0].s), ATOM),
        Op::Cbrt => return r(format!("\\sqrt[3]{{{}}}", a[0].s), ATOM),
        Op::Abs => return r(format!("\\left|{}\\right|", a[0].s), ATOM),
        Op::Inv => return r(format!("\\frac{{1}}{{{}}}", a[0].s), POW),
        Op::Log1p => return r(format!("\\log\\left(1 + {}\\right)", a[0].s), ATOM),
        Op::Relu => return r(format!("\\max\\left(0, {}\\right)", a[0].s), ATOM),
        Op::Max => "\\max".to_string(),
        Op::Min => "\\min".to_string(),
        Op::Exp => "\\exp".to_string(),
        Op::Log => "\\log".to_string(),
        Op::Log10 => "\\log_{10}".to_string(),
        Op::Log2 => "\\log_{2}".to_string(),
        Op::Sin | Op::Cos | Op::Tan | Op::Sinh | Op::Cosh | Op::Tanh => format!("\\{}", op.name()),
        Op::Asin => "\\arcsin".to_string(),
        Op::Acos => "\\arccos".to_string(),
        Op::Atan => "\\arctan".to_string(),
        other => format!("\\operatorname{{{}}}", other.name().replace('_', "\\_")),
    };
    call(d, &name, &a)
}

fn sympy_call(op: Op, a: Vec<R>) -> R {
    let d = Dialect::Sympy;
    let piecewise =
        |val: &str, cond: String, other: &str| r(format!("Piecewise(({val}, {cond}), ({other}, True))"), ATOM);
    let cmp = |sym: &str| format!("{} {sym} {}", at_least(d, &a[0], ADD), at_least(d, &a[1], ADD));
    let positive = |x: &R| format!("{} > 0", at_least(d, x, ADD));
    let name = match op {
        Op::Cond => return piecewise(&a[1].s, positive(&a[0]), "0"),
        Op::IfElse => return piecewise(&a[1].s, positive(&a[0]), &a[2].s),
        Op::Greater => return piecewise("1", cmp(">"), "0"),
        Op::GreaterEq => return piecewise("1", cmp(">="), "0"),
        Op::Less => return piecewise("1", cmp("<"), "0"),
        Op::LessEq => return piecewise("1", cmp("<="), "0"),
        Op::Log10 => return r(format!("log({}, 10)", a[0].s), ATOM),
        Op::Log2 => return r(format!("log({}, 2)", a[0].s), ATOM),
        Op::Log1p => return r(format!("log(1 + {})", a[0].s), ATOM),
        Op::Relu => return r(format!("Max(0, {})", a[0].s), ATOM),
        // SymPy's `cbrt` is the principal (complex) root; `real_root` matches `f64::cbrt`.
        Op::Cbrt => return r(format!("real_root({}, 3)", a[0].s), ATOM),
        Op::Inv => return r(format!("1/{}", at_least(d, &a[0], POW)), MUL),
        Op::Max => "Max".to_string(),
        Op::Min => "Min".to_string(),
        Op::Abs => "Abs".to_string(),
        other => other.name(),
    };
    call(d, &name, &a)
}

fn numpy_call(op: Op, a: Vec<R>) -> R {
    let d = Dialect::Numpy;
    let positive = |x: &R| format!("{} > 0", at_least(d, x, ADD));
    let cmp = |sym: &str| {
        r(format!("np.where({} {sym} {}, 1.0, 0.0)", at_least(d, &a[0], ADD), at_least(d, &a[1], ADD)), ATOM)
    };
    let name = match op {
        Op::Cond => return r(format!("np.where({}, {}, 0.0)", positive(&a[0]), a[1].s), ATOM),
        Op::IfElse => return r(format!("np.where({}, {}, {})", positive(&a[0]), a[1].s, a[2].s), ATOM),
        Op::Greater => return cmp(">"),
        Op::GreaterEq => return cmp(">="),
        Op::Less => return cmp("<"),
        Op::LessEq => return cmp("<="),
        Op::Relu => return r(format!("np.maximum({}, 0.0)", a[0].s), ATOM),
        Op::Cube => return r(format!("np.power({}, 3)", a[0].s), ATOM),
        Op::Erf => return call(d, "scipy.special.erf", &a),
        Op::Pow => "power",
        Op::Max => "maximum",
        Op::Min => "minimum",
        Op::Inv => "reciprocal",
        Op::Asin => "arcsin",
        Op::Acos => "arccos",
        Op::Atan => "arctan",
        _ => "",
    };
    let name = if name.is_empty() { op.name() } else { name.to_string() };
    call(d, &format!("np.{name}"), &a)
}

fn rust_call(op: Op, a: Vec<R>) -> R {
    let d = Dialect::Rust;
    let positive = |x: &R| format!("{} > 0.0_f64", at_least(d, x, ADD));
    let cmp = |sym: &str| {
        r(
            format!(
                "(if {} {sym} {} {{ 1.0_f64 }} else {{ 0.0_f64 }})",
                at_least(d, &a[0], ADD),
                at_least(d, &a[1], ADD)
            ),
            ATOM,
        )
    };
    let method = match op {
        Op::Cond => return r(format!("(if {} {{ {} }} else {{ 0.0_f64 }})", positive(&a[0]), a[1].s), ATOM),
        Op::IfElse => return r(format!("(if {} {{ {} }} else {{ {} }})", positive(&a[0]), a[1].s, a[2].s), ATOM),
        Op::Greater => return cmp(">"),
        Op::GreaterEq => return cmp(">="),
        Op::Less => return cmp("<"),
        Op::LessEq => return cmp("<="),
        // `f64::signum` gives 1 at zero, but `sign(0) = 0` and `sign(NaN) = NaN` here.
        Op::Sign => {
            return r(
                format!(
                    "({{ let t: f64 = {}; if t > 0.0 {{ 1.0_f64 }} else if t < 0.0 {{ -1.0 }} else {{ t * 0.0 }} }})",
                    a[0].s
                ),
                ATOM,
            )
        }
        Op::Erf => return call(d, "erf", &a),
        Op::Square => "powi(2)",
        Op::Cube => "powi(3)",
        Op::Inv => "recip()",
        Op::Relu => "max(0.0_f64)",
        Op::Log => "ln()",
        Op::Log1p => "ln_1p()",
        Op::Pow => "powf",
        Op::Max => "max",
        Op::Min => "min",
        _ => "",
    };
    let recv = at_least(d, &a[0], ATOM);
    let s = match (method, a.len()) {
        ("", _) => format!("{recv}.{}()", op.name()),
        (m, 2) => format!("{recv}.{m}({})", a[1].s),
        (m, _) => format!("{recv}.{m}"),
    };
    r(s, ATOM)
}

const GREEK: &[&str] = &[
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu", "xi",
    "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi",
    "Pi", "Sigma", "Phi", "Psi", "Omega",
];

/// A variable name in LaTeX: `m1` → `m_{1}`, `x_a` → `x_{a}`, `theta` → `\theta`,
/// `mass` → `\mathrm{mass}`.
fn latex_name(name: &str) -> String {
    let (base, sub) = match name.split_once('_') {
        Some((b, s)) if !b.is_empty() && !s.is_empty() => (b, Some(s.to_string())),
        _ => {
            let cut = name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
            if cut > 0 && cut < name.len() {
                (&name[..cut], Some(name[cut..].to_string()))
            } else {
                (name, None)
            }
        }
    };
    let base = if GREEK.contains(&base) {
        format!("\\{base}")
    } else if base.chars().count() == 1 {
        base.to_string()
    } else {
        format!("\\mathrm{{{}}}", base.replace('_', "\\_"))
    };
    match sub {
        Some(s) => format!("{base}_{{{}}}", s.replace('_', "\\_")),
        None => base,
    }
}
