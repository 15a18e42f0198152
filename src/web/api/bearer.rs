//! `Authorization: Bearer dxs_…` on `/api/` requests: the staff member a personal token speaks
//! for ([`crate::service::tokens`]), checked once per request however many guards ask. A token
//! request makes no session, touches none and sets no cookie; it needs no CSRF token, as only
//! GET and HEAD requests are answered with a token.

use rocket::http::Method;
use rocket::request::{Outcome, Request};

use super::problem::Problem;
use crate::app::App;
use crate::service::tokens::{self, Refusal, Use};
use crate::web::ClientAddress;
use crate::web::blocking;
use crate::web::staff::Staff;

/// Whether `request` is one a token may be used for.
fn is_api_read(request: &Request<'_>) -> bool {
    matches!(request.method(), Method::Get | Method::Head)
        && request.uri().path().as_str().starts_with("/api/")
}

/// The token of an `Authorization` header: `Bearer` (any case) and the token; `Err` for
/// anything else, including two headers.
fn presented<'a>(values: &[&'a str]) -> Result<&'a str, Refusal> {
    let [value] = values else { return Err(Refusal::Malformed) };
    let (scheme, token) = value.trim().split_once(' ').ok_or(Refusal::Malformed)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Refusal::Malformed);
    }
    Ok(token.trim())
}

/// The answer of this request's token, once per request.
struct Checked(Option<Result<Staff, Problem>>);

/// The staff member of the request's bearer token; `None` when the request carries none or is
/// not an API read (then the session cookie decides).
pub async fn staff(request: &Request<'_>) -> Option<Outcome<Staff, ()>> {
    let checked = request.local_cache_async(async { Checked(check(request).await) }).await;
    match &checked.0 {
        None => None,
        Some(Ok(staff)) => Some(Outcome::Success(staff.clone())),
        Some(Err(problem)) => Some(Outcome::Error((problem.clone().note(request), ()))),
    }
}

async fn check(request: &Request<'_>) -> Option<Result<Staff, Problem>> {
    let values: Vec<&str> = request.headers().get("Authorization").collect();
    if values.is_empty() || !is_api_read(request) {
        return None;
    }
    let Some(app) = request.rocket().state::<App>() else {
        return Some(Err(Problem::unavailable()));
    };
    let token = match presented(&values) {
        Ok(token) => token.to_string(),
        Err(refusal) => return Some(Err(Problem::token(&refusal))),
    };
    let line = format!("{} {}", request.method(), request.uri());
    let address = ClientAddress::of(request).map(|ip| ip.to_string());
    let app = app.clone();
    let checked = blocking(move || {
        let used = Use { presented: &token, request: &line, address: address.as_deref() };
        tokens::authenticate(&app, &used)
    })
    .await;
    Some(match checked {
        Ok(Ok(bearer)) => Ok(Staff::of_token(bearer)),
        Ok(Err(refusal)) => Err(Problem::token(&refusal)),
        Err(e) => Err(e.into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_bearer_header_is_read() {
        assert_eq!(presented(&["Bearer dxs_abc"]).ok(), Some("dxs_abc"));
        assert_eq!(presented(&["bearer  dxs_abc "]).ok(), Some("dxs_abc"));
        for bad in [&["Basic dXNlcjpwYXNz"][..], &["dxs_abc"], &["Bearer a", "Bearer b"], &[""]] {
            assert!(matches!(presented(bad), Err(Refusal::Malformed)), "{bad:?}");
        }
    }
}
