//! The one-file HTML report: what a team carries into a meeting. It holds the receipt, every
//! segment's portrait (their words, their deeds, their unmet needs, who they are), three
//! charts drawn as inline SVG — segment sizes, each segment's key differences against
//! everyone as small multiples, and the opportunity landscape (importance × satisfaction per
//! outcome, after Ulwick's outcome-driven innovation) — and the lone outliers with reasons.
//!
//! The file is self-contained and makes no request: no script, no font, no image from
//! anywhere; its Content-Security-Policy (`default-src 'none'`) forbids loading anything, so it
//! opens offline and from disk alike, and prints to PDF with page breaks between segments.
//! Every cell from the user's files is HTML-escaped. Verbatim answers of segments smaller than
//! [`SMALL_GROUP`] are left out unless the user asks for them, because a quote from a group of
//! three can name the person who wrote it.
//!
//! # References
//! Ulwick, A. W. (2016). *Jobs to be Done: Theory to Practice*, ch. 3 (the opportunity
//! landscape: importance against satisfaction, underserved where importance + max(importance −
//! satisfaction, 0) > 10).

use super::analysis::{self, Analysis, Dataset, Receipt};
use super::describe::Segment;
use super::export::{Named, SegmentLabel};
use super::profile::fmt_share;
use super::schema::Role;
use std::fmt::Write;

/// Segments smaller than this never show verbatim answers in a report unless asked.
pub const SMALL_GROUP: usize = 5;

/// Lone outliers listed in a report.
pub const REPORT_OUTLIERS: usize = 50;

/// Okabe–Ito colours for edge segments (the page's palette), and grey for the mass middle.
const PALETTE: [&str; 7] = [
    "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#F0E442",
];
const MASS_COLOUR: &str = "#9aa0a6";

/// Choices for a report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportParams {
    /// Show verbatim answers of segments smaller than [`SMALL_GROUP`] too.
    pub quotes_for_small_groups: bool,
    /// When it was made, in the reader's words ("1 December 2026"); empty leaves it out, so the
    /// same analysis gives the same file.
    pub made: String,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn colour(index: usize, mass: bool) -> &'static str {
    if mass {
        MASS_COLOUR
    } else {
        PALETTE[index % PALETTE.len()]
    }
}

/// A count with thousands separators (`12,345`).
fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

const STYLE: &str = "
:root { color-scheme: light; --ink: #1d2127; --muted: #5f6773; --line: #d8dce2; --accent: #0072B2; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: var(--ink);
  max-width: 60rem; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.7rem; margin: 0 0 .3rem; } h2 { font-size: 1.3rem; margin: 2rem 0 .6rem;
  border-bottom: 1px solid var(--line); padding-bottom: .2rem; } h3 { font-size: 1.1rem; margin: 0; }
h4 { font-size: .95rem; margin: .8rem 0 .2rem; color: var(--muted); }
.meta, .hint { color: var(--muted); font-size: .9rem; }
.portrait { border: 1px solid var(--line); border-left: 6px solid var(--swatch, var(--line));
  border-radius: 6px; padding: 1rem 1.2rem; margin: 1rem 0; break-inside: avoid-page; }
.portrait header { display: flex; gap: .6rem; align-items: baseline; flex-wrap: wrap; }
.id { color: var(--muted); font-variant-numeric: tabular-nums; }
.note { background: #f4f6f8; padding: .4rem .6rem; border-radius: 4px; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
ul { margin: .2rem 0; padding-left: 1.2rem; } blockquote { margin: .2rem 0; font-style: italic; }
.warning { color: #8a4b00; } .underserved { font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .25rem .4rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: .5rem 0 1rem; } figcaption { color: var(--muted); font-size: .85rem; }
svg text { font: 12px system-ui, sans-serif; fill: var(--ink); }
svg text.on-dot { fill: #fff; }
.multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); gap: .8rem; }
code, pre { font-size: .8rem; white-space: pre-wrap; word-break: break-all; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
  .portrait { break-inside: avoid; } details { display: none; } }
";

/// The report of `analysis` of `dataset`, segments named under the user's `labels`.
pub fn of(
    dataset: &Dataset,
    analysis: &Analysis,
    labels: &[SegmentLabel],
    params: &ReportParams,
) -> String {
    let receipt = analysis::receipt(dataset, analysis, labels);
    html(analysis, &receipt, &analysis.named(labels), params)
}

/// The report of `analysis` (with its `receipt`), segments named as `named` says.
pub fn html(
    analysis: &Analysis,
    receipt: &Receipt,
    named: &[Named],
    params: &ReportParams,
) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let n_edge = analysis.segments.iter().filter(|s| !s.mass).count();
    let title = format!(
        "{} segments among {} people",
        analysis.segments.len(),
        count(analysis.n_people)
    );
    let files: Vec<String> = receipt.files.iter().map(|f| escape(&f.name)).collect();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"generator\" content=\"{tool}\">\
         <title>Edgewise report: {title}</title><style>{STYLE}</style></head><body>\n\
         <header><h1>{title}</h1><p class=\"meta\">From {files}. {edges} small, distinctive segments, \
         {mass} in the mass middle, {outliers} people in no segment. Made by {tool}{made} on your own \
         computer; no row left it.</p></header>\n",
        tool = escape(&receipt.tool),
        files = files.join(", "),
        edges = n_edge,
        mass = analysis.segments.len() - n_edge,
        outliers = count(analysis.outliers.len()),
        made = if params.made.is_empty() {
            String::new()
        } else {
            format!(" on {}", escape(&params.made))
        },
    );
    out.push_str(
        "<nav><p class=\"meta\">Contents: <a href=\"#sizes\">sizes</a> · <a href=\"#differences\">\
         differences</a> · <a href=\"#needs\">unmet needs</a> · <a href=\"#segments\">segments</a> · \
         <a href=\"#edges\">lone outliers</a> · <a href=\"#receipt\">how this was made</a></p></nav>\n",
    );
    out.push_str(&charts(&analysis.segments, named, analysis.n_people));
    out.push_str("<section id=\"segments\"><h2>Segments, most distinctive first</h2>\n");
    let has = |role: Role| analysis.schema.columns.iter().any(|c| c.role == role);
    let has = (has(Role::StatedJobs), has(Role::Behaviour));
    for (index, (segment, name)) in analysis.segments.iter().zip(named).enumerate() {
        portrait(&mut out, index, segment, name, params, has);
    }
    out.push_str("</section>\n");
    if let Some(say_do) = &analysis.say_do
        && !say_do.notes.is_empty()
    {
        out.push_str("<section id=\"say-do\"><h2>What they say against what they do</h2><ul>");
        for note in &say_do.notes {
            let _ = write!(out, "<li>{}</li>", escape(note));
        }
        out.push_str("</ul></section>\n");
    }
    edges(&mut out, analysis);
    receipt_section(&mut out, receipt);
    out.push_str("</body></html>\n");
    out
}

/// The three charts alone (sizes, differences, the opportunity landscape when the file has
/// outcome ratings), for the page; the same markup as in the report.
pub fn charts(segments: &[Segment], named: &[Named], n_people: usize) -> String {
    let mut out = String::new();
    sizes_chart(&mut out, segments, named, n_people);
    differences_chart(&mut out, segments, named);
    landscape_chart(&mut out, segments);
    out
}

/// Horizontal bars, one per segment, most distinctive first.
fn sizes_chart(out: &mut String, segments: &[Segment], named: &[Named], n_people: usize) {
    const LABEL: f64 = 330.0;
    const BAR: f64 = 300.0;
    const ROW: f64 = 24.0;
    let largest = segments.iter().map(|s| s.size).max().unwrap_or(1).max(1) as f64;
    let height = ROW * segments.len() as f64 + 8.0;
    let _ = write!(
        out,
        "<section id=\"sizes\"><h2>Segments by size</h2><figure><svg role=\"img\" tabindex=\"0\" \
         aria-label=\"Segment sizes\" viewBox=\"0 0 {w} {height}\" width=\"100%\">",
        w = LABEL + BAR + 120.0
    );
    for (i, (s, n)) in segments.iter().zip(named).enumerate() {
        let y = ROW * i as f64 + 4.0;
        let width = (s.size as f64 / largest * BAR).max(1.0);
        let _ = write!(
            out,
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{id} {name}</text>\
             <rect x=\"{bx}\" y=\"{y}\" width=\"{width:.1}\" height=\"{h}\" fill=\"{fill}\"><title>{id}: {size} people</title></rect>\
             <text x=\"{vx:.1}\" y=\"{ty}\">{size} ({share})</text>",
            lx = LABEL - 8.0,
            ty = y + 14.0,
            id = escape(&s.id),
            name = escape(&shorten(&n.name, 42)),
            bx = LABEL,
            h = ROW - 6.0,
            fill = colour(i, s.mass),
            vx = LABEL + width + 6.0,
            size = count(s.size),
            share = fmt_share(s.size as f64 / n_people.max(1) as f64),
        );
    }
    out.push_str(
        "</svg><figcaption>People per segment; grey bars are the mass middle.</figcaption>\
         </figure></section>\n",
    );
}

/// One small chart per segment: its largest differences from everyone (effect sizes).
fn differences_chart(out: &mut String, segments: &[Segment], named: &[Named]) {
    const W: f64 = 280.0;
    const ROW: f64 = 34.0;
    out.push_str(
        "<section id=\"differences\"><h2>What sets each segment apart</h2>\
         <p class=\"hint\">Each bar is one of the segment's largest differences from everyone else \
         — in what they do (solid) or say (hatched) — as a standardised effect size; \
         0.5 is a clear difference, 1 a large one.</p><div class=\"multiples\">",
    );
    let largest = segments
        .iter()
        .flat_map(|s| s.differences.iter().take(4))
        .map(|d| d.effect)
        .fold(1.0f64, f64::max);
    for (i, (s, n)) in segments.iter().zip(named).enumerate() {
        let diffs: Vec<_> = s.differences.iter().take(4).collect();
        let height = 22.0 + ROW * diffs.len().max(1) as f64;
        let _ = write!(
            out,
            "<figure><svg role=\"img\" tabindex=\"0\" aria-label=\"{id}: largest differences\" viewBox=\"0 0 {W} {height}\" width=\"100%\">\
             <defs><pattern id=\"hatch{i}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
             <rect width=\"3\" height=\"6\" fill=\"{fill}\"/></pattern></defs>\
             <text x=\"0\" y=\"14\" font-weight=\"600\">{id} {name}</text>",
            id = escape(&s.id),
            name = escape(&shorten(&n.name, 30)),
            fill = colour(i, s.mass),
        );
        if diffs.is_empty() {
            let _ = write!(
                out,
                "<text x=\"0\" y=\"38\">No clear difference from everyone.</text>"
            );
        }
        for (j, d) in diffs.iter().enumerate() {
            let y = 22.0 + ROW * j as f64;
            let width = (d.effect / largest * (W - 10.0)).max(1.0);
            let fill = if d.role == Role::Behaviour {
                colour(i, s.mass).to_string()
            } else {
                format!("url(#hatch{i})")
            };
            let _ = write!(
                out,
                "<text x=\"0\" y=\"{ty}\">{label}</text>\
                 <rect x=\"0\" y=\"{ry}\" width=\"{width:.1}\" height=\"10\" fill=\"{fill}\" stroke=\"{stroke}\">\
                 <title>{text} (effect {effect:.2})</title></rect>",
                ty = y + 12.0,
                label = escape(&shorten(&d.short, 44)),
                ry = y + 17.0,
                stroke = colour(i, s.mass),
                text = escape(&d.text),
                effect = d.effect,
            );
        }
        out.push_str("</svg></figure>");
    }
    out.push_str("</div></section>\n");
}

/// Importance (x) against satisfaction (y), both 0–10, for each outcome: everyone as grey
/// dots, and each segment where it finds an outcome underserved (opportunity above 10 and above
/// everyone's) in its colour. The shaded corner is where opportunity exceeds 10.
fn landscape_chart(out: &mut String, segments: &[Segment]) {
    let Some(first) = segments.iter().find(|s| !s.needs.is_empty()) else {
        return;
    };
    const SIZE: f64 = 360.0;
    const PAD: f64 = 40.0;
    let x = |importance: f64| PAD + importance.clamp(0.0, 10.0) / 10.0 * SIZE;
    let y = |satisfaction: f64| PAD + (10.0 - satisfaction.clamp(0.0, 10.0)) / 10.0 * SIZE;
    let _ = write!(
        out,
        "<section id=\"needs\"><h2>Unmet needs: the opportunity landscape</h2>\
         <p class=\"hint\">Each outcome by how important it is (across) and how satisfied people are \
         with it (up), 0–10, on average. Grey: everyone. Coloured: a segment for which the outcome \
         is underserved at its average ratings — importance plus the shortfall of satisfaction \
         above 10, and above everyone's.</p>\
         <figure><svg role=\"img\" tabindex=\"0\" aria-label=\"Opportunity landscape\" viewBox=\"0 0 {w} {w}\" width=\"min(100%, 34rem)\">\
         <polygon points=\"{a},{b} {c},{b} {c},{d}\" fill=\"#E69F00\" fill-opacity=\"0.14\"/>\
         <rect x=\"{PAD}\" y=\"{PAD}\" width=\"{SIZE}\" height=\"{SIZE}\" fill=\"none\" stroke=\"#d8dce2\"/>\
         <text x=\"{mid}\" y=\"{bottom}\" text-anchor=\"middle\">importance →</text>\
         <text x=\"12\" y=\"{mid}\" transform=\"rotate(-90 12 {mid})\" text-anchor=\"middle\">satisfaction →</text>",
        w = SIZE + 2.0 * PAD,
        // Opportunity i + (i − s) > 10 ⇔ s < 2i − 10: from (5, 0) to (10, 10)… clipped to the
        // square, the corner below the line from importance 5 to importance 10.
        a = x(5.0),
        b = y(0.0),
        c = x(10.0),
        d = y(10.0),
        mid = PAD + SIZE / 2.0,
        bottom = SIZE + PAD + 28.0,
    );
    for v in [0.0, 5.0, 10.0] {
        let _ = write!(
            out,
            "<text x=\"{tx:.1}\" y=\"{below:.1}\" text-anchor=\"middle\" fill=\"#5f6773\">{v}</text>\
             <text x=\"{left:.1}\" y=\"{ty:.1}\" text-anchor=\"end\" fill=\"#5f6773\">{v}</text>",
            tx = x(v),
            below = SIZE + PAD + 14.0,
            left = PAD - 4.0,
            ty = y(v) + 4.0,
        );
    }
    // Outcomes are numbered on the chart and named in the caption, so long outcome wordings
    // never overlap one another.
    for (k, need) in first.needs.iter().enumerate() {
        let (ix, sy) = (need.importance.1, need.satisfaction.1);
        let _ = write!(
            out,
            "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"9\" fill=\"{MASS_COLOUR}\"><title>{o} — everyone: importance {ix:.1}, \
             satisfaction {sy:.1}, opportunity {op:.1}</title></circle>\
             <text x=\"{cx:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\" class=\"on-dot\" font-weight=\"600\">{n}</text>",
            cx = x(ix),
            cy = y(sy),
            ty = y(sy) + 4.0,
            o = escape(&need.outcome),
            op = need.overall,
            n = k + 1,
        );
    }
    for (i, s) in segments.iter().enumerate() {
        for need in s.needs.iter().filter(|n| {
            // Judged where the dot is drawn — at the segment's mean ratings — so a coloured
            // dot always sits in the shaded corner, and beyond everyone's point.
            let at = |i: f64, s: f64| i + (i - s).max(0.0);
            let own = at(n.importance.0, n.satisfaction.0);
            own > 10.0 && own > at(n.importance.1, n.satisfaction.1)
        }) {
            let (ix, sy) = (need.importance.0, need.satisfaction.0);
            let number = first
                .needs
                .iter()
                .position(|n| n.outcome == need.outcome)
                .map_or(String::new(), |k| format!(" · {}", k + 1));
            let _ = write!(
                out,
                "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"6\" fill=\"{fill}\" stroke=\"#1d2127\"><title>{o} — {id}: \
                 importance {ix:.1}, satisfaction {sy:.1}, opportunity {op:.1} (everyone {all:.1})</title></circle>\
                 <text x=\"{tx:.1}\" y=\"{ty:.1}\" font-weight=\"600\">{id}{number}</text>",
                cx = x(ix),
                cy = y(sy),
                fill = colour(i, s.mass),
                o = escape(&need.outcome),
                id = escape(&s.id),
                op = need.segment,
                all = need.overall,
                tx = x(ix) + 8.0,
                ty = y(sy) + 14.0,
            );
        }
    }
    out.push_str("</svg><figcaption>Shaded: underserved (opportunity above 10). Outcomes: ");
    let names: Vec<String> = first
        .needs
        .iter()
        .enumerate()
        .map(|(k, n)| format!("{} {}", k + 1, escape(&n.outcome)))
        .collect();
    out.push_str(&names.join(" · "));
    out.push_str(
        "; a segment's dot sits where it rates the outcome.</figcaption></figure></section>\n",
    );
}

/// One segment's portrait; `has` says whether the analysis had (say, do) columns at all.
fn portrait(
    out: &mut String,
    index: usize,
    s: &Segment,
    n: &Named,
    params: &ReportParams,
    has: (bool, bool),
) {
    let _ = write!(
        out,
        "<article class=\"portrait\" id=\"segment-{id}\" style=\"--swatch: {fill}\"><header>\
         <h3>{name}</h3><span class=\"id\">{id}</span></header>\
         <p class=\"meta\">{size} people, {share} of everyone{mass}{stability}.</p>",
        id = escape(&s.id),
        fill = colour(index, s.mass),
        // In quotation marks when it is the members' own words, not a name the user gave.
        name = if n.name == s.name {
            escape(&s.title())
        } else {
            escape(&n.name)
        },
        size = count(s.size),
        share = fmt_share(s.share),
        mass = if s.mass {
            "; part of the mass middle"
        } else {
            ""
        },
        stability = s.stability.map_or(String::new(), |v| format!(
            "; reappears in {} of re-runs on resampled data",
            fmt_share(v)
        )),
    );
    if n.name != s.name {
        let _ = write!(
            out,
            "<p class=\"hint\">Named by you; Edgewise found “{}”.</p>",
            escape(&s.name)
        );
    }
    if !n.note.is_empty() {
        let _ = write!(out, "<p class=\"note\">{}</p>", escape(&n.note));
    }
    if let Some(w) = &s.warning {
        let _ = write!(out, "<p class=\"warning\">{}</p>", escape(w));
    }
    out.push_str("<div class=\"cols\"><section><h4>What they say</h4>");
    let says_numbers: Vec<_> = s
        .differences
        .iter()
        .filter(|d| d.role == Role::StatedJobs)
        .collect();
    if !has.0 {
        out.push_str("<p>No column of what people say was used.</p>");
    } else if s.says.is_empty() && says_numbers.is_empty() {
        out.push_str("<p>Nothing they say sets them apart.</p>");
    }
    if !s.says.is_empty() {
        out.push_str("<ul>");
        for (p, question) in super::describe::shown_phrases(&s.says) {
            let question = question
                .map(|q| format!(" in “{}”", escape(q)))
                .unwrap_or_default();
            let _ = write!(
                out,
                "<li>“{}”{question} — {} of them, {} of others</li>",
                escape(&p.text),
                fmt_share(p.in_segment),
                fmt_share(p.elsewhere)
            );
        }
        out.push_str("</ul>");
    }
    for d in &says_numbers {
        let _ = write!(out, "<p>{}</p>", escape(&d.text));
    }
    if !s.quotes.is_empty() {
        if s.size >= SMALL_GROUP || params.quotes_for_small_groups {
            out.push_str("<h4>In their own words</h4>");
            for q in &s.quotes {
                let _ = write!(
                    out,
                    "<blockquote>{}</blockquote><p class=\"hint\">row {}, {}</p>",
                    escape(&q.text),
                    q.row + 1,
                    escape(&q.column)
                );
            }
        } else {
            let _ = write!(
                out,
                "<p class=\"hint\">Their own words are left out: a group of fewer than {SMALL_GROUP} \
                 could be recognised by them.</p>"
            );
        }
    }
    out.push_str("</section><section><h4>What they do</h4>");
    let does: Vec<_> = s
        .differences
        .iter()
        .filter(|d| d.role == Role::Behaviour)
        .collect();
    if !has.1 {
        out.push_str("<p>The file has no behaviour to compare.</p>");
    } else if does.is_empty() {
        out.push_str("<p>Nothing they do sets them apart.</p>");
    } else {
        out.push_str("<ul>");
        for d in does {
            let _ = write!(out, "<li>{}</li>", escape(&d.text));
        }
        out.push_str("</ul>");
    }
    out.push_str("</section></div>");
    if !s.needs.is_empty() {
        out.push_str(
            "<h4>Unmet needs</h4><table><tr><th>Outcome</th><th>Opportunity (0–20)</th>\
             <th>Everyone</th><th>Importance</th><th>Satisfaction</th></tr>",
        );
        for need in &s.needs {
            let _ = write!(
                out,
                "<tr{cls}><td>{o}</td><td class=\"num\">{seg:.1}</td><td class=\"num\">{all:.1}</td>\
                 <td class=\"num\">{i:.1}</td><td class=\"num\">{sat:.1}</td></tr>",
                cls = if need.segment > 10.0 {
                    " class=\"underserved\""
                } else {
                    ""
                },
                o = escape(&need.outcome),
                seg = need.segment,
                all = need.overall,
                i = need.importance.0,
                sat = need.satisfaction.0,
            );
        }
        out.push_str("</table>");
    }
    if !s.who.is_empty() {
        out.push_str("<h4>Who they are (describes them; never used to form the segment)</h4><ul>");
        for w in &s.who {
            let _ = write!(
                out,
                "<li><strong>{}</strong>: {}</li>",
                escape(&w.column),
                escape(&w.summary)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</article>\n");
}

fn edges(out: &mut String, analysis: &Analysis) {
    // People who give the same reason are one row, with how many they are.
    let listed = analysis.outliers_listed(usize::MAX);
    let _ = write!(
        out,
        "<section id=\"edges\"><h2>Lone outliers: people in no segment</h2><p class=\"hint\">{} people, \
         the most unusual first{}. Edge score 0–1: how far from everyone, in plain terms.</p>",
        count(analysis.outliers.len()),
        if listed.len() > REPORT_OUTLIERS {
            format!(" (the first {REPORT_OUTLIERS} reasons; the CSV export has everyone)")
        } else {
            String::new()
        }
    );
    if !analysis.outliers.is_empty() {
        out.push_str("<table><tr><th>Row</th><th>Edge score</th><th>Why</th></tr>");
        for entry in listed.iter().take(REPORT_OUTLIERS) {
            let r = entry.row as usize;
            let alike = if entry.alike > 1 {
                format!(
                    " ({} people give this reason; row {} is the most unusual of them)",
                    count(entry.alike),
                    r + 1
                )
            } else {
                String::new()
            };
            let _ = write!(
                out,
                "<tr><td class=\"num\">{}</td><td class=\"num\">{:.2}</td><td>{}{}</td></tr>",
                r + 1,
                analysis.edge_score.get(r).copied().unwrap_or(0.0),
                escape(analysis.reason.get(r).unwrap_or("")),
                escape(&alike)
            );
        }
        out.push_str("</table>");
    }
    out.push_str("</section>\n");
}

fn receipt_section(out: &mut String, receipt: &Receipt) {
    out.push_str(
        "<section id=\"receipt\"><h2>How this was made</h2><table><tr><th>File</th><th>Rows</th>\
         <th>Bytes</th><th>SHA-256</th></tr>",
    );
    for f in &receipt.files {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td><code>{}</code></td></tr>",
            escape(&f.name),
            count(f.rows),
            count(f.bytes as usize),
            escape(&f.sha256)
        );
    }
    out.push_str("</table><h4>Columns and their roles</h4><table><tr><th>Column</th><th>Kind</th><th>Role</th></tr>");
    for c in &receipt.columns {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}{}</td></tr>",
            escape(&c.name),
            escape(&c.kind),
            c.role.label(),
            if c.overridden { " (your choice)" } else { "" }
        );
    }
    let json = serde_json::to_string_pretty(receipt).unwrap_or_default();
    let _ = writeln!(
        out,
        "</table><p class=\"meta\">Say/do balance {:.2}, seed {}. The same files and settings give \
         the same segments.</p><details><summary>The receipt (settings file)</summary><pre>{}</pre>\
         </details></section>",
        receipt.settings.features.balance,
        receipt.settings.cluster.seed,
        escape(&json)
    );
}

/// `text` cut to `max` characters at a word boundary, with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let at_word = cut
        .rfind(' ')
        .filter(|&i| i > max / 2)
        .map_or(cut.as_str(), |i| &cut[..i]);
    format!("{}…", at_word.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_become_markup() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn long_labels_are_cut_at_a_word() {
        assert_eq!(
            shorten("keep my café kitchen supplied", 16),
            "keep my café…"
        );
        assert_eq!(shorten("short", 16), "short");
        assert_eq!(count(1234567), "1,234,567");
    }
}
