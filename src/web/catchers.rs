//! Error pages for requests no route answers (unknown pages, malformed requests), in the
//! person's language.

use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::{Catcher, Request, catch, catchers};

use super::Templates;
use crate::survey::Lang;

#[derive(serde::Serialize)]
struct ErrorPage {
    status: u16,
    message: String,
}

pub fn all() -> Vec<Catcher> {
    catchers![default, unauthorized]
}

/// Staff pages without a valid session lead to the sign-in page.
#[catch(401)]
fn unauthorized() -> rocket::response::Redirect {
    rocket::response::Redirect::to("/login")
}

#[catch(default)]
async fn default(status: Status, request: &Request<'_>) -> RawHtml<String> {
    let lang = request.guard::<Lang>().await.succeeded().unwrap_or_default();
    let key = match status.code {
        404 => "error_not_found",
        400 | 413 | 415 | 422 => "error_bad_request",
        403 => "error_forbidden",
        429 => "error_too_many",
        _ => "error_generic",
    };
    let page = request.rocket().state::<Templates>().and_then(|t| {
        let message = t.word(key, lang).to_string();
        t.render("error.html", lang, &ErrorPage { status: status.code, message }).ok()
    });
    RawHtml(
        page.unwrap_or_else(|| {
            format!("<!doctype html><title>{0}</title><h1>{0}</h1>", status.code)
        }),
    )
}
