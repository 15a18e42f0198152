//! Personal API tokens: made, listed and revoked by their owner or an administrator (or on the
//! command line), and checked at every use. The rules, once:
//! - a token is shown once, when it is made; only the hash of its secret is stored;
//! - every token expires, after 1 to 365 days (90 unless asked otherwise), and an account has
//!   at most [`MAX_LIVE`] live tokens;
//! - a token gives what its owner's account gives *at each use*: their role and areas as they
//!   are now; a disabled account's tokens open nothing;
//! - revoking is immediate (the next use is refused);
//! - every use is written to the audit log (`api.token`, the token's id, never the token);
//!   refused uses of a known token (`api.token.refused`) at most once an hour per token, so that
//!   a forgotten script cannot grow the append-only log without bound.

use time::OffsetDateTime;

use super::Actor;
use crate::app::App;
use crate::auth::{Access, ApiToken, Lifetime, StaffRole, TokenName};
use crate::store::{self, ApiTokenRow, NewApiToken, StoreError};

/// The most live (neither expired nor revoked) tokens an account may hold.
pub const MAX_LIVE: i64 = 20;

/// Seconds between two audit entries of refused uses of one token.
const REFUSALS_AUDITED_EVERY: i64 = 3_600;

/// Who manages tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    /// Whoever runs a command on the server: every account.
    CommandLine,
    /// A signed-in person: their own account, or any account for an administrator.
    Person { user_id: i64, role: StaffRole },
}

impl Manager {
    fn may_manage(self, owner: i64) -> bool {
        match self {
            Manager::CommandLine => true,
            Manager::Person { user_id, role } => {
                user_id == owner || role == StaffRole::Administrator
            }
        }
    }
}

/// An account whose tokens are managed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub role: StaffRole,
    pub disabled: bool,
}

/// Why a token could not be made, listed or revoked.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("no account with e-mail {0}")]
    NoSuchAccount(String),
    #[error("no token {0}")]
    NoSuchToken(i64),
    #[error("only the account's owner or an administrator may manage its tokens")]
    NotYours,
    #[error("the account {0} is disabled")]
    Disabled(String),
    #[error("the account already has {MAX_LIVE} live tokens: revoke one first")]
    TooMany,
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("cannot generate a token: {0}")]
    Random(String),
}

/// A token just made: the token itself, shown once, and its entry.
#[derive(Debug)]
pub struct Created {
    pub token: ApiToken,
    pub info: TokenInfo,
}

/// A token as its owner and administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub created_by: String,
    pub expires_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    pub state: TokenState,
}

/// Whether a token opens anything now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenState {
    Active,
    Expired,
    Revoked,
}

impl TokenState {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenState::Active => "active",
            TokenState::Expired => "expired",
            TokenState::Revoked => "revoked",
        }
    }
}

impl TokenInfo {
    fn of(row: &ApiTokenRow, now: i64) -> TokenInfo {
        let state = if row.revoked_at.is_some() {
            TokenState::Revoked
        } else if row.expires_at <= now {
            TokenState::Expired
        } else {
            TokenState::Active
        };
        TokenInfo {
            id: row.id,
            name: row.name.clone(),
            created_at: moment(row.created_at),
            created_by: row.created_by.clone(),
            expires_at: moment(row.expires_at),
            last_used_at: row.last_used_at.map(moment),
            revoked_at: row.revoked_at.map(moment),
            state,
        }
    }
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

fn moment(at: i64) -> String {
    OffsetDateTime::from_unix_timestamp(at).map_or_else(|_| at.to_string(), crate::store::rfc3339)
}

/// The account with this e-mail (any case).
pub fn account(app: &App, email: &str) -> Result<Account, TokenError> {
    let email = email.trim().to_lowercase();
    app.store
        .read(store::users)?
        .into_iter()
        .find(|u| u.email == email)
        .map(|u| Account { id: u.id, email: u.email, role: u.role, disabled: u.disabled })
        .ok_or(TokenError::NoSuchAccount(email))
}

/// The account with this id.
pub fn account_by_id(app: &App, id: i64) -> Result<Option<Account>, TokenError> {
    Ok(app.store.read(store::users)?.into_iter().find(|u| u.id == id).map(|u| Account {
        id: u.id,
        email: u.email,
        role: u.role,
        disabled: u.disabled,
    }))
}

/// Every account, for an administrator's choice of whose tokens to manage.
pub fn accounts(app: &App) -> Result<Vec<Account>, TokenError> {
    Ok(app
        .store
        .read(store::users)?
        .into_iter()
        .map(|u| Account { id: u.id, email: u.email, role: u.role, disabled: u.disabled })
        .collect())
}

/// Makes a token for `owner`, audited.
pub fn create(
    app: &App,
    manager: Manager,
    actor: &Actor,
    owner: &Account,
    name: &TokenName,
    lifetime: Lifetime,
) -> Result<Created, TokenError> {
    if !manager.may_manage(owner.id) {
        return Err(TokenError::NotYours);
    }
    if owner.disabled {
        return Err(TokenError::Disabled(owner.email.clone()));
    }
    let token = ApiToken::generate().map_err(|e| TokenError::Random(e.to_string()))?;
    let at = now();
    let hash = token.hash();
    let new = NewApiToken {
        user_id: owner.id,
        name: name.as_str(),
        secret_hash: &hash,
        created_at: at,
        created_by: &actor.name,
        expires_at: at + lifetime.seconds(),
    };
    let row = app.store.write(|tx| {
        if store::live_api_tokens(tx, owner.id, at)? >= MAX_LIVE {
            return Ok(None);
        }
        let id = store::insert_api_token(tx, &new)?;
        let detail = format!(
            "token {id} \"{}\", {} days, until {}",
            name.as_str(),
            lifetime.in_days(),
            moment(new.expires_at)
        );
        store::audit(
            tx,
            Some(&actor.name),
            "token.create",
            Some(&owner.email),
            Some(&detail),
            actor.address.as_deref(),
        )?;
        store::api_token(tx, id)
    })?;
    let row = row.ok_or(TokenError::TooMany)?;
    Ok(Created { token, info: TokenInfo::of(&row, at) })
}

/// The tokens of `owner`, newest first.
pub fn list(app: &App, manager: Manager, owner: &Account) -> Result<Vec<TokenInfo>, TokenError> {
    if !manager.may_manage(owner.id) {
        return Err(TokenError::NotYours);
    }
    let at = now();
    let rows = app.store.read(|c| store::api_tokens_of(c, owner.id))?;
    Ok(rows.iter().map(|r| TokenInfo::of(r, at)).collect())
}

/// Revokes token `id`, audited; revoking a revoked token changes nothing. A token the manager
/// may not manage is answered as one that does not exist.
pub fn revoke(
    app: &App,
    manager: Manager,
    actor: &Actor,
    id: i64,
) -> Result<(Account, TokenInfo), TokenError> {
    let row = app.store.read(|c| store::api_token(c, id))?.ok_or(TokenError::NoSuchToken(id))?;
    if !manager.may_manage(row.user_id) {
        return Err(TokenError::NoSuchToken(id));
    }
    let owner = account_by_id(app, row.user_id)?.ok_or(TokenError::NoSuchToken(id))?;
    let at = now();
    app.store.write(|tx| {
        if store::revoke_api_token(tx, id, at)? {
            let detail = format!("token {id} \"{}\"", row.name);
            store::audit(
                tx,
                Some(&actor.name),
                "token.revoke",
                Some(&owner.email),
                Some(&detail),
                actor.address.as_deref(),
            )?;
        }
        Ok(())
    })?;
    let row = app.store.read(|c| store::api_token(c, id))?.ok_or(TokenError::NoSuchToken(id))?;
    Ok((owner, TokenInfo::of(&row, at)))
}

/// The person a token speaks for at this use, with what their account may see now.
#[derive(Debug, Clone)]
pub struct Bearer {
    pub token_id: i64,
    pub user_id: i64,
    pub email: String,
    pub role: StaffRole,
    pub access: Access,
}

/// Why a token opens nothing.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// Not `dxs_` and 64 hex digits.
    #[error("malformed token")]
    Malformed,
    /// Well formed, but no token has this secret.
    #[error("unknown token")]
    Unknown,
    #[error("token expired")]
    Expired,
    #[error("token revoked")]
    Revoked,
    #[error("account disabled")]
    Disabled,
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// One use of a token: the text sent, and what it asks for (method and path, for the audit
/// log) from where.
pub struct Use<'a> {
    pub presented: &'a str,
    pub request: &'a str,
    pub address: Option<&'a str>,
}

/// Checks the token of `used` and writes the use to the audit log, with the time of last use.
pub fn authenticate(app: &App, used: &Use<'_>) -> Result<Bearer, Refusal> {
    let token = ApiToken::parse(used.presented).ok_or(Refusal::Malformed)?;
    let hash = token.hash();
    let (row, owner) =
        app.store.read(|c| store::api_token_by_hash(c, &hash))?.ok_or(Refusal::Unknown)?;
    let at = now();
    let refused = if row.revoked_at.is_some() {
        Some(Refusal::Revoked)
    } else if row.expires_at <= at {
        Some(Refusal::Expired)
    } else if owner.disabled {
        Some(Refusal::Disabled)
    } else {
        None
    };
    let target = format!("token {}", row.id);
    let request: String = used.request.chars().take(300).collect();
    if let Some(refusal) = refused {
        if row.refused_at.is_none_or(|last| at - last >= REFUSALS_AUDITED_EVERY) {
            let detail = format!("{refusal}: {request}");
            app.store.write(|tx| {
                store::api_token_refused(tx, row.id, at)?;
                store::audit(
                    tx,
                    Some(&owner.email),
                    "api.token.refused",
                    Some(&target),
                    Some(&detail),
                    used.address,
                )
            })?;
        }
        return Err(refusal);
    }
    let access = app.store.write(|tx| {
        store::api_token_used(tx, row.id, at)?;
        store::audit(
            tx,
            Some(&owner.email),
            "api.token",
            Some(&target),
            Some(&request),
            used.address,
        )?;
        store::access(tx, row.user_id, owner.role)
    })?;
    Ok(Bearer {
        token_id: row.id,
        user_id: row.user_id,
        email: owner.email,
        role: owner.role,
        access,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::AppConfig;
    use crate::service::accounts::{NewUser, add_user};

    fn app(dir: &tempfile::TempDir) -> App {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        App::start(&AppConfig::of_checkout(root, dir.path().join("db.sqlite"))).unwrap()
    }

    fn person(app: &App, email: &str, role: StaffRole, areas: &[&str]) -> (Account, Manager) {
        let user = NewUser {
            email: email.into(),
            role,
            areas: areas.iter().map(|a| (*a).to_string()).collect(),
            groups: vec![],
            password: Some("a long enough pass phrase".into()),
        };
        let (user_id, _) = add_user(app, &user, &Actor::command_line()).unwrap();
        (account(app, email).unwrap(), Manager::Person { user_id, role })
    }

    fn used<'a>(token: &'a str) -> Use<'a> {
        Use { presented: token, request: "GET /api/v1/waves", address: None }
    }

    #[test]
    fn owners_and_administrators_manage_tokens_and_no_one_else() {
        let dir = tempfile::TempDir::new().unwrap();
        let app = app(&dir);
        let (stat, as_stat) = person(&app, "s@x.vn", StaffRole::Statistician, &[]);
        let (_, as_official) = person(&app, "o@x.vn", StaffRole::Official, &["00070"]);
        let (_, as_admin) = person(&app, "a@x.vn", StaffRole::Administrator, &[]);
        let name = TokenName::parse("script").unwrap();
        let actor = Actor::command_line();
        let own = create(&app, as_stat, &actor, &stat, &name, Lifetime::default()).unwrap();
        assert!(matches!(
            create(&app, as_official, &actor, &stat, &name, Lifetime::default()),
            Err(TokenError::NotYours)
        ));
        assert!(matches!(list(&app, as_official, &stat), Err(TokenError::NotYours)));
        assert!(matches!(
            revoke(&app, as_official, &actor, own.info.id),
            Err(TokenError::NoSuchToken(_))
        ));
        assert!(authenticate(&app, &used(&own.token.reveal())).is_ok());
        let (_, revoked) = revoke(&app, as_admin, &actor, own.info.id).unwrap();
        assert_eq!(revoked.state, TokenState::Revoked);
        assert!(matches!(authenticate(&app, &used(&own.token.reveal())), Err(Refusal::Revoked)));
        assert_eq!(list(&app, as_stat, &stat).unwrap().len(), 1);
    }

    #[test]
    fn a_token_has_its_owners_access_at_each_use_and_an_account_at_most_twenty() {
        let dir = tempfile::TempDir::new().unwrap();
        let app = app(&dir);
        let (official, _) = person(&app, "o@x.vn", StaffRole::Official, &["00070"]);
        let name = TokenName::parse("ward").unwrap();
        let actor = Actor::command_line();
        let made =
            create(&app, Manager::CommandLine, &actor, &official, &name, Lifetime::default())
                .unwrap();
        let token = made.token.reveal();
        let bearer = authenticate(&app, &used(&token)).unwrap();
        let ward = crate::reference::AreaCode::parse("00070").unwrap();
        assert!(bearer.access.covers(&ward) && bearer.role == StaffRole::Official);
        crate::service::accounts::set_disabled(&app, "o@x.vn", true, &actor).unwrap();
        assert!(matches!(authenticate(&app, &used(&token)), Err(Refusal::Disabled)));
        let owner = account(&app, "o@x.vn").unwrap();
        assert!(matches!(
            create(&app, Manager::CommandLine, &actor, &owner, &name, Lifetime::default()),
            Err(TokenError::Disabled(_))
        ));
        crate::service::accounts::set_disabled(&app, "o@x.vn", false, &actor).unwrap();
        let owner = account(&app, "o@x.vn").unwrap();
        assert!(authenticate(&app, &used(&token)).is_ok(), "enabled again");
        for _ in 1..MAX_LIVE {
            create(&app, Manager::CommandLine, &actor, &owner, &name, Lifetime::default()).unwrap();
        }
        assert!(matches!(
            create(&app, Manager::CommandLine, &actor, &owner, &name, Lifetime::default()),
            Err(TokenError::TooMany)
        ));
        let forged = ApiToken::generate().unwrap().reveal();
        assert!(matches!(authenticate(&app, &used(&forged)), Err(Refusal::Unknown)));
        assert!(matches!(authenticate(&app, &used("dxs_nope")), Err(Refusal::Malformed)));
    }
}
