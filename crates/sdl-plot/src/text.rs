//! Text in bitmaps, drawn with ab_glyph directly. plotters 0.3.7 draws ab_glyph text by
//! putting each glyph's bitmap at the pen position without the glyph's left side bearing, so
//! narrow glyphs sit too far left and words look unevenly spaced ("x^2 + 1 0"). [`Glyphs`]
//! wraps a backend, passes every drawing call through and draws text itself: advances,
//! kerning and bearings from the font, plotters' anchors (left/centre/right, top/centre/bottom)
//! and its four rotations, with anti-aliased coverage blended into the picture.
//!
//! Always true: text is measured ([`DrawingBackend::estimate_text_size`]) with the same layout
//! it is drawn with; only the shipped DejaVu Sans is used.

use ab_glyph::{point, Font, FontRef, GlyphId, PxScale, ScaleFont};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind};

/// A backend whose text is drawn by [`Glyphs::draw_text`]; everything else goes to `inner`.
pub struct Glyphs<B> {
    inner: B,
    font: Option<FontRef<'static>>,
}

impl<B: DrawingBackend> Glyphs<B> {
    pub fn new(inner: B) -> Glyphs<B> {
        Glyphs { inner, font: FontRef::try_from_slice(crate::font::DEJAVU_SANS).ok() }
    }
}

/// Glyphs and their pen positions, the advance width, and the ascent and descent.
struct Layout {
    glyphs: Vec<(GlyphId, f32)>,
    width: f32,
    ascent: f32,
    descent: f32,
}

fn layout(font: &FontRef<'static>, text: &str, size: f64) -> Layout {
    let sf = font.as_scaled(PxScale::from(size as f32));
    let mut x = 0.0;
    let mut prev: Option<GlyphId> = None;
    let mut glyphs = Vec::with_capacity(text.len());
    for c in text.chars() {
        let id = sf.glyph_id(c);
        if let Some(p) = prev {
            x += sf.kern(p, id);
        }
        glyphs.push((id, x));
        x += sf.h_advance(id);
        prev = Some(id);
    }
    Layout { glyphs, width: x, ascent: sf.ascent(), descent: sf.descent() }
}

impl<B: DrawingBackend> DrawingBackend for Glyphs<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let Some(font) = &self.font else { return self.inner.estimate_text_size(text, style) };
        let l = layout(font, text, style.size());
        Ok((l.width.ceil().max(0.0) as u32, (l.ascent - l.descent).ceil().max(0.0) as u32))
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let Some(font) = self.font.clone() else { return self.inner.draw_text(text, style, pos) };
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let l = layout(&font, text, style.size());
        let height = l.ascent - l.descent;
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Center => -l.width / 2.0,
            HPos::Right => -l.width,
        };
        let dy = match anchor.v_pos {
            VPos::Top => 0.0,
            VPos::Center => -height / 2.0,
            VPos::Bottom => -height,
        };
        let trans = style.transform();
        let scale = PxScale::from(style.size() as f32);
        let mut covered = Vec::new();
        for (id, x) in l.glyphs {
            let glyph = id.with_scale_and_position(scale, point(x + dx, l.ascent + dy));
            let Some(outline) = font.outline_glyph(glyph) else { continue };
            let b = outline.px_bounds();
            let (bx, by) = (b.min.x.floor() as i32, b.min.y.floor() as i32);
            outline.draw(|gx, gy, c| covered.push((bx + gx as i32, by + gy as i32, c)));
        }
        for (x, y, c) in covered {
            if c <= 0.0 {
                continue;
            }
            let (tx, ty) = trans.transform(x, y);
            let alpha = color.alpha * f64::from(c.min(1.0));
            self.inner.draw_pixel((pos.0 + tx, pos.1 + ty), BackendColor { alpha, rgb: color.rgb })?;
        }
        Ok(())
    }
}
