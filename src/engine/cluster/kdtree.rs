//! A k-d tree over the rows of a dense matrix, built for the two queries HDBSCAN needs:
//! the k nearest neighbours of every point (core distances), and, during Borůvka, the
//! nearest point *in another component* under mutual reachability distance.
//!
//! Points are copied in tree order so that a leaf's points are contiguous in memory. Nodes
//! split the widest dimension at its median; leaves hold up to [`LEAF_SIZE`] points; every node
//! keeps its bounding box, which gives the lower bounds used for pruning.
//!
//! `linfa-nn` has a k-d tree too, but its interface cannot prune by component or by core
//! distance, which is where Borůvka's speed comes from (McInnes & Healy 2017).
//!
//! # References
//! Bentley, J. L. (1975). Multidimensional binary search trees used for associative searching.
//! McInnes, L. & Healy, J. (2017). Accelerated hierarchical density based clustering. ICDMW.

use super::super::linalg::{Dense, dist2};

/// Points per leaf.
pub const LEAF_SIZE: usize = 24;
/// Marks a leaf's missing children.
const NONE: u32 = u32::MAX;

/// One node: a contiguous range of tree-ordered points and its children.
#[derive(Debug, Clone, Copy)]
pub struct Node {
    /// First point (tree order).
    pub start: usize,
    /// One past the last point.
    pub end: usize,
    /// Left child, or `NONE` for a leaf.
    pub left: u32,
    /// Right child.
    pub right: u32,
}

impl Node {
    /// True for leaves.
    pub fn is_leaf(&self) -> bool {
        self.left == NONE
    }
}

/// The tree.
#[derive(Debug, Clone)]
pub struct KdTree {
    /// Dimensions.
    pub dim: usize,
    /// Points in tree order, `dim` values each.
    pub points: Vec<f64>,
    /// `order[t]` is the original row of the t-th point in tree order.
    pub order: Vec<usize>,
    /// Nodes; 0 is the root.
    pub nodes: Vec<Node>,
    /// Per node, the box's lower corner then upper corner (`2 * dim` values).
    bounds: Vec<f64>,
}

impl KdTree {
    /// Builds the tree over the rows of `data`.
    pub fn build(data: &Dense) -> KdTree {
        let (n, dim) = (data.rows, data.cols);
        let mut order: Vec<usize> = (0..n).collect();
        let mut nodes = Vec::with_capacity(2 * n / LEAF_SIZE + 2);
        let mut stack = vec![(0usize, n, usize::MAX, false)];
        while let Some((start, end, parent, is_right)) = stack.pop() {
            let id = nodes.len();
            nodes.push(Node {
                start,
                end,
                left: NONE,
                right: NONE,
            });
            if parent != usize::MAX
                && let Some(p) = nodes.get_mut(parent)
            {
                if is_right {
                    p.right = id as u32;
                } else {
                    p.left = id as u32;
                }
            }
            if end - start <= LEAF_SIZE {
                continue;
            }
            // Split the widest dimension at the median.
            let slice = &mut order[start..end];
            let mut best = (0usize, -1.0f64);
            for d in 0..dim {
                let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
                for &i in slice.iter() {
                    let v = data.get(i, d);
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
                if hi - lo > best.1 {
                    best = (d, hi - lo);
                }
            }
            if best.1 <= 0.0 {
                continue; // all points identical: a (large) leaf
            }
            let mid = slice.len() / 2;
            let d = best.0;
            slice.select_nth_unstable_by(mid, |&a, &b| {
                data.get(a, d).total_cmp(&data.get(b, d)).then(a.cmp(&b))
            });
            stack.push((start + mid, end, id, true));
            stack.push((start, start + mid, id, false));
        }
        let mut points = Vec::with_capacity(n * dim);
        for &i in &order {
            points.extend_from_slice(data.row(i));
        }
        let mut tree = KdTree {
            dim,
            points,
            order,
            nodes,
            bounds: Vec::new(),
        };
        tree.compute_bounds();
        tree
    }

    fn compute_bounds(&mut self) {
        let dim = self.dim;
        self.bounds = vec![0.0; self.nodes.len() * 2 * dim];
        for (id, node) in self.nodes.iter().enumerate() {
            let b = &mut self.bounds[id * 2 * dim..(id + 1) * 2 * dim];
            b[..dim].fill(f64::INFINITY);
            b[dim..].fill(f64::NEG_INFINITY);
            for t in node.start..node.end {
                let p = &self.points[t * dim..(t + 1) * dim];
                for d in 0..dim {
                    b[d] = b[d].min(p[d]);
                    b[dim + d] = b[dim + d].max(p[d]);
                }
            }
        }
    }

    /// The t-th point in tree order.
    pub fn point(&self, t: usize) -> &[f64] {
        self.points
            .get(t * self.dim..(t + 1) * self.dim)
            .unwrap_or_default()
    }

    /// Squared distance from `p` to node `id`'s box (0 inside).
    pub fn box_dist2(&self, id: usize, p: &[f64]) -> f64 {
        let dim = self.dim;
        let b = self
            .bounds
            .get(id * 2 * dim..(id + 1) * 2 * dim)
            .unwrap_or_default();
        let mut s = 0.0;
        for d in 0..dim.min(p.len()) {
            let (lo, hi, x) = (b[d], b[dim + d], p[d]);
            let gap = if x < lo {
                lo - x
            } else if x > hi {
                x - hi
            } else {
                0.0
            };
            s += gap * gap;
        }
        s
    }

    /// Squared distance between the boxes of nodes `a` and `b` (0 when they overlap).
    pub fn box_box_dist2(&self, a: usize, b: usize) -> f64 {
        let dim = self.dim;
        let (Some(ba), Some(bb)) = (
            self.bounds.get(a * 2 * dim..(a + 1) * 2 * dim),
            self.bounds.get(b * 2 * dim..(b + 1) * 2 * dim),
        ) else {
            return 0.0;
        };
        let mut s = 0.0;
        for d in 0..dim {
            let gap = (ba[d] - bb[dim + d]).max(bb[d] - ba[dim + d]).max(0.0);
            s += gap * gap;
        }
        s
    }

    /// The `k` nearest points to tree point `t` (itself included), as (squared distance,
    /// tree index), nearest first. Out of line: it is the step of a long loop, and V8 only
    /// optimises WebAssembly between calls (see `linalg::add_outer`).
    #[inline(never)]
    pub fn knn(&self, t: usize, k: usize, out: &mut Vec<(f64, usize)>) {
        self.knn_of(self.point(t), k, out);
    }

    /// The `k` nearest tree points to `p` (any point of the tree's dimension), as (squared
    /// distance, tree index), nearest first; ties go to the lower tree index.
    #[inline(never)]
    pub fn knn_of(&self, p: &[f64], k: usize, out: &mut Vec<(f64, usize)>) {
        out.clear();
        let k = k.max(1);
        let mut stack: Vec<(usize, f64)> = vec![(0, 0.0)];
        while let Some((id, lower)) = stack.pop() {
            if out.len() == k && lower >= out[k - 1].0 {
                continue;
            }
            let node = self.nodes[id];
            if node.is_leaf() {
                for u in node.start..node.end {
                    let d2 = dist2(p, self.point(u));
                    if out.len() < k
                        || d2 < out[k - 1].0
                        || (d2 == out[k - 1].0 && u < out[k - 1].1)
                    {
                        let pos = out.partition_point(|&(d, i)| d < d2 || (d == d2 && i < u));
                        out.insert(pos, (d2, u));
                        out.truncate(k);
                    }
                }
                continue;
            }
            let (l, r) = (node.left as usize, node.right as usize);
            let (dl, dr) = (self.box_dist2(l, p), self.box_dist2(r, p));
            // Push the farther child first so the nearer one is searched first.
            if dl <= dr {
                stack.push((r, dr));
                stack.push((l, dl));
            } else {
                stack.push((l, dl));
                stack.push((r, dr));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn knn_matches_brute_force() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        let n = 500;
        let data = Dense {
            rows: n,
            cols: 3,
            data: (0..n * 3).map(|_| rng.r#gen::<f64>()).collect(),
        };
        let tree = KdTree::build(&data);
        let mut out = Vec::new();
        for t in (0..n).step_by(37) {
            tree.knn(t, 7, &mut out);
            let row = tree.order[t];
            let mut brute: Vec<f64> = (0..n).map(|j| dist2(data.row(row), data.row(j))).collect();
            brute.sort_by(f64::total_cmp);
            let got: Vec<f64> = out.iter().map(|x| x.0).collect();
            assert_eq!(got, brute[..7].to_vec());
            assert_eq!(out[0].1, t, "a point is its own nearest neighbour");
        }
    }
}
