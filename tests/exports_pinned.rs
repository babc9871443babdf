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
        "e331c9c3b22d9c1c1614c0fb7843ae20a92cc26691172c263730894de407902f",
        "1a1cdf42550eaf69d6cc5adc9bbcffbab49e93b401242ecfaeb1448ce47b3c23",
    );
}

#[test]
fn generated_seed_2() {
    check(
        &generated(2),
        "355d46cbbd18be81e0059287d30eadf4dd25b4097d9bb342b9e248f949789346",
        "a76906ebd699bbbe098d99ac45397d9d67aec9bc5236313fc73450da0a073633",
    );
}

#[test]
fn generated_seed_3() {
    check(
        &generated(3),
        "67bf992a6f2fd8c85ee02f54259f86088fc96451625c9cb66511a39906342b0a",
        "9a04135ae18190bd1ab7e24c8d697831d6e317ab4de84a2ccf12a8bc1cdd77ef",
    );
}

#[test]
fn generated_seed_4() {
    check(
        &generated(4),
        "2d94ce70d7e3cdfd9bdb903fc90de7e866e843b6689393a3fe2de6ea0c04bafb",
        "05c2c401c47d53a33a30195092ea37b00d4f76e9afc37950ce6452df645b5478",
    );
}

#[test]
fn generated_seed_5() {
    check(
        &generated(5),
        "77627b35ba7cb2bdf6aa7195f3ff626c9148ca45293541196acc527d31b4724d",
        "54d8c0bf367135b43e984f4bcaea093aede6c0bfe6a569338e369dc6734925fb",
    );
}

#[test]
fn generated_seed_6() {
    check(
        &generated(6),
        "98309a5b93eb18a8d669dbdf05beec95daf6318b7fdfe0b0c0febdaf03a11c1e",
        "9858423198d959b49bd6efbca642f7446ca5596e1cda1f300b58ff7c3d15aded",
    );
}

#[test]
fn generated_seed_7() {
    check(
        &generated(7),
        "4111407ec4aa7956a06f7ea7654fc30a3ab2f6796fc3c20b1138ee1f77a67d5e",
        "94a777e4cc56c9705477c19d2d73de46801ebcd41a66973a12adc939e10e9ffb",
    );
}

#[test]
fn generated_seed_8() {
    check(
        &generated(8),
        "a49ec2431d435b4ca7a87a5e1777ae4a7794dd64b50d37f59e75642c954136d3",
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
        "ee6ad021a94bd54ffb300a824b085d747bdb40d60516a1fd8c3fdfa358a91380",
        "cd98f3d535c8f620d7769d22756bbceecc56cfffcb05659851f43dda3fec8ddc",
    );
}

#[test]
fn generated_seed_2_gaussian_mixture() {
    check_with(
        &generated(2),
        &with_method(Method::GaussianMixture),
        "faeac4e2d304ef959b930b1d1c95c0f3a0a648b19c62a32ef57ed143dbc52c6e",
        "ad31cecb370dc91bfb04afcc08002c24ad4026194b54e8e003a6857e1a2a9163",
    );
}

/// The survey joined to the CRM export, as the page's "try the example" does.
#[test]
fn example_survey_and_crm_joined() {
    check(
        &examples(&["example-survey.csv", "example-crm.csv"]),
        "d0e6255998f66b5fedabd40165f11d7e0c2a95e19561c0dceeac4e3303f9b821",
        "6c3a2fa78e4383534cadea7b05f0e1183ed695a58b22851cca84b1fd0a9ffb7d",
    );
}
