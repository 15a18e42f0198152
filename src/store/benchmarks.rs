//! The benchmark snapshots respondents are compared with (docs/disclosure.md, section 5).

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{PeerGroup, PeerMeans, StoreError};

/// A stored snapshot of a peer group.
#[derive(Debug, Clone, PartialEq)]
pub struct Benchmark {
    /// The Hanoi date it was taken (YYYY-MM-DD): it holds what was submitted before that day.
    pub taken_on: String,
    pub means: PeerMeans,
}

fn kind_and_code(group: PeerGroup<'_>) -> (&'static str, &str) {
    match group {
        PeerGroup::Area(code) => ("area", code),
        PeerGroup::Sector(section) => ("sector", section),
    }
}

/// The snapshot of a group, if one was taken.
pub fn benchmark(
    conn: &Connection,
    wave_id: &str,
    survey_id: &str,
    group: PeerGroup<'_>,
) -> Result<Option<Benchmark>, StoreError> {
    let (kind, code) = kind_and_code(group);
    let mut stmt = conn.prepare_cached(
        "SELECT taken_on, responses, overall, dimensions FROM benchmarks
         WHERE wave_id = ?1 AND survey_id = ?2 AND kind = ?3 AND code = ?4",
    )?;
    let row: Option<(String, i64, Option<f64>, String)> = stmt
        .query_row(params![wave_id, survey_id, kind, code], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((taken_on, count, overall, dimensions)) = row else { return Ok(None) };
    let dimensions: Vec<(String, f64)> = serde_json::from_str(&dimensions)
        .map_err(|e| StoreError::Invalid(format!("benchmark of {kind} {code}: {e}")))?;
    Ok(Some(Benchmark { taken_on, means: PeerMeans { count, overall, dimensions } }))
}

/// Replaces the snapshot of a group.
pub fn save_benchmark(
    tx: &Transaction<'_>,
    wave_id: &str,
    survey_id: &str,
    group: PeerGroup<'_>,
    benchmark: &Benchmark,
) -> Result<(), StoreError> {
    let (kind, code) = kind_and_code(group);
    let dimensions = serde_json::to_string(&benchmark.means.dimensions)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO benchmarks (wave_id, survey_id, kind, code, taken_on, responses, overall, dimensions)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (wave_id, survey_id, kind, code) DO UPDATE SET taken_on = ?5, responses = ?6,
           overall = ?7, dimensions = ?8",
    )?
    .execute(params![
        wave_id,
        survey_id,
        kind,
        code,
        benchmark.taken_on,
        benchmark.means.count,
        benchmark.means.overall,
        dimensions
    ])?;
    Ok(())
}
