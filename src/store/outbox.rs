//! The outbox of e-mails to invited enterprises (see migration 0007) and the reminder dates of
//! waves.

use rusqlite::{Connection, Transaction, params};

use super::{StoreError, UnitKind};
use crate::kernel::Lang;

/// What an e-mail is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    Invitation,
    Reminder,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Invitation => "invitation",
            MailKind::Reminder => "reminder",
        }
    }

    fn parse(text: &str) -> MailKind {
        if text == "reminder" { MailKind::Reminder } else { MailKind::Invitation }
    }
}

/// An e-mail due to be sent, with what its text needs.
#[derive(Debug, Clone)]
pub struct DueMail {
    pub id: i64,
    pub kind: MailKind,
    pub recipient: String,
    pub attempts: i64,
    pub wave_id: String,
    pub unit_id: i64,
    pub name: String,
    pub area_code: String,
    pub generation: i64,
    pub language: Lang,
    /// An enterprise or an agency: what the e-mail says.
    pub unit_kind: UnitKind,
}

/// Queues an e-mail of `kind` to every invited unit of `wave_id` with an address that `which`
/// selects: `invitation` those never e-mailed an invitation; `reminder` those without a counted
/// or unconfirmed submitted response, a refusal or an unreachable address, and no reminder
/// still waiting. Returns how many.
pub fn queue_mail(
    tx: &Transaction<'_>,
    wave_id: &str,
    kind: MailKind,
    now: &str,
) -> Result<usize, StoreError> {
    let condition = match kind {
        MailKind::Invitation => {
            "NOT EXISTS (SELECT 1 FROM outbox o WHERE o.unit_id = u.id AND o.kind = 'invitation')"
        }
        MailKind::Reminder => {
            "NOT EXISTS (SELECT 1 FROM responses r WHERE r.register_unit_id = u.id
                             AND r.status = 'submitted' AND r.standing <> 'void')
             AND NOT EXISTS (SELECT 1 FROM unit_events e WHERE e.unit_id = u.id
                             AND e.kind IN ('refused', 'unreachable'))
             AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.unit_id = u.id AND o.kind = 'reminder'
                             AND o.status = 'queued')"
        }
    };
    let sql = format!(
        "INSERT INTO outbox (unit_id, kind, recipient, status, queued_at, next_try)
         SELECT u.id, ?2, u.email, 'queued', ?3, ?3
         FROM sample_units s JOIN register_units u ON u.id = s.unit_id
         JOIN invitations i ON i.unit_id = u.id
         WHERE s.wave_id = ?1 AND u.email IS NOT NULL AND {condition}
         ORDER BY u.area_code, u.code"
    );
    Ok(tx.execute(&sql, params![wave_id, kind.as_str(), now])?)
}

/// Up to `limit` queued e-mails whose time has come, oldest first.
pub fn due_mail(conn: &Connection, now: &str, limit: i64) -> Result<Vec<DueMail>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, o.kind, o.recipient, o.attempts, s.wave_id, u.id, u.name, u.area_code,
                i.generation, u.language, u.kind
         FROM outbox o JOIN register_units u ON u.id = o.unit_id
         JOIN sample_units s ON s.unit_id = u.id JOIN invitations i ON i.unit_id = u.id
         WHERE o.status = 'queued' AND o.next_try <= ?1 ORDER BY o.next_try, o.id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![now, limit], |r| {
        Ok(DueMail {
            id: r.get(0)?,
            kind: MailKind::parse(&r.get::<_, String>(1)?),
            recipient: r.get(2)?,
            attempts: r.get(3)?,
            wave_id: r.get(4)?,
            unit_id: r.get(5)?,
            name: r.get(6)?,
            area_code: r.get(7)?,
            generation: r.get(8)?,
            language: Lang::parse(&r.get::<_, String>(9)?).unwrap_or(Lang::Vi),
            unit_kind: UnitKind::parse(&r.get::<_, String>(10)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Records that the SMTP server accepted e-mail `id`.
pub fn mark_sent(tx: &Transaction<'_>, id: i64, now: &str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?2, last_error = NULL
         WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// Records a failed attempt: tried again at `next_try`, or given up (`None`).
pub fn mark_failed(
    tx: &Transaction<'_>,
    id: i64,
    error: &str,
    next_try: Option<&str>,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?2,
             status = CASE WHEN ?3 IS NULL THEN 'failed' ELSE 'queued' END,
             next_try = coalesce(?3, next_try)
         WHERE id = ?1",
        params![id, error, next_try],
    )?;
    Ok(())
}

/// Queues again the e-mails of a wave that were given up; returns how many.
pub fn requeue_failed(tx: &Transaction<'_>, wave_id: &str, now: &str) -> Result<usize, StoreError> {
    Ok(tx.execute(
        "UPDATE outbox SET status = 'queued', attempts = 0, next_try = ?2
         WHERE status = 'failed' AND unit_id IN (SELECT unit_id FROM sample_units WHERE wave_id = ?1)",
        params![wave_id, now],
    )?)
}

/// E-mails of a wave: (kind, status, count).
pub fn mail_counts(
    conn: &Connection,
    wave_id: &str,
) -> Result<Vec<(String, String, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.kind, o.status, count(*) FROM outbox o JOIN sample_units s ON s.unit_id = o.unit_id
         WHERE s.wave_id = ?1 GROUP BY 1, 2 ORDER BY 1, 2",
    )?;
    let rows = stmt.query_map([wave_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Adds reminder dates (ISO) to a wave; a date already there stays as it is.
pub fn schedule_reminders(
    tx: &Transaction<'_>,
    wave_id: &str,
    dates: &[String],
) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO wave_reminders (wave_id, on_date) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    )?;
    for date in dates {
        insert.execute(params![wave_id, date])?;
    }
    Ok(())
}

/// The reminder dates of a wave (ISO) and when each was done.
pub fn reminder_dates(
    conn: &Connection,
    wave_id: &str,
) -> Result<Vec<(String, Option<String>)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT on_date, done_at FROM wave_reminders WHERE wave_id = ?1 ORDER BY on_date",
    )?;
    let rows = stmt.query_map([wave_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Reminder dates of open waves that have come (on or before `today`, ISO) and are not done:
/// (wave, date).
pub fn reminders_due(conn: &Connection, today: &str) -> Result<Vec<(String, String)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.wave_id, r.on_date FROM wave_reminders r JOIN waves w ON w.id = r.wave_id
         WHERE r.done_at IS NULL AND r.on_date <= ?1 AND w.status = 'open' AND w.closes_on >= ?1
         ORDER BY r.on_date",
    )?;
    let rows = stmt.query_map([today], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Marks a reminder date done.
pub fn reminder_done(
    tx: &Transaction<'_>,
    wave_id: &str,
    on_date: &str,
    now: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE wave_reminders SET done_at = ?3 WHERE wave_id = ?1 AND on_date = ?2",
        params![wave_id, on_date, now],
    )?;
    Ok(())
}
