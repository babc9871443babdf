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
//! Everything is computed in a fixed order with `libm`, so the output is bit-identical on
//! every machine; `make meaning` checks it against the pinned checksum.

use super::minilm::{self, HIDDEN, MiniLm};
use super::{DIMS, StaticModel};
use crate::engine::linalg::{self, Dense};

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
    let (reduced, _) = linalg::pca(&x, DIMS);
    let harmonic: f64 = (0..n).map(|r| 1.0 / (r as f64 + 2.0)).sum();
    let mut scales = Vec::with_capacity(n);
    let mut vectors = Vec::with_capacity(n * DIMS);
    for t in 0..n {
        let p = 1.0 / (t as f64 + 2.0) / harmonic;
        let weight = SIF / (SIF + p);
        let row: Vec<f64> = reduced.row(t).iter().map(|v| v * weight).collect();
        let max = row.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 0.0 };
        scales.push(scale as f32);
        vectors.extend(row.iter().map(|v| {
            if scale > 0.0 {
                (v / scale).round().clamp(-127.0, 127.0) as i8
            } else {
                0
            }
        }));
    }
    StaticModel::to_bytes(tokens, DIMS, &scales, &vectors)
}

/// Reads the two files and distils the table, reporting tokens done.
pub fn distil(
    safetensors: &[u8],
    tokenizer_json: &[u8],
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<u8>, String> {
    let tokens = vocabulary(tokenizer_json)?;
    let model = MiniLm::from_tensors(minilm::read_safetensors(safetensors)?)?;
    if model.vocab() != tokens.len() {
        return Err(format!(
            "the weights cover {} tokens but tokenizer.json has {}",
            model.vocab(),
            tokens.len()
        ));
    }
    let outputs = token_outputs(&model, &tokens, threads, progress)?;
    Ok(table(&tokens, &outputs))
}
