//! What operators see of the traffic: one access-log line per request (time, client, method,
//! path with secrets taken out, status, latency), the request metrics, and `/healthz`.
//!
//! The access log is dxsurvey's own (`tracing`, text or JSON): Rocket's log is off, since it
//! writes the paths asked for, resume tokens and access codes included.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Status;
use rocket::{Data, Request, Response, get};

use super::ClientAddress;
use crate::app::App;
use crate::config::LogFormat;

/// Path segments that follow these are secrets: a resume token (`/r/…`), an access code
/// (`/i/…`).
const SECRET_AFTER: [&str; 2] = ["r", "i"];
/// Query parameters whose values are secrets.
const SECRET_PARAMETERS: [&str; 4] = ["code", "token", "key", "password"];

/// `path?query` as the log may keep it: secret segments and values replaced by `…`.
pub fn redacted(path: &str, query: Option<&str>) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    let mut secret_next = false;
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if secret_next && !segment.is_empty() {
            out.push('…');
        } else {
            out.push_str(segment);
        }
        secret_next = i == 1 && SECRET_AFTER.contains(&segment);
    }
    if let Some(query) = query.filter(|q| !q.is_empty()) {
        out.push('?');
        for (i, pair) in query.split('&').enumerate() {
            if i > 0 {
                out.push('&');
            }
            match pair.split_once('=') {
                Some((name, _))
                    if SECRET_PARAMETERS.contains(&name.to_ascii_lowercase().as_str()) =>
                {
                    out.push_str(name);
                    out.push_str("=…");
                }
                _ => out.push_str(pair),
            }
        }
    }
    // However long the path asked for, one line stays short.
    if out.len() > MAX_LOGGED_PATH {
        let cut = (0..=MAX_LOGGED_PATH).rev().find(|&i| out.is_char_boundary(i)).unwrap_or(0);
        let length = out.len();
        out.truncate(cut);
        out.push_str(&format!("…({length} bytes)"));
    }
    out
}

/// The longest path the log writes out.
const MAX_LOGGED_PATH: usize = 512;

/// When a request arrived (kept in the request's local cache).
struct Arrived(Instant);

/// Writes the access log and counts the request metrics.
pub struct AccessLog {
    pub enabled: bool,
}

#[rocket::async_trait]
impl Fairing for AccessLog {
    fn info(&self) -> Info {
        Info { name: "access log and request metrics", kind: Kind::Request | Kind::Response }
    }

    async fn on_request(&self, request: &mut Request<'_>, _: &mut Data<'_>) {
        request.local_cache(|| Arrived(Instant::now()));
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        let seconds = request.local_cache(|| Arrived(Instant::now())).0.elapsed().as_secs_f64();
        let status = response.status().code;
        let method = request.method().as_str();
        let route = request.route().map_or("(none)", |r| r.uri.origin.path().as_str());
        crate::metrics::request(method, route, status, seconds);
        if self.enabled {
            let uri = request.uri();
            let path = redacted(uri.path().as_str(), uri.query().map(|q| q.as_str()));
            let client = ClientAddress::of(request).map(|ip| ip.to_string());
            tracing::info!(
                target: "access",
                client = %client.as_deref().unwrap_or("-"),
                method = %method,
                path = %path,
                status,
                ms = (seconds * 1e4).round() / 10.0,
            );
        }
    }
}

/// Starts the log on standard output, in `format`.
pub fn start_log(format: LogFormat) {
    let builder = tracing_subscriber::fmt().with_ansi(false).with_writer(|| Gathered);
    // Another subscriber already set (a test process) keeps its own.
    let started = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    if started.is_ok() {
        std::thread::spawn(|| {
            loop {
                std::thread::sleep(std::time::Duration::from_millis(100));
                flush_log();
            }
        });
    }
}

/// Log lines not yet written. A request appends its line here and goes on; a thread writes
/// what has gathered every 100 ms (at once past 64 KiB), so that one write carries hundreds
/// of lines under load: a write per line cost a quarter of the throughput of page views
/// (BENCHMARKS.md, issue 15).
static GATHERED: Mutex<Vec<u8>> = Mutex::new(Vec::new());
const GATHERED_MAX: usize = 64 * 1024;

/// The log's writer: appends to [`GATHERED`].
struct Gathered;

impl std::io::Write for Gathered {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut gathered = GATHERED.lock().unwrap_or_else(PoisonError::into_inner);
        gathered.extend_from_slice(bytes);
        if gathered.len() >= GATHERED_MAX {
            let lines = std::mem::take(&mut *gathered);
            drop(gathered);
            write_out(&lines);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes out the log lines gathered so far (also when the server stops).
pub fn flush_log() {
    let lines = std::mem::take(&mut *GATHERED.lock().unwrap_or_else(PoisonError::into_inner));
    if !lines.is_empty() {
        write_out(&lines);
    }
}

fn write_out(lines: &[u8]) {
    use std::io::Write;
    // Standard output gone (a closed pipe) leaves nothing to tell: the lines are dropped.
    let _ = std::io::stdout().lock().write_all(lines);
}

/// The last probe's finding, reused for a second: `/healthz` is public, and a flood of probes
/// must not become a flood of writes.
static LAST_PROBE: Mutex<Option<(Instant, Result<(), String>)>> = Mutex::new(None);

/// 200 `ok` when the database takes a write and its schema is this program's; 503 with what is
/// wrong otherwise. For the proxy's and the service manager's probes.
#[get("/healthz")]
pub async fn healthz(app: &rocket::State<App>) -> (Status, String) {
    let recent = LAST_PROBE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
        .filter(|(at, _)| at.elapsed() < Duration::from_secs(1))
        .map(|(_, found)| found.clone());
    let found = match recent {
        Some(found) => found,
        None => {
            let app = app.inner().clone();
            let found = super::blocking(move || app.store.health())
                .await
                .unwrap_or_else(|_| Err("the probe did not finish".into()));
            *LAST_PROBE.lock().unwrap_or_else(PoisonError::into_inner) =
                Some((Instant::now(), found.clone()));
            found
        }
    };
    match found {
        Ok(()) => (Status::Ok, "ok\n".into()),
        Err(why) => (Status::ServiceUnavailable, format!("unavailable: {why}\n")),
    }
}

/// Prometheus' text format (see [`crate::metrics`]), on the operators' listener only.
#[get("/metrics")]
pub fn metrics() -> (rocket::http::ContentType, String) {
    let content_type = rocket::http::ContentType::new("text", "plain")
        .with_params([("version", "0.0.4"), ("charset", "utf-8")]);
    (content_type, crate::metrics::exposition())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_codes_never_reach_the_log() {
        assert_eq!(redacted("/r/AbC123secret/p/3", Some("saved=true")), "/r/…/p/3?saved=true");
        assert_eq!(redacted("/i/7KQ2-MX4P", None), "/i/…");
        assert_eq!(redacted("/i", Some("code=7KQ2MX4P&lang=en")), "/i?code=…&lang=en");
        assert_eq!(redacted("/r/", None), "/r/");
        assert_eq!(redacted("/stats", Some("wave=2026")), "/stats?wave=2026");
        assert_eq!(redacted("/areas/r/x", None), "/areas/r/x", "only a leading /r/ holds a token");
        assert_eq!(redacted("/", Some("Token=abc")), "/?Token=…");
        let long = redacted(&format!("/{}", "ệ".repeat(5000)), None);
        assert!(long.len() < 600 && long.ends_with("…(15001 bytes)"), "{long}");
    }
}
