//! The attack suite (docs/disclosure.md): each attack is run as an attacker would, through the
//! product's own pages with only what they show, first against a deliberately weakened policy
//! (where it must succeed, so the test can fail) and then against the real one (where it must
//! recover nothing). Time passing is simulated by moving stored submission times back a day.

use dxsurvey::app::App;
use dxsurvey::policy::DisclosurePolicy;
use dxsurvey::web::{Templates, build};
use rocket::local::asynchronous::Client;
use serde_json::{Map, Value};
use tempfile::TempDir;

use crate::helpers::config;
use crate::respond::{answer_all, example, post, start, survey};

/// The application with `policy` applied to `App::start`'s.
async fn client_with(weaken: bool) -> (Client, TempDir) {
    let dir = TempDir::new().unwrap();
    let config = config(&dir);
    let app = App::start(&config).unwrap();
    let policy =
        if weaken { app.policy.with_unprotected_benchmarks() } else { DisclosurePolicy::new(5) };
    let app = App { policy, ..app };
    let templates = Templates::load(&config.templates).unwrap();
    (Client::tracked(build(app, templates, &config).unwrap()).await.unwrap(), dir)
}

fn app(client: &Client) -> &App {
    client.rocket().state::<App>().unwrap()
}

/// The example enterprise with another tax code and name; `varied` changes answers so that its
/// scores differ from the example's on every dimension.
fn enterprise(n: usize, varied: bool) -> Map<String, Value> {
    let mut answers = example("enterprise-answers.json");
    answers.insert("tax_code".into(), Value::from(format!("0108{n:06}")));
    answers.insert("legal_name".into(), Value::from(format!("Công ty Thử {n}")));
    if varied {
        for (question, value) in
            [("customer_channels", 1), ("customer_data", 5), ("dx_strategy", 5), ("dx_kpi", 4)]
        {
            answers.insert(question.into(), Value::from(value));
        }
    }
    answers
}

/// Starts, answers and submits; returns the private link's token.
async fn submit(client: &Client, answers: &Map<String, Value>) -> String {
    let survey = survey(client, "enterprise-dx");
    let token = start(client, "enterprise-dx", answers).await;
    answer_all(client, &survey, &token, answers).await;
    post(client, &format!("/r/{token}/submit"), &[]).await;
    token
}

async fn result_page(client: &Client, token: &str) -> String {
    client.get(format!("/r/{token}/result")).dispatch().await.into_string().await.unwrap()
}

/// The numbers an attacker reads off a result page's chart: the organisation's own dimension
/// scores (the bars) and the ward's means (the marks), at the precision the page gives.
fn chart(html: &str) -> (Vec<f64>, Vec<f64>) {
    let attribute = |tag: &str, name: &str| -> Vec<f64> {
        html.split('<')
            .filter(|e| e.contains(&format!("class=\"{tag}\"")))
            .filter_map(|e| {
                let from = e.find(&format!("{name}=\""))? + name.len() + 2;
                e[from..].split('"').next()?.parse().ok()
            })
            .collect()
    };
    // The chart draws 0–100 over 320 units from x = 4.
    let own = attribute("bar", "width").into_iter().map(|w| w * 100.0 / 320.0).collect();
    let ward =
        attribute("mark-area", "x1").into_iter().map(|x| (x - 4.0) * 100.0 / 320.0).collect();
    (own, ward)
}

/// The true dimension scores of a response, as stored.
fn stored_scores(client: &Client, tax_code: &str) -> Vec<f64> {
    let json: String = app(client)
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT r.scores FROM responses r JOIN organisations o ON o.id = r.organisation_id
                 WHERE o.identity = ?1",
                [tax_code],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    let survey = survey(client, "enterprise-dx");
    let scores: Map<String, Value> = serde_json::from_str(&json).unwrap();
    survey.dimensions.iter().map(|d| scores[&d.id].as_f64().unwrap_or(f64::NAN)).collect()
}

/// A day passes: everything submitted so far, and every snapshot taken, happened a day earlier.
fn a_day_passes(client: &Client) {
    app(client)
        .store
        .write(|tx| {
            tx.execute(
                "UPDATE responses SET submitted_at = strftime('%Y-%m-%dT%H:%M:%fZ', submitted_at, '-1 day')
                 WHERE submitted_at IS NOT NULL",
                [],
            )?;
            tx.execute("UPDATE benchmarks SET taken_on = date(taken_on, '-1 day')", [])?;
            Ok(())
        })
        .unwrap();
}

/// The sybil attack: made-up enterprises fill the victim's ward, then one of them reads the
/// ward's means and subtracts what it knows of the others.
async fn sybil(weaken: bool) -> (Vec<f64>, Vec<f64>, String) {
    let (client, _dir) = client_with(weaken).await;
    let victim = enterprise(0, true);
    submit(&client, &victim).await;
    let fakes = 9;
    let mut tokens = Vec::new();
    for n in 1..=fakes {
        tokens.push(submit(&client, &enterprise(n, false)).await);
    }
    if !weaken {
        a_day_passes(&client);
    }
    let page = result_page(&client, &tokens[0]).await;
    let (own, ward) = chart(&page);
    // Unprotected, the mean is over the others (the victim and 8 fakes); protected, over the
    // snapshot of all ten.
    let estimate = own
        .iter()
        .zip(&ward)
        .map(|(fake, mean)| if weaken { 9.0 * mean - 8.0 * fake } else { 10.0 * mean - 9.0 * fake })
        .collect();
    (estimate, stored_scores(&client, "0108000000"), page)
}

#[rocket::async_test]
async fn made_up_enterprises_cannot_read_a_real_ones_scores_off_the_benchmarks() {
    let (estimate, truth, _) = sybil(true).await;
    assert_eq!(estimate.len(), truth.len(), "the attacker reads every dimension");
    for (e, t) in estimate.iter().zip(&truth) {
        assert!((e - t).abs() < 1e-6, "weakened: the victim's score {t} is recovered ({e})");
    }

    let (estimate, truth, page) = sybil(false).await;
    assert_eq!(estimate.len(), truth.len(), "the benchmark is shown: {page}");
    let (_, ward) = chart(&page);
    assert!(ward.iter().all(|m| (m - m.round()).abs() < 1e-9), "whole points only: {ward:?}");
    assert!(page.contains("10 đơn vị đã nộp phiếu trước ngày"), "the group and its day are said");
    // Whole points over ten responses leave the victim anywhere in a 10-point interval: the
    // attacker's best guess is off by more than rounding on some dimension, and on none can it
    // tell the truth from a score 3 points away.
    let missed = estimate.iter().zip(&truth).filter(|(e, t)| (*e - *t).abs() > 0.5).count();
    assert!(missed > 0, "protected: {estimate:?} against {truth:?}");
}

/// Before-and-after differencing: a respondent reads its result page, the victim submits, it
/// reads again and subtracts.
async fn differencing(weaken: bool) -> (Vec<f64>, Vec<f64>, Vec<String>) {
    let (client, _dir) = client_with(weaken).await;
    let mut tokens = Vec::new();
    for n in 1..=11 {
        tokens.push(submit(&client, &enterprise(n, false)).await);
    }
    if !weaken {
        a_day_passes(&client);
    }
    let attacker = &tokens[0];
    let before = result_page(&client, attacker).await;
    submit(&client, &enterprise(0, true)).await;
    let after_same_day = result_page(&client, attacker).await;
    if !weaken {
        a_day_passes(&client);
    }
    let after = result_page(&client, attacker).await;
    let ((own, m1), (_, m2)) = (chart(&before), chart(&after));
    // Unprotected: 10 others before, 11 after.
    let estimate =
        own.iter().zip(m1.iter().zip(&m2)).map(|(_, (a, b))| 11.0 * b - 10.0 * a).collect();
    (estimate, stored_scores(&client, "0108000000"), vec![before, after_same_day, after])
}

#[rocket::async_test]
async fn reading_the_benchmark_before_and_after_a_submission_reveals_nothing() {
    let (estimate, truth, _) = differencing(true).await;
    for (e, t) in estimate.iter().zip(&truth) {
        assert!((e - t).abs() < 1e-6, "weakened: the victim's score {t} is recovered ({e})");
    }

    let (_, _, pages) = differencing(false).await;
    // The benchmark part of the page, without the snapshot's date (which moving the clock by
    // hand shifts too, where in real time it would stay the same).
    let peers = |page: &str| {
        let from = page.find("id=\"dims-title\"").unwrap();
        let to = page.find("id=\"ind-title\"").unwrap();
        let part = &page[from..to];
        part.split("trước ngày ")
            .map(|s| s.split_once(')').map_or(s, |(_, rest)| rest))
            .collect::<Vec<_>>()
            .join("|")
    };
    assert!(pages[0].contains("class=\"mark-area\""), "the attacker sees a benchmark");
    assert_eq!(peers(&pages[0]), peers(&pages[1]), "the same day: nothing moves");
    assert_eq!(peers(&pages[0]), peers(&pages[2]), "a day later, one new response: nothing moves");
}

#[rocket::async_test]
async fn a_small_group_gets_no_benchmark_and_says_why() {
    let (client, _dir) = client_with(false).await;
    let mut tokens = Vec::new();
    for n in 1..=9 {
        tokens.push(submit(&client, &enterprise(n, false)).await);
    }
    a_day_passes(&client);
    let page = result_page(&client, &tokens[0]).await;
    assert!(!page.contains("class=\"mark-area\""), "nine is under the minimum of ten");
    assert!(page.contains("cần ít nhất 10 đơn vị"), "{page}");
}

/// What an attacker with the figures API finds it can work out about fewer than `k` units, in
/// a wave without a frame (so that every share is a count over the group's respondents).
fn small_groups_in(api: &Value, k: f64) -> Vec<String> {
    let figures = api["figures"].as_array().unwrap();
    let mut found = Vec::new();
    let mut by_group: std::collections::HashMap<(&str, &str), Vec<&Value>> =
        std::collections::HashMap::new();
    for f in figures {
        let key = (f["breakdown"].as_str().unwrap(), f["group"].as_str().unwrap());
        by_group.entry(key).or_default().push(f);
    }
    let group_of = |f: &Value| {
        by_group
            .get(&(f["breakdown"].as_str().unwrap(), f["group"].as_str().unwrap()))
            .cloned()
            .unwrap_or_default()
    };
    // The respondents of a group, from any figure of it that is published.
    let units = |f: &Value| group_of(f).iter().find_map(|f| f["n"].as_f64());
    let small = |x: f64, n: f64| (x > 0.5 && x < k - 0.5) || (n - x > 0.5 && n - x < k - 0.5);
    for f in figures {
        let id = f["indicator"].as_str().unwrap();
        let shares = id.starts_with("ind_") || id.starts_with("level_");
        // 1. A published share of a few units, or of all but a few (0% and 100% of a group
        //    are something said of each of its units).
        if let (true, Some(share), Some(n)) = (shares, f["estimate"].as_f64(), f["n"].as_f64()) {
            let x = share * n;
            if small(x, n) || x < 0.5 || n - x < 0.5 {
                found.push(format!("{} {} {id}: {x:.0} of {n}", f["breakdown"], f["group"]));
            }
        }
    }
    // 2. The maturity levels of a group add up to its respondents: the hidden ones together.
    for f in figures.iter().filter(|f| f["indicator"] == "score_overall") {
        let Some(n) = units(f) else { continue };
        let levels: Vec<&Value> = group_of(f)
            .into_iter()
            .filter(|l| l["indicator"].as_str().is_some_and(|i| i.starts_with("level_")))
            .collect();
        let shown: f64 = levels.iter().filter_map(|l| l["estimate"].as_f64()).map(|s| s * n).sum();
        let hidden = levels.iter().filter(|l| l["estimate"].is_null()).count();
        if hidden > 0 && (hidden == 1 || small(n - shown, n)) {
            found.push(format!(
                "{} {}: {hidden} hidden levels hold {:.0}",
                f["breakdown"],
                f["group"],
                n - shown
            ));
        }
    }
    // 3. A published total minus its published parts: the hidden parts together, for every
    //    share (including all or none of them, which says something of each). The city against
    //    its wards, its sections and its size classes; each ward against its sections and its
    //    size classes.
    let variables: std::collections::BTreeSet<&str> = figures
        .iter()
        .filter_map(|f| f["indicator"].as_str())
        .filter(|i| !i.starts_with("score_"))
        .collect();
    let parts_of = |total: &Value| -> Vec<(&'static str, String)> {
        match total["breakdown"].as_str() {
            Some("city") => {
                ["area", "vsic_section", "size_class"].map(|b| (b, String::new())).to_vec()
            }
            Some("area") => {
                let prefix = format!("{}:", total["group"].as_str().unwrap_or_default());
                vec![("area_vsic_section", prefix.clone()), ("area_size_class", prefix)]
            }
            _ => vec![],
        }
    };
    // A group of wards is the sum of the wards it lists.
    let in_total = |total: &Value, part: &Value| match total["members"].as_array() {
        Some(members) => members.contains(&part["group"]),
        None => true,
    };
    let mut by_breakdown: std::collections::HashMap<(&str, &str), Vec<&Value>> =
        std::collections::HashMap::new();
    for f in figures {
        let key = (f["breakdown"].as_str().unwrap(), f["indicator"].as_str().unwrap());
        by_breakdown.entry(key).or_default().push(f);
    }
    for total in figures.iter().filter(|f| variables.contains(f["indicator"].as_str().unwrap())) {
        let (Some(share), Some(n)) = (total["estimate"].as_f64(), total["n"].as_f64()) else {
            continue;
        };
        let mut parts_of_total = parts_of(total);
        if total["breakdown"] == "group" {
            parts_of_total.push(("area", String::new()));
        }
        for (breakdown, prefix) in parts_of_total {
            let indicator = total["indicator"].as_str().unwrap();
            let parts: Vec<&Value> = by_breakdown
                .get(&(breakdown, indicator))
                .into_iter()
                .flatten()
                .copied()
                .filter(|f| f["group"].as_str().is_some_and(|g| g.starts_with(&prefix)))
                .filter(|f| in_total(total, f))
                .collect();
            if parts.iter().all(|a| !a["estimate"].is_null()) {
                continue;
            }
            let (mut x, mut units_left) = (share * n, n);
            for a in parts.iter().filter(|a| !a["estimate"].is_null()) {
                let m = a["n"].as_f64().unwrap();
                x -= a["estimate"].as_f64().unwrap() * m;
                units_left -= m;
            }
            if units_left > 0.5 && (small(x, units_left) || x < 0.5 || units_left - x < 0.5) {
                found.push(format!(
                    "{} {} {} less its {breakdown}: {x:.0} of {units_left}",
                    total["breakdown"], total["group"], total["indicator"]
                ));
            }
        }
    }
    found
}

/// `aggregates.csv` as the API's JSON, so that one analysis reads both.
fn csv_as_api(csv: &str) -> Value {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (breakdown, group, indicator, estimate, n) = (
        column("breakdown"),
        column("group"),
        column("indicator"),
        column("estimate"),
        column("n"),
    );
    let figures: Vec<Value> = lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            serde_json::json!({
                "breakdown": cells[breakdown],
                "group": cells[group],
                "indicator": cells[indicator],
                "estimate": cells[estimate].parse::<f64>().ok(),
                "n": cells[n].parse::<f64>().ok(),
            })
        })
        .collect();
    serde_json::json!({ "figures": figures })
}

/// A wave of `responses` demo responses (with a frame or not) under `policy`, and a signed-in
/// statistician's session: the folder, the settings, the application, the wave and the session.
fn statistician_on_demo(
    policy: DisclosurePolicy,
    responses: usize,
    seed: u64,
    with_frame: bool,
) -> (TempDir, dxsurvey::config::AppConfig, App, String, String) {
    let dir = TempDir::new().unwrap();
    let config = config(&dir);
    let app = App::start(&config).unwrap();
    let wave = dxsurvey::kernel::format::today().year().to_string();
    let options = dxsurvey::demo::DemoOptions {
        responses,
        seed,
        wave: wave.clone(),
        with_frame,
        order_effect: 0.0,
        sample: None,
    };
    dxsurvey::demo::generate(&app, &options).unwrap();
    let app = App { policy, ..app };
    let (session, _) = crate::helpers::signed_in(
        &app,
        "stat@hanoi.gov.vn",
        dxsurvey::auth::StaffRole::Statistician,
        &[],
    );
    (dir, config, app, wave, session)
}

/// What the shares attack found in each output.
struct Found {
    api: Vec<String>,
    csv: Vec<String>,
    pages: Vec<String>,
    /// `None` without poppler (outside CI).
    pdfs: Option<Vec<String>>,
}

/// A ward-level demonstration: a statistician reads the API, downloads the aggregates, and
/// reads every ward's page and PDF summary, and looks in each for anything about fewer than k
/// respondents.
async fn shares_attack(policy: DisclosurePolicy) -> Found {
    let (_dir, config, app, wave, session) = statistician_on_demo(policy, 1500, 3, false);
    // The attacker reads the questionnaire's title and labels, which are public.
    let figures = dxsurvey::figures::figures(&app, &wave, "enterprise-dx").unwrap();
    let title = app.catalog.current("enterprise-dx").unwrap().title.vi.clone();
    let labels: Vec<(String, String)> =
        figures.variables.iter().map(|v| (v.label.vi.clone(), v.id().to_string())).collect();
    let groups: Vec<(String, Vec<String>)> = app
        .reference
        .groups
        .iter()
        .map(|g| (g.code.clone(), g.areas.iter().map(ToString::to_string).collect()))
        .collect();
    let templates = Templates::load(&config.templates).unwrap();
    let client = Client::untracked(build(app, templates, &config).unwrap()).await.unwrap();
    let get = |path: String| {
        client.get(path).private_cookie(rocket::http::Cookie::new("dx_session", session.clone()))
    };
    // Every page of the API's figures, as a script reads them: following `next`.
    let mut next = Some(format!("/api/v1/figures?wave={wave}&limit=10000"));
    let mut api = Value::Null;
    while let Some(path) = next.take() {
        let page = get(path).dispatch().await.into_string().await.unwrap();
        let mut page: Value = serde_json::from_str(&page).unwrap();
        next = page["next"].as_str().map(str::to_string);
        match api["figures"].as_array_mut() {
            Some(all) => all.append(page["figures"].as_array_mut().unwrap()),
            None => api = page,
        }
    }
    let csv = get(format!("/stats/aggregates.csv?wave={wave}"))
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    let wards: std::collections::BTreeSet<String> = api["figures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["breakdown"] == "area")
        .map(|f| f["group"].as_str().unwrap().to_string())
        .collect();
    let wards: Vec<String> = wards.into_iter().collect();
    let (pages, pdfs) = crate::disclosure_pages::figures_of_wards(
        &client,
        &session,
        &wave,
        (&wards, &groups),
        (&title, &labels),
        "ind_innovation_active",
    )
    .await;
    Found {
        api: small_groups_in(&api, 5.0),
        csv: small_groups_in(&csv_as_api(&csv), 5.0),
        pages: small_groups_in(&pages, 5.0),
        pdfs: pdfs.map(|p| small_groups_in(&p, 5.0)),
    }
}

#[rocket::async_test]
async fn no_published_share_or_difference_of_shares_tells_of_fewer_than_k_respondents() {
    let weak = shares_attack(DisclosurePolicy::new(5).with_counts_only()).await;
    assert!(weak.api.len() > 10, "counts only: small groups are read off the API: {:?}", weak.api);
    assert_eq!(weak.api.len(), weak.csv.len(), "the CSV says what the API says: {:?}", weak.csv);
    assert!(weak.pages.len() > 10, "and off the ward pages: {:?}", weak.pages);
    if let Some(pdfs) = &weak.pdfs {
        assert!(pdfs.len() > 10, "and off the ward PDFs: {pdfs:?}");
    }
    let found = shares_attack(DisclosurePolicy::new(5)).await;
    assert!(found.api.is_empty(), "{:#?}", found.api);
    assert!(found.csv.is_empty(), "{:#?}", found.csv);
    assert!(found.pages.is_empty(), "{:#?}", found.pages);
    assert!(found.pdfs.as_ref().is_none_or(Vec::is_empty), "{:#?}", found.pdfs);
}

/// Links microdata rows back to the register through the design columns, as the issue measured
/// it: for each stratum (its pseudonym), the number of enterprises it stands for
/// (`stratum_population`) is compared with the frame's strata that agree with what its rows
/// show; a single match names the codes a row's blanks hide. Returns the blanked rows and how
/// many of them were named rightly (scored against the stored responses, which the attacker
/// does not have).
async fn linkage_attack(policy: DisclosurePolicy) -> (usize, usize) {
    let (_dir, config, app, wave, session) = statistician_on_demo(policy, 3000, 5, true);
    // What the attacker holds besides the file: the register's counts per stratum.
    let frame = app.store.read(|c| dxsurvey::store::frame(c, &wave)).unwrap();
    let truth = true_codes(&config);
    let templates = Templates::load(&config.templates).unwrap();
    let client = Client::untracked(build(app, templates, &config).unwrap()).await.unwrap();
    let microdata = client
        .get(format!("/stats/export/microdata.csv?wave={wave}"))
        .private_cookie(rocket::http::Cookie::new("dx_session", session))
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(microdata.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (id, area, section, size, population) = (
        column("respondent"),
        column("area_code"),
        column("vsic_section"),
        column("size_class"),
        column("stratum_population"),
    );
    let (mut blanked, mut named) = (0, 0);
    for row in reader.records().map(Result::unwrap) {
        let shown = [&row[area], &row[section], &row[size]];
        if shown.iter().all(|c| !c.is_empty()) {
            continue;
        }
        blanked += 1;
        let stands_for: f64 = row[population].parse().unwrap();
        let matches: Vec<_> = frame
            .iter()
            .filter(|(a, s, z, _)| {
                [a, s, z]
                    .iter()
                    .zip(shown)
                    .all(|(code, seen)| seen.is_empty() || code.as_str() == seen)
            })
            .filter(|(.., n)| (*n as f64 - stands_for).abs() < 0.5)
            .collect();
        if let [(a, s, z, _)] = matches[..]
            && truth[&row[id]] == (a.clone(), s.clone(), z.clone())
        {
            named += 1;
        }
    }
    (blanked, named)
}

/// Each submitted response's codes, by the pseudonym microdata gives it.
fn true_codes(
    config: &dxsurvey::config::AppConfig,
) -> std::collections::HashMap<String, (String, String, String)> {
    let key = dxsurvey::web::secret_key(config, &rocket::Config::figment()).unwrap();
    let conn = rusqlite::Connection::open(&config.database).unwrap();
    let mut statement = conn
        .prepare(
            "SELECT id, area_code, vsic_section, size_class FROM responses
             WHERE status = 'submitted' AND survey_id = 'enterprise-dx'",
        )
        .unwrap();
    statement
        .query_map([], |r| {
            Ok((
                dxsurvey::export::microdata::pseudonym(&key, r.get(0)?),
                (r.get(1)?, r.get(2)?, r.get(3)?),
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[rocket::async_test]
async fn microdata_rows_cannot_be_linked_back_to_the_frame_through_the_design_columns() {
    let (blanked, named) = linkage_attack(DisclosurePolicy::new(5).with_fine_strata()).await;
    assert!(
        blanked > 100 && named * 5 > blanked,
        "strata finer than the codes give blanked codes back: {named} of {blanked}"
    );
    let (blanked, named) = linkage_attack(DisclosurePolicy::new(5)).await;
    assert!(blanked > 100, "{blanked}");
    assert_eq!(named, 0, "{named} of {blanked} blanked rows named");
}
