//! The known units and prefixes, and name lookup with SI's ambiguity rules and suggestions.
//!
//! In: one unit name as written (`km`, `kilometre`, `µs`, `Pa`, `min`). Out: its dimension and
//! SI scale factor, or nothing (then [`suggest`] finds the closest known name).
//! Always true: a name that is itself a unit wins over a prefix reading (`m` is metre, `min`
//! minute, `Pa` pascal not peta-annum, `cd` candela not centi-day, `h` hour, `d` day, `T`
//! tesla); otherwise the longest prefix that leaves a prefixable unit applies (`da` before `d`).
//! Symbols are case-sensitive (`mm` vs `Mm`); long names (`Newton`, `kilometres`) are not, and
//! may be plural.

use crate::Dim;
use std::f64::consts::PI;

/// One known unit: its symbols, long names, dimension (integer exponents in storage order
/// `[m, kg, s, A, K, mol, cd]`), SI scale and whether SI prefixes apply.
pub(crate) struct UnitDef {
    pub symbols: &'static [&'static str],
    pub names: &'static [&'static str],
    pub exps: [i32; 7],
    pub scale: f64,
    pub prefix: bool,
}

const fn def(
    symbols: &'static [&'static str],
    names: &'static [&'static str],
    exps: [i32; 7],
    scale: f64,
    prefix: bool,
) -> UnitDef {
    UnitDef { symbols, names, exps, scale, prefix }
}

const ONE: [i32; 7] = [0; 7];
const E: f64 = 1.602_176_634e-19;

/// Every unit the parser knows. SI base and derived units take prefixes; so do eV, L, bar, Wh,
/// cal, pc, yr and Da. Time beyond the second (`min`, `h`, `d`, `day`) and the astronomical units
/// `au` and `ly` do not. `yr` is the Julian year (365.25 d). Imperial units are left out.
pub(crate) static UNITS: &[UnitDef] = &[
    def(&["m"], &["metre", "meter"], [1, 0, 0, 0, 0, 0, 0], 1.0, true),
    def(&["g"], &["gram", "gramme"], [0, 1, 0, 0, 0, 0, 0], 1e-3, true),
    def(&["s", "sec"], &["second"], [0, 0, 1, 0, 0, 0, 0], 1.0, true),
    def(&["A"], &["ampere", "amp"], [0, 0, 0, 1, 0, 0, 0], 1.0, true),
    def(&["K"], &["kelvin"], [0, 0, 0, 0, 1, 0, 0], 1.0, true),
    def(&["mol"], &["mole"], [0, 0, 0, 0, 0, 1, 0], 1.0, true),
    def(&["cd"], &["candela"], [0, 0, 0, 0, 0, 0, 1], 1.0, true),
    def(&["rad"], &["radian"], ONE, 1.0, true),
    def(&["sr"], &["steradian"], ONE, 1.0, false),
    def(&["deg", "°"], &["degree"], ONE, PI / 180.0, false),
    def(&["%"], &["percent"], ONE, 0.01, false),
    def(&[], &["dimensionless", "unitless"], ONE, 1.0, false),
    def(&["Hz"], &["hertz"], [0, 0, -1, 0, 0, 0, 0], 1.0, true),
    def(&["N"], &["newton"], [1, 1, -2, 0, 0, 0, 0], 1.0, true),
    def(&["Pa"], &["pascal"], [-1, 1, -2, 0, 0, 0, 0], 1.0, true),
    def(&["J"], &["joule"], [2, 1, -2, 0, 0, 0, 0], 1.0, true),
    def(&["W"], &["watt"], [2, 1, -3, 0, 0, 0, 0], 1.0, true),
    def(&["C"], &["coulomb"], [0, 0, 1, 1, 0, 0, 0], 1.0, true),
    def(&["V"], &["volt"], [2, 1, -3, -1, 0, 0, 0], 1.0, true),
    def(&["F"], &["farad"], [-2, -1, 4, 2, 0, 0, 0], 1.0, true),
    def(&["Ω", "\u{2126}", "Ohm"], &["ohm"], [2, 1, -3, -2, 0, 0, 0], 1.0, true),
    def(&["S"], &["siemens"], [-2, -1, 3, 2, 0, 0, 0], 1.0, true),
    def(&["Wb"], &["weber"], [2, 1, -2, -1, 0, 0, 0], 1.0, true),
    def(&["T"], &["tesla"], [0, 1, -2, -1, 0, 0, 0], 1.0, true),
    def(&["H"], &["henry"], [2, 1, -2, -2, 0, 0, 0], 1.0, true),
    def(&["Bq"], &["becquerel"], [0, 0, -1, 0, 0, 0, 0], 1.0, true),
    def(&["Gy"], &["gray"], [2, 0, -2, 0, 0, 0, 0], 1.0, true),
    def(&["Sv"], &["sievert"], [2, 0, -2, 0, 0, 0, 0], 1.0, true),
    def(&["kat"], &["katal"], [0, 0, -1, 0, 0, 1, 0], 1.0, true),
    def(&["lm"], &["lumen"], [0, 0, 0, 0, 0, 0, 1], 1.0, true),
    def(&["lx"], &["lux"], [-2, 0, 0, 0, 0, 0, 1], 1.0, true),
    def(&["eV"], &["electronvolt"], [2, 1, -2, 0, 0, 0, 0], E, true),
    def(&["Wh"], &["watthour"], [2, 1, -2, 0, 0, 0, 0], 3600.0, true),
    def(&["cal"], &["calorie"], [2, 1, -2, 0, 0, 0, 0], 4.184, true),
    def(&["erg"], &["erg"], [2, 1, -2, 0, 0, 0, 0], 1e-7, false),
    def(&["dyn"], &["dyne"], [1, 1, -2, 0, 0, 0, 0], 1e-5, false),
    def(&["L", "l"], &["litre", "liter"], [3, 0, 0, 0, 0, 0, 0], 1e-3, true),
    def(&["bar"], &["bar"], [-1, 1, -2, 0, 0, 0, 0], 1e5, true),
    def(&["atm"], &["atmosphere"], [-1, 1, -2, 0, 0, 0, 0], 101_325.0, false),
    def(&["t"], &["tonne"], [0, 1, 0, 0, 0, 0, 0], 1e3, false),
    def(&["Da", "amu"], &["dalton"], [0, 1, 0, 0, 0, 0, 0], 1.660_539_066_60e-27, true),
    def(&["Å", "\u{212b}"], &["angstrom"], [1, 0, 0, 0, 0, 0, 0], 1e-10, false),
    def(&["au", "AU"], &["astronomical_unit"], [1, 0, 0, 0, 0, 0, 0], 149_597_870_700.0, false),
    def(&["ly"], &["lightyear", "light_year"], [1, 0, 0, 0, 0, 0, 0], 9_460_730_472_580_800.0, false),
    def(&["pc"], &["parsec"], [1, 0, 0, 0, 0, 0, 0], 3.085_677_581_491_367e16, true),
    def(&["min"], &["minute"], [0, 0, 1, 0, 0, 0, 0], 60.0, false),
    def(&["h", "hr"], &["hour"], [0, 0, 1, 0, 0, 0, 0], 3600.0, false),
    def(&["d"], &["day"], [0, 0, 1, 0, 0, 0, 0], 86_400.0, false),
    def(&["yr"], &["year"], [0, 0, 1, 0, 0, 0, 0], 31_557_600.0, true),
];

/// SI prefixes: symbols (longest first where one extends another) and long names.
static PREFIXES: &[(&str, &str, f64)] = &[
    ("da", "deca", 1e1),
    ("Q", "quetta", 1e30),
    ("R", "ronna", 1e27),
    ("Y", "yotta", 1e24),
    ("Z", "zetta", 1e21),
    ("E", "exa", 1e18),
    ("P", "peta", 1e15),
    ("T", "tera", 1e12),
    ("G", "giga", 1e9),
    ("M", "mega", 1e6),
    ("k", "kilo", 1e3),
    ("h", "hecto", 1e2),
    ("d", "deci", 1e-1),
    ("c", "centi", 1e-2),
    ("m", "milli", 1e-3),
    ("u", "micro", 1e-6),
    ("µ", "micro", 1e-6),
    ("μ", "micro", 1e-6),
    ("n", "nano", 1e-9),
    ("p", "pico", 1e-12),
    ("f", "femto", 1e-15),
    ("a", "atto", 1e-18),
    ("z", "zepto", 1e-21),
    ("y", "yocto", 1e-24),
];

/// Temperature scales with an offset, which this crate refuses (see [`crate::Unit`]).
pub(crate) static AFFINE: &[&str] = &["degC", "°C", "℃", "degF", "°F", "℉", "celsius", "fahrenheit"];

/// Names of derived units printed by [`Dim::si_name`], commoner name first.
pub(crate) static DERIVED_NAMES: &[(&str, [i32; 7])] = &[
    ("N", [1, 1, -2, 0, 0, 0, 0]),
    ("J", [2, 1, -2, 0, 0, 0, 0]),
    ("W", [2, 1, -3, 0, 0, 0, 0]),
    ("Pa", [-1, 1, -2, 0, 0, 0, 0]),
    ("C", [0, 0, 1, 1, 0, 0, 0]),
    ("V", [2, 1, -3, -1, 0, 0, 0]),
    ("F", [-2, -1, 4, 2, 0, 0, 0]),
    ("Ω", [2, 1, -3, -2, 0, 0, 0]),
    ("S", [-2, -1, 3, 2, 0, 0, 0]),
    ("Wb", [2, 1, -2, -1, 0, 0, 0]),
    ("T", [0, 1, -2, -1, 0, 0, 0]),
    ("H", [2, 1, -2, -2, 0, 0, 0]),
    ("Hz", [0, 0, -1, 0, 0, 0, 0]),
];

fn found(u: &UnitDef, prefix_scale: f64) -> (Dim, f64) {
    // Table exponents are small integers, so `from_ints` cannot fail.
    (Dim::from_ints(u.exps).unwrap_or(Dim::ONE), u.scale * prefix_scale)
}

fn by_symbol(s: &str) -> Option<&'static UnitDef> {
    UNITS.iter().find(|u| u.symbols.contains(&s))
}

fn by_long_name(s: &str) -> Option<&'static UnitDef> {
    let lower = s.to_ascii_lowercase();
    let find = |n: &str| UNITS.iter().find(|u| u.names.contains(&n));
    find(&lower).or_else(|| lower.strip_suffix('s').and_then(find)).or_else(|| lower.strip_suffix("es").and_then(find))
}

/// The dimension and SI scale of the unit called `name`, trying in order: a unit symbol, a
/// prefix symbol plus a prefixable unit symbol, a long name (case-insensitive, plural allowed),
/// a long prefix plus a prefixable long name (`kilometres`).
pub(crate) fn lookup(name: &str) -> Option<(Dim, f64)> {
    if let Some(u) = by_symbol(name) {
        return Some(found(u, 1.0));
    }
    for &(p, _, scale) in PREFIXES {
        if let Some(rest) = name.strip_prefix(p) {
            if let Some(u) = by_symbol(rest).filter(|u| u.prefix) {
                return Some(found(u, scale));
            }
        }
    }
    if let Some(u) = by_long_name(name) {
        return Some(found(u, 1.0));
    }
    let lower = name.to_ascii_lowercase();
    for &(_, long, scale) in PREFIXES {
        if let Some(rest) = lower.strip_prefix(long) {
            if let Some(u) = by_long_name(rest).filter(|u| u.prefix) {
                return Some(found(u, scale));
            }
        }
    }
    None
}

/// True for a temperature scale with an offset (`degC`, `°C`, `fahrenheit`).
pub(crate) fn is_affine(name: &str) -> bool {
    AFFINE.iter().any(|a| a.eq_ignore_ascii_case(name))
}

/// The known name closest to `name` by edit distance (optimal string alignment; a change of
/// case costs a quarter of an edit), if it is close enough to be a plausible typo: at most one
/// edit for names up to four characters, two up to eight, three beyond. Candidates are the unit
/// symbols and long names and their prefixed forms (`kg`, `kilometre`); on a tie the unprefixed
/// name wins.
pub(crate) fn suggest(name: &str) -> Option<String> {
    let limit = match name.chars().count() {
        0..=4 => 4,
        5..=8 => 8,
        _ => 12,
    };
    let a: Vec<char> = name.chars().take(64).collect();
    let mut scratch = Vec::new();
    let mut best: Option<(u32, &str)> = None;
    for cand in candidates() {
        // Each missing or extra character costs a whole edit: skip hopeless candidates early.
        if 4 * a.len().abs_diff(cand.1.len()) as u32 > limit {
            continue;
        }
        let cost = distance(&a, &cand.1, &mut scratch);
        if best.is_none_or(|(c, _)| cost < c) {
            best = Some((cost, &cand.0));
        }
    }
    best.filter(|&(c, _)| c <= limit && c > 0).map(|(_, s)| s.to_string())
}

/// Every name a suggestion may propose, with its characters: symbols and long names first, then
/// their prefixed forms. Built once.
fn candidates() -> &'static [(String, Vec<char>)] {
    static CANDIDATES: std::sync::OnceLock<Vec<(String, Vec<char>)>> = std::sync::OnceLock::new();
    CANDIDATES.get_or_init(|| {
        let plain = UNITS.iter().flat_map(|u| u.symbols.iter().chain(u.names.iter()).map(|s| s.to_string()));
        let prefixed = PREFIXES.iter().flat_map(|&(p, long, _)| {
            UNITS.iter().filter(|u| u.prefix).flat_map(move |u| {
                let symbols = u.symbols.iter().map(move |s| format!("{p}{s}"));
                symbols.chain(u.names.iter().map(move |n| format!("{long}{n}")))
            })
        });
        plain
            .chain(prefixed)
            .filter(|c| c.chars().next().is_some_and(char::is_alphabetic))
            .map(|c| {
                let chars = c.chars().collect();
                (c, chars)
            })
            .collect()
    })
}

/// Optimal-string-alignment distance in quarter edits: a substitution that only changes case
/// costs 1, any other edit 4. `d` is a reusable buffer.
fn distance(a: &[char], b: &[char], d: &mut Vec<u32>) -> u32 {
    let (n, m) = (a.len(), b.len());
    let w = m + 1;
    d.clear();
    d.resize((n + 1) * w, 0);
    for i in 0..=n {
        d[i * w] = 4 * i as u32;
    }
    for (j, cell) in d[..=m].iter_mut().enumerate() {
        *cell = 4 * j as u32;
    }
    for i in 1..=n {
        for j in 1..=m {
            let sub = if a[i - 1] == b[j - 1] {
                0
            } else if a[i - 1].to_lowercase().eq(b[j - 1].to_lowercase()) {
                1
            } else {
                4
            };
            let mut v = (d[(i - 1) * w + j] + 4).min(d[i * w + j - 1] + 4).min(d[(i - 1) * w + j - 1] + sub);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 4);
            }
            d[i * w + j] = v;
        }
    }
    d[n * w + m]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_names_beat_prefix_readings() {
        assert_eq!(lookup("m").unwrap().1, 1.0);
        assert_eq!(lookup("min").unwrap().1, 60.0);
        assert_eq!(lookup("Pa").unwrap().0, Dim::from_ints([-1, 1, -2, 0, 0, 0, 0]).unwrap());
        assert_eq!(lookup("cd").unwrap().0, Dim::LUMINOSITY);
        assert_eq!(lookup("dam").unwrap().1, 10.0);
        assert!(lookup("mM").is_none() && lookup("").is_none());
    }

    #[test]
    fn suggestions_are_close_names() {
        assert_eq!(suggest("meterz").as_deref(), Some("meter"));
        assert_eq!(suggest("KG").as_deref(), Some("kg"));
        assert_eq!(suggest("Newtn").as_deref(), Some("newton"));
        assert_eq!(suggest("qqqqqqqq"), None);
    }
}
