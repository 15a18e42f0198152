//! PDF downloads: a respondent's self-assessment through its resume link, an area's summary
//! for whoever may see every ward of it, the city's overview for statisticians and
//! administrators. Staff downloads are written to the audit log.

use std::sync::Arc;

use rocket::Either;
use rocket::http::{Header, Status};
use rocket::response::Redirect;
use rocket::{FromForm, Responder, Route, State, get, routes};
use time::OffsetDateTime;

use super::staff::{CityViewer, ClientAddress, Staff};
use super::stats::audit;
use super::{FiguresCache, WebError, blocking};
use crate::app::App;
use crate::report::area::{Inputs, Place, ReportError, WaveFigures, area_report, trend_waves};
use crate::report::city::city_report;
use crate::report::respondent::{assess, respondent_report};
use crate::store;
use crate::survey::Lang;

pub fn routes() -> Vec<Route> {
    routes![respondent_pdf, area_pdf, city_pdf]
}

/// A PDF served as a download.
#[derive(Responder)]
#[response(content_type = "application/pdf")]
pub struct Pdf {
    body: Vec<u8>,
    disposition: Header<'static>,
}

impl Pdf {
    fn named(body: Vec<u8>, name: &str) -> Pdf {
        Pdf {
            body,
            disposition: Header::new(
                "Content-Disposition",
                format!("attachment; filename=\"{name}\""),
            ),
        }
    }
}

impl From<ReportError> for WebError {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::NoWave(_)
            | ReportError::NoSurvey(_)
            | ReportError::NoArea(_)
            | ReportError::NoResponse(_) => WebError::Status(Status::NotFound),
            ReportError::Figures(e) => e.into(),
            ReportError::Store(e) => e.into(),
        }
    }
}

/// `?lang=vi|en` when given, else the visitor's language.
fn language(asked: Option<&str>, lang: Lang) -> Lang {
    asked.and_then(Lang::parse).unwrap_or(lang)
}

#[get("/r/<token>/report.pdf?<lang>")]
async fn respondent_pdf(
    token: &str,
    lang: Option<&str>,
    app: &State<App>,
    visitor: Lang,
) -> Result<Either<Pdf, Redirect>, WebError> {
    let lang = language(lang, visitor);
    let opened = super::respond::open(app, token).await?;
    if opened.response.status != store::ResponseStatus::Submitted {
        // Not submitted yet: there is nothing to report but the answers to review.
        return Ok(Either::Right(Redirect::to(format!("/r/{token}/review"))));
    }
    let response = opened.response.clone();
    let peer_means = app.store.call(move |s| s.read(|c| store::peers_of(c, &response))).await?;
    let app_ref = app.inner().clone();
    let pdf = blocking(move || {
        let a =
            assess(&app_ref, &opened.survey, &opened.answers, &opened.response, &peer_means, lang);
        respondent_report(&app_ref.texts, &a, lang, OffsetDateTime::now_utc())
    })
    .await?;
    Ok(Either::Left(Pdf::named(pdf, "tu-danh-gia.pdf")))
}

/// The inputs of the area and city reports of a wave (by default the newest open one), with
/// every wave's figures from the figures cache.
async fn inputs(
    app: &App,
    cache: &FiguresCache,
    query: &SummaryQuery<'_>,
) -> Result<Arc<Inputs>, WebError> {
    let (waves, chosen, survey) = super::stats::choose(app, query.wave, query.survey).await?;
    let mut series = Vec::new();
    for (year, id) in trend_waves(&waves, &chosen, &survey) {
        let (sample, figures) = cache.get_with_sample(app, &id, &survey).await?;
        series.push(WaveFigures { year, sample, figures });
    }
    let app_ref = app.clone();
    let inputs = blocking(move || Inputs::assemble(&app_ref, chosen, &survey, series)).await??;
    Ok(Arc::new(inputs))
}

/// The summary of `place`, or the city overview for `None`, drawn off the async threads and
/// written to the audit log as downloaded by `staff`.
async fn summary_pdf(
    app: &App,
    cache: &FiguresCache,
    query: &SummaryQuery<'_>,
    place: Option<Place>,
    lang: Lang,
    staff: &Staff,
    address: &ClientAddress,
) -> Result<Pdf, WebError> {
    let inputs = inputs(app, cache, query).await?;
    let wave_id = inputs.wave.id.clone();
    let (detail, name) = match &place {
        Some(p) => (format!("area {}", p.code), format!("bao-cao-{}-{wave_id}.pdf", p.code)),
        None => ("city".to_string(), format!("bao-cao-thanh-pho-{wave_id}.pdf")),
    };
    let app_ref = app.clone();
    let pdf = blocking(move || {
        let (texts, now) = (&app_ref.texts, OffsetDateTime::now_utc());
        match &place {
            Some(place) => area_report(&app_ref, texts, &inputs, place, lang, now),
            None => city_report(&app_ref, texts, &inputs, lang, now),
        }
    })
    .await?;
    audit(app, staff, "report", &wave_id, &detail, address).await?;
    Ok(Pdf::named(pdf, &name))
}

/// What an area or city report is asked for with: the wave and questionnaire (by default the
/// newest wave with submissions and its primary questionnaire) and the language.
#[derive(FromForm)]
pub struct SummaryQuery<'r> {
    wave: Option<&'r str>,
    survey: Option<&'r str>,
    lang: Option<&'r str>,
}

#[get("/areas/<code>/report.pdf?<query..>")]
async fn area_pdf(
    staff: Staff,
    code: &str,
    query: SummaryQuery<'_>,
    address: ClientAddress,
    app: &State<App>,
    cache: &State<FiguresCache>,
    visitor: Lang,
) -> Result<Pdf, WebError> {
    let place = Place::find(&app.reference, code).ok_or(WebError::Status(Status::NotFound))?;
    for area in &place.areas {
        staff.area(app, area)?;
    }
    let lang = language(query.lang, visitor);
    summary_pdf(app, cache, &query, Some(place), lang, &staff, &address).await
}

#[get("/stats/report.pdf?<query..>")]
async fn city_pdf(
    viewer: CityViewer,
    query: SummaryQuery<'_>,
    address: ClientAddress,
    app: &State<App>,
    cache: &State<FiguresCache>,
    visitor: Lang,
) -> Result<Pdf, WebError> {
    let lang = language(query.lang, visitor);
    summary_pdf(app, cache, &query, None, lang, &viewer.0, &address).await
}
