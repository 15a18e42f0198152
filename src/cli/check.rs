//! `dxsurvey check`: every problem of every questionnaire, then one summary line.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::advice::Advice;
use crate::app::unknown_target_indicators;
use crate::config::AppConfig;
use crate::reference::Reference;
use crate::survey::reading::{promised_minutes, reading, words_per_minute};
use crate::survey::{Lang, LoadError, Problem, Survey, SurveyFile, load_paths};

/// The questionnaires, then what the server needs beside them: each one's recommendations
/// (`reports/recommendations/<id>.toml`) and targets that name their indicators.
fn load_all(config: &AppConfig, paths: &[PathBuf]) -> Result<Vec<SurveyFile>, LoadError> {
    let files = load_paths(paths)?;
    let surveys: Vec<&Survey> = files.iter().map(|f| &f.survey).collect();
    let mut problems = Vec::new();
    if let Err(e) = Advice::load(&config.reports.join("recommendations"), &surveys) {
        problems.extend(e.problems);
    }
    // Targets are checked against everything the server would load beside the files checked.
    let configured = load_paths(std::slice::from_ref(&config.surveys)).unwrap_or_default();
    let mut served = surveys.clone();
    served.extend(
        configured.iter().map(|f| &f.survey).filter(|s| !surveys.iter().any(|c| c.id == s.id)),
    );
    match Reference::load(&config.reference) {
        Ok(reference) => {
            if let Err(e) = unknown_target_indicators(config, &reference, &served) {
                problems.extend(e.problems);
            }
        }
        Err(e) => problems.extend(e.problems.into_iter().map(|message| Problem {
            file: config.reference.display().to_string(),
            line: None,
            item: None,
            message,
        })),
    }
    if problems.is_empty() { Ok(files) } else { Err(LoadError { problems }) }
}

/// How long `survey` takes to read in each language, and a warning where that is longer than
/// its description promises.
fn reading_lines(survey: &Survey) -> Vec<String> {
    let mut lines = Vec::new();
    for lang in [Lang::Vi, Lang::En] {
        let r = reading(survey, lang);
        let unit = if lang == Lang::Vi { "syllables" } else { "words" };
        lines.push(format!(
            "  reading ({}): {} {unit}, {} min at {} a minute; the questions every respondent \
             sees: {} {unit}, {} min",
            lang.code(),
            r.words,
            r.minutes(),
            words_per_minute(lang),
            r.always_shown,
            r.minutes_always_shown()
        ));
        match promised_minutes(&survey.description, lang) {
            Some(promised) if r.minutes() > promised => lines.push(format!(
                "  warning: reading it all ({}) takes {} min, more than the {promised} min its \
                 description promises",
                lang.code(),
                r.minutes()
            )),
            Some(_) => {}
            None => lines.push(format!(
                "  note: the description ({}) promises no answering time",
                lang.code()
            )),
        }
    }
    lines
}

pub fn run(config: &AppConfig, paths: Vec<PathBuf>) -> ExitCode {
    let paths = if paths.is_empty() { vec![config.surveys.clone()] } else { paths };
    match load_all(config, &paths) {
        Ok(files) => {
            for file in &files {
                let s = &file.survey;
                let line = format!(
                    "{}: ok: '{}' version {}, {} questions, {} dimensions, {} levels, {} indicators",
                    file.path.display(),
                    s.id,
                    s.version,
                    s.questions.len(),
                    s.dimensions.len(),
                    s.levels.len(),
                    s.indicators.len()
                );
                let experiment = s.experiment.as_ref().map(|e| {
                    let arms: Vec<&str> = e.arms.iter().map(|a| a.id.as_str()).collect();
                    format!(
                        "  split-ballot experiment '{}': {} arms ({}), each respondent assigned one at random",
                        e.id,
                        arms.len(),
                        arms.join(", ")
                    )
                });
                for line in std::iter::once(line).chain(experiment).chain(reading_lines(s)) {
                    if let Err(e) = super::emit(&line) {
                        eprintln!("error: {}", e.0);
                        return ExitCode::FAILURE;
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            for problem in &e.problems {
                eprintln!("{problem}");
            }
            let files: std::collections::BTreeSet<&str> =
                e.problems.iter().map(|p| p.file.as_str()).collect();
            eprintln!("{} problem(s) in {} file(s)", e.problems.len(), files.len());
            ExitCode::FAILURE
        }
    }
}
