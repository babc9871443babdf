//! Reading arbitrary bytes as a CSV export, whole and in uneven chunks (as the worker streams
//! a file): never a panic, never a hang; the two ways of reading agree.
#![no_main]

use edgewise::engine::ingest::{IngestParams, Reader, read_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let whole = read_bytes("fuzz.csv", data, &IngestParams::default());
    // Chunk sizes come from the first byte, so the fuzzer explores the boundaries too.
    let step = usize::from(data.first().copied().unwrap_or(1)).max(1);
    let mut reader = Reader::new("fuzz.csv", IngestParams::default());
    let mut pushed = Ok(());
    for chunk in data.chunks(step) {
        pushed = pushed.and_then(|_| reader.push(chunk));
    }
    let streamed = pushed.and_then(|_| reader.finish());
    match (&whole, &streamed) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.table.n_rows(), b.table.n_rows(), "rows differ by chunking");
            assert_eq!(a.table.columns().len(), b.table.columns().len(), "columns differ by chunking");
        }
        (Err(_), Err(_)) => {}
        _ => panic!("whole and streamed reading disagree: {:?} vs {:?}", whole.is_ok(), streamed.is_ok()),
    }
});
