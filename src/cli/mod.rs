//! The command line: `serve`, `check`, `score`, `demo`, `user`, `token`, `frame`, `report`,
//! `export`, `backup`, `restore`.

mod backup;
mod calibrate;
mod case;
mod changelog;
mod check;
mod demo;
mod export;
mod frame;
mod invitations;
mod letters;
mod mail;
mod report;
mod sample;
mod score;
mod token;
mod user;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::AppConfig;

/// dxsurvey: digital transformation and innovation maturity survey.
#[derive(Debug, Parser)]
#[command(name = "dxsurvey", version, about)]
pub struct Cli {
    /// SQLite database file [default: `database` in Rocket.toml, else data/dxsurvey.db]
    #[arg(long, global = true, env = "DXSURVEY_DATABASE")]
    database: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the web server (address and port from Rocket.toml, ROCKET_ADDRESS, ROCKET_PORT).
    Serve,
    /// Check questionnaire files, or every questionnaire of a folder.
    Check {
        /// Files or folders [default: the surveys folder]
        paths: Vec<PathBuf>,
    },
    /// What changed between two versions of a questionnaire, with old and new text side by side
    /// in both languages and the reasons of NEW's `.changes.toml`, as Markdown.
    Changelog {
        /// The older version's file.
        old: PathBuf,
        /// The newer version's file.
        new: PathBuf,
        /// The reasons [default: NEW with `.changes.toml`].
        #[arg(long)]
        reasons: Option<PathBuf>,
        /// Write the Markdown to this file [default: standard output].
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Score one answers file (a JSON object: question id -> answer) and print the result as JSON.
    Score {
        /// The answers file.
        answers: PathBuf,
        /// The questionnaire id, e.g. enterprise-dx.
        #[arg(long)]
        survey: String,
        /// Score against this version, as kept in the database, instead of the current file
        /// (old responses are scored with the version they were answered on).
        #[arg(long)]
        version: Option<u32>,
    },
    /// Fill the database with a realistic synthetic population of responses.
    Demo {
        /// How many responses to write.
        #[arg(long, required_unless_present = "register")]
        responses: Option<usize>,
        /// Seed of the generator: the same seed gives the same responses.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Wave id [default: the current year]
        #[arg(long)]
        wave: Option<String>,
        /// Also write a business-register frame consistent with the responses.
        #[arg(long)]
        with_frame: bool,
        /// For a questionnaire with a split-ballot experiment (each response is assigned an arm
        /// at random): the chance that a respondent of an arm asking an innovation yes/no item
        /// later than another arm does answers "yes" instead of "no" (a simulated order effect;
        /// it applies to each item, so on an indicator several items feed it compounds).
        #[arg(long, default_value_t = 0.0)]
        order_effect: f64,
        /// Run the wave as a probability sample: import a synthetic register of this many
        /// enterprises, draw --sample of them, and let the sampled answer (some do not).
        #[arg(long, requires = "sample", conflicts_with = "responses")]
        register: Option<usize>,
        /// Enterprises to sample from --register.
        #[arg(long, requires = "register")]
        sample: Option<u32>,
    },
    /// Manage staff accounts.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Personal API tokens: create (printed once), list, revoke.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// The business-register frame of a wave.
    #[command(subcommand)]
    Frame(frame::FrameCommand),
    /// Personal access codes for a wave's sample, as a mail-merge file.
    Invitations(invitations::InvitationArgs),
    /// Case management: find, confirm, release, void, refusals; who may start in a wave.
    #[command(subcommand)]
    Case(case::CaseCommand),
    /// Invitation letters for postal delivery: one PDF per ward, one page per enterprise.
    Letters(letters::LetterArgs),
    /// E-mail to invited enterprises: queue invitations and reminders, schedule, send.
    #[command(subcommand)]
    Mail(mail::MailCommand),
    /// Propose, then draw, the sample of a wave from its named register.
    Sample(sample::SampleArgs),
    /// Calibrate a sample wave's weights to its register's totals (or --off).
    Calibrate(calibrate::CalibrateArgs),
    /// Copy the database, checked, and its secret key (FILE.key, mode 0600) while the server
    /// runs: to FILE (--out), or to a dated pair in DIR keeping the newest N (--dir, --keep).
    Backup(backup::BackupArgs),
    /// Replace the database with a backup, and the secret key with the backup's FILE.key;
    /// refused while a server serves the database. What is replaced is kept beside it, as
    /// `<name>.before-restore-<time>.db` and `secret.key.before-restore-<time>`.
    Restore {
        /// The backup to restore (its key, if any, beside it as FILE.key).
        #[arg(value_name = "FILE")]
        from: PathBuf,
    },
    /// Write PDF reports: a respondent's, an area's, the city's, or every area's.
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// Write a wave's release: aggregates.csv, the microdata (CSV, Stata .dta, SPSS .sav, Excel
    /// .xlsx, an R script), datapackage.json and a README; `--zip` puts them in one file.
    Export {
        /// The wave; several `--wave` put their rows into the same files, one after the other.
        #[arg(long = "wave", required = true)]
        waves: Vec<String>,
        /// Output folder (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Questionnaire id [default: the wave's enterprise questionnaire]
        #[arg(long)]
        survey: Option<String>,
        /// Fewest respondents a published figure may rest on (at least 3) [default: the
        /// configuration's `suppression_threshold`].
        #[arg(long)]
        threshold: Option<u32>,
        /// Language of the labels in the labelled files: vi or en.
        #[arg(long, default_value = "vi")]
        lang: String,
        /// Labelled formats besides microdata.csv, comma-separated: dta, sav, xlsx, r, or none.
        #[arg(long, default_value = "dta,sav,xlsx,r")]
        formats: String,
        /// Also write the whole folder as this zip file.
        #[arg(long)]
        zip: Option<PathBuf>,
    },
}

/// Prints a line of a command's output through [`emit`]; the enclosing function returns
/// `Result<_, CliError>`.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::emit(&format!($($arg)*))?
    };
}
pub(crate) use say;

/// Writes `text` and a newline to standard output. A reader that has gone away (`| head`) is
/// not an error: the command has nothing more to tell it.
pub fn emit(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError(format!("cannot write the output: {e}")))
        }
        _ => Ok(()),
    }
}

/// A command's failure: one line a person can act on.
#[derive(Debug)]
pub struct CliError(pub String);

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError(e.to_string())
    }
}

/// Runs the command line.
pub fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let mut config = AppConfig::load()?;
    if let Some(database) = cli.database {
        config.database = database;
    }
    match cli.command {
        Command::Serve => {
            crate::web::serve(config)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { paths } => Ok(check::run(&config, paths)),
        Command::Changelog { old, new, reasons, out } => changelog::run(&old, &new, reasons, out),
        Command::Score { answers, survey, version } => {
            score::run(&config, &answers, &survey, version)
        }
        Command::Demo { responses, seed, wave, with_frame, order_effect, register, sample } => {
            let sample = register
                .zip(sample)
                .map(|(register, sample)| crate::demo::SampleDemo { register, sample });
            let options = demo::Options {
                responses: responses.unwrap_or(0),
                seed,
                wave,
                with_frame,
                order_effect,
                sample,
            };
            demo::run(&config, options)
        }
        Command::User(command) => user::run(&config, command),
        Command::Token(command) => token::run(&config, command),
        Command::Frame(command) => frame::run(&config, command),
        Command::Sample(args) => sample::run(&config, args),
        Command::Calibrate(args) => calibrate::run(&config, args),
        Command::Case(command) => case::run(&config, command),
        Command::Letters(args) => letters::run(&config, args),
        Command::Mail(command) => mail::run(&config, command),
        Command::Invitations(args) => invitations::run(&config, args),
        Command::Report(command) => report::run(&config, command),
        Command::Backup(args) => backup::backup(&config, args),
        Command::Restore { from } => backup::restore(&config, &from),
        Command::Export { waves, out, survey, threshold, lang, formats, zip } => {
            let options = export::options(&lang, &formats)?;
            let config = config.with_threshold(threshold);
            export::run(&config, &waves, (&out, zip.as_deref()), survey, &options)
        }
    }
}
