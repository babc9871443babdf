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
        "796e3829ca683ea1490c325efc91665cd63fb616143abca23ce0ba3544dfe91f",
        "a895a178686756b29ea483eea7a039bdf66caa1fb7ba4cf46b0071c91ced1741",
    );
}

#[test]
fn generated_seed_2() {
    check(
        &generated(2),
        "de9c3bfa15d6e814414551cd78fdd42be77b00170e80e955f2a26158aa8c5d85",
        "df357c62bbb0d1ac388d4b1031a4eb6dc2952b332c17dedd2dfcce1d68ac26fe",
    );
}

#[test]
fn generated_seed_3() {
    check(
        &generated(3),
        "15feb885ffa8a50ea92fb3eb4393970acd5db5840bf23d343d49fd8b8eb96dd5",
        "caa92b2262e0585ac2951bc754df039c6b144838c163b15736c752dc5f325edd",
    );
}

#[test]
fn generated_seed_4() {
    check(
        &generated(4),
        "f1de6082d9548f75fc956911e7866ff569048feb8243a2fa65d427aa2a99d038",
        "9503d022e861fca875d7b923da53b4fdd12b904bd3de6b59a27b52796105a210",
    );
}

#[test]
fn generated_seed_5() {
    check(
        &generated(5),
        "e71f24951a204491a2271ffecddd6717c120b0e51bc65d08c6475785aa7b2b92",
        "c4b25f47a6a457d2efba45e0c831ddcdfa786b5e490e9bcb2b61fad54fce3c2f",
    );
}

#[test]
fn generated_seed_6() {
    check(
        &generated(6),
        "0b977c9e0e60592742e5a54600cac757d5132fac87e3bb576d880be68c12481f",
        "c1e0efdf6b271a7b2f01fb4381a17743862a4a20568187f9e784cdd57d9b3c66",
    );
}

#[test]
fn generated_seed_7() {
    check(
        &generated(7),
        "3c689e56b06f82f5efd8d7c8d2ea50638f842e842c85fa8f2ad75b698c9b1e30",
        "88c23d06163464f1620c01e335521f30715d836af38e4346ecd08d87210448c4",
    );
}

#[test]
fn generated_seed_8() {
    check(
        &generated(8),
        "aa72355ab71b0b39b5b5c3057ccb5be14a42cb368cbc9e6f933dec0252f47cc5",
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
        "734dd5f5c16d6746978f0a81c82bccc32d9df7d39e6548169acd3b09d9ebbfde",
        "86ea71f6535e21807543888813579af718481c7a4e97c2dcfc2defd5f2b23aa0",
    );
}

#[test]
fn generated_seed_2_gaussian_mixture() {
    check_with(
        &generated(2),
        &with_method(Method::GaussianMixture),
        "8570bdbc5fcaca0b97b04334a06ecd4ce74dc4aa5e080f7f693fec8d4377ac39",
        "d0a8f3132b0d67f9b9fb0270d57c905071ff088c6034645ad395118f33ee944a",
    );
}

/// The survey joined to the CRM export, as the page's "try the example" does.
#[test]
fn example_survey_and_crm_joined() {
    check(
        &examples(&["example-survey.csv", "example-crm.csv"]),
        "6af2c0e01e91c0caa0cc780531e9f92e973c839db1d79ba464232bfdba20f82b",
        "029596eb0372245f3ca280ee3201517a42f0a8b3796377d8907b12fad43ff8ed",
    );
}
