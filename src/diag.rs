//! Diagnostics as plain data, and the one place that renders them (ariadne).
//!
//! Every stage (syntax, sema, exec) returns `Diagnostic` values: a stable kebab-case [`Code`], a
//! message, a primary span with a label, a help line, and the source they point into. Nothing
//! outside [`render`] talks to ariadne. `:explain CODE` in the REPL and `sdl explain CODE` print
//! [`Code::explanation`].

use std::fmt;
use std::ops::Range;

macro_rules! codes {
    ($($variant:ident = $name:literal : $explain:literal ;)*) => {
        /// A stable diagnostic code. The kebab-case name never changes once released.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        pub enum Code { $($variant),* }

        impl Code {
            /// Every code, for `:explain` completion and the per-code tests.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The kebab-case name (`type-mismatch`).
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name),* }
            }

            /// A paragraph and an example, shown by `:explain`.
            pub fn explanation(self) -> &'static str {
                match self { $(Code::$variant => $explain),* }
            }

            /// Looks a code up by its kebab-case name.
            pub fn from_name(name: &str) -> Option<Code> {
                Code::ALL.iter().copied().find(|c| c.name() == name)
            }
        }
    };
}

codes! {
    UnknownCharacter = "unknown-character":
        "The source contains a character that is not part of any sdl token.\n\nExample:\n    let x = 1 $ 2\nFix: remove the character. Comments start with `#`.";
    BadString = "bad-string":
        "A string literal is not closed on its line or uses an unknown escape.\n\nExample:\n    print \"hello\nFix: close the string with `\"`; escapes are \\n \\t \\\\ \\\".";
    UnexpectedToken = "unexpected-token":
        "The parser met a token that cannot appear at that place.\n\nExample:\n    let = 3\nFix: compare with the expected tokens listed in the help line.";
    UnexpectedEnd = "unexpected-end":
        "The input ended while a statement was still open: a bracket was not closed or an operator has no right operand.\n\nExample:\n    let x = (1 +\nFix: finish the statement. The REPL keeps reading lines in this case.";
    UnbalancedBracket = "unbalanced-bracket":
        "A closing bracket does not match an opening one.\n\nExample:\n    print (1 + 2))\nFix: remove the extra bracket or add the missing opening one.";
    UnknownName = "unknown-name":
        "A name is used that is not defined by `let`, `fn`, `op`, a parameter, or the standard library.\n\nExample:\n    print lenght([1, 2])\nFix: define the name first, or use the suggested spelling.";
    TypeMismatch = "type-mismatch":
        "A value has a different type from the one this place needs.\n\nExample:\n    let x = 1 + \"a\"\nFix: convert the value or use an operation defined for its type (`:type EXPR` shows a type).";
    NotCallable = "not-callable":
        "Something that is not a function is called.\n\nExample:\n    let x = 3\n    print x(1)\nFix: call a function, or remove the parentheses.";
    WrongArgCount = "wrong-arg-count":
        "A function is called with more positional arguments than it has parameters, or without a required one.\n\nExample:\n    fn f(x) = x\n    print f(1, 2)\nFix: pass one argument per parameter; parameters with defaults may be left out.";
    UnknownNamedArg = "unknown-named-arg":
        "A named argument does not match any parameter of the function.\n\nExample:\n    let t = table({ x: [1, 2, 3, 4] })\n    print split(t, 0.5, sed: 1)\nFix: use one of the parameter names listed in the help line.";
    DuplicateArg = "duplicate-arg":
        "The same parameter is given twice, by position and by name or by name twice.\n\nExample:\n    fn f(x) = x\n    print f(1, x: 2)\nFix: give each parameter once.";
    UnknownField = "unknown-field":
        "A record has no field of this name.\n\nExample:\n    let p = { x: 1 }\n    print p.y\nFix: use one of the fields listed in the help line.";
    UnknownColumn = "unknown-column":
        "A table has no column of this name. When a table comes from `load(\"file.csv\")` with a literal path, the checker reads the header and reports this before anything runs.\n\nExample:\n    # data.csv has the columns x1, x2, y\n    let t = load(\"data.csv\")\n    print eval(formula { x9 * 2 }, t)\nFix: use one of the columns listed in the help line.";
    UnknownOperator = "unknown-operator":
        "An operator name is not in the operator library and was not defined with `op`.\n\nExample:\n    let ops = operators { unary: [expp] }\nFix: use a known operator (`+ - * / ^ exp log sqrt sin cos ...`) or define one: `op sq(x) = x * x`.";
    OperatorArity = "operator-arity":
        "An operator is used or declared with the wrong number of arguments, for example a unary operator listed among binary ones.\n\nExample:\n    let ops = operators { binary: [exp] }\nFix: list unary operators under `unary` and binary ones under `binary`.";
    BadOperatorSet = "bad-operator-set":
        "An operator set has contradictory or impossible limits: a constraint on an operator that is not in the set, a `maxsize` too small to express anything, an unknown key.\n\nExample:\n    let ops = operators { binary: [+], constraints: { ^: [-1, 1] } }\nFix: make the limits agree; keys are binary, unary, maxsize, maxdepth, complexity, complexity_of_constants, complexity_of_variables, constraints, nested.";
    UnknownType = "unknown-type":
        "A type annotation names a type that does not exist.\n\nExample:\n    let x: nmu = 1\nFix: use num, bool, str, list[T], formula, table, opset, record.";
    NotSymbolic = "not-symbolic":
        "Inside `formula { ... }` or a model `y ~ ...` only arithmetic, numbers, names and operator calls may appear.\n\nExample:\n    let f = formula { \"a\" + x }\nFix: keep formulas to numbers, variables, `+ - * / ^`, comparisons and operator calls.";
    DuplicateParam = "duplicate-param":
        "A function or operator declares the same parameter name twice.\n\nExample:\n    fn f(x, x) = x\nFix: rename one of them.";
    BadModel = "bad-model":
        "A model for `fit` must be `column ~ expression`, where the left side names the target column.\n\nExample:\n    let t = table({ x: [1, 2, 3], y: [2, 4, 6] })\n    fit(t, 2 * y ~ x)\nFix: write the target column alone on the left of `~`.";
    FileNotFound = "file-not-found":
        "A file could not be opened.\n\nExample:\n    let t = load(\"missing.csv\")\nFix: check the path; relative paths are resolved from the current directory.";
    BadCsv = "bad-csv":
        "A CSV file is malformed: no header, a ragged row, or a value that is not a number.\n\nExample:\n    # ragged.csv holds the lines `x,y` and `1,2,3`\n    let t = load(\"ragged.csv\")\nFix: give every row as many numeric fields as the header has names.";
    NonFiniteData = "non-finite-data":
        "The data contains NaN or infinite values where finite numbers are needed.\n\nExample:\n    let t = table({ x: [1, 0 / 0, 3], y: [2, 4, 6] })   # NaN in column x\n    fit(t, y ~ f(x))\nFix: drop those rows first: `t where is_finite(x)` or `dropnan(t)`.";
    IndexOutOfRange = "index-out-of-range":
        "A list index is negative, not whole, or past the end.\n\nExample:\n    print [1, 2][5]\nFix: use an index between 0 and len(list) - 1.";
    BadArgument = "bad-argument":
        "An argument has the right type but a value the function cannot use (a fraction outside (0, 1), a negative count).\n\nExample:\n    let t = table({ x: [1, 2, 3, 4] })\n    split(t, 1.5, seed: 0)\nFix: follow the range given in the help line.";
    FitFailed = "fit-failed":
        "Constant fitting or symbolic regression could not produce a result.\n\nExample:\n    let t = table({ x: [1, 2], y: [2, 4] }) where x > 5   # no row is left\n    fit(t, y ~ a * x)\nFix: check the data and the model named in the message.";
    Interrupted = "interrupted":
        "The user pressed Ctrl-C. Long work (search, fitting) keeps the best result found so far.\n\nExample:\n    fit(t, y ~ f(x), niterations: 100000)   then Ctrl-C\nFix: nothing to fix.";
    AssertionFailed = "assertion-failed":
        "An `assert(cond, message)` found its condition false.\n\nExample:\n    assert(1 > 2, \"math broke\")\nFix: the message says what was expected.";
    IoError = "io-error":
        "Reading or writing a file failed.\n\nExample:\n    save(table({ x: [1, 2] }), \"/\")   # a folder, not a file\nFix: check the path and permissions.";
    BadGraphnet = "bad-graphnet":
        "A `graphnet { ... }` declaration is malformed: an unknown key, a model that is not `mlp(...)`, a missing output size, an unknown activation, aggregation or penalty, or a size that is not a whole number of at least 1.\n\nExample:\n    graphnet gn { message: mlp(hidden: 300) -> 100, node: mlp(hidden: 300) }\nFix: message passing needs `message: mlp(...) -> SIZE` and `node: mlp(...) -> DIM`; a Hamiltonian network needs `pair: mlp(...)` and `self: mlp(...)`.";
    NetworkDataMismatch = "network-data-mismatch":
        "A graph network and the graphs it is trained or evaluated on do not fit: the node model's output size is not the spatial dimension, a bottleneck's message size is not the dimension, or a network trained in one dimension is used on graphs of another.\n\nExample:\n    graphnet gn { message: mlp() -> 100, node: mlp() -> 3 }\n    train(gn, simulate_nbody(\"spring\", dim: 2))\nFix: make the node model output one value per dimension (`-> 2` for 2-D data).";
    UnknownVariable = "unknown-variable":
        "A formula put in place of part of a network names a variable that part does not see. A message model sees the receiver's features suffixed 1 (x1, vx1, q1, m1, ...), the sender's suffixed 2, dx, dy (dz) and r.\n\nExample:\n    graphnet gn { message: mlp() -> 2, node: mlp() -> 2 }\n    let model = train(gn, simulate_nbody(\"spring\", dim: 2, sims: 1, steps: 10), steps: 1)\n    replace(model, message: formula { dz * r })   # 2-D data has no dz\nFix: use the variables listed in the help line, as in the table `messages` returns.";
    TrainingDiverged = "training-diverged":
        "Training stopped because the loss became NaN or infinite. The network keeps the last weights that gave a finite loss; with `checkpoint:` they are also on disk.\n\nExample:\n    graphnet gn { message: mlp() -> 2, node: mlp() -> 2 }\n    train(gn, simulate_nbody(\"spring\", sims: 1, steps: 20), steps: 20, lr: 1e30)\nFix: lower the learning rate, check the data for extreme values, or use a smaller penalty weight.";
    BadModelFile = "bad-model-file":
        "A file given to `load_model` or `load_graphs` (or found at a `checkpoint:` path) is not one sdl wrote, or is cut short.\n\nExample:\n    let m = load_model(\"data.csv\")   # a CSV file, not a model\nFix: pass a file written by `save(model, path)` or `save(graphs, path)`, or delete the stale checkpoint.";
    RecursionLimit = "recursion-limit":
        "A function called itself too deeply.\n\nExample:\n    fn f(x) = f(x)\n    print f(1)\nFix: give the recursion a base case.";
    BadUnit = "bad-unit":
        "A unit could not be read: an unknown name, a malformed expression, or a temperature scale with an offset. Units are written as in physics: `m`, `km/s`, `kg*m^2/s^2`, `m s^-1`, `J`, `eV`, `m^(1/2)`; in a CSV header after the column's name in brackets, `r [m]`.\n\nExample:\n    let t = with_units(table({ r: [1, 2] }), { r: \"meterz\" })\nFix: use a known unit; the help line suggests the closest one.";
    UnreachableUnits = "unreachable-units":
        "A search with units cannot succeed: no formula of its operators over the features' units has the target's units, and no constant may carry a dimension. Reported before the search starts.\n\nExample:\n    let t = with_units(table({ x: [1, 2, 3], T: [2, 4, 6] }), { x: \"m\", T: \"K\" })\n    print fit(t, T ~ f(x), max_dimensioned_constants: 0)\nFix: give a feature with the missing units, allow a dimensioned constant (`max_dimensioned_constants: 1`), check the target's units, or search without units (`units: false`).";
    UnknownFormat = "unknown-format":
        "A file name's extension does not name a format sdl writes there: pictures (`plot`, `plot_messages`, `plot_predictions`, `--plot`) are `.png` or `.svg`, report pages (`report`, `--report`) `.html`. With a literal file name the checker reports this before anything runs.\n\nExample:\n    plot(table({ x: [1, 2], y: [3, 4] }), \"plot.jpg\")\nFix: end the file name in .png or .svg (pictures) or .html (reports).";
    NothingToPlot = "nothing-to-plot":
        "A picture would be empty: the table has no rows, a network has no training history, or every value is NaN or infinite (or not positive on a logarithmic axis). Such values are skipped and counted in a picture that has others; when nothing is left, nothing is written.\n\nExample:\n    plot(table({ x: [1, 2], y: [0 / 0, 1 / 0] }), \"/tmp/sdl_nothing.png\", x: \"x\", y: \"y\")\nFix: plot data with finite values; `dropnan(t)` shows how many rows are left.";
    UnitMismatch = "unit-mismatch":
        "A formula combines quantities whose dimensions do not fit: adding or comparing different dimensions, a dimensioned argument to exp, log, sin and the like, or a dimensioned or non-constant exponent.\n\nExample:\n    let t = with_units(table({ m: [1, 2], r: [3, 4] }), { m: \"kg\", r: \"m\" })\n    print eval(formula { m + r }, t)\nFix: check the formula against the units of its columns; the message gives both sides' dimensions.";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Identifies a source text in a session (0: the current input).
pub type SourceId = usize;

/// One problem found by a stage.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub code: Code,
    pub message: String,
    pub span: Range<usize>,
    pub source: SourceId,
    pub label: String,
    pub help: Option<String>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic with an empty label and no help.
    pub fn new(code: Code, message: impl Into<String>, span: Range<usize>) -> Diagnostic {
        Diagnostic { code, message: message.into(), span, source: 0, label: String::new(), help: None, notes: vec![] }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// The same diagnostic pointing at `span` (for errors found away from the source, such as
    /// a bad CSV header reported at the `load` call).
    pub fn with_span(mut self, span: Range<usize>) -> Diagnostic {
        self.span = span;
        self
    }

    pub fn in_source(mut self, source: SourceId) -> Diagnostic {
        self.source = source;
        self
    }
}

/// Edit distance used for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The closest candidate to `name`, if any is close enough to be a likely typo.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c)
}

/// The help line for a unit that could not be read.
pub fn unit_help(e: &sdl_units::UnitError) -> String {
    match &e.kind {
        sdl_units::UnitErrorKind::Unknown { suggestion: Some(s), .. } => {
            format!("did you mean `{s}`? units: SI (m, kg, s, A, K, mol, cd), derived (N, J, W, Pa, C, V, Hz, eV ...), prefixes (km, ms, um ...)")
        }
        _ => "write units as in physics: m, km/s, kg*m^2/s^2, m s^-1, m^(1/2)".to_string(),
    }
}

/// A help line that starts with "did you mean `X`?" when a candidate is close to `name`,
/// followed by `rest` (usually the list of valid names).
pub fn help_suggesting<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>, rest: &str) -> String {
    match did_you_mean(name, candidates) {
        Some(s) => format!("did you mean `{s}`? {rest}"),
        None => rest.to_string(),
    }
}

/// Renders diagnostics with ariadne. `sources[i]` is `(name, text)` of source `i`. Colour only
/// when `color` is set (the caller passes "stderr is a terminal").
pub fn render(diags: &[Diagnostic], sources: &[(String, String)], color: bool) -> String {
    use ariadne::{Config, Label, Report, ReportKind, Source};
    let mut out = Vec::new();
    for d in diags {
        let (name, text) = sources.get(d.source).cloned().unwrap_or_else(|| ("<input>".into(), String::new()));
        let len = text.len();
        let span = d.span.start.min(len)..d.span.end.min(len).max(d.span.start.min(len));
        let mut report = Report::build(ReportKind::Error, (name.clone(), span.clone()))
            .with_config(Config::default().with_color(color).with_index_type(ariadne::IndexType::Byte))
            .with_code(d.code.name())
            .with_message(&d.message)
            .with_label(Label::new((name.clone(), span)).with_message(&d.label));
        if let Some(help) = &d.help {
            report = report.with_help(help);
        }
        for n in &d.notes {
            report = report.with_note(n);
        }
        let _ = report.finish().write((name.clone(), Source::from(text)), &mut out);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A compact one-line form: `error[code] at 3..7: message (help)`. Used by tests and `--json`.
pub fn short(d: &Diagnostic) -> String {
    format!("error[{}] at {}..{}: {}", d.code, d.span.start, d.span.end, d.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_explained() {
        for (i, c) in Code::ALL.iter().enumerate() {
            assert!(c.name().chars().all(|ch| ch.is_ascii_lowercase() || ch == '-'), "{c}");
            assert!(c.explanation().contains("Example"), "{c} has no example");
            assert_eq!(Code::from_name(c.name()), Some(*c));
            assert!(!Code::ALL[..i].iter().any(|o| o.name() == c.name()));
        }
    }

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("x9", ["x1", "y"]), Some("x1"));
        assert_eq!(did_you_mean("lenght", ["len", "length", "load"]), Some("length"));
        assert_eq!(did_you_mean("zzz", ["x1", "y"]), None);
    }

    #[test]
    fn render_has_code_and_help_without_colour() {
        let d = Diagnostic::new(Code::TypeMismatch, "expected num, found str", 8..11)
            .with_label("this is a str")
            .with_help("convert it");
        let out = render(&[d], &[("t.sdl".into(), "let x = \"a\"".into())], false);
        assert!(out.contains("type-mismatch") && out.contains("convert it") && out.contains("t.sdl"), "{out}");
        assert!(!out.contains('\u{1b}'));
    }
}
