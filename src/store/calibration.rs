//! A sample wave's calibration setting, and what its estimator reads: the units sampled per
//! register stratum, and the counted responses of sampled units with their register codes.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{StatRow, StoreError};

/// A wave's calibration as stored: margins by name, the distance by name, optional bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCalibration {
    pub margins: String,
    pub distance: String,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub set_at: String,
}

pub fn calibration_of(
    conn: &Connection,
    wave_id: &str,
) -> Result<Option<StoredCalibration>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT margins, distance, lower, upper, set_at FROM wave_calibration WHERE wave_id = ?1",
    )?;
    Ok(stmt
        .query_row([wave_id], |r| {
            Ok(StoredCalibration {
                margins: r.get(0)?,
                distance: r.get(1)?,
                lower: r.get(2)?,
                upper: r.get(3)?,
                set_at: r.get(4)?,
            })
        })
        .optional()?)
}

/// Sets (or, with `None`, removes) a wave's calibration.
pub fn set_calibration(
    tx: &Transaction<'_>,
    wave_id: &str,
    calibration: Option<&StoredCalibration>,
) -> Result<(), StoreError> {
    tx.execute("DELETE FROM wave_calibration WHERE wave_id = ?1", [wave_id])?;
    if let Some(c) = calibration {
        tx.execute(
            "INSERT INTO wave_calibration (wave_id, margins, distance, lower, upper, set_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![wave_id, c.margins, c.distance, c.lower, c.upper, c.set_at],
        )?;
    }
    Ok(())
}

/// Enterprises sampled per register stratum (area, section, size class, sampled).
pub fn sampled_strata(
    conn: &Connection,
    wave_id: &str,
) -> Result<Vec<(String, String, String, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.area_code, u.vsic_section, u.size_class, count(*)
         FROM sample_units s JOIN register_units u ON u.id = s.unit_id
         WHERE s.wave_id = ?1 AND u.kind = 'enterprise'
         GROUP BY 1, 2, 3",
    )?;
    let rows = stmt.query_map([wave_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The counted, submitted responses of sampled enterprises to `survey_id` in `wave_id`, in id
/// order, with the register's stratum of each (area, section, size class).
pub fn sampled_responses(
    conn: &Connection,
    wave_id: &str,
    survey_id: &str,
) -> Result<Vec<(i64, String, String, String)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, u.area_code, u.vsic_section, u.size_class
         FROM responses r
         JOIN sample_units s ON s.unit_id = r.register_unit_id AND s.wave_id = r.wave_id
         JOIN register_units u ON u.id = s.unit_id AND u.kind = 'enterprise'
         WHERE r.wave_id = ?1 AND r.survey_id = ?2 AND r.status = 'submitted'
           AND r.standing = 'counted' AND r.indicator_bits IS NOT NULL
         ORDER BY r.id",
    )?;
    let rows = stmt.query_map(params![wave_id, survey_id], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Calls `f` on every counted, submitted response of a sampled enterprise to `survey_id` in
/// `wave_id`, with the stratum the register gives the unit (the sampling stratum), streaming.
/// Returns how many there were, and how many counted responses were left out because they are
/// not of a sampled unit.
pub fn for_each_sampled_submitted(
    conn: &Connection,
    wave_id: &str,
    survey_id: &str,
    mut f: impl FnMut(StatRow<'_>),
) -> Result<(usize, usize), StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.area_code, u.vsic_section, u.size_class, r.indicator_bits, r.score_values,
                s.unit_id IS NOT NULL AND u.kind = 'enterprise'
         FROM responses r
         LEFT JOIN sample_units s ON s.unit_id = r.register_unit_id AND s.wave_id = r.wave_id
         LEFT JOIN register_units u ON u.id = s.unit_id
         WHERE r.wave_id = ?1 AND r.survey_id = ?2 AND r.status = 'submitted'
           AND r.standing = 'counted' AND r.indicator_bits IS NOT NULL",
    )?;
    let mut rows = stmt.query(params![wave_id, survey_id])?;
    let (mut sampled, mut outside) = (0, 0);
    while let Some(row) = rows.next()? {
        if !row.get::<_, bool>(5)? {
            outside += 1;
            continue;
        }
        f(super::fieldwork::stat_row(row)?);
        sampled += 1;
    }
    Ok((sampled, outside))
}
