//! Survey waves.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::Serialize;

use super::{StoreError, now};
use crate::survey::Text;

/// Whether respondents can answer in a wave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WaveStatus {
    Open,
    Closed,
}

/// Who may start a response in a wave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WaveAccess {
    /// Only with a personal access code: the default once the wave has a named register.
    Invitation,
    /// Anyone, as a self-declared organisation, out of the estimates until confirmed.
    Open,
}

impl WaveAccess {
    pub fn as_str(self) -> &'static str {
        match self {
            WaveAccess::Invitation => "invitation",
            WaveAccess::Open => "open",
        }
    }

    pub fn parse(text: &str) -> Option<WaveAccess> {
        match text {
            "invitation" => Some(WaveAccess::Invitation),
            "open" => Some(WaveAccess::Open),
            _ => None,
        }
    }
}

/// A survey wave.
#[derive(Debug, Clone, Serialize)]
pub struct Wave {
    /// Short id, e.g. `2026`.
    pub id: String,
    pub title: Text,
    /// ISO dates.
    pub opens_on: String,
    pub closes_on: String,
    pub status: WaveStatus,
    /// When an administrator closed it (RFC 3339), if closed.
    pub closed_at: Option<String>,
    /// The questionnaire versions of the wave: (survey id, version).
    pub questionnaires: Vec<(String, u32)>,
    /// Who may start a response, as set or by default.
    pub access: WaveAccess,
    /// Whether the wave's register lists public agencies (then they too are invited).
    pub agency_register: bool,
}

/// A wave to create.
#[derive(Debug, Clone)]
pub struct NewWave {
    pub id: String,
    pub title: Text,
    pub opens_on: String,
    pub closes_on: String,
    pub questionnaires: Vec<(String, u32)>,
}

/// Creates an open wave.
pub fn create_wave(tx: &Transaction<'_>, wave: &NewWave) -> Result<(), StoreError> {
    let valid_id = !wave.id.is_empty()
        && wave.id.len() <= 32
        && wave.id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid_id {
        return Err(StoreError::Invalid(format!(
            "wave id '{}' must be 1 to 32 letters, digits, '-' or '_' (e.g. 2026)",
            wave.id
        )));
    }
    let exists: bool =
        tx.query_row("SELECT EXISTS (SELECT 1 FROM waves WHERE id = ?1)", [&wave.id], |r| {
            r.get(0)
        })?;
    if exists {
        return Err(StoreError::Conflict(format!("wave '{}' already exists", wave.id)));
    }
    tx.execute(
        "INSERT INTO waves (id, title_vi, title_en, opens_on, closes_on, status, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'open', ?6)",
        params![wave.id, wave.title.vi, wave.title.en, wave.opens_on, wave.closes_on, now()],
    )?;
    let mut add = tx.prepare_cached(
        "INSERT INTO wave_questionnaires (wave_id, survey_id, version) VALUES (?1, ?2, ?3)",
    )?;
    for (survey_id, version) in &wave.questionnaires {
        add.execute(params![wave.id, survey_id, version])?;
    }
    Ok(())
}

fn wave_row(conn: &Connection, row: &Row<'_>) -> rusqlite::Result<Wave> {
    let id: String = row.get(0)?;
    let status: String = row.get(5)?;
    let mut stmt = conn.prepare_cached(
        "SELECT survey_id, version FROM wave_questionnaires WHERE wave_id = ?1 ORDER BY survey_id",
    )?;
    let questionnaires =
        stmt.query_map([&id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    Ok(Wave {
        title: Text::new(row.get::<_, String>(1)?, row.get::<_, String>(2)?),
        opens_on: row.get(3)?,
        closes_on: row.get(4)?,
        status: if status == "open" { WaveStatus::Open } else { WaveStatus::Closed },
        closed_at: row.get(6)?,
        access: WaveAccess::parse(&row.get::<_, String>(7)?).unwrap_or(WaveAccess::Open),
        agency_register: row.get(8)?,
        questionnaires,
        id,
    })
}

const WAVE_COLUMNS: &str = "id, title_vi, title_en, opens_on, closes_on, status, closed_at,
    coalesce(access, CASE WHEN EXISTS (SELECT 1 FROM register_units u WHERE u.wave_id = waves.id)
                          THEN 'invitation' ELSE 'open' END),
    EXISTS (SELECT 1 FROM register_units u WHERE u.wave_id = waves.id AND u.kind = 'agency')";

/// Sets who may start a response in a wave.
pub fn set_wave_access(
    tx: &Transaction<'_>,
    wave_id: &str,
    access: WaveAccess,
) -> Result<bool, StoreError> {
    let changed = tx
        .execute("UPDATE waves SET access = ?2 WHERE id = ?1", params![wave_id, access.as_str()])?;
    Ok(changed == 1)
}

/// Every wave, newest first.
pub fn waves(conn: &Connection) -> Result<Vec<Wave>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {WAVE_COLUMNS} FROM waves ORDER BY opens_on DESC, id DESC"
    ))?;
    let rows = stmt.query_map([], |r| wave_row(conn, r))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The wave with this id.
pub fn wave(conn: &Connection, id: &str) -> Result<Option<Wave>, StoreError> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {WAVE_COLUMNS} FROM waves WHERE id = ?1"))?;
    Ok(stmt.query_row([id], |r| wave_row(conn, r)).optional()?)
}

/// Open waves, newest first.
pub fn open_waves(conn: &Connection) -> Result<Vec<Wave>, StoreError> {
    Ok(waves(conn)?.into_iter().filter(|w| w.status == WaveStatus::Open).collect())
}

/// The ids of the waves with at least one submitted response to `survey_id`, or to any
/// questionnaire when `survey_id` is `None`.
pub fn waves_with_submissions(
    conn: &Connection,
    survey_id: Option<&str>,
) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM waves w WHERE EXISTS (SELECT 1 FROM responses r
             WHERE r.wave_id = w.id AND r.status = 'submitted' AND r.standing = 'counted'
               AND (?1 IS NULL OR r.survey_id = ?1))",
    )?;
    let rows = stmt.query_map([survey_id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Opens or closes a wave; returns false if there is no such wave.
pub fn set_wave_status(
    tx: &Transaction<'_>,
    id: &str,
    status: WaveStatus,
) -> Result<bool, StoreError> {
    let text = match status {
        WaveStatus::Open => "open",
        WaveStatus::Closed => "closed",
    };
    let closed_at = (status == WaveStatus::Closed).then(now);
    Ok(tx.execute(
        "UPDATE waves SET status = ?2, closed_at = ?3 WHERE id = ?1",
        params![id, text, closed_at],
    )? == 1)
}
