//! The audit log, for administrators, filterable by who, what and when.

use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::{Route, get, routes};
use serde::Serialize;

use super::admin::FormError;
use super::{Administrator, StaffView};
use crate::kernel::format::parse_iso_date;
use crate::service::audit;
use crate::store::{AuditEntry, AuditFilter};
use crate::web::{Page, WebError, blocking};

pub fn routes() -> Vec<Route> {
    routes![log]
}

#[derive(Serialize)]
struct AuditPage {
    staff: StaffView,
    entries: Vec<AuditEntry>,
    /// More entries match than are shown.
    capped: bool,
    shown: u32,
    errors: Vec<FormError>,
    actions: Vec<String>,
    actor: String,
    action: String,
    from: String,
    to: String,
}

/// The filter as the form sends it.
#[derive(rocket::FromForm)]
struct Query<'r> {
    actor: Option<&'r str>,
    action: Option<&'r str>,
    from: Option<&'r str>,
    to: Option<&'r str>,
}

#[get("/admin/audit?<query..>")]
async fn log(
    admin: Administrator,
    query: Query<'_>,
    page: Page<'_>,
) -> Result<(Status, RawHtml<String>), WebError> {
    let mut errors = Vec::new();
    let from = date(&page, "from", query.from, &mut errors);
    let to = date(&page, "to", query.to, &mut errors);
    let filter =
        AuditFilter { actor: given(query.actor), action: given(query.action), from, to, limit: 0 };
    let (app, asked) = (page.app.clone(), filter.clone());
    let found = blocking(move || audit::entries(&app, &asked)).await??;
    let status = if errors.is_empty() { Status::Ok } else { Status::UnprocessableEntity };
    let context = AuditPage {
        staff: admin.0.view(),
        entries: found.entries,
        capped: found.capped,
        shown: audit::SHOWN,
        errors,
        actions: found.actions,
        actor: filter.actor.unwrap_or_default(),
        action: filter.action.unwrap_or_default(),
        from: given(query.from).unwrap_or_default(),
        to: given(query.to).unwrap_or_default(),
    };
    Ok((status, page.html("admin/audit.html", &context)?))
}

/// A value given in a filter field, trimmed; `None` when empty.
fn given(value: Option<&str>) -> Option<String> {
    value.map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
}

/// The date of filter field `field`. A date that is not one is said beside its field, and
/// filters nothing.
fn date(
    page: &Page<'_>,
    field: &'static str,
    value: Option<&str>,
    errors: &mut Vec<FormError>,
) -> Option<String> {
    let value = given(value)?;
    if parse_iso_date(&value).is_some() {
        return Some(value);
    }
    errors.push(FormError::new(page, field, "err_date_format", &value));
    None
}
