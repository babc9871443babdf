//! Approximate k-nearest-neighbour graphs in a few dozen dimensions.
//!
//! Exact k-d tree search degrades to brute force beyond ~15 dimensions, and the feature space
//! has 24. So neighbours are found as PyNNDescent does: a small forest of random projection
//! trees (each node splits its points by the hyperplane halfway between two of them) proposes
//! candidates — everyone sharing a leaf — and one round of NN-descent ("a neighbour of my
//! neighbour is likely my neighbour") refines them. Recall is typically above 90 %, which is
//! plenty for smoothing, label propagation and density estimates; HDBSCAN's own core distances
//! are exact (see `hdbscan`).
//!
//! # References
//! Dasgupta, S. & Freund, Y. (2008). Random projection trees and low dimensional manifolds. STOC.
//! Dong, W., Moses, C. & Li, K. (2011). Efficient k-nearest neighbor graph construction for
//! generic similarity measures. WWW.

use super::super::linalg::{Dense, dist2};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Leaf size of the random projection trees.
const LEAF: usize = 24;
/// Up to this many points, neighbours are found exactly (all pairs), which also gets tiny
/// isolated groups right, whose nearest outsiders a forest can miss.
const EXACT_UP_TO: usize = 3000;
/// Trees in the forest.
const TREES: usize = 8;

/// Each point's `k` nearest neighbours (itself first) with distances, nearest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    /// Neighbour indices per point.
    pub neighbours: Vec<Vec<u32>>,
    /// Matching distances.
    pub distances: Vec<Vec<f64>>,
}

impl Graph {
    /// Distance to the k-th neighbour (itself counted), for every point.
    pub fn kth_distance(&self, k: usize) -> Vec<f64> {
        self.distances
            .iter()
            .map(|d| {
                d.get(k.saturating_sub(1))
                    .or(d.last())
                    .copied()
                    .unwrap_or(0.0)
            })
            .collect()
    }
}

/// Inserts `(d2, j)` into a nearest-first list of at most `k`, ignoring duplicates.
fn offer(list: &mut Vec<(f64, u32)>, k: usize, d2: f64, j: u32) -> bool {
    if list.len() == k && list.last().is_some_and(|l| (d2, j) >= (l.0, l.1)) {
        return false;
    }
    if list.iter().any(|x| x.1 == j) {
        return false;
    }
    let pos = list.partition_point(|x| (x.0, x.1) < (d2, j));
    list.insert(pos, (d2, j));
    list.truncate(k);
    true
}

/// Splits `idx` recursively by random hyperplanes and calls `leaf` on each leaf.
fn rp_tree(
    points: &Dense,
    idx: &mut [u32],
    rng: &mut Xoshiro256PlusPlus,
    leaf: &mut dyn FnMut(&[u32]),
) {
    let mut stack: Vec<(usize, usize)> = vec![(0, idx.len())];
    let mut normal = vec![0.0; points.cols];
    while let Some((start, end)) = stack.pop() {
        let slice = &mut idx[start..end];
        if slice.len() <= LEAF {
            leaf(slice);
            continue;
        }
        let a = slice[rng.gen_range(0..slice.len())] as usize;
        let mut b = slice[rng.gen_range(0..slice.len())] as usize;
        for _ in 0..4 {
            if b != a && points.row(a) != points.row(b) {
                break;
            }
            b = slice[rng.gen_range(0..slice.len())] as usize;
        }
        let (pa, pb) = (points.row(a), points.row(b));
        for ((nv, x), y) in normal.iter_mut().zip(pa).zip(pb) {
            *nv = x - y;
        }
        let offset: f64 = normal
            .iter()
            .zip(pa)
            .zip(pb)
            .map(|((nv, x), y)| nv * (x + y) * 0.5)
            .sum();
        // Partition: side < 0 first; ties alternate so identical points still split.
        let mut left = 0;
        let mut flip = false;
        for i in 0..slice.len() {
            let p = points.row(slice[i] as usize);
            let side: f64 = normal.iter().zip(p).map(|(nv, x)| nv * x).sum::<f64>() - offset;
            let goes_left = if side == 0.0 {
                flip = !flip;
                flip
            } else {
                side < 0.0
            };
            if goes_left {
                slice.swap(i, left);
                left += 1;
            }
        }
        if left == 0 || left == slice.len() {
            left = slice.len() / 2;
        }
        stack.push((start + left, end));
        stack.push((start, start + left));
    }
}

/// The approximate `k`-nearest-neighbour graph of the rows of `points`.
pub fn knn_graph(points: &Dense, k: usize, seed: u64) -> Graph {
    let n = points.rows;
    let k = k.clamp(1, n.max(1));
    let mut lists: Vec<Vec<(f64, u32)>> = (0..n).map(|i| vec![(0.0, i as u32)]).collect();
    if n <= EXACT_UP_TO {
        // Small inputs: exact, all pairs.
        for i in 0..n {
            for j in i + 1..n {
                let d2 = dist2(points.row(i), points.row(j));
                offer(&mut lists[i], k, d2, j as u32);
                offer(&mut lists[j], k, d2, i as u32);
            }
        }
    } else {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        // Work in the order of a first tree's leaves: neighbours then sit close together in
        // memory, which is most of the speed on large inputs.
        let mut order: Vec<u32> = (0..n as u32).collect();
        let mut leaf_order = Vec::with_capacity(n);
        rp_tree(points, &mut order, &mut rng, &mut |leaf: &[u32]| {
            leaf_order.extend_from_slice(leaf)
        });
        let mut local = Dense::zeros(n, points.cols);
        for (r, &i) in leaf_order.iter().enumerate() {
            local.row_mut(r).copy_from_slice(points.row(i as usize));
        }
        let mut local_lists: Vec<Vec<(f64, u32)>> = (0..n).map(|i| vec![(0.0, i as u32)]).collect();
        let mut idx: Vec<u32> = (0..n as u32).collect();
        for _ in 0..TREES {
            rp_tree(&local, &mut idx, &mut rng, &mut |leaf: &[u32]| {
                for (a, &i) in leaf.iter().enumerate() {
                    for &j in &leaf[a + 1..] {
                        // Pairs met in an earlier tree are already offered both ways.
                        if local_lists[i as usize].iter().any(|x| x.1 == j) {
                            continue;
                        }
                        let d2 = dist2(local.row(i as usize), local.row(j as usize));
                        offer(&mut local_lists[i as usize], k, d2, j);
                        offer(&mut local_lists[j as usize], k, d2, i);
                    }
                }
            });
        }
        // One round of NN-descent: try the nearest neighbours' nearest neighbours.
        const DESCENT: usize = 10;
        let snapshot: Vec<Vec<u32>> = local_lists
            .iter()
            .map(|l| l.iter().take(DESCENT + 1).map(|x| x.1).collect())
            .collect();
        for i in 0..n {
            for &j in snapshot[i].iter().skip(1) {
                for &l in snapshot[j as usize].iter().skip(1) {
                    if l as usize != i && !local_lists[i].iter().any(|x| x.1 == l) {
                        let d2 = dist2(local.row(i), local.row(l as usize));
                        offer(&mut local_lists[i], k, d2, l);
                    }
                }
            }
        }
        for (r, list) in local_lists.into_iter().enumerate() {
            let original = leaf_order[r] as usize;
            lists[original] = list
                .into_iter()
                .map(|(d2, j)| (d2, leaf_order[j as usize]))
                .collect();
        }
    }
    Graph {
        neighbours: lists
            .iter()
            .map(|l| l.iter().map(|x| x.1).collect())
            .collect(),
        distances: lists
            .iter()
            .map(|l| l.iter().map(|x| libm::sqrt(x.0)).collect())
            .collect(),
    }
}

/// Diffusion smoothing: each step moves every point to the weighted mean of its neighbourhood
/// (itself included). Members of a group pull together, noise within groups averages out, and
/// the valleys between groups stand out, which is what density clustering needs in many
/// dimensions (a random-walk low-pass filter; Coifman & Lafon 2006). Mutual neighbours weigh
/// fully and one-sided ones less, so a group smaller than the neighbourhood — whose neighbours
/// do not count them back — is pulled only a little towards the crowd; and a local outlier
/// does not move at all.
///
/// Breunig, M., Kriegel, H.-P., Ng, R. & Sander, J. (2000). LOF: identifying density-based
/// local outliers. SIGMOD.
///
/// # References
/// Coifman, R. & Lafon, S. (2006). Diffusion maps. Applied and Computational Harmonic Analysis 21(1).
pub fn smooth(points: &Dense, graph: &Graph, steps: usize) -> Dense {
    // Weight 1 for mutual neighbours (and oneself), ONE_SIDED for a neighbour who does not
    // count us among theirs.
    const ONE_SIDED: f64 = 0.3;
    // A point whose neighbourhood is twice as wide as its neighbours' own (a local outlier
    // factor above 2; Breunig et al. 2000) is far from everyone it is "near": it stays put.
    const LOCAL_OUTLIER: f64 = 2.0;
    let width: Vec<f64> = graph
        .distances
        .iter()
        .map(|d| d.last().copied().unwrap_or(0.0))
        .collect();
    let weights: Vec<Vec<(u32, f64)>> = graph
        .neighbours
        .iter()
        .enumerate()
        .map(|(i, nb)| {
            let mut around: Vec<f64> = nb
                .iter()
                .skip(1)
                .filter_map(|&j| width.get(j as usize).copied())
                .collect();
            around.sort_by(f64::total_cmp);
            let typical = around.get(around.len() / 2).copied().unwrap_or(0.0);
            if width[i] > LOCAL_OUTLIER * typical && typical > 0.0 {
                return vec![(i as u32, 1.0)];
            }
            nb.iter()
                .map(|&j| {
                    let mutual = j as usize == i
                        || graph
                            .neighbours
                            .get(j as usize)
                            .is_some_and(|back| back.contains(&(i as u32)));
                    (j, if mutual { 1.0 } else { ONE_SIDED })
                })
                .collect()
        })
        .collect();
    let mut x = points.clone();
    for _ in 0..steps {
        let mut y = Dense::zeros(x.rows, x.cols);
        for (i, nb) in weights.iter().enumerate() {
            let row = y.row_mut(i);
            let mut total = 0.0;
            for &(j, w) in nb {
                total += w;
                for (r, v) in row.iter_mut().zip(x.row(j as usize)) {
                    *r += w * v;
                }
            }
            let total = if total > 0.0 { total } else { 1.0 };
            row.iter_mut().for_each(|r| *r /= total);
        }
        x = y;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approximate_graph_finds_most_true_neighbours() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let (n, d, k) = (4000, 20, 10);
        // Twenty blobs in twenty dimensions.
        let data: Vec<f64> = (0..n)
            .flat_map(|i| {
                let c = i % 20;
                (0..d)
                    .map(|j| if j == c { 5.0 } else { 0.0 } + rng.r#gen::<f64>())
                    .collect::<Vec<_>>()
            })
            .collect();
        let points = Dense {
            rows: n,
            cols: d,
            data,
        };
        let g = knn_graph(&points, k, 9);
        let mut hits = 0;
        for i in (0..n).step_by(100) {
            let mut exact: Vec<(f64, usize)> = (0..n)
                .map(|j| (dist2(points.row(i), points.row(j)), j))
                .collect();
            exact.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let truth: Vec<u32> = exact.iter().take(k).map(|x| x.1 as u32).collect();
            hits += g.neighbours[i].iter().filter(|j| truth.contains(j)).count();
        }
        let recall = hits as f64 / (40 * k) as f64;
        assert!(recall > 0.9, "recall {recall}");
        assert!(
            g.neighbours
                .iter()
                .enumerate()
                .all(|(i, nb)| nb[0] as usize == i),
            "each point is its own first neighbour"
        );
    }

    #[test]
    fn smoothing_pulls_a_group_together_and_keeps_groups_apart() {
        let data = vec![0.0, 0.2, 0.4, 10.0, 10.2, 10.4];
        let points = Dense {
            rows: 6,
            cols: 1,
            data,
        };
        let g = knn_graph(&points, 3, 1);
        let s = smooth(&points, &g, 3);
        assert!((s.get(0, 0) - s.get(2, 0)).abs() < 0.1);
        assert!((s.get(3, 0) - s.get(0, 0)).abs() > 9.0);
    }
}
