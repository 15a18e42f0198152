//! Settings: Rocket's usual sources (`Rocket.toml`, `ROCKET_*` variables) read into a typed
//! configuration, so the server and the command line see the same values. A setting nobody
//! knows, or a value that cannot work, stops the start with the setting named (see
//! [`check`]); relative paths are resolved once, at start (see [`paths`]).

mod check;
mod paths;

use std::net::IpAddr;
use std::path::PathBuf;

use rocket::figment::Figment;
use serde::Deserialize;

use crate::kernel::net::Network;

/// How the access log is written on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One line of `key=value` fields per request.
    #[default]
    Text,
    /// One JSON object per request, for log collectors.
    Json,
}

/// Where dxsurvey finds its files, and how it serves.
#[derive(Debug, Clone, Deserialize)]
pub struct AppConfig {
    /// The SQLite database, created on first start.
    #[serde(default = "defaults::database")]
    pub database: PathBuf,
    /// Folder of questionnaire files.
    #[serde(default = "defaults::surveys")]
    pub surveys: PathBuf,
    /// Folder of reference data.
    #[serde(default = "defaults::reference")]
    pub reference: PathBuf,
    /// Folder of report content (recommendations, report texts).
    #[serde(default = "defaults::reports")]
    pub reports: PathBuf,
    /// Folder of page templates.
    #[serde(default = "defaults::templates")]
    pub templates: PathBuf,
    /// The address the public uses, e.g. `https://dx.hanoi.gov.vn` (behind a reverse proxy);
    /// links in pages and e-mails use it. Without it, the request's `Host` is used.
    #[serde(default)]
    pub public_url: Option<String>,
    /// Fewest respondents a published figure may rest on (never below 3).
    #[serde(default = "defaults::threshold")]
    pub suppression_threshold: u32,
    /// Whom respondents contact about the survey (an e-mail address or a telephone number),
    /// shown on the pages that refuse a request, such as a closed wave's.
    #[serde(default)]
    pub contact: Option<String>,
    /// Self-declared starts allowed per client address and hour in an open wave (a ward office
    /// helping its enterprises shares one address: not too few).
    #[serde(default = "defaults::starts_per_hour")]
    pub starts_per_hour: u32,
    /// Whether a questionnaire's split-ballot experiment assigns each new response an arm at
    /// random (the pilot); when off, every respondent gets the file's order and wording, the
    /// reference arm, and no arm is stored (the main fieldwork after the pilot).
    #[serde(default = "defaults::split_ballot")]
    pub split_ballot: bool,
    /// Folder of static files (CSS, fonts).
    #[serde(default = "defaults::assets")]
    pub assets: PathBuf,
    /// How often the server sends queued e-mail and checks the reminder dates, in seconds.
    #[serde(default = "defaults::mail_every_seconds")]
    pub mail_every_seconds: u64,
    /// The SMTP server invitations and reminders go through; without it, no e-mail is sent.
    #[serde(default)]
    pub smtp: Option<SmtpConfig>,
    /// The reverse proxies (addresses or networks) whose `X-Forwarded-For` and
    /// `X-Forwarded-Proto` are believed. From any other peer these headers are ignored, and
    /// `X-Real-IP` always is (docs/deployment.md).
    #[serde(default)]
    pub trusted_proxies: Vec<Network>,
    /// Whether every request is written to the access log (on by default).
    #[serde(default = "defaults::yes")]
    pub access_log: bool,
    /// `text` or `json`.
    #[serde(default)]
    pub log_format: LogFormat,
    /// Sign-in attempts per client address and minute, before any password is checked.
    #[serde(default = "defaults::sign_ins_per_minute")]
    pub sign_ins_per_minute: u32,
    /// API requests (`/api/...`) per client address and minute.
    #[serde(default = "defaults::api_calls_per_minute")]
    pub api_calls_per_minute: u32,
    /// The operators' listener (`/metrics`, `/healthz`): its address and port. Without a
    /// port there is none (`/healthz` is on the main listener all the same).
    #[serde(default = "defaults::operator_address")]
    pub operator_address: IpAddr,
    #[serde(default)]
    pub operator_port: Option<u16>,
}

/// How to reach the SMTP server (`[default.smtp]` in Rocket.toml, or `ROCKET_SMTP`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default = "defaults::smtp_port")]
    pub port: u16,
    /// `starttls` (the default), `tls` (implicit, usually port 465) or `none` (a local relay).
    #[serde(default = "defaults::smtp_tls")]
    pub tls: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// The sender, e.g. `Khảo sát chuyển đổi số Hà Nội <khaosat@hanoi.gov.vn>`.
    pub from: String,
    /// SMTP conversations at once. Each waits mostly on the network and the server: 8 sent
    /// 125 e-mails/s to a local server, 16 about 170, 32 about 250 (BENCHMARKS.md); lower it
    /// for a relay that limits connections per client.
    #[serde(default = "defaults::smtp_connections")]
    pub connections: u32,
}

mod defaults {
    use std::path::PathBuf;

    pub fn database() -> PathBuf {
        PathBuf::from("data/dxsurvey.db")
    }
    pub fn surveys() -> PathBuf {
        PathBuf::from("surveys")
    }
    pub fn reference() -> PathBuf {
        PathBuf::from("surveys/reference")
    }
    pub fn reports() -> PathBuf {
        PathBuf::from("reports")
    }
    pub fn templates() -> PathBuf {
        PathBuf::from("templates")
    }
    pub fn threshold() -> u32 {
        crate::stats::DEFAULT_THRESHOLD
    }
    pub fn mail_every_seconds() -> u64 {
        60
    }
    pub fn smtp_port() -> u16 {
        587
    }
    pub fn smtp_connections() -> u32 {
        32
    }
    pub fn smtp_tls() -> String {
        "starttls".into()
    }
    pub fn starts_per_hour() -> u32 {
        30
    }
    pub fn split_ballot() -> bool {
        true
    }
    pub fn assets() -> PathBuf {
        PathBuf::from("assets")
    }
    pub fn yes() -> bool {
        true
    }
    pub fn sign_ins_per_minute() -> u32 {
        10
    }
    pub fn api_calls_per_minute() -> u32 {
        120
    }
    pub fn operator_address() -> std::net::IpAddr {
        std::net::Ipv4Addr::LOCALHOST.into()
    }
}

impl AppConfig {
    /// The settings of a checkout at `root` (its surveys, reports, templates and assets) with
    /// the database at `database` and no optional setting: for tests and benchmarks.
    pub fn of_checkout(root: &std::path::Path, database: PathBuf) -> AppConfig {
        AppConfig {
            database,
            surveys: root.join("surveys"),
            reference: root.join("surveys/reference"),
            reports: root.join("reports"),
            templates: root.join("templates"),
            assets: root.join("assets"),
            public_url: None,
            contact: None,
            suppression_threshold: 5,
            starts_per_hour: defaults::starts_per_hour(),
            split_ballot: defaults::split_ballot(),
            smtp: None,
            mail_every_seconds: defaults::mail_every_seconds(),
            trusted_proxies: Vec::new(),
            access_log: false,
            log_format: LogFormat::Text,
            sign_ins_per_minute: defaults::sign_ins_per_minute(),
            api_calls_per_minute: defaults::api_calls_per_minute(),
            operator_address: defaults::operator_address(),
            operator_port: None,
        }
    }

    /// Reads the settings from Rocket's configuration sources: refuses a setting nobody knows
    /// and a value that cannot work, naming it, and resolves the paths.
    pub fn from_figment(figment: &Figment) -> Result<AppConfig, String> {
        check::known_keys(figment)?;
        let mut config: AppConfig = figment.extract().map_err(|e| format!("configuration: {e}"))?;
        check::public_url(config.public_url.as_deref())?;
        paths::resolve(&mut config, figment)?;
        Ok(config)
    }

    /// The same settings with the suppression threshold a command was given, if any.
    pub fn with_threshold(&self, threshold: Option<u32>) -> AppConfig {
        AppConfig {
            suppression_threshold: threshold.unwrap_or(self.suppression_threshold),
            ..self.clone()
        }
    }

    /// Reads the settings from `Rocket.toml` and the environment.
    pub fn load() -> Result<AppConfig, String> {
        AppConfig::from_figment(&rocket::Config::figment())
    }
}
