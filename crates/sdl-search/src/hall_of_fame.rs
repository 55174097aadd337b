//! The hall of fame: the best member found at each complexity, scored on all rows. From it
//! come the Pareto front (entries that strictly improve the loss as complexity grows), the
//! score of each entry (`-d log(loss) / d complexity` against the previous Pareto entry, PySR's
//! measure of how much an extra unit of complexity buys) and model selection (PySR's "best":
//! the highest score among entries within 1.5x of the lowest loss).
//!
//! The hall of fame is also the checkpoint format: a CSV with columns `complexity, loss, score,
//! equation` (the law in plain infix, readable by `sdl_formula::parse`) and, for templates, one
//! more column per function. [`read_csv`] reads it back for `warm_start`.

use crate::member::PopMember;
use crate::template::Template;
use sdl_formula::Formula;
use std::fmt::Write as _;
use std::path::Path;

/// Best member per complexity.
#[derive(Clone, Debug, Default)]
pub struct HallOfFame {
    /// Index = complexity.
    slots: Vec<Option<PopMember>>,
}

impl HallOfFame {
    /// An empty hall of fame for complexities up to `maxsize`.
    pub fn new(maxsize: u32) -> HallOfFame {
        HallOfFame { slots: vec![None; maxsize as usize + 1] }
    }

    /// Offers a member scored on all rows; it is kept if its loss is finite and strictly lower
    /// than the current holder's at its complexity (so the first of equals stays: updates are
    /// made in a fixed order, which keeps runs reproducible).
    pub fn offer(&mut self, m: &PopMember) -> bool {
        if !m.loss.is_finite() {
            return false;
        }
        let c = m.complexity as usize;
        if c >= self.slots.len() {
            self.slots.resize(c + 1, None);
        }
        match &self.slots[c] {
            Some(old) if old.loss <= m.loss => false,
            _ => {
                self.slots[c] = Some(m.clone());
                true
            }
        }
    }

    /// All held members, by increasing complexity.
    pub fn members(&self) -> impl Iterator<Item = &PopMember> {
        self.slots.iter().flatten()
    }

    /// The Pareto front: members whose loss is lower than every simpler member's.
    pub fn pareto(&self) -> Vec<&PopMember> {
        let mut out: Vec<&PopMember> = Vec::new();
        for m in self.members() {
            if out.last().is_none_or(|p| m.loss < p.loss) {
                out.push(m);
            }
        }
        out
    }

    /// Lowest loss held (infinite when empty).
    pub fn best_loss(&self) -> f64 {
        self.members().map(|m| m.loss).fold(f64::INFINITY, f64::min)
    }

    /// The public entries with scores, formulas composed through `template` and aligned with
    /// the dataset column `names`.
    pub fn entries(&self, template: &Template, names: &[String]) -> Vec<HofEntry> {
        let mut out = Vec::new();
        let mut prev: Option<(u32, f64)> = None;
        for m in self.members() {
            let score = match prev {
                Some((c, l)) if m.complexity > c => -(floor(m.loss).ln() - floor(l).ln()) / (m.complexity - c) as f64,
                _ => 0.0,
            };
            if prev.is_none_or(|(_, l)| m.loss < l) {
                prev = Some((m.complexity, m.loss));
            }
            let formula = template.compose(&m.exprs).with_vars_superset(names);
            let functions = if template.is_plain() {
                Vec::new()
            } else {
                template.functions.iter().zip(&m.exprs).map(|(f, e)| (f.name.clone(), e.clone())).collect()
            };
            out.push(HofEntry {
                complexity: m.complexity,
                loss: m.loss,
                score,
                formula,
                functions,
                exprs: m.exprs.clone(),
                const_dims: Vec::new(),
            });
        }
        out
    }
}

/// Losses are floored before taking logs so that an exact fit (loss 0) gives a large finite
/// score rather than infinity.
fn floor(l: f64) -> f64 {
    l.max(1e-300)
}

/// One hall-of-fame entry as reported to users.
#[derive(Clone, Debug, PartialEq)]
pub struct HofEntry {
    pub complexity: u32,
    /// Loss on all rows.
    pub loss: f64,
    /// `-d log(loss) / d complexity` against the previous Pareto entry (0 for the first).
    pub score: f64,
    /// The whole law over the dataset's column names (for templates, the composed formula).
    pub formula: Formula,
    /// For templates: each function's name and expression over its arguments (empty for a
    /// plain search).
    pub functions: Vec<(String, Formula)>,
    /// The evolved expressions, one per template function (used for warm starts).
    pub exprs: Vec<Formula>,
    /// With units: per constant of `formula`, the dimension it must carry (`None`: free, any
    /// dimension fits). Empty when the search had no units.
    pub const_dims: Vec<Option<sdl_units::Dim>>,
}

/// The Pareto front of `entries` (sorted by complexity): strictly improving loss.
pub fn pareto(entries: &[HofEntry]) -> Vec<&HofEntry> {
    let mut out: Vec<&HofEntry> = Vec::new();
    for e in entries {
        if out.last().is_none_or(|p| e.loss < p.loss) {
            out.push(e);
        }
    }
    out
}

/// PySR's model selection: the highest score among entries with loss at most 1.5 times the
/// lowest loss (the earliest such entry on ties).
pub fn best(entries: &[HofEntry]) -> Option<&HofEntry> {
    best_with_floor(entries, 0.0)
}

/// [`best`] where every loss at or below `exact` counts as good enough to be selected.
pub fn best_with_floor(entries: &[HofEntry], exact: f64) -> Option<&HofEntry> {
    let min = accuracy(entries)?.loss;
    let limit = (1.5 * min).max(exact);
    let mut pick: Option<&HofEntry> = None;
    for e in pareto(entries) {
        if e.loss <= limit && pick.is_none_or(|p| e.score > p.score) {
            pick = Some(e);
        }
    }
    pick
}

/// The entry with the lowest loss (the simplest on ties).
pub fn accuracy(entries: &[HofEntry]) -> Option<&HofEntry> {
    let mut pick: Option<&HofEntry> = None;
    for e in entries {
        if pick.is_none_or(|p| e.loss < p.loss) {
            pick = Some(e);
        }
    }
    pick
}

/// Pareto entries by decreasing score.
pub fn by_score(entries: &[HofEntry]) -> Vec<&HofEntry> {
    let mut v = pareto(entries);
    v.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.complexity.cmp(&b.complexity)));
    v
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The hall of fame as CSV text. Floats are written with Rust's shortest round-trip format so
/// that reading the file back gives the same numbers.
pub fn to_csv(entries: &[HofEntry], template: &Template) -> String {
    let mut s = String::from("complexity,loss,score,equation");
    if !template.is_plain() {
        for f in &template.functions {
            s.push(',');
            s.push_str(&quote(&f.name));
        }
    }
    s.push('\n');
    for e in entries {
        let _ = write!(s, "{},{:?},{:?},{}", e.complexity, e.loss, e.score, quote(&e.formula.to_string()));
        if !template.is_plain() {
            for x in &e.exprs {
                s.push(',');
                s.push_str(&quote(&x.to_string()));
            }
        }
        s.push('\n');
    }
    s
}

/// Writes the CSV to `path` through a temporary file and a rename, so that a reader (or a
/// crash) never sees half a file.
pub fn write_csv(path: &Path, entries: &[HofEntry], template: &Template) -> std::io::Result<()> {
    let tmp = path.with_extension("csv.tmp");
    std::fs::write(&tmp, to_csv(entries, template))?;
    std::fs::rename(&tmp, path)
}

/// One row of a hall-of-fame CSV.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvRow {
    pub complexity: u32,
    pub loss: f64,
    pub equation: String,
    /// Per-function expressions `(name, source)` for template searches.
    pub functions: Vec<(String, String)>,
}

/// Splits one CSV line into fields (double-quoted fields may hold commas and doubled quotes).
fn split_csv_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Parses hall-of-fame CSV text.
pub fn parse_csv(text: &str) -> Result<Vec<CsvRow>, String> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = split_csv_line(lines.next().ok_or("empty hall-of-fame file")?);
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let (Some(ci), Some(li), Some(ei)) = (col("complexity"), col("loss"), col("equation")) else {
        return Err("header must have complexity, loss and equation columns".into());
    };
    let extra: Vec<(usize, String)> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| !["complexity", "loss", "score", "equation"].contains(&h.trim()))
        .map(|(i, h)| (i, h.trim().to_string()))
        .collect();
    let mut rows = Vec::new();
    for (n, line) in lines.enumerate() {
        let f = split_csv_line(line);
        let get = |i: usize| f.get(i).map(|s| s.trim()).ok_or(format!("row {}: missing column {}", n + 1, i + 1));
        let complexity = get(ci)?.parse().map_err(|e| format!("row {}: complexity: {e}", n + 1))?;
        let loss = get(li)?.parse().map_err(|e| format!("row {}: loss: {e}", n + 1))?;
        let equation = get(ei)?.to_string();
        let mut functions = Vec::new();
        for (i, name) in &extra {
            functions.push((name.clone(), get(*i)?.to_string()));
        }
        rows.push(CsvRow { complexity, loss, equation, functions });
    }
    Ok(rows)
}

/// Reads a hall-of-fame CSV file.
pub fn read_csv(path: &Path) -> Result<Vec<CsvRow>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_csv(&text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sdl_formula::OperatorSet;

    fn member(c: u32, loss: f64) -> PopMember {
        let mut m = PopMember::new(vec![Formula::var("x")], &OperatorSet::default(), 0);
        m.complexity = c;
        m.loss = loss;
        m
    }

    #[test]
    fn pareto_scores_and_selection() {
        let mut h = HallOfFame::new(30);
        for (c, l) in [(1, 1.0), (3, 0.5), (5, 0.6), (7, 1e-3), (9, 0.9e-3)] {
            assert!(h.offer(&member(c, l)));
        }
        assert!(!h.offer(&member(3, 0.7)));
        let t = Template::plain(&["x".to_string()]);
        let e = h.entries(&t, &["x".to_string()]);
        assert_eq!(e.len(), 5);
        let p: Vec<u32> = pareto(&e).iter().map(|e| e.complexity).collect();
        assert_eq!(p, vec![1, 3, 7, 9]);
        assert!((e[1].score - 0.5f64.ln().abs() / 2.0).abs() < 1e-12);
        assert_eq!(best(&e).unwrap().complexity, 7);
        assert_eq!(accuracy(&e).unwrap().complexity, 9);
        assert_eq!(by_score(&e)[0].complexity, 7);
    }

    #[test]
    fn csv_fields_with_commas_and_quotes_round_trip() {
        let text = "complexity,loss,score,equation\n3,0.5,0.1,\"cond(r - 2, x)\"\n";
        let rows = parse_csv(text).unwrap();
        assert_eq!(rows[0].equation, "cond(r - 2, x)");
        assert_eq!(split_csv_line("\"a \"\"b\"\"\",c"), vec!["a \"b\"", "c"]);
        assert!(parse_csv("a,b\n").is_err());
    }
}
