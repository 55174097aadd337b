//! The evaluation benchmark behind `sdl bench eval`.
//!
//! In: formula text (one plain infix formula per line over `x0..x9`, `#` comments), a row
//! count, a thread count, a precision and a seed. Out: one line `engine=NAME
//! node_evals_per_s=X` per engine (reference, fused, jit) and a last line `fastest=NAME`.
//! Nodes are counted as written (every operator, call, variable and constant once). Data are
//! uniform in [0.5, 2] from `sdl_formula::rng::Rng(seed)`; formulas are spread over a rayon
//! pool of `threads` threads, each formula evaluated over all rows by one thread. Timing
//! excludes parsing and JIT compilation (the JIT cache is warmed first).

use crate::batch::run_program_serial;
use crate::cost::Engine;
use crate::{Dataset, KernelError, Program};
use num_traits::Float;
use rayon::prelude::*;
use sdl_formula::rng::Rng;
use sdl_formula::{Formula, Op};
use std::time::{Duration, Instant};

/// Floating-point precision of a benchmark run.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Precision {
    F32,
    F64,
}

/// Minimum measured time per engine.
const MIN_TIME: Duration = Duration::from_millis(400);

/// Runs the benchmark; see the module documentation for the output lines.
pub fn bench_eval(
    formulas_src: &str,
    rows: usize,
    threads: usize,
    precision: Precision,
    seed: u64,
) -> Result<Vec<String>, KernelError> {
    let formulas = parse_lines(formulas_src)?;
    if formulas.is_empty() {
        return Err(KernelError::Parse { line: 0, message: "no formulas".into() });
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| KernelError::Jit(format!("thread pool: {e}")))?;
    let names: Vec<String> = (0..10).map(|i| format!("x{i}")).collect();
    let mut rng = Rng::new(seed);
    let cols: Vec<Vec<f64>> = (0..10).map(|_| (0..rows).map(|_| rng.range(0.5, 2.0)).collect()).collect();
    let data = Dataset::new(names, cols)?;
    let results = match precision {
        Precision::F32 => pool.install(|| run_all(&formulas, &data.cast::<f32>())),
        Precision::F64 => pool.install(|| run_all(&formulas, &data)),
    }?;
    let mut lines: Vec<String> =
        results.iter().map(|(e, rate)| format!("engine={} node_evals_per_s={:.4e}", e.name(), rate)).collect();
    let fastest = results.iter().max_by(|a, b| a.1.total_cmp(&b.1)).map_or("none", |r| r.0.name());
    lines.push(format!("fastest={fastest}"));
    Ok(lines)
}

fn run_all<T: Float + Send + Sync>(formulas: &[Formula], data: &Dataset<T>) -> Result<Vec<(Engine, f64)>, KernelError> {
    let progs: Vec<(Program, Vec<T>)> = formulas
        .iter()
        .map(|f| {
            let p = Program::compile(f, data.names())?;
            Ok((p, f.consts.iter().map(|c| T::from(*c).unwrap_or_else(T::nan)).collect()))
        })
        .collect::<Result<_, KernelError>>()?;
    let nodes: usize = formulas.iter().map(Formula::len).sum();
    let mut out = Vec::new();
    for engine in [Engine::Reference, Engine::Fused, Engine::Jit] {
        let once = || {
            progs.par_iter().for_each(|(p, c)| {
                let mut buf = vec![T::zero(); data.n_rows()];
                run_program_serial(p, engine, c, data, &mut buf, false);
                std::hint::black_box(&buf);
            })
        };
        once(); // warm-up: JIT compilation, page faults
        let start = Instant::now();
        let mut reps = 0usize;
        while start.elapsed() < MIN_TIME || reps == 0 {
            once();
            reps += 1;
        }
        let secs = start.elapsed().as_secs_f64();
        out.push((engine, (nodes * data.n_rows() * reps) as f64 / secs));
    }
    Ok(out)
}

/// Parses one formula per non-empty, non-comment line.
pub fn parse_lines(src: &str) -> Result<Vec<Formula>, KernelError> {
    let mut out = Vec::new();
    for (i, line) in src.lines().enumerate() {
        let text = line.split('#').next().unwrap_or("").trim();
        if text.is_empty() {
            continue;
        }
        let f = parse_infix(text).map_err(|message| KernelError::Parse { line: i + 1, message })?;
        out.push(f);
    }
    Ok(out)
}

/// A small infix parser (`+ - * / ^`, unary minus, calls by operator name, numbers,
/// identifiers), used until `sdl_formula` exports its own.
pub fn parse_infix(text: &str) -> Result<Formula, String> {
    let toks = tokenize(text)?;
    let mut p = Parser { toks, at: 0 };
    let f = p.expr()?;
    match p.toks.get(p.at) {
        None => Ok(f),
        Some(t) => Err(format!("unexpected `{t:?}`")),
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Ident(String),
    Sym(char),
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || chars[i] == '.'
                    || ((chars[i] == 'e' || chars[i] == 'E') && i + 1 < chars.len())
                    || ((chars[i] == '-' || chars[i] == '+') && i > start && matches!(chars[i - 1], 'e' | 'E')))
            {
                i += 1;
            }
            let t: String = chars[start..i].iter().collect();
            toks.push(Tok::Num(t.parse().map_err(|_| format!("bad number `{t}`"))?));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            toks.push(Tok::Ident(chars[start..i].iter().collect()));
        } else if "+-*/^(),".contains(c) {
            toks.push(Tok::Sym(c));
            i += 1;
        } else {
            return Err(format!("unexpected character `{c}`"));
        }
    }
    Ok(toks)
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn eat(&mut self, c: char) -> bool {
        if self.toks.get(self.at) == Some(&Tok::Sym(c)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expr(&mut self) -> Result<Formula, String> {
        let mut f = self.term()?;
        loop {
            let op = if self.eat('+') {
                Op::Add
            } else if self.eat('-') {
                Op::Sub
            } else {
                return Ok(f);
            };
            f = Formula::apply(op, vec![f, self.term()?]);
        }
    }

    fn term(&mut self) -> Result<Formula, String> {
        let mut f = self.unary()?;
        loop {
            let op = if self.eat('*') {
                Op::Mul
            } else if self.eat('/') {
                Op::Div
            } else {
                return Ok(f);
            };
            f = Formula::apply(op, vec![f, self.unary()?]);
        }
    }

    fn unary(&mut self) -> Result<Formula, String> {
        if self.eat('-') {
            return Ok(Formula::apply(Op::Neg, vec![self.unary()?]));
        }
        let base = self.atom()?;
        if self.eat('^') {
            return Ok(Formula::apply(Op::Pow, vec![base, self.unary()?]));
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<Formula, String> {
        let tok = self.toks.get(self.at).cloned().ok_or("unexpected end of formula")?;
        self.at += 1;
        match tok {
            Tok::Num(v) => Ok(Formula::constant(v)),
            Tok::Sym('(') => {
                let f = self.expr()?;
                if !self.eat(')') {
                    return Err("missing `)`".into());
                }
                Ok(f)
            }
            Tok::Ident(name) if self.eat('(') => {
                let op = Op::from_name(&name).ok_or_else(|| format!("unknown function `{name}`"))?;
                let mut args = vec![self.expr()?];
                while self.eat(',') {
                    args.push(self.expr()?);
                }
                if !self.eat(')') {
                    return Err("missing `)`".into());
                }
                if args.len() != op.arity() {
                    return Err(format!("`{name}` takes {} arguments, got {}", op.arity(), args.len()));
                }
                Ok(Formula::apply(op, args))
            }
            Tok::Ident(name) => Ok(Formula::var(&name)),
            Tok::Sym(c) => Err(format!("unexpected `{c}`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_counts_nodes_as_written() {
        assert_eq!(parse_infix("x0^2").unwrap().len(), 3);
        assert_eq!(parse_infix("-x0").unwrap().len(), 2);
        let f = parse_infix("x1*cos(x2-3.2)").unwrap();
        assert_eq!(f.len(), 6);
        assert_eq!(f.eval_row(&[2.0, 3.2]), 2.0);
        assert_eq!(parse_infix("2*3^2").unwrap().eval_row(&[]), 18.0);
        assert_eq!(parse_infix("1e-1 + 2.5E1").unwrap().eval_row(&[]), 25.1);
        assert!(parse_infix("foo(x)").is_err() && parse_infix("(x").is_err() && parse_infix("x $").is_err());
    }

    #[test]
    fn sample_file_parses_and_bench_reports_every_engine() {
        let src = include_str!("../benches/formulas.txt");
        assert_eq!(parse_lines(src).unwrap().len(), 20);
        let lines = bench_eval("x0*x1\nexp(x2) # c\n", 300, 1, Precision::F32, 1).unwrap();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("engine=reference node_evals_per_s="));
        assert!(lines[3].starts_with("fastest="));
        assert!(matches!(bench_eval("x0 +", 10, 1, Precision::F64, 1), Err(KernelError::Parse { line: 1, .. })));
    }
}
