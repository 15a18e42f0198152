//! Signing staff in and out. Unknown accounts and wrong passwords get the same answer after the
//! same work; five failures for an account or an address start a growing delay.

use time::OffsetDateTime;

use super::Actor;
use crate::app::App;
use crate::auth::{SecretToken, retry_after, verify_password};
use crate::store::{self, StoreError};

/// What a sign-in attempt gives.
pub enum SignIn {
    /// A new session: its token goes to the browser, only its hash is stored.
    Session(SecretToken),
    /// Wrong e-mail or password, or a disabled account: the same answer for all three.
    Refused,
    /// Too many failures for the account or the address: try again after this many seconds.
    Wait(i64),
}

/// Why a sign-in could not be attempted.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("cannot generate a session token: {0}")]
    Random(String),
}

/// Tries `email` and `password` from `address`. Every outcome but a wait is in the audit log;
/// a success clears the account's failures and always starts a new session, so a session fixed
/// before sign-in is never promoted.
pub fn sign_in(
    app: &App,
    email: &str,
    password: &str,
    address: &str,
) -> Result<SignIn, SignInError> {
    let email = email.trim().to_lowercase();
    let keys = [format!("account:{email}"), format!("address:{address}")];
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let wait = app.store.read(|c| {
        let mut wait = 0;
        for key in &keys {
            let (failures, last) = store::login_failures(c, key)?;
            wait = wait.max(retry_after(failures, last, now));
        }
        Ok(wait)
    })?;
    if wait > 0 {
        return Ok(SignIn::Wait(wait));
    }
    let account = app.store.read(|c| store::credentials(c, &email))?;
    let matches = verify_password(password, account.as_ref().map(|a| a.password_hash.as_str()));
    let Some(account) = account.filter(|a| matches && !a.disabled) else {
        app.store.write(|tx| {
            for key in &keys {
                store::record_login_failure(tx, key, now)?;
            }
            store::audit(tx, Some(&email), "login.failure", None, None, Some(address))
        })?;
        return Ok(SignIn::Refused);
    };
    let token = SecretToken::generate().map_err(|e| SignInError::Random(e.to_string()))?;
    let csrf = SecretToken::generate().map_err(|e| SignInError::Random(e.to_string()))?;
    app.store.write(|tx| {
        store::create_session(tx, &token.hash(), account.id, csrf.as_str(), now)?;
        store::clear_login_failures(tx, &keys[0])?;
        store::audit(tx, Some(&email), "login", None, None, Some(address))
    })?;
    Ok(SignIn::Session(token))
}

/// Ends the session whose token hashes to `session`.
pub fn sign_out(app: &App, session: &[u8; 32], actor: &Actor) -> Result<(), StoreError> {
    app.store.write(|tx| {
        store::end_session(tx, session)?;
        store::audit(tx, Some(&actor.name), "logout", None, None, actor.address.as_deref())
    })
}
