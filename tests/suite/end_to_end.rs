//! A wave's whole fieldwork, end to end (issue 13): a register of 5,000 enterprises, a sample of
//! 1,000, letters and e-mails, answers given with the codes, reminders to the rest, a code
//! re-issued, a claim released, a response voided; strangers kept out of an invitation-only wave
//! and limited in an open one.

use std::process::{Command, Stdio};

use dxsurvey::app::App;
use dxsurvey::auth::StaffRole;
use dxsurvey::config::AppConfig;
use dxsurvey::service::cases::{self, ResponseAction};
use dxsurvey::service::invitations::{self, Issued};
use dxsurvey::service::sample::{SampleRequest, draw, propose};
use dxsurvey::service::{Actor, register, waves};
use dxsurvey::store::WaveAccess;
use rocket::http::{ContentType, Cookie, Status};
use rocket::local::asynchronous::Client;
use serde_json::Value;
use tempfile::TempDir;

use crate::helpers::{Running, free_port, repo, signed_in, wait_for};
use crate::invited::answers_of;
use crate::respond::{answer_all, encode, example, page_fields, post, survey, wave};

const URL: &str = "https://khaosat.hanoi.gov.vn";

/// 5,000 enterprises over four wards, each with an address; one in ten large.
fn register() -> String {
    let wards = ["00070", "00082", "00004", "00008"];
    let mut csv = String::from("tax_code,name,area_code,vsic_section,size_class,email\n");
    for i in 0..5000 {
        let size = match i % 10 {
            0 => "large",
            1 | 2 => "small",
            3 => "medium",
            _ => "micro",
        };
        let section = ["G", "C", "F", "J"][(i / 7) % 4];
        csv.push_str(&format!(
            "01{i:08},Công ty số {i},{},{section},{size},dn{i}@example.vn\n",
            wards[i % 4]
        ));
    }
    csv
}

/// Answers and submits with the code's link; returns the private link's token.
async fn answer_with_code(client: &Client, issued: &Issued) -> String {
    let response = client.get(format!("/i/{}", issued.code.as_str())).dispatch().await;
    assert_eq!(response.status(), Status::SeeOther);
    let token =
        response.headers().get_one("Location").unwrap().trim_start_matches("/r/").to_string();
    let survey = survey(client, "enterprise-dx");
    let answers = answers_of(issued);
    let saved = post(client, &format!("/r/{token}/p/1"), &page_fields(&survey, 0, &answers)).await;
    assert_eq!(saved.status(), Status::SeeOther);
    answer_all(client, &survey, &token, &answers).await;
    assert_eq!(post(client, &format!("/r/{token}/submit"), &[]).await.status(), Status::SeeOther);
    token
}

/// The dxsurvey binary on the same database.
fn dxsurvey(config: &AppConfig, args: &[&str], smtp: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_dxsurvey"))
        .current_dir(repo())
        .args(args)
        .env("DXSURVEY_DATABASE", &config.database)
        .env("ROCKET_SMTP", smtp)
        .env("ROCKET_CONTACT", "024 3825 3536")
        .output()
        .unwrap();
    let (stdout, stderr) = crate::helpers::text(&output);
    assert!(output.status.success(), "{args:?}: {stderr}");
    stdout
}

/// Respondents of the published figures, and rows of the microdata file.
async fn published(client: &Client, session: &str) -> (i64, usize) {
    let get = |path: &'static str| {
        client.get(path).private_cookie(Cookie::new("dx_session", session.to_string())).dispatch()
    };
    let api: Value = serde_json::from_str(
        &get("/api/v1/figures?survey=enterprise-dx").await.into_string().await.unwrap(),
    )
    .unwrap();
    let microdata = get("/stats/export/microdata.csv?survey=enterprise-dx").await;
    assert_eq!(microdata.status(), Status::Ok);
    let rows = microdata.into_string().await.unwrap().lines().count() - 1;
    (api["respondents"].as_i64().unwrap(), rows)
}

#[rocket::async_test]
async fn a_wave_is_fielded_from_register_to_reminders_with_cases_handled_on_the_way() {
    let probe = Command::new("/usr/bin/python3").args(["-c", "import aiosmtpd"]).status();
    if !probe.is_ok_and(|s| s.success()) {
        assert!(std::env::var_os("CI").is_none(), "CI must install python3-aiosmtpd");
        eprintln!("skipped: python3-aiosmtpd is not installed");
        return;
    }
    let dir = TempDir::new().unwrap();
    let config =
        AppConfig { contact: Some("024 3825 3536".into()), ..crate::helpers::config(&dir) };
    let app = App::start(&config).unwrap();
    let templates = dxsurvey::web::Templates::load(&config.templates).unwrap();
    let client = Client::tracked(dxsurvey::web::build(app.clone(), templates, &config).unwrap())
        .await
        .unwrap();
    let actor = Actor::command_line();
    let wave = wave();

    register::import_register(&app, &wave, register().as_bytes(), &actor).unwrap();
    let request = SampleRequest {
        total: 1000,
        min_per_ward_size: 10,
        prior: 0.5,
        prior_wave: None,
        seed: 2026,
    };
    let proposal = propose(&app, &wave, &request).unwrap();
    draw(&app, &wave, &request, &proposal, &actor).unwrap();
    let issued = invitations::issue(&app, &wave, &actor).unwrap();
    assert_eq!(issued.len(), 1000);

    // Letters for every ward, and an invitation e-mail to each of the 1,000.
    let port = free_port();
    let maildir = dir.path().join("maildir");
    let smtp = Command::new("/usr/bin/python3")
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(&maildir)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let _smtp = Running(smtp);
    wait_for(port, "the SMTP server");
    let smtp =
        format!("{{host=\"127.0.0.1\",port={port},tls=\"none\",from=\"khaosat@hanoi.gov.vn\"}}");
    let letters = dir.path().join("letters");
    let out = dxsurvey(
        &config,
        &["letters", "--wave", &wave, "--out", letters.to_str().unwrap(), "--public-url", URL],
        &smtp,
    );
    assert!(out.contains("wrote 1000 letters in 4 file(s)"), "{out}");
    dxsurvey(&config, &["mail", "invite", "--wave", &wave], &smtp);
    assert!(
        dxsurvey(&config, &["mail", "send", "--public-url", URL], &smtp).contains("sent 1000;")
    );
    assert_eq!(std::fs::read_dir(maildir.join("new")).unwrap().count(), 1000);

    // Twenty enterprises answer with their codes.
    for invited in &issued[..20] {
        answer_with_code(&client, invited).await;
    }
    let (stat, _) = signed_in(&app, "tk@hanoi.gov.vn", StaffRole::Statistician, &[]);
    assert_eq!(published(&client, &stat).await, (20, 20));

    // The rest are reminded: 980 reminders.
    assert!(
        dxsurvey(&config, &["mail", "remind", "--wave", &wave], &smtp)
            .contains("queued 980 reminder")
    );
    assert!(dxsurvey(&config, &["mail", "send", "--public-url", URL], &smtp).contains("sent 980;"));

    // A lost letter: the code is re-issued; the old code opens nothing, the new one does.
    let lost = &issued[20];
    let new =
        invitations::reissue(&app, &wave, &lost.invitee.code, "letter returned", &actor).unwrap();
    assert_eq!(
        client.get(format!("/i/{}", lost.code.as_str())).dispatch().await.status(),
        Status::NotFound
    );
    answer_with_code(&client, &new).await;

    // An uninvited tax code cannot start in this invitation-only wave.
    let survey = survey(&client, "enterprise-dx");
    let mut stranger = example("enterprise-answers.json");
    stranger.insert("tax_code".into(), Value::from("0109990001"));
    let start = format!("/start/{wave}/enterprise-dx");
    assert_eq!(
        post(&client, &start, &page_fields(&survey, 0, &stranger)).await.status(),
        Status::Forbidden
    );

    // Opened to anyone, a stranger claims an invited enterprise; the claim is released.
    assert!(waves::set_access(&app, &actor, &wave, WaveAccess::Open).unwrap());
    let victim = &issued[21];
    let claimed = post(&client, &start, &page_fields(&survey, 0, &answers_of(victim))).await;
    assert_eq!(claimed.status(), Status::SeeOther);
    let claim = cases::find(&app, &wave, &victim.invitee.code).unwrap();
    let claim_id = claim.iter().find_map(|c| c.response_id).unwrap();
    cases::act(&app, &actor, claim_id, ResponseAction::Release, "not the enterprise").unwrap();
    answer_with_code(&client, victim).await;
    assert_eq!(published(&client, &stat).await, (22, 22));

    // A test response is voided: gone from every figure and from the microdata.
    let test = cases::find(&app, &wave, &issued[0].invitee.code).unwrap();
    let test_id = test.iter().find_map(|c| c.response_id).unwrap();
    cases::act(&app, &actor, test_id, ResponseAction::Void, "a test by the office").unwrap();
    assert_eq!(published(&client, &stat).await, (21, 21));

    // Strangers' starts in the open wave meet the limit.
    let mut limited = false;
    for n in 0..40 {
        let mut answers = example("enterprise-answers.json");
        answers.insert("tax_code".into(), Value::from(format!("0107{n:06}")));
        let response = client
            .post(start.clone())
            .header(ContentType::Form)
            .remote("203.0.113.77:40000".parse().unwrap())
            .body(encode(&page_fields(&survey, 0, &answers)))
            .dispatch()
            .await;
        if response.status() == Status::TooManyRequests {
            limited = true;
            break;
        }
    }
    assert!(limited, "open-wave starts hit the limit");

    // The response rates: 22 of 1,000 sampled responded and count.
    let rates = client
        .get(format!("/api/v1/response-rates?wave={wave}"))
        .private_cookie(Cookie::new("dx_session", stat.clone()))
        .dispatch()
        .await;
    let rates: Value = serde_json::from_str(&rates.into_string().await.unwrap()).unwrap();
    assert_eq!(
        (rates["rates"][0]["sampled"].as_i64(), rates["rates"][0]["responded"].as_i64()),
        (Some(1000), Some(21))
    );
}
