//! Staff accounts, for the command line and the admin pages alike: checked, stored and written
//! to the audit log in one transaction.

use validator::ValidateEmail;

use super::Actor;
use crate::app::App;
use crate::auth::{Password, PasswordError, StaffRole, hash_password};
use crate::reference::AreaCode;
use crate::store::{self, StoreError};

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub role: StaffRole,
    pub areas: Vec<String>,
    pub groups: Vec<String>,
    /// `None`: generate one.
    pub password: Option<String>,
}

/// Why an account operation was refused, in words the operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("'{0}' is not a valid e-mail address")]
    Email(String),
    #[error("{0}")]
    Password(#[from] PasswordError),
    #[error("unknown ward/commune code '{0}'")]
    Area(String),
    #[error("unknown area group '{0}'")]
    Group(String),
    #[error("an official needs at least one --area or --group; other roles take none")]
    Scope,
    #[error("no account with e-mail {0}")]
    NoSuchUser(String),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("cannot hash the password: {0}")]
    Hash(String),
    #[error("cannot generate a password: {0}")]
    Random(String),
}

/// Creates an account; returns its id and the generated password, if one was generated.
pub fn add_user(
    app: &App,
    user: &NewUser,
    actor: &Actor,
) -> Result<(i64, Option<String>), StaffError> {
    let email = user.email.trim().to_lowercase();
    if !email.validate_email() {
        return Err(StaffError::Email(user.email.clone()));
    }
    let areas = user
        .areas
        .iter()
        .map(|a| {
            app.reference
                .area_by_str(a)
                .map(|a| a.code.clone())
                .ok_or_else(|| StaffError::Area(a.clone()))
        })
        .collect::<Result<Vec<AreaCode>, _>>()?;
    if let Some(unknown) =
        user.groups.iter().find(|g| !app.reference.groups.iter().any(|k| &k.code == *g))
    {
        return Err(StaffError::Group(unknown.clone()));
    }
    let scoped = !areas.is_empty() || !user.groups.is_empty();
    if scoped != (user.role == StaffRole::Official) {
        return Err(StaffError::Scope);
    }
    let (password, generated) = match &user.password {
        Some(plain) => (Password::new(plain)?, None),
        None => {
            let plain = generate_password()?;
            (Password::new(&plain)?, Some(plain))
        }
    };
    let hash = hash_password(&password).map_err(StaffError::Hash)?;
    let detail = format!(
        "role {}; areas {}; groups {}",
        user.role.as_str(),
        user.areas.join(" "),
        user.groups.join(" ")
    );
    let id = app.store.write(|tx| {
        let id = store::create_user(tx, &email, user.role, &hash, &areas, &user.groups)?;
        store::audit(
            tx,
            Some(&actor.name),
            "account.create",
            Some(&email),
            Some(&detail),
            actor.address.as_deref(),
        )?;
        Ok(id)
    })?;
    Ok((id, generated))
}

/// Sets a new password (generated when `None`), ending the account's sessions.
pub fn set_password(
    app: &App,
    email: &str,
    password: Option<&str>,
    actor: &Actor,
) -> Result<Option<String>, StaffError> {
    let (password, generated) = match password {
        Some(plain) => (Password::new(plain)?, None),
        None => {
            let plain = generate_password()?;
            (Password::new(&plain)?, Some(plain))
        }
    };
    let user = find(app, email)?;
    let hash = hash_password(&password).map_err(StaffError::Hash)?;
    app.store.write(|tx| {
        store::set_password(tx, user, &hash)?;
        store::audit(
            tx,
            Some(&actor.name),
            "account.password",
            Some(email),
            None,
            actor.address.as_deref(),
        )
    })?;
    Ok(generated)
}

/// Disables (or enables again) an account; disabling ends its sessions.
pub fn set_disabled(
    app: &App,
    email: &str,
    disabled: bool,
    actor: &Actor,
) -> Result<(), StaffError> {
    let user = find(app, email)?;
    let action = if disabled { "account.disable" } else { "account.enable" };
    app.store.write(|tx| {
        store::set_disabled(tx, user, disabled)?;
        store::audit(tx, Some(&actor.name), action, Some(email), None, actor.address.as_deref())
    })?;
    Ok(())
}

/// The e-mail of account `id`, if there is one.
pub fn email_of(app: &App, id: i64) -> Result<Option<String>, StoreError> {
    Ok(app.store.read(store::users)?.into_iter().find(|u| u.id == id).map(|u| u.email))
}

fn find(app: &App, email: &str) -> Result<i64, StaffError> {
    let email = email.trim().to_lowercase();
    app.store.read(|c| store::user_id(c, &email))?.ok_or(StaffError::NoSuchUser(email))
}

/// 20 characters from an alphabet without look-alikes: about 115 bits.
fn generate_password() -> Result<String, StaffError> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| StaffError::Random(e.to_string()))?;
    // 256 is not a multiple of the alphabet's 56 letters; the slight bias costs under a bit.
    Ok(bytes.iter().map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()])).collect())
}
