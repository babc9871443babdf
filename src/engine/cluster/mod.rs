//! Segments that keep the edges.
//!
//! The default method is density-based ([`hdbscan`]), chosen because it keeps small groups
//! and says who belongs nowhere, where k-means forces everyone into one of k round groups and
//! swallows the 1 % segments that are the point of Edgewise. Around it:
//!
//! * **Defaults that adapt to size.** `min_cluster_size` starts at 0.5 % of people (at least
//!   5), and is then moved to a *plateau*: the hierarchy is condensed for nine sizes from ¼×
//!   to 4× the start, and the size kept is the one whose neighbours give the same number of
//!   segments, so one step never collapses fifty segments into three.
//! * **Noise triage, not noise deletion.** People the density step leaves unassigned are
//!   examined again: one whose nearest neighbours mostly belong to one segment, and who is no
//!   farther from them than that segment's own members are from each other, joins it as an
//!   *edge member*; the rest are clustered again among themselves with a small minimum size,
//!   and compact groups found there become *micro-segments*. Whoever is left is a *lone outlier*.
//! * **Stability.** The whole procedure is re-run on random 80 % subsamples; a segment's
//!   stability is its mean best Jaccard overlap with the re-run's segments (Hennig 2007).
//! * **Alternatives.** k-means and Gaussian mixtures from `linfa-clustering`, for users who
//!   want them; their outliers are people unusually far from their group's centre.
//!
//! Everything is seeded; the same points and settings give the same segments.
//!
//! # References
//! Hennig, C. (2007). Cluster-wise assessment of cluster stability. CSDA 52(1).
//! Campello, Moulavi & Sander (2013); McInnes & Healy (2017) — see [`hdbscan`].

pub mod hdbscan;
pub mod kdtree;

use super::linalg::Dense;
use hdbscan::{Hierarchy, condense, select};
use linfa::prelude::*;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

/// Which clustering method forms segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    /// HDBSCAN with noise triage (the default).
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
    /// Smallest segment (density method); `None` = adapt to the number of people.
    pub min_cluster_size: Option<usize>,
    /// Neighbours defining density; `None` = adapt.
    pub min_samples: Option<usize>,
    /// Number of groups for k-means and mixtures.
    pub k: usize,
    /// Resamples for stability (0 = skip).
    pub resamples: usize,
    /// Seed for every random choice.
    pub seed: u64,
}

impl Default for ClusterParams {
    fn default() -> Self {
        ClusterParams { method: Method::Density, min_cluster_size: None, min_samples: None, k: 8, resamples: 3, seed: 42 }
    }
}

/// Settings that were checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterValidParams(ClusterParams);

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
}

impl ClusterParams {
    /// Validates the settings.
    pub fn check(self) -> Result<ClusterValidParams, ParamError> {
        if let Some(m) = self.min_cluster_size
            && m < 2
        {
            return Err(ParamError::MinClusterSize(m));
        }
        if !(1..=100).contains(&self.k) {
            return Err(ParamError::K(self.k));
        }
        if self.resamples > 20 {
            return Err(ParamError::Resamples(self.resamples));
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
    /// GLOSH outlier score per person (0 for methods without one).
    pub glosh: Vec<f64>,
    /// Distance to the `min_samples`-th neighbour.
    pub core_distance: Vec<f64>,
    /// Each person's nearest neighbours (themselves first).
    pub neighbours: Vec<Vec<u32>>,
    /// Number of segments.
    pub n_segments: usize,
    /// Per segment: found among the unassigned (a micro-segment).
    pub micro: Vec<bool>,
    /// Per segment: mean best Jaccard over resamples (`None` when not computed).
    pub stability: Vec<Option<f64>>,
    /// The smallest segment size used.
    pub min_cluster_size: usize,
    /// The density neighbourhood used.
    pub min_samples: usize,
    /// (min_cluster_size, segments) for each size tried.
    pub sweep: Vec<(usize, usize)>,
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
pub fn segment(points: &Dense, params: &ClusterValidParams, progress: &mut dyn FnMut(f64)) -> Clustering {
    let p = &params.0;
    let n = points.rows;
    let m0 = p.min_cluster_size.unwrap_or_else(|| default_min_cluster_size(n));
    let k = p.min_samples.unwrap_or_else(|| default_min_samples(m0));
    let mut result = match p.method {
        Method::Density => density(points, m0, k, p.min_cluster_size.is_none()),
        Method::KMeans | Method::GaussianMixture => centroid_based(points, p.method, p.k, k, p.seed),
    };
    progress(0.5);
    if p.resamples > 0 && result.n_segments > 0 && n >= 40 {
        result.stability = stability(points, &result, p, progress);
    }
    progress(1.0);
    result
}

/// HDBSCAN, plateau choice of the smallest size, and noise triage.
fn density(points: &Dense, m0: usize, k: usize, adapt: bool) -> Clustering {
    let n = points.rows;
    let h = Hierarchy::build(points, k);
    let (m, sweep) = if adapt { choose_min_cluster_size(&h, m0) } else { (m0, Vec::new()) };
    let selection = select(&condense(&h, m), false);
    let mut labels = selection.labels.clone();
    let mut n_segments = selection.selected.len();
    let mut membership: Vec<Membership> = labels
        .iter()
        .zip(&selection.strength)
        .map(|(l, &s)| match l {
            Some(_) if s >= 0.1 => Membership::Core,
            Some(_) => Membership::Edge,
            None => Membership::Outlier,
        })
        .collect();
    let mut micro = vec![false; n_segments];

    // 1. Attach the unassigned whose neighbours mostly belong to one segment and who are no
    //    farther from them than that segment's members usually are.
    let reach = segment_reach(&labels, &h.core, n_segments);
    for i in 0..n {
        if labels[i].is_some() {
            continue;
        }
        let mut votes = vec![0usize; n_segments];
        let neighbours = h.neighbours.get(i).map_or(&[][..], Vec::as_slice);
        for &j in neighbours.iter().skip(1) {
            if let Some(Some(s)) = selection.labels.get(j as usize) {
                votes[*s] += 1;
            }
        }
        let Some((s, &v)) = votes.iter().enumerate().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0))) else { continue };
        if v * 2 > neighbours.len().saturating_sub(1) && h.core[i] <= reach[s] {
            labels[i] = Some(s);
            membership[i] = Membership::Edge;
        }
    }

    // 2. Look for compact groups among the rest: micro-segments.
    let rest: Vec<usize> = (0..n).filter(|&i| labels[i].is_none()).collect();
    let m_micro = (m / 4).max(5);
    if rest.len() >= 2 * m_micro {
        let mut sub = Dense::zeros(rest.len(), points.cols);
        for (r, &i) in rest.iter().enumerate() {
            sub.row_mut(r).copy_from_slice(points.row(i));
        }
        let hs = Hierarchy::build(&sub, k.min(m_micro));
        let sel = select(&condense(&hs, m_micro), false);
        // Compact means: as dense, among themselves, as ordinary members are in the main run.
        let mut member_core: Vec<f64> = (0..n).filter(|&i| selection.labels[i].is_some()).map(|i| h.core[i]).collect();
        member_core.sort_by(f64::total_cmp);
        let typical = member_core.get(member_core.len() * 3 / 4).copied().unwrap_or(f64::INFINITY);
        for (c, _) in sel.selected.iter().enumerate() {
            let members: Vec<usize> = (0..rest.len()).filter(|&r| sel.labels[r] == Some(c)).collect();
            let mut cores: Vec<f64> = members.iter().map(|&r| hs.core[r]).collect();
            cores.sort_by(f64::total_cmp);
            let median = cores.get(cores.len() / 2).copied().unwrap_or(f64::INFINITY);
            if members.len() >= m_micro && median <= typical * 1.5 {
                let id = n_segments;
                n_segments += 1;
                micro.push(true);
                for &r in &members {
                    labels[rest[r]] = Some(id);
                    membership[rest[r]] = if sel.strength[r] >= 0.1 { Membership::Core } else { Membership::Edge };
                }
            }
        }
    }
    Clustering {
        labels,
        membership,
        glosh: selection.glosh,
        core_distance: h.core.clone(),
        neighbours: h.neighbours,
        n_segments,
        micro,
        stability: vec![None; n_segments],
        min_cluster_size: m,
        min_samples: k,
        sweep,
    }
}

/// For each segment, the 90th percentile of its members' core distances: how far apart
/// ordinary members are.
fn segment_reach(labels: &[Option<usize>], core: &[f64], n_segments: usize) -> Vec<f64> {
    let mut by_segment: Vec<Vec<f64>> = vec![Vec::new(); n_segments];
    for (l, &c) in labels.iter().zip(core) {
        if let Some(s) = l {
            by_segment[*s].push(c);
        }
    }
    by_segment
        .into_iter()
        .map(|mut v| {
            v.sort_by(f64::total_cmp);
            v.get(v.len() * 9 / 10).copied().unwrap_or(0.0)
        })
        .collect()
}

/// Condenses the hierarchy for nine sizes around `m0` (¼× to 4×, steps of √2) and keeps the
/// size on the flattest stretch of "number of segments", preferring sizes near `m0`.
pub fn choose_min_cluster_size(h: &Hierarchy, m0: usize) -> (usize, Vec<(usize, usize)>) {
    let mut sizes: Vec<usize> = (-4..=4)
        .map(|s: i32| ((m0 as f64) * libm::pow(2.0, f64::from(s) / 2.0)).round() as usize)
        .map(|m| m.max(5))
        .collect();
    sizes.dedup();
    let sweep: Vec<(usize, usize)> = sizes.iter().map(|&m| (m, select(&condense(h, m), false).selected.len())).collect();
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

/// k-means or a Gaussian mixture; outliers are people more than 3 robust spreads beyond
/// their group's typical distance to its centre.
fn centroid_based(points: &Dense, method: Method, k: usize, min_samples: usize, seed: u64) -> Clustering {
    let n = points.rows;
    let h_knn = knn_only(points, min_samples);
    let k = k.min(n).max(1);
    let array = ndarray::Array2::from_shape_vec((n, points.cols), points.data.clone()).unwrap_or_else(|_| ndarray::Array2::zeros((n, points.cols)));
    let dataset = linfa::DatasetBase::from(array.clone());
    let rng = rand_xoshiro::Xoshiro256Plus::seed_from_u64(seed);
    let assigned: Vec<usize> = match method {
        Method::GaussianMixture => linfa_clustering::GaussianMixtureModel::params_with_rng(k, rng)
            .max_n_iterations(200)
            .fit(&dataset)
            .map(|model| model.predict(&array).to_vec())
            .unwrap_or_else(|_| vec![0; n]),
        _ => linfa_clustering::KMeans::params_with_rng(k, rng)
            .max_n_iterations(200)
            .fit(&dataset)
            .map(|model| model.predict(&array).to_vec())
            .unwrap_or_else(|_| vec![0; n]),
    };
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
    for s in 0..n_segments {
        let cnt = counts[s].max(1) as f64;
        centres.row_mut(s).iter_mut().for_each(|c| *c /= cnt);
    }
    let dist: Vec<f64> = (0..n).map(|i| libm::sqrt(super::linalg::dist2(points.row(i), centres.row(labels_raw[i])))).collect();
    let mut limit = vec![f64::INFINITY; n_segments];
    for (s, lim) in limit.iter_mut().enumerate() {
        let mut d: Vec<f64> = (0..n).filter(|&i| labels_raw[i] == s).map(|i| dist[i]).collect();
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
            membership.push(if dist[i] > limit[s] * 0.75 { Membership::Edge } else { Membership::Core });
        }
    }
    Clustering {
        labels,
        membership,
        glosh: vec![0.0; n],
        core_distance: h_knn.0,
        neighbours: h_knn.1,
        n_segments,
        micro: vec![false; n_segments],
        stability: vec![None; n_segments],
        min_cluster_size: 0,
        min_samples: min_samples,
        sweep: Vec::new(),
    }
}

/// Core distances and neighbour lists without the spanning tree.
pub fn knn_only(points: &Dense, k: usize) -> (Vec<f64>, Vec<Vec<u32>>) {
    let tree = kdtree::KdTree::build(points);
    let n = points.rows;
    let mut core = vec![0.0; n];
    let mut neighbours = vec![Vec::new(); n];
    let mut buf = Vec::new();
    for t in 0..n {
        tree.knn(t, k.clamp(1, n.max(1)), &mut buf);
        let i = tree.order[t];
        core[i] = libm::sqrt(buf.last().map_or(0.0, |x| x.0));
        neighbours[i] = buf.iter().map(|&(_, u)| tree.order[u] as u32).collect();
    }
    (core, neighbours)
}

/// Most points a stability resample clusters; larger inputs are subsampled to this.
const MAX_RESAMPLE: usize = 20_000;

/// Mean best Jaccard of each segment over resamples of 80 % (at most [`MAX_RESAMPLE`]).
fn stability(points: &Dense, found: &Clustering, p: &ClusterParams, progress: &mut dyn FnMut(f64)) -> Vec<Option<f64>> {
    let n = points.rows;
    let size = ((n as f64 * 0.8) as usize).min(MAX_RESAMPLE).max(2);
    let scale = size as f64 / n as f64;
    let mut totals = vec![0.0; found.n_segments];
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(p.seed ^ 0x5eed);
    for b in 0..p.resamples {
        let mut idx: Vec<usize> = (0..n).collect();
        idx.shuffle(&mut rng);
        idx.truncate(size);
        idx.sort_unstable();
        let mut sub = Dense::zeros(size, points.cols);
        for (r, &i) in idx.iter().enumerate() {
            sub.row_mut(r).copy_from_slice(points.row(i));
        }
        let again = match p.method {
            Method::Density => {
                let m = ((found.min_cluster_size as f64 * scale).round() as usize).max(5);
                density(&sub, m, found.min_samples.min(m.max(4)), false)
            }
            _ => centroid_based(&sub, p.method, p.k, found.min_samples, p.seed.wrapping_add(b as u64 + 1)),
        };
        // Overlaps between original segments (restricted to the sample) and the re-run's.
        let mut inter = vec![vec![0usize; again.n_segments]; found.n_segments];
        let mut orig_size = vec![0usize; found.n_segments];
        let mut new_size = vec![0usize; again.n_segments];
        for (r, &i) in idx.iter().enumerate() {
            if let Some(t) = again.labels[r] {
                new_size[t] += 1;
            }
            if let Some(s) = found.labels[i] {
                orig_size[s] += 1;
                if let Some(t) = again.labels[r] {
                    inter[s][t] += 1;
                }
            }
        }
        for s in 0..found.n_segments {
            let best = (0..again.n_segments)
                .map(|t| {
                    let union = orig_size[s] + new_size[t] - inter[s][t];
                    if union == 0 { 0.0 } else { inter[s][t] as f64 / union as f64 }
                })
                .fold(0.0, f64::max);
            totals[s] += best;
        }
        progress(0.5 + 0.5 * (b + 1) as f64 / p.resamples as f64);
    }
    totals.into_iter().map(|t| Some(t / p.resamples as f64)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::linalg::gaussian;

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
        (Dense { rows: truth.len(), cols: 2, data }, truth)
    }

    #[test]
    fn small_groups_and_lone_outliers_survive() {
        let (points, truth) = blobs();
        let params = ClusterParams { resamples: 2, ..Default::default() }.check().expect("valid");
        let c = segment(&points, &params, &mut |_| {});
        assert_eq!(c.n_segments, 3, "two big blobs and the 12-person group: {:?}", c.sweep);
        for far in 612..616 {
            assert_eq!(c.labels[far], None, "point {far} is a lone outlier");
            assert_eq!(c.membership[far], Membership::Outlier);
        }
        // Everyone in a blob shares a label with the rest of their blob.
        for blob in 0..3 {
            let labels: std::collections::BTreeSet<Option<usize>> =
                (0..612).filter(|&i| truth[i] == Some(blob)).map(|i| c.labels[i]).collect();
            assert_eq!(labels.len(), 1, "blob {blob} is one segment: {labels:?}");
        }
        assert!(c.stability.iter().all(|s| s.is_some_and(|v| v > 0.8)), "{:?}", c.stability);
    }

    #[test]
    fn same_input_same_segments() {
        let (points, _) = blobs();
        let params = ClusterParams::default().check().expect("valid");
        let a = segment(&points, &params, &mut |_| {});
        let b = segment(&points, &params, &mut |_| {});
        assert_eq!(a, b);
    }

    #[test]
    fn kmeans_alternative_runs_and_flags_far_points() {
        let (points, _) = blobs();
        let params = ClusterParams { method: Method::KMeans, k: 3, resamples: 0, ..Default::default() }.check().expect("valid");
        let c = segment(&points, &params, &mut |_| {});
        assert!(c.n_segments <= 3 && c.n_segments >= 2);
        assert!((612..616).all(|i| c.labels[i].is_none()), "far points are outliers");
    }

    #[test]
    fn invalid_settings_are_refused() {
        assert_eq!(ClusterParams { min_cluster_size: Some(1), ..Default::default() }.check(), Err(ParamError::MinClusterSize(1)));
        assert_eq!(ClusterParams { k: 0, ..Default::default() }.check(), Err(ParamError::K(0)));
    }
}
