//! Writing the three export files of a wave into a folder.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::anonymise::{self, Protected};
use super::datapackage::Disclosure;
use super::microdata;
use super::release::{self, Release};
use super::{datapackage, write_aggregates};
use crate::app::App;
use crate::figures::{self, FiguresError, Sample};
use crate::response::{has_indicator, stored_scores};
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
/// into `dir`. `key` keys the pseudonyms.
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
    let mut release = Release::new(app, &sample, &questions);
    let risk = app.store.read(|c| {
        // Both passes read one snapshot, so that every row written was seen by the first.
        store::snapshot(c, |c| {
            let protected = anonymise::protect(
                &release::records(&mut release, c, wave_id)?,
                app.policy.threshold(),
            );
            write_rows(app, &sample, &mut release, &protected, key, c, wave_id, &mut out)?;
            Ok(protected.risk)
        })
    })?;
    std::io::Write::flush(&mut out).map_err(|source| ExportError::Io { path, source })?;
    let microdata_seconds = started.elapsed().as_secs_f64();

    let package = datapackage(
        app,
        &figures,
        &sample.survey,
        &questions,
        wave_id,
        &Disclosure { risk: &risk, quasi: &release.quasi, threshold: app.policy.threshold() },
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

/// Writes every row of the microdata, as `release` and `protected` show it.
#[allow(clippy::too_many_arguments)]
fn write_rows(
    app: &App,
    sample: &Sample,
    release: &mut Release<'_>,
    protected: &Protected,
    key: &str,
    conn: &rusqlite::Connection,
    wave_id: &str,
    out: &mut impl std::io::Write,
) -> Result<(), StoreError> {
    use std::fmt::Write as _;
    let (indicators, scores) = (sample.survey.indicators.len(), sample.survey.dimensions.len() + 1);
    let mut line = String::with_capacity(4096);
    let mut answers = String::with_capacity(4096);
    let mut number = ryu::Buffer::new();
    store::for_each_submitted_cells(conn, wave_id, &sample.survey.id, |conn, row| {
        let codes = release.codes(&row);
        line.clear();
        let _ = write!(
            line,
            "{},{},{},{}",
            microdata::pseudonym(key, row.id),
            codes.0,
            codes.1,
            codes.2
        );
        match figures::stratum_of(
            app,
            &sample.design,
            row.area_code,
            row.vsic_section,
            row.size_class,
        ) {
            Some((label, s)) => {
                let population = s.population.map(|p| p.to_string()).unwrap_or_default();
                let label = microdata::stratum_pseudonym(key, &label);
                let _ = write!(line, ",{label},{population},{}", number.format(s.weight()));
            }
            None => line.push_str(",,,"),
        }
        for i in 0..indicators {
            line.push_str(if has_indicator(row.indicator_bits, i) { ",1" } else { ",0" });
        }
        let mut overall = None;
        for (n, value) in stored_scores(row.score_values).take(scores).enumerate() {
            line.push(',');
            if let Some(value) = value {
                // Every digit: the published estimates are reproduced from these values.
                line.push_str(number.format(value));
                if n == scores - 1 {
                    overall = Some(value);
                }
            }
        }
        line.push(',');
        if let Some(o) = overall {
            line.push_str(&sample.survey.levels[sample.survey.level_for(o)].id);
        }
        answers.clear();
        release.answers(conn, &row, &mut answers)?;
        let original = release.key(&answers);
        let blank = vec![0; original.len()];
        let published = protected.published(&codes, &original).unwrap_or(&blank);
        release.rewrite(&answers, published, &mut line);
        line.push('\n');
        out.write_all(line.as_bytes()).map_err(|e| StoreError::Invalid(e.to_string()))
    })
}
