//! Signing staff in and out. Unknown accounts and wrong passwords get the same answer after the
//! same work. The rules, once:
//! - what was typed is refused unread when longer than any real e-mail address or password, so
//!   nothing that long reaches the audit log or the password hash;
//! - each client address gets a few attempts a minute ([`super::limits::Limits`]), counted
//!   before anything is checked or written;
//! - five failures for an address, or for an account, start a delay that doubles up to 15
//!   minutes. The account's delay holds back every address but those the account has signed
//!   in from before: a stranger hammering an account does not lock its owner out, while
//!   guessing from many addresses still meets the delay;
//! - failures are audited as they come for the first five from an address, then at the 8th,
//!   16th, 32nd… with the count, so one client cannot grow the append-only log without bound.

use std::net::IpAddr;

use time::OffsetDateTime;

use super::Actor;
use crate::app::App;
use crate::auth::{SecretToken, retry_after, verify_password};
use crate::kernel::net::AddressKey;
use crate::store::{self, Credentials, StoreError};

/// The longest e-mail address there can be (RFC 5321's path limit).
pub const MAX_EMAIL: usize = 254;
/// Longer than any password a person types or a manager generates.
pub const MAX_PASSWORD: usize = 1024;

/// What a sign-in attempt gives.
pub enum SignIn {
    /// A new session: its token goes to the browser, only its hash is stored.
    Session(SecretToken),
    /// Wrong e-mail or password, or a disabled account: the same answer for all three.
    Refused,
    /// Too many attempts or failures: try again after this many seconds.
    Wait(i64),
    /// What was typed cannot be an e-mail address or a password: refused unread.
    TooLong,
}

/// Why a sign-in could not be attempted.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("cannot generate a session token: {0}")]
    Random(String),
}

/// Tries `email` and `password` from `address` (the client's, or `None` when unknown, as for a
/// local test client) under the module's rules. A success always starts a new session, so a
/// session fixed before sign-in is never promoted.
pub fn sign_in(
    app: &App,
    email: &str,
    password: &str,
    address: Option<IpAddr>,
) -> Result<SignIn, SignInError> {
    if email.len() > MAX_EMAIL || password.len() > MAX_PASSWORD {
        return Ok(SignIn::TooLong);
    }
    if let Some(ip) = address
        && let Err(seconds) = app.limits.sign_ins.check(ip)
    {
        return Ok(SignIn::Wait(i64::try_from(seconds).unwrap_or(i64::MAX)));
    }
    let attempt = Attempt::new(email, address);
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let account = app.store.read(|c| store::credentials(c, &attempt.email))?;
    let wait = app.store.read(|c| {
        let known = match &account {
            Some(a) => store::signed_in_from(c, a.id, &attempt.client)?,
            None => false,
        };
        let mut wait = delay(c, &attempt.address_key, now)?;
        if !known {
            wait = wait.max(delay(c, &attempt.account_key, now)?);
        }
        Ok(wait)
    })?;
    if wait > 0 {
        return Ok(SignIn::Wait(wait));
    }
    let matches = verify_password(password, account.as_ref().map(|a| a.password_hash.as_str()));
    match account.filter(|a| matches && !a.disabled) {
        Some(account) => signed_in(app, &account, &attempt, now),
        None => {
            failed(app, &attempt, now)?;
            Ok(SignIn::Refused)
        }
    }
}

/// Who tries, from where, and the failure counters that hold them.
struct Attempt {
    email: String,
    /// The address as the audit log records it.
    address: Option<String>,
    /// The client as the limits count it (an IPv4 address or an IPv6 /64).
    client: String,
    account_key: String,
    address_key: String,
}

impl Attempt {
    fn new(email: &str, address: Option<IpAddr>) -> Attempt {
        let email = email.trim().to_lowercase();
        let client =
            address.map_or_else(|| "unknown".to_string(), |ip| AddressKey::of(ip).to_string());
        Attempt {
            account_key: format!("account:{email}"),
            address_key: format!("address:{client}"),
            email,
            address: address.map(|ip| ip.to_string()),
            client,
        }
    }
}

fn delay(conn: &rusqlite::Connection, key: &str, now: i64) -> Result<i64, StoreError> {
    let (failures, last) = store::login_failures(conn, key)?;
    Ok(retry_after(failures, last, now))
}

fn failed(app: &App, attempt: &Attempt, now: i64) -> Result<(), StoreError> {
    app.store.write(|tx| {
        store::record_login_failure(tx, &attempt.account_key, now)?;
        let failures = store::record_login_failure(tx, &attempt.address_key, now)?;
        if failures <= 5 || failures.count_ones() == 1 {
            let detail = format!("failure {failures} from this address");
            let (who, from) = (Some(attempt.email.as_str()), attempt.address.as_deref());
            store::audit(tx, who, "login.failure", None, Some(&detail), from)?;
        }
        Ok(())
    })
}

fn signed_in(
    app: &App,
    account: &Credentials,
    attempt: &Attempt,
    now: i64,
) -> Result<SignIn, SignInError> {
    let token = SecretToken::generate().map_err(|e| SignInError::Random(e.to_string()))?;
    let csrf = SecretToken::generate().map_err(|e| SignInError::Random(e.to_string()))?;
    app.store.write(|tx| {
        store::create_session(tx, &token.hash(), account.id, csrf.as_str(), now)?;
        store::clear_login_failures(tx, &attempt.account_key)?;
        store::remember_sign_in(tx, account.id, &attempt.client, now)?;
        let from = attempt.address.as_deref();
        store::audit(tx, Some(&attempt.email), "login", None, None, from)
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
