//! The condition language on any text: parsed, and when it parses, shown inside a questionnaire
//! (which resolves it against the questions) — errors, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

const SMALL: &str = include_str!("../../tests/fixtures/small/small.toml");

fuzz_target!(|data: &[u8]| {
    let Ok(condition) = std::str::from_utf8(data) else { return };
    if dxsurvey::survey::condition::parse::parse(condition).is_err() || condition.contains(['\n', '\'', '\\']) {
        return;
    }
    // The same condition as the `show_if` of the fixture's last question.
    let source = format!("{SMALL}\n");
    if let Some(at) = source.rfind("[[questions]]") {
        let with = format!("{}show_if = '{condition}'\n{}", &source[..at + 14], &source[at + 14..]);
        let _ = dxsurvey::survey::parse(&with, "fuzz.toml");
    }
});
