//! Tidy: the project's invariants, checked on every test run.
//!
//! * Every Rust file opens with a `//!` comment saying what it owns.
//! * `src/engine/` never names a web crate, never reads the clock or the environment (neither
//!   exists in WebAssembly workers, and either would make results depend on where they ran),
//!   and never prints.
//! * The page (`src/ui/`) never names `engine::`: `protocol` is its one door to the engine,
//!   and re-exports the engine types the page needs.
//! * No Rust item is named after personas: the product does not make them.
//! * The README shows the two commands, and CI runs the README's test command.

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Code lines of a file, without comments and without `#[cfg(test)]` modules at its end.
fn code_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let t = line.trim_start();
        if t.starts_with("//") {
            continue;
        }
        lines.push(line);
    }
    lines
}

#[test]
fn every_rust_file_opens_with_a_module_comment() {
    let mut files = Vec::new();
    for dir in ["src", "tests"] {
        rust_files(&root().join(dir), &mut files);
    }
    let missing: Vec<String> = files
        .iter()
        .filter(|f| {
            !fs::read_to_string(f)
                .unwrap_or_default()
                .trim_start()
                .starts_with("//!")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "files without a `//!` opening comment: {missing:?}"
    );
}

#[test]
fn the_engine_stays_a_plain_library() {
    let mut files = Vec::new();
    rust_files(&root().join("src/engine"), &mut files);
    assert!(files.len() > 10, "found the engine's files");
    let forbidden = [
        "yew",
        "web_sys",
        "js_sys",
        "wasm_bindgen",
        "gloo",
        "std::time",
        "Instant::now",
        "SystemTime",
        "std::env",
        "println!",
        "eprintln!",
        "dbg!",
    ];
    let mut problems = Vec::new();
    for f in &files {
        let text = fs::read_to_string(f).unwrap_or_default();
        for line in code_lines(&text) {
            for word in forbidden {
                if line.contains(word) {
                    problems.push(format!("{}: `{word}` in `{}`", f.display(), line.trim()));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the engine must not touch the browser, the clock, the environment or stdout:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_page_reaches_the_engine_only_through_protocol() {
    let mut files = Vec::new();
    rust_files(&root().join("src/ui"), &mut files);
    assert!(files.len() > 5, "found the page's files");
    let mut problems = Vec::new();
    for f in &files {
        let text = fs::read_to_string(f).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            if line.contains("engine::") {
                problems.push(format!("{}:{}: `{}`", f.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the page names engine types only through `protocol` (re-export what it needs there):\n{}",
        problems.join("\n")
    );
}

#[test]
fn nothing_is_named_after_personas() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let declaration = [
        "fn ", "struct ", "enum ", "let ", "mod ", "const ", "static ", "type ",
    ];
    let mut problems = Vec::new();
    for f in &files {
        let text = fs::read_to_string(f).unwrap_or_default();
        for line in code_lines(&text) {
            let lower = line.to_lowercase();
            if declaration.iter().any(|d| {
                lower.split(d).skip(1).any(|rest| {
                    rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                        .next()
                        .is_some_and(|name| name.replace("personal", "").contains("persona"))
                })
            }) {
                problems.push(format!("{}: {}", f.display(), line.trim()));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn readme_shows_the_commands_and_ci_runs_the_tests() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap_or_default();
    assert!(
        readme.lines().any(|l| l.trim() == "make serve"),
        "README shows `make serve` on its own line"
    );
    assert!(
        readme.lines().any(|l| l.trim() == "make test"),
        "README shows `make test` on its own line"
    );
    let ci = fs::read_to_string(root().join(".ci/run")).unwrap_or_default();
    assert!(ci.contains("make test"), ".ci/run calls `make test`");
}
