//! Deciding a column's role from its kind and header.
//!
//! Personal data, identifiers, codes and columns without variety are never used; demographic
//! headers ([`is_demographic`]) describe segments and never form them; free text, ratings and
//! survey questions are what people say; the rest is what they do. The user's overrides are
//! applied afterwards (`schema::apply_overrides`).

use super::read::header_words;
use super::{ColumnSchema, Kind, Role};

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

/// True when the header is a survey question ("What …?", "How …", "Please …").
pub(super) fn is_question(name: &str) -> bool {
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

/// The role of a column of kind `c.kind` named `name`, with the reason in words.
pub(super) fn decide_role(c: &ColumnSchema, name: &str) -> (Role, String) {
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
