//! The table of built-in functions: names, parameters and one-line docs, shared by the
//! checker (argument binding, completion) and the executor (dispatch).
//!
//! **Invariant:** every name here has a typing rule in `sema::check_builtin` and an
//! implementation in `exec::builtins`; a test walks the table to keep the three in step.

/// One parameter of a built-in.
#[derive(Clone, Copy, Debug)]
pub struct ParamSpec {
    pub name: &'static str,
    /// False for parameters that may be left out.
    pub required: bool,
}

const fn req(name: &'static str) -> ParamSpec {
    ParamSpec { name, required: true }
}

const fn opt(name: &'static str) -> ParamSpec {
    ParamSpec { name, required: false }
}

/// A built-in function's specification.
#[derive(Clone, Copy, Debug)]
pub struct BuiltinSpec {
    pub name: &'static str,
    pub params: &'static [ParamSpec],
    /// True when extra named arguments are allowed (`eval(f, x: 1, r: 2)`, `subs`, `fit`).
    pub open_named: bool,
    pub doc: &'static str,
}

macro_rules! builtins {
    ($($name:literal ( $($p:expr),* ) $open:literal : $doc:literal ;)*) => {
        /// Every built-in function.
        pub const BUILTINS: &[BuiltinSpec] = &[
            $(BuiltinSpec { name: $name, params: &[$($p),*], open_named: $open, doc: $doc }),*
        ];
    };
}

builtins! {
    "len"(req("x")) false: "number of elements of a list, rows of a table, or characters of a string";
    "str"(req("x")) false: "the value printed to a string";
    "range"(req("n")) false: "the list [0, 1, ..., n - 1]";
    "uniform"(req("n"), req("lo"), req("hi"), req("seed")) false: "n seeded uniform random numbers in [lo, hi)";
    "normal"(req("n"), req("seed")) false: "n seeded standard normal random numbers";
    "sum"(req("xs")) false: "sum of a list of numbers";
    "mean"(req("xs")) false: "mean of a list of numbers";
    "std"(req("xs")) false: "standard deviation of a list of numbers";
    "map"(req("xs"), req("f")) false: "applies a function to every element of a list";
    "assert"(req("cond"), opt("message")) false: "stops with assertion-failed when cond is false";
    "is_finite"(req("x")) false: "true for a finite number; in a formula, 1 where the argument is finite";
    "load"(req("path")) false: "reads a CSV file with a header row into a table";
    "save"(req("value"), req("path")) false: "writes a table (CSV), graphs (NPZ) or a network (sdl model file)";
    "split"(req("table"), req("fraction"), req("seed")) false: "random split of a table's rows (or of graphs) into {train, test}; train gets `fraction`";
    "rows"(req("table")) false: "number of rows of a table";
    "columns"(req("table")) false: "the column names of a table";
    "column"(req("table"), req("name")) false: "one column of a table as a list of numbers";
    "head"(req("table"), opt("n")) false: "the first n rows (default 5) of a table";
    "dropnan"(req("table")) false: "the table without rows that contain NaN or infinite values";
    "with_column"(req("table"), req("name"), req("values")) false: "the table with a column added or replaced (a list or a formula of the columns)";
    "table"(req("columns")) false: "a table from a record of equal-length lists";
    "eval"(req("f"), opt("at")) true: "evaluates a formula on a table (a list) or on named values (a number)";
    "parse_formula"(req("text")) false: "reads a formula written in plain infix, as `str(f)` prints it";
    "simplify"(req("f")) false: "constant folding and algebraic identities that never change values";
    "diff"(req("f"), req("var")) false: "the symbolic derivative of a formula with respect to a variable";
    "subs"(req("f")) true: "substitutes variables: subs(f, x: 2, r: formula { a + b })";
    "latex"(req("f")) false: "a formula as LaTeX";
    "sympy"(req("f")) false: "a formula as a string SymPy's sympify parses";
    "vars"(req("f")) false: "the variables a formula uses";
    "constants"(req("f")) false: "the constants of a formula";
    "complexity"(req("f"), opt("ops")) false: "the complexity of a formula (node count, or costs of an operator set)";
    "fit"(req("table"), req("model")) true: "fits a model: free constants of a fixed form, or symbolic regression for unknown functions";
    "simulate_nbody"(req("law"), opt("n"), opt("dim"), opt("sims"), opt("steps"), opt("keep_every"), opt("seed")) false: "the paper's N-body simulations: {nodes, edges} tables (edges carry dx, dy, r and the true pair force)";
    "r2"(req("pred"), req("target")) false: "coefficient of determination of predictions against targets";
    "train"(req("net"), req("data")) true: "trains a graph network on graphs: train(gn, data, steps: 1000, lr: 1e-3, batch: 64, seed: 0, ...)";
    "refit"(req("model"), req("data")) true: "trains a network further end to end (a replaced one refits its formulas' constants); reports the loss before and after";
    "messages"(req("model"), req("data"), opt("top")) false: "a table of every edge: receiver and sender features, dx, dy, r, the true force, and the top message channels e0, e1, ...";
    "message_r2"(req("model"), req("data"), opt("keep"), opt("truth")) false: "the paper's Table 1 number: R^2 of a linear fit of the true pair force (pair energy) to the top message channels, on the best-fitting 90% of edges as the paper's code scores it (keep: 1 for every edge; truth: \"accel\" scores against the force divided by the receiver's mass)";
    "replace"(req("model"), req("message")) false: "the network with its message model replaced by formulas (one per top channel), constants trainable";
    "predict"(req("model"), req("data")) false: "a table of every body's predicted acceleration (graph, node, ax, ay)";
    "mae"(req("model"), req("data")) false: "mean absolute error of a network's predicted accelerations on graphs";
    "except"(req("data"), req("subset")) false: "the graphs of data that are not in subset (the rest of a `where` filter)";
    "load_model"(req("path")) false: "reads a network written by save(model, path)";
    "load_graphs"(req("path")) false: "reads graphs written by save(graphs, \"file.npz\")";
    "param"(req("name"), req("default")) false: "a script parameter: the value given with `sdl FILE --set name=value`, else the default";
}

/// Looks a built-in up by name.
pub fn lookup(name: &str) -> Option<&'static BuiltinSpec> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// Math functions that work on numbers (giving numbers) and on formulas (giving formulas).
pub const MATH_FUNCTIONS: &[&str] = &[
    "sqrt",
    "cbrt",
    "abs",
    "sign",
    "exp",
    "log",
    "log10",
    "log2",
    "log1p",
    "sin",
    "cos",
    "tan",
    "sinh",
    "cosh",
    "tanh",
    "asin",
    "acos",
    "atan",
    "erf",
    "relu",
    "square",
    "cube",
    "inv",
    "neg",
    "max",
    "min",
    "cond",
    "ifelse",
    "greater",
    "less",
    "greater_equal",
    "less_equal",
];
