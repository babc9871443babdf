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

use super::super::linalg::{Dense, dist2, lane_sum};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Leaf size of the random projection trees.
const LEAF: usize = 24;
/// Up to this many points, neighbours are found exactly (all pairs), which also gets tiny
/// isolated groups right, whose nearest outsiders a forest can miss. Above it the forest is
/// three times faster already at 3,000 points (0.03 s against 0.09 s, recall 90 %), with the
/// same planted segments found (`edgewise evaluate --rows 2000` and `--rows 3000`).
pub const EXACT_UP_TO: usize = 1000;
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
/// The common case — farther than a full list's last — is decided inline.
#[inline]
fn offer(list: &mut Vec<(f64, u32)>, k: usize, d2: f64, j: u32) -> bool {
    if list.len() == k && list.last().is_some_and(|l| (d2, j) >= (l.0, l.1)) {
        return false;
    }
    insert(list, k, d2, j)
}

/// [`offer`]'s insertion, once `(d2, j)` is known to be near enough.
#[inline(never)]
fn insert(list: &mut Vec<(f64, u32)>, k: usize, d2: f64, j: u32) -> bool {
    if list.iter().any(|x| x.1 == j) {
        return false;
    }
    let pos = list.partition_point(|x| (x.0, x.1) < (d2, j));
    list.insert(pos, (d2, j));
    list.truncate(k);
    true
}

/// Nearest-first candidate lists of at most `k` entries per point, in one flat array.
struct Lists {
    k: usize,
    /// `(squared distance, index)`, `k` slots per point.
    slots: Vec<(f32, u32)>,
    len: Vec<u32>,
}

impl Lists {
    /// Every point's list holds itself at distance 0.
    fn new(n: usize, k: usize) -> Lists {
        let mut slots = vec![(0.0, 0); n * k];
        for i in 0..n {
            slots[i * k] = (0.0, i as u32);
        }
        Lists {
            k,
            slots,
            len: vec![1; n],
        }
    }

    fn of(&self, i: usize) -> &[(f32, u32)] {
        &self.slots[i * self.k..i * self.k + self.len[i] as usize]
    }

    /// Inserts `(d2, j)` into `i`'s list unless it is already there or not among the `k`
    /// nearest so far. The common case — farther than a full list's last — is decided inline.
    #[inline]
    fn offer(&mut self, i: usize, d2: f32, j: u32) {
        let k = self.k;
        if self.len[i] as usize == k && (d2, j) >= self.slots[i * k + k - 1] {
            return;
        }
        self.insert(i, d2, j);
    }

    /// [`Lists::offer`]'s insertion, once `(d2, j)` is known to be near enough.
    #[inline(never)]
    fn insert(&mut self, i: usize, d2: f32, j: u32) {
        let k = self.k;
        let len = self.len[i] as usize;
        let list = &mut self.slots[i * k..(i + 1) * k];
        if list[..len].iter().any(|x| x.1 == j) {
            return;
        }
        let pos = list[..len].partition_point(|x| (x.0, x.1) < (d2, j));
        let new_len = (len + 1).min(k);
        list.copy_within(pos..new_len - 1, pos + 1);
        list[pos] = (d2, j);
        self.len[i] = new_len as u32;
    }
}

/// Squared distance in single precision (see `linalg::lane_sum`).
fn dist2_f32(a: &[f32], b: &[f32]) -> f32 {
    lane_sum(a, b, |x, y| (x - y) * (x - y))
}

/// Dot product in single precision.
fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
    lane_sum(a, b, |x, y| x * y)
}

/// Points for the random projection trees: single-precision rows that the trees physically
/// reorder as they split, with each row's index alongside. Keeping a node's rows contiguous
/// makes every split and every leaf a sequential read; following indices into the original
/// matrix instead spent most of the time waiting for memory.
struct Forest {
    dims: usize,
    rows: Vec<f32>,
    ids: Vec<u32>,
}

impl Forest {
    fn new(points: &Dense) -> Forest {
        Forest {
            dims: points.cols,
            rows: points.data.iter().map(|&v| v as f32).collect(),
            ids: (0..points.rows as u32).collect(),
        }
    }

    fn row(&self, r: usize) -> &[f32] {
        &self.rows[r * self.dims..(r + 1) * self.dims]
    }

    fn swap_rows(&mut self, a: usize, b: usize) {
        let d = self.dims;
        let (lo, hi) = (a.min(b), a.max(b));
        if lo == hi {
            return;
        }
        let (left, right) = self.rows.split_at_mut(hi * d);
        left[lo * d..(lo + 1) * d].swap_with_slice(&mut right[..d]);
        self.ids.swap(lo, hi);
    }

    /// One random projection tree over all rows: each node splits its rows in two
    /// ([`Forest::split`]) until at most [`LEAF`] remain; `leaf` gets each leaf's row range.
    fn tree(&mut self, rng: &mut Xoshiro256PlusPlus, leaf: &mut dyn FnMut(&Forest, usize, usize)) {
        let d = self.dims;
        let mut stack: Vec<(usize, usize)> = vec![(0, self.ids.len())];
        let mut scratch = vec![0.0f32; 3 * d];
        while let Some((start, end)) = stack.pop() {
            let len = end - start;
            if len <= LEAF {
                leaf(self, start, end);
                continue;
            }
            let mut mid = self.split((start, end), rng, &mut scratch);
            if mid == start || mid == end {
                mid = start + len / 2;
            }
            stack.push((mid, end));
            stack.push((start, mid));
        }
    }

    /// Splits rows `start..end` by the hyperplane halfway between two random ones of them
    /// and returns where the second side begins. `scratch` holds three rows' worth of room.
    /// Out of line (see [`exact_pairs`]).
    #[inline(never)]
    fn split(
        &mut self,
        (start, end): (usize, usize),
        rng: &mut Xoshiro256PlusPlus,
        scratch: &mut [f32],
    ) -> usize {
        let (len, d) = (end - start, self.dims);
        let a = start + rng.gen_range(0..len);
        let mut b = start + rng.gen_range(0..len);
        for _ in 0..4 {
            if b != a && self.row(a) != self.row(b) {
                break;
            }
            b = start + rng.gen_range(0..len);
        }
        let (pa, rest) = scratch.split_at_mut(d);
        let (pb, normal) = rest.split_at_mut(d);
        pa.copy_from_slice(self.row(a));
        pb.copy_from_slice(self.row(b));
        for ((nv, x), y) in normal.iter_mut().zip(pa.iter()).zip(pb.iter()) {
            *nv = x - y;
        }
        let offset = 0.5 * (dot_f32(normal, pa) + dot_f32(normal, pb));
        // Hoare-style partition from both ends: two sequential streams, and each row's side
        // is computed once (ties alternate sides, so identical points still split).
        let mut flip = false;
        let mut goes_left = |row: &[f32]| {
            let side = dot_f32(normal, row) - offset;
            if side == 0.0 {
                flip = !flip;
                flip
            } else {
                side < 0.0
            }
        };
        let (mut lo, mut hi) = (start, end);
        loop {
            while lo < hi && goes_left(self.row(lo)) {
                lo += 1;
            }
            while lo < hi && !goes_left(self.row(hi - 1)) {
                hi -= 1;
            }
            if hi - lo < 2 {
                // Row `lo`, if any is left, goes to the second side: nothing more to move.
                break;
            }
            self.swap_rows(lo, hi - 1);
            lo += 1;
            hi -= 1;
        }
        lo
    }
}

/// Offers point `i` and every later point to each other's exact lists. Out of line, like
/// the other per-point steps here: V8 only optimises WebAssembly between calls (see
/// `linalg::add_outer`).
#[inline(never)]
fn exact_pairs(points: &Dense, i: usize, k: usize, lists: &mut [Vec<(f64, u32)>]) {
    for j in i + 1..points.rows {
        let d2 = dist2(points.row(i), points.row(j));
        offer(&mut lists[i], k, d2, j as u32);
        offer(&mut lists[j], k, d2, i as u32);
    }
}

/// NN-descent for point `i`: offers it its nearest neighbours' nearest neighbours
/// (`snapshot`). `seen[l]` is `i` once `l` is in `i`'s list or has been tried for it, so each
/// candidate costs one distance at most. Out of line (see [`exact_pairs`]).
#[inline(never)]
fn descend(
    i: usize,
    snapshot: &[Vec<u32>],
    rows: &[f32],
    dims: usize,
    seen: &mut [u32],
    candidates: &mut Lists,
) {
    let row = |r: usize| &rows[r * dims..(r + 1) * dims];
    let me = i as u32;
    seen[i] = me;
    for x in candidates.of(i) {
        seen[x.1 as usize] = me;
    }
    for &j in snapshot[i].iter().skip(1) {
        for &l in snapshot[j as usize].iter().skip(1) {
            if seen[l as usize] != me {
                seen[l as usize] = me;
                candidates.offer(i, dist2_f32(row(i), row(l as usize)), l);
            }
        }
    }
}

/// The approximate `k`-nearest-neighbour graph of the rows of `points`.
pub fn knn_graph(points: &Dense, k: usize, seed: u64) -> Graph {
    let n = points.rows;
    let k = k.clamp(1, n.max(1));
    let mut lists: Vec<Vec<(f64, u32)>>;
    if n <= EXACT_UP_TO {
        // Small inputs: exact, all pairs.
        lists = (0..n).map(|i| vec![(0.0, i as u32)]).collect();
        for i in 0..n {
            exact_pairs(points, i, k, &mut lists);
        }
    } else {
        lists = vec![Vec::new(); n];
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        // A first tree orders the points: neighbours then sit close together, which is most
        // of the speed of everything after. Candidates are numbered in that order.
        let mut forest = Forest::new(points);
        let mut first_leaves = Vec::new();
        forest.tree(&mut rng, &mut |_, start, end| {
            first_leaves.push((start, end))
        });
        let order = std::mem::replace(&mut forest.ids, (0..n as u32).collect());
        // Rows in the first tree's order, for the descent below.
        let local = forest.rows.clone();
        let mut candidates = Lists::new(n, k);
        let mut leaf = |f: &Forest, start: usize, end: usize| {
            for a in start..end {
                let i = f.ids[a] as usize;
                for b in a + 1..end {
                    let j = f.ids[b];
                    // Pairs met in an earlier tree are already offered both ways.
                    if candidates.of(i).iter().any(|x| x.1 == j) {
                        continue;
                    }
                    let d2 = dist2_f32(f.row(a), f.row(b));
                    candidates.offer(i, d2, j);
                    candidates.offer(j as usize, d2, i as u32);
                }
            }
        };
        for &(start, end) in &first_leaves {
            leaf(&forest, start, end);
        }
        for _ in 1..TREES {
            forest.tree(&mut rng, &mut leaf);
        }
        // One round of NN-descent: try the nearest neighbours' nearest neighbours.
        const DESCENT: usize = 10;
        let snapshot: Vec<Vec<u32>> = (0..n)
            .map(|i| {
                candidates
                    .of(i)
                    .iter()
                    .take(DESCENT + 1)
                    .map(|x| x.1)
                    .collect()
            })
            .collect();
        let mut seen = vec![u32::MAX; n];
        for i in 0..n {
            descend(
                i,
                &snapshot,
                &local,
                points.cols,
                &mut seen,
                &mut candidates,
            );
        }
        // Distances again in full precision (on rows in the same order, for the same
        // locality), nearest first.
        let order_idx: Vec<usize> = order.iter().map(|&i| i as usize).collect();
        let local = super::rows(points, &order_idx);
        for r in 0..n {
            lists[order[r] as usize] = full_precision(r, candidates.of(r), &local, &order);
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

/// Row `r`'s candidates (numbered in the first tree's `order`, as `local`'s rows are) with
/// their distances in full precision, nearest first, numbered as in the input. Out of line,
/// called once per row, so that WebAssembly runs it optimised: V8 optimises a function
/// between calls, never during one (ARCHITECTURE.md).
#[inline(never)]
fn full_precision(
    r: usize,
    candidates: &[(f32, u32)],
    local: &Dense,
    order: &[u32],
) -> Vec<(f64, u32)> {
    let mut list: Vec<(f64, u32)> = candidates
        .iter()
        .map(|&(_, j)| {
            (
                dist2(local.row(r), local.row(j as usize)),
                order[j as usize],
            )
        })
        .collect();
    list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    list
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
