//! `dxsurvey export --wave W --out DIR`.

use std::path::Path;
use std::process::ExitCode;

use super::{CliError, say};
use crate::app::App;
use crate::config::AppConfig;
use crate::export::{ExportOptions, Format, export, zip_folder};
use crate::kernel::Lang;
use crate::service::waves as wave_rules;
use crate::store;

/// The options of `--lang` and `--formats`, or what is wrong with them.
pub fn options(lang: &str, formats: &str) -> Result<ExportOptions, CliError> {
    let lang = Lang::parse(lang)
        .ok_or_else(|| CliError(format!("--lang: '{lang}' is not a language: use vi or en")))?;
    let formats = match formats.trim() {
        "none" | "" => Vec::new(),
        list => list
            .split(',')
            .map(|name| {
                Format::parse(name).ok_or_else(|| {
                    CliError(format!("--formats: '{name}' is not one of dta, sav, xlsx, r"))
                })
            })
            .collect::<Result<_, _>>()?,
    };
    Ok(ExportOptions { lang, formats })
}

pub fn run(
    config: &AppConfig,
    waves: &[String],
    (out, zip): (&Path, Option<&Path>),
    survey: Option<String>,
    options: &ExportOptions,
) -> Result<ExitCode, CliError> {
    let app = App::start(config)?;
    for wave in waves {
        app.store
            .read(|c| store::wave(c, wave))?
            .ok_or_else(|| CliError(format!("no wave '{wave}'")))?;
    }
    let wave = waves.last().map(String::as_str).unwrap_or_default();
    let found = app
        .store
        .read(|c| store::wave(c, wave))?
        .ok_or_else(|| CliError(format!("no wave '{wave}'")))?;
    let survey = match survey {
        Some(id) => id,
        None => wave_rules::primary_questionnaire(&app, &found).ok_or_else(|| {
            CliError(format!("wave {wave} has no enterprise questionnaire; name one with --survey"))
        })?,
    };
    // Pseudonyms are keyed by the installation's secret: stable here, meaningless elsewhere.
    let listed: Vec<&str> = waves.iter().map(String::as_str).collect();
    let summary = export(&app, &listed, &survey, out, &app.secret, options)?;
    if let Some(zip) = zip {
        let file =
            std::fs::File::create(zip).map_err(|e| CliError(format!("{}: {e}", zip.display())))?;
        zip_folder(out, std::io::BufWriter::new(file))
            .map_err(|e| CliError(format!("{}: {e}", zip.display())))?;
    }
    let detail = format!(
        "{survey}: aggregates, microdata, codebook{}",
        if summary.weighted { "" } else { " (not weighted)" }
    );
    app.store.write(|tx| {
        store::audit(
            tx,
            Some("command line"),
            "export",
            Some(&listed.join("+")),
            Some(&detail),
            None,
        )
    })?;
    let labelled: Vec<&str> = options.formats.iter().map(|f| f.file_name()).collect();
    say!(
        "wrote aggregates.csv ({} figures), microdata.csv ({} respondents){}, datapackage.json and README.md to {}{}",
        summary.figures,
        summary.respondents,
        labelled.iter().map(|f| format!(", {f}")).collect::<String>(),
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
