//! Signing in and out, as a browser does it: cookies, fixation, expiry, lockout, the audit log.

use dxsurvey::app::App;
use dxsurvey::auth::{ABSOLUTE_LIFETIME, IDLE_TIMEOUT, SecretToken, StaffRole};
use dxsurvey::service::Actor;
use dxsurvey::service::accounts::{NewUser, add_user};
use dxsurvey::store;
use rocket::http::{ContentType, Cookie, Status};
use rocket::local::asynchronous::{Client, LocalResponse};

use crate::helpers::{rocket_with, spawn_app};
use crate::respond::{encode, text_of};

const PASSWORD: &str = "mùa thu Hà Nội 2026";

fn app(client: &Client) -> &App {
    client.rocket().state::<App>().unwrap()
}

fn account(client: &Client, email: &str, role: StaffRole, areas: &[&str]) -> i64 {
    let user = NewUser {
        email: email.into(),
        role,
        areas: areas.iter().map(|a| (*a).to_string()).collect(),
        groups: vec![],
        password: Some(PASSWORD.into()),
    };
    add_user(app(client), &user, &Actor::command_line()).unwrap().0
}

/// The CSRF token of the sign-in form the client was just given.
async fn login_form_token(client: &Client) -> String {
    let page = client.get("/login").dispatch().await.into_string().await.unwrap();
    let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    page[at..at + 64].to_string()
}

async fn sign_in<'c>(client: &'c Client, email: &str, password: &str) -> LocalResponse<'c> {
    let csrf = login_form_token(client).await;
    let body = encode(&[
        ("csrf".into(), csrf),
        ("email".into(), email.into()),
        ("password".into(), password.into()),
    ]);
    client.post("/login").header(ContentType::Form).body(body).dispatch().await
}

fn set_cookie<'a>(response: &'a LocalResponse<'_>, name: &str) -> Option<&'a str> {
    response.headers().get("Set-Cookie").find(|c| c.starts_with(&format!("{name}=")))
}

fn sessions(client: &Client) -> i64 {
    app(client)
        .store
        .read(|c| Ok(c.query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))?))
        .unwrap()
}

#[rocket::async_test]
async fn signing_in_gives_a_hardened_cookie_and_a_new_session_id() {
    let (client, _dir) = spawn_app().await;
    account(&client, "stat@hanoi.gov.vn", StaffRole::Statistician, &[]);
    // An attacker plants a session id before the victim signs in.
    client.cookies().add_private(Cookie::new("dx_session", "a".repeat(64)));
    let response = sign_in(&client, "Stat@Hanoi.gov.vn", PASSWORD).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(response.headers().get_one("Location"), Some("/staff"));
    let cookie = set_cookie(&response, "dx_session").expect("a session cookie").to_string();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie} lacks {flag}");
    }
    assert!(!cookie.contains("Secure"), "plain http here: {cookie}");
    let session = client.cookies().get_private("dx_session").unwrap().value().to_string();
    assert_ne!(session, "a".repeat(64), "the planted id is never promoted");
    let home = client.get("/staff").dispatch().await;
    assert_eq!(home.status(), Status::Ok);
    assert!(home.into_string().await.unwrap().contains("stat@hanoi.gov.vn"));
}

#[rocket::async_test]
async fn the_cookie_is_secure_when_the_public_address_is_https() {
    let (rocket, _dir) = rocket_with(|c| c.public_url = Some("https://dx.hanoi.gov.vn".into()));
    let client = Client::tracked(rocket).await.unwrap();
    account(&client, "stat@hanoi.gov.vn", StaffRole::Statistician, &[]);
    let response = sign_in(&client, "stat@hanoi.gov.vn", PASSWORD).await;
    assert!(set_cookie(&response, "dx_session").unwrap().contains("Secure"));
}

#[rocket::async_test]
async fn an_unknown_account_and_a_wrong_password_get_the_same_answer() {
    let (client, _dir) = spawn_app().await;
    account(&client, "stat@hanoi.gov.vn", StaffRole::Statistician, &[]);
    let strip = |page: String| {
        let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
        format!("{}{}", &page[..at], &page[at + 64..])
    };
    let wrong = sign_in(&client, "stat@hanoi.gov.vn", "not the password at all").await;
    let (wrong_status, wrong_page) = (wrong.status(), strip(wrong.into_string().await.unwrap()));
    let unknown = sign_in(&client, "nobody@hanoi.gov.vn", "not the password at all").await;
    let (unknown_status, unknown_page) =
        (unknown.status(), strip(unknown.into_string().await.unwrap()));
    assert_eq!(wrong_status, Status::Unauthorized);
    assert_eq!(unknown_status, wrong_status);
    assert_eq!(unknown_page.replace("nobody@", "stat@"), wrong_page);
}

#[rocket::async_test]
async fn five_failures_start_a_growing_delay_even_for_the_right_password() {
    let (client, _dir) = spawn_app().await;
    account(&client, "stat@hanoi.gov.vn", StaffRole::Statistician, &[]);
    for _ in 0..5 {
        assert_eq!(
            sign_in(&client, "stat@hanoi.gov.vn", "guess guess guess").await.status(),
            Status::Unauthorized
        );
    }
    let refused = sign_in(&client, "stat@hanoi.gov.vn", PASSWORD).await;
    assert_eq!(refused.status(), Status::TooManyRequests);
    let wait: i64 = refused.headers().get_one("Retry-After").unwrap().parse().unwrap();
    assert!(
        (1..=2).contains(&wait),
        "the first delay is one second (to the next whole second), got {wait}"
    );
    assert_eq!(sessions(&client), 0);
    let failures: i64 = app(&client)
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM audit_log WHERE action = 'login.failure'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(failures, 5);
}

#[rocket::async_test]
async fn logging_out_ends_the_session_for_good() {
    let (client, _dir) = spawn_app().await;
    account(&client, "stat@hanoi.gov.vn", StaffRole::Statistician, &[]);
    sign_in(&client, "stat@hanoi.gov.vn", PASSWORD).await;
    let session = client.cookies().get_private("dx_session").unwrap().value().to_string();
    let page = client.get("/staff").dispatch().await.into_string().await.unwrap();
    let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = page[at..at + 64].to_string();
    let out = client
        .post("/logout")
        .header(ContentType::Form)
        .body(encode(&[("csrf".into(), csrf)]))
        .dispatch()
        .await;
    assert_eq!(out.status(), Status::SeeOther);
    assert_eq!(sessions(&client), 0);
    // A copy of the old cookie opens nothing.
    let replay =
        client.get("/staff").private_cookie(Cookie::new("dx_session", session)).dispatch().await;
    assert_eq!(replay.headers().get_one("Location"), Some("/login"));
}

#[rocket::async_test]
async fn idle_and_old_sessions_end() {
    let (client, _dir) = spawn_app().await;
    let user = account(&client, "stat@hanoi.gov.vn", StaffRole::Statistician, &[]);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    for (created, last_seen) in
        [(now - 60, now - IDLE_TIMEOUT - 1), (now - ABSOLUTE_LIFETIME - 1, now)]
    {
        let token = SecretToken::generate().unwrap();
        app(&client)
            .store
            .write(|tx| {
                store::create_session(tx, &token.hash(), user, "csrf", created)?;
                store::touch_session(tx, &token.hash(), last_seen)
            })
            .unwrap();
        let response = client
            .get("/staff")
            .private_cookie(Cookie::new("dx_session", token.as_str().to_string()))
            .dispatch()
            .await;
        assert_eq!(response.headers().get_one("Location"), Some("/login"));
    }
    assert_eq!(sessions(&client), 0, "expired sessions are removed");
}

#[rocket::async_test]
async fn an_administrator_creates_an_official_who_sees_only_their_ward() {
    let (rocket, _dir) = rocket_with(|_| {});
    let admin = Client::tracked(rocket).await.unwrap();
    account(&admin, "admin@hanoi.gov.vn", StaffRole::Administrator, &[]);
    sign_in(&admin, "admin@hanoi.gov.vn", PASSWORD).await;
    let page = admin.get("/admin/users").dispatch().await.into_string().await.unwrap();
    let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = page[at..at + 64].to_string();
    let body = encode(&[
        ("csrf".into(), csrf.clone()),
        ("email".into(), "hoankiem@hanoi.gov.vn".into()),
        ("role".into(), "official".into()),
        ("area".into(), "00070".into()),
    ]);
    let created = admin
        .post("/admin/users")
        .header(ContentType::Form)
        .body(body)
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    let at = created.find("<code class=\"secret\">").expect("the new password is shown once") + 21;
    let password = created[at..at + 20].to_string();

    // The official signs in with the password the administrator passed on (the same client:
    // its new session cookie replaces the administrator's).
    let response = sign_in(&admin, "hoankiem@hanoi.gov.vn", &password).await;
    assert_eq!(response.headers().get_one("Location"), Some("/staff"));
    let home = text_of(&admin.get("/staff").dispatch().await.into_string().await.unwrap());
    assert!(home.contains("href=\"/areas/00070\"") && home.contains("Phường Hoàn Kiếm"));
    assert_eq!(home.matches("href=\"/areas/").count(), 1, "only their ward");
    let list = admin.get("/areas").dispatch().await.into_string().await.unwrap();
    assert_eq!(list.matches("<tr><th scope=\"row\">").count(), 1);
    assert_eq!(admin.get("/areas/00070").dispatch().await.status(), Status::Ok);
    for other in ["/areas/00004", "/areas/00082", "/admin/users", "/admin/audit"] {
        assert_eq!(admin.get(other).dispatch().await.status(), Status::Forbidden, "{other}");
    }
    let audit: Vec<String> = app(&admin)
        .store
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT action || ' ' || coalesce(target, actor) FROM audit_log ORDER BY id",
            )?;
            Ok(stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?)
        })
        .unwrap();
    assert!(audit.contains(&"account.create hoankiem@hanoi.gov.vn".to_string()), "{audit:?}");
    assert!(audit.contains(&"login hoankiem@hanoi.gov.vn".to_string()), "{audit:?}");
}

#[rocket::async_test]
async fn disabling_an_account_ends_its_sessions() {
    let (client, _dir) = spawn_app().await;
    account(&client, "stat@hanoi.gov.vn", StaffRole::Statistician, &[]);
    sign_in(&client, "stat@hanoi.gov.vn", PASSWORD).await;
    assert_eq!(client.get("/staff").dispatch().await.status(), Status::Ok);
    dxsurvey::service::accounts::set_disabled(
        app(&client),
        "stat@hanoi.gov.vn",
        true,
        &Actor::command_line(),
    )
    .unwrap();
    assert_eq!(client.get("/staff").dispatch().await.headers().get_one("Location"), Some("/login"));
    assert_eq!(
        sign_in(&client, "stat@hanoi.gov.vn", PASSWORD).await.status(),
        Status::Unauthorized,
        "nor can it sign in"
    );
}

#[test]
fn the_secret_key_is_made_once_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::TempDir::new().unwrap();
    let config = crate::helpers::config(&dir);
    let figment = rocket::Config::figment();
    let first = dxsurvey::web::secret_key(&config, &figment).unwrap();
    let path = dir.path().join("data/secret.key");
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(first.len(), 64);
    assert_eq!(
        dxsurvey::web::secret_key(&config, &figment).unwrap(),
        first,
        "kept across restarts"
    );
    let other = tempfile::TempDir::new().unwrap();
    assert_ne!(
        dxsurvey::web::secret_key(&crate::helpers::config(&other), &figment).unwrap(),
        first
    );
}

#[rocket::async_test]
async fn the_audit_page_filters_by_action_and_person() {
    let (client, _dir) = spawn_app().await;
    account(&client, "admin@hanoi.gov.vn", StaffRole::Administrator, &[]);
    sign_in(&client, "nobody@hanoi.gov.vn", "a wrong pass phrase").await;
    sign_in(&client, "admin@hanoi.gov.vn", PASSWORD).await;
    let rows = |page: &str| page.matches("<tr><td>").count();
    let all = client.get("/admin/audit").dispatch().await.into_string().await.unwrap();
    assert_eq!(rows(&all), 3, "account.create, login.failure, login");
    let failures = client
        .get("/admin/audit?action=login.failure")
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    assert_eq!(rows(&failures), 1);
    assert!(failures.contains("nobody@hanoi.gov.vn"));
    let by_person = client
        .get("/admin/audit?actor=ADMIN@hanoi.gov.vn")
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    assert_eq!(rows(&by_person), 1, "the login of the administrator");
    let empty =
        client.get("/admin/audit?from=2099-01-01").dispatch().await.into_string().await.unwrap();
    assert_eq!(rows(&empty), 0);
    assert!(empty.contains("Không có mục nào"));
}

#[rocket::async_test]
async fn an_administrator_cannot_disable_their_own_account() {
    let (client, _dir) = spawn_app().await;
    let me = account(&client, "admin@hanoi.gov.vn", StaffRole::Administrator, &[]);
    sign_in(&client, "admin@hanoi.gov.vn", PASSWORD).await;
    let page = client.get("/admin/users").dispatch().await.into_string().await.unwrap();
    let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    let body = encode(&[("csrf".into(), page[at..at + 64].to_string())]);
    let response = client
        .post(format!("/admin/users/{me}/disable"))
        .header(ContentType::Form)
        .body(body)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    assert!(
        response.into_string().await.unwrap().contains("Bạn không thể tự khóa tài khoản của mình")
    );
    assert_eq!(client.get("/staff").dispatch().await.status(), Status::Ok, "still signed in");
}
