//! `dxsurvey frame import FILE --wave W`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::CliError;
use crate::app::App;
use crate::config::AppConfig;
use crate::frame::read_frame;
use crate::store;

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
    if app.store.read(|c| store::wave(c, &wave))?.is_none() {
        return Err(CliError(format!("no wave '{wave}'")));
    }
    let input = std::fs::File::open(&file)
        .map_err(|e| CliError(format!("{}: cannot read: {e}", file.display())))?;
    let rows = match read_frame(input, &app.reference) {
        Ok(rows) => rows,
        Err(problems) => {
            for problem in &problems {
                eprintln!("{}: {problem}", file.display());
            }
            return Err(CliError(format!(
                "{}: {} problem(s); nothing was imported",
                file.display(),
                problems.len()
            )));
        }
    };
    let total: u64 = rows.iter().map(|r| r.enterprises).sum();
    let detail = format!("{} strata, {total} enterprises", rows.len());
    app.store.write(|tx| {
        store::replace_frame(tx, &wave, &rows)?;
        store::audit(tx, Some("command line"), "frame.import", Some(&wave), Some(&detail), None)
    })?;
    println!("imported the frame of wave {wave}: {detail}");
    Ok(ExitCode::SUCCESS)
}
