//! `dxsurvey check`: every problem of every questionnaire, then one summary line.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::AppConfig;
use crate::survey::load_paths;

pub fn run(config: &AppConfig, paths: Vec<PathBuf>) -> ExitCode {
    let paths = if paths.is_empty() { vec![config.surveys.clone()] } else { paths };
    match load_paths(&paths) {
        Ok(files) => {
            for file in &files {
                let s = &file.survey;
                println!(
                    "{}: ok: '{}' version {}, {} questions, {} dimensions, {} levels, {} indicators",
                    file.path.display(),
                    s.id,
                    s.version,
                    s.questions.len(),
                    s.dimensions.len(),
                    s.levels.len(),
                    s.indicators.len()
                );
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
