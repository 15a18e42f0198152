//! The API's errors: every refusal under `/api/` is JSON, never a page or a redirect:
//! `{"error": {"status": 401, "code": "token_expired", "message": "…", "message_vi": "…"}}`,
//! with `"parameter"` when a query parameter is at fault. Codes are stable (docs/api.md lists
//! them); the words are `api_error_*` of `templates/messages.toml`, in English and Vietnamese.
//!
//! A guard that refuses (no token, an expired one, a client over its limit) notes its problem
//! on the request ([`Problem::note`]); the `/api` catchers answer with it, or with the problem
//! of the bare status when none was noted.

use std::sync::OnceLock;

use rocket::http::{ContentType, Header, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use serde::Serialize;

use crate::figures::FiguresError;
use crate::kernel::Lang;
use crate::service::publish::PublishError;
use crate::service::tokens::Refusal;
use crate::store::StoreError;
use crate::web::{Templates, WebError};

/// A refused API request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub status: Status,
    /// Stable, for scripts: `token_expired`, `unknown_parameter`...
    pub code: &'static str,
    /// The message's key (without `api_error_`): the code, or a more precise word.
    key: &'static str,
    /// What fills `{value}` in the message.
    value: Option<String>,
    /// The query parameter at fault.
    pub parameter: Option<String>,
    /// Seconds to wait, for 429 and 503.
    retry_after: Option<u64>,
}

/// Longest echo of what a client sent (a parameter's name) in a message.
const ECHO: usize = 60;

fn echo(text: &str) -> String {
    text.chars().take(ECHO).collect()
}

impl Problem {
    fn new(status: Status, code: &'static str) -> Problem {
        Problem { status, code, key: code, value: None, parameter: None, retry_after: None }
    }

    fn with_value(mut self, value: &str) -> Problem {
        self.value = Some(echo(value));
        self
    }

    pub fn unauthenticated() -> Problem {
        Problem::new(Status::Unauthorized, "unauthenticated")
    }

    /// Why a token opens nothing.
    pub fn token(refusal: &Refusal) -> Problem {
        let code = match refusal {
            Refusal::Malformed => "token_malformed",
            Refusal::Unknown => "token_invalid",
            Refusal::Expired => "token_expired",
            Refusal::Revoked => "token_revoked",
            Refusal::Disabled => "account_disabled",
            Refusal::Store(e) => {
                tracing::error!("token check failed: {e}");
                return Problem::unavailable();
            }
        };
        Problem::new(Status::Unauthorized, code)
    }

    pub fn outside_scope() -> Problem {
        Problem::new(Status::Forbidden, "outside_scope")
    }

    pub fn not_found() -> Problem {
        Problem::new(Status::NotFound, "not_found")
    }

    pub fn unknown_wave(wave: &str) -> Problem {
        Problem::new(Status::NotFound, "unknown_wave").with_value(wave)
    }

    pub fn unknown_survey(survey: &str) -> Problem {
        Problem::new(Status::NotFound, "unknown_survey").with_value(survey)
    }

    pub fn unknown_area(code: &str) -> Problem {
        Problem::new(Status::NotFound, "unknown_area").with_value(code)
    }

    pub fn no_such_file(name: &str) -> Problem {
        Problem::new(Status::NotFound, "no_such_file").with_value(name)
    }

    /// A query parameter the route does not take (a misspelling, most often).
    pub fn unknown_parameter(name: &str) -> Problem {
        let mut problem = Problem::new(Status::BadRequest, "unknown_parameter").with_value(name);
        problem.parameter = Some(echo(name));
        problem
    }

    /// A parameter given twice.
    pub fn repeated_parameter(name: &str) -> Problem {
        let mut problem = Problem::new(Status::BadRequest, "bad_parameter").with_value(name);
        problem.key = "repeated_parameter";
        problem.parameter = Some(echo(name));
        problem
    }

    /// A parameter whose value is not one of `allowed` (listed in the message).
    pub fn bad_choice(name: &'static str, key: &'static str, allowed: &[&str]) -> Problem {
        let mut problem = Problem::bad_parameter(name, key, "");
        problem.value = Some(allowed.join(", "));
        problem
    }

    /// A parameter whose value is refused: `key` names the message that says what is allowed,
    /// with `value` (what was sent) in it.
    pub fn bad_parameter(name: &'static str, key: &'static str, value: &str) -> Problem {
        let mut problem = Problem::new(Status::BadRequest, "bad_parameter").with_value(value);
        problem.key = key;
        problem.parameter = Some(name.to_string());
        problem
    }

    pub fn too_many(seconds: u64) -> Problem {
        let mut problem = Problem::new(Status::TooManyRequests, "too_many_requests");
        problem.retry_after = Some(seconds.max(1));
        problem
    }

    pub fn unavailable() -> Problem {
        let mut problem = Problem::new(Status::ServiceUnavailable, "unavailable");
        problem.retry_after = Some(30);
        problem
    }

    /// The problem of a bare status, when nothing more precise was noted.
    pub fn of_status(status: Status) -> Problem {
        match status.code {
            401 => Problem::unauthenticated(),
            403 => Problem::outside_scope(),
            404 => Problem::not_found(),
            400 | 413 | 415 | 422 => Problem::new(status, "bad_request"),
            429 => Problem::too_many(60),
            503 => Problem::unavailable(),
            _ => Problem::new(status, "internal"),
        }
    }

    /// Notes this problem on `request` for the catchers; the first noted stays.
    pub fn note(self, request: &Request<'_>) -> Status {
        let status = self.status;
        let _ = request.local_cache(Noted::default).0.set(self);
        status
    }

    /// The problem a guard noted on `request`, if any.
    pub fn noted(request: &Request<'_>) -> Option<Problem> {
        request.local_cache(Noted::default).0.get().cloned()
    }

    /// The message in `lang`.
    fn message(&self, templates: Option<&Templates>, lang: Lang) -> String {
        let key = format!("api_error_{}", self.key);
        let text = templates.map_or(key.as_str(), |t| t.word(&key, lang));
        match &self.value {
            Some(value) => text.replace("{value}", value),
            None => text.to_string(),
        }
    }

    /// The JSON body.
    pub fn body(&self, templates: Option<&Templates>) -> String {
        #[derive(Serialize)]
        struct Body<'a> {
            error: Inner<'a>,
        }
        #[derive(Serialize)]
        struct Inner<'a> {
            status: u16,
            code: &'a str,
            message: String,
            message_vi: String,
            #[serde(skip_serializing_if = "Option::is_none")]
            parameter: Option<&'a str>,
        }
        let body = Body {
            error: Inner {
                status: self.status.code,
                code: self.code,
                message: self.message(templates, Lang::En),
                message_vi: self.message(templates, Lang::Vi),
                parameter: self.parameter.as_deref(),
            },
        };
        serde_json::to_string(&body)
            .unwrap_or_else(|_| format!("{{\"error\":{{\"status\":{}}}}}", self.status.code))
    }
}

/// The problem a guard noted on the request.
#[derive(Default)]
struct Noted(OnceLock<Problem>);

impl<'r> Responder<'r, 'static> for Problem {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let body = self.body(request.rocket().state::<Templates>());
        let mut response = Response::build();
        response
            .status(self.status)
            .header(ContentType::JSON)
            .header(Header::new("Cache-Control", "no-store"))
            .sized_body(body.len(), std::io::Cursor::new(body));
        if let Some(seconds) = self.retry_after {
            response.header(Header::new("Retry-After", seconds.to_string()));
        }
        if self.status == Status::Unauthorized {
            let challenge = match self.code {
                "unauthenticated" => "Bearer realm=\"dxsurvey\"".to_string(),
                code => format!(
                    "Bearer realm=\"dxsurvey\", error=\"invalid_token\", error_description=\"{code}\""
                ),
            };
            response.header(Header::new("WWW-Authenticate", challenge));
        }
        response.ok()
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        tracing::error!("API request failed: {e}");
        Problem::unavailable()
    }
}

impl From<FiguresError> for Problem {
    fn from(e: FiguresError) -> Self {
        match e {
            FiguresError::NoWave(wave) => Problem::unknown_wave(&wave),
            FiguresError::NoSurvey(_, survey) => Problem::unknown_survey(&survey),
            FiguresError::Store(e) => e.into(),
        }
    }
}

impl From<PublishError> for Problem {
    fn from(e: PublishError) -> Self {
        match e {
            PublishError::Figures(e) => e.into(),
            PublishError::Store(e) => e.into(),
            PublishError::NoSuchFile(name) => Problem::no_such_file(name),
            PublishError::Report(e) => WebError::from(e).into(),
            PublishError::Write(cause) => WebError::Internal(cause).into(),
        }
    }
}

impl From<WebError> for Problem {
    fn from(e: WebError) -> Self {
        match e {
            WebError::Status(status) => Problem::of_status(status),
            WebError::Internal(cause) => {
                tracing::error!("API request failed: {cause}");
                Problem::unavailable()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_is_json_with_its_code_and_parameter() {
        let body: serde_json::Value =
            serde_json::from_str(&Problem::unknown_parameter("indicatr").body(None)).unwrap();
        assert_eq!(body["error"]["status"], 400);
        assert_eq!(body["error"]["code"], "unknown_parameter");
        assert_eq!(body["error"]["parameter"], "indicatr");
        let body: serde_json::Value =
            serde_json::from_str(&Problem::token(&Refusal::Expired).body(None)).unwrap();
        assert_eq!(
            (body["error"]["status"].as_u64(), body["error"]["code"].as_str()),
            (Some(401), Some("token_expired"))
        );
        assert!(body["error"].get("parameter").is_none());
    }

    #[test]
    fn what_a_client_sent_is_echoed_short() {
        let long = "x".repeat(500);
        assert_eq!(Problem::unknown_parameter(&long).parameter.map(|p| p.len()), Some(ECHO));
    }
}
