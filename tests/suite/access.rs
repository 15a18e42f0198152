//! Who may do what: the authorization matrix over every route, CSRF on every state-changing
//! route, sessions and sign-in.

use dxsurvey::app::App;
use dxsurvey::auth::StaffRole;
use dxsurvey::service::Actor;
use dxsurvey::service::accounts::{NewUser, add_user};
use rocket::http::{ContentType, Cookie, Header, Status};
use rocket::local::asynchronous::{Client, LocalRequest, LocalResponse};

use crate::helpers::{signed_in, spawn_untracked};
use crate::respond::{encode, example, page_fields, survey, wave};

/// The ward an official is assigned, and one they are not.
const AREA_A: &str = "00070";
const AREA_B: &str = "00004";
/// A former district with `AREA_A` and other wards in it: only the city may see all of it.
const GROUP_OF_A: &str = "002";

/// Who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Respondent,
    OfficialOfA,
    Statistician,
    Administrator,
}

const EVERYONE: [Who; 5] =
    [Who::Anonymous, Who::Respondent, Who::OfficialOfA, Who::Statistician, Who::Administrator];

/// A fresh application with one person of each kind.
struct World {
    client: Client,
    _dir: tempfile::TempDir,
    /// Session id and CSRF token of each staff member.
    sessions: Vec<(Who, String, String)>,
    token: String,
    spare_user: i64,
}

fn actor() -> Actor {
    Actor::command_line()
}

fn user(email: &str, role: StaffRole, areas: &[&str]) -> NewUser {
    NewUser {
        email: email.into(),
        role,
        areas: areas.iter().map(|a| (*a).to_string()).collect(),
        groups: vec![],
        password: Some("a long enough pass phrase".into()),
    }
}

impl World {
    async fn new() -> World {
        let (client, dir) = spawn_untracked().await;
        let app = client.rocket().state::<App>().unwrap().clone();
        let mut sessions = Vec::new();
        for (who, email, role, areas) in [
            (Who::OfficialOfA, "official@hanoi.gov.vn", StaffRole::Official, vec![AREA_A]),
            (Who::Statistician, "stat@hanoi.gov.vn", StaffRole::Statistician, vec![]),
            (Who::Administrator, "admin@hanoi.gov.vn", StaffRole::Administrator, vec![]),
        ] {
            let (token, csrf) = signed_in(&app, email, role, &areas);
            sessions.push((who, token, csrf));
        }
        let (spare_user, _) =
            add_user(&app, &user("spare@hanoi.gov.vn", StaffRole::Statistician, &[]), &actor())
                .unwrap();
        let token =
            crate::respond::start(&client, "enterprise-dx", &example("enterprise-answers.json"))
                .await;
        World { client, _dir: dir, sessions, token, spare_user }
    }

    fn session(&self, who: Who) -> Option<&(Who, String, String)> {
        self.sessions.iter().find(|(w, _, _)| *w == who)
    }

    /// A request as `who` makes it: with their session cookie, if any.
    fn request(&self, who: Who, method: &str, path: &str) -> LocalRequest<'_> {
        let request = if method == "POST" {
            self.client.post(path.to_string())
        } else {
            self.client.get(path.to_string())
        };
        match self.session(who) {
            Some((_, token, _)) => request.private_cookie(Cookie::new("dx_session", token.clone())),
            None => request,
        }
    }

    fn csrf(&self, who: Who) -> String {
        self.session(who).map_or_else(String::new, |(_, _, csrf)| csrf.clone())
    }

    fn app(&self) -> &App {
        self.client.rocket().state::<App>().unwrap()
    }
}

/// Whether a response means "allowed".
fn allowed(response: &LocalResponse<'_>) -> bool {
    let to_login = response.headers().get_one("Location") == Some("/login");
    !matches!(response.status(), Status::Unauthorized | Status::Forbidden | Status::NotFound)
        && !to_login
}

/// One route of the application, how to call it, and who may.
struct Row {
    method: &'static str,
    /// The route as Rocket lists it.
    route: &'static str,
    /// A concrete path (`{token}`: the respondent's link; `{wave}`: this year's wave; `{spare}`: an account id).
    path: &'static str,
    /// The form body, for POSTs (`csrf` is added).
    body: fn(&World) -> Vec<(String, String)>,
    allowed: &'static [Who],
}

fn none(_: &World) -> Vec<(String, String)> {
    vec![]
}

fn profile(_: &World) -> Vec<(String, String)> {
    let mut answers = example("enterprise-answers.json");
    // A different enterprise each time, so that the start is not a duplicate.
    answers.insert("tax_code".into(), serde_json::Value::from(format!("01{:08}", rand_code())));
    let survey =
        dxsurvey::survey::load_file(&crate::helpers::repo().join("surveys/enterprise-dx.toml"))
            .unwrap()
            .survey;
    page_fields(&survey, 0, &answers)
}

fn open_access(_: &World) -> Vec<(String, String)> {
    vec![("access".into(), "open".into())]
}

fn sample_plan(_: &World) -> Vec<(String, String)> {
    ["size=100", "min_per_ward_size=2", "prior=0.5", "seed=1", "action=propose"]
        .iter()
        .map(|f| f.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())).unwrap())
        .collect()
}

fn reminder_date(_: &World) -> Vec<(String, String)> {
    vec![("on".into(), dxsurvey::kernel::format::today().to_string())]
}

fn mail_kind(_: &World) -> Vec<(String, String)> {
    vec![("kind".into(), "invitation".into())]
}

fn void_case(_: &World) -> Vec<(String, String)> {
    vec![
        ("action".into(), "void".into()),
        ("reason".into(), "test".into()),
        ("tax_code".into(), "0109999999".into()),
    ]
}

fn contact(_: &World) -> Vec<(String, String)> {
    vec![("code".into(), "0100000000".into()), ("outcome".into(), "contact".into())]
}

fn wrong_code(_: &World) -> Vec<(String, String)> {
    vec![("code".into(), "7KQ2-M9XD-4RTW-HB3N".into())]
}

fn token_name(_: &World) -> Vec<(String, String)> {
    vec![("name".into(), "nightly export".into()), ("days".into(), "30".into())]
}

fn rand_code() -> u32 {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).unwrap();
    u32::from_le_bytes(bytes) % 100_000_000
}

fn page_two(world: &World) -> Vec<(String, String)> {
    let survey = survey(&world.client, "enterprise-dx");
    page_fields(&survey, 1, &example("enterprise-answers.json"))
}

fn new_account(_: &World) -> Vec<(String, String)> {
    vec![
        ("email".into(), format!("new{}@hanoi.gov.vn", rand_code())),
        ("role".into(), "statistician".into()),
    ]
}

fn new_wave(_: &World) -> Vec<(String, String)> {
    vec![
        ("id".into(), format!("w{}", rand_code())),
        ("opens_on".into(), "2031-01-01".into()),
        ("closes_on".into(), "2031-12-31".into()),
        ("questionnaire".into(), "enterprise-dx".into()),
    ]
}

fn login(_: &World) -> Vec<(String, String)> {
    vec![
        ("email".into(), "nobody@hanoi.gov.vn".into()),
        ("password".into(), "wrong wrong wrong".into()),
    ]
}

const STAFF: &[Who] = &[Who::OfficialOfA, Who::Statistician, Who::Administrator];
const CITY: &[Who] = &[Who::Statistician, Who::Administrator];
const ADMIN: &[Who] = &[Who::Administrator];
const HOLDER: &[Who] = &[Who::Respondent];

fn table() -> Vec<Row> {
    vec![
        Row { method: "GET", route: "/", path: "/", body: none, allowed: &EVERYONE },
        Row {
            method: "GET",
            route: "/lang/<code>",
            path: "/lang/en",
            body: none,
            allowed: &EVERYONE,
        },
        Row {
            method: "GET",
            route: "/assets/<path..>",
            path: "/assets/css/site.css",
            body: none,
            allowed: &EVERYONE,
        },
        Row {
            method: "GET",
            route: "/start/<wave>/<survey>",
            path: "/start/{wave}/enterprise-dx",
            body: none,
            allowed: &EVERYONE,
        },
        Row {
            method: "POST",
            route: "/start/<wave>/<survey>",
            path: "/start/{wave}/enterprise-dx",
            body: profile,
            allowed: &EVERYONE,
        },
        Row { method: "GET", route: "/i", path: "/i", body: none, allowed: &EVERYONE },
        // A code that is no one's opens nothing, for anyone.
        Row {
            method: "GET",
            route: "/i/<code>",
            path: "/i/7KQ2-M9XD-4RTW-HB3N",
            body: none,
            allowed: &[],
        },
        Row { method: "POST", route: "/i", path: "/i", body: wrong_code, allowed: &EVERYONE },
        Row { method: "GET", route: "/r/<token>", path: "/r/{token}", body: none, allowed: HOLDER },
        Row {
            method: "GET",
            route: "/r/<token>/welcome",
            path: "/r/{token}/welcome",
            body: none,
            allowed: HOLDER,
        },
        Row {
            method: "GET",
            route: "/r/<token>/p/<n>?<revealed>&<saved>",
            path: "/r/{token}/p/2",
            body: none,
            allowed: HOLDER,
        },
        Row {
            method: "POST",
            route: "/r/<token>/p/<n>",
            path: "/r/{token}/p/2",
            body: page_two,
            allowed: HOLDER,
        },
        Row {
            method: "GET",
            route: "/r/<token>/review",
            path: "/r/{token}/review",
            body: none,
            allowed: HOLDER,
        },
        Row {
            method: "POST",
            route: "/r/<token>/submit",
            path: "/r/{token}/submit",
            body: none,
            allowed: HOLDER,
        },
        Row {
            method: "GET",
            route: "/r/<token>/result",
            path: "/r/{token}/result",
            body: none,
            allowed: HOLDER,
        },
        Row {
            method: "GET",
            route: "/r/<token>/report.pdf?<lang>",
            path: "/r/{token}/report.pdf",
            body: none,
            allowed: HOLDER,
        },
        Row { method: "GET", route: "/login", path: "/login", body: none, allowed: &EVERYONE },
        // The probe of proxies and service managers: says only whether the service works.
        Row { method: "GET", route: "/healthz", path: "/healthz", body: none, allowed: &EVERYONE },
        Row { method: "POST", route: "/login", path: "/login", body: login, allowed: &[] },
        Row { method: "POST", route: "/logout", path: "/logout", body: none, allowed: STAFF },
        Row { method: "GET", route: "/staff", path: "/staff", body: none, allowed: STAFF },
        Row {
            method: "GET",
            route: "/areas?<query..>",
            path: "/areas",
            body: none,
            allowed: STAFF,
        },
        Row {
            method: "GET",
            route: "/areas/<code>?<query..>",
            path: "/areas/{a}",
            body: none,
            allowed: STAFF,
        },
        Row {
            method: "GET",
            route: "/areas/<code>?<query..>",
            path: "/areas/{b}",
            body: none,
            allowed: CITY,
        },
        Row {
            method: "GET",
            route: "/areas/<code>/fieldwork?<recorded>&<query..>",
            path: "/areas/{a}/fieldwork",
            body: none,
            allowed: STAFF,
        },
        Row {
            method: "GET",
            route: "/areas/<code>/fieldwork?<recorded>&<query..>",
            path: "/areas/{b}/fieldwork",
            body: none,
            allowed: CITY,
        },
        // Without a sample there is no unit to record a contact with, nor a letter to print,
        // for anyone: who may do it where there are is tested in `invited`.
        Row {
            method: "POST",
            route: "/areas/<code>/fieldwork?<query..>",
            path: "/areas/{a}/fieldwork",
            body: contact,
            allowed: &[],
        },
        Row {
            method: "GET",
            route: "/areas/<code>/letters.pdf?<query..>",
            path: "/areas/{a}/letters.pdf",
            body: none,
            allowed: &[],
        },
        Row {
            method: "GET",
            route: "/areas/<code>/report.pdf?<query..>",
            path: "/areas/{a}/report.pdf",
            body: none,
            allowed: STAFF,
        },
        Row {
            method: "GET",
            route: "/areas/<code>/report.pdf?<query..>",
            path: "/areas/{b}/report.pdf",
            body: none,
            allowed: CITY,
        },
        Row {
            method: "GET",
            route: "/areas/<code>/report.pdf?<query..>",
            path: "/areas/{group}/report.pdf?lang=en",
            body: none,
            allowed: CITY,
        },
        Row {
            method: "GET",
            route: "/stats/report.pdf?<query..>",
            path: "/stats/report.pdf",
            body: none,
            allowed: CITY,
        },
        Row {
            method: "GET",
            route: "/admin/users",
            path: "/admin/users",
            body: none,
            allowed: ADMIN,
        },
        Row {
            method: "POST",
            route: "/admin/users",
            path: "/admin/users",
            body: new_account,
            allowed: ADMIN,
        },
        Row {
            method: "POST",
            route: "/admin/users/<id>/disable",
            path: "/admin/users/{spare}/disable",
            body: none,
            allowed: ADMIN,
        },
        Row {
            method: "POST",
            route: "/admin/users/<id>/enable",
            path: "/admin/users/{spare}/enable",
            body: none,
            allowed: ADMIN,
        },
        Row {
            method: "POST",
            route: "/admin/users/<id>/password",
            path: "/admin/users/{spare}/password",
            body: none,
            allowed: ADMIN,
        },
        Row {
            method: "GET",
            route: "/admin/waves",
            path: "/admin/waves",
            body: none,
            allowed: ADMIN,
        },
        Row {
            method: "POST",
            route: "/admin/waves",
            path: "/admin/waves",
            body: new_wave,
            allowed: ADMIN,
        },
        Row {
            method: "POST",
            route: "/admin/waves/<id>/close",
            path: "/admin/waves/{wave}/close",
            body: none,
            allowed: ADMIN,
        },
        Row {
            method: "POST",
            route: "/admin/waves/<id>/open",
            path: "/admin/waves/{wave}/open",
            body: none,
            allowed: ADMIN,
        },
        Row {
            method: "GET",
            route: "/admin/audit?<query..>",
            path: "/admin/audit",
            body: none,
            allowed: ADMIN,
        },
        Row {
            method: "GET",
            route: "/__refused/cross-site",
            path: "/__refused/cross-site",
            body: none,
            allowed: &[],
        },
        Row {
            method: "GET",
            route: "/admin/frame",
            path: "/admin/frame",
            body: none,
            allowed: ADMIN,
        },
        Row {
            method: "GET",
            route: "/stats/export/<file>?<query..>",
            path: "/stats/export/datapackage.json",
            body: none,
            allowed: CITY,
        },
        Row {
            method: "POST",
            route: "/admin/frame",
            path: "/admin/frame",
            body: none,
            allowed: ADMIN,
        },
        Row { method: "GET", route: "/stats?<query..>", path: "/stats", body: none, allowed: CITY },
        Row {
            method: "GET",
            route: "/stats/aggregates.csv?<query..>",
            path: "/stats/aggregates.csv",
            body: none,
            allowed: CITY,
        },
        Row {
            method: "GET",
            route: "/api/v1/figures?<wave>&<survey>&<breakdown>&<indicator>&<limit>&<offset>",
            path: "/api/v1/figures?breakdown=area",
            body: none,
            allowed: CITY,
        },
        Row {
            method: "GET",
            route: "/admin/fieldwork?<wave>",
            path: "/admin/fieldwork",
            body: none,
            allowed: ADMIN,
        },
        Row {
            method: "POST",
            route: "/admin/fieldwork/access?<wave>",
            path: "/admin/fieldwork/access?wave={wave}",
            body: open_access,
            allowed: ADMIN,
        },
        Row {
            method: "POST",
            route: "/admin/fieldwork/sample?<wave>",
            path: "/admin/fieldwork/sample?wave={wave}",
            body: sample_plan,
            allowed: ADMIN,
        },
        Row {
            method: "POST",
            route: "/admin/fieldwork/invitations?<wave>",
            path: "/admin/fieldwork/invitations?wave={wave}",
            body: none,
            allowed: ADMIN,
        },
        Row {
            method: "POST",
            route: "/admin/fieldwork/mail?<wave>",
            path: "/admin/fieldwork/mail?wave={wave}",
            body: mail_kind,
            allowed: ADMIN,
        },
        Row {
            method: "POST",
            route: "/admin/fieldwork/reminders?<wave>",
            path: "/admin/fieldwork/reminders?wave={wave}",
            body: reminder_date,
            allowed: ADMIN,
        },
        Row {
            method: "GET",
            route: "/admin/fieldwork/mail-merge.csv?<wave>",
            path: "/admin/fieldwork/mail-merge.csv?wave={wave}",
            body: none,
            allowed: ADMIN,
        },
        Row {
            method: "GET",
            route: "/admin/cases?<wave>&<q>",
            path: "/admin/cases?q=0109",
            body: none,
            allowed: ADMIN,
        },
        Row {
            method: "POST",
            route: "/admin/cases/<id>?<wave>&<q>",
            path: "/admin/cases/999999?wave={wave}",
            body: void_case,
            allowed: ADMIN,
        },
        Row {
            method: "POST",
            route: "/admin/cases/reissue?<wave>&<q>",
            path: "/admin/cases/reissue?wave={wave}",
            body: void_case,
            allowed: ADMIN,
        },
        Row {
            method: "GET",
            route: "/api/v1/response-rates?<wave>",
            path: "/api/v1/response-rates",
            body: none,
            allowed: CITY,
        },
        Row {
            method: "GET",
            route: "/api/v1/experiment?<wave>&<survey>",
            path: "/api/v1/experiment",
            body: none,
            allowed: CITY,
        },
        Row {
            method: "GET",
            route: "/api/v1/areas/<code>/figures?<wave>&<survey>&<breakdown>&<indicator>&<limit>&<offset>",
            path: "/api/v1/areas/{a}/figures",
            body: none,
            allowed: STAFF,
        },
        Row {
            method: "GET",
            route: "/api/v1/areas/<code>/figures?<wave>&<survey>&<breakdown>&<indicator>&<limit>&<offset>",
            path: "/api/v1/areas/{b}/figures",
            body: none,
            allowed: CITY,
        },
        Row {
            method: "GET",
            route: "/api/v1/waves",
            path: "/api/v1/waves",
            body: none,
            allowed: STAFF,
        },
        Row {
            method: "GET",
            route: "/api/v1/waves/<wave>/aggregates.csv?<survey>",
            path: "/api/v1/waves/{wave}/aggregates.csv",
            body: none,
            allowed: CITY,
        },
        Row {
            method: "GET",
            route: "/api/v1/waves/<wave>/microdata.csv?<survey>",
            path: "/api/v1/waves/{wave}/microdata.csv",
            body: none,
            allowed: CITY,
        },
        Row {
            method: "GET",
            route: "/api/v1/openapi.json",
            path: "/api/v1/openapi.json",
            body: none,
            allowed: &EVERYONE,
        },
        Row {
            method: "GET",
            route: "/staff/tokens?<user>",
            path: "/staff/tokens",
            body: none,
            allowed: STAFF,
        },
        Row {
            method: "POST",
            route: "/staff/tokens?<user>",
            path: "/staff/tokens",
            body: token_name,
            allowed: STAFF,
        },
        // No such token: refused to everyone (tests/suite/api.rs revokes real ones).
        Row {
            method: "POST",
            route: "/staff/tokens/<id>/revoke?<user>",
            path: "/staff/tokens/999999/revoke",
            body: none,
            allowed: &[],
        },
    ]
}

/// The concrete path for `who`: the respondent uses their own link, everyone else a link that
/// is not theirs (here: no one's).
fn path_for(world: &World, row: &Row, who: Who) -> String {
    let token = if who == Who::Respondent { world.token.clone() } else { "f".repeat(64) };
    row.path
        .replace("{token}", &token)
        .replace("{wave}", &wave())
        .replace("{spare}", &world.spare_user.to_string())
        .replace("{a}", AREA_A)
        .replace("{b}", AREA_B)
        .replace("{group}", GROUP_OF_A)
}

#[rocket::async_test]
async fn every_route_is_in_the_matrix_and_every_role_gets_exactly_its_rights() {
    let table = table();
    let probe = World::new().await;
    let mounted: Vec<(String, String)> = probe
        .client
        .rocket()
        .routes()
        .map(|r| (r.method.as_str().to_string(), r.uri.to_string()))
        .collect();
    for (method, uri) in &mounted {
        assert!(
            table.iter().any(|row| row.method == method && row.route == uri),
            "route {method} {uri} is missing from the authorization matrix"
        );
    }
    for row in &table {
        assert!(
            mounted.iter().any(|(m, u)| m == row.method && u == row.route),
            "{} {} is not mounted",
            row.method,
            row.route
        );
        // Every row on a fresh application: a change made by one row never decides another.
        let world = World::new().await;
        for who in EVERYONE {
            let path = path_for(&world, row, who);
            let mut request = world.request(who, row.method, &path);
            if row.method == "POST" {
                let mut body = (row.body)(&world);
                body.push(("csrf".into(), world.csrf(who)));
                request = request.header(ContentType::Form).body(encode(&body));
            }
            let response = request.dispatch().await;
            let expected = row.allowed.contains(&who);
            assert_eq!(
                allowed(&response),
                expected,
                "{who:?} {} {path}: got {} (expected {})",
                row.method,
                response.status(),
                if expected { "allowed" } else { "refused" }
            );
        }
    }
}

/// A snapshot of what state-changing requests could change.
fn state(app: &App) -> (i64, i64, i64, i64, String) {
    app.store
        .read(|c| {
            Ok(c.query_row(
                "SELECT (SELECT count(*) FROM audit_log), (SELECT count(*) FROM users),
                        (SELECT count(*) FROM waves), (SELECT count(*) FROM responses),
                        (SELECT group_concat(status || disabled, ',') FROM (SELECT w.status, u.disabled FROM waves w, users u))",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, Option<String>>(4)?.unwrap_or_default())),
            )?)
        })
        .unwrap()
}

#[rocket::async_test]
async fn every_state_changing_staff_route_refuses_missing_wrong_and_cross_site_tokens() {
    let world = World::new().await;
    let admin = Who::Administrator;
    for row in
        table().iter().filter(|r| r.method == "POST" && r.allowed == ADMIN || r.route == "/logout")
    {
        let path = path_for(&world, row, admin);
        let body = (row.body)(&world);
        let with = |csrf: Option<&str>| {
            let mut fields = body.clone();
            if let Some(csrf) = csrf {
                fields.push(("csrf".into(), csrf.to_string()));
            }
            encode(&fields)
        };
        let before = state(world.app());
        let cases: Vec<(&str, LocalRequest<'_>)> = vec![
            (
                "missing token",
                world.request(admin, "POST", &path).header(ContentType::Form).body(with(None)),
            ),
            (
                "wrong token",
                world
                    .request(admin, "POST", &path)
                    .header(ContentType::Form)
                    .body(with(Some(&"0".repeat(64)))),
            ),
            (
                "foreign origin",
                world
                    .request(admin, "POST", &path)
                    .header(ContentType::Form)
                    .header(Header::new("Origin", "https://evil.example"))
                    .body(with(Some(&world.csrf(admin)))),
            ),
            (
                "cross-site fetch",
                world
                    .request(admin, "POST", &path)
                    .header(ContentType::Form)
                    .header(Header::new("Sec-Fetch-Site", "cross-site"))
                    .body(with(Some(&world.csrf(admin)))),
            ),
        ];
        for (what, request) in cases {
            let response = request.dispatch().await;
            assert_eq!(response.status(), Status::Forbidden, "{} {path}: {what}", row.method);
        }
        assert_eq!(state(world.app()), before, "{path}: nothing changed");
    }
}

#[rocket::async_test]
async fn respondent_forms_refuse_cross_site_posts_and_change_nothing() {
    let world = World::new().await;
    let before = state(world.app());
    for path in [
        format!("/start/{}/enterprise-dx", wave()),
        format!("/r/{}/p/2", world.token),
        format!("/r/{}/submit", world.token),
    ] {
        let response = world
            .client
            .post(path.clone())
            .header(ContentType::Form)
            .header(Header::new("Sec-Fetch-Site", "cross-site"))
            .body(encode(&page_two(&world)))
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Forbidden, "{path}");
    }
    assert_eq!(state(world.app()), before);
}

#[rocket::async_test]
async fn the_audit_log_refuses_changes_even_from_the_database_layer() {
    let world = World::new().await;
    let changed = world
        .app()
        .store
        .write(|tx| Ok(tx.execute("UPDATE audit_log SET actor = 'someone else'", [])?));
    assert!(changed.unwrap_err().to_string().contains("append-only"));
    let deleted = world.app().store.write(|tx| Ok(tx.execute("DELETE FROM audit_log", [])?));
    assert!(deleted.unwrap_err().to_string().contains("append-only"));
}
