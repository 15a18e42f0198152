//! Writing the three export files of a wave into a folder.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::microdata::{self, K_ANONYMITY};
use super::{datapackage, write_aggregates};
use crate::app::App;
use crate::figures::{self, FiguresError};
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

    let mut by_codes: BTreeMap<(String, String, String), u32> = BTreeMap::new();
    for (k, n) in &sample.counts {
        *by_codes.entry(figures::codes_of(app, k)).or_default() += n;
    }
    let published = microdata::coarsen(&by_codes, K_ANONYMITY);
    let questions = microdata::exported_questions(&app.catalog, survey_id);
    // One `level` column rather than the one-hot `level_*` shares of the aggregates.
    let variables: Vec<String> = sample
        .variables
        .iter()
        .map(|v| v.id().to_string())
        .filter(|id| !id.starts_with("level_"))
        .chain(["level".to_string()])
        .collect();
    let (indicators, scores) = (sample.survey.indicators.len(), sample.survey.dimensions.len() + 1);
    let layout = microdata::Layout::new(&app.catalog, survey_id, &questions);
    let mut out = create(&dir.join("microdata.csv"))?;
    let io = |e: std::io::Error| ExportError::Io { path: dir.join("microdata.csv"), source: e };
    {
        let mut header = csv::Writer::from_writer(&mut out);
        microdata::write_header(&mut header, &variables, &questions)?;
        header.flush().map_err(io)?;
    }
    let columns = microdata::Columns::new(&questions);
    let mut line = String::with_capacity(4096);
    let mut fallback: Vec<String> = Vec::new();
    app.store.read(|c| {
        store::for_each_submitted_cells(
            c,
            wave_id,
            survey_id,
            |conn, row| -> Result<(), ExportErrorOr> {
                use std::fmt::Write as _;
                let codes = (
                    row.area_code.unwrap_or_default().to_string(),
                    row.vsic_section.unwrap_or_default().to_string(),
                    row.size_class.unwrap_or_default().to_string(),
                );
                let (area, section, size) = published.get(&codes).cloned().unwrap_or_default();
                line.clear();
                let _ =
                    write!(line, "{},{area},{section},{size}", microdata::pseudonym(key, row.id));
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
                        let _ = write!(line, ",{label},{population},{}", s.weight());
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
                        // Rounded, then written shortest: exact-precision formatting is the slow path.
                        let _ = write!(line, "{}", (value * 1e4).round() / 1e4);
                        if n == scores - 1 {
                            overall = Some(value);
                        }
                    }
                }
                line.push(',');
                if let Some(o) = overall {
                    line.push_str(&sample.survey.levels[sample.survey.level_for(o)].id);
                }
                match row.cells {
                    Some(cells) => layout.append(row.version, cells, &mut line),
                    None => {
                        // Submitted before cells were kept: read its answers the slow way.
                        let answers = store::answers_of(conn, row.id)?;
                        fallback.clear();
                        columns.cells(&answers, &mut fallback);
                        let mut writer = csv::WriterBuilder::new()
                            .terminator(csv::Terminator::Any(b'\n'))
                            .from_writer(Vec::new());
                        writer.write_record(&fallback).map_err(|e| ExportErrorOr(e.to_string()))?;
                        let bytes =
                            writer.into_inner().map_err(|e| ExportErrorOr(e.to_string()))?;
                        line.push(',');
                        line.push_str(String::from_utf8_lossy(&bytes).trim_end_matches('\n'));
                    }
                }
                line.push('\n');
                std::io::Write::write_all(&mut out, line.as_bytes())
                    .map_err(|e| ExportErrorOr(e.to_string()))
            },
        )
        .map_err(|e| StoreError::Invalid(e.0))
    })?;
    std::io::Write::flush(&mut out).map_err(io)?;
    let microdata_seconds = started.elapsed().as_secs_f64();

    let package = datapackage(app, &figures, &sample.survey, &questions, wave_id);
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

/// An error while writing a row, carried out of the database loop.
struct ExportErrorOr(String);

impl From<StoreError> for ExportErrorOr {
    fn from(e: StoreError) -> Self {
        ExportErrorOr(e.to_string())
    }
}
