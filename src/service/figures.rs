//! Figures for those who may see them: which wave and questionnaire a page shows, figures kept
//! for a few minutes, and the inputs of the area and city reports.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use super::waves;
use crate::app::App;
use crate::figures::{Figures, FiguresError, Group, Sample, figures_of, sample};
use crate::reference::AreaCode;
use crate::report::area::{Inputs, ReportError, WaveFigures};
use crate::stats::{Change, Estimate};
use crate::store::{self, Wave};

/// How long figures are reused: they change only as responses arrive, and pages and the API
/// ask for them often.
const FRESH_FOR: Duration = Duration::from_secs(300);

/// A wave's sample (what area reports aggregate) and its figures.
pub type Computed = (Arc<Sample>, Arc<Figures>);

/// (wave, questionnaire, threshold) -> when computed (for freshness, and as the API states it),
/// and what. The threshold is in the key so that two applications sharing a cache can never
/// serve each other's suppression.
type Entries = HashMap<(String, String, u32), (Instant, OffsetDateTime, Computed)>;

/// Figures as the application's disclosure policy suppresses them, kept for [`FRESH_FOR`].
#[derive(Default)]
pub struct FiguresCache {
    entries: Mutex<Entries>,
}

impl FiguresCache {
    /// Drops the figures of a wave (its frame or its responses changed).
    pub fn forget(&self, wave: &str) {
        self.lock().retain(|(w, _, _), _| w != wave);
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The figures of a questionnaire in a wave and the sample they come from, from the cache when
/// fresh. Two requests that miss together may both compute; neither waits on the other.
pub fn computed(app: &App, wave: &str, survey: &str) -> Result<Computed, FiguresError> {
    Ok(computed_when(app, wave, survey)?.0)
}

/// [`computed`], with when the figures were computed.
pub fn computed_when(
    app: &App,
    wave: &str,
    survey: &str,
) -> Result<(Computed, OffsetDateTime), FiguresError> {
    let key = (wave.to_string(), survey.to_string(), app.policy.threshold());
    let cache = &app.figures;
    if let Some((_, when, computed)) =
        cache.lock().get(&key).filter(|(at, _, _)| at.elapsed() < FRESH_FOR).cloned()
    {
        crate::metrics::figures(true);
        return Ok((computed, when));
    }
    crate::metrics::figures(false);
    let when = OffsetDateTime::now_utc();
    let sample = sample(app, wave, survey)?;
    let figures = figures_of(app, wave, &sample);
    let computed = (Arc::new(sample), Arc::new(figures));
    cache.lock().insert(key, (Instant::now(), when, computed.clone()));
    Ok((computed, when))
}

/// What a figures page, report or export shows: a wave and one of its questionnaires, with
/// every wave (newest first) for the page's choice.
#[derive(Debug, Clone)]
pub struct Choice {
    pub waves: Vec<Wave>,
    pub wave: Wave,
    pub survey: String,
}

impl Choice {
    /// The wave and questionnaire, as the audit log names them.
    pub fn target(&self) -> String {
        format!("{}/{}", self.wave.id, self.survey)
    }
}

/// The wave and questionnaire asked for; by default the newest wave with submissions and its
/// primary questionnaire.
pub fn choose(app: &App, wave: Option<&str>, survey: Option<&str>) -> Result<Choice, FiguresError> {
    let (waves, chosen) = waves::choose(app, wave, survey)?;
    let wave = chosen.ok_or_else(|| FiguresError::NoWave(wave.unwrap_or_default().into()))?;
    let survey = match survey {
        Some(id) if wave.questionnaires.iter().any(|(s, _)| s == id) => id.to_string(),
        Some(id) => return Err(FiguresError::NoSurvey(wave.id, id.into())),
        None => waves::primary_questionnaire(app, &wave)
            .ok_or_else(|| FiguresError::NoSurvey(wave.id.clone(), String::new()))?,
    };
    Ok(Choice { waves, wave, survey })
}

/// The figures of a choice.
pub fn figures(app: &App, choice: &Choice) -> Result<Arc<Figures>, FiguresError> {
    Ok(computed(app, &choice.wave.id, &choice.survey)?.1)
}

/// The figures of a choice, and when they were computed (the start of the computation).
pub fn figures_when(
    app: &App,
    choice: &Choice,
) -> Result<(Arc<Figures>, OffsetDateTime), FiguresError> {
    let ((_, figures), when) = computed_when(app, &choice.wave.id, &choice.survey)?;
    Ok((figures, when))
}

/// The inputs of the area and city reports of a choice: the figures of every wave of its trend,
/// and the responses and frame per area.
pub fn report_inputs(app: &App, choice: Choice) -> Result<Inputs, ReportError> {
    let series = waves::trend(&choice.waves, &choice.wave, &choice.survey)
        .into_iter()
        .map(|(year, id)| {
            let (sample, figures) = computed(app, &id, &choice.survey)?;
            Ok(WaveFigures { year, sample, figures })
        })
        .collect::<Result<_, FiguresError>>()?;
    let (wave, survey) = (choice.wave, choice.survey);
    let (counts, frame) = app.store.read(|c| {
        Ok((
            store::survey_counts_by_area(c, &wave.id, &survey)?,
            store::frame_by_area(c, &wave.id)?,
        ))
    })?;
    let sample = super::followup::ward_samples(app, &wave.id)?;
    Ok(Inputs { wave, series, counts, frame, sample })
}

/// The report inputs of `wave` and questionnaire `survey` (by default its primary one).
pub fn report_inputs_of(
    app: &App,
    wave: &str,
    survey: Option<&str>,
) -> Result<Inputs, ReportError> {
    report_inputs(app, choose(app, Some(wave), survey)?)
}

/// An indicator's published estimates over a choice's trend, for the city or one ward, oldest
/// first, and the change from the first of them to the last.
#[derive(Debug, Clone)]
pub struct IndicatorTrend {
    /// (year, wave, estimate) of each wave whose estimate is published.
    pub series: Vec<(i32, String, Estimate)>,
    /// From the first published wave to the last, when there are two (docs/methodology.md §5a).
    pub change: Option<Change>,
}

/// The trend of indicator `indicator` (its id) up to the choice's wave, for ward `area` or
/// the city.
pub fn indicator_trend(
    app: &App,
    choice: &Choice,
    indicator: &str,
    area: Option<&AreaCode>,
) -> Result<IndicatorTrend, FiguresError> {
    let group = area.map_or(Group::All, |a| Group::Area(a.clone()));
    let mut series = Vec::new();
    let mut samples = Vec::new();
    for (year, wave) in waves::trend(&choice.waves, &choice.wave, &choice.survey) {
        let (sample, figures) = computed(app, &wave, &choice.survey)?;
        let published = figures
            .indicator(indicator)
            .and_then(|v| figures.figures.iter().find(|f| f.group == group && f.variable == v));
        if let Some(estimate) = published.and_then(|f| f.estimate.clone()) {
            series.push((year, wave, estimate));
            samples.push(sample);
        }
    }
    let published: Vec<&Sample> = samples.iter().map(|s| s.as_ref()).collect();
    let areas = area.map(std::slice::from_ref);
    let change = crate::figures::change_over(app, &published, indicator, areas);
    Ok(IndicatorTrend { series, change })
}
