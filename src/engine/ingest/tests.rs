//! Ingest tests: one `check` helper renders what was read, so each case reads as
//! "this file → this table and these diagnostics".

use super::*;
use expect_test::{Expect, expect};

fn render(parsed: &Parsed) -> String {
    let d = &parsed.dialect;
    let mut out = format!(
        "{} · {} · header={} · decimal={:?} · {:?}\n",
        d.encoding,
        d.delimiter_name(),
        d.has_header,
        d.decimal,
        d.line_ending
    );
    let table = &parsed.table;
    let names: Vec<&str> = table.columns().iter().map(|c| c.name.as_str()).collect();
    out.push_str(&names.join(" | "));
    out.push('\n');
    for row in 0..table.n_rows() {
        let cells: Vec<String> = table
            .columns()
            .iter()
            .map(|c| format!("{:?}", c.get(row)))
            .collect();
        out.push_str(&cells.join(" | "));
        out.push('\n');
    }
    for diag in &parsed.diagnostics {
        if diag.severity == Severity::Warning
            || !matches!(diag.message.as_str(), m if m.starts_with("read as"))
        {
            out.push_str(&format!("! {diag}\n"));
        }
    }
    out
}

fn check_bytes(bytes: &[u8], expected: Expect) {
    // Feed in small chunks so records and characters are split across chunk boundaries.
    let mut reader = Reader::new("t.csv", IngestParams::default());
    for chunk in bytes.chunks(7) {
        reader.push(chunk).expect("push");
    }
    match reader.finish() {
        Ok(parsed) => expected.assert_eq(&render(&parsed)),
        Err(e) => expected.assert_eq(&format!("error: {e}\n")),
    }
}

fn check(csv: &str, expected: Expect) {
    check_bytes(csv.as_bytes(), expected);
}

#[test]
fn simple_comma_file() {
    check(
        "name,age\nAnn,34\nBob,51\n",
        expect![[r#"
            UTF-8 · comma · header=true · decimal=Dot · Lf
            name | age
            "Ann" | "34"
            "Bob" | "51"
        "#]],
    );
}

#[test]
fn semicolon_file_with_decimal_commas_keeps_numbers_whole() {
    check(
        "Kunde;Umsatz;Bestellungen\r\nMüller;1.234,50;3\r\nSchmidt;12,5;1\r\n",
        expect![[r#"
            UTF-8 · semicolon · header=true · decimal=Comma · Crlf
            Kunde | Umsatz | Bestellungen
            "Müller" | "1.234,50" | "3"
            "Schmidt" | "12,5" | "1"
        "#]],
    );
}

#[test]
fn quoted_fields_span_lines_and_escape_quotes() {
    check(
        "id,answer\r\n1,\"I want \"\"fewer\"\" emails,\r\nand cheaper shipping\"\r\n2,plain\r\n",
        expect![[r#"
            UTF-8 · comma · header=true · decimal=Dot · Crlf
            id | answer
            "1" | "I want \"fewer\" emails,\r\nand cheaper shipping"
            "2" | "plain"
        "#]],
    );
}

#[test]
fn lone_carriage_returns_end_lines() {
    check(
        "a,b\r1,2\r3,4\r",
        expect![[r#"
            UTF-8 · comma · header=true · decimal=Dot · Cr
            a | b
            "1" | "2"
            "3" | "4"
        "#]],
    );
}

#[test]
fn ragged_rows_are_padded_or_kept_in_extra_columns_and_reported() {
    check(
        "a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12,\n",
        expect![[r#"
            UTF-8 · comma · header=true · decimal=Dot · Lf
            a | b | c | Extra 1
            "1" | "2" | "3" | ""
            "4" | "5" | "" | ""
            "6" | "7" | "8" | "9"
            "10" | "11" | "12" | ""
            ! t.csv, row 3: row has 2 fields where the header has 3; the missing cells are left empty
              help: a field may contain an unquoted line break or the export was cut short
            ! t.csv, row 4: row has 4 fields where the header has 3; the extra values are kept in columns “Extra 1”, …
              help: a field may contain an unquoted delimiter; quote it, or choose another delimiter
            ! t.csv, row 5: row ends with empty fields beyond the header (trailing delimiters); they were ignored
        "#]],
    );
}

#[test]
fn trailing_delimiters_blank_lines_and_nul_bytes() {
    check(
        "a,b,\n1,2,\n\n3,4\0,\n",
        expect![[r#"
            UTF-8 · comma · header=true · decimal=Dot · Lf
            a | b
            "1" | "2"
            "3" | "4"
            ! t.csv, row 4, column "b": cell contains NUL bytes; they were removed
              help: the file may be UTF-16; choose that encoding if the text looks wrong
            ! t.csv: 1 blank line was skipped
            ! t.csv: every line ends with a delimiter; the empty last column was dropped
        "#]],
    );
}

#[test]
fn duplicate_and_empty_headers_get_unique_names() {
    check(
        "Email,,Email\nx@y.z,1,a@b.c\n",
        expect![[r#"
            UTF-8 · comma · header=true · decimal=Dot · Lf
            Email | Column 2 | Email (2)
            "x@y.z" | "1" | "a@b.c"
            ! t.csv, row 1, column "Column 2": column 2 has no header; it is called “Column 2”
            ! t.csv, row 1, column "Email (2)": the header “Email” appears more than once; this one is called “Email (2)”
        "#]],
    );
}

#[test]
fn headerless_file_gets_numbered_columns() {
    check(
        "Ann,34\nBob,51\n",
        expect![[r#"
            UTF-8 · comma · header=false · decimal=Dot · Lf
            Column 1 | Column 2
            "Ann" | "34"
            "Bob" | "51"
        "#]],
    );
}

#[test]
fn utf16_le_with_bom_excel_unicode_text() {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in "Name\tStadt\r\nZoë\tKöln\r\n".encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    check_bytes(
        &bytes,
        expect![[r#"
            UTF-16LE · tab · header=true · decimal=Dot · Crlf
            Name | Stadt
            "Zoë" | "Köln"
        "#]],
    );
}

#[test]
fn utf16_be_with_bom() {
    let mut bytes = vec![0xFE, 0xFF];
    for unit in "a,b\n1,é\n".encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    check_bytes(
        &bytes,
        expect![[r#"
            UTF-16BE · comma · header=true · decimal=Dot · Lf
            a | b
            "1" | "é"
        "#]],
    );
}

#[test]
fn windows_1252_file_is_detected() {
    check_bytes(
        b"Client;Ville;Panier\nRen\xe9e;Orl\xe9ans;12,50 \x80\nFran\xe7ois;S\xe8te;8,00 \x80\n",
        expect![[r#"
            windows-1252 · semicolon · header=true · decimal=Comma · Lf
            Client | Ville | Panier
            "Renée" | "Orléans" | "12,50 €"
            "François" | "Sète" | "8,00 €"
        "#]],
    );
}

#[test]
fn invalid_utf8_is_replaced_and_counted_not_fatal() {
    check_bytes(
        b"a,b\nok,caf\xc3\xa9\nbad,\xff\n",
        expect![[r#"
            UTF-8 · comma · header=true · decimal=Dot · Lf
            a | b
            "ok" | "café"
            "bad" | "�"
            ! t.csv: 1 character could not be read as UTF-8 (shown as �)
              help: if accented letters look wrong, choose the file's encoding (often windows-1252) and read it again
        "#]],
    );
}

#[test]
fn whole_file_failures_say_what_to_do() {
    check("", expect!["error: t.csv is empty\n"]);
    check(
        "name,age\n",
        expect![
            "error: t.csv has a header but no rows of data: export the file again with its rows\n"
        ],
    );
    check_bytes(
        b"PK\x03\x04\x14\x00\x06\x00rest of a zip",
        expect![
            "error: t.csv is not a CSV text file (it looks like an Excel workbook (.xlsx) or another zip archive): open it in its program and save or export it as CSV (UTF-8)\n"
        ],
    );
    check_bytes(
        &[
            0u8, 1, 2, 3, 4, 5, 6, 7, 8, 200, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
            27,
        ],
        expect![
            "error: t.csv is not a CSV text file: open it in a spreadsheet and save it as CSV (UTF-8)\n"
        ],
    );
}

#[test]
fn user_overrides_win_over_detection() {
    let params = IngestParams {
        delimiter: Some(b';'),
        has_header: Some(false),
        ..Default::default()
    };
    let parsed = read_bytes("t.csv", b"a;b,c\n1;2,3\n", &params).expect("read");
    assert_eq!(parsed.dialect.delimiter, b';');
    assert!(!parsed.dialect.has_header);
    assert_eq!(parsed.table.n_rows(), 2);
    assert_eq!(parsed.table.column(1).map(|c| c.get(0)), Some("b,c"));
}

#[test]
fn a_huge_cell_and_thousands_of_columns_are_read() {
    let big = "x".repeat(5 * 1024 * 1024);
    let parsed = read_bytes(
        "t.csv",
        format!("id,note\n1,{big}\n2,small\n").as_bytes(),
        &IngestParams::default(),
    )
    .expect("read");
    assert_eq!(
        parsed.table.column(1).map(|c| c.get(0).len()),
        Some(big.len())
    );

    let header: Vec<String> = (0..3000).map(|i| format!("c{i}")).collect();
    let row: Vec<String> = (0..3000).map(|i| i.to_string()).collect();
    let csv = format!("{}\n{}\n", header.join(","), row.join(","));
    let parsed = read_bytes("wide.csv", csv.as_bytes(), &IngestParams::default()).expect("read");
    assert_eq!(parsed.table.columns().len(), 3000);
    assert_eq!(parsed.table.column(2999).map(|c| c.get(0)), Some("2999"));
}

/// The csv-spectrum conformance suite (npm package `csv-spectrum`, installed by `make deps`):
/// every CSV must parse to exactly the records of its JSON twin.
#[test]
fn csv_spectrum_conformance_suite() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/csv-spectrum");
    let csvs = root.join("csvs");
    let entries = std::fs::read_dir(&csvs).unwrap_or_else(|e| {
        panic!(
            "{} is missing ({e}); run `make deps` to install csv-spectrum",
            csvs.display()
        )
    });
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    names.sort();
    assert!(
        names.len() >= 12,
        "csv-spectrum should have at least 12 cases, found {}",
        names.len()
    );
    for name in names {
        let stem = name.trim_end_matches(".csv");
        let bytes = std::fs::read(csvs.join(&name)).expect("read csv");
        let json = std::fs::read_to_string(root.join("json").join(format!("{stem}.json")))
            .expect("read json");
        // One case's JSON is a lone object rather than a list of one.
        let expected: Vec<serde_json::Map<String, serde_json::Value>> =
            match serde_json::from_str::<serde_json::Value>(&json).expect("json") {
                serde_json::Value::Array(items) => items
                    .into_iter()
                    .filter_map(|v| v.as_object().cloned())
                    .collect(),
                serde_json::Value::Object(object) => vec![object],
                other => panic!("{name}: unexpected JSON {other}"),
            };
        // The suite's files all have headers and commas; a case like "empty" has only
        // empty values, which a sniffer cannot tell from data, so the dialect is stated. Its
        // expected values decode every file as UTF-8 (a Latin-1 degree sign becomes U+FFFD),
        // so the encoding is stated too; detection is tested on its own above.
        let params = IngestParams {
            delimiter: Some(b','),
            has_header: Some(true),
            encoding: Some("utf-8".into()),
            ..Default::default()
        };
        let parsed = read_bytes(&name, &bytes, &params).unwrap_or_else(|e| panic!("{name}: {e}"));
        let table = &parsed.table;
        assert_eq!(table.n_rows(), expected.len(), "{name}: row count");
        for (row, object) in expected.iter().enumerate() {
            for (key, value) in object {
                // Upstream erratum: csv-spectrum 2.0.0's location_coordinates.json gives the phone
                // number 1234567890, but its CSV holds 2095257564. Check the CSV's own text.
                let value = match (stem, key.as_str()) {
                    ("location_coordinates", "Contact Phone Number") => {
                        &serde_json::json!("2095257564")
                    }
                    _ => value,
                };
                let col = table
                    .column_index(key)
                    .unwrap_or_else(|| panic!("{name}: no column {key:?}"));
                let cell = table.column(col).map(|c| c.get(row)).unwrap_or_default();
                assert_eq!(
                    Some(cell),
                    value.as_str(),
                    "{name}: row {row}, column {key:?}"
                );
            }
        }
    }
}

#[test]
fn memory_is_estimated_before_reading() {
    let file = |name: &str, bytes: u64, rows: u64, text: u64| super::Incoming {
        name: name.into(),
        bytes,
        rows,
        text,
    };
    assert!(
        super::fits_in_a_tab(&[
            file("survey.csv", 30 << 20, 120_000, 10 << 20),
            file("crm.csv", 120 << 20, 500_000, 0)
        ])
        .is_ok()
    );
    // The generator's million rows (258 MB, 3 % of it answers given once) fit: they took
    // 727 MiB in Chromium. So do 500 MB of such an export (issue 20) …
    assert!(
        super::fits_in_a_tab(&[file("million.csv", 258_000_000, 1_000_000, 7_200_000)]).is_ok()
    );
    assert!(super::fits_in_a_tab(&[file("big.csv", 500_000_000, 1_940_000, 14_000_000)]).is_ok());
    // … but not 500 MB of reviews, each written by one person.
    let message = super::fits_in_a_tab(&[file("reviews.csv", 500_000_000, 2_200_000, 460_000_000)])
        .expect_err("too much free text");
    assert!(
        message.starts_with(
            "reviews.csv: 477 MB of CSV (about 2,200,000 rows) needs about 3.7 GB of memory"
        ) && message.contains("at most 1,700,000 rows (about 368 MB)"),
        "{message}"
    );
    let message = super::fits_in_a_tab(&[file("all-orders.csv", 900 << 20, 3_600_000, 0)])
        .expect_err("too big");
    assert!(
        message
            .starts_with("all-orders.csv: 900 MB of CSV (about 3,600,000 rows) needs about 3.5 GB")
            && message.contains("command-line tool")
            && message.contains("at most 3,000,000 rows (about 750 MB)"),
        "{message}"
    );
    // Narrow rows cost by the row: 200 MB of eight amounts a row is too many people.
    let message = super::fits_in_a_tab(&[file("amounts.csv", 200 << 20, 6_000_000, 0)])
        .expect_err("too many rows");
    assert!(message.contains("about 6,000,000 rows"), "{message}");
    // Just over the limit the two figures differ in what they say.
    let message = super::fits_in_a_tab(&[file("export.csv", 500 << 20, 4_220_000, 0)])
        .expect_err("just too big");
    assert!(
        message.starts_with(
            "export.csv: 500 MB of CSV (about 4,220,000 rows) needs about 3077 MB of memory to analyse, more than a browser tab can hold (about 3072 MB)"
        ),
        "{message}"
    );
}

#[test]
fn rows_are_guessed_from_the_first_bytes() {
    let row = b"ada@example.com,12,The delivery was late again\n";
    let file: Vec<u8> = row.repeat(10_000);
    let size = file.len() as u64;
    // The whole file: counted, with or without a last line break.
    assert_eq!(super::rows_guess(&file, size), 10_000);
    assert_eq!(super::rows_guess(&file[..file.len() - 1], size - 1), 10_000);
    // Its start: scaled to the whole.
    let guess = super::rows_guess(&file[..4096], size);
    assert!((10_000..=10_050).contains(&guess), "{guess}");
    // Old Mac line endings (a lone carriage return) end lines too; CRLF ends one line.
    let mac: Vec<u8> = row
        .repeat(10_000)
        .iter()
        .map(|&b| if b == b'\n' { b'\r' } else { b })
        .collect();
    let guess = super::rows_guess(&mac[..4096], size);
    assert!((10_000..=10_050).contains(&guess), "{guess}");
    let crlf: Vec<u8> = row
        .repeat(10_000)
        .iter()
        .flat_map(|&b| {
            if b == b'\n' {
                vec![b'\r', b'\n']
            } else {
                vec![b]
            }
        })
        .collect();
    assert_eq!(super::rows_guess(&crlf, crlf.len() as u64), 10_000);
    // No line break at all in the start: taken at 9 bytes of memory per CSV byte in all.
    let rows = super::rows_guess(b"a,b,c", 1 << 30);
    assert_eq!(
        rows,
        (1 << 30) * (9 - super::MEMORY_PER_BYTE - super::MEMORY_PER_TEXT_BYTE)
            / super::MEMORY_PER_ROW
    );
    assert_eq!(super::rows_guess(b"", 0), 0);
}

#[test]
fn a_quote_that_never_closes_is_reported_at_its_row_and_column() {
    let mut csv = String::from("id,answer,orders\n");
    for i in 0..60 {
        if i == 10 {
            csv.push_str("10,\"never closed,3\n");
        } else {
            csv.push_str(&format!("{i},fine,{i}\n"));
        }
    }
    let parsed = read_bytes("q.csv", csv.as_bytes(), &IngestParams::default()).expect("read");
    assert_eq!(
        parsed.table.n_rows(),
        11,
        "the rest of the file is inside one cell, not lost"
    );
    let d = parsed
        .diagnostics
        .iter()
        .find(|d| d.message.contains("never to close"))
        .expect("reported");
    let text = d.to_string();
    assert!(
        text.contains("q.csv") && text.contains("row 12") && text.contains("answer"),
        "{text}"
    );
}

#[test]
fn a_file_is_named_by_the_sha256_of_its_bytes_however_it_arrives() {
    let bytes = b"name,spend\nAnn,12\nBo,7\n";
    // `printf 'name,spend\nAnn,12\nBo,7\n' | sha256sum`
    let expected = "75549b42614d060d9f2941a0e15f09f44d00d329c5bb646fe60fbc1dada7da80";
    let whole = read_bytes("a.csv", bytes, &IngestParams::default()).expect("reads");
    let mut reader = Reader::new("a.csv", IngestParams::default());
    for chunk in bytes.chunks(5) {
        reader.push(chunk).expect("reads");
    }
    let chunked = reader.finish().expect("reads");
    let mut hash = FileHash::default();
    for chunk in bytes.chunks(3) {
        hash.update(chunk);
    }
    assert_eq!(whole.sha256, expected);
    assert_eq!(chunked.sha256, expected);
    assert_eq!(hash.hex(), expected);
    // Hashed elsewhere: the same table, and no digest until the caller gives one.
    let mut reader = Reader::new("a.csv", IngestParams::default()).without_hash();
    reader.push(bytes).expect("reads");
    let unhashed = reader.finish().expect("reads");
    assert_eq!(unhashed.sha256, "");
    assert_eq!(unhashed.table, whole.table);
}

#[test]
fn free_text_given_once_is_told_from_choices_by_the_first_bytes() {
    // Reviews, each in its writer's own words: nearly every byte.
    let mut reviews = String::from("id,review,score\n");
    for i in 0..2000 {
        reviews.push_str(&format!(
            "{i},\"Review {i}: the tea arrived late and cold, {}\",{}\n",
            i * 7,
            i % 5
        ));
    }
    let share = super::distinct_text_share(reviews.as_bytes());
    assert!(share > 0.8, "{share}");
    // The same answers given by many, and choices: almost none.
    let mut shop = String::from("id;plan;answer;spend\n");
    for i in 0..2000 {
        let answer = [
            "Save time on the weekly shop",
            "Keep the fridge stocked for the family",
        ][i % 2];
        shop.push_str(&format!("{i};New York;{answer};{}.{}\n", i * 3, i % 100));
    }
    let share = super::distinct_text_share(shop.as_bytes());
    assert!(share < 0.01, "{share}");
    // Nothing to go by: taken at its largest.
    assert_eq!(super::distinct_text_share(b"no line break"), 1.0);
    assert_eq!(
        super::distinct_text_share(
            "a,b\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect::<Vec<u8>>()
                .as_slice()
        ),
        1.0
    );
    let file = super::Incoming::of("r.csv".into(), reviews.as_bytes(), reviews.len() as u64);
    assert_eq!(file.rows, 2001);
    assert!(
        file.text > file.bytes * 8 / 10 && file.text <= file.bytes,
        "{file:?}"
    );
}

/// Qualtrics writes three header rows: ids, question texts, import ids. The question texts
/// name the columns; neither row is a respondent, and the first answer is row 4.
#[test]
fn qualtrics_question_texts_name_the_columns_and_its_header_rows_are_not_answers() {
    let csv = concat!(
        "StartDate,ResponseId,Q1,Q2_1,Q2_2\n",
        "Start Date,Response ID,\"What are you trying\nto get done?\",How important is it to you to... - get it on time,How satisfied are you with how well we... - get it on time\n",
        "\"{\"\"ImportId\"\":\"\"startDate\"\",\"\"timeZone\"\":\"\"Europe/London\"\"}\",\"{\"\"ImportId\"\":\"\"_recordId\"\"}\",\"{\"\"ImportId\"\":\"\"QID1_TEXT\"\"}\",\"{\"\"ImportId\"\":\"\"QID2_1\"\"}\",\"{\"\"ImportId\"\":\"\"QID2_2\"\"}\"\n",
        "2026-10-01 09:00:00,R_1,feed the family,5,2\n",
        "2026-10-02 10:00:00,R_2,stock the office,3,4\n",
    );
    check(
        csv,
        expect![[r#"
            UTF-8 · comma · header=true · decimal=Dot · Lf
            Start Date | Response ID | What are you trying to get done? | How important is it to you to... - get it on time | How satisfied are you with how well we... - get it on time
            "2026-10-01 09:00:00" | "R_1" | "feed the family" | "5" | "2"
            "2026-10-02 10:00:00" | "R_2" | "stock the office" | "3" | "4"
            ! t.csv: rows 2 and 3 are Qualtrics' question texts and import ids, not answers; the question texts name the columns
        "#]],
    );
    let parsed = read_bytes("q.csv", csv.as_bytes(), &IngestParams::default()).expect("read");
    assert_eq!(parsed.dialect.header_rows, 3);
    assert_eq!(parsed.dialect.first_row(), 4);
}

/// SurveyMonkey writes each question over the first of its columns and each column's option
/// or grid row beneath; "Response" under a question of one column. A ticked option holds its
/// own text, which `kinds` reads as ticked or blank.
#[test]
fn surveymonkey_options_and_grid_rows_join_their_question() {
    check(
        concat!(
            "Respondent ID,What gets in the way?,How important is each of these to you?,,Which do you buy? (Select all that apply),,Household size\n",
            ",Open-Ended Response,Delivery on time,Finding my diet,Fresh,Bakery,Response\n",
            "114,slots too wide,Very important,Slightly important,Fresh,,3\n",
            "115,none,Extremely important,Not at all important,,Bakery,2\n",
        ),
        expect![[r#"
            UTF-8 · comma · header=true · decimal=Dot · Lf
            Respondent ID | What gets in the way? | How important is each of these to you? — Delivery on time | How important is each of these to you? — Finding my diet | Which do you buy? (Select all that apply) — Fresh | Which do you buy? (Select all that apply) — Bakery | Household size
            "114" | "slots too wide" | "Very important" | "Slightly important" | "Fresh" | "" | "3"
            "115" | "none" | "Extremely important" | "Not at all important" | "" | "Bakery" | "2"
            ! t.csv: row 2 is SurveyMonkey's second header row (each question's options and grid rows), not answers; each column is named by its question and option
        "#]],
    );
}

/// Qualtrics' legacy exports put "V1", "V2", … over the tool's own names of its columns;
/// a row of import ids alone is left out; and a file whose first answers merely mention
/// "Response" or a start date keeps every row.
#[test]
fn a_second_header_row_is_read_only_when_a_survey_tool_wrote_it() {
    check(
        concat!(
            "V1,V8,V9,Q1\n",
            "ResponseID,StartDate,EndDate,What do you need?\n",
            "R_1,2026-10-01,2026-10-01,speed\n",
        ),
        expect![[r#"
            UTF-8 · comma · header=true · decimal=Dot · Lf
            ResponseID | StartDate | EndDate | What do you need?
            "R_1" | "2026-10-01" | "2026-10-01" | "speed"
            ! t.csv: row 2 is a second header row (the survey tool's names of its columns), not answers; it names the columns
        "#]],
    );
    check(
        concat!(
            "id,q\n",
            "\"{\"\"ImportId\"\":\"\"_recordId\"\"}\",\"{\"\"ImportId\"\":\"\"QID1\"\"}\"\n",
            "1,fast\n",
        ),
        expect![[r#"
            UTF-8 · comma · header=true · decimal=Dot · Lf
            id | q
            "1" | "fast"
            ! t.csv: row 2 holds Qualtrics' import ids, not answers; it was left out
        "#]],
    );
    check(
        "kind,note\nResponse,Start Date\nResponse,fine\n",
        expect![[r#"
            UTF-8 · comma · header=true · decimal=Dot · Lf
            kind | note
            "Response" | "Start Date"
            "Response" | "fine"
        "#]],
    );
    check(
        "kind,note\nResponse,Start Date\n",
        expect![[r#"
            UTF-8 · comma · header=true · decimal=Dot · Lf
            kind | note
            "Response" | "Start Date"
        "#]],
    );
}
