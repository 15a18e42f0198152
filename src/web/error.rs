//! The web layer's error: a status shown by the catchers as a clear page in the person's
//! language, or an internal failure whose cause is logged and never shown.

use rocket::http::Status;
use rocket::request::Request;
use rocket::response::{self, Responder};

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
                rocket::error!("request failed: {cause}");
                // 503: our fault, possibly passing; the catcher says nothing was changed.
                Status::ServiceUnavailable.respond_to(request)
            }
        }
    }
}
