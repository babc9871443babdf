//! Which text encoding a file is in, and turning its bytes into UTF-8 chunk by chunk.
//!
//! The order of evidence: a byte-order mark wins (UTF-8, UTF-16 LE/BE — Excel's "Unicode
//! text" is UTF-16 LE with a BOM); then a UTF-16 file without a BOM shows itself by NUL bytes
//! in every other position; then text that is valid UTF-8 is UTF-8; otherwise `chardetng`
//! (the detector Firefox uses) guesses among the legacy encodings, most often Windows-1252.
//! Decoding never fails: bytes that are invalid in the chosen encoding become U+FFFD and
//! are counted, so the user is told how many characters could not be read.

use encoding_rs::{Decoder, Encoding, UTF_8, UTF_16BE, UTF_16LE};

/// How the encoding was chosen, for the "check the data" screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingSource {
    /// A byte-order mark said so.
    Bom,
    /// NUL bytes in alternate positions: UTF-16 without a BOM.
    NulPattern,
    /// The bytes are valid UTF-8.
    ValidUtf8,
    /// UTF-8 with a few invalid bytes (a file damaged by an edit or a bad join).
    MostlyUtf8,
    /// A statistical guess among legacy encodings.
    Guessed,
    /// The user chose it.
    UserChoice,
}

/// The chosen encoding and how it was chosen.
#[derive(Debug, Clone, Copy)]
pub struct EncodingChoice {
    /// The encoding.
    pub encoding: &'static Encoding,
    /// The file starts with a byte-order mark (which is removed).
    pub bom: bool,
    /// How it was chosen.
    pub source: EncodingSource,
}

/// Looks up an encoding by a label such as `"windows-1252"`, `"latin1"` or `"utf-16le"`.
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// Chooses the encoding of a file from its first bytes. `complete` says the sample is the
/// whole file (so a multi-byte character cut at the end of the sample is a real error).
pub fn detect(
    sample: &[u8],
    complete: bool,
    user_choice: Option<&'static Encoding>,
) -> EncodingChoice {
    let bom = Encoding::for_bom(sample);
    if let Some(encoding) = user_choice {
        return EncodingChoice {
            encoding,
            bom: bom.is_some(),
            source: EncodingSource::UserChoice,
        };
    }
    if let Some((encoding, _)) = bom {
        return EncodingChoice {
            encoding,
            bom: true,
            source: EncodingSource::Bom,
        };
    }
    if let Some(encoding) = utf16_by_nul_pattern(sample) {
        return EncodingChoice {
            encoding,
            bom: false,
            source: EncodingSource::NulPattern,
        };
    }
    match std::str::from_utf8(sample) {
        Ok(_) => {
            return EncodingChoice {
                encoding: UTF_8,
                bom: false,
                source: EncodingSource::ValidUtf8,
            };
        }
        // Valid up to a character cut off by the end of the sample.
        Err(e) if e.error_len().is_none() && !complete => {
            return EncodingChoice {
                encoding: UTF_8,
                bom: false,
                source: EncodingSource::ValidUtf8,
            };
        }
        Err(_) => {}
    }
    if mostly_utf8(sample) {
        return EncodingChoice {
            encoding: UTF_8,
            bom: false,
            source: EncodingSource::MostlyUtf8,
        };
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(sample, complete);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Allow);
    EncodingChoice {
        encoding,
        bom: false,
        source: EncodingSource::Guessed,
    }
}

/// A file with valid multi-byte UTF-8 sequences and fewer invalid bytes than valid sequences is
/// UTF-8 with damage, not a legacy encoding: legacy text almost never forms valid UTF-8
/// sequences by chance, and guessing Windows-1252 would garble every accent in the file.
fn mostly_utf8(sample: &[u8]) -> bool {
    let (mut valid_multibyte, mut invalid) = (0usize, 0usize);
    let mut rest = sample;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                valid_multibyte += s.chars().filter(|c| !c.is_ascii()).count();
                break;
            }
            Err(e) => {
                let (good, after) = rest.split_at(e.valid_up_to());
                valid_multibyte += std::str::from_utf8(good)
                    .map_or(0, |s| s.chars().filter(|c| !c.is_ascii()).count());
                match e.error_len() {
                    Some(len) => {
                        invalid += 1;
                        rest = after.get(len..).unwrap_or_default();
                    }
                    None => break,
                }
            }
        }
    }
    valid_multibyte > 0 && invalid <= valid_multibyte
}

/// UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte.
fn utf16_by_nul_pattern(sample: &[u8]) -> Option<&'static Encoding> {
    let n = sample.len().min(4096) / 2 * 2;
    if n < 8 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample[..n].chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    let pairs = n / 2;
    if odd * 10 >= pairs * 7 && even * 10 < pairs {
        Some(UTF_16LE)
    } else if even * 10 >= pairs * 7 && odd * 10 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Streams bytes in a chosen encoding out as UTF-8, counting unreadable characters.
pub struct TextDecoder {
    decoder: Decoder,
    /// Characters that could not be decoded and became U+FFFD.
    pub replacements: usize,
}

impl TextDecoder {
    /// A decoder for `choice`; a BOM, if any, is removed.
    pub fn new(choice: EncodingChoice) -> Self {
        TextDecoder {
            decoder: choice.encoding.new_decoder_with_bom_removal(),
            replacements: 0,
        }
    }

    /// Decodes one chunk, appending UTF-8 to `out`. `last` flushes any partial character.
    pub fn decode(&mut self, chunk: &[u8], last: bool, out: &mut String) {
        let needed = self
            .decoder
            .max_utf8_buffer_length(chunk.len())
            .unwrap_or(chunk.len().saturating_mul(3) + 16);
        out.reserve(needed);
        let mut input = chunk;
        loop {
            let start = out.len();
            let (result, read, had_replacements) = self.decoder.decode_to_string(input, out, last);
            input = input.get(read..).unwrap_or(&[]);
            if had_replacements {
                self.replacements += out
                    .get(start..)
                    .map_or(0, |s| s.matches('\u{fffd}').count());
            }
            match result {
                encoding_rs::CoderResult::InputEmpty => break,
                encoding_rs::CoderResult::OutputFull => {
                    out.reserve(input.len().saturating_mul(3) + 16)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le_with_bom(text: &str) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        bytes
    }

    fn decode_all(bytes: &[u8]) -> (String, EncodingChoice, usize) {
        let choice = detect(bytes, true, None);
        let mut decoder = TextDecoder::new(choice);
        let mut out = String::new();
        // Feed in awkward 3-byte pieces to exercise characters split across chunks.
        for piece in bytes.chunks(3) {
            decoder.decode(piece, false, &mut out);
        }
        decoder.decode(&[], true, &mut out);
        (out, choice, decoder.replacements)
    }

    #[test]
    fn utf16_with_bom_is_read_across_chunk_boundaries() {
        let (text, choice, bad) = decode_all(&utf16le_with_bom("Name\tCafé\r\nZoë\t☕\r\n"));
        assert_eq!(choice.encoding, UTF_16LE);
        assert_eq!(choice.source, EncodingSource::Bom);
        assert_eq!(text, "Name\tCafé\r\nZoë\t☕\r\n");
        assert_eq!(bad, 0);
    }

    #[test]
    fn utf16_without_bom_is_found_by_its_nul_bytes() {
        let bytes: Vec<u8> = "name,age\nAnn,34\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        let (text, choice, _) = decode_all(&bytes);
        assert_eq!(choice.encoding, UTF_16BE);
        assert_eq!(text, "name,age\nAnn,34\n");
    }

    #[test]
    fn windows_1252_is_guessed_and_decoded() {
        // "Crème brûlée;Müller;€5" in Windows-1252.
        let bytes = b"dessert;name;price\nCr\xe8me br\xfbl\xe9e;M\xfcller;\x805\n";
        let (text, choice, bad) = decode_all(bytes);
        assert_eq!(choice.encoding.name(), "windows-1252");
        assert_eq!(choice.source, EncodingSource::Guessed);
        assert_eq!(text, "dessert;name;price\nCrème brûlée;Müller;€5\n");
        assert_eq!(bad, 0);
    }

    #[test]
    fn utf8_bom_is_removed_and_invalid_bytes_are_counted_not_fatal() {
        let (text, choice, bad) = decode_all(b"\xEF\xBB\xBFa,b\n1,\xff\xfe\n");
        assert!(choice.bom);
        assert_eq!(choice.encoding, UTF_8);
        assert_eq!(text, "a,b\n1,\u{fffd}\u{fffd}\n");
        assert_eq!(bad, 2);
    }
}
