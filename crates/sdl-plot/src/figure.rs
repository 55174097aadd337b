//! What a picture shows, as plain data: a [`Picture`] is one or more panels ([`Figure`]s) laid
//! out in a grid; a figure has a title, two axes (linear or logarithmic, each with a label) and
//! [`Series`] of `(x, y)` values drawn as points, lines or a highlighted mark.
//!
//! Nothing here draws: [`crate::render`] does. Values may be NaN or infinite (they are skipped
//! and counted when drawn), and a series' `xs` and `ys` may differ in length (the extra values
//! are ignored).

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Style {
    /// Filled dots (a scatter plot).
    Points,
    /// A line through the values in the order given (sort them by x first for a curve).
    Line,
    /// A line with a dot at every value.
    LinePoints,
    /// Large outlined marks that stand out over other series (the chosen formula of a Pareto
    /// front, the start of a trajectory).
    Highlight,
    /// A thin grey line for reference (`y = x`, `y = 0`).
    Reference,
}

/// One series of a figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The legend entry; an empty label keeps the series out of the legend.
    pub label: String,
    pub style: Style,
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
}

impl Series {
    /// A series from its values.
    pub fn new(label: impl Into<String>, style: Style, xs: Vec<f64>, ys: Vec<f64>) -> Series {
        Series { label: label.into(), style, xs, ys }
    }
}

/// One axis: its label (with units, when the values have them) and its scale.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Axis {
    pub label: String,
    /// Logarithmic (base 10); values that are not positive cannot be drawn and are counted.
    pub log: bool,
}

impl Axis {
    /// A linear axis.
    pub fn linear(label: impl Into<String>) -> Axis {
        Axis { label: label.into(), log: false }
    }

    /// A logarithmic axis.
    pub fn log(label: impl Into<String>) -> Axis {
        Axis { label: label.into(), log: true }
    }
}

/// The corner of a panel that holds its legend.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Corner {
    #[default]
    UpperRight,
    UpperLeft,
    LowerRight,
    LowerLeft,
}

/// One panel: axes, series and a title.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figure {
    pub title: String,
    pub x: Axis,
    pub y: Axis,
    pub series: Vec<Series>,
    pub legend: Corner,
}

impl Figure {
    /// A figure without series.
    pub fn new(title: impl Into<String>, x: Axis, y: Axis) -> Figure {
        Figure { title: title.into(), x, y, series: Vec::new(), legend: Corner::default() }
    }

    /// The figure with one more series.
    pub fn with(mut self, series: Series) -> Figure {
        self.series.push(series);
        self
    }
}

/// A whole picture: panels in a grid (at most three to a row), a size in pixels and an
/// optional title over all panels.
#[derive(Clone, Debug, PartialEq)]
pub struct Picture {
    pub panels: Vec<Figure>,
    pub width: u32,
    pub height: u32,
    pub title: Option<String>,
}

/// The default size of one panel, in pixels.
pub const PANEL_SIZE: (u32, u32) = (800, 600);

impl Picture {
    /// One panel at the default size.
    pub fn single(figure: Figure) -> Picture {
        Picture { panels: vec![figure], width: PANEL_SIZE.0, height: PANEL_SIZE.1, title: None }
    }

    /// Several panels side by side (three to a row), each about 560 x 480 pixels.
    pub fn grid(panels: Vec<Figure>) -> Picture {
        let (rows, cols) = grid_shape(panels.len());
        let (w, h) = if panels.len() <= 1 { PANEL_SIZE } else { (560 * cols as u32, 480 * rows as u32) };
        Picture { panels, width: w, height: h, title: None }
    }

    /// The picture at another size.
    pub fn sized(mut self, width: u32, height: u32) -> Picture {
        self.width = width;
        self.height = height;
        self
    }
}

/// Rows and columns of the grid for `n` panels: one row up to three, then rows of three.
pub fn grid_shape(n: usize) -> (usize, usize) {
    let cols = n.clamp(1, 3);
    (n.max(1).div_ceil(cols), cols)
}
