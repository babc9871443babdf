//! Codes into a dictionary, one per row, as narrow as the dictionary allows.
//!
//! A table's column holds, for each row, the number of its cell's text in the column's
//! dictionary (`table`), and a book of balanced features each person's entry in it
//! (`balanced`). Most columns of an export have a few hundred distinct values at most (a
//! plan, a channel, a rating), so a byte per row holds them; a column of ids or free text
//! needs two or four. `Codes` starts at one byte and widens the whole vector once a code
//! needs it, at most twice per column: a million rows of 60 such columns take 60 MB,
//! not 240.

/// One code per row, one, two or four bytes each.
#[derive(Debug, Clone)]
pub enum Codes {
    /// Every code below 2⁸.
    Narrow(Vec<u8>),
    /// Every code below 2¹⁶.
    Mid(Vec<u16>),
    /// Any code.
    Wide(Vec<u32>),
}

impl Default for Codes {
    fn default() -> Self {
        Codes::Narrow(Vec::new())
    }
}

impl PartialEq for Codes {
    /// Equal when the codes are, whatever their width.
    fn eq(&self, other: &Codes) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl From<Vec<u32>> for Codes {
    /// The narrowest codes that hold `codes`.
    fn from(codes: Vec<u32>) -> Codes {
        let top = codes.iter().copied().max().unwrap_or(0) as usize;
        Codes::of(codes, top + 1)
    }
}

impl Codes {
    /// `n` zero codes.
    pub fn zeros(n: usize) -> Codes {
        Codes::Narrow(vec![0; n])
    }

    /// `codes`, narrowed to hold codes below `distinct` (codes beyond it are cut).
    pub fn of(codes: Vec<u32>, distinct: usize) -> Codes {
        if distinct <= 1 << 8 {
            Codes::Narrow(codes.into_iter().map(|c| c as u8).collect())
        } else if distinct <= 1 << 16 {
            Codes::Mid(codes.into_iter().map(|c| c as u16).collect())
        } else {
            Codes::Wide(codes)
        }
    }

    /// Row `i`'s code (`None` beyond the rows).
    #[inline]
    pub fn get(&self, i: usize) -> Option<u32> {
        match self {
            Codes::Narrow(c) => c.get(i).map(|&c| u32::from(c)),
            Codes::Mid(c) => c.get(i).map(|&c| u32::from(c)),
            Codes::Wide(c) => c.get(i).copied(),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Codes::Narrow(c) => c.len(),
            Codes::Mid(c) => c.len(),
            Codes::Wide(c) => c.len(),
        }
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every code in row order.
    pub fn iter(&self) -> Iter<'_> {
        match self {
            Codes::Narrow(c) => Iter::Narrow(c.iter()),
            Codes::Mid(c) => Iter::Mid(c.iter()),
            Codes::Wide(c) => Iter::Wide(c.iter()),
        }
    }

    /// Appends a code, widening every code once it needs it.
    pub fn push(&mut self, code: u32) {
        match self {
            Codes::Narrow(c) if code < 1 << 8 => c.push(code as u8),
            Codes::Mid(c) if code < 1 << 16 => c.push(code as u16),
            Codes::Wide(c) => c.push(code),
            _ => {
                self.widen_for(code);
                self.push(code);
            }
        }
    }

    /// Gives row `i` `code` (nothing beyond the rows), widening every code once it needs it.
    pub fn set(&mut self, i: usize, code: u32) {
        match self {
            Codes::Narrow(c) if code < 1 << 8 => {
                if let Some(c) = c.get_mut(i) {
                    *c = code as u8;
                }
            }
            Codes::Mid(c) if code < 1 << 16 => {
                if let Some(c) = c.get_mut(i) {
                    *c = code as u16;
                }
            }
            Codes::Wide(c) => {
                if let Some(c) = c.get_mut(i) {
                    *c = code;
                }
            }
            _ => {
                self.widen_for(code);
                self.set(i, code);
            }
        }
    }

    /// Bytes per code.
    pub fn width(&self) -> usize {
        match self {
            Codes::Narrow(_) => 1,
            Codes::Mid(_) => 2,
            Codes::Wide(_) => 4,
        }
    }

    /// Gives back the room grown past the last row.
    pub fn shrink_to_fit(&mut self) {
        match self {
            Codes::Narrow(c) => c.shrink_to_fit(),
            Codes::Mid(c) => c.shrink_to_fit(),
            Codes::Wide(c) => c.shrink_to_fit(),
        }
    }

    /// Heap bytes held by the codes.
    pub fn heap_bytes(&self) -> usize {
        self.len() * self.width()
    }

    /// Every code, four bytes each.
    pub fn to_vec(&self) -> Vec<u32> {
        self.iter().collect()
    }

    /// Widens every code so that `code` fits. Out of line: it runs at most twice per column.
    #[inline(never)]
    fn widen_for(&mut self, code: u32) {
        let wide = match std::mem::take(self) {
            Codes::Narrow(c) => c.into_iter().map(u32::from).collect(),
            Codes::Mid(c) => c.into_iter().map(u32::from).collect(),
            Codes::Wide(c) => c,
        };
        *self = Codes::of(wide, code as usize + 1);
    }
}

/// The codes of [`Codes::iter`].
#[derive(Debug, Clone)]
pub enum Iter<'a> {
    Narrow(std::slice::Iter<'a, u8>),
    Mid(std::slice::Iter<'a, u16>),
    Wide(std::slice::Iter<'a, u32>),
}

impl Iterator for Iter<'_> {
    type Item = u32;

    #[inline]
    fn next(&mut self) -> Option<u32> {
        match self {
            Iter::Narrow(c) => c.next().map(|&c| u32::from(c)),
            Iter::Mid(c) => c.next().map(|&c| u32::from(c)),
            Iter::Wide(c) => c.next().copied(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::Narrow(c) => c.size_hint(),
            Iter::Mid(c) => c.size_hint(),
            Iter::Wide(c) => c.size_hint(),
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Codes {
    type Item = u32;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_widen_as_they_grow_and_read_back_the_same() {
        let mut codes = Codes::default();
        let wanted: Vec<u32> = (0..70_000u32).map(|i| (i * 7919) % (i + 1)).collect();
        let mut top = 0;
        for &c in &wanted {
            codes.push(c);
            top = top.max(c);
            let width = if top < 1 << 8 {
                1
            } else if top < 1 << 16 {
                2
            } else {
                4
            };
            assert_eq!(codes.width(), width, "after {c}");
        }
        assert_eq!(codes.to_vec(), wanted);
        assert_eq!(codes.iter().len(), wanted.len());
        assert_eq!(codes.get(wanted.len()), None);
        assert_eq!(codes, Codes::from(wanted.clone()));

        let mut set = Codes::zeros(4);
        set.set(1, 9);
        assert_eq!(set.width(), 1);
        set.set(2, 300);
        assert_eq!(set.width(), 2);
        set.set(3, 1 << 20);
        set.set(9, 5); // beyond the rows: nothing
        assert_eq!(set.width(), 4);
        assert_eq!(set.to_vec(), vec![0, 9, 300, 1 << 20]);
        assert_eq!(Codes::from(vec![0, 255]).width(), 1);
        assert_eq!(Codes::from(vec![256]).width(), 2);
    }
}
