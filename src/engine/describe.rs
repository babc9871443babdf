//! Portraits: each segment in its members' own words and deeds.
//!
//! * **Order and ids.** Decided in [`rank`](super::rank) — edges first, most distinctive
//!   first, the mass middle last — and applied here: ids `S1`, `S2`, … follow that order.
//! * **What they say.** Phrases that set a segment apart, scored by the log-odds ratio with an
//!   informative Dirichlet prior (Monroe, Colaresi & Quinn 2008) over the share of members
//!   using each term; three to five verbatim answers chosen to be typical (rich in those
//!   phrases) and varied (maximal marginal relevance, Carbonell & Goldstein 1998). Quotes are
//!   never edited and never invented.
//! * **What they do.** Behaviours that differ most from everyone else, as standardised effect
//!   sizes and in plain words ("Channel: 92 % phone vs 4 % for everyone else"). A number is
//!   compared by its medians, with as many decimals as it takes to show that they differ,
//!   and by its means where the medians are the same ("Booking changes: 1.83 (mean) vs 0.15
//!   for everyone else"): most people in and out of a segment may have none.
//! * **Unmet needs.** Mean opportunity score per importance/satisfaction outcome.
//! * **Who they are.** Describe-only columns as small distributions — a value named where it
//!   holds a fifth of the segment or stands out beyond chance (`describes_segment`), a
//!   number as "no clear difference" where its ranks do not tell the segment apart
//!   (`rank_z`) — with a warning when a demographic explains the segment.
//! * **Names.** A segment's name is its most representative phrase: the clause of its
//!   members' answers carrying most of its distinguishing phrases (BERTopic names a topic by
//!   its representative documents in the same spirit; Grootendorst 2022); with no free text,
//!   its largest difference. A name is shown in quotation marks (`Segment::quoted`) only
//!   when a member wrote it as it stands. No two segments share a name: segments that would
//!   are named by their own figure of the column that parts them ("· Recent Deal Amount:
//!   4,800"), or else by what else sets each apart. Hedges ("honestly", "mostly",
//!   "cannot") never stand as a phrase and are cut from a name's ends.
//! * **No personas.** Terms, names and quotes containing any
//!   word from the file's name or email columns are left out, so a customer's name can
//!   never name or illustrate a segment.
//!
//! # References
//! Monroe, B., Colaresi, M. & Quinn, K. (2008). Fightin' words: lexical feature selection and
//! evaluation for identifying the content of political conflict. Political Analysis 16(4).
//! Grootendorst, M. (2022). BERTopic: neural topic modeling with a class-based TF-IDF
//! procedure. arXiv:2203.05794.
//! Carbonell, J. & Goldstein, J. (1998). The use of MMR, diversity-based reranking for
//! reordering documents and producing summaries. SIGIR.

use super::cluster::{Clustering, Membership};
use super::features::{Features, TextColumn, quantile};
use super::profile::{
    ColumnProfile, Values, days_ago, days_ahead, fmt_number, fmt_ratio, fmt_share,
};
use super::rank;
use super::schema::{self, Kind, Role, Schema};
use super::table::Table;
use super::text::without_markup;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A phrase that sets a segment apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Phrase {
    /// The words as people wrote them.
    pub text: String,
    /// The free-text column it comes from.
    pub column: String,
    /// Share of the segment's answers using it.
    pub in_segment: f64,
    /// Share of everyone else's answers using it.
    pub elsewhere: f64,
    /// Log-odds z-score.
    pub z: f64,
}

/// A verbatim answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// Row (0-based) of the person who wrote it.
    pub row: usize,
    /// The column it answers.
    pub column: String,
    /// The answer, exactly as given.
    pub text: String,
}

/// How a segment differs from everyone else in one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// The column.
    pub column: String,
    /// Say or do.
    pub role: Role,
    /// The difference in plain words.
    pub text: String,
    /// A short form for cards.
    pub short: String,
    /// A label fit to name a segment ("Delivery slot: night").
    pub label: String,
    /// Standardised effect size (larger = more different).
    pub effect: f64,
    /// For a number named by how it compares with everyone else's ("2.0× others'", "none"),
    /// whether the segment has more of it; `None` for labels and for numbers named by their
    /// own value. Two segments named by more of one column are told apart by more than how
    /// much more ([`distinct_names`]).
    #[serde(default)]
    pub more: Option<bool>,
    /// The share of the segment its label is true of: for an answer chosen more often in the
    /// segment, those who chose it; for a number named by its own value ("inquiries: 3"),
    /// those who have that value. `None` for a number named by how it compares with everyone
    /// else's ("2.0× others'"), said of the segment as a whole. A name is taken from a
    /// difference true of most of the segment where one is nearly as large
    /// ([`fallback_name`]).
    #[serde(default)]
    pub holds: Option<f64>,
}

/// A jobs-to-be-done outcome's opportunity in a segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Need {
    /// The outcome in the survey's words.
    pub outcome: String,
    /// Mean opportunity score in the segment (0–20).
    pub segment: f64,
    /// Mean opportunity score of everyone.
    pub overall: f64,
    /// Mean importance (0–10): in the segment, and of everyone.
    pub importance: (f64, f64),
    /// Mean satisfaction (0–10): in the segment, and of everyone.
    pub satisfaction: (f64, f64),
}

/// One label's share in a segment and overall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Portion {
    /// The label (or a number range).
    pub label: String,
    /// Share in the segment.
    pub segment: f64,
    /// Share of everyone.
    pub overall: f64,
}

/// A describe-only column's distribution in a segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Who {
    /// The column.
    pub column: String,
    /// Its top labels.
    pub portions: Vec<Portion>,
    /// One line for a number ("median 41 (overall 44)", or "mean 0.23 (overall 0.12)" where
    /// the medians are the same).
    pub summary: String,
}

/// A described segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// `S1`, `S2`, … in display order.
    pub id: String,
    /// Its top distinguishing phrase (never a person's name).
    pub name: String,
    /// Whether the name is its members' own words (a clause or phrase they wrote), to be
    /// shown in quotation marks; not when it is a difference in what they do or chose
    /// ("market_segment: corporate"), which nobody said.
    #[serde(default)]
    pub quoted: bool,
    /// Members.
    pub size: usize,
    /// Share of everyone.
    pub share: f64,
    /// Mean best Jaccard over resamples.
    pub stability: Option<f64>,
    /// Distance of its centre from everyone's, in balanced feature units.
    pub distinctiveness: f64,
    /// Part of the mass middle.
    pub mass: bool,
    /// Found among people the density step left unassigned.
    pub micro: bool,
    /// Members firmly inside.
    pub core_members: usize,
    /// Distinguishing phrases.
    pub says: Vec<Phrase>,
    /// Verbatim answers.
    pub quotes: Vec<Quote>,
    /// Column differences, largest effect first (say and do).
    pub differences: Vec<Difference>,
    /// Unmet needs.
    pub needs: Vec<Need>,
    /// Describe-only distributions.
    pub who: Vec<Who>,
    /// A warning when demographics explain the segment.
    pub warning: Option<String>,
    /// One line of what they say.
    pub say_line: String,
    /// One line of what they do.
    pub do_line: String,
}

impl Segment {
    /// The name as a title: in quotation marks when it is the members' own words, and only
    /// those words when a difference follows them ([`distinct_names`]: "“Family meals” ·
    /// Plan: plus").
    pub fn title(&self) -> String {
        if !self.quoted {
            return self.name.clone();
        }
        match self.name.split_once(" · ") {
            Some((words, difference)) => format!("“{words}” · {difference}"),
            None => format!("“{}”", self.name),
        }
    }
}

/// Everything `describe` needs.
pub struct Inputs<'a> {
    /// The data.
    pub table: &'a Table,
    /// Column decisions.
    pub schema: &'a Schema,
    /// Column statistics.
    pub profiles: &'a [ColumnProfile],
    /// Features (balanced features and text).
    pub features: &'a Features,
    /// The segments found.
    pub clustering: &'a Clustering,
    /// Words from name and email columns ([`name_words`]), never shown.
    pub names: &'a BTreeSet<String>,
}

/// Ranked, described segments, and the display index of each clustering label.
#[derive(Debug, Clone, PartialEq)]
pub struct Described {
    /// Segments in display order.
    pub segments: Vec<Segment>,
    /// `order[label]` = display index of clustering segment `label`.
    pub order: Vec<usize>,
}

/// Words from name and email columns: never shown in names, phrases or quotes.
pub fn name_words(table: &Table, schema: &Schema) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    for (idx, cs) in schema.columns.iter().enumerate() {
        if !matches!(cs.kind, Kind::PersonName | Kind::Email) {
            continue;
        }
        let Some(col) = table.column(idx) else {
            continue;
        };
        for value in col.values() {
            let local = if cs.kind == Kind::Email {
                value.split('@').next().unwrap_or("")
            } else {
                value
            };
            for w in local.split(|c: char| !c.is_alphabetic()) {
                if w.chars().count() >= 2 {
                    words.insert(w.to_lowercase());
                }
            }
        }
    }
    words
}

/// Words that soften or stress what someone says without saying what they want ("honestly",
/// "mostly", "cannot"): a phrase with one of them does not describe a segment ("honestly plan"
/// is said better by "plan", which is scored on its own). They stay in
/// the text features (how people write is part of who they are); they only never name a
/// segment or stand as one of its phrases.
const HEDGES: &[&str] = &[
    "honestly",
    "frankly",
    "actually",
    "basically",
    "literally",
    "mostly",
    "mainly",
    "probably",
    "maybe",
    "perhaps",
    "definitely",
    "certainly",
    "usually",
    "generally",
    "simply",
    "truly",
    "totally",
    "quite",
    "rather",
    "anyway",
    "cannot",
    "seriously",
    "obviously",
    "absolutely",
    "especially",
    "really",
];

/// True when a word of `text` is a hedge (see [`HEDGES`]).
fn has_hedge(text: &str) -> bool {
    text.split(' ')
        .any(|w| HEDGES.contains(&w.to_lowercase().as_str()))
}

/// True when `text` contains any of `names` as a whole word.
pub fn mentions_name(text: &str, names: &BTreeSet<String>) -> bool {
    text.split(|c: char| !c.is_alphabetic())
        .any(|w| !w.is_empty() && names.contains(&w.to_lowercase()))
}

/// Describes the segments, in the order [`rank`](super::rank) gives them.
pub fn describe(inp: &Inputs<'_>) -> Described {
    let c = inp.clustering;
    let n = inp.table.n_rows();
    let k = c.n_segments;
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (i, l) in c.labels.iter().enumerate() {
        if let Some(s) = l {
            members[*s].push(i);
        }
    }
    let names = inp.names;
    let quotable = quotable(inp.features, inp.table, names);
    let distinct = rank::distinctiveness(inp.features, &c.labels, k);
    let phrases = text_phrases(inp.features, inp.table, &c.labels, k, names);
    let differences = column_differences(inp.profiles, &c.labels, k);
    let needs = needs(inp.table, inp.schema, &c.labels, k);
    let who = who(inp.profiles, &c.labels, k);

    let mut segments: Vec<(usize, Segment)> = Vec::with_capacity(k);
    for (s, segment_members) in members.iter().enumerate() {
        let size = segment_members.len();
        let share = size as f64 / n.max(1) as f64;
        let says = phrases.get(s).cloned().unwrap_or_default();
        let quotes = quotes(
            inp.features,
            inp.table,
            segment_members,
            &c.membership,
            &says,
            &quotable,
        );
        let diffs = differences.get(s).cloned().unwrap_or_default();
        let (name, quoted) = segment_name(&says, |column| {
            member_answers(inp.table, column, segment_members)
        })
        .filter(|name| !mentions_name(name, names))
        .map_or_else(
            || {
                // A phrase is quoted only as a member wrote it ("essentials older" is
                // content words, not what anyone wrote).
                let (name, phrase) = fallback_name(&says, &diffs);
                let lower = name.to_lowercase();
                let columns: BTreeSet<&str> = says.iter().map(|p| p.column.as_str()).collect();
                let written = phrase
                    && columns.into_iter().any(|column| {
                        member_answers(inp.table, column, segment_members)
                            .iter()
                            .any(|(a, _)| a.to_lowercase().contains(&lower))
                    });
                (name, written)
            },
            |name| (name, true),
        );
        let warning = demographic_warning(
            inp.schema,
            &diffs,
            who.get(s).map_or(&[][..], Vec::as_slice),
            size,
        );
        let say_line = says
            .iter()
            .take(3)
            .map(|p| format!("“{}”", p.text))
            .collect::<Vec<_>>()
            .join(", ");
        let do_line = diffs
            .iter()
            .filter(|d| d.role == Role::Behaviour)
            .take(2)
            .map(|d| d.short.clone())
            .collect::<Vec<_>>()
            .join(" · ");
        segments.push((
            s,
            Segment {
                id: String::new(),
                name,
                quoted,
                size,
                share,
                stability: c.stability.get(s).copied().flatten(),
                distinctiveness: distinct.get(s).copied().unwrap_or(0.0),
                mass: share >= rank::MASS_SHARE,
                micro: c.micro.get(s).copied().unwrap_or(false),
                core_members: members[s]
                    .iter()
                    .filter(|&&i| c.membership[i] == Membership::Core)
                    .count(),
                says,
                quotes,
                differences: diffs,
                needs: needs.get(s).cloned().unwrap_or_default(),
                who: who.get(s).cloned().unwrap_or_default(),
                warning,
                say_line,
                do_line,
            },
        ));
    }
    siblings_told_apart(&mut segments, &members, inp.profiles);
    let standings: Vec<rank::Standing> = segments
        .iter()
        .map(|(s, seg)| rank::Standing {
            mass: seg.mass,
            size: seg.size,
            distinctiveness: seg.distinctiveness,
            stability: seg.stability,
            first_member: members[*s].first().copied(),
        })
        .collect();
    let order = rank::display_order(&standings);
    segments.sort_by_key(|(s, _)| order.get(*s).copied());
    let mut out: Vec<Segment> = segments
        .into_iter()
        .enumerate()
        .map(|(display, (_, mut seg))| {
            seg.id = rank::segment_id(display);
            seg
        })
        .collect();
    distinct_names(&mut out);
    Described {
        segments: out,
        order,
    }
}

/// Distinguishing phrases per segment, from every stated-jobs free-text column.
pub(crate) fn text_phrases(
    features: &Features,
    table: &Table,
    labels: &[Option<usize>],
    k: usize,
    names: &BTreeSet<String>,
) -> Vec<Vec<Phrase>> {
    let mut out = vec![Vec::new(); k];
    // The only segment has no one to be told apart from but its lone outliers
    // (see [`column_differences`]).
    if k < 2 {
        return out;
    }
    for tc in &features.text {
        let column = table
            .column(tc.column)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        let terms = tc.vocabulary.len();
        // Answers using each term, per segment and overall; answered people per segment.
        let mut docs = vec![vec![0u32; terms]; k];
        let mut total = vec![0u32; terms];
        let mut answered = vec![0usize; k];
        let mut answered_all = 0usize;
        for (i, l) in labels.iter().enumerate() {
            let mut any = false;
            for (t, _) in tc.tfidf.row(i) {
                any = true;
                total[t] += 1;
                if let Some(s) = l {
                    docs[*s][t] += 1;
                }
            }
            if any {
                answered_all += 1;
                if let Some(s) = l {
                    answered[*s] += 1;
                }
            }
        }
        let n_all: f64 = total.iter().map(|&x| f64::from(x)).sum();
        if n_all == 0.0 {
            continue;
        }
        for s in 0..k {
            let n_s: f64 = docs[s].iter().map(|&x| f64::from(x)).sum();
            let n_r = n_all - n_s;
            if n_s == 0.0 {
                continue;
            }
            // The informative prior is everyone's word shares (Monroe et al.'s background
            // corpus), worth as many words as the segment itself uses: a word used nowhere else
            // is not credited with infinite contrast, and a word everyone uses is pulled towards
            // zero. A prior worth the whole file's words drowned small segments: 4,000 food
            // reviews gave eight of ten small segments no phrase at all.
            let alpha0 = n_s;
            let mut scored: Vec<Phrase> = Vec::new();
            for t in 0..terms {
                let (ys, yr) = (f64::from(docs[s][t]), f64::from(total[t] - docs[s][t]));
                let a = alpha0 * f64::from(total[t]) / n_all;
                if ys < 2.0 || a <= 0.0 {
                    continue;
                }
                let delta = libm::log((ys + a) / (n_s + alpha0 - ys - a).max(1e-9))
                    - libm::log((yr + a) / (n_r + alpha0 - yr - a).max(1e-9));
                let z = delta / libm::sqrt(1.0 / (ys + a) + 1.0 / (yr + a));
                let text = tc.vocabulary.display.get(t).cloned().unwrap_or_default();
                if z < 1.96 || mentions_name(&text, names) || has_hedge(&text) {
                    continue;
                }
                let rest_answered = (answered_all - answered[s]).max(1) as f64;
                scored.push(Phrase {
                    text,
                    column: column.clone(),
                    in_segment: ys / answered[s].max(1) as f64,
                    elsewhere: yr / rest_answered,
                    z,
                });
            }
            // Strongest first; on a tie the two-word phrase, which says more.
            let words = |p: &Phrase| p.text.split(' ').count();
            scored.sort_by(|a, b| {
                b.z.total_cmp(&a.z)
                    .then(words(b).cmp(&words(a)))
                    .then(a.text.cmp(&b.text))
            });
            // Keep phrases that say something new: not a word of a kept phrase, and not another
            // piece of the same sentence (used by exactly the same people as a kept phrase).
            let mut kept: Vec<Phrase> = Vec::new();
            for p in scored {
                let covered = kept.iter().any(|q| {
                    q.text.split(' ').any(|w| w == p.text)
                        || p.text.split(' ').all(|w| q.text.split(' ').any(|x| x == w))
                        || ((q.in_segment - p.in_segment).abs() < 0.005
                            && (q.elsewhere - p.elsewhere).abs() < 0.0005)
                });
                if !covered {
                    kept.push(p);
                }
                if kept.len() == 8 {
                    break;
                }
            }
            out[s].extend(kept);
        }
    }
    for phrases in &mut out {
        phrases.sort_by(|a, b| b.z.total_cmp(&a.z).then(a.text.cmp(&b.text)));
        phrases.truncate(8);
    }
    out
}

/// Per text column (as in `features.text`), whether each distinct answer may be quoted:
/// given, at most 300 characters, and naming nobody. Decided once per distinct answer, not
/// once per person.
fn quotable(features: &Features, table: &Table, names: &BTreeSet<String>) -> Vec<Vec<bool>> {
    features
        .text
        .iter()
        .map(|tc| {
            table.column(tc.column).map_or_else(Vec::new, |col| {
                col.values()
                    .iter()
                    .map(|text| {
                        !schema::read::is_missing(text)
                            && text.chars().count() <= 300
                            && !mentions_name(text, names)
                    })
                    .collect()
            })
        })
        .collect()
}

/// Three to five verbatim answers: typical (rich in the segment's phrases) and varied (MMR).
fn quotes(
    features: &Features,
    table: &Table,
    members: &[usize],
    membership: &[Membership],
    says: &[Phrase],
    quotable: &[Vec<bool>],
) -> Vec<Quote> {
    let mut candidates: Vec<(f64, usize, &TextColumn)> = Vec::new();
    for (tc, quotable) in features.text.iter().zip(quotable) {
        let Some(col) = table.column(tc.column) else {
            continue;
        };
        let weights: Vec<(usize, f64)> = says
            .iter()
            .filter(|p| p.column == col.name)
            .filter_map(|p| {
                tc.vocabulary
                    .display
                    .iter()
                    .position(|d| *d == p.text)
                    .map(|t| (t, p.z))
            })
            .collect();
        for &i in members {
            if !quotable.get(col.code(i) as usize).copied().unwrap_or(false) {
                continue;
            }
            let score: f64 = tc
                .tfidf
                .row(i)
                .map(|(t, _)| weights.iter().find(|w| w.0 == t).map_or(0.0, |w| w.1))
                .sum();
            let core_bonus = if membership.get(i) == Some(&Membership::Core) {
                1.0
            } else {
                0.5
            };
            candidates.push((score * core_bonus, i, tc));
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    candidates.truncate(200);
    let max_score = candidates.first().map_or(1.0, |c| c.0.max(1e-9));
    let mut chosen: Vec<(usize, &TextColumn)> = Vec::new();
    let mut seen_texts: BTreeSet<String> = BTreeSet::new();
    while chosen.len() < 4 {
        let mut best: Option<(f64, usize)> = None;
        for (ci, (score, i, tc)) in candidates.iter().enumerate() {
            let text = table
                .column(tc.column)
                .map(|c| c.get(*i).trim().to_lowercase())
                .unwrap_or_default();
            if seen_texts.contains(&text) {
                continue;
            }
            let similarity = chosen
                .iter()
                .filter(|(_, t)| t.column == tc.column)
                .map(|(j, _)| cosine(&tc.tfidf, *i, *j))
                .fold(0.0, f64::max);
            let mmr = 0.6 * score / max_score - 0.4 * similarity;
            if best.is_none_or(|b| mmr > b.0) {
                best = Some((mmr, ci));
            }
        }
        let Some((_, ci)) = best else { break };
        let (_, i, tc) = candidates[ci];
        seen_texts.insert(
            table
                .column(tc.column)
                .map(|c| c.get(i).trim().to_lowercase())
                .unwrap_or_default(),
        );
        chosen.push((i, tc));
    }
    chosen
        .into_iter()
        .filter_map(|(i, tc)| {
            let col = table.column(tc.column)?;
            Some(Quote {
                row: i,
                column: col.name.clone(),
                text: col.get(i).to_string(),
            })
        })
        .collect()
}

fn cosine(m: &super::text::Csr, a: usize, b: usize) -> f64 {
    let rb: Vec<(usize, f64)> = m.row(b).collect();
    m.row(a)
        .map(|(t, v)| rb.iter().find(|x| x.0 == t).map_or(0.0, |x| x.1 * v))
        .sum()
}

/// Per segment, each used column's difference from everyone else, largest first. None for
/// the only segment: everyone else is then its lone outliers alone, people picked for being
/// unlike it, and a segment of 99.7 % of people was named "returns: none" against ten of them
/// with many returns, though 40 % of its own people had some.
pub(crate) fn column_differences(
    profiles: &[ColumnProfile],
    labels: &[Option<usize>],
    k: usize,
) -> Vec<Vec<Difference>> {
    let mut out = vec![Vec::new(); k];
    if k < 2 {
        return out;
    }
    for p in profiles {
        if p.role.forms_segments() {
            column_difference(&mut out, p, labels, k);
        }
    }
    for diffs in &mut out {
        diffs.sort_by(|a, b| b.effect.total_cmp(&a.effect).then(a.column.cmp(&b.column)));
        diffs.retain(|d| d.effect >= 0.3);
        diffs.truncate(8);
    }
    out
}

/// How each segment differs from everyone else in one column, appended to `out`. Out of
/// line, called once per column, so that WebAssembly runs it optimised after the first
/// columns: V8 optimises a function between calls, never during one (ARCHITECTURE.md).
#[inline(never)]
fn column_difference(
    out: &mut [Vec<Difference>],
    p: &ColumnProfile,
    labels: &[Option<usize>],
    k: usize,
) {
    match &p.values {
        Values::Numeric {
            values,
            sorted,
            heavy,
            recency,
            ..
        } => {
            // Effects are compared on the log scale for heavy tails; transform once.
            let t = |v: f64| if *heavy { libm::log1p(v.max(0.0)) } else { v };
            let (mut sum_all, mut sq_all, mut n_all) = (0.0, 0.0, 0usize);
            let mut sums = vec![(0.0f64, 0usize); k];
            let mut per: Vec<Vec<f64>> = vec![Vec::new(); k];
            for (i, l) in labels.iter().enumerate() {
                let v = values[i];
                if !v.is_finite() {
                    continue;
                }
                let tv = t(v);
                sum_all += tv;
                sq_all += tv * tv;
                n_all += 1;
                if let Some(s) = l {
                    sums[*s].0 += tv;
                    sums[*s].1 += 1;
                    per[*s].push(v);
                }
            }
            let mean_all = sum_all / n_all.max(1) as f64;
            let sd = libm::sqrt((sq_all / n_all.max(1) as f64 - mean_all * mean_all).max(0.0));
            if sd <= 1e-12 {
                return;
            }
            for s in 0..k {
                let (sum_s, n_s) = sums[s];
                let n_r = n_all - n_s;
                if n_s < 2 || n_r == 0 {
                    continue;
                }
                let mean_s = sum_s / n_s as f64;
                let mean_r = (sum_all - sum_s) / n_r as f64;
                let effect = (mean_s - mean_r).abs() / sd;
                let mut mine = std::mem::take(&mut per[s]);
                mine.sort_by(f64::total_cmp);
                // Everyone else's median: all values minus this segment's.
                let rest = minus_sorted(sorted, &mine);
                let (med_s, med_r) = (quantile(&mine, 0.5), quantile(&rest, 0.5));
                // The figures shown side by side: the medians, told apart by as many decimals
                // as it takes; where the medians are the same (most people order once, in the
                // segment and out of it) the difference is in the means, which are shown.
                let (stat, v_s, v_r) =
                    figures_compared((med_s, med_r), (mean_of(&mine), mean_of(&rest)));
                let (shown_s, shown_r) = p.figures_apart(v_s, v_r);
                let (text, short, relative) = if *recency {
                    (
                        format!(
                            "{} {} ({stat}) vs {} for everyone else",
                            with_colon(&p.name),
                            days_ago(&shown_s),
                            days_ahead(&shown_r),
                        ),
                        format!(
                            "{} {}",
                            with_colon(&short_column(&p.name)),
                            days_ago(&shown_s)
                        ),
                        false,
                    )
                } else {
                    let ratio = if v_r > 0.0 && v_s > 0.0 {
                        Some(v_s / v_r)
                    } else {
                        None
                    };
                    let notable = ratio.filter(|&r| r >= 1.5 || r <= 1.0 / 1.5);
                    let how = notable
                        .map(|r| format!(" — {} as much", fmt_ratio(r)))
                        .unwrap_or_default();
                    let short = match notable {
                        _ if v_s == 0.0 && v_r > 0.0 => {
                            format!("{} none", with_colon(&short_column(&p.name)))
                        }
                        Some(r) if r < 0.1 => {
                            format!(
                                "{} under a tenth of others'",
                                with_colon(&short_column(&p.name))
                            )
                        }
                        Some(r) => format!(
                            "{} {} others'",
                            with_colon(&short_column(&p.name)),
                            fmt_ratio(r)
                        ),
                        None => format!("{} {shown_s}", with_colon(&short_column(&p.name))),
                    };
                    (
                        format!(
                            "{} {shown_s} ({stat}) vs {shown_r} for everyone else{how}",
                            with_colon(&p.name),
                        ),
                        short,
                        notable.is_some() || (v_s == 0.0 && v_r > 0.0),
                    )
                };
                // A number named by its own value (the segment's median, "inq_last_6mths:
                // 3") holds for those who have that value; by how it compares, for the
                // segment as a whole.
                let holds = (!relative).then(|| {
                    let at = mine.iter().filter(|&&v| v == v_s).count();
                    at as f64 / mine.len().max(1) as f64
                });
                out[s].push(Difference {
                    column: p.name.clone(),
                    role: p.role,
                    text,
                    label: short.clone(),
                    short,
                    effect,
                    more: relative.then_some(mean_s > mean_r),
                    holds,
                });
            }
        }
        Values::Labels {
            codes,
            labels: names,
            counts,
        } => {
            let mut per = vec![vec![0usize; names.len()]; k];
            let mut sizes = vec![0usize; k];
            for (i, l) in labels.iter().enumerate() {
                if let (Some(s), Some(Some(code))) = (l, codes.get(i)) {
                    per[*s][*code as usize] += 1;
                    sizes[*s] += 1;
                }
            }
            let total: usize = counts.iter().sum();
            label_differences(out, p, names, counts, total, &per, &sizes);
        }
        Values::Multi {
            codes,
            labels: names,
            counts,
        } => {
            let mut per = vec![vec![0usize; names.len()]; k];
            let mut sizes = vec![0usize; k];
            for (i, l) in labels.iter().enumerate() {
                if let Some(s) = l {
                    sizes[*s] += 1;
                    for &code in codes.get(i).map_or(&[][..], Vec::as_slice) {
                        per[*s][code as usize] += 1;
                    }
                }
            }
            let total = labels.len();
            label_differences(out, p, names, counts, total, &per, &sizes);
        }
        Values::Text => {}
    }
}

/// Which of two groups' figures to show side by side, given their `medians` and `means`:
/// the medians, or the means where the medians are the same and the means are not.
fn figures_compared(medians: (f64, f64), means: (f64, f64)) -> (&'static str, f64, f64) {
    if medians.0 == medians.1 && means.0 != means.1 {
        ("mean", means.0, means.1)
    } else {
        ("median", medians.0, medians.1)
    }
}

/// The mean of `values` (0 when there are none).
fn mean_of(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

/// The values of `all` (sorted) without one occurrence of each value in `remove` (sorted).
#[inline(never)]
fn minus_sorted(all: &[f64], remove: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(all.len().saturating_sub(remove.len()));
    let mut j = 0;
    for &v in all {
        if j < remove.len() && remove[j] == v {
            j += 1;
        } else {
            out.push(v);
        }
    }
    out
}

fn label_differences(
    out: &mut [Vec<Difference>],
    p: &ColumnProfile,
    names: &[String],
    counts: &[usize],
    total: usize,
    per: &[Vec<usize>],
    sizes: &[usize],
) {
    for (s, seg_counts) in per.iter().enumerate() {
        let size = sizes[s];
        let rest = total.saturating_sub(size);
        if size < 2 || rest == 0 {
            continue;
        }
        // The label most over-represented in the segment.
        let mut best: Option<(f64, usize, f64, f64)> = None;
        for (code, &in_seg) in seg_counts.iter().enumerate() {
            let ps = in_seg as f64 / size as f64;
            let pr = (counts[code] - in_seg) as f64 / rest as f64;
            let pa = counts[code] as f64 / total.max(1) as f64;
            if ps < HELD_BY || ps <= pr {
                continue;
            }
            let effect = (ps - pr) / libm::sqrt((pa * (1.0 - pa)).max(1e-6));
            if best.is_none_or(|b| effect > b.0) {
                best = Some((effect, code, ps, pr));
            }
        }
        if let Some((effect, code, ps, pr)) = best {
            let label = names.get(code).cloned().unwrap_or_default();
            out[s].push(Difference {
                column: p.name.clone(),
                role: p.role,
                text: format!(
                    "{} {} “{}” vs {} for everyone else",
                    with_colon(&p.name),
                    fmt_share(ps),
                    label,
                    fmt_share(pr)
                ),
                short: format!("{} {} “{}”", fmt_share(ps), p.name.to_lowercase(), label),
                label: answer_label(&p.name, &label),
                effect,
                more: None,
                holds: Some(ps),
            });
        }
    }
}

fn needs(table: &Table, schema: &Schema, labels: &[Option<usize>], k: usize) -> Vec<Vec<Need>> {
    /// Sums of opportunity, importance and satisfaction, and people counted.
    #[derive(Clone, Copy, Default)]
    struct Sums {
        opportunity: f64,
        importance: f64,
        satisfaction: f64,
        n: usize,
    }
    impl Sums {
        fn add(&mut self, i: f64, s: f64) {
            self.opportunity += i + (i - s).max(0.0);
            self.importance += i;
            self.satisfaction += s;
            self.n += 1;
        }
        fn mean(&self, v: f64) -> f64 {
            v / self.n.max(1) as f64
        }
    }
    let mut out = vec![Vec::new(); k];
    for pair in &schema.outcomes {
        let (importance, satisfaction) = schema::outcomes::ratings(table, schema, pair);
        let mut sums = vec![Sums::default(); k];
        let mut all = Sums::default();
        for (i, (&imp, &sat)) in importance.iter().zip(&satisfaction).enumerate() {
            if !(imp.is_finite() && sat.is_finite()) {
                continue;
            }
            all.add(imp, sat);
            if let Some(Some(s)) = labels.get(i) {
                sums[*s].add(imp, sat);
            }
        }
        for s in 0..k {
            let seg = sums[s];
            if seg.n > 0 {
                out[s].push(Need {
                    outcome: pair.outcome.clone(),
                    segment: seg.mean(seg.opportunity),
                    overall: all.mean(all.opportunity),
                    importance: (seg.mean(seg.importance), all.mean(all.importance)),
                    satisfaction: (seg.mean(seg.satisfaction), all.mean(all.satisfaction)),
                });
            }
        }
    }
    for needs in &mut out {
        needs.sort_by(|a, b| b.segment.total_cmp(&a.segment));
    }
    out
}

fn who(profiles: &[ColumnProfile], labels: &[Option<usize>], k: usize) -> Vec<Vec<Who>> {
    let mut out = vec![Vec::new(); k];
    for p in profiles.iter().filter(|p| p.role == Role::DescribeOnly) {
        match &p.values {
            Values::Labels {
                codes,
                labels: names,
                counts,
            } => {
                let total: usize = counts.iter().sum();
                let mut per = vec![vec![0usize; names.len()]; k];
                let mut sizes = vec![0usize; k];
                for (i, l) in labels.iter().enumerate() {
                    if let (Some(s), Some(Some(code))) = (l, codes.get(i)) {
                        per[*s][*code as usize] += 1;
                        sizes[*s] += 1;
                    }
                }
                // Each label of each segment is one look; a label shown for being over-
                // represented must stand out beyond what that many looks turn up by chance.
                let looks = (names.len() * k).max(1) as f64;
                for s in 0..k {
                    let mut portions: Vec<Portion> = names
                        .iter()
                        .enumerate()
                        .filter(|&(code, _)| {
                            describes_segment(per[s][code], sizes[s], counts[code], total, looks)
                        })
                        .map(|(code, label)| Portion {
                            label: label.clone(),
                            segment: per[s][code] as f64 / sizes[s].max(1) as f64,
                            overall: counts[code] as f64 / total.max(1) as f64,
                        })
                        .collect();
                    portions.sort_by(|a, b| {
                        b.segment.total_cmp(&a.segment).then(a.label.cmp(&b.label))
                    });
                    portions.truncate(4);
                    let summary = if sizes[s] == 0 {
                        NONE_ANSWERED.to_string()
                    } else if portions.is_empty() {
                        format!(
                            "no one value stands out ({} values)",
                            fmt_number(names.len() as f64)
                        )
                    } else {
                        portions
                            .iter()
                            .take(2)
                            .map(|x| {
                                format!(
                                    "{} {} (overall {})",
                                    fmt_share(x.segment),
                                    x.label,
                                    fmt_share(x.overall)
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    out[s].push(Who {
                        column: p.name.clone(),
                        portions,
                        summary,
                    });
                }
            }
            Values::Numeric { values, sorted, .. } => {
                let (overall, overall_mean) = (quantile(sorted, 0.5), mean_of(sorted));
                let mut per: Vec<Vec<f64>> = vec![Vec::new(); k];
                for (i, l) in labels.iter().enumerate() {
                    if let (Some(s), Some(v)) = (l, values.get(i))
                        && v.is_finite()
                    {
                        per[*s].push(*v);
                    }
                }
                let z = rank_z(values, labels, k);
                for s in 0..k {
                    per[s].sort_by(f64::total_cmp);
                    // As in what they do: the means where the medians are the same ("children:
                    // median 0 (overall 0)" said nothing of the segment with more of them).
                    let (stat, here, all) = figures_compared(
                        (quantile(&per[s], 0.5), overall),
                        (mean_of(&per[s]), overall_mean),
                    );
                    let (here, all) = p.figures_apart(here, all);
                    // Medians of a column of two peaks jump from one to the other: a segment
                    // of slightly more Americans read "LATITUDE: median 41.1 (overall 51.1)".
                    // Where its people's values are not told apart from everyone else's by
                    // their ranks (5 % over the segments), or by less than a small effect (in
                    // a million rows 53 % of Americans against 49 % is beyond chance), it
                    // says so.
                    let (z, effect) = z[s];
                    let clear = libm::erfc(z.abs() / std::f64::consts::SQRT_2) * (k as f64) < 0.05
                        && (effect - 0.5).abs() >= SMALL_EFFECT;
                    let summary = if per[s].is_empty() {
                        NONE_ANSWERED.to_string()
                    } else if clear {
                        format!("{stat} {here} (overall {all})")
                    } else {
                        format!("no clear difference ({stat} {here}; overall {all})")
                    };
                    out[s].push(Who {
                        column: p.name.clone(),
                        portions: Vec::new(),
                        summary,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// The smallest difference between a segment's values and everyone else's that "who they
/// are" calls clear: how far from one half the chance that a member's value is above an
/// outsider's (ties counting half) must be. 0.06 is Vargha and Delaney's bound of a small
/// effect (A = 0.56 or 0.44).
///
/// Vargha, A. & Delaney, H. D. (2000). A critique and improvement of the CL common language
/// effect size statistics of McGraw and Wong. Journal of Educational and Behavioral
/// Statistics 25(2).
const SMALL_EFFECT: f64 = 0.06;

/// A label held by at least this share of a segment's people may be named as what sets
/// them apart (`label_differences`) and is always named in who they are
/// (`describes_segment`): a fifth.
const HELD_BY: f64 = 0.2;

/// Who a segment's people are, by a column none of them answered.
const NONE_ANSWERED: &str = "none of them answered";

/// Each of `k` segments' rank-sum z against everyone else (Mann–Whitney; ties take their
/// mean rank, and the variance is corrected for them; 0 where either side is empty or every
/// value is the same) and its effect: the chance that a member's value is above an
/// outsider's, ties counting half (Vargha and Delaney's A; one half where a side is empty).
/// Missing values take no part.
fn rank_z(values: &[f64], labels: &[Option<usize>], k: usize) -> Vec<(f64, f64)> {
    let mut ranked: Vec<(f64, Option<usize>)> = values
        .iter()
        .zip(labels)
        .filter(|(v, _)| v.is_finite())
        .map(|(&v, &l)| (v, l))
        .collect();
    ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = ranked.len();
    let (mut rank_sum, mut size) = (vec![0.0f64; k], vec![0usize; k]);
    let mut ties = 0.0f64;
    let mut at = 0usize;
    for run in ranked.chunk_by(|a, b| a.0 == b.0) {
        let t = run.len() as f64;
        // Ranks at + 1 ..= at + t, their mean.
        let rank = at as f64 + (t + 1.0) / 2.0;
        ties += t * t * t - t;
        for &(_, l) in run {
            if let Some(s) = l.filter(|&s| s < k) {
                rank_sum[s] += rank;
                size[s] += 1;
            }
        }
        at += run.len();
    }
    let big_n = n as f64;
    (0..k)
        .map(|s| {
            let (a, b) = (size[s] as f64, (n - size[s]) as f64);
            let var = a * b / 12.0 * ((big_n + 1.0) - ties / (big_n * (big_n - 1.0)).max(1.0));
            if a == 0.0 || b == 0.0 {
                return (0.0, 0.5);
            }
            let effect = (rank_sum[s] - a * (a + 1.0) / 2.0) / (a * b);
            if var <= 0.0 {
                (0.0, effect)
            } else {
                (
                    (rank_sum[s] - a * (big_n + 1.0) / 2.0) / libm::sqrt(var),
                    effect,
                )
            }
        })
        .collect()
}

/// Whether a label held by `in_segment` of a segment's `size` people (and by `count` of the
/// `total` who answered) describes the segment: it holds a fifth of it, as a label must to
/// tell a segment apart by what they do ([`label_differences`]), or it is over-represented
/// beyond chance. A column of hundreds of values (a birthday, a postcode) otherwise names
/// in every segment some value that six of its people happen to share ("3.1 % 01/24
/// (overall 0.3 %)"). Chance is the upper tail of the count were the segment drawn at random
/// (a Poisson tail, which is wider than the exact one's), with a family-wise error of 5 %
/// over the column's `looks` (labels times segments; Bonferroni).
fn describes_segment(
    in_segment: usize,
    size: usize,
    count: usize,
    total: usize,
    looks: f64,
) -> bool {
    if in_segment == 0 || size == 0 {
        return false;
    }
    if in_segment as f64 / size as f64 >= HELD_BY {
        return true;
    }
    let expected = size as f64 * count as f64 / total.max(1) as f64;
    poisson_upper_tail(in_segment, expected) * looks < 0.05
}

/// P(X ≥ `c`) for X Poisson with mean `lambda`, summed from its first term up (1 when `c`
/// is not above the mean, where the tail is not small).
fn poisson_upper_tail(c: usize, lambda: f64) -> f64 {
    if lambda <= 0.0 {
        return if c == 0 { 1.0 } else { 0.0 };
    }
    if c as f64 <= lambda {
        return 1.0;
    }
    let c = c as f64;
    let mut term = libm::exp(-lambda + c * libm::log(lambda) - libm::lgamma(c + 1.0));
    let mut sum = 0.0;
    let mut i = c;
    // Beyond the mean each term is a fraction of the last; a thousand terms or a term
    // negligible beside the sum ends it.
    for _ in 0..1000 {
        sum += term;
        i += 1.0;
        term *= lambda / i;
        if term == 0.0 || term < sum * 1e-12 {
            break;
        }
    }
    sum.min(1.0)
}

/// Most phrases a portrait shows.
pub const PHRASES_SHOWN: usize = 6;

/// The phrases a portrait shows (at most [`PHRASES_SHOWN`]), each with the question it answers
/// when another shown phrase has the same words: "free" in the job asked and "free" in what
/// gets in the way are two different things, and two bare “free” read as a mistake.
pub fn shown_phrases(says: &[Phrase]) -> Vec<(&Phrase, Option<&str>)> {
    let shown = &says[..says.len().min(PHRASES_SHOWN)];
    shown
        .iter()
        .map(|p| {
            let twice = shown
                .iter()
                .filter(|q| q.text.to_lowercase() == p.text.to_lowercase())
                .count()
                > 1;
            (p, twice.then_some(p.column.as_str()))
        })
        .collect()
}

/// True for a header that asks what people are trying to get done: the column a segment's
/// name should come from when there are several free-text answers.
pub fn asks_for_jobs(header: &str) -> bool {
    let h = header.to_lowercase();
    [
        "trying to",
        "get done",
        "goal",
        "achieve",
        "want to",
        "need",
        "hoping",
        "looking for",
        "why do you",
        "job",
    ]
    .iter()
    .any(|w| h.contains(w))
}

/// Two segments never share a name: one whose name an earlier segment (in display order)
/// already has adds its largest difference that the name does not say ("multiple_lines: No
/// phone service · tenure: 0.2× others'"). So does one named, like an earlier one, by more (or
/// less) of the same number: "lead_time: 6.1× others'" and "lead_time: 5.2× others'" named two
/// segments of a hotel's bookings, and "orders: 8.0× others'" and "orders: 8.3× others'" the
/// heavy buyers of two plans; the second now says what else sets it apart ("· plan: plus"),
/// and what the earlier one of that name does not say of itself as well, where it can.
fn distinct_names(segments: &mut [Segment]) {
    // Each name (and each number-and-direction a name speaks of) taken so far, with the
    // difference labels of the segments that took it.
    let mut taken: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for seg in segments.iter_mut() {
        // The number the name speaks of, and which way, when it is named by one (first:
        // siblings told apart by a figure keep what their name starts with).
        let first = seg.name.split(" · ").next().unwrap_or(&seg.name);
        let by = seg
            .differences
            .iter()
            .find(|d| d.label == first)
            .and_then(|d| d.more.map(|more| (d.column.clone(), more)));
        let gist = by
            .as_ref()
            .map(|(column, more)| format!("\u{1}{column}\u{1}{more}"));
        // What the earlier segments of this name say of themselves too: no way to tell
        // them apart ("company: parker_inc · market_segment: groups" beside a segment of
        // the same company, all of it groups too).
        let earlier: BTreeSet<String> = [Some(&seg.name), gist.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(|key| taken.get(key))
            .flatten()
            .cloned()
            .collect();
        // A name that already says more than its number ("· Recent Deal Amount: 4,800",
        // from `siblings_told_apart`) is not the same name as one that says it alone.
        let says_more = seg.name.len() > first.len();
        if taken.contains_key(&seg.name)
            || (!says_more && gist.as_ref().is_some_and(|g| taken.contains_key(g)))
        {
            // What it adds is true of most of its people where it can be.
            let extra = |unshared: bool, most: bool| {
                seg.differences
                    .iter()
                    .filter(|d| d.label != seg.name && !seg.name.contains(&d.label))
                    .filter(|d| by.as_ref().is_none_or(|(column, _)| *column != d.column))
                    .filter(|d| !unshared || !earlier.contains(&d.label))
                    .filter(|d| !most || held_by_most(d))
                    .map(|d| format!("{} · {}", seg.name, d.label))
                    .find(|name| !taken.contains_key(name))
            };
            let tries = [(true, true), (true, false), (false, true), (false, false)];
            if let Some(name) = tries.into_iter().find_map(|(u, m)| extra(u, m)) {
                seg.name = name;
            }
        }
        let labels: BTreeSet<String> = seg.differences.iter().map(|d| d.label.clone()).collect();
        for key in [Some(seg.name.clone()), gist].into_iter().flatten() {
            taken.entry(key).or_default().extend(labels.iter().cloned());
        }
    }
}

/// Most of a segment's people that must be nearer its own figure than a sibling's for that
/// column to tell siblings apart by name.
const SIBLINGS_HELD: f64 = 0.8;

/// Segments that would share a name, told apart by the column that parts them: HubSpot's
/// customers came as three segments named "Lifecycle Stage: customer", parted by their
/// deal amounts (2,400, 4,800 and 12,000), each named by how it differs from everyone else
/// (sessions, pageviews), which said nothing of what parted them. Each sibling gets its own
/// figure of the column most of each sibling's people are nearest to ("· Recent Deal
/// Amount: 4,800"): a number's median or a label's most frequent value, for the column where
/// the fewest of any sibling's people sit nearer another sibling's figure (at least
/// [`SIBLINGS_HELD`] must not). Names that stay the same are told apart later by
/// [`distinct_names`].
fn siblings_told_apart(
    segments: &mut [(usize, Segment)],
    members: &[Vec<usize>],
    profiles: &[ColumnProfile],
) {
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (at, (_, seg)) in segments.iter().enumerate() {
        by_name.entry(seg.name.clone()).or_default().push(at);
    }
    for siblings in by_name.values().filter(|s| s.len() >= 2) {
        let people: Vec<&[usize]> = siblings
            .iter()
            .map(|&at| members.get(segments[at].0).map_or(&[][..], Vec::as_slice))
            .collect();
        let mut best: Option<(f64, Vec<String>)> = None;
        for p in profiles.iter().filter(|p| p.role.forms_segments()) {
            if let Some((held, figures)) = sibling_figures(p, &people)
                && held >= SIBLINGS_HELD
                && best.as_ref().is_none_or(|(b, _)| held > *b)
            {
                best = Some((held, figures));
            }
        }
        if let Some((_, figures)) = best {
            for (&at, figure) in siblings.iter().zip(figures) {
                let seg = &mut segments[at].1;
                seg.name = format!("{} · {figure}", seg.name);
            }
        }
    }
}

/// Each sibling's figure in column `p` ("Recent Deal Amount: 4,800") and the smallest share
/// of a sibling's people (with a value) nearer its own figure than any other sibling's; `None`
/// when a sibling has no figure, two figures read the same, or most of a sibling's people
/// have no value.
fn sibling_figures(p: &ColumnProfile, people: &[&[usize]]) -> Option<(f64, Vec<String>)> {
    let column = with_colon(&short_column(&p.name));
    match &p.values {
        Values::Numeric {
            values,
            heavy,
            recency,
            ..
        } => {
            let scale = |v: f64| if *heavy { libm::log1p(v.max(0.0)) } else { v };
            let mut medians = Vec::with_capacity(people.len());
            let mut per: Vec<Vec<f64>> = Vec::with_capacity(people.len());
            for members in people {
                let mut mine: Vec<f64> = members
                    .iter()
                    .filter_map(|&i| values.get(i).copied())
                    .filter(|v| v.is_finite())
                    .collect();
                if mine.len() * 2 < members.len() || mine.is_empty() {
                    return None;
                }
                mine.sort_by(f64::total_cmp);
                medians.push(quantile(&mine, 0.5));
                per.push(mine);
            }
            let shown: Vec<String> = medians.iter().map(|&m| p.figure(m)).collect();
            if (1..shown.len()).any(|j| shown[..j].contains(&shown[j])) {
                return None;
            }
            let nearest = |v: f64| {
                (0..medians.len()).min_by(|&a, &b| {
                    (scale(v) - scale(medians[a]))
                        .abs()
                        .total_cmp(&(scale(v) - scale(medians[b])).abs())
                })
            };
            let held = per
                .iter()
                .enumerate()
                .map(|(j, mine)| {
                    let own = mine.iter().filter(|&&v| nearest(v) == Some(j)).count();
                    own as f64 / mine.len() as f64
                })
                .fold(1.0, f64::min);
            let figures = shown
                .iter()
                .map(|m| {
                    if *recency {
                        format!("{column} {}", days_ago(m))
                    } else {
                        format!("{column} {m}")
                    }
                })
                .collect();
            Some((held, figures))
        }
        Values::Labels { codes, labels, .. } => {
            let mut modes = Vec::with_capacity(people.len());
            let mut held: f64 = 1.0;
            for members in people {
                let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
                let mut with_value = 0usize;
                for &i in members.iter() {
                    if let Some(Some(code)) = codes.get(i) {
                        *counts.entry(*code).or_default() += 1;
                        with_value += 1;
                    }
                }
                if with_value * 2 < members.len() {
                    return None;
                }
                let (&mode, &n) = counts
                    .iter()
                    .max_by_key(|&(c, n)| (*n, std::cmp::Reverse(*c)))?;
                if modes.contains(&mode) {
                    return None;
                }
                modes.push(mode);
                held = held.min(n as f64 / with_value as f64);
            }
            let figures = modes
                .iter()
                .map(|&m| {
                    format!(
                        "{column} {}",
                        labels.get(m as usize).map_or("", String::as_str)
                    )
                })
                .collect();
            Some((held, figures))
        }
        _ => None,
    }
}

/// The distinct answers the members gave in `column` (by name), each with how many gave it,
/// in the order of the first member to give it; empty cells are skipped. Each distinct answer
/// is then read once, however many gave it.
pub(crate) fn member_answers<'t>(
    table: &'t Table,
    column: &str,
    members: &[usize],
) -> Vec<(&'t str, usize)> {
    let Some(col) = table.columns().iter().find(|c| c.name == column) else {
        return Vec::new();
    };
    let codes = col.codes();
    let mut at: Vec<Option<usize>> = vec![None; col.values().len()];
    let mut out: Vec<(&'t str, usize)> = Vec::new();
    for &i in members {
        let Some(code) = codes.get(i) else { continue };
        match at.get(code as usize).copied().flatten() {
            Some(k) => out[k].1 += 1,
            None => {
                let text = col.get(i);
                if schema::read::is_missing(text) {
                    continue;
                }
                if let Some(slot) = at.get_mut(code as usize) {
                    *slot = Some(out.len());
                }
                out.push((text, 1));
            }
        }
    }
    out
}

/// Longest name taken from an answer, in characters.
const NAME_CHARS: usize = 70;

/// A segment's name: its most representative phrase, in its members' own words — the clause
/// of their answers (to the "what are you trying to get done" question when there is one)
/// that carries the most of the segment's distinguishing phrases, favouring a clause many of
/// them wrote and a short one ("keep my café kitchen supplied", not "supplied"). BERTopic
/// names a topic by its representative documents in the same spirit (Grootendorst 2022).
/// `None` when no clause carries at least the top phrase's weight; the caller then falls
/// back to [`fallback_name`].
pub(crate) fn segment_name<'t>(
    says: &[Phrase],
    answers_in: impl Fn(&str) -> Vec<(&'t str, usize)>,
) -> Option<String> {
    let pool = naming_pool(says);
    let top = pool.first()?;
    // Phrases and clauses are compared by their words' stems: the phrase "grocery" is in
    // "deliver groceries to my mum".
    let tokenizer = crate::engine::text::Tokenizer::default();
    let stems =
        |text: &str| -> Vec<String> { tokenizer.words(text).into_iter().map(|w| w.stem).collect() };
    let phrases: Vec<(Vec<String>, f64)> = pool
        .iter()
        .filter(|p| p.column == top.column)
        .map(|p| (stems(&p.text), p.z))
        .collect();
    // Each distinct clause (compared in lower case): how many wrote it, and the first
    // member's own spelling.
    // Keyed by the clause's words; with its content words' stems (stop words out: phrases are
    // runs of content words, "essentials older" in "send essentials to an older relative").
    let mut clauses: std::collections::BTreeMap<Vec<String>, (usize, String, Vec<String>)> =
        std::collections::BTreeMap::new();
    for (answer, people) in answers_in(&top.column) {
        let answer = without_markup(answer);
        for clause in clauses_of(&answer) {
            // A clause cut from a longer sentence may start with its joining word ("so if
            // you're looking for green-tea flavor"); a name starts after it.
            let clause = as_name(without_joining_word(clause));
            let clause = clause.as_str();
            let words = words_of(clause);
            let content = stems(clause);
            if content.len() < 2 || words.len() > 12 || clause.chars().count() > NAME_CHARS {
                continue;
            }
            clauses
                .entry(words)
                .or_insert((0, clause.to_string(), content))
                .0 += people;
        }
    }
    let mut best: Option<(f64, usize, &str)> = None;
    for (words, (count, text, content)) in &clauses {
        let weight: f64 = phrases
            .iter()
            .filter(|(p, _)| contains_run(content, p))
            .map(|(_, z)| z)
            .sum();
        if weight < top.z {
            continue;
        }
        // Shared clauses and short ones read as a name; a long one has more room for phrases.
        let score = weight * (1.0 + (*count as f64).ln()) / (1.0 + 0.08 * words.len() as f64);
        // Ties go to the clause more of them wrote, then the shorter (the map's order is fixed).
        if best.is_none_or(|(b, c, t)| {
            score > b || (score == b && (*count > c || (*count == c && text.len() < t.len())))
        }) {
            best = Some((score, *count, text));
        }
    }
    best.map(|(_, _, text)| text.to_string())
}

/// Phrases that may name a segment: those from the "what are you trying to get done" answer
/// when there is one, else all.
fn naming_pool(says: &[Phrase]) -> Vec<&Phrase> {
    let jobs: Vec<&Phrase> = says.iter().filter(|p| asks_for_jobs(&p.column)).collect();
    if jobs.is_empty() {
        says.iter().collect()
    } else {
        jobs
    }
}

/// The name when no clause of the members' answers will do: the top phrase (or a two-word
/// phrase containing it, nearly as strong), else the largest difference's label; and whether
/// it is a phrase (from their words) rather than a label.
fn fallback_name(says: &[Phrase], diffs: &[Difference]) -> (String, bool) {
    let pool = naming_pool(says);
    if let Some(top) = pool.first() {
        let better = pool.iter().take(5).find(|p| {
            p.text.contains(' ') && p.text.split(' ').any(|w| w == top.text) && p.z >= 0.5 * top.z
        });
        return (better.unwrap_or(top).text.clone(), true);
    }
    // Nearly as large a difference: a weak one most of them share names nothing.
    let most = diffs.first().and_then(|top| {
        diffs
            .iter()
            .find(|d| held_by_most(d) && d.effect >= 0.5 * top.effect)
    });
    match most.or(diffs.first()) {
        Some(d) => (d.label.clone(), false),
        None => ("no clear difference".into(), false),
    }
}

/// Whether a difference is true of most of its segment: an answer more than half of them
/// gave, a value more than half of them have ("inquiries: 3", not a median of 28 that few
/// have exactly), or a number by how it compares with everyone else's ("2.0× others'",
/// "none", told by the segment's median or mean). A name says what its people are: a
/// developer survey's segment was named "Graphic_designer: yes", the answer most
/// over-represented in it, though 47 % of its people gave it and all of them answered
/// "Database_administrator: yes"; the largest difference most of them share names it, when
/// it is at least half as large, and the rarer one is listed beside it.
fn held_by_most(d: &Difference) -> bool {
    d.holds.is_none_or(|share| share > 0.5)
}

/// The label of a chosen answer, fit to name a segment. A short column keeps its name
/// ("Delivery slot: night"); after a long question the answer stands alone when it says
/// something by itself ("pets allowed", not "Which of these matter most when you choose where
/// to stay? (choose all that apply): pets allowed"), and an answer that needs its question
/// ("Ja", "Under 50") gets the question cut at a word to a length a card can hold.
fn answer_label(column: &str, answer: &str) -> String {
    let short = short_column(column);
    if short.chars().count() <= QUESTION_CHARS {
        return format!("{} {answer}", with_colon(&short));
    }
    if stands_alone(answer) {
        return answer.to_string();
    }
    let cut: String = column.chars().take(QUESTION_CHARS + 1).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…: {answer}", cut.trim_end())
}

/// The most of a column's name a short label shows before it is cut.
const QUESTION_CHARS: usize = 40;

/// A column's name for a short label: a long one that names a question's option or a grid's
/// row, as survey tools name their columns ("How important is it to you to… - get my
/// delivery on time", "Which do you buy? — fresh"), is named by the option, with what the
/// question rates ("get my delivery on time (importance)", "fresh").
fn short_column(column: &str) -> String {
    if column.chars().count() <= QUESTION_CHARS {
        return column.to_string();
    }
    let Some((question, option)) = schema::read::question_and_option(column) else {
        return column.to_string();
    };
    let q = question.to_lowercase();
    if q.contains("important") || q.contains("importance") {
        format!("{option} (importance)")
    } else if q.contains("satisf") {
        format!("{option} (satisfaction)")
    } else {
        option.to_string()
    }
}

/// A column's name as the lead of a statement, "Orders:"; a question mark or colon already
/// ends it: "Trip type? Cruise", not "Trip type?: Cruise".
fn with_colon(column: &str) -> String {
    let column = column.trim_end();
    if column.ends_with(['?', ':', '？', '：']) {
        column.to_string()
    } else {
        format!("{column}:")
    }
}

/// Whether a chosen answer reads as a name without its question: words, at least three
/// letters, no digits, and not a bare yes/no or "other" in the languages surveys are
/// commonly written in.
fn stands_alone(answer: &str) -> bool {
    const BARE: &[&str] = &[
        "yes",
        "no",
        "y",
        "n",
        "true",
        "false",
        "other",
        "none",
        "n/a",
        "na",
        "not sure",
        "don't know",
        "maybe",
        "sometimes",
        "oui",
        "non",
        "ja",
        "nein",
        "si",
        "sí",
        "sim",
        "não",
        "nee",
        "autre",
        "andere",
        "otro",
        "altro",
        "aucun",
        "keine",
        "ninguno",
    ];
    let letters = answer.chars().filter(|c| c.is_alphabetic()).count();
    letters >= 3
        && !answer.chars().any(|c| c.is_numeric())
        && !BARE.contains(&answer.trim().to_lowercase().as_str())
}

/// An answer's clauses: split at sentence ends, semicolons, dashes, line breaks and markup, trimmed
/// of spaces, quotes and trailing punctuation; commas split only a clause too long to name.
fn clauses_of(answer: &str) -> Vec<&str> {
    fn trim(c: &str) -> &str {
        c.trim_matches(|ch: char| {
            ch.is_whitespace() || matches!(ch, '"' | '\'' | '“' | '”' | '‘' | '’')
        })
        .trim_end_matches([',', ':', '.', '!', '?', '…'])
        .trim()
    }
    // Sentence ends are a full stop, ! or ? before a space (not the dots of "3.5" or a web
    // address), and semicolons, dashes and line breaks.
    let mut sentences = Vec::new();
    let mut start = 0;
    let mut chars = answer.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let next_is_space = chars.peek().is_none_or(|&(_, n)| n.is_whitespace());
        let ends =
            matches!(c, ';' | '\n' | '—' | '–') || (matches!(c, '.' | '!' | '?') && next_is_space);
        if ends {
            sentences.push(&answer[start..at]);
            start = at + c.len_utf8();
        }
    }
    sentences.push(&answer[start..]);
    let mut out = Vec::new();
    for sentence in sentences {
        let sentence = trim(sentence);
        let pieces: Vec<&str> = if sentence.chars().count() <= NAME_CHARS {
            vec![sentence]
        } else {
            sentence.split(',').map(trim).collect()
        };
        // A web address or half a bracket does not make a name.
        out.extend(pieces.into_iter().filter(|c| {
            !c.is_empty()
                && !c.contains("http")
                && !c.contains("www.")
                && c.matches('(').count() == c.matches(')').count()
                && c.matches('[').count() == c.matches(']').count()
        }));
    }
    out
}

/// `clause` without a leading "and", "but", "so", "or", "also", "then" or "plus".
fn without_joining_word(clause: &str) -> &str {
    let Some((first, rest)) = clause.split_once(' ') else {
        return clause;
    };
    let joining = ["and", "but", "so", "or", "also", "then", "plus"];
    if joining.contains(&first.to_lowercase().as_str()) {
        rest.trim_start()
    } else {
        clause
    }
}

/// `clause` as a name: without hedges at either end ([`HEDGES`]), one space
/// between words and a capital first letter. "Honestly, order supplies for the office" names a
/// segment as "Order supplies for the office". A clause of nothing but hedges keeps them.
fn as_name(clause: &str) -> String {
    let is_hedge = |w: &str| {
        let w = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        HEDGES.contains(&w.as_str())
    };
    let words: Vec<&str> = clause.split_whitespace().collect();
    let start = words.iter().position(|w| !is_hedge(w)).unwrap_or(0);
    let end = words
        .iter()
        .rposition(|w| !is_hedge(w))
        .unwrap_or(words.len().saturating_sub(1));
    let kept = words.get(start..=end).unwrap_or_default().join(" ");
    let kept = kept.trim_end_matches([',', ':', ';']);
    // "iPhone", "eBay": a word with a capital inside keeps its spelling.
    let first_word = kept.split_whitespace().next().unwrap_or_default();
    if first_word.chars().skip(1).any(char::is_uppercase) {
        return kept.to_string();
    }
    let mut chars = kept.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Lower-case words of a text (letters, digits and apostrophes).
fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().replace(['’', '\''], ""))
        .collect()
}

/// True when `run` appears in `words` as consecutive words.
fn contains_run(words: &[String], run: &[String]) -> bool {
    !run.is_empty() && words.windows(run.len()).any(|w| w == run)
}

fn demographic_warning(
    schema: &Schema,
    diffs: &[Difference],
    who: &[Who],
    size: usize,
) -> Option<String> {
    let is_demo = |name: &str| {
        schema
            .columns
            .iter()
            .any(|c| c.name == name && c.demographic)
    };
    if let Some(top) = diffs.first()
        && is_demo(&top.column)
    {
        return Some(format!(
            "This segment is told apart mostly by “{}”, a demographic. That is how personas creep back in: check what its people say and do.",
            top.column
        ));
    }
    if size >= 20 {
        for w in who {
            if let Some(p) = w.portions.first()
                && p.segment >= 0.75
                && p.overall <= 0.4
            {
                return Some(format!(
                    "{} of this segment have {} “{}” ({} overall). It describes them strongly; do not let it stand in for what they say and do.",
                    fmt_share(p.segment),
                    w.column,
                    p.label,
                    fmt_share(p.overall)
                ));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_words_in_two_questions_are_told_apart() {
        let phrase = |text: &str, column: &str| Phrase {
            text: text.into(),
            column: column.into(),
            in_segment: 0.3,
            elsewhere: 0.1,
            z: 4.0,
        };
        let says = vec![
            phrase("free", "What are you trying to get done?"),
            phrase("gluten", "What are you trying to get done?"),
            phrase("Free", "What gets in the way?"),
        ];
        let shown = shown_phrases(&says);
        assert_eq!(shown.len(), 3);
        assert_eq!(shown[0].1, Some("What are you trying to get done?"));
        assert_eq!(shown[1].1, None, "a phrase said once needs no question");
        assert_eq!(shown[2].1, Some("What gets in the way?"));
        let many: Vec<Phrase> = (0..9).map(|i| phrase(&format!("w{i}"), "q")).collect();
        assert_eq!(shown_phrases(&many).len(), PHRASES_SHOWN);
    }

    #[test]
    fn a_title_quotes_only_the_members_words() {
        let mut seg = Segment {
            id: "S1".into(),
            name: "Family meals · Plan: plus".into(),
            quoted: true,
            size: 10,
            share: 0.1,
            stability: None,
            distinctiveness: 0.0,
            mass: false,
            micro: false,
            core_members: 10,
            says: Vec::new(),
            quotes: Vec::new(),
            differences: Vec::new(),
            needs: Vec::new(),
            who: Vec::new(),
            warning: None,
            say_line: String::new(),
            do_line: String::new(),
        };
        assert_eq!(seg.title(), "“Family meals” · Plan: plus");
        seg.name = "Family meals".into();
        assert_eq!(seg.title(), "“Family meals”");
        seg.quoted = false;
        seg.name = "market_segment: corporate".into();
        assert_eq!(seg.title(), "market_segment: corporate");
    }

    /// A numeric column of what people do, `values` by row.
    fn numbers(name: &str, values: Vec<f64>) -> ColumnProfile {
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        ColumnProfile {
            column: 0,
            name: name.into(),
            role: Role::Behaviour,
            values: Values::Numeric {
                values,
                sorted,
                heavy: false,
                recency: false,
                money: false,
            },
            years: false,
        }
    }

    /// A column of labels (`names`), each row's label by its index in `names`.
    fn labels_column(name: &str, names: &[String], by_row: &[usize]) -> ColumnProfile {
        let mut counts = vec![0; names.len()];
        for &c in by_row {
            counts[c] += 1;
        }
        ColumnProfile {
            column: 0,
            name: name.into(),
            role: Role::Behaviour,
            values: Values::Labels {
                codes: by_row.iter().map(|&c| Some(c as u32)).collect(),
                labels: names.to_vec(),
                counts,
            },
            years: false,
        }
    }

    #[test]
    fn numbers_compared_with_everyone_else_show_how_they_differ() {
        // Booking changes: most people in either segment made none, so both medians are 0;
        // the first segment's four in ten with two or three changes show in the means.
        let changes: Vec<f64> = (0..200)
            .map(|i| match (i < 100, i % 10) {
                (true, 0..=3) => 2.0 + f64::from(i % 2),
                (false, 0) => 1.0,
                _ => 0.0,
            })
            .collect();
        let labels: Vec<Option<usize>> = (0..200).map(|i| Some(usize::from(i >= 100))).collect();
        let out = column_differences(&[numbers("Booking changes", changes)], &labels, 2);
        let first = &out[0][0];
        assert_eq!(
            first.text,
            "Booking changes: 1 (mean) vs 0.1 for everyone else — 10× as much"
        );
        assert_eq!(first.label, "Booking changes: 10× others'");
        assert_eq!(first.more, Some(true));
        // Decimal years a few months apart: the medians are told apart by their decimals.
        let years: Vec<f64> = (0..200)
            .map(|i| if i < 100 { 2017.4 } else { 2016.9 } + f64::from(i % 5) * 0.01)
            .collect();
        let out = column_differences(&[numbers("Arrival", years)], &labels, 2);
        assert_eq!(
            out[0][0].text,
            "Arrival: 2,017.4 (median) vs 2,016.9 for everyone else"
        );
        assert_eq!(out[0][0].label, "Arrival: 2,017.4");
    }

    #[test]
    fn who_they_are_by_a_number_says_how_the_segment_differs() {
        // Children: none for most people in and out of the segment; one in five of the
        // segment's have one.
        let children: Vec<f64> = (0..200)
            .map(|i| f64::from(u8::from(i < 100 && i % 5 == 0)))
            .collect();
        let mut column = numbers("Children", children);
        column.role = Role::DescribeOnly;
        let labels: Vec<Option<usize>> = (0..200).map(|i| Some(usize::from(i >= 100))).collect();
        let out = who(&[column], &labels, 2);
        assert_eq!(out[0][0].summary, "mean 0.2 (overall 0.1)");
        assert_eq!(out[1][0].summary, "mean 0 (overall 0.1)");
    }

    #[test]
    fn who_they_are_by_a_column_of_many_values_names_only_what_stands_out() {
        // A birthday: 365 days, 4 to 5 people each. The first segment's 200 people include
        // 6 born on the first day, as chance gives; the second's 100 include 30 born on
        // the second day (a birthday club), against about one by chance.
        let n = 365 * 5;
        let mut day: Vec<usize> = (0..n).map(|i| i % 365).collect();
        let mut labels: Vec<Option<usize>> = vec![None; n];
        for (i, l) in labels.iter_mut().enumerate().take(200) {
            *l = Some(0);
            day[i] = if i < 6 { 0 } else { 2 + i % 363 };
        }
        for (i, l) in labels.iter_mut().enumerate().skip(200).take(100) {
            *l = Some(1);
            day[i] = if i < 230 { 1 } else { 2 + i % 363 };
        }
        let names: Vec<String> = (0..365).map(|d| format!("day {d}")).collect();
        let mut column = labels_column("Birthday", &names, &day);
        column.role = Role::DescribeOnly;
        let out = who(&[column], &labels, 2);
        assert_eq!(out[0][0].summary, "no one value stands out (365 values)");
        assert!(out[0][0].portions.is_empty());
        assert_eq!(out[1][0].portions.len(), 1);
        assert_eq!(out[1][0].portions[0].label, "day 1");
        assert!(out[1][0].summary.starts_with("30 % day 1 (overall"));
        // A segment none of whose people answered says so, not "0 % day 0".
        let blank = vec![Some(0), Some(0), Some(1), Some(1)];
        let names = vec!["a".to_string(), "b".to_string()];
        let mut column = labels_column("Region", &names, &[0, 1, 0, 1]);
        column.role = Role::DescribeOnly;
        if let Values::Labels { codes, .. } = &mut column.values {
            codes[0] = None;
            codes[1] = None;
        }
        let out = who(&[column], &blank, 2);
        assert_eq!(out[0][0].summary, "none of them answered");
        assert!(out[0][0].portions.is_empty());
        // Tails: a count at its mean is not small; six where 0.58 are expected is rare.
        assert_eq!(poisson_upper_tail(3, 3.0), 1.0);
        let p = poisson_upper_tail(6, 0.58);
        assert!(p > 3.0e-5 && p < 3.6e-5, "{p}");
    }

    #[test]
    fn who_they_are_by_a_number_of_two_peaks_says_when_there_is_no_clear_difference() {
        // Latitude: Americans near 40.7, Europeans near 51.5, 393 of 800 Americans overall;
        // the first segment of 100 has 53 Americans, the second 100 of 100.
        let lat =
            |american: bool, i: usize| (if american { 40.7 } else { 51.5 }) + (i % 7) as f64 * 0.01;
        let mut values = Vec::new();
        let mut labels = Vec::new();
        for i in 0..100 {
            values.push(lat(i < 53, i));
            labels.push(Some(0));
        }
        for i in 0..100 {
            values.push(lat(true, i));
            labels.push(Some(1));
        }
        for i in 0..600 {
            values.push(lat(i < 240, i));
            labels.push(None);
        }
        let mut column = numbers("LATITUDE", values);
        column.role = Role::DescribeOnly;
        let out = who(&[column], &labels, 2);
        assert!(
            out[0][0]
                .summary
                .starts_with("no clear difference (median 40.")
                && out[0][0].summary.contains("overall 51.5"),
            "{}",
            out[0][0].summary
        );
        assert!(
            out[1][0].summary.starts_with("median 40.")
                && out[1][0].summary.contains("overall 51.5"),
            "{}",
            out[1][0].summary
        );
        // Many rows: 53 % of a segment of 40,000 against 49 % of 60,000 others is beyond
        // chance, and still a small difference.
        let (mut values, mut labels) = (Vec::new(), Vec::new());
        for i in 0..100_000 {
            let (american, l) = if i < 40_000 {
                (i % 100 < 53, Some(0))
            } else {
                (i % 100 < 49, None)
            };
            values.push(lat(american, i));
            labels.push(l);
        }
        let z = rank_z(&values, &labels, 1);
        assert!(
            z[0].0.abs() > 5.0 && (z[0].1 - 0.5).abs() < SMALL_EFFECT,
            "{z:?}"
        );
        let mut column = numbers("LATITUDE", values);
        column.role = Role::DescribeOnly;
        let out = who(&[column], &labels, 1);
        assert!(
            out[0][0].summary.starts_with("no clear difference"),
            "{}",
            out[0][0].summary
        );
        // A segment none of whose people answered says so (not "median NaN").
        let mut column = numbers("Age", vec![f64::NAN, f64::NAN, 30.0, 40.0]);
        column.role = Role::DescribeOnly;
        let out = who(&[column], &[Some(0), Some(0), Some(1), Some(1)], 2);
        assert_eq!(out[0][0].summary, "none of them answered");
        // Ranks by hand: 1, 2, 3 | 4, 5 with the ties at 2 sharing 2.5.
        let z = rank_z(
            &[1.0, 2.0, 2.0, 3.0, 4.0],
            &[Some(0), Some(0), None, None, None],
            1,
        );
        // Rank sum 1 + 2.5 = 3.5 against 2 × 6 / 2 = 6; variance 2 × 3 / 12 × (6 − 6 / 20).
        let expected = (3.5 - 6.0) / (0.5f64 * (6.0 - 0.3)).sqrt();
        assert!((z[0].0 - expected).abs() < 1e-12, "{z:?}");
        // Of the 2 × 3 pairs a member wins none but the tie (half): A = 0.5 / 6.
        assert!((z[0].1 - 0.5 / 6.0).abs() < 1e-12, "{z:?}");
    }

    #[test]
    fn minus_sorted_removes_one_of_each() {
        assert_eq!(
            minus_sorted(&[1.0, 2.0, 2.0, 3.0], &[2.0, 3.0]),
            vec![1.0, 2.0]
        );
    }

    #[test]
    fn names_are_found_as_whole_words_only() {
        let names: BTreeSet<String> = ["ann".to_string(), "bill".to_string()].into();
        assert!(mentions_name("Ann wants cheaper delivery", &names));
        assert!(mentions_name("the food bill", &names));
        assert!(!mentions_name("annual plan", &names));
    }

    #[test]
    fn clauses_end_at_sentence_ends_not_at_dots_inside_words() {
        assert_eq!(
            clauses_of("Great tea. Costs 3.5 a box; see t.co/x! (Really good)"),
            [
                "Great tea",
                "Costs 3.5 a box",
                "see t.co/x",
                "(Really good)"
            ]
        );
        // A web address or half a bracket is never a clause.
        assert_eq!(
            clauses_of("more at http://x.org. Drawing (with pigment, ink"),
            Vec::<&str>::new()
        );
        assert_eq!(
            without_joining_word("so easy to stir-fry"),
            "easy to stir-fry"
        );
        assert_eq!(without_joining_word("soup for one"), "soup for one");
    }

    fn phrase(text: &str, z: f64) -> Phrase {
        Phrase {
            text: text.into(),
            column: "What are you trying to get done?".into(),
            in_segment: 0.5,
            elsewhere: 0.01,
            z,
        }
    }

    #[test]
    fn a_segment_is_named_by_the_clause_that_carries_its_phrases() {
        let says = [phrase("essentials older", 9.0), phrase("relative", 6.0)];
        let answers = [
            "Send essentials to an older relative after her operation.",
            "send essentials to an older relative after her operation",
            "Older relative. Essentials!",
            "Weekly shop for the family",
        ];
        // The stop words in between do not hide the phrase; the clause two members wrote wins.
        assert_eq!(
            segment_name(&says, |_| answers.iter().map(|a| (*a, 1)).collect()).as_deref(),
            Some("Send essentials to an older relative after her operation")
        );
        // No clause carries the top phrase's weight: the caller falls back to the phrase.
        assert_eq!(
            segment_name(&says, |_| vec![("Weekly shop for the family", 3)]),
            None
        );
        assert_eq!(
            fallback_name(&says, &[]),
            ("essentials older".to_string(), true)
        );
    }

    #[test]
    fn hedges_neither_name_a_segment_nor_stand_as_its_phrases_and_names_read_as_titles() {
        assert!(has_hedge("honestly"));
        assert!(has_hedge("Honestly plan"));
        assert!(!has_hedge("family meals"));
        assert_eq!(
            as_name("Honestly, order supplies for our office team every week"),
            "Order supplies for our office team every week"
        );
        assert_eq!(
            as_name("Be sure nothing with gluten ends up in the order really"),
            "Be sure nothing with gluten ends up in the order"
        );
        assert_eq!(as_name("Really, honestly"), "Really, honestly");
        assert_eq!(as_name("Quiet rooms"), "Quiet rooms");
        assert_eq!(
            as_name("garlic in it which are  known toxins"),
            "Garlic in it which are known toxins"
        );
        assert_eq!(
            as_name("iPhone cases for the kids"),
            "iPhone cases for the kids"
        );
        assert_eq!(as_name("honestly, eBay finds"), "eBay finds");
        // The name is the clause without its hedges, whichever member's spelling comes first.
        let says = [phrase("office team", 9.0)];
        let answers = [
            "Honestly, order supplies for our office team every week",
            "order supplies for our office team every week",
        ];
        assert_eq!(
            segment_name(&says, |_| answers.iter().map(|a| (*a, 1)).collect()).as_deref(),
            Some("Order supplies for our office team every week")
        );
    }

    #[test]
    fn a_chosen_answer_names_a_segment_without_its_long_question() {
        let long =
            "Which of these matter most when you choose where to stay? (choose all that apply)";
        assert_eq!(answer_label(long, "pets allowed"), "pets allowed");
        // A short column keeps its name; a bare answer after a long question keeps a cut one.
        assert_eq!(
            answer_label("Delivery slot", "night"),
            "Delivery slot: night"
        );
        assert_eq!(
            answer_label("Do you need step-free access?", "yes"),
            "Do you need step-free access? yes"
        );
        assert_eq!(answer_label("Plan:", "Pro"), "Plan: Pro");
        // Statements about a column lead with it the same way.
        assert_eq!(
            with_colon("How often do you travel?"),
            "How often do you travel?"
        );
        assert_eq!(with_colon("Orders "), "Orders:");
        assert_eq!(
            answer_label(long, "Ja"),
            "Which of these matter most when you…: Ja"
        );
        assert_eq!(
            answer_label(&format!("{long}, per night"), "Under 50"),
            "Which of these matter most when you…: Under 50"
        );
        // Characters, not bytes: a long question in Greek is cut without a panic.
        let greek = "Ποια από αυτά μετράνε περισσότερο όταν διαλέγετε πού θα μείνετε;";
        assert_eq!(
            answer_label(greek, "5"),
            "Ποια από αυτά μετράνε περισσότερο όταν…: 5"
        );
        // The segment's name falls back to it.
        let chose = Difference {
            column: long.into(),
            role: Role::StatedJobs,
            text: String::new(),
            short: String::new(),
            label: answer_label(long, "pets allowed"),
            effect: 1.0,
            more: None,
            holds: Some(0.9),
        };
        assert_eq!(
            fallback_name(&[], &[chose]),
            ("pets allowed".to_string(), false)
        );
    }

    /// Survey tools name a column of a grid's row or a question's option by the question and
    /// the option; a label names it by the option, with what the question rates. A long name
    /// whose first part is no question keeps its whole name.
    #[test]
    fn a_grids_row_or_a_questions_option_is_named_by_itself() {
        assert_eq!(
            short_column(
                "How important is it to you to... - get my delivery at a time that suits me"
            ),
            "get my delivery at a time that suits me (importance)"
        );
        assert_eq!(
            short_column("How satisfied are you with each? — Find food for my diet"),
            "Find food for my diet (satisfaction)"
        );
        let option = "Which of these do you buy from us? (Select all that apply) — fresh";
        assert_eq!(short_column(option), "fresh");
        assert_eq!(answer_label(option, "yes"), "fresh: yes");
        let plain = "Total spend over the last twelve months - in pounds sterling";
        assert_eq!(short_column(plain), plain);
        assert_eq!(short_column("Q3 - delivery"), "Q3 - delivery");
    }

    /// A segment named by a number and which way it differs from everyone else.
    fn named_by(name: &str, numbers: &[(&str, &str, Option<bool>)]) -> Segment {
        let differences = numbers
            .iter()
            .map(|&(column, label, more)| Difference {
                column: column.into(),
                role: Role::Behaviour,
                text: String::new(),
                short: label.into(),
                label: label.into(),
                effect: 1.0,
                more,
                holds: None,
            })
            .collect();
        Segment {
            id: String::new(),
            name: name.into(),
            quoted: false,
            size: 20,
            share: 0.01,
            stability: None,
            distinctiveness: 1.0,
            mass: false,
            micro: false,
            core_members: 20,
            says: Vec::new(),
            quotes: Vec::new(),
            differences,
            needs: Vec::new(),
            who: Vec::new(),
            warning: None,
            say_line: String::new(),
            do_line: String::new(),
        }
    }

    /// Three segments of one name (HubSpot's customers) are told apart by the column that
    /// parts them, each by its own figure; a column whose figures overlap (sessions) does
    /// not name them, and neither does a number most of them lack. A name held once is kept.
    #[test]
    fn segments_of_one_name_are_told_apart_by_what_parts_them() {
        // 30 customers in three segments of 10 by deal amount, sessions alike, and 10 others.
        let deal: Vec<f64> = (0..40)
            .map(|i| match i / 10 {
                0 => 12_000.0,
                1 => 4_800.0,
                2 => 2_400.0,
                _ => f64::NAN,
            })
            .collect();
        let sessions: Vec<f64> = (0..40).map(|i| f64::from(10 + i % 7)).collect();
        let rare: Vec<f64> = (0..40)
            .map(|i| if i % 10 < 3 { f64::from(i) } else { f64::NAN })
            .collect();
        let profiles = [
            numbers("Number of Sessions", sessions),
            numbers("Recent Deal Amount", deal),
            numbers("Tickets", rare),
        ];
        let members: Vec<Vec<usize>> = (0..4).map(|s| (s * 10..s * 10 + 10).collect()).collect();
        let mut segments: Vec<(usize, Segment)> = ["customer", "customer", "customer", "lead"]
            .iter()
            .enumerate()
            .map(|(s, name)| (s, named_by(&format!("Lifecycle Stage: {name}"), &[])))
            .collect();
        siblings_told_apart(&mut segments, &members, &profiles);
        let names: Vec<&str> = segments.iter().map(|(_, s)| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Lifecycle Stage: customer · Recent Deal Amount: 12,000",
                "Lifecycle Stage: customer · Recent Deal Amount: 4,800",
                "Lifecycle Stage: customer · Recent Deal Amount: 2,400",
                "Lifecycle Stage: lead",
            ]
        );
        // Without the deal amounts nothing parts them: the names stay for `distinct_names`.
        let mut segments: Vec<(usize, Segment)> = (0..3)
            .map(|s| (s, named_by("Lifecycle Stage: customer", &[])))
            .collect();
        siblings_told_apart(
            &mut segments,
            &members,
            &[profiles[0].clone(), profiles[2].clone()],
        );
        assert!(
            segments
                .iter()
                .all(|(_, s)| s.name == "Lifecycle Stage: customer")
        );
    }

    /// Two segments named by more of one number ("8.0× others'", "8.3× others'") read as one
    /// name twice: the second says what else sets it apart. Names by a value ("inquiries: 2",
    /// "inquiries: 3") and by less of it stay as they are. A second of one name adds what the
    /// first does not say of itself too.
    #[test]
    fn two_segments_named_by_more_of_one_number_say_what_else_sets_them_apart() {
        let mut segments = vec![
            named_by(
                "orders: 8.0× others'",
                &[
                    ("orders", "orders: 8.0× others'", Some(true)),
                    ("plan", "plan: basic", None),
                ],
            ),
            named_by(
                "orders: 8.3× others'",
                &[
                    ("orders", "orders: 8.3× others'", Some(true)),
                    ("visits", "visits: 1.2× others'", Some(true)),
                    ("plan", "plan: plus", None),
                ],
            ),
            named_by(
                "orders: 0.3× others'",
                &[("orders", "orders: 0.3× others'", Some(false))],
            ),
            named_by("inquiries: 2", &[("inquiries", "inquiries: 2", None)]),
            named_by("inquiries: 3", &[("inquiries", "inquiries: 3", None)]),
            named_by(
                "company: parker_inc",
                &[
                    ("company", "company: parker_inc", None),
                    ("market_segment", "market_segment: groups", None),
                ],
            ),
            named_by(
                "company: parker_inc",
                &[
                    ("company", "company: parker_inc", None),
                    ("market_segment", "market_segment: groups", None),
                    ("lead_time", "lead_time: 7.8× others'", Some(true)),
                ],
            ),
        ];
        distinct_names(&mut segments);
        let names: Vec<&str> = segments.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "orders: 8.0× others'",
                "orders: 8.3× others' · visits: 1.2× others'",
                "orders: 0.3× others'",
                "inquiries: 2",
                "inquiries: 3",
                "company: parker_inc",
                // Not "· market_segment: groups", which the first is too.
                "company: parker_inc · lead_time: 7.8× others'"
            ]
        );
    }

    /// A name says what most of its people are. A developer survey's segment was named
    /// "Graphic_designer: yes" (its largest difference, 47 % of its people) though all of them
    /// answered "Database_administrator: yes"; a second of one name adds, likewise, what most
    /// of its people share.
    #[test]
    fn a_segment_is_named_by_a_difference_most_of_its_people_share() {
        let answer = |column: &str, label: &str, effect: f64, holds: f64| Difference {
            column: column.into(),
            role: Role::Behaviour,
            text: String::new(),
            short: String::new(),
            label: answer_label(column, label),
            effect,
            more: None,
            holds: Some(holds),
        };
        let rare = answer("Graphic_designer", "yes", 2.75, 0.468);
        let most = answer("Database_administrator", "yes", 2.56, 1.0);
        assert_eq!(
            fallback_name(&[], &[rare.clone(), most.clone()]).0,
            "Database_administrator: yes"
        );
        // One most of them share but far smaller (under half the effect) does not.
        let weak = answer("Hobby", "yes", 0.9, 0.94);
        assert_eq!(
            fallback_name(&[], &[rare.clone(), weak]).0,
            "Graphic_designer: yes"
        );
        // Where no answer holds for most of them, the largest difference still names it.
        let also_rare = answer("Quality_assurance_engineer", "yes", 2.3, 0.452);
        assert_eq!(
            fallback_name(&[], &[rare.clone(), also_rare.clone()]).0,
            "Graphic_designer: yes"
        );
        // A number by how it compares with everyone else's holds; by its own value, for
        // those who have that value (here few).
        let spend = Difference {
            holds: None,
            more: Some(true),
            label: "spend: 3.0× others'".into(),
            ..rare.clone()
        };
        let length = Difference {
            holds: Some(0.14),
            more: None,
            label: "Length: 28".into(),
            ..rare.clone()
        };
        assert_eq!(
            fallback_name(&[], &[rare.clone(), length.clone(), spend]).0,
            "spend: 3.0× others'"
        );
        assert_eq!(
            fallback_name(&[], &[rare.clone(), length]).0,
            "Graphic_designer: yes"
        );
        // The second "Database_administrator: yes" adds what most of it share.
        let mut first = named_by("Database_administrator: yes", &[]);
        first.differences = vec![most.clone()];
        let mut second = named_by("Database_administrator: yes", &[]);
        second.differences = vec![
            most,
            rare,
            answer("Systems_administrator", "yes", 2.52, 0.887),
        ];
        let mut segments = vec![first, second];
        distinct_names(&mut segments);
        assert_eq!(
            segments[1].name,
            "Database_administrator: yes · Systems_administrator: yes"
        );
    }
}
