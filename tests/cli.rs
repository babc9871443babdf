//! The `edgewise` binary as a user runs it: help for the tool and for each command.

use std::process::Command;

fn edgewise(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_edgewise"))
        .args(args)
        .output()
        .expect("run edgewise");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Issue 16: `edgewise segment --help` failed with "--help needs a value".
#[test]
fn segment_help_prints_the_segment_options() {
    let (ok, text) = edgewise(&["segment", "--help"]);
    assert!(ok, "exits 0");
    assert!(text.contains("Usage: edgewise segment"), "{text}");
    for flag in [
        "--out",
        "--role",
        "--balance",
        "--method",
        "--k ",
        "--min-segment",
        "--seed",
        "--min-samples",
        "--separation",
        "--dims",
        "--text-dims",
        "--meaning-dims",
        "--text ",
        "--delimiter",
        "--receipt",
        "--quiet",
    ] {
        assert!(text.contains(flag), "segment help names {flag}:\n{text}");
    }
}

#[test]
fn help_lists_every_command() {
    for args in [&["--help"][..], &[]] {
        let (ok, text) = edgewise(args);
        assert!(ok, "`edgewise {}` exits 0", args.join(" "));
        for command in [
            "segment",
            "columns",
            "generate",
            "example",
            "evaluate",
            "matrix",
            "hdbscan",
            "neighbours",
            "distil",
            "serve",
        ] {
            assert!(text.contains(command), "help names {command}:\n{text}");
        }
    }
}

/// A segmented export dropped again (to join a new survey, say) gives the same segments:
/// its earlier `segment`, `edge_score` and `reason` columns formed segments of their own, the
/// reasons read as what people say.
#[test]
fn an_export_segmented_again_gives_the_same_segments() {
    let dir = std::env::temp_dir().join(format!("edgewise-again-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let (ok, _) = edgewise(&[
        "generate",
        "--rows",
        "1500",
        "--seed",
        "3",
        "--out",
        &path("in.csv"),
    ]);
    assert!(ok, "generates");
    for (input, out) in [("in.csv", "first.csv"), ("first.csv", "again.csv")] {
        let (ok, _) = edgewise(&["segment", &path(input), "--out", &path(out), "--quiet"]);
        assert!(ok, "segments {input}");
    }
    let segments = |name: &str| -> Vec<String> {
        let text = std::fs::read_to_string(path(name)).expect("the export");
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header = reader.headers().expect("a header").clone();
        let headers: Vec<&str> = header.iter().collect();
        let at = headers
            .iter()
            .rposition(|h| *h == "segment")
            .expect("a segment column");
        reader
            .records()
            .map(|r| r.expect("a record").get(at).unwrap_or_default().to_string())
            .collect()
    };
    let (first, again) = (segments("first.csv"), segments("again.csv"));
    assert_eq!(first.len(), 1500);
    assert_eq!(first, again, "the same people in the same segments");
    std::fs::remove_dir_all(&dir).ok();
}
