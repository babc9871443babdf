//! The map of everyone: a 2-D projection of the clustering space.
//!
//! The first two principal components (see `linalg::pca`), fitted on at most 20,000 evenly
//! spaced people and applied to all. Principal components keep the widest spreads, so the
//! mass middle is laid out faithfully and far-away people stay far away; small segments may
//! overlap in two dimensions even when they are well apart in the full space, which the
//! screen says.

use super::linalg::Dense;

/// Map coordinates for each person (x, y), in the units of the clustering space.
pub fn layout(points: &Dense) -> Vec<[f32; 2]> {
    let n = points.rows;
    if n == 0 || points.cols == 0 {
        return vec![[0.0, 0.0]; n];
    }
    const FIT_ROWS: usize = 20_000;
    let sample_rows: Vec<usize> = if n <= FIT_ROWS {
        (0..n).collect()
    } else {
        (0..FIT_ROWS).map(|s| s * n / FIT_ROWS).collect()
    };
    let mut sample = Dense::zeros(sample_rows.len(), points.cols);
    for (s, &i) in sample_rows.iter().enumerate() {
        sample.row_mut(s).copy_from_slice(points.row(i));
    }
    let d = points.cols;
    let mut mean = vec![0.0; d];
    for s in 0..sample.rows {
        mean.iter_mut()
            .zip(sample.row(s))
            .for_each(|(m, v)| *m += v / sample.rows as f64);
    }
    let mut cov = Dense::zeros(d, d);
    let mut centred = vec![0.0; d];
    for s in 0..sample.rows {
        centred
            .iter_mut()
            .zip(sample.row(s))
            .zip(&mean)
            .for_each(|((c, v), m)| *c = v - m);
        for a in 0..d {
            for b in a..d {
                let v = cov.get(a, b) + centred[a] * centred[b];
                cov.set(a, b, v);
            }
        }
    }
    for a in 0..d {
        for b in a..d {
            let v = cov.get(a, b) / sample.rows as f64;
            cov.set(a, b, v);
            cov.set(b, a, v);
        }
    }
    let (_, axes) = super::linalg::symmetric_eigen(&cov);
    (0..n)
        .map(|i| {
            let row = points.row(i);
            let mut xy = [0.0f32; 2];
            for (c, out) in xy.iter_mut().enumerate() {
                if c < axes.rows {
                    let axis = axes.row(c);
                    *out = row
                        .iter()
                        .zip(&mean)
                        .zip(axis)
                        .map(|((v, m), a)| (v - m) * a)
                        .sum::<f64>() as f32;
                }
            }
            xy
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_far_point_stays_far_on_the_map() {
        let mut data = Vec::new();
        for i in 0..100 {
            data.extend_from_slice(&[(i % 10) as f64 * 0.1, (i / 10) as f64 * 0.1, 0.0]);
        }
        data.extend_from_slice(&[20.0, 0.0, 0.0]);
        let map = layout(&Dense {
            rows: 101,
            cols: 3,
            data,
        });
        let far = map[100];
        let typical = map[0];
        let dist = ((far[0] - typical[0]).powi(2) + (far[1] - typical[1]).powi(2)).sqrt();
        assert!(dist > 15.0, "{dist}");
    }
}
