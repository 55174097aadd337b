//! Unit parsing: a table of strings with their dimensions and scales (prefixes, long names,
//! SI's ambiguity cases, every operator spelling), errors with spans and suggestions, header
//! splitting, Display -> parse round trips, and garbage input that must never panic.

use sdl_formula::rng::Rng;
use sdl_units::{header_unit, Dim, Unit, UnitErrorKind};

/// `[m, kg, s, A, K, mol, cd]` integer exponents.
fn d(exps: [i32; 7]) -> Dim {
    Dim::from_ints(exps).unwrap()
}

const M: [i32; 7] = [1, 0, 0, 0, 0, 0, 0];
const KG: [i32; 7] = [0, 1, 0, 0, 0, 0, 0];
const S: [i32; 7] = [0, 0, 1, 0, 0, 0, 0];
const ONE: [i32; 7] = [0; 7];

fn check(text: &str, dim: Dim, scale: f64) {
    let u = Unit::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    assert_eq!(u.dim, dim, "{text:?}: dimension {}", u.dim);
    let rel = (u.scale - scale).abs() / scale.abs().max(1e-300);
    assert!(rel < 1e-12, "{text:?}: scale {} want {scale}", u.scale);
}

#[test]
fn a_table_of_units() {
    let force = d([1, 1, -2, 0, 0, 0, 0]);
    let energy = d([2, 1, -2, 0, 0, 0, 0]);
    let speed = d([1, 0, -1, 0, 0, 0, 0]);
    let cases: Vec<(&str, Dim, f64)> = vec![
        // Base units and the gram.
        ("m", d(M), 1.0),
        ("kg", d(KG), 1.0),
        ("g", d(KG), 1e-3),
        ("s", d(S), 1.0),
        ("A", d([0, 0, 0, 1, 0, 0, 0]), 1.0),
        ("K", d([0, 0, 0, 0, 1, 0, 0]), 1.0),
        ("mol", d([0, 0, 0, 0, 0, 1, 0]), 1.0),
        ("cd", d([0, 0, 0, 0, 0, 0, 1]), 1.0),
        // Prefixes.
        ("km", d(M), 1e3),
        ("mm", d(M), 1e-3),
        ("cm", d(M), 1e-2),
        ("dm", d(M), 1e-1),
        ("dam", d(M), 10.0),
        ("hPa", d([-1, 1, -2, 0, 0, 0, 0]), 100.0),
        ("um", d(M), 1e-6),
        ("µm", d(M), 1e-6),
        ("μm", d(M), 1e-6),
        ("nm", d(M), 1e-9),
        ("pm", d(M), 1e-12),
        ("fm", d(M), 1e-15),
        ("Mm", d(M), 1e6),
        ("Gm", d(M), 1e9),
        ("Tm", d(M), 1e12),
        ("mg", d(KG), 1e-6),
        ("Mg", d(KG), 1e3),
        ("ms", d(S), 1e-3),
        ("ns", d(S), 1e-9),
        ("kN", force, 1e3),
        ("MeV", energy, 1.602_176_634e-13),
        ("keV", energy, 1.602_176_634e-16),
        ("mL", d([3, 0, 0, 0, 0, 0, 0]), 1e-6),
        ("kWh", energy, 3.6e6),
        ("kOhm", d([2, 1, -3, -2, 0, 0, 0]), 1e3),
        ("MΩ", d([2, 1, -3, -2, 0, 0, 0]), 1e6),
        ("Mpc", d(M), 3.085_677_581_491_367e22),
        ("mmol", d([0, 0, 0, 0, 0, 1, 0]), 1e-3),
        // Ambiguity: a whole name beats a prefix reading.
        ("min", d(S), 60.0),
        ("Pa", d([-1, 1, -2, 0, 0, 0, 0]), 1.0),
        ("h", d(S), 3600.0),
        ("d", d(S), 86_400.0),
        ("T", d([0, 1, -2, -1, 0, 0, 0]), 1.0),
        ("Gy", d([2, 0, -2, 0, 0, 0, 0]), 1.0),
        ("mT", d([0, 1, -2, -1, 0, 0, 0]), 1e-3),
        // Derived units.
        ("N", force, 1.0),
        ("J", energy, 1.0),
        ("W", d([2, 1, -3, 0, 0, 0, 0]), 1.0),
        ("C", d([0, 0, 1, 1, 0, 0, 0]), 1.0),
        ("V", d([2, 1, -3, -1, 0, 0, 0]), 1.0),
        ("F", d([-2, -1, 4, 2, 0, 0, 0]), 1.0),
        ("Ohm", d([2, 1, -3, -2, 0, 0, 0]), 1.0),
        ("Ω", d([2, 1, -3, -2, 0, 0, 0]), 1.0),
        ("Wb", d([2, 1, -2, -1, 0, 0, 0]), 1.0),
        ("H", d([2, 1, -2, -2, 0, 0, 0]), 1.0),
        ("Hz", d([0, 0, -1, 0, 0, 0, 0]), 1.0),
        ("eV", energy, 1.602_176_634e-19),
        ("L", d([3, 0, 0, 0, 0, 0, 0]), 1e-3),
        ("yr", d(S), 31_557_600.0),
        ("au", d(M), 149_597_870_700.0),
        ("bar", d([-1, 1, -2, 0, 0, 0, 0]), 1e5),
        // Long names, plural, capitalised, prefixed.
        ("meter", d(M), 1.0),
        ("metres", d(M), 1.0),
        ("seconds", d(S), 1.0),
        ("kilogram", d(KG), 1.0),
        ("Newton", force, 1.0),
        ("joules", energy, 1.0),
        ("kilometres", d(M), 1e3),
        ("milliseconds", d(S), 1e-3),
        ("hours", d(S), 3600.0),
        // Products, quotients and powers in every spelling.
        ("m/s", speed, 1.0),
        ("m s^-1", speed, 1.0),
        ("m*s^-1", speed, 1.0),
        ("m·s⁻¹", speed, 1.0),
        ("m.s-1", speed, 1.0),
        ("m s-1", speed, 1.0),
        ("km/h", speed, 1000.0 / 3600.0),
        ("kg*m/s^2", force, 1.0),
        ("kg m s^-2", force, 1.0),
        ("kg*m/s**2", force, 1.0),
        ("kg m / s²", force, 1.0),
        ("kg/m/s", d([-1, 1, -1, 0, 0, 0, 0]), 1.0),
        ("kg/(m*s)", d([-1, 1, -1, 0, 0, 0, 0]), 1.0),
        ("J/kg K", d([2, 0, -2, 0, 1, 0, 0]), 1.0),
        ("J/(kg K)", d([2, 0, -2, 0, -1, 0, 0]), 1.0),
        ("W/(m^2*K^4)", d([0, 1, -3, 0, -4, 0, 0]), 1.0),
        ("m^3/(kg*s^2)", d([3, -1, -2, 0, 0, 0, 0]), 1.0),
        ("m2", d([2, 0, 0, 0, 0, 0, 0]), 1.0),
        ("cm^3", d([3, 0, 0, 0, 0, 0, 0]), 1e-6),
        ("(m/s)^2", d([2, 0, -2, 0, 0, 0, 0]), 1.0),
        ("((m))", d(M), 1.0),
        ("m^(1/2)", Dim::LENGTH.sqrt().unwrap(), 1.0),
        ("m^0.5", Dim::LENGTH.sqrt().unwrap(), 1.0),
        ("m^(-3/2)", Dim::LENGTH.checked_pow(-3, 2).unwrap(), 1.0),
        ("km^(1/2)", Dim::LENGTH.sqrt().unwrap(), 1e3f64.sqrt()),
        ("m^+2", d([2, 0, 0, 0, 0, 0, 0]), 1.0),
        // Dimensionless spellings and scales.
        ("", d(ONE), 1.0),
        ("  ", d(ONE), 1.0),
        ("1", d(ONE), 1.0),
        ("-", d(ONE), 1.0),
        ("dimensionless", d(ONE), 1.0),
        ("rad", d(ONE), 1.0),
        ("%", d(ONE), 0.01),
        ("deg", d(ONE), std::f64::consts::PI / 180.0),
        ("1/s", d([0, 0, -1, 0, 0, 0, 0]), 1.0),
        ("1e-3 m", d(M), 1e-3),
        ("10^3 m", d(M), 1e3),
        ("2eV", energy, 2.0 * 1.602_176_634e-19),
        ("m/m", d(ONE), 1.0),
    ];
    assert!(cases.len() > 100);
    for (text, dim, scale) in cases {
        check(text, dim, scale);
    }
}

fn error(text: &str) -> sdl_units::UnitError {
    match Unit::parse(text) {
        Ok(u) => panic!("{text:?} parsed as {u}"),
        Err(e) => e,
    }
}

#[test]
fn errors_carry_spans_and_suggestions() {
    let e = error("kg*meterz/s");
    assert_eq!(e.span, 3..9);
    assert_eq!(e.kind, UnitErrorKind::Unknown { name: "meterz".into(), suggestion: Some("meter".into()) });
    assert_eq!(e.to_string(), "unknown unit `meterz`; did you mean `meter`?");
    let suggest = |text: &str| match error(text).kind {
        UnitErrorKind::Unknown { suggestion, .. } => suggestion,
        other => panic!("{text:?}: {other:?}"),
    };
    assert_eq!(suggest("KG").as_deref(), Some("kg"));
    assert_eq!(suggest("secnd").as_deref(), Some("second"));
    assert_eq!(suggest("newtons_").as_deref(), Some("newton"));
    assert_eq!(suggest("kilometr").as_deref(), Some("kilometre"));
    assert_eq!(suggest("Hzz").as_deref(), Some("Hz"));
    assert_eq!(suggest("xyzzyplugh"), None);
    assert!(matches!(error("°C").kind, UnitErrorKind::Affine { .. }));
    assert!(matches!(error("degC").kind, UnitErrorKind::Affine { .. }));
    assert_eq!(error("m^1/2").kind, UnitErrorKind::AmbiguousExponent);
    assert_eq!(error("m^1/2").span, 2..5);
    assert_eq!(error("m^(1/7)").kind, UnitErrorKind::NotRepresentable);
    assert_eq!(error("m^0.333").kind, UnitErrorKind::NotRepresentable);
    assert_eq!(error("m^100000").kind, UnitErrorKind::NotRepresentable);
    assert_eq!(error("0 m").kind, UnitErrorKind::BadNumber);
    assert_eq!(error("1e999 m").kind, UnitErrorKind::BadNumber);
    let e = error("(m/s");
    assert!(matches!(e.kind, UnitErrorKind::Unexpected { expected: "`)`", .. }), "{e:?}");
    assert_eq!(e.span, 4..4);
    assert!(matches!(error("m)").kind, UnitErrorKind::Unexpected { .. }));
    assert!(matches!(error("m^").kind, UnitErrorKind::Unexpected { expected: "an exponent", .. }));
    assert!(matches!(error("m//s").kind, UnitErrorKind::Unexpected { expected: "a unit", .. }));
    let e = error("m $ s");
    assert_eq!(e.span, 2..3);
    assert_eq!(error(&"(".repeat(40)).kind, UnitErrorKind::TooDeep);
}

#[test]
fn headers_split_into_name_and_unit() {
    let (name, unit) = header_unit("r [m]").unwrap();
    assert_eq!((name, unit.unwrap()), ("r", Unit::si(Dim::LENGTH)));
    let (name, unit) = header_unit("v [m/s]").unwrap();
    assert_eq!((name, unit.unwrap().dim), ("v", Dim::LENGTH / Dim::TIME));
    let (name, unit) = header_unit("F [kg*m/s^2]").unwrap();
    assert_eq!((name, unit.unwrap().dim.si_name()), ("F", Some("N")));
    let (name, unit) = header_unit("E[J] ").unwrap();
    assert_eq!((name, unit.unwrap().dim.si_name()), ("E", Some("J")));
    let (name, unit) = header_unit("mass (kg)").unwrap();
    assert_eq!((name, unit.unwrap().dim), ("mass", Dim::MASS));
    let (name, unit) = header_unit("ratio []").unwrap();
    assert_eq!((name, unit.unwrap()), ("ratio", Unit::ONE));
    let (name, unit) = header_unit("t [ms]").unwrap();
    assert_eq!((name, unit.unwrap().scale), ("t", 1e-3));
    assert_eq!(header_unit("x"), None);
    assert_eq!(header_unit("f(x)"), None);
    assert_eq!(header_unit("f (x)"), None);
    let (name, unit) = header_unit("x [meterz]").unwrap();
    assert_eq!(name, "x");
    let e = unit.unwrap_err();
    assert_eq!(e.span, 3..9);
    assert_eq!(&"x [meterz]"[e.span], "meterz");
}

#[test]
fn display_parses_back() {
    let mut rng = Rng::new(7);
    for _ in 0..2000 {
        let mut raw = [0i16; 7];
        for r in raw.iter_mut() {
            if rng.chance(0.5) {
                *r = [-120, -60, -30, -20, 12, 15, 20, 30, 60, 90, 120, 180, 240][rng.below(13)];
            }
        }
        let dim = Dim::from_raw(raw);
        let text = dim.to_string();
        assert_eq!(Unit::parse(&text).map(|u| u.dim), Ok(dim), "{text}");
        let unit = Unit { dim, scale: [1.0, 1e-3, 60.0, 0.3048, 1.602_176_634e-19][rng.below(5)] };
        assert_eq!(Unit::parse(&unit.to_string()), Ok(unit), "{unit}");
    }
}

#[test]
fn garbage_never_panics() {
    let alphabet: Vec<char> = "mkgsAKcdolNJWPaHzVΩµμ²³⁻¹ ()*/^.-+·0123456789eE%°[]_xyz\u{0}\u{301}🙂".chars().collect();
    let mut rng = Rng::new(1);
    let mut parsed = 0;
    for i in 0..20_000 {
        let len = rng.below(24);
        let text: String = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
        if let Ok(u) = Unit::parse(&text) {
            parsed += 1;
            assert!(u.scale.is_finite() && u.scale > 0.0, "{text:?}");
        } else if let Err(e) = Unit::parse(&text) {
            assert!(e.span.start <= e.span.end && e.span.end <= text.len(), "{text:?}: {e:?}");
            assert!(text.is_char_boundary(e.span.start) && text.is_char_boundary(e.span.end), "{text:?}");
            let _ = e.to_string();
        }
        let _ = header_unit(&format!("c{i} [{text}]"));
    }
    assert!(parsed > 100, "only {parsed} of the random strings parsed");
    for text in ["^", "**", "m^(", "m^(1/", "m^(1/0)", "m^(-)", "⁻", "m⁻", "1e", "..", "m^99999999999999999999"] {
        let _ = Unit::parse(text);
    }
}
