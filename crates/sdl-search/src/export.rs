//! Exports of search results: the selected law and every Pareto law as LaTeX, SymPy, NumPy
//! (Python source) or Rust source, through sdl-formula's printers so that every output of sdl
//! prints a formula the same way. When the search had units, LaTeX and SymPy write each
//! dimensioned constant with its SI unit.

use crate::hall_of_fame::HofEntry;
use crate::search::SearchResult;
use sdl_formula::Formula;
use sdl_units::Dim;

/// Output language of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Latex,
    Sympy,
    Numpy,
    Rust,
}

/// One formula in `format`.
pub fn export_formula(f: &Formula, format: ExportFormat) -> String {
    match format {
        ExportFormat::Latex => sdl_formula::to_latex(f),
        ExportFormat::Sympy => sdl_formula::to_sympy(f),
        ExportFormat::Numpy => sdl_formula::to_numpy(f),
        ExportFormat::Rust => sdl_formula::to_rust(f),
    }
}

/// An exported law: where it stands on the front and its source text.
#[derive(Clone, Debug, PartialEq)]
pub struct Exported {
    pub complexity: u32,
    pub loss: f64,
    pub score: f64,
    /// True for the entry chosen by `SearchResult::best`.
    pub selected: bool,
    pub source: String,
}

/// One formula in `format`, each constant with the dimension `dims[i]` written as a quantity
/// (LaTeX and SymPy; NumPy and Rust take numbers only). Dimensionless and unknown constants stay
/// plain numbers.
pub fn export_formula_with_units(f: &Formula, dims: &[Option<Dim>], format: ExportFormat) -> String {
    let unit = |text: fn(Dim) -> String| -> Vec<Option<String>> {
        dims.iter().map(|d| d.filter(|d| !d.is_dimensionless()).map(text)).collect()
    };
    match format {
        ExportFormat::Latex => sdl_formula::to_latex_with_units(f, &unit(Dim::to_latex)),
        ExportFormat::Sympy => sdl_formula::to_sympy_with_units(f, &unit(Dim::to_sympy)),
        ExportFormat::Numpy | ExportFormat::Rust => export_formula(f, format),
    }
}

fn one(e: &HofEntry, selected: bool, format: ExportFormat) -> Exported {
    Exported {
        complexity: e.complexity,
        loss: e.loss,
        score: e.score,
        selected,
        source: export_formula_with_units(&e.formula, &e.const_dims, format),
    }
}

/// The selected law (`best()`) in `format`, or `None` for an empty result.
pub fn export_best(r: &SearchResult, format: ExportFormat) -> Option<Exported> {
    r.best().map(|e| one(e, true, format))
}

/// Every Pareto law in `format`, by increasing complexity, the selected one flagged.
pub fn export_pareto(r: &SearchResult, format: ExportFormat) -> Vec<Exported> {
    let best = r.best().map(|e| e.complexity);
    r.pareto().into_iter().map(|e| one(e, Some(e.complexity) == best, format)).collect()
}

/// A whole result as one document in `format`: the Pareto laws as comments or list entries,
/// the selected law marked. Handy for `sdl export` and for pasting into a notebook.
pub fn export_document(r: &SearchResult, format: ExportFormat) -> String {
    let mut out = String::new();
    let laws = export_pareto(r, format);
    match format {
        ExportFormat::Latex => {
            out.push_str("\\begin{tabular}{rll}\nComplexity & Loss & Law \\\\\n\\hline\n");
            for l in &laws {
                let mark = if l.selected { "$^\\ast$" } else { "" };
                out.push_str(&format!("{} & {:.3e} & ${}${} \\\\\n", l.complexity, l.loss, l.source, mark));
            }
            out.push_str("\\end{tabular}\n");
        }
        ExportFormat::Sympy | ExportFormat::Numpy => {
            out.push_str("# Pareto front: (complexity, loss, law); the selected law is `best`.\n");
            if format == ExportFormat::Sympy
                && r.pareto().iter().any(|e| e.const_dims.iter().flatten().any(|d| !d.is_dimensionless()))
            {
                out.push_str("# Constants carry SI units: sympify(law, locals=vars(sympy.physics.units)).\n");
            }
            out.push_str("pareto = [\n");
            for l in &laws {
                out.push_str(&format!("    ({}, {:e}, {:?}),\n", l.complexity, l.loss, l.source));
            }
            out.push_str("]\n");
            if let Some(b) = laws.iter().find(|l| l.selected) {
                out.push_str(&format!("best = {:?}\n", b.source));
            }
        }
        ExportFormat::Rust => {
            for l in &laws {
                let mark = if l.selected { " (selected)" } else { "" };
                out.push_str(&format!("// complexity {}, loss {:e}{mark}\n{}\n\n", l.complexity, l.loss, l.source));
            }
        }
    }
    out
}
