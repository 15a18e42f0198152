//! Error pages for requests no route answers (unknown pages, malformed requests), in the
//! person's language; under `/api/`, JSON errors with a stable code (never a page or a redirect
//! to the sign-in page), as the guard that refused noted them.

use rocket::http::{Header, Status};
use rocket::response::content::RawHtml;
use rocket::{Catcher, Request, catch, catchers};

use super::Templates;
use super::api::Problem;
use crate::survey::Lang;

#[derive(serde::Serialize)]
struct ErrorPage {
    status: u16,
    message: String,
    /// A signed-in person keeps their menu on an error page.
    staff: Option<super::staff::StaffView>,
}

pub fn all() -> Vec<Catcher> {
    catchers![default, unauthorized]
}

/// The catchers of `/api/`: every status as the API's JSON error.
pub fn api() -> Vec<Catcher> {
    catchers![api_error]
}

/// The problem a guard noted (an expired token, a client over its limit, an unknown parameter),
/// else the problem of the bare status (an unknown route: `not_found`).
#[catch(default)]
fn api_error(status: Status, request: &Request<'_>) -> Problem {
    Problem::noted(request)
        .filter(|p| p.status == status)
        .unwrap_or_else(|| Problem::of_status(status))
}

/// Staff pages without a valid session lead to the sign-in page.
#[catch(401)]
fn unauthorized() -> rocket::response::Redirect {
    rocket::response::Redirect::to("/login")
}

/// An error page; a 503 also says when to try again.
struct ErrorReply {
    page: RawHtml<String>,
    retry_after: Option<Header<'static>>,
}

impl<'r> rocket::response::Responder<'r, 'static> for ErrorReply {
    fn respond_to(self, request: &'r Request<'_>) -> rocket::response::Result<'static> {
        let mut response = self.page.respond_to(request)?;
        if let Some(header) = self.retry_after {
            response.set_header(header);
        }
        Ok(response)
    }
}

#[catch(default)]
async fn default(status: Status, request: &Request<'_>) -> ErrorReply {
    let lang = request.guard::<Lang>().await.succeeded().unwrap_or_default();
    let key = match status.code {
        404 => "error_not_found",
        400 | 413 | 415 | 422 => "error_bad_request",
        403 => "error_forbidden",
        429 => "error_too_many",
        // A write that could not be stored (full disk, read-only or failing database): nothing
        // was acknowledged, and the respondent can simply send again.
        503 => "error_unavailable",
        _ => "error_generic",
    };
    // Not after a storage failure: the session could not be read either.
    let staff = match status {
        Status::ServiceUnavailable => None,
        _ => request.guard::<super::staff::Staff>().await.succeeded().map(|s| s.view()),
    };
    let page = request.rocket().state::<Templates>().and_then(|t| {
        let message = t.word(key, lang).to_string();
        t.render("error.html", lang, &ErrorPage { status: status.code, message, staff }).ok()
    });
    let page =
        RawHtml(page.unwrap_or_else(|| {
            format!("<!doctype html><title>{0}</title><h1>{0}</h1>", status.code)
        }));
    let retry_after =
        (status == Status::ServiceUnavailable).then(|| Header::new("Retry-After", "30"));
    ErrorReply { page, retry_after }
}
