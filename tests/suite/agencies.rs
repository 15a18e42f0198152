//! Public agencies in the register (issue 13): imported strictly, all invited (a census), each
//! answering the agency questionnaire as itself with its code, followed up by ward and kind,
//! and with letters that speak to an agency.

use dxsurvey::app::App;
use dxsurvey::auth::StaffRole;
use dxsurvey::service::Actor;
use dxsurvey::service::invitations::{self, Issued};
use dxsurvey::service::register::{self, FrameError};
use dxsurvey::store::{self, UnitKind};
use rocket::http::{Cookie, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use serde_json::Value;

use crate::helpers::signed_in;
use crate::respond::{answer_all, example, page_fields, post, survey, text_of, wave};

/// Three agencies in two wards; the second is written to in English.
const AGENCIES: &str = "code,name,area_code,kind,email,language,address\n\
    1000001,Ủy ban nhân dân phường Ví Dụ,00070,commune_committee,ubnd@vidu.gov.vn,,1 Phố Ví Dụ\n\
    1000002,Sở Ví Dụ,00070,city_department,so@vidu.gov.vn,en,\n\
    1000003,Trường Tiểu học Ví Dụ,00082,public_service_unit,,,\n";

fn app(client: &Client) -> &App {
    client.rocket().state::<App>().unwrap()
}

async fn body(response: LocalResponse<'_>) -> String {
    text_of(&response.into_string().await.unwrap_or_default())
}

fn location(response: &LocalResponse<'_>) -> String {
    response.headers().get_one("Location").unwrap_or_default().to_string()
}

/// The example agency answers, as the register's agency `issued` gives them.
fn answers_of(issued: &Issued) -> serde_json::Map<String, Value> {
    let mut answers = example("agency-answers.json");
    let who = &issued.invitee;
    answers.insert("agency_name".into(), Value::from(who.name.clone()));
    answers.insert("area".into(), Value::from(who.area_code.clone()));
    answers.insert("agency_level".into(), Value::from(who.agency_kind.clone()));
    answers
}

fn count(app: &App, sql: &str) -> i64 {
    app.store.read(|c| Ok(c.query_row(sql, [], |r| r.get(0))?)).unwrap()
}

#[rocket::async_test]
async fn a_bad_agency_register_is_refused_whole_with_every_line_named() {
    let (client, _dir) = crate::helpers::spawn_app().await;
    let app = app(&client);
    let actor = Actor::command_line();
    let bad = "code,name,area_code,kind\n\
               1000001,UBND phường A,00070,commune_committee\n\
               1000001,UBND phường B,00070,commune_committee\n\
               1000003,Trường C,99999,school\n";
    let Err(FrameError::Invalid(problems)) =
        register::import_agencies(app, &wave(), bad.as_bytes(), &actor)
    else {
        panic!("a bad agency register is refused")
    };
    let all = problems.join("\n");
    assert!(all.contains("line 3: code 1000001 is already given on line 2"), "{all}");
    assert!(all.contains("line 4: area_code '99999'"), "{all}");
    assert!(all.contains("line 4: kind 'school' must be one of city_department"), "{all}");
    assert_eq!(count(app, "SELECT count(*) FROM register_units"), 0, "nothing imported");
    assert_eq!(count(app, "SELECT count(*) FROM audit_log WHERE action = 'register.agencies'"), 0);

    // The command line says the same, with the file's name, and exits with an error.
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("agencies.csv");
    std::fs::write(&file, bad).unwrap();
    let out = crate::helpers::run(
        &dir,
        &["frame", "agencies", file.to_str().unwrap(), "--wave", &wave()],
        &[],
    );
    let (_, errors) = crate::helpers::text(&out);
    assert!(!out.status.success());
    assert!(errors.contains("agencies.csv: line 4: area_code '99999'"), "{errors}");
    assert!(errors.contains("nothing was imported"), "{errors}");
}

#[rocket::async_test]
async fn every_agency_is_invited_and_answers_as_itself_with_its_code() {
    let (client, _dir) = crate::helpers::spawn_app().await;
    let actor = Actor::command_line();
    let imported =
        register::import_agencies(app(&client), &wave(), AGENCIES.as_bytes(), &actor).unwrap();
    assert_eq!((imported.agencies, imported.wards), (3, 2));
    // A census: no sample is drawn, and every agency gets a code.
    let issued = invitations::issue(app(&client), &wave(), &actor).unwrap();
    assert_eq!(issued.len(), 3);
    assert!(issued.iter().all(|i| i.invitee.kind == UnitKind::Agency));
    let again = register::import_agencies(app(&client), &wave(), AGENCIES.as_bytes(), &actor);
    assert!(matches!(again, Err(FrameError::Invalid(p)) if p[0].contains("access codes")));

    // The wave is now by invitation for agencies: no start button, a start is refused.
    let home = body(client.get("/").dispatch().await).await;
    assert!(!home.contains(&format!("/start/{}/agency-dx", wave())), "{home}");
    let survey = survey(&client, "agency-dx");
    let mine = issued.iter().find(|i| i.invitee.code == "1000001").unwrap();
    let stranger = post(
        &client,
        &format!("/start/{}/agency-dx", wave()),
        &page_fields(&survey, 0, &answers_of(mine)),
    )
    .await;
    assert_eq!(stranger.status(), Status::Forbidden);

    // The code opens the agency questionnaire with name, ward and kind from the register.
    let opened = client.get(format!("/i/{}", mine.code.as_str())).dispatch().await;
    assert_eq!(opened.status(), Status::SeeOther);
    let token = location(&opened).strip_prefix("/r/").unwrap().to_string();
    let profile = body(client.get(format!("/r/{token}/p/1")).dispatch().await).await;
    let name_field =
        format!("id=\"agency_name\" value=\"{}\" maxlength=\"300\" readonly", mine.invitee.name);
    assert!(profile.contains(&name_field), "{profile}");
    assert!(profile.contains("<select disabled id=\"area\""), "{profile}");
    assert!(profile.contains("staff_count"), "the rest of the profile is the agency's to give");
    let mut forged = answers_of(mine);
    forged.insert("agency_name".into(), Value::from("Cơ quan khác"));
    let changed =
        post(&client, &format!("/r/{token}/p/1"), &page_fields(&survey, 0, &forged)).await;
    assert_eq!(changed.status(), Status::UnprocessableEntity);
    assert!(body(changed).await.contains("danh sách"), "the reason");

    let answers = answers_of(mine);
    let saved = post(&client, &format!("/r/{token}/p/1"), &page_fields(&survey, 0, &answers)).await;
    assert_eq!(saved.status(), Status::SeeOther);
    answer_all(&client, &survey, &token, &answers).await;
    assert_eq!(post(&client, &format!("/r/{token}/submit"), &[]).await.status(), Status::SeeOther);
    let origin: (String, String, i64, String) = app(&client)
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT identity_check, standing, register_unit_id, survey_id FROM responses",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?)
        })
        .unwrap();
    assert_eq!(
        origin,
        ("verified".into(), "counted".into(), mine.invitee.unit_id, "agency-dx".into())
    );

    // Response rates: agencies on their own, by ward and kind; never added to enterprises.
    let stat = signed_in(app(&client), "stat@hanoi.gov.vn", StaffRole::Statistician, &[]).0;
    let rates = client
        .get(format!("/api/v1/response-rates?wave={}", wave()))
        .private_cookie(Cookie::new("dx_session", stat))
        .dispatch()
        .await;
    let rates: Value = serde_json::from_str(&rates.into_string().await.unwrap()).unwrap();
    let row = |breakdown: &str, group: &str| {
        rates["rates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["breakdown"] == breakdown && r["group"] == group)
            .map(|r| (r["sampled"].as_i64().unwrap(), r["responded"].as_i64().unwrap()))
    };
    assert_eq!(row("agencies", ""), Some((3, 1)), "{rates}");
    assert_eq!(row("agency_ward", "00070"), Some((2, 1)));
    assert_eq!(row("agency_kind", "commune_committee"), Some((1, 1)));
    assert_eq!(row("city", ""), None, "no enterprise was sampled");

    // The ward's official follows its agencies up: kind shown, a contact recorded by code.
    let official = signed_in(app(&client), "ward@hanoi.gov.vn", StaffRole::Official, &["00070"]);
    let page = client
        .get("/areas/00070/fieldwork")
        .private_cookie(Cookie::new("dx_session", official.0.clone()))
        .dispatch()
        .await;
    let page = body(page).await;
    assert!(page.contains("Sở Ví Dụ") && page.contains("Sở, ban, ngành"), "{page}");
    assert!(!page.contains("Trường Tiểu học Ví Dụ"), "another ward's agency");
    assert!(page.contains("1/2"), "{page}");
    let fields = [
        ("csrf".to_string(), official.1.clone()),
        ("code".to_string(), "1000002".to_string()),
        ("outcome".to_string(), "refused".to_string()),
        ("channel".to_string(), "call".to_string()),
        ("note".to_string(), "không có người phụ trách".to_string()),
    ];
    let recorded = client
        .post("/areas/00070/fieldwork")
        .header(rocket::http::ContentType::Form)
        .private_cookie(Cookie::new("dx_session", official.0.clone()))
        .body(crate::respond::encode(&fields))
        .dispatch()
        .await;
    assert_eq!(recorded.status(), Status::SeeOther);
    assert_eq!(count(app(&client), "SELECT count(*) FROM unit_events WHERE kind = 'refused'"), 1);
    assert_eq!(
        count(
            app(&client),
            "SELECT count(*) FROM audit_log WHERE action = 'unit.refused' AND detail LIKE '1000002:%'"
        ),
        1
    );
}

#[rocket::async_test]
async fn an_agency_letter_speaks_to_an_agency() {
    let (rocket, dir) = crate::helpers::rocket_with(|c| c.contact = Some("024 3825 3536".into()));
    let client = Client::tracked(rocket).await.unwrap();
    let actor = Actor::command_line();
    register::import_agencies(app(&client), &wave(), AGENCIES.as_bytes(), &actor).unwrap();
    invitations::issue(app(&client), &wave(), &actor).unwrap();
    let official = signed_in(app(&client), "ward@hanoi.gov.vn", StaffRole::Official, &["00070"]);
    let pdf = client
        .get("/areas/00070/letters.pdf")
        .private_cookie(Cookie::new("dx_session", official.0))
        .dispatch()
        .await;
    assert_eq!(pdf.status(), Status::Ok);
    let path = dir.path().join("letters.pdf");
    std::fs::write(&path, pdf.into_bytes().await.unwrap()).unwrap();
    let Some(words) = crate::letters::tool("pdftotext", &["-layout"], &path) else { return };
    let pages: Vec<String> = words
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(pages.len(), 2, "one page per agency of the ward");
    for page in &pages {
        assert!(page.contains("Mã đơn vị: 100000"), "{page}");
        assert!(page.contains("Tất cả cơ quan, đơn vị") && page.contains("Every agency"), "{page}");
        assert!(!page.contains("chọn ngẫu nhiên") && !page.contains("Mã số thuế"), "{page}");
    }
    let stored = app(&client).store.read(|c| store::invited(c, &wave(), None)).unwrap();
    assert_eq!(stored.len(), 3);
}
