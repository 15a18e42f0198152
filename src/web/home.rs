//! The home page: the questionnaires open in the current waves; the language switch.

use rocket::http::CookieJar;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::Redirect;
use rocket::response::content::RawHtml;
use rocket::{Route, get, routes};
use serde::Serialize;

use super::{Page, WebError, blocking, lang};
use crate::app::App;
use crate::kernel::format::today;
use crate::service::access;
use crate::service::waves;
use crate::store::Wave;
use crate::survey::{Lang, RespondentKind, Survey};

pub fn routes() -> Vec<Route> {
    routes![home, switch_language]
}

#[derive(Serialize)]
struct OpenQuestionnaire {
    id: String,
    version: u32,
    kind: &'static str,
    title: String,
    description: String,
    observation_period: String,
    /// Only with an access code: no start button.
    by_invitation: bool,
    questions: usize,
    dimensions: Vec<String>,
}

#[derive(Serialize)]
struct HomePage {
    waves: Vec<OpenWave>,
    /// The access-code field's value and error (see `respond/code_form.html`).
    code: &'static str,
    unknown: bool,
}

#[derive(Serialize)]
struct OpenWave {
    id: String,
    title: String,
    closes_on: String,
    questionnaires: Vec<OpenQuestionnaire>,
}

impl OpenWave {
    /// A wave as the home page lists it: enterprise questionnaires first, as enterprises are
    /// most of the respondents.
    fn new(app: &App, mut wave: Wave, lang: Lang) -> OpenWave {
        let catalog = &app.catalog;
        wave.questionnaires.sort_by_key(|(id, v)| {
            catalog.get(id, *v).map(|s| s.kind != RespondentKind::Enterprise)
        });
        OpenWave {
            title: wave.title.get(lang).to_string(),
            closes_on: wave.closes_on.clone(),
            questionnaires: wave
                .questionnaires
                .iter()
                .filter_map(|(id, version)| {
                    crate::service::waves::in_wave(app, &wave, id, *version)
                })
                .map(|s| OpenQuestionnaire::new(&s, !access::takes_self_declared(&wave, &s), lang))
                .collect(),
            id: wave.id,
        }
    }
}

impl OpenQuestionnaire {
    fn new(s: &Survey, by_invitation: bool, lang: Lang) -> OpenQuestionnaire {
        OpenQuestionnaire {
            by_invitation,
            id: s.id.clone(),
            version: s.version,
            kind: s.kind.as_str(),
            title: s.title.get(lang).to_string(),
            description: s.description.get(lang).to_string(),
            observation_period: s.observation_period.get(lang).to_string(),
            questions: s.questions.len(),
            dimensions: s.dimensions.iter().map(|d| d.title.get(lang).to_string()).collect(),
        }
    }
}

#[get("/")]
async fn home(page: Page<'_>) -> Result<RawHtml<String>, WebError> {
    let app = page.app.clone();
    let open = blocking(move || waves::open_today(&app, today())).await??;
    let waves = open.into_iter().map(|w| OpenWave::new(page.app, w, page.lang)).collect();
    page.html("respond/home.html", &HomePage { waves, code: "", unknown: false })
}

/// Remembers the chosen language and goes back to the page the switch was clicked on.
#[get("/lang/<code>")]
fn switch_language(code: &str, cookies: &CookieJar<'_>, back: BackTo) -> Redirect {
    if let Some(lang) = Lang::parse(code) {
        cookies.add(lang::cookie(lang));
    }
    Redirect::to(back.0)
}

/// The path of the page that linked here (the `Referer`, sent only within this site), or the
/// home page. Only a local path is accepted, so the switch cannot redirect elsewhere.
struct BackTo(String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for BackTo {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let path = request
            .headers()
            .get_one("Referer")
            .and_then(|r| rocket::http::uri::Absolute::parse(r).ok())
            .filter(|uri| {
                uri.authority().map(|a| a.host()) == request.host().map(|h| h.domain().as_str())
            })
            .map(|uri| match uri.query() {
                Some(query) => format!("{}?{query}", uri.path()),
                None => uri.path().to_string(),
            })
            .filter(|p| p.starts_with('/') && !p.starts_with("//"));
        Outcome::Success(BackTo(path.unwrap_or_else(|| "/".into())))
    }
}
