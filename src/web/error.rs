//! The web layer's error: logs its cause for the operator and shows the person a clear page
//! in their language, never an internal message or a stack trace.

use rocket::http::{ContentType, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};

use crate::store::StoreError;

/// A request that could not be served.
#[derive(Debug)]
pub enum WebError {
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
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let WebError::Internal(cause) = self;
        rocket::error!("request failed: {cause}");
        let body = "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>Lỗi / Error</title>\
            <h1>Đã có lỗi xảy ra / Something went wrong</h1>\
            <p>Dữ liệu của bạn không bị thay đổi. Vui lòng thử lại sau ít phút.</p>\
            <p>Nothing you saved was changed. Please try again in a few minutes.</p></html>";
        Response::build()
            .status(Status::ServiceUnavailable)
            .header(ContentType::HTML)
            .sized_body(body.len(), std::io::Cursor::new(body))
            .ok()
    }
}
