//! Edge scores and reasons: how far each person is from everyone, and why, in plain words.
//!
//! The score (0–1, higher = further from everyone) is the mean of two percentiles:
//! * **local sparsity** — the distance to their 15th nearest neighbour, the k-nearest-neighbour
//!   outlier score of Ramaswamy, Rastogi & Shim (2000): sparse surroundings mean an unusual person;
//! * **atypicality** — how unusual their own values are, column by column (robust z-scores for
//!   numbers, rarity for labels and words).
//!
//! Both are computed the same way for every person, whether or not they were in the sample that
//! formed the segments; GLOSH, which exists only for that sample, informs membership instead.
//!
//! # References
//! Ramaswamy, S., Rastogi, R. & Shim, K. (2000). Efficient algorithms for mining outliers from
//! large data sets. SIGMOD.
//!
//! The reason names the segment (by id and name, never a person) and the two or three facts
//! that set the person apart most: "Orders (12 months) 9× the median (45 vs 5); answer
//! mentions “chargeback”". The same facts drive atypicality, so score and reason agree.
//!
//! This file scores people. Which *segments* are at the edges — their order, most
//! distinctive first — is decided in [`rank`](super::rank).

use super::cluster::{Clustering, Membership};
use super::describe::{Described, mentions_name};
use super::features::{Features, quantile};
use super::profile::{ColumnProfile, Values, fmt_number, fmt_ratio, fmt_share};
use super::table::Table;
use std::collections::BTreeSet;

/// One thing that sets a person apart.
#[derive(Debug, Clone, PartialEq)]
struct Fact {
    surprise: f64,
    text: String,
}

/// Per-column summaries computed once.
enum Summary {
    Numeric {
        median: f64,
        median_t: f64,
        spread_t: f64,
        heavy: bool,
        recency: bool,
    },
    Labels {
        total: usize,
    },
    Text,
}

fn summarise(p: &ColumnProfile) -> Summary {
    match &p.values {
        Values::Numeric {
            sorted,
            heavy,
            recency,
            ..
        } => {
            let t: Vec<f64> = sorted
                .iter()
                .map(|&v| if *heavy { libm::log1p(v.max(0.0)) } else { v })
                .collect();
            let median_t = quantile(&t, 0.5);
            let mut spread_t = quantile(&t, 0.75) - quantile(&t, 0.25);
            if spread_t <= 1e-12 {
                let mean = t.iter().sum::<f64>() / t.len().max(1) as f64;
                spread_t = libm::sqrt(
                    t.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / t.len().max(1) as f64,
                );
            }
            Summary::Numeric {
                median: quantile(sorted, 0.5),
                median_t,
                spread_t: spread_t.max(1e-9),
                heavy: *heavy,
                recency: *recency,
            }
        }
        Values::Labels { counts, .. } => Summary::Labels {
            total: counts.iter().sum(),
        },
        Values::Multi { .. } => Summary::Labels { total: 0 },
        Values::Text => Summary::Text,
    }
}

/// The facts about person `i`, most surprising first.
fn facts(
    i: usize,
    profiles: &[ColumnProfile],
    summaries: &[Summary],
    features: &Features,
    n: usize,
    names: &BTreeSet<String>,
) -> Vec<Fact> {
    let mut out = Vec::new();
    for (p, s) in profiles.iter().zip(summaries) {
        if !p.role.forms_segments() {
            continue;
        }
        match (&p.values, s) {
            (
                Values::Numeric { values, .. },
                Summary::Numeric {
                    median,
                    median_t,
                    spread_t,
                    heavy,
                    recency,
                },
            ) => {
                let Some(&v) = values.get(i) else { continue };
                if !v.is_finite() {
                    continue;
                }
                let t = if *heavy { libm::log1p(v.max(0.0)) } else { v };
                let z = (t - median_t) / spread_t;
                if z.abs() < 1.5 {
                    continue;
                }
                let text = if *recency {
                    format!(
                        "{} {} days ago (median {})",
                        p.name,
                        fmt_number(v),
                        fmt_number(*median)
                    )
                } else if *heavy && *median > 0.0 && v > 0.0 {
                    format!(
                        "{} {} the median ({} vs {})",
                        p.name,
                        fmt_ratio(v / median),
                        fmt_number(v),
                        fmt_number(*median)
                    )
                } else if *median == 0.0 {
                    format!("{} {} where most have 0", p.name, fmt_number(v))
                } else {
                    format!(
                        "{} {} (median {})",
                        p.name,
                        fmt_number(v),
                        fmt_number(*median)
                    )
                };
                out.push(Fact {
                    surprise: z.abs().min(10.0),
                    text,
                });
            }
            (
                Values::Labels {
                    codes,
                    labels,
                    counts,
                },
                Summary::Labels { total },
            ) => {
                let Some(Some(code)) = codes.get(i) else {
                    continue;
                };
                let share = counts.get(*code as usize).copied().unwrap_or(0) as f64
                    / (*total).max(1) as f64;
                if share >= 0.1 {
                    continue;
                }
                let label = labels.get(*code as usize).cloned().unwrap_or_default();
                out.push(Fact {
                    surprise: -libm::log10(share.max(1e-6)),
                    text: format!(
                        "{} “{}” (only {} of people)",
                        p.name,
                        label,
                        fmt_share(share)
                    ),
                });
            }
            (
                Values::Multi {
                    codes,
                    labels,
                    counts,
                },
                _,
            ) => {
                let Some(choices) = codes.get(i) else {
                    continue;
                };
                let rarest = choices
                    .iter()
                    .map(|&c| (counts.get(c as usize).copied().unwrap_or(0), c))
                    .min();
                if let Some((count, c)) = rarest {
                    let share = count as f64 / n.max(1) as f64;
                    if share < 0.1 {
                        let label = labels.get(c as usize).cloned().unwrap_or_default();
                        out.push(Fact {
                            surprise: -libm::log10(share.max(1e-6)),
                            text: format!(
                                "{} include “{}” (only {} of people)",
                                p.name,
                                label,
                                fmt_share(share)
                            ),
                        });
                    }
                }
            }
            (Values::Text, Summary::Text) => {
                let Some(tc) = features.text.iter().find(|t| t.column == p.column) else {
                    continue;
                };
                let docs = tc.vocabulary.n_docs.max(1) as f64;
                let mut rare: Vec<(f64, String)> = tc
                    .tfidf
                    .row(i)
                    .filter_map(|(t, _)| {
                        let df = tc.vocabulary.doc_freq.get(t).copied().unwrap_or(0) as f64 / docs;
                        let word = tc.vocabulary.display.get(t)?.clone();
                        (df < 0.01 && !word.contains(' ') && !mentions_name(&word, names))
                            .then_some((df, word))
                    })
                    .collect();
                rare.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                if let Some((df, _)) = rare.first() {
                    let words: Vec<String> =
                        rare.iter().take(2).map(|(_, w)| format!("“{w}”")).collect();
                    out.push(Fact {
                        surprise: 0.5 * -libm::log10(df.max(1e-6)),
                        text: format!("answer mentions {}", words.join(" and ")),
                    });
                }
            }
            _ => {}
        }
    }
    out.sort_by(|a, b| b.surprise.total_cmp(&a.surprise).then(a.text.cmp(&b.text)));
    out
}

/// Percentile ranks (0–1) of `values`, ties sharing their lowest rank.
fn percentile_ranks(values: &[f64]) -> Vec<f64> {
    let n = values.len();
    if n <= 1 {
        return vec![0.0; n];
    }
    let mut sorted: Vec<f64> = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    values
        .iter()
        .map(|v| sorted.partition_point(|x| x.total_cmp(v).is_lt()) as f64 / (n - 1) as f64)
        .collect()
}

/// Everything the scores and reasons need.
pub struct Inputs<'a> {
    /// The data.
    pub table: &'a Table,
    /// Column statistics.
    pub profiles: &'a [ColumnProfile],
    /// Features (for text terms).
    pub features: &'a Features,
    /// The segments found.
    pub clustering: &'a Clustering,
    /// Their ranking and names.
    pub described: &'a Described,
    /// Words from name and email columns, never shown.
    pub names: &'a BTreeSet<String>,
}

/// Edge score (0–1) and a plain-language reason for every person.
pub fn score_and_explain(inp: &Inputs<'_>) -> (Vec<f64>, Vec<String>) {
    let n = inp.table.n_rows();
    let c = inp.clustering;
    let summaries: Vec<Summary> = inp.profiles.iter().map(summarise).collect();
    let all_facts: Vec<Vec<Fact>> = (0..n)
        .map(|i| facts(i, inp.profiles, &summaries, inp.features, n, inp.names))
        .collect();
    let atypical: Vec<f64> = all_facts
        .iter()
        .map(|f| f.iter().take(3).map(|x| x.surprise).sum())
        .collect();
    let density = percentile_ranks(&c.core_distance);
    let atyp = percentile_ranks(&atypical);
    let scores: Vec<f64> = (0..n)
        .map(|i| libm::round((0.5 * density[i] + 0.5 * atyp[i]).clamp(0.0, 1.0) * 1000.0) / 1000.0)
        .collect();
    let reasons = (0..n)
        .map(|i| {
            let facts: Vec<&str> = all_facts[i]
                .iter()
                .filter(|f| f.surprise >= 1.0)
                .take(3)
                .map(|f| f.text.as_str())
                .collect();
            let segment = c.labels[i]
                .and_then(|l| inp.described.order.get(l))
                .and_then(|&d| inp.described.segments.get(d));
            let head = match (segment, c.membership[i]) {
                (Some(s), Membership::Core) => format!("In {} “{}”", s.id, s.name),
                (Some(s), _) => format!("On the edge of {} “{}”", s.id, s.name),
                (None, _) => "Unlike everyone".to_string(),
            };
            match (facts.is_empty(), segment.is_none()) {
                (false, _) => format!("{head}: {}", facts.join("; ")),
                (true, true) => format!(
                    "{head}: far from everyone in their overall mix of answers and behaviour"
                ),
                (true, false) => head,
            }
        })
        .collect();
    (scores, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_ranks_are_zero_to_one_with_ties_sharing() {
        assert_eq!(
            percentile_ranks(&[3.0, 1.0, 2.0, 2.0, 5.0]),
            vec![0.75, 0.0, 0.25, 0.25, 1.0]
        );
        assert_eq!(percentile_ranks(&[7.0]), vec![0.0]);
    }
}
