//! `:help NAME`: a built-in's signature, options, doc line and example from its definition
//! ([`crate::builtins`]), or a prelude definition's doc comment and example from
//! `stdlib/prelude.sdl`, so the help text and what runs never disagree.
//!
//! A prelude doc comment is the run of `#` lines directly above `fn NAME` or `let NAME`; a line
//! `# example: CODE` in it is the example (the documentation test runs every one).

use crate::builtins::{self, Named};
use crate::sema::Checker;

/// One documented prelude definition.
#[derive(Clone, Debug, PartialEq)]
pub struct PreludeDoc {
    pub name: String,
    /// The definition's first line (`fn mean(xs) = ...`).
    pub signature: String,
    pub doc: String,
    pub example: Option<String>,
}

/// The documented definitions of a prelude source, in order.
pub fn prelude_docs(source: &str) -> Vec<PreludeDoc> {
    let mut out = Vec::new();
    let mut comment: Vec<&str> = Vec::new();
    for line in source.lines() {
        let t = line.trim();
        if let Some(c) = t.strip_prefix('#') {
            comment.push(c.trim());
            continue;
        }
        let name = t
            .strip_prefix("fn ")
            .or_else(|| t.strip_prefix("let "))
            .map(|rest| rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or(""));
        if let Some(name) = name.filter(|n| !n.is_empty()) {
            let example = comment.iter().find_map(|c| c.strip_prefix("example:")).map(|e| e.trim().to_string());
            let doc: Vec<&str> = comment.iter().copied().filter(|c| !c.starts_with("example:")).collect();
            out.push(PreludeDoc { name: name.to_string(), signature: t.to_string(), doc: doc.join(" "), example });
        }
        comment.clear();
    }
    out
}

/// The help text for `name`.
pub fn help_for(name: &str, checker: &Checker) -> String {
    if let Some(b) = builtins::lookup(name) {
        let spec = b.spec();
        let mut out = format!("{}\n  {}\n", b.signature(), spec.doc);
        if let Named::Options(opts) = spec.named {
            out.push_str("options:\n");
            for o in opts {
                out.push_str(&format!("  {:<22} {:<7} {}\n", o.name, o.ty, o.doc));
            }
        }
        out.push_str(&format!("example:\n  {}\n", spec.example.replace('\n', "\n  ")));
        return out;
    }
    if let Some(d) = prelude_docs(crate::session::PRELUDE).into_iter().find(|d| d.name == name) {
        let mut out = format!("{}\n  {}\n", d.signature, d.doc);
        if let Some(e) = d.example {
            out.push_str(&format!("example:\n  {e}\n"));
        }
        return out;
    }
    if builtins::MATH_FUNCTIONS.contains(&name) {
        return format!(
            "{name}: a math operator; works on numbers (giving a number) and formulas (giving a formula)\n"
        );
    }
    match checker.global_type(name) {
        Some(t) => format!("{name}: {t} (defined in this session)\n"),
        None => format!("no built-in or definition `{name}`; :help lists the commands\n"),
    }
}
