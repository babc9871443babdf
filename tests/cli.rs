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
