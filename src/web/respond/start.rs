//! Starting a response: the profile page, one response per organisation, wave and
//! questionnaire, and the private resume link.

use rocket::http::{CookieJar, Status};
use rocket::{get, post};

use super::page::{PageRequest, context, switch_language};
use super::view::{Source, by_name};
use super::{Page, Reply, blocking, refusal};
use crate::answers::{AnswerProblem, Answers};
use crate::kernel::Lang;
use crate::kernel::format::today;
use crate::service::respond::{self, Intent, StartOutcome};
use crate::survey::Survey;
use crate::web::WebError;
use crate::web::form::FormFields;

/// The profile page, with what was typed and its problems.
fn render(
    page: &Page<'_>,
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
        locked: Vec::new(),
    };
    let mut context = context(page.app, lang, request);
    context.starting = true;
    Ok(page.templates.render("respond/page.html", lang, &context)?)
}

#[get("/start/<wave>/<survey>")]
pub async fn show(wave: &str, survey: &str, page: Page<'_>) -> Result<Reply, WebError> {
    let (app, wave_id, survey_id) = (page.app.clone(), wave.to_string(), survey.to_string());
    let found =
        blocking(move || respond::questionnaire_to_start(&app, &wave_id, &survey_id, today()))
            .await?;
    let survey = match found {
        Ok(survey) => survey,
        Err(e) => return refusal(&page, e),
    };
    let empty = Answers::empty(&survey);
    Ok(Reply::page(render(&page, page.lang, &survey, wave, Source::Stored(&empty), &[])?))
}

#[post("/start/<wave>/<survey>", data = "<form>")]
pub async fn create(
    wave: &str,
    survey: &str,
    form: FormFields,
    page: Page<'_>,
    cookies: &CookieJar<'_>,
) -> Result<Reply, WebError> {
    let (app, wave_id, survey_id) = (page.app.clone(), wave.to_string(), survey.to_string());
    let (fields, from) = (form.0.clone(), page.address.parse().ok());
    let outcome =
        blocking(move || respond::start(&app, &wave_id, &survey_id, &fields, from, today()))
            .await?;
    let lang = switch_language(Intent::of(&form.0), cookies).unwrap_or(page.lang);
    match outcome {
        Ok((_, StartOutcome::Started(started))) => {
            Ok(Reply::to(format!("/r/{}/welcome", started.token.as_str())))
        }
        Ok((survey, StartOutcome::Invalid(problems))) => {
            let typed = by_name(&form.0);
            let html = render(&page, lang, &survey, wave, Source::Typed(&typed), &problems)?;
            let status = if problems.is_empty() { Status::Ok } else { Status::UnprocessableEntity };
            Ok(Reply::with_status(status, html))
        }
        Err(e) => refusal(&page, e),
    }
}
