//! What a user takes away from an analysis of the example exports: the report, the receipt,
//! the named export and each segment's audience (issue 19).

use edgewise::engine::analysis::{self, Analysis, Dataset, Settings};
use edgewise::engine::export::{SegmentLabel, sha256_hex};
use edgewise::engine::ingest::{IngestParams, read_bytes};
use edgewise::engine::meaning;
use edgewise::engine::report::{self, ReportParams, SMALL_GROUP};
use edgewise::protocol::{self, Response, TakeAway, settings_from_json};

const FILES: [&str; 2] = ["example-survey.csv", "example-crm.csv"];

fn example() -> (Dataset, Analysis, Vec<Vec<u8>>) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/example");
    let bytes: Vec<Vec<u8>> = FILES
        .iter()
        .map(|name| std::fs::read(dir.join(name)).expect("the example file"))
        .collect();
    let parsed = FILES
        .iter()
        .zip(&bytes)
        .map(|(name, b)| read_bytes(name, b, &IngestParams::default()).expect("read"))
        .collect();
    let d = analysis::combine(parsed, &Settings::default());
    let a = analysis::analyse(&d, &Settings::default(), meaning::builtin(), &mut |_, _| {})
        .expect("analysis");
    (d, a, bytes)
}

fn download(response: Response) -> (String, Vec<u8>, String) {
    match response {
        Response::Download {
            name, bytes, note, ..
        } => (name, bytes, note),
        other => panic!("expected a download, got {other:?}"),
    }
}

#[test]
fn the_report_holds_every_portrait_and_chart_and_loads_nothing() {
    let (d, a, bytes) = example();
    let html = report::of(&d, &a, &[], &ReportParams::default());
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    // Nothing to fetch: no script, no external reference of any kind.
    for forbidden in [
        "<script", "src=", "http://", "https://", "@import", "url(http",
    ] {
        assert!(!html.contains(forbidden), "the report contains {forbidden}");
    }
    assert_eq!(
        html.matches("<article class=\"portrait\"").count(),
        a.segments.len()
    );
    for s in &a.segments {
        assert!(
            html.contains(&format!("id=\"segment-{}\"", s.id)),
            "{}",
            s.id
        );
    }
    // Sizes, one small multiple per segment, and the opportunity landscape (the example has
    // importance/satisfaction pairs).
    assert!(html.contains("aria-label=\"Segment sizes\""));
    assert_eq!(
        html.matches("largest differences\"").count(),
        a.segments.len()
    );
    assert!(html.contains("aria-label=\"Opportunity landscape\""));
    // The receipt names each input by its SHA-256.
    for b in &bytes {
        assert!(html.contains(&sha256_hex(b)));
    }
    assert!(html.contains("id=\"edges\""));
}

#[test]
fn hostile_cells_stay_text_in_the_report() {
    // A column name, an answer and a label that would be markup if pasted in as they are.
    let mut csv = String::from("id,<img src=x onerror=alert(1)>,Plan,Orders\n");
    for i in 0..400 {
        let answer = if i % 40 == 0 {
            "\"</blockquote><script>alert('x')</script>\""
        } else if i % 2 == 0 {
            "weekly shop for the family"
        } else {
            "cheap offers to save money"
        };
        let plan = if i % 40 == 0 {
            "\"<b onmouseover=x>pro</b>\""
        } else {
            "basic"
        };
        csv.push_str(&format!("{i},{answer},{plan},{}\n", i % 7));
    }
    let parsed = read_bytes("hostile.csv", csv.as_bytes(), &IngestParams::default()).expect("read");
    let d = analysis::combine(vec![parsed], &Settings::default());
    let a = analysis::analyse(&d, &Settings::default(), meaning::builtin(), &mut |_, _| {})
        .expect("analysis");
    let html = report::of(
        &d,
        &a,
        &[],
        &ReportParams {
            quotes_for_small_groups: true,
            made: "<script>".into(),
        },
    );
    for raw in ["<script", "<img", "<b onmouseover"] {
        assert!(!html.contains(raw), "the report contains {raw} unescaped");
    }
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "the column name is shown as text"
    );
}

#[test]
fn small_groups_quotes_stay_out_of_the_report_unless_asked() {
    let (d, mut a, _) = example();
    let small = a
        .segments
        .iter()
        .position(|s| !s.quotes.is_empty())
        .expect("a segment with quotes");
    a.segments[small].size = SMALL_GROUP - 1;
    let quote = a.segments[small].quotes[0].text.clone();
    let escaped = report::escape(&quote);
    let hidden = report::of(&d, &a, &[], &ReportParams::default());
    assert!(!hidden.contains(&format!("<blockquote>{escaped}</blockquote>")));
    assert!(hidden.contains("Their own words are left out"));
    let shown = report::of(
        &d,
        &a,
        &[],
        &ReportParams {
            quotes_for_small_groups: true,
            made: String::new(),
        },
    );
    assert!(shown.contains(&format!("<blockquote>{escaped}</blockquote>")));
}

#[test]
fn a_name_travels_into_export_receipt_report_and_audience() {
    let (d, a, _) = example();
    let s = a
        .segments
        .iter()
        .position(|s| !s.mass)
        .expect("an edge segment");
    let seg = &a.segments[s];
    let labels = vec![SegmentLabel {
        id: seg.id.clone(),
        found: seg.name.clone(),
        name: "Office managers <b>".into(),
        note: "Ask about invoices".into(),
    }];
    let (_, csv, _) = download(protocol::take_away(&d, &a, &TakeAway::Csv, &labels));
    let text = String::from_utf8(csv).expect("utf-8");
    let mut rows = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = rows.headers().expect("header").clone();
    let (seg_col, name_col) = (
        header.iter().position(|h| h == "segment").expect("segment"),
        header
            .iter()
            .position(|h| h == "segment_name")
            .expect("segment_name"),
    );
    let mut members = 0;
    for record in rows.records() {
        let record = record.expect("row");
        if record.get(seg_col) == Some(seg.id.as_str()) {
            assert_eq!(record.get(name_col), Some("Office managers <b>"));
            members += 1;
        }
    }
    assert_eq!(members, seg.size);

    let (_, receipt, _) = download(protocol::take_away(&d, &a, &TakeAway::Receipt, &labels));
    let receipt = String::from_utf8(receipt).expect("utf-8");
    let settings = settings_from_json("edgewise-receipt.json", &receipt).expect("settings");
    assert_eq!(settings.labels, labels, "a receipt loads back as settings");

    let html = report::of(&d, &a, &labels, &ReportParams::default());
    // The user's name, escaped, and not in quotation marks: nobody in the segment wrote it.
    assert!(html.contains("<h3>Office managers &lt;b&gt;</h3>"));
    assert!(html.contains("Ask about invoices"));

    let (name, members_csv, note) = download(protocol::take_away(
        &d,
        &a,
        &TakeAway::Audience {
            segment: s as u32,
            hashed: false,
        },
        &labels,
    ));
    assert!(
        name.starts_with(&format!("{}-office-managers-b", seg.id)),
        "{name}"
    );
    assert!(note.contains(&format!("{} members", seg.size)), "{note}");
    let text = String::from_utf8(members_csv).expect("utf-8");
    let listed: Vec<usize> = text
        .lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .next()
                .and_then(|r| r.parse().ok())
                .expect("row")
        })
        .collect();
    let expected: Vec<usize> = a.members(s).iter().map(|r| r + 1).collect();
    assert_eq!(listed, expected);
}

#[test]
fn a_customer_list_holds_the_hashed_emails_of_exactly_the_segments_members() {
    let (d, a, _) = example();
    let s = a
        .segments
        .iter()
        .position(|s| !s.mass)
        .expect("an edge segment");
    let (_, bytes, note) = download(protocol::take_away(
        &d,
        &a,
        &TakeAway::Audience {
            segment: s as u32,
            hashed: true,
        },
        &[],
    ));
    let text = String::from_utf8(bytes).expect("utf-8");
    // The survey's and the CRM's email columns: a non-respondent has only the CRM's.
    let emails: Vec<_> = d
        .table
        .columns()
        .iter()
        .filter(|c| c.name.starts_with("Email"))
        .collect();
    assert_eq!(emails.len(), 2);
    let mut expected: Vec<String> = a
        .members(s)
        .iter()
        .filter_map(|&r| {
            emails
                .iter()
                .map(|c| c.get(r).trim())
                .find(|e| !e.is_empty())
        })
        .map(|e| sha256_hex(e.to_lowercase().as_bytes()))
        .collect();
    let mut listed: Vec<String> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or_default().to_string())
        .collect();
    expected.sort();
    listed.sort();
    assert_eq!(listed, expected);
    assert!(text.starts_with("Email,Phone\r\n"));
    assert!(note.contains("SHA-256"), "{note}");
}

#[test]
fn a_settings_file_that_is_not_one_says_so() {
    let err = settings_from_json("notes.json", "{\"hello\": 1}").expect_err("not settings");
    assert!(
        err.starts_with("notes.json is not an Edgewise settings file"),
        "{err}"
    );
    assert!(settings_from_json("s.json", "[").is_err());
    let saved = serde_json::to_string(&Settings::default()).expect("serialise");
    assert_eq!(
        settings_from_json("s.json", &saved).expect("settings"),
        Settings::default()
    );
}
