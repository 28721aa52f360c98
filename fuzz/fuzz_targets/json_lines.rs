//! The JSON-lines decoder (see `decoder.rs`).
#![no_main]

mod decoder;

libfuzzer_sys::fuzz_target!(|data: &[u8]| decoder::run("json", data));
