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
        "0670b6043aa8c986e17a6b52101d909581ceacdf315eb11380e8062a8f6f7d9b",
        "d4a75fb1e93b401f07b0559f26669c6f32c324ad00ca07300d2c2deddfbac38e",
    );
}

#[test]
fn generated_seed_2() {
    check(
        &generated(2),
        "4e2ff3ceade522edbeea74b165be28a62eb3c6226bf3938d2f8014f5aa2c37e9",
        "1f07c5565dee34882880939c1a66ca772136fb0f05a547169a6a79c8ee66d802",
    );
}

#[test]
fn generated_seed_3() {
    check(
        &generated(3),
        "8c519448f181756488473e9fece3ce1a33470b9ec8b4cb1ee0a17fb2cfe3f874",
        "e208ef8ae040118f0c1923708eb1eae0201f7afbd9dfb979dd8e512e810f18d5",
    );
}

#[test]
fn generated_seed_4() {
    check(
        &generated(4),
        "534c901204e85d465a51d56859d16a9883f8555067d089fbeb1c68dcb6427ede",
        "0163a78472d4bade8fcd4ac26bf625bd8c3c5c865aec583699efbbd19d7f871a",
    );
}

#[test]
fn generated_seed_5() {
    check(
        &generated(5),
        "69d54cfad552cb63a14c3ba04b0ab65acf266d37ba9026614eca6f7c4f36c02d",
        "c4b25f47a6a457d2efba45e0c831ddcdfa786b5e490e9bcb2b61fad54fce3c2f",
    );
}

#[test]
fn generated_seed_6() {
    check(
        &generated(6),
        "2ad5cbb877dc2a31dd120353023970f14a287c2c3452e9050c081289ce0ccf96",
        "6ca278c35dbf92e5e1f97271b854ead408ef6b20adf5c33de439bf7c161902f7",
    );
}

#[test]
fn generated_seed_7() {
    check(
        &generated(7),
        "8268123307888c586af4c14245a422383a3cb777d15ad6afab244891fe38805a",
        "6b10007cfd26929d92cf9cfcca14559a80929ef72d697a4cd1ee98afaefc71ca",
    );
}

#[test]
fn generated_seed_8() {
    check(
        &generated(8),
        "31388999f206957ad7a0213d5d1850e3a1df30ff1827008207be3c89a8199bd0",
        "898406c5062f1d06cce3dbc66e5fef04f4295547050ac497880505e11bb1a7e4",
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
        "b43af8251fbfbbacfc565cd25bed8dff82a8ce579915ed138554af1d979da78b",
        "86ea71f6535e21807543888813579af718481c7a4e97c2dcfc2defd5f2b23aa0",
    );
}

#[test]
fn generated_seed_2_gaussian_mixture() {
    check_with(
        &generated(2),
        &with_method(Method::GaussianMixture),
        "3f65ed16915f018b6c8ea4a4fb38bf4899c05037cc76d42ce447b8afe77ace02",
        "f6fa2864e25a91ced8b916b94380de43650e2dad9f3d83d7b97840cc27acdca0",
    );
}

/// The survey joined to the CRM export, as the page's "try the example" does.
#[test]
fn example_survey_and_crm_joined() {
    check(
        &examples(&["example-survey.csv", "example-crm.csv"]),
        "bcf9c709cfdc140867078f2ff10b2862b67b1768f633d0002773e2dd8d2638b2",
        "029596eb0372245f3ca280ee3201517a42f0a8b3796377d8907b12fad43ff8ed",
    );
}
