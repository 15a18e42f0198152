//! Settings that cannot work are refused at start, named, rather than ignored until the day
//! they matter: a misspelled key (`databse`) would silently fall back to its default.

use rocket::figment::Figment;
use rocket::figment::value::Dict;
use rocket::http::uri::Absolute;

/// dxsurvey's own settings ([`super::AppConfig`]'s fields).
const OURS: [&str; 21] = [
    "database",
    "surveys",
    "reference",
    "reports",
    "templates",
    "assets",
    "public_url",
    "suppression_threshold",
    "contact",
    "starts_per_hour",
    "split_ballot",
    "mail_every_seconds",
    "smtp",
    "trusted_proxies",
    "access_log",
    "log_format",
    "sign_ins_per_minute",
    "api_calls_per_minute",
    "operator_address",
    "operator_port",
    "secret_key",
];

/// Rocket's settings (`rocket::Config`).
const ROCKETS: [&str; 17] = [
    // `ROCKET_CONFIG`, the configuration file's name, is also read as a setting.
    "config",
    "address",
    "port",
    "workers",
    "max_blocking",
    "ident",
    "ip_header",
    "proxy_proto_header",
    "limits",
    "tls",
    "mtls",
    "temp_dir",
    "keep_alive",
    "shutdown",
    "log_level",
    "cli_colors",
    "profile",
];

/// Every key of the selected profile is one dxsurvey or Rocket knows.
pub fn known_keys(figment: &Figment) -> Result<(), String> {
    let dict: Dict = figment.extract().map_err(|e| format!("configuration: {e}"))?;
    let known = |key: &str| OURS.contains(&key) || ROCKETS.contains(&key);
    let mut unknown: Vec<&String> = dict.keys().filter(|k| !known(k)).collect();
    unknown.sort();
    let Some(key) = unknown.first() else { return Ok(()) };
    let from = figment
        .find_metadata(key)
        .map(|m| match &m.source {
            Some(source) => format!(" ({}: {source})", m.name),
            None => format!(" ({})", m.name),
        })
        .unwrap_or_default();
    let hint = closest(key).map(|k| format!("; did you mean `{k}`?")).unwrap_or_default();
    Err(format!("configuration: unknown setting `{key}`{from}{hint} (settings: README.md)"))
}

/// The known key nearest `key` by edit distance, if near enough to be a typo.
fn closest(key: &str) -> Option<&'static str> {
    OURS.iter()
        .chain(ROCKETS.iter())
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// `public_url`, when set, is `http(s)://host[:port]` with nothing after: links in letters
/// and e-mails are built on it and must work.
pub fn public_url(url: Option<&str>) -> Result<(), String> {
    let Some(url) = url else { return Ok(()) };
    let refuse = |why: &str| {
        Err(format!(
            "configuration: public_url = {url:?} {why}; e.g. \"https://khaosat.hanoi.gov.vn\""
        ))
    };
    let Ok(parsed) = Absolute::parse(url) else { return refuse("is not a URL") };
    if !matches!(parsed.scheme(), "http" | "https") {
        return refuse("must start with https:// (or http://)");
    }
    let Some(host) = parsed.authority().map(|a| a.host()).filter(|h| !h.is_empty()) else {
        return refuse("has no host");
    };
    if host.contains(char::is_whitespace) {
        return refuse("has no valid host");
    }
    if !matches!(parsed.path().as_str(), "" | "/") || parsed.query().is_some() {
        return refuse("must be the site's address alone, without a path or query");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rocket::figment::providers::{Format, Serialized, Toml};

    #[test]
    fn a_misspelled_setting_is_named_with_its_likely_meaning() {
        let figment = Figment::from(Serialized::defaults(rocket::Config::default()))
            .merge(Toml::string("databse = \"x.db\"\nport = 9000"));
        let error = known_keys(&figment).unwrap_err();
        assert!(
            error.contains("`databse`") && error.contains("did you mean `database`"),
            "{error}"
        );
        let fine = Figment::from(Serialized::defaults(rocket::Config::default()))
            .merge(Toml::string("database = \"x.db\"\nsuppression_threshold = 5"));
        assert_eq!(known_keys(&fine), Ok(()));
    }

    #[test]
    fn a_public_url_must_be_a_site_address() {
        for good in ["https://khaosat.hanoi.gov.vn", "http://localhost:8000/", "https://a.vn:8443"]
        {
            assert_eq!(public_url(Some(good)), Ok(()), "{good}");
        }
        for bad in ["not a url", "ftp://x.vn", "https://", "https://x.vn/khaosat?a=1", "x.vn"] {
            let error = public_url(Some(bad)).unwrap_err();
            assert!(error.contains("public_url") && error.contains(bad), "{error}");
        }
        assert_eq!(public_url(None), Ok(()));
    }
}
