//! Next month (issue 19): a second month's export against the first's, with planted changes —
//! one edge group only in the second month (new), one only in the first (gone), one doubled
//! by new customers (grew), one losing a third (shrank), everyone else the same people.

use edgewise::engine::analysis::{self, Analysis, Dataset, Settings};
use edgewise::engine::compare::{self, Change, Comparison, Matching};
use edgewise::engine::ingest::{IngestParams, read_bytes};
use edgewise::engine::meaning;
use edgewise::synth::{self, Generated, Planted};

fn analyse(g: &Generated, name: &str) -> (Dataset, Analysis) {
    let parsed = read_bytes(name, g.to_csv().as_bytes(), &IngestParams::default()).expect("read");
    let d = analysis::combine(vec![parsed], &Settings::default());
    let a = analysis::analyse(&d, &Settings::default(), meaning::builtin(), &mut |_, _| {})
        .expect("analysis");
    (d, a)
}

/// The two months: (first, second).
fn months() -> (Generated, Generated) {
    synth::months(5000, 7)
}

/// The segment (index) that holds most of planted group `p` — more than half of it, or the
/// group did not form a segment and the test means nothing.
fn segment_of_group(a: &Analysis, truth: &[Planted], p: Planted) -> usize {
    let mut counts = vec![0usize; a.segments.len()];
    for (row, t) in truth.iter().enumerate() {
        if *t == p
            && let Some(Some(s)) = a.segment_of.get(row)
        {
            counts[*s as usize] += 1;
        }
    }
    let s = (0..counts.len())
        .max_by_key(|&s| counts[s])
        .expect("segments");
    let size = truth.iter().filter(|t| **t == p).count();
    assert!(
        counts[s] * 2 > size,
        "{p:?}: only {} of {size} in one segment",
        counts[s]
    );
    s
}

fn change_of(c: &Comparison, now: Option<&str>, before: Option<&str>) -> Change {
    c.segments
        .iter()
        .find(|s| {
            s.now.as_ref().map(|n| n.0.as_str()) == now
                && (now.is_some() || s.before.as_ref().map(|b| b.0.as_str()) == before)
        })
        .map(|s| s.change)
        .expect("the segment is listed")
}

#[test]
fn next_months_segments_are_matched_by_their_members_and_their_changes_named() {
    let (first, second) = months();
    let (d1, a1) = analyse(&first, "march.csv");
    let (d2, a2) = analyse(&second, "april.csv");
    let export = a1.export_csv(&d1.table, &[]);
    let previous =
        read_bytes("march-segments.csv", &export, &IngestParams::default()).expect("read");
    let c = compare::compare(&previous, &d2, &a2).expect("comparable");
    assert!(
        matches!(&c.matching, Matching::Members { column, .. } if column == "Customer ID" || column == "Email"),
        "{:?}",
        c.matching
    );
    let id_now = |p| {
        a2.segments[segment_of_group(&a2, &second.truth, p)]
            .id
            .clone()
    };
    let id_then = |p| {
        a1.segments[segment_of_group(&a1, &first.truth, p)]
            .id
            .clone()
    };
    assert_eq!(
        change_of(&c, Some(&id_now(Planted::Edge(0))), None),
        Change::New
    );
    assert_eq!(
        change_of(&c, None, Some(&id_then(Planted::Edge(1)))),
        Change::Gone
    );
    assert_eq!(
        change_of(&c, Some(&id_now(Planted::Edge(2))), None),
        Change::Grew
    );
    assert_eq!(
        change_of(&c, Some(&id_now(Planted::Edge(3))), None),
        Change::Shrank
    );
    // The other planted edge groups are the same people in the same segments.
    for p in [Planted::Edge(4), Planted::Edge(5)] {
        let now = id_now(p);
        let s = c
            .segments
            .iter()
            .find(|s| s.now.as_ref().is_some_and(|n| n.0 == now))
            .expect("listed");
        assert_eq!(
            s.before.as_ref().map(|b| b.0.clone()),
            Some(id_then(p)),
            "{p:?}"
        );
    }
    // Few people move: the same people with the same answers stay where they were.
    assert!(
        c.n_movers * 20 < d2.table.n_rows(),
        "{} of {} moved",
        c.n_movers,
        d2.table.n_rows()
    );
    // A mover is someone whose segment now is not the one their segment of last month
    // became. Ids are numbered afresh each month, so last month's S8 may be this month's S9
    // and a mover may go from last month's S8 to this month's S8. Someone from a segment
    // that is gone (or from no segment) has nothing it became, and moved by definition.
    for m in &c.movers {
        let became = c
            .segments
            .iter()
            .find(|s| s.before.as_ref().is_some_and(|b| b.0 == m.from))
            .and_then(|s| s.now.as_ref().map(|n| n.0.clone()));
        assert_ne!(became, Some(m.to.clone()), "a mover changed segment: {m:?}");
    }
}

#[test]
fn without_shared_ids_segments_are_matched_by_profile() {
    let (first, second) = months();
    // Last month's export without its id and email columns.
    let keep: Vec<&str> = first
        .header
        .iter()
        .map(String::as_str)
        .filter(|h| *h != "Customer ID" && *h != "Email")
        .collect();
    let all: Vec<usize> = (0..first.rows.len()).collect();
    let anonymous = first.select(&keep, &all);
    let (d1, a1) = analyse(&anonymous, "march.csv");
    let (d2, a2) = analyse(&second, "april.csv");
    let previous = read_bytes(
        "march-segments.csv",
        &a1.export_csv(&d1.table, &[]),
        &IngestParams::default(),
    )
    .expect("read");
    let c = compare::compare(&previous, &d2, &a2).expect("comparable");
    assert!(
        matches!(c.matching, Matching::Profile { .. }),
        "{:?}",
        c.matching
    );
    assert!(c.movers.is_empty(), "without ids no one can be followed");
    let id_now = |p| {
        a2.segments[segment_of_group(&a2, &second.truth, p)]
            .id
            .clone()
    };
    let id_then = |p| {
        a1.segments[segment_of_group(&a1, &anonymous.truth, p)]
            .id
            .clone()
    };
    assert_eq!(
        change_of(&c, Some(&id_now(Planted::Edge(0))), None),
        Change::New
    );
    assert_eq!(
        change_of(&c, None, Some(&id_then(Planted::Edge(1)))),
        Change::Gone
    );
    assert_eq!(
        change_of(&c, Some(&id_now(Planted::Edge(2))), None),
        Change::Grew
    );
}

#[test]
fn a_file_that_is_not_an_export_is_refused_in_words() {
    let (first, _) = months();
    let (d, a) = analyse(&first, "march.csv");
    let plain = read_bytes(
        "march.csv",
        first.to_csv().as_bytes(),
        &IngestParams::default(),
    )
    .expect("read");
    let err = compare::compare(&plain, &d, &a).expect_err("no segment column");
    assert!(
        err.to_string()
            .starts_with("march.csv has no “segment” column"),
        "{err}"
    );
}
