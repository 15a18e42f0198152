//! Case management for administrators (`service::cases`): find a response or a sampled
//! enterprise by tax code or name; confirm, release or void a response; re-issue a code. Each
//! with a reason, audited.

use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::{Route, get, post, routes};
use serde::Serialize;

use super::checked;
use crate::service::cases::{self, CaseError, ResponseAction};
use crate::service::invitations;
use crate::store::CaseRow;
use crate::web::form::FormFields;
use crate::web::staff::{Administrator, StaffView};
use crate::web::{Page, WebError, blocking};

pub fn routes() -> Vec<Route> {
    routes![find, act, reissue]
}

#[derive(Serialize)]
struct CaseView {
    response_id: Option<i64>,
    /// The tax code, or a register agency's code.
    code: String,
    name: String,
    area_code: String,
    status: String,
    identity_check: String,
    standing: String,
    sampled: bool,
    invited: bool,
    last_event: String,
}

impl From<CaseRow> for CaseView {
    fn from(row: CaseRow) -> CaseView {
        CaseView {
            response_id: row.response_id,
            code: row.code.unwrap_or_default(),
            name: row.name,
            area_code: row.area_code.unwrap_or_default(),
            status: row.status.unwrap_or_default(),
            identity_check: row.identity_check.unwrap_or_default(),
            standing: row.standing.unwrap_or_default(),
            sampled: row.unit_id.is_some(),
            invited: row.invited,
            last_event: row.last_event.unwrap_or_default(),
        }
    }
}

#[derive(Serialize)]
struct CasesPage {
    staff: StaffView,
    wave: String,
    query: String,
    cases: Vec<CaseView>,
    message: Option<String>,
    /// A code just re-issued, shown once: (tax code, code).
    new_code: Option<(String, String)>,
    problems: Vec<String>,
}

async fn render(
    admin: &Administrator,
    page: &Page<'_>,
    wave: &str,
    query: &str,
    done: (Option<String>, Option<(String, String)>, Vec<String>),
) -> Result<(Status, RawHtml<String>), WebError> {
    let (app, id, q) = (page.app.clone(), wave.to_string(), query.to_string());
    let rows = blocking(move || cases::find(&app, &id, &q)).await??;
    let (message, new_code, problems) = done;
    let status = if problems.is_empty() { Status::Ok } else { Status::UnprocessableEntity };
    let context = CasesPage {
        staff: admin.0.view(),
        wave: wave.to_string(),
        query: query.to_string(),
        cases: rows.into_iter().map(CaseView::from).collect(),
        message,
        new_code,
        problems,
    };
    Ok((status, page.html("admin/cases.html", &context)?))
}

#[get("/admin/cases?<wave>&<q>")]
async fn find(
    admin: Administrator,
    wave: Option<&str>,
    q: Option<&str>,
    page: Page<'_>,
) -> Result<(Status, RawHtml<String>), WebError> {
    let wave = match wave {
        Some(w) => w.to_string(),
        None => crate::kernel::format::today().year().to_string(),
    };
    render(&admin, &page, &wave, q.unwrap_or_default(), (None, None, vec![])).await
}

/// A problem of a case action, in the person's language where it is theirs to fix.
fn problem(page: &Page<'_>, e: &CaseError) -> String {
    match e {
        CaseError::NoReason => page.word("err_reason"),
        other => other.to_string(),
    }
}

#[post("/admin/cases/<id>?<wave>&<q>", data = "<form>")]
async fn act(
    admin: Administrator,
    id: i64,
    wave: &str,
    q: Option<&str>,
    form: FormFields,
    page: Page<'_>,
) -> Result<(Status, RawHtml<String>), WebError> {
    checked(&admin, &form)?;
    let action = match form.get("action") {
        "confirm" => ResponseAction::Confirm,
        "release" => ResponseAction::Release,
        "void" => ResponseAction::Void,
        _ => return Err(WebError::Status(Status::UnprocessableEntity)),
    };
    let (app, actor, reason) =
        (page.app.clone(), admin.0.actor(&page.address), form.get("reason").to_string());
    let done = match blocking(move || cases::act(&app, &actor, id, action, &reason)).await? {
        Ok(()) => (Some(page.word("case_done")), None, vec![]),
        Err(CaseError::Store(e)) => return Err(e.into()),
        Err(e) => (None, None, vec![problem(&page, &e)]),
    };
    render(&admin, &page, wave, q.unwrap_or_default(), done).await
}

#[post("/admin/cases/reissue?<wave>&<q>", data = "<form>")]
async fn reissue(
    admin: Administrator,
    wave: &str,
    q: Option<&str>,
    form: FormFields,
    page: Page<'_>,
) -> Result<(Status, RawHtml<String>), WebError> {
    checked(&admin, &form)?;
    let (app, actor, id) = (page.app.clone(), admin.0.actor(&page.address), wave.to_string());
    let (code, reason) = (form.get("code").to_string(), form.get("reason").to_string());
    let issued = blocking(move || invitations::reissue(&app, &id, &code, &reason, &actor)).await?;
    let done = match issued {
        Ok(issued) => {
            let new = (issued.invitee.code.clone(), issued.code.grouped());
            (Some(page.word("case_done")), Some(new), vec![])
        }
        Err(invitations::InvitationError::NoReason) => (None, None, vec![page.word("err_reason")]),
        Err(e) => (None, None, vec![e.to_string()]),
    };
    render(&admin, &page, wave, q.unwrap_or_default(), done).await
}
