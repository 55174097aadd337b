//! `sdl-search`: symbolic regression over formulas.
