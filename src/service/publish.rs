//! Everything that leaves the product with figures in it (a download, an API answer, a PDF
//! summary) is made here, and each is written to the audit log in the same call: no caller can
//! publish without the entry.

use std::path::PathBuf;
use std::sync::Arc;

use time::OffsetDateTime;

use super::Actor;
use super::figures::{self, Choice};
use crate::app::App;
use crate::auth::SecretToken;
use crate::export::{ExportOptions, Format};
use crate::figures::{Figures, FiguresError};
use crate::reference::AreaCode;
use crate::report::area::{Place, ReportError, area_report};
use crate::report::city::city_report;
use crate::store::{self, StoreError};
use crate::survey::Lang;

/// Why a publication could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{0}")]
    Figures(#[from] FiguresError),
    #[error("{0}")]
    Report(#[from] ReportError),
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The export has no such file (response groups of an open wave).
    #[error("this wave's export has no {0}")]
    NoSuchFile(&'static str),
    /// Writing a file failed: an internal cause, for the log.
    #[error("{0}")]
    Write(String),
}

/// The files of an export that can be downloaded one at a time, and the whole package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFile {
    Microdata,
    DataPackage,
    /// A sample wave's response-homogeneity groups (none for an open wave).
    ResponseGroups,
    /// The microdata for Stata, SPSS, Excel or R.
    Labelled(Format),
    /// Every file of the release in one zip.
    Package,
}

impl ExportFile {
    /// The file asked for by its name in the data package (`package.zip`: all of them).
    pub fn parse(name: &str) -> Option<ExportFile> {
        match name {
            "microdata.csv" => Some(ExportFile::Microdata),
            "datapackage.json" => Some(ExportFile::DataPackage),
            "response_groups.csv" => Some(ExportFile::ResponseGroups),
            "package.zip" => Some(ExportFile::Package),
            _ => Format::ALL.into_iter().find(|f| f.file_name() == name).map(ExportFile::Labelled),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ExportFile::Microdata => "microdata.csv",
            ExportFile::DataPackage => "datapackage.json",
            ExportFile::ResponseGroups => "response_groups.csv",
            ExportFile::Labelled(format) => format.file_name(),
            ExportFile::Package => "package.zip",
        }
    }

    /// The name a download is saved under: the wave and questionnaire in it. Inside the zip,
    /// files keep the names the data package gives them.
    pub fn download_name(self, choice: &Choice) -> String {
        if self == ExportFile::Package {
            return format!("dxsurvey-{}-{}.zip", choice.survey, choice.wave.id);
        }
        let (stem, extension) = self.name().split_once('.').unwrap_or((self.name(), "csv"));
        format!("{stem}-{}-{}.{extension}", choice.survey, choice.wave.id)
    }

    /// The labelled formats an export must write for this file.
    fn formats(self) -> Vec<Format> {
        match self {
            ExportFile::Labelled(format) => vec![format],
            ExportFile::Package => Format::ALL.to_vec(),
            _ => Vec::new(),
        }
    }
}

/// A file ready to be sent: its name for the person saving it, and its bytes.
pub struct Published {
    pub name: String,
    pub body: Vec<u8>,
    /// When the figures were computed (they are kept a few minutes).
    pub computed_at: OffsetDateTime,
}

/// The aggregates CSV of a choice.
pub fn aggregates(app: &App, actor: &Actor, choice: &Choice) -> Result<Published, PublishError> {
    let (figures, computed_at) = figures::figures_when(app, choice)?;
    let mut body = Vec::new();
    crate::export::write_aggregates(&figures, &mut body)
        .map_err(|e| PublishError::Write(e.to_string()))?;
    audit(app, actor, "export", &choice.target(), "aggregates.csv")?;
    let name = format!("aggregates-{}-{}.csv", choice.survey, choice.wave.id);
    Ok(Published { name, body, computed_at })
}

/// An exported file, open, whose folder is already gone.
pub struct ExportedFile {
    pub name: String,
    pub file: std::fs::File,
}

/// One file of a fresh export of a choice (the same files as `dxsurvey export`), made in a
/// private temporary folder that is removed before returning: the open file outlives its
/// folder, as removing only unlinks the names. `key` makes the pseudonyms.
pub fn export_file(
    app: &App,
    actor: &Actor,
    choice: &Choice,
    (file, lang): (ExportFile, Lang),
    key: &str,
) -> Result<ExportedFile, PublishError> {
    let dir = temporary_folder()?;
    let options = ExportOptions { lang, formats: file.formats() };
    let exported =
        crate::export::export(app, &[&choice.wave.id], &choice.survey, &dir, key, &options)
            .map_err(|e| PublishError::Write(e.to_string()))
            .and_then(|_| open_exported(&dir, file));
    let _ = std::fs::remove_dir_all(&dir);
    let file_handle = exported?;
    audit(app, actor, "export", &choice.target(), file.name())?;
    Ok(ExportedFile { name: file.download_name(choice), file: file_handle })
}

/// The file of an export folder, or the folder zipped.
fn open_exported(dir: &std::path::Path, file: ExportFile) -> Result<std::fs::File, PublishError> {
    let write = |e: std::io::Error| PublishError::Write(e.to_string());
    if file == ExportFile::Package {
        let folder = temporary_folder()?;
        let path = folder.join(file.name());
        let zipped = std::fs::create_dir(&folder)
            .and_then(|()| std::fs::File::create(&path))
            .and_then(|f| crate::export::zip_folder(dir, std::io::BufWriter::new(f)))
            .and_then(|()| std::fs::File::open(&path));
        let _ = std::fs::remove_dir_all(&folder);
        return zipped.map_err(write);
    }
    match std::fs::File::open(dir.join(file.name())) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(PublishError::NoSuchFile(file.name()))
        }
        opened => opened.map_err(write),
    }
}

/// What an API answer covers: the whole city, or one area (its own rows and its crosses).
#[derive(Debug, Clone)]
pub enum ApiScope {
    City,
    Area(AreaCode),
}

/// What an API answer of figures is made from: the figures, and the change of each target's
/// indicator since the first wave whose estimate is published, for the scope.
pub struct ApiFigures {
    pub figures: Arc<Figures>,
    /// When the figures were computed (they are kept a few minutes).
    pub computed_at: OffsetDateTime,
    pub changes: Vec<(String, figures::IndicatorTrend)>,
}

/// The figures an API answer is made from.
pub fn api_figures(
    app: &App,
    actor: &Actor,
    choice: &Choice,
    scope: &ApiScope,
) -> Result<ApiFigures, PublishError> {
    let (figures, computed_at) = figures::figures_when(app, choice)?;
    let area = match scope {
        ApiScope::City => None,
        ApiScope::Area(code) => Some(code),
    };
    let mut changes = Vec::new();
    for target in &app.reference.targets {
        if figures.indicator(&target.indicator).is_some() {
            let trend = figures::indicator_trend(app, choice, &target.indicator, area)?;
            changes.push((target.indicator.clone(), trend));
        }
    }
    let detail = area.map_or_else(|| "figures".to_string(), |code| format!("figures {code}"));
    audit(app, actor, "api", &choice.target(), &detail)?;
    Ok(ApiFigures { figures, computed_at, changes })
}

/// The split-ballot experiment of a choice, for the API; `None` when its questionnaire declares
/// none.
pub fn api_experiment(
    app: &App,
    actor: &Actor,
    choice: &Choice,
) -> Result<Option<super::experiments::ExperimentEffects>, PublishError> {
    let effects = super::experiments::effects(app, choice)?;
    audit(app, actor, "api", &choice.target(), "experiment")?;
    Ok(effects)
}

/// The PDF summary of `place`, or of the city for `None`, dated `now`.
pub fn summary(
    app: &App,
    actor: &Actor,
    choice: Choice,
    place: Option<&Place>,
    lang: Lang,
    now: OffsetDateTime,
) -> Result<Published, PublishError> {
    let wave = choice.wave.id.clone();
    let inputs = figures::report_inputs(app, choice)?;
    let (body, detail, name) = match place {
        Some(p) => (
            area_report(app, &app.texts, &inputs, p, lang, now),
            format!("area {}", p.code),
            format!("bao-cao-{}-{wave}.pdf", p.code),
        ),
        None => (
            city_report(app, &app.texts, &inputs, lang, now),
            "city".to_string(),
            format!("bao-cao-thanh-pho-{wave}.pdf"),
        ),
    };
    audit(app, actor, "report", &wave, &detail)?;
    Ok(Published { name, body, computed_at: now })
}

fn audit(
    app: &App,
    actor: &Actor,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), StoreError> {
    app.store.write(|tx| {
        store::audit(
            tx,
            Some(&actor.name),
            action,
            Some(target),
            Some(detail),
            actor.address.as_deref(),
        )
    })
}

/// A new folder only this process knows the name of.
fn temporary_folder() -> Result<PathBuf, PublishError> {
    let token = SecretToken::generate().map_err(|e| PublishError::Write(e.to_string()))?;
    Ok(std::env::temp_dir().join(format!("dxsurvey-export-{}", &token.as_str()[..16])))
}
