//! `dxsurvey token create|list|revoke`: personal API tokens of any account
//! (`service::tokens`), audited as the command line's.

use std::process::ExitCode;

use clap::Subcommand;

use super::{CliError, say};
use crate::app::App;
use crate::auth::{Lifetime, TokenName};
use crate::config::AppConfig;
use crate::service::Actor;
use crate::service::tokens::{self, Manager};

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make a token for an account and print it, once.
    Create {
        /// The account's e-mail.
        #[arg(long)]
        user: String,
        /// What the token is for (1 to 100 characters), e.g. "nightly export".
        #[arg(long)]
        name: String,
        /// Days until it expires (1 to 365).
        #[arg(long, default_value_t = Lifetime::DEFAULT_DAYS)]
        days: u32,
    },
    /// List an account's tokens (never the tokens themselves).
    List {
        #[arg(long)]
        user: String,
    },
    /// Revoke a token at once.
    Revoke {
        /// The token's id, as `token list` shows it.
        id: i64,
    },
}

pub fn run(config: &AppConfig, command: TokenCommand) -> Result<ExitCode, CliError> {
    let app = App::start(config)?;
    let actor = &Actor::command_line();
    match command {
        TokenCommand::Create { user, name, days } => {
            let name = TokenName::parse(&name)
                .ok_or_else(|| CliError("--name must have 1 to 100 characters".into()))?;
            let lifetime = Lifetime::days(days).ok_or_else(|| {
                CliError(format!("--days must be from 1 to {}", Lifetime::MAX_DAYS))
            })?;
            let owner = tokens::account(&app, &user)?;
            let created =
                tokens::create(&app, Manager::CommandLine, actor, &owner, &name, lifetime)?;
            say!(
                "created token {} \"{}\" for {}, expiring {}",
                created.info.id,
                created.info.name,
                owner.email,
                created.info.expires_at
            );
            say!("token (shown once): {}", created.token.reveal());
        }
        TokenCommand::List { user } => {
            let owner = tokens::account(&app, &user)?;
            say!("id\tstate\tcreated\texpires\tlast used\tname");
            for t in tokens::list(&app, Manager::CommandLine, &owner)? {
                say!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    t.id,
                    t.state.as_str(),
                    t.created_at,
                    t.expires_at,
                    t.last_used_at.as_deref().unwrap_or("never"),
                    t.name
                );
            }
        }
        TokenCommand::Revoke { id } => {
            let (owner, info) = tokens::revoke(&app, Manager::CommandLine, actor, id)?;
            say!("revoked token {id} \"{}\" of {}", info.name, owner.email);
        }
    }
    Ok(ExitCode::SUCCESS)
}
