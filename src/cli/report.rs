//! `dxsurvey report respondent|area|city|all-areas`: the PDF reports from the command line.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use clap::{Args, Subcommand};
use time::OffsetDateTime;

use super::{CliError, say};
use crate::app::App;
use crate::config::AppConfig;
use crate::report::area::{Place, each_area_report, every_area};
use crate::report::respondent::respondent_report;
use crate::service::{Actor, figures, publish, respond};
use crate::store;
use crate::survey::Lang;

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// A respondent's self-assessment (1–3 pages).
    Respondent {
        /// The response's number in the database.
        #[arg(long)]
        response: i64,
        #[command(flatten)]
        common: Common,
        /// The PDF to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// The summary of a ward/commune, or of a group of them such as a former district.
    Area {
        #[arg(long)]
        wave: String,
        /// The code of the ward/commune (5 digits) or of the group (3 digits).
        #[arg(long)]
        area: String,
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        out: PathBuf,
    },
    /// The overview of the whole city.
    City {
        #[arg(long)]
        wave: String,
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        out: PathBuf,
    },
    /// The summary of every ward/commune, one PDF each, named by code, on every core.
    AllAreas {
        #[arg(long)]
        wave: String,
        #[command(flatten)]
        common: Common,
        /// The folder to write into (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct Common {
    /// Language of the report: vi or en.
    #[arg(long, default_value = "vi", value_parser = parse_lang)]
    lang: Lang,
    /// Date printed as the generation date, YYYY-MM-DD [default: today]; a fixed date gives
    /// byte-identical reports for the same data.
    #[arg(long, value_parser = parse_date)]
    date: Option<time::Date>,
    /// Fewest respondents a published figure may rest on (at least 3) [default: the
    /// configuration's `suppression_threshold`].
    #[arg(long)]
    threshold: Option<u32>,
    /// The questionnaire of an area or city report [default: the wave's primary questionnaire,
    /// the enterprise one its targets are about].
    #[arg(long)]
    survey: Option<String>,
}

impl Common {
    fn created(&self) -> OffsetDateTime {
        self.date.map_or_else(OffsetDateTime::now_utc, |d| d.midnight().assume_utc())
    }
}

fn parse_lang(text: &str) -> Result<Lang, String> {
    match text {
        "vi" => Ok(Lang::Vi),
        "en" => Ok(Lang::En),
        _ => Err(format!("'{text}' is not a language of the reports: use vi or en")),
    }
}

fn parse_date(text: &str) -> Result<time::Date, String> {
    time::Date::parse(text, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|e| format!("'{text}' is not a date YYYY-MM-DD: {e}"))
}

impl ReportCommand {
    fn common(&self) -> &Common {
        match self {
            ReportCommand::Respondent { common, .. }
            | ReportCommand::Area { common, .. }
            | ReportCommand::City { common, .. }
            | ReportCommand::AllAreas { common, .. } => common,
        }
    }
}

pub fn run(config: &AppConfig, command: ReportCommand) -> Result<ExitCode, CliError> {
    let app = App::start(&config.with_threshold(command.common().threshold))?;
    match command {
        ReportCommand::Respondent { response, common, out } => {
            let assessment = respond::assessment_by_id(
                &app,
                response,
                common.lang,
                crate::kernel::format::today(),
            )
            .map_err(|e| CliError(format!("{e:?}")))?
            .ok_or_else(|| CliError(format!("no submitted response numbered {response}")))?;
            let pdf = respondent_report(&app.texts, &assessment, common.lang, common.created());
            write(&out, &pdf)?;
            audited(&app, "report", &format!("response {response}"), &out, &pdf)
        }
        ReportCommand::Area { wave, area, common, out } => {
            let place = Place::find(&app.reference, &area)
                .ok_or_else(|| CliError(format!("no ward/commune or group with code '{area}'")))?;
            summary(&app, &wave, Some(&place), &common, &out)
        }
        ReportCommand::City { wave, common, out } => summary(&app, &wave, None, &common, &out),
        ReportCommand::AllAreas { wave, common, out } => all_areas(&app, &wave, &common, &out),
    }
}

fn write(path: &Path, pdf: &[u8]) -> Result<(), CliError> {
    std::fs::write(path, pdf).map_err(|e| CliError(format!("cannot write {}: {e}", path.display())))
}

fn audited(
    app: &App,
    action: &str,
    what: &str,
    out: &Path,
    pdf: &[u8],
) -> Result<ExitCode, CliError> {
    app.store.write(|tx| store::audit(tx, Some("command line"), action, Some(what), None, None))?;
    wrote(out, pdf)
}

fn wrote(out: &Path, pdf: &[u8]) -> Result<ExitCode, CliError> {
    say!("wrote {} ({} KB)", out.display(), pdf.len().div_ceil(1024));
    Ok(ExitCode::SUCCESS)
}

/// The summary of a place, or of the city, made and audited as on the web.
fn summary(
    app: &App,
    wave: &str,
    place: Option<&Place>,
    common: &Common,
    out: &Path,
) -> Result<ExitCode, CliError> {
    let choice = figures::choose(app, Some(wave), common.survey.as_deref())?;
    let actor = Actor::command_line();
    let published = publish::summary(app, &actor, choice, place, common.lang, common.created())
        .map_err(|e| CliError(e.to_string()))?;
    write(out, &published.body)?;
    wrote(out, &published.body)
}

/// Every area's report, the areas shared out to one worker per core.
fn all_areas(app: &App, wave: &str, common: &Common, out: &Path) -> Result<ExitCode, CliError> {
    std::fs::create_dir_all(out)
        .map_err(|e| CliError(format!("cannot create {}: {e}", out.display())))?;
    let started = Instant::now();
    let choice = figures::choose(app, Some(wave), common.survey.as_deref())?;
    let inputs = figures::report_inputs(app, choice)?;
    let prepared = started.elapsed();
    let places = every_area(&app.reference);
    let (done, bytes) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let failures = Mutex::new(Vec::new());
    let progress = Progress::new(places.len());
    let workers =
        each_area_report(app, &inputs, &places, common.lang, common.created(), |place, pdf| {
            let path = out.join(format!("{}.pdf", place.code));
            match std::fs::write(&path, &pdf) {
                Ok(()) => {
                    bytes.fetch_add(pdf.len(), Ordering::Relaxed);
                }
                Err(e) => failures
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(format!("{}: {e}", path.display())),
            }
            progress.show(done.fetch_add(1, Ordering::Relaxed) + 1, place);
        });
    progress.finish();
    let failures = failures.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(first) = failures.first() {
        return Err(CliError(format!(
            "{} reports could not be written; first: {first}",
            failures.len()
        )));
    }
    let detail = format!("{} area reports", places.len());
    app.store.write(|tx| {
        store::audit(tx, Some("command line"), "report", Some(wave), Some(&detail), None)
    })?;
    say!(
        "wrote {} reports ({} KB in all) to {} in {:.2} s (figures {:.2} s, {workers} workers)",
        places.len(),
        bytes.load(Ordering::Relaxed).div_ceil(1024),
        out.display(),
        started.elapsed().as_secs_f64(),
        prepared.as_secs_f64(),
    );
    Ok(ExitCode::SUCCESS)
}

/// A one-line progress bar on a terminal; nothing when the output is a file or a pipe.
struct Progress {
    total: usize,
    terminal: bool,
    lock: Mutex<()>,
}

impl Progress {
    fn new(total: usize) -> Progress {
        Progress { total, terminal: std::io::stderr().is_terminal(), lock: Mutex::new(()) }
    }

    fn show(&self, done: usize, place: &Place) {
        if !self.terminal {
            return;
        }
        let _guard = self.lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let filled = 30 * done / self.total.max(1);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r[{}{}] {done}/{} {:<10}",
            "#".repeat(filled),
            " ".repeat(30 - filled),
            self.total,
            place.code
        );
        let _ = err.flush();
    }

    fn finish(&self) {
        if self.terminal {
            eprintln!();
        }
    }
}
