//! The search's check agrees with full inference on random formulas: with no dimensioned
//! constants allowed it is inference with dimensionless constants, with any number allowed it is
//! inference with free constants, and in between it matches trying every set of constants by
//! brute force.

use sdl_formula::gen::random_formula;
use sdl_formula::op::BUILTIN_OPS;
use sdl_formula::rng::Rng;
use sdl_formula::{Formula, Op};
use sdl_units::{consistent, infer, ConstMode, Dim, DimChecker, Unit};

fn dim(text: &str) -> Dim {
    Unit::parse(text).unwrap().dim
}

fn vars() -> Vec<String> {
    ["m1", "m2", "r", "t", "x"].iter().map(|s| s.to_string()).collect()
}

/// Variable dimensions, the last one sometimes unknown.
fn var_dims(rng: &mut Rng) -> Vec<Option<Dim>> {
    let x = if rng.chance(0.5) { None } else { Some(Dim::ONE) };
    vec![Some(dim("kg")), Some(dim("kg")), Some(dim("m")), Some(dim("s")), x]
}

fn targets() -> Vec<Dim> {
    ["1", "kg", "m", "s", "N", "m/s", "kg^2/m^2", "m^(1/2)", "1/s^2"].iter().map(|t| dim(t)).collect()
}

/// Operators weighted toward the arithmetic that makes formulas consistent now and then.
fn ops() -> Vec<Op> {
    let mut ops = BUILTIN_OPS.to_vec();
    for _ in 0..4 {
        ops.extend([Op::Mul, Op::Div, Op::Add, Op::Sqrt, Op::Square]);
    }
    ops
}

fn ok(f: &Formula, vd: &[Option<Dim>], mode: ConstMode, target: Dim) -> bool {
    infer(f, vd, mode, Some(target)).is_ok()
}

/// Brute force: some set of at most `k` constants, made free (by naming them), gives a
/// consistent formula.
fn brute(f: &Formula, vd: &[Option<Dim>], target: Dim, k: usize) -> bool {
    let n = f.consts.len();
    (0u32..1 << n).filter(|s| s.count_ones() as usize <= k).any(|s| {
        let mut g = f.clone();
        g.const_names = (0..n).map(|i| (s >> i & 1 == 1).then(|| format!("c{i}"))).collect();
        ok(&g, vd, ConstMode::NamedFree, target)
    })
}

#[test]
fn agrees_with_inference_on_random_formulas() {
    let mut rng = Rng::new(2024);
    let mut checker = DimChecker::new();
    let (ops, targets, vars) = (ops(), targets(), vars());
    let mut counts = [0usize; 4];
    for _ in 0..20_000 {
        let size = 1 + rng.below(16);
        let f = random_formula(&mut rng, &vars, &ops, size);
        let vd = var_dims(&mut rng);
        let target = targets[rng.below(targets.len())];
        let dimensionless = ok(&f, &vd, ConstMode::Dimensionless, target);
        let free = ok(&f, &vd, ConstMode::Free, target);
        let c0 = checker.consistent(&f, &vd, target, 0);
        assert_eq!(c0, dimensionless, "{f} -> {target}, k = 0");
        let all = checker.consistent(&f, &vd, target, usize::MAX);
        assert_eq!(all, free, "{f} -> {target}, k = all");
        assert!(free || !dimensionless, "{f} -> {target}: free constants lost a solution");
        let mut previous = c0;
        for k in 1..=3 {
            let ck = checker.consistent(&f, &vd, target, k);
            assert!(ck || !previous, "{f} -> {target}: not monotone at k = {k}");
            if f.consts.len() <= 8 {
                assert_eq!(ck, brute(&f, &vd, target, k), "{f} -> {target}, k = {k}");
            }
            previous = ck;
        }
        assert_eq!(consistent(&f, &vd, target, 1), checker.consistent(&f, &vd, target, 1));
        counts[usize::from(dimensionless) * 2 + usize::from(free)] += 1;
    }
    // Inconsistent, consistent only with free constants, and consistent either way all occur, so
    // the comparison is not vacuous; consistent only with dimensionless constants never does.
    assert!(counts[0] > 50 && counts[1] > 50 && counts[3] > 50 && counts[2] == 0, "{counts:?}");
}

#[test]
fn the_number_of_dimensioned_constants_is_bounded() {
    let f = sdl_formula::parse("a * x + b * y").unwrap();
    // Variables a, b turned into constants 0 and 1 (a plain formula has numbers only).
    let g = Formula {
        nodes: f
            .nodes
            .iter()
            .map(|n| match *n {
                sdl_formula::Node::Var(0) => sdl_formula::Node::Const(0),
                sdl_formula::Node::Var(2) => sdl_formula::Node::Const(1),
                sdl_formula::Node::Var(1) => sdl_formula::Node::Var(0),
                sdl_formula::Node::Var(3) => sdl_formula::Node::Var(1),
                other => other,
            })
            .collect(),
        consts: vec![1.0, 1.0],
        const_names: vec![None, None],
        vars: vec!["x".into(), "y".into()],
    };
    assert_eq!(g.to_string().replace(' ', ""), "1*x+1*y");
    let vd = [Some(dim("m")), Some(dim("s"))];
    let t = dim("N");
    assert!(!consistent(&g, &vd, t, 0));
    assert!(!consistent(&g, &vd, t, 1));
    assert!(consistent(&g, &vd, t, 2));
    // One constant may carry a dimension when the other's term is already right.
    let vd = [Some(dim("N")), Some(dim("s"))];
    assert!(consistent(&g, &vd, t, 1));
    assert!(!consistent(&g, &vd, t, 0));
}
