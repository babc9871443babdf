//! Features: every person as a point, built from what they say and what they do.
//!
//! Each column that forms segments becomes a *group* of numeric features:
//! * counts, money, percentages — log-transformed when heavy-tailed, then robustly scaled
//!   (median and inter-quartile range), with a missing-value indicator when values are missing;
//! * dates — days before the file's latest date (recency), scaled the same way;
//! * yes/no — 0/1; ratings and ordered scales — their 0–10 position;
//! * categories and multi-selects — one-hot over the frequent labels (the rest share "other");
//! * free text — by meaning: each distinct answer's static sentence vector (`meaning`), reduced
//!   by PCA fitted on people's answers to 32 dimensions; or, when the answers are not English,
//!   no model is at hand or the settings say so, TF-IDF (see `text`) reduced by randomized SVD
//!   to 16. TF-IDF is computed either way: portraits choose their words from it.
//!
//! **Balance.** Every group is scaled to the same total variance, so a column counts once
//! however many dimensions it has; then each block ("what they say", "what they do") is
//! scaled to a total weight, so neither drowns the other by sheer column count. The user's
//! one slider, `balance` (0 = only what they do, 1 = only what they say), sets the weights.
//! The balanced features are built as the columns are read: each column's features are
//! centred and kept, each distinct row once (`balanced`: a category's few rows, not a
//! million copies of them), and scaled once every column is in. Before they are scaled,
//! people absent from one of several joined files (a survey's non-respondents) take that
//! file's features from the people most like them in the other files' columns
//! (`Columns::fill_absent`).
//!
//! The balanced features are finally reduced by PCA to at most [`FeatureParams::max_dims`]
//! (24) dimensions for clustering, which keeps the directions small groups differ in while
//! dropping the independent noise of dozens of one-hot and text dimensions; above 20,000
//! people (and up to 256 features) each person is projected straight from the balanced
//! features, read a row at a time, never laid out whole. Up to 256
//! dimensions the PCA is exact (covariance eigenvectors); wider inputs — a survey with
//! thousands of columns — use the randomized PCA in `linalg`, which never forms a d × d matrix.

use super::balanced::{self, Balanced};
use super::codes::Codes;
use super::linalg::{self, Dense, Rows};
use super::meaning::{Language, StaticModel};
use super::schema::{self, Kind, Role, Schema};
use super::table::{Column, Table};
use super::text::{self, Csr, Tokenizer, Vocabulary, VocabularyParams};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Tunable settings of the feature stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureParams {
    /// 0 = segments only from what people do, 1 = only from what they say; 0.5 balances them.
    pub balance: f64,
    /// Dense dimensions per free-text column read by its words.
    pub text_dims: usize,
    /// Dense dimensions per free-text column read by meaning.
    #[serde(default = "default_meaning_dims")]
    pub meaning_dims: usize,
    /// Dimensions kept for clustering.
    pub max_dims: usize,
    /// Seed for the randomized SVD.
    pub seed: u64,
    /// How free text becomes features: by meaning (sentence embeddings) or by shared words.
    #[serde(default)]
    pub text_model: TextModel,
}

/// Sentence vectors keep more dimensions than TF-IDF: a group that words its goal six ways
/// spreads over more directions of meaning, and 16 split one such group by wording where 32
/// kept it whole (`edgewise evaluate --wordings disjoint`, 5,000 rows).
fn default_meaning_dims() -> usize {
    32
}

/// How free-text answers become features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TextModel {
    /// Static sentence embeddings (`meaning`): different words with the same meaning agree.
    #[default]
    Meaning,
    /// TF-IDF reduced by randomized SVD: answers agree only when they share words.
    Words,
}

impl Default for FeatureParams {
    fn default() -> Self {
        FeatureParams {
            balance: 0.5,
            text_dims: 16,
            meaning_dims: default_meaning_dims(),
            max_dims: 24,
            seed: 42,
            text_model: TextModel::Meaning,
        }
    }
}

/// Whether a group belongs to what people say or what they do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Block {
    /// Stated jobs.
    Say,
    /// Behaviour.
    Do,
}

/// The features one column became.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The table column.
    pub column: usize,
    /// Say or do.
    pub block: Block,
    /// First feature index.
    pub start: usize,
    /// Number of features.
    pub len: usize,
}

/// A free-text column's vocabulary and TF-IDF vectors (used again by `describe` and `edges`).
#[derive(Debug, Clone)]
pub struct TextColumn {
    /// The table column.
    pub column: usize,
    /// Its vocabulary.
    pub vocabulary: Vocabulary,
    /// Each person's TF-IDF vector.
    pub tfidf: Csr,
}

/// The features of a table.
#[derive(Debug, Clone)]
pub struct Features {
    /// Balanced features, one row per person (before the PCA reduction), each column's
    /// distinct rows held once (`balanced`).
    pub balanced: Balanced,
    /// Which columns made which features.
    pub groups: Vec<Group>,
    /// Free-text columns' TF-IDF.
    pub text: Vec<TextColumn>,
    /// What the page should know about how text was read (another language, no model).
    pub notes: Vec<String>,
    /// The columns that form segments as discrete variables, for latent classes
    /// (`cluster::latent`): choices, levels, options ticked, and the topic of each answer.
    pub variables: Vec<Variable>,
}

/// A person's level in a [`Variable`] when they have none (no answer, or absent from the file).
pub const MISSING: u32 = u32::MAX;

/// One column as a discrete variable: each person's level, numbered from 0, or [`MISSING`].
/// Continuous columns (more than [`FEW_LEVELS`] distinct values) have none: latent classes
/// assume answers independent within a class, which a spend that is orders × average order
/// value breaks, so numbers that vary continuously are left to the density step.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// The table column.
    pub column: usize,
    /// Say or do.
    pub block: Block,
    /// Each person's level.
    pub codes: Vec<u32>,
    /// Number of levels.
    pub levels: usize,
    /// Where each level sits among the column's features, for the topic of a free-text
    /// answer: the mean of the topic's distinct answers that density placed, each wording
    /// once (in meaning space, or in the space of shared words when there is no meaning
    /// model); empty for other variables. Latent classes start a split from it
    /// ([`super::cluster::latent`]).
    pub centres: Vec<Vec<f32>>,
}

/// Distinct values up to which a numeric column is a variable of levels (a 0–10 scale).
pub const FEW_LEVELS: usize = 11;

/// Each row's label among the most frequent (at most [`MAX_LEVELS`], at least 2 people and
/// 0.5 % of rows; rarer ones share one level), or [`MISSING`] when `label_of` gives none.
fn label_codes(col: &Column, label_of: impl Fn(&str) -> Option<String>) -> (Vec<u32>, usize) {
    let n = col.len();
    let counts = col.counts();
    let per_value: Vec<Option<String>> = col.values().iter().map(label_of).collect();
    let mut label_counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (label, &c) in per_value.iter().zip(&counts) {
        if let Some(l) = label {
            *label_counts.entry(l.as_str()).or_insert(0) += c;
        }
    }
    let min_count = 2.max(n / 200);
    let mut frequent: Vec<(&str, usize)> = label_counts
        .iter()
        .filter(|(_, c)| **c >= min_count)
        .map(|(l, c)| (*l, *c))
        .collect();
    frequent.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    frequent.truncate(MAX_LEVELS);
    let index: BTreeMap<&str, u32> = frequent
        .iter()
        .enumerate()
        .map(|(i, (l, _))| (*l, i as u32))
        .collect();
    let other = index.len() as u32;
    let value_code: Vec<u32> = per_value
        .iter()
        .map(|l| match l {
            Some(l) => index.get(l.as_str()).copied().unwrap_or(other),
            None => MISSING,
        })
        .collect();
    let codes = col
        .codes()
        .iter()
        .map(|c| value_code.get(c as usize).copied().unwrap_or(MISSING))
        .collect();
    (codes, index.len() + 1)
}

/// Numbers as levels when they take at most [`FEW_LEVELS`] distinct values; `None` otherwise.
fn level_codes(values: &[f64]) -> Option<(Vec<u32>, usize)> {
    let mut distinct: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    if distinct.len() < 2 || distinct.len() > FEW_LEVELS {
        return None;
    }
    let codes = values
        .iter()
        .map(|v| {
            if v.is_finite() {
                distinct.partition_point(|d| d < v) as u32
            } else {
                MISSING
            }
        })
        .collect();
    Some((codes, distinct.len()))
}

/// Most distinct answers whose topics are found by density; the others join the nearest topic.
const TOPIC_FIT: usize = 5000;

/// The topic of each answer: distinct answers grouped by where they sit in `dims` (meaning,
/// or shared words), as BERTopic does (Grootendorst 2022: embed, reduce, cluster by density).
/// The finest clusters of at least three distinct answers are topics (HDBSCAN's leaves); an
/// answer in none joins the topic whose centre is nearest. Fine topics are what is wanted:
/// six wordings of one job may be six topics, and the latent classes tie them together by
/// what else their people say and do. Returns each row's topic, the number of topics, and
/// each topic's centre in `dims` (`Variable::centres`), where latent classes start a split.
fn topic_codes(dims: &[Vec<f64>], col: &Column) -> (Vec<u32>, usize, Vec<Vec<f32>>) {
    let n = col.len();
    let codes = col.codes();
    // One point per distinct answer given by someone, at its first row.
    let mut first_row: Vec<Option<usize>> = vec![None; col.values().len()];
    for (r, c) in codes.iter().enumerate() {
        if let Some(slot) = first_row.get_mut(c as usize)
            && slot.is_none()
            && !schema::read::is_missing(col.get(r))
        {
            *slot = Some(r);
        }
    }
    let answers: Vec<(usize, usize)> = first_row
        .iter()
        .enumerate()
        .filter_map(|(code, r)| r.map(|r| (code, r)))
        .collect();
    let d = dims.len();
    let mut topic_of_value = vec![MISSING; col.values().len()];
    if answers.len() < 10 || d == 0 {
        for (t, &(code, _)) in answers.iter().enumerate() {
            topic_of_value[code] = t as u32;
        }
        let per_row = codes
            .iter()
            .map(|c| topic_of_value.get(c as usize).copied().unwrap_or(MISSING))
            .collect();
        let centres = if d == 0 {
            Vec::new()
        } else {
            answers
                .iter()
                .map(|&(_, r)| {
                    dims.iter()
                        .map(|f| f.get(r).copied().unwrap_or(0.0) as f32)
                        .collect()
                })
                .collect()
        };
        return (per_row, answers.len().max(1), centres);
    }
    let point = |r: usize| -> Vec<f64> {
        dims.iter()
            .map(|f| f.get(r).copied().unwrap_or(0.0))
            .collect()
    };
    let step = (answers.len() as f64 / TOPIC_FIT as f64).max(1.0);
    let fit: Vec<usize> = (0..answers.len().min(TOPIC_FIT))
        .map(|k| ((k as f64 * step) as usize).min(answers.len() - 1))
        .collect();
    let mut x = Dense::zeros(fit.len(), d);
    for (k, &a) in fit.iter().enumerate() {
        x.row_mut(k).copy_from_slice(&point(answers[a].1));
    }
    let x = if d > 16 { linalg::pca(&x, 16).0 } else { x };
    let h = super::cluster::hdbscan::Hierarchy::build(&x, 3);
    let cond = super::cluster::hdbscan::condense(&h, 3);
    let sel = super::cluster::hdbscan::select_leaves(&cond, 1.0);
    let k = sel.selected.len();
    if k == 0 {
        let per_row = codes
            .iter()
            .map(|c| {
                if first_row.get(c as usize).is_some_and(Option::is_some) {
                    0
                } else {
                    MISSING
                }
            })
            .collect();
        return (per_row, 1, Vec::new());
    }
    // Topic centres in the original dimensions, for the answers left over.
    let mut centre = vec![vec![0.0; d]; k];
    let mut size = vec![0usize; k];
    for (j, &a) in fit.iter().enumerate() {
        if let Some(Some(t)) = sel.labels.get(j) {
            let p = point(answers[a].1);
            centre[*t].iter_mut().zip(&p).for_each(|(c, v)| *c += v);
            size[*t] += 1;
        }
    }
    for (c, &s) in centre.iter_mut().zip(&size) {
        c.iter_mut().for_each(|v| *v /= s.max(1) as f64);
    }
    let mut fitted: Vec<Option<u32>> = vec![None; answers.len()];
    for (j, &a) in fit.iter().enumerate() {
        fitted[a] = sel.labels.get(j).copied().flatten().map(|t| t as u32);
    }
    for (a, &(code, r)) in answers.iter().enumerate() {
        let topic = fitted[a].unwrap_or_else(|| {
            let p = point(r);
            (0..k)
                .min_by(|&s, &t| {
                    linalg::dist2(&p, &centre[s]).total_cmp(&linalg::dist2(&p, &centre[t]))
                })
                .unwrap_or(0) as u32
        });
        topic_of_value[code] = topic;
    }
    let per_row: Vec<u32> = codes
        .iter()
        .map(|c| topic_of_value.get(c as usize).copied().unwrap_or(MISSING))
        .collect();
    debug_assert_eq!(per_row.len(), n);
    let centres = centre
        .iter()
        .map(|c| c.iter().map(|&v| v as f32).collect())
        .collect();
    (per_row, k, centres)
}

impl Features {
    /// Indices of the features in `blocks`.
    pub fn dims(&self, blocks: &[Block]) -> Vec<usize> {
        self.groups
            .iter()
            .filter(|g| blocks.contains(&g.block))
            .flat_map(|g| g.start..g.start + g.len)
            .collect()
    }

    /// The clustering space: the chosen features reduced by PCA to at most `max_dims`.
    /// PCA is fitted on at most 20,000 evenly spaced rows, then applied to all.
    pub fn space(&self, blocks: &[Block], max_dims: usize) -> Dense {
        let all: Vec<usize> = (0..self.balanced.n_rows()).collect();
        self.space_of(blocks, max_dims, &all)
    }

    /// [`Features::space`] for the people `rows` only (PCA fitted on them).
    pub fn space_of(&self, blocks: &[Block], max_dims: usize, rows: &[usize]) -> Dense {
        let dims = self.dims(blocks);
        // Every feature, in order (both blocks): each row is read straight into place.
        let whole =
            dims.len() == self.balanced.n_cols() && dims.iter().enumerate().all(|(k, &d)| k == d);
        let mut row = vec![0.0; self.balanced.n_cols()];
        let mut gather = |i: usize, out: &mut [f64]| {
            if whole {
                self.balanced.read_row(i, out);
                return;
            }
            self.balanced.read_row(i, &mut row);
            for (o, &d) in out.iter_mut().zip(&dims) {
                *o = row.get(d).copied().unwrap_or(0.0);
            }
        };
        let n = rows.len();
        // Many people and a narrow enough input: the PCA is fitted on a sample and each
        // person projected straight from the balanced features, read a row at a time.
        if dims.len() > max_dims && dims.len() <= EXACT_PCA_DIMS && n > FIT_ROWS {
            let step = n as f64 / FIT_ROWS as f64;
            let mut sample = Dense::zeros(FIT_ROWS, dims.len());
            for s in 0..FIT_ROWS {
                gather(
                    rows[((s as f64 * step) as usize).min(n - 1)],
                    sample.row_mut(s),
                );
            }
            let (mean, _, axes) = linalg::principal_axes(&sample, max_dims);
            drop(sample);
            let mut out = Dense::zeros(n, axes.rows);
            let mut row = vec![0.0; dims.len()];
            for (r, &i) in rows.iter().enumerate() {
                gather(i, &mut row);
                linalg::project(&row, &mean, &axes, out.row_mut(r));
            }
            return out;
        }
        let mut x = Dense::zeros(n, dims.len());
        for (r, &i) in rows.iter().enumerate() {
            gather(i, x.row_mut(r));
        }
        if dims.len() <= max_dims {
            return x;
        }
        reduce(&x, max_dims)
    }
}

/// Rows the clustering space's PCA is fitted on, evenly spaced.
const FIT_ROWS: usize = 20_000;

/// Widest input reduced through its covariance matrix; wider ones (thousands of survey
/// columns) take the randomized route, which never forms a d × d matrix.
const EXACT_PCA_DIMS: usize = 256;

/// Projects `x` onto its top `k` principal axes, fitted on all its rows: for at most
/// [`FIT_ROWS`] people, or inputs wider than [`EXACT_PCA_DIMS`] (randomized). More people of
/// a narrower input are fitted on a sample and projected in [`Features::space_of`].
fn reduce(x: &Dense, k: usize) -> Dense {
    if x.cols > EXACT_PCA_DIMS {
        return linalg::randomized_pca(x, k, 0x9ca);
    }
    linalg::pca(x, k).0
}

/// The most labels one-hot encoded per column; rarer ones share "other".
const MAX_LEVELS: usize = 30;

/// Builds the balanced features of `table` from the columns whose role forms segments.
///
/// Free text is read by meaning with `meaning` (the distilled table) when the settings ask
/// for it and the answers are English; otherwise by shared words. `sources[c]` is the file
/// (0, 1, …) table column `c` came from: people absent from one of several joined files get
/// that file's features from the people most like them in the others (`Columns::fill_absent`;
/// an empty `sources` means one file).
pub fn build(
    table: &Table,
    schema: &Schema,
    params: &FeatureParams,
    meaning: Option<&StaticModel>,
    sources: &[usize],
) -> Features {
    let n = table.n_rows();
    let mut notes = Vec::new();
    let tokenizer = Tokenizer::default();
    let mut columns = Columns::new(n);
    let mut text = Vec::new();
    let mut variables: Vec<Variable> = Vec::new();
    let mut variable = |column: usize,
                        block: Block,
                        (codes, levels): (Vec<u32>, usize),
                        centres: Vec<Vec<f32>>| {
        if levels >= 2 {
            variables.push(Variable {
                column,
                block,
                codes,
                levels,
                centres,
            });
        }
    };
    for (idx, cs) in schema.columns.iter().enumerate() {
        let block = match cs.role {
            Role::StatedJobs => Block::Say,
            Role::Behaviour => Block::Do,
            Role::DescribeOnly | Role::Ignore => continue,
        };
        let Some(col) = table.column(idx) else {
            continue;
        };
        let features: Vec<Vec<f64>> = match &cs.kind {
            Kind::Count | Kind::Amount | Kind::Currency | Kind::Percent => {
                let values = schema::read::numbers(col, cs);
                if let Some(levels) = level_codes(&values) {
                    variable(idx, block, levels, Vec::new());
                }
                numeric_features(&values, false)
            }
            Kind::Date | Kind::DateTime => numeric_features(&schema::read::numbers(col, cs), true),
            Kind::Boolean => {
                let label = |text: &str| boolean_label(cs, text);
                variable(idx, block, label_codes(col, label), Vec::new());
                one_hot(col, |text| label(text).into_iter().collect())
            }
            Kind::Rating { .. } | Kind::OrderedText => {
                let values = schema::read::zero_to_ten(col, cs);
                let rounded: Vec<f64> = values.iter().map(|v| libm::round(*v)).collect();
                if let Some(levels) = level_codes(&rounded) {
                    variable(idx, block, levels, Vec::new());
                }
                with_missing_indicator(values)
            }
            Kind::Categorical | Kind::Code | Kind::Identifier => {
                let label =
                    |text: &str| (!schema::read::is_missing(text)).then(|| text.trim().to_string());
                variable(idx, block, label_codes(col, label), Vec::new());
                one_hot(col, |text| label(text).into_iter().collect())
            }
            Kind::MultiSelect => {
                let sep = cs.separator.unwrap_or(';');
                let ticked = |text: &str| -> Vec<String> {
                    schema::read::choices(text, sep)
                        .into_iter()
                        .map(|c| c.to_lowercase())
                        .collect()
                };
                // Each frequent option is a yes/no of its own.
                let counts = col.counts();
                let mut tally: BTreeMap<String, usize> = BTreeMap::new();
                for (v, &c) in col.values().iter().zip(&counts) {
                    for o in ticked(v) {
                        *tally.entry(o).or_insert(0) += c;
                    }
                }
                let mut frequent: Vec<(String, usize)> = tally
                    .into_iter()
                    .filter(|(_, c)| *c >= 2.max(n / 200))
                    .collect();
                frequent.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                frequent.truncate(MAX_LEVELS);
                for (option, _) in &frequent {
                    let has = |text: &str| {
                        (cs.blank_is_false || !schema::read::is_missing(text)).then(|| {
                            if ticked(text).contains(option) {
                                "yes"
                            } else {
                                "no"
                            }
                            .to_string()
                        })
                    };
                    variable(idx, block, label_codes(col, has), Vec::new());
                }
                one_hot(col, ticked)
            }
            Kind::FreeText => {
                // Each distinct answer is read once, weighted by how many people gave it.
                let distinct = distinct_answers(col);
                let limits = VocabularyParams {
                    min_df: 2.max(n / 2000),
                    max_df_share: 0.5,
                    max_terms: 5000,
                };
                let (vocabulary, vectors) = Vocabulary::fit(&tokenizer, &distinct, limits);
                let tfidf = text::rows_from(vectors, col.codes(), vocabulary.len());
                let answers: Vec<&str> = (0..n)
                    .map(|r| col.get(r))
                    .map(|t| if schema::read::is_missing(t) { "" } else { t })
                    .collect();
                let model = match (params.text_model, meaning) {
                    (TextModel::Meaning, Some(model)) => match Language::of(&distinct) {
                        Language::English => Some(model),
                        Language::Other(name) => {
                            notes.push(format!(
                                "“{}”: most answers look {}; the meaning model reads English only, so these answers were grouped by the words they share.",
                                cs.name,
                                if name.contains(' ') { format!("written in {name}") } else { name.to_string() }
                            ));
                            None
                        }
                    },
                    (TextModel::Meaning, None) => {
                        notes.push(format!(
                            "“{}”: the meaning model could not be loaded, so answers were grouped by the words they share.",
                            cs.name
                        ));
                        None
                    }
                    (TextModel::Words, _) => None,
                };
                let mut f: Vec<Vec<f64>> = match model {
                    Some(model) => meaning_features(model, col, params.meaning_dims),
                    None => {
                        let (coords, _) = linalg::randomized_svd(
                            &tfidf,
                            params.text_dims,
                            1,
                            params.seed ^ idx as u64,
                        );
                        (0..coords.cols)
                            .map(|c| (0..n).map(|i| coords.get(i, c)).collect())
                            .collect()
                    }
                };
                let (codes, levels, centres) = topic_codes(&f, col);
                variable(idx, block, (codes, levels), centres);
                let answered: Vec<f64> = answers
                    .iter()
                    .map(|a| if a.is_empty() { 0.0 } else { 1.0 })
                    .collect();
                if answered.contains(&0.0) {
                    f.push(answered);
                }
                text.push(TextColumn {
                    column: idx,
                    vocabulary,
                    tfidf,
                });
                f
            }
            Kind::Email
            | Kind::Phone
            | Kind::PersonName
            | Kind::Address
            | Kind::IpAddress
            | Kind::Constant
            | Kind::Empty => continue,
        };
        columns.add(idx, block, features, col.codes());
    }
    columns.fill_absent(table, sources, params.seed);
    let mut features = columns.balance(text, params.balance);
    features.notes = notes;
    // Variables of columns whose features all turned out constant are left out too.
    features.variables = variables
        .into_iter()
        .filter(|v| features.groups.iter().any(|g| g.column == v.column))
        .collect();
    features
}

impl Columns {
    /// People absent from a joined file (the 35 % of customers who never answered the survey)
    /// have none of its columns. Filled with the column's middle and flagged as missing, they
    /// all sat at one spot of the file's features, so they formed a group of their own — the
    /// non-respondents of every segment together — and split each segment in two. Instead,
    /// their features for that file are those of the people most like them in every other
    /// file's columns (nearest-neighbour hot-deck imputation, Troyanskaya et al. 2001): a
    /// non-respondent is placed among the respondents who behave like them. The table, and so
    /// every portrait, quote and export, keeps their cells empty.
    ///
    /// "Most like them" does not depend on the say/do slider: the other files' columns are
    /// weighed as at the default balance (each block half). Weighed by the slider, a survey's
    /// non-respondents were all alike at "only what they say" (their CRM columns weighed
    /// nothing), so they all got the survey's average answers and became one segment of their
    /// own, whatever they do.
    ///
    /// `sources[c]` is the file (0, 1, …) table column `c` came from. A row is absent from a
    /// file when every one of that file's columns that forms segments is empty in it.
    ///
    /// # References
    /// Troyanskaya, O. et al. (2001). Missing value estimation methods for DNA microarrays.
    /// Bioinformatics 17(6).
    fn fill_absent(&mut self, table: &Table, sources: &[usize], seed: u64) {
        let n = self.n;
        let scale = self.scales(NEIGHBOUR_BALANCE);
        let n_files = sources.iter().map(|&f| f + 1).max().unwrap_or(0);
        for file in 0..n_files {
            let (mine, others): (Vec<&Group>, Vec<&Group>) = self
                .groups
                .iter()
                .map(|(g, _)| g)
                .partition(|g| sources.get(g.column) == Some(&file));
            if mine.is_empty() || others.is_empty() {
                continue;
            }
            let absent: Vec<usize> = (0..n)
                .filter(|&r| {
                    mine.iter().all(|g| {
                        table
                            .column(g.column)
                            .is_none_or(|c| schema::read::is_missing(c.get(r)))
                    })
                })
                .collect();
            if absent.is_empty() || absent.len() == n {
                continue;
            }
            let mut is_absent = vec![false; n];
            absent.iter().for_each(|&r| is_absent[r] = true);
            let present: Vec<usize> = (0..n).filter(|&r| !is_absent[r]).collect();
            // Respondents to compare with: at most this many, evenly spread.
            const REFERENCES: usize = 5000;
            let step = (present.len() as f64 / REFERENCES as f64).max(1.0);
            let references: Vec<usize> = (0..present.len().min(REFERENCES))
                .map(|k| present[((k as f64 * step) as usize).min(present.len() - 1)])
                .collect();
            let other_dims: Vec<usize> = others
                .iter()
                .flat_map(|g| g.start..g.start + g.len)
                .collect();
            let rows: Vec<usize> = absent.iter().chain(&references).copied().collect();
            let mut row = vec![0.0; self.balanced.n_cols()];
            let mut x = Dense::zeros(rows.len(), other_dims.len());
            for (k, &r) in rows.iter().enumerate() {
                self.balanced.read_row(r, &mut row);
                for (j, &d) in other_dims.iter().enumerate() {
                    x.set(k, j, row[d] * scale[d]);
                }
            }
            let x = if x.cols > 16 {
                linalg::pca(&x, 16).0
            } else {
                x
            };
            let graph = super::cluster::neighbours::knn_graph(&x, 30, seed ^ file as u64);
            let my_dims: Vec<usize> = mine.iter().flat_map(|g| g.start..g.start + g.len).collect();
            let mut sum = vec![0.0; my_dims.len()];
            for (k, &r) in absent.iter().enumerate() {
                let like: Vec<usize> = graph
                    .neighbours
                    .of(k)
                    .iter()
                    .filter_map(|&j| (j as usize).checked_sub(absent.len()))
                    .filter_map(|j| references.get(j).copied())
                    .take(15)
                    .collect();
                if like.is_empty() {
                    continue;
                }
                sum.iter_mut().for_each(|v| *v = 0.0);
                for &l in &like {
                    self.balanced.read_row(l, &mut row);
                    for (v, &d) in sum.iter_mut().zip(&my_dims) {
                        *v += row[d];
                    }
                }
                sum.iter_mut().for_each(|v| *v /= like.len() as f64);
                let mut at = 0;
                for g in &mine {
                    self.balanced.set(r, g.start, &sum[at..at + g.len]);
                    at += g.len;
                }
            }
        }
    }
}

/// The balance "most like them" is weighed at when people absent from a file are imputed
/// (`Columns::fill_absent`): the default, each block half, whatever the slider says.
const NEIGHBOUR_BALANCE: f64 = 0.5;

/// People fitted on for the PCA of sentence vectors (evenly spaced, so common answers
/// weigh as much as they are common).
const MEANING_FIT_ROWS: usize = 4000;

/// A text column by meaning: each distinct answer's sentence vector, reduced by PCA (fitted
/// on the people's answers) to `dims` dimensions; unanswered people sit at the centre.
fn meaning_features(model: &StaticModel, col: &Column, dims: usize) -> Vec<Vec<f64>> {
    let n = col.len();
    // Each distinct answer's tokens are kept, not its sentence vector, which is made again
    // from them when it is projected: 300,000 distinct reviews held as 384-wide vectors
    // took 460 MB (BENCHMARKS.md, "Each column's distinct rows once").
    let mut tokens: Vec<u32> = Vec::new();
    let mut starts: Vec<usize> = Vec::with_capacity(col.values().len() + 1);
    starts.push(0);
    for t in col.values() {
        if !schema::read::is_missing(t) {
            tokens.extend(model.tokens(t));
        }
        starts.push(tokens.len());
    }
    // (A missing answer has no tokens, so no vector.)
    let embed = |code: usize| -> Option<Vec<f32>> {
        let (&from, &to) = (starts.get(code)?, starts.get(code + 1)?);
        model.embed_tokens(tokens.get(from..to)?)
    };
    // Which answers the model reads at all.
    let read: Vec<bool> = (0..col.values().len())
        .map(|code| embed(code).is_some())
        .collect();
    let pool: Vec<usize> = (0..n)
        .map(|i| col.code(i) as usize)
        .filter(|&code| read.get(code).copied().unwrap_or(false))
        .collect();
    if pool.is_empty() {
        return Vec::new();
    }
    let fit = pool.len().min(MEANING_FIT_ROWS);
    let step = pool.len() as f64 / fit as f64;
    let mut sample = Dense::zeros(fit, model.dims());
    for s in 0..fit {
        let code = pool[((s as f64 * step) as usize).min(pool.len() - 1)];
        if let Some(v) = embed(code) {
            sample
                .row_mut(s)
                .iter_mut()
                .zip(&v)
                .for_each(|(a, &b)| *a = b as f64);
        }
    }
    drop(pool);
    let (mean, _, axes) = linalg::principal_axes(&sample, dims);
    drop(sample);
    let k = axes.rows;
    let mut row = vec![0.0; model.dims()];
    let projected: Vec<Option<Vec<f64>>> = (0..col.values().len())
        .map(|code| {
            read.get(code)
                .copied()
                .unwrap_or(false)
                .then(|| embed(code))
                .flatten()
                .map(|v| {
                    row.iter_mut().zip(&v).for_each(|(a, &b)| *a = b as f64);
                    let mut out = vec![0.0; k];
                    linalg::project(&row, &mean, &axes, &mut out);
                    out
                })
        })
        .collect();
    (0..k)
        .map(|c| coordinate(col.codes(), &projected, c))
        .collect()
}

/// Everyone's coordinate `c` from their answer's projection (0 for no answer). Out of line,
/// called once per coordinate: WebAssembly in V8 optimises a function between calls, never
/// during one (ARCHITECTURE.md), and a loop over everyone inside `build` ran in the baseline tier.
#[inline(never)]
fn coordinate(codes: &Codes, projected: &[Option<Vec<f64>>], c: usize) -> Vec<f64> {
    codes
        .iter()
        .map(|code| {
            projected
                .get(code as usize)
                .and_then(Option::as_ref)
                .map_or(0.0, |p| p[c])
        })
        .collect()
}

/// The balanced features as they are built: each column's features are centred and kept
/// as the column is read, each distinct row once (`balanced`), so the features of every
/// column are never held twice (once per column, once balanced) nor once per person.
struct Columns {
    n: usize,
    /// Centred features.
    balanced: Balanced,
    /// Each column's group, and its total variance.
    groups: Vec<(Group, f64)>,
}

impl Columns {
    fn new(n: usize) -> Columns {
        Columns {
            n,
            balanced: Balanced::new(n),
            groups: Vec::new(),
        }
    }

    /// Adds a column's features; constant ones are left out, and a column with none left
    /// adds nothing. `key[i]` is person `i`'s cell (its code in the table): people with the
    /// same cell most likely have the same features.
    fn add(&mut self, column: usize, block: Block, features: Vec<Vec<f64>>, key: &Codes) {
        debug_assert!(features.iter().all(|f| f.len() == self.n));
        let (kept, variances): (Vec<Vec<f64>>, Vec<f64>) = features
            .into_iter()
            .map(|f| {
                let v = variance(&f);
                (f, v)
            })
            .filter(|(_, v)| *v > 1e-12)
            .unzip();
        if kept.is_empty() {
            return;
        }
        let start = self.balanced.n_cols();
        let means: Vec<f64> = kept
            .iter()
            .map(|f| f.iter().sum::<f64>() / self.n.max(1) as f64)
            .collect();
        self.balanced
            .push(balanced::Part::centred(start, &kept, &means, key));
        let group_var = variances.iter().sum();
        let group = Group {
            column,
            block,
            start,
            len: kept.len(),
        };
        self.groups.push((group, group_var));
    }

    /// Each feature's scale: its group to unit total variance, each block to its weight (the
    /// say block's is `say_weight`; with only one block present it takes the whole weight).
    fn scales(&self, say_weight: f64) -> Vec<f64> {
        let say_weight = say_weight.clamp(0.0, 1.0);
        let n_say = self
            .groups
            .iter()
            .filter(|g| g.0.block == Block::Say)
            .count();
        let n_do = self.groups.len() - n_say;
        let (w_say, w_do) = match (n_say > 0, n_do > 0) {
            (true, true) => (say_weight, 1.0 - say_weight),
            (true, false) => (1.0, 0.0),
            (false, true) => (0.0, 1.0),
            (false, false) => (0.0, 0.0),
        };
        let mut scale = vec![0.0; self.balanced.n_cols()];
        for (g, group_var) in &self.groups {
            let (weight, members) = match g.block {
                Block::Say => (w_say, n_say),
                Block::Do => (w_do, n_do),
            };
            let s = if *group_var > 0.0 {
                libm::sqrt(weight / members.max(1) as f64 / group_var)
            } else {
                0.0
            };
            scale[g.start..g.start + g.len].fill(s);
        }
        scale
    }

    /// Scales each group to unit total variance and each block to its weight.
    fn balance(self, text: Vec<TextColumn>, say_weight: f64) -> Features {
        let scale = self.scales(say_weight);
        let Columns {
            mut balanced,
            groups,
            ..
        } = self;
        balanced.tighten();
        balanced.scale(&scale);
        Features {
            balanced,
            groups: groups.into_iter().map(|(g, _)| g).collect(),
            text,
            notes: Vec::new(),
            variables: Vec::new(),
        }
    }
}

fn variance(v: &[f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / v.len() as f64
}

/// The `q`-quantile of sorted values (linear interpolation).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = libm::floor(pos) as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let frac = pos - lo as f64;
    sorted[lo] * (1.0 - frac) + sorted[hi] * frac
}

/// A numeric column as robustly scaled features: the values (log1p when heavy-tailed;
/// recency for dates) minus the median over the IQR, clipped to ±10, missing set to the
/// median, plus a missing indicator when anything is missing.
fn numeric_features(raw: &[f64], recency: bool) -> Vec<Vec<f64>> {
    let present: Vec<f64> = raw.iter().copied().filter(|v| v.is_finite()).collect();
    if present.is_empty() {
        return Vec::new();
    }
    let latest = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut values: Vec<f64> = raw
        .iter()
        .map(|&v| {
            if recency && v.is_finite() {
                latest - v
            } else {
                v
            }
        })
        .collect();
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    if heavy_tailed(&sorted) {
        for v in &mut values {
            if v.is_finite() {
                *v = libm::log1p(*v);
            }
        }
        sorted.iter_mut().for_each(|v| *v = libm::log1p(*v));
    }
    let median = quantile(&sorted, 0.5);
    let mut spread = quantile(&sorted, 0.75) - quantile(&sorted, 0.25);
    if spread <= 1e-12 {
        spread = libm::sqrt(variance(&sorted));
    }
    if spread <= 1e-12 {
        spread = 1.0;
    }
    let scaled: Vec<f64> = values
        .iter()
        .map(|&v| {
            if v.is_finite() {
                ((v - median) / spread).clamp(-10.0, 10.0)
            } else {
                0.0
            }
        })
        .collect();
    let mut out = vec![scaled];
    if present.len() < raw.len() {
        out.push(
            raw.iter()
                .map(|v| if v.is_finite() { 0.0 } else { 1.0 })
                .collect(),
        );
    }
    out
}

/// Non-negative values whose top percentile is far above their upper quartile.
fn heavy_tailed(sorted: &[f64]) -> bool {
    let Some(&min) = sorted.first() else {
        return false;
    };
    if min < 0.0 {
        return false;
    }
    let (q3, p99) = (quantile(sorted, 0.75), quantile(sorted, 0.99));
    p99 > 4.0 * q3.max(1e-9) && p99 > 0.0
}

fn with_missing_indicator(values: Vec<f64>) -> Vec<Vec<f64>> {
    let present: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if present.is_empty() {
        return Vec::new();
    }
    let mean = present.iter().sum::<f64>() / present.len() as f64;
    let missing = present.len() < values.len();
    let filled: Vec<f64> = values
        .iter()
        .map(|&v| if v.is_finite() { v } else { mean })
        .collect();
    let mut out = vec![filled];
    if missing {
        out.push(
            values
                .iter()
                .map(|v| if v.is_finite() { 0.0 } else { 1.0 })
                .collect(),
        );
    }
    out
}

/// A yes/no cell's label: "yes" for the column's true words, "no" for anything else given
/// (or left blank, where blank means no), none for a blank.
fn boolean_label(cs: &schema::ColumnSchema, text: &str) -> Option<String> {
    let t = text.trim().to_lowercase();
    if cs.truthy.contains(&t) {
        Some("yes".to_string())
    } else if !schema::read::is_missing(text) || cs.blank_is_false {
        Some("no".to_string())
    } else {
        None
    }
}

/// A text column's distinct answers (blank for a missing one) with how many gave each.
fn distinct_answers(col: &Column) -> Vec<(&str, usize)> {
    col.values()
        .iter()
        .zip(col.counts())
        .map(|(t, c)| (if schema::read::is_missing(t) { "" } else { t }, c))
        .collect()
}

/// The labels of `per_value` (each distinct value's labels) given by at least 2 people and
/// 0.5 % of them, most common first, at most [`MAX_LEVELS`]; and whether any label is left
/// out of them (those make the feature "other").
fn frequent_labels<'a>(
    col: &Column,
    per_value: &'a [Vec<String>],
) -> (Vec<(&'a str, usize)>, bool) {
    let counts = col.counts();
    let mut label_counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (labels, &c) in per_value.iter().zip(&counts) {
        for l in labels {
            *label_counts.entry(l.as_str()).or_insert(0) += c;
        }
    }
    let min_count = 2.max(col.len() / 200);
    let mut frequent: Vec<(&str, usize)> = label_counts
        .iter()
        .filter(|(_, c)| **c >= min_count)
        .map(|(l, c)| (*l, *c))
        .collect();
    frequent.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    frequent.truncate(MAX_LEVELS);
    let other = frequent.len() < label_counts.len();
    (frequent, other)
}

/// One-hot features over the most frequent labels (at least 2 people and 0.5 % of rows each);
/// rarer labels share one "other" feature. `labels_of` reads one distinct cell text; each is
/// read once, and rows follow their cell's code.
fn one_hot(col: &Column, labels_of: impl Fn(&str) -> Vec<String>) -> Vec<Vec<f64>> {
    let n = col.len();
    let per_value: Vec<Vec<String>> = col.values().iter().map(labels_of).collect();
    let (frequent, _) = frequent_labels(col, &per_value);
    let index: BTreeMap<&str, usize> = frequent
        .iter()
        .enumerate()
        .map(|(i, (l, _))| (*l, i))
        .collect();
    // Feature indices of each distinct value.
    let value_features: Vec<Vec<usize>> = per_value
        .iter()
        .map(|labels| {
            labels
                .iter()
                .map(|l| index.get(l.as_str()).copied().unwrap_or(index.len()))
                .collect()
        })
        .collect();
    let mut out = vec![vec![0.0; n]; index.len() + 1];
    for (r, code) in col.codes().iter().enumerate() {
        for &k in value_features
            .get(code as usize)
            .map_or(&[][..], Vec::as_slice)
        {
            if let Some(v) = out.get_mut(k).and_then(|f| f.get_mut(r)) {
                *v = 1.0;
            }
        }
    }
    scale_indicators(&mut out);
    out
}

/// Rarest share an indicator is weighted for: at most 1/√0.005 ≈ 14× a certain one.
const MIN_SHARE: f64 = 0.005;

/// Scales each 0/1 indicator by 1/√(its share), as multiple correspondence analysis does:
/// two people who differ in a rare label (a night delivery slot used by 1 %) end up much
/// farther apart than two who differ in common ones, which is what lets small segments
/// defined by rare behaviour stand out (Greenacre 2007, *Correspondence Analysis in Practice*).
fn scale_indicators(indicators: &mut [Vec<f64>]) {
    for f in indicators.iter_mut() {
        let share = f.iter().sum::<f64>() / f.len().max(1) as f64;
        if share > 0.0 {
            let w = 1.0 / libm::sqrt(share.max(MIN_SHARE));
            f.iter_mut().for_each(|v| *v *= w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::schema::{ColumnHint, SchemaParams, infer};
    use crate::engine::values::Decimal;

    fn features_of(table: &Table, balance_say: f64) -> (Schema, Features) {
        let hints: Vec<ColumnHint> = table
            .columns()
            .iter()
            .map(|_| ColumnHint {
                file: "t.csv".into(),
                decimal: Decimal::Dot,
                first_row: 2,
            })
            .collect();
        let (schema, _) = infer(table, &hints, &SchemaParams::default());
        let params = FeatureParams {
            balance: balance_say,
            ..Default::default()
        };
        let features = build(
            table,
            &schema,
            &params,
            crate::engine::meaning::builtin(),
            &[],
        );
        (schema, features)
    }

    fn block_variance(f: &Features, block: Block) -> f64 {
        f.dims(&[block])
            .iter()
            .map(|&d| {
                variance(
                    &(0..f.balanced.n_rows())
                        .map(|i| f.balanced.value(i, d))
                        .collect::<Vec<_>>(),
                )
            })
            .sum()
    }

    fn example() -> Table {
        let goals = [
            "save money on food",
            "send invoices with tax",
            "save time cooking",
            "plan meals for kids",
        ];
        let rows: Vec<Vec<String>> = (0..40)
            .map(|i| {
                vec![
                    goals[i % 4].to_string(),
                    (i % 5 + 1).to_string(),
                    ((i * 37) % 11).to_string(),
                    format!("{}.50", (i * i) % 97),
                    ["web", "store", "app"][i % 3].to_string(),
                    (20 + i).to_string(),
                ]
            })
            .collect();
        let refs: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let slices: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
        Table::from_rows(
            &[
                "What is your main goal?",
                "Satisfaction",
                "Orders",
                "Spend",
                "Channel",
                "Age",
            ],
            &slices,
        )
    }

    #[test]
    fn blocks_get_their_weight_whatever_their_column_count() {
        let table = example();
        let (_, f) = features_of(&table, 0.5);
        // One "say" text column + one rating against three "do" columns: still half each.
        assert!(
            (block_variance(&f, Block::Say) - 0.5).abs() < 1e-9,
            "{}",
            block_variance(&f, Block::Say)
        );
        assert!((block_variance(&f, Block::Do) - 0.5).abs() < 1e-9);
        let (_, f) = features_of(&table, 0.8);
        assert!((block_variance(&f, Block::Say) - 0.8).abs() < 1e-9);
    }

    #[test]
    fn columns_are_centred_and_balanced_and_constant_features_left_out() {
        // Three columns of 2, 1 (constant, left out) and 3 features: every value lands where
        // a matrix built column by column puts it, centred, each block at its weight.
        let n = 5;
        let feature = |seed: usize| -> Vec<f64> {
            (0..n).map(|i| ((i * 7 + seed * 3) % 11) as f64).collect()
        };
        let columns = [
            (0, Block::Do, vec![feature(1), feature(2)]),
            (1, Block::Do, vec![vec![4.0; n]]),
            (2, Block::Say, vec![feature(3), feature(4), feature(5)]),
        ];
        let key = Codes::from((0..n as u32).collect::<Vec<u32>>());
        let mut built = Columns::new(n);
        for (column, block, features) in columns.iter().cloned() {
            built.add(column, block, features, &key);
        }
        let built = built.balance(Vec::new(), 0.5);
        assert_eq!(built.balanced.n_cols(), 5);
        let starts: Vec<(usize, usize, usize)> = built
            .groups
            .iter()
            .map(|g| (g.column, g.start, g.len))
            .collect();
        assert_eq!(starts, [(0, 0, 2), (2, 2, 3)]);
        let f = feature(3);
        let mean = f.iter().sum::<f64>() / n as f64;
        let group_var: f64 = (3..6).map(|s| variance(&feature(s))).sum();
        let scale = (0.5 / group_var).sqrt();
        assert!((built.balanced.value(4, 2) - (f[4] - mean) * scale).abs() < 1e-12);
        assert!((block_variance(&built, Block::Say) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn people_with_the_same_cells_share_their_rows_and_read_back_whole() {
        // A free-text answer some left empty, one written in German (read by shared words,
        // not by meaning), a number with empty cells (value and indicator), one without, a
        // date, a rating, a choice with a label too rare for a feature of its own ("other"),
        // ticked options and yes/no: held in less room than a dense matrix, and each person's
        // row read whole is their values one by one.
        let verbs = [
            "save", "plan", "cook", "order", "find", "share", "stock", "compare", "carry",
        ];
        let things = [
            "meals",
            "snacks",
            "fruit",
            "bread",
            "coffee",
            "lunches",
            "treats",
            "vegetables",
            "cheese",
        ];
        let whom = [
            "kids",
            "team",
            "parents",
            "flatmates",
            "guests",
            "club",
            "neighbours",
            "office",
        ];
        let why = [
            "time",
            "money",
            "health",
            "taste",
            "waste",
            "stress",
            "allergies",
            "budget",
        ];
        let when = [
            "monday", "weekend", "evening", "holiday", "morning", "friday", "birthday",
        ];
        let wer = ["Ich möchte", "Wir wollen", "Meine Familie will", "Ich muss"];
        let was = [
            "Zeit sparen",
            "frisch kochen",
            "günstig einkaufen",
            "gesund essen",
            "weniger wegwerfen",
        ];
        let wann = [
            "für die Kinder",
            "am Wochenende",
            "nach der Arbeit",
            "mit den Nachbarn",
            "in der Woche",
            "für das Büro",
            "ohne das Auto",
        ];
        let rows: Vec<Vec<String>> = (0..400)
            .map(|i| {
                vec![
                    if i % 10 == 0 {
                        String::new()
                    } else {
                        format!(
                            "I want to {} {} for my {} every {} to spare {}",
                            verbs[i % 9],
                            things[(i / 3) % 9],
                            whom[(i / 7) % 8],
                            when[(i / 11) % 7],
                            why[(i / 13) % 8]
                        )
                    },
                    format!("{} {} {}", wer[i % 4], was[(i / 4) % 5], wann[(i / 20) % 7]),
                    if i % 9 == 0 {
                        String::new()
                    } else {
                        (i % 7).to_string()
                    },
                    format!("{}.50", (i * i) % 97),
                    format!("2026-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
                    (1 + i % 5).to_string(),
                    if i == 5 {
                        "fax"
                    } else {
                        ["web", "store", "app"][i % 3]
                    }
                    .to_string(),
                    ["fruit;bread", "bread", "fish;fruit;wine", ""][i % 4].to_string(),
                    ["yes", "no"][i % 2].to_string(),
                ]
            })
            .collect();
        let refs: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let slices: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
        let table = Table::from_rows(
            &[
                "What are you trying to get done?",
                "Was möchten Sie erreichen?",
                "Orders",
                "Spend",
                "Last order",
                "Satisfaction",
                "Channel",
                "Categories bought",
                "Newsletter",
            ],
            &slices,
        );
        let (schema, f) = features_of(&table, 0.5);
        let kinds: Vec<&Kind> = schema.columns.iter().map(|c| &c.kind).collect();
        assert_eq!(
            kinds.iter().filter(|k| matches!(k, Kind::FreeText)).count(),
            2,
            "{kinds:?}"
        );
        assert!(f.groups.len() >= 9, "{:?}", f.groups);
        let b = &f.balanced;
        // (The English answers are nearly all distinct: their 33 features are held per person.)
        assert!(
            b.bytes() * 3 < b.n_rows() * b.n_cols() * 8 * 2,
            "{} bytes for {} × {}",
            b.bytes(),
            b.n_rows(),
            b.n_cols()
        );
        let mut row = vec![0.0; b.n_cols()];
        for i in 0..b.n_rows() {
            b.read_row(i, &mut row);
            for (d, v) in row.iter().enumerate() {
                assert_eq!(v.to_bits(), b.value(i, d).to_bits());
            }
        }
        // People with the same cell have the same values in that column's features.
        let mut shared = 0;
        for g in &f.groups {
            let col = table.column(g.column).expect("column");
            for i in 0..b.n_rows() {
                for j in (0..i).filter(|&j| col.get(j) == col.get(i)) {
                    shared += 1;
                    for d in g.start..g.start + g.len {
                        assert_eq!(b.value(i, d).to_bits(), b.value(j, d).to_bits());
                    }
                }
            }
        }
        assert!(shared > 10_000, "{shared}");
    }

    #[test]
    fn demographics_and_identifiers_never_become_features() {
        let table = example();
        let (schema, f) = features_of(&table, 0.5);
        let age = table.column_index("Age").expect("age");
        assert_eq!(schema.columns[age].role, Role::DescribeOnly);
        assert!(f.groups.iter().all(|g| g.column != age));
    }

    #[test]
    fn heavy_tails_are_logged_and_scaled_robustly() {
        let raw: Vec<f64> = (0..100)
            .map(|i| if i == 99 { 10_000.0 } else { (i % 10) as f64 })
            .collect();
        let f = numeric_features(&raw, false);
        assert_eq!(f.len(), 1, "no missing values, no indicator");
        let top = f[0][99];
        assert!(
            top > 3.0 && top <= 10.0,
            "the outlier stays far but bounded: {top}"
        );
        let with_missing = numeric_features(&[1.0, f64::NAN, 3.0], false);
        assert_eq!(with_missing[1], vec![0.0, 1.0, 0.0]);
    }
}
