//! Pages for staff: sign-in, the areas they may see, and administration.

mod admin;
mod areas;
mod audit;
mod fieldwork;
mod frame;
mod login;
pub mod session;
mod tokens;

use rocket::State;
use rocket::response::content::RawHtml;
use rocket::{Route, get, routes};
use serde::Serialize;

use crate::app::App;
use crate::auth::Access;
use crate::survey::Lang;
pub use crate::web::ClientAddress;
use crate::web::{Templates, WebError};
pub use session::{Administrator, CityViewer, Staff, StaffView};

pub fn routes() -> Vec<Route> {
    let mut all = routes![login::show, login::submit, login::logout, home];
    all.extend(areas::routes());
    all.extend(fieldwork::routes());
    all.extend(admin::routes());
    all.extend(audit::routes());
    all.extend(frame::routes());
    all.extend(tokens::routes());
    all
}

#[derive(Serialize)]
struct HomePage {
    staff: StaffView,
    city: bool,
    areas: Vec<AreaLink>,
    /// Groups of wards (former districts) every ward of which the person may see: their
    /// reports are theirs to download.
    groups: Vec<AreaLink>,
}

#[derive(Serialize)]
struct AreaLink {
    code: String,
    name: String,
}

/// The staff member's start page: what they may open.
#[get("/staff")]
fn home(
    staff: Staff,
    app: &State<App>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<RawHtml<String>, WebError> {
    let areas = match &staff.access {
        Access::City => vec![],
        Access::Areas(codes) => codes
            .iter()
            .filter_map(|c| app.reference.area(c))
            .map(|a| AreaLink { code: a.code.to_string(), name: a.name.get(lang).to_string() })
            .collect(),
    };
    let groups = match &staff.access {
        Access::City => vec![],
        Access::Areas(_) => visible_groups(app, &staff, lang)
            .into_iter()
            .map(|(code, name)| AreaLink { code, name })
            .collect(),
    };
    let page = HomePage { city: staff.access == Access::City, staff: staff.view(), areas, groups };
    Ok(RawHtml(templates.render("staff/home.html", lang, &page)?))
}

/// Groups of areas (former districts) every ward of which the person may see: code and name.
fn visible_groups(app: &App, staff: &Staff, lang: Lang) -> Vec<(String, String)> {
    app.reference
        .groups
        .iter()
        .filter(|g| g.areas.iter().all(|a| staff.access.covers(a)))
        .map(|g| (g.code.clone(), g.name.get(lang).to_string()))
        .collect()
}
