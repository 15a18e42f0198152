//! Respondents doing the real flow against a running server: the start page, the profile, every
//! page of the questionnaire, the submission. Every write the server acknowledges (a redirect to
//! the next step) is recorded, so that a crash test can check it survived.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use dxsurvey::answers::form::page_fields;
use dxsurvey::survey::Survey;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::http::Connection;

/// The steps of the flow, timed apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    StartPage,
    Start,
    Save,
    Submit,
}

impl Step {
    pub const ALL: [Step; 4] = [Step::StartPage, Step::Start, Step::Save, Step::Submit];

    fn name(self) -> &'static str {
        match self {
            Step::StartPage => "start page (GET)",
            Step::Start => "profile (POST, creates)",
            Step::Save => "section save (POST)",
            Step::Submit => "submit (POST)",
        }
    }
}

/// A write the server acknowledged.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct Ack {
    pub token: String,
    /// `start`, `save` or `submit`.
    pub kind: String,
    /// The page (0-based); the profile is page 0.
    pub page: usize,
    pub fields: Vec<(String, String)>,
}

pub struct Options {
    pub host: String,
    pub wave: String,
    pub concurrency: usize,
    pub duration: Duration,
    pub record: Option<PathBuf>,
    /// Keeps tax codes apart between runs on the same database.
    pub run: u32,
    /// Pause between steps.
    pub think: Duration,
}

/// What one respondent task measured.
#[derive(Default)]
struct Tally {
    /// Microseconds per step.
    latencies: [Vec<u32>; 4],
    errors: [u64; 4],
    submitted: u64,
    first_error: Option<String>,
}

pub async fn run(
    options: Options,
    survey: Arc<Survey>,
    pool: Arc<Vec<Map<String, Value>>>,
) -> bool {
    let (sender, receiver) = mpsc::channel::<Ack>();
    let writer = options.record.clone().map(|path| {
        std::thread::spawn(move || {
            let mut file = std::fs::File::create(&path).expect("the record file can be created");
            for ack in receiver {
                // One line per acknowledged write, flushed at once: the load outlives the server.
                let line = serde_json::to_string(&ack).unwrap_or_default();
                let _ = writeln!(file, "{line}");
                let _ = file.flush();
            }
        })
    });
    let deadline = Instant::now() + options.duration;
    let counter = Arc::new(AtomicU64::new(0));
    let options = Arc::new(options);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for task in 0..options.concurrency {
        let (survey, pool, options, counter) =
            (survey.clone(), pool.clone(), options.clone(), counter.clone());
        let sender = sender.clone();
        tasks.push(rocket::tokio::spawn(async move {
            respondent(task, &survey, &pool, &options, &counter, deadline, &sender).await
        }));
    }
    drop(sender);
    let mut total = Tally::default();
    for task in tasks {
        let Ok(tally) = task.await else { continue };
        for i in 0..4 {
            total.latencies[i].extend(&tally.latencies[i]);
            total.errors[i] += tally.errors[i];
        }
        total.submitted += tally.submitted;
        total.first_error = total.first_error.or(tally.first_error);
    }
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    report(&total, started.elapsed(), options.concurrency)
}

#[allow(clippy::too_many_arguments)]
async fn respondent(
    task: usize,
    survey: &Survey,
    pool: &[Map<String, Value>],
    options: &Options,
    counter: &AtomicU64,
    deadline: Instant,
    acks: &mpsc::Sender<Ack>,
) -> Tally {
    let mut tally = Tally::default();
    let mut connection = Connection::new(&options.host);
    let mut refused = 0;
    while Instant::now() < deadline {
        let n = counter.fetch_add(1, Ordering::Relaxed);
        let mut answers = pool[(task + n as usize * 31) % pool.len()].clone();
        answers.insert(
            "tax_code".into(),
            format!("09{:02}{:06}", options.run % 100, n % 1_000_000).into(),
        );
        answers
            .insert("legal_name".into(), format!("Công ty Thử tải {} số {n}", options.run).into());
        match flow(survey, &answers, options, &mut connection, &mut tally, deadline, acks).await {
            Ok(()) => refused = 0,
            Err(e) => {
                tally.first_error.get_or_insert(e);
                refused += 1;
                // The server is gone (a crash test): stop asking once it clearly is.
                if refused > 20 {
                    rocket::tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
    tally
}

/// One respondent from the start page to the submission.
async fn flow(
    survey: &Survey,
    answers: &Map<String, Value>,
    options: &Options,
    connection: &mut Connection,
    tally: &mut Tally,
    deadline: Instant,
    acks: &mpsc::Sender<Ack>,
) -> Result<(), String> {
    let start = format!("/start/{}/{}", options.wave, survey.id);
    timed(options.think, tally, Step::StartPage, connection.get(&start), 200).await?;
    let fields = page_fields(survey, 0, answers);
    let reply =
        timed(options.think, tally, Step::Start, connection.post(&start, &fields), 303).await?;
    let token = reply
        .location
        .as_deref()
        .and_then(|l| l.strip_prefix("/r/"))
        .and_then(|l| l.strip_suffix("/welcome"))
        .ok_or("the start did not lead to a welcome page")?
        .to_string();
    let _ = acks.send(Ack { token: token.clone(), kind: "start".into(), page: 0, fields });
    for page in 1..survey.pages.len() {
        if Instant::now() >= deadline {
            return Ok(());
        }
        let fields = page_fields(survey, page, answers);
        if fields.len() == 1 {
            continue; // Nothing shown on this page for these answers.
        }
        // Synthetic answers may go together seldom: the respondent says they are right.
        let confirmed: Vec<(String, String)> = fields
            .iter()
            .cloned()
            .chain(survey.checks.iter().map(|c| ("confirm_check".to_string(), c.id.clone())))
            .collect();
        let uri = format!("/r/{token}/p/{}", page + 1);
        timed(options.think, tally, Step::Save, connection.post(&uri, &confirmed), 303).await?;
        let _ = acks.send(Ack { token: token.clone(), kind: "save".into(), page, fields });
    }
    timed(
        options.think,
        tally,
        Step::Submit,
        connection.post(&format!("/r/{token}/submit"), &[]),
        303,
    )
    .await?;
    let _ = acks.send(Ack { token, kind: "submit".into(), page: 0, fields: vec![] });
    tally.submitted += 1;
    Ok(())
}

async fn timed(
    think: Duration,
    tally: &mut Tally,
    step: Step,
    request: impl std::future::Future<Output = std::io::Result<crate::http::Reply>>,
    expected: u16,
) -> Result<crate::http::Reply, String> {
    if !think.is_zero() {
        rocket::tokio::time::sleep(think).await;
    }
    let started = Instant::now();
    let reply = request.await;
    let index = Step::ALL.iter().position(|s| *s == step).unwrap_or(0);
    match reply {
        Ok(reply) if reply.status == expected => {
            let micros = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
            tally.latencies[index].push(micros);
            Ok(reply)
        }
        Ok(reply) => {
            tally.errors[index] += 1;
            let body = String::from_utf8_lossy(&reply.body);
            Err(format!(
                "{}: status {} {}",
                step.name(),
                reply.status,
                body.chars().take(200).collect::<String>()
            ))
        }
        Err(e) => {
            tally.errors[index] += 1;
            Err(format!("{}: {e}", step.name()))
        }
    }
}

/// Prints throughput and latency per step; true when nothing failed.
fn report(total: &Tally, elapsed: Duration, concurrency: usize) -> bool {
    let seconds = elapsed.as_secs_f64();
    println!(
        "{concurrency} concurrent respondents for {seconds:.1} s; {} submitted",
        total.submitted
    );
    println!(
        "{:<26} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7}",
        "step", "count", "per s", "p50 ms", "p99 ms", "max ms", "errors"
    );
    for (i, step) in Step::ALL.iter().enumerate() {
        let mut times = total.latencies[i].clone();
        times.sort_unstable();
        let at = |q: f64| {
            times
                .get(((times.len() as f64 - 1.0) * q).round() as usize)
                .map_or(0.0, |t| f64::from(*t) / 1000.0)
        };
        println!(
            "{:<26} {:>9} {:>9.0} {:>9.1} {:>9.1} {:>9.1} {:>7}",
            step.name(),
            times.len(),
            times.len() as f64 / seconds,
            at(0.5),
            at(0.99),
            at(1.0),
            total.errors[i]
        );
    }
    let errors: u64 = total.errors.iter().sum();
    if let Some(first) = &total.first_error {
        println!("first error: {first}");
    }
    println!("{errors} errors");
    errors == 0
}
