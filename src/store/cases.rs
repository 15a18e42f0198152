//! Case management: responses as administrators handle them (by register entry, by identity),
//! their standing in the statistics, and what happened in the field to each sampled unit.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::responses::{COLUMNS, stored};
use super::{IdentityCheck, Standing, StoreError, StoredResponse, UnitKind};

/// The response (not void) that the access code of register entry `unit_id` started.
pub fn response_of_unit(
    conn: &Connection,
    unit_id: i64,
) -> Result<Option<StoredResponse>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM responses r JOIN organisations o ON o.id = r.organisation_id
         WHERE r.register_unit_id = ?1 AND r.standing <> 'void'"
    ))?;
    Ok(stmt.query_row([unit_id], stored).optional()?)
}

/// The id of the response (not void) of the organisation with `identity` in a wave's
/// questionnaire.
pub fn response_id_of_identity(
    conn: &Connection,
    wave_id: &str,
    survey_id: &str,
    identity: &str,
) -> Result<Option<i64>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id FROM responses r JOIN organisations o ON o.id = r.organisation_id
         WHERE r.wave_id = ?1 AND r.survey_id = ?2 AND o.identity = ?3 AND r.standing <> 'void'",
    )?;
    Ok(stmt.query_row(params![wave_id, survey_id, identity], |r| r.get(0)).optional()?)
}

/// Gives a response a new private link (by hash); the old one stops working.
pub fn set_resume_hash(tx: &Transaction<'_>, id: i64, hash: &[u8]) -> Result<(), StoreError> {
    tx.execute("UPDATE responses SET resume_hash = ?2 WHERE id = ?1", params![id, hash])?;
    Ok(())
}

/// Sets whether a response counts. Only counted responses keep a microdata row; a void one
/// also loses its private link.
pub fn set_standing(tx: &Transaction<'_>, id: i64, standing: Standing) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE responses SET standing = ?2,
             resume_hash = CASE WHEN ?2 = 'void' THEN NULL ELSE resume_hash END
         WHERE id = ?1",
        params![id, standing.as_str()],
    )?;
    if standing != Standing::Counted {
        tx.execute("DELETE FROM microdata_rows WHERE response_id = ?1", [id])?;
    }
    Ok(())
}

/// Records that an administrator checked a self-declared identity: the response counts.
pub fn confirm_identity(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE responses SET identity_check = ?2 WHERE id = ?1",
        params![id, IdentityCheck::Confirmed.as_str()],
    )?;
    set_standing(tx, id, Standing::Counted)
}

/// The responses of a wave awaiting confirmation of their self-declared identity.
pub fn unconfirmed_responses(conn: &Connection, wave_id: &str) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM responses WHERE wave_id = ?1 AND standing = 'unconfirmed' ORDER BY id",
    )?;
    Ok(stmt.query_map([wave_id], |r| r.get(0))?.collect::<Result<_, _>>()?)
}

/// What can happen in the field to a sampled unit (see migration 0007).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitEventKind {
    Contact,
    Letter,
    Email,
    Reminder,
    Refused,
    Unreachable,
}

impl UnitEventKind {
    pub const ALL: [UnitEventKind; 6] = [
        UnitEventKind::Contact,
        UnitEventKind::Letter,
        UnitEventKind::Email,
        UnitEventKind::Reminder,
        UnitEventKind::Refused,
        UnitEventKind::Unreachable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitEventKind::Contact => "contact",
            UnitEventKind::Letter => "letter",
            UnitEventKind::Email => "email",
            UnitEventKind::Reminder => "reminder",
            UnitEventKind::Refused => "refused",
            UnitEventKind::Unreachable => "unreachable",
        }
    }

    pub fn parse(text: &str) -> Option<UnitEventKind> {
        UnitEventKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// A refusal or an unreachable unit changes the fieldwork's outcome: say why.
    pub fn needs_reason(self) -> bool {
        matches!(self, UnitEventKind::Refused | UnitEventKind::Unreachable)
    }
}

/// How an official reached a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Call,
    Visit,
    Email,
    Post,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Call, Channel::Visit, Channel::Email, Channel::Post];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Call => "call",
            Channel::Visit => "visit",
            Channel::Email => "email",
            Channel::Post => "post",
        }
    }

    pub fn parse(text: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// A field event to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitEvent {
    pub kind: UnitEventKind,
    pub channel: Option<Channel>,
    pub note: String,
}

/// Records a field event of unit `unit_id`.
pub fn record_unit_event(
    tx: &Transaction<'_>,
    unit_id: i64,
    event: &UnitEvent,
    by: Option<&str>,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO unit_events (unit_id, kind, channel, note, recorded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        unit_id,
        event.kind.as_str(),
        event.channel.map(Channel::as_str),
        event.note.trim(),
        by,
        super::now()
    ])?;
    Ok(())
}

/// A response or a sampled register entry, as case management lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    pub response_id: Option<i64>,
    /// The tax code, or the code of a register agency.
    pub code: Option<String>,
    pub name: String,
    pub area_code: Option<String>,
    pub survey_id: Option<String>,
    /// `draft` or `submitted`, for a response.
    pub status: Option<String>,
    pub identity_check: Option<String>,
    pub standing: Option<String>,
    /// The register entry, for a sampled unit.
    pub unit_id: Option<i64>,
    /// Whether the unit has an access code.
    pub invited: bool,
    /// The unit's latest field event.
    pub last_event: Option<String>,
}

/// Responses (void ones included, flagged) and sampled register entries of a wave whose tax
/// code starts with `query` or whose name contains it (case-insensitive for ASCII), at most
/// `limit`, a register entry and its response on one row.
pub fn find_cases(
    conn: &Connection,
    wave_id: &str,
    query: &str,
    limit: i64,
) -> Result<Vec<CaseRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "WITH units AS (
             SELECT u.id, u.code, u.name, u.area_code FROM sample_units s
             JOIN register_units u ON u.id = s.unit_id
             WHERE s.wave_id = ?1 AND (u.code LIKE ?2 || '%' OR u.name LIKE '%' || ?2 || '%')
         ),
         found AS (
             SELECT r.id AS response_id,
                    coalesce((SELECT u.code FROM register_units u WHERE u.id = r.register_unit_id), o.tax_code)
                        AS code, o.name, r.area_code, r.survey_id, r.status,
                    r.identity_check, r.standing, r.register_unit_id AS unit_id
             FROM responses r JOIN organisations o ON o.id = r.organisation_id
             WHERE r.wave_id = ?1 AND (o.tax_code LIKE ?2 || '%' OR o.name LIKE '%' || ?2 || '%'
                                       OR r.register_unit_id IN (SELECT id FROM units))
             UNION ALL
             SELECT NULL, u.code, u.name, u.area_code, NULL, NULL, NULL, NULL, u.id FROM units u
             WHERE NOT EXISTS (SELECT 1 FROM responses r WHERE r.register_unit_id = u.id)
         )
         SELECT f.*, EXISTS (SELECT 1 FROM invitations i WHERE i.unit_id = f.unit_id),
                (SELECT e.kind FROM unit_events e WHERE e.unit_id = f.unit_id ORDER BY e.id DESC LIMIT 1)
         FROM found f ORDER BY f.code, f.response_id LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![wave_id, query, limit], |r| {
        Ok(CaseRow {
            response_id: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            area_code: r.get(3)?,
            survey_id: r.get(4)?,
            status: r.get(5)?,
            identity_check: r.get(6)?,
            standing: r.get(7)?,
            unit_id: r.get(8)?,
            invited: r.get(9)?,
            last_event: r.get(10)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A sampled enterprise or an agency as fieldwork follows it up: who, how to reach it, and
/// what happened.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldUnit {
    pub unit_id: i64,
    pub kind: UnitKind,
    /// The tax code, or the agency's code.
    pub code: String,
    pub name: String,
    pub area_code: String,
    /// An enterprise's sector and size class; an agency's kind.
    pub vsic_section: Option<String>,
    pub size_class: Option<String>,
    pub agency_kind: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub has_email: bool,
    pub inclusion: f64,
    pub invited: bool,
    /// `draft` or `submitted`, for a response (not void) started with its code.
    pub response: Option<String>,
    /// Whether that response counts (`counted`, or `unconfirmed`).
    pub standing: Option<String>,
    /// The kinds of its field events.
    pub events: Vec<String>,
    /// When an official last recorded a contact (RFC 3339).
    pub last_contact: Option<String>,
    /// An e-mail to it was given up (the server refused it, or ten attempts failed): reach it
    /// another way.
    pub mail_failed: bool,
}

/// The sampled units of a wave (of `areas` only, when given), by ward and name.
pub fn field_units(
    conn: &Connection,
    wave_id: &str,
    areas: Option<&[String]>,
) -> Result<Vec<FieldUnit>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.id, u.code, u.name, u.area_code, u.vsic_section, u.size_class, u.address, u.phone,
                u.email IS NOT NULL, s.inclusion, i.unit_id IS NOT NULL, r.status, r.standing,
                (SELECT group_concat(DISTINCT e.kind) FROM unit_events e WHERE e.unit_id = u.id),
                (SELECT max(e.recorded_at) FROM unit_events e WHERE e.unit_id = u.id AND e.kind = 'contact'),
                EXISTS (SELECT 1 FROM outbox o WHERE o.unit_id = u.id AND o.status = 'failed'),
                u.kind, u.agency_kind
         FROM sample_units s JOIN register_units u ON u.id = s.unit_id
         LEFT JOIN invitations i ON i.unit_id = u.id
         LEFT JOIN responses r ON r.register_unit_id = u.id AND r.standing <> 'void'
         WHERE s.wave_id = ?1 AND (?2 IS NULL OR u.area_code IN (SELECT value FROM json_each(?2)))
         ORDER BY u.area_code, u.kind DESC, u.name, u.code",
    )?;
    let areas = areas.map(|a| serde_json::to_string(a).unwrap_or_default());
    let rows = stmt.query_map(params![wave_id, areas], |r| {
        let events: Option<String> = r.get(13)?;
        Ok(FieldUnit {
            unit_id: r.get(0)?,
            kind: UnitKind::parse(&r.get::<_, String>(16)?),
            agency_kind: r.get(17)?,
            code: r.get(1)?,
            name: r.get(2)?,
            area_code: r.get(3)?,
            vsic_section: r.get(4)?,
            size_class: r.get(5)?,
            address: r.get(6)?,
            phone: r.get(7)?,
            has_email: r.get(8)?,
            inclusion: r.get(9)?,
            invited: r.get(10)?,
            response: r.get(11)?,
            standing: r.get(12)?,
            events: events.map(|e| e.split(',').map(str::to_string).collect()).unwrap_or_default(),
            last_contact: r.get(14)?,
            mail_failed: r.get(15)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
