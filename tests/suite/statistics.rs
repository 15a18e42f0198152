//! The frame, the figures and the exports, through the command line on a real database.

use std::collections::HashMap;

use tempfile::TempDir;

use crate::helpers::{run, text};

fn demo(dir: &TempDir, responses: &str, with_frame: bool) {
    let mut args = vec!["demo", "--responses", responses, "--seed", "3", "--wave", "2026"];
    if with_frame {
        args.push("--with-frame");
    }
    let output = run(dir, &args, &[]);
    assert!(output.status.success(), "{}", text(&output).1);
}

fn read_csv(path: &std::path::Path) -> (Vec<String>, Vec<HashMap<String, String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows = reader
        .records()
        .map(|r| header.iter().cloned().zip(r.unwrap().iter().map(str::to_string)).collect())
        .collect();
    (header, rows)
}

#[test]
fn a_frame_with_mistakes_is_refused_whole_with_every_line_named() {
    let dir = TempDir::new().unwrap();
    demo(&dir, "20", false);
    let frame = dir.path().join("frame.csv");
    std::fs::write(&frame, "area_code,vsic_section,size_class,enterprises\n00070,G,micro,120\n00070,G,micro,5\n99999,C,small,3\n00082,Q,huge,-1\n").unwrap();
    let output = run(&dir, &["frame", "import", frame.to_str().unwrap(), "--wave", "2026"], &[]);
    let (_, stderr) = text(&output);
    assert!(!output.status.success());
    for expected in [
        "line 3: stratum 00070 G micro is already given on line 2",
        "line 4: area_code '99999'",
        "line 5: size_class 'huge'",
        "line 5: enterprises '-1'",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
    assert!(stderr.contains("nothing was imported"));
    let conn = rusqlite::Connection::open(dir.path().join("dxsurvey.db")).unwrap();
    let rows: i64 = conn.query_row("SELECT count(*) FROM frame_strata", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, 0);

    std::fs::write(
        &frame,
        "area_code,vsic_section,size_class,enterprises\n00070,G,micro,120\n00082,C,small,30\n",
    )
    .unwrap();
    let output = run(&dir, &["frame", "import", frame.to_str().unwrap(), "--wave", "2026"], &[]);
    assert!(output.status.success(), "{}", text(&output).1);
    assert!(text(&output).0.contains("2 strata, 150 enterprises"));
    let audit: i64 = conn
        .query_row("SELECT count(*) FROM audit_log WHERE action = 'frame.import'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(audit, 1);
}

#[test]
fn the_export_writes_aggregates_microdata_and_a_codebook_that_reveal_no_one() {
    let dir = TempDir::new().unwrap();
    demo(&dir, "600", true);
    let out = dir.path().join("export");
    let output = run(&dir, &["export", "--wave", "2026", "--out", out.to_str().unwrap()], &[]);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(!stdout.contains("NOT representative"), "{stdout}");

    let (header, aggregates) = read_csv(&out.join("aggregates.csv"));
    assert_eq!(
        header,
        [
            "wave",
            "breakdown",
            "group",
            "indicator",
            "estimate",
            "se",
            "ci_low",
            "ci_high",
            "cv",
            "n",
            "weighted_n",
            "suppressed",
            "estimator"
        ]
    );
    let city = aggregates
        .iter()
        .find(|r| r["breakdown"] == "city" && r["indicator"] == "ind_innovation_active")
        .unwrap();
    let (p, low, high): (f64, f64, f64) = (
        city["estimate"].parse().unwrap(),
        city["ci_low"].parse().unwrap(),
        city["ci_high"].parse().unwrap(),
    );
    assert!(0.0 < low && low < p && p < high && high < 1.0, "{city:?}");
    assert!(
        city["weighted_n"].parse::<f64>().unwrap() > city["n"].parse::<f64>().unwrap(),
        "weighted to a frame larger than the sample"
    );
    let level_rows: Vec<_> = aggregates
        .iter()
        .filter(|r| r["breakdown"] == "city" && r["indicator"].starts_with("level_"))
        .collect();
    let published: Vec<f64> = level_rows
        .iter()
        .filter(|r| r["suppressed"] != "true")
        .map(|r| r["estimate"].parse::<f64>().unwrap())
        .collect();
    let levels: f64 = published.iter().sum();
    if published.len() == level_rows.len() {
        assert!((levels - 1.0).abs() < 1e-9, "the distribution over levels adds up to 1: {levels}");
    } else {
        // A level too few reach is withheld (never shown as 0): the others add up to less.
        assert!(levels < 1.0, "{levels}");
    }
    let suppressed: Vec<_> = aggregates.iter().filter(|r| r["suppressed"] == "true").collect();
    assert!(!suppressed.is_empty(), "600 responses over 126 wards leave small cells");
    for row in &suppressed {
        for column in ["estimate", "se", "ci_low", "ci_high", "cv", "n", "weighted_n"] {
            assert_eq!(row[column], "", "a suppressed row publishes no {column}: {row:?}");
        }
    }
    for row in aggregates.iter().filter(|r| r["suppressed"] == "false" && r["breakdown"] != "city")
    {
        assert!(
            row["n"].parse::<u32>().unwrap() >= 5,
            "published with too few respondents: {row:?}"
        );
    }

    let (header, micro) = read_csv(&out.join("microdata.csv"));
    for forbidden in ["legal_name", "tax_code", "employees"] {
        assert!(!header.contains(&forbidden.to_string()), "{forbidden} is exported");
    }
    let raw = std::fs::read_to_string(out.join("microdata.csv")).unwrap();
    assert!(!raw.contains("Công ty"), "no enterprise name leaks");
    assert!(!regex_like_tax_code(&raw), "no tax code leaks");
    // k-anonymity over every key variable, as an intruder holding the register would match.
    let keys = [
        "area_code",
        "vsic_section",
        "size_class",
        "ownership",
        "revenue_band",
        "capital_band",
        "year_founded",
        "persons_employed",
    ];
    let mut classes: HashMap<Vec<String>, u32> = HashMap::new();
    for row in &micro {
        *classes.entry(keys.iter().map(|k| row[*k].clone()).collect()).or_default() += 1;
        assert!(row["weight"].parse::<f64>().unwrap() >= 1.0);
        let year = &row["year_founded"];
        let withheld = ["skipped", "suppressed"].contains(&year.as_str());
        assert!(withheld || year.contains('-'), "founding years in bands: {year}");
        let persons = &row["persons_employed"];
        assert!(persons.parse::<i64>().is_err(), "persons employed in bands: {persons}");
    }
    let smallest = classes.iter().min_by_key(|(_, n)| **n).unwrap();
    assert!(*smallest.1 >= 5, "k = 5 on all key variables: {smallest:?}");

    let package: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("datapackage.json")).unwrap())
            .unwrap();
    let fields: Vec<&str> = package["resources"][1]["schema"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        header.iter().map(String::as_str).collect::<Vec<_>>(),
        "the codebook describes every column, in order"
    );
    let website = package["resources"][1]["schema"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "website")
        .unwrap();
    assert!(
        website["title_vi"].as_str().unwrap().contains("trang web")
            && website["categories"].is_array()
    );
    let disclosure = &package["disclosure"];
    assert_eq!(disclosure["k"], 5);
    assert_eq!(disclosure["records"], micro.len());
    assert_eq!(disclosure["records_below_k"], 0);
    let expected = disclosure["expected_reidentifications"].as_f64().unwrap();
    assert!(0.0 < expected && expected < micro.len() as f64 / 5.0, "{disclosure}");
    let names: Vec<&str> = disclosure["key_variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, keys, "the package names every key variable");
}

/// The README's recipe (`docs/recipes/microdata-estimates.R`, R's `survey` on the exported
/// design columns) gives back every published city and ward estimate, and its standard error.
#[test]
fn the_readme_recipe_reproduces_every_published_city_and_ward_estimate() {
    let dir = TempDir::new().unwrap();
    demo(&dir, "1500", true);
    let out = dir.path().join("export");
    let output = run(&dir, &["export", "--wave", "2026", "--out", out.to_str().unwrap()], &[]);
    assert!(output.status.success(), "{}", text(&output).1);
    let recipe = crate::helpers::repo().join("docs/recipes/microdata-estimates.R");
    let Ok(r) = std::process::Command::new("Rscript")
        .arg(&recipe)
        .arg(out.join("microdata.csv"))
        .stderr(std::process::Stdio::null())
        .output()
    else {
        assert!(std::env::var_os("CI").is_none(), "CI must install r-base-core and r-cran-survey");
        eprintln!("Rscript is not installed: the recipe was not run");
        return;
    };
    assert!(r.status.success(), "the recipe failed");
    let estimates = out.join("estimates.csv");
    std::fs::write(&estimates, &r.stdout).unwrap();
    let (_, from_r) = read_csv(&estimates);
    let from_r: HashMap<(String, String), (f64, f64)> = from_r
        .iter()
        .map(|row| {
            let number = |c: &str| row[c].parse::<f64>().unwrap_or(f64::NAN);
            ((row["group"].clone(), row["variable"].clone()), (number("estimate"), number("se")))
        })
        .collect();
    let (_, aggregates) = read_csv(&out.join("aggregates.csv"));
    let published: Vec<_> = aggregates
        .iter()
        .filter(|r| ["city", "area"].contains(&r["breakdown"].as_str()))
        .filter(|r| r["suppressed"] == "false" && !r["estimate"].is_empty())
        .collect();
    assert!(published.len() > 500, "wards published: {}", published.len());
    for row in published {
        let key = (row["group"].clone(), row["indicator"].clone());
        let (estimate, se) = from_r.get(&key).unwrap_or_else(|| panic!("R has no {key:?}"));
        let ours: f64 = row["estimate"].parse().unwrap();
        assert!((estimate - ours).abs() < 1e-9, "{key:?}: R {estimate}, published {ours}");
        let our_se: f64 = row["se"].parse().unwrap();
        assert!((se - our_se).abs() < 1e-9, "{key:?}: R's SE {se}, published {our_se}");
    }
}

/// Whether the text holds a 10-digit Hanoi tax code (01 followed by 8 digits) as a field.
fn regex_like_tax_code(text: &str) -> bool {
    text.split([',', '\n'])
        .any(|f| f.len() == 10 && f.starts_with("01") && f.bytes().all(|b| b.is_ascii_digit()))
}

#[test]
fn without_a_frame_the_export_says_it_is_not_representative() {
    let dir = TempDir::new().unwrap();
    demo(&dir, "60", false);
    let out = dir.path().join("export");
    let output = run(&dir, &["export", "--wave", "2026", "--out", out.to_str().unwrap()], &[]);
    assert!(text(&output).0.contains("NOT representative"));
    let package = std::fs::read_to_string(out.join("datapackage.json")).unwrap();
    assert!(package.contains("NOT REPRESENTATIVE"));
    let (_, aggregates) = read_csv(&out.join("aggregates.csv"));
    let city = aggregates
        .iter()
        .find(|r| r["breakdown"] == "city" && r["indicator"] == "ind_innovative")
        .unwrap();
    assert_eq!(city["weighted_n"], city["n"], "unweighted: each respondent counts once");
}

mod pages {
    use dxsurvey::app::App;
    use dxsurvey::auth::StaffRole;
    use dxsurvey::demo::{DemoOptions, generate};
    use dxsurvey::figures::{Breakdown, figures};
    use rocket::http::{Cookie, Status};
    use rocket::local::asynchronous::Client;

    use crate::helpers::{signed_in, spawn_untracked};

    /// An application with 400 demo responses (and a frame if asked) and a statistician's session.
    async fn world(with_frame: bool) -> (Client, tempfile::TempDir, String) {
        let (client, dir) = spawn_untracked().await;
        let app = client.rocket().state::<App>().unwrap().clone();
        let wave = dxsurvey::kernel::format::today().year().to_string();
        generate(
            &app,
            &DemoOptions {
                responses: 400,
                seed: 9,
                wave,
                with_frame,
                order_effect: 0.0,
                sample: None,
            },
        )
        .unwrap();
        let (token, _) = signed_in(&app, "stat@hanoi.gov.vn", StaffRole::Statistician, &[]);
        (client, dir, token)
    }

    #[rocket::async_test]
    async fn the_dashboard_shows_the_citys_figures_and_the_target() {
        let (client, _dir, session) = world(true).await;
        let app = client.rocket().state::<App>().unwrap();
        let wave = dxsurvey::kernel::format::today().year().to_string();
        let expected = figures(app, &wave, "enterprise-dx").unwrap();
        let v = expected.variables.iter().position(|x| x.id() == "ind_innovation_active").unwrap();
        let city = expected
            .figures
            .iter()
            .find(|f| f.breakdown() == Breakdown::City && f.variable == v)
            .unwrap();
        let e = city.estimate.as_ref().unwrap();
        let page = client
            .get("/stats")
            .private_cookie(Cookie::new("dx_session", session))
            .dispatch()
            .await;
        assert_eq!(page.status(), Status::Ok);
        let html = page.into_string().await.unwrap();
        let percent = |x: f64| format!("{:.1}", x * 100.0).replace('.', ",");
        assert!(
            html.contains(&format!("<strong>{}%</strong>", percent(e.estimate))),
            "the city's share, as the statistics compute it"
        );
        let i = e.interval.unwrap();
        assert!(html.contains(&format!("{}–{}%", percent(i.low), percent(i.high))));
        assert!(
            html.contains("Ít nhất 50% doanh nghiệp có hoạt động đổi mới sáng tạo vào năm 2030")
        );
        assert!(html.contains("class=\"target-line\""));
        assert!(html.contains("Tiến độ khảo sát theo ngành"), "fieldwork by sector");
        assert!(
            html.contains("G – Bán buôn và bán lẻ"),
            "trade, the largest sector, has respondents"
        );
        assert!(!html.contains("Số liệu không đại diện"));
    }

    #[rocket::async_test]
    async fn without_a_frame_the_dashboard_says_not_representative() {
        let (client, _dir, session) = world(false).await;
        let html = client
            .get("/stats")
            .private_cookie(Cookie::new("dx_session", session))
            .dispatch()
            .await
            .into_string()
            .await
            .unwrap();
        assert!(html.contains("Số liệu không đại diện"));
    }

    #[rocket::async_test]
    async fn downloads_and_api_calls_are_audited_and_suppressed_cells_publish_nothing() {
        let (client, _dir, session) = world(true).await;
        let csv = client
            .get("/stats/aggregates.csv")
            .private_cookie(Cookie::new("dx_session", session.clone()))
            .dispatch()
            .await;
        assert_eq!(csv.status(), Status::Ok);
        assert!(
            csv.headers()
                .get_one("Content-Disposition")
                .unwrap()
                .contains("aggregates-enterprise-dx")
        );
        let body = csv.into_string().await.unwrap();
        assert!(body.starts_with(
            "wave,breakdown,group,indicator,estimate,se,ci_low,ci_high,cv,n,weighted_n,suppressed"
        ));
        let api = client
            .get("/api/v1/figures?breakdown=area&indicator=ind_innovative")
            .private_cookie(Cookie::new("dx_session", session))
            .dispatch()
            .await;
        let json: serde_json::Value =
            serde_json::from_str(&api.into_string().await.unwrap()).unwrap();
        let rows = json["figures"].as_array().unwrap();
        assert!(
            !rows.is_empty()
                && rows
                    .iter()
                    .all(|r| r["breakdown"] == "area" && r["indicator"] == "ind_innovative")
        );
        for row in rows.iter().filter(|r| r["suppressed"] == true) {
            assert!(row["estimate"].is_null() && row["n"].is_null(), "{row}");
        }
        let app = client.rocket().state::<App>().unwrap();
        let audited: Vec<String> = app
            .store
            .read(|c| {
                let mut stmt = c.prepare(
                    "SELECT action FROM audit_log WHERE actor = 'stat@hanoi.gov.vn' ORDER BY id",
                )?;
                Ok(stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?)
            })
            .unwrap();
        assert_eq!(audited, ["export", "api"]);
    }

    #[rocket::async_test]
    async fn a_statistician_downloads_the_microdata_and_the_codebook() {
        let (client, _dir, session) = world(true).await;
        let get = |uri: &'static str| {
            client.get(uri).private_cookie(Cookie::new("dx_session", session.clone())).dispatch()
        };
        let micro = get("/stats/export/microdata.csv").await;
        assert_eq!(micro.status(), Status::Ok);
        assert!(
            micro
                .headers()
                .get_one("Content-Disposition")
                .unwrap()
                .contains("microdata-enterprise-dx")
        );
        let body = micro.into_string().await.unwrap();
        assert!(body.starts_with(
            "respondent,organisation,wave,version,submitted,area_code,vsic_section,size_class,stratum,stratum_population,weight,experiment_arm,"
        ));
        assert!(body.lines().count() > 300);
        // The labelled files and the whole package, each what its name says.
        for (file, starts, kind) in [
            ("microdata.dta", &b"<stata_dta><header><release>118"[..], "octet-stream"),
            ("microdata.sav", b"$FL2", "octet-stream"),
            ("microdata.xlsx", b"PK", "spreadsheetml"),
            ("package.zip", b"PK", "zip"),
            ("microdata.R", b"# ", "text/plain"),
        ] {
            let response = client
                .get(format!("/stats/export/{file}"))
                .private_cookie(Cookie::new("dx_session", session.clone()))
                .dispatch()
                .await;
            assert_eq!(response.status(), Status::Ok, "{file}");
            let content_type = response.content_type().unwrap().to_string();
            assert!(content_type.contains(kind), "{file}: {content_type}");
            let bytes = response.into_bytes().await.unwrap();
            assert!(bytes.starts_with(starts), "{file}");
        }
        let codebook: serde_json::Value = serde_json::from_str(
            &get("/stats/export/datapackage.json").await.into_string().await.unwrap(),
        )
        .unwrap();
        assert_eq!(codebook["resources"][1]["name"], "microdata");
        assert_eq!(get("/stats/export/secrets.txt").await.status(), Status::NotFound);
        let exports: i64 = client
            .rocket()
            .state::<App>()
            .unwrap()
            .store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM audit_log WHERE action = 'export'",
                    [],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        assert_eq!(exports, 7, "each download audited: CSV, codebook and five more files");
    }

    #[rocket::async_test]
    async fn an_official_sees_the_figures_and_coverage_of_their_area_only_as_published() {
        let (client, _dir, _) = world(true).await;
        let app = client.rocket().state::<App>().unwrap().clone();
        // The ward with the most responses, and one with none.
        let busiest: String = app
            .store
            .read(|c| Ok(c.query_row("SELECT area_code FROM responses WHERE status = 'submitted' AND survey_id = 'enterprise-dx' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1", [], |r| r.get(0))?))
            .unwrap();
        let (token, _) = signed_in(&app, "ward@hanoi.gov.vn", StaffRole::Official, &[&busiest]);
        let cookie = || Cookie::new("dx_session", token.clone());

        let wave = dxsurvey::kernel::format::today().year().to_string();
        let expected = figures(&app, &wave, "enterprise-dx").unwrap();
        let v = expected.variables.iter().position(|x| x.id() == "ind_innovative").unwrap();
        let area = expected
            .figures
            .iter()
            .find(|f| {
                f.breakdown() == Breakdown::Area
                    && f.group.to_string() == busiest
                    && f.variable == v
            })
            .unwrap();
        let html = crate::respond::text_of(
            &client
                .get(format!("/areas/{busiest}"))
                .private_cookie(cookie())
                .dispatch()
                .await
                .into_string()
                .await
                .unwrap(),
        );
        assert!(html.contains("Số liệu của phường/xã"), "{html}");
        match &area.estimate {
            Some(e) => {
                let share = format!("{:.1}%", e.estimate * 100.0).replace('.', ",");
                assert!(
                    html.contains(&format!("<td class=\"num\">{share}</td>")),
                    "the ward's share as the statistics compute it: {share}"
                );
                assert!(html.contains("<td class=\"spark\"><svg"), "with its interval drawn");
            }
            None => {
                // Its own row says so, with no share (other variables have their own rows).
                let label = &expected.variables[v].label.vi;
                let row = html.split(label.as_str()).nth(1).and_then(|r| r.split("</tr>").next());
                let row = row.unwrap_or_default();
                assert!(row.contains("không công bố") && !row.contains('%'), "{row}");
            }
        }
        let list = client
            .get("/areas")
            .private_cookie(cookie())
            .dispatch()
            .await
            .into_string()
            .await
            .unwrap();
        assert_eq!(list.matches("<tr><th scope=\"row\">").count(), 1);
        assert!(list.contains('%'), "coverage against the frame");
        let row = list.split("<tr><th scope=\"row\">").nth(1).unwrap_or_default();
        let written_in_english = row
            .as_bytes()
            .windows(3)
            .any(|w| w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit());
        assert!(!written_in_english, "a Vietnamese page writes 4,0%, not 4.0%: {row}");
        assert_eq!(
            client.get("/stats").private_cookie(cookie()).dispatch().await.status(),
            Status::Forbidden
        );
        assert_eq!(
            client.get("/api/v1/figures").private_cookie(cookie()).dispatch().await.status(),
            Status::Forbidden
        );

        // The same figures as JSON, for the official's own ward only.
        let json: serde_json::Value = serde_json::from_str(
            &client
                .get(format!("/api/v1/areas/{busiest}/figures?indicator=ind_innovative"))
                .private_cookie(cookie())
                .dispatch()
                .await
                .into_string()
                .await
                .unwrap(),
        )
        .unwrap();
        let rows = json["figures"].as_array().unwrap();
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|r| r["indicator"] == "ind_innovative"));
        assert!(rows.iter().all(|r| {
            let group = r["group"].as_str().unwrap();
            group == busiest || group.starts_with(&format!("{busiest}:"))
        }));
        let ward = rows.iter().find(|r| r["breakdown"] == "area").unwrap();
        assert_eq!(ward["estimate"].as_f64(), area.estimate.as_ref().map(|e| e.estimate));
        assert_eq!(ward["suppressed"].as_bool(), Some(area.estimate.is_none()));
        let other = if busiest == "00004" { "00070" } else { "00004" };
        assert_eq!(
            client
                .get(format!("/api/v1/areas/{other}/figures"))
                .private_cookie(cookie())
                .dispatch()
                .await
                .status(),
            Status::Forbidden
        );
    }
}

mod trajectory {
    use dxsurvey::app::App;
    use dxsurvey::auth::StaffRole;
    use dxsurvey::demo::{DemoOptions, generate};
    use dxsurvey::figures::{Breakdown, figures};
    use dxsurvey::stats::{Target, progress};
    use rocket::http::Cookie;

    use crate::helpers::{signed_in, spawn_untracked};

    #[rocket::async_test]
    async fn two_waves_are_compared_with_the_line_to_the_target() {
        let (client, _dir) = spawn_untracked().await;
        let app = client.rocket().state::<App>().unwrap().clone();
        let this_year = dxsurvey::kernel::format::today().year();
        let (first, latest) = ((this_year - 1).to_string(), this_year.to_string());
        for (wave, seed) in [(&first, 1), (&latest, 2)] {
            generate(
                &app,
                &DemoOptions {
                    responses: 300,
                    seed,
                    wave: wave.clone(),
                    with_frame: true,
                    order_effect: 0.0,
                    sample: None,
                },
            )
            .unwrap();
        }
        let (token, _) = signed_in(&app, "stat@hanoi.gov.vn", StaffRole::Statistician, &[]);

        // The expected verdict, from the statistics module and the shipped target.
        let target: &Target = &app.reference.targets[0];
        let city = |wave: &str| {
            let f = figures(&app, wave, "enterprise-dx").unwrap();
            let v = f.variables.iter().position(|x| x.id() == "ind_innovation_active").unwrap();
            f.figures
                .iter()
                .find(|x| x.breakdown() == Breakdown::City && x.variable == v)
                .unwrap()
                .estimate
                .clone()
                .unwrap()
        };
        let expected =
            progress(target, &[(this_year - 1, city(&first)), (this_year, city(&latest))]).unwrap();
        assert_eq!(expected.first_year, this_year - 1);

        let html = client
            .get(format!("/stats?wave={latest}"))
            .private_cookie(Cookie::new("dx_session", token.clone()))
            .dispatch()
            .await
            .into_string()
            .await
            .unwrap();
        let percent = |x: f64| format!("{:.1}%", x * 100.0).replace('.', ",");
        assert!(
            html.contains(&format!("lộ trình {this_year}: {}", percent(expected.trajectory))),
            "the trajectory value"
        );
        assert!(
            html.contains(&format!(
                "Thay đổi so với năm {}: {}",
                this_year - 1,
                dxsurvey::kernel::format::points(expected.change, dxsurvey::survey::Lang::Vi)
            )),
            "the change since the first wave"
        );
        let verdict = match expected.verdict {
            dxsurvey::stats::Verdict::Above => "Đúng lộ trình",
            dxsurvey::stats::Verdict::Below => "Chậm so với lộ trình",
            dxsurvey::stats::Verdict::Straddles => "Chưa kết luận được",
        };
        assert!(html.contains(verdict), "{verdict}");
        assert!(!html.contains("Đây là đợt đầu tiên"));
    }
}

mod upload {
    use dxsurvey::app::App;
    use dxsurvey::auth::StaffRole;
    use dxsurvey::store;
    use rocket::http::{ContentType, Cookie, Status};

    use crate::helpers::{signed_in, spawn_untracked};

    fn multipart(csrf: &str, wave: &str, file: &str) -> (ContentType, String) {
        let boundary = "dxsurveyboundary7MA4YWxk";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"wave\"\r\n\r\n{wave}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"frame.csv\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n\
             --{boundary}--\r\n"
        );
        (ContentType::new("multipart", "form-data").with_params(("boundary", boundary)), body)
    }

    #[rocket::async_test]
    async fn an_administrator_uploads_a_frame_all_or_nothing() {
        let (client, _dir) = spawn_untracked().await;
        let app = client.rocket().state::<App>().unwrap().clone();
        let (token, csrf) = signed_in(&app, "admin@hanoi.gov.vn", StaffRole::Administrator, &[]);
        let wave = dxsurvey::kernel::format::today().year().to_string();
        let post = |body: (ContentType, String)| {
            client
                .post("/admin/frame")
                .private_cookie(Cookie::new("dx_session", token.clone()))
                .header(body.0)
                .body(body.1)
        };
        let strata = || app.store.read(|c| store::frame(c, &wave)).unwrap().len();

        let bad = "area_code,vsic_section,size_class,enterprises\n00070,G,micro,10\n00070,G,micro,12\n12345,G,micro,3\n";
        let response = post(multipart(&csrf, &wave, bad)).dispatch().await;
        assert_eq!(response.status(), Status::UnprocessableEntity);
        let html = response.into_string().await.unwrap();
        assert!(
            html.contains("line 3: stratum 00070 G micro is already given on line 2")
                && html.contains("line 4: area_code &#x27;12345&#x27;"),
            "{html}"
        );
        assert_eq!(strata(), 0, "nothing imported");

        let good =
            "area_code,vsic_section,size_class,enterprises\n00070,G,micro,10\n00082,C,small,5\n";
        let response = post(multipart(&csrf, &wave, good)).dispatch().await;
        assert_eq!(response.status(), Status::Ok);
        assert!(response.into_string().await.unwrap().contains("2 strata, 15 enterprises"));
        assert_eq!(strata(), 2);

        let forged = post(multipart("0123", &wave, good)).dispatch().await;
        assert_eq!(forged.status(), Status::Forbidden);
    }
}

#[test]
fn microdata_from_the_stored_cells_equal_microdata_from_the_answers() {
    let dir = TempDir::new().unwrap();
    demo(&dir, "300", true);
    let (fast, slow) = (dir.path().join("fast"), dir.path().join("slow"));
    assert!(
        run(&dir, &["export", "--wave", "2026", "--out", fast.to_str().unwrap()], &[])
            .status
            .success()
    );
    let conn = rusqlite::Connection::open(dir.path().join("dxsurvey.db")).unwrap();
    let kept: i64 =
        conn.query_row("SELECT count(*) FROM microdata_rows", [], |r| r.get(0)).unwrap();
    assert!(kept > 200, "submitted responses keep their microdata rows");
    // Every other one lost: those go through their answers, and the rows come out the same.
    conn.execute("DELETE FROM microdata_rows WHERE response_id % 2 = 0", []).unwrap();
    assert!(
        run(&dir, &["export", "--wave", "2026", "--out", slow.to_str().unwrap()], &[])
            .status
            .success()
    );
    let read = |p: &std::path::Path| std::fs::read_to_string(p.join("microdata.csv")).unwrap();
    let (fast, slow) = (read(&fast), read(&slow));
    // Rows without a microdata row come after the others: compare the rows, not their order.
    let sorted = |text: &str| {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        lines[1..].sort();
        lines
    };
    assert_eq!(
        sorted(&fast),
        sorted(&slow),
        "the two ways of writing the answers agree cell for cell"
    );
}

mod threshold {
    use dxsurvey::app::App;
    use dxsurvey::auth::StaffRole;
    use dxsurvey::demo::{DemoOptions, generate};
    use rocket::http::Cookie;
    use rocket::local::asynchronous::Client;

    use crate::helpers::{rocket_with, signed_in};

    /// The suppressed area figures the API reports with a configured threshold.
    async fn suppressed_with(threshold: u32) -> (u64, usize) {
        let (rocket, _dir) = rocket_with(|c| c.suppression_threshold = threshold);
        let client = Client::untracked(rocket).await.unwrap();
        let app = client.rocket().state::<App>().unwrap().clone();
        let wave = dxsurvey::kernel::format::today().year().to_string();
        generate(
            &app,
            &DemoOptions {
                responses: 500,
                seed: 4,
                wave,
                with_frame: true,
                order_effect: 0.0,
                sample: None,
            },
        )
        .unwrap();
        let (token, _) = signed_in(&app, "stat@hanoi.gov.vn", StaffRole::Statistician, &[]);
        let body = client
            .get("/api/v1/figures?breakdown=size_class")
            .private_cookie(Cookie::new("dx_session", token.clone()))
            .dispatch()
            .await
            .into_string()
            .await
            .unwrap();
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        let hidden =
            json["figures"].as_array().unwrap().iter().filter(|f| f["suppressed"] == true).count();
        (json["threshold"].as_u64().unwrap(), hidden)
    }

    #[rocket::async_test]
    async fn the_threshold_comes_from_the_configuration_and_never_drops_below_three() {
        let (five, hidden_at_five) = suppressed_with(5).await;
        let (forty, hidden_at_forty) = suppressed_with(40).await;
        let (floor, _) = suppressed_with(1).await;
        assert_eq!((five, forty, floor), (5, 40, 3));
        assert!(
            hidden_at_forty > hidden_at_five,
            "a higher threshold hides more: {hidden_at_five} -> {hidden_at_forty}"
        );
    }

    /// The smallest published `n` of an aggregates CSV, and how many cells it publishes.
    fn smallest_published(csv_text: &str) -> (u32, usize) {
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let n_column = reader.headers().unwrap().iter().position(|h| h == "n").unwrap();
        let published: Vec<u32> = reader
            .records()
            .map(|r| r.unwrap())
            .filter(|r| !r[n_column].is_empty())
            .map(|r| r[n_column].parse().unwrap())
            .collect();
        (published.iter().copied().min().unwrap_or(u32::MAX), published.len())
    }

    /// The cells of an area page's level table: a count, or `None` where it is hidden.
    /// The submitted counts an area page prints, one per questionnaire: `None` where hidden.
    fn submitted_counts(html: &str) -> Vec<Option<u32>> {
        html.split("Phiếu đã nộp: <strong>")
            .skip(1)
            .map(|cell| cell.split('<').next().and_then(|n| n.trim().parse().ok()))
            .collect()
    }

    #[rocket::async_test]
    async fn a_configured_threshold_of_ten_holds_on_pages_api_pdfs_and_exports_from_web_and_command_line()
     {
        use crate::helpers::{config, run, text};
        use dxsurvey::web::{Templates, build};
        use tempfile::TempDir;

        let dir = TempDir::new().unwrap();
        let db = dir.path().join("dxsurvey.db");
        let env = [("ROCKET_SUPPRESSION_THRESHOLD", "10")];
        let wave = dxsurvey::kernel::format::today().year().to_string();
        let demo = run(&dir, &["demo", "--responses", "3000", "--seed", "7", "--with-frame"], &env);
        assert!(demo.status.success(), "{:?}", text(&demo));
        let config = dxsurvey::config::AppConfig {
            database: db.clone(),
            suppression_threshold: 10,
            ..config(&dir)
        };
        let app = App::start(&config).unwrap();
        let templates = Templates::load(&config.templates).unwrap();
        let client =
            Client::untracked(build(app.clone(), templates, &config).unwrap()).await.unwrap();
        let (stat, _) = signed_in(&app, "stat@hanoi.gov.vn", StaffRole::Statistician, &[]);
        let (official, _) = signed_in(&app, "ward@hanoi.gov.vn", StaffRole::Official, &["00070"]);
        let get = |path: &str, session: &str| {
            client
                .get(path.to_string())
                .private_cookie(Cookie::new("dx_session", session.to_string()))
        };

        // The API says 10, and so does every aggregates file, from the web and the command line.
        let api = get("/api/v1/figures", &stat).dispatch().await.into_string().await.unwrap();
        let api: serde_json::Value = serde_json::from_str(&api).unwrap();
        assert_eq!(api["threshold"], 10);
        let web_csv =
            get("/stats/aggregates.csv", &stat).dispatch().await.into_string().await.unwrap();
        let (smallest, published) = smallest_published(&web_csv);
        assert!(published > 0 && smallest >= 10, "web export: n >= 10, got {smallest}");
        let out = dir.path().join("export");
        let export = run(&dir, &["export", "--wave", &wave, "--out", out.to_str().unwrap()], &env);
        assert!(export.status.success(), "{:?}", text(&export));
        let cli_csv = std::fs::read_to_string(out.join("aggregates.csv")).unwrap();
        assert_eq!(smallest_published(&cli_csv), (smallest, published), "command line = web");
        let default = run(&dir, &["export", "--wave", &wave, "--out", out.to_str().unwrap()], &[]);
        assert!(default.status.success());
        let (at_five, _) =
            smallest_published(&std::fs::read_to_string(out.join("aggregates.csv")).unwrap());
        assert!(at_five < 10, "the test data has cells of 5 to 9 that only 10 hides: {at_five}");

        // An official's area page prints counts only as the figures publish them, at 10 (not
        // only at 5), and no counts per level at all: the level shares are published figures.
        let page = get("/areas/00070", &official).dispatch().await.into_string().await.unwrap();
        let counts = submitted_counts(&page);
        assert_eq!(counts.len(), 2, "one count per questionnaire: {counts:?}");
        assert!(counts.iter().flatten().all(|&n| n == 0 || n >= 10), "{counts:?}");
        assert!(!page.contains("Phân bố theo mức độ trưởng thành"), "no level counts");
        assert!(page.contains("(10)"), "the page states the threshold");

        // The ward's PDF, from the web and from the command line, states the same threshold.
        let mut pdfs = vec![
            get("/areas/00070/report.pdf", &official).dispatch().await.into_bytes().await.unwrap(),
        ];
        let file = dir.path().join("area.pdf");
        let report = run(
            &dir,
            &[
                "report",
                "area",
                "--wave",
                &wave,
                "--area",
                "00070",
                "--out",
                file.to_str().unwrap(),
            ],
            &env,
        );
        assert!(report.status.success(), "{:?}", text(&report));
        pdfs.push(std::fs::read(&file).unwrap());
        for pdf in pdfs {
            if let Some(words) = crate::reports::pdf_text(&pdf) {
                assert!(words.contains("ít hơn 10 đơn vị"), "{words}");
            }
        }
    }
}
