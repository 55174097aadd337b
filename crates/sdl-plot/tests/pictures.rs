//! Pictures are checked, not just written: the PNG decodes, has the requested size, is not
//! blank inside the plotting area, and its marks land where the axes say the data lie; the SVG
//! parses as XML and its tick labels span the data; NaN, infinite and (on log axes) non-positive
//! values are skipped and counted; nothing drawable, an unknown extension and an unwritable path
//! are errors.

use sdl_plot::{render, write, Axis, Figure, Format, Picture, PlotError, Series, Style};

/// Decoded RGB pixels of a PNG: (width, height, bytes).
fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

fn pixel(rgb: &[u8], w: u32, x: i32, y: i32) -> (u8, u8, u8) {
    let i = (y as usize * w as usize + x as usize) * 3;
    (rgb[i], rgb[i + 1], rgb[i + 2])
}

fn scatter(xs: Vec<f64>, ys: Vec<f64>) -> Picture {
    // No label, so no legend box covers a mark.
    Picture::single(Figure::new("known points", Axis::linear("x [m]"), Axis::linear("y [s]")).with(Series::new(
        "",
        Style::Points,
        xs,
        ys,
    )))
}

#[test]
fn a_png_decodes_at_its_size_and_is_not_blank_inside_the_plot() {
    let xs: Vec<f64> = (0..50).map(|i| i as f64).collect();
    let ys: Vec<f64> = xs.iter().map(|x| x * x).collect();
    let pic = scatter(xs, ys).sized(640, 480);
    let drawn = render(&pic, Format::Png).unwrap();
    let (w, h, rgb) = decode(&drawn.bytes);
    assert_eq!((w, h), (640, 480));
    let (l, t, r, b) = drawn.panels[0].area;
    assert!(l > 0 && t > 0 && r < 640 && b < 480 && r - l > 300 && b - t > 200, "{:?}", drawn.panels[0].area);
    let mut coloured = 0;
    for y in t..=b {
        for x in l..=r {
            let (pr, _, pb) = pixel(&rgb, w, x, y);
            // The series' blue, not the white background or the grey grid.
            if pb > 120 && pr < 120 {
                coloured += 1;
            }
        }
    }
    assert!(coloured > 300, "only {coloured} series pixels in the plotting area");
    assert_eq!(drawn.counts.drawn, 50);
}

#[test]
fn marks_land_where_the_axes_put_the_data() {
    let pts = [(0.0, 0.0), (10.0, 100.0), (2.5, 75.0), (7.0, 10.0)];
    let pic = scatter(pts.iter().map(|p| p.0).collect(), pts.iter().map(|p| p.1).collect());
    let drawn = render(&pic, Format::Png).unwrap();
    let (w, _, rgb) = decode(&drawn.bytes);
    let g = drawn.panels[0];
    // The axes cover the data with a small margin, no more.
    assert!(g.x_range.0 < 0.0 && g.x_range.0 > -1.0 && g.x_range.1 > 10.0 && g.x_range.1 < 11.0, "{g:?}");
    assert!(g.y_range.0 < 0.0 && g.y_range.0 > -10.0 && g.y_range.1 > 100.0 && g.y_range.1 < 110.0, "{g:?}");
    for (x, y) in pts {
        let (px, py) = g.to_pixel(x, y);
        let (r, gr, b) = pixel(&rgb, w, px.round() as i32, py.round() as i32);
        assert!(b > 120 && r < 120 && gr < 180, "no mark at ({x}, {y}) -> ({px}, {py}): {:?}", (r, gr, b));
    }
    // And a point between the marks is background.
    let (px, py) = g.to_pixel(5.3, 43.7);
    assert_eq!(pixel(&rgb, w, px as i32, py as i32), (255, 255, 255));
}

/// The text of every `<text>` element of an SVG document.
fn svg_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(|t| t.trim().to_string()))
        .collect()
}

#[test]
fn an_svg_parses_and_its_tick_labels_span_the_data() {
    let pic = scatter(vec![-3.0, 0.0, 4.0], vec![1000.0, 1500.0, 2000.0]);
    let drawn = render(&pic, Format::Svg).unwrap();
    let svg = String::from_utf8(drawn.bytes).unwrap();
    let texts = svg_texts(&svg);
    assert!(texts.iter().any(|t| t == "known points"), "{texts:?}");
    assert!(texts.iter().any(|t| t == "x [m]") && texts.iter().any(|t| t == "y [s]"), "{texts:?}");
    let ticks: Vec<f64> = texts.iter().filter_map(|t| t.parse::<f64>().ok()).collect();
    let within = |lo: f64, hi: f64| ticks.iter().filter(|v| **v >= lo && **v <= hi).count();
    // x ticks between -3.35 and 4.35, y ticks between 950 and 2050, reaching both ends.
    assert!(within(-3.4, 4.4) >= 4 && ticks.iter().any(|v| *v <= -2.0) && ticks.iter().any(|v| *v >= 3.0), "{ticks:?}");
    assert!(within(950.0, 2050.0) >= 4, "{ticks:?}");
    assert!(ticks.iter().any(|v| (950.0..=1100.0).contains(v)) && ticks.iter().any(|v| (1900.0..=2050.0).contains(v)));
    assert!(ticks.iter().all(|v| (-3.4..=4.4).contains(v) || (950.0..=2050.0).contains(v)), "{ticks:?}");
}

#[test]
fn log_axes_use_decades_and_skip_values_that_are_not_positive() {
    let fig = Figure::new("losses", Axis::linear("complexity"), Axis::log("loss")).with(Series::new(
        "front",
        Style::LinePoints,
        vec![1.0, 3.0, 5.0, 7.0, 9.0],
        vec![10.0, 0.1, 1e-3, 0.0, 1e-6],
    ));
    let drawn = render(&Picture::single(fig), Format::Svg).unwrap();
    assert_eq!(drawn.counts.drawn, 4);
    assert_eq!(drawn.counts.non_positive, 1);
    let g = drawn.panels[0];
    assert!(g.log_y && g.y_range.0 < 1e-6 && g.y_range.0 > 1e-7 && g.y_range.1 > 10.0 && g.y_range.1 < 100.0, "{g:?}");
    let texts = svg_texts(&String::from_utf8(drawn.bytes).unwrap());
    for decade in ["1e-6", "0.001", "1", "10"] {
        assert!(texts.iter().any(|t| t == decade), "no tick {decade} in {texts:?}");
    }
}

#[test]
fn nan_and_infinite_values_are_skipped_and_counted_not_drawn_at_an_edge() {
    let xs = vec![0.0, 1.0, f64::NAN, 3.0, f64::INFINITY, 5.0];
    let ys = vec![0.0, 1.0, 2.0, f64::NEG_INFINITY, 4.0, 5.0];
    let drawn = render(&scatter(xs, ys), Format::Png).unwrap();
    assert_eq!((drawn.counts.drawn, drawn.counts.non_finite), (3, 3));
    let g = drawn.panels[0];
    assert!(g.x_range.1 < 6.0 && g.y_range.0 > -1.0, "the axes follow the finite values only: {g:?}");
}

#[test]
fn nothing_to_draw_is_an_error_not_a_blank_picture() {
    let empty = render(&scatter(vec![], vec![]), Format::Png);
    assert_eq!(empty, Err(PlotError::Empty { non_finite: 0, non_positive: 0 }));
    let all_nan = render(&scatter(vec![f64::NAN; 4], vec![1.0; 4]), Format::Svg);
    assert_eq!(all_nan, Err(PlotError::Empty { non_finite: 4, non_positive: 0 }));
    assert!(matches!(render(&scatter(vec![1.0], vec![1.0]).sized(2, 2), Format::Png), Err(PlotError::BadSize { .. })));
}

#[test]
fn the_format_comes_from_the_extension_and_bad_paths_are_errors() {
    let dir = std::env::temp_dir().join(format!("sdl-plot-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pic = scatter(vec![1.0, 2.0], vec![3.0, 4.0]);
    let png_path = dir.join("a.PNG");
    assert_eq!(write(&pic, &png_path).unwrap().format, Format::Png);
    assert!(std::fs::read(&png_path).unwrap().starts_with(b"\x89PNG"));
    let svg_path = dir.join("a.svg");
    write(&pic, &svg_path).unwrap();
    assert!(std::fs::read_to_string(&svg_path).unwrap().contains("<svg"));
    match write(&pic, &dir.join("a.jpg")) {
        Err(PlotError::UnknownFormat { ext: Some(e), .. }) => assert_eq!(e, "jpg"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(write(&pic, &dir.join("no/such/dir/a.png")), Err(PlotError::Io { .. })));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn panels_are_laid_out_side_by_side() {
    let panel = |t: &str| {
        Figure::new(t, Axis::linear("x"), Axis::linear("y")).with(Series::new(
            "",
            Style::Line,
            vec![0.0, 1.0],
            vec![0.0, 1.0],
        ))
    };
    let pic = Picture::grid(vec![panel("a"), panel("b")]);
    let drawn = render(&pic, Format::Png).unwrap();
    assert_eq!(drawn.panels.len(), 2);
    let (a, b) = (drawn.panels[0].area, drawn.panels[1].area);
    assert!(a.2 < b.0, "the second panel is right of the first: {a:?} {b:?}");
    let (w, h, _) = decode(&drawn.bytes);
    assert_eq!((w, h), (pic.width, pic.height));
}

#[test]
fn log_axes_have_ticks_however_narrow_their_range() {
    use sdl_plot::log_ticks;
    assert_eq!(log_ticks(0.5, 2000.0), vec![1.0, 10.0, 100.0, 1000.0]);
    assert_eq!(log_ticks(0.15, 3.0), vec![0.2, 0.5, 1.0, 2.0]);
    assert_eq!(log_ticks(0.05, 0.09).len(), 5, "{:?}", log_ticks(0.05, 0.09));
    assert!(log_ticks(0.0501, 0.0502).iter().all(|v| (0.0501..=0.0502).contains(v)));
    assert_eq!(log_ticks(1e-30, 1.0).len(), 11, "{:?}", log_ticks(1e-30, 1.0));
}

#[test]
fn tick_labels_are_compact() {
    use sdl_plot::tick_label;
    assert_eq!(tick_label(0.0), "0");
    assert_eq!(tick_label(-0.0), "0");
    assert_eq!(tick_label(2.5), "2.5");
    assert_eq!(tick_label(100.0), "100");
    assert_eq!(tick_label(1e-6), "1e-6");
    assert_eq!(tick_label(2.5e7), "2.5e7");
}
