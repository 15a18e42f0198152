//! The reliability harness: `dxharness load` drives respondents through the real flow against
//! a running server and records every acknowledged write; `dxharness verify` checks, after a
//! crash, that each of them is in the database. `scripts/loadtest` and `scripts/crashtest` run
//! them; `docs/reliability.md` says what they prove.

// A benchmark or harness reports on standard output by design.
#![allow(clippy::print_stdout)]
// A harness reports by printing and exits non-zero on failure; its inputs are our own.
#![allow(clippy::unwrap_used, clippy::cast_precision_loss)]

mod http;
mod load;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use dxsurvey::demo::sample_answers;
use dxsurvey::reference::Reference;
use dxsurvey::survey::{Survey, load_file};

#[derive(Parser)]
#[command(name = "dxharness", about = "Load and crash harness for dxsurvey")]
struct Cli {
    /// The repository's surveys folder (questionnaires and reference data).
    #[arg(long, default_value = "surveys", global = true)]
    surveys: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Respondents doing the whole flow against a running server.
    Load {
        /// The server, as address:port.
        #[arg(long, default_value = "127.0.0.1:8000")]
        host: String,
        /// The open wave to answer.
        #[arg(long)]
        wave: String,
        #[arg(long, default_value_t = 200)]
        concurrency: usize,
        /// Seconds.
        #[arg(long, default_value_t = 60)]
        duration: u64,
        /// Write every acknowledged write here, one JSON line each.
        #[arg(long)]
        record: Option<PathBuf>,
        /// A number that keeps the tax codes of this run apart from other runs'.
        #[arg(long, default_value_t = 1)]
        run: u32,
        /// Milliseconds each respondent pauses between steps (0: none, the harshest load).
        #[arg(long, default_value_t = 0)]
        think: u64,
    },
    /// Checks that every recorded acknowledged write is in the database.
    Verify {
        #[arg(long)]
        record: PathBuf,
        #[arg(long)]
        database: PathBuf,
    },
}

fn enterprise(surveys: &std::path::Path) -> Result<(Survey, Reference), String> {
    let survey = load_file(&surveys.join("enterprise-dx.toml")).map_err(|e| e.to_string())?.survey;
    let reference = Reference::load(&surveys.join("reference")).map_err(|e| e.to_string())?;
    Ok((survey, reference))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (survey, reference) = match enterprise(&cli.surveys) {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Command::Load { host, wave, concurrency, duration, record, run, think } => {
            let pool: Vec<_> = sample_answers(&survey, &reference, 2_000, u64::from(run))
                .iter()
                .map(|a| a.to_json(&survey))
                .collect();
            let options = load::Options {
                host,
                wave,
                concurrency,
                duration: Duration::from_secs(duration),
                record,
                run,
                think: Duration::from_millis(think),
            };
            let passed = rocket::execute(load::run(options, Arc::new(survey), Arc::new(pool)));
            if passed { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }
        Command::Verify { record, database } => {
            match verify::verify(&record, &database, &survey, &reference) {
                Ok(verdict) => {
                    println!("integrity check: {}", verdict.integrity);
                    println!(
                        "scores differing from the scoring module's: {}",
                        verdict.score_mismatches
                    );
                    println!("{} acknowledged, {} lost", verdict.acknowledged, verdict.lost);
                    if verdict.passed() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
