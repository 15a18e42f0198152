//! The named register of a wave: its enterprises, sampled, and its public agencies, all
//! invited.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::StoreError;
use crate::kernel::Lang;
use crate::register::RegisterUnit;
use crate::register::agency::RegisterAgency;

/// What a register entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Enterprise,
    Agency,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Enterprise => "enterprise",
            UnitKind::Agency => "agency",
        }
    }

    pub(super) fn parse(text: &str) -> UnitKind {
        if text == "agency" { UnitKind::Agency } else { UnitKind::Enterprise }
    }
}

/// Removes the enterprises of a wave's register, before new ones are added in the same
/// transaction.
pub fn clear_register(tx: &Transaction<'_>, wave_id: &str) -> Result<(), StoreError> {
    tx.execute("DELETE FROM register_units WHERE wave_id = ?1 AND kind = 'enterprise'", [wave_id])?;
    Ok(())
}

/// Removes the agencies of a wave's register and their places in its fieldwork, before new
/// ones are added in the same transaction.
pub fn clear_agencies(tx: &Transaction<'_>, wave_id: &str) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM sample_units WHERE unit_id IN
             (SELECT id FROM register_units WHERE wave_id = ?1 AND kind = 'agency')",
        [wave_id],
    )?;
    tx.execute("DELETE FROM register_units WHERE wave_id = ?1 AND kind = 'agency'", [wave_id])?;
    Ok(())
}

/// Adds one agency to the register of a wave, and to its fieldwork: agencies are a census,
/// each is in with probability 1.
pub fn add_register_agency(
    tx: &Transaction<'_>,
    wave_id: &str,
    agency: &RegisterAgency,
) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO register_units (wave_id, kind, code, name, area_code, agency_kind, address, email, phone,
             language)
         VALUES (?1, 'agency', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    insert.execute(params![
        wave_id,
        agency.code,
        agency.name,
        agency.area.as_str(),
        agency.kind,
        agency.address,
        agency.email,
        agency.phone,
        agency.language.code()
    ])?;
    let id = tx.last_insert_rowid();
    tx.prepare_cached(
        "INSERT INTO sample_units (unit_id, wave_id, inclusion) VALUES (?1, ?2, 1.0)",
    )?
    .execute(params![id, wave_id])?;
    Ok(())
}

/// How many agencies the register of a wave lists, and how many of them have an access code.
pub fn agency_register_size(conn: &Connection, wave_id: &str) -> Result<(i64, i64), StoreError> {
    Ok(conn.query_row(
        "SELECT count(*), count(i.unit_id) FROM register_units u
         LEFT JOIN invitations i ON i.unit_id = u.id
         WHERE u.wave_id = ?1 AND u.kind = 'agency'",
        [wave_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// Adds one enterprise to the register of a wave.
pub fn add_register_unit(
    tx: &Transaction<'_>,
    wave_id: &str,
    unit: &RegisterUnit,
) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO register_units (wave_id, kind, code, tax_code, name, area_code, vsic_section, size_class,
             address, email, phone, language, employees, revenue, capital, year_founded)
         VALUES (?1, 'enterprise', ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
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
        unit.phone,
        unit.language.code(),
        unit.facts.employees,
        unit.facts.revenue,
        unit.facts.capital,
        unit.facts.year_founded
    ])?;
    Ok(())
}

/// How many enterprises the register of a wave lists.
pub fn register_size(conn: &Connection, wave_id: &str) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT count(*) FROM register_units WHERE wave_id = ?1 AND kind = 'enterprise'",
        [wave_id],
        |r| r.get(0),
    )?)
}

/// A stratum of the register: (area, section, size class), and the ids of its units.
pub type RegisterStratum = ((String, String, String), Vec<i64>);

/// The register of a wave by stratum, units in id order, strata in key order.
pub fn register_strata(
    conn: &Connection,
    wave_id: &str,
) -> Result<Vec<RegisterStratum>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT area_code, vsic_section, size_class, id FROM register_units
         WHERE wave_id = ?1 AND kind = 'enterprise'
         ORDER BY area_code, vsic_section, size_class, id",
    )?;
    let mut rows = stmt.query([wave_id])?;
    let mut strata: Vec<RegisterStratum> = Vec::new();
    while let Some(row) = rows.next()? {
        let key: (String, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
        let id: i64 = row.get(3)?;
        match strata.last_mut() {
            Some((last, ids)) if *last == key => ids.push(id),
            _ => strata.push((key, vec![id])),
        }
    }
    Ok(strata)
}

/// A sample's plan as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSample {
    pub seed: u64,
    pub total: u32,
    pub min_per_ward_size: u32,
    pub prior: f64,
    pub drawn_at: String,
}

/// The sample of a wave, if one was drawn.
pub fn sample_of(conn: &Connection, wave_id: &str) -> Result<Option<StoredSample>, StoreError> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT seed, total, min_per_ward_size, prior, drawn_at FROM samples WHERE wave_id = ?1",
            [wave_id],
            |r| {
                Ok(StoredSample {
                    seed: r.get::<_, i64>(0)? as u64,
                    total: r.get(1)?,
                    min_per_ward_size: r.get(2)?,
                    prior: r.get(3)?,
                    drawn_at: r.get(4)?,
                })
            },
        )
        .optional()?)
}

/// Records a sample: its plan and every unit with its inclusion probability.
pub fn save_sample(
    tx: &Transaction<'_>,
    wave_id: &str,
    sample: &StoredSample,
    strata: &[SampleStratum],
    units: &[SampledUnit],
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO samples (wave_id, seed, total, min_per_ward_size, prior, drawn_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            wave_id,
            sample.seed as i64,
            sample.total,
            sample.min_per_ward_size,
            sample.prior,
            sample.drawn_at
        ],
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO sample_strata (wave_id, stratum, area_code, vsic_section, size_class, sampled)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, s) in strata.iter().enumerate() {
        let number = i as i64 + 1;
        insert.execute(params![
            wave_id,
            number,
            s.area_code,
            s.vsic_section,
            s.size_class,
            s.sampled
        ])?;
    }
    let mut insert = tx.prepare_cached(
        "INSERT INTO sample_units (unit_id, wave_id, inclusion, stratum) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for u in units {
        insert.execute(params![u.unit, wave_id, u.inclusion, u.stratum])?;
    }
    Ok(())
}

/// A stratum of a drawn sample, as stored (numbered from 1 in the order given).
#[derive(Debug, Clone, PartialEq)]
pub struct SampleStratum {
    pub area_code: String,
    pub vsic_section: String,
    pub size_class: String,
    pub sampled: i64,
}

/// A sampled enterprise: its register unit, inclusion probability and stratum number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampledUnit {
    pub unit: i64,
    pub inclusion: f64,
    pub stratum: i64,
}

/// A sampled enterprise, or an agency, as an invitation names it.
#[derive(Debug, Clone, PartialEq)]
pub struct Invitee {
    pub unit_id: i64,
    pub kind: UnitKind,
    /// The tax code of an enterprise, the office's code of an agency.
    pub code: String,
    pub name: String,
    pub area_code: String,
    /// An enterprise's.
    pub vsic_section: Option<String>,
    pub size_class: Option<String>,
    /// An agency's (a choice of the agency questionnaire's kind-of-agency question).
    pub agency_kind: Option<String>,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The language of its e-mails.
    pub language: Lang,
    /// The generation of its access code (see `AccessCode::derive`), once issued.
    pub generation: Option<i64>,
    /// What the register knows of an enterprise's size and age.
    pub facts: crate::register::Facts,
}

/// The columns of an [`Invitee`], then its wave.
const INVITEE: &str = "SELECT r.id, r.code, r.name, r.area_code, r.vsic_section, r.size_class,
        r.address, r.email, r.phone, i.generation, r.language, s.wave_id, r.kind, r.agency_kind,
        r.employees, r.revenue, r.capital, r.year_founded
     FROM sample_units s JOIN register_units r ON r.id = s.unit_id
     LEFT JOIN invitations i ON i.unit_id = s.unit_id";

/// The stratum of a register entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stratum {
    pub area_code: String,
    pub vsic_section: Option<String>,
    pub size_class: Option<String>,
}

impl Invitee {
    /// Its stratum.
    pub fn stratum(&self) -> Stratum {
        Stratum {
            area_code: self.area_code.clone(),
            vsic_section: self.vsic_section.clone(),
            size_class: self.size_class.clone(),
        }
    }
}

/// The stratum of register entry `unit`.
pub fn register_stratum(conn: &Connection, unit: i64) -> Result<Option<Stratum>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT area_code, vsic_section, size_class FROM register_units WHERE id = ?1",
    )?;
    Ok(statement
        .query_row([unit], |r| {
            Ok(Stratum { area_code: r.get(0)?, vsic_section: r.get(1)?, size_class: r.get(2)? })
        })
        .optional()?)
}

fn invitee(r: &rusqlite::Row<'_>) -> rusqlite::Result<Invitee> {
    Ok(Invitee {
        unit_id: r.get(0)?,
        kind: UnitKind::parse(&r.get::<_, String>(12)?),
        code: r.get(1)?,
        agency_kind: r.get(13)?,
        name: r.get(2)?,
        area_code: r.get(3)?,
        vsic_section: r.get(4)?,
        size_class: r.get(5)?,
        address: r.get(6)?,
        email: r.get(7)?,
        phone: r.get(8)?,
        generation: r.get(9)?,
        language: Lang::parse(&r.get::<_, String>(10)?).unwrap_or(Lang::Vi),
        facts: crate::register::Facts {
            employees: r.get(14)?,
            revenue: r.get(15)?,
            capital: r.get(16)?,
            year_founded: r.get(17)?,
        },
    })
}

/// The sampled units of a wave that have no access code yet, by ward and tax code.
pub fn uninvited(conn: &Connection, wave_id: &str) -> Result<Vec<Invitee>, StoreError> {
    let sql = format!(
        "{INVITEE} WHERE s.wave_id = ?1 AND i.unit_id IS NULL ORDER BY r.area_code, r.kind, r.code"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([wave_id], invitee)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The sampled units of a wave that have an access code, by ward and tax code; only those of
/// `areas` when given.
pub fn invited(
    conn: &Connection,
    wave_id: &str,
    areas: Option<&[String]>,
) -> Result<Vec<Invitee>, StoreError> {
    let sql = format!(
        "{INVITEE} WHERE s.wave_id = ?1 AND i.unit_id IS NOT NULL
           AND (?2 IS NULL OR r.area_code IN (SELECT value FROM json_each(?2)))
         ORDER BY r.area_code, r.kind, r.code"
    );
    let areas = areas.map(|a| serde_json::to_string(a).unwrap_or_default());
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![wave_id, areas], invitee)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The sampled enterprise or the agency of a wave with this code (tax code or agency code).
pub fn sampled_unit(
    conn: &Connection,
    wave_id: &str,
    code: &str,
) -> Result<Option<Invitee>, StoreError> {
    use rusqlite::OptionalExtension;
    let sql = format!("{INVITEE} WHERE s.wave_id = ?1 AND r.code = ?2");
    Ok(conn.query_row(&sql, params![wave_id, code], invitee).optional()?)
}

/// Gives a unit its access code (by hash) of `generation`, replacing any it had.
pub fn set_access_code(
    tx: &Transaction<'_>,
    unit_id: i64,
    code_hash: &[u8; 32],
    generation: i64,
    now: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO invitations (unit_id, code_hash, issued_at, generation) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (unit_id) DO UPDATE SET code_hash = excluded.code_hash, issued_at = excluded.issued_at,
             generation = excluded.generation",
        params![unit_id, code_hash.as_slice(), now, generation],
    )?;
    Ok(())
}

/// The wave and unit an access code opens, if any.
pub fn invitee_by_code(
    conn: &Connection,
    code_hash: &[u8; 32],
) -> Result<Option<(String, Invitee)>, StoreError> {
    use rusqlite::OptionalExtension;
    let sql = format!("{INVITEE} WHERE i.code_hash = ?1");
    Ok(conn
        .query_row(&sql, [code_hash.as_slice()], |r| Ok((r.get(11)?, invitee(r)?)))
        .optional()?)
}
