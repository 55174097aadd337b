//! The front end never panics: 10,000+ generated and mutated inputs go through
//! lex -> parse -> check (and the REPL's completeness test) inside `catch_unwind`. Inputs are
//! seeded from the golden files, the examples and the prelude, then mutated by character edits
//! and token splices; others are random token sequences. Deterministic (fixed seed).

use sdl::formula::rng::Rng;
use sdl::sema::Checker;
use std::panic::{catch_unwind, AssertUnwindSafe};

const TOKENS: &[&str] = &[
    "let",
    "fn",
    "op",
    "if",
    "else",
    "true",
    "false",
    "print",
    "formula",
    "operators",
    "graphnet",
    "mlp",
    "penalty",
    "where",
    "and",
    "or",
    "not",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ";",
    ".",
    "=",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "^",
    "**",
    "~",
    "->",
    "\n",
    "x",
    "y",
    "t",
    "f",
    "exp",
    "sin",
    "fit",
    "load",
    "eval",
    "diff",
    "binary",
    "unary",
    "maxsize",
    "1",
    "2.5",
    "1e3",
    "-1",
    "\"s\"",
    "\"tests/golden/data/points.csv\"",
    "#c\n",
    "$",
    "@",
    "\"",
    "é",
    " ",
];

fn seeds() -> Vec<String> {
    let mut out = vec![sdl::session::PRELUDE.to_string()];
    for dir in ["tests/golden", "examples"] {
        let Ok(entries) = std::fs::read_dir(dir) else { continue };
        let mut paths: Vec<_> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "sdl"))
            .collect();
        paths.sort();
        for p in paths {
            out.push(std::fs::read_to_string(p).unwrap());
        }
    }
    out
}

fn random_tokens(rng: &mut Rng) -> String {
    let n = 1 + rng.below(40);
    (0..n).map(|_| TOKENS[rng.below(TOKENS.len())]).collect::<Vec<_>>().join(if rng.chance(0.5) { " " } else { "" })
}

fn mutate(rng: &mut Rng, src: &str) -> String {
    let mut chars: Vec<char> = src.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let len = chars.len().max(1);
        let at = rng.below(len).min(chars.len());
        match rng.below(5) {
            0 if !chars.is_empty() => {
                let end = (at + 1 + rng.below(8)).min(chars.len());
                chars.drain(at..end);
            }
            1 => {
                let tok: Vec<char> = TOKENS[rng.below(TOKENS.len())].chars().collect();
                chars.splice(at..at, tok);
            }
            2 if !chars.is_empty() => {
                let end = (at + 1 + rng.below(30)).min(chars.len());
                let copy: Vec<char> = chars[at..end].to_vec();
                let to = rng.below(chars.len());
                chars.splice(to..to, copy);
            }
            3 => chars.truncate(at),
            _ => {
                let c = char::from_u32(rng.below(0x250) as u32).unwrap_or('?');
                chars.insert(at, c);
            }
        }
    }
    chars.into_iter().collect()
}

fn front_end(src: &str) {
    let (prog, parse_diags) = sdl::syntax::parse(src);
    let mut checker = Checker::new();
    let (checked, diags) = checker.check_program(&prog, 0);
    // A program the front end accepts lowers, and its IR prints, without panicking.
    if parse_diags.is_empty() && diags.is_empty() {
        let _ = sdl::ir::print_chunk(&sdl::ir::lower_program(&checked));
    }
    let _ = sdl::syntax::is_incomplete(src);
    let _ = sdl::syntax::parse_expr(src);
}

#[test]
fn front_end_survives_generated_and_mutated_inputs() {
    let seeds = seeds();
    assert!(seeds.len() > 10, "seed corpus missing");
    let mut rng = Rng::new(20261124);
    let mut count = 0;
    let mut failures = Vec::new();
    while count < 10_500 {
        let input = if rng.chance(0.3) {
            random_tokens(&mut rng)
        } else {
            let base = &seeds[rng.below(seeds.len())];
            mutate(&mut rng, base)
        };
        if catch_unwind(AssertUnwindSafe(|| front_end(&input))).is_err() {
            failures.push(input);
        }
        count += 1;
    }
    assert!(failures.is_empty(), "{} input(s) panicked; first:\n{:?}", failures.len(), failures.first());
}
