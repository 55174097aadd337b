//! Typing rules of the built-in functions (one arm per name in `crate::builtins::BUILTINS`),
//! including `fit`'s options and model, `load`'s header reading and `simulate_nbody`'s tables.

use super::*;

impl Checker {
    pub(super) fn builtin(&mut self, name: &'static str, args: &[Arg], span: Span) -> Type {
        let spec = builtins::lookup(name).expect("builtin types come from the table");
        let params: Vec<(&str, bool)> = spec.params.iter().map(|p| (p.name, p.required)).collect();
        let (slots, extra) = self.bind_args(name, &params, args, spec.open_named, &span);
        // Arguments that name a variable symbolically are not looked up.
        let symbolic_param = |p: &str| (name == "diff" && p == "var") || (name == "fit" && p == "model");
        let mut types: Vec<Type> = Vec::new();
        for (p, slot) in spec.params.iter().zip(&slots) {
            types.push(match slot {
                Some(a) if symbolic_param(p.name) => match &a.value.kind {
                    ExprKind::Var(_) if name == "diff" => Type::Str,
                    _ => self.expr(&a.value),
                },
                Some(a) => self.expr(&a.value),
                None => Type::Nothing,
            });
        }
        let extra_types: Vec<(String, Type, Span)> = extra
            .iter()
            .map(|a| {
                (a.name.as_ref().map(|n| n.name.clone()).unwrap_or_default(), self.expr(&a.value), a.value.span.clone())
            })
            .collect();
        let arg_span = |i: usize| slots[i].map(|a| a.value.span.clone()).unwrap_or(span.clone());
        let want = |c: &mut Checker, i: usize, t: Type, why: &str| {
            if slots[i].is_some() && !types[i].fits(&t) {
                c.err(mismatch(&t, &types[i], arg_span(i), why));
            }
        };
        let num_list = Type::List(Box::new(Type::Num));
        match name {
            "len" => {
                if !matches!(types[0], Type::List(_) | Type::Table(_) | Type::Graphs(_) | Type::Str | Type::Unknown) {
                    self.err(mismatch(
                        &Type::List(Box::new(Type::Unknown)),
                        &types[0],
                        arg_span(0),
                        "`len` takes a list, a table or a string",
                    ));
                }
                Type::Num
            }
            "str" => Type::Str,
            "range" => {
                want(self, 0, Type::Num, "`range` takes a count");
                num_list
            }
            "uniform" | "normal" => {
                for i in 0..types.len() {
                    want(self, i, Type::Num, "takes numbers");
                }
                num_list
            }
            "sum" | "mean" | "std" => {
                want(self, 0, num_list, "takes a list of numbers");
                Type::Num
            }
            "map" => {
                let elem = match &types[0] {
                    Type::List(e) => (**e).clone(),
                    Type::Unknown => Type::Unknown,
                    other => {
                        self.err(mismatch(
                            &Type::List(Box::new(Type::Unknown)),
                            other,
                            arg_span(0),
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
                                arg_span(1),
                            )
                            .with_label("not a function")
                            .with_help("pass the name of a function defined with `fn`"),
                        );
                        Type::Unknown
                    }
                };
                Type::List(Box::new(out))
            }
            "assert" => {
                want(self, 0, Type::Bool, "`assert` takes a condition");
                want(self, 1, Type::Str, "the message is a string");
                Type::Nothing
            }
            "is_finite" => match &types[0] {
                Type::Formula(v) => Type::Formula(v.clone()),
                _ => {
                    want(self, 0, Type::Num, "`is_finite` takes a number or a formula");
                    Type::Bool
                }
            },
            "load" => {
                want(self, 0, Type::Str, "`load` takes a path");
                match slots[0].map(|a| &a.value.kind) {
                    Some(ExprKind::Str(path)) => self.table_from_file(path, arg_span(0)),
                    _ => Type::Table(None),
                }
            }
            "save" => {
                if !matches!(types[0], Type::Table(_) | Type::Graphs(_) | Type::Network { .. } | Type::Unknown) {
                    self.err(mismatch(
                        &Type::Table(None),
                        &types[0],
                        arg_span(0),
                        "`save` writes a table, graphs or a network",
                    ));
                }
                want(self, 1, Type::Str, "`save` takes a path");
                Type::Nothing
            }
            "split" => {
                if matches!(types[0], Type::Graphs(_)) {
                    want(self, 1, Type::Num, "the fraction is a number");
                    want(self, 2, Type::Num, "the seed is a number");
                    let g = types[0].clone();
                    return Type::Record(vec![("train".into(), g.clone()), ("test".into(), g)]);
                }
                want(self, 0, Type::Table(None), "`split` takes a table or graphs");
                want(self, 1, Type::Num, "the fraction is a number");
                want(self, 2, Type::Num, "the seed is a number");
                if let Some(ExprKind::Num(f)) = slots[1].map(|a| &a.value.kind) {
                    if !(*f > 0.0 && *f < 1.0) {
                        self.err(
                            Diagnostic::new(
                                Code::BadArgument,
                                format!("split fraction {f} is outside (0, 1)"),
                                arg_span(1),
                            )
                            .with_label("not a fraction")
                            .with_help("give the training share, e.g. 0.75"),
                        );
                    }
                }
                let t = if matches!(types[0], Type::Table(_)) { types[0].clone() } else { Type::Table(None) };
                Type::Record(vec![("train".into(), t.clone()), ("test".into(), t)])
            }
            "rows" => {
                want(self, 0, Type::Table(None), "`rows` takes a table");
                Type::Num
            }
            "columns" => {
                want(self, 0, Type::Table(None), "`columns` takes a table");
                Type::List(Box::new(Type::Str))
            }
            "column" => {
                want(self, 0, Type::Table(None), "`column` takes a table");
                want(self, 1, Type::Str, "the column name is a string");
                if let (Type::Table(Some(info)), Some(ExprKind::Str(c))) = (&types[0], slots[1].map(|a| &a.value.kind))
                {
                    if !info.columns.contains(c) {
                        self.err(unknown_column(c, &info.columns, &info.origin, arg_span(1)));
                    }
                }
                num_list
            }
            "head" | "dropnan" => {
                want(self, 0, Type::Table(None), "takes a table");
                if name == "head" {
                    want(self, 1, Type::Num, "the row count is a number");
                }
                if matches!(types[0], Type::Table(_)) {
                    types[0].clone()
                } else {
                    Type::Table(None)
                }
            }
            "with_column" => {
                want(self, 0, Type::Table(None), "`with_column` takes a table");
                want(self, 1, Type::Str, "the column name is a string");
                match &types[2] {
                    Type::List(_) | Type::Unknown => {}
                    Type::Formula(v) => self.check_vars_in_table(v.as_ref(), &types[0], &arg_span(2)),
                    other => {
                        self.err(mismatch(&num_list, other, arg_span(2), "a column is a list of numbers or a formula"))
                    }
                }
                match (&types[0], slots[1].map(|a| &a.value.kind)) {
                    (Type::Table(Some(info)), Some(ExprKind::Str(c))) => {
                        let mut info = info.clone();
                        if !info.columns.contains(c) {
                            info.columns.push(c.clone());
                        }
                        Type::Table(Some(info))
                    }
                    _ => Type::Table(None),
                }
            }
            "table" => {
                match &types[0] {
                    Type::Record(fields) => {
                        for (n, t) in fields {
                            if !t.fits(&num_list) {
                                self.err(mismatch(
                                    &num_list,
                                    t,
                                    arg_span(0),
                                    &format!("column `{n}` must be a list of numbers"),
                                ));
                            }
                        }
                        return Type::Table(Some(TableInfo {
                            origin: "the table".into(),
                            columns: fields.iter().map(|(n, _)| n.clone()).collect(),
                        }));
                    }
                    Type::Unknown => {}
                    other => self.err(mismatch(
                        &Type::Record(vec![]),
                        other,
                        arg_span(0),
                        "`table` takes a record of columns",
                    )),
                }
                Type::Table(None)
            }
            "eval" => {
                let vars = match &types[0] {
                    Type::Formula(v) => v.clone(),
                    Type::Unknown => None,
                    other => {
                        self.err(mismatch(&Type::Formula(None), other, arg_span(0), "`eval` evaluates a formula"));
                        None
                    }
                };
                if slots[1].is_some() {
                    self.check_vars_in_table(vars.as_ref(), &types[1], &arg_span(1));
                    return match &types[1] {
                        Type::Table(_) | Type::Unknown => num_list,
                        other => {
                            self.err(mismatch(&Type::Table(None), other, arg_span(1), "`eval(f, t)` takes a table"));
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
            "simplify" | "latex" | "sympy" | "vars" | "constants" | "complexity" | "diff" | "subs" => {
                let fvars = match &types[0] {
                    Type::Formula(v) => v.clone(),
                    Type::Num if name == "simplify" => Some(vec![]),
                    Type::Unknown => None,
                    other => {
                        self.err(mismatch(
                            &Type::Formula(None),
                            other,
                            arg_span(0),
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
                        want(self, 1, Type::OpSet, "costs come from an operator set");
                        Type::Num
                    }
                    "diff" => {
                        want(self, 1, Type::Str, "`diff` takes a variable name");
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
            "parse_formula" => {
                want(self, 0, Type::Str, "`parse_formula` reads a string");
                if let Some(ExprKind::Str(text)) = slots[0].map(|a| &a.value.kind) {
                    match crate::formula::parse(text) {
                        Ok(f) => return Type::Formula(Some(f.used_vars())),
                        Err(e) => self.err(
                            Diagnostic::new(Code::NotSymbolic, format!("not a formula: {}", e.message), arg_span(0))
                                .with_label("in this string")
                                .with_help("write plain infix such as \"m1 * m2 / r^2\""),
                        ),
                    }
                }
                Type::Formula(None)
            }
            "fit" => self.fit(&types, &slots, &extra_types, &span),
            "train" | "refit" | "messages" | "message_r2" | "replace" | "predict" | "mae" | "load_model"
            | "load_graphs" | "param" | "except" => self.network_builtin(name, &types, &slots, &extra_types, &span),
            "simulate_nbody" => {
                want(self, 0, Type::Str, "the law is a string such as \"spring\"");
                for i in 1..types.len() {
                    want(self, i, Type::Num, "counts and the seed are numbers");
                }
                if let Some(ExprKind::Str(law)) = slots[0].map(|a| &a.value.kind) {
                    if crate::sim::Law::from_name(law).is_none() {
                        self.err(unknown_law(law, arg_span(0)));
                    }
                }
                let dim = match slots[2].map(|a| &a.value.kind) {
                    None => Some(2),
                    Some(ExprKind::Num(d)) if *d == 2.0 || *d == 3.0 => Some(*d as usize),
                    Some(ExprKind::Num(d)) => {
                        self.err(
                            Diagnostic::new(Code::BadArgument, format!("dim {d} is not 2 or 3"), arg_span(2))
                                .with_label("unsupported dimension")
                                .with_help("simulate in 2 or 3 dimensions"),
                        );
                        None
                    }
                    Some(_) => None,
                };
                Type::Graphs(dim)
            }
            "r2" => {
                want(self, 0, num_list.clone(), "predictions are a list of numbers");
                want(self, 1, num_list, "targets are a list of numbers");
                Type::Num
            }
            other => unreachable!("builtin `{other}` has no typing rule"),
        }
    }

    fn fit(&mut self, types: &[Type], slots: &[Option<&Arg>], extra: &[(String, Type, Span)], span: &Span) -> Type {
        if !types[0].fits(&Type::Table(None)) {
            self.err(mismatch(
                &Type::Table(None),
                &types[0],
                slots[0].map(|a| a.value.span.clone()).unwrap_or(span.clone()),
                "`fit` takes a table",
            ));
        }
        for (n, t, s) in extra {
            match FIT_OPTIONS.iter().find(|(o, _)| o == n) {
                None => {
                    let names: Vec<&str> = FIT_OPTIONS.iter().map(|(o, _)| *o).collect();
                    let help = match did_you_mean(n, names.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("options: {}", names.join(", ")),
                    };
                    self.err(
                        Diagnostic::new(Code::UnknownNamedArg, format!("`fit` has no option `{n}`"), s.clone())
                            .with_label("unknown option")
                            .with_help(help),
                    );
                }
                Some((_, "loss")) => {
                    if !matches!(t, Type::Str | Type::Formula(_) | Type::Unknown) {
                        self.err(mismatch(
                            &Type::Str,
                            t,
                            s.clone(),
                            "a loss is \"l2\", \"l1\", \"huber\" or a formula of pred and target",
                        ));
                    }
                }
                Some((_, "record")) => {
                    if !matches!(t, Type::Record(_) | Type::Unknown) {
                        self.err(mismatch(
                            &Type::Record(vec![]),
                            t,
                            s.clone(),
                            "initial values are a record, e.g. { a: 1, b: 0.5 }",
                        ));
                    }
                }
                Some((_, ty)) => {
                    let want = Type::from_name(ty, None).unwrap_or(Type::Unknown);
                    if !t.fits(&want) {
                        self.err(mismatch(&want, t, s.clone(), &format!("option `{n}` is {want}")));
                    }
                }
            }
        }
        let Some(model_arg) = slots[1] else { return Type::Unknown };
        let ExprKind::Model(l, r) = &model_arg.value.kind else {
            if !types[1].fits(&Type::Model) {
                self.err(mismatch(
                    &Type::Model,
                    &types[1],
                    model_arg.value.span.clone(),
                    "`fit` takes a model `y ~ ...`",
                ));
            }
            return Type::Unknown;
        };
        let Ok(spec) = to_model(l, r) else { return Type::Unknown };
        if let Type::Table(Some(info)) = &types[0] {
            if let Err(ds) = classify_names(&spec, &info.columns, &info.origin, &model_arg.value.span) {
                self.errs(ds);
            }
        }
        if spec.is_search() {
            Type::SearchResult
        } else {
            Type::ConstFit
        }
    }

    fn table_from_file(&mut self, path: &str, span: Span) -> Type {
        match crate::data::read_header(std::path::Path::new(path)) {
            Ok(Some(columns)) => Type::Table(Some(TableInfo { origin: path.to_string(), columns })),
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

/// Column names of the node and edge tables of a simulation in `dim` dimensions.
pub fn sim_columns(dim: usize) -> (Vec<String>, Vec<String>) {
    let empty = crate::sim::GraphData { law: crate::sim::Law::Spring, n: 2, dim, graphs: vec![] };
    (empty.node_columns().0, empty.edge_columns().0)
}

/// The diagnostic for a law name that does not exist.
pub fn unknown_law(law: &str, span: Span) -> Diagnostic {
    let names: Vec<&str> = crate::sim::Law::all().iter().map(|l| l.name()).collect();
    let help = match did_you_mean(law, names.iter().copied()) {
        Some(s) => format!("did you mean \"{s}\"? laws: {}", names.join(", ")),
        None => format!("laws: {}", names.join(", ")),
    };
    Diagnostic::new(Code::BadArgument, format!("no force law \"{law}\""), span)
        .with_label("unknown law")
        .with_help(help)
}
