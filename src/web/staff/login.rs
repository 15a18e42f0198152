//! Signing in and out (`service::signin`): the forms, the cookies and the answers. A growing
//! delay after failures is answered 429 with `Retry-After`.

use std::sync::OnceLock;

use rocket::http::{Cookie, CookieJar, Header, SameSite, Status};
use rocket::request::Request;
use rocket::response::content::RawHtml;
use rocket::response::{self, Redirect, Responder};
use rocket::tokio::sync::Semaphore;
use rocket::{get, post};
use serde::Serialize;

use super::session::{Staff, forget, session_cookie};
use crate::auth::SecretToken;
use crate::service::signin::{self, SignIn};
use crate::web::form::FormFields;
use crate::web::{Page, WebError, blocking};

/// The cookie holding the login form's CSRF token (before there is a session).
const LOGIN_COOKIE: &str = "dx_login";

/// Password hashes computed at once: each takes 19 MiB, so a burst of logins waits here
/// instead of exhausting memory.
fn hashing() -> &'static Semaphore {
    static HASHING: OnceLock<Semaphore> = OnceLock::new();
    HASHING.get_or_init(|| Semaphore::new(2))
}

#[derive(Serialize)]
struct LoginPage {
    csrf: String,
    email: String,
    error: Option<String>,
}

/// A fresh CSRF token for the login form, kept in a private cookie.
fn login_token(cookies: &CookieJar<'_>) -> Result<String, WebError> {
    let token = SecretToken::generate().map_err(|e| WebError::Internal(e.to_string()))?;
    let cookie = Cookie::build((LOGIN_COOKIE, token.as_str().to_string()))
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict);
    cookies.add_private(cookie);
    Ok(token.as_str().to_string())
}

#[get("/login")]
pub fn show(cookies: &CookieJar<'_>, page: Page<'_>) -> Result<RawHtml<String>, WebError> {
    let context = LoginPage { csrf: login_token(cookies)?, email: String::new(), error: None };
    page.html("staff/login.html", &context)
}

/// The answers a login can get.
pub enum LoginReply {
    SignedIn(Box<Redirect>),
    Refused(Status, RawHtml<String>),
    Wait { seconds: i64, page: RawHtml<String> },
}

impl<'r> Responder<'r, 'static> for LoginReply {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        match self {
            LoginReply::SignedIn(redirect) => redirect.respond_to(request),
            LoginReply::Refused(status, page) => (status, page).respond_to(request),
            LoginReply::Wait { seconds, page } => {
                let mut response = (Status::TooManyRequests, page).respond_to(request)?;
                response.set_header(Header::new("Retry-After", seconds.to_string()));
                Ok(response)
            }
        }
    }
}

#[post("/login", data = "<form>")]
pub async fn submit(
    form: FormFields,
    cookies: &CookieJar<'_>,
    page: Page<'_>,
) -> Result<LoginReply, WebError> {
    let expected = cookies.get_private(LOGIN_COOKIE).map(|c| c.value().to_string());
    if !expected.is_some_and(|t| SecretToken::from_client(&t).matches(form.get("csrf"))) {
        return Err(WebError::Status(Status::Forbidden));
    }
    let (email, password) = (form.get("email").to_string(), form.get("password").to_string());
    let (app, address) = (page.app.clone(), page.address.parse().ok());
    let permit = hashing().acquire().await.map_err(|e| WebError::Internal(e.to_string()))?;
    let typed = email.clone();
    let outcome = blocking(move || signin::sign_in(&app, &typed, &password, address)).await?;
    drop(permit);
    let refused = |key: &str| -> Result<RawHtml<String>, WebError> {
        let error = Some(page.word(key));
        let context =
            LoginPage { csrf: login_token(cookies)?, email: email.trim().to_lowercase(), error };
        page.html("staff/login.html", &context)
    };
    match outcome.map_err(|e| WebError::Internal(e.to_string()))? {
        SignIn::Wait(seconds) => Ok(LoginReply::Wait { seconds, page: refused("login_wait")? }),
        SignIn::Refused => Ok(LoginReply::Refused(Status::Unauthorized, refused("login_failed")?)),
        SignIn::TooLong => {
            let context = LoginPage {
                csrf: login_token(cookies)?,
                email: String::new(),
                error: Some(page.word("login_too_long")),
            };
            Ok(LoginReply::Refused(
                Status::UnprocessableEntity,
                page.html("staff/login.html", &context)?,
            ))
        }
        SignIn::Session(token) => {
            cookies.remove_private(Cookie::build(LOGIN_COOKIE).path("/login"));
            cookies.add_private(session_cookie(&token, page.config));
            Ok(LoginReply::SignedIn(Box::new(Redirect::to("/staff"))))
        }
    }
}

#[post("/logout", data = "<form>")]
pub async fn logout(
    staff: Staff,
    form: FormFields,
    cookies: &CookieJar<'_>,
    page: Page<'_>,
) -> Result<Redirect, WebError> {
    if !staff.sent(&form) {
        return Err(WebError::Status(Status::Forbidden));
    }
    let (app, actor, session) =
        (page.app.clone(), staff.actor(&page.address), *staff.session_hash());
    blocking(move || signin::sign_out(&app, &session, &actor)).await??;
    forget(cookies);
    Ok(Redirect::to("/"))
}
