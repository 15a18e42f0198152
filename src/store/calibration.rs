//! A sample wave's calibration setting, and what its estimator reads of the sample: the sampled
//! units, and the register stratum of each enterprise of the register.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::StoreError;

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

/// The strata of a wave's drawn sample: number, area, section, size class and units sampled.
pub fn sample_strata(
    conn: &Connection,
    wave_id: &str,
) -> Result<Vec<SampleStratumRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT stratum, area_code, vsic_section, size_class, sampled FROM sample_strata
         WHERE wave_id = ?1 ORDER BY stratum",
    )?;
    let rows =
        stmt.query_map([wave_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// (stratum number, area, section, size class, units sampled).
pub type SampleStratumRow = (i64, String, String, String, i64);
