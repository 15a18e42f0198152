//! Nothing acknowledged is lost: storage failures answer 503 and change nothing, SIGTERM stops
//! the server cleanly with the database checkpointed, and backups are taken live.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rocket::http::Status;
use rocket::local::asynchronous::Client;
use tempfile::TempDir;

use crate::helpers::{Running, free_port, repo, run, spawn_app, text, wait_for};
use crate::respond::{answer_all, app, example, page_fields, post, start, survey};

/// The stored answers and status of every response.
fn responses(client: &Client) -> Vec<(String, String)> {
    app(client)
        .store
        .read(|c| {
            let mut stmt = c.prepare("SELECT answers, status FROM responses ORDER BY id")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .unwrap()
}

async fn refused_with_503(client: &Client, uri: &str, fields: &[(String, String)]) {
    let response = post(client, uri, fields).await;
    assert_eq!(response.status(), Status::ServiceUnavailable, "{uri}");
    assert_eq!(response.headers().get_one("Retry-After"), Some("30"));
    let page = response.into_string().await.unwrap();
    assert!(page.contains("không lưu được dữ liệu"), "a clear page: {page}");
}

#[rocket::async_test]
async fn a_database_that_refuses_writes_answers_503_and_keeps_what_was_saved() {
    let (client, _dir) = spawn_app().await;
    let answers = example("enterprise-answers.json");
    let survey = survey(&client, "enterprise-dx");
    let token = start(&client, "enterprise-dx", &answers).await;
    answer_all(&client, &survey, &token, &answers).await;
    let before = responses(&client);

    // The database turns read-only under the server (SQLite's own read-only error).
    app(&client).store.write(|tx| Ok(tx.execute_batch("PRAGMA query_only = ON")?)).unwrap();
    let mut changed = answers.clone();
    changed.insert("dx_strategy".into(), 0.into());
    changed.insert("customer_channels".into(), 0.into());
    let fields = page_fields(&survey, 2, &changed);
    refused_with_503(&client, &format!("/r/{token}/p/3"), &fields).await;
    refused_with_503(&client, &format!("/r/{token}/submit"), &[]).await;
    let mut other = example("enterprise-answers.json");
    other.insert("tax_code".into(), "0100000019".into());
    let wave = crate::respond::wave();
    refused_with_503(
        &client,
        &format!("/start/{wave}/enterprise-dx"),
        &page_fields(&survey, 0, &other),
    )
    .await;
    assert_eq!(responses(&client), before, "nothing stored changed");
    // Reading still works: the respondent can see what was saved.
    let page = client.get(format!("/r/{token}/p/2")).dispatch().await;
    assert_eq!(page.status(), Status::Ok);
}

#[rocket::async_test]
async fn a_full_disk_answers_503_never_a_false_success() {
    let (client, _dir) = spawn_app().await;
    let survey = survey(&client, "enterprise-dx");
    // The database may not grow any more: SQLite's "database or disk is full".
    app(&client)
        .store
        .write(|tx| {
            let pages: i64 = tx.query_row("PRAGMA page_count", [], |r| r.get(0))?;
            tx.pragma_update(None, "max_page_count", pages)?;
            Ok(())
        })
        .unwrap();
    let wave = crate::respond::wave();
    let mut acknowledged = 0;
    let mut refused = false;
    for n in 0..200 {
        let mut answers = example("enterprise-answers.json");
        answers.insert("tax_code".into(), format!("01{n:08}").into());
        answers.insert("legal_name".into(), format!("Công ty {n} {}", "x".repeat(180)).into());
        let response = post(
            &client,
            &format!("/start/{wave}/enterprise-dx"),
            &page_fields(&survey, 0, &answers),
        )
        .await;
        match response.status() {
            Status::SeeOther => acknowledged += 1,
            Status::ServiceUnavailable => {
                refused = true;
                break;
            }
            other => panic!("start {n}: {other}"),
        }
    }
    assert!(refused, "the database filled up within 200 starts");
    assert_eq!(responses(&client).len(), acknowledged, "every acknowledged start, and only those");
}

/// The real server on a database in `dir`, once it answers.
fn serve(dir: &Path) -> (Running, u16) {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_dxsurvey"))
        .current_dir(repo())
        .arg("serve")
        .env("DXSURVEY_DATABASE", dir.join("db.sqlite"))
        .env("ROCKET_PORT", port.to_string())
        // Its standard output is read only at the end: an access log would fill the pipe.
        .env("ROCKET_ACCESS_LOG", "false")
        // The load comes from one address standing for many respondents.
        .env("ROCKET_STARTS_PER_HOUR", "1000000")
        // The harness answers the pages in the file's order (the reference arm).
        .env("ROCKET_SPLIT_BALLOT", "false")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let server = Running(child);
    wait_for(port, "the server");
    (server, port)
}

fn get(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn sigterm_stops_the_server_within_five_seconds_with_the_database_checkpointed() {
    let dir = TempDir::new().unwrap();
    let (mut server, port) = serve(dir.path());
    assert!(get(port, "/").starts_with("HTTP/1.1 200"));
    let wal = dir.path().join("db.sqlite-wal");
    assert!(wal.metadata().map_or(0, |m| m.len()) > 0, "start-up wrote to the log");

    // The shell's own `kill`: no procps needed.
    let pid = server.0.id();
    let status = Command::new("sh").args(["-c", &format!("kill -TERM {pid}")]).status().unwrap();
    assert!(status.success());
    let asked = Instant::now();
    let exit = loop {
        if let Some(exit) = server.0.try_wait().unwrap() {
            break exit;
        }
        assert!(asked.elapsed() < Duration::from_secs(5), "still running 5 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit}");
    let mut said = String::new();
    server.0.stdout.take().unwrap().read_to_string(&mut said).unwrap();
    assert!(said.contains("the database is checkpointed"), "{said}");
    assert_eq!(wal.metadata().map_or(0, |m| m.len()), 0, "the log is folded in");
}

#[test]
fn a_backup_taken_while_the_server_runs_restores_into_a_new_installation() {
    let dir = TempDir::new().unwrap();
    let (_server, port) = serve(dir.path());
    assert!(get(port, "/").starts_with("HTTP/1.1 200"));
    let database = dir.path().join("db.sqlite");
    let demo = Command::new(env!("CARGO_BIN_EXE_dxsurvey"))
        .current_dir(repo())
        .args(["demo", "--responses", "300", "--seed", "4"])
        .env("DXSURVEY_DATABASE", &database)
        .output()
        .unwrap();
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let copy = dir.path().join("copy.db");
    let backup = Command::new(env!("CARGO_BIN_EXE_dxsurvey"))
        .current_dir(repo())
        .args(["backup", "--out", copy.to_str().unwrap()])
        .env("DXSURVEY_DATABASE", &database)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&backup.stdout);
    assert!(backup.status.success() && said.contains("integrity check: ok"), "{said}");

    let elsewhere = TempDir::new().unwrap();
    let output = run(&elsewhere, &["restore", copy.to_str().unwrap()], &[]);
    assert!(output.status.success(), "{}", text(&output).1);
    assert!(text(&output).0.contains("the previous content is kept in"));
    let restored = rusqlite::Connection::open(elsewhere.path().join("dxsurvey.db")).unwrap();
    let count: i64 =
        restored.query_row("SELECT count(*) FROM responses", [], |r| r.get(0)).unwrap();
    assert_eq!(count, 300);

    let output =
        run(&elsewhere, &["restore", dir.path().join("nothing.db").to_str().unwrap()], &[]);
    assert!(!output.status.success());
    assert!(text(&output).1.contains("nothing.db"), "{}", text(&output).1);
    let count: i64 =
        restored.query_row("SELECT count(*) FROM responses", [], |r| r.get(0)).unwrap();
    assert_eq!(count, 300, "a refused restore changes nothing");
}

/// The harness's load, as a command: `(succeeded, output)`.
fn harness(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_dxharness"))
        .current_dir(repo())
        .args(args)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), said)
}

/// "N acknowledged, M lost", read from the verifier's last line.
fn counts(said: &str) -> (usize, usize) {
    let line = said.lines().rfind(|l| l.contains(" acknowledged, ")).unwrap_or_default();
    let number = |text: &str| text.trim().parse::<usize>().unwrap_or(usize::MAX);
    let (acked, rest) = line.split_once(" acknowledged, ").unwrap_or(("", ""));
    (number(acked), number(rest.trim_end_matches(" lost")))
}

fn load_and_record(port: u16, dir: &Path, seconds: &str) -> (bool, String) {
    let record = dir.join("acks.jsonl");
    harness(&[
        "load",
        "--host",
        &format!("127.0.0.1:{port}"),
        "--wave",
        &crate::respond::wave(),
        "--concurrency",
        "8",
        "--duration",
        seconds,
        "--record",
        record.to_str().unwrap(),
    ])
}

fn verify(dir: &Path) -> (bool, String) {
    harness(&[
        "verify",
        "--record",
        dir.join("acks.jsonl").to_str().unwrap(),
        "--database",
        dir.join("db.sqlite").to_str().unwrap(),
    ])
}

#[test]
fn a_short_load_of_whole_respondent_flows_is_served_without_an_error_and_fully_stored() {
    let dir = TempDir::new().unwrap();
    let (server, port) = serve(dir.path());
    let (loaded, said) = load_and_record(port, dir.path(), "2");
    assert!(loaded, "no errors under load: {said}");
    assert!(said.contains("section save (POST)") && said.contains("0 errors"), "{said}");
    drop(server);
    let (verified, said) = verify(dir.path());
    let (acked, lost) = counts(&said);
    assert!(verified && acked > 50 && lost == 0, "{said}");
    assert!(
        said.contains("integrity check: ok")
            && said.contains("differing from the scoring module's: 0")
    );

    // The verifier can fail: one stored answer changed behind its back is a loss.
    let conn = rusqlite::Connection::open(dir.path().join("db.sqlite")).unwrap();
    conn.execute(
        "UPDATE responses SET answers = json_set(answers, '$.legal_name', 'changed') WHERE id = (SELECT max(id) FROM responses)",
        [],
    )
    .unwrap();
    let (verified, said) = verify(dir.path());
    assert!(!verified && counts(&said).1 == 1, "{said}");
}

#[test]
fn a_server_killed_mid_load_keeps_every_write_it_acknowledged() {
    let dir = TempDir::new().unwrap();
    let (mut server, port) = serve(dir.path());
    let record = dir.path().to_path_buf();
    let load = std::thread::spawn(move || load_and_record(port, &record, "3"));
    std::thread::sleep(Duration::from_millis(1500));
    server.0.kill().unwrap(); // SIGKILL: no shutdown, no checkpoint
    server.0.wait().unwrap();
    let (loaded, said) = load.join().unwrap();
    assert!(!loaded, "the kill interrupted the load: {said}");
    let (restarted, port) = serve(dir.path());
    assert!(get(port, "/").starts_with("HTTP/1.1 200"), "the server recovers");
    drop(restarted);
    let (verified, said) = verify(dir.path());
    let (acked, lost) = counts(&said);
    assert!(verified && acked > 20 && lost == 0, "{said}");
    assert!(said.contains("integrity check: ok"), "{said}");
}
