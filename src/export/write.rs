//! Writing the three export files of a wave into a folder.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::anonymise;
use super::datapackage::{Design, Disclosure};
use super::groups;
use super::microdata;
use super::release::Release;
use super::{datapackage, write_aggregates};
use crate::app::App;
use crate::figures::{self, FiguresError};
use crate::store::{self, StoreError};

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    pub survey: String,
    /// Seconds spent reading the responses and computing the figures, and writing microdata.
    pub figures_seconds: f64,
    pub microdata_seconds: f64,
    pub respondents: usize,
    pub figures: usize,
    pub weighted: bool,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Figures(#[from] FiguresError),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("writing JSON: {0}")]
    Json(#[from] serde_json::Error),
}

fn create(path: &Path) -> Result<BufWriter<File>, ExportError> {
    File::create(path)
        .map(|f| BufWriter::with_capacity(1 << 20, f))
        .map_err(|source| ExportError::Io { path: path.to_path_buf(), source })
}

/// Writes `aggregates.csv`, `microdata.csv` and `datapackage.json` of `survey_id` in `wave_id`
/// into `dir`, and `response_groups.csv` for a sample wave. `key` keys the pseudonyms.
pub fn export(
    app: &App,
    wave_id: &str,
    survey_id: &str,
    dir: &Path,
    key: &str,
) -> Result<ExportSummary, ExportError> {
    std::fs::create_dir_all(dir)
        .map_err(|source| ExportError::Io { path: dir.to_path_buf(), source })?;
    let started = std::time::Instant::now();
    let sample = figures::sample(app, wave_id, survey_id)?;
    let figures = figures::figures_of(app, wave_id, &sample);
    let figures_seconds = started.elapsed().as_secs_f64();
    write_aggregates(&figures, create(&dir.join("aggregates.csv"))?)?;
    let groups = groups::has_groups(&sample);
    if groups {
        groups::write_groups(app, &sample, key, create(&dir.join("response_groups.csv"))?)?;
    }
    let started = std::time::Instant::now();

    let questions = microdata::exported_questions(&app.catalog, survey_id);
    // One `level` column rather than the one-hot `level_*` shares of the aggregates.
    let variables: Vec<String> = sample
        .variables
        .iter()
        .map(|v| v.id().to_string())
        .filter(|id| !id.starts_with("level_"))
        .chain(["level".to_string()])
        .collect();
    let path = dir.join("microdata.csv");
    let mut out = create(&path)?;
    {
        let mut header = csv::Writer::from_writer(&mut out);
        microdata::write_header(&mut header, &variables, &questions)?;
        header.flush().map_err(|source| ExportError::Io { path: path.clone(), source })?;
    }
    let mut release = Release::new(app, &sample, &questions, key);
    let risk = app.store.read(|c| {
        // Both passes read one snapshot, so that every row written was seen by the first.
        store::snapshot(c, |c| {
            let protected =
                anonymise::protect(&release.records(c, wave_id)?, app.policy.threshold());
            release.write(&protected, key, c, wave_id, &mut out)?;
            Ok(protected.risk)
        })
    })?;
    std::io::Write::flush(&mut out).map_err(|source| ExportError::Io { path, source })?;
    let microdata_seconds = started.elapsed().as_secs_f64();

    let calibration = app.store.read(|c| store::calibration_of(c, wave_id))?;
    let package = datapackage(
        app,
        &figures,
        &sample.survey,
        &questions,
        wave_id,
        &Disclosure { risk: &risk, quasi: &release.quasi, threshold: app.policy.threshold() },
        &Design { groups, calibration: calibration.as_ref() },
    );
    serde_json::to_writer_pretty(create(&dir.join("datapackage.json"))?, &package)?;
    Ok(ExportSummary {
        survey: survey_id.into(),
        figures_seconds,
        microdata_seconds,
        respondents: sample.respondents,

        figures: figures.figures.len(),
        weighted: figures.weighted,
    })
}
