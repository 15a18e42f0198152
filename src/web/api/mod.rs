//! The JSON and CSV API under `/api/v1/`, for scripts and the dashboard's links: figures (paged),
//! a ward's figures, the sample's response rates, the split-ballot experiment, the waves, and
//! each wave's aggregates and microdata. Described in `docs/openapi.json` (served at
//! `/api/v1/openapi.json`) and `docs/api.md`.
//!
//! Every route takes [`Api`] first: the client's limit, then who asks (a session cookie, or a
//! personal token as `Authorization: Bearer`, [`bearer`]), then the query: a parameter the route
//! does not take is refused (400), never ignored. Every refusal is JSON ([`Problem`]); every
//! answer has a strong ETag and is gzipped when the client accepts it ([`Reply`]). The use
//! cases write the audit entries; token uses are audited as they are checked.

pub mod bearer;
mod figures;
mod openapi;
mod problem;
mod reply;
mod sample;
mod waves;

use rocket::request::{FromRequest, Outcome, Request};
use rocket::{Route, routes};

pub use problem::Problem;
pub use reply::{Conditions, Reply};

use super::{ApiCall, Page, blocking};
use crate::app::App;
use crate::service::figures::{self as figures_service, Choice};

pub fn routes() -> Vec<Route> {
    routes![
        figures::figures,
        figures::area_figures,
        sample::response_rates,
        sample::experiment,
        waves::waves,
        waves::aggregates,
        waves::microdata,
        openapi::openapi,
    ]
}

/// An API request: within the client's limit (first, so that a client over it costs no
/// lookup), by `W` (who may ask: [`crate::web::staff::Staff`], `CityViewer`, or [`Anyone`]),
/// with no query parameter its route does not take. With the page's context and what the
/// client accepts.
pub struct Api<'r, W> {
    pub who: W,
    pub page: Page<'r>,
    pub conditions: Conditions,
}

/// Anyone may ask (the API's description).
pub struct Anyone;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Anyone {
    type Error = std::convert::Infallible;

    async fn from_request(_: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(Anyone)
    }
}

#[rocket::async_trait]
impl<'r, W: FromRequest<'r> + Send> FromRequest<'r> for Api<'r, W> {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        if let Outcome::Error((_, seconds)) = request.guard::<ApiCall>().await {
            return Outcome::Error((Problem::too_many(seconds).note(request), ()));
        }
        let who = match request.guard::<W>().await {
            Outcome::Success(who) => who,
            Outcome::Error((status, _)) => return Outcome::Error((status, ())),
            Outcome::Forward(status) => return Outcome::Forward(status),
        };
        if let Err(problem) = known_parameters(request) {
            return Outcome::Error((problem.note(request), ()));
        }
        let Outcome::Success(page) = request.guard::<Page<'r>>().await else {
            return Outcome::Error((Problem::unavailable().note(request), ()));
        };
        let conditions = request.guard::<Conditions>().await.succeeded().unwrap_or_default();
        Outcome::Success(Api { who, page, conditions })
    }
}

/// The query parameters the route of `request` takes, as its URI names them
/// (`/api/v1/figures?<wave>&<survey>…`).
pub fn route_parameters(route_query: Option<&str>) -> Vec<&str> {
    route_query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .map(|segment| {
            let name = segment.trim_start_matches('<').trim_end_matches('>');
            let name = name.trim_end_matches("..");
            name.split_once('=').map_or(name, |(n, _)| n)
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// Refuses a query parameter the route does not take, or one given twice.
fn known_parameters(request: &Request<'_>) -> Result<(), Problem> {
    let taken = route_parameters(request.route().and_then(|r| r.uri.query()));
    let mut seen: Vec<String> = Vec::new();
    for field in request.query_fields() {
        let name = field.name.source().as_str();
        if !taken.contains(&name) {
            return Err(Problem::unknown_parameter(name));
        }
        if seen.iter().any(|s| s == name) {
            return Err(Problem::repeated_parameter(name));
        }
        seen.push(name.to_string());
    }
    Ok(())
}

/// A wave or questionnaire parameter: absent, or a value (an empty one is refused).
fn given(name: &'static str, value: Option<&str>) -> Result<Option<String>, Problem> {
    match value {
        Some("") => Err(Problem::bad_parameter(name, "empty_parameter", name)),
        other => Ok(other.map(str::to_string)),
    }
}

/// The wave and questionnaire asked for (by default the newest wave with submissions and its
/// primary questionnaire); 404 for one that does not exist.
fn choose(app: &App, wave: Option<&str>, survey: Option<&str>) -> Result<Choice, Problem> {
    Ok(figures_service::choose(app, wave, survey)?)
}

/// When an answer was computed, as the API writes moments (RFC 3339, UTC, to the second).
fn moment(at: time::OffsetDateTime) -> String {
    crate::store::rfc3339(at.replace_nanosecond(0).unwrap_or(at))
}

#[cfg(test)]
mod tests {
    use super::route_parameters;

    #[test]
    fn a_routes_query_names_its_parameters() {
        assert_eq!(route_parameters(Some("<wave>&<survey>")), ["wave", "survey"]);
        assert_eq!(route_parameters(Some("<query..>")), ["query"]);
        assert_eq!(route_parameters(Some("format=csv&<wave>")), ["format", "wave"]);
        assert!(route_parameters(None).is_empty());
    }
}
