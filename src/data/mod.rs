//! Tables: named numeric columns, read from CSV (header row) and written back to CSV, each column
//! with an optional physical dimension.
//!
//! A header field may carry a unit in brackets (`r [m]`, `v [km/s]`, `E [eV]`): the column is
//! named without it, its values are converted to SI on load (so every column is held in SI), and
//! its dimension is kept; written back, the header says the SI unit. Columns without a unit have
//! no dimension and are never a unit error (units are opt in).
//! Every malformed input (missing file, no header, ragged row, non-numeric field) becomes a
//! coded diagnostic naming the file, row and column; nothing here panics on data. NaN and
//! infinite values are kept as they are: the operations that cannot use them say so.

mod graphs;
pub use graphs::{load_graphs, save_graphs};

use crate::diag::{Code, Diagnostic};
use crate::formula::rng::Rng;
use sdl_units::{Dim, Unit};
use std::path::Path;

/// A table of `f64` columns with names.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub names: Vec<String>,
    pub columns: Vec<Vec<f64>>,
    /// Each column's dimension (values in SI), or `None` for a column without units.
    pub dims: Vec<Option<Dim>>,
    /// Where it came from, for messages.
    pub origin: String,
}

impl Table {
    /// A table from equal-length columns.
    pub fn new(names: Vec<String>, columns: Vec<Vec<f64>>, origin: &str) -> Result<Table, String> {
        if names.len() != columns.len() {
            return Err(format!("{} names for {} columns", names.len(), columns.len()));
        }
        if let Some(first) = columns.first() {
            if let Some((i, c)) = columns.iter().enumerate().find(|(_, c)| c.len() != first.len()) {
                return Err(format!("column `{}` has {} rows, `{}` has {}", names[i], c.len(), names[0], first.len()));
            }
        }
        let dims = vec![None; names.len()];
        Ok(Table { names, columns, dims, origin: origin.to_string() })
    }

    /// The dimension of column `name` (None without units or without such a column).
    pub fn dim(&self, name: &str) -> Option<Dim> {
        self.names.iter().position(|n| n == name).and_then(|i| self.dims[i])
    }

    /// True when some column has a unit.
    pub fn has_units(&self) -> bool {
        self.dims.iter().any(|d| d.is_some())
    }

    /// The table with column `name` given `unit`: its values converted to SI, its dimension set.
    /// `None` when there is no such column; `Some(Err(dim))` when the column already has units
    /// (from its header or an earlier `with_units`): a unit is never given twice.
    pub fn with_unit(&self, name: &str, unit: &Unit) -> Option<Result<Table, Dim>> {
        let i = self.names.iter().position(|n| n == name)?;
        if let Some(d) = self.dims[i] {
            return Some(Err(d));
        }
        let mut t = self.clone();
        for v in &mut t.columns[i] {
            *v *= unit.scale;
        }
        t.dims[i] = Some(unit.dim);
        Some(Ok(t))
    }

    pub fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.len())
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        self.names.iter().position(|n| n == name).map(|i| self.columns[i].as_slice())
    }

    /// The rows at `rows`, in that order.
    pub fn select_rows(&self, rows: &[usize]) -> Table {
        let columns = self.columns.iter().map(|c| rows.iter().map(|&r| c[r]).collect()).collect();
        Table { names: self.names.clone(), columns, dims: self.dims.clone(), origin: self.origin.clone() }
    }

    /// Rows holding a NaN or infinite value.
    pub fn non_finite_rows(&self) -> Vec<usize> {
        (0..self.n_rows()).filter(|&r| self.columns.iter().any(|c| !c[r].is_finite())).collect()
    }

    /// A seeded random split: `fraction` of the rows (rounded) go to the first table.
    pub fn split(&self, fraction: f64, seed: u64) -> (Table, Table) {
        let n = self.n_rows();
        let mut idx: Vec<usize> = (0..n).collect();
        let mut rng = Rng::new(seed);
        for i in (1..n).rev() {
            let j = rng.below(i + 1);
            idx.swap(i, j);
        }
        let k = ((n as f64) * fraction).round() as usize;
        let (a, b) = idx.split_at(k.min(n));
        let mut a = a.to_vec();
        let mut b = b.to_vec();
        a.sort_unstable();
        b.sort_unstable();
        (self.select_rows(&a), self.select_rows(&b))
    }

    /// Sets (or adds) a column with its dimension (`None`: no units).
    pub fn with_column(&self, name: &str, values: Vec<f64>, dim: Option<Dim>) -> Table {
        let mut t = self.clone();
        match t.names.iter().position(|n| n == name) {
            Some(i) => {
                t.columns[i] = values;
                t.dims[i] = dim;
            }
            None => {
                t.names.push(name.to_string());
                t.columns.push(values);
                t.dims.push(dim);
            }
        }
        t
    }

    /// Reads a CSV file with a header row of column names and numeric fields.
    pub fn load_csv(path: &Path) -> Result<Table, Diagnostic> {
        let text = std::fs::read_to_string(path).map_err(|e| io_diag(path, &e))?;
        Table::parse_csv(&text, &path.display().to_string())
    }

    /// Parses CSV text (see [`Table::load_csv`]).
    pub fn parse_csv(text: &str, origin: &str) -> Result<Table, Diagnostic> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let header: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(|s| s.to_string()).collect(),
            Err(e) => return Err(csv_diag(origin, format!("cannot read the header: {e}"))),
        };
        let (names, units) = header_units(&header, origin)?;
        if names.is_empty() || names.iter().all(|n| n.is_empty()) {
            return Err(csv_diag(origin, "the file has no header row".into()));
        }
        let mut columns: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
        for (i, record) in reader.records().enumerate() {
            let line = i + 2;
            let record = record.map_err(|e| csv_diag(origin, format!("line {line}: {e}")))?;
            if record.len() == 1 && record.get(0) == Some("") {
                continue;
            }
            if record.len() != names.len() {
                return Err(csv_diag(
                    origin,
                    format!("line {line} has {} fields but the header has {} names", record.len(), names.len()),
                ));
            }
            for (j, field) in record.iter().enumerate() {
                let v = parse_number(field).ok_or_else(|| {
                    csv_diag(origin, format!("line {line}, column `{}`: `{field}` is not a number", names[j]))
                })?;
                columns[j].push(v);
            }
        }
        for (col, unit) in columns.iter_mut().zip(&units) {
            if let Some(u) = unit.filter(|u| u.scale != 1.0) {
                col.iter_mut().for_each(|v| *v *= u.scale);
            }
        }
        let dims = units.iter().map(|u| u.map(|u| u.dim)).collect();
        Ok(Table { names, columns, dims, origin: origin.to_string() })
    }

    /// Writes the table as CSV with a header row.
    pub fn save_csv(&self, path: &Path) -> Result<(), Diagnostic> {
        let mut out = String::new();
        let header: Vec<String> = self
            .names
            .iter()
            .zip(&self.dims)
            .map(|(n, d)| match d {
                Some(d) if !d.is_dimensionless() => format!("{n} [{d}]"),
                Some(_) => format!("{n} [1]"),
                None => n.clone(),
            })
            .collect();
        out.push_str(&header.join(","));
        out.push('\n');
        for r in 0..self.n_rows() {
            let row: Vec<String> = self.columns.iter().map(|c| format!("{}", c[r])).collect();
            out.push_str(&row.join(","));
            out.push('\n');
        }
        std::fs::write(path, out).map_err(|e| io_diag(path, &e))
    }

    /// The first `n` rows as an aligned text table.
    pub fn preview(&self, n: usize) -> String {
        let shown = n.min(self.n_rows());
        let mut cells: Vec<Vec<String>> = vec![self.names.clone()];
        for r in 0..shown {
            cells.push(self.columns.iter().map(|c| format_num(c[r])).collect());
        }
        let widths: Vec<usize> =
            (0..self.names.len()).map(|j| cells.iter().map(|row| row[j].len()).max().unwrap_or(0)).collect();
        let mut out = String::new();
        for row in &cells {
            let line: Vec<String> = row.iter().zip(&widths).map(|(c, w)| format!("{c:>w$}")).collect();
            out.push_str(line.join("  ").trim_end());
            out.push('\n');
        }
        if shown < self.n_rows() {
            out.push_str(&format!("... {} rows in all\n", self.n_rows()));
        }
        out
    }
}

/// Formats a number the way sdl prints numbers: integers without a fraction, others in the
/// shortest form that reads back to the same value.
pub fn format_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else if x.is_finite() && x != 0.0 && (x.abs() >= 1e15 || x.abs() < 1e-5) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

fn parse_number(field: &str) -> Option<f64> {
    match field.to_ascii_lowercase().as_str() {
        "nan" => Some(f64::NAN),
        "inf" | "+inf" | "infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        _ => field.parse::<f64>().ok(),
    }
}

fn csv_diag(origin: &str, message: String) -> Diagnostic {
    Diagnostic::new(Code::BadCsv, format!("{origin}: {message}"), 0..0)
        .with_label("while reading this file")
        .with_help("a CSV file needs a header row of names and the same number of numeric fields on every row")
}

fn io_diag(path: &Path, e: &std::io::Error) -> Diagnostic {
    let code = if e.kind() == std::io::ErrorKind::NotFound { Code::FileNotFound } else { Code::IoError };
    Diagnostic::new(code, format!("cannot open {}: {e}", path.display()), 0..0)
        .with_label("this path")
        .with_help("check the path; relative paths start from the current directory")
}

/// Reads only the header of a CSV file, for the checker. `Ok(None)` when the file does not
/// exist (it may be written before it is read).
pub fn read_header(path: &Path) -> Result<Option<Header>, Diagnostic> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_diag(path, &e)),
    };
    let first = text.lines().next().unwrap_or("");
    let header: Vec<String> = first.split(',').map(|s| s.trim().trim_matches('"').to_string()).collect();
    if first.trim().is_empty() {
        return Err(csv_diag(&path.display().to_string(), "the file has no header row".into()));
    }
    let (names, units) = header_units(&header, &path.display().to_string())?;
    Ok(Some((names, units.iter().map(|u| u.map(|u| u.dim)).collect())))
}

/// A CSV header read on its own: the column names and each column's dimension.
pub type Header = (Vec<String>, Vec<Option<Dim>>);

/// Splits header fields into column names and units (`r [m]` -> `r`, metre); a unit that does
/// not parse is a `bad-unit` diagnostic naming the column, with a suggestion for a near miss.
fn header_units(header: &[String], origin: &str) -> Result<(Vec<String>, Vec<Option<Unit>>), Diagnostic> {
    let mut names = Vec::with_capacity(header.len());
    let mut units = Vec::with_capacity(header.len());
    for (j, field) in header.iter().enumerate() {
        match sdl_units::header_unit(field) {
            Some((name, Ok(unit))) => {
                names.push(name.to_string());
                units.push(Some(unit));
            }
            Some((name, Err(e))) => return Err(unit_diag(origin, j + 1, name, &e)),
            None => {
                names.push(field.clone());
                units.push(None);
            }
        }
    }
    Ok((names, units))
}

/// The `bad-unit` diagnostic for a unit in a CSV header.
fn unit_diag(origin: &str, column: usize, name: &str, e: &sdl_units::UnitError) -> Diagnostic {
    Diagnostic::new(Code::BadUnit, format!("{origin}, line 1, column {column} (`{name}`): {e}"), 0..0)
        .with_label("in this header")
        .with_help(crate::diag::unit_help(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_reports_errors() {
        let t = Table::parse_csv("x, y\n1,2\n3,nan\n", "t.csv").unwrap();
        assert_eq!(t.names, vec!["x", "y"]);
        assert_eq!(t.n_rows(), 2);
        assert_eq!(t.non_finite_rows(), vec![1]);
        let e = Table::parse_csv("x,y\n1,2,3\n", "t.csv").unwrap_err();
        assert_eq!(e.code, Code::BadCsv);
        assert!(e.message.contains("line 2"), "{}", e.message);
        let e = Table::parse_csv("x,y\n1,abc\n", "t.csv").unwrap_err();
        assert!(e.message.contains("`abc`"));
        assert_eq!(Table::load_csv(Path::new("/no/such.csv")).unwrap_err().code, Code::FileNotFound);
    }

    #[test]
    fn split_is_seeded_and_complete() {
        let t = Table::new(vec!["x".into()], vec![(0..100).map(f64::from).collect()], "t").unwrap();
        let (a, b) = t.split(0.75, 3);
        assert_eq!((a.n_rows(), b.n_rows()), (75, 25));
        assert_eq!(t.split(0.75, 3), (a.clone(), b));
        assert_ne!(t.split(0.75, 4).0, a);
    }
}
