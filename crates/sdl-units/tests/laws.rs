//! Dimension inference on textbook laws (with free constants solved for, the way `G` gets
//! `m^3/(kg*s^2)`), on formulas that violate the rules, and through custom operators.

use sdl_formula::{custom, parse, Formula, Node, Op};
use sdl_units::{infer, ConstMode, Dim, DimError, DimErrorKind, Inferred, Unit};

/// Parses `text`; the identifiers listed in `consts` become named free constants.
fn law(text: &str, consts: &[&str]) -> Formula {
    let f = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    let mut out = Formula { consts: f.consts.clone(), const_names: f.const_names.clone(), ..Formula::default() };
    let mut map = Vec::new();
    for v in &f.vars {
        if consts.contains(&v.as_str()) {
            out.consts.push(1.0);
            out.const_names.push(Some(v.clone()));
            map.push(Node::Const((out.consts.len() - 1) as u16));
        } else {
            out.vars.push(v.clone());
            map.push(Node::Var((out.vars.len() - 1) as u16));
        }
    }
    out.nodes = f
        .nodes
        .iter()
        .map(|n| match *n {
            Node::Var(i) => map[i as usize],
            other => other,
        })
        .collect();
    out
}

fn dim(text: &str) -> Dim {
    Unit::parse(text).unwrap_or_else(|e| panic!("{text}: {e}")).dim
}

/// The dimensions of `f.vars` from `(name, unit)` pairs; unlisted variables are unknown.
fn dims(f: &Formula, units: &[(&str, &str)]) -> Vec<Option<Dim>> {
    f.vars.iter().map(|v| units.iter().find(|(n, _)| n == v).map(|(_, u)| dim(u))).collect()
}

/// Infers `text` (named constants free) against `target`, expecting success.
fn ok(text: &str, consts: &[&str], units: &[(&str, &str)], target: &str) -> Inferred {
    let f = law(text, consts);
    let result = infer(&f, &dims(&f, units), ConstMode::NamedFree, Some(dim(target)));
    result.unwrap_or_else(|e| panic!("{text}: {e} at node {}", e.node))
}

/// The dimension constant `name` must take.
fn const_dim(text: &str, consts: &[&str], r: &Inferred, name: &str) -> Option<Dim> {
    let f = law(text, consts);
    let i = f.const_names.iter().position(|n| n.as_deref() == Some(name)).unwrap();
    r.consts[i]
}

fn err(text: &str, units: &[(&str, &str)], mode: ConstMode, target: Option<&str>) -> DimError {
    let f = law(text, &[]);
    match infer(&f, &dims(&f, units), mode, target.map(dim)) {
        Ok(r) => panic!("{text} is consistent: {r:?}"),
        Err(e) => e,
    }
}

#[test]
fn textbook_laws_are_consistent() {
    // (formula, free constants, variable units, target, expected dimension of each constant)
    type Case<'a> = (&'a str, &'a [&'a str], &'a [(&'a str, &'a str)], &'a str, &'a [(&'a str, &'a str)]);
    let cases: &[Case] = &[
        ("G * m1 * m2 / r^2", &["G"], &[("m1", "kg"), ("m2", "kg"), ("r", "m")], "N", &[("G", "m^3/(kg*s^2)")]),
        ("k * q1 * q2 / r^2", &["k"], &[("q1", "C"), ("q2", "C"), ("r", "m")], "N", &[("k", "N*m^2/C^2")]),
        ("0.5 * m * v^2", &[], &[("m", "kg"), ("v", "m/s")], "J", &[]),
        ("6.283185307179586 * sqrt(l / g)", &[], &[("l", "m"), ("g", "m/s^2")], "s", &[]),
        ("n * R * T / V", &["R"], &[("n", "mol"), ("T", "K"), ("V", "m^3")], "Pa", &[("R", "J/(mol*K)")]),
        ("h * f", &["h"], &[("f", "Hz")], "J", &[("h", "J*s")]),
        ("1 / sqrt(1 - v^2 / c^2)", &[], &[("v", "m/s"), ("c", "m/s")], "1", &[]),
        ("sigma * A * T^4", &["sigma"], &[("A", "m^2"), ("T", "K")], "W", &[("sigma", "W/(m^2*K^4)")]),
        ("-k * x", &["k"], &[("x", "m")], "N", &[("k", "N/m")]),
        ("6.283185307179586 * sqrt(a^3 / (G * M))", &[], &[("a", "m"), ("G", "m^3/(kg*s^2)"), ("M", "kg")], "s", &[]),
        ("sqrt(2 * G * M / r)", &[], &[("G", "m^3/(kg*s^2)"), ("M", "kg"), ("r", "m")], "m/s", &[]),
        ("V^2 / R", &[], &[("V", "V"), ("R", "Ohm")], "W", &[]),
        (
            "A * exp(-b * t) * cos(w * t)",
            &["A", "b", "w"],
            &[("t", "s")],
            "m",
            &[("A", "m"), ("b", "1/s"), ("w", "Hz")],
        ),
        ("C * (E * t^2 / rho)^(1/5)", &["C"], &[("E", "J"), ("t", "s"), ("rho", "kg/m^3")], "m", &[("C", "1")]),
        ("sqrt(gamma * P / rho)", &[], &[("gamma", "1"), ("P", "Pa"), ("rho", "kg/m^3")], "m/s", &[]),
        ("b / T", &["b"], &[("T", "K")], "m", &[("b", "m*K")]),
        (
            "P + 0.5 * rho * v^2 + rho * g * h",
            &[],
            &[("P", "Pa"), ("rho", "kg/m^3"), ("v", "m/s"), ("g", "m/s^2"), ("h", "m")],
            "Pa",
            &[],
        ),
        ("N0 * exp(-t / tau)", &[], &[("N0", "1"), ("t", "s"), ("tau", "s")], "1", &[]),
        ("q * v * B", &[], &[("q", "C"), ("v", "m/s"), ("B", "T")], "N", &[]),
        ("h * c / lambda", &[], &[("h", "J*s"), ("c", "m/s"), ("lambda", "nm")], "J", &[]),
        ("L0 * cbrt(1 + alpha * dT)^3", &["alpha"], &[("L0", "m"), ("dT", "K")], "m", &[("alpha", "1/K")]),
        ("max(x1, x2) - min(x1, x2) + abs(x1)", &[], &[("x1", "m"), ("x2", "km")], "m", &[]),
        ("ifelse(v - c, m * c^2, m * v^2)", &[], &[("v", "m/s"), ("c", "m/s"), ("m", "kg")], "J", &[]),
        ("cond(T, k * T)", &["k"], &[("T", "K")], "J", &[("k", "J/K")]),
    ];
    assert!(cases.len() >= 20);
    for &(text, consts, units, target, expected) in cases {
        let r = ok(text, consts, units, target);
        assert_eq!(r.dim, Some(dim(target)), "{text}");
        for (name, want) in expected {
            assert_eq!(const_dim(text, consts, &r, name), Some(dim(want)), "{text}: {name}");
        }
    }
}

#[test]
fn g_prints_as_the_brief_says() {
    let f = law("c0 * m1 * m2 / r^2", &["c0"]);
    let r = infer(&f, &dims(&f, &[("m1", "kg"), ("m2", "kg"), ("r", "m")]), ConstMode::Free, Some(dim("N"))).unwrap();
    assert_eq!(r.consts[1].map(|d| d.to_string()).as_deref(), Some("m^3/(kg*s^2)"));
    // The exponent 2 is a constant too; used as an exponent it must be dimensionless.
    assert_eq!(r.consts[0], Some(Dim::ONE));
    // Without a target the result depends on c0, which nothing fixes.
    let free = infer(&f, &dims(&f, &[("m1", "kg"), ("m2", "kg"), ("r", "m")]), ConstMode::Free, None).unwrap();
    assert_eq!((free.dim, free.consts[1]), (None, None));
}

#[test]
fn unknown_variables_are_solved_for() {
    let f = law("m * a", &[]);
    let r = infer(&f, &dims(&f, &[("m", "kg")]), ConstMode::Dimensionless, Some(dim("N"))).unwrap();
    assert_eq!(r.vars, vec![Some(dim("kg")), Some(dim("m/s^2"))]);
    let f = law("x + y * z", &[]);
    let r = infer(&f, &dims(&f, &[("x", "m"), ("y", "s")]), ConstMode::Dimensionless, None).unwrap();
    assert_eq!((r.dim, r.vars[2]), (Some(dim("m")), Some(dim("m/s"))));
    // sqrt(u) = m: u must be m^2; a seventh root leaves the grid.
    let f = law("sqrt(u)", &[]);
    let r = infer(&f, &[None], ConstMode::Dimensionless, Some(dim("m"))).unwrap();
    assert_eq!(r.vars[0], Some(dim("m^2")));
    let f = law("u^7", &[]);
    assert_eq!(
        infer(&f, &[None], ConstMode::Dimensionless, Some(dim("m"))).unwrap_err().kind,
        DimErrorKind::NotRepresentable
    );
}

#[test]
fn violations_point_at_the_node_with_both_sides() {
    let units: &[(&str, &str)] = &[("m", "kg"), ("r", "m"), ("t", "s")];
    let e = err("m + r", units, ConstMode::Dimensionless, None);
    assert_eq!(e.node, 2);
    assert_eq!(e.kind, DimErrorKind::Mismatch { op: Op::Add, left: dim("kg"), right: dim("m") });
    assert_eq!(e.to_string(), "`+` needs equal dimensions, found kg and m");
    let e = err("exp(r)", units, ConstMode::Dimensionless, None);
    assert_eq!((e.node, e.kind), (1, DimErrorKind::NotDimensionless { op: Op::Exp, found: dim("m") }));
    let e = err("r ^ m", units, ConstMode::Dimensionless, None);
    assert_eq!(e.node, 2);
    assert!(matches!(e.kind, DimErrorKind::NotDimensionless { op: Op::Pow, found } if found == dim("kg")));
    let e = err("r ^ (m / m)", units, ConstMode::Dimensionless, None);
    assert_eq!(e.kind, DimErrorKind::Exponent { base: dim("m"), exponent: None });
    let e = err("r ^ 2.7134", units, ConstMode::Dimensionless, None);
    assert_eq!(e.kind, DimErrorKind::Exponent { base: dim("m"), exponent: Some(2.7134) });
    let e = err("sin(t) * (r + t)", units, ConstMode::Dimensionless, None);
    assert_eq!(e.node, 1);
    let e = err("r * t", units, ConstMode::Dimensionless, Some("m"));
    assert_eq!((e.node, e.kind), (2, DimErrorKind::Target { found: dim("m*s"), target: dim("m") }));
    let e = err("greater(r, t)", units, ConstMode::Dimensionless, None);
    assert!(matches!(e.kind, DimErrorKind::Mismatch { op: Op::Greater, .. }));
    let e = err("ifelse(t, r, m)", units, ConstMode::Dimensionless, None);
    assert!(matches!(e.kind, DimErrorKind::Mismatch { op: Op::IfElse, .. }));
    // Dimensionless constants cannot stand in for G.
    let f = law("c0 * m1 * m2 / r^2", &["c0"]);
    let vd = dims(&f, &[("m1", "kg"), ("m2", "kg"), ("r", "m")]);
    let e = infer(&f, &vd, ConstMode::Dimensionless, Some(dim("N"))).unwrap_err();
    assert_eq!(e.kind, DimErrorKind::Target { found: dim("kg^2/m^2"), target: dim("N") });
    // A free constant fixed to metres by `+` cannot then be the argument of exp.
    let f = law("c + r + exp(c)", &["c"]);
    let e = infer(&f, &dims(&f, units), ConstMode::Free, None).unwrap_err();
    assert_eq!(e.node, 4);
    assert_eq!(e.kind, DimErrorKind::NotDimensionless { op: Op::Exp, found: dim("m") });
    // A plain number next to metres is an error unless numbers are free.
    let f = law("r + 1", &[]);
    assert!(infer(&f, &dims(&f, units), ConstMode::NamedFree, None).is_err());
    let r = infer(&f, &dims(&f, units), ConstMode::Free, None).unwrap();
    assert_eq!((r.dim, r.consts[0]), (Some(dim("m")), Some(dim("m"))));
}

#[test]
fn malformed_programs_are_errors() {
    let f = Formula { nodes: vec![Node::Op(Op::Add)], ..Formula::default() };
    assert_eq!(infer(&f, &[], ConstMode::Free, None).unwrap_err().kind, DimErrorKind::Malformed);
    let f = Formula { nodes: vec![Node::Const(3)], ..Formula::default() };
    assert_eq!(infer(&f, &[], ConstMode::Free, None).unwrap_err().kind, DimErrorKind::Malformed);
    let f = Formula { nodes: vec![], ..Formula::default() };
    assert_eq!(infer(&f, &[], ConstMode::Free, None).unwrap_err().kind, DimErrorKind::Malformed);
}

#[test]
fn custom_operators_are_inlined_and_errors_point_at_the_call() {
    let body = parse("0.5 * m * v^2").unwrap();
    let ke = custom::register("units_test_ke", &["m".into(), "v".into()], &body).unwrap();
    let f = Formula::apply(ke, vec![Formula::var("mass"), Formula::var("speed")]);
    let vd = dims(&f, &[("mass", "kg"), ("speed", "m/s")]);
    let r = infer(&f, &vd, ConstMode::Free, None).unwrap();
    assert_eq!(r.dim, Some(dim("J")));
    let lg = custom::register("units_test_lg", &["x".into()], &parse("log(x) + 1").unwrap()).unwrap();
    let f = Formula::apply(Op::Mul, vec![Formula::var("t"), Formula::apply(lg, vec![Formula::var("r")])]);
    let e = infer(&f, &dims(&f, &[("t", "s"), ("r", "m")]), ConstMode::Free, None).unwrap_err();
    assert_eq!(e.node, 2, "{e}");
    assert_eq!(e.kind, DimErrorKind::NotDimensionless { op: Op::Log, found: dim("m") });
    // The body's number stays dimensionless even when the formula's constants are free.
    let f = Formula::apply(lg, vec![Formula::var("q")]);
    let r = infer(&f, &[Some(Dim::ONE)], ConstMode::Free, None).unwrap();
    assert_eq!((r.dim, r.consts.len()), (Some(Dim::ONE), 0));
}
