//! Step 5 of the module doc, in part: clusters that are one group split by too few columns,
//! or a corner of another group, are merged back ([`merge_single_respect`]); with one or two
//! columns, clusters that are one mode of every column they differ in
//! ([`merge_without_valley`]).
//!
//! Used on the sample's clusters ([`super::segment_sample`]) and in every stability resample.
//!
//! # References
//! Silverman, B. W. (1981). Using kernel density estimates to investigate multimodality.
//! Journal of the Royal Statistical Society B 43(1).
//! Hartigan, J. A. & Hartigan, P. M. (1985). The dip test of unimodality. The Annals of
//! Statistics 13(1).
//! Freedman, D. & Diaconis, P. (1981). On the histogram as a density estimator: L2 theory.
//! Zeitschrift für Wahrscheinlichkeitstheorie und verwandte Gebiete 57.

use super::super::linalg::{Dense, Rows};

/// Which feature dimensions came from which column, so that segments can be required to
/// differ in at least two respects (see [`merge_single_respect`]).
#[derive(Debug, Clone, Copy)]
pub struct Respects<'a> {
    /// The balanced features, one row per person (all people).
    pub features: &'a dyn Rows,
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
/// corner of the other in every column they differ in are merged too; and so are two whose
/// smaller one holds no more people than the columns they differ in, taken as independent
/// among the two, put on its side of each ([`joint_excess`]; counts, amounts and ratings
/// without missing answers): a block of a lattice of independent answers.
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
    // The verdicts read every member of two clusters in the columns they differ in, for
    // about k² pairs of k clusters: a copy of the sample's rows in these columns, read as
    // slices in the same order, gives the same sums (a real file of 4,284 artworks by 701
    // artists spent half its 7.4 s here, reading the balanced features entry by entry).
    let all = respects.features.n_cols();
    let clamped: Vec<std::ops::Range<usize>> = columns
        .iter()
        .map(|g| g.start.min(all)..g.end.min(all))
        .collect();
    let (sample, columns) = sample_of(respects.features, rows, &clamped);
    let columns = columns.as_slice();
    let x = &sample;
    let rows: Vec<usize> = (0..sample.rows).collect();
    let rows = rows.as_slice();
    let dims = x.n_cols();
    let mut sum = vec![vec![0.0f64; dims]; n_clusters];
    let mut count = vec![0usize; n_clusters];
    let mut row = vec![0.0; dims];
    for (r, &i) in rows.iter().enumerate() {
        if let Some(Some(c)) = labels.get(r) {
            count[*c] += 1;
            x.read_row(i, &mut row);
            for (s, v) in sum[*c].iter_mut().zip(&row) {
                *s += v;
            }
        }
    }
    let spread = column_spread(x, rows, columns);
    // Members of each cluster, as rows of the features, for the corner test.
    let mut members = members_of(labels, rows, n_clusters);
    // Agglomerate: repeatedly merge the closest pair that differs in too few respects, with
    // means recomputed after each merge, so that lattice cells fold together without
    // chaining two different groups through a third.
    //
    // A pair's verdict in two steps: how far apart the two are and in which columns they
    // differ (their sums: every pair), then, where enough differ, the corner and excess
    // tests (every member read) only when the pair comes up as the closest left. Pairs come
    // up closest first (ties by their numbers), and a pair judged apart stays so until one
    // of its clusters takes in another: the merges, and their order, are those of judging
    // every pair again after each merge (the artworks export: 20 % of its 4.0 s in these
    // tests, most of them on pairs that merged elsewhere first).
    let apart = |a: usize, b: usize, sum: &[Vec<f64>], count: &[usize]| {
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
        (total, differ)
    };
    let mergeable =
        |a: usize,
         b: usize,
         differ: &[std::ops::Range<usize>],
         (sum, count, members): (&[Vec<f64>], &[usize], &[Vec<usize>])| {
            let (ca, cb) = (count[a].max(1) as f64, count[b].max(1) as f64);
            differ.len() < required || {
                let means = (sum[a].as_slice(), ca, sum[b].as_slice(), cb);
                corner(x, differ, means, (&members[a], &members[b]))
                    || !joint_excess(x, differ, means, (&members[a], &members[b]))
            }
        };
    let mut alive: Vec<bool> = vec![true; n_clusters];
    let mut into: Vec<usize> = (0..n_clusters).collect();
    // Each cluster's version: how many clusters it has taken in. A pair's entry is stale
    // once either of its clusters has changed or gone.
    let mut version = vec![0u32; n_clusters];
    let mut queue: std::collections::BinaryHeap<std::cmp::Reverse<Closest>> =
        std::collections::BinaryHeap::new();
    for a in 0..n_clusters {
        for b in a + 1..n_clusters {
            let (total, _) = apart(a, b, &sum, &count);
            queue.push(std::cmp::Reverse(Closest::new(total, a, b, (0, 0))));
        }
    }
    while let Some(std::cmp::Reverse(next)) = queue.pop() {
        let (a, b) = (next.a, next.b);
        if !alive[a] || !alive[b] || next.versions != (version[a], version[b]) {
            continue;
        }
        let (_, differ) = apart(a, b, &sum, &count);
        if !mergeable(a, b, &differ, (&sum, &count, &members)) {
            continue;
        }
        let moved = std::mem::take(&mut sum[b]);
        for (x, y) in sum[a].iter_mut().zip(&moved) {
            *x += y;
        }
        count[a] += count[b];
        absorb((&mut members, &mut alive, &mut into), a, b);
        version[a] += 1;
        for (o, &live) in alive.iter().enumerate() {
            if live && o != a {
                let (lo, hi) = (a.min(o), a.max(o));
                let (total, _) = apart(lo, hi, &sum, &count);
                let versions = (version[lo], version[hi]);
                queue.push(std::cmp::Reverse(Closest::new(total, lo, hi, versions)));
            }
        }
    }
    renumber(labels, &alive, &into)
}

/// Each cluster's members, as rows of the features (`labels` refer to `rows`).
fn members_of(labels: &[Option<usize>], rows: &[usize], n_clusters: usize) -> Vec<Vec<usize>> {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n_clusters];
    for (r, &i) in rows.iter().enumerate() {
        if let Some(Some(c)) = labels.get(r)
            && let Some(m) = members.get_mut(*c)
        {
            m.push(i);
        }
    }
    members
}

/// Each column's overall standard deviation among `rows` (the root of its dimensions'
/// summed variances, at least 1e-12).
fn column_spread(x: &dyn Rows, rows: &[usize], columns: &[std::ops::Range<usize>]) -> Vec<f64> {
    let dims = x.n_cols();
    let (mut all_sum, mut all_sq) = (vec![0.0f64; dims], vec![0.0f64; dims]);
    let mut row = vec![0.0; dims];
    for &i in rows {
        x.read_row(i, &mut row);
        for d in 0..dims.min(row.len()) {
            all_sum[d] += row[d];
            all_sq[d] += row[d] * row[d];
        }
    }
    let n = rows.len().max(1) as f64;
    columns
        .iter()
        .map(|g| {
            let var: f64 = g
                .clone()
                .filter(|&d| d < dims)
                .map(|d| (all_sq[d] / n - (all_sum[d] / n) * (all_sum[d] / n)).max(0.0))
                .sum();
            libm::sqrt(var).max(1e-12)
        })
        .collect()
}

/// The closest pair of live clusters that may merge (`pair[a][b]`, a < b).
fn closest_mergeable(pair: &[Vec<Pair>], alive: &[bool]) -> Option<(usize, usize)> {
    let mut best: Option<(f64, usize, usize)> = None;
    for a in (0..alive.len()).filter(|&a| alive[a]) {
        for b in (a + 1..alive.len()).filter(|&b| alive[b]) {
            let p = pair[a][b];
            if p.mergeable && best.is_none_or(|x| p.total < x.0) {
                best = Some((p.total, a, b));
            }
        }
    }
    best.map(|(_, a, b)| (a, b))
}

/// Cluster `b` merges into `a`: its members move, it dies, and whatever pointed to it points
/// to `a`.
fn absorb(
    (members, alive, into): (&mut [Vec<usize>], &mut [bool], &mut [usize]),
    a: usize,
    b: usize,
) {
    let moved = std::mem::take(&mut members[b]);
    members[a].extend(moved);
    alive[b] = false;
    for t in into.iter_mut().filter(|t| **t == b) {
        *t = a;
    }
}

/// New ids in order of the surviving clusters: relabels `labels` and returns each old
/// cluster's new id.
fn renumber(labels: &mut [Option<usize>], alive: &[bool], into: &[usize]) -> Vec<usize> {
    let mut new_id = vec![usize::MAX; alive.len()];
    for (next, c) in (0..alive.len()).filter(|&c| alive[c]).enumerate() {
        new_id[c] = next;
    }
    for c in labels.iter_mut().flatten() {
        *c = new_id[into[*c]];
    }
    (0..alive.len()).map(|c| new_id[into[c]]).collect()
}

/// How many standard errors a dip between two clusters must be deep for them to be two
/// groups in a column (see [`merge_without_valley`]): the usual 3σ of a count's noise.
const VALLEY_Z: f64 = 3.0;

/// Merges clusters that are one mode of the data, for files with one or two columns forming
/// segments, where [`merge_single_respect`] cannot ask for two respects.
///
/// Density finds a cluster per value of a count: 3,000 customers' orders, spread as orders
/// are (Poisson), stack up on whole numbers, and every stack looked like a group of its own
/// (9 segments from one column; 24 from orders beside a plan of three). Two clusters are
/// two groups in a column of one dimension — an amount, a count, a rating — only when the
/// column's histogram has a dip between them (Silverman 1981; Hartigan & Hartigan 1985, the
/// dip test, ask the same of one mode against two) deeper than its counts' noise: the
/// emptiest run of bins between the two clusters' medians, `v`, below the lower of the
/// fullest runs of as many bins on each side of it, `p`, by more than [`VALLEY_Z`] ×
/// √(p + v) (p − v is a difference of two counts, whose variance is about p + v), for runs
/// of 1, 2, 3 … bins up to the medians' distance (`Histogram::valley_between`). The
/// histogram counts the people of the sample whose other column lies where the two
/// clusters' do, in bins of the Freedman–Diaconis width (2 × IQR × n^-1/3), never narrower
/// than the data's own step: on a lattice of whole numbers a bin holds a whole number of
/// steps, so that no bin is empty only because no value falls in it; a column of few values
/// on no lattice (a count scaled by its logarithm) has a bin per value and a bin per whole
/// step of a wider gap (`Histogram::of`). Columns of several dimensions (categories, free text) and answers
/// with two values (yes/no) tell clusters apart as in [`merge_single_respect`]: by their means,
/// more than [`RESPECT`] standard deviations apart. A pair that differs in no column merges,
/// closest pair first, until none is left.
pub fn merge_without_valley(
    labels: &mut [Option<usize>],
    n_clusters: usize,
    rows: &[usize],
    respects: &Respects<'_>,
) -> Vec<usize> {
    let identity: Vec<usize> = (0..n_clusters).collect();
    let dims = respects.features.n_cols();
    let columns: Vec<std::ops::Range<usize>> = respects
        .columns
        .iter()
        .map(|g| g.start.min(dims)..g.end.min(dims))
        .filter(|g| !g.is_empty())
        .collect();
    if n_clusters < 2 || columns.is_empty() || columns.len() > 2 {
        return identity;
    }
    // Every verdict reads the sample's values of these columns again, about k² of them for k
    // clusters: a real file of 21,000 earnings beside a year took 10 s here, most of it
    // reading the balanced features entry by entry. A copy of the sample's rows in these
    // columns, read in the same order, gives the same sums.
    let (sample, columns) = sample_of(respects.features, rows, &columns);
    let x: &dyn Rows = &sample;
    let rows: Vec<usize> = (0..sample.rows).collect();
    let rows = rows.as_slice();
    // A column of one dimension with three values or more is judged by its histogram.
    let histograms: Vec<Option<Histogram>> = columns
        .iter()
        .enumerate()
        .map(|(c, g)| {
            let mut h = (g.len() == 1)
                .then(|| Histogram::of(x, rows, g.start))
                .flatten()?;
            h.index_other(x, rows, columns.get(1 - c).cloned().unwrap_or(0..0));
            Some(h)
        })
        .collect();
    let spread = column_spread(x, rows, &columns);
    let mut members = members_of(labels, rows, n_clusters);
    // Each cluster's means, medians and box, kept until it grows: read again for every pair,
    // a free-text column's 33 dimensions over 3,000 people took 10 s (an NPS tool's score
    // and comment).
    let summary_of = |m: &[usize]| Summary::of(x, m, sample.cols);
    let mut summaries: Vec<Summary> = members.iter().map(|m| summary_of(m)).collect();
    // Whether two clusters differ, and how far apart they are (closest pairs merge first).
    let verdict = |a: &Summary, b: &Summary| -> Pair {
        if a.size == 0 || b.size == 0 {
            return Pair {
                mergeable: false,
                total: f64::INFINITY,
            };
        }
        let mut total = 0.0;
        let mut differ = false;
        for (c, g) in columns.iter().enumerate() {
            let d2: f64 = g.clone().map(|d| (a.mean(d) - b.mean(d)).powi(2)).sum();
            let z = libm::sqrt(d2) / spread[c];
            total += z;
            differ = differ
                || match &histograms[c] {
                    Some(h) => {
                        let others = columns.get(1 - c).cloned().unwrap_or(0..0);
                        let span = others.map(|o| a.span_with(b, o)).collect::<Vec<_>>();
                        h.valley_of(x, rows, (a.median(h.dim), b.median(h.dim)), &span)
                    }
                    None => z > RESPECT,
                };
        }
        Pair {
            mergeable: !differ,
            total,
        }
    };
    let unset = Pair {
        mergeable: false,
        total: f64::INFINITY,
    };
    let mut pair = vec![vec![unset; n_clusters]; n_clusters];
    for a in 0..n_clusters {
        for b in a + 1..n_clusters {
            pair[a][b] = verdict(&summaries[a], &summaries[b]);
        }
    }
    let mut alive = vec![true; n_clusters];
    let mut into: Vec<usize> = (0..n_clusters).collect();
    while let Some((a, b)) = closest_mergeable(&pair, &alive) {
        absorb((&mut members, &mut alive, &mut into), a, b);
        summaries[a] = summary_of(&members[a]);
        for o in (0..n_clusters).filter(|&o| alive[o] && o != a) {
            let (lo, hi) = (a.min(o), a.max(o));
            pair[lo][hi] = verdict(&summaries[lo], &summaries[hi]);
        }
    }
    renumber(labels, &alive, &into)
}

/// What [`merge_without_valley`] reads of a cluster, per dimension: its mean, its median and
/// the range its values span, each as a scan of its members in order gives it.
struct Summary {
    size: usize,
    means: Vec<f64>,
    medians: Vec<f64>,
    lo: Vec<f64>,
    hi: Vec<f64>,
}

impl Summary {
    fn of(x: &dyn Rows, members: &[usize], dims: usize) -> Summary {
        let mut summary = Summary {
            size: members.len(),
            means: Vec::with_capacity(dims),
            medians: Vec::with_capacity(dims),
            lo: Vec::with_capacity(dims),
            hi: Vec::with_capacity(dims),
        };
        let mut v: Vec<f64> = Vec::with_capacity(members.len());
        for d in 0..dims {
            v.clear();
            v.extend(members.iter().map(|&i| x.value(i, d)));
            summary
                .means
                .push(v.iter().sum::<f64>() / members.len() as f64);
            let (lo, hi) = v
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                });
            summary.lo.push(lo);
            summary.hi.push(hi);
            let mid = v.len() / 2;
            let median = if v.is_empty() {
                f64::NAN
            } else {
                *v.select_nth_unstable_by(mid, f64::total_cmp).1
            };
            summary.medians.push(median);
        }
        summary
    }

    fn mean(&self, d: usize) -> f64 {
        self.means.get(d).copied().unwrap_or(f64::NAN)
    }

    fn median(&self, d: usize) -> f64 {
        self.medians.get(d).copied().unwrap_or(f64::NAN)
    }

    /// The range this cluster and `other` span together in dimension `d`.
    fn span_with(&self, other: &Summary, d: usize) -> (usize, f64, f64) {
        let at = |v: &[f64], or: f64| v.get(d).copied().unwrap_or(or);
        (
            d,
            at(&self.lo, f64::INFINITY).min(at(&other.lo, f64::INFINITY)),
            at(&self.hi, f64::NEG_INFINITY).max(at(&other.hi, f64::NEG_INFINITY)),
        )
    }
}

/// The sample's `rows` of `x` in the dimensions of `columns`, one row each in `rows` order,
/// and `columns` renumbered into it.
fn sample_of(
    x: &dyn Rows,
    rows: &[usize],
    columns: &[std::ops::Range<usize>],
) -> (Dense, Vec<std::ops::Range<usize>>) {
    let dims: Vec<usize> = columns.iter().flat_map(|g| g.clone()).collect();
    let mut sample = Dense::zeros(rows.len(), dims.len());
    for (r, &i) in rows.iter().enumerate() {
        for (out, &d) in sample.row_mut(r).iter_mut().zip(&dims) {
            *out = x.value(i, d);
        }
    }
    let mut start = 0;
    let renumbered = columns
        .iter()
        .map(|g| {
            let range = start..start + g.len();
            start += g.len();
            range
        })
        .collect();
    (sample, renumbered)
}

/// The bins of one feature dimension over the sample (see [`merge_without_valley`]).
struct Histogram {
    /// The dimension.
    dim: usize,
    /// How a value finds its bin.
    edges: Bins,
    /// Each sample row's bin (`rows` order).
    bin: Vec<u32>,
    bins: usize,
    /// Each bin's values of the other column, in increasing order, where it has one
    /// dimension and there are fewer bins than rows ([`Histogram::index_other`]).
    other: Option<Vec<Vec<f64>>>,
    /// Where the other column has several dimensions (free text's meaning): the sample's
    /// distinct rows, each read once with its count ([`Histogram::index_other`]).
    distinct: Option<Distinct>,
}

/// The sample's distinct rows in the other column's dimensions, with their bin in this one.
struct Distinct {
    /// The other column's first dimension.
    first: usize,
    /// Its number of dimensions: each distinct row's values, one after the other.
    width: usize,
    values: Vec<f64>,
    bins: Vec<u32>,
    /// Sample rows alike in this bin and in every dimension of the other column.
    counts: Vec<f64>,
}

/// Bins of equal width, or one bin per value the column takes.
enum Bins {
    /// The lower edge of the first bin, and the bins' width.
    Width { start: f64, width: f64 },
    /// The column's distinct values, in increasing order, and the bin of each.
    Levels(Vec<f64>, Vec<usize>),
}

impl Histogram {
    /// Bins of the Freedman–Diaconis width, never narrower than the data's own step, and a
    /// whole number of steps on a lattice; `None` for fewer than three distinct values, or
    /// more than 4n bins.
    ///
    /// A column of few distinct values that is no lattice — a count with a long tail, scaled
    /// by its logarithm, whose values 0, 1, 2 … lie ever closer together — has one bin per
    /// value, and a gap between two values as many empty bins as it spans steps beyond one,
    /// the step there being the geometric mean of the gaps beside it (at either end, their
    /// progression carried one further): the scale's gaps
    /// between 0 and 1 and between 1 and 2 were wider than a bin, and bins no value can
    /// fall in are no dip (orders beside a plan, with forty heavy buyers among 3,000, came
    /// out as 25 segments, one per cell of small orders), while nobody between 10 and 19
    /// orders is. Few means no more than √n values, so that their bins hold about √n people
    /// each.
    fn of(x: &dyn Rows, rows: &[usize], dim: usize) -> Option<Histogram> {
        let mut values: Vec<f64> = rows.iter().map(|&i| x.value(i, dim)).collect();
        if values.iter().any(|v| !v.is_finite()) {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let gaps: Vec<f64> = values
            .windows(2)
            .map(|w| w[1] - w[0])
            .filter(|&g| g > 0.0)
            .collect();
        if gaps.len() < 2 {
            return None;
        }
        let step = gaps.iter().copied().fold(f64::INFINITY, f64::min);
        let lattice = gaps.iter().all(|&g| {
            let k = libm::round(g / step);
            (g - k * step).abs() <= 1e-6 * g
        });
        let (first, last) = (values[0], values[n - 1]);
        let distinct = gaps.len() + 1;
        let edges = if !lattice && distinct * distinct <= n {
            values.dedup();
            let mut bin = Vec::with_capacity(values.len());
            let mut at = 0;
            bin.push(at);
            for (k, &g) in gaps.iter().enumerate() {
                let gap = |j: Option<usize>| j.and_then(|j| gaps.get(j)).copied();
                let before = gap(k.checked_sub(1));
                let after = gap(Some(k + 1));
                // At either end, the steps' progression carried one further.
                let step = match (before, after) {
                    (Some(b), Some(a)) => libm::sqrt(a) * libm::sqrt(b),
                    (Some(b), None) => gap(k.checked_sub(2)).map_or(b, |bb| b * b / bb),
                    (None, Some(a)) => gap(Some(k + 2)).map_or(a, |aa| a * a / aa),
                    (None, None) => g,
                };
                at += (libm::round(g / step) as usize).clamp(1, n);
                bin.push(at);
            }
            Bins::Levels(values, bin)
        } else {
            let q = |p: f64| values[libm::round((n - 1) as f64 * p) as usize];
            let fd = 2.0 * (q(0.75) - q(0.25)) / libm::cbrt(n as f64);
            let width = if lattice {
                step * libm::ceil(fd / step).max(1.0)
            } else {
                fd.max(step)
            };
            Bins::Width {
                start: first - width / 2.0,
                width,
            }
        };
        let bins = match &edges {
            Bins::Levels(_, bin) => bin.last().map_or(0, |&b| b + 1),
            Bins::Width { start, width } => libm::floor((last - start) / width) as usize + 1,
        };
        if bins > 4 * n {
            return None;
        }
        let mut histogram = Histogram {
            dim,
            edges,
            bin: Vec::new(),
            bins,
            other: None,
            distinct: None,
        };
        histogram.bin = rows
            .iter()
            .map(|&i| histogram.place(x.value(i, dim)) as u32)
            .collect();
        Some(histogram)
    }

    /// Sorts each bin's values of the `others` column, when it has one dimension (or none),
    /// its values are all finite, and there are fewer bins than rows: a verdict then counts
    /// a bin's people within a range by two binary searches, not by reading every row again
    /// (the same counts: a real file of 21,000 earnings beside a year took 9 s of verdicts).
    fn index_other(&mut self, x: &dyn Rows, rows: &[usize], others: std::ops::Range<usize>) {
        if others.len() > 1 {
            // Free text's people who gave one answer and one rating are one row, counted:
            // 3,000 answers of 40 sentences and 11 scores are 440 rows to read per pair.
            let width = others.len();
            let mut at: std::collections::HashMap<(u32, Vec<u64>), usize> =
                std::collections::HashMap::new();
            let mut distinct = Distinct {
                first: others.start,
                width,
                values: Vec::new(),
                bins: Vec::new(),
                counts: Vec::new(),
            };
            for (r, &i) in rows.iter().enumerate() {
                let bin = self.bin.get(r).copied().unwrap_or(u32::MAX);
                let values: Vec<f64> = others.clone().map(|o| x.value(i, o)).collect();
                let key = (bin, values.iter().map(|v| v.to_bits()).collect());
                let k = *at.entry(key).or_insert_with(|| {
                    distinct.values.extend(&values);
                    distinct.bins.push(bin);
                    distinct.counts.push(0.0);
                    distinct.counts.len() - 1
                });
                if let Some(count) = distinct.counts.get_mut(k) {
                    *count += 1.0;
                }
            }
            self.distinct = Some(distinct);
            return;
        }
        if self.bins >= rows.len() {
            return;
        }
        let mut by_bin: Vec<Vec<f64>> = vec![Vec::new(); self.bins];
        for (r, &i) in rows.iter().enumerate() {
            let v = others.clone().next().map_or(0.0, |o| x.value(i, o));
            if !v.is_finite() {
                return;
            }
            if let Some(values) = by_bin.get_mut(self.bin[r] as usize) {
                values.push(v);
            }
        }
        for values in &mut by_bin {
            values.sort_by(f64::total_cmp);
        }
        self.other = Some(by_bin);
    }

    /// The bin of value `v`.
    fn place(&self, v: f64) -> usize {
        let bin = match &self.edges {
            Bins::Width { start, width } => libm::floor((v - start) / width).max(0.0) as usize,
            Bins::Levels(levels, bin) => {
                let k = levels.partition_point(|&l| l < v);
                bin.get(k).or(bin.last()).copied().unwrap_or(0)
            }
        };
        bin.min(self.bins - 1)
    }

    /// Whether the histogram has a dip deeper than its noise between the medians of
    /// clusters `pair` (rows of `x`), counting the people of `rows` whose `others` columns lie
    /// within the range the two clusters span there.
    ///
    /// The dip is looked for at several scales: runs of 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15 …
    /// bins (each a quarter longer than the last), up to the distance between the medians. A
    /// small group far out spreads thinly over many bins — forty heavy buyers with 13 to 36
    /// orders, one to four on each value, beside customers with 0 to 11 — and no single bin
    /// of theirs stands out from the sparse bins before them, while six bins of theirs (16)
    /// do against six there (2). The valley's run lies between the two medians; each peak's
    /// run is the fullest on its side, wherever it lies. Every length is held to the same
    /// 3σ, so the lengths together find a dip a little more often than one would; on the
    /// real exports, the R datasets and the independent lattice draws of BENCHMARKS.md no
    /// segment changed but where a count was scaled by its logarithm.
    #[cfg(test)]
    fn valley_between(
        &self,
        x: &dyn Rows,
        rows: &[usize],
        others: std::ops::Range<usize>,
        pair: (&[usize], &[usize]),
    ) -> bool {
        let dims = x.n_cols();
        let (a, b) = (Summary::of(x, pair.0, dims), Summary::of(x, pair.1, dims));
        let span: Vec<(usize, f64, f64)> = others.map(|o| a.span_with(&b, o)).collect();
        self.valley_of(x, rows, (a.median(self.dim), b.median(self.dim)), &span)
    }

    /// [`Histogram::valley_between`] two clusters given their medians in this dimension and
    /// the range they span together in the other column's dimensions.
    fn valley_of(
        &self,
        x: &dyn Rows,
        rows: &[usize],
        (median_a, median_b): (f64, f64),
        span: &[(usize, f64, f64)],
    ) -> bool {
        let (ma, mb) = (self.place(median_a), self.place(median_b));
        let (lo, hi) = (ma.min(mb), ma.max(mb));
        if hi <= lo + 1 {
            return false;
        }
        let counts: Vec<f64> = match (&self.other, span) {
            (Some(by_bin), []) => by_bin.iter().map(|v| v.len() as f64).collect(),
            (Some(by_bin), [(_, l, h)]) => by_bin
                .iter()
                .map(|v| {
                    let below = v.partition_point(|u| u < l);
                    v.partition_point(|u| u <= h).saturating_sub(below) as f64
                })
                .collect(),
            (_, span) if let Some(d) = &self.distinct => {
                let mut counts = vec![0.0f64; self.bins];
                for ((row, &bin), &n) in d.values.chunks(d.width.max(1)).zip(&d.bins).zip(&d.counts)
                {
                    if let Some(count) = counts.get_mut(bin as usize)
                        && span.iter().all(|&(o, l, h)| {
                            row.get(o.wrapping_sub(d.first))
                                .is_some_and(|v| (l..=h).contains(v))
                        })
                    {
                        *count += n;
                    }
                }
                counts
            }
            _ => {
                let mut counts = vec![0.0f64; self.bins];
                for (r, &i) in rows.iter().enumerate() {
                    if let Some(count) = counts.get_mut(self.bin[r] as usize)
                        && span
                            .iter()
                            .all(|&(o, l, h)| (l..=h).contains(&x.value(i, o)))
                    {
                        *count += 1.0;
                    }
                }
                counts
            }
        };
        // Counts of bins 0..b at `b`, so that a run's count is one subtraction (whole
        // numbers: exact).
        let mut before = Vec::with_capacity(counts.len() + 1);
        before.push(0.0);
        for c in &counts {
            before.push(before.last().copied().unwrap_or(0.0) + c);
        }
        let mut run = 1;
        while run < hi - lo {
            if dip(&before, run, (lo, hi)) {
                return true;
            }
            run = (run + 1).max(run * 5 / 4);
        }
        false
    }
}

/// Whether the counts over runs of `run` bins have a dip deeper than their noise (see
/// [`merge_without_valley`]): the emptiest run lying wholly between bins `lo` and `hi` (both
/// left out) below the fullest run starting before it and the fullest starting after it
/// (either may overlap it, which only makes the test stricter) by more than [`VALLEY_Z`] ×
/// √(peak + valley). `before[b]` is the count of bins `0..b`.
fn dip(before: &[f64], run: usize, (lo, hi): (usize, usize)) -> bool {
    let runs = before.len().saturating_sub(run);
    let sum = |j: usize| before[j + run] - before[j];
    let Some((j, valley)) = (lo + 1..=hi.saturating_sub(run))
        .filter(|&j| j < runs)
        .map(|j| (j, sum(j)))
        .min_by(|p, q| p.1.total_cmp(&q.1))
    else {
        return false;
    };
    let left = (0..j).map(sum).fold(0.0, f64::max);
    let right = (j + 1..runs).map(sum).fold(0.0, f64::max);
    let peak = left.min(right);
    peak - valley > VALLEY_Z * libm::sqrt(peak + valley)
}

/// A pair of clusters in the queue of [`merge_single_respect`], ordered by how far apart
/// they are, then by their numbers (as a scan of every pair in order takes the first of the
/// closest).
#[derive(Debug, Clone, Copy)]
struct Closest {
    total: f64,
    a: usize,
    b: usize,
    /// The clusters' versions when the pair was judged.
    versions: (u32, u32),
}

impl Closest {
    fn new(total: f64, a: usize, b: usize, versions: (u32, u32)) -> Closest {
        Closest {
            total,
            a,
            b,
            versions,
        }
    }

    fn key(&self) -> (f64, usize, usize) {
        (self.total, self.a, self.b)
    }
}

impl PartialEq for Closest {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for Closest {}

impl PartialOrd for Closest {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Closest {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let (t, a, b) = self.key();
        let (u, c, d) = other.key();
        t.total_cmp(&u)
            .then(a.cmp(&c))
            .then(b.cmp(&d))
            .then(self.versions.cmp(&other.versions))
    }
}

/// One pair of clusters, as [`merge_without_valley`] judges it.
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
                    let p: f64 = (x
                        .row(i)
                        .get(g.clone())
                        .unwrap_or_default()
                        .iter()
                        .zip(&mid)
                        .zip(&dir))
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

/// Whether the smaller of two clusters holds more of their people than independent columns
/// would put where it lies: of everyone in the two, those on the smaller cluster's side of
/// the midpoint between the means in every column of `differ`, against the product of the
/// shares on that side column by column, by more than [`VALLEY_Z`] standard errors of a
/// count (√ of the expected one). Only columns of one feature dimension (numbers, counts and
/// ratings without missing answers) are judged so; with a column of several dimensions among
/// `differ` (categories, yes/no answers, free text, a column with missing answers) the answer
/// is yes, and [`corner`] alone decides. So it is when the smaller cluster has no more
/// members on its side of every column than the count's noise: even all of them could not
/// show an excess (by this arithmetic, not a run: 30 people at 5 of 5 in two ratings beside
/// 5,000 of whom 15 % gave 5 to each would otherwise merge, where [`corner`] keeps them, the
/// large cluster's share on their side being below [`CORNER_COMMON`]).
///
/// On a lattice of answers drawn independently (orders, visits and a rating), density cuts
/// blocks out of the one group, such as everyone with many visits and a high rating: such a
/// block differs from the rest by over a standard deviation in two columns and is not pure
/// enough on either side to be a [`corner`], yet it holds only as many people as the two
/// columns' own shares predict. A group of its own adds people where it lies.
fn joint_excess(
    x: &Dense,
    differ: &[std::ops::Range<usize>],
    means: (&[f64], f64, &[f64], f64),
    members: (&[usize], &[usize]),
) -> bool {
    let total = members.0.len() + members.1.len();
    if differ.is_empty() || total == 0 || differ.iter().any(|g| g.len() != 1) {
        return true;
    }
    // The smaller cluster's side of each column: beyond the midpoint between the two means,
    // towards its own.
    let (sa, ca, sb, cb) = means;
    let a_smaller = members.0.len() <= members.1.len();
    let (small, small_n, large, large_n) = if a_smaller {
        (sa, ca, sb, cb)
    } else {
        (sb, cb, sa, ca)
    };
    let sides: Vec<(usize, f64, f64)> = differ
        .iter()
        .map(|g| {
            let d = g.start;
            let (s, l) = (small[d] / small_n, large[d] / large_n);
            (d, 0.5 * (s + l), s - l)
        })
        .collect();
    // Per column, everyone of the two on the smaller cluster's side; on it in every column,
    // everyone and the smaller cluster's own members.
    let mut on_side = vec![0usize; sides.len()];
    let (mut in_all, mut own_in_all) = (0usize, 0usize);
    let smaller_first = members.0.len();
    for (k, &i) in members.0.iter().chain(members.1).enumerate() {
        let own = (k < smaller_first) == a_smaller;
        let mut all = true;
        for (c, &(d, mid, dir)) in sides.iter().enumerate() {
            if let Some(&v) = x.row(i).get(d)
                && (v - mid) * dir > 0.0
            {
                on_side[c] += 1;
            } else {
                all = false;
            }
        }
        in_all += usize::from(all);
        own_in_all += usize::from(all && own);
    }
    let n = total as f64;
    let expected = on_side.iter().fold(n, |e, &c| e * c as f64 / n);
    let noise = VALLEY_Z * libm::sqrt(expected.max(1.0));
    // A cluster with fewer members on its side than the noise of that count could not show
    // an excess even if every one of them were one: the test cannot tell, and [`corner`]
    // alone decides (30 people at 5 of 5 in two ratings, beside 5,000 of whom 15 % gave 5 to
    // each: 121 expected there, noise 33).
    own_in_all as f64 <= noise || in_all as f64 - expected > noise
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::linalg::{Dense, gaussian};
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

    /// Two answers 0–9 drawn independently for 3,000 people: a block of those who gave 8 or 9
    /// to both, with fuzzy edges as density cuts them (80 others with it), holds as many
    /// people as the answers' own shares predict, so it is no group of its own; with 200 more
    /// people who gave 8 or 9 to both, it holds more than chance allows, and is one.
    #[test]
    fn a_block_of_independent_answers_holds_no_more_than_their_shares_predict() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(4);
        let mut data: Vec<f64> = (0..2 * 3000)
            .map(|_| f64::from(rng.gen_range(0..10u8)))
            .collect();
        let split = |data: &[f64]| -> (Dense, Vec<usize>, Vec<usize>) {
            let points = Dense {
                rows: data.len() / 2,
                cols: 2,
                data: data.to_vec(),
            };
            let top = |i: usize| points.row(i).iter().all(|&v| v >= 8.0);
            let fuzz: Vec<usize> = (0..points.rows).filter(|&i| !top(i)).take(80).collect();
            let (block, rest): (Vec<usize>, Vec<usize>) =
                (0..points.rows).partition(|&i| top(i) || fuzz.contains(&i));
            (points, rest, block)
        };
        let verdict = |points: &Dense, rest: &[usize], block: &[usize]| {
            let sum = |m: &[usize]| -> Vec<f64> {
                (0..2)
                    .map(|d| m.iter().map(|&i| points.row(i)[d]).sum())
                    .collect()
            };
            let (sa, sb) = (sum(rest), sum(block));
            let means = (&sa[..], rest.len() as f64, &sb[..], block.len() as f64);
            joint_excess(points, &[0..1, 1..2], means, (rest, block))
        };
        let (points, rest, block) = split(&data);
        assert!(
            !verdict(&points, &rest, &block),
            "{} in the block",
            block.len()
        );
        // Twenty people at 9 and 9 are fewer than the noise of the count on their side (about
        // 270 there): the test cannot tell, and leaves them to the corner rule.
        let mut few = data.clone();
        few.extend(std::iter::repeat_n(9.0, 2 * 20));
        let points_few = Dense {
            rows: few.len() / 2,
            cols: 2,
            data: few,
        };
        let group: Vec<usize> = (3000..3020).collect();
        let everyone_else: Vec<usize> = (0..3000).collect();
        assert!(
            verdict(&points_few, &everyone_else, &group),
            "left to the corner rule"
        );
        for _ in 0..200 {
            data.extend([
                f64::from(rng.gen_range(8..10u8)),
                f64::from(rng.gen_range(8..10u8)),
            ]);
        }
        let (points, rest, block) = split(&data);
        assert!(
            verdict(&points, &rest, &block),
            "{} in the block",
            block.len()
        );
    }

    /// One column of counts, every value's stack a cluster: `freq[v]` people with count `v`.
    fn stacks(freq: &[usize]) -> (Dense, Vec<Option<usize>>) {
        let (mut data, mut labels) = (Vec::new(), Vec::new());
        for (v, &f) in freq.iter().enumerate() {
            data.extend(std::iter::repeat_n(v as f64 / 2.0, f));
            labels.extend(std::iter::repeat_n(Some(v), f));
        }
        let rows = labels.len();
        (
            Dense {
                rows,
                cols: 1,
                data,
            },
            labels,
        )
    }

    #[test]
    fn stacks_of_one_mode_are_one_group_and_a_dip_between_two_modes_keeps_two() {
        let one_mode = [50, 150, 220, 220, 170, 100, 50, 20];
        let two_modes = [50, 150, 150, 50, 3, 2, 1, 2, 40, 120, 120, 40];
        for (freq, groups) in [(&one_mode[..], 1), (&two_modes[..], 2)] {
            let (points, mut labels) = stacks(freq);
            let column = 0..1;
            let respects = Respects {
                features: &points,
                columns: std::slice::from_ref(&column),
                latent: None,
            };
            let rows: Vec<usize> = (0..points.rows).collect();
            let map = merge_without_valley(&mut labels, freq.len(), &rows, &respects);
            let n = map.iter().max().map_or(0, |m| m + 1);
            assert_eq!(n, groups, "{freq:?}: {map:?}");
            // The two modes part at the dip.
            if groups == 2 {
                assert!(map[..4].iter().all(|&g| g == map[0]), "{map:?}");
                assert!(
                    map[8..].iter().all(|&g| g == map[8] && g != map[0]),
                    "{map:?}"
                );
            }
        }
    }

    /// A count with a long tail is scaled by its logarithm (`features::numeric_features`),
    /// where its whole numbers lie ever closer together. Binned by width, the gaps between
    /// 0, 1 and 2 were empty bins, dips that are none: the stacks of one mode stayed apart
    /// (orders beside a plan: 25 segments). One bin per value, and a gap as many bins as
    /// whole numbers it spans: one mode is one group, and seventeen heavy buyers beyond ten
    /// whole numbers nobody has are another.
    #[test]
    fn a_count_scaled_by_its_logarithm_keeps_its_whole_numbers() {
        let mass = [45, 136, 226, 208, 157, 98, 54, 25, 13, 2];
        let heavy = [
            (20, 2),
            (21, 2),
            (22, 1),
            (24, 4),
            (25, 3),
            (26, 2),
            (27, 1),
            (33, 2),
        ];
        for with_heavy in [false, true] {
            let (mut data, mut labels) = (Vec::new(), Vec::new());
            for (v, &f) in mass.iter().enumerate() {
                data.extend(std::iter::repeat_n(libm::log1p(v as f64), f));
                labels.extend(std::iter::repeat_n(Some(v), f));
            }
            let heavy = if with_heavy { &heavy[..] } else { &[] };
            for &(v, f) in heavy {
                data.extend(std::iter::repeat_n(libm::log1p(f64::from(v)), f));
                labels.extend(std::iter::repeat_n(Some(mass.len()), f));
            }
            let rows = labels.len();
            let points = Dense {
                rows,
                cols: 1,
                data,
            };
            let column = 0..1;
            let respects = Respects {
                features: &points,
                columns: std::slice::from_ref(&column),
                latent: None,
            };
            let clusters = mass.len() + usize::from(with_heavy);
            let all: Vec<usize> = (0..rows).collect();
            let map = merge_without_valley(&mut labels, clusters, &all, &respects);
            assert!(map[..mass.len()].iter().all(|&g| g == 0), "{map:?}");
            if with_heavy {
                assert_eq!(map[mass.len()], 1, "{map:?}");
            }
        }
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

    /// A verdict counts the same people whether it reads every row or the bins' sorted
    /// values of the other column: an amount beside a year, pairs of clusters of many sizes
    /// and ranges, on a lattice and off it.
    #[test]
    fn the_bins_sorted_by_the_other_column_count_as_reading_every_row() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        for lattice in [false, true] {
            let n = 3_000;
            let mut data = Vec::with_capacity(2 * n);
            for _ in 0..n {
                let amount: f64 = if rng.r#gen::<f64>() < 0.7 {
                    20.0 + 5.0 * gaussian(&mut rng)
                } else {
                    60.0 + 8.0 * gaussian(&mut rng)
                };
                let amount = if lattice { amount.round() } else { amount };
                let year = f64::from(rng.gen_range(1992u32..=2004));
                data.extend([amount, year]);
            }
            let x = Dense {
                rows: n,
                cols: 2,
                data,
            };
            let rows: Vec<usize> = (0..n).collect();
            let plain = Histogram::of(&x, &rows, 0).expect("a histogram");
            let mut indexed = Histogram::of(&x, &rows, 0).expect("a histogram");
            indexed.index_other(&x, &rows, 1..2);
            assert!(indexed.other.is_some());
            let (mut same, mut dips) = (0, 0);
            for _ in 0..400 {
                // Two clusters: people in an amount range and a year range each.
                let mut cluster = || -> Vec<usize> {
                    let (lo, width) = (rng.gen_range(0.0..80.0), rng.gen_range(1.0..30.0));
                    let (y0, y1) = (rng.gen_range(1992.0..2004.0), rng.gen_range(0.0..6.0));
                    rows.iter()
                        .copied()
                        .filter(|&i| {
                            let (a, y) = (x.get(i, 0), x.get(i, 1));
                            (lo..lo + width).contains(&a) && (y0..=y0 + y1).contains(&y)
                        })
                        .collect()
                };
                let (a, b) = (cluster(), cluster());
                if a.is_empty() || b.is_empty() {
                    continue;
                }
                let read = plain.valley_between(&x, &rows, 1..2, (&a, &b));
                let sorted = indexed.valley_between(&x, &rows, 1..2, (&a, &b));
                assert_eq!(read, sorted);
                same += 1;
                dips += usize::from(read);
                // And with no other column.
                assert_eq!(
                    plain.valley_between(&x, &rows, 0..0, (&a, &b)),
                    indexed.valley_between(&x, &rows, 0..0, (&a, &b))
                );
            }
            // Both answers came up, often.
            assert!(same > 100 && dips > 10 && dips < same - 10, "{same} {dips}");
        }
    }

    /// A free-text column's several dimensions beside a rating: the sample's distinct rows,
    /// each counted once with its people, count as reading every row, pair after pair
    /// (an NPS tool's score and comment: 40 sentences and 11 scores among 3,000 people).
    #[test]
    fn distinct_rows_of_a_wide_other_column_count_as_reading_every_row() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        let n = 3_000;
        let sentences: Vec<[f64; 3]> = (0..40)
            .map(|_| [gaussian(&mut rng), gaussian(&mut rng), gaussian(&mut rng)])
            .collect();
        let mut data = Vec::with_capacity(4 * n);
        for _ in 0..n {
            let score = if rng.r#gen::<f64>() < 0.6 {
                rng.gen_range(8..=10)
            } else {
                rng.gen_range(0..=6)
            };
            let s = sentences[rng.gen_range(0..40)];
            data.extend([f64::from(score), s[0], s[1], s[2]]);
        }
        let x = Dense {
            rows: n,
            cols: 4,
            data,
        };
        let rows: Vec<usize> = (0..n).collect();
        let plain = Histogram::of(&x, &rows, 0).expect("a histogram");
        let mut indexed = Histogram::of(&x, &rows, 0).expect("a histogram");
        indexed.index_other(&x, &rows, 1..4);
        let distinct = indexed.distinct.as_ref().expect("distinct rows");
        assert!(
            distinct.counts.len() <= 11 * 40,
            "{}",
            distinct.counts.len()
        );
        let (mut same, mut dips) = (0, 0);
        for _ in 0..400 {
            // Two clusters: people in a score range and near a sentence each.
            let mut cluster = || -> Vec<usize> {
                let (lo, width) = (rng.gen_range(0..=10), rng.gen_range(0..=4));
                let (t0, t1) = (rng.gen_range(-2.0..1.0), rng.gen_range(0.5..3.0));
                rows.iter()
                    .copied()
                    .filter(|&i| {
                        let (v, t) = (x.get(i, 0), x.get(i, 1));
                        (f64::from(lo)..=f64::from(lo + width)).contains(&v)
                            && (t0..t0 + t1).contains(&t)
                    })
                    .collect()
            };
            let (a, b) = (cluster(), cluster());
            if a.is_empty() || b.is_empty() {
                continue;
            }
            let read = plain.valley_between(&x, &rows, 1..4, (&a, &b));
            assert_eq!(read, indexed.valley_between(&x, &rows, 1..4, (&a, &b)));
            same += 1;
            dips += usize::from(read);
        }
        assert!(same > 100 && dips > 10 && dips < same - 10, "{same} {dips}");
    }
}
