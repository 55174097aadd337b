//! Every built-in in the shared table has a typing rule and an implementation: calling each one
//! with arguments of the wrong type gives coded diagnostics from the checker and from the
//! executor, never a panic.

mod common;

use sdl::builtins::BUILTINS;
use sdl::exec::value::Value;
use sdl::exec::Vm;

#[test]
fn every_builtin_is_typed_and_implemented() {
    for b in BUILTINS {
        // The checker: all parameters given, each of a type no built-in accepts everywhere.
        let args: Vec<String> = b.params.iter().map(|p| format!("{}: print_me", p.name)).collect();
        let src = format!("fn print_me() = 1\nlet r = {}({})", b.name, args.join(", "));
        let (mut s, _) = common::session();
        let _ = s.check_source("<case>", &src);
        // The executor: every parameter bound to `nothing`.
        let mut vm = Vm::new(Box::new(std::io::sink()));
        let values: Vec<(Option<String>, Value)> = b.params.iter().map(|_| (None, Value::Nothing)).collect();
        let result = vm.call(Value::Builtin(b.name), values, &(0..0), 0);
        // Only `str` accepts anything; every other built-in reports a coded error for `nothing`.
        match result {
            Ok(_) => assert_eq!(b.name, "str", "`{}` accepted `nothing`", b.name),
            Err(d) => assert!(!d.message.is_empty() && d.help.is_some(), "`{}`: {d:?}", b.name),
        }
    }
}
