//! Questionnaire texts name the wave's years through placeholders (issue 14): one version of a
//! questionnaire reads "2025" in a wave that opens in 2026 and "2024" in one that opened in
//! 2025, and a placeholder nobody knows is refused when the file is checked.

use dxsurvey::app::App;
use dxsurvey::kernel::Text;
use dxsurvey::store::{self, NewWave};
use rocket::local::asynchronous::Client;
use tempfile::TempDir;

use crate::helpers::{run, text};

/// A copy of the shipped questionnaires, which name the wave's years by placeholders.
fn surveys_with_placeholders(dir: &TempDir) -> std::path::PathBuf {
    crate::helpers::surveys_with_enterprise(dir, |source| {
        assert!(source.contains("bình quân năm {ref_year}"), "the shipped file names no year");
        source
    })
}

#[rocket::async_test]
async fn one_version_reads_each_waves_own_years() {
    let dir = TempDir::new().unwrap();
    let surveys = surveys_with_placeholders(&dir);
    let (rocket, _db) = crate::helpers::rocket_with(|c| c.surveys = surveys.clone());
    let client = Client::tracked(rocket).await.unwrap();
    let app = client.rocket().state::<App>().unwrap();
    let current = app.store.read(store::open_waves).unwrap().last().unwrap().clone();
    let opened: i32 = current.opens_on[..4].parse().unwrap();
    let earlier = NewWave {
        id: "early".into(),
        title: Text::new("Đợt mở sớm", "Early wave"),
        opens_on: format!("{}-01-01", opened - 1),
        closes_on: format!("{}-12-31", opened + 1),
        questionnaires: current.questionnaires.clone(),
    };
    app.store.write(|tx| store::create_wave(tx, &earlier)).unwrap();

    for (wave, year) in [(current.id.as_str(), opened - 1), ("early", opened - 2)] {
        let survey = app.questionnaire_in_wave(wave, "enterprise-dx", 2, None).unwrap().unwrap();
        let period = format!("{}–{year}", year - 2);
        assert!(survey.observation_period.vi.contains(&period), "{}", survey.observation_period.vi);
        let page = client.get(format!("/start/{wave}/enterprise-dx")).dispatch().await;
        let html = page.into_string().await.unwrap();
        assert!(html.contains(&format!("bình quân năm {year}")), "{wave}: {html}");
        assert!(!html.contains("{ref_year}"), "no placeholder is shown");
    }
}

#[test]
fn a_placeholder_nobody_knows_is_refused_with_its_line() {
    let dir = TempDir::new().unwrap();
    let surveys = surveys_with_placeholders(&dir);
    let file = surveys.join("enterprise-dx.toml");
    let source = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, source.replacen("{ref_year}", "{refyear}", 1)).unwrap();
    let output = run(&dir, &["check", file.to_str().unwrap()], &[]);
    let (_, stderr) = text(&output);
    assert!(!output.status.success());
    assert!(
        stderr.contains("enterprise-dx.toml:14: `observation_period` names {refyear}, which is not a placeholder; the placeholders are {ref_year}, {period_start}, {period_end}"),
        "{stderr}"
    );
}
