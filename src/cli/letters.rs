//! `dxsurvey letters --wave W --out DIR [--area CODE]...`: invitation letters for postal
//! delivery, one PDF per ward, with a progress bar on a terminal.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use super::{CliError, say};
use crate::app::App;
use crate::config::AppConfig;
use crate::service::Actor;
use crate::service::letters::{LetterRequest, write_letters};

/// The options of `dxsurvey letters`.
#[derive(Debug, clap::Args)]
pub struct LetterArgs {
    #[arg(long)]
    wave: String,
    /// The folder to write `letters-<ward>.pdf` into (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Only this ward's letters (repeat for several).
    #[arg(long)]
    area: Vec<String>,
    /// The address respondents open [default: `public_url` in the configuration].
    #[arg(long)]
    public_url: Option<String>,
}

pub fn run(config: &AppConfig, args: LetterArgs) -> Result<ExitCode, CliError> {
    let public_url = super::invitations::public_url(config, args.public_url.clone())?;
    let app = App::start(config)?;
    let request = LetterRequest {
        wave: args.wave.clone(),
        areas: (!args.area.is_empty()).then(|| args.area.clone()),
        public_url,
        fallback_contact: config.contact.clone(),
    };
    let terminal = std::io::stderr().is_terminal();
    let progress = |done: usize, total: usize| {
        if terminal {
            let filled = done * 40 / total.max(1);
            let bar = format!("{}{}", "#".repeat(filled), " ".repeat(40 - filled));
            let _ = write!(std::io::stderr(), "\r[{bar}] {done}/{total} letters");
        }
    };
    let written = write_letters(&app, &Actor::command_line(), &request, &args.out, &progress)
        .map_err(|e| CliError(e.to_string()))?;
    if terminal {
        let _ = writeln!(std::io::stderr());
    }
    say!(
        "wrote {} letters in {} file(s) to {}",
        written.letters,
        written.files.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
