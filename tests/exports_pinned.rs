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
        "011abf8974183fe1fec63b466e30ce76133fa23194d035e7290267707da36a7c",
        "edf6ccf3abd463d3c18a7927f7ca16489d3ba7b92e878eff505c7c233281f6bd",
    );
}

#[test]
fn generated_seed_2() {
    check(
        &generated(2),
        "f1b0305ddd70c260ed74d349e9921c57f11ed9863cff37d3d1e3a718cde7444d",
        "b897434b49755814bb41aab1e603119953a22abe23a3a2139f7547fe843ceddd",
    );
}

#[test]
fn generated_seed_3() {
    check(
        &generated(3),
        "e95f95e6b443cf14b92ad1f2737abaeaa4266d7e98fef86333b295b102636599",
        "3a272b066c25671dcf8e4e3a5c98392ba53d0cac477a32943fc3ef6ff8343e46",
    );
}

#[test]
fn generated_seed_4() {
    check(
        &generated(4),
        "66397fbca504931d9f11f00c46a4b27e4eb2e76f010ad496c39aecebdd097335",
        "284657ef268b9f80daf9785d55b2b56dc46f893761dd1c71cd43e3b7d9929f32",
    );
}

#[test]
fn generated_seed_5() {
    check(
        &generated(5),
        "14ee82f51eb4abd799dabf087173d67d5a850c4c2ecf782117c02040bf1fac19",
        "fa10c3a7d5776991579c420d7112e5d8a1d84d03e8396025ab79b8c11372dc98",
    );
}

#[test]
fn generated_seed_6() {
    check(
        &generated(6),
        "194fbe1336958919d66e6a85fdb75381cee96ba8f3b720a53c521179d7322767",
        "2306793f6c7c51bb52aa03cafccaeb381f114269e27ea7aaafc6dde2367e3ec3",
    );
}

#[test]
fn generated_seed_7() {
    check(
        &generated(7),
        "c56c4f5c4370f63d7a95bbe3901fb5a900b98e564b6c60b669a310bce688a38b",
        "a6830b4447122b082ec74dc76c6f7ffcd1b84f498f112a199103d4c490252801",
    );
}

#[test]
fn generated_seed_8() {
    check(
        &generated(8),
        "e0fa7aa067f35be1ba258d7df600bd3c20c3c7b9448cb01dbbb139757e3b75bb",
        "5499b58cfab233fa203d0f0320b05d5f2fba48b487923bf487bb19efea2a91e8",
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
        "5a9ed2b425a311771493e762a5c04c7ed4004f7ecaf7bc67294f959a43f130ba",
        "20719e43ee00a8a41b7d24ee15add9b456889e69ef83d5c04d17d81ac115cd50",
    );
}

#[test]
fn generated_seed_2_gaussian_mixture() {
    check_with(
        &generated(2),
        &with_method(Method::GaussianMixture),
        "8885417b785149b790441c4479570d67349dedbe6813160646807949a39ce8c8",
        "df17d7096abd6a36ef16b5dcd4eb035742a13135d3228f0d8ae5b1ab04a230f1",
    );
}

/// The survey joined to the CRM export, as the page's "try the example" does.
#[test]
fn example_survey_and_crm_joined() {
    check(
        &examples(&["example-survey.csv", "example-crm.csv"]),
        "1f6bde2d9ebe38442fde2e9fedc59aad225455d83e908ba5ff751c5034845b80",
        "7381b9e3ea452b7f16573364391ad32a7a69e6c333c4ebd9c7daf81e473d8e4c",
    );
}
