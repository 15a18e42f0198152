//! Reference data in the database, so that responses can refer to areas and sectors.

use rusqlite::{Connection, Transaction, params};

use super::StoreError;
use crate::reference::Reference;

/// Inserts or updates areas, groups and sectors. Nothing is deleted: old responses may refer
/// to an area that a new list no longer has.
pub fn sync_reference(tx: &Transaction<'_>, reference: &Reference) -> Result<(), StoreError> {
    let mut area = tx.prepare_cached(
        "INSERT INTO areas (code, name_vi, name_en, kind) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en, kind = excluded.kind",
    )?;
    for a in &reference.areas {
        area.execute(params![a.code.as_str(), a.name.vi, a.name.en, a.kind])?;
    }
    let mut sector = tx.prepare_cached(
        "INSERT INTO sectors (section, name_vi, name_en) VALUES (?1, ?2, ?3)
         ON CONFLICT (section) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en",
    )?;
    // Every letter either version uses (responses and registers refer to them), named as
    // the newest version that has it names it.
    for version in crate::reference::VsicVersion::ALL {
        for s in reference.sectors(version) {
            sector.execute(params![s.section.to_string(), s.name.vi, s.name.en])?;
        }
    }
    let mut group = tx.prepare_cached(
        "INSERT INTO area_groups (code, name_vi, name_en) VALUES (?1, ?2, ?3)
         ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en",
    )?;
    let mut member = tx.prepare_cached(
        "INSERT OR IGNORE INTO area_group_members (group_code, area_code) VALUES (?1, ?2)",
    )?;
    for g in &reference.groups {
        group.execute(params![g.code, g.name.vi, g.name.en])?;
        for code in &g.areas {
            member.execute(params![g.code, code.as_str()])?;
        }
    }
    Ok(())
}

/// The number of areas stored.
pub fn area_count(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT count(*) FROM areas", [], |r| r.get(0))?)
}
