//! `dxsurvey user add|list|disable|enable|set-password`.

use std::io::Read;
use std::process::ExitCode;

use clap::Subcommand;

use super::{CliError, say};
use crate::app::App;
use crate::auth::StaffRole;
use crate::config::AppConfig;
use crate::service::Actor;
use crate::service::accounts::{self as staff, NewUser};
use crate::store;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff account.
    Add {
        /// administrator, official or statistician.
        #[arg(long, value_parser = parse_role)]
        role: StaffRole,
        #[arg(long)]
        email: String,
        /// A ward/commune an official may see (repeatable).
        #[arg(long = "area")]
        areas: Vec<String>,
        /// A group of wards/communes (e.g. a former district) an official may see (repeatable).
        #[arg(long = "group")]
        groups: Vec<String>,
        /// Read the password from standard input; without it one is generated and printed once.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts.
    List,
    /// Disable an account and end its sessions.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Enable a disabled account again.
    Enable {
        #[arg(long)]
        email: String,
    },
    /// Set a new password and end the account's sessions.
    SetPassword {
        #[arg(long)]
        email: String,
        /// Read the password from standard input; without it one is generated and printed once.
        #[arg(long)]
        password_stdin: bool,
    },
}

fn parse_role(text: &str) -> Result<StaffRole, String> {
    StaffRole::parse(text)
        .ok_or_else(|| format!("'{text}' is not a role: administrator, official or statistician"))
}

fn read_password(from_stdin: bool) -> Result<Option<String>, CliError> {
    if !from_stdin {
        return Ok(None);
    }
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    Ok(Some(text.trim_end_matches(['\r', '\n']).to_string()))
}

pub fn run(config: &AppConfig, command: UserCommand) -> Result<ExitCode, CliError> {
    let app = App::start(config)?;
    let actor = &Actor::command_line();
    match command {
        UserCommand::Add { role, email, areas, groups, password_stdin } => {
            let password = read_password(password_stdin)?;
            let user = NewUser { email: email.clone(), role, areas, groups, password };
            let (_, generated) = staff::add_user(&app, &user, actor)?;
            say!("created {} account {}", role.as_str(), email.trim().to_lowercase());
            if let Some(password) = generated {
                say!("password (shown once): {password}");
            }
        }
        UserCommand::List => {
            for user in app.store.read(store::users)? {
                let scope = [
                    user.areas.join(" "),
                    user.groups.iter().map(|g| format!("group:{g}")).collect::<Vec<_>>().join(" "),
                ]
                .join(" ");
                say!(
                    "{}\t{}\t{}\t{}",
                    user.email,
                    user.role.as_str(),
                    if user.disabled { "disabled" } else { "active" },
                    scope.trim()
                );
            }
        }
        UserCommand::Disable { email } => {
            staff::set_disabled(&app, &email, true, actor)?;
            say!("disabled {email}");
        }
        UserCommand::Enable { email } => {
            staff::set_disabled(&app, &email, false, actor)?;
            say!("enabled {email}");
        }
        UserCommand::SetPassword { email, password_stdin } => {
            let password = read_password(password_stdin)?;
            let generated = staff::set_password(&app, &email, password.as_deref(), actor)?;
            say!("password of {email} changed; its sessions are ended");
            if let Some(password) = generated {
                say!("password (shown once): {password}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
