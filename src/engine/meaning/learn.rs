//! Trains the table on sentences: the token vectors distilled one token at a time
//! ([`super::distil`]) are fitted so that the mean of a sentence's token vectors reproduces
//! the transformer's vector *of the whole sentence*, on a corpus of English sentences.
//!
//! This is the Tokenlearn step of Tulkens & van Dongen (2025): a static model distilled from
//! single tokens knows each word, but not how words combine in sentences the transformer
//! reads as meaning the same ("coping with sleepless nights after our daughter arrived" and
//! "our son was born last month"). Tokenlearn featurises a corpus with the teacher, reduces
//! the teacher's vectors by PCA and trains the token vectors against them by gradient
//! descent. Here the fit is exact instead: with mean pooling and a squared error the problem
//! is linear least squares, solved by conjugate gradients (Hestenes & Stiefel 1952) on the
//! normal equations, one right-hand side per dimension:
//!
//! ```text
//! minimise  Σ_s ‖ (1/|s|) Σ_{t∈s} v_t − y_s ‖²  +  λ Σ_t ‖ v_t − v⁰_t ‖²
//! ```
//!
//! - `y_s`: the transformer's unit sentence vector, centred and projected on the top
//!   [`DIMS`] principal axes *of the sentence vectors*;
//! - `v⁰_t`: the prior for token `t`: its single-token output (which is exactly the
//!   transformer's vector of the one-token sentence `t`) in the same axes, SIF-weighted as in
//!   [`super::distil`] and scaled to the targets by one least-squares factor;
//! - `λ` ([`RIDGE`]): how strongly a token stays at its prior. A token the corpus never
//!   shows keeps it exactly, so the whole vocabulary lives in one space.
//!
//! Everything runs on one thread in a fixed order, so the table is bit-identical from run
//! to run for the same corpus and teacher vectors.
//!
//! # References
//! Tulkens, S. & van Dongen, T. (2025). Tokenlearn: pre-train static embeddings on sentence
//! vectors. <https://github.com/MinishLab/tokenlearn>
//! Hestenes, M. R. & Stiefel, E. (1952). Methods of conjugate gradients for solving linear
//! systems. J. Res. Nat. Bur. Standards 49(6).

use super::DIMS;
use super::minilm::{HIDDEN, MiniLm};
use crate::engine::linalg::{self, Dense};

/// λ in units of the median diagonal of the normal equations (a token seen in `c` sentences
/// of length `L` weighs about `c / L²` there): at 1, the median token weighs its prior about
/// as much as the sentences it is in. Chosen on the held-out sentences (`edgewise distil
/// --ridge`, BENCHMARKS.md).
pub const RIDGE: f64 = 1.0;
/// Conjugate-gradient iterations; the residual left is reported ([`Fit::residual`]).
const ITERATIONS: usize = 150;
/// Sentences per batch given to the transformer.
const BATCH: usize = 64;
/// Tokens of a sentence read by the transformer, `[CLS]` and `[SEP]` included.
pub const MAX_TOKENS: usize = 128;

/// The transformer's unit sentence vectors (`HIDDEN` per sentence) for `sequences` of token
/// ids without `[CLS]`/`[SEP]`, on `threads` threads; `progress` gets sentences done.
pub fn teacher(
    model: &MiniLm,
    sequences: &[Vec<u32>],
    (cls, sep): (u32, u32),
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Vec<f32> {
    let n = sequences.len();
    let mut out = vec![0.0f32; n * HIDDEN];
    if n == 0 {
        return out;
    }
    let chunk = n.div_ceil(threads.max(1));
    let done = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for (part, slice) in out.chunks_mut(chunk * HIDDEN).enumerate() {
            let done = &done;
            scope.spawn(move || {
                let first = part * chunk;
                let count = slice.len() / HIDDEN;
                for batch in (0..count).step_by(BATCH) {
                    let end = (batch + BATCH).min(count);
                    let seqs: Vec<Vec<u32>> = sequences[first + batch..first + end]
                        .iter()
                        .map(|ids| {
                            let mut s = Vec::with_capacity(ids.len().min(MAX_TOKENS) + 2);
                            s.push(cls);
                            s.extend(ids.iter().take(MAX_TOKENS - 2));
                            s.push(sep);
                            s
                        })
                        .collect();
                    let refs: Vec<&[u32]> = seqs.iter().map(Vec::as_slice).collect();
                    for (i, mut v) in model.encode_batch(&refs).into_iter().enumerate() {
                        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                        if norm > 0.0 {
                            v.iter_mut().for_each(|x| *x /= norm);
                        }
                        slice[(batch + i) * HIDDEN..(batch + i + 1) * HIDDEN].copy_from_slice(&v);
                    }
                    let total = done.fetch_add(end - batch, std::sync::atomic::Ordering::Relaxed);
                    progress(total + end - batch);
                }
            });
        }
    });
    out
}

/// What the fit reached, for the command line.
#[derive(Debug, Clone, Copy)]
pub struct Fit {
    /// Sentences fitted (those with at least one token, less every tenth, held out).
    pub sentences: usize,
    /// Distinct tokens the corpus shows.
    pub tokens_seen: usize,
    /// Mean cosine between a sentence's table vector and its teacher vector (centred and
    /// projected on the [`DIMS`] axes, as the targets are), before and after, on the
    /// sentences fitted.
    pub cosine_before: f64,
    pub cosine_after: f64,
    /// The same on every tenth sentence, held out of the fit.
    pub held_out_before: f64,
    pub held_out_after: f64,
    /// The conjugate-gradient residual left, relative to the first (largest column).
    pub residual: f64,
}

/// Sentences the fit needs at least: ten per dimension, so every axis is estimated.
pub const MIN_SENTENCES: usize = 10 * DIMS;

/// A sentence of the corpus: its tokens with their weights in the mean (`count / length`),
/// and its index in the corpus.
type Sentence = (Vec<(usize, f64)>, usize);

/// Every tenth sentence is held out of the fit, to measure it on.
const HOLD_OUT: usize = 10;

/// Token vectors (`vocab × DIMS`, unquantised) fitted to the teacher's sentence vectors, from
/// SIF-weighted priors. `outputs` are the single-token outputs (`vocab × HIDDEN`, as
/// [`super::distil::token_outputs`] gives them), `sif` each token's SIF weight, `sequences`
/// the corpus's token ids without `[CLS]`/`[SEP]` (ids in `skip` are ignored, as
/// [`super::StaticModel::embed`] ignores them; only the first [`MAX_TOKENS`] − 2 are read,
/// as the teacher reads them) and `teacher` its unit sentence vectors. Mismatched lengths
/// and a λ that is negative or not a number are errors.
pub fn fit(
    outputs: &[f32],
    sif: &[f64],
    sequences: &[Vec<u32>],
    teacher: &[f32],
    skip: &[u32],
    ridge: f64,
) -> Result<(Dense, Fit), String> {
    let vocab = sif.len();
    if outputs.len() != vocab * HIDDEN {
        return Err(format!(
            "{} token outputs for {vocab} tokens",
            outputs.len() / HIDDEN
        ));
    }
    if teacher.len() != sequences.len() * HIDDEN {
        return Err(format!(
            "{} sentence vectors for {} sentences",
            teacher.len() / HIDDEN,
            sequences.len()
        ));
    }
    if !(ridge.is_finite() && ridge >= 0.0) {
        return Err(format!("λ must be a number ≥ 0 (got {ridge})"));
    }
    // The corpus as rows of (token, count), tokens in range and not skipped.
    let rows: Vec<Sentence> = sequences
        .iter()
        .enumerate()
        .filter_map(|(s, ids)| {
            let mut ids: Vec<usize> = ids
                .iter()
                .take(MAX_TOKENS - 2)
                .filter(|id| !skip.contains(id))
                .map(|&id| id as usize)
                .filter(|&id| id < vocab)
                .collect();
            if ids.is_empty() {
                return None;
            }
            let len = ids.len() as f64;
            ids.sort_unstable();
            let mut row: Vec<(usize, f64)> = Vec::new();
            for id in ids {
                match row.last_mut() {
                    Some((last, c)) if *last == id => *c += 1.0 / len,
                    _ => row.push((id, 1.0 / len)),
                }
            }
            Some((row, s))
        })
        .collect();
    let (held, rows): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .enumerate()
        .partition(|(i, _)| i % HOLD_OUT == HOLD_OUT - 1);
    let strip =
        |v: Vec<(usize, Sentence)>| -> Vec<Sentence> { v.into_iter().map(|(_, r)| r).collect() };
    let (held, rows) = (strip(held), strip(rows));
    // Targets: the sentence vectors on their own principal axes.
    let mut y_full = Dense::zeros(rows.len(), HIDDEN);
    for (r, (_, s)) in rows.iter().enumerate() {
        let v = &teacher[s * HIDDEN..(s + 1) * HIDDEN];
        y_full
            .row_mut(r)
            .iter_mut()
            .zip(v)
            .for_each(|(a, &b)| *a = b as f64);
    }
    let (mean, _, axes) = linalg::principal_axes(&y_full, DIMS);
    let mut y = Dense::zeros(rows.len(), DIMS);
    for r in 0..rows.len() {
        linalg::project(y_full.row(r), &mean, &axes, y.row_mut(r));
    }
    drop(y_full);
    let mut y_held = Dense::zeros(held.len(), DIMS);
    for (r, (_, s)) in held.iter().enumerate() {
        let v: Vec<f64> = teacher[s * HIDDEN..(s + 1) * HIDDEN]
            .iter()
            .map(|&b| b as f64)
            .collect();
        linalg::project(&v, &mean, &axes, y_held.row_mut(r));
    }
    // Priors: each token's one-token sentence vector in the same axes, SIF-weighted.
    let mut prior = Dense::zeros(vocab, DIMS);
    for t in 0..vocab {
        let x = &outputs[t * HIDDEN..(t + 1) * HIDDEN];
        let norm = x.iter().map(|v| (*v as f64).powi(2)).sum::<f64>().sqrt();
        if norm == 0.0 {
            continue;
        }
        let unit: Vec<f64> = x.iter().map(|&v| v as f64 / norm).collect();
        linalg::project(&unit, &mean, &axes, prior.row_mut(t));
        prior.row_mut(t).iter_mut().for_each(|v| *v *= sif[t]);
    }
    // One factor brings the priors' sentence means to the targets' scale.
    let predicted = times(&rows, &prior);
    let (num, den) = (0..rows.len()).fold((0.0, 0.0), |(n, d), r| {
        (
            n + linalg::dot(predicted.row(r), y.row(r)),
            d + linalg::dot(predicted.row(r), predicted.row(r)),
        )
    });
    let alpha = if den > 0.0 { num / den } else { 1.0 };
    prior.data.iter_mut().for_each(|v| *v *= alpha);
    let cosine_before = mean_cosine(&times(&rows, &prior), &y);
    let held_out_before = mean_cosine(&times(&held, &prior), &y_held);
    // λ relative to the typical diagonal of AᵀA.
    let mut diag = vec![0.0; vocab];
    for (row, _) in &rows {
        for &(t, w) in row {
            diag[t] += w * w;
        }
    }
    let seen: Vec<f64> = diag.iter().copied().filter(|&d| d > 0.0).collect();
    let tokens_seen = seen.len();
    let typical = if seen.is_empty() {
        1.0
    } else {
        let mut s = seen.clone();
        s.sort_by(f64::total_cmp);
        s[s.len() / 2]
    };
    let lambda = ridge * typical;
    // (AᵀA + λI) V = AᵀY + λ V⁰, by conjugate gradients, one system per column.
    let normal = |v: &Dense| -> Dense {
        let mut out = transposed_times(&rows, &times(&rows, v), vocab);
        out.data
            .iter_mut()
            .zip(&v.data)
            .for_each(|(o, x)| *o += lambda * x);
        out
    };
    let mut rhs = transposed_times(&rows, &y, vocab);
    rhs.data
        .iter_mut()
        .zip(&prior.data)
        .for_each(|(o, p)| *o += lambda * p);
    let mut v = prior.clone();
    let mut r = rhs;
    let start = normal(&v);
    r.data
        .iter_mut()
        .zip(&start.data)
        .for_each(|(r, a)| *r -= a);
    let mut p = r.clone();
    let mut rr = column_dots(&r, &r);
    let first = rr.clone();
    for _ in 0..ITERATIONS {
        let ap = normal(&p);
        let pap = column_dots(&p, &ap);
        let step: Vec<f64> = rr
            .iter()
            .zip(&pap)
            .map(|(a, b)| if *b > 0.0 { a / b } else { 0.0 })
            .collect();
        for ((v, r), (p, ap)) in v
            .data
            .chunks_exact_mut(DIMS)
            .zip(r.data.chunks_exact_mut(DIMS))
            .zip(p.data.chunks_exact(DIMS).zip(ap.data.chunks_exact(DIMS)))
        {
            for (c, &step) in step.iter().enumerate() {
                v[c] += step * p[c];
                r[c] -= step * ap[c];
            }
        }
        let next = column_dots(&r, &r);
        let beta: Vec<f64> = next
            .iter()
            .zip(&rr)
            .map(|(a, b)| if *b > 0.0 { a / b } else { 0.0 })
            .collect();
        for (p, r) in p.data.chunks_exact_mut(DIMS).zip(r.data.chunks_exact(DIMS)) {
            for (c, &beta) in beta.iter().enumerate() {
                p[c] = r[c] + beta * p[c];
            }
        }
        rr = next;
    }
    let cosine_after = mean_cosine(&times(&rows, &v), &y);
    let held_out_after = mean_cosine(&times(&held, &v), &y_held);
    let residual = rr
        .iter()
        .zip(&first)
        .map(|(now, was)| if *was > 0.0 { (now / was).sqrt() } else { 0.0 })
        .fold(0.0, f64::max);
    Ok((
        v,
        Fit {
            sentences: rows.len(),
            tokens_seen,
            cosine_before,
            cosine_after,
            held_out_before,
            held_out_after,
            residual,
        },
    ))
}

/// A · V: each sentence's weighted mean of its tokens' rows.
fn times(rows: &[Sentence], v: &Dense) -> Dense {
    let mut out = Dense::zeros(rows.len(), v.cols);
    for (r, (row, _)) in rows.iter().enumerate() {
        let o = out.row_mut(r);
        for &(t, w) in row {
            o.iter_mut().zip(v.row(t)).for_each(|(a, b)| *a += w * b);
        }
    }
    out
}

/// Aᵀ · M: each token's weighted sum of the rows of the sentences it is in.
fn transposed_times(rows: &[Sentence], m: &Dense, vocab: usize) -> Dense {
    let mut out = Dense::zeros(vocab, m.cols);
    for (r, (row, _)) in rows.iter().enumerate() {
        let src = m.row(r);
        for &(t, w) in row {
            out.row_mut(t)
                .iter_mut()
                .zip(src)
                .for_each(|(a, b)| *a += w * b);
        }
    }
    out
}

/// Per column, Σ_rows a·b.
fn column_dots(a: &Dense, b: &Dense) -> Vec<f64> {
    let mut out = vec![0.0; a.cols];
    for i in 0..a.rows {
        out.iter_mut()
            .zip(a.row(i).iter().zip(b.row(i)))
            .for_each(|(o, (x, y))| *o += x * y);
    }
    out
}

/// Mean cosine between matching rows.
fn mean_cosine(a: &Dense, b: &Dense) -> f64 {
    if a.rows == 0 {
        return 0.0;
    }
    let total: f64 = (0..a.rows)
        .map(|i| {
            let (x, y) = (a.row(i), b.row(i));
            let d = (linalg::dot(x, x) * linalg::dot(y, y)).sqrt();
            if d > 0.0 { linalg::dot(x, y) / d } else { 0.0 }
        })
        .sum();
    total / a.rows as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four tokens, sentences of two of the first three: the fit reproduces targets the
    /// priors miss, and the token no sentence shows keeps its prior, whatever λ.
    #[test]
    fn the_fit_reproduces_sentence_vectors_and_keeps_unseen_tokens() {
        let vocab = 4;
        // Outputs: four directions in HIDDEN dimensions.
        let mut outputs = vec![0.0f32; vocab * HIDDEN];
        for t in 0..vocab {
            outputs[t * HIDDEN + t] = 1.0;
        }
        let sif = vec![1.0; vocab];
        // Sentences {0,1}, {1,2}, {0,2}, each meaning "axis 5" plus its own small part.
        let mut sequences = Vec::new();
        let mut teacher = Vec::new();
        for (i, pair) in [[0u32, 1], [1, 2], [0, 2]]
            .iter()
            .cycle()
            .take(30)
            .enumerate()
        {
            sequences.push(pair.to_vec());
            let mut y = vec![0.0f32; HIDDEN];
            y[5] = 1.0;
            y[6 + (i % 3)] = 0.3;
            let n = y.iter().map(|v| v * v).sum::<f32>().sqrt();
            teacher.extend(y.iter().map(|v| v / n));
        }
        let (v, got) = fit(&outputs, &sif, &sequences, &teacher, &[], 0.01).unwrap();
        assert_eq!(got.sentences, 27, "every tenth of 30 is held out");
        assert_eq!(got.tokens_seen, 3);
        assert!(
            got.cosine_after > got.cosine_before && got.cosine_after > 0.9,
            "{got:?}"
        );
        assert!(got.residual < 1e-3, "{got:?}");
        // Token 3 is in no sentence: its row is its prior, the same under any λ, while the
        // tokens the sentences show move with λ.
        let (w, _) = fit(&outputs, &sif, &sequences, &teacher, &[], 1.0).unwrap();
        assert_eq!(v.row(3), w.row(3));
        assert_ne!(v.row(0), w.row(0));
    }

    #[test]
    fn mismatched_inputs_and_bad_lambdas_are_errors_not_panics() {
        let outputs = vec![0.5f32; 2 * HIDDEN];
        let sif = [1.0, 1.0];
        let one = [vec![0u32, 1]];
        let teacher = vec![0.1f32; HIDDEN];
        assert!(fit(&outputs[..HIDDEN], &sif, &one, &teacher, &[], 1.0).is_err());
        assert!(fit(&outputs, &sif, &one, &teacher[..10], &[], 1.0).is_err());
        for ridge in [-1.0, f64::NAN, f64::INFINITY] {
            assert!(fit(&outputs, &sif, &one, &teacher, &[], ridge).is_err());
        }
        assert!(fit(&outputs, &sif, &one, &teacher, &[], 1.0).is_ok());
    }

    #[test]
    fn an_empty_corpus_fits_nothing_and_does_not_panic() {
        let outputs = vec![0.5f32; 2 * HIDDEN];
        let teacher = vec![0.0f32; 2 * HIDDEN];
        let (v, got) = fit(
            &outputs,
            &[1.0, 1.0],
            &[vec![], vec![7]],
            &teacher,
            &[],
            RIDGE,
        )
        .unwrap();
        assert_eq!(got.sentences, 0);
        assert_eq!(v.rows, 2);
    }
}
