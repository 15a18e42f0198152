//! VSIC as versioned reference data (issue 14): a questionnaire names the VSIC version its sector
//! question asks; a wave's register may come in VSIC 2018 or 2025 and is converted to the wave's;
//! pages and the administration say which version a wave uses.

use dxsurvey::app::App;
use dxsurvey::auth::StaffRole;
use rocket::http::{Cookie, Status};
use rocket::local::asynchronous::Client;
use serde_json::Value;
use tempfile::TempDir;

use crate::helpers::{run, signed_in, surveys_with_enterprise, text};
use crate::respond::{example, page_fields, post, start, survey, text_of, wave};

#[rocket::async_test]
async fn a_questionnaire_asking_vsic_2025_lists_its_22_sections_and_takes_the_new_letters() {
    // The shipped enterprise questionnaire asks VSIC 2025.
    let (rocket, _db) = crate::helpers::rocket_with(|_| {});
    let client = Client::tracked(rocket).await.unwrap();
    let page = client.get(format!("/start/{}/enterprise-dx", wave())).dispatch().await;
    let html = text_of(&page.into_string().await.unwrap());
    let options = html.matches("<option value=\"").count();
    assert!(html.contains("K – Viễn thông; lập trình máy tính"), "VSIC 2025's K");
    assert!(html.contains("V – Hoạt động của các tổ chức và cơ quan quốc tế"));
    assert!(!html.contains("K – Hoạt động tài chính"), "not VSIC 2018's K");
    assert!(options >= 22, "{options}");

    let mut answers = example("enterprise-answers.json");
    answers.insert("vsic_section".into(), Value::from("V"));
    let token = start(&client, "enterprise-dx", &answers).await;
    assert_eq!(token.len(), 64, "V is a section of VSIC 2025");
    let app = client.rocket().state::<App>().unwrap();
    let stored: String = app
        .store
        .read(|c| Ok(c.query_row("SELECT vsic_section FROM responses", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(stored, "V");

    // A letter the version does not have is refused with the field named.
    answers.insert("tax_code".into(), Value::from("0109876543"));
    answers.insert("vsic_section".into(), Value::from("W"));
    let survey = survey(&client, "enterprise-dx");
    let refused = post(
        &client,
        &format!("/start/{}/enterprise-dx", wave()),
        &page_fields(&survey, 0, &answers),
    )
    .await;
    assert_eq!(refused.status(), Status::UnprocessableEntity);
    let html = text_of(&refused.into_string().await.unwrap());
    assert!(
        html.contains("'W' không phải là một ngành cấp 1 trong danh sách của câu hỏi"),
        "{html}"
    );
}

#[rocket::async_test]
async fn a_vsic_2018_register_is_converted_to_the_waves_vsic_2025_and_the_wave_says_so() {
    let dir = TempDir::new().unwrap();
    let env: [(&str, &str); 0] = [];
    let register = dir.path().join("register.csv");
    std::fs::write(
        &register,
        "tax_code,name,area_code,vsic2018_section,vsic_division,size_class\n\
         0101234567,Ngân hàng A,00070,K,,large\n\
         0101234568,Phần mềm B,00070,J,62,small\n\
         0101234569,Báo chí C,00070,J,58,small\n\
         0101234570,Sửa chữa D,00070,S,,micro\n",
    )
    .unwrap();
    let year = wave();
    let path = register.to_str().unwrap();
    let imported = run(&dir, &["frame", "register", path, "--wave", &year], &env);
    assert!(imported.status.success(), "{:?}", text(&imported));

    let (rocket, _unused) =
        crate::helpers::rocket_with(|c| c.database = dir.path().join("dxsurvey.db"));
    let client = Client::untracked(rocket).await.unwrap();
    let app = client.rocket().state::<App>().unwrap();
    let sections: Vec<(String, String)> = app
        .store
        .read(|c| {
            let mut statement =
                c.prepare("SELECT tax_code, vsic_section FROM register_units ORDER BY tax_code")?;
            let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .unwrap();
    let letters: Vec<&str> = sections.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(letters, ["L", "K", "J", "T"], "finance, software, press, repair in VSIC 2025");

    // Without the division, the split section is refused, and the register stays as it was.
    std::fs::write(
        &register,
        "tax_code,name,area_code,vsic2018_section,size_class\n0101234568,Phần mềm B,00070,J,small\n",
    )
    .unwrap();
    let refused = run(&dir, &["frame", "register", path, "--wave", &year], &env);
    assert!(!refused.status.success());
    let (_, stderr) = text(&refused);
    assert!(stderr.contains("line 2: vsic2018_section: section J of VSIC 2018 is split between sections J and K of VSIC 2025"), "{stderr}");
    let kept: i64 = app
        .store
        .read(|c| Ok(c.query_row("SELECT count(*) FROM register_units", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(kept, 4);

    let (session, _) = signed_in(app, "admin@hanoi.gov.vn", StaffRole::Administrator, &[]);
    let page = client
        .get("/admin/waves")
        .private_cookie(Cookie::new("dx_session", session))
        .dispatch()
        .await;
    let html = page.into_string().await.unwrap();
    assert!(html.contains("<td>VSIC 2025</td>"), "the wave states its classification");
}

#[test]
fn a_questionnaire_naming_an_unknown_vsic_version_is_refused_with_its_line() {
    let dir = TempDir::new().unwrap();
    let surveys = surveys_with_enterprise(&dir, |source| {
        source.replacen("vsic = \"2025\"", "vsic = \"2019\"", 1)
    });
    let output = run(&dir, &["check", surveys.join("enterprise-dx.toml").to_str().unwrap()], &[]);
    assert!(!output.status.success());
    let (_, stderr) = text(&output);
    assert!(
        stderr
            .contains("`vsic` is the VSIC version the sector question asks: \"2018\" or \"2025\""),
        "{stderr}"
    );
    assert!(stderr.contains("enterprise-dx.toml:"), "located: {stderr}");
}
