//! Say and do: segment once by what people say and once by what they do, and cross the two.
//!
//! Each side is clustered on its own block of features (the same density method and the same
//! "differ in two respects" rule as the main segments, without resampling), on a seeded sample
//! of at most 3,000 people, with groups of at least 2 % of them so the table reads at a glance
//! (a note says how many segments at the edges are smaller, and so not its rows or columns:
//! [`smaller_segments_note`]).
//! The cross-table counts the sampled people in every (say group, do group) cell and keeps
//! their rows, so the screen can show the people behind any cell; for larger files it says
//! that it shows a sample. Rows that repeat an earlier customer's row are left out of it.
//! Every group gets a distinct name (for say groups their most representative clause, as a
//! segment is named, else a phrase; the top difference for do groups; "say what most people
//! say" for a group where nothing stands out, never a bare number). Notes point out where
//! people who say the same thing do different things, and where people who do the same thing
//! say different things.
//!
//! The two sides' clustering needs nothing of the segments: it is a self-contained job
//! ([`SidesJob`]), which in the browser the helper worker runs while the worker describes the
//! segments; the table is then made from its answer ([`say_do_of`]).

use super::cluster::{self, ClusterParams, ClusterValidParams, Method};
use super::describe::{
    column_differences, member_answers, mentions_name, segment_name, text_phrases,
};
use super::features::{Block, Features};
use super::linalg::Dense;
use super::profile::{ColumnProfile, fmt_number, fmt_share};
use super::table::Table;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A group on one side of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SideGroup {
    /// Its name: top phrase (say) or top behaviour difference (do).
    pub name: String,
    /// Members.
    pub size: usize,
}

/// People in the say/do table at most (a seeded sample of larger files).
const SAMPLE: usize = 3000;
/// A say or do group holds at least one in this many of the people in the table.
const MIN_SHARE: usize = 50;

/// The smallest group the table shows, for `people` in it: one in [`MIN_SHARE`], at least 10.
pub fn smallest_group(people: usize) -> usize {
    (people / MIN_SHARE).max(10)
}

/// The note that says so, when `smaller` of the segments at the edges hold fewer than a
/// share `smallest` (0–1) of everyone, the table's smallest group among its people. 4,000
/// real product reviews gave nine segments formed from what people say, each under 2 % of
/// them, beside a table whose one row read "no clear group", with nothing to say why.
pub fn smaller_segments_note(smaller: usize, smallest: f64) -> Option<String> {
    let share = fmt_share(smallest);
    match smaller {
        0 => None,
        1 => Some(format!(
            "This table shows groups of at least {share} of people; 1 segment at the edges is smaller, so it is not a row or column of its own here."
        )),
        k => Some(format!(
            "This table shows groups of at least {share} of people; {k} segments at the edges are smaller, so they are not rows or columns of their own here."
        )),
    }
}

/// The cross-table of say groups by do groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SayDo {
    /// Say groups; the last is "no clear group" when anyone is unassigned.
    pub say: Vec<SideGroup>,
    /// Do groups, likewise.
    pub r#do: Vec<SideGroup>,
    /// `cells[say][do]` = rows of the people in that cell.
    pub cells: Vec<Vec<Vec<u32>>>,
    /// Plain-language findings.
    pub notes: Vec<String>,
    /// People in the table (the sample), and everyone, when it is a sample.
    pub sample: Option<(usize, usize)>,
}

/// Each side's groups, found among the sampled people of a [`SidesJob`]: per side, every
/// sampled person's group (in the sample's order) and the number of groups.
#[derive(Debug, Clone, PartialEq)]
pub struct Sides {
    say: (Vec<Option<usize>>, usize),
    r#do: (Vec<Option<usize>>, usize),
}

impl Sides {
    /// The groups as whole numbers, to post to another worker: the two counts, then each
    /// side's labels (`u32::MAX` for none).
    pub fn to_words(&self) -> Vec<u32> {
        let mut out = vec![self.say.1 as u32, self.r#do.1 as u32];
        for labels in [&self.say.0, &self.r#do.0] {
            out.extend(labels.iter().map(|l| l.map_or(u32::MAX, |l| l as u32)));
        }
        out
    }

    /// The groups [`Sides::to_words`] wrote for the `m` people of a job's sample, or `None`
    /// if `words` are not such.
    pub fn from_words(words: &[u32], m: usize) -> Option<Sides> {
        let (&n_say, rest) = words.split_first()?;
        let (&n_do, labels) = rest.split_first()?;
        // No more groups than people: the table's cells are counted from these.
        if labels.len() != 2 * m || n_say as usize > m || n_do as usize > m {
            return None;
        }
        let read = |labels: &[u32], k: u32| -> Option<Vec<Option<usize>>> {
            labels
                .iter()
                .map(|&l| match l {
                    u32::MAX => Some(None),
                    l if l < k => Some(Some(l as usize)),
                    _ => None,
                })
                .collect()
        };
        Some(Sides {
            say: (read(&labels[..m], n_say)?, n_say as usize),
            r#do: (read(&labels[m..], n_do)?, n_do as usize),
        })
    }
}

/// One side of a [`SidesJob`]: its points (at most 12 principal axes of its block) and
/// the ranges of the features that are its columns.
#[derive(Debug, Clone)]
struct Side {
    points: Dense,
    columns: Vec<std::ops::Range<usize>>,
}

/// The clustering of both sides of the table, self-contained: it needs nothing of the
/// segments, so in the browser a helper worker runs it while this one describes them
/// ([`SidesJob::parts`]).
#[derive(Debug, Clone)]
pub struct SidesJob {
    /// Everyone's number.
    n: usize,
    /// The people in the table, by row.
    sample: Vec<usize>,
    params: ClusterValidParams,
    /// Every balanced feature of the sampled people (both blocks), for "two respects".
    features: Dense,
    say: Side,
    r#do: Side,
}

/// A [`SidesJob`]'s description, beside its arrays.
#[derive(Serialize, Deserialize)]
struct Head {
    n: usize,
    params: ClusterParams,
    feature_cols: usize,
    /// Per side: its points' columns and its columns' ranges of the features.
    say: (usize, Vec<(usize, usize)>),
    r#do: (usize, Vec<(usize, usize)>),
}

impl SidesJob {
    /// The job for everyone `features` describes, or `None` when one side has no features
    /// (there is then no table).
    pub fn new(
        features: &Features,
        n: usize,
        seed: u64,
        copies: &[(usize, usize)],
    ) -> Option<SidesJob> {
        let sample = cluster::choose_sample_among(n, SAMPLE, seed, copies);
        let params = ClusterParams {
            method: Method::Density,
            // A table to read at a glance: groups of at least 2 % of the people in it.
            min_cluster_size: Some(smallest_group(sample.len())),
            resamples: 0,
            seed,
            ..Default::default()
        }
        .check()
        .ok()?;
        let side = |block: Block| -> Option<Side> {
            let points = features.space_of(&[block], 12, &sample);
            (points.cols > 0).then(|| Side {
                points,
                columns: features
                    .groups
                    .iter()
                    .filter(|g| g.block == block)
                    .map(|g| g.start..g.start + g.len)
                    .collect(),
            })
        };
        let say = side(Block::Say)?;
        let r#do = side(Block::Do)?;
        Some(SidesJob {
            n,
            features: cluster::rows(&features.balanced, &sample),
            sample,
            params,
            say,
            r#do,
        })
    }

    /// Each side clustered on its own points, with the same "two respects" rule as the main
    /// segments over that side's columns.
    pub fn run(&self) -> Sides {
        let side = |side: &Side| -> (Vec<Option<usize>>, usize) {
            let respects = cluster::Respects {
                features: &self.features,
                columns: &side.columns,
                latent: None,
            };
            let c = cluster::segment(&side.points, &self.params, Some(&respects), &mut |_| {});
            (c.labels, c.n_segments)
        };
        Sides {
            say: side(&self.say),
            r#do: side(&self.r#do),
        }
    }

    /// The job as plain arrays, to post to another worker: runs of reals to be sent one
    /// after another (the features, then each side's points), the sample, and the rest as
    /// JSON.
    pub fn parts(&self) -> (Vec<&[f64]>, Vec<u32>, String) {
        let reals = vec![
            self.features.data.as_slice(),
            self.say.points.data.as_slice(),
            self.r#do.points.data.as_slice(),
        ];
        let whole = self.sample.iter().map(|&i| i as u32).collect();
        let shape = |side: &Side| {
            (
                side.points.cols,
                side.columns.iter().map(|c| (c.start, c.end)).collect(),
            )
        };
        let head = Head {
            n: self.n,
            params: self.params.get().clone(),
            feature_cols: self.features.cols,
            say: shape(&self.say),
            r#do: shape(&self.r#do),
        };
        (
            reals,
            whole,
            serde_json::to_string(&head).unwrap_or_default(),
        )
    }

    /// The people in the table, by row.
    pub fn sample(&self) -> &[usize] {
        &self.sample
    }

    /// The people in the table, the job's points and features given back.
    pub fn into_sample(self) -> Vec<usize> {
        self.sample
    }

    /// The job whose [`SidesJob::parts`] were written into `reals` and `whole`, or why these
    /// are not one.
    pub fn from_parts(reals: Vec<f64>, whole: &[u32], json: &str) -> Result<SidesJob, String> {
        let head: Head = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let m = whole.len();
        let short = || "a say/do job's arrays do not match its description".to_string();
        let len = |cols: usize| m.checked_mul(cols).ok_or_else(short);
        let (f, s, d) = (len(head.feature_cols)?, len(head.say.0)?, len(head.r#do.0)?);
        if f.checked_add(s).and_then(|x| x.checked_add(d)) != Some(reals.len())
            || whole.iter().any(|&i| i as usize >= head.n)
        {
            return Err(short());
        }
        let mut reals = reals;
        let do_data = reals.split_off(f + s);
        let say_data = reals.split_off(f);
        let side = |(cols, columns): (usize, Vec<(usize, usize)>), data: Vec<f64>| Side {
            points: Dense {
                rows: m,
                cols,
                data,
            },
            columns: columns.into_iter().map(|(a, b)| a..b).collect(),
        };
        Ok(SidesJob {
            n: head.n,
            sample: whole.iter().map(|&i| i as usize).collect(),
            params: head.params.check().map_err(|e| e.to_string())?,
            features: Dense {
                rows: m,
                cols: head.feature_cols,
                data: reals,
            },
            say: side(head.say, say_data),
            r#do: side(head.r#do, do_data),
        })
    }
}

/// Builds the say/do table, or `None` when one side has no features.
pub fn say_do(
    features: &Features,
    table: &Table,
    profiles: &[ColumnProfile],
    names: &BTreeSet<String>,
    seed: u64,
    copies: &[(usize, usize)],
) -> Option<SayDo> {
    let job = SidesJob::new(features, table.n_rows(), seed, copies)?;
    let sides = job.run();
    say_do_of(
        job.sample(),
        sides,
        features,
        table,
        profiles,
        names,
        copies,
    )
}

/// The say/do table from the groups `sides` of a job's `sample` (found here by
/// [`SidesJob::run`], or by a helper worker).
pub fn say_do_of(
    sample: &[usize],
    sides: Sides,
    features: &Features,
    table: &Table,
    profiles: &[ColumnProfile],
    names: &BTreeSet<String>,
    copies: &[(usize, usize)],
) -> Option<SayDo> {
    let n = table.n_rows();
    // Labels over everyone, `None` outside the sample, so the portrait helpers can be reused.
    let everyone = |(labels, k): (Vec<Option<usize>>, usize)| {
        let mut all = vec![None; n];
        for (&i, l) in sample.iter().zip(labels) {
            if let Some(slot) = all.get_mut(i) {
                *slot = l;
            }
        }
        (all, k)
    };
    let (say_labels, n_say) = everyone(sides.say);
    let (do_labels, n_do) = everyone(sides.r#do);
    let say_phrases = text_phrases(features, table, &say_labels, n_say, names);
    let say_diffs = column_differences(profiles, &say_labels, n_say);
    let do_diffs = column_differences(profiles, &do_labels, n_do);
    // Names: the most representative clause or else the first distinguishing phrase no
    // earlier group took (say), or the top difference's label (do); a name already taken gets
    // a number, so no two rows read the same.
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut say_members: Vec<Vec<usize>> = vec![Vec::new(); n_say];
    for (i, l) in say_labels.iter().enumerate() {
        if let Some(members) = l.and_then(|s| say_members.get_mut(s)) {
            members.push(i);
        }
    }
    let say_names: Vec<String> = (0..n_say)
        .map(|s| {
            // The group's most representative clause, as a segment is named ("say “See if
            // it beats my notes app”", not the content words "see beats"); else its first
            // distinguishing phrase no earlier group took.
            let says = say_phrases.get(s).map_or(&[][..], Vec::as_slice);
            let clause = segment_name(says, |column| {
                member_answers(table, column, &say_members[s])
            })
            .filter(|clause| !mentions_name(clause, names))
            .map(|clause| format!("say “{clause}”"))
            .filter(|name| !taken.contains(name));
            let phrase = clause.or_else(|| {
                says.iter()
                    .map(|p| format!("say “{}”", p.text))
                    .find(|name| !taken.contains(name))
            });
            let base = phrase
                .or_else(|| {
                    // The first of the group's stated differences that no other group is named by.
                    let stated = say_diffs
                        .get(s)
                        .into_iter()
                        .flatten()
                        .filter(|d| d.role == super::schema::Role::StatedJobs);
                    let labels: Vec<String> = stated.map(|d| d.label.clone()).collect();
                    labels
                        .iter()
                        .find(|l| !taken.contains(*l))
                        .or(labels.first())
                        .cloned()
                })
                // Nothing they say stands out: they say what most people say.
                .unwrap_or_else(|| "say what most people say".to_string());
            unique(&mut taken, base)
        })
        .collect();
    let do_names: Vec<String> = (0..n_do)
        .map(|s| {
            let base = do_diffs
                .get(s)
                .and_then(|d| d.iter().find(|d| d.role == super::schema::Role::Behaviour))
                .map(|d| d.label.clone())
                .unwrap_or_else(|| "do what most people do".to_string());
            unique(&mut taken, base)
        })
        .collect();
    let rows = n_say + 1;
    let cols = n_do + 1;
    let mut cells = vec![vec![Vec::new(); cols]; rows];
    for &i in sample {
        let r = say_labels[i].unwrap_or(n_say);
        let c = do_labels[i].unwrap_or(n_do);
        cells[r][c].push(i as u32);
    }
    let mut say: Vec<SideGroup> = (0..n_say)
        .map(|s| SideGroup {
            name: say_names[s].clone(),
            size: cells[s].iter().map(Vec::len).sum(),
        })
        .collect();
    say.push(SideGroup {
        name: "no clear group".into(),
        size: cells[n_say].iter().map(Vec::len).sum(),
    });
    let mut r#do: Vec<SideGroup> = (0..n_do)
        .map(|d| SideGroup {
            name: do_names[d].clone(),
            size: cells.iter().map(|row| row[d].len()).sum(),
        })
        .collect();
    r#do.push(SideGroup {
        name: "no clear group".into(),
        size: cells.iter().map(|row| row[n_do].len()).sum(),
    });

    // A note wherever one group on one side spreads over several groups on the other.
    let mut notes = Vec::new();
    for s in 0..n_say {
        let counts: Vec<usize> = (0..n_do).map(|d| cells[s][d].len()).collect();
        if let Some(parts) = spread(&counts, say[s].size, |d| &r#do[d].name) {
            let who = people(&say[s].name, "say");
            notes.push(format!("{who} do different things: {parts}."));
        }
    }
    for d in 0..n_do {
        let counts: Vec<usize> = (0..n_say).map(|s| cells[s][d].len()).collect();
        if let Some(parts) = spread(&counts, r#do[d].size, |s| &say[s].name) {
            let who = people(&r#do[d].name, "do");
            notes.push(format!("{who} say different things: {parts}."));
        }
    }
    // A seeded draw is a sample; repeated rows left out of a smaller file are said apart.
    let distinct = n - copies.len().min(n);
    let sample = (distinct > SAMPLE).then_some((sample.len(), n));
    if distinct <= SAMPLE && distinct < n {
        notes.push(format!(
            "Rows that repeat an earlier customer's row are counted once here: {} of {} rows.",
            fmt_number(distinct as f64),
            fmt_number(n as f64)
        ));
    }
    Some(SayDo {
        say,
        r#do,
        cells,
        notes,
        sample,
    })
}

/// The people of a `side` ("say" or "do") group, in words: "People who say “…”" or "People
/// who do what most people do" when its name reads as what they do, else "People in the say
/// group “Orders 3× the median”".
fn people(name: &str, side: &str) -> String {
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit() || " ()".contains(c));
    let what_they_do = match side {
        "say" => name.starts_with("say “") || base == "say what most people say",
        _ => base == "do what most people do",
    };
    if what_they_do {
        format!("People who {name}")
    } else {
        format!("People in the {side} group “{name}”")
    }
}

/// The groups holding a real share (at least 10 people and 10 %) of `total`, biggest first and
/// at most four, in words — when there are two or more of them.
fn spread<'a>(
    counts: &[usize],
    total: usize,
    name: impl Fn(usize) -> &'a String,
) -> Option<String> {
    let total = total.max(1);
    let mut big: Vec<(usize, usize)> = counts
        .iter()
        .copied()
        .enumerate()
        .filter(|&(_, c)| c >= 10 && c * 10 >= total)
        .collect();
    if big.len() < 2 {
        return None;
    }
    big.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let more = big.len().saturating_sub(4);
    let mut parts: Vec<String> = big
        .iter()
        .take(4)
        .map(|&(g, c)| format!("{} ({})", name(g), fmt_share(c as f64 / total as f64)))
        .collect();
    if more > 0 {
        parts.push(format!("and {more} more"));
    }
    Some(parts.join(", "))
}

/// `base`, or `base (2)`, `base (3)`, … — the first not yet in `taken`, which it joins.
fn unique(taken: &mut BTreeSet<String>, base: String) -> String {
    let mut name = base.clone();
    let mut k = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base} ({k})");
        k += 1;
    }
    name
}

#[cfg(test)]
mod tests {
    use super::people;

    #[test]
    fn a_group_named_by_what_its_people_do_reads_as_a_sentence() {
        assert_eq!(
            people("say “gluten free”", "say"),
            "People who say “gluten free”"
        );
        assert_eq!(
            people("say what most people say (2)", "say"),
            "People who say what most people say (2)"
        );
        assert_eq!(
            people("do what most people do", "do"),
            "People who do what most people do"
        );
        // A difference's label is a name, not a verb, whatever its first word.
        assert_eq!(
            people("Orders 3× the median", "do"),
            "People in the do group “Orders 3× the median”"
        );
        assert_eq!(
            people("do you cook at home: yes", "do"),
            "People in the do group “do you cook at home: yes”"
        );
    }
}
