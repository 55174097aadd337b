//! The static types of sdl values: what the checker infers and the checked tree carries.
//!
//! `Unknown` is the type of an expression whose type could not be found (after an error, or a
//! value only known at run time); it is compatible with everything, so one mistake is reported
//! once and not again at every use.

use std::fmt;

/// A static type.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    Num,
    /// A number with a physical dimension (its value is held in SI): `3 [km]`, `phys.c`.
    Quantity(sdl_units::Dim),
    Bool,
    Str,
    /// The value of `print`, `save`, an `if` without `else` whose condition was false.
    Nothing,
    List(Box<Type>),
    Record(Vec<(String, Type)>),
    /// A formula; the variables it uses when known.
    Formula(Option<Vec<String>>),
    OpSet,
    /// A table; its source and column names when known.
    Table(Option<TableInfo>),
    /// `target ~ rhs`.
    Model,
    /// Result of a symbolic search (`fit` with unknown functions).
    SearchResult,
    /// Result of fitting the constants of a fixed form.
    ConstFit,
    /// A `graphnet { ... }` declaration: its kind, and its sizes when they are literals.
    GraphNet {
        hamiltonian: bool,
        decl: Option<Box<crate::domain::graphnet::GraphNetDecl>>,
    },
    /// A trained graph network: the spatial dimension of its data and its kind, when known.
    Network {
        dim: Option<usize>,
        hamiltonian: Option<bool>,
        /// The width of its message (edge) output, when known.
        channels: Option<usize>,
    },
    /// A set of graphs (`simulate_nbody`, `load_graphs`); their spatial dimension when known.
    Graphs(Option<usize>),
    /// A user function (index into the checker's definitions).
    UserFn(usize),
    /// A built-in function.
    Builtin(crate::builtins::Builtin),
    /// A formula operator used as a function (`exp`, a user `op`).
    OpFn(String),
    Unknown,
}

/// What the checker knows of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct TableInfo {
    /// Where it came from, for messages (`data.csv`).
    pub origin: String,
    pub columns: Vec<String>,
    /// Each column's dimension when it has a unit (same length as `columns`).
    pub dims: Vec<Option<sdl_units::Dim>>,
}

impl TableInfo {
    /// A table whose columns have no units.
    pub fn unitless(origin: impl Into<String>, columns: Vec<String>) -> TableInfo {
        let dims = vec![None; columns.len()];
        TableInfo { origin: origin.into(), columns, dims }
    }

    /// The dimension of column `name`, if it has a unit.
    pub fn dim(&self, name: &str) -> Option<sdl_units::Dim> {
        self.columns.iter().position(|c| c == name).and_then(|i| self.dims.get(i).copied().flatten())
    }
}

impl Type {
    /// True when a value of type `self` may be used where `want` is needed.
    pub fn fits(&self, want: &Type) -> bool {
        use Type::*;
        match (self, want) {
            (Unknown, _) | (_, Unknown) => true,
            // Units are opt in: a plain number fits where a quantity is expected and back.
            (Quantity(_), Num) | (Num, Quantity(_)) => true,
            (Quantity(a), Quantity(b)) => a == b,
            (List(a), List(b)) => a.fits(b),
            (Formula(_), Formula(_)) => true,
            (Table(_), Table(_)) => true,
            (GraphNet { .. }, GraphNet { .. }) | (Network { .. }, Network { .. }) => true,
            (Graphs(a), Graphs(b)) => a.is_none() || b.is_none() || a == b,
            (Record(a), Record(b)) => {
                a.len() == b.len() && a.iter().all(|(n, t)| b.iter().any(|(m, u)| m == n && t.fits(u)))
            }
            (UserFn(_) | Builtin(_) | OpFn(_), UserFn(_) | Builtin(_) | OpFn(_)) => true,
            (a, b) => a == b,
        }
    }

    /// The least general type covering both (for list elements and `if` branches).
    pub fn join(&self, other: &Type) -> Option<Type> {
        use Type::*;
        match (self, other) {
            (Unknown, t) | (t, Unknown) => Some(t.clone()),
            (Quantity(a), Quantity(b)) if a == b => Some(Quantity(*a)),
            (Quantity(_), Quantity(_)) => None,
            (Quantity(q), Num) | (Num, Quantity(q)) => Some(Quantity(*q)),
            (Formula(a), Formula(b)) => Some(Formula(if a == b { a.clone() } else { None })),
            (Table(a), Table(b)) => Some(Table(if a == b { a.clone() } else { None })),
            (GraphNet { hamiltonian: h, decl: a }, GraphNet { hamiltonian: k, decl: b }) if h == k => {
                Some(GraphNet { hamiltonian: *h, decl: if a == b { a.clone() } else { None } })
            }
            (Network { dim: a, hamiltonian: h, channels: c }, Network { dim: b, hamiltonian: k, channels: d }) => {
                Some(Network {
                    dim: if a == b { *a } else { None },
                    hamiltonian: if h == k { *h } else { None },
                    channels: if c == d { *c } else { None },
                })
            }
            (Graphs(a), Graphs(b)) => Some(Graphs(if a == b { *a } else { None })),
            (List(a), List(b)) => a.join(b).map(|t| List(Box::new(t))),
            (Num | Quantity(_), Formula(_)) | (Formula(_), Num | Quantity(_)) => Some(Formula(None)),
            (a, b) if a.fits(b) && b.fits(a) => Some(a.clone()),
            _ => None,
        }
    }

    /// A number of dimension `d`: plain `num` when `d` is dimensionless.
    pub fn quantity(d: sdl_units::Dim) -> Type {
        if d.is_dimensionless() {
            Type::Num
        } else {
            Type::Quantity(d)
        }
    }

    /// True for functions of any kind.
    pub fn is_callable(&self) -> bool {
        matches!(self, Type::UserFn(_) | Type::Builtin(_) | Type::OpFn(_) | Type::Formula(_) | Type::Unknown)
    }

    /// Parses a written type name (`num`, `list`, ...).
    pub fn from_name(name: &str, arg: Option<Type>) -> Option<Type> {
        Some(match name {
            "num" => Type::Num,
            "bool" => Type::Bool,
            "str" => Type::Str,
            "formula" => Type::Formula(None),
            "opset" => Type::OpSet,
            "table" => Type::Table(None),
            "model" => Type::Model,
            "graphnet" => Type::Unknown,
            "network" => Type::Network { dim: None, hamiltonian: None, channels: None },
            "graphs" => Type::Graphs(None),
            "list" => Type::List(Box::new(arg.unwrap_or(Type::Unknown))),
            "record" => Type::Unknown,
            "any" => Type::Unknown,
            _ => return None,
        })
    }

    /// Field names and types of values of this type that have fields.
    pub fn fields(&self) -> Option<Vec<(String, Type)>> {
        let f = |n: &str, t: Type| (n.to_string(), t);
        match self {
            Type::Record(fields) => Some(fields.clone()),
            Type::SearchResult => Some(vec![
                f("best", Type::Formula(None)),
                f("accuracy", Type::Formula(None)),
                f("score", Type::Formula(None)),
                f("loss", Type::Num),
                f("complexity", Type::Num),
                f(
                    "pareto",
                    Type::List(Box::new(Type::Record(vec![
                        f("complexity", Type::Num),
                        f("loss", Type::Num),
                        f("score", Type::Num),
                        f("formula", Type::Formula(None)),
                    ]))),
                ),
                f("latex", Type::Str),
                f("sympy", Type::Str),
                f("numpy", Type::Str),
                f("rust", Type::Str),
                f("stopped_early", Type::Bool),
            ]),
            Type::Graphs(dim) => {
                let table = |cols: Option<Vec<String>>| {
                    Type::Table(cols.map(|columns| TableInfo::unitless("the graphs", columns)))
                };
                let (nodes, edges) = match dim {
                    Some(d) => {
                        let (n, e) = crate::domain::sim_columns(*d);
                        (table(Some(n)), table(Some(e)))
                    }
                    None => (table(None), table(None)),
                };
                Some(vec![
                    f("nodes", nodes),
                    f("edges", edges),
                    f("law", Type::Str),
                    f("n", Type::Num),
                    f("dim", Type::Num),
                    f("count", Type::Num),
                ])
            }
            Type::Network { .. } => Some(vec![
                f("loss", Type::Num),
                f("loss_before", Type::Num),
                f("history", Type::List(Box::new(Type::Num))),
                f("steps", Type::Num),
                f("formulas", Type::List(Box::new(Type::Formula(None)))),
                f("channels", Type::List(Box::new(Type::Num))),
                f("kind", Type::Str),
                f("dim", Type::Num),
                f("stopped_early", Type::Bool),
            ]),
            Type::ConstFit => Some(vec![
                f("formula", Type::Formula(None)),
                f("params", Type::Unknown),
                f("std_errors", Type::Unknown),
                f("units", Type::Unknown),
                f("loss", Type::Num),
                f("iterations", Type::Num),
                f("converged", Type::Bool),
            ]),
            _ => None,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Num => write!(f, "num"),
            Type::Quantity(d) => write!(f, "num [{d}]"),
            Type::Bool => write!(f, "bool"),
            Type::Str => write!(f, "str"),
            Type::Nothing => write!(f, "nothing"),
            Type::List(t) => write!(f, "list[{t}]"),
            Type::Record(fields) => {
                write!(f, "{{")?;
                for (i, (n, t)) in fields.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{n}: {t}")?;
                }
                write!(f, "}}")
            }
            Type::Formula(Some(vars)) => write!(f, "formula({})", vars.join(", ")),
            Type::Formula(None) => write!(f, "formula"),
            Type::OpSet => write!(f, "opset"),
            Type::Table(Some(info)) => {
                let cols: Vec<String> = info
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| match info.dims.get(i).copied().flatten() {
                        Some(d) => format!("{c} [{d}]"),
                        None => c.clone(),
                    })
                    .collect();
                write!(f, "table({})", cols.join(", "))
            }
            Type::Table(None) => write!(f, "table"),
            Type::Model => write!(f, "model"),
            Type::SearchResult => write!(f, "search-result"),
            Type::ConstFit => write!(f, "const-fit"),
            Type::GraphNet { .. } => write!(f, "graphnet"),
            Type::Network { dim: Some(d), .. } => write!(f, "network({d}-D)"),
            Type::Network { dim: None, .. } => write!(f, "network"),
            Type::Graphs(Some(d)) => write!(f, "graphs({d}-D)"),
            Type::Graphs(None) => write!(f, "graphs"),
            Type::UserFn(_) => write!(f, "fn"),
            Type::Builtin(_) | Type::OpFn(_) => write!(f, "fn"),
            Type::Unknown => write!(f, "?"),
        }
    }
}
