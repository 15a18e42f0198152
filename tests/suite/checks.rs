//! Consistency checks declared in the questionnaire (issue 14): answers that seldom go together
//! are put to the respondent as a question, not an error. The page is saved all the same; the
//! respondent corrects an answer, or says the answers are right and goes on.

use rocket::http::Status;
use rocket::local::asynchronous::Client;
use serde_json::Value;

use crate::respond::{example, page_fields, post, start, survey, text_of};

#[rocket::async_test]
async fn answers_that_seldom_go_together_are_asked_about_and_may_be_kept() {
    // The shipped questionnaire asks whether R&D without any innovation spending is right.
    let (rocket, _db) = crate::helpers::rocket_with(|_| {});
    let client = Client::tracked(rocket).await.unwrap();
    let survey = survey(&client, "enterprise-dx");
    let mut answers = example("enterprise-answers.json");
    let token = start(&client, "enterprise-dx", &answers).await;
    let page_of = |id: &str| {
        let i = survey.question_idx(id).unwrap();
        survey.pages.iter().position(|p| p.questions.contains(&i)).unwrap()
    };
    let odd_page = page_of("innovation_spending");
    for page in 1..odd_page {
        let uri = format!("/r/{token}/p/{}", page + 1);
        let saved = post(&client, &uri, &page_fields(&survey, page, &answers)).await;
        assert_eq!(saved.status(), Status::SeeOther, "page {}", page + 1);
    }

    answers.insert("rd_inhouse".into(), Value::from("yes"));
    answers.insert("innovation_spending".into(), Value::from("none"));
    let uri = format!("/r/{token}/p/{}", odd_page + 1);
    let asked = post(&client, &uri, &page_fields(&survey, odd_page, &answers)).await;
    assert_eq!(asked.status(), Status::Ok, "a question, not an error");
    let html = asked.into_string().await.unwrap();
    assert!(html.contains("class=\"check-summary\"") && !html.contains("error-summary"), "{html}");
    assert!(text_of(&html).contains("nhưng không có khoản chi nào cho đổi mới sáng tạo năm"));
    assert!(html.contains("name=\"confirm_check\" id=\"confirm-rd_without_spending\""));
    assert!(html.contains("id=\"innovation_spending-none\" value=\"none\" checked"), "kept");
    let app = client.rocket().state::<dxsurvey::app::App>().unwrap();
    let stored: String = app
        .store
        .read(|c| Ok(c.query_row("SELECT answers FROM responses", [], |r| r.get(0))?))
        .unwrap();
    assert!(stored.contains("\"innovation_spending\":\"none\""), "saved all the same: {stored}");

    // Confirmed, it goes on; corrected instead, it goes on without asking.
    let mut confirmed = page_fields(&survey, odd_page, &answers);
    confirmed.push(("confirm_check".into(), "rd_without_spending".into()));
    let kept = post(&client, &uri, &confirmed).await;
    assert_eq!(kept.status(), Status::SeeOther);
    answers.insert("innovation_spending".into(), Value::from("below_1"));
    let corrected = post(&client, &uri, &page_fields(&survey, odd_page, &answers)).await;
    assert_eq!(corrected.status(), Status::SeeOther);
    // "Save draft" never asks: the respondent is leaving, not going on.
    answers.insert("innovation_spending".into(), Value::from("none"));
    let mut leaving = page_fields(&survey, odd_page, &answers);
    leaving.retain(|(k, _)| k != "action");
    leaving.push(("action".into(), "save".into()));
    assert_eq!(post(&client, &uri, &leaving).await.status(), Status::SeeOther);
}
