//! Module boundaries from ARCHITECTURE.md, enforced: the formula, kernel, search, simulation,
//! units, training and picture crates know nothing of the language; front-end stages import only earlier stages; ariadne is used only by
//! `diag`; `unsafe` appears only in the JIT; every source file opens with a `//!` summary.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()) {
        let p = entry.path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

/// Lines that are code (not comments).
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| !l.trim_start().starts_with("//"))
}

#[test]
fn library_crates_know_nothing_of_the_language() {
    let language_deps = ["logos", "lalrpop", "ariadne", "rustyline", "clap", "\nsdl ", "\nsdl=", "\nsdl.workspace"];
    let layers = [
        ("sdl-formula", vec!["sdl-kernel", "sdl-search", "sdl-train", "burn"]),
        ("sdl-kernel", vec!["sdl-search", "sdl-train", "burn"]),
        // The search may use sdl-units (units as a hard constraint), never the trainer or burn.
        ("sdl-search", vec!["sdl-train", "burn"]),
        ("sdl-sim", vec!["sdl-kernel", "sdl-search", "sdl-train", "burn"]),
        // The trainer lowers formulas (sdl-formula) and reads simulations (sdl-sim), nothing else.
        ("sdl-train", vec!["sdl-kernel", "sdl-search"]),
        // Dimensions and units are shared by the checker and the search, so they sit beside the
        // formula crate and below everything else.
        ("sdl-units", vec!["sdl-kernel", "sdl-search", "sdl-sim", "sdl-train", "burn"]),
        // Pictures draw numbers: no formula, search, simulation or network crate, no burn.
        ("sdl-plot", vec!["sdl-formula", "sdl-kernel", "sdl-search", "sdl-sim", "sdl-train", "sdl-units", "burn"]),
    ];
    for (krate, forbidden) in layers {
        let manifest = read(&Path::new("crates").join(krate).join("Cargo.toml"));
        for dep in language_deps.iter().map(|s| s.to_string()).chain(forbidden.iter().map(|s| format!("\n{s}"))) {
            assert!(!manifest.contains(&dep), "{krate} must not depend on {dep:?}");
        }
        for file in rust_files(&Path::new("crates").join(krate).join("src")) {
            let text = read(&file);
            for line in code_lines(&text) {
                assert!(
                    !line.contains("sdl::") || line.contains("sdl_"),
                    "{}: uses the language crate: {line}",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn units_depend_only_on_the_formula_crate() {
    let manifest = read(Path::new("crates/sdl-units/Cargo.toml"));
    let deps = manifest.split("[dependencies]").nth(1).unwrap_or("");
    let deps = deps.split("\n[").next().unwrap_or("");
    let names: Vec<&str> = deps
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split(['=', '.']).next().map(str::trim))
        .collect();
    assert_eq!(names, ["sdl-formula"], "sdl-units may depend on sdl-formula only");
}

#[test]
fn front_end_stages_import_only_earlier_stages() {
    // (module path prefix, modules it must not import)
    let rules: &[(&str, &[&str])] = &[
        (
            "src/syntax",
            &["crate::sema", "crate::ir", "crate::exec", "crate::session", "crate::repl", "crate::data", "crate::cli"],
        ),
        ("src/sema", &["crate::ir", "crate::exec", "crate::session", "crate::repl", "crate::cli"]),
        // Lowering reads only the checked tree; the executor runs only the IR.
        ("src/ir", &["crate::sema", "crate::session", "crate::repl", "crate::cli"]),
        (
            "src/exec",
            &["crate::sema", "crate::session", "crate::repl", "crate::cli", "crate::syntax::parse", "crate::ir::lower"],
        ),
        // What the stages share imports no stage that uses it.
        ("src/tree", &["crate::sema", "crate::ir", "crate::exec", "crate::session"]),
        ("src/types", &["crate::sema", "crate::ir", "crate::exec", "crate::session"]),
        ("src/domain", &["crate::sema", "crate::ir", "crate::exec", "crate::session"]),
        ("src/builtins", &["crate::sema", "crate::ir", "crate::exec", "crate::session"]),
        ("src/diag", &["crate::syntax", "crate::sema", "crate::exec", "crate::ir"]),
        ("src/data", &["crate::syntax", "crate::sema", "crate::exec", "crate::ir"]),
    ];
    for file in rust_files(Path::new("src")) {
        let path = file.to_string_lossy().replace('\\', "/");
        for (prefix, forbidden) in rules {
            if !path.starts_with(prefix) {
                continue;
            }
            let text = read(&file);
            for line in code_lines(&text) {
                for f in *forbidden {
                    assert!(!line.contains(f), "{path} imports {f}: {line}");
                }
            }
        }
    }
}

#[test]
fn only_diag_renders_and_only_the_jit_is_unsafe() {
    let mut all = rust_files(Path::new("src"));
    for krate in ["sdl-formula", "sdl-kernel", "sdl-search", "sdl-sim", "sdl-train", "sdl-units", "sdl-plot"] {
        all.extend(rust_files(&Path::new("crates").join(krate).join("src")));
    }
    for file in &all {
        let path = file.to_string_lossy().replace('\\', "/");
        let text = read(file);
        assert!(text.starts_with("//!"), "{path} must open with a //! summary");
        if path != "src/diag.rs" {
            assert!(!code_lines(&text).any(|l| l.contains("ariadne")), "{path} uses ariadne; render in diag only");
        }
        if !path.ends_with("sdl-kernel/src/jit.rs") {
            assert!(
                !code_lines(&text).any(|l| l.contains("unsafe ") || l.contains("unsafe{")),
                "{path} has unsafe code"
            );
        }
    }
}
