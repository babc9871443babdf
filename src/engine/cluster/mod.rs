//! Segments that keep the edges.
//!
//! The default method is density-based ([`hdbscan`]), because it keeps small groups and says
//! who belongs nowhere, where k-means forces everyone into one of k round groups and swallows
//! the 1 % segments that are the point of Edgewise. Density clustering needs help in the two
//! dozen dimensions of mixed survey and CRM features, where every distance looks alike; the
//! steps around it, in order:
//!
//! 1. **Neighbours.** An approximate 15-nearest-neighbour graph of everyone ([`neighbours`]):
//!    it gives each person's local density (for edge scores), "people like this one", and the
//!    paths along which segment labels spread.
//! 2. **A sample forms the segments.** At most [`SAMPLE`] people, chosen at random with the
//!    seed, so that every setting below means the same thing for 300 people or 300,000, and the
//!    work stays bounded. Segments of 1 % of people have 60 members in the sample.
//! 3. **Smoothing.** On the sample's own neighbour graph, six steps of diffusion pull each
//!    person towards their neighbourhood: groups contract, noise within groups averages out,
//!    and the valleys between groups stand out (Coifman & Lafon 2006).
//! 4. **HDBSCAN** on the smoothed sample, with the smallest segment at 0.5 % of people, moved to
//!    a *plateau* of the segment count (nine sizes from ¼× to 4× are tried and the size whose
//!    neighbours give the same count is kept, away from parameter cliffs).
//! 5. **Separated, not fragmented.** A cluster counts only if the valley that separates it is
//!    less dense than its own members typically are ([`hdbscan::separation`]). The finest such
//!    clusters are taken ([`hdbscan::select_leaves`]) — so the mass middle's distinct groups are
//!    not swallowed by one long-lived parent — and clusters that differ from each other in too
//!    few columns are merged back ([`merge_single_respect`]): one group split by a yes/no answer
//!    or by two wordings of the same goal is one segment again, and so is a corner cut out of a
//!    group by several independent answers; so are the people left between its fragments
//!    ([`hdbscan::label_regions`]). Without columns to judge by (plain numeric points), excess
//!    of mass with a stricter separation is used instead. Members far from their neighbours in
//!    the unsmoothed space — lone outliers that smoothing drew in — leave their segment
//!    (`pulled_in`).
//! 6. **Spreading to everyone.** Labels spread from the sample along the neighbour graph: each
//!    person takes the label most of their labelled neighbours have.
//! 7. **Noise triage, not noise deletion.** People left unassigned whose labelled neighbours
//!    mostly belong to one segment, and who are not much farther from them than its members are
//!    from each other, join it as *edge members*. The rest are clustered again among themselves;
//!    compact groups found there become *micro-segments*. Whoever is left is a *lone outlier*.
//! 8. **Stability.** Steps 3–5 are re-run on three random subsamples of the sample (80 % of a
//!    small sample, half of a large one); a segment's stability is its mean best Jaccard overlap
//!    with the re-run's segments (Hennig 2007), measured against the segments steps 3–5 gave
//!    the sample (like with like, before step 7 adds edge members).
//!
//! Steps 2–5 and 8 ([`segment_sample`]) do not need step 1's graph, and the graph
//! ([`everyone_graph`]) depends only on the points and the seed, so the two run side by side —
//! on two threads natively, in two web workers in the browser — and [`segment_everyone`] does
//! steps 6–7 with both. The result is the same wherever the graph was built.
//!
//! k-means and Gaussian mixtures from `linfa-clustering` are offered as alternatives; they are
//! fitted on the same sample and applied to everyone; their outliers are people unusually far
//! from their group's centre.
//!
//! Everything is seeded; the same points and settings give the same segments.
//!
//! # References
//! Campello, Moulavi & Sander (2013); McInnes & Healy (2017) — see [`hdbscan`].
//! Coifman, R. & Lafon, S. (2006). Diffusion maps. Applied and Computational Harmonic Analysis 21(1).
//! Hennig, C. (2007). Cluster-wise assessment of cluster stability. CSDA 52(1).

pub mod hdbscan;
pub mod kdtree;
pub mod neighbours;

use super::linalg::{Dense, dist2};
use hdbscan::{Hierarchy, condense, select_leaves, select_separated};
use linfa::prelude::*;
use neighbours::{Graph, knn_graph, smooth};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

/// Most people in the sample that forms segments.
pub const SAMPLE: usize = 6000;
/// Neighbours in the graphs.
pub const NEIGHBOURS: usize = 15;
/// Diffusion steps before density clustering.
const SMOOTH_STEPS: usize = 6;
/// Largest separation ratio (valley density over member density) a segment may have, when
/// fragments can be merged back by the columns they differ in.
pub const MAX_SEPARATION: f64 = 0.8;
/// The stricter separation used without columns (plain numeric points).
const EOM_SEPARATION: f64 = 0.5;

/// Which clustering method forms segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    /// HDBSCAN with smoothing, separation and noise triage (the default).
    Density,
    /// k-means (`linfa-clustering`) with `k` groups.
    KMeans,
    /// Gaussian mixture (`linfa-clustering`) with `k` components.
    GaussianMixture,
}

/// Clustering settings as the user gave them (maybe invalid).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterParams {
    /// The method.
    pub method: Method,
    /// Smallest segment, in people (density method); `None` = 0.5 % of people, adapted.
    pub min_cluster_size: Option<usize>,
    /// Neighbours defining density in the sample; `None` = adapt.
    pub min_samples: Option<usize>,
    /// Number of groups for k-means and mixtures.
    pub k: usize,
    /// Resamples for stability (0 = skip).
    pub resamples: usize,
    /// Seed for every random choice.
    pub seed: u64,
    /// Largest separation ratio a segment may have (density method): 1 = plain HDBSCAN.
    pub max_separation: f64,
}

impl Default for ClusterParams {
    fn default() -> Self {
        ClusterParams {
            method: Method::Density,
            min_cluster_size: None,
            min_samples: None,
            k: 8,
            resamples: 3,
            seed: 42,
            max_separation: MAX_SEPARATION,
        }
    }
}

/// Settings that were checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterValidParams(ClusterParams);

impl ClusterValidParams {
    /// The checked settings.
    pub fn get(&self) -> &ClusterParams {
        &self.0
    }
}

/// Why settings were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    /// A size below 2.
    #[error("the smallest segment must have at least 2 people (got {0})")]
    MinClusterSize(usize),
    /// k below 1 or above 100.
    #[error("the number of groups must be between 1 and 100 (got {0})")]
    K(usize),
    /// Too many resamples.
    #[error("at most 20 stability resamples (got {0})")]
    Resamples(usize),
    /// Separation outside (0, 1].
    #[error("the separation must be above 0 and at most 1 (got {0})")]
    Separation(String),
    /// min_samples below 1 or above 200.
    #[error("the density neighbourhood must be between 1 and 200 people (got {0})")]
    MinSamples(usize),
}

impl ClusterParams {
    /// Validates the settings.
    pub fn check(self) -> Result<ClusterValidParams, ParamError> {
        if let Some(m) = self.min_cluster_size
            && m < 2
        {
            return Err(ParamError::MinClusterSize(m));
        }
        if let Some(k) = self.min_samples
            && !(1..=200).contains(&k)
        {
            return Err(ParamError::MinSamples(k));
        }
        if !(1..=100).contains(&self.k) {
            return Err(ParamError::K(self.k));
        }
        if self.resamples > 20 {
            return Err(ParamError::Resamples(self.resamples));
        }
        if !(self.max_separation > 0.0 && self.max_separation <= 1.0) {
            return Err(ParamError::Separation(self.max_separation.to_string()));
        }
        Ok(ClusterValidParams(self))
    }
}

/// How a person belongs to their segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Membership {
    /// Firmly inside a segment.
    Core,
    /// Weakly attached to a segment.
    Edge,
    /// In no segment: unlike everyone else.
    Outlier,
}

/// The segments found, before they are ranked and described.
#[derive(Debug, Clone, PartialEq)]
pub struct Clustering {
    /// Each person's segment (`None` = lone outlier).
    pub labels: Vec<Option<usize>>,
    /// How each person belongs.
    pub membership: Vec<Membership>,
    /// Each person's distance to their 15th nearest neighbour (local sparsity).
    pub core_distance: Vec<f64>,
    /// Each person's nearest neighbours (themselves first).
    pub neighbours: Vec<Vec<u32>>,
    /// Number of segments.
    pub n_segments: usize,
    /// Per segment: found among people the density step left unassigned (a micro-segment).
    pub micro: Vec<bool>,
    /// Per segment: mean best Jaccard over resamples (`None` when not computed).
    pub stability: Vec<Option<f64>>,
    /// The smallest segment size used, in people of the whole file.
    pub min_cluster_size: usize,
    /// The density neighbourhood used (in the sample).
    pub min_samples: usize,
    /// (smallest segment size in people, segments found) for each size tried.
    pub sweep: Vec<(usize, usize)>,
}

/// Which feature dimensions came from which column, so that segments can be required to
/// differ in at least two respects (see [`merge_single_respect`]).
#[derive(Debug, Clone, Copy)]
pub struct Respects<'a> {
    /// The balanced features, one row per person (all people).
    pub features: &'a Dense,
    /// Each column's range of feature dimensions.
    pub columns: &'a [std::ops::Range<usize>],
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

/// The starting smallest-segment size for `n` people: 0.5 %, at least 5.
pub fn default_min_cluster_size(n: usize) -> usize {
    ((n as f64 * 0.005).round() as usize).max(5)
}

/// The density neighbourhood for a smallest-segment size.
pub fn default_min_samples(min_cluster_size: usize) -> usize {
    min_cluster_size.clamp(4, 12)
}

/// Forms segments from `points` (one row per person).
///
/// The sample's work ([`segment_sample`]) and everyone's neighbour graph ([`everyone_graph`])
/// do not depend on each other; natively they run on two threads, and the web worker builds
/// the graph in a second worker. Both are pure, so where they run changes nothing.
pub fn segment(
    points: &Dense,
    params: &ClusterValidParams,
    respects: Option<&Respects<'_>>,
    progress: &mut dyn FnMut(f64),
) -> Clustering {
    #[cfg(not(target_arch = "wasm32"))]
    let (part, graph) = std::thread::scope(|scope| {
        let graph = scope.spawn(|| everyone_graph(points, params.0.seed));
        let part = segment_sample(points, params, respects, progress);
        let graph = graph
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (part, graph)
    });
    #[cfg(target_arch = "wasm32")]
    let (part, graph) = {
        let graph = everyone_graph(points, params.0.seed);
        (segment_sample(points, params, respects, progress), graph)
    };
    let result = segment_everyone(points, part, &graph, params);
    progress(1.0);
    result
}

/// Everyone's neighbour graph (step 1), as [`segment_everyone`] needs it.
/// It depends only on the points and the seed.
pub fn everyone_graph(points: &Dense, seed: u64) -> Graph {
    knn_graph(points, NEIGHBOURS, seed)
}

/// What the sample decided (steps 2–5 and 8), before everyone's neighbour graph is needed.
pub struct SampleSegments {
    sample: Vec<usize>,
    found: Found,
    stability: Vec<Option<f64>>,
}

enum Found {
    /// The density step's clusters among the sample.
    Density(SampleClusters),
    /// k-means or a mixture: everyone's group is known already.
    Centroid {
        labels: Vec<Option<usize>>,
        membership: Vec<Membership>,
        n_segments: usize,
    },
}

/// Segments among the sample, and their stability: all the work that needs no neighbour
/// graph of everyone. `progress` goes from 0 to 0.95.
pub fn segment_sample(
    points: &Dense,
    params: &ClusterValidParams,
    respects: Option<&Respects<'_>>,
    progress: &mut dyn FnMut(f64),
) -> SampleSegments {
    let p = &params.0;
    let n = points.rows;
    let sample = choose_sample(n, SAMPLE, p.seed);
    progress(0.05);
    let s = sample.len();
    let (found, labels_in_sample, n_segments, sizes) = match p.method {
        Method::Density => {
            let m_people = p
                .min_cluster_size
                .unwrap_or_else(|| default_min_cluster_size(n));
            let m_sample = ((m_people as f64 * s as f64 / n.max(1) as f64).round() as usize).max(5);
            let found = cluster_sample(
                &rows(points, &sample),
                &sample,
                m_sample,
                p.min_cluster_size.is_none(),
                p.min_samples,
                p.max_separation,
                respects,
                p.seed,
            );
            let labels = found.labels.clone();
            let n_clusters = found.n_clusters;
            let sizes = (to_people(found.chosen_size, s, n), found.min_samples);
            (Found::Density(found), labels, n_clusters, sizes)
        }
        Method::KMeans | Method::GaussianMixture => {
            let (labels, membership, n_segments) = centroid_based(points, &sample, p);
            let in_sample = sample.iter().map(|&i| labels[i]).collect();
            let found = Found::Centroid {
                labels,
                membership,
                n_segments,
            };
            (found, in_sample, n_segments, (0, 0))
        }
    };
    progress(0.5);
    let stability = if p.resamples > 0 && n_segments > 0 && s >= 40 {
        stability(
            points,
            &sample,
            &labels_in_sample,
            n_segments,
            sizes,
            p,
            respects,
            &mut |f| progress(0.5 + 0.45 * f),
        )
    } else {
        vec![None; n_segments]
    };
    SampleSegments {
        sample,
        found,
        stability,
    }
}

/// A size in sample people as people of the whole file.
fn to_people(m: usize, s: usize, n: usize) -> usize {
    let scale = s as f64 / n.max(1) as f64;
    ((m as f64 / scale).round() as usize).max(m)
}

/// Everyone's segments from the sample's (steps 6–7): `graph` is [`everyone_graph`] of the
/// same `points` and settings.
pub fn segment_everyone(
    points: &Dense,
    part: SampleSegments,
    graph: &Graph,
    params: &ClusterValidParams,
) -> Clustering {
    let SampleSegments {
        sample,
        found,
        mut stability,
    } = part;
    let mut result = match found {
        Found::Density(found) => density(points, graph, &sample, found, &params.0),
        Found::Centroid {
            labels,
            membership,
            n_segments,
        } => Clustering {
            labels,
            membership,
            core_distance: graph.kth_distance(NEIGHBOURS),
            neighbours: graph.neighbours.clone(),
            n_segments,
            micro: vec![false; n_segments],
            stability: Vec::new(),
            min_cluster_size: 0,
            min_samples: 0,
            sweep: Vec::new(),
        },
    };
    // Micro-segments, found outside the sample, are not re-found by resampling it.
    stability.resize(result.n_segments, None);
    result.stability = stability;
    result
}

/// The sample that forms segments: everyone up to [`SAMPLE`], else a seeded random subset
/// (sorted, so that results do not depend on the draw order).
pub fn choose_sample(n: usize, size: usize, seed: u64) -> Vec<usize> {
    if n <= size {
        return (0..n).collect();
    }
    let mut idx: Vec<usize> = (0..n).collect();
    idx.shuffle(&mut Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x5a3_91e));
    idx.truncate(size);
    idx.sort_unstable();
    idx
}

/// The rows `idx` of `points`, in that order.
pub fn rows(points: &Dense, idx: &[usize]) -> Dense {
    let mut out = Dense::zeros(idx.len(), points.cols);
    for (r, &i) in idx.iter().enumerate() {
        out.row_mut(r).copy_from_slice(points.row(i));
    }
    out
}

/// What the density step found in a (sub)sample.
struct SampleClusters {
    /// Label per sample point (`None` = noise).
    labels: Vec<Option<usize>>,
    /// Membership strength per sample point.
    strength: Vec<f64>,
    n_clusters: usize,
    min_samples: usize,
    /// (size in sample people, clusters) per size tried.
    sweep: Vec<(usize, usize)>,
    chosen_size: usize,
}

/// Steps 3–5 of the module doc on the rows `sub`: smoothing, HDBSCAN, plateau, separation.
#[allow(clippy::too_many_arguments)]
fn cluster_sample(
    sub: &Dense,
    rows: &[usize],
    m_sample: usize,
    adapt: bool,
    min_samples: Option<usize>,
    max_separation: f64,
    respects: Option<&Respects<'_>>,
    seed: u64,
) -> SampleClusters {
    let graph = &knn_graph(sub, NEIGHBOURS, seed ^ 0xface);
    let smoothed = smooth(sub, graph, SMOOTH_STEPS);
    let k = min_samples.unwrap_or_else(|| default_min_samples(m_sample));
    let h = Hierarchy::build(&smoothed, k);
    // Segments for one smallest-segment size: the finest separated clusters, with clusters
    // that differ in a single respect merged.
    // With three or more columns the finest separated clusters are taken and merged back where
    // they differ in too few respects. Without columns to tell a lattice from a group, excess of
    // mass with the stricter separation keeps plain density data from fragmenting.
    let merging = respects.is_some_and(|r| r.columns.len() >= 3);
    let segments_for = |m: usize| {
        let cond = condense(&h, m);
        if !merging {
            let sel = select_separated(&cond, false, max_separation.min(EOM_SEPARATION));
            let n = sel.selected.len();
            return (sel.labels, sel.strength, n);
        }
        let sel = select_leaves(&cond, max_separation);
        let mut labels = sel.labels.clone();
        let map = match respects {
            Some(r) => merge_single_respect(&mut labels, sel.selected.len(), rows, r),
            None => (0..sel.selected.len()).collect(),
        };
        let n = map.iter().map(|&x| x + 1).max().unwrap_or(0);
        // Points left between fragments that were merged back into one segment belong to it.
        let labels = hdbscan::label_regions(&cond, &sel.selected, &map, max_separation);
        (labels, sel.strength, n)
    };
    let (m, sweep) = if adapt {
        choose_min_cluster_size(m_sample, |m| segments_for(m).2)
    } else {
        (m_sample, Vec::new())
    };
    let (mut labels, strength, n_clusters) = segments_for(m);
    let core = graph.kth_distance(NEIGHBOURS);
    // Smoothing can pull lone outliers into a group; in the raw space they are still far.
    // Members whose neighbour distance is over three times their segment's usual one leave it,
    // and so do members beyond a gap in the segment's neighbour distances (`pulled_in`): a
    // handful of outliers pulled into a segment of forty would otherwise set the yardstick
    // they are measured by.
    let reach = segment_reach(&labels, &core, n_clusters);
    let gap = pulled_in(&labels, &core, n_clusters);
    for (i, l) in labels.iter_mut().enumerate() {
        if let Some(s) = *l
            && (core[i] > 3.0 * reach[s] || core[i] >= gap[s])
        {
            *l = None;
        }
    }
    // Noise in the sample whose neighbours mostly share a segment, and who is no farther from
    // them than its members usually are, joins it.
    let reach = segment_reach(&labels, &core, n_clusters);
    // Repeat, so that labels reach into the pockets that leaf selection leaves between groups.
    for _ in 0..10 {
        if attach(&mut labels, graph, (&core, &reach)).is_empty() {
            break;
        }
    }
    SampleClusters {
        labels,
        strength,
        n_clusters,
        min_samples: k,
        sweep,
        chosen_size: m,
    }
}

/// How much farther from its neighbours than a segment's usual member (its 90th percentile)
/// an unassigned person may be and still join it as an edge member.
const ATTACH_REACH: f64 = 1.5;

/// Gives each unlabelled point the label most of its labelled neighbours carry, when they
/// are a clear majority of the labelled ones and at least a third of all, and its own
/// neighbour distance (`reach.0`) is at most [`ATTACH_REACH`] times that segment's members'
/// usual one (`reach.1`).
fn attach(labels: &mut [Option<usize>], graph: &Graph, reach: (&[f64], &[f64])) -> Vec<usize> {
    let n_labels = labels.iter().flatten().map(|&l| l + 1).max().unwrap_or(0);
    let before: Vec<Option<usize>> = labels.to_vec();
    let mut attached = Vec::new();
    let mut votes = vec![0usize; n_labels];
    for i in 0..labels.len() {
        if before[i].is_some() {
            continue;
        }
        votes.iter_mut().for_each(|v| *v = 0);
        let nb = &graph.neighbours[i];
        for &j in nb.iter().skip(1) {
            if let Some(Some(s)) = before.get(j as usize) {
                votes[*s] += 1;
            }
        }
        let Some((s, &v)) = votes
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
        else {
            continue;
        };
        let (core, limit) = reach;
        let close = core
            .get(i)
            .zip(limit.get(s))
            .is_some_and(|(c, l)| *c <= ATTACH_REACH * l);
        // A clear majority of the labelled neighbours, and at least a third of all of them.
        let labelled: usize = votes.iter().sum();
        if v * 2 > labelled && v * 3 >= nb.len().saturating_sub(1) && close {
            labels[i] = Some(s);
            attached.push(i);
        }
    }
    attached
}

/// Density segments for everyone from the sample's clusters (steps 6–7 of the module doc).
fn density(
    points: &Dense,
    graph: &Graph,
    sample: &[usize],
    found: SampleClusters,
    p: &ClusterParams,
) -> Clustering {
    let n = points.rows;
    let s = sample.len();
    let m_people = p
        .min_cluster_size
        .unwrap_or_else(|| default_min_cluster_size(n));
    let mut n_segments = found.n_clusters;

    // Spread labels from the sample along everyone's neighbour graph.
    let mut labels: Vec<Option<usize>> = vec![None; n];
    let mut membership = vec![Membership::Outlier; n];
    let mut fixed = vec![false; n];
    for (r, &i) in sample.iter().enumerate() {
        labels[i] = found.labels[r];
        fixed[i] = true;
        membership[i] = match found.labels[r] {
            Some(_) if found.strength.get(r).is_some_and(|&st| st >= 0.1) => Membership::Core,
            Some(_) => Membership::Edge,
            None => Membership::Outlier,
        };
    }
    if s < n {
        propagate(&mut labels, &mut membership, &fixed, graph, n_segments);
    }

    // Noise triage for everyone: attach close neighbours, then look for micro-segments.
    let core = graph.kth_distance(NEIGHBOURS);
    let reach = segment_reach(&labels, &core, n_segments);
    for i in attach(&mut labels, graph, (&core, &reach)) {
        membership[i] = Membership::Edge;
    }
    let mut micro = vec![false; n_segments];
    let rest: Vec<usize> = (0..n).filter(|&i| labels[i].is_none()).collect();
    let m_micro = (m_people / 4).max(5);
    if rest.len() >= 2 * m_micro && rest.len() <= 4 * SAMPLE {
        let sub = rows(points, &rest);
        let hs = Hierarchy::build(&sub, default_min_samples(m_micro));
        let sel = select_separated(&condense(&hs, m_micro), false, p.max_separation);
        let mut member_core: Vec<f64> = (0..n)
            .filter(|&i| labels[i].is_some())
            .map(|i| core[i])
            .collect();
        member_core.sort_by(f64::total_cmp);
        let typical = member_core
            .get(member_core.len() * 3 / 4)
            .copied()
            .unwrap_or(f64::INFINITY);
        for c in 0..sel.selected.len() {
            let members: Vec<usize> = (0..rest.len())
                .filter(|&r| sel.labels[r] == Some(c))
                .collect();
            let mut cores: Vec<f64> = members.iter().map(|&r| hs.core[r]).collect();
            cores.sort_by(f64::total_cmp);
            let median = cores.get(cores.len() / 2).copied().unwrap_or(f64::INFINITY);
            if members.len() >= m_micro && median <= typical * 1.5 {
                let id = n_segments;
                n_segments += 1;
                micro.push(true);
                for &r in &members {
                    labels[rest[r]] = Some(id);
                    membership[rest[r]] = if sel.strength[r] >= 0.1 {
                        Membership::Core
                    } else {
                        Membership::Edge
                    };
                }
            }
        }
    }
    for i in 0..n {
        if labels[i].is_none() {
            membership[i] = Membership::Outlier;
        }
    }
    let to_people = |m: usize| to_people(m, s, n);
    Clustering {
        labels,
        membership,
        core_distance: core,
        neighbours: graph.neighbours.clone(),
        n_segments,
        micro,
        stability: vec![None; n_segments],
        min_cluster_size: to_people(found.chosen_size),
        min_samples: found.min_samples,
        sweep: found
            .sweep
            .iter()
            .map(|&(m, c)| (to_people(m), c))
            .collect(),
    }
}

/// Label propagation from the fixed (sample) people: repeatedly, each other person takes the
/// label — a segment, or "noise" — that most of their decided neighbours have. Updates are
/// synchronous, so the result does not depend on the order people are visited in.
fn propagate(
    labels: &mut [Option<usize>],
    membership: &mut [Membership],
    fixed: &[bool],
    graph: &Graph,
    n_segments: usize,
) {
    // State: None = undecided, Some(n_segments) = noise, Some(s) = segment s.
    let noise = n_segments;
    let mut state: Vec<Option<usize>> = (0..labels.len())
        .map(|i| {
            if fixed[i] {
                Some(labels[i].unwrap_or(noise))
            } else {
                None
            }
        })
        .collect();
    let mut agreement = vec![0.0f64; labels.len()];
    let mut votes = vec![0usize; n_segments + 1];
    for _round in 0..50 {
        let mut next = state.clone();
        let mut changed = false;
        for i in 0..labels.len() {
            if fixed[i] {
                continue;
            }
            votes.iter_mut().for_each(|v| *v = 0);
            let mut decided = 0;
            for &j in graph.neighbours[i].iter().skip(1) {
                if let Some(Some(l)) = state.get(j as usize) {
                    votes[*l] += 1;
                    decided += 1;
                }
            }
            if decided == 0 {
                continue;
            }
            let (best, &v) = votes
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
                .unwrap_or((noise, &0));
            agreement[i] = v as f64 / decided as f64;
            if next[i] != Some(best) {
                next[i] = Some(best);
                changed = true;
            }
        }
        state = next;
        if !changed {
            break;
        }
    }
    for i in 0..labels.len() {
        if fixed[i] {
            continue;
        }
        labels[i] = state[i].filter(|&l| l != noise);
        membership[i] = match labels[i] {
            Some(_) if agreement[i] >= 0.8 => Membership::Core,
            Some(_) => Membership::Edge,
            None => Membership::Outlier,
        };
    }
}

/// A jump between consecutive neighbour distances, sorted, that sets members apart from their
/// segment (see [`pulled_in`]).
const GAP: f64 = 2.0;
/// ... and how far above the segment's median neighbour distance the jump must land.
const GAP_ABOVE_MEDIAN: f64 = 2.5;

/// For each segment, the neighbour distance from which members were pulled in from elsewhere
/// (infinite when none were): the first distance, in the upper half of the sorted members'
/// distances, at least [`GAP`] times the one before it and [`GAP_ABOVE_MEDIAN`] times the
/// median. A group's own members thin out gradually, even in the tails of a Gaussian; lone
/// outliers that smoothing drew into a segment sit beyond a jump (in the generated export of
/// seed 6, 5,000 rows: members up to 1.18× the median, then six outliers from 3.2×).
fn pulled_in(labels: &[Option<usize>], core: &[f64], n_segments: usize) -> Vec<f64> {
    sorted_by_segment(labels, core, n_segments)
        .into_iter()
        .map(|v| {
            let median = v.get(v.len() / 2).copied().unwrap_or(0.0);
            (v.len() / 2 + 1..v.len())
                .map(|k| (v[k - 1], v[k]))
                .find(|&(before, at)| at >= GAP * before && at >= GAP_ABOVE_MEDIAN * median)
                .map_or(f64::INFINITY, |(_, at)| at)
        })
        .collect()
}

/// For each segment, the 90th percentile of its members' neighbour distances: how far apart
/// ordinary members are.
fn segment_reach(labels: &[Option<usize>], core: &[f64], n_segments: usize) -> Vec<f64> {
    sorted_by_segment(labels, core, n_segments)
        .into_iter()
        .map(|v| v.get(v.len() * 9 / 10).copied().unwrap_or(0.0))
        .collect()
}

/// Each segment's members' neighbour distances, in increasing order.
fn sorted_by_segment(labels: &[Option<usize>], core: &[f64], n_segments: usize) -> Vec<Vec<f64>> {
    let mut by_segment: Vec<Vec<f64>> = vec![Vec::new(); n_segments];
    for (l, &c) in labels.iter().zip(core) {
        if let Some(s) = l {
            by_segment[*s].push(c);
        }
    }
    for v in &mut by_segment {
        v.sort_by(f64::total_cmp);
    }
    by_segment
}

/// Tries nine smallest-segment sizes around `m0` (¼× to 4×, steps of √2), counting the
/// segments each gives, and keeps the size on the flattest stretch of that count, preferring
/// sizes near `m0`: a default away from parameter cliffs, where one step would collapse many
/// segments into few.
pub fn choose_min_cluster_size(
    m0: usize,
    segments_for: impl Fn(usize) -> usize,
) -> (usize, Vec<(usize, usize)>) {
    let mut sizes: Vec<usize> = (-4..=4)
        .map(|s: i32| ((m0 as f64) * libm::pow(2.0, f64::from(s) / 2.0)).round() as usize)
        .map(|m| m.max(5))
        .collect();
    sizes.dedup();
    let sweep: Vec<(usize, usize)> = sizes.iter().map(|&m| (m, segments_for(m))).collect();
    let mut best = (f64::INFINITY, m0);
    for i in 0..sweep.len() {
        let c = sweep[i].1 as f64;
        let prev = if i > 0 { sweep[i - 1].1 as f64 } else { c };
        let next = sweep.get(i + 1).map_or(c, |x| x.1 as f64);
        let jump = ((prev - c).abs() + (next - c).abs()) / c.max(1.0);
        let distance = libm::log2(sweep[i].0 as f64 / m0 as f64).abs();
        let score = jump + 0.25 * distance;
        if score < best.0 {
            best = (score, sweep[i].0);
        }
    }
    (best.1, sweep)
}

/// k-means or a Gaussian mixture fitted on the sample and applied to everyone; outliers are
/// people more than 3 robust spreads beyond their group's typical distance to its centre.
/// Returns each person's group, how they belong, and the number of groups.
fn centroid_based(
    points: &Dense,
    sample: &[usize],
    p: &ClusterParams,
) -> (Vec<Option<usize>>, Vec<Membership>, usize) {
    let n = points.rows;
    let assigned = fit_predict(points, sample, p.method, p.k, p.seed);
    // Renumber groups densely in order of first appearance.
    let mut map = std::collections::BTreeMap::new();
    let labels_raw: Vec<usize> = assigned
        .iter()
        .map(|&a| {
            let next = map.len();
            *map.entry(a).or_insert(next)
        })
        .collect();
    let n_segments = map.len();
    let mut centres = Dense::zeros(n_segments, points.cols);
    let mut counts = vec![0usize; n_segments];
    for (i, &s) in labels_raw.iter().enumerate() {
        counts[s] += 1;
        for (c, v) in centres.row_mut(s).iter_mut().zip(points.row(i)) {
            *c += v;
        }
    }
    for (s, &count) in counts.iter().enumerate() {
        let cnt = count.max(1) as f64;
        centres.row_mut(s).iter_mut().for_each(|c| *c /= cnt);
    }
    let dist: Vec<f64> = (0..n)
        .map(|i| libm::sqrt(dist2(points.row(i), centres.row(labels_raw[i]))))
        .collect();
    let mut limit = vec![f64::INFINITY; n_segments];
    for (s, lim) in limit.iter_mut().enumerate() {
        let mut d: Vec<f64> = (0..n)
            .filter(|&i| labels_raw[i] == s)
            .map(|i| dist[i])
            .collect();
        d.sort_by(f64::total_cmp);
        let med = d.get(d.len() / 2).copied().unwrap_or(0.0);
        let mut dev: Vec<f64> = d.iter().map(|x| (x - med).abs()).collect();
        dev.sort_by(f64::total_cmp);
        let mad = dev.get(dev.len() / 2).copied().unwrap_or(0.0);
        *lim = med + 3.0 * 1.4826 * mad.max(1e-12);
    }
    let mut labels = Vec::with_capacity(n);
    let mut membership = Vec::with_capacity(n);
    for i in 0..n {
        let s = labels_raw[i];
        if dist[i] > limit[s] {
            labels.push(None);
            membership.push(Membership::Outlier);
        } else {
            labels.push(Some(s));
            membership.push(if dist[i] > limit[s] * 0.75 {
                Membership::Edge
            } else {
                Membership::Core
            });
        }
    }
    (labels, membership, n_segments)
}

/// Fits k-means or a mixture on the `fit` rows and predicts a group for every row.
fn fit_predict(points: &Dense, fit: &[usize], method: Method, k: usize, seed: u64) -> Vec<usize> {
    let n = points.rows;
    let sub = rows(points, fit);
    let k = k.min(sub.rows).max(1);
    let to_array = |d: &Dense| {
        ndarray::Array2::from_shape_vec((d.rows, d.cols), d.data.clone())
            .unwrap_or_else(|_| ndarray::Array2::zeros((d.rows, d.cols)))
    };
    let (train, all) = (to_array(&sub), to_array(points));
    let dataset = linfa::DatasetBase::from(train);
    let rng = rand_xoshiro::Xoshiro256Plus::seed_from_u64(seed);
    match method {
        Method::GaussianMixture => linfa_clustering::GaussianMixtureModel::params_with_rng(k, rng)
            .max_n_iterations(200)
            .fit(&dataset)
            .map(|model| model.predict(&all).to_vec())
            .unwrap_or_else(|_| vec![0; n]),
        _ => linfa_clustering::KMeans::params_with_rng(k, rng)
            .max_n_iterations(200)
            .fit(&dataset)
            .map(|model| model.predict(&all).to_vec())
            .unwrap_or_else(|_| vec![0; n]),
    }
}

/// People kept in each stability resample: 80 % of a small sample, but no more than needed
/// (half of a large sample, at least this many) — the resamples cost as much as the first run.
const STABILITY_SAMPLE: usize = 3000;

/// Mean best Jaccard of each segment over subsamples of the sample, compared with the
/// segments the sample itself was given (`labels`, one per sample person), like with like.
/// `sizes` are the smallest segment size (in people of the whole file) and density
/// neighbourhood the sample used. `progress` goes from 0 to 1.
#[allow(clippy::too_many_arguments)]
fn stability(
    points: &Dense,
    sample: &[usize],
    labels: &[Option<usize>],
    n_segments: usize,
    sizes: (usize, usize),
    p: &ClusterParams,
    respects: Option<&Respects<'_>>,
    progress: &mut dyn FnMut(f64),
) -> Vec<Option<f64>> {
    let size = (sample.len() * 4 / 5)
        .min((sample.len() / 2).max(STABILITY_SAMPLE))
        .max(2);
    let n = points.rows;
    let (min_cluster_size, min_samples) = sizes;
    let mut totals = vec![0.0; n_segments];
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(p.seed ^ 0x5eed);
    for b in 0..p.resamples {
        // Positions in the sample; it is sorted, so these sort as its people do.
        let mut kept: Vec<usize> = (0..sample.len()).collect();
        kept.shuffle(&mut rng);
        kept.truncate(size);
        kept.sort_unstable();
        let idx: Vec<usize> = kept.iter().map(|&r| sample[r]).collect();
        let sub = rows(points, &idx);
        let again: Vec<Option<usize>> = match p.method {
            Method::Density => {
                let m = ((min_cluster_size as f64 * size as f64 / n.max(1) as f64).round()
                    as usize)
                    .max(5);
                cluster_sample(
                    &sub,
                    &idx,
                    m,
                    false,
                    Some(min_samples.max(1)),
                    p.max_separation,
                    respects,
                    p.seed.wrapping_add(b as u64 + 1),
                )
                .labels
            }
            _ => fit_predict(
                &sub,
                &(0..size).collect::<Vec<_>>(),
                p.method,
                p.k,
                p.seed.wrapping_add(b as u64 + 1),
            )
            .into_iter()
            .map(Some)
            .collect(),
        };
        let n_again = again.iter().flatten().map(|&l| l + 1).max().unwrap_or(0);
        let mut inter = vec![vec![0usize; n_again]; n_segments];
        let mut orig_size = vec![0usize; n_segments];
        let mut new_size = vec![0usize; n_again];
        for (r, &at) in kept.iter().enumerate() {
            if let Some(t) = again[r] {
                new_size[t] += 1;
            }
            if let Some(s) = labels[at] {
                orig_size[s] += 1;
                if let Some(t) = again[r] {
                    inter[s][t] += 1;
                }
            }
        }
        for s in 0..n_segments {
            let best = (0..n_again)
                .map(|t| {
                    let union = orig_size[s] + new_size[t] - inter[s][t];
                    if union == 0 {
                        0.0
                    } else {
                        inter[s][t] as f64 / union as f64
                    }
                })
                .fold(0.0, f64::max);
            totals[s] += best;
        }
        progress((b + 1) as f64 / p.resamples as f64);
    }
    totals
        .iter()
        .map(|t| Some(t / p.resamples as f64))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::linalg::gaussian;
    use rand::Rng;

    /// Three blobs: 300, 300 and 12 points, and 4 scattered points far from all.
    fn blobs() -> (Dense, Vec<Option<usize>>) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let centres = [(0.0, 0.0, 300usize), (10.0, 0.0, 300), (5.0, 12.0, 12)];
        let mut data = Vec::new();
        let mut truth = Vec::new();
        for (c, &(x, y, count)) in centres.iter().enumerate() {
            let spread = if count < 20 { 0.2 } else { 1.0 };
            for _ in 0..count {
                data.push(x + spread * gaussian(&mut rng));
                data.push(y + spread * gaussian(&mut rng));
                truth.push(Some(c));
            }
        }
        for &(x, y) in &[(30.0, 30.0), (-30.0, 25.0), (40.0, -30.0), (-25.0, -35.0)] {
            data.push(x);
            data.push(y);
            truth.push(None);
        }
        (
            Dense {
                rows: truth.len(),
                cols: 2,
                data,
            },
            truth,
        )
    }

    #[test]
    fn small_groups_and_lone_outliers_survive() {
        let (points, truth) = blobs();
        let params = ClusterParams {
            resamples: 2,
            ..Default::default()
        }
        .check()
        .expect("valid");
        let c = segment(&points, &params, None, &mut |_| {});
        assert_eq!(
            c.n_segments, 3,
            "two big blobs and the 12-person group: {:?}",
            c.sweep
        );
        for far in 612..616 {
            assert_eq!(c.labels[far], None, "point {far} is a lone outlier");
            assert_eq!(c.membership[far], Membership::Outlier);
        }
        for blob in 0..3 {
            let labels: std::collections::BTreeSet<Option<usize>> = (0..612)
                .filter(|&i| truth[i] == Some(blob))
                .map(|i| c.labels[i])
                .collect();
            assert_eq!(labels.len(), 1, "blob {blob} is one segment: {labels:?}");
        }
        assert!(
            c.stability.iter().flatten().all(|&v| v > 0.8),
            "{:?}",
            c.stability
        );
    }

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

    #[test]
    fn outliers_smoothed_into_a_small_group_leave_it() {
        // Two large groups, a tight group of 40 and, a few steps from it, a loose clump of six
        // people unlike anyone: smoothing draws the clump into the small group, and six of 46
        // are enough to set that group's 90th percentile. Beyond the jump in the group's
        // neighbour distances, they leave.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let mut data = Vec::new();
        for (x, y, n, spread) in [
            (0.0, 0.0, 400, 1.0),
            (12.0, 0.0, 400, 1.0),
            (6.0, 14.0, 40, 0.3),
        ] {
            for _ in 0..n {
                data.extend([
                    x + spread * gaussian(&mut rng),
                    y + spread * gaussian(&mut rng),
                ]);
            }
        }
        for k in 0..6 {
            let angle = k as f64;
            data.extend([6.0 + 2.5 * libm::cos(angle), 14.0 + 2.5 * libm::sin(angle)]);
        }
        let points = Dense {
            rows: data.len() / 2,
            cols: 2,
            data,
        };
        let params = ClusterParams {
            min_cluster_size: Some(20),
            resamples: 0,
            ..Default::default()
        }
        .check()
        .expect("valid");
        let c = segment(&points, &params, None, &mut |_| {});
        let small = c.labels[800];
        assert!(small.is_some());
        assert!(
            (800..840).all(|i| c.labels[i] == small),
            "the 40 are one segment"
        );
        for i in 840..846 {
            assert_eq!(c.labels[i], None, "clump member {i}: {:?}", c.membership[i]);
        }
    }

    /// `n` points in two well-separated Gaussian groups, alternating.
    fn two_groups(n: usize) -> Dense {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(8);
        let data: Vec<f64> = (0..n)
            .flat_map(|i| {
                let x = if i % 2 == 0 { 0.0 } else { 20.0 };
                [x + gaussian(&mut rng), gaussian(&mut rng)]
            })
            .collect();
        Dense {
            rows: n,
            cols: 2,
            data,
        }
    }

    #[test]
    fn labels_spread_from_the_sample_to_everyone() {
        // Two well-separated groups of 5,000: the sample holds 6,000, the rest get labels by
        // propagation, and each group stays one segment.
        let n = 10_000;
        let points = two_groups(n);
        let params = ClusterParams {
            resamples: 0,
            ..Default::default()
        }
        .check()
        .expect("valid");
        let c = segment(&points, &params, None, &mut |_| {});
        assert_eq!(c.n_segments, 2);
        // Each group is one segment; only a few people in the Gaussian tails are outliers.
        for parity in 0..2 {
            let labels: Vec<Option<usize>> = (parity..n).step_by(2).map(|i| c.labels[i]).collect();
            let first = labels.iter().flatten().next().copied();
            let same = labels.iter().filter(|l| **l == first).count();
            assert!(
                same * 100 >= labels.len() * 99,
                "group {parity}: {same} of {}",
                labels.len()
            );
            assert!(labels.iter().all(|l| l.is_none() || *l == first));
        }
        assert_ne!(c.labels[0], c.labels[1]);
    }

    #[test]
    fn the_graph_built_apart_changes_nothing() {
        // The web worker builds everyone's graph in a second worker and finishes with it; the
        // result must be what `segment` (two threads) gives, for both kinds of method.
        let points = two_groups(8_000);
        for method in [Method::Density, Method::KMeans] {
            let params = ClusterParams {
                method,
                k: 2,
                resamples: 2,
                ..Default::default()
            }
            .check()
            .expect("valid");
            let together = segment(&points, &params, None, &mut |_| {});
            let part = segment_sample(&points, &params, None, &mut |_| {});
            let graph = everyone_graph(&points, params.0.seed);
            let apart = segment_everyone(&points, part, &graph, &params);
            assert_eq!(together, apart, "{method:?}");
            assert_eq!(together.n_segments, 2, "{method:?}");
            assert!(
                together
                    .stability
                    .iter()
                    .all(|s| s.is_some_and(|v| v > 0.9)),
                "{method:?}: {:?}",
                together.stability
            );
        }
    }

    #[test]
    fn same_input_same_segments() {
        let (points, _) = blobs();
        let params = ClusterParams::default().check().expect("valid");
        let a = segment(&points, &params, None, &mut |_| {});
        let b = segment(&points, &params, None, &mut |_| {});
        assert_eq!(a, b);
    }

    #[test]
    fn kmeans_alternative_runs_and_flags_far_points() {
        let (points, _) = blobs();
        let params = ClusterParams {
            method: Method::KMeans,
            k: 3,
            resamples: 0,
            ..Default::default()
        }
        .check()
        .expect("valid");
        let c = segment(&points, &params, None, &mut |_| {});
        assert!(c.n_segments <= 3 && c.n_segments >= 2);
        assert!(
            (612..616).all(|i| c.labels[i].is_none()),
            "far points are outliers"
        );
    }

    #[test]
    fn invalid_settings_are_refused() {
        assert_eq!(
            ClusterParams {
                min_cluster_size: Some(1),
                ..Default::default()
            }
            .check(),
            Err(ParamError::MinClusterSize(1))
        );
        assert_eq!(
            ClusterParams {
                k: 0,
                ..Default::default()
            }
            .check(),
            Err(ParamError::K(0))
        );
    }
}
