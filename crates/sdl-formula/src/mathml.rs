//! Formulas as MathML (the Presentation MathML that browsers render natively, MathML Core),
//! for typeset formulas in HTML without LaTeX or a network.
//!
//! In: a [`Formula`]; out: one `<math>` element. Built like the LaTeX printer (`print.rs`):
//! each subtree renders to markup plus the precedence of its outermost construct, and a parent
//! wraps a child in `(` `)` when its precedence is too low for its position; divisions become
//! `<mfrac>`, powers `<msup>`, roots `<msqrt>`/`<mroot>`, `m1` becomes `m` with subscript 1,
//! Greek names their letters, and numbers in exponent form `1.5 · 10⁻⁷`. Always true: the
//! output is well-formed XML whose only elements are MathML ones, and it names no outside
//! resource (no namespace URI: HTML needs none).

use crate::tree::Expr;
use crate::{Formula, Op};

use crate::print::{ADD, ATOM, CMP, MUL, POW, UNARY};

/// Markup and the precedence of its outermost construct.
struct M {
    s: String,
    prec: u8,
}

fn m(s: String, prec: u8) -> M {
    M { s, prec }
}

/// The formula as a `<math>` element (inline; a page may set `display="block"` itself).
pub fn to_mathml(f: &Formula) -> String {
    format!("<math>{}</math>", render(&f.to_expr()).s)
}

fn render(e: &Expr) -> M {
    match e {
        Expr::Var(name) => m(ident(name), ATOM),
        Expr::Const { name: Some(name), .. } => m(ident(name), ATOM),
        Expr::Const { value, name: None } => number(*value),
        Expr::Apply(op, args) => {
            let a: Vec<M> = args.iter().map(render).collect();
            apply(*op, a)
        }
    }
}

fn paren(s: &str) -> String {
    format!("<mrow><mo>(</mo>{s}<mo>)</mo></mrow>")
}

fn at_least(x: &M, need: u8) -> String {
    if x.prec < need {
        paren(&x.s)
    } else {
        x.s.clone()
    }
}

/// The right operand of `+ - · `: parenthesised when it binds looser than `min`, and when it is
/// a unary minus (`x − (−y)`), as the other printers do.
fn right_operand(x: &M, min: u8) -> String {
    if x.prec < min || x.prec == UNARY {
        paren(&x.s)
    } else {
        x.s.clone()
    }
}

fn mo(sym: &str) -> String {
    format!("<mo>{sym}</mo>")
}

/// `name(args)` with the invisible function-application operator.
fn call(name: &str, args: &[M]) -> M {
    let inner: Vec<&str> = args.iter().map(|a| a.s.as_str()).collect();
    m(format!("<mrow>{name}<mo>&#x2061;</mo>{}</mrow>", paren(&inner.join("<mo>,</mo>"))), ATOM)
}

fn apply(op: Op, a: Vec<M>) -> M {
    let infix = |sym: &str, prec: u8, right_min: u8| {
        m(format!("<mrow>{}{}{}</mrow>", at_least(&a[0], prec), mo(sym), right_operand(&a[1], right_min)), prec)
    };
    let compare =
        |sym: &str| m(format!("<mrow>{}{}{}</mrow>", at_least(&a[0], ADD), mo(sym), at_least(&a[1], ADD)), CMP);
    let pow = |base: &M, exp: &str| m(format!("<msup>{}<mrow>{exp}</mrow></msup>", at_least(base, ATOM)), POW);
    let fi = |name: &str| format!("<mi>{name}</mi>");
    match op {
        Op::Add => infix("+", ADD, MUL),
        Op::Sub => infix("&#x2212;", ADD, MUL),
        Op::Mul => infix("&#x22C5;", MUL, POW),
        Op::Div => m(format!("<mfrac><mrow>{}</mrow><mrow>{}</mrow></mfrac>", a[0].s, a[1].s), POW),
        Op::Neg => m(format!("<mrow>{}{}</mrow>", mo("&#x2212;"), at_least(&a[0], POW)), UNARY),
        Op::Pow => pow(&a[0], &a[1].s),
        Op::Square => pow(&a[0], "<mn>2</mn>"),
        Op::Cube => pow(&a[0], "<mn>3</mn>"),
        Op::Sqrt => m(format!("<msqrt>{}</msqrt>", a[0].s), ATOM),
        Op::Cbrt => m(format!("<mroot><mrow>{}</mrow><mn>3</mn></mroot>", a[0].s), ATOM),
        Op::Abs => m(format!("<mrow><mo>|</mo>{}<mo>|</mo></mrow>", a[0].s), ATOM),
        Op::Inv => m(format!("<mfrac><mn>1</mn><mrow>{}</mrow></mfrac>", a[0].s), POW),
        Op::Greater => compare("&gt;"),
        Op::Less => compare("&lt;"),
        Op::GreaterEq => compare("&#x2265;"),
        Op::LessEq => compare("&#x2264;"),
        Op::Log10 => call("<msub><mi>log</mi><mn>10</mn></msub>", &a),
        Op::Log2 => call("<msub><mi>log</mi><mn>2</mn></msub>", &a),
        Op::Log1p => {
            let one_plus = m(format!("<mrow><mn>1</mn><mo>+</mo>{}</mrow>", right_operand(&a[0], MUL)), ADD);
            call(&fi("log"), &[one_plus])
        }
        Op::Relu => call(&fi("max"), &[m("<mn>0</mn>".into(), ATOM), m(a[0].s.clone(), a[0].prec)]),
        Op::Asin => call(&fi("arcsin"), &a),
        Op::Acos => call(&fi("arccos"), &a),
        Op::Atan => call(&fi("arctan"), &a),
        other => call(&fi(&other.name()), &a),
    }
}

const GREEK: &[(&str, &str)] = &[
    ("alpha", "α"),
    ("beta", "β"),
    ("gamma", "γ"),
    ("delta", "δ"),
    ("epsilon", "ε"),
    ("zeta", "ζ"),
    ("eta", "η"),
    ("theta", "θ"),
    ("iota", "ι"),
    ("kappa", "κ"),
    ("lambda", "λ"),
    ("mu", "μ"),
    ("nu", "ν"),
    ("xi", "ξ"),
    ("pi", "π"),
    ("rho", "ρ"),
    ("sigma", "σ"),
    ("tau", "τ"),
    ("upsilon", "υ"),
    ("phi", "φ"),
    ("chi", "χ"),
    ("psi", "ψ"),
    ("omega", "ω"),
    ("Gamma", "Γ"),
    ("Delta", "Δ"),
    ("Theta", "Θ"),
    ("Lambda", "Λ"),
    ("Xi", "Ξ"),
    ("Pi", "Π"),
    ("Sigma", "Σ"),
    ("Phi", "Φ"),
    ("Psi", "Ψ"),
    ("Omega", "Ω"),
];

/// Escapes the characters XML reserves (names are identifiers, but custom operator names and
/// future callers need not be).
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A variable name: `m1` → m with subscript 1, `x_a` → x with subscript a, `theta` → θ,
/// `mass` → an upright multi-letter identifier.
fn ident(name: &str) -> String {
    let (base, sub) = match name.split_once('_') {
        Some((b, s)) if !b.is_empty() && !s.is_empty() => (b, Some(s)),
        _ => {
            let cut = name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
            if cut > 0 && cut < name.len() {
                (&name[..cut], Some(&name[cut..]))
            } else {
                (name, None)
            }
        }
    };
    let base = match GREEK.iter().find(|(n, _)| *n == base) {
        Some((_, letter)) => format!("<mi>{letter}</mi>"),
        None => format!("<mi>{}</mi>", esc(base)),
    };
    match sub {
        Some(s) if s.chars().all(|c| c.is_ascii_digit()) => format!("<msub>{base}<mn>{s}</mn></msub>"),
        Some(s) => format!("<msub>{base}<mi>{}</mi></msub>", esc(s)),
        None => base,
    }
}

/// Rust's shortest round-trip text, as the other printers write constants.
fn shortest(v: f64) -> String {
    let s = format!("{v:?}");
    match s.strip_suffix(".0") {
        Some(t) => t.to_string(),
        None => s,
    }
}

fn number(v: f64) -> M {
    if v.is_nan() {
        return m("<mi>NaN</mi>".into(), ATOM);
    }
    let neg = v.is_sign_negative();
    let minus = |body: String, prec: u8| {
        if neg {
            m(format!("<mrow>{}{body}</mrow>", mo("&#x2212;")), UNARY)
        } else {
            m(body, prec)
        }
    };
    if v.is_infinite() {
        return minus("<mi>&#x221E;</mi>".into(), ATOM);
    }
    let text = shortest(v.abs());
    match text.split_once('e') {
        Some((mant, exp)) => {
            let exp = match exp.strip_prefix('-') {
                Some(e) => format!("<mrow><mo>&#x2212;</mo><mn>{e}</mn></mrow>"),
                None => format!("<mn>{exp}</mn>"),
            };
            let power = format!("<msup><mn>10</mn>{exp}</msup>");
            if mant == "1" {
                minus(power, POW)
            } else {
                minus(format!("<mrow><mn>{mant}</mn><mo>&#x22C5;</mo>{power}</mrow>"), MUL)
            }
        }
        None => minus(format!("<mn>{text}</mn>"), ATOM),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::{random_formula_with, GenOptions};
    use crate::op::BUILTIN_OPS;
    use crate::parse;
    use crate::rng::Rng;

    fn mml(src: &str) -> String {
        to_mathml(&parse(src).expect("parses"))
    }

    #[test]
    fn typesets_fractions_powers_subscripts_and_functions() {
        assert_eq!(
            mml("m1 * m2 / r^2"),
            "<math><mfrac><mrow><mrow><msub><mi>m</mi><mn>1</mn></msub><mo>&#x22C5;</mo><msub><mi>m</mi><mn>2</mn></msub></mrow></mrow>\
             <mrow><msup><mi>r</mi><mrow><mn>2</mn></mrow></msup></mrow></mfrac></math>"
        );
        assert_eq!(mml("sqrt(theta)"), "<math><msqrt><mi>θ</mi></msqrt></math>");
        assert_eq!(
            mml("exp(-x)"),
            "<math><mrow><mi>exp</mi><mo>&#x2061;</mo><mrow><mo>(</mo><mrow><mo>&#x2212;</mo><mi>x</mi></mrow><mo>)</mo></mrow></mrow></math>"
        );
        assert_eq!(
            mml("1.5e-7 * x"),
            "<math><mrow><mrow><mn>1.5</mn><mo>&#x22C5;</mo><msup><mn>10</mn><mrow><mo>&#x2212;</mo><mn>7</mn></mrow></msup></mrow><mo>&#x22C5;</mo><mi>x</mi></mrow></math>"
        );
    }

    #[test]
    fn parentheses_follow_precedence() {
        // (a + b) * c needs them; a + b * c does not; x - (-y) keeps them.
        assert!(mml("(a + b) * c").starts_with("<math><mrow><mrow><mo>(</mo>"));
        assert!(!mml("a + b * c").contains("<mo>(</mo>"));
        assert!(mml("x - -y").contains("<mo>&#x2212;</mo><mrow><mo>(</mo>"));
        assert!(mml("(a / b)^2").contains("<msup><mrow><mo>(</mo><mfrac>"));
    }

    /// Every opening tag is closed in order (the output is well-formed XML).
    fn balanced(s: &str) -> bool {
        let mut stack: Vec<&str> = Vec::new();
        let mut rest = s;
        while let Some(i) = rest.find('<') {
            let Some(j) = rest[i..].find('>') else { return false };
            let tag = &rest[i + 1..i + j];
            if let Some(name) = tag.strip_prefix('/') {
                if stack.pop() != Some(name) {
                    return false;
                }
            } else {
                stack.push(tag.split_whitespace().next().unwrap_or(""));
            }
            rest = &rest[i + j + 1..];
        }
        stack.is_empty()
    }

    #[test]
    fn random_formulas_give_well_formed_mathml() {
        let vars: Vec<String> = ["x", "y1", "theta", "mass"].iter().map(|s| s.to_string()).collect();
        let opts = GenOptions { const_prob: 0.5, extreme_constants: true };
        let mut rng = Rng::new(3);
        for i in 0..2000 {
            let size = 1 + rng.below(25);
            let f = random_formula_with(&mut rng, &vars, BUILTIN_OPS, size, &opts);
            let s = to_mathml(&f);
            assert!(s.starts_with("<math>") && s.ends_with("</math>") && balanced(&s), "case {i}: {f} -> {s}");
        }
    }
}
