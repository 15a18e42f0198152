//! The signed-in staff member: a session id in a private (encrypted) cookie, looked up in the
//! database on every request, ended by idle time, by its absolute lifetime, by logout, by a
//! password change or by disabling the account. On `/api/` reads a personal API token
//! (`Authorization: Bearer`, [`crate::web::api`]) stands for the person instead, with what their
//! account may see at that moment.

use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::request::{FromRequest, Outcome, Request};
use serde::Serialize;

use crate::app::App;
use crate::auth::{ABSOLUTE_LIFETIME, Access, IDLE_TIMEOUT, SecretToken, StaffRole};
use crate::config::AppConfig;
use crate::reference::Area;
use crate::service::Actor;
use crate::store;
use crate::web::WebError;
use crate::web::form::FormFields;

/// The session cookie's name.
pub const COOKIE: &str = "dx_session";

/// Seconds between two records of a session's use (fewer writes, same idle rule).
const TOUCH_EVERY: i64 = 60;

/// A signed-in staff member.
#[derive(Debug, Clone)]
pub struct Staff {
    pub user_id: i64,
    pub email: String,
    pub role: StaffRole,
    pub access: Access,
    pub csrf: String,
    session_hash: [u8; 32],
    /// The API token the request came with, if it came with one instead of a session.
    pub token: Option<i64>,
}

/// What every staff page shows of the person.
#[derive(Debug, Serialize)]
pub struct StaffView {
    pub email: String,
    pub role: StaffRole,
    pub csrf: String,
}

impl Staff {
    /// The area `code` names, if this person may see it: 404 for no such area, 403 for one
    /// outside their access, whatever the code.
    pub fn area<'a>(&self, app: &'a App, code: &str) -> Result<&'a Area, WebError> {
        let area = app.reference.area_by_str(code).ok_or(WebError::Status(Status::NotFound))?;
        if !self.access.covers(&area.code) {
            return Err(WebError::Status(Status::Forbidden));
        }
        Ok(area)
    }

    /// This person at `address`, for the audit log.
    pub fn actor(&self, address: &str) -> Actor {
        Actor::new(&self.email, address)
    }

    pub fn view(&self) -> StaffView {
        StaffView { email: self.email.clone(), role: self.role, csrf: self.csrf.clone() }
    }

    /// The person a personal API token speaks for: no session, no CSRF token (no form is ever
    /// accepted with a token).
    pub(crate) fn of_token(bearer: crate::service::tokens::Bearer) -> Staff {
        Staff {
            user_id: bearer.user_id,
            email: bearer.email,
            role: bearer.role,
            access: bearer.access,
            csrf: String::new(),
            session_hash: [0; 32],
            token: Some(bearer.token_id),
        }
    }

    /// Whether a form carries this session's CSRF token (compared in constant time); never
    /// without a session.
    pub fn sent(&self, form: &FormFields) -> bool {
        if self.csrf.is_empty() {
            return false;
        }
        let sent = form.0.iter().find(|(name, _)| name == "csrf").map_or("", |(_, v)| v.as_str());
        SecretToken::from_client(&self.csrf).matches(sent)
    }

    pub fn session_hash(&self) -> &[u8; 32] {
        &self.session_hash
    }
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The cookie that carries a new session id.
pub fn session_cookie(token: &SecretToken, config: &AppConfig) -> Cookie<'static> {
    let secure = config.public_url.as_deref().is_some_and(|u| u.starts_with("https://"));
    Cookie::build((COOKIE, token.as_str().to_string()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .build()
}

/// Removes the session cookie.
pub fn forget(cookies: &CookieJar<'_>) {
    cookies.remove_private(Cookie::build(COOKIE).path("/"));
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Staff {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        if let Some(outcome) = crate::web::api::bearer::staff(request).await {
            return outcome;
        }
        let Some(cookie) = request.cookies().get_private(COOKIE) else {
            return Outcome::Error((Status::Unauthorized, ()));
        };
        let Some(app) = request.rocket().state::<App>() else {
            return Outcome::Error((Status::InternalServerError, ()));
        };
        let hash = SecretToken::from_client(cookie.value()).hash();
        let found = app
            .store
            .call(move |s| {
                let Some(row) = s.read(|c| store::session(c, &hash))? else { return Ok(None) };
                let at = now();
                let expired =
                    at - row.last_seen > IDLE_TIMEOUT || at - row.created_at > ABSOLUTE_LIFETIME;
                if expired || row.disabled {
                    s.write(|tx| store::end_session(tx, &hash))?;
                    return Ok(None);
                }
                if at - row.last_seen > TOUCH_EVERY {
                    s.write(|tx| store::touch_session(tx, &hash, at))?;
                }
                let access = s.read(|c| store::access(c, row.user_id, row.role))?;
                Ok(Some(Staff {
                    user_id: row.user_id,
                    email: row.email,
                    role: row.role,
                    access,
                    csrf: row.csrf,
                    session_hash: hash,
                    token: None,
                }))
            })
            .await;
        match found {
            Ok(Some(staff)) => Outcome::Success(staff),
            Ok(None) => {
                forget(request.cookies());
                Outcome::Error((Status::Unauthorized, ()))
            }
            Err(e) => {
                tracing::error!("session lookup failed: {e}");
                Outcome::Error((Status::ServiceUnavailable, ()))
            }
        }
    }
}

/// An administrator.
pub struct Administrator(pub Staff);

/// Someone who sees the whole city: a statistician or an administrator.
pub struct CityViewer(pub Staff);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Administrator {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match request.guard::<Staff>().await {
            Outcome::Success(staff) if staff.role == StaffRole::Administrator => {
                Outcome::Success(Administrator(staff))
            }
            Outcome::Success(_) => Outcome::Error((Status::Forbidden, ())),
            Outcome::Error(e) => Outcome::Error(e),
            Outcome::Forward(s) => Outcome::Forward(s),
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CityViewer {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match request.guard::<Staff>().await {
            Outcome::Success(staff) if staff.access == Access::City => {
                Outcome::Success(CityViewer(staff))
            }
            Outcome::Success(_) => Outcome::Error((Status::Forbidden, ())),
            Outcome::Error(e) => Outcome::Error(e),
            Outcome::Forward(s) => Outcome::Forward(s),
        }
    }
}

/// The client's address, for the audit log and the login delay.
pub fn address(request_ip: Option<std::net::IpAddr>) -> String {
    request_ip.map_or_else(|| "unknown".into(), |ip| ip.to_string())
}
