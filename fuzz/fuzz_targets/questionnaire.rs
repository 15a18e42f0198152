//! The questionnaire loader on any text: problems are reported, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(source) = std::str::from_utf8(data) {
        let _ = dxsurvey::survey::parse(source, "fuzz.toml");
    }
});
