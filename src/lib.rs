//! Edgewise: find the customers at the edges of CSV exports, without uploading a row.
//!
//! [`engine`] is the whole analysis as a plain library (bytes and settings in, plain data
//! out); the native CLI (`src/bin/edgewise.rs`) and the web worker both call it. With the
//! `web` feature the crate also holds the Yew page ([`ui`]) and the worker glue
//! ([`worker`]); [`protocol`] is the only thing that crosses between them.

pub mod engine;
pub mod protocol;
pub mod synth;
#[cfg(feature = "web")]
pub mod ui;
#[cfg(feature = "web")]
pub mod worker;
