//! Ctrl-C: the process-wide interrupt flag stops a running program with the `interrupted` code
//! and leaves the session usable. In its own test binary because the flag is global: setting it
//! would interrupt tests running beside it.

mod common;

use sdl::diag::Code;
use sdl::session::RunError;

#[test]
fn ctrl_c_interrupts_a_running_program() {
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
}
