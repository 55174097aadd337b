//! REPL transcripts: each `tests/repl/*.txt` holds input lines (`> ...`) and the output the
//! plain front end must print after each complete input. Multi-line inputs continue on the
//! next `> ` line. `SDL_BLESS=1` rewrites the transcripts from actual output.

mod common;

use std::path::Path;

fn replay(transcript: &str) -> String {
    let (mut s, out) = common::session();
    let mut actual = String::new();
    let mut buffer = String::new();
    for line in transcript.lines().filter_map(|l| l.strip_prefix("> ")) {
        actual.push_str(&format!("> {line}\n"));
        buffer.push_str(line);
        buffer.push('\n');
        if !buffer.trim_start().starts_with(':') && sdl::syntax::is_incomplete(&buffer) {
            continue;
        }
        let reply = s.eval_input(&buffer);
        buffer.clear();
        actual.push_str(&out.take());
        actual.push_str(&reply.text);
        if reply.quit {
            break;
        }
    }
    actual
}

#[test]
fn transcripts() {
    let mut files: Vec<_> = std::fs::read_dir("tests/repl").unwrap().filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    assert!(!files.is_empty());
    let mut failures = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let actual = replay(&text);
        if common::bless() {
            std::fs::write(&path, &actual).unwrap();
        } else if actual != text {
            failures.push(format!("{}:\n--- got\n{actual}\n--- expected\n{text}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn plain_front_end_reads_piped_lines() {
    let (mut s, _out) = common::session();
    let status = sdl::repl::run_plain(&mut s, "let x = (1 +\n 2)\n:quit\n".as_bytes());
    assert_eq!(status, 0);
    let status = sdl::repl::run_plain(&mut s, "print nope\n".as_bytes());
    assert_eq!(status, 1, "an input with errors gives status 1");
    assert!(Path::new("tests/repl").is_dir());
}
