//! REPL front ends over [`Session::eval_input`]: a rustyline editor (line editing, history
//! file, tab completion, multi-line input while the input is incomplete) for terminals, and a
//! plain line reader for pipes (`echo 'print 1 + 2' | sdl`).
//!
//! Both front ends cut what they read into inputs with [`InputBuffer`], so a block of lines
//! (pasted, or typed ahead while a command runs) is evaluated one complete input at a time, in
//! order, exactly as if each had been typed at its own prompt.

use crate::session::Session;
use crate::syntax::is_incomplete;
use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper};
use std::io::{BufRead, Write};

struct SdlHelper {
    names: Vec<String>,
}

impl Completer for SdlHelper {
    type Candidate = String;

    fn complete(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<String>)> {
        let before = &line[..pos];
        let start =
            before.rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':' || c == '-')).map_or(0, |i| i + 1);
        let word = &before[start..];
        if word.is_empty() {
            return Ok((pos, vec![]));
        }
        Ok((start, self.names.iter().filter(|n| n.starts_with(word)).cloned().collect()))
    }
}

impl Hinter for SdlHelper {
    type Hint = String;
}

impl Highlighter for SdlHelper {}

impl Validator for SdlHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        let input = ctx.input();
        if !input.trim_start().starts_with(':') && is_incomplete(input) {
            Ok(ValidationResult::Incomplete)
        } else {
            Ok(ValidationResult::Valid(None))
        }
    }
}

impl Helper for SdlHelper {}

fn history_path() -> Option<std::path::PathBuf> {
    std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".sdl_history"))
}

/// The interactive REPL on a terminal.
pub fn run_terminal(session: &mut Session) -> i32 {
    let mut editor: Editor<SdlHelper, rustyline::history::DefaultHistory> = match Editor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("cannot start the line editor ({e}); reading plain lines");
            return run_plain(session, std::io::stdin().lock());
        }
    };
    editor.set_helper(Some(SdlHelper { names: session.completions() }));
    let history = history_path();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    println!("sdl {} — :help for help, :quit to leave", env!("CARGO_PKG_VERSION"));
    loop {
        match editor.readline("sdl> ") {
            Ok(line) => {
                let _ = editor.add_history_entry(line.as_str());
                // A paste arrives as one entry of several lines: evaluate its inputs one by one.
                let mut quit = false;
                for input in split_inputs(&line) {
                    let reply = session.eval_input(&input);
                    print!("{}", reply.text);
                    let _ = std::io::stdout().flush();
                    if reply.quit {
                        quit = true;
                        break;
                    }
                }
                if quit {
                    break;
                }
                if let Some(h) = editor.helper_mut() {
                    h.names = session.completions();
                }
            }
            Err(ReadlineError::Interrupted) => println!("(input abandoned; Ctrl-D or :quit leaves)"),
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error reading input: {e}");
                break;
            }
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
    0
}

/// Gathers lines into complete inputs: while the text so far is incomplete (an open bracket, a
/// dangling operator) it waits for the next line; a `:command` is always one line.
#[derive(Debug, Default)]
pub struct InputBuffer {
    pending: String,
}

impl InputBuffer {
    /// Adds one line (without its line break); returns the input it completes, if any.
    pub fn push_line(&mut self, line: &str) -> Option<String> {
        self.pending.push_str(line.strip_suffix('\r').unwrap_or(line));
        self.pending.push('\n');
        if !self.pending.trim_start().starts_with(':') && is_incomplete(&self.pending) {
            return None;
        }
        Some(std::mem::take(&mut self.pending))
    }

    /// The unfinished input left at the end of the lines, if it holds anything but blanks.
    pub fn finish(&mut self) -> Option<String> {
        let rest = std::mem::take(&mut self.pending);
        (!rest.trim().is_empty()).then_some(rest)
    }
}

/// Cuts a block of lines into the complete inputs it holds, in order (an unfinished tail is the
/// last input).
pub fn split_inputs(text: &str) -> Vec<String> {
    let mut buffer = InputBuffer::default();
    let mut inputs: Vec<String> = text.lines().filter_map(|l| buffer.push_line(l)).collect();
    inputs.extend(buffer.finish());
    inputs
}

/// The REPL over plain lines (standard input that is not a terminal). Incomplete inputs keep
/// reading; every line is read and evaluated in order, including lines that arrive while an
/// earlier input runs; a line that is not UTF-8 is reported and skipped, not an end of input.
/// The exit status is 1 if any input had errors.
pub fn run_plain(session: &mut Session, mut input: impl BufRead) -> i32 {
    let mut buffer = InputBuffer::default();
    let mut status = 0;
    let mut out = std::io::stdout();
    let mut bytes = Vec::new();
    loop {
        bytes.clear();
        match input.read_until(b'\n', &mut bytes) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                eprintln!("error reading input: {e}");
                status = 1;
                break;
            }
        }
        let Ok(line) = std::str::from_utf8(&bytes) else {
            let _ = writeln!(out, "error: a line of input is not UTF-8 text; it was skipped");
            status = 1;
            continue;
        };
        let Some(text) = buffer.push_line(line.strip_suffix('\n').unwrap_or(line)) else { continue };
        let reply = session.eval_input(&text);
        if reply.error {
            status = 1;
        }
        let _ = out.write_all(reply.text.as_bytes());
        let _ = out.flush();
        if reply.quit {
            return status;
        }
    }
    if let Some(text) = buffer.finish() {
        let reply = session.eval_input(&text);
        let _ = out.write_all(reply.text.as_bytes());
        let _ = out.flush();
        status = 1;
    }
    status
}
