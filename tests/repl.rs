//! REPL transcripts: each `tests/repl/*.txt` holds input lines (`> ...`) and the output the
//! plain front end must print after each complete input, each transcript its own test
//! (`cargo test --test repl formulas`). Multi-line inputs continue on the next `> ` line.
//! `SDL_BLESS=1` rewrites the transcripts from actual output. A new transcript must be added to
//! the list in `transcripts!` below (a test fails otherwise).

mod common;

use sdl::repl::{split_inputs, InputBuffer};
use std::path::Path;

const DIR: &str = "tests/repl";

macro_rules! transcripts {
    ($($name:ident),* $(,)?) => {
        const LISTED: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            fn $name() {
                run_transcript(stringify!($name));
            }
        )*
    };
}

transcripts! {
    basics,
    errors,
    formulas,
    pictures,
}

#[test]
fn every_transcript_is_listed() {
    let on_disk = common::files_with_extension(DIR, "txt");
    assert!(!on_disk.is_empty());
    common::assert_same_names(DIR, &on_disk, LISTED, "transcripts! in tests/repl.rs");
}

/// Replays the `> ` lines through the same line gathering as the front ends.
fn replay(transcript: &str) -> String {
    let (mut s, out) = common::session();
    let mut actual = String::new();
    let mut buffer = InputBuffer::default();
    for line in transcript.lines().filter_map(|l| l.strip_prefix("> ")) {
        actual.push_str(&format!("> {line}\n"));
        let Some(input) = buffer.push_line(line) else { continue };
        let reply = s.eval_input(&input);
        actual.push_str(&out.take());
        actual.push_str(&reply.text);
        if reply.quit {
            break;
        }
    }
    actual
}

fn run_transcript(stem: &str) {
    let path = Path::new(DIR).join(format!("{stem}.txt"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let actual = replay(&text);
    if common::bless() {
        std::fs::write(&path, &actual).unwrap();
    } else {
        assert!(actual == text, "{}:\n--- got\n{actual}\n--- expected\n{text}", path.display());
    }
}

#[test]
fn plain_front_end_reads_piped_lines() {
    let (mut s, _out) = common::session();
    let status = sdl::repl::run_plain(&mut s, "let x = (1 +\n 2)\n:quit\n".as_bytes());
    assert_eq!(status, 0);
    let status = sdl::repl::run_plain(&mut s, "print nope\n".as_bytes());
    assert_eq!(status, 1, "an input with errors gives status 1");
    let status = sdl::repl::run_plain(&mut s, &b"print \xff\nlet y = x + 1\n:quit\n"[..]);
    assert_eq!(status, 1, "a line that is not UTF-8 is an error");
    assert_eq!(s.eval_input("y").text, "4\n", "the lines after a non-UTF-8 line still run");
}

#[test]
fn a_block_of_lines_splits_into_inputs_in_order() {
    let block = "let xs = [1,\n 2]\nprint len(xs)\r\n:type xs\nfn f(x) {\n  x + 1\n}\nprint f(\n";
    assert_eq!(
        split_inputs(block),
        ["let xs = [1,\n 2]\n", "print len(xs)\n", ":type xs\n", "fn f(x) {\n  x + 1\n}\n", "print f(\n"]
    );
    assert!(split_inputs("\n").iter().all(|i| i.trim().is_empty()));
}
