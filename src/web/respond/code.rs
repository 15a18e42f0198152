//! Starting with a personal access code: by the link of a letter or e-mail (`/i/<code>`), or
//! typed on the home page or the code page. Either opens the organisation's response under a
//! new private link (see [`access::open_with_code`]).

use rocket::http::Status;
use rocket::{get, post};
use serde::Serialize;

use super::{Page, Reply, blocking, refusal};
use crate::kernel::format::today;
use crate::service::access;
use crate::web::WebError;
use crate::web::form::FormFields;

/// The code page: a field for the code, and why it is asked for.
#[derive(Serialize, Default)]
struct CodePage {
    /// What was typed, shown again with the error.
    code: String,
    unknown: bool,
    invitation_only: bool,
    contact: Option<String>,
}

fn render(page: &Page<'_>, status: Status, context: &CodePage) -> Result<Reply, WebError> {
    Ok(Reply::with_status(status, page.render("respond/code.html", context)?))
}

#[get("/i")]
pub fn form(page: Page<'_>) -> Result<Reply, WebError> {
    render(&page, Status::Ok, &CodePage::default())
}

/// The start page of an invitation-only wave: the code is the way in (403).
pub(super) fn invitation_only(page: &Page<'_>) -> Result<Reply, WebError> {
    let context = CodePage {
        invitation_only: true,
        contact: page.config.contact.clone(),
        ..CodePage::default()
    };
    render(page, Status::Forbidden, &context)
}

/// A code that opens nothing.
pub(super) fn unknown(page: &Page<'_>, status: Status) -> Result<Reply, WebError> {
    let context =
        CodePage { unknown: true, contact: page.config.contact.clone(), ..CodePage::default() };
    render(page, status, &context)
}

async fn open(page: &Page<'_>, code: String) -> Result<Reply, WebError> {
    let app = page.app.clone();
    match blocking(move || access::open_with_code(&app, &code, today())).await? {
        Ok(opened) => Ok(Reply::to(format!("/r/{}", opened.token.as_str()))),
        Err(e) => refusal(page, e),
    }
}

#[get("/i/<code>")]
pub async fn by_link(code: &str, page: Page<'_>) -> Result<Reply, WebError> {
    open(&page, code.to_string()).await
}

#[post("/i", data = "<form>")]
pub async fn typed(form: FormFields, page: Page<'_>) -> Result<Reply, WebError> {
    let code = form.0.iter().find(|(name, _)| name == "code").map(|(_, v)| v.clone());
    let code = code.unwrap_or_default();
    if code.trim().is_empty() || code.len() > 64 {
        let context = CodePage { unknown: true, ..CodePage::default() };
        return render(&page, Status::UnprocessableEntity, &context);
    }
    match open(&page, code.clone()).await? {
        Reply::Page((Status::NotFound, _)) => {
            let context = CodePage {
                code,
                unknown: true,
                contact: page.config.contact.clone(),
                ..CodePage::default()
            };
            render(&page, Status::UnprocessableEntity, &context)
        }
        other => Ok(other),
    }
}
