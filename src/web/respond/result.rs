//! The result page: the respondent's self-assessment (`crate::assessment`), read-only once
//! submitted, with a link to the same as a PDF.

use rocket::get;
use serde::Serialize;

use super::{Reply, open};
use crate::assessment::Assessment;
use crate::kernel::format::today;
use crate::service::respond;
use crate::web::{Page, WebError, blocking};

/// The self-assessment and where to download it as a PDF.
#[derive(Serialize)]
struct ResultPage {
    #[serde(flatten)]
    assessment: Assessment,
    report_url: String,
}

#[get("/r/<token>/result")]
pub async fn show(token: &str, page: Page<'_>) -> Result<Reply, WebError> {
    let opened = open(page.app, token).await?;
    if !opened.submitted() {
        return Ok(Reply::to(opened.url("review")));
    }
    let report_url = opened.url("report.pdf");
    let (app, lang) = (page.app.clone(), page.lang);
    let assessment = blocking(move || respond::assessment(&app, &opened, lang, today())).await??;
    Ok(Reply::page(page.render("respond/result.html", &ResultPage { assessment, report_url })?))
}
