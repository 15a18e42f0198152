//! E-mail to invited enterprises through SMTP: invitations, and reminders to those who have not
//! submitted (on demand, or on the reminder dates of a wave). An e-mail is first written to the
//! outbox in the transaction that decides it, and marked sent only once the SMTP server has
//! accepted it: a failure, or a stop of either server, leaves it queued, tried again later
//! (1, 2, 4 … minutes, up to six hours; given up after ten attempts, or at once when the server
//! refuses the address for good). Delivery is at least once: a crash between the server's
//! acceptance and our record sends that one e-mail twice.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};
use time::{Duration, OffsetDateTime};

use super::Actor;
use super::invitations;
use crate::app::App;
use crate::auth::AccessCode;
use crate::config::SmtpConfig;
use crate::kernel::Lang;
use crate::kernel::format::{date, parse_iso_date, today};
use crate::reference::AreaCode;
use crate::report::texts::fill;
use crate::store::Wave;
use crate::store::{self, DueMail, MailKind, StoreError, UnitEvent, UnitEventKind, UnitKind};

/// Attempts before an e-mail is given up.
const MAX_ATTEMPTS: i64 = 10;

/// Why e-mail could not be queued or sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error(
        "no SMTP server is configured: set [default.smtp] (host, port, tls, from) in Rocket.toml"
    )]
    NotConfigured,
    #[error("smtp.{0}")]
    Settings(String),
    #[error("no wave '{0}'")]
    NoWave(String),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// The SMTP connection and what every message shares.
pub struct Mailer {
    transport: SmtpTransport,
    /// SMTP conversations at once (see [`SmtpConfig::connections`]).
    senders: usize,
    from: Mailbox,
    public_url: String,
    fallback_contact: Option<String>,
}

impl Mailer {
    /// A mailer for `smtp`, writing links to `public_url`.
    pub fn new(
        smtp: Option<&SmtpConfig>,
        public_url: &str,
        fallback_contact: Option<&str>,
    ) -> Result<Mailer, MailError> {
        let smtp = smtp.ok_or(MailError::NotConfigured)?;
        let from: Mailbox = smtp
            .from
            .parse()
            .map_err(|e| MailError::Settings(format!("from '{}': {e}", smtp.from)))?;
        let builder = match smtp.tls.as_str() {
            "none" => Ok(SmtpTransport::builder_dangerous(&smtp.host)),
            "starttls" => SmtpTransport::starttls_relay(&smtp.host),
            "tls" => SmtpTransport::relay(&smtp.host),
            other => {
                return Err(MailError::Settings(format!(
                    "tls '{other}': say starttls, tls or none"
                )));
            }
        }
        .map_err(|e| MailError::Settings(format!("host '{}': {e}", smtp.host)))?;
        let pool = PoolConfig::new().max_size(smtp.connections.max(1));
        let mut builder = builder
            .port(smtp.port)
            .timeout(Some(std::time::Duration::from_secs(20)))
            .pool_config(pool);
        if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer {
            transport: builder.build(),
            senders: smtp.connections.max(1) as usize,
            from,
            public_url: public_url.to_string(),
            fallback_contact: fallback_contact.map(str::to_string),
        })
    }
}

/// Queues an e-mail of `kind` to every invited enterprise of `wave` it is for (see
/// [`store::queue_mail`]), audited; returns how many.
pub fn queue(app: &App, actor: &Actor, wave: &str, kind: MailKind) -> Result<usize, MailError> {
    if app.store.read(|c| store::wave(c, wave))?.is_none() {
        return Err(MailError::NoWave(wave.into()));
    }
    Ok(app.store.write(|tx| {
        let queued = store::queue_mail(tx, wave, kind, &store::now())?;
        let detail = format!("{queued} {}s", kind.as_str());
        let address = actor.address.as_deref();
        store::audit(tx, Some(&actor.name), "email.queue", Some(wave), Some(&detail), address)?;
        Ok(queued)
    })?)
}

/// Why a reminder date was refused.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("no wave '{0}'")]
    NoWave(String),
    #[error("'{0}' is not a date (YYYY-MM-DD)")]
    NotADate(String),
    #[error("{0}: wave {1} takes answers from {2} to {3}")]
    OutsideWave(String, String, String, String),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// Adds reminder dates to `wave`, each within its dates, audited; nothing is added if one is
/// refused.
pub fn schedule(
    app: &App,
    actor: &Actor,
    wave: &str,
    dates: &[String],
) -> Result<(), ScheduleError> {
    let found = app
        .store
        .read(|c| store::wave(c, wave))?
        .ok_or_else(|| ScheduleError::NoWave(wave.into()))?;
    let mut days = Vec::with_capacity(dates.len());
    for typed in dates {
        let day =
            parse_iso_date(typed.trim()).ok_or_else(|| ScheduleError::NotADate(typed.clone()))?;
        let iso = day.to_string();
        if iso < found.opens_on || iso > found.closes_on {
            return Err(ScheduleError::OutsideWave(
                iso,
                wave.into(),
                found.opens_on.clone(),
                found.closes_on,
            ));
        }
        days.push(iso);
    }
    let detail = days.join(", ");
    app.store.write(|tx| {
        store::schedule_reminders(tx, wave, &days)?;
        let address = actor.address.as_deref();
        store::audit(tx, Some(&actor.name), "email.schedule", Some(wave), Some(&detail), address)
    })?;
    Ok(())
}

/// Queues the reminders of every reminder date that has come; returns how many e-mails.
pub fn queue_scheduled_reminders(app: &App) -> Result<usize, MailError> {
    let day = today().to_string();
    let due = app.store.read(|c| store::reminders_due(c, &day))?;
    let mut queued = 0;
    for (wave, on) in due {
        queued += app.store.write(|tx| {
            let queued = store::queue_mail(tx, &wave, MailKind::Reminder, &store::now())?;
            store::reminder_done(tx, &wave, &on, &store::now())?;
            let detail = format!("{queued} reminders scheduled for {on}");
            store::audit(tx, None, "email.queue", Some(&wave), Some(&detail), None)?;
            Ok(queued)
        })?;
    }
    Ok(queued)
}

/// What one round of sending did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    pub sent: usize,
    /// Failed this time, to be tried again.
    pub deferred: usize,
    /// Given up.
    pub failed: usize,
}

/// Sends up to `limit` e-mails that are due, several at once, each recorded as it goes.
pub fn send_due(app: &App, mailer: &Mailer, limit: i64) -> Result<Sent, MailError> {
    let due = app.store.read(|c| store::due_mail(c, &store::now(), limit))?;
    // Each wave of the round read once, not once per e-mail.
    let mut waves = HashMap::new();
    for mail in &due {
        if !waves.contains_key(&mail.wave_id)
            && let Some(wave) = app.store.read(|c| store::wave(c, &mail.wave_id))?
        {
            waves.insert(mail.wave_id.clone(), wave);
        }
    }
    let next = AtomicUsize::new(0);
    let outcomes = Mutex::new((Sent::default(), None));
    std::thread::scope(|scope| {
        for _ in 0..mailer.senders.min(due.len()) {
            scope.spawn(|| {
                while let Some(mail) = due.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let outcome = send_one(app, mailer, &waves, mail);
                    let mut tally = outcomes.lock().unwrap_or_else(|p| p.into_inner());
                    match outcome {
                        Ok(Outcome::Sent) => tally.0.sent += 1,
                        Ok(Outcome::Deferred) => tally.0.deferred += 1,
                        Ok(Outcome::Failed) => tally.0.failed += 1,
                        Err(e) => {
                            tally.1.get_or_insert(e);
                            return;
                        }
                    }
                }
            });
        }
    });
    let (sent, error) = outcomes.into_inner().unwrap_or_else(|p| p.into_inner());
    match error {
        Some(e) => Err(e),
        None => Ok(sent),
    }
}

/// What became of one e-mail.
enum Outcome {
    Sent,
    Deferred,
    Failed,
}

/// Sends `mail` and records the outcome: sent (with its field event), or failed and tried
/// again later, or given up.
fn send_one(
    app: &App,
    mailer: &Mailer,
    waves: &HashMap<String, Wave>,
    mail: &DueMail,
) -> Result<Outcome, MailError> {
    let now = OffsetDateTime::now_utc();
    let outcome = message(app, mailer, waves, mail).and_then(|m| {
        mailer.transport.send(&m).map(|_| ()).map_err(|e| (e.to_string(), e.is_permanent()))
    });
    let give_up = match &outcome {
        Ok(()) => false,
        Err((_, permanent)) => *permanent || mail.attempts + 1 >= MAX_ATTEMPTS,
    };
    app.store.write(|tx| match &outcome {
        Ok(()) => {
            store::mark_sent(tx, mail.id, &store::now())?;
            let kind = match mail.kind {
                MailKind::Invitation => UnitEventKind::Email,
                MailKind::Reminder => UnitEventKind::Reminder,
            };
            let event = UnitEvent { kind, channel: None, note: String::new() };
            store::record_unit_event(tx, mail.unit_id, &event, None)
        }
        Err((error, _)) => {
            let next = (!give_up).then(|| retry_at(now, mail.attempts));
            store::mark_failed(tx, mail.id, error, next.as_deref())
        }
    })?;
    Ok(match outcome {
        Ok(()) => Outcome::Sent,
        Err(_) if give_up => Outcome::Failed,
        Err(_) => Outcome::Deferred,
    })
}

/// When to try again after `attempts` earlier failures: 1, 2, 4 … minutes, at most six hours.
fn retry_at(now: OffsetDateTime, attempts: i64) -> String {
    let minutes = 2_i64.saturating_pow(u32::try_from(attempts).unwrap_or(20)).min(360);
    store::rfc3339(now + Duration::minutes(minutes))
}

/// The e-mail of `mail`: its text and HTML parts in the unit's language; `Err` (permanent) when
/// it cannot be written (an address the register let through but the mail format refuses).
fn message(
    app: &App,
    mailer: &Mailer,
    waves: &HashMap<String, Wave>,
    mail: &DueMail,
) -> Result<Message, (String, bool)> {
    let lang = mail.language;
    let wave =
        waves.get(&mail.wave_id).ok_or_else(|| (format!("no wave {}", mail.wave_id), true))?;
    let code = AccessCode::derive(&app.secret, &wave.id, mail.unit_id, mail.generation);
    let link = invitations::link(&mailer.public_url, &code);
    let area = AreaCode::parse(&mail.area_code).ok();
    let contact = invitations::contact_of(app, area.as_ref(), mailer.fallback_contact.as_deref())
        .map_or_else(|| mailer.from.email.to_string(), |c| c.get(lang).to_string());
    let deadline = date(invitations::deadline(wave), lang);
    let site = invitations::site_of(&mailer.public_url);
    let values = [
        ("name", mail.name.as_str()),
        ("wave", wave.title.get(lang)),
        ("link", link.as_str()),
        ("code", &code.grouped()),
        ("deadline", &deadline),
        ("site", &site),
        ("contact", &contact),
    ];
    let t = &app.texts;
    let (subject, body) = match (mail.kind, mail.unit_kind) {
        (MailKind::Invitation, UnitKind::Enterprise) => {
            (&t.mail_invitation_subject, &t.mail_invitation_body)
        }
        (MailKind::Invitation, UnitKind::Agency) => {
            (&t.mail_invitation_subject, &t.mail_agency_invitation_body)
        }
        (MailKind::Reminder, UnitKind::Enterprise) => {
            (&t.mail_reminder_subject, &t.mail_reminder_body)
        }
        (MailKind::Reminder, UnitKind::Agency) => {
            (&t.mail_reminder_subject, &t.mail_agency_reminder_body)
        }
    };
    let text = fill(body, lang, &values);
    let to: Mailbox = mail.recipient.parse().map_err(|e| (format!("address: {e}"), true))?;
    Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(fill(subject, lang, &values))
        .multipart(MultiPart::alternative_plain_html(text.clone(), html(&text, &link, lang)))
        .map_err(|e| (e.to_string(), true))
}

/// The HTML part: the text's paragraphs, the link clickable.
fn html(text: &str, link: &str, lang: Lang) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
    };
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .map(|p| {
            let p = escape(p).replace('\n', "<br>\n");
            let link = escape(link);
            format!("<p>{}</p>", p.replace(&link, &format!("<a href=\"{link}\">{link}</a>")))
        })
        .collect();
    format!(
        "<!doctype html><html lang=\"{}\"><meta charset=\"utf-8\"><body>\n{}\n</body></html>",
        lang.code(),
        paragraphs.join("\n")
    )
}

/// The server's e-mail round, every `every`: queues the reminders whose date has come, then
/// sends what is due (when an SMTP server and the public address are configured). Stops when
/// dropped.
pub struct Postman {
    stop: Option<std::sync::mpsc::Sender<()>>,
    worker: Option<std::thread::JoinHandle<()>>,
}

impl Postman {
    pub fn start(app: App, mailer: Option<Mailer>, every: std::time::Duration) -> Postman {
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let worker = std::thread::spawn(move || {
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(every)
            {
                if let Err(e) = round(&app, mailer.as_ref()) {
                    operator_log(&format!("e-mail round failed: {e}"));
                }
            }
        });
        Postman { stop: Some(stop), worker: Some(worker) }
    }
}

impl Drop for Postman {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// One round of the postman.
fn round(app: &App, mailer: Option<&Mailer>) -> Result<(), MailError> {
    queue_scheduled_reminders(app)?;
    if let Some(mailer) = mailer {
        while send_due(app, mailer, 500)? != Sent::default() {}
    }
    Ok(())
}

/// A line for the operator on standard error (the server has no other log yet).
#[allow(clippy::print_stderr)]
fn operator_log(line: &str) {
    eprintln!("{line}");
}
