//! One test per diagnostic code: a snippet that must produce it (statically or at run time),
//! with a span inside the snippet and a help line. Every code in `Code::ALL` must be covered.
//! The example in each code's explanation (what `sdl explain CODE` prints) must produce its code
//! too, so the documentation cannot drift from the checker and the executor.

mod common;

use sdl::diag::Code;
use sdl::session::{RunError, Session};

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
    ("bad-unit", "let t = with_units(table({ x: [1] }), { x: \"meterz\" })"),
    ("unit-mismatch", "let t = with_units(table({ m: [1], r: [2] }), { m: \"kg\", r: \"m\" })\nprint eval(formula { m - r }, t)"),
    ("unreachable-units", "let t = with_units(table({ x: [1, 2, 3], T: [2, 4, 6] }), { x: \"m\", T: \"K\" })\nprint fit(t, T ~ f(x), max_dimensioned_constants: 0)"),
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
    ("unknown-format", "plot(table({ x: [1] }), \"picture.gif\")"),
    ("nothing-to-plot", "plot(table({ x: [1, 2] }) where x > 5, \"/tmp/sdl_codes_empty.png\")"),
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

/// The example of an explanation: the lines indented by four spaces after `Example:`, up to
/// `Fix:`, unindented.
fn example_of(explanation: &str) -> Option<String> {
    let (_, after) = explanation.split_once("Example:\n")?;
    let lines: Vec<&str> = after.lines().map_while(|l| l.strip_prefix("    ")).collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// Files the examples name, written into a scratch folder: `data.csv` (columns x1, x2, y) and
/// `ragged.csv` (a row longer than the header); `missing.csv` is left absent.
fn with_fixture_files(example: &str, dir: &std::path::Path) -> String {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("data.csv"), "x1,x2,y\n1,2,3\n2,3,5\n3,5,8\n").unwrap();
    std::fs::write(dir.join("ragged.csv"), "x,y\n1,2,3\n").unwrap();
    let mut text = example.to_string();
    for name in ["data.csv", "ragged.csv", "missing.csv"] {
        text = text.replace(&format!("\"{name}\""), &format!("\"{}\"", dir.join(name).display()));
    }
    text
}

#[test]
fn every_explanation_example_produces_its_code() {
    let dir = std::env::temp_dir().join(format!("sdl-explain-{}", std::process::id()));
    let mut failures = Vec::new();
    for code in Code::ALL {
        let Some(example) = example_of(code.explanation()) else {
            failures.push(format!("{code}: the explanation has no indented example after `Example:`"));
            continue;
        };
        if *code == Code::Interrupted {
            // Needs a Ctrl-C while it runs: tests/interrupt.rs does that in its own process.
            assert!(example.contains("Ctrl-C"), "{example}");
            continue;
        }
        let src = with_fixture_files(&example, &dir);
        let mut s = Session::new(Box::new(std::io::sink()));
        let diags = match s.run_source("<example>", &src) {
            Ok(_) => vec![],
            Err(RunError::Static(ds)) => ds,
            Err(RunError::Runtime(d)) => vec![d],
        };
        match diags.iter().find(|d| d.code == *code) {
            None => failures.push(format!(
                "{code}: its example gives {:?}:\n{example}",
                diags.iter().map(|d| d.code.name()).collect::<Vec<_>>()
            )),
            Some(d) if d.span.end > src.len() => {
                failures.push(format!("{code}: span {:?} outside its example", d.span))
            }
            Some(_) => {}
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn examples_are_read_from_explanations() {
    assert_eq!(
        example_of("Text.\n\nExample:\n    let x = 1\n    print x(1)\nFix: no."),
        Some("let x = 1\nprint x(1)".into())
    );
    assert_eq!(example_of("Text without one."), None);
}
