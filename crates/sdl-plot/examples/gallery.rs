//! Draws a few pictures into a folder (default `target/gallery`) and measures how long drawing
//! takes: `cargo run --release -p sdl-plot --example gallery [DIR]`. Prints one line per
//! measurement, the median of five runs, for a scatter plot of 1,000 and of 20,000 points as
//! PNG (800 x 600) and as SVG.

use sdl_plot::{render, write, Axis, Corner, Figure, Format, Picture, Series, Style};
use std::time::Instant;

fn scatter(n: usize) -> Picture {
    let xs: Vec<f64> = (0..n).map(|i| i as f64 / n as f64 * 10.0).collect();
    let ys: Vec<f64> = xs.iter().map(|x| (x * 1.3).sin() * x + ((x * 97.0).sin() * 0.3)).collect();
    let curve: Vec<f64> = xs.iter().map(|x| (x * 1.3).sin() * x).collect();
    let mut fig = Figure::new("a scatter with a fitted curve", Axis::linear("t [s]"), Axis::linear("x [m]"))
        .with(Series::new("data", Style::Points, xs.clone(), ys))
        .with(Series::new("x = t sin(1.3 t)", Style::Line, xs, curve));
    fig.legend = Corner::UpperLeft;
    Picture::single(fig)
}

fn median_ms(mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[2]
}

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "target/gallery".into()));
    std::fs::create_dir_all(&dir).expect("a folder for the pictures");
    write(&scatter(1000), &dir.join("scatter.png")).expect("scatter.png");
    write(&scatter(1000), &dir.join("scatter.svg")).expect("scatter.svg");
    let front = Figure::new("Pareto front", Axis::linear("complexity"), Axis::log("loss"))
        .with(Series::new(
            "front",
            Style::LinePoints,
            vec![1.0, 3.0, 5.0, 7.0, 9.0, 11.0],
            vec![3.1, 0.9, 0.12, 2e-3, 1e-9, 8e-10],
        ))
        .with(Series::new("chosen: a * x^2", Style::Highlight, vec![9.0], vec![1e-9]));
    write(&Picture::single(front), &dir.join("pareto.png")).expect("pareto.png");
    let panels: Vec<Figure> = (0..3)
        .map(|k| {
            let xs: Vec<f64> = (0..400).map(|i| (i as f64 * 0.731 + k as f64).sin() * 3.0).collect();
            let ys: Vec<f64> = xs.iter().enumerate().map(|(i, x)| 2.0 * x + (i as f64 * 12.9898).sin() * 0.2).collect();
            let mut f =
                Figure::new(format!("e{k}"), Axis::linear("linear fit of the force"), Axis::linear(format!("e{k}")))
                    .with(Series::new("", Style::Points, xs.clone(), ys))
                    .with(Series::new("y = x", Style::Reference, vec![-6.0, 6.0], vec![-6.0, 6.0]));
            f.legend = Corner::LowerRight;
            f
        })
        .collect();
    write(&Picture::grid(panels), &dir.join("panels.png")).expect("panels.png");
    println!("wrote {}/{{scatter.png,scatter.svg,pareto.png,panels.png}}", dir.display());
    for n in [1000, 20_000] {
        let pic = scatter(n);
        for format in [Format::Png, Format::Svg] {
            let mut bytes = 0;
            let ms = median_ms(|| bytes = render(&pic, format).expect("drawn").bytes.len());
            println!("draw points={n} format={} ms={ms:.1} bytes={bytes}", format.name());
        }
    }
}
