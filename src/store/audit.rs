//! The audit log: append-only (the database refuses updates and deletes).

use rusqlite::{Connection, Transaction, params};
use serde::Serialize;

use super::{StoreError, now};

/// One entry: who did what to what, from where.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AuditEntry {
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub detail: Option<String>,
    pub address: Option<String>,
}

/// Which entries to show.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    /// ISO date or time, inclusive.
    pub from: Option<String>,
    /// ISO date or time, inclusive of the whole day when a date.
    pub to: Option<String>,
    pub limit: u32,
}

/// Appends an entry, in the same transaction as the change it records.
pub fn audit(
    tx: &Transaction<'_>,
    actor: Option<&str>,
    action: &str,
    target: Option<&str>,
    detail: Option<&str>,
    address: Option<&str>,
) -> Result<(), StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, target, detail, address) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    stmt.execute(params![now(), actor, action, target, detail, address])?;
    Ok(())
}

/// Entries matching `filter`, newest first.
pub fn audit_entries(
    conn: &Connection,
    filter: &AuditFilter,
) -> Result<Vec<AuditEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, actor, action, target, detail, address FROM audit_log
         WHERE (?1 IS NULL OR actor = ?1 COLLATE NOCASE) AND (?2 IS NULL OR action = ?2)
           AND (?3 IS NULL OR at >= ?3) AND (?4 IS NULL OR at <= ?4 || 'T99')
         ORDER BY id DESC LIMIT ?5",
    )?;
    let rows = stmt.query_map(
        params![filter.actor, filter.action, filter.from, filter.to, filter.limit.max(1)],
        |r| {
            Ok(AuditEntry {
                at: r.get(0)?,
                actor: r.get(1)?,
                action: r.get(2)?,
                target: r.get(3)?,
                detail: r.get(4)?,
                address: r.get(5)?,
            })
        },
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The distinct actions in the log, for the filter's choices.
pub fn audit_actions(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT DISTINCT action FROM audit_log ORDER BY action")?;
    Ok(stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?)
}
