//! Copies of the database taken while the server runs (SQLite's online backup API), restoring
//! one, and folding the write-ahead log back into the database at shutdown.

use std::path::Path;
use std::time::Duration;

use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};

use super::{Store, StoreError, lock, migrations};

/// Pages copied per step: small steps let the server's writer in between.
const STEP: std::ffi::c_int = 256;

impl Store {
    /// Folds the write-ahead log into the database and empties it, so that the file alone holds
    /// everything. Returns whether the checkpoint was complete (no reader was in the way).
    pub fn checkpoint(&self) -> Result<bool, StoreError> {
        let conn = lock(&self.writer);
        let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        Ok(busy == 0)
    }

    /// Writes a consistent copy of the database to `to` (replacing it) while others keep
    /// reading and writing, and checks the copy with `PRAGMA integrity_check`.
    pub fn backup(&self, to: &Path) -> Result<(), StoreError> {
        let source = Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        copy(&source, to)?;
        integrity(&Connection::open_with_flags(to, OpenFlags::SQLITE_OPEN_READ_ONLY)?)
    }

    /// Replaces the whole database with the copy at `from`, after checking that the copy is
    /// sound and of a schema this program knows. The current content is first copied to
    /// `keep`, so a restore can itself be undone.
    pub fn restore(&self, from: &Path, keep: &Path) -> Result<(), StoreError> {
        let source = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| StoreError::Invalid(format!("cannot open {}: {e}", from.display())))?;
        integrity(&source).map_err(|e| {
            StoreError::Invalid(format!("{} is not a sound database: {e}", from.display()))
        })?;
        let version: i64 = source.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let responses = source.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'responses'",
            [],
            |r| r.get::<_, i64>(0),
        )?;
        if responses == 0 || version < 1 || version > migrations::latest() {
            return Err(StoreError::Invalid(format!(
                "{} is not a dxsurvey database this program can use (schema version {version})",
                from.display()
            )));
        }
        self.backup(keep)?;
        let mut writer = lock(&self.writer);
        let backup = Backup::new(&source, &mut writer)?;
        backup.run_to_completion(STEP, Duration::ZERO, None)?;
        drop(backup);
        migrations::migrate(&mut writer)?;
        Ok(())
    }
}

fn copy(source: &Connection, to: &Path) -> Result<(), StoreError> {
    if to.exists() {
        std::fs::remove_file(to)
            .map_err(|e| StoreError::Invalid(format!("cannot replace {}: {e}", to.display())))?;
    }
    private_file(to)?;
    let mut target = Connection::open(to)?;
    let backup = Backup::new(source, &mut target)?;
    backup.run_to_completion(STEP, Duration::from_millis(5), None)?;
    drop(backup);
    // The copy inherits the live database's WAL mode; without it the copy is one file, and
    // opening it (to check it, or read-only) leaves no `-wal` and `-shm` files behind it.
    target.pragma_update(None, "journal_mode", "DELETE")?;
    Ok(())
}

/// Creates `path` empty and readable by its owner only, whatever the umask, before SQLite fills
/// it: a copy holds everything the database does, and SQLite gives its temporary journal the
/// same mode.
fn private_file(path: &Path) -> Result<(), StoreError> {
    let cannot =
        |e: std::io::Error| StoreError::Invalid(format!("cannot create {}: {e}", path.display()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    drop(options.open(path).map_err(cannot)?);
    #[cfg(unix)]
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .map_err(cannot)?;
    Ok(())
}

/// `PRAGMA integrity_check` must say `ok`.
pub fn integrity(conn: &Connection) -> Result<(), StoreError> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let found: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    if found == ["ok"] {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!("integrity check: {}", found.join("; "))))
    }
}

/// Checkpoints the log in the background while the server runs, so that copying log pages
/// back into the database never happens inside a respondent's commit.
pub struct Checkpointer {
    stop: std::sync::mpsc::Sender<()>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Store {
    /// Starts checkpointing every `every`, on a connection of its own: a passive checkpoint
    /// copies what no reader still needs and never waits for, nor blocks, the writer.
    pub fn start_checkpointer(&self, every: Duration) -> Result<Checkpointer, StoreError> {
        let conn = super::connect(&self.path)?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("checkpointer".into())
            .spawn(move || {
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(every)
                {
                    // Once every frame is copied, the next commit starts the log over, so it
                    // stays small. A failure is simply tried again next time.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            })
            .map_err(|e| StoreError::Worker(e.to_string()))?;
        Ok(Checkpointer { stop, thread: Some(thread) })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let _ = self.stop.send(());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(dir: &tempfile::TempDir) -> Store {
        let store = Store::open(&dir.path().join("live.db")).unwrap();
        store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO waves (id, title_vi, title_en, opens_on, closes_on, status, created_at) VALUES ('w1', 'a', 'b', '2026-01-01', '2026-12-31', 'open', '2026-01-01')",
                    [],
                )?;
                Ok(())
            })
            .unwrap();
        store
    }

    fn waves(store: &Store) -> i64 {
        store.read(|c| Ok(c.query_row("SELECT count(*) FROM waves", [], |r| r.get(0))?)).unwrap()
    }

    #[test]
    fn a_backup_taken_live_restores_what_it_held() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        let copy = dir.path().join("copy.db");
        store.backup(&copy).unwrap();
        store.write(|tx| Ok(tx.execute("DELETE FROM waves", []).map(|_| ())?)).unwrap();
        assert_eq!(waves(&store), 0);
        let keep = dir.path().join("before.db");
        store.restore(&copy, &keep).unwrap();
        assert_eq!(waves(&store), 1, "the backup's wave is back");
        let kept = Connection::open(&keep).unwrap();
        let before: i64 = kept.query_row("SELECT count(*) FROM waves", [], |r| r.get(0)).unwrap();
        assert_eq!(before, 0, "what was replaced is kept");
        assert!(store.checkpoint().unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn a_backup_is_readable_by_its_owner_only_even_when_replacing_a_looser_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        let copy = dir.path().join("copy.db");
        std::fs::write(&copy, b"").unwrap();
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o644)).unwrap();
        store.backup(&copy).unwrap();
        let mode = std::fs::metadata(&copy).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        for beside in ["copy.db-wal", "copy.db-shm", "copy.db-journal"] {
            assert!(!dir.path().join(beside).exists(), "the copy is one file: {beside}");
        }
    }

    #[test]
    fn a_file_that_is_not_a_sound_dxsurvey_database_is_refused_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        let garbage = dir.path().join("garbage.db");
        std::fs::write(&garbage, b"this is not a database at all, not even close").unwrap();
        let other = dir.path().join("other.db");
        Connection::open(&other).unwrap().execute_batch("CREATE TABLE t (x)").unwrap();
        for bad in [&garbage, &other, &dir.path().join("missing.db")] {
            let error = store.restore(bad, &dir.path().join("keep.db")).unwrap_err().to_string();
            assert!(error.contains(&bad.display().to_string()), "{error}");
            assert_eq!(waves(&store), 1, "nothing changed");
        }
    }
}
