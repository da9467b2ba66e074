//! Replays the committed fuzz corpora (`fuzz/corpus/<target>/`) and the
//! inputs of crashes found and fixed (`fuzz/regressions/<target>/`) through
//! the fuzz targets' own logic (`evs::totem::fuzzing`, `evs::net::fuzzing`), so that a change that
//! breaks one of them fails `cargo test` on stable, without nightly or
//! cargo-fuzz. A panic in a harness is the failure.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use evs::totem::fuzzing;

/// Every file of `fuzz/<dir>/<target>/`, sorted (none if it does not exist).
fn inputs(dir: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz").join(dir).join(target);
    let Ok(entries) = fs::read_dir(&dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries.map(|e| e.expect("corpus entry").path()).filter(|p| p.is_file()).collect();
    files.sort();
    files
}

fn replay(target: &str, run: fn(&[u8])) {
    let corpus = inputs("corpus", target);
    assert!(!corpus.is_empty(), "fuzz/corpus/{target} is empty: the corpus is meant to be committed");
    let started = Instant::now();
    let files: Vec<PathBuf> = corpus.into_iter().chain(inputs("regressions", target)).collect();
    for file in &files {
        let data = fs::read(file).expect("read corpus file");
        // Name the input if the harness panics (the panic message follows).
        let result = std::panic::catch_unwind(|| run(&data));
        if let Err(e) = result {
            eprintln!("fuzz target {target} fails on {}", file.display());
            std::panic::resume_unwind(e);
        }
    }
    eprintln!("{target}: {} inputs in {:?}", files.len(), started.elapsed());
}

#[test]
fn decode_corpus() {
    replay("decode", fuzzing::decode);
}

#[test]
fn processor_corpus() {
    replay("processor", fuzzing::processor);
}

#[test]
fn sealed_corpus() {
    replay("sealed", evs::net::fuzzing::sealed);
}
