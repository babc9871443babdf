//! What crosses between the page and the web worker — and nothing else does.
//!
//! Requests and responses are plain serde data, sent with `serde-wasm-bindgen`. Files are the
//! one exception: the browser's `File` handles travel beside a request (they are structured-
//! cloneable and read lazily), so a 200 MB export is never copied into the page's memory.
//!
//! The views here are shaped for the screen: per-person arrays are compact (`f32`, `i32`),
//! personal data in previews is already masked, and nothing the page shows needs computing on
//! the page. This module has no browser code in it, so it is built and tested natively too.
//!
//! It is also the page's one door to the engine: the engine types the page names (settings,
//! stages, roles, segments, how a file is read) are re-exported here, and `src/ui` names
//! nothing in `engine` (`tests/tidy.rs` checks it).

pub use crate::engine::analysis::{FileSummary, Settings, Stage};
pub use crate::engine::cluster::Membership;
pub use crate::engine::compare::{Change, Comparison, Matching, Mover, SegmentChange};
pub use crate::engine::describe::{Segment, shown_phrases};
pub use crate::engine::diagnostics::Severity;
pub use crate::engine::export::{ListCounts, OUTLIER_SEGMENT, SegmentLabel, label_for};
pub use crate::engine::ingest::IngestParams;
pub use crate::engine::schema::Role;
pub use crate::engine::values::Decimal;

use crate::engine::analysis::{self, Analysis, Dataset};
use crate::engine::diagnostics::Diagnostic;
use crate::engine::export;
use crate::engine::ingest::join::JoinReport;
use crate::engine::report::{self, ReportParams};
use crate::engine::saydo::SayDo;
use crate::engine::schema::{ColumnSchema, Kind, Schema};
use serde::{Deserialize, Serialize};

/// A request from the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Read the files sent beside this request (one `IngestParams` each), join them and type
    /// the columns.
    Inspect {
        /// How to read each file.
        params: Vec<IngestParams>,
        /// Settings (join keys and roles).
        settings: Settings,
    },
    /// Find segments in the inspected data.
    Analyse {
        /// Every setting.
        settings: Settings,
    },
    /// A file to take away, with segments named as the user named them.
    TakeAway {
        /// Which file.
        what: TakeAway,
        /// The user's names and notes.
        labels: Vec<SegmentLabel>,
    },
    /// Set these segments against last month's export, the one file sent beside this request.
    Compare {
        /// The user's names, for this month's segments.
        labels: Vec<SegmentLabel>,
    },
    /// One person, for the person view.
    Person {
        /// Row (0-based).
        row: u32,
    },
    /// Benchmarks only (`node bench/browser.mjs embed`): load the meaning model if needed,
    /// then time embedding `answers` one by one, as the feature stage does.
    Embed {
        /// The answers.
        answers: Vec<String>,
    },
}

/// A response from the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker has started and can take requests.
    Ready,
    /// Work under way.
    Progress {
        /// The stage.
        stage: Stage,
        /// Done within the stage, 0–1.
        fraction: f64,
        /// What is happening, in words.
        label: String,
    },
    /// Files read and columns typed.
    Inspected(Box<InspectView>),
    /// Segments found.
    Analysed(Box<ResultView>),
    /// A file for the page to download.
    Download {
        /// Its file name.
        name: String,
        /// Its MIME type.
        mime: String,
        /// Its bytes: one `Uint8Array` on the way to the page ([`as_bytes`]).
        #[serde(with = "as_bytes")]
        bytes: Vec<u8>,
        /// What the page should say about it (empty: nothing).
        note: String,
    },
    /// This month against last month.
    Compared(Box<Comparison>),
    /// One person.
    Person(Box<PersonView>),
    /// Answers embedded (benchmarks only).
    Embedded {
        /// Answers embedded.
        answers: u32,
        /// Answers that had a vector.
        with_vector: u32,
        /// Milliseconds spent fetching the model (0 when already loaded).
        load_ms: f64,
        /// Milliseconds spent embedding, the model already loaded.
        embed_ms: f64,
    },
    /// Something the page should say that is not a failure (a file that would be empty).
    Notice {
        /// The message.
        message: String,
    },
    /// Something went wrong; the message says what and what to try.
    Failed {
        /// The message.
        message: String,
    },
}

/// The files a user can take away.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TakeAway {
    /// `segments.csv`: every row and column, then segment, name, edge score and reason.
    Csv,
    /// `edgewise-receipt.json`: versions, files with their SHA-256, settings, roles, segments.
    Receipt,
    /// `edgewise-report.html`: the one-file report.
    Report {
        /// Show verbatim answers of segments under five people too.
        quotes_for_small_groups: bool,
        /// When it was made, in the reader's words.
        made: String,
    },
    /// One segment's members.
    Audience {
        /// The segment's index in the results.
        segment: u32,
        /// As a customer list of hashed emails and phones (else ids and contacts as written).
        hashed: bool,
    },
}

/// The "check the data" screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectView {
    /// The files.
    pub files: Vec<FileSummary>,
    /// Everything noticed.
    pub diagnostics: Vec<Diagnostic>,
    /// How files were joined.
    pub joins: Vec<JoinReport>,
    /// Files left out for lack of a shared key.
    pub unjoined: Vec<String>,
    /// People (rows after joining).
    pub n_rows: usize,
    /// Every column's kind, role and reason.
    pub columns: Vec<ColumnView>,
    /// Importance/satisfaction outcomes found.
    pub outcomes: Vec<String>,
    /// The first rows, personal data masked.
    pub preview: Vec<Vec<String>>,
    /// Warnings about roles.
    pub warnings: Vec<String>,
}

/// A column on the check screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnView {
    /// Name.
    pub name: String,
    /// Kind in words.
    pub kind: String,
    /// Role.
    pub role: Role,
    /// Why, in one line.
    pub reason: String,
    /// A demographic header.
    pub demographic: bool,
    /// Personal data (masked on screen).
    pub personal: bool,
    /// Chosen by the user.
    pub overridden: bool,
    /// Rows without a value.
    pub n_missing: usize,
    /// Distinct values.
    pub n_distinct: usize,
}

/// Rows shown in previews.
pub const PREVIEW_ROWS: usize = 8;

/// Masks personal data for the screen: `ann.lee@example.com` → `a•••@example.com`,
/// a name or phone → its first character and dots.
pub fn mask(text: &str, kind: &Kind) -> String {
    if !kind.is_personal() || text.trim().is_empty() {
        return text.to_string();
    }
    let first: String = text.chars().take(1).collect();
    match (kind, text.split_once('@')) {
        (Kind::Email, Some((_, domain))) => format!("{first}•••@{domain}"),
        _ => format!("{first}•••"),
    }
}

fn column_view(c: &ColumnSchema) -> ColumnView {
    ColumnView {
        name: c.name.clone(),
        kind: c.kind.label(),
        role: c.role,
        reason: c.reason.clone(),
        demographic: c.demographic,
        personal: c.kind.is_personal(),
        overridden: c.overridden,
        n_missing: c.n_missing,
        n_distinct: c.n_distinct,
    }
}

impl InspectView {
    /// The check screen for a dataset.
    pub fn of(dataset: &Dataset) -> InspectView {
        let schema: &Schema = &dataset.schema;
        let table = &dataset.table;
        let preview = (0..table.n_rows().min(PREVIEW_ROWS))
            .map(|r| {
                table
                    .columns()
                    .iter()
                    .zip(&schema.columns)
                    .map(|(col, cs)| mask(col.get(r), &cs.kind))
                    .collect()
            })
            .collect();
        InspectView {
            files: dataset.files.clone(),
            diagnostics: dataset.diagnostics.clone(),
            joins: dataset.joins.clone(),
            unjoined: dataset.unjoined.clone(),
            n_rows: table.n_rows(),
            columns: schema.columns.iter().map(column_view).collect(),
            outcomes: schema.outcomes.iter().map(|o| o.outcome.clone()).collect(),
            preview,
            warnings: schema.warnings.clone(),
        }
    }
}

/// The results screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultView {
    /// People analysed.
    pub n_people: usize,
    /// Segments, most distinctive first, the mass middle last.
    pub segments: Vec<Segment>,
    /// Per person: index into `segments`, or -1 for lone outliers.
    pub segment_of: Vec<i32>,
    /// Per person: edge score, 0–1.
    pub edge_score: Vec<f32>,
    /// Per person: map x.
    pub map_x: Vec<f32>,
    /// Per person: map y.
    pub map_y: Vec<f32>,
    /// The most unusual lone outliers, most unusual first: one for each reason (at most
    /// 200 reasons), with how many give it.
    pub outliers: Vec<OutlierView>,
    /// All lone outliers.
    pub n_outliers: usize,
    /// Of them, people unlike everyone: an edge score of 0.5 and up, as their reasons say.
    pub n_unlike: usize,
    /// The say/do cross-table (cells as counts; people are fetched on demand).
    pub say_do: Option<SayDoView>,
    /// Warnings about the settings.
    pub warnings: Vec<String>,
    /// The smallest segment size used.
    pub min_cluster_size: usize,
    /// Sizes tried and segments found with each.
    pub sweep: Vec<(usize, usize)>,
    /// The analysis had columns of what people say (stated jobs).
    pub has_say: bool,
    /// The analysis had columns of what people do (behaviour).
    pub has_do: bool,
    /// The report's charts (sizes, differences, opportunity landscape) as inline SVG markup,
    /// every cell escaped (`report::escape`); the page shows them as they are.
    pub charts: String,
}

/// A lone outlier in the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutlierView {
    /// Row (0-based).
    pub row: u32,
    /// Edge score.
    pub edge_score: f32,
    /// Why.
    pub reason: String,
    /// Lone outliers who give this same reason, this one included (listed once, as the
    /// most unusual of them).
    #[serde(default)]
    pub alike: u32,
}

/// The say/do table for the screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SayDoView {
    /// Say groups (rows).
    pub say: Vec<String>,
    /// Do groups (columns).
    pub r#do: Vec<String>,
    /// People per cell.
    pub counts: Vec<Vec<usize>>,
    /// Up to 20 rows of people per cell.
    pub people: Vec<Vec<Vec<u32>>>,
    /// Findings in words.
    pub notes: Vec<String>,
    /// (people in the table, everyone) when the table is a sample.
    pub sample: Option<(usize, usize)>,
}

/// Most outliers listed.
pub const MAX_OUTLIERS: usize = 200;

fn say_do_view(s: &SayDo) -> SayDoView {
    SayDoView {
        say: s.say.iter().map(|g| g.name.clone()).collect(),
        r#do: s.r#do.iter().map(|g| g.name.clone()).collect(),
        counts: s
            .cells
            .iter()
            .map(|row| row.iter().map(Vec::len).collect())
            .collect(),
        people: s
            .cells
            .iter()
            .map(|row| {
                row.iter()
                    .map(|c| c.iter().take(20).copied().collect())
                    .collect()
            })
            .collect(),
        notes: s.notes.clone(),
        sample: s.sample,
    }
}

impl ResultView {
    /// The results screen for an analysis.
    pub fn of(a: &Analysis) -> ResultView {
        ResultView {
            n_people: a.n_people,
            segments: a.segments.clone(),
            segment_of: a
                .segment_of
                .iter()
                .map(|s| s.map_or(-1, |v| v as i32))
                .collect(),
            edge_score: a.edge_score.iter().map(|&v| v as f32).collect(),
            map_x: a.map.iter().map(|p| p[0]).collect(),
            map_y: a.map.iter().map(|p| p[1]).collect(),
            outliers: a
                .outliers_listed(MAX_OUTLIERS)
                .into_iter()
                .map(|listed| OutlierView {
                    row: listed.row,
                    edge_score: a
                        .edge_score
                        .get(listed.row as usize)
                        .copied()
                        .unwrap_or(0.0) as f32,
                    reason: a
                        .reason
                        .get(listed.row as usize)
                        .unwrap_or_default()
                        .to_string(),
                    alike: listed.alike as u32,
                })
                .collect(),
            n_outliers: a.outliers.len(),
            n_unlike: a
                .outliers
                .iter()
                .filter(|&&row| {
                    a.edge_score
                        .get(row as usize)
                        .is_some_and(|&s| crate::engine::edges::unlike_everyone(s))
                })
                .count(),
            say_do: a.say_do.as_ref().map(say_do_view),
            warnings: a.warnings.clone(),
            min_cluster_size: a.min_cluster_size,
            sweep: a.sweep.clone(),
            has_say: a.schema.columns.iter().any(|c| c.role == Role::StatedJobs),
            has_do: a.schema.columns.iter().any(|c| c.role == Role::Behaviour),
            charts: report::charts(&a.segments, &a.named(&[]), a.n_people),
        }
    }
}

impl ResultView {
    /// The results with segments named as the user named them (a user's empty name keeps
    /// the found one), charts included.
    pub fn with_labels(&self, labels: &[SegmentLabel]) -> ResultView {
        let mut view = self.clone();
        if labels.is_empty() {
            return view;
        }
        let named = export::named(
            self.segments
                .iter()
                .map(|s| (s.id.as_str(), s.name.as_str())),
            labels,
        );
        for (s, n) in view.segments.iter_mut().zip(&named) {
            // A name the user gave is not the members' words.
            s.quoted &= s.name == n.name;
            s.name = n.name.clone();
        }
        view.charts = report::charts(&self.segments, &named, self.n_people);
        view
    }
}

/// Reads a settings file: the page's own (`edgewise-settings.json`) or a receipt, whose
/// `settings` are the same thing. The message says what is wrong, for the page to show.
pub fn settings_from_json(file: &str, text: &str) -> Result<Settings, String> {
    #[derive(Deserialize)]
    struct WithSettings {
        settings: Settings,
    }
    serde_json::from_str::<Settings>(text)
        .or_else(|first| {
            serde_json::from_str::<WithSettings>(text)
                .map(|r| r.settings)
                .map_err(|_| first)
        })
        .map_err(|e| {
            format!(
                "{file} is not an Edgewise settings file or receipt (line {}, column {}: {e}); \
                 choose the edgewise-settings.json or edgewise-receipt.json this page saved",
                e.line(),
                e.column()
            )
        })
}

/// A file name made safe and short from a segment's id and name (`S3-night-shifts`).
fn file_stem(id: &str, name: &str) -> String {
    let mut slug = String::new();
    for word in name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if slug.len() + word.len() > 32 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_lowercase());
    }
    if slug.is_empty() {
        id.to_string()
    } else {
        format!("{id}-{slug}")
    }
}

/// The file a user asked to take away, as a [`Response::Download`] (or why it cannot be made).
pub fn take_away(
    dataset: &Dataset,
    a: &Analysis,
    what: &TakeAway,
    labels: &[SegmentLabel],
) -> Response {
    match what {
        TakeAway::Csv => Response::Download {
            name: "segments.csv".into(),
            mime: "text/csv;charset=utf-8".into(),
            bytes: a.export_csv(&dataset.table, labels),
            note: String::new(),
        },
        TakeAway::Receipt => Response::Download {
            name: "edgewise-receipt.json".into(),
            mime: "application/json".into(),
            bytes: serde_json::to_vec_pretty(&analysis::receipt(dataset, a, labels))
                .unwrap_or_default(),
            note: String::new(),
        },
        TakeAway::Report {
            quotes_for_small_groups,
            made,
        } => {
            let params = ReportParams {
                quotes_for_small_groups: *quotes_for_small_groups,
                made: made.clone(),
            };
            Response::Download {
                name: "edgewise-report.html".into(),
                mime: "text/html;charset=utf-8".into(),
                bytes: report::of(dataset, a, labels, &params).into_bytes(),
                note: String::new(),
            }
        }
        TakeAway::Audience { segment, hashed } => {
            let index = *segment as usize;
            let named = a.named(labels);
            let Some(seg) = named.get(index) else {
                return Response::Failed {
                    message: format!("there is no segment {}: find segments again", index + 1),
                };
            };
            let members = a.members(index);
            let stem = file_stem(&seg.id, &seg.name);
            if !*hashed {
                return Response::Download {
                    name: format!("{stem}-members.csv"),
                    mime: "text/csv;charset=utf-8".into(),
                    bytes: export::audience_csv(&dataset.table, &a.schema, &members),
                    note: format!(
                        "{} members of {} “{}”, with their ids and contact columns as written.",
                        members.len(),
                        seg.id,
                        seg.name
                    ),
                };
            }
            let (bytes, counts) = export::customer_list_csv(&dataset.table, &a.schema, &members);
            if counts.emails + counts.phones == 0 {
                return Response::Notice {
                    message: format!(
                        "No customer list for {}: none of its {} members has an email, or a phone \
                         written with its country code (+44 …), to hash. Download its members instead.",
                        seg.id,
                        members.len()
                    ),
                };
            }
            Response::Download {
                name: format!("{stem}-customer-list.csv"),
                mime: "text/csv;charset=utf-8".into(),
                bytes,
                note: format!(
                    "Customer list for {} “{}”: {} of {} members, {} emails and {} phones \
                     normalised and SHA-256-hashed in this tab; phones without a country code are \
                     left out. Upload it as a hashed customer list (Google Customer Match, Meta).",
                    seg.id, seg.name, counts.rows, counts.members, counts.emails, counts.phones
                ),
            }
        }
    }
}

/// The comparison of `a` with last month's export `previous`, for the screen: movers' keys
/// masked when they are emails, and segments named as the user named them.
pub fn comparison(
    previous: &crate::engine::ingest::Parsed,
    dataset: &Dataset,
    a: &Analysis,
    labels: &[SegmentLabel],
) -> Response {
    match crate::engine::compare::compare(previous, dataset, a) {
        Ok(mut c) => {
            let named = a.named(labels);
            for s in &mut c.segments {
                if let Some((id, name)) = &mut s.now
                    && let Some(n) = named.iter().find(|n| &n.id == id)
                {
                    *name = n.name.clone();
                }
            }
            if c.key_is_email {
                for m in &mut c.movers {
                    m.key = mask(&m.key, &Kind::Email);
                }
            }
            Response::Compared(Box::new(c))
        }
        Err(e) => Response::Notice {
            message: e.to_string(),
        },
    }
}

/// One person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonView {
    /// Row (0-based).
    pub row: u32,
    /// Their segment's id and name, if any.
    pub segment: Option<(String, String)>,
    /// How they belong.
    pub membership: Membership,
    /// Edge score.
    pub edge_score: f64,
    /// Why they sit where they sit.
    pub reason: String,
    /// (column, role, value) for every column; personal data masked.
    pub cells: Vec<(String, Role, String)>,
    /// People most like them: row, segment id, reason.
    pub like_them: Vec<(u32, String, String)>,
}

impl PersonView {
    /// The person view for `row`, if it exists.
    pub fn of(dataset: &Dataset, a: &Analysis, row: usize) -> Option<PersonView> {
        if row >= a.n_people {
            return None;
        }
        let segment = a
            .segment_of
            .get(row)
            .copied()
            .flatten()
            .and_then(|s| a.segments.get(s as usize))
            .map(|s| (s.id.clone(), s.name.clone()));
        let cells = dataset
            .table
            .columns()
            .iter()
            .zip(&a.schema.columns)
            .map(|(col, cs)| (col.name.clone(), cs.role, mask(col.get(row), &cs.kind)))
            .collect();
        let like_them = a
            .neighbours
            .get(row)
            .map(|nb| {
                nb.iter()
                    .take(5)
                    .map(|&j| {
                        (
                            j,
                            a.segment_id(j as usize).to_string(),
                            a.reason.get(j as usize).unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(PersonView {
            row: row as u32,
            segment,
            membership: a
                .membership
                .get(row)
                .copied()
                .unwrap_or(Membership::Outlier),
            edge_score: a.edge_score.get(row).copied().unwrap_or(0.0),
            reason: a.reason.get(row).unwrap_or_default().to_string(),
            cells,
            like_them,
        })
    }
}

/// Bytes as bytes, not as a sequence of numbers: `serde_wasm_bindgen` then sends one
/// `Uint8Array` instead of a JavaScript array of one number per byte, which took seconds for
/// a large export and failed outright ("Invalid array length") for a million-row one.
mod as_bytes {
    use serde::de::{Deserializer, SeqAccess, Visitor};
    use serde::ser::Serializer;
    use std::fmt;

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        deserializer.deserialize_byte_buf(Bytes)
    }

    struct Bytes;

    impl<'de> Visitor<'de> for Bytes {
        type Value = Vec<u8>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("bytes")
        }

        fn visit_bytes<E>(self, v: &[u8]) -> Result<Vec<u8>, E> {
            Ok(v.to_vec())
        }

        fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
            Ok(v)
        }

        // Formats without bytes (JSON) write a sequence of numbers.
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
            while let Some(b) = seq.next_element()? {
                out.push(b);
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_is_masked_and_other_data_is_not() {
        assert_eq!(
            mask("ann.lee@example.com", &Kind::Email),
            "a•••@example.com"
        );
        assert_eq!(mask("Ann Lee", &Kind::PersonName), "A•••");
        assert_eq!(mask("+44 20 7946 0000", &Kind::Phone), "+•••");
        assert_eq!(mask("weekly shop", &Kind::FreeText), "weekly shop");
        assert_eq!(mask("", &Kind::Email), "");
    }

    #[test]
    fn take_away_requests_round_trip_through_serde() {
        let r = Request::TakeAway {
            what: TakeAway::Audience {
                segment: 2,
                hashed: true,
            },
            labels: vec![SegmentLabel {
                id: "S3".into(),
                found: "night shifts".into(),
                name: "Nurses".into(),
                note: String::new(),
            }],
        };
        let json = serde_json::to_string(&r).expect("serialise");
        assert_eq!(serde_json::from_str::<Request>(&json).expect("parse"), r);
    }

    #[test]
    fn downloads_round_trip_through_serde() {
        let r = Response::Download {
            name: "segments.csv".into(),
            mime: "text/csv".into(),
            bytes: b"id,segment\n1,S1\n".to_vec(),
            note: String::new(),
        };
        let json = serde_json::to_string(&r).expect("serialise");
        assert_eq!(serde_json::from_str::<Response>(&json).expect("parse"), r);
        // In the page, serde_wasm_bindgen makes the bytes one Uint8Array, and reads them back
        // from one: the browser tests' downloads (drop_and_export, take_away) go that way.
    }

    #[test]
    fn requests_round_trip_through_serde() {
        let r = Request::Person { row: 7 };
        let json = serde_json::to_string(&r).expect("serialise");
        assert_eq!(serde_json::from_str::<Request>(&json).expect("parse"), r);
    }
}
