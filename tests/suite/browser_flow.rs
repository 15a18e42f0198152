//! A respondent in a real browser does what people do: leaves half-answered pages with "save
//! draft" and "back", corrects an error after switching language, changes an answer from the
//! review page, and meets waves that are not open yet or closed meanwhile. Nothing they typed
//! is lost, and every refusal says why and when.

use dxsurvey::app::App;
use dxsurvey::auth::StaffRole;
use dxsurvey::kernel::Text;
use dxsurvey::kernel::format::{date, today};
use dxsurvey::service::Actor;
use dxsurvey::service::accounts::{NewUser, add_user};
use dxsurvey::store::{self, NewWave, WaveStatus};
use dxsurvey::survey::Lang;
use fantoccini::{Client, Locator};
use serde_json::{Map, Value};
use tempfile::TempDir;

use crate::browser::{
    Rig, answer_pages, assert_no_error_page, browser_available, click_and_wait, fill_page, next,
    sized_browser,
};
use crate::helpers::config;
use crate::respond::example;

/// Only these answers of `all`.
fn only(all: &Map<String, Value>, ids: &[&str]) -> Map<String, Value> {
    ids.iter().map(|id| ((*id).to_string(), all[*id].clone())).collect()
}

pub(crate) async fn is_checked(browser: &Client, id: &str) -> bool {
    browser.find(Locator::Id(id)).await.unwrap().is_selected().await.unwrap()
}

pub(crate) async fn value_of(browser: &Client, id: &str) -> String {
    browser.find(Locator::Id(id)).await.unwrap().prop("value").await.unwrap().unwrap_or_default()
}

pub(crate) async fn path(browser: &Client) -> String {
    browser.current_url().await.unwrap().path().to_string()
}

/// What every page must hold on a 360 px phone: nothing wider than the screen, and, on a
/// Vietnamese page, no number written with a decimal point. Returns the page's path.
pub(crate) async fn looks_right(browser: &Client) -> String {
    let width: Value = browser
        .execute(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
            vec![],
        )
        .await
        .unwrap();
    let here = path(browser).await;
    let title = browser.title().await.unwrap();
    assert!(!title.contains('<') && !title.trim().is_empty(), "{here}: the title is {title:?}");
    if width[0].as_u64() > width[1].as_u64() {
        let wide: Value = browser
            .execute(
                "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth).sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right).slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));",
                vec![],
            )
            .await
            .unwrap();
        panic!("{here} overflows: {width}; widest: {wide}");
    }
    let text: Value = browser.execute("return document.body.innerText;", vec![]).await.unwrap();
    let text = text.as_str().unwrap_or_default();
    let vietnamese = browser.source().await.unwrap().contains("<html lang=\"vi\">");
    // A number with a decimal point; an IPv4 address (the audit log's "from") is not a number.
    let ipv4 = |w: &str| w.split('.').count() == 4 && w.split('.').all(|p| p.parse::<u8>().is_ok());
    let decimal_point = text.split(|c: char| !(c.is_ascii_digit() || c == '.')).find(|w| {
        w.as_bytes()
            .windows(3)
            .any(|w| w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit())
            && !ipv4(w)
    });
    assert!(
        !(vietnamese && decimal_point.is_some()),
        "{here}: a decimal point on a Vietnamese page: {decimal_point:?}"
    );
    here
}

/// The database of a new installation, with a wave that opens in 2099 beside this year's.
pub(crate) fn installation(dir: &TempDir) -> (App, String) {
    let config = config(dir);
    let app = App::start(&config).unwrap();
    let future = NewWave {
        id: "2099".into(),
        title: Text::new("Đợt khảo sát năm 2099", "2099 survey wave"),
        opens_on: "2099-01-01".into(),
        closes_on: "2099-12-31".into(),
        questionnaires: app.default_wave(2099).questionnaires,
    };
    app.store.write(|tx| store::create_wave(tx, &future)).unwrap();
    let current = app.store.read(store::open_waves).unwrap().last().unwrap().id.clone();
    (app, current)
}

#[rocket::async_test]
async fn a_respondent_never_loses_what_they_typed_and_closed_waves_say_so() {
    if !browser_available() {
        return;
    }
    let dir = TempDir::new().unwrap();
    let (app, wave) = installation(&dir);
    let rig = Rig::launch(&config(&dir).database);
    let answers = example("enterprise-answers.json");
    // A phone: every page must fit 360 CSS pixels.
    let b = sized_browser(rig.driver_port, &dir.path().join("profile"), (360, 800)).await;

    // A wave that opens later is not offered, and its link says when it opens.
    b.goto(&rig.url("/")).await.unwrap();
    looks_right(&b).await;
    let home = b.source().await.unwrap();
    assert!(home.contains(&format!("id=\"wave-{wave}\"")) && !home.contains("wave-2099"));
    b.goto(&rig.url("/start/2099/enterprise-dx")).await.unwrap();
    let early = b.source().await.unwrap();
    assert!(early.contains("Đợt khảo sát chưa mở") && early.contains("01/01/2099"), "{early}");
    looks_right(&b).await;

    // Start (Enter in a field goes on, as "next" does: not the language switch), then leave
    // the first questionnaire page half answered with "save draft".
    b.goto(&rig.url(&format!("/start/{wave}/enterprise-dx"))).await.unwrap();
    looks_right(&b).await;
    fill_page(&b, &answers).await;
    let name = b.find(Locator::Id("legal_name")).await.unwrap();
    name.send_keys("\u{E007}").await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !path(&b).await.ends_with("/welcome") {
        assert!(std::time::Instant::now() < deadline, "Enter did not start the response");
        rocket::tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(b.source().await.unwrap().contains("<html lang=\"vi\">"));
    looks_right(&b).await;
    click_and_wait(&b, "a.button.primary").await;
    // The second page is the innovation module.
    assert!(path(&b).await.ends_with("/p/2"));
    fill_page(&b, &only(&answers, &["product_goods"])).await;
    click_and_wait(&b, "button[value=save]").await;
    assert_no_error_page(&b).await;
    looks_right(&b).await;
    assert!(b.current_url().await.unwrap().query().unwrap_or("").contains("saved=true"));
    b.refresh().await.unwrap();
    assert!(is_checked(&b, "product_goods-no").await, "the draft holds the saved answer");

    // Half answered again, "back": saved, and the previous page shows.
    fill_page(&b, &only(&answers, &["product_services"])).await;
    click_and_wait(&b, "button[value=back]").await;
    assert_no_error_page(&b).await;
    assert!(path(&b).await.ends_with("/p/1"));

    // On the profile page: a wrong value and a changed name, then "next" refuses...
    let employees = b.find(Locator::Id("employees")).await.unwrap();
    employees.clear().await.unwrap();
    employees.send_keys("-5").await.unwrap();
    let name = b.find(Locator::Id("legal_name")).await.unwrap();
    name.clear().await.unwrap();
    name.send_keys("Công ty Đổi Tên Khi Có Lỗi").await.unwrap();
    next(&b).await;
    assert!(b.source().await.unwrap().contains("error-summary"));
    looks_right(&b).await;
    // ... the error summary's link takes the keyboard into the field ...
    b.find(Locator::Css(".error-summary a[href='#q-employees']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let focused = b.active_element().await.unwrap().attr("id").await.unwrap();
    assert_eq!(focused.as_deref(), Some("employees"));
    // ... and switching language keeps everything typed, the error now in English.
    click_and_wait(&b, "nav.lang [data-lang=en]").await;
    looks_right(&b).await;
    let english = b.source().await.unwrap();
    assert!(english.contains("<html lang=\"en\">") && english.contains("error-summary"));
    assert_eq!(value_of(&b, "employees").await, "-5");
    assert_eq!(value_of(&b, "legal_name").await, "Công ty Đổi Tên Khi Có Lỗi");
    click_and_wait(&b, "nav.lang [data-lang=vi]").await;
    assert_eq!(value_of(&b, "legal_name").await, "Công ty Đổi Tên Khi Có Lỗi");
    fill_page(&b, &only(&answers, &["employees"])).await;
    next(&b).await;
    assert!(path(&b).await.ends_with("/p/2"));
    assert!(
        is_checked(&b, "product_goods-no").await && is_checked(&b, "product_services-yes").await
    );

    // Every page answered; from the review, change one answer and follow the page's own link
    // back to the review: the change is there.
    for _ in 0..20 {
        if path(&b).await.ends_with("/review") {
            break;
        }
        looks_right(&b).await;
        answer_pages(&b, &answers, 1).await;
    }
    assert!(path(&b).await.ends_with("/review"));
    looks_right(&b).await;
    click_and_wait(&b, "#r-customer_channels + dd a.edit").await;
    b.find(Locator::Id("customer_channels-5")).await.unwrap().click().await.unwrap();
    click_and_wait(&b, "button[value=review]").await;
    assert!(path(&b).await.ends_with("/review"));
    let changed = b.find(Locator::Css("#r-customer_channels + dd")).await.unwrap();
    assert!(changed.text().await.unwrap().starts_with('5'), "{}", changed.text().await.unwrap());
    let review = b.source().await.unwrap();
    assert!(review.contains("Công ty Đổi Tên Khi Có Lỗi"));

    // The administrator closes the wave: submitting is refused with the date and a contact,
    // and so is a new start.
    app.store.write(|tx| store::set_wave_status(tx, &wave, WaveStatus::Closed)).unwrap();
    click_and_wait(&b, "form button.primary").await;
    let closed = b.source().await.unwrap();
    let on = date(today(), Lang::Vi);
    assert!(closed.contains("Đợt khảo sát đã đóng") && closed.contains(&on), "{closed}");
    assert!(closed.contains("liên hệ"));
    looks_right(&b).await;
    b.goto(&rig.url(&format!("/start/{wave}/enterprise-dx"))).await.unwrap();
    assert!(b.source().await.unwrap().contains("Đợt khảo sát đã đóng"));
    let submitted: i64 = app
        .store
        .read(|c| {
            Ok(c.query_row("SELECT count(*) FROM responses WHERE status = 'submitted'", [], |r| {
                r.get(0)
            })?)
        })
        .unwrap();
    assert_eq!(submitted, 0, "nothing is submitted in a closed wave");
    b.close().await.unwrap();
}

/// Signs in through the form, as a person does.
async fn sign_in(b: &Client, rig: &Rig, email: &str, password: &str) {
    b.goto(&rig.url("/login")).await.unwrap();
    b.find(Locator::Id("email")).await.unwrap().send_keys(email).await.unwrap();
    b.find(Locator::Id("password")).await.unwrap().send_keys(password).await.unwrap();
    click_and_wait(b, "button.primary").await;
    assert!(path(b).await.ends_with("/staff"), "signed in");
}

/// The administrator's irreversible buttons say whom they act on and ask first: dismissing the
/// browser's confirmation changes nothing, accepting it does the change. Every staff page the
/// walk meets fits a 360 px phone.
#[rocket::async_test]
async fn an_administrator_is_asked_before_disabling_an_account_or_closing_a_wave() {
    if !browser_available() {
        return;
    }
    let dir = TempDir::new().unwrap();
    let (app, wave) = installation(&dir);
    let password = "a long password for the browser test";
    for (email, role) in [
        ("admin@hanoi.gov.vn", StaffRole::Administrator),
        ("stat@hanoi.gov.vn", StaffRole::Statistician),
    ] {
        let user = NewUser {
            email: email.into(),
            role,
            areas: vec![],
            groups: vec![],
            password: Some(password.into()),
        };
        add_user(&app, &user, &Actor::command_line()).unwrap();
    }
    let disabled = |app: &App| {
        app.store
            .read(store::users)
            .unwrap()
            .into_iter()
            .any(|u| u.email == "stat@hanoi.gov.vn" && u.disabled)
    };
    let rig = Rig::launch(&config(&dir).database);
    let b = sized_browser(rig.driver_port, &dir.path().join("profile"), (360, 800)).await;
    sign_in(&b, &rig, "admin@hanoi.gov.vn", password).await;
    looks_right(&b).await;

    b.goto(&rig.url("/admin/users")).await.unwrap();
    looks_right(&b).await;
    let disable = "form[action$='/disable'][data-confirm*='stat@hanoi.gov.vn'] button";
    b.find(Locator::Css(disable)).await.unwrap().click().await.unwrap();
    let asked = b.get_alert_text().await.unwrap();
    assert!(asked.contains("stat@hanoi.gov.vn"), "the question names the account: {asked}");
    b.dismiss_alert().await.unwrap();
    assert!(!disabled(&app), "dismissed: nothing changed");
    b.find(Locator::Css(disable)).await.unwrap().click().await.unwrap();
    b.accept_alert().await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !disabled(&app) {
        assert!(std::time::Instant::now() < deadline, "accepted: the account is disabled");
        rocket::tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    b.goto(&rig.url("/admin/waves")).await.unwrap();
    looks_right(&b).await;
    let close = format!("form[action='/admin/waves/{wave}/close'] button");
    b.find(Locator::Css(&close)).await.unwrap().click().await.unwrap();
    assert!(b.get_alert_text().await.unwrap().contains(&wave));
    b.dismiss_alert().await.unwrap();
    let status = |app: &App| app.store.read(|c| store::wave(c, &wave)).unwrap().unwrap().status;
    assert_eq!(status(&app), WaveStatus::Open, "dismissed: the wave stays open");
    for page in ["/admin/audit", "/admin/frame", "/stats", "/areas", "/staff"] {
        b.goto(&rig.url(page)).await.unwrap();
        assert_no_error_page(&b).await;
        looks_right(&b).await;
    }
}

/// An invited enterprise in a real browser: types its code on the home page, finds its name,
/// tax code and ward from the register and cannot change them (not even by editing the page),
/// switches language and goes back and forth without losing what it typed, and, with its link
/// lost, gets back in with the code while the old link stops working.
#[rocket::async_test]
async fn an_invited_enterprise_starts_with_its_code_and_its_register_identity_holds() {
    if !browser_available() {
        return;
    }
    let dir = TempDir::new().unwrap();
    let (app, wave) = installation(&dir);
    let actor = Actor::command_line();
    let csv = crate::fieldwork::register_of(60);
    dxsurvey::service::register::import_register(&app, &wave, csv.as_bytes(), &actor).unwrap();
    let request = dxsurvey::service::sample::SampleRequest {
        total: 20,
        min_per_ward_size: 1,
        prior: 0.5,
        prior_wave: None,
        seed: 3,
    };
    let proposal = dxsurvey::service::sample::propose(&app, &wave, &request).unwrap();
    dxsurvey::service::sample::draw(&app, &wave, &request, &proposal, &actor).unwrap();
    let issued = dxsurvey::service::invitations::issue(&app, &wave, &actor).unwrap();
    let mine = &issued[0].invitee;
    let current = app.store.read(|c| store::wave(c, &wave)).unwrap().unwrap();
    let survey = dxsurvey::service::waves::questionnaire_for(
        &app,
        &current,
        dxsurvey::survey::RespondentKind::Enterprise,
    )
    .unwrap();
    let locked = ["legal_name", "tax_code", "area", "vsic_section"];
    let own: Vec<&str> = survey.questions[survey.pages[0].questions.clone()]
        .iter()
        .map(|q| q.id.as_str())
        .filter(|id| !locked.contains(id))
        .collect();
    let answers = example("enterprise-answers.json");
    let profile = only(
        &answers,
        &own.iter().filter(|id| answers.contains_key(**id)).copied().collect::<Vec<_>>(),
    );
    let rig = Rig::launch(&config(&dir).database);
    let b = sized_browser(rig.driver_port, &dir.path().join("profile"), (360, 800)).await;

    // The home page of an invitation-only wave asks for the code; typed as people type it.
    b.goto(&rig.url("/")).await.unwrap();
    looks_right(&b).await;
    assert!(!b.source().await.unwrap().contains(&format!("/start/{wave}/enterprise-dx")));
    let typed = issued[0].code.grouped().to_lowercase().replace('-', " ");
    b.find(Locator::Id("code")).await.unwrap().send_keys(&typed).await.unwrap();
    click_and_wait(&b, "form.code-form button").await;
    assert!(path(&b).await.ends_with("/p/1"), "{}", path(&b).await);
    looks_right(&b).await;
    let first_link = b.current_url().await.unwrap().to_string();
    assert_eq!(value_of(&b, "legal_name").await, mine.name);
    assert_eq!(value_of(&b, "tax_code").await, mine.code);
    let name = b.find(Locator::Id("legal_name")).await.unwrap();
    assert!(name.attr("readonly").await.unwrap().is_some(), "the name cannot be typed over");
    assert!(b.find(Locator::Id("area")).await.unwrap().attr("disabled").await.unwrap().is_some());

    // Its own answers, a language switch: everything typed stays, the register's too.
    fill_page(&b, &profile).await;
    click_and_wait(&b, "nav.lang [data-lang=en]").await;
    looks_right(&b).await;
    assert!(b.source().await.unwrap().contains("<html lang=\"en\">"));
    assert_eq!(value_of(&b, "employees").await, answers["employees"].to_string());
    assert_eq!(value_of(&b, "legal_name").await, mine.name);

    // Editing the page to change the name is refused, in English, and the name stays.
    b.execute(
        "const f = document.getElementById('legal_name'); f.removeAttribute('readonly'); f.value = 'Công ty Giả Mạo';",
        vec![],
    )
    .await
    .unwrap();
    next(&b).await;
    let refused = b.source().await.unwrap();
    assert!(
        refused.contains("error-summary") && refused.contains("register of invited"),
        "{refused}"
    );
    assert_eq!(value_of(&b, "legal_name").await, mine.name, "the register's name is shown again");
    looks_right(&b).await;

    // Back in Vietnamese, on to the next page and back: nothing lost.
    click_and_wait(&b, "nav.lang [data-lang=vi]").await;
    next(&b).await;
    assert!(path(&b).await.ends_with("/p/2"), "{}", path(&b).await);
    click_and_wait(&b, "button[value=back]").await;
    assert!(path(&b).await.ends_with("/p/1"));
    assert_eq!(value_of(&b, "legal_name").await, mine.name);
    assert_eq!(value_of(&b, "employees").await, answers["employees"].to_string());

    // The link is lost: another browser types the code and is back in the same draft; the
    // old link no longer opens it.
    let other = sized_browser(rig.driver_port, &dir.path().join("profile-2"), (360, 800)).await;
    other.goto(&rig.url("/")).await.unwrap();
    other
        .find(Locator::Id("code"))
        .await
        .unwrap()
        .send_keys(issued[0].code.as_str())
        .await
        .unwrap();
    click_and_wait(&other, "form.code-form button").await;
    let again = other.current_url().await.unwrap().to_string();
    let link_of = |url: &str| url.split("/p/").next().unwrap().to_string();
    assert!(again.contains("/r/") && link_of(&again) != link_of(&first_link), "{again}");
    other.goto(&format!("{}/p/1", link_of(&again))).await.unwrap();
    assert_eq!(value_of(&other, "employees").await, answers["employees"].to_string());
    b.goto(&first_link).await.unwrap();
    let dead = b.source().await.unwrap();
    assert!(!dead.contains("id=\"legal_name\""), "the old link opens nothing");
    let responses: i64 = app
        .store
        .read(|c| Ok(c.query_row("SELECT count(*) FROM responses", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(responses, 1, "one response, whatever the browser did");
    other.close().await.unwrap();
    b.close().await.unwrap();
}

/// `curl` of an API path with a bearer token: the status and the body.
fn api_with(rig: &Rig, path: &str, token: &str) -> (u16, String) {
    let output = std::process::Command::new("curl")
        .args(["-s", "-w", "\n%{http_code}", "-H", &format!("Authorization: Bearer {token}")])
        .arg(rig.url(path))
        .output()
        .expect("curl runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').unwrap_or_default();
    (status.parse().unwrap_or_default(), body.to_string())
}

/// A statistician in a real browser makes an API token on their page, sees it once, a script
/// uses it, and revoking it (after the browser asks) stops the script at once; then every
/// download link of the dashboard gives its file.
#[rocket::async_test]
async fn a_statistician_makes_a_token_in_the_browser_revokes_it_and_downloads_every_file() {
    if !browser_available() {
        return;
    }
    let dir = TempDir::new().unwrap();
    let config = config(&dir);
    std::fs::create_dir_all(config.database.parent().unwrap()).unwrap();
    let demo = std::process::Command::new(env!("CARGO_BIN_EXE_dxsurvey"))
        .current_dir(crate::helpers::repo())
        .args(["demo", "--responses", "300", "--seed", "3"])
        .env("DXSURVEY_DATABASE", &config.database)
        .output()
        .unwrap();
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let app = App::start(&config).unwrap();
    let password = "a long password for the token walk";
    let user = NewUser {
        email: "stat@hanoi.gov.vn".into(),
        role: StaffRole::Statistician,
        areas: vec![],
        groups: vec![],
        password: Some(password.into()),
    };
    add_user(&app, &user, &Actor::command_line()).unwrap();
    let rig = Rig::launch(&config.database);
    let b = sized_browser(rig.driver_port, &dir.path().join("profile"), (360, 800)).await;
    sign_in(&b, &rig, "stat@hanoi.gov.vn", password).await;

    // From the staff menu to the tokens page; a token named and made, shown once.
    click_and_wait(&b, "a[href='/staff/tokens']").await;
    assert_eq!(looks_right(&b).await, "/staff/tokens");
    b.find(Locator::Id("name")).await.unwrap().send_keys("R nightly").await.unwrap();
    let days = b.find(Locator::Id("days")).await.unwrap();
    days.clear().await.unwrap();
    days.send_keys("30").await.unwrap();
    click_and_wait(&b, "form[action='/staff/tokens'] button.primary").await;
    looks_right(&b).await;
    let token = b.find(Locator::Id("new-token")).await.unwrap().text().await.unwrap();
    assert!(token.starts_with("dxs_"), "the token is shown: {token}");
    let (status, body) = api_with(&rig, "/api/v1/waves", &token);
    assert_eq!(status, 200, "a script uses it: {body}");
    b.goto(&rig.url("/staff/tokens")).await.unwrap();
    let listed = b.source().await.unwrap();
    assert!(listed.contains("R nightly") && !listed.contains(&token), "shown only once");

    // Revoking asks first; dismissed, the token still works; accepted, it stops at once.
    let revoke = "form[data-confirm*='R nightly'] button";
    b.find(Locator::Css(revoke)).await.unwrap().click().await.unwrap();
    assert!(b.get_alert_text().await.unwrap().contains("R nightly"));
    b.dismiss_alert().await.unwrap();
    assert_eq!(api_with(&rig, "/api/v1/waves", &token).0, 200, "dismissed: nothing changed");
    b.find(Locator::Css(revoke)).await.unwrap().click().await.unwrap();
    b.accept_alert().await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (status, body) = api_with(&rig, "/api/v1/waves", &token);
        if status == 401 {
            assert!(body.contains("token_revoked"), "{body}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "revoked: the script is refused");
        rocket::tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // Every download link of the dashboard, fetched by the page as a click would.
    b.goto(&rig.url("/stats")).await.unwrap();
    looks_right(&b).await;
    let fetched = b
        .execute(
            "return Promise.all([...document.querySelectorAll('a[href^=\"/stats/export/\"], a[href^=\"/stats/aggregates.csv\"], a[href^=\"/stats/report.pdf\"]')].map(a => fetch(a.href).then(r => r.arrayBuffer().then(body => [new URL(a.href).pathname, r.status, r.headers.get('content-disposition') || '', Array.from(new Uint8Array(body.slice(0, 11))), body.byteLength]))));",
            vec![],
        )
        .await
        .unwrap();
    let files = fetched.as_array().unwrap();
    let starts: [(&str, &[u8]); 9] = [
        ("report.pdf", b"%PDF"),
        ("aggregates.csv", b"wave,"),
        ("microdata.csv", b"respondent,"),
        ("datapackage.json", b"{"),
        ("microdata.dta", b"<stata_dta>"),
        ("microdata.sav", b"$FL2"),
        ("microdata.xlsx", b"PK"),
        ("microdata.R", b"#"),
        ("package.zip", b"PK"),
    ];
    for (name, start) in starts {
        let file = files
            .iter()
            .find(|f| f[0].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("the dashboard links {name}: {fetched}"));
        let bytes: Vec<u8> =
            file[3].as_array().unwrap().iter().map(|b| b.as_u64().unwrap() as u8).collect();
        assert_eq!(file[1], 200, "{name}");
        assert!(file[2].as_str().unwrap().starts_with("attachment"), "{name} downloads: {file}");
        assert!(bytes.starts_with(start), "{name} starts {:?}", String::from_utf8_lossy(&bytes));
        assert!(file[4].as_u64().unwrap() > 100, "{name}: {file}");
    }
    b.close().await.unwrap();
}
