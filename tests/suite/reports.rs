//! PDF reports read back as a person reads them (poppler's `pdftotext`): the numbers are the
//! statistics module's, suppressed cells show the mark, Vietnamese is intact, and downloads
//! follow the roles and are audited.

use std::process::Command;

use dxsurvey::app::App;
use dxsurvey::auth::StaffRole;
use dxsurvey::demo::{DemoOptions, generate};
use dxsurvey::figures::{Breakdown, Figure, area_figures};
use dxsurvey::kernel::format::percent;
use dxsurvey::policy::DisclosurePolicy;
use dxsurvey::report::area::{Place, area_report, capitalised, interval, value};
use dxsurvey::report::city::city_report;
use dxsurvey::stats::{Kind, Suppression};
use dxsurvey::survey::Lang;
use rocket::http::{ContentType, Cookie, Status};
use tempfile::TempDir;
use time::OffsetDateTime;

use crate::helpers::{config, run, signed_in, spawn_untracked, text};
use crate::respond::{answer_all, example, post, start, survey};

const WAVE: &str = "2026";

fn created() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_795_000_000).unwrap()
}

/// Runs a poppler tool on `pdf`. Without `poppler-utils` the test says so and passes, as the
/// browser test does, except under CI, which installs it.
pub fn poppler(tool: &str, pdf: &[u8], args: &[&str]) -> Option<String> {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).unwrap();
    let mut command = Command::new(tool);
    command.args(args).arg(&path);
    if tool == "pdftotext" {
        command.arg("-");
    }
    match command.output() {
        Ok(output) => {
            assert!(output.status.success(), "{tool}: {}", String::from_utf8_lossy(&output.stderr));
            Some(String::from_utf8(output.stdout).unwrap())
        }
        Err(e) => {
            assert!(std::env::var_os("CI").is_none(), "CI must install poppler-utils: {e}");
            eprintln!("skipped: {tool} (Debian poppler-utils) is not installed: {e}");
            None
        }
    }
}

/// The text of a PDF as `pdftotext` reads it, lines joined; `None` without poppler (outside CI).
pub fn pdf_text(pdf: &[u8]) -> Option<String> {
    poppler("pdftotext", pdf, &[]).map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn pages(pdf: &[u8]) -> Option<usize> {
    let info = poppler("pdfinfo", pdf, &[])?;
    assert!(info.contains("595.276 x 841.89 pts (A4)"), "A4: {info}");
    let line = info.lines().find(|l| l.starts_with("Pages:")).unwrap();
    Some(line.split_whitespace().last().unwrap().parse().unwrap())
}

/// An application with `responses` demo responses and a frame in wave 2026.
fn demo_app(dir: &TempDir, responses: usize) -> App {
    let app = App::start(&config(dir)).unwrap();
    generate(
        &app,
        &DemoOptions {
            responses,
            seed: 5,
            wave: WAVE.into(),
            with_frame: true,
            order_effect: 0.0,
            sample: None,
        },
    )
    .unwrap();
    app
}

/// The line of a `-layout` text that starts with `label`.
fn line_of<'t>(text: &'t str, label: &str) -> Option<&'t str> {
    text.lines().map(str::trim).find(|l| l.starts_with(label))
}

/// Checks a table row: the published figure's numbers, or the mark in every number column.
fn check_row(text: &str, label: &str, f: &Figure, kind: Kind) {
    let line = line_of(text, label).unwrap_or_else(|| panic!("no row '{label}' in\n{text}"));
    match (&f.estimate, f.suppression) {
        (Some(e), Suppression::Published) => {
            let mut expected = value(e.estimate, kind, Lang::Vi);
            if e.cv.is_some_and(|cv| cv > 0.3) {
                expected.push('*');
            }
            assert!(line.contains(&format!("{expected} ")), "'{label}': {expected} in '{line}'");
            assert!(line.contains(&interval(e, kind, Lang::Vi)), "'{label}' interval: '{line}'");
        }
        _ => {
            let tail: Vec<&str> = line.split_whitespace().rev().take(3).collect();
            assert_eq!(tail, ["x", "x", "x"], "'{label}' is suppressed: '{line}'");
            assert!(!line.contains('%'), "no number for a suppressed cell: '{line}'");
        }
    }
}

#[test]
fn an_area_report_prints_the_statistics_modules_figures_and_marks_suppressed_cells() {
    let dir = TempDir::new().unwrap();
    let app = demo_app(&dir, 4000);
    let inputs = dxsurvey::service::figures::report_inputs_of(&app, WAVE, None).unwrap();
    let latest = inputs.latest();
    let figures = &latest.figures;
    let v = figures.variables.iter().position(|x| x.id() == "ind_innovation_active").unwrap();
    // The ward with the most published sector cells that also has a suppressed one.
    let sections = |code: &str| {
        figures
            .figures
            .iter()
            .filter(|f| f.breakdown() == Breakdown::AreaSection && f.variable == v)
            .filter(|f| f.group.area().is_some_and(|a| a.as_str() == code))
            .collect::<Vec<_>>()
    };
    let ward = app
        .reference
        .areas
        .iter()
        .map(|a| a.code.to_string())
        .filter(|code| sections(code).iter().any(|f| f.estimate.is_none()))
        .max_by_key(|code| sections(code).iter().filter(|f| f.estimate.is_some()).count())
        .unwrap();
    let place = Place::find(&app.reference, &ward).unwrap();
    let dashboard = figures
        .figures
        .iter()
        .find(|f| {
            f.breakdown() == Breakdown::Area && f.group.to_string() == ward && f.variable == v
        })
        .unwrap();
    let own = area_figures(&app, &latest.sample, figures, &place.areas);
    let total = own.iter().find(|f| f.breakdown() == Breakdown::City && f.variable == v).unwrap();
    assert_eq!(total.n, dashboard.n, "the report's ward is the dashboard's ward");
    assert_eq!(
        total.estimate.as_ref().map(|e| e.estimate),
        dashboard.estimate.as_ref().map(|e| e.estimate)
    );

    let pdf = area_report(&app, &app.texts, &inputs, &place, Lang::Vi, created());
    assert!(pdf.len() < 300_000, "an area report under 300 KB: {} bytes", pdf.len());
    assert!(
        pdf == area_report(&app, &app.texts, &inputs, &place, Lang::Vi, created()),
        "the same data and date give the same bytes"
    );
    let Some(count) = pages(&pdf) else { return };
    assert!((2..=4).contains(&count), "2–4 pages: {count}");
    let fonts = poppler("pdffonts", &pdf, &[]).unwrap();
    assert!(fonts.lines().filter(|l| l.contains("NotoSans")).all(|l| l.contains(" yes yes ")));
    let text = poppler("pdftotext", &pdf, &["-layout"]).unwrap();
    let name = &place.name.vi;
    for expected in [
        "Báo cáo tổng hợp chuyển đổi số và đổi mới sáng tạo",
        &format!("{name} – Đợt khảo sát 2026"),
        "Doanh nghiệp có hoạt động đổi mới sáng tạo",
        "Phân bố doanh nghiệp theo mức độ trưởng thành số",
        "Phương pháp",
        "Lập ngày",
        "Mục tiêu 50,0% vào năm 2030",
    ] {
        assert!(text.contains(expected), "'{expected}' in\n{text}");
    }
    let e = dashboard.estimate.as_ref().unwrap();
    let words = pdf_text(&pdf).unwrap();
    assert!(words.contains(&format!("phát triển)»: {}", percent(e.estimate, Lang::Vi))), "{words}");
    assert!(text.contains(&interval(e, Kind::Share, Lang::Vi)));

    let kind = Kind::Share;
    let rows = own.iter().filter(|f| f.breakdown() == Breakdown::VsicSection && f.variable == v);
    let (mut published, mut suppressed) = (0, 0);
    for f in rows {
        check_row(&text, &format!("{} – ", f.group), f, kind);
        if f.estimate.is_some() { published += 1 } else { suppressed += 1 }
    }
    assert!(published > 0 && suppressed > 0, "both kinds of row: {published}, {suppressed}");
    for f in own.iter().filter(|f| f.breakdown() == Breakdown::SizeClass && f.variable == v) {
        let label = capitalised(&f.group.label(
            &app.reference,
            dxsurvey::reference::VsicVersion::V2018,
            Lang::Vi,
        ));
        check_row(&text, &format!("{label} "), f, kind);
    }
    assert!(text.contains("x: số liệu không công bố"));
    for page in 1..=count {
        let only = page.to_string();
        let text = poppler("pdftotext", &pdf, &["-f", &only, "-l", &only]).unwrap();
        assert!(text.contains(&format!("Trang {page}/{count}")), "footer of page {page}");
    }
}

#[test]
fn a_group_is_published_only_when_every_ward_of_it_is() {
    let dir = TempDir::new().unwrap();
    // A high threshold suppresses many wards.
    let app = App { policy: DisclosurePolicy::new(25), ..demo_app(&dir, 2500) };
    let inputs = dxsurvey::service::figures::report_inputs_of(&app, WAVE, None).unwrap();
    let latest = inputs.latest();
    let figures = &latest.figures;
    // The overall score: a mean, suppressed by its units only.
    let overall = figures.variable("score_overall").unwrap();
    let area_cell = |code: &str| {
        figures.figures.iter().find(|f| {
            f.breakdown() == Breakdown::Area && f.group.to_string() == code && f.variable == overall
        })
    };
    let published =
        |code: &str| area_cell(code).is_some_and(|f| f.suppression == Suppression::Published);
    let groups: Vec<Place> =
        app.reference.groups.iter().filter_map(|g| Place::find(&app.reference, &g.code)).collect();
    let whole = groups.iter().find(|g| g.areas.iter().all(|a| published(a.as_str()))).unwrap();
    let broken = groups
        .iter()
        .find(|g| {
            g.areas.iter().any(|a| area_cell(a.as_str()).is_some_and(|f| f.estimate.is_none()))
        })
        .unwrap();
    let total = |place: &Place| {
        area_figures(&app, &latest.sample, figures, &place.areas)
            .into_iter()
            .find(|f| f.breakdown() == Breakdown::City && f.variable == overall)
            .unwrap()
    };
    let whole_total = total(whole);
    assert_eq!(whole_total.suppression, Suppression::Published);
    assert_eq!(
        whole_total.n,
        whole.areas.iter().filter_map(|a| area_cell(a.as_str())).map(|f| f.n).sum::<u32>()
    );
    let broken_total = total(broken);
    assert!(broken_total.estimate.is_none() && broken_total.suppression != Suppression::Published);

    let pdf = area_report(&app, &app.texts, &inputs, broken, Lang::Vi, created());
    let Some(text) = poppler("pdftotext", &pdf, &["-layout"]) else { return };
    assert!(text.contains("Chưa đủ phiếu để công bố tỷ lệ này ("), "{text}");
    assert!(text.contains(&format!("Gồm {} phường/xã", broken.areas.len())));
}

#[test]
fn the_city_overview_ranks_every_area_with_the_header_on_every_page() {
    let dir = TempDir::new().unwrap();
    let app = demo_app(&dir, 3000);
    let inputs = dxsurvey::service::figures::report_inputs_of(&app, WAVE, None).unwrap();
    let figures = &inputs.latest().figures;
    let v = figures.variables.iter().position(|x| x.id() == "ind_innovation_active").unwrap();
    let pdf = city_report(&app, &app.texts, &inputs, Lang::En, created());
    let Some(count) = pages(&pdf) else { return };
    let text = poppler("pdftotext", &pdf, &["-layout"]).unwrap();
    assert!(text.contains("Citywide digital transformation and innovation"));
    let city = figures
        .figures
        .iter()
        .find(|f| f.breakdown() == Breakdown::City && f.variable == v)
        .unwrap();
    let e = city.estimate.as_ref().unwrap();
    let words = pdf_text(&pdf).unwrap();
    assert!(words.contains(&format!("R&D)”: {}", percent(e.estimate, Lang::En))), "{words}");
    let top = figures
        .figures
        .iter()
        .filter(|f| f.breakdown() == Breakdown::Area && f.variable == v)
        .filter_map(|f| f.estimate.as_ref().map(|e| (f, e.estimate)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap()
        .0;
    let name = &app.reference.area_by_str(&top.group.to_string()).unwrap().name.en;
    let first =
        text.lines().map(str::trim).find(|l| l.starts_with("1 ") && !l.starts_with("1 –")).unwrap();
    assert!(first.contains(name.as_str()), "rank 1 is {name}: '{first}'");
    assert!(first.contains(&percent(top.estimate.as_ref().unwrap().estimate, Lang::En)));
    let headed = (1..=count)
        .filter(|page| {
            let only = page.to_string();
            let text = poppler("pdftotext", &pdf, &["-layout", "-f", &only, "-l", &only]).unwrap();
            text.lines().any(|l| l.contains("Rank") && l.contains("95% interval"))
        })
        .count();
    assert!(headed >= 2, "the ranked table's header on each of its pages: {headed}");
}

#[rocket::async_test]
async fn officials_download_their_wards_report_with_the_dashboards_numbers_and_it_is_audited() {
    let (client, _dir) = spawn_untracked().await;
    let app = client.rocket().state::<App>().unwrap().clone();
    generate(
        &app,
        &DemoOptions {
            responses: 1500,
            seed: 9,
            wave: crate::respond::wave(),
            with_frame: true,
            order_effect: 0.0,
            sample: None,
        },
    )
    .unwrap();
    let (official, _) = signed_in(&app, "official@hanoi.gov.vn", StaffRole::Official, &["00070"]);
    let (statistician, _) = signed_in(&app, "stat@hanoi.gov.vn", StaffRole::Statistician, &[]);
    let get = |path: &str, session: &str| {
        client.get(path.to_string()).private_cookie(Cookie::new("dx_session", session.to_string()))
    };

    let api = get("/api/v1/areas/00070/figures?indicator=ind_innovation_active", &official)
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    let api: serde_json::Value = serde_json::from_str(&api).unwrap();
    let ward = api["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["breakdown"] == "area")
        .unwrap()
        .clone();

    let page = get("/areas/00070", &official).dispatch().await.into_string().await.unwrap();
    assert!(crate::respond::text_of(&page).contains("/areas/00070/report.pdf?wave="), "linked");
    let list = get("/areas", &statistician).dispatch().await.into_string().await.unwrap();
    assert!(crate::respond::text_of(&list).contains("/areas/001/report.pdf?wave="), "groups");
    let list = get("/areas", &official).dispatch().await.into_string().await.unwrap();
    assert!(!list.contains("report.pdf"), "no group whose every ward the official may see");
    let response = get("/areas/00070/report.pdf", &official).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.content_type(), Some(ContentType::PDF));
    let pdf = response.into_bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(
        get("/areas/00004/report.pdf", &official).dispatch().await.status(),
        Status::Forbidden
    );
    assert_eq!(
        get("/areas/002/report.pdf", &official).dispatch().await.status(),
        Status::Forbidden
    );
    assert_eq!(
        get("/areas/99999/report.pdf", &official).dispatch().await.status(),
        Status::NotFound
    );
    assert_eq!(get("/stats/report.pdf", &official).dispatch().await.status(), Status::Forbidden);
    let city = get("/stats/report.pdf?lang=en", &statistician).dispatch().await;
    assert_eq!(city.status(), Status::Ok);

    let audited: Vec<(String, String)> = app
        .store
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT actor, detail FROM audit_log WHERE action = 'report' ORDER BY id",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .unwrap();
    assert_eq!(
        audited,
        [
            ("official@hanoi.gov.vn".to_string(), "area 00070".to_string()),
            ("stat@hanoi.gov.vn".to_string(), "city".to_string())
        ],
        "successful downloads only, each once"
    );

    let Some(text) = poppler("pdftotext", &pdf, &["-layout"]) else { return };
    assert!(text.contains(&app.reference.area_by_str("00070").unwrap().name.vi));
    match ward["estimate"].as_f64() {
        Some(estimate) => {
            let shown = format!("»: {} (khoảng tin cậy", percent(estimate, Lang::Vi));
            let words = pdf_text(&pdf).unwrap();
            assert!(words.contains(&shown), "the dashboard's {shown} in\n{words}");
        }
        None => assert!(text.contains("Chưa đủ phiếu để công bố")),
    }
}

#[rocket::async_test]
async fn a_respondent_downloads_their_self_assessment_through_their_link() {
    let (client, _dir) = crate::helpers::spawn_app().await;
    let answers = example("enterprise-answers.json");
    let survey = survey(&client, "enterprise-dx");
    let token = start(&client, "enterprise-dx", &answers).await;
    let draft = client.get(format!("/r/{token}/report.pdf")).dispatch().await;
    assert_eq!(draft.status(), Status::SeeOther, "a draft has no report yet");
    answer_all(&client, &survey, &token, &answers).await;
    post(&client, &format!("/r/{token}/submit"), &[]).await;

    let result =
        client.get(format!("/r/{token}/result")).dispatch().await.into_string().await.unwrap();
    assert!(
        crate::respond::text_of(&result).contains(&format!("/r/{token}/report.pdf")),
        "the result page links the PDF"
    );
    let response = client.get(format!("/r/{token}/report.pdf")).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let pdf = response.into_bytes().await.unwrap();
    assert_eq!(
        client.get(format!("/r/{}/report.pdf", "f".repeat(64))).dispatch().await.status(),
        Status::NotFound
    );

    let app = crate::respond::app(&client);
    let expected = dxsurvey::scoring::score(
        &survey,
        &dxsurvey::answers::Answers::from_json(&survey, &answers, &app.reference).unwrap(),
    );
    let Some(count) = pages(&pdf) else { return };
    assert!((1..=3).contains(&count), "1–3 pages: {count}");
    let text = poppler("pdftotext", &pdf, &["-layout"]).unwrap();
    let level = &survey.levels[expected.level.unwrap()].name.vi;
    let overall = dxsurvey::kernel::format::decimal(expected.overall.unwrap(), Lang::Vi);
    for expected in [
        "Báo cáo tự đánh giá mức độ chuyển đổi số",
        "Công ty TNHH Giải pháp Phần mềm Ví Dụ",
        &format!("Điểm tổng hợp {overall}/100"),
        level.as_str(),
        "Chưa so sánh với",
        "Khuyến nghị cho các trụ cột còn yếu nhất",
    ] {
        assert!(text.contains(expected), "'{expected}' in\n{text}");
    }
}

#[test]
fn the_command_line_writes_one_report_per_area_and_explains_bad_requests() {
    let dir = TempDir::new().unwrap();
    let output = run(
        &dir,
        &["demo", "--responses", "400", "--seed", "2", "--wave", WAVE, "--with-frame"],
        &[],
    );
    assert!(output.status.success(), "{}", text(&output).1);
    let out = dir.path().join("reports");
    let output = run(
        &dir,
        &[
            "report",
            "all-areas",
            "--wave",
            WAVE,
            "--out",
            out.to_str().unwrap(),
            "--date",
            "2026-11-23",
        ],
        &[],
    );
    assert!(output.status.success(), "{}", text(&output).1);
    let written = std::fs::read_dir(&out).unwrap().count();
    assert_eq!(written, 126, "{}", text(&output).0);
    let one = std::fs::read(out.join("00070.pdf")).unwrap();
    let single = dir.path().join("00070.pdf");
    let output = run(
        &dir,
        &[
            "report",
            "area",
            "--wave",
            WAVE,
            "--area",
            "00070",
            "--date",
            "2026-11-23",
            "--out",
            single.to_str().unwrap(),
        ],
        &[],
    );
    assert!(output.status.success(), "{}", text(&output).1);
    assert!(std::fs::read(&single).unwrap() == one, "bulk and single reports are the same bytes");

    for (args, message) in [
        (
            vec!["report", "area", "--wave", WAVE, "--area", "99999", "--out", "x.pdf"],
            "no ward/commune or group with code '99999'",
        ),
        (vec!["report", "city", "--wave", "1999", "--out", "x.pdf"], "no wave '1999'"),
        (
            vec!["report", "city", "--wave", WAVE, "--lang", "fr", "--out", "x.pdf"],
            "'fr' is not a language of the reports",
        ),
        (
            vec!["report", "respondent", "--response", "999999", "--out", "x.pdf"],
            "no submitted response numbered 999999",
        ),
    ] {
        let output = run(&dir, &args, &[]);
        assert!(!output.status.success(), "{args:?}");
        assert!(text(&output).1.contains(message), "{args:?}: {}", text(&output).1);
    }
}

#[rocket::async_test]
async fn a_figure_reads_the_same_on_the_area_page_and_in_its_pdf_in_both_languages() {
    let (client, _dir) = spawn_untracked().await;
    let app = client.rocket().state::<App>().unwrap().clone();
    let options = DemoOptions {
        responses: 1500,
        seed: 9,
        wave: crate::respond::wave(),
        with_frame: true,
        order_effect: 0.0,
        sample: None,
    };
    generate(&app, &options).unwrap();
    // A ward whose headline share is published (suppression depends on the data).
    let figures = dxsurvey::figures::figures(&app, &options.wave, "enterprise-dx").unwrap();
    let v = figures.variables.iter().position(|x| x.id() == "ind_innovation_active").unwrap();
    let ward = figures
        .figures
        .iter()
        .find(|f| f.breakdown() == Breakdown::Area && f.variable == v && f.estimate.is_some())
        .map(|f| f.group.area().unwrap().to_string())
        .expect("some ward's share is published");
    let (official, _) = signed_in(&app, "official@hanoi.gov.vn", StaffRole::Official, &[&ward]);
    let get = |path: &str, lang: &str| {
        client
            .get(path.to_string())
            .private_cookie(Cookie::new("dx_session", official.clone()))
            .cookie(Cookie::new("lang", lang.to_string()))
    };
    let api = get(&format!("/api/v1/areas/{ward}/figures?indicator=ind_innovation_active"), "vi")
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    let api: serde_json::Value = serde_json::from_str(&api).unwrap();
    let row = api["figures"].as_array().unwrap().iter().find(|f| f["breakdown"] == "area");
    let share = row.unwrap()["estimate"].as_f64().expect("the ward's share is published");
    for (lang, code) in [(Lang::Vi, "vi"), (Lang::En, "en")] {
        let expected = percent(share, lang);
        let page =
            get(&format!("/areas/{ward}"), code).dispatch().await.into_string().await.unwrap();
        assert!(
            page.contains(&format!("<td class=\"num\">{expected}</td>")),
            "page {code}: {expected}"
        );
        let pdf = get(&format!("/areas/{ward}/report.pdf?lang={code}"), code)
            .dispatch()
            .await
            .into_bytes()
            .await
            .unwrap();
        if let Some(words) = pdf_text(&pdf) {
            assert!(words.contains(&expected), "PDF {code}: {expected}");
        }
        let other = percent(share, if lang == Lang::Vi { Lang::En } else { Lang::Vi });
        assert_ne!(expected, other, "the two languages write it differently");
    }
}
