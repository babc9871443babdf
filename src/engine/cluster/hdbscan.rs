//! HDBSCAN: density-based clusters that may be small, with membership strengths and
//! GLOSH outlier scores.
//!
//! 1. **Core distances** — each point's distance to its `min_samples`-th nearest neighbour
//!    (itself included), from the k-d tree.
//! 2. **Minimum spanning tree** of the mutual reachability graph,
//!    `d_mreach(a, b) = max(core(a), core(b), d(a, b))`, by dual-tree Borůvka over the k-d tree
//!    (March, Ram & Gray 2010; McInnes & Healy 2017). Each round finds, for every component, its
//!    cheapest edge to another component, starting from the cheap candidates in the k-nearest
//!    lists. Pairs of tree nodes are skipped when both lie in one component, or when the lower
//!    bound `max(box distance, min core in either node)` cannot beat the worst current best of
//!    the query node's components; those bounds tighten as the traversal goes.
//! 3. **Single-linkage hierarchy** from the sorted tree edges (union-find).
//! 4. **Condensed tree** for `min_cluster_size` (Campello, Moulavi & Sander 2013): walking down
//!    from the root at density `λ = 1/distance`, a split into two parts of at least
//!    `min_cluster_size` makes two new clusters; smaller parts are points falling out.
//! 5. **Selection** by excess of mass: a cluster is kept when its stability
//!    `Σ_p (λ_p − λ_birth)` is at least the sum of its selected descendants'.
//! 6. **Membership strength** `λ_p / λ_max(C)` and **GLOSH** `(λ_max(C) − λ_p) / λ_max(C)`, where
//!    `C` is the cluster a point falls out of and `λ_max(C)` the densest level in its subtree
//!    (Campello, Moulavi, Zimek & Sander 2015).
//!
//! The hierarchy does not depend on `min_cluster_size`, so [`Hierarchy`] is built once and
//! condensed cheaply for several sizes (see `cluster::choose_min_cluster_size`).
//!
//! # References
//! Campello, R., Moulavi, D. & Sander, J. (2013). Density-based clustering based on hierarchical
//! density estimates. PAKDD.
//! Campello, R., Moulavi, D., Zimek, A. & Sander, J. (2015). Hierarchical density estimates for
//! data clustering, visualization, and outlier detection. ACM TKDD 10(1).
//! McInnes, L. & Healy, J. (2017). Accelerated hierarchical density based clustering. ICDMW.
//! March, W., Ram, P. & Gray, A. (2010). Fast Euclidean minimum spanning tree: algorithm,
//! analysis, and applications. KDD.

use super::super::linalg::{Dense, dist2};
use super::kdtree::KdTree;

/// Union-find with path halving and union by size.
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    /// `n` singletons.
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    /// The representative of `x`.
    pub fn find(&mut self, mut x: usize) -> usize {
        while let Some(&p) = self.parent.get(x) {
            let p = p as usize;
            if p == x {
                break;
            }
            let gp = self.parent.get(p).copied().unwrap_or(p as u32);
            if let Some(slot) = self.parent.get_mut(x) {
                *slot = gp;
            }
            x = gp as usize;
        }
        x
    }

    /// Joins the sets of `a` and `b`; false when already joined.
    pub fn union(&mut self, a: usize, b: usize) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        let (big, small) = if self.size[ra] >= self.size[rb] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small] = big as u32;
        self.size[big] += self.size[small];
        true
    }
}

/// An edge of the minimum spanning tree (original row indices).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    /// One end.
    pub a: usize,
    /// The other end.
    pub b: usize,
    /// Mutual reachability distance.
    pub weight: f64,
}

/// Core distances and the mutual-reachability minimum spanning tree of a point set.
#[derive(Debug, Clone)]
pub struct Hierarchy {
    /// Number of points.
    pub n: usize,
    /// Each point's core distance.
    pub core: Vec<f64>,
    /// The `min_samples` nearest neighbours of each point (itself first), original indices.
    pub neighbours: Vec<Vec<u32>>,
    /// Tree edges sorted by weight.
    pub edges: Vec<Edge>,
}

impl Hierarchy {
    /// Builds the hierarchy of the rows of `data` with core distances over `min_samples`.
    pub fn build(data: &Dense, min_samples: usize) -> Hierarchy {
        let n = data.rows;
        if n == 0 {
            return Hierarchy {
                n,
                core: Vec::new(),
                neighbours: Vec::new(),
                edges: Vec::new(),
            };
        }
        let tree = KdTree::build(data);
        let k = min_samples.clamp(1, n);
        // Core distances, in tree order first.
        let mut core_t = vec![0.0; n];
        let mut neighbours = vec![Vec::new(); n];
        let mut knn_t: Vec<Vec<(f64, u32)>> = Vec::with_capacity(n);
        let mut buf = Vec::with_capacity(k);
        for t in 0..n {
            tree.knn(t, k, &mut buf);
            core_t[t] = libm::sqrt(buf.last().map_or(0.0, |x| x.0));
            neighbours[tree.order[t]] = buf.iter().map(|&(_, u)| tree.order[u] as u32).collect();
            knn_t.push(
                buf.iter()
                    .map(|&(d2, u)| (libm::sqrt(d2), u as u32))
                    .collect(),
            );
        }
        let edges_t = boruvka(&tree, &core_t, &knn_t);
        let mut edges: Vec<Edge> = edges_t
            .into_iter()
            .map(|e| Edge {
                a: tree.order[e.a],
                b: tree.order[e.b],
                weight: e.weight,
            })
            .collect();
        edges.sort_by(|x, y| {
            x.weight
                .total_cmp(&y.weight)
                .then(x.a.min(x.b).cmp(&y.a.min(y.b)))
                .then(x.a.max(x.b).cmp(&y.a.max(y.b)))
        });
        let mut core = vec![0.0; n];
        for (t, &c) in core_t.iter().enumerate() {
            core[tree.order[t]] = c;
        }
        Hierarchy {
            n,
            core,
            neighbours,
            edges,
        }
    }

    /// Builds from a precomputed distance matrix (tests and tiny inputs).
    pub fn from_distances(dist: &Dense, min_samples: usize) -> Hierarchy {
        let n = dist.rows;
        let k = min_samples.clamp(1, n.max(1));
        let mut core = vec![0.0; n];
        let mut neighbours = vec![Vec::new(); n];
        for i in 0..n {
            let mut row: Vec<(f64, usize)> = (0..n).map(|j| (dist.get(i, j), j)).collect();
            row.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            core[i] = row.get(k - 1).map_or(0.0, |x| x.0);
            neighbours[i] = row.iter().take(k).map(|x| x.1 as u32).collect();
        }
        // Prim's algorithm on the dense mutual reachability graph.
        let mut in_tree = vec![false; n];
        let mut best = vec![(f64::INFINITY, usize::MAX); n];
        let mut edges = Vec::new();
        if n > 0 {
            let mut current = 0;
            in_tree[0] = true;
            for _ in 1..n {
                for j in 0..n {
                    if !in_tree[j] {
                        let w = dist.get(current, j).max(core[current]).max(core[j]);
                        if w < best[j].0 {
                            best[j] = (w, current);
                        }
                    }
                }
                let Some(next) = (0..n)
                    .filter(|&j| !in_tree[j])
                    .min_by(|&a, &b| best[a].0.total_cmp(&best[b].0).then(a.cmp(&b)))
                else {
                    break;
                };
                edges.push(Edge {
                    a: best[next].1,
                    b: next,
                    weight: best[next].0,
                });
                in_tree[next] = true;
                current = next;
            }
        }
        edges.sort_by(|x, y| {
            x.weight
                .total_cmp(&y.weight)
                .then(x.a.min(x.b).cmp(&y.a.min(y.b)))
        });
        Hierarchy {
            n,
            core,
            neighbours,
            edges,
        }
    }
}

/// The larger of two distances. `f64::max` also handles NaN, which WebAssembly's own `max`
/// does differently, so in WebAssembly it is a call to `fmax`; distances here are never NaN.
#[inline]
fn larger(a: f64, b: f64) -> f64 {
    if a >= b { a } else { b }
}

/// The leaf-against-leaf step of [`boruvka`]: improves each query point's component's best
/// outgoing edge with the reference leaf's points, and returns the query leaf's new bound
/// (its components' worst best). Out of line, as the step of a long loop (see
/// `linalg::add_outer`).
#[inline(never)]
fn leaf_pairs(
    tree: &KdTree,
    (query, reference): (std::ops::Range<usize>, std::ops::Range<usize>),
    core: &[f64],
    comp: &[u32],
    best: &mut [(f64, usize, usize)],
) -> f64 {
    for p in query.clone() {
        let c = comp[p] as usize;
        let core_p = core[p];
        if core_p >= best[c].0 {
            continue;
        }
        let point = tree.point(p);
        for o in reference.clone() {
            if comp[o] as usize == c || core[o] >= best[c].0 {
                continue;
            }
            let limit = best[c].0;
            let d2 = dist2(point, tree.point(o));
            if d2 >= limit * limit {
                continue;
            }
            let w = larger(larger(libm::sqrt(d2), core_p), core[o]);
            if w < limit {
                best[c] = (w, p, o);
            }
        }
    }
    query.map(|p| best[comp[p] as usize].0).fold(0.0, larger)
}

/// Borůvka's algorithm on the k-d tree; edges use tree indices.
fn boruvka(tree: &KdTree, core: &[f64], knn: &[Vec<(f64, u32)>]) -> Vec<Edge> {
    let n = core.len();
    let n_nodes = tree.nodes.len();
    let mut parent = vec![usize::MAX; n_nodes];
    for (id, node) in tree.nodes.iter().enumerate() {
        if !node.is_leaf() {
            parent[node.left as usize] = id;
            parent[node.right as usize] = id;
        }
    }
    // The smallest core distance under each node (children come after parents).
    let mut node_min_core = vec![f64::INFINITY; n_nodes];
    for id in (0..n_nodes).rev() {
        let node = tree.nodes[id];
        node_min_core[id] = if node.is_leaf() {
            core[node.start..node.end]
                .iter()
                .copied()
                .fold(f64::INFINITY, f64::min)
        } else {
            node_min_core[node.left as usize].min(node_min_core[node.right as usize])
        };
    }
    let mut uf = UnionFind::new(n);
    let mut edges = Vec::with_capacity(n.saturating_sub(1));
    let mut comp = vec![0u32; n];
    let mut node_comp = vec![u32::MAX; n_nodes];
    let mut best: Vec<(f64, usize, usize)> = vec![(f64::INFINITY, usize::MAX, usize::MAX); n];
    let mut bound = vec![f64::INFINITY; n_nodes];
    let mut stack: Vec<(usize, usize)> = Vec::new();
    let mut n_components = n;
    while n_components > 1 {
        for (t, c) in comp.iter_mut().enumerate() {
            *c = uf.find(t) as u32;
        }
        for id in (0..n_nodes).rev() {
            let node = tree.nodes[id];
            node_comp[id] = if node.is_leaf() {
                let first = comp[node.start];
                if comp[node.start..node.end].iter().all(|&c| c == first) {
                    first
                } else {
                    u32::MAX
                }
            } else {
                let (l, r) = (
                    node_comp[node.left as usize],
                    node_comp[node.right as usize],
                );
                if l == r { l } else { u32::MAX }
            };
        }
        best.iter_mut()
            .for_each(|b| *b = (f64::INFINITY, usize::MAX, usize::MAX));
        // Cheap first bounds: neighbours from the k-nearest lists that lie in another component.
        for p in 0..n {
            let c = comp[p] as usize;
            for &(d, q) in &knn[p] {
                let q = q as usize;
                if comp[q] as usize != c {
                    let w = larger(larger(d, core[p]), core[q]);
                    if w < best[c].0 {
                        best[c] = (w, p, q);
                    }
                }
            }
        }
        refresh_bounds(tree, &comp, &best, &mut bound);
        // Dual-tree traversal: a (query, reference) pair of nodes is skipped when both lie in
        // one component, or when no mutual reachability between them can beat the worst
        // current best of the query node's components (March, Ram & Gray 2010).
        stack.clear();
        stack.push((0, 0));
        while let Some((q, r)) = stack.pop() {
            let (cq, cr) = (node_comp[q], node_comp[r]);
            if cq != u32::MAX && cq == cr {
                continue;
            }
            let lower = larger(
                larger(libm::sqrt(tree.box_box_dist2(q, r)), node_min_core[q]),
                node_min_core[r],
            );
            if lower >= bound[q] {
                continue;
            }
            let (nq, nr) = (tree.nodes[q], tree.nodes[r]);
            match (nq.is_leaf(), nr.is_leaf()) {
                (true, true) => {
                    let mut b = leaf_pairs(
                        tree,
                        (nq.start..nq.end, nr.start..nr.end),
                        core,
                        &comp,
                        &mut best,
                    );
                    let mut id = q;
                    loop {
                        bound[id] = b;
                        let up = parent[id];
                        if up == usize::MAX {
                            break;
                        }
                        let pn = tree.nodes[up];
                        let merged = larger(bound[pn.left as usize], bound[pn.right as usize]);
                        if merged >= bound[up] {
                            break;
                        }
                        b = merged;
                        id = up;
                    }
                }
                (true, false) => {
                    push_nearer_first(
                        &mut stack,
                        tree,
                        (q, nr.left as usize),
                        (q, nr.right as usize),
                    );
                }
                (false, true) => {
                    stack.push((nq.right as usize, r));
                    stack.push((nq.left as usize, r));
                }
                (false, false) => {
                    let (ql, qr, rl, rr) = (
                        nq.left as usize,
                        nq.right as usize,
                        nr.left as usize,
                        nr.right as usize,
                    );
                    push_nearer_first(&mut stack, tree, (qr, rl), (qr, rr));
                    push_nearer_first(&mut stack, tree, (ql, rl), (ql, rr));
                }
            }
        }
        let mut round: Vec<(f64, usize, usize)> =
            best.iter().filter(|b| b.1 != usize::MAX).copied().collect();
        round.sort_by(|x, y| {
            x.0.total_cmp(&y.0)
                .then(x.1.min(x.2).cmp(&y.1.min(y.2)))
                .then(x.1.max(x.2).cmp(&y.1.max(y.2)))
        });
        let before = n_components;
        for (w, p, q) in round {
            if uf.union(p, q) {
                edges.push(Edge {
                    a: p,
                    b: q,
                    weight: w,
                });
                n_components -= 1;
            }
        }
        if n_components == before {
            break; // cannot happen with finite data; guards against an endless loop
        }
    }
    edges
}

/// Sets every node's bound to the worst current best among the components of its points.
fn refresh_bounds(tree: &KdTree, comp: &[u32], best: &[(f64, usize, usize)], bound: &mut [f64]) {
    for id in (0..tree.nodes.len()).rev() {
        let node = tree.nodes[id];
        bound[id] = if node.is_leaf() {
            (node.start..node.end)
                .map(|p| best[comp[p] as usize].0)
                .fold(0.0f64, f64::max)
        } else {
            bound[node.left as usize].max(bound[node.right as usize])
        };
    }
}

/// Pushes two node pairs so that the pair whose boxes are nearer is visited first.
fn push_nearer_first(
    stack: &mut Vec<(usize, usize)>,
    tree: &KdTree,
    a: (usize, usize),
    b: (usize, usize),
) {
    let (da, db) = (tree.box_box_dist2(a.0, a.1), tree.box_box_dist2(b.0, b.1));
    if da <= db {
        stack.push(b);
        stack.push(a);
    } else {
        stack.push(a);
        stack.push(b);
    }
}

/// A cluster in the condensed tree.
#[derive(Debug, Clone, PartialEq)]
pub struct CondensedCluster {
    /// Parent cluster (`None` for the root).
    pub parent: Option<usize>,
    /// Density at which it appeared.
    pub birth: f64,
    /// Points in it at birth.
    pub size: usize,
    /// Σ (λ_p − λ_birth) over its points, with children counted at their birth.
    pub stability: f64,
    /// Densest level reached in its subtree.
    pub max_lambda: f64,
    /// Child clusters.
    pub children: Vec<usize>,
}

/// The condensed tree: clusters and, for every point, the cluster it fell out of and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Condensed {
    /// Clusters; 0 is the root.
    pub clusters: Vec<CondensedCluster>,
    /// For each point, (cluster it fell out of, λ at which it did).
    pub points: Vec<(usize, f64)>,
}

/// λ for a distance, with distances floored (at the shortest nonzero edge of the tree, see
/// [`condense`]) so that duplicates do not give infinite density.
fn lambda(distance: f64, floor: f64) -> f64 {
    1.0 / distance.max(floor)
}

/// Condenses the hierarchy for `min_cluster_size`.
pub fn condense(h: &Hierarchy, min_cluster_size: usize) -> Condensed {
    let n = h.n;
    let m = min_cluster_size.max(2);
    if n == 0 {
        return Condensed {
            clusters: Vec::new(),
            points: Vec::new(),
        };
    }
    // Single-linkage dendrogram: node n + i merges children[i] at weights[i].
    let mut uf = UnionFind::new(n);
    let mut top: Vec<usize> = (0..n).collect(); // dendrogram node for each union-find root
    let mut children: Vec<(usize, usize)> = Vec::with_capacity(n.saturating_sub(1));
    let mut weights = Vec::with_capacity(n.saturating_sub(1));
    let mut sizes: Vec<usize> = vec![1; n];
    for e in &h.edges {
        let (ra, rb) = (uf.find(e.a), uf.find(e.b));
        if ra == rb {
            continue;
        }
        let (na, nb) = (top[ra], top[rb]);
        uf.union(ra, rb);
        let r = uf.find(ra);
        let id = n + children.len();
        children.push((na, nb));
        weights.push(e.weight);
        sizes.push(sizes[na] + sizes[nb]);
        top[r] = id;
    }
    // A forest (disconnected input) gets a virtual root joining the pieces at infinite distance.
    let mut roots: Vec<usize> = (0..n)
        .filter(|&i| uf.find(i) == i)
        .map(|i| top[i])
        .collect();
    while roots.len() > 1 {
        let (a, b) = (roots.remove(0), roots.remove(0));
        let id = n + children.len();
        children.push((a, b));
        weights.push(f64::INFINITY);
        sizes.push(sizes[a] + sizes[b]);
        roots.push(id);
    }
    let root = roots.first().copied().unwrap_or(0);
    let floor = {
        let mut finite: Vec<f64> = weights
            .iter()
            .copied()
            .filter(|w| w.is_finite() && *w > 0.0)
            .collect();
        finite.sort_by(f64::total_cmp);
        let tiny = finite
            .get(finite.len() / 2)
            .map_or(1e-12, |median| median * 1e-6);
        // The data's resolution: no two distinct points are closer than the shortest
        // nonzero edge, so a stack of identical points is no denser than the closest
        // distinct ones. Counts sit on a lattice: each value's stack was otherwise infinitely
        // dense and a segment of its own (a column of 17 counts gave 17 segments).
        finite.first().map_or(tiny, |&least| least.max(tiny))
    };

    let mut clusters = vec![CondensedCluster {
        parent: None,
        birth: 0.0,
        size: sizes[root],
        stability: 0.0,
        max_lambda: 0.0,
        children: Vec::new(),
    }];
    let mut points = vec![(0usize, 0.0f64); n];
    // (dendrogram node, its cluster)
    let mut stack = vec![(root, 0usize)];
    let mut leaves = Vec::new();
    while let Some((node, cluster)) = stack.pop() {
        if node < n {
            // A single point left in a cluster: it leaves at the cluster's last density.
            points[node] = (
                cluster,
                clusters[cluster].max_lambda.max(clusters[cluster].birth),
            );
            continue;
        }
        let i = node - n;
        let (a, b) = children[i];
        let l = lambda(weights[i], floor);
        let l = if l.is_finite() { l } else { 0.0 };
        let (big_a, big_b) = (sizes[a] >= m, sizes[b] >= m);
        match (big_a, big_b) {
            (true, true) => {
                for child in [a, b] {
                    let id = clusters.len();
                    clusters.push(CondensedCluster {
                        parent: Some(cluster),
                        birth: l,
                        size: sizes[child],
                        stability: 0.0,
                        max_lambda: l,
                        children: Vec::new(),
                    });
                    clusters[cluster].children.push(id);
                    stack.push((child, id));
                }
            }
            (true, false) | (false, true) => {
                let (keep, drop) = if big_a { (a, b) } else { (b, a) };
                collect_leaves(drop, n, &children, &mut leaves);
                for &p in &leaves {
                    points[p] = (cluster, l);
                }
                clusters[cluster].max_lambda = clusters[cluster].max_lambda.max(l);
                stack.push((keep, cluster));
            }
            (false, false) => {
                collect_leaves(node, n, &children, &mut leaves);
                for &p in &leaves {
                    points[p] = (cluster, l);
                }
                clusters[cluster].max_lambda = clusters[cluster].max_lambda.max(l);
            }
        }
    }
    // Stability: points falling out, plus child clusters at their birth.
    for &(c, l) in &points {
        let birth = clusters[c].birth;
        clusters[c].stability += l - birth;
    }
    for id in 1..clusters.len() {
        if let Some(parent) = clusters[id].parent {
            let contribution =
                (clusters[id].birth - clusters[parent].birth) * clusters[id].size as f64;
            clusters[parent].stability += contribution;
        }
    }
    // λ_max over each subtree (children have larger ids than parents).
    for id in (1..clusters.len()).rev() {
        if let Some(parent) = clusters[id].parent {
            let child_max = clusters[id].max_lambda;
            if child_max > clusters[parent].max_lambda {
                clusters[parent].max_lambda = child_max;
            }
        }
    }
    Condensed { clusters, points }
}

fn collect_leaves(node: usize, n: usize, children: &[(usize, usize)], out: &mut Vec<usize>) {
    out.clear();
    let mut stack = vec![node];
    while let Some(x) = stack.pop() {
        if x < n {
            out.push(x);
        } else if let Some(&(a, b)) = children.get(x - n) {
            stack.push(b);
            stack.push(a);
        }
    }
}

/// Clusters chosen from a condensed tree, with per-point results.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Selected condensed-tree clusters, in tree order.
    pub selected: Vec<usize>,
    /// Each point's index into `selected`, or `None` for noise.
    pub labels: Vec<Option<usize>>,
    /// Membership strength, 0–1 (0 for noise).
    pub strength: Vec<f64>,
    /// GLOSH outlier score, 0–1.
    pub glosh: Vec<f64>,
}

/// How clearly each cluster stands apart: its birth density over the typical (geometric
/// mean) density at which its members leave it, subtree included. Near 0: a valley far less
/// dense than the cluster itself separates it from its sibling; near 1: it split off inside
/// the bulk of a denser region, a fragment rather than a group.
pub fn separation(c: &Condensed) -> Vec<f64> {
    let k = c.clusters.len();
    let mut log_sum = vec![0.0f64; k];
    let mut count = vec![0usize; k];
    for &(cluster, l) in &c.points {
        if l > 0.0 && l.is_finite() && cluster < k {
            log_sum[cluster] += libm::log(l);
            count[cluster] += 1;
        }
    }
    for id in (1..k).rev() {
        if let Some(parent) = c.clusters[id].parent {
            log_sum[parent] += log_sum[id];
            count[parent] += count[id];
        }
    }
    (0..k)
        .map(|id| {
            if count[id] == 0 {
                return 1.0;
            }
            let typical = libm::exp(log_sum[id] / count[id] as f64);
            if typical > 0.0 {
                (c.clusters[id].birth / typical).clamp(0.0, 1.0)
            } else {
                1.0
            }
        })
        .collect()
}

/// Selects clusters by excess of mass and labels every point. Only clusters whose
/// [`separation`] is at most `max_separation` may be selected (1.0 = plain HDBSCAN); the
/// members of a cluster that is not separated enough stay with its parent.
pub fn select(c: &Condensed, allow_single_cluster: bool) -> Selection {
    select_separated(c, allow_single_cluster, 1.0)
}

/// [`select`] with a separation requirement.
pub fn select_separated(
    c: &Condensed,
    allow_single_cluster: bool,
    max_separation: f64,
) -> Selection {
    select_with(c, allow_single_cluster, max_separation, false)
}

/// Selects the finest clusters that pass the separation test: every separated cluster with no
/// separated cluster below it (HDBSCAN's "leaf" selection, restricted to separated clusters).
/// Where excess of mass keeps a large, long-lived parent, this keeps its separated parts —
/// the mass middle's distinct groups — while the separation test keeps out fragments.
pub fn select_leaves(c: &Condensed, max_separation: f64) -> Selection {
    select_with(c, false, max_separation, true)
}

fn select_with(
    c: &Condensed,
    allow_single_cluster: bool,
    max_separation: f64,
    leaves: bool,
) -> Selection {
    let k = c.clusters.len();
    let separated = separation(c);
    let mut chosen = vec![false; k];
    if leaves {
        let eligible: Vec<bool> = (0..k)
            .map(|id| id != 0 && separated[id] <= max_separation)
            .collect();
        let mut below = vec![false; k];
        for id in (0..k).rev() {
            below[id] = c.clusters[id]
                .children
                .iter()
                .any(|&ch| eligible[ch] || below[ch]);
            chosen[id] = eligible[id] && !below[id];
        }
        return label_points(c, &chosen);
    }
    let mut subtree = vec![0.0f64; k];
    for id in (0..k).rev() {
        let children_sum: f64 = c.clusters[id].children.iter().map(|&ch| subtree[ch]).sum();
        let own = c.clusters[id].stability;
        let is_root = id == 0;
        let eligible = if is_root {
            allow_single_cluster
        } else {
            separated[id] <= max_separation
        };
        if eligible && own >= children_sum {
            chosen[id] = true;
            subtree[id] = own;
            // Deselect every descendant.
            let mut stack = c.clusters[id].children.clone();
            while let Some(d) = stack.pop() {
                chosen[d] = false;
                stack.extend(c.clusters[d].children.iter().copied());
            }
        } else {
            subtree[id] = children_sum;
        }
    }
    label_points(c, &chosen)
}

/// Per cluster: the segments of the selected clusters in its subtree (`None` = none,
/// `Some(None)` = more than one, `Some(Some(l))` = exactly `l`). `selected` are condensed-tree
/// clusters and `segment_of[i]` the segment of `selected[i]`.
fn segments_below(
    c: &Condensed,
    selected: &[usize],
    segment_of: &[usize],
) -> Vec<Option<Option<usize>>> {
    let k = c.clusters.len();
    let mut segments: Vec<Option<Option<usize>>> = vec![None; k];
    for (i, &id) in selected.iter().enumerate() {
        if let Some(slot) = segments.get_mut(id) {
            *slot = Some(segment_of.get(i).copied());
        }
    }
    for id in (1..k).rev() {
        let Some(parent) = c.clusters[id].parent else {
            continue;
        };
        segments[parent] = match (segments[parent], segments[id]) {
            (None, x) | (x, None) => x,
            (Some(Some(a)), Some(Some(b))) if a == b => Some(Some(a)),
            _ => Some(None),
        };
    }
    segments
}

/// Labels points by regions: a point belongs to segment `L` when the nearest separated (or
/// selected) cluster at or above the cluster it fell out of contains selected clusters of
/// segment `L` only. `selected` are condensed-tree clusters and `segment_of[i]` the segment of
/// `selected[i]` (several may share one, after merging). This gives a segment the members that
/// fell out between its own fragments, instead of leaving them as noise.
pub fn label_regions(
    c: &Condensed,
    selected: &[usize],
    segment_of: &[usize],
    max_separation: f64,
) -> Vec<Option<usize>> {
    let k = c.clusters.len();
    let separated = separation(c);
    let segments = segments_below(c, selected, segment_of);
    let is_selected: Vec<bool> = (0..k).map(|id| selected.contains(&id)).collect();
    // For each cluster, the region it answers to: itself if separated or selected, else its parent's.
    let mut region = vec![0usize; k];
    for id in 0..k {
        region[id] = if id == 0 || is_selected[id] || separated[id] <= max_separation {
            id
        } else {
            c.clusters[id].parent.map_or(0, |p| region[p])
        };
    }
    // A point under a selected cluster takes its segment whatever the region says.
    let mut owner: Vec<Option<usize>> = vec![None; k];
    for id in 0..k {
        owner[id] = selected
            .iter()
            .position(|&s| s == id)
            .and_then(|i| segment_of.get(i).copied())
            .or_else(|| c.clusters[id].parent.and_then(|p| owner[p]));
    }
    c.points
        .iter()
        .map(|&(cluster, _)| {
            owner.get(cluster).copied().flatten().or_else(|| {
                let r = region.get(cluster).copied().unwrap_or(0);
                if r == 0 { None } else { segments[r].flatten() }
            })
        })
        .collect()
}

/// Labels points by the segments merged clusters form: a point takes the segment of the
/// smallest cluster at or above the one it fell out of that holds selected clusters, when
/// they are all of one segment, and none when they are of several. `selected` and
/// `segment_of` are as in [`label_regions`]. Unlike it, no separation is asked of the clusters
/// in between: when every selected cluster below a split is one segment (one mode of a
/// column, [`super::merge_without_valley`]), so is everyone who fell out between them, the
/// small unselected branches of a ladder of fragments included.
pub fn label_by_segments(
    c: &Condensed,
    selected: &[usize],
    segment_of: &[usize],
) -> Vec<Option<usize>> {
    let k = c.clusters.len();
    let segments = segments_below(c, selected, segment_of);
    // Parents come before their children.
    let mut label: Vec<Option<usize>> = vec![None; k];
    for id in 0..k {
        let inherited = c.clusters[id].parent.and_then(|p| label[p]);
        label[id] = match selected.iter().position(|&s| s == id) {
            Some(i) => segment_of.get(i).copied(),
            None => inherited.or(segments[id].flatten()),
        };
    }
    c.points
        .iter()
        .map(|&(cluster, _)| label.get(cluster).copied().flatten())
        .collect()
}

/// Labels every point by the chosen cluster at or above the cluster it fell out of.
fn label_points(c: &Condensed, chosen: &[bool]) -> Selection {
    let k = c.clusters.len();
    let selected: Vec<usize> = (0..k).filter(|&id| chosen[id]).collect();
    let mut index_of = vec![None; k];
    for (i, &id) in selected.iter().enumerate() {
        index_of[id] = Some(i);
    }
    // For each condensed cluster, the selected cluster at or above it.
    let mut owner: Vec<Option<usize>> = vec![None; k];
    for id in 0..k {
        owner[id] = index_of[id].or_else(|| c.clusters[id].parent.and_then(|p| owner[p]));
    }
    let mut labels = Vec::with_capacity(c.points.len());
    let mut strength = Vec::with_capacity(c.points.len());
    let mut glosh = Vec::with_capacity(c.points.len());
    for &(cluster, l) in &c.points {
        let label = owner.get(cluster).copied().flatten();
        labels.push(label);
        strength.push(match label {
            Some(s) => {
                let max = c.clusters[selected[s]].max_lambda;
                if max > 0.0 {
                    (l.min(max) / max).clamp(0.0, 1.0)
                } else {
                    1.0
                }
            }
            None => 0.0,
        });
        let max = c.clusters.get(cluster).map_or(0.0, |cl| cl.max_lambda);
        glosh.push(if max > 0.0 && l.is_finite() {
            ((max - l) / max).clamp(0.0, 1.0)
        } else {
            0.0
        });
    }
    Selection {
        selected,
        labels,
        strength,
        glosh,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Points on a line: two tight groups {0,1,2,3} at 0..3 and {4,5,6,7} at 10..13, and one
    /// far point 8 at 30.
    fn line() -> Dense {
        let xs = [0.0, 1.0, 2.0, 3.0, 10.0, 11.0, 12.0, 13.0, 30.0];
        Dense {
            rows: xs.len(),
            cols: 1,
            data: xs.to_vec(),
        }
    }

    fn distances(d: &Dense) -> Dense {
        let n = d.rows;
        let mut m = Dense::zeros(n, n);
        for i in 0..n {
            for j in 0..n {
                m.set(i, j, libm::sqrt(dist2(d.row(i), d.row(j))));
            }
        }
        m
    }

    #[test]
    fn core_and_mutual_reachability_by_hand() {
        // min_samples = 2 (the point itself and one neighbour): every grouped point's core
        // distance is 1; the far point's is 17 (to 13).
        let h = Hierarchy::build(&line(), 2);
        assert_eq!(h.core, vec![1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 17.0]);
        // Tree: six edges of weight 1 inside the groups, 7 between them (3 → 10),
        // and 17 to the far point: max(core 17, core 1, distance 17).
        let weights: Vec<f64> = h.edges.iter().map(|e| e.weight).collect();
        assert_eq!(weights, vec![1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 7.0, 17.0]);
        let brute = Hierarchy::from_distances(&distances(&line()), 2);
        assert_eq!(brute.core, h.core);
        let bw: Vec<f64> = brute.edges.iter().map(|e| e.weight).collect();
        assert_eq!(bw, weights);
    }

    #[test]
    fn condensed_tree_glosh_and_selection_by_hand() {
        let h = Hierarchy::build(&line(), 2);
        let c = condense(&h, 3);
        // Root (λ from 0): at distance 17 (λ = 1/17) point 8 falls out; at distance 7 (λ = 1/7)
        // the root splits into two clusters of 4, born at 1/7, whose points all leave at λ = 1.
        assert_eq!(c.clusters.len(), 3);
        assert_eq!(c.points[8], (0, 1.0 / 17.0));
        assert_eq!((c.clusters[1].birth, c.clusters[1].size), (1.0 / 7.0, 4));
        // Stability of each child: 4 × (1 − 1/7).
        assert!((c.clusters[1].stability - 4.0 * (1.0 - 1.0 / 7.0)).abs() < 1e-12);
        // Root stability: point 8 (1/17 − 0) + children 2 × 4 × (1/7 − 0).
        assert!((c.clusters[0].stability - (1.0 / 17.0 + 8.0 / 7.0)).abs() < 1e-12);
        let s = select(&c, false);
        assert_eq!(s.selected, vec![1, 2]);
        assert_eq!(s.labels[8], None);
        assert_eq!(s.labels[0], s.labels[3]);
        assert_ne!(s.labels[0], s.labels[4]);
        // GLOSH of the far point: its cluster is the root, whose subtree reaches λ_max = 1,
        // so (1 − 1/17) / 1.
        assert!((s.glosh[8] - 16.0 / 17.0).abs() < 1e-12);
        assert_eq!(s.glosh[0], 0.0);
        assert_eq!(s.strength[0], 1.0);
    }

    #[test]
    fn boruvka_matches_prim_on_random_points() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let n = 300;
        let data = Dense {
            rows: n,
            cols: 4,
            data: (0..n * 4).map(|_| rng.r#gen::<f64>()).collect(),
        };
        let fast = Hierarchy::build(&data, 5);
        let slow = Hierarchy::from_distances(&distances(&data), 5);
        let total = |h: &Hierarchy| h.edges.iter().map(|e| e.weight).sum::<f64>();
        assert_eq!(fast.edges.len(), n - 1);
        assert!(
            (total(&fast) - total(&slow)).abs() < 1e-9,
            "{} vs {}",
            total(&fast),
            total(&slow)
        );
        for (a, b) in fast.core.iter().zip(&slow.core) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    #[test]
    fn clustered_points_give_the_same_tree_as_prim() {
        // Tight blobs far apart: most pairs are pruned by component and by bound.
        use rand::SeedableRng;
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(4);
        let n = 600;
        let data: Vec<f64> = (0..n)
            .flat_map(|i| {
                let c = (i % 6) as f64 * 10.0;
                let x = c + 0.3 * crate::engine::linalg::gaussian(&mut rng);
                let y = (i % 3) as f64 + 0.3 * crate::engine::linalg::gaussian(&mut rng);
                let z = 0.3 * crate::engine::linalg::gaussian(&mut rng);
                [x, y, z]
            })
            .collect();
        let data = Dense {
            rows: n,
            cols: 3,
            data,
        };
        let fast = Hierarchy::build(&data, 7);
        let slow = Hierarchy::from_distances(&distances(&data), 7);
        let total = |h: &Hierarchy| h.edges.iter().map(|e| e.weight).sum::<f64>();
        assert_eq!(fast.edges.len(), n - 1);
        assert!(
            (total(&fast) - total(&slow)).abs() < 1e-9,
            "{} vs {}",
            total(&fast),
            total(&slow)
        );
    }
}
