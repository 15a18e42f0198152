//! E-mail to invited enterprises (issue 13) through a real SMTP server (Debian's aiosmtpd,
//! writing every message it accepts to a Maildir): messages read back with Python's `email`
//! package, their link followed, none lost while the server is down, reminders on demand and
//! on their date from the running server.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rocket::http::Status;
use rocket::local::asynchronous::Client;
use serde_json::Value;
use tempfile::TempDir;

use crate::helpers::{Running, free_port, repo, run, text, wait_for};

/// The SMTP server of the tests, on `port`, keeping messages in `maildir`; `None` outside CI
/// when aiosmtpd is not installed.
fn smtp_server(port: u16, maildir: &Path) -> Option<Running> {
    let probe = Command::new("/usr/bin/python3").args(["-c", "import aiosmtpd"]).status();
    if !probe.is_ok_and(|s| s.success()) {
        assert!(std::env::var_os("CI").is_none(), "CI must install python3-aiosmtpd");
        eprintln!("skipped: python3-aiosmtpd is not installed");
        return None;
    }
    let child = Command::new("/usr/bin/python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let server = Running(child);
    wait_for(port, "the SMTP server");
    Some(server)
}

/// Every message of `maildir` as Python's `email` package reads it: to, subject, text, html.
fn messages(maildir: &Path) -> Vec<Value> {
    let script = r#"
import email, email.policy, json, mailbox, sys
out = []
for message in mailbox.Maildir(sys.argv[1], create=False):
    m = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    out.append({"to": m["To"], "subject": str(m["Subject"]),
                "text": m.get_body(("plain",)).get_content(),
                "html": m.get_body(("html",)).get_content()})
print(json.dumps(out))
"#;
    let output =
        Command::new("/usr/bin/python3").args(["-c", script]).arg(maildir).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A wave whose 200 enterprises all have addresses (every fifth writes in English), a sample of
/// 60 and their codes.
fn invited(dir: &TempDir) {
    let register = dir.path().join("register.csv");
    let mut csv = String::from("tax_code,name,area_code,vsic_section,size_class,email,language\n");
    for i in 0..200 {
        let language = if i % 5 == 0 { "en" } else { "vi" };
        let ward = ["00070", "00082"][i % 2];
        csv.push_str(&format!(
            "01{i:08},Công ty số {i},{ward},G,micro,dn{i}@example.vn,{language}\n"
        ));
    }
    std::fs::write(&register, csv).unwrap();
    let steps: [&[&str]; 4] = [
        &["demo", "--responses", "10", "--wave", &year()],
        &["frame", "register", register.to_str().unwrap(), "--wave", &year()],
        &["sample", "--wave", &year(), "--size", "60", "--min-per-ward-size", "2", "--confirm"],
        &["invitations", "--wave", &year(), "--out", "/dev/null", "--public-url", URL],
    ];
    for args in steps {
        let output = run(dir, args, &[]);
        assert!(output.status.success(), "{args:?}: {}", text(&output).1);
    }
}

const URL: &str = "https://khaosat.hanoi.gov.vn";

/// This year's wave, which takes answers today.
fn year() -> String {
    dxsurvey::kernel::format::today().year().to_string()
}

fn smtp_env(port: u16) -> String {
    format!(
        "{{host=\"127.0.0.1\",port={port},tls=\"none\",from=\"Khảo sát Hà Nội <khaosat@hanoi.gov.vn>\"}}"
    )
}

fn mail(dir: &TempDir, args: &[&str], port: u16) -> String {
    let mut all = vec!["mail"];
    all.extend_from_slice(args);
    let smtp = smtp_env(port);
    let env = [("ROCKET_SMTP", smtp.as_str()), ("ROCKET_CONTACT", "024 3825 3536")];
    let output = run(dir, &all, &env);
    assert!(output.status.success(), "{args:?}: {}", text(&output).1);
    text(&output).0
}

fn sql(dir: &TempDir, query: &str) -> i64 {
    let conn = rusqlite::Connection::open(dir.path().join("dxsurvey.db")).unwrap();
    conn.query_row(query, [], |r| r.get(0)).unwrap()
}

/// Lets every e-mail waiting to be tried again be tried now (as if its time had come).
fn time_passes(dir: &TempDir) {
    let conn = rusqlite::Connection::open(dir.path().join("dxsurvey.db")).unwrap();
    conn.execute("UPDATE outbox SET next_try = '2000-01-01T00:00:00Z'", []).unwrap();
}

#[test]
fn invitations_survive_a_stopped_smtp_server_and_arrive_in_each_units_language() {
    let dir = TempDir::new().unwrap();
    invited(&dir);
    let port = free_port();
    let maildir: PathBuf = dir.path().join("maildir");

    // The SMTP server is down: nothing is lost, everything waits.
    assert!(mail(&dir, &["invite", "--wave", &year()], port).contains("queued 60 invitation"));
    let sent = mail(&dir, &["send", "--public-url", URL], port);
    assert!(sent.contains("sent 0; 60 to try again later"), "{sent}");
    assert_eq!(
        sql(&dir, "SELECT count(*) FROM outbox WHERE status = 'queued' AND attempts = 1"),
        60
    );
    assert!(mail(&dir, &["invite", "--wave", &year()], port).contains("queued 0"), "queued once");
    let early = mail(&dir, &["send", "--public-url", URL], port);
    assert!(
        early.contains("sent 0; 0 to try again later; 0 given up"),
        "not before their time: {early}"
    );

    // Down for good: after ten attempts each e-mail is given up, shown, and can be queued again.
    for _ in 1..9 {
        time_passes(&dir);
        assert!(
            mail(&dir, &["send", "--public-url", URL], port)
                .contains("sent 0; 60 to try again later")
        );
    }
    time_passes(&dir);
    let last = mail(&dir, &["send", "--public-url", URL], port);
    assert!(last.contains("0 to try again later; 60 given up"), "{last}");
    assert!(mail(&dir, &["status", "--wave", &year()], port).contains("invitation  failed  60"));
    assert!(mail(&dir, &["retry", "--wave", &year()], port).contains("queued 60 e-mail(s) again"));

    let Some(_server) = smtp_server(port, &maildir) else { return };
    assert!(mail(&dir, &["send", "--public-url", URL], port).contains("sent 60;"));
    assert_eq!(sql(&dir, "SELECT count(*) FROM outbox WHERE status = 'sent'"), 60);
    assert_eq!(sql(&dir, "SELECT count(*) FROM unit_events WHERE kind = 'email'"), 60);

    let received = messages(&maildir);
    assert_eq!(received.len(), 60, "each once");
    let english = received
        .iter()
        .filter(|m| m["subject"].as_str().unwrap().starts_with("Invitation"))
        .count();
    let expected_english = sql(
        &dir,
        "SELECT count(*) FROM sample_units s JOIN register_units u ON u.id = s.unit_id WHERE u.language = 'en'",
    );
    assert_eq!(english as i64, expected_english);
    let one =
        received.iter().find(|m| m["subject"].as_str().unwrap().starts_with("Thư mời")).unwrap();
    let body = one["text"].as_str().unwrap();
    for words in ["Kính gửi Công ty số", "31/12/2026", "024 3825 3536", "khaosat.hanoi.gov.vn"]
    {
        assert!(body.contains(words), "{words}: {body}");
    }
    let link = body.split_whitespace().find(|w| w.starts_with(&format!("{URL}/i/"))).unwrap();
    assert!(one["html"].as_str().unwrap().contains(&format!("<a href=\"{link}\">")));

    // The link opens the enterprise's own response.
    let code = link.rsplit('/').next().unwrap().to_string();
    let to = one["to"].as_str().unwrap().to_string();
    let opened = rocket::async_test(open_link(dir.path().join("dxsurvey.db"), code));
    let tax_code = format!(
        "01{}",
        to.trim_start_matches("dn")
            .split('@')
            .next()
            .unwrap()
            .parse::<u32>()
            .map(|n| format!("{n:08}"))
            .unwrap()
    );
    assert_eq!(opened, tax_code, "the link is the recipient's");
}

/// Opens `/i/<code>` in the app on `database`; returns the tax code of the response it opened.
async fn open_link(database: PathBuf, code: String) -> String {
    let config = dxsurvey::config::AppConfig::of_checkout(repo(), database);
    let app = dxsurvey::app::App::start(&config).unwrap();
    let templates = dxsurvey::web::Templates::load(&config.templates).unwrap();
    let client = Client::tracked(dxsurvey::web::build(app.clone(), templates, &config).unwrap())
        .await
        .unwrap();
    let response = client.get(format!("/i/{code}")).dispatch().await;
    assert_eq!(response.status(), Status::SeeOther);
    app.store
        .read(|c| {
            Ok(c.query_row(
                "SELECT o.tax_code FROM responses r JOIN organisations o ON o.id = r.organisation_id
                 WHERE r.register_unit_id IS NOT NULL",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap()
}

#[test]
fn reminders_go_to_those_who_have_not_answered_on_demand_and_on_their_date() {
    let dir = TempDir::new().unwrap();
    invited(&dir);
    let port = free_port();
    let maildir = dir.path().join("maildir");
    let Some(_smtp) = smtp_server(port, &maildir) else { return };

    // One enterprise refused: it is not reminded.
    let refused: String = {
        let conn = rusqlite::Connection::open(dir.path().join("dxsurvey.db")).unwrap();
        conn.query_row(
            "SELECT u.tax_code FROM sample_units s JOIN register_units u ON u.id = s.unit_id ORDER BY u.tax_code LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    let outcome = run(
        &dir,
        &[
            "case",
            "outcome",
            "--wave",
            &year(),
            "--code",
            &refused,
            "--outcome",
            "refused",
            "--reason",
            "said no by phone",
        ],
        &[],
    );
    assert!(outcome.status.success(), "{}", text(&outcome).1);
    assert!(mail(&dir, &["remind", "--wave", &year()], port).contains("queued 59 reminder"));
    assert!(mail(&dir, &["send", "--public-url", URL], port).contains("sent 59;"));

    // A reminder date that has come: the running server queues and sends them by itself.
    let today = dxsurvey::kernel::format::today().to_string();
    let scheduled = run(&dir, &["mail", "schedule", "--wave", &year(), "--on", &today], &[]);
    assert!(scheduled.status.success(), "{}", text(&scheduled).1);
    let web = free_port();
    let smtp = smtp_env(port);
    let server = Command::new(env!("CARGO_BIN_EXE_dxsurvey"))
        .current_dir(repo())
        .arg("serve")
        .env("DXSURVEY_DATABASE", dir.path().join("dxsurvey.db"))
        .env("ROCKET_PORT", web.to_string())
        .env("ROCKET_LOG_LEVEL", "off")
        .env("ROCKET_SMTP", &smtp)
        .env("ROCKET_PUBLIC_URL", URL)
        .env("ROCKET_CONTACT", "024 3825 3536")
        .env("ROCKET_MAIL_EVERY_SECONDS", "1")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let _server = Running(server);
    wait_for(web, "the server");
    let deadline = Instant::now() + Duration::from_secs(30);
    while sql(&dir, "SELECT count(*) FROM outbox WHERE kind = 'reminder' AND status = 'sent'")
        < 2 * 59
    {
        assert!(Instant::now() < deadline, "the scheduled reminders were not sent");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(sql(&dir, "SELECT count(*) FROM wave_reminders WHERE done_at IS NOT NULL"), 1);
    let reminders = messages(&maildir)
        .iter()
        .filter(|m| {
            let subject = m["subject"].as_str().unwrap();
            subject.starts_with("Nhắc") || subject.starts_with("Reminder")
        })
        .count();
    assert_eq!(reminders, 2 * 59);
}

#[test]
fn agencies_are_written_to_as_agencies_in_their_language() {
    let dir = TempDir::new().unwrap();
    let agencies = dir.path().join("agencies.csv");
    std::fs::write(
        &agencies,
        "code,name,area_code,kind,email,language\n\
         1000001,Ủy ban nhân dân phường Ví Dụ,00070,commune_committee,ubnd@vidu.gov.vn,\n\
         1000002,Sở Ví Dụ,00082,city_department,so@vidu.gov.vn,en\n",
    )
    .unwrap();
    let steps: [&[&str]; 3] = [
        &["demo", "--responses", "10", "--wave", &year()],
        &["frame", "agencies", agencies.to_str().unwrap(), "--wave", &year()],
        &["invitations", "--wave", &year(), "--out", "/dev/null", "--public-url", URL],
    ];
    for args in steps {
        let output = run(&dir, args, &[]);
        assert!(output.status.success(), "{args:?}: {}", text(&output).1);
    }
    let port = free_port();
    let maildir: PathBuf = dir.path().join("maildir");
    assert!(mail(&dir, &["invite", "--wave", &year()], port).contains("queued 2 invitation"));
    let Some(_server) = smtp_server(port, &maildir) else { return };
    assert!(mail(&dir, &["send", "--public-url", URL], port).contains("sent 2;"));
    let received = messages(&maildir);
    let to = |address: &str| {
        let found = received.iter().find(|m| m["to"].as_str().unwrap().contains(address));
        found.unwrap()["text"].as_str().unwrap().to_string()
    };
    let vietnamese = to("ubnd@vidu.gov.vn");
    assert!(vietnamese.contains("Kính gửi Ủy ban nhân dân phường Ví Dụ"), "{vietnamese}");
    assert!(vietnamese.contains("Tất cả cơ quan, đơn vị"), "{vietnamese}");
    assert!(!vietnamese.contains("chọn ngẫu nhiên"), "an agency is not sampled: {vietnamese}");
    let english = to("so@vidu.gov.vn");
    assert!(english.contains("Every agency on the city's list"), "{english}");
    assert!(english.contains("Your agency's personal link"), "{english}");
}
