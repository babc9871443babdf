//! The text pipeline for what people say: words, stems, phrases and TF-IDF.
//!
//! Each answer is split into Unicode words (UAX #29, so accents, CJK and emoji are handled
//! by the standard rules), lower-cased, stripped of stop words and stemmed with the Snowball
//! English stemmer. Terms are stems and two-stem phrases ("food bill"). Every term keeps the
//! surface form people used most often, so the screen shows "invoices", never "invoic".
//!
//! [`Vocabulary::fit`] keeps terms used by at least two people and by at most half of them,
//! and gives each answer a sparse, L2-normalised vector with sublinear term
//! frequency and smoothed inverse document frequency (Salton & Buckley 1988). The vectors are
//! reduced to a few dense dimensions by `linalg::randomized_svd` in `features`. On many
//! distinct answers, a count-min sketch of the terms first leaves out those too rare to be
//! kept (most word pairs), so they are never counted one by one ([`Sketch`]).
//!
//! # References
//! Salton, G. & Buckley, C. (1988). Term-weighting approaches in automatic text retrieval.
//! Porter, M. (2001). Snowball: A language for stemming algorithms.
//! Cormode, G. & Muthukrishnan, S. (2005). An improved data stream summary: the count-min
//! sketch and its applications. Journal of Algorithms 55(1).
//! Kirsch, A. & Mitzenmacher, M. (2006). Less hashing, same performance: building a better
//! Bloom filter. ESA 2006 (the rows' counters from two halves of one hash).

use super::codes::Codes;
use rust_stemmers::{Algorithm, Stemmer};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use unicode_segmentation::UnicodeSegmentation;

/// English stop words: function words that say nothing about what someone wants.
pub const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "im",
    "ive",
    "id",
    "dont",
    "cant",
    "wont",
    "also",
    "really",
    "get",
    "got",
    "want",
    "like",
    "would",
    "one",
    "lot",
    "lots",
    "thing",
    "things",
    "something",
    "much",
    "many",
    "well",
    "even",
    "still",
    "yes",
    "ok",
    "okay",
    "etc",
    "s",
    "t",
    "don",
    "didn",
    "doesn",
    "isn",
    "wasn",
    "aren",
    "m",
    "ll",
    "re",
    "ve",
    "d",
    "let",
    "make",
    "need",
    "able",
    "way",
    "us",
    "every",
    "always",
    "never",
    "sometimes",
    "often",
    "usually",
    "n",
    "na",
];

/// Splits, lower-cases, drops stop words and numbers, and stems an answer.
pub struct Tokenizer {
    stemmer: Stemmer,
}

impl Default for Tokenizer {
    fn default() -> Self {
        Tokenizer {
            stemmer: Stemmer::create(Algorithm::English),
        }
    }
}

/// One content word of an answer: its stem and the form the person wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// The Snowball stem.
    pub stem: String,
    /// The lower-cased word as written.
    pub surface: String,
}

/// `text` with markup tags (`<br />`, `<p>`, `</b>`: a letter or `/` right after `<`, at most
/// 40 characters to the `>`) replaced by line breaks. Review and form exports often carry the
/// web page's line breaks as `<br />`, which would otherwise become the word "br" and set
/// segments apart by it. A lone `<` or `>` ("3 < 5") is kept.
pub fn without_markup(text: &str) -> Cow<'_, str> {
    if !text.contains('<') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let starts_tag = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/');
        let end = after
            .char_indices()
            .take(41)
            .find(|&(_, c)| c == '>' || c == '<')
            .filter(|&(_, c)| c == '>');
        match (starts_tag, end) {
            (true, Some((close, _))) => {
                out.push('\n');
                rest = &after[close + 1..];
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// `text` without web links ("https://t.co/x1", "www.shop.com/help") and @handles, which
/// are addresses, not words: split up they would name a segment "t.co" or "https". An email
/// address ("ann@shop.com") and a lone "@" are kept.
pub fn without_links(text: &str) -> Cow<'_, str> {
    let is_link = |piece: &str| {
        let lower = piece
            .trim_start_matches(|c: char| !c.is_alphanumeric() && c != '@')
            .to_ascii_lowercase();
        lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("www.")
            || (lower.len() > 1 && lower.starts_with('@'))
    };
    if !text.split_whitespace().any(is_link) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let start = rest
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let piece = &rest[..end];
        if !is_link(piece) {
            out.push_str(piece);
        }
        rest = &rest[end..];
    }
    Cow::Owned(out)
}

impl Tokenizer {
    /// The content words of `text`, in order.
    pub fn words(&self, text: &str) -> Vec<Word> {
        self.words_cached(text, &mut HashMap::new())
    }

    fn words_cached(&self, text: &str, stems: &mut HashMap<String, String>) -> Vec<Word> {
        let mut out = Vec::new();
        let text = without_markup(text);
        let text = without_links(&text);
        for raw in text.unicode_words() {
            // "don't" → "dont": apostrophes never split a word; a possessive goes ("shop's" →
            // "shop", "class's" → "class", not "classs").
            let lower = raw.to_lowercase();
            let lower = lower
                .strip_suffix("'s")
                .or_else(|| lower.strip_suffix("’s"))
                .unwrap_or(&lower)
                .replace(['’', '\''], "");
            // Numbers are not words: "12", and "1.5" or "2,000" too (a word has a letter).
            if !lower.chars().any(char::is_alphabetic) || STOP_WORDS.contains(&lower.as_str()) {
                continue;
            }
            let stem = match stems.get(&lower) {
                Some(stem) => stem.clone(),
                None => {
                    let stem = self.stemmer.stem(&lower).into_owned();
                    stems.insert(lower.clone(), stem.clone());
                    stem
                }
            };
            if stem.is_empty() {
                continue;
            }
            out.push(Word {
                stem,
                surface: lower,
            });
        }
        out
    }

    /// Terms of `text`: stems and adjacent-stem phrases, with surface forms.
    pub fn terms(&self, text: &str) -> Vec<(String, String)> {
        self.terms_cached(text, &mut HashMap::new())
    }

    /// [`Tokenizer::terms`] with a cache of stems, which are the costly part.
    pub fn terms_cached(
        &self,
        text: &str,
        stems: &mut HashMap<String, String>,
    ) -> Vec<(String, String)> {
        let words = self.words_cached(text, stems);
        let mut terms: Vec<(String, String)> = words
            .iter()
            .map(|w| (w.stem.clone(), w.surface.clone()))
            .collect();
        for pair in words.windows(2) {
            if let [a, b] = pair
                && a.stem != b.stem
            {
                terms.push((
                    format!("{} {}", a.stem, b.stem),
                    format!("{} {}", a.surface, b.surface),
                ));
            }
        }
        terms
    }
}

/// A sparse matrix in compressed-row form: stored row `r`'s entries are
/// `indices[indptr[r]..indptr[r+1]]` with values `data[…]`. With `of`, row `i` is stored row
/// `of[i]`: people who gave the same answer share its row (a million people's TF-IDF rows
/// were 184 MB, though they gave 2,544 distinct answers).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Csr {
    /// Stored row starts (one more than the stored rows).
    pub indptr: Vec<usize>,
    /// Column of each entry.
    pub indices: Vec<u32>,
    /// Value of each entry.
    pub data: Vec<f64>,
    /// Number of columns.
    pub n_cols: usize,
    /// Each row's stored row (`None`: row `i` is stored row `i`).
    pub of: Option<Codes>,
}

impl Csr {
    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        match &self.of {
            Some(of) => of.len(),
            None => self.indptr.len().saturating_sub(1),
        }
    }

    /// The entries of row `i` as (column, value) pairs.
    pub fn row(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let stored = match &self.of {
            Some(of) => of.get(i).map(|r| r as usize),
            None => Some(i),
        };
        let (start, end) = stored
            .and_then(|r| Some((*self.indptr.get(r)?, *self.indptr.get(r.checked_add(1)?)?)))
            .unwrap_or((0, 0));
        let idx = self.indices.get(start..end).unwrap_or_default();
        let val = self.data.get(start..end).unwrap_or_default();
        idx.iter().zip(val).map(|(&c, &v)| (c as usize, v))
    }
}

/// The terms kept for one text column, with their document frequencies.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    /// Term (stem or stem pair) → column index.
    pub index: HashMap<String, u32>,
    /// The most common surface form of each term, by column index.
    pub display: Vec<String>,
    /// How many answers use each term.
    pub doc_freq: Vec<usize>,
    /// Answers that were not empty.
    pub n_docs: usize,
}

/// Limits for [`Vocabulary::fit`].
#[derive(Debug, Clone, Copy)]
pub struct VocabularyParams {
    /// Keep terms used by at least this many answers.
    pub min_df: usize,
    /// Drop terms used by more than this share of answers.
    pub max_df_share: f64,
    /// Keep at most this many terms (the most used).
    pub max_terms: usize,
}

impl Vocabulary {
    /// Chooses the terms of `answers` — distinct texts with how many people gave each, so that
    /// a text given by a thousand people is read once — and returns the vocabulary with each
    /// distinct answer's TF-IDF vector (sublinear tf, smoothed idf, L2-normalised; empty
    /// answers give empty vectors).
    pub fn fit(
        tokenizer: &Tokenizer,
        answers: &[(&str, usize)],
        params: VocabularyParams,
    ) -> (Vocabulary, Vec<Vec<(u32, f64)>>) {
        let sketch = (answers.len() >= SKETCH_FROM && params.min_df > 2)
            .then(|| Sketch::of(tokenizer, answers, Sketch::width_for(answers.len())));
        Self::fit_with(tokenizer, answers, params, sketch.as_ref())
    }

    /// [`Vocabulary::fit`], leaving out terms `sketch` shows too rare to be kept.
    fn fit_with(
        tokenizer: &Tokenizer,
        answers: &[(&str, usize)],
        params: VocabularyParams,
        sketch: Option<&Sketch>,
    ) -> (Vocabulary, Vec<Vec<(u32, f64)>>) {
        let mut stems: HashMap<String, String> = HashMap::new();
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut names: Vec<String> = Vec::new();
        let mut surfaces: Vec<BTreeMap<String, usize>> = Vec::new();
        let mut df: Vec<usize> = Vec::new();
        let mut n_docs = 0usize;
        // Term counts of each distinct answer, in provisional ids.
        let mut provisional: Vec<Vec<(u32, u32)>> = Vec::with_capacity(answers.len());
        for &(answer, people) in answers {
            if answer.trim().is_empty() || people == 0 {
                provisional.push(Vec::new());
                continue;
            }
            n_docs += people;
            let terms = tokenizer.terms_cached(answer, &mut stems);
            let mut counts: BTreeMap<u32, u32> = BTreeMap::new();
            for (term, surface) in terms {
                if sketch.is_some_and(|s| s.at_most(&term) < params.min_df) {
                    continue;
                }
                let id = match ids.get(&term) {
                    Some(&id) => id,
                    None => {
                        let id = names.len() as u32;
                        ids.insert(term.clone(), id);
                        names.push(term);
                        surfaces.push(BTreeMap::new());
                        df.push(0);
                        id
                    }
                };
                *counts.entry(id).or_insert(0) += 1;
                if let Some(s) = surfaces.get_mut(id as usize) {
                    *s.entry(surface).or_insert(0) += people;
                }
            }
            for &id in counts.keys() {
                if let Some(d) = df.get_mut(id as usize) {
                    *d += people;
                }
            }
            provisional.push(counts.into_iter().collect());
        }
        let max_df = ((n_docs as f64 * params.max_df_share).ceil() as usize).max(params.min_df);
        let mut kept: Vec<u32> = (0..names.len() as u32)
            .filter(|&id| (params.min_df..=max_df).contains(&df[id as usize]))
            .collect();
        // Most used first, ties by term, so the cut is deterministic; then alphabetical columns.
        kept.sort_by(|&a, &b| {
            df[b as usize]
                .cmp(&df[a as usize])
                .then_with(|| names[a as usize].cmp(&names[b as usize]))
        });
        kept.truncate(params.max_terms);
        kept.sort_by(|&a, &b| names[a as usize].cmp(&names[b as usize]));
        let mut final_id = vec![u32::MAX; names.len()];
        let mut vocab = Vocabulary {
            n_docs,
            ..Default::default()
        };
        for (i, &id) in kept.iter().enumerate() {
            final_id[id as usize] = i as u32;
            let display = surfaces[id as usize]
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map_or_else(|| names[id as usize].clone(), |(s, _)| s.clone());
            vocab.index.insert(names[id as usize].clone(), i as u32);
            vocab.display.push(display);
            vocab.doc_freq.push(df[id as usize]);
        }
        let idf: Vec<f64> = (0..vocab.len()).map(|t| vocab.idf(t)).collect();
        let vectors = provisional
            .into_iter()
            .map(|counts| {
                let mut v: Vec<(u32, f64)> = counts
                    .into_iter()
                    .filter_map(|(id, c)| {
                        let t = *final_id.get(id as usize)?;
                        (t != u32::MAX)
                            .then(|| (t, (1.0 + libm::log(f64::from(c))) * idf[t as usize]))
                    })
                    .collect();
                v.sort_by_key(|x| x.0);
                let norm = libm::sqrt(v.iter().map(|x| x.1 * x.1).sum::<f64>());
                if norm > 0.0 {
                    v.iter_mut().for_each(|x| x.1 /= norm);
                }
                v
            })
            .collect();
        (vocab, vectors)
    }

    /// Number of terms.
    pub fn len(&self) -> usize {
        self.display.len()
    }

    /// True when no term was kept.
    pub fn is_empty(&self) -> bool {
        self.display.is_empty()
    }

    /// Smoothed inverse document frequency of term `t`.
    pub fn idf(&self, t: usize) -> f64 {
        let d = self.doc_freq.get(t).copied().unwrap_or(0) as f64;
        libm::log((1.0 + self.n_docs as f64) / (1.0 + d)) + 1.0
    }
}

/// Distinct answers from which [`Vocabulary::fit`] first sketches how many people use each
/// term: below, every term is counted exactly from the start.
const SKETCH_FROM: usize = 20_000;

/// How many people use each term, never fewer than do: a count-min sketch (Cormode &
/// Muthukrishnan 2005), three rows of counters, each term adding to one counter per row
/// and read as the least of its three. [`Vocabulary::fit`] counts exactly, term by term,
/// only the terms it shows may reach the fewest people a term is kept for. Word pairs make
/// most terms of a large text column: 100,000 distinct reviews gave millions of pairs, held
/// with their spellings and counts (380 MB, `heaptrack`), nearly all used once.
///
/// # References
/// Cormode, G. & Muthukrishnan, S. (2005). An improved data stream summary: the count-min
/// sketch and its applications. Journal of Algorithms 55(1).
struct Sketch {
    width: usize,
    counters: Vec<u32>,
}

impl Sketch {
    const ROWS: usize = 3;

    /// Counters per row for this many distinct answers: about one per word of answers
    /// sixteen words long, at most 2²¹ (24 MB for the three rows).
    fn width_for(answers: usize) -> usize {
        answers
            .saturating_mul(16)
            .next_power_of_two()
            .clamp(1 << 12, 1 << 21)
    }

    /// The sketch of `answers`, `width` counters per row (a power of two).
    fn of(tokenizer: &Tokenizer, answers: &[(&str, usize)], width: usize) -> Sketch {
        let width = width.next_power_of_two();
        let mut sketch = Sketch {
            width,
            counters: vec![0; width * Self::ROWS],
        };
        let mut stems: HashMap<String, String> = HashMap::new();
        for &(answer, people) in answers {
            if answer.trim().is_empty() || people == 0 {
                continue;
            }
            let mut terms: Vec<String> = tokenizer
                .terms_cached(answer, &mut stems)
                .into_iter()
                .map(|(term, _)| term)
                .collect();
            // An answer counts once for each term it uses, however often.
            terms.sort_unstable();
            terms.dedup();
            for term in &terms {
                for slot in sketch.slots(term) {
                    sketch.counters[slot] = sketch.counters[slot]
                        .saturating_add(u32::try_from(people).unwrap_or(u32::MAX));
                }
            }
        }
        sketch
    }

    /// The counters of `term`, one in each row.
    fn slots(&self, term: &str) -> [usize; Self::ROWS] {
        // FNV-1a, 64 bits; the rows' counters from its halves (Kirsch & Mitzenmacher 2006).
        let h = term.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let (a, b) = (h & 0xffff_ffff, (h >> 32) | 1);
        let mask = self.width as u64 - 1;
        std::array::from_fn(|row| {
            row * self.width + (a.wrapping_add(b.wrapping_mul(row as u64)) & mask) as usize
        })
    }

    /// At most how many people use `term` (never fewer than do).
    fn at_most(&self, term: &str) -> usize {
        self.slots(term)
            .iter()
            .map(|&slot| self.counters[slot] as usize)
            .min()
            .unwrap_or(0)
    }
}

/// Rows of a sparse matrix from per-distinct-answer vectors and each row's answer: each
/// vector is stored once, and each row names its answer's (`Csr::of`).
pub fn rows_from(vectors: Vec<Vec<(u32, f64)>>, codes: &Codes, n_cols: usize) -> Csr {
    // Sized once: grown by doubling, the entries took up to twice their room.
    let entries: usize = vectors.iter().map(Vec::len).sum();
    let mut m = Csr {
        indptr: Vec::with_capacity(vectors.len() + 1),
        indices: Vec::with_capacity(entries),
        data: Vec::with_capacity(entries),
        n_cols,
        of: Some(codes.clone()),
    };
    m.indptr.push(0);
    // Each answer's vector goes as soon as it is copied.
    for vector in vectors {
        for (t, v) in vector {
            m.indices.push(t);
            m.data.push(v);
        }
        m.indptr.push(m.data.len());
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_with_the_same_answer_share_its_stored_row() {
        let vectors = vec![vec![], vec![(0, 0.6), (2, 0.8)], vec![(1, 1.0)]];
        let codes = Codes::from(vec![1, 0, 2, 1, 1, 7]);
        let m = rows_from(vectors.clone(), &codes, 3);
        assert_eq!(m.n_rows(), 6);
        assert_eq!(
            m.indptr,
            vec![0, 0, 2, 3],
            "each answer's vector stored once"
        );
        for (i, code) in codes.iter().enumerate() {
            let want = vectors.get(code as usize).cloned().unwrap_or_default();
            let got: Vec<(u32, f64)> = m.row(i).map(|(t, v)| (t as u32, v)).collect();
            assert_eq!(got, want, "person {i}");
        }
        assert_eq!(m.row(6).count(), 0, "beyond the people: nothing");
    }

    #[test]
    fn terms_too_rare_for_the_sketch_leave_the_vocabulary_as_it_was() {
        // Word salad: every answer distinct, most word pairs used once; some words common.
        let words = [
            "fresh", "coffee", "beans", "roast", "dark", "light", "tea", "green", "bag", "box",
            "price", "taste", "bitter", "sweet", "snack", "dog", "cat", "food", "baby", "salt",
        ];
        let texts: Vec<String> = (0..3000usize)
            .map(|i| {
                (0..12)
                    .map(|k| words[(i * 7 + k * k * 13 + i / 5 * k) % words.len()])
                    .chain([format!("w{i}").leak() as &str])
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let answers: Vec<(&str, usize)> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_str(), 1 + i % 3))
            .collect();
        let tokenizer = Tokenizer::default();
        for min_df in [3, 40, 400] {
            let params = VocabularyParams {
                min_df,
                max_df_share: 0.5,
                max_terms: 5000,
            };
            let (exact, vectors) = Vocabulary::fit_with(&tokenizer, &answers, params, None);
            // A narrow sketch collides often; a collision may only keep a term in the count.
            for width in [Sketch::width_for(answers.len()), 1 << 12, 64] {
                let sketch = Sketch::of(&tokenizer, &answers, width);
                let (sketched, sketched_vectors) =
                    Vocabulary::fit_with(&tokenizer, &answers, params, Some(&sketch));
                assert_eq!(
                    sketched.index, exact.index,
                    "min_df {min_df}, width {width}"
                );
                assert_eq!(sketched.display, exact.display);
                assert_eq!(sketched.doc_freq, exact.doc_freq);
                assert_eq!(sketched.n_docs, exact.n_docs);
                assert_eq!(sketched_vectors, vectors);
            }
            assert!(!exact.is_empty());
        }
        // At the widest, nearly every term used by one answer is left out before counting.
        let sketch = Sketch::of(&tokenizer, &answers, Sketch::width_for(answers.len()));
        let mut stems = HashMap::new();
        let mut terms: Vec<String> = answers
            .iter()
            .flat_map(|(a, _)| tokenizer.terms_cached(a, &mut stems))
            .map(|(t, _)| t)
            .collect();
        terms.sort_unstable();
        terms.dedup();
        let counted = terms.iter().filter(|t| sketch.at_most(t) >= 40).count();
        assert!(counted * 4 < terms.len(), "{counted} of {}", terms.len());
    }

    #[test]
    fn markup_is_a_line_break_and_never_a_word() {
        assert_eq!(
            without_markup("Great tea.<br /><br />Would buy again</p>"),
            "Great tea.\n\nWould buy again\n"
        );
        assert_eq!(without_markup("3 < 5 and 6 > 2"), "3 < 5 and 6 > 2");
        assert_eq!(without_markup("a <3 b"), "a <3 b");
        assert!(matches!(without_markup("no tags"), Cow::Borrowed(_)));
        let t = Tokenizer::default();
        let words: Vec<String> = t
            .words("tasty<br/>tea")
            .into_iter()
            .map(|w| w.stem)
            .collect();
        assert_eq!(words, vec!["tasti", "tea"]);
    }

    #[test]
    fn links_and_handles_are_not_words() {
        let t = Tokenizer::default();
        let stems: Vec<String> = t
            .words("@shopco love it! https://t.co/x1Ab (www.shop.com/help) «https://x.io» mail ann@shop.com")
            .into_iter()
            .map(|w| w.surface)
            .collect();
        assert_eq!(stems, ["love", "mail", "ann", "shop.com"]);
        assert_eq!(without_links("3 @ 5 each"), "3 @ 5 each");
    }

    #[test]
    fn words_are_stemmed_and_stop_words_dropped() {
        let t = Tokenizer::default();
        let words: Vec<String> = t
            .words("I'm trying to send invoices with VAT, 20 of them!")
            .into_iter()
            .map(|w| w.stem)
            .collect();
        assert_eq!(words, vec!["tri", "send", "invoic", "vat"]);
        // Numbers with points, commas or colons are not words either; "4k" and "b2b" are.
        let words: Vec<String> = t
            .words("1.5 stars, 2,000 orders at 10:30 on a 4k b2b plan")
            .into_iter()
            .map(|w| w.surface)
            .collect();
        assert_eq!(words, vec!["stars", "orders", "4k", "b2b", "plan"]);
        // A possessive is dropped ("classs homework" was shown as a segment's words); other
        // apostrophes join the word ("dont", a stop word).
        let words: Vec<String> = t
            .words("Follow each class's homework, the shop’s offers; don't wait")
            .into_iter()
            .map(|w| w.surface)
            .collect();
        assert_eq!(
            words,
            vec!["follow", "class", "homework", "shop", "offers", "wait"]
        );
        let terms: Vec<String> = t
            .terms("cheaper groceries")
            .into_iter()
            .map(|t| t.1)
            .collect();
        assert_eq!(terms, vec!["cheaper", "groceries", "cheaper groceries"]);
    }

    #[test]
    fn unicode_answers_are_split_by_the_standard_rules() {
        let t = Tokenizer::default();
        let words: Vec<String> = t
            .words("Café crème ☕ — naïve façade")
            .into_iter()
            .map(|w| w.surface)
            .collect();
        assert_eq!(words, vec!["café", "crème", "naïve", "façade"]);
    }

    #[test]
    fn vocabulary_keeps_shared_terms_and_shows_surface_forms() {
        let t = Tokenizer::default();
        let answers = [
            ("send invoices fast", 1),
            ("invoices with VAT", 1),
            ("cheap groceries", 1),
            ("", 1),
            ("groceries cheaper", 1),
        ];
        let params = VocabularyParams {
            min_df: 2,
            max_df_share: 0.9,
            max_terms: 100,
        };
        let (vocab, vectors) = Vocabulary::fit(&t, &answers, params);
        assert_eq!(vocab.n_docs, 4);
        assert_eq!(
            vocab.display,
            vec!["groceries", "invoices"],
            "columns in stem order"
        );
        let m = rows_from(vectors, &Codes::from(vec![0, 1, 2, 3, 4]), vocab.len());
        assert_eq!(m.n_rows(), 5);
        let row: Vec<(usize, f64)> = m.row(1).collect(); // "invoices with VAT"
        assert_eq!(row.len(), 1);
        assert!(
            (row[0].1 - 1.0).abs() < 1e-12,
            "a single term has unit weight after normalising"
        );
        assert_eq!(m.row(3).count(), 0);
    }

    #[test]
    fn a_repeated_answer_counts_once_per_person() {
        let t = Tokenizer::default();
        let params = VocabularyParams {
            min_df: 2,
            max_df_share: 1.0,
            max_terms: 100,
        };
        let (vocab, _) = Vocabulary::fit(&t, &[("weekly shop", 3), ("big shop", 1)], params);
        assert_eq!(vocab.n_docs, 4);
        assert_eq!(vocab.display, vec!["shop", "weekly", "weekly shop"]);
        let shop = vocab.index.get("shop").copied().expect("shop kept");
        assert_eq!(vocab.doc_freq[shop as usize], 4);
    }
}
