//! The respondent's flow through real HTTP: start, every page, resume, review, submit, result.

use std::sync::Arc;

use dxsurvey::answers::Answers;
use dxsurvey::app::App;
use dxsurvey::scoring::score;
use dxsurvey::survey::Survey;
use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use serde_json::{Map, Value};

use crate::helpers::{repo, spawn_app};

pub fn app(client: &Client) -> &App {
    client.rocket().state::<App>().expect("the app is managed")
}

pub fn survey(client: &Client, id: &str) -> Arc<Survey> {
    app(client).catalog.current(id).expect("questionnaire").clone()
}

/// The wave a new installation opens: this year's, in Hanoi.
pub fn wave() -> String {
    dxsurvey::kernel::format::today().year().to_string()
}

/// The example answers of a questionnaire.
pub fn example(name: &str) -> Map<String, Value> {
    let text = std::fs::read_to_string(repo().join("surveys/examples").join(name)).unwrap();
    serde_json::from_str::<Value>(&text).unwrap().as_object().unwrap().clone()
}

/// Form fields that answer the questions of page `page` as `answers` does.
pub use dxsurvey::answers::form::page_fields;

/// `application/x-www-form-urlencoded`, every byte but letters and digits escaped.
pub fn encode(fields: &[(String, String)]) -> String {
    let escape = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b == b'_' {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    fields.iter().map(|(k, v)| format!("{}={}", escape(k), escape(v))).collect::<Vec<_>>().join("&")
}

pub async fn post<'c>(
    client: &'c Client,
    uri: &str,
    fields: &[(String, String)],
) -> LocalResponse<'c> {
    client.post(uri.to_string()).header(ContentType::Form).body(encode(fields)).dispatch().await
}

/// A page's text with the entities our templates write turned back into characters.
pub fn text_of(html: &str) -> String {
    html.replace("&#x2f;", "/").replace("&#x27;", "'").replace("&quot;", "\"").replace("&amp;", "&")
}

fn location(response: &LocalResponse<'_>) -> String {
    response.headers().get_one("Location").unwrap_or_default().to_string()
}

/// Starts a response with the profile of `answers`; returns the resume token.
pub async fn start(client: &Client, survey_id: &str, answers: &Map<String, Value>) -> String {
    let survey = survey(client, survey_id);
    let response =
        post(client, &format!("/start/{}/{survey_id}", wave()), &page_fields(&survey, 0, answers))
            .await;
    assert_eq!(
        response.status(),
        Status::SeeOther,
        "{}",
        response.into_string().await.unwrap_or_default()
    );
    let to = location(&response);
    let token =
        to.strip_prefix("/r/").and_then(|r| r.strip_suffix("/welcome")).unwrap().to_string();
    assert_eq!(token.len(), 64, "256 bits as hex");
    token
}

/// Answers every page after the profile, following the redirects the server gives.
pub async fn answer_all(
    client: &Client,
    survey: &Survey,
    token: &str,
    answers: &Map<String, Value>,
) {
    for page in 1..survey.pages.len() {
        let uri = format!("/r/{token}/p/{}", page + 1);
        let response = post(client, &uri, &page_fields(survey, page, answers)).await;
        assert_eq!(
            response.status(),
            Status::SeeOther,
            "page {}: {}",
            page + 1,
            response.into_string().await.unwrap_or_default()
        );
    }
}

/// The stored answers, status and overall score of the response of `token`.
fn stored(client: &Client, token: &str) -> (String, String, Option<f64>) {
    let hash = dxsurvey::auth::SecretToken::parse(token).unwrap().hash();
    app(client)
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT answers, status, overall_score FROM responses WHERE resume_hash = ?1",
                [hash.as_slice()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?)
        })
        .unwrap()
}

#[rocket::async_test]
async fn starting_creates_a_draft_whose_link_is_stored_only_as_a_hash() {
    let (client, _dir) = spawn_app().await;
    let token = start(&client, "enterprise-dx", &example("enterprise-answers.json")).await;
    let page =
        client.get(format!("/r/{token}/welcome")).dispatch().await.into_string().await.unwrap();
    assert!(
        text_of(&page).contains(&format!("value=\"http://localhost/r/{token}\"")),
        "the page shows the link"
    );
    let (answers, status, _) = stored(&client, &token);
    assert_eq!(status, "draft");
    assert!(answers.contains("0101234567") || answers.contains("tax_code"));
    let leaked: i64 = app(&client)
        .store
        .read(|c| Ok(c.query_row("SELECT count(*) FROM responses WHERE instr(CAST(resume_hash AS TEXT), ?1) OR instr(answers, ?1)", [&token], |r| r.get(0))?))
        .unwrap();
    assert_eq!(leaked, 0, "the token itself is stored nowhere");
}

#[rocket::async_test]
async fn the_whole_flow_ends_on_a_result_whose_numbers_are_the_scoring_modules() {
    let (client, _dir) = spawn_app().await;
    let answers = example("enterprise-answers.json");
    let survey = survey(&client, "enterprise-dx");
    let token = start(&client, "enterprise-dx", &answers).await;
    answer_all(&client, &survey, &token, &answers).await;

    let review = client.get(format!("/r/{token}/review")).dispatch().await;
    assert_eq!(review.status(), Status::Ok);
    let review = review.into_string().await.unwrap();
    assert!(
        review.contains("Nộp phiếu") && !review.contains("Chưa trả lời (bắt buộc)"),
        "nothing required is missing"
    );

    let submitted = post(&client, &format!("/r/{token}/submit"), &[]).await;
    assert_eq!(location(&submitted), format!("/r/{token}/result"));
    let result =
        client.get(format!("/r/{token}/result")).dispatch().await.into_string().await.unwrap();

    let expected =
        score(&survey, &Answers::from_json(&survey, &answers, &app(&client).reference).unwrap());
    let overall = format!("{:.1}", expected.overall.unwrap()).replace('.', ",");
    assert!(
        result.contains(&format!("<strong id=\"overall\">{overall}</strong>")),
        "overall {overall}"
    );
    let level = &survey.levels[expected.level.unwrap()].name.vi;
    assert!(
        result.contains(&format!("<span class=\"level-name\">{level}</span>")),
        "level {level}"
    );
    for (d, s) in survey.dimensions.iter().zip(&expected.dimensions) {
        let cell = format!(
            "<th scope=\"row\">{}</th><td class=\"num\">{}</td>",
            d.title.vi,
            format!("{:.1}", s.unwrap()).replace('.', ",")
        );
        assert!(result.contains(&cell), "dimension {}", d.id);
    }
    assert!(result.contains("<svg class=\"chart\""), "an inline chart");
    assert!(result.contains("Khuyến nghị cho hai trụ cột yếu nhất"));

    let (_, status, stored_overall) = stored(&client, &token);
    assert_eq!(status, "submitted");
    assert_eq!(stored_overall, expected.overall);
}

#[rocket::async_test]
async fn the_link_resumes_the_draft_from_another_browser() {
    let (client, _dir) = spawn_app().await;
    let answers = example("agency-answers.json");
    let survey = survey(&client, "agency-dx");
    let token = start(&client, "agency-dx", &answers).await;
    post(&client, &format!("/r/{token}/p/2"), &page_fields(&survey, 1, &answers)).await;

    // Nothing but the link identifies the respondent: no cookie was ever set, so any browser
    // holding the link gets the same draft.
    assert_eq!(client.cookies().iter().count(), 0);
    let resumed = client.get(format!("/r/{token}")).dispatch().await;
    assert_eq!(resumed.status(), Status::SeeOther);
    assert_eq!(
        location(&resumed),
        format!("/r/{token}/p/3"),
        "the first page with required answers missing"
    );
    let page = client.get(format!("/r/{token}/p/2")).dispatch().await.into_string().await.unwrap();
    let first = &survey.questions[survey.pages[1].questions.start];
    let value = answers[&first.id].to_string().trim_matches('"').to_string();
    assert!(
        page.contains(&format!("value=\"{value}\" checked"))
            || page.contains(&format!("value=\"{value}\"")),
        "saved answers are shown"
    );
}

fn field(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    fields.retain(|(n, _)| n != name);
    fields.push((name.to_string(), value.to_string()));
}

#[rocket::async_test]
async fn invalid_answers_come_back_with_every_error_linked_and_everything_typed_kept() {
    let (client, _dir) = spawn_app().await;
    let answers = example("enterprise-answers.json");
    let survey = survey(&client, "enterprise-dx");
    let token = start(&client, "enterprise-dx", &answers).await;
    let before = stored(&client, &token);

    let page = survey
        .pages
        .iter()
        .position(|p| {
            survey.questions[p.questions.start].id == "employees"
                || p.questions.clone().any(|i| survey.questions[i].id == "employees")
        })
        .unwrap();
    let mut fields = page_fields(&survey, page, &answers);
    field(&mut fields, "employees", "-5");
    field(&mut fields, "legal_name", "Công ty Giữ Nguyên Chữ Đã Gõ");
    let response = post(&client, &format!("/r/{token}/p/{}", page + 1), &fields).await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("Vui lòng sửa các lỗi sau"), "a summary at the top");
    assert!(text_of(&html).contains("<a href=\"#q-employees\">"), "linked to the field");
    assert!(html.contains("id=\"err-employees\""), "the error next to the field");
    assert!(
        html.contains("aria-describedby=\"help-employees err-employees\"")
            || html.contains("aria-describedby=\"err-employees\"")
    );
    assert!(html.contains("value=\"-5\""), "the wrong value is kept");
    assert!(html.contains("Công ty Giữ Nguyên Chữ Đã Gõ"), "other typed values are kept");
    // The valid answers of the page are saved; the wrong value never is, and the stored one stays.
    let (json, status, _) = stored(&client, &token);
    assert!(json.contains("Công ty Giữ Nguyên Chữ Đã Gõ") && json.contains("\"employees\":28"));
    assert_eq!(
        (
            json.replace("Công ty Giữ Nguyên Chữ Đã Gõ", "Công ty TNHH Giải pháp Phần mềm Ví Dụ"),
            status
        ),
        (before.0, before.1)
    );
}

#[rocket::async_test]
async fn a_question_hidden_by_a_condition_never_appears_and_is_never_required() {
    let (client, _dir) = spawn_app().await;
    let mut answers = example("enterprise-answers.json");
    let survey = survey(&client, "enterprise-dx");
    let token = start(&client, "enterprise-dx", &answers).await;
    let page = survey
        .pages
        .iter()
        .position(|p| p.questions.clone().any(|i| survey.questions[i].id == "dx_spending"))
        .unwrap();
    let uri = format!("/r/{token}/p/{}", page + 1);

    // Without a budget for digital transformation, its share of revenue is not asked.
    answers.insert("dx_budget_plan".into(), Value::from("none"));
    // (with a plan that names no resources: a plan without a budget would be asked about)
    answers.insert("dx_strategy".into(), Value::from(2));
    answers.remove("dx_spending");
    let response = post(&client, &uri, &page_fields(&survey, page, &answers)).await;
    assert_eq!(response.status(), Status::SeeOther, "saved without the hidden question");
    let html = client.get(&uri).dispatch().await.into_string().await.unwrap();
    assert!(!html.contains("id=\"q-dx_spending\""));

    // A budget brings the question up on the same page, without an error.
    answers.insert("dx_budget_plan".into(), Value::from("annual_budget"));
    let response = post(&client, &uri, &page_fields(&survey, page, &answers)).await;
    assert_eq!(location(&response), format!("{uri}?revealed=true#q-dx_spending"));
    let html =
        client.get(format!("{uri}?revealed=true")).dispatch().await.into_string().await.unwrap();
    assert!(html.contains("id=\"q-dx_spending\"") && !html.contains("class=\"error\""));
}

#[rocket::async_test]
async fn submitting_twice_gives_one_response_with_the_first_scores() {
    let (client, _dir) = spawn_app().await;
    let answers = example("agency-answers.json");
    let survey = survey(&client, "agency-dx");
    let token = start(&client, "agency-dx", &answers).await;
    answer_all(&client, &survey, &token, &answers).await;
    let first = post(&client, &format!("/r/{token}/submit"), &[]).await;
    let second = post(&client, &format!("/r/{token}/submit"), &[]).await;
    assert_eq!(location(&first), location(&second));
    let (rows, submitted_at): (i64, String) = app(&client)
        .store
        .read(|c| {
            Ok(c.query_row("SELECT count(*), max(submitted_at) FROM responses", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?)
        })
        .unwrap();
    assert_eq!(rows, 1);
    // After submission the response is read-only: pages lead to the result and saves change nothing.
    let before = stored(&client, &token);
    let late = post(&client, &format!("/r/{token}/p/2"), &page_fields(&survey, 1, &answers)).await;
    assert_eq!(location(&late), format!("/r/{token}/result"));
    assert_eq!(stored(&client, &token), before);
    let again: String = app(&client)
        .store
        .read(|c| Ok(c.query_row("SELECT submitted_at FROM responses", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(again, submitted_at);
}

#[rocket::async_test]
async fn one_response_per_tax_code_and_wave_with_a_clear_explanation() {
    let (client, _dir) = spawn_app().await;
    let answers = example("enterprise-answers.json");
    let survey = survey(&client, "enterprise-dx");
    let token = start(&client, "enterprise-dx", &answers).await;

    let again = post(
        &client,
        &format!("/start/{}/enterprise-dx", wave()),
        &page_fields(&survey, 0, &answers),
    )
    .await;
    assert_eq!(again.status(), Status::Conflict);
    let while_draft = again.into_string().await.unwrap();
    assert!(
        while_draft.contains("đơn vị này đã có phiếu") && !while_draft.contains(&token),
        "no link is given away"
    );

    answer_all(&client, &survey, &token, &answers).await;
    post(&client, &format!("/r/{token}/submit"), &[]).await;
    let after = post(
        &client,
        &format!("/start/{}/enterprise-dx", wave()),
        &page_fields(&survey, 0, &answers),
    )
    .await;
    assert_eq!(after.status(), Status::Conflict);
    // The same page whether the response is a draft or submitted: no one learns by typing a
    // tax code when an organisation submitted (docs/disclosure.md, section 5).
    assert_eq!(after.into_string().await.unwrap(), while_draft);
    let rows: i64 = app(&client)
        .store
        .read(|c| Ok(c.query_row("SELECT count(*) FROM responses", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(rows, 1);
}

#[rocket::async_test]
async fn hostile_requests_get_a_clear_4xx_and_change_nothing() {
    let (client, _dir) = spawn_app().await;
    let answers = example("enterprise-answers.json");
    let survey = survey(&client, "enterprise-dx");
    let token = start(&client, "enterprise-dx", &answers).await;
    let before = stored(&client, &token);
    // The page of the customer questions (the website, the channels).
    let website = survey.question_idx("website").unwrap();
    let customer = survey.pages.iter().position(|p| p.questions.contains(&website)).unwrap();
    let page = format!("/r/{token}/p/{}", customer + 1);
    let mut valid = page_fields(&survey, customer, &answers);

    let cases: Vec<(&str, Vec<u8>, ContentType, Status)> = vec![
        (
            "unknown field",
            encode(&[("drop_table".into(), "1".into())]).into_bytes(),
            ContentType::Form,
            Status::BadRequest,
        ),
        (
            "a question of another page",
            encode(&[("tax_code".into(), "0100000000".into())]).into_bytes(),
            ContentType::Form,
            Status::BadRequest,
        ),
        ("invalid UTF-8", b"website=%FF%FE".to_vec(), ContentType::Form, Status::BadRequest),
        ("raw invalid UTF-8", b"website=\xff".to_vec(), ContentType::Form, Status::BadRequest),
        (
            "oversized body",
            format!("website={}", "y".repeat(70 * 1024)).into_bytes(),
            ContentType::Form,
            Status::PayloadTooLarge,
        ),
        (
            "JSON instead of a form",
            b"{\"website\":\"yes\"}".to_vec(),
            ContentType::JSON,
            Status::UnsupportedMediaType,
        ),
    ];
    for (what, body, content_type, status) in cases {
        let response = client.post(&page).header(content_type).body(body).dispatch().await;
        assert_eq!(response.status(), status, "{what}");
        let html = response.into_string().await.unwrap_or_default();
        assert!(html.contains("Dữ liệu đã lưu của bạn không bị thay đổi"), "{what}: a clear page");
    }
    for uri in [
        "/r/0000000000000000000000000000000000000000/p/2",
        "/r/short/p/2",
        &format!("/r/{token}/p/99"),
        &format!("/r/{token}/p/0"),
    ] {
        assert_eq!(
            client.get(uri.to_string()).dispatch().await.status(),
            Status::NotFound,
            "{uri}"
        );
        assert_eq!(post(&client, uri, &valid).await.status(), Status::NotFound, "{uri}");
    }
    assert_eq!(
        client.get(format!("/start/{}/no-such-survey", wave())).dispatch().await.status(),
        Status::NotFound
    );
    assert_eq!(client.get("/start/1999/enterprise-dx").dispatch().await.status(), Status::NotFound);
    assert_eq!(stored(&client, &token), before, "nothing stored changes");

    // A value of the wrong form is refused alone: the page's valid answers are kept.
    field(&mut valid, "website", "maybe");
    assert_eq!(
        post(&client, &page, &valid).await.status(),
        Status::UnprocessableEntity,
        "unknown choice"
    );
    let (json, _, _) = stored(&client, &token);
    assert!(json.contains("\"customer_channels\":3") && !json.contains("maybe"), "{json}");
}

#[rocket::async_test]
async fn script_typed_into_every_text_comes_back_escaped_on_every_page() {
    let (client, _dir) = spawn_app().await;
    let payload = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>";
    let mut answers = example("enterprise-answers.json");
    let survey = survey(&client, "enterprise-dx");
    let texts: Vec<String> = survey
        .questions
        .iter()
        .filter(|q| matches!(q.kind.name(), "short_text" | "long_text") && q.role.is_none())
        .map(|q| q.id.clone())
        .collect();
    answers.insert("legal_name".into(), Value::from(format!("Công ty {payload}")));
    for id in &texts {
        answers.insert(id.clone(), Value::from(payload));
    }
    for key in answers.keys().filter(|k| k.ends_with("_other")).cloned().collect::<Vec<_>>() {
        answers.insert(key, Value::from(payload));
    }
    let token = start(&client, "enterprise-dx", &answers).await;
    answer_all(&client, &survey, &token, &answers).await;
    let mut pages: Vec<String> =
        (1..=survey.pages.len()).map(|p| format!("/r/{token}/p/{p}")).collect();
    pages.push(format!("/r/{token}/review"));
    let mut seen = 0;
    for uri in &pages {
        let html = client.get(uri.clone()).dispatch().await.into_string().await.unwrap();
        assert!(
            !html.contains("<script>") && !html.contains("<img src=x"),
            "{uri} shows the payload unescaped"
        );
        seen += usize::from(html.contains("&lt;script&gt;"));
    }
    assert!(seen >= 2, "the payload is shown, escaped, on the pages that hold it");
    post(&client, &format!("/r/{token}/submit"), &[]).await;
    let result =
        client.get(format!("/r/{token}/result")).dispatch().await.into_string().await.unwrap();
    assert!(result.contains("Công ty &lt;script&gt;") && !result.contains("<script>"));
}

#[rocket::async_test]
async fn the_flow_speaks_english_when_asked() {
    let (client, _dir) = spawn_app().await;
    client.get("/lang/en").dispatch().await;
    let html = client
        .get(format!("/start/{}/enterprise-dx", wave()))
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    assert!(
        html.contains("<html lang=\"en\">")
            && html.contains("Enterprise profile")
            && html.contains("— Choose —")
    );
    let empty = post(
        &client,
        &format!("/start/{}/enterprise-dx", wave()),
        &[("action".into(), "next".into())],
    )
    .await;
    let html = empty.into_string().await.unwrap();
    assert!(
        html.contains("Please correct the following")
            && html.contains("this question must be answered")
    );
}

#[rocket::async_test]
async fn peers_are_compared_from_yesterdays_snapshot_of_at_least_ten() {
    let (client, _dir) = spawn_app().await;
    let answers = example("enterprise-answers.json");
    let survey = survey(&client, "enterprise-dx");
    let token = start(&client, "enterprise-dx", &answers).await;
    answer_all(&client, &survey, &token, &answers).await;
    post(&client, &format!("/r/{token}/submit"), &[]).await;

    // Ten other enterprises of the same ward and sector submit today: still nothing to show.
    let app = app(&client);
    let parsed = Answers::from_json(&survey, &answers, &app.reference).unwrap();
    for n in 0..10 {
        let mut other = dxsurvey::response::new_response(
            &survey,
            &parsed,
            &app.reference,
            &wave(),
            dxsurvey::store::ResponseStatus::Submitted,
        );
        other.identity = format!("010000000{n}");
        app.store.write(|tx| dxsurvey::store::insert_response(tx, &other, None)).unwrap();
    }
    let result =
        client.get(format!("/r/{token}/result")).dispatch().await.into_string().await.unwrap();
    assert_eq!(result.matches("cần ít nhất 10 đơn vị").count(), 2, "{result}");
    assert!(!result.contains("class=\"mark-area\""));

    // A day later the snapshot holds all eleven, in whole points.
    app.store
        .write(|tx| {
            tx.execute(
                "UPDATE responses SET submitted_at = strftime('%Y-%m-%dT%H:%M:%fZ', submitted_at, '-1 day')",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    let result =
        client.get(format!("/r/{token}/result")).dispatch().await.into_string().await.unwrap();
    assert!(!result.contains("cần ít nhất 10"));
    let today = dxsurvey::kernel::format::date(
        dxsurvey::kernel::format::today(),
        dxsurvey::survey::Lang::Vi,
    );
    let text = text_of(&result);
    assert_eq!(text.matches(&format!("(11 đơn vị đã nộp phiếu trước ngày {today})")).count(), 2);
    // The day of submission as the page's language writes dates, in Hanoi's calendar.
    let yesterday = dxsurvey::kernel::format::today().previous_day().unwrap();
    let submitted = dxsurvey::kernel::format::date(yesterday, dxsurvey::survey::Lang::Vi);
    assert!(text.contains(&format!("nộp ngày {submitted}")), "{text}");
    assert!(result.contains("class=\"mark-sector\"") && result.contains("class=\"mark-area\""));
}
