//! Sniffing a CSV dialect from the first part of a decoded file.
//!
//! * **Delimiter** — among `,` `;` tab `|`, the one that splits the sample into the most
//!   consistent number of fields per record, with quotes respected (the sample is parsed by
//!   the `csv` crate, not split naively). A semicolon file whose numbers use decimal commas
//!   (`1,5;2,75`) gives ragged counts under `,` and steady counts under `;`, so it is read
//!   right — the mistake Papa Parse makes (its issue #290). A header that agrees with the rows
//!   breaks ties, then more fields, then the order above.
//! * **Decimal separator** — counted from cells that can only be read one way (`3,75`,
//!   `1.234,5` say comma; `3.75`, `1,234.5` say dot). With no such evidence a semicolon file
//!   is taken to use decimal commas, as the locales that use semicolons do.
//! * **Header** — the first row is a header unless it looks like data: it has numbers where
//!   later rows have numbers, or it repeats values found below it. When in doubt, a header.
//! * **Line endings** — reported only (the reader accepts CRLF, LF and lone CR anywhere).

use super::super::values::{Decimal, NumberParse, parse_number};
use serde::{Deserialize, Serialize};

/// The delimiters Edgewise considers, in order of preference on a tie.
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How lines end in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineEnding {
    /// `\r\n` (Windows, Excel).
    Crlf,
    /// `\n`.
    Lf,
    /// A lone `\r` (old Mac exports).
    Cr,
    /// A one-line file.
    None,
}

/// What the sniffer found.
#[derive(Debug, Clone, PartialEq)]
pub struct Sniffed {
    /// The field delimiter.
    pub delimiter: u8,
    /// Whether the first record is a header.
    pub has_header: bool,
    /// The decimal separator of numbers in the file.
    pub decimal: Decimal,
    /// The line ending style.
    pub line_ending: LineEnding,
}

/// Records parsed from the sample with one delimiter.
fn sample_records(sample: &str, delimiter: u8, max_records: usize) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(sample.as_bytes());
    let mut records = Vec::new();
    for record in reader.records().take(max_records) {
        let Ok(record) = record else { break };
        if record.len() == 1 && record.get(0).is_some_and(str::is_empty) {
            continue;
        }
        records.push(record.iter().map(str::to_string).collect());
    }
    records
}

/// The sample up to its last complete line, so a record cut by the sample's end does not
/// count as ragged.
fn complete_lines(sample: &str, complete: bool) -> &str {
    if complete {
        return sample;
    }
    match sample.rfind(['\n', '\r']) {
        Some(i) => &sample[..i],
        None => sample,
    }
}

/// Scores a delimiter: (share of records with the modal field count, header agrees, modal count).
fn delimiter_score(records: &[Vec<String>]) -> (f64, bool, usize) {
    if records.is_empty() {
        return (0.0, false, 0);
    }
    let mut counts: Vec<usize> = records.iter().map(Vec::len).collect();
    let header_len = counts[0];
    counts.sort_unstable();
    let (mut mode, mut best, mut run) = (counts[0], 0usize, 0usize);
    for (i, &c) in counts.iter().enumerate() {
        run = if i > 0 && counts[i - 1] == c {
            run + 1
        } else {
            1
        };
        if run > best || (run == best && c > mode) {
            best = run;
            mode = c;
        }
    }
    if mode < 2 {
        return (0.0, false, mode);
    }
    (best as f64 / records.len() as f64, header_len == mode, mode)
}

/// Chooses the delimiter for a decoded sample.
pub fn sniff_delimiter(sample: &str, complete: bool) -> u8 {
    let text = complete_lines(sample, complete);
    let mut best = (b',', (0.0, false, 0usize));
    for &delimiter in &DELIMITERS {
        let score = delimiter_score(&sample_records(text, delimiter, 500));
        let better = score.0 > best.1.0 + 1e-9
            || ((score.0 - best.1.0).abs() <= 1e-9 && (score.1, score.2) > (best.1.1, best.1.2));
        if better {
            best = (delimiter, score);
        }
    }
    best.0
}

/// Chooses the decimal separator from cells that can only be read one way.
pub fn sniff_decimal(records: &[Vec<String>], delimiter: u8) -> Decimal {
    let (mut comma, mut dot) = (0usize, 0usize);
    for cell in records.iter().flatten() {
        match decimal_evidence(cell.trim()) {
            Some(Decimal::Comma) => comma += 1,
            Some(Decimal::Dot) => dot += 1,
            None => {}
        }
    }
    if comma > dot || (comma == dot && delimiter == b';') {
        Decimal::Comma
    } else {
        Decimal::Dot
    }
}

/// Which convention a single cell proves, if any. `1,234` proves nothing (it reads both ways).
fn decimal_evidence(cell: &str) -> Option<Decimal> {
    let body = cell
        .trim_start_matches(['-', '+', '('])
        .trim_end_matches([')', '%', ' ']);
    let body = body
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .trim_end_matches(|c: char| !c.is_ascii_digit());
    if body.is_empty()
        || !body
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
    {
        return None;
    }
    let last_sep = body.rfind([',', '.'])?;
    let sep = body.as_bytes()[last_sep];
    let after = body.len() - last_sep - 1;
    let other = if sep == b',' { b'.' } else { b',' };
    let has_other = body.bytes().any(|b| b == other);
    let n_same = body.bytes().filter(|&b| b == sep).count();
    let proves = if has_other {
        // `1.234,5`: the last separator is the decimal one.
        true
    } else {
        // A single separator not followed by exactly three digits can only be a decimal.
        n_same == 1 && after != 3 && after > 0
    };
    if !proves {
        return None;
    }
    Some(if sep == b',' {
        Decimal::Comma
    } else {
        Decimal::Dot
    })
}

/// Decides whether the first record is a header.
pub fn sniff_header(records: &[Vec<String>], decimal: Decimal) -> bool {
    let Some((first, rest)) = records.split_first() else {
        return true;
    };
    if rest.is_empty() {
        // A single line: a header with no data, unless it is all numbers.
        return !first.iter().all(|c| is_number(c, decimal));
    }
    let mut header_votes = 0i32;
    for (col, head) in first.iter().enumerate() {
        let below: Vec<&str> = rest
            .iter()
            .filter_map(|r| r.get(col))
            .map(String::as_str)
            .filter(|c| !c.trim().is_empty())
            .collect();
        if below.is_empty() {
            continue;
        }
        let numeric_below =
            below.iter().filter(|c| is_number(c, decimal)).count() * 2 >= below.len();
        let head_numeric = is_number(head, decimal);
        if numeric_below && !head_numeric && !head.trim().is_empty() {
            header_votes += 2;
        } else if numeric_below && head_numeric {
            header_votes -= 2;
        }
        if !head.trim().is_empty() && below.contains(&head.as_str()) {
            header_votes -= 1;
        }
    }
    header_votes >= 0
}

fn is_number(cell: &str, decimal: Decimal) -> bool {
    matches!(
        parse_number(cell, decimal),
        NumberParse::Number(_) | NumberParse::NonFinite
    )
}

/// Reports the line ending style of the sample.
pub fn sniff_line_ending(sample: &str) -> LineEnding {
    let bytes = sample.as_bytes();
    let (mut crlf, mut lf, mut cr) = (0usize, 0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                crlf += 1;
                i += 1;
            }
            b'\r' => cr += 1,
            b'\n' => lf += 1,
            _ => {}
        }
        i += 1;
    }
    if crlf + lf + cr == 0 {
        LineEnding::None
    } else if crlf >= lf && crlf >= cr {
        LineEnding::Crlf
    } else if lf >= cr {
        LineEnding::Lf
    } else {
        LineEnding::Cr
    }
}

/// Sniffs everything the user did not choose. `complete` says the sample is the whole file.
pub fn sniff(
    sample: &str,
    complete: bool,
    delimiter: Option<u8>,
    decimal: Option<Decimal>,
    has_header: Option<bool>,
) -> Sniffed {
    let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(sample, complete));
    let records = sample_records(complete_lines(sample, complete), delimiter, 500);
    let decimal = decimal.unwrap_or_else(|| sniff_decimal(&records, delimiter));
    let has_header = has_header.unwrap_or_else(|| sniff_header(&records, decimal));
    Sniffed {
        delimiter,
        has_header,
        decimal,
        line_ending: sniff_line_ending(sample),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniffed(sample: &str) -> (char, bool, Decimal) {
        let s = sniff(sample, true, None, None, None);
        (s.delimiter as char, s.has_header, s.decimal)
    }

    #[test]
    fn semicolon_file_with_decimal_commas_is_not_split_on_commas() {
        let csv = "Name;Spend;Orders\nAnn;12,50;3\nBob;1.234,75;12\nCy;7,5;1\n";
        assert_eq!(sniffed(csv), (';', true, Decimal::Comma));
    }

    #[test]
    fn each_delimiter_is_found() {
        assert_eq!(sniffed("a,b,c\n1,2,3\n4,5,6\n").0, ',');
        assert_eq!(sniffed("a\tb\tc\n1\t2\t3\n").0, '\t');
        assert_eq!(sniffed("a|b|c\n1|2|3\n").0, '|');
        assert_eq!(sniffed("a;b\n1;2\n").0, ';');
    }

    #[test]
    fn quoted_delimiters_do_not_confuse_the_count() {
        let csv = "id,comment\n1,\"late; again; and again\"\n2,\"fine; thanks\"\n3,ok\n";
        assert_eq!(sniffed(csv).0, ',');
    }

    #[test]
    fn header_is_detected_or_not() {
        assert!(sniffed("name,age\nAnn,34\nBob,51\n").1);
        assert!(
            !sniffed("Ann,34\nBob,51\nCy,29\n").1,
            "numbers in the first row: data"
        );
        assert!(
            sniffed("goal,channel\nsave time,web\nsave money,store\n").1,
            "text only: a header"
        );
    }

    #[test]
    fn decimal_evidence_ignores_ambiguous_thousands() {
        assert_eq!(decimal_evidence("1,234"), None);
        assert_eq!(decimal_evidence("3,75"), Some(Decimal::Comma));
        assert_eq!(decimal_evidence("1.234,5"), Some(Decimal::Comma));
        assert_eq!(decimal_evidence("1,234.5"), Some(Decimal::Dot));
        assert_eq!(decimal_evidence("€12.99"), Some(Decimal::Dot));
        assert_eq!(decimal_evidence("hello"), None);
    }

    #[test]
    fn line_endings_are_reported() {
        assert_eq!(sniff_line_ending("a\r\nb\r\n"), LineEnding::Crlf);
        assert_eq!(sniff_line_ending("a\nb\n"), LineEnding::Lf);
        assert_eq!(sniff_line_ending("a\rb\r"), LineEnding::Cr);
    }
}
