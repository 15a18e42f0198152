//! The API as a script uses it: the real server on a real database, spoken to by the real
//! `curl` with a personal token made by `dxsurvey token create`; the token page in-process; the
//! OpenAPI description against the routes the application mounts.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use dxsurvey::app::App;
use dxsurvey::auth::StaffRole;
use rocket::http::{ContentType, Cookie, Header, Status};
use rocket::local::asynchronous::Client;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

use crate::helpers::{Running, free_port, repo, rocket_with, run, signed_in, text, wait_for};

const STAT: &str = "stat@hanoi.gov.vn";
const OFFICIAL: &str = "ward@hanoi.gov.vn";
/// The official's ward, and one that is not theirs.
const WARD: &str = "00070";
const OTHER_WARD: &str = "00004";

/// This year's wave, which `demo` fills.
fn wave() -> String {
    dxsurvey::kernel::format::today().year().to_string()
}

/// Standard output of a command that must succeed.
fn succeeded(dir: &TempDir, args: &[&str]) -> String {
    let output = run(dir, args, &[]);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "dxsurvey {args:?}: {stdout}{stderr}");
    stdout
}

/// An installation with 300 demo responses, a statistician and an official of [`WARD`].
fn installation() -> TempDir {
    let dir = TempDir::new().unwrap();
    succeeded(&dir, &["demo", "--responses", "300", "--seed", "3"]);
    succeeded(&dir, &["user", "add", "--role", "statistician", "--email", STAT]);
    succeeded(&dir, &["user", "add", "--role", "official", "--email", OFFICIAL, "--area", WARD]);
    dir
}

/// A token made on the command line: its id and the token, as printed once.
fn token(dir: &TempDir, email: &str, name: &str) -> (i64, String) {
    let out = succeeded(dir, &["token", "create", "--user", email, "--name", name]);
    let id = out.split_whitespace().nth(2).and_then(|id| id.parse().ok()).unwrap();
    let token = out.lines().find_map(|l| l.strip_prefix("token (shown once): ")).unwrap();
    (id, token.to_string())
}

fn database(dir: &TempDir) -> std::path::PathBuf {
    dir.path().join("dxsurvey.db")
}

/// The real server on the installation, once it answers, with `env` added.
fn serve(dir: &TempDir, env: &[(&str, &str)]) -> (Running, u16) {
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_dxsurvey"));
    command
        .current_dir(repo())
        .arg("serve")
        .env("DXSURVEY_DATABASE", database(dir))
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_ACCESS_LOG", "false")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    let server = Running(command.spawn().unwrap());
    wait_for(port, "the server");
    (server, port)
}

/// An answer as `curl` received it.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body, gunzipped if it says it is gzip.
    fn content(&self) -> Vec<u8> {
        if self.header("Content-Encoding") != Some("gzip") {
            return self.body.clone();
        }
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&self.body[..]).read_to_end(&mut plain).unwrap();
        plain
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.content())
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// `curl` asking `path` of the server on `port` with `headers`, nothing else.
fn curl(port: u16, path: &str, headers: &[String]) -> Answer {
    let mut command = Command::new("curl");
    command.args(["--silent", "--show-error", "--include", "--max-time", "120"]);
    for header in headers {
        command.args(["--header", header]);
    }
    let output = command.arg(format!("http://127.0.0.1:{port}{path}")).output().unwrap();
    assert!(output.status.success(), "curl {path}: {}", String::from_utf8_lossy(&output.stderr));
    let split = output.stdout.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&output.stdout[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Answer { status, headers, body: output.stdout[split + 4..].to_vec() }
}

fn bearer(token: &str) -> String {
    format!("Authorization: Bearer {token}")
}

/// `answer` is the API's JSON error `code` with `status`: in English and Vietnamese, never a
/// redirect, never a cookie.
fn assert_problem(answer: &Answer, status: u16, code: &str) -> Value {
    let body = answer.json();
    assert_eq!(answer.status, status, "{body}");
    assert_eq!(answer.header("Content-Type"), Some("application/json"), "{body}");
    assert_eq!(answer.header("Location"), None);
    assert_eq!(answer.header("Set-Cookie"), None);
    let error = &body["error"];
    assert_eq!(
        (error["status"].as_u64(), error["code"].as_str()),
        (Some(status.into()), Some(code))
    );
    let (en, vi) = (error["message"].as_str().unwrap(), error["message_vi"].as_str().unwrap());
    assert!(en.len() > 10 && !en.starts_with("api_error_") && en != vi, "{body}");
    body
}

#[test]
fn a_script_with_only_curl_and_a_token_pages_through_the_figures_gzipped_and_gets_the_files() {
    let dir = installation();
    let (_, token) = token(&dir, STAT, "nightly export");
    assert!(token.starts_with("dxs_") && token.len() == 68, "{token}");
    let (_server, port) = serve(&dir, &[]);
    let auth = bearer(&token);
    let gzip = "Accept-Encoding: gzip".to_string();

    let waves = curl(port, "/api/v1/waves", std::slice::from_ref(&auth));
    assert_eq!(waves.status, 200);
    assert_eq!(waves.json()["waves"][0]["id"], wave());

    // Every figure, 2,500 a page, each page gzipped, following `next`.
    let mut next = Some("/api/v1/figures?limit=2500".to_string());
    let (mut figures, mut pages, mut total, mut computed) = (Vec::new(), 0, 0, BTreeSet::new());
    while let Some(path) = next.take() {
        let page = curl(port, &path, &[auth.clone(), gzip.clone()]);
        assert_eq!(page.status, 200, "{path}");
        assert_eq!(page.header("Content-Encoding"), Some("gzip"));
        assert_eq!(&page.body[..2], [0x1f, 0x8b], "a gzip body");
        assert!(page.content().len() > 2 * page.body.len(), "compressed");
        let json = page.json();
        assert_eq!(json["wave"], wave());
        total = json["total"].as_u64().unwrap();
        computed.insert(json["computed_at"].as_str().unwrap().to_string());
        figures.extend(json["figures"].as_array().unwrap().iter().cloned());
        next = json["next"].as_str().map(str::to_string);
        pages += 1;
    }
    assert!(pages > 2, "{total} figures in {pages} pages");
    assert_eq!(figures.len() as u64, total);
    let distinct: BTreeSet<String> = figures
        .iter()
        .map(|f| format!("{}|{}|{}", f["breakdown"], f["group"], f["indicator"]))
        .collect();
    assert_eq!(distinct.len(), figures.len(), "no figure twice across pages");
    let computed: Vec<String> = computed.into_iter().collect();
    let [computed_at] = &computed[..] else { panic!("the pages come from one computation") };
    assert!(
        time::OffsetDateTime::parse(computed_at, &time::format_description::well_known::Rfc3339)
            .is_ok(),
        "{computed_at}"
    );

    // The aggregates: a row for every figure the API pages through.
    let aggregates = curl(
        port,
        &format!("/api/v1/waves/{}/aggregates.csv", wave()),
        std::slice::from_ref(&auth),
    );
    assert_eq!(aggregates.status, 200);
    assert!(aggregates.header("Content-Type").unwrap().starts_with("text/csv"));
    assert_eq!(String::from_utf8(aggregates.body).unwrap().lines().count() as u64 - 1, total);

    // The microdata: the very file `dxsurvey export` writes, plain or gzipped.
    let path = format!("/api/v1/waves/{}/microdata.csv", wave());
    let microdata = curl(port, &path, std::slice::from_ref(&auth));
    assert_eq!(microdata.status, 200);
    assert!(microdata.header("Content-Disposition").unwrap().contains("microdata-enterprise-dx"));
    let zipped = curl(port, &path, &[auth, gzip]);
    assert_eq!(zipped.header("Content-Encoding"), Some("gzip"));
    assert_eq!(zipped.content(), microdata.body);
    let out = dir.path().join("export");
    succeeded(&dir, &["export", "--wave", &wave(), "--out", out.to_str().unwrap()]);
    let exported = std::fs::read(out.join("microdata.csv")).unwrap();
    assert!(exported.len() > 10_000);
    assert_eq!(microdata.body, exported, "the API's microdata are the export's");
}

#[test]
fn expired_revoked_and_disabled_tokens_get_401_json_with_their_codes() {
    let dir = installation();
    let (expiring, expiring_token) = token(&dir, STAT, "expires");
    let (revoked, revoked_token) = token(&dir, STAT, "revoked");
    let (_, disabled_token) = token(&dir, OFFICIAL, "owner disabled");
    let (_server, port) = serve(&dir, &[]);
    let figures = format!("/api/v1/areas/{WARD}/figures?limit=1");
    for token in [&expiring_token, &revoked_token, &disabled_token] {
        assert_eq!(curl(port, &figures, &[bearer(token)]).status, 200, "works at first");
    }

    // Expired: its expiry set in the past in the database; revoked and disabled on the
    // command line, while the server runs.
    let conn = rusqlite::Connection::open(database(&dir)).unwrap();
    conn.execute("UPDATE api_tokens SET expires_at = unixepoch() - 1 WHERE id = ?1", [expiring])
        .unwrap();
    let said = succeeded(&dir, &["token", "revoke", &revoked.to_string()]);
    assert!(said.contains(&format!("revoked token {revoked}")), "{said}");
    succeeded(&dir, &["user", "disable", "--email", OFFICIAL]);

    for (token, code) in [
        (&expiring_token, "token_expired"),
        (&revoked_token, "token_revoked"),
        (&disabled_token, "account_disabled"),
    ] {
        let answer = curl(port, &figures, &[bearer(token)]);
        assert_problem(&answer, 401, code);
        assert!(answer.header("WWW-Authenticate").unwrap().starts_with("Bearer"));
    }
    let listed = succeeded(&dir, &["token", "list", "--user", STAT]);
    assert!(listed.contains(&format!("{expiring}\texpired")), "{listed}");
    assert!(listed.contains(&format!("{revoked}\trevoked")), "{listed}");
    assert!(!listed.contains(&revoked_token[4..]), "the list never shows a token");

    // The command line refuses what the page refuses.
    for bad in [&["--days", "366"][..], &["--days", "0"], &["--name", " "]] {
        let mut args = vec!["token", "create", "--user", STAT];
        if bad[0] == "--days" {
            args.extend(["--name", "x"]);
        }
        args.extend(bad);
        assert!(!run(&dir, &args, &[]).status.success(), "{args:?}");
    }
    assert!(!run(&dir, &["token", "revoke", "999"], &[]).status.success());
}

#[test]
fn an_officials_token_sees_only_the_wards_their_account_has_at_each_use() {
    let dir = installation();
    let (_, token) = token(&dir, OFFICIAL, "ward figures");
    let (_server, port) = serve(&dir, &[]);
    let auth = [bearer(&token)];

    let own = curl(port, &format!("/api/v1/areas/{WARD}/figures?limit=10000"), &auth);
    assert_eq!(own.status, 200);
    let own = own.json();
    let rows = own["figures"].as_array().unwrap();
    assert!(!rows.is_empty() && own["area"] == WARD);
    assert!(rows.iter().all(|r| {
        let group = r["group"].as_str().unwrap();
        group == WARD || group.starts_with(&format!("{WARD}:"))
    }));
    let other = format!("/api/v1/areas/{OTHER_WARD}/figures");
    assert_problem(&curl(port, &other, &auth), 403, "outside_scope");
    assert_problem(&curl(port, "/api/v1/figures", &auth), 403, "outside_scope");
    let microdata = format!("/api/v1/waves/{}/microdata.csv", wave());
    assert_problem(&curl(port, &microdata, &auth), 403, "outside_scope");
    assert_problem(&curl(port, "/api/v1/areas/99999/figures", &auth), 404, "unknown_area");

    // The account now covers the other ward instead: the same token follows at once.
    let conn = rusqlite::Connection::open(database(&dir)).unwrap();
    conn.execute("UPDATE user_areas SET area_code = ?1", [OTHER_WARD]).unwrap();
    assert_eq!(curl(port, &other, &auth).status, 200);
    let own = format!("/api/v1/areas/{WARD}/figures");
    assert_problem(&curl(port, &own, &auth), 403, "outside_scope");
}

#[test]
fn a_missing_forged_or_malformed_authorization_gets_401_json_never_a_redirect() {
    let dir = installation();
    let (_, token) = token(&dir, STAT, "real");
    let (_server, port) = serve(&dir, &[]);
    let forged = format!("dxs_{}", "0123456789abcdef".repeat(4));
    for (headers, code) in [
        (vec![], "unauthenticated"),
        (vec![bearer(&forged)], "token_invalid"),
        (vec![bearer("nonsense")], "token_malformed"),
        (vec![bearer(&token.to_uppercase())], "token_malformed"),
        (vec![bearer(&token[..60])], "token_malformed"),
        (vec![format!("Authorization: Basic {}", "c3RhdDpwYXNz")], "token_malformed"),
        (vec![format!("Authorization: {token}")], "token_malformed"),
        (vec![bearer(&token), bearer(&token)], "token_malformed"),
        (vec!["Cookie: dx_session=made-up".to_string()], "unauthenticated"),
    ] {
        assert_problem(&curl(port, "/api/v1/figures", &headers), 401, code);
        assert_problem(&curl(port, "/api/v1/waves", &headers), 401, code);
    }
    assert_eq!(curl(port, "/api/v1/figures?limit=1", &[bearer(&token)]).status, 200);
    // A token opens the API only: the pages still want a signed-in person.
    let page = curl(port, "/stats", &[bearer(&token)]);
    assert_eq!((page.status, page.header("Location")), (303, Some("/login")));
}

#[test]
fn an_unknown_or_bad_parameter_gets_400_json_naming_it_and_html_pages_stay_html() {
    let dir = installation();
    let (_, token) = token(&dir, STAT, "typos");
    let (_server, port) = serve(&dir, &[]);
    let auth = [bearer(&token)];
    for (path, code, parameter) in [
        ("/api/v1/figures?indicatr=x", "unknown_parameter", "indicatr"),
        ("/api/v1/figures?breakdown=bogus", "bad_parameter", "breakdown"),
        ("/api/v1/figures?indicator=ind_no_such_thing", "bad_parameter", "indicator"),
        ("/api/v1/figures?limit=10001", "bad_parameter", "limit"),
        ("/api/v1/figures?limit=ten", "bad_parameter", "limit"),
        ("/api/v1/figures?offset=-1", "bad_parameter", "offset"),
        ("/api/v1/figures?limit=5&limit=6", "bad_parameter", "limit"),
        ("/api/v1/figures?wave=", "bad_parameter", "wave"),
        ("/api/v1/areas/00070/figures?breakdown=city", "bad_parameter", "breakdown"),
        ("/api/v1/waves?page=2", "unknown_parameter", "page"),
        ("/api/v1/response-rates?survey=enterprise-dx", "unknown_parameter", "survey"),
    ] {
        let body = assert_problem(&curl(port, path, &auth), 400, code);
        assert_eq!(body["error"]["parameter"], parameter, "{path}: {body}");
        assert!(body["error"]["message"].as_str().unwrap().contains(parameter), "{body}");
    }
    for (path, code) in [
        ("/api/v1/figures?wave=1999", "unknown_wave"),
        ("/api/v1/figures?survey=no-such-survey", "unknown_survey"),
        ("/api/v1/waves/1999/aggregates.csv", "unknown_wave"),
        ("/api/v1/nothing-here", "not_found"),
        ("/api/v2/figures", "not_found"),
    ] {
        assert_problem(&curl(port, path, &auth), 404, code);
    }
    let ok = curl(port, "/api/v1/figures?breakdown=area&indicator=ind_innovative&limit=500", &auth);
    let ok = ok.json();
    assert!(ok["figures"].as_array().unwrap().iter().all(|f| f["breakdown"] == "area"));
    assert_eq!(ok["total"].as_u64(), Some(ok["figures"].as_array().unwrap().len() as u64));
    let page = curl(port, "/no-such-page", &["Accept: application/json".to_string()]);
    assert_eq!(page.status, 404);
    assert!(page.header("Content-Type").unwrap().starts_with("text/html"));
}

#[test]
fn an_etag_round_trip_gives_304_and_another_answer_another_tag() {
    let dir = installation();
    let (_, token) = token(&dir, STAT, "cache");
    let (_server, port) = serve(&dir, &[]);
    let auth = bearer(&token);
    let path = "/api/v1/figures?limit=50";
    let first = curl(port, path, std::slice::from_ref(&auth));
    let tag = first.header("ETag").unwrap().to_string();
    assert!(tag.starts_with('"') && tag.ends_with('"') && !tag.starts_with("W/"), "strong: {tag}");
    assert_eq!(first.header("Vary"), Some("Accept-Encoding"));

    let again = curl(port, path, &[auth.clone(), format!("If-None-Match: {tag}")]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("ETag"), Some(tag.as_str()));

    let zipped = curl(port, path, &[auth.clone(), "Accept-Encoding: gzip".into()]);
    let zipped_tag = zipped.header("ETag").unwrap().to_string();
    assert_ne!(zipped_tag, tag, "another representation, another tag");
    assert_eq!(zipped.content(), first.body);
    let revalidated = curl(
        port,
        path,
        &[auth.clone(), "Accept-Encoding: gzip".into(), format!("If-None-Match: {zipped_tag}")],
    );
    assert_eq!(revalidated.status, 304);

    let next_page = curl(
        port,
        "/api/v1/figures?limit=50&offset=50",
        &[auth.clone(), format!("If-None-Match: {tag}")],
    );
    assert_eq!(next_page.status, 200, "another page is another answer");
    assert_ne!(next_page.header("ETag"), Some(tag.as_str()));
    let stale = curl(port, path, &[auth, "If-None-Match: \"0123\"".into()]);
    assert_eq!((stale.status, stale.body.len()), (200, first.body.len()));
}

/// `Thu, 03 Dec 2026 20:25:42 GMT` (RFC 9110's IMF-fixdate).
fn is_http_date(text: &str) -> bool {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(text, &format).is_ok()
}

#[test]
fn figures_computed_afresh_but_unchanged_keep_their_tag_and_every_answer_says_when() {
    let dir = installation();
    let (_, token) = token(&dir, STAT, "when");
    let (_server, port) = serve(&dir, &[]);
    let auth = bearer(&token);
    for path in ["/api/v1/response-rates", "/api/v1/experiment"] {
        let first = curl(port, path, std::slice::from_ref(&auth));
        assert_eq!(first.status, 200, "{path}");
        let tag = first.header("ETag").unwrap().to_string();
        let said = first.header("Last-Modified").unwrap().to_string();
        assert!(is_http_date(&said), "{path}: {said}");
        // Past the second, so that `computed_at` changes.
        std::thread::sleep(std::time::Duration::from_millis(1_100));
        let fresh = curl(port, path, std::slice::from_ref(&auth));
        assert_ne!(fresh.json()["computed_at"], first.json()["computed_at"], "{path}");
        assert_eq!(fresh.header("ETag"), Some(tag.as_str()), "{path}: the same figures");
        let again = curl(port, path, &[auth.clone(), format!("If-None-Match: {tag}")]);
        assert_eq!((again.status, again.body.len()), (304, 0), "{path}");
    }
    for path in [
        "/api/v1/figures?limit=1".to_string(),
        format!("/api/v1/waves/{}/aggregates.csv", wave()),
        format!("/api/v1/waves/{}/microdata.csv", wave()),
    ] {
        let answer = curl(port, &path, std::slice::from_ref(&auth));
        assert_eq!(answer.status, 200, "{path}");
        let said = answer.header("Last-Modified").unwrap_or_default();
        assert!(is_http_date(said), "{path}: the time its figures were computed, {said:?}");
    }
}

#[test]
fn every_token_use_is_audited_once_and_the_token_is_stored_nowhere_in_clear() {
    let dir = installation();
    let (id, token) = token(&dir, STAT, "audited");
    let (server, port) = serve(&dir, &[]);
    let auth = [bearer(&token)];
    let calls = [
        ("/api/v1/figures?limit=5", 200),
        ("/api/v1/waves", 200),
        ("/api/v1/areas/00070/figures?indicator=ind_innovative", 200),
        ("/api/v1/response-rates", 200),
        ("/api/v1/figures?indicatr=x", 400),
        ("/api/v1/figures?wave=1999", 404),
    ];
    for (path, status) in calls {
        let answer = curl(port, path, &auth);
        assert_eq!(answer.status, status, "{path}");
        assert_eq!(answer.header("Set-Cookie"), None, "a token makes no session");
    }
    let conn = rusqlite::Connection::open(database(&dir)).unwrap();
    let uses: Vec<(String, String, String)> = conn
        .prepare(
            "SELECT actor, target, detail FROM audit_log WHERE action = 'api.token' ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let expected: Vec<(String, String, String)> = calls
        .iter()
        .map(|(path, _)| (STAT.to_string(), format!("token {id}"), format!("GET {path}")))
        .collect();
    assert_eq!(uses, expected, "one entry per call, with the token's id");
    let naming: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_log WHERE target = ?1",
            [format!("token {id}")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(naming, calls.len() as i64);
    let (sessions, used): (i64, Option<i64>) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM sessions), (SELECT last_used_at FROM api_tokens WHERE id = ?1)",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(sessions, 0, "no session was made");
    assert!(used.is_some());
    drop(conn);
    drop(server);

    // Every file of the installation (the database, its log, the key...): the token is in
    // none of them; its hash is in the database.
    let secret = &token[4..];
    let hash: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
    let mut found_hash = false;
    for file in files(dir.path()) {
        let bytes = std::fs::read(&file).unwrap();
        let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        assert!(!contains(secret.as_bytes()), "{} holds the token", file.display());
        assert!(!contains(&token.as_bytes()[..20]), "{} holds the token's start", file.display());
        found_hash |= contains(&hash);
    }
    assert!(found_hash, "the token's hash is stored (the search looked in the right place)");
}

/// Every file under `dir`.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        if entry.file_type().unwrap().is_dir() {
            found.extend(files(&entry.path()));
        } else {
            found.push(entry.path());
        }
    }
    found
}

#[test]
fn a_client_over_its_limit_gets_429_json_with_retry_after() {
    let dir = installation();
    let (_, token) = token(&dir, STAT, "busy");
    let (_server, port) = serve(&dir, &[("ROCKET_API_CALLS_PER_MINUTE", "3")]);
    let answers: Vec<Answer> =
        (0..5).map(|_| curl(port, "/api/v1/waves", &[bearer(&token)])).collect();
    assert_eq!(answers[0].status, 200);
    let over = answers.last().unwrap();
    assert_problem(over, 429, "too_many_requests");
    assert!(over.header("Retry-After").unwrap().parse::<u64>().unwrap() >= 1);
}

/// The route's path as OpenAPI writes it (`/areas/{code}/figures`), and its query's names.
fn route_shape(uri: &str) -> (String, BTreeSet<String>) {
    let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
    let path = path.replace('<', "{").replace('>', "}");
    let query = query
        .split('&')
        .filter(|q| !q.is_empty())
        .map(|q| q.trim_start_matches('<').trim_end_matches('>').to_string())
        .collect();
    (path, query)
}

#[rocket::async_test]
async fn the_openapi_description_is_every_api_route_with_its_method_and_parameters_and_no_more() {
    let (rocket, _dir) = rocket_with(|_| {});
    let client = Client::untracked(rocket).await.unwrap();
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("docs/openapi.json")).unwrap())
            .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let resolve = |p: &Value| -> Value {
        match p["$ref"].as_str() {
            Some(r) => doc.pointer(r.trim_start_matches('#')).unwrap().clone(),
            None => p.clone(),
        }
    };
    let mut routes: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for route in client.rocket().routes().filter(|r| r.uri.to_string().starts_with("/api/")) {
        let (path, query) = route_shape(&route.uri.to_string());
        routes.insert((path, route.method.as_str().to_lowercase()), query);
    }
    assert!(routes.len() >= 8, "{routes:?}");
    for ((path, method), query) in &routes {
        let operation = &doc["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is not in docs/openapi.json");
        let parameters: Vec<Value> =
            operation["parameters"].as_array().into_iter().flatten().map(resolve).collect();
        let named = |place: &str| -> BTreeSet<String> {
            parameters
                .iter()
                .filter(|p| p["in"] == place)
                .map(|p| p["name"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(&named("query"), query, "{method} {path}: query parameters");
        let in_path: BTreeSet<String> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_string)
            .collect();
        assert_eq!(named("path"), in_path, "{method} {path}: path parameters");
        for p in &parameters {
            assert!(p["schema"].is_object(), "{method} {path}: {p} has a schema");
        }
        let responses = operation["responses"].as_object().unwrap();
        assert!(responses.contains_key("200"), "{method} {path}");
        let public = operation["security"].as_array().is_some_and(Vec::is_empty);
        assert_eq!(public, path == "/api/v1/openapi.json", "{method} {path}: security");
        if !public {
            for status in ["401", "429"] {
                assert!(responses.contains_key(status), "{method} {path}: {status}");
            }
        }
    }
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            assert!(
                routes.contains_key(&(path.clone(), method.clone())),
                "docs/openapi.json has {method} {path}, which is no route"
            );
        }
    }
    let scheme = &doc["components"]["securitySchemes"]["bearerToken"];
    assert_eq!(
        (scheme["type"].as_str(), scheme["scheme"].as_str()),
        (Some("http"), Some("bearer"))
    );
    let error = &doc["components"]["schemas"]["Error"]["properties"]["error"];
    let required: Vec<&str> =
        error["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(required, ["status", "code", "message", "message_vi"]);

    // The server serves the same document.
    let served = client.get("/api/v1/openapi.json").dispatch().await;
    assert_eq!(served.status(), Status::Ok);
    let served: Value = serde_json::from_str(&served.into_string().await.unwrap()).unwrap();
    assert_eq!(served, doc);
}

/// A form with the session's CSRF token.
fn form(csrf: &str, fields: &[(&str, &str)]) -> String {
    let mut all = vec![("csrf", csrf)];
    all.extend_from_slice(fields);
    all.iter()
        .map(|(k, v)| format!("{k}={}", rocket::http::RawStr::new(v).percent_encode()))
        .collect::<Vec<_>>()
        .join("&")
}

/// The token a tokens page shows once.
fn shown_token(page: &str) -> Option<String> {
    let at = page.find("dxs_")?;
    Some(page[at..at + 68].to_string())
}

#[rocket::async_test]
async fn staff_make_and_revoke_their_own_tokens_on_their_page_and_administrators_anyones() {
    let (rocket, _dir) = rocket_with(|_| {});
    let client = Client::untracked(rocket).await.unwrap();
    let app = client.rocket().state::<App>().unwrap().clone();
    let (stat, stat_csrf) = signed_in(&app, STAT, StaffRole::Statistician, &[]);
    let (official, official_csrf) = signed_in(&app, OFFICIAL, StaffRole::Official, &[WARD]);
    let (admin, admin_csrf) = signed_in(&app, "admin@hanoi.gov.vn", StaffRole::Administrator, &[]);
    let stat_id = dxsurvey::service::tokens::account(&app, STAT).unwrap().id;
    let cookie = |session: &str| Cookie::new("dx_session", session.to_string());
    let post = |path: String, session: &str, body: String| {
        client.post(path).private_cookie(cookie(session)).header(ContentType::Form).body(body)
    };
    let api = |token: &str| {
        client.get("/api/v1/waves").header(Header::new("Authorization", format!("Bearer {token}")))
    };

    // In the menu of every staff page; made with a name and a lifetime, shown once.
    let home = client.get("/staff").private_cookie(cookie(&stat)).dispatch().await;
    assert!(home.into_string().await.unwrap().contains("href=\"/staff/tokens\""));
    let made = post(
        "/staff/tokens".into(),
        &stat,
        form(&stat_csrf, &[("name", "R script"), ("days", "30")]),
    )
    .dispatch()
    .await;
    assert_eq!(made.status(), Status::Ok);
    assert_eq!(made.headers().get_one("Cache-Control"), Some("no-store"));
    let token = shown_token(&made.into_string().await.unwrap()).unwrap();
    assert_eq!(api(&token).dispatch().await.status(), Status::Ok);
    let listed = client.get("/staff/tokens").private_cookie(cookie(&stat)).dispatch().await;
    let listed = listed.into_string().await.unwrap();
    assert!(listed.contains("R script") && shown_token(&listed).is_none(), "shown only once");

    // Refused: a lifetime over a year, no name, no CSRF token.
    for fields in [[("name", "x"), ("days", "366")], [("name", " "), ("days", "30")]] {
        let refused =
            post("/staff/tokens".into(), &stat, form(&stat_csrf, &fields)).dispatch().await;
        assert_eq!(refused.status(), Status::UnprocessableEntity);
        assert!(shown_token(&refused.into_string().await.unwrap()).is_none());
    }
    let forged = post("/staff/tokens".into(), &stat, "name=x&days=30".into()).dispatch().await;
    assert_eq!(forged.status(), Status::Forbidden);

    // An official neither sees nor revokes another's tokens.
    let theirs = format!("/staff/tokens?user={stat_id}");
    let peek = client.get(theirs.clone()).private_cookie(cookie(&official)).dispatch().await;
    assert_eq!(peek.status(), Status::Forbidden);
    let id: i64 = app
        .store
        .read(|c| Ok(c.query_row("SELECT max(id) FROM api_tokens", [], |r| r.get(0))?))
        .unwrap();
    let revoke = format!("/staff/tokens/{id}/revoke");
    let attempt = post(revoke.clone(), &official, form(&official_csrf, &[])).dispatch().await;
    assert_eq!(attempt.status(), Status::NotFound);
    assert_eq!(api(&token).dispatch().await.status(), Status::Ok);

    // An administrator sees, makes and revokes them; revoking is immediate.
    let seen = client.get(theirs.clone()).private_cookie(cookie(&admin)).dispatch().await;
    assert!(seen.into_string().await.unwrap().contains("R script"));
    let for_them =
        post(theirs, &admin, form(&admin_csrf, &[("name", "made by admin"), ("days", "")]))
            .dispatch()
            .await;
    let second = shown_token(&for_them.into_string().await.unwrap()).unwrap();
    assert_eq!(api(&second).dispatch().await.status(), Status::Ok);
    let done =
        post(format!("{revoke}?user={stat_id}"), &admin, form(&admin_csrf, &[])).dispatch().await;
    assert_eq!(done.status(), Status::SeeOther);
    let refused = api(&token).dispatch().await;
    assert_eq!(refused.status(), Status::Unauthorized);
    let body: Value = serde_json::from_str(&refused.into_string().await.unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "token_revoked");
    assert_eq!(api(&second).dispatch().await.status(), Status::Ok, "only that one");

    let audited: Vec<(String, String, String)> = app
        .store
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT actor, action, target FROM audit_log WHERE action LIKE 'token.%' ORDER BY id",
            )?;
            Ok(stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?)
        })
        .unwrap();
    let entry =
        |actor: &str, action: &str| (actor.to_string(), action.to_string(), STAT.to_string());
    assert_eq!(
        audited,
        [
            entry(STAT, "token.create"),
            entry("admin@hanoi.gov.vn", "token.create"),
            entry("admin@hanoi.gov.vn", "token.revoke")
        ]
    );
}
