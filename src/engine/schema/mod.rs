//! Schema: what each column is, and what part it plays.
//!
//! Every column gets a [`Kind`] (decided for the whole column, see [`kinds`]) and a [`Role`]
//! ([`roles`]):
//!
//! * **Stated jobs** — what people *say*: free-text answers, ratings, survey questions.
//! * **Behaviour** — what people *do*: counts, money, recency, channel, plan, opt-ins, and a
//!   mailing or CRM tool's score of how they engage (Mailchimp's member rating).
//! * **Describe only** — demographics (age, gender, location, income, …; a mailing tool's
//!   latitude, longitude and time zone are locations). They describe segments afterwards and
//!   never form them unless the user switches one on, with a warning: that is how personas
//!   creep back in. So does how a company keeps someone's account: a CRM's record owner, the
//!   details of their payment card.
//! * **Ignore** — identifiers and personal data (email, phone, name, address, IP): never
//!   features, kept for the export, masked on screen.
//!
//! Each decision comes with a one-line reason for the "check the data" screen. The user's
//! overrides ([`SchemaParams`]) win and are recorded in the export's receipt.
//!
//! This module holds the types, [`infer`] (kind, then role, of every column) and
//! [`apply_overrides`]. The decisions live in their own files, in the order [`infer`] takes
//! them: [`kinds`] (with [`dates`]) → [`roles`] → [`outcomes`] (importance/satisfaction
//! pairs, [`OutcomePair`], and opportunity scores). [`read`] is how cells and headers are read,
//! both while deciding and afterwards: missing values, header words, and the typed column
//! readers the later stages use. The files import from here only the types.

pub mod dates;
pub mod kinds;
pub mod outcomes;
pub mod read;
pub mod roles;

use super::diagnostics::{Diagnostic, Diagnostics};
use super::table::{Column, Table};
use super::values::Decimal;
use dates::DateOrder;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Kind {
    /// Whole numbers of things (orders, visits).
    Count,
    /// Decimal quantities.
    Amount,
    /// Money.
    Currency,
    /// Percentages.
    Percent,
    /// Calendar dates.
    Date,
    /// Dates with a time of day.
    DateTime,
    /// Yes/no, true/false, ticked/blank.
    Boolean,
    /// A few repeated labels (plan, channel).
    Categorical,
    /// Several labels per cell (`email; sms; push`).
    MultiSelect,
    /// A numeric rating scale (1–5, 0–10).
    Rating {
        /// Lowest point of the scale.
        min: f64,
        /// Highest point of the scale.
        max: f64,
    },
    /// An ordered text scale ("Strongly disagree" … "Strongly agree").
    OrderedText,
    /// Free-text answers.
    FreeText,
    /// Record identifiers.
    Identifier,
    /// Codes whose leading zeros matter (zip, postcode).
    Code,
    /// Email addresses.
    Email,
    /// Phone numbers.
    Phone,
    /// People's names.
    PersonName,
    /// Street addresses.
    Address,
    /// IP addresses.
    IpAddress,
    /// Only one value throughout.
    Constant,
    /// No values at all.
    Empty,
}

impl Kind {
    /// The kind in plain words.
    pub fn label(&self) -> String {
        match self {
            Kind::Count => "count".into(),
            Kind::Amount => "number".into(),
            Kind::Currency => "money".into(),
            Kind::Percent => "percentage".into(),
            Kind::Date => "date".into(),
            Kind::DateTime => "date and time".into(),
            Kind::Boolean => "yes / no".into(),
            Kind::Categorical => "category".into(),
            Kind::MultiSelect => "multiple choice".into(),
            Kind::Rating { min, max } => format!("rating {min}–{max}"),
            Kind::OrderedText => "ordered scale".into(),
            Kind::FreeText => "free text".into(),
            Kind::Identifier => "identifier".into(),
            Kind::Code => "code".into(),
            Kind::Email => "email address".into(),
            Kind::Phone => "phone number".into(),
            Kind::PersonName => "person's name".into(),
            Kind::Address => "street address".into(),
            Kind::IpAddress => "IP address".into(),
            Kind::Constant => "one value only".into(),
            Kind::Empty => "empty".into(),
        }
    }

    /// True for personal data that is masked on screen.
    pub fn is_personal(&self) -> bool {
        matches!(
            self,
            Kind::Email | Kind::Phone | Kind::PersonName | Kind::Address | Kind::IpAddress
        )
    }

    /// True for kinds that can be read as one number per person.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            Kind::Count
                | Kind::Amount
                | Kind::Currency
                | Kind::Percent
                | Kind::Date
                | Kind::DateTime
                | Kind::Boolean
                | Kind::Rating { .. }
                | Kind::OrderedText
        )
    }
}

/// The part a column plays in forming and describing segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    /// What people say they are trying to get done.
    StatedJobs,
    /// What people do.
    Behaviour,
    /// Describes segments; never forms them by default.
    DescribeOnly,
    /// Not used (identifiers, personal data, empty columns).
    Ignore,
}

impl Role {
    /// The role as the screen names it.
    pub fn label(self) -> &'static str {
        match self {
            Role::StatedJobs => "What they say",
            Role::Behaviour => "What they do",
            Role::DescribeOnly => "Who they are",
            Role::Ignore => "Not used",
        }
    }

    /// Parses `stated`, `behaviour`, `describe`, `ignore` (CLI `--role "Column=behaviour"`).
    pub fn parse(text: &str) -> Option<Role> {
        match text
            .trim()
            .to_lowercase()
            .replace(['-', '_', ' '], "")
            .as_str()
        {
            "stated" | "statedjobs" | "say" | "says" | "jobs" => Some(Role::StatedJobs),
            "behaviour" | "behavior" | "do" | "does" => Some(Role::Behaviour),
            "describe" | "describeonly" | "who" => Some(Role::DescribeOnly),
            "ignore" | "notused" | "none" => Some(Role::Ignore),
            _ => None,
        }
    }

    /// True when columns with this role form segments.
    pub fn forms_segments(self) -> bool {
        matches!(self, Role::StatedJobs | Role::Behaviour)
    }
}

/// The levels of an ordered text scale, lowest first (lower-cased).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScaleLevels {
    /// Levels in order.
    pub levels: Vec<String>,
}

/// Everything decided about one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSchema {
    /// Column name.
    pub name: String,
    /// What it holds.
    pub kind: Kind,
    /// The part it plays.
    pub role: Role,
    /// Why, in one line.
    pub reason: String,
    /// The header names a demographic (age, gender, location, income, …).
    pub demographic: bool,
    /// The user chose the role.
    pub overridden: bool,
    /// Rows with no value.
    pub n_missing: usize,
    /// Distinct non-missing values.
    pub n_distinct: usize,
    /// Decimal convention of its numbers.
    pub decimal: Decimal,
    /// Day/month order of its dates.
    pub date_order: Option<DateOrder>,
    /// Ordered text levels.
    pub levels: Vec<String>,
    /// Multi-select separator.
    pub separator: Option<char>,
    /// Texts that mean "yes" (boolean columns).
    pub truthy: Vec<String>,
    /// Blank means "no" (ticked/blank checkboxes; no tags in a column of tags).
    pub blank_is_false: bool,
}

impl ColumnSchema {
    /// Gives the column another role, its reason keeping what the column holds ("decimal
    /// numbers → …") and saying why the role now.
    fn recast(&mut self, role: Role, why: &str) {
        let holds = self
            .reason
            .split_once(" → ")
            .map_or(self.reason.as_str(), |(holds, _)| holds)
            .to_string();
        self.role = role;
        self.reason = format!("{holds} → {why}");
    }
}

/// An importance rating and a satisfaction rating about the same outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomePair {
    /// The outcome in the survey's words.
    pub outcome: String,
    /// Column index of the importance rating.
    pub importance: usize,
    /// Column index of the satisfaction rating.
    pub satisfaction: usize,
}

/// All columns' decisions plus the outcome pairs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Schema {
    /// One per table column, in order.
    pub columns: Vec<ColumnSchema>,
    /// Importance/satisfaction pairs.
    pub outcomes: Vec<OutcomePair>,
    /// Warnings about the roles chosen (demographics forming segments).
    pub warnings: Vec<String>,
}

impl Schema {
    /// Indices of columns with `role`.
    pub fn with_role(&self, role: Role) -> Vec<usize> {
        self.columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.role == role)
            .map(|(i, _)| i)
            .collect()
    }
}

/// What inference needs to know about where each column came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnHint {
    /// The file it came from (for diagnostics).
    pub file: String,
    /// Its file's decimal separator.
    pub decimal: Decimal,
    /// The spreadsheet row of the first data row (2 after a header, 1 without).
    pub first_row: usize,
}

/// The user's choices: roles by column name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SchemaParams {
    /// Role overrides, by column name.
    pub roles: BTreeMap<String, Role>,
}

/// Infers every column's kind and role. Diagnostics name the file, row and column of
/// values that could not be used (`NaN`, `Infinity`, `1e309`, numbers in the other convention).
pub fn infer(
    table: &Table,
    hints: &[ColumnHint],
    params: &SchemaParams,
) -> (Schema, Vec<Diagnostic>) {
    let mut diagnostics: BTreeMap<String, Diagnostics> = BTreeMap::new();
    let mut columns = Vec::with_capacity(table.columns().len());
    let file_of = |idx: usize| hints.get(idx).map_or("", |h| h.file.as_str());
    // Files that are a survey tool's export, by a header only such a tool adds.
    let from_a_tool: std::collections::BTreeSet<&str> = (table.columns().iter().enumerate())
        .filter(|(_, c)| roles::is_survey_tool_header(&c.name))
        .map(|(idx, _)| file_of(idx))
        .collect();
    for (idx, col) in table.columns().iter().enumerate() {
        let hint = hints.get(idx).cloned().unwrap_or(ColumnHint {
            file: String::new(),
            decimal: Decimal::Dot,
            first_row: 2,
        });
        let diags = diagnostics
            .entry(hint.file.clone())
            .or_insert_with(|| Diagnostics::new(&hint.file));
        let tool = from_a_tool.contains(file_of(idx));
        columns.push(infer_column(col, &hint, tool, diags));
    }
    rating_batteries(table, hints, &from_a_tool, &mut columns);
    repeated_columns(table, &mut columns);
    earlier_results(hints, &mut columns);
    let mut schema = Schema {
        columns,
        outcomes: Vec::new(),
        warnings: Vec::new(),
    };
    apply_overrides(&mut schema, params);
    schema.outcomes = outcomes::pair_outcomes(&schema);
    (
        schema,
        diagnostics
            .into_values()
            .flat_map(Diagnostics::finish)
            .collect(),
    )
}

/// Applies the user's role choices and records the warnings they call for.
pub fn apply_overrides(schema: &mut Schema, params: &SchemaParams) {
    schema.warnings.clear();
    for col in &mut schema.columns {
        if let Some(&role) = params.roles.get(&col.name)
            && role != col.role
        {
            col.role = role;
            col.overridden = true;
        }
        if col.demographic && col.role.forms_segments() {
            schema.warnings.push(format!(
                "“{}” is a demographic and now forms segments: this is how personas and stereotypes \
                 creep back in. Segments should come from what people say and do.",
                col.name
            ));
        }
    }
}

/// Fewest rows for a column to be judged a repeat of another: in a handful of rows two
/// yes/no answers agree by chance.
const REPEAT_ROWS: usize = 30;

/// A column that says what an earlier one says, row by row — the same value wherever the
/// other has the same value, and the other way round — is used once, as the earlier one. A
/// shop's export names each product and its SKU, and stamps an order created, paid and
/// fulfilled at once; rolled up, "Lineitem name" and "Lineitem sku", "First Created at" and
/// "First Paid at" said one thing two or three times, weighed it two or three times in
/// forming segments, and filled a segment's differences with it. Only columns that form
/// segments are compared; the user can give the repeat its role back.
fn repeated_columns(table: &Table, columns: &mut [ColumnSchema]) {
    if table.n_rows() < REPEAT_ROWS {
        return;
    }
    let used: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].role.forms_segments() && columns[i].n_distinct >= 2)
        .collect();
    let mut repeats: Vec<usize> = Vec::new();
    for (k, &later) in used.iter().enumerate() {
        let earlier = used[..k].iter().copied().find(|&first| {
            let (x, y) = (&columns[first], &columns[later]);
            if repeats.contains(&first)
                || x.n_distinct != y.n_distinct
                || x.n_missing != y.n_missing
            {
                return false;
            }
            let (Some(a), Some(b)) = (table.column(first), table.column(later)) else {
                return false;
            };
            // Values of their own on most rows go one to one with any other such column: only
            // the same cells say the same then.
            let filled = table.n_rows() - x.n_missing;
            let repeating = x.n_distinct * 2 <= filled;
            match (family(&x.kind), family(&y.kind)) {
                _ if !repeating => same_cells(a, b),
                // Labels of one kind: a product and its SKU, not a rating and an answer that
                // happen to take as many values.
                (Family::Labels, Family::Labels) if labels_alike(&x.kind, &y.kind) => {
                    one_to_one(a, b)
                }
                (Family::Dates, Family::Dates) => one_to_one(a, b),
                (Family::Numbers, Family::Numbers) => {
                    one_to_one(a, b) && monotone(&read::numbers(a, x), &read::numbers(b, y))
                }
                _ => same_cells(a, b),
            }
        });
        if let Some(first) = earlier {
            repeats.push(later);
            let name = columns[first].name.clone();
            columns[later].recast(
                Role::Ignore,
                &format!("the same as “{name}” row by row: used once, as “{name}”"),
            );
        }
    }
}

/// Kinds whose repeats are judged alike.
enum Family {
    Labels,
    Dates,
    Numbers,
    Other,
}

fn family(kind: &Kind) -> Family {
    match kind {
        Kind::Categorical | Kind::Boolean | Kind::Code | Kind::OrderedText => Family::Labels,
        Kind::Date | Kind::DateTime => Family::Dates,
        Kind::Count | Kind::Amount | Kind::Currency | Kind::Percent | Kind::Rating { .. } => {
            Family::Numbers
        }
        _ => Family::Other,
    }
}

/// Whether two kinds of labels may name one thing: the same kind, or a category and a code.
fn labels_alike(x: &Kind, y: &Kind) -> bool {
    let plain = |k: &Kind| matches!(k, Kind::Categorical | Kind::Code);
    x == y || plain(x) && plain(y)
}

/// Whether `a` and `b` hold the same text on every row.
fn same_cells(a: &Column, b: &Column) -> bool {
    (0..a.len()).all(|r| a.get(r) == b.get(r))
}

/// Whether `y` rises (or falls) wherever `x` rises, missing values aside: a number that says
/// another in other units ("year" and a birth year of one cohort), not one that merely
/// takes as many values.
fn monotone(x: &[f64], y: &[f64]) -> bool {
    let mut pairs: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(&a, &b)| (a, b))
        .collect();
    pairs.sort_by(|p, q| p.0.total_cmp(&q.0));
    let steps: Vec<f64> = pairs
        .windows(2)
        .filter(|w| w[1].0 > w[0].0)
        .map(|w| w[1].1 - w[0].1)
        .collect();
    steps.iter().all(|&d| d > 0.0) || steps.iter().all(|&d| d < 0.0)
}

/// Whether each value of `a` goes with one value of `b` on every row, and each value of `b`
/// with one of `a`.
fn one_to_one(a: &Column, b: &Column) -> bool {
    let (codes_a, codes_b) = (a.codes(), b.codes());
    let mut a_to_b = vec![u32::MAX; a.values().len()];
    let mut b_to_a = vec![u32::MAX; b.values().len()];
    for (ca, cb) in codes_a.iter().zip(codes_b.iter()) {
        let (Some(ab), Some(ba)) = (a_to_b.get_mut(ca as usize), b_to_a.get_mut(cb as usize))
        else {
            return false;
        };
        if *ab == u32::MAX && *ba == u32::MAX {
            (*ab, *ba) = (cb, ca);
        } else if *ab != cb || *ba != ca {
            return false;
        }
    }
    true
}

/// Fewest columns on one scale that make a battery of ratings.
const BATTERY: usize = 3;

/// A survey's grid of questions answered on one scale ("Ease of ordering", "Value for money",
/// "Delivery speed", each 1–5; a personality survey's 25 items, each 1–6) is a battery of
/// ratings even where no header says "rate": at least [`BATTERY`] columns of the same file
/// that use every whole number from 1 to the same top ([`kinds::battery_scale`]), those read
/// as counts or money among them. A count of orders or tickets starts at 0 and has no fixed top; a
/// customer file's coded columns (0–9) start at 0 too. Read as counts, the grid was what
/// people do and its scale a spend.
/// An Edgewise export dropped again (with a new survey, say) carries an earlier run's
/// results: `segment`, `segment_name`, `edge_score` and `reason` (`export::write_csv`). They
/// formed segments of their own, the reasons read as what people say. In a file that has
/// both `segment_name` and `edge_score`, the name and the score describe the new segments
/// (where last month's segments went), and the segment's id and the reason are not used.
fn earlier_results(hints: &[ColumnHint], columns: &mut [ColumnSchema]) {
    let file_of = |idx: usize| hints.get(idx).map_or("", |h| h.file.as_str());
    let has = |file: &str, name: &str, columns: &[ColumnSchema]| {
        columns
            .iter()
            .enumerate()
            .any(|(idx, c)| c.name == name && file_of(idx) == file)
    };
    let results: Vec<bool> = (0..columns.len())
        .map(|idx| {
            let file = file_of(idx);
            has(file, "segment_name", columns) && has(file, "edge_score", columns)
        })
        .collect();
    for (c, earlier) in columns.iter_mut().zip(results) {
        if !earlier {
            continue;
        }
        let (role, why) = match c.name.as_str() {
            "segment_name" | "edge_score" => (
                Role::DescribeOnly,
                "an earlier Edgewise run's result: describes the new segments, never forms them",
            ),
            "segment" | "reason" => (
                Role::Ignore,
                "an earlier Edgewise run's result (its segment's name and edge score describe the new segments)",
            ),
            _ => continue,
        };
        c.recast(role, why);
    }
}

fn rating_batteries(
    table: &Table,
    hints: &[ColumnHint],
    from_a_tool: &std::collections::BTreeSet<&str>,
    columns: &mut [ColumnSchema],
) {
    let file_of = |idx: usize| hints.get(idx).map_or("", |h| h.file.as_str());
    let mut scales: BTreeMap<(&str, u32), Vec<usize>> = BTreeMap::new();
    for (idx, (col, schema)) in table.columns().iter().zip(columns.iter()).enumerate() {
        // Questions already read as ratings count towards the grid; only counts and money
        // are read again.
        if !matches!(
            schema.kind,
            Kind::Count | Kind::Currency | Kind::Rating { .. }
        ) || schema.demographic
        {
            continue;
        }
        let p = kinds::profile(col, schema.decimal);
        if let Some(top) = kinds::battery_scale(&col.name, &p, schema.decimal) {
            scales.entry((file_of(idx), top)).or_default().push(idx);
        }
    }
    for ((file, top), battery) in scales {
        if battery.len() < BATTERY {
            continue;
        }
        for &idx in &battery {
            let Some(schema) = columns.get_mut(idx) else {
                continue;
            };
            let was_rating = matches!(schema.kind, Kind::Rating { .. });
            // One scale for the whole grid: a question read as a rating by its header took
            // the standard scale (1–7 for answers 1–6), its siblings the grid's own.
            schema.kind = Kind::Rating {
                min: 1.0,
                max: f64::from(top),
            };
            if was_rating {
                continue;
            }
            let (role, role_why) =
                roles::decide_role(schema, &schema.name, from_a_tool.contains(file));
            schema.role = role;
            schema.reason = format!(
                "whole numbers 1–{top}, one of {} questions answered on that scale → {role_why}",
                battery.len()
            );
        }
    }
}

fn infer_column(
    col: &Column,
    hint: &ColumnHint,
    from_a_tool: bool,
    diags: &mut Diagnostics,
) -> ColumnSchema {
    let p = kinds::profile(col, hint.decimal);
    let mut schema = ColumnSchema {
        name: col.name.clone(),
        kind: Kind::Empty,
        role: Role::Ignore,
        reason: String::new(),
        demographic: roles::is_demographic(&col.name),
        overridden: false,
        n_missing: p.n_missing,
        n_distinct: p.n_distinct,
        decimal: hint.decimal,
        date_order: None,
        levels: Vec::new(),
        separator: None,
        truthy: Vec::new(),
        blank_is_false: false,
    };
    let present = p.n_rows - p.n_missing;
    let (kind, why) = kinds::decide_kind(col, &p, hint, &mut schema);
    schema.kind = kind;
    schema.demographic |= roles::is_country_code(&col.name, schema.kind.is_numeric());
    let by_values = (!schema.demographic && !schema.kind.is_personal())
        .then(|| roles::demographic_values(col, schema.kind.is_numeric()))
        .flatten();
    schema.demographic |= by_values.is_some();
    let (role, role_why) = roles::decide_role(&schema, &col.name, from_a_tool);
    schema.role = role;
    schema.reason = match by_values {
        Some(what) if role == Role::DescribeOnly => {
            format!("{why}; the values are {what} → {role_why}")
        }
        _ => format!("{why} → {role_why}"),
    };

    // Values that a numeric column cannot use are reported, never silently dropped.
    if matches!(
        schema.kind,
        Kind::Count | Kind::Amount | Kind::Currency | Kind::Percent | Kind::Rating { .. }
    ) {
        read::report_unusable_numbers(col, &schema, hint.first_row, diags);
    }
    if present == 0 {
        schema.reason = "no values → not used".into();
    }
    schema
}

#[cfg(test)]
mod tests;
