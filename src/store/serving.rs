//! One server per database: the server holds an exclusive advisory lock on `<database>.lock`
//! while it serves, so a second server, or a restore that would pull the file from under it,
//! is refused with the reason instead of corrupting what the first one caches.
//!
//! The lock is the operating system's (`flock`), so it goes away with the process however the
//! process ends, kill -9 included: no stale lock to clean up. The lock file itself is never
//! deleted: removing it while another process waits on it would let two holders in.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::StoreError;

/// The exclusive lock on a database, held until dropped.
#[derive(Debug)]
pub struct ServingLock {
    /// Kept open: closing the file releases the lock.
    _file: File,
}

impl ServingLock {
    /// Takes the lock on `database` (which need not exist yet), creating its folder and the
    /// lock file (readable by the owner only) if needed. Fails with [`StoreError::Conflict`]
    /// when another process holds it, without waiting.
    pub fn acquire(database: &Path) -> Result<ServingLock, StoreError> {
        let path = lock_path(database);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|source| StoreError::Folder { path: dir.to_path_buf(), source })?;
        }
        let file = open(&path)?;
        let locked = file.try_lock();
        match locked {
            Ok(()) => Ok(ServingLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Conflict(format!(
                "another dxsurvey server is serving {}, or a restore is replacing it (it holds \
                 {}): stop it first, or give this server another database",
                database.display(),
                path.display()
            ))),
            Err(std::fs::TryLockError::Error(e)) => Err(StoreError::Invalid(format!(
                "{}: cannot lock the database's lock file: {e}",
                path.display()
            ))),
        }
    }
}

/// `<database>.lock`, beside the database.
pub fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Opens (creating it, mode 0600) the lock file; its content is never read or written.
fn open(path: &Path) -> Result<File, StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|e| {
        StoreError::Invalid(format!(
            "{}: cannot open the database's lock file: {e}",
            path.display()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("new/folder/live.db");
        let first = ServingLock::acquire(&database).unwrap();
        assert!(!database.exists(), "locking creates no database");
        let error = ServingLock::acquire(&database).unwrap_err();
        assert!(matches!(error, StoreError::Conflict(_)), "{error}");
        let said = error.to_string();
        assert!(said.contains(&database.display().to_string()), "{said}");
        assert!(said.contains("another dxsurvey server is serving"), "{said}");
        drop(first);
        ServingLock::acquire(&database).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn the_lock_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("live.db");
        let _lock = ServingLock::acquire(&database).unwrap();
        let mode = std::fs::metadata(dir.path().join("live.db.lock")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
