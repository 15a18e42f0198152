//! The review page, and submitting: once, whatever is clicked or replayed.

use rocket::{get, post};
use serde::Serialize;

use super::view::display;
use super::{Page, Reply, blocking, heading, open, open_to_answer, refusal, visible_pages};
use crate::app::App;
use crate::kernel::format::today;
use crate::service::respond;
use crate::service::respond::Opened;
use crate::survey::Lang;
use crate::web::WebError;
use crate::web::form::FormFields;

#[derive(Serialize)]
struct ReviewPage {
    survey_title: String,
    sections: Vec<ReviewSection>,
    missing: usize,
    submit: String,
}

#[derive(Serialize)]
struct ReviewSection {
    title: String,
    edit: String,
    answers: Vec<ReviewAnswer>,
}

#[derive(Serialize)]
struct ReviewAnswer {
    id: String,
    label: String,
    answer: Option<String>,
    missing: bool,
    edit: String,
}

impl ReviewPage {
    /// Every answer of the pages the respondent saw, each with the link that edits it, and how
    /// many required ones are missing.
    fn new(app: &App, opened: &Opened, lang: Lang) -> ReviewPage {
        let survey = &opened.survey;
        let shown = opened.answers.shown(survey);
        let mut missing = 0;
        let sections = visible_pages(survey, &opened.answers)
            .into_iter()
            .map(|p| {
                let edit = opened.url(&format!("p/{}", p + 1));
                let answers = survey.pages[p]
                    .questions
                    .clone()
                    .filter(|&i| shown[i])
                    .map(|i| {
                        let q = &survey.questions[i];
                        let answer =
                            opened.answers.get(i).map(|a| display(q, a, &app.reference, lang));
                        let is_missing = q.required && answer.is_none();
                        missing += usize::from(is_missing);
                        ReviewAnswer {
                            id: q.id.clone(),
                            label: q.label.get(lang).to_string(),
                            answer,
                            missing: is_missing,
                            edit: format!("{edit}#q-{}", q.id),
                        }
                    })
                    .collect();
                ReviewSection { title: heading(survey, p, lang).title, edit, answers }
            })
            .collect();
        ReviewPage {
            survey_title: survey.title.get(lang).to_string(),
            sections,
            missing,
            submit: opened.url("submit"),
        }
    }
}

#[get("/r/<token>/review")]
pub async fn show(token: &str, page: Page<'_>) -> Result<Reply, WebError> {
    match open_to_answer(page.app, token).await? {
        Ok(opened) if opened.submitted() => Ok(Reply::to(opened.url("result"))),
        Ok(opened) => Ok(Reply::page(
            page.render("respond/review.html", &ReviewPage::new(page.app, &opened, page.lang))?,
        )),
        Err(refused) => refusal(&page, refused),
    }
}

/// Submits the response: computes and stores its scores with its questionnaire version. A
/// second submission (double click, replay, second tab) changes nothing and shows the result.
#[post("/r/<token>/submit", data = "<_form>")]
pub async fn submit(token: &str, _form: FormFields, page: Page<'_>) -> Result<Reply, WebError> {
    let opened = open(page.app, token).await?;
    let app = page.app.clone();
    let (opened, submitted) = blocking(move || {
        let submitted = respond::submit(&app, &opened, today());
        (opened, submitted)
    })
    .await?;
    match submitted {
        Ok(true) => Ok(Reply::to(opened.url("result"))),
        Ok(false) => Ok(Reply::to(opened.url("review"))),
        Err(e) => refusal(&page, e),
    }
}
