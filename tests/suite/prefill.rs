//! Pre-filled from the register (issue 14): an invited enterprise finds its employees, revenue
//! and capital bands and founding year filled in from the register, to confirm or correct; its
//! stratum stays the register's whatever it answers, as the sample design requires.

use crate::respond::{answer_all, page_fields, post, text_of, wave};
use dxsurvey::app::App;
use dxsurvey::service::invitations;
use dxsurvey::service::sample::{SampleRequest, draw, propose};
use dxsurvey::service::{Actor, register};
use rocket::local::asynchronous::Client;

/// The input tag of question `id` on a page.
fn input_of<'h>(html: &'h str, id: &str) -> &'h str {
    let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no {id}"));
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap();
    &html[start..=end]
}

fn stratum(app: &App) -> (String, String, String) {
    app.store
        .read(|c| {
            Ok(c.query_row("SELECT area_code, vsic_section, size_class FROM responses", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?)
        })
        .unwrap()
}

#[rocket::async_test]
async fn an_invited_enterprise_confirms_what_the_register_knows_and_keeps_its_stratum() {
    // The shipped founding-year question carries its role, so the register fills it in.
    let (rocket, _db) = crate::helpers::rocket_with(|_| {});
    let client = Client::tracked(rocket).await.unwrap();
    let app = client.rocket().state::<App>().unwrap();
    let actor = Actor::command_line();
    let mut csv = String::from(
        "tax_code,name,area_code,vsic_section,employees,revenue,capital,year_founded\n",
    );
    for i in 0..30 {
        csv.push_str(&format!("01{i:08},Công ty số {i},00070,G,7,2.5,12,2014\n"));
    }
    register::import_register(app, &wave(), csv.as_bytes(), &actor).unwrap();
    let request =
        SampleRequest { total: 30, min_per_ward_size: 2, prior: 0.5, prior_wave: None, seed: 7 };
    let proposal = propose(app, &wave(), &request).unwrap();
    draw(app, &wave(), &request, &proposal, &actor).unwrap();
    let issued = invitations::issue(app, &wave(), &actor).unwrap();
    let mine = &issued[0];
    assert_eq!(mine.invitee.facts.employees, Some(7));

    let opened = client.get(format!("/i/{}", mine.code.as_str())).dispatch().await;
    let token =
        opened.headers().get_one("Location").unwrap().strip_prefix("/r/").unwrap().to_string();
    let page = text_of(
        &client.get(format!("/r/{token}/p/1")).dispatch().await.into_string().await.unwrap(),
    );
    assert!(page.contains("được điền sẵn từ danh sách nếu có: vui lòng kiểm tra và sửa"), "{page}");
    let employees = input_of(&page, "employees");
    assert!(employees.contains("value=\"7\"") && !employees.contains("readonly"), "{employees}");
    assert!(input_of(&page, "year_founded").contains("value=\"2014\""));
    let revenue = input_of(&page, "revenue_band-up_to_3");
    assert!(revenue.contains("checked"), "2.5 billion is in the band up to 3: {revenue}");
    let capital = input_of(&page, "capital_band-from_3_to_20");
    assert!(capital.contains("checked"), "12 billion: {capital}");
    assert_eq!(stratum(app), ("00070".into(), "G".into(), "micro".into()));

    // The enterprise has grown: it corrects its employees and bands. Its answers change; its
    // stratum, where it was sampled, does not.
    let survey = crate::respond::survey(&client, "enterprise-dx");
    let mut answers = crate::invited::answers_of(mine);
    answers.insert("employees".into(), 450.into());
    answers.insert("revenue_band".into(), "above_300".into());
    answers.insert("capital_band".into(), "above_100".into());
    answers.insert("year_founded".into(), 2014.into());
    let saved = post(&client, &format!("/r/{token}/p/1"), &page_fields(&survey, 0, &answers)).await;
    assert_eq!(saved.status(), rocket::http::Status::SeeOther);
    let stored: String = app
        .store
        .read(|c| Ok(c.query_row("SELECT answers FROM responses", [], |r| r.get(0))?))
        .unwrap();
    assert!(stored.contains("\"employees\":450"), "{stored}");
    assert_eq!(stratum(app).2, "micro", "the register's size class, not the answers' (large)");
    answer_all(&client, &survey, &token, &answers).await;
    let submitted = post(&client, &format!("/r/{token}/submit"), &[]).await;
    assert_eq!(submitted.status(), rocket::http::Status::SeeOther);
    assert_eq!(stratum(app), ("00070".into(), "G".into(), "micro".into()));
}
