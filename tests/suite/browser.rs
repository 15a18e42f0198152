//! A real browser completes the enterprise questionnaire in Vietnamese, as a new user would:
//! headless Chromium driven through WebDriver (chromedriver), against the real binary.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). Without them the
//! test says so and passes, except under CI, where it fails.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dxsurvey::answers::Answers;
use dxsurvey::reference::Reference;
use dxsurvey::scoring::score;
use dxsurvey::survey::load_file;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Map, Value};
use tempfile::TempDir;

use crate::helpers::{Running, free_port, repo, wait_for};
use crate::respond::example;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub async fn browser(driver: u16, profile: &Path) -> Client {
    sized_browser(driver, profile, (1200, 1000)).await
}

/// A browser whose window is `size` (width, height) CSS pixels.
pub async fn sized_browser(driver: u16, profile: &Path, size: (u32, u32)) -> Client {
    let options = serde_json::json!({
        "binary": CHROMIUM,
        "args": [
            "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", format!("--window-size={},{}", size.0, size.1), "--lang=vi",
            format!("--user-data-dir={}", profile.display()),
        ],
        // A Vietnamese user's browser: Accept-Language is the first guess of the language.
        "prefs": { "intl.accept_languages": "vi-VN,vi" },
    });
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".into(), Value::from("chrome"));
    capabilities.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{driver}"))
        .await
        .expect("a WebDriver session")
}

/// Fills in every question on the current page that `answers` answers, as a person would.
pub async fn fill_page(browser: &Client, answers: &Map<String, Value>) {
    for question in browser.find_all(Locator::Css("div.question")).await.unwrap() {
        let id = question
            .attr("id")
            .await
            .unwrap()
            .unwrap_or_default()
            .trim_start_matches("q-")
            .to_string();
        let values: Vec<String> = match answers.get(&id) {
            Some(Value::Array(items)) => {
                items.iter().map(|v| v.as_str().unwrap().to_string()).collect()
            }
            Some(Value::String(s)) => vec![s.clone()],
            Some(other) => vec![other.to_string()],
            None => continue,
        };
        for value in &values {
            if let Ok(choice) = question.find(Locator::Id(&format!("{id}-{value}"))).await {
                if !choice.is_selected().await.unwrap() {
                    choice.click().await.unwrap();
                }
            } else if let Ok(select) = question.find(Locator::Css("select")).await {
                select.select_by_value(value).await.unwrap();
            } else {
                let input = question.find(Locator::Id(&id)).await.unwrap();
                input.clear().await.unwrap();
                input.send_keys(value).await.unwrap();
            }
        }
        if let (Some(Value::String(other)), Ok(input)) = (
            answers.get(&format!("{id}_other")),
            question.find(Locator::Id(&format!("{id}_other"))).await,
        ) {
            input.clear().await.unwrap();
            input.send_keys(other).await.unwrap();
        }
    }
}

/// Clicks `selector` and waits until the browser has left the page (its elements go stale).
pub async fn click_and_wait(browser: &Client, selector: &str) {
    let button = browser.find(Locator::Css(selector)).await.unwrap();
    button.click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while button.is_displayed().await.is_ok() {
        assert!(Instant::now() < deadline, "the page did not change after clicking {selector}");
        rocket::tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub async fn next(browser: &Client) {
    click_and_wait(browser, "form#answers button[value=next]").await;
}

pub async fn assert_no_error_page(browser: &Client) {
    let source = browser.source().await.unwrap();
    assert!(
        !source.contains("Đã có lỗi xảy ra") && !source.contains("Yêu cầu không hợp lệ"),
        "{source}"
    );
    assert!(source.contains("<html lang=\"vi\">"), "the flow stays in Vietnamese");
}

/// Answers pages until the review page, at most `limit` pages.
pub async fn answer_pages(browser: &Client, answers: &Map<String, Value>, limit: usize) {
    for _ in 0..limit {
        if browser.current_url().await.unwrap().path().ends_with("/review") {
            return;
        }
        fill_page(browser, answers).await;
        next(browser).await;
        assert_no_error_page(browser).await;
    }
}

/// Whether Chromium and chromedriver are here; under CI they must be.
pub fn browser_available() -> bool {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "CI must install chromium and chromium-driver");
    eprintln!("browser test not run: apt-get install chromium chromium-driver");
    false
}

/// The real server on the database `db` and a chromedriver, both stopped when dropped.
pub struct Rig {
    _server: Running,
    _driver: Running,
    pub app_port: u16,
    pub driver_port: u16,
}

impl Rig {
    pub fn launch(db: &Path) -> Rig {
        Rig::launch_with(db, false)
    }

    /// The server with random assignment to the questionnaire's experiment arms on or off.
    pub fn launch_with(db: &Path, split_ballot: bool) -> Rig {
        let (app_port, driver_port) = (free_port(), free_port());
        let server = Running(
            Command::new(env!("CARGO_BIN_EXE_dxsurvey"))
                .current_dir(repo())
                .args(["serve"])
                .env("DXSURVEY_DATABASE", db)
                .env("ROCKET_PORT", app_port.to_string())
                .env("ROCKET_LOG_LEVEL", "off")
                // Off, every walk follows the file's order of pages (the reference arm).
                .env("ROCKET_SPLIT_BALLOT", split_ballot.to_string())
                .stdout(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let driver = Running(
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={driver_port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        wait_for(app_port, "dxsurvey");
        wait_for(driver_port, "chromedriver");
        Rig { _server: server, _driver: driver, app_port, driver_port }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.app_port)
    }
}

#[rocket::async_test]
async fn a_new_user_completes_the_enterprise_questionnaire_in_a_real_browser_and_resumes_elsewhere()
{
    if !browser_available() {
        return;
    }
    let dir = TempDir::new().unwrap();
    let rig = Rig::launch(&dir.path().join("db.sqlite"));
    let (app_port, driver_port) = (rig.app_port, rig.driver_port);
    let answers = example("enterprise-answers.json");

    // First browser: the home page, the profile, the private link, a few pages, then it leaves.
    let first = browser(driver_port, &dir.path().join("profile-1")).await;
    first.goto(&format!("http://127.0.0.1:{app_port}/")).await.unwrap();
    assert_no_error_page(&first).await;
    click_and_wait(&first, "li[data-survey=enterprise-dx] a.button").await;
    // The language switch keeps the respondent on the same page.
    let profile_page = first.current_url().await.unwrap();
    click_and_wait(&first, "nav.lang [data-lang=en]").await;
    assert_eq!(first.current_url().await.unwrap(), profile_page);
    assert!(first.source().await.unwrap().contains("<html lang=\"en\">"));
    click_and_wait(&first, "nav.lang [data-lang=vi]").await;
    assert_eq!(first.current_url().await.unwrap(), profile_page);
    fill_page(&first, &answers).await;
    next(&first).await;
    assert_no_error_page(&first).await;
    let link =
        first.find(Locator::Id("resume-link")).await.unwrap().prop("value").await.unwrap().unwrap();
    assert!(link.starts_with(&format!("http://127.0.0.1:{app_port}/r/")), "{link}");
    click_and_wait(&first, "a.button.primary").await;
    answer_pages(&first, &answers, 3).await;
    let stopped = first.current_url().await.unwrap().path().to_string();
    first.close().await.unwrap();

    // Second browser, with nothing but the link: it resumes where the first stopped.
    let second = browser(driver_port, &dir.path().join("profile-2")).await;
    second.goto(&link).await.unwrap();
    let resumed = second.current_url().await.unwrap();
    // (A page that reveals a question on saving is shown again: three saves may leave the
    // respondent on the third page.)
    assert!(stopped.contains("/p/"), "{stopped}");
    assert_eq!(resumed.path(), stopped, "resumed at {resumed}");
    answer_pages(&second, &answers, 20).await;
    assert!(second.current_url().await.unwrap().path().ends_with("/review"));
    click_and_wait(&second, "form button.primary").await;
    assert_no_error_page(&second).await;

    let reference = Reference::load(&repo().join("surveys/reference")).unwrap();
    let survey = load_file(&repo().join("surveys/enterprise-dx.toml")).unwrap().survey;
    let expected = score(&survey, &Answers::from_json(&survey, &answers, &reference).unwrap());
    let level = second.find(Locator::Css(".level-name")).await.unwrap().text().await.unwrap();
    assert_eq!(level, survey.levels[expected.level.unwrap()].name.vi);
    second.close().await.unwrap();
}
