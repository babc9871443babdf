//! The text pipeline for what people say: words, stems, phrases and TF-IDF.
//!
//! Each answer is split into Unicode words (UAX #29, so accents, CJK and emoji are handled
//! by the standard rules), lower-cased, stripped of stop words and stemmed with the Snowball
//! English stemmer. Terms are stems and two-stem phrases ("food bill"). Every term keeps the
//! surface form people used most often, so the screen shows "invoices", never "invoic".
//!
//! [`Vocabulary::fit`] keeps terms used by at least two people and by at most half of them;
//! [`Vocabulary::tfidf`] gives each answer a sparse, L2-normalised vector with sublinear term
//! frequency and smoothed inverse document frequency (Salton & Buckley 1988). The vectors are
//! reduced to a few dense dimensions by `linalg::randomized_svd` in `features`.
//!
//! # References
//! Salton, G. & Buckley, C. (1988). Term-weighting approaches in automatic text retrieval.
//! Porter, M. (2001). Snowball: A language for stemming algorithms.

use rust_stemmers::{Algorithm, Stemmer};
use std::collections::{BTreeMap, HashMap};
use unicode_segmentation::UnicodeSegmentation;

/// English stop words: function words that say nothing about what someone wants.
pub const STOP_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be",
    "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do",
    "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he",
    "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its",
    "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once",
    "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some",
    "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they",
    "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when",
    "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself",
    "yourselves", "im", "ive", "id", "dont", "cant", "wont", "also", "really", "get", "got", "want", "like", "would",
    "one", "lot", "lots", "thing", "things", "something", "much", "many", "well", "even", "still", "yes", "ok",
    "okay", "etc", "s", "t", "don", "didn", "doesn", "isn", "wasn", "aren", "m", "ll", "re", "ve", "d", "let",
    "make", "need", "able", "way", "us", "every", "always", "never", "sometimes", "often", "usually", "n", "na",
];

/// Splits, lower-cases, drops stop words and numbers, and stems an answer.
pub struct Tokenizer {
    stemmer: Stemmer,
}

impl Default for Tokenizer {
    fn default() -> Self {
        Tokenizer { stemmer: Stemmer::create(Algorithm::English) }
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

impl Tokenizer {
    /// The content words of `text`, in order.
    pub fn words(&self, text: &str) -> Vec<Word> {
        let mut out = Vec::new();
        for raw in text.unicode_words() {
            let lower = raw.to_lowercase().replace(['’', '\''], "");
            let lower = lower.strip_suffix("s'").map_or(lower.clone(), |s| format!("{s}s"));
            if lower.chars().all(|c| c.is_numeric()) || STOP_WORDS.contains(&lower.as_str()) {
                continue;
            }
            let stem = self.stemmer.stem(&lower).into_owned();
            if stem.is_empty() {
                continue;
            }
            out.push(Word { stem, surface: lower });
        }
        out
    }

    /// Terms of `text`: stems and adjacent-stem phrases, with surface forms.
    pub fn terms(&self, text: &str) -> Vec<(String, String)> {
        let words = self.words(text);
        let mut terms: Vec<(String, String)> = words.iter().map(|w| (w.stem.clone(), w.surface.clone())).collect();
        for pair in words.windows(2) {
            if let [a, b] = pair
                && a.stem != b.stem
            {
                terms.push((format!("{} {}", a.stem, b.stem), format!("{} {}", a.surface, b.surface)));
            }
        }
        terms
    }
}

/// A sparse matrix in compressed-row form: row `i`'s entries are
/// `indices[indptr[i]..indptr[i+1]]` with values `data[…]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Csr {
    /// Row starts (length `n_rows + 1`).
    pub indptr: Vec<usize>,
    /// Column of each entry.
    pub indices: Vec<u32>,
    /// Value of each entry.
    pub data: Vec<f64>,
    /// Number of columns.
    pub n_cols: usize,
}

impl Csr {
    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    /// The entries of row `i` as (column, value) pairs.
    pub fn row(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let (start, end) = (self.indptr.get(i).copied().unwrap_or(0), self.indptr.get(i + 1).copied().unwrap_or(0));
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

impl Vocabulary {
    /// Chooses the terms of `answers` (one per person; empty = no answer): used by at least
    /// `min_df` answers, by at most `max_df_share` of them, at most `max_terms` of the most used.
    pub fn fit(tokenizer: &Tokenizer, answers: &[&str], min_df: usize, max_df_share: f64, max_terms: usize) -> Self {
        let mut df: HashMap<String, usize> = HashMap::new();
        let mut surfaces: HashMap<String, BTreeMap<String, usize>> = HashMap::new();
        let mut n_docs = 0;
        for answer in answers {
            if answer.trim().is_empty() {
                continue;
            }
            n_docs += 1;
            let mut terms = tokenizer.terms(answer);
            for (term, surface) in &terms {
                *surfaces.entry(term.clone()).or_default().entry(surface.clone()).or_insert(0) += 1;
            }
            terms.sort();
            terms.dedup_by(|a, b| a.0 == b.0);
            for (term, _) in terms {
                *df.entry(term).or_insert(0) += 1;
            }
        }
        let max_df = ((n_docs as f64 * max_df_share).ceil() as usize).max(min_df);
        let mut kept: Vec<(String, usize)> = df.into_iter().filter(|(_, d)| *d >= min_df && *d <= max_df).collect();
        // Most used first, ties by term, so the cut is deterministic; then alphabetical columns.
        kept.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        kept.truncate(max_terms);
        kept.sort_by(|a, b| a.0.cmp(&b.0));
        let mut vocab = Vocabulary { n_docs, ..Default::default() };
        for (i, (term, d)) in kept.into_iter().enumerate() {
            let display = surfaces
                .get(&term)
                .and_then(|s| s.iter().max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0))).map(|(s, _)| s.clone()))
                .unwrap_or_else(|| term.clone());
            vocab.index.insert(term, i as u32);
            vocab.display.push(display);
            vocab.doc_freq.push(d);
        }
        vocab
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

    /// Term counts of one answer, by term index (sorted by index).
    pub fn counts(&self, tokenizer: &Tokenizer, answer: &str) -> Vec<(u32, u32)> {
        let mut counts: BTreeMap<u32, u32> = BTreeMap::new();
        for (term, _) in tokenizer.terms(answer) {
            if let Some(&t) = self.index.get(&term) {
                *counts.entry(t).or_insert(0) += 1;
            }
        }
        counts.into_iter().collect()
    }

    /// TF-IDF vectors of `answers` (sublinear tf, smoothed idf, L2-normalised rows).
    pub fn tfidf(&self, tokenizer: &Tokenizer, answers: &[&str]) -> Csr {
        let mut m = Csr { indptr: vec![0], n_cols: self.len(), ..Default::default() };
        for answer in answers {
            let counts = self.counts(tokenizer, answer);
            let start = m.data.len();
            for (t, c) in counts {
                m.indices.push(t);
                m.data.push((1.0 + libm::log(f64::from(c))) * self.idf(t as usize));
            }
            let norm = libm::sqrt(m.data.get(start..).unwrap_or_default().iter().map(|v| v * v).sum::<f64>());
            if norm > 0.0 {
                for v in m.data.get_mut(start..).unwrap_or_default() {
                    *v /= norm;
                }
            }
            m.indptr.push(m.data.len());
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_stemmed_and_stop_words_dropped() {
        let t = Tokenizer::default();
        let words: Vec<String> = t.words("I'm trying to send invoices with VAT, 20 of them!").into_iter().map(|w| w.stem).collect();
        assert_eq!(words, vec!["tri", "send", "invoic", "vat"]);
        let terms: Vec<String> = t.terms("cheaper groceries").into_iter().map(|t| t.1).collect();
        assert_eq!(terms, vec!["cheaper", "groceries", "cheaper groceries"]);
    }

    #[test]
    fn unicode_answers_are_split_by_the_standard_rules() {
        let t = Tokenizer::default();
        let words: Vec<String> = t.words("Café crème ☕ — naïve façade").into_iter().map(|w| w.surface).collect();
        assert_eq!(words, vec!["café", "crème", "naïve", "façade"]);
    }

    #[test]
    fn vocabulary_keeps_shared_terms_and_shows_surface_forms() {
        let t = Tokenizer::default();
        let answers = ["send invoices fast", "invoices with VAT", "cheap groceries", "", "groceries cheaper"];
        let vocab = Vocabulary::fit(&t, &answers, 2, 0.9, 100);
        assert_eq!(vocab.n_docs, 4);
        assert_eq!(vocab.display, vec!["groceries", "invoices"], "columns in stem order");
        let m = vocab.tfidf(&t, &answers);
        assert_eq!(m.n_rows(), 5);
        let row: Vec<(usize, f64)> = m.row(1).collect(); // "invoices with VAT"
        assert_eq!(row.len(), 1);
        assert!((row[0].1 - 1.0).abs() < 1e-12, "a single term has unit weight after normalising");
        assert_eq!(m.row(3).count(), 0);
    }
}
