//! Counts of responses for fieldwork monitoring: never a single response's content.

use rusqlite::{Connection, params};

use super::StoreError;

/// Drafts and submitted responses of one group.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub drafts: i64,
    pub submitted: i64,
}

/// Counts per area code in a wave (every questionnaire together).
pub fn counts_by_area(
    conn: &Connection,
    wave_id: &str,
) -> Result<Vec<(String, Counts)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT area_code, sum(status = 'draft'), sum(status = 'submitted') FROM responses
         WHERE wave_id = ?1 AND area_code IS NOT NULL GROUP BY area_code",
    )?;
    let rows = stmt.query_map([wave_id], |r| {
        Ok((r.get(0)?, Counts { drafts: r.get(1)?, submitted: r.get(2)? }))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Counts per questionnaire in one area of a wave.
pub fn counts_in_area(
    conn: &Connection,
    wave_id: &str,
    area: &str,
) -> Result<Vec<(String, Counts)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT survey_id, sum(status = 'draft'), sum(status = 'submitted') FROM responses
         WHERE wave_id = ?1 AND area_code = ?2 GROUP BY survey_id ORDER BY survey_id",
    )?;
    let rows = stmt.query_map(params![wave_id, area], |r| {
        Ok((r.get(0)?, Counts { drafts: r.get(1)?, submitted: r.get(2)? }))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Submitted responses per level id of one questionnaire in one area of a wave.
pub fn levels_in_area(
    conn: &Connection,
    wave_id: &str,
    survey_id: &str,
    area: &str,
) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT level, count(*) FROM responses
         WHERE wave_id = ?1 AND survey_id = ?2 AND area_code = ?3 AND status = 'submitted' AND level IS NOT NULL
         GROUP BY level",
    )?;
    let rows = stmt.query_map(params![wave_id, survey_id, area], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
