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
    let receipt_json = serde_json::to_string_pretty(&analysis::receipt(&dataset, &result))
        .expect("receipt as JSON");
    let got = (
        sha256(&result.export_csv(&dataset.table)),
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
        "646a7735ebb553fe26b8e8d9a0ba95d2ae999ec3ffe328a4f31440596145dbea",
        "b47bcf8459057dd11f75ead336ba8a5a240a001813c638dcecdc1f9ca1bf319a",
    );
}

#[test]
fn generated_seed_2() {
    check(
        &generated(2),
        "8fff88c994ed93cc6a6538e95fb5ce70ad82783e6c9d7e06d1dc29f79d59d374",
        "02f49e21139368fe9b27d2ebbd123a7a1b1241e4506ccc098bf529c4e3561605",
    );
}

#[test]
fn generated_seed_3() {
    check(
        &generated(3),
        "dbfff81a120c336821d949720c44824c8d8d5cc1979193cd03e6b69a57d0e8d5",
        "3659e94845931632d660569bd6b1d692be80c8413ad0be08f8d0ad61d84bf985",
    );
}

#[test]
fn generated_seed_4() {
    check(
        &generated(4),
        "8c0703a9c1e092ae52b3f9cfb0e5340e70137106abcae493918bba902d349d0b",
        "01e520954b7fc1acade43d8b9592a4a4dbab127db49eb338729245584651fddf",
    );
}

#[test]
fn generated_seed_5() {
    check(
        &generated(5),
        "7f676195b80580726cc50f9a9a140a404874b385eda31200adba7bff18f8343f",
        "6d904bddf68b263a310b9fdb33cdd85157d7527207c238877e25d22064f9c7ad",
    );
}

#[test]
fn generated_seed_6() {
    check(
        &generated(6),
        "2dd0d3fc06c432457c7c6103e177005f8ea2b7b514f8365192898c0775b02791",
        "b9fc66914b6bdcf96449c495de506d6d3158e724e807aa90fcaf80d6d4e4f41f",
    );
}

#[test]
fn generated_seed_7() {
    check(
        &generated(7),
        "99022f0fdcc34fa488dda0b8a760f2a8f000858e7de897ec033598963d7ce7fb",
        "19734d0384268bd4418d85285893b40320dbdff8e91352765238a1c926c0fc24",
    );
}

#[test]
fn generated_seed_8() {
    check(
        &generated(8),
        "cd7823f672836f520ffb08f131bce55209768ca743bf228e4b6d23f3c7de70bc",
        "1e9b527f05d11360930e7a8c789f51ba938d2ec8aaf8a8e7ce29b3aaed3f560b",
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
        "2902f36d413ffe4115c9df14efdf8129a9cd5f168266a713465d7aba1cd80ba7",
        "28f3054141be6c79ff57dd06d36ecb7b347528dfe15f28780a26b91ba913940c",
    );
}

#[test]
fn generated_seed_2_gaussian_mixture() {
    check_with(
        &generated(2),
        &with_method(Method::GaussianMixture),
        "97e9ee1e7a15c64ad1f74140c384f62373201ee59ee383c8b4e4b5d360002106",
        "858e810b64c6bd54ba6ed2715ec1d2f19b34830352e2cc5016b0401b215bfbcd",
    );
}

/// The survey joined to the CRM export, as the page's "try the example" does.
#[test]
fn example_survey_and_crm_joined() {
    check(
        &examples(&["example-survey.csv", "example-crm.csv"]),
        "43a949df5c580f16340b1ee487f96cddff9011299468ea5c3bcebe0941c838d8",
        "daa42bcf826913e23fb2caf345f79599dbd5b8a0d64badba7ea79331879ead95",
    );
}
