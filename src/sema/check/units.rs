//! Quantities in the checker: numbers with units (`3 [km]`, the prelude's `phys.c`) and the
//! rules that combine them. Values are held in SI, so units live only in the static types: a
//! sum of different dimensions, a dimensioned argument to `exp`, a dimensioned exponent are
//! `unit-mismatch` errors before anything runs. Plain numbers are unitless and never an error.

use super::*;
use sdl_units::{Dim, Unit};

impl Checker {
    /// `value [unit]`: the parser reads it as indexing a number literal; the checker reads the
    /// bracket as a unit and gives the number its SI value and dimension.
    pub(super) fn unit_literal(&mut self, value: f64, unit: &ast::Expr) -> (Kind, Type) {
        let parsed = unit_text(unit).ok_or(None).and_then(|text| Unit::parse(&text).map_err(Some));
        match parsed {
            Ok(u) => (Kind::Lit(Lit::Num(value * u.scale)), Type::quantity(u.dim)),
            Err(e) => {
                let message = match &e {
                    Some(e) => format!("not a unit: {e}"),
                    None => "not a unit: write a unit such as `m`, `km/s` or `kg*m^2/s^2`".to_string(),
                };
                let help =
                    e.as_ref().map(crate::diag::unit_help).unwrap_or_else(|| "units: m, kg, s, N, J, eV ...".into());
                self.err(
                    Diagnostic::new(Code::BadUnit, message, unit.span.clone())
                        .with_label("in this unit")
                        .with_help(help),
                );
                (Kind::Lit(Lit::Num(value)), Type::Num)
            }
        }
    }

    /// The type of `a op b` when a side is a quantity; `None` leaves the operator to the
    /// ordinary rules (with quantities read as numbers).
    pub(super) fn quantity_binary(&mut self, op: BinOp, ta: &Type, tb: &Type, e: &ast::Expr) -> Option<Type> {
        let dim = |t: &Type| match t {
            Type::Quantity(d) => Some(*d),
            Type::Num => None,
            _ => Some(Dim::ONE),
        };
        if !matches!(ta, Type::Num | Type::Quantity(_)) || !matches!(tb, Type::Num | Type::Quantity(_)) {
            return None;
        }
        let (da, db) = (dim(ta), dim(tb));
        let mismatch = |c: &mut Checker, message: String| {
            c.err(
                Diagnostic::new(Code::UnitMismatch, message, e.span.clone())
                    .with_label(format!("{ta} {} {tb}", op.symbol()))
                    .with_help("quantities combine by the rules of dimensional analysis; plain numbers have no units"),
            );
            Some(Type::Unknown)
        };
        match op {
            BinOp::Add | BinOp::Sub | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne => {
                if let (Some(a), Some(b)) = (da, db) {
                    if a != b {
                        return mismatch(self, format!("`{}` needs equal dimensions, found {a} and {b}", op.symbol()));
                    }
                }
                let comparison = !matches!(op, BinOp::Add | BinOp::Sub);
                Some(if comparison { Type::Bool } else { Type::quantity(da.or(db).unwrap_or(Dim::ONE)) })
            }
            BinOp::Mul | BinOp::Div => {
                let (a, b) = (da.unwrap_or(Dim::ONE), db.unwrap_or(Dim::ONE));
                let d = if op == BinOp::Mul { a.checked_mul(b) } else { a.checked_div(b) };
                match d {
                    Some(d) => Some(Type::quantity(d)),
                    None => mismatch(self, "the dimension is out of range".into()),
                }
            }
            BinOp::Pow => {
                if let Some(d) = db.filter(|d| !d.is_dimensionless()) {
                    return mismatch(self, format!("an exponent must be dimensionless, found {d}"));
                }
                let Some(base) = da else { return Some(Type::Num) };
                let ExprKind::Binary(_, _, exponent) = &e.kind else { return Some(Type::Unknown) };
                let power = const_value(exponent).and_then(sdl_units::rational_exponent);
                match power.and_then(|k| base.checked_pow_raw(k)) {
                    Some(d) => Some(Type::quantity(d)),
                    None => mismatch(self, format!("{base} raised to a power that is not a constant fraction")),
                }
            }
            BinOp::And | BinOp::Or => None,
        }
    }

    /// The type of an operator applied to quantities (`sqrt`, `abs`, `exp`, ...), or `None` when
    /// no argument is a quantity.
    pub(super) fn quantity_op(&mut self, name: &str, args: &[tree::Expr], span: &Span) -> Option<Type> {
        let dims: Vec<Option<Dim>> = args
            .iter()
            .map(|x| match x.ty {
                Type::Quantity(d) => Some(d),
                _ => None,
            })
            .collect();
        let d = dims.iter().flatten().next().copied()?;
        let keeps = |d: Dim| Some(Type::quantity(d));
        let result = match name {
            "abs" | "neg" | "relu" => keeps(d),
            "sqrt" => d.sqrt().map(Type::quantity),
            "cbrt" => d.cbrt().map(Type::quantity),
            "square" => d.checked_pow(2, 1).map(Type::quantity),
            "cube" => d.checked_pow(3, 1).map(Type::quantity),
            "inv" => keeps(d.inv()),
            "sign" => Some(Type::Num),
            "max" | "min" if dims.iter().flatten().all(|x| *x == d) => keeps(d),
            _ => None,
        };
        if result.is_none() {
            self.err(
                Diagnostic::new(
                    Code::UnitMismatch,
                    format!("`{name}` needs dimensionless arguments (or equal ones), found {d}"),
                    span.clone(),
                )
                .with_label("a quantity with units")
                .with_help("divide by a quantity of the same units first, e.g. exp(-t / tau)"),
            );
            return Some(Type::Unknown);
        }
        result
    }
}

/// The text of a unit written as an sdl expression (`m/s^2`, `kg*m`, `1/s`), if it is one.
fn unit_text(e: &ast::Expr) -> Option<String> {
    Some(match &e.kind {
        ExprKind::Var(name) => name.clone(),
        ExprKind::Num(n) => format!("{n}"),
        ExprKind::Unary(UnOp::Neg, a) => format!("-{}", unit_text(a)?),
        ExprKind::Binary(op @ (BinOp::Mul | BinOp::Div | BinOp::Pow), a, b) => {
            format!("({}){}({})", unit_text(a)?, op.symbol(), unit_text(b)?)
        }
        _ => return None,
    })
}

/// The value of a constant expression (`2`, `-1`, `1/2`), if it is one.
fn const_value(e: &ast::Expr) -> Option<f64> {
    match &e.kind {
        ExprKind::Num(n) => Some(*n),
        ExprKind::Unary(UnOp::Neg, a) => const_value(a).map(|v| -v),
        ExprKind::Binary(op, a, b) => {
            let (x, y) = (const_value(a)?, const_value(b)?);
            match op {
                BinOp::Add => Some(x + y),
                BinOp::Sub => Some(x - y),
                BinOp::Mul => Some(x * y),
                BinOp::Div => Some(x / y),
                _ => None,
            }
        }
        _ => None,
    }
}
