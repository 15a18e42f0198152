//! Versioned schema migrations, embedded in the binary and applied at start. The schema
//! version is SQLite's `user_version`; each migration runs in its own transaction together
//! with the version bump, so a crash leaves either the old or the new schema.

use rusqlite::Connection;

use super::StoreError;

/// Every migration, in order: migration `i` brings the schema to version `i + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_accounts.sql"),
    include_str!("migrations/0003_frame.sql"),
    include_str!("migrations/0004_wave_rules.sql"),
    include_str!("migrations/0005_benchmarks.sql"),
    include_str!("migrations/0006_register.sql"),
    include_str!("migrations/0007_cases.sql"),
    include_str!("migrations/0008_unit_language.sql"),
];

/// The schema version this binary expects.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

/// Applies the migrations the database lacks; running it again does nothing.
pub fn migrate(conn: &mut Connection) -> Result<i64, StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > latest() {
        return Err(StoreError::Invalid(format!(
            "the database has schema version {current}, newer than this program's {}: use a newer dxsurvey",
            latest()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(current).unwrap_or(0)) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(latest())
}
