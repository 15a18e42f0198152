//! `dxsurvey export --wave W --out DIR`.

use std::path::PathBuf;
use std::process::ExitCode;

use super::CliError;
use crate::app::App;
use crate::config::AppConfig;
use crate::export;
use crate::figures::figures;
use crate::store;
use crate::survey::RespondentKind;

pub fn run(
    config: &AppConfig,
    wave: &str,
    out: &PathBuf,
    survey: Option<String>,
    threshold: u32,
) -> Result<ExitCode, CliError> {
    let app = App::start(config)?;
    let found = app
        .store
        .read(|c| store::wave(c, wave))?
        .ok_or_else(|| CliError(format!("no wave '{wave}'")))?;
    let survey = match survey {
        Some(id) => id,
        None => found
            .questionnaires
            .iter()
            .filter_map(|(id, v)| app.catalog.get(id, *v))
            .find(|s| s.kind == RespondentKind::Enterprise)
            .map(|s| s.id.clone())
            .ok_or_else(|| {
                CliError(format!(
                    "wave {wave} has no enterprise questionnaire; name one with --survey"
                ))
            })?,
    };
    std::fs::create_dir_all(out).map_err(|e| CliError(format!("{}: {e}", out.display())))?;
    let figures = figures(&app, wave, &survey, threshold)?;
    let path = out.join("aggregates.csv");
    let file =
        std::fs::File::create(&path).map_err(|e| CliError(format!("{}: {e}", path.display())))?;
    export::write_aggregates(&figures, std::io::BufWriter::new(file))?;
    let detail =
        format!("{survey}: aggregates{}", if figures.weighted { "" } else { ", not weighted" });
    app.store.write(|tx| {
        store::audit(tx, Some("command line"), "export", Some(wave), Some(&detail), None)
    })?;
    println!(
        "wrote {} ({} figures of {} respondents{})",
        path.display(),
        figures.figures.len(),
        figures.respondents,
        if figures.weighted { ", weighted to the frame" } else { "; no frame: NOT representative" }
    );
    Ok(ExitCode::SUCCESS)
}
