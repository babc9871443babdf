//! Ranking: which segments come first, and their ids.
//!
//! Segments are ordered by how distinctive they are — the distance of their centre from
//! everyone's in the balanced feature space ([`distinctiveness`]), weighted by stability — not
//! by size: the small segments at the edges are the point of Edgewise. Segments holding
//! [`MASS_SHARE`] of people or more form the *mass middle* and come last, largest first. Ties
//! go to the segment whose first member comes first in the file, so the order never depends
//! on how the clustering numbered its segments. Ids `S1`, `S2`, … follow this order
//! ([`segment_id`]).
//!
//! This decides the order only; `describe` portrays the segments and `edges` scores people.

use super::features::Features;
use super::linalg::Rows;

/// Share of people at or above which a segment belongs to the mass middle.
pub const MASS_SHARE: f64 = 0.10;

/// What ranking needs to know about one segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    /// Part of the mass middle (at least [`MASS_SHARE`] of people).
    pub mass: bool,
    /// Members.
    pub size: usize,
    /// Distance of its centre from everyone's ([`distinctiveness`]).
    pub distinctiveness: f64,
    /// Mean best Jaccard over resamples, if measured.
    pub stability: Option<f64>,
    /// Its first member's row, if it has any.
    pub first_member: Option<usize>,
}

/// ‖mean of the segment − mean of everyone‖ in the balanced features (whose total variance is 1),
/// for segments `0..k` of `labels`.
pub fn distinctiveness(features: &Features, labels: &[Option<usize>], k: usize) -> Vec<f64> {
    let x = &features.balanced;
    let mut sums = vec![vec![0.0; x.n_cols()]; k];
    let mut counts = vec![0usize; k];
    let mut all = vec![0.0; x.n_cols()];
    let mut row = vec![0.0; x.n_cols()];
    for (i, l) in labels.iter().enumerate() {
        x.read_row(i, &mut row);
        let row = row.as_slice();
        all.iter_mut().zip(row).for_each(|(a, v)| *a += v);
        if let Some(s) = l {
            counts[*s] += 1;
            sums[*s].iter_mut().zip(row).for_each(|(a, v)| *a += v);
        }
    }
    let n = labels.len().max(1) as f64;
    (0..k)
        .map(|s| {
            let cnt = counts[s].max(1) as f64;
            let d2: f64 = sums[s]
                .iter()
                .zip(&all)
                .map(|(a, b)| (a / cnt - b / n) * (a / cnt - b / n))
                .sum();
            libm::sqrt(d2)
        })
        .collect()
}

/// The display position of each segment: `order[label]` for the segments in `standings`
/// (indexed by clustering label). Edges first, the more distinctive (times
/// `0.5 + 0.5 × stability`) the earlier; then the mass middle, largest first.
pub fn display_order(standings: &[Standing]) -> Vec<usize> {
    let rank = |seg: &Standing| seg.distinctiveness * (0.5 + 0.5 * seg.stability.unwrap_or(1.0));
    let mut labels: Vec<usize> = (0..standings.len()).collect();
    labels.sort_by(|&sa, &sb| {
        let (a, b) = (&standings[sa], &standings[sb]);
        a.mass
            .cmp(&b.mass)
            .then_with(|| {
                if a.mass {
                    b.size.cmp(&a.size)
                } else {
                    rank(b).total_cmp(&rank(a))
                }
            })
            .then_with(|| a.first_member.cmp(&b.first_member))
    });
    let mut order = vec![0usize; standings.len()];
    for (display, label) in labels.into_iter().enumerate() {
        order[label] = display;
    }
    order
}

/// The id of the segment shown at `display` (from 0): `S1`, `S2`, …
pub fn segment_id(display: usize) -> String {
    format!("S{}", display + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(mass: bool, size: usize, distinctiveness: f64, first: usize) -> Standing {
        Standing {
            mass,
            size,
            distinctiveness,
            stability: None,
            first_member: Some(first),
        }
    }

    #[test]
    fn edges_come_first_most_distinctive_first_and_the_mass_middle_last_largest_first() {
        let order = display_order(&[
            standing(true, 300, 0.1, 0),
            standing(false, 20, 0.5, 1),
            standing(true, 500, 0.1, 2),
            standing(false, 30, 0.9, 3),
            standing(false, 25, 0.5, 4),
        ]);
        // Edges 3 (0.9), then 1 and 4 (0.5, tie broken by first member); mass 2 (500), 0 (300).
        assert_eq!(order, vec![4, 1, 3, 0, 2]);
        assert_eq!(segment_id(order[3]), "S1");
    }

    #[test]
    fn an_unstable_segment_ranks_below_an_equally_distinctive_stable_one() {
        let mut shaky = standing(false, 20, 0.8, 0);
        shaky.stability = Some(0.2);
        let mut firm = standing(false, 20, 0.8, 1);
        firm.stability = Some(1.0);
        assert_eq!(display_order(&[shaky, firm]), vec![1, 0]);
    }
}
