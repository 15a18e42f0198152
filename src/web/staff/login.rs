//! Signing in and out. Unknown accounts and wrong passwords get the same answer after the same
//! work; five failures for an account or an address start a growing delay (429).

use std::sync::OnceLock;

use rocket::http::{Cookie, CookieJar, Header, SameSite, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::content::RawHtml;
use rocket::response::{self, Redirect, Responder};
use rocket::tokio::sync::Semaphore;
use rocket::{State, get, post};
use serde::Serialize;

use super::session::{Staff, forget, now, session_cookie};
use crate::app::App;
use crate::auth::{SecretToken, retry_after, verify_password};
use crate::config::AppConfig;
use crate::store;
use crate::survey::Lang;
use crate::web::form::FormFields;
use crate::web::{Templates, WebError};

/// The cookie holding the login form's CSRF token (before there is a session).
const LOGIN_COOKIE: &str = "dx_login";

/// Password hashes computed at once: each takes 19 MiB, so a burst of logins waits here
/// instead of exhausting memory.
fn hashing() -> &'static Semaphore {
    static HASHING: OnceLock<Semaphore> = OnceLock::new();
    HASHING.get_or_init(|| Semaphore::new(2))
}

/// The client's address.
pub struct ClientAddress(pub String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientAddress {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(ClientAddress(
            request.client_ip().map_or_else(|| "unknown".into(), |ip| ip.to_string()),
        ))
    }
}

#[derive(Serialize)]
struct LoginPage {
    csrf: String,
    email: String,
    error: Option<String>,
}

fn render(templates: &Templates, lang: Lang, page: &LoginPage) -> Result<String, WebError> {
    Ok(templates.render("login.html", lang, page)?)
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
pub fn show(
    cookies: &CookieJar<'_>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<RawHtml<String>, WebError> {
    let page = LoginPage { csrf: login_token(cookies)?, email: String::new(), error: None };
    Ok(RawHtml(render(templates, lang, &page)?))
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
#[allow(clippy::too_many_arguments)]
pub async fn submit(
    form: FormFields,
    cookies: &CookieJar<'_>,
    address: ClientAddress,
    app: &State<App>,
    config: &State<AppConfig>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<LoginReply, WebError> {
    let field = |name: &str| {
        form.0.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str()).to_string()
    };
    let (email, password) = (field("email").trim().to_lowercase(), field("password"));
    let expected = cookies.get_private(LOGIN_COOKIE).map(|c| c.value().to_string());
    if !expected.is_some_and(|t| SecretToken::from_client(&t).matches(&field("csrf"))) {
        return Err(WebError::Status(Status::Forbidden));
    }
    let page = |error: &str| -> Result<RawHtml<String>, WebError> {
        let page = LoginPage {
            csrf: login_token(cookies)?,
            email: email.clone(),
            error: Some(templates.word(error, lang).to_string()),
        };
        Ok(RawHtml(render(templates, lang, &page)?))
    };
    let keys = [format!("account:{email}"), format!("address:{}", address.0)];
    let (keys_read, at) = (keys.clone(), now());
    let wait = app
        .store
        .call(move |s| {
            s.read(|c| {
                let mut wait = 0;
                for key in &keys_read {
                    let (failures, last) = store::login_failures(c, key)?;
                    wait = wait.max(retry_after(failures, last, at));
                }
                Ok(wait)
            })
        })
        .await?;
    if wait > 0 {
        return Ok(LoginReply::Wait { seconds: wait, page: page("login_wait")? });
    }
    let lookup = email.clone();
    let account = app.store.call(move |s| s.read(|c| store::credentials(c, &lookup))).await?;
    let permit = hashing().acquire().await.map_err(|e| WebError::Internal(e.to_string()))?;
    let hash = account.as_ref().map(|a| a.password_hash.clone());
    let matches =
        rocket::tokio::task::spawn_blocking(move || verify_password(&password, hash.as_deref()))
            .await
            .map_err(|e| WebError::Internal(e.to_string()))?;
    drop(permit);
    let (actor, from) = (email.clone(), address.0.clone());
    let Some(account) = account.filter(|a| matches && !a.disabled) else {
        app.store
            .call(move |s| {
                s.write(|tx| {
                    for key in &keys {
                        store::record_login_failure(tx, key, at)?;
                    }
                    store::audit(tx, Some(&actor), "login.failure", None, None, Some(&from))
                })
            })
            .await?;
        return Ok(LoginReply::Refused(Status::Unauthorized, page("login_failed")?));
    };
    // A new session id at every login: a session fixed before login is never promoted.
    let token = SecretToken::generate().map_err(|e| WebError::Internal(e.to_string()))?;
    let csrf = SecretToken::generate().map_err(|e| WebError::Internal(e.to_string()))?;
    let hash = token.hash();
    app.store
        .call(move |s| {
            s.write(|tx| {
                store::create_session(tx, &hash, account.id, csrf.as_str(), at)?;
                store::clear_login_failures(tx, &keys[0])?;
                store::audit(tx, Some(&actor), "login", None, None, Some(&from))
            })
        })
        .await?;
    cookies.remove_private(Cookie::build(LOGIN_COOKIE).path("/login"));
    cookies.add_private(session_cookie(&token, config));
    Ok(LoginReply::SignedIn(Box::new(Redirect::to("/staff"))))
}

#[post("/logout", data = "<form>")]
pub async fn logout(
    staff: Staff,
    form: FormFields,
    cookies: &CookieJar<'_>,
    address: ClientAddress,
    app: &State<App>,
) -> Result<Redirect, WebError> {
    if !staff.sent(&form) {
        return Err(WebError::Status(Status::Forbidden));
    }
    let hash = *staff.session_hash();
    app.store
        .call(move |s| {
            s.write(|tx| {
                store::end_session(tx, &hash)?;
                store::audit(tx, Some(&staff.email), "logout", None, None, Some(&address.0))
            })
        })
        .await?;
    forget(cookies);
    Ok(Redirect::to("/"))
}
