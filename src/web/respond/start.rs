//! Starting a response: the profile page, one response per organisation and wave, and the
//! private resume link.

use std::sync::Arc;

use rocket::http::Status;
use rocket::{State, get, post};
use serde::Serialize;

use super::Reply;
use super::page::{PageRequest, context};
use super::view::{Source, by_name};
use crate::answers::form::{PageInput, apply_page};
use crate::answers::{AnswerProblem, Answers};
use crate::app::App;
use crate::profile::{check, profile};
use crate::response::new_response;
use crate::resume::ResumeToken;
use crate::store::{self, ResponseStatus, StoreError, WaveStatus};
use crate::survey::{Lang, Survey};
use crate::web::form::FormFields;
use crate::web::{Templates, WebError};

/// The questionnaire of an open wave, or "not found".
async fn questionnaire(app: &App, wave: &str, survey: &str) -> Result<Arc<Survey>, WebError> {
    let wave_id = wave.to_string();
    let found = app.store.call(move |s| s.read(|c| store::wave(c, &wave_id))).await?;
    found
        .filter(|w| w.status == WaveStatus::Open)
        .and_then(|w| {
            w.questionnaires
                .iter()
                .find(|(id, _)| id == survey)
                .and_then(|(id, v)| app.catalog.get(id, *v))
                .cloned()
        })
        .ok_or(WebError::Status(Status::NotFound))
}

fn render(
    app: &App,
    templates: &Templates,
    lang: Lang,
    survey: &Survey,
    wave: &str,
    source: Source<'_>,
    problems: &[AnswerProblem],
) -> Result<String, WebError> {
    let empty = Answers::empty(survey);
    let request = PageRequest {
        survey,
        page: 0,
        answers: &empty,
        source,
        problems,
        action: format!("/start/{wave}/{}", survey.id),
        back: None,
        review: None,
    };
    let mut context = context(app, lang, request);
    context.starting = true;
    Ok(templates.render("page.html", lang, &context)?)
}

#[get("/start/<wave>/<survey>")]
pub async fn show(
    wave: &str,
    survey: &str,
    app: &State<App>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<Reply, WebError> {
    let survey = questionnaire(app, wave, survey).await?;
    let empty = Answers::empty(&survey);
    Ok(Reply::page(render(app, templates, lang, &survey, wave, Source::Stored(&empty), &[])?))
}

#[derive(Serialize)]
struct Duplicate {
    submitted: bool,
}

#[post("/start/<wave>/<survey>", data = "<form>")]
pub async fn create(
    wave: &str,
    survey: &str,
    form: FormFields,
    app: &State<App>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<Reply, WebError> {
    let survey = questionnaire(app, wave, survey).await?;
    let input =
        apply_page(&survey, &survey.pages[0], &Answers::empty(&survey), &form.0, &app.reference)
            .map_err(|_| WebError::Status(Status::BadRequest))?;
    let answers = match input {
        PageInput::Valid { answers, .. } => answers,
        PageInput::Invalid(problems) => {
            return invalid(app, templates, lang, &survey, wave, &form, &problems);
        }
    };
    let problems = check(&survey, &profile(&survey, &answers, &app.reference));
    if !problems.is_empty() {
        return invalid(app, templates, lang, &survey, wave, &form, &problems);
    }
    let draft = new_response(&survey, &answers, &app.reference, wave, ResponseStatus::Draft);
    let token =
        ResumeToken::generate().map_err(|e| WebError::Internal(format!("random token: {e}")))?;
    let hash = token.hash();
    let created = app
        .store
        .call(move |s| {
            s.write_batched(move |tx| {
                match store::existing_response(tx, &draft.wave_id, &draft.identity)? {
                    Some(status) => Ok(Err(status)),
                    None => store::insert_response(tx, &draft, Some(&hash)).map(Ok),
                }
            })
        })
        .await;
    match created {
        Ok(Ok(_)) => Ok(Reply::to(format!("/r/{}/welcome", token.as_str()))),
        Ok(Err(status)) => duplicate(templates, lang, status == ResponseStatus::Submitted),
        // Two starts of the same organisation at the same moment: the other one won.
        Err(StoreError::Conflict(_)) => duplicate(templates, lang, false),
        Err(e) => Err(e.into()),
    }
}

fn duplicate(templates: &Templates, lang: Lang, submitted: bool) -> Result<Reply, WebError> {
    let html = templates.render("duplicate.html", lang, &Duplicate { submitted })?;
    Ok(Reply::with_status(Status::Conflict, html))
}

fn invalid(
    app: &App,
    templates: &Templates,
    lang: Lang,
    survey: &Survey,
    wave: &str,
    form: &FormFields,
    problems: &[AnswerProblem],
) -> Result<Reply, WebError> {
    let typed = by_name(&form.0);
    let html = render(app, templates, lang, survey, wave, Source::Typed(&typed), problems)?;
    Ok(Reply::with_status(Status::UnprocessableEntity, html))
}
