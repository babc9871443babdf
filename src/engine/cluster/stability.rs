//! Step 8 of the module doc: how stable each segment is, as its mean best Jaccard overlap
//! with the segments found again on random subsamples of the sample (Hennig 2007).
//!
//! # References
//! Hennig, C. (2007). Cluster-wise assessment of cluster stability. CSDA 52(1).

use super::super::linalg::Dense;
use super::centroid::fit_predict;
use super::merge::Respects;
use super::params::{ClusterParams, Method};
use super::{cluster_sample, rows};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_xoshiro::Xoshiro256PlusPlus;

/// People kept in each stability resample: 80 % of a small sample, but no more than needed
/// (half of a large sample, at least this many) — the resamples cost as much as the first run.
const STABILITY_SAMPLE: usize = 3000;

/// Mean best Jaccard of each segment over subsamples of the sample, compared with the
/// segments the sample itself was given (`labels`, one per sample person), like with like.
/// `sizes` are the smallest segment size (in people of the whole file) and density
/// neighbourhood the sample used. `progress` goes from 0 to 1.
#[allow(clippy::too_many_arguments)]
pub(super) fn stability(
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
