//! Versioned schema migrations, embedded in the binary and applied at start. The schema
//! version is SQLite's `user_version`; each migration runs in its own transaction together
//! with the version bump, so a crash leaves either the old or the new schema.

use rusqlite::{Connection, OptionalExtension};

use super::StoreError;

/// Every migration, in order: migration `i` brings the schema to version `i + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_accounts.sql"),
    include_str!("migrations/0003_frame.sql"),
    include_str!("migrations/0004_wave_rules.sql"),
    include_str!("migrations/0005_benchmarks.sql"),
    include_str!("migrations/0006_register.sql"),
    include_str!("migrations/0007_cases.sql"),
    include_str!("migrations/0008_unit_language.sql"),
    include_str!("migrations/0009_agency_register.sql"),
    include_str!("migrations/0010_experiment_arm.sql"),
    include_str!("migrations/0011_vsic_2025.sql"),
    include_str!("migrations/0012_register_facts.sql"),
    include_str!("migrations/0013_operations.sql"),
    include_str!("migrations/0014_calibration.sql"),
    include_str!("migrations/0015_statistics_organisation.sql"),
    include_str!("migrations/0016_response_sample_stratum.sql"),
    include_str!("migrations/0017_api_tokens.sql"),
    include_str!("migrations/0018_microdata_organisation.sql"),
];

/// The schema version this binary expects.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

/// Applies the migrations the database lacks; running it again does nothing. Foreign keys are
/// off while they run, so that a migration can rebuild a table that others refer to (SQLite's
/// way to change a column's constraints); each is checked before its transaction commits.
pub fn migrate(conn: &mut Connection) -> Result<i64, StoreError> {
    conn.pragma_update(None, "foreign_keys", false)?;
    let migrated = apply(conn, latest());
    conn.pragma_update(None, "foreign_keys", true)?;
    migrated
}

/// Brings the schema to version `target` (foreign keys off).
fn apply(conn: &mut Connection, target: i64) -> Result<i64, StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > latest() {
        return Err(StoreError::Invalid(format!(
            "the database has schema version {current}, newer than this program's {}: use a newer dxsurvey",
            latest()
        )));
    }
    let pending = MIGRATIONS.iter().enumerate().take(usize::try_from(target).unwrap_or(0));
    for (i, sql) in pending.skip(usize::try_from(current).unwrap_or(0)) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        let broken: Option<String> =
            tx.query_row("PRAGMA foreign_key_check", [], |r| r.get(0)).optional()?;
        if let Some(table) = broken {
            return Err(StoreError::Invalid(format!(
                "migration {} would leave rows of {table} pointing nowhere; nothing was changed",
                i + 1
            )));
        }
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(latest())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database of schema 8 with a register, a sample, an invitation, a response started with
    /// its code, a field event and an e-mail: what fieldwork had before agencies joined.
    fn fieldwork_of_schema_8() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", false).unwrap();
        apply(&mut conn, 8).unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        conn.execute_batch(
            "INSERT INTO areas VALUES ('00070', 'Hoàn Kiếm', 'Hoan Kiem', 'phuong');
             INSERT INTO sectors VALUES ('G', 'Bán buôn', 'Trade');
             INSERT INTO waves (id, title_vi, title_en, opens_on, closes_on, status, created_at)
                 VALUES ('2026', 'Đợt', 'Wave', '2026-01-01', '2026-12-31', 'open', 'now');
             INSERT INTO register_units (id, wave_id, tax_code, name, area_code, vsic_section, size_class)
                 VALUES (7, '2026', '0101234567', 'Công ty A', '00070', 'G', 'micro');
             INSERT INTO samples VALUES ('2026', 1, 1, 0, 0.5, 'now');
             INSERT INTO sample_units VALUES (7, '2026', 0.25);
             INSERT INTO invitations (unit_id, code_hash, issued_at) VALUES (7, x'00', 'now');
             INSERT INTO unit_events (unit_id, kind, recorded_at) VALUES (7, 'letter', 'now');
             INSERT INTO outbox (unit_id, kind, recipient, status, queued_at, next_try)
                 VALUES (7, 'invitation', 'a@b.vn', 'queued', 'now', 'now');",
        )
        .unwrap();
        conn
    }

    #[test]
    fn the_register_rebuilt_for_agencies_keeps_every_entry_and_what_refers_to_it() {
        let mut conn = fieldwork_of_schema_8();
        assert_eq!(migrate(&mut conn).unwrap(), latest());
        let unit: (String, String, Option<String>, f64) = conn
            .query_row(
                "SELECT u.kind, u.code, u.tax_code, s.inclusion FROM register_units u
                 JOIN sample_units s ON s.unit_id = u.id JOIN invitations i ON i.unit_id = u.id
                 WHERE u.id = 7",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(
            unit,
            ("enterprise".into(), "0101234567".into(), Some("0101234567".into()), 0.25)
        );
        let parent = |table: &str| -> String {
            conn.query_row(
                &format!(
                    "SELECT \"table\" FROM pragma_foreign_key_list('{table}')
                                     WHERE \"from\" = 'unit_id'"
                ),
                [],
                |r| r.get(0),
            )
            .unwrap()
        };
        // The sample's stratum is kept with it (schema 15): the unit's register stratum.
        let stratum: (i64, String, String, String, i64) = conn
            .query_row(
                "SELECT s.stratum, t.area_code, t.vsic_section, t.size_class, t.sampled
                 FROM sample_units s JOIN sample_strata t ON t.wave_id = s.wave_id AND t.stratum = s.stratum
                 WHERE s.unit_id = 7",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap();
        assert_eq!(stratum, (1, "00070".into(), "G".into(), "micro".into(), 1));
        // A response keeps its unit's sample stratum (schema 16): set when it is stored, and
        // when its unit is sampled after it; none for a unit outside the sample.
        conn.pragma_update(None, "foreign_keys", false).unwrap();
        let respond = |id: i64, unit: i64| {
            conn.execute(
                "INSERT INTO responses (id, wave_id, survey_id, version, status, answers, created_at, updated_at, register_unit_id)
                 VALUES (?1, '2026', 's', 1, 'submitted', '{}', 'now', 'now', ?2)",
                [id, unit],
            )
            .unwrap();
        };
        let stratum_of = |id: i64| -> Option<i64> {
            conn.query_row("SELECT sample_stratum FROM responses WHERE id = ?1", [id], |r| r.get(0))
                .unwrap()
        };
        respond(1, 7);
        respond(2, 8);
        assert_eq!((stratum_of(1), stratum_of(2)), (Some(1), None));
        conn.execute("INSERT INTO sample_units VALUES (8, '2026', 0.5, 1)", []).unwrap();
        assert_eq!(stratum_of(2), Some(1));
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        assert_eq!(parent("sample_units"), "register_units");
        assert_eq!(parent("unit_events"), "register_units");
        assert_eq!(parent("outbox"), "register_units");
        assert_eq!(parent("invitations"), "sample_units");
        let on: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert!(on, "foreign keys are on again after migrating");
        // An agency has no tax code, sector or size; an enterprise must have them.
        conn.execute(
            "INSERT INTO register_units (wave_id, kind, code, name, area_code, agency_kind)
             VALUES ('2026', 'agency', '1234567', 'UBND phường', '00070', 'commune_committee')",
            [],
        )
        .unwrap();
        let enterprise_without_sector = conn.execute(
            "INSERT INTO register_units (wave_id, kind, code, tax_code, name, area_code, size_class)
             VALUES ('2026', 'enterprise', '0101234568', '0101234568', 'B', '00070', 'micro')",
            [],
        );
        assert!(enterprise_without_sector.is_err());
        // Replacing a register removes its entries: each removal checks what refers to it, and
        // must look it up, not read every e-mail and response of the database.
        let plan: Vec<String> = conn
            .prepare("EXPLAIN QUERY PLAN DELETE FROM register_units WHERE wave_id = '2026'")
            .unwrap()
            .query_map([], |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(plan.iter().all(|step| !step.starts_with("SCAN")), "{plan:?}");
        let orphan = conn.execute(
            "INSERT INTO unit_events (unit_id, kind, recorded_at) VALUES (99, 'letter', 'now')",
            [],
        );
        assert!(orphan.is_err(), "foreign keys hold on the rebuilt table");
    }
}
