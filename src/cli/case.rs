//! `dxsurvey case ...`: case management from the command line (find, confirm, release, void,
//! refusals) and who may start a response in a wave. Each change says why and is audited.

use std::process::ExitCode;

use clap::Subcommand;

use super::{CliError, say};
use crate::app::App;
use crate::config::AppConfig;
use crate::service::cases::{self, ResponseAction};
use crate::service::{Actor, waves};
use crate::store::{UnitEvent, UnitEventKind, WaveAccess};

/// The subcommands of `dxsurvey case`.
#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// List the responses, sampled enterprises and agencies of a wave matching a code or a name.
    Find {
        #[arg(long)]
        wave: String,
        /// The start of a tax code (or an agency's code), or part of a name.
        query: String,
    },
    /// Confirm a self-declared identity: the response counts in the estimates.
    Confirm {
        /// The response number (`case find` shows it); or --all-of-wave.
        #[arg(long, required_unless_present = "all_of_wave")]
        response: Option<i64>,
        /// Confirm every response of this wave awaiting confirmation.
        #[arg(long, conflicts_with = "response")]
        all_of_wave: Option<String>,
        #[arg(long)]
        reason: String,
    },
    /// Release a wrong claim: the response is kept, void, and the organisation can start again.
    Release {
        #[arg(long)]
        response: i64,
        #[arg(long)]
        reason: String,
    },
    /// Void a test or fraudulent response: kept, flagged, out of every figure.
    Void {
        #[arg(long)]
        response: i64,
        #[arg(long)]
        reason: String,
    },
    /// Record that a sampled enterprise or an agency refused, or cannot be reached.
    Outcome {
        #[arg(long)]
        wave: String,
        /// The tax code, or the agency's code.
        #[arg(long, alias = "tax-code")]
        code: String,
        /// `refused` or `unreachable`.
        #[arg(long)]
        outcome: String,
        #[arg(long)]
        reason: String,
    },
    /// Who may start a response in a wave: `invitation` (access codes only) or `open`.
    Access {
        #[arg(long)]
        wave: String,
        access: String,
    },
}

pub fn run(config: &AppConfig, command: CaseCommand) -> Result<ExitCode, CliError> {
    let app = App::start(config)?;
    let actor = Actor::command_line();
    let act = |id: i64, action: ResponseAction, reason: &str| -> Result<ExitCode, CliError> {
        cases::act(&app, &actor, id, action, reason)?;
        say!("response {id}: done");
        Ok(ExitCode::SUCCESS)
    };
    match command {
        CaseCommand::Find { wave, query } => find(&app, &wave, &query),
        CaseCommand::Confirm { all_of_wave: Some(wave), reason, .. } => {
            let confirmed = cases::confirm_all(&app, &actor, &wave, &reason)?;
            say!("confirmed {confirmed} self-declared response(s) of wave {wave}");
            Ok(ExitCode::SUCCESS)
        }
        CaseCommand::Confirm { response, reason, .. } => {
            act(response.unwrap_or_default(), ResponseAction::Confirm, &reason)
        }
        CaseCommand::Release { response, reason } => {
            act(response, ResponseAction::Release, &reason)
        }
        CaseCommand::Void { response, reason } => act(response, ResponseAction::Void, &reason),
        CaseCommand::Outcome { wave, code, outcome, reason } => {
            let kind =
                UnitEventKind::parse(&outcome).filter(|k| k.needs_reason()).ok_or_else(|| {
                    CliError(format!("--outcome '{outcome}': say refused or unreachable"))
                })?;
            let event = UnitEvent { kind, channel: None, note: reason };
            cases::record_event(&app, &actor, &wave, &code, &event)?;
            say!("{code}: {outcome} recorded");
            Ok(ExitCode::SUCCESS)
        }
        CaseCommand::Access { wave, access } => {
            let access = WaveAccess::parse(&access)
                .ok_or_else(|| CliError(format!("'{access}': say invitation or open")))?;
            if !waves::set_access(&app, &actor, &wave, access)? {
                return Err(CliError(format!("no wave '{wave}'")));
            }
            say!("wave {wave}: {}", access.as_str());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn find(app: &App, wave: &str, query: &str) -> Result<ExitCode, CliError> {
    let rows = cases::find(app, wave, query)?;
    if rows.is_empty() {
        say!("nothing in wave {wave} matches '{query}'");
    }
    for row in rows {
        let response = row.response_id.map_or_else(|| "-".into(), |id| id.to_string());
        let state = match (&row.status, &row.standing, &row.identity_check) {
            (Some(status), Some(standing), Some(identity)) => {
                format!("{status}, {identity}, {standing}")
            }
            _ => "no response".into(),
        };
        let sampled = match (row.unit_id, row.invited) {
            (Some(_), true) => "sampled, invited",
            (Some(_), false) => "sampled",
            _ => "not sampled",
        };
        say!(
            "{response:>8}  {:<14} {:<40} {:<6} {state}; {sampled}{}",
            row.code.as_deref().unwrap_or("-"),
            row.name,
            row.area_code.as_deref().unwrap_or("-"),
            row.last_event.map(|e| format!("; last: {e}")).unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}
