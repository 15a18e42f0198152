//! Split-ballot experiments (issue 14): a questionnaire declares two orders of its modules;
//! each respondent is assigned one at random, stored with the response, and sees the pages in
//! that order; the dashboard and the API show each indicator's order effect with its 95%
//! interval.

use std::collections::HashMap;

use dxsurvey::app::App;
use dxsurvey::auth::StaffRole;
use rocket::http::{Cookie, Status};
use rocket::local::asynchronous::Client;
use serde_json::Value;
use tempfile::TempDir;

use crate::helpers::{run, signed_in, text};
use crate::respond::{example, page_fields, post, start};

fn app(client: &Client) -> &App {
    client.rocket().state::<App>().unwrap()
}

/// The arm stored with each response, by id.
fn arms(app: &App) -> HashMap<i64, Option<String>> {
    app.store
        .read(|c| {
            let mut statement = c.prepare("SELECT id, arm FROM responses")?;
            let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .unwrap()
}

#[rocket::async_test]
async fn each_respondent_is_assigned_an_arm_and_answers_in_its_order_with_the_same_scores() {
    let (rocket, _db) = crate::helpers::rocket_with(|c| c.split_ballot = true);
    let client = Client::tracked(rocket).await.unwrap();
    let plain = crate::respond::survey(&client, "enterprise-dx");
    let experiment = plain.experiment.as_ref().expect("the copy declares an experiment");
    let innovation_title = "Đổi mới sáng tạo";
    let customer_title = &plain.dimensions[0].title.vi;
    assert!(plain.pages.len() > 2 && plain.pages[1].home == dxsurvey::survey::Home::Section(1));

    let mut tokens = Vec::new();
    for n in 0..16 {
        let mut answers = example("enterprise-answers.json");
        answers.insert("tax_code".into(), Value::from(format!("01099{n:05}")));
        tokens.push((start(&client, "enterprise-dx", &answers).await, answers));
    }
    let assigned = arms(app(&client));
    let count = |arm: &str| assigned.values().filter(|a| a.as_deref() == Some(arm)).count();
    assert_eq!(assigned.len(), 16);
    assert!(count("innovation_last") > 0 && count("innovation_first") > 0, "{assigned:?}");
    assert_eq!(count("innovation_last") + count("innovation_first"), 16, "every one has an arm");

    // The second page is the arm's: innovation first, or the first digital dimension.
    let mut scores: HashMap<String, f64> = HashMap::new();
    for (token, answers) in &tokens[..6] {
        let page = client.get(format!("/r/{token}/p/2")).dispatch().await;
        let html = page.into_string().await.unwrap();
        let heading = html.split("<h1").nth(1).unwrap_or_default().to_string();
        let arm = stored_arm(app(&client), token);
        let variant = plain.for_arm(experiment.arm_idx(&arm).unwrap());
        if arm == "innovation_first" {
            assert!(heading.contains(innovation_title), "{arm}: {heading}");
        } else {
            assert!(heading.contains(customer_title.as_str()), "{arm}: {heading}");
        }
        // Back from the second page goes to the profile; every page of the arm in turn.
        let back = post(&client, &format!("/r/{token}/p/2"), &{
            let mut f = page_fields(&variant, 1, answers);
            f.retain(|(k, _)| k != "action");
            f.push(("action".into(), "back".into()));
            f
        })
        .await;
        assert_eq!(back.headers().get_one("Location"), Some(format!("/r/{token}/p/1").as_str()));
        for page in 1..variant.pages.len() {
            let uri = format!("/r/{token}/p/{}", page + 1);
            let saved = post(&client, &uri, &page_fields(&variant, page, answers)).await;
            assert_eq!(saved.status(), Status::SeeOther, "{arm}, page {}", page + 1);
        }
        let submitted = post(&client, &format!("/r/{token}/submit"), &[]).await;
        assert_eq!(submitted.status(), Status::SeeOther, "{arm}");
        let overall: f64 = app(&client)
            .store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT overall_score FROM responses r JOIN organisations o ON o.id = r.organisation_id WHERE o.identity = ?1",
                    [answers["tax_code"].as_str().unwrap()],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        scores.insert(arm, overall);
    }
    let values: Vec<f64> = scores.values().copied().collect();
    assert!(
        values.windows(2).all(|w| w[0] == w[1]),
        "the same answers score alike in every arm: {scores:?}"
    );
}

/// The arm of the response whose resume token is `token`.
fn stored_arm(app: &App, token: &str) -> String {
    let hash = dxsurvey::auth::SecretToken::parse(token).unwrap().hash();
    app.store
        .read(|c| {
            Ok(c.query_row("SELECT arm FROM responses WHERE resume_hash = ?1", [hash], |r| {
                r.get(0)
            })?)
        })
        .unwrap()
}

/// Responses that count, and those with the indicator, by arm, read from the database.
fn tallies(app: &App, wave: &str, indicator: &str) -> HashMap<String, (f64, f64)> {
    let path = format!("$.{indicator}");
    app.store
        .read(|c| {
            let mut statement = c.prepare(
                "SELECT arm, count(*), sum(json_extract(indicators, ?2)) FROM responses
                 WHERE wave_id = ?1 AND survey_id = 'enterprise-dx' AND status = 'submitted'
                   AND standing = 'counted' GROUP BY arm",
            )?;
            let rows = statement.query_map([wave, path.as_str()], |r| {
                Ok((r.get::<_, String>(0)?, (r.get::<_, f64>(1)?, r.get::<_, f64>(2)?)))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .unwrap()
}

/// Wilson's 95% interval, written out here from the textbook formula.
fn wilson(yes: f64, n: f64) -> (f64, f64) {
    let z = 1.959_963_984_540_054_f64;
    let p = yes / n;
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    (centre - half, centre + half)
}

#[rocket::async_test]
async fn a_demo_split_ballot_wave_shows_the_order_effect_with_its_interval() {
    let dir = TempDir::new().unwrap();
    let env: [(&str, &str); 0] = [];
    for (wave, effect) in [("2026", "0.02"), ("2027", "0")] {
        let args = [
            "demo",
            "--responses",
            "1500",
            "--seed",
            "3",
            "--wave",
            wave,
            "--with-frame",
            "--order-effect",
            effect,
        ];
        let output = run(&dir, &args, &env);
        assert!(output.status.success(), "{:?}", text(&output));
    }
    // The microdata carry each respondent's arm and questionnaire version, for analyses of
    // their own.
    let out = dir.path().join("export");
    let exported = run(&dir, &["export", "--wave", "2026", "--out", out.to_str().unwrap()], &env);
    assert!(exported.status.success(), "{:?}", text(&exported));
    let mut reader = csv::Reader::from_path(out.join("microdata.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (arm, version) = (column("experiment_arm"), column("version"));
    let mut exported_arms: HashMap<String, usize> = HashMap::new();
    for record in reader.records() {
        let record = record.unwrap();
        assert_eq!(&record[version], "2");
        *exported_arms.entry(record[arm].to_string()).or_default() += 1;
    }
    let package: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("datapackage.json")).unwrap())
            .unwrap();
    let fields = package["resources"][1]["schema"]["fields"].as_array().unwrap();
    let arm_field = fields.iter().find(|f| f["name"] == "experiment_arm").unwrap();
    assert_eq!(arm_field["categories"][1]["value"], "innovation_last");
    let refused = run(&dir, &["demo", "--responses", "5", "--order-effect", "1.5"], &env);
    assert!(!refused.status.success());
    assert!(text(&refused).1.contains("--order-effect is a chance between 0 and 1, not 1.5"));

    let (rocket, _unused) =
        crate::helpers::rocket_with(|c| c.database = dir.path().join("dxsurvey.db"));
    let client = Client::untracked(rocket).await.unwrap();
    let (session, _) = signed_in(app(&client), "stat@hanoi.gov.vn", StaffRole::Statistician, &[]);
    let get = |uri: String| {
        let session = session.clone();
        let client = &client;
        async move {
            let response =
                client.get(uri).private_cookie(Cookie::new("dx_session", session)).dispatch().await;
            assert_eq!(response.status(), Status::Ok);
            response.into_string().await.unwrap()
        }
    };

    let mut differences = HashMap::new();
    for wave in ["2026", "2027"] {
        let body = get(format!("/api/v1/experiment?wave={wave}&survey=enterprise-dx")).await;
        let json: Value = serde_json::from_str(&body).unwrap();
        let experiment = &json["experiment"];
        assert_eq!(experiment["experiment"], "module_order");
        assert_eq!(experiment["arms"][0]["id"], "innovation_first");
        assert_eq!(experiment["arms"][0]["reference"], true);
        let indicator = experiment["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == "innovation_active")
            .expect("the headline indicator");
        let counted = tallies(app(&client), wave, "innovation_active");
        let (n_last, yes_last) = counted["innovation_last"];
        let (n_first, yes_first) = counted["innovation_first"];
        assert_eq!(experiment["arms"][0]["respondents"].as_f64(), Some(n_first));
        if wave == "2026" {
            assert_eq!(exported_arms["innovation_last"] as f64, n_last, "{exported_arms:?}");
            assert_eq!(exported_arms["innovation_first"] as f64, n_first);
            assert_eq!(exported_arms.len(), 2, "every exported row has its arm");
        }
        assert_eq!(experiment["arms"][1]["respondents"].as_f64(), Some(n_last));
        let share = &indicator["shares"][1];
        assert!((share["estimate"].as_f64().unwrap() - yes_last / n_last).abs() < 1e-12);
        let (low, high) = wilson(yes_last, n_last);
        assert!((share["ci_low"].as_f64().unwrap() - low).abs() < 1e-12);
        assert!((share["ci_high"].as_f64().unwrap() - high).abs() < 1e-12);
        let effect = &indicator["effects"][0];
        assert_eq!(effect["arm"], "innovation_last");
        let d = effect["estimate"].as_f64().unwrap();
        assert!((d - (yes_last / n_last - yes_first / n_first)).abs() < 1e-12);
        // Newcombe's hybrid score interval from the two Wilson intervals.
        let (l_first, u_first) = wilson(yes_first, n_first);
        let p_first = yes_first / n_first;
        let p_last = yes_last / n_last;
        let expected_low = d - ((p_last - low).powi(2) + (u_first - p_first).powi(2)).sqrt();
        let expected_high = d + ((high - p_last).powi(2) + (p_first - l_first).powi(2)).sqrt();
        assert!((effect["ci_low"].as_f64().unwrap() - expected_low).abs() < 1e-12);
        assert!((effect["ci_high"].as_f64().unwrap() - expected_high).abs() < 1e-12);
        differences.insert(wave, (d, expected_low, expected_high));

        let html = get(format!("/stats?wave={wave}&survey=enterprise-dx")).await;
        let title = &app(&client)
            .catalog
            .current("enterprise-dx")
            .unwrap()
            .experiment
            .as_ref()
            .unwrap()
            .title
            .vi;
        assert!(html.contains(&format!("Thử nghiệm chia phiếu: {title}")), "{wave}");
        let points = |x: f64| {
            let text = format!("{:.1}", x * 100.0).replace('.', ",");
            if x > 0.0 { format!("+{text}") } else { text }
        };
        assert!(
            html.contains(&format!(
                "{} <span class=\"meta\">({} – {})</span>",
                points(d),
                points(expected_low),
                points(expected_high)
            )),
            "the dashboard shows the effect on innovation_active with its interval ({wave})"
        );
    }
    // Respondents who meet the innovation module last (after the digital items) answer its
    // yes/no items "yes" more often in the simulated wave: the effect of putting it last is
    // positive, and its interval leaves out 0; without the simulated effect it holds 0.
    let (d, low, high) = differences["2026"];
    assert!(d > 0.05 && low > 0.0, "{d} [{low}, {high}]");
    let (d, low, high) = differences["2027"];
    assert!(low < 0.0 && 0.0 < high && d.abs() < 0.05, "{d} [{low}, {high}]");

    let audited: i64 = app(&client)
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM audit_log WHERE action = 'api' AND detail = 'experiment'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(audited, 2, "every API answer is in the audit log");

    // A questionnaire without an experiment: the API says so, the dashboard shows none.
    let body = get("/api/v1/experiment?wave=2026&survey=agency-dx".to_string()).await;
    let json: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["experiment"], Value::Null);
    let html = get("/stats?wave=2026&survey=agency-dx".to_string()).await;
    assert!(!html.contains("Thử nghiệm chia phiếu"));
}
