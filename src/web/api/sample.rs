//! What the sample and the questionnaire's experiment say, as JSON, for statisticians and
//! administrators: computed at each request, so `computed_at` is the request's time (and
//! `Last-Modified`); the `ETag` is over the rest, so unchanged figures keep their tag.

use rocket::get;
use time::OffsetDateTime;

use super::{Api, Problem, Reply, blocking, choose, given};
use crate::service::publish;
use crate::web::WebError;
use crate::web::staff::CityViewer;

/// The response rates of a wave's sample, unit and weighted, for the city and by ward, VSIC
/// section and size class (`service::followup`).
#[get("/api/v1/response-rates?<wave>")]
pub async fn response_rates(
    api: Api<'_, CityViewer>,
    wave: Option<&str>,
) -> Result<Reply, Problem> {
    let wave = given("wave", wave)?;
    let (app, conditions) = (api.page.app.clone(), api.conditions);
    blocking(move || {
        let computed_at = OffsetDateTime::now_utc();
        let choice = choose(&app, wave.as_deref(), None)?;
        let rates = crate::service::followup::response_rates(&app, &choice.wave.id)?;
        let body = serde_json::json!({
            "wave": choice.wave.id,
            "rates": rates,
        });
        Ok(Reply::live_json(object(body)?, computed_at, &conditions))
    })
    .await?
}

/// The chosen questionnaire's split-ballot experiment in the wave: each indicator's share per
/// arm and each arm's difference from the reference arm, with 95% intervals;
/// `"experiment": null` when the questionnaire declares none.
#[get("/api/v1/experiment?<wave>&<survey>")]
pub async fn experiment(
    api: Api<'_, CityViewer>,
    wave: Option<&str>,
    survey: Option<&str>,
) -> Result<Reply, Problem> {
    let (wave, survey) = (given("wave", wave)?, given("survey", survey)?);
    let actor = api.who.0.actor(&api.page.address);
    let (app, conditions) = (api.page.app.clone(), api.conditions);
    blocking(move || {
        let computed_at = OffsetDateTime::now_utc();
        let choice = choose(&app, wave.as_deref(), survey.as_deref())?;
        let (wave, survey) = (choice.wave.id.clone(), choice.survey.clone());
        let effects = publish::api_experiment(&app, &actor, &choice)?;
        let body = serde_json::json!({
            "wave": wave,
            "survey": survey,
            "method": EXPERIMENT_METHOD,
            "experiment": effects,
        });
        Ok(Reply::live_json(object(body)?, computed_at, &conditions))
    })
    .await?
}

fn object(body: serde_json::Value) -> Result<serde_json::Map<String, serde_json::Value>, Problem> {
    match body {
        serde_json::Value::Object(map) => Ok(map),
        _ => Err(WebError::Internal("an API answer is a JSON object".into()).into()),
    }
}

/// How the experiment's intervals are computed, for those reading the API's answer.
const EXPERIMENT_METHOD: &str = "unweighted shares of the submitted responses that count, by the arm each was randomly assigned; 95% Wilson score interval per arm; difference from the reference arm with Newcombe's hybrid score interval (method 10); withheld under the threshold rule for shares (docs/methodology.md, Split-ballot experiments)";
