//! Behaviour of the search driver at tiny scale: grammar, templates, determinism across
//! thread counts, stopping, warm starts, batching, losses and error reporting.

mod common;
use common::*;
use sdl_formula::{Formula, Op, OperatorSet};
use sdl_kernel::{Dataset, Loss};
use sdl_search::{search, Problem, SearchError, SearchOptions, StopReason, Template, TemplateFn};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

const ARITH: [Op; 4] = [Op::Add, Op::Sub, Op::Mul, Op::Div];

fn quick(seed: u64) -> SearchOptions {
    SearchOptions {
        niterations: 5,
        ncycles_per_iteration: 30,
        populations: 4,
        ..small_options(seed, ARITH.to_vec(), vec![])
    }
}

#[test]
fn every_reported_candidate_obeys_a_tight_grammar() {
    let set = OperatorSet {
        binary: vec![Op::Add, Op::Mul, Op::Div, Op::Pow],
        unary: vec![Op::Exp, Op::Sin],
        maxsize: 9,
        maxdepth: Some(4),
        constraints: vec![(Op::Pow, vec![None, Some(1)]), (Op::Div, vec![Some(3), Some(3)])],
        nested_constraints: vec![(Op::Exp, Op::Exp, 0), (Op::Sin, Op::Sin, 0), (Op::Exp, Op::Sin, 0)],
        ..OperatorSet::default()
    };
    let (d, y) = data(&[("x", 0.1, 2.0), ("z", 0.1, 2.0)], 50, 3, &|v| (v[0] * v[1]).exp() + v[0].sin());
    let o = SearchOptions { operators: set.clone(), niterations: 20, ..quick(3) };
    let seen = Mutex::new(Vec::new());
    let stop = AtomicBool::new(false);
    let res = search(&Problem::plain(d, y), &o, &|p| seen.lock().unwrap().extend(p.pareto.clone()), &stop).unwrap();
    let mut n = 0;
    for e in res.hall_of_fame.iter().chain(seen.lock().unwrap().iter()) {
        assert!(set.check(&e.formula).is_ok(), "{:?} violates {:?}", e.formula, set.check(&e.formula));
        n += 1;
    }
    assert!(n > 20, "{n}");
}

#[test]
fn template_functions_see_only_their_arguments() {
    // y ~ f(x1, x2) + g(x3) * x1 with a decoy column x4 that correlates with the target.
    let law = |v: &[f64]| (v[0] + v[1]) + v[2] * v[2] * v[0];
    let (mut d, y) = data(&[("x1", 1.0, 3.0), ("x2", 1.0, 3.0), ("x3", 1.0, 3.0)], 100, 4, &law);
    let mut cols: Vec<Vec<f64>> = (0..3).map(|i| d.column(i).to_vec()).collect();
    cols.push(y.iter().map(|t| t * 1.01).collect());
    d = Dataset::new(vec!["x1".into(), "x2".into(), "x3".into(), "x4".into()], cols).unwrap();
    let outer = Formula::apply(
        Op::Add,
        vec![Formula::var("f"), Formula::apply(Op::Mul, vec![Formula::var("g"), Formula::var("x1")])],
    );
    let template = Template {
        outer,
        functions: vec![
            TemplateFn { name: "f".into(), args: vec!["x1".into(), "x2".into()] },
            TemplateFn { name: "g".into(), args: vec!["x3".into()] },
        ],
    };
    let o = SearchOptions { niterations: 40, loss_threshold: Some(1e-20), ..quick(4) };
    let problem = Problem { data: d, target: y.clone(), weights: None, template };
    let res = run(&problem, &o);
    for e in &res.hall_of_fame {
        assert_eq!(e.functions.len(), 2);
        let f = e.functions[0].1.used_vars();
        let g = e.functions[1].1.used_vars();
        assert!(f.iter().all(|v| v == "x1" || v == "x2"), "f uses {f:?}");
        assert!(g.iter().all(|v| v == "x3"), "g uses {g:?}");
        assert!(!e.formula.used_vars().contains(&"x4".to_string()));
    }
    let best = res.accuracy().unwrap();
    assert!(best.loss < 1e-12, "template law not found: loss {}", best.loss);

    // The checkpoint carries one column per function, and a warm start from it resumes.
    let rows = sdl_search::hall_of_fame::parse_csv(&res.to_csv()).unwrap();
    assert!(rows.iter().all(|r| r.functions.len() == 2 && r.functions[1].0 == "g"));
    let path = std::env::temp_dir().join(format!("sdl-search-template-{}.csv", std::process::id()));
    std::fs::write(&path, res.to_csv()).unwrap();
    let o2 = SearchOptions { niterations: 1, ncycles_per_iteration: 1, warm_start: Some(path.clone()), ..quick(5) };
    let again = run(&problem, &o2);
    std::fs::remove_file(&path).ok();
    assert!(again.accuracy().unwrap().loss <= best.loss * (1.0 + 1e-9) + 1e-30);
}

#[test]
fn one_seed_gives_the_same_hall_of_fame_at_one_and_two_threads() {
    let (d, y) = data(&[("a", 0.5, 2.0), ("b", 0.5, 2.0)], 60, 5, &|v| v[0] * v[0] / v[1] + 1.5);
    let problem = Problem::plain(d, y);
    let o = SearchOptions { niterations: 6, batching: true, batch_size: 20, ..quick(42) };
    let csv = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| run(&problem, &o).to_csv())
    };
    let one = csv(1);
    let two = csv(2);
    assert!(one.lines().count() > 3, "{one}");
    assert_eq!(one, two);
    assert_eq!(one, csv(2));
}

#[test]
fn stop_flag_returns_best_so_far() {
    let (d, y) = data(&[("x", 0.0, 1.0)], 40, 6, &|v| v[0] * v[0] + 0.3);
    let o = SearchOptions { niterations: 1000, ..quick(6) };
    let stop = AtomicBool::new(false);
    let calls = AtomicUsize::new(0);
    let res = search(
        &Problem::plain(d, y),
        &o,
        &|p| {
            calls.fetch_add(1, Ordering::SeqCst);
            assert!(!p.pareto.is_empty());
            if p.iteration == 2 {
                stop.store(true, Ordering::SeqCst);
            }
        },
        &stop,
    )
    .unwrap();
    assert!(res.stopped_early);
    assert_eq!(res.stop_reason, StopReason::Interrupted);
    assert_eq!(res.iterations, 2);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert!(res.best().is_some());
}

#[test]
fn max_evals_and_loss_threshold_stop_the_search() {
    let (d, y) = data(&[("x", 0.0, 1.0)], 40, 7, &|v| 2.0 * v[0]);
    let o = SearchOptions { niterations: 1000, max_evals: Some(3000), ..quick(7) };
    let res = run(&Problem::plain(d.clone(), y.clone()), &o);
    assert_eq!(res.stop_reason, StopReason::MaxEvals);
    assert!(res.iterations < 1000);
    let o = SearchOptions { niterations: 1000, loss_threshold: Some(1e-20), ..quick(7) };
    let res = run(&Problem::plain(d, y), &o);
    assert_eq!(res.stop_reason, StopReason::LossThreshold);
    assert!(res.accuracy().unwrap().loss <= 1e-20);
}

#[test]
fn warm_start_resumes_from_the_checkpoint() {
    let dir = std::env::temp_dir().join(format!("sdl-search-warm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("hof.csv");
    let (d, y) = data(&[("x", 0.5, 2.0), ("z", 0.5, 2.0)], 50, 8, &|v| v[0] * v[1] * v[1] + v[0]);
    let problem = Problem::plain(d, y);
    let o = SearchOptions { niterations: 8, hof_csv: Some(path.clone()), ..quick(8) };
    let first = run(&problem, &o);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, first.to_csv());
    assert!(text.starts_with("complexity,loss,score,equation\n"));
    // One short iteration from the checkpoint is at least as good as the whole first run.
    let o2 =
        SearchOptions { niterations: 1, ncycles_per_iteration: 1, hof_csv: None, warm_start: Some(path), ..quick(9) };
    let second = run(&problem, &o2);
    let a = first.accuracy().unwrap().loss;
    let b = second.accuracy().unwrap().loss;
    assert!(b <= a * (1.0 + 1e-9) + 1e-30, "warm start lost ground: {b} > {a}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn batching_scores_the_hall_of_fame_on_all_rows() {
    let (d, y) = data(&[("x", 0.0, 2.0)], 200, 10, &|v| v[0] * v[0] * v[0]);
    let o = SearchOptions { batching: true, batch_size: 16, niterations: 10, ..quick(10) };
    let res = run(&Problem::plain(d.clone(), y.clone()), &o);
    for e in &res.hall_of_fame {
        let (pred, _) = sdl_kernel::eval(&e.formula, &d);
        let full = sdl_kernel::loss_value(&pred, &y, None, &Loss::L2);
        assert!((full - e.loss).abs() <= 1e-9 * full.max(1e-12), "{} vs {}", full, e.loss);
    }
}

#[test]
fn other_losses_and_weights_run() {
    let (d, y) = data(&[("x", 0.0, 2.0)], 60, 11, &|v| 3.0 * v[0] + 1.0);
    let w: Vec<f64> = (0..60).map(|i| 1.0 + (i % 3) as f64).collect();
    let custom =
        Formula::apply(Op::Abs, vec![Formula::apply(Op::Sub, vec![Formula::var("pred"), Formula::var("target")])]);
    for loss in [Loss::L1, Loss::Huber(1.0), Loss::Custom(custom)] {
        let o = SearchOptions { loss: loss.clone(), niterations: 8, ..quick(11) };
        let mut p = Problem::plain(d.clone(), y.clone());
        p.weights = Some(w.clone());
        let res = run(&p, &o);
        assert!(res.accuracy().unwrap().loss < 1e-3, "{loss:?}: {}", res.accuracy().unwrap().loss);
    }
}

#[test]
fn bad_problems_are_reported_with_names() {
    let (d, y) = data(&[("x", 0.0, 1.0)], 10, 12, &|v| v[0]);
    let o = quick(12);
    let stop = AtomicBool::new(false);
    let err = |p: &Problem, o: &SearchOptions| search(p, o, &|_| {}, &stop).unwrap_err();

    let mut p = Problem::plain(d.clone(), y.clone());
    p.template.functions[0].args.push("nope".into());
    assert_eq!(err(&p, &o), SearchError::UnknownArgument { function: "f".into(), variable: "nope".into() });
    assert!(err(&p, &o).to_string().contains("nope"));

    let mut bad = d.column(0).to_vec();
    bad[3] = f64::NAN;
    bad[7] = f64::INFINITY;
    let nd = Dataset::new(vec!["x".into()], vec![bad]).unwrap();
    assert_eq!(
        err(&Problem::plain(nd, y.clone()), &o),
        SearchError::NonFinite { column: "x".into(), rows: vec![3, 7] }
    );

    let empty = Dataset::new(vec!["x".into()], vec![vec![]]).unwrap();
    assert_eq!(err(&Problem::plain(empty, vec![]), &o), SearchError::ZeroRows);
    assert_eq!(err(&Problem::plain(d.clone(), vec![1.0]), &o), SearchError::TargetLength { rows: 10, target: 1 });

    let bad_set = SearchOptions { operators: OperatorSet { maxsize: 0, ..OperatorSet::default() }, ..quick(12) };
    assert!(matches!(err(&Problem::plain(d.clone(), y.clone()), &bad_set), SearchError::InvalidOptions(_)));

    let mut p = Problem::plain(d, y);
    p.template.outer = Formula::var("h");
    assert_eq!(err(&p, &o), SearchError::UnknownOuterVariable { variable: "h".into() });
}

#[test]
fn exports_cover_the_selected_and_every_pareto_law() {
    use sdl_search::{export_best, export_document, export_pareto, ExportFormat};
    let (d, y) = data(&[("x", 0.5, 2.0)], 40, 13, &|v| v[0] * v[0] + 1.0);
    let res = run(&Problem::plain(d, y), &quick(13));
    for fmt in [ExportFormat::Latex, ExportFormat::Sympy, ExportFormat::Numpy, ExportFormat::Rust] {
        let best = export_best(&res, fmt).unwrap();
        assert!(best.selected && !best.source.is_empty());
        let all = export_pareto(&res, fmt);
        assert_eq!(all.len(), res.pareto().len());
        assert_eq!(all.iter().filter(|e| e.selected).count(), 1);
        let doc = export_document(&res, fmt);
        assert!(doc.contains(&best.source), "{fmt:?}: {doc}");
    }
}

#[test]
fn timeout_stops_with_best_so_far() {
    let (d, y) = data(&[("x", 0.0, 1.0), ("z", 0.0, 1.0)], 40, 14, &|v| (v[0] * 3.1).sin() * v[1] + 0.3);
    let o = SearchOptions { niterations: 1_000_000, timeout: Some(std::time::Duration::from_millis(300)), ..quick(14) };
    let t = std::time::Instant::now();
    let res = run(&Problem::plain(d, y), &o);
    // A generous bound: a million iterations would take hours, so this only fails if the
    // timeout is ignored, not on a slow machine.
    assert!(t.elapsed() < std::time::Duration::from_secs(60));
    assert_eq!(res.stop_reason, StopReason::Timeout);
    assert!(res.stopped_early && res.best().is_some());
}

#[test]
fn annealing_and_parsimony_settings_run_and_find_a_simple_law() {
    let (d, y) = data(&[("x", 0.5, 2.0), ("z", 0.5, 2.0)], 50, 15, &|v| v[0] * v[1]);
    let o = SearchOptions { annealing: true, parsimony: 0.001, niterations: 15, ..quick(15) };
    let res = run(&Problem::plain(d, y), &o);
    let best = res.best().unwrap();
    assert!(best.loss < 1e-20 && best.complexity == 3, "{} {}", best.formula, best.loss);
}
