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
//! The work can be shared between cores with the same result ([`knn_graph_in_parts`]): each
//! tree draws from its own random stream and splits the points from the first tree's order,
//! so a share of the trees can be built anywhere ([`forest_part`], natively on a thread, in
//! the browser in a helper worker). Each point's candidates are the `k` nearest of all pairs
//! the trees offered it, whichever share offered them, so the shares merge exactly
//! ([`Candidates::merge`]); the descent and the final distances then depend, for each point,
//! only on its own candidates and everyone's nearest few ([`Finish`]).
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
pub const TREES: usize = 8;

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
fn offer<D: PartialOrd + Copy>(list: &mut Vec<(D, u32)>, k: usize, d2: D, j: u32) -> bool {
    if list.len() == k && list.last().is_some_and(|l| (d2, j) >= (l.0, l.1)) {
        return false;
    }
    insert(list, k, d2, j)
}

/// [`offer`]'s insertion, once `(d2, j)` is known to be near enough.
#[inline(never)]
fn insert<D: PartialOrd + Copy>(list: &mut Vec<(D, u32)>, k: usize, d2: D, j: u32) -> bool {
    if list.iter().any(|x| x.1 == j) {
        return false;
    }
    let pos = list.partition_point(|x| (x.0, x.1) < (d2, j));
    list.insert(pos, (d2, j));
    list.truncate(k);
    true
}

/// Nearest-first candidate lists of at most `k` entries per point, in one flat array.
#[derive(Debug, Clone, PartialEq)]
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

/// The approximate `k`-nearest-neighbour graph of the rows of `points`, on one core, its
/// trees drawing from one random stream (`Streams::OneForAll`). The graphs built within one
/// step (the sample's, the features', a segment's) use it; everyone's graph, large enough to
/// be worth sharing between cores, is built by [`knn_graph_in_parts`], whose forest is as good
/// (recall 92.8–93.6 % both, `edgewise neighbours` on a million points) but not the same.
pub fn knn_graph(points: &Dense, k: usize, seed: u64) -> Graph {
    let n = points.rows;
    let k = k.clamp(1, n.max(1));
    if n <= EXACT_UP_TO {
        return exact_graph(points, k);
    }
    let mut forest = Trees::new(points, k, seed, Streams::OneForAll);
    for t in 0..TREES {
        forest.build(t);
    }
    let candidates = forest.candidates();
    let finish = Finish::new(points, &candidates);
    finish.graph(vec![finish.rows(&candidates, 0..n)])
}

/// [`knn_graph`] with its work dealt into `parts` (natively one thread each; the web worker
/// deals the same parts to its helpers). The graph is the same for any number of parts.
pub fn knn_graph_in_parts(points: &Dense, k: usize, seed: u64, parts: usize) -> Graph {
    let n = points.rows;
    let k = k.clamp(1, n.max(1));
    if n <= EXACT_UP_TO {
        return exact_graph(points, k);
    }
    let parts = parts.clamp(1, TREES);
    let mut shares = in_parts(parts, |p| {
        forest_part(points, k, seed, tree_share(p, parts))
    });
    let mut candidates = shares.remove(0);
    for other in &shares {
        // Shares of one forest: always the same order and `k`.
        candidates.merge(other);
    }
    drop(shares);
    let finish = Finish::new(points, &candidates);
    let rows = in_parts(parts, |p| {
        finish.rows(&candidates, p * n / parts..(p + 1) * n / parts)
    });
    finish.graph(rows)
}

/// Small inputs: exact, all pairs.
fn exact_graph(points: &Dense, k: usize) -> Graph {
    let n = points.rows;
    let mut lists: Vec<Vec<(f64, u32)>> = (0..n).map(|i| vec![(0.0, i as u32)]).collect();
    for i in 0..n {
        exact_pairs(points, i, k, &mut lists);
    }
    Graph::of(lists)
}

/// `work(0..parts)`, natively on a thread per part; in WebAssembly one after another.
fn in_parts<T: Send>(parts: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    #[cfg(not(target_arch = "wasm32"))]
    if parts > 1 {
        return std::thread::scope(|scope| {
            let work = &work;
            let running: Vec<_> = (0..parts).map(|p| scope.spawn(move || work(p))).collect();
            running
                .into_iter()
                .map(|r| {
                    r.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
    }
    (0..parts).map(work).collect()
}

/// Parts to deal everyone's graph of `points` into on `cores` cores: one per core, at most
/// one per tree, and no more than the parts beyond the first can hold in `memory` bytes. A
/// part holds its trees' rows twice in single precision and `k` candidates per point (an
/// index and a distance each), besides the points themselves wherever they are not shared
/// (`copies_points`: a web worker's helper gets its own copy).
pub fn parts_within(
    points: &Dense,
    k: usize,
    cores: usize,
    memory: f64,
    copies_points: bool,
) -> usize {
    let per_value = if copies_points { 16.0 } else { 8.0 };
    let per_part = points.rows as f64 * (points.cols as f64 * per_value + k as f64 * 8.0);
    let affordable = 1 + (memory / per_part.max(1.0)) as usize;
    cores.clamp(1, TREES).min(affordable)
}

/// The trees part `part` of `parts` builds: a contiguous share of the forest's [`TREES`].
pub fn tree_share(part: usize, parts: usize) -> std::ops::Range<usize> {
    let parts = parts.clamp(1, TREES);
    let part = part.min(parts - 1);
    part * TREES / parts..(part + 1) * TREES / parts
}

/// The random stream of tree `t`: the seed's stream jumped `t` times (2^128 draws each), so
/// that a tree is the same whichever part of the work builds it.
fn tree_rng(seed: u64, t: usize) -> Xoshiro256PlusPlus {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    for _ in 0..t {
        rng.jump();
    }
    rng
}

/// Candidate neighbours offered by some of the forest's trees: each point's nearest-first
/// list of at most `k`, numbered in the first tree's order.
///
/// Each list holds the `k` nearest (by distance, then index) of all the pairs the trees put
/// in one leaf with the point, so lists from any split of the trees, [merged](Candidates::merge),
/// equal the lists of all trees built in one go.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidates {
    /// Position `r` in the first tree's order holds point `order[r]`.
    pub order: Vec<u32>,
    lists: Lists,
}

/// [`Candidates`] as flat arrays, to cross between web workers: the order, `k`, each list's
/// length, and `k` slots per point of squared distance and index.
pub struct CandidateArrays {
    pub order: Vec<u32>,
    pub k: u32,
    pub len: Vec<u32>,
    pub d2: Vec<f32>,
    pub ids: Vec<u32>,
}

impl Candidates {
    /// Adds `other`'s candidates to these, if they are of the same points in the same order
    /// (the same seed's first tree) and as many per point; says whether they were.
    pub fn merge(&mut self, other: &Candidates) -> bool {
        if other.order != self.order || other.lists.k != self.lists.k {
            return false;
        }
        for i in 0..self.order.len() {
            for &(d2, j) in other.lists.of(i) {
                self.lists.offer(i, d2, j);
            }
        }
        true
    }

    /// The candidates as flat arrays.
    pub fn into_arrays(self) -> CandidateArrays {
        let (d2, ids) = self.lists.slots.into_iter().unzip();
        CandidateArrays {
            order: self.order,
            k: self.lists.k as u32,
            len: self.lists.len,
            d2,
            ids,
        }
    }

    /// Candidates from flat arrays, or `None` unless they are whole candidates for `n`
    /// points: `order` a permutation, every list of one to `k` entries, every index a point
    /// and every squared distance a number, not below zero.
    pub fn from_arrays(a: CandidateArrays, n: usize) -> Option<Candidates> {
        let k = a.k as usize;
        let slots = n.checked_mul(k)?;
        if k == 0
            || a.order.len() != n
            || a.len.len() != n
            || a.d2.len() != slots
            || a.ids.len() != slots
        {
            return None;
        }
        let mut seen = vec![false; n];
        for &o in &a.order {
            let seen = seen.get_mut(o as usize)?;
            if std::mem::replace(seen, true) {
                return None;
            }
        }
        let lists = Lists {
            k,
            slots: a.d2.into_iter().zip(a.ids).collect(),
            len: a.len,
        };
        let whole = (0..n).all(|i| {
            let len = lists.len[i] as usize;
            (1..=k).contains(&len)
                && lists
                    .of(i)
                    .iter()
                    .all(|&(d2, j)| (j as usize) < n && d2 >= 0.0)
        });
        whole.then_some(Candidates {
            order: a.order,
            lists,
        })
    }
}

/// The candidates offered by the forest's trees `trees` (see [`tree_share`]).
///
/// Every part orders the points by the first tree (its splits, not its leaves' pairs, unless
/// the part holds tree 0), and every tree splits the points from that order, with its own
/// random stream (`tree_rng`): so a tree's leaves do not depend on which part builds it.
pub fn forest_part(
    points: &Dense,
    k: usize,
    seed: u64,
    trees: impl IntoIterator<Item = usize>,
) -> Candidates {
    let mut forest = Trees::new(points, k, seed, Streams::OnePerTree);
    for t in trees {
        forest.build(t);
    }
    forest.candidates()
}

/// How the forest's trees draw their hyperplanes.
#[derive(Clone, Copy, PartialEq)]
enum Streams {
    /// Each tree from its own stream ([`tree_rng`]), splitting the points from the first
    /// tree's order: any share of the trees can be built alone.
    OnePerTree,
    /// One stream for all trees, each splitting the points as the tree before left them:
    /// [`knn_graph`]'s forest on one core, as it was before the work could be shared.
    OneForAll,
}

/// Some of the forest's trees, built one at a time ([`forest_part`], [`knn_graph`]).
struct Trees {
    seed: u64,
    streams: Streams,
    forest: Forest,
    rng: Xoshiro256PlusPlus,
    order: Vec<u32>,
    /// The first tree's leaves, as ranges of rows in its order.
    first_leaves: Vec<(usize, usize)>,
    /// The rows in the first tree's order, once a tree after the first changed it (for
    /// [`Streams::OnePerTree`], whose every tree starts from it).
    first_order: Option<Vec<f32>>,
    /// Whether a tree after the first has been built.
    later_built: bool,
    candidates: Lists,
}

impl Trees {
    /// The first tree has ordered the points; no tree's pairs are offered yet.
    fn new(points: &Dense, k: usize, seed: u64, streams: Streams) -> Trees {
        let n = points.rows;
        let k = k.clamp(1, n.max(1));
        // A first tree orders the points: neighbours then sit close together, which is most
        // of the speed of everything after. Candidates are numbered in that order.
        let mut forest = Forest::new(points);
        let mut first_leaves = Vec::new();
        let mut rng = tree_rng(seed, 0);
        forest.tree(&mut rng, &mut |_, start, end| {
            first_leaves.push((start, end))
        });
        let order = std::mem::replace(&mut forest.ids, (0..n as u32).collect());
        Trees {
            seed,
            streams,
            forest,
            rng,
            order,
            first_leaves,
            first_order: None,
            later_built: false,
            candidates: Lists::new(n, k),
        }
    }

    /// Offers the pairs of tree `t`'s leaves (trees past [`TREES`] are not built; with
    /// [`Streams::OneForAll`], trees must come in order).
    fn build(&mut self, t: usize) {
        if t >= TREES {
            return;
        }
        let candidates = &mut self.candidates;
        if t == 0 {
            // The first tree's leaves are ranges of rows in its order: back to it first.
            if self.later_built
                && let Some(rows) = &self.first_order
            {
                self.forest.rows.copy_from_slice(rows);
                let ids = self.forest.ids.iter_mut();
                ids.enumerate().for_each(|(r, id)| *id = r as u32);
            }
            for &(start, end) in &self.first_leaves {
                leaf_pairs(candidates, &self.forest, start, end);
            }
            return;
        }
        if self.streams == Streams::OnePerTree {
            match &self.first_order {
                Some(rows) if self.later_built => {
                    self.forest.rows.copy_from_slice(rows);
                    let ids = self.forest.ids.iter_mut();
                    ids.enumerate().for_each(|(r, id)| *id = r as u32);
                }
                _ => self.first_order = Some(self.forest.rows.clone()),
            }
            self.rng = tree_rng(self.seed, t);
        }
        self.later_built = true;
        self.forest.tree(&mut self.rng, &mut |f, start, end| {
            leaf_pairs(candidates, f, start, end)
        });
    }

    /// The candidates of the trees built.
    fn candidates(self) -> Candidates {
        Candidates {
            order: self.order,
            lists: self.candidates,
        }
    }
}

/// Offers every two points of a leaf (rows `start..end`) to each other.
fn leaf_pairs(candidates: &mut Lists, f: &Forest, start: usize, end: usize) {
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
}

/// Everything after the forest: one round of NN-descent over the candidates, then distances
/// again in full precision. Each point's list depends only on its own candidates and on
/// everyone's nearest few, so any split of the points into [`Finish::rows`] gives the same.
pub struct Finish {
    /// The points in the first tree's order, in single precision, for the descent.
    single: Vec<f32>,
    /// The same in full precision.
    full: Dense,
    order: Vec<u32>,
    /// Everyone's nearest [`DESCENT`] candidates (themselves first), `DESCENT + 1` slots each.
    snapshot: Vec<u32>,
    snapshot_len: Vec<u8>,
}

/// Candidates whose own candidates the descent tries.
const DESCENT: usize = 10;

impl Finish {
    pub fn new(points: &Dense, candidates: &Candidates) -> Finish {
        let order_idx: Vec<usize> = candidates.order.iter().map(|&i| i as usize).collect();
        let full = super::rows(points, &order_idx);
        let single = full.data.iter().map(|&v| v as f32).collect();
        let n = candidates.order.len();
        let mut snapshot = vec![0; n * (DESCENT + 1)];
        let mut snapshot_len = vec![0; n];
        for i in 0..n {
            let near = candidates.lists.of(i).iter().take(DESCENT + 1);
            snapshot_len[i] = near.len() as u8;
            for (slot, x) in snapshot[i * (DESCENT + 1)..].iter_mut().zip(near) {
                *slot = x.1;
            }
        }
        Finish {
            single,
            full,
            order: candidates.order.clone(),
            snapshot,
            snapshot_len,
        }
    }

    fn near(&self, i: usize) -> &[u32] {
        let at = i * (DESCENT + 1);
        &self.snapshot[at..at + self.snapshot_len[i] as usize]
    }

    /// The lists of the points at `rows` of the first tree's order, nearest first, numbered
    /// as in the input.
    pub fn rows(
        &self,
        candidates: &Candidates,
        rows: std::ops::Range<usize>,
    ) -> Vec<Vec<(f64, u32)>> {
        let dims = self.full.cols;
        let mut seen = vec![u32::MAX; self.order.len()];
        let mut list = Vec::with_capacity(candidates.lists.k);
        rows.map(|r| {
            list.clear();
            list.extend_from_slice(candidates.lists.of(r));
            self.descend(r, dims, &mut seen, &mut list, candidates.lists.k);
            full_precision(r, &list, &self.full, &self.order)
        })
        .collect()
    }

    /// NN-descent for point `i`: offers it its nearest neighbours' nearest neighbours
    /// (`snapshot`). `seen[l]` is `i` once `l` is in `i`'s list or has been tried for it, so
    /// each candidate costs one distance at most. Out of line (see [`exact_pairs`]).
    #[inline(never)]
    fn descend(
        &self,
        i: usize,
        dims: usize,
        seen: &mut [u32],
        list: &mut Vec<(f32, u32)>,
        k: usize,
    ) {
        let row = |r: usize| &self.single[r * dims..(r + 1) * dims];
        let me = i as u32;
        seen[i] = me;
        for x in list.iter() {
            seen[x.1 as usize] = me;
        }
        for &j in self.near(i).iter().skip(1) {
            for &l in self.near(j as usize).iter().skip(1) {
                if seen[l as usize] != me {
                    seen[l as usize] = me;
                    offer(list, k, dist2_f32(row(i), row(l as usize)), l);
                }
            }
        }
    }

    /// The graph from the lists of every row of the first tree's order, in row order (the
    /// [`Finish::rows`] of consecutive ranges, concatenated).
    pub fn graph(&self, rows: Vec<Vec<Vec<(f64, u32)>>>) -> Graph {
        let mut lists = vec![Vec::new(); self.order.len()];
        for (r, list) in rows.into_iter().flatten().enumerate() {
            if let Some(&i) = self.order.get(r) {
                lists[i as usize] = list;
            }
        }
        Graph::of(lists)
    }

    /// [`Finish::graph`] as flat lists, as a helper worker sends it: without the graph's own
    /// two lists per point, which at a million points cost the helper 2.5 s of allocating.
    pub fn flat(&self, rows: Vec<Vec<Vec<(f64, u32)>>>) -> FlatGraph {
        let n = self.order.len();
        let rows: Vec<Vec<(f64, u32)>> = rows.into_iter().flatten().take(n).collect();
        let mut lens = vec![0u32; n];
        for (list, &i) in rows.iter().zip(&self.order) {
            lens[i as usize] = list.len() as u32;
        }
        let mut starts = Vec::with_capacity(n);
        let mut total = 0;
        for &len in &lens {
            starts.push(total);
            total += len as usize;
        }
        let mut flat = FlatGraph {
            lens,
            ids: vec![0; total],
            distances: vec![0.0; total],
        };
        // Each list is freed once written, so the lists and the flat arrays are not all
        // alive at once.
        for (list, &i) in rows.into_iter().zip(&self.order) {
            flat.put(starts[i as usize], &list);
        }
        flat
    }
}

/// A neighbour graph as flat lists: each point's list length, then every point's neighbours
/// one list after another, and their distances likewise.
pub struct FlatGraph {
    pub lens: Vec<u32>,
    pub ids: Vec<u32>,
    pub distances: Vec<f64>,
}

impl FlatGraph {
    /// `graph` as flat lists.
    pub fn of(graph: &Graph) -> FlatGraph {
        FlatGraph {
            lens: graph.neighbours.iter().map(|l| l.len() as u32).collect(),
            ids: graph.neighbours.concat(),
            distances: graph.distances.concat(),
        }
    }

    /// Writes a nearest-first list of `(squared distance, index)` from `start` on. Out of
    /// line (see [`exact_pairs`]).
    #[inline(never)]
    fn put(&mut self, start: usize, list: &[(f64, u32)]) {
        for (at, &(d2, j)) in (start..).zip(list) {
            self.ids[at] = j;
            self.distances[at] = libm::sqrt(d2);
        }
    }
}

impl Graph {
    /// The graph of nearest-first lists of `(squared distance, index)`.
    fn of(lists: Vec<Vec<(f64, u32)>>) -> Graph {
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

    /// Twenty blobs of `n` points in twenty dimensions, with stacks of identical points.
    fn blobs(n: usize, seed: u64) -> Dense {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let d = 20;
        let mut data = Vec::with_capacity(n * d);
        for i in 0..n {
            if i % 97 == 1 {
                let previous = data[(i - 1) * d..i * d].to_vec();
                data.extend(previous);
                continue;
            }
            data.extend((0..d).map(|j| if j == i % 20 { 5.0 } else { 0.0 } + rng.r#gen::<f64>()));
        }
        Dense {
            rows: n,
            cols: d,
            data,
        }
    }

    #[test]
    fn the_graph_is_the_same_in_any_number_of_parts() {
        let points = blobs(3000, 3);
        let one = knn_graph_in_parts(&points, 15, 11, 1);
        for parts in [2, 3, 5, 8, 20] {
            assert!(
                knn_graph_in_parts(&points, 15, 11, parts) == one,
                "{parts} parts"
            );
        }
        // As the web worker deals it: the trees in three shares, each crossing as arrays,
        // merged in another order, and the rows finished in uneven ranges.
        let n = points.rows;
        let shares: Vec<Candidates> = (0..3)
            .map(|p| {
                let arrays = forest_part(&points, 15, 11, tree_share(p, 3)).into_arrays();
                Candidates::from_arrays(arrays, n).expect("whole candidates")
            })
            .collect();
        let mut merged = shares[2].clone();
        merged.merge(&shares[0]);
        merged.merge(&shares[1]);
        let finish = Finish::new(&points, &merged);
        let rows = vec![
            finish.rows(&merged, 0..7),
            finish.rows(&merged, 7..2000),
            finish.rows(&merged, 2000..n),
        ];
        let flat = finish.flat(rows.clone());
        assert!(finish.graph(rows) == one, "dealt like the web worker");
        let lens: Vec<u32> = one.neighbours.iter().map(|l| l.len() as u32).collect();
        assert_eq!(flat.lens, lens, "flat lists as long as the graph's");
        assert!(flat.ids == one.neighbours.concat() && flat.distances == one.distances.concat());
        // A different seed gives a different forest (the parts are not all the same tree).
        assert!(knn_graph_in_parts(&points, 15, 12, 1) != one);
        let share = |p| tree_share(p, 3);
        assert_eq!((share(0), share(1), share(2)), (0..2, 2..5, 5..8));
        assert_eq!(tree_share(0, 1), 0..TREES);
    }

    #[test]
    fn a_share_is_the_same_in_any_order_of_its_trees_and_merges_only_with_its_forest() {
        let points = blobs(2000, 8);
        let share = forest_part(&points, 12, 4, [0, 3, 5]);
        assert!(
            forest_part(&points, 12, 4, [3, 0, 5]) == share,
            "tree 0 after a later tree"
        );
        assert!(forest_part(&points, 12, 4, [5, 3, 0]) == share);
        let mut merged = share.clone();
        let other_seed = forest_part(&points, 12, 9, [1]);
        assert!(
            !merged.merge(&other_seed),
            "another seed's first tree orders the points otherwise"
        );
        let other_k = forest_part(&points, 10, 4, [1]);
        assert!(!merged.merge(&other_k), "another k");
        assert!(merged == share, "refused shares change nothing");
        assert!(merged.merge(&forest_part(&points, 12, 4, [1])));
    }

    #[test]
    fn parts_are_bounded_by_cores_trees_and_memory() {
        // Only the shape counts.
        let shape = |rows| Dense {
            rows,
            cols: 24,
            data: Vec::new(),
        };
        let million = shape(1_000_000);
        let gib = 1024.0 * 1024.0 * 1024.0;
        // A helper with its own copy of the points: 1,000,000 × (24 × 16 + 15 × 8) bytes.
        assert_eq!(parts_within(&million, 15, 16, gib, true), 3);
        // Threads sharing the points: 1,000,000 × (24 × 8 + 15 × 8) bytes.
        assert_eq!(parts_within(&million, 15, 16, gib, false), 4);
        let small = shape(100_000);
        assert_eq!(parts_within(&small, 15, 16, gib, true), TREES);
        assert_eq!(parts_within(&small, 15, 3, gib, true), 3);
        assert_eq!(parts_within(&small, 15, 0, gib, true), 1);
        assert_eq!(parts_within(&million, 15, 16, 0.0, true), 1);
    }

    #[test]
    fn candidates_that_are_not_whole_are_refused() {
        let points = blobs(1200, 5);
        let n = points.rows;
        let whole = || forest_part(&points, 10, 1, 0..2).into_arrays();
        assert!(Candidates::from_arrays(whole(), n).is_some());
        assert!(
            Candidates::from_arrays(whole(), n + 1).is_none(),
            "another number of points"
        );
        let mut a = whole();
        a.ids.pop();
        assert!(Candidates::from_arrays(a, n).is_none(), "a slot short");
        let mut a = whole();
        a.ids[5 * a.k as usize + 1] = n as u32;
        assert!(
            Candidates::from_arrays(a, n).is_none(),
            "an index beyond the points"
        );
        let mut a = whole();
        a.order[3] = a.order[4];
        assert!(
            Candidates::from_arrays(a, n).is_none(),
            "an order that repeats a point"
        );
        let mut a = whole();
        a.len[9] = 0;
        assert!(Candidates::from_arrays(a, n).is_none(), "an empty list");
        let mut a = whole();
        a.len[9] = a.k + 1;
        assert!(
            Candidates::from_arrays(a, n).is_none(),
            "a list longer than k"
        );
        let mut a = whole();
        a.d2[9 * a.k as usize + 1] = f32::NAN;
        assert!(
            Candidates::from_arrays(a, n).is_none(),
            "a distance that is no number"
        );
        let mut a = whole();
        a.k = 0;
        assert!(Candidates::from_arrays(a, n).is_none(), "no slots");
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
