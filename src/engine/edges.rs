//! Edge scores and reasons: how far each person is from everyone, and why, in plain words.
//!
//! The parts of the score are measured in one unit — standard deviations, *z* — so that a
//! score says how unusual someone is, not only where they rank:
//! * **local sparsity** — the distance to their 15th nearest neighbour, the k-nearest-neighbour
//!   outlier score of Ramaswamy, Rastogi & Shim (2000), as a robust z of its logarithm among
//!   everyone (its spread never narrower than the 90th percentile says, as ties among the
//!   distances of a file of ratings make the MAD a rounding error, nor than that distance
//!   varies by chance among people spread evenly, Loftsgaarden & Quesenberry 1965): sparse
//!   surroundings mean an unusual person;
//! * **atypicality** — how unusual their own values are: for numbers, a robust z on the
//!   column's working scale (logarithmic when heavy-tailed), with the spread taken from the
//!   tail on the value's side (the 1st or 99th percentile for everyone, the 5th or 95th for
//!   a segment, so a skewed column is judged by its own tail), against everyone and against
//!   their own segment, and never clipped —
//!   803,262 API calls where the busiest accounts make 140,000 is an extreme, not one more
//!   "10"; for labels, words and columns of a few levels (ratings), the z of their rarity:
//!   the share of people whose label (or rarest word, or value on that side) is at least as
//!   rare, as a one-sided normal tail (0.1 % → z 3.1) — so a company name nobody else has is
//!   no surprise in a column of names, and the top of a 1–5 scale is no extreme. The three
//!   most unusual facts combine through the χ² tail of their squared z's (`combined_z`);
//! * **fit** — how badly their discrete answers go *together*: the surprise of their answers
//!   under the segments taken as latent classes (`fit_z`), as the z of how often people drawn
//!   from those classes themselves are as surprising (a parametric bootstrap; Efron &
//!   Tibshirani 1993). Someone who answers a choices-only survey at random has no rare
//!   answer but a combination no segment gives (planted random answerers in the top 2×: 7 →
//!   14 of 15 at 5,000 rows, 24–27 → 50–52 of 60 at 20,000), while in a file of answers
//!   drawn independently the least fitting of 3,000 is as rare as 1 in 3,000 and no more.
//!   Fit ranks people but never by itself makes a lone outlier. It is a self-contained job
//!   ([`FitJob`]): in the browser the helper worker judges it while the worker judges
//!   everyone's facts ([`assess_but_fit`], then [`Assessment::add_fit`]).
//!
//! The largest of the three, *z*, becomes the score `u² / (1 + u²)` with `u = (z − 2) / 3` for *z*
//! above 2, and 0 below: 0.1 at z 3, 0.5 at z 5, 0.8 at z 8, 0.97 at z 20. Nobody in an
//! ordinary file comes near 1 (in 100,000 people drawn from one Gaussian the largest z is
//! about 4.5, a score of 0.4), and a single-column extreme ranks at the top whatever else
//! the file holds. (Percentile
//! ranks, used before, always put someone at 1.0, and capped values ranked an 800,000 at
//! the level of everyone above ten spreads.)
//!
//! Firm members of a segment with its own yardsticks are judged among its people; everyone
//! else against the whole file. A segment of 400 firm members or more has yardsticks for
//! every column; one of 40 or more judges numbers of many values by its middle half, and
//! leaves labels and few-level columns to the whole file (which ranks its members, but
//! never makes them lone outliers: against everyone they are all unusual). A person at z 5 or beyond who is also
//! unusual for the whole file (z 3) is a lone outlier, wherever the clustering space — which
//! tempers extremes — put them (`Assessment::extremes`).
//!
//! Both are computed the same way for every person, whether or not they were in the sample that
//! formed the segments; GLOSH, which exists only for that sample, informs membership instead.
//!
//! # References
//! Ramaswamy, S., Rastogi, R. & Shim, K. (2000). Efficient algorithms for mining outliers from
//! large data sets. SIGMOD.
//! Loftsgaarden, D. & Quesenberry, C. (1965). A nonparametric estimate of a multivariate
//! density function. Annals of Mathematical Statistics 36(3).
//! Rousseeuw, P. & Croux, C. (1993). Alternatives to the median absolute deviation. JASA 88.
//! Magidson, J. & Vermunt, J. (2002). Latent class models for clustering: a comparison with
//! K-means. Canadian Journal of Marketing Research 20.
//! Efron, B. & Tibshirani, R. (1993). An Introduction to the Bootstrap. Chapman & Hall.
//!
//! The reason names the segment (by id and name, never a person) and the two or three facts
//! that set the person apart most: "Orders (12 months) 9× the median (45 vs 5); answer
//! mentions “chargeback”". The same facts drive atypicality, so score and reason agree.
//!
//! This file scores people. Which *segments* are at the edges — their order, most
//! distinctive first — is decided in [`rank`](super::rank).

use super::cluster::{Clustering, Membership, NEIGHBOURS};
use super::describe::{Described, mentions_name};
use super::features::{Features, MISSING, TextColumn, quantile};
use super::linalg::Rows;
use super::profile::{ColumnProfile, Values, days_ago, days_ahead, fmt_ratio, fmt_share};
use super::table::Table;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// One thing that sets a person apart.
#[derive(Debug, Clone, PartialEq)]
struct Fact {
    /// How unusual, in standard deviations.
    z: f64,
    /// How unusual against everyone (the same as `z` unless judged among their segment).
    z_everyone: f64,
    text: String,
}

/// The smallest z worth naming in a reason: as rare as the outer 10 % of a bell curve.
const NAMED_Z: f64 = 1.645;

/// Firm members a segment needs for its own percentiles and shares to judge its members by:
/// its 5th and 95th percentiles rest on twenty people or more, and a label's rarity among
/// its people means something. (With 50 and the 1st and 99th percentiles, a segment's
/// bounded ranges made ordinary members look five spreads out.)
/// A member is compared with the people of their segment: a consultant with 350 projects
/// in a segment of consultants is no extreme, an agency with 800,000 API calls among
/// agencies making 2,000 is. People in no segment are compared with everyone.
const SEGMENT_SCALE_FROM: usize = 400;

/// Firm members from which a smaller segment judges its members' numbers by its own middle
/// half ([`Scale::of_middle`]): quartiles rest on ten people or more. Without it, everyone in
/// a small edge segment (regulated firms of 5,000 employees) looked extreme against the whole
/// file and outranked an account with 3,000 projects beside its segment's 150–440.
const SEGMENT_MIDDLE_FROM: usize = 40;

/// A column of few values: each value and how many people have it, and the median.
#[derive(Debug, Clone)]
struct Levels {
    median: f64,
    counts: Vec<(f64, usize)>,
}

impl Levels {
    /// The levels of sorted values, or `None` beyond [`FEW_VALUES`] of them.
    fn of(sorted: &[f64]) -> Option<Levels> {
        let mut counts: Vec<(f64, usize)> = Vec::new();
        for &v in sorted {
            if let Some((last, count)) = counts.last_mut()
                && *last == v
            {
                *count += 1;
            } else if counts.len() >= FEW_VALUES {
                return None;
            } else {
                counts.push((v, 1));
            }
        }
        (!counts.is_empty()).then(|| Levels {
            median: quantile(sorted, 0.5),
            counts,
        })
    }

    /// How rare a value this far out is, on its side of the median, as a z.
    fn z(&self, v: f64) -> f64 {
        if v == self.median {
            return 0.0;
        }
        let total: usize = self.counts.iter().map(|l| l.1).sum();
        let beyond: usize = self
            .counts
            .iter()
            .filter(|(x, _)| if v > self.median { *x >= v } else { *x <= v })
            .map(|l| l.1)
            .sum();
        z_of_tail(beyond as f64 / total.max(1) as f64)
    }
}

/// How a numeric column judges a value: by distance on its scale, or by rarity of its level.
#[derive(Debug, Clone)]
enum Judge {
    Scale(Scale),
    Levels(Levels),
}

impl Judge {
    fn of(sorted: &[f64], heavy: bool, tail: Tail) -> Option<Judge> {
        match Levels::of(sorted) {
            Some(levels) => Some(Judge::Levels(levels)),
            None => {
                let t: Vec<f64> = sorted.iter().map(|&v| working(v, heavy)).collect();
                Scale::of(&t, tail).map(Judge::Scale)
            }
        }
    }

    /// A segment's own judge: [`Judge::of`] from [`SEGMENT_SCALE_FROM`] firm members; below
    /// that, from [`SEGMENT_MIDDLE_FROM`], the middle half of a column of many values
    /// ([`Scale::of_middle`]), while a few levels' rarity among so few is left to everyone.
    fn of_segment(sorted: &[f64], heavy: bool) -> Option<Judge> {
        if sorted.len() >= SEGMENT_SCALE_FROM {
            return Judge::of(sorted, heavy, Tail::Segment);
        }
        if sorted.len() < SEGMENT_MIDDLE_FROM || Levels::of(sorted).is_some() {
            return None;
        }
        let t: Vec<f64> = sorted.iter().map(|&v| working(v, heavy)).collect();
        Scale::of_middle(&t).map(Judge::Scale)
    }

    fn z(&self, v: f64, heavy: bool) -> f64 {
        match self {
            Judge::Scale(scale) => scale.z(working(v, heavy)),
            Judge::Levels(levels) => levels.z(v),
        }
    }
}

/// How far out a scale measures a column's far tails.
#[derive(Debug, Clone, Copy)]
enum Tail {
    /// The whole file, to its 1st and 99th percentiles: edge groups of 1–2 % are the file's
    /// far tail, and its spread, not extremes.
    Everyone,
    /// A segment, to its 5th and 95th percentiles: a segment is one group, and the few
    /// extremes drawn to it (3 % of its people in a B2B file) must not set its far spread —
    /// with the 99th percentile one of them, 2,152 seats among schools of 5–30 were z 3.
    Segment,
}

impl Tail {
    /// The share of people beyond the far percentile on each side.
    fn share(self) -> f64 {
        match self {
            Tail::Everyone => 0.01,
            Tail::Segment => 0.05,
        }
    }
}

/// Where a numeric column's middle is and how its two tails fall away, on its working scale,
/// for z-scores that follow the column's own tails: within the 10th–90th percentiles a value
/// is as far from the median as the 90th (or 10th) percentile is from it, 1.28; beyond them,
/// 1.28 plus how far past that percentile it is, in units of the spacing between the 90th
/// and the far percentile ([`Tail`]: the 99th, 1.04 standard deviations further in a normal
/// tail, or the 95th, 0.36). For a normal column this
/// is the ordinary z; for a skewed one, or several groups at different scales, each side is
/// judged by its own far tail — the busiest accounts' spread, not the typical account's.
#[derive(Debug, Clone, Copy)]
struct Scale {
    q: [f64; 5],
    /// One standard deviation's worth: inner lower, inner upper, far lower, far upper.
    unit: [f64; 4],
    /// Where most values lie, for a reason to name: the 10th and 90th percentiles.
    most: [f64; 2],
}

impl Scale {
    /// The scale of sorted working-scale values, its far tails measured out to the `tail`
    /// percentile on each side ([`Tail`]); `None` for fewer than two.
    fn of(sorted: &[f64], tail: Tail) -> Option<Scale> {
        if sorted.len() < 2 {
            return None;
        }
        let far = tail.share();
        let q = [far, 0.10, 0.5, 0.90, 1.0 - far].map(|p| quantile(sorted, p));
        // The far percentile's distance beyond the 90th in a bell curve's units.
        let spacing = z_of_tail(far) - 1.2816;
        // Columns of a few repeated values have flat tails: fall back to the quartiles, then
        // the standard deviation.
        let iqr = (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / 1.349;
        let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
        let sd = libm::sqrt(
            sorted.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / sorted.len() as f64,
        );
        let fallback = if iqr > 1e-12 { iqr } else { sd.max(1e-9) };
        let per = |d: f64, z: f64, or: f64| if d > 1e-12 { d / z } else { or };
        let inner_lo = per(q[2] - q[1], 1.2816, fallback);
        let inner_hi = per(q[3] - q[2], 1.2816, fallback);
        Some(Scale {
            q,
            most: [q[1], q[3]],
            unit: [
                inner_lo,
                inner_hi,
                per(q[1] - q[0], spacing, inner_lo),
                per(q[4] - q[3], spacing, inner_hi),
            ],
        })
    }

    /// The scale of a small group's sorted working-scale values from its quartiles alone,
    /// extended as a bell curve would be: its 1st and 99th percentiles, resting on one or two
    /// people, would make a bounded range look five spreads out. `None` when the quartile
    /// range on either side of the median is flat (nothing to measure a spread by).
    fn of_middle(sorted: &[f64]) -> Option<Scale> {
        if sorted.len() < 2 {
            return None;
        }
        let [q25, q50, q75] = [0.25, 0.5, 0.75].map(|p| quantile(sorted, p));
        let lo = (q50 - q25) / 0.6745;
        let hi = (q75 - q50) / 0.6745;
        if lo <= 1e-12 || hi <= 1e-12 {
            return None;
        }
        // Thresholds where a bell curve's 10th and 90th percentiles fall, so that `z` is
        // the distance from the median in these units on either side.
        let (q10, q90) = (q50 - 1.2816 * lo, q50 + 1.2816 * hi);
        Some(Scale {
            q: [q10, q10, q50, q90, q90],
            unit: [lo, hi, lo, hi],
            most: [quantile(sorted, 0.1), quantile(sorted, 0.9)],
        })
    }

    /// How many standard deviations `t` lies from the middle, on its side.
    fn z(&self, t: f64) -> f64 {
        let [_, q10, q50, q90, _] = self.q;
        let [inner_lo, inner_hi, far_lo, far_hi] = self.unit;
        if t > q90 {
            1.2816 + (t - q90) / far_hi
        } else if t < q10 {
            1.2816 + (q10 - t) / far_lo
        } else if t >= q50 {
            (t - q50) / inner_hi
        } else {
            (q50 - t) / inner_lo
        }
    }
}

/// Per-column summaries computed once.
enum Summary {
    Numeric {
        median: f64,
        /// Columns of at most [`FEW_VALUES`] distinct values (ratings, small counts) are
        /// judged by how rare a value is, not by its distance from the middle — the top of a
        /// 1–5 scale is not five spreads out; others by their scale.
        overall: Judge,
        /// Per segment with enough members, its own.
        by_segment: Vec<Option<Judge>>,
        heavy: bool,
        recency: bool,
    },
    Labels {
        total: usize,
        /// Per label, the share of people whose label is at most as common as it.
        tails: Vec<f64>,
        /// Per segment with enough members, likewise among them.
        by_segment: Vec<Option<Vec<f64>>>,
    },
    Multi {
        /// Per label, likewise (shares of people, who may hold several labels).
        tails: Vec<f64>,
        by_segment: Vec<Option<Vec<f64>>>,
    },
    Text {
        /// Each answering person's rarest word's share of answers, sorted.
        rarest: Vec<f64>,
        /// Per vocabulary term: whether it may be named as a rare word (a single word, not
        /// a name from a name or email column); decided once per term, not per person.
        usable: Vec<bool>,
    },
    Unused,
}

/// Distinct values up to which a numeric column is read as levels.
const FEW_VALUES: usize = 11;

/// The share of people whose label is at most as common as each label: a label only a few
/// people share is a surprise in a column of common labels, and none in a column of names.
fn rarity_tails(counts: &[usize], people: usize) -> Vec<f64> {
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by_key(|&l| counts[l]);
    let mut tails = vec![1.0; counts.len()];
    let mut at = 0;
    while at < order.len() {
        let count = counts[order[at]];
        let mut end = at;
        while end < order.len() && counts[order[end]] == count {
            end += 1;
        }
        let upto: usize = order[..end].iter().map(|&l| counts[l]).sum();
        for &l in &order[at..end] {
            tails[l] = (upto as f64 / people.max(1) as f64).min(1.0);
        }
        at = end;
    }
    tails
}

/// [`rarity_tails`] among the members of each segment with enough of them; `labels_of(i)`
/// are person `i`'s label codes.
fn per_segment_tails(
    labels: &[Option<usize>],
    n_segments: usize,
    n_labels: usize,
    labels_of: impl Fn(usize) -> Vec<u32>,
) -> Vec<Option<Vec<f64>>> {
    let mut counts = vec![vec![0usize; n_labels]; n_segments];
    let mut members = vec![0usize; n_segments];
    for (i, l) in labels.iter().enumerate() {
        let Some(s) = *l else { continue };
        let (Some(c), Some(m)) = (counts.get_mut(s), members.get_mut(s)) else {
            continue;
        };
        *m += 1;
        for code in labels_of(i) {
            if let Some(x) = c.get_mut(code as usize) {
                *x += 1;
            }
        }
    }
    counts
        .iter()
        .zip(&members)
        .map(|(c, &m)| (m >= SEGMENT_SCALE_FROM).then(|| rarity_tails(c, m)))
        .collect()
}

/// The z of a one-sided tail share: how far out a tail that size starts (1 % → 2.3).
fn z_of_tail(share: f64) -> f64 {
    // Φ⁻¹ of the small tail itself: 1 − 10⁻²⁰ is 1 in a double.
    (-normal_quantile(share.clamp(1e-300, 1.0))).max(0.0)
}

/// The working scale of a value: its logarithm when the column is heavy-tailed.
fn working(v: f64, heavy: bool) -> f64 {
    if heavy { libm::log1p(v.max(0.0)) } else { v }
}

fn summarise(
    p: &ColumnProfile,
    labels: &[Option<usize>],
    n_segments: usize,
    features: &Features,
    names: &BTreeSet<String>,
) -> Summary {
    match &p.values {
        Values::Numeric {
            values,
            sorted,
            heavy,
            recency,
            ..
        } => {
            let mut per: Vec<Vec<f64>> = vec![Vec::new(); n_segments];
            for (v, l) in values.iter().zip(labels) {
                if let Some(s) = l
                    && v.is_finite()
                    && let Some(list) = per.get_mut(*s)
                {
                    list.push(*v);
                }
            }
            let by_segment = per
                .into_iter()
                .map(|mut v| {
                    v.sort_by(f64::total_cmp);
                    Judge::of_segment(&v, *heavy)
                })
                .collect();
            match Judge::of(sorted, *heavy, Tail::Everyone) {
                Some(overall) => Summary::Numeric {
                    median: quantile(sorted, 0.5),
                    overall,
                    by_segment,
                    heavy: *heavy,
                    recency: *recency,
                },
                None => Summary::Unused,
            }
        }
        Values::Labels { counts, codes, .. } => {
            let total = counts.iter().sum();
            let by_segment = per_segment_tails(labels, n_segments, counts.len(), |i| {
                codes.get(i).copied().flatten().into_iter().collect()
            });
            Summary::Labels {
                total,
                tails: rarity_tails(counts, total),
                by_segment,
            }
        }
        Values::Multi { counts, codes, .. } => Summary::Multi {
            tails: rarity_tails(counts, codes.len()),
            by_segment: per_segment_tails(labels, n_segments, counts.len(), |i| {
                codes.get(i).cloned().unwrap_or_default()
            }),
        },
        Values::Text => {
            let Some(tc) = features.text.iter().find(|t| t.column == p.column) else {
                return Summary::Text {
                    rarest: Vec::new(),
                    usable: Vec::new(),
                };
            };
            let usable: Vec<bool> = tc
                .vocabulary
                .display
                .iter()
                .map(|word| !word.contains(' ') && !mentions_name(word, names))
                .collect();
            let mut rarest: Vec<f64> = (0..labels.len())
                .filter_map(|i| {
                    rare_words(i, tc, &usable)
                        .map(|(df, _)| df)
                        .min_by(f64::total_cmp)
                })
                .collect();
            rarest.sort_by(f64::total_cmp);
            Summary::Text { rarest, usable }
        }
    }
}

/// The single words of person `i`'s answer in text column `tc` that `usable` allows (names
/// from name and email columns are left out), each with the share of answers that use it.
fn rare_words<'a>(
    i: usize,
    tc: &'a TextColumn,
    usable: &'a [bool],
) -> impl Iterator<Item = (f64, &'a str)> + 'a {
    let docs = tc.vocabulary.n_docs.max(1) as f64;
    tc.tfidf.row(i).filter_map(move |(t, _)| {
        if !usable.get(t).copied().unwrap_or(false) {
            return None;
        }
        let df = tc.vocabulary.doc_freq.get(t).copied().unwrap_or(0) as f64 / docs;
        Some((df, tc.vocabulary.display.get(t)?.as_str()))
    })
}

/// [`rare_words`], rarest first.
fn rarest_words<'a>(i: usize, tc: &'a TextColumn, usable: &'a [bool]) -> Vec<(f64, &'a str)> {
    let mut words: Vec<(f64, &str)> = rare_words(i, tc, usable).collect();
    words.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
    words
}

/// The standard normal quantile function (Acklam's rational approximation, relative error
/// below 1.2e-9).
fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail(libm::sqrt(-2.0 * libm::log(p)))
    } else if p > 1.0 - 0.02425 {
        -tail(libm::sqrt(-2.0 * libm::log(1.0 - p)))
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// The z of a person's three most unusual facts together: the chance of facts at least this
/// far out in that many independent standard normal traits (the χ² tail with as many degrees
/// of freedom, halved to one side), as a z. One fact keeps its own z; three facts of z 3 are
/// z 4.5 together, not 5.2 as √(Σ z²) would say.
#[inline(never)]
fn combined_z(facts: &[Fact]) -> f64 {
    let used = &facts[..facts.len().min(3)];
    let x: f64 = used.iter().map(|f| f.z * f.z).sum();
    let tail = match used.len() {
        0 => return 0.0,
        1 => libm::erfc(libm::sqrt(x / 2.0)),
        2 => libm::exp(-x / 2.0),
        _ => {
            libm::erfc(libm::sqrt(x / 2.0))
                + libm::sqrt(2.0 * x / std::f64::consts::PI) * libm::exp(-x / 2.0)
        }
    };
    // Never below the most unusual fact alone, which also keeps extremes beyond what the tail
    // can hold (z 37) in order.
    let largest = used.iter().map(|f| f.z).fold(0.0, f64::max);
    largest.max(z_of_tail(tail / 2.0))
}

/// The edge score of a z: 0 up to 2, then `u² / (1 + u²)` with `u = (z − 2) / 3` — 0.1 at
/// z 3, 0.5 at z 5, 0.8 at z 8, 0.97 at z 20: it nears 1 slowly, so extremes keep their order
/// in three decimals.
fn score_of(z: f64) -> f64 {
    let u = (z - 2.0).max(0.0) / 3.0;
    u * u / (1.0 + u * u)
}

/// The facts about person `i`, most surprising first. Out of line, as are [`combined_z`] and
/// [`surprise`], so that WebAssembly runs them optimised: V8 optimises a function between
/// calls, never during one (ARCHITECTURE.md), and [`assess`] is called once.
#[inline(never)]
fn facts(
    i: usize,
    segment: Option<usize>,
    profiles: &[ColumnProfile],
    summaries: &[Summary],
    features: &Features,
    n: usize,
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
                    overall,
                    by_segment,
                    heavy,
                    recency,
                },
            ) => {
                let Some(&v) = values.get(i) else { continue };
                if !v.is_finite() {
                    continue;
                }
                let own = segment
                    .and_then(|s| by_segment.get(s))
                    .and_then(Option::as_ref);
                let z_everyone = overall.z(v, *heavy);
                let z = own.map_or(z_everyone, |j| j.z(v, *heavy));
                if z < NAMED_Z {
                    continue;
                }
                // Judged among their segment: say what the segment's people have.
                let text = if let Some(Judge::Scale(scale)) = own
                    && z_everyone < NAMED_Z
                {
                    let back = |t: f64| if *heavy { libm::expm1(t) } else { t };
                    format!(
                        "{} {} (most in their segment: {}–{})",
                        p.name,
                        p.figure(v),
                        p.figure(back(scale.most[0])),
                        p.figure(back(scale.most[1]))
                    )
                } else if *recency {
                    format!(
                        "{} {} (median {})",
                        p.name,
                        days_ago(&p.figure(v)),
                        days_ahead(&p.figure(*median))
                    )
                } else if *heavy && *median > 0.0 && v > 0.0 {
                    // "0.0× the median (1 vs 343)" reads as none; a ratio that small is said.
                    let ratio = v / median;
                    let times = if ratio < 0.1 {
                        "under a tenth of".to_string()
                    } else {
                        fmt_ratio(ratio)
                    };
                    format!(
                        "{} {times} the median ({} vs {})",
                        p.name,
                        p.figure(v),
                        p.figure(*median)
                    )
                } else if *median == 0.0 {
                    format!("{} {} where most have 0", p.name, p.figure(v))
                } else {
                    format!("{} {} (median {})", p.name, p.figure(v), p.figure(*median))
                };
                out.push(Fact {
                    z,
                    z_everyone,
                    text,
                });
            }
            (
                Values::Labels {
                    codes,
                    labels,
                    counts,
                },
                Summary::Labels {
                    total,
                    tails,
                    by_segment,
                },
            ) => {
                let Some(Some(code)) = codes.get(i) else {
                    continue;
                };
                let share = counts.get(*code as usize).copied().unwrap_or(0) as f64
                    / (*total).max(1) as f64;
                let z_everyone = z_of_tail(tails.get(*code as usize).copied().unwrap_or(1.0));
                let z = segment
                    .and_then(|s| by_segment.get(s))
                    .and_then(Option::as_ref)
                    .map_or(z_everyone, |t| {
                        z_of_tail(t.get(*code as usize).copied().unwrap_or(1.0))
                    });
                if z < NAMED_Z {
                    continue;
                }
                let label = labels.get(*code as usize).cloned().unwrap_or_default();
                out.push(Fact {
                    z,
                    z_everyone,
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
                Summary::Multi { tails, by_segment },
            ) => {
                let own = segment
                    .and_then(|s| by_segment.get(s))
                    .and_then(Option::as_ref);
                let Some(choices) = codes.get(i) else {
                    continue;
                };
                let rarest = choices
                    .iter()
                    .map(|&c| (counts.get(c as usize).copied().unwrap_or(0), c))
                    .min();
                if let Some((count, c)) = rarest {
                    let share = count as f64 / n.max(1) as f64;
                    let z_of = |t: &Vec<f64>| z_of_tail(t.get(c as usize).copied().unwrap_or(1.0));
                    let z_everyone = z_of(tails);
                    let z = own.map_or(z_everyone, z_of);
                    if z >= NAMED_Z {
                        let label = labels.get(c as usize).cloned().unwrap_or_default();
                        out.push(Fact {
                            z,
                            z_everyone,
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
            (Values::Text, Summary::Text { rarest, usable }) => {
                let Some(tc) = features.text.iter().find(|t| t.column == p.column) else {
                    continue;
                };
                let rare = rarest_words(i, tc, usable);
                if let Some((df, _)) = rare.first() {
                    // How many answers have a word at least this rare?
                    let tail = rarest.partition_point(|x| x <= df) as f64 / n.max(1) as f64;
                    let z = z_of_tail(tail);
                    if z >= NAMED_Z {
                        let words: Vec<String> =
                            rare.iter().take(2).map(|(_, w)| format!("“{w}”")).collect();
                        out.push(Fact {
                            z,
                            z_everyone: z,
                            text: format!("answer mentions {}", words.join(" and ")),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    out.sort_by(|a, b| b.z.total_cmp(&a.z).then(a.text.cmp(&b.text)));
    out
}

/// How badly each person's answers fit *together*, as a z: the surprise −log p(x) of their
/// discrete answers (`features::Variable`: choices, levels, options, topics) under the
/// segments taken as latent classes — a mixture in which, within a segment, answers are
/// independent, with each segment's answer shares estimated from its members (half a
/// person spread over each variable's levels). Someone who answers a choices-only survey at
/// random has no single rare answer, yet a combination that no segment gives: the
/// likelihood under a latent class model is the usual outlier score for categorical data
/// (e.g. Magidson & Vermunt 2002). Zero for everyone when there are no such variables or
/// no segments.
///
/// A surprise is judged against the surprises of people drawn from those classes themselves
/// ([`FitNull`]): how often someone who does belong to the segments is at least as
/// surprising, as a one-sided normal tail (a parametric bootstrap of the statistic,
/// Efron & Tibshirani 1993). Judged by the median and the spread above it of everyone's
/// surprise, as before, a sum of discrete surprises read as a bell curve: five independent
/// counts and ratings put their ten most surprising people at 0.96–0.99 in a file with no
/// outlier (BENCHMARKS.md, "A surprise judged against people drawn from the segments").
pub fn fit_z(features: &Features, clustering: &Clustering) -> Vec<f64> {
    let n = clustering.labels.len();
    let vars: Vec<&super::features::Variable> = features
        .variables
        .iter()
        .filter(|v| v.levels >= 2 && v.codes.len() == n)
        .collect();
    let labels = &clustering.labels;
    fit_z_of(&vars, n, |i| labels[i], clustering.n_segments)
}

/// [`fit_z`] of `n` people's variables `vars` (each of two levels or more, a code per
/// person) and their segments, `label(i)` of `k`.
fn fit_z_of(
    vars: &[&super::features::Variable],
    n: usize,
    label: impl Fn(usize) -> Option<usize>,
    k: usize,
) -> Vec<f64> {
    if vars.len() < 2 || k == 0 {
        return vec![0.0; n];
    }
    // Answer counts per segment, from all its members: from firm members alone, a small
    // segment's shares were too sharp for the members on its edge, who then looked like
    // misfits (random answerers of the choices survey in the top 2×: 11–12 → 14 of 15).
    let mut size = vec![0.0f64; k];
    let mut counts: Vec<Vec<Vec<f64>>> =
        vars.iter().map(|v| vec![vec![0.0; v.levels]; k]).collect();
    for i in 0..n {
        let Some(s) = label(i).filter(|&s| s < k) else {
            continue;
        };
        size[s] += 1.0;
        for (v, var) in vars.iter().enumerate() {
            let code = var.codes[i];
            if answered(var, code) {
                counts[v][s][code as usize] += 1.0;
            }
        }
    }
    let total: f64 = size.iter().sum();
    if total < 1.0 {
        return vec![0.0; n];
    }
    // log θ per variable, segment and level, and log π per segment.
    let log_theta: Vec<Vec<Vec<f64>>> = counts
        .iter()
        .zip(vars)
        .map(|(per_segment, var)| {
            let alpha = 0.5 / var.levels as f64;
            per_segment
                .iter()
                .map(|c| {
                    let sum = c.iter().sum::<f64>() + 0.5;
                    c.iter().map(|x| libm::log((x + alpha) / sum)).collect()
                })
                .collect()
        })
        .collect();
    let log_prior: Vec<f64> = size
        .iter()
        .map(|&m| {
            if m > 0.0 {
                libm::log(m / total)
            } else {
                f64::NEG_INFINITY
            }
        })
        .collect();
    let model = Classes {
        log_theta,
        log_prior,
    };
    let Some(null) = FitNull::draw(&model, vars, n) else {
        return vec![0.0; n];
    };
    let mut joint = vec![0.0; k];
    let mut codes = vec![MISSING; vars.len()];
    (0..n)
        .map(|i| {
            codes
                .iter_mut()
                .zip(vars)
                .for_each(|(c, var)| *c = var.codes[i]);
            let given = vars
                .iter()
                .filter(|var| answered(var, var.codes[i]))
                .count();
            null.z(model.surprise(&codes, &mut joint), given)
        })
        .collect()
}

/// [`fit_z`] as a self-contained job: in the browser a helper worker runs it while this one
/// judges everyone's facts ([`FitJob::parts`]).
#[derive(Debug, Clone, PartialEq)]
pub struct FitJob {
    /// Each person's segment, `u32::MAX` for none.
    labels: Vec<u32>,
    vars: Vec<super::features::Variable>,
    k: usize,
}

/// A [`FitJob`]'s description, beside its whole numbers.
#[derive(Serialize, Deserialize)]
struct FitHead {
    n: usize,
    k: usize,
    levels: Vec<usize>,
}

impl FitJob {
    /// The job of [`fit_z`] for `clustering`, taking the `variables` (of the features)
    /// it reads.
    pub fn new(variables: Vec<super::features::Variable>, clustering: &Clustering) -> FitJob {
        let n = clustering.labels.len();
        FitJob {
            labels: clustering
                .labels
                .iter()
                .map(|l| l.map_or(u32::MAX, |l| l as u32))
                .collect(),
            vars: variables
                .into_iter()
                .filter(|v| v.levels >= 2 && v.codes.len() == n)
                .collect(),
            k: clustering.n_segments,
        }
    }

    /// Each person's fit z, as [`fit_z`] gives it.
    pub fn run(&self) -> Vec<f64> {
        let vars: Vec<&super::features::Variable> = self.vars.iter().collect();
        let label = |i: usize| {
            self.labels
                .get(i)
                .filter(|&&l| l != u32::MAX)
                .map(|&l| l as usize)
        };
        fit_z_of(&vars, self.labels.len(), label, self.k)
    }

    /// The job as runs of whole numbers, to post to another worker one after another (the
    /// segments, then each variable's codes, each run as long as there are people), and the
    /// rest as JSON.
    pub fn parts(&self) -> (Vec<&[u32]>, String) {
        let mut runs = vec![self.labels.as_slice()];
        runs.extend(self.vars.iter().map(|v| v.codes.as_slice()));
        let head = FitHead {
            n: self.labels.len(),
            k: self.k,
            levels: self.vars.iter().map(|v| v.levels).collect(),
        };
        (runs, serde_json::to_string(&head).unwrap_or_default())
    }

    /// The job whose [`FitJob::parts`] were written one after another into `whole`, or why
    /// these are not one.
    pub fn from_parts(whole: &[u32], json: &str) -> Result<FitJob, String> {
        let head: FitHead = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let n = head.n;
        let expected = head
            .levels
            .len()
            .checked_add(1)
            .and_then(|v| v.checked_mul(n));
        // No more segments than people, nor levels than answers could give (a scale's
        // levels may outnumber a few people).
        let plausible = head.k <= n && head.levels.iter().all(|&l| l <= n.max(256));
        if expected != Some(whole.len()) || !plausible {
            return Err("a fit job's numbers do not match its description".into());
        }
        let (labels, codes) = whole.split_at(n);
        Ok(FitJob {
            labels: labels.to_vec(),
            vars: head
                .levels
                .iter()
                .zip(codes.chunks_exact(n.max(1)))
                .map(|(&levels, codes)| super::features::Variable {
                    column: 0,
                    block: super::features::Block::Say,
                    codes: codes.to_vec(),
                    levels,
                    centres: Vec::new(),
                })
                .collect(),
            k: head.k,
        })
    }
}

/// The latent classes of [`fit_z`]: log θ per variable, segment and level, and log π per
/// segment.
struct Classes {
    log_theta: Vec<Vec<Vec<f64>>>,
    log_prior: Vec<f64>,
}

impl Classes {
    /// The surprise −log p(x) of one person's `codes` (one per variable, [`MISSING`] left
    /// out); `joint` is scratch space, one slot per segment. Out of line for the reason
    /// [`facts`] gives.
    #[inline(never)]
    fn surprise(&self, codes: &[u32], joint: &mut [f64]) -> f64 {
        for (s, lp) in joint.iter_mut().enumerate() {
            *lp = self.log_prior[s];
            for (v, &code) in codes.iter().enumerate() {
                if let Some(t) = self.log_theta[v][s].get(code as usize) {
                    *lp += t;
                }
            }
        }
        let top = joint.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !top.is_finite() {
            return 0.0;
        }
        -(top + libm::log(joint.iter().map(|&l| libm::exp(l - top)).sum::<f64>()))
    }
}

/// The surprises of people drawn from the latent classes of [`fit_z`]: a segment by its
/// share, then each answer by the segment's shares, with the answers a real person left
/// empty (a person drawn at random) left empty too. Fewer answers make a smaller surprise,
/// so each person is judged against the draws that gave as many answers as they did (a
/// survey's non-respondents against non-respondents), where there are [`FIT_STRATUM`] such
/// draws, else against all. Ten draws per person, at least 2,000 and at most 50,000.
struct FitNull {
    /// All draws.
    pooled: FitTail,
    /// The draws that gave as many answers as the index, where there are enough.
    by_answers: Vec<Option<FitTail>>,
}

/// The fewest draws with one number of answers that are judged on their own.
const FIT_STRATUM: usize = 500;

/// The share of draws whose surprise is read as an exponential tail.
const FIT_TAIL: f64 = 0.01;

/// One set of drawn surprises.
struct FitTail {
    /// The surprises, ascending.
    sorted: Vec<f64>,
    /// Where the upper tail starts (the 99th percentile), the share of draws beyond it and
    /// their mean excess over it: beyond it a surprise's chance is taken as exponential,
    /// since no number of draws reaches a random answerer's.
    start: f64,
    beyond: f64,
    excess: f64,
}

impl FitTail {
    fn of(mut sorted: Vec<f64>) -> Option<FitTail> {
        sorted.sort_by(f64::total_cmp);
        let m = sorted.len();
        let top = ((m as f64 * FIT_TAIL) as usize).clamp(1, m);
        let start = *sorted.get(m - top)?;
        let over: Vec<f64> = sorted
            .iter()
            .filter(|&&d| d > start)
            .map(|d| d - start)
            .collect();
        // With no draw beyond the start (ties at the top), one nat per e-fold is assumed.
        let excess = if over.is_empty() {
            1.0
        } else {
            over.iter().sum::<f64>() / over.len() as f64
        };
        Some(FitTail {
            beyond: over.len().max(1) as f64 / m as f64,
            sorted,
            start,
            excess: excess.max(1e-9),
        })
    }

    /// The z of surprise `x`: −Φ⁻¹ of the share of draws at least as surprising (beyond the
    /// tail's start, its exponential, which starts from the share beyond it, so the two
    /// meet), 0 below the median.
    fn z(&self, x: f64) -> f64 {
        let log_p = if x > self.start {
            libm::log(self.beyond) - (x - self.start) / self.excess
        } else {
            let below = self.sorted.partition_point(|&d| d < x);
            libm::log((self.sorted.len() - below).max(1) as f64 / self.sorted.len() as f64)
        };
        z_of_log_tail(log_p).max(0.0)
    }
}

/// Whether `code` is an answer to `var` (not [`MISSING`], within its levels).
fn answered(var: &super::features::Variable, code: u32) -> bool {
    code != MISSING && (code as usize) < var.levels
}

impl FitNull {
    fn draw(model: &Classes, vars: &[&super::features::Variable], n: usize) -> Option<FitNull> {
        use rand::{Rng, SeedableRng};
        if n == 0 {
            return None;
        }
        let k = model.log_prior.len();
        let draws = (10 * n).clamp(2_000, 50_000);
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(0x6669_745f_6e75_6c6c);
        let prior: Vec<f64> = model.log_prior.iter().map(|&l| libm::exp(l)).collect();
        // Each segment's shares of each answer, taken out of their logarithms once rather
        // than at every draw (a tenth of the analysis's calls to `exp` at 100,000 rows).
        let shares: Vec<Vec<Vec<f64>>> = model
            .log_theta
            .iter()
            .map(|per_segment| {
                per_segment
                    .iter()
                    .map(|l| l.iter().map(|&l| libm::exp(l)).collect())
                    .collect()
            })
            .collect();
        // The level whose running weight passes `u`; rounding past the end gives the last
        // level with any weight.
        let pick = |weights: &mut dyn Iterator<Item = f64>, u: f64| -> usize {
            let mut left = u;
            let mut last = 0;
            for (i, w) in weights.enumerate() {
                if w > 0.0 {
                    last = i;
                }
                if left < w {
                    return i;
                }
                left -= w;
            }
            last
        };
        let mut joint = vec![0.0; k];
        let mut codes = vec![MISSING; vars.len()];
        let mut by_answers: Vec<Vec<f64>> = vec![Vec::new(); vars.len() + 1];
        let mut all = Vec::with_capacity(draws);
        for _ in 0..draws {
            let s = pick(&mut prior.iter().copied(), rng.r#gen::<f64>());
            let like = rng.gen_range(0..n);
            let mut given = 0;
            for (v, var) in vars.iter().enumerate() {
                codes[v] = if answered(var, var.codes[like]) {
                    given += 1;
                    pick(&mut shares[v][s].iter().copied(), rng.r#gen::<f64>()) as u32
                } else {
                    MISSING
                };
            }
            let x = model.surprise(&codes, &mut joint);
            by_answers[given].push(x);
            all.push(x);
        }
        Some(FitNull {
            pooled: FitTail::of(all)?,
            by_answers: by_answers
                .into_iter()
                .map(|d| (d.len() >= FIT_STRATUM).then(|| FitTail::of(d)).flatten())
                .collect(),
        })
    }

    /// The z of surprise `x` of someone who gave `given` answers.
    fn z(&self, x: f64, given: usize) -> f64 {
        self.by_answers
            .get(given)
            .and_then(Option::as_ref)
            .unwrap_or(&self.pooled)
            .z(x)
    }
}

/// The z whose one-sided normal tail is `exp(log_p)`, for tails too small for a float too
/// (Mills' ratio: log p ≈ −z²/2 − log(z √(2π))).
fn z_of_log_tail(log_p: f64) -> f64 {
    if log_p > -690.0 {
        z_of_tail(libm::exp(log_p))
    } else {
        let t = -2.0 * log_p;
        libm::sqrt(t - libm::log(t) - libm::log(2.0 * std::f64::consts::PI))
    }
}

/// Each person's local sparsity as a robust z: the logarithm of their distance to their
/// 15th nearest neighbour, against the median of everyone's and the widest of its median
/// absolute deviation, its spread up to the 90th percentile, and the spread that distance
/// has by chance where people are spread evenly over `dims` dimensions (only sparser than
/// usual counts).
///
/// Among points spread evenly, the volume of the ball that reaches the k-th neighbour is a
/// Gamma(k) variable over the density (Loftsgaarden & Quesenberry 1965), so the logarithm of
/// the distance varies by about 1 / (d √k): 0.05 for 15 neighbours in five dimensions. In a
/// lattice of answers the observed spread is far less, since most people's neighbours sit
/// at one distance: five independent 1–5 questions read as a battery of ratings had a MAD
/// of 0.0026 in log distance, so being 23 % farther than most was eighty spreads (164 of
/// 3,000 people at 0.999). `dims` counts the columns that form segments at this balance.
fn sparsity_z(core: &[f64], dims: usize) -> Vec<f64> {
    let logs: Vec<f64> = core
        .iter()
        .map(|&c| {
            if c > 0.0 {
                libm::log(c)
            } else {
                f64::NEG_INFINITY
            }
        })
        .collect();
    let mut finite: Vec<f64> = logs.iter().copied().filter(|v| v.is_finite()).collect();
    finite.sort_by(f64::total_cmp);
    if finite.is_empty() {
        return vec![0.0; core.len()];
    }
    let median = quantile(&finite, 0.5);
    let mut dev: Vec<f64> = finite.iter().map(|v| (v - median).abs()).collect();
    dev.sort_by(f64::total_cmp);
    let mad = 1.4826 * quantile(&dev, 0.5);
    // The spread on the sparse side, from the 90th percentile, unless the MAD is wider. In a
    // file of ratings or choices most people's neighbours sit at the same few distances, so
    // the MAD measures near-ties, not spread (five independent 1–5 ratings: a MAD of 0.005
    // in log distance, read as counts, against 0.16 from the 90th percentile, and 13 % of people, those with
    // extreme answers, at z 40 or more). On the eleven real exports the 90th percentile's
    // spread is 0.7–1.6 times the MAD.
    let upper = Scale::of(&finite, Tail::Everyone).map_or(0.0, |s| s.unit[1]);
    let by_chance = 1.0 / (dims.max(1) as f64 * (NEIGHBOURS as f64).sqrt());
    // Everyone at one distance: nobody is sparser than anyone.
    let observed = mad.max(upper);
    let spread = if observed > 1e-12 {
        observed.max(by_chance)
    } else {
        1.0
    };
    logs.iter()
        .map(|&l| {
            if l.is_finite() {
                ((l - median) / spread).max(0.0)
            } else {
                0.0
            }
        })
        .collect()
}

/// The columns whose features count at this balance (the slider at one end weighs the
/// other block's at 0).
fn weighed_columns(features: &Features) -> usize {
    let m = &features.balanced;
    features
        .groups
        .iter()
        .filter(|g| (0..m.n_rows()).any(|r| m.value(r, g.start) != 0.0))
        .count()
}

/// Everything the scores need.
pub struct Inputs<'a> {
    /// The data.
    pub table: &'a Table,
    /// Column statistics.
    pub profiles: &'a [ColumnProfile],
    /// Features (for text terms).
    pub features: &'a Features,
    /// The segments found.
    pub clustering: &'a Clustering,
    /// Words from name and email columns, never shown.
    pub names: &'a BTreeSet<String>,
}

/// The z from which a person is unlike everyone, whatever segment their neighbours are in:
/// five standard deviations, which nobody in 100,000 people drawn from one bell curve reaches
/// (a score of 0.5).
pub const LONE_Z: f64 = 5.0;

/// How unusual against everyone a lone outlier must be as well: a member far beyond their
/// own segment but ordinary for the file (a misplaced member) is not unlike everyone.
pub const EVERYONE_Z: f64 = 3.0;

/// Whether an edge score, as shown and exported, makes someone in no segment "unlike
/// everyone": [`LONE_Z`]'s score (0.5) or more, so that the reasons, the page's count and the
/// list's "edge score 0.5 and up" agree.
pub fn unlike_everyone(score: f64) -> bool {
    score >= shown_score(LONE_Z)
}

/// A z as the edge score shown and exported: [`score_of`], to three decimals.
fn shown_score(z: f64) -> f64 {
    libm::round(score_of(z).clamp(0.0, 1.0) * 1000.0) / 1000.0
}

/// Every person's reason, each distinct text held once: a million people's reasons were
/// 138 bytes each on average (with their headers, 180 MB), yet the generator's 100,000 gave
/// only 8,360 distinct ones, and a telco export's 700,000 gave 43,478 (BENCHMARKS.md).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reasons {
    texts: Vec<String>,
    /// Each person's text in `texts`.
    of: Vec<u32>,
}

impl Reasons {
    /// Person `i`'s reason (`None` beyond the people).
    pub fn get(&self, i: usize) -> Option<&str> {
        self.of
            .get(i)
            .and_then(|&t| self.texts.get(t as usize))
            .map(String::as_str)
    }

    /// Number of people.
    pub fn len(&self) -> usize {
        self.of.len()
    }

    /// True when there is nobody.
    pub fn is_empty(&self) -> bool {
        self.of.is_empty()
    }

    /// Every person's reason, in row order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.of
            .iter()
            .map(|&t| self.texts.get(t as usize).map_or("", String::as_str))
    }
}

impl FromIterator<String> for Reasons {
    fn from_iter<I: IntoIterator<Item = String>>(reasons: I) -> Reasons {
        let mut at: HashMap<String, u32, foldhash::fast::RandomState> = HashMap::default();
        let mut out = Reasons::default();
        for text in reasons {
            let t = match at.get(&text) {
                Some(&t) => t,
                None => {
                    let t = out.texts.len() as u32;
                    out.texts.push(text.clone());
                    at.insert(text, t);
                    t
                }
            };
            out.of.push(t);
        }
        out.texts.shrink_to_fit();
        out.of.shrink_to_fit();
        out
    }
}

impl std::ops::Index<usize> for Reasons {
    type Output = str;

    /// Person `i`'s reason; panics beyond the people, as a slice does (tests only: the
    /// engine reads through [`Reasons::get`]).
    fn index(&self, i: usize) -> &str {
        &self.texts[self.of[i] as usize]
    }
}

/// How unusual each person is, and why: computed once, before segments are portrayed.
pub struct Assessment {
    /// Each person's z (the larger of sparsity and atypicality).
    z: Vec<f64>,
    /// Each person's z against everyone: their sparsity, or their most unusual fact judged
    /// against everyone (not their fit: see `z_lone`).
    z_everyone: Vec<f64>,
    /// Each person's facts, most unusual first.
    facts: Vec<Vec<Fact>>,
    /// Whether a person was judged among their own segment (a firm member of one with enough
    /// members) or against everyone.
    among_segment: Vec<bool>,
    /// Each person's fit z ([`fit_z`]): how badly their answers fit together.
    fit: Vec<f64>,
    /// Each person's z without the fit: what makes a lone outlier.
    z_lone: Vec<f64>,
}

/// Judges every person (see the module doc).
pub fn assess(inp: &Inputs<'_>) -> Assessment {
    let mut assessment = assess_but_fit(inp);
    assessment.add_fit(fit_z(inp.features, inp.clustering));
    assessment
}

/// [`assess`] without the fit, which [`Assessment::add_fit`] adds ([`fit_z`], or its
/// [`FitJob`] run elsewhere): a lone outlier rests on facts and sparsity alone, so
/// [`Assessment::extremes`] may be asked before it.
pub fn assess_but_fit(inp: &Inputs<'_>) -> Assessment {
    let n = inp.table.n_rows();
    let c = inp.clustering;
    // Segments' own scales and shares come from their firm members.
    let core: Vec<Option<usize>> = c
        .labels
        .iter()
        .zip(&c.membership)
        .map(|(l, m)| l.filter(|_| *m == Membership::Core))
        .collect();
    let mut members = vec![0usize; c.n_segments];
    for s in core.iter().flatten() {
        if let Some(m) = members.get_mut(*s) {
            *m += 1;
        }
    }
    let summaries: Vec<Summary> = inp
        .profiles
        .iter()
        .map(|p| {
            if p.role.forms_segments() {
                summarise(p, &core, c.n_segments, inp.features, inp.names)
            } else {
                Summary::Unused
            }
        })
        .collect();
    let facts: Vec<Vec<Fact>> = (0..n)
        .map(|i| {
            // Firm members are judged among their segment when it has its own yardsticks;
            // weak members and people in no segment against everyone.
            let segment = core.get(i).copied().flatten();
            let mut facts = facts(i, segment, inp.profiles, &summaries, inp.features, n);
            // Grown by doubling: a person with one fact held room for four.
            facts.shrink_to_fit();
            facts
        })
        .collect();
    let sparsity = sparsity_z(&c.core_distance, weighed_columns(inp.features));
    // Sparsity is judged against everyone. Whether someone is a lone outlier rests on their
    // facts and sparsity alone: a poor fit ranks them (`add_fit`), but members of a group
    // the segments merged fit it poorly too.
    let z_lone: Vec<f64> = (0..n)
        .map(|i| combined_z(&facts[i]).max(sparsity.get(i).copied().unwrap_or(0.0)))
        .collect();
    let z_everyone = (0..n)
        .map(|i| {
            facts[i]
                .iter()
                .map(|f| f.z_everyone)
                .fold(sparsity.get(i).copied().unwrap_or(0.0), f64::max)
        })
        .collect();
    let among_segment = core
        .iter()
        .map(|s| s.is_some_and(|s| members.get(s).is_some_and(|&m| m >= SEGMENT_SCALE_FROM)))
        .collect();
    Assessment {
        z: z_lone.clone(),
        z_everyone,
        facts,
        among_segment,
        fit: Vec::new(),
        z_lone,
    }
}

impl Assessment {
    /// Each person's fit z ([`fit_z`]): judged against everyone, it ranks them (their z is
    /// the largest of their facts, sparsity and fit) and may be their reason, but takes no
    /// part in making lone outliers.
    pub fn add_fit(&mut self, fit: Vec<f64>) {
        for (z, f) in self.z.iter_mut().zip(&fit) {
            *z = z.max(*f);
        }
        self.fit = fit;
    }

    /// Each person's edge score, 0–1, in three decimals.
    pub fn scores(&self) -> Vec<f64> {
        self.z.iter().map(|&z| shown_score(z)).collect()
    }

    /// People at [`LONE_Z`] or beyond, and unusual against everyone too ([`EVERYONE_Z`]):
    /// unlike everyone, even where the clustering space (robustly scaled, logarithmic for
    /// skewed columns) put them beside a segment. Firm members of segments too small for
    /// yardsticks of every column ([`SEGMENT_SCALE_FROM`]) are left in them: their labels
    /// and few-level columns are judged against everyone, where they are all unusual.
    pub fn extremes(&self, clustering: &Clustering) -> Vec<usize> {
        (0..self.z.len())
            .filter(|&i| self.z_lone[i] >= LONE_Z && self.z_everyone[i] >= EVERYONE_Z)
            .filter(|&i| {
                self.among_segment[i] || clustering.membership.get(i) != Some(&Membership::Core)
            })
            .collect()
    }

    /// A plain-language reason for every person: their segment (by id and name) and the two
    /// or three facts that set them apart most.
    pub fn reasons(&self, clustering: &Clustering, described: &Described) -> Reasons {
        (0..self.z.len())
            .map(|i| self.reason(i, clustering, described))
            .collect()
    }

    /// Person `i`'s reason (see [`reasons`](Self::reasons)). Out of line, called once per
    /// person, for the reason [`facts`] gives.
    #[inline(never)]
    fn reason(&self, i: usize, c: &Clustering, described: &Described) -> String {
        let mut facts: Vec<&str> = self.facts[i]
            .iter()
            .take(3)
            .map(|f| f.text.as_str())
            .collect();
        // When what sets them apart is how their answers go together, say that first.
        let fit = self.fit.get(i).copied().unwrap_or(0.0);
        if fit >= 2.0 && fit >= combined_z(&self.facts[i]) {
            facts.insert(0, "answers in a combination that fits no segment");
            facts.truncate(3);
        }
        let segment = c.labels[i]
            .and_then(|l| described.order.get(l))
            .and_then(|&d| described.segments.get(d));
        let head = match (segment, c.membership[i]) {
            (Some(s), Membership::Core) => format!("In {} “{}”", s.id, s.name),
            (Some(s), _) => format!("On the edge of {} “{}”", s.id, s.name),
            // "Unlike everyone" is for people far from everyone; the rest of those in
            // no segment sit between segments, which is all the head says of them.
            (None, _) if unlike_everyone(shown_score(self.z[i])) => "Unlike everyone".to_string(),
            (None, _) => "In no segment".to_string(),
        };
        match (facts.is_empty(), segment.is_none()) {
            (false, _) => format!("{head}: {}", facts.join("; ")),
            // Lone, yet within two z of everyone: say so rather than "far".
            (true, true) if self.z[i] < 2.0 => "In no segment: their mix of answers and \
                         behaviour matches none, though nothing about them is unusual on its own"
                .to_string(),
            (true, true) if self.z[i] >= LONE_Z => {
                format!("{head}: far from everyone in their overall mix of answers and behaviour")
            }
            (true, true) => "In no segment: their overall mix of answers and behaviour \
                         sets them apart, though no single answer does"
                .to_string(),
            (true, false) => head,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_held_once_each_and_read_back_per_person() {
        let given = [
            "In S1 “x”",
            "Unlike everyone",
            "In S1 “x”",
            "",
            "Unlike everyone",
        ];
        let reasons: Reasons = given.iter().map(|r| r.to_string()).collect();
        assert_eq!(reasons.texts.len(), 3);
        assert_eq!(reasons.len(), given.len());
        assert_eq!(reasons.iter().collect::<Vec<_>>(), given);
        for (i, r) in given.iter().enumerate() {
            assert_eq!(reasons.get(i), Some(*r));
            assert_eq!(&reasons[i], *r);
        }
        assert_eq!(reasons.get(given.len()), None);
        assert!(Reasons::default().is_empty());
    }

    #[test]
    fn the_score_is_zero_for_the_ordinary_and_grows_with_z() {
        assert_eq!(score_of(1.0), 0.0);
        assert_eq!(score_of(2.0), 0.0);
        let (s3, s5, s8) = (score_of(3.0), score_of(5.0), score_of(8.0));
        assert!((s3 - 0.1).abs() < 1e-9, "{s3}");
        assert!((s5 - 0.5).abs() < 1e-9, "{s5}");
        assert!((s8 - 0.8).abs() < 1e-9, "{s8}");
        assert!(score_of(50.0) < score_of(100.0) && score_of(100.0) < 1.0);
    }

    #[test]
    fn unlike_everyone_from_the_score_shown_for_lone_z() {
        assert!(unlike_everyone(0.5) && unlike_everyone(shown_score(LONE_Z)));
        assert!(!unlike_everyone(0.499));
    }

    #[test]
    fn normal_quantiles_match_the_tables() {
        // Φ⁻¹(0.975) = 1.959964, Φ⁻¹(0.999) = 3.090232, Φ⁻¹(0.5) = 0, Φ⁻¹(0.05) = −1.644854.
        for (p, z) in [
            (0.975, 1.959964),
            (0.999, 3.090232),
            (0.5, 0.0),
            (0.05, -1.644854),
        ] {
            assert!(
                (normal_quantile(p) - z).abs() < 1e-5,
                "{p}: {}",
                normal_quantile(p)
            );
        }
        assert!((z_of_tail(0.001) - 3.090232).abs() < 1e-5);
        assert_eq!(z_of_tail(0.7), 0.0);
        assert!(
            (z_of_tail(1e-23) - 9.973).abs() < 0.01,
            "{}",
            z_of_tail(1e-23)
        );
    }

    /// Features of `codes` (one list per variable, `levels` each) and a clustering of
    /// `labels` into `k` segments, for [`fit_z`].
    fn answers(
        codes: Vec<Vec<u32>>,
        levels: usize,
        labels: Vec<Option<usize>>,
        k: usize,
    ) -> (Features, Clustering) {
        let n = labels.len();
        let features = Features {
            balanced: crate::engine::balanced::Balanced::new(n),
            groups: Vec::new(),
            text: Vec::new(),
            notes: Vec::new(),
            variables: codes
                .into_iter()
                .enumerate()
                .map(|(column, codes)| crate::engine::features::Variable {
                    column,
                    block: crate::engine::features::Block::Say,
                    codes,
                    levels,
                    centres: Vec::new(),
                })
                .collect(),
        };
        let clustering = Clustering {
            membership: labels
                .iter()
                .map(|l| {
                    if l.is_some() {
                        Membership::Core
                    } else {
                        Membership::Outlier
                    }
                })
                .collect(),
            labels,
            core_distance: vec![1.0; n],
            neighbours: crate::engine::cluster::neighbours::Neighbours::none(n),
            n_segments: k,
            micro: vec![false; k],
            stability: vec![None; k],
            min_cluster_size: 30,
            min_samples: 15,
            sweep: Vec::new(),
        };
        (features, clustering)
    }

    /// A level drawn with the given shares.
    fn level(rng: &mut impl rand::Rng, shares: &[f64]) -> u32 {
        let mut u: f64 = rng.r#gen();
        shares
            .iter()
            .position(|&s| {
                u -= s;
                u < 0.0
            })
            .unwrap_or(shares.len() - 1) as u32
    }

    #[test]
    fn answers_drawn_independently_fit_their_one_segment() {
        // Five counts of 0–6 drawn independently (Poisson with mean 1) for 3,000 people, all
        // one segment: someone has a combination as rare as 1 in 3,000, as a sample of
        // 3,000 should. Judged by the median and the spread above everyone's surprise, a
        // sum of five discrete surprises read as a bell curve, the least fitting scored
        // 0.9 and more, though nothing was planted.
        use rand::SeedableRng;
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        let poisson = [0.368, 0.368, 0.184, 0.061, 0.015, 0.003, 0.001];
        let n = 3000;
        let codes: Vec<Vec<u32>> = (0..5)
            .map(|_| (0..n).map(|_| level(&mut rng, &poisson)).collect())
            .collect();
        let (features, clustering) = answers(codes, poisson.len(), vec![Some(0); n], 1);
        let z = fit_z(&features, &clustering);
        let top = z.iter().copied().fold(0.0, f64::max);
        assert!(score_of(top) < 0.4, "the least fitting: z {top}");
    }

    #[test]
    fn people_who_left_questions_blank_are_judged_against_draws_that_did_too() {
        // Twenty counts of 0–6 (Poisson with mean 1) for 3,000 people, all one segment;
        // 1,200 of them answered only the first two, and one of those gave the rarest level
        // in both (about 1 in a million). Against draws of every kind pooled, their two
        // answers look smaller than most twenty-answer surprises: z 0.
        use rand::SeedableRng;
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let poisson = [0.368, 0.368, 0.184, 0.061, 0.015, 0.003, 0.001];
        let n = 3000;
        let codes: Vec<Vec<u32>> = (0..20)
            .map(|v| {
                (0..n)
                    .map(|i| match (i, v) {
                        (0, 0 | 1) => 6,
                        (i, v) if i < 1200 && v >= 2 => MISSING,
                        _ => level(&mut rng, &poisson),
                    })
                    .collect()
            })
            .collect();
        let (features, clustering) = answers(codes, poisson.len(), vec![Some(0); n], 1);
        let z = fit_z(&features, &clustering);
        assert!(z[0] > 4.0, "the rare pair: z {}", z[0]);
        let others = z[1..].iter().copied().fold(0.0, f64::max);
        assert!(
            score_of(others) < 0.4,
            "the least fitting of the rest: z {others}"
        );
    }

    #[test]
    fn people_who_answer_at_random_fit_no_segment() {
        // Two segments of 1,500 who answer twenty questions of five levels each their own
        // way (mostly the lowest or mostly the highest level), and two people who answer at
        // random: they fit worse than anyone drawn from the segments, and are scored so.
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        let shares = [0.8, 0.1, 0.05, 0.03, 0.02];
        let n = 3002;
        let codes: Vec<Vec<u32>> = (0..20)
            .map(|_| {
                (0..n)
                    .map(|i| match (i >= 3000, i % 2) {
                        (true, _) => rng.gen_range(0..5),
                        (false, 0) => level(&mut rng, &shares),
                        (false, _) => 4 - level(&mut rng, &shares),
                    })
                    .collect()
            })
            .collect();
        let labels = (0..n).map(|i| (i < 3000).then_some(i % 2)).collect();
        let (features, clustering) = answers(codes, 5, labels, 2);
        let z = fit_z(&features, &clustering);
        let drawn = z[..3000].iter().copied().fold(0.0, f64::max);
        assert!(score_of(drawn) < 0.4, "the least fitting drawn: z {drawn}");
        // Twenty answers at random are about as rare as 1 in 3 million under the segments.
        for &random in &z[3000..] {
            assert!(
                random > drawn + 1.0,
                "a random answerer: z {random} against {drawn}"
            );
            assert!(score_of(random) > 0.4, "a random answerer: z {random}");
        }
    }

    #[test]
    fn facts_combine_to_one_z() {
        let fact = |z: f64| Fact {
            z,
            z_everyone: z,
            text: String::new(),
        };
        assert!((combined_z(&[fact(4.0)]) - 4.0).abs() < 1e-6);
        assert!((combined_z(&[fact(12.0)]) - 12.0).abs() < 0.01);
        let three = combined_z(&[fact(3.0), fact(3.0), fact(3.0)]);
        assert!(three > 4.0 && three < 5.0, "{three}");
        assert_eq!(combined_z(&[]), 0.0);
    }

    #[test]
    fn a_normal_column_gives_ordinary_z_scores() {
        // The quantiles of a standard normal at 1 000 evenly spaced probabilities.
        let v: Vec<f64> = (0..1000)
            .map(|k| normal_quantile((k as f64 + 0.5) / 1000.0))
            .collect();
        let scale = Scale::of(&v, Tail::Everyone).expect("scale");
        for z in [0.5, 1.0, 2.0, 3.0, -2.5] {
            assert!(
                (scale.z(z) - f64::abs(z)).abs() < 0.05,
                "{z}: {}",
                scale.z(z)
            );
        }
    }

    /// The working-scale values of `n` people spread as a bell curve around `centre`.
    fn bell(n: usize, centre: f64, sd: f64) -> Vec<f64> {
        (0..n)
            .map(|k| centre + sd * normal_quantile((k as f64 + 0.5) / n as f64))
            .collect()
    }

    #[test]
    fn a_segment_judges_the_extremes_drawn_to_it_by_its_own_spread() {
        // 970 schools with log-seats around ln 10, and 30 accounts of about 2,000 seats that
        // the clustering put among them (3 %): the 99th percentile is one of those, so the
        // whole file's yardstick would call them z 2; the segment's 95th percentile is not.
        let mut v = bell(970, libm::log(10.0), 0.6);
        v.extend(std::iter::repeat_n(libm::log(2_000.0), 30));
        v.sort_by(f64::total_cmp);
        let as_everyone = Scale::of(&v, Tail::Everyone).expect("scale");
        let as_segment = Scale::of(&v, Tail::Segment).expect("scale");
        let t = libm::log(2_000.0);
        assert!(as_everyone.z(t) < 3.0, "{}", as_everyone.z(t));
        assert!(as_segment.z(t) > 5.0, "{}", as_segment.z(t));
        // An ordinary school stays ordinary.
        assert!(
            as_segment.z(libm::log(25.0)) < 2.5,
            "{}",
            as_segment.z(libm::log(25.0))
        );
    }

    #[test]
    fn a_small_segment_is_judged_by_its_middle_half() {
        // 60 consultants with 150–440 projects, evenly spread (a bounded range): none of them
        // is far from the middle, an account with 3,000 is.
        let mut v: Vec<f64> = (0..60).map(|k| 150.0 + 290.0 * k as f64 / 59.0).collect();
        v.sort_by(f64::total_cmp);
        let Some(Judge::Scale(scale)) = Judge::of_segment(&v, false) else {
            panic!("a judge of its own");
        };
        assert!(scale.z(150.0) < 2.0 && scale.z(440.0) < 2.0, "{scale:?}");
        assert!(scale.z(3_000.0) > 5.0, "{}", scale.z(3_000.0));
        assert_eq!(scale.most, [quantile(&v, 0.1), quantile(&v, 0.9)]);
        // Too few people, a few levels, or half of them on one value: judged with everyone.
        assert!(Judge::of_segment(&v[..SEGMENT_MIDDLE_FROM - 1], false).is_none());
        let levels: Vec<f64> = (0..60).map(|k| (k % 5) as f64).collect::<Vec<_>>();
        let mut levels = levels;
        levels.sort_by(f64::total_cmp);
        assert!(Judge::of_segment(&levels, false).is_none());
        let mut tied: Vec<f64> = (0..60)
            .map(|k| if k < 40 { 4.0 } else { k as f64 })
            .collect();
        tied.sort_by(f64::total_cmp);
        assert!(Judge::of_segment(&tied, false).is_none());
    }

    #[test]
    fn groups_at_different_scales_judge_the_far_tail_by_the_upper_group() {
        // Most accounts make 100–2,000 API calls, a third 5,000–90,000 (log-uniform); one makes
        // 800,000. On the log scale it is 2.2 past the largest group's top, about 4 of that
        // group's spreads: an extreme, though not against everyone's typical spread.
        let log = |x: f64| libm::log1p(x);
        let mut v: Vec<f64> = (0..600)
            .map(|k| log(100.0 * libm::pow(20.0, k as f64 / 599.0)))
            .chain((0..300).map(|k| log(5_000.0 * libm::pow(18.0, k as f64 / 299.0))))
            .collect();
        v.sort_by(f64::total_cmp);
        let scale = Scale::of(&v, Tail::Everyone).expect("scale");
        assert!(scale.z(log(800_000.0)) > 5.0, "{}", scale.z(log(800_000.0)));
        assert!(scale.z(log(90_000.0)) < 3.0, "{}", scale.z(log(90_000.0)));
    }
}
