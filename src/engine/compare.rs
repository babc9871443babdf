//! Next month: this month's segments against last month's export (`segments.csv` as Edgewise
//! wrote it, with its `segment` and `segment_name` columns).
//!
//! Segments are matched **by members** when the two files share people: an identifier or
//! email column present in both (the one matching most people) links a person's segment last
//! month to their segment now, and a segment now is the same as a segment then when each is
//! the other's best match by the share of people they have in common (Jaccard: in both ÷ in
//! either; mutual best match — no overlap threshold to tune). When the files share too few people (fewer than a tenth of the smaller
//! file, or no key at all), segments are matched **by profile**: each segment's mean of the
//! numeric columns and share of each label of the label columns both files have, in this
//! month's standard deviations, mutual nearest, and
//! only within half the way to a nearest sibling in its own month (the larger of the two
//! segments'; else a segment that appeared would pair with one that went, being merely the
//! least far).
//!
//! Each segment is then *grew*, *shrank* or *about the same* (its member count against last
//! month's, beyond or within two standard deviations of a count), *new* (no match
//! last month) or *gone* (last month's segment with no match now); people whose segment now
//! is not the match of their segment then are listed as *moved*. Lone outliers (`edge`) are
//! never matched: a person moving into or out of them counts as moved.

use super::analysis::{Analysis, Dataset};
use super::export::OUTLIER_SEGMENT;
use super::ingest::Parsed;
use super::schema::Kind;
use super::table::Column;
use super::values::{NumberParse, parse_number};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Movers listed (all are counted).
pub const MAX_MOVERS: usize = 200;

/// How segments were matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Matching {
    /// By the people both files hold, linked by `column`.
    Members {
        /// The key column.
        column: String,
        /// People found in both files.
        in_both: usize,
    },
    /// By the means of the numeric columns and the shares of the labels both files have.
    Profile {
        /// Those columns.
        columns: Vec<String>,
    },
}

/// What happened to a segment since last month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// More members than its match last month.
    Grew,
    /// Fewer members than its match last month.
    Shrank,
    /// About as many members as its match last month: within two standard deviations of a
    /// count (|now − then| ≤ 2√then), the noise a segment's edge moves by from month to month.
    Same,
    /// No segment last month matches it.
    New,
    /// Last month's segment with no match now.
    Gone,
}

impl Change {
    /// The change in words.
    pub fn label(self) -> &'static str {
        match self {
            Change::Grew => "grew",
            Change::Shrank => "shrank",
            Change::Same => "about the same",
            Change::New => "new",
            Change::Gone => "gone",
        }
    }
}

/// A segment in the comparison: now, then, or both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentChange {
    /// This month's id and name (none when gone).
    pub now: Option<(String, String)>,
    /// Last month's id and name (none when new).
    pub before: Option<(String, String)>,
    /// Members now.
    pub n_now: usize,
    /// Members last month.
    pub n_before: usize,
    /// What happened.
    pub change: Change,
    /// People in both (matching by members only).
    pub stayed: usize,
}

/// A person whose segment changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mover {
    /// Their row now (0-based).
    pub row: usize,
    /// Their key (id or email) as written.
    pub key: String,
    /// Last month's segment id (or `edge`).
    pub from: String,
    /// This month's segment id (or `edge`).
    pub to: String,
}

/// This month against last month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Last month's file.
    pub file: String,
    /// How segments were matched.
    pub matching: Matching,
    /// Segments now (in this month's order), then those gone.
    pub segments: Vec<SegmentChange>,
    /// The first [`MAX_MOVERS`] people who moved.
    pub movers: Vec<Mover>,
    /// Everyone who moved.
    pub n_movers: usize,
    /// The key column's kind is email (the page masks it).
    pub key_is_email: bool,
}

/// Why two months cannot be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompareError {
    /// The file has no `segment` column.
    #[error(
        "{file} has no “segment” column: choose last month's segments.csv as Edgewise exported it"
    )]
    NotAnExport {
        /// The file.
        file: String,
    },
    /// No shared people and no shared numeric column.
    #[error(
        "{file} shares too few people with this month's data to follow them (no shared id or \
         email for a tenth of the smaller file) and no numeric or label column to compare \
         profiles by: export both months with the same columns"
    )]
    NothingShared {
        /// The file.
        file: String,
    },
}

/// Last month's segments as its export lists them.
struct Before<'a> {
    /// Segment ids in order (`S1`, `S2`, …), with names and sizes.
    segments: Vec<(String, String, usize)>,
    /// Per row: index into `segments`, `None` for `edge` or an unknown value.
    of: Vec<Option<usize>>,
    table: &'a super::table::Table,
}

/// Edgewise's own column `name` in an export: among its last four columns (an export ends with
/// `segment`, `segment_name`, `edge_score`, `reason`), so a user's column of the same name
/// earlier in the file — which reading renames `segment (2)` for the later one — is never taken
/// for it.
fn own_column<'a>(table: &'a super::table::Table, name: &str) -> Option<&'a Column> {
    let columns = table.columns();
    let tail = columns
        .get(columns.len().saturating_sub(4)..)
        .unwrap_or(columns);
    let same = |c: &&Column| {
        c.name == name
            || c.name
                .strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(" ("))
    };
    tail.iter().rev().find(same)
}

fn before(previous: &Parsed) -> Result<Before<'_>, CompareError> {
    let table = &previous.table;
    let Some(segment) = own_column(table, "segment") else {
        return Err(CompareError::NotAnExport {
            file: previous.file.clone(),
        });
    };
    let name = own_column(table, "segment_name");
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut segments: Vec<(String, String, usize)> = Vec::new();
    let mut of = Vec::with_capacity(table.n_rows());
    for row in 0..table.n_rows() {
        let id = segment.get(row).trim();
        if id.is_empty() || id == OUTLIER_SEGMENT {
            of.push(None);
            continue;
        }
        let next = segments.len();
        let s = *index.entry(id).or_insert(next);
        if s == next {
            let found = name.map_or(id, |c| c.get(row).trim());
            segments.push((id.to_string(), found.to_string(), 0));
        }
        if let Some(seg) = segments.get_mut(s) {
            seg.2 += 1;
        }
        of.push(Some(s));
    }
    // Segments in their ids' numeric order (S2 before S10), rows re-pointed.
    let mut order: Vec<usize> = (0..segments.len()).collect();
    order.sort_by_key(|&i| {
        let id = &segments[i].0;
        (
            id.trim_start_matches(|c: char| !c.is_ascii_digit())
                .parse::<u64>()
                .unwrap_or(u64::MAX),
            id.clone(),
        )
    });
    let mut rank = vec![0; order.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    let segments = order.iter().map(|&i| segments[i].clone()).collect();
    let of = of.into_iter().map(|s| s.map(|s| rank[s])).collect();
    Ok(Before {
        segments,
        of,
        table,
    })
}

fn key_of(text: &str, email: bool) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        None
    } else if email {
        Some(t.to_lowercase())
    } else {
        Some(t.to_string())
    }
}

/// Column `i` of this month's file and the column of the same name in last month's.
fn shared_column<'a, 'b>(
    dataset: &'a Dataset,
    then: &'b Before<'_>,
    i: usize,
) -> Option<(&'a Column, &'b Column)> {
    let name = &dataset.schema.columns.get(i)?.name;
    let old = then.table.columns().iter().find(|c| &c.name == name)?;
    Some((dataset.table.column(i)?, old))
}

/// The key column shared by both files that links most people: (column now, column then,
/// is email, row then of each row now).
fn best_key<'a>(
    dataset: &'a Dataset,
    then: &Before<'_>,
) -> Option<(&'a Column, bool, Vec<Option<usize>>, usize)> {
    let mut best: Option<(&Column, bool, Vec<Option<usize>>, usize)> = None;
    for (i, cs) in dataset.schema.columns.iter().enumerate() {
        let email = cs.kind == Kind::Email;
        if !(email || cs.kind == Kind::Identifier) {
            continue;
        }
        let Some((now, old)) = shared_column(dataset, then, i) else {
            continue;
        };
        let mut rows: HashMap<String, usize> = HashMap::new();
        for r in 0..then.table.n_rows() {
            if let Some(k) = key_of(old.get(r), email) {
                rows.entry(k).or_insert(r);
            }
        }
        let linked: Vec<Option<usize>> = (0..dataset.table.n_rows())
            .map(|r| key_of(now.get(r), email).and_then(|k| rows.get(&k).copied()))
            .collect();
        let n = linked.iter().filter(|l| l.is_some()).count();
        if best.as_ref().is_none_or(|b| n > b.3) {
            best = Some((now, email, linked, n));
        }
    }
    best
}

/// Pairs (a, b) where `score[a][b]` is a's best among its row and b's best among its column
/// (largest first when `larger_is_better`, else smallest); ties go to the lower index.
fn mutual_best(score: &[Vec<f64>], larger_is_better: bool) -> Vec<(usize, usize)> {
    let better = |x: f64, y: f64| if larger_is_better { x > y } else { x < y };
    let n_b = score.first().map_or(0, Vec::len);
    let best_in_row = |a: usize| -> Option<usize> {
        let row = score.get(a)?;
        let mut best: Option<usize> = None;
        for (b, &v) in row.iter().enumerate() {
            if v.is_finite() && best.is_none_or(|k| better(v, row[k])) {
                best = Some(b);
            }
        }
        best
    };
    let best_in_col = |b: usize| -> Option<usize> {
        let mut best: Option<usize> = None;
        for (a, row) in score.iter().enumerate() {
            let v = row.get(b).copied().unwrap_or(f64::NAN);
            if v.is_finite() && best.is_none_or(|k| better(v, score[k][b])) {
                best = Some(a);
            }
        }
        best
    };
    (0..score.len())
        .filter_map(|a| {
            let b = best_in_row(a)?;
            (b < n_b && best_in_col(b) == Some(a)).then_some((a, b))
        })
        .collect()
}

/// Compares `analysis` of `dataset` (this month) with `previous`, last month's export.
pub fn compare(
    previous: &Parsed,
    dataset: &Dataset,
    analysis: &Analysis,
) -> Result<Comparison, CompareError> {
    let then = before(previous)?;
    let n_now_segments = analysis.segments.len();
    let n_then_segments = then.segments.len();
    let key = best_key(dataset, &then);
    let smaller = then.table.n_rows().min(dataset.table.n_rows());
    let by_members = key.as_ref().is_some_and(|k| k.3 > 0 && k.3 * 10 >= smaller);

    let mut stayed = vec![vec![0usize; n_now_segments]; n_then_segments];
    let (matching, pairs, movers, n_movers, key_is_email) =
        if let Some((column, email, linked, n)) = key.filter(|_| by_members) {
            for (row, old) in linked.iter().enumerate() {
                if let (Some(old), Some(Some(now))) = (old, analysis.segment_of.get(row))
                    && let Some(Some(s_then)) = then.of.get(*old)
                    && let Some(cell) = stayed
                        .get_mut(*s_then)
                        .and_then(|r| r.get_mut(*now as usize))
                {
                    *cell += 1;
                }
            }
            // Overlap relative to both sizes (Jaccard), so a segment that keeps most of its
            // people while gaining more from the mass middle still pairs with itself.
            let score: Vec<Vec<f64>> = stayed
                .iter()
                .zip(&then.segments)
                .map(|(r, then_segment)| {
                    r.iter()
                        .zip(&analysis.segments)
                        .map(|(&v, now_segment)| {
                            let union = (then_segment.2 + now_segment.size).saturating_sub(v);
                            if v > 0 && union > 0 {
                                v as f64 / union as f64
                            } else {
                                f64::NAN
                            }
                        })
                        .collect()
                })
                .collect();
            let pairs = mutual_best(&score, true);
            let mut match_of_then: Vec<Option<usize>> = vec![None; n_then_segments];
            for &(a, b) in &pairs {
                match_of_then[a] = Some(b);
            }
            let mut movers = Vec::new();
            let mut n_movers = 0;
            for (row, old) in linked.iter().enumerate() {
                let Some(old) = old else { continue };
                let from = then.of.get(*old).copied().flatten();
                let to = analysis
                    .segment_of
                    .get(row)
                    .copied()
                    .flatten()
                    .map(|s| s as usize);
                let stays = match (from, to) {
                    (None, None) => true,
                    (Some(f), Some(t)) => match_of_then[f] == Some(t),
                    _ => false,
                };
                if stays {
                    continue;
                }
                n_movers += 1;
                if movers.len() < MAX_MOVERS {
                    movers.push(Mover {
                        row,
                        key: column.get(row).to_string(),
                        from: from
                            .and_then(|f| then.segments.get(f))
                            .map_or(OUTLIER_SEGMENT.to_string(), |s| s.0.clone()),
                        to: analysis.segment_id(row).to_string(),
                    });
                }
            }
            (
                Matching::Members {
                    column: column.name.clone(),
                    in_both: n,
                },
                pairs,
                movers,
                n_movers,
                email,
            )
        } else {
            let (columns, score) = profile_distances(dataset, analysis, &then);
            if columns.is_empty() {
                return Err(CompareError::NothingShared {
                    file: previous.file.clone(),
                });
            }
            let pairs = mutual_best(&score, false);
            (Matching::Profile { columns }, pairs, Vec::new(), 0, false)
        };

    let mut segments = Vec::with_capacity(n_now_segments + n_then_segments);
    for (c, s) in analysis.segments.iter().enumerate() {
        let matched = pairs.iter().find(|p| p.1 == c).map(|p| p.0);
        let before = matched.and_then(|a| then.segments.get(a));
        let n_before = before.map_or(0, |b| b.2);
        segments.push(SegmentChange {
            now: Some((s.id.clone(), s.name.clone())),
            before: before.map(|b| (b.0.clone(), b.1.clone())),
            n_now: s.size,
            n_before,
            change: match before {
                None => Change::New,
                Some(_) => change(n_before, s.size),
            },
            stayed: matched.map_or(0, |a| stayed[a][c]),
        });
    }
    for (a, b) in then.segments.iter().enumerate() {
        if !pairs.iter().any(|p| p.0 == a) {
            segments.push(SegmentChange {
                now: None,
                before: Some((b.0.clone(), b.1.clone())),
                n_now: 0,
                n_before: b.2,
                change: Change::Gone,
                stayed: 0,
            });
        }
    }
    Ok(Comparison {
        file: previous.file.clone(),
        matching,
        segments,
        movers,
        n_movers,
        key_is_email,
    })
}

/// Grew, shrank or about the same: a change within two standard deviations of a Poisson count
/// (`|now − then| ≤ 2√then`) is the noise of a segment's edge, not news.
fn change(then: usize, now: usize) -> Change {
    let noise = 2.0 * (then as f64).sqrt();
    let delta = now as f64 - then as f64;
    if delta.abs() <= noise {
        Change::Same
    } else if delta > 0.0 {
        Change::Grew
    } else {
        Change::Shrank
    }
}

/// Distances between last month's segments (rows) and this month's (columns): Euclidean
/// between their means of each numeric column both files have, in units of this month's
/// standard deviation, and their shares of each label of the label columns both have, in units
/// of the label's binomial standard deviation; NaN (never a match) beyond half the distance from either segment to its
/// nearest sibling in its own month. Returns the columns used too.
fn profile_distances(
    dataset: &Dataset,
    analysis: &Analysis,
    then: &Before<'_>,
) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut columns = Vec::new();
    let mut means_then: Vec<Vec<f64>> = vec![Vec::new(); then.segments.len()];
    let mut means_now: Vec<Vec<f64>> = vec![Vec::new(); analysis.segments.len()];
    for (i, cs) in dataset.schema.columns.iter().enumerate() {
        if !cs.kind.is_numeric() || cs.role == super::schema::Role::Ignore {
            continue;
        }
        let Some((now, old)) = shared_column(dataset, then, i) else {
            continue;
        };
        let decimal = dataset
            .hints
            .get(i)
            .map_or(super::values::Decimal::Dot, |h| h.decimal);
        let number = |text: &str| match parse_number(text, decimal) {
            NumberParse::Number(n) => Some(n.value),
            _ => None,
        };
        let values_now: Vec<Option<f64>> = (0..dataset.table.n_rows())
            .map(|r| number(now.get(r)))
            .collect();
        let present: Vec<f64> = values_now.iter().flatten().copied().collect();
        if present.len() < 2 {
            continue;
        }
        let mean = present.iter().sum::<f64>() / present.len() as f64;
        let sd = (present.iter().map(|v| (v - mean).powi(2)).sum::<f64>()
            / (present.len() - 1) as f64)
            .sqrt();
        if !(sd.is_finite() && sd > 0.0) {
            continue;
        }
        let mut sums_now = vec![(0.0, 0usize); analysis.segments.len()];
        for (r, v) in values_now.iter().enumerate() {
            if let (Some(v), Some(Some(s))) = (v, analysis.segment_of.get(r))
                && let Some(acc) = sums_now.get_mut(*s as usize)
            {
                acc.0 += (v - mean) / sd;
                acc.1 += 1;
            }
        }
        let mut sums_then = vec![(0.0, 0usize); then.segments.len()];
        for r in 0..then.table.n_rows() {
            if let (Some(v), Some(Some(s))) = (number(old.get(r)), then.of.get(r))
                && let Some(acc) = sums_then.get_mut(*s)
            {
                acc.0 += (v - mean) / sd;
                acc.1 += 1;
            }
        }
        // A segment with no value in the column has no mean there (not the average).
        let m = |(sum, n): (f64, usize)| if n > 0 { sum / n as f64 } else { f64::NAN };
        for (s, acc) in sums_now.into_iter().enumerate() {
            means_now[s].push(m(acc));
        }
        for (s, acc) in sums_then.into_iter().enumerate() {
            means_then[s].push(m(acc));
        }
        columns.push(cs.name.clone());
    }
    // Labels: each of a column's labels is a dimension, a segment's share of it in units of
    // the label's binomial standard deviation this month.
    for (i, cs) in dataset.schema.columns.iter().enumerate() {
        let single_label = matches!(
            cs.kind,
            Kind::Categorical | Kind::Boolean | Kind::OrderedText
        );
        if !single_label || cs.role == super::schema::Role::Ignore {
            continue;
        }
        let Some((now, old)) = shared_column(dataset, then, i) else {
            continue;
        };
        let n_rows = dataset.table.n_rows();
        let mut counts: Vec<(String, usize)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for r in 0..n_rows {
            let label = now.get(r).trim();
            if label.is_empty() {
                continue;
            }
            let k = *index.entry(label.to_string()).or_insert_with(|| {
                counts.push((label.to_string(), 0));
                counts.len() - 1
            });
            if let Some(c) = counts.get_mut(k) {
                c.1 += 1;
            }
        }
        let mut added = false;
        for (label, count) in counts.iter().filter(|(_, c)| *c > 0 && *c < n_rows) {
            let p = *count as f64 / n_rows as f64;
            let sd = (p * (1.0 - p)).sqrt();
            let share = |hits: &[(usize, usize)]| -> Vec<f64> {
                hits.iter()
                    .map(|&(hit, n)| {
                        if n > 0 {
                            (hit as f64 / n as f64 - p) / sd
                        } else {
                            f64::NAN
                        }
                    })
                    .collect()
            };
            let mut hits_now = vec![(0usize, 0usize); analysis.segments.len()];
            for r in 0..n_rows {
                if let Some(Some(s)) = analysis.segment_of.get(r)
                    && let Some(h) = hits_now.get_mut(*s as usize)
                {
                    h.0 += usize::from(now.get(r).trim() == label);
                    h.1 += 1;
                }
            }
            let mut hits_then = vec![(0usize, 0usize); then.segments.len()];
            for r in 0..then.table.n_rows() {
                if let Some(Some(s)) = then.of.get(r)
                    && let Some(h) = hits_then.get_mut(*s)
                {
                    h.0 += usize::from(old.get(r).trim() == label);
                    h.1 += 1;
                }
            }
            for (s, v) in share(&hits_now).into_iter().enumerate() {
                means_now[s].push(v);
            }
            for (s, v) in share(&hits_then).into_iter().enumerate() {
                means_then[s].push(v);
            }
            added = true;
        }
        if added {
            columns.push(cs.name.clone());
        }
    }
    // Over the dimensions both have a value in.
    let distance = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .map(|(x, y)| (x - y).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    // How far each segment is from its nearest sibling in its own month.
    let nearest_sibling = |means: &[Vec<f64>], i: usize| {
        means
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, m)| distance(&means[i], m))
            .fold(f64::INFINITY, f64::min)
    };
    let score = means_then
        .iter()
        .enumerate()
        .map(|(a, ma)| {
            let sibling_then = nearest_sibling(&means_then, a);
            means_now
                .iter()
                .enumerate()
                .map(|(b, mb)| {
                    // Within half the way to a nearest sibling (in the month where the pair
                    // stands further from its siblings, so that a segment that split in two
                    // close halves still finds itself). Beyond it, the nearest segment is only
                    // the least far, not the same one.
                    let d = distance(ma, mb);
                    let bound = 0.5 * sibling_then.max(nearest_sibling(&means_now, b));
                    if d < bound { d } else { f64::NAN }
                })
                .collect()
        })
        .collect();
    (columns, score)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_within_a_counts_noise_is_about_the_same() {
        // 2√41 ≈ 12.8: 41 → 42 is noise, 23 → 46 and 100 → 67 are not.
        assert_eq!(change(41, 42), Change::Same);
        assert_eq!(change(41, 29), Change::Same);
        assert_eq!(change(23, 46), Change::Grew);
        assert_eq!(change(100, 67), Change::Shrank);
        assert_eq!(change(0, 0), Change::Same);
    }

    #[test]
    fn only_mutual_best_matches_pair_up() {
        // Then-segment 0 sends most people to now-segment 1, and now-segment 1 gets most
        // from then-segment 0: a pair. Then-segment 1's best is now 1 too, but now 1 prefers
        // then 0: no pair, so then 1 is gone and now 0 is new.
        let score = vec![vec![2.0, 9.0], vec![f64::NAN, 5.0]];
        assert_eq!(mutual_best(&score, true), vec![(0, 1)]);
        // Distances: smallest wins.
        let d = vec![vec![0.1, 3.0], vec![2.0, 0.5]];
        assert_eq!(mutual_best(&d, false), vec![(0, 0), (1, 1)]);
    }
}
