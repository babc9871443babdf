//! Schema: what each column is, and what part it plays.
//!
//! Every column gets a [`Kind`] (decided for the whole column, see [`kinds`]) and a [`Role`]:
//!
//! * **Stated jobs** — what people *say*: free-text answers, ratings, survey questions.
//! * **Behaviour** — what people *do*: counts, money, recency, channel, plan, opt-ins.
//! * **Describe only** — demographics (age, gender, location, income, …). They describe
//!   segments afterwards and never form them unless the user switches one on, with a warning:
//!   that is how personas creep back in.
//! * **Ignore** — identifiers and personal data (email, phone, name, address, IP): never
//!   features, kept for the export, masked on screen.
//!
//! Each decision comes with a one-line reason for the "check the data" screen. The user's
//! overrides ([`SchemaParams`]) win and are recorded in the export's receipt.
//!
//! Jobs-to-be-done ratings: an importance column and a satisfaction column about the same
//! outcome are paired ([`OutcomePair`]), and each person's opportunity score is
//! `importance + max(importance − satisfaction, 0)` with both on 0–10 (Ulwick).
//!
//! # References
//! Ulwick, A. (2005). *What Customers Want* — the opportunity algorithm of Outcome-Driven Innovation.

pub mod dates;
pub mod kinds;

use super::diagnostics::{Diagnostic, Diagnostics, Severity};
use super::table::{Column, Table};
use super::text::Tokenizer;
use super::values::{Decimal, NumberParse, parse_number};
use dates::DateOrder;
use kinds::{BooleanForm, decimal_index};
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
    /// Blank means "no" (ticked/blank checkboxes).
    pub blank_is_false: bool,
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

/// Texts that mean "no answer".
pub fn is_missing(text: &str) -> bool {
    let t = text.trim();
    t.is_empty()
        || matches!(
            t.to_ascii_lowercase().as_str(),
            "na" | "n/a"
                | "n.a."
                | "null"
                | "none"
                | "nil"
                | "-"
                | "--"
                | "?"
                | "#n/a"
                | "(blank)"
                | "(empty)"
                | "missing"
                | "undefined"
        )
}

/// The header split into lower-case words ("Customer_ID" → ["customer", "id"]).
pub fn header_words(name: &str) -> Vec<String> {
    let mut spaced = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_uppercase() && prev_lower {
            spaced.push(' ');
        }
        prev_lower = c.is_lowercase();
        spaced.push(c);
    }
    spaced
        .split(|c: char| !c.is_alphanumeric() && c != '#')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

const DEMOGRAPHIC_WORDS: &[&str] = &[
    "age",
    "ages",
    "gender",
    "sex",
    "location",
    "city",
    "town",
    "country",
    "region",
    "state",
    "province",
    "county",
    "zip",
    "zipcode",
    "postcode",
    "postal",
    "income",
    "salary",
    "education",
    "degree",
    "ethnicity",
    "ethnic",
    "race",
    "religion",
    "religious",
    "marital",
    "occupation",
    "profession",
    "birth",
    "dob",
    "born",
    "birthday",
    "nationality",
    "household",
    "children",
    "kids",
    "generation",
    "pronouns",
    "orientation",
    "disability",
    "language",
];

/// True when the header names a demographic.
pub fn is_demographic(name: &str) -> bool {
    let words = header_words(name);
    let lower = name.to_lowercase();
    words
        .iter()
        .any(|w| DEMOGRAPHIC_WORDS.contains(&w.as_str()))
        || lower.contains("job title")
        || lower.contains("age group")
        || lower.contains("year of birth")
}

fn is_question(name: &str) -> bool {
    let lower = name.trim().to_lowercase();
    lower.ends_with('?')
        || [
            "what ",
            "why ",
            "how ",
            "which ",
            "when ",
            "do you",
            "did you",
            "are you",
            "would you",
            "tell us",
            "describe",
            "please ",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
}

const NAME_HEADERS: &[&str] = &[
    "name",
    "first name",
    "last name",
    "full name",
    "surname",
    "given name",
    "family name",
    "contact name",
    "customer name",
    "your name",
    "firstname",
    "lastname",
    "fullname",
];

/// Infers every column's kind and role. Diagnostics name the file, row and column of
/// values that could not be used (`NaN`, `Infinity`, `1e309`, numbers in the other convention).
pub fn infer(
    table: &Table,
    hints: &[ColumnHint],
    params: &SchemaParams,
) -> (Schema, Vec<Diagnostic>) {
    let mut diagnostics: BTreeMap<String, Diagnostics> = BTreeMap::new();
    let mut columns = Vec::with_capacity(table.columns().len());
    for (idx, col) in table.columns().iter().enumerate() {
        let hint = hints.get(idx).cloned().unwrap_or(ColumnHint {
            file: String::new(),
            decimal: Decimal::Dot,
            first_row: 2,
        });
        let diags = diagnostics
            .entry(hint.file.clone())
            .or_insert_with(|| Diagnostics::new(&hint.file));
        columns.push(infer_column(col, &hint, diags));
    }
    let mut schema = Schema {
        columns,
        outcomes: Vec::new(),
        warnings: Vec::new(),
    };
    apply_overrides(&mut schema, params);
    schema.outcomes = pair_outcomes(&schema);
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

fn infer_column(col: &Column, hint: &ColumnHint, diags: &mut Diagnostics) -> ColumnSchema {
    let p = kinds::profile(col, hint.decimal);
    let mut schema = ColumnSchema {
        name: col.name.clone(),
        kind: Kind::Empty,
        role: Role::Ignore,
        reason: String::new(),
        demographic: is_demographic(&col.name),
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
    let (kind, why) = decide_kind(col, &p, hint, &mut schema);
    schema.kind = kind;
    let (role, role_why) = decide_role(&schema, &col.name);
    schema.role = role;
    schema.reason = format!("{why} → {role_why}");

    // Values that a numeric column cannot use are reported, never silently dropped.
    if matches!(
        schema.kind,
        Kind::Count | Kind::Amount | Kind::Currency | Kind::Percent | Kind::Rating { .. }
    ) {
        report_unusable_numbers(col, &schema, hint.first_row, diags);
    }
    if present == 0 {
        schema.reason = "no values → not used".into();
    }
    schema
}

fn decide_kind(
    col: &Column,
    p: &kinds::Profile,
    hint: &ColumnHint,
    schema: &mut ColumnSchema,
) -> (Kind, String) {
    let present = p.n_rows - p.n_missing;
    if present == 0 {
        return (Kind::Empty, "no values".into());
    }
    let lower = col.name.trim().to_lowercase();
    let words = header_words(&col.name);
    if p.emails * 10 >= present * 8 {
        return (Kind::Email, "email addresses".into());
    }
    if NAME_HEADERS.contains(&lower.as_str())
        || (words.last().is_some_and(|w| w == "name")
            && words.iter().any(|w| {
                [
                    "first", "last", "full", "contact", "customer", "given", "family",
                ]
                .contains(&w.as_str())
            }))
    {
        return (Kind::PersonName, "people's names".into());
    }
    if words
        .iter()
        .any(|w| ["address", "street", "addr"].contains(&w.as_str()))
        && !words.iter().any(|w| w == "email" || w == "ip")
    {
        return (Kind::Address, "street addresses".into());
    }
    if p.ips * 10 >= present * 8 {
        return (Kind::IpAddress, "IP addresses".into());
    }
    if words
        .iter()
        .any(|w| ["phone", "mobile", "tel", "telephone", "cell", "whatsapp"].contains(&w.as_str()))
        || p.phones * 10 >= present * 8
    {
        return (Kind::Phone, "phone numbers".into());
    }
    if let Some(BooleanForm {
        truthy,
        blank_is_false,
    }) = kinds::boolean_form(col, p)
    {
        schema.truthy = truthy;
        schema.blank_is_false = blank_is_false;
        let why = if blank_is_false {
            "ticked or blank"
        } else {
            "two values meaning yes and no"
        };
        return (Kind::Boolean, why.into());
    }
    if p.n_distinct == 1 {
        return (Kind::Constant, "the same value in every row".into());
    }
    // Numbers: the convention that reads more rows wins; ties go to the file's convention.
    let (dot, comma) = (p.numeric[0], p.numeric[1]);
    let decimal = if comma > dot || (comma == dot && hint.decimal == Decimal::Comma) {
        Decimal::Comma
    } else {
        Decimal::Dot
    };
    schema.decimal = decimal;
    let readable = p.numeric[decimal_index(decimal)] + p.non_finite[decimal_index(decimal)];
    if readable * 100 >= present * 95 && p.dates * 2 < present {
        // Counts, ranges and flags were gathered under the file's convention; redo them if
        // this column's numbers turned out to use the other one.
        let reprofiled;
        let numeric = if decimal == hint.decimal {
            p
        } else {
            reprofiled = kinds::profile(col, decimal);
            &reprofiled
        };
        return kinds::numeric_kind(&col.name, numeric, decimal);
    }
    if p.dates * 10 >= present * 9
        && let Some((order, why)) = kinds::date_order(p.order)
    {
        schema.date_order = Some(order);
        let kind = if p.date_times * 2 >= present {
            Kind::DateTime
        } else {
            Kind::Date
        };
        return (kind, format!("dates, {why}"));
    }
    if let Some(scale) = kinds::likert_scale(col) {
        let why = format!(
            "ordered answers from “{}” to “{}”",
            scale.levels.first().cloned().unwrap_or_default(),
            scale.levels.last().cloned().unwrap_or_default()
        );
        schema.levels = scale.levels;
        return (Kind::OrderedText, why);
    }
    let mean_words = p.words as f64 / present as f64;
    let distinct_share = p.n_distinct as f64 / present as f64;
    if let Some(sep) = kinds::multi_select(col)
        && mean_words < 8.0
    {
        schema.separator = Some(sep);
        return (
            Kind::MultiSelect,
            format!("several choices per cell, separated by “{sep}”"),
        );
    }
    if kinds::id_header(&col.name) && distinct_share > 0.8 {
        return (
            Kind::Identifier,
            "an identifier's header with mostly distinct values".into(),
        );
    }
    // Long answers are free text even when many people wrote the same words.
    if (mean_words >= 3.0 && (distinct_share >= 0.2 || p.n_distinct >= 100))
        || (is_question(&col.name) && mean_words >= 2.0 && distinct_share >= 0.5)
    {
        return (
            Kind::FreeText,
            format!("free text, {mean_words:.0} words on average"),
        );
    }
    if distinct_share > 0.9 && present >= 20 && mean_words <= 1.5 && !schema.demographic {
        return (
            Kind::Identifier,
            "almost every value is different: an identifier".into(),
        );
    }
    (
        Kind::Categorical,
        format!("{} different values", p.n_distinct),
    )
}

fn decide_role(c: &ColumnSchema, name: &str) -> (Role, String) {
    let question = is_question(name);
    match &c.kind {
        Kind::Empty => (Role::Ignore, "no values".into()),
        Kind::Constant => (Role::Ignore, "cannot tell people apart".into()),
        k if k.is_personal() => (
            Role::Ignore,
            "personal data: never used, masked on screen, kept in the export".into(),
        ),
        Kind::Identifier => (
            Role::Ignore,
            "identifies records; used only to join files".into(),
        ),
        _ if c.demographic => (
            Role::DescribeOnly,
            "a demographic: describes segments, never forms them".into(),
        ),
        Kind::Code => (Role::Ignore, "a code, not a measure".into()),
        Kind::FreeText => (
            Role::StatedJobs,
            "what people say in their own words".into(),
        ),
        Kind::Rating { .. } | Kind::OrderedText => (
            Role::StatedJobs,
            "how people rate what matters to them".into(),
        ),
        _ if question => (Role::StatedJobs, "a survey answer: what people say".into()),
        Kind::Date | Kind::DateTime => {
            (Role::Behaviour, "recency and tenure: what people do".into())
        }
        _ => (Role::Behaviour, "recorded activity: what people do".into()),
    }
}

fn report_unusable_numbers(
    col: &Column,
    schema: &ColumnSchema,
    first_row: usize,
    diags: &mut Diagnostics,
) {
    let other = match schema.decimal {
        Decimal::Dot => Decimal::Comma,
        Decimal::Comma => Decimal::Dot,
    };
    // Judge each distinct text once, then report the rows that use the bad ones.
    let verdicts: Vec<Option<NumberParse>> = col
        .values()
        .iter()
        .map(|text| {
            if is_missing(text) {
                None
            } else {
                Some(parse_number(text, schema.decimal))
            }
        })
        .collect();
    if verdicts
        .iter()
        .all(|v| matches!(v, None | Some(NumberParse::Number(_))))
    {
        return;
    }
    for (row, &code) in col.codes().iter().enumerate() {
        let Some(Some(verdict)) = verdicts.get(code as usize) else {
            continue;
        };
        let text = col.get(row);
        let sheet_row = row + first_row;
        match verdict {
            NumberParse::Number(_) => {}
            NumberParse::NonFinite => diags.push(
                "non-finite",
                Severity::Warning,
                Some(sheet_row),
                Some(&col.name),
                || {
                    format!(
                        "“{}” is not a finite number; it is treated as missing",
                        text.trim()
                    )
                },
                Some("check the formula or export that produced it"),
            ),
            NumberParse::NotNumber => {
                let help = matches!(parse_number(text, other), NumberParse::Number(_))
                    .then_some("this value uses the other decimal separator; choose the decimal separator on the check screen");
                diags.push(
                    "not-a-number",
                    Severity::Warning,
                    Some(sheet_row),
                    Some(&col.name),
                    || {
                        format!(
                            "expected a number, found “{}”; it is treated as missing",
                            text.trim()
                        )
                    },
                    help,
                );
            }
        }
    }
}

/// One number per row for numeric kinds (NaN = missing): counts and money as read, dates as
/// days since 1970-01-01, booleans as 0/1, ratings as given, ordered text as its level index.
pub fn numbers(col: &Column, c: &ColumnSchema) -> Vec<f64> {
    let values: Vec<f64> = col
        .values()
        .iter()
        .map(|text| {
            if c.kind == Kind::Boolean {
                let t = text.trim().to_lowercase();
                return if c.truthy.contains(&t) {
                    1.0
                } else if is_missing(text) {
                    if c.blank_is_false { 0.0 } else { f64::NAN }
                } else {
                    0.0
                };
            }
            if is_missing(text) {
                return f64::NAN;
            }
            match &c.kind {
                Kind::Date | Kind::DateTime => {
                    dates::parse(text, c.date_order.unwrap_or(DateOrder::DayFirst))
                        .unwrap_or(f64::NAN)
                }
                Kind::OrderedText => {
                    let t = text.trim().to_lowercase();
                    c.levels
                        .iter()
                        .position(|l| *l == t)
                        .map_or(f64::NAN, |i| i as f64)
                }
                _ => match parse_number(text, c.decimal) {
                    NumberParse::Number(n) => n.value,
                    _ => f64::NAN,
                },
            }
        })
        .collect();
    col.codes()
        .iter()
        .map(|&code| values.get(code as usize).copied().unwrap_or(f64::NAN))
        .collect()
}

/// A rating on its own scale mapped to 0–10 (ordered text: lowest level 0, highest 10).
pub fn zero_to_ten(col: &Column, c: &ColumnSchema) -> Vec<f64> {
    let raw = numbers(col, c);
    let (lo, hi) = match &c.kind {
        Kind::Rating { min, max } => (*min, *max),
        Kind::OrderedText => (0.0, c.levels.len().saturating_sub(1) as f64),
        _ => return raw,
    };
    let span = hi - lo;
    raw.into_iter()
        .map(|v| {
            if span > 0.0 {
                ((v - lo) / span * 10.0).clamp(0.0, 10.0)
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// The labels of a categorical column per row (`None` = missing), trimmed.
pub fn labels(col: &Column) -> Vec<Option<&str>> {
    (0..col.len())
        .map(|r| col.get(r))
        .map(|t| (!is_missing(t)).then(|| t.trim()))
        .collect()
}

/// The choices of a multi-select cell.
pub fn choices(text: &str, separator: char) -> Vec<String> {
    text.split(separator)
        .map(str::trim)
        .filter(|s| !s.is_empty() && !is_missing(s))
        .map(str::to_string)
        .collect()
}

/// Words that mark importance and satisfaction headers, and filler to drop from outcomes.
const IMPORTANCE: &[&str] = &["important", "importance"];
const SATISFACTION: &[&str] = &["satisfied", "satisfaction", "satisfy"];
const OUTCOME_FILLER: &[&str] = &[
    "how",
    "is",
    "it",
    "to",
    "you",
    "are",
    "with",
    "your",
    "the",
    "ability",
    "able",
    "rate",
    "rating",
    "of",
    "when",
    "that",
    "can",
    "currently",
    "today",
    "very",
    "on",
    "a",
    "scale",
    "for",
    "in",
    "at",
    "and",
    "how's",
    "q",
    "please",
];

fn outcome_words(tokenizer: &Tokenizer, header: &str) -> (Vec<String>, String) {
    let mut text = header.to_string();
    if let Some((before, after)) = header.split_once([':', '—', '-', '–']) {
        let b = before.to_lowercase();
        if IMPORTANCE.iter().chain(SATISFACTION).any(|w| b.contains(w)) {
            text = after.to_string();
        }
    }
    let kept: Vec<String> = header_words(&text)
        .into_iter()
        .filter(|w| {
            !IMPORTANCE.contains(&w.as_str())
                && !SATISFACTION.contains(&w.as_str())
                && !OUTCOME_FILLER.contains(&w.as_str())
        })
        .collect();
    let stems = kept
        .iter()
        .flat_map(|w| tokenizer.words(w))
        .map(|w| w.stem)
        .collect();
    (stems, kept.join(" "))
}

/// Pairs importance and satisfaction ratings about the same outcome, best matches first.
pub fn pair_outcomes(schema: &Schema) -> Vec<OutcomePair> {
    let tokenizer = Tokenizer::default();
    let is_rating = |c: &ColumnSchema| {
        matches!(c.kind, Kind::Rating { .. } | Kind::OrderedText) && c.role != Role::Ignore
    };
    let has = |c: &ColumnSchema, list: &[&str]| {
        header_words(&c.name)
            .iter()
            .any(|w| list.contains(&w.as_str()))
    };
    let imp: Vec<usize> = (0..schema.columns.len())
        .filter(|&i| is_rating(&schema.columns[i]) && has(&schema.columns[i], IMPORTANCE))
        .collect();
    let sat: Vec<usize> = (0..schema.columns.len())
        .filter(|&i| is_rating(&schema.columns[i]) && has(&schema.columns[i], SATISFACTION))
        .collect();
    let mut candidates: Vec<(f64, usize, usize, String)> = Vec::new();
    for &i in &imp {
        let (wi, outcome) = outcome_words(&tokenizer, &schema.columns[i].name);
        for &s in &sat {
            let (ws, _) = outcome_words(&tokenizer, &schema.columns[s].name);
            let shared = wi.iter().filter(|w| ws.contains(w)).count();
            let union = wi.len() + ws.len() - shared;
            let jaccard = if union == 0 {
                0.0
            } else {
                shared as f64 / union as f64
            };
            if jaccard >= 0.3 || (imp.len() == 1 && sat.len() == 1) {
                candidates.push((jaccard, i, s, outcome.clone()));
            }
        }
    }
    candidates.sort_by(|a, b| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.1.cmp(&b.1))
            .then(a.2.cmp(&b.2))
    });
    let mut used = std::collections::BTreeSet::new();
    let mut pairs = Vec::new();
    for (_, i, s, outcome) in candidates {
        if used.contains(&i) || used.contains(&s) {
            continue;
        }
        used.insert(i);
        used.insert(s);
        let outcome = if outcome.is_empty() {
            schema.columns[i].name.clone()
        } else {
            outcome
        };
        pairs.push(OutcomePair {
            outcome,
            importance: i,
            satisfaction: s,
        });
    }
    pairs.sort_by_key(|p| p.importance);
    pairs
}

/// Opportunity per person for one outcome: `importance + max(importance − satisfaction, 0)`,
/// both on 0–10 (NaN when either rating is missing).
pub fn opportunity(table: &Table, schema: &Schema, pair: &OutcomePair) -> Vec<f64> {
    let (Some(ic), Some(sc)) = (
        table.column(pair.importance),
        table.column(pair.satisfaction),
    ) else {
        return Vec::new();
    };
    let (Some(is), Some(ss)) = (
        schema.columns.get(pair.importance),
        schema.columns.get(pair.satisfaction),
    ) else {
        return Vec::new();
    };
    let imp = zero_to_ten(ic, is);
    let sat = zero_to_ten(sc, ss);
    imp.iter()
        .zip(&sat)
        .map(|(&i, &s)| i + (i - s).max(0.0))
        .collect()
}

#[cfg(test)]
mod tests;
