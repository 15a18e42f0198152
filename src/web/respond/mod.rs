//! The respondent's flow: start with the profile, one page per section or dimension, review,
//! submit, result. The resume token in the link is the respondent's only key.

mod page;
mod result;
mod review;
mod start;
mod view;

use std::sync::Arc;

use rocket::http::Status;
use rocket::response::Redirect;
use rocket::response::content::RawHtml;
use rocket::{Responder, Route, State, get, routes};
use serde::Serialize;

use super::WebError;
use crate::answers::Answers;
use crate::app::App;
use crate::resume::ResumeToken;
use crate::store::{self, ResponseStatus, StoredResponse};
use crate::survey::{Home, Lang, Survey};

pub fn routes() -> Vec<Route> {
    routes![
        start::show,
        start::create,
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

/// A response opened with its resume token.
pub struct Opened {
    pub response: StoredResponse,
    pub survey: Arc<Survey>,
    pub answers: Answers,
    pub token: ResumeToken,
}

impl Opened {
    pub(super) fn url(&self, rest: &str) -> String {
        format!("/r/{}/{rest}", self.token.as_str())
    }

    fn submitted(&self) -> bool {
        self.response.status == ResponseStatus::Submitted
    }
}

/// Opens the response of a resume token; any token that opens nothing is "not found".
pub(super) async fn open(app: &App, token: &str) -> Result<Opened, WebError> {
    let token = ResumeToken::parse(token).ok_or(WebError::Status(Status::NotFound))?;
    let hash = token.hash();
    let response = app
        .store
        .call(move |s| s.read(|c| store::response_by_resume_hash(c, &hash)))
        .await?
        .filter(|r| r.resume_hash.as_deref().is_some_and(|stored| token.matches(stored)))
        .ok_or(WebError::Status(Status::NotFound))?;
    let (survey, answers) =
        crate::report::respondent::decode(app, &response).map_err(WebError::Internal)?;
    Ok(Opened { response, survey, answers, token })
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
    let shown = opened.answers.shown(&opened.survey);
    let first_missing = opened
        .survey
        .questions
        .iter()
        .enumerate()
        .position(|(i, q)| shown[i] && q.required && opened.answers.get(i).is_none())
        .and_then(|i| opened.survey.pages.iter().position(|p| p.questions.contains(&i)));
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
    Ok(Reply::page(templates.render("welcome.html", lang, &context)?))
}
