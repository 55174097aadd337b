//! Embedding sdl in a Rust program: the host measures a decay curve, hands it to sdl as a table,
//! fits a law with free constants in sdl, and reads the fitted formula and constants back as
//! Rust values. Run: `cargo run --release --example embed`.

// Errors carry sdl's diagnostics, as the library's do (see lib.rs).
#![allow(clippy::result_large_err)]

use ndarray::Array2;
use sdl::embed::EmbedError;
use sdl::exec::fit::ConstFitOutcome;
use sdl::formula::Formula;
use sdl::session::Session;
use std::rc::Rc;

/// Fits `y = a * exp(-b * t)` to data made by the host with a = 2.5, b = 0.7.
pub fn fit_decay() -> Result<(Formula, Vec<(String, f64)>), EmbedError> {
    let rows = 50;
    let mut m = Array2::<f64>::zeros((rows, 2));
    for i in 0..rows {
        let t = i as f64 * 0.1;
        m[[i, 0]] = t;
        m[[i, 1]] = 2.5 * (-0.7 * t).exp();
    }
    let mut s = Session::new(Box::new(std::io::sink()));
    s.bind_matrix("data", &["t", "y"], m.view())?;
    s.bind_num("a0", 1.0);
    let fit: Rc<ConstFitOutcome> = s.eval("fit(data, y ~ a * exp(-b * t), params: {a: a0, b: 0.5})")?;
    let law: Formula = s.eval(&format!("parse_formula({:?})", fit.formula.to_string()))?;
    Ok((law, fit.params.clone()))
}

fn main() {
    match fit_decay() {
        Ok((law, params)) => {
            println!("law: y = {law}");
            for (name, value) in params {
                println!("{name} = {value:.6}");
            }
        }
        Err(e) => {
            eprintln!("embedding failed: {e:?}");
            std::process::exit(1);
        }
    }
}
