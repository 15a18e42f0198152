//! The frame of a wave.

use rusqlite::{Connection, Transaction, params};

use super::StoreError;
use crate::frame::FrameRow;

/// Replaces the frame of a wave (all of it, or nothing if anything fails).
pub fn replace_frame(
    tx: &Transaction<'_>,
    wave_id: &str,
    rows: &[FrameRow],
) -> Result<(), StoreError> {
    tx.execute("DELETE FROM frame_strata WHERE wave_id = ?1", [wave_id])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO frame_strata (wave_id, area_code, vsic_section, size_class, enterprises) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for row in rows {
        let enterprises = i64::try_from(row.enterprises)
            .map_err(|_| StoreError::Invalid("a count too large".into()))?;
        insert.execute(params![
            wave_id,
            row.area.as_str(),
            row.section.to_string(),
            row.size.as_str(),
            enterprises
        ])?;
    }
    Ok(())
}

/// The frame of a wave: (area code, section, size class, enterprises).
pub fn frame(
    conn: &Connection,
    wave_id: &str,
) -> Result<Vec<(String, String, String, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT area_code, vsic_section, size_class, enterprises FROM frame_strata WHERE wave_id = ?1
         ORDER BY area_code, vsic_section, size_class",
    )?;
    let rows = stmt.query_map([wave_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Enterprises of the frame per area code in a wave.
pub fn frame_by_area(conn: &Connection, wave_id: &str) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT area_code, sum(enterprises) FROM frame_strata WHERE wave_id = ?1 GROUP BY area_code",
    )?;
    let rows = stmt.query_map([wave_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Enterprises of the frame per VSIC section in a wave.
pub fn frame_by_section(
    conn: &Connection,
    wave_id: &str,
) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT vsic_section, sum(enterprises) FROM frame_strata WHERE wave_id = ?1 GROUP BY vsic_section",
    )?;
    let rows = stmt.query_map([wave_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
