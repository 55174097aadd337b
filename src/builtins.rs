//! The built-in functions, one definition each: the [`Builtin`] enum names them, and
//! [`Builtin::spec`] gives each its parameters (with defaults), the named options it accepts
//! (with types and a doc line), its doc line and a runnable example.
//!
//! The checker binds every call against this table once (defaults filled in, options typed) and
//! dispatches its typing rule by matching on `Builtin`; the executor dispatches its
//! implementation the same way. Both matches are exhaustive, so a built-in without a typing rule
//! or an implementation does not compile. `:help NAME`, completion and the documentation test
//! read the same table.
//!
//! Search and training defaults are not written here: options left out keep the defaults of
//! `sdl_search::SearchOptions` (as the language sets them up in `exec::fit`) and
//! `sdl_train::TrainConfig`.

/// A parameter's default when the argument is left out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Default {
    /// The argument must be given.
    Required,
    /// Optional; the implementation decides what leaving it out means (the value is `nothing`).
    Absent,
    Num(f64),
    Str(&'static str),
    Bool(bool),
}

/// One parameter of a built-in.
#[derive(Clone, Copy, Debug)]
pub struct ParamSpec {
    pub name: &'static str,
    pub default: Default,
}

impl ParamSpec {
    /// True when the argument must be given.
    pub fn required(&self) -> bool {
        self.default == Default::Required
    }
}

/// A named option (`fit(..., niterations: 40)`) with the type it takes and a doc line.
#[derive(Clone, Copy, Debug)]
pub struct OptSpec {
    pub name: &'static str,
    /// A type name as written in sdl (`num`, `bool`, `str`, `opset`, `record`, `graphs`, `any`),
    /// `loss`, or `series` (a column name, a formula, or a list of them).
    pub ty: &'static str,
    pub doc: &'static str,
}

/// Which named arguments beyond the parameters a built-in accepts.
#[derive(Clone, Copy, Debug)]
pub enum Named {
    /// None.
    Closed,
    /// The options of this table.
    Options(&'static [OptSpec]),
    /// Any name: formula variables (`eval(f, x: 1)`, `subs(f, r: 2)`).
    Variables,
}

/// What a built-in works on; the checker's typing rules and the executor's implementations are
/// grouped by it, so the grouping is written once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topic {
    /// Numbers, strings, lists, assertions, script parameters.
    Values,
    /// Tables: files, splits, columns, rows.
    Tables,
    /// Formulas: evaluation, symbolic manipulation, printing, `fit`.
    Formulas,
    /// Simulations and graph networks.
    Graphs,
    /// Pictures (PNG, SVG) and report pages (HTML).
    Pictures,
}

/// A built-in function's definition.
#[derive(Clone, Copy, Debug)]
pub struct BuiltinSpec {
    pub name: &'static str,
    pub topic: Topic,
    pub params: &'static [ParamSpec],
    pub named: Named,
    pub doc: &'static str,
    /// sdl source that uses the built-in; the documentation test runs it.
    pub example: &'static str,
}

const fn req(name: &'static str) -> ParamSpec {
    ParamSpec { name, default: Default::Required }
}

const fn opt(name: &'static str) -> ParamSpec {
    ParamSpec { name, default: Default::Absent }
}

const fn num(name: &'static str, v: f64) -> ParamSpec {
    ParamSpec { name, default: Default::Num(v) }
}

/// Named options of `fit`.
pub const FIT_OPTIONS: &[OptSpec] = &[
    OptSpec { name: "ops", ty: "opset", doc: "the operator set (grammar) to search" },
    OptSpec { name: "niterations", ty: "num", doc: "iterations of evolution (each ncycles_per_iteration rounds)" },
    OptSpec { name: "populations", ty: "num", doc: "number of islands" },
    OptSpec { name: "population_size", ty: "num", doc: "members per island" },
    OptSpec { name: "ncycles_per_iteration", ty: "num", doc: "rounds of evolution per iteration" },
    OptSpec { name: "maxsize", ty: "num", doc: "largest formula complexity searched" },
    OptSpec { name: "maxdepth", ty: "num", doc: "deepest formula tree searched" },
    OptSpec { name: "timeout", ty: "num", doc: "stop after this many seconds, keeping the best so far" },
    OptSpec { name: "max_evals", ty: "num", doc: "stop after this many formula evaluations" },
    OptSpec { name: "loss_threshold", ty: "num", doc: "stop once the best loss is at or below this" },
    OptSpec { name: "seed", ty: "num", doc: "random seed; results are identical for a seed at any thread count" },
    OptSpec { name: "threads", ty: "num", doc: "worker threads (0: all cores)" },
    OptSpec { name: "loss", ty: "loss", doc: "\"mse\", \"mae\", \"huber\", or a formula of y and pred" },
    OptSpec { name: "weights", ty: "str", doc: "a column of per-row weights" },
    OptSpec { name: "parsimony", ty: "num", doc: "loss penalty per unit of complexity" },
    OptSpec { name: "batching", ty: "bool", doc: "evaluate on random mini-batches of rows" },
    OptSpec { name: "batch_size", ty: "num", doc: "rows per mini-batch" },
    OptSpec { name: "annealing", ty: "bool", doc: "simulated annealing in the tournament" },
    OptSpec { name: "hof_csv", ty: "str", doc: "write the hall of fame to this CSV file" },
    OptSpec { name: "warm_start", ty: "str", doc: "seed the populations from a hall-of-fame CSV" },
    OptSpec { name: "method", ty: "str", doc: "constant fitting: \"lm\" or \"bfgs\"" },
    OptSpec { name: "max_iter", ty: "num", doc: "iterations of constant fitting" },
    OptSpec { name: "restarts", ty: "num", doc: "restarts of constant fitting from perturbed starts" },
    OptSpec { name: "progress", ty: "bool", doc: "show a progress line" },
    OptSpec { name: "params", ty: "record", doc: "starting values of free constants: {a: 1, b: 0.5}" },
    OptSpec { name: "units", ty: "bool", doc: "search under the columns' units when they have them (default true)" },
    OptSpec { name: "target_units", ty: "str", doc: "the target's unit when its column has none, e.g. \"N\"" },
    OptSpec {
        name: "max_dimensioned_constants",
        ty: "num",
        doc: "how many constants of a law may carry a dimension under units (default 2)",
    },
];

/// Named options of `train` and `refit`.
pub const TRAIN_OPTIONS: &[OptSpec] = &[
    OptSpec { name: "steps", ty: "num", doc: "optimiser steps" },
    OptSpec { name: "epochs", ty: "num", doc: "passes over the data (instead of steps)" },
    OptSpec { name: "batch", ty: "num", doc: "graphs per batch" },
    OptSpec { name: "lr", ty: "num", doc: "peak learning rate of the one-cycle schedule" },
    OptSpec { name: "schedule", ty: "str", doc: "\"onecycle\" or \"constant\"" },
    OptSpec { name: "weight_decay", ty: "num", doc: "Adam's weight decay" },
    OptSpec { name: "augment", ty: "num", doc: "standard deviation of the random translation added to positions" },
    OptSpec { name: "seed", ty: "num", doc: "random seed (weights, batches, augmentation)" },
    OptSpec { name: "threads", ty: "num", doc: "worker threads" },
    OptSpec { name: "shards", ty: "num", doc: "shards per batch (results depend on this, not on threads)" },
    OptSpec { name: "progress", ty: "bool", doc: "show a progress line" },
    OptSpec { name: "checkpoint", ty: "str", doc: "checkpoint file: written every 30 s, resumed from when present" },
    OptSpec {
        name: "validation",
        ty: "graphs",
        doc: "held-out graphs: their mean absolute error is recorded about 20 times during the run (`plot(model)` draws it)",
    },
];

/// Named options of `plot`.
pub const PLOT_OPTIONS: &[OptSpec] = &[
    OptSpec { name: "x", ty: "str", doc: "tables: the column on the x axis (default: the first)" },
    OptSpec {
        name: "y",
        ty: "series",
        doc: "tables: what is drawn as points: a column, a formula of the columns, or a list of them (default: every other column)",
    },
    OptSpec { name: "lines", ty: "series", doc: "tables: columns or formulas drawn as lines (sorted by x)" },
    OptSpec { name: "title", ty: "str", doc: "the title over the plot" },
    OptSpec { name: "xlabel", ty: "str", doc: "the x axis label (default: the column's name and unit)" },
    OptSpec { name: "ylabel", ty: "str", doc: "the y axis label (default: the column's name and unit)" },
    OptSpec { name: "logx", ty: "bool", doc: "logarithmic x axis (values that are not positive are skipped and counted)" },
    OptSpec { name: "logy", ty: "bool", doc: "logarithmic y axis (default: on for losses that are positive and span a decade or more)" },
    OptSpec { name: "width", ty: "num", doc: "width in pixels (default 800)" },
    OptSpec { name: "height", ty: "num", doc: "height in pixels (default 600)" },
    OptSpec { name: "show", ty: "bool", doc: "also show the picture in the terminal (kitty, iTerm2 or sixel)" },
    OptSpec { name: "sim", ty: "num", doc: "graphs: which simulation's trajectories to draw (default 0)" },
];

/// Named options of `plot_messages`.
pub const MESSAGE_PLOT_OPTIONS: &[OptSpec] = &[
    OptSpec {
        name: "truth",
        ty: "str",
        doc: "\"force\" (the paper's) or \"accel\" (the force over the receiver's mass)",
    },
    OptSpec { name: "title", ty: "str", doc: "the title over the panels" },
    OptSpec { name: "width", ty: "num", doc: "width in pixels" },
    OptSpec { name: "height", ty: "num", doc: "height in pixels" },
    OptSpec { name: "show", ty: "bool", doc: "also show the picture in the terminal (kitty, iTerm2 or sixel)" },
];

/// Named options of `plot_predictions`.
pub const PREDICTION_PLOT_OPTIONS: &[OptSpec] = &[
    OptSpec { name: "residuals", ty: "bool", doc: "draw prediction minus truth against truth instead" },
    OptSpec { name: "title", ty: "str", doc: "the title over the plot" },
    OptSpec { name: "width", ty: "num", doc: "width in pixels" },
    OptSpec { name: "height", ty: "num", doc: "height in pixels" },
    OptSpec { name: "show", ty: "bool", doc: "also show the picture in the terminal (kitty, iTerm2 or sixel)" },
];

/// Named options of `report`.
pub const REPORT_OPTIONS: &[OptSpec] = &[
    OptSpec { name: "title", ty: "str", doc: "the page's title" },
    OptSpec {
        name: "data",
        ty: "any",
        doc: "networks: graphs to draw the messages and predictions on (default: the training graphs)",
    },
];

macro_rules! builtins {
    ($($topic:ident $variant:ident $name:literal ( $($p:expr),* ) $named:expr , $doc:literal, $example:literal ;)*) => {
        /// Every built-in function.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Builtin {
            $($variant),*
        }

        /// Every built-in, in table order.
        pub const ALL: &[Builtin] = &[$(Builtin::$variant),*];

        impl Builtin {
            /// The built-in's definition.
            pub fn spec(self) -> &'static BuiltinSpec {
                match self {
                    $(Builtin::$variant => {
                        const SPEC: BuiltinSpec = BuiltinSpec {
                            name: $name,
                            topic: Topic::$topic,
                            params: &[$($p),*],
                            named: $named,
                            doc: $doc,
                            example: $example,
                        };
                        &SPEC
                    }),*
                }
            }
        }
    };
}

use Named::{Closed, Options, Variables};

builtins! {
    Values Len "len"(req("x")) Closed, "number of elements of a list, rows of a table, graphs of a set, or characters of a string", "len([1, 2, 3])";
    Values Str "str"(req("x")) Closed, "the value printed to a string", "str(1.5)";
    Values Range "range"(req("n")) Closed, "the list [0, 1, ..., n - 1]", "range(4)";
    Values Uniform "uniform"(req("n"), req("lo"), req("hi"), req("seed")) Closed, "n seeded uniform random numbers in [lo, hi)", "uniform(3, 0, 1, 7)";
    Values Normal "normal"(req("n"), req("seed")) Closed, "n seeded standard normal random numbers", "normal(3, 7)";
    Values Sum "sum"(req("xs")) Closed, "sum of a list of numbers", "sum([1, 2, 3])";
    Values Std "std"(req("xs")) Closed, "standard deviation of a list of numbers", "std([1, 2, 3])";
    Values Map "map"(req("xs"), req("f")) Closed, "applies a function to every element of a list", "map([1, 2], sqrt)";
    Values Assert "assert"(req("cond"), opt("message")) Closed, "stops with assertion-failed when cond is false", "assert(1 < 2, \"ordered\")";
    Tables Load "load"(req("path"), opt("units")) Closed, "reads a CSV file with a header row into a table; units in the header (`r [m]`) or given as a record (`units: {r: \"m\"}`) convert the columns to SI", "save(table({x: [1, 2]}), \"/tmp/sdl_doc_load.csv\")\nload(\"/tmp/sdl_doc_load.csv\")";
    Tables WithUnits "with_units"(req("table"), req("units")) Closed, "the table with units given to columns as a record of unit strings; the values are converted to SI", "with_units(table({r: [1, 2]}), {r: \"km\"}).r";
    Tables Save "save"(req("value"), req("path")) Closed, "writes a table (CSV), graphs (NPZ) or a network (sdl model file)", "save(table({x: [1, 2]}), \"/tmp/sdl_doc_save.csv\")";
    Tables Split "split"(req("table"), req("fraction"), req("seed")) Closed, "random split of a table's rows (or of graphs) into {train, test}; train gets `fraction`", "split(table({x: range(10)}), 0.8, 1).train";
    Tables Columns "columns"(req("table")) Closed, "the column names of a table", "columns(table({x: [1], y: [2]}))";
    Tables Column "column"(req("table"), req("name")) Closed, "one column of a table as a list of numbers", "column(table({x: [1, 2]}), \"x\")";
    Tables Head "head"(req("table"), num("n", 5.0)) Closed, "the first n rows of a table", "head(table({x: range(10)}), n: 3)";
    Tables Dropnan "dropnan"(req("table")) Closed, "the table without rows that contain NaN or infinite values", "dropnan(table({x: [1, 0 / 0]}))";
    Tables WithColumn "with_column"(req("table"), req("name"), req("values")) Closed, "the table with a column added or replaced (a list or a formula of the columns)", "with_column(table({x: [1, 2]}), \"y\", formula { 2 * x })";
    Tables Table "table"(req("columns")) Closed, "a table from a record of equal-length lists", "table({x: [1, 2], y: [3, 4]})";
    Formulas Eval "eval"(req("f"), opt("at")) Variables, "evaluates a formula on a table (a list) or on named values (a number)", "eval(formula { x ^ 2 }, x: 3)";
    Formulas ParseFormula "parse_formula"(req("text")) Closed, "reads a formula written in plain infix, as `str(f)` prints it", "parse_formula(\"x * exp(-y)\")";
    Formulas Simplify "simplify"(req("f")) Closed, "constant folding and algebraic identities that never change values", "simplify(formula { x * 1 + 0 })";
    Formulas Diff "diff"(req("f"), req("var")) Closed, "the symbolic derivative of a formula with respect to a variable (a bare name or a string)", "diff(formula { x ^ 3 }, x)";
    Formulas Subs "subs"(req("f")) Variables, "substitutes variables: subs(f, x: 2, r: formula { a + b })", "subs(formula { x + y }, y: 2)";
    Formulas Latex "latex"(req("f")) Closed, "a formula as LaTeX; of a fit, its law with each constant's units", "latex(formula { sqrt(x) / 2 })";
    Formulas Sympy "sympy"(req("f")) Closed, "a formula as a string SymPy's sympify parses; of a fit, its law with each constant times its SI units (sympy.physics.units)", "sympy(formula { x ^ 2 })";
    Formulas Vars "vars"(req("f")) Closed, "the variables a formula uses", "vars(formula { x * y + 1 })";
    Formulas Constants "constants"(req("f")) Closed, "the constants of a formula", "constants(formula { 2.5 * x + 1 })";
    Formulas Complexity "complexity"(req("f"), opt("ops")) Closed, "the complexity of a formula (node count, or costs of an operator set)", "complexity(formula { x * y + 1 })";
    Formulas Fit "fit"(req("table"), req("model")) Options(FIT_OPTIONS), "fits a model: free constants of a fixed form, or symbolic regression for unknown functions", "let t = table({x: [1, 2, 3, 4], y: [3, 5, 7, 9]})\nfit(t, y ~ a * x + b).params";
    Graphs SimulateNbody "simulate_nbody"(req("law"), num("n", 4.0), num("dim", 2.0), num("sims", 1.0), num("steps", 1000.0), num("keep_every", 5.0), num("seed", 0.0)) Closed, "the paper's N-body simulations as graphs (.nodes and .edges tables carry positions, dx, dy, r and the true pair force)", "simulate_nbody(\"spring\", sims: 2, steps: 20, seed: 1).count";
    Values R2 "r2"(req("pred"), req("target")) Closed, "coefficient of determination of predictions against targets", "r2([1, 2, 3], [1, 2, 3.1])";
    Graphs Train "train"(req("net"), req("data")) Options(TRAIN_OPTIONS), "trains a graph network on graphs", "graphnet gn { message: mlp(hidden: 8, layers: 1) -> 2, node: mlp(hidden: 8, layers: 1) -> 2 }\ntrain(gn, simulate_nbody(\"spring\", sims: 2, steps: 20), steps: 3, progress: false).steps";
    Graphs Refit "refit"(req("model"), req("data")) Options(TRAIN_OPTIONS), "trains a network further end to end (a replaced one refits its formulas' constants); reports the loss before and after", "graphnet gn { message: mlp(hidden: 8, layers: 1) -> 2, node: mlp(hidden: 8, layers: 1) -> 2 }\nlet d = simulate_nbody(\"spring\", sims: 2, steps: 20)\nrefit(train(gn, d, steps: 2, progress: false), d, steps: 2, progress: false).loss";
    Graphs Messages "messages"(req("model"), req("data"), opt("top")) Closed, "a table of every edge: receiver and sender features, dx, dy, r, the true force, and the top message channels e0, e1, ... (top: the spatial dimension, at most the message width)", "graphnet gn { message: mlp(hidden: 8, layers: 1) -> 3, node: mlp(hidden: 8, layers: 1) -> 2 }\nlet d = simulate_nbody(\"spring\", sims: 2, steps: 20)\ncolumns(messages(train(gn, d, steps: 2, progress: false), d))";
    Graphs MessageR2 "message_r2"(req("model"), req("data"), num("keep", 0.9), str_param("truth", "force")) Closed, "the paper's Table 1 number: R^2 of a linear fit of the true pair force to the top message channels, on the best-fitting `keep` fraction of edges (truth: \"accel\" scores against the force divided by the receiver's mass)", "graphnet gn { message: mlp(hidden: 8, layers: 1) -> 2, node: mlp(hidden: 8, layers: 1) -> 2 }\nlet d = simulate_nbody(\"spring\", sims: 2, steps: 20)\nmessage_r2(train(gn, d, steps: 2, progress: false), d, keep: 1)";
    Graphs Replace "replace"(req("model"), req("message")) Closed, "the network with its message model replaced by formulas (one per top channel), constants trainable", "graphnet gn { message: mlp(hidden: 8, layers: 1) -> 2, node: mlp(hidden: 8, layers: 1) -> 2 }\nlet m = train(gn, simulate_nbody(\"spring\", sims: 2, steps: 20), steps: 2, progress: false)\nreplace(m, message: [formula { dx * (r - 1) }, formula { dy * (r - 1) }]).kind";
    Graphs Predict "predict"(req("model"), req("data")) Closed, "a table of every body's predicted acceleration (graph, node, ax, ay)", "graphnet gn { message: mlp(hidden: 8, layers: 1) -> 2, node: mlp(hidden: 8, layers: 1) -> 2 }\nlet d = simulate_nbody(\"spring\", sims: 2, steps: 20)\nrows(predict(train(gn, d, steps: 2, progress: false), d))";
    Graphs Mae "mae"(req("model"), req("data")) Closed, "mean absolute error of a network's predicted accelerations on graphs", "graphnet gn { message: mlp(hidden: 8, layers: 1) -> 2, node: mlp(hidden: 8, layers: 1) -> 2 }\nlet d = simulate_nbody(\"spring\", sims: 2, steps: 20)\nmae(train(gn, d, steps: 2, progress: false), d)";
    Graphs Except "except"(req("data"), req("subset")) Closed, "the graphs of data that are not in subset (the rest of a `where` filter)", "let d = simulate_nbody(\"spring\", sims: 4, steps: 20)\nexcept(d, d where m < 1).count";
    Graphs LoadModel "load_model"(req("path")) Closed, "reads a network written by save(model, path)", "graphnet gn { message: mlp(hidden: 8, layers: 1) -> 2, node: mlp(hidden: 8, layers: 1) -> 2 }\nsave(train(gn, simulate_nbody(\"spring\", sims: 2, steps: 20), steps: 2, progress: false), \"/tmp/sdl_doc_model.sdlm\")\nload_model(\"/tmp/sdl_doc_model.sdlm\").kind";
    Graphs LoadGraphs "load_graphs"(req("path")) Closed, "reads graphs written by save(graphs, \"file.npz\")", "save(simulate_nbody(\"spring\", sims: 2, steps: 20), \"/tmp/sdl_doc_graphs.npz\")\nload_graphs(\"/tmp/sdl_doc_graphs.npz\").count";
    Values Param "param"(req("name"), req("default")) Closed, "a script parameter: the value given with `sdl FILE --set name=value`, else the default", "param(\"steps\", 100)";
    Pictures Plot "plot"(req("value"), req("path")) Options(PLOT_OPTIONS), "draws a picture to a PNG or SVG file (by its extension): a table's columns and formulas, a search's Pareto front (the chosen formula marked), a constant fit against its data, a network's training (and validation) loss per step, or the trajectories of simulated graphs", "let t = table({x: [1, 2, 3, 4], y: [1, 4, 9, 16]})\nplot(t, \"/tmp/sdl_doc_plot.svg\", x: \"x\", y: \"y\", lines: formula { x ^ 2 }, title: \"squares\")";
    Pictures PlotMessages "plot_messages"(req("model"), req("data"), req("path")) Options(MESSAGE_PLOT_OPTIONS), "the paper's Figure 3: each top message channel against the best linear combination of the true force (one panel per channel, with its R^2)", "graphnet gn { message: mlp(hidden: 8, layers: 1) -> 2, node: mlp(hidden: 8, layers: 1) -> 2 }\nlet d = simulate_nbody(\"spring\", sims: 2, steps: 20)\nplot_messages(train(gn, d, steps: 2, progress: false), d, \"/tmp/sdl_doc_messages.png\")";
    Pictures PlotPredictions "plot_predictions"(req("fit"), req("data"), req("path")) Options(PREDICTION_PLOT_OPTIONS), "predictions against the truth (or residuals) of a fit on a table, or of a network's accelerations on graphs", "let t = table({x: [1, 2, 3, 4], y: [3, 5.1, 7, 9]})\nplot_predictions(fit(t, y ~ a * x + b), t, \"/tmp/sdl_doc_predictions.png\", residuals: true)";
    Pictures Report "report"(req("result"), req("path")) Options(REPORT_OPTIONS), "writes one self-contained HTML page about a fit or a trained network: data summary, every setting, the Pareto table with typeset formulas, the plots, timings, sdl's version and the seed", "let t = table({x: [1, 2, 3, 4], y: [3, 5, 7, 9]})\nreport(fit(t, y ~ a * x + b), \"/tmp/sdl_doc_report.html\")";
}

const fn str_param(name: &'static str, v: &'static str) -> ParamSpec {
    ParamSpec { name, default: Default::Str(v) }
}

/// Looks a built-in up by name.
pub fn lookup(name: &str) -> Option<Builtin> {
    ALL.iter().copied().find(|b| b.spec().name == name)
}

impl Builtin {
    /// The built-in's name.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// What the built-in works on.
    pub fn topic(self) -> Topic {
        self.spec().topic
    }

    /// The option table of a built-in that takes options.
    pub fn options(self) -> &'static [OptSpec] {
        match self.spec().named {
            Named::Options(o) => o,
            _ => &[],
        }
    }

    /// `name(p1, p2: default, ...)` as `:help` shows it.
    pub fn signature(self) -> String {
        let spec = self.spec();
        let mut parts: Vec<String> = spec
            .params
            .iter()
            .map(|p| match p.default {
                Default::Required => p.name.to_string(),
                Default::Absent => format!("{}?", p.name),
                Default::Num(v) => format!("{}: {v}", p.name),
                Default::Str(s) => format!("{}: {s:?}", p.name),
                Default::Bool(b) => format!("{}: {b}", p.name),
            })
            .collect();
        match spec.named {
            Named::Options(_) => parts.push("options...".into()),
            Named::Variables => parts.push("var: value...".into()),
            Named::Closed => {}
        }
        format!("{}({})", spec.name, parts.join(", "))
    }
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
