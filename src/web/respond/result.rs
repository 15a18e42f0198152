//! The result page: the respondent's self-assessment (`report::respondent`), read-only once
//! submitted, with a link to the same as a PDF.

use rocket::{State, get};
use serde::Serialize;

use super::{Reply, open};
use crate::app::App;
use crate::report::respondent::{Assessment, assess};
use crate::store;
use crate::survey::Lang;
use crate::web::{Templates, WebError};

/// The self-assessment and where to download it as a PDF.
#[derive(Serialize)]
struct ResultPage {
    #[serde(flatten)]
    assessment: Assessment,
    report_url: String,
}

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
    let peer_means = app.store.call(move |s| s.read(|c| store::peers_of(c, &response))).await?;
    let context = ResultPage {
        assessment: assess(
            app,
            &opened.survey,
            &opened.answers,
            &opened.response,
            &peer_means,
            lang,
        ),
        report_url: opened.url("report.pdf"),
    };
    Ok(Reply::page(templates.render("result.html", lang, &context)?))
}
