//! The waves, and each wave's aggregates and microdata: the same files as the dashboard's
//! downloads (`/stats/aggregates.csv`, `/stats/export/microdata.csv`), made and audited by the
//! same use cases.

use rocket::get;
use rocket::http::ContentType;
use serde::Serialize;

use super::{Api, Problem, Reply, blocking, choose, given};
use crate::kernel::Text;
use crate::service::publish::{self, ExportFile, Published};
use crate::store::{self, WaveStatus};
use crate::web::WebError;
use crate::web::staff::{CityViewer, Staff};

/// A wave in the API.
#[derive(Serialize)]
struct ApiWave {
    id: String,
    title: Text,
    opens_on: String,
    closes_on: String,
    status: WaveStatus,
    /// Whether any response of it is submitted and counted: figures exist.
    with_submissions: bool,
    /// The questionnaire figures and files are of unless `survey` says otherwise.
    primary_survey: Option<String>,
    questionnaires: Vec<ApiQuestionnaire>,
}

#[derive(Serialize)]
struct ApiQuestionnaire {
    survey: String,
    version: u32,
}

/// Every wave, newest first.
#[get("/api/v1/waves")]
pub async fn waves(api: Api<'_, Staff>) -> Result<Reply, Problem> {
    let (app, conditions) = (api.page.app.clone(), api.conditions);
    blocking(move || {
        let (waves, with_submissions) =
            app.store.read(|c| Ok((store::waves(c)?, store::waves_with_submissions(c, None)?)))?;
        let waves: Vec<ApiWave> = waves
            .into_iter()
            .map(|w| ApiWave {
                with_submissions: with_submissions.contains(&w.id),
                primary_survey: crate::service::waves::primary_questionnaire(&app, &w),
                questionnaires: w
                    .questionnaires
                    .iter()
                    .map(|(survey, version)| ApiQuestionnaire {
                        survey: survey.clone(),
                        version: *version,
                    })
                    .collect(),
                id: w.id,
                title: w.title,
                opens_on: w.opens_on,
                closes_on: w.closes_on,
                status: w.status,
            })
            .collect();
        let body = serde_json::to_vec(&serde_json::json!({ "waves": waves }))
            .map_err(|e| WebError::Internal(e.to_string()))?;
        Ok(Reply::bytes(body, ContentType::JSON, &conditions))
    })
    .await?
}

/// The wave's aggregates (the columns of `aggregates.csv`), for statisticians and administrators.
#[get("/api/v1/waves/<wave>/aggregates.csv?<survey>")]
pub async fn aggregates(
    api: Api<'_, CityViewer>,
    wave: &str,
    survey: Option<&str>,
) -> Result<Reply, Problem> {
    let (wave, survey) = (wave.to_string(), given("survey", survey)?);
    let actor = api.who.0.actor(&api.page.address);
    let (app, conditions) = (api.page.app.clone(), api.conditions);
    blocking(move || {
        let choice = choose(&app, Some(&wave), survey.as_deref())?;
        let Published { name, body, computed_at } = publish::aggregates(&app, &actor, &choice)?;
        Ok(Reply::bytes(body, ContentType::CSV, &conditions).named(name).computed(computed_at))
    })
    .await?
}

/// The wave's de-identified microdata (`microdata.csv`, pseudonyms keyed by the server's
/// secret), for statisticians and administrators; streamed, never held in memory.
#[get("/api/v1/waves/<wave>/microdata.csv?<survey>")]
pub async fn microdata(
    api: Api<'_, CityViewer>,
    wave: &str,
    survey: Option<&str>,
) -> Result<Reply, Problem> {
    let (wave, survey) = (wave.to_string(), given("survey", survey)?);
    let actor = api.who.0.actor(&api.page.address);
    let (key, lang) = (api.page.app.secret.to_string(), api.page.lang);
    let (app, conditions) = (api.page.app.clone(), api.conditions);
    blocking(move || {
        let choice = choose(&app, Some(&wave), survey.as_deref())?;
        let file = (ExportFile::Microdata, lang);
        let exported = publish::export_file(&app, &actor, &choice, file, &key)?;
        // Exported afresh for the request.
        let computed_at = time::OffsetDateTime::now_utc();
        Reply::file(exported.file, ContentType::CSV, exported.name, &conditions)
            .map(|reply| reply.computed(computed_at))
            .map_err(|e| WebError::Internal(format!("microdata: {e}")).into())
    })
    .await?
}
