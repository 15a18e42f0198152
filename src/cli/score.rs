//! `dxsurvey score ANSWERS.json --survey ID [--version N]`.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use serde_json::Value;

use super::CliError;
use crate::answers::Answers;
use crate::app::App;
use crate::config::AppConfig;
use crate::reference::Reference;
use crate::scoring::{ScoreReport, score};
use crate::survey::{Survey, load_paths};

/// The questionnaire to score against: the file's current version, or a version kept in the
/// database (every version ever loaded is).
fn questionnaire(
    config: &AppConfig,
    survey_id: &str,
    version: Option<u32>,
) -> Result<Arc<Survey>, CliError> {
    if let Some(version) = version {
        let app = App::start(config)?;
        return app.catalog.get(survey_id, version).cloned().ok_or_else(|| {
            let known: Vec<String> =
                app.catalog.versions_of(survey_id).iter().map(|s| s.version.to_string()).collect();
            CliError(format!(
                "no version {version} of questionnaire '{survey_id}' in the database; known: {}",
                if known.is_empty() { "none".into() } else { known.join(", ") }
            ))
        });
    }
    let files = load_paths(std::slice::from_ref(&config.surveys))?;
    let known: Vec<String> = files.iter().map(|f| f.survey.id.clone()).collect();
    let file = files.into_iter().find(|f| f.survey.id == survey_id).ok_or_else(|| {
        CliError(format!(
            "no questionnaire '{survey_id}' in {}; known: {}",
            config.surveys.display(),
            known.join(", ")
        ))
    })?;
    Ok(Arc::new(file.survey))
}

pub fn run(
    config: &AppConfig,
    path: &Path,
    survey_id: &str,
    version: Option<u32>,
) -> Result<ExitCode, CliError> {
    let survey = &*questionnaire(config, survey_id, version)?;
    let reference = Reference::load(&config.reference)?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError(format!("{}: cannot read: {e}", path.display())))?;
    let json: Value = serde_json::from_str(&text)
        .map_err(|e| CliError(format!("{}: not valid JSON: {e}", path.display())))?;
    let Value::Object(object) = json else {
        return Err(CliError(format!(
            "{}: must hold one JSON object mapping question ids to answers",
            path.display()
        )));
    };
    let answers = match Answers::from_json(survey, &object, &reference) {
        Ok(answers) => answers,
        Err(problems) => {
            for problem in &problems {
                eprintln!(
                    "{}: question '{}': {}",
                    path.display(),
                    problem.question,
                    problem.message(crate::survey::Lang::En)
                );
            }
            return Err(CliError(format!(
                "{}: {} answer(s) do not fit questionnaire '{survey_id}'",
                path.display(),
                problems.len()
            )));
        }
    };
    for missing in answers.missing(survey) {
        eprintln!(
            "{}: note: required question '{}' is not answered",
            path.display(),
            missing.question
        );
    }
    let report = ScoreReport::new(survey, &score(survey, &answers));
    super::emit(&serde_json::to_string_pretty(&report)?)?;
    Ok(ExitCode::SUCCESS)
}
