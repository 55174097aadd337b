//! The embedding API: a Rust host binds an ndarray matrix, numbers and formulas, runs sdl code
//! and reads typed results back; the `embed` example runs and prints the fitted constants.

use ndarray::array;
use sdl::embed::EmbedError;
use sdl::exec::fit::ConstFitOutcome;
use sdl::formula::Formula;
use sdl::session::Session;
use std::rc::Rc;

/// The example itself (its `main` is not used here).
#[allow(dead_code)]
#[path = "../examples/embed.rs"]
mod embed_example;

#[test]
fn a_host_binds_values_runs_code_and_reads_typed_results() {
    let mut s = Session::new(Box::new(std::io::sink()));
    let m = array![[1.0, 3.0], [2.0, 5.0], [3.0, 7.0], [4.0, 9.0]];
    s.bind_matrix("d", &["x", "y"], m.view()).unwrap();
    s.bind_num("k", 2.0);
    s.bind_formula("g", sdl::formula::parse("x * x").unwrap());
    // The checker knows the bound table's columns.
    assert!(!s.check("d.z").is_empty());
    assert_eq!(s.eval::<f64>("rows(d) * k").unwrap(), 8.0);
    assert_eq!(s.eval::<Vec<f64>>("eval(g, d)").unwrap(), vec![1.0, 4.0, 9.0, 16.0]);
    let f: Formula = s.eval("diff(g, x)").unwrap();
    assert_eq!(f.to_string(), "2 * x");
    let fit: Rc<ConstFitOutcome> = s.eval("fit(d, y ~ a * x + b)").unwrap();
    let get = |n: &str| fit.params.iter().find(|(p, _)| p == n).map(|(_, v)| *v).unwrap();
    assert!((get("a") - 2.0).abs() < 1e-9 && (get("b") - 1.0).abs() < 1e-9, "{:?}", fit.params);
    assert!(matches!(s.eval::<f64>("\"text\""), Err(EmbedError::WrongType { expected: "num", found: "str" })));
    assert!(matches!(s.eval::<f64>("d.z"), Err(EmbedError::Run(_))));
    assert!(matches!(s.bind_matrix("bad", &["x"], m.view()), Err(EmbedError::BadData(_))));
}

#[test]
fn the_embed_example_recovers_the_constants() {
    let (law, params) = embed_example::fit_decay().expect("the example runs");
    assert!(law.used_vars().contains(&"t".to_string()), "{law}");
    let get = |n: &str| params.iter().find(|(p, _)| p == n).map(|(_, v)| *v).unwrap();
    assert!((get("a") - 2.5).abs() < 1e-6 && (get("b") - 0.7).abs() < 1e-6, "{params:?}");
}
