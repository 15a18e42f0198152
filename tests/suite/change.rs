//! The change between two sample waves drawn from the same register, as the office publishes it
//! toward the target: on the dashboard, in the API and in the city and ward PDFs, with its
//! interval and the organisations that answered both waves; never for a ward whose estimate is
//! suppressed in either wave.

use dxsurvey::app::App;
use dxsurvey::auth::StaffRole;
use dxsurvey::figures::{Figures, Group, change, figures, sample};
use dxsurvey::kernel::format::{points, points_range};
use dxsurvey::reference::AreaCode;
use dxsurvey::survey::Lang;
use rocket::http::Cookie;
use rocket::local::asynchronous::Client;
use tempfile::TempDir;

use crate::helpers::{run, text};

const FIRST: &str = "2026";
const LATEST: &str = "2027";
const SURVEY: &str = "enterprise-dx";
const INDICATOR: &str = "innovation_active";

/// Two waves of 3,000 sampled from the same register of 20,000, each calibrated to ward and
/// section totals.
fn two_sample_waves(dir: &TempDir) {
    for (wave, seed) in [(FIRST, "5"), (LATEST, "6")] {
        let args =
            ["demo", "--register", "20000", "--sample", "3000", "--wave", wave, "--seed", seed];
        let output = run(dir, &args, &[]);
        assert!(output.status.success(), "{}", text(&output).1);
        let args = ["calibrate", "--wave", wave, "--margins", "area,section"];
        let output = run(dir, &args, &[]);
        let said = text(&output).0;
        assert!(said.contains("estimator sample_calibrated_linear"), "{said}");
    }
}

/// Organisations with a counted response of a sampled enterprise in both waves, counted in
/// the database file itself.
fn in_both_samples(dir: &TempDir) -> u32 {
    let db = rusqlite::Connection::open(dir.path().join("dxsurvey.db")).unwrap();
    db.query_row(
        "SELECT count(*) FROM responses a JOIN responses b ON a.organisation_id = b.organisation_id
         WHERE a.wave_id = ?1 AND b.wave_id = ?2 AND a.survey_id = ?3 AND b.survey_id = ?3
           AND a.status = 'submitted' AND b.status = 'submitted'
           AND a.standing = 'counted' AND b.standing = 'counted'
           AND a.register_unit_id IN (SELECT unit_id FROM sample_units WHERE wave_id = ?1)
           AND b.register_unit_id IN (SELECT unit_id FROM sample_units WHERE wave_id = ?2)",
        [FIRST, LATEST, SURVEY],
        |r| r.get(0),
    )
    .unwrap()
}

async fn client_on(dir: &TempDir) -> (Client, TempDir) {
    let database = dir.path().join("dxsurvey.db");
    let (rocket, other) = crate::helpers::rocket_with(|c| c.database = database.clone());
    (Client::tracked(rocket).await.unwrap(), other)
}

/// The published estimate of the indicator for `group` in figures `f`, if any.
fn published(f: &Figures, group: &Group) -> Option<f64> {
    let v = f.indicator(INDICATOR).unwrap();
    let figure = f.figures.iter().find(|x| x.group == *group && x.variable == v)?;
    figure.estimate.as_ref().map(|e| e.estimate)
}

fn pdf_words(dir: &TempDir, args: &[&str]) -> Option<String> {
    let pdf = dir.path().join(format!("report-{}.pdf", fastrand::u32(..)));
    let mut all = args.to_vec();
    all.extend(["--wave", LATEST, "--lang", "en", "--out", pdf.to_str().unwrap()]);
    let output = run(dir, &all, &[]);
    assert!(output.status.success(), "{}", text(&output).1);
    let words = crate::reports::poppler("pdftotext", &std::fs::read(&pdf).unwrap(), &[])?;
    Some(words.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The city's change on every output, then the wards' (below), on one pair of waves.
#[rocket::async_test]
async fn the_change_since_the_first_wave_is_published_with_its_interval() {
    let dir = TempDir::new().unwrap();
    two_sample_waves(&dir);
    let both = in_both_samples(&dir);
    assert!(both > 100, "organisations in both samples: {both}");
    let (client, _other) = client_on(&dir).await;
    let app = client.rocket().state::<App>().unwrap();

    // What the statistics give: the difference of the two published city estimates, with the
    // organisations of both waves counted, some of them in a stratum both waves share.
    let (first, latest) =
        (sample(app, FIRST, SURVEY).unwrap(), sample(app, LATEST, SURVEY).unwrap());
    let city = change(app, &first, &latest, INDICATOR, None).unwrap();
    let difference = published(&figures(app, LATEST, SURVEY).unwrap(), &Group::All).unwrap()
        - published(&figures(app, FIRST, SURVEY).unwrap(), &Group::All).unwrap();
    assert!((city.change - difference).abs() < 1e-12, "{} vs {difference}", city.change);
    assert_eq!(city.common, both);
    assert!(city.counted > 0 && city.counted <= city.common, "{city:?}");
    let interval = city.interval.unwrap();
    assert!(interval.low < city.change && city.change < interval.high);

    // The dashboard.
    let (session, _) =
        crate::helpers::signed_in(app, "stat@hanoi.gov.vn", StaffRole::Statistician, &[]);
    let get =
        |path: String| client.get(path).private_cookie(Cookie::new("dx_session", session.clone()));
    let html = get(format!("/stats?wave={LATEST}&survey={SURVEY}")).dispatch().await;
    let html = html.into_string().await.unwrap();
    let expected = format!(
        "Thay đổi so với năm {FIRST}: {} (khoảng tin cậy 95% của thay đổi: {}; {both} đơn vị trả lời cả hai đợt)",
        points(city.change, Lang::Vi),
        points_range(interval.low, interval.high, Lang::Vi),
    );
    assert!(html.contains(&expected), "{expected}\n{html}");

    // The API.
    let api = get(format!("/api/v1/figures?wave={LATEST}&survey={SURVEY}")).dispatch().await;
    let json: serde_json::Value = serde_json::from_str(&api.into_string().await.unwrap()).unwrap();
    let changes = json["changes"].as_array().unwrap();
    let given = changes.iter().find(|c| c["indicator"] == format!("ind_{INDICATOR}")).unwrap();
    assert_eq!(
        (given["from_wave"].as_str(), given["to_wave"].as_str()),
        (Some(FIRST), Some(LATEST))
    );
    for (field, value) in [
        ("change", city.change),
        ("se", city.se),
        ("ci_low", interval.low),
        ("ci_high", interval.high),
        ("covariance", city.covariance),
    ] {
        // The service sums in its own order: the same figure, to the last bit or two.
        let given = given[field].as_f64().unwrap();
        assert!(
            (given - value).abs() <= 1e-12 * value.abs().max(1e-3),
            "{field}: {given} vs {value}"
        );
    }
    assert_eq!(given["common"].as_u64(), Some(u64::from(both)));

    // The city's PDF.
    if let Some(words) = pdf_words(&dir, &["report", "city"]) {
        let expected = format!(
            "Change from the {FIRST} wave to the {LATEST} wave: {} (95% interval: {};",
            points(city.change, Lang::En),
            points_range(interval.low, interval.high, Lang::En),
        );
        assert!(words.contains(&expected), "{expected}\n{words}");
    }
    a_ward_gets_its_change_only_where_both_estimates_are_published(&dir, &client, &session).await;
}

/// A ward's change is published only where its estimate is published in both waves: from what
/// the API and the ward's PDF give, a suppressed estimate cannot be recovered as the published
/// one minus the change.
async fn a_ward_gets_its_change_only_where_both_estimates_are_published(
    dir: &TempDir,
    client: &Client,
    session: &str,
) {
    let app = client.rocket().state::<App>().unwrap();
    let wards: Vec<AreaCode> = app.reference.areas.iter().map(|a| a.code.clone()).collect();
    let (earlier, later) =
        (figures(app, FIRST, SURVEY).unwrap(), figures(app, LATEST, SURVEY).unwrap());
    let (mut published_in_both, mut suppressed_in_one) = (None, None);
    for ward in &wards {
        let group = Group::Area(ward.clone());
        match (published(&earlier, &group), published(&later, &group)) {
            (Some(_), Some(_)) => published_in_both = published_in_both.or(Some(ward.clone())),
            (None, Some(_)) => suppressed_in_one = suppressed_in_one.or(Some(ward.clone())),
            _ => {}
        }
    }
    let (both, one) = (
        published_in_both.unwrap(),
        suppressed_in_one.expect("a ward suppressed in the first wave"),
    );
    let api = |ward: &AreaCode| {
        client
            .get(format!("/api/v1/areas/{ward}/figures?wave={LATEST}&survey={SURVEY}"))
            .private_cookie(Cookie::new("dx_session", session.to_string()))
    };
    let json = |body: String| serde_json::from_str::<serde_json::Value>(&body).unwrap();
    let given = json(api(&both).dispatch().await.into_string().await.unwrap());
    let (first, latest) =
        (sample(app, FIRST, SURVEY).unwrap(), sample(app, LATEST, SURVEY).unwrap());
    let expected =
        change(app, &first, &latest, INDICATOR, Some(std::slice::from_ref(&both))).unwrap();
    let row = &given["changes"][0];
    assert_eq!(row["change"].as_f64(), Some(expected.change), "{given}");
    assert_eq!(row["se"].as_f64(), Some(expected.se));

    let withheld = json(api(&one).dispatch().await.into_string().await.unwrap());
    assert_eq!(withheld["changes"].as_array().map(Vec::len), Some(0), "{withheld}");
    let args = ["report", "area", "--area", one.as_str()];
    if let Some(words) = pdf_words(dir, &args) {
        assert!(!words.contains("Change from the"), "{words}");
    }
    let args = ["report", "area", "--area", both.as_str()];
    if let Some(words) = pdf_words(dir, &args) {
        assert!(
            words.contains(&format!(
                "Change from the {FIRST} wave to the {LATEST} wave: {}",
                points(expected.change, Lang::En)
            )),
            "{words}"
        );
    }
}
