//! Golden strings for every printer: plain infix with minimal parentheses, LaTeX, SymPy, NumPy
//! and Rust. These pin the exact output formats that users copy into papers and scripts.

use sdl_formula::{
    custom, parse, to_latex, to_latex_with_units, to_numpy, to_rust, to_sympy, to_sympy_with_units, Formula, Op,
};

fn p(src: &str) -> Formula {
    parse(src).unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn num(v: f64) -> Formula {
    Formula::constant(v)
}

#[test]
fn plain_uses_minimal_parentheses() {
    let cases = [
        ("-x^2", "-x^2"),
        ("(-x)^2", "(-x)^2"),
        ("x^y^z", "x^y^z"),
        ("(x^y)^z", "(x^y)^z"),
        ("2^-1", "2^(-1)"),
        ("a - (b - c)", "a - (b - c)"),
        ("(a - b) - c", "a - b - c"),
        ("a / (b * c)", "a / (b * c)"),
        ("a * b / c", "a * b / c"),
        ("-(a + b) * c", "-(a + b) * c"),
        ("x - -y", "x - (-y)"),
        ("x * -2", "x * (-2)"),
        ("-2 * x", "-2 * x"),
        ("max(a, b) + cond(a, b) * ifelse(c, a, b)", "max(a, b) + cond(a, b) * ifelse(c, a, b)"),
        ("(x > 1) * (y <= 2)", "(x > 1) * (y <= 2)"),
        ("x + 1 > y", "x + 1 > y"),
        ("exp(-x) ** 2", "exp(-x)^2"),
        ("neg(x)", "-x"),
        ("1.5e-7 * x + 1e300", "1.5e-7 * x + 1e300"),
    ];
    for (src, want) in cases {
        assert_eq!(p(src).to_string(), want, "printing {src}");
    }
    // `neg` of a bare number keeps its parentheses, unlike the negative constant.
    assert_eq!(Formula::apply(Op::Neg, vec![num(2.0)]).to_string(), "-(2)");
    assert_eq!(num(-2.0).to_string(), "-2");
    assert_eq!(Formula::apply(Op::Pow, vec![num(-2.0), Formula::var("x")]).to_string(), "(-2)^x");
    assert_eq!(Formula::apply(Op::Neg, vec![num(-0.5)]).to_string(), "-(-0.5)");
    assert_eq!(
        Formula::apply(Op::Mul, vec![Formula::named_constant("a", 1.0), Formula::var("x")]).to_string(),
        "a * x"
    );
}

#[test]
fn latex_golden() {
    let cases = [
        ("m1 * m2 / r^2", "\\frac{m_{1} \\cdot m_{2}}{r^{2}}"),
        ("sqrt(x + 1)", "\\sqrt{x + 1}"),
        ("exp(-x^2) * cos(theta)", "\\exp\\left(-x^{2}\\right) \\cdot \\cos\\left(\\theta\\right)"),
        ("(a / b)^2", "\\left(\\frac{a}{b}\\right)^{2}"),
        ("abs(x_a) - log10(mass)", "\\left|x_{a}\\right| - \\log_{10}\\left(\\mathrm{mass}\\right)"),
        ("square(x + y) >= 1.5e-7", "\\left(x + y\\right)^{2} \\geq 1.5 \\cdot 10^{-7}"),
        ("relu(x) + cond(x, y)", "\\max\\left(0, x\\right) + \\operatorname{cond}\\left(x, y\\right)"),
    ];
    for (src, want) in cases {
        assert_eq!(to_latex(&p(src)), want, "LaTeX of {src}");
    }
}

#[test]
fn sympy_golden() {
    let cases = [
        ("m1 * m2 / r^2", "m1 * m2 / r**2"),
        ("-x^2 + max(x, 0.5)", "-x**2 + Max(x, 0.5)"),
        ("abs(x) + log10(y) + log1p(z)", "Abs(x) + log(y, 10) + log(1 + z)"),
        ("cond(x - 1, y)", "Piecewise((y, x - 1 > 0), (0, True))"),
        ("ifelse(x, 1, 2) * (x > y)", "Piecewise((1, x > 0), (2, True)) * Piecewise((1, x > y), (0, True))"),
        ("square(x) + inv(y) + erf(z) * sign(z)", "x**2 + 1/y + erf(z) * sign(z)"),
        ("2.5 * x - 3", "2.5 * x - 3"),
    ];
    for (src, want) in cases {
        assert_eq!(to_sympy(&p(src)), want, "SymPy of {src}");
    }
}

#[test]
fn numpy_and_rust_golden() {
    let f = p("exp(-x) * max(y, 2) + x^3 + cond(x, y) + asin(x)");
    assert_eq!(
        to_numpy(&f),
        "np.exp(-x) * np.maximum(y, 2.0) + np.power(x, 3.0) + np.where(x > 0, y, 0.0) + np.arcsin(x)"
    );
    assert_eq!(
        to_rust(&f),
        "(-x).exp() * y.max(2.0_f64) + x.powf(3.0_f64) + (if x > 0.0_f64 { y } else { 0.0_f64 }) + x.asin()"
    );
    assert_eq!(
        to_rust(&p("exp(2) + sqrt(-3) + log(x + 1) - -x")),
        "2.0_f64.exp() + (-3.0_f64).sqrt() + (x + 1.0_f64).ln() - (-x)"
    );
    assert_eq!(to_numpy(&p("relu(x) + erf(x)")), "np.maximum(x, 0.0) + scipy.special.erf(x)");
}

#[test]
fn exports_inline_custom_operators() {
    let body = p("x * x + 1");
    let op = custom::register("sqp1_print_test", &["x".to_string()], &body).expect("registers");
    let f = Formula::apply(op, vec![Formula::var("t")]);
    assert_eq!(f.to_string(), "sqp1_print_test(t)");
    assert_eq!(to_latex(&f), "\\operatorname{sqp1\\_print\\_test}\\left(t\\right)");
    assert_eq!(to_sympy(&f), "t * t + 1");
    assert_eq!(to_rust(&f), "t * t + 1.0_f64");
}

#[test]
fn constants_print_with_their_units() {
    // 2.5 [m/s] * t + x, and a negative constant with a unit under a division.
    let f = p("2.5 * t + x / -3");
    let units = [Some("\\mathrm{m}\\,\\mathrm{s}^{-1}".to_string()), Some("\\mathrm{s}".to_string())];
    assert_eq!(
        to_latex_with_units(&f, &units),
        "2.5\\,\\mathrm{m}\\,\\mathrm{s}^{-1} \\cdot t + \\frac{x}{-3\\,\\mathrm{s}}"
    );
    let units = [Some("meter/second".to_string()), None];
    assert_eq!(to_sympy_with_units(&f, &units), "2.5*meter/second * t + x / (-3)");
    // Without units the printers agree with the plain ones.
    assert_eq!(to_latex_with_units(&f, &[None, None]), to_latex(&f));
}
