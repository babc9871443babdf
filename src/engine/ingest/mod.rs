//! Ingest: a file's bytes → a columnar [`Table`] plus [`Diagnostic`]s.
//!
//! Bytes arrive in chunks ([`Reader::push`]), so a 200 MB export is read with bounded memory
//! and progress can be shown between chunks. The first 256 KiB are held back to choose the
//! encoding ([`encoding`]) and the dialect ([`dialect`]); from then on each chunk is decoded
//! to UTF-8 and fed to `csv_core`'s push parser, and each record goes straight into the
//! interned columns.
//!
//! Documented rules for messy tables — each one reported, with file, row and column:
//! * **Ragged rows.** A short row is padded with empty cells. A long row's extra fields are
//!   kept in extra columns named `Extra 1`, `Extra 2`, … unless they are all empty (a
//!   trailing delimiter), which is only counted.
//! * **Headers.** An empty header becomes `Column N`; a repeated one `Name (2)`; a header-less
//!   file gets `Column 1`, `Column 2`, …
//! * **A survey tool's header rows.** Qualtrics' question texts and import ids (rows 2 and
//!   3) and SurveyMonkey's row of options and grid rows (row 2) name the columns ("How
//!   important is each? — Delivery on time"); they are not respondents (`SurveyHeader`).
//! * **Trailing delimiters.** A last column with an empty header and no values is dropped.
//! * **Blank lines** are skipped and counted.
//! * **NUL bytes** are removed from cells.
//! * **Columns** beyond 16,384 (Excel's limit) are set aside and counted.
//! * **Stray quotes.** A quote that never closes swallows the rest of the file into one cell;
//!   nothing is lost, and a cell of 20 or more lines is reported as the likely place.
//!
//! Before anything is read, [`fits_in_a_tab`] estimates the memory an analysis needs from the
//! file sizes and their rows (guessed from each file's first megabyte, [`rows_guess`]) and
//! refuses, with the alternatives, what a browser tab cannot hold.
//!
//! `Err` is only for whole-file failures: empty, not text, no rows.

pub mod dialect;
pub mod encoding;
pub mod join;

use super::diagnostics::{Diagnostic, Diagnostics, Severity};
use super::table::{ColumnBuilder, Table};
use super::values::Decimal;
pub use dialect::LineEnding;
use encoding::{EncodingChoice, EncodingSource, TextDecoder};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Bytes held back to choose the encoding and dialect.
const SNIFF_BYTES: usize = 256 * 1024;

/// Bytes hashed per call of the SHA-256 update (see `Reader::push`).
const HASH_PIECE: usize = 16 * 1024;
/// The most columns kept (Excel's limit).
pub const MAX_COLUMNS: usize = 16_384;
/// A cell with this many line breaks most likely swallowed the file after a stray quote.
const SWALLOWED_LINES: usize = 20;

/// What the user chose on the "check the data" screen; `None` means "detect".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IngestParams {
    /// Field delimiter (`,` `;` tab `|` or any other single byte).
    pub delimiter: Option<u8>,
    /// Decimal separator of numbers.
    pub decimal: Option<Decimal>,
    /// Encoding label, such as `"utf-8"` or `"windows-1252"`.
    pub encoding: Option<String>,
    /// Whether the first row is a header.
    pub has_header: Option<bool>,
}

/// Peak memory of an analysis per byte of CSV, beside [`MEMORY_PER_TEXT_BYTE`] more per byte
/// of distinct free text, [`MEMORY_PER_ROW`] per row and 64 MB of model and code: round
/// figures with a margin over every file measured in the page's worker (its WebAssembly
/// memory after the analysis, `EDGEWISE_FILE=F node bench/browser.mjs analysis`,
/// 2026-12-06; BENCHMARKS.md, "Codes a byte wide, reasons and answers once"):
///
/// | file | CSV | rows | distinct text | measured | estimated |
/// | --- | ---: | ---: | ---: | ---: | ---: |
/// | 300,000 reviews, every one distinct | 68.0 MB | 300,000 | 92 % | 483 MiB | 576 MiB |
/// | a million people, eight amounts each | 51.0 MB | 1,000,000 | 0 % | 460 MiB | 651 MiB |
/// | 700,000 telco customers | 87.9 MB | 700,000 | 0 % | 429 MiB | 569 MiB |
/// | the generator's export | 25.7 MB | 100,000 | 3 % | 86 MiB | 163 MiB |
/// | the generator's export | 258.2 MB | 1,000,000 | 3 % | 727 MiB | 1,064 MiB |
/// | the generator's export | 502.8 MB | 1,940,000 | 3 % | 1,410 MiB | 2,007 MiB |
/// | real reviews (`target/real`) | 1.7 MB | 4,000 | 94 % | 47 MiB | 75 MiB |
/// | real tweets (`target/real`) | 3.9 MB | 22,658 | 58 % | 52 MiB | 90 MiB |
///
/// Free text that people wrote each in their own words costs the most per byte (its
/// tokens, its TF-IDF rows, its meaning); answers given by many are held once
/// (`balanced`, `text::Csr::of`), and so are choices. How much of a file is such text is
/// judged from its first bytes ([`distinct_text_share`]), and its rows guessed from them
/// ([`rows_guess`]). The helper workers that build everyone's neighbour graph have memory
/// of their own.
pub const MEMORY_PER_BYTE: u64 = 2;
/// Peak memory of an analysis per byte of distinct free text, beside [`MEMORY_PER_BYTE`].
pub const MEMORY_PER_TEXT_BYTE: u64 = 4;
/// Peak memory of an analysis per row, beside [`MEMORY_PER_BYTE`].
pub const MEMORY_PER_ROW: u64 = 500;
/// A start with no line break says nothing of rows or text: the file is then taken at this
/// many bytes of memory per CSV byte in all.
const MEMORY_PER_BYTE_UNKNOWN: u64 = 9;
/// What a browser tab can be expected to give one WebAssembly worker: 3 GiB of its 4 GiB
/// address space (Chromium, Firefox and Safari allow 4 GiB on desktop), which the million-row
/// export above needed; it was 2 GiB, which turned that export away. A machine that cannot
/// give as much stops the worker, and the page says so and keeps the files
/// (`tests/e2e/worker_crash.test.mjs`).
pub const TAB_MEMORY: u64 = 3 << 30;

/// Bytes read from the start of a file to guess its rows ([`rows_guess`]).
pub const HEAD_BYTES: usize = 1 << 20;

/// A file about to be read: its name, its size in bytes, about how many rows it holds and
/// how many of its bytes are free text given once.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    /// The file's name.
    pub name: String,
    /// Its size.
    pub bytes: u64,
    /// Its rows, guessed ([`rows_guess`]) or counted.
    pub rows: u64,
    /// Its bytes of free text that no one else gave ([`distinct_text_share`]).
    pub text: u64,
}

impl Incoming {
    /// A file of `size` bytes, judged from its first bytes `head`.
    pub fn of(name: String, head: &[u8], size: u64) -> Incoming {
        Incoming {
            name,
            bytes: size,
            rows: rows_guess(head, size),
            text: (distinct_text_share(head) * size as f64).ceil() as u64,
        }
    }
}

/// The share of a file's bytes in free-text answers that no one else gave, judged from its
/// first bytes `head`: cells of at least [`TEXT_CELL_BYTES`] with a space in them, given
/// once in the head. On the first megabyte of 300,000 reviews, each written by one person,
/// it is 0.92; of the generator's export, whose answers are a few thousand wordings, 0.03;
/// of a telco export, of amounts, and of hotel bookings, 0. A head with no line break or
/// with NUL bytes (UTF-16, or not text) says nothing, and is taken at 1.
pub fn distinct_text_share(head: &[u8]) -> f64 {
    let ends = |b: &u8| *b == b'\n' || *b == b'\r';
    let Some(last) = head.iter().rposition(ends) else {
        return 1.0;
    };
    if head.contains(&0) {
        return 1.0;
    }
    let lines = String::from_utf8_lossy(head.get(..last).unwrap_or_default());
    let delimiter = dialect::sniff_delimiter(&lines, true);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(lines.as_bytes());
    let mut texts: HashMap<Vec<u8>, bool, foldhash::fast::RandomState> = HashMap::default();
    let (mut all, mut record) = (0usize, csv::ByteRecord::new());
    while let Ok(true) = reader.read_byte_record(&mut record) {
        for cell in &record {
            all += cell.len() + 1;
            if cell.len() >= TEXT_CELL_BYTES && cell.contains(&b' ') {
                texts
                    .entry(cell.to_vec())
                    .and_modify(|once| *once = false)
                    .or_insert(true);
            }
        }
    }
    let once: usize = texts
        .iter()
        .filter(|&(_, &once)| once)
        .map(|(t, _)| t.len() + 1)
        .sum();
    if all == 0 {
        1.0
    } else {
        once as f64 / all as f64
    }
}

/// The fewest bytes a free-text answer is taken to have ([`distinct_text_share`]): shorter
/// cells with a space are names, places and choices ("New York", "Month-to-month").
const TEXT_CELL_BYTES: usize = 20;

/// About how many rows a file of `size` bytes holds, from its first bytes `head`: its whole
/// lines so far (ended by a line feed, or by a lone carriage return as in old Mac exports),
/// scaled to the file. Line breaks inside quoted cells and the header count as rows, which can
/// only make the estimate larger. A start with no line break at all says nothing: the file
/// is then taken at 9 bytes of memory per CSV byte in all (with its text share taken at 1).
pub fn rows_guess(head: &[u8], size: u64) -> u64 {
    let ends = |i: usize, b: u8| b == b'\n' || (b == b'\r' && head.get(i + 1) != Some(&b'\n'));
    let lines = head
        .iter()
        .enumerate()
        .filter(|&(i, &b)| ends(i, b))
        .count() as u64;
    if head.len() as u64 >= size {
        return lines + u64::from(head.last().is_some_and(|&b| b != b'\n' && b != b'\r'));
    }
    match head.iter().enumerate().rposition(|(i, &b)| ends(i, b)) {
        Some(last) => (size as f64 * lines as f64 / (last + 1) as f64).ceil() as u64,
        None => {
            size.saturating_mul(MEMORY_PER_BYTE_UNKNOWN - MEMORY_PER_BYTE - MEMORY_PER_TEXT_BYTE)
                / MEMORY_PER_ROW
        }
    }
}

/// Checks, before reading, that these files can be analysed in a browser tab. The error
/// names the files, the estimate, and what works instead.
pub fn fits_in_a_tab(files: &[Incoming]) -> Result<(), String> {
    let total: u64 = files.iter().map(|f| f.bytes).sum();
    let rows: u64 = files.iter().map(|f| f.rows).sum();
    let text: u64 = files.iter().map(|f| f.text.min(f.bytes)).sum();
    let fixed: u64 = 64 << 20;
    let need = total
        .saturating_mul(MEMORY_PER_BYTE)
        .saturating_add(text.saturating_mul(MEMORY_PER_TEXT_BYTE))
        .saturating_add(rows.saturating_mul(MEMORY_PER_ROW))
        .saturating_add(fixed);
    if need <= TAB_MEMORY {
        return Ok(());
    }
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    let size = |b: u64, in_gb: bool| {
        if in_gb && b >= 1 << 30 {
            format!("{:.1} GB", b as f64 / (1u64 << 30) as f64)
        } else {
            format!("{} MB", b.div_ceil(1 << 20))
        }
    };
    // Just over the limit, gigabytes would read "2.0 GB … (about 2.0 GB)".
    let in_gb = size(need, true) != size(TAB_MEMORY, true);
    // The sample that fits: the same bytes per row, as many rows as the room allows.
    let per_row = (MEMORY_PER_BYTE as f64 * total as f64
        + MEMORY_PER_TEXT_BYTE as f64 * text as f64)
        / rows.max(1) as f64
        + MEMORY_PER_ROW as f64;
    // Rounded down to two figures: "at most 6,100,000 rows", not 6,160,383.
    let most = ((TAB_MEMORY - fixed) as f64 / per_row) as u64;
    let step = 10u64.pow((most.max(1).ilog10()).saturating_sub(1));
    let sample_rows = most / step * step;
    let sample_bytes = (sample_rows as f64 * total as f64 / rows.max(1) as f64) as u64;
    Err(format!(
        "{}: {} of CSV (about {} rows) needs about {} of memory to analyse, more than a \
         browser tab can hold (about {}). Use the command-line tool, which has no such limit \
         (edgewise segment FILE.csv --out segments.csv), or drop a sample of the export of at \
         most {} rows (about {} MB)",
        names.join(" + "),
        size(total, true),
        super::profile::fmt_number(rows as f64),
        size(need, in_gb),
        size(TAB_MEMORY, in_gb),
        super::profile::fmt_number(sample_rows as f64),
        sample_bytes >> 20
    ))
}

/// How a file was read: what was detected and what the user chose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dialect {
    /// Encoding name, e.g. `UTF-8`, `UTF-16LE`, `windows-1252`.
    pub encoding: String,
    /// How the encoding was chosen, in words.
    pub encoding_source: String,
    /// The file began with a byte-order mark.
    pub bom: bool,
    /// Field delimiter.
    pub delimiter: u8,
    /// Whether the first row is a header.
    pub has_header: bool,
    /// Header rows above the data: 1, or 2–3 under a survey tool's own header rows
    /// (`SurveyHeader`); 0 without a header.
    #[serde(default = "one")]
    pub header_rows: usize,
    /// Decimal separator.
    pub decimal: Decimal,
    /// Line ending style.
    pub line_ending: LineEnding,
}

fn one() -> usize {
    1
}

impl Dialect {
    /// The spreadsheet row of the first row of data (2 under a single header row).
    pub fn first_row(&self) -> usize {
        self.header_rows + 1
    }

    /// The delimiter as a word for the screen ("comma", "tab").
    pub fn delimiter_name(&self) -> String {
        match self.delimiter {
            b',' => "comma".into(),
            b';' => "semicolon".into(),
            b'\t' => "tab".into(),
            b'|' => "pipe".into(),
            other => format!("“{}”", other as char),
        }
    }
}

/// A file that was read: the table, how it was read, and what was noticed.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The file's name.
    pub file: String,
    /// How it was read.
    pub dialect: Dialect,
    /// The data.
    pub table: Table,
    /// What was noticed and done, for the user to see.
    pub diagnostics: Vec<Diagnostic>,
    /// Size of the file in bytes.
    pub n_bytes: u64,
    /// SHA-256 of the file's bytes (lower-case hex), for the receipt.
    pub sha256: String,
}

/// Whole-file failures. Each message names the file and says what to try.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum IngestError {
    /// Zero bytes.
    #[error("{file} is empty")]
    Empty {
        /// The file's name.
        file: String,
    },
    /// Not a text file.
    #[error("{file} is not a CSV text file{}: {help}", kind.as_ref().map(|k| format!(" (it looks like {k})")).unwrap_or_default())]
    NotText {
        /// The file's name.
        file: String,
        /// What it looks like, if recognised.
        kind: Option<String>,
        /// What to do.
        help: String,
    },
    /// A header but no data.
    #[error("{file} has a header but no rows of data: export the file again with its rows")]
    NoRows {
        /// The file's name.
        file: String,
    },
    /// The user asked for an encoding that does not exist.
    #[error(
        "{file}: \"{label}\" is not an encoding Edgewise knows; try utf-8, utf-16le or windows-1252"
    )]
    UnknownEncoding {
        /// The file's name.
        file: String,
        /// The label given.
        label: String,
    },
}

/// The SHA-256 of a file fed in chunks, which names it in the receipt and the report.
#[derive(Default, Clone)]
pub struct FileHash(sha2::Sha256);

impl FileHash {
    /// Feeds the next chunk.
    pub fn update(&mut self, chunk: &[u8]) {
        // In pieces: the hash's block function then runs optimised in WebAssembly after a
        // few calls, where one call over a whole chunk ran in V8's baseline tier throughout.
        for piece in chunk.chunks(HASH_PIECE) {
            sha2::Digest::update(&mut self.0, piece);
        }
    }

    /// The digest in lower-case hex, as `sha256sum` prints it.
    pub fn hex(self) -> String {
        sha2::Digest::finalize(self.0)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Reads one file from chunks of bytes.
pub struct Reader {
    file: String,
    params: IngestParams,
    n_bytes: u64,
    /// `None` when the file is read without hashing ([`Reader::without_hash`]).
    hash: Option<FileHash>,
    stage: Stage,
    diagnostics: Diagnostics,
}

enum Stage {
    Sniffing { raw: Vec<u8> },
    Reading(Box<Parsing>),
}

struct Parsing {
    encoding: EncodingChoice,
    sniffed: dialect::Sniffed,
    decoder: TextDecoder,
    text: String,
    csv: csv_core::Reader,
    field_bytes: Vec<u8>,
    field_len: usize,
    ends: Vec<usize>,
    ends_len: usize,
    /// `csv_core`'s line count after the previous record, to count skipped blank lines.
    last_line: u64,
    records: RecordSink,
}

impl Reader {
    /// Starts reading the file called `file`.
    pub fn new(file: &str, params: IngestParams) -> Reader {
        Reader {
            file: file.to_string(),
            params,
            n_bytes: 0,
            hash: Some(FileHash::default()),
            stage: Stage::Sniffing { raw: Vec::new() },
            diagnostics: Diagnostics::new(file),
        }
    }

    /// Reads without hashing: [`Parsed::sha256`] is then empty, for a caller that hashes the
    /// file elsewhere (the page hashes large files on its second core) or needs no digest.
    pub fn without_hash(mut self) -> Reader {
        self.hash = None;
        self
    }

    /// Bytes consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.n_bytes
    }

    /// Feeds the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), IngestError> {
        self.n_bytes += chunk.len() as u64;
        if let Some(hash) = &mut self.hash {
            hash.update(chunk);
        }
        match &mut self.stage {
            Stage::Sniffing { raw } => {
                raw.extend_from_slice(chunk);
                if raw.len() >= SNIFF_BYTES {
                    let raw = std::mem::take(raw);
                    self.start(&raw, false)?;
                }
            }
            Stage::Reading(parsing) => parsing.feed(chunk, false, &mut self.diagnostics),
        }
        Ok(())
    }

    /// Ends the file and returns what was read.
    pub fn finish(mut self) -> Result<Parsed, IngestError> {
        if let Stage::Sniffing { raw } = &mut self.stage {
            let raw = std::mem::take(raw);
            if raw.is_empty() {
                return Err(IngestError::Empty { file: self.file });
            }
            self.start(&raw, true)?;
        } else if let Stage::Reading(parsing) = &mut self.stage {
            parsing.feed(&[], true, &mut self.diagnostics);
        }
        let Stage::Reading(parsing) = self.stage else {
            return Err(IngestError::Empty { file: self.file });
        };
        let Parsing {
            encoding,
            sniffed,
            decoder,
            records,
            ..
        } = *parsing;
        let mut diagnostics = self.diagnostics;
        if decoder.replacements > 0 {
            diagnostics.push(
                "invalid-bytes",
                Severity::Warning,
                None,
                None,
                || {
                    let n = decoder.replacements;
                    let what = if n == 1 { "character" } else { "characters" };
                    format!("{n} {what} could not be read as {} (shown as �)", encoding.encoding.name())
                },
                Some("if accented letters look wrong, choose the file's encoding (often windows-1252) and read it again"),
            );
        }
        let header_rows = records.header_rows();
        let table = records.finish(&mut diagnostics);
        if table.n_rows() == 0 {
            return Err(IngestError::NoRows { file: self.file });
        }
        let dialect = Dialect {
            encoding: encoding.encoding.name().to_string(),
            encoding_source: match encoding.source {
                EncodingSource::Bom => "byte-order mark",
                EncodingSource::NulPattern => "UTF-16 byte pattern",
                EncodingSource::ValidUtf8 => "valid UTF-8",
                EncodingSource::MostlyUtf8 => "UTF-8 with some invalid bytes",
                EncodingSource::Guessed => "guessed from the bytes",
                EncodingSource::UserChoice => "your choice",
            }
            .to_string(),
            bom: encoding.bom,
            delimiter: sniffed.delimiter,
            has_header: sniffed.has_header,
            header_rows,
            decimal: sniffed.decimal,
            line_ending: sniffed.line_ending,
        };
        Ok(Parsed {
            file: self.file,
            dialect,
            table,
            diagnostics: diagnostics.finish(),
            n_bytes: self.n_bytes,
            sha256: self.hash.map(FileHash::hex).unwrap_or_default(),
        })
    }

    /// Chooses encoding and dialect from the held-back sample, then parses it.
    fn start(&mut self, raw: &[u8], complete: bool) -> Result<(), IngestError> {
        if let Some(kind) = binary_kind(raw) {
            return Err(IngestError::NotText {
                file: self.file.clone(),
                kind: kind.0,
                help: kind.1.to_string(),
            });
        }
        let user_encoding = match &self.params.encoding {
            Some(label) => Some(encoding::encoding_for_label(label).ok_or_else(|| {
                IngestError::UnknownEncoding {
                    file: self.file.clone(),
                    label: label.clone(),
                }
            })?),
            None => None,
        };
        let choice = encoding::detect(raw, complete, user_encoding);
        let mut decoder = TextDecoder::new(choice);
        let mut text = String::new();
        decoder.decode(raw, complete, &mut text);
        if looks_binary(&text) {
            return Err(IngestError::NotText {
                file: self.file.clone(),
                kind: None,
                help: "open it in a spreadsheet and save it as CSV (UTF-8)".into(),
            });
        }
        let sniffed = dialect::sniff(
            &text,
            complete,
            self.params.delimiter,
            self.params.decimal,
            self.params.has_header,
        );
        self.diagnostics.info(
            "encoding",
            format!(
                "read as {} ({})",
                choice.encoding.name(),
                describe_source(choice.source)
            ),
        );
        let csv = csv_core::ReaderBuilder::new()
            .delimiter(sniffed.delimiter)
            .build();
        let mut parsing = Box::new(Parsing {
            encoding: choice,
            records: RecordSink::new(sniffed.has_header),
            sniffed,
            decoder,
            text: String::new(),
            csv,
            field_bytes: vec![0; 4096],
            field_len: 0,
            ends: vec![0; 64],
            ends_len: 0,
            last_line: 1,
        });
        parsing.parse_text(&text, complete, &mut self.diagnostics);
        self.stage = Stage::Reading(parsing);
        Ok(())
    }
}

fn describe_source(source: EncodingSource) -> &'static str {
    match source {
        EncodingSource::Bom => "it starts with a byte-order mark",
        EncodingSource::NulPattern => "its bytes have the UTF-16 pattern",
        EncodingSource::ValidUtf8 => "every byte is valid UTF-8",
        EncodingSource::MostlyUtf8 => "almost every byte is valid UTF-8",
        EncodingSource::Guessed => "guessed from its bytes; change it if accents look wrong",
        EncodingSource::UserChoice => "as you chose",
    }
}

/// Recognises files that are clearly not CSV text by their first bytes.
fn binary_kind(raw: &[u8]) -> Option<(Option<String>, &'static str)> {
    const SAVE_AS_CSV: &str = "open it in its program and save or export it as CSV (UTF-8)";
    let magic: &[(&[u8], &str)] = &[
        (
            b"PK\x03\x04",
            "an Excel workbook (.xlsx) or another zip archive",
        ),
        (b"\xD0\xCF\x11\xE0", "an old Excel workbook (.xls)"),
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"\x1F\x8B", "a gzip archive"),
        (b"SQLite format 3", "a SQLite database"),
    ];
    for (prefix, kind) in magic {
        if raw.starts_with(prefix) {
            return Some((Some((*kind).to_string()), SAVE_AS_CSV));
        }
    }
    None
}

/// Decoded text with many control characters is binary, whatever its name says.
fn looks_binary(text: &str) -> bool {
    let sample: Vec<char> = text.chars().take(8192).collect();
    if sample.is_empty() {
        return false;
    }
    let control = sample
        .iter()
        .filter(|&&c| (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{fffd}')
        .count();
    control * 10 > sample.len()
}

impl Parsing {
    fn feed(&mut self, chunk: &[u8], last: bool, diagnostics: &mut Diagnostics) {
        let mut text = std::mem::take(&mut self.text);
        text.clear();
        self.decoder.decode(chunk, last, &mut text);
        self.parse_text(&text, last, diagnostics);
        self.text = text;
    }

    /// Runs decoded text through the CSV state machine, sending each record to the sink.
    fn parse_text(&mut self, text: &str, last: bool, diagnostics: &mut Diagnostics) {
        use csv_core::ReadRecordResult::*;
        let mut input = text.as_bytes();
        loop {
            if input.is_empty() && !last {
                return;
            }
            let (result, n_in, n_out, n_ends) = self.csv.read_record(
                input,
                self.field_bytes
                    .get_mut(self.field_len..)
                    .unwrap_or_default(),
                self.ends.get_mut(self.ends_len..).unwrap_or_default(),
            );
            input = input.get(n_in..).unwrap_or_default();
            self.field_len += n_out;
            self.ends_len += n_ends;
            match result {
                InputEmpty => {
                    if !last {
                        return;
                    }
                }
                OutputFull => {
                    let len = self.field_bytes.len().max(1024) * 2;
                    self.field_bytes.resize(len, 0);
                }
                OutputEndsFull => {
                    let len = self.ends.len().max(16) * 2;
                    self.ends.resize(len, 0);
                }
                Record => {
                    let record = self.field_bytes.get(..self.field_len).unwrap_or_default();
                    let ends = self.ends.get(..self.ends_len).unwrap_or_default();
                    // csv_core skips blank lines silently; count them from the line numbers:
                    // a record spans one line plus the line breaks inside its quoted fields.
                    let line = self.csv.line();
                    let span = line.saturating_sub(self.last_line);
                    self.last_line = line;
                    // A record on one line (almost every one) has no line break inside and
                    // followed no blank line: its bytes need no scan.
                    let blanks = if span <= 1 {
                        0
                    } else {
                        let inside = record.iter().filter(|&&b| b == b'\n').count() as u64;
                        usize::try_from(span.saturating_sub(1 + inside)).unwrap_or(0)
                    };
                    self.records.push(record, ends, blanks, diagnostics);
                    self.field_len = 0;
                    self.ends_len = 0;
                }
                End => return,
            }
        }
    }
}

/// Receives records and builds the columns, applying the rules in the module doc.
struct RecordSink {
    expect_header: bool,
    header: Option<Vec<String>>,
    columns: Vec<ColumnBuilder>,
    /// Columns beyond the header, created for long rows.
    n_extra: usize,
    /// Spreadsheet row number of the next record.
    next_row: usize,
    blank_lines: usize,
    scratch: String,
    /// The first record under the header, held until the next one says whether it is one of
    /// a survey tool's own header rows ([`SurveyHeader`]); `None` once that is decided.
    held: Option<Held>,
    /// Whether the first records under the header were looked at yet.
    header_decided: bool,
    /// Header rows read (0 without a header).
    header_rows: usize,
}

/// A record held back: its spreadsheet row and its cells.
struct Held {
    row: usize,
    cells: Vec<String>,
}

impl RecordSink {
    fn new(expect_header: bool) -> Self {
        RecordSink {
            expect_header,
            header: None,
            columns: Vec::new(),
            n_extra: 0,
            next_row: 1,
            blank_lines: 0,
            scratch: String::new(),
            held: None,
            header_decided: !expect_header,
            header_rows: 0,
        }
    }

    /// Header rows above the data, once every record was pushed.
    fn header_rows(&self) -> usize {
        self.header_rows
    }

    /// Takes one record, which followed `blanks` skipped blank lines.
    fn push(
        &mut self,
        record: &[u8],
        ends: &[usize],
        blanks: usize,
        diagnostics: &mut Diagnostics,
    ) {
        // Rows are numbered as a spreadsheet shows the file: header = 1, blank lines count.
        self.blank_lines += blanks;
        self.next_row += blanks;
        let row = self.next_row;
        self.next_row += 1;
        let fields: Vec<&str> = field_slices(record, ends).collect();
        if fields.len() <= 1 && fields.first().is_none_or(|f| f.is_empty()) {
            self.blank_lines += 1;
            return;
        }
        if self.header.is_none() {
            let header: Vec<String> = if self.expect_header {
                fields
                    .iter()
                    .map(|f| f.trim().trim_start_matches('\u{feff}').replace('\0', ""))
                    .collect()
            } else {
                Vec::new()
            };
            let n = if self.expect_header {
                header.len()
            } else {
                fields.len()
            };
            self.header = Some(header);
            self.columns = (0..n.min(MAX_COLUMNS))
                .map(|_| ColumnBuilder::new("", 0))
                .collect();
            if n > MAX_COLUMNS {
                diagnostics.push(
                    "too-many-columns",
                    Severity::Warning,
                    Some(row),
                    None,
                    || format!("the file has {n} columns; only the first {MAX_COLUMNS} are read"),
                    Some("remove columns you do not need before exporting"),
                );
            }
            if self.expect_header {
                self.header_rows = 1;
                return;
            }
        }
        if !self.header_decided {
            let Some(held) = self.held.take() else {
                self.held = Some(Held {
                    row,
                    cells: fields.iter().map(|f| (*f).to_string()).collect(),
                });
                return;
            };
            self.header_decided = true;
            let first: Vec<&str> = held.cells.iter().map(String::as_str).collect();
            match self.read_survey_header(&first, Some(&fields), held.row, diagnostics) {
                // Both were header rows.
                Some(2) => return,
                Some(_) => {}
                None => self.push_fields(held.row, &first, diagnostics),
            }
        }
        self.push_fields(row, &fields, diagnostics);
    }

    /// Decides what the held first record under the header is, given the one after it
    /// (`second`, `None` at the end of the file): when they are a survey tool's own header
    /// rows, renames the columns, says so, and returns how many of the two were header rows.
    fn read_survey_header(
        &mut self,
        first: &[&str],
        second: Option<&[&str]>,
        row: usize,
        diagnostics: &mut Diagnostics,
    ) -> Option<usize> {
        let header = self.header.as_deref().unwrap_or_default();
        let found = SurveyHeader::under(header, first, second)?;
        let names = found.names(header, first);
        let (rows, what) = match found {
            SurveyHeader::QualtricsImportIds => (
                1,
                format!("row {row} holds Qualtrics' import ids, not answers; it was left out"),
            ),
            SurveyHeader::Qualtrics => (
                2,
                format!(
                    "rows {row} and {} are Qualtrics' question texts and import ids, not answers; the question texts name the columns",
                    row + 1
                ),
            ),
            SurveyHeader::SurveyMonkey => (
                1,
                format!(
                    "row {row} is SurveyMonkey's second header row (each question's options and grid rows), not answers; each column is named by its question and option"
                ),
            ),
            SurveyHeader::ToolColumns => (
                1,
                format!(
                    "row {row} is a second header row (the survey tool's names of its columns), not answers; it names the columns"
                ),
            ),
        };
        diagnostics.info("survey-header", what);
        self.header = Some(names);
        self.header_rows += rows;
        Some(rows)
    }

    /// Puts one record's cells into the columns.
    fn push_fields(&mut self, row: usize, fields: &[&str], diagnostics: &mut Diagnostics) {
        let n_header = self.columns.len() - self.n_extra;
        let n_rows_before = self.columns.first().map_or(0, ColumnBuilder::len);
        if fields.len() < n_header {
            diagnostics.push(
                "ragged-short",
                Severity::Warning,
                Some(row),
                None,
                || format!("row has {} fields where the header has {n_header}; the missing cells are left empty", fields.len()),
                Some("a field may contain an unquoted line break or the export was cut short"),
            );
        } else if fields.len() > n_header {
            let extras = fields.get(n_header..).unwrap_or_default();
            if extras.iter().all(|f| f.trim().is_empty()) {
                diagnostics.push(
                    "trailing-empty",
                    Severity::Info,
                    Some(row),
                    None,
                    || "row ends with empty fields beyond the header (trailing delimiters); they were ignored".into(),
                    None,
                );
            } else {
                let wanted = (fields.len() - n_header).min(MAX_COLUMNS.saturating_sub(n_header));
                while self.n_extra < wanted {
                    self.n_extra += 1;
                    let mut col = ColumnBuilder::new("", n_rows_before);
                    col.rename(format!("Extra {}", self.n_extra));
                    self.columns.push(col);
                }
                diagnostics.push(
                    "ragged-long",
                    Severity::Warning,
                    Some(row),
                    None,
                    || format!("row has {} fields where the header has {n_header}; the extra values are kept in columns “Extra 1”, …", fields.len()),
                    Some("a field may contain an unquoted delimiter; quote it, or choose another delimiter"),
                );
            }
        }
        let header = self.header.as_deref().unwrap_or_default();
        let column_name = |idx: usize| {
            header
                .get(idx)
                .map(String::as_str)
                .filter(|n| !n.is_empty())
        };
        // NUL bytes are looked for once per record; almost no record has one.
        let nul_in_record = fields.iter().any(|f| f.contains('\0'));
        for (idx, col) in self.columns.iter_mut().enumerate() {
            let field = fields.get(idx).copied().unwrap_or("");
            // A cell shorter than the threshold cannot hold that many lines: skip the scan.
            let lines = if field.len() >= SWALLOWED_LINES {
                field.matches('\n').count()
            } else {
                0
            };
            if lines >= SWALLOWED_LINES {
                diagnostics.push(
                    "swallowed-lines",
                    Severity::Warning,
                    Some(row),
                    column_name(idx),
                    || format!("one cell holds {} lines: a quote that opens here seems never to close, so the lines after it were read into this cell", lines + 1),
                    Some("fix the stray quote mark in this row (or export the file again) and drop it again"),
                );
            }
            if nul_in_record && field.contains('\0') {
                self.scratch.clear();
                self.scratch.extend(field.chars().filter(|&c| c != '\0'));
                col.push(&self.scratch);
                diagnostics.push(
                    "nul",
                    Severity::Warning,
                    Some(row),
                    column_name(idx),
                    || "cell contains NUL bytes; they were removed".into(),
                    Some("the file may be UTF-16; choose that encoding if the text looks wrong"),
                );
            } else {
                col.push(field);
            }
        }
    }

    fn finish(mut self, diagnostics: &mut Diagnostics) -> Table {
        if let Some(held) = self.held.take() {
            let first: Vec<&str> = held.cells.iter().map(String::as_str).collect();
            if self
                .read_survey_header(&first, None, held.row, diagnostics)
                .is_none()
            {
                self.push_fields(held.row, &first, diagnostics);
            }
        }
        if self.blank_lines > 0 {
            let n = self.blank_lines;
            diagnostics.info(
                "blank-lines",
                format!(
                    "{n} blank line{} skipped",
                    if n == 1 { " was" } else { "s were" }
                ),
            );
        }
        let header = self.header.take().unwrap_or_default();
        let n_header = self.columns.len() - self.n_extra;
        // A last column with no header name and no values comes from a trailing delimiter.
        if n_header > 1
            && header.get(n_header - 1).is_none_or(|h| h.is_empty())
            && self
                .columns
                .get(n_header - 1)
                .is_some_and(ColumnBuilder::is_all_empty)
        {
            self.columns.remove(n_header - 1);
            diagnostics.info(
                "trailing-delimiter",
                "every line ends with a delimiter; the empty last column was dropped".into(),
            );
        }
        name_columns(self.columns, &header, diagnostics, self.expect_header)
    }
}

/// Gives every column a unique, non-empty name and freezes the table.
fn name_columns(
    columns: Vec<ColumnBuilder>,
    header: &[String],
    diagnostics: &mut Diagnostics,
    had_header: bool,
) -> Table {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut finished = Vec::with_capacity(columns.len());
    for (idx, mut col) in columns.into_iter().enumerate() {
        let mut name = if col.name().is_empty() {
            header.get(idx).cloned().unwrap_or_default()
        } else {
            col.name().to_string()
        };
        if name.is_empty() {
            name = format!("Column {}", idx + 1);
            if had_header {
                let shown = name.clone();
                diagnostics.push(
                    "empty-header",
                    Severity::Info,
                    Some(1),
                    Some(&shown),
                    || format!("column {} has no header; it is called “{shown}”", idx + 1),
                    None,
                );
            }
        }
        let base = name.clone();
        let mut k = 1;
        while seen.contains_key(&name) {
            k += 1;
            name = format!("{base} ({k})");
        }
        if k > 1 {
            let shown = name.clone();
            diagnostics.push(
                "duplicate-header",
                Severity::Info,
                Some(1),
                Some(&shown),
                || {
                    format!(
                        "the header “{base}” appears more than once; this one is called “{shown}”"
                    )
                },
                None,
            );
        }
        seen.insert(name.clone(), idx);
        col.rename(name);
        finished.push(col.finish());
    }
    Table::new(finished)
}

/// A survey tool's own header rows under the first. Qualtrics writes three: short ids ("Q1",
/// "Q3_2"), then each question's text ("How important … - get my delivery on time"), then a
/// JSON import id per column (`{"ImportId":"QID3_2"}`). SurveyMonkey writes two: each
/// question over the first of its columns (the others left blank), then each column's
/// option or grid row, or "Response" / "Open-Ended Response" under a question of one column.
/// Read as answers, these rows were people who answered every question with its own text,
/// and the columns were called "Q3_2" and "Column 13".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SurveyHeader {
    /// Qualtrics: the question texts, then the import ids.
    Qualtrics,
    /// Qualtrics' import ids alone under the header.
    QualtricsImportIds,
    /// SurveyMonkey: each column's option or grid row under its question.
    SurveyMonkey,
    /// The survey tool's own names of its columns ("Start Date", "Response ID", "IP
    /// Address"), as Qualtrics' legacy exports put under "V1", "V2", ….
    ToolColumns,
}

/// What SurveyMonkey writes under a question that takes a single column.
const ONE_COLUMN_ANSWERS: &[&str] = &["response", "open-ended response"];

impl SurveyHeader {
    /// Which header rows `first` (and `second`, the record after it) are, if any.
    fn under(header: &[String], first: &[&str], second: Option<&[&str]>) -> Option<SurveyHeader> {
        if import_ids(first) {
            return Some(SurveyHeader::QualtricsImportIds);
        }
        if second.is_some_and(import_ids) {
            return Some(SurveyHeader::Qualtrics);
        }
        let single = first
            .iter()
            .filter(|f| ONE_COLUMN_ANSWERS.contains(&f.trim().to_lowercase().as_str()))
            .count();
        let under_a_blank = first.iter().enumerate().any(|(i, f)| {
            !f.trim().is_empty() && header.get(i).is_none_or(|h| h.trim().is_empty())
        });
        if single >= 2 || (single == 1 && under_a_blank) {
            return Some(SurveyHeader::SurveyMonkey);
        }
        let tool_names = first
            .iter()
            .filter(|f| super::schema::roles::is_survey_tool_header(f))
            .count();
        let tool_headers = header
            .iter()
            .filter(|h| super::schema::roles::is_survey_tool_header(h))
            .count();
        (tool_names >= 3 && tool_headers < tool_names).then_some(SurveyHeader::ToolColumns)
    }

    /// The columns' names: the question texts (Qualtrics), the tool's names (legacy), or
    /// each question with its option (SurveyMonkey), falling back on the first header row.
    fn names(self, header: &[String], first: &[&str]) -> Vec<String> {
        // A question's text may run over lines; a column's name is one line.
        let lines: Vec<String> = first
            .iter()
            .map(|f| f.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        let cell = |i: usize| lines.get(i).map_or("", String::as_str);
        match self {
            SurveyHeader::QualtricsImportIds => header.to_vec(),
            SurveyHeader::Qualtrics | SurveyHeader::ToolColumns => header
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let text = cell(i);
                    if text.is_empty() {
                        h.clone()
                    } else {
                        text.to_string()
                    }
                })
                .collect(),
            SurveyHeader::SurveyMonkey => {
                let mut question = String::new();
                header
                    .iter()
                    .enumerate()
                    .map(|(i, h)| {
                        let option = cell(i);
                        if !h.trim().is_empty() {
                            question = h.trim().to_string();
                        } else if option.is_empty() {
                            // A blank under a blank: not part of the question to its left.
                            question.clear();
                            return String::new();
                        }
                        let one_column =
                            ONE_COLUMN_ANSWERS.contains(&option.to_lowercase().as_str());
                        if option.is_empty() || one_column || option.eq_ignore_ascii_case(&question)
                        {
                            question.clone()
                        } else if question.is_empty() {
                            option.to_string()
                        } else {
                            format!("{question} — {option}")
                        }
                    })
                    .collect()
            }
        }
    }
}

/// A row of Qualtrics' import ids: most of its cells are JSON objects naming one.
fn import_ids(cells: &[&str]) -> bool {
    let filled = cells.iter().filter(|c| !c.trim().is_empty()).count();
    let ids = cells
        .iter()
        .filter(|c| {
            let c = c.trim_start();
            c.starts_with('{') && c.contains("\"ImportId\"")
        })
        .count();
    filled > 0 && ids * 5 >= filled * 4
}

/// Splits a csv_core record buffer into its fields.
fn field_slices<'a>(record: &'a [u8], ends: &'a [usize]) -> impl Iterator<Item = &'a str> + 'a {
    // csv_core only splits at ASCII bytes, so the fields of UTF-8 input are UTF-8: the record
    // is checked once, not field by field (a check per short field cost more than the bytes).
    let whole = std::str::from_utf8(record).ok();
    let mut start = 0;
    ends.iter().map(move |&end| {
        let field = match whole {
            Some(text) => text.get(start..end),
            None => std::str::from_utf8(record.get(start..end).unwrap_or_default()).ok(),
        };
        start = end;
        field.unwrap_or("\u{fffd}")
    })
}

/// Reads a whole file held in memory, in chunks as the worker would.
pub fn read_bytes(file: &str, bytes: &[u8], params: &IngestParams) -> Result<Parsed, IngestError> {
    let mut reader = Reader::new(file, params.clone());
    for chunk in bytes.chunks(1 << 20) {
        reader.push(chunk)?;
    }
    reader.finish()
}

#[cfg(test)]
mod tests;
