//! The named business register of a wave.

use rusqlite::{Connection, Transaction, params};

use super::StoreError;
use crate::register::RegisterUnit;

/// Removes the register of a wave, before a new one is added in the same transaction.
pub fn clear_register(tx: &Transaction<'_>, wave_id: &str) -> Result<(), StoreError> {
    tx.execute("DELETE FROM register_units WHERE wave_id = ?1", [wave_id])?;
    Ok(())
}

/// Adds one enterprise to the register of a wave.
pub fn add_register_unit(
    tx: &Transaction<'_>,
    wave_id: &str,
    unit: &RegisterUnit,
) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO register_units (wave_id, tax_code, name, area_code, vsic_section, size_class, address, email, phone)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    insert.execute(params![
        wave_id,
        unit.tax_code.as_str(),
        unit.name,
        unit.area.as_str(),
        unit.section.to_string(),
        unit.size.as_str(),
        unit.address,
        unit.email,
        unit.phone
    ])?;
    Ok(())
}

/// How many enterprises the register of a wave lists.
pub fn register_size(conn: &Connection, wave_id: &str) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT count(*) FROM register_units WHERE wave_id = ?1",
        [wave_id],
        |r| r.get(0),
    )?)
}
