//! Personal API tokens (`service::tokens`): every staff member makes and revokes their own on
//! `/staff/tokens` (in their menu); an administrator also those of any account
//! (`?user=ID`). A new token is shown once, on the page that answers its creation.

use rocket::http::{Header, Status};
use rocket::response::Redirect;
use rocket::response::content::RawHtml;
use rocket::{Responder, Route, get, post, routes};
use serde::Serialize;

use super::admin::FormError;
use super::{Staff, StaffView};
use crate::auth::{Lifetime, StaffRole, TokenName};
use crate::service::tokens::{self, Account, Manager, TokenError, TokenInfo};
use crate::web::form::FormFields;
use crate::web::{Page, WebError, blocking};

pub fn routes() -> Vec<Route> {
    routes![show, create, revoke]
}

/// The tokens page; never kept by a cache (it may hold a new token).
#[derive(Responder)]
struct TokensReply {
    page: (Status, RawHtml<String>),
    cache: Header<'static>,
}

/// An account in the administrator's choice.
#[derive(Serialize)]
struct AccountLink {
    id: i64,
    email: String,
}

/// What was typed in the form, shown again with its errors.
#[derive(Serialize, Default)]
struct Typed {
    name: String,
    days: String,
}

#[derive(Serialize, Default)]
struct Outcome {
    /// A token just made: shown this once.
    created: Option<String>,
    errors: Vec<FormError>,
    typed: Typed,
}

#[derive(Serialize)]
struct TokensPage {
    staff: StaffView,
    owner: AccountLink,
    /// The person's own tokens (else an administrator's view of another account).
    own: bool,
    tokens: Vec<TokenInfo>,
    /// Every account, for an administrator.
    accounts: Vec<AccountLink>,
    default_days: u32,
    max_days: u32,
    #[serde(flatten)]
    outcome: Outcome,
}

fn manager(staff: &Staff) -> Manager {
    Manager::Person { user_id: staff.user_id, role: staff.role }
}

/// The account whose tokens are shown: the person's own, or for an administrator the one
/// `user` names (404 when none); 403 for anyone else naming another.
async fn owner(staff: &Staff, page: &Page<'_>, user: Option<i64>) -> Result<Account, WebError> {
    let id = user.unwrap_or(staff.user_id);
    if id != staff.user_id && staff.role != StaffRole::Administrator {
        return Err(WebError::Status(Status::Forbidden));
    }
    let app = page.app.clone();
    blocking(move || tokens::account_by_id(&app, id))
        .await?
        .map_err(|e| WebError::Internal(e.to_string()))?
        .ok_or(WebError::Status(Status::NotFound))
}

async fn render(
    staff: &Staff,
    page: &Page<'_>,
    owner: Account,
    outcome: Outcome,
) -> Result<TokensReply, WebError> {
    let (app, who, admin) =
        (page.app.clone(), manager(staff), staff.role == StaffRole::Administrator);
    let listed = owner.clone();
    let (tokens, accounts) = blocking(move || {
        let tokens = tokens::list(&app, who, &listed)?;
        let accounts = if admin { tokens::accounts(&app)? } else { Vec::new() };
        Ok::<_, TokenError>((tokens, accounts))
    })
    .await?
    .map_err(|e| WebError::Internal(e.to_string()))?;
    let status = if outcome.errors.is_empty() { Status::Ok } else { Status::UnprocessableEntity };
    let context = TokensPage {
        staff: staff.view(),
        own: owner.id == staff.user_id,
        owner: AccountLink { id: owner.id, email: owner.email },
        tokens,
        accounts: accounts.into_iter().map(|a| AccountLink { id: a.id, email: a.email }).collect(),
        default_days: Lifetime::DEFAULT_DAYS,
        max_days: Lifetime::MAX_DAYS,
        outcome,
    };
    Ok(TokensReply {
        page: (status, page.html("staff/tokens.html", &context)?),
        cache: Header::new("Cache-Control", "no-store"),
    })
}

#[get("/staff/tokens?<user>")]
async fn show(staff: Staff, user: Option<i64>, page: Page<'_>) -> Result<TokensReply, WebError> {
    let owner = owner(&staff, &page, user).await?;
    render(&staff, &page, owner, Outcome::default()).await
}

#[post("/staff/tokens?<user>", data = "<form>")]
async fn create(
    staff: Staff,
    user: Option<i64>,
    form: FormFields,
    page: Page<'_>,
) -> Result<TokensReply, WebError> {
    if !staff.sent(&form) {
        return Err(WebError::Status(Status::Forbidden));
    }
    let owner = owner(&staff, &page, user).await?;
    let typed = Typed { name: form.get("name").to_string(), days: form.get("days").to_string() };
    let mut errors = Vec::new();
    let name = TokenName::parse(&typed.name);
    if name.is_none() {
        errors.push(FormError::new(&page, "name", "err_token_name", ""));
    }
    let lifetime = Lifetime::parse(&typed.days);
    if lifetime.is_none() {
        errors.push(FormError::new(&page, "days", "err_token_days", ""));
    }
    let (Some(name), Some(lifetime)) = (name, lifetime) else {
        return render(&staff, &page, owner, Outcome { errors, typed, ..Outcome::default() }).await;
    };
    let (app, actor, who, target) =
        (page.app.clone(), staff.actor(&page.address), manager(&staff), owner.clone());
    let made =
        blocking(move || tokens::create(&app, who, &actor, &target, &name, lifetime)).await?;
    let outcome = match made {
        Ok(created) => Outcome { created: Some(created.token.reveal()), ..Outcome::default() },
        Err(refused @ (TokenError::TooMany | TokenError::Disabled(_))) => {
            let key = match refused {
                TokenError::TooMany => "err_token_too_many",
                _ => "err_token_disabled",
            };
            Outcome {
                errors: vec![FormError::new(&page, "name", key, "")],
                typed,
                ..Outcome::default()
            }
        }
        Err(TokenError::NotYours) => return Err(WebError::Status(Status::Forbidden)),
        Err(e) => return Err(WebError::Internal(e.to_string())),
    };
    render(&staff, &page, owner, outcome).await
}

/// Revokes a token of the person's own, or of any account for an administrator; another's
/// token is answered as one that does not exist.
#[post("/staff/tokens/<id>/revoke?<user>", data = "<form>")]
async fn revoke(
    staff: Staff,
    id: i64,
    user: Option<i64>,
    form: FormFields,
    page: Page<'_>,
) -> Result<Redirect, WebError> {
    if !staff.sent(&form) {
        return Err(WebError::Status(Status::Forbidden));
    }
    let (app, actor, who) = (page.app.clone(), staff.actor(&page.address), manager(&staff));
    let revoked = blocking(move || tokens::revoke(&app, who, &actor, id)).await?;
    match revoked {
        Ok(_) => {}
        Err(TokenError::NoSuchToken(_)) => return Err(WebError::Status(Status::NotFound)),
        Err(e) => return Err(WebError::Internal(e.to_string())),
    }
    Ok(Redirect::to(match user {
        Some(user) if user != staff.user_id => format!("/staff/tokens?user={user}"),
        _ => "/staff/tokens".to_string(),
    }))
}
