//! sdl: the language, its front end and its runtime.

pub use sdl_formula as formula;
pub use sdl_kernel as kernel;
pub use sdl_search as search;
