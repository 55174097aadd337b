//! Columnar data: named feature columns of equal length.
//!
//! In: names and columns. Out: a [`Dataset`] whose columns all have `n_rows` values (ragged
//! input is an error, never truncated). Columnar layout lets the evaluators stream one feature
//! at a time over a block of rows.

use crate::KernelError;
use num_traits::Float;

/// Named columns of equal length (`T` is `f64` or `f32`).
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<T = f64> {
    names: Vec<String>,
    columns: Vec<Vec<T>>,
    n_rows: usize,
}

impl<T: Float + Send + Sync> Dataset<T> {
    /// Builds a dataset; errors when the name and column counts differ or columns are ragged.
    pub fn new(names: Vec<String>, columns: Vec<Vec<T>>) -> Result<Self, KernelError> {
        if names.len() != columns.len() {
            return Err(KernelError::NameCount { names: names.len(), columns: columns.len() });
        }
        let n_rows = columns.first().map_or(0, Vec::len);
        for (name, col) in names.iter().zip(&columns) {
            if col.len() != n_rows {
                return Err(KernelError::RaggedColumns { name: name.clone(), len: col.len(), expected: n_rows });
            }
        }
        Ok(Dataset { names, columns, n_rows })
    }

    /// Column names, in column order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Number of columns.
    pub fn n_features(&self) -> usize {
        self.columns.len()
    }

    /// Column `i` (panics if `i >= n_features()`, a caller bug).
    pub fn column(&self, i: usize) -> &[T] {
        &self.columns[i]
    }

    /// All columns.
    pub fn columns(&self) -> &[Vec<T>] {
        &self.columns
    }

    /// Index of the column called `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The rows `rows` (in that order, repeats allowed); out-of-range indices are skipped.
    pub fn select_rows(&self, rows: &[usize]) -> Dataset<T> {
        let keep: Vec<usize> = rows.iter().copied().filter(|&r| r < self.n_rows).collect();
        let columns: Vec<Vec<T>> = self.columns.iter().map(|c| keep.iter().map(|&r| c[r]).collect()).collect();
        Dataset { names: self.names.clone(), columns, n_rows: keep.len() }
    }

    /// The same data converted to another float type (e.g. `f64` -> `f32` for fast search).
    pub fn cast<U: Float + Send + Sync>(&self) -> Dataset<U> {
        let columns =
            self.columns.iter().map(|c| c.iter().map(|v| U::from(*v).unwrap_or_else(U::nan)).collect()).collect();
        Dataset { names: self.names.clone(), columns, n_rows: self.n_rows }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ragged_and_count_errors() {
        let e = Dataset::new(vec!["a".into(), "b".into()], vec![vec![1.0], vec![1.0, 2.0]]);
        assert!(matches!(e, Err(KernelError::RaggedColumns { .. })));
        let e = Dataset::<f64>::new(vec!["a".into()], vec![]);
        assert!(matches!(e, Err(KernelError::NameCount { .. })));
    }

    #[test]
    fn select_rows_and_cast() {
        let d = Dataset::new(vec!["a".into()], vec![vec![1.0, 2.0, 3.0]]).unwrap();
        let s = d.select_rows(&[2, 0, 9]);
        assert_eq!(s.column(0), &[3.0, 1.0]);
        assert_eq!(s.n_rows(), 2);
        let f: Dataset<f32> = d.cast();
        assert_eq!(f.column(0), &[1.0f32, 2.0, 3.0]);
        assert_eq!(d.n_features(), 1);
    }
}
