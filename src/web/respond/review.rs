//! The review page, and submitting: once, whatever is clicked or replayed.

use rocket::{State, get, post};
use serde::Serialize;

use super::view::display;
use super::{Reply, heading, open, visible_pages};
use crate::answers::Answers;
use crate::app::App;
use crate::response::new_response;
use crate::store::{self, ResponseStatus, StoreError};
use crate::survey::Lang;
use crate::web::form::FormFields;
use crate::web::{Templates, WebError};

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

#[get("/r/<token>/review")]
pub async fn show(
    token: &str,
    app: &State<App>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<Reply, WebError> {
    let opened = open(app, token).await?;
    if opened.submitted() {
        return Ok(Reply::to(opened.url("result")));
    }
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
                    let answer = opened.answers.get(i).map(|a| display(q, a, &app.reference, lang));
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
    let context = ReviewPage {
        survey_title: survey.title.get(lang).to_string(),
        sections,
        missing,
        submit: opened.url("submit"),
    };
    Ok(Reply::page(templates.render("review.html", lang, &context)?))
}

/// Submits the response: computes and stores its scores with its questionnaire version. A
/// second submission (double click, replay, second tab) changes nothing and shows the result.
#[post("/r/<token>/submit", data = "<_form>")]
pub async fn submit(token: &str, _form: FormFields, app: &State<App>) -> Result<Reply, WebError> {
    let opened = open(app, token).await?;
    if opened.submitted() {
        return Ok(Reply::to(opened.url("result")));
    }
    if !opened.answers.missing(&opened.survey).is_empty() {
        return Ok(Reply::to(opened.url("review")));
    }
    let id = opened.response.id;
    let survey = opened.survey.clone();
    let reference = app.reference.clone();
    app.store
        .call(move |s| {
            s.write_batched(move |tx| {
                // Read again inside the write: the draft may have changed since it was opened.
                let current = store::response_by_id(tx, id)?
                    .ok_or_else(|| StoreError::NotFound(format!("response {id}")))?;
                if current.status == ResponseStatus::Submitted {
                    return Ok(());
                }
                let json: serde_json::Value = serde_json::from_str(&current.answers)
                    .map_err(|e| StoreError::Invalid(e.to_string()))?;
                let answers = Answers::from_json(
                    &survey,
                    json.as_object().unwrap_or(&Default::default()),
                    &reference,
                )
                .map_err(|p| StoreError::Invalid(format!("{p:?}")))?
                .without_hidden(&survey);
                if !answers.missing(&survey).is_empty() {
                    return Ok(());
                }
                let submitted = new_response(
                    &survey,
                    &answers,
                    &reference,
                    &current.wave_id,
                    ResponseStatus::Submitted,
                );
                store::submit_response(tx, id, &submitted).map(|_| ())
            })
        })
        .await?;
    Ok(Reply::to(opened.url("result")))
}
