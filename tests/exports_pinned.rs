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
        "b4a3bf0b990bcf142614b58af1db4fc12e8b9dc1b8aa44c3cda5decc3996defa",
        "1a1cdf42550eaf69d6cc5adc9bbcffbab49e93b401242ecfaeb1448ce47b3c23",
    );
}

#[test]
fn generated_seed_2() {
    check(
        &generated(2),
        "4ccde344782c4d27bba1bb5b1df171318d1f0750de8cbf9d210199c7437f214b",
        "a76906ebd699bbbe098d99ac45397d9d67aec9bc5236313fc73450da0a073633",
    );
}

#[test]
fn generated_seed_3() {
    check(
        &generated(3),
        "e29a3b17a25dfd101a7c17602626a4ed89b98d83fbb4b183eb2ab2657d788405",
        "9a04135ae18190bd1ab7e24c8d697831d6e317ab4de84a2ccf12a8bc1cdd77ef",
    );
}

#[test]
fn generated_seed_4() {
    check(
        &generated(4),
        "02916aa9ab4926f6b48b43c6840602aade5de7ca96ef5493e0017af2eef6455f",
        "05c2c401c47d53a33a30195092ea37b00d4f76e9afc37950ce6452df645b5478",
    );
}

#[test]
fn generated_seed_5() {
    check(
        &generated(5),
        "967de71f7e8f4db4a04ee2627fcb51e3fe86864a3b5bb97de5148fcfbe404933",
        "54d8c0bf367135b43e984f4bcaea093aede6c0bfe6a569338e369dc6734925fb",
    );
}

#[test]
fn generated_seed_6() {
    check(
        &generated(6),
        "d21967758e374edc2b1423b1611f17257ad06c25644e68f8c60577a2dbed0ad0",
        "9858423198d959b49bd6efbca642f7446ca5596e1cda1f300b58ff7c3d15aded",
    );
}

#[test]
fn generated_seed_7() {
    check(
        &generated(7),
        "3b7ebfbc23f670778e0bec91cea232372954f667861b1cf43fe09da8e12b464d",
        "94a777e4cc56c9705477c19d2d73de46801ebcd41a66973a12adc939e10e9ffb",
    );
}

#[test]
fn generated_seed_8() {
    check(
        &generated(8),
        "aa4c250d530781bc11df4e790b8983f53f2c111bc394a32052422fe42315c0ad",
        "05ca0a375ed121654c44f38e906375ee2d266fd1806c7f29dc7567ee7d11c438",
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
        "b99556fb09f3a130d4be708e67fc452e4e2dfa567e9f7d3af176db50eae099f1",
        "6b752900ae77a6a51db36d56e4f0c53fa259c19b156362fbf5ead1409d54230a",
    );
}

#[test]
fn generated_seed_2_gaussian_mixture() {
    check_with(
        &generated(2),
        &with_method(Method::GaussianMixture),
        "e82d5f93fabb90f1e523d2dc9834b921587e8e72b49d09d6c258ce9e17f88a35",
        "7fff2a0419060f5cf13fc3f3d88a8aa604b78f4a7ecf2c7d14703201950118f3",
    );
}

/// The survey joined to the CRM export, as the page's "try the example" does.
#[test]
fn example_survey_and_crm_joined() {
    check(
        &examples(&["example-survey.csv", "example-crm.csv"]),
        "f1bdaf970dd7315305b6c26c9f1e859eacceb41e718b61e3b808e0d31ae9f0fe",
        "6c3a2fa78e4383534cadea7b05f0e1183ed695a58b22851cca84b1fd0a9ffb7d",
    );
}
