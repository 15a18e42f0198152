//! `dxsurvey mail ...`: e-mail to invited enterprises. `invite` and `remind` queue e-mails,
//! `schedule` sets a wave's reminder dates, `send` sends what is due (the server also does, every
//! minute), `status` counts, `retry` queues again what was given up.

use std::process::ExitCode;

use clap::Subcommand;

use super::{CliError, say};
use crate::app::App;
use crate::config::AppConfig;
use crate::service::Actor;
use crate::service::mail::{self, Mailer, Sent};
use crate::store::{self, MailKind};

/// The subcommands of `dxsurvey mail`.
#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Queue an invitation to every invited enterprise with an e-mail address not yet sent one.
    Invite {
        #[arg(long)]
        wave: String,
    },
    /// Queue a reminder to every invited enterprise with an address that has not submitted.
    Remind {
        #[arg(long)]
        wave: String,
    },
    /// Remind those who have not submitted on these dates (the server sends them).
    Schedule {
        #[arg(long)]
        wave: String,
        /// A date (YYYY-MM-DD); repeat for several.
        #[arg(long = "on", required = true)]
        dates: Vec<String>,
    },
    /// Send every e-mail that is due now.
    Send {
        /// The address respondents open [default: `public_url` in the configuration].
        #[arg(long)]
        public_url: Option<String>,
    },
    /// How many e-mails of a wave are queued, sent and given up.
    Status {
        #[arg(long)]
        wave: String,
    },
    /// Queue again the e-mails of a wave that were given up.
    Retry {
        #[arg(long)]
        wave: String,
    },
}

pub fn run(config: &AppConfig, command: MailCommand) -> Result<ExitCode, CliError> {
    let app = App::start(config)?;
    let actor = Actor::command_line();
    match command {
        MailCommand::Invite { wave } => {
            let queued = mail::queue(&app, &actor, &wave, MailKind::Invitation)?;
            say!("queued {queued} invitation(s) for wave {wave}; `dxsurvey mail send` sends them");
        }
        MailCommand::Remind { wave } => {
            let queued = mail::queue(&app, &actor, &wave, MailKind::Reminder)?;
            say!("queued {queued} reminder(s) for wave {wave}; `dxsurvey mail send` sends them");
        }
        MailCommand::Schedule { wave, dates } => schedule(&app, &wave, &dates)?,
        MailCommand::Send { public_url } => {
            let public_url = super::invitations::public_url(config, public_url)?;
            let mailer = Mailer::new(config.smtp.as_ref(), &public_url, config.contact.as_deref())?;
            let mut total = Sent::default();
            loop {
                let round = mail::send_due(&app, &mailer, 500)?;
                total.sent += round.sent;
                total.deferred += round.deferred;
                total.failed += round.failed;
                if round == Sent::default() {
                    break;
                }
            }
            say!(
                "sent {}; {} to try again later; {} given up",
                total.sent,
                total.deferred,
                total.failed
            );
        }
        MailCommand::Status { wave } => {
            for (kind, status, count) in app.store.read(|c| store::mail_counts(c, &wave))? {
                say!("{kind:<11} {status:<7} {count}");
            }
        }
        MailCommand::Retry { wave } => {
            let requeued = app.store.write(|tx| store::requeue_failed(tx, &wave, &store::now()))?;
            say!("queued {requeued} e-mail(s) again");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn schedule(app: &App, wave: &str, dates: &[String]) -> Result<(), CliError> {
    mail::schedule(app, &Actor::command_line(), wave, dates)?;
    say!("wave {wave}: reminders on {}", dates.join(", "));
    Ok(())
}
