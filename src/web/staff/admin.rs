//! Administration: accounts and waves. Every change is checked for its CSRF token and written
//! to the audit log with the change.

use rocket::http::Status;
use rocket::response::Redirect;
use rocket::response::content::RawHtml;
use rocket::{Route, State, get, post, routes};
use serde::Serialize;

use super::{Administrator, ClientAddress, StaffView};
use crate::app::App;
use crate::auth::StaffRole;
use crate::staff::{self, Actor, NewUser};
use crate::store::{self, NewWave, User, Wave, WaveStatus};
use crate::survey::{Lang, Text};
use crate::web::form::FormFields;
use crate::web::{Templates, WebError};

pub fn routes() -> Vec<Route> {
    routes![
        users,
        add_user,
        disable_user,
        enable_user,
        reset_password,
        waves,
        create_wave,
        close_wave,
        open_wave
    ]
}

fn field<'a>(form: &'a FormFields, name: &str) -> &'a str {
    form.0.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
}

fn fields<'a>(form: &'a FormFields, name: &'a str) -> impl Iterator<Item = &'a str> {
    form.0.iter().filter(move |(n, _)| n == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
}

fn checked(admin: &Administrator, form: &FormFields) -> Result<(), WebError> {
    if admin.0.sent(form) { Ok(()) } else { Err(WebError::Status(Status::Forbidden)) }
}

#[derive(Serialize)]
struct UsersPage {
    staff: StaffView,
    users: Vec<User>,
    roles: Vec<&'static str>,
    message: Option<String>,
    error: Option<String>,
    /// A password generated for someone, shown once.
    password: Option<String>,
}

async fn users_page(
    admin: &Administrator,
    app: &App,
    templates: &Templates,
    lang: Lang,
    outcome: (Option<String>, Option<String>, Option<String>),
) -> Result<(Status, RawHtml<String>), WebError> {
    let users = app.store.call(|s| s.read(store::users)).await?;
    let (message, error, password) = outcome;
    let status = if error.is_some() { Status::UnprocessableEntity } else { Status::Ok };
    let page = UsersPage {
        staff: admin.0.view(),
        users,
        roles: StaffRole::ALL.iter().map(|r| r.as_str()).collect(),
        message,
        error,
        password,
    };
    Ok((status, RawHtml(templates.render("admin_users.html", lang, &page)?)))
}

#[get("/admin/users")]
async fn users(
    admin: Administrator,
    app: &State<App>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<(Status, RawHtml<String>), WebError> {
    users_page(&admin, app, templates, lang, (None, None, None)).await
}

#[post("/admin/users", data = "<form>")]
async fn add_user(
    admin: Administrator,
    form: FormFields,
    address: ClientAddress,
    app: &State<App>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<(Status, RawHtml<String>), WebError> {
    checked(&admin, &form)?;
    let Some(role) = StaffRole::parse(field(&form, "role")) else {
        return Err(WebError::Status(Status::BadRequest));
    };
    let user = NewUser {
        email: field(&form, "email").to_string(),
        role,
        areas: fields(&form, "area")
            .flat_map(|v| v.split([' ', ',']))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect(),
        groups: fields(&form, "group")
            .flat_map(|v| v.split([' ', ',']))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect(),
        password: None,
    };
    let (app_ref, actor_name, from) = (app.inner().clone(), admin.0.email.clone(), address.0);
    let result = rocket::tokio::task::spawn_blocking(move || {
        staff::add_user(&app_ref, &user, Actor { name: &actor_name, address: Some(&from) })
            .map(|(_, p)| (user.email, p))
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))?;
    let outcome = match result {
        Ok((email, password)) => (Some(email), None, password),
        Err(e) => (None, Some(e.to_string()), None),
    };
    users_page(&admin, app, templates, lang, outcome).await
}

async fn email_of(app: &App, id: i64) -> Result<String, WebError> {
    let users = app.store.call(|s| s.read(store::users)).await?;
    users
        .into_iter()
        .find(|u| u.id == id)
        .map(|u| u.email)
        .ok_or(WebError::Status(Status::NotFound))
}

async fn set_disabled(
    admin: Administrator,
    id: i64,
    disabled: bool,
    form: FormFields,
    address: ClientAddress,
    app: &App,
) -> Result<Redirect, WebError> {
    checked(&admin, &form)?;
    let email = email_of(app, id).await?;
    let (app_ref, actor) = (app.clone(), admin.0.email.clone());
    rocket::tokio::task::spawn_blocking(move || {
        staff::set_disabled(
            &app_ref,
            &email,
            disabled,
            Actor { name: &actor, address: Some(&address.0) },
        )
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))?
    .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(Redirect::to("/admin/users"))
}

/// Disables an account; an administrator cannot disable their own (and lock everyone out).
#[post("/admin/users/<id>/disable", data = "<form>")]
async fn disable_user(
    admin: Administrator,
    id: i64,
    form: FormFields,
    address: ClientAddress,
    app: &State<App>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<Result<Redirect, (Status, RawHtml<String>)>, WebError> {
    if id == admin.0.user_id {
        checked(&admin, &form)?;
        let error = templates.word("cannot_disable_self", lang).to_string();
        return Ok(Err(users_page(&admin, app, templates, lang, (None, Some(error), None)).await?));
    }
    Ok(Ok(set_disabled(admin, id, true, form, address, app).await?))
}

#[post("/admin/users/<id>/enable", data = "<form>")]
async fn enable_user(
    admin: Administrator,
    id: i64,
    form: FormFields,
    address: ClientAddress,
    app: &State<App>,
) -> Result<Redirect, WebError> {
    set_disabled(admin, id, false, form, address, app).await
}

/// Generates a new password for an account, shown once; its sessions end.
#[post("/admin/users/<id>/password", data = "<form>")]
async fn reset_password(
    admin: Administrator,
    id: i64,
    form: FormFields,
    address: ClientAddress,
    app: &State<App>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<(Status, RawHtml<String>), WebError> {
    checked(&admin, &form)?;
    let email = email_of(app, id).await?;
    let (app_ref, actor, target) = (app.inner().clone(), admin.0.email.clone(), email.clone());
    let password = rocket::tokio::task::spawn_blocking(move || {
        staff::set_password(
            &app_ref,
            &target,
            None,
            Actor { name: &actor, address: Some(&address.0) },
        )
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))?
    .map_err(|e| WebError::Internal(e.to_string()))?;
    users_page(&admin, app, templates, lang, (Some(email), None, password)).await
}

#[derive(Serialize)]
struct WavesPage {
    staff: StaffView,
    waves: Vec<Wave>,
    questionnaires: Vec<(String, u32, String)>,
    error: Option<String>,
}

async fn waves_page(
    admin: &Administrator,
    app: &App,
    templates: &Templates,
    lang: Lang,
    error: Option<String>,
) -> Result<(Status, RawHtml<String>), WebError> {
    let waves = app.store.call(|s| s.read(store::waves)).await?;
    let questionnaires = app
        .catalog
        .current_all()
        .iter()
        .map(|s| (s.id.clone(), s.version, s.title.get(lang).to_string()))
        .collect();
    let status = if error.is_some() { Status::UnprocessableEntity } else { Status::Ok };
    let page = WavesPage { staff: admin.0.view(), waves, questionnaires, error };
    Ok((status, RawHtml(templates.render("admin_waves.html", lang, &page)?)))
}

#[get("/admin/waves")]
async fn waves(
    admin: Administrator,
    app: &State<App>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<(Status, RawHtml<String>), WebError> {
    waves_page(&admin, app, templates, lang, None).await
}

/// Opens a new wave with the chosen questionnaires at their current versions.
#[post("/admin/waves", data = "<form>")]
async fn create_wave(
    admin: Administrator,
    form: FormFields,
    address: ClientAddress,
    app: &State<App>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<(Status, RawHtml<String>), WebError> {
    checked(&admin, &form)?;
    let id = field(&form, "id").trim().to_string();
    let questionnaires: Vec<(String, u32)> = fields(&form, "questionnaire")
        .filter_map(|q| app.catalog.current(q).map(|s| (s.id.clone(), s.version)))
        .collect();
    let date = |name: &str| {
        time::Date::parse(
            field(&form, name),
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok()
    };
    let error = match (date("opens_on"), date("closes_on")) {
        _ if questionnaires.is_empty() => Some("choose at least one questionnaire"),
        (Some(open), Some(close)) if open <= close => None,
        (Some(_), Some(_)) => Some("the closing date is before the opening date"),
        _ => Some("dates are written YYYY-MM-DD"),
    };
    if let Some(error) = error {
        return waves_page(&admin, app, templates, lang, Some(error.into())).await;
    }
    let title = Text::new(field(&form, "title_vi").trim(), field(&form, "title_en").trim());
    let title = if title.vi.is_empty() || title.en.is_empty() {
        Text::new(format!("Đợt khảo sát {id}"), format!("Survey wave {id}"))
    } else {
        title
    };
    let wave = NewWave {
        id: id.clone(),
        title,
        opens_on: field(&form, "opens_on").into(),
        closes_on: field(&form, "closes_on").into(),
        questionnaires,
    };
    let (actor, detail) =
        (admin.0.email.clone(), format!("{} to {}", wave.opens_on, wave.closes_on));
    let created = app
        .store
        .call(move |s| {
            s.write(|tx| {
                store::create_wave(tx, &wave)?;
                store::audit(
                    tx,
                    Some(&actor),
                    "wave.create",
                    Some(&wave.id),
                    Some(&detail),
                    Some(&address.0),
                )
            })
        })
        .await;
    match created {
        Ok(()) => waves_page(&admin, app, templates, lang, None).await,
        Err(e @ (store::StoreError::Conflict(_) | store::StoreError::Invalid(_))) => {
            waves_page(&admin, app, templates, lang, Some(e.to_string())).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn set_status(
    admin: Administrator,
    id: &str,
    status: WaveStatus,
    form: FormFields,
    address: ClientAddress,
    app: &App,
) -> Result<Redirect, WebError> {
    checked(&admin, &form)?;
    let (id, actor) = (id.to_string(), admin.0.email.clone());
    let action = if status == WaveStatus::Open { "wave.open" } else { "wave.close" };
    let found = app
        .store
        .call(move |s| {
            s.write(|tx| {
                let found = store::set_wave_status(tx, &id, status)?;
                if found {
                    store::audit(tx, Some(&actor), action, Some(&id), None, Some(&address.0))?;
                }
                Ok(found)
            })
        })
        .await?;
    if found { Ok(Redirect::to("/admin/waves")) } else { Err(WebError::Status(Status::NotFound)) }
}

#[post("/admin/waves/<id>/close", data = "<form>")]
async fn close_wave(
    admin: Administrator,
    id: &str,
    form: FormFields,
    address: ClientAddress,
    app: &State<App>,
) -> Result<Redirect, WebError> {
    set_status(admin, id, WaveStatus::Closed, form, address, app).await
}

#[post("/admin/waves/<id>/open", data = "<form>")]
async fn open_wave(
    admin: Administrator,
    id: &str,
    form: FormFields,
    address: ClientAddress,
    app: &State<App>,
) -> Result<Redirect, WebError> {
    set_status(admin, id, WaveStatus::Open, form, address, app).await
}
