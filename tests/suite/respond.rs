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

pub fn wave() -> String {
    time::OffsetDateTime::now_utc().year().to_string()
}

/// The example answers of a questionnaire.
pub fn example(name: &str) -> Map<String, Value> {
    let text = std::fs::read_to_string(repo().join("surveys/examples").join(name)).unwrap();
    serde_json::from_str::<Value>(&text).unwrap().as_object().unwrap().clone()
}

/// Form fields that answer the questions of page `page` as `answers` does.
pub fn page_fields(
    survey: &Survey,
    page: usize,
    answers: &Map<String, Value>,
) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for i in survey.pages[page].questions.clone() {
        let id = &survey.questions[i].id;
        match answers.get(id) {
            Some(Value::Array(items)) => {
                fields.extend(items.iter().map(|v| (id.clone(), v.as_str().unwrap().to_string())))
            }
            Some(Value::String(s)) => fields.push((id.clone(), s.clone())),
            Some(other) => fields.push((id.clone(), other.to_string())),
            None => {}
        }
        if let Some(Value::String(other)) = answers.get(&format!("{id}_other")) {
            fields.push((format!("{id}_other"), other.clone()));
        }
    }
    fields.push(("action".into(), "next".into()));
    fields
}

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
    assert_eq!(token.len(), 40);
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
    let hash = dxsurvey::resume::ResumeToken::parse(token).unwrap().hash();
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
