//! `dxsurvey score ANSWERS.json --survey ID`.

use std::path::Path;
use std::process::ExitCode;

use serde_json::Value;

use super::CliError;
use crate::answers::Answers;
use crate::config::AppConfig;
use crate::reference::Reference;
use crate::scoring::{ScoreReport, score};
use crate::survey::load_paths;

pub fn run(config: &AppConfig, path: &Path, survey_id: &str) -> Result<ExitCode, CliError> {
    let files = load_paths(std::slice::from_ref(&config.surveys))?;
    let Some(file) = files.iter().find(|f| f.survey.id == survey_id) else {
        let known: Vec<&str> = files.iter().map(|f| f.survey.id.as_str()).collect();
        return Err(CliError(format!(
            "no questionnaire '{survey_id}' in {}; known: {}",
            config.surveys.display(),
            known.join(", ")
        )));
    };
    let survey = &file.survey;
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
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(ExitCode::SUCCESS)
}
