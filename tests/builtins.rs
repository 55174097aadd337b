//! Every built-in has one definition that drives the checker, the executor and `:help`: each is
//! typed (the checker rejects arguments of the wrong type with a coded diagnostic), implemented
//! (the executor rejects `nothing` with a coded error, never a panic), documented (a doc line,
//! every option documented) and its example runs. The prelude's documented definitions carry
//! examples that evaluate to `true`.

mod common;

use sdl::builtins::{Named, ALL};
use sdl::exec::value::Value;
use sdl::exec::Vm;
use sdl::session::{Session, PRELUDE};

#[test]
fn the_checker_rejects_wrong_argument_types_for_every_builtin() {
    for b in ALL {
        if b.name() == "str" {
            continue; // `str` prints any value.
        }
        // Every parameter given a function, which no built-in parameter accepts.
        let args: Vec<String> = b.spec().params.iter().map(|p| format!("{}: print_me", p.name)).collect();
        let src = format!("fn print_me() = 1\nlet r = {}({})", b.name(), args.join(", "));
        let (mut s, _) = common::session();
        let diags = s.check_source("<case>", &src);
        assert!(!diags.is_empty(), "`{}` accepted functions for every parameter", b.name());
        for d in &diags {
            assert!(d.help.is_some(), "`{}`: {d:?}", b.name());
        }
    }
}

#[test]
fn the_executor_rejects_nothing_for_every_builtin() {
    for b in ALL {
        let mut vm = Vm::new(Box::new(std::io::sink()));
        let values: Vec<(Option<String>, Value)> = b.spec().params.iter().map(|_| (None, Value::Nothing)).collect();
        let result = vm.call(Value::Builtin(*b), values, &(0..0), 0);
        match result {
            Ok(_) => assert_eq!(b.name(), "str", "`{}` accepted `nothing`", b.name()),
            Err(d) => assert!(!d.message.is_empty() && d.help.is_some(), "`{}`: {d:?}", b.name()),
        }
    }
}

#[test]
fn every_builtin_and_option_is_documented_and_its_example_runs() {
    for b in ALL {
        let spec = b.spec();
        assert!(!spec.doc.is_empty(), "`{}` has no doc line", spec.name);
        assert!(spec.example.contains(spec.name), "`{}`'s example does not use it", spec.name);
        if let Named::Options(opts) = spec.named {
            for o in opts {
                assert!(!o.doc.is_empty(), "option `{}` of `{}` has no doc", o.name, spec.name);
            }
        }
        let mut s = Session::new(Box::new(std::io::sink()));
        if let Err(e) = s.run_source("<example>", spec.example) {
            panic!("the example of `{}` fails:\n{}", spec.name, s.render_error(&e));
        }
        let help = s.eval_input(&format!(":help {}", spec.name)).text;
        assert!(help.contains(&b.signature()) && help.contains(spec.doc), "{help}");
    }
}

#[test]
fn every_prelude_definition_is_documented_with_an_example_that_holds() {
    let docs = sdl::help::prelude_docs(PRELUDE);
    for name in ["mean", "rows", "is_finite", "default_ops", "physics_ops", "loss_l1", "phys"] {
        assert!(docs.iter().any(|d| d.name == name), "the prelude lacks `{name}`");
    }
    for d in docs {
        assert!(!d.doc.is_empty(), "`{}` has no doc comment", d.name);
        let example = d.example.unwrap_or_else(|| panic!("`{}` has no example", d.name));
        let mut s = Session::new(Box::new(std::io::sink()));
        match s.run_source("<example>", &example) {
            Ok(Value::Bool(true)) => {}
            Ok(other) => panic!("the example of `{}` gives {other}, not true: {example}", d.name),
            Err(e) => panic!("the example of `{}` fails:\n{}", d.name, s.render_error(&e)),
        }
        let help = s.eval_input(&format!(":help {}", d.name)).text;
        assert!(help.contains(&d.doc), "{help}");
    }
}
