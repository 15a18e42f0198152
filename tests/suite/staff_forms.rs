//! An administrator's forms as a Vietnamese administrator meets them: a refused value is named
//! beside its field in Vietnamese, with everything typed still in the form; a new account is
//! confirmed as created; buttons name what they act on and ask before acting.

use dxsurvey::auth::StaffRole;
use rocket::http::{ContentType, Cookie, Status};
use rocket::local::asynchronous::Client;

use crate::helpers::{signed_in, spawn_untracked};
use crate::respond::{app, encode, text_of};

async fn submit(
    client: &Client,
    session: &(String, String),
    path: &str,
    fields: &[(&str, &str)],
) -> (Status, String) {
    let mut body: Vec<(String, String)> =
        fields.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect();
    body.push(("csrf".into(), session.1.clone()));
    let response = client
        .post(path.to_string())
        .header(ContentType::Form)
        .private_cookie(Cookie::new("dx_session", session.0.clone()))
        .cookie(Cookie::new("lang", "vi"))
        .body(encode(&body))
        .dispatch()
        .await;
    (response.status(), text_of(&response.into_string().await.unwrap_or_default()))
}

#[rocket::async_test]
async fn refused_account_values_are_named_in_vietnamese_beside_their_field_and_nothing_typed_is_lost()
 {
    let (client, _dir) = spawn_untracked().await;
    let admin = signed_in(app(&client), "admin@hanoi.gov.vn", StaffRole::Administrator, &[]);

    let (status, page) = submit(
        &client,
        &admin,
        "/admin/users",
        &[("email", "not-an-email"), ("role", "official"), ("area", "00070 12345"), ("group", "")],
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("«not-an-email» không phải là địa chỉ thư điện tử hợp lệ."), "{page}");
    assert!(!page.contains("is not a valid e-mail address"), "no English on a Vietnamese page");
    assert!(page.contains("<a href=\"#email\">") && page.contains("id=\"err-email\""));
    assert!(page.contains("value=\"not-an-email\"") && page.contains("value=\"00070 12345\""));
    assert!(page.contains("<option value=\"official\" selected>"));

    let (_, page) = submit(
        &client,
        &admin,
        "/admin/users",
        &[("email", "ward@hanoi.gov.vn"), ("role", "official"), ("area", "00070 12345")],
    )
    .await;
    assert!(page.contains("Không có phường/xã mã «12345»."), "{page}");
    let (_, page) = submit(
        &client,
        &admin,
        "/admin/users",
        &[("email", "ward@hanoi.gov.vn"), ("role", "official")],
    )
    .await;
    assert!(page.contains("Cán bộ phường/xã cần ít nhất một phường/xã hoặc nhóm"), "{page}");

    let fields = [("email", "ward@hanoi.gov.vn"), ("role", "official"), ("area", "00070")];
    let (status, page) = submit(&client, &admin, "/admin/users", &fields).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("Đã tạo tài khoản ward@hanoi.gov.vn"), "created, not updated: {page}");
    assert!(page.contains("data-confirm=\"Khóa tài khoản ward@hanoi.gov.vn?"), "asks first");
    assert!(page.contains("Khóa<span class=\"visually-hidden\"> – ward@hanoi.gov.vn</span>"));
    let (status, page) = submit(&client, &admin, "/admin/users", &fields).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("Đã có tài khoản với địa chỉ «ward@hanoi.gov.vn»."), "{page}");
}

#[rocket::async_test]
async fn refused_wave_values_are_named_beside_their_field_and_the_form_keeps_them() {
    let (client, _dir) = spawn_untracked().await;
    let admin = signed_in(app(&client), "admin@hanoi.gov.vn", StaffRole::Administrator, &[]);
    let (status, page) = submit(
        &client,
        &admin,
        "/admin/waves",
        &[
            ("id", "đợt 2027"),
            ("title_vi", "Đợt thử"),
            ("opens_on", "31/12/2027"),
            ("closes_on", "2027-12-31"),
            ("questionnaire", "agency-dx"),
        ],
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("Mã đợt gồm 1–32 chữ cái") && page.contains("«đợt 2027»"), "{page}");
    assert!(page.contains("«31/12/2027» không đúng dạng này"), "{page}");
    assert!(page.contains("value=\"Đợt thử\"") && page.contains("value=\"31/12/2027\""));
    assert!(
        page.contains("id=\"wq-agency-dx\" checked")
            && !page.contains("id=\"wq-enterprise-dx\" checked")
    );

    let (_, page) = submit(
        &client,
        &admin,
        "/admin/waves",
        &[("id", "2027"), ("opens_on", "2027-12-31"), ("closes_on", "2027-01-01")],
    )
    .await;
    assert!(page.contains("Ngày đóng đứng trước ngày mở."), "{page}");
    assert!(page.contains("Chọn ít nhất một phiếu khảo sát."), "{page}");

    let wave = [
        ("id", "2027"),
        ("opens_on", "2027-01-01"),
        ("closes_on", "2027-12-31"),
        ("questionnaire", "enterprise-dx"),
    ];
    assert_eq!(submit(&client, &admin, "/admin/waves", &wave).await.0, Status::Ok);
    let (status, page) = submit(&client, &admin, "/admin/waves", &wave).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("Đã có đợt «2027»."), "{page}");
    assert!(page.contains("data-confirm=\"Đóng đợt 2027?"), "closing asks first");
    assert!(page.contains("01/01/2027 – 31/12/2027"), "dates as Vietnamese read them");
}

async fn get(client: &Client, session: &(String, String), path: &str) -> (Status, String) {
    let response = client
        .get(path.to_string())
        .private_cookie(Cookie::new("dx_session", session.0.clone()))
        .cookie(Cookie::new("lang", "vi"))
        .dispatch()
        .await;
    (response.status(), text_of(&response.into_string().await.unwrap_or_default()))
}

#[rocket::async_test]
async fn the_audit_log_says_when_a_date_is_wrong_or_entries_are_left_out_and_names_actions() {
    let (client, _dir) = spawn_untracked().await;
    let app = app(&client).clone();
    let admin = signed_in(&app, "admin@hanoi.gov.vn", StaffRole::Administrator, &[]);
    let (status, page) = get(&client, &admin, "/admin/audit?from=1/12/2026&to=").await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        page.contains("«1/12/2026» không đúng dạng này") && page.contains("value=\"1/12/2026\"")
    );
    assert!(page.contains("Tạo tài khoản") && !page.contains("<td>account.create</td>"), "{page}");
    assert!(!page.contains("Chỉ hiện 500 mục mới nhất"));

    for n in 0..501 {
        let actor = dxsurvey::service::Actor { name: "test".into(), address: None };
        app.store
            .write(|tx| {
                dxsurvey::store::audit(
                    tx,
                    Some(&actor.name),
                    "export",
                    Some(&n.to_string()),
                    None,
                    None,
                )
            })
            .unwrap();
    }
    let (status, page) = get(&client, &admin, "/admin/audit").await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("Chỉ hiện 500 mục mới nhất"), "the cap is said");
    assert_eq!(page.matches("<td>Xuất dữ liệu</td>").count(), 500);
}

#[rocket::async_test]
async fn an_error_page_keeps_the_staff_menu_of_a_signed_in_person() {
    let (client, _dir) = spawn_untracked().await;
    let admin = signed_in(app(&client), "admin@hanoi.gov.vn", StaffRole::Administrator, &[]);
    let (status, page) = get(&client, &admin, "/areas/99999").await;
    assert_eq!(status, Status::NotFound);
    assert!(
        page.contains("admin@hanoi.gov.vn") && page.contains("href=\"/admin/users\""),
        "{page}"
    );
    let anonymous = client.get("/no-such-page").dispatch().await.into_string().await.unwrap();
    assert!(!anonymous.contains("/admin/users"));
}
