//! The segmented export: every original column in its original order, then `segment`,
//! `edge_score` and `reason`; and the receipt that records how it was made.
//!
//! The CSV is UTF-8 with a byte-order mark (so Excel reads accents right), comma-delimited,
//! CRLF line endings, quoted where needed. Cells that a spreadsheet would run as a formula
//! (starting with `=`, `+`, `-`, `@`, tab or carriage return, and not a plain number) are
//! prefixed with `'`, as OWASP advises against CSV injection; numbers like `-12` are untouched.
//! People in no segment get `edge`. Scores have three decimals.

use super::table::Table;
use super::values::{Decimal, NumberParse, parse_number};
use std::borrow::Cow;

/// The segment value written for lone outliers.
pub const OUTLIER_SEGMENT: &str = "edge";

/// Makes a cell safe to open in a spreadsheet.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if !cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        return Cow::Borrowed(cell);
    }
    let number = matches!(parse_number(cell, Decimal::Dot), NumberParse::Number(_))
        || matches!(parse_number(cell, Decimal::Comma), NumberParse::Number(_));
    if !number {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Writes the segmented CSV.
pub fn write_csv(table: &Table, segment: &[String], score: &[f64], reason: &[String]) -> Vec<u8> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(&mut out);
    let mut header: Vec<Cow<'_, str>> = table
        .columns()
        .iter()
        .map(|c| neutralise(&c.name))
        .collect();
    header.extend(["segment", "edge_score", "reason"].map(Cow::Borrowed));
    // Writing to a Vec cannot fail; a failed write would only shorten the file, never panic.
    let _ = w.write_record(header.iter().map(|h| h.as_bytes()));
    let mut record: Vec<Cow<'_, str>> = Vec::with_capacity(header.len());
    for row in 0..table.n_rows() {
        record.clear();
        record.extend(table.columns().iter().map(|c| neutralise(c.get(row))));
        record.push(Cow::Borrowed(
            segment.get(row).map_or(OUTLIER_SEGMENT, String::as_str),
        ));
        record.push(Cow::Owned(format!(
            "{:.3}",
            score.get(row).copied().unwrap_or(0.0)
        )));
        record.push(neutralise(reason.get(row).map_or("", String::as_str)));
        let _ = w.write_record(record.iter().map(|c| c.as_bytes()));
    }
    let _ = w.flush();
    drop(w);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_but_numbers_are_not() {
        assert_eq!(
            neutralise("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("-12.5"), "-12.5");
        assert_eq!(neutralise("+44 20 7946 0000"), "'+44 20 7946 0000");
        assert_eq!(neutralise("plain"), "plain");
    }

    #[test]
    fn original_columns_then_segment_score_reason() {
        let table = Table::from_rows(&["id", "note"], &[&["1", "hi, there"], &["2", "=1+1"]]);
        let bytes = write_csv(
            &table,
            &["S1".into(), "edge".into()],
            &[0.12345, 0.9],
            &["In S1 “x”".into(), "Unlike everyone".into()],
        );
        let text = String::from_utf8(bytes).expect("utf-8");
        assert_eq!(
            text,
            "\u{feff}id,note,segment,edge_score,reason\r\n1,\"hi, there\",S1,0.123,In S1 “x”\r\n2,'=1+1,edge,0.900,Unlike everyone\r\n"
        );
    }
}
