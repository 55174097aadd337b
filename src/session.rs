//! The session: one environment (checker + executor) that runs sources through the whole
//! pipeline, and the terminal-free REPL backend (`eval_input`) that both REPL front ends use.
//!
//! **Invariant:** an input with a syntax or type error runs nothing and defines nothing; an
//! input that fails at run time keeps the definitions made before the failure.

use crate::diag::{self, Code, Diagnostic};
use crate::exec::value::Value;
use crate::exec::{Output, Vm, INTERRUPTED};
use crate::sema::Checker;
use crate::syntax;
use std::sync::atomic::Ordering;

/// The prelude, written in sdl, embedded in the binary.
pub const PRELUDE: &str = include_str!("../stdlib/prelude.sdl");

/// Why a run failed.
#[derive(Debug)]
pub enum RunError {
    /// Syntax or type errors: nothing ran (exit status 1).
    Static(Vec<Diagnostic>),
    /// A run-time error (exit status 2).
    Runtime(Diagnostic),
}

/// What the REPL backend answers to one input.
#[derive(Debug, Default, PartialEq)]
pub struct Reply {
    /// Text to show (output, echoed value, rendered diagnostics).
    pub text: String,
    /// True after `:quit`.
    pub quit: bool,
    /// True when the input had an error.
    pub error: bool,
}

/// One sdl environment.
pub struct Session {
    checker: Checker,
    vm: Vm,
    sources: Vec<(String, String)>,
    /// Colour in rendered diagnostics.
    pub color: bool,
}

const HELP: &str = "\
sdl REPL — type sdl statements; an incomplete line continues on the next.
  :help            this text
  :type EXPR       the static type of an expression
  :ast EXPR        the syntax tree of an expression
  :ir CODE         the IR the code lowers to
  :help NAME       a built-in's or prelude function's signature, options, doc and example
  :load FILE       run a .sdl file in this session
  :explain CODE    what a diagnostic code means, with an example
  :reset           forget every definition
  :quit            leave (also Ctrl-D)
Ctrl-C abandons the current input or stops the running command (a search keeps its best).";

impl Session {
    /// A session with the prelude loaded; `print` output goes to `out`.
    pub fn new(out: Output) -> Session {
        let mut s = Session { checker: Checker::new(), vm: Vm::new(out), sources: Vec::new(), color: false };
        if let Err(e) = s.run_source("<prelude>", PRELUDE) {
            // The prelude is tested to check and run cleanly; this is a build defect.
            panic!("the embedded prelude failed: {e:?}");
        }
        s
    }

    /// Gives script parameter `name` the value `value` (what `param(name, default)` returns).
    pub fn set_param(&mut self, name: &str, value: &str) {
        self.vm.params.insert(name.to_string(), value.to_string());
    }

    /// Defines global `name` as `value` of static type `ty` (the embedding API's entry point).
    pub(crate) fn bind_value(&mut self, name: &str, value: Value, ty: crate::types::Type) {
        self.checker.declare_global(name, ty);
        self.vm.globals.insert(name.to_string(), value);
    }

    /// Shows progress bars for long work.
    pub fn set_progress(&mut self, on: bool) {
        self.vm.progress = on;
    }

    fn add_source(&mut self, name: &str, text: &str) -> usize {
        self.sources.push((name.to_string(), text.to_string()));
        self.sources.len() - 1
    }

    /// Parses and checks `text` without running it.
    pub fn check_source(&mut self, name: &str, text: &str) -> Vec<Diagnostic> {
        let id = self.add_source(name, text);
        let (prog, mut diags) = syntax::parse(text);
        for d in &mut diags {
            d.source = id;
        }
        let mut checker = self.checker.clone();
        diags.extend(checker.check_program(&prog, id).1);
        diags.sort_by_key(|d| d.span.start);
        diags
    }

    /// Runs `text` through the whole pipeline. Returns the value of its last expression
    /// statement (`Value::Nothing` if none).
    pub fn run_source(&mut self, name: &str, text: &str) -> Result<Value, RunError> {
        INTERRUPTED.store(false, Ordering::SeqCst);
        let id = self.add_source(name, text);
        let (prog, mut diags) = syntax::parse(text);
        for d in &mut diags {
            d.source = id;
        }
        // Check even after syntax errors, on the recovered tree, so one run reports both.
        let mut checker = self.checker.clone();
        let (checked, check_diags) = checker.check_program(&prog, id);
        diags.extend(check_diags);
        if !diags.is_empty() {
            diags.sort_by_key(|d| (d.source, d.span.start));
            return Err(RunError::Static(diags));
        }
        // Only an input without static errors defines anything (operators included).
        self.checker = checker;
        self.vm.ops = self.checker.ops.clone();
        let chunk = crate::ir::lower_program(&checked);
        self.vm.run(&chunk).map_err(RunError::Runtime)
    }

    /// Renders diagnostics against this session's sources.
    pub fn render(&self, diags: &[Diagnostic]) -> String {
        diag::render(diags, &self.sources, self.color)
    }

    /// Renders a run error.
    pub fn render_error(&self, e: &RunError) -> String {
        match e {
            RunError::Static(ds) => self.render(ds),
            RunError::Runtime(d) => self.render(std::slice::from_ref(d)),
        }
    }

    /// Names for tab completion: keywords, commands, globals, built-ins.
    pub fn completions(&self) -> Vec<String> {
        let mut names: Vec<String> = syntax::lexer::KEYWORDS.iter().map(|s| s.to_string()).collect();
        names.extend(
            [":help", ":type", ":ast", ":ir", ":load", ":explain", ":reset", ":quit"].iter().map(|s| s.to_string()),
        );
        names.extend(self.checker.visible_names());
        names.extend(Code::ALL.iter().map(|c| c.name().to_string()));
        names.sort();
        names.dedup();
        names
    }

    /// The REPL backend: evaluates one (possibly multi-line) input or command.
    pub fn eval_input(&mut self, input: &str) -> Reply {
        let trimmed = input.trim();
        if let Some(cmd) = trimmed.strip_prefix(':') {
            return self.command(cmd);
        }
        if trimmed.is_empty() {
            return Reply::default();
        }
        match self.run_source("<repl>", input) {
            Ok(Value::Nothing) => Reply::default(),
            Ok(v) => Reply { text: format!("{v}\n"), ..Reply::default() },
            Err(e) => Reply { text: self.render_error(&e), error: true, ..Reply::default() },
        }
    }

    fn command(&mut self, cmd: &str) -> Reply {
        let (name, arg) = cmd.split_once(char::is_whitespace).map(|(a, b)| (a, b.trim())).unwrap_or((cmd, ""));
        let text = match name {
            "help" | "h" if arg.is_empty() => format!("{HELP}\n"),
            "help" | "h" => crate::help::help_for(arg, &self.checker),
            "quit" | "q" | "exit" => return Reply { quit: true, ..Reply::default() },
            "reset" => {
                let out = std::mem::replace(&mut self.vm.out, Box::new(std::io::sink()));
                let progress = self.vm.progress;
                *self = Session { color: self.color, ..Session::new(out) };
                self.vm.progress = progress;
                "all definitions forgotten\n".to_string()
            }
            "explain" => match Code::from_name(arg) {
                Some(c) => format!("{}\n\n{}\n", c.name(), c.explanation()),
                None => {
                    let names: Vec<&str> = Code::ALL.iter().map(|c| c.name()).collect();
                    match diag::did_you_mean(arg, names.iter().copied()) {
                        Some(s) => format!("no code `{arg}`; did you mean `{s}`?\n"),
                        None => format!("codes: {}\n", names.join(" ")),
                    }
                }
            },
            "type" | "t" => {
                let id = self.add_source("<repl>", arg);
                let (e, diags) = syntax::parse_expr(arg);
                match e {
                    Some(e) if diags.is_empty() => {
                        let (checked, diags) = self.checker.clone().check_expr(&e, id);
                        match (diags.is_empty(), checked.stmts.first()) {
                            (true, Some(crate::tree::Stmt::Expr(x))) => format!("{}\n", x.ty),
                            _ => self.render(&diags),
                        }
                    }
                    _ => self.render(&relabel(diags, id)),
                }
            }
            "ir" => {
                let id = self.add_source("<repl>", arg);
                let (prog, diags) = syntax::parse(arg);
                if diags.is_empty() {
                    let (checked, diags) = self.checker.clone().check_program(&prog, id);
                    if diags.is_empty() {
                        crate::ir::print_chunk(&crate::ir::lower_program(&checked))
                    } else {
                        self.render(&diags)
                    }
                } else {
                    self.render(&relabel(diags, id))
                }
            }
            "ast" => {
                let id = self.add_source("<repl>", arg);
                match syntax::parse_expr(arg) {
                    (Some(e), diags) if diags.is_empty() => format!("{}\n", syntax::ast::sexpr(&e)),
                    (_, diags) => self.render(&relabel(diags, id)),
                }
            }
            "load" => match std::fs::read_to_string(arg) {
                Ok(text) => match self.run_source(arg, &text) {
                    Ok(_) => format!("loaded {arg}\n"),
                    Err(e) => self.render_error(&e),
                },
                Err(e) => format!("cannot read {arg}: {e}\n"),
            },
            other => format!("unknown command `:{other}`; :help lists the commands\n"),
        };
        let error = text.contains("Error");
        Reply { text, error, quit: false }
    }
}

fn relabel(mut diags: Vec<Diagnostic>, id: usize) -> Vec<Diagnostic> {
    for d in &mut diags {
        d.source = id;
    }
    diags
}
