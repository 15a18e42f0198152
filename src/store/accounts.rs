//! Staff accounts, their areas, sessions and failed logins.

use std::collections::BTreeSet;

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use super::{StoreError, now};
use crate::auth::{Access, StaffRole};
use crate::reference::AreaCode;

/// An account as listed to administrators.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub role: StaffRole,
    pub disabled: bool,
    pub areas: Vec<String>,
    pub groups: Vec<String>,
    pub created_at: String,
}

/// What signing in needs to know of an account.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub id: i64,
    pub role: StaffRole,
    pub password_hash: String,
    pub disabled: bool,
}

/// A live session with its account.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user_id: i64,
    pub email: String,
    pub role: StaffRole,
    pub disabled: bool,
    pub csrf: String,
    pub created_at: i64,
    pub last_seen: i64,
}

fn role(text: &str) -> rusqlite::Result<StaffRole> {
    StaffRole::parse(text).ok_or_else(|| {
        rusqlite::Error::InvalidColumnType(0, text.into(), rusqlite::types::Type::Text)
    })
}

/// Creates an account; an e-mail already in use is a conflict.
pub fn create_user(
    tx: &Transaction<'_>,
    email: &str,
    role: StaffRole,
    password_hash: &str,
    areas: &[AreaCode],
    groups: &[String],
) -> Result<i64, StoreError> {
    let at = now();
    tx.execute(
        "INSERT INTO users (email, role, password_hash, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
        params![email, role.as_str(), password_hash, at],
    )
    .map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            StoreError::Conflict(format!("an account with e-mail {email} already exists"))
        }
        other => StoreError::Sqlite(other),
    })?;
    let id = tx.last_insert_rowid();
    for area in areas {
        tx.execute(
            "INSERT INTO user_areas (user_id, area_code) VALUES (?1, ?2)",
            params![id, area.as_str()],
        )?;
    }
    for group in groups {
        tx.execute(
            "INSERT INTO user_area_groups (user_id, group_code) VALUES (?1, ?2)",
            params![id, group],
        )?;
    }
    Ok(id)
}

/// Every account, by e-mail.
pub fn users(conn: &Connection) -> Result<Vec<User>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.id, u.email, u.role, u.disabled, u.created_at,
                (SELECT group_concat(area_code, ' ') FROM user_areas WHERE user_id = u.id),
                (SELECT group_concat(group_code, ' ') FROM user_area_groups WHERE user_id = u.id)
         FROM users u ORDER BY u.email",
    )?;
    let split = |s: Option<String>| {
        s.map(|s| s.split(' ').map(str::to_string).collect()).unwrap_or_default()
    };
    let rows = stmt.query_map([], |r| {
        Ok(User {
            id: r.get(0)?,
            email: r.get(1)?,
            role: role(&r.get::<_, String>(2)?)?,
            disabled: r.get(3)?,
            created_at: r.get(4)?,
            areas: split(r.get(5)?),
            groups: split(r.get(6)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The credentials of the account with this e-mail (any case).
pub fn credentials(conn: &Connection, email: &str) -> Result<Option<Credentials>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT id, role, password_hash, disabled FROM users WHERE email = ?1")?;
    Ok(stmt
        .query_row([email], |r| {
            Ok(Credentials {
                id: r.get(0)?,
                role: role(&r.get::<_, String>(1)?)?,
                password_hash: r.get(2)?,
                disabled: r.get(3)?,
            })
        })
        .optional()?)
}

/// The id of the account with this e-mail.
pub fn user_id(conn: &Connection, email: &str) -> Result<Option<i64>, StoreError> {
    Ok(conn.query_row("SELECT id FROM users WHERE email = ?1", [email], |r| r.get(0)).optional()?)
}

/// Replaces a password and ends every session of the account.
pub fn set_password(
    tx: &Transaction<'_>,
    user: i64,
    password_hash: &str,
) -> Result<bool, StoreError> {
    let changed = tx.execute(
        "UPDATE users SET password_hash = ?2, updated_at = ?3 WHERE id = ?1",
        params![user, password_hash, now()],
    )?;
    end_sessions_of(tx, user)?;
    Ok(changed == 1)
}

/// Disables or enables an account; disabling ends its sessions.
pub fn set_disabled(tx: &Transaction<'_>, user: i64, disabled: bool) -> Result<bool, StoreError> {
    let changed = tx.execute(
        "UPDATE users SET disabled = ?2, updated_at = ?3 WHERE id = ?1",
        params![user, disabled, now()],
    )?;
    if disabled {
        end_sessions_of(tx, user)?;
    }
    Ok(changed == 1)
}

/// What the account may see of the areas.
pub fn access(conn: &Connection, user: i64, role: StaffRole) -> Result<Access, StoreError> {
    if role != StaffRole::Official {
        return Ok(Access::City);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT area_code FROM user_areas WHERE user_id = ?1
         UNION SELECT m.area_code FROM user_area_groups g JOIN area_group_members m ON m.group_code = g.group_code
         WHERE g.user_id = ?1",
    )?;
    let codes: BTreeSet<AreaCode> = stmt
        .query_map([user], |r| r.get::<_, String>(0))?
        .filter_map(|code| code.ok().and_then(|c| AreaCode::parse(&c).ok()))
        .collect();
    Ok(Access::Areas(codes))
}

/// Starts a session.
pub fn create_session(
    tx: &Transaction<'_>,
    id_hash: &[u8],
    user: i64,
    csrf: &str,
    at: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO sessions (id_hash, user_id, csrf, created_at, last_seen) VALUES (?1, ?2, ?3, ?4, ?4)",
        params![id_hash, user, csrf, at],
    )?;
    Ok(())
}

/// The session with this id hash.
pub fn session(conn: &Connection, id_hash: &[u8]) -> Result<Option<SessionRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.user_id, u.email, u.role, u.disabled, s.csrf, s.created_at, s.last_seen
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?1",
    )?;
    Ok(stmt
        .query_row([id_hash], |r| {
            Ok(SessionRow {
                user_id: r.get(0)?,
                email: r.get(1)?,
                role: role(&r.get::<_, String>(2)?)?,
                disabled: r.get(3)?,
                csrf: r.get(4)?,
                created_at: r.get(5)?,
                last_seen: r.get(6)?,
            })
        })
        .optional()?)
}

/// Records that a session was used.
pub fn touch_session(tx: &Transaction<'_>, id_hash: &[u8], at: i64) -> Result<(), StoreError> {
    tx.execute("UPDATE sessions SET last_seen = ?2 WHERE id_hash = ?1", params![id_hash, at])?;
    Ok(())
}

/// Ends a session.
pub fn end_session(tx: &Transaction<'_>, id_hash: &[u8]) -> Result<(), StoreError> {
    tx.execute("DELETE FROM sessions WHERE id_hash = ?1", [id_hash])?;
    Ok(())
}

/// Ends every session of an account.
pub fn end_sessions_of(tx: &Transaction<'_>, user: i64) -> Result<(), StoreError> {
    tx.execute("DELETE FROM sessions WHERE user_id = ?1", [user])?;
    Ok(())
}

/// Ends sessions idle since `idle_before` or started before `started_before`.
pub fn end_expired_sessions(
    tx: &Transaction<'_>,
    idle_before: i64,
    started_before: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM sessions WHERE last_seen < ?1 OR created_at < ?2",
        params![idle_before, started_before],
    )?;
    Ok(())
}

/// Failed logins under `key` (an account or an address) and when the last was.
pub fn login_failures(conn: &Connection, key: &str) -> Result<(i64, i64), StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT failures, last_failure FROM login_failures WHERE key = ?1")?;
    Ok(stmt.query_row([key], |r| Ok((r.get(0)?, r.get(1)?))).optional()?.unwrap_or((0, 0)))
}

/// Counts one more failed login under `key`; returns how many there are now.
pub fn record_login_failure(tx: &Transaction<'_>, key: &str, at: i64) -> Result<i64, StoreError> {
    Ok(tx.query_row(
        "INSERT INTO login_failures (key, failures, last_failure) VALUES (?1, 1, ?2)
         ON CONFLICT (key) DO UPDATE SET failures = failures + 1, last_failure = excluded.last_failure
         RETURNING failures",
        params![key, at],
        |r| r.get(0),
    )?)
}

/// Whether account `user_id` has signed in from `address` (an address key) before.
pub fn signed_in_from(conn: &Connection, user_id: i64, address: &str) -> Result<bool, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT 1 FROM sign_in_addresses WHERE user_id = ?1 AND address = ?2")?;
    Ok(stmt.exists(params![user_id, address])?)
}

/// Remembers that account `user_id` signed in from `address` at `at`; forgets the addresses
/// it has not used for a year.
pub fn remember_sign_in(
    tx: &Transaction<'_>,
    user_id: i64,
    address: &str,
    at: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO sign_in_addresses (user_id, address, last_signed_in) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id, address) DO UPDATE SET last_signed_in = excluded.last_signed_in",
        params![user_id, address, at],
    )?;
    tx.execute(
        "DELETE FROM sign_in_addresses WHERE user_id = ?1 AND last_signed_in < ?2",
        params![user_id, at - 365 * 86_400],
    )?;
    Ok(())
}

/// Forgets the failed logins under `key` (after a successful one).
pub fn clear_login_failures(tx: &Transaction<'_>, key: &str) -> Result<(), StoreError> {
    tx.execute("DELETE FROM login_failures WHERE key = ?1", [key])?;
    Ok(())
}
