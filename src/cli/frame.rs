//! `dxsurvey frame import FILE --wave W`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::CliError;
use crate::app::App;
use crate::config::AppConfig;
use crate::service::Actor;
use crate::service::register::{FrameError, import_frame};

#[derive(Debug, Subcommand)]
pub enum FrameCommand {
    /// Replace the frame of a wave with a CSV: area_code,vsic_section,size_class,enterprises.
    Import {
        file: PathBuf,
        #[arg(long)]
        wave: String,
    },
}

pub fn run(config: &AppConfig, command: FrameCommand) -> Result<ExitCode, CliError> {
    let FrameCommand::Import { file, wave } = command;
    let app = App::start(config)?;
    let input = std::fs::File::open(&file)
        .map_err(|e| CliError(format!("{}: cannot read: {e}", file.display())))?;
    match import_frame(&app, &wave, input, &Actor::command_line()) {
        Ok(imported) => {
            super::emit(&format!("imported the frame of wave {wave}: {}", imported.summary()))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(FrameError::NoWave(wave)) => Err(CliError(format!("no wave '{wave}'"))),
        Err(FrameError::Invalid(problems)) => {
            for problem in &problems {
                eprintln!("{}: {problem}", file.display());
            }
            Err(CliError(format!(
                "{}: {} problem(s); nothing was imported",
                file.display(),
                problems.len()
            )))
        }
        Err(FrameError::Store(e)) => Err(e.into()),
    }
}
