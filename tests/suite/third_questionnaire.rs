//! A third questionnaire, written from `surveys/README.md` alone (`tests/fixtures/sme/`), is
//! carried through everything the shipped ones are: start and submit (by an enterprise that
//! also answers the enterprise questionnaire in the same wave), the dashboard, the API, the
//! export, the area and city PDFs. What it lacks (a target) is said, not silently dropped. A
//! questionnaire without its recommendations, or a target naming no indicator, stops the start.

use std::path::Path;

use dxsurvey::app::App;
use dxsurvey::auth::StaffRole;
use dxsurvey::config::AppConfig;
use dxsurvey::web::{Templates, build};
use rocket::http::{Cookie, Status};
use rocket::local::asynchronous::Client;
use serde_json::{Map, Value};
use tempfile::TempDir;

use crate::helpers::{config, fixture, repo, signed_in};
use crate::respond::{answer_all, example, post, start, survey, text_of};

fn copy_files(from: &Path, to: &Path, extension: &str) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().filter_map(Result::ok) {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == extension) {
            std::fs::copy(&path, to.join(entry.file_name())).unwrap();
        }
    }
}

/// The shipped questionnaires and report content, plus the SME questionnaire and its
/// recommendations.
fn with_third(dir: &TempDir) -> AppConfig {
    let (surveys, reports) = (dir.path().join("surveys"), dir.path().join("reports"));
    copy_files(&repo().join("surveys"), &surveys, "toml");
    std::fs::copy(fixture("sme/sme-dx.toml"), surveys.join("sme-dx.toml")).unwrap();
    copy_files(&repo().join("reports"), &reports, "toml");
    copy_files(&repo().join("reports/recommendations"), &reports.join("recommendations"), "toml");
    copy_files(&fixture("sme/recommendations"), &reports.join("recommendations"), "toml");
    AppConfig { surveys, reports, ..config(dir) }
}

fn sme_answers(n: usize) -> Map<String, Value> {
    let text = std::fs::read_to_string(fixture("sme/sme-answers.json")).unwrap();
    let mut answers: Map<String, Value> = serde_json::from_str(&text).unwrap();
    answers.insert("tax_code".into(), Value::from(format!("01000{n:05}")));
    answers.insert("legal_name".into(), Value::from(format!("Công ty Nhỏ Số {n}")));
    // Half of them sell online: enough with and without for the share to be published.
    if n.is_multiple_of(2) {
        answers.insert("sells_online".into(), Value::from("no"));
        answers.remove("online_share");
    }
    answers
}

async fn body(client: &Client, path: &str, session: &str) -> (Status, Vec<u8>) {
    let response = client
        .get(path.to_string())
        .private_cookie(Cookie::new("dx_session", session.to_string()))
        .dispatch()
        .await;
    (response.status(), response.into_bytes().await.unwrap_or_default())
}

async fn page(client: &Client, path: &str, session: &str) -> String {
    let (status, bytes) = body(client, path, session).await;
    assert_eq!(status, Status::Ok, "{path}");
    text_of(&String::from_utf8(bytes).unwrap())
}

#[rocket::async_test]
async fn a_third_questionnaire_goes_through_every_page_export_and_report() {
    let dir = TempDir::new().unwrap();
    let config = with_third(&dir);
    let app = App::start(&config).unwrap();
    let templates = Templates::load(&config.templates).unwrap();
    let client = Client::untracked(build(app.clone(), templates, &config).unwrap()).await.unwrap();
    let sme = survey(&client, "sme-dx");

    // The home page offers it; an enterprise answers it and the enterprise questionnaire too.
    let home = client.get("/").dispatch().await.into_string().await.unwrap();
    assert!(home.contains("data-survey=\"sme-dx\""));
    for n in 1..=12 {
        let answers = sme_answers(n);
        let token = start(&client, "sme-dx", &answers).await;
        answer_all(&client, &sme, &token, &answers).await;
        let submitted = post(&client, &format!("/r/{token}/submit"), &[]).await;
        assert_eq!(submitted.status(), Status::SeeOther);
    }
    // The wave is open to anyone: the office confirms who they are before they count.
    let actor = dxsurvey::service::Actor::command_line();
    let wave = crate::respond::wave();
    let confirmed = dxsurvey::service::cases::confirm_all(&app, &actor, &wave, "checked").unwrap();
    assert_eq!(confirmed, 12);
    let enterprise = example("enterprise-answers.json");
    let both = Map::from_iter(
        enterprise
            .into_iter()
            .map(|(k, v)| if k == "tax_code" { (k, Value::from("0100000001")) } else { (k, v) }),
    );
    start(&client, "enterprise-dx", &both).await;

    let (stat, _) = signed_in(&app, "stat@hanoi.gov.vn", StaffRole::Statistician, &[]);
    let (official, _) = signed_in(&app, "ward@hanoi.gov.vn", StaffRole::Official, &["00070"]);

    // The dashboard leads with its own first indicator and says it has no target.
    let dashboard = page(&client, "/stats?survey=sme-dx", &stat).await;
    assert!(
        dashboard.contains("<option value=\"ind_online_seller\" selected>"),
        "headline indicator"
    );
    assert!(!dashboard.contains("class=\"target\""), "no target block without a target");
    assert!(dashboard.contains("/stats/report.pdf?wave=") && dashboard.contains("survey=sme-dx"));

    // The API and the export carry its 12 responses and its indicators.
    let api =
        page(&client, "/api/v1/figures?survey=sme-dx&indicator=ind_online_seller", &stat).await;
    let api: Value = serde_json::from_str(&api).unwrap();
    assert_eq!(api["respondents"], 12);
    let city =
        api["figures"].as_array().unwrap().iter().find(|f| f["breakdown"] == "city").unwrap();
    assert!((city["estimate"].as_f64().unwrap() - 6.0 / 12.0).abs() < 1e-9, "{city}");
    let csv = page(&client, "/stats/aggregates.csv?survey=sme-dx", &stat).await;
    assert!(csv.contains("ind_cloud_accounting") && csv.contains("score_back_office"));

    // The area and city PDFs are built from its own indicators.
    for (path, session) in [
        ("/areas/00070/report.pdf?survey=sme-dx", &official),
        ("/stats/report.pdf?survey=sme-dx", &stat),
        ("/stats/report.pdf?survey=sme-dx&lang=en", &stat),
    ] {
        let (status, pdf) = body(&client, path, session).await;
        assert_eq!(status, Status::Ok, "{path}");
        let Some(words) = crate::reports::pdf_text(&pdf) else { continue };
        if path.contains("lang=en") {
            assert!(words.contains("Headline indicator: Enterprise selling online"), "{words}");
            assert!(words.contains("The city has set no target for this indicator"), "{words}");
            assert!(words.contains("By sector (VSIC 2018): Enterprise selling online"), "{words}");
        } else {
            assert!(words.contains("Chỉ tiêu chính: Doanh nghiệp bán hàng trực tuyến"), "{words}");
            assert!(words.contains("Tự đánh giá số hóa doanh nghiệp nhỏ và vừa"), "{words}");
            assert!(!words.contains("Doanh nghiệp có hoạt động đổi mới sáng tạo"), "{words}");
        }
        assert!(!words.contains(" 0 phiếu") && !words.contains("from 0 submitted"), "{words}");
    }

    // The enterprise questionnaire stays the default of every page and report.
    let default = page(&client, "/stats", &stat).await;
    assert!(default.contains("<option value=\"ind_innovation_active\" selected>"));
}

#[rocket::async_test]
async fn agencies_and_group_officials_see_pages_made_for_them() {
    let (client, _dir) = crate::helpers::spawn_untracked().await;
    let app = crate::respond::app(&client).clone();
    let agency = survey(&client, "agency-dx");
    let answers = example("agency-answers.json");
    let token = start(&client, "agency-dx", &answers).await;
    answer_all(&client, &agency, &token, &answers).await;
    post(&client, &format!("/r/{token}/submit"), &[]).await;
    let result = client.get(format!("/r/{token}/result")).dispatch().await;
    let result = result.into_string().await.unwrap();
    assert!(result.contains("peers-title") && !result.contains("<li>Ngành"), "no sector line");

    let (stat, _) = signed_in(&app, "stat@hanoi.gov.vn", StaffRole::Statistician, &[]);
    let dashboard = page(&client, "/stats?survey=agency-dx", &stat).await;
    assert!(!dashboard.contains("Số liệu không đại diện"), "no enterprise-frame warning");
    assert!(dashboard.contains("không có danh sách dàn mẫu các cơ quan"));
    assert!(!dashboard.contains("fieldwork-title"), "no fieldwork by sector for agencies");

    let user = dxsurvey::service::accounts::NewUser {
        email: "district@hanoi.gov.vn".into(),
        role: StaffRole::Official,
        areas: vec![],
        groups: vec!["001".into()],
        password: Some("a long enough pass phrase".into()),
    };
    let actor = dxsurvey::service::Actor { name: "test".into(), address: None };
    let (id, _) = dxsurvey::service::accounts::add_user(&app, &user, &actor).unwrap();
    let token = dxsurvey::auth::SecretToken::generate().unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    app.store
        .write(|tx| dxsurvey::store::create_session(tx, &token.hash(), id, "csrf-token", now))
        .unwrap();
    let home = page(&client, "/staff", token.as_str()).await;
    assert!(home.contains("href=\"/areas/001/report.pdf\""), "the group's report is linked");
}

#[test]
fn a_questionnaire_without_recommendations_or_a_target_without_its_indicator_stops_the_start() {
    let dir = TempDir::new().unwrap();
    let third = with_third(&dir);
    std::fs::remove_file(third.reports.join("recommendations/sme-dx.toml")).unwrap();
    let error = App::start(&third).err().expect("refused").to_string();
    assert!(error.contains("sme-dx.toml") && error.contains("has no recommendations"), "{error}");

    let dir = TempDir::new().unwrap();
    let reference = dir.path().join("reference");
    copy_files(&repo().join("surveys/reference"), &reference, "csv");
    copy_files(&repo().join("surveys/reference"), &reference, "toml");
    let targets = std::fs::read_to_string(reference.join("targets.toml")).unwrap();
    std::fs::write(
        reference.join("targets.toml"),
        targets.replace("\"innovation_active\"", "\"innovation_actve\""),
    )
    .unwrap();
    let broken = AppConfig { reference, ..config(&dir) };
    let error = App::start(&broken).err().expect("refused").to_string();
    assert!(
        error.contains("target 'innovation_actve'") && error.contains("no questionnaire has"),
        "{error}"
    );
}

#[test]
fn quasi_identifiers_that_do_not_fit_the_questionnaires_stop_the_start_with_file_and_line() {
    let broken = |from: &str, to: &str| {
        let dir = TempDir::new().unwrap();
        let reference = dir.path().join("reference");
        copy_files(&repo().join("surveys/reference"), &reference, "csv");
        copy_files(&repo().join("surveys/reference"), &reference, "toml");
        let path = reference.join("quasi_identifiers.toml");
        let source = std::fs::read_to_string(&path).unwrap();
        assert!(source.contains(from), "{from}");
        std::fs::write(&path, source.replacen(from, to, 1)).unwrap();
        let config = AppConfig { reference, ..config(&dir) };
        App::start(&config).err().expect("refused").to_string()
    };
    let error = broken("\"ownership\"", "\"ownershp\"");
    assert!(
        error.contains("quasi_identifiers.toml:12") && error.contains("no question 'ownershp'"),
        "{error}"
    );
    let error = broken("\"revenue_band\"", "\"tax_code\"");
    assert!(error.contains("'tax_code' is not in the microdata"), "{error}");
    let error = broken("bands = [1990, 2000, 2010, 2020]\n", "");
    assert!(error.contains("'year_founded' is a number: give the `bands`"), "{error}");
    let error = broken("[1990, 2000, 2010, 2020]", "[2000, 1990]");
    assert!(
        error.contains("quasi_identifiers.toml:24") && error.contains("must ascend"),
        "{error}"
    );
    let error = broken("question = \"ownership\"", "question = \"ownership\"\nband = [1]");
    assert!(
        error.contains("quasi_identifiers.toml:13") && error.contains("unknown field"),
        "{error}"
    );
}

/// `dxsurvey demo` fills every enterprise questionnaire of the wave, not only the first: some of
/// the same enterprises answer the third one, with answers its own checks accept.
#[test]
fn the_demo_answers_a_third_questionnaire_too() {
    let dir = TempDir::new().unwrap();
    let app = App::start(&with_third(&dir)).unwrap();
    let wave = dxsurvey::kernel::format::today().year().to_string();
    let options = dxsurvey::demo::DemoOptions {
        responses: 400,
        seed: 7,
        wave: wave.clone(),
        with_frame: true,
        order_effect: 0.0,
        sample: None,
    };
    let summary = dxsurvey::demo::generate(&app, &options).unwrap();
    assert!(summary.other_questionnaires >= 80, "{summary:?}");
    let sme = dxsurvey::figures::figures(&app, &wave, "sme-dx").unwrap();
    assert_eq!(sme.respondents, summary.other_questionnaires);
    let primary = dxsurvey::figures::figures(&app, &wave, "enterprise-dx").unwrap();
    assert!(primary.weighted, "the frame is written for the primary questionnaire");
    assert!(primary.respondents > 300 && primary.respondents < 400, "{}", primary.respondents);
}
