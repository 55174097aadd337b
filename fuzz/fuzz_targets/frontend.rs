//! Fuzz target: arbitrary bytes through lex -> parse -> check -> lower must never panic.
//! Run with `cargo fuzz run frontend` from the repository root (needs cargo-fuzz and nightly).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = std::str::from_utf8(data) {
        let (prog, _) = sdl::syntax::parse(src);
        let mut checker = sdl::sema::Checker::new();
        let (checked, diags) = checker.check_program(&prog, 0);
        if diags.is_empty() {
            let _ = sdl::ir::print_chunk(&sdl::ir::lower_program(&checked));
        }
        let _ = sdl::syntax::is_incomplete(src);
    }
});
