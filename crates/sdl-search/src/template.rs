//! Templates: the shape of the law being searched for, `y ~ f(x1, x2) + g(x3) * x1`.
//!
//! A [`Template`] is an outer formula whose variables are dataset columns or function names,
//! plus the functions with their argument lists. The search evolves one expression per
//! function; each expression's variable list is its argument list, so it can use nothing else.
//! To score a member, every function is evaluated on the data (through the kernel's
//! `eval_into`, into reused buffers) and then the outer formula is evaluated row by row with
//! the functions' outputs standing in for their names. The plain search `y ~ f(x1, ...)` is a
//! template whose outer formula is just `f`; it skips the outer pass entirely.

use crate::member::PopMember;
use sdl_formula::{Formula, Node};
use sdl_kernel::{eval_into, loss_value, Dataset, Loss};

/// One function of a template: its name (as used in `outer`) and its argument columns.
#[derive(Clone, Debug, PartialEq)]
pub struct TemplateFn {
    pub name: String,
    pub args: Vec<String>,
}

/// The form of the law: `outer` over dataset columns and function names.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    pub outer: Formula,
    pub functions: Vec<TemplateFn>,
}

impl Template {
    /// The plain search `y ~ f(args...)`: one function over `args`, outer formula `f`. The
    /// function is called `f` unless an argument already has that name.
    pub fn plain(args: &[String]) -> Template {
        let mut name = "f".to_string();
        let mut k = 0;
        while args.contains(&name) {
            name = format!("f{k}");
            k += 1;
        }
        Template { outer: Formula::var(&name), functions: vec![TemplateFn { name, args: args.to_vec() }] }
    }

    /// True for the plain form (outer formula is exactly the single function).
    pub fn is_plain(&self) -> bool {
        self.functions.len() == 1
            && self.outer.nodes == [Node::Var(0)]
            && self.outer.vars.first() == Some(&self.functions[0].name)
    }

    /// The outer formula with every function replaced by its expression: one formula over
    /// dataset columns (the law as a whole).
    pub fn compose(&self, exprs: &[Formula]) -> Formula {
        if self.is_plain() {
            return exprs[0].clone();
        }
        let args: Vec<Formula> = self
            .outer
            .vars
            .iter()
            .map(|v| match self.functions.iter().position(|f| &f.name == v) {
                Some(k) => exprs[k].clone(),
                None => Formula::var(v),
            })
            .collect();
        self.outer.substitute_vars(&args)
    }
}

/// Where an outer variable's values come from.
#[derive(Clone, Copy, Debug)]
enum Source {
    Column(usize),
    Function(usize),
}

/// A template resolved against a dataset, with the target and loss: scores members.
#[derive(Clone, Debug)]
pub(crate) struct Scorer {
    pub template: Template,
    sources: Vec<Source>,
    plain: bool,
    pub loss: Loss,
    /// Loss of the best constant predictor; costs are losses divided by it (as PySR does) so
    /// that parsimony and annealing act the same at any scale of the target.
    pub baseline: f64,
    pub parsimony: f64,
}

/// Reused buffers for scoring (one per island), so the inner loop does not allocate.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scratch {
    funcs: Vec<Vec<f64>>,
    pred: Vec<f64>,
    stack: Vec<f64>,
}

impl Scorer {
    /// Resolves `template` against the column names. Callers have already checked that every
    /// outer variable is a column or a function (see `search::check_problem`).
    pub fn new(template: &Template, names: &[String], loss: Loss, parsimony: f64) -> Scorer {
        let sources = template
            .outer
            .vars
            .iter()
            .map(|v| match template.functions.iter().position(|f| &f.name == v) {
                Some(k) => Source::Function(k),
                None => Source::Column(names.iter().position(|n| n == v).unwrap_or(0)),
            })
            .collect();
        Scorer { plain: template.is_plain(), template: template.clone(), sources, loss, baseline: 1.0, parsimony }
    }

    /// Sets the baseline from the loss of predicting the (weighted) mean target.
    pub fn set_baseline(&mut self, target: &[f64], weights: Option<&[f64]>) {
        let (mut sw, mut s) = (0.0, 0.0);
        for (i, t) in target.iter().enumerate() {
            let w = weights.map_or(1.0, |w| w[i]);
            sw += w;
            s += w * t;
        }
        let mean = if sw > 0.0 { s / sw } else { 0.0 };
        let pred = vec![mean; target.len()];
        let b = loss_value(&pred, target, weights, &self.loss);
        // PySR floors the normalisation at 0.01 so a near-constant target does not blow up costs.
        self.baseline = if b.is_finite() && b > 0.01 { b } else { 0.01 };
    }

    /// Cost of a member with loss `loss` and complexity `complexity`.
    pub fn cost(&self, loss: f64, complexity: u32) -> f64 {
        loss / self.baseline + self.parsimony * complexity as f64
    }

    /// Predictions of `exprs` on `data`, or `None` if any is NaN or infinite.
    pub fn predict<'s>(&self, exprs: &[Formula], data: &Dataset<f64>, s: &'s mut Scratch) -> Option<&'s [f64]> {
        let n = data.n_rows();
        if s.funcs.len() < exprs.len() {
            s.funcs.resize_with(exprs.len(), Vec::new);
        }
        for (e, buf) in exprs.iter().zip(s.funcs.iter_mut()) {
            buf.resize(n, 0.0);
            if !eval_into(e, &e.consts, data, buf) {
                return None;
            }
        }
        if self.plain {
            return Some(&s.funcs[0][..n]);
        }
        s.pred.resize(n, 0.0);
        let outer = &self.template.outer;
        for row in 0..n {
            s.stack.clear();
            for node in &outer.nodes {
                match *node {
                    Node::Var(i) => s.stack.push(match self.sources[i as usize] {
                        Source::Column(c) => data.column(c)[row],
                        Source::Function(k) => s.funcs[k][row],
                    }),
                    Node::Const(i) => s.stack.push(outer.consts[i as usize]),
                    Node::Op(op) => {
                        let at = s.stack.len() - op.arity();
                        let v = op.apply(&s.stack[at..]);
                        s.stack.truncate(at);
                        s.stack.push(v);
                    }
                }
            }
            let v = s.stack.pop().unwrap_or(f64::NAN);
            if !v.is_finite() {
                return None;
            }
            s.pred[row] = v;
        }
        Some(&s.pred[..n])
    }

    /// Loss of `exprs` on `data` against `target`; infinite when the prediction is not finite.
    pub fn loss_of(
        &self,
        exprs: &[Formula],
        data: &Dataset<f64>,
        target: &[f64],
        weights: Option<&[f64]>,
        s: &mut Scratch,
    ) -> f64 {
        match self.predict(exprs, data, s) {
            Some(pred) => {
                let l = loss_value(pred, target, weights, &self.loss);
                if l.is_finite() {
                    l
                } else {
                    f64::INFINITY
                }
            }
            None => f64::INFINITY,
        }
    }

    /// Scores `m` in place (loss and cost).
    pub fn score(
        &self,
        m: &mut PopMember,
        data: &Dataset<f64>,
        target: &[f64],
        weights: Option<&[f64]>,
        s: &mut Scratch,
    ) {
        m.loss = self.loss_of(&m.exprs, data, target, weights, s);
        m.cost = self.cost(m.loss, m.complexity);
    }

    /// The composed formula prepared for joint constant fitting: each function constant gets a
    /// private name so that a function used twice in the outer formula shares its constants.
    /// Returns the formula and, for each of its constants, `Some((function, index))` or `None`
    /// for constants of the outer formula (fixed).
    pub fn compose_for_fit(&self, exprs: &[Formula]) -> (Formula, Vec<Option<(usize, usize)>>) {
        let tagged: Vec<Formula> = exprs
            .iter()
            .enumerate()
            .map(|(k, e)| {
                let mut e = e.clone();
                e.const_names = (0..e.consts.len()).map(|i| Some(format!("\u{1}{k}_{i}"))).collect();
                e
            })
            .collect();
        let mut f = self.template.compose(&tagged);
        // Merge constants that carry the same tag.
        let mut keys: Vec<Option<(usize, usize)>> = Vec::new();
        let mut consts = Vec::new();
        let mut names = Vec::new();
        let mut map = Vec::with_capacity(f.consts.len());
        for (i, name) in f.const_names.iter().enumerate() {
            let key = name.as_deref().and_then(parse_tag);
            let existing = key.and_then(|k| keys.iter().position(|x| *x == Some(k)));
            match existing {
                Some(j) => map.push(j as u16),
                None => {
                    map.push(keys.len() as u16);
                    keys.push(key);
                    consts.push(f.consts[i]);
                    names.push(name.clone());
                }
            }
        }
        for node in f.nodes.iter_mut() {
            if let Node::Const(i) = node {
                *i = map[*i as usize];
            }
        }
        f.consts = consts;
        f.const_names = names;
        (f, keys)
    }
}

fn parse_tag(name: &str) -> Option<(usize, usize)> {
    let rest = name.strip_prefix('\u{1}')?;
    let (k, i) = rest.split_once('_')?;
    Some((k.parse().ok()?, i.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sdl_formula::Op;

    #[test]
    fn plain_template_avoids_column_names() {
        let t = Template::plain(&["f".to_string(), "x".to_string()]);
        assert_eq!(t.functions[0].name, "f0");
        assert!(t.is_plain());
    }

    #[test]
    fn compose_and_fit_form_share_constants_of_repeated_functions() {
        // outer = f + f * x1 ; f(x2) = x2 + c
        let outer = Formula::apply(
            Op::Add,
            vec![Formula::var("f"), Formula::apply(Op::Mul, vec![Formula::var("f"), Formula::var("x1")])],
        );
        let t = Template { outer, functions: vec![TemplateFn { name: "f".into(), args: vec!["x2".into()] }] };
        let f = Formula::apply(Op::Add, vec![Formula::var("x2"), Formula::constant(3.0)]);
        let full = t.compose(std::slice::from_ref(&f));
        assert_eq!(full.consts.len(), 2);
        let names = vec!["x1".to_string(), "x2".to_string()];
        let scorer = Scorer::new(&t, &names, Loss::L2, 0.0);
        let (fit, keys) = scorer.compose_for_fit(&[f]);
        assert_eq!(fit.consts, vec![3.0]);
        assert_eq!(keys, vec![Some((0, 0))]);
        let full = full.with_vars_superset(&names);
        let fit = fit.with_vars_superset(&names);
        assert_eq!(full.eval_row(&[2.0, 1.0]), fit.eval_row(&[2.0, 1.0]));
    }
}
