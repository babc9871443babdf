//! The analysis engine: a plain Rust library with no browser in it.
//!
//! Stages, in reading order: [`ingest`] (bytes → table + diagnostics) → [`schema`] (column
//! types and roles) → [`features`] → [`cluster`] → [`rank`] (which segments come first) →
//! [`describe`] (segment portraits) → [`edges`] (each person's edge score and reason) →
//! [`map`] → [`export`] and [`report`] (what a user takes away); [`compare`] sets an analysis
//! against last month's export. [`analysis`] runs the stages in order with progress by stage.
//!
//! Invariants: nothing here imports a web API; nothing here panics on user data; the same
//! bytes and settings always give the same result.

pub mod analysis;
pub mod balanced;
pub mod cluster;
pub mod codes;
pub mod compare;
pub mod describe;
pub mod diagnostics;
pub mod edges;
pub mod export;
pub mod features;
pub mod ingest;
pub mod linalg;
pub mod map;
pub mod meaning;
pub mod profile;
pub mod rank;
pub mod report;
pub mod rollup;
pub mod saydo;
pub mod schema;
pub mod table;
pub mod text;
pub mod values;
