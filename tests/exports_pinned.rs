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
        "63b7f5c3a671e6a40961b5d1ccbae2cd29dbe9bd8c84a852acabfa1803d6ec89",
        "0b88d865a89f838212e9d553e0ec5ca6ffb185a7f21aa5705d346af63fa2ee8c",
    );
}

#[test]
fn generated_seed_2() {
    check(
        &generated(2),
        "a50803bfebbcef6b5e8e5a7daeb9d8c467b3284cef9d999956b6068a9b15f692",
        "5df967debe7e3ac0dfe7ccd37290ca251530d5a3b6fba91e3c0d30bfa5802c69",
    );
}

#[test]
fn generated_seed_3() {
    check(
        &generated(3),
        "8264e615cdeb653e8602bf7a51bb6d7d947c9e30eae43a982662ccb8e4aac7d0",
        "7116a067ebce0bbaa308ec84eb21b39bdc446d8c99cbae7f2886a87b139eb23c",
    );
}

#[test]
fn generated_seed_4() {
    check(
        &generated(4),
        "8a4aeba1ef96b2591e23252711d20f9de7a72d0bbf9d30ee595dcc4433e0b52f",
        "38e77c48ac68ce10a6f05845897f17a456bdeb3df837f0aec052fed21f8a87fc",
    );
}

#[test]
fn generated_seed_5() {
    check(
        &generated(5),
        "a5860f2d26be88c6286cd116bb7548ebaf3bc8eb9df916109229bb445eae4daa",
        "fda5f399834a345a32c710a1ae24b42009a2fbb34e346122c917420440dcdd44",
    );
}

#[test]
fn generated_seed_6() {
    check(
        &generated(6),
        "ea1d6f6de0370aa8dfc268dfce3d1b82d56e1967be141bbbeb33d2d0ecd9f979",
        "0e42c1573af748aca5a6321ed18815bc3a85237505ece24c7711c044dff1cbfb",
    );
}

#[test]
fn generated_seed_7() {
    check(
        &generated(7),
        "74009c8ceb817da5b3034d06246409ded017b7234faec45d6d99bd01acb4410d",
        "295acb0bfd39fc05d96a4608939c94b821fda099160ee19c85ffcdcf4636c751",
    );
}

#[test]
fn generated_seed_8() {
    check(
        &generated(8),
        "e306470a0f637bc52d6ced38524d7aeb43249fbb5f08eacbc3c75f696451f73c",
        "5b4e8d644d40c165648a6dcfd3a0385312fe5d7aa47a4586f79fc2f89486a5bb",
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
        "53d8970836aee4169ea135ddd87fd7626b2922357d03167cf5a9293a3a685458",
        "9b7dda74590fc880d9c34fa45ab97a3abd82858afc69f308de11616e94a47485",
    );
}

#[test]
fn generated_seed_2_gaussian_mixture() {
    check_with(
        &generated(2),
        &with_method(Method::GaussianMixture),
        "81e5e2826cccd823f859632c5dbaf77e4a930ec3d1bc141888001c7f8048491f",
        "b1490b842e411c03df65c5951be63ab211cc0b1a65cf6772139e4fda6ed15b41",
    );
}

/// The survey joined to the CRM export, as the page's "try the example" does.
#[test]
fn example_survey_and_crm_joined() {
    check(
        &examples(&["example-survey.csv", "example-crm.csv"]),
        "6d4d97b9962beecd723f795349a69d103481f087299370c011d9170d2512860e",
        "4cfcee4a58287b3d2f3503c9d5bd06c5435d26aca1479538b542a24c23b0ccdf",
    );
}
