//! Pictures shown inside a terminal: the kitty graphics protocol, iTerm2's inline images (also
//! spoken by WezTerm) and sixel. In: PNG bytes (kitty, iTerm2) or RGB pixels (sixel); out: the
//! escape sequence to write to the terminal. [`detect`] picks the protocol from the
//! environment; nothing here writes anywhere or asks the terminal anything.

use base64::Engine;

/// A way of showing images inline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Kitty,
    Iterm,
    Sixel,
}

impl Protocol {
    /// `kitty`, `iterm` or `sixel`.
    pub fn from_name(name: &str) -> Option<Protocol> {
        match name.trim().to_ascii_lowercase().as_str() {
            "kitty" => Some(Protocol::Kitty),
            "iterm" | "iterm2" => Some(Protocol::Iterm),
            "sixel" => Some(Protocol::Sixel),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Protocol::Kitty => "kitty",
            Protocol::Iterm => "iterm",
            Protocol::Sixel => "sixel",
        }
    }
}

/// The protocol the terminal speaks, read from the environment through `env`:
/// `SDL_IMAGE_PROTOCOL` (`kitty`, `iterm`, `sixel` or `none`) decides when set; otherwise kitty
/// (`TERM=xterm-kitty`, `KITTY_WINDOW_ID`, Ghostty), iTerm2 (`TERM_PROGRAM` iTerm.app or
/// WezTerm, `LC_TERMINAL=iTerm2`), sixel (a `TERM` naming sixel, foot, mlterm or contour).
/// `None` when nothing says the terminal shows images.
pub fn detect(env: &dyn Fn(&str) -> Option<String>) -> Option<Protocol> {
    if let Some(forced) = env("SDL_IMAGE_PROTOCOL") {
        return Protocol::from_name(&forced);
    }
    let term = env("TERM").unwrap_or_default().to_ascii_lowercase();
    let program = env("TERM_PROGRAM").unwrap_or_default().to_ascii_lowercase();
    if term.contains("kitty") || env("KITTY_WINDOW_ID").is_some() || program == "ghostty" {
        return Some(Protocol::Kitty);
    }
    if program == "iterm.app" || program == "wezterm" || env("LC_TERMINAL").is_some_and(|t| t == "iTerm2") {
        return Some(Protocol::Iterm);
    }
    if ["sixel", "foot", "mlterm", "contour"].iter().any(|t| term.contains(t)) {
        return Some(Protocol::Sixel);
    }
    None
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The kitty graphics protocol: transmit and display a PNG (`f=100`), in chunks of 4096
/// base64 characters as the protocol requires.
pub fn kitty(png: &[u8]) -> String {
    let data = base64(png);
    let chunks: Vec<&[u8]> = data.as_bytes().chunks(4096).collect();
    let mut out = String::with_capacity(data.len() + chunks.len() * 16);
    for (i, chunk) in chunks.iter().enumerate() {
        let more = u8::from(i + 1 < chunks.len());
        let head = if i == 0 { format!("a=T,f=100,m={more}") } else { format!("m={more}") };
        out.push_str(&format!("\x1b_G{head};{}\x1b\\", String::from_utf8_lossy(chunk)));
    }
    out.push('\n');
    out
}

/// iTerm2's inline image (OSC 1337 `File=`), which WezTerm also shows.
pub fn iterm(png: &[u8], name: &str) -> String {
    format!(
        "\x1b]1337;File=name={};size={};inline=1;preserveAspectRatio=1:{}\x07\n",
        base64(name.as_bytes()),
        png.len(),
        base64(png)
    )
}

/// Sixel graphics for an RGB image (`width * height * 3` bytes), quantised to a 6 x 6 x 6
/// colour cube, with run-length encoding.
pub fn sixel(rgb: &[u8], width: u32, height: u32) -> String {
    let (w, h) = (width as usize, height as usize);
    let level = |v: u8| (usize::from(v) * 5 + 127) / 255;
    let index: Vec<u8> =
        rgb.chunks_exact(3).take(w * h).map(|p| (36 * level(p[0]) + 6 * level(p[1]) + level(p[2])) as u8).collect();
    let mut out = format!("\x1bPq\"1;1;{w};{h}");
    for i in 0..216usize {
        let pct = |l: usize| l * 100 / 5;
        out.push_str(&format!("#{i};2;{};{};{}", pct(i / 36), pct(i / 6 % 6), pct(i % 6)));
    }
    for band in (0..h).step_by(6) {
        let rows = (h - band).min(6);
        let mut used = [false; 216];
        for y in band..band + rows {
            for &c in &index[y * w..(y + 1) * w] {
                used[usize::from(c)] = true;
            }
        }
        let mut first = true;
        for (colour, _) in used.iter().enumerate().filter(|(_, u)| **u) {
            if !first {
                out.push('$');
            }
            first = false;
            out.push_str(&format!("#{colour}"));
            let sixels = (0..w).map(|x| {
                let bits = (0..rows)
                    .filter(|k| usize::from(index[(band + k) * w + x]) == colour)
                    .fold(0u8, |b, k| b | (1 << k));
                (63 + bits) as char
            });
            push_runs(&mut out, sixels);
        }
        out.push('-');
    }
    out.push_str("\x1b\\\n");
    out
}

/// Appends sixel characters with runs of four or more written `!count char`.
fn push_runs(out: &mut String, chars: impl Iterator<Item = char>) {
    let mut run: Option<(char, usize)> = None;
    let flush = |out: &mut String, c: char, n: usize| {
        if n >= 4 {
            out.push_str(&format!("!{n}{c}"));
        } else {
            out.extend(std::iter::repeat_n(c, n));
        }
    };
    for c in chars {
        run = match run {
            Some((d, n)) if d == c => Some((d, n + 1)),
            Some((d, n)) => {
                flush(out, d, n);
                Some((c, 1))
            }
            None => Some((c, 1)),
        };
    }
    if let Some((d, n)) = run {
        flush(out, d, n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn the_protocol_follows_the_environment() {
        assert_eq!(detect(&env(&[("TERM", "xterm-kitty")])), Some(Protocol::Kitty));
        assert_eq!(detect(&env(&[("TERM_PROGRAM", "iTerm.app")])), Some(Protocol::Iterm));
        assert_eq!(detect(&env(&[("TERM_PROGRAM", "WezTerm")])), Some(Protocol::Iterm));
        assert_eq!(detect(&env(&[("TERM", "foot")])), Some(Protocol::Sixel));
        assert_eq!(detect(&env(&[("TERM", "xterm-256color")])), None);
        assert_eq!(detect(&env(&[("TERM", "xterm-kitty"), ("SDL_IMAGE_PROTOCOL", "none")])), None);
        assert_eq!(detect(&env(&[("SDL_IMAGE_PROTOCOL", "sixel")])), Some(Protocol::Sixel));
    }

    #[test]
    fn kitty_chunks_are_at_most_4096_characters_and_the_last_says_so() {
        let png = vec![7u8; 10_000];
        let s = kitty(&png);
        let parts: Vec<&str> = s.trim_end().split("\x1b\\").filter(|p| !p.is_empty()).collect();
        assert_eq!(parts.len(), 4); // 13,336 base64 characters
        assert!(parts[0].starts_with("\x1b_Ga=T,f=100,m=1;"));
        assert!(parts[3].starts_with("\x1b_Gm=0;"));
        assert!(parts.iter().all(|p| p.split_once(';').unwrap().1.len() <= 4096));
    }

    #[test]
    fn sixel_has_one_band_per_six_rows_and_run_lengths() {
        // 10 x 7 pixels of pure red: two bands, one colour each, a run of 10.
        let rgb: Vec<u8> = (0..70).flat_map(|_| [255u8, 0, 0]).collect();
        let s = sixel(&rgb, 10, 7);
        assert!(s.starts_with("\x1bPq\"1;1;10;7"));
        let body = &s[s.rfind("#215;2;100;100;100").unwrap() + "#215;2;100;100;100".len()..];
        assert_eq!(body, "#180!10~-#180!10@-\x1b\\\n");
    }
}
