//! Jobs-to-be-done outcomes: importance and satisfaction ratings paired by the outcome they
//! name, and each person's opportunity score.
//!
//! An importance column and a satisfaction column about the same outcome are paired
//! ([`pair_outcomes`]) by the words their headers share, and each person's opportunity score
//! is `importance + max(importance − satisfaction, 0)` with both on 0–10 ([`opportunity`],
//! Ulwick).
//!
//! # References
//! Ulwick, A. (2005). *What Customers Want* — the opportunity algorithm of Outcome-Driven Innovation.

use super::super::table::Table;
use super::super::text::Tokenizer;
use super::read::{header_words, zero_to_ten};
use super::{ColumnSchema, Kind, OutcomePair, Role, Schema};

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

/// Words that close a rating question after its outcome ("… at a glance today?").
const CLOSING: &[&str] = &["today", "currently", "please", "rate", "rating", "scale"];

/// An outcome's stems, to pair headers by, and its name as the header words it: the header
/// (after an "Importance:" prefix) without the question's opening and closing filler, its
/// words and apostrophes as written ("see every project's status at a glance", not "see
/// every project s status glance", which the stems' words would read).
fn outcome_words(tokenizer: &Tokenizer, header: &str) -> (Vec<String>, String) {
    let mut text = header.to_string();
    let split = super::read::question_and_option(header)
        .or_else(|| header.split_once([':', '—', '-', '–']));
    if let Some((before, after)) = split {
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
    let phrase = outcome_phrase(&text);
    (
        stems,
        if phrase.is_empty() {
            kept.join(" ")
        } else {
            phrase
        },
    )
}

/// `text` without the filler words that open and close a rating question ("How important is
/// it to …?", "… today"), as written; empty for a header of one word.
fn outcome_phrase(text: &str) -> String {
    let word_of = |word: &str| {
        word.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
            .to_lowercase()
    };
    let rating_word =
        |w: &str| IMPORTANCE.contains(&w) || SATISFACTION.contains(&w) || CLOSING.contains(&w);
    let opening = |word: &&str| {
        let w = word_of(word);
        w.is_empty() || rating_word(&w) || OUTCOME_FILLER.contains(&w.as_str())
    };
    // At the end only the words that close a rating question go: "… who changed what and
    // when" keeps its "and when".
    let closing = |word: &&str| {
        let w = word_of(word);
        w.is_empty() || rating_word(&w)
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    // A header of one word ("importance_delivery_speed", "ImportanceDelivery") is read by
    // its words, not as written.
    if words.len() < 2 {
        return String::new();
    }
    let start = words
        .iter()
        .position(|w| !opening(w))
        .unwrap_or(words.len());
    let end = words
        .iter()
        .rposition(|w| !closing(w))
        .map_or(start, |e| e + 1);
    words[start..end.max(start)]
        .join(" ")
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != ')')
        .to_string()
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

/// Importance and satisfaction per person for one outcome, both on 0–10 (NaN when missing).
pub fn ratings(table: &Table, schema: &Schema, pair: &OutcomePair) -> (Vec<f64>, Vec<f64>) {
    let (Some(ic), Some(sc)) = (
        table.column(pair.importance),
        table.column(pair.satisfaction),
    ) else {
        return (Vec::new(), Vec::new());
    };
    let (Some(is), Some(ss)) = (
        schema.columns.get(pair.importance),
        schema.columns.get(pair.satisfaction),
    ) else {
        return (Vec::new(), Vec::new());
    };
    (zero_to_ten(ic, is), zero_to_ten(sc, ss))
}

/// Opportunity per person for one outcome: `importance + max(importance − satisfaction, 0)`,
/// both on 0–10 (NaN when either rating is missing).
pub fn opportunity(table: &Table, schema: &Schema, pair: &OutcomePair) -> Vec<f64> {
    let (imp, sat) = ratings(table, schema, pair);
    imp.iter()
        .zip(&sat)
        .map(|(&i, &s)| i + (i - s).max(0.0))
        .collect()
}
