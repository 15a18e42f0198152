//! One page of the questionnaire: shown with the current answers, saved on every "next".

use rocket::http::Status;
use rocket::{State, get, post};
use serde::Serialize;

use super::view::{QuestionView, Source, by_name, questions};
use super::{Opened, Reply, heading, open, visible_pages};
use crate::answers::form::{PageInput, apply_page};
use crate::answers::{AnswerProblem, Answers, ProblemKind};
use crate::app::App;
use crate::profile::{check, profile};
use crate::response::new_response;
use crate::store::{self, ResponseStatus};
use crate::survey::{Lang, RespondentKind, Role, Survey};
use crate::web::form::FormFields;
use crate::web::{Templates, WebError};

/// Everything the page template shows.
#[derive(Serialize)]
pub struct PageContext {
    pub survey_title: String,
    pub heading: super::Heading,
    pub step: usize,
    pub steps: usize,
    pub percent: usize,
    pub questions: Vec<QuestionView>,
    pub errors: Vec<ErrorLink>,
    pub action: String,
    pub back: Option<String>,
    pub review: Option<String>,
    pub revealed: bool,
    pub saved: bool,
    pub starting: bool,
}

/// An entry of the error summary: a link to the question.
#[derive(Serialize)]
pub struct ErrorLink {
    pub id: String,
    pub label: String,
    pub message: String,
}

/// What to show on page `page` (a position in `survey.pages`).
pub struct PageRequest<'a> {
    pub survey: &'a Survey,
    pub page: usize,
    pub answers: &'a Answers,
    pub source: Source<'a>,
    pub problems: &'a [AnswerProblem],
    pub action: String,
    pub back: Option<String>,
    pub review: Option<String>,
}

/// Builds the page's context.
pub fn context(app: &App, lang: Lang, request: PageRequest<'_>) -> PageContext {
    let PageRequest { survey, page, answers, source, problems, action, back, review } = request;
    let shown = answers.shown(survey);
    let indices = survey.pages[page].questions.clone().filter(|&i| shown[i]);
    let questions = questions(survey, indices, &source, problems, &app.reference, lang);
    let errors = questions
        .iter()
        .filter_map(|q| {
            q.error.as_ref().map(|m| ErrorLink {
                id: q.id.clone(),
                label: q.label.clone(),
                message: m.clone(),
            })
        })
        .collect();
    let pages = visible_pages(survey, answers);
    let (total, answered) = answers.progress(survey);
    PageContext {
        survey_title: survey.title.get(lang).to_string(),
        heading: heading(survey, page, lang),
        step: pages.iter().position(|&p| p == page).map_or(1, |k| k + 1),
        steps: pages.len().max(1),
        percent: (answered * 100).checked_div(total).unwrap_or(0),
        questions,
        errors,
        action,
        back,
        review,
        revealed: false,
        saved: false,
        starting: false,
    }
}

fn page_index(opened: &Opened, n: usize) -> Result<usize, WebError> {
    (1..=opened.survey.pages.len())
        .contains(&n)
        .then(|| n - 1)
        .ok_or(WebError::Status(Status::NotFound))
}

#[get("/r/<token>/p/<n>?<revealed>&<saved>")]
pub async fn show(
    token: &str,
    n: usize,
    revealed: bool,
    saved: bool,
    app: &State<App>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<Reply, WebError> {
    let opened = open(app, token).await?;
    if opened.submitted() {
        return Ok(Reply::to(opened.url("result")));
    }
    let page = page_index(&opened, n)?;
    let pages = visible_pages(&opened.survey, &opened.answers);
    if !pages.contains(&page) {
        // Every question of this page is hidden by earlier answers: go on.
        return Ok(Reply::to(next_url(&opened, &pages, page)));
    }
    let mut context =
        context(app, lang, request(&opened, page, &pages, Source::Stored(&opened.answers), &[]));
    context.revealed = revealed;
    context.saved = saved;
    Ok(Reply::page(templates.render("page.html", lang, &context)?))
}

fn request<'a>(
    opened: &'a Opened,
    page: usize,
    pages: &[usize],
    source: Source<'a>,
    problems: &'a [AnswerProblem],
) -> PageRequest<'a> {
    let previous = pages.iter().rev().find(|&&p| p < page);
    PageRequest {
        survey: &opened.survey,
        page,
        answers: &opened.answers,
        source,
        problems,
        action: opened.url(&format!("p/{}", page + 1)),
        back: previous.map(|p| opened.url(&format!("p/{}", p + 1))),
        review: Some(opened.url("review")),
    }
}

fn next_url(opened: &Opened, pages: &[usize], page: usize) -> String {
    match pages.iter().find(|&&p| p > page) {
        Some(p) => opened.url(&format!("p/{}", p + 1)),
        None => opened.url("review"),
    }
}

#[post("/r/<token>/p/<n>", data = "<form>")]
pub async fn save(
    token: &str,
    n: usize,
    form: FormFields,
    app: &State<App>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<Reply, WebError> {
    let opened = open(app, token).await?;
    if opened.submitted() {
        return Ok(Reply::to(opened.url("result")));
    }
    let page = page_index(&opened, n)?;
    let survey = &opened.survey;
    let input = apply_page(survey, &survey.pages[page], &opened.answers, &form.0, &app.reference)
        .map_err(|_| WebError::Status(Status::BadRequest))?;
    let (answers, revealed) = match input {
        PageInput::Valid { answers, revealed } => (answers, revealed),
        PageInput::Invalid(problems) => {
            return invalid(app, templates, lang, &opened, page, &form, &problems);
        }
    };
    let draft = new_response(
        survey,
        &answers,
        &app.reference,
        &opened.response.wave_id,
        ResponseStatus::Draft,
    );
    let mut problems = check(survey, &profile(survey, &answers, &app.reference));
    if draft.identity != opened.response.identity {
        // The organisation is fixed once started: its identity is what makes it one response.
        let fixed: &[Role] = match survey.kind {
            RespondentKind::Enterprise => &[Role::TaxCode],
            RespondentKind::Agency => &[Role::AgencyName, Role::Area],
        };
        for role in fixed {
            if let Some(i) =
                survey.role_question(*role).filter(|i| survey.pages[page].questions.contains(i))
            {
                problems.push(AnswerProblem::new(&survey.questions[i].id, ProblemKind::Fixed));
            }
        }
    }
    if !problems.is_empty() {
        return invalid(app, templates, lang, &opened, page, &form, &problems);
    }
    let id = opened.response.id;
    let saved = app
        .store
        .call(move |s| s.write_batched(move |tx| store::update_draft(tx, id, &draft)))
        .await?;
    if !saved {
        return Ok(Reply::to(opened.url("result")));
    }
    let pages = visible_pages(survey, &answers);
    let here = opened.url(&format!("p/{}", page + 1));
    let action = form.0.iter().find(|(name, _)| name == "action").map(|(_, v)| v.as_str());
    Ok(Reply::to(match action {
        _ if !revealed.is_empty() => format!("{here}?revealed=true#q-{}", revealed[0]),
        Some("save") => format!("{here}?saved=true"),
        Some("back") => match pages.iter().rev().find(|&&p| p < page) {
            Some(p) => opened.url(&format!("p/{}", p + 1)),
            None => here,
        },
        _ => next_url(&opened, &pages, page),
    }))
}

/// The page again, with what was typed and every problem, as 422.
fn invalid(
    app: &App,
    templates: &Templates,
    lang: Lang,
    opened: &Opened,
    page: usize,
    form: &FormFields,
    problems: &[AnswerProblem],
) -> Result<Reply, WebError> {
    let typed = by_name(&form.0);
    let pages = visible_pages(&opened.survey, &opened.answers);
    let context =
        context(app, lang, request(opened, page, &pages, Source::Typed(&typed), problems));
    Ok(Reply::with_status(
        Status::UnprocessableEntity,
        templates.render("page.html", lang, &context)?,
    ))
}
