//! Answer parsing on any input: stored answers as JSON, and form fields applied to every page
//! of the enterprise questionnaire — problems are reported, never a panic.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use dxsurvey::answers::Answers;
use dxsurvey::answers::form::apply_page;
use dxsurvey::reference::Reference;
use dxsurvey::survey::Survey;
use libfuzzer_sys::fuzz_target;

fn fixtures() -> &'static (Survey, Reference) {
    static LOADED: OnceLock<(Survey, Reference)> = OnceLock::new();
    LOADED.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let survey = dxsurvey::survey::load_file(&root.join("surveys/enterprise-dx.toml"))
            .expect("the shipped questionnaire loads")
            .survey;
        let reference =
            Reference::load(&root.join("surveys/reference")).expect("the shipped reference data loads");
        (survey, reference)
    })
}

fuzz_target!(|data: &[u8]| {
    let (survey, reference) = fixtures();
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(data) {
        let _ = Answers::from_json(survey, &map, reference);
    }
    let Ok(text) = std::str::from_utf8(data) else { return };
    // `name=value&name=value`, unescaped: names and values are whatever the input holds.
    let fields: Vec<(String, String)> = text
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let empty = Answers::default();
    for page in &survey.pages {
        let _ = apply_page(survey, page, &empty, &fields, reference);
    }
});
