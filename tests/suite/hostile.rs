//! The hostile corpus (`tests/hostile/payloads.txt`) sent to every form, path and query of the
//! application: every answer is a correct 2xx/3xx or a 4xx with a page that says what went
//! wrong, never a 5xx; no payload comes back unescaped in a page; a refused request changes no
//! stored data; exports and PDFs carry the payloads inert.

use dxsurvey::app::App;
use dxsurvey::auth::StaffRole;
use rocket::http::{ContentType, Cookie, Status};
use rocket::local::asynchronous::Client;
use serde_json::Value;

use crate::helpers::{repo, signed_in, spawn_untracked};
use crate::respond::{answer_all, example, page_fields, start, survey, wave};

/// Form fields whose values may be any bytes.
type Fields = Vec<(String, Vec<u8>)>;

/// The corpus, decoded, plus overlong strings.
fn corpus() -> Vec<Vec<u8>> {
    let text = std::fs::read_to_string(repo().join("tests/hostile/payloads.txt")).unwrap();
    let mut payloads: Vec<Vec<u8>> =
        text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).map(decode).collect();
    payloads.push(b"x".repeat(10 * 1024));
    payloads.push("đ".repeat(50 * 1024).into_bytes());
    payloads
}

/// `\xHH`, `\n`, `\r`, `\t` and `\\` escapes.
fn decode(line: &str) -> Vec<u8> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (b'\\', Some(b'x')) if i + 3 < bytes.len() + 1 => {
                let hex = std::str::from_utf8(&bytes[i + 2..i + 4]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 4;
            }
            (b'\\', Some(b'n')) => (out.push(b'\n'), i += 2).1,
            (b'\\', Some(b'r')) => (out.push(b'\r'), i += 2).1,
            (b'\\', Some(b't')) => (out.push(b'\t'), i += 2).1,
            (b'\\', Some(b'\\')) => (out.push(b'\\'), i += 2).1,
            (b, _) => (out.push(b), i += 1).1,
        }
    }
    out
}

/// Every byte but letters and digits percent-encoded.
fn escaped(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(
            |&b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            },
        )
        .collect()
}

fn form(fields: &[(String, Vec<u8>)]) -> Vec<u8> {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", escaped(k.as_bytes()), escaped(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

/// What no refused request may change.
fn stored(app: &App) -> String {
    app.store
        .read(|c| {
            let mut all = String::new();
            for sql in [
                "SELECT group_concat(id || status || answers || coalesce(scores, ''), '|') FROM responses",
                "SELECT group_concat(id || name || coalesce(area_code, ''), '|') FROM organisations",
                "SELECT group_concat(id || status || opens_on || closes_on, '|') FROM waves",
                "SELECT group_concat(id || email || role || disabled || password_hash, '|') FROM users",
            ] {
                let part: Option<String> = c.query_row(sql, [], |r| r.get(0))?;
                all.push_str(&part.unwrap_or_default());
                all.push('#');
            }
            Ok(all)
        })
        .unwrap()
}

struct Probe<'a> {
    client: &'a Client,
    app: App,
    before: String,
    checked: usize,
    refused: usize,
}

impl Probe<'_> {
    /// Sends one request and checks its answer.
    async fn send(
        &mut self,
        method: &str,
        uri: &str,
        body: Option<Vec<u8>>,
        session: Option<&str>,
        payload: &[u8],
    ) {
        self.send_as(method, uri, ContentType::Form, body, session, payload).await;
    }

    async fn send_as(
        &mut self,
        method: &str,
        uri: &str,
        content_type: ContentType,
        body: Option<Vec<u8>>,
        session: Option<&str>,
        payload: &[u8],
    ) {
        let mut request = if method == "POST" {
            self.client.post(uri.to_string()).header(content_type).body(body.unwrap_or_default())
        } else {
            self.client.get(uri.to_string())
        };
        if let Some(session) = session {
            request = request.private_cookie(Cookie::new("dx_session", session.to_string()));
        }
        let response = request.dispatch().await;
        let status = response.status();
        let html = response.content_type().is_some_and(|c| c.is_html());
        let body = response.into_string().await.unwrap_or_default();
        let what = format!(
            "{method} {} with {:?}",
            &uri.chars().take(120).collect::<String>(),
            String::from_utf8_lossy(&payload[..payload.len().min(60)])
        );
        assert!(status.code < 500, "{what}: {status}\n{}", &body[..body.len().min(500)]);
        if status.code >= 400 {
            assert!(body.len() > 40, "{what}: {status} with no explanation");
            self.refused += 1;
        }
        let text = String::from_utf8_lossy(payload);
        if html && text.contains(['<', '"', '\'']) && text.len() > 3 {
            assert!(!body.contains(text.as_ref()), "{what}: the payload is shown unescaped");
        }
        let now = stored(&self.app);
        if status.code >= 400 {
            assert_eq!(now, self.before, "{what}: a refused request changed stored data");
        }
        self.before = now;
        self.checked += 1;
    }
}

#[rocket::async_test]
async fn every_hostile_input_to_every_form_and_route_gets_a_clear_answer_and_changes_nothing() {
    let (client, _dir) = spawn_untracked().await;
    let app = client.rocket().state::<App>().unwrap().clone();
    let (admin, csrf) = signed_in(&app, "admin@hanoi.gov.vn", StaffRole::Administrator, &[]);
    let (official, _) = signed_in(&app, "official@hanoi.gov.vn", StaffRole::Official, &["00070"]);
    let survey = survey(&client, "enterprise-dx");
    let answers = example("enterprise-answers.json");
    let token = start(&client, "enterprise-dx", &answers).await;
    answer_all(&client, &survey, &token, &answers).await;
    let wave = wave();
    let mut probe =
        Probe { client: &client, before: stored(&app), app: app.clone(), checked: 0, refused: 0 };

    for payload in corpus() {
        let p = escaped(&payload);
        // Every page of the questionnaire, with every field given the payload, and the payload
        // as a field name.
        for page in 0..survey.pages.len() {
            let valid = page_fields(&survey, page, &answers);
            let mut hostile: Vec<(String, Vec<u8>)> = valid
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        if k == "action" { v.clone().into_bytes() } else { payload.clone() },
                    )
                })
                .collect();
            let uri = if page == 0 {
                format!("/start/{wave}/enterprise-dx")
            } else {
                format!("/r/{token}/p/{}", page + 1)
            };
            probe.send("POST", &uri, Some(form(&hostile)), None, &payload).await;
            hostile = valid.iter().map(|(k, v)| (k.clone(), v.clone().into_bytes())).collect();
            hostile.push((String::from_utf8_lossy(&payload).into_owned(), b"1".to_vec()));
            probe.send("POST", &uri, Some(form(&hostile)), None, &payload).await;
        }
        probe
            .send(
                "POST",
                &format!("/r/{token}/submit"),
                Some(form(&[("x".into(), payload.clone())])),
                None,
                &payload,
            )
            .await;
        // Paths and queries, anonymous and as staff.
        for uri in [
            format!("/r/{p}"),
            format!("/r/{p}/p/2"),
            format!("/r/{token}/p/{p}"),
            format!("/r/{p}/report.pdf"),
            format!("/start/{p}/{p}"),
            format!("/lang/{p}"),
        ] {
            probe.send("GET", &uri, None, None, &payload).await;
        }
        for uri in [
            format!("/areas/{p}?wave={p}"),
            format!("/areas/{p}/report.pdf?wave={p}&lang={p}"),
            format!("/areas/00070/report.pdf?wave={p}&lang={p}"),
            format!("/stats?wave={p}&survey={p}&breakdown={p}&indicator={p}"),
            format!("/stats/aggregates.csv?wave={p}&survey={p}"),
            format!("/stats/export/{p}?wave={p}"),
            format!("/stats/report.pdf?wave={p}&lang={p}"),
            format!("/api/v1/figures?wave={p}&survey={p}&breakdown={p}&indicator={p}"),
            format!("/api/v1/areas/{p}/figures?indicator={p}"),
            format!("/admin/audit?actor={p}&action={p}&from={p}&to={p}"),
        ] {
            probe.send("GET", &uri, None, Some(&admin), &payload).await;
            probe.send("GET", &uri, None, Some(&official), &payload).await;
        }
        // Staff forms, with a valid session and token.
        let staff_forms: [(&str, Fields); 4] = [
            (
                "/admin/users",
                vec![
                    ("email".into(), payload.clone()),
                    ("role".into(), b"official".to_vec()),
                    ("area".into(), payload.clone()),
                ],
            ),
            (
                "/admin/users",
                vec![
                    ("email".into(), b"new@hanoi.gov.vn".to_vec()),
                    ("role".into(), payload.clone()),
                ],
            ),
            (
                "/admin/waves",
                vec![
                    ("id".into(), payload.clone()),
                    ("opens_on".into(), payload.clone()),
                    ("closes_on".into(), b"2031-12-31".to_vec()),
                    ("questionnaire".into(), payload.clone()),
                ],
            ),
            (
                "/login",
                vec![("email".into(), payload.clone()), ("password".into(), payload.clone())],
            ),
        ];
        for (uri, mut fields) in staff_forms {
            fields.push(("csrf".into(), csrf.clone().into_bytes()));
            probe.send("POST", uri, Some(form(&fields)), Some(&admin), &payload).await;
        }
        // The frame upload, as a file whose content is the payload.
        let boundary = "hostile-boundary";
        let mut upload = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"wave\"\r\n\r\n{wave}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"frame.csv\"\r\n\
             Content-Type: text/csv\r\n\r\narea_code,vsic_section,size_class,enterprises\n"
        )
        .into_bytes();
        upload.extend_from_slice(&payload);
        upload.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let multipart =
            ContentType::new("multipart", "form-data").with_params(("boundary", boundary));
        probe
            .send_as("POST", "/admin/frame", multipart, Some(upload), Some(&admin), &payload)
            .await;
        probe
            .send(
                "POST",
                &format!("/admin/users/{p}/disable"),
                Some(form(&[("csrf".into(), csrf.clone().into_bytes())])),
                Some(&admin),
                &payload,
            )
            .await;
    }
    let (checked, refused) = (probe.checked, probe.refused);
    assert!(
        checked > 2000 && refused > 1000 && checked - refused > 300,
        "{checked} requests, {refused} refused"
    );
}

#[rocket::async_test]
async fn hostile_text_a_respondent_may_type_is_inert_in_pages_exports_and_pdfs() {
    let (client, _dir) = spawn_untracked().await;
    let app = client.rocket().state::<App>().unwrap().clone();
    let (statistician, _) = signed_in(&app, "stat@hanoi.gov.vn", StaffRole::Statistician, &[]);
    let survey = survey(&client, "enterprise-dx");
    let mut answers = example("enterprise-answers.json");
    let name = "=HYPERLINK(\"http://x\") <b>(Công ty)</b> \\ ) ( @SUM(1)";
    for (key, value) in answers.iter_mut() {
        if key.ends_with("_other") || matches!(value, Value::String(s) if s.len() > 30) {
            *value = Value::from("=cmd|'/C calc'!A0 <script>alert(1)</script>");
        }
    }
    answers.insert("legal_name".into(), Value::from(name));
    let token = start(&client, "enterprise-dx", &answers).await;
    answer_all(&client, &survey, &token, &answers).await;
    crate::respond::post(&client, &format!("/r/{token}/submit"), &[]).await;

    let result =
        client.get(format!("/r/{token}/result")).dispatch().await.into_string().await.unwrap();
    assert!(!result.contains("<b>(Công ty)</b>") && result.contains("&lt;b&gt;"));

    let csv = client
        .get(format!("/stats/export/microdata.csv?wave={}", wave()))
        .private_cookie(Cookie::new("dx_session", statistician))
        .dispatch()
        .await;
    assert_eq!(csv.status(), Status::Ok);
    let csv = csv.into_string().await.unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            let first = cell.chars().next();
            assert!(
                !matches!(first, Some('=' | '+' | '@' | '\t' | '\r')),
                "a cell a spreadsheet would run as a formula: {cell:?}"
            );
            assert!(
                !cell.contains("HYPERLINK") && !cell.contains("<script>"),
                "free text is never exported: {cell}"
            );
        }
    }

    let pdf = client.get(format!("/r/{token}/report.pdf")).dispatch().await;
    assert_eq!(pdf.status(), Status::Ok);
    let pdf = pdf.into_bytes().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, &pdf).unwrap();
    match std::process::Command::new("pdftotext").arg(&path).arg("-").output() {
        Ok(output) => {
            assert!(output.status.success(), "the PDF parses");
            let text = String::from_utf8_lossy(&output.stdout);
            assert!(text.contains(name), "the name is printed as typed, as text: {text}");
        }
        Err(e) => {
            assert!(std::env::var_os("CI").is_none(), "CI must install poppler-utils: {e}");
            eprintln!("skipped the PDF read-back: {e}");
        }
    }
}
