//! Step 8 of the module doc: how stable each segment is, as its mean best Jaccard overlap
//! with the segments found again on random subsamples of the sample (Hennig 2007).
//!
//! Hennig's resamples re-apply the whole method, so each resample segments its people as the
//! sample was segmented: from the size set, or the default size (scaled to the resample) moved
//! again by the sweep (`choose_min_cluster_size`), and the density neighbourhood set or
//! derived from that starting size.
//! With the sample's chosen size kept instead, a segment that depended on that choice showed
//! as reappearing reliably when another seed's run would not give it (BENCHMARKS.md, "The same
//! file, another seed or row order": real exports' shown stability moved closer to the
//! cross-seed reappearance; at 600 rows, where planted groups are 6–12 people, it moved
//! further, towards caution).
//!
//! Each resample is a self-contained [`ResampleJob`]: the sample's own rows of the points,
//! features and answers, and which of them the resample keeps, so that it can be run on
//! another core — in the browser, the helper worker takes one while this worker runs the
//! others — and the result is the same wherever it ran ([`ResampleJob::to_parts`]).
//!
//! # References
//! Hennig, C. (2007). Cluster-wise assessment of cluster stability. CSDA 52(1).

use super::super::features::{Block, Variable};
use super::super::linalg::Dense;
use super::centroid::fit_predict;
use super::merge::Respects;
use super::params::{ClusterParams, Method};
use super::{Latent, cluster_sample, rows, starting_size};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// People kept in each stability resample: 80 % of a small sample, but no more than needed
/// (half of a large sample, at least this many) — the resamples cost as much as the first run.
const STABILITY_SAMPLE: usize = 3000;

/// Which of the sample's people each resample keeps: positions in the sample, sorted, for
/// resamples `0..p.resamples` in order. `sample_len` people: 80 % of a small sample, but no
/// more than needed (half of a large sample, at least [`STABILITY_SAMPLE`]).
pub(super) fn plans(sample_len: usize, p: &ClusterParams) -> Vec<Vec<usize>> {
    let size = (sample_len * 4 / 5)
        .min((sample_len / 2).max(STABILITY_SAMPLE))
        .max(2);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(p.seed ^ 0x5eed);
    (0..p.resamples)
        .map(|_| {
            // Positions in the sample; it is sorted, so these sort as its people do.
            let mut kept: Vec<usize> = (0..sample_len).collect();
            kept.shuffle(&mut rng);
            kept.truncate(size);
            kept.sort_unstable();
            kept
        })
        .collect()
}

/// Resamples of the sample to segment again, with everything they need: the sample's rows of
/// the points, of the balanced features and of the latent variables (people are positions
/// in the sample), so that a job can cross to another worker.
#[derive(Debug, Clone, PartialEq)]
pub struct ResampleJob {
    /// The sample's points, one row per sample person.
    points: Dense,
    /// The sample's balanced features and each column's range of them, when segments must
    /// differ in several respects.
    respects: Option<(Dense, Vec<Range<usize>>)>,
    /// The sample's latent variables, their weights, and whether they are every column.
    latent: Option<(Vec<Variable>, Vec<f64>, bool)>,
    /// People in the whole file.
    n: usize,
    params: ClusterParams,
    /// The resamples: each one's number (which sets its seed) and the positions it keeps.
    plans: Vec<(usize, Vec<usize>)>,
}

/// One resample's segments: its number, the positions in the sample it kept and their labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Resample {
    /// Which resample (0-based): results are combined in this order.
    pub number: usize,
    /// Positions in the sample.
    pub kept: Vec<usize>,
    /// Each kept person's segment in the resample.
    pub labels: Vec<Option<usize>>,
}

impl Resample {
    /// Resamples as whole numbers, to post back from another worker: for each, its number,
    /// how many people it kept, their positions and their labels (`u32::MAX` for none).
    pub fn to_words(resamples: &[Resample]) -> Vec<u32> {
        let mut out = Vec::new();
        for r in resamples {
            out.push(r.number as u32);
            out.push(r.kept.len() as u32);
            out.extend(r.kept.iter().map(|&k| k as u32));
            out.extend(r.labels.iter().map(|l| l.map_or(u32::MAX, |l| l as u32)));
        }
        out
    }

    /// The resamples [`Resample::to_words`] wrote, or `None` if `words` are not such.
    pub fn from_words(words: &[u32]) -> Option<Vec<Resample>> {
        let mut out = Vec::new();
        let mut at = 0;
        while at < words.len() {
            let number = *words.get(at)? as usize;
            let len = *words.get(at.checked_add(1)?)? as usize;
            let from = at.checked_add(2)?;
            let middle = from.checked_add(len)?;
            let end = middle.checked_add(len)?;
            let kept = words.get(from..middle)?;
            let labels = words.get(middle..end)?;
            out.push(Resample {
                number,
                kept: kept.iter().map(|&k| k as usize).collect(),
                labels: labels
                    .iter()
                    .map(|&l| (l != u32::MAX).then_some(l as usize))
                    .collect(),
            });
            at = end;
        }
        Some(out)
    }
}

impl ResampleJob {
    /// The job for resamples `plans` of `sample` (rows of `points` and of `respects`).
    pub(super) fn of(
        points: &Dense,
        sample: &[usize],
        respects: Option<&Respects<'_>>,
        params: &ClusterParams,
        plans: Vec<(usize, Vec<usize>)>,
    ) -> ResampleJob {
        let latent = respects.and_then(|r| r.latent).map(|l| {
            let variables = l
                .variables
                .iter()
                .map(|v| Variable {
                    column: v.column,
                    block: v.block,
                    codes: sample
                        .iter()
                        .map(|&i| {
                            v.codes
                                .get(i)
                                .copied()
                                .unwrap_or(super::super::features::MISSING)
                        })
                        .collect(),
                    levels: v.levels,
                    centres: v.centres.clone(),
                })
                .collect();
            (variables, l.weights.to_vec(), l.every_column)
        });
        ResampleJob {
            points: rows(points, sample),
            respects: respects.map(|r| (rows(r.features, sample), r.columns.to_vec())),
            latent,
            n: points.rows,
            params: params.clone(),
            plans,
        }
    }

    /// How many resamples the job holds.
    pub fn len(&self) -> usize {
        self.plans.len()
    }

    /// True when the job holds no resample.
    pub fn is_empty(&self) -> bool {
        self.plans.is_empty()
    }

    /// Whether `resamples` are this job's, one for each of its resamples (the same numbers
    /// and people, a label for each): an answer from another worker is checked before use.
    pub fn answered_by(&self, resamples: &[Resample]) -> bool {
        resamples.len() == self.plans.len()
            && self.plans.iter().zip(resamples).all(|((b, kept), r)| {
                r.number == *b
                    && r.kept == *kept
                    && r.labels.len() == kept.len()
                    && r.labels.iter().flatten().all(|&l| l < kept.len())
            })
    }

    /// Segments each resample again (steps 3–5 as the sample ran them: from the size set, or
    /// the default scaled to the resample and moved by the sweep, with the density
    /// neighbourhood set or derived from that starting size); `progress` goes from 0 to 1.
    pub fn run(&self, progress: &mut dyn FnMut(f64)) -> Vec<Resample> {
        let p = &self.params;
        let latent = self
            .latent
            .as_ref()
            .map(|(variables, weights, every_column)| Latent {
                variables,
                weights,
                every_column: *every_column,
                // The resamples are drawn from the sample, which holds no copies.
                copies: &[],
            });
        let respects = self.respects.as_ref().map(|(features, columns)| Respects {
            features,
            columns,
            latent,
        });
        let mut out = Vec::with_capacity(self.plans.len());
        for (done, (b, kept)) in self.plans.iter().enumerate() {
            let size = kept.len();
            let sub = rows(&self.points, kept);
            let labels: Vec<Option<usize>> = match p.method {
                Method::Density => {
                    // The whole method again, as the sample ran it (Hennig 2007): from the
                    // size set, or the default chosen again by the sweep, and the density
                    // neighbourhood set or derived from that size.
                    cluster_sample(
                        &sub,
                        kept,
                        starting_size(p, self.n, size),
                        p.min_cluster_size.is_none(),
                        p.min_samples,
                        p.max_separation,
                        respects.as_ref(),
                        p.seed.wrapping_add(*b as u64).wrapping_add(1),
                    )
                    .labels
                }
                _ => fit_predict(
                    &sub,
                    &(0..size).collect::<Vec<_>>(),
                    p.method,
                    p.k,
                    p.seed.wrapping_add(*b as u64).wrapping_add(1),
                )
                .into_iter()
                .map(Some)
                .collect(),
            };
            out.push(Resample {
                number: *b,
                kept: kept.clone(),
                labels,
            });
            progress((done + 1) as f64 / self.plans.len() as f64);
        }
        out
    }

    /// The job as plain arrays, to post to another worker: every number of the points and
    /// features, every whole number of the answers and plans, and the rest as JSON.
    pub fn to_parts(&self) -> (Vec<f64>, Vec<u32>, String) {
        let mut reals = self.points.data.clone();
        let mut whole: Vec<u32> = Vec::new();
        let respects = self.respects.as_ref().map(|(features, columns)| {
            reals.extend_from_slice(&features.data);
            (
                features.cols,
                columns.iter().map(|c| (c.start, c.end)).collect::<Vec<_>>(),
            )
        });
        let latent = self
            .latent
            .as_ref()
            .map(|(variables, weights, every_column)| {
                let shapes: Vec<Shape> = variables
                    .iter()
                    .map(|v| {
                        whole.extend_from_slice(&v.codes);
                        // Centres of one length per level, as `latent` uses them, or none.
                        let dims = v.centres.first().map_or(0, Vec::len);
                        let dims = if v.centres.len() == v.levels
                            && v.centres.iter().all(|c| c.len() == dims)
                        {
                            dims
                        } else {
                            0
                        };
                        if dims > 0 {
                            for c in &v.centres {
                                reals.extend(c.iter().map(|&x| f64::from(x)));
                            }
                        }
                        (v.column, v.block == Block::Say, v.levels, dims)
                    })
                    .collect();
                (shapes, weights.clone(), *every_column)
            });
        let plans: Vec<(usize, usize)> = self
            .plans
            .iter()
            .map(|(b, kept)| {
                whole.extend(kept.iter().map(|&k| k as u32));
                (*b, kept.len())
            })
            .collect();
        let head = Head {
            rows: self.points.rows,
            dims: self.points.cols,
            respects,
            latent,
            n: self.n,
            params: self.params.clone(),
            plans,
        };
        let json = serde_json::to_string(&head).unwrap_or_default();
        (reals, whole, json)
    }

    /// The job [`ResampleJob::to_parts`] wrote, or why these parts are not one.
    pub fn from_parts(reals: Vec<f64>, whole: &[u32], json: &str) -> Result<ResampleJob, String> {
        let head: Head = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let short = || "a resample job's arrays are shorter than its description".to_string();
        let point_len = head.rows.checked_mul(head.dims).ok_or_else(short)?;
        let feature_len = match &head.respects {
            Some((cols, _)) => head.rows.checked_mul(*cols).ok_or_else(short)?,
            None => 0,
        };
        // The latent variables' topic centres follow the features, levels × dims each.
        let mut centre_len = 0usize;
        if let Some((shapes, _, _)) = &head.latent {
            for &(_, _, levels, dims) in shapes {
                let len = levels.checked_mul(dims).ok_or_else(short)?;
                centre_len = centre_len.checked_add(len).ok_or_else(short)?;
            }
        }
        let expected = point_len
            .checked_add(feature_len)
            .and_then(|l| l.checked_add(centre_len))
            .ok_or_else(short)?;
        if reals.len() != expected {
            return Err(short());
        }
        let mut reals = reals;
        let mut centre_reals = reals.split_off(point_len + feature_len).into_iter();
        let features = reals.split_off(point_len);
        let points = Dense {
            rows: head.rows,
            cols: head.dims,
            data: reals,
        };
        let respects = head.respects.map(|(cols, columns)| {
            (
                Dense {
                    rows: head.rows,
                    cols,
                    data: features,
                },
                columns.into_iter().map(|(a, b)| a..b).collect(),
            )
        });
        let mut at: usize = 0;
        let mut take = |len: usize| -> Result<&[u32], String> {
            let end = at.checked_add(len).ok_or_else(short)?;
            let slice = whole.get(at..end).ok_or_else(short)?;
            at = end;
            Ok(slice)
        };
        head.params
            .clone()
            .check()
            .map_err(|e| format!("a resample job's settings: {e}"))?;
        let latent = match head.latent {
            Some((shapes, weights, every_column)) => {
                let mut variables = Vec::with_capacity(shapes.len());
                let mut total = 0usize;
                for (column, say, levels, dims) in shapes {
                    // A job's variables hold at most as many levels as the features could
                    // give them; a description asking for more is not a job.
                    total = total.saturating_add(levels);
                    if total > MOST_LEVELS {
                        return Err("a resample job's variables have too many levels".into());
                    }
                    let centres = if dims == 0 {
                        Vec::new()
                    } else {
                        (0..levels)
                            .map(|_| centre_reals.by_ref().take(dims).map(|x| x as f32).collect())
                            .collect()
                    };
                    variables.push(Variable {
                        column,
                        block: if say { Block::Say } else { Block::Do },
                        codes: take(head.rows)?.to_vec(),
                        levels,
                        centres,
                    });
                }
                Some((variables, weights, every_column))
            }
            None => None,
        };
        let mut plans = Vec::with_capacity(head.plans.len());
        for (b, len) in head.plans {
            let kept: Vec<usize> = take(len)?.iter().map(|&k| k as usize).collect();
            if kept.is_empty()
                || kept.iter().any(|&k| k >= head.rows)
                || kept.windows(2).any(|w| w[0] >= w[1])
            {
                return Err("a resample keeps people the job does not hold, or none".into());
            }
            plans.push((b, kept));
        }
        Ok(ResampleJob {
            points,
            respects,
            latent,
            n: head.n,
            params: head.params,
            plans,
        })
    }
}

/// Most levels a resample job's variables may hold together (a job read from another worker
/// that asks for more is refused rather than allocated).
const MOST_LEVELS: usize = 1 << 20;

/// A latent variable without its answers: its column, whether it is said, its levels, and
/// the dimensions of each level's centre in meaning space (0 when it has none).
type Shape = (usize, bool, usize, usize);

/// A [`ResampleJob`]'s description, beside its arrays.
#[derive(Serialize, Deserialize)]
struct Head {
    rows: usize,
    dims: usize,
    /// Feature columns, and each column's range of them.
    respects: Option<(usize, Vec<(usize, usize)>)>,
    /// Each variable's column, block (say?), levels and centre dimensions; the weights;
    /// every column?
    latent: Option<(Vec<Shape>, Vec<f64>, bool)>,
    n: usize,
    params: ClusterParams,
    /// Each resample's number and how many people it keeps.
    plans: Vec<(usize, usize)>,
}

/// Mean best Jaccard of each segment over the resamples, compared with the segments the
/// sample itself was given (`labels`, one per sample person), like with like. Resamples are
/// counted in their numbers' order, whichever worker ran them.
pub(super) fn stability(
    labels: &[Option<usize>],
    n_segments: usize,
    resamples: &mut [Resample],
    count: usize,
) -> Vec<Option<f64>> {
    resamples.sort_by_key(|r| r.number);
    let mut totals = vec![0.0; n_segments];
    for resample in resamples.iter() {
        let again = &resample.labels;
        let n_again = again.iter().flatten().map(|&l| l + 1).max().unwrap_or(0);
        let mut inter = vec![vec![0usize; n_again]; n_segments];
        let mut orig_size = vec![0usize; n_segments];
        let mut new_size = vec![0usize; n_again];
        for (r, &at) in resample.kept.iter().enumerate() {
            if let Some(Some(t)) = again.get(r) {
                new_size[*t] += 1;
            }
            if let Some(Some(s)) = labels.get(at)
                && *s < n_segments
            {
                orig_size[*s] += 1;
                if let Some(Some(t)) = again.get(r) {
                    inter[*s][*t] += 1;
                }
            }
        }
        for s in 0..n_segments {
            let best = (0..n_again)
                .map(|t| {
                    let union = orig_size[s] + new_size[t] - inter[s][t];
                    if union == 0 {
                        0.0
                    } else {
                        inter[s][t] as f64 / union as f64
                    }
                })
                .fold(0.0, f64::max);
            totals[s] += best;
        }
    }
    totals
        .iter()
        .map(|t| Some(t / count.max(1) as f64))
        .collect()
}
