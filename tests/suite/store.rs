//! The database: migrations, questionnaire versions, waves, responses, on a real SQLite file.

use std::path::Path;

use dxsurvey::answers::Answers;
use dxsurvey::app::{App, StartError};
use dxsurvey::response::new_response;
use dxsurvey::store::{self, ResponseStatus, Store};
use dxsurvey::survey::Role;
use tempfile::TempDir;

use crate::helpers::{config, fixture, repo};

/// A copy of the shipped questionnaires that a test may edit.
fn copy_surveys(dir: &TempDir) -> std::path::PathBuf {
    let surveys = dir.path().join("surveys");
    std::fs::create_dir_all(&surveys).unwrap();
    for name in ["enterprise-dx.toml", "agency-dx.toml"] {
        std::fs::copy(repo().join("surveys").join(name), surveys.join(name)).unwrap();
    }
    surveys
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn migrations_create_the_schema_once_and_can_run_again() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("nested/folder/db.sqlite");
    drop(Store::open(&path).unwrap());
    let store = Store::open(&path).unwrap();
    let (version, mode): (i64, String) = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT user_version, journal_mode FROM pragma_user_version, pragma_journal_mode",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .unwrap();
    assert_eq!(version, 18);
    assert_eq!(mode, "wal");
    let tables: Vec<String> = store
        .read(|c| {
            let mut stmt =
                c.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")?;
            Ok(stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?)
        })
        .unwrap();
    assert_eq!(
        tables,
        [
            "api_tokens",
            "area_group_members",
            "area_groups",
            "areas",
            "audit_log",
            "benchmarks",
            "frame_strata",
            "health",
            "invitations",
            "login_failures",
            "microdata_rows",
            "organisations",
            "outbox",
            "questionnaires",
            "register_units",
            "responses",
            "sample_strata",
            "sample_units",
            "samples",
            "sectors",
            "sessions",
            "sign_in_addresses",
            "unit_events",
            "user_area_groups",
            "user_areas",
            "users",
            "wave_calibration",
            "wave_questionnaires",
            "wave_reminders",
            "waves"
        ]
    );
}

#[test]
fn first_start_loads_reference_data_questionnaires_and_opens_this_years_wave() {
    let dir = TempDir::new().unwrap();
    let app = App::start(&config(&dir)).unwrap();
    assert_eq!(app.store.read(store::area_count).unwrap(), 126);
    let waves = app.store.read(store::open_waves).unwrap();
    assert_eq!(waves.len(), 1);
    let year = dxsurvey::kernel::format::today().year().to_string();
    assert_eq!(waves[0].id, year);
    assert_eq!(
        waves[0].questionnaires,
        vec![("agency-dx".to_string(), 2), ("enterprise-dx".to_string(), 2)]
    );
    drop(app);
    // A second start finds everything in place and opens no second wave.
    let app = App::start(&config(&dir)).unwrap();
    assert_eq!(app.store.read(store::waves).unwrap().len(), 1);
    assert_eq!(app.store.read(store::all_questionnaires).unwrap().len(), 2);
}

#[test]
fn a_changed_questionnaire_needs_a_new_version_and_old_versions_are_kept() {
    let dir = TempDir::new().unwrap();
    let mut config = config(&dir);
    config.surveys = copy_surveys(&dir);
    let enterprise = config.surveys.join("enterprise-dx.toml");
    drop(App::start(&config).unwrap());

    // Comments and layout may change freely.
    edit(&enterprise, "version = 2", "# layout only\nversion   =   2");
    drop(App::start(&config).unwrap());

    // A changed definition under the same version is refused, and says what to do.
    edit(&enterprise, "Chiến lược\"", "Chiến lược số\"");
    let Err(StartError::Store(e)) = App::start(&config) else { panic!("expected a conflict") };
    let message = e.to_string();
    assert!(
        message.contains("questionnaire 'enterprise-dx' version 2 differs")
            && message.contains("raise `version`"),
        "{message}"
    );

    // With a new version both definitions are kept and the new one is current.
    edit(&enterprise, "version   =   2", "version = 3");
    let app = App::start(&config).unwrap();
    assert!(app.catalog.get("enterprise-dx", 2).is_some());
    assert_eq!(app.catalog.current("enterprise-dx").unwrap().version, 3);
    let stored = app.store.read(store::all_questionnaires).unwrap();
    assert_eq!(stored.iter().filter(|q| q.survey_id == "enterprise-dx").count(), 2);
}

#[test]
fn an_invalid_questionnaire_stops_start_up_and_leaves_the_database_untouched() {
    let dir = TempDir::new().unwrap();
    let mut config = config(&dir);
    config.surveys = fixture("broken");
    let Err(StartError::Surveys(e)) = App::start(&config) else {
        panic!("expected invalid questionnaires")
    };
    assert!(e.problems.len() >= 15);
    assert!(
        !config.database.exists(),
        "nothing should be created before the questionnaires are valid"
    );
}

#[test]
fn a_response_is_stored_with_its_version_stratum_and_scores() {
    let dir = TempDir::new().unwrap();
    let app = App::start(&config(&dir)).unwrap();
    let survey = app.catalog.current("enterprise-dx").unwrap().clone();
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("surveys/examples/enterprise-answers.json")).unwrap(),
    )
    .unwrap();
    let answers = Answers::from_json(&survey, json.as_object().unwrap(), &app.reference).unwrap();
    let wave = app.store.read(store::open_waves).unwrap().remove(0);
    let response =
        new_response(&survey, &answers, &app.reference, &wave.id, ResponseStatus::Submitted);
    let id = app.store.write(|tx| store::insert_response(tx, &response, None)).unwrap();

    let (version, area, size, overall, answers_json): (u32, String, String, f64, String) = app
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT version, area_code, size_class, overall_score, answers FROM responses WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )?)
        })
        .unwrap();
    assert_eq!(version, 2, "the questionnaire version answered");
    let area_question = &survey.questions[survey.role_question(Role::Area).unwrap()].id;
    assert_eq!(json[area_question].as_str(), Some(area.as_str()));
    assert!(["micro", "small", "medium", "large"].contains(&size.as_str()));
    assert_eq!(Some(overall), dxsurvey::scoring::score(&survey, &answers).overall);
    // The stored answers read back into the same answers.
    let stored: serde_json::Value = serde_json::from_str(&answers_json).unwrap();
    assert_eq!(
        Answers::from_json(&survey, stored.as_object().unwrap(), &app.reference).unwrap(),
        answers
    );

    // The same tax code cannot answer twice in one wave.
    let again = app.store.write(|tx| store::insert_response(tx, &response, None));
    assert!(again.unwrap_err().to_string().contains("already has a response in wave"));
}
