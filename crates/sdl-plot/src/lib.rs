//! `sdl-plot`: pictures for sdl, without the language. In: a [`Picture`] (panels of series of
//! numbers, axes, titles) or a [`page::Page`]; out: PNG or SVG bytes, files, terminal escape
//! sequences ([`terminal`]) and self-contained HTML pages.
//!
//! Drawing is plotters' bitmap and SVG backends with text in DejaVu Sans, which ships inside the
//! crate ([`font`]), so a machine without system fonts draws the same picture. Always true:
//! NaN and infinite values (and values that are not positive on a log axis) are skipped and
//! counted, never drawn at an edge; a picture with nothing to draw is [`PlotError::Empty`]; the
//! format is chosen by the file name's extension ([`Format::from_path`]).

mod draw;
pub mod figure;
mod font;
pub mod page;
pub mod terminal;
mod text;

pub use draw::{
    encode_png, log_ticks, render, render_rgb, series_color, tick_label, Counts, Drawn, PanelGeometry, HIGHLIGHT,
    MAX_POINTS,
};
pub use figure::{Axis, Corner, Figure, Picture, Series, Style};

use std::fmt;
use std::path::Path;

/// A picture file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    /// The format a file name asks for by its extension (`.png`, `.svg`, any case).
    pub fn from_path(path: &Path) -> Result<Format, PlotError> {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("png") => Ok(Format::Png),
            Some("svg") => Ok(Format::Svg),
            _ => Err(PlotError::UnknownFormat { path: path.display().to_string(), ext }),
        }
    }

    /// `png` or `svg`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }
}

/// Why a picture could not be drawn or written.
#[derive(Clone, Debug, PartialEq)]
pub enum PlotError {
    /// The file name's extension is not `.png` or `.svg`.
    UnknownFormat { path: String, ext: Option<String> },
    /// No series has a value that can be drawn.
    Empty { non_finite: usize, non_positive: usize },
    /// A size outside 16 to 16,384 pixels (or a picture without panels).
    BadSize { width: u32, height: u32 },
    /// The file could not be written.
    Io { path: String, message: String },
    /// plotters or the PNG encoder failed.
    Draw(String),
}

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlotError::UnknownFormat { path, ext: Some(e) } => {
                write!(f, "{path}: `.{e}` is not a picture format sdl writes")
            }
            PlotError::UnknownFormat { path, ext: None } => write!(f, "{path}: the file name has no extension"),
            PlotError::Empty { non_finite, non_positive } => {
                write!(f, "nothing to draw")?;
                match (non_finite, non_positive) {
                    (0, 0) => write!(f, ": there are no values"),
                    (n, 0) => write!(f, ": all {n} values are NaN or infinite"),
                    (0, p) => write!(f, ": all {p} values are zero or negative on a log axis"),
                    (n, p) => write!(f, ": {n} values are NaN or infinite and {p} not positive on a log axis"),
                }
            }
            PlotError::BadSize { width, height } => write!(f, "a picture of {width} x {height} pixels cannot be drawn"),
            PlotError::Io { path, message } => write!(f, "cannot write {path}: {message}"),
            PlotError::Draw(m) => write!(f, "drawing failed: {m}"),
        }
    }
}

impl std::error::Error for PlotError {}

/// Draws a picture and writes it to `path` in the format its extension names.
pub fn write(pic: &Picture, path: &Path) -> Result<Drawn, PlotError> {
    let format = Format::from_path(path)?;
    let drawn = render(pic, format)?;
    std::fs::write(path, &drawn.bytes)
        .map_err(|e| PlotError::Io { path: path.display().to_string(), message: e.to_string() })?;
    Ok(drawn)
}
