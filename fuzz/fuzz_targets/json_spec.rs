//! The JSON job spec: parse (with its depth and size limits), then validate. Errors are fine;
//! panics, stack overflows and hangs are not.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(spec) = weir_core::plan::parse_job_spec(text) {
        let _ = weir_core::plan::validate(&spec);
    }
});
