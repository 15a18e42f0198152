//! PDF downloads: a respondent's self-assessment through its resume link, an area's summary
//! for whoever may see every ward of it, the city's overview for statisticians and
//! administrators. Staff downloads are written to the audit log.

use std::collections::HashMap;
use std::sync::Arc;

use rocket::Either;
use rocket::http::{Header, Status};
use rocket::response::Redirect;
use rocket::{Responder, Route, State, get, routes};
use time::OffsetDateTime;

use super::staff::{CityViewer, ClientAddress, Staff};
use super::stats::audit;
use super::{FiguresCache, WebError};
use crate::app::App;
use crate::report::area::{
    Inputs, Place, ReportError, WaveFigures, area_report, enterprise_survey, trend_waves,
};
use crate::report::city::city_report;
use crate::report::respondent::{assess, peers, respondent_report};
use crate::store::{self, Wave};
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

/// Runs report drawing off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, WebError> {
    rocket::tokio::task::spawn_blocking(work).await.map_err(|e| WebError::Internal(e.to_string()))
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
    let peer_means = app.store.call(move |s| s.read(|c| peers(c, &response))).await?;
    let app_ref = app.inner().clone();
    let pdf = blocking(move || {
        let a =
            assess(&app_ref, &opened.survey, &opened.answers, &opened.response, &peer_means, lang);
        respondent_report(&app_ref.texts, &a, lang, OffsetDateTime::now_utc())
    })
    .await?;
    Ok(Either::Left(Pdf::named(pdf, "tu-danh-gia.pdf")))
}

/// The inputs of the area and city reports of a wave, from the figures cache.
async fn inputs(
    app: &App,
    cache: &FiguresCache,
    wave: Option<&str>,
) -> Result<Arc<Inputs>, WebError> {
    let waves = app.store.call(|s| s.read(store::waves)).await?;
    let chosen: Wave = match wave {
        Some(id) => waves.iter().find(|w| w.id == id),
        None => waves.iter().find(|w| w.status == store::WaveStatus::Open).or(waves.first()),
    }
    .cloned()
    .ok_or(WebError::Status(Status::NotFound))?;
    let survey = enterprise_survey(app, &chosen)?;
    let mut computed = HashMap::new();
    for (year, id) in trend_waves(&waves, &chosen, &survey) {
        let (sample, figures) = cache.get_with_sample(app, &id, &survey).await?;
        computed.insert(id, WaveFigures { year, sample, figures });
    }
    let app_ref = app.clone();
    let inputs = blocking(move || {
        Inputs::load(&app_ref, &chosen.id, |wave, _| {
            computed
                .get(wave)
                .cloned()
                .map_or_else(|| Err(crate::figures::FiguresError::NoWave(wave.into())), Ok)
        })
    })
    .await??;
    Ok(Arc::new(inputs))
}

#[get("/areas/<code>/report.pdf?<wave>&<lang>")]
#[allow(clippy::too_many_arguments)]
async fn area_pdf(
    staff: Staff,
    code: &str,
    wave: Option<&str>,
    lang: Option<&str>,
    address: ClientAddress,
    app: &State<App>,
    cache: &State<FiguresCache>,
    visitor: Lang,
) -> Result<Pdf, WebError> {
    let place = Place::find(&app.reference, code).ok_or(WebError::Status(Status::NotFound))?;
    for area in &place.areas {
        staff.area(app, area)?;
    }
    let lang = language(lang, visitor);
    let inputs = inputs(app, cache, wave).await?;
    let wave_id = inputs.wave.id.clone();
    let (app_ref, for_place) = (app.inner().clone(), place.clone());
    let pdf = blocking(move || {
        area_report(&app_ref, &app_ref.texts, &inputs, &for_place, lang, OffsetDateTime::now_utc())
    })
    .await?;
    audit(app, &staff, "report", &wave_id, &format!("area {}", place.code), &address).await?;
    Ok(Pdf::named(pdf, &format!("bao-cao-{}-{wave_id}.pdf", place.code)))
}

#[get("/stats/report.pdf?<wave>&<lang>")]
async fn city_pdf(
    viewer: CityViewer,
    wave: Option<&str>,
    lang: Option<&str>,
    address: ClientAddress,
    app: &State<App>,
    cache: &State<FiguresCache>,
    visitor: Lang,
) -> Result<Pdf, WebError> {
    let lang = language(lang, visitor);
    let inputs = inputs(app, cache, wave).await?;
    let wave_id = inputs.wave.id.clone();
    let app_ref = app.inner().clone();
    let pdf = blocking(move || {
        city_report(&app_ref, &app_ref.texts, &inputs, lang, OffsetDateTime::now_utc())
    })
    .await?;
    audit(app, &viewer.0, "report", &wave_id, "city", &address).await?;
    Ok(Pdf::named(pdf, &format!("bao-cao-thanh-pho-{wave_id}.pdf")))
}
