//! `dxsurvey backup --out FILE | --dir DIR [--keep N]` and `dxsurvey restore FILE`.
//!
//! The database and the installation's secret key travel together: without the key a restored
//! database still holds every answer, but open invitations' access codes stop working and
//! export pseudonyms change. So a backup writes the key beside the copy (`FILE.key`), and a
//! restore installs it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{CliError, say};
use crate::config::AppConfig;
use crate::store::{self, ServingLock, Store, StoreError};

/// The options of `dxsurvey backup`: one file, or a folder of dated backups.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["out", "dir"])))]
pub struct BackupArgs {
    /// The copy to write (replaced if it exists); the secret key goes to FILE.key.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Write `DIR/dxsurvey-YYYYMMDDTHHMMSSZ.db` (UTC) and its `.key`, creating DIR (mode 0700)
    /// if missing, then delete the oldest such pairs beyond `--keep`. Nothing else in DIR is
    /// touched.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// With --dir: how many of the newest backups to keep (at least 1) [default: 14].
    #[arg(long, value_name = "N", conflicts_with = "out")]
    #[arg(value_parser = clap::value_parser!(u32).range(1..))]
    keep: Option<u32>,
}

/// Dated backups kept by default: two weeks of nightly ones.
const KEEP: u32 = 14;

/// A consistent copy of the database and its key, taken while the server may be running.
pub fn backup(config: &AppConfig, args: BackupArgs) -> Result<ExitCode, CliError> {
    if !config.database.exists() {
        return Err(CliError(format!("there is no database at {}", config.database.display())));
    }
    let out = match (&args.out, &args.dir) {
        (Some(out), None) => out.clone(),
        (None, Some(dir)) => {
            private_dir(dir)?;
            dir.join(dated_name(time::OffsetDateTime::now_utc())?)
        }
        _ => return Err(CliError("give either --out FILE or --dir DIR, not both".into())),
    };
    let store = Store::open(&config.database)?;
    store.backup(&out)?;
    let key = keep_key(config, &out)?;
    let removed = match &args.dir {
        Some(dir) => prune(dir, args.keep.unwrap_or(KEEP) as usize, &out)?,
        None => Vec::new(),
    };
    let mut detail = format!("{}; {}", out.display(), key.said());
    if !removed.is_empty() {
        detail.push_str(&format!("; removed {}", removed.join(", ")));
    }
    store
        .write(|tx| store::audit(tx, Some("command line"), "backup", None, Some(&detail), None))?;
    let size = std::fs::metadata(&out).map_or(0, |m| m.len());
    say!(
        "backed up {} to {} ({} KB); integrity check: ok; {}",
        config.database.display(),
        out.display(),
        size.div_ceil(1024),
        key.said()
    );
    if let Some(dir) = &args.dir {
        say!(
            "{} keeps the newest {} backups; removed {}",
            dir.display(),
            args.keep.unwrap_or(KEEP),
            if removed.is_empty() { "none".to_string() } else { removed.join(", ") }
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Where the installation's secret key went with a backup.
enum KeptKey {
    /// Copied to this companion file.
    Written(PathBuf),
    /// Set in the configuration, which has to be backed up itself.
    Configured,
    /// Not made yet (the server makes it at its first start): nothing to keep.
    NotYet(PathBuf),
}

impl KeptKey {
    fn said(&self) -> String {
        match self {
            KeptKey::Written(path) => format!("the secret key is in {}", path.display()),
            KeptKey::Configured => "the secret key is set in the configuration (secret_key): back \
                                    it up with the configuration"
                .into(),
            KeptKey::NotYet(path) => format!("there is no secret key yet at {}", path.display()),
        }
    }
}

/// Copies the key file to `<out>.key`, unless the configuration sets the key. Then a companion
/// left by an earlier backup to the same name is deleted: a restore would install it.
fn keep_key(config: &AppConfig, out: &Path) -> Result<KeptKey, CliError> {
    let companion = companion(out);
    if key_configured() {
        remove(&companion)?;
        return Ok(KeptKey::Configured);
    }
    let path = crate::secret::key_path(config);
    let key = match std::fs::read(&path) {
        Ok(key) => key,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            remove(&companion)?;
            return Ok(KeptKey::NotYet(path));
        }
        Err(e) => {
            return Err(CliError(format!("{}: cannot read the secret key: {e}", path.display())));
        }
    };
    write_private(&companion, &key)?;
    Ok(KeptKey::Written(companion))
}

/// Whether `secret_key` is set in Rocket.toml or ROCKET_SECRET_KEY: `secret::secret_key` then
/// uses it and ignores the key file.
fn key_configured() -> bool {
    rocket::Config::figment().extract_inner::<String>("secret_key").is_ok()
}

/// `<file>.key`: the key of the backup `file`.
fn companion(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".key");
    PathBuf::from(name)
}

/// Writes `content` to `path`, readable by its owner only, through a temporary file renamed
/// over it: a reader never sees half a key, and an old file with a looser mode is replaced.
fn write_private(path: &Path, content: &[u8]) -> Result<(), CliError> {
    let mut name = path.as_os_str().to_owned();
    name.push(".tmp");
    let temporary = PathBuf::from(name);
    let failed = |e: std::io::Error| CliError(format!("cannot write {}: {e}", path.display()));
    match std::fs::remove_file(&temporary) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(failed(e)),
        _ => {}
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temporary).map_err(failed)?;
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600)).map_err(failed)?;
    file.write_all(content).and_then(|()| file.sync_all()).map_err(failed)?;
    std::fs::rename(&temporary, path).map_err(failed)
}

/// Creates the backup folder readable by its owner only, if it is missing; an existing folder
/// keeps the mode its owner gave it.
fn private_dir(dir: &Path) -> Result<(), CliError> {
    if dir.is_dir() {
        return Ok(());
    }
    let failed = |e: std::io::Error| CliError(format!("cannot create {}: {e}", dir.display()));
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(failed)?;
    #[cfg(unix)]
    std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .map_err(failed)?;
    Ok(())
}

/// `dxsurvey-YYYYMMDDTHHMMSSZ.db`: names sort as their moments do.
fn dated_name(at: time::OffsetDateTime) -> Result<String, CliError> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let stamp = at.to_offset(time::UtcOffset::UTC).format(format)?;
    Ok(format!("dxsurvey-{stamp}.db"))
}

/// Whether `name` is exactly a name [`dated_name`] gives: rotation deletes nothing else.
fn is_dated(name: &str) -> bool {
    let Some(stamp) = name.strip_prefix("dxsurvey-").and_then(|n| n.strip_suffix("Z.db")) else {
        return false;
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let Some((day, hour)) = stamp.split_once('T') else {
        return false;
    };
    day.len() == 8 && hour.len() == 6 && digits(day) && digits(hour)
}

/// Deletes the oldest dated backups of `dir` (and their keys) beyond the newest `keep`, never
/// `fresh`, the one just written (were the clock set back, it would sort among the oldest).
/// Returns the names of the backups deleted.
fn prune(dir: &Path, keep: usize, fresh: &Path) -> Result<Vec<String>, CliError> {
    let failed = |e: std::io::Error| CliError(format!("cannot list {}: {e}", dir.display()));
    let fresh = fresh.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let mut dated = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(failed)? {
        let entry = entry.map_err(failed)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_dated(&name) && name != fresh && entry.file_type().map_err(failed)?.is_file() {
            dated.push(name);
        }
    }
    dated.sort();
    let excess = dated.len().saturating_sub(keep.saturating_sub(1));
    dated.truncate(excess);
    for name in &dated {
        // Its key, and what SQLite may have left beside it (older versions kept copies in WAL
        // mode, and opening one made `-wal` and `-shm` files).
        for beside in [".key", "-wal", "-shm", "-journal"] {
            remove(&dir.join(format!("{name}{beside}")))?;
        }
        remove(&dir.join(name))?;
    }
    Ok(dated)
}

/// Deletes `path`; one already gone is fine.
fn remove(path: &Path) -> Result<(), CliError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(CliError(format!("cannot delete {}: {e}", path.display())))
        }
        _ => Ok(()),
    }
}

/// Replaces the database with a backup, and the key with the backup's key. Refused while a
/// server serves the database: it would go on serving from caches of the old content, and its
/// key, until restarted. The lock is held throughout, so no server starts meanwhile.
pub fn restore(config: &AppConfig, from: &Path) -> Result<ExitCode, CliError> {
    let database = &config.database;
    let _serving = ServingLock::acquire(database).map_err(|e| match e {
        StoreError::Conflict(_) => CliError(format!(
            "a dxsurvey server is serving {}: stop it first (systemctl stop dxsurvey)",
            database.display()
        )),
        other => other.into(),
    })?;
    let key = backup_key(from)?;
    let store = Store::open(database)?;
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let keep = database.with_extension(format!("before-restore-{stamp}.db"));
    store.restore(from, &keep)?;
    let installed = match &key {
        Some(key) => install_key(config, key, stamp)?,
        None => InstalledKey::Missing(companion(from)),
    };
    store.write(|tx| {
        let detail = format!("{}; {}", from.display(), installed.said());
        store::audit(tx, Some("command line"), "restore", None, Some(&detail), None)
    })?;
    store.checkpoint()?;
    say!(
        "restored {} from {}; the previous content is kept in {}",
        database.display(),
        from.display(),
        keep.display()
    );
    match installed {
        InstalledKey::Missing(_) => eprintln!("warning: {}", installed.said()),
        _ => say!("{}", installed.said()),
    }
    if key.is_some() && key_configured() {
        eprintln!(
            "warning: the configuration sets secret_key, which the server uses instead of {}: \
             set it to that file's content, or remove it",
            crate::secret::key_path(config).display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The key beside the backup (`<from>.key`), checked before anything changes; `None` if the
/// backup has none.
fn backup_key(from: &Path) -> Result<Option<String>, CliError> {
    let path = companion(from);
    let key = match std::fs::read_to_string(&path) {
        Ok(key) => key.trim().to_string(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CliError(format!("{}: cannot read the key: {e}", path.display()))),
    };
    if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(CliError(format!(
            "{}: not a secret key of 64 hex digits; nothing was restored (move it away to \
             restore the database without it)",
            path.display()
        )));
    }
    Ok(Some(key))
}

/// What a restore did with the installation's key.
enum InstalledKey {
    /// The backup's key is in place; the different key it replaced is kept in the second path.
    Installed(PathBuf, Option<PathBuf>),
    /// The installation already had the backup's key.
    Same(PathBuf),
    /// The backup came without this companion key file.
    Missing(PathBuf),
}

impl InstalledKey {
    fn said(&self) -> String {
        match self {
            InstalledKey::Installed(path, None) => {
                format!("installed the backup's secret key as {}", path.display())
            }
            InstalledKey::Installed(path, Some(kept)) => format!(
                "installed the backup's secret key as {}; the previous key is kept in {}",
                path.display(),
                kept.display()
            ),
            InstalledKey::Same(path) => {
                format!("{} already holds the backup's secret key", path.display())
            }
            InstalledKey::Missing(companion) => format!(
                "no {} beside the backup: pseudonyms and open invitations' access codes need the \
                 original installation's secret key (its secret.key, or secret_key in its \
                 configuration)",
                companion.display()
            ),
        }
    }
}

/// Installs `key` as the key file beside the database. A different key already there is first
/// copied to `secret.key.before-restore-<stamp>`, so the restore can be undone; the new one
/// then replaces it in one rename, so the server never finds no key and makes a new one.
fn install_key(config: &AppConfig, key: &str, stamp: i64) -> Result<InstalledKey, CliError> {
    let path = crate::secret::key_path(config);
    let kept = match std::fs::read(&path) {
        Ok(current) if String::from_utf8_lossy(&current).trim() == key => {
            return Ok(InstalledKey::Same(path));
        }
        Ok(current) => {
            let kept = path.with_file_name(format!("secret.key.before-restore-{stamp}"));
            write_private(&kept, &current)?;
            Some(kept)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(CliError(format!("{}: cannot read the secret key: {e}", path.display())));
        }
    };
    write_private(&path, key.as_bytes())?;
    Ok(InstalledKey::Installed(path, kept))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dated_name_is_the_only_kind_rotation_deletes() {
        let at = time::macros::datetime!(2026-03-04 05:06:07 +7);
        let name = dated_name(at).unwrap();
        assert_eq!(name, "dxsurvey-20260303T220607Z.db", "in UTC");
        assert!(is_dated(&name));
        for other in [
            "dxsurvey-20260303T220607Z.db.key",
            "dxsurvey-20260303T220607Z.db-journal",
            "dxsurvey-2026030T220607Z.db",
            "dxsurvey-20260303T22060xZ.db",
            "dxsurvey-20260303-220607Z.db",
            "mine-20260303T220607Z.db",
            "dxsurvey-.db",
            "notes.txt",
        ] {
            assert!(!is_dated(other), "{other}");
        }
    }
}
