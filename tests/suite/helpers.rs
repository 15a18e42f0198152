//! What every test needs: the repository's paths, a private database, the binary, the app.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

use dxsurvey::app::App;
use dxsurvey::auth::{SecretToken, StaffRole};
use dxsurvey::config::AppConfig;
use dxsurvey::service::Actor;
use dxsurvey::service::accounts::{NewUser, add_user};
use dxsurvey::store;
use dxsurvey::web::{Templates, build};
use rocket::local::asynchronous::Client;
use tempfile::TempDir;

/// The repository root.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture file or folder under `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// The shipped configuration with a database in a fresh temporary folder, the split-ballot
/// experiment off: respondents' flows follow the file's order, as the tests walk them (the
/// experiment's tests turn it on).
pub fn config(dir: &TempDir) -> AppConfig {
    let config = AppConfig::of_checkout(repo(), dir.path().join("data/dxsurvey.db"));
    AppConfig { split_ballot: false, ..config }
}

/// Runs the dxsurvey binary in the repository with its database in `dir`.
pub fn run(dir: &TempDir, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dxsurvey"));
    command.current_dir(repo()).args(args).env("DXSURVEY_DATABASE", dir.path().join("dxsurvey.db"));
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the dxsurvey binary runs")
}

/// Standard output and error as text.
pub fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The application on a fresh database, its configuration adjusted by `adjust`.
pub fn rocket_with(
    adjust: impl FnOnce(&mut AppConfig),
) -> (rocket::Rocket<rocket::Build>, TempDir) {
    let dir = TempDir::new().expect("temporary folder");
    let mut config = config(&dir);
    adjust(&mut config);
    let app = App::start(&config).expect("the app starts");
    let templates = Templates::load(&config.templates).expect("templates load");
    (build(app, templates, &config).expect("a secret key"), dir)
}

/// The application started on a fresh database, with Rocket's local client (which keeps cookies
/// like a browser).
pub async fn spawn_app() -> (Client, TempDir) {
    let (rocket, dir) = rocket_with(|_| {});
    (Client::tracked(rocket).await.expect("rocket builds"), dir)
}

/// The same with a client that keeps no cookies: each request carries what the test gives it.
pub async fn spawn_untracked() -> (Client, TempDir) {
    let (rocket, dir) = rocket_with(|_| {});
    (Client::untracked(rocket).await.expect("rocket builds"), dir)
}

/// A new staff account signed in directly in the database (the session tests cover the sign-in
/// page itself): the session cookie's value and the CSRF token.
pub fn signed_in(app: &App, email: &str, role: StaffRole, areas: &[&str]) -> (String, String) {
    let user = NewUser {
        email: email.into(),
        role,
        areas: areas.iter().map(|a| (*a).to_string()).collect(),
        groups: vec![],
        password: Some("a long enough pass phrase".into()),
    };
    let (id, _) = add_user(app, &user, &Actor::command_line()).unwrap();
    let (token, csrf) = (SecretToken::generate().unwrap(), SecretToken::generate().unwrap());
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    app.store.write(|tx| store::create_session(tx, &token.hash(), id, csrf.as_str(), now)).unwrap();
    (token.as_str().to_string(), csrf.as_str().to_string())
}

/// A child process killed when the test ends, however it ends.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A loopback port nobody listens on.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Waits until something listens on `port` (at most 30 s).
pub fn wait_for(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not start on port {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A copy of the shipped questionnaires in `dir`, the enterprise one changed by `edit`.
pub fn surveys_with_enterprise(
    dir: &TempDir,
    edit: impl FnOnce(String) -> String,
) -> std::path::PathBuf {
    let surveys = dir.path().join("surveys");
    std::fs::create_dir_all(&surveys).unwrap();
    std::fs::copy(repo().join("surveys/agency-dx.toml"), surveys.join("agency-dx.toml")).unwrap();
    let source = std::fs::read_to_string(repo().join("surveys/enterprise-dx.toml")).unwrap();
    std::fs::write(surveys.join("enterprise-dx.toml"), edit(source)).unwrap();
    surveys
}
