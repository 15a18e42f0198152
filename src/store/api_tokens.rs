//! Personal API tokens: their hashes, owners, lifetimes and uses.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::StoreError;
use crate::auth::StaffRole;

/// A token as stored (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// Unix seconds.
    pub created_at: i64,
    pub created_by: String,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub refused_at: Option<i64>,
}

/// The owner of a token, as they are now.
#[derive(Debug, Clone)]
pub struct ApiTokenOwner {
    pub email: String,
    pub role: StaffRole,
    pub disabled: bool,
}

/// A token to store.
#[derive(Debug, Clone)]
pub struct NewApiToken<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub secret_hash: &'a [u8],
    pub created_at: i64,
    pub created_by: &'a str,
    pub expires_at: i64,
}

const COLUMNS: &str = "t.id, t.user_id, t.name, t.created_at, t.created_by, t.expires_at, \
                       t.last_used_at, t.revoked_at, t.refused_at";

fn token_row(r: &Row<'_>) -> rusqlite::Result<ApiTokenRow> {
    Ok(ApiTokenRow {
        id: r.get(0)?,
        user_id: r.get(1)?,
        name: r.get(2)?,
        created_at: r.get(3)?,
        created_by: r.get(4)?,
        expires_at: r.get(5)?,
        last_used_at: r.get(6)?,
        revoked_at: r.get(7)?,
        refused_at: r.get(8)?,
    })
}

/// Stores a new token; returns its id.
pub fn insert_api_token(tx: &Transaction<'_>, token: &NewApiToken<'_>) -> Result<i64, StoreError> {
    tx.execute(
        "INSERT INTO api_tokens (user_id, name, secret_hash, created_at, created_by, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            token.user_id,
            token.name,
            token.secret_hash,
            token.created_at,
            token.created_by,
            token.expires_at
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The tokens of account `user_id`, newest first.
pub fn api_tokens_of(conn: &Connection, user_id: i64) -> Result<Vec<ApiTokenRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM api_tokens t WHERE t.user_id = ?1 ORDER BY t.id DESC"
    ))?;
    Ok(stmt.query_map([user_id], token_row)?.collect::<Result<_, _>>()?)
}

/// The token with this id.
pub fn api_token(conn: &Connection, id: i64) -> Result<Option<ApiTokenRow>, StoreError> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM api_tokens t WHERE t.id = ?1"))?;
    Ok(stmt.query_row([id], token_row).optional()?)
}

/// The token whose secret hashes to `secret_hash`, with its owner as they are now.
pub fn api_token_by_hash(
    conn: &Connection,
    secret_hash: &[u8],
) -> Result<Option<(ApiTokenRow, ApiTokenOwner)>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS}, u.email, u.role, u.disabled
         FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.secret_hash = ?1"
    ))?;
    Ok(stmt
        .query_row([secret_hash], |r| {
            let role: String = r.get(10)?;
            let role = StaffRole::parse(&role).ok_or_else(|| {
                rusqlite::Error::InvalidColumnType(10, role, rusqlite::types::Type::Text)
            })?;
            let owner = ApiTokenOwner { email: r.get(9)?, role, disabled: r.get(11)? };
            Ok((token_row(r)?, owner))
        })
        .optional()?)
}

/// Tokens of account `user_id` neither revoked nor expired at `now`.
pub fn live_api_tokens(conn: &Connection, user_id: i64, now: i64) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT count(*) FROM api_tokens WHERE user_id = ?1 AND revoked_at IS NULL AND expires_at > ?2",
        params![user_id, now],
        |r| r.get(0),
    )?)
}

/// Revokes token `id` at `at`; `false` if it was already revoked or does not exist.
pub fn revoke_api_token(tx: &Transaction<'_>, id: i64, at: i64) -> Result<bool, StoreError> {
    let changed = tx.execute(
        "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, at],
    )?;
    Ok(changed == 1)
}

/// Records that token `id` was used at `at`.
pub fn api_token_used(tx: &Transaction<'_>, id: i64, at: i64) -> Result<(), StoreError> {
    tx.execute("UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1", params![id, at])?;
    Ok(())
}

/// Records that a use of token `id` was refused at `at`.
pub fn api_token_refused(tx: &Transaction<'_>, id: i64, at: i64) -> Result<(), StoreError> {
    tx.execute("UPDATE api_tokens SET refused_at = ?2 WHERE id = ?1", params![id, at])?;
    Ok(())
}
