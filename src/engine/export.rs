//! What a user takes away: the segmented export — every original column in its original
//! order, then `segment`, `segment_name`, `edge_score` and `reason` — the names and notes they
//! gave segments ([`SegmentLabel`]), and each segment's audience: its members' ids and contact
//! columns ([`audience_csv`]) or a customer list of normalised, SHA-256-hashed emails and
//! phones as ad platforms take them ([`customer_list_csv`]). The receipt that records how an
//! export was made lives with the analysis (`analysis::receipt`).
//!
//! The CSV is UTF-8 with a byte-order mark (so Excel reads accents right), comma-delimited,
//! CRLF line endings, quoted where needed. Cells that a spreadsheet would run as a formula
//! (starting with `=`, `+`, `-`, `@`, tab or carriage return, and not a plain number) are
//! prefixed with `'`, as OWASP advises against CSV injection; numbers like `-12` are untouched.
//! People in no segment get `edge`. Scores have three decimals.

use super::edges::Reasons;
use super::schema::{Kind, Schema};
use super::table::Table;
use super::values::{Decimal, NumberParse, parse_number};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
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

/// A name and note the user gave a segment. It is kept in the settings file and applies to
/// the segment with the same id *and* the same found name, so a re-run that renumbers
/// segments never moves a name onto other people; failing the id, it follows the found name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SegmentLabel {
    /// The segment's id when it was named (`S3`).
    pub id: String,
    /// The name Edgewise found for it (from its members' words).
    pub found: String,
    /// The user's name; empty keeps the found one.
    pub name: String,
    /// The user's note.
    pub note: String,
}

/// A segment as it is taken away: its id, the name shown (the user's, else the found one),
/// and the user's note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    /// `S1`, `S2`, ….
    pub id: String,
    /// The name to show.
    pub name: String,
    /// The user's note (may be empty).
    pub note: String,
}

/// The label for the segment `id` whose found name is `found`, if the user gave one.
pub fn label_for<'a>(
    labels: &'a [SegmentLabel],
    id: &str,
    found: &str,
) -> Option<&'a SegmentLabel> {
    labels
        .iter()
        .find(|l| l.id == id && l.found == found)
        .or_else(|| labels.iter().find(|l| l.found == found))
}

/// Each segment's id, shown name and note under `labels`, in the segments' order.
pub fn named<'a>(
    segments: impl IntoIterator<Item = (&'a str, &'a str)>,
    labels: &[SegmentLabel],
) -> Vec<Named> {
    segments
        .into_iter()
        .map(|(id, found)| {
            let label = label_for(labels, id, found);
            let name = label
                .map(|l| l.name.trim())
                .filter(|n| !n.is_empty())
                .unwrap_or(found);
            Named {
                id: id.to_string(),
                name: name.to_string(),
                note: label.map(|l| l.note.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

/// Writes the segmented CSV. `segment_of[row]` indexes `segments` (`None` = lone outlier,
/// written as [`OUTLIER_SEGMENT`] with an empty name).
pub fn write_csv(
    table: &Table,
    segment_of: &[Option<u32>],
    segments: &[Named],
    score: &[f64],
    reason: &Reasons,
) -> Vec<u8> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(&mut out);
    let mut header: Vec<Cow<'_, str>> = table
        .columns()
        .iter()
        .map(|c| neutralise(&c.name))
        .collect();
    header.extend(["segment", "segment_name", "edge_score", "reason"].map(Cow::Borrowed));
    // Writing to a Vec cannot fail; a failed write would only shorten the file, never panic.
    let _ = w.write_record(header.iter().map(|h| h.as_bytes()));
    let mut record: Vec<Cow<'_, str>> = Vec::with_capacity(header.len());
    for row in 0..table.n_rows() {
        record.clear();
        record.extend(table.columns().iter().map(|c| neutralise(c.get(row))));
        let segment = segment_of
            .get(row)
            .copied()
            .flatten()
            .and_then(|s| segments.get(s as usize));
        record.push(Cow::Borrowed(
            segment.map_or(OUTLIER_SEGMENT, |s| s.id.as_str()),
        ));
        record.push(neutralise(segment.map_or("", |s| s.name.as_str())));
        record.push(Cow::Owned(format!(
            "{:.3}",
            score.get(row).copied().unwrap_or(0.0)
        )));
        record.push(neutralise(reason.get(row).unwrap_or("")));
        let _ = w.write_record(record.iter().map(|c| c.as_bytes()));
    }
    let _ = w.flush();
    drop(w);
    out
}

/// The columns that say who a person is, for audiences: identifiers, emails and phones, in
/// the file's order.
fn contact_columns(schema: &Schema) -> Vec<usize> {
    schema
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.kind, Kind::Identifier | Kind::Email | Kind::Phone))
        .map(|(i, _)| i)
        .collect()
}

/// A segment's members as a CSV: `row` (1-based, as in the export) then every identifier,
/// email and phone column, unchanged but for spreadsheet-formula neutralising.
pub fn audience_csv(table: &Table, schema: &Schema, rows: &[usize]) -> Vec<u8> {
    let columns = contact_columns(schema);
    let mut out = vec![0xEF, 0xBB, 0xBF];
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(&mut out);
    let mut header: Vec<Cow<'_, str>> = vec![Cow::Borrowed("row")];
    header.extend(
        columns
            .iter()
            .filter_map(|&c| table.columns().get(c).map(|col| neutralise(&col.name))),
    );
    let _ = w.write_record(header.iter().map(|h| h.as_bytes()));
    for &row in rows {
        let mut record: Vec<Cow<'_, str>> = vec![Cow::Owned((row + 1).to_string())];
        record.extend(
            columns
                .iter()
                .filter_map(|&c| table.columns().get(c).map(|col| neutralise(col.get(row)))),
        );
        let _ = w.write_record(record.iter().map(|c| c.as_bytes()));
    }
    let _ = w.flush();
    drop(w);
    out
}

/// An email as ad platforms match it: trimmed and lower-cased (Google Customer Match and
/// Meta custom audiences both ask for this before hashing). `None` when it is not an email.
pub fn normalise_email(text: &str) -> Option<String> {
    let email = text.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let plausible = !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace);
    plausible.then_some(email)
}

/// A phone in E.164 (`+` and digits only), as Google Customer Match asks before hashing.
/// Only numbers written with their country code (`+44 …` or `0044 …`) can be normalised
/// without guessing the country; others give `None` and are left out of the list.
pub fn normalise_phone(text: &str) -> Option<String> {
    let t = text.trim();
    let international = t.strip_prefix('+').or_else(|| t.strip_prefix("00"))?;
    if international
        .chars()
        .any(|c| !(c.is_ascii_digit() || " -().".contains(c)))
    {
        return None;
    }
    // "+44 (0)20 …": the bracketed trunk zero is dialled only from inside the country.
    let international = international.replace("(0)", "");
    let digits: String = international.chars().filter(char::is_ascii_digit).collect();
    // Country codes never start with 0.
    let plausible = (8..=15).contains(&digits.len()) && !digits.starts_with('0');
    plausible.then(|| format!("+{digits}"))
}

/// Lower-case hex SHA-256 of `text`'s UTF-8 bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// How a customer list was made, for the page to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ListCounts {
    /// Members.
    pub members: usize,
    /// Rows written: members with an email or a phone.
    pub rows: usize,
    /// Members with an email that could be normalised.
    pub emails: usize,
    /// Members with a phone that could be normalised.
    pub phones: usize,
}

/// A segment's members as a customer list ad platforms accept: header `Email,Phone`, each
/// value normalised ([`normalise_email`], [`normalise_phone`]) then SHA-256-hashed (hex), one
/// row per member with at least one of them. A person's email is the first that normalises
/// among the file's email columns (joined files often hold one each), and likewise the phone.
/// Hashing happens here, in the tab: no address leaves it in the clear.
pub fn customer_list_csv(table: &Table, schema: &Schema, rows: &[usize]) -> (Vec<u8>, ListCounts) {
    let columns = |kind: Kind| -> Vec<&super::table::Column> {
        schema
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.kind == kind)
            .filter_map(|(i, _)| table.columns().get(i))
            .collect()
    };
    let (emails, phones) = (columns(Kind::Email), columns(Kind::Phone));
    let mut counts = ListCounts {
        members: rows.len(),
        ..ListCounts::default()
    };
    let mut out = String::from("Email,Phone\r\n");
    for &row in rows {
        let e = emails.iter().find_map(|c| normalise_email(c.get(row)));
        let p = phones.iter().find_map(|c| normalise_phone(c.get(row)));
        if e.is_none() && p.is_none() {
            continue;
        }
        counts.rows += 1;
        counts.emails += usize::from(e.is_some());
        counts.phones += usize::from(p.is_some());
        let hash = |v: Option<String>| v.map(|v| sha256_hex(v.as_bytes())).unwrap_or_default();
        out.push_str(&format!("{},{}\r\n", hash(e), hash(p)));
    }
    (out.into_bytes(), counts)
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
        let segments = named([("S1", "weekly shop")], &[]);
        let bytes = write_csv(
            &table,
            &[Some(0), None],
            &segments,
            &[0.12345, 0.9],
            &["In S1 “x”", "Unlike everyone"]
                .map(String::from)
                .into_iter()
                .collect(),
        );
        let text = String::from_utf8(bytes).expect("utf-8");
        assert_eq!(
            text,
            "\u{feff}id,note,segment,segment_name,edge_score,reason\r\n1,\"hi, there\",S1,weekly shop,0.123,In S1 “x”\r\n2,'=1+1,edge,,0.900,Unlike everyone\r\n"
        );
    }

    #[test]
    fn a_users_name_follows_its_segment_not_its_number() {
        let labels = vec![SegmentLabel {
            id: "S2".into(),
            found: "allergy-safe food".into(),
            name: "Allergy households".into(),
            note: "call them first".into(),
        }];
        // Same numbering: the name applies.
        let same = named(
            [("S1", "weekly shop"), ("S2", "allergy-safe food")],
            &labels,
        );
        assert_eq!(same[1].name, "Allergy households");
        assert_eq!(same[1].note, "call them first");
        assert_eq!(same[0].name, "weekly shop");
        // Renumbered by a re-run: the name follows the found name, not the id.
        let moved = named(
            [("S1", "allergy-safe food"), ("S2", "office snacks")],
            &labels,
        );
        assert_eq!(moved[0].name, "Allergy households");
        assert_eq!(moved[1].name, "office snacks");
        // An empty name keeps the found one but the note stays.
        let blank = vec![SegmentLabel {
            name: "  ".into(),
            ..labels[0].clone()
        }];
        let kept = named([("S2", "allergy-safe food")], &blank);
        assert_eq!(
            (kept[0].name.as_str(), kept[0].note.as_str()),
            ("allergy-safe food", "call them first")
        );
    }

    #[test]
    fn emails_and_phones_are_normalised_as_ad_platforms_ask() {
        assert_eq!(
            normalise_email("  Ann.Lee@Example.COM "),
            Some("ann.lee@example.com".into())
        );
        assert_eq!(normalise_email("not an email"), None);
        assert_eq!(normalise_email("a@b"), None);
        assert_eq!(normalise_email("a@b@c.com"), None);
        assert_eq!(
            normalise_phone("+44 20 7946 0000"),
            Some("+442079460000".into())
        );
        assert_eq!(
            normalise_phone("0044 (20) 7946-0000"),
            Some("+442079460000".into())
        );
        // Without a country code the country would be a guess: left out.
        assert_eq!(normalise_phone("020 7946 0000"), None);
        assert_eq!(normalise_phone("+44 call me"), None);
        assert_eq!(
            normalise_phone("+44 (0)20 7946 0000"),
            Some("+442079460000".into())
        );
        assert_eq!(normalise_phone("+0044 20 7946 0000"), None);
    }

    #[test]
    fn a_customer_list_hashes_normalised_contacts_of_members_only() {
        use crate::engine::schema::{SchemaParams, infer};
        let table = Table::from_rows(
            &["customer_id", "email", "phone"],
            &[
                &["1", "Ann@Example.com", "+44 20 7946 0001"],
                &["2", "bo@example.com", "020 7946 0002"],
                &["3", "", ""],
            ],
        );
        let (schema, _) = infer(&table, &[], &SchemaParams::default());
        assert_eq!(schema.columns[1].kind, Kind::Email);
        let (bytes, counts) = customer_list_csv(&table, &schema, &[0, 2]);
        let text = String::from_utf8(bytes).expect("utf-8");
        // sha256("ann@example.com") and sha256("+442079460001"), computed with `sha256sum`.
        let email = sha256_hex(b"ann@example.com");
        let phone = sha256_hex(b"+442079460001");
        assert_eq!(text, format!("Email,Phone\r\n{email},{phone}\r\n"));
        assert_eq!(
            counts,
            ListCounts {
                members: 2,
                rows: 1,
                emails: 1,
                phones: 1
            }
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let members = String::from_utf8(audience_csv(&table, &schema, &[1])).expect("utf-8");
        assert!(members.starts_with('\u{feff}'));
        assert_eq!(
            &members[3..],
            "row,customer_id,email,phone\r\n2,2,bo@example.com,020 7946 0002\r\n"
        );
    }
}
