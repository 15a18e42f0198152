//! The real reverse proxy (issue 15): Debian's nginx with `deploy/nginx/dxsurvey.conf` (its
//! ports, certificate and upstream replaced for the test, every other directive as shipped) in
//! front of the real binary. Slow clients are cut off without holding up others, dxsurvey sees
//! the real client address, and a client's forged headers change nothing.
//!
//! Needs `nginx`, `openssl` and `curl` (`.ci/run` installs them). Without them the tests say
//! so and pass, except under CI, where they fail.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::helpers::{Running, free_port, repo, wait_for};
use crate::production::{PASSWORD, audited_from, installation_with_admin, server};

const NGINX: &str = "/usr/sbin/nginx";

fn tools_available() -> bool {
    let found = |tool: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if Path::new(NGINX).exists() && found("openssl") && found("curl") {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "CI must install nginx, openssl and curl");
    eprintln!("proxy test not run: apt-get install nginx openssl curl");
    false
}

/// nginx in front of dxsurvey on `upstream`: (the running nginx, its http port, its https port).
fn nginx(dir: &Path, upstream: u16) -> (Running, u16, u16) {
    let (http, https) = (free_port(), free_port());
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let shipped = std::fs::read_to_string(repo().join("deploy/nginx/dxsurvey.conf")).unwrap();
    let live = "/etc/letsencrypt/live/khaosat.example.gov.vn";
    let site = shipped
        .replace("listen 80;", &format!("listen 127.0.0.1:{http};"))
        .replace("listen [::]:80;", "")
        .replace("listen 443 ssl http2;", &format!("listen 127.0.0.1:{https} ssl http2;"))
        .replace("listen [::]:443 ssl http2;", "")
        .replace(&format!("{live}/fullchain.pem"), cert.to_str().unwrap())
        .replace(&format!("{live}/privkey.pem"), key.to_str().unwrap())
        .replace("/var/log/nginx/access.log", dir.join("access.log").to_str().unwrap())
        .replace("http://127.0.0.1:8000", &format!("http://127.0.0.1:{upstream}"));
    assert!(!site.contains(":8000") && site.contains(&format!(":{https} ssl")), "{site}");
    std::fs::write(dir.join("site.conf"), site).unwrap();
    let d = dir.display();
    // As root, the workers must be able to use the test's private folder.
    let user = if rustix::process::getuid().is_root() { "user root;" } else { "" };
    let main = format!(
        "{user}\ndaemon off;\nworker_processes 1;\nworker_rlimit_nofile 8192;\npid {d}/nginx.pid;\n\
         error_log {d}/error.log;\nevents {{ worker_connections 4096; }}\nhttp {{\n\
         client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fcgi;\n\
         uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\ninclude {d}/site.conf;\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), main).unwrap();
    let running = Running(
        Command::new(NGINX)
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for(https, "nginx");
    (running, http, https)
}

/// `curl` through nginx from `source` (a loopback address) to `path`, with `args`.
fn curl(https: u16, source: &str, path: &str, args: &[&str]) -> Output {
    Command::new("curl")
        .args(["-sk", "--interface", source, "--max-time", "20"])
        .args(args)
        .arg(format!("https://127.0.0.1:{https}{path}"))
        .output()
        .unwrap()
}

/// Signs in through nginx as a browser would, from `source`, with the extra `headers`; the
/// HTTP status.
fn sign_in(dir: &Path, https: u16, source: &str, password: &str, headers: &[&str]) -> String {
    let jar = dir.join(format!("cookies-{source}"));
    let jar = jar.to_str().unwrap();
    let form = curl(https, source, "/login", &["-c", jar]);
    let page = String::from_utf8_lossy(&form.stdout).into_owned();
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap_or_default();
    let csrf = csrf.split('"').next().unwrap_or_default();
    let mut args = vec!["-b", jar, "-o", "/dev/null", "-w", "%{http_code}"];
    for header in headers {
        args.extend(["-H", header]);
    }
    let fields =
        [format!("csrf={csrf}"), "email=admin@hanoi.gov.vn".into(), format!("password={password}")];
    for field in &fields {
        args.extend(["--data-urlencode", field.as_str()]);
    }
    let posted = curl(https, source, "/login", &args);
    String::from_utf8_lossy(&posted.stdout).into_owned()
}

#[test]
fn through_nginx_dxsurvey_sees_the_real_client_and_forged_headers_change_nothing() {
    if !tools_available() {
        return;
    }
    let dir = TempDir::new().unwrap();
    drop(installation_with_admin(&dir));
    let (_app, port) = server(dir.path(), &[("ROCKET_TRUSTED_PROXIES", "[\"127.0.0.1\"]")]);
    let (_nginx, _, https) = nginx(dir.path(), port);

    // The account's owner signs in from 127.0.0.3 ...
    assert_eq!(sign_in(dir.path(), https, "127.0.0.3", PASSWORD, &[]), "303");
    // ... then the client at 127.0.0.2 guesses, saying it is someone else in every header it
    // can.
    let mut statuses = Vec::new();
    for n in 1..=12 {
        let forged = format!("198.51.100.{n}");
        let headers = [
            format!("X-Forwarded-For: {forged}"),
            format!("X-Real-IP: {forged}"),
            "X-Forwarded-Proto: http".to_string(),
        ];
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        statuses.push(sign_in(dir.path(), https, "127.0.0.2", "wrong", &headers));
    }
    assert!(statuses.iter().any(|s| s == "429"), "held back all the same: {statuses:?}");
    let from = audited_from(&dir.path().join("data/dxsurvey.db"), "login.failure");
    assert!(!from.is_empty() && from.iter().all(|a| a == "127.0.0.2"), "{from:?}");

    // The owner, where they signed in before, is not held back by the guesses.
    assert_eq!(sign_in(dir.path(), https, "127.0.0.3", PASSWORD, &[]), "303");
    let signed_in = audited_from(&dir.path().join("data/dxsurvey.db"), "login");
    assert_eq!(signed_in, ["127.0.0.3", "127.0.0.3"]);
    // The proxy adds HSTS; dxsurvey's log names the real client, never a forged one.
    let home = curl(https, "127.0.0.3", "/login", &["-D", "-"]);
    let head = String::from_utf8_lossy(&home.stdout).to_lowercase();
    assert!(head.contains("strict-transport-security: max-age=31536000"), "{head}");
    std::thread::sleep(std::time::Duration::from_millis(300)); // The log is written every 100 ms.
    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
    assert!(log.contains("client=127.0.0.2") && !log.contains("198.51.100."), "{log}");
}

/// Raises this process's open-file limit to its hard limit: 1,100 sockets need more than the
/// usual 1,024.
fn allow_many_sockets() {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let raised = rustix::process::Rlimit { current: limit.maximum, maximum: limit.maximum };
    setrlimit(Resource::Nofile, raised).unwrap();
}

#[test]
fn eleven_hundred_slow_clients_are_cut_off_and_hold_up_nobody() {
    if !tools_available() {
        return;
    }
    allow_many_sockets();
    let dir = TempDir::new().unwrap();
    let (_app, port) = server(dir.path(), &[("ROCKET_TRUSTED_PROXIES", "[\"127.0.0.1\"]")]);
    let (_nginx, http, https) = nginx(dir.path(), port);
    let opened = Instant::now();
    let mut slow = Vec::new();
    for n in 0..1100 {
        let (port, start): (u16, &[u8]) = if n % 2 == 0 {
            (http, b"GET / HTTP/1.1\r\nHost: khaosat\r\nUser-Ag")
        } else {
            (https, b"\x16\x03\x01\x02")
        };
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.write_all(start).unwrap();
        slow.push(stream);
    }
    // A normal request is served at once, through TLS and the proxy.
    let served = curl(https, "127.0.0.1", "/healthz", &["--max-time", "1"]);
    assert_eq!(String::from_utf8_lossy(&served.stdout), "ok\n", "{served:?}");
    // The slow ones are cut off once the header timeout (10 s) has passed.
    std::thread::sleep(Duration::from_secs(11).saturating_sub(opened.elapsed()));
    let mut still_open = 0;
    for stream in &mut slow {
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buffer = [0u8; 512];
        let closed = loop {
            match stream.read(&mut buffer) {
                Ok(0) => break true,
                // A last word before closing (an alert, a 408) is fine.
                Ok(_) => continue,
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    break false;
                }
                Err(_) => break true,
            }
        };
        if !closed {
            still_open += 1;
        }
    }
    assert_eq!(still_open, 0, "every slow client is cut off");
}
