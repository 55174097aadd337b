//! Helpers shared by the integration tests: a session whose `print` output is captured.

#![allow(dead_code)]

use sdl::session::Session;
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

/// A cloneable in-memory writer.
#[derive(Clone, Default)]
pub struct SharedBuf(pub Rc<RefCell<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl SharedBuf {
    /// Takes what was written so far.
    pub fn take(&self) -> String {
        String::from_utf8_lossy(&std::mem::take(&mut *self.0.borrow_mut())).into_owned()
    }
}

/// A session printing into a buffer.
pub fn session() -> (Session, SharedBuf) {
    let buf = SharedBuf::default();
    (Session::new(Box::new(buf.clone())), buf)
}

/// True when expected files should be rewritten from actual results (`SDL_BLESS=1`).
pub fn bless() -> bool {
    std::env::var_os("SDL_BLESS").is_some()
}
