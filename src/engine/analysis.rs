//! The whole analysis, stage by stage, with progress.
//!
//! [`combine`] turns read files into one [`Dataset`]: it joins them (suggesting keys where
//! the user chose none), infers the schema and gathers every diagnostic. [`analyse`] runs
//! features → segments → portraits → edge scores → map → say/do on a dataset with
//! [`Settings`], reporting progress by [`Stage`]. The CLI calls exactly these two functions;
//! the web worker calls `combine` and runs `analyse`'s steps itself ([`prepare`], then the
//! [`Prepared`] methods), so that a second worker can build the neighbour graph meanwhile.
//! Either way the steps and the result are the same.

use super::cluster::{self, ClusterParams, Clustering, Membership};
use super::describe::{self, Segment};
use super::diagnostics::{Diagnostic, Diagnostics};
use super::edges;
use super::export;
use super::features::{self, Block, FeatureParams};
use super::ingest::join::{self, JoinKey, JoinReport};
use super::ingest::{Dialect, Parsed};
use super::map;
use super::meaning::StaticModel;
use super::profile;
use super::saydo::{self, SayDo};
use super::schema::{self, ColumnHint, Schema, SchemaParams};
use super::table::Table;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The stages a marketer sees in the progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// Reading files.
    Reading,
    /// Understanding columns.
    Understanding,
    /// Loading the meaning model (the page's worker, once, when there is free text).
    Meaning,
    /// Building features.
    Features,
    /// Finding segments.
    Segments,
    /// Describing them.
    Describing,
}

impl Stage {
    /// The stage in plain words.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Reading => "Reading your files",
            Stage::Understanding => "Understanding the columns",
            Stage::Meaning => "Loading the meaning model",
            Stage::Features => "Building features",
            Stage::Segments => "Finding segments",
            Stage::Describing => "Describing segments",
        }
    }
}

/// Every setting of an analysis; saved in the receipt and the settings file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Settings {
    /// Roles chosen by the user.
    pub schema: SchemaParams,
    /// Feature settings (the say/do balance).
    pub features: FeatureParams,
    /// Clustering settings.
    pub cluster: ClusterParams,
    /// Join keys chosen by the user, one per file after the first (`None` = suggested).
    pub joins: Vec<Option<JoinKey>>,
    /// Names and notes the user gave segments; they change no analysis, only what is taken
    /// away (export, report, audiences).
    #[serde(default)]
    pub labels: Vec<export::SegmentLabel>,
}

/// What a file looked like, for the check screen and the receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileSummary {
    /// Name.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Rows read.
    pub rows: usize,
    /// Columns read.
    pub columns: usize,
    /// How it was read.
    pub dialect: Dialect,
    /// SHA-256 of its bytes (lower-case hex): the receipt names exactly which file was read.
    #[serde(default)]
    pub sha256: String,
}

/// Files joined into one table, with its schema.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The files.
    pub files: Vec<FileSummary>,
    /// The joined table.
    pub table: Table,
    /// Where each column came from.
    pub hints: Vec<ColumnHint>,
    /// How each extra file was joined.
    pub joins: Vec<JoinReport>,
    /// Files that could not be joined (no shared key) and were left out.
    pub unjoined: Vec<String>,
    /// Everything noticed, file by file.
    pub diagnostics: Vec<Diagnostic>,
    /// Column kinds and roles.
    pub schema: Schema,
    /// Rows that repeat an earlier row of their file in every cell, a column that tells
    /// records apart included: the same people twice (named in `diagnostics`).
    pub repeated_rows: usize,
    /// The rows of `table` that repeat an earlier row in every cell, a column that tells
    /// records apart included and filled, each with the row it repeats (sorted): left out
    /// when segments are formed, each takes the segment of the row it repeats.
    pub copies: Vec<(usize, usize)>,
    /// At least this many rows of the table repeat an earlier row of one file but are not
    /// `copies` (a customer twice in the CRM, once in the survey): the most repeats in one
    /// file, less the copies. Always 0 for one file.
    pub repeats_apart: usize,
    /// Files of orders read as one row per customer (`rollup`), each said in one sentence
    /// for the results.
    pub rolled_up: Vec<String>,
}

/// Joins `parsed` files (in order) and infers the schema under `settings`.
pub fn combine(parsed: Vec<Parsed>, settings: &Settings) -> Dataset {
    let mut files = Vec::new();
    let mut diagnostics = Vec::new();
    let mut joins = Vec::new();
    let mut unjoined = Vec::new();
    let mut table: Option<Table> = None;
    let mut hints: Vec<ColumnHint> = Vec::new();
    let mut single_schema: Option<Schema> = None;
    let n_files = parsed.len();
    let mut repeated = 0;
    let mut most_repeated = 0;
    let mut first_copies = Vec::new();
    let mut first_key = None;
    let mut rolled_up = Vec::new();
    // The user's roles, and those of columns made by rolling up a file of orders.
    let mut params = settings.schema.clone();
    for (idx, mut p) in parsed.into_iter().enumerate() {
        files.push(FileSummary {
            name: p.file.clone(),
            bytes: p.n_bytes,
            rows: p.table.n_rows(),
            columns: p.table.columns().len(),
            dialect: p.dialect.clone(),
            sha256: p.sha256.clone(),
        });
        diagnostics.extend(p.diagnostics.iter().cloned());
        let first_row = p.dialect.first_row();
        let hints_for = |table: &Table, decimal| -> Vec<ColumnHint> {
            let hint = ColumnHint {
                file: p.file.clone(),
                decimal,
                first_row,
            };
            vec![hint; table.columns().len()]
        };
        let mut file_hints = hints_for(&p.table, p.dialect.decimal);
        // Numbers that cannot be read are reported against the file's own rows.
        let (mut file_schema, file_diags) = schema::infer(&p.table, &file_hints, &settings.schema);
        diagnostics.extend(file_diags);
        // A file of orders becomes a file of customers (`rollup`), its numbers written with
        // a decimal point.
        if let Some(rolled) = super::rollup::per_customer(&p.table, &file_schema) {
            let mut d = Diagnostics::new(&p.file);
            let customers = rolled.table.n_rows();
            // The file's rows, and those left out for repeating another in every cell.
            let figure = |rows: usize| super::profile::fmt_number(rows as f64);
            let copies = match rolled.copies {
                0 => String::new(),
                1 => " (1 row that repeats an earlier row in every cell is counted once)".into(),
                n => format!(
                    " ({} rows that repeat an earlier row in every cell are counted once)",
                    figure(n)
                ),
            };
            d.push(
                "rolled-up",
                super::diagnostics::Severity::Warning,
                None,
                Some(&rolled.key),
                || {
                    format!(
                        "{} rows of {} customers by “{}”{copies}: segments are formed of customers, one row each ({})",
                        figure(rolled.rows + rolled.copies),
                        figure(customers),
                        rolled.key,
                        rolled.columns.join("; ")
                    )
                },
                Some("the export lists each customer once, with what their rows add up to"),
            );
            diagnostics.extend(d.finish());
            rolled_up.push(format!(
                "{}: {} rows of {} customers, by “{}”{copies}: each customer is one person, with their rows counted and added up (see Your data).",
                p.file,
                figure(rolled.rows + rolled.copies),
                figure(customers),
                rolled.key
            ));
            // A role given to a column of the orders is given to what it became.
            params.roles = rolled.roles(&params.roles);
            p.table = rolled.table;
            file_hints = hints_for(&p.table, super::values::Decimal::Dot);
            file_schema = schema::infer(&p.table, &file_hints, &params).0;
        }
        // Counted for the results only when the file's rows are in the table.
        let (rows, key, said) = repeated_rows(&p.file, &p.table, first_row);
        let count = rows.len();
        if idx == 0 {
            first_copies = rows;
            first_key = key;
        }
        diagnostics.extend(said);
        single_schema = Some(file_schema);
        match table.take() {
            None => {
                table = Some(p.table);
                hints = file_hints;
                repeated += count;
                most_repeated = most_repeated.max(count);
            }
            Some(left) => {
                let chosen = settings.joins.get(idx - 1).cloned().flatten();
                let key = chosen.or_else(|| join::suggest_key(&left, &p.table).map(|(k, _)| k));
                let mut d = Diagnostics::new(&p.file);
                match key.and_then(|k| join::join(&left, &p.table, &p.file, &k, &mut d)) {
                    Some((joined, report)) => {
                        table = Some(joined);
                        hints.extend(file_hints);
                        joins.push(report);
                        repeated += count;
                        most_repeated = most_repeated.max(count);
                    }
                    None => {
                        unjoined.push(p.file.clone());
                        d.push(
                            "no-join",
                            super::diagnostics::Severity::Warning,
                            None,
                            None,
                            || "no column shares enough values with the other files to join on; this file was left out".into(),
                            Some("make sure both exports include the same email address or customer id column"),
                        );
                        table = Some(left);
                    }
                }
                diagnostics.extend(d.finish());
            }
        }
    }
    let table = table.unwrap_or_default();
    // The first file's repeats are the table's rows when nothing was joined to it; a join
    // keeps the first file's rows and columns first, in order, but adds columns, so the table
    // is looked at again, by the first file's key (a key found again on the joined table
    // could fail where rows of one file only leave it empty).
    let copies = match first_key {
        Some(key) if !joins.is_empty() => repeats_by_key(&table, table.repeated_rows(), key),
        _ => first_copies,
    };
    // One file: its own schema is the table's. Several: the joined columns are typed again.
    let schema = match single_schema {
        Some(schema) if n_files == 1 => schema,
        _ => schema::infer(&table, &hints, &params).0,
    };
    Dataset {
        files,
        table,
        hints,
        joins,
        unjoined,
        diagnostics,
        schema,
        repeated_rows: repeated,
        repeats_apart: most_repeated.saturating_sub(copies.len()),
        copies,
        rolled_up,
    }
}

/// A warning for the rows of `file` that repeat an earlier row in every cell, a column that
/// tells records apart included ([`Table::key_column`]): the same person twice, who counts
/// twice in every count (and is left out when segments are formed if the joined row repeats
/// too, `Dataset::copies`). The rows stay (nothing is dropped); the user is told which, and how many there are. A survey of choices without
/// such a column is not warned about: people there answer alike. `first_row` is the
/// spreadsheet row of the table's first row. Returns the repeating rows and the warnings.
fn repeated_rows(
    file: &str,
    table: &Table,
    first_row: usize,
) -> (Vec<(usize, usize)>, Option<usize>, Vec<Diagnostic>) {
    let (repeats, key_index) = copies_of(table);
    let Some(key) = key_index.and_then(|c| table.column(c)) else {
        return (Vec::new(), None, Vec::new());
    };
    let mut d = Diagnostics::new(file);
    for &(row, earlier) in &repeats {
        d.push(
            "repeated-row",
            super::diagnostics::Severity::Warning,
            Some(row + first_row),
            None,
            || {
                format!(
                    "repeats an earlier row in every cell, “{}” included (this one repeats row \
                     {}): the same person twice, and each repeat counts as one more person in \
                     the segments' sizes and the lone outliers",
                    key.name,
                    earlier + first_row
                )
            },
            Some("remove the repeated rows from the export if each person should appear once"),
        );
    }
    (repeats, key_index, d.finish())
}

/// The rows of `table` that repeat an earlier row in every cell, a column that tells records
/// apart included ([`Table::key_column`]) and filled, each with the row it repeats (sorted),
/// and that column. A repeat with an empty key may be someone else who answered alike, and a
/// table without such a column (a survey of choices) has no copies: people there answer
/// alike.
fn copies_of(table: &Table) -> (Vec<(usize, usize)>, Option<usize>) {
    let repeats = table.repeated_rows();
    let Some(key) = (!repeats.is_empty())
        .then(|| table.key_column(&repeats))
        .flatten()
    else {
        return (Vec::new(), None);
    };
    (repeats_by_key(table, repeats, key), Some(key))
}

/// Of `repeats` (rows of `table` with the row each repeats), those whose column `key` is
/// filled.
fn repeats_by_key(table: &Table, repeats: Vec<(usize, usize)>, key: usize) -> Vec<(usize, usize)> {
    let Some(column) = table.column(key) else {
        return Vec::new();
    };
    repeats
        .into_iter()
        .filter(|&(row, _)| column.code(row) != 0)
        .collect()
}

/// What the results say about rows that repeat an earlier row in every cell: `copies` rows
/// of the table (left out when segments were formed), and at least `apart` more that repeat
/// an earlier row of one joined file only (a customer twice in the CRM, once in the
/// survey), which are not copies in the table and count like anyone.
fn repeats_warning(copies: usize, apart: usize) -> Vec<String> {
    let mut said = Vec::new();
    let notes = "(the notes about reading the files say which)";
    match copies {
        0 => {}
        1 => said.push(format!(
            "1 row repeats an earlier row in every cell {notes}: it was left out when \
             segments were formed and is in the segment of the row it repeats, but it counts as \
             one more person in the segments' sizes and the lone outliers."
        )),
        c => said.push(format!(
            "{c} rows repeat an earlier row in every cell {notes}: they were left out when \
             segments were formed and each is in the segment of the row it repeats, but each \
             counts as one more person in the segments' sizes and the lone outliers."
        )),
    }
    if apart > 0 {
        let rows = if apart == 1 { "row" } else { "rows" };
        said.push(format!(
            "At least {apart} {rows} repeat an earlier row of one file in every cell {notes}, \
             but not once the files are joined: each counts as one more person, in forming \
             segments too."
        ));
    }
    said
}

/// Re-applies role choices to a dataset without re-reading anything.
pub fn with_roles(dataset: &mut Dataset, params: &SchemaParams) {
    dataset.schema = schema_for(dataset, params);
}

/// The schema an analysis of `dataset` uses under the role choices `params`: the dataset's,
/// with the choices applied and importance/satisfaction outcomes paired again. [`prepare`]
/// builds it once, and the [`Analysis`] keeps it for the receipt and the person view.
pub fn schema_for(dataset: &Dataset, params: &SchemaParams) -> Schema {
    let mut schema = dataset.schema.clone();
    schema::apply_overrides(&mut schema, params);
    schema.outcomes = schema::outcomes::pair_outcomes(&schema);
    schema
}

/// Whether an analysis of `dataset` under `settings` reads free text by meaning: the settings
/// ask for it and a free-text column forms segments. The web worker fetches the meaning model
/// only then.
pub fn reads_meaning(dataset: &Dataset, settings: &Settings) -> bool {
    settings.features.text_model == features::TextModel::Meaning
        && schema_for(dataset, &settings.schema)
            .columns
            .iter()
            .any(|c| c.kind == schema::Kind::FreeText && c.role.forms_segments())
}

/// The result of an analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// People analysed.
    pub n_people: usize,
    /// Segments, most distinctive first, mass middle last.
    pub segments: Vec<Segment>,
    /// Each person's segment (index into `segments`), `None` for lone outliers.
    pub segment_of: Vec<Option<u32>>,
    /// How each person belongs.
    pub membership: Vec<Membership>,
    /// Edge score per person, 0–1.
    pub edge_score: Vec<f64>,
    /// Reason per person.
    pub reason: edges::Reasons,
    /// Map coordinates per person.
    pub map: Vec<[f32; 2]>,
    /// Lone outliers, most unusual first.
    pub outliers: Vec<u32>,
    /// Each person's nearest neighbours (themselves excluded).
    pub neighbours: cluster::neighbours::Neighbours,
    /// The say/do cross-table.
    pub say_do: Option<SayDo>,
    /// The smallest segment size used, the density neighbourhood, and the sizes tried.
    pub min_cluster_size: usize,
    /// Density neighbourhood.
    pub min_samples: usize,
    /// (size, segments) for each smallest-segment size tried.
    pub sweep: Vec<(usize, usize)>,
    /// Warnings about the settings (demographics forming segments, nothing to segment on).
    pub warnings: Vec<String>,
    /// The settings used.
    pub settings: Settings,
    /// The schema used: the dataset's with the settings' role choices ([`schema_for`]).
    pub schema: Schema,
}

/// A lone outlier listed for the reason they give ([`Analysis::outliers_listed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed {
    /// The most unusual of them (0-based row).
    pub row: u32,
    /// Lone outliers who give this reason, themselves included.
    pub alike: usize,
}

impl Analysis {
    /// The segment id written in the export for person `i` (`S1`…, or `edge`).
    pub fn segment_id(&self, i: usize) -> &str {
        self.segment_of
            .get(i)
            .copied()
            .flatten()
            .and_then(|s| self.segments.get(s as usize))
            .map_or(export::OUTLIER_SEGMENT, |s| s.id.as_str())
    }

    /// Each segment's id, shown name and note under the user's `labels`.
    pub fn named(&self, labels: &[export::SegmentLabel]) -> Vec<export::Named> {
        export::named(
            self.segments
                .iter()
                .map(|s| (s.id.as_str(), s.name.as_str())),
            labels,
        )
    }

    /// The lone outliers to list, most unusual first, at most `most`: the first of each
    /// reason, with how many lone outliers give that same reason. In CDNOW's real log of
    /// orders, 68 customers whose orders all cost nothing filled the page's twelve places
    /// with one reason twelve times, above the customer of 200 orders.
    pub fn outliers_listed(&self, most: usize) -> Vec<Listed> {
        let mut at: HashMap<&str, usize> = HashMap::new();
        let mut listed: Vec<Listed> = Vec::new();
        for &row in &self.outliers {
            let reason = self.reason.get(row as usize).unwrap_or_default();
            match at.get(reason) {
                Some(&i) => listed[i].alike += 1,
                None => {
                    at.insert(reason, listed.len());
                    listed.push(Listed { row, alike: 1 });
                }
            }
        }
        listed.truncate(most);
        listed
    }

    /// The rows (0-based) of segment `index`'s members.
    pub fn members(&self, index: usize) -> Vec<usize> {
        self.segment_of
            .iter()
            .enumerate()
            .filter(|(_, s)| **s == Some(index as u32))
            .map(|(row, _)| row)
            .collect()
    }

    /// The segmented CSV export, segments named under the user's `labels`.
    pub fn export_csv(&self, table: &Table, labels: &[export::SegmentLabel]) -> Vec<u8> {
        export::write_csv(
            table,
            &self.segment_of,
            &self.named(labels),
            &self.edge_score,
            &self.reason,
        )
    }
}

/// Why an analysis could not run. Messages start with the files' names and say what to try.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AnalysisError {
    /// Nothing to analyse.
    #[error(
        "{files}: there are no rows to analyse — only a header row, or nothing at all. Check that this is the full export"
    )]
    NoRows {
        /// The files, named.
        files: String,
    },
    /// No column forms segments.
    #[error(
        "{files}: no column can tell people apart — {why}. On the check screen, mark at least one column as “What they say” or “What they do”, or check that this is the right export"
    )]
    NoFeatures {
        /// The files, named.
        files: String,
        /// What the columns are, in words.
        why: String,
    },
    /// Invalid settings.
    #[error("{0}")]
    Settings(String),
}

/// Why no column formed segments, in words: "4 columns have the same value in every row, 1 is
/// an identifier".
fn unusable_columns(schema: &schema::Schema) -> String {
    let (mut constant, mut empty, mut unused, mut describe) = (0, 0, 0, 0);
    for c in &schema.columns {
        if c.n_distinct == 0 {
            empty += 1;
        } else if c.n_distinct == 1 {
            constant += 1;
        } else if c.role == schema::Role::DescribeOnly {
            describe += 1;
        } else if !c.role.forms_segments() {
            unused += 1;
        }
    }
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let mut parts = Vec::new();
    if constant > 0 {
        parts.push(plural(
            constant,
            "column has the same value in every row",
            "columns have the same value in every row",
        ));
    }
    if empty > 0 {
        parts.push(plural(empty, "column is empty", "columns are empty"));
    }
    if unused > 0 {
        parts.push(plural(
            unused,
            "column is an identifier or personal data",
            "columns are identifiers or personal data",
        ));
    }
    if describe > 0 {
        parts.push(plural(
            describe,
            "column is a demographic (describes, never forms)",
            "columns are demographics (describe, never form)",
        ));
    }
    if parts.is_empty() {
        "no column holds usable values".into()
    } else {
        parts.join(", ")
    }
}

/// Each latent variable's weight: its block's share of the balance over the larger share
/// (0.5 → 1 each, 1 → say 1 and do 0, 0.75 → say 1 and do ⅓); a block alone takes 1.
///
/// No weight exceeds 1. A latent class's likelihood is tempered by the weights, but the cost
/// of saying who is in which class is not: with a weight of 2 (what "twice the even share"
/// gave at balance 1), splitting a group by one answer gained twice what it paid, and the
/// grocer's mass groups, read by what they say alone, fell apart by rating levels (lowest
/// mass F1 0.57).
fn variable_weights(features: &features::Features, balance: f64) -> Vec<f64> {
    let has = |b: Block| features.variables.iter().any(|v| v.block == b);
    let both = has(Block::Say) && has(Block::Do);
    features
        .variables
        .iter()
        .map(|v| block_weight(balance, both, v.block))
        .collect()
}

/// The weight of `block` at `balance` when `both` blocks are there: its share over the larger
/// share; a block alone takes 1, and so does each at a balance that is not a number.
fn block_weight(balance: f64, both: bool, block: Block) -> f64 {
    if !both || !balance.is_finite() {
        return 1.0;
    }
    let balance = balance.clamp(0.0, 1.0);
    let larger = balance.max(1.0 - balance);
    if block == Block::Say {
        balance / larger
    } else {
        (1.0 - balance) / larger
    }
}

/// With the slider at one end, what the people who answered none of that block's questions
/// are placed by (`cluster::latent::Silent`), and how many they are; `None` when no one is.
fn silent_note(features: &features::Features, weights: &[f64]) -> Option<String> {
    let silent_block = features
        .variables
        .iter()
        .zip(weights)
        .find(|(_, w)| !cluster::latent::weighed(**w))
        .map(|(v, _)| v.block)?;
    let n = super::linalg::Rows::n_rows(&features.balanced);
    let silent = (0..n)
        .filter(|&i| cluster::latent::is_silent(&features.variables, weights, i))
        .count();
    if silent == 0 {
        return None;
    }
    let share = super::profile::fmt_share(silent as f64 / n.max(1) as f64);
    Some(match silent_block {
        Block::Do => format!(
            "Segments are formed from what people say only. {silent} people ({share}) answered none of those questions, so they are placed by what they do, with the people who do as they do."
        ),
        Block::Say => format!(
            "Segments are formed from what people do only. {silent} people ({share}) have none of those columns filled in, so they are placed by what they say, with the people who say as they say."
        ),
    })
}

/// Each column's file, numbered in the order files were joined.
fn sources(hints: &[ColumnHint]) -> Vec<usize> {
    let mut files: Vec<&str> = Vec::new();
    hints
        .iter()
        .map(|h| match files.iter().position(|f| *f == h.file) {
            Some(at) => at,
            None => {
                files.push(&h.file);
                files.len() - 1
            }
        })
        .collect()
}

/// Runs the analysis. `meaning` is the distilled table that reads free text by meaning
/// (`meaning::builtin()` natively; the worker fetches it); without it text is read by its
/// words. `progress` receives the stage and the fraction of it done.
pub fn analyse(
    dataset: &Dataset,
    settings: &Settings,
    meaning: Option<&StaticModel>,
    progress: &mut dyn FnMut(Stage, f64),
) -> Result<Analysis, AnalysisError> {
    let prepared = prepare(dataset, settings, meaning, progress)?;
    let clustering = prepared.segment(progress);
    Ok(prepared.describe(clustering, progress))
}

/// An analysis with its features built and its segments still to find. [`analyse`] runs it
/// to the end; the web worker instead hands [`Prepared::space`] to a second worker for
/// everyone's neighbour graph while it runs [`Prepared::segment_sample`] itself, then
/// finishes with [`Prepared::segment_everyone`] — the same result, on two cores.
pub struct Prepared<'a> {
    dataset: &'a Dataset,
    settings: &'a Settings,
    cluster_params: cluster::ClusterValidParams,
    schema: Schema,
    features: features::Features,
    space: super::linalg::Dense,
    columns: Vec<std::ops::Range<usize>>,
    /// Each latent variable's weight: the balance slider's share for its block, as a
    /// multiple of an even split (0.5 → 1 for both).
    variable_weights: Vec<f64>,
}

/// Checks the settings, applies the user's column choices and builds the features and the
/// space segments are found in (stages Understanding and Features).
pub fn prepare<'a>(
    dataset: &'a Dataset,
    settings: &'a Settings,
    meaning: Option<&StaticModel>,
    progress: &mut dyn FnMut(Stage, f64),
) -> Result<Prepared<'a>, AnalysisError> {
    let table = &dataset.table;
    let n = table.n_rows();
    let files = || {
        dataset
            .files
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>()
            .join(" + ")
    };
    if n == 0 {
        return Err(AnalysisError::NoRows { files: files() });
    }
    let cluster_params = settings
        .cluster
        .clone()
        .check()
        .map_err(|e| AnalysisError::Settings(e.to_string()))?;
    progress(Stage::Understanding, 0.0);
    let schema = schema_for(dataset, &settings.schema);
    progress(Stage::Understanding, 1.0);

    progress(Stage::Features, 0.0);
    let mut features = features::build(
        table,
        &schema,
        &settings.features,
        meaning,
        &sources(&dataset.hints),
    );
    if features.groups.is_empty() {
        return Err(AnalysisError::NoFeatures {
            files: files(),
            why: unusable_columns(&schema),
        });
    }
    let space = features.space(&[Block::Say, Block::Do], settings.features.max_dims);
    let columns = features
        .groups
        .iter()
        .map(|g| g.start..g.start + g.len)
        .collect();
    progress(Stage::Features, 1.0);
    let variable_weights = variable_weights(&features, settings.features.balance);
    if let Some(note) = silent_note(&features, &variable_weights) {
        features.notes.push(note);
    }
    Ok(Prepared {
        dataset,
        settings,
        cluster_params,
        schema,
        features,
        space,
        columns,
        variable_weights,
    })
}

impl<'a> Prepared<'a> {
    /// The points segments are found among, one row per person.
    pub fn space(&self) -> &super::linalg::Dense {
        &self.space
    }

    /// The seed everyone's neighbour graph is built with ([`cluster::everyone_graph`]).
    pub fn seed(&self) -> u64 {
        self.settings.cluster.seed
    }

    fn respects(&self) -> cluster::Respects<'_> {
        cluster::Respects {
            features: &self.features.balanced,
            columns: &self.columns,
            latent: Some(cluster::Latent {
                variables: &self.features.variables,
                weights: &self.variable_weights,
                // Every column that forms segments at this balance: read by what people
                // say alone, a shop's amounts (no variable) form none.
                every_column: {
                    let groups = &self.features.groups;
                    let both = [Block::Say, Block::Do]
                        .iter()
                        .all(|&b| groups.iter().any(|g| g.block == b));
                    let balance = self.settings.features.balance;
                    groups
                        .iter()
                        .filter(|g| cluster::latent::weighed(block_weight(balance, both, g.block)))
                        .all(|g| self.features.variables.iter().any(|v| v.column == g.column))
                },
                copies: &self.dataset.copies,
            }),
        }
    }

    /// Finds the segments (stage Segments), everyone's neighbour graph on a second thread
    /// where there is one.
    pub fn segment(&self, progress: &mut dyn FnMut(Stage, f64)) -> Clustering {
        progress(Stage::Segments, 0.0);
        let clustering = if self.space.rows < 2 {
            single_person(self.space.rows)
        } else {
            cluster::segment(
                &self.space,
                &self.cluster_params,
                Some(&self.respects()),
                &mut |f| progress(Stage::Segments, f),
            )
        };
        progress(Stage::Segments, 1.0);
        clustering
    }

    /// The sample's part of [`Prepared::segment`]: everything but everyone's neighbour graph.
    /// Needs at least two people.
    pub fn segment_sample(&self, progress: &mut dyn FnMut(Stage, f64)) -> cluster::SampleSegments {
        progress(Stage::Segments, 0.0);
        cluster::segment_sample(
            &self.space,
            &self.cluster_params,
            Some(&self.respects()),
            &mut |f| progress(Stage::Segments, f),
        )
    }

    /// [`Prepared::segment_sample`] without the stability resamples: those are
    /// [`Prepared::resample_jobs`], to run on any core, their results given to
    /// [`cluster::SampleSegments::settle`]. Needs at least two people.
    pub fn sample_segments(&self, progress: &mut dyn FnMut(Stage, f64)) -> cluster::SampleSegments {
        progress(Stage::Segments, 0.0);
        cluster::sample_segments(
            &self.space,
            &self.cluster_params,
            Some(&self.respects()),
            &mut |f| progress(Stage::Segments, f),
        )
    }

    /// The stability resamples of `part`, dealt out over `parts` self-contained jobs.
    pub fn resample_jobs(
        &self,
        part: &cluster::SampleSegments,
        parts: usize,
    ) -> Vec<cluster::stability::ResampleJob> {
        part.resample_jobs(
            &self.space,
            &self.cluster_params,
            Some(&self.respects()),
            parts,
        )
    }

    /// Settles `part`'s stability from every resample of [`Prepared::resample_jobs`].
    pub fn settle(
        &self,
        part: &mut cluster::SampleSegments,
        resamples: Vec<cluster::stability::Resample>,
    ) {
        part.settle(resamples, &self.cluster_params);
    }

    /// The rest of [`Prepared::segment`], given the sample's part and
    /// `cluster::everyone_graph(self.space(), self.seed())`.
    pub fn segment_everyone(
        &self,
        part: cluster::SampleSegments,
        graph: cluster::neighbours::Graph,
        progress: &mut dyn FnMut(Stage, f64),
    ) -> Clustering {
        let clustering = cluster::segment_everyone(
            &self.space,
            part,
            graph,
            &self.cluster_params,
            self.respects().latent,
        );
        progress(Stage::Segments, 1.0);
        clustering
    }

    /// Portraits, edge scores, the map and say/do for the segments found (stage Describing).
    pub fn describe(
        self,
        clustering: Clustering,
        progress: &mut dyn FnMut(Stage, f64),
    ) -> Analysis {
        progress(Stage::Describing, 0.0);
        let mut clustering = clustering;
        self.follow_originals(&mut clustering);
        let fit = edges::fit_z(&self.features, &clustering);
        self.describe_segments(clustering, progress)
            .finish(fit, None, progress)
    }

    /// What another worker can do while this one describes the segments, in the order
    /// describing needs: rows that repeat an earlier customer's row follow that customer
    /// ([`Prepared::follow_originals`]), then everyone's fit is taken as a job
    /// ([`Prepared::take_fit_job`]), and the say/do table's sides
    /// ([`Prepared::say_do_job`]). [`Described::finish`] takes their answers.
    pub fn helper_jobs(
        &mut self,
        clustering: &mut Clustering,
    ) -> (edges::FitJob, Option<saydo::SidesJob>) {
        self.follow_originals(clustering);
        (self.take_fit_job(clustering), self.say_do_job())
    }

    /// Gives rows that repeat an earlier customer's row that customer's segment, as
    /// describing does first.
    pub fn follow_originals(&self, clustering: &mut Clustering) {
        clustering.follow_originals(&self.dataset.copies);
    }

    /// How badly each person's answers fit the segments ([`edges::fit_z`]), as a job another
    /// worker can run while this one describes the segments ([`Described::finish`] takes
    /// its answer), `clustering` as [`Prepared::follow_originals`] left it.
    /// The job takes the features' latent variables, which describing does not read; it
    /// holds them until the fit is answered, so that this worker can judge it itself if no
    /// answer comes.
    pub fn take_fit_job(&mut self, clustering: &Clustering) -> edges::FitJob {
        edges::FitJob::new(std::mem::take(&mut self.features.variables), clustering)
    }

    /// The say/do table's clustering of each side, as a job another worker can run while
    /// this one describes the segments ([`Described::finish`] takes its answer, with the
    /// job's sample); `None` when there is no table (fewer than 40 people, or a side with no
    /// features).
    pub fn say_do_job(&self) -> Option<saydo::SidesJob> {
        let n = self.dataset.table.n_rows();
        if n < 40 {
            return None;
        }
        saydo::SidesJob::new(
            &self.features,
            n,
            self.settings.cluster.seed,
            &self.dataset.copies,
        )
    }

    /// [`Prepared::describe`] up to the fit and the say/do table: portraits, the map, and
    /// everyone judged but for their fit.
    pub fn describe_segments(
        self,
        clustering: Clustering,
        progress: &mut dyn FnMut(Stage, f64),
    ) -> Described<'a> {
        let Prepared {
            dataset,
            settings,
            schema,
            mut features,
            space,
            ..
        } = self;
        let table = &dataset.table;
        let n = table.n_rows();
        progress(Stage::Describing, 0.0);
        // The map first: the space is needed for nothing else, and its room (192 MB at a
        // million people) is then reused by what describing builds (BENCHMARKS.md, "Room
        // given back before describing").
        let map = map::layout(&space);
        drop(space);
        progress(Stage::Describing, 0.02);
        let profiles = profile::profile_all(table, &schema);
        progress(Stage::Describing, 0.05);
        let names = describe::name_words(table, &schema);
        progress(Stage::Describing, 0.1);
        let mut clustering = clustering;
        clustering.follow_originals(&dataset.copies);
        let assessment = edges::assess_but_fit(&edges::Inputs {
            table,
            profiles: &profiles,
            features: &features,
            clustering: &clustering,
            names: &names,
        });
        // The latent variables (a code per person and column) served the segments and the
        // fit (or the fit's job took them: `Prepared::take_fit_job`); describing does not read them.
        features.variables = Vec::new();
        progress(Stage::Describing, 0.2);
        // People far beyond everyone on some trait are lone outliers, wherever the
        // clustering space (which tempers extremes) put them.
        clustering.make_outliers(&assessment.extremes(&clustering));
        // Groups too small to act on are not segments; their people are lone outliers.
        let actionable = settings
            .cluster
            .min_cluster_size
            .unwrap_or_else(|| cluster::default_min_cluster_size(n))
            .max(5);
        let (small_groups, small_people) = clustering.dissolve_small(actionable);
        let described = describe::describe(&describe::Inputs {
            table,
            schema: &schema,
            profiles: &profiles,
            features: &features,
            clustering: &clustering,
            names: &names,
        });
        progress(Stage::Describing, 0.3);
        Described {
            dataset,
            settings,
            schema,
            features,
            profiles,
            names,
            clustering,
            described,
            assessment,
            map,
            small_groups,
            small_people,
            actionable,
        }
    }
}

/// Segments described, before everyone's fit and the say/do table: what
/// [`Prepared::describe_segments`] hands to [`Described::finish`].
pub struct Described<'a> {
    dataset: &'a Dataset,
    settings: &'a Settings,
    schema: Schema,
    features: features::Features,
    profiles: Vec<profile::ColumnProfile>,
    names: std::collections::BTreeSet<String>,
    clustering: Clustering,
    described: describe::Described,
    assessment: edges::Assessment,
    map: Vec<[f32; 2]>,
    small_groups: usize,
    small_people: usize,
    actionable: usize,
}

impl Described<'_> {
    /// Everyone's edge score and reason, given each person's `fit`
    /// ([`Prepared::take_fit_job`]); the say/do table, from each side's groups among the
    /// sampled people when another worker found them ([`Prepared::say_do_job`]), else found
    /// here; and the analysis.
    pub fn finish(
        self,
        fit: Vec<f64>,
        sides: Option<(Vec<usize>, saydo::Sides)>,
        progress: &mut dyn FnMut(Stage, f64),
    ) -> Analysis {
        let Described {
            dataset,
            settings,
            schema,
            features,
            profiles,
            names,
            mut clustering,
            described,
            mut assessment,
            map,
            small_groups,
            small_people,
            actionable,
        } = self;
        let table = &dataset.table;
        let n = table.n_rows();
        assessment.add_fit(fit);
        let edge_score = assessment.scores();
        let reason = assessment.reasons(&clustering, &described);
        // Each person's facts are in their reason now; their room serves say/do.
        drop(assessment);
        progress(Stage::Describing, 0.7);
        let mut say_do = match sides {
            Some((sample, sides)) => saydo::say_do_of(
                &sample,
                sides,
                &features,
                table,
                &profiles,
                &names,
                &dataset.copies,
            ),
            None if n >= 40 => saydo::say_do(
                &features,
                table,
                &profiles,
                &names,
                settings.cluster.seed,
                &dataset.copies,
            ),
            None => None,
        };
        progress(Stage::Describing, 0.9);

        let segment_of: Vec<Option<u32>> = clustering
            .labels
            .iter()
            .map(|l| l.and_then(|s| described.order.get(s)).map(|&d| d as u32))
            .collect();
        let mut outliers: Vec<u32> = (0..n as u32)
            .filter(|&i| segment_of[i as usize].is_none())
            .collect();
        outliers.sort_by(|&a, &b| {
            edge_score[b as usize]
                .total_cmp(&edge_score[a as usize])
                .then(a.cmp(&b))
        });
        // Each list loses the person themselves in place, not copied beside the original.
        let neighbours = std::mem::take(&mut clustering.neighbours).without_self();
        let mut warnings = dataset.rolled_up.clone();
        warnings.extend(schema.warnings.iter().cloned());
        warnings.extend(features.notes.iter().cloned());
        warnings.extend(repeats_warning(dataset.copies.len(), dataset.repeats_apart));
        if small_groups > 0 {
            warnings.push(if small_groups == 1 {
                format!(
                    "1 small group of fewer than {actionable} people (the smallest segment) is not shown as a segment; its {small_people} people are among the lone outliers."
                )
            } else {
                format!(
                    "{small_groups} small groups of fewer than {actionable} people (the smallest segment) are not shown as segments; their {small_people} people are among the lone outliers."
                )
            });
        }
        if clustering.n_segments == 0 {
            warnings.push("No segments stood out: people are spread evenly. Try weighting what they say or do differently, or a smaller smallest-segment size.".into());
        }
        // Segments at the edges smaller than the say/do table's smallest group are not its
        // rows or columns; the table says so. The table may be a sample: its smallest group is
        // compared with each segment as a share of the people in each.
        if let Some(t) = say_do.as_mut() {
            let people = t.sample.map_or(n, |(shown, _)| shown);
            let smallest = saydo::smallest_group(people) as f64 / people.max(1) as f64;
            let smaller = described
                .segments
                .iter()
                .filter(|s| !s.mass && (s.size as f64) < smallest * n as f64)
                .count();
            t.notes
                .extend(saydo::smaller_segments_note(smaller, smallest));
        }
        progress(Stage::Describing, 1.0);
        Analysis {
            n_people: n,
            segments: described.segments,
            segment_of,
            membership: clustering.membership,
            edge_score,
            reason,
            map,
            outliers,
            neighbours,
            say_do,
            min_cluster_size: clustering.min_cluster_size,
            min_samples: clustering.min_samples,
            sweep: clustering.sweep,
            warnings,
            settings: settings.clone(),
            schema,
        }
    }
}

fn single_person(n: usize) -> Clustering {
    Clustering {
        labels: vec![None; n],
        membership: vec![Membership::Outlier; n],
        core_distance: vec![0.0; n],
        neighbours: cluster::neighbours::Neighbours::none(n),
        n_segments: 0,
        micro: Vec::new(),
        stability: Vec::new(),
        min_cluster_size: 0,
        min_samples: 0,
        sweep: Vec::new(),
    }
}

/// The receipt saved beside an export: versions, inputs, settings and column roles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    /// Tool and version.
    pub tool: String,
    /// Input files.
    pub files: Vec<FileSummary>,
    /// Joins made.
    pub joins: Vec<JoinReport>,
    /// Every setting, including seeds.
    pub settings: Settings,
    /// Each column's kind and role.
    pub columns: Vec<ReceiptColumn>,
    /// Segment ids, names and sizes.
    pub segments: Vec<(String, String, usize)>,
    /// Sizes the density step used.
    pub min_cluster_size: usize,
    /// Density neighbourhood used.
    pub min_samples: usize,
}

/// A column in the receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceiptColumn {
    /// Name.
    pub name: String,
    /// Kind in words.
    pub kind: String,
    /// Role.
    pub role: schema::Role,
    /// Chosen by the user.
    pub overridden: bool,
}

/// Builds the receipt of an analysis whose segments carry the user's `labels`.
pub fn receipt(dataset: &Dataset, analysis: &Analysis, labels: &[export::SegmentLabel]) -> Receipt {
    let named = analysis.named(labels);
    Receipt {
        tool: format!("edgewise {}", env!("CARGO_PKG_VERSION")),
        files: dataset.files.clone(),
        joins: dataset.joins.clone(),
        settings: Settings {
            labels: labels.to_vec(),
            ..analysis.settings.clone()
        },
        columns: analysis
            .schema
            .columns
            .iter()
            .map(|c| ReceiptColumn {
                name: c.name.clone(),
                kind: c.kind.label(),
                role: c.role,
                overridden: c.overridden,
            })
            .collect(),
        segments: analysis
            .segments
            .iter()
            .zip(named)
            .map(|(s, n)| (s.id.clone(), n.name, s.size))
            .collect(),
        min_cluster_size: analysis.min_cluster_size,
        min_samples: analysis.min_samples,
    }
}
