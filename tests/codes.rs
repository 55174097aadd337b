//! One test per diagnostic code: a snippet that must produce it (statically or at run time),
//! with a span inside the snippet and a help line. Every code in `Code::ALL` must be covered.

mod common;

use sdl::diag::Code;
use sdl::session::RunError;

const CASES: &[(&str, &str)] = &[
    ("unknown-character", "let x = 1 $ 2"),
    ("bad-string", "print \"abc"),
    ("unexpected-token", "let = 3"),
    ("unexpected-end", "let x = (1 +"),
    ("unbalanced-bracket", "print (1))"),
    ("unknown-name", "print nope"),
    ("type-mismatch", "print 1 + \"a\""),
    ("not-callable", "let x = 3\nprint x(1)"),
    ("wrong-arg-count", "fn f(a) = a\nprint f(1, 2)"),
    ("unknown-named-arg", "fn f(a) = a\nprint f(b: 1)"),
    ("duplicate-arg", "fn f(a) = a\nprint f(1, a: 2)"),
    ("unknown-field", "let p = { a: 1 }\nprint p.b"),
    ("unknown-column", "let t = table({ x: [1] })\nprint t.y"),
    ("unknown-operator", "let f = formula { foo(x) }"),
    ("operator-arity", "let f = formula { exp(x, y) }"),
    ("bad-operator-set", "let o = operators { maxsiz: 3 }"),
    ("unknown-type", "let x: nmu = 1"),
    ("not-symbolic", "let f = formula { \"a\" }"),
    ("duplicate-param", "fn f(a, a) = a"),
    ("bad-model", "let t = table({ x: [1], y: [2] })\nprint fit(t, 2 * y ~ x)"),
    ("file-not-found", "let t = load(\"no/such/file.csv\")"),
    ("bad-csv", "let t = load(\"tests/golden/data/ragged.csv\")"),
    ("non-finite-data", "let t = table({ x: [1, 2], y: [1, 0 / 0] })\nprint fit(t, y ~ a * x)"),
    ("index-out-of-range", "print [1][3]"),
    ("bad-argument", "print split(table({ x: [1, 2] }), 1.5, seed: 0)"),
    ("fit-failed", "let t = table({ x: [1], y: [1] }) where x > 5\nprint fit(t, y ~ a * x)"),
    ("assertion-failed", "assert(1 > 2, \"one is not more than two\")"),
    ("io-error", "save(table({ x: [1] }), \"/\")"),
    ("recursion-limit", "fn f(x) = f(x)\nprint f(1)"),
    ("bad-graphnet", "graphnet g { message: mlp() -> 100, nod: mlp() -> 2 }"),
    (
        "network-data-mismatch",
        "graphnet g { message: mlp() -> 10, node: mlp() -> 3 }\nlet d = simulate_nbody(\"spring\", sims: 1, steps: 10)\nlet m = train(g, d, steps: 1)",
    ),
    (
        "unknown-variable",
        "graphnet g { message: mlp(hidden: 4, layers: 1) -> 2, node: mlp(hidden: 4, layers: 1) -> 2 }\nlet d = simulate_nbody(\"spring\", sims: 1, steps: 10)\nlet m = train(g, d, steps: 1)\nprint replace(m, message: formula { dz * r })",
    ),
    (
        "training-diverged",
        "graphnet g { message: mlp(hidden: 4, layers: 1) -> 2, node: mlp(hidden: 4, layers: 1) -> 2 }\nlet d = simulate_nbody(\"spring\", sims: 1, steps: 20)\nlet m = train(g, d, steps: 20, lr: 1e30, batch: 2)",
    ),
    ("bad-model-file", "let m = load_model(\"tests/golden/data/ragged.csv\")"),
];

#[test]
fn every_code_is_produced_by_its_snippet() {
    let mut failures = Vec::new();
    for (code, src) in CASES {
        let (mut s, _out) = common::session();
        let diags = match s.run_source("<case>", src) {
            Ok(_) => vec![],
            Err(RunError::Static(ds)) => ds,
            Err(RunError::Runtime(d)) => vec![d],
        };
        match diags.iter().find(|d| d.code.name() == *code) {
            None => failures
                .push(format!("{code}: got {:?} for {src:?}", diags.iter().map(|d| d.code.name()).collect::<Vec<_>>())),
            Some(d) => {
                if d.span.end > src.len() || d.help.is_none() {
                    failures.push(format!("{code}: span {:?} or help {:?} off for {src:?}", d.span, d.help));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_code_has_a_case() {
    for c in Code::ALL {
        if *c == Code::Interrupted {
            continue; // covered by tests/interrupt.rs (its own process: the flag is global)
        }
        assert!(CASES.iter().any(|(name, _)| *name == c.name()), "no test case for `{c}`");
    }
}
