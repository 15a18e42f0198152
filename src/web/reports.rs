//! PDF downloads: a respondent's self-assessment through its resume link, an area's summary
//! for whoever may see every ward of it, the city's overview for statisticians and
//! administrators. Staff downloads are written to the audit log.

use rocket::Either;
use rocket::http::{Header, Status};
use rocket::response::Redirect;
use rocket::{FromForm, Responder, Route, get, routes};
use time::OffsetDateTime;

use super::staff::{CityViewer, Staff};
use super::stats::{FiguresQuery, chosen};
use super::{Page, WebError, blocking};
use crate::kernel::format::today;
use crate::report::area::Place;
use crate::report::respondent::respondent_report;
use crate::service::{publish, respond};
use crate::store::StoreError;
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
    pub fn named(body: Vec<u8>, name: &str) -> Pdf {
        Pdf {
            body,
            disposition: Header::new(
                "Content-Disposition",
                format!("attachment; filename=\"{name}\""),
            ),
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
    page: Page<'_>,
) -> Result<Either<Pdf, Redirect>, WebError> {
    let lang = language(lang, page.lang);
    let opened = super::respond::open(page.app, token).await?;
    if !opened.submitted() {
        // Not submitted yet: there is nothing to report but the answers to review.
        return Ok(Either::Right(Redirect::to(format!("/r/{token}/review"))));
    }
    let app = page.app.clone();
    let pdf = blocking(move || {
        let assessment = respond::assessment(&app, &opened, lang, today())?;
        Ok::<_, StoreError>(respondent_report(
            &app.texts,
            &assessment,
            lang,
            OffsetDateTime::now_utc(),
        ))
    })
    .await??;
    Ok(Either::Left(Pdf::named(pdf, "tu-danh-gia.pdf")))
}

/// The summary of `place`, or the city overview for `None`, drawn off the async threads and
/// written to the audit log as downloaded by `staff`.
async fn summary_pdf(
    page: &Page<'_>,
    staff: &Staff,
    query: &SummaryQuery<'_>,
    place: Option<Place>,
) -> Result<Pdf, WebError> {
    let figures_query =
        FiguresQuery { wave: query.wave, survey: query.survey, breakdown: None, indicator: None };
    let choice = chosen(page.app, &figures_query).await?;
    let (app, actor, lang) =
        (page.app.clone(), staff.actor(&page.address), language(query.lang, page.lang));
    let now = OffsetDateTime::now_utc();
    let published =
        blocking(move || publish::summary(&app, &actor, choice, place.as_ref(), lang, now))
            .await??;
    Ok(Pdf::named(published.body, &published.name))
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
    page: Page<'_>,
) -> Result<Pdf, WebError> {
    let place = Place::find(&page.app.reference, code).ok_or(WebError::Status(Status::NotFound))?;
    for area in &place.areas {
        staff.area(page.app, area.as_str())?;
    }
    summary_pdf(&page, &staff, &query, Some(place)).await
}

#[get("/stats/report.pdf?<query..>")]
async fn city_pdf(
    viewer: CityViewer,
    query: SummaryQuery<'_>,
    page: Page<'_>,
) -> Result<Pdf, WebError> {
    summary_pdf(&page, &viewer.0, &query, None).await
}
