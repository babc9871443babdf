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
        "93e70efdd7ddf172d1f61486086d37a0b1980b84228a2f39ad362b451f1fd975",
        "b47bcf8459057dd11f75ead336ba8a5a240a001813c638dcecdc1f9ca1bf319a",
    );
}

#[test]
fn generated_seed_2() {
    check(
        &generated(2),
        "e261a46d58c25daf4aa5af6c5a89f9b2f644893f2cad0e378494d483b64ae8fa",
        "02f49e21139368fe9b27d2ebbd123a7a1b1241e4506ccc098bf529c4e3561605",
    );
}

#[test]
fn generated_seed_3() {
    check(
        &generated(3),
        "7df2bab19340abffe9cde3d4bb62424bed4accabde15b157116051802c0be3f6",
        "3659e94845931632d660569bd6b1d692be80c8413ad0be08f8d0ad61d84bf985",
    );
}

#[test]
fn generated_seed_4() {
    check(
        &generated(4),
        "549d4c21367e13e415234b8e0523a25f5db665a5296ec1599b46711fa49c4dc7",
        "01e520954b7fc1acade43d8b9592a4a4dbab127db49eb338729245584651fddf",
    );
}

#[test]
fn generated_seed_5() {
    check(
        &generated(5),
        "c5ccfc5477c183c72f88ae3e873a932b14aa9190486e58db44c7948f88389c0b",
        "6e9e543c43c8519bf4a368859d8d63a865eb03c2111de3f9fbf1f2d4e17d5756",
    );
}

#[test]
fn generated_seed_6() {
    check(
        &generated(6),
        "4fab53f0f1a5915d345fc7dc65a431544cb4db326992246e4c6aa95bc6b17002",
        "b9fc66914b6bdcf96449c495de506d6d3158e724e807aa90fcaf80d6d4e4f41f",
    );
}

#[test]
fn generated_seed_7() {
    check(
        &generated(7),
        "e58eb8bf97396948750a17f49c389f09ee359e16c8e455312d94689463435dfe",
        "19734d0384268bd4418d85285893b40320dbdff8e91352765238a1c926c0fc24",
    );
}

#[test]
fn generated_seed_8() {
    check(
        &generated(8),
        "e3ecc2bcde3cf543beaf0407213099390584832093f00a14c5ab518e921869ee",
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
        "669d840c4ac926753b4db5631819b6eaaaa2c87cd98518c28ab68c776851162c",
        "ea0db5d7d1f81eec3c02d9e80ba6fc4b195e1f3400130d7a1d7130fa0ee5d432",
    );
}

#[test]
fn generated_seed_2_gaussian_mixture() {
    check_with(
        &generated(2),
        &with_method(Method::GaussianMixture),
        "48e301a66bd2a4cd2496534cc32cb4a078b515b7b449b035f115df61a63e9411",
        "3d3fc4fc98201b195cbd18b786a92dbc0a8bb3f0a463541c69676c461aa4df37",
    );
}

/// The survey joined to the CRM export, as the page's "try the example" does.
#[test]
fn example_survey_and_crm_joined() {
    check(
        &examples(&["example-survey.csv", "example-crm.csv"]),
        "a64f1d9eebbf64399baf833affefb70e76db4df0ba6a2410819093cf9d72d30d",
        "fbbf89f906098cf2f6af53570f95cd5bf64e7097d790024bdfd273fb615540e3",
    );
}
