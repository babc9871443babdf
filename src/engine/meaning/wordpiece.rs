//! The WordPiece tokenizer of all-MiniLM-L6-v2, matching its `tokenizer.json` exactly.
//!
//! Three steps, as Hugging Face `tokenizers` defines them for BERT (uncased):
//! 1. **Normalise** (`BertNormalizer`): drop NUL, U+FFFD and control/format characters, turn
//!    every white space into a space, put spaces around CJK ideographs, strip accents (NFD,
//!    then drop non-spacing marks) and lower-case character by character.
//! 2. **Pre-tokenise** (`BertPreTokenizer`): split on white space, and make every punctuation
//!    character (ASCII punctuation or Unicode category P*) a word of its own.
//! 3. **WordPiece** (Wu et al. 2016, §4.1): split each word greedily into the longest
//!    vocabulary entries, continuation pieces prefixed `##`; a word with a character no piece
//!    covers, or longer than 100 characters, becomes a single `[UNK]`.
//!
//! `meaning::tests` checks the ids against reference tokenisations made with the
//! `tokenizers` library from the same `tokenizer.json`.
//!
//! # References
//! Wu, Y. et al. (2016). Google's neural machine translation system: bridging the gap
//! between human and machine translation. arXiv:1609.08144.
//! Devlin, J. et al. (2019). BERT: pre-training of deep bidirectional transformers for
//! language understanding. NAACL.

use std::collections::HashMap;
use unicode_categories::UnicodeCategories;
use unicode_normalization::UnicodeNormalization;

/// Longest word WordPiece splits; longer ones are `[UNK]`.
const MAX_WORD_CHARS: usize = 100;

/// A WordPiece vocabulary and the BERT normalisation in front of it.
#[derive(Debug, Clone)]
pub struct WordPiece {
    ids: HashMap<String, u32>,
    unk: u32,
}

impl WordPiece {
    /// A tokenizer over `tokens`, where a token's id is its position; `None` without `[UNK]`.
    pub fn new<S: AsRef<str>>(tokens: &[S]) -> Option<WordPiece> {
        let ids: HashMap<String, u32> = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_ref().to_string(), i as u32))
            .collect();
        let unk = *ids.get("[UNK]")?;
        Some(WordPiece { ids, unk })
    }

    /// The id of `[UNK]`.
    pub fn unk(&self) -> u32 {
        self.unk
    }

    /// The ids of `text`, without `[CLS]` and `[SEP]`.
    pub fn ids(&self, text: &str) -> Vec<u32> {
        let mut out = Vec::new();
        let normal = normalise(text);
        for word in pre_tokenise(&normal) {
            self.word_ids(word, &mut out);
        }
        out
    }

    fn word_ids(&self, word: &str, out: &mut Vec<u32>) {
        if word.chars().count() > MAX_WORD_CHARS {
            out.push(self.unk);
            return;
        }
        let first = out.len();
        let mut start = 0;
        let mut piece = String::new();
        while start < word.len() {
            let mut end = word.len();
            let mut found = None;
            while start < end {
                piece.clear();
                if start > 0 {
                    piece.push_str("##");
                }
                piece.push_str(&word[start..end]);
                if let Some(&id) = self.ids.get(piece.as_str()) {
                    found = Some(id);
                    break;
                }
                // Step back one character.
                end = word[..end]
                    .char_indices()
                    .next_back()
                    .map_or(start, |(i, _)| i);
            }
            match found {
                Some(id) => {
                    out.push(id);
                    start = end;
                }
                None => {
                    out.truncate(first);
                    out.push(self.unk);
                    return;
                }
            }
        }
    }
}

/// `BertNormalizer` with `clean_text`, `handle_chinese_chars`, `strip_accents` and `lowercase`.
pub fn normalise(text: &str) -> String {
    let mut cleaned = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\0' || c == '\u{fffd}' || is_control(c) {
            continue;
        }
        if is_whitespace(c) {
            cleaned.push(' ');
        } else if is_chinese(c) {
            cleaned.push(' ');
            cleaned.push(c);
            cleaned.push(' ');
        } else {
            cleaned.push(c);
        }
    }
    let mut out = String::with_capacity(cleaned.len());
    for c in cleaned.nfd().filter(|c| !c.is_mark_nonspacing()) {
        out.extend(c.to_lowercase());
    }
    out
}

/// `BertPreTokenizer`: white space separates words, each punctuation character is a word.
pub fn pre_tokenise(text: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                words.push(&text[s..i]);
            }
        } else if is_punctuation(c) {
            if let Some(s) = start.take() {
                words.push(&text[s..i]);
            }
            words.push(&text[i..i + c.len_utf8()]);
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        words.push(&text[s..]);
    }
    words
}

fn is_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r') || c.is_whitespace()
}

fn is_control(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => false,
        // Cc, Cf, Cn, Co and Cs: the "other" categories.
        _ => c.is_other(),
    }
}

fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || c.is_punctuation()
}

fn is_chinese(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF
        | 0x3400..=0x4DBF
        | 0x20000..=0x2A6DF
        | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F
        | 0x2B820..=0x2CEAF
        | 0xF900..=0xFAFF
        | 0x2F800..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> WordPiece {
        let tokens = [
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "hello", "!", "cafe",
            "the", "##s",
        ];
        WordPiece::new(&tokens).unwrap()
    }

    #[test]
    fn greedy_longest_pieces_with_continuations() {
        let wp = tiny();
        assert_eq!(wp.ids("unaffable"), vec![4, 5, 6]);
        assert_eq!(wp.ids("Hello!!"), vec![7, 8, 8]);
        // A word with an uncovered piece is one [UNK], not a partial split.
        assert_eq!(wp.ids("unaffablex the"), vec![1, 10]);
    }

    #[test]
    fn accents_case_controls_and_cjk_are_normalised() {
        assert_eq!(normalise("Café\u{200b}\tÀ"), "cafe a");
        assert_eq!(normalise("好的"), " 好  的 ");
        assert_eq!(tiny().ids("CAFÉS"), vec![9, 11]);
        assert_eq!(
            pre_tokenise("don't  stop—now."),
            vec!["don", "'", "t", "stop", "—", "now", "."]
        );
    }
}
