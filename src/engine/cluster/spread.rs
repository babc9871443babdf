//! Steps 6 and 7 of the module doc: the sample's segments spread to everyone along the
//! neighbour graph ([`propagate`]), and people left over are triaged — close ones join a
//! segment as edge members ([`attach`]), compact groups among the rest become micro-segments,
//! whoever is left is a lone outlier ([`density`]).
//!
//! [`attach`] and [`segment_reach`] also finish the sample's own clusters
//! (`super::cluster_sample`).

use super::super::linalg::Dense;
use super::hdbscan::{Hierarchy, condense, select_separated};
use super::kdtree::KdTree;
use super::neighbours::Graph;
use super::params::{
    ClusterParams, NEIGHBOURS, SAMPLE, default_min_cluster_size, default_min_samples,
};
use super::{Clustering, Membership, SampleClusters, rows, to_people};

/// How much farther from its neighbours than a segment's usual member (its 90th percentile)
/// an unassigned person may be and still join it as an edge member.
const ATTACH_REACH: f64 = 1.5;

/// Gives each unlabelled point the label most of its labelled neighbours carry, when they
/// are a clear majority of the labelled ones and at least a third of all, and its own
/// neighbour distance (`reach.0`) is at most [`ATTACH_REACH`] times that segment's members'
/// usual one (`reach.1`).
pub(super) fn attach(
    labels: &mut [Option<usize>],
    graph: &Graph,
    reach: (&[f64], &[f64]),
) -> Vec<usize> {
    let n_labels = labels.iter().flatten().map(|&l| l + 1).max().unwrap_or(0);
    let before: Vec<Option<usize>> = labels.to_vec();
    let mut attached = Vec::new();
    let mut votes = vec![0usize; n_labels];
    for i in 0..labels.len() {
        if before[i].is_some() {
            continue;
        }
        votes.iter_mut().for_each(|v| *v = 0);
        let nb = graph.neighbours.of(i);
        for &j in nb.iter().skip(1) {
            if let Some(Some(s)) = before.get(j as usize) {
                votes[*s] += 1;
            }
        }
        let Some((s, v)) = majority(&votes) else {
            continue;
        };
        let (core, limit) = reach;
        let close = core
            .get(i)
            .zip(limit.get(s))
            .is_some_and(|(c, l)| *c <= ATTACH_REACH * l);
        // A clear majority of the labelled neighbours, and at least a third of all of them.
        let labelled: usize = votes.iter().sum();
        if v * 2 > labelled && v * 3 >= nb.len().saturating_sub(1) && close {
            labels[i] = Some(s);
            attached.push(i);
        }
    }
    attached
}

/// The label with the most votes (the lowest label on a tie) and its count; `None` when there
/// are no labels to vote for.
fn majority(votes: &[usize]) -> Option<(usize, usize)> {
    votes
        .iter()
        .copied()
        .enumerate()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
}

/// Gives each stack of identical unlabelled people that fills over two thirds of its members'
/// neighbour lists the label a clear majority of the nearest labelled `voters` carry, when
/// they are near enough.
///
/// Sixteen or more people alike in every column (a cell of a lattice of counts and ratings:
/// 3,000 customers' orders, visits and one rating put 17 to 42 people on each of many cells)
/// are each other's fifteen nearest neighbours, so the graph has no path out of their stack:
/// labels could not spread to it, [`attach`] found no labelled neighbour to count, and the
/// stack stayed in no segment, came back as a micro-segment of one cell or as that many lone
/// outliers (independent draws of two counts and a rating: up to 7 segments and 62 lone
/// outliers). Twelve to fifteen alike leave at most four others in each list, under the
/// third that [`attach`] asks to carry a label, and stayed out the same way. A stack instead counts at least the [`NEIGHBOURS`] labelled voters nearest its
/// point (the nearest distinct points first, each with every voter on it), and joins the
/// segment that has a clear majority of them when the farthest counted is within
/// [`ATTACH_REACH`] times that segment's usual neighbour distance (`reach`), as [`attach`]
/// asks of a person's own neighbour distance: a stack of identical answers far from
/// everyone stays out, a group of its own. The voters' distinct points are searched in a
/// k-d tree; `voters` is the sample, so the tree stays small for any file.
pub(super) fn attach_stacks(
    labels: &mut [Option<usize>],
    points: &Dense,
    graph: &Graph,
    reach: &[f64],
    voters: &[usize],
    knots: Knots,
) -> Vec<usize> {
    let n = labels.len().min(points.rows);
    // Their own neighbour lists, but for fewer than a third of them, are people alike:
    // [`attach`] asks a third of a person's neighbours to carry the label.
    let isolated = |i: usize| {
        let d = graph.distances(i);
        let others = d.len().saturating_sub(1);
        let alike = d.iter().skip(1).filter(|&&x| x == 0.0).count();
        labels[i].is_none() && others > 0 && 3 * alike > 2 * others
    };
    let mut stacked: Vec<usize> = (0..n).filter(|&i| isolated(i)).collect();
    let mut voting: Vec<usize> = voters
        .iter()
        .copied()
        .filter(|&i| i < n && labels[i].is_some())
        .collect();
    if voting.is_empty() {
        return Vec::new();
    }
    let alike = |a: &usize, b: &usize| row_order(points, *a, *b);
    stacked.sort_by(alike);
    voting.sort_by(alike);
    // The voters' distinct points, each with the voters on it.
    let at_point: Vec<&[usize]> = voting.chunk_by(|a, b| alike(a, b).is_eq()).collect();
    let distinct = Dense {
        rows: at_point.len(),
        cols: points.cols,
        data: at_point
            .iter()
            .flat_map(|on| points.row(on[0]).iter().copied())
            .collect(),
    };
    let tree = KdTree::build(&distinct);
    let n_labels = labels.iter().flatten().map(|&l| l + 1).max().unwrap_or(0);
    let mut votes = vec![0usize; n_labels];
    let mut nearest = Vec::new();
    let mut attached = Vec::new();
    // The label a clear majority of the voters nearest `point` carry, when near enough.
    let mut vote = |point: &[f64], labels: &[Option<usize>]| -> Option<usize> {
        tree.knn_of(point, NEIGHBOURS, &mut nearest);
        votes.iter_mut().for_each(|v| *v = 0);
        let (mut counted, mut farthest) = (0usize, 0.0f64);
        // Whole points, nearest first, until at least `NEIGHBOURS` voters are counted (a point
        // is never cut off partway, so row order does not decide the vote).
        for &(d2, t) in &nearest {
            if counted >= NEIGHBOURS {
                break;
            }
            let on = tree.order.get(t).and_then(|&p| at_point.get(p));
            for &j in on.into_iter().flat_map(|on| on.iter()) {
                if let Some(Some(l)) = labels.get(j) {
                    votes[*l] += 1;
                    counted += 1;
                    farthest = libm::sqrt(d2);
                }
            }
        }
        let (s, v) = majority(&votes)?;
        let close = reach.get(s).is_some_and(|&r| farthest <= ATTACH_REACH * r);
        (v * 2 > counted && close).then_some(s)
    };
    for stack in stacked.chunk_by(|a, b| alike(a, b).is_eq()) {
        if let Some(s) = vote(points.row(stack[0]), labels) {
            for &i in stack {
                labels[i] = Some(s);
                attached.push(i);
            }
        }
    }
    if knots == Knots::Apart {
        return attached;
    }
    let enclosed: Vec<bool> = (0..n)
        .map(|i| {
            labels[i].is_none()
                && graph.neighbours.get(i).is_some_and(|nb| {
                    nb.iter()
                        .skip(1)
                        .all(|&j| labels.get(j as usize).is_some_and(Option::is_none))
                })
        })
        .collect();
    let mut knot: Vec<usize> = (0..n).collect();
    fn root(knot: &mut [usize], mut i: usize) -> usize {
        while knot[i] != i {
            knot[i] = knot[knot[i]];
            i = knot[i];
        }
        i
    }
    for i in (0..n).filter(|&i| enclosed[i]) {
        for &j in graph.neighbours.of(i).iter().skip(1) {
            let j = j as usize;
            if j < n && enclosed[j] {
                let (a, b) = (root(&mut knot, i), root(&mut knot, j));
                // The lower index is the root: each knot is judged by its first member.
                knot[a.max(b)] = a.min(b);
            }
        }
    }
    let mut joins: Vec<Option<usize>> = vec![None; n];
    for i in (0..n).filter(|&i| enclosed[i]) {
        let r = root(&mut knot, i);
        if r == i {
            joins[i] = vote(points.row(i), labels);
        }
    }
    for i in (0..n).filter(|&i| enclosed[i]) {
        let r = root(&mut knot, i);
        if let Some(s) = joins[r] {
            labels[i] = Some(s);
            attached.push(i);
        }
    }
    attached
}

/// Whether [`attach_stacks`] also judges knots: people none of whose neighbours has a label,
/// taken together with those of them they list, though not alike to the last digit. Each
/// knot is judged as a stack is, by its first member's nearest voters.
///
/// Knots are searched for micro-segments with the rest of the people left over (the
/// diamonds' micro-segment of 2,926 is such a knot, and judged first it joined a mass
/// segment); but at most `4 × SAMPLE` people are searched. At 1,940,000 rows
/// (the generator's export, seed 3; 6,000 in the sample) 120,148 people of the mass groups
/// were in knots of a few hundred alike that no sampled person was in, too many to search,
/// and all stayed in no segment (at 1,000,000 rows 0.4 % were in none); so when the rest is
/// too many to search, knots are judged first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Knots {
    /// Left for the micro-segment search.
    Apart,
    /// Judged by their nearest voters.
    Judged,
}

/// Rows `a` and `b` of `points` in lexicographic order of their values (equal when alike in
/// every column).
pub(super) fn row_order(points: &Dense, a: usize, b: usize) -> std::cmp::Ordering {
    points
        .row(a)
        .iter()
        .zip(points.row(b))
        .map(|(x, y)| x.total_cmp(y))
        .find(|o| o.is_ne())
        .unwrap_or(std::cmp::Ordering::Equal)
}

/// Density segments for everyone from the sample's clusters (steps 6–7 of the module doc).
pub(super) fn density(
    points: &Dense,
    graph: Graph,
    sample: &[usize],
    found: SampleClusters,
    p: &ClusterParams,
    copies: &[(usize, usize)],
) -> Clustering {
    let n = points.rows;
    let s = sample.len();
    let m_people = p
        .min_cluster_size
        .unwrap_or_else(|| default_min_cluster_size(n));
    let mut n_segments = found.n_clusters;

    // Spread labels from the sample along everyone's neighbour graph.
    let mut labels: Vec<Option<usize>> = vec![None; n];
    let mut membership = vec![Membership::Outlier; n];
    let mut fixed = vec![false; n];
    for (r, &i) in sample.iter().enumerate() {
        labels[i] = found.labels[r];
        fixed[i] = true;
        membership[i] = match found.labels[r] {
            Some(_) if found.strength.get(r).is_some_and(|&st| st >= 0.1) => Membership::Core,
            Some(_) => Membership::Edge,
            None => Membership::Outlier,
        };
    }
    // A copy of a sampled row (the same customer exported twice, left out of the sample) is
    // where its original is, fixed like it.
    for &(copy, original) in copies {
        if copy < n && original < n && fixed[original] {
            labels[copy] = labels[original];
            membership[copy] = membership[original];
            fixed[copy] = true;
        }
    }
    let core = graph.kth_distance(NEIGHBOURS);
    if fixed.iter().any(|&f| !f) {
        propagate(&mut labels, &mut membership, &fixed, &graph, n_segments);
        // Spreading gives a label to anyone whose neighbours have one, and a lone outlier's
        // nearest people, however far, belong to some segment. People beyond the jump in
        // neighbour distances that took outliers out of the sample's segments
        // (`super::pulled_in`, with yardsticks from the sample's members in everyone's graph)
        // leave them too. (Extremes in a single column, which the clustering space tempers,
        // are found by their edge scores: `edges::Assessment::extremes`.)
        let sampled: Vec<Option<usize>> = (0..n)
            .map(|i| if fixed[i] { labels[i] } else { None })
            .collect();
        let gap = super::pulled_in(&sampled, &core, n_segments);
        for i in 0..n {
            if let Some(seg) = labels[i]
                && !fixed[i]
                && core[i] >= gap[seg]
            {
                labels[i] = None;
                membership[i] = Membership::Outlier;
            }
        }
    }

    // People spread to a segment the sample split into latent classes take the class that
    // explains their answers best: once, by the segment they were spread to (a class may have
    // joined a segment that is itself refined).
    let spread_to = labels.clone();
    for r in &found.refinements {
        for i in 0..n {
            if !fixed[i] && spread_to[i] == Some(r.parent) {
                labels[i] = r.segment_of.get(i).copied().or(labels[i]);
            }
        }
    }

    // Noise triage for everyone: attach close neighbours, then look for micro-segments.
    let reach = segment_reach(&labels, &core, n_segments, coarsest_step(points, sample));
    for i in attach(&mut labels, &graph, (&core, &reach)) {
        membership[i] = Membership::Edge;
    }
    for i in attach_stacks(&mut labels, points, &graph, &reach, sample, Knots::Apart) {
        membership[i] = Membership::Edge;
    }
    let mut micro = vec![false; n_segments];
    // Copies are not searched for micro-segments: a lone outlier and its copy are no group.
    let is_copy = |i: usize| copies.binary_search_by_key(&i, |&(c, _)| c).is_ok();
    let left_over = |labels: &[Option<usize>]| -> Vec<usize> {
        (0..n)
            .filter(|&i| labels[i].is_none() && !is_copy(i))
            .collect()
    };
    let mut rest = left_over(&labels);
    if rest.len() > 4 * SAMPLE {
        // A knot that joins a segment the sample split into latent classes takes, person by
        // person, the class that explains their answers best, as those spread to it did: the
        // sampled people nearest a knot are of whichever class lives there in the clustering
        // space, and classes that differ only in what people say share it (the SaaS
        // generator's say-only groups at 1,000,000 rows took 900 more people each, F1
        // 0.968 → 0.936).
        // A segment's refinement is the one split from it, else the one whose own classes
        // it is (another's class may have joined it).
        let family: Vec<Option<&super::Refinement>> = (0..n_segments)
            .map(|s| {
                let refinements = || found.refinements.iter();
                refinements()
                    .find(|r| r.parent == s)
                    .or_else(|| refinements().find(|r| r.own.contains(&s)))
            })
            .collect();
        for i in attach_stacks(&mut labels, points, &graph, &reach, sample, Knots::Judged) {
            membership[i] = Membership::Edge;
            if let Some(r) = labels[i].and_then(|s| family.get(s).copied().flatten()) {
                labels[i] = r.segment_of.get(i).copied().or(labels[i]);
            }
        }
        rest = left_over(&labels);
    }
    let m_micro = (m_people / 4).max(5);
    if rest.len() >= 2 * m_micro && rest.len() <= 4 * SAMPLE {
        let sub = rows(points, &rest);
        let hs = Hierarchy::build(&sub, default_min_samples(m_micro));
        let sel = select_separated(&condense(&hs, m_micro), false, p.max_separation);
        let mut member_core: Vec<f64> = (0..n)
            .filter(|&i| labels[i].is_some())
            .map(|i| core[i])
            .collect();
        member_core.sort_by(f64::total_cmp);
        let typical = member_core
            .get(member_core.len() * 3 / 4)
            .copied()
            .unwrap_or(f64::INFINITY);
        for c in 0..sel.selected.len() {
            let members: Vec<usize> = (0..rest.len())
                .filter(|&r| sel.labels[r] == Some(c))
                .collect();
            let mut cores: Vec<f64> = members.iter().map(|&r| hs.core[r]).collect();
            cores.sort_by(f64::total_cmp);
            let median = cores.get(cores.len() / 2).copied().unwrap_or(f64::INFINITY);
            if members.len() >= m_micro && median <= typical * 1.5 {
                let id = n_segments;
                n_segments += 1;
                micro.push(true);
                for &r in &members {
                    labels[rest[r]] = Some(id);
                    membership[rest[r]] = if sel.strength[r] >= 0.1 {
                        Membership::Core
                    } else {
                        Membership::Edge
                    };
                }
            }
        }
    }
    for &(copy, original) in copies {
        if copy < n && original < n {
            labels[copy] = labels[original];
            membership[copy] = membership[original];
        }
    }
    for i in 0..n {
        if labels[i].is_none() {
            membership[i] = Membership::Outlier;
        }
    }
    let to_people = |m: usize| to_people(m, s, n);
    Clustering {
        labels,
        membership,
        core_distance: core,
        neighbours: graph.neighbours,
        n_segments,
        micro,
        stability: vec![None; n_segments],
        min_cluster_size: to_people(found.chosen_size),
        min_samples: found.min_samples,
        sweep: found
            .sweep
            .iter()
            .map(|&(m, c)| (to_people(m), c))
            .collect(),
    }
}

/// Label propagation from the fixed (sample) people: repeatedly, each other person takes the
/// label — a segment, or "noise" — that most of their decided neighbours have. Updates are
/// synchronous, so the result does not depend on the order people are visited in.
fn propagate(
    labels: &mut [Option<usize>],
    membership: &mut [Membership],
    fixed: &[bool],
    graph: &Graph,
    n_segments: usize,
) {
    // State: UNDECIDED, `n_segments` = noise, `s` = segment s; four bytes a person, so that a
    // million people's states stay in cache while their neighbours are looked up.
    let noise = n_segments;
    let n = labels.len();
    let mut state: Vec<u32> = (0..n)
        .map(|i| {
            if fixed[i] {
                labels[i].unwrap_or(noise) as u32
            } else {
                UNDECIDED
            }
        })
        .collect();
    let free: Vec<usize> = (0..n).filter(|&i| !fixed[i]).collect();
    let mut agreement = vec![0.0f64; n];
    let mut votes = vec![0usize; n_segments + 1];
    let mut next = state.clone();
    // Who changed in the last round: a person none of whose neighbours changed would count
    // the same votes again and keep their label, so they are not visited (the result is that
    // of visiting everyone every round).
    let mut moved = vec![true; n];
    let mut moved_next = vec![false; n];
    for round in 1.. {
        let votes_of = Round {
            graph,
            free: &free,
            moved: &moved,
            state: &state,
            noise,
        };
        let change = votes_of.vote(&mut votes, &mut agreement, &mut next, &mut moved_next);
        if change == Change::None {
            break;
        }
        state.copy_from_slice(&next);
        std::mem::swap(&mut moved, &mut moved_next);
        moved_next.fill(false);
        if round >= SETTLING_ROUNDS && change != Change::Decided {
            break;
        }
    }
    let state: Vec<Option<usize>> = state
        .into_iter()
        .map(|l| (l != UNDECIDED).then_some(l as usize))
        .collect();
    for i in 0..labels.len() {
        if fixed[i] {
            continue;
        }
        labels[i] = state[i].filter(|&l| l != noise);
        membership[i] = match labels[i] {
            Some(_) if agreement[i] >= 0.8 => Membership::Core,
            Some(_) => Membership::Edge,
            None => Membership::Outlier,
        };
    }
}

/// A person [`propagate`] has not given a state yet.
const UNDECIDED: u32 = u32::MAX;

/// What one round of [`propagate`] reads.
struct Round<'a> {
    graph: &'a Graph,
    free: &'a [usize],
    moved: &'a [bool],
    state: &'a [u32],
    noise: usize,
}

impl Round<'_> {
    /// One round of votes: each free person whose neighbours moved takes their neighbours'
    /// most common state into `next`. Whether anyone changed, and whether anyone had no
    /// state before. A function of its own, called once per round, so that WebAssembly runs
    /// it optimised after the first: V8 optimises a function between calls, never during one
    /// (ARCHITECTURE.md).
    #[inline(never)]
    fn vote(
        &self,
        votes: &mut [usize],
        agreement: &mut [f64],
        next: &mut [u32],
        moved_next: &mut [bool],
    ) -> Change {
        let Round {
            graph,
            free,
            moved,
            state,
            noise,
        } = *self;
        let mut change = Change::None;
        for &i in free {
            let neighbours = graph.neighbours.of(i).iter().skip(1);
            if !neighbours
                .clone()
                .any(|&j| moved.get(j as usize).copied().unwrap_or(false))
            {
                continue;
            }
            votes.iter_mut().for_each(|v| *v = 0);
            let mut decided = 0;
            for &j in neighbours {
                if let Some(&l) = state.get(j as usize)
                    && l != UNDECIDED
                {
                    votes[l as usize] += 1;
                    decided += 1;
                }
            }
            if decided == 0 {
                continue;
            }
            let (best, v) = majority(votes).unwrap_or((noise, 0));
            agreement[i] = v as f64 / decided as f64;
            if next[i] != best as u32 {
                if next[i] == UNDECIDED {
                    change = Change::Decided;
                } else if change == Change::None {
                    change = Change::Moved;
                }
                next[i] = best as u32;
                moved_next[i] = true;
            }
        }
        change
    }
}

/// What a round of [`propagate`] changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// Nobody: the labels are settled.
    None,
    /// Somebody's label, but everyone who had none still has none.
    Moved,
    /// Somebody who had no label has one.
    Decided,
}

/// Rounds of [`propagate`] after which it stops at the first round that gives nobody new a
/// label: synchronous majority votes can go back and forth for ever (the generator's 100,000
/// rows still had people changing after 50 rounds), and this bounds them. Rounds that give
/// somebody their first label go on: a person who has a label never loses it, so there are
/// at most as many of them as people (a bound of 50 on all rounds left all but 50 of a chain
/// of 2,000 without one).
const SETTLING_ROUNDS: usize = 50;

/// For each segment, the 90th percentile of its members' neighbour distances: how far apart
/// ordinary members are. A segment of identical answers only (every distance 0) takes the
/// typical distance of everyone who is not a duplicate, so that its neighbours can still join.
/// Never below `step`, the data's coarsest step ([`coarsest_step`]): on a lattice of answers
/// the distances come in whole steps, and the next one up is not beyond the edge.
pub(super) fn segment_reach(
    labels: &[Option<usize>],
    core: &[f64],
    n_segments: usize,
    step: f64,
) -> Vec<f64> {
    // A segment of identical answers only: on a lattice, one step of it; else how far apart
    // people who are not duplicates usually are (which, on a lattice, is set by whoever is
    // not in a full cell: a far stack of thirteen alike made it 30 steps, and joined).
    let typical = if step > 0.0 {
        step
    } else {
        typical_distance(core)
    };
    sorted_by_segment(labels, core, n_segments)
        .into_iter()
        .map(|v| {
            v.get(v.len() * 9 / 10)
                .copied()
                .unwrap_or(typical)
                .max(step)
        })
        .collect()
}

/// The data's coarsest step: over the dimensions of `points` with three or more distinct
/// values among `rows`, the largest of each one's smallest gap between two of them. On a
/// lattice of answers (counts, ratings) no neighbour distance is finer than a step of some
/// answer, and distances come in whole steps; a yardstick below the coarsest step tells
/// people one answer's step apart from a segment's usual members from people beyond its
/// edge. Dimensions of two values — a yes/no or a category's indicator, whether an answer is
/// missing — are not steps of a lattice but the whole difference between two answers, and
/// are left out; continuous columns have gaps near 0 and leave the step to the lattice's
/// columns (0 without any).
pub(super) fn coarsest_step(points: &Dense, rows: &[usize]) -> f64 {
    let mut values = Vec::with_capacity(rows.len());
    (0..points.cols)
        .map(|d| {
            values.clear();
            values.extend(
                rows.iter()
                    .filter(|&&i| i < points.rows)
                    .map(|&i| points.get(i, d)),
            );
            values.sort_by(f64::total_cmp);
            let gaps = values.windows(2).map(|w| w[1] - w[0]).filter(|&g| g > 0.0);
            if gaps.clone().count() < 2 {
                return f64::INFINITY;
            }
            gaps.fold(f64::INFINITY, f64::min)
        })
        .filter(|g| g.is_finite())
        .fold(0.0, f64::max)
}

/// The median of the positive neighbour distances: how far apart people who are not exact
/// duplicates of one another usually are.
pub(super) fn typical_distance(core: &[f64]) -> f64 {
    let mut positive: Vec<f64> = core.iter().copied().filter(|&c| c > 0.0).collect();
    positive.sort_by(f64::total_cmp);
    positive.get(positive.len() / 2).copied().unwrap_or(0.0)
}

/// Each segment's members' positive neighbour distances, in increasing order. Exact
/// duplicates (distance 0: 16 or more people with identical answers, common in files of
/// choices) are left out, so that they cannot make a segment's yardsticks 0 — with over half
/// of a segment identical, every other member used to count as pulled in, and the segment
/// lost them all.
pub(super) fn sorted_by_segment(
    labels: &[Option<usize>],
    core: &[f64],
    n_segments: usize,
) -> Vec<Vec<f64>> {
    let mut by_segment: Vec<Vec<f64>> = vec![Vec::new(); n_segments];
    for (l, &c) in labels.iter().zip(core) {
        if let Some(s) = l
            && c > 0.0
        {
            by_segment[*s].push(c);
        }
    }
    for v in &mut by_segment {
        v.sort_by(f64::total_cmp);
    }
    by_segment
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// The rule as the module states it: every free person, every round, from the last
    /// round's labels; nobody skipped.
    fn propagate_plainly(
        labels: &[Option<usize>],
        fixed: &[bool],
        graph: &Graph,
        n_segments: usize,
    ) -> (Vec<Option<usize>>, Vec<f64>) {
        let noise = n_segments;
        let mut state: Vec<Option<usize>> = (0..labels.len())
            .map(|i| fixed[i].then(|| labels[i].unwrap_or(noise)))
            .collect();
        let mut agreement = vec![0.0; labels.len()];
        for round in 1.. {
            let mut next = state.clone();
            for i in (0..labels.len()).filter(|&i| !fixed[i]) {
                let mut votes = vec![0usize; n_segments + 1];
                let mut decided = 0;
                for &j in graph.neighbours.of(i).iter().skip(1) {
                    if let Some(l) = state[j as usize] {
                        votes[l] += 1;
                        decided += 1;
                    }
                }
                if decided > 0 {
                    let (best, &v) = votes
                        .iter()
                        .enumerate()
                        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
                        .unwrap_or((noise, &0));
                    agreement[i] = v as f64 / decided as f64;
                    next[i] = Some(best);
                }
            }
            if next == state {
                break;
            }
            let decided = |s: &[Option<usize>]| s.iter().filter(|l| l.is_some()).count();
            let settling = decided(&next) == decided(&state);
            state = next;
            if round >= SETTLING_ROUNDS && settling {
                break;
            }
        }
        let labels = state
            .into_iter()
            .map(|l| l.filter(|&l| l != noise))
            .collect();
        (labels, agreement)
    }

    /// The coarsest step is a lattice's: a rating's whole numbers, not a yes/no answer's one
    /// jump (an indicator scaled up when "yes" is rare) nor a continuous column's gaps.
    #[test]
    fn the_coarsest_step_is_a_lattice_step_not_a_yes_or_no() {
        let rows = 1000;
        let mut data = Vec::with_capacity(rows * 3);
        for i in 0..rows {
            let rating = (i % 5) as f64 * 0.35;
            let yes = if i % 10 == 0 { 3.16 } else { 0.0 };
            let amount = i as f64 * 1e-3;
            data.extend([rating, yes, amount]);
        }
        let points = Dense {
            rows,
            cols: 3,
            data,
        };
        let everyone: Vec<usize> = (0..rows).collect();
        let step = coarsest_step(&points, &everyone);
        assert!((step - 0.35).abs() < 1e-9, "{step}");
    }

    /// Fifteen people at each of the values 0–9 of a count form a segment; twenty (or thirteen)
    /// more alike at 10, one step on, and as many at 40 are in none. Each stack is all (or
    /// over two thirds) of its members' neighbourhood, so only the nearest labelled people can
    /// say where it belongs: the stack one step beyond the segment's last value joins it, the
    /// one thirty steps away stays out. The segment's cells are full (every member's
    /// neighbours alike), so its yardstick is the lattice's step; it was the typical distance
    /// of everyone not in a full cell, set by the far stack itself (30), and both joined.
    #[test]
    fn a_stack_of_alike_people_joins_the_segment_a_step_away_and_one_far_away_stays_out() {
        // Twenty alike fill their whole neighbour lists; thirteen leave three others in
        // each, under the third `attach` asks for.
        for stack in [20, 13] {
            let values: Vec<f64> = (0..10)
                .flat_map(|v| std::iter::repeat_n(v as f64, 15))
                .chain(
                    [10, 40]
                        .into_iter()
                        .flat_map(|v| std::iter::repeat_n(v as f64, stack)),
                )
                .collect();
            let (points, graph) = on_a_line(&values);
            let mut labels: Vec<Option<usize>> =
                values.iter().map(|&v| (v < 10.0).then_some(0)).collect();
            let core = graph.kth_distance(NEIGHBOURS);
            let everyone: Vec<usize> = (0..points.rows).collect();
            let step = coarsest_step(&points, &everyone);
            assert_eq!(step, 1.0);
            let reach = segment_reach(&labels, &core, 1, step);
            assert!(attach(&mut labels, &graph, (&core, &reach)).is_empty());
            let joined = attach_stacks(
                &mut labels,
                &points,
                &graph,
                &reach,
                &everyone,
                Knots::Apart,
            );
            assert_eq!(joined.len(), stack);
            for (v, l) in values.iter().zip(&labels) {
                assert_eq!(
                    l.is_some(),
                    *v < 40.0,
                    "stack of {stack}: the person at {v}"
                );
            }
        }
    }

    /// People at `values` of one column, and their neighbour graph.
    fn on_a_line(values: &[f64]) -> (Dense, Graph) {
        let points = Dense {
            rows: values.len(),
            cols: 1,
            data: values.to_vec(),
        };
        let graph = super::super::neighbours::knn_graph(&points, NEIGHBOURS, 1);
        (points, graph)
    }

    /// Twenty people close together (not alike to the last digit) within a segment are each
    /// other's nearest neighbours: no label spreads to them. Judged as a knot by the nearest
    /// labelled people, they join; twenty as close together far away stay out.
    #[test]
    fn a_knot_that_no_label_reaches_joins_the_segment_around_it_and_a_far_one_stays_out() {
        let values: Vec<f64> = (0..150)
            .map(|i| i as f64 / 15.0)
            .chain(
                [5.03, 40.0]
                    .into_iter()
                    .flat_map(|v| (0..20).map(move |k| v + k as f64 * 1e-4)),
            )
            .collect();
        let (points, graph) = on_a_line(&values);
        let everyone: Vec<usize> = (0..points.rows).collect();
        let core = graph.kth_distance(NEIGHBOURS);
        for knots in [Knots::Apart, Knots::Judged] {
            let in_knot = |i: usize| i >= 150;
            let mut labels: Vec<Option<usize>> = (0..values.len())
                .map(|i| (!in_knot(i)).then_some(0))
                .collect();
            let step = coarsest_step(&points, &everyone);
            let reach = segment_reach(&labels, &core, 1, step);
            assert!(attach(&mut labels, &graph, (&core, &reach)).is_empty());
            let joined = attach_stacks(&mut labels, &points, &graph, &reach, &everyone, knots);
            let want = if knots == Knots::Judged { 20 } else { 0 };
            assert_eq!(joined.len(), want, "{knots:?}");
            for (i, (v, l)) in values.iter().zip(&labels).enumerate() {
                let joins = !in_knot(i) || (knots == Knots::Judged && *v < 40.0);
                assert_eq!(l.is_some(), joins, "{knots:?}: the person at {v}");
            }
        }
    }

    #[test]
    fn labels_reach_the_end_of_a_long_chain() {
        // A chain of 2,000, each person's neighbour the next one on; the last is in the
        // sample. Labels take 1,999 rounds to reach the first.
        let n = 2000;
        let neighbours: Vec<Vec<u32>> = (0..n)
            .map(|i| vec![i as u32, (i + 1).min(n - 1) as u32])
            .collect();
        let distances: Vec<Vec<f64>> = neighbours.iter().map(|nb| vec![1.0; nb.len()]).collect();
        let graph = Graph::from_lists(&neighbours, &distances);
        let fixed: Vec<bool> = (0..n).map(|i| i == n - 1).collect();
        let mut labels: Vec<Option<usize>> = (0..n).map(|i| fixed[i].then_some(0)).collect();
        let mut membership = vec![Membership::Outlier; n];
        propagate(&mut labels, &mut membership, &fixed, &graph, 1);
        assert!(labels.iter().all(|l| *l == Some(0)));
        assert_eq!(propagate_plainly(&labels, &fixed, &graph, 1).0, labels);
    }

    #[test]
    fn people_whose_neighbours_kept_their_labels_are_not_visited_again_to_the_same_end() {
        // A ring of 3,000 with random shortcuts: labels take many rounds to travel it, and
        // some people flip back and forth; 5 % are fixed, in 4 segments or noise.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let n = 3000;
        let neighbours: Vec<Vec<u32>> = (0..n)
            .map(|i| {
                let mut nb = vec![i as u32, ((i + 1) % n) as u32, ((i + n - 1) % n) as u32];
                nb.extend((0..rng.gen_range(0..4)).map(|_| rng.gen_range(0..n as u32)));
                nb
            })
            .collect();
        let distances: Vec<Vec<f64>> = neighbours.iter().map(|nb| vec![1.0; nb.len()]).collect();
        let graph = Graph::from_lists(&neighbours, &distances);
        let fixed: Vec<bool> = (0..n).map(|_| rng.gen_bool(0.05)).collect();
        let labels: Vec<Option<usize>> = (0..n)
            .map(|i| (fixed[i] && rng.gen_bool(0.8)).then(|| rng.gen_range(0..4)))
            .collect();
        let (expected, agreement) = propagate_plainly(&labels, &fixed, &graph, 4);
        let mut got = labels.clone();
        let mut membership = vec![Membership::Outlier; n];
        propagate(&mut got, &mut membership, &fixed, &graph, 4);
        assert_eq!(got, expected);
        for i in (0..n).filter(|&i| !fixed[i]) {
            let want = match expected[i] {
                Some(_) if agreement[i] >= 0.8 => Membership::Core,
                Some(_) => Membership::Edge,
                None => Membership::Outlier,
            };
            assert_eq!(membership[i], want, "person {i}");
        }
        assert!(got.iter().filter(|l| l.is_some()).count() > n / 2);
    }
}
