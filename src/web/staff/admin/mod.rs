//! Administration: accounts and waves. Every change is checked for its CSRF token; the use
//! cases write it to the audit log with the change.

mod cases;
mod fieldwork;
mod users;
mod waves;

use rocket::Route;
use rocket::http::Status;
use serde::Serialize;

use super::Administrator;
use crate::web::form::FormFields;
use crate::web::{Page, WebError};

pub fn routes() -> Vec<Route> {
    let mut all = users::routes();
    all.extend(waves::routes());
    all.extend(fieldwork::routes());
    all.extend(cases::routes());
    all
}

/// Every non-empty value of field `name`, trimmed.
fn fields<'a>(form: &'a FormFields, name: &'a str) -> impl Iterator<Item = &'a str> {
    form.0.iter().filter(move |(n, _)| n == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
}

fn checked(admin: &Administrator, form: &FormFields) -> Result<(), WebError> {
    if admin.0.sent(form) { Ok(()) } else { Err(WebError::Status(Status::Forbidden)) }
}

/// A value a staff form refused: the field, and the message in the person's language.
#[derive(Serialize)]
pub struct FormError {
    pub field: &'static str,
    pub message: String,
}

impl FormError {
    /// The message `key` of `messages.toml`, `{value}` filled in.
    pub fn new(page: &Page<'_>, field: &'static str, key: &str, value: &str) -> Self {
        FormError { field, message: page.word(key).replace("{value}", value) }
    }
}
