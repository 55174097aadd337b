//! The one font every picture uses: DejaVu Sans (Bitstream Vera licence, `assets/fonts/`),
//! compiled into the binary and registered with plotters as `sans-serif`, so that text is drawn
//! the same on every machine, with or without system fonts.

use plotters::style::FontStyle;
use std::sync::Once;

/// DejaVu Sans 2.37 from Debian's `fonts-dejavu-core`.
pub(crate) static DEJAVU_SANS: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");

static REGISTER: Once = Once::new();

/// Registers the font once per process (drawing calls this first).
pub fn ensure() {
    REGISTER.call_once(|| {
        // The bytes are a valid font, checked by a test; a failure would only lose text.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, DEJAVU_SANS);
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_font_registers() {
        assert!(plotters::style::register_font("check", plotters::style::FontStyle::Normal, super::DEJAVU_SANS).is_ok());
    }
}
