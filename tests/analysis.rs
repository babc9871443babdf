//! Whole-analysis tests on generated and hand-built exports: what forms segments, what the
//! portraits may say, and what the say/do table finds.

use edgewise::engine::analysis::{self, Analysis, Dataset, Settings};
use edgewise::engine::ingest::{IngestParams, read_bytes};
use edgewise::engine::meaning;
use edgewise::engine::schema::Role;
use edgewise::engine::schema::dates::format_day;
use edgewise::protocol::ResultView;
use edgewise::synth::{self, Generated};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

fn dataset(csv: &str) -> Dataset {
    let parsed = read_bytes("export.csv", csv.as_bytes(), &IngestParams::default()).expect("read");
    analysis::combine(vec![parsed], &Settings::default())
}

fn run(csv: &str) -> (Dataset, Analysis) {
    let d = dataset(csv);
    let a = analysis::analyse(&d, &Settings::default(), meaning::builtin(), &mut |_, _| {})
        .expect("analysis");
    (d, a)
}

/// `text` as one CSV field: quoted, with its quotes doubled, unless it is empty.
fn csv_field(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!("\"{}\"", text.replace('"', "\"\""))
    }
}

/// The F1 of planted group `g` (`group` by row) against the segment that matches it best,
/// and that segment's name.
fn best_f1(a: &Analysis, group: &[usize], g: usize) -> (f64, String) {
    let planted = group.iter().filter(|&&x| x == g).count();
    a.segments
        .iter()
        .enumerate()
        .map(|(s, seg)| {
            let members: Vec<usize> = (0..group.len())
                .filter(|&i| a.segment_of[i] == Some(s as u32))
                .collect();
            let both = members.iter().filter(|&&i| group[i] == g).count();
            (
                2.0 * both as f64 / (members.len() + planted) as f64,
                seg.name.clone(),
            )
        })
        .max_by(|x, y| x.0.total_cmp(&y.0))
        .unwrap_or_default()
}

/// Appends a column to a generated export.
fn with_column(g: &Generated, name: &str, value: impl Fn(usize) -> String) -> Generated {
    let mut g = g.clone();
    g.header.push(name.into());
    for (i, row) in g.rows.iter_mut().enumerate() {
        row.push(value(i));
    }
    g
}

#[test]
fn adding_demographic_columns_does_not_change_the_segments() {
    let full = synth::generate(1500, 3);
    let demographic = ["Age", "Gender", "Region", "Household size"];
    let kept: Vec<&str> = full
        .header
        .iter()
        .map(String::as_str)
        .filter(|h| !demographic.contains(h))
        .collect();
    let without = full.select(&kept, &(0..full.rows.len()).collect::<Vec<_>>());
    // More demographics, some of them strongly patterned, none of them meant to form segments.
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    let income: Vec<u32> = (0..full.rows.len())
        .map(|_| rng.gen_range(12..180) * 1000)
        .collect();
    let mut more = with_column(&full, "Annual income", |i| income[i].to_string());
    more = with_column(&more, "Marital status", |i| {
        ["married", "single", "divorced", "widowed"][i % 4].into()
    });
    more = with_column(&more, "Education", |i| {
        ["school", "college", "university"][(i / 7) % 3].into()
    });
    more = with_column(&more, "Country", |i| {
        ["UK", "Ireland"][usize::from(i % 10 == 0)].into()
    });

    let (d_without, a_without) = run(&without.to_csv());
    let (d_more, a_more) = run(&more.to_csv());
    for name in [
        "Age",
        "Gender",
        "Region",
        "Household size",
        "Annual income",
        "Marital status",
        "Education",
        "Country",
    ] {
        let idx = d_more
            .table
            .columns()
            .iter()
            .position(|c| c.name == name)
            .expect("column");
        assert_eq!(
            d_more.schema.columns[idx].role,
            Role::DescribeOnly,
            "{name} only describes segments"
        );
    }
    assert!(d_without.schema.columns.len() + 8 == d_more.schema.columns.len());
    assert!(
        a_without.segments.len() >= 5,
        "the planted groups are found"
    );
    assert_eq!(
        a_without.segment_of, a_more.segment_of,
        "the same people end up in the same segments"
    );
    assert_eq!(
        a_without.edge_score, a_more.edge_score,
        "and the same edge scores"
    );
    let names = |a: &Analysis| {
        a.segments
            .iter()
            .map(|s| s.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&a_without), names(&a_more), "with the same names");
    // The demographics do describe the segments afterwards.
    assert!(
        a_more
            .segments
            .iter()
            .any(|s| s.who.iter().any(|w| w.column == "Annual income")),
        "portraits show who they are"
    );
}

/// First names a persona template would invent.
const PERSONA_NAMES: &[&str] = &[
    "sarah", "emma", "olivia", "john", "mike", "michael", "david", "james", "linda", "karen",
    "betty", "susan", "mary", "jennifer", "jessica", "tom", "peter", "paul", "anna", "laura",
    "lisa", "kate", "chris", "alex", "sam", "max", "ben", "jack", "lucy", "sophie", "mia", "noah",
    "liam", "ethan", "ava", "ella", "rachel", "steve", "dave", "bill", "jane", "joe", "persona",
];

#[test]
fn no_portrait_text_names_a_person() {
    // People sign their answers: the file's own names appear in many free-text cells.
    let mut g = synth::generate(2000, 4);
    let first = g
        .header
        .iter()
        .position(|h| h == "First name")
        .expect("names");
    let jobs = g
        .header
        .iter()
        .position(|h| h.starts_with("What are you trying"))
        .expect("jobs");
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(8);
    let mut signed = 0;
    for row in &mut g.rows {
        if rng.r#gen::<f64>() < 0.3 {
            row[jobs] = format!("{} – thanks, {}", row[jobs], row[first]);
            signed += 1;
        }
    }
    assert!(signed > 400);
    let (d, a) = run(&g.to_csv());
    let mut file_names = std::collections::BTreeSet::new();
    for (idx, c) in d.table.columns().iter().enumerate() {
        if c.name == "First name" || c.name == "Last name" {
            for v in d.table.column(idx).expect("column").values() {
                file_names.insert(v.to_lowercase());
            }
        }
    }
    assert!(file_names.len() > 20);
    let view = ResultView::of(&a);
    let mut texts: Vec<String> = Vec::new();
    for s in &view.segments {
        texts.push(s.name.clone());
        texts.push(s.say_line.clone());
        texts.push(s.do_line.clone());
        texts.extend(s.says.iter().map(|p| p.text.clone()));
        texts.extend(s.quotes.iter().map(|q| q.text.clone()));
        texts.extend(s.differences.iter().map(|d| d.text.clone()));
        texts.extend(s.warning.clone());
    }
    texts.extend(view.outliers.iter().map(|o| o.reason.clone()));
    if let Some(sd) = &view.say_do {
        texts.extend(sd.say.iter().chain(&sd.r#do).chain(&sd.notes).cloned());
    }
    let quotes: usize = view.segments.iter().map(|s| s.quotes.len()).sum();
    assert!(
        quotes >= 3 * view.segments.len(),
        "portraits still quote people"
    );
    for t in &texts {
        for word in t
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty())
        {
            let w = word.to_lowercase();
            assert!(
                !file_names.contains(&w),
                "“{t}” names {word}, a person in the file"
            );
            assert!(
                !PERSONA_NAMES.contains(&w.as_str()),
                "“{t}” uses the invented name {word}"
            );
        }
    }
}

/// Two groups that say the same things but behave differently, and a third that talks
/// differently but behaves like the first.
fn say_same_do_different() -> String {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
    let saving = [
        "save money on the weekly shop",
        "keep the weekly food bill down",
        "cheap groceries to save money",
        "money off the weekly shop",
        "keep the shop cheap and save",
    ];
    let treats = [
        "organic treats from local farms",
        "fancy local cheese and wine",
        "special organic produce for dinner parties",
        "local farm treats and organic wine",
    ];
    let mut csv =
        String::from("Customer ID,What are you trying to get done?,Orders,Total spend,Channel\n");
    for i in 0..600 {
        let group = i / 200;
        let core = if group < 2 {
            saving[rng.gen_range(0..saving.len())]
        } else {
            treats[rng.gen_range(0..treats.len())]
        };
        let before = ["", "Honestly, ", "Mainly ", "I want to ", "Really just "];
        let after = [
            "",
            " please",
            " every week",
            " if I can",
            " most of the time",
            " as always",
        ];
        let say = format!(
            "{}{core}{}",
            before[rng.gen_range(0..before.len())],
            after[rng.gen_range(0..after.len())]
        );
        let (orders, spend, channel) = if group == 1 {
            (rng.gen_range(30..45), rng.gen_range(3000..5000), "web")
        } else {
            (rng.gen_range(1..5), rng.gen_range(40..200), "store")
        };
        csv.push_str(&format!("C{i},\"{say}\",{orders},{spend},{channel}\n"));
    }
    csv
}

#[test]
fn say_do_table_shows_same_words_different_deeds() {
    let (_, a) = run(&say_same_do_different());
    let t = a.say_do.as_ref().expect("a say/do table");
    let group_of = |i: u32| i / 200; // 0 and 1 say the same; 1 behaves differently; 2 talks differently
    // Say side: savers (0 and 1) and the third group never share a say group, and within the
    // savers' say groups both behaviours are well represented — words alone cannot tell them apart.
    let mut savers_groups = 0;
    for (s, row) in t.cells.iter().enumerate().take(t.say.len() - 1) {
        let mut count = [0usize; 3];
        for i in row.iter().flatten() {
            count[group_of(*i) as usize] += 1;
        }
        let size: usize = count.iter().sum();
        let savers = count[0] + count[1];
        assert!(
            savers * 10 <= size || count[2] * 10 <= size,
            "say group {s} ({}) mixes the two ways of talking: {count:?}",
            t.say[s].name
        );
        if savers * 10 > size && size >= 15 {
            savers_groups += 1;
            assert!(
                count[0] * 5 >= size && count[1] * 5 >= size,
                "say group {s} ({}) holds both kinds of savers: {count:?}",
                t.say[s].name
            );
        }
    }
    assert!(savers_groups >= 1);
    // Do side: the two saving groups behave differently; the third behaves like the first.
    let do_of = |i: u32| {
        t.cells
            .iter()
            .find_map(|row| row.iter().position(|c| c.contains(&i)))
    };
    let majority = |group: u32| {
        let mut counts = std::collections::BTreeMap::new();
        for i in group * 200..group * 200 + 200 {
            *counts.entry(do_of(i)).or_insert(0) += 1;
        }
        let (best, n) = counts.into_iter().max_by_key(|x| x.1).expect("people");
        assert!(n >= 180, "{n} of 200 in group {group} do the same");
        best.expect("a do group")
    };
    assert_ne!(
        majority(0),
        majority(1),
        "the two saving groups behave differently"
    );
    assert_eq!(majority(2), majority(0), "the third behaves like the first");
    // And the notes say so, in words.
    assert!(
        t.notes
            .iter()
            .any(|n| n.starts_with("People who") && n.contains("do different things")),
        "{:?}",
        t.notes
    );
    assert!(
        t.notes
            .iter()
            .any(|n| n.starts_with("People in the do group") && n.contains("say different things")),
        "{:?}",
        t.notes
    );
}

/// Every seed input of the fuzz targets, and every input a fuzzer ever crashed on (kept in
/// `fuzz/regressions`), reads and analyses to a result or an error — never a panic.
#[test]
fn fuzz_corpus_and_past_crashes_never_panic() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for dir in ["corpus/ingest", "corpus/analysis", "regressions"] {
        if let Ok(entries) = std::fs::read_dir(root.join(dir)) {
            files.extend(entries.flatten().map(|e| e.path()));
        }
    }
    files.sort();
    assert!(files.len() >= 20, "the seed corpus is in the repository");
    for path in files {
        let bytes = std::fs::read(&path).expect("read");
        let name = path.display().to_string();
        let Ok(parsed) = read_bytes(&name, &bytes, &IngestParams::default()) else {
            continue;
        };
        let settings = Settings::default();
        let d = analysis::combine(vec![parsed], &settings);
        if let Ok(a) = analysis::analyse(&d, &settings, meaning::builtin(), &mut |_, _| {}) {
            assert_eq!(a.segment_of.len(), d.table.n_rows(), "{name}");
            assert!(!a.export_csv(&d.table, &[]).is_empty(), "{name}");
        }
    }
}

/// Issue 8: each planted group states its goal in six wordings with no content word in
/// common; read by meaning, every planted group is still found (F1 ≥ 0.8). The TF-IDF-only
/// figures on the same data are printed beside them (`edgewise evaluate --wordings disjoint
/// --text both` prints the same at any size).
#[test]
fn groups_worded_six_ways_are_recovered_by_meaning() {
    use edgewise::engine::features::TextModel;
    let g = synth::generate_with(5000, 7, synth::Wordings::Disjoint);
    let d = dataset(&g.to_csv());
    let mut scores = Vec::new();
    for model in [TextModel::Meaning, TextModel::Words] {
        let mut settings = Settings::default();
        settings.features.text_model = model;
        let a =
            analysis::analyse(&d, &settings, meaning::builtin(), &mut |_, _| {}).expect("analysis");
        assert!(a.warnings.iter().all(|w| !w.contains("meaning model")));
        scores.push(synth::evaluate(&g.truth, &a.segment_of, &a.edge_score));
    }
    for (i, (planted, size, f1, _)) in scores[0].groups.iter().enumerate() {
        eprintln!(
            "{:<48} {size:>5}  meaning F1 {f1:.3}  words F1 {:.3}",
            synth::planted_name(*planted),
            scores[1].groups[i].2
        );
        assert!(*f1 >= 0.8, "{} F1 {f1:.3}", synth::planted_name(*planted));
    }
    assert!(scores[0].outliers_in_top * 10 >= scores[0].outliers * 8);
}

/// Issue 5, across generator seeds: at seed 6 two things used to go wrong. A corner of the
/// family segment cut out by three independent answers (no newsletter, no eco packaging, diet
/// fit 3 or lower) stood as a tenth segment, and six lone outliers, drawn by smoothing into the
/// small elderly-relative group, were reported as its edge members. Both are mended
/// (`cluster::merge_single_respect`'s corner test; `cluster::pulled_in`).
#[test]
fn no_lattice_corner_and_no_outliers_inside_a_segment_at_seed_6() {
    let g = synth::generate(5000, 6);
    let (_, a) = run(&g.to_csv());
    let scores = synth::evaluate(&g.truth, &a.segment_of, &a.edge_score);
    for (planted, size, f1, _) in &scores.groups {
        eprintln!(
            "{:<48} {size:>5}  F1 {f1:.3}",
            synth::planted_name(*planted)
        );
    }
    for (planted, _, f1, _) in &scores.groups {
        if matches!(planted, synth::Planted::Mass(_)) {
            assert!(*f1 >= 0.95, "{} F1 {f1:.3}", synth::planted_name(*planted));
        }
    }
    // No corner of a mass group is a segment: every segment but the three mass ones is made
    // mostly (two thirds or more) of one planted edge group. (The carers of an elderly relative who order on the
    // web, whom density left inside the family shoppers, are a segment of their own since
    // latent classes read what they say: 10 segments, where there were 9.)
    assert!(a.segments.len() <= 10, "{} segments", a.segments.len());
    let mass: Vec<u32> = scores
        .groups
        .iter()
        .filter(|g| matches!(g.0, synth::Planted::Mass(_)))
        .filter_map(|g| g.3)
        .collect();
    for s in 0..a.segments.len() as u32 {
        if mass.contains(&s) {
            continue;
        }
        let members: Vec<synth::Planted> = (0..g.truth.len())
            .filter(|&i| a.segment_of[i] == Some(s))
            .map(|i| g.truth[i])
            .collect();
        let top = members
            .iter()
            .map(|p| members.iter().filter(|q| *q == p).count())
            .max()
            .unwrap_or(0);
        let edge = members
            .iter()
            .filter(|p| matches!(p, synth::Planted::Edge(_)))
            .count();
        assert!(
            top * 3 >= members.len() * 2 && edge * 3 >= members.len() * 2,
            "segment {s} is mostly one edge group: {top} of {}",
            members.len()
        );
    }
    for (i, t) in g.truth.iter().enumerate() {
        if *t == synth::Planted::Outlier {
            assert_eq!(a.segment_of[i], None, "planted lone outlier on row {i}");
        }
    }
    assert!(scores.outliers_in_top * 10 >= scores.outliers * 8);
}

/// Issue 18: in a file of ratings most people's neighbours sit at the same few distances, so
/// the spread of those distances was a rounding error and anyone with a few extreme answers
/// was far from everyone: five 1–5 ratings drawn independently for 3,000 people gave
/// hundreds of lone outliers at scores of 0.99. Nobody there is unusual.
#[test]
fn independent_ratings_put_nobody_near_one() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    let mut csv = String::from("Ease,Price,Speed,Support,Design\n");
    for _ in 0..3000 {
        let ratings: Vec<String> = (0..5).map(|_| rng.gen_range(1..=5).to_string()).collect();
        csv.push_str(&(ratings.join(",") + "\n"));
    }
    let (_, a) = run(&csv);
    let top = a.edge_score.iter().copied().fold(0.0, f64::max);
    assert!(top < 0.5, "nobody is near 1: {top}");
    let unlike = a
        .reason
        .iter()
        .filter(|r| r.starts_with("Unlike everyone"))
        .count();
    assert_eq!(unlike, 0, "people called unlike everyone");
}

/// Issue 18: a file of ratings only is a lattice to density, each combination of answers a
/// stack of people, and how many segments the stacks joined into turned on counts that
/// differ by one: five ratings drawn independently for 3,000 people were 12 segments at the
/// first of these draws and 1 at another. Latent classes, the model of such answers, find
/// one group at every draw.
#[test]
fn ratings_drawn_independently_are_one_group_at_every_draw() {
    for seed in [5, 6, 7] {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut csv = String::from("Ease,Price,Speed,Support,Design\n");
        for _ in 0..3000 {
            let ratings: Vec<String> = (0..5).map(|_| rng.gen_range(1..=5).to_string()).collect();
            csv.push_str(&(ratings.join(",") + "\n"));
        }
        let (_, a) = run(&csv);
        assert_eq!(a.segments.len(), 1, "draw {seed}");
    }
}

/// Issue 18: edge scores are honest magnitudes. A file of ordinary people has nobody near 1;
/// one account with one value far beyond everyone's (803,262 API calls where the busiest
/// accounts make 90,000) ranks first, and its reason names that value.
#[test]
fn edge_scores_are_magnitudes_not_ranks() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
    let gauss = |rng: &mut Xoshiro256PlusPlus| edgewise::engine::linalg::gaussian(rng);
    let mut csv = String::from("Account,Orders,Spend,Visits,Plan,API calls\n");
    for i in 0..3000 {
        let busy = i % 3 == 0;
        let api = if busy {
            5_000.0 * libm::pow(18.0, rng.r#gen::<f64>())
        } else {
            100.0 * libm::pow(20.0, rng.r#gen::<f64>())
        };
        csv.push_str(&format!(
            "A{i:05},{:.0},{:.2},{:.1},{},{:.0}\n",
            20.0 + 4.0 * gauss(&mut rng),
            500.0 + 80.0 * gauss(&mut rng),
            10.0 + 2.0 * gauss(&mut rng),
            ["basic", "plus", "pro"][i % 3],
            api
        ));
    }
    let (_, ordinary) = run(&csv);
    let top = ordinary.edge_score.iter().copied().fold(0.0, f64::max);
    assert!(top < 0.6, "nobody in an ordinary file is near 1: {top}");

    let mut lines: Vec<String> = csv.lines().map(String::from).collect();
    let row = 8; // A00007
    let mut cells: Vec<String> = lines[row].split(',').map(String::from).collect();
    cells[5] = "803262".into();
    lines[row] = cells.join(",");
    let (_, a) = run(&(lines.join("\n") + "\n"));
    let first = (0..a.n_people)
        .max_by(|&x, &y| a.edge_score[x].total_cmp(&a.edge_score[y]))
        .expect("people");
    assert_eq!(
        first,
        row - 1,
        "the 803,262 account ranks first: {}",
        &a.reason[first]
    );
    assert!(a.edge_score[first] > 0.6, "{}", a.edge_score[first]);
    assert!(a.reason[first].contains("803,262"), "{}", &a.reason[first]);

    // An account that made a single call: its reason says how little that is in words, not
    // as "0.0× the median (1 vs 914)".
    let idle = 4; // A00003
    let mut cells: Vec<String> = lines[idle].split(',').map(String::from).collect();
    cells[5] = "1".into();
    lines[idle] = cells.join(",");
    let (_, a) = run(&(lines.join("\n") + "\n"));
    let reason = &a.reason[idle - 1];
    assert!(
        reason.contains("API calls under a tenth of the median (1 vs ") && !reason.contains("0.0×"),
        "{reason}"
    );
}

/// Issue 18: when over half of a segment are exact duplicates, its yardsticks (the gap and
/// reach of its neighbour distances) were 0 and every member left it: 720 people who answered
/// alike became "lone outliers" beside a segment of 0 people.
#[test]
fn identical_answers_keep_their_segment() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    let mut csv = String::from("Plan,Channel,Newsletter,Orders,Region\n");
    for i in 0..1200 {
        if i % 5 < 3 {
            csv.push_str("basic,web,yes,1,North\n");
        } else {
            csv.push_str(&format!(
                "{},{},{},{},{}\n",
                ["plus", "pro"][rng.gen_range(0..2)],
                ["app", "phone"][rng.gen_range(0..2)],
                ["yes", "no"][rng.gen_range(0..2)],
                rng.gen_range(2..=30),
                ["North", "South"][rng.gen_range(0..2)]
            ));
        }
    }
    let (_, a) = run(&csv);
    assert!(
        a.segments.iter().all(|s| s.size > 0),
        "no segment is empty: {:?}",
        a.segments.iter().map(|s| s.size).collect::<Vec<_>>()
    );
    let alike: Vec<Option<u32>> = (0..1200)
        .filter(|i| i % 5 < 3)
        .map(|i| a.segment_of[i])
        .collect();
    assert!(
        alike.iter().all(|s| s.is_some() && *s == alike[0]),
        "the 720 alike share one segment"
    );
}

/// Issue 18: a column of counts sits on a lattice. Each value's stack of identical people was
/// infinitely dense to density clustering, and smoothing along a neighbour graph whose ties
/// are broken arbitrarily scattered each stack into fragments: 3,000 customers whose orders
/// are spread evenly over 0–16 came out as 44 segments, people with the same orders in
/// different ones.
#[test]
fn counts_spread_evenly_are_one_segment_and_alike_people_share_it() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    let mut csv = String::from("Orders\n");
    for _ in 0..3000 {
        csv.push_str(&format!("{}\n", rng.gen_range(0..=16)));
    }
    let (_, a) = run(&csv);
    assert_eq!(a.segments.len(), 1, "evenly spread counts form no groups");
}

/// Issue 18: people whose rows are the same in every column that forms segments are never
/// in two different segments (a skewed count beside a plan: 3,000 customers, 33 distinct
/// rows; before, 22 of those rows were split between segments).
#[test]
fn people_alike_in_every_column_are_never_in_two_segments() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    let mut csv = String::from("Orders,Plan\n");
    let mut rows = Vec::new();
    for _ in 0..3000 {
        // A skewed count: the least of three draws from 0–12.
        let orders = (0..3).map(|_| rng.gen_range(0..=12)).min().unwrap_or(0);
        let plan = ["basic", "basic", "plus", "pro"][rng.gen_range(0..4)];
        csv.push_str(&format!("{orders},{plan}\n"));
        rows.push((orders, plan));
    }
    let (_, a) = run(&csv);
    let mut segment_of_row = std::collections::HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        if let Some(s) = a.segment_of[i] {
            let first = *segment_of_row.entry(*row).or_insert(s);
            assert_eq!(first, s, "row {row:?} is in two segments");
        }
    }
}

/// A count drawn as orders are: Poisson with the given mean (Knuth's method).
fn poisson(rng: &mut Xoshiro256PlusPlus, mean: f64) -> u32 {
    let limit = (-mean).exp();
    let (mut k, mut p) = (0, rng.r#gen::<f64>());
    while p > limit {
        k += 1;
        p *= rng.r#gen::<f64>();
    }
    k
}

/// Issue 18: of customers whose orders, visits and satisfaction were drawn independently,
/// almost none is unlike everyone. On such a lattice the distance to
/// one's fifteenth neighbour comes in whole steps of an answer, and a segment's usual one
/// (its 90th percentile) was below the coarsest step: whoever sat in a thinner cell next to
/// the segment was too far to join it; and sixteen or more alike are each other's whole
/// neighbourhood, so no label reached them. Draws like these left 6 to 62 of 3,000 as lone
/// outliers (`python3` draws of the same shape; BENCHMARKS.md). And they are one group:
/// density cut blocks out of the lattice (many visits and a high rating) that held no more
/// people than the columns' own shares predict, and the fourth draw came out as 2 segments.
#[test]
fn counts_and_a_rating_drawn_independently_leave_almost_no_one_alone() {
    for seed in [1, 2, 3, 4] {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut csv = String::from("Orders,Visits,Satisfaction\n");
        for _ in 0..3000 {
            let orders = poisson(&mut rng, 3.0);
            let visits = poisson(&mut rng, 8.0);
            let satisfaction = rng.gen_range(1..=5);
            csv.push_str(&format!("{orders},{visits},{satisfaction}\n"));
        }
        let (_, a) = run(&csv);
        let alone = a.segment_of.iter().filter(|s| s.is_none()).count();
        eprintln!(
            "draw {seed}: {} segments, {alone} lone outliers",
            a.segments.len()
        );
        assert!(alone <= 15, "draw {seed}: {alone} lone outliers of 3,000");
        assert_eq!(a.segments.len(), 1, "draw {seed}");
    }
}

/// Issue 18: orders spread as orders are (Poisson, mean 3) stack up on whole numbers, and
/// density took every stack for a group: 3,000 customers' orders alone came out as 9
/// segments, the same orders beside a plan of three as 24, one per cell. A count with one
/// mode is one group; the plans are three.
#[test]
fn orders_spread_as_orders_are_one_group_and_a_plan_tells_three_apart() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
    let (mut alone, mut beside) = (String::from("Orders\n"), String::from("Orders,Plan\n"));
    let mut plans = Vec::new();
    for _ in 0..3000 {
        let orders = poisson(&mut rng, 3.0);
        let plan = match rng.gen_range(0..10) {
            0..=4 => "basic",
            5..=7 => "plus",
            _ => "pro",
        };
        alone.push_str(&format!("{orders}\n"));
        beside.push_str(&format!("{orders},{plan}\n"));
        plans.push(plan);
    }
    let (_, a) = run(&alone);
    assert_eq!(a.segments.len(), 1, "one column of orders with one mode");
    let (_, a) = run(&beside);
    assert_eq!(a.segments.len(), 3, "one segment per plan");
    for s in 0..3u32 {
        let members: Vec<&str> = (0..plans.len())
            .filter(|&i| a.segment_of[i] == Some(s))
            .map(|i| plans[i])
            .collect();
        let first = members.first().copied();
        assert!(members.len() > 500, "segment {s}: {} people", members.len());
        assert!(
            members.iter().all(|p| Some(*p) == first),
            "segment {s} mixes plans"
        );
    }
}

/// Issue 18: orders with a long tail beside a plan of three. Forty heavy buyers (Poisson 25
/// among Poisson 3) make the orders heavy-tailed, so they are scaled by their logarithm,
/// where 0, 1 and 2 orders lie far apart and 10, 11 and 12 close together; the histogram
/// that tells a count's stacks from its groups took those gaps for dips, and the file came
/// out as 25 segments, one per plan and number of orders (`python3` draws of the same shape:
/// BENCHMARKS.md). The plans are three groups; the heavy buyers, about thirteen per plan,
/// may stay in them or stand apart (not always with their own plan). Three draws.
#[test]
fn orders_with_a_long_tail_beside_a_plan_are_the_plans_not_the_cells() {
    for seed in [1, 2, 3] {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut csv = String::from("Orders,Plan\n");
        let mut plans = Vec::new();
        for i in 0..3000 {
            let orders = poisson(&mut rng, if i < 40 { 25.0 } else { 3.0 });
            let plan = ["basic", "plus", "pro"][rng.gen_range(0..3)];
            csv.push_str(&format!("{orders},{plan}\n"));
            plans.push(plan);
        }
        let (_, a) = run(&csv);
        let sizes: Vec<usize> = a.segments.iter().map(|s| s.size).collect();
        assert!(a.segments.len() <= 5, "draw {seed}: {sizes:?}");
        let mass: Vec<u32> = (0..a.segments.len() as u32)
            .filter(|&s| a.segment_of.iter().filter(|&&o| o == Some(s)).count() > 500)
            .collect();
        assert_eq!(mass.len(), 3, "draw {seed}: {sizes:?}");
        for &s in &mass {
            // Ordinary customers, all but a few of one plan: a heavy buyer, and a customer
            // with many orders whose neighbours are heavy buyers, can land in another plan's
            // segment (11 of 1,021 in the third draw; not mended).
            let members: Vec<usize> = (40..3000).filter(|&i| a.segment_of[i] == Some(s)).collect();
            let other = members
                .iter()
                .filter(|&&i| plans[i] != plans[members[0]])
                .count();
            assert!(
                other * 50 <= members.len(),
                "draw {seed}: segment {s}: {other} of {} of another plan",
                members.len()
            );
        }
    }
}

/// A segment is told apart from everyone else; the only segment has no one else but its
/// lone outliers, picked for being unlike it. Five independent counts and ratings with ten
/// customers who returned a dozen orders: the one segment of 99.7 % was named "returns:
/// none" against those ten, though 40 % of its own people returned something.
#[test]
fn the_only_segment_is_not_told_apart_from_its_lone_outliers() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(4);
    let mut csv = String::from("Orders,Returns,Satisfaction\n");
    for i in 0..3000 {
        let returns = if i < 10 { 12 } else { poisson(&mut rng, 0.5) };
        let orders = poisson(&mut rng, 3.0) + returns;
        let satisfaction = rng.gen_range(1..=5);
        csv.push_str(&format!("{orders},{returns},{satisfaction}\n"));
    }
    let (_, a) = run(&csv);
    assert_eq!(a.segments.len(), 1);
    let alone = a.segment_of.iter().filter(|s| s.is_none()).count();
    assert!(alone >= 10, "{alone} lone outliers");
    let only = &a.segments[0];
    assert!(only.differences.is_empty(), "{:?}", only.differences);
    assert!(!only.name.contains("none"), "{}", only.name);
}

/// Issue 18: two answers that have nothing to do with each other are one group, however the
/// people fall into the cells of their table. The latent classes took the cells for classes:
/// each class sat on one cell, used one level of each answer and so paid for no parameters,
/// and no single merge paid for itself, so a plan and a channel drawn independently came out
/// as 12 segments, one per cell. Three draws.
#[test]
fn two_independent_answers_are_one_group_not_the_cells_of_their_table() {
    let plans = ["basic", "pro", "team"];
    let channels = ["web", "app", "store", "phone"];
    for seed in [6, 7, 8] {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut csv = String::from("Plan,Channel\n");
        for _ in 0..3000 {
            let plan = plans[rng.gen_range(0..plans.len())];
            let channel = channels[rng.gen_range(0..channels.len())];
            csv.push_str(&format!("{plan},{channel}\n"));
        }
        let (_, a) = run(&csv);
        assert_eq!(a.segments.len(), 1, "draw {seed}");
    }
}

/// Issue 18: a lone column of amounts in two modes (customers who spend about $40 and about
/// $115, to the cent) is two segments, and two customers who spent the same are two people,
/// not one row repeated: with one column, every row was its own key, so hundreds of 3,000
/// were counted as copies of an earlier one. Density splits the modes into fragments, which
/// the histogram's lack of a dip between them folds back together.
#[test]
fn amounts_in_two_modes_are_two_segments_and_equal_amounts_two_people() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    let mut csv = String::from("Spend\n");
    let mut high = Vec::new();
    for _ in 0..3000 {
        let normal: f64 = (0..12).map(|_| rng.r#gen::<f64>()).sum::<f64>() - 6.0;
        let is_high = rng.gen_range(0..10) < 7;
        let spend = if is_high {
            115.0 + 8.0 * normal
        } else {
            40.0 + 5.0 * normal
        };
        csv.push_str(&format!("{spend:.2}\n"));
        high.push(is_high);
    }
    let (d, a) = run(&csv);
    assert_eq!(
        d.copies.len(),
        0,
        "customers who spent alike taken for copies"
    );
    assert_eq!(a.segments.len(), 2, "two modes");
    for s in 0..2u32 {
        let members: Vec<bool> = (0..high.len())
            .filter(|&i| a.segment_of[i] == Some(s))
            .map(|i| high[i])
            .collect();
        let share = members.iter().filter(|&&h| h).count() as f64 / members.len() as f64;
        assert!(members.len() > 700, "segment {s}: {} people", members.len());
        assert!(
            !(0.01..=0.99).contains(&share),
            "segment {s} mixes the modes ({share})"
        );
    }
    assert!(a.outliers.len() < 150, "{} lone outliers", a.outliers.len());
}

/// A generated export's files read and joined, as `edgewise segment` does it.
fn export_dataset(export: &synth::Export, settings: &Settings) -> Dataset {
    let parsed = export
        .files
        .iter()
        .map(|(name, csv)| {
            read_bytes(name, csv.as_bytes(), &IngestParams::default()).expect("read")
        })
        .collect();
    analysis::combine(parsed, settings)
}

/// A domain's export, read and joined as `edgewise segment` does it, and analysed with the
/// defaults.
fn analyse_export(export: &synth::Export) -> Analysis {
    analyse_export_with(export, &Settings::default())
}

/// A domain's export, read and joined as `edgewise segment` does it, and analysed with
/// `settings`.
fn analyse_export_with(export: &synth::Export, settings: &Settings) -> Analysis {
    let d = export_dataset(export, settings);
    analysis::analyse(&d, settings, meaning::builtin(), &mut |_, _| {}).expect("analysis")
}

/// Evaluates a generated export of `domain` analysed with default settings: each planted
/// group's best F1, by name.
fn planted_f1(domain: synth::Domain, rows: usize, seed: u64) -> Vec<(String, f64)> {
    let export = domain.export(rows, seed, synth::Wordings::Varied);
    let a = analyse_export(&export);
    assert!(a.segments.len() <= 12, "{} segments", a.segments.len());
    synth::evaluate(&export.truth, &a.segment_of, &a.edge_score)
        .groups
        .iter()
        .map(|(p, _, f1, _)| (domain.planted_name(*p), *f1))
        .collect()
}

/// Issue 17: groups that differ only in what they say — a job in many wordings and one need
/// rated important and badly met — while ordering like a mass group are segments of their
/// own (latent classes within segments; F1 0.06 before), in two domains, and every other
/// planted group stays.
#[test]
fn groups_that_differ_only_in_what_they_say_are_segments() {
    for (domain, seed) in [(synth::Domain::GrocerSayOnly, 1), (synth::Domain::Saas, 7)] {
        for (name, f1) in planted_f1(domain, 5000, seed) {
            eprintln!("{name:<50} F1 {f1:.3}");
            assert!(
                f1 >= 0.85,
                "{} seed {seed}, {name}: F1 {f1:.3}",
                domain.name()
            );
        }
    }
}

/// Issue 18: at 5,000 rows seed 2 density found 35 of the grocer's 50 people shopping for an
/// elderly relative and left 15 in the family shop, where latent classes found them as a
/// class too small to be a segment, which was folded back (F1 0.824). The rest of a smaller
/// segment joins it, whatever its size.
#[test]
fn the_rest_of_a_small_group_left_in_the_mass_joins_it() {
    for (name, f1) in planted_f1(synth::Domain::Grocer, 5000, 2) {
        eprintln!("{name:<50} F1 {f1:.3}");
        assert!(f1 >= 0.9, "{name}: F1 {f1:.3}");
    }
}

/// Issue 18: at 20,000 rows density found the sampled people shopping for an elderly relative
/// who order by phone; those who order on the web (a quarter) sat in the family shop's
/// segment, too few for a latent class of their own (F1 0.854 at seed 7), or in the class of
/// the parents of a newborn (grocer-say seed 4: 0.841). Placed by the Bayes rule among their
/// class and the smaller segments, they are the rest of the elderly relatives' and join it.
#[test]
fn the_rest_of_a_small_group_within_a_latent_class_joins_it() {
    for (domain, seed) in [
        (synth::Domain::Grocer, 7),
        (synth::Domain::GrocerSayOnly, 4),
    ] {
        for (name, f1) in planted_f1(domain, 20000, seed) {
            eprintln!("seed {seed} {name:<50} F1 {f1:.3}");
            assert!(f1 >= 0.9, "{domain:?} seed {seed}, {name}: F1 {f1:.3}");
        }
    }
}

/// Issue 18: at 100,000 rows the sampled people shopping for an elderly relative were too few
/// for density; the 747 who order by phone formed a segment among everyone (a micro-segment),
/// and the 253 who order on the web stayed in the family shop's segment (F1 0.855 at seed 7;
/// 0.859 at seed 1). Placed by the Bayes rule among the mass segment and the smaller ones,
/// they join it.
#[test]
fn the_rest_of_a_small_group_found_among_everyone_joins_it() {
    for (name, f1) in planted_f1(synth::Domain::Grocer, 100_000, 7) {
        eprintln!("{name:<50} F1 {f1:.3}");
        assert!(f1 >= 0.95, "{name}: F1 {f1:.3}");
    }
}

/// Issue 18: where two mass groups meet, members of one that answer like the other are not a
/// small group's rest. Moved as one (four SaaS agencies that left the survey blank and behave
/// like in-house teams, 100,000 rows, seed 7), they took 298 agencies along the neighbour graph
/// into the in-house segment and 253 of them into the schools' (say-only F1 0.876).
#[test]
fn where_two_mass_groups_meet_no_one_is_moved_as_a_rest() {
    for (name, f1) in planted_f1(synth::Domain::Saas, 100_000, 7) {
        eprintln!("{name:<50} F1 {f1:.3}");
        assert!(f1 >= 0.95, "{name}: F1 {f1:.3}");
    }
}

/// Issue 17: read by what they say alone (`--balance 1`), the SaaS customers who never took
/// the survey (a third) have nothing that counts. Their survey features came from the
/// respondents most like them weighed by the slider, which weighed their CRM columns at
/// nothing, so they all got the average answers; and the latent classes put every one of
/// them in the largest class. Now both read what they do: mass F1 0.766 -> 0.996, lowest
/// edge F1 0.049 -> 0.832 at 5,000 rows. People left between segments whose answers a segment
/// explains are placed by them too (`cluster::place_the_unplaced`): ten of the schools
/// tracking coursework were in no segment or with the consultants (F1 0.776), and seventeen
/// people were in no segment, edge scores from 0.13; now only people unlike everyone are.
#[test]
fn read_by_what_they_say_alone_those_who_never_answered_are_placed_by_what_they_do() {
    let mut settings = Settings::default();
    settings.features.balance = 1.0;
    let domain = synth::Domain::Saas;
    let export = domain.export(5000, 7, synth::Wordings::Varied);
    let a = analyse_export_with(&export, &settings);
    assert!(a.segments.len() <= 12, "{} segments", a.segments.len());
    for (p, _, f1, _) in synth::evaluate(&export.truth, &a.segment_of, &a.edge_score).groups {
        let name = domain.planted_name(p);
        eprintln!("{name:<50} F1 {f1:.3}");
        let bar = if name.starts_with("mass") { 0.95 } else { 0.9 };
        assert!(f1 >= bar, "{name}: F1 {f1:.3}");
    }
    for i in (0..a.n_people).filter(|&i| a.segment_of[i].is_none()) {
        assert!(
            a.edge_score[i] >= 0.5,
            "row {i} in no segment with edge score {}: {}",
            a.edge_score[i],
            &a.reason[i]
        );
    }
    // The page says how many are placed that way, and by what.
    assert!(
        a.warnings
            .iter()
            .any(|w| w.contains("from what people say only")
                && w.contains("(34.2 %)")
                && w.contains("placed by what they do")),
        "{:?}",
        a.warnings
    );
}

/// Issue 17: read by what they say alone (`--balance 1`), jobs that rate one need alike are
/// told apart by what their answers mean. The grocer's night-shift workers and elderly
/// relatives' shoppers both rate delivery timing important and badly met; every split of
/// their shared latent class that mismatches seeded cut it by ratings, so they stayed one
/// segment (F1 0.617 each in the say-only export; the grocer's lowest 0.436). A split is
/// also started from each topic's place in meaning space (`latent::meaning_halves`).
#[test]
fn read_by_what_they_say_alone_jobs_that_share_a_need_are_told_apart_by_meaning() {
    let mut settings = Settings::default();
    settings.features.balance = 1.0;
    for domain in [synth::Domain::Grocer, synth::Domain::GrocerSayOnly] {
        let export = domain.export(5000, 7, synth::Wordings::Varied);
        let a = analyse_export_with(&export, &settings);
        assert!(a.segments.len() <= 12, "{} segments", a.segments.len());
        for (p, _, f1, _) in synth::evaluate(&export.truth, &a.segment_of, &a.edge_score).groups {
            let name = domain.planted_name(p);
            eprintln!("{} {name:<50} F1 {f1:.3}", domain.name());
            let bar = if name.starts_with("mass") {
                0.95
            } else if domain == synth::Domain::Grocer
                || name.contains("night-shift")
                || name.contains("elderly")
            {
                0.9
            } else {
                0.8
            };
            assert!(f1 >= bar, "{} {name}: F1 {f1:.3}", domain.name());
        }
    }
}

/// Issue 17: read by what they say alone, a class that pools two small groups is split only
/// when the split predicts members it was not fitted on. With two folds the halves of the
/// grocer's night-shift workers and elderly relatives' shoppers (one class of 117 at 5,000
/// rows seed 2) were fitted on 58 people and failed on the rest (F1 0.599 each), as did the
/// say-only export's at seed 1 (0.616); fitted on four fifths (five folds), every planted
/// group stands.
#[test]
fn read_by_what_they_say_alone_a_pooled_class_splits_when_its_halves_replicate() {
    let mut settings = Settings::default();
    settings.features.balance = 1.0;
    for (domain, seed) in [
        (synth::Domain::Grocer, 2),
        (synth::Domain::GrocerSayOnly, 1),
    ] {
        let export = domain.export(5000, seed, synth::Wordings::Varied);
        let a = analyse_export_with(&export, &settings);
        assert!(a.segments.len() <= 12, "{} segments", a.segments.len());
        for (p, _, f1, _) in synth::evaluate(&export.truth, &a.segment_of, &a.edge_score).groups {
            let name = domain.planted_name(p);
            eprintln!("{} seed {seed} {name:<50} F1 {f1:.3}", domain.name());
            let bar = if name.starts_with("mass") { 0.95 } else { 0.85 };
            assert!(
                f1 >= bar,
                "{} seed {seed} {name}: F1 {f1:.3}",
                domain.name()
            );
        }
    }
}

/// Issue 17: read by what they say alone, a segment smaller than the mass middle keeps its
/// latent classes to ones that may stand as segments. At 20,000 rows seed 2 density put the
/// athletes, coeliac households and zero-waste shoppers of the sample in one segment of 182;
/// births grew it from six classes to eleven, most smaller than a segment, and when those
/// were folded away athletes and coeliac households were one class (F1 0.687 and 0.628).
#[test]
fn read_by_what_they_say_alone_a_small_segment_keeps_to_classes_that_may_stand() {
    let mut settings = Settings::default();
    settings.features.balance = 1.0;
    let domain = synth::Domain::GrocerSayOnly;
    let export = domain.export(20_000, 2, synth::Wordings::Varied);
    let a = analyse_export_with(&export, &settings);
    assert!(a.segments.len() <= 12, "{} segments", a.segments.len());
    for (p, _, f1, _) in synth::evaluate(&export.truth, &a.segment_of, &a.edge_score).groups {
        let name = domain.planted_name(p);
        eprintln!("{name:<50} F1 {f1:.3}");
        let bar = if name.starts_with("mass") { 0.95 } else { 0.85 };
        assert!(f1 >= bar, "{name}: F1 {f1:.3}");
    }
}

/// Issue 17: read by what they say alone, the latent classes split as long as a split pays.
/// The say-only export at 5,000 rows seed 2 has 11 planted groups; after the merges the fit
/// held 6 classes, and four rounds of splitting stopped one short of parting the night-shift
/// workers from the elderly relatives' shoppers (10 segments, the elderly F1 0.510). Then 11
/// segments, but 13 elderly relatives' shoppers of one wording sat with the new parents
/// (F1 0.787), and at seed 7, 20 mass shoppers with the party hosts (0.829): placement now
/// reads a member's wording as if they were not in their segment, and moves the people of one
/// wording together (`latent::wording_moves`).
#[test]
fn read_by_what_they_say_alone_splitting_goes_on_while_it_pays() {
    let mut settings = Settings::default();
    settings.features.balance = 1.0;
    let domain = synth::Domain::GrocerSayOnly;
    for seed in [2, 7] {
        let export = domain.export(5000, seed, synth::Wordings::Varied);
        let a = analyse_export_with(&export, &settings);
        assert_eq!(
            a.segments.len(),
            11,
            "seed {seed}: one segment per planted group"
        );
        for (p, _, f1, _) in synth::evaluate(&export.truth, &a.segment_of, &a.edge_score).groups {
            let name = domain.planted_name(p);
            eprintln!("seed {seed} {name:<50} F1 {f1:.3}");
            let bar = if name.starts_with("mass") { 0.95 } else { 0.85 };
            assert!(f1 >= bar, "seed {seed} {name}: F1 {f1:.3}");
        }
    }
}

/// Issue 17: read by what they say alone, everyone is placed by their answers in the segment
/// whose answer shares explain theirs best, and placed again with the shares refitted until
/// no one moves. One round left part of each small group where spreading put them, with the
/// shares of segments that still held them (the say-only export at 20,000 rows seed 7: lowest
/// F1 0.686, the say-only groups 0.801).
#[test]
fn read_by_what_they_say_alone_everyone_is_placed_until_no_one_moves() {
    let mut settings = Settings::default();
    settings.features.balance = 1.0;
    let domain = synth::Domain::GrocerSayOnly;
    let export = domain.export(20_000, 7, synth::Wordings::Varied);
    let a = analyse_export_with(&export, &settings);
    assert!(a.segments.len() <= 12, "{} segments", a.segments.len());
    for (p, _, f1, _) in synth::evaluate(&export.truth, &a.segment_of, &a.edge_score).groups {
        let name = domain.planted_name(p);
        eprintln!("{name:<50} F1 {f1:.3}");
        let bar = if name.starts_with("mass") { 0.95 } else { 0.9 };
        assert!(f1 >= bar, "{name}: F1 {f1:.3}");
    }
}

/// Issue 18: in the grocer's say-only export at 5,000 rows seed 2 density cut the occasional
/// top-up shoppers (825) in two by one yes/no answer, eco packaging: the two leaves' densest
/// cores (168 and 55 people) also seemed to differ in two ratings, three respects, so they
/// were kept apart (mass F1 0.881, 12 segments). Judged again on their whole regions (171 and
/// 649 people) they differ in that answer only, and are one segment.
#[test]
fn a_mass_group_split_by_one_yes_no_answer_is_one_segment() {
    for (name, f1) in planted_f1(synth::Domain::GrocerSayOnly, 5000, 2) {
        eprintln!("{name:<50} F1 {f1:.3}");
        let bar = if name.starts_with("mass") { 0.95 } else { 0.85 };
        assert!(f1 >= bar, "{name}: F1 {f1:.3}");
    }
}

/// Issue 18: a survey of choices only — where density sees a lattice of answer combinations
/// (3 segments, mass F1 0.36, edge groups 0.02 before) — gives its three mass groups and
/// four 1–1.5 % groups. At seed 7 density found part of one edge group and latent classes
/// the rest in a mass segment: two segments for one group (lowest F1 0.733) until a class
/// that is the rest of a segment joins it.
#[test]
fn a_survey_of_choices_only_gives_its_groups() {
    for (seed, bar) in [(2, 0.85), (7, 0.84)] {
        for (name, f1) in planted_f1(synth::Domain::Survey, 5000, seed) {
            eprintln!("seed {seed} {name:<50} F1 {f1:.3}");
            assert!(f1 >= bar, "seed {seed}, {name}: F1 {f1:.3}");
        }
    }
}

/// Issue 18: at 20,000 rows the sample's segments are spread along neighbours, which left
/// some of a small group's people in the mass around them (digital nomads F1 0.827 at seed 1);
/// placed by their answers, every planted group holds together.
#[test]
fn a_large_survey_of_choices_places_everyone_by_their_answers() {
    for (name, f1) in planted_f1(synth::Domain::Survey, 20_000, 1) {
        eprintln!("{name:<50} F1 {f1:.3}");
        assert!(f1 >= 0.9, "{name}: F1 {f1:.3}");
    }
}

/// Issue 17: a segment is named by its most representative phrase — a clause its members
/// wrote ("Send essentials to an older relative after her operation"), not one word
/// ("older") — and no two segments share a name.
#[test]
fn segments_are_named_by_a_phrase_their_members_wrote() {
    let g = synth::generate_grocer(3000, 1, synth::Wordings::Varied, true);
    let (d, a) = run(&g.to_csv());
    assert!(a.segments.len() >= 6, "{} segments", a.segments.len());
    let mut names = std::collections::BTreeSet::new();
    for (s, seg) in a.segments.iter().enumerate() {
        assert!(
            names.insert(seg.name.clone()),
            "two segments named “{}”",
            seg.name
        );
        // A name an earlier segment took is followed by " · " and a difference.
        let phrase = seg.name.split(" · ").next().unwrap_or_default();
        let words = phrase.split_whitespace().count();
        assert!(words >= 3, "{}: “{}” is not a phrase", seg.id, seg.name);
        let name = phrase.to_lowercase();
        let written = (0..d.table.n_rows())
            .filter(|&i| a.segment_of[i] == Some(s as u32))
            .any(|i| {
                d.table
                    .columns()
                    .iter()
                    .any(|c| c.get(i).to_lowercase().contains(&name))
            });
        assert!(written, "{}: no member wrote “{}”", seg.id, seg.name);
        // Their own words, so shown in quotation marks.
        assert!(
            seg.quoted,
            "{}: “{}” is not marked as their words",
            seg.id, seg.name
        );
        assert!(seg.title().starts_with('“'), "{}", seg.title());
    }
    // A name the user gives is theirs, not the members' words.
    let first = &a.segments[0];
    let labels = [edgewise::engine::export::SegmentLabel {
        id: first.id.clone(),
        found: first.name.clone(),
        name: "Office managers".into(),
        note: String::new(),
    }];
    let view = ResultView::of(&a).with_labels(&labels);
    assert_eq!(view.segments[0].title(), "Office managers");
    assert!(
        view.segments[1].quoted,
        "the others keep their quotation marks"
    );
}

/// A segment named by what its people do or chose ("market_segment: corporate") is not shown
/// in quotation marks: nobody said it.
#[test]
fn a_name_nobody_wrote_is_not_quoted() {
    let export = synth::Domain::Survey.export(3000, 2, synth::Wordings::Varied);
    let a = analyse_export(&export);
    assert!(a.segments.len() >= 3, "{} segments", a.segments.len());
    for seg in &a.segments {
        assert!(
            !seg.quoted,
            "{}: “{}” is marked as their words",
            seg.id, seg.name
        );
        assert_eq!(seg.title(), seg.name);
    }
}

/// Read by what people say alone (balance 1), density left 84 % of the grocer's say-only file
/// as lone outliers among 11 shards of the mass groups: when density leaves most people in
/// no segment, latent classes are fitted on everyone instead, and the page shows segments.
/// Those classes once split the mass groups by rating levels (say weighted 2, lowest mass F1
/// 0.57 at seed 7) and pooled the small groups (say-only F1 0.46); now the mass groups stay
/// whole and the two groups that differ only in what they say are found (at seed 7, mass
/// 0.989 and say-only 0.958 and 0.944 when written; at seed 1 the athletes still share a
/// class with the coeliac households, 0.711, as BENCHMARKS.md says).
#[test]
fn when_density_finds_shards_latent_classes_segment_everyone() {
    let g = synth::generate_grocer(5000, 7, synth::Wordings::Varied, true);
    let d = dataset(&g.to_csv());
    let mut settings = Settings::default();
    settings.features.balance = 1.0;
    let a = analysis::analyse(&d, &settings, meaning::builtin(), &mut |_, _| {}).expect("analysis");
    let lone = a.segment_of.iter().filter(|s| s.is_none()).count();
    assert!(lone < 100, "{lone} of 5,000 are lone outliers");
    assert!(
        (4..=12).contains(&a.segments.len()),
        "{} segments",
        a.segments.len()
    );
    let scores = synth::evaluate(&g.truth, &a.segment_of, &a.edge_score);
    let mass = scores
        .groups
        .iter()
        .filter(|(p, ..)| matches!(p, synth::Planted::Mass(_)))
        .map(|(_, _, f1, _)| *f1)
        .fold(1.0, f64::min);
    assert!(mass >= 0.95, "lowest mass F1 {mass:.3}");
    let say_only = scores
        .groups
        .iter()
        .filter(|(p, ..)| matches!(p, synth::Planted::Edge(e) if *e >= 6))
        .map(|(_, _, f1, _)| *f1)
        .collect::<Vec<_>>();
    assert_eq!(say_only.len(), 2, "two say-only groups planted");
    assert!(
        say_only.iter().all(|&f1| f1 >= 0.9),
        "say-only F1 {say_only:?}"
    );
}

/// A lone outlier is headed "Unlike everyone" only when they are far from everyone (edge
/// score 0.5 and up, five standard deviations); the others in no segment are headed "In no
/// segment", and one whose every answer is ordinary is not called "far from everyone".
/// Checked on the example files the page ships, on a survey of choices (2,000 rows, seed 3,
/// which had a lone outlier scored 0.02 that was once headed "Unlike everyone"; people in no
/// segment whose answers a segment explains are now placed in it, and it has none left) and on
/// the grocer's say-only export (2,000 rows, seed 2).
#[test]
fn lone_outliers_are_called_unlike_everyone_only_when_far() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/example");
    let parsed = ["example-survey.csv", "example-crm.csv"]
        .iter()
        .map(|name| {
            let bytes = std::fs::read(dir.join(name)).expect("the example file");
            read_bytes(name, &bytes, &IngestParams::default()).expect("read")
        })
        .collect();
    let d = analysis::combine(parsed, &Settings::default());
    let example = analysis::analyse(&d, &Settings::default(), meaning::builtin(), &mut |_, _| {})
        .expect("analysis");
    let survey = analyse_export(&synth::Domain::Survey.export(2000, 3, synth::Wordings::Varied));
    let grocer =
        analyse_export(&synth::Domain::GrocerSayOnly.export(2000, 2, synth::Wordings::Varied));
    let mut near = 0;
    for a in [&example, &survey, &grocer] {
        for i in (0..a.n_people).filter(|&i| a.segment_of[i].is_none()) {
            let (score, reason) = (a.edge_score[i], &a.reason[i]);
            if score < 0.499 {
                near += 1;
                assert!(
                    reason.starts_with("In no segment"),
                    "row {i} ({score}): {reason}"
                );
            } else if score > 0.501 {
                assert!(
                    reason.starts_with("Unlike everyone"),
                    "row {i} ({score}): {reason}"
                );
            }
            if score < 0.005 {
                assert!(!reason.contains("far from"), "row {i} ({score}): {reason}");
            }
        }
    }
    assert!(
        near > 0,
        "the files have lone outliers who are not far from everyone"
    );
}

/// Issue 18: in a survey of choices only, people who answer at random have no single rare
/// answer but a combination no segment gives; the fit of their answers under the segments
/// ranks them (7 of 15 in the top 2× before, by their answers one at a time), and their
/// reason says so. The segments' answer shares are those of all their members: from firm
/// members alone, a small segment's members on its edge looked misfits too (seed 1: 11 of
/// 15). 14 of 15 is what the generator's own classes give.
#[test]
fn random_answerers_in_a_choices_survey_rank_at_the_top() {
    for seed in [1, 7] {
        let export = synth::Domain::Survey.export(5000, seed, synth::Wordings::Varied);
        let a = analyse_export(&export);
        let eval = synth::evaluate(&export.truth, &a.segment_of, &a.edge_score);
        assert!(
            eval.outliers_in_top >= 14,
            "seed {seed}: {} of {} planted outliers in the top 2×",
            eval.outliers_in_top,
            eval.outliers
        );
    }
    let export = synth::Domain::Survey.export(5000, 7, synth::Wordings::Varied);
    let a = analyse_export(&export);
    let top = (0..a.n_people)
        .max_by(|&x, &y| a.edge_score[x].total_cmp(&a.edge_score[y]))
        .expect("people");
    assert!(
        a.reason[top].contains("combination"),
        "top person's reason: {}",
        &a.reason[top]
    );
}

/// Issue 18: the B2B file's one-value extremes (3,000 projects, 2,000 seats) are drawn by the
/// clustering space, which tempers extremes, into a few segments — 3 % of one segment's
/// people — and the members of its small edge segments (regulated firms of 5,000 employees)
/// all look extreme against the whole file. Judged among their segment, by its middle half
/// when small and by its 5th–95th percentiles when large, every extreme ranks in the top 2×
/// (52 of 60 before).
#[test]
fn extremes_drawn_into_one_segment_rank_at_the_top() {
    let export = synth::Domain::Saas.export(20_000, 7, synth::Wordings::Varied);
    let a = analyse_export(&export);
    let eval = synth::evaluate(&export.truth, &a.segment_of, &a.edge_score);
    assert!(eval.outliers >= 60, "{} planted outliers", eval.outliers);
    assert_eq!(
        eval.outliers_in_top, eval.outliers,
        "{} of {} planted outliers in the top 2×",
        eval.outliers_in_top, eval.outliers
    );
}

/// The say-and-do table names every group in words — a phrase its people wrote, a difference,
/// or "say what most people say" — never "say group 2" (which the grocer at 5,000 rows showed
/// in a note: "People in the say group “say group 2” do different things").
#[test]
fn say_and_do_groups_are_named_in_words() {
    let export = synth::Domain::GrocerSayOnly.export(5000, 7, synth::Wordings::Varied);
    let d = export_dataset(&export, &Settings::default());
    let a = analysis::analyse(&d, &Settings::default(), meaning::builtin(), &mut |_, _| {})
        .expect("analysis");
    let t = a.say_do.as_ref().expect("a say/do table");
    let numbered = |name: &str| {
        let name = name.trim_end_matches(|c: char| c.is_ascii_digit() || " ()".contains(c));
        name.ends_with("say group") || name.ends_with("do group")
    };
    for g in t.say.iter().chain(&t.r#do) {
        assert!(!g.name.is_empty() && !numbered(&g.name), "{}", g.name);
    }
    // A say group is named as a segment is, by a clause its people wrote ("say “Find the
    // best deals and offers to save money”", not the content words "say “deals offers”").
    let jobs = d
        .table
        .columns()
        .iter()
        .find(|c| c.name.starts_with("What are you trying to get done"))
        .expect("the job question");
    let mut clauses = 0;
    for (s, g) in t.say.iter().enumerate() {
        let Some(clause) = g
            .name
            .strip_prefix("say “")
            .and_then(|n| n.strip_suffix('”'))
        else {
            continue;
        };
        let clause = clause.to_lowercase();
        let written = t.cells[s]
            .iter()
            .flatten()
            .any(|&i| jobs.get(i as usize).to_lowercase().contains(&clause));
        if written && clause.split(' ').count() >= 4 {
            clauses += 1;
        }
    }
    assert!(
        clauses >= 1,
        "say groups named by their people's clauses: {:?}",
        t.say.iter().map(|g| &g.name).collect::<Vec<_>>()
    );
    assert!(
        !t.notes.is_empty(),
        "the grocer's say and do differ somewhere"
    );
    // Notes read as sentences: "People who say what most people say do different things",
    // not "People in the say group “say what most people say” do different things".
    for note in &t.notes {
        assert!(
            !note.contains("group “say ") && !note.contains("group “do "),
            "{note}"
        );
    }
}

/// The browser's worker runs some stability resamples and its helper the rest, from a job
/// that crossed between them as plain arrays; the stability must be what one core gives. At
/// balance 0.8 the variables' weights (1 and 0.24999999999999994) must cross bit for bit.
#[test]
fn resamples_give_the_same_stability_wherever_they_run() {
    use edgewise::engine::cluster::stability::{Resample, ResampleJob};
    let export = synth::Domain::GrocerSayOnly.export(3000, 2, synth::Wordings::Varied);
    for balance in [0.5, 0.8] {
        let mut settings = Settings::default();
        settings.features.balance = balance;
        let d = export_dataset(&export, &settings);
        let prepared =
            analysis::prepare(&d, &settings, meaning::builtin(), &mut |_, _| {}).expect("prepare");
        let one_core = prepared.segment_sample(&mut |_, _| {});
        let mut part = prepared.sample_segments(&mut |_, _| {});
        let mut jobs = prepared.resample_jobs(&part, 2);
        assert_eq!(jobs.len(), 2, "three resamples dealt over two jobs");
        let remote = jobs.pop().expect("a job for the helper");
        let (reals, whole, head) = remote.to_parts();
        let crossed = ResampleJob::from_parts(reals, &whole, &head).expect("the job reads back");
        assert_eq!(
            crossed, remote,
            "balance {balance}: the job crosses unchanged"
        );
        let answer = Resample::from_words(&Resample::to_words(&crossed.run(&mut |_| {})))
            .expect("the answer reads back");
        assert!(remote.answered_by(&answer));
        // The helper's answer arrives first: order must not matter.
        let mut resamples = answer.clone();
        resamples.extend(jobs[0].run(&mut |_| {}));
        prepared.settle(&mut part, resamples);
        assert!(one_core.stability().iter().all(Option::is_some));
        assert_eq!(part.stability(), one_core.stability(), "balance {balance}");
        // A truncated job is refused, not run; so is an answer with a label out of range.
        let (reals, whole, head) = remote.to_parts();
        assert!(ResampleJob::from_parts(reals, &whole[..whole.len() - 1], &head).is_err());
        let mut wrong = answer.clone();
        wrong[0].labels[0] = Some(u32::MAX as usize - 1);
        assert!(!remote.answered_by(&wrong));
        let mut words = Resample::to_words(&answer);
        words[1] = u32::MAX;
        assert!(Resample::from_words(&words).is_none());
    }
}

/// The browser's helper judges how badly everyone's answers fit the segments and clusters the
/// say/do table's two sides while the worker describes the segments, from jobs that crossed
/// between them as plain arrays; the analysis must be the one a single core makes.
#[test]
fn the_fit_and_the_say_do_table_are_the_same_wherever_they_are_found() {
    use edgewise::engine::edges::FitJob;
    use edgewise::engine::saydo::{Sides, SidesJob};
    let mut export = synth::Domain::GrocerSayOnly.export(3000, 2, synth::Wordings::Varied);
    // 200 customers exported twice: the copies follow their originals before the fit is
    // judged, wherever it is.
    let csv = &mut export.files[0].1;
    let again: String = csv
        .lines()
        .skip(1)
        .take(200)
        .map(|l| format!("{l}\n"))
        .collect();
    csv.push_str(&again);
    let settings = Settings::default();
    let d = export_dataset(&export, &settings);
    assert_eq!(d.copies.len(), 200, "the copies are known");
    let prepare =
        || analysis::prepare(&d, &settings, meaning::builtin(), &mut |_, _| {}).expect("prepare");
    let one_core = {
        let prepared = prepare();
        let clustering = prepared.segment(&mut |_, _| {});
        prepared.describe(clustering, &mut |_, _| {})
    };
    // The jobs as the browser's worker makes them (`Prepared::helper_jobs`).
    let mut prepared = prepare();
    let mut clustering = prepared.segment(&mut |_, _| {});
    let (fit_job, job) = prepared.helper_jobs(&mut clustering);
    let job = job.expect("both sides have features");
    let (runs, whole, head) = job.parts();
    let crossed = SidesJob::from_parts(runs.concat(), &whole, &head).expect("the job reads back");
    let words = crossed.run().to_words();
    let m = job.sample().len();
    let sides = Sides::from_words(&words, m).expect("the answer reads back");
    assert_eq!(sides, job.run(), "the job crosses unchanged");
    let (runs, head) = fit_job.parts();
    let fit_words: Vec<u32> = runs.concat();
    let crossed = FitJob::from_parts(&fit_words, &head).expect("the fit's job reads back");
    let fit = crossed.run();
    assert_eq!(fit, fit_job.run(), "the fit's job crosses unchanged");
    assert!(fit.iter().any(|&z| z > 2.0), "someone's answers fit poorly");
    assert!(FitJob::from_parts(&fit_words[1..], &head).is_err());
    let two = prepared
        .describe_segments(clustering, &mut |_, _| {})
        .finish(fit, Some((job.into_sample(), sides)), &mut |_, _| {});
    let table = two.say_do.as_ref().expect("a say/do table");
    assert!(table.say.len() >= 3 && table.r#do.len() >= 2, "{table:?}");
    assert_eq!(two.say_do, one_core.say_do);
    assert!(two == one_core, "the rest of the analysis is the same too");
    // A truncated job is refused, not run; so is an answer of the wrong length, or with a
    // group beyond its side's count.
    let prepared = prepare();
    let job = prepared.say_do_job().expect("both sides have features");
    let (runs, whole, head) = job.parts();
    let reals = runs.concat();
    assert!(SidesJob::from_parts(reals.clone(), &whole[1..], &head).is_err());
    assert!(SidesJob::from_parts(reals[1..].to_vec(), &whole, &head).is_err());
    assert!(Sides::from_words(&words[1..], m).is_none());
    let mut wrong = words.clone();
    wrong[2] = wrong[0];
    assert!(Sides::from_words(&wrong, m).is_none());
}

#[test]
fn rows_repeated_in_every_cell_are_named_with_the_row_they_repeat() {
    // A CRM export whose first 100 customers were exported twice.
    let csv = synth::generate(300, 7).to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    let twice = [&lines[..], &lines[1..101]].concat().join("\n");
    let d = dataset(&twice);
    assert_eq!(d.table.n_rows(), 400, "nothing is dropped");
    let repeated: Vec<_> = d
        .diagnostics
        .iter()
        .filter(|x| x.message.contains("repeats row"))
        .collect();
    assert_eq!(repeated.len(), 1, "{:?}", d.diagnostics);
    let r = repeated[0];
    assert_eq!(
        (r.file.as_str(), r.row, r.count),
        ("export.csv", Some(302), 100)
    );
    assert_eq!(r.example_rows, vec![302, 303, 304, 305, 306]);
    assert!(r.message.starts_with(
        "repeats an earlier row in every cell, “Customer ID” included (this one repeats row 2)"
    ));
    assert_eq!(d.repeated_rows, 100);
    // The results say so too, where the segments are read.
    let a = analysis::analyse(&d, &Settings::default(), meaning::builtin(), &mut |_, _| {})
        .expect("analysis");
    assert!(
        a.warnings.iter().any(
            |w| w.starts_with("100 rows repeat an earlier row in every cell")
                && w.contains("left out when segments were formed")
        ),
        "{:?}",
        a.warnings
    );
    // A survey of choices without a response id: people who answer alike are not repeats.
    let csv = synth::survey::generate(600, 3).to_csv();
    let without_ids: Vec<String> = csv
        .lines()
        .map(|l| l.splitn(3, ',').nth(2).unwrap_or("").to_string())
        .collect();
    let alike = [&without_ids[..], &without_ids[1..3]].concat().join("\n");
    let d = dataset(&alike);
    assert_eq!(d.table.n_rows(), 602);
    assert_eq!(d.repeated_rows, 0);
    assert!(d.copies.is_empty());
    assert!(
        !d.diagnostics
            .iter()
            .any(|x| x.message.contains("repeats row")),
        "{:?}",
        d.diagnostics
    );
}

#[test]
fn a_customer_exported_twice_is_one_person_when_segments_are_formed() {
    // The grocer's export (3,000 customers, seed 1), and the same with a third of its
    // customers exported again at the end. Counted twice, the copies formed three segments
    // more (12, not 9; `python3 bench/copies.py`) and split the party hosts (F1 0.762) and
    // the elderly relatives' shoppers (0.846); left out, the segments are the plain export's.
    let csv = synth::generate(3000, 1).to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    let again: Vec<&str> = lines[1..].iter().step_by(3).copied().collect();
    let twice = [&lines[..], &again[..]].concat().join("\n");
    let (_, once) = run(&csv);
    let (d, a) = run(&twice);
    assert_eq!(d.table.n_rows(), 4000, "nothing is dropped");
    assert_eq!(d.copies.len(), 1000);
    assert_eq!(d.copies[0], (3000, 0));
    assert_eq!(a.segments.len(), once.segments.len());
    // Each copy is where the row it repeats is, with the same edge score.
    for &(copy, original) in &d.copies {
        assert_eq!(a.segment_of[copy], a.segment_of[original], "row {copy}");
        assert_eq!(a.edge_score[copy], a.edge_score[original], "row {copy}");
    }
    // The customers themselves are segmented as they were without the copies: within each
    // segment of the plain export, nearly everyone shares one segment in the doubled one.
    let mut agree = 0;
    for s in 0..once.segments.len() as u32 {
        let members: Vec<usize> = (0..3000)
            .filter(|&i| once.segment_of[i] == Some(s))
            .collect();
        let mut count = std::collections::HashMap::new();
        for &i in &members {
            *count.entry(a.segment_of[i]).or_insert(0) += 1;
        }
        agree += count.values().max().copied().unwrap_or(0);
    }
    let segmented = (0..3000).filter(|&i| once.segment_of[i].is_some()).count();
    // The say/do table counts each customer once, and says so: no draw was made.
    let say_do = a.say_do.as_ref().expect("a say/do table");
    assert_eq!(say_do.sample, None);
    assert!(
        say_do
            .notes
            .iter()
            .any(|n| n.contains("counted once here: 3,000 of 4,000 rows")),
        "{:?}",
        say_do.notes
    );
    assert!(
        agree as f64 >= 0.99 * segmented as f64,
        "{agree} of {segmented} keep their segment"
    );
}

#[test]
fn a_customer_twice_in_one_joined_file_only_is_not_a_copy_of_the_joined_row() {
    // The CRM lists its first 100 customers twice; a second file scores every customer by
    // email, once (a) or with those 100 twice too (b). The join pairs the k-th row of a key
    // with the k-th: in (a) the second listing has no score, so it is not the same joined row.
    let crm = synth::generate(300, 7).to_csv();
    let lines: Vec<&str> = crm.lines().collect();
    let crm_twice = [&lines[..], &lines[1..101]].concat().join("\n");
    let d = dataset(&crm_twice);
    let email = d.table.column_index("Email").expect("an email column");
    let column = d.table.column(email).expect("the email column");
    let scores: Vec<String> = (0..300)
        .map(|i| format!("{},{}", column.get(i), (i * 7) % 11))
        .collect();
    let read = |name: &str, text: String| {
        read_bytes(name, text.as_bytes(), &IngestParams::default()).expect("read")
    };
    let join = |scores_text: String| {
        let d = analysis::combine(
            vec![
                read("crm.csv", crm_twice.clone()),
                read("scores.csv", scores_text),
            ],
            &Settings::default(),
        );
        let a = analysis::analyse(&d, &Settings::default(), meaning::builtin(), &mut |_, _| {})
            .expect("analysis");
        (d, a)
    };
    // The scores file, with its first `again` customers listed a second time at the end.
    let scores_file = |again: usize| {
        std::iter::once("Email,Score")
            .chain(scores.iter().map(String::as_str))
            .chain(scores[..again].iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (d, a) = join(scores_file(0));
    assert_eq!(d.joins.len(), 1, "joined on email");
    assert_eq!(
        (d.repeated_rows, d.copies.len(), d.repeats_apart),
        (100, 0, 100)
    );
    assert!(
        a.warnings.iter().any(|w| w.starts_with(
            "At least 100 rows repeat an earlier row of one file in every cell (the notes about reading the files say which), but not once the files are joined"
        )),
        "{:?}",
        a.warnings
    );
    let (d, a) = join(scores_file(100));
    assert_eq!(
        (d.repeated_rows, d.copies.len(), d.repeats_apart),
        (200, 100, 0)
    );
    assert!(
        a.warnings
            .iter()
            .any(|w| w.starts_with("100 rows repeat an earlier row in every cell")),
        "{:?}",
        a.warnings
    );
    assert!(!a.warnings.iter().any(|w| w.starts_with("At least")));
    for &(copy, original) in &d.copies {
        assert_eq!(a.segment_of[copy], a.segment_of[original]);
    }
    // (c) Half of those 100 twice in the scores too: 50 joined rows repeat, 50 do not.
    let (d, _) = join(scores_file(50));
    assert_eq!(
        (d.repeated_rows, d.copies.len(), d.repeats_apart),
        (150, 50, 50)
    );
}

/// Segments at the edges smaller than the say-and-do table's smallest group (2 % of the
/// people in it) are not its rows or columns, and the table says so: the grocer's edge
/// groups of 1 to 1.5 % are segments above, not groups of the table.
#[test]
fn the_say_and_do_table_says_which_segments_are_too_small_for_it() {
    let export = synth::Domain::GrocerSayOnly.export(5000, 7, synth::Wordings::Varied);
    let a = analyse_export(&export);
    let t = a.say_do.as_ref().expect("a say/do table");
    let people = t.sample.map_or(a.n_people, |(shown, _)| shown);
    let smallest = edgewise::engine::saydo::smallest_group(people);
    let smaller = a
        .segments
        .iter()
        .filter(|s| !s.mass && s.size * people < smallest * a.n_people)
        .count();
    assert!(
        smaller >= 5,
        "{smaller} segments under {smallest} of {people}"
    );
    let note = format!(
        "This table shows groups of at least 2 % of people; {smaller} segments at the edges are smaller, so they are not rows or columns of their own here."
    );
    assert!(t.notes.contains(&note), "{:?}", t.notes);
}

/// A shop's export of orders (400 customers, 20 of them wholesale buyers) and a survey of
/// 300 of them, listed in another order and case; with the number of orders.
fn shop_orders_and_survey() -> ([(&'static str, String); 2], usize) {
    // 400 customers, 20 of them wholesale buyers with 15–24 orders of 150–400, the rest
    // 1–6 orders of 20–120; 300 of them answered a survey (listed in another order).
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(4);
    let mut orders = vec!["Order ID,Email,Created at,Total,Channel".to_string()];
    let mut id = 90_000;
    for c in 0..400 {
        let wholesale = c % 20 == 0;
        let n = if wholesale {
            rng.gen_range(15..25)
        } else {
            rng.gen_range(1..7)
        };
        for _ in 0..n {
            id += 1;
            let total: f64 = if wholesale {
                rng.gen_range(150.0..400.0)
            } else {
                rng.gen_range(20.0..120.0)
            };
            let channel = if wholesale {
                "wholesale"
            } else if rng.gen_bool(0.5) {
                "web"
            } else {
                "app"
            };
            let day = rng.gen_range(1..29);
            orders.push(format!(
                "{id},c{c}@shop.example,2026-0{}-{day:02},{total:.2},{channel}",
                rng.gen_range(1..10)
            ));
        }
    }
    let mut survey = vec!["Email address,How satisfied are you with delivery? (1-5)".to_string()];
    for c in (0..300).rev() {
        survey.push(format!("C{c}@Shop.example,{}", 1 + c % 5));
    }
    let n_orders = orders.len() - 1;
    let files = [
        ("orders.csv", orders.join("\n")),
        ("survey.csv", survey.join("\n")),
    ];
    (files, n_orders)
}

fn combined(files: &[(&str, String)], settings: &Settings) -> Dataset {
    let parsed = files
        .iter()
        .map(|(name, text)| {
            read_bytes(name, text.as_bytes(), &IngestParams::default()).expect("read")
        })
        .collect();
    analysis::combine(parsed, settings)
}

#[test]
fn a_role_given_to_a_column_of_orders_reaches_what_it_became() {
    let (files, _) = shop_orders_and_survey();
    let mut settings = Settings::default();
    let roles = &mut settings.schema.roles;
    roles.insert("Total".into(), Role::Ignore);
    roles.insert("Channel".into(), Role::DescribeOnly);
    roles.insert("Total (average)".into(), Role::Behaviour);
    let d = combined(&files, &settings);
    let role = |name: &str| {
        d.schema
            .columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.role)
    };
    assert_eq!(role("Total (total)"), Some(Role::Ignore));
    assert_eq!(role("Channel (most often)"), Some(Role::DescribeOnly));
    assert_eq!(
        role("Total (average)"),
        Some(Role::Behaviour),
        "a role given to the new column itself wins"
    );
    assert_ne!(role("Orders"), Some(Role::Ignore));
}

#[test]
fn a_survey_joins_a_shops_export_of_orders_by_its_customers() {
    let (files, n_orders) = shop_orders_and_survey();
    let d = combined(&files, &Settings::default());
    assert_eq!(d.table.n_rows(), 400, "one row per customer");
    assert_eq!(d.joins.len(), 1, "the survey joined");
    assert_eq!(d.joins[0].n_matched, 300);
    assert_eq!(
        d.files[0].rows, n_orders,
        "the file's own rows are still said"
    );
    let a = analysis::analyse(&d, &Settings::default(), meaning::builtin(), &mut |_, _| {})
        .expect("analysis");
    assert_eq!(a.n_people, 400);
    assert!(
        a.warnings[0].starts_with("orders.csv: ")
            && a.warnings[0].contains(" rows of 400 customers, by “Email”"),
        "the results say the orders were read as customers: {:?}",
        a.warnings
    );
    // The wholesale buyers are one segment of their own.
    let wholesale: Vec<usize> = (0..400).filter(|c| c % 20 == 0).collect();
    let theirs = a.segment_of[wholesale[0]];
    assert!(theirs.is_some() && wholesale.iter().all(|&c| a.segment_of[c] == theirs));
    let size = a.segment_of.iter().filter(|&&s| s == theirs).count();
    assert_eq!(
        size,
        wholesale.len(),
        "{:?}",
        a.segments.iter().map(|s| &s.name).collect::<Vec<_>>()
    );
}

/// CDNOW's real log of orders: 68 customers whose orders all cost nothing gave one reason,
/// and filled the page's list of lone outliers twelve times over, above the customer of 200
/// orders. People who give the same reason are listed once, with how many they are.
#[test]
fn lone_outliers_who_give_one_reason_are_listed_once() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(12);
    let gauss = |rng: &mut Xoshiro256PlusPlus| edgewise::engine::linalg::gaussian(rng);
    let mut csv = String::from("Account,Orders,Spend,Average order,Visits,Plan\n");
    for i in 0..3000 {
        let free = i % 375 == 7;
        let spend = if free {
            0.0
        } else {
            500.0 + 80.0 * gauss(&mut rng)
        };
        let orders = if i == 1234 {
            900.0
        } else {
            20.0 + 4.0 * gauss(&mut rng)
        };
        csv.push_str(&format!(
            "A{i:05},{orders:.0},{spend:.2},{:.2},{:.1},{}\n",
            spend / orders.round().max(1.0),
            10.0 + 2.0 * gauss(&mut rng),
            ["basic", "plus", "pro"][i % 3],
        ));
    }
    let (_, a) = run(&csv);
    let view = ResultView::of(&a);
    let reasons: std::collections::HashSet<&str> =
        view.outliers.iter().map(|o| o.reason.as_str()).collect();
    assert_eq!(reasons.len(), view.outliers.len(), "each reason once");
    let everyone: u32 = view.outliers.iter().map(|o| o.alike).sum();
    assert_eq!(everyone as usize, view.n_outliers, "everyone counted once");
    // Eight accounts spent nothing; six of them are unusual in nothing else.
    let free: Vec<&_> = view
        .outliers
        .iter()
        .filter(|o| {
            o.reason.contains("Spend 0 ") && o.reason.ends_with("Average order 0 (median 25)")
        })
        .collect();
    assert_eq!(
        free.len(),
        1,
        "the accounts that spent nothing and no more, once"
    );
    assert!(free[0].alike >= 5, "{:?}", free[0]);
    let top: Vec<u32> = view.outliers.iter().take(6).map(|o| o.row).collect();
    assert!(
        top.contains(&1234),
        "the account of 900 orders among the first six entries: {top:?}"
    );
}

/// Smaller lists (3,000 members, 16 draws) with the date each joined, as Mailchimp writes
/// them: the few tagged after a bounce (3 %) joined over years, and density finds them in
/// pieces, each merged into the lapsed readers of its own years (they differ from them in
/// one respect, the tag); latent classes then find a class of them in each. The class in one
/// joined the other's segment of lapsed readers as "the rest of" it, and stayed there when
/// that segment was split into its classes: half the tagged were found. Each member of such
/// a class now joins the class of that segment they fit (`split_into_classes`). Not yet
/// mended: where the room for new segments goes to classes that are cells of answers (rating
/// × newsletter), whose worth is the tag's class's, the tagged stay with the lapsed readers.
#[test]
fn the_few_a_list_tagged_are_one_segment_whenever_they_joined() {
    /// "YYYY-MM-DD HH:MM:SS", `seconds` before 2026-11-30 00:00:00.
    fn stamp(seconds: i64) -> String {
        let t = 20_787 * 86_400 - seconds;
        let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
        format!(
            "{} {:02}:{:02}:{:02}",
            format_day(days as f64),
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
    assert_eq!(stamp(0), "2026-11-30 00:00:00");
    assert_eq!(stamp(86_400 * 365 + 1), "2025-11-29 23:59:59");
    let (mut whole, mut missed) = (0, Vec::new());
    for seed in 1u64..=16 {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut csv = String::from("MEMBER_RATING,OPTIN_TIME,CONFIRM_TIME,LAST_CHANGED,TAGS\n");
        let mut group = Vec::new();
        for _ in 0..3000 {
            let u = rng.gen_range(0..100);
            let news = ["", "\"Newsletter\""][rng.gen_range(0..2)];
            let (g, rating, opt, changed, tags) = match u {
                0..=44 => (
                    0,
                    [4, 4, 5][rng.gen_range(0..3)],
                    rng.gen_range(200..=1500),
                    rng.gen_range(0..=60),
                    news,
                ),
                45..=79 => (
                    1,
                    [1, 2, 2][rng.gen_range(0..3)],
                    rng.gen_range(300..=2000),
                    rng.gen_range(200..=900),
                    news,
                ),
                80..=91 => {
                    let opt = rng.gen_range(0..=30);
                    (2, 3, opt, opt, "\"Welcome series\"")
                }
                92..=96 => (
                    3,
                    5,
                    rng.gen_range(100..=1500),
                    rng.gen_range(0..=20),
                    "\"Customer\",\"VIP\"",
                ),
                _ => (
                    4,
                    1,
                    rng.gen_range(500..=2000),
                    rng.gen_range(400..=900),
                    "\"Bounced once\"",
                ),
            };
            let mut at = |days: i64| stamp(days * 86_400 + rng.gen_range(0..=86_000));
            let (opted, confirmed, changed) = (at(opt), at(opt), at(changed));
            let quoted = csv_field(tags);
            csv.push_str(&format!(
                "{rating},{opted},{confirmed},{changed},{quoted}\n"
            ));
            group.push(g);
        }
        let (_, a) = run(&csv);
        let best = best_f1(&a, &group, 4);
        if best.0 >= 0.9 {
            whole += 1;
        } else {
            missed.push(format!("seed {seed}: F1 {:.3} ({})", best.0, best.1));
        }
    }
    // Before, 4 of the 16 lists; the others are lost to the second cause above.
    assert!(whole >= 8, "whole in {whole} of 16 lists; {missed:?}");
}

/// A mailing list's tags as Mailchimp writes them (`"Customer","VIP"`, a blank for none):
/// the few tagged VIP and the few tagged after a bounce, alike in everything else to readers
/// who open much or little, are segments of their own, named by their tag as written. They
/// were lost in the mass when two tags in a cell were read as one label among four and
/// nobody's blank as "no tag".
#[test]
fn a_mailing_lists_tags_mark_out_the_few_it_tagged() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    let mut csv = String::from("MEMBER_RATING,LAST_CHANGED,TAGS\n");
    let mut group = Vec::new();
    for _ in 0..3000 {
        let u = rng.gen_range(0..100);
        let (g, rating, days, tags) = match u {
            0..=49 => (
                0,
                rng.gen_range(4..=5),
                rng.gen_range(0..60),
                ["", "\"Newsletter\""][rng.gen_range(0..2)],
            ),
            50..=89 => (
                1,
                rng.gen_range(1..=2),
                rng.gen_range(200..900),
                ["", "\"Newsletter\""][rng.gen_range(0..2)],
            ),
            90..=94 => (2, 5, rng.gen_range(0..20), "\"Customer\",\"VIP\""),
            _ => (3, 1, rng.gen_range(400..900), "\"Bounced once\""),
        };
        let quoted = csv_field(tags);
        csv.push_str(&format!(
            "{rating},2026-{:02}-{:02},{quoted}\n",
            12 - days / 80,
            1 + days % 28
        ));
        group.push(g);
    }
    let (_, a) = run(&csv);
    for (g, tag) in [(2, "Customer"), (3, "Bounced once")] {
        let best = best_f1(&a, &group, g);
        assert!(
            best.0 >= 0.9,
            "group tagged {tag}: F1 {:.3} ({})",
            best.0,
            best.1
        );
        assert!(
            best.1.contains(tag),
            "named by its tag as written: {}",
            best.1
        );
    }
    // A column of one tag or none names the tag, not "Tags: yes".
    let mut one_tag = String::from("Web sessions,Tags\n");
    for i in 0..2000 {
        let vip = i % 20 == 0;
        let sessions = if vip { 200 + i % 13 } else { 5 + i % 30 };
        one_tag.push_str(&format!("{sessions},{}\n", if vip { "VIP" } else { "" }));
    }
    let (_, a) = run(&one_tag);
    let names: Vec<&str> = a.segments.iter().map(|s| s.name.as_str()).collect();
    assert!(
        names.iter().any(|n| n.contains("Tags: VIP")) && !names.iter().any(|n| n.contains("yes")),
        "{names:?}"
    );
}
