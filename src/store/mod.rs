//! SQLite storage. All SQL of the program lives in this module, always with bound parameters.
//!
//! One writer connection (SQLite allows one writer at a time; serialising writes here keeps
//! `SQLITE_BUSY` out of the picture) and a small pool of readers, which WAL mode lets run
//! beside the writer. Every call blocks: async callers use [`Store::call`].

mod accounts;
mod api_tokens;
mod audit;
mod backup;
mod batch;
mod benchmarks;
mod calibration;
mod cases;
mod fieldwork;
mod frame;
mod migrations;
mod outbox;
mod questionnaires;
mod reference;
mod register;
mod responses;
mod serving;
mod waves;

pub use accounts::{
    Credentials, SessionRow, User, access, clear_login_failures, create_session, create_user,
    credentials, end_expired_sessions, end_session, end_sessions_of, login_failures,
    record_login_failure, remember_sign_in, session, set_disabled, set_password, signed_in_from,
    touch_session, user_id, users,
};
pub use api_tokens::{
    ApiTokenOwner, ApiTokenRow, NewApiToken, api_token, api_token_by_hash, api_token_refused,
    api_token_used, api_tokens_of, insert_api_token, live_api_tokens, revoke_api_token,
};
pub use audit::{AuditEntry, AuditFilter, audit, audit_actions, audit_entries};
pub use backup::integrity;
pub use benchmarks::{Benchmark, benchmark, save_benchmark};
pub use calibration::{
    SampleStratumRow, StoredCalibration, calibration_of, sample_strata, set_calibration,
};
pub use cases::{
    CaseRow, Channel, FieldUnit, UnitEvent, UnitEventKind, confirm_identity, field_units,
    find_cases, record_unit_event, response_id_of_identity, response_of_unit, set_resume_hash,
    set_standing, unconfirmed_responses,
};
pub use fieldwork::{
    CellRow, Counts, MicroRow, StatRow, answers_of, counts_by_area, counts_by_section,
    counts_in_area, for_each_submitted, for_each_submitted_answers, for_each_submitted_cells,
    stratum_counts, survey_counts_by_area,
};
pub use frame::{frame, frame_by_area, frame_by_section, replace_frame};
pub use outbox::{
    DueMail, MailKind, due_mail, mail_counts, mark_failed, mark_sent, queue_mail, reminder_dates,
    reminder_done, reminders_due, requeue_failed, schedule_reminders,
};
pub use questionnaires::{StoredQuestionnaire, all_questionnaires, sync_questionnaires};
pub use reference::{area_count, sync_reference};
pub use register::{
    Invitee, SampleStratum, SampledUnit, StoredSample, Stratum, UnitKind, add_register_agency,
    add_register_unit, agency_register_size, clear_agencies, clear_register, invited,
    invitee_by_code, register_size, register_strata, register_stratum, sample_of, sampled_unit,
    save_sample, set_access_code, uninvited,
};
pub use responses::{
    IdentityCheck, NewResponse, Origin, PeerFilter, PeerGroup, PeerMeans, ResponseStatus, Standing,
    StoredResponse, arm_indicators, existing_response, insert_response, peer_means, response_by_id,
    response_by_resume_hash, response_counts, submit_response, update_draft,
};
pub use serving::ServingLock;
pub use waves::{
    NewWave, Wave, WaveAccess, WaveStatus, create_wave, open_waves, set_wave_access,
    set_wave_status, wave, waves, waves_with_submissions,
};

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

/// A storage failure, said so that an operator can act on it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot create the database folder {path}: {source}")]
    Folder { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0} was not found")]
    NotFound(String),
    #[error("the database worker stopped: {0}")]
    Worker(String),
}

/// Most readers kept open at once. A reader opened beyond the pool is closed after its query,
/// and a new connection parses the schema before its first query: with fewer pooled readers
/// than concurrent requests (32 in `scripts/bench-web`), that parsing took a tenth of a page's
/// time. Each idle reader costs a few hundred kilobytes.
const READERS: usize = 48;

/// The database.
pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    /// Writes waiting to be committed together (`write_batched`).
    queue: batch::Queue,
}

impl Store {
    /// Opens (creating it and its folder if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            owner_only_folder(dir)
                .map_err(|source| StoreError::Folder { path: dir.to_path_buf(), source })?;
        }
        let mut writer = connect(path)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        owner_only_files(path)
            .map_err(|source| StoreError::Folder { path: path.to_path_buf(), source })?;
        // The server checkpoints in the background (`start_checkpointer`); the writer does it
        // itself only past 10,000 log pages (40 MB), so a commit rarely waits for one.
        writer.pragma_update(None, "wal_autocheckpoint", 10_000)?;
        migrations::migrate(&mut writer)?;
        Ok(Store {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            queue: batch::Queue::default(),
        })
    }

    /// Whether the database takes a write and is of this program's schema, for `/healthz`:
    /// `Err` says what is wrong, without a path.
    pub fn health(&self) -> Result<(), String> {
        let version = self
            .read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?))
            .map_err(|e| format!("database not readable: {e}"))?;
        if version != migrations::latest() {
            let expected = migrations::latest();
            return Err(format!("database schema {version}, this program's is {expected}"));
        }
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        self.write_batched(move |tx| {
            tx.execute("INSERT OR REPLACE INTO health (id, checked_at) VALUES (1, ?1)", [now])?;
            Ok(())
        })
        .map_err(|e| format!("database not writable: {e}"))
    }

    /// Where the database file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in a write transaction (`BEGIN IMMEDIATE`), committed if `f` succeeds.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Runs `f` on a reader connection (a consistent snapshot when `f` opens a transaction).
    pub fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.read_or(f)
    }

    /// [`Store::read`] for work that fails with errors of its own as well.
    pub fn read_or<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        let pooled = lock(&self.readers).pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => {
                let conn = connect(&self.path)?;
                conn.execute_batch("PRAGMA query_only = ON").map_err(StoreError::from)?;
                conn
            }
        };
        let result = f(&conn);
        let mut readers = lock(&self.readers);
        if readers.len() < READERS {
            readers.push(conn);
        }
        result
    }

    /// Runs blocking database work off the async threads.
    pub async fn call<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let store = Arc::clone(self);
        rocket::tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| StoreError::Worker(e.to_string()))?
    }
}

fn connect(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    // FULL: a write acknowledged to a respondent survives a power loss, not only a crash.
    conn.execute_batch(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;",
    )?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// A poisoned lock only means another thread panicked mid-call; SQLite rolled its
/// transaction back, so the connection is still sound.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The current time as RFC 3339 text, in UTC.
/// Runs `f` on one snapshot of the database: every read inside it sees the same rows, whatever
/// is written meanwhile.
pub fn snapshot<T, E: From<StoreError>>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> Result<T, E>,
) -> Result<T, E> {
    let tx = conn.unchecked_transaction().map_err(StoreError::from)?;
    let out = f(&tx)?;
    tx.commit().map_err(StoreError::from)?;
    Ok(out)
}

pub fn now() -> String {
    rfc3339(time::OffsetDateTime::now_utc())
}

/// A moment as the database keeps it (RFC 3339, UTC).
pub fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339).unwrap_or_else(|_| at.to_string())
}

/// Creates `dir` (and its parents) readable by the owner only; an existing folder is left as
/// the operator made it.
fn owner_only_folder(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// The database and its write-ahead log and index are the owner's alone, even when an older
/// version or a copy made them readable by others.
fn owner_only_files(database: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    for suffix in ["", "-wal", "-shm"] {
        use std::os::unix::fs::PermissionsExt;
        let mut name = database.as_os_str().to_owned();
        name.push(suffix);
        let file = Path::new(&name);
        if let Ok(meta) = std::fs::metadata(file)
            && meta.permissions().mode() & 0o077 != 0
        {
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    #[cfg(not(unix))]
    let _ = database;
    Ok(())
}
