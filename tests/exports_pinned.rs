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
        "8f4452fc0123446a129590d43575ad34efda9463de71dceb447eea8dee478e54",
        "b2ed12f8ad01c246d4cb224cc5b6c046bd5b42cb3f3874297f811f95ed1e00e7",
    );
}

#[test]
fn generated_seed_2() {
    check(
        &generated(2),
        "1b69a4774344430ea58187bfc17ccd6ccaf8be9c83e1fc0d491ff7319b5efe30",
        "5234187b8c5e1fb2d1c180a905d08f32fe42e573790c6c419148e4fef0ebb01e",
    );
}

#[test]
fn generated_seed_3() {
    check(
        &generated(3),
        "a62cc4d3ec32ed5201d6f729e228523422dee831403cb4b859ca8115625beef7",
        "24906de5e91506316a6e8163b782eb381b60d7a5f4b6ee607172037e97b8f1a3",
    );
}

#[test]
fn generated_seed_4() {
    check(
        &generated(4),
        "c7e48df129b3340400e119a63bbefdd1bcf523022e3083d2378422c359f7f574",
        "ef9f4bd884c53501653f839e5a8e24ea661236d6434693a4e63a532fc9b65ab1",
    );
}

#[test]
fn generated_seed_5() {
    check(
        &generated(5),
        "5860bf095dafd9981891223bbb28565c2613f7581cb762601a542d4796be050b",
        "bdcf13699bc720a85ea8bab29130036ac20bde2e35a09240c7427914c8b6de52",
    );
}

#[test]
fn generated_seed_6() {
    check(
        &generated(6),
        "cb775e80f3a1b717d508beb82abe642b904b149564865fea04fe0ec3617b2506",
        "ef9eb9b298384e9f685ea310757f41751ac0f46ab7be056cbffbdee8f8e64a32",
    );
}

#[test]
fn generated_seed_7() {
    check(
        &generated(7),
        "fe0786f0eb9b95427774614a8eba9e2f4c8aad349c7e20722e8930b9b81cda74",
        "bdc849f7d5f4ae66a7146ebb3f1ebdd2f6a3574b3a7b9889bae284654fe2a343",
    );
}

#[test]
fn generated_seed_8() {
    check(
        &generated(8),
        "9bb1d59b2bfa0ea2c74792be614f1e06757f51755d3a07871fd8943dcd4189ef",
        "4e6c8d5aa8fabf18220c905e0f38e575da9d31ab696f12efadb23f09ad063b11",
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
        "fdea819022098c4d716a39acf610573bab9c7a337933befc1ba0605f53a48cd0",
        "f4d1cc489651f4b675e2c0911b2cdb45d719aff1cef2dbd8af0030006789e433",
    );
}

#[test]
fn generated_seed_2_gaussian_mixture() {
    check_with(
        &generated(2),
        &with_method(Method::GaussianMixture),
        "2bd11afd1c2f98dd25cdc2c604ad4e26a5c601984eb0faf34116e276c13405eb",
        "f0cb25d9489cd97774bbf41615980e3ac52185d0e280f135de80e82841b3b360",
    );
}

/// The survey joined to the CRM export, as the page's "try the example" does.
#[test]
fn example_survey_and_crm_joined() {
    check(
        &examples(&["example-survey.csv", "example-crm.csv"]),
        "0e36462e78d9a18e193958ee7461ee70c9ba0a1e58358ae8220340ad55a13702",
        "b82aabd94c2127e580d1da1f900fba6860807cdee2ca47d4b4504df360e6b443",
    );
}
