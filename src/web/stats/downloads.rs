//! Downloads and the JSON API. The use cases write the audit entry of each; here the request is
//! parsed and the answer shaped.

use rocket::http::{ContentType, Header, Status};
use rocket::response::content::RawJson;
use rocket::{Responder, get};
use serde::Serialize;

use super::{FiguresQuery, chosen};
use crate::figures::{Figure, Figures};
use crate::service::publish::{self, ApiFigures, ApiScope, ExportFile, Published};
use crate::stats::{self, Suppression};
use crate::web::staff::{CityViewer, Staff};
use crate::web::{ApiCall, Page, WebError, blocking};

/// A file to save.
#[derive(Responder)]
pub struct Download<T> {
    body: T,
    content_type: ContentType,
    disposition: Header<'static>,
}

impl<T> Download<T> {
    fn new(body: T, content_type: ContentType, name: &str) -> Download<T> {
        let disposition = format!("attachment; filename=\"{name}\"");
        Download {
            body,
            content_type,
            disposition: Header::new("Content-Disposition", disposition),
        }
    }
}

#[get("/stats/aggregates.csv?<query..>")]
pub async fn aggregates_csv(
    viewer: CityViewer,
    query: FiguresQuery<'_>,
    page: Page<'_>,
) -> Result<Download<Vec<u8>>, WebError> {
    let (app, actor) = (page.app.clone(), viewer.0.actor(&page.address));
    let choice = chosen(page.app, &query).await?;
    let Published { name, body } =
        blocking(move || publish::aggregates(&app, &actor, &choice)).await??;
    Ok(Download::new(body, ContentType::CSV, &name))
}

/// The microdata or the codebook of a wave, exported afresh (the same files as `dxsurvey
/// export`), off the async threads.
#[get("/stats/export/<file>?<query..>")]
pub async fn export_file(
    viewer: CityViewer,
    file: &str,
    query: FiguresQuery<'_>,
    page: Page<'_>,
) -> Result<Download<rocket::tokio::fs::File>, WebError> {
    let file = ExportFile::parse(file).ok_or(WebError::Status(Status::NotFound))?;
    let key = page.app.secret.to_string();
    let (app, actor) = (page.app.clone(), viewer.0.actor(&page.address));
    let choice = chosen(page.app, &query).await?;
    let exported =
        blocking(move || publish::export_file(&app, &actor, &choice, file, &key)).await??;
    let content_type = match file {
        ExportFile::Microdata | ExportFile::ResponseGroups => ContentType::CSV,
        ExportFile::DataPackage => ContentType::JSON,
    };
    let body = rocket::tokio::fs::File::from_std(exported.file);
    Ok(Download::new(body, content_type, &exported.name))
}

#[get("/api/v1/figures?<query..>")]
pub async fn api_figures(
    _quota: ApiCall,
    viewer: CityViewer,
    query: FiguresQuery<'_>,
    page: Page<'_>,
) -> Result<(ContentType, RawJson<String>), WebError> {
    let (app, actor) = (page.app.clone(), viewer.0.actor(&page.address));
    let choice = chosen(page.app, &query).await?;
    let answer =
        blocking(move || publish::api_figures(&app, &actor, &choice, &ApiScope::City)).await??;
    let breakdown = query.breakdown;
    let body = api_body(&answer, query.indicator, |f| {
        breakdown.is_none_or(|b| f.breakdown().as_str() == b)
    })?;
    Ok((ContentType::JSON, RawJson(body)))
}

/// One ward's figures, for anyone who may see that ward: its `area`, `area_size_class` and
/// `area_vsic_section` rows, as published (suppressed cells stay suppressed). An official
/// asking for another ward gets 403.
#[get("/api/v1/areas/<code>/figures?<query..>")]
pub async fn api_area_figures(
    _quota: ApiCall,
    staff: Staff,
    code: &str,
    query: FiguresQuery<'_>,
    page: Page<'_>,
) -> Result<(ContentType, RawJson<String>), WebError> {
    let code = staff.area(page.app, code)?.code.clone();
    let (app, actor) = (page.app.clone(), staff.actor(&page.address));
    let choice = chosen(page.app, &query).await?;
    let scope = ApiScope::Area(code.clone());
    let answer = blocking(move || publish::api_figures(&app, &actor, &choice, &scope)).await??;
    let body = api_body(&answer, query.indicator, |f| f.is_in_area(&code))?;
    Ok((ContentType::JSON, RawJson(body)))
}

/// One figure in the API.
#[derive(Serialize)]
struct ApiFigure<'a> {
    breakdown: &'static str,
    group: String,
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

impl<'a> ApiFigure<'a> {
    fn new(figures: &'a Figures, f: &Figure) -> ApiFigure<'a> {
        let e = f.estimate.as_ref();
        let published = f.suppression == Suppression::Published;
        ApiFigure {
            breakdown: f.breakdown().as_str(),
            group: f.group.to_string(),
            indicator: figures.variables[f.variable].id(),
            estimate: e.map(|e| e.estimate),
            se: e.map(|e| e.se),
            ci_low: e.and_then(|e| e.interval).map(|i| i.low),
            ci_high: e.and_then(|e| e.interval).map(|i| i.high),
            cv: e.and_then(|e| e.cv),
            n: published.then_some(f.n),
            weighted_n: e.map(|e| e.weighted_n),
            suppressed: !published,
        }
    }
}

#[derive(Serialize)]
struct ApiAnswer<'a> {
    wave: &'a str,
    survey: &'a str,
    version: u32,
    weighted: bool,
    /// docs/methodology.md §3 and §3a: unweighted, post_stratified,
    /// sample_nonresponse_adjusted, sample_calibrated_<distance>.
    estimator: &'static str,
    /// Why a sample wave's calibration does not hold, when it was asked for.
    calibration_problem: Option<&'a str>,
    /// Counted responses of enterprises outside a sample wave's sample.
    outside_sample: usize,
    threshold: u32,
    respondents: usize,
    figures: Vec<ApiFigure<'a>>,
    /// Each target's indicator: its change since the first wave whose estimate is published
    /// (docs/methodology.md §5a).
    changes: Vec<ApiChange<'a>>,
}

/// The change of a target's indicator between two waves, in the API.
#[derive(Serialize)]
struct ApiChange<'a> {
    indicator: &'a str,
    from_wave: &'a str,
    to_wave: &'a str,
    #[serde(flatten)]
    change: &'a stats::Change,
}

/// The API's JSON for the figures `keep` selects, of one indicator or all.
fn api_body(
    answer: &ApiFigures,
    indicator: Option<&str>,
    keep: impl Fn(&Figure) -> bool,
) -> Result<String, WebError> {
    let figures = &answer.figures;
    let changes = answer
        .changes
        .iter()
        .filter_map(|(id, trend)| {
            let column = figures.variables.iter().find(|v| v.is_indicator(id))?.id();
            let change = trend.change.as_ref()?;
            let (first, last) = (trend.series.first()?, trend.series.last()?);
            Some(ApiChange { indicator: column, from_wave: &first.1, to_wave: &last.1, change })
        })
        .filter(|c| indicator.is_none_or(|i| i == c.indicator))
        .collect();
    let answer = ApiAnswer {
        changes,
        wave: &figures.wave,
        survey: &figures.survey,
        version: figures.version,
        weighted: figures.weighted,
        estimator: figures.estimator.code(),
        calibration_problem: figures.calibration_problem.as_deref(),
        outside_sample: figures.outside_sample,
        threshold: figures.threshold,
        respondents: figures.respondents,
        figures: figures
            .figures
            .iter()
            .filter(|f| keep(f))
            .filter(|f| indicator.is_none_or(|i| figures.variables[f.variable].id() == i))
            .map(|f| ApiFigure::new(figures, f))
            .collect(),
    };
    serde_json::to_string(&answer).map_err(|e| WebError::Internal(e.to_string()))
}

/// The response rates of a wave's sample, unit and weighted, for the city and by ward, VSIC
/// section and size class (`service::followup`).
#[get("/api/v1/response-rates?<query..>")]
pub async fn api_response_rates(
    _quota: ApiCall,
    _viewer: CityViewer,
    query: FiguresQuery<'_>,
    page: Page<'_>,
) -> Result<(ContentType, RawJson<String>), WebError> {
    let choice = chosen(page.app, &query).await?;
    let (app, wave) = (page.app.clone(), choice.wave.id.clone());
    let rates = blocking(move || crate::service::followup::response_rates(&app, &wave)).await??;
    let body = serde_json::json!({ "wave": choice.wave.id, "rates": rates });
    Ok((ContentType::JSON, RawJson(body.to_string())))
}

/// The chosen questionnaire's split-ballot experiment in the wave: each indicator's share per
/// arm and each arm's difference from the reference arm, with 95% intervals;
/// `"experiment": null` when the questionnaire declares none.
#[get("/api/v1/experiment?<query..>")]
pub async fn api_experiment(
    _quota: ApiCall,
    viewer: CityViewer,
    query: FiguresQuery<'_>,
    page: Page<'_>,
) -> Result<(ContentType, RawJson<String>), WebError> {
    let (app, actor) = (page.app.clone(), viewer.0.actor(&page.address));
    let choice = chosen(page.app, &query).await?;
    let (wave, survey) = (choice.wave.id.clone(), choice.survey.clone());
    let effects = blocking(move || publish::api_experiment(&app, &actor, &choice)).await??;
    let body = serde_json::json!({
        "wave": wave,
        "survey": survey,
        "method": EXPERIMENT_METHOD,
        "experiment": effects,
    });
    Ok((ContentType::JSON, RawJson(body.to_string())))
}

/// How the experiment's intervals are computed, for those reading the API's answer.
const EXPERIMENT_METHOD: &str = "unweighted shares of the submitted responses that count, by the arm each was randomly assigned; 95% Wilson score interval per arm; difference from the reference arm with Newcombe's hybrid score interval (method 10); withheld under the threshold rule for shares (docs/methodology.md, Split-ballot experiments)";
