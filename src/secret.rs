//! The installation's secret: it encrypts private cookies and keys the pseudonyms of exports
//! and the access codes of invitations. From the configuration (`secret_key`), or generated on
//! first start and kept beside the database, readable by its owner only. Never a default.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::AppConfig;

/// The key file beside the database.
pub fn key_path(config: &AppConfig) -> PathBuf {
    config.database.parent().map_or_else(|| PathBuf::from("secret.key"), |d| d.join("secret.key"))
}

/// The configured key, or the kept one, or a new one written to the key file.
pub fn secret_key(
    config: &AppConfig,
    figment: &rocket::figment::Figment,
) -> Result<String, String> {
    if let Ok(configured) = figment.extract_inner::<String>("secret_key") {
        return Ok(configured);
    }
    let path = key_path(config);
    match std::fs::read_to_string(&path) {
        Ok(key) if key.trim().len() == 64 => Ok(key.trim().to_string()),
        Ok(_) => Err(format!(
            "{}: not a key of 64 hex digits; delete it to have a new one made",
            path.display()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(&path),
        Err(e) => Err(format!("{}: cannot read the secret key: {e}", path.display())),
    }
}

fn create(path: &Path) -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("cannot generate a secret key: {e}"))?;
    let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| format!("{}: cannot create the secret key: {e}", path.display()))?;
    file.write_all(key.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(key)
}
