//! The alternatives to density clustering: k-means and Gaussian mixtures from
//! `linfa-clustering`, fitted on the sample and applied to everyone. Their outliers are people
//! unusually far from their group's centre.

use super::super::linalg::{Dense, dist2};
use super::params::{ClusterParams, Method};
use super::{Membership, rows};
use linfa::prelude::*;
use rand::SeedableRng;

/// k-means or a Gaussian mixture fitted on the sample and applied to everyone; outliers are
/// people more than 3 robust spreads beyond their group's typical distance to its centre.
/// Returns each person's group, how they belong, and the number of groups.
pub(super) fn centroid_based(
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
pub(super) fn fit_predict(
    points: &Dense,
    fit: &[usize],
    method: Method,
    k: usize,
    seed: u64,
) -> Vec<usize> {
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
