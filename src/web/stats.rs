//! Figures for statisticians and administrators: the city's estimates with their precision,
//! progress toward the targets, breakdowns with suppressed cells marked, a CSV download and a
//! JSON API. Every download and API call is written to the audit log.

use rocket::http::{ContentType, Header, Status};
use rocket::response::content::{RawHtml, RawJson};
use rocket::{Responder, Route, State, get, routes};
use serde::Serialize;

use super::staff::{CityViewer, ClientAddress, Staff, StaffView};
use super::{FiguresCache, Templates, WebError};
use crate::app::App;
use crate::figures::{Breakdown, Figure, Figures, FiguresError};
use crate::kernel::format;
use crate::policy::{DisclosurePolicy, Precision};
use crate::service::waves;
use crate::stats::{self, Kind, Suppression};
use crate::store::{self, Wave};
use crate::survey::Lang;

pub fn routes() -> Vec<Route> {
    routes![dashboard, aggregates_csv, export_file, api_figures, api_area_figures]
}

impl From<FiguresError> for WebError {
    fn from(e: FiguresError) -> Self {
        match e {
            FiguresError::NoWave(_) | FiguresError::NoSurvey(..) => {
                WebError::Status(Status::NotFound)
            }
            FiguresError::Store(e) => e.into(),
        }
    }
}

/// The wave and questionnaire asked for, defaulting to the newest wave with submissions and
/// its enterprise questionnaire.
pub(super) async fn choose(
    app: &App,
    wave: Option<&str>,
    survey: Option<&str>,
) -> Result<(Vec<Wave>, Wave, String), WebError> {
    let (app_ref, asked, asked_survey) =
        (app.clone(), wave.map(str::to_string), survey.map(str::to_string));
    let (waves, chosen) = app
        .store
        .call(move |_| waves::choose(&app_ref, asked.as_deref(), asked_survey.as_deref()))
        .await?;
    let chosen = chosen.ok_or(WebError::Status(Status::NotFound))?;
    let survey = match survey {
        Some(id) => id.to_string(),
        None => {
            waves::primary_questionnaire(app, &chosen).ok_or(WebError::Status(Status::NotFound))?
        }
    };
    Ok((waves, chosen, survey))
}

#[derive(Serialize)]
struct FigureView {
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

fn view(
    policy: &DisclosurePolicy,
    figures: &Figures,
    f: &Figure,
    label: String,
    lang: Lang,
) -> FigureView {
    let variable = &figures.variables[f.variable];
    let share = variable.kind == Kind::Share;
    let scale = if share { 100.0 } else { 1.0 };
    let number = |x: f64| format::decimal(x * scale, lang);
    let unit = if share { "%" } else { "" };
    match &f.estimate {
        Some(e) => FigureView {
            id: variable.id.clone(),
            label,
            estimate: format!("{}{unit}", number(e.estimate)),
            interval: format!("{}–{}{unit}", number(e.ci_low), number(e.ci_high)),
            se: number(e.se),
            cv: e.cv.map_or_else(|| "–".into(), |cv| format::number(cv, 3, lang)),
            n: f.n,
            weighted_n: format::number(e.weighted_n, 0, lang),
            precision: Some(policy.precision(e.cv)),
            suppressed: false,
            at: e.estimate * scale,
            low: e.ci_low * scale,
            high: e.ci_high * scale,
        },
        None => FigureView {
            id: variable.id.clone(),
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

fn group_label(app: &App, breakdown: Breakdown, group: &str, lang: Lang) -> String {
    crate::figures::group_label(&app.reference, breakdown, group, lang)
}

#[derive(Serialize)]
struct ProgressView {
    label: String,
    target: String,
    latest: FigureView,
    trajectory: String,
    change: String,
    verdict: stats::Verdict,
    reached: bool,
    first_year: i32,
    latest_year: i32,
    /// 0–100 position of the target on the chart.
    target_at: f64,
    trajectory_at: f64,
}

#[derive(Serialize)]
struct StatsPage {
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
    fieldwork: Vec<FieldworkRow>,
    /// Where the target of the indicator shown lies on the 0–100 charts, if it has one.
    target_at: Option<f64>,
    /// Agencies have no frame to weight to: their figures describe those who answered.
    agency: bool,
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

async fn fieldwork(
    app: &App,
    wave: &str,
    survey: &str,
    lang: Lang,
) -> Result<Vec<FieldworkRow>, WebError> {
    let (wave, survey_id) = (wave.to_string(), survey.to_string());
    let (counts, frame) = app
        .store
        .call(move |s| {
            s.read(|c| {
                Ok((
                    store::counts_by_section(c, &wave, &survey_id)?,
                    store::frame_by_section(c, &wave)?,
                ))
            })
        })
        .await?;
    Ok(app
        .reference
        .sectors
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
                .and_then(|n| crate::stats::coverage(counts.submitted, n))
                .map(|share| crate::kernel::format::percent(share, lang));
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

#[get("/stats?<wave>&<survey>&<breakdown>&<indicator>")]
#[allow(clippy::too_many_arguments)]
async fn dashboard(
    viewer: CityViewer,
    wave: Option<&str>,
    survey: Option<&str>,
    breakdown: Option<&str>,
    indicator: Option<&str>,
    app: &State<App>,
    cache: &State<FiguresCache>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<RawHtml<String>, WebError> {
    let (waves, chosen, survey) = choose(app, wave, survey).await?;
    let figures = cache.get(app, &chosen.id, &survey).await?;
    let label = |v: usize| figures.variables[v].label.get(lang).to_string();
    let city: Vec<FigureView> = figures
        .figures
        .iter()
        .filter(|f| f.breakdown == Breakdown::City)
        .map(|f| view(&app.policy, &figures, f, label(f.variable), lang))
        .collect();
    let breakdown = Breakdown::ALL
        .into_iter()
        .find(|b| Some(b.as_str()) == breakdown)
        .unwrap_or(Breakdown::Area);
    let headline = figures.headline(&app.reference.targets);
    let indicator = indicator
        .and_then(|id| figures.variables.iter().position(|v| v.id == id))
        .or(headline.map(|h| h.variable))
        .unwrap_or(0);
    // The target line of the small charts, when a target names the indicator shown.
    let target_at = app
        .reference
        .targets
        .iter()
        .find(|t| figures.variables[indicator].id.strip_prefix("ind_") == Some(&t.indicator))
        .map(|t| t.value * 100.0);
    let rows = figures
        .figures
        .iter()
        .filter(|f| f.breakdown == breakdown && f.variable == indicator)
        .map(|f| view(&app.policy, &figures, f, group_label(app, breakdown, &f.group, lang), lang))
        .collect();
    let progress = progress(app, cache, &waves, &figures, lang).await?;
    let fieldwork = fieldwork(app, &chosen.id, &survey, lang).await?;
    let page = StatsPage {
        staff: viewer.0.view(),
        waves: waves.iter().map(|w| w.id.clone()).collect(),
        wave: chosen.id.clone(),
        surveys: chosen
            .questionnaires
            .iter()
            .filter_map(|(id, v)| app.catalog.get(id, *v))
            .map(|s| (s.id.clone(), s.title.get(lang).to_string()))
            .collect(),
        survey: survey.clone(),
        weighted: figures.weighted,
        respondents: figures.respondents,
        threshold: figures.threshold,
        city,
        progress,
        breakdowns: Breakdown::ALL.iter().skip(1).map(|b| b.as_str()).collect(),
        breakdown: breakdown.as_str(),
        indicators: figures
            .variables
            .iter()
            .map(|v| (v.id.clone(), v.label.get(lang).to_string()))
            .collect(),
        indicator: figures.variables[indicator].id.clone(),
        rows,
        is_share: figures.variables[indicator].kind == Kind::Share,
        target_at,
        agency: app
            .catalog
            .get(&figures.survey, figures.version)
            .is_some_and(|s| s.kind == crate::survey::RespondentKind::Agency),
        strata: figures.strata,
        collapsed: figures.collapsed,
        fieldwork,
    };
    Ok(RawHtml(templates.render("stats.html", lang, &page)?))
}

/// Progress toward each target whose indicator the questionnaire has, over the waves so far.
async fn progress(
    app: &App,
    cache: &FiguresCache,
    waves: &[Wave],
    latest: &Figures,
    lang: Lang,
) -> Result<Vec<ProgressView>, WebError> {
    let mut views = Vec::new();
    let Some(wave) = waves.iter().find(|w| w.id == latest.wave) else { return Ok(views) };
    let trend = crate::report::area::trend_waves(waves, wave, &latest.survey);
    for target in &app.reference.targets {
        let id = format!("ind_{}", target.indicator);
        let Some(v) = latest.variables.iter().position(|x| x.id == id) else { continue };
        let mut series = Vec::new();
        for (year, wave) in &trend {
            let figures = cache.get(app, wave, &latest.survey).await?;
            if let Some(e) = figures
                .figures
                .iter()
                .find(|f| f.breakdown == Breakdown::City && f.variable == v)
                .and_then(|f| f.estimate.clone())
            {
                series.push((*year, e));
            }
        }
        let Some(p) = stats::progress(target, &series) else { continue };
        let city =
            latest.figures.iter().find(|f| f.breakdown == Breakdown::City && f.variable == v);
        let Some(city) = city else { continue };
        let percent = |x: f64| crate::kernel::format::percent(x, lang);
        views.push(ProgressView {
            label: target.label.get(lang).to_string(),
            target: percent(target.value),
            latest: view(
                &app.policy,
                latest,
                city,
                latest.variables[v].label.get(lang).to_string(),
                lang,
            ),
            trajectory: percent(p.trajectory),
            change: percent(p.change),
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

/// A CSV download.
#[derive(Responder)]
#[response(content_type = "text/csv")]
struct Csv {
    body: Vec<u8>,
    disposition: Header<'static>,
}

#[get("/stats/aggregates.csv?<wave>&<survey>")]
async fn aggregates_csv(
    viewer: CityViewer,
    wave: Option<&str>,
    survey: Option<&str>,
    address: ClientAddress,
    app: &State<App>,
    cache: &State<FiguresCache>,
) -> Result<Csv, WebError> {
    let (_, chosen, survey) = choose(app, wave, survey).await?;
    let figures = cache.get(app, &chosen.id, &survey).await?;
    let mut body = Vec::new();
    crate::export::write_aggregates(&figures, &mut body)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    audit(app, &viewer.0, "export", &format!("{}/{survey}", chosen.id), "aggregates.csv", &address)
        .await?;
    let name = format!("attachment; filename=\"aggregates-{survey}-{}.csv\"", chosen.id);
    Ok(Csv { body, disposition: Header::new("Content-Disposition", name) })
}

/// A file served as a download.
#[derive(Responder)]
struct Download {
    file: rocket::fs::NamedFile,
    content_type: ContentType,
    disposition: Header<'static>,
}

/// The microdata or the codebook of a wave, exported afresh (the same files as `dxsurvey
/// export`). The export runs off the async threads; the file is served once written.
#[get("/stats/export/<file>?<wave>&<survey>")]
#[allow(clippy::too_many_arguments)]
async fn export_file(
    viewer: CityViewer,
    file: &str,
    wave: Option<&str>,
    survey: Option<&str>,
    address: ClientAddress,
    app: &State<App>,
    config: &State<crate::config::AppConfig>,
) -> Result<Download, WebError> {
    let content_type = match file {
        "microdata.csv" => ContentType::CSV,
        "datapackage.json" => ContentType::JSON,
        _ => return Err(WebError::Status(Status::NotFound)),
    };
    let (_, chosen, survey) = choose(app, wave, survey).await?;
    let key = super::secret_key(config, &rocket::Config::figment()).map_err(WebError::Internal)?;
    let token =
        crate::auth::SecretToken::generate().map_err(|e| WebError::Internal(e.to_string()))?;
    let dir = std::env::temp_dir().join(format!("dxsurvey-export-{}", &token.as_str()[..16]));
    let (app_ref, wave_id, survey_id, path) =
        (app.inner().clone(), chosen.id.clone(), survey.clone(), dir.clone());
    let exported = rocket::tokio::task::spawn_blocking(move || {
        crate::export::export(&app_ref, &wave_id, &survey_id, &path, &key)
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))?;
    if let Err(e) = exported {
        let _ = std::fs::remove_dir_all(&dir);
        return Err(WebError::Internal(e.to_string()));
    }
    audit(app, &viewer.0, "export", &format!("{}/{survey}", chosen.id), file, &address).await?;
    // The open file outlives its folder: removing the folder only unlinks the names.
    let served = rocket::fs::NamedFile::open(dir.join(file))
        .await
        .map_err(|e| WebError::Internal(e.to_string()));
    let _ = std::fs::remove_dir_all(&dir);
    let (stem, extension) = file.split_once('.').unwrap_or((file, "csv"));
    let name = format!("attachment; filename=\"{stem}-{survey}-{}.{extension}\"", chosen.id);
    Ok(Download {
        file: served?,
        content_type,
        disposition: Header::new("Content-Disposition", name),
    })
}

pub(super) async fn audit(
    app: &App,
    viewer: &Staff,
    action: &'static str,
    target: &str,
    detail: &str,
    address: &ClientAddress,
) -> Result<(), WebError> {
    let (actor, target, detail, from) =
        (viewer.email.clone(), target.to_string(), detail.to_string(), address.0.clone());
    app.store
        .call(move |s| {
            s.write(|tx| {
                store::audit(tx, Some(&actor), action, Some(&target), Some(&detail), Some(&from))
            })
        })
        .await?;
    Ok(())
}

/// One figure in the API.
#[derive(Serialize)]
struct ApiFigure<'a> {
    breakdown: &'static str,
    group: &'a str,
    indicator: &'a str,
    estimate: Option<f64>,
    se: Option<f64>,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
    cv: Option<f64>,
    n: Option<u32>,
    weighted_n: Option<f64>,
    suppressed: bool,
}

#[derive(Serialize)]
struct ApiAnswer<'a> {
    wave: &'a str,
    survey: &'a str,
    version: u32,
    weighted: bool,
    threshold: u32,
    respondents: usize,
    figures: Vec<ApiFigure<'a>>,
}

#[get("/api/v1/figures?<wave>&<survey>&<breakdown>&<indicator>")]
#[allow(clippy::too_many_arguments)]
async fn api_figures(
    viewer: CityViewer,
    wave: Option<&str>,
    survey: Option<&str>,
    breakdown: Option<&str>,
    indicator: Option<&str>,
    address: ClientAddress,
    app: &State<App>,
    cache: &State<FiguresCache>,
) -> Result<(ContentType, RawJson<String>), WebError> {
    let (_, chosen, survey) = choose(app, wave, survey).await?;
    let figures = cache.get(app, &chosen.id, &survey).await?;
    let body =
        api_body(&figures, indicator, |f| breakdown.is_none_or(|b| f.breakdown.as_str() == b))?;
    audit(app, &viewer.0, "api", &format!("{}/{survey}", chosen.id), "figures", &address).await?;
    Ok((ContentType::JSON, RawJson(body)))
}

/// One ward's figures, for anyone who may see that ward: its `area`, `area_size_class` and
/// `area_vsic_section` rows,
/// as published (suppressed cells stay suppressed). An official asking for another ward gets 403.
#[get("/api/v1/areas/<code>/figures?<wave>&<survey>&<indicator>")]
#[allow(clippy::too_many_arguments)]
async fn api_area_figures(
    staff: Staff,
    code: &str,
    wave: Option<&str>,
    survey: Option<&str>,
    indicator: Option<&str>,
    address: ClientAddress,
    app: &State<App>,
    cache: &State<FiguresCache>,
) -> Result<(ContentType, RawJson<String>), WebError> {
    let area = staff.area(app, code)?;
    let code = area.code.to_string();
    let (_, chosen, survey) = choose(app, wave, survey).await?;
    let figures = cache.get(app, &chosen.id, &survey).await?;
    let body = api_body(&figures, indicator, |f| match f.breakdown {
        Breakdown::Area => f.group == code,
        Breakdown::AreaSizeClass | Breakdown::AreaSection => {
            f.breakdown.split(&f.group).is_some_and(|(a, _)| a == code)
        }
        _ => false,
    })?;
    audit(
        app,
        &staff,
        "api",
        &format!("{}/{survey}", chosen.id),
        &format!("figures {code}"),
        &address,
    )
    .await?;
    Ok((ContentType::JSON, RawJson(body)))
}

/// The API's JSON for the figures `keep` selects, of one indicator or all.
fn api_body(
    figures: &Figures,
    indicator: Option<&str>,
    keep: impl Fn(&Figure) -> bool,
) -> Result<String, WebError> {
    let answer = ApiAnswer {
        wave: &figures.wave,
        survey: &figures.survey,
        version: figures.version,
        weighted: figures.weighted,
        threshold: figures.threshold,
        respondents: figures.respondents,
        figures: figures
            .figures
            .iter()
            .filter(|f| keep(f))
            .filter(|f| indicator.is_none_or(|i| figures.variables[f.variable].id == i))
            .map(|f| {
                let e = f.estimate.as_ref();
                let published = f.suppression == Suppression::Published;
                ApiFigure {
                    breakdown: f.breakdown.as_str(),
                    group: &f.group,
                    indicator: &figures.variables[f.variable].id,
                    estimate: e.map(|e| e.estimate),
                    se: e.map(|e| e.se),
                    ci_low: e.map(|e| e.ci_low),
                    ci_high: e.map(|e| e.ci_high),
                    cv: e.and_then(|e| e.cv),
                    n: published.then_some(f.n),
                    weighted_n: e.map(|e| e.weighted_n),
                    suppressed: !published,
                }
            })
            .collect(),
    };
    serde_json::to_string(&answer).map_err(|e| WebError::Internal(e.to_string()))
}
