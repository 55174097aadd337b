//! Lines typed ahead are kept: many lines written to the REPL at once, some while a slow
//! command runs, are all evaluated, in order. The plain front end is driven through a pipe; the
//! line editor (rustyline) through a pseudo-terminal made by `script` from util-linux, a test
//! that is skipped, with a note, where `script` is not installed.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// A line that keeps the REPL busy for a moment, so that the lines after it arrive while it runs.
const SLOW: &str = "let busy = sum(range(3000000))";
const LINES: usize = 40;

fn expected_values() -> Vec<String> {
    (1..=LINES).map(|i| format!("{}", 7000 + i)).collect()
}

/// `print 7000 + i` prints `700i`, which is not in the line itself (a terminal echoes input).
fn numbered_lines(end: &str) -> String {
    (1..=LINES).map(|i| format!("print 7000 + {i}{end}")).collect()
}

/// Collects a child's stdout on a thread, so the test can wait for text with a deadline.
fn reader(mut child_out: impl Read + Send + 'static) -> Receiver<Vec<u8>> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = child_out.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    rx
}

/// Reads until `done` holds for what was read, or the deadline passes.
fn read_until(rx: &Receiver<Vec<u8>>, seen: &mut String, deadline: Instant, done: impl Fn(&str) -> bool) {
    while !done(seen) {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(bytes) => seen.push_str(&String::from_utf8_lossy(&bytes)),
            Err(_) => return,
        }
    }
}

/// Positions of `values` in `text`, each searched after the previous one; `None` for the
/// first that is missing or out of order.
fn in_order(text: &str, values: &[String]) -> Result<(), String> {
    let mut from = 0;
    for v in values {
        match text[from..].find(v.as_str()) {
            Some(at) => from += at + v.len(),
            None => return Err(format!("`{v}` missing or out of order in:\n{text}")),
        }
    }
    Ok(())
}

fn kill(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn piped_lines_are_all_evaluated_in_order() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sdl"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // One write: the slow line, a multi-line input, and numbered lines.
    let first = format!("{SLOW}\nlet xs = [1,\n  2, 3]\nprint len(xs)\n{}", numbered_lines("\n"));
    stdin.write_all(first.as_bytes()).unwrap();
    // A second block while the first still runs, then the end of input.
    std::thread::sleep(Duration::from_millis(50));
    stdin.write_all(b"print busy > 0\nprint \"last\"\n").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut want: Vec<String> = vec!["3".into()];
    want.extend(expected_values());
    want.extend(["true".to_string(), "last".to_string()]);
    assert_eq!(stdout.lines().collect::<Vec<_>>(), want, "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn lines_typed_ahead_in_the_line_editor_are_all_evaluated_in_order() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: `script` (util-linux) is not installed, so no pseudo-terminal can be made");
        return;
    }
    let home = std::env::temp_dir().join(format!("sdl-typeahead-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    // `script` runs sdl on a new pseudo-terminal and copies its own stdin there as typed keys.
    let mut child = Command::new("script")
        .args(["-q", "-e", "-c", env!("CARGO_BIN_EXE_sdl"), "/dev/null"])
        .env("TERM", "xterm")
        .env("HOME", &home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut keys = child.stdin.take().unwrap();
    let rx = reader(child.stdout.take().unwrap());
    let mut seen = String::new();
    read_until(&rx, &mut seen, Instant::now() + Duration::from_secs(20), |s| s.contains("sdl> "));
    if !seen.contains("sdl> ") {
        kill(child);
        panic!("the line editor did not start:\n{seen}");
    }
    // Enter is a carriage return on a terminal. All lines go in one write, while the first runs.
    let typed = format!("{SLOW}\r{}", numbered_lines("\r"));
    keys.write_all(typed.as_bytes()).unwrap();
    keys.flush().unwrap();
    let want = expected_values();
    let last = want.last().unwrap().clone();
    read_until(&rx, &mut seen, Instant::now() + Duration::from_secs(15), |s| s.contains(&last));
    let _ = keys.write_all(b":quit\r");
    drop(keys);
    let _ = std::fs::remove_dir_all(&home);
    let result = in_order(&seen, &want);
    kill(child);
    result.unwrap();
}
