//! The web layer's error: a status shown by the catchers as a clear page in the person's
//! language, or an internal failure whose cause is logged and never shown.
//!
//! # The error policy
//! - **Core and store** return narrow error types (`LoadError`, `StoreError`, `StaffError`,
//!   `RespondError`...) that say what is wrong in the terms of their module; they never format
//!   for a person.
//! - **Start-up and commands** add the file, line and item, print one line in English (the
//!   operator's language) and exit non-zero; nothing is half-done.
//! - **Web pages** never show a cause. What a person can correct is a message *key* of
//!   `templates/messages.toml`, rendered in their language beside the field it concerns, with
//!   everything they typed kept (`FormError` on staff forms, `AnswerProblem` on questionnaires).
//!   A refusal with its own explanation (a closed wave, an organisation that already answered)
//!   has its own page. Anything else is a status page from the catchers, in the person's
//!   language, with the menu of a signed-in person.
//! - **Our failures** (storage, a template, stored data that does not fit) are logged with
//!   their cause and answered 503 with `Retry-After`: what was just sent was not stored, and
//!   everything stored before is intact. A panic or a 500 is a bug.

use rocket::http::Status;
use rocket::request::Request;
use rocket::response::{self, Responder};

use crate::figures::FiguresError;
use crate::report::area::ReportError;
use crate::service::publish::PublishError;
use crate::store::StoreError;

/// A request that could not be served.
#[derive(Debug)]
pub enum WebError {
    /// The request cannot be served as asked (unknown link, foreign form...).
    Status(Status),
    /// Something on our side failed; the detail is logged, not shown.
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        WebError::Internal(e.to_string())
    }
}

/// A wave or questionnaire that does not exist is a wrong link: 404.
impl From<FiguresError> for WebError {
    fn from(e: FiguresError) -> Self {
        match e {
            FiguresError::NoWave(_) | FiguresError::NoSurvey(..) => {
                WebError::Status(Status::NotFound)
            }
            FiguresError::Store(e) => e.into(),
        }
    }
}

impl From<ReportError> for WebError {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::NoWave(_)
            | ReportError::NoSurvey(_)
            | ReportError::NoArea(_)
            | ReportError::NoResponse(_) => WebError::Status(Status::NotFound),
            ReportError::Figures(e) => e.into(),
            ReportError::Store(e) => e.into(),
        }
    }
}

impl From<PublishError> for WebError {
    fn from(e: PublishError) -> Self {
        match e {
            PublishError::Figures(e) => e.into(),
            PublishError::Report(e) => e.into(),
            PublishError::Store(e) => e.into(),
            PublishError::NoSuchFile(_) => WebError::Status(Status::NotFound),
            PublishError::Write(cause) => WebError::Internal(cause),
        }
    }
}

impl From<minijinja::Error> for WebError {
    fn from(e: minijinja::Error) -> Self {
        WebError::Internal(format!("template: {e:#}"))
    }
}

impl<'r> Responder<'r, 'static> for WebError {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        match self {
            WebError::Status(status) => Err(status),
            WebError::Internal(cause) => {
                tracing::error!("request failed: {cause}");
                // 503: our fault, possibly passing; the catcher says nothing was changed.
                Status::ServiceUnavailable.respond_to(request)
            }
        }
    }
}
