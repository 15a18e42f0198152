//! Start-up: reference data, questionnaires, the database, the current wave. Shared by the
//! server and the command line.

use crate::service::figures::FiguresCache;
use crate::service::limits::Limits;
use std::collections::HashMap;
use std::sync::{Arc, PoisonError};

use crate::advice::Advice;
use crate::catalog::Catalog;
use crate::config::AppConfig;
use crate::policy::DisclosurePolicy;
use crate::reference::{Reference, ReferenceError};
use crate::report::ReportTexts;
use crate::store::{self, NewWave, Store, StoreError};
use crate::survey::period::Period;
use crate::survey::{self, LoadError, Survey, Text};

/// Why dxsurvey cannot start, with everything an operator needs to fix it.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the reference data is invalid:\n{0}")]
    Reference(#[from] ReferenceError),
    #[error("the questionnaires are invalid:\n{0}")]
    Surveys(#[from] LoadError),
    #[error("the report content (reports/) is invalid:\n{0}")]
    Reports(LoadError),
    #[error("the reference data do not fit the questionnaires:\n{0}")]
    Targets(LoadError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Secret(String),
}

/// What every part of the application shares.
#[derive(Clone)]
pub struct App {
    pub store: Arc<Store>,
    pub reference: Arc<Reference>,
    pub catalog: Arc<Catalog>,
    pub advice: Arc<Advice>,
    /// The wording of the PDF reports.
    pub texts: Arc<ReportTexts>,
    /// What may be published, for every output.
    pub policy: DisclosurePolicy,
    /// Figures computed in the last few minutes.
    pub figures: Arc<FiguresCache>,
    /// The installation's secret (see [`crate::secret`]).
    pub secret: Arc<str>,
    /// What one client may do how often (see [`crate::service::limits`]).
    pub limits: Arc<Limits>,
    /// Whether new responses are assigned an arm of their questionnaire's experiment.
    pub split_ballot: bool,
    /// The period of each wave asked for so far (a wave's opening date never changes).
    pub periods: Arc<std::sync::Mutex<HashMap<String, Period>>>,
}

impl App {
    /// The reference year and observation period of wave `wave_id` (see [`Period`]).
    pub fn period_of(&self, wave_id: &str) -> Result<Option<Period>, StoreError> {
        let known =
            self.periods.lock().unwrap_or_else(PoisonError::into_inner).get(wave_id).copied();
        if let Some(period) = known {
            return Ok(Some(period));
        }
        let Some(wave) = self.store.read(|c| crate::store::wave(c, wave_id))? else {
            return Ok(None);
        };
        let period = Period::of_wave_opening(&wave.opens_on);
        if let Some(period) = period {
            self.periods
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(wave_id.into(), period);
        }
        Ok(period)
    }

    /// Questionnaire `id` of `version` as wave `wave_id` shows it to a respondent assigned
    /// `arm` of its experiment: its placeholders filled with the wave's years, its pages in the
    /// arm's order and wording.
    pub fn questionnaire_in_wave(
        &self,
        wave_id: &str,
        id: &str,
        version: u32,
        arm: Option<usize>,
    ) -> Result<Option<Arc<Survey>>, StoreError> {
        Ok(self.catalog.variant(id, version, self.period_of(wave_id)?, arm))
    }

    /// Loads and checks everything, creates or migrates the database, records the
    /// questionnaires, and opens a wave for the current year if none is open.
    pub fn start(config: &AppConfig) -> Result<App, StartError> {
        let reference = Reference::load(&config.reference)?;
        let files = survey::load_paths(std::slice::from_ref(&config.surveys))?;
        let surveys: Vec<&survey::Survey> = files.iter().map(|f| &f.survey).collect();
        let advice = Advice::load(&config.reports.join("recommendations"), &surveys)
            .map_err(StartError::Reports)?;
        unknown_target_indicators(config, &reference, &surveys).map_err(StartError::Targets)?;
        let texts = ReportTexts::load(&config.reports).map_err(StartError::Reports)?;
        let store = Store::open(&config.database)?;
        let secret = crate::secret::secret_key(config, &rocket::Config::figment())
            .map_err(StartError::Secret)?;
        store.write(|tx| {
            store::sync_reference(tx, &reference)?;
            store::sync_questionnaires(tx, &files)
        })?;
        let stored = store.read(store::all_questionnaires)?;
        let catalog = Catalog::new(&stored, &files)?;
        let app = App {
            store: Arc::new(store),
            reference: Arc::new(reference),
            catalog: Arc::new(catalog),
            advice: Arc::new(advice),
            texts: Arc::new(texts),
            policy: DisclosurePolicy::new(config.suppression_threshold),
            figures: Arc::default(),
            secret: secret.into(),
            limits: Arc::new(Limits::of(config)),
            split_ballot: config.split_ballot,
            periods: Arc::default(),
        };
        app.ensure_open_wave()?;
        Ok(app)
    }

    /// Opens a wave named after the current year (in Hanoi), with the current questionnaires,
    /// unless a wave takes answers today.
    fn ensure_open_wave(&self) -> Result<(), StoreError> {
        let today = crate::kernel::format::today();
        if !crate::service::waves::open_today(self, today)?.is_empty() {
            return Ok(());
        }
        let year = today.year();
        if self.store.read(|c| store::wave(c, &year.to_string()))?.is_some() {
            // This year's wave exists and was closed on purpose.
            return Ok(());
        }
        self.store.write(|tx| store::create_wave(tx, &self.default_wave(year)))
    }

    /// A wave for `year` over the whole year, with the current questionnaire versions.
    /// (The title is [`default_wave_title`], as for a wave created without one.)
    pub fn default_wave(&self, year: i32) -> NewWave {
        NewWave {
            id: year.to_string(),
            title: default_wave_title(&year.to_string()),
            opens_on: format!("{year}-01-01"),
            closes_on: format!("{year}-12-31"),
            questionnaires: self
                .catalog
                .current_all()
                .iter()
                .map(|s| (s.id.clone(), s.version))
                .collect(),
        }
    }
}

/// Refuses reference data that do not fit the questionnaires: targets that name an indicator
/// no questionnaire has (such a target would silently never be shown), and quasi-identifiers
/// that are not exported answers of their questionnaire, or whose bands do not fit them.
pub fn unknown_target_indicators(
    config: &AppConfig,
    reference: &Reference,
    surveys: &[&survey::Survey],
) -> Result<(), LoadError> {
    let path = config.reference.join("targets.toml");
    let source = std::fs::read_to_string(&path).unwrap_or_default();
    let problems: Vec<survey::Problem> = reference
        .targets
        .iter()
        .filter(|t| !surveys.iter().any(|s| s.indicators.iter().any(|i| i.id == t.indicator)))
        .map(|t| {
            let known: Vec<&str> =
                surveys.iter().flat_map(|s| s.indicators.iter().map(|i| i.id.as_str())).collect();
            survey::Problem {
                file: path.display().to_string(),
                line: source
                    .lines()
                    .position(|l| l.contains(&format!("\"{}\"", t.indicator)))
                    .map(|i| i + 1),
                item: Some(format!("target '{}'", t.indicator)),
                message: format!(
                    "no questionnaire has the indicator '{}'; known: {}",
                    t.indicator,
                    known.join(", ")
                ),
            }
        })
        .collect();
    let problems: Vec<survey::Problem> =
        problems.into_iter().chain(unfit_quasi_identifiers(config, reference, surveys)).collect();
    if problems.is_empty() { Ok(()) } else { Err(LoadError { problems }) }
}

/// Quasi-identifiers that name no exported answer of their questionnaire, numbers without
/// bands, and bands on anything but a number.
fn unfit_quasi_identifiers(
    config: &AppConfig,
    reference: &Reference,
    surveys: &[&survey::Survey],
) -> Vec<survey::Problem> {
    let path = config.reference.join("quasi_identifiers.toml");
    let source = std::fs::read_to_string(&path).unwrap_or_default();
    let mut problems = Vec::new();
    for q in &reference.quasi_identifiers {
        let Some(survey) = surveys.iter().find(|s| s.id == q.survey) else { continue };
        let question = survey.questions.iter().find(|x| x.id == q.question);
        let number =
            question.is_some_and(|x| matches!(x.kind, survey::QuestionKind::Integer { .. }));
        let message = match question {
            None => format!("questionnaire '{}' has no question '{}'", q.survey, q.question),
            Some(x) if !crate::export::microdata::exported(x) => format!(
                "'{}' is not in the microdata (identifying, free text or a stratum code)",
                q.question
            ),
            Some(_) if number && q.bands.is_empty() => {
                format!("'{}' is a number: give the `bands` it is published in", q.question)
            }
            Some(_) if !number && !q.bands.is_empty() => {
                format!("'{}' is not a number: it takes no `bands`", q.question)
            }
            Some(_) => continue,
        };
        problems.push(survey::Problem {
            file: path.display().to_string(),
            line: source
                .lines()
                .position(|l| l.contains(&format!("\"{}\"", q.question)))
                .map(|i| i + 1),
            item: Some(format!("quasi-identifier '{}'", q.question)),
            message,
        });
    }
    problems
}

/// The title of a wave created without one: its id, which is usually its year.
pub fn default_wave_title(id: &str) -> Text {
    Text::new(format!("Đợt khảo sát {id}"), format!("Survey wave {id}"))
}
