//! Reading cells and headers once a column's kind is known.
//!
//! Which texts mean "no answer" ([`is_missing`]), a header's words ([`header_words`]), and
//! the typed readers every later stage uses: one number per row ([`numbers`], [`zero_to_ten`]),
//! labels ([`labels`]) and multi-select choices ([`choices`]). Numbers a numeric column cannot
//! read are reported with their file, row and column (`report_unusable_numbers`), never
//! dropped silently. Nothing here decides a kind or a role.

use super::super::diagnostics::{Diagnostics, Severity};
use super::super::table::Column;
use super::super::values::{Decimal, Number, NumberParse, parse_number};
use super::dates::{self, DateOrder};
use super::{ColumnSchema, Kind};

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

/// A survey tool's name of a column of a grid's row or of a question's option, split into
/// the question and the option: Google Forms' "How important is each? [Delivery on time]",
/// and SurveyMonkey's and Qualtrics' "How important … — Delivery on time" and "… - Delivery
/// on time", cut at the last spaced dash, when what comes before it is a question ("Total
/// spend - last 12 months" and "Satisfaction with delivery [1 = low, 5 = high]" are not).
pub fn question_and_option(header: &str) -> Option<(&str, &str)> {
    let header = header.trim();
    if let Some(inner) = header.strip_suffix(']')
        && let Some((question, option)) = inner.rsplit_once('[')
        && super::roles::is_question(question)
        && !option.trim().is_empty()
    {
        return Some((question.trim_end(), option.trim()));
    }
    [" — ", " – ", " - "]
        .iter()
        .filter_map(|sep| header.rsplit_once(sep))
        .max_by_key(|(question, _)| question.len())
        .filter(|(question, option)| {
            !option.trim().is_empty() && super::roles::is_question(question)
        })
        .map(|(question, option)| (question.trim_end(), option.trim()))
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

/// Reports the values of a numeric column that it cannot use: non-finite numbers, and texts
/// that are not numbers (with a hint when they read in the other decimal convention). It also
/// notes, as information, a top answer such as "7+" that is read as its number.
pub(super) fn report_unusable_numbers(
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
    if verdicts.iter().all(|v| {
        matches!(
            v,
            None | Some(NumberParse::Number(Number {
                at_least: false,
                ..
            }))
        )
    }) {
        return;
    }
    for (row, code) in col.codes().iter().enumerate() {
        let Some(Some(verdict)) = verdicts.get(code as usize) else {
            continue;
        };
        let text = col.get(row);
        let sheet_row = row + first_row;
        match verdict {
            NumberParse::Number(Number {
                at_least: true,
                value,
                ..
            }) => diags.push(
                "at-least",
                Severity::Info,
                Some(sheet_row),
                Some(&col.name),
                || {
                    let n = crate::engine::profile::fmt_number(*value);
                    format!("“{}” is read as {n} ({n} or more)", text.trim())
                },
                None,
            ),
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
    let values = value_numbers(col, c);
    col.codes()
        .iter()
        .map(|code| values.get(code as usize).copied().unwrap_or(f64::NAN))
        .collect()
}

/// [`numbers`] of each distinct value of `col`, in the order of [`Column::values`].
pub fn value_numbers(col: &Column, c: &ColumnSchema) -> Vec<f64> {
    col.values()
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

/// The choices of a multi-select cell, each without the quotes a tool may put around it
/// (Mailchimp's tags: `"Customer","VIP"`).
pub fn choices(text: &str, separator: char) -> Vec<String> {
    text.split(separator)
        .map(unquoted)
        .filter(|s| !s.is_empty() && !is_missing(s))
        .map(str::to_string)
        .collect()
}

/// A choice without surrounding spaces and double quotes.
pub fn unquoted(choice: &str) -> &str {
    let t = choice.trim();
    t.strip_prefix('"')
        .and_then(|u| u.strip_suffix('"'))
        .map_or(t, str::trim)
}
