//! `dxsurvey export --wave W --out DIR`.

use std::path::Path;
use std::process::ExitCode;

use super::{CliError, say};
use crate::app::App;
use crate::config::AppConfig;
use crate::export::export;
use crate::service::waves;
use crate::store;

pub fn run(
    config: &AppConfig,
    wave: &str,
    out: &Path,
    survey: Option<String>,
) -> Result<ExitCode, CliError> {
    let app = App::start(config)?;
    let found = app
        .store
        .read(|c| store::wave(c, wave))?
        .ok_or_else(|| CliError(format!("no wave '{wave}'")))?;
    let survey = match survey {
        Some(id) => id,
        None => waves::primary_questionnaire(&app, &found).ok_or_else(|| {
            CliError(format!("wave {wave} has no enterprise questionnaire; name one with --survey"))
        })?,
    };
    // Pseudonyms are keyed by the installation's secret: stable here, meaningless elsewhere.
    let summary = export(&app, wave, &survey, out, &app.secret)?;
    let detail = format!(
        "{survey}: aggregates, microdata, codebook{}",
        if summary.weighted { "" } else { " (not weighted)" }
    );
    app.store.write(|tx| {
        store::audit(tx, Some("command line"), "export", Some(wave), Some(&detail), None)
    })?;
    say!(
        "wrote aggregates.csv ({} figures), microdata.csv ({} respondents) and datapackage.json to {}{}",
        summary.figures,
        summary.respondents,
        out.display(),
        if summary.weighted {
            ""
        } else {
            "; no frame for this wave: the figures are NOT representative"
        }
    );
    #[allow(clippy::cast_precision_loss)]
    let rate = summary.respondents as f64 / summary.microdata_seconds.max(1e-9);
    say!(
        "figures computed in {:.2} s; microdata written in {:.2} s ({rate:.0} rows/s)",
        summary.figures_seconds,
        summary.microdata_seconds
    );
    Ok(ExitCode::SUCCESS)
}
