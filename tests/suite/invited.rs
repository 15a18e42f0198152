//! Starting with a personal access code (issue 13), tried as an invited enterprise and as a
//! stranger would: the link and the typed code, identity fixed from the register, the code as
//! the way back, invitation-only and open waves, the start limit, claims given way, voiding.

use dxsurvey::app::App;
use dxsurvey::service::cases::{self, ResponseAction};
use dxsurvey::service::invitations::{self, Issued};
use dxsurvey::service::sample::{SampleRequest, draw, propose};
use dxsurvey::service::{Actor, register, waves};
use dxsurvey::store::WaveAccess;
use rocket::http::Status;
use rocket::local::asynchronous::{Client, LocalResponse};
use serde_json::{Map, Value};
use tempfile::TempDir;

use crate::fieldwork::register_of;
use crate::respond::{answer_all, example, page_fields, post, start, survey, text_of, wave};

/// An app whose wave has a register of 400 enterprises, a sample of 100 and their codes.
async fn invited_world() -> (Client, TempDir, Vec<Issued>) {
    invited_world_with(|_| {}).await
}

/// The same with the configuration adjusted by `adjust`.
async fn invited_world_with(
    adjust: impl FnOnce(&mut dxsurvey::config::AppConfig),
) -> (Client, TempDir, Vec<Issued>) {
    let (rocket, dir) = crate::helpers::rocket_with(adjust);
    let client = Client::tracked(rocket).await.unwrap();
    let app = app(&client);
    let actor = Actor::command_line();
    register::import_register(app, &wave(), register_of(400).as_bytes(), &actor).unwrap();
    let request =
        SampleRequest { total: 100, min_per_ward_size: 2, prior: 0.5, prior_wave: None, seed: 7 };
    let proposal = propose(app, &wave(), &request).unwrap();
    draw(app, &wave(), &request, &proposal, &actor).unwrap();
    let issued = invitations::issue(app, &wave(), &actor).unwrap();
    (client, dir, issued)
}

fn app(client: &Client) -> &App {
    client.rocket().state::<App>().unwrap()
}

fn location(response: &LocalResponse<'_>) -> String {
    response.headers().get_one("Location").unwrap_or_default().to_string()
}

async fn body(response: LocalResponse<'_>) -> String {
    text_of(&response.into_string().await.unwrap_or_default())
}

/// Opens a code's link; returns the private link's token.
async fn open_link(client: &Client, code: &str) -> String {
    let response = client.get(format!("/i/{code}")).dispatch().await;
    assert_eq!(response.status(), Status::SeeOther);
    let to = location(&response);
    to.strip_prefix("/r/").unwrap().to_string()
}

/// The example answers as the invited enterprise of `issued` gives them.
pub fn answers_of(issued: &Issued) -> Map<String, Value> {
    let mut answers = example("enterprise-answers.json");
    let who = &issued.invitee;
    answers.insert("legal_name".into(), Value::from(who.name.clone()));
    answers.insert("tax_code".into(), Value::from(who.code.clone()));
    answers.insert("area".into(), Value::from(who.area_code.clone()));
    answers.insert("vsic_section".into(), Value::from(who.vsic_section.clone()));
    answers
}

/// (identity check, standing, register entry) of the response of a tax code.
fn origin_of(client: &Client, tax_code: &str) -> Vec<(String, String, Option<i64>)> {
    app(client)
        .store
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT r.identity_check, r.standing, r.register_unit_id FROM responses r
                 JOIN organisations o ON o.id = r.organisation_id WHERE o.tax_code = ?1 ORDER BY r.id",
            )?;
            Ok(stmt
                .query_map([tax_code], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?)
        })
        .unwrap()
}

/// Respondents the published figures rest on (the API's count).
/// Counted responses of the wave left out of its sample's estimates.
fn outside_sample(client: &Client) -> usize {
    let app = app(client);
    app.figures.forget(&wave());
    dxsurvey::service::figures::computed(app, &wave(), "enterprise-dx").unwrap().1.outside_sample
}

async fn respondents(client: &Client) -> i64 {
    let stat = crate::helpers::signed_in(
        app(client),
        &format!("stat{}@hanoi.gov.vn", rand()),
        dxsurvey::auth::StaffRole::Statistician,
        &[],
    );
    let response = client
        .get("/api/v1/figures?survey=enterprise-dx")
        .private_cookie(rocket::http::Cookie::new("dx_session", stat.0))
        .dispatch()
        .await;
    let json: Value = serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
    json["respondents"].as_i64().unwrap()
}

fn rand() -> u32 {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).unwrap();
    u32::from_le_bytes(bytes)
}

#[rocket::async_test]
async fn an_invited_enterprise_answers_with_its_code_and_its_register_identity_holds() {
    let (client, _dir, issued) = invited_world().await;
    let mine = &issued[0];
    let survey = survey(&client, "enterprise-dx");

    // The wave has a register: it is by invitation, and the home page asks for the code.
    let home = body(client.get("/").dispatch().await).await;
    assert!(home.contains("name=\"code\"") && home.contains("action=\"/i\""), "{home}");
    assert!(!home.contains(&format!("/start/{}/enterprise-dx", wave())), "no start button");
    // Agencies are not in the register: their questionnaire stays open, and their answers count.
    assert!(home.contains(&format!("/start/{}/agency-dx", wave())), "agencies still start");
    let agency = example("agency-answers.json");
    let started = crate::respond::start(&client, "agency-dx", &agency).await;
    assert_eq!(started.len(), 64);
    let standing: String = app(&client)
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT standing FROM responses WHERE survey_id = 'agency-dx'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(standing, "counted");
    let refused = post(
        &client,
        &format!("/start/{}/enterprise-dx", wave()),
        &page_fields(&survey, 0, &answers_of(mine)),
    )
    .await;
    assert_eq!(refused.status(), Status::Forbidden);
    assert!(body(refused).await.contains("name=\"code\""), "the refusal offers the code field");
    assert!(origin_of(&client, &mine.invitee.code).is_empty(), "nothing stored");

    // A mistyped code says so, on the page, in the person's language.
    let first = &mine.code.as_str()[..1];
    let typo = mine.code.grouped().replacen(first, if first == "Z" { "Y" } else { "Z" }, 1);
    let wrong = post(&client, "/i", &[("code".into(), typo.clone())]).await;
    assert_eq!(wrong.status(), Status::UnprocessableEntity);
    let wrong = body(wrong).await;
    assert!(wrong.contains("Mã truy cập này không đúng") && wrong.contains(&typo), "{wrong}");

    // Typed in lower case with spaces, the code opens the profile with the register's details.
    let typed = mine.code.grouped().to_lowercase().replace('-', " ");
    let opened = post(&client, "/i", &[("code".into(), typed)]).await;
    assert_eq!(opened.status(), Status::SeeOther);
    let token = location(&opened).strip_prefix("/r/").unwrap().to_string();
    let first = client.get(format!("/r/{token}")).dispatch().await;
    assert_eq!(location(&first), format!("/r/{token}/p/1"), "the profile is not complete yet");
    let profile = body(client.get(format!("/r/{token}/p/1")).dispatch().await).await;
    assert!(profile.contains(&mine.invitee.name), "{profile}");
    let tax_field =
        format!("id=\"tax_code\" value=\"{}\" maxlength=\"14\" readonly", mine.invitee.code);
    assert!(profile.contains(&tax_field), "{profile}");
    assert!(profile.contains("<select disabled id=\"area\""), "{profile}");

    // Changing the tax code is refused with a reason; the rest of the page is kept.
    let mut forged = answers_of(mine);
    forged.insert("tax_code".into(), Value::from("0109999999"));
    let changed =
        post(&client, &format!("/r/{token}/p/1"), &page_fields(&survey, 0, &forged)).await;
    assert_eq!(changed.status(), Status::UnprocessableEntity);
    assert!(body(changed).await.contains("danh sách các đơn vị được mời"), "the reason");
    assert!(origin_of(&client, "0109999999").is_empty());

    let answers = answers_of(mine);
    let saved = post(&client, &format!("/r/{token}/p/1"), &page_fields(&survey, 0, &answers)).await;
    assert_eq!(saved.status(), Status::SeeOther);
    answer_all(&client, &survey, &token, &answers).await;
    assert_eq!(post(&client, &format!("/r/{token}/submit"), &[]).await.status(), Status::SeeOther);
    let (check, standing, unit) = origin_of(&client, &mine.invitee.code).remove(0);
    assert_eq!((check.as_str(), standing.as_str()), ("verified", "counted"));
    assert_eq!(unit, Some(mine.invitee.unit_id));
    assert_eq!(respondents(&client).await, 1, "a verified response counts");

    // The link is lost: the code opens the response again under a new link; the old one is dead.
    let again = open_link(&client, mine.code.as_str()).await;
    assert_ne!(again, token);
    assert_eq!(client.get(format!("/r/{token}")).dispatch().await.status(), Status::NotFound);
    let result = client.get(format!("/r/{again}")).dispatch().await;
    assert_eq!(location(&result), format!("/r/{again}/result"));

    // Re-issued: the old code opens nothing, the new one opens the same response.
    let actor = Actor::command_line();
    let new =
        invitations::reissue(app(&client), &wave(), &mine.invitee.code, "letter lost", &actor)
            .unwrap();
    let dead = client.get(format!("/i/{}", mine.code.as_str())).dispatch().await;
    assert_eq!(dead.status(), Status::NotFound);
    let newest = open_link(&client, new.code.as_str()).await;
    let result = client.get(format!("/r/{newest}")).dispatch().await;
    assert_eq!(location(&result), format!("/r/{newest}/result"));
    assert_eq!(origin_of(&client, &mine.invitee.code).len(), 1, "still one response");

    // No one to contact is configured: the ward's letters say what the office must add.
    let (admin, _) = crate::helpers::signed_in(
        app(&client),
        "quantri@hanoi.gov.vn",
        dxsurvey::auth::StaffRole::Administrator,
        &[],
    );
    let letters =
        staff_get(&client, &format!("/areas/{}/letters.pdf", mine.invitee.area_code), &admin).await;
    assert_eq!(letters.status(), Status::Conflict);
    assert!(body(letters).await.contains("contacts.csv"));
}

#[rocket::async_test]
async fn an_open_wave_counts_strangers_only_once_confirmed_and_limits_their_starts() {
    let (client, _dir, issued) = invited_world().await;
    let actor = Actor::command_line();
    assert!(waves::set_access(app(&client), &actor, &wave(), WaveAccess::Open).unwrap());
    let survey = survey(&client, "enterprise-dx");

    // A stranger claims an invited enterprise's tax code in the open wave and submits.
    let victim = &issued[1];
    let claimed = answers_of(victim);
    let squatter = start(&client, "enterprise-dx", &claimed).await;
    answer_all(&client, &survey, &squatter, &claimed).await;
    post(&client, &format!("/r/{squatter}/submit"), &[]).await;
    assert_eq!(origin_of(&client, &victim.invitee.code)[0].1, "unconfirmed");
    assert_eq!(respondents(&client).await, 0, "self-declared: out of the estimates");

    // The real enterprise opens its code: the claim gives way, audited, and its own draft starts.
    let token = open_link(&client, victim.code.as_str()).await;
    let origins = origin_of(&client, &victim.invitee.code);
    assert_eq!(origins.len(), 2);
    assert_eq!(origins[0].1, "void");
    assert_eq!((origins[1].0.as_str(), origins[1].1.as_str()), ("verified", "counted"));
    assert_eq!(client.get(format!("/r/{squatter}")).dispatch().await.status(), Status::NotFound);
    assert!(client.get(format!("/r/{token}/p/1")).dispatch().await.status() == Status::Ok);
    let audited: i64 = app(&client)
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM audit_log WHERE action = 'response.void' AND detail LIKE '%access code%'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(audited, 1);

    // Another stranger's response counts once the office confirms it; voided, it is gone again.
    let mut other = example("enterprise-answers.json");
    other.insert("tax_code".into(), Value::from("0108000001"));
    let stranger = start(&client, "enterprise-dx", &other).await;
    answer_all(&client, &survey, &stranger, &other).await;
    post(&client, &format!("/r/{stranger}/submit"), &[]).await;
    assert_eq!(respondents(&client).await, 0);
    assert_eq!(outside_sample(&client), 0, "unconfirmed: not even counted apart");
    assert_eq!(cases::confirm_all(app(&client), &actor, &wave(), "checked by phone").unwrap(), 1);
    assert_eq!(origin_of(&client, "0108000001")[0].1, "counted");
    // The wave has a sample: a response of an enterprise that was not sampled counts, apart from
    // the sample's estimates, which its unknown inclusion probability cannot enter
    // (docs/methodology.md §3a).
    assert_eq!(respondents(&client).await, 0);
    assert_eq!(outside_sample(&client), 1);
    let found = cases::find(app(&client), &wave(), "0108000001").unwrap();
    let id = found[0].response_id.unwrap();
    let refused = cases::act(app(&client), &actor, id, ResponseAction::Void, " ");
    assert!(refused.is_err(), "a reason is required");
    cases::act(app(&client), &actor, id, ResponseAction::Void, "test response").unwrap();
    assert_eq!(respondents(&client).await, 0, "void: out of every figure");
    assert_eq!(outside_sample(&client), 0, "void: not counted apart either");

    // Starts from one address are limited; another address is not affected.
    let mut limited = None;
    for n in 0..40 {
        let mut answers = example("enterprise-answers.json");
        answers.insert("tax_code".into(), Value::from(format!("0107{n:06}")));
        let response = client
            .post(format!("/start/{}/enterprise-dx", wave()))
            .header(rocket::http::ContentType::Form)
            .remote("203.0.113.9:40000".parse().unwrap())
            .body(crate::respond::encode(&page_fields(&survey, 0, &answers)))
            .dispatch()
            .await;
        if response.status() == Status::TooManyRequests {
            let wait: u64 = response.headers().get_one("Retry-After").unwrap().parse().unwrap();
            assert!(wait > 0);
            assert!(body(response).await.contains("thử lại sau"));
            limited = Some(n);
            break;
        }
        assert_eq!(response.status(), Status::SeeOther);
    }
    assert_eq!(limited, Some(30), "30 starts per address and hour");
    let mut answers = example("enterprise-answers.json");
    answers.insert("tax_code".into(), Value::from("0106000001"));
    let elsewhere = client
        .post(format!("/start/{}/enterprise-dx", wave()))
        .header(rocket::http::ContentType::Form)
        .remote("198.51.100.4:40000".parse().unwrap())
        .body(crate::respond::encode(&page_fields(&survey, 0, &answers)))
        .dispatch()
        .await;
    assert_eq!(elsewhere.status(), Status::SeeOther);
}

/// A GET as the staff member of `session`.
async fn staff_get<'c>(client: &'c Client, path: &str, session: &str) -> LocalResponse<'c> {
    client
        .get(path.to_string())
        .private_cookie(rocket::http::Cookie::new("dx_session", session.to_string()))
        .dispatch()
        .await
}

#[rocket::async_test]
async fn an_official_follows_up_their_wards_sample_and_prints_its_letters_but_no_other() {
    let (client, _dir, issued) =
        invited_world_with(|c| c.contact = Some("024 3825 3536".into())).await;
    let app = app(&client);
    let (official, csrf) = crate::helpers::signed_in(
        app,
        "phuong@hanoi.gov.vn",
        dxsurvey::auth::StaffRole::Official,
        &["00070"],
    );
    let ours: Vec<&Issued> = issued.iter().filter(|i| i.invitee.area_code == "00070").collect();
    let survey = survey(&client, "enterprise-dx");

    // One of the ward's enterprises submits, another only starts.
    let token = open_link(&client, ours[0].code.as_str()).await;
    let answers = answers_of(ours[0]);
    post(&client, &format!("/r/{token}/p/1"), &page_fields(&survey, 0, &answers)).await;
    answer_all(&client, &survey, &token, &answers).await;
    post(&client, &format!("/r/{token}/submit"), &[]).await;
    open_link(&client, ours[1].code.as_str()).await;

    let page = staff_get(&client, "/areas/00070/fieldwork", &official).await;
    assert_eq!(page.status(), Status::Ok);
    let page = body(page).await;
    assert_eq!(
        page.matches("<tr data-code=").count(),
        ours.len(),
        "every sampled unit of the ward"
    );
    let row = |tax_code: &str| {
        let from = page.find(&format!("data-code=\"{tax_code}\"")).unwrap();
        page[from..from + page[from..].find("</tr>").unwrap()].to_string()
    };
    assert!(row(&ours[0].invitee.code).contains("status-submitted"));
    assert!(row(&ours[1].invitee.code).contains("status-started"));
    assert!(row(&ours[2].invitee.code).contains("status-invited"));
    assert!(
        page.contains("1/") && page.contains(&format!("1/{}", ours.len())),
        "responded of sampled"
    );
    assert!(
        !page.contains("it_dx_manager") && !page.contains("Điểm"),
        "never an answer or a score"
    );
    let elsewhere = staff_get(&client, "/areas/00082/fieldwork", &official).await;
    assert_eq!(elsewhere.status(), Status::Forbidden);

    // A contact and a refusal (which needs a reason) are recorded; another ward's is refused.
    let record = |tax_code: &str, outcome: &str, note: &str, area: &str| {
        let fields = vec![
            ("csrf".to_string(), csrf.clone()),
            ("code".to_string(), tax_code.to_string()),
            ("outcome".to_string(), outcome.to_string()),
            ("channel".to_string(), "call".to_string()),
            ("note".to_string(), note.to_string()),
        ];
        client
            .post(format!("/areas/{area}/fieldwork"))
            .header(rocket::http::ContentType::Form)
            .private_cookie(rocket::http::Cookie::new("dx_session", official.clone()))
            .body(crate::respond::encode(&fields))
            .dispatch()
    };
    let third = ours[2].invitee.code.clone();
    assert_eq!(
        record(&third, "contact", "gọi lại tuần sau", "00070").await.status(),
        Status::SeeOther
    );
    let no_note = record(&third, "refused", "", "00070").await;
    assert_eq!(no_note.status(), Status::UnprocessableEntity);
    assert!(body(no_note).await.contains("hãy ghi chú lý do"), "the page says what to fix");
    assert_eq!(
        record(&third, "refused", "không có thời gian", "00070").await.status(),
        Status::SeeOther
    );
    let theirs = issued.iter().find(|i| i.invitee.area_code == "00082").unwrap();
    let other = record(&theirs.invitee.code, "contact", "x", "00070").await;
    assert_eq!(other.status(), Status::NotFound, "a unit of another ward");
    assert_eq!(
        record(&theirs.invitee.code, "contact", "x", "00082").await.status(),
        Status::Forbidden
    );
    // An e-mail the server gave up on is shown, so that the official reaches it another way.
    let fourth = ours[3].invitee.unit_id;
    app.store
        .write(|tx| {
            tx.execute(
                "INSERT INTO outbox (unit_id, kind, recipient, status, attempts, last_error, queued_at, next_try)
                 VALUES (?1, 'invitation', 'x@example.vn', 'failed', 10, '550 no such user', '2026-01-01', '2026-01-01')",
                [fourth],
            )?;
            Ok(())
        })
        .unwrap();
    let page = body(staff_get(&client, "/areas/00070/fieldwork", &official).await).await;
    assert!(
        page[page.find(&format!("data-code=\"{third}\"")).unwrap()..].contains("status-refused")
    );
    let row = &page[page.find(&format!("data-code=\"{}\"", ours[3].invitee.code)).unwrap()..];
    assert!(row[..row.find("</tr>").unwrap()].contains("Thư điện tử không gửi được"));

    // The ward's letters, and only the ward's.
    let letters = staff_get(&client, "/areas/00070/letters.pdf", &official).await;
    assert_eq!(letters.status(), Status::Ok);
    let pdf = letters.into_bytes().await.unwrap();
    if let Some(text) = crate::reports::pdf_text(&pdf) {
        for unit in &ours {
            assert!(text.contains(&unit.code.grouped()), "{}'s code", unit.invitee.code);
        }
        assert!(!text.contains(&theirs.code.grouped()));
    }
    let other = staff_get(&client, "/areas/00082/letters.pdf", &official).await;
    assert_eq!(other.status(), Status::Forbidden);

    // The statistician sees the rates: one of the sample responded.
    let (stat, _) = crate::helpers::signed_in(
        app,
        "tk@hanoi.gov.vn",
        dxsurvey::auth::StaffRole::Statistician,
        &[],
    );
    let rates = body(staff_get(&client, "/api/v1/response-rates", &stat).await).await;
    let rates: Value = serde_json::from_str(&rates).unwrap();
    let city = &rates["rates"][0];
    assert_eq!(
        (city["breakdown"].as_str(), city["sampled"].as_i64(), city["responded"].as_i64()),
        (Some("city"), Some(100), Some(1))
    );
    let dashboard = body(staff_get(&client, "/stats", &stat).await).await;
    assert!(dashboard.contains("id=\"response-rates\""));
}
