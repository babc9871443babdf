//! Exports pinned: the segmented CSV and the receipt of fixed inputs, by SHA-256.
//!
//! Each input is analysed the way `edgewise segment` does it (files read in 1 MiB chunks,
//! joined in order, the built-in meaning table, default settings unless named) and both
//! outputs are hashed: the generator's export at seeds 1–8 (600 rows each, as `edgewise
//! generate --rows 600 --seed S` writes it), seeds 1 and 2 again by k-means and by mixtures,
//! and the example files the page ships, joined (2,000 rows, enough for the approximate
//! neighbour graph).
//!
//! These hashes change only when segmentation behaviour changes on purpose; update them then,
//! in the same commit, saying why. A refactoring that moves code never changes them. (The
//! receipt names the crate's version, so a version bump changes the receipts' hashes and
//! nothing else.)

use edgewise::engine::analysis::{self, Settings};
use edgewise::engine::cluster::Method;
use edgewise::engine::ingest::{IngestParams, read_bytes};
use edgewise::engine::meaning;
use edgewise::synth;
use sha2::{Digest, Sha256};

/// Rows generated per seed: the planted groups still form segments, and each analysis takes
/// a few seconds in the test profile.
const ROWS: usize = 600;

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Runs `edgewise segment` on `files` (name, bytes) and checks the SHA-256 of its export and
/// receipt against `export` and `receipt`.
fn check(files: &[(&str, Vec<u8>)], export: &str, receipt: &str) {
    check_with(files, &Settings::default(), export, receipt);
}

/// [`check`] under `settings`.
fn check_with(files: &[(&str, Vec<u8>)], settings: &Settings, export: &str, receipt: &str) {
    let parsed = files
        .iter()
        .map(|(name, bytes)| read_bytes(name, bytes, &IngestParams::default()).expect("read"))
        .collect();
    let dataset = analysis::combine(parsed, settings);
    let result = analysis::analyse(&dataset, settings, meaning::builtin(), &mut |_, _| {})
        .expect("analysis");
    assert!(
        result.segments.len() >= 5,
        "the planted groups form segments: {}",
        result.segments.len()
    );
    let receipt_json = serde_json::to_string_pretty(&analysis::receipt(
        &dataset,
        &result,
        &result.settings.labels,
    ))
    .expect("receipt as JSON");
    let got = (
        sha256(&result.export_csv(&dataset.table, &result.settings.labels)),
        sha256(receipt_json.as_bytes()),
    );
    assert!(
        got == (export.to_string(), receipt.to_string()),
        "the export or receipt differs from the pinned one; if segmentation changed on purpose, \
         pin these and say why in the commit:\n    \"{}\",\n    \"{}\",",
        got.0,
        got.1
    );
}

/// The generator's export at `seed`, as `edgewise generate --rows 600 --seed S` writes it.
fn generated(seed: u64) -> Vec<(&'static str, Vec<u8>)> {
    let csv = synth::generate(ROWS, seed).to_csv().into_bytes();
    vec![("generated.csv", csv)]
}

/// The example files the page ships, as `edgewise segment` reads them.
fn examples(names: &[&'static str]) -> Vec<(&'static str, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/example");
    names
        .iter()
        .map(|name| {
            (
                *name,
                std::fs::read(dir.join(name)).expect("the example file"),
            )
        })
        .collect()
}

#[test]
fn generated_seed_1() {
    check(
        &generated(1),
        "9a2173887e2ab00dc961c8e08ad4a08767efcbf772115eee3f18693b93a46b48",
        "6cb40074849f4961e5940dedc77b9863019e6bf9feae88dbdd079f2628e8b1f0",
    );
}

#[test]
fn generated_seed_2() {
    check(
        &generated(2),
        "c44caef7c613bbe0f191fedfbcca202824383ce3a680ce393e2d57e73df7dedc",
        "df357c62bbb0d1ac388d4b1031a4eb6dc2952b332c17dedd2dfcce1d68ac26fe",
    );
}

#[test]
fn generated_seed_3() {
    check(
        &generated(3),
        "0128c47b56c7adca7ed025708fff80137ac60bc505018693cc8a8fa2302c22d1",
        "dc9fda8267e830760362cca368f1917728e7406b3d6a1162b055527146583035",
    );
}

#[test]
fn generated_seed_4() {
    check(
        &generated(4),
        "8493260e81b9c0f3df64c01b92260bc7725ef0128346c1dce3f6c0d35ce25c80",
        "0163a78472d4bade8fcd4ac26bf625bd8c3c5c865aec583699efbbd19d7f871a",
    );
}

#[test]
fn generated_seed_5() {
    check(
        &generated(5),
        "7934758a8126a8deff7e525427fac5c5a27ac684877da483e31e29edef4ade35",
        "c4b25f47a6a457d2efba45e0c831ddcdfa786b5e490e9bcb2b61fad54fce3c2f",
    );
}

#[test]
fn generated_seed_6() {
    check(
        &generated(6),
        "f6f570a142077ddebd42ba561eeeee251553f483b27078d41c017ed9a636e6b9",
        "c1e0efdf6b271a7b2f01fb4381a17743862a4a20568187f9e784cdd57d9b3c66",
    );
}

#[test]
fn generated_seed_7() {
    check(
        &generated(7),
        "dedadc120b0ac37d2dd945309d80edbee5e8b5d1a30227d9f8ac683b8abe2c3c",
        "eaa0398155e717c2b1a4a7009af115ea19542f7d5b597af52471735b3e5c2cdf",
    );
}

#[test]
fn generated_seed_8() {
    check(
        &generated(8),
        "195fb0b8c201d0c5f1d9dd64a26bd2f6c3fa8294a89c7e358de771dc4eabbbb1",
        "7bdefdf4468568e5a61c01b82585b60e1293881e6635550e910365794ff46b09",
    );
}

/// The centroid alternatives, `--method kmeans` and `--method gmm`.
fn with_method(method: Method) -> Settings {
    let mut settings = Settings::default();
    settings.cluster.method = method;
    settings
}

#[test]
fn generated_seed_1_kmeans() {
    check_with(
        &generated(1),
        &with_method(Method::KMeans),
        "20d896631533d3490109fab72a13feb884873d9432ea16b8d850cff8f89c39fa",
        "86ea71f6535e21807543888813579af718481c7a4e97c2dcfc2defd5f2b23aa0",
    );
}

#[test]
fn generated_seed_2_gaussian_mixture() {
    check_with(
        &generated(2),
        &with_method(Method::GaussianMixture),
        "d5d9c576641b181de2225dc9b52084c9050c0eccab6b964a71c2ea6b57fe5f2e",
        "d0a8f3132b0d67f9b9fb0270d57c905071ff088c6034645ad395118f33ee944a",
    );
}

/// The survey joined to the CRM export, as the page's "try the example" does.
#[test]
fn example_survey_and_crm_joined() {
    check(
        &examples(&["example-survey.csv", "example-crm.csv"]),
        "ef69cee8711bedf9917fed0e605d61491979f06415f293cd15ad8b0e8d23e10d",
        "d44feff25b3957d0d26282613b31d3e971b86cb1b2d33a4d8ae7c0fc2153af18",
    );
}
