//! The balanced features, each column's distinct rows held once.
//!
//! Every column that forms segments becomes a group of features (`features`), and a group's
//! features are, for almost everyone, a function of the person's cell: a category's one-hot
//! vector, a rating's position, an answer's sentence vector. A shop export of a million
//! people has a few dozen plans, channels and ratings and a few thousand distinct answers, so
//! a matrix of a million rows (824 MB at the generator's 103 features in `f64`) holds the same
//! few thousand rows over and over. Here each group keeps its distinct rows once, in a
//! *book*, and each person the number of their row in it (one, two or four bytes, as few as
//! the book needs): dictionary encoding, as column stores do (Abadi, Madden & Ferreira 2006).
//! A group whose rows are mostly distinct (an amount spent, to the cent) keeps every
//! person's own values instead, whichever takes less room.
//!
//! Nothing is rounded or approximated: a person's row is always the very values the
//! features stage computed, bit for bit, so every result is the same as with one dense
//! matrix. A person's row joins a book entry only if it equals it bit for bit (people whose
//! features were imputed from their neighbours get entries of their own).
//!
//! Read through [`linalg::Rows`](super::linalg::Rows): a row at a time into a buffer, or
//! one value.
//!
//! # References
//! Abadi, D., Madden, S. & Ferreira, M. (2006). Integrating compression and execution in
//! column-oriented database systems. SIGMOD.

use super::codes::Codes;
use super::linalg::Rows;
use std::ops::Range;

/// The balanced features, one row per person, stored a group of columns at a time.
#[derive(Debug, Clone, Default)]
pub struct Balanced {
    rows: usize,
    cols: usize,
    parts: Vec<Part>,
    /// For each feature, its part and its place within the part.
    place: Vec<(u32, u32)>,
}

/// The features of one group, `len` wide from feature `start`.
#[derive(Debug, Clone)]
pub struct Part {
    start: usize,
    len: usize,
    store: Store,
}

#[derive(Debug, Clone)]
enum Store {
    /// Every person's own values, row by row (`rows × len`).
    Own(Vec<f64>),
    /// Each distinct row once (`entries × len`), and each person's entry.
    Book { codes: Codes, book: Vec<f64> },
}

impl Part {
    /// A group's features (`features[k][i]`: feature `k` of person `i`), each less its
    /// `means[k]`, placed from feature `start`. `key[i]` (the person's cell in the table) says
    /// whose rows are likely equal; rows are only shared when equal bit for bit.
    /// Every feature is as long as the first (shorter ones, and missing means, read as 0).
    pub fn centred(start: usize, features: &[Vec<f64>], means: &[f64], key: &Codes) -> Part {
        let len = features.len();
        let rows = features.first().map_or(0, Vec::len);
        let mut book = Book {
            len,
            entry_of_key: Vec::new(),
            values: Vec::new(),
            codes: Codes::default(),
            row: vec![0.0; len],
        };
        // Past this many entries even one-byte codes cannot make the book the smaller store.
        let most = rows - rows / (8 * len.max(1));
        for block in blocks(rows) {
            book.add(features, means, key, block);
            if book.values.len() / len.max(1) > most {
                // Nearly every row distinct (answers in free text, amounts to the cent):
                // each person's own values, written straight from the features.
                drop(book);
                let mut own = Vec::with_capacity(rows.saturating_mul(len));
                for block in blocks(rows) {
                    own_rows(features, means, block, &mut own);
                }
                return Part {
                    start,
                    len,
                    store: Store::Own(own),
                };
            }
        }
        Part {
            start,
            len,
            store: Store::Book {
                codes: book.codes,
                book: book.values,
            },
        }
        .tightest(rows)
    }

    /// Whichever store takes less room.
    fn tightest(self, rows: usize) -> Part {
        let Store::Book { codes, book } = &self.store else {
            return self;
        };
        // In 64 bits: a wasm32 `usize` would wrap past 4 GB.
        let (rows64, len64) = (rows as u64, self.len as u64);
        if codes.width() as u64 * rows64 + book.len() as u64 * 8 < rows64 * len64 * 8 {
            return self;
        }
        let mut own = Vec::with_capacity(rows.saturating_mul(self.len));
        for block in blocks(rows) {
            self.copy_rows(block, &mut own);
        }
        Part {
            store: Store::Own(own),
            ..self
        }
    }

    #[inline(never)]
    fn copy_rows(&self, rows: Range<usize>, out: &mut Vec<f64>) {
        for i in rows {
            out.extend_from_slice(self.row(i));
        }
    }

    /// Person `i`'s values (empty beyond the people).
    fn row(&self, i: usize) -> &[f64] {
        let (values, at) = match &self.store {
            Store::Own(v) => (v, Some(i)),
            Store::Book { codes, book } => (book, codes.get(i).map(|e| e as usize)),
        };
        at.and_then(|at| values.get(at * self.len..(at + 1) * self.len))
            .unwrap_or_default()
    }

    /// Gives person `i` the row `values` (an imputed row: an entry of its own).
    fn set_row(&mut self, i: usize, values: &[f64]) {
        let len = self.len;
        match &mut self.store {
            Store::Own(v) => {
                if let Some(slot) = v.get_mut(i * len..(i + 1) * len) {
                    slot.copy_from_slice(values);
                }
            }
            Store::Book { codes, book } => {
                let entry = book.len() / len.max(1);
                book.extend_from_slice(values);
                codes.set(i, entry as u32);
            }
        }
    }

    /// Every value times its feature's `scale` (indexed by feature).
    fn scale(&mut self, scale: &[f64]) {
        let s = scale
            .get(self.start..self.start + self.len)
            .unwrap_or_default();
        let values = match &mut self.store {
            Store::Own(v) => v,
            Store::Book { book, .. } => book,
        };
        for block in values.chunks_mut(self.len.max(1).saturating_mul(BLOCK)) {
            scale_rows(block, s);
        }
    }

    fn bytes(&self) -> usize {
        match &self.store {
            Store::Own(v) => v.len() * 8,
            Store::Book { codes, book } => book.len() * 8 + codes.width() * codes.len(),
        }
    }
}

/// `0..rows` in blocks of [`BLOCK`].
fn blocks(rows: usize) -> impl Iterator<Item = Range<usize>> {
    (0..rows)
        .step_by(BLOCK)
        .map(move |from| from..(from + BLOCK).min(rows))
}

/// Feature `k` of person `i`, less its mean (0 where either is missing).
fn centred(features: &[Vec<f64>], means: &[f64], k: usize, i: usize) -> f64 {
    let f = features
        .get(k)
        .and_then(|f| f.get(i))
        .copied()
        .unwrap_or(0.0);
    f - means.get(k).copied().unwrap_or(0.0)
}

#[inline(never)]
fn own_rows(features: &[Vec<f64>], means: &[f64], rows: Range<usize>, out: &mut Vec<f64>) {
    for i in rows {
        out.extend((0..features.len()).map(|k| centred(features, means, k, i)));
    }
}

#[inline(never)]
fn scale_rows(values: &mut [f64], scale: &[f64]) {
    for row in values.chunks_exact_mut(scale.len().max(1)) {
        row.iter_mut().zip(scale).for_each(|(v, s)| *v *= s);
    }
}

/// Rows interned per call of [`Book::add`]: WebAssembly in V8 optimises a function between
/// calls, never during one (ARCHITECTURE.md), so a million rows in one call would run in the
/// baseline tier.
const BLOCK: usize = 4096;

/// A book as it is written.
struct Book {
    len: usize,
    /// The first entry made for each key.
    entry_of_key: Vec<u32>,
    values: Vec<f64>,
    /// Each person's entry: one byte each while the book has at most 256.
    codes: Codes,
    row: Vec<f64>,
}

impl Book {
    #[inline(never)]
    fn add(&mut self, features: &[Vec<f64>], means: &[f64], key: &Codes, rows: Range<usize>) {
        let len = self.len;
        for i in rows {
            for (k, v) in self.row.iter_mut().enumerate() {
                *v = centred(features, means, k, i);
            }
            let k = key.get(i).map_or(usize::MAX, |k| k as usize);
            let known = self.entry_of_key.get(k).copied().filter(|&e| e != u32::MAX);
            let same = known.filter(|&e| {
                same_bits(
                    self.values
                        .get(e as usize * len..(e as usize + 1) * len)
                        .unwrap_or_default(),
                    &self.row,
                )
            });
            let entry = match same {
                Some(e) => e,
                None => {
                    let e = (self.values.len() / len.max(1)) as u32;
                    self.values.extend_from_slice(&self.row);
                    // Keys index the table's distinct cells, fewer than its rows.
                    if known.is_none() && k <= key.len() {
                        if self.entry_of_key.len() <= k {
                            self.entry_of_key.resize(k + 1, u32::MAX);
                        }
                        self.entry_of_key[k] = e;
                    }
                    e
                }
            };
            self.codes.push(entry);
        }
    }
}

fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

impl Balanced {
    /// No features yet, for `rows` people.
    pub fn new(rows: usize) -> Balanced {
        Balanced {
            rows,
            ..Balanced::default()
        }
    }

    /// Adds a group's part; its features follow the last ones.
    pub fn push(&mut self, part: Part) {
        debug_assert_eq!(part.start, self.cols);
        let p = self.parts.len() as u32;
        self.place.extend((0..part.len as u32).map(|o| (p, o)));
        self.cols += part.len;
        self.parts.push(part);
    }

    /// Gives person `i` the values `values` in the group of features from `start` (an
    /// imputed row); ignored unless a group starts there and `values` is as wide.
    pub fn set(&mut self, i: usize, start: usize, values: &[f64]) {
        let Some(&(p, 0)) = self.place.get(start) else {
            return;
        };
        if let Some(part) = self.parts.get_mut(p as usize)
            && part.len == values.len()
            && i < self.rows
        {
            part.set_row(i, values);
        }
    }

    /// Each group in whichever store takes less room (after rows were [`Balanced::set`]).
    pub fn tighten(&mut self) {
        let rows = self.rows;
        for part in &mut self.parts {
            let taken = std::mem::replace(
                part,
                Part {
                    start: 0,
                    len: 0,
                    store: Store::Own(Vec::new()),
                },
            );
            *part = taken.tightest(rows);
        }
    }

    /// Every feature times its `scale`.
    pub fn scale(&mut self, scale: &[f64]) {
        self.parts.iter_mut().for_each(|p| p.scale(scale));
    }

    /// The room the features take, in bytes (where one dense matrix of them would take
    /// `rows × cols × 8`).
    pub fn bytes(&self) -> usize {
        self.parts.iter().map(Part::bytes).sum()
    }

    /// The features as one dense matrix (for tests and small inputs).
    pub fn to_dense(&self) -> super::linalg::Dense {
        let mut out = super::linalg::Dense::zeros(self.rows, self.cols);
        for i in 0..self.rows {
            self.read_row(i, out.row_mut(i));
        }
        out
    }
}

impl Rows for Balanced {
    fn n_rows(&self) -> usize {
        self.rows
    }

    fn n_cols(&self) -> usize {
        self.cols
    }

    /// Out of line, called once per person: see [`BLOCK`].
    #[inline(never)]
    fn read_row(&self, i: usize, out: &mut [f64]) {
        for part in &self.parts {
            if let Some(slot) = out.get_mut(part.start..part.start + part.len) {
                let row = part.row(i);
                if row.len() == slot.len() {
                    slot.copy_from_slice(row);
                } else {
                    slot.fill(0.0);
                }
            }
        }
    }

    fn value(&self, i: usize, d: usize) -> f64 {
        self.place
            .get(d)
            .and_then(|&(p, o)| self.parts.get(p as usize)?.row(i).get(o as usize).copied())
            .unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part_of(start: usize, features: &[Vec<f64>], key: &[u32]) -> Part {
        Part::centred(
            start,
            features,
            &vec![0.0; features.len()],
            &Codes::from(key.to_vec()),
        )
    }

    /// A choice of `levels` one-hot over `n` people (person `i` takes `i % levels`), and
    /// each person's cell.
    fn choice(n: usize, levels: usize) -> (Vec<Vec<f64>>, Vec<u32>) {
        let features = (0..levels)
            .map(|k| {
                (0..n)
                    .map(|i| f64::from(u8::from(i % levels == k)))
                    .collect()
            })
            .collect();
        (features, (0..n).map(|i| (i % levels) as u32).collect())
    }

    #[test]
    fn rows_read_back_bit_for_bit_whichever_store_is_chosen() {
        let n = 1000;
        // A choice of three (shared), an amount with every value its own (own values),
        // and a choice whose key does not say who is alike (rows compared, not trusted).
        let (choice, choice_key) = choice(n, 3);
        let amount = vec![(0..n).map(|i| i as f64 * 0.37 + 0.1).collect::<Vec<f64>>()];
        let amount_key: Vec<u32> = (0..n as u32).collect();
        let lying = vec![(0..n).map(|i| (i % 7) as f64).collect::<Vec<f64>>()];
        let lying_key = vec![0u32; n];
        let mut b = Balanced::new(n);
        b.push(part_of(0, &choice, &choice_key));
        b.push(part_of(3, &amount, &amount_key));
        b.push(part_of(4, &lying, &lying_key));
        assert_eq!(b.n_cols(), 5);
        assert!(matches!(b.parts[0].store, Store::Book { .. }));
        assert!(matches!(b.parts[1].store, Store::Own(_)));
        let mut row = vec![0.0; 5];
        for i in 0..n {
            b.read_row(i, &mut row);
            let want = [
                choice[0][i],
                choice[1][i],
                choice[2][i],
                amount[0][i],
                lying[0][i],
            ];
            assert_eq!(row, want, "person {i}");
            for (d, w) in want.iter().enumerate() {
                assert_eq!(b.value(i, d).to_bits(), w.to_bits());
            }
        }
        // Beyond the people: zeros, whichever store.
        row.fill(7.0);
        b.read_row(n, &mut row);
        assert_eq!(row, [0.0; 5]);
        assert!((0..5).all(|d| b.value(n, d) == 0.0));
        // Three choice rows and a byte each, against 24 bytes per person dense.
        assert!(b.parts[0].bytes() < n * 2);
        assert!(b.bytes() < n * 5 * 8);
    }

    #[test]
    fn imputed_rows_are_their_own_and_scaling_reaches_every_store() {
        let n = 600;
        let (choice, key) = choice(n, 2);
        let amount = vec![(0..n).map(|i| i as f64).collect::<Vec<f64>>()];
        let amount_key: Vec<u32> = (0..n as u32).collect();
        let mut b = Balanced::new(n);
        b.push(part_of(0, &choice, &key));
        b.push(part_of(2, &amount, &amount_key));
        let mut want = b.to_dense();
        // Person 4 shares person 0's entry; imputing them must not move person 0.
        b.set(4, 0, &[0.25, 0.75]);
        b.set(5, 2, &[-1.5]);
        // Not a group's start, or not its width: nothing changes.
        b.set(6, 1, &[9.0]);
        b.set(6, 0, &[9.0]);
        want.set(4, 0, 0.25);
        want.set(4, 1, 0.75);
        want.set(5, 2, -1.5);
        assert_eq!(b.to_dense(), want);
        // Codes widen as the book grows past a byte's reach.
        for i in 0..300 {
            b.set(i, 0, &[i as f64, 1.0]);
            want.set(i, 0, i as f64);
            want.set(i, 1, 1.0);
        }
        assert_eq!(b.to_dense(), want);
        assert!(matches!(
            b.parts[0].store,
            Store::Book {
                codes: Codes::Mid(_),
                ..
            }
        ));
        b.tighten();
        assert_eq!(b.to_dense(), want);
        let scale = [2.0, 0.5, 3.0];
        b.scale(&scale);
        for i in 0..n {
            for (d, s) in scale.iter().enumerate() {
                want.set(i, d, want.get(i, d) * s);
            }
        }
        assert_eq!(b.to_dense(), want);
    }
}
