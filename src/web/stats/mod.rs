//! Figures for statisticians and administrators: the city's estimates with their precision,
//! progress toward the targets, breakdowns with suppressed cells marked, and downloads (the JSON
//! API is `web::api`). Every download is written to the audit log by its use case.

mod downloads;
mod experiment;
mod view;

use rocket::response::content::RawHtml;
use rocket::{FromForm, Route, get, routes};

use super::staff::CityViewer;
use super::{Page, WebError, blocking};
use crate::app::App;
use crate::service::figures::{self, Choice};
use view::{Shown, StatsPage};

pub fn routes() -> Vec<Route> {
    routes![dashboard, downloads::aggregates_csv, downloads::export_file]
}

/// What a figures page or download is asked for with: the wave and questionnaire (by default
/// the newest wave with submissions and its primary questionnaire), and on the dashboard and
/// API the breakdown and indicator shown.
#[derive(FromForm)]
pub struct FiguresQuery<'r> {
    pub wave: Option<&'r str>,
    pub survey: Option<&'r str>,
    pub breakdown: Option<&'r str>,
    pub indicator: Option<&'r str>,
}

/// The wave and questionnaire asked for.
pub(super) async fn chosen(app: &App, query: &FiguresQuery<'_>) -> Result<Choice, WebError> {
    let (app, wave, survey) =
        (app.clone(), query.wave.map(str::to_string), query.survey.map(str::to_string));
    Ok(blocking(move || figures::choose(&app, wave.as_deref(), survey.as_deref())).await??)
}

#[get("/stats?<query..>")]
async fn dashboard(
    viewer: CityViewer,
    query: FiguresQuery<'_>,
    page: Page<'_>,
) -> Result<RawHtml<String>, WebError> {
    let choice = chosen(page.app, &query).await?;
    let (app, staff, lang) = (page.app.clone(), viewer.0.view(), page.lang);
    let shown = (query.breakdown.map(str::to_string), query.indicator.map(str::to_string));
    let stats = blocking(move || {
        let shown = Shown { breakdown: shown.0.as_deref(), indicator: shown.1.as_deref() };
        StatsPage::build(&app, staff, &choice, &shown, lang)
    })
    .await??;
    page.html("stats/dashboard.html", &stats)
}
