//! One page of the questionnaire: shown with the current answers, saved on every "next".

use std::collections::HashMap;

use rocket::http::{CookieJar, Status};
use rocket::{get, post};
use serde::Serialize;

use super::view::{QuestionView, Source, by_name, questions};
use super::{Page, Reply, blocking, heading, open, open_to_answer, refusal, visible_pages};
use crate::answers::form::page_fields;
use crate::answers::{AnswerProblem, Answers, OTHER_SUFFIX};
use crate::app::App;
use crate::kernel::format::today;
use crate::service::access;
use crate::service::respond::{self, Intent, Opened, PageSaved};
use crate::survey::{Lang, Survey};
use crate::web::WebError;
use crate::web::form::FormFields;

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
    /// The organisation was invited: its details come from the register.
    pub verified: bool,
    /// The form the language switch submits, so that switching keeps what was typed.
    pub lang_form: &'static str,
    /// Answers that seldom go together, asked about before going on: (id, question).
    pub checks: Vec<(String, String)>,
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
    /// Questions whose answers come from the register (see [`access::locked_questions`]).
    pub locked: Vec<usize>,
}

/// Builds the page's context.
pub fn context(app: &App, lang: Lang, request: PageRequest<'_>) -> PageContext {
    let PageRequest { survey, page, answers, source, problems, action, back, review, locked } =
        request;
    let shown = answers.shown(survey);
    let indices = survey.pages[page].questions.clone().filter(|&i| shown[i]);
    let mut questions = questions(survey, indices, &source, problems, &app.reference, lang);
    for question in &mut questions {
        question.locked = locked.iter().any(|&i| survey.questions[i].id == question.id);
    }
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
        verified: !locked.is_empty(),
        lang_form: "answers",
        checks: Vec::new(),
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
    respondent: Page<'_>,
) -> Result<Reply, WebError> {
    let Page { app, templates, lang, .. } = respondent;
    let opened = match open_to_answer(app, token).await? {
        Ok(opened) if opened.submitted() => return Ok(Reply::to(opened.url("result"))),
        Ok(opened) => opened,
        Err(refused) => return refusal(&respondent, refused),
    };
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
    Ok(Reply::page(templates.render("respond/page.html", lang, &context)?))
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
        locked: access::locked_questions(opened),
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
    page: Page<'_>,
    cookies: &CookieJar<'_>,
) -> Result<Reply, WebError> {
    let opened = open(page.app, token).await?;
    if opened.submitted() {
        return Ok(Reply::to(opened.url("result")));
    }
    let index = page_index(&opened, n)?;
    let intent = Intent::of(&form.0);
    let lang = switch_language(intent, cookies).unwrap_or(page.lang);
    let (app, fields, kept) = (page.app.clone(), form.0.clone(), opened.clone());
    let saved =
        match blocking(move || respond::save_page(&app, &kept, index, &fields, intent, today()))
            .await?
        {
            Ok(saved) => saved,
            Err(e) => return refusal(&page, e),
        };
    if !saved.stored {
        return Ok(Reply::to(opened.url("result")));
    }
    if !saved.problems.is_empty() || !saved.checks.is_empty() {
        return again(&page, lang, &opened, &saved, index, &form);
    }
    Ok(Reply::to(after_save(&opened, &saved, index, intent)))
}

/// Where a saved page leads, by the button pressed.
fn after_save(opened: &Opened, saved: &PageSaved, page: usize, intent: Intent) -> String {
    let pages = visible_pages(&opened.survey, &saved.answers);
    let here = opened.url(&format!("p/{}", page + 1));
    match intent {
        // Questions the answers brought up are shown before going on; going back, saving a
        // draft or switching language never holds the respondent (the page shows them anyway).
        Intent::Next | Intent::Review if !saved.revealed.is_empty() => {
            format!("{here}?revealed=true#q-{}", saved.revealed[0])
        }
        Intent::SaveDraft => format!("{here}?saved=true"),
        Intent::Switch(_) => here,
        Intent::Review => opened.url("review"),
        Intent::Back => match pages.iter().rev().find(|&&p| p < page) {
            Some(p) => opened.url(&format!("p/{}", p + 1)),
            None => here,
        },
        Intent::Next => next_url(opened, &pages, page),
    }
}

/// Remembers the language a page's switch asked for; returns it.
pub(super) fn switch_language(intent: Intent, cookies: &CookieJar<'_>) -> Option<Lang> {
    let Intent::Switch(lang) = intent else { return None };
    cookies.add(crate::web::lang::cookie(lang));
    Some(lang)
}

/// Shows the register's values, not what was sent, in the questions the register fixes: a page
/// edited to change them is refused, and the person must see what holds (the fields are read
/// only, so they could not correct them).
fn keep_register_values(opened: &Opened, index: usize, typed: &mut HashMap<String, Vec<String>>) {
    let locked = access::locked_questions(opened);
    if locked.is_empty() {
        return;
    }
    let survey = &opened.survey;
    let stored = by_name(&page_fields(survey, index, &opened.answers.to_json(survey)));
    for i in locked {
        let id = &survey.questions[i].id;
        for name in [id.clone(), format!("{id}{OTHER_SUFFIX}")] {
            match stored.get(&name) {
                Some(values) => typed.insert(name, values.clone()),
                None => typed.remove(&name),
            };
        }
    }
}

/// The page again, saved, with what was typed: as 422 with every problem to correct; or, when
/// there is none, with the question whether answers that seldom go together are right (the
/// respondent corrects them, or confirms them and goes on).
fn again(
    page: &Page<'_>,
    lang: Lang,
    opened: &Opened,
    saved: &PageSaved,
    index: usize,
    form: &FormFields,
) -> Result<Reply, WebError> {
    let mut typed = by_name(&form.0);
    keep_register_values(opened, index, &mut typed);
    let pages = visible_pages(&opened.survey, &saved.answers);
    let request = request(opened, index, &pages, Source::Typed(&typed), &saved.problems);
    let mut context = context(page.app, lang, PageRequest { answers: &saved.answers, ..request });
    context.checks =
        saved.checks.iter().map(|c| (c.id.clone(), c.message.get(lang).to_string())).collect();
    let html = page.templates.render("respond/page.html", lang, &context)?;
    Ok(if saved.problems.is_empty() {
        Reply::page(html)
    } else {
        Reply::with_status(Status::UnprocessableEntity, html)
    })
}
