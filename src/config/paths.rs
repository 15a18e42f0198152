//! Where the files are, whatever folder the server is started in: a path written in the
//! configuration file is relative to that file's folder; a path not set anywhere is the
//! default under that same folder (the working folder when there is no file); a path given in
//! an environment variable is relative to the working folder, as on a command line. All are
//! made absolute once, here.

use std::path::{Path, PathBuf};

use rocket::figment::value::magic::RelativePathBuf;
use rocket::figment::{Figment, Source};
use serde::Deserialize;

use super::AppConfig;

/// The path settings as written, each knowing the file it was written in.
#[derive(Deserialize)]
struct Written {
    database: Option<RelativePathBuf>,
    surveys: Option<RelativePathBuf>,
    reference: Option<RelativePathBuf>,
    reports: Option<RelativePathBuf>,
    templates: Option<RelativePathBuf>,
    assets: Option<RelativePathBuf>,
}

/// Resolves `config`'s paths as the module says.
pub fn resolve(config: &mut AppConfig, figment: &Figment) -> Result<(), String> {
    let written: Written = figment.extract().map_err(|e| format!("configuration: {e}"))?;
    let base = match configuration_folder(figment) {
        Some(folder) => folder,
        None => std::env::current_dir().map_err(|e| format!("the working folder: {e}"))?,
    };
    let place = |setting: Option<RelativePathBuf>, default: &Path| -> Result<PathBuf, String> {
        let path = setting.map_or_else(|| base.join(default), |p| p.relative());
        std::path::absolute(&path).map_err(|e| format!("{}: {e}", path.display()))
    };
    config.database = place(written.database, &config.database)?;
    config.surveys = place(written.surveys, &config.surveys)?;
    config.reference = place(written.reference, &config.reference)?;
    config.reports = place(written.reports, &config.reports)?;
    config.templates = place(written.templates, &config.templates)?;
    config.assets = place(written.assets, &config.assets)?;
    Ok(())
}

/// The folder of the configuration file the settings were read from, if there is one.
fn configuration_folder(figment: &Figment) -> Option<PathBuf> {
    figment.metadata().find_map(|m| match &m.source {
        Some(Source::File(path)) if path.is_file() => {
            std::path::absolute(path).ok()?.parent().map(Path::to_path_buf)
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rocket::figment::providers::{Format, Serialized, Toml};

    #[test]
    fn paths_in_a_configuration_file_are_relative_to_its_folder() {
        let dir = tempfile::TempDir::new().unwrap();
        let file = dir.path().join("Rocket.toml");
        std::fs::write(&file, "[default]\ndatabase = \"state/x.db\"\nsurveys = \"/opt/s\"\n")
            .unwrap();
        let figment = Figment::from(Serialized::defaults(rocket::Config::default()))
            .merge(Toml::file(&file).nested());
        let config = AppConfig::from_figment(&figment).unwrap();
        let folder = std::path::absolute(dir.path()).unwrap();
        assert_eq!(config.database, folder.join("state/x.db"));
        assert_eq!(config.surveys, PathBuf::from("/opt/s"));
        assert_eq!(config.templates, folder.join("templates"), "a default under the file's folder");
        assert_eq!(config.reference, folder.join("surveys/reference"));
    }
}
