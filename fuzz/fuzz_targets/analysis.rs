//! The whole analysis on arbitrary bytes: read, join, type, segment, describe, export, the
//! report, every segment's audiences, and the comparison of the export with the analysis it came
//! from (and of the raw bytes, as if they were last month's export). Every input ends in a
//! result or an error message; never a panic.
#![no_main]

use edgewise::engine::analysis::{self, Settings};
use edgewise::engine::{compare, export, report};
use edgewise::engine::ingest::{IngestParams, read_bytes};
use edgewise::engine::meaning;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Keep runs short: the analysis is near-linear, and big inputs only slow the search.
    if data.len() > 16 * 1024 {
        return;
    }
    let Ok(parsed) = read_bytes("fuzz.csv", data, &IngestParams::default()) else {
        return;
    };
    // The same bytes read again stand for last month's export below (a clone, not a re-read:
    // the fuzz target's time goes to the analysis, not to reading its input twice).
    let raw = parsed.clone();
    let settings = Settings::default();
    let dataset = analysis::combine(vec![parsed], &settings);
    if let Ok(result) = analysis::analyse(&dataset, &settings, meaning::builtin(), &mut |_, _| {}) {
        let csv = result.export_csv(&dataset.table, &result.settings.labels);
        assert!(csv.starts_with(&[0xEF, 0xBB, 0xBF]), "exports start with a BOM");
        assert_eq!(result.segment_of.len(), dataset.table.n_rows());
        let html = report::of(&dataset, &result, &[], &report::ReportParams::default());
        assert!(!html.contains("<script"), "no cell becomes a script");
        for s in 0..result.segments.len() {
            let members = result.members(s);
            let _ = export::audience_csv(&dataset.table, &result.schema, &members);
            let _ = export::customer_list_csv(&dataset.table, &result.schema, &members);
        }
        if let Ok(previous) = read_bytes("last-month.csv", &csv, &IngestParams::default()) {
            let _ = compare::compare(&previous, &dataset, &result);
        }
        let _ = compare::compare(&raw, &dataset, &result);
    }
});
