//! Embedding sdl in a Rust program: bind host values (an `ndarray` matrix or columns as a table,
//! numbers, formulas) as globals of a [`Session`], run sdl code, and read typed results back
//! (a number, a formula, a table, a fit result) without going through text.
//!
//! In: host values and sdl source. Out: [`FromValue`] conversions of the value the code leaves.
//! Always true: a bound value is known to the checker with its static type (a table with its
//! column names), so code that uses it is checked like code that loaded it.

use crate::data::Table;
use crate::diag::Diagnostic;
use crate::exec::fit::{ConstFitOutcome, SearchOutcome};
use crate::exec::value::Value;
use crate::formula::Formula;
use crate::session::{RunError, Session};
use crate::types::{TableInfo, Type};
use std::rc::Rc;

/// Why a host call into sdl failed.
#[derive(Debug)]
pub enum EmbedError {
    /// The code had static errors or failed at run time (render with `Session::render_error`).
    Run(RunError),
    /// The value is not of the type the host asked for.
    WrongType { expected: &'static str, found: &'static str },
    /// The host's data cannot be a table (names and columns disagree, ragged columns).
    BadData(String),
}

impl From<RunError> for EmbedError {
    fn from(e: RunError) -> EmbedError {
        EmbedError::Run(e)
    }
}

/// Conversion of an sdl value into a host type.
pub trait FromValue: Sized {
    /// The sdl type name the conversion expects (for errors).
    const EXPECTED: &'static str;
    fn from_value(v: &Value) -> Option<Self>;
}

impl FromValue for f64 {
    const EXPECTED: &'static str = "num";
    fn from_value(v: &Value) -> Option<f64> {
        match v {
            Value::Num(n) => Some(*n),
            _ => None,
        }
    }
}

impl FromValue for bool {
    const EXPECTED: &'static str = "bool";
    fn from_value(v: &Value) -> Option<bool> {
        match v {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl FromValue for String {
    const EXPECTED: &'static str = "str";
    fn from_value(v: &Value) -> Option<String> {
        match v {
            Value::Str(s) => Some(s.to_string()),
            _ => None,
        }
    }
}

impl FromValue for Vec<f64> {
    const EXPECTED: &'static str = "list of numbers";
    fn from_value(v: &Value) -> Option<Vec<f64>> {
        match v {
            Value::List(items) => items.iter().map(f64::from_value).collect(),
            _ => None,
        }
    }
}

impl FromValue for Formula {
    const EXPECTED: &'static str = "formula";
    fn from_value(v: &Value) -> Option<Formula> {
        match v {
            Value::Formula(f) => Some((**f).clone()),
            Value::Num(n) => Some(Formula::constant(*n)),
            _ => None,
        }
    }
}

impl FromValue for Rc<Table> {
    const EXPECTED: &'static str = "table";
    fn from_value(v: &Value) -> Option<Rc<Table>> {
        match v {
            Value::Table(t) => Some(t.clone()),
            _ => None,
        }
    }
}

impl FromValue for Rc<SearchOutcome> {
    const EXPECTED: &'static str = "search-result";
    fn from_value(v: &Value) -> Option<Rc<SearchOutcome>> {
        match v {
            Value::SearchResult(r) => Some(r.clone()),
            _ => None,
        }
    }
}

impl FromValue for Rc<ConstFitOutcome> {
    const EXPECTED: &'static str = "const-fit";
    fn from_value(v: &Value) -> Option<Rc<ConstFitOutcome>> {
        match v {
            Value::ConstFit(r) => Some(r.clone()),
            _ => None,
        }
    }
}

impl Session {
    /// Binds global `name` to a number.
    pub fn bind_num(&mut self, name: &str, x: f64) {
        self.bind_value(name, Value::Num(x), Type::Num);
    }

    /// Binds global `name` to a formula.
    pub fn bind_formula(&mut self, name: &str, f: Formula) {
        let t = Type::Formula(Some(f.used_vars()));
        self.bind_value(name, Value::Formula(Rc::new(f)), t);
    }

    /// Binds global `name` to a table of named columns.
    pub fn bind_table(&mut self, name: &str, table: Table) {
        let info = TableInfo { origin: format!("`{name}`"), columns: table.names.clone(), dims: table.dims.clone() };
        let t = Type::Table(Some(info));
        self.bind_value(name, Value::Table(Rc::new(table)), t);
    }

    /// Binds global `name` to a table whose columns are the columns of a matrix (rows are
    /// observations), named by `names`.
    pub fn bind_matrix(&mut self, name: &str, names: &[&str], m: ndarray::ArrayView2<f64>) -> Result<(), EmbedError> {
        if names.len() != m.ncols() {
            return Err(EmbedError::BadData(format!("{} names for {} columns", names.len(), m.ncols())));
        }
        let columns = m.columns().into_iter().map(|c| c.to_vec()).collect();
        let table = Table::new(names.iter().map(|s| s.to_string()).collect(), columns, &format!("`{name}`"))
            .map_err(EmbedError::BadData)?;
        self.bind_table(name, table);
        Ok(())
    }

    /// Runs `source` and converts the value of its last expression.
    pub fn eval<T: FromValue>(&mut self, source: &str) -> Result<T, EmbedError> {
        let v = self.run_source("<host>", source)?;
        T::from_value(&v).ok_or(EmbedError::WrongType { expected: T::EXPECTED, found: v.type_name() })
    }

    /// Checks `source` without running it; every diagnostic.
    pub fn check(&mut self, source: &str) -> Vec<Diagnostic> {
        self.check_source("<host>", source)
    }
}
