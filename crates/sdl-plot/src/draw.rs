//! Drawing a [`Picture`] with plotters, into an RGB buffer (then PNG) or an SVG document.
//!
//! In: a picture; out: the bytes, and what was drawn ([`Drawn`]): each panel's pixel area and
//! axis ranges, and how many values were drawn, skipped as NaN or infinite, skipped as not
//! positive on a logarithmic axis, or left out because a series had more than [`MAX_POINTS`].
//! Always true: axis ranges are computed from the values drawn only, so a NaN, an infinity or
//! a zero on a log axis never stretches an axis; a picture with nothing to draw is an error
//! ([`PlotError::Empty`]), never a blank image.

use crate::figure::{grid_shape, Corner, Figure, Picture, Style};
use crate::{font, Format, PlotError};
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The most points one series draws; beyond it every k-th value is drawn (and the rest are
/// counted in [`Counts::thinned`]), so that a million-row table stays a picture of a few
/// hundred kilobytes.
pub const MAX_POINTS: usize = 20_000;

/// How many values were drawn and why others were not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub drawn: usize,
    /// NaN or infinite x or y.
    pub non_finite: usize,
    /// Zero or negative on a logarithmic axis.
    pub non_positive: usize,
    /// Left out of series longer than [`MAX_POINTS`].
    pub thinned: usize,
}

/// Where one panel's plotting area lies in the picture and the data ranges of its axes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PanelGeometry {
    /// Left, top, right and bottom pixel of the plotting area.
    pub area: (i32, i32, i32, i32),
    pub x_range: (f64, f64),
    pub y_range: (f64, f64),
    pub log_x: bool,
    pub log_y: bool,
}

impl PanelGeometry {
    /// The pixel a data point lands on (fractional), as the axes map it.
    pub fn to_pixel(&self, x: f64, y: f64) -> (f64, f64) {
        let unit = |v: f64, (lo, hi): (f64, f64), log: bool| {
            if log {
                (v.log10() - lo.log10()) / (hi.log10() - lo.log10())
            } else {
                (v - lo) / (hi - lo)
            }
        };
        let (l, t, r, b) = self.area;
        let px = f64::from(l) + unit(x, self.x_range, self.log_x) * f64::from(r - l);
        let py = f64::from(b) - unit(y, self.y_range, self.log_y) * f64::from(b - t);
        (px, py)
    }
}

/// A drawn picture.
#[derive(Clone, Debug, PartialEq)]
pub struct Drawn {
    /// The PNG file or the SVG document.
    pub bytes: Vec<u8>,
    pub format: Format,
    pub width: u32,
    pub height: u32,
    pub panels: Vec<PanelGeometry>,
    pub counts: Counts,
}

/// Draws a picture in `format`.
pub fn render(pic: &Picture, format: Format) -> Result<Drawn, PlotError> {
    match format {
        Format::Png => {
            let (rgb, panels, counts) = render_rgb(pic)?;
            let bytes = encode_png(&rgb, pic.width, pic.height)?;
            Ok(Drawn { bytes, format, width: pic.width, height: pic.height, panels, counts })
        }
        Format::Svg => {
            let prepared = prepare_all(pic)?;
            let mut text = String::new();
            let panels = {
                let root = SVGBackend::with_string(&mut text, (pic.width, pic.height)).into_drawing_area();
                let panels = draw_picture(&root, pic, &prepared.panels)?;
                root.present().map_err(draw_err)?;
                panels
            };
            let (width, height) = (pic.width, pic.height);
            Ok(Drawn { bytes: text.into_bytes(), format, width, height, panels, counts: prepared.counts })
        }
    }
}

/// Draws a picture into an RGB buffer (`width * height * 3` bytes, row by row).
pub fn render_rgb(pic: &Picture) -> Result<(Vec<u8>, Vec<PanelGeometry>, Counts), PlotError> {
    let prepared = prepare_all(pic)?;
    let mut rgb = vec![0u8; pic.width as usize * pic.height as usize * 3];
    let panels = {
        let backend = BitMapBackend::with_buffer(&mut rgb, (pic.width, pic.height));
        let root = crate::text::Glyphs::new(backend).into_drawing_area();
        let panels = draw_picture(&root, pic, &prepared.panels)?;
        root.present().map_err(draw_err)?;
        panels
    };
    Ok((rgb, panels, prepared.counts))
}

/// PNG bytes of an RGB buffer.
pub fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, PlotError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| PlotError::Draw(e.to_string()))?;
    writer.write_image_data(rgb).map_err(|e| PlotError::Draw(e.to_string()))?;
    writer.finish().map_err(|e| PlotError::Draw(e.to_string()))?;
    Ok(out)
}

fn draw_err<E: std::fmt::Display>(e: E) -> PlotError {
    PlotError::Draw(e.to_string())
}

/// A panel's drawable points per series and its axis ranges.
struct Prepared {
    series: Vec<Vec<(f64, f64)>>,
    x_range: (f64, f64),
    y_range: (f64, f64),
    empty: bool,
}

struct PreparedPicture {
    panels: Vec<Prepared>,
    counts: Counts,
}

/// Sizes must be sane and something must be drawable.
fn prepare_all(pic: &Picture) -> Result<PreparedPicture, PlotError> {
    if !(16..=16_384).contains(&pic.width) || !(16..=16_384).contains(&pic.height) || pic.panels.is_empty() {
        return Err(PlotError::BadSize { width: pic.width, height: pic.height });
    }
    let mut counts = Counts::default();
    let panels: Vec<Prepared> = pic.panels.iter().map(|f| prepare(f, &mut counts)).collect();
    if panels.iter().all(|p| p.empty) {
        return Err(PlotError::Empty { non_finite: counts.non_finite, non_positive: counts.non_positive });
    }
    Ok(PreparedPicture { panels, counts })
}

/// Keeps the points that can be drawn, counts the others, and finds the axis ranges.
fn prepare(fig: &Figure, counts: &mut Counts) -> Prepared {
    let mut series = Vec::with_capacity(fig.series.len());
    let (mut xs, mut ys) = (Bounds::default(), Bounds::default());
    let mut empty = true;
    for s in &fig.series {
        let mut pts = Vec::with_capacity(s.xs.len().min(s.ys.len()));
        for (&x, &y) in s.xs.iter().zip(&s.ys) {
            if !x.is_finite() || !y.is_finite() {
                counts.non_finite += 1;
            } else if (fig.x.log && x <= 0.0) || (fig.y.log && y <= 0.0) {
                counts.non_positive += 1;
            } else {
                pts.push((x, y));
            }
        }
        if pts.len() > MAX_POINTS {
            let k = pts.len().div_ceil(MAX_POINTS);
            let before = pts.len();
            pts = pts.into_iter().step_by(k).collect();
            counts.thinned += before - pts.len();
        }
        for &(x, y) in &pts {
            xs.add(x);
            ys.add(y);
        }
        if s.style != Style::Reference && !pts.is_empty() {
            empty = false;
        }
        counts.drawn += pts.len();
        series.push(pts);
    }
    Prepared { series, x_range: xs.padded(fig.x.log), y_range: ys.padded(fig.y.log), empty }
}

#[derive(Default)]
struct Bounds {
    lo: Option<f64>,
    hi: Option<f64>,
}

impl Bounds {
    fn add(&mut self, v: f64) {
        self.lo = Some(self.lo.map_or(v, |l| l.min(v)));
        self.hi = Some(self.hi.map_or(v, |h| h.max(v)));
    }

    /// The range with 5% room on each side (in decades on a log axis); a single value gets a
    /// range around it.
    fn padded(&self, log: bool) -> (f64, f64) {
        let (Some(lo), Some(hi)) = (self.lo, self.hi) else {
            return if log { (1.0, 10.0) } else { (0.0, 1.0) };
        };
        if log {
            let (a, b) = (lo.log10(), hi.log10());
            let pad = if b > a { 0.05 * (b - a) } else { 0.5 };
            (10f64.powf(a - pad), 10f64.powf(b + pad))
        } else {
            let pad = if hi > lo { 0.05 * (hi - lo) } else { (lo.abs() * 0.1).max(1.0) };
            (lo - pad, hi + pad)
        }
    }
}

/// Text sizes for a panel of height `h` pixels.
struct Sizes {
    title: f64,
    desc: f64,
    tick: f64,
    legend: f64,
    point: i32,
}

fn sizes(w: u32, h: u32) -> Sizes {
    let k = (f64::from(h).min(f64::from(w) * 0.75) / 600.0).clamp(0.85, 2.5);
    Sizes {
        title: 22.0 * k,
        desc: 18.0 * k,
        tick: 14.0 * k,
        legend: 14.0 * k,
        point: (3.0 * k).round().max(2.0) as i32,
    }
}

/// Tableau's ten colours, the usual cycle of scientific plots.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The colour of the `i`-th ordinary series.
pub fn series_color(i: usize) -> (u8, u8, u8) {
    let c = PALETTE[i % PALETTE.len()];
    (c.0, c.1, c.2)
}

/// The colour of highlighted marks.
pub const HIGHLIGHT: (u8, u8, u8) = (214, 39, 40);
const REFERENCE: RGBColor = RGBColor(150, 150, 150);

fn draw_picture<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    pic: &Picture,
    prepared: &[Prepared],
) -> Result<Vec<PanelGeometry>, PlotError> {
    font::ensure();
    root.fill(&WHITE).map_err(draw_err)?;
    let (rows, cols) = grid_shape(pic.panels.len());
    let area = match &pic.title {
        Some(t) => root
            .titled(t, ("sans-serif", sizes(pic.width / cols as u32, pic.height / rows as u32).title * 1.1))
            .map_err(draw_err)?,
        None => root.clone(),
    };
    let cells = area.split_evenly((rows, cols));
    let mut out = Vec::with_capacity(pic.panels.len());
    for ((fig, prep), cell) in pic.panels.iter().zip(prepared).zip(&cells) {
        out.push(draw_panel(cell, fig, prep)?);
    }
    Ok(out)
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    fig: &Figure,
    prep: &Prepared,
) -> Result<PanelGeometry, PlotError> {
    let (x, y) = (prep.x_range.0..prep.x_range.1, prep.y_range.0..prep.y_range.1);
    let log = |r: std::ops::Range<f64>| {
        let ticks = log_ticks(r.start, r.end);
        r.log_scale().with_key_points(ticks)
    };
    match (fig.x.log, fig.y.log) {
        (false, false) => chart(area, fig, prep, x, y),
        (true, false) => chart(area, fig, prep, log(x), y),
        (false, true) => chart(area, fig, prep, x, log(y)),
        (true, true) => chart(area, fig, prep, log(x), log(y)),
    }
}

/// Ticks of a logarithmic axis from `lo` to `hi`: powers of ten when the range spans three or
/// more (every k-th beyond twelve), else 1, 2 and 5 times them, else every digit, else four
/// values evenly spaced in the logarithm (plotters' own ticks leave an axis that spans less
/// than a decade without labels).
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let (a, b) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let within = |mults: &[f64]| -> Vec<f64> {
        // `2e-7` parsed, not `2.0 * 10^-7` multiplied: the tick is the decimal value exactly.
        let value = |m: f64, k: i32| format!("{m}e{k}").parse::<f64>().unwrap_or(m * 10f64.powi(k));
        (a..=b).flat_map(|k| mults.iter().map(move |&m| value(m, k))).filter(|v| *v >= lo && *v <= hi).collect()
    };
    let decades = within(&[1.0]);
    if decades.len() >= 3 {
        let k = decades.len().div_ceil(12);
        return decades.into_iter().step_by(k).collect();
    }
    for mults in [&[1.0, 2.0, 5.0][..], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]] {
        let ticks = within(mults);
        if ticks.len() >= 3 {
            return ticks;
        }
    }
    // Rounded to a power of ten below a fifth of the range, so they stay inside it.
    let (l, h) = (lo.log10(), hi.log10());
    let q = 10f64.powf(((hi - lo) / 5.0).log10().floor());
    (1..=4)
        .map(|i| {
            let v = 10f64.powf(l + (h - l) * f64::from(i) / 5.0);
            ((v / q).round() * q).clamp(lo, hi)
        })
        .collect()
}

/// A tick label: plain decimals from 0.001 to 100,000, else `1.5e-7`.
pub fn tick_label(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 || (1e-3..1e5).contains(&a) {
        let s = format!("{v:.4}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" {
            "0".to_string()
        } else {
            s.to_string()
        }
    } else {
        let s = format!("{v:.2e}");
        match s.split_once('e') {
            Some((m, e)) => format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.')),
            None => s,
        }
    }
}

/// About how many characters the widest tick label of an axis over `range` has.
fn label_chars((lo, hi): (f64, f64), log: bool) -> usize {
    let width = |v: f64| tick_label(v).chars().count();
    if log {
        let (a, b) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
        return (a..=b).map(|k| width(10f64.powi(k))).max().unwrap_or(3);
    }
    // Ticks are multiples of a round step (1, 2 or 5 times a power of ten) of about a tenth of
    // the range: as many decimals as that step needs.
    let step = 10f64.powf(((hi - lo) / 10.0).log10().floor());
    let decimals = (-step.log10()).ceil().clamp(0.0, 4.0) as usize;
    [lo, hi]
        .iter()
        .map(
            |&v| {
                if v.abs() >= 1e5 || (v != 0.0 && v.abs() < 1e-3) {
                    width(v)
                } else {
                    format!("{v:.decimals$}").len()
                }
            },
        )
        .max()
        .unwrap_or(3)
        .max(1)
}

fn chart<DB, X, Y>(
    area: &DrawingArea<DB, Shift>,
    fig: &Figure,
    prep: &Prepared,
    x: X,
    y: Y,
) -> Result<PanelGeometry, PlotError>
where
    DB: DrawingBackend,
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let (w, h) = area.dim_in_pixel();
    let sz = sizes(w, h);
    let mut builder = ChartBuilder::on(area);
    builder
        .margin((12.0 * sz.tick / 14.0) as i32)
        .x_label_area_size((sz.tick * 2.0 + sz.desc * 1.6) as i32)
        .y_label_area_size((sz.tick * 0.62 * label_chars(prep.y_range, fig.y.log) as f64 + sz.desc * 1.8 + 8.0) as i32);
    if !fig.title.is_empty() {
        builder.caption(&fig.title, ("sans-serif", sz.title));
    }
    let mut chart = builder.build_cartesian_2d(x, y).map_err(draw_err)?;
    let fmt = |v: &f64| tick_label(*v);
    chart
        .configure_mesh()
        .x_desc(fig.x.label.as_str())
        .y_desc(fig.y.label.as_str())
        .x_label_formatter(&fmt)
        .y_label_formatter(&fmt)
        .label_style(("sans-serif", sz.tick))
        .axis_desc_style(("sans-serif", sz.desc))
        .max_light_lines(0)
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(draw_err)?;
    let mut colour = 0;
    let mut labelled = false;
    for (s, pts) in fig.series.iter().zip(&prep.series) {
        let c = match s.style {
            Style::Highlight => RGBColor(HIGHLIGHT.0, HIGHLIGHT.1, HIGHLIGHT.2),
            Style::Reference => REFERENCE,
            _ => {
                colour += 1;
                PALETTE[(colour - 1) % PALETTE.len()]
            }
        };
        let r = sz.point;
        // Unlabelled parts first: a series' legend entry belongs to the last part drawn.
        match s.style {
            Style::LinePoints => {
                chart.draw_series(pts.iter().map(|&p| Circle::new(p, r, c.filled()))).map_err(draw_err)?;
            }
            Style::Highlight => {
                chart.draw_series(pts.iter().map(|&p| Circle::new(p, r * 3, c.filled()))).map_err(draw_err)?;
            }
            _ => {}
        }
        let label = s.label.as_str();
        labelled |= !label.is_empty();
        match s.style {
            Style::Points => {
                let a = chart.draw_series(pts.iter().map(|&p| Circle::new(p, r, c.filled()))).map_err(draw_err)?;
                if !label.is_empty() {
                    a.label(label).legend(move |(x, y)| Circle::new((x + 8, y), r.max(3), c.filled()));
                }
            }
            Style::Line | Style::LinePoints | Style::Reference => {
                let width = if s.style == Style::Reference { 1 } else { 2 };
                let a =
                    chart.draw_series(LineSeries::new(pts.iter().copied(), c.stroke_width(width))).map_err(draw_err)?;
                if !label.is_empty() {
                    a.label(label)
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(width)));
                }
            }
            Style::Highlight => {
                let a = chart
                    .draw_series(pts.iter().map(|&p| Circle::new(p, r * 3, BLACK.stroke_width(2))))
                    .map_err(draw_err)?;
                if !label.is_empty() {
                    a.label(label).legend(move |(x, y)| Circle::new((x + 8, y), 6, c.filled()));
                }
            }
        }
    }
    if prep.empty {
        let (l, t, r, b) = pixel_area(&chart);
        let style = TextStyle::from(("sans-serif", sz.desc)).pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Center,
        ));
        area.draw_text(
            "nothing to draw: no finite values",
            &style,
            ((l + r) / 2 - area.get_base_pixel().0, (t + b) / 2 - area.get_base_pixel().1),
        )
        .map_err(draw_err)?;
    }
    if labelled {
        let pos = match fig.legend {
            Corner::UpperRight => SeriesLabelPosition::UpperRight,
            Corner::UpperLeft => SeriesLabelPosition::UpperLeft,
            Corner::LowerRight => SeriesLabelPosition::LowerRight,
            Corner::LowerLeft => SeriesLabelPosition::LowerLeft,
        };
        chart
            .configure_series_labels()
            .position(pos)
            .label_font(("sans-serif", sz.legend))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .draw()
            .map_err(draw_err)?;
    }
    Ok(PanelGeometry {
        area: pixel_area(&chart),
        x_range: prep.x_range,
        y_range: prep.y_range,
        log_x: fig.x.log,
        log_y: fig.y.log,
    })
}

fn pixel_area<DB: DrawingBackend, CT: plotters::coord::CoordTranslate>(
    chart: &ChartContext<'_, DB, CT>,
) -> (i32, i32, i32, i32) {
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    (xs.start, ys.start, xs.end - 1, ys.end - 1)
}
