//! `dxsurvey backup --out FILE` and `dxsurvey restore FILE`.

use std::path::Path;
use std::process::ExitCode;

use super::{CliError, say};
use crate::config::AppConfig;
use crate::store::{self, Store};

/// A consistent copy of the database, taken while the server may be running.
pub fn backup(config: &AppConfig, out: &Path) -> Result<ExitCode, CliError> {
    if !config.database.exists() {
        return Err(CliError(format!("there is no database at {}", config.database.display())));
    }
    let store = Store::open(&config.database)?;
    store.backup(out)?;
    store.write(|tx| {
        let detail = out.display().to_string();
        store::audit(tx, Some("command line"), "backup", None, Some(&detail), None)
    })?;
    let size = std::fs::metadata(out).map_or(0, |m| m.len());
    say!(
        "backed up {} to {} ({} KB); integrity check: ok",
        config.database.display(),
        out.display(),
        size.div_ceil(1024)
    );
    Ok(ExitCode::SUCCESS)
}

/// Replaces the database with a backup. The server should be stopped first: it would go on
/// serving from caches of the old content until restarted.
pub fn restore(config: &AppConfig, from: &Path) -> Result<ExitCode, CliError> {
    let store = Store::open(&config.database)?;
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let keep = config.database.with_extension(format!("before-restore-{stamp}.db"));
    store.restore(from, &keep)?;
    store.write(|tx| {
        let detail = from.display().to_string();
        store::audit(tx, Some("command line"), "restore", None, Some(&detail), None)
    })?;
    store.checkpoint()?;
    say!(
        "restored {} from {}; the previous content is kept in {}",
        config.database.display(),
        from.display(),
        keep.display()
    );
    Ok(ExitCode::SUCCESS)
}
