//! The language core on a checked tree: regression tests for the cases where the checker and
//! the executor used to disagree, lexical scoping with closures, operators committed only with
//! an error-free input and owned by the session, checking time linear in nesting, a table of
//! expressions and their types, and lowering snapshots (`:ir`).

mod common;

use sdl::exec::value::Value;
use sdl::session::{RunError, Session};

fn run(s: &mut Session, src: &str) -> Result<Value, String> {
    s.run_source("<test>", src).map_err(|e| match e {
        RunError::Static(ds) => format!("static: {}", ds.iter().map(|d| d.code.name()).collect::<Vec<_>>().join(" ")),
        RunError::Runtime(d) => format!("runtime: {}", d.code.name()),
    })
}

fn num(s: &mut Session, src: &str) -> f64 {
    match run(s, src) {
        Ok(Value::Num(n)) => n,
        other => panic!("`{src}` gave {other:?}"),
    }
}

#[test]
fn a_user_function_named_like_a_builtin_is_the_users() {
    let (mut s, _) = common::session();
    run(&mut s, "fn diff(a, b) = b\nlet r = 5").unwrap();
    assert_eq!(s.eval_input(":type diff(1, r)").text, "num\n");
    assert_eq!(num(&mut s, "diff(1, r) + 1"), 6.0);
}

#[test]
fn diff_takes_a_bare_variable_or_a_name_holding_a_string() {
    let (mut s, _) = common::session();
    assert_eq!(run(&mut s, "str(diff(formula { x ^ 2 * y }, x))").map(|v| v.to_string()).unwrap(), "2 * x * y");
    let by_name = run(&mut s, "let v = \"y\"\nstr(diff(formula { x ^ 2 * y }, v))").unwrap();
    assert_eq!(by_name.to_string(), "x^2");
}

#[test]
fn inner_functions_see_what_they_lexically_see() {
    let (mut s, _) = common::session();
    run(&mut s, "let a = 10\nfn outer(a) {\n  fn inner(b) = a + b\n  inner(1)\n}").unwrap();
    assert_eq!(num(&mut s, "outer(2)"), 3.0);
    // A closure keeps the value it captured.
    run(&mut s, "fn adder(k) {\n  fn add(x) = x + k\n  add\n}\nlet add5 = adder(5)").unwrap();
    assert_eq!(num(&mut s, "add5(1)"), 6.0);
    assert_eq!(num(&mut s, "sum(map([1, 2], adder(100)))"), 203.0);
    // Recursion inside a function, and a default that reads an earlier parameter.
    run(&mut s, "fn fact_of(n) {\n  fn f(k) = if k <= 1 { 1 } else { k * f(k - 1) }\n  f(n)\n}").unwrap();
    assert_eq!(num(&mut s, "fact_of(5)"), 120.0);
    run(&mut s, "fn scaled(x, k = x * 2) = x + k").unwrap();
    assert_eq!(num(&mut s, "scaled(3)"), 9.0);
    assert_eq!(num(&mut s, "scaled(3, k: 1)"), 4.0);
}

#[test]
fn an_input_with_a_static_error_defines_no_operator() {
    let (mut s, _) = common::session();
    assert_eq!(run(&mut s, "op sq(x) = x * x\nlet bad = 1 + \"a\"").unwrap_err(), "static: type-mismatch");
    assert!(run(&mut s, "formula { sq(x) }").unwrap_err().starts_with("static:"));
    run(&mut s, "op sq(x) = x * x").unwrap();
    assert_eq!(run(&mut s, "str(formula { sq(x) + 1 })").unwrap().to_string(), "sq(x) + 1");
    assert_eq!(num(&mut s, "eval(formula { sq(x) }, x: 3)"), 9.0);
    assert_eq!(run(&mut s, "str(parse_formula(\"sq(y)\"))").unwrap().to_string(), "sq(y)");
    // :reset forgets operators too.
    s.eval_input(":reset");
    assert!(run(&mut s, "formula { sq(x) }").unwrap_err().starts_with("static:"));
}

#[test]
fn two_sessions_do_not_see_each_others_operators() {
    let (mut a, _) = common::session();
    let (mut b, _) = common::session();
    run(&mut a, "op twice_op(x) = 2 * x").unwrap();
    run(&mut b, "op twice_op(x) = 3 * x").unwrap();
    assert_eq!(num(&mut a, "eval(formula { twice_op(x) }, x: 1)"), 2.0);
    assert_eq!(num(&mut b, "eval(formula { twice_op(x) }, x: 1)"), 3.0);
    let (mut c, _) = common::session();
    assert!(run(&mut c, "formula { twice_op(x) }").unwrap_err().starts_with("static:"));
}

#[test]
fn checking_deeply_nested_blocks_takes_linear_time() {
    let depth = 200;
    let src = format!("{}1{}", "if true { ".repeat(depth), " } else { 0 }".repeat(depth));
    let (mut s, _) = common::session();
    let t = std::time::Instant::now();
    assert_eq!(num(&mut s, &src), 1.0);
    // Doubling per level would take longer than the universe; linear takes milliseconds.
    assert!(t.elapsed().as_secs_f64() < 2.0, "{:?}", t.elapsed());
}

/// Expressions and the types `:type` gives them, one per line: `EXPR => TYPE`.
const TYPES: &str = "\
1 + 2 => num
\"a\" + \"b\" => str
[1, 2, 3] => list[num]
{x: 1, s: \"a\"} => {x: num, s: str}
formula { m1 * m2 / r ^ 2 } => formula(m1, m2, r)
formula { x } + 1 => formula(x)
exp(formula { x }) => formula(x)
exp(1) => num
mean([1, 2]) => num
is_finite(formula { x }) => formula(x)
rows(table({x: [1]})) => num
table({x: [1], y: [2]}) => table(x, y)
with_column(table({x: [1]}), \"y\", formula { 2 * x }) => table(x, y)
y ~ a * x + b => model
fit(table({x: [1, 2], y: [2, 4]}), y ~ a * x) => const-fit
fit(table({x: [1, 2], y: [2, 4]}), y ~ f(x)) => search-result
simulate_nbody(\"spring\") => graphs(2-D)
simulate_nbody(\"spring\", dim: 3).edges => table(graph, receiver, sender, x1, y1, z1, vx1, vy1, vz1, q1, m1, x2, y2, z2, vx2, vy2, vz2, q2, m2, dx, dy, dz, r, fx, fy, fz)
phys.c => num [m/s]
if true { 1 } else { 2 } => num
if true { let a = 1; a + 1 } else { 0 } => num
map([1, 2], sqrt) => list[num]
default_ops => opset
with_units(table({r: [1], v: [2]}), {r: \"km\", v: \"m/s\"}) => table(r [m], v [m/s])
with_units(table({E: [1]}), {E: \"eV\"}) => table(E [kg*m^2/s^2])
3 [km] => num [m]
2 [m] * 3 [m] => num [m^2]
sqrt(4 [m^2]) => num [m]
(2 [m/s]) ^ 2 => num [m^2/s^2]
phys.G => num [m^3/(kg*s^2)]
phys.G * 5.97e24 [kg] / (6.371e6 [m]) ^ 2 => num [m/s^2]
phys.h / phys.hbar => num
[1 [m], 2 [m]] => list[num [m]]
1 [m] + 2 => num [m]
with_column(with_units(table({m: [1], r: [2]}), {m: \"kg\", r: \"m\"}), \"g\", formula { m / r^2 }) => table(m [kg], r [m], g [kg/m^2])
eval(formula { m * r }, with_units(table({m: [1], r: [2]}), {m: \"kg\", r: \"m\"})) => list[num [kg*m]]";

#[test]
fn expressions_have_the_expected_types() {
    let (mut s, _) = common::session();
    let mut failures = Vec::new();
    for line in TYPES.lines() {
        let (expr, want) = line.split_once(" => ").expect("EXPR => TYPE");
        let expr = expr.replace("\\n", "\n");
        let got = s.eval_input(&format!(":type {expr}")).text;
        if got.trim_end() != want {
            failures.push(format!("{expr}: got {got:?}, expected {want}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn messages_of_a_one_channel_network_have_one_message_column() {
    let (mut s, _) = common::session();
    run(
        &mut s,
        "graphnet gn { message: mlp(hidden: 8, layers: 1) -> 1, node: mlp(hidden: 8, layers: 1) -> 2 }\n\
         let d = simulate_nbody(\"spring\", sims: 2, steps: 20)\n\
         let m = train(gn, d, steps: 2, progress: false)",
    )
    .unwrap();
    assert!(s.eval_input(":type messages(m, d)").text.contains(", e0)"));
    assert_eq!(run(&mut s, "len(messages(m, d).e1)").unwrap_err(), "static: unknown-column");
    assert!(num(&mut s, "len(messages(m, d).e0)") > 0.0);
}

/// A constant fit on a table with units: the numbers written in the model stay as written, only
/// the named constant is fitted; `.formula` (a keyword) is a field; `latex` and `sympy` of the
/// fit write the constant's value with its units.
#[test]
fn a_constant_fit_keeps_written_numbers_and_prints_units() {
    let (mut s, _) = common::session();
    run(
        &mut s,
        "let t = table({m1: [1, 2, 3, 4, 5], m2: [2, 3, 4, 3, 2], r: [3, 4, 5, 2, 1]})\n\
         let t = with_column(t, \"F\", formula { 6.674e-11 * m1 * m2 / r^2 })\n\
         let t = with_units(t, {m1: \"kg\", m2: \"kg\", r: \"m\", F: \"N\"})\n\
         let c = fit(t, F ~ G * m1 * m2 / r^2)",
    )
    .unwrap();
    assert_eq!(s.eval_input("c.formula").text.trim_end(), "G * m1 * m2 / r^2");
    assert!((num(&mut s, "c.params.G") / 6.674e-11 - 1.0).abs() < 1e-9);
    assert_eq!(s.eval_input("c.units.G").text.trim_end(), "m^3/(kg*s^2)");
    assert_eq!(
        s.eval_input("latex(c)").text.trim_end(),
        "\\frac{6.674 \\cdot 10^{-11}\\,\\mathrm{m}^{3}\\,\\mathrm{kg}^{-1}\\,\\mathrm{s}^{-2} \\cdot m_{1} \\cdot m_{2}}{r^{2}}"
    );
    assert_eq!(s.eval_input("sympy(c)").text.trim_end(), "6.674e-11*meter**3/(kilogram*second**2) * m1 * m2 / r**2");
}

/// `:ast` snapshots: the parse of an expression, with spans, one per line: `EXPR => TREE`.
const PARSES: &str = "\
1 + 2 * x => (+ 1@0 (* 2@4 x@8)@4..9)@0..9
f(a, b: 2) => (call f@0 a@2 b: 2@8)@0..10
t where x > 0 => (where t@0 (> x@8 0@12)@8..13)@0..13
y ~ a * exp(-b * t) => (~ y@0 (* a@4 (call exp@8 (* (neg b@13)@12..14 t@17)@12..18)@8..19)@4..19)@0..19
[1, {k: 2}].k => (. (list 1@1 (record k: 2@8)@4..10)@0..11 k)@0..13";

#[test]
fn parse_snapshots() {
    let (mut s, _) = common::session();
    for line in PARSES.lines() {
        let (expr, want) = line.split_once(" => ").expect("EXPR => TREE");
        assert_eq!(s.eval_input(&format!(":ast {expr}")).text.trim_end(), want, "for `{expr}`");
    }
}

/// `:ir` snapshots: what lowering produces for small programs.
#[test]
fn lowering_snapshots() {
    let cases: &[(&str, &str)] = &[
        (
            "let y = 2 * 3",
            "main: locals 0\n    0  push 2\n    1  push 3\n    2  binary *\n    3  store global y\n    4  push nothing\n",
        ),
        (
            "head(table({x: [1, 2]}))",
            "main: locals 0\n    0  push 1\n    1  push 2\n    2  list 2\n    3  record x\n    4  call table/1\n    5  push 5\n    6  call head/2\n",
        ),
        (
            "fn k(a) {\n  fn g(b) = a + b\n  g(1)\n}",
            "main: locals 0\n    0  closure k captures 0\n    1  store global k\n    2  push nothing\n\
             fn k(a) captures 0: locals 2\n    0  load local 0\n    1  closure g captures 1\n    2  store local 1\n    3  load local 1\n    4  push 1\n    5  call fn/1\n\
             fn g(b) captures 1: locals 1\n    0  load capture 0\n    1  load local 0\n    2  binary +\n",
        ),
        (
            "table({x: [1, -1]}) where x > 0",
            "main: locals 0\n    0  push 1\n    1  push 1\n    2  neg\n    3  list 2\n    4  record x\n    5  call table/1\n    6  where { x > 0 } compiled over x\n",
        ),
        (
            "eval(formula { x * 2 }, table({x: [1]}))",
            "main: locals 0\n    0  push 1\n    1  list 1\n    2  record x\n    3  call table/1\n    4  eval { x * 2 } compiled over x\n",
        ),
        (
            "with_column(table({x: [1, 2]}), \"y\", formula { 2 * x })",
            "main: locals 0\n    0  push 1\n    1  push 2\n    2  list 2\n    3  record x\n    4  call table/1\n    5  push \"y\"\n    6  with_column { 2 * x } compiled over x\n",
        ),
        (
            "fn f(n) = if n <= 0 { 0 } else { f(n - 1) }",
            "main: locals 0\n    0  closure f captures 0\n    1  store global f\n    2  push nothing\n\
             fn f(n) captures 0: locals 1\n    0  load local 0\n    1  push 0\n    2  binary <=\n    3  jump-if-false 6\n    4  push 0\n    5  jump 11\n    6  load self\n    7  load local 0\n    8  push 1\n    9  binary -\n   10  call fn/1\n",
        ),
    ];
    let (mut s, _) = common::session();
    for (src, want) in cases {
        let got = s.eval_input(&format!(":ir {src}")).text;
        assert_eq!(&got, want, "for `{src}`:\n{got}");
    }
}
