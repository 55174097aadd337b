//! Ctrl-C: the process-wide interrupt flag stops a running program with the `interrupted` code
//! and leaves the session usable. In its own test binary because the flag is global: setting it
//! would interrupt tests running beside it.

mod common;

use sdl::diag::Code;
use sdl::session::RunError;

#[test]
fn ctrl_c_interrupts_a_running_program_and_stops_training_keeping_the_network() {
    let (mut s, _out) = common::session();
    let setter = std::thread::spawn(|| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        sdl::exec::INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    let r = s.run_source("<case>", "fn work(x) = x * 2 + 1\nlet xs = map(range(5000000), work)");
    setter.join().unwrap();
    match r {
        Err(RunError::Runtime(d)) => assert_eq!(d.code, Code::Interrupted),
        other => panic!("expected an interruption, got {other:?}"),
    }
    // The session is still usable afterwards.
    assert!(s.run_source("<case>", "print 1").is_ok());
    sdl::exec::INTERRUPTED.store(false, std::sync::atomic::Ordering::SeqCst);

    // Training stops between steps, consumes the interrupt and keeps the network trained so
    // far, so the program goes on with it. (One test function: the flag is process-wide.)
    let (mut s, out) = common::session();
    s.run_source(
        "<setup>",
        "let d = simulate_nbody(\"spring\", n: 3, sims: 1, steps: 50)\ngraphnet g { message: mlp(hidden: 16, layers: 1) -> 2, node: mlp(hidden: 16, layers: 1) -> 2 }",
    )
    .unwrap();
    let setter = std::thread::spawn(|| {
        std::thread::sleep(std::time::Duration::from_millis(400));
        sdl::exec::INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    let r = s.run_source(
        "<case>",
        "let m = train(g, d, steps: 100000000)\nprint m.stopped_early, m.steps < 100000000, mae(m, d) > 0",
    );
    setter.join().unwrap();
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(out.take().trim(), "true true true");
}
