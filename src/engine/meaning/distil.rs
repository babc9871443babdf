//! Distils the static table from all-MiniLM-L6-v2 (`edgewise distil`, natively).
//!
//! Model2Vec's recipe (Tulkens & van Dongen 2024), step by step:
//! 1. every token id `t` of the vocabulary is encoded alone, as `[CLS] t [SEP]`, by the full
//!    transformer ([`MiniLm`]) and mean-pooled: 30,522 vectors of 384 dimensions;
//! 2. PCA (`linalg::pca`, exact, on all tokens) keeps [`DIMS`] dimensions;
//! 3. SIF weighting: token `t`'s probability is estimated by Zipf's law from its rank,
//!    `p(t) ∝ 1 / (t + 2)`, and its vector scaled by `a / (a + p(t))` with `a = 1e-5`;
//! 4. each vector is quantised to `i8` with its own scale (largest magnitude ↦ 127).
//!
//! Then [`trained_table`] trains the vectors on sentences ([`super::learn`], Tokenlearn's
//! step), which is how `make meaning` builds the table the page uses; [`table`] alone is
//! the plain Model2Vec table.
//!
//! Everything is computed in a fixed order with `libm`, so the output is bit-identical on
//! every machine; `make meaning` checks it against the pinned checksum.

use super::minilm::{HIDDEN, MiniLm};
use super::wordpiece::WordPiece;
use super::{DIMS, StaticModel, learn};
use crate::engine::linalg::{self, Dense};
use crate::engine::text;

/// SIF's smoothing constant `a` (Model2Vec defaults to 1e-4; 1e-5 separated the
/// paraphrase pairs of `tests/fixtures/paraphrases.tsv` better at every dimension tried).
const SIF: f64 = 1e-5;
/// Sequences encoded per batch.
const BATCH: usize = 512;

/// The vocabulary of a `tokenizer.json`, in id order.
pub fn vocabulary(tokenizer_json: &[u8]) -> Result<Vec<String>, String> {
    let json: serde_json::Value = serde_json::from_slice(tokenizer_json)
        .map_err(|e| format!("tokenizer.json is not JSON: {e}"))?;
    let vocab = json["model"]["vocab"]
        .as_object()
        .ok_or("tokenizer.json has no model.vocab")?;
    let mut tokens = vec![None; vocab.len()];
    for (token, id) in vocab {
        let id = id.as_u64().ok_or("a vocabulary id is not a number")? as usize;
        let slot = tokens
            .get_mut(id)
            .ok_or_else(|| format!("vocabulary id {id} is out of range"))?;
        if token.contains('\n') {
            return Err(format!("token {token:?} holds a line break"));
        }
        *slot = Some(token.clone());
    }
    tokens
        .into_iter()
        .enumerate()
        .map(|(i, t)| t.ok_or_else(|| format!("no token has id {i}")))
        .collect()
}

/// The 384-dimensional output of every token encoded alone, on `threads` threads.
pub fn token_outputs(
    model: &MiniLm,
    tokens: &[String],
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<f32>, String> {
    let id = |name: &str| {
        tokens
            .iter()
            .position(|t| t == name)
            .map(|i| i as u32)
            .ok_or_else(|| format!("the vocabulary has no {name}"))
    };
    let (cls, sep) = (id("[CLS]")?, id("[SEP]")?);
    let n = tokens.len();
    if n == 0 {
        return Err("the vocabulary is empty".into());
    }
    let mut out = vec![0.0f32; n * HIDDEN];
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
                    let seqs: Vec<[u32; 3]> = (first + batch..first + end)
                        .map(|t| [cls, t as u32, sep])
                        .collect();
                    let refs: Vec<&[u32]> = seqs.iter().map(|s| s.as_slice()).collect();
                    for (i, v) in model.encode_batch(&refs).into_iter().enumerate() {
                        slice[(batch + i) * HIDDEN..(batch + i + 1) * HIDDEN].copy_from_slice(&v);
                    }
                    let total = done.fetch_add(end - batch, std::sync::atomic::Ordering::Relaxed);
                    progress(total + end - batch);
                }
            });
        }
    });
    Ok(out)
}

/// The table's bytes from the token outputs: PCA, SIF weights, quantisation.
pub fn table(tokens: &[String], outputs: &[f32]) -> Vec<u8> {
    let n = tokens.len();
    let mut x = Dense::zeros(n, HIDDEN);
    for (i, v) in outputs.chunks_exact(HIDDEN).enumerate() {
        x.row_mut(i)
            .iter_mut()
            .zip(v)
            .for_each(|(a, &b)| *a = b as f64);
    }
    let (mut reduced, _) = linalg::pca(&x, DIMS);
    for (t, w) in sif_weights(n).into_iter().enumerate() {
        reduced.row_mut(t).iter_mut().for_each(|v| *v *= w);
    }
    quantised(tokens, &reduced)
}

/// Each token's SIF weight `a / (a + p(t))`, with `p(t)` by Zipf's law from its rank.
pub fn sif_weights(n: usize) -> Vec<f64> {
    let harmonic: f64 = (0..n).map(|r| 1.0 / (r as f64 + 2.0)).sum();
    (0..n)
        .map(|t| {
            let p = 1.0 / (t as f64 + 2.0) / harmonic;
            SIF / (SIF + p)
        })
        .collect()
}

/// The table's bytes from one (weighted) vector per token: one signed byte per dimension,
/// with a scale per token (its largest magnitude ↦ 127).
pub fn quantised(tokens: &[String], vectors: &Dense) -> Vec<u8> {
    let n = tokens.len();
    let mut scales = Vec::with_capacity(n);
    let mut bytes = Vec::with_capacity(n * DIMS);
    for t in 0..n {
        let row = vectors.row(t);
        let max = row.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 0.0 };
        scales.push(scale as f32);
        bytes.extend(row.iter().map(|v| {
            if scale > 0.0 {
                (v / scale).round().clamp(-127.0, 127.0) as i8
            } else {
                0
            }
        }));
    }
    StaticModel::to_bytes(tokens, DIMS, &scales, &bytes)
}

/// How [`trained_table`] trains: on which sentences, with how many threads, where the
/// transformer's vectors are kept between runs (the caller names the file after the model
/// and the corpus), and λ ([`learn::RIDGE`]).
pub struct Training<'a> {
    /// One text per line.
    pub corpus: &'a str,
    pub threads: usize,
    /// Read back when it holds vectors for as many sentences, written otherwise.
    pub teacher_cache: Option<&'a std::path::Path>,
    pub ridge: f64,
}

/// The table trained on sentences ([`super::learn`]): the corpus run through the transformer
/// (or its vectors read back from the cache), then the token vectors fitted to them.
/// `progress` gets sentences done and their number.
pub fn trained_table(
    model: &MiniLm,
    tokens: &[String],
    outputs: &[f32],
    training: &Training,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<(Vec<u8>, learn::Fit), String> {
    let Training {
        corpus,
        threads,
        teacher_cache,
        ridge,
    } = *training;
    let wordpiece = WordPiece::new(tokens).ok_or("the vocabulary has no [UNK]")?;
    let id = |name: &str| {
        tokens
            .iter()
            .position(|t| t == name)
            .map(|i| i as u32)
            .ok_or_else(|| format!("the vocabulary has no {name}"))
    };
    let (cls, sep) = (id("[CLS]")?, id("[SEP]")?);
    let skip: Vec<u32> = ["[CLS]", "[SEP]", "[PAD]", "[MASK]"]
        .iter()
        .filter_map(|t| id(t).ok())
        .collect();
    let sequences: Vec<Vec<u32>> = corpus
        .lines()
        .map(|l| wordpiece.ids(&text::without_markup(l)))
        .filter(|ids| !ids.is_empty())
        .collect();
    let total = sequences.len();
    if total < learn::MIN_SENTENCES {
        return Err(format!(
            "the corpus has {total} sentences with words; training needs at least {}",
            learn::MIN_SENTENCES
        ));
    }
    let cached = teacher_cache
        .and_then(|p| std::fs::read(p).ok())
        .filter(|b| b.len() == total * HIDDEN * 4)
        .map(|b| {
            b.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect::<Vec<f32>>()
        });
    let teacher = match cached {
        Some(t) => t,
        None => {
            let t = learn::teacher(model, &sequences, (cls, sep), threads, &|done| {
                progress(done, total)
            });
            if let Some(p) = teacher_cache {
                let bytes: Vec<u8> = t.iter().flat_map(|v| v.to_le_bytes()).collect();
                std::fs::write(p, bytes).map_err(|e| format!("{}: {e}", p.display()))?;
            }
            t
        }
    };
    let (vectors, fit) = learn::fit(
        outputs,
        &sif_weights(tokens.len()),
        &sequences,
        &teacher,
        &skip,
        ridge,
    )?;
    Ok((quantised(tokens, &vectors), fit))
}
