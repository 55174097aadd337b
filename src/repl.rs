//! REPL front ends over [`Session::eval_input`]: a rustyline editor (line editing, history
//! file, tab completion, multi-line input while the input is incomplete) for terminals, and a
//! plain line reader for pipes (`echo 'print 1 + 2' | sdl`).

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
                let reply = session.eval_input(&line);
                print!("{}", reply.text);
                let _ = std::io::stdout().flush();
                if reply.quit {
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

/// The REPL over plain lines (standard input that is not a terminal). Incomplete inputs keep
/// reading; the exit status is 1 if any input had errors.
pub fn run_plain(session: &mut Session, input: impl BufRead) -> i32 {
    let mut buffer = String::new();
    let mut status = 0;
    let mut out = std::io::stdout();
    for line in input.lines() {
        let Ok(line) = line else { break };
        buffer.push_str(&line);
        buffer.push('\n');
        if !buffer.trim_start().starts_with(':') && is_incomplete(&buffer) {
            continue;
        }
        let reply = session.eval_input(&buffer);
        buffer.clear();
        if reply.error {
            status = 1;
        }
        let _ = out.write_all(reply.text.as_bytes());
        let _ = out.flush();
        if reply.quit {
            return status;
        }
    }
    if !buffer.trim().is_empty() {
        let reply = session.eval_input(&buffer);
        let _ = out.write_all(reply.text.as_bytes());
        status = 1;
    }
    status
}
