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
        "81e82a4af1fd71e3a0d672095e7fc1faf0920e42fb54d9f7683d34056c612ec5",
        "ccfcca3e2e7f78ab80031e59598026c4153d5a9d195240c11373b3deae27a8be",
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
        "da4c005cbedeeee20a767c34ca8499bb298608ec04d2b727fddd3e826c68cd54",
        "9e2b0fbac4a788064b90cb86e482397f581ac205d94e5512b8caf29b5e0d0bb5",
    );
}

#[test]
fn generated_seed_4() {
    check(
        &generated(4),
        "d44001d89e05438052b55904adf7dca67a950447a3bd6f1d8120902ed9ee29f5",
        "c8f237869bc5038b5e559870b8bf264f28f5079fa73bcbab760a43594eecf3c2",
    );
}

#[test]
fn generated_seed_5() {
    check(
        &generated(5),
        "1a79be031b44f5bf3e1bd68889f607eb831e1eb0a6e1aaac46964427b7775a18",
        "a8d6eaa367a9ddadf413df339bd68fd31b3a9a2241664f0a1ee4720519cd754f",
    );
}

#[test]
fn generated_seed_6() {
    check(
        &generated(6),
        "209fe32b4884ab00b1e32490fe17813f4875b5be3f8aa06bfacb11bf024cb50e",
        "60b82631f0f8ac0b219fb359dfde2c4555ae2422db184ee5f9880c65c6b5c763",
    );
}

#[test]
fn generated_seed_7() {
    check(
        &generated(7),
        "1b04b834ba1ab7dacd6ba9884d3b3a12ba0d94983f2061c212fafc0f83131150",
        "95b3bbfa01f7dc8876b94775e44ec28b33fe3e39df2a99290a0c18b134d14b60",
    );
}

#[test]
fn generated_seed_8() {
    check(
        &generated(8),
        "df0ce36f233b0ddd5e62ba279e46b2000f73997d7cb60f408b100d8d8e121889",
        "a7c98625e421c7cc7297b4931166dd861317a489cea86c7e203c64df8ba397d6",
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
        "2f2f3660e81bfc34e7326bbc484c8d78c895bc418cf9a0c4fc8155013b5983f3",
        "0b2024ed210fb4032f6a40354a4b901e52b5d38317540859d7ecf24662f2468c",
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
        "dc78e8f160ee7075fa68f743fa97e8d08d7bca4fd45785701811476a5d5972b3",
        "118875d49f292b4aee7067784736cf417f526a4c56d91746d8bbdaf5c34caf26",
    );
}
