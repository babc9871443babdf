//! The compact columnar table every later stage reads.
//!
//! A 200 MB export must fit in a browser tab, so a table is never a `Vec<Vec<String>>`.
//! Each column interns its cells: every distinct text is stored once, and each row holds a
//! code into that column's dictionary, one byte where the column has at most 256 distinct
//! texts, two up to 65,536, four beyond ([`Codes`]). Typing a column then parses each distinct value
//! once, not once per row. The exact original text is kept, so an export writes back what
//! the user gave, leading zeros and all.
//!
//! Code 0 is always the empty string, so "missing" is a cheap comparison.

use super::codes::Codes;
use hashbrown::HashTable;
use std::hash::BuildHasher;

/// One column: a name, one code per row, and the dictionary the codes point into.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The header as shown to the user (made unique and non-empty by ingest).
    pub name: String,
    codes: Codes,
    values: Texts,
}

impl Column {
    /// The cell text at `row_idx`, or `""` past the end.
    pub fn get(&self, row_idx: usize) -> &str {
        self.codes
            .get(row_idx)
            .and_then(|code| self.values.get(code as usize))
            .unwrap_or("")
    }

    /// The dictionary code at `row_idx` (0 = empty).
    pub fn code(&self, row_idx: usize) -> u32 {
        self.codes.get(row_idx).unwrap_or(0)
    }

    /// All row codes, in row order.
    pub fn codes(&self) -> &Codes {
        &self.codes
    }

    /// The distinct texts; `values().get(0)` is `""`.
    pub fn values(&self) -> &Texts {
        &self.values
    }

    /// How many rows use each dictionary entry.
    pub fn counts(&self) -> Vec<usize> {
        let mut counts = vec![0usize; self.values.len()];
        for code in &self.codes {
            if let Some(c) = counts.get_mut(code as usize) {
                *c += 1;
            }
        }
        counts
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// True when the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Builds a column from cell texts (tests and joins).
    pub fn from_cells<'a>(name: &str, cells: impl IntoIterator<Item = &'a str>) -> Column {
        let mut builder = ColumnBuilder::new(name, 0);
        for cell in cells {
            builder.push(cell);
        }
        builder.finish()
    }

    /// A new column holding the cells of `self` picked by `rows` (`None` = an empty cell).
    pub fn gather(&self, name: &str, rows: &[Option<usize>]) -> Column {
        let mut builder = ColumnBuilder::new(name, 0);
        for row in rows {
            builder.push(row.map_or("", |r| self.get(r)));
        }
        builder.finish()
    }

    /// Approximate heap bytes held, for memory reporting.
    pub fn heap_bytes(&self) -> usize {
        self.codes.heap_bytes() + self.values.heap_bytes()
    }
}

/// A column's distinct texts, end to end in one string: a text costs its bytes and where it
/// ends. As boxed strings each cost a pointer, a length and an allocation of its own, which
/// for a million ids, a million e-mail addresses and a million amounts was more than the
/// texts themselves.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Texts {
    text: String,
    /// Where each text ends in `text`.
    ends: Vec<usize>,
}

impl Texts {
    /// Text `i` (`None` beyond the texts).
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = match i.checked_sub(1) {
            Some(before) => self.ends.get(before).copied().unwrap_or(0),
            None => 0,
        };
        self.text.get(start..end)
    }

    /// Number of texts.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Every text in order.
    pub fn iter(&self) -> TextsIter<'_> {
        TextsIter { texts: self, at: 0 }
    }

    /// Appends a text.
    pub fn push(&mut self, text: &str) {
        self.text.push_str(text);
        self.ends.push(self.text.len());
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * std::mem::size_of::<usize>()
    }
}

impl<'a> FromIterator<&'a str> for Texts {
    fn from_iter<I: IntoIterator<Item = &'a str>>(texts: I) -> Texts {
        let texts = texts.into_iter();
        let mut out = Texts {
            text: String::new(),
            ends: Vec::with_capacity(texts.size_hint().0),
        };
        for t in texts {
            out.push(t);
        }
        out.text.shrink_to_fit();
        out.ends.shrink_to_fit();
        out
    }
}

/// The texts of [`Texts::iter`].
#[derive(Debug, Clone)]
pub struct TextsIter<'a> {
    texts: &'a Texts,
    at: usize,
}

impl<'a> Iterator for TextsIter<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let t = self.texts.get(self.at)?;
        self.at += 1;
        Some(t)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.texts.len().saturating_sub(self.at);
        (left, Some(left))
    }
}

impl ExactSizeIterator for TextsIter<'_> {}

impl<'a> IntoIterator for &'a Texts {
    type Item = &'a str;
    type IntoIter = TextsIter<'a>;

    fn into_iter(self) -> TextsIter<'a> {
        self.iter()
    }
}

/// Builds one column row by row, interning as it goes.
#[derive(Debug)]
pub struct ColumnBuilder {
    name: String,
    codes: Codes,
    texts: Texts,
    /// Each distinct text's code, found by the text's hash (the texts are held once, in
    /// `texts`, not again as the keys of a map).
    index: HashTable<u32>,
    hasher: foldhash::fast::RandomState,
}

impl ColumnBuilder {
    /// Starts a column whose first `n_missing` rows are empty (for columns that appear late).
    pub fn new(name: &str, n_missing: usize) -> Self {
        let hasher = foldhash::fast::RandomState::default();
        let mut index = HashTable::new();
        index.insert_unique(hasher.hash_one(""), 0, |_| 0);
        ColumnBuilder {
            name: name.to_string(),
            codes: Codes::zeros(n_missing),
            texts: Texts::from_iter([""]),
            index,
            hasher,
        }
    }

    /// Appends one cell.
    pub fn push(&mut self, cell: &str) {
        let hash = self.hasher.hash_one(cell);
        let texts = &self.texts;
        let code = match self
            .index
            .find(hash, |&code| texts.get(code as usize) == Some(cell))
        {
            Some(&code) => code,
            None => {
                // More than four billion distinct values cannot happen within a tab's memory;
                // saturate rather than wrap if it ever does.
                let code = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
                self.texts.push(cell);
                let (texts, hasher) = (&self.texts, &self.hasher);
                self.index.insert_unique(hash, code, |&code| {
                    hasher.hash_one(texts.get(code as usize).unwrap_or(""))
                });
                code
            }
        };
        self.codes.push(code);
    }

    /// Number of rows so far.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// True before the first row.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// True when every cell so far is empty.
    pub fn is_all_empty(&self) -> bool {
        self.texts.len() == 1
    }

    /// Renames the column (ingest fixes duplicate and empty headers at the end).
    pub fn rename(&mut self, name: String) {
        self.name = name;
    }

    /// The column's current name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Freezes the column: the room grown past the last row and the last text is given back.
    pub fn finish(mut self) -> Column {
        self.codes.shrink_to_fit();
        self.texts.text.shrink_to_fit();
        self.texts.ends.shrink_to_fit();
        Column {
            name: self.name,
            codes: self.codes,
            values: self.texts,
        }
    }
}

/// A table: equally long columns in the file's order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    columns: Vec<Column>,
    n_rows: usize,
}

impl Table {
    /// Makes a table; every column must have `n_rows` rows (shorter ones read as empty).
    pub fn new(columns: Vec<Column>) -> Table {
        let n_rows = columns.iter().map(Column::len).max().unwrap_or(0);
        Table { columns, n_rows }
    }

    /// Builds a table from header names and rows of cells (tests and small fixtures).
    pub fn from_rows(header: &[&str], rows: &[&[&str]]) -> Table {
        let columns = header
            .iter()
            .enumerate()
            .map(|(i, name)| {
                Column::from_cells(name, rows.iter().map(|r| r.get(i).copied().unwrap_or("")))
            })
            .collect();
        Table::new(columns)
    }

    /// Number of rows (people).
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// The columns in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column at `idx`.
    pub fn column(&self, idx: usize) -> Option<&Column> {
        self.columns.get(idx)
    }

    /// The index of the column called `name`.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// Consumes the table, giving back its columns.
    pub fn into_columns(self) -> Vec<Column> {
        self.columns
    }

    /// Approximate heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.columns.iter().map(Column::heap_bytes).sum()
    }

    /// Rows that repeat an earlier row in every cell, each with the first row it repeats, in
    /// row order. Each row's codes are hashed (column by column, reading each column's codes
    /// in order), the rows sorted by hash, and rows whose hashes meet compared cell by cell
    /// with the first of them: one pass over each column and one sort of the rows.
    pub fn repeated_rows(&self) -> Vec<(usize, usize)> {
        let n = self.n_rows;
        let mut hashes = vec![0xcbf2_9ce4_8422_2325u64; n];
        for c in &self.columns {
            let mut codes = c.codes.iter();
            for h in hashes.iter_mut() {
                let code = codes.next().unwrap_or(0);
                *h = (h.rotate_left(5) ^ u64::from(code)).wrapping_mul(0x0100_0000_01b3_9e37);
            }
        }
        let mut by_hash: Vec<(u64, usize)> = hashes.into_iter().zip(0..n).collect();
        by_hash.sort_unstable();
        let mut repeats = Vec::new();
        for run in by_hash.chunk_by(|a, b| a.0 == b.0) {
            // Rows within a run are in row order: the first is the one the others repeat. A
            // row whose hash only happens to meet it (vanishingly rare) is not reported.
            if let Some((&(_, first), rest)) = run.split_first() {
                repeats.extend(
                    rest.iter()
                        .filter(|&&(_, r)| self.same_row(r, first))
                        .map(|&(_, r)| (r, first)),
                );
            }
        }
        repeats.sort_unstable();
        repeats
    }

    /// Whether rows `a` and `b` hold the same cell in every column.
    fn same_row(&self, a: usize, b: usize) -> bool {
        self.columns.iter().all(|c| c.code(a) == c.code(b))
    }

    /// The first column that tells records apart: filled on at least nine in ten of the rows
    /// that repeat no earlier one, and different on each of them (an identifier, an email
    /// address, a timestamp to the second). Rows that repeat in every cell, that one included,
    /// are the same record again. `None` when no column does, as in a survey of choices without
    /// a response id, where people answer alike; and when most rows are repeats (a column of
    /// 17 counts over 300 rows differs on its 17 distinct rows, yet tells no records apart);
    /// and in a file of one column.
    pub fn key_column(&self, repeats: &[(usize, usize)]) -> Option<usize> {
        let mut repeat = vec![false; self.n_rows];
        for &(r, _) in repeats {
            if let Some(x) = repeat.get_mut(r) {
                *x = true;
            }
        }
        let kept = repeat.iter().filter(|&&x| !x).count();
        // A lone column tells no records apart: every row repeats itself in its one cell, so
        // two customers who spent the same would count as one.
        if self.columns.len() < 2 || kept < 10 || 2 * kept < self.n_rows {
            return None;
        }
        self.columns.iter().position(|c| {
            let mut seen = vec![false; c.values().len()];
            let (mut present, mut distinct) = (0, 0);
            for (row, code) in c.codes().iter().enumerate() {
                if repeat.get(row).copied().unwrap_or(true) || code == 0 {
                    continue;
                }
                present += 1;
                if let Some(s) = seen.get_mut(code as usize)
                    && !*s
                {
                    *s = true;
                    distinct += 1;
                }
            }
            10 * present >= 9 * kept && distinct == present
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_end_to_end_read_back_each_text() {
        let given = ["", "a", "", "été ☕", "zz"];
        let texts: Texts = given.iter().copied().collect();
        assert_eq!(texts.len(), given.len());
        assert_eq!(texts.iter().collect::<Vec<_>>(), given);
        assert_eq!(texts.iter().len(), given.len());
        for (i, t) in given.iter().enumerate() {
            assert_eq!(texts.get(i), Some(*t));
        }
        assert_eq!(texts.get(given.len()), None);
        let col = Column::from_cells("c", ["x", "", "y", "x"]);
        assert_eq!(col.values().iter().collect::<Vec<_>>(), ["", "x", "y"]);
        assert_eq!(
            (0..5).map(|r| col.get(r)).collect::<Vec<_>>(),
            ["x", "", "y", "x", ""]
        );
    }

    #[test]
    fn cells_are_interned_once_and_read_back_exactly() {
        let col = Column::from_cells("zip", ["02134", "", "02134", "10001"]);
        assert_eq!(col.values().len(), 3, "empty + two distinct zips");
        assert_eq!(col.get(0), "02134");
        assert_eq!(col.get(1), "");
        assert_eq!(col.code(1), 0);
        assert_eq!(col.get(99), "", "past the end reads as empty");
        assert_eq!(col.counts(), vec![1, 2, 1]);
    }

    #[test]
    fn rows_repeated_in_every_cell_are_found_with_the_row_they_repeat() {
        let t = Table::from_rows(
            &["id", "plan"],
            &[
                &["c1", "plus"],
                &["c2", "plus"],
                &["c1", "plus"],
                &["c1", "standard"],
                &["c2", "plus"],
                &["c1", "plus"],
            ],
        );
        assert_eq!(t.repeated_rows(), vec![(2, 0), (4, 1), (5, 0)]);
        // Twenty customers, the first six exported twice; one customer has no id.
        let ids: Vec<String> = (0..20).map(|i| format!("c{i}")).collect();
        let mut rows: Vec<[&str; 2]> = (0..20)
            .map(|i| {
                [
                    ["plus", "basic"][i % 2],
                    if i == 9 { "" } else { ids[i].as_str() },
                ]
            })
            .collect();
        let again = rows[..6].to_vec();
        rows.extend(again);
        let rows: Vec<&[&str]> = rows.iter().map(|r| &r[..]).collect();
        let keyed = Table::from_rows(&["plan", "id"], &rows);
        let repeats = keyed.repeated_rows();
        assert_eq!(repeats, (0..6).map(|i| (20 + i, i)).collect::<Vec<_>>());
        assert_eq!(keyed.key_column(&repeats), Some(1));
        // Among the rows that repeat nothing, the plan differs on none: no key without the id.
        let plans = Table::from_rows(&["plan"], &rows.iter().map(|r| &r[..1]).collect::<Vec<_>>());
        assert_eq!(plans.key_column(&plans.repeated_rows()), None);
        // A column of 17 counts over 300 rows differs on its 17 distinct rows, yet tells no
        // records apart: most rows are repeats.
        let counts: Vec<String> = (0..300).map(|i| (i % 17).to_string()).collect();
        let cells: Vec<[&str; 1]> = counts.iter().map(|c| [c.as_str()]).collect();
        let counts = Table::from_rows(
            &["Orders"],
            &cells.iter().map(|r| &r[..]).collect::<Vec<_>>(),
        );
        let repeats = counts.repeated_rows();
        assert_eq!(repeats.len(), 283);
        assert_eq!(counts.key_column(&repeats), None);
    }

    #[test]
    fn late_columns_are_backfilled_with_empty_cells() {
        let mut b = ColumnBuilder::new("Extra 1", 3);
        b.push("x");
        let col = b.finish();
        assert_eq!(
            (0..4).map(|r| col.get(r)).collect::<Vec<_>>(),
            vec!["", "", "", "x"]
        );
    }
}
