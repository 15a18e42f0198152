//! Accounts (`service::accounts`): create, disable, enable, new password.

use rocket::http::Status;
use rocket::response::Redirect;
use rocket::response::content::RawHtml;
use rocket::{Route, get, post, routes};
use serde::Serialize;

use super::{FormError, checked, fields};
use crate::auth::StaffRole;
use crate::service::accounts::{self, NewUser, StaffError};
use crate::store::{StoreError, User};
use crate::web::form::FormFields;
use crate::web::staff::{Administrator, StaffView};
use crate::web::{Page, WebError, blocking};

pub fn routes() -> Vec<Route> {
    routes![users, add_user, disable_user, enable_user, reset_password]
}

/// A refused account, as the form shows it; `None` for a failure of ours.
fn account_error(e: &StaffError, email: &str, page: &Page<'_>) -> Option<FormError> {
    let (field, key, value) = match e {
        StaffError::Email(v) => ("email", "err_email", v.as_str()),
        StaffError::Area(v) => ("area", "err_area", v.as_str()),
        StaffError::Group(v) => ("group", "err_group", v.as_str()),
        StaffError::Scope => ("area", "err_scope", ""),
        StaffError::Store(StoreError::Conflict(_)) => ("email", "err_account_exists", email.trim()),
        _ => return None,
    };
    Some(FormError::new(page, field, key, value))
}

/// What was typed in the new-account form, shown again with its errors.
#[derive(Serialize, Default)]
struct UserForm {
    email: String,
    role: String,
    area: String,
    group: String,
}

impl UserForm {
    fn read(form: &FormFields) -> UserForm {
        UserForm {
            email: form.get("email").to_string(),
            role: form.get("role").to_string(),
            area: form.get("area").to_string(),
            group: form.get("group").to_string(),
        }
    }

    /// The account to create; `None` for a role no form of ours sends.
    fn new_user(form: &FormFields) -> Option<NewUser> {
        let codes = |name| {
            fields(form, name)
                .flat_map(|v| v.split([' ', ',']))
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .collect()
        };
        Some(NewUser {
            email: form.get("email").to_string(),
            role: StaffRole::parse(form.get("role"))?,
            areas: codes("area"),
            groups: codes("group"),
            password: None,
        })
    }
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

async fn render(
    admin: &Administrator,
    page: &Page<'_>,
    outcome: UsersOutcome,
) -> Result<(Status, RawHtml<String>), WebError> {
    let app = page.app.clone();
    let users = blocking(move || app.store.read(crate::store::users)).await??;
    let refused = outcome.error.is_some() || !outcome.errors.is_empty();
    let status = if refused { Status::UnprocessableEntity } else { Status::Ok };
    let roles = StaffRole::ALL.iter().map(|r| r.as_str()).collect();
    let context = UsersPage { staff: admin.0.view(), users, roles, outcome };
    Ok((status, page.html("admin/users.html", &context)?))
}

#[get("/admin/users")]
async fn users(
    admin: Administrator,
    page: Page<'_>,
) -> Result<(Status, RawHtml<String>), WebError> {
    render(&admin, &page, UsersOutcome::default()).await
}

#[post("/admin/users", data = "<form>")]
async fn add_user(
    admin: Administrator,
    form: FormFields,
    page: Page<'_>,
) -> Result<(Status, RawHtml<String>), WebError> {
    checked(&admin, &form)?;
    let user = UserForm::new_user(&form).ok_or(WebError::Status(Status::BadRequest))?;
    let (app, actor) = (page.app.clone(), admin.0.actor(&page.address));
    let email = user.email.clone();
    let outcome = match blocking(move || accounts::add_user(&app, &user, &actor)).await? {
        Ok((_, password)) => {
            UsersOutcome { message: Some(email), created: true, password, ..Default::default() }
        }
        Err(e) => {
            let error =
                account_error(&e, &email, &page).ok_or(WebError::Internal(e.to_string()))?;
            UsersOutcome { errors: vec![error], typed: UserForm::read(&form), ..Default::default() }
        }
    };
    render(&admin, &page, outcome).await
}

/// The e-mail of account `id`; 404 when there is none.
async fn email_of(page: &Page<'_>, id: i64) -> Result<String, WebError> {
    let app = page.app.clone();
    blocking(move || accounts::email_of(&app, id)).await??.ok_or(WebError::Status(Status::NotFound))
}

async fn set_disabled(
    admin: &Administrator,
    id: i64,
    disabled: bool,
    page: &Page<'_>,
) -> Result<Redirect, WebError> {
    let email = email_of(page, id).await?;
    let (app, actor) = (page.app.clone(), admin.0.actor(&page.address));
    blocking(move || accounts::set_disabled(&app, &email, disabled, &actor))
        .await?
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(Redirect::to("/admin/users"))
}

/// Disables an account; an administrator cannot disable their own (and lock everyone out).
#[post("/admin/users/<id>/disable", data = "<form>")]
async fn disable_user(
    admin: Administrator,
    id: i64,
    form: FormFields,
    page: Page<'_>,
) -> Result<Result<Redirect, (Status, RawHtml<String>)>, WebError> {
    checked(&admin, &form)?;
    if id == admin.0.user_id {
        let error = Some(page.word("cannot_disable_self"));
        return Ok(Err(render(&admin, &page, UsersOutcome { error, ..Default::default() }).await?));
    }
    Ok(Ok(set_disabled(&admin, id, true, &page).await?))
}

#[post("/admin/users/<id>/enable", data = "<form>")]
async fn enable_user(
    admin: Administrator,
    id: i64,
    form: FormFields,
    page: Page<'_>,
) -> Result<Redirect, WebError> {
    checked(&admin, &form)?;
    set_disabled(&admin, id, false, &page).await
}

/// Generates a new password for an account, shown once; its sessions end.
#[post("/admin/users/<id>/password", data = "<form>")]
async fn reset_password(
    admin: Administrator,
    id: i64,
    form: FormFields,
    page: Page<'_>,
) -> Result<(Status, RawHtml<String>), WebError> {
    checked(&admin, &form)?;
    let email = email_of(&page, id).await?;
    let (app, actor, target) = (page.app.clone(), admin.0.actor(&page.address), email.clone());
    let password = blocking(move || accounts::set_password(&app, &target, None, &actor))
        .await?
        .map_err(|e| WebError::Internal(e.to_string()))?;
    render(&admin, &page, UsersOutcome { message: Some(email), password, ..Default::default() })
        .await
}
