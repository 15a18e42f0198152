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

/// A value a staff form refused: the field, and the message in the person's language.
#[derive(Serialize)]
pub struct FormError {
    pub field: &'static str,
    pub message: String,
}

impl FormError {
    /// The message `key` of `messages.toml`, `{value}` filled in.
    pub fn new(
        templates: &Templates,
        lang: Lang,
        field: &'static str,
        key: &str,
        value: &str,
    ) -> Self {
        FormError { field, message: templates.word(key, lang).replace("{value}", value) }
    }
}

/// A refused account, as the form shows it; `None` for a failure of ours.
fn account_error(
    e: &staff::StaffError,
    email: &str,
    templates: &Templates,
    lang: Lang,
) -> Option<FormError> {
    use staff::StaffError as E;
    let (field, key, value) = match e {
        E::Email(v) => ("email", "err_email", v.as_str()),
        E::Area(v) => ("area", "err_area", v.as_str()),
        E::Group(v) => ("group", "err_group", v.as_str()),
        E::Scope => ("area", "err_scope", ""),
        E::Store(store::StoreError::Conflict(_)) => ("email", "err_account_exists", email.trim()),
        _ => return None,
    };
    Some(FormError::new(templates, lang, field, key, value))
}

/// What was typed in the new-account form, shown again with its errors.
#[derive(Serialize, Default)]
struct UserForm {
    email: String,
    role: String,
    area: String,
    group: String,
}

/// What the accounts page shows besides the accounts.
#[derive(Default, Serialize)]
struct UsersOutcome {
    /// The account created or changed.
    message: Option<String>,
    created: bool,
    error: Option<String>,
    errors: Vec<FormError>,
    typed: UserForm,
    /// A password generated for someone, shown once.
    password: Option<String>,
}

#[derive(Serialize)]
struct UsersPage {
    staff: StaffView,
    users: Vec<User>,
    roles: Vec<&'static str>,
    #[serde(flatten)]
    outcome: UsersOutcome,
}

async fn users_page(
    admin: &Administrator,
    app: &App,
    templates: &Templates,
    lang: Lang,
    outcome: UsersOutcome,
) -> Result<(Status, RawHtml<String>), WebError> {
    let users = app.store.call(|s| s.read(store::users)).await?;
    let refused = outcome.error.is_some() || !outcome.errors.is_empty();
    let status = if refused { Status::UnprocessableEntity } else { Status::Ok };
    let page = UsersPage {
        staff: admin.0.view(),
        users,
        roles: StaffRole::ALL.iter().map(|r| r.as_str()).collect(),
        outcome,
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
    users_page(&admin, app, templates, lang, UsersOutcome::default()).await
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
    let typed = UserForm {
        email: field(&form, "email").to_string(),
        role: role.as_str().to_string(),
        area: field(&form, "area").to_string(),
        group: field(&form, "group").to_string(),
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
        Ok((email, password)) => {
            UsersOutcome { message: Some(email), created: true, password, ..Default::default() }
        }
        Err(e) => match account_error(&e, &typed.email, templates, lang) {
            Some(error) => UsersOutcome { errors: vec![error], typed, ..Default::default() },
            None => return Err(WebError::Internal(e.to_string())),
        },
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
        let error = Some(templates.word("cannot_disable_self", lang).to_string());
        let outcome = UsersOutcome { error, ..Default::default() };
        return Ok(Err(users_page(&admin, app, templates, lang, outcome).await?));
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
    let outcome = UsersOutcome { message: Some(email), password, ..Default::default() };
    users_page(&admin, app, templates, lang, outcome).await
}

/// What was typed in the new-wave form, shown again with its errors.
#[derive(Serialize)]
struct WaveForm {
    id: String,
    title_vi: String,
    title_en: String,
    opens_on: String,
    closes_on: String,
    questionnaires: Vec<String>,
}

impl WaveForm {
    fn read(form: &FormFields) -> WaveForm {
        WaveForm {
            id: field(form, "id").trim().to_string(),
            title_vi: field(form, "title_vi").trim().to_string(),
            title_en: field(form, "title_en").trim().to_string(),
            opens_on: field(form, "opens_on").trim().to_string(),
            closes_on: field(form, "closes_on").trim().to_string(),
            questionnaires: fields(form, "questionnaire").map(str::to_string).collect(),
        }
    }

    /// The wave to create, or every problem of the form.
    fn checked(
        &self,
        app: &App,
        templates: &Templates,
        lang: Lang,
    ) -> Result<NewWave, Vec<FormError>> {
        let error = |field, key, value: &str| FormError::new(templates, lang, field, key, value);
        let mut errors = Vec::new();
        let questionnaires: Vec<(String, u32)> = self
            .questionnaires
            .iter()
            .filter_map(|q| app.catalog.current(q).map(|s| (s.id.clone(), s.version)))
            .collect();
        let valid_id = !self.id.is_empty()
            && self.id.len() <= 32
            && self.id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid_id {
            errors.push(error("id", "err_wave_id", &self.id));
        }
        let date = |field: &'static str, text: &str| {
            crate::kernel::format::parse_iso_date(text)
                .ok_or_else(|| error(field, "err_date_format", text))
        };
        match (date("opens_on", &self.opens_on), date("closes_on", &self.closes_on)) {
            (Ok(open), Ok(close)) if close < open => {
                errors.push(error("closes_on", "err_wave_dates_order", ""));
            }
            (opens, closes) => errors.extend([opens.err(), closes.err()].into_iter().flatten()),
        }
        if questionnaires.is_empty() {
            errors.push(error("questionnaire", "err_wave_questionnaires", ""));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let title = if self.title_vi.is_empty() || self.title_en.is_empty() {
            crate::app::default_wave_title(&self.id)
        } else {
            Text::new(self.title_vi.clone(), self.title_en.clone())
        };
        Ok(NewWave {
            id: self.id.clone(),
            title,
            opens_on: self.opens_on.clone(),
            closes_on: self.closes_on.clone(),
            questionnaires,
        })
    }
}

#[derive(Serialize)]
struct WavesPage {
    staff: StaffView,
    waves: Vec<Wave>,
    questionnaires: Vec<(String, u32, String)>,
    errors: Vec<FormError>,
    typed: Option<WaveForm>,
}

async fn waves_page(
    admin: &Administrator,
    app: &App,
    templates: &Templates,
    lang: Lang,
    refused: Option<(WaveForm, Vec<FormError>)>,
) -> Result<(Status, RawHtml<String>), WebError> {
    let waves = app.store.call(|s| s.read(store::waves)).await?;
    let questionnaires = app
        .catalog
        .current_all()
        .iter()
        .map(|s| (s.id.clone(), s.version, s.title.get(lang).to_string()))
        .collect();
    let status = if refused.is_some() { Status::UnprocessableEntity } else { Status::Ok };
    let (typed, errors) = refused.map_or((None, vec![]), |(typed, errors)| (Some(typed), errors));
    let page = WavesPage { staff: admin.0.view(), waves, questionnaires, errors, typed };
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
    let typed = WaveForm::read(&form);
    let wave = match typed.checked(app, templates, lang) {
        Ok(wave) => wave,
        Err(errors) => {
            return waves_page(&admin, app, templates, lang, Some((typed, errors))).await;
        }
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
        Err(store::StoreError::Conflict(_)) => {
            let errors = vec![FormError::new(templates, lang, "id", "err_wave_exists", &typed.id)];
            waves_page(&admin, app, templates, lang, Some((typed, errors))).await
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
