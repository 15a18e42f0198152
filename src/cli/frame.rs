//! `dxsurvey frame import FILE --wave W` (counts per stratum), `dxsurvey frame register FILE
//! --wave W` (the named register, from which the counts derive) and `dxsurvey frame agencies
//! FILE --wave W` (the public agencies, all invited).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::CliError;
use crate::app::App;
use crate::config::AppConfig;
use crate::service::Actor;
use crate::service::register::{FrameError, import_agencies, import_frame, import_register};

#[derive(Debug, Subcommand)]
pub enum FrameCommand {
    /// Replace the frame of a wave with a CSV: area_code,vsic_section,size_class,enterprises.
    Import {
        file: PathBuf,
        #[arg(long)]
        wave: String,
    },
    /// Replace the named business register of a wave with a CSV, and its frame with the
    /// register's counts: tax_code,name,area_code, the section (vsic_section in the wave's VSIC
    /// version, or vsic2018_section / vsic2025_section, with vsic_division for VSIC 2018's J),
    /// then size_class (or employees, revenue, capital in billions of đồng), address, email,
    /// phone, in any order.
    Register {
        file: PathBuf,
        #[arg(long)]
        wave: String,
    },
    /// Replace the public agencies of a wave with a CSV, every one of them to be invited:
    /// code,name,area_code,kind (a kind of agency of the wave's agency questionnaire), then
    /// address, email, phone, language, in any order.
    Agencies {
        file: PathBuf,
        #[arg(long)]
        wave: String,
    },
}

pub fn run(config: &AppConfig, command: FrameCommand) -> Result<ExitCode, CliError> {
    let app = App::start(config)?;
    let open = |file: &PathBuf| {
        std::fs::File::open(file)
            .map_err(|e| CliError(format!("{}: cannot read: {e}", file.display())))
    };
    let (file, wave, what, imported) = match command {
        FrameCommand::Import { file, wave } => {
            let imported = import_frame(&app, &wave, open(&file)?, &Actor::command_line());
            (file, wave, "frame", imported)
        }
        FrameCommand::Register { file, wave } => {
            let imported = import_register(&app, &wave, open(&file)?, &Actor::command_line());
            (file, wave, "named register and frame", imported)
        }
        FrameCommand::Agencies { file, wave } => {
            let imported = import_agencies(&app, &wave, open(&file)?, &Actor::command_line());
            let imported = imported.map(|a| a.summary());
            return report(&file, &wave, "agency register", imported);
        }
    };
    let imported = imported.map(|i| i.summary());
    report(&file, &wave, what, imported)
}

/// What an import did, or every problem of its file.
fn report(
    file: &std::path::Path,
    wave: &str,
    what: &str,
    imported: Result<String, FrameError>,
) -> Result<ExitCode, CliError> {
    match imported {
        Ok(summary) => {
            super::emit(&format!("imported the {what} of wave {wave}: {summary}"))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(FrameError::NoWave(_)) => Err(CliError(format!("no wave '{wave}'"))),
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
