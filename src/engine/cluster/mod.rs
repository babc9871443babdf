//! Segments that keep the edges.
//!
//! The default method is density-based ([`hdbscan`]), because it keeps small groups and says
//! who belongs nowhere, where k-means forces everyone into one of k round groups and swallows
//! the 1 % segments that are the point of Edgewise. Density clustering needs help in the two
//! dozen dimensions of mixed survey and CRM features, where every distance looks alike; the
//! steps around it, in order:
//!
//! 1. **Neighbours.** An approximate 15-nearest-neighbour graph of everyone ([`neighbours`]):
//!    it gives each person's local density (for edge scores), "people like this one", and the
//!    paths along which segment labels spread.
//! 2. **A sample forms the segments.** At most [`SAMPLE`] people, chosen at random with the
//!    seed ([`choose_sample`]; rows that repeat an earlier customer's row are left out and
//!    follow it afterwards, [`choose_sample_among`]), so that every setting below means the
//!    same thing for 300 people or 300,000, and the work stays bounded. Segments of 1 % of
//!    people have 60 members in the sample. The settings and their defaults are in `params` ([`ClusterParams`]).
//! 3. **Smoothing.** On the sample's own neighbour graph, six steps of diffusion pull each
//!    person towards their neighbourhood: groups contract, noise within groups averages out,
//!    and the valleys between groups stand out (Coifman & Lafon 2006).
//! 4. **HDBSCAN** on the smoothed sample, with the smallest segment at 0.5 % of people, moved to
//!    a *plateau* of the segment count (nine sizes from ¼× to 4× are tried and the size whose
//!    neighbours give the same count is kept, away from parameter cliffs;
//!    [`choose_min_cluster_size`]). Steps 3–5 are `cluster_sample`, in this file.
//! 5. **Separated, not fragmented.** A cluster counts only if the valley that separates it is
//!    less dense than its own members typically are ([`hdbscan::separation`]). The finest such
//!    clusters are taken ([`hdbscan::select_leaves`]) — so the mass middle's distinct groups are
//!    not swallowed by one long-lived parent — and clusters that differ from each other in too
//!    few columns are merged back (`merge`, [`merge_single_respect`]): one group split by a
//!    yes/no answer or by two wordings of the same goal is one segment again, and so is a
//!    corner cut out of a group by several independent answers, or a block of counts and
//!    ratings holding no more people than their own shares predict; so are the people left between
//!    its fragments ([`hdbscan::label_regions`]). At the size chosen (not while sizes are
//!    tried), the merge is then judged again on those whole regions (except in a file of
//!    choices only, whose regions are lattice cells): a leaf is its group's densest core,
//!    whose ratings are the group's commonest, so two halves of one group split by a yes/no
//!    answer can seem to differ in ratings too until everyone in their regions is counted.
//!    With fewer than three columns to judge by, excess of mass with a stricter separation is
//!    used instead, and clusters between which no column's histogram dips are one group
//!    ([`merge_without_valley`]): a column of orders stacks up on whole numbers, and each
//!    stack looked like a segment. Members far from their neighbours in the unsmoothed space —
//!    lone outliers that smoothing drew in — leave their segment (`pulled_in`).
//!
//!    5b. **Latent classes** ([`latent`]) within each segment find the groups density cannot
//!    see (choices-only answers, groups that differ only in what they say), up to
//!    [`MAX_SEGMENTS`]. A class is split in two from mismatch seeds and, for a free-text
//!    answer, from a cut of its topics by meaning (`latent::meaning_halves`), whichever fits
//!    better. When density leaves most of the sample in no segment, its clusters are
//!    shards, not groups: everyone is one segment and the classes are fitted on all of them;
//!    so too in a file of choices and ratings only, where density's clusters are stacks of a
//!    lattice of answers ([`Latent::answers_only`]). Classes stand only if they shorten the
//!    message more than one class does.
//!    Two classes split from different segments that are one group (density cut it in two)
//!    are one segment (`join_new_classes`).
//!    A class that is the rest of a group density found in another segment joins it, and so
//!    do a class's members that the Bayes rule places with a smaller segment than the mass
//!    middle's (fewer than a segment, the rest of that group: `latent::rests_within`).
//!    With the slider at one end, people who answered nothing the classes are told apart by
//!    (a survey's non-respondents, read by what they say alone) form no class: they are placed
//!    in one by the block the slider weighs 0 (`latent::Silent`).
//! 6. **Spreading to everyone** (`spread`). Labels spread from the sample along the neighbour
//!    graph: each person takes the label most of their labelled neighbours have.
//! 7. **Noise triage, not noise deletion** (`spread`). People left unassigned whose labelled
//!    neighbours mostly belong to one segment, and who are not much farther from them than its
//!    members are from each other, join it as *edge members*; so do stacks of people alike in
//!    every column, and, when too many are left to search (over 4 × [`SAMPLE`]), knots of
//!    people close together that no label reached, each by the nearest sampled people
//!    (`spread::attach_stacks`). The rest are clustered again among themselves; compact
//!    groups found there become *micro-segments*. Whoever is left is a *lone outlier*.
//!
//!    7b. **Placement by answers** (`place_by_answers`). When the latent variables are every
//!    column that forms segments at the slider's balance (a survey of choices and ratings; a
//!    shop's survey read by what people say alone, its amounts weighed 0), everyone in a segment is
//!    placed in the segment whose answer shares explain theirs best — the Bayes rule under a
//!    latent class per segment, refitted and applied again until no one moves, for at most
//!    `PLACEMENT_ROUNDS` rounds (classification EM). Spreading along neighbours leaves some
//!    of a small group's people in the mass around them; their answers say where they
//!    belong. Before the rounds, people step 7 left in no segment join the segment whose
//!    answers explain theirs, unless their answers are as surprising under it as a lone
//!    outlier's (`place_the_unplaced`). A member's own segment reads their free-text answers
//!    as if they were not among its members (leave-one-out). After the rounds, the people of
//!    one wording in a segment move together when another segment's members predict their
//!    other answers strongly better (`latent::wording_moves`), and the rounds run again: one
//!    by one they could not leave, their wording being theirs alone. (Density segments only.)
//!
//!    7c. **Rests joined** (`join_rests`). Members of a mass segment whom the Bayes rule places
//!    with a smaller segment (micro-segments included), fewer than a segment and its rest by
//!    the message-length test, join it — step 5b's rule, for segments found after the sample.
//!    (Density segments only.)
//! 8. **Stability** (`stability`). Steps 3–5 are re-run on three random subsamples of the
//!    sample (80 % of a small sample, half of a large one), each segmented as the sample was
//!    (the smallest segment's size chosen again by the sweep from the same default, and the
//!    density neighbourhood derived from that default, unless they were set); a segment's
//!    stability is its mean best Jaccard overlap with the re-run's segments (Hennig 2007),
//!    measured against the segments steps 3–5 gave the sample (like with like, before step 7
//!    adds edge members).
//!
//! Steps 2–5 and 8 ([`segment_sample`]) do not need step 1's graph, and the graph
//! ([`everyone_graph`]) depends only on the points and the seed, so the two run side by side —
//! on threads natively (the graph's own work dealt to every core), in web workers in the
//! browser (the graph's trees shared by a pool of helpers) — and [`segment_everyone`] does
//! steps 6–7c with both. Step 8's resamples are self-contained jobs
//! ([`SampleSegments::resample_jobs`]): in the browser the first helper runs one once the
//! graph is built. The result is the same wherever the graph and the resamples were built.
//!
//! k-means and Gaussian mixtures from `linfa-clustering` are offered as alternatives
//! (`centroid`); they are fitted on the same sample and applied to everyone; their outliers are
//! people unusually far from their group's centre.
//!
//! Everything is seeded; the same points and settings give the same segments.
//!
//! This file is the driver: the types, steps 2–5 ([`segment_sample`] and `cluster_sample`)
//! and the hand-over to steps 6–7c ([`segment_everyone`]). Each other step has its file:
//! `params` (settings, checked, and size-dependent defaults), `merge` (step 5's merging),
//! `spread` (steps 6–7), `stability` (step 8) and `centroid` (k-means and mixtures).
//!
//! # References
//! Campello, Moulavi & Sander (2013); McInnes & Healy (2017) — see [`hdbscan`].
//! Celeux, G. & Govaert, G. (1992). A classification EM algorithm for clustering and two
//! stochastic versions. Computational Statistics & Data Analysis 14(3).
//! Coifman, R. & Lafon, S. (2006). Diffusion maps. Applied and Computational Harmonic Analysis 21(1).
//! Hennig, C. (2007). Cluster-wise assessment of cluster stability. CSDA 52(1).

mod centroid;
pub mod hdbscan;
pub mod kdtree;
pub mod latent;
mod merge;
pub mod neighbours;
mod params;
mod spread;
pub mod stability;

pub use merge::{Respects, merge_single_respect, merge_without_valley};
pub use params::{
    ClusterParams, ClusterValidParams, MAX_SEPARATION, Method, NEIGHBOURS, ParamError, SAMPLE,
    default_min_cluster_size, default_min_samples,
};

use super::linalg::{Dense, Rows};
use hdbscan::{Hierarchy, condense, select_leaves, select_separated};
use neighbours::{Graph, knn_graph, smooth};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

/// Diffusion steps before density clustering.
const SMOOTH_STEPS: usize = 6;
/// The stricter separation used without columns (plain numeric points).
const EOM_SEPARATION: f64 = 0.5;

/// How a person belongs to their segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Membership {
    /// Firmly inside a segment.
    Core,
    /// Weakly attached to a segment.
    Edge,
    /// In no segment: unlike everyone else.
    Outlier,
}

/// The segments found, before they are ranked and described.
#[derive(Debug, Clone, PartialEq)]
pub struct Clustering {
    /// Each person's segment (`None` = lone outlier).
    pub labels: Vec<Option<usize>>,
    /// How each person belongs.
    pub membership: Vec<Membership>,
    /// Each person's distance to their 15th nearest neighbour (local sparsity).
    pub core_distance: Vec<f64>,
    /// Each person's nearest neighbours (themselves first).
    pub neighbours: neighbours::Neighbours,
    /// Number of segments.
    pub n_segments: usize,
    /// Per segment: found among people the density step left unassigned (a micro-segment).
    pub micro: Vec<bool>,
    /// Per segment: mean best Jaccard over resamples (`None` when not computed).
    pub stability: Vec<Option<f64>>,
    /// The smallest segment size used, in people of the whole file.
    pub min_cluster_size: usize,
    /// The density neighbourhood used (in the sample).
    pub min_samples: usize,
    /// (smallest segment size in people, segments found) for each size tried.
    pub sweep: Vec<(usize, usize)>,
}

impl Clustering {
    /// Gives each of `copies` (a row that repeats an earlier row in every cell, with the row
    /// it repeats) the segment and membership of the row it repeats: copies are left out of
    /// the sample that forms segments ([`choose_sample_among`]), and spreading along
    /// neighbours could give a copy on a segment's edge another label than its original's.
    pub fn follow_originals(&mut self, copies: &[(usize, usize)]) {
        for &(copy, original) in copies {
            if let (Some(&label), Some(membership)) = (
                self.labels.get(original),
                self.membership.get(original).cloned(),
            ) && copy < self.labels.len()
                && copy < self.membership.len()
            {
                self.labels[copy] = label;
                self.membership[copy] = membership;
            }
        }
    }

    /// Dissolves segments of fewer than `min_size` people — too small for a marketer to act
    /// on — into lone outliers, and says how many groups and people that was.
    pub fn dissolve_small(&mut self, min_size: usize) -> (usize, usize) {
        let mut size = vec![0usize; self.n_segments];
        for l in self.labels.iter().flatten() {
            if let Some(s) = size.get_mut(*l) {
                *s += 1;
            }
        }
        let small: Vec<bool> = size.iter().map(|&s| s > 0 && s < min_size).collect();
        let people: Vec<usize> = (0..self.labels.len())
            .filter(|&i| self.labels[i].is_some_and(|l| small.get(l).copied().unwrap_or(false)))
            .collect();
        let groups = small.iter().filter(|&&s| s).count();
        self.make_outliers(&people);
        (groups, people.len())
    }

    /// Makes `people` lone outliers, then drops segments left without members (keeping the
    /// others' order): a segment of 0 people is never shown.
    pub fn make_outliers(&mut self, people: &[usize]) {
        for &i in people {
            if let (Some(l), Some(m)) = (self.labels.get_mut(i), self.membership.get_mut(i)) {
                *l = None;
                *m = Membership::Outlier;
            }
        }
        let mut size = vec![0usize; self.n_segments];
        for l in self.labels.iter().flatten() {
            if let Some(s) = size.get_mut(*l) {
                *s += 1;
            }
        }
        if size.iter().all(|&s| s > 0) {
            return;
        }
        let mut new_id = vec![None; self.n_segments];
        let mut next = 0;
        for (s, &count) in size.iter().enumerate() {
            if count > 0 {
                new_id[s] = Some(next);
                next += 1;
            }
        }
        for l in &mut self.labels {
            *l = l.and_then(|s| new_id.get(s).copied().flatten());
        }
        let keep = |s: &usize| new_id.get(*s).is_some_and(Option::is_some);
        self.micro = (0..self.n_segments)
            .filter(keep)
            .filter_map(|s| self.micro.get(s).copied())
            .collect();
        self.stability = (0..self.n_segments)
            .filter(keep)
            .filter_map(|s| self.stability.get(s).copied())
            .collect();
        self.n_segments = next;
    }
}

/// Forms segments from `points` (one row per person).
///
/// The sample's work ([`segment_sample`]) and everyone's neighbour graph ([`everyone_graph`])
/// do not depend on each other; natively they run on two threads, and the web worker builds
/// the graph in a second worker. Both are pure, so where they run changes nothing.
pub fn segment(
    points: &Dense,
    params: &ClusterValidParams,
    respects: Option<&Respects<'_>>,
    progress: &mut dyn FnMut(f64),
) -> Clustering {
    #[cfg(not(target_arch = "wasm32"))]
    let (part, graph) = std::thread::scope(|scope| {
        let graph = scope.spawn(|| everyone_graph(points, params.0.seed));
        let part = segment_sample(points, params, respects, progress);
        let graph = graph
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (part, graph)
    });
    #[cfg(target_arch = "wasm32")]
    let (part, graph) = {
        let graph = everyone_graph(points, params.0.seed);
        (segment_sample(points, params, respects, progress), graph)
    };
    let result = segment_everyone(points, part, graph, params, respects.and_then(|r| r.latent));
    progress(1.0);
    result
}

/// Everyone's neighbour graph (step 1), as [`segment_everyone`] needs it.
/// It depends only on the points and the seed: natively its work is dealt to every core
/// (`neighbours::knn_graph_in_parts`, the same graph; as many parts as [`GRAPH_MEMORY`]
/// holds beyond the first), in WebAssembly it is built on one, and the web worker deals it
/// to its helpers itself.
pub fn everyone_graph(points: &Dense, seed: u64) -> Graph {
    #[cfg(not(target_arch = "wasm32"))]
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    #[cfg(target_arch = "wasm32")]
    let cores = 1;
    let parts = neighbours::parts_within(points, NEIGHBOURS, cores, GRAPH_MEMORY, false);
    neighbours::knn_graph_in_parts(points, NEIGHBOURS, seed, parts)
}

/// Memory the parts of everyone's graph beyond the first may take together, natively or in
/// a web worker's helpers beyond the first: 1 GiB, at a million people in 24 dimensions two
/// or three parts more.
pub const GRAPH_MEMORY: f64 = 1024.0 * 1024.0 * 1024.0;

/// The number of parts a web worker deals everyone's graph of `points` into on `cores`
/// cores: each part is a helper with its own copy of the points (see [`GRAPH_MEMORY`]).
pub fn everyone_graph_helpers(points: &Dense, cores: usize) -> usize {
    neighbours::parts_within(points, NEIGHBOURS, cores, GRAPH_MEMORY, true)
}

/// The candidates that the forest's trees `trees` give for [`everyone_graph`], for a web
/// worker's helper that builds a share of them (`neighbours::tree_share`).
pub fn everyone_forest_part(
    points: &Dense,
    seed: u64,
    trees: impl IntoIterator<Item = usize>,
) -> neighbours::Candidates {
    neighbours::forest_part(points, NEIGHBOURS, seed, trees)
}

/// [`everyone_graph`] from the candidates of all the forest's trees, merged: the same graph
/// (as a web worker's helper finishes it, on one core).
pub fn everyone_graph_from(points: &Dense, candidates: neighbours::Candidates) -> Graph {
    if points.rows <= neighbours::EXACT_UP_TO {
        // Small inputs are exact, all pairs, whatever the trees offered.
        return everyone_graph(points, 0);
    }
    neighbours::Finish::new(points, candidates).graph(1)
}

/// What the sample decided (steps 2–5 and 8), before everyone's neighbour graph is needed.
pub struct SampleSegments {
    sample: Vec<usize>,
    found: Found,
    stability: Vec<Option<f64>>,
    /// Each sample person's segment, for step 8.
    labels_in_sample: Vec<Option<usize>>,
    n_segments: usize,
}

enum Found {
    /// The density step's clusters among the sample.
    Density(SampleClusters),
    /// k-means or a mixture: everyone's group is known already.
    Centroid {
        labels: Vec<Option<usize>>,
        membership: Vec<Membership>,
        n_segments: usize,
    },
}

/// Segments among the sample, and their stability: all the work that needs no neighbour
/// graph of everyone. `progress` goes from 0 to 0.95.
pub fn segment_sample(
    points: &Dense,
    params: &ClusterValidParams,
    respects: Option<&Respects<'_>>,
    progress: &mut dyn FnMut(f64),
) -> SampleSegments {
    let mut part = sample_segments(points, params, respects, progress);
    let jobs = part.resample_jobs(points, params, respects, 1);
    let mut resamples = Vec::new();
    for job in &jobs {
        resamples.extend(job.run(&mut |f| progress(0.5 + 0.45 * f)));
    }
    part.settle(resamples, params);
    part
}

/// Segments among the sample (steps 2–5), their stability still to find: the resamples of
/// [`SampleSegments::resample_jobs`], run anywhere, are given back to
/// [`SampleSegments::settle`]. `progress` goes from 0 to 0.5.
pub fn sample_segments(
    points: &Dense,
    params: &ClusterValidParams,
    respects: Option<&Respects<'_>>,
    progress: &mut dyn FnMut(f64),
) -> SampleSegments {
    let p = &params.0;
    let n = points.rows;
    let copies = respects
        .and_then(|r| r.latent)
        .map_or(&[][..], |l| l.copies);
    let sample = choose_sample_among(n, SAMPLE, p.seed, copies);
    progress(0.05);
    let s = sample.len();
    let (found, labels_in_sample, n_segments) = match p.method {
        Method::Density => {
            let m_sample = starting_size(p, n, s);
            let found = cluster_sample(
                &rows(points, &sample),
                &sample,
                m_sample,
                p.min_cluster_size.is_none(),
                p.min_samples,
                p.max_separation,
                respects,
                p.seed,
            );
            let labels = found.labels.clone();
            let n_clusters = found.n_clusters;
            (Found::Density(found), labels, n_clusters)
        }
        Method::KMeans | Method::GaussianMixture => {
            let (labels, membership, n_segments) = centroid::centroid_based(points, &sample, p);
            let in_sample = sample.iter().map(|&i| labels[i]).collect();
            let found = Found::Centroid {
                labels,
                membership,
                n_segments,
            };
            (found, in_sample, n_segments)
        }
    };
    progress(0.5);
    SampleSegments {
        sample,
        found,
        stability: vec![None; n_segments],
        labels_in_sample,
        n_segments,
    }
}

impl SampleSegments {
    /// Whether the segments' stability is measured (resamples asked for, segments found, a
    /// sample of at least 40 people).
    fn measures_stability(&self, params: &ClusterValidParams) -> bool {
        params.0.resamples > 0 && self.n_segments > 0 && self.sample.len() >= 40
    }

    /// The stability resamples (step 8) as self-contained jobs, dealt out in order over
    /// `parts` jobs (fewer when there are fewer resamples; none when stability is not
    /// measured). `points` and `respects` are those the segments were found with.
    pub fn resample_jobs(
        &self,
        points: &Dense,
        params: &ClusterValidParams,
        respects: Option<&Respects<'_>>,
        parts: usize,
    ) -> Vec<stability::ResampleJob> {
        if !self.measures_stability(params) {
            return Vec::new();
        }
        let plans = stability::plans(self.sample.len(), &params.0);
        let parts = parts.clamp(1, plans.len().max(1));
        let per = plans.len().div_ceil(parts);
        let mut numbered: Vec<(usize, Vec<usize>)> = plans.into_iter().enumerate().collect();
        let mut jobs = Vec::new();
        while !numbered.is_empty() {
            let rest = numbered.split_off(per.min(numbered.len()));
            let these = std::mem::replace(&mut numbered, rest);
            jobs.push(stability::ResampleJob::of(
                points,
                &self.sample,
                respects,
                &params.0,
                these,
            ));
        }
        jobs
    }

    /// Each segment's stability (mean best Jaccard over the resamples), once settled.
    pub fn stability(&self) -> &[Option<f64>] {
        &self.stability
    }

    /// Each segment's stability from every resample of [`SampleSegments::resample_jobs`].
    pub fn settle(&mut self, mut resamples: Vec<stability::Resample>, params: &ClusterValidParams) {
        if self.measures_stability(params) {
            self.stability = stability::stability(
                &self.labels_in_sample,
                self.n_segments,
                &mut resamples,
                params.0.resamples,
            );
        }
    }
}

/// The smallest segment's size, set or the default for `n` people, scaled to `s` of them (at
/// least 5): where the sample's sweep starts, and each stability resample's.
pub(super) fn starting_size(p: &ClusterParams, n: usize, s: usize) -> usize {
    let people = p
        .min_cluster_size
        .unwrap_or_else(|| default_min_cluster_size(n));
    ((people as f64 * s as f64 / n.max(1) as f64).round() as usize).max(5)
}

/// A size in sample people as people of the whole file.
fn to_people(m: usize, s: usize, n: usize) -> usize {
    let scale = s as f64 / n.max(1) as f64;
    ((m as f64 / scale).round() as usize).max(m)
}

/// Everyone's segments from the sample's (steps 6–7c): `graph` is [`everyone_graph`] of the
/// same `points` and settings. Its neighbour lists become the result's, moved, not copied
/// (at a million people a copy was 100 MB more at the peak; BENCHMARKS.md, "Room given back
/// before describing").
pub fn segment_everyone(
    points: &Dense,
    part: SampleSegments,
    graph: Graph,
    params: &ClusterValidParams,
    latent: Option<Latent<'_>>,
) -> Clustering {
    let SampleSegments {
        sample,
        found,
        mut stability,
        ..
    } = part;
    // k-means and mixtures place people by their own model.
    let density = matches!(found, Found::Density(_));
    let mut result = match found {
        Found::Density(found) => spread::density(
            points,
            graph,
            &sample,
            found,
            &params.0,
            latent.map_or(&[][..], |l| l.copies),
        ),
        Found::Centroid {
            labels,
            membership,
            n_segments,
        } => Clustering {
            labels,
            membership,
            core_distance: graph.kth_distance(NEIGHBOURS),
            neighbours: graph.neighbours,
            n_segments,
            micro: vec![false; n_segments],
            stability: Vec::new(),
            min_cluster_size: 0,
            min_samples: 0,
            sweep: Vec::new(),
        },
    };
    // Micro-segments, found outside the sample, are not re-found by resampling it.
    stability.resize(result.n_segments, None);
    result.stability = stability;
    if let Some(latent) = latent.filter(|l| l.every_column && density) {
        place_by_answers(&mut result, latent);
    }
    if let Some(latent) = latent.filter(|_| density) {
        join_rests(&mut result, latent);
    }
    result
}

/// Moves the rest of each small segment out of the mass segments it sits in
/// ([`latent::rests_of_segment`]): members of a mass segment (at least
/// [`rank::MASS_SHARE`](crate::engine::rank::MASS_SHARE) of people) that the Bayes rule places
/// with a smaller segment, fewer than the smallest segment and that segment's rest by the
/// message-length test, join it, on its edge. Latent classes do this within the sample
/// (step 5b); segments found among everyone after it (micro-segments) get it here. Unlike
/// [`place_by_answers`], which reads a mass segment as one class for everyone and so is kept
/// to files of answers only (on the finance survey it moved 47 % of people), this moves
/// fewer than a segment's worth of people per smaller segment, and only those that pass the
/// message-length test as its rest: 15 of the finance survey's 1,998.
fn join_rests(result: &mut Clustering, latent: Latent<'_>) {
    let groups = members_by_segment(result, latent);
    // Shares of people counted once: the groups leave copies out.
    let people = result.labels.len() - latent.copies.len().min(result.labels.len());
    let mass = (crate::engine::rank::MASS_SHARE * people as f64).ceil() as usize;
    let (small, ids): (Vec<Vec<usize>>, Vec<usize>) = (0..groups.len())
        .filter(|&s| !groups[s].is_empty() && groups[s].len() < mass)
        .map(|s| (groups[s].clone(), s))
        .unzip();
    if small.is_empty() {
        return;
    }
    let min_size = result.min_cluster_size;
    for members in groups.iter().filter(|g| g.len() >= mass) {
        for (row, g) in
            latent::rests_of_segment(latent.variables, latent.weights, members, &small, min_size)
        {
            result.labels[row] = Some(ids[g]);
            result.membership[row] = Membership::Edge;
        }
    }
}

/// People in no segment whose answers a segment explains about as well as segments explain
/// their own members join the segment that explains them best, on its edge, before
/// [`place_by_answers`]' rounds. Read by what they say alone, a file's answers are a lattice
/// of ratings and topics whose neighbours tie, so spreading along them left ordinary people
/// unplaced (the grocer at 100,000 rows: 10,459 people in no segment, 10,314 of them from
/// the mass groups, edge score 0). Their surprise under their best segment (−log of its
/// share and answer shares) is judged against the surprise of everyone in a segment, by the
/// median and the spread above it (as `edges::fit_z` judged how answers fit together before
/// it was judged against people drawn from the segments): from
/// [`LONE_Z`](crate::engine::edges::LONE_Z) spreads above, answers that no segment gives, a
/// person stays lone. Extremes in other columns are released again afterwards
/// (`edges::Assessment::extremes`). Only people who answered something weighed at this
/// balance are judged, and judged against members who did. With a single segment, everyone
/// whose answers it explains joins it.
fn place_the_unplaced(result: &mut Clustering, latent: Latent<'_>) {
    if result.labels.iter().all(Option::is_some) {
        return;
    }
    let mut groups = members_by_segment(result, latent);
    let ids: Vec<usize> = (0..groups.len())
        .filter(|&s| !groups[s].is_empty())
        .collect();
    groups.retain(|g| !g.is_empty());
    if ids.is_empty() {
        return;
    }
    let Some(model) = latent::model_of_groups(latent.variables, latent.weights, &groups) else {
        return;
    };
    let placed: Vec<(usize, f64)> = (0..result.labels.len())
        .map(|i| model.classify_with_surprise(latent.variables, i))
        .collect();
    let mut members: Vec<f64> = (0..placed.len())
        .filter(|&i| result.labels[i].is_some() && heard(latent, i) && !latent.is_copy(i))
        .map(|i| placed[i].1)
        .filter(|x| x.is_finite())
        .collect();
    members.sort_by(f64::total_cmp);
    let Some(&median) = members.get(members.len() / 2) else {
        return;
    };
    let mut above: Vec<f64> = members
        .iter()
        .filter(|&&x| x > median)
        .map(|&x| x - median)
        .collect();
    above.sort_by(f64::total_cmp);
    // The median of the upper half's distances: a half-normal's median is 0.6745 σ.
    let spread = above.get(above.len() / 2).map_or(0.0, |&m| m / 0.6745);
    if spread <= 1e-9 {
        return;
    }
    let mut moved = false;
    for (i, &(class, surprise)) in placed.iter().enumerate() {
        if result.labels[i].is_some() || !heard(latent, i) {
            continue;
        }
        if (surprise - median) / spread < crate::engine::edges::LONE_Z
            && let Some(&segment) = ids.get(class)
        {
            result.labels[i] = Some(segment);
            result.membership[i] = Membership::Edge;
            moved = true;
        }
    }
    if moved {
        result.make_outliers(&[]);
    }
}

/// Whether person `i` answered any of the latent variables.
fn answered_any(latent: Latent<'_>, i: usize) -> bool {
    latent.variables.iter().any(|v| {
        v.codes
            .get(i)
            .is_some_and(|&x| x != crate::engine::features::MISSING && (x as usize) < v.levels)
    })
}

/// Whether person `i` answered a latent variable that is weighed at this balance: someone
/// who did not (a customer who never took the survey, read by what they say alone) is read
/// by the columns weighed 0 instead (`latent::Silent`), whose surprise is not comparable.
fn heard(latent: Latent<'_>, i: usize) -> bool {
    answered_any(latent, i) && !latent::is_silent(latent.variables, latent.weights, i)
}

/// Each segment's members, copies of earlier rows left out ([`Latent::copies`]): the answer
/// shares fitted on them count each person once.
fn members_by_segment(result: &Clustering, latent: Latent<'_>) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); result.n_segments];
    for (i, l) in result.labels.iter().enumerate() {
        if let Some(g) = l.and_then(|s| groups.get_mut(s))
            && !latent.is_copy(i)
        {
            g.push(i);
        }
    }
    groups
}

/// One round of [`place_by_answers`]: the segments' answer shares fitted on their members
/// now, everyone who answered something moved to the segment that explains them best, but
/// not straight back to the segment they left the round before (`came_from`, updated here).
/// How many moved. Segments left empty stay, empty, until [`Clustering::make_outliers`].
fn place_by_answers_once(
    result: &mut Clustering,
    latent: Latent<'_>,
    came_from: &mut [Option<usize>],
) -> usize {
    let mut groups = members_by_segment(result, latent);
    let ids: Vec<usize> = (0..groups.len())
        .filter(|&s| !groups[s].is_empty())
        .collect();
    groups.retain(|g| !g.is_empty());
    if ids.len() < 2 {
        return 0;
    }
    let Some(fit) = latent::Groups::of(latent.variables, latent.weights, &groups) else {
        return 0;
    };
    let mut moved = 0;
    for (i, (l, m)) in result
        .labels
        .iter_mut()
        .zip(result.membership.iter_mut())
        .enumerate()
    {
        let Some(now) = *l else {
            continue;
        };
        // Someone who answered nothing has nothing to be placed by (the Bayes rule would
        // give them the largest segment): they stay where their neighbours put them.
        if !answered_any(latent, i) {
            continue;
        }
        // Their own segment reads their wordings as if they were not in it (a copy is not
        // counted in its shares).
        let own = ids.iter().position(|&s| s == now);
        let counted = own.filter(|_| !latent.is_copy(i));
        let surprise = fit.surprises(latent.variables, i, counted);
        // Moved only to a segment that explains them strictly better: of equals, the first
        // is named, and moving on a tie could go back and forth.
        let mut best = own;
        for (k, &s) in surprise.iter().enumerate() {
            let best_surprise = best.map_or(f64::INFINITY, |b| surprise[b]);
            if s < best_surprise {
                best = Some(k);
            }
        }
        let left = came_from.get_mut(i);
        if let Some(k) = best
            && best != own
            && let Some(&to) = ids.get(k)
            && left.as_deref() != Some(&Some(to))
        {
            *l = Some(to);
            *m = Membership::Edge;
            moved += 1;
            if let Some(left) = left {
                *left = Some(now);
            }
        } else if let Some(left) = left {
            *left = None;
        }
    }
    moved
}

/// Places everyone in a segment in the segment whose answers explain theirs best: the Bayes
/// rule under a latent class per segment, fitted on its members ([`latent::model_of_groups`]),
/// when the latent variables are every column that forms segments. Spreading labels along
/// neighbours leaves some of a small group's people in the mass segment around them (the
/// choices survey at 100,000 rows: 362 of 1,500 digital nomads), where the segments' answer
/// shares tell them apart. People moved are on the edge of their new segment (someone moved
/// and moved back in a later round stays on the edge of their first); people in no
/// segment join one only when its answers explain theirs ([`place_the_unplaced`]), else they
/// stay lone; a segment left without people is dropped. Only when the variables are every
/// column: with amounts read as normal distributions too, the generators' groups were placed
/// near perfectly, but on real exports a mass segment that is several groups, read as one
/// class, lost people to smaller segments (the finance survey: 47 % of people moved; the
/// hotel file 17 %). k-means and mixtures keep their own placement.
///
/// Rounds repeat until no one moves (classification EM, Celeux & Govaert 1992): shares fitted
/// on members that include misplaced people keep some of them where they are, and each round
/// places the rest better. One round left the grocer's groups read by what they say alone at
/// 20,000 rows with F1 0.77–0.85; repeated, 0.89–0.97.
///
/// A member's own segment reads their free-text answers as if they were not among its
/// members (leave-one-out, [`latent::Groups::surprises`]): counted in, a few budget shoppers
/// who gave rare wordings of their job propped up those wordings' shares in the party hosts'
/// segment of 87 they sat in, and stayed there (the grocer read by what they say alone at
/// 5,000 rows: 20 mass shoppers among the party hosts, F1 0.83).
///
/// Then the people of one wording in a segment move together, when their other answers fit
/// another segment better ([`latent::wording_moves`]), and everyone is placed again; until no
/// wording moves.
///
/// Rounds are simultaneous: everyone is placed by the shares of the round before. Two people
/// giving one rare wording, one in each of two segments, would each go where the other is,
/// round after round (read by what they say alone at 100,000 rows, the grocer's rounds ran
/// to the bound, two people swapping); nobody goes straight back to the segment they just
/// left.
fn place_by_answers(result: &mut Clustering, latent: Latent<'_>) {
    place_the_unplaced(result, latent);
    let mut came_from = vec![None; result.labels.len()];
    let mut rounds = |result: &mut Clustering| {
        came_from.fill(None);
        for _ in 0..PLACEMENT_ROUNDS {
            if place_by_answers_once(result, latent, &mut came_from) == 0 {
                break;
            }
        }
    };
    rounds(result);
    if move_wordings(result, latent) > 0 {
        rounds(result);
    }
    result.make_outliers(&[]);
}

/// [`latent::wording_moves`] among the segments as they are (copies of earlier rows left
/// out: they follow their originals at the end); how many people moved, each on the edge of
/// their new segment. Segments left empty stay, empty, until [`Clustering::make_outliers`].
fn move_wordings(result: &mut Clustering, latent: Latent<'_>) -> usize {
    let groups = members_by_segment(result, latent);
    let moves = latent::wording_moves(
        latent.variables,
        latent.weights,
        &groups,
        result.min_cluster_size as f64,
        PLACEMENT_ROUNDS,
    );
    let mut moved = 0;
    for m in &moves {
        for &i in &m.rows {
            if let (Some(l), Some(member)) =
                (result.labels.get_mut(i), result.membership.get_mut(i))
            {
                *l = Some(m.to);
                *member = Membership::Edge;
                moved += 1;
            }
        }
    }
    moved
}

/// Most rounds of [`place_by_answers`]. Each round refits the segments' answer shares on
/// their members and moves everyone to the segment that explains them best; with
/// maximum-likelihood shares that could not lower the classification likelihood, and the
/// rounds stop when no one moves (within 10 rounds on the generators' files at 20,000 and
/// 100,000 rows). The shares here are smoothed, people who answered nothing weighed are
/// placed by the other block, and a move needs a strictly better explanation (so ties do not
/// cycle), so that guarantee is not exact: this bound keeps a page from waiting on a file
/// where the rounds would go round.
const PLACEMENT_ROUNDS: usize = 20;

/// The sample that forms segments: everyone up to [`SAMPLE`], else a seeded random subset
/// (sorted, so that results do not depend on the draw order).
pub fn choose_sample(n: usize, size: usize, seed: u64) -> Vec<usize> {
    choose_sample_among(n, size, seed, &[])
}

/// [`choose_sample`] among the rows that are not `copies` (rows that repeat an earlier row,
/// each with the row it repeats, sorted: the same person exported twice is one person when
/// segments are formed, and takes the segment of the row it repeats afterwards,
/// [`Clustering::follow_originals`]). Without copies, the same sample as [`choose_sample`].
pub fn choose_sample_among(
    n: usize,
    size: usize,
    seed: u64,
    copies: &[(usize, usize)],
) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n)
        .filter(|&r| copies.binary_search_by_key(&r, |&(c, _)| c).is_err())
        .collect();
    if idx.len() <= size {
        return idx;
    }
    idx.shuffle(&mut Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x5a3_91e));
    idx.truncate(size);
    idx.sort_unstable();
    idx
}

/// The rows `idx` of `points`, in that order.
pub fn rows(points: &(impl Rows + ?Sized), idx: &[usize]) -> Dense {
    let mut out = Dense::zeros(idx.len(), points.n_cols());
    for (r, &i) in idx.iter().enumerate() {
        points.read_row(i, out.row_mut(r));
    }
    out
}

/// The columns as discrete variables and their weights, for [`latent`] classes.
#[derive(Debug, Clone, Copy)]
pub struct Latent<'a> {
    /// The variables, indexed by person.
    pub variables: &'a [crate::engine::features::Variable],
    /// Each variable's weight.
    pub weights: &'a [f64],
    /// The variables are every column that forms segments at this balance (a survey of
    /// choices and ratings; a shop's survey read by what people say alone, its amounts
    /// weighed 0): once segments are found, everyone is placed in the one whose answers
    /// explain theirs best ([`place_by_answers`]).
    pub every_column: bool,
    /// Rows that repeat an earlier row in every cell, a key included, each with the row it
    /// repeats (sorted): left out of the sample that forms segments
    /// ([`choose_sample_among`]) and of every fit of answer shares; each takes its
    /// original's segment at the end ([`Clustering::follow_originals`]).
    pub copies: &'a [(usize, usize)],
}

impl Latent<'_> {
    /// Whether the file is choices and ratings only: every column that forms segments is a
    /// variable, and none is the topic of a free-text answer. Density sees such a file as a
    /// lattice, each combination of answers a stack of people, and how many segments the
    /// stacks join into turns on counts that differ by one: five ratings drawn independently
    /// for 3,000 people came out as 12 segments at one draw and as 1 at another. Latent
    /// classes, the model of such answers, form its segments alone.
    pub fn answers_only(&self) -> bool {
        self.every_column && self.variables.iter().all(|v| v.centres.is_empty())
    }

    /// Whether row `i` is one of [`Latent::copies`].
    pub fn is_copy(&self, i: usize) -> bool {
        !self.copies.is_empty() && self.copies.binary_search_by_key(&i, |&(c, _)| c).is_ok()
    }
}

/// A segment of the sample split into latent classes: people spread to `parent` are placed
/// in the class that explains them best — segment `segment_of[person]`. `own` are the
/// segments its own classes became (not those its classes joined), by which a segment's
/// refinement is found.
pub(super) struct Refinement {
    pub(super) parent: usize,
    pub(super) segment_of: Vec<usize>,
    pub(super) own: Vec<usize>,
}

/// What the density step found in a (sub)sample.
struct SampleClusters {
    /// Label per sample point (`None` = noise).
    labels: Vec<Option<usize>>,
    /// Membership strength per sample point.
    strength: Vec<f64>,
    n_clusters: usize,
    min_samples: usize,
    /// (size in sample people, clusters) per size tried.
    sweep: Vec<(usize, usize)>,
    chosen_size: usize,
    /// Segments split into latent classes, for placing everyone else.
    pub(super) refinements: Vec<Refinement>,
}

/// Steps 3–5 of the module doc on the rows `sub`: smoothing, HDBSCAN, plateau, separation.
#[allow(clippy::too_many_arguments)]
fn cluster_sample(
    sub: &Dense,
    rows: &[usize],
    m_sample: usize,
    adapt: bool,
    min_samples: Option<usize>,
    max_separation: f64,
    respects: Option<&Respects<'_>>,
    seed: u64,
) -> SampleClusters {
    let graph = &knn_graph(sub, NEIGHBOURS, seed ^ 0xface);
    let mut smoothed = smooth(sub, graph, SMOOTH_STEPS);
    same_points_alike(sub, &mut smoothed);
    let k = min_samples.unwrap_or_else(|| default_min_samples(m_sample));
    let h = Hierarchy::build(&smoothed, k);
    // Segments for one smallest-segment size: the finest separated clusters, with clusters
    // that differ in a single respect merged.
    // With three or more columns the finest separated clusters are taken and merged back where
    // they differ in too few respects. With fewer, excess of mass with the stricter separation
    // keeps plain density data from fragmenting, and clusters that are one mode of every
    // column they differ in are merged (a count's stacks of whole numbers, an amount's
    // fragments: `merge_without_valley`).
    let merging = respects.is_some_and(|r| r.columns.len() >= 3);
    let segments_for = |m: usize, whole_regions: bool| {
        let cond = condense(&h, m);
        if !merging {
            let sel = select_separated(&cond, false, max_separation.min(EOM_SEPARATION));
            let Some(r) = respects else {
                let n = sel.selected.len();
                return (sel.labels, sel.strength, n);
            };
            let mut labels = sel.labels.clone();
            let map = merge_without_valley(&mut labels, sel.selected.len(), rows, r);
            let n = map.iter().map(|&x| x + 1).max().unwrap_or(0);
            if n == sel.selected.len() {
                return (sel.labels, sel.strength, n);
            }
            // People left between clusters merged into one segment belong to it; when every
            // cluster is one mode, so is everyone (lone outliers leave it below, `pulled_in`).
            let labels = hdbscan::label_by_segments(&cond, &sel.selected, &map);
            return (labels, sel.strength, n);
        }
        let sel = select_leaves(&cond, max_separation);
        let mut labels = sel.labels.clone();
        let map = match respects {
            Some(r) => merge_single_respect(&mut labels, sel.selected.len(), rows, r),
            None => (0..sel.selected.len()).collect(),
        };
        let n = map.iter().map(|&x| x + 1).max().unwrap_or(0);
        // Points left between fragments that were merged back into one segment belong to it.
        let mut labels = hdbscan::label_regions(&cond, &sel.selected, &map, max_separation);
        // Judged again on whole regions: a leaf is a group's densest core, whose answers are
        // its group's commonest, so two leaves of one group split by a yes/no answer can
        // seem to differ in ratings too until their regions' members are counted. Not in a
        // file of choices only, where density's regions are cells of a lattice of answers
        // (the latent classes find its groups): there they would fold small groups away.
        let n = match respects {
            Some(r) if whole_regions && !r.latent.is_some_and(|l| l.every_column) => {
                let again = merge_single_respect(&mut labels, n, rows, r);
                again.iter().map(|&x| x + 1).max().unwrap_or(0)
            }
            _ => n,
        };
        (labels, sel.strength, n)
    };
    // The size is chosen on the leaves' merge alone; the judgement on whole regions applies
    // to the size chosen (when it took part in the choice, five of the eleven real exports
    // changed instead of four, one of them gaining a segment of 13). The sweep reports the
    // counts the size was chosen by.
    let (m, sweep) = if adapt {
        choose_min_cluster_size(m_sample, |m| segments_for(m, false).2)
    } else {
        (m_sample, Vec::new())
    };
    let (mut labels, strength, n_clusters) = segments_for(m, true);
    let core = graph.kth_distance(NEIGHBOURS);
    // Smoothing can pull lone outliers into a group; in the raw space they are still far.
    // Members whose neighbour distance is over three times their segment's usual one leave it,
    // and so do members beyond a gap in the segment's neighbour distances (`pulled_in`): a
    // handful of outliers pulled into a segment of forty would otherwise set the yardstick
    // they are measured by.
    let all_rows: Vec<usize> = (0..sub.rows).collect();
    let step = spread::coarsest_step(sub, &all_rows);
    let reach = spread::segment_reach(&labels, &core, n_clusters, step);
    let gap = pulled_in(&labels, &core, n_clusters);
    for (i, l) in labels.iter_mut().enumerate() {
        if let Some(s) = *l
            && (core[i] > 3.0 * reach[s] || core[i] >= gap[s])
        {
            *l = None;
        }
    }
    // Noise in the sample whose neighbours mostly share a segment, and who is no farther from
    // them than its members usually are, joins it.
    let reach = spread::segment_reach(&labels, &core, n_clusters, step);
    // Repeat, so that labels reach into the pockets that leaf selection leaves between groups.
    for _ in 0..10 {
        if spread::attach(&mut labels, graph, (&core, &reach)).is_empty() {
            break;
        }
    }
    // Stacks of identical people, whose neighbours are all each other, by the nearest others.
    spread::attach_stacks(
        &mut labels,
        sub,
        graph,
        &reach,
        &all_rows,
        spread::Knots::Apart,
    );
    // Step 5b: latent classes within each segment, which density cannot see. The smallest
    // class is the smallest segment asked for (0.5 % of people by default), not the size the
    // density step moved to for a steady count of its own clusters.
    let mut n_clusters = n_clusters;
    let latent = respects.and_then(|r| r.latent);
    // When density leaves most people in no segment, its segments are shards, not groups:
    // everyone is one segment, and latent classes find the groups. (The grocer's say-only
    // file read by what people say alone: 84 % lone outliers and 11 shards of the mass
    // groups before.) So it is in a file of choices and ratings only, where density's
    // segments are stacks of a lattice ([`Latent::answers_only`]).
    let shards = 2 * labels.iter().filter(|l| l.is_none()).count() > labels.len();
    if latent.is_some_and(|l| shards || l.answers_only()) {
        labels.iter_mut().for_each(|l| *l = Some(0));
        n_clusters = 1;
    }
    let refinements = match latent {
        Some(l) => split_into_classes(&mut labels, &mut n_clusters, rows, l, m_sample, seed),
        None => Vec::new(),
    };
    SampleClusters {
        labels,
        strength,
        n_clusters,
        min_samples: k,
        sweep,
        chosen_size: m,
        refinements,
    }
}

/// People at the same point stay at one point after smoothing: each set of identical rows of
/// `points` takes the mean of its rows in `smoothed`. Smoothing follows the neighbour graph,
/// whose ties among identical points are broken arbitrarily, and would otherwise scatter a
/// stack of identical people (a column of counts) into fragments that density takes for
/// groups.
fn same_points_alike(points: &Dense, smoothed: &mut Dense) {
    let d = points.cols;
    if d == 0 || smoothed.cols != d || smoothed.rows != points.rows {
        return;
    }
    let mut order: Vec<usize> = (0..points.rows).collect();
    let cmp = |a: &usize, b: &usize| spread::row_order(points, *a, *b);
    order.sort_by(cmp);
    for same in order
        .chunk_by(|a, b| cmp(a, b).is_eq())
        .filter(|s| s.len() > 1)
    {
        let mut mean = vec![0.0; d];
        for &i in same {
            mean.iter_mut()
                .zip(&smoothed.data[i * d..(i + 1) * d])
                .for_each(|(m, x)| *m += x);
        }
        mean.iter_mut().for_each(|m| *m /= same.len() as f64);
        for &i in same {
            smoothed.data[i * d..(i + 1) * d].copy_from_slice(&mean);
        }
    }
}

/// Most segments a file is shown with, mass middle included: a marketer acts on a handful.
/// Latent classes beyond it fold back into the class they overlap most, the least worth
/// first; segments density found are never folded.
pub const MAX_SEGMENTS: usize = 12;

/// Splits each segment whose members (`labels`, rows `rows` of the data) form several latent
/// classes ([`latent::classes`]) of at least `min_size` (or smaller, the rest of a smaller
/// segment): the largest class keeps the segment,
/// each other becomes a new one — the most worth first, while there are fewer than
/// [`MAX_SEGMENTS`] segments — unless it is the rest of another segment density found
/// ([`latent::joins`]), which it joins: density may find 177 of a survey's 300 pet owners and
/// leave the rest in a mass segment, where latent classes find them again. A class smaller
/// than `min_size` only ever joins.
fn split_into_classes(
    labels: &mut [Option<usize>],
    n_clusters: &mut usize,
    rows: &[usize],
    latent: Latent<'_>,
    min_size: usize,
    seed: u64,
) -> Vec<Refinement> {
    // For each segment, the people of every other segment density found (sample rows' data
    // rows), and those segments' ids: a class that is the rest of one of them joins it. A
    // class too small to be a segment may only join a smaller segment than its own: it is
    // the rest of a small group that density left in a larger one.
    let density_segments = *n_clusters;
    let members_of = |s: usize| -> Vec<usize> {
        (0..labels.len())
            .filter(|&r| labels[r] == Some(s))
            .filter_map(|r| rows.get(r).copied())
            .collect()
    };
    let all_members: Vec<Vec<usize>> = (0..density_segments).map(members_of).collect();
    let others_of = |parent: usize, smaller: bool| -> (Vec<Vec<usize>>, Vec<usize>) {
        let size = all_members[parent].len();
        (0..density_segments)
            .filter(|&s| s != parent && (!smaller || all_members[s].len() < size))
            .map(|s| (all_members[s].clone(), s))
            .unzip()
    };
    // Fit every segment first, then choose which classes to keep across them all.
    let sizes = latent::Sizes {
        min_size,
        mass: (crate::engine::rank::MASS_SHARE * labels.len() as f64).ceil() as usize,
    };
    let mut fits = Vec::new();
    let mut others = Vec::new();
    for (parent, members) in all_members.iter().enumerate() {
        let at: Vec<usize> = (0..labels.len())
            .filter(|&r| labels[r] == Some(parent))
            .collect();
        let smaller = others_of(parent, true);
        if let Some(found) = latent::classes(
            latent.variables,
            latent.weights,
            members,
            &smaller.0,
            sizes,
            seed ^ parent as u64,
        ) {
            fits.push((parent, at, found));
            others.push((others_of(parent, false), smaller));
        }
    }
    // (worth, fit, class) of every class but each segment's largest, and those too small to
    // be a segment, which may only join one.
    let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
    let mut joiners: Vec<(usize, usize)> = Vec::new();
    let mut largest = Vec::with_capacity(fits.len());
    for (f, (_, _, found)) in fits.iter().enumerate() {
        let mut size = vec![0usize; found.model.len()];
        found.labels.iter().for_each(|&c| size[c] += 1);
        let big = (0..size.len())
            .max_by_key(|&c| (size[c], usize::MAX - c))
            .unwrap_or(0);
        largest.push(big);
        for c in (0..size.len()).filter(|&c| c != big && size[c] > 0) {
            if size[c] < min_size {
                joiners.push((f, c));
            } else {
                candidates.push((found.worth.get(c).map_or(0.0, |w| w.0), f, c));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    // The classes worth most, while there is room, become segments or join one. Of the
    // classes of a segment's size, only they may join (the small ones always try, and only
    // join): trying every class lets a minor class that did not join become a segment of its
    // own (the grocer's say-only athletes at 100,000 rows came out as 1,092 and 461 people,
    // the 461 then too few for a segment; F1 0.897 -> 0.808).
    let room = MAX_SEGMENTS.saturating_sub(*n_clusters);
    let kept: Vec<(usize, usize)> = candidates.iter().take(room).map(|c| (c.1, c.2)).collect();
    let mut refinements = Vec::new();
    // The segment each new segment was split from, by id from `density_segments`.
    let mut made_from: Vec<usize> = Vec::new();
    // Each fit's class ids once given, and the classes that joined a density segment: (fit,
    // class, segment joined).
    let mut ids_of_fit: Vec<Option<Vec<usize>>> = vec![None; fits.len()];
    let mut joined_classes: Vec<(usize, usize, usize)> = Vec::new();
    for (f, (parent, at, found)) in fits.iter().enumerate() {
        let (parent, k) = (*parent, found.model.len());
        // Each class's segment: kept classes get new ones, the largest keeps the parent's,
        // and the rest follow the class they overlap most, until they reach one that stays.
        let mut ids: Vec<Option<usize>> = (0..k)
            .map(|c| (c == largest[f]).then_some(parent))
            .collect();
        for (c, id) in ids.iter_mut().enumerate() {
            let joiner = joiners.contains(&(f, c));
            if !joiner && !kept.contains(&(f, c)) {
                continue;
            }
            // A class that is the rest of a group density found elsewhere joins it; one too
            // small to be a segment otherwise follows the class it overlaps most.
            let class: Vec<usize> = at
                .iter()
                .zip(&found.labels)
                .filter(|&(_, &l)| l == c)
                .filter_map(|(&r, _)| rows.get(r).copied())
                .collect();
            let (groups, group_ids) = if joiner { &others[f].1 } else { &others[f].0 };
            let joined = latent::joins(latent.variables, latent.weights, &class, groups)
                .and_then(|g| group_ids.get(g).copied());
            *id = match joined {
                Some(g) => {
                    joined_classes.push((f, c, g));
                    Some(g)
                }
                None if joiner => None,
                None => {
                    *n_clusters += 1;
                    made_from.push(parent);
                    Some(*n_clusters - 1)
                }
            };
        }
        // The rest follow the class they overlap most, until one that stays; never into the
        // segment a small class joined (a joiner with an id), which took that class alone.
        let stays = |ids: &[Option<usize>], c: usize| -> Option<usize> {
            ids[c].filter(|_| !joiners.contains(&(f, c)))
        };
        for c in 0..k {
            let mut at_class = c;
            for _ in 0..k {
                if stays(&ids, at_class).is_some() {
                    break;
                }
                at_class = found.worth.get(at_class).map_or(largest[f], |w| w.1);
            }
            if ids[c].is_none() {
                ids[c] = Some(stays(&ids, at_class).unwrap_or(parent));
            }
        }
        let ids: Vec<usize> = ids.into_iter().map(|i| i.unwrap_or(parent)).collect();
        if ids.iter().all(|&i| i == parent) {
            continue;
        }
        for (&r, &c) in at.iter().zip(&found.labels) {
            labels[r] = Some(ids[c]);
        }
        ids_of_fit[f] = Some(ids);
    }
    // A class that joined a segment density found, where that segment was itself split into
    // classes, joins the class of it that each of its people fits: the rest of a small group
    // joins that group, not the segment's largest class, which keeps the segment's number.
    // (A mailing list's 87 "Bounced once", among two of density's segments of lapsed
    // readers, were a class in each; the 39 in one joined the other segment and so stayed
    // with its lapsed readers, while its 48 became a segment.)
    let fit_of: Vec<Option<usize>> = (0..density_segments)
        .map(|g| (0..fits.len()).find(|&h| fits[h].0 == g && ids_of_fit[h].is_some()))
        .collect();
    let rejoin = |f: usize, c: usize, i: usize| -> Option<usize> {
        let &(_, _, g) = joined_classes
            .iter()
            .find(|&&(jf, jc, _)| jf == f && jc == c)?;
        let h = fit_of.get(g).copied().flatten()?;
        let ids = ids_of_fit.get(h)?.as_ref()?;
        ids.get(fits[h].2.model.classify(latent.variables, i))
            .copied()
    };
    for (f, (parent, at, found)) in fits.iter().enumerate() {
        let Some(ids) = ids_of_fit[f].as_ref() else {
            continue;
        };
        let parent = *parent;
        for (&r, &c) in at.iter().zip(&found.labels) {
            if let Some(s) = rows.get(r).and_then(|&i| rejoin(f, c, i)) {
                labels[r] = Some(s);
            }
        }
        // Everyone's best class, for those spread to this segment later.
        let everyone = latent.variables.first().map_or(0, |v| v.codes.len());
        let segment_of = (0..everyone)
            .map(|i| {
                let c = found.model.classify(latent.variables, i);
                rejoin(f, c, i)
                    .or_else(|| ids.get(c).copied())
                    .unwrap_or(parent)
            })
            .collect();
        let own = (0..ids.len())
            .filter(|&c| !joined_classes.iter().any(|&(jf, jc, _)| jf == f && jc == c))
            .map(|c| ids[c])
            .collect();
        refinements.push(Refinement {
            parent,
            segment_of,
            own,
        });
    }
    join_new_classes(
        labels,
        n_clusters,
        &mut refinements,
        rows,
        latent,
        &made_from,
    );
    refinements
}

/// Joins each new segment made of a class to an earlier new segment split from other
/// segments, when the two are one group: when merging them shortens the message
/// ([`latent::joins`]). `made_from[j]` is the segment that new segment `first_new + j` was
/// split from, the new ids being the last `made_from.len()`. A group density cut in two —
/// part in a segment of its own with another small group, part in the mass middle — is found
/// as a class in each, and the two classes are tested against density's segments as they
/// were, not against each other (the SaaS export's consultants read by what they say alone,
/// 5,000 rows: 33 with the schools, 16 in the mass middle, a class each). Classes split from
/// one segment stay apart, as its own fit left them, and never meet in one joined segment.
fn join_new_classes(
    labels: &mut [Option<usize>],
    n_clusters: &mut usize,
    refinements: &mut [Refinement],
    rows: &[usize],
    latent: Latent<'_>,
    made_from: &[usize],
) {
    let total = *n_clusters;
    let Some(first_new) = total.checked_sub(made_from.len()) else {
        return;
    };
    if made_from.len() < 2 {
        return;
    }
    let members_of = |labels: &[Option<usize>], id: usize| -> Vec<usize> {
        (0..labels.len())
            .filter(|&r| labels[r] == Some(id))
            .filter_map(|r| rows.get(r).copied())
            .collect()
    };
    // Each segment's root (itself, or the earlier new segment it joined), and the segments
    // each root's classes were split from.
    let mut into: Vec<usize> = (0..total).collect();
    let mut from: Vec<Vec<usize>> = (0..total)
        .map(|id| {
            id.checked_sub(first_new)
                .and_then(|j| made_from.get(j))
                .map_or_else(Vec::new, |&p| vec![p])
        })
        .collect();
    for (j, &parent) in made_from.iter().enumerate().skip(1) {
        let id = first_new + j;
        let earlier: Vec<usize> = (first_new..id)
            .filter(|&e| into[e] == e && !from[e].contains(&parent))
            .collect();
        if earlier.is_empty() {
            continue;
        }
        let groups: Vec<Vec<usize>> = earlier.iter().map(|&e| members_of(labels, e)).collect();
        let class = members_of(labels, id);
        if let Some(g) = latent::joins(latent.variables, latent.weights, &class, &groups)
            .and_then(|g| earlier.get(g).copied())
        {
            into[id] = g;
            from[g].push(parent);
            labels
                .iter_mut()
                .filter(|l| **l == Some(id))
                .for_each(|l| *l = Some(g));
        }
    }
    // Ids stay consecutive.
    let mut compact = vec![0; total];
    let mut next = 0;
    for id in 0..total {
        if into[id] == id {
            compact[id] = next;
            next += 1;
        }
    }
    if next == total {
        return;
    }
    let final_id = |id: usize| {
        let root = into.get(id).copied().unwrap_or(id);
        compact.get(root).copied().unwrap_or(root)
    };
    labels.iter_mut().flatten().for_each(|l| *l = final_id(*l));
    for r in refinements.iter_mut() {
        r.parent = final_id(r.parent);
        r.segment_of.iter_mut().for_each(|s| *s = final_id(*s));
        r.own.iter_mut().for_each(|s| *s = final_id(*s));
    }
    *n_clusters = next;
}

/// A jump between consecutive neighbour distances, sorted, that sets members apart from their
/// segment (see [`pulled_in`]).
const GAP: f64 = 2.0;
/// ... and how far above the segment's median neighbour distance the jump must land.
const GAP_ABOVE_MEDIAN: f64 = 2.5;

/// For each segment, the neighbour distance from which members were pulled in from elsewhere
/// (infinite when none were): the first distance, in the upper half of the sorted members'
/// distances, at least [`GAP`] times the one before it and [`GAP_ABOVE_MEDIAN`] times the
/// median. A group's own members thin out gradually, even in the tails of a Gaussian; lone
/// outliers that smoothing drew into a segment sit beyond a jump (in the generated export of
/// seed 6, 5,000 rows: members up to 1.18× the median, then six outliers from 3.2×).
pub(super) fn pulled_in(labels: &[Option<usize>], core: &[f64], n_segments: usize) -> Vec<f64> {
    spread::sorted_by_segment(labels, core, n_segments)
        .into_iter()
        .map(|v| {
            let median = v.get(v.len() / 2).copied().unwrap_or(0.0);
            (v.len() / 2 + 1..v.len())
                .map(|k| (v[k - 1], v[k]))
                .find(|&(before, at)| at >= GAP * before && at >= GAP_ABOVE_MEDIAN * median)
                .map_or(f64::INFINITY, |(_, at)| at)
        })
        .collect()
}

/// Tries nine smallest-segment sizes around `m0` (¼× to 4×, steps of √2), counting the
/// segments each gives, and keeps the size on the flattest stretch of that count, preferring
/// sizes near `m0`: a default away from parameter cliffs, where one step would collapse many
/// segments into few.
pub fn choose_min_cluster_size(
    m0: usize,
    segments_for: impl Fn(usize) -> usize,
) -> (usize, Vec<(usize, usize)>) {
    let mut sizes: Vec<usize> = (-4..=4)
        .map(|s: i32| ((m0 as f64) * libm::pow(2.0, f64::from(s) / 2.0)).round() as usize)
        .map(|m| m.max(5))
        .collect();
    sizes.dedup();
    let sweep: Vec<(usize, usize)> = sizes.iter().map(|&m| (m, segments_for(m))).collect();
    let mut best = (f64::INFINITY, m0);
    for i in 0..sweep.len() {
        let c = sweep[i].1 as f64;
        let prev = if i > 0 { sweep[i - 1].1 as f64 } else { c };
        let next = sweep.get(i + 1).map_or(c, |x| x.1 as f64);
        let jump = ((prev - c).abs() + (next - c).abs()) / c.max(1.0);
        let distance = libm::log2(sweep[i].0 as f64 / m0 as f64).abs();
        let score = jump + 0.25 * distance;
        if score < best.0 {
            best = (score, sweep[i].0);
        }
    }
    (best.1, sweep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everyones_graph_from_helpers_is_the_graph_built_here() {
        use neighbours::TREES;
        use rand::Rng;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        for n in [600, 2500] {
            let data = (0..n * 6).map(|_| rng.r#gen::<f64>()).collect();
            let points = Dense {
                rows: n,
                cols: 6,
                data,
            };
            let here = everyone_graph(&points, 21);
            let mut shares =
                (0..3).map(|p| everyone_forest_part(&points, 21, neighbours::tree_share(p, 3)));
            let mut merged = shares.next().expect("three shares");
            assert!(shares.all(|share| merged.merge(&share)));
            let helped = everyone_graph_from(&points, merged);
            assert!(helped == here, "{n} points");
            assert_eq!(neighbours::tree_share(2, 3).end, TREES);
        }
    }
    use crate::engine::linalg::gaussian;

    /// Three blobs: 300, 300 and 12 points, and 4 scattered points far from all.
    fn blobs() -> (Dense, Vec<Option<usize>>) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let centres = [(0.0, 0.0, 300usize), (10.0, 0.0, 300), (5.0, 12.0, 12)];
        let mut data = Vec::new();
        let mut truth = Vec::new();
        for (c, &(x, y, count)) in centres.iter().enumerate() {
            let spread = if count < 20 { 0.2 } else { 1.0 };
            for _ in 0..count {
                data.push(x + spread * gaussian(&mut rng));
                data.push(y + spread * gaussian(&mut rng));
                truth.push(Some(c));
            }
        }
        for &(x, y) in &[(30.0, 30.0), (-30.0, 25.0), (40.0, -30.0), (-25.0, -35.0)] {
            data.push(x);
            data.push(y);
            truth.push(None);
        }
        (
            Dense {
                rows: truth.len(),
                cols: 2,
                data,
            },
            truth,
        )
    }

    /// Two blobs of 300 points and eight far, tight knots of 6 points each.
    fn blobs_and_knots() -> Dense {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let mut data = Vec::new();
        for x in [0.0, 10.0] {
            for _ in 0..300 {
                data.push(x + gaussian(&mut rng));
                data.push(gaussian(&mut rng));
            }
        }
        for k in 0..8 {
            let (x, y) = (40.0 * (f64::from(k) + 1.0), -30.0 + 7.0 * f64::from(k));
            for _ in 0..6 {
                data.push(x + 0.1 * gaussian(&mut rng));
                data.push(y + 0.1 * gaussian(&mut rng));
            }
        }
        Dense {
            rows: data.len() / 2,
            cols: 2,
            data,
        }
    }

    #[test]
    fn small_groups_and_lone_outliers_survive() {
        let (points, truth) = blobs();
        let params = ClusterParams {
            resamples: 2,
            ..Default::default()
        }
        .check()
        .expect("valid");
        let c = segment(&points, &params, None, &mut |_| {});
        assert_eq!(
            c.n_segments, 3,
            "two big blobs and the 12-person group: {:?}",
            c.sweep
        );
        for far in 612..616 {
            assert_eq!(c.labels[far], None, "point {far} is a lone outlier");
            assert_eq!(c.membership[far], Membership::Outlier);
        }
        for blob in 0..3 {
            let labels: std::collections::BTreeSet<Option<usize>> = (0..612)
                .filter(|&i| truth[i] == Some(blob))
                .map(|i| c.labels[i])
                .collect();
            assert_eq!(labels.len(), 1, "blob {blob} is one segment: {labels:?}");
        }
        assert!(
            c.stability.iter().flatten().all(|&v| v > 0.8),
            "{:?}",
            c.stability
        );
    }

    #[test]
    fn outliers_smoothed_into_a_small_group_leave_it() {
        // Two large groups, a tight group of 40 and, a few steps from it, a loose clump of six
        // people unlike anyone: smoothing draws the clump into the small group, and six of 46
        // are enough to set that group's 90th percentile. Beyond the jump in the group's
        // neighbour distances, they leave.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let mut data = Vec::new();
        for (x, y, n, spread) in [
            (0.0, 0.0, 400, 1.0),
            (12.0, 0.0, 400, 1.0),
            (6.0, 14.0, 40, 0.3),
        ] {
            for _ in 0..n {
                data.extend([
                    x + spread * gaussian(&mut rng),
                    y + spread * gaussian(&mut rng),
                ]);
            }
        }
        for k in 0..6 {
            let angle = k as f64;
            data.extend([6.0 + 2.5 * libm::cos(angle), 14.0 + 2.5 * libm::sin(angle)]);
        }
        let points = Dense {
            rows: data.len() / 2,
            cols: 2,
            data,
        };
        let params = ClusterParams {
            min_cluster_size: Some(20),
            resamples: 0,
            ..Default::default()
        }
        .check()
        .expect("valid");
        let c = segment(&points, &params, None, &mut |_| {});
        let small = c.labels[800];
        assert!(small.is_some());
        assert!(
            (800..840).all(|i| c.labels[i] == small),
            "the 40 are one segment"
        );
        for i in 840..846 {
            assert_eq!(c.labels[i], None, "clump member {i}: {:?}", c.membership[i]);
        }
    }

    /// `n` points in two well-separated Gaussian groups, alternating.
    fn two_groups(n: usize) -> Dense {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(8);
        let data: Vec<f64> = (0..n)
            .flat_map(|i| {
                let x = if i % 2 == 0 { 0.0 } else { 20.0 };
                [x + gaussian(&mut rng), gaussian(&mut rng)]
            })
            .collect();
        Dense {
            rows: n,
            cols: 2,
            data,
        }
    }

    #[test]
    fn people_in_no_segment_join_the_one_their_answers_fit_unless_no_segment_gives_them() {
        // Two segments of 40 over three answers of three levels: one mostly answers 0, the
        // other mostly 1 (about one answer in six is the other segment's level); nobody
        // in a segment answers 2. In no segment: someone who answers as the first segment
        // does, someone who answers 2 throughout, and someone who answered nothing.
        let n = 83;
        let typical = 80;
        let odd = 81;
        let silent = 82;
        let codes = |v: usize| -> Vec<u32> {
            (0..n)
                .map(|i| match i {
                    i if i == typical => 0,
                    i if i == odd => 2,
                    i if i == silent => crate::engine::features::MISSING,
                    i => {
                        let mine = u32::from(i >= 40);
                        if (i * 2_654_435_761 + v * 40_503) % 97 < 15 {
                            1 - mine
                        } else {
                            mine
                        }
                    }
                })
                .collect()
        };
        let variables: Vec<crate::engine::features::Variable> = (0..3)
            .map(|v| crate::engine::features::Variable {
                column: v,
                block: crate::engine::features::Block::Say,
                codes: codes(v),
                levels: 3,
                centres: Vec::new(),
            })
            .collect();
        let weights = vec![1.0; 3];
        let latent = Latent {
            variables: &variables,
            weights: &weights,
            every_column: true,
            copies: &[],
        };
        let mut labels: Vec<Option<usize>> = (0..n).map(|i| Some(usize::from(i >= 40))).collect();
        for i in [typical, odd, silent] {
            labels[i] = None;
        }
        let mut c = Clustering {
            labels,
            membership: vec![Membership::Core; n],
            core_distance: vec![1.0; n],
            neighbours: neighbours::Neighbours::none(n),
            n_segments: 2,
            micro: vec![false; 2],
            stability: vec![None; 2],
            min_cluster_size: 10,
            min_samples: 5,
            sweep: Vec::new(),
        };
        place_the_unplaced(&mut c, latent);
        assert_eq!(
            c.labels[typical],
            Some(0),
            "answers as the first segment does"
        );
        assert_eq!(c.membership[typical], Membership::Edge);
        assert_eq!(c.labels[odd], None, "answers no segment gives");
        assert_eq!(c.labels[silent], None, "nothing to be placed by");
        assert!((0..80).all(|i| c.labels[i] == Some(usize::from(i >= 40))));
    }

    /// Segments `labels` (of `n_segments`) to place by answers, everyone a core member.
    fn placed_by_answers(
        labels: Vec<Option<usize>>,
        n_segments: usize,
        min_cluster_size: usize,
    ) -> Clustering {
        let n = labels.len();
        Clustering {
            labels,
            membership: vec![Membership::Core; n],
            core_distance: vec![1.0; n],
            neighbours: neighbours::Neighbours::none(n),
            n_segments,
            micro: vec![false; n_segments],
            stability: vec![None; n_segments],
            min_cluster_size,
            min_samples: 5,
            sweep: Vec::new(),
        }
    }

    /// A free-text answer's topics (`centres` set) or, with `topics` false, a choice.
    fn said(
        column: usize,
        codes: Vec<u32>,
        levels: usize,
        topics: bool,
    ) -> crate::engine::features::Variable {
        crate::engine::features::Variable {
            column,
            block: crate::engine::features::Block::Say,
            codes,
            levels,
            centres: if topics {
                vec![vec![0.0]; levels]
            } else {
                Vec::new()
            },
        }
    }

    #[test]
    fn a_member_is_judged_by_their_segment_as_if_they_were_not_in_it() {
        // A mass segment of 300 answers a job in 29 common wordings and one rare one (three
        // people), and rates a need 0 seven times in ten. A small segment of 38 answers
        // four wordings of its own and rates the need 1 half the time. Two of the mass's
        // rare wording sit in the small segment and rate the need 1. Counted in, they make
        // their wording as likely in the small segment (2 of 40) as in the mass (3 of 300,
        // which the mass's share of people outweighs only with a nudge from the rating);
        // read as if they were not there, it is 1 of 39, and both go to the mass.
        let n = 340;
        let rare = 29;
        let job: Vec<u32> = (0..n)
            .map(|i| match i {
                0..297 => (i % 29) as u32,
                297..300 | 338..340 => rare,
                _ => 30 + (i % 4) as u32,
            })
            .collect();
        let need: Vec<u32> = (0..n)
            .map(|i| match i {
                0..297 => u32::from(i % 10 >= 7),
                297..300 => 0,
                300..338 => u32::from((i / 4) % 2 == 0),
                _ => 1,
            })
            .collect();
        // The job is a free-text answer's topics; the need, a rating.
        let variables = vec![said(0, job, 34, true), said(1, need, 2, false)];
        let weights = vec![1.0; 2];
        let latent = Latent {
            variables: &variables,
            weights: &weights,
            every_column: true,
            copies: &[],
        };
        let mut c = placed_by_answers((0..n).map(|i| Some(usize::from(i >= 300))).collect(), 2, 10);
        place_by_answers(&mut c, latent);
        assert_eq!(c.labels[338], Some(0), "the rare wording's first giver");
        assert_eq!(c.labels[339], Some(0), "the rare wording's second giver");
        assert_eq!(c.membership[338], Membership::Edge);
        assert!((0..300).all(|i| c.labels[i] == Some(0)), "the mass stays");
        assert!(
            (300..338).all(|i| c.labels[i] == Some(1)),
            "the small segment stays"
        );
    }

    #[test]
    fn the_people_of_one_wording_move_together_where_their_other_answers_fit() {
        // Free-text jobs and obstacles (topics) and a rating. A segment of 80 new parents
        // words its job four ways (topics 0–3) and names obstacles 0–1; one of 40 elderly
        // relatives' shoppers words it four ways (4–7) and names obstacles 2–3; a mass of 300
        // words it twelve ways (9–20) and says "it's fine" (4), as do ten new parents. Among
        // the new parents sit 13 elderly relatives' shoppers who all word their job a fifth
        // way (8) and name obstacles 2–3. One by one they stay: wording 8 is theirs alone
        // among the new parents and nowhere among the elderly relatives' shoppers. Together,
        // their obstacles say where they belong.
        let n = 433;
        let job: Vec<u32> = (0..n)
            .map(|i| match i {
                0..80 => (i % 4) as u32,
                80..120 => 4 + (i % 4) as u32,
                120..420 => 9 + (i % 12) as u32,
                _ => 8,
            })
            .collect();
        let obstacle: Vec<u32> = (0..n)
            .map(|i| match i {
                0..10 => 4,
                10..80 => (i % 2) as u32,
                120..420 => 4,
                _ => 2 + (i % 2) as u32,
            })
            .collect();
        let rating: Vec<u32> = (0..n).map(|i| (i % 3) as u32).collect();
        let variables = vec![
            said(0, job, 21, true),
            said(1, obstacle, 5, true),
            said(2, rating, 3, false),
        ];
        let weights = vec![1.0; 3];
        let latent = Latent {
            variables: &variables,
            weights: &weights,
            every_column: true,
            copies: &[],
        };
        let segment = |i: usize| match i {
            0..80 | 420.. => 0,
            80..120 => 1,
            _ => 2,
        };
        let mut c = placed_by_answers((0..n).map(|i| Some(segment(i))).collect(), 3, 25);
        let mut one_by_one = c.clone();
        assert_eq!(
            place_by_answers_once(&mut one_by_one, latent, &mut vec![None; n]),
            0,
            "one by one, nobody moves"
        );
        place_by_answers(&mut c, latent);
        assert!(
            (420..n).all(|i| c.labels[i] == Some(1)),
            "the fifth wording's people"
        );
        assert_eq!(c.membership[420], Membership::Edge);
        assert!(
            (0..420).all(|i| c.labels[i] == Some(segment(i))),
            "everyone else stays"
        );
    }

    #[test]
    fn two_people_of_one_rare_wording_do_not_swap_segments_round_after_round() {
        // Two segments of 50 word their job five ways each (topics 0–4 and 5–9). One member
        // of each words it a sixth way (10). Read as if not in their own segment, each finds
        // the wording in the other segment, and both move; the round after, each would go
        // back, where the other now is.
        let n = 102;
        let job: Vec<u32> = (0..n)
            .map(|i| match i {
                0..50 => (i % 5) as u32,
                50..100 => 5 + (i % 5) as u32,
                _ => 10,
            })
            .collect();
        let variables = vec![said(0, job, 11, true)];
        let weights = vec![1.0];
        let latent = Latent {
            variables: &variables,
            weights: &weights,
            every_column: true,
            copies: &[],
        };
        let segment = |i: usize| usize::from((50..100).contains(&i) || i == 101);
        let mut c = placed_by_answers((0..n).map(|i| Some(segment(i))).collect(), 2, 10);
        let mut came_from = vec![None; n];
        assert_eq!(place_by_answers_once(&mut c, latent, &mut came_from), 2);
        assert_eq!(
            (c.labels[100], c.labels[101]),
            (Some(1), Some(0)),
            "swapped"
        );
        assert_eq!(
            place_by_answers_once(&mut c, latent, &mut came_from),
            0,
            "not straight back"
        );
        let mut forgetful = c.clone();
        assert_eq!(
            place_by_answers_once(&mut forgetful, latent, &mut vec![None; n]),
            2,
            "without the rule they swap again"
        );
    }

    /// One small group cut in two by density — part beside another small group, part in the
    /// mass middle — is found as a class in each: the two classes are one segment; a class of
    /// other answers stays a segment of its own, and ids stay consecutive.
    #[test]
    fn classes_of_one_group_split_from_two_segments_are_one_segment() {
        // Levels answered: the mass 0, the other small group 1, the cut group 2, another
        // group 3; about one answer in seven strays to the next level.
        let blocks = [(100, 0, 0), (40, 1, 1), (30, 2, 2), (30, 3, 2), (30, 4, 3)];
        let mut answer = Vec::new();
        let mut labels = Vec::new();
        for &(size, label, level) in &blocks {
            answer.extend(std::iter::repeat_n(level, size));
            labels.extend(std::iter::repeat_n(Some(label), size));
        }
        let n = answer.len();
        let variables: Vec<crate::engine::features::Variable> = (0..4)
            .map(|v| crate::engine::features::Variable {
                column: v,
                block: crate::engine::features::Block::Say,
                codes: (0..n)
                    .map(|i| {
                        let stray = (i * 2_654_435_761 + v * 40_503) % 97 < 14;
                        (answer[i] + u32::from(stray)) % 4
                    })
                    .collect(),
                levels: 4,
                centres: Vec::new(),
            })
            .collect();
        let weights = vec![1.0; 4];
        let latent = Latent {
            variables: &variables,
            weights: &weights,
            every_column: true,
            copies: &[],
        };
        let rows: Vec<usize> = (0..n).collect();
        let mut refinements = vec![
            Refinement {
                parent: 0,
                segment_of: (0..n).map(|i| [0, 0, 2, 4][answer[i] as usize]).collect(),
                own: vec![0, 2, 4],
            },
            Refinement {
                parent: 1,
                segment_of: (0..n).map(|i| if answer[i] == 2 { 3 } else { 1 }).collect(),
                own: vec![1, 3],
            },
        ];
        let mut n_clusters = 5;
        join_new_classes(
            &mut labels,
            &mut n_clusters,
            &mut refinements,
            &rows,
            latent,
            &[0, 1, 0],
        );
        assert_eq!(n_clusters, 4);
        let expected = [0, 1, 2, 2, 3];
        let mut at = 0;
        for (&(size, _, _), &want) in blocks.iter().zip(&expected) {
            assert!(
                labels[at..at + size].iter().all(|&l| l == Some(want)),
                "{want}"
            );
            at += size;
        }
        assert!(refinements[1].segment_of.iter().all(|&s| s == 1 || s == 2));
        assert!(
            refinements[0]
                .segment_of
                .iter()
                .all(|&s| [0, 2, 3].contains(&s))
        );
    }

    #[test]
    fn people_made_outliers_leave_no_empty_segment_behind() {
        let mut c = Clustering {
            labels: vec![Some(0), Some(1), Some(1), Some(2)],
            membership: vec![Membership::Core; 4],
            core_distance: vec![1.0; 4],
            neighbours: neighbours::Neighbours::none(4),
            n_segments: 3,
            micro: vec![false, true, false],
            stability: vec![Some(0.9), Some(0.5), None],
            min_cluster_size: 2,
            min_samples: 2,
            sweep: Vec::new(),
        };
        c.make_outliers(&[1, 2, 9]);
        assert_eq!(c.labels, vec![Some(0), None, None, Some(1)]);
        assert_eq!(c.membership[1], Membership::Outlier);
        assert_eq!(
            (c.n_segments, c.micro.clone(), c.stability.clone()),
            (2, vec![false, false], vec![Some(0.9), None])
        );
    }

    #[test]
    fn labels_spread_from_the_sample_to_everyone() {
        // Two well-separated groups of 5,000: the sample holds 6,000, the rest get labels by
        // propagation, and each group stays one segment.
        let n = 10_000;
        let points = two_groups(n);
        let params = ClusterParams {
            resamples: 0,
            ..Default::default()
        }
        .check()
        .expect("valid");
        let c = segment(&points, &params, None, &mut |_| {});
        assert_eq!(c.n_segments, 2);
        // Each group is one segment; only a few people in the Gaussian tails are outliers.
        for parity in 0..2 {
            let labels: Vec<Option<usize>> = (parity..n).step_by(2).map(|i| c.labels[i]).collect();
            let first = labels.iter().flatten().next().copied();
            let same = labels.iter().filter(|l| **l == first).count();
            assert!(
                same * 100 >= labels.len() * 99,
                "group {parity}: {same} of {}",
                labels.len()
            );
            assert!(labels.iter().all(|l| l.is_none() || *l == first));
        }
        assert_ne!(c.labels[0], c.labels[1]);
    }

    #[test]
    fn the_graph_built_apart_changes_nothing() {
        // The web worker builds everyone's graph in a second worker and finishes with it; the
        // result must be what `segment` (two threads) gives, for both kinds of method.
        let points = two_groups(8_000);
        for method in [Method::Density, Method::KMeans] {
            let params = ClusterParams {
                method,
                k: 2,
                resamples: 2,
                ..Default::default()
            }
            .check()
            .expect("valid");
            let together = segment(&points, &params, None, &mut |_| {});
            let part = segment_sample(&points, &params, None, &mut |_| {});
            let graph = everyone_graph(&points, params.0.seed);
            let apart = segment_everyone(&points, part, graph, &params, None);
            assert_eq!(together, apart, "{method:?}");
            assert_eq!(together.n_segments, 2, "{method:?}");
            assert!(
                together
                    .stability
                    .iter()
                    .all(|s| s.is_some_and(|v| v > 0.9)),
                "{method:?}: {:?}",
                together.stability
            );
        }
    }

    #[test]
    fn resamples_run_the_whole_method_again() {
        // Each stability resample segments its people as the sample was segmented: from the
        // default size, chosen again by the sweep, unless a size was set, which it keeps. Two
        // blobs and eight tight knots of six: the count falls from 5 at the default size (5)
        // to 3 one step up and stays there, so the sweep moves the size from where it starts.
        let points = blobs_and_knots();
        for set in [None, Some(40)] {
            let params = ClusterParams {
                min_cluster_size: set,
                resamples: 3,
                ..Default::default()
            }
            .check()
            .expect("valid");
            let part = sample_segments(&points, &params, None, &mut |_| {});
            let Found::Density(sample) = &part.found else {
                panic!("density segments");
            };
            if set.is_none() {
                assert_ne!(
                    sample.chosen_size,
                    starting_size(&params.0, points.rows, part.sample.len()),
                    "the sweep moves the sample's size: {:?}",
                    sample.sweep
                );
            }
            let jobs = part.resample_jobs(&points, &params, None, 1);
            let resamples = jobs[0].run(&mut |_| {});
            assert_eq!(resamples.len(), 3);
            // Resamples whose own sweep moved the size, and that would have segmented
            // differently at the sample's size (as they did before they re-ran the sweep).
            let (mut moved, mut unlike_sample_size) = (0, 0);
            for r in &resamples {
                let people: Vec<usize> = r.kept.iter().map(|&k| part.sample[k]).collect();
                let sub = rows(&points, &people);
                let seed = params.0.seed.wrapping_add(r.number as u64).wrapping_add(1);
                let sep = params.0.max_separation;
                let start = starting_size(&params.0, points.rows, r.kept.len());
                let again =
                    cluster_sample(&sub, &r.kept, start, set.is_none(), None, sep, None, seed);
                assert_eq!(r.labels, again.labels, "size set: {set:?}");
                assert_eq!(again.sweep.is_empty(), set.is_some(), "size set: {set:?}");
                moved += usize::from(again.chosen_size != start);
                // The sample's chosen size, scaled to the resample and kept fixed.
                let scaled = (sample.chosen_size as f64 * r.kept.len() as f64
                    / part.sample.len() as f64)
                    .round() as usize;
                let fixed = cluster_sample(
                    &sub,
                    &r.kept,
                    scaled.max(5),
                    false,
                    Some(sample.min_samples),
                    sep,
                    None,
                    seed,
                );
                unlike_sample_size += usize::from(fixed.labels != r.labels);
            }
            if set.is_none() {
                assert!(
                    moved > 0 && unlike_sample_size > 0,
                    "{moved} {unlike_sample_size}"
                );
            }
        }
    }

    #[test]
    fn same_input_same_segments() {
        let (points, _) = blobs();
        let params = ClusterParams::default().check().expect("valid");
        let a = segment(&points, &params, None, &mut |_| {});
        let b = segment(&points, &params, None, &mut |_| {});
        assert_eq!(a, b);
    }

    #[test]
    fn kmeans_alternative_runs_and_flags_far_points() {
        let (points, _) = blobs();
        let params = ClusterParams {
            method: Method::KMeans,
            k: 3,
            resamples: 0,
            ..Default::default()
        }
        .check()
        .expect("valid");
        let c = segment(&points, &params, None, &mut |_| {});
        assert!(c.n_segments <= 3 && c.n_segments >= 2);
        assert!(
            (612..616).all(|i| c.labels[i].is_none()),
            "far points are outliers"
        );
    }
}
