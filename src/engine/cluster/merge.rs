//! Step 5 of the module doc, in part: clusters that are one group split by too few columns,
//! or a corner of another group, are merged back ([`merge_single_respect`]).
//!
//! Used on the sample's clusters ([`super::segment_sample`]) and in every stability resample.

use super::super::linalg::Dense;

/// Which feature dimensions came from which column, so that segments can be required to
/// differ in at least two respects (see [`merge_single_respect`]).
#[derive(Debug, Clone, Copy)]
pub struct Respects<'a> {
    /// The balanced features, one row per person (all people).
    pub features: &'a Dense,
    /// Each column's range of feature dimensions.
    pub columns: &'a [std::ops::Range<usize>],
    /// The columns as discrete variables, for latent classes within segments
    /// ([`super::latent`]), indexed like the rows of `features`; `None` leaves segments as
    /// density found them.
    pub latent: Option<super::Latent<'a>>,
}

/// How far apart, in overall standard deviations of a column, two groups' means must be for
/// the groups to differ in that column.
const RESPECT: f64 = 1.0;

/// A cluster's share on its own side must be at least this for a column to cut it off as a
/// corner of another cluster (see [`merge_single_respect`]).
const CORNER_PURE: f64 = 0.9;
/// ... and the other cluster's share on that side at least this.
const CORNER_COMMON: f64 = 0.2;

/// Merges clusters that differ from another cluster in too few columns, or that are only a
/// corner of another cluster.
///
/// Mixed survey and CRM data forms a lattice: people who tick "newsletter: yes" and "no" are
/// two dense cells however alike they are otherwise, and people who phrase the same goal in two
/// different ways are two cells of the same group. A segment worth a marketer's attention
/// differs from its neighbours in several respects at once. Two clusters whose means differ by
/// more than one overall standard deviation in fewer than three columns (two when three to
/// seven columns form segments) are merged, closest pair first, until no such pair is left;
/// with one or two columns forming segments, nothing is.
///
/// Several independent yes/no answers and ratings can also cut a dense *corner* out of one
/// group: everyone who said no to the newsletter, no to eco packaging and rated diet fit 3 or
/// lower. The corner differs from the rest of its group in three columns, yet in none of them
/// are the two told apart: the corner sits (90 % or more) on one side of the midpoint between
/// the two means, and a good share (20 % or more) of the rest of the group sits there too —
/// the corner's answers are common answers of the group. A real segment is told apart in at
/// least one column (what its members say, what they buy). Two clusters where one is such a
/// corner of the other in every column they differ in are merged too.
/// `rows` are the people `labels` refer to, as rows of `respects.features`.
pub fn merge_single_respect(
    labels: &mut [Option<usize>],
    n_clusters: usize,
    rows: &[usize],
    respects: &Respects<'_>,
) -> Vec<usize> {
    let identity: Vec<usize> = (0..n_clusters).collect();
    let columns = respects.columns;
    let required = match columns.len() {
        0..=2 => return identity,
        3..=7 => 2,
        _ => 3,
    };
    if n_clusters < 2 {
        return identity;
    }
    let x = respects.features;
    let dims = x.cols;
    let mut sum = vec![vec![0.0f64; dims]; n_clusters];
    let mut count = vec![0usize; n_clusters];
    let (mut all_sum, mut all_sq) = (vec![0.0f64; dims], vec![0.0f64; dims]);
    for (r, &i) in rows.iter().enumerate() {
        let row = x.row(i);
        for d in 0..dims.min(row.len()) {
            all_sum[d] += row[d];
            all_sq[d] += row[d] * row[d];
        }
        if let Some(Some(c)) = labels.get(r) {
            count[*c] += 1;
            for (s, v) in sum[*c].iter_mut().zip(row) {
                *s += v;
            }
        }
    }
    let n = rows.len().max(1) as f64;
    let spread: Vec<f64> = columns
        .iter()
        .map(|g| {
            let var: f64 = g
                .clone()
                .filter(|&d| d < dims)
                .map(|d| (all_sq[d] / n - (all_sum[d] / n) * (all_sum[d] / n)).max(0.0))
                .sum();
            libm::sqrt(var).max(1e-12)
        })
        .collect();
    // Members of each cluster, as rows of the features, for the corner test.
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n_clusters];
    for (r, &i) in rows.iter().enumerate() {
        if let Some(Some(c)) = labels.get(r) {
            members[*c].push(i);
        }
    }
    // Agglomerate: repeatedly merge the closest pair that differs in too few respects, with
    // means recomputed after each merge, so that lattice cells fold together without
    // chaining two different groups through a third.
    let verdict =
        |a: usize, b: usize, sum: &[Vec<f64>], count: &[usize], members: &[Vec<usize>]| {
            let (ca, cb) = (count[a].max(1) as f64, count[b].max(1) as f64);
            let mut differ = Vec::new();
            let mut total = 0.0;
            for (g, sd) in columns.iter().zip(&spread) {
                let d2: f64 = g
                    .clone()
                    .filter(|&d| d < dims)
                    .map(|d| {
                        let gap = sum[a][d] / ca - sum[b][d] / cb;
                        gap * gap
                    })
                    .sum();
                let z = libm::sqrt(d2) / sd;
                total += z;
                if z > RESPECT {
                    differ.push(g.start..g.end.min(dims));
                }
            }
            let mergeable = differ.len() < required || {
                let means = (sum[a].as_slice(), ca, sum[b].as_slice(), cb);
                corner(x, &differ, means, (&members[a], &members[b]))
            };
            Pair { mergeable, total }
        };
    let mut alive: Vec<bool> = vec![true; n_clusters];
    let mut into: Vec<usize> = (0..n_clusters).collect();
    // Every pair's verdict, kept up to date as clusters merge.
    let unset = Pair {
        mergeable: false,
        total: f64::INFINITY,
    };
    let mut pair = vec![vec![unset; n_clusters]; n_clusters];
    for (a, row) in pair.iter_mut().enumerate() {
        for (b, cell) in row.iter_mut().enumerate().skip(a + 1) {
            *cell = verdict(a, b, &sum, &count, &members);
        }
    }
    loop {
        let mut best: Option<(f64, usize, usize)> = None;
        for a in 0..n_clusters {
            if !alive[a] {
                continue;
            }
            for b in a + 1..n_clusters {
                let p = pair[a][b];
                if alive[b] && p.mergeable && best.is_none_or(|x| p.total < x.0) {
                    best = Some((p.total, a, b));
                }
            }
        }
        let Some((_, a, b)) = best else { break };
        let moved = std::mem::take(&mut sum[b]);
        for (x, y) in sum[a].iter_mut().zip(&moved) {
            *x += y;
        }
        count[a] += count[b];
        let moved = std::mem::take(&mut members[b]);
        members[a].extend(moved);
        alive[b] = false;
        for t in into.iter_mut() {
            if *t == b {
                *t = a;
            }
        }
        for (o, &live) in alive.iter().enumerate() {
            if live && o != a {
                let (lo, hi) = (a.min(o), a.max(o));
                pair[lo][hi] = verdict(lo, hi, &sum, &count, &members);
            }
        }
    }
    // New ids in order of the surviving clusters.
    let mut new_id = vec![usize::MAX; n_clusters];
    let mut next = 0;
    for c in 0..n_clusters {
        if alive[c] {
            new_id[c] = next;
            next += 1;
        }
    }
    for c in labels.iter_mut().flatten() {
        *c = new_id[into[*c]];
    }
    (0..n_clusters).map(|c| new_id[into[c]]).collect()
}

/// One pair of clusters, as [`merge_single_respect`] judges it.
#[derive(Debug, Clone, Copy)]
struct Pair {
    /// Too few respects differ, or one is a corner of the other.
    mergeable: bool,
    /// Sum over columns of the mean gap in standard deviations (closest pairs merge first).
    total: f64,
}

/// Whether one of two clusters is a corner of the other in every column of `differ`: its
/// members all but wholly on its side of the midpoint between the two means, and a good share
/// of the other's members there too (see [`merge_single_respect`]). `means` holds each
/// cluster's feature sums and size; `members` their rows of `x`.
fn corner(
    x: &Dense,
    differ: &[std::ops::Range<usize>],
    means: (&[f64], f64, &[f64], f64),
    members: (&[usize], &[usize]),
) -> bool {
    let (sa, ca, sb, cb) = means;
    if differ.is_empty() || members.0.is_empty() || members.1.is_empty() {
        return false;
    }
    let (mut a_corner, mut b_corner) = (true, true);
    for g in differ {
        // The midpoint between the means, and the direction from `b`'s mean to `a`'s.
        let (mid, dir): (Vec<f64>, Vec<f64>) = g
            .clone()
            .map(|d| (0.5 * (sa[d] / ca + sb[d] / cb), sa[d] / ca - sb[d] / cb))
            .unzip();
        let on_a_side = |rows: &[usize]| {
            let inside = rows
                .iter()
                .filter(|&&i| {
                    let p: f64 = (x.row(i)[g.clone()].iter().zip(&mid).zip(&dir))
                        .map(|((v, m), t)| (v - m) * t)
                        .sum();
                    p > 0.0
                })
                .count();
            inside as f64 / rows.len() as f64
        };
        let (fa, fb) = (on_a_side(members.0), on_a_side(members.1));
        a_corner &= fa >= CORNER_PURE && fb >= CORNER_COMMON;
        b_corner &= 1.0 - fb >= CORNER_PURE && 1.0 - fa >= CORNER_COMMON;
        if !(a_corner || b_corner) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::linalg::gaussian;
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Ten one-dimensional columns: 800 people in every combination of three independent
    /// yes/no answers (100 per cell) with noise elsewhere, and 40 people who answer the first
    /// question yes and stand apart in three other columns. Labels: 0 = the all-"no" corner of
    /// the 800, 1 = the rest of them, 2 = the 40.
    fn lattice_with_a_corner() -> (Dense, Vec<Option<usize>>, Vec<std::ops::Range<usize>>) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let (mut data, mut labels) = (Vec::new(), Vec::new());
        for cell in 0..8usize {
            for _ in 0..100 {
                let answers = [cell & 1, (cell >> 1) & 1, (cell >> 2) & 1];
                data.extend(answers.iter().map(|&a| a as f64));
                data.extend((3..10).map(|_| gaussian(&mut rng)));
                labels.push(Some(usize::from(cell != 0)));
            }
        }
        for _ in 0..40 {
            data.extend([
                1.0,
                f64::from(rng.r#gen::<bool>()),
                f64::from(rng.r#gen::<bool>()),
            ]);
            data.extend((3..10).map(|c| gaussian(&mut rng) + if c < 6 { 6.0 } else { 0.0 }));
            labels.push(Some(2));
        }
        let points = Dense {
            rows: labels.len(),
            cols: 10,
            data,
        };
        (points, labels, (0..10).map(|c| c..c + 1).collect())
    }

    #[test]
    fn a_corner_cut_by_independent_answers_folds_back_into_its_group() {
        let (points, mut labels, columns) = lattice_with_a_corner();
        let respects = Respects {
            features: &points,
            columns: &columns,
            latent: None,
        };
        // The corner's means differ from the rest's by more than a standard deviation in three
        // columns (the rule for respects alone would keep it) ...
        let mean = |label: usize, c: usize| {
            let rows: Vec<usize> = (0..labels.len())
                .filter(|&i| labels[i] == Some(label))
                .collect();
            rows.iter().map(|&i| points.row(i)[c]).sum::<f64>() / rows.len() as f64
        };
        let all = |c: usize| {
            (0..points.rows)
                .map(|i| points.row(i)[c])
                .collect::<Vec<_>>()
        };
        for c in 0..3 {
            let v = all(c);
            let m = v.iter().sum::<f64>() / v.len() as f64;
            let sd = (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / v.len() as f64).sqrt();
            assert!((mean(1, c) - mean(0, c)).abs() / sd > RESPECT, "column {c}");
        }
        // ... but it is only a corner of the group, and folds back; the 40 stay apart.
        let rows: Vec<usize> = (0..points.rows).collect();
        let map = merge_single_respect(&mut labels, 3, &rows, &respects);
        assert_eq!(map[0], map[1], "{map:?}");
        assert_ne!(map[2], map[1], "{map:?}");
        assert_eq!(labels.iter().flatten().max(), Some(&1));
    }

    #[test]
    fn a_group_told_apart_in_one_column_is_not_a_corner() {
        let (points, _, columns) = lattice_with_a_corner();
        let (sums, counts) = {
            let (mut s, mut n) = (vec![vec![0.0; 10]; 2], [0usize; 2]);
            for i in 0..points.rows {
                let l = usize::from(i >= 800);
                n[l] += 1;
                for (t, v) in s[l].iter_mut().zip(points.row(i)) {
                    *t += v;
                }
            }
            (s, n)
        };
        let members: (Vec<usize>, Vec<usize>) = ((0..800).collect(), (800..840).collect());
        let means = (
            &sums[0][..],
            counts[0] as f64,
            &sums[1][..],
            counts[1] as f64,
        );
        // Column 0 alone: the 40 all answer yes, as half the 800 do: a corner.
        assert!(corner(
            &points,
            &columns[0..1],
            means,
            (&members.0, &members.1)
        ));
        // With a column where the 40 stand apart, it is a segment.
        assert!(!corner(
            &points,
            &columns[0..4],
            means,
            (&members.0, &members.1)
        ));
    }
}
