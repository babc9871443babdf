//! Diagnostics: what the engine noticed about a file and what it did about it.
//!
//! Messy data yields a result plus diagnostics, never an abort. Each diagnostic names the
//! file, the row (as a spreadsheet would number it: the header is row 1) and the column,
//! says what was found, what was done, and how to fix it when there is a fix.
//!
//! Repeated problems (say, 40,000 ragged rows) are folded into one diagnostic that counts
//! every occurrence and lists the first few rows, so nothing is dropped silently and the
//! list stays readable.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How much a diagnostic matters to the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    /// Something the engine decided that the user may want to know (the detected encoding).
    Info,
    /// Data was changed, padded or set aside; the result is still sound.
    Warning,
}

/// One thing the engine noticed, with where it happened and how often.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// The file's name as the user dropped it.
    pub file: String,
    /// The first spreadsheet row (1 = header) where it happened, if it is about rows.
    pub row: Option<usize>,
    /// The column's name, if it is about one column.
    pub column: Option<String>,
    /// How much it matters.
    pub severity: Severity,
    /// What was found and what was done, in one sentence.
    pub message: String,
    /// How to fix it, when the user can.
    pub help: Option<String>,
    /// How many times it happened (1 for a one-off).
    pub count: usize,
    /// The first few rows where it happened, for repeated problems.
    pub example_rows: Vec<usize>,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(row) = self.row {
            write!(f, ", row {row}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column \"{column}\"")?;
        }
        write!(f, ": {}", self.message)?;
        if self.count > 1 {
            write!(f, " ({} times", self.count)?;
            if self.example_rows.len() > 1 {
                let rows: Vec<String> = self.example_rows.iter().map(|r| r.to_string()).collect();
                write!(f, "; rows {}", rows.join(", "))?;
                if self.count > self.example_rows.len() {
                    write!(f, ", …")?;
                }
            }
            write!(f, ")")?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// How many example rows a folded diagnostic keeps.
const MAX_EXAMPLE_ROWS: usize = 5;

/// Collects diagnostics for one file, folding repeats of the same kind in the same column.
#[derive(Debug, Default)]
pub struct Diagnostics {
    file: String,
    folded: BTreeMap<(String, Option<String>), Diagnostic>,
    order: Vec<(String, Option<String>)>,
}

impl Diagnostics {
    /// Starts collecting for `file`.
    pub fn new(file: &str) -> Self {
        Diagnostics {
            file: file.to_string(),
            ..Default::default()
        }
    }

    /// Records one occurrence of `kind` (a stable key such as `"ragged-short"`) at `row` and
    /// `column`. The first occurrence's message and help are kept for the folded diagnostic.
    pub fn push(
        &mut self,
        kind: &str,
        severity: Severity,
        row: Option<usize>,
        column: Option<&str>,
        message: impl FnOnce() -> String,
        help: Option<&str>,
    ) {
        let key = (kind.to_string(), column.map(str::to_string));
        if let Some(existing) = self.folded.get_mut(&key) {
            existing.count += 1;
            if let Some(row) = row
                && existing.example_rows.len() < MAX_EXAMPLE_ROWS
            {
                existing.example_rows.push(row);
            }
            return;
        }
        self.order.push(key.clone());
        self.folded.insert(
            key,
            Diagnostic {
                file: self.file.clone(),
                row,
                column: column.map(str::to_string),
                severity,
                message: message(),
                help: help.map(str::to_string),
                count: 1,
                example_rows: row.into_iter().collect(),
            },
        );
    }

    /// Records a one-off note about the whole file.
    pub fn info(&mut self, kind: &str, message: String) {
        self.push(kind, Severity::Info, None, None, || message, None);
    }

    /// The diagnostics in the order they were first seen.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        self.order
            .iter()
            .filter_map(|key| self.folded.remove(key))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_fold_into_one_counted_diagnostic_with_example_rows() {
        let mut d = Diagnostics::new("crm.csv");
        for row in 2..10 {
            d.push(
                "short",
                Severity::Warning,
                Some(row),
                None,
                || "row has too few fields".into(),
                None,
            );
        }
        let all = d.finish();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].count, 8);
        assert_eq!(all[0].example_rows, vec![2, 3, 4, 5, 6]);
        assert_eq!(
            all[0].to_string(),
            "crm.csv, row 2: row has too few fields (8 times; rows 2, 3, 4, 5, 6, …)"
        );
    }
}
