//! Version 2 of the questionnaires walked in a real browser (issue 14): an enterprise assigned the
//! experiment's second arm meets the pages in that arm's order, answers "don't know" and is
//! asked about answers that seldom go together; a school starts the agency questionnaire with
//! its code and is not asked what only bodies that handle procedures are asked.

use dxsurvey::app::App;
use dxsurvey::service::Actor;
use dxsurvey::survey::Survey;
use fantoccini::{Client, Locator};
use serde_json::{Map, Value};
use tempfile::TempDir;

use crate::browser::{
    Rig, assert_no_error_page, browser_available, click_and_wait, fill_page, next, sized_browser,
};
use crate::browser_flow::{installation, is_checked, looks_right, path, value_of};
use crate::helpers::config;
use crate::respond::example;

/// The ids of the questions the current page shows.
async fn questions_shown(browser: &Client) -> Vec<String> {
    let mut ids = Vec::new();
    for question in browser.find_all(Locator::Css("div.question")).await.unwrap() {
        let id = question.attr("id").await.unwrap().unwrap_or_default();
        ids.push(id.trim_start_matches("q-").to_string());
    }
    ids
}

/// The position in `survey`'s pages of the page that asks `question`.
fn page_of(survey: &Survey, question: &str) -> usize {
    let idx = survey.question_idx(question).unwrap();
    survey.pages.iter().position(|p| p.questions.contains(&idx)).unwrap()
}

/// Starts an enterprise response with the profile of `answers` until the server assigns it the
/// experiment arm whose second page asks `second_page_asks`; each try is a new visitor and a
/// new enterprise (one tax code has one response in a wave).
async fn start_in_arm(
    b: &Client,
    rig: &Rig,
    wave: &str,
    answers: &mut Map<String, Value>,
    second_page_asks: &str,
) {
    for n in 0..25 {
        b.delete_all_cookies().await.unwrap();
        b.goto(&rig.url(&format!("/start/{wave}/enterprise-dx"))).await.unwrap();
        answers.insert("tax_code".into(), Value::from(format!("0109{n:06}")));
        fill_page(b, answers).await;
        next(b).await;
        assert!(path(b).await.ends_with("/welcome"), "{}", b.source().await.unwrap());
        click_and_wait(b, "a.button.primary").await;
        if questions_shown(b).await.iter().any(|id| id == second_page_asks) {
            return;
        }
    }
    panic!("25 starts and never the arm that asks {second_page_asks} second");
}

fn one_text(app: &App, sql: &str) -> String {
    app.store.read(|c| Ok(c.query_row(sql, [], |r| r.get(0))?)).unwrap()
}

#[rocket::async_test]
async fn an_enterprise_in_the_second_arm_answers_dont_know_and_confirms_an_unusual_answer() {
    if !browser_available() {
        return;
    }
    let dir = TempDir::new().unwrap();
    let (app, wave) = installation(&dir);
    let reference = app.catalog.current("enterprise-dx").unwrap().clone();
    let experiment = reference.experiment.as_ref().expect("version 2 declares an experiment");
    let last = experiment.arm_idx("innovation_last").unwrap();
    let arm = reference.for_arm(last);
    let customer_first = arm.questions[arm.pages[1].questions.start].id.clone();
    assert_ne!(page_of(&reference, &customer_first), 1, "the arms differ on the second page");

    let rig = Rig::launch_with(&config(&dir).database, true);
    let b = sized_browser(rig.driver_port, &dir.path().join("profile"), (360, 800)).await;
    let mut answers = example("enterprise-answers.json");
    start_in_arm(&b, &rig, &wave, &mut answers, &customer_first).await;
    looks_right(&b).await;

    // R&D without any innovation spending, and "don't know" whether a product was new to the
    // market: the innovation module comes last in this arm.
    answers.insert("product_goods".into(), Value::from("yes"));
    answers.insert("product_new_to_market".into(), Value::from("dk"));
    answers.insert("rd_inhouse".into(), Value::from("yes"));
    answers.insert("innovation_spending".into(), Value::from("none"));
    let mut visited = vec![0];
    let (mut revealed, mut asked) = (false, false);
    for _ in 0..30 {
        if path(&b).await.ends_with("/review") {
            break;
        }
        let shown = questions_shown(&b).await;
        let here = page_of(&arm, &shown[0]);
        if visited.last() != Some(&here) {
            visited.push(here);
        }
        fill_page(&b, &answers).await;
        next(&b).await;
        assert_no_error_page(&b).await;
        let source = b.source().await.unwrap();
        revealed |= source.contains("class=\"notice\" role=\"status\"")
            && questions_shown(&b).await.contains(&"product_new_to_market".to_string());
        if source.contains("class=\"check-summary\"") {
            // A question, not an error: the answers stay as given, and saying they are right
            // goes on.
            asked = true;
            assert!(!source.contains("error-summary"));
            assert!(source.contains("nhưng không có khoản chi nào cho đổi mới sáng tạo năm"));
            assert!(is_checked(&b, "innovation_spending-none").await);
            assert!(is_checked(&b, "product_new_to_market-dk").await);
            looks_right(&b).await;
            b.find(Locator::Id("confirm-rd_without_spending"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            next(&b).await;
        }
    }
    assert!(path(&b).await.ends_with("/review"), "{}", path(&b).await);
    let order: Vec<usize> = (0..arm.pages.len()).collect();
    assert_eq!(visited, order, "the pages come in the arm's order");
    assert!(revealed, "saying yes to new goods brought up the follow-up questions");
    assert!(asked, "R&D without innovation spending was asked about");

    // The review says "don't know" in either language, and submitting keeps the arm.
    let dont_know = |b: &Client| {
        let b = b.clone();
        async move {
            let row = b.find(Locator::Css("#r-product_new_to_market + dd")).await.unwrap();
            row.text().await.unwrap()
        }
    };
    assert!(dont_know(&b).await.starts_with("Không biết "), "{}", dont_know(&b).await);
    click_and_wait(&b, "nav.lang [data-lang=en]").await;
    assert!(dont_know(&b).await.starts_with("Don't know "), "{}", dont_know(&b).await);
    click_and_wait(&b, "nav.lang [data-lang=vi]").await;
    looks_right(&b).await;
    click_and_wait(&b, "form button.primary").await;
    assert_no_error_page(&b).await;
    looks_right(&b).await;
    let stored =
        one_text(&app, "SELECT status || ' ' || arm FROM responses WHERE status = 'submitted'");
    assert_eq!(stored, "submitted innovation_last");
    let answers_json = one_text(&app, "SELECT answers FROM responses WHERE status = 'submitted'");
    assert!(answers_json.contains("\"product_new_to_market\":\"dk\""), "{answers_json}");
    assert!(answers_json.contains("\"innovation_spending\":\"none\""), "kept as confirmed");
    b.close().await.unwrap();
}

#[rocket::async_test]
async fn a_school_starts_with_its_code_and_is_not_asked_about_procedures() {
    if !browser_available() {
        return;
    }
    let dir = TempDir::new().unwrap();
    let (app, wave) = installation(&dir);
    let register = "code,name,area_code,kind,email,language,address\n\
        1000003,Trường Tiểu học Ví Dụ,00082,public_service_unit,,,\n";
    let actor = Actor::command_line();
    dxsurvey::service::register::import_agencies(&app, &wave, register.as_bytes(), &actor).unwrap();
    let issued = dxsurvey::service::invitations::issue(&app, &wave, &actor).unwrap();
    let school = &issued[0];
    let survey = app.catalog.current("agency-dx").unwrap().clone();
    let rig = Rig::launch(&config(&dir).database);
    let b = sized_browser(rig.driver_port, &dir.path().join("profile"), (360, 800)).await;

    b.goto(&rig.url("/")).await.unwrap();
    b.find(Locator::Id("code")).await.unwrap().send_keys(school.code.as_str()).await.unwrap();
    click_and_wait(&b, "form.code-form button").await;
    assert!(path(&b).await.ends_with("/p/1"), "{}", path(&b).await);
    looks_right(&b).await;
    assert_eq!(value_of(&b, "agency_name").await, "Trường Tiểu học Ví Dụ");
    let mut answers = example("agency-answers.json");
    for locked in ["agency_name", "area", "agency_level"] {
        answers.remove(locked);
    }

    // Every page to the review; only a body that handles procedures is asked about them.
    let mut seen = Vec::new();
    for _ in 0..30 {
        if path(&b).await.ends_with("/review") {
            break;
        }
        seen.extend(questions_shown(&b).await);
        looks_right(&b).await;
        fill_page(&b, &answers).await;
        next(&b).await;
        assert_no_error_page(&b).await;
    }
    assert!(path(&b).await.ends_with("/review"), "{}", path(&b).await);
    for procedures_only in ["paper_after_online", "dossier_printing", "open_data"] {
        assert!(!seen.iter().any(|id| id == procedures_only), "{procedures_only} was asked");
    }
    assert!(seen.iter().any(|id| id == "service_field"), "a school says what it serves");
    let not_applicable = b.find_all(Locator::Css("input[value=na]:checked")).await.unwrap();
    assert!(not_applicable.is_empty());
    click_and_wait(&b, "form button.primary").await;
    assert_no_error_page(&b).await;
    looks_right(&b).await;
    let result = b.source().await.unwrap();
    assert!(result.contains("theo thang của bảng hỏi này"), "the level says whose scale it is");
    let standing = one_text(
        &app,
        "SELECT survey_id || ' ' || identity_check FROM responses WHERE status = 'submitted'",
    );
    assert!(standing.starts_with("agency-dx "), "{standing}");
    let asked = survey.questions.iter().filter(|q| seen.contains(&q.id)).count();
    assert!(asked < survey.questions.len(), "the school skips what does not concern it");
    b.close().await.unwrap();
}
