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
use serde::{Deserialize, Serialize};

/// Leaf size of the random projection trees.
const LEAF: usize = 24;
/// Up to this many points, neighbours are found exactly (all pairs), which also gets tiny
/// isolated groups right, whose nearest outsiders a forest can miss. Above it the forest is
/// three times faster already at 3,000 points (0.03 s against 0.09 s, recall 90 %), with the
/// same planted segments found (`edgewise evaluate --rows 2000` and `--rows 3000`).
pub const EXACT_UP_TO: usize = 1000;
/// Trees in the forest.
pub const TREES: usize = 8;

/// Each point's list of nearest neighbours (itself first, nearest first), all in one flat
/// array of `k` slots a point, of which the first `lens[i]` hold point `i`'s list. One
/// allocation for everyone rather than one a point: a list of its own cost each point its
/// header and the allocator's bookkeeping beside its 15 indices, and a million small blocks
/// to allocate and free (BENCHMARKS.md, "Everyone's neighbours in one array").
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Neighbours {
    k: usize,
    lens: Vec<u32>,
    ids: Vec<u32>,
}

impl Neighbours {
    /// `n` points, each with an empty list.
    pub fn none(n: usize) -> Neighbours {
        Neighbours {
            k: 0,
            lens: vec![0; n],
            ids: Vec::new(),
        }
    }

    /// One list a point.
    pub fn from_lists(lists: &[Vec<u32>]) -> Neighbours {
        let k = lists.iter().map(Vec::len).max().unwrap_or(0);
        let mut ids = vec![0; lists.len() * k];
        for (slots, list) in ids.chunks_mut(k.max(1)).zip(lists) {
            slots[..list.len()].copy_from_slice(list);
        }
        Neighbours {
            k,
            lens: lists.iter().map(|l| l.len() as u32).collect(),
            ids,
        }
    }

    /// The number of points.
    pub fn len(&self) -> usize {
        self.lens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lens.is_empty()
    }

    /// Point `i`'s list, if there is a point `i`.
    pub fn get(&self, i: usize) -> Option<&[u32]> {
        let len = *self.lens.get(i)? as usize;
        self.ids.get(i * self.k..i * self.k + len)
    }

    /// Point `i`'s list (empty if there is no point `i`).
    pub fn of(&self, i: usize) -> &[u32] {
        self.get(i).unwrap_or(&[])
    }

    /// Every point's list, in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u32]> + '_ {
        (0..self.len()).map(|i| self.of(i))
    }

    /// Every list without the point itself, in place.
    pub fn without_self(mut self) -> Neighbours {
        let k = self.k;
        for (i, len) in self.lens.iter_mut().enumerate() {
            let list = &mut self.ids[i * k..i * k + *len as usize];
            if let Some(at) = list.iter().position(|&j| j as usize == i) {
                list.copy_within(at + 1.., at);
                *len -= 1;
            }
        }
        self
    }
}

/// Each point's `k` nearest neighbours (itself first) with distances, nearest first: the
/// [`Neighbours`] and, in the same slots, their distances.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    pub neighbours: Neighbours,
    distances: Vec<f64>,
}

impl Graph {
    /// One list of neighbours and one of their distances a point (the shorter of the two
    /// sets a point's length).
    pub fn from_lists(neighbours: &[Vec<u32>], distances: &[Vec<f64>]) -> Graph {
        let cut: Vec<Vec<u32>> = neighbours
            .iter()
            .zip(distances.iter().map(Vec::len).chain(std::iter::repeat(0)))
            .map(|(l, d)| l[..l.len().min(d)].to_vec())
            .collect();
        let neighbours = Neighbours::from_lists(&cut);
        let k = neighbours.k;
        let mut flat = vec![0.0; neighbours.ids.len()];
        for ((slots, d), list) in flat.chunks_mut(k.max(1)).zip(distances).zip(&cut) {
            slots[..list.len()].copy_from_slice(&d[..list.len()]);
        }
        Graph {
            neighbours,
            distances: flat,
        }
    }

    /// The graph of nearest-first lists of `(squared distance, index)`.
    fn of_squared(lists: &[Vec<(f64, u32)>]) -> Graph {
        let ids: Vec<Vec<u32>> = lists
            .iter()
            .map(|l| l.iter().map(|x| x.1).collect())
            .collect();
        let distances: Vec<Vec<f64>> = lists
            .iter()
            .map(|l| l.iter().map(|x| libm::sqrt(x.0)).collect())
            .collect();
        Graph::from_lists(&ids, &distances)
    }

    /// The graph from flat arrays as [`Graph::arrays`] gives them, or `None` unless they are
    /// a whole graph of `n` points: `k` slots a point, no list longer than `k`, every index
    /// a point and every distance a number, not below zero.
    pub fn from_arrays(
        k: usize,
        lens: Vec<u32>,
        ids: Vec<u32>,
        distances: Vec<f64>,
        n: usize,
    ) -> Option<Graph> {
        let slots = n.checked_mul(k)?;
        if lens.len() != n || ids.len() != slots || distances.len() != slots {
            return None;
        }
        let graph = Graph {
            neighbours: Neighbours { k, lens, ids },
            distances,
        };
        let whole = (0..n).all(|i| {
            graph.neighbours.lens[i] as usize <= k
                && graph.neighbours.of(i).iter().all(|&j| (j as usize) < n)
                && graph.distances(i).iter().all(|&d| d >= 0.0)
        });
        whole.then_some(graph)
    }

    /// The flat arrays: slots a point, each list's length, and every slot's neighbour and
    /// distance.
    pub fn arrays(&self) -> (usize, &[u32], &[u32], &[f64]) {
        let n = &self.neighbours;
        (n.k, &n.lens, &n.ids, &self.distances)
    }

    /// The number of points.
    pub fn len(&self) -> usize {
        self.neighbours.len()
    }

    pub fn is_empty(&self) -> bool {
        self.neighbours.is_empty()
    }

    /// Point `i`'s distances to its neighbours, nearest first (empty if there is no point `i`).
    pub fn distances(&self, i: usize) -> &[f64] {
        let n = &self.neighbours;
        let len = n.lens.get(i).map_or(0, |&l| l as usize);
        self.distances.get(i * n.k..i * n.k + len).unwrap_or(&[])
    }

    /// Distance to the k-th neighbour (itself counted), for every point.
    pub fn kth_distance(&self, k: usize) -> Vec<f64> {
        (0..self.len())
            .map(|i| {
                let d = self.distances(i);
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

    /// Puts every row back at its index (the first tree's order, once its order is taken
    /// as the indices), in place: each swap puts one row where it belongs. A copy of the rows
    /// in that order, kept to start each tree from, was 96 MB a part at a million people.
    fn back_to_first_order(&mut self) {
        for r in 0..self.ids.len() {
            while self.ids[r] as usize != r {
                self.swap_rows(r, self.ids[r] as usize);
            }
        }
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
    Finish::new(points, candidates).graph(1)
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
    Finish::new(points, candidates).graph(parts)
}

/// Small inputs: exact, all pairs.
fn exact_graph(points: &Dense, k: usize) -> Graph {
    let n = points.rows;
    let mut lists: Vec<Vec<(f64, u32)>> = (0..n).map(|i| vec![(0.0, i as u32)]).collect();
    for i in 0..n {
        exact_pairs(points, i, k, &mut lists);
    }
    Graph::of_squared(&lists)
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
    /// Whether a tree after the first has been built (and so the rows may be out of the
    /// first tree's order, which [`Streams::OnePerTree`]'s every tree starts from).
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
            if self.later_built {
                self.forest.back_to_first_order();
            }
            for &(start, end) in &self.first_leaves {
                leaf_pairs(candidates, &self.forest, start, end);
            }
            return;
        }
        if self.streams == Streams::OnePerTree {
            if self.later_built {
                self.forest.back_to_first_order();
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
/// everyone's nearest few, so any split of the points into parts gives the same graph.
pub struct Finish<'a> {
    /// The points in the first tree's order, in single precision, for the descent.
    single: Vec<f32>,
    /// The points themselves, for the distances in full precision (read through `order`,
    /// not copied into it: at a million people in 24 dimensions a copy was 192 MB).
    points: &'a Dense,
    order: Vec<u32>,
    /// Everyone's candidates (themselves first), nearest first, `k` slots each: the
    /// candidates' indices without their distances, which are taken again from `single`
    /// (the same numbers), so that the candidates are not held beside the graph.
    k: usize,
    candidates: Vec<u32>,
    lens: Vec<u32>,
}

/// Candidates whose own candidates the descent tries.
const DESCENT: usize = 10;

/// The lists of a contiguous range of rows of the first tree's order, as a part of
/// [`Finish::graph`] fills them: `k` slots a row.
struct Part<'g> {
    rows: std::ops::Range<usize>,
    lens: &'g mut [u32],
    ids: &'g mut [u32],
    d2: &'g mut [f64],
}

impl<'a> Finish<'a> {
    pub fn new(points: &'a Dense, candidates: Candidates) -> Finish<'a> {
        let mut single = Vec::with_capacity(points.data.len());
        for &i in &candidates.order {
            single.extend(points.row(i as usize).iter().map(|&v| v as f32));
        }
        let Lists { k, slots, len } = candidates.lists;
        let ids = slots.into_iter().map(|x| x.1).collect();
        Finish {
            single,
            points,
            order: candidates.order,
            k,
            candidates: ids,
            lens: len,
        }
    }

    /// Row `i`'s candidates, nearest first.
    fn candidates(&self, i: usize) -> &[u32] {
        let at = i * self.k;
        &self.candidates[at..at + self.lens[i] as usize]
    }

    /// Row `i`'s nearest [`DESCENT`] candidates, itself first.
    fn near(&self, i: usize) -> &[u32] {
        let all = self.candidates(i);
        &all[..all.len().min(DESCENT + 1)]
    }

    /// Squared distance between rows `i` and `j` in single precision.
    fn single_d2(&self, i: usize, j: usize) -> f32 {
        let dims = self.points.cols;
        let row = |r: usize| &self.single[r * dims..(r + 1) * dims];
        dist2_f32(row(i), row(j))
    }

    /// Everyone's lists, numbered as in the input, the rows of the first tree's order dealt
    /// into `parts` contiguous ranges (natively a thread each). Each part writes its rows'
    /// slots of one flat graph in that order, which is then put into the input's order in
    /// place: the lists are never held twice.
    pub fn graph(&self, parts: usize) -> Graph {
        let (n, k) = (self.order.len(), self.k);
        let mut lens = vec![0u32; n];
        let mut ids = vec![0u32; n * k];
        let mut d2 = vec![0.0f64; n * k];
        let parts = parts.clamp(1, n.max(1));
        let mut dealt = Vec::with_capacity(parts);
        let (mut lens_left, mut ids_left, mut d2_left) = (&mut lens[..], &mut ids[..], &mut d2[..]);
        for p in 0..parts {
            let rows = p * n / parts..(p + 1) * n / parts;
            let (l, lr) = std::mem::take(&mut lens_left).split_at_mut(rows.len());
            let (i, ir) = std::mem::take(&mut ids_left).split_at_mut(rows.len() * k);
            let (d, dr) = std::mem::take(&mut d2_left).split_at_mut(rows.len() * k);
            (lens_left, ids_left, d2_left) = (lr, ir, dr);
            dealt.push(Part {
                rows,
                lens: l,
                ids: i,
                d2: d,
            });
        }
        each_part(dealt, |part| self.fill(part));
        to_input_order(&self.order, k, &mut lens, &mut ids, &mut d2);
        d2.iter_mut().for_each(|d| *d = libm::sqrt(*d));
        Graph {
            neighbours: Neighbours { k, lens, ids },
            distances: d2,
        }
    }

    /// The lists of `part`'s rows, numbered as in the input, with squared distances.
    fn fill(&self, part: Part) {
        let (dims, k) = (self.points.cols, self.k);
        let mut seen = vec![u32::MAX; self.order.len()];
        let mut list = Vec::with_capacity(k);
        let mut full = Vec::with_capacity(k);
        for (at, r) in part.rows.enumerate() {
            list.clear();
            let candidates = self.candidates(r).iter();
            list.extend(candidates.map(|&j| (self.single_d2(r, j as usize), j)));
            self.descend(r, dims, &mut seen, &mut list, k);
            self.full_precision(r, &list, &mut full);
            part.lens[at] = full.len() as u32;
            let slots = at * k..at * k + full.len();
            for ((id, d2), &(d, j)) in part.ids[slots.clone()]
                .iter_mut()
                .zip(&mut part.d2[slots])
                .zip(&full)
            {
                (*id, *d2) = (j, d);
            }
        }
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

    /// Row `r`'s candidates (numbered in the first tree's order) with their squared
    /// distances in full precision, nearest first, numbered as in the input, into `out`.
    /// Out of line, called once per row, so that WebAssembly runs it optimised: V8 optimises
    /// a function between calls, never during one (ARCHITECTURE.md).
    #[inline(never)]
    fn full_precision(&self, r: usize, candidates: &[(f32, u32)], out: &mut Vec<(f64, u32)>) {
        let me = self.points.row(self.order[r] as usize);
        out.clear();
        out.extend(candidates.iter().map(|&(_, j)| {
            let j = self.order[j as usize];
            (dist2(me, self.points.row(j as usize)), j)
        }));
        out.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    }
}

/// `work` on each part, natively on a thread each; in WebAssembly one after another.
fn each_part<T: Send>(parts: Vec<T>, work: impl Fn(T) + Sync) {
    #[cfg(not(target_arch = "wasm32"))]
    if parts.len() > 1 {
        return std::thread::scope(|scope| {
            let work = &work;
            let running: Vec<_> = parts
                .into_iter()
                .map(|p| scope.spawn(move || work(p)))
                .collect();
            for r in running {
                r.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            }
        });
    }
    parts.into_iter().for_each(work);
}

/// Puts flat lists of `k` slots a row, row `r` holding point `order[r]`'s, into the
/// points' order, in place: each cycle of the permutation carries one list round.
fn to_input_order(order: &[u32], k: usize, lens: &mut [u32], ids: &mut [u32], d2: &mut [f64]) {
    let mut done = vec![false; order.len()];
    let mut carry_ids = vec![0u32; k];
    let mut carry_d2 = vec![0.0f64; k];
    let block = |r: usize| r * k..(r + 1) * k;
    for start in 0..order.len() {
        if done[start] {
            continue;
        }
        let mut carry_len = lens[start];
        carry_ids.copy_from_slice(&ids[block(start)]);
        carry_d2.copy_from_slice(&d2[block(start)]);
        let mut dest = order[start] as usize;
        loop {
            std::mem::swap(&mut carry_len, &mut lens[dest]);
            ids[block(dest)].swap_with_slice(&mut carry_ids);
            d2[block(dest)].swap_with_slice(&mut carry_d2);
            done[dest] = true;
            if dest == start {
                break;
            }
            dest = order[dest] as usize;
        }
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
    let width: Vec<f64> = (0..graph.len())
        .map(|i| graph.distances(i).last().copied().unwrap_or(0.0))
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
            hits += g
                .neighbours
                .of(i)
                .iter()
                .filter(|j| truth.contains(j))
                .count();
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
        let finish = Finish::new(&points, merged);
        for parts in [1, 3, 7, n + 5] {
            assert!(
                finish.graph(parts) == one,
                "dealt like the web worker, {parts} parts"
            );
        }
        // Its flat arrays make the same graph, and lists cut short stay short.
        let (k, lens, ids, distances) = one.arrays();
        let again = Graph::from_arrays(k, lens.to_vec(), ids.to_vec(), distances.to_vec(), n);
        assert!(again.as_ref() == Some(&one));
        let lists: Vec<Vec<u32>> = one
            .neighbours
            .iter()
            .map(|l| l[..l.len() % 4].to_vec())
            .collect();
        let short = Neighbours::from_lists(&lists);
        assert!(short.iter().eq(lists.iter().map(Vec::as_slice)));
        assert!((0..n).all(|i| one.distances(i).first() == Some(&0.0)));
        let without = one.neighbours.clone().without_self();
        assert!((0..n).all(|i| {
            let (all, others) = (one.neighbours.of(i), without.of(i));
            others.len() + 1 == all.len() && all.iter().filter(|&&j| j as usize != i).eq(others)
        }));
        assert_eq!(one.neighbours.get(n), None);
        assert!(one.distances(n).is_empty());
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
