//! Writing the files of a release (one wave or several) into a folder.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::aggregates::{write_aggregate_header, write_aggregate_rows};
use super::anonymise;
use super::csv_out::CsvWriter;
use super::datapackage;
use super::datapackage::{Design, Disclosure};
use super::dta::DtaWriter;
use super::groups;
use super::microdata;
use super::release::Release;
use super::sav::SavWriter;
use super::shape::{RowIds, Shape, UnknownCode};
use super::table::RowWriter;
use super::threaded::Threaded;
use super::xlsx::XlsxWriter;
use crate::app::App;
use crate::figures::{self, FiguresError};
use crate::kernel::Lang;
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
    #[error("{0}")]
    UnknownCode(#[from] UnknownCode),
    #[error("{0}")]
    Mismatch(#[from] super::shape::Mismatch),
    #[error("name at least one wave to export")]
    NoWave,
}

fn create(path: &Path) -> Result<BufWriter<File>, ExportError> {
    File::create(path)
        .map(|f| BufWriter::with_capacity(1 << 20, f))
        .map_err(|source| ExportError::Io { path: path.to_path_buf(), source })
}

/// The files of a microdata release besides `microdata.csv`, which is always written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `microdata.dta`, Stata 14 or newer.
    Stata,
    /// `microdata.sav`, SPSS.
    Spss,
    /// `microdata.xlsx`: the data and a codebook sheet.
    Excel,
    /// `microdata.R`: reads `microdata.csv` with labels, factors and the design.
    R,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Stata, Format::Spss, Format::Excel, Format::R];

    pub fn file_name(self) -> &'static str {
        match self {
            Format::Stata => "microdata.dta",
            Format::Spss => "microdata.sav",
            Format::Excel => "microdata.xlsx",
            Format::R => "microdata.R",
        }
    }

    /// Parses `dta`, `sav`, `xlsx` or `r`.
    pub fn parse(name: &str) -> Option<Format> {
        match name.trim().to_ascii_lowercase().as_str() {
            "dta" | "stata" => Some(Format::Stata),
            "sav" | "spss" => Some(Format::Spss),
            "xlsx" | "excel" => Some(Format::Excel),
            "r" => Some(Format::R),
            _ => None,
        }
    }
}

/// What an export writes besides the CSV files: the labelled formats, in which language.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub lang: crate::kernel::Lang,
    pub formats: Vec<Format>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions { lang: crate::kernel::Lang::Vi, formats: Format::ALL.to_vec() }
    }
}

/// One wave of an export, once its rows are written.
struct Written {
    survey: std::sync::Arc<crate::survey::Survey>,
    figures: figures::Figures,
    risk: anonymise::Risk,
    quasi: Vec<super::release::QuasiColumn>,
    calibration: Option<store::StoredCalibration>,
    groups: bool,
    respondents: usize,
    unlinked: usize,
}

/// Writes `aggregates.csv`, `microdata.csv` (and the labelled formats asked for),
/// `datapackage.json` and `README.md` of `survey_id` in `waves` into `dir`, and
/// `response_groups.csv` for the sample waves among them. Several waves go into the same files, one
/// after the other (their questionnaires must compute the same indicators and scores). `key`
/// keys the pseudonyms.
pub fn export(
    app: &App,
    waves: &[&str],
    survey_id: &str,
    dir: &Path,
    key: &str,
    options: &ExportOptions,
) -> Result<ExportSummary, ExportError> {
    std::fs::create_dir_all(dir)
        .map_err(|source| ExportError::Io { path: dir.to_path_buf(), source })?;
    let (mut figures_seconds, mut microdata_seconds) = (0.0, 0.0);
    let questions = microdata::exported_questions(&app.catalog, survey_id);
    let mut aggregates = csv::Writer::from_writer(create(&dir.join("aggregates.csv"))?);
    write_aggregate_header(&mut aggregates)?;
    let mut columns: Option<(Shape, Vec<Box<dyn RowWriter>>)> = None;
    let mut written = Vec::new();
    let groups_path = dir.join("response_groups.csv");
    let mut groups_file = None;
    let started = std::time::Instant::now();
    let unlinkable = super::panel::unlinkable(app, survey_id, &questions, key)?;
    microdata_seconds += started.elapsed().as_secs_f64();
    for wave_id in waves {
        let started = std::time::Instant::now();
        let sample = figures::sample(app, wave_id, survey_id)?;
        let figures = figures::figures_of(app, wave_id, &sample);
        figures_seconds += started.elapsed().as_secs_f64();
        write_aggregate_rows(&figures, &mut aggregates)?;
        let groups = groups::has_groups(&sample);
        if groups {
            let file = match &mut groups_file {
                Some(file) => file,
                None => groups_file.insert(groups::groups_file(create(&groups_path)?)?),
            };
            groups::write_groups(app, (&sample, wave_id), key, file)?;
        }
        let started = std::time::Instant::now();
        let mut release = Release::new(app, &sample, &questions, key);
        release.withhold_pseudonyms(&unlinkable);
        if columns.is_none() {
            let shape =
                Shape::new(app, &sample.survey, &questions, &release.quasi, options.lang, waves);
            let writers = writers(&shape, dir, &options.formats)?;
            columns = Some((shape, writers));
        }
        let (shape, writers) = columns.as_mut().expect("made above");
        shape.admits(&sample.survey, wave_id)?;
        let risk = app.store.read_or(|c| {
            // Both passes read one snapshot, so that every row written was seen by the first.
            store::snapshot(c, |c| {
                let protected =
                    anonymise::protect(&release.records(c, wave_id)?, app.policy.threshold());
                write_rows(&mut release, (&protected, c, wave_id, key), shape, (writers, dir))?;
                Ok::<_, ExportError>(protected.risk)
            })
        })?;
        microdata_seconds += started.elapsed().as_secs_f64();
        let calibration = app.store.read(|c| store::calibration_of(c, wave_id))?;
        let (quasi, respondents) = (std::mem::take(&mut release.quasi), sample.respondents);
        let survey = sample.survey.clone();
        let unlinked = unlinkable.len();
        written.push(Written {
            survey,
            figures,
            risk,
            quasi,
            calibration,
            groups,
            respondents,
            unlinked,
        });
    }
    aggregates
        .flush()
        .map_err(|source| ExportError::Io { path: dir.join("aggregates.csv"), source })?;
    if let Some(mut file) = groups_file {
        file.flush().map_err(|source| ExportError::Io { path: groups_path, source })?;
    }
    let Some((shape, writers)) = columns else {
        return Err(ExportError::NoWave);
    };
    let started = std::time::Instant::now();
    for writer in writers {
        writer.finish().map_err(|source| ExportError::Io { path: dir.to_path_buf(), source })?;
    }
    let last = written.last().ok_or(ExportError::NoWave)?;
    if options.formats.contains(&Format::R) {
        let path = dir.join(Format::R.file_name());
        std::fs::write(&path, super::rscript::script(&shape, &last.figures))
            .map_err(|source| ExportError::Io { path, source })?;
    }
    microdata_seconds += started.elapsed().as_secs_f64();
    write_package(app, dir, (&shape, &questions, waves), &written, options.lang)?;
    Ok(ExportSummary {
        survey: survey_id.into(),
        figures_seconds,
        microdata_seconds,
        respondents: written.iter().map(|w| w.respondents).sum(),
        figures: written.iter().map(|w| w.figures.figures.len()).sum(),
        weighted: written.iter().all(|w| w.figures.weighted),
    })
}

/// Writes the rows of one wave's release to every writer.
fn write_rows(
    release: &mut Release<'_>,
    (protected, conn, wave_id, key): (&anonymise::Protected, &rusqlite::Connection, &str, &str),
    shape: &Shape,
    (writers, dir): (&mut [Box<dyn RowWriter>], &Path),
) -> Result<(), ExportError> {
    let pseudonyms = microdata::Pseudonyms::new(key);
    let width = shape.table.variables.len();
    release.write(protected, conn, wave_id, |row| {
        let respondent = pseudonyms.respondent(row.id);
        let organisation = row.organisation_id.map(|o| pseudonyms.organisation(o));
        let ids = RowIds {
            respondent: &respondent,
            organisation: organisation.as_deref().unwrap_or_default(),
            wave: wave_id,
        };
        let mut cells = Vec::with_capacity(width);
        shape.cells(row, &ids, &mut cells)?;
        for writer in writers.iter_mut() {
            writer
                .row(&cells)
                .map_err(|source| ExportError::Io { path: dir.to_path_buf(), source })?;
        }
        Ok::<(), ExportError>(())
    })
}

/// `datapackage.json` and `README.md`, describing the last wave's figures and every wave's.
fn write_package(
    app: &App,
    dir: &Path,
    (shape, questions, waves): (&Shape, &[String], &[&str]),
    written: &[Written],
    lang: Lang,
) -> Result<(), ExportError> {
    let last = written.last().ok_or(ExportError::NoWave)?;
    let survey = &last.survey;
    let other = if lang == Lang::Vi { Lang::En } else { Lang::Vi };
    let translated = Shape::new(app, survey, questions, &last.quasi, other, waves);
    let shapes = if lang == Lang::Vi { [shape, &translated] } else { [&translated, shape] };
    let per_wave: Vec<(Disclosure<'_>, Design<'_>, &figures::Figures)> = written
        .iter()
        .map(|w| {
            let disclosure = Disclosure {
                risk: &w.risk,
                quasi: &w.quasi,
                threshold: app.policy.threshold(),
                unlinked: w.unlinked,
            };
            (
                disclosure,
                Design { groups: w.groups, calibration: w.calibration.as_ref() },
                &w.figures,
            )
        })
        .collect();
    let package = datapackage(survey, shapes, waves, &per_wave);
    serde_json::to_writer_pretty(create(&dir.join("datapackage.json"))?, &package)?;
    let readme = dir.join("README.md");
    std::fs::write(&readme, super::package::readme(&package))
        .map_err(|source| ExportError::Io { path: readme, source })
}

/// The writers of `microdata.csv` and of the formats asked for, the latter on a thread of
/// their own.
fn writers(
    shape: &Shape,
    dir: &Path,
    formats: &[Format],
) -> Result<Vec<Box<dyn RowWriter>>, ExportError> {
    let io = |path: PathBuf| move |source| ExportError::Io { path: path.clone(), source };
    let csv = dir.join("microdata.csv");
    let mut labelled: Vec<Box<dyn RowWriter + Send>> = Vec::new();
    for format in formats {
        let path = dir.join(format.file_name());
        labelled.push(match format {
            Format::Stata => {
                Box::new(DtaWriter::new(&shape.table, create(&path)?).map_err(io(path))?)
            }
            Format::Spss => {
                Box::new(SavWriter::new(&shape.table, create(&path)?).map_err(io(path))?)
            }
            Format::Excel => Box::new(XlsxWriter::new(shape, &path).map_err(io(path))?),
            Format::R => continue,
        });
    }
    let mut writers: Vec<Box<dyn RowWriter>> =
        vec![Box::new(CsvWriter::new(shape, create(&csv)?).map_err(io(csv))?)];
    if !labelled.is_empty() {
        writers.push(Box::new(Threaded::new(labelled)));
    }
    Ok(writers)
}
