//! Whole-population statistics of each used column, read once and shared by `edges` (why is
//! this person unusual?) and `describe` (how does this segment differ?).
//!
//! Numbers keep their values with sorted copies for medians and quartiles; dates become
//! "days since" the column's latest date (a date still to come, [`looks_forward`], counts
//! from the latest of the file's other dates: "in 12 days"); yes/no, categories and ordered scales become label
//! codes with counts; multi-selects become sets of choice codes.

use super::schema::{self, Kind, Role, Schema};
use super::table::Table;
use std::collections::BTreeMap;

/// A used column's values in the form statistics need.
#[derive(Debug, Clone)]
pub enum Values {
    /// One number per person (NaN = missing).
    Numeric {
        /// Values by row.
        values: Vec<f64>,
        /// Finite values, sorted.
        sorted: Vec<f64>,
        /// Heavy-tailed: compare ratios, not differences.
        heavy: bool,
        /// Values are days since the latest date.
        recency: bool,
        /// Money.
        money: bool,
    },
    /// One label per person.
    Labels {
        /// Label code by row.
        codes: Vec<Option<u32>>,
        /// Label texts.
        labels: Vec<String>,
        /// People per label.
        counts: Vec<usize>,
    },
    /// Several labels per person.
    Multi {
        /// Label codes by row.
        codes: Vec<Vec<u32>>,
        /// Label texts.
        labels: Vec<String>,
        /// People per label.
        counts: Vec<usize>,
    },
    /// Free text (its statistics live in `features::TextColumn`).
    Text,
}

/// One used column.
#[derive(Debug, Clone)]
pub struct ColumnProfile {
    /// Table column index.
    pub column: usize,
    /// Column name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Its values.
    pub values: Values,
    /// Its numbers are years ([`holds_years`]): written as years are, "1992", not "1,992".
    pub years: bool,
}

impl ColumnProfile {
    /// A figure of this column as people read it: [`fmt_number`], a year without grouping.
    pub fn figure(&self, v: f64) -> String {
        self.as_written(fmt_number(v))
    }

    /// Two figures of this column compared, as [`fmt_numbers_apart`] writes them.
    pub fn figures_apart(&self, a: f64, b: f64) -> (String, String) {
        let (x, y) = fmt_numbers_apart(a, b);
        (self.as_written(x), self.as_written(y))
    }

    fn as_written(&self, figure: String) -> String {
        if self.years {
            figure.replace(',', "")
        } else {
            figure
        }
    }

    /// The median of a numeric column.
    pub fn median(&self) -> Option<f64> {
        match &self.values {
            Values::Numeric { sorted, .. } if !sorted.is_empty() => {
                Some(super::features::quantile(sorted, 0.5))
            }
            _ => None,
        }
    }
}

/// True when a date column's header names something still to come (Klaviyo's "Expected
/// Date Of Next Order", a plan's "Renewal date", a card's "Expires"): its days are counted
/// from the latest date of the file's other date columns, so that they read "in 12 days",
/// not as days before the latest expected date.
pub fn looks_forward(name: &str) -> bool {
    schema::read::header_words(name).iter().any(|w| {
        [
            "next",
            "expected",
            "due",
            "renewal",
            "renews",
            "renew",
            "expires",
            "expiry",
            "expiration",
            "until",
            "upcoming",
            "scheduled",
        ]
        .contains(&w.as_str())
    })
}

/// Profiles every column that is not ignored.
pub fn profile_all(table: &Table, schema: &Schema) -> Vec<ColumnProfile> {
    // The latest day of the date columns that look back: "today" for those that look forward,
    // read only when a used column looks forward (dates are not parsed twice otherwise).
    let is_date = |cs: &schema::ColumnSchema| matches!(cs.kind, Kind::Date | Kind::DateTime);
    let any_forward = schema
        .columns
        .iter()
        .any(|cs| cs.role != Role::Ignore && is_date(cs) && looks_forward(&cs.name));
    let latest_looking_back = if any_forward {
        schema
            .columns
            .iter()
            .enumerate()
            .filter(|(_, cs)| is_date(cs) && !looks_forward(&cs.name))
            .filter_map(|(idx, cs)| Some(schema::read::numbers(table.column(idx)?, cs)))
            .flat_map(|days| days.into_iter().filter(|v| v.is_finite()))
            .fold(f64::NEG_INFINITY, f64::max)
    } else {
        f64::NEG_INFINITY
    };
    let mut out = Vec::new();
    for (idx, cs) in schema.columns.iter().enumerate() {
        if cs.role == Role::Ignore {
            continue;
        }
        let Some(col) = table.column(idx) else {
            continue;
        };
        let values = match &cs.kind {
            Kind::Count | Kind::Amount | Kind::Currency | Kind::Percent | Kind::Rating { .. } => {
                numeric(
                    schema::read::numbers(col, cs),
                    false,
                    cs.kind == Kind::Currency,
                )
            }
            Kind::Date | Kind::DateTime => {
                let days = schema::read::numbers(col, cs);
                let latest = if looks_forward(&cs.name) && latest_looking_back.is_finite() {
                    latest_looking_back
                } else {
                    days.iter()
                        .copied()
                        .filter(|v| v.is_finite())
                        .fold(f64::NEG_INFINITY, f64::max)
                };
                numeric(days.into_iter().map(|d| latest - d).collect(), true, false)
            }
            Kind::Boolean => {
                let v = schema::read::numbers(col, cs);
                // A column of one tag or none says the tag: "Tags: VIP", not "Tags: yes".
                let written = |tag: &str| {
                    col.values()
                        .iter()
                        .map(schema::read::unquoted)
                        .find(|v| v.to_lowercase() == schema::read::unquoted(tag))
                };
                let (yes, no) = match cs.truthy.as_slice() {
                    [tag] if schema::kinds::holds_tags(&cs.name) && cs.blank_is_false => {
                        (written(tag).unwrap_or(tag.as_str()), "none")
                    }
                    _ => ("yes", "no"),
                };
                labelled(
                    v.iter()
                        .map(|x| {
                            if x.is_nan() {
                                None
                            } else if *x > 0.5 {
                                Some(yes)
                            } else {
                                Some(no)
                            }
                        })
                        .collect(),
                )
            }
            Kind::Categorical | Kind::OrderedText | Kind::Code => {
                let labels = schema::read::labels(col);
                labelled(labels)
            }
            Kind::MultiSelect => {
                let sep = cs.separator.unwrap_or(';');
                let mut index: BTreeMap<String, u32> = BTreeMap::new();
                let rows: Vec<Vec<String>> = (0..col.len())
                    .map(|r| schema::read::choices(col.get(r), sep))
                    .collect();
                // Choices are matched whatever their case and named as first written.
                let mut labels: Vec<String> = Vec::new();
                for choices in &rows {
                    for c in choices {
                        let next = index.len() as u32;
                        index.entry(c.to_lowercase()).or_insert_with(|| {
                            labels.push(c.clone());
                            next
                        });
                    }
                }
                let mut counts = vec![0usize; labels.len()];
                let codes: Vec<Vec<u32>> = rows
                    .iter()
                    .map(|choices| {
                        let mut c: Vec<u32> = choices
                            .iter()
                            .filter_map(|x| index.get(&x.to_lowercase()).copied())
                            .collect();
                        c.sort_unstable();
                        c.dedup();
                        for &k in &c {
                            counts[k as usize] += 1;
                        }
                        c
                    })
                    .collect();
                Values::Multi {
                    codes,
                    labels,
                    counts,
                }
            }
            Kind::FreeText => Values::Text,
            _ => continue,
        };
        let years = holds_years(&cs.name, &values);
        out.push(ColumnProfile {
            column: idx,
            name: cs.name.clone(),
            role: cs.role,
            values,
            years,
        });
    }
    out
}

/// True when a column of numbers holds years: its header names a year (R's `year` and
/// `foundingyear`, a house's "Year Built", a wine's vintage, a sport's season) and every
/// value lies from 1000 to 2999 (a decimal year, 2017.04, too). "Years as a customer" (1 to
/// 12) is not, nor is money.
fn holds_years(name: &str, values: &Values) -> bool {
    let Values::Numeric {
        sorted,
        recency: false,
        money: false,
        ..
    } = values
    else {
        return false;
    };
    let named = schema::read::header_words(name).iter().any(|w| {
        [
            "yr", "yyyy", "season", "vintage", "cohort", "built", "founded", "born",
        ]
        .contains(&w.as_str())
            || ((w.starts_with("year") || w.ends_with("year"))
                && !["years", "yearly"].contains(&w.as_str()))
    });
    named
        && sorted
            .first()
            .zip(sorted.last())
            .is_some_and(|(&lo, &hi)| lo >= 1000.0 && hi < 3000.0)
}

fn numeric(values: Vec<f64>, recency: bool, money: bool) -> Values {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let heavy = sorted.first().is_some_and(|&m| m >= 0.0) && {
        let (q3, p99) = (
            super::features::quantile(&sorted, 0.75),
            super::features::quantile(&sorted, 0.99),
        );
        p99 > 3.0 * q3.max(1e-9)
    };
    Values::Numeric {
        values,
        sorted,
        heavy,
        recency,
        money,
    }
}

fn labelled(per_row: Vec<Option<&str>>) -> Values {
    let mut index: BTreeMap<&str, u32> = BTreeMap::new();
    for l in per_row.iter().flatten() {
        let next = index.len() as u32;
        index.entry(l).or_insert(next);
    }
    let mut labels = vec![String::new(); index.len()];
    for (l, &i) in &index {
        labels[i as usize] = (*l).to_string();
    }
    let mut counts = vec![0usize; labels.len()];
    let codes: Vec<Option<u32>> = per_row
        .iter()
        .map(|l| {
            let c = l.and_then(|l| index.get(l).copied());
            if let Some(c) = c {
                counts[c as usize] += 1;
            }
            c
        })
        .collect();
    Values::Labels {
        codes,
        labels,
        counts,
    }
}

/// How long ago, from a number of days as shown: "1 day ago", "3 days ago", "1.5 days ago";
/// days before the latest (shown negative, for a date still to come) are "in 12 days".
pub fn days_ago(shown: &str) -> String {
    match shown.strip_prefix('−') {
        Some("1") => "in 1 day".into(),
        Some(ahead) => format!("in {ahead} days"),
        None if shown == "1" => "1 day ago".into(),
        None => format!("{shown} days ago"),
    }
}

/// A number of days as shown beside one read by [`days_ago`]: days before the latest as they
/// are ("52"), days after it (shown negative) as "in 11".
pub fn days_ahead(shown: &str) -> String {
    match shown.strip_prefix('−') {
        Some(ahead) => format!("in {ahead}"),
        None => shown.to_string(),
    }
}

/// A number for people: whole numbers plainly, others with up to two decimals, grouped by
/// thousands (`12,345.5`).
pub fn fmt_number(v: f64) -> String {
    fmt_decimals(v, decimals_of(v))
}

/// The decimals [`fmt_number`] shows of `v`: none from 100, one from 10, else two.
fn decimals_of(v: f64) -> usize {
    if v.abs() >= 100.0 {
        0
    } else if v.abs() >= 10.0 {
        1
    } else {
        2
    }
}

/// Most decimals [`fmt_numbers_apart`] writes to tell two numbers apart.
const MOST_DECIMALS: usize = 6;

/// Two numbers compared side by side, as [`fmt_number`] writes them, with as many more
/// decimals as it takes to show that they differ when they do: a segment's median arrival,
/// a decimal year of 2017.04 against everyone else's 2016.99, read "2,017 vs 2,017" (the
/// real hotel bookings), which says there is no difference where there is one.
pub fn fmt_numbers_apart(a: f64, b: f64) -> (String, String) {
    let (mut x, mut y) = (fmt_number(a), fmt_number(b));
    let mut decimals = decimals_of(a).max(decimals_of(b));
    while x == y && a != b && decimals < MOST_DECIMALS {
        decimals += 1;
        let (wider_x, wider_y) = (fmt_decimals(a, decimals), fmt_decimals(b, decimals));
        if wider_x != wider_y {
            (x, y) = (wider_x, wider_y);
        }
    }
    (x, y)
}

/// `v` rounded to `decimals` places, its whole part grouped by thousands, its fraction
/// without trailing zeros.
fn fmt_decimals(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let scale = libm::pow(10.0, decimals as f64);
    let rounded = libm::round(v * scale) / scale;
    let negative = rounded < 0.0;
    let abs = rounded.abs();
    let whole = libm::floor(abs) as u64;
    let frac = abs - whole as f64;
    let mut digits = whole.to_string();
    let mut grouped = String::new();
    while digits.len() > 3 {
        let tail = digits.split_off(digits.len() - 3);
        grouped = format!(",{tail}{grouped}");
    }
    grouped = format!("{digits}{grouped}");
    if frac > 1e-9 {
        let f = format!("{frac:.decimals$}");
        let f = f
            .trim_start_matches('0')
            .trim_end_matches('0')
            .trim_end_matches('.');
        grouped.push_str(f);
    }
    if negative {
        format!("−{grouped}")
    } else {
        grouped
    }
}

/// A share as a percentage with at most one decimal (`12.5 %`, `3 %`).
pub fn fmt_share(share: f64) -> String {
    let p = libm::round(share * 1000.0) / 10.0;
    if (p - libm::round(p)).abs() < 1e-9 {
        format!("{} %", libm::round(p) as i64)
    } else {
        format!("{p:.1} %")
    }
}

/// A ratio like `4.1×` (one decimal under 10, none above).
pub fn fmt_ratio(r: f64) -> String {
    if r >= 1000.0 {
        // Past a thousand times the figure is noise: others' is next to nothing.
        "over 1,000×".into()
    } else if r >= 10.0 {
        format!("{}×", libm::round(r) as i64)
    } else {
        format!("{:.1}×", libm::round(r * 10.0) / 10.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_shares_and_ratios_read_naturally() {
        assert_eq!(fmt_number(12345.5), "12,346");
        assert_eq!(fmt_number(42.0), "42");
        assert_eq!(fmt_number(3.456), "3.46");
        assert_eq!(fmt_number(-0.5), "−0.5");
        assert_eq!(fmt_share(0.125), "12.5 %");
        assert_eq!(fmt_share(0.03), "3 %");
        assert_eq!(fmt_ratio(4.123), "4.1×");
        assert_eq!(fmt_ratio(356_436.2), "over 1,000×");
        assert_eq!(fmt_ratio(12.6), "13×");
        // CDNOW's most frequent buyer's last order, read "1 days ago" in their reason.
        assert_eq!(days_ago(&fmt_number(1.0)), "1 day ago");
        assert_eq!(days_ago(&fmt_number(0.0)), "0 days ago");
        assert_eq!(days_ago(&fmt_number(1.5)), "1.5 days ago");
        assert_eq!(days_ago(&fmt_number(471.0)), "471 days ago");
        assert_eq!(days_ago(&fmt_number(-12.0)), "in 12 days");
        assert_eq!(days_ago(&fmt_number(-1.0)), "in 1 day");
        assert_eq!(days_ahead(&fmt_number(-11.0)), "in 11");
        assert_eq!(days_ahead(&fmt_number(52.0)), "52");
    }

    /// A year reads as a year: R's `year` and `foundingyear`, a house's "Year Built" and a
    /// decimal year ("1992", "2017.04", not "1,992"); a year's worth of something, years as
    /// a customer or money spent in a year are figures as before.
    #[test]
    fn a_year_is_written_without_a_thousands_separator() {
        let profile = |name: &str, values: Vec<f64>, money: bool| {
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let values = Values::Numeric {
                values,
                sorted,
                heavy: false,
                recency: false,
                money,
            };
            ColumnProfile {
                column: 0,
                name: name.into(),
                role: Role::Behaviour,
                years: holds_years(name, &values),
                values,
            }
        };
        let years = vec![1992.0, 1998.0, 2004.0];
        for name in ["year", "foundingyear", "Year Built", "YR_BUILT", "Season"] {
            let p = profile(name, years.clone(), false);
            assert!(p.years, "{name}");
            assert_eq!(p.figure(1992.0), "1992");
            assert_eq!(p.figures_apart(2017.04, 2016.99).0, "2017.04");
        }
        for (name, values, money) in [
            ("Years as customer", vec![1.0, 12.0], false),
            ("Yearly spend", years.clone(), false),
            ("Spend this year", years.clone(), true),
            ("year", vec![1992.0, 99.0], false),
            ("Orders", years.clone(), false),
        ] {
            let p = profile(name, values, money);
            assert!(!p.years, "{name}");
            assert_eq!(p.figure(1992.0), "1,992");
        }
    }

    /// Klaviyo's "Expected Date Of Next Order" is still to come: its days count from the
    /// latest of the file's dates that look back ("Last Active"), so they are negative and
    /// read "in 10 days", not as days before the latest expected date.
    #[test]
    fn a_date_still_to_come_counts_from_the_files_latest_past_date() {
        use crate::engine::ingest::{IngestParams, read_bytes};
        use crate::engine::schema::{ColumnHint, SchemaParams, infer};
        let mut csv = String::from("Last Active,Expected Date Of Next Order\n");
        for i in 0..30 {
            csv.push_str(&format!(
                "2026-11-{:02},2026-12-{:02}\n",
                1 + i % 30,
                1 + (i % 10) * 2
            ));
        }
        let parsed = read_bytes("t.csv", csv.as_bytes(), &IngestParams::default()).expect("read");
        let hints: Vec<ColumnHint> = (0..2)
            .map(|_| ColumnHint {
                file: "t.csv".into(),
                decimal: parsed.dialect.decimal,
                first_row: parsed.dialect.first_row(),
            })
            .collect();
        let (schema, _) = infer(&parsed.table, &hints, &SchemaParams::default());
        let profiles = profile_all(&parsed.table, &schema);
        let days = |k: usize| match &profiles[k].values {
            Values::Numeric {
                sorted, recency, ..
            } => {
                assert!(recency);
                (sorted[0], sorted[sorted.len() - 1])
            }
            _ => panic!("dates are numbers of days"),
        };
        // Last active: 0 to 29 days before the 30th of November.
        assert_eq!(days(0), (0.0, 29.0));
        // Next order: the 1st to the 19th of December, 1 to 19 days after it.
        assert_eq!(days(1), (-19.0, -1.0));
        assert!(looks_forward("Renewal date") && !looks_forward("Last order date"));
    }

    #[test]
    fn numbers_compared_side_by_side_show_that_they_differ() {
        for (a, b, shown) in [
            // The real hotel bookings' decimal years: a segment's median against everyone
            // else's.
            (2017.041, 2016.994, ("2,017.04", "2,016.99")),
            // Only as many decimals as it takes, from where each number's own writing starts.
            (2017.25, 2016.75, ("2,017.3", "2,016.8")),
            (3.4512, 3.4491, ("3.451", "3.449")),
            // Numbers already told apart, or equal, are written as on their own.
            (82.2, 60.0, ("82.2", "60")),
            (0.0, 0.0, ("0", "0")),
            // Never more than six decimals.
            (1.0, 1.0 + 1e-9, ("1", "1")),
        ] {
            let (x, y) = fmt_numbers_apart(a, b);
            assert_eq!((x.as_str(), y.as_str()), shown, "{a} vs {b}");
        }
    }
}
