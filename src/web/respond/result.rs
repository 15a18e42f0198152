//! The result page: the respondent's self-assessment (`report::respondent`), read-only once
//! submitted, with a link to the same as a PDF.

use rocket::{State, get};

use super::{Reply, open};
use crate::app::App;
use crate::report::respondent::{assess, peers};
use crate::survey::Lang;
use crate::web::{Templates, WebError};

pub use crate::report::respondent::MIN_PEERS;

#[get("/r/<token>/result")]
pub async fn show(
    token: &str,
    app: &State<App>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<Reply, WebError> {
    let opened = open(app, token).await?;
    if !opened.submitted() {
        return Ok(Reply::to(opened.url("review")));
    }
    let response = opened.response.clone();
    let peer_means = app.store.call(move |s| s.read(|c| peers(c, &response))).await?;
    let context = assess(app, &opened.survey, &opened.answers, &opened.response, &peer_means, lang);
    Ok(Reply::page(templates.render("result.html", lang, &context)?))
}
