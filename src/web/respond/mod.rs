//! The respondent's flow: start with the profile, one page per section or dimension, review,
//! submit, result. The resume token in the link is the respondent's only key.

mod code;
mod page;
mod result;
mod review;
mod start;
mod view;

use rocket::http::{Header, Status};
use rocket::response::Redirect;
use rocket::response::content::RawHtml;
use rocket::{Responder, Route, State, get, routes};
use serde::Serialize;

use super::{Page, WebError, blocking};
use crate::answers::Answers;
use crate::app::App;
use crate::kernel::format::today;
use crate::service::respond::{self, Opened, RespondError};
use crate::service::waves::Availability;
use crate::survey::{Home, Lang, Survey};

pub fn routes() -> Vec<Route> {
    routes![
        start::show,
        start::create,
        code::form,
        code::by_link,
        code::typed,
        resume,
        welcome,
        page::show,
        page::save,
        review::show,
        review::submit,
        result::show
    ]
}

/// A page, or a redirect after a form.
#[derive(Responder)]
pub enum Reply {
    Page((Status, RawHtml<String>)),
    Redirect(Box<Redirect>),
    /// 429 with the seconds to wait.
    Wait((Status, RawHtml<String>), Header<'static>),
}

impl Reply {
    fn page(html: String) -> Reply {
        Reply::Page((Status::Ok, RawHtml(html)))
    }

    fn with_status(status: Status, html: String) -> Reply {
        Reply::Page((status, RawHtml(html)))
    }

    fn to(uri: String) -> Reply {
        Reply::Redirect(Box::new(Redirect::to(uri)))
    }
}

/// Opens the response of a resume token; any token that opens nothing is "not found".
pub(super) async fn open(app: &App, token: &str) -> Result<Opened, WebError> {
    let (app, token) = (app.clone(), token.to_string());
    blocking(move || respond::open(&app, &token)).await?.map_err(WebError::from)
}

/// The response of a link, to show a page of it (see [`respond::open_to_answer`]); a
/// refusal is the caller's to show.
pub(super) async fn open_to_answer(
    app: &App,
    token: &str,
) -> Result<Result<Opened, RespondError>, WebError> {
    let (app, token) = (app.clone(), token.to_string());
    let opened = blocking(move || respond::open_to_answer(&app, &token, today())).await?;
    match opened {
        Err(RespondError::NotFound) => Err(WebError::Status(Status::NotFound)),
        other => Ok(other),
    }
}

impl From<RespondError> for WebError {
    fn from(e: RespondError) -> Self {
        match e {
            RespondError::NotFound => WebError::Status(Status::NotFound),
            RespondError::Foreign => WebError::Status(Status::BadRequest),
            RespondError::Store(e) => e.into(),
            RespondError::Internal(cause) => WebError::Internal(cause),
            // Pages of their own: see `refusal`.
            RespondError::Closed(_) => WebError::Status(Status::Forbidden),
            RespondError::Duplicate => WebError::Status(Status::Conflict),
            RespondError::UnknownCode => WebError::Status(Status::NotFound),
            RespondError::InvitationOnly => WebError::Status(Status::Forbidden),
            RespondError::TooManyStarts(_) => WebError::Status(Status::TooManyRequests),
        }
    }
}

#[derive(Serialize)]
struct ClosedPage {
    wave_title: String,
    not_yet: bool,
    on: String,
    contact: Option<String>,
}

#[derive(Serialize)]
struct DuplicatePage {
    contact: Option<String>,
}

#[derive(Serialize)]
struct WaitPage {
    minutes: u64,
    contact: Option<String>,
}

/// The page of a refused request: a closed wave (403) or an organisation that already has a
/// response (409) get a page that says why and whom to contact; the rest their status page.
pub(super) fn refusal(page: &Page<'_>, e: RespondError) -> Result<Reply, WebError> {
    let contact = page.config.contact.clone();
    match e {
        RespondError::Closed(closure) => {
            let (not_yet, on) = match closure.availability {
                Availability::NotYetOpen(on) => (true, on),
                Availability::Closed(on) => (false, on),
                Availability::Open => return Err(WebError::Status(Status::Forbidden)),
            };
            let context = ClosedPage {
                wave_title: closure.wave_title.get(page.lang).to_string(),
                not_yet,
                on: on.to_string(),
                contact,
            };
            Ok(Reply::with_status(Status::Forbidden, page.render("respond/closed.html", &context)?))
        }
        RespondError::Duplicate => {
            let html = page.render("respond/duplicate.html", &DuplicatePage { contact })?;
            Ok(Reply::with_status(Status::Conflict, html))
        }
        RespondError::InvitationOnly => code::invitation_only(page),
        RespondError::UnknownCode => code::unknown(page, Status::NotFound),
        RespondError::TooManyStarts(seconds) => {
            let context = WaitPage { minutes: seconds.div_ceil(60), contact };
            let html = page.render("respond/too_many.html", &context)?;
            let retry = Header::new("Retry-After", seconds.to_string());
            Ok(Reply::Wait((Status::TooManyRequests, RawHtml(html)), retry))
        }
        other => Err(other.into()),
    }
}

/// Positions (in `survey.pages`) of the pages that show at least one question.
fn visible_pages(survey: &Survey, answers: &Answers) -> Vec<usize> {
    let shown = answers.shown(survey);
    (0..survey.pages.len())
        .filter(|&p| survey.pages[p].questions.clone().any(|i| shown[i]))
        .collect()
}

/// Title and texts of a page.
#[derive(Serialize)]
struct Heading {
    title: String,
    description: Option<String>,
    framework: Option<String>,
}

fn heading(survey: &Survey, page: usize, lang: Lang) -> Heading {
    let text = |t: &crate::survey::Text| t.get(lang).to_string();
    match survey.pages[page].home {
        Home::Section(s) => {
            let section = &survey.sections[s];
            Heading {
                title: text(&section.title),
                description: section.description.as_ref().map(text),
                framework: None,
            }
        }
        Home::Dimension(d) => {
            let dimension = &survey.dimensions[d];
            Heading {
                title: text(&dimension.title),
                description: dimension.description.as_ref().map(text),
                framework: dimension.framework.as_ref().map(text),
            }
        }
    }
}

/// The link itself: continue where the respondent stopped, or see the result.
#[get("/r/<token>")]
async fn resume(token: &str, app: &State<App>) -> Result<Reply, WebError> {
    let opened = open(app, token).await?;
    if opened.submitted() {
        return Ok(Reply::to(opened.url("result")));
    }
    let (survey, answers) = (&opened.survey, &opened.answers);
    let shown = answers.shown(survey);
    let missing = |i: usize| shown[i] && survey.questions[i].required && answers.get(i).is_none();
    // Pages in the order the respondent sees them (an experiment's arm may reorder them).
    let first_missing = survey.pages.iter().position(|p| p.questions.clone().any(missing));
    Ok(Reply::to(match first_missing {
        Some(page) => opened.url(&format!("p/{}", page + 1)),
        None => opened.url("review"),
    }))
}

#[derive(Serialize)]
struct WelcomePage {
    survey_title: String,
    link: String,
    next: String,
}

/// Shown once after starting: the private link and what it is for.
#[get("/r/<token>/welcome")]
async fn welcome(
    token: &str,
    app: &State<App>,
    templates: &State<super::Templates>,
    lang: Lang,
    base: super::BaseUrl,
) -> Result<Reply, WebError> {
    let opened = open(app, token).await?;
    let pages = visible_pages(&opened.survey, &opened.answers);
    let next =
        pages.get(1).map_or_else(|| opened.url("review"), |p| opened.url(&format!("p/{}", p + 1)));
    let context = WelcomePage {
        survey_title: opened.survey.title.get(lang).to_string(),
        link: format!("{}/r/{}", base.0, opened.token.as_str()),
        next,
    };
    Ok(Reply::page(templates.render("respond/welcome.html", lang, &context)?))
}
