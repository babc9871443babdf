//! The small amount of linear algebra the engine needs, written out so that it is
//! deterministic to the last bit on every platform (no BLAS, no threads, fixed loop order).
//!
//! * [`Dense`] — a row-major matrix of `f64`; [`Rows`] — a matrix read a row at a time.
//! * [`symmetric_eigen`] — Householder tridiagonalisation and the implicit QL algorithm
//!   (EISPACK `tred2`/`tql2`) for small symmetric matrices.
//! * [`randomized_svd`] — the rank-k range finder with power iterations of Halko,
//!   Martinsson & Tropp, for a sparse TF-IDF matrix; returns each row's coordinates in the
//!   top singular directions (latent semantic analysis).
//! * [`pca`] — principal components of a dense matrix, via the covariance's eigenvectors, or,
//!   for fewer rows than columns (a 40-answer file's 384-wide sentence vectors), via the rows'
//!   own Gram matrix (the snapshot method of Sirovich 1987).
//! * [`randomized_pca`] — the same range finder on a dense, implicitly centred matrix, for
//!   wide inputs (thousands of columns) whose covariance would not fit or not finish.
//!
//! Eigenvector signs are fixed (largest component positive) so that runs are reproducible.
//!
//! # References
//! Halko, N., Martinsson, P.-G. & Tropp, J. (2011). Finding structure with randomness:
//! probabilistic algorithms for constructing approximate matrix decompositions. SIAM Review 53(2).
//! Golub, G. & Van Loan, C. (2013). *Matrix Computations*, §8.3 (the symmetric QR algorithm).
//! Sirovich, L. (1987). Turbulence and the dynamics of coherent structures, part I: coherent
//! structures. Quarterly of Applied Mathematics 45(3) (the snapshot method).
//! Bishop, C. M. (2006). *Pattern Recognition and Machine Learning*, §12.1.4 (PCA for
//! high-dimensional data).

use super::text::Csr;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// A row-major dense matrix.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dense {
    /// Number of rows.
    pub rows: usize,
    /// Number of columns.
    pub cols: usize,
    /// `rows * cols` values, row by row.
    pub data: Vec<f64>,
}

impl Dense {
    /// A matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Dense {
        Dense {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        self.data
            .get(i * self.cols..(i + 1) * self.cols)
            .unwrap_or_default()
    }

    /// Row `i`, mutable.
    pub fn row_mut(&mut self, i: usize) -> &mut [f64] {
        let cols = self.cols;
        self.data
            .get_mut(i * cols..(i + 1) * cols)
            .unwrap_or_default()
    }

    /// Entry `(i, j)` (0 outside the matrix).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        if j >= self.cols {
            return 0.0;
        }
        self.data.get(i * self.cols + j).copied().unwrap_or(0.0)
    }

    /// Sets entry `(i, j)` (ignored outside the matrix).
    pub fn set(&mut self, i: usize, j: usize, v: f64) {
        if j < self.cols
            && let Some(x) = self.data.get_mut(i * self.cols + j)
        {
            *x = v;
        }
    }

    /// Keeps the first `k` columns.
    pub fn first_columns(&self, k: usize) -> Dense {
        let k = k.min(self.cols);
        let mut out = Dense::zeros(self.rows, k);
        for i in 0..self.rows {
            out.row_mut(i)
                .copy_from_slice(self.row(i).get(..k).unwrap_or_default());
        }
        out
    }
}

/// Rows of numbers read one at a time: a [`Dense`] matrix, or the balanced features, which
/// hold each column's distinct rows once (`balanced::Balanced`).
pub trait Rows: Sync + std::fmt::Debug {
    /// Number of rows.
    fn n_rows(&self) -> usize;
    /// Number of columns.
    fn n_cols(&self) -> usize;
    /// Row `i` into `out` (`n_cols` long; zeros beyond the rows).
    fn read_row(&self, i: usize, out: &mut [f64]);
    /// Entry `(i, d)` (0 outside the matrix).
    fn value(&self, i: usize, d: usize) -> f64;
}

impl Rows for Dense {
    fn n_rows(&self) -> usize {
        self.rows
    }

    fn n_cols(&self) -> usize {
        self.cols
    }

    fn read_row(&self, i: usize, out: &mut [f64]) {
        let row = self.row(i);
        if row.len() == out.len() {
            out.copy_from_slice(row);
        } else {
            out.fill(0.0);
        }
    }

    fn value(&self, i: usize, d: usize) -> f64 {
        self.get(i, d)
    }
}

/// `Σ term(aᵢ, bᵢ)` over two equally long slices, in eight running sums.
///
/// Eight sums let the compiler use SIMD lanes (a single sum must be added in order, which
/// forbids it) and keep four registers busy at once; lanes in pairs are registers, so they
/// are added register-wise, then across. The order is fixed, so the result is the same on
/// every platform. Used for distances and dot products, in single and double precision.
#[inline(always)]
pub fn lane_sum<T>(a: &[T], b: &[T], term: impl Fn(T, T) -> T) -> T
where
    T: Copy + Default + std::ops::Add<Output = T>,
{
    let mut acc = [T::default(); 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] = acc[l] + term(x[l], y[l]);
        }
    }
    let mut tail = T::default();
    for (&x, &y) in ra.iter().zip(rb) {
        tail = tail + term(x, y);
    }
    let even = (acc[0] + acc[4]) + (acc[2] + acc[6]);
    let odd = (acc[1] + acc[5]) + (acc[3] + acc[7]);
    (even + odd) + tail
}

/// Squared Euclidean distance.
pub fn dist2(a: &[f64], b: &[f64]) -> f64 {
    lane_sum(a, b, |x, y| (x - y) * (x - y))
}

/// Eigen-decomposition of a symmetric `n × n` matrix (row-major): Householder reduction to
/// tridiagonal form, then the implicit QL algorithm (Bowdler, Martin, Reinsch & Wilkinson
/// 1968, the EISPACK `tred2`/`tql2` routines, following their public-domain JAMA rendering).
/// O(n³) with a small constant: a 192 × 192 covariance takes milliseconds. Returns eigenvalues
/// in decreasing order and the matching unit eigenvectors as rows, each signed so that its
/// largest component is positive. Non-finite input gives non-finite output, never a hang.
pub fn symmetric_eigen(matrix: &Dense) -> (Vec<f64>, Dense) {
    let n = matrix.rows.min(matrix.cols);
    if n == 0 {
        return (Vec::new(), Dense::zeros(0, 0));
    }
    // v[i][j] column-major-free: a plain row-major copy, symmetric.
    let mut v: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| matrix.get(i, j)).collect())
        .collect();
    let mut d = vec![0.0; n];
    let mut e = vec![0.0; n];
    tridiagonalise(&mut v, &mut d, &mut e);
    diagonalise(&mut v, &mut d, &mut e);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| d[j].total_cmp(&d[i]).then(i.cmp(&j)));
    let values: Vec<f64> = order.iter().map(|&i| d[i]).collect();
    let mut vectors = Dense::zeros(n, n);
    for (r, &i) in order.iter().enumerate() {
        let row = vectors.row_mut(r);
        row.iter_mut().zip(&v).for_each(|(x, vk)| *x = vk[i]);
        scale_largest_positive(row, 1.0);
    }
    (values, vectors)
}

/// Multiplies `v` by `scale`, negated if need be so that its largest component (by size) is
/// positive: the sign rule that makes eigenvectors and axes the same on every run.
fn scale_largest_positive(v: &mut [f64], scale: f64) {
    let big = v
        .iter()
        .copied()
        .fold(0.0f64, |m, x| if x.abs() > m.abs() { x } else { m });
    let factor = if big < 0.0 { -scale } else { scale };
    v.iter_mut().for_each(|x| *x *= factor);
}

/// Householder reduction of the symmetric `v` to tridiagonal form (`tred2`): on return `d`
/// holds the diagonal, `e[1..]` the sub-diagonal and `v` the orthogonal transformation.
fn tridiagonalise(v: &mut [Vec<f64>], d: &mut [f64], e: &mut [f64]) {
    let n = d.len();
    d.copy_from_slice(&v[n - 1]);
    for i in (1..n).rev() {
        let scale: f64 = d[..i].iter().map(|x| x.abs()).sum();
        let mut h = 0.0;
        if scale == 0.0 {
            e[i] = d[i - 1];
            for j in 0..i {
                d[j] = v[i - 1][j];
                v[i][j] = 0.0;
                v[j][i] = 0.0;
            }
        } else {
            h = reflect(v, d, e, i, scale);
        }
        d[i] = h;
    }
    // Accumulate the transformations.
    for i in 0..n - 1 {
        v[n - 1][i] = v[i][i];
        v[i][i] = 1.0;
        let h = d[i + 1];
        if h != 0.0 {
            accumulate(v, d, i, h);
        }
        for row in v.iter_mut().take(i + 1) {
            row[i + 1] = 0.0;
        }
    }
    for j in 0..n {
        d[j] = v[n - 1][j];
        v[n - 1][j] = 0.0;
    }
    v[n - 1][n - 1] = 1.0;
    e[0] = 0.0;
}

/// One Householder step of [`tridiagonalise`] for row `i` (of norm sum `scale`), returning
/// its `h`. This and the other loops below are functions of their own, called many times, so
/// that WebAssembly runs them optimised: V8 optimises a function between calls, never during
/// one (ARCHITECTURE.md).
#[inline(never)]
fn reflect(v: &mut [Vec<f64>], d: &mut [f64], e: &mut [f64], i: usize, scale: f64) -> f64 {
    let mut h = 0.0;
    for x in d[..i].iter_mut() {
        *x /= scale;
        h += *x * *x;
    }
    let f = d[i - 1];
    let mut g = libm::sqrt(h);
    if f > 0.0 {
        g = -g;
    }
    e[i] = scale * g;
    h -= f * g;
    d[i - 1] = f - g;
    e[..i].fill(0.0);
    for j in 0..i {
        let f = d[j];
        v[j][i] = f;
        let mut g = e[j] + v[j][j] * f;
        for k in j + 1..i {
            g += v[k][j] * d[k];
            e[k] += v[k][j] * f;
        }
        e[j] = g;
    }
    let mut f = 0.0;
    for j in 0..i {
        e[j] /= h;
        f += e[j] * d[j];
    }
    let hh = f / (h + h);
    for j in 0..i {
        e[j] -= hh * d[j];
    }
    for j in 0..i {
        let (f, g) = (d[j], e[j]);
        for k in j..i {
            v[k][j] -= f * e[k] + g * d[k];
        }
        d[j] = v[i - 1][j];
        v[i][j] = 0.0;
    }
    h
}

/// Applies transformation `i` (of divisor `h`) to the first `i + 1` columns, in
/// [`tridiagonalise`].
#[inline(never)]
fn accumulate(v: &mut [Vec<f64>], d: &mut [f64], i: usize, h: f64) {
    for k in 0..=i {
        d[k] = v[k][i + 1] / h;
    }
    for j in 0..=i {
        let g: f64 = (0..=i).map(|k| v[k][i + 1] * v[k][j]).sum();
        for k in 0..=i {
            v[k][j] -= g * d[k];
        }
    }
}

/// Rotates columns `i` and `i + 1` of `v` by the cosine `c` and sine `s`, in [`diagonalise`].
#[inline(never)]
fn rotate(v: &mut [Vec<f64>], i: usize, c: f64, s: f64) {
    for row in v.iter_mut() {
        let h = row[i + 1];
        row[i + 1] = s * row[i] + c * h;
        row[i] = c * row[i] - s * h;
    }
}

/// Implicit QL on the tridiagonal `d`, `e` (`tql2`), rotating `v` into the eigenvectors.
fn diagonalise(v: &mut [Vec<f64>], d: &mut [f64], e: &mut [f64]) {
    let n = d.len();
    for i in 1..n {
        e[i - 1] = e[i];
    }
    e[n - 1] = 0.0;
    let mut f = 0.0;
    let mut tst1 = 0.0f64;
    let eps = f64::EPSILON;
    for l in 0..n {
        tst1 = tst1.max(d[l].abs() + e[l].abs());
        let mut m = l;
        while m < n - 1 && e[m].abs() > eps * tst1 {
            m += 1;
        }
        if m > l {
            // At most 60 iterations per eigenvalue (a handful are usual).
            for _ in 0..60 {
                let g = d[l];
                let mut p = (d[l + 1] - g) / (2.0 * e[l]);
                let mut r = libm::hypot(p, 1.0);
                if p < 0.0 {
                    r = -r;
                }
                d[l] = e[l] / (p + r);
                d[l + 1] = e[l] * (p + r);
                let dl1 = d[l + 1];
                let h = g - d[l];
                for x in d[l + 2..].iter_mut() {
                    *x -= h;
                }
                f += h;
                p = d[m];
                let (mut c, mut c2, mut c3) = (1.0, 1.0, 1.0);
                let el1 = e[l + 1];
                let (mut s, mut s2) = (0.0, 0.0);
                for i in (l..m).rev() {
                    c3 = c2;
                    c2 = c;
                    s2 = s;
                    let g = c * e[i];
                    let h = c * p;
                    r = libm::hypot(p, e[i]);
                    e[i + 1] = s * r;
                    s = e[i] / r;
                    c = p / r;
                    p = c * d[i] - s * g;
                    d[i + 1] = h + s * (c * g + s * d[i]);
                    rotate(v, i, c, s);
                }
                p = -s * s2 * c3 * el1 * e[l] / dl1;
                e[l] = s * p;
                d[l] = c * p;
                // Also stops on NaN, which compares false both ways.
                if e[l].abs().partial_cmp(&(eps * tst1)) != Some(std::cmp::Ordering::Greater) {
                    break;
                }
            }
        }
        d[l] += f;
        e[l] = 0.0;
    }
}

/// Orthonormalises the columns of the row-major `y` (n × l) by modified Gram–Schmidt,
/// dropping columns that are (numerically) dependent on earlier ones.
fn orthonormalise(y: &Dense) -> Dense {
    let (n, l) = (y.rows, y.cols);
    let mut cols: Vec<Vec<f64>> = (0..l)
        .map(|c| (0..n).map(|i| y.get(i, c)).collect())
        .collect();
    let mut kept: Vec<Vec<f64>> = Vec::with_capacity(l);
    for mut col in cols.drain(..) {
        for q in &kept {
            let dot: f64 = col.iter().zip(q).map(|(a, b)| a * b).sum();
            col.iter_mut().zip(q).for_each(|(a, b)| *a -= dot * b);
        }
        let norm = libm::sqrt(col.iter().map(|x| x * x).sum::<f64>());
        if norm > 1e-10 {
            col.iter_mut().for_each(|x| *x /= norm);
            kept.push(col);
        }
    }
    let mut out = Dense::zeros(n, kept.len());
    for (c, col) in kept.iter().enumerate() {
        for (i, v) in col.iter().enumerate() {
            out.set(i, c, *v);
        }
    }
    out
}

/// `A · X` for sparse A (n × m) and row-major X (m × l).
fn sparse_times(a: &Csr, x: &Dense) -> Dense {
    let l = x.cols;
    let mut out = Dense::zeros(a.n_rows(), l);
    for i in 0..a.n_rows() {
        let row = out.row_mut(i);
        for (j, v) in a.row(i) {
            for (o, xj) in row.iter_mut().zip(x.row(j)) {
                *o += v * xj;
            }
        }
    }
    out
}

/// `Aᵀ · Y` for sparse A (n × m) and row-major Y (n × l).
fn sparse_transpose_times(a: &Csr, y: &Dense) -> Dense {
    let l = y.cols;
    let mut out = Dense::zeros(a.n_cols, l);
    for i in 0..a.n_rows() {
        let yi = y.row(i);
        for (j, v) in a.row(i) {
            for (o, yv) in out.row_mut(j).iter_mut().zip(yi) {
                *o += v * yv;
            }
        }
    }
    out
}

/// Coordinates of each row of the sparse matrix `a` in its top `k` singular directions
/// (`U_k Σ_k`, an n × k matrix), with the singular values. `power` power iterations sharpen
/// the subspace; `seed` fixes the random test matrix.
pub fn randomized_svd(a: &Csr, k: usize, power: usize, seed: u64) -> (Dense, Vec<f64>) {
    let n = a.n_rows();
    let k = k.min(a.n_cols).min(n);
    if k == 0 {
        return (Dense::zeros(n, 0), Vec::new());
    }
    let l = (k + 8).min(a.n_cols).min(n);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut omega = Dense::zeros(a.n_cols, l);
    omega.data.iter_mut().for_each(|v| *v = gaussian(&mut rng));
    let mut q = orthonormalise(&sparse_times(a, &omega));
    for _ in 0..power {
        let z = orthonormalise(&sparse_transpose_times(a, &q));
        q = orthonormalise(&sparse_times(a, &z));
    }
    let bt = sparse_transpose_times(a, &q);
    coordinates_in_range(&q, &bt, k)
}

/// The last step of the range finder: given the orthonormal basis `q` (n × l) of the range
/// and `Bᵀ = Aᵀ Q` (m × l), returns each row's coordinates `Q W Σ` in the top `k` singular
/// directions (from `B Bᵀ = W Σ² Wᵀ`, an l × l eigenproblem), with the singular values.
fn coordinates_in_range(q: &Dense, bt: &Dense, k: usize) -> (Dense, Vec<f64>) {
    let (n, l) = (q.rows, q.cols);
    let mut bbt = Dense::zeros(l, l);
    for j in 0..bt.rows {
        let row = bt.row(j);
        for r in 0..l {
            let rv = row[r];
            if rv == 0.0 {
                continue;
            }
            for (s, &sv) in row.iter().enumerate().skip(r) {
                let v = bbt.get(r, s) + rv * sv;
                bbt.set(r, s, v);
            }
        }
    }
    for r in 0..l {
        for s in 0..r {
            let v = bbt.get(s, r);
            bbt.set(r, s, v);
        }
    }
    let (values, w) = symmetric_eigen(&bbt);
    let k = k.min(l);
    let sigma: Vec<f64> = values
        .iter()
        .take(k)
        .map(|&v| libm::sqrt(v.max(0.0)))
        .collect();
    let mut coords = Dense::zeros(n, k);
    for i in 0..n {
        let qi = q.row(i);
        for (c, s) in sigma.iter().enumerate() {
            let v: f64 = qi.iter().zip(w.row(c)).map(|(a, b)| a * b).sum();
            coords.set(i, c, v * s);
        }
    }
    (coords, sigma)
}

/// A standard normal draw (Box–Muller), from `libm` so that it is identical everywhere.
pub fn gaussian(rng: &mut Xoshiro256PlusPlus) -> f64 {
    let u1: f64 = rng.r#gen::<f64>().max(1e-300);
    let u2: f64 = rng.r#gen::<f64>();
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(std::f64::consts::TAU * u2)
}

/// The principal axes of the rows of `x`: their mean, the variances along the top `k` axes,
/// and the axes themselves (k × d, one unit vector per row, largest variance first; for fewer
/// rows than columns, axes past the data's rank are zero rows with variance 0).
pub fn principal_axes(x: &Dense, k: usize) -> (Vec<f64>, Vec<f64>, Dense) {
    let (n, d) = (x.rows, x.cols);
    let k = k.min(d);
    let mut mean = vec![0.0; d];
    if n == 0 || k == 0 {
        return (mean, Vec::new(), Dense::zeros(0, d));
    }
    for i in 0..n {
        add_to(&mut mean, x.row(i));
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    let (values, axes) = if n < d {
        axes_through_rows(x, &mean, k)
    } else {
        axes_through_covariance(x, &mean, k)
    };
    (mean, values, axes)
}

/// Adds `row` to `sum`. This and [`push_centred`] are functions of their own, called once
/// per row, so that WebAssembly runs them optimised: V8 optimises a function between calls,
/// never during one (ARCHITECTURE.md).
#[inline(never)]
fn add_to(sum: &mut [f64], row: &[f64]) {
    sum.iter_mut().zip(row).for_each(|(m, v)| *m += v);
}

/// Appends `row − mean` to `out`.
#[inline(never)]
fn push_centred(out: &mut Vec<f64>, row: &[f64], mean: &[f64]) {
    out.extend(row.iter().zip(mean).map(|(v, m)| v - m));
}

/// The top `k` principal axes and their variances through the `d × d` covariance.
fn axes_through_covariance(x: &Dense, mean: &[f64], k: usize) -> (Vec<f64>, Dense) {
    let (n, d) = (x.rows, x.cols);
    let mut cov = Dense::zeros(d, d);
    let mut centred = Vec::with_capacity(GRAM_ROWS * d);
    for first in (0..n).step_by(GRAM_ROWS) {
        centred.clear();
        for i in first..(first + GRAM_ROWS).min(n) {
            push_centred(&mut centred, x.row(i), mean);
        }
        add_gram(&mut cov, &centred, d);
    }
    for a in 0..d {
        for b in a..d {
            let v = cov.get(a, b) / n.max(2) as f64;
            cov.set(a, b, v);
            cov.set(b, a, v);
        }
    }
    let (values, vectors) = symmetric_eigen(&cov);
    let mut axes = Dense::zeros(k, d);
    for c in 0..k {
        axes.row_mut(c).copy_from_slice(vectors.row(c));
    }
    (values.into_iter().take(k).collect(), axes)
}

/// The top `k` principal axes of fewer rows than columns (`n < d`), through the rows' own
/// `n × n` Gram matrix instead of the `d × d` covariance (the dual, or "snapshot", method of
/// Sirovich 1987; Bishop 2006, §12.1.4): if `G u = λ u` for `G = Xc Xcᵀ / max(n, 2)` (the
/// covariance route's normalisation), then `Xcᵀ u` is
/// an axis of variance `λ`. The covariance has rank below `n`, so the axes past it carry no
/// variance: they are returned as zero rows, and every row projects to exactly 0 on them.
/// A 40-answer file costs a 40 × 40 decomposition, not a 384 × 384 one.
fn axes_through_rows(x: &Dense, mean: &[f64], k: usize) -> (Vec<f64>, Dense) {
    let (n, d) = (x.rows, x.cols);
    let centred: Vec<Vec<f64>> = (0..n)
        .map(|i| x.row(i).iter().zip(mean).map(|(v, m)| v - m).collect())
        .collect();
    let mut gram = Dense::zeros(n, n);
    for a in 0..n {
        for b in a..n {
            let v = dot(&centred[a], &centred[b]) / n.max(2) as f64;
            gram.set(a, b, v);
            gram.set(b, a, v);
        }
    }
    let (values, vectors) = symmetric_eigen(&gram);
    let top = values.first().copied().unwrap_or(0.0);
    let mut axes = Dense::zeros(k, d);
    let mut variances = vec![0.0; k];
    for c in 0..k.min(n) {
        let value = values[c];
        // Past the rank, λ is rounding noise around 0 and so is its axis (and one barely
        // above it would come out far from orthogonal to the others).
        if !(value > top * 1e-10 && value > 0.0) {
            break;
        }
        let axis = axes.row_mut(c);
        for (weight, row) in vectors.row(c).iter().zip(&centred) {
            axis.iter_mut().zip(row).for_each(|(a, v)| *a += weight * v);
        }
        let norm = libm::sqrt(dot(axis, axis));
        // Zero, or not finite (non-finite input): no axis.
        if !norm.is_finite() || norm <= 0.0 {
            axis.fill(0.0);
            break;
        }
        scale_largest_positive(axis, 1.0 / norm);
        variances[c] = value;
    }
    (variances, axes)
}

/// Rows per call of [`add_gram`]: their centred values (up to ~100 KB) stay in cache while
/// every entry of the covariance passes over them.
const GRAM_ROWS: usize = 64;

/// Adds the upper triangle of `Cᵀ C` to `cov`, for the rows of `c` (row-major, `d` wide).
///
/// Each entry is still summed row after row, in order, exactly as adding the outer product
/// of one row at a time would (so results do not change with the blocking); but eight
/// entries of a row of `cov` are summed at once in registers over all the rows, instead of
/// loading and storing the whole triangle for every row.
///
/// Out of line on purpose, like the other per-step functions of long loops: V8 runs a
/// WebAssembly call in its baseline tier until that call returns (there is no on-stack
/// replacement), so a loop that stays inside one call for seconds never gets optimised code,
/// while a function it calls over and over does after a few calls (ARCHITECTURE.md).
#[inline(never)]
fn add_gram(cov: &mut Dense, c: &[f64], d: usize) {
    let rows = c.len() / d.max(1);
    for a in 0..d {
        let mut b = a;
        while b < d {
            let w = (d - b).min(8);
            let mut acc = [0.0f64; 8];
            acc[..w].copy_from_slice(&cov.row(a)[b..b + w]);
            for row in c.chunks_exact(d).take(rows) {
                let x = row[a];
                if w == 8 {
                    let block = &row[b..b + 8];
                    for l in 0..8 {
                        acc[l] += x * block[l];
                    }
                } else {
                    for (s, &v) in acc.iter_mut().zip(&row[b..b + w]) {
                        *s += x * v;
                    }
                }
            }
            cov.row_mut(a)[b..b + w].copy_from_slice(&acc[..w]);
            b += w;
        }
    }
}

/// Coordinates of `row` on `axes` (from [`principal_axes`]) after removing `mean`.
/// Out of line, like `add_gram`: it is the step of long loops.
#[inline(never)]
pub fn project(row: &[f64], mean: &[f64], axes: &Dense, out: &mut [f64]) {
    let centred: Vec<f64> = row.iter().zip(mean).map(|(v, m)| v - m).collect();
    for (c, o) in out.iter_mut().enumerate().take(axes.rows) {
        *o = dot(&centred, axes.row(c));
    }
}

/// Dot product (see [`lane_sum`]).
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    lane_sum(a, b, |x, y| x * y)
}

/// Principal components: the data centred and projected onto its top `k` axes, with each
/// axis's variance.
pub fn pca(x: &Dense, k: usize) -> (Dense, Vec<f64>) {
    let (mean, values, axes) = principal_axes(x, k);
    let mut out = Dense::zeros(x.rows, axes.rows);
    for i in 0..x.rows {
        project(x.row(i), &mean, &axes, out.row_mut(i));
    }
    (out, values)
}

/// Principal-component coordinates of the rows of `x` (n × k) by the randomized range finder
/// on the centred matrix, which is never formed: `Xc v = X v − (μ·v) 1`. Costs O(n·d·k) and
/// no d × d matrix, for inputs too wide for [`pca`].
pub fn randomized_pca(x: &Dense, k: usize, seed: u64) -> Dense {
    let (n, d) = (x.rows, x.cols);
    let k = k.min(d).min(n);
    if k == 0 {
        return Dense::zeros(n, 0);
    }
    let mut mean = vec![0.0; d];
    for i in 0..n {
        mean.iter_mut().zip(x.row(i)).for_each(|(m, v)| *m += v);
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    // Xc · m (n × l) for m (d × l).
    let times = |m: &Dense| -> Dense {
        let l = m.cols;
        let shift: Vec<f64> = (0..l)
            .map(|c| (0..d).map(|j| mean[j] * m.get(j, c)).sum())
            .collect();
        let mut out = Dense::zeros(n, l);
        for i in 0..n {
            let o = out.row_mut(i);
            for (j, &v) in x.row(i).iter().enumerate() {
                if v != 0.0 {
                    for (oc, mv) in o.iter_mut().zip(m.row(j)) {
                        *oc += v * mv;
                    }
                }
            }
            o.iter_mut().zip(&shift).for_each(|(oc, s)| *oc -= s);
        }
        out
    };
    // Xcᵀ · q (d × l) for q (n × l).
    let transpose_times = |q: &Dense| -> Dense {
        let l = q.cols;
        let mut out = Dense::zeros(d, l);
        let mut sums = vec![0.0; l];
        for i in 0..n {
            let qi = q.row(i);
            sums.iter_mut().zip(qi).for_each(|(s, v)| *s += v);
            for (j, &v) in x.row(i).iter().enumerate() {
                if v != 0.0 {
                    for (oc, qv) in out.row_mut(j).iter_mut().zip(qi) {
                        *oc += v * qv;
                    }
                }
            }
        }
        for (j, m) in mean.iter().enumerate() {
            for (oc, s) in out.row_mut(j).iter_mut().zip(&sums) {
                *oc -= m * s;
            }
        }
        out
    };
    let l = (k + 8).min(d).min(n);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut omega = Dense::zeros(d, l);
    omega.data.iter_mut().for_each(|v| *v = gaussian(&mut rng));
    let mut q = orthonormalise(&times(&omega));
    for _ in 0..2 {
        let z = orthonormalise(&transpose_times(&q));
        q = orthonormalise(&times(&z));
    }
    let bt = transpose_times(&q);
    coordinates_in_range(&q, &bt, k).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocked_covariance_sums_exactly_as_one_row_at_a_time() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        for (n, d) in [(1, 1), (7, 3), (200, 13), (150, 24), (130, 41)] {
            // Values of very different sizes, and zeros, so any change of order would show.
            let c: Vec<f64> = (0..n * d)
                .map(|_| match rng.gen_range(0..4) {
                    0 => 0.0,
                    1 => rng.r#gen::<f64>() * 1e6,
                    _ => rng.r#gen::<f64>() - 0.5,
                })
                .collect();
            // The former code: one row's outer product at a time, skipping zeros.
            let mut naive = Dense::zeros(d, d);
            for row in c.chunks_exact(d) {
                for a in (0..d).filter(|&a| row[a] != 0.0) {
                    for b in a..d {
                        let v = naive.get(a, b) + row[a] * row[b];
                        naive.set(a, b, v);
                    }
                }
            }
            let mut blocked = Dense::zeros(d, d);
            for chunk in c.chunks(GRAM_ROWS * d) {
                add_gram(&mut blocked, chunk, d);
            }
            for a in 0..d {
                for b in a..d {
                    assert_eq!(
                        naive.get(a, b).to_bits(),
                        blocked.get(a, b).to_bits(),
                        "n {n}, d {d}, entry ({a}, {b})"
                    );
                }
            }
        }
    }

    #[test]
    fn axes_through_the_rows_match_axes_through_the_covariance() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        for (n, d, k) in [(2, 5, 3), (12, 40, 8), (39, 384, 24), (60, 61, 61)] {
            let x = Dense {
                rows: n,
                cols: d,
                data: (0..n * d).map(|_| gaussian(&mut rng)).collect(),
            };
            let mean: Vec<f64> = (0..d)
                .map(|j| (0..n).map(|i| x.get(i, j)).sum::<f64>() / n as f64)
                .collect();
            let (dual_values, dual) = axes_through_rows(&x, &mean, k);
            let (values, axes) = axes_through_covariance(&x, &mean, k);
            // n centred rows span n − 1 directions; past them the dual gives zero axes.
            for c in 0..k {
                if c < n - 1 {
                    assert!((dual_values[c] - values[c]).abs() < 1e-9 * values[0]);
                    for j in 0..d {
                        let (a, b) = (dual.get(c, j), axes.get(c, j));
                        assert!((a - b).abs() < 1e-7, "n {n} d {d} axis {c}: {a} vs {b}");
                    }
                } else {
                    assert_eq!(dual_values[c], 0.0);
                    assert!(dual.row(c).iter().all(|&a| a == 0.0));
                    assert!(values[c].abs() < 1e-9 * values[0]);
                }
            }
        }
    }

    #[test]
    fn eigenpairs_of_a_known_matrix() {
        // [[2,1],[1,2]] has eigenvalues 3 and 1 with vectors (1,1)/√2 and (1,-1)/√2.
        let m = Dense {
            rows: 2,
            cols: 2,
            data: vec![2.0, 1.0, 1.0, 2.0],
        };
        let (values, vectors) = symmetric_eigen(&m);
        assert!((values[0] - 3.0).abs() < 1e-12 && (values[1] - 1.0).abs() < 1e-12);
        let h = std::f64::consts::FRAC_1_SQRT_2;
        assert!((vectors.get(0, 0) - h).abs() < 1e-12 && (vectors.get(0, 1) - h).abs() < 1e-12);
        assert!((vectors.get(1, 0).abs() - h).abs() < 1e-12);
    }

    #[test]
    fn eigenpairs_of_random_symmetric_matrices_satisfy_a_v_equals_lambda_v() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        for n in [1, 3, 17, 64] {
            let mut m = Dense::zeros(n, n);
            for i in 0..n {
                for j in i..n {
                    let x = gaussian(&mut rng);
                    m.set(i, j, x);
                    m.set(j, i, x);
                }
            }
            let (values, vectors) = symmetric_eigen(&m);
            assert!(values.windows(2).all(|w| w[0] >= w[1]), "decreasing");
            for (r, value) in values.iter().enumerate() {
                let v = vectors.row(r);
                for i in 0..n {
                    let av: f64 = (0..n).map(|j| m.get(i, j) * v[j]).sum();
                    assert!((av - value * v[i]).abs() < 1e-9, "n {n}, pair {r}");
                }
                for q in 0..n {
                    let dot: f64 = v.iter().zip(vectors.row(q)).map(|(a, b)| a * b).sum();
                    let want = if q == r { 1.0 } else { 0.0 };
                    assert!((dot - want).abs() < 1e-9, "orthonormal");
                }
            }
        }
        // Zero, repeated eigenvalues and non-finite input: answers, never a hang or a panic.
        let (values, _) = symmetric_eigen(&Dense::zeros(5, 5));
        assert!(values.iter().all(|v| *v == 0.0));
        let mut identity = Dense::zeros(4, 4);
        (0..4).for_each(|i| identity.set(i, i, 2.0));
        assert!(
            symmetric_eigen(&identity)
                .0
                .iter()
                .all(|v| (v - 2.0).abs() < 1e-12)
        );
        let mut bad = Dense::zeros(3, 3);
        bad.set(0, 1, f64::NAN);
        bad.set(1, 0, f64::NAN);
        let _ = symmetric_eigen(&bad);
    }

    #[test]
    fn randomized_pca_matches_exact_pca_on_a_low_rank_matrix() {
        // 60 rows in 40 columns spanned by three directions: both methods give the same
        // distances between rows (coordinates agree up to sign).
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let basis: Vec<Vec<f64>> = (0..3)
            .map(|_| (0..40).map(|_| gaussian(&mut rng)).collect())
            .collect();
        let mut x = Dense::zeros(60, 40);
        for i in 0..60 {
            let w: Vec<f64> = (0..3)
                .map(|_| gaussian(&mut rng) * (3 - i % 3) as f64)
                .collect();
            for j in 0..40 {
                let v: f64 = w.iter().zip(&basis).map(|(wb, b)| wb * b[j]).sum();
                x.set(i, j, 1.0 + v);
            }
        }
        let exact = pca(&x, 3).0;
        let fast = randomized_pca(&x, 3, 1);
        for (a, b) in [(0, 1), (5, 17), (20, 59), (33, 34)] {
            let d_exact = dist2(exact.row(a), exact.row(b));
            let d_fast = dist2(fast.row(a), fast.row(b));
            assert!(
                (d_exact - d_fast).abs() < 1e-6 * d_exact.max(1.0),
                "{d_exact} vs {d_fast}"
            );
        }
    }

    #[test]
    fn randomized_svd_recovers_a_rank_two_matrix() {
        // Rows are multiples of two orthogonal patterns, so two singular values carry everything.
        let mut m = Csr {
            indptr: vec![0],
            n_cols: 4,
            ..Default::default()
        };
        let rows: Vec<Vec<(u32, f64)>> = (0..30)
            .map(|i| {
                if i % 2 == 0 {
                    vec![(0, 1.0 + i as f64), (1, 1.0 + i as f64)]
                } else {
                    vec![(2, 2.0), (3, 2.0)]
                }
            })
            .collect();
        for r in rows {
            for (c, v) in r {
                m.indices.push(c);
                m.data.push(v);
            }
            m.indptr.push(m.data.len());
        }
        let (coords, sigma) = randomized_svd(&m, 3, 2, 7);
        assert_eq!(
            sigma.len(),
            2,
            "rank two: the dependent directions are dropped: {sigma:?}"
        );
        // Row norms are preserved by the full-rank projection.
        for i in 0..30 {
            let norm: f64 = coords.row(i).iter().map(|x| x * x).sum();
            let expect: f64 = m.row(i).map(|(_, v)| v * v).sum();
            assert!(
                (norm - expect).abs() < 1e-6 * expect.max(1.0),
                "row {i}: {norm} vs {expect}"
            );
        }
    }

    #[test]
    fn pca_puts_the_widest_spread_first() {
        let data: Vec<f64> = (0..50)
            .flat_map(|i| [i as f64, (i % 3) as f64 * 0.1])
            .collect();
        let (proj, var) = pca(
            &Dense {
                rows: 50,
                cols: 2,
                data,
            },
            2,
        );
        assert!(var[0] > 100.0 * var[1]);
        // The first axis is almost (1, 0): the two ends are about 49 apart along it.
        assert!(((proj.get(49, 0) - proj.get(0, 0)).abs() - 49.0).abs() < 0.05);
    }
}
