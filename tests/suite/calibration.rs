//! A wave run as a probability sample, through the command line and the real database: a
//! register, a sample drawn from it, responses of some sampled enterprises (larger and more
//! mature ones answer more often), then calibration to the register's totals. What the office
//! sees: the estimator named in every exported figure, each calibrated margin met, settings
//! that cannot work refused with what is wrong, and totals that cannot be met named.

use std::collections::HashMap;

use tempfile::TempDir;

use crate::helpers::{run, text};

const WAVE: &str = "2027";

fn sample_wave(dir: &TempDir) {
    let args = ["demo", "--register", "20000", "--sample", "3000", "--wave", WAVE, "--seed", "5"];
    let output = run(dir, &args, &[]);
    assert!(output.status.success(), "{}", text(&output).1);
    assert!(text(&output).0.contains("3000 sampled"), "{}", text(&output).0);
}

/// The application on the database of `dir`, and a statistician's session.
async fn statistician(dir: &TempDir) -> (rocket::local::asynchronous::Client, TempDir, String) {
    let database = dir.path().join("dxsurvey.db");
    let (rocket, other) = crate::helpers::rocket_with(|c| c.database = database.clone());
    let client = rocket::local::asynchronous::Client::tracked(rocket).await.unwrap();
    let app = client.rocket().state::<dxsurvey::app::App>().unwrap();
    let role = dxsurvey::auth::StaffRole::Statistician;
    let (session, _) = crate::helpers::signed_in(app, "stat@hanoi.gov.vn", role, &[]);
    (client, other, session)
}

fn calibrate(dir: &TempDir, args: &[&str]) -> (bool, String) {
    let mut all = vec!["calibrate", "--wave", WAVE];
    all.extend_from_slice(args);
    let output = run(dir, &all, &[]);
    let (out, err) = text(&output);
    (output.status.success(), format!("{out}{err}"))
}

/// `aggregates.csv` of the wave, rows as maps.
fn aggregates(dir: &TempDir) -> Vec<HashMap<String, String>> {
    let out = dir.path().join(format!("export-{}", fastrand::u32(..)));
    let output = run(dir, &["export", "--wave", WAVE, "--out", out.to_str().unwrap()], &[]);
    assert!(output.status.success(), "{}", text(&output).1);
    let mut reader = csv::Reader::from_path(out.join("aggregates.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    reader
        .records()
        .map(|r| header.iter().cloned().zip(r.unwrap().iter().map(str::to_string)).collect())
        .collect()
}

/// Enterprises of the wave's register per ward, read from the database file.
fn register_by_area(dir: &TempDir) -> HashMap<String, f64> {
    let db = rusqlite::Connection::open(dir.path().join("dxsurvey.db")).unwrap();
    let mut stmt = db
        .prepare("SELECT area_code, count(*) FROM register_units WHERE wave_id = ?1 GROUP BY 1")
        .unwrap();
    stmt.query_map([WAVE], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn city(rows: &[HashMap<String, String>], indicator: &str) -> f64 {
    let row = rows
        .iter()
        .find(|r| r["breakdown"] == "city" && r["indicator"] == indicator)
        .unwrap_or_else(|| panic!("no city figure of {indicator}"));
    row["estimate"].parse().unwrap()
}

#[test]
fn a_sample_wave_is_estimated_with_its_weights_and_calibrated_to_the_register() {
    let dir = TempDir::new().unwrap();
    sample_wave(&dir);

    // Without calibration: design weights adjusted for non-response.
    let adjusted = aggregates(&dir);
    assert!(adjusted.iter().all(|r| r["estimator"] == "sample_nonresponse_adjusted"));
    let indicator = "ind_innovation_active";
    let before = city(&adjusted, indicator);

    // Calibrated to ward and size-class totals: every published ward's estimated number of
    // enterprises is the register's.
    let (ok, said) = calibrate(&dir, &["--margins", "area,size", "--distance", "raking"]);
    assert!(ok && said.contains("estimator sample_calibrated_raking"), "{said}");
    let calibrated = aggregates(&dir);
    assert!(calibrated.iter().all(|r| r["estimator"] == "sample_calibrated_raking"));
    let register = register_by_area(&dir);
    let wards: Vec<_> = calibrated
        .iter()
        .filter(|r| r["breakdown"] == "area" && r["indicator"] == indicator)
        .filter(|r| r["suppressed"] == "false")
        .collect();
    assert!(wards.len() > 30, "published wards: {}", wards.len());
    for row in wards {
        let estimated: f64 = row["weighted_n"].parse().unwrap();
        let listed = register[&row["group"]];
        assert!(
            (estimated - listed).abs() < 1e-6 * listed,
            "{}: {estimated} vs {listed}",
            row["group"]
        );
    }
    let after = city(&calibrated, indicator);
    assert!((before - after).abs() > 1e-6, "calibration changed nothing: {before}");

    // Linear calibration gives other weights, the same ward totals.
    let (ok, said) = calibrate(&dir, &["--margins", "area,size"]);
    assert!(ok && said.contains("estimator sample_calibrated_linear"), "{said}");
    let linear = city(&aggregates(&dir), indicator);
    assert!((linear - after).abs() > 1e-9 && (linear - after).abs() < 0.02, "{linear} {after}");

    // Totals no respondent can meet: named, and the figures stay non-response adjusted.
    let (ok, said) = calibrate(&dir, &["--margins", "area,section_size"]);
    assert!(ok, "{said}");
    assert!(
        said.contains("does not hold yet: section_size '") && said.contains("no respondent"),
        "{said}"
    );
    assert!(aggregates(&dir).iter().all(|r| r["estimator"] == "sample_nonresponse_adjusted"));
    // Raking's factors multiply a ward's by a section's: a section whose few respondents sit in
    // one small ward forces that ward above its total. Named, not a crash.
    let (ok, said) = calibrate(&dir, &["--margins", "area,section", "--distance", "raking"]);
    assert!(ok && said.contains("does not hold yet: calibration did not converge"), "{said}");
    assert!(said.contains("area '"), "{said}");

    // Off again.
    let (ok, said) = calibrate(&dir, &["--off"]);
    assert!(ok && said.contains("no calibration"), "{said}");
    assert!((city(&aggregates(&dir), indicator) - before).abs() < 1e-12);
}

#[test]
fn settings_that_cannot_work_are_refused_with_what_is_wrong() {
    let dir = TempDir::new().unwrap();
    sample_wave(&dir);
    for (args, expected) in [
        (&["--margins", "ward"][..], "unknown margin 'ward'"),
        (&["--margins", "area,area"][..], "named twice"),
        (&["--margins", "area", "--distance", "greg"][..], "unknown distance 'greg'"),
        (&["--margins", "area", "--lower", "1.5"][..], "lower < 1 < upper"),
        (&["--margins", "area", "--distance", "logit"][..], "needs both bounds"),
    ] {
        let (ok, said) = calibrate(&dir, args);
        assert!(!ok && said.contains(expected), "{args:?}: {said}");
    }
    // An open wave has no sample to calibrate.
    let output = run(&dir, &["demo", "--responses", "50", "--wave", "2026"], &[]);
    assert!(output.status.success(), "{}", text(&output).1);
    let output = run(&dir, &["calibrate", "--wave", "2026", "--margins", "area"], &[]);
    let said = text(&output).1;
    assert!(!output.status.success() && said.contains("has no sample"), "{said}");
    // Nothing was stored by the refusals: the sample wave is still uncalibrated.
    assert!(aggregates(&dir).iter().all(|r| r["estimator"] == "sample_nonresponse_adjusted"));
}

/// What a statistician and a reader of the city's PDF see of a calibrated sample wave: the
/// dashboard and the API name the estimator; the PDF's methodology describes the sample and
/// its calibration.
#[rocket::async_test]
async fn the_dashboard_the_api_and_the_pdf_say_how_the_figures_were_estimated() {
    let dir = TempDir::new().unwrap();
    sample_wave(&dir);
    let (ok, said) = calibrate(&dir, &["--margins", "area,size", "--distance", "raking"]);
    assert!(ok, "{said}");

    let pdf = dir.path().join("city.pdf");
    let args = ["report", "city", "--wave", WAVE, "--lang", "en", "--out", pdf.to_str().unwrap()];
    let output = run(&dir, &args, &[]);
    assert!(output.status.success(), "{}", text(&output).1);
    if let Some(words) = crate::reports::poppler("pdftotext", &std::fs::read(&pdf).unwrap(), &[]) {
        let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(words.contains("drawn at random from the business register"), "{words}");
        assert!(words.contains("calibrated so that the weighted counts match"), "{words}");
        assert!(words.contains("(raking method)"), "{words}");
    }

    let (client, _other, session) = statistician(&dir).await;
    let get = |path: String| {
        client.get(path).private_cookie(rocket::http::Cookie::new("dx_session", session.clone()))
    };
    let api = get(format!("/api/v1/figures?wave={WAVE}&survey=enterprise-dx")).dispatch().await;
    let json: serde_json::Value = serde_json::from_str(&api.into_string().await.unwrap()).unwrap();
    assert_eq!(json["estimator"], "sample_calibrated_raking", "{}", json["estimator"]);
    assert!(json["calibration_problem"].is_null());
    let page = get(format!("/stats?wave={WAVE}&survey=enterprise-dx")).dispatch().await;
    let html = page.into_string().await.unwrap();
    assert!(html.contains("hiệu chỉnh raking theo tổng của danh bạ"), "{html}");
}

/// The microdata of a sample wave hold the sampled enterprises' responses only, placed by their
/// register stratum and weighted as the estimates are: the README's R recipe, from the file's
/// design columns alone, gives back every published city and ward estimate and standard error
/// (without calibration; with it, the estimates, the SEs needing the calibration's margins).
#[test]
fn the_microdata_of_a_sample_wave_reproduce_its_figures_in_r() {
    let dir = TempDir::new().unwrap();
    sample_wave(&dir);
    let respondents: i64 = {
        let db = rusqlite::Connection::open(dir.path().join("dxsurvey.db")).unwrap();
        db.query_row(
            "SELECT count(*) FROM responses WHERE wave_id = ?1 AND status = 'submitted'",
            [WAVE],
            |r| r.get(0),
        )
        .unwrap()
    };
    for (calibration, with_se) in [(None, true), (Some(["--margins", "area,section"]), false)] {
        if let Some(args) = calibration {
            assert!(calibrate(&dir, &args).0);
        }
        let out = dir.path().join(format!("export-{with_se}"));
        let output = run(&dir, &["export", "--wave", WAVE, "--out", out.to_str().unwrap()], &[]);
        assert!(output.status.success(), "{}", text(&output).1);
        let micro = std::fs::read_to_string(out.join("microdata.csv")).unwrap();
        assert_eq!(micro.lines().count() as i64 - 1, respondents, "one row per sampled respondent");
        let recipe = crate::helpers::repo().join("docs/recipes/microdata-estimates.R");
        let Ok(r) = std::process::Command::new("Rscript")
            .arg(&recipe)
            .arg(out.join("microdata.csv"))
            .output()
        else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must install r-base-core and r-cran-survey"
            );
            eprintln!("Rscript is not installed: the recipe was not run");
            return;
        };
        assert!(r.status.success(), "the recipe failed: {}", String::from_utf8_lossy(&r.stderr));
        let mut reader = csv::Reader::from_reader(r.stdout.as_slice());
        let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
        let from_r: HashMap<(String, String), (f64, f64)> = reader
            .records()
            .map(|row| {
                let row: HashMap<String, String> =
                    header.iter().cloned().zip(row.unwrap().iter().map(str::to_string)).collect();
                let number = |c: &str| row[c].parse::<f64>().unwrap_or(f64::NAN);
                (
                    (row["group"].clone(), row["variable"].clone()),
                    (number("estimate"), number("se")),
                )
            })
            .collect();
        let published: Vec<_> = aggregates(&dir)
            .into_iter()
            .filter(|r| ["city", "area"].contains(&r["breakdown"].as_str()))
            .filter(|r| r["suppressed"] == "false" && !r["estimate"].is_empty())
            .collect();
        assert!(published.len() > 300, "published: {}", published.len());
        for row in published {
            let key = (row["group"].clone(), row["indicator"].clone());
            let (estimate, se) = from_r.get(&key).unwrap_or_else(|| panic!("R has no {key:?}"));
            let ours: f64 = row["estimate"].parse().unwrap();
            assert!((estimate - ours).abs() < 1e-9, "{key:?}: R {estimate}, published {ours}");
            if with_se {
                let our_se: f64 = row["se"].parse().unwrap();
                assert!((se - our_se).abs() < 1e-9, "{key:?}: R's SE {se}, published {our_se}");
            }
        }
    }
}

/// A sample wave's export describes its response-homogeneity groups: every group with its
/// register population, sampled and responding units, unit and weighted rates and the
/// adjustment of its weights, joined to the microdata by `stratum`; the data package names the
/// estimator and the calibration asked for. An open wave has no such file.
#[rocket::async_test]
async fn each_response_group_is_exported_with_its_rates_and_the_package_names_the_estimator() {
    let dir = TempDir::new().unwrap();
    sample_wave(&dir);
    assert!(calibrate(&dir, &["--margins", "area,section"]).0);
    let out = dir.path().join("export");
    let output = run(&dir, &["export", "--wave", WAVE, "--out", out.to_str().unwrap()], &[]);
    assert!(output.status.success(), "{}", text(&output).1);

    let rows = |file: &str| -> Vec<HashMap<String, String>> {
        let mut reader = csv::Reader::from_path(out.join(file)).unwrap();
        let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
        reader
            .records()
            .map(|r| header.iter().cloned().zip(r.unwrap().iter().map(str::to_string)).collect())
            .collect()
    };
    let groups = rows("response_groups.csv");
    let number = |row: &HashMap<String, String>, c: &str| row[c].parse::<f64>().unwrap();
    let total = |c: &str| groups.iter().map(|g| number(g, c)).sum::<f64>();
    let db = rusqlite::Connection::open(dir.path().join("dxsurvey.db")).unwrap();
    let count = |sql: &str| db.query_row(sql, [WAVE], |r| r.get::<_, f64>(0)).unwrap();
    assert_eq!(total("sampled"), count("SELECT count(*) FROM sample_units WHERE wave_id = ?1"));
    let respondents = count(
        "SELECT count(*) FROM responses WHERE wave_id = ?1 AND status = 'submitted' AND standing = 'counted'",
    );
    assert_eq!(total("responded"), respondents);
    for g in &groups {
        let (sampled, responded) = (number(g, "sampled"), number(g, "responded"));
        assert!(responded >= 5.0, "every group has k respondents: {g:?}");
        assert!((number(g, "unit_response_rate") - responded / sampled).abs() < 1e-12, "{g:?}");
        let weighted = number(g, "weighted_response_rate");
        assert!((number(g, "nonresponse_adjustment") * weighted - 1.0).abs() < 1e-9, "{g:?}");
        assert_eq!(g["estimator"], "sample_calibrated_linear");
        let shown = [&g["area_code"], &g["vsic_section"], &g["size_class"]];
        let expected_blanks = match g["level"].as_str() {
            "stratum" => 0,
            "area_section" => 1,
            "area" => 2,
            "city" => 3,
            other => panic!("level {other}"),
        };
        assert_eq!(shown.iter().filter(|c| c.is_empty()).count(), expected_blanks, "{g:?}");
    }
    let strata: std::collections::BTreeSet<&str> =
        groups.iter().map(|g| g["stratum"].as_str()).collect();
    let micro = rows("microdata.csv");
    assert!(micro.iter().all(|r| strata.contains(r["stratum"].as_str())));
    let used: std::collections::BTreeSet<&str> =
        micro.iter().map(|r| r["stratum"].as_str()).collect();
    assert_eq!(used, strata, "every group has microdata rows and no row lacks a group");

    let package: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("datapackage.json")).unwrap())
            .unwrap();
    assert_eq!(package["estimator"]["code"], "sample_calibrated_linear");
    assert_eq!(package["estimator"]["calibration"]["margins"], "area,section");
    let resources = package["resources"].as_array().unwrap();
    let described = resources.iter().find(|r| r["name"] == "response_groups").unwrap();
    let fields = described["schema"]["fields"].as_array().unwrap();
    let names: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
    let header: Vec<String> = csv::Reader::from_path(out.join("response_groups.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(names, header);

    // On the web: the file for the sample wave, 404 for an open wave.
    let output = run(&dir, &["demo", "--responses", "60", "--wave", "2026"], &[]);
    assert!(output.status.success(), "{}", text(&output).1);
    let (client, _other, session) = statistician(&dir).await;
    let get = |wave: &str| {
        client
            .get(format!("/stats/export/response_groups.csv?wave={wave}&survey=enterprise-dx"))
            .private_cookie(rocket::http::Cookie::new("dx_session", session.clone()))
    };
    let sample = get(WAVE).dispatch().await;
    assert_eq!(sample.status(), rocket::http::Status::Ok);
    let body = sample.into_string().await.unwrap();
    assert_eq!(body.lines().count(), groups.len() + 1);
    assert_eq!(get("2026").dispatch().await.status(), rocket::http::Status::NotFound);
    let page = client
        .get(format!("/stats?wave={WAVE}&survey=enterprise-dx"))
        .private_cookie(rocket::http::Cookie::new("dx_session", session.clone()))
        .dispatch()
        .await;
    assert!(page.into_string().await.unwrap().contains("response_groups.csv"));
}
