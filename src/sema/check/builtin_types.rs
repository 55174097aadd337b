//! Typing rules of the built-in functions (one arm per [`Builtin`]), including `fit`'s options
//! and model, `load`'s header reading and `simulate_nbody`'s tables. Arguments arrive bound to
//! parameters with defaults filled in ([`BCall`]).

use super::*;
use crate::builtins::{Default, Named, OptSpec, Topic};
use crate::domain::{classify_names, unknown_law};

/// A built-in call with its arguments checked and bound.
pub(super) struct BCall {
    pub b: Builtin,
    /// One per parameter, defaults filled in.
    pub args: Vec<tree::Expr>,
    /// Whether each parameter's argument was written (not a default).
    pub given: Vec<bool>,
    pub named: Vec<(String, tree::Expr)>,
    pub span: Span,
}

impl BCall {
    pub fn types(&self) -> Vec<Type> {
        self.args.iter().map(|x| x.ty.clone()).collect()
    }

    pub fn arg_span(&self, i: usize) -> Span {
        if self.given[i] {
            self.args[i].span.clone()
        } else {
            self.span.clone()
        }
    }

    /// The literal an argument is, if it is one.
    pub fn lit(&self, i: usize) -> Option<&Lit> {
        match &self.args[i].kind {
            Kind::Lit(l) => Some(l),
            _ => None,
        }
    }

    /// The named arguments as (name, type, span).
    pub fn extra(&self) -> Vec<(String, Type, Span)> {
        self.named.iter().map(|(n, x)| (n.clone(), x.ty.clone(), x.span.clone())).collect()
    }
}

impl Checker {
    /// Reports a given argument whose type does not fit `t`.
    pub(super) fn want_arg(&mut self, c: &BCall, i: usize, t: Type, why: &str) {
        if c.given[i] && !c.args[i].ty.fits(&t) {
            self.err(mismatch(&t, &c.args[i].ty, c.arg_span(i), why));
        }
    }

    /// Binds and checks a built-in call, then applies its typing rule.
    pub(super) fn builtin_call(&mut self, b: Builtin, args: &[Arg], span: Span) -> tree::Expr {
        let spec = b.spec();
        let params: Vec<(&str, bool)> = spec.params.iter().map(|p| (p.name, p.required())).collect();
        let open = !matches!(spec.named, Named::Closed);
        let (slots, extra) = self.bind_args(spec.name, &params, args, open, &span);
        let mut bound = Vec::with_capacity(params.len());
        for (p, slot) in spec.params.iter().zip(&slots) {
            bound.push(match slot {
                Some(ai) => self.builtin_arg(b, p.name, &args[*ai].value),
                None => default_arg(p.default, &span),
            });
        }
        let named = extra
            .iter()
            .map(|ai| {
                let a = &args[*ai];
                (a.name.as_ref().map(|n| n.name.clone()).unwrap_or_default(), self.expr(&a.value))
            })
            .collect();
        let call = BCall { b, args: bound, given: slots.iter().map(|s| s.is_some()).collect(), named, span };
        if let Named::Options(table) = spec.named {
            self.check_options(b, table, &call.extra());
        }
        let ty = self.builtin_type(&call);
        let BCall { args, named, span, .. } = call;
        tree::Expr::new(Kind::CallBuiltin { builtin: b, args, named }, ty, span)
    }

    /// One argument; `diff`'s variable may be written as a bare name, which means that variable
    /// unless the name holds a string.
    fn builtin_arg(&mut self, b: Builtin, param: &str, e: &ast::Expr) -> tree::Expr {
        if let (Builtin::Diff, "var", ExprKind::Var(v)) = (b, param, &e.kind) {
            let holds_string = matches!(self.resolve(v), Some((_, Type::Str)));
            if !holds_string {
                return tree::Expr::lit(Lit::Str(v.as_str().into()), Type::Str, e.span.clone());
            }
        }
        self.expr(e)
    }

    /// Checks named options against a built-in's option table.
    fn check_options(&mut self, b: Builtin, table: &[OptSpec], extra: &[(String, Type, Span)]) {
        for (n, t, s) in extra {
            match table.iter().find(|o| o.name == n) {
                None => {
                    let names: Vec<&str> = table.iter().map(|o| o.name).collect();
                    let help = help_suggesting(n, names.iter().copied(), &format!("options: {}", names.join(", ")));
                    self.err(
                        Diagnostic::new(
                            Code::UnknownNamedArg,
                            format!("`{}` has no option `{n}`", b.name()),
                            s.clone(),
                        )
                        .with_label("unknown option")
                        .with_help(help),
                    );
                }
                Some(o) if o.ty == "loss" => {
                    if !matches!(t, Type::Str | Type::Formula(_) | Type::Unknown) {
                        self.err(mismatch(
                            &Type::Str,
                            t,
                            s.clone(),
                            "a loss is \"l2\", \"l1\", \"huber\" or a formula of pred and target",
                        ));
                    }
                }
                Some(o) if o.ty == "series" => {
                    let series = |t: &Type| matches!(t, Type::Str | Type::Formula(_) | Type::Unknown);
                    let ok = match t {
                        Type::List(inner) => series(inner),
                        other => series(other),
                    };
                    if !ok {
                        self.err(mismatch(
                            &Type::Str,
                            t,
                            s.clone(),
                            "a series is a column name, a formula of the columns, or a list of them",
                        ));
                    }
                }
                Some(o) if o.ty == "record" => {
                    if !matches!(t, Type::Record(_) | Type::Unknown) {
                        self.err(mismatch(
                            &Type::Record(vec![]),
                            t,
                            s.clone(),
                            "initial values are a record, e.g. { a: 1, b: 0.5 }",
                        ));
                    }
                }
                Some(o) => {
                    let want = Type::from_name(o.ty, None).unwrap_or(Type::Unknown);
                    if !t.fits(&want) {
                        self.err(mismatch(&want, t, s.clone(), &format!("option `{n}` is {want}")));
                    }
                }
            }
        }
    }

    fn builtin_type(&mut self, c: &BCall) -> Type {
        match (c.b.topic(), c.b) {
            (Topic::Values, _) => self.values_type(c),
            (Topic::Tables, _) => self.tables_type(c),
            (Topic::Formulas, Builtin::Fit) => self.fit(c),
            (Topic::Formulas, _) => self.formulas_type(c),
            (Topic::Graphs, Builtin::SimulateNbody) => self.simulate_type(c),
            (Topic::Graphs, _) => self.network_builtin(c),
            (Topic::Pictures, _) => self.pictures_type(c),
        }
    }

    /// Typing rule of `simulate_nbody`: the law's name and the dimension when they are literals.
    fn simulate_type(&mut self, c: &BCall) -> Type {
        let types = c.types();
        self.want_arg(c, 0, Type::Str, "the law is a string such as \"spring\"");
        for i in 1..types.len() {
            self.want_arg(c, i, Type::Num, "counts and the seed are numbers");
        }
        if let Some(Lit::Str(law)) = c.lit(0) {
            if crate::sim::Law::from_name(law).is_none() {
                self.err(unknown_law(law, c.arg_span(0)));
            }
        }
        let dim = match c.lit(2) {
            None => Some(2),
            Some(Lit::Num(d)) if *d == 2.0 || *d == 3.0 => Some(*d as usize),
            Some(Lit::Num(d)) => {
                self.err(
                    Diagnostic::new(Code::BadArgument, format!("dim {d} is not 2 or 3"), c.arg_span(2))
                        .with_label("unsupported dimension")
                        .with_help("simulate in 2 or 3 dimensions"),
                );
                None
            }
            Some(_) => None,
        };
        Type::Graphs(dim)
    }

    /// Typing rules: Numbers, strings, lists and assertions.
    fn values_type(&mut self, c: &BCall) -> Type {
        let types = c.types();
        let num_list = Type::List(Box::new(Type::Num));
        match c.b {
            Builtin::Len => {
                if !matches!(types[0], Type::List(_) | Type::Table(_) | Type::Graphs(_) | Type::Str | Type::Unknown) {
                    self.err(mismatch(
                        &Type::List(Box::new(Type::Unknown)),
                        &types[0],
                        c.arg_span(0),
                        "`len` takes a list, a table or a string",
                    ));
                }
                Type::Num
            }
            Builtin::Str => Type::Str,
            Builtin::Range => {
                self.want_arg(c, 0, Type::Num, "`range` takes a count");
                num_list
            }
            Builtin::Uniform | Builtin::Normal => {
                for i in 0..types.len() {
                    self.want_arg(c, i, Type::Num, "takes numbers");
                }
                num_list
            }
            Builtin::Sum | Builtin::Std => {
                self.want_arg(c, 0, num_list, "takes a list of numbers");
                Type::Num
            }
            Builtin::Map => {
                let elem = match &types[0] {
                    Type::List(e) => (**e).clone(),
                    Type::Unknown => Type::Unknown,
                    other => {
                        self.err(mismatch(
                            &Type::List(Box::new(Type::Unknown)),
                            other,
                            c.arg_span(0),
                            "`map` takes a list",
                        ));
                        Type::Unknown
                    }
                };
                let out = match &types[1] {
                    Type::UserFn(id) => self.instantiate(*id, vec![elem]),
                    Type::OpFn(_) => elem,
                    Type::Builtin(_) | Type::Unknown => Type::Unknown,
                    other => {
                        self.err(
                            Diagnostic::new(
                                Code::NotCallable,
                                format!("`map` needs a function, found {other}"),
                                c.arg_span(1),
                            )
                            .with_label("not a function")
                            .with_help("pass the name of a function defined with `fn`"),
                        );
                        Type::Unknown
                    }
                };
                Type::List(Box::new(out))
            }
            Builtin::Assert => {
                self.want_arg(c, 0, Type::Bool, "`assert` takes a condition");
                self.want_arg(c, 1, Type::Str, "the message is a string");
                Type::Nothing
            }
            Builtin::R2 => {
                self.want_arg(c, 0, num_list.clone(), "predictions are a list of numbers");
                self.want_arg(c, 1, num_list, "targets are a list of numbers");
                Type::Num
            }
            Builtin::Param => {
                self.want_arg(c, 0, Type::Str, "a parameter's name is a string");
                match &types[1] {
                    Type::Num | Type::Str | Type::Bool | Type::Unknown => types[1].clone(),
                    other => {
                        self.err(mismatch(
                            &Type::Num,
                            other,
                            c.arg_span(1),
                            "a parameter's default is a number, a string or a bool",
                        ));
                        Type::Unknown
                    }
                }
            }
            _ => unreachable!("`{}` is typed by another group", c.b.name()),
        }
    }

    /// Typing rules: Tables: files, splits, columns and rows.
    fn tables_type(&mut self, c: &BCall) -> Type {
        let types = c.types();
        let num_list = Type::List(Box::new(Type::Num));
        match c.b {
            Builtin::Load => {
                self.want_arg(c, 0, Type::Str, "`load` takes a path");
                let t = match c.lit(0) {
                    Some(Lit::Str(path)) => self.table_from_file(path, c.arg_span(0)),
                    _ => Type::Table(None),
                };
                match c.given[1] {
                    true => self.with_units_type(t, &c.args[1]),
                    false => t,
                }
            }
            Builtin::WithUnits => {
                self.want_arg(c, 0, Type::Table(None), "`with_units` takes a table");
                self.with_units_type(types[0].clone(), &c.args[1])
            }
            Builtin::Save => {
                if !matches!(types[0], Type::Table(_) | Type::Graphs(_) | Type::Network { .. } | Type::Unknown) {
                    self.err(mismatch(
                        &Type::Table(None),
                        &types[0],
                        c.arg_span(0),
                        "`save` writes a table, graphs or a network",
                    ));
                }
                self.want_arg(c, 1, Type::Str, "`save` takes a path");
                Type::Nothing
            }
            Builtin::Split => {
                if matches!(types[0], Type::Graphs(_)) {
                    self.want_arg(c, 1, Type::Num, "the fraction is a number");
                    self.want_arg(c, 2, Type::Num, "the seed is a number");
                    let g = types[0].clone();
                    return Type::Record(vec![("train".into(), g.clone()), ("test".into(), g)]);
                }
                self.want_arg(c, 0, Type::Table(None), "`split` takes a table or graphs");
                self.want_arg(c, 1, Type::Num, "the fraction is a number");
                self.want_arg(c, 2, Type::Num, "the seed is a number");
                if let Some(Lit::Num(f)) = c.lit(1) {
                    if !(*f > 0.0 && *f < 1.0) {
                        self.err(
                            Diagnostic::new(
                                Code::BadArgument,
                                format!("split fraction {f} is outside (0, 1)"),
                                c.arg_span(1),
                            )
                            .with_label("not a fraction")
                            .with_help("give the training share, e.g. 0.75"),
                        );
                    }
                }
                let t = if matches!(types[0], Type::Table(_)) { types[0].clone() } else { Type::Table(None) };
                Type::Record(vec![("train".into(), t.clone()), ("test".into(), t)])
            }
            Builtin::Columns => {
                self.want_arg(c, 0, Type::Table(None), "`columns` takes a table");
                Type::List(Box::new(Type::Str))
            }
            Builtin::Column => {
                self.want_arg(c, 0, Type::Table(None), "`column` takes a table");
                self.want_arg(c, 1, Type::Str, "the column name is a string");
                if let (Type::Table(Some(info)), Some(Lit::Str(col))) = (&types[0], c.lit(1)) {
                    if !info.columns.iter().any(|x| **x == **col) {
                        self.err(unknown_column(col, &info.columns, &info.origin, c.arg_span(1)));
                    }
                }
                num_list
            }
            Builtin::Head | Builtin::Dropnan => {
                self.want_arg(c, 0, Type::Table(None), "takes a table");
                if c.b == Builtin::Head {
                    self.want_arg(c, 1, Type::Num, "the row count is a number");
                }
                if matches!(types[0], Type::Table(_)) {
                    types[0].clone()
                } else {
                    Type::Table(None)
                }
            }
            Builtin::WithColumn => {
                self.want_arg(c, 0, Type::Table(None), "`with_column` takes a table");
                self.want_arg(c, 1, Type::Str, "the column name is a string");
                match &types[2] {
                    Type::List(_) | Type::Unknown => {}
                    Type::Formula(v) => {
                        self.check_vars_in_table(v.as_ref(), &types[0], &c.arg_span(2));
                        self.check_formula_dims(&c.args[2], &types[0]);
                    }
                    other => self.err(mismatch(
                        &num_list,
                        other,
                        c.arg_span(2),
                        "a column is a list of numbers or a formula",
                    )),
                }
                match (&types[0], c.lit(1)) {
                    (Type::Table(Some(info)), Some(Lit::Str(col))) => {
                        let dim = literal_formula_dim(&c.args[2], &types[0]);
                        let mut info = info.clone();
                        match info.columns.iter().position(|x| **x == **col) {
                            Some(i) => info.dims[i] = dim,
                            None => {
                                info.columns.push(col.to_string());
                                info.dims.push(dim);
                            }
                        }
                        Type::Table(Some(info))
                    }
                    _ => Type::Table(None),
                }
            }
            Builtin::Table => {
                match &types[0] {
                    Type::Record(fields) => {
                        for (n, t) in fields {
                            if !t.fits(&num_list) {
                                self.err(mismatch(
                                    &num_list,
                                    t,
                                    c.arg_span(0),
                                    &format!("column `{n}` must be a list of numbers"),
                                ));
                            }
                        }
                        let columns = fields.iter().map(|(n, _)| n.clone()).collect();
                        return Type::Table(Some(TableInfo::unitless("the table", columns)));
                    }
                    Type::Unknown => {}
                    other => self.err(mismatch(
                        &Type::Record(vec![]),
                        other,
                        c.arg_span(0),
                        "`table` takes a record of columns",
                    )),
                }
                Type::Table(None)
            }
            _ => unreachable!("`{}` is typed by another group", c.b.name()),
        }
    }

    /// Typing rules: Formulas: evaluation, symbolic manipulation and printing.
    fn formulas_type(&mut self, c: &BCall) -> Type {
        let name = c.b.name();
        let types = c.types();
        let extra_types = c.extra();
        let span = c.span.clone();
        let num_list = Type::List(Box::new(Type::Num));
        match c.b {
            Builtin::Eval => {
                let vars = match &types[0] {
                    Type::Formula(v) => v.clone(),
                    Type::Unknown => None,
                    other => {
                        self.err(mismatch(&Type::Formula(None), other, c.arg_span(0), "`eval` evaluates a formula"));
                        None
                    }
                };
                if c.given[1] {
                    self.check_vars_in_table(vars.as_ref(), &types[1], &c.arg_span(1));
                    self.check_formula_dims(&c.args[0], &types[1]);
                    return match &types[1] {
                        Type::Table(_) => match literal_formula_dim(&c.args[0], &types[1]) {
                            Some(d) => Type::List(Box::new(Type::Quantity(d))),
                            None => num_list,
                        },
                        Type::Unknown => num_list,
                        other => {
                            self.err(mismatch(&Type::Table(None), other, c.arg_span(1), "`eval(f, t)` takes a table"));
                            Type::Unknown
                        }
                    };
                }
                for (n, t, s) in &extra_types {
                    if !t.fits(&Type::Num) {
                        self.err(mismatch(&Type::Num, t, s.clone(), &format!("the value of `{n}` must be a number")));
                    }
                }
                let given: Vec<&str> = extra_types.iter().map(|(n, _, _)| n.as_str()).collect();
                self.check_all_vars_given(vars.as_ref(), &given, &span);
                Type::Num
            }
            Builtin::Simplify
            | Builtin::Latex
            | Builtin::Sympy
            | Builtin::Vars
            | Builtin::Constants
            | Builtin::Complexity
            | Builtin::Diff
            | Builtin::Subs => {
                let fvars = match &types[0] {
                    Type::Formula(v) => v.clone(),
                    Type::Num if c.b == Builtin::Simplify => Some(vec![]),
                    // A fit's law, its constants written with their units.
                    Type::ConstFit | Type::SearchResult if matches!(c.b, Builtin::Latex | Builtin::Sympy) => None,
                    Type::Unknown => None,
                    other => {
                        self.err(mismatch(
                            &Type::Formula(None),
                            other,
                            c.arg_span(0),
                            &format!("`{name}` takes a formula"),
                        ));
                        None
                    }
                };
                match name {
                    "simplify" => Type::Formula(fvars),
                    "latex" | "sympy" => Type::Str,
                    "vars" => Type::List(Box::new(Type::Str)),
                    "constants" => num_list,
                    "complexity" => {
                        self.want_arg(c, 1, Type::OpSet, "costs come from an operator set");
                        Type::Num
                    }
                    "diff" => {
                        self.want_arg(c, 1, Type::Str, "`diff` takes a variable name");
                        Type::Formula(None)
                    }
                    _ => {
                        for (n, t, s) in &extra_types {
                            if !matches!(t, Type::Num | Type::Formula(_) | Type::Unknown) {
                                self.err(mismatch(
                                    &Type::Formula(None),
                                    t,
                                    s.clone(),
                                    &format!("`{n}` is replaced by a number or a formula"),
                                ));
                            }
                        }
                        Type::Formula(None)
                    }
                }
            }
            Builtin::ParseFormula => {
                self.want_arg(c, 0, Type::Str, "`parse_formula` reads a string");
                if let Some(Lit::Str(text)) = c.lit(0) {
                    match crate::formula::parse_in(text, &self.ops) {
                        Ok(f) => return Type::Formula(Some(f.used_vars())),
                        Err(e) => self.err(
                            Diagnostic::new(Code::NotSymbolic, format!("not a formula: {}", e.message), c.arg_span(0))
                                .with_label("in this string")
                                .with_help("write plain infix such as \"m1 * m2 / r^2\""),
                        ),
                    }
                }
                Type::Formula(None)
            }
            _ => unreachable!("`{}` is typed by another group", c.b.name()),
        }
    }

    fn fit(&mut self, c: &BCall) -> Type {
        let types = c.types();
        if !types[0].fits(&Type::Table(None)) {
            self.err(mismatch(&Type::Table(None), &types[0], c.arg_span(0), "`fit` takes a table"));
        }
        let Some(Lit::Model(spec)) = c.lit(1) else {
            if !types[1].fits(&Type::Model) {
                self.err(mismatch(&Type::Model, &types[1], c.arg_span(1), "`fit` takes a model `y ~ ...`"));
            }
            return Type::Unknown;
        };
        if let Type::Table(Some(info)) = &types[0] {
            if let Err(ds) = classify_names(spec, &info.columns, &info.origin, &c.arg_span(1)) {
                self.errs(ds);
            }
        }
        if spec.is_search() {
            Type::SearchResult
        } else {
            Type::ConstFit
        }
    }

    /// A formula literal evaluated on a table with units must combine them consistently.
    fn check_formula_dims(&mut self, formula: &tree::Expr, table: &Type) {
        if let (Kind::Lit(Lit::Formula(f, spans)), Type::Table(Some(info))) = (&formula.kind, table) {
            self.check_dims(f, spans, info, &formula.span);
        }
    }

    /// The type of a table once a record of units is applied: each unit string that is a literal
    /// is read now (a `bad-unit` at its span), each column named must exist.
    fn with_units_type(&mut self, table: Type, units: &tree::Expr) -> Type {
        let Kind::Record(fields) = &units.kind else {
            if !matches!(units.ty, Type::Record(_) | Type::Unknown) {
                self.err(mismatch(
                    &Type::Record(vec![]),
                    &units.ty,
                    units.span.clone(),
                    "units are a record: {r: \"m\"}",
                ));
            }
            return match table {
                Type::Table(_) => Type::Table(None),
                other => other,
            };
        };
        let mut info = match &table {
            Type::Table(Some(info)) => Some(info.clone()),
            _ => None,
        };
        for (name, x) in fields {
            let Kind::Lit(Lit::Str(text)) = &x.kind else {
                if !x.ty.fits(&Type::Str) {
                    self.err(mismatch(&Type::Str, &x.ty, x.span.clone(), "a unit is a string such as \"m/s\""));
                }
                if let Some(i) = info.as_mut().and_then(|i| i.columns.iter().position(|c| c == name).map(|p| (i, p))) {
                    i.0.dims[i.1] = None;
                }
                continue;
            };
            let unit = match sdl_units::Unit::parse(text) {
                Ok(u) => u,
                Err(e) => {
                    // The error's range is inside the string; the literal's span starts at its quote.
                    let at = x.span.start + 1 + e.span.start..(x.span.start + 1 + e.span.end).min(x.span.end);
                    self.err(
                        Diagnostic::new(Code::BadUnit, format!("unit of `{name}`: {e}"), at)
                            .with_label("not a unit")
                            .with_help(crate::diag::unit_help(&e)),
                    );
                    continue;
                }
            };
            if let Some(info) = info.as_mut() {
                match info.columns.iter().position(|c| c == name) {
                    Some(i) if info.dims[i].is_some() => self.err(
                        Diagnostic::new(
                            Code::BadUnit,
                            crate::domain::columns::already_has_units(name, info.dims[i].unwrap_or(unit.dim)),
                            x.span.clone(),
                        )
                        .with_label("given again here")
                        .with_help(crate::domain::columns::UNITS_ONCE),
                    ),
                    Some(i) => info.dims[i] = Some(unit.dim),
                    None => self.err(unknown_column(name, &info.columns, &info.origin, x.span.clone())),
                }
            }
        }
        match (table, info) {
            (_, Some(info)) => Type::Table(Some(info)),
            (Type::Table(_), None) => Type::Table(None),
            (other, None) => other,
        }
    }

    fn table_from_file(&mut self, path: &str, span: Span) -> Type {
        match crate::data::read_header(std::path::Path::new(path)) {
            Ok(Some((columns, dims))) => Type::Table(Some(TableInfo { origin: path.to_string(), columns, dims })),
            // A file that does not exist yet may be written by the program before it is read;
            // the executor reports it if it is still missing then.
            Ok(None) => Type::Table(None),
            Err(d) => {
                self.err(d.with_span(span));
                Type::Table(None)
            }
        }
    }
}

/// The checked expression of a parameter's default.
fn default_arg(d: Default, span: &Span) -> tree::Expr {
    let (lit, ty) = match d {
        Default::Required | Default::Absent => (Lit::Nothing, Type::Nothing),
        Default::Num(v) => (Lit::Num(v), Type::Num),
        Default::Str(s) => (Lit::Str(s.into()), Type::Str),
        Default::Bool(b) => (Lit::Bool(b), Type::Bool),
    };
    tree::Expr::lit(lit, ty, span.clone())
}

/// The dimension of a formula literal's values over a table whose columns have units
/// (`formula { m1 * m2 / r^2 }` over kg, kg, m: kg^2/m^2), as the executor computes it.
fn literal_formula_dim(formula: &tree::Expr, table: &Type) -> Option<sdl_units::Dim> {
    match (&formula.kind, table) {
        (Kind::Lit(Lit::Formula(f, _)), Type::Table(Some(info))) => crate::domain::formula_dim(f, |v| info.dim(v)),
        _ => None,
    }
}
