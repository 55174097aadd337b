//! Golden tests: every `tests/golden/*.sdl` runs through the whole pipeline. A header line
//! `# exit: N` gives the expected status (0 ok, 1 static errors, 2 run-time error) and
//! `# errors: code ...` the expected diagnostic codes in order; the printed output must equal
//! `NAME.out`. `SDL_BLESS=1 cargo test --test golden` rewrites the `.out` files.

mod common;

use sdl::session::RunError;
use std::path::Path;

fn header<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().take_while(|l| l.starts_with('#')).find_map(|l| l.strip_prefix(&format!("# {key}:")).map(str::trim))
}

#[test]
fn golden_files() {
    let dir = Path::new("tests/golden");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sdl"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "expected golden files in {}", dir.display());
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let want_exit: i32 = header(&text, "exit").unwrap_or("0").parse().unwrap();
        let want_codes: Vec<&str> = header(&text, "errors").map(|s| s.split_whitespace().collect()).unwrap_or_default();
        let (mut s, out) = common::session();
        let result = s.run_source(&path.display().to_string(), &text);
        let (exit, codes): (i32, Vec<String>) = match &result {
            Ok(_) => (0, vec![]),
            Err(RunError::Static(ds)) => (1, ds.iter().map(|d| d.code.name().to_string()).collect()),
            Err(RunError::Runtime(d)) => (2, vec![d.code.name().to_string()]),
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
        let name = path.display();
        if exit != want_exit {
            failures.push(format!("{name}: exit {exit}, expected {want_exit}\n{output}"));
        }
        if codes != want_codes {
            failures.push(format!("{name}: codes {codes:?}, expected {want_codes:?}"));
        }
        if output != want_out {
            failures.push(format!("{name}: output differs\n--- got\n{output}\n--- expected\n{want_out}"));
        }
    }
    assert!(failures.is_empty(), "{} golden failure(s):\n{}", failures.len(), failures.join("\n\n"));
}
