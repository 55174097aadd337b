//! Report pages opened in a real browser: headless Chromium (Debian's `chromium`, which
//! `.ci/run` installs when it is missing) loads a search's and a network's page from disk with
//! the network off, and the test checks that the page logs nothing to the console (no error, no
//! resource refused by the page's Content-Security-Policy), that its formulas are laid out as
//! MathML (a `<math>` element with MathML's display, fractions with the numerator above the
//! denominator), that every image loads at its full size, and that a screenshot is not blank.
//! A control page with a deliberate console error and an outside image shows the console check
//! works. Without Chromium the test says so and passes (only `.ci/run` guarantees it runs).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sdl-report-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs headless Chromium on a local page with `extra` flags (a fresh profile, no network
/// services); returns stdout and stderr.
fn chromium(page: &Path, profile: &Path, extra: &[&str]) -> (String, String) {
    let out = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// What the page logged to its console (Chromium prints it as `INFO:CONSOLE`).
fn console_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught")).collect()
}

/// A probe appended to a copy of the page: it measures images and MathML after loading and
/// writes the result as JSON into `<pre id="sdl-probe">` for `--dump-dom` to show.
const PROBE: &str = r#"<script>
window.addEventListener('load', () => {
  const maths = [...document.querySelectorAll('math')];
  const fracs = [...document.querySelectorAll('mfrac')].map(f => {
    const [num, den] = [...f.children].map(c => c.getBoundingClientRect());
    return num.bottom <= den.top + 1;
  });
  const out = {
    images: [...document.images].map(i => [i.complete, i.naturalWidth, i.naturalHeight, i.getAttribute('width') | 0, i.getAttribute('height') | 0]),
    maths: maths.length,
    mathml: typeof MathMLElement !== 'undefined' && maths.every(m => m instanceof MathMLElement),
    display: [...new Set(maths.map(m => getComputedStyle(m).display))],
    fractions_stacked: fracs,
  };
  const pre = document.createElement('pre');
  pre.id = 'sdl-probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
</body>"#;

fn probe(page: &Path, profile: &Path) -> serde_json::Value {
    let html = std::fs::read_to_string(page).unwrap();
    // The copy may run the probe script; the page itself allows none.
    let html = html.replace("style-src 'unsafe-inline'", "style-src 'unsafe-inline'; script-src 'unsafe-inline'");
    let probed = page.with_extension("probe.html");
    std::fs::write(&probed, html.replace("</body>", PROBE)).unwrap();
    let (dom, stderr) = chromium(&probed, profile, &["--dump-dom"]);
    let start = dom.find("<pre id=\"sdl-probe\">").unwrap_or_else(|| panic!("no probe result:\n{dom:.500}\n{stderr}"));
    let json = &dom[start + "<pre id=\"sdl-probe\">".len()..];
    let json = &json[..json.find("</pre>").unwrap()];
    serde_json::from_str(&json.replace("&quot;", "\"")).unwrap()
}

/// Opens a page: no console output, MathML laid out, images at full size, a screenshot with
/// something on it.
fn check_page(page: &Path, dir: &Path, name: &str) {
    let (_, stderr) = chromium(page, &dir.join(format!("{name}-profile")), &[]);
    let console = console_lines(&stderr);
    assert!(console.is_empty(), "{name}: the page logged to the console:\n{}", console.join("\n"));
    let p = probe(page, &dir.join(format!("{name}-probe-profile")));
    assert!(p["maths"].as_u64().unwrap() >= 1, "{name}: no formulas: {p}");
    assert_eq!(p["mathml"], true, "{name}: formulas are not MathML elements: {p}");
    assert!(p["display"].as_array().unwrap().iter().all(|d| d.as_str().unwrap().contains("math")), "{name}: {p}");
    assert!(
        p["fractions_stacked"].as_array().unwrap().iter().all(|f| f == true),
        "{name}: a fraction is not stacked: {p}"
    );
    let images = p["images"].as_array().unwrap();
    assert!(!images.is_empty(), "{name}: no images: {p}");
    for i in images {
        let v: Vec<u64> = i.as_array().unwrap().iter().map(|x| x.as_u64().unwrap_or(u64::from(x == true))).collect();
        assert!(
            v[0] == 1 && v[1] > 0 && v[1] == v[3] && v[2] == v[4],
            "{name}: an image did not load at its size: {i}"
        );
    }
    let shot = dir.join(format!("{name}.png"));
    chromium(
        page,
        &dir.join(format!("{name}-shot-profile")),
        &["--window-size=1280,2400", &format!("--screenshot={}", shot.display())],
    );
    let mut reader =
        png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap())).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1280, 2400));
    let step = info.color_type.samples();
    let inked = buf[..info.buffer_size()].chunks(step).filter(|p| p[..3].iter().any(|c| *c < 200)).count();
    assert!(inked > 20_000, "{name}: the screenshot is nearly blank ({inked} dark pixels)");
}

#[test]
fn report_pages_load_in_chromium_without_errors_with_mathml_and_images() {
    if !Path::new(CHROMIUM).exists() {
        println!("SKIPPED: {CHROMIUM} is not installed, so the report pages were not opened in a browser (.ci/run installs it)");
        return;
    }
    let dir = scratch();
    let src = format!(
        "let t = table({{x1: [1, 2, 3, 4, 5, 6, 7, 8], x2: [2, 1, 3, 5, 4, 2, 6, 3]}})
let t = with_column(t, \"y\", formula {{ x1 * x1 / x2 }})
report(fit(t, y ~ f(x1, x2), niterations: 6, seed: 1, progress: false), \"{dir}/search.html\")
report(fit(t, y ~ a * x1 / x2 + b), \"{dir}/constants.html\")
graphnet gn {{ message: mlp(hidden: 16, layers: 1) -> 4, node: mlp(hidden: 16, layers: 1) -> 2 }}
let d = simulate_nbody(\"spring\", sims: 2, steps: 40, seed: 1)
let m = replace(train(gn, d, steps: 20, progress: false), message: [formula {{ dx * (r - 1) }}, formula {{ dy * (r - 1) }}])
report(m, \"{dir}/network.html\", data: d)",
        dir = dir.display()
    );
    let (mut s, out) = common::session();
    if let Err(e) = s.run_source("<test>", &src) {
        panic!("{}\n{}", out.take(), s.render_error(&e));
    }
    for name in ["search", "constants", "network"] {
        check_page(&dir.join(format!("{name}.html")), &dir, name);
    }
    // The console check sees errors: a page that logs one and asks for an outside image.
    let control = dir.join("control.html");
    let page = std::fs::read_to_string(dir.join("search.html")).unwrap();
    std::fs::write(&control, page.replace("</body>", "<img src=\"http://example.invalid/x.png\"></body>")).unwrap();
    let (_, stderr) = chromium(&control, &dir.join("control-profile"), &[]);
    assert!(
        console_lines(&stderr).iter().any(|l| l.contains("Content Security Policy")),
        "the check is blind:\n{stderr}"
    );
    println!("screenshots in {}", dir.display());
}
