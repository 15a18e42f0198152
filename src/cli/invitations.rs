//! `dxsurvey invitations --wave W --out FILE [--reissue CODE --reason WHY]`: personal access
//! codes for a wave's sample, written as a mail-merge file (the codes are known only then).

use std::path::PathBuf;
use std::process::ExitCode;

use super::CliError;
use crate::app::App;
use crate::config::AppConfig;
use crate::service::Actor;
use crate::service::invitations::{issue, reissue, write_mail_merge};

/// The options of `dxsurvey invitations`.
#[derive(Debug, clap::Args)]
pub struct InvitationArgs {
    #[arg(long)]
    wave: String,
    /// The mail-merge CSV to write: one line per code issued.
    #[arg(long)]
    out: PathBuf,
    /// Issue a new code to this sampled enterprise (tax code) or agency (its code) only; its old
    /// code stops working.
    #[arg(long, requires = "reason")]
    reissue: Option<String>,
    /// Why the code is issued again (kept in the audit log).
    #[arg(long)]
    reason: Option<String>,
    /// The address respondents open [default: `public_url` in the configuration].
    #[arg(long)]
    public_url: Option<String>,
}

/// The address respondents open: `given`, else the configuration's `public_url`.
pub fn public_url(config: &AppConfig, given: Option<String>) -> Result<String, CliError> {
    given.or_else(|| config.public_url.clone()).ok_or_else(|| {
        CliError(
            "set `public_url` in the configuration, or give --public-url: the links need the \
              address respondents open"
                .into(),
        )
    })
}

pub fn run(config: &AppConfig, args: InvitationArgs) -> Result<ExitCode, CliError> {
    let public_url = public_url(config, args.public_url.clone())?;
    let app = App::start(config)?;
    let actor = Actor::command_line();
    let issued = match &args.reissue {
        Some(tax_code) => {
            let reason = args.reason.as_deref().unwrap_or_default();
            reissue(&app, &args.wave, tax_code, reason, &actor).map(|issued| vec![issued])
        }
        None => issue(&app, &args.wave, &actor),
    }
    .map_err(|e| CliError(e.to_string()))?;
    let file = std::fs::File::create(&args.out)
        .map_err(|e| CliError(format!("{}: cannot write: {e}", args.out.display())))?;
    write_mail_merge(&app, &issued, &public_url, file)
        .map_err(|e| CliError(format!("{}: {e}", args.out.display())))?;
    super::emit(&format!(
        "issued {} access code(s) for wave {}; wrote {}",
        issued.len(),
        args.wave,
        args.out.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}
