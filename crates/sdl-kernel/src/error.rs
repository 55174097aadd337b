//! The kernel's error type: every failure on user input (ragged columns, a formula naming a
//! variable the data lacks, a bad benchmark file) is reported as a [`KernelError`], never as a
//! panic.

use std::fmt;

/// Errors reported by the kernel.
#[derive(Clone, Debug, PartialEq)]
pub enum KernelError {
    /// Columns of different lengths: `(column name, its length, the first column's length)`.
    RaggedColumns { name: String, len: usize, expected: usize },
    /// `names.len() != columns.len()`.
    NameCount { names: usize, columns: usize },
    /// The formula uses a variable that the data does not have.
    UnknownVariable(String),
    /// A length that does not match the data (target, weights, output buffer).
    LengthMismatch { what: &'static str, len: usize, expected: usize },
    /// The constant vector is shorter than the formula needs.
    MissingConstants { needed: usize, given: usize },
    /// A formula that is not a valid postfix program (empty, unbalanced).
    Malformed(String),
    /// A formula text that could not be parsed: `(line number, message)`.
    Parse { line: usize, message: String },
    /// The JIT could not compile a formula (reported, the caller falls back to the interpreter).
    Jit(String),
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelError::RaggedColumns { name, len, expected } => {
                write!(f, "column `{name}` has {len} rows, expected {expected}")
            }
            KernelError::NameCount { names, columns } => {
                write!(f, "{names} column names for {columns} columns")
            }
            KernelError::UnknownVariable(v) => write!(f, "unknown variable `{v}`"),
            KernelError::LengthMismatch { what, len, expected } => {
                write!(f, "{what} has length {len}, expected {expected}")
            }
            KernelError::MissingConstants { needed, given } => {
                write!(f, "formula needs {needed} constants, {given} given")
            }
            KernelError::Malformed(m) => write!(f, "malformed formula: {m}"),
            KernelError::Parse { line, message } => write!(f, "line {line}: {message}"),
            KernelError::Jit(m) => write!(f, "jit: {m}"),
        }
    }
}

impl std::error::Error for KernelError {}
