//! Running it in production (issue 15), tried from outside against the real binary over real
//! HTTP, as an attacker and an operator would: forged client addresses, password spraying and
//! lockout, oversized input, the access log, signals, file modes, settings that cannot work, and
//! the operators' listener.

use std::fs::File;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use dxsurvey::app::App;
use dxsurvey::auth::StaffRole;
use dxsurvey::service::Actor;
use dxsurvey::service::accounts::{NewUser, add_user};
use tempfile::TempDir;

use crate::helpers::{Running, config, free_port, repo, wait_for};

pub const PASSWORD: &str = "the right password, long enough";

/// A server on `dir`'s database with `settings` (`ROCKET_*` variables), its standard output
/// written to `dir/server.log`. Returns it and its port.
pub fn server(dir: &Path, settings: &[(&str, &str)]) -> (Running, u16) {
    let port = free_port();
    let log = File::create(dir.join("server.log")).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_dxsurvey"));
    command
        .current_dir(repo())
        .arg("serve")
        .env("DXSURVEY_DATABASE", dir.join("data/dxsurvey.db"))
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_SPLIT_BALLOT", "false")
        .stdout(Stdio::from(log.try_clone().unwrap()))
        .stderr(Stdio::from(log));
    for (key, value) in settings {
        command.env(key, value);
    }
    let running = Running(command.spawn().unwrap());
    wait_for(port, "dxsurvey");
    (running, port)
}

/// An installation in `dir` with one administrator, `admin@hanoi.gov.vn`.
pub fn installation_with_admin(dir: &TempDir) -> App {
    let app = App::start(&config(dir)).unwrap();
    let admin = NewUser {
        email: "admin@hanoi.gov.vn".into(),
        role: StaffRole::Administrator,
        areas: vec![],
        groups: vec![],
        password: Some(PASSWORD.into()),
    };
    add_user(&app, &admin, &Actor::command_line()).unwrap();
    app
}

/// An answer: status, headers (lower-case names) and body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request to `port`, with `headers` and a form `body` if any.
pub fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() {
        request.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    parse(&String::from_utf8_lossy(&raw))
}

pub fn parse(raw: &str) -> Answer {
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok());
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Answer { status: status.unwrap_or(0), headers, body: body.to_string() }
}

/// Every byte but letters and digits escaped, as a form.
pub fn form(fields: &[(&str, &str)]) -> String {
    let fields: Vec<(String, String)> =
        fields.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect();
    crate::respond::encode(&fields)
}

/// Opens the sign-in form as a browser does: its cookie and its CSRF field.
pub fn login_form(port: u16, headers: &[(&str, &str)]) -> (String, String) {
    let page = http(port, "GET", "/login", headers, "");
    let cookie = page.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
    let csrf = page.body.split("name=\"csrf\" value=\"").nth(1).unwrap();
    (cookie, csrf.split('"').next().unwrap().to_string())
}

/// Tries `email` and `password` with the extra `headers`: the answer's status.
pub fn sign_in(port: u16, email: &str, password: &str, headers: &[(&str, &str)]) -> u16 {
    let (cookie, csrf) = login_form(port, headers);
    let mut all = headers.to_vec();
    all.push(("Cookie", &cookie));
    let body = form(&[("csrf", &csrf), ("email", email), ("password", password)]);
    http(port, "POST", "/login", &all, &body).status
}

/// The `address` column of the audit log's entries of `action`.
pub fn audited_from(database: &Path, action: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(database).unwrap();
    let mut stmt = conn
        .prepare("SELECT coalesce(address, '') FROM audit_log WHERE action = ?1 ORDER BY id")
        .unwrap();
    stmt.query_map([action], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

fn database(dir: &TempDir) -> PathBuf {
    dir.path().join("data/dxsurvey.db")
}

#[test]
fn a_forged_client_address_changes_neither_the_throttle_nor_the_audit_log() {
    let dir = TempDir::new().unwrap();
    drop(installation_with_admin(&dir));
    // No proxy is trusted: whatever a client says about its address is ignored.
    let (_server, port) = server(dir.path(), &[]);
    // Password spraying: one guess per account, a new claimed address each time, so that only
    // the client's own address can hold it back.
    let mut statuses = Vec::new();
    for n in 1..=25 {
        let forged = format!("198.51.100.{n}");
        let headers = [("X-Real-IP", forged.as_str()), ("X-Forwarded-For", forged.as_str())];
        statuses.push(sign_in(port, &format!("user{n}@hanoi.gov.vn"), "Spring2026!", &headers));
    }
    let first_wait = statuses.iter().position(|s| *s == 429);
    assert!(
        first_wait.is_some_and(|n| n <= 10),
        "one client is held back whatever address it claims: {statuses:?}"
    );
    let from = audited_from(&database(&dir), "login.failure");
    assert!(!from.is_empty() && from.iter().all(|a| a == "127.0.0.1"), "{from:?}");
}

#[test]
fn a_sixty_kib_email_is_refused_before_it_reaches_the_audit_log() {
    let dir = TempDir::new().unwrap();
    drop(installation_with_admin(&dir));
    let (_server, port) = server(dir.path(), &[]);
    let huge = format!("{}@hanoi.gov.vn", "a".repeat(60 * 1024));
    let (cookie, csrf) = login_form(port, &[]);
    let body = form(&[("csrf", &csrf), ("email", &huge), ("password", "x")]);
    let refused = http(port, "POST", "/login", &[("Cookie", &cookie)], &body);
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("254"), "the page says how long it may be");
    let conn = rusqlite::Connection::open(database(&dir)).unwrap();
    let longest: i64 = conn
        .query_row("SELECT coalesce(max(length(coalesce(actor, ''))), 0) FROM audit_log", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(longest < 300, "nothing that long is audited: {longest}");
    let failures: i64 =
        conn.query_row("SELECT count(*) FROM login_failures", [], |r| r.get(0)).unwrap();
    assert_eq!(failures, 0, "refused unread: not even counted");
    // One client cannot grow the log without bound: 40 failures, a handful of entries.
    let (_server, port) = (_server, port);
    for _ in 0..40 {
        sign_in(port, "nobody@hanoi.gov.vn", "wrong", &[]);
    }
    let entries = audited_from(&database(&dir), "login.failure").len();
    assert!((1..=8).contains(&entries), "{entries} entries for 40 attempts");
}

#[test]
fn the_owner_signs_in_while_strangers_hammer_the_account() {
    let dir = TempDir::new().unwrap();
    drop(installation_with_admin(&dir));
    // Behind a proxy on this machine, which says who the clients are.
    let (_server, port) = server(dir.path(), &[("ROCKET_TRUSTED_PROXIES", "[\"127.0.0.1\"]")]);
    let owner = [("X-Forwarded-For", "192.0.2.10")];
    assert_eq!(sign_in(port, "admin@hanoi.gov.vn", PASSWORD, &owner), 303);
    // Strangers from twenty addresses guess the password.
    for n in 1..=20 {
        let stranger = format!("203.0.113.{n}");
        let status =
            sign_in(port, "admin@hanoi.gov.vn", "guess", &[("X-Forwarded-For", &stranger)]);
        assert!(matches!(status, 401 | 429), "{status}");
    }
    // A new address meets the account's delay, even with the right password...
    let newcomer = [("X-Forwarded-For", "192.0.2.99")];
    assert_eq!(sign_in(port, "admin@hanoi.gov.vn", PASSWORD, &newcomer), 429);
    // ... while the owner, from where they signed in before, gets in.
    assert_eq!(sign_in(port, "admin@hanoi.gov.vn", PASSWORD, &owner), 303);
    let from = audited_from(&database(&dir), "login");
    assert_eq!(from, ["192.0.2.10", "192.0.2.10"], "the audit log names the real client");
}

#[test]
fn sighup_leaves_the_server_serving() {
    let dir = TempDir::new().unwrap();
    let (mut server, port) = server(dir.path(), &[]);
    let hup = Command::new("kill").args(["-HUP", &server.0.id().to_string()]).status().unwrap();
    assert!(hup.success());
    std::thread::sleep(Duration::from_millis(500));
    assert!(server.0.try_wait().unwrap().is_none(), "still running");
    assert_eq!(http(port, "GET", "/healthz", &[], "").status, 200);
    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
    assert!(log.contains("SIGHUP"), "{log}");
}

/// The mode bits of `path`.
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn everything_the_server_and_commands_create_is_the_owners_alone() {
    let dir = TempDir::new().unwrap();
    let (server, port) = server(dir.path(), &[]);
    assert_eq!(http(port, "GET", "/", &[], "").status, 200);
    let data = dir.path().join("data");
    assert_eq!(mode(&data), 0o700);
    for file in ["dxsurvey.db", "dxsurvey.db-wal", "dxsurvey.db-shm", "secret.key"] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    drop(server);
    let export = dir.path().join("export");
    let wave = dxsurvey::kernel::format::today().year().to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_dxsurvey"))
        .current_dir(repo())
        .args(["export", "--wave", &wave, "--out", export.to_str().unwrap()])
        .env("DXSURVEY_DATABASE", data.join("dxsurvey.db"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(mode(&export), 0o700);
    for entry in std::fs::read_dir(&export).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
}

/// Starts a self-declared response in the open wave; returns its resume token.
fn start_response(port: u16) -> String {
    let survey =
        dxsurvey::survey::load_file(&repo().join("surveys/enterprise-dx.toml")).unwrap().survey;
    let answers = crate::respond::example("enterprise-answers.json");
    let fields = dxsurvey::answers::form::page_fields(&survey, 0, &answers);
    let body = crate::respond::encode(&fields);
    let wave = dxsurvey::kernel::format::today().year().to_string();
    let started = http(port, "POST", &format!("/start/{wave}/enterprise-dx"), &[], &body);
    assert_eq!(started.status, 303, "{}", started.body);
    let location = started.header("location").unwrap();
    location.trim_start_matches("/r/").split('/').next().unwrap().to_string()
}

#[test]
fn the_access_log_never_holds_a_resume_token_at_any_level() {
    for (format, level) in [("text", "normal"), ("json", "debug")] {
        let dir = TempDir::new().unwrap();
        let settings = [("ROCKET_LOG_FORMAT", format), ("ROCKET_LOG_LEVEL", level)];
        let (server, port) = server(dir.path(), &settings);
        let token = start_response(port);
        assert_eq!(http(port, "GET", &format!("/r/{token}/p/2"), &[], "").status, 200);
        http(port, "GET", "/i/7KQ2MX4PAB", &[], "");
        http(port, "GET", "/i?code=7KQ2MX4PAB&lang=en", &[], "");
        // Lines are written every 100 ms; the server is then killed, not stopped.
        let written = || std::fs::read_to_string(dir.path().join("server.log")).unwrap();
        for _ in 0..50 {
            if written().contains("/i?code=") {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        drop(server);
        let log = written();
        assert!(!log.contains(&token) && !log.contains("7KQ2MX4PAB"), "{format}: {log}");
        let lines: Vec<&str> = log.lines().filter(|l| l.contains("/r/…/p/2")).collect();
        assert_eq!(lines.len(), 1, "{format}: one line per request: {log}");
        let line = lines[0];
        if format == "json" {
            let entry: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(entry["status"], 200);
            assert_eq!(entry["method"], "GET");
            assert_eq!(entry["client"], "127.0.0.1");
            assert!(entry["ms"].as_f64().is_some() && entry["timestamp"].is_string());
        } else {
            for field in ["client=127.0.0.1", "method=GET", "status=200", "ms="] {
                assert!(line.contains(field), "{line}");
            }
        }
        assert!(log.contains("/i/…") && log.contains("/i?code=…&lang=en"), "{log}");
    }
}

#[test]
fn settings_that_cannot_work_stop_the_start_with_their_name() {
    let dir = TempDir::new().unwrap();
    let start = |env: &[(&str, &str)], cwd: &Path| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dxsurvey"));
        command.current_dir(cwd).arg("check").env("DXSURVEY_DATABASE", dir.path().join("x.db"));
        for (k, v) in env {
            command.env(k, v);
        }
        let output = command.output().unwrap();
        (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
    };
    let (ok, said) = start(&[("ROCKET_PUBLIC_URL", "not a url")], repo());
    assert!(!ok && said.contains("public_url") && said.contains("not a url"), "{said}");
    let file = dir.path().join("Rocket.toml");
    std::fs::write(&file, "[default]\nsuppresion_threshold = 7\n").unwrap();
    let (ok, said) = start(&[("ROCKET_CONFIG", file.to_str().unwrap())], repo());
    assert!(!ok && said.contains("`suppresion_threshold`"), "{said}");
    assert!(said.contains("suppression_threshold") && said.contains("Rocket.toml"), "{said}");

    // The repository's settings, from another folder: its paths are the file's.
    let elsewhere = TempDir::new().unwrap();
    let repository = repo().join("Rocket.toml");
    let (ok, said) = start(&[("ROCKET_CONFIG", repository.to_str().unwrap())], elsewhere.path());
    assert!(ok, "{said}");
}

#[test]
fn operators_read_health_and_metrics_on_their_own_listener() {
    let dir = TempDir::new().unwrap();
    let operators = free_port();
    let settings = [("ROCKET_OPERATOR_PORT", operators.to_string())];
    let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (_server, port) = server(dir.path(), &settings);
    wait_for(operators, "the operators' listener");
    let token = start_response(port);
    let survey =
        dxsurvey::survey::load_file(&repo().join("surveys/enterprise-dx.toml")).unwrap().survey;
    let answers = crate::respond::example("enterprise-answers.json");
    let body = crate::respond::encode(&dxsurvey::answers::form::page_fields(&survey, 1, &answers));
    assert_eq!(http(port, "POST", &format!("/r/{token}/p/2"), &[], &body).status, 303);

    assert_eq!(http(port, "GET", "/metrics", &[], "").status, 404, "not on the public site");
    assert_eq!(http(port, "GET", "/healthz", &[], "").body, "ok\n");
    assert_eq!(http(operators, "GET", "/healthz", &[], "").body, "ok\n");
    let metrics = http(operators, "GET", "/metrics", &[], "");
    assert_eq!(metrics.status, 200);
    assert!(metrics.header("content-type").unwrap().starts_with("text/plain; version=0.0.4"));
    let text = &metrics.body;
    let value = |series: &str| -> f64 {
        let line = text
            .lines()
            .find(|l| l.starts_with(series))
            .unwrap_or_else(|| panic!("{series}: {text}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    let saved =
        "dxsurvey_http_requests_total{method=\"POST\",route=\"/r/<token>/p/<n>\",status=\"303\"}";
    assert_eq!(value(saved), 1.0);
    assert!(!text.contains(&token), "routes, never paths");
    assert!(value("dxsurvey_answer_pages_saved_total") >= 1.0);
    assert!(value("dxsurvey_write_batch_size_count") >= 2.0, "the start and the save");
    let latency =
        "dxsurvey_http_request_duration_seconds_count{method=\"POST\",route=\"/r/<token>/p/<n>\"}";
    assert_eq!(value(latency), 1.0);
}
