//! Reads back what the demo's HTML report draws, so that tests check its data rather than its
//! tags: a section's table rows, its histogram bars and its timeline points.

/// The drawing area of both plots, in px (`html.rs`'s `WIDTH` and `HEIGHT`).
pub const WIDTH: f64 = 900.0;
pub const HEIGHT: f64 = 180.0;
/// Bar colours: the steady state's and the faulted phase's.
pub const STEADY: &str = "#4a7fd4";
pub const FAULTED: &str = "#e0702b";
/// Timeline colours: ok, real failure, injected error.
pub const OK: &str = "#17803d";
pub const FAILED: &str = "#b42318";
pub const INJECTED: &str = "#7a3cc2";

/// A histogram bar.
#[derive(Debug)]
pub struct Bar {
    pub colour: String,
    pub y: f64,
    pub height: f64,
    /// The count in its tooltip ("N calls").
    pub calls: u64,
    /// Where it starts on the histogram's own log axis, in ms.
    pub from_ms: f64,
}

/// A timeline point.
#[derive(Debug)]
pub struct Dot {
    pub colour: String,
    pub x: f64,
    pub y: f64,
}

/// One experiment's section of the page.
#[derive(Debug)]
pub struct Section {
    /// The `<h2>` text.
    pub heading: String,
    /// The table's rows after the header, cell by cell.
    pub rows: Vec<Vec<String>>,
    pub bars: Vec<Bar>,
    pub dots: Vec<Dot>,
}

/// The sections of `page`, in order.
pub fn sections(page: &str) -> Vec<Section> {
    page.split("<section>").skip(1).map(section).collect()
}

fn section(html: &str) -> Section {
    let html = before(html, "</section>");
    let svgs: Vec<&str> = html
        .split("<svg")
        .skip(1)
        .map(|s| before(s, "</svg>"))
        .collect();
    assert_eq!(svgs.len(), 2, "a histogram and a timeline in {html}");
    let table = before(after(html, "<table>"), "</table>");
    let rows = table
        .split("<tr>")
        .skip(2)
        .map(|row| {
            row.split("<td>")
                .skip(1)
                .map(|c| before(c, "</td>").to_string())
                .collect()
        })
        .collect();
    Section {
        heading: before(after(html, "<h2>"), "</h2>").to_string(),
        rows,
        bars: bars(svgs[0]),
        dots: elements(svgs[1], "<circle")
            .map(|c| Dot {
                colour: attribute(c, "fill").to_string(),
                x: number(attribute(c, "cx")),
                y: number(attribute(c, "cy")),
            })
            .collect(),
    }
}

/// The bars, placed on the axis its labels give: two labels `n` px apart, their values a factor
/// `f` apart, make a bar at `x` start at `first * f^(x / n)` ms.
fn bars(svg: &str) -> Vec<Bar> {
    let labels: Vec<(f64, f64)> = elements(svg, "<text")
        .map(|t| {
            (
                number(attribute(t, "x")),
                number(before(after(t, ">"), "<")),
            )
        })
        .collect();
    assert!(labels.len() >= 2, "axis labels in {svg}");
    let ((x0, v0), (x1, v1)) = (labels[0], labels[1]);
    elements(svg, "<rect")
        .map(|r| {
            let x = number(attribute(r, "x"));
            Bar {
                colour: attribute(r, "fill").to_string(),
                y: number(attribute(r, "y")),
                height: number(attribute(r, "height")),
                calls: number(before(after(r, "<title>"), " calls")) as u64,
                from_ms: v0 * (v1 / v0).powf((x - x0) / (x1 - x0)),
            }
        })
        .collect()
}

/// Each element opened by `open` (`<rect`), up to its end.
fn elements<'a>(svg: &'a str, open: &str) -> impl Iterator<Item = &'a str> {
    let close = format!("</{}>", &open[1..]);
    svg.split(open)
        .skip(1)
        .map(move |e| before(before(e, &close), "/>"))
}

fn attribute<'a>(element: &'a str, name: &str) -> &'a str {
    before(after(element, &format!(" {name}=\"")), "\"")
}

fn number(text: &str) -> f64 {
    text.parse()
        .unwrap_or_else(|_| panic!("not a number: {text:?}"))
}

fn after<'a>(text: &'a str, marker: &str) -> &'a str {
    let at = text
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker:?} in {text}"));
    &text[at + marker.len()..]
}

fn before<'a>(text: &'a str, marker: &str) -> &'a str {
    text.find(marker).map_or(text, |at| &text[..at])
}
