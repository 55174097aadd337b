//! A self-contained HTML page: sections of text, fact lists, tables (cells may hold MathML),
//! preformatted text and pictures inlined as `data:` URIs. In: a [`Page`]; out: one HTML
//! string ([`Page::to_html`]).
//!
//! Always true: the page loads nothing. Its Content-Security-Policy (`default-src 'none'`)
//! allows only inline styles and `data:` images, so it opens offline, and a browser would
//! refuse (and report) any outside resource. Text is escaped; only [`Html::raw`] passes
//! markup through (for MathML from the formula printer).

use base64::Engine;

/// A fragment of HTML: escaped text or trusted markup.
#[derive(Clone, Debug, PartialEq)]
pub struct Html(String);

impl Html {
    /// Text, escaped.
    pub fn text(s: impl AsRef<str>) -> Html {
        Html(escape(s.as_ref()))
    }

    /// Markup passed through as it is (MathML, a `<code>` span).
    pub fn raw(s: impl Into<String>) -> Html {
        Html(s.into())
    }

    /// Text in a `<code>` element.
    pub fn code(s: impl AsRef<str>) -> Html {
        Html(format!("<code>{}</code>", escape(s.as_ref())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One piece of a section.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A paragraph.
    Paragraph(Html),
    /// A two-column list of names and values.
    Facts(Vec<(String, Html)>),
    /// A table; `marked` is the row to emphasise (the chosen formula).
    Table { header: Vec<String>, rows: Vec<Vec<Html>>, marked: Option<usize> },
    /// A picture: PNG bytes or an SVG document, with its size and a caption.
    Picture { caption: String, bytes: Vec<u8>, svg: bool, width: u32, height: u32 },
    /// Preformatted text, folded under a summary line.
    Folded { summary: String, text: String },
}

/// A titled part of the page.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
}

impl Section {
    pub fn new(heading: impl Into<String>) -> Section {
        Section { heading: heading.into(), blocks: Vec::new() }
    }

    /// The section with one more block.
    pub fn with(mut self, block: Block) -> Section {
        self.blocks.push(block);
        self
    }
}

/// A whole page.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    pub title: String,
    /// One line under the title (what wrote the page, when).
    pub byline: String,
    pub sections: Vec<Section>,
}

const STYLE: &str = "
body { font-family: 'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif; margin: 2rem auto; max-width: 70rem;
       padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
.byline { color: #666; margin-top: 0; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { border: 1px solid #ddd; padding: 0.3rem 0.6rem; text-align: left; vertical-align: middle; }
th { background: #f4f4f4; }
tr.marked td { background: #fff3c4; font-weight: bold; }
table.facts th { width: 16rem; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
math { font-size: 1.15em; math-style: normal; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9rem; }
pre { background: #f7f7f7; padding: 0.6rem; overflow-x: auto; font-size: 0.85rem; }
code { font-size: 0.9em; }
";

const CSP: &str = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

impl Page {
    /// The page as one HTML document.
    pub fn to_html(&self) -> String {
        let mut out = String::with_capacity(64 * 1024);
        out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        out.push_str(&format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"));
        out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        out.push_str(&format!("<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n", escape(&self.title)));
        out.push_str(&format!("<h1>{}</h1>\n<p class=\"byline\">{}</p>\n", escape(&self.title), escape(&self.byline)));
        for s in &self.sections {
            out.push_str(&format!("<section>\n<h2>{}</h2>\n", escape(&s.heading)));
            for b in &s.blocks {
                write_block(&mut out, b);
            }
            out.push_str("</section>\n");
        }
        out.push_str("</body>\n</html>\n");
        out
    }
}

fn write_block(out: &mut String, b: &Block) {
    match b {
        Block::Paragraph(h) => out.push_str(&format!("<p>{}</p>\n", h.0)),
        Block::Facts(rows) => {
            out.push_str("<table class=\"facts\">\n");
            for (k, v) in rows {
                out.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>\n", escape(k), v.0));
            }
            out.push_str("</table>\n");
        }
        Block::Table { header, rows, marked } => {
            out.push_str("<table>\n<tr>");
            for h in header {
                out.push_str(&format!("<th>{}</th>", escape(h)));
            }
            out.push_str("</tr>\n");
            for (i, row) in rows.iter().enumerate() {
                out.push_str(if Some(i) == *marked { "<tr class=\"marked\">" } else { "<tr>" });
                for cell in row {
                    let numeric = !cell.0.is_empty() && cell.0.parse::<f64>().is_ok();
                    out.push_str(if numeric { "<td class=\"num\">" } else { "<td>" });
                    out.push_str(&cell.0);
                    out.push_str("</td>");
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</table>\n");
        }
        Block::Picture { caption, bytes, svg, width, height } => {
            let mime = if *svg { "image/svg+xml" } else { "image/png" };
            let data = base64::engine::general_purpose::STANDARD.encode(bytes);
            out.push_str(&format!(
                "<figure><img src=\"data:{mime};base64,{data}\" width=\"{width}\" height=\"{height}\" alt=\"{}\">\
                 <figcaption>{}</figcaption></figure>\n",
                escape(caption),
                escape(caption)
            ));
        }
        Block::Folded { summary, text } => {
            out.push_str(&format!(
                "<details><summary>{}</summary><pre>{}</pre></details>\n",
                escape(summary),
                escape(text)
            ));
        }
    }
}

/// `&`, `<`, `>`, `"` and `'` as entities.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_raw_markup_is_kept() {
        let page = Page {
            title: "a < b".into(),
            byline: "by \"sdl\"".into(),
            sections: vec![Section::new("Results")
                .with(Block::Paragraph(Html::text("x & y")))
                .with(Block::Facts(vec![("formula".into(), Html::raw("<math><mi>x</mi></math>"))]))],
        };
        let html = page.to_html();
        assert!(html.contains("<h1>a &lt; b</h1>"));
        assert!(html.contains("<p>x &amp; y</p>"));
        assert!(html.contains("<td><math><mi>x</mi></math></td>"));
        assert!(html.contains("default-src 'none'"));
        assert!(!html.contains("http://") && !html.contains("https://"), "the page names no outside resource");
    }

    #[test]
    fn pictures_are_inlined_as_data_uris() {
        let page = Page {
            title: "t".into(),
            byline: String::new(),
            sections: vec![Section::new("Plots").with(Block::Picture {
                caption: "front".into(),
                bytes: vec![1, 2, 3],
                svg: false,
                width: 10,
                height: 20,
            })],
        };
        let html = page.to_html();
        assert!(html.contains("src=\"data:image/png;base64,AQID\" width=\"10\" height=\"20\""), "{html}");
    }
}
