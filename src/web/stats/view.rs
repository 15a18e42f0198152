//! The dashboard as its template shows it: figures formatted in the person's language, progress
//! toward the targets, and fieldwork by sector.

use serde::Serialize;

use crate::app::App;
use crate::figures::{Breakdown, Figure, Figures, FiguresError};
use crate::kernel::format;
use crate::policy::Precision;
use crate::service::figures::{self, Choice};
use crate::stats::{self, Kind, Suppression};
use crate::store::{self, StoreError};
use crate::survey::{Lang, RespondentKind};
use crate::web::staff::StaffView;

/// One figure as a row of the dashboard.
#[derive(Serialize)]
pub struct FigureView {
    id: String,
    label: String,
    estimate: String,
    interval: String,
    se: String,
    cv: String,
    n: u32,
    weighted_n: String,
    /// How usable the estimate is (the disclosure policy's bands); none when suppressed.
    precision: Option<Precision>,
    suppressed: bool,
    /// 0–100 positions for the chart.
    at: f64,
    low: f64,
    high: f64,
}

impl FigureView {
    pub fn new(app: &App, figures: &Figures, f: &Figure, label: String, lang: Lang) -> FigureView {
        let variable = &figures.variables[f.variable];
        let share = variable.kind() == Kind::Share;
        let scale = if share { 100.0 } else { 1.0 };
        let number = |x: f64| format::decimal(x * scale, lang);
        let unit = if share { "%" } else { "" };
        let id = variable.id().to_string();
        match &f.estimate {
            Some(e) => FigureView {
                id,
                label,
                estimate: format!("{}{unit}", number(e.estimate)),
                interval: e.interval.map_or_else(
                    || "–".into(),
                    |i| format!("{}–{}{unit}", number(i.low), number(i.high)),
                ),
                se: number(e.se),
                cv: e.cv.map_or_else(|| "–".into(), |cv| format::number(cv, 3, lang)),
                n: f.n,
                weighted_n: format::number(e.weighted_n, 0, lang),
                precision: Some(app.policy.precision_of(e)),
                suppressed: false,
                at: e.estimate * scale,
                low: e.interval.map_or(e.estimate, |i| i.low) * scale,
                high: e.interval.map_or(e.estimate, |i| i.high) * scale,
            },
            None => FigureView {
                id,
                label,
                estimate: String::new(),
                interval: String::new(),
                se: String::new(),
                cv: String::new(),
                n: if f.suppression == Suppression::Published { f.n } else { 0 },
                weighted_n: String::new(),
                precision: None,
                suppressed: f.suppression != Suppression::Published,
                at: 0.0,
                low: 0.0,
                high: 0.0,
            },
        }
    }
}

#[derive(Serialize)]
struct ProgressView {
    label: String,
    target: String,
    latest: FigureView,
    trajectory: String,
    change: String,
    /// The change's 95% interval, counting the organisations that answered both waves.
    change_interval: Option<String>,
    /// Organisations that answered both the first and the latest wave.
    common: Option<u32>,
    verdict: stats::Verdict,
    reached: bool,
    first_year: i32,
    latest_year: i32,
    /// 0–100 position of the target on the chart.
    target_at: f64,
    trajectory_at: f64,
}

/// Responses against the frame, per sector: where to chase responses.
#[derive(Serialize)]
struct FieldworkRow {
    sector: String,
    submitted: i64,
    drafts: i64,
    frame: Option<i64>,
    coverage: Option<String>,
}

#[derive(Serialize)]
pub struct StatsPage {
    staff: StaffView,
    waves: Vec<String>,
    wave: String,
    surveys: Vec<(String, String)>,
    survey: String,
    weighted: bool,
    respondents: usize,
    threshold: u32,
    city: Vec<FigureView>,
    progress: Vec<ProgressView>,
    breakdowns: Vec<&'static str>,
    breakdown: &'static str,
    indicators: Vec<(String, String)>,
    indicator: String,
    rows: Vec<FigureView>,
    is_share: bool,
    strata: usize,
    collapsed: usize,
    /// The estimator's code (docs/methodology.md §3, §3a).
    estimator: &'static str,
    /// A sample wave, whose export describes its response-homogeneity groups.
    sample_wave: bool,
    calibration_problem: Option<String>,
    outside_sample: usize,
    fieldwork: Vec<FieldworkRow>,
    /// The sample's response rates (empty without a sample).
    response_rates: Vec<RateView>,
    /// Where the target of the indicator shown lies on the 0–100 charts, if it has one.
    target_at: Option<f64>,
    /// Agencies have no frame to weight to: their figures describe those who answered.
    agency: bool,
    /// The VSIC version the sectors are in.
    vsic: String,
    /// The questionnaire's split-ballot experiment, if it declares one.
    experiment: Option<super::experiment::ExperimentView>,
}

/// What the dashboard shows besides its wave and questionnaire.
pub struct Shown<'a> {
    pub breakdown: Option<&'a str>,
    pub indicator: Option<&'a str>,
}

impl StatsPage {
    /// The dashboard of a choice: every city figure, one indicator by one breakdown (by default
    /// the headline by area), progress toward the targets and fieldwork by sector.
    pub fn build(
        app: &App,
        staff: StaffView,
        choice: &Choice,
        shown: &Shown<'_>,
        lang: Lang,
    ) -> Result<StatsPage, FiguresError> {
        let figures = figures::figures(app, choice)?;
        let breakdown = shown.breakdown.and_then(Breakdown::parse).unwrap_or(Breakdown::Area);
        let headline = figures.headline(&app.reference.targets);
        let indicator = shown
            .indicator
            .and_then(|id| figures.variable(id))
            .or(headline.map(|h| h.variable))
            .unwrap_or(0);
        let label = |v: usize| figures.variables[v].label.get(lang).to_string();
        let view = |f: &Figure, label: String| FigureView::new(app, &figures, f, label, lang);
        let variable = &figures.variables[indicator];
        Ok(StatsPage {
            staff,
            waves: choice.waves.iter().map(|w| w.id.clone()).collect(),
            wave: choice.wave.id.clone(),
            surveys: surveys(app, choice, lang),
            survey: choice.survey.clone(),
            weighted: figures.weighted,
            respondents: figures.respondents,
            threshold: figures.threshold,
            city: figures.totals().map(|f| view(f, label(f.variable))).collect(),
            progress: progress(app, choice, &figures, lang)?,
            breakdowns: Breakdown::ALL.iter().skip(1).map(|b| b.as_str()).collect(),
            breakdown: breakdown.as_str(),
            indicators: figures
                .variables
                .iter()
                .map(|v| (v.id().to_string(), v.label.get(lang).to_string()))
                .collect(),
            indicator: variable.id().to_string(),
            rows: figures
                .of(breakdown, indicator)
                .map(|f| view(f, f.group.label(&app.reference, figures.vsic, lang)))
                .collect(),
            is_share: variable.kind() == Kind::Share,
            // The target line of the small charts, when a target names the indicator shown.
            target_at: app
                .reference
                .targets
                .iter()
                .find(|t| variable.is_indicator(&t.indicator))
                .map(|t| t.value * 100.0),
            agency: app
                .catalog
                .get(&figures.survey, figures.version)
                .is_some_and(|s| s.kind == RespondentKind::Agency),
            strata: figures.strata,
            collapsed: figures.collapsed,
            estimator: figures.estimator.code(),
            sample_wave: matches!(figures.estimator, stats::Estimator::Sample { .. }),
            calibration_problem: figures.calibration_problem.clone(),
            outside_sample: figures.outside_sample,
            fieldwork: fieldwork(app, choice, lang)?,
            response_rates: response_rates(app, choice, lang)?,
            vsic: figures.vsic.name(),
            experiment: crate::service::experiments::effects(app, choice)?
                .map(|e| super::experiment::ExperimentView::new(&e, lang)),
        })
    }
}

/// A response rate as the dashboard shows it.
#[derive(Serialize)]
struct RateView {
    breakdown: &'static str,
    group: String,
    sampled: usize,
    responded: usize,
    unit_rate: String,
    weighted_rate: String,
}

fn response_rates(
    app: &App,
    choice: &Choice,
    lang: Lang,
) -> Result<Vec<RateView>, crate::figures::FiguresError> {
    let rates = crate::service::followup::response_rates(app, &choice.wave.id)?;
    let vsic = crate::service::waves::vsic_of(app, &choice.wave);
    Ok(rates
        .into_iter()
        .map(|r| {
            let group = match r.breakdown {
                "ward" => crate::reference::AreaCode::parse(&r.group)
                    .ok()
                    .and_then(|a| app.reference.area(&a))
                    .map_or(r.group.clone(), |a| a.name.get(lang).to_string()),
                "section" => app
                    .reference
                    .sectors(vsic)
                    .iter()
                    .find(|s| s.section.to_string() == r.group)
                    .map_or(r.group.clone(), |s| format!("{} – {}", s.section, s.name.get(lang))),
                _ => r.group.clone(),
            };
            RateView {
                breakdown: r.breakdown,
                group,
                sampled: r.sampled,
                responded: r.responded,
                unit_rate: crate::kernel::format::percent(r.unit_rate, lang),
                weighted_rate: crate::kernel::format::percent(r.weighted_rate, lang),
            }
        })
        .collect())
}

/// The wave's questionnaires: id and title.
fn surveys(app: &App, choice: &Choice, lang: Lang) -> Vec<(String, String)> {
    choice
        .wave
        .questionnaires
        .iter()
        .filter_map(|(id, v)| crate::service::waves::in_wave(app, &choice.wave, id, *v))
        .map(|s| (s.id.clone(), s.title.get(lang).to_string()))
        .collect()
}

/// Progress toward each target whose indicator the questionnaire has, over the waves so far,
/// with the change since the first wave and its interval (docs/methodology.md §5a).
fn progress(
    app: &App,
    choice: &Choice,
    latest: &Figures,
    lang: Lang,
) -> Result<Vec<ProgressView>, FiguresError> {
    let mut views = Vec::new();
    for target in &app.reference.targets {
        let Some(v) = latest.indicator(&target.indicator) else { continue };
        let trend = figures::indicator_trend(app, choice, &target.indicator, None)?;
        let series: Vec<_> = trend.series.into_iter().map(|(year, _, e)| (year, e)).collect();
        let Some(p) = stats::progress(target, &series) else { continue };
        let Some(city) = latest.total(v) else { continue };
        let change = trend.change;
        let percent = |x: f64| format::percent(x, lang);
        let label = latest.variables[v].label.get(lang).to_string();
        views.push(ProgressView {
            label: target.label.get(lang).to_string(),
            target: percent(target.value),
            latest: FigureView::new(app, latest, city, label, lang),
            trajectory: percent(p.trajectory),
            change: format::points(p.change, lang),
            change_interval: change.as_ref().map(|c| match c.interval {
                Some(i) => format::points_range(i.low, i.high, lang),
                None => "–".into(),
            }),
            common: change.as_ref().map(|c| c.common),
            verdict: p.verdict,
            reached: p.reached,
            first_year: p.first_year,
            latest_year: p.latest_year,
            target_at: target.value * 100.0,
            trajectory_at: p.trajectory * 100.0,
        });
    }
    Ok(views)
}

/// The choice's responses and the frame per sector, for the sectors that have either.
fn fieldwork(app: &App, choice: &Choice, lang: Lang) -> Result<Vec<FieldworkRow>, StoreError> {
    let (wave, survey) = (&choice.wave.id, &choice.survey);
    let (counts, frame) = app.store.read(|c| {
        Ok((store::counts_by_section(c, wave, survey)?, store::frame_by_section(c, wave)?))
    })?;
    let vsic = crate::service::waves::vsic_of(app, &choice.wave);
    Ok(app
        .reference
        .sectors(vsic)
        .iter()
        .map(|sector| {
            let letter = sector.section.to_string();
            let counts = counts
                .iter()
                .find(|(s, _)| *s == letter)
                .map(|(_, c)| c.clone())
                .unwrap_or_default();
            let frame = frame.iter().find(|(s, _)| *s == letter).map(|(_, n)| *n);
            let coverage = frame
                .and_then(|n| stats::coverage(counts.submitted, n))
                .map(|share| format::percent(share, lang));
            FieldworkRow {
                sector: format!("{} – {}", letter, sector.name.get(lang)),
                submitted: counts.submitted,
                drafts: counts.drafts,
                frame,
                coverage,
            }
        })
        .filter(|r| r.submitted + r.drafts > 0 || r.frame.is_some())
        .collect())
}
