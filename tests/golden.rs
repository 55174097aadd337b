//! Golden tests: every `tests/golden/*.sdl` runs through the whole pipeline, each file as its
//! own test (`cargo test --test golden err_types`). The printed output must equal `NAME.out`;
//! `SDL_BLESS=1 cargo test --test golden` rewrites the `.out` files.
//!
//! Expected errors are written in one of two forms:
//! - header lines: `# exit: N` gives the expected status (0 ok, 1 static errors, 2 run-time
//!   error) and `# errors: code ...` the expected diagnostic codes in order;
//! - inline: a comment `# error: CODE` (several codes separated by spaces or commas) at the end
//!   of the line where each diagnostic's span starts, e.g. `let x = 1 + "a"   # error:
//!   type-mismatch`. Every diagnostic must be expected on its line and every expectation met;
//!   the status defaults to 1 (static errors) and may be given with `# exit: 2`.
//!
//! A new `.sdl` file must be added to the list in `golden!` below (a test fails otherwise).

mod common;

use sdl::diag::{Code, Diagnostic};
use sdl::session::RunError;
use std::path::Path;

const DIR: &str = "tests/golden";

macro_rules! golden {
    ($($name:ident),* $(,)?) => {
        const LISTED: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            fn $name() {
                run_golden(stringify!($name));
            }
        )*
    };
}

golden! {
    arithmetic,
    collections,
    custom_op,
    err_column,
    err_csv,
    err_files,
    err_graphnet,
    err_nan,
    err_opset,
    err_pictures,
    err_runtime,
    err_syntax,
    err_types,
    errors_assert,
    errors_fit,
    errors_recursion,
    errors_symbolic,
    errors_units,
    fit_constants,
    fit_search,
    fit_template,
    formula_roundtrip,
    formulas,
    functions,
    operator_sets,
    tables,
    units,
}

#[test]
fn every_golden_file_is_listed() {
    let on_disk = common::files_with_extension(DIR, "sdl");
    assert!(on_disk.len() >= 10, "expected golden files in {DIR}");
    common::assert_same_names(DIR, &on_disk, LISTED, "golden! in tests/golden.rs");
}

fn header<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().take_while(|l| l.starts_with('#')).find_map(|l| l.strip_prefix(&format!("# {key}:")).map(str::trim))
}

/// `(line index, code)` for every inline `# error: CODE` comment (lines that start with `#`
/// are headers and comments, not code, and carry no inline expectation).
fn inline_expectations(text: &str) -> Vec<(usize, Code)> {
    let mut expected = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        let Some(at) = line.find("# error:") else { continue };
        let codes = &line[at + "# error:".len()..];
        for name in codes.split(|c: char| c == ',' || c.is_whitespace()).filter(|n| !n.is_empty()) {
            let code = Code::from_name(name)
                .unwrap_or_else(|| panic!("line {}: `# error: {name}` is not a diagnostic code", i + 1));
            expected.push((i, code));
        }
    }
    expected
}

/// The 0-based line a byte offset falls on; an offset at the very end (an input that ends too
/// early) counts on the last line that has text.
fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.trim_end().len().saturating_sub(1));
    text[..offset.min(text.len())].matches('\n').count()
}

/// Matches diagnostics against inline expectations; returns one message per mismatch.
fn check_inline(text: &str, expected: &[(usize, Code)], diags: &[Diagnostic]) -> Vec<String> {
    let mut unmet: Vec<(usize, Code)> = expected.to_vec();
    let mut problems = Vec::new();
    for d in diags {
        let line = line_of(text, d.span.start);
        match unmet.iter().position(|&(l, c)| l == line && c == d.code) {
            Some(i) => {
                unmet.remove(i);
            }
            None => problems.push(format!(
                "line {}: unexpected {} ({}); write `# error: {}` on that line if it is intended",
                line + 1,
                d.code,
                d.message,
                d.code
            )),
        }
    }
    for (line, code) in unmet {
        problems.push(format!("line {}: expected {code}, but no diagnostic with that code starts there", line + 1));
    }
    problems
}

fn run_golden(stem: &str) {
    let path = Path::new(DIR).join(format!("{stem}.sdl"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let inline = inline_expectations(&text);
    let default_exit = if inline.is_empty() { "0" } else { "1" };
    let want_exit: i32 = header(&text, "exit").unwrap_or(default_exit).parse().unwrap();
    let want_codes: Option<Vec<&str>> = header(&text, "errors").map(|s| s.split_whitespace().collect());
    assert!(
        inline.is_empty() || want_codes.is_none(),
        "{}: give expected errors either as an `# errors:` header or inline, not both",
        path.display()
    );
    let (mut s, out) = common::session();
    let result = s.run_source(&path.display().to_string(), &text);
    let (exit, diags): (i32, Vec<Diagnostic>) = match &result {
        Ok(_) => (0, vec![]),
        Err(RunError::Static(ds)) => (1, ds.clone()),
        Err(RunError::Runtime(d)) => (2, vec![d.clone()]),
    };
    let mut output = out.take();
    if let Err(e) = &result {
        output.push_str(&s.render_error(e));
    }
    let out_path = path.with_extension("out");
    if common::bless() {
        std::fs::write(&out_path, &output).unwrap();
    }
    let want_out = std::fs::read_to_string(&out_path).unwrap_or_default();
    let mut failures = Vec::new();
    if exit != want_exit {
        failures.push(format!("exit {exit}, expected {want_exit}\n{output}"));
    }
    if inline.is_empty() {
        let codes: Vec<&str> = diags.iter().map(|d| d.code.name()).collect();
        let want_codes = want_codes.unwrap_or_default();
        if codes != want_codes {
            failures.push(format!("codes {codes:?}, expected {want_codes:?}"));
        }
    } else {
        failures.extend(check_inline(&text, &inline, &diags));
    }
    if output != want_out {
        failures.push(format!("output differs\n--- got\n{output}\n--- expected\n{want_out}"));
    }
    assert!(failures.is_empty(), "{}:\n{}", path.display(), failures.join("\n"));
}

#[test]
fn inline_expectations_are_read_and_matched_by_line() {
    let text = "# header: not code  # error: unknown-name\nlet x = 1 + \"a\"   # error: type-mismatch\nprint nope # error: unknown-name, type-mismatch\n";
    let expected = inline_expectations(text);
    assert_eq!(expected, vec![(1, Code::TypeMismatch), (2, Code::UnknownName), (2, Code::TypeMismatch)]);
    let at = |needle: &str| text.find(needle).unwrap();
    let mismatch = Diagnostic::new(Code::TypeMismatch, "m", at("1 + ")..at("1 + ") + 7);
    let unknown = Diagnostic::new(Code::UnknownName, "u", at("nope")..at("nope") + 4);
    // One expectation is left unmet.
    let problems = check_inline(text, &expected, &[mismatch.clone(), unknown.clone()]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("line 3: expected type-mismatch"), "{problems:?}");
    // A diagnostic on a line without that expectation.
    let stray = Diagnostic::new(Code::UnknownName, "u", 0..1);
    let problems = check_inline(text, &expected[..1], &[mismatch, stray]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("line 1: unexpected unknown-name"), "{problems:?}");
    // An input that ends too early is reported at its end, which counts on its last line.
    assert_eq!(line_of("let x = (1 +\n", 13), 0);
    assert_eq!(line_of("a\nb", 3), 1);
}
