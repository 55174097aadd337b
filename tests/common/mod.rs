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

/// The names (without extension) of the files in `dir` ending in `.ext`, sorted.
pub fn files_with_extension(dir: &str, ext: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string))
        .collect();
    names.sort();
    names
}

/// Fails unless the files found in `dir` and the names a test list holds are the same, so that
/// a new file cannot be forgotten (and a removed one is noticed).
pub fn assert_same_names(dir: &str, on_disk: &[String], listed: &[&str], list: &str) {
    let missing: Vec<&String> = on_disk.iter().filter(|n| !listed.contains(&n.as_str())).collect();
    let stale: Vec<&&str> = listed.iter().filter(|n| !on_disk.iter().any(|d| d == *n)).collect();
    assert!(missing.is_empty(), "files in {dir} without a test: {missing:?}; add them to {list}");
    assert!(stale.is_empty(), "{list} names files that are not in {dir}: {stale:?}");
}
