//! The files sdl writes pictures and pages to: the format a name asks for by its extension
//! (pictures `.png`/`.svg`, report pages `.html`), and the `unknown-format` diagnostic that
//! the checker (literal names) and the executor (names known at run time) both report.

use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

/// True for `.html` and `.htm` (any case).
pub fn has_page_extension(path: &str) -> bool {
    let ext = std::path::Path::new(path).extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    matches!(ext.as_deref(), Some("html" | "htm"))
}

/// `unknown-format` for a file name whose extension names no format written there.
pub fn unknown_format(path: &str, page: bool, span: Span) -> Diagnostic {
    let (what, help) = if page {
        ("a report page", "end the file name in .html")
    } else {
        ("a picture", "end the file name in .png or .svg")
    };
    Diagnostic::new(Code::UnknownFormat, format!("`{path}` does not name a format sdl writes {what} in"), span)
        .with_label("unknown extension")
        .with_help(help)
}
