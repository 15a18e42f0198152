//! Fieldwork as an administrator runs it in the browser's forms (issue 13): the register
//! uploaded (all or nothing), the sample proposed with each ward's precision and then drawn,
//! codes issued, the mail-merge file, e-mail queued, cases found and handled with a reason.

use dxsurvey::app::App;
use dxsurvey::auth::StaffRole;
use rocket::http::{ContentType, Cookie, Status};
use rocket::local::asynchronous::{Client, LocalResponse};

use crate::fieldwork::register_of;
use crate::helpers::{signed_in, spawn_untracked};
use crate::respond::{encode, text_of, wave};

fn multipart(csrf: &str, wave: &str, kind: &str, file: &str) -> (ContentType, String) {
    let boundary = "dxsurveyboundary7MA4YWxk";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"wave\"\r\n\r\n{wave}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"register.csv\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n\
         --{boundary}--\r\n"
    );
    (ContentType::new("multipart", "form-data").with_params(("boundary", boundary)), body)
}

struct Admin<'c> {
    client: &'c Client,
    session: String,
    csrf: String,
}

impl<'c> Admin<'c> {
    async fn get(&self, path: &str) -> LocalResponse<'c> {
        self.client
            .get(path.to_string())
            .private_cookie(Cookie::new("dx_session", self.session.clone()))
            .dispatch()
            .await
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> LocalResponse<'c> {
        let mut all: Vec<(String, String)> =
            fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        all.push(("csrf".into(), self.csrf.clone()));
        self.client
            .post(path.to_string())
            .private_cookie(Cookie::new("dx_session", self.session.clone()))
            .header(ContentType::Form)
            .body(encode(&all))
            .dispatch()
            .await
    }
}

async fn html(response: LocalResponse<'_>) -> String {
    text_of(&response.into_string().await.unwrap_or_default())
}

#[rocket::async_test]
async fn an_administrator_loads_the_register_draws_the_sample_and_handles_cases_in_the_browser() {
    let (client, _dir) = spawn_untracked().await;
    let app = client.rocket().state::<App>().unwrap().clone();
    let (session, csrf) = signed_in(&app, "admin@hanoi.gov.vn", StaffRole::Administrator, &[]);
    let admin = Admin { client: &client, session: session.clone(), csrf: csrf.clone() };
    let wave = wave();
    let fieldwork = format!("/admin/fieldwork?wave={wave}");

    // A register with a duplicate is refused whole, with its line; a good one is loaded.
    let mut bad = register_of(300);
    bad.push_str("0100000001,Trùng,00070,G,micro\n");
    let upload_as = |kind: &'static str, file: &str| {
        let (kind, body) = multipart(&csrf, &wave, kind, file);
        client
            .post("/admin/frame")
            .private_cookie(Cookie::new("dx_session", session.clone()))
            .header(kind)
            .body(body)
            .dispatch()
    };
    let upload = |file: &str| upload_as("register", file);
    let refused = upload(&bad).await;
    assert_eq!(refused.status(), Status::UnprocessableEntity);
    assert!(
        html(refused).await.contains("line 302: tax code 0100000001 is already given on line 3")
    );
    assert!(html(admin.get(&fieldwork).await).await.contains("<strong>0</strong>"));
    assert_eq!(upload(&register_of(300)).await.status(), Status::Ok);
    let page = html(admin.get(&fieldwork).await).await;
    assert!(page.contains("<strong>300</strong>") && page.contains("name=\"size\""), "{page}");
    assert!(page.contains("Chỉ đơn vị được mời"), "a register makes the wave invitation-only");

    // Nonsense in the plan is said in the person's language; a plan shows each ward's precision.
    let plan = [("size", "80"), ("min_per_ward_size", "2"), ("prior", "0.5"), ("seed", "3")];
    let wrong = admin
        .post(
            &format!("/admin/fieldwork/sample?wave={wave}"),
            &[("size", "tám mươi"), ("action", "propose")],
        )
        .await;
    assert_eq!(wrong.status(), Status::UnprocessableEntity);
    assert!(html(wrong).await.contains("phải là số"));
    let mut propose = plan.to_vec();
    propose.push(("action", "propose"));
    let proposed =
        html(admin.post(&format!("/admin/fieldwork/sample?wave={wave}"), &propose).await).await;
    assert!(
        proposed.contains("id=\"precision\"") && proposed.contains("Phường Hoàn Kiếm"),
        "{proposed}"
    );
    let sampled = || {
        app.store
            .read(|c| {
                Ok(c.query_row("SELECT count(*) FROM sample_units", [], |r| r.get::<_, i64>(0))?)
            })
            .unwrap()
    };
    assert_eq!(sampled(), 0, "a proposal draws nothing");
    let mut confirm = plan.to_vec();
    confirm.push(("action", "draw"));
    assert_eq!(
        admin.post(&format!("/admin/fieldwork/sample?wave={wave}"), &confirm).await.status(),
        Status::Ok
    );
    assert_eq!(sampled(), 80);

    // Codes, the mail-merge file, e-mail queued (to none: this register has no addresses).
    let issued =
        html(admin.post(&format!("/admin/fieldwork/invitations?wave={wave}"), &[]).await).await;
    assert!(issued.contains("Đã cấp 80 mã"), "{issued}");
    let merge = admin.get(&format!("/admin/fieldwork/mail-merge.csv?wave={wave}")).await;
    assert_eq!(merge.content_type(), Some(ContentType::CSV));
    let merge = merge.into_string().await.unwrap();
    let mut reader = csv::Reader::from_reader(merge.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 80);
    let queued = html(
        admin.post(&format!("/admin/fieldwork/mail?wave={wave}"), &[("kind", "invitation")]).await,
    )
    .await;
    assert!(queued.contains("Đã xếp 0 thư"), "{queued}");

    // Reminder dates: refused outside the wave or when not a date, listed when right.
    let reminders = format!("/admin/fieldwork/reminders?wave={wave}");
    let outside = admin.post(&reminders, &[("on", "2099-01-01")]).await;
    assert_eq!(outside.status(), Status::UnprocessableEntity);
    assert!(html(outside).await.contains("takes answers from"));
    let typo = admin.post(&reminders, &[("on", "31/12")]).await;
    assert_eq!(typo.status(), Status::UnprocessableEntity);
    assert!(html(typo).await.contains("«31/12» không đúng dạng"));
    let today = dxsurvey::kernel::format::today();
    let scheduled = html(admin.post(&reminders, &[("on", &today.to_string())]).await).await;
    assert!(scheduled.contains("Đã lên lịch"), "{scheduled}");
    let shown = dxsurvey::kernel::format::date(today, dxsurvey::kernel::Lang::Vi);
    assert!(scheduled.contains(&format!("<li>{shown}</li>")), "{scheduled}");

    // Cases: a sampled enterprise is found by its tax code; its code re-issued with a reason.
    let tax_code = rows[0][1].to_string();
    let found = html(admin.get(&format!("/admin/cases?wave={wave}&q={tax_code}")).await).await;
    assert!(found.contains(&tax_code) && found.contains("Trong mẫu"), "{found}");
    let cases = format!("/admin/cases/reissue?wave={wave}&q={tax_code}");
    let no_reason = admin.post(&cases, &[("code", &tax_code), ("reason", " ")]).await;
    assert_eq!(no_reason.status(), Status::UnprocessableEntity);
    assert!(html(no_reason).await.contains("Hãy ghi lý do"));
    let reissued =
        html(admin.post(&cases, &[("code", &tax_code), ("reason", "thư bị thất lạc")]).await).await;
    let old = rows[0][8].to_string();
    assert!(reissued.contains("Mã mới của") && !reissued.contains(&old), "{reissued}");
    let audit = app.store.read(|c| Ok(c.query_row("SELECT count(*) FROM audit_log WHERE action = 'invitation.reissue' AND detail LIKE '%thất lạc%'", [], |r| r.get::<_, i64>(0))?)).unwrap();
    assert_eq!(audit, 1);

    // The public agencies, from the same page: a bad kind refused with its line, then loaded.
    let agencies = "code,name,area_code,kind\n\
                    1000001,UBND phường A,00070,commune_committee\n\
                    1000002,Trường B,00082,public_service_unit\n";
    let wrong = upload_as("agencies", &agencies.replace("public_service_unit", "truong_hoc")).await;
    assert_eq!(wrong.status(), Status::UnprocessableEntity);
    assert!(html(wrong).await.contains("line 3: kind 'truong_hoc' must be one of"));
    let loaded = html(upload_as("agencies", agencies).await).await;
    assert!(loaded.contains("2 agencies in 2 ward(s)"), "{loaded}");
    let page = html(admin.get(&fieldwork).await).await;
    assert!(page.contains("Số cơ quan, đơn vị: <strong>2</strong>"), "{page}");
}
