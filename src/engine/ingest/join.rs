//! Joining several exports into one table of people.
//!
//! A survey export and a CRM export usually share an email address or a customer id, typed
//! differently (`Ann@Example.com ` in one, `ann@example.com` in the other). Keys are compared
//! after trimming, lower-casing and removing spaces.
//!
//! * **Suggesting the key** — every pair of plausible key columns (mostly distinct values) is
//!   scored by how many of the smaller column's values appear in the other, judged on samples
//!   drawn alike by hash in both (whatever order each file lists its people in), or, for a
//!   small file beside a large one, by looking each of its keys up among all of the other's;
//!   equal names and email-looking values break ties.
//! * **Joining** — a full outer join: every person from every file is kept; people found in
//!   only one file get empty cells for the other's columns. Duplicate keys never multiply
//!   rows: the k-th row with a key in one file is paired with the k-th row with that key in
//!   the other, and leftovers are kept unmatched. Both are counted and reported.
//! * **Columns** — the left file's columns, then the right file's; a right-hand name already
//!   taken gets the file name appended: `Email (crm.csv)`.

use super::super::diagnostics::{Diagnostics, Severity};
use super::super::table::{Column, Table};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};

/// The columns two tables are joined on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JoinKey {
    /// Column in the table joined so far.
    pub left_column: String,
    /// Column in the file being added.
    pub right_column: String,
}

/// How well a join went, for the "check the data" screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JoinReport {
    /// The file added by this join.
    pub right_file: String,
    /// The key used.
    pub key: JoinKey,
    /// Rows on the left.
    pub n_left: usize,
    /// Rows in the right file.
    pub n_right: usize,
    /// Pairs of rows joined.
    pub n_matched: usize,
    /// Rows on the left whose key appears more than once there.
    pub duplicate_left: usize,
    /// Rows on the right whose key appears more than once there.
    pub duplicate_right: usize,
    /// Rows in the result.
    pub n_rows: usize,
}

impl JoinReport {
    /// Share of left rows that found a partner, 0–1.
    pub fn match_rate(&self) -> f64 {
        if self.n_left == 0 {
            0.0
        } else {
            self.n_matched as f64 / self.n_left as f64
        }
    }

    /// Share of the added file's rows that found a partner, 0–1: a survey of 30 customers of
    /// 200,000 matched 0.0 % of the left rows and all of its own.
    pub fn right_match_rate(&self) -> f64 {
        if self.n_right == 0 {
            0.0
        } else {
            self.n_matched as f64 / self.n_right as f64
        }
    }
}

/// Normalises a key: trimmed, lower-cased, without spaces.
pub fn normalise_key(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A column's normalised keys, sampled alike in every column: a key is in the sample when
/// its hash falls below the column's threshold, set so that about [`KEY_SAMPLE`] are kept.
/// Two columns compared at the lower of their thresholds hold exactly the same range of
/// hashes, so a key they share is in both samples or in neither (coordinated sampling, as in
/// Cohen & Kaplan 2007). The first keys of each column in file order, which this replaced,
/// held 20,000 of a CRM's 200,000 emails and 20,000 of a survey's 130,000 in another order:
/// a tenth of them met, and the survey was left out though every respondent was a customer.
///
/// Cohen, E. & Kaplan, H. (2007). Summarizing data using bottom-k sketches. PODC.
struct KeySample {
    /// Hashes of the sampled keys.
    hashes: HashSet<u64>,
    /// Keys whose hash is below this are all in `hashes`.
    threshold: u64,
    /// The first few keys in file order, to tell email addresses.
    first: Vec<String>,
    /// Distinct values over non-empty rows.
    distinct_ratio: f64,
}

/// Keys sampled per column ([`KeySample`]).
const KEY_SAMPLE: usize = 20_000;

/// The hash of a key as [`normalise_key`] writes it, without writing it (`None` when empty).
fn key_hash(text: &str) -> Option<u64> {
    let mut hasher = foldhash::fast::FixedState::with_seed(0x5eed).build_hasher();
    let mut any = false;
    for c in text
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
    {
        hasher.write_u32(u32::from(c));
        any = true;
    }
    any.then(|| hasher.finish())
}

fn key_values(col: &Column) -> KeySample {
    let counts = col.counts();
    let distinct = col.values().len().saturating_sub(1);
    let threshold = if distinct <= KEY_SAMPLE {
        u64::MAX
    } else {
        (u64::MAX as f64 * KEY_SAMPLE as f64 / distinct as f64) as u64
    };
    let mut hashes = HashSet::new();
    let mut first = Vec::new();
    let mut non_empty = 0usize;
    for (code, value) in col.values().iter().enumerate().skip(1) {
        non_empty += counts.get(code).copied().unwrap_or(0);
        let Some(h) = key_hash(value) else { continue };
        if h <= threshold {
            hashes.insert(h);
        }
        if first.len() < 50 {
            first.push(normalise_key(value));
        }
    }
    KeySample {
        hashes,
        threshold,
        first,
        distinct_ratio: if non_empty == 0 {
            0.0
        } else {
            distinct as f64 / non_empty as f64
        },
    }
}

/// Fewer keys than this within the common range are too few to judge a share by: a survey of
/// 200 beside a CRM of a million holds about 4 keys in the CRM's range, and often none.
const KEYS_TO_JUDGE: usize = 100;

/// The share of the smaller column's keys that the other holds too, judged on both samples
/// at the lower threshold; 0 when the range holds no key of either. When the range holds
/// fewer than [`KEYS_TO_JUDGE`] keys of one and the other column's sample is whole (it has
/// at most [`KEY_SAMPLE`] keys), that column's keys are looked up among all of the other's.
fn overlap(a: (&KeySample, &Column), b: (&KeySample, &Column)) -> f64 {
    let threshold = a.0.threshold.min(b.0.threshold);
    let within = |s: &KeySample| -> HashSet<u64> {
        s.hashes
            .iter()
            .copied()
            .filter(|&h| h <= threshold)
            .collect()
    };
    let (wa, wb) = (within(a.0), within(b.0));
    let (small, big) = if wa.len() <= wb.len() {
        (&wa, &wb)
    } else {
        (&wb, &wa)
    };
    if small.len() < KEYS_TO_JUDGE {
        let whole = |s: &KeySample| s.threshold == u64::MAX;
        let pair = match (whole(a.0), whole(b.0)) {
            (true, false) => Some((a.0, b.1)),
            (false, true) => Some((b.0, a.1)),
            _ => None,
        };
        if let Some((whole, other)) = pair {
            let shared: HashSet<u64> = other
                .values()
                .iter()
                .skip(1)
                .filter_map(key_hash)
                .filter(|h| whole.hashes.contains(h))
                .collect();
            return shared.len() as f64 / whole.hashes.len().max(1) as f64;
        }
    }
    let shared = small.iter().filter(|h| big.contains(h)).count();
    shared as f64 / small.len().max(1) as f64
}

fn looks_like_key_name(name: &str) -> bool {
    let n = name.to_lowercase();
    [
        "email",
        "e-mail",
        "mail",
        "id",
        "customer",
        "user",
        "respondent",
        "contact",
        "account",
        "phone",
    ]
    .iter()
    .any(|w| {
        n.split(|c: char| !c.is_alphanumeric())
            .any(|part| part == *w)
            || n.contains(w) && w.len() > 3
    })
}

/// Suggests the key joining `right` onto `left`, or `None` when no pair of columns shares
/// enough values (under 10 % of the smaller side).
pub fn suggest_key(left: &Table, right: &Table) -> Option<(JoinKey, f64)> {
    let candidates = |t: &Table| -> Vec<(usize, KeySample)> {
        let mut c: Vec<(usize, KeySample)> = t
            .columns()
            .iter()
            .enumerate()
            .map(|(i, col)| (i, key_values(col)))
            .filter(|(_, k)| k.distinct_ratio >= 0.5 && k.first.len() >= 2)
            .collect();
        // Keep the likeliest 40 columns so thousands of columns stay cheap.
        c.sort_by(|a, b| {
            let ka = (
                looks_like_key_name(&t.columns()[a.0].name),
                a.1.distinct_ratio,
            );
            let kb = (
                looks_like_key_name(&t.columns()[b.0].name),
                b.1.distinct_ratio,
            );
            kb.partial_cmp(&ka).unwrap_or(std::cmp::Ordering::Equal)
        });
        c.truncate(40);
        c
    };
    let (lc, rc) = (candidates(left), candidates(right));
    let mut best: Option<(f64, JoinKey, f64)> = None;
    for (li, lkeys) in &lc {
        for (ri, rkeys) in &rc {
            let overlap = overlap(
                (lkeys, &left.columns()[*li]),
                (rkeys, &right.columns()[*ri]),
            );
            if overlap < 0.1 {
                continue;
            }
            let (lname, rname) = (&left.columns()[*li].name, &right.columns()[*ri].name);
            let mut score = overlap;
            if normalise_key(lname) == normalise_key(rname) {
                score += 0.2;
            }
            let emails = |k: &KeySample| k.first.iter().filter(|v| v.contains('@')).count();
            if emails(lkeys).min(emails(rkeys)) > 25 {
                score += 0.1;
            }
            if best.as_ref().is_none_or(|b| score > b.0) {
                let key = JoinKey {
                    left_column: lname.clone(),
                    right_column: rname.clone(),
                };
                best = Some((score, key, overlap));
            }
        }
    }
    best.map(|(_, key, overlap)| (key, overlap))
}

/// Joins `right` (from the file `right_file`) onto `left` by `key`: a full outer join that
/// keeps every row of both and never multiplies rows (see the module doc).
pub fn join(
    left: &Table,
    right: &Table,
    right_file: &str,
    key: &JoinKey,
    diagnostics: &mut Diagnostics,
) -> Option<(Table, JoinReport)> {
    let li = left.column_index(&key.left_column)?;
    let ri = right.column_index(&key.right_column)?;
    let (lcol, rcol) = (left.column(li)?, right.column(ri)?);

    // Right rows for each key, in file order.
    let mut right_rows: HashMap<String, Vec<usize>> = HashMap::new();
    for row in 0..right.n_rows() {
        let k = normalise_key(rcol.get(row));
        if !k.is_empty() {
            right_rows.entry(k).or_default().push(row);
        }
    }
    let duplicate_right = right_rows
        .values()
        .filter(|v| v.len() > 1)
        .map(Vec::len)
        .sum();
    let mut left_seen: HashMap<String, usize> = HashMap::new();
    let mut right_used = vec![false; right.n_rows()];
    let mut pairs: Vec<(Option<usize>, Option<usize>)> = Vec::with_capacity(left.n_rows());
    let mut n_matched = 0;
    for row in 0..left.n_rows() {
        let k = normalise_key(lcol.get(row));
        let partner = if k.is_empty() {
            None
        } else {
            let nth = left_seen.entry(k.clone()).or_insert(0);
            let partner = right_rows.get(&k).and_then(|rows| rows.get(*nth)).copied();
            *nth += 1;
            partner
        };
        if let Some(r) = partner
            && let Some(used) = right_used.get_mut(r)
        {
            *used = true;
            n_matched += 1;
        }
        pairs.push((Some(row), partner));
    }
    let duplicate_left = left_seen.values().filter(|&&n| n > 1).sum();
    pairs.extend(
        (0..right.n_rows())
            .filter(|&r| !right_used[r])
            .map(|r| (None, Some(r))),
    );

    let left_rows: Vec<Option<usize>> = pairs.iter().map(|p| p.0).collect();
    let right_picks: Vec<Option<usize>> = pairs.iter().map(|p| p.1).collect();
    let mut taken: HashSet<String> = left.columns().iter().map(|c| c.name.clone()).collect();
    let mut columns: Vec<Column> = left
        .columns()
        .iter()
        .map(|c| c.gather(&c.name, &left_rows))
        .collect();
    for col in right.columns() {
        let mut name = col.name.clone();
        if taken.contains(&name) {
            name = format!("{} ({right_file})", col.name);
        }
        let mut k = 2;
        while taken.contains(&name) {
            name = format!("{} ({right_file}) ({k})", col.name);
            k += 1;
        }
        taken.insert(name.clone());
        columns.push(col.gather(&name, &right_picks));
    }
    let report = JoinReport {
        right_file: right_file.to_string(),
        key: key.clone(),
        n_left: left.n_rows(),
        n_right: right.n_rows(),
        n_matched,
        duplicate_left,
        duplicate_right,
        n_rows: pairs.len(),
    };
    if duplicate_right > 0 || duplicate_left > 0 {
        diagnostics.push(
            "duplicate-keys",
            Severity::Warning,
            None,
            Some(&key.right_column),
            || {
                format!(
                    "{duplicate_left} rows on the left and {duplicate_right} rows in {right_file} share their key with another row; \
                     the k-th row with a key was paired with the k-th on the other side, and no row was repeated"
                )
            },
            Some("remove duplicate people from the export if each person should appear once"),
        );
    }
    Some((Table::new(columns), report))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CRM of `n` accounts with an id and an admin's email, and its emails.
    fn crm_of(n: usize) -> (Table, Vec<String>) {
        let emails: Vec<String> = (0..n)
            .map(|i| format!("admin{i}@company{}.example", i % 997))
            .collect();
        let ids: Vec<String> = (0..n).map(|i| format!("ACC-{i}")).collect();
        let crm = Table::new(vec![
            Column::from_cells("Account ID", ids.iter().map(String::as_str)),
            Column::from_cells("Admin email", emails.iter().map(String::as_str)),
        ]);
        (crm, emails)
    }

    /// A survey of the people with `emails`, and the share of them `suggest_key` finds among
    /// the CRM's admins, after checking that it joins on their emails.
    fn survey_joined_on_email(crm: &Table, emails: &[String]) -> (Table, JoinKey, f64) {
        let survey = Table::new(vec![
            Column::from_cells("Email address", emails.iter().map(String::as_str)),
            Column::from_cells("Answer", emails.iter().map(|_| "fine")),
        ]);
        let (key, overlap) = suggest_key(crm, &survey).expect("a key");
        assert_eq!(
            (key.left_column.as_str(), key.right_column.as_str()),
            ("Admin email", "Email address")
        );
        (survey, key, overlap)
    }

    #[test]
    fn large_files_listing_their_people_in_different_orders_are_joined() {
        // 200,000 customers, and a survey of 130,000 of them listed in another order and
        // typed differently: the first 20,000 emails of each barely meet.
        let n = 200_000;
        let (crm, emails) = crm_of(n);
        let answered: Vec<String> = (0..130_000)
            .map(|k| format!(" {}", emails[(k * 7_919) % n].to_uppercase()))
            .collect();
        let (_, _, overlap) = survey_joined_on_email(&crm, &answered);
        assert!(overlap > 0.99, "{overlap}");
    }

    #[test]
    fn a_few_respondents_among_many_customers_are_joined() {
        // 200,000 customers and a survey of 12 of them, none of whose emails falls within
        // the range of hashes the CRM's sample holds: judged on samples alone, no key met.
        let n = 200_000;
        let (crm, emails) = crm_of(n);
        let sampled = key_values(&crm.columns()[1]).threshold;
        let answered: Vec<String> = emails
            .iter()
            .rev()
            .filter(|e| key_hash(e).is_some_and(|h| h > sampled))
            .take(12)
            .map(|e| e.to_uppercase())
            .collect();
        let (survey, key, overlap) = survey_joined_on_email(&crm, &answered);
        assert_eq!(overlap, 1.0);
        let mut diagnostics = Diagnostics::new("survey.csv");
        let (joined, report) =
            join(&crm, &survey, "survey.csv", &key, &mut diagnostics).expect("joined");
        assert_eq!((report.n_matched, joined.n_rows()), (12, n));
        assert_eq!(report.right_match_rate(), 1.0);
    }

    #[test]
    fn email_key_is_found_despite_case_and_spaces_and_unmatched_people_are_kept() {
        let survey = Table::from_rows(
            &["Email", "Goal"],
            &[
                &["Ann@Example.com ", "save time"],
                &["bob@example.com", "save money"],
                &["cy@x.org", "learn"],
            ],
        );
        let crm = Table::from_rows(
            &["email", "Orders"],
            &[
                &["ann@example.com", "3"],
                &["BOB@example.com", "7"],
                &["dee@example.com", "1"],
            ],
        );
        let (key, overlap) = suggest_key(&survey, &crm).expect("a key");
        assert_eq!(
            (key.left_column.as_str(), key.right_column.as_str()),
            ("Email", "email")
        );
        assert!((overlap - 2.0 / 3.0).abs() < 1e-9);
        let mut d = Diagnostics::new("crm.csv");
        let (table, report) = join(&survey, &crm, "crm.csv", &key, &mut d).expect("joined");
        assert_eq!(report.n_matched, 2);
        assert_eq!(
            table.n_rows(),
            4,
            "Ann, Bob, Cy and Dee: nobody lost, nobody repeated"
        );
        let names: Vec<&str> = table.columns().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["Email", "Goal", "email", "Orders"]);
        let orders = table.column(3).expect("orders");
        assert_eq!(
            (0..4).map(|r| orders.get(r)).collect::<Vec<_>>(),
            vec!["3", "7", "", "1"]
        );
    }

    #[test]
    fn duplicate_keys_never_multiply_rows() {
        let left = Table::from_rows(&["id", "a"], &[&["1", "x"], &["1", "y"], &["2", "z"]]);
        let right = Table::from_rows(&["id", "b"], &[&["1", "p"], &["1", "q"], &["1", "r"]]);
        let key = JoinKey {
            left_column: "id".into(),
            right_column: "id".into(),
        };
        let mut d = Diagnostics::new("r.csv");
        let (table, report) = join(&left, &right, "r.csv", &key, &mut d).expect("joined");
        assert_eq!(report.n_matched, 2);
        assert_eq!(
            table.n_rows(),
            4,
            "3 left rows + the one unpaired right row"
        );
        let b = table.column(3).expect("b");
        assert_eq!(
            (0..4).map(|r| b.get(r)).collect::<Vec<_>>(),
            vec!["p", "q", "", "r"]
        );
        assert_eq!(
            table.column(2).map(|c| c.name.clone()),
            Some("id (r.csv)".into())
        );
        assert_eq!(d.finish().len(), 1, "the duplicates are reported");
    }
}
