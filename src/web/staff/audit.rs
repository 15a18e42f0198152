//! The audit log, for administrators, filterable by who, what and when.

use rocket::response::content::RawHtml;
use rocket::{Route, State, get, routes};
use serde::Serialize;

use super::{Administrator, StaffView};
use crate::app::App;
use crate::store::{self, AuditEntry, AuditFilter};
use crate::survey::Lang;
use crate::web::{Templates, WebError};

pub fn routes() -> Vec<Route> {
    routes![log]
}

#[derive(Serialize)]
struct AuditPage {
    staff: StaffView,
    entries: Vec<AuditEntry>,
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
    app: &State<App>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<RawHtml<String>, WebError> {
    let given = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    let filter = AuditFilter {
        actor: given(query.actor),
        action: given(query.action),
        from: given(query.from),
        to: given(query.to),
        limit: 500,
    };
    let page_filter = filter.clone();
    let (entries, actions) = app
        .store
        .call(move |s| {
            s.read(|c| Ok((store::audit_entries(c, &page_filter)?, store::audit_actions(c)?)))
        })
        .await?;
    let page = AuditPage {
        staff: admin.0.view(),
        entries,
        actions,
        actor: filter.actor.unwrap_or_default(),
        action: filter.action.unwrap_or_default(),
        from: filter.from.unwrap_or_default(),
        to: filter.to.unwrap_or_default(),
    };
    Ok(RawHtml(templates.render("audit.html", lang, &page)?))
}
