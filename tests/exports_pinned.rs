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
        "bdb2c002a7bca6401ab736c20c3004cd0a3e400fd20f3520587369074979cd7e",
        "a895a178686756b29ea483eea7a039bdf66caa1fb7ba4cf46b0071c91ced1741",
    );
}

#[test]
fn generated_seed_2() {
    check(
        &generated(2),
        "116317f500ea6d5a4a77bbeecdff3f66bf2c6da38a54ebb2f55c1f1ab8383007",
        "df357c62bbb0d1ac388d4b1031a4eb6dc2952b332c17dedd2dfcce1d68ac26fe",
    );
}

#[test]
fn generated_seed_3() {
    check(
        &generated(3),
        "264624d0131c414917533cec0dd12d51e25356e831a128693085b4414083869f",
        "caa92b2262e0585ac2951bc754df039c6b144838c163b15736c752dc5f325edd",
    );
}

#[test]
fn generated_seed_4() {
    check(
        &generated(4),
        "611074cb9c997587b27792aa121deca5cec4393809ebfd1db50a11fc0055aa53",
        "9503d022e861fca875d7b923da53b4fdd12b904bd3de6b59a27b52796105a210",
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
        "7ee70578d3c17c8fd71dec87d6b974902142ae5160fa72e6bc63bf051e8362f3",
        "c1e0efdf6b271a7b2f01fb4381a17743862a4a20568187f9e784cdd57d9b3c66",
    );
}

#[test]
fn generated_seed_7() {
    check(
        &generated(7),
        "1d6b764b4d80259ca89697f70162c0b14d9b465e57dd31cbd3f1c2e2fe3ce5c5",
        "88c23d06163464f1620c01e335521f30715d836af38e4346ecd08d87210448c4",
    );
}

#[test]
fn generated_seed_8() {
    check(
        &generated(8),
        "3015faa79b4cc9956438c688df630f95dae63b338391f79e6d56fc65c15ce089",
        "5449d97fffe42ca9a982b20613c8d60752866f32cec57e3a6807612808a25628",
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
        "479973bc74f5061785500050029a2deb91b07be8553550678ba65b6d27c83589",
        "d0a8f3132b0d67f9b9fb0270d57c905071ff088c6034645ad395118f33ee944a",
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
