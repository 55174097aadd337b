//! Units as a hard constraint in the search: a dimensioned law is found and its constant's
//! dimension reported, a dimensionally wrong law that fits better is rejected, every reported law
//! is consistent, runs are reproducible at any thread count, templates work, bad units are named.

mod common;
use common::*;
use sdl_formula::Op;
use sdl_search::{Problem, SearchError, SearchOptions, Template, TemplateFn, Units};
use sdl_units::{consistent, Dim, Unit};

const ARITH: [Op; 4] = [Op::Add, Op::Sub, Op::Mul, Op::Div];

fn dim(s: &str) -> Dim {
    Unit::parse(s).unwrap().dim
}

fn quick(seed: u64) -> SearchOptions {
    SearchOptions {
        niterations: 8,
        ncycles_per_iteration: 50,
        populations: 4,
        ..small_options(seed, ARITH.to_vec(), vec![])
    }
}

/// Every entry of the result can have the target's dimension within the constant budget.
fn assert_all_consistent(res: &sdl_search::SearchResult, u: &Units) {
    for e in &res.hall_of_fame {
        let names: Vec<String> = e.formula.vars.clone();
        let dims: Vec<Option<Dim>> = names.iter().map(|n| feature_dim(n, u)).collect();
        assert!(consistent(&e.formula, &dims, u.target, u.max_dimensioned_constants), "{}", e.formula);
    }
}

fn feature_dim(name: &str, u: &Units) -> Option<Dim> {
    ["m1", "m2", "r"].iter().position(|n| *n == name).and_then(|i| u.features.get(i).copied().flatten())
}

#[test]
fn newtons_law_is_found_with_units_and_g_gets_its_dimension() {
    let (d, y) =
        data(&[("m1", 1.0, 5.0), ("m2", 1.0, 5.0), ("r", 1.0, 3.0)], 80, 1, &|v| 6.674 * v[0] * v[1] / (v[2] * v[2]));
    let u = Units::new(vec![Some(dim("kg")), Some(dim("kg")), Some(dim("m"))], dim("N"));
    let o = SearchOptions { niterations: 40, loss_threshold: Some(1e-20), units: Some(u.clone()), ..quick(3) };
    let res = run(&Problem::plain(d, y), &o);
    assert!(res.units_checked > 0 && res.units_rejected > 0 && res.units_rejected < res.units_checked);
    assert_all_consistent(&res, &u);
    let best = res.accuracy().unwrap();
    assert!(best.loss < 1e-16, "{} loss {}", best.formula, best.loss);
    assert_eq!(best.const_dims.len(), best.formula.consts.len());
    // G may come split over several constants (`m1 * (355.2 / r * (m2 / r)) / 53.2`): exactly one
    // of them carries G's dimension (or its inverse, in a denominator), the rest are numbers.
    let dimensioned: Vec<Dim> = best.const_dims.iter().flatten().copied().filter(|d| !d.is_dimensionless()).collect();
    assert_eq!(dimensioned.len(), 1, "{} {:?}", best.formula, best.const_dims);
    let g = dim("m^3/(kg*s^2)");
    assert!(dimensioned[0] == g || dimensioned[0] == g.inv(), "{} {:?}", best.formula, best.const_dims);
}

#[test]
fn units_reject_a_wrong_dimension_that_fits_better() {
    // y = 2x in metres; t (seconds) is numerically almost exactly 2x, so without units `t` alone
    // (complexity 1) beats the true law `2 * x` (complexity 3); with units, and no dimensioned
    // constant allowed, `t` and `c * t` are rejected and only laws in x remain.
    let (d, y) = data(&[("x", 1.0, 5.0), ("t", 0.0, 1.0)], 60, 2, &|v| 2.0 * v[0]);
    let mut cols = vec![d.column(0).to_vec(), d.column(0).iter().map(|x| 2.0 * x + 1e-6).collect()];
    let d = sdl_kernel::Dataset::new(vec!["x".into(), "t".into()], std::mem::take(&mut cols)).unwrap();
    let problem = Problem::plain(d, y);
    let free = run(&problem, &quick(4));
    let c1 = free.hall_of_fame.iter().find(|e| e.complexity == 1).unwrap();
    assert_eq!(c1.formula.to_string(), "t");
    let u = Units { max_dimensioned_constants: 0, ..Units::new(vec![Some(dim("m")), Some(dim("s"))], dim("m")) };
    let res = run(&problem, &SearchOptions { units: Some(u), ..quick(4) });
    for e in &res.hall_of_fame {
        let uses_t = e
            .formula
            .nodes
            .iter()
            .any(|n| matches!(n, sdl_formula::Node::Var(i) if e.formula.vars[*i as usize] == "t"));
        assert!(!uses_t, "{} uses t", e.formula);
    }
    assert!(res.accuracy().unwrap().loss < 1e-20, "{}", res.accuracy().unwrap().formula);
}

#[test]
fn one_seed_with_units_gives_the_same_hall_of_fame_at_one_and_two_threads() {
    let (d, y) = data(&[("m1", 1.0, 5.0), ("m2", 1.0, 5.0), ("r", 1.0, 3.0)], 60, 5, &|v| 2.0 * v[0] * v[1] / v[2]);
    let problem = Problem::plain(d, y);
    let u = Units::new(vec![Some(dim("kg")), None, Some(dim("m"))], dim("kg^2/m"));
    let o = SearchOptions { niterations: 6, batching: true, batch_size: 20, units: Some(u), ..quick(42) };
    let csv = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let r = run(&problem, &o);
            (r.to_csv(), r.units_checked, r.units_rejected)
        })
    };
    let one = csv(1);
    assert!(one.0.lines().count() > 3, "{}", one.0);
    assert_eq!(one, csv(2));
}

#[test]
fn templates_with_units_solve_each_functions_dimension() {
    // y [J] ~ f(v) * m : f must be m^2/s^2, found as v^2 / 2.
    let (d, y) = data(&[("m", 1.0, 5.0), ("v", 1.0, 5.0)], 60, 6, &|x| 0.5 * x[0] * x[1] * x[1]);
    let template = Template {
        outer: sdl_formula::parse("f * m").unwrap(),
        functions: vec![TemplateFn { name: "f".into(), args: vec!["v".into()] }],
    };
    let problem = Problem { data: d, target: y, weights: None, template };
    let u = Units::new(vec![Some(dim("kg")), Some(dim("m/s"))], dim("J"));
    let res = run(&problem, &SearchOptions { niterations: 20, units: Some(u.clone()), ..quick(7) });
    for e in &res.hall_of_fame {
        let dims = [Some(dim("kg")), Some(dim("m/s"))];
        let f = e.formula.with_vars_superset(&["m".into(), "v".into()]);
        assert!(consistent(&f, &dims, u.target, 2), "{}", e.formula);
    }
    assert!(res.accuracy().unwrap().loss < 1e-16, "{}", res.accuracy().unwrap().formula);
}

#[test]
fn units_for_the_wrong_number_of_columns_are_named() {
    let (d, y) = data(&[("x", 1.0, 5.0)], 10, 1, &|v| v[0]);
    let o = SearchOptions { units: Some(Units::new(vec![], dim("m"))), ..quick(1) };
    let stop = std::sync::atomic::AtomicBool::new(false);
    match sdl_search::search(&Problem::plain(d, y), &o, &|_| {}, &stop) {
        Err(SearchError::InvalidOptions(e)) => assert_eq!(e[0].field, "units"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn with_no_consistent_law_the_search_does_not_start() {
    // A force from a length and a time, with no dimensioned constant allowed: no law exists, and
    // the search says so before it starts.
    let (d, y) = data(&[("x", 1.0, 5.0), ("t", 1.0, 5.0)], 30, 8, &|v| v[0] / (v[1] * v[1]));
    let u = Units { max_dimensioned_constants: 0, ..Units::new(vec![Some(dim("m")), Some(dim("s"))], dim("N")) };
    let o = SearchOptions { niterations: 3, units: Some(u.clone()), ..quick(9) };
    let stop = std::sync::atomic::AtomicBool::new(false);
    match sdl_search::search(&Problem::plain(d.clone(), y.clone()), &o, &|_| {}, &stop) {
        Err(e @ sdl_search::SearchError::UnitsUnreachable { .. }) => {
            assert!(e.to_string().contains("x [m], t [s]"), "{e}");
        }
        other => panic!("expected UnitsUnreachable, got {:?}", other.map(|r| r.hall_of_fame.len())),
    }
    // With `t` in kg*s^2/m^2 instead, x / t^2 ... no: x * kg is out of reach too, but a mass column
    // makes the force reachable (kg * m / s^2), and the search runs.
    let reachable = Units::new(vec![Some(dim("kg*m")), Some(dim("s"))], dim("N"));
    let o = SearchOptions { units: Some(Units { max_dimensioned_constants: 0, ..reachable }), ..o };
    assert!(sdl_search::search(&Problem::plain(d, y), &o, &|_| {}, &stop).is_ok());
}
