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
        "SELECT area_code, sum(status = 'draft'), sum(status = 'submitted' AND standing = 'counted') FROM responses
         WHERE wave_id = ?1 AND standing <> 'void' AND area_code IS NOT NULL GROUP BY area_code",
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
        "SELECT survey_id, sum(status = 'draft'), sum(status = 'submitted' AND standing = 'counted') FROM responses
         WHERE wave_id = ?1 AND standing <> 'void' AND area_code = ?2 GROUP BY survey_id ORDER BY survey_id",
    )?;
    let rows = stmt.query_map(params![wave_id, area], |r| {
        Ok((r.get(0)?, Counts { drafts: r.get(1)?, submitted: r.get(2)? }))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A submitted response as statistics see it: its stratum and compact results.
pub struct StatRow<'a> {
    /// The response's id.
    pub id: i64,
    pub area_code: Option<&'a str>,
    pub vsic_section: Option<&'a str>,
    pub size_class: Option<&'a str>,
    pub indicator_bits: i64,
    pub score_values: &'a [u8],
    /// The organisation that answered, which links its responses across waves.
    pub organisation: Option<i64>,
    /// The stratum number of that unit in the wave's drawn sample, when it is a sampled
    /// enterprise.
    pub sample_stratum: Option<i64>,
}

/// Calls `f` on every submitted response to `survey_id` in `wave_id`, streaming: memory does
/// not grow with the number of responses. Returns how many there were. Reads only the covering
/// index `responses_statistics`.
pub fn for_each_submitted(
    conn: &Connection,
    wave_id: &str,
    survey_id: &str,
    mut f: impl FnMut(StatRow<'_>),
) -> Result<usize, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, area_code, vsic_section, size_class, indicator_bits, score_values, organisation_id, sample_stratum
         FROM responses INDEXED BY responses_statistics
         WHERE wave_id = ?1 AND survey_id = ?2 AND status = 'submitted' AND standing = 'counted' AND indicator_bits IS NOT NULL",
    )?;
    let mut rows = stmt.query(params![wave_id, survey_id])?;
    let mut count = 0;
    while let Some(row) = rows.next()? {
        let text = |i: usize| row.get_ref(i).ok().and_then(|v| v.as_str_or_null().ok().flatten());
        f(StatRow {
            id: row.get(0)?,
            area_code: text(1),
            vsic_section: text(2),
            size_class: text(3),
            indicator_bits: row.get(4)?,
            score_values: row.get_ref(5)?.as_blob_or_null().ok().flatten().unwrap_or(&[]),
            organisation: row.get(6)?,
            sample_stratum: row.get(7)?,
        });
        count += 1;
    }
    Ok(count)
}

/// Respondents (drafts included) per stratum of a questionnaire in a wave.
pub fn stratum_counts(
    conn: &Connection,
    wave_id: &str,
    survey_id: &str,
) -> Result<Vec<(String, String, String, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT area_code, vsic_section, size_class, count(*) FROM responses
         WHERE wave_id = ?1 AND survey_id = ?2 AND standing <> 'void' AND area_code IS NOT NULL AND vsic_section IS NOT NULL AND size_class IS NOT NULL
         GROUP BY 1, 2, 3",
    )?;
    let rows = stmt.query_map(params![wave_id, survey_id], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A submitted response for the microdata export.
pub struct MicroRow<'a> {
    pub id: i64,
    pub area_code: Option<&'a str>,
    pub vsic_section: Option<&'a str>,
    pub size_class: Option<&'a str>,
    pub indicator_bits: i64,
    pub score_values: &'a [u8],
    pub answers: &'a str,
}

/// Calls `f` on every submitted response with its answers, streaming, in id order; stops at
/// the first error `f` returns.
pub fn for_each_submitted_answers<E: From<StoreError>>(
    conn: &Connection,
    wave_id: &str,
    survey_id: &str,
    mut f: impl FnMut(MicroRow<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, area_code, vsic_section, size_class, indicator_bits, score_values, answers FROM responses
             WHERE wave_id = ?1 AND survey_id = ?2 AND status = 'submitted' AND standing = 'counted' AND indicator_bits IS NOT NULL ORDER BY id",
        )
        .map_err(StoreError::from)?;

    let mut rows = stmt.query(params![wave_id, survey_id]).map_err(StoreError::from)?;
    while let Some(row) = rows.next().map_err(StoreError::from)? {
        let text = |i: usize| row.get_ref(i).ok().and_then(|v| v.as_str_or_null().ok().flatten());
        f(MicroRow {
            id: row.get(0).map_err(StoreError::from)?,
            area_code: text(1),
            vsic_section: text(2),
            size_class: text(3),
            indicator_bits: row.get(4).map_err(StoreError::from)?,
            score_values: row
                .get_ref(5)
                .map_err(StoreError::from)?
                .as_blob_or_null()
                .ok()
                .flatten()
                .unwrap_or(&[]),
            answers: text(6).unwrap_or("{}"),
        })?;
    }
    Ok(())
}

/// Drafts and submitted responses of a questionnaire per VSIC section in a wave.
pub fn counts_by_section(
    conn: &Connection,
    wave_id: &str,
    survey_id: &str,
) -> Result<Vec<(String, Counts)>, StoreError> {
    survey_counts_by(conn, "vsic_section", wave_id, survey_id)
}

/// Drafts and submitted responses of a questionnaire per area code in a wave.
pub fn survey_counts_by_area(
    conn: &Connection,
    wave_id: &str,
    survey_id: &str,
) -> Result<Vec<(String, Counts)>, StoreError> {
    survey_counts_by(conn, "area_code", wave_id, survey_id)
}

/// Counts of a questionnaire in a wave grouped by `column`, one of our own column names.
fn survey_counts_by(
    conn: &Connection,
    column: &'static str,
    wave_id: &str,
    survey_id: &str,
) -> Result<Vec<(String, Counts)>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {column}, sum(status = 'draft'), sum(status = 'submitted' AND standing = 'counted') FROM responses
         WHERE wave_id = ?1 AND survey_id = ?2 AND standing <> 'void' AND {column} IS NOT NULL GROUP BY {column}"
    ))?;
    let rows = stmt.query_map(params![wave_id, survey_id], |r| {
        Ok((r.get(0)?, Counts { drafts: r.get(1)?, submitted: r.get(2)? }))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A submitted response for the microdata export, read from the statistics index and the
/// cells table only.
pub struct CellRow<'a> {
    pub id: i64,
    pub version: u32,
    pub area_code: Option<&'a str>,
    pub vsic_section: Option<&'a str>,
    pub size_class: Option<&'a str>,
    pub indicator_bits: i64,
    pub score_values: &'a [u8],
    /// The stored answer cells; `None` for a response submitted before they were kept.
    pub cells: Option<&'a str>,
    /// The arm of the questionnaire's experiment it was assigned.
    pub arm: Option<&'a str>,
    /// The organisation that answered (the same in every wave it answers).
    pub organisation_id: Option<i64>,
    /// When it was submitted (RFC 3339, UTC).
    pub submitted_at: Option<&'a str>,
}

/// Calls `f` on every submitted response, streaming, in id order: first the microdata rows (a
/// sequential scan of a narrow table), then, should any submitted response lack one, those
/// responses with `cells: None`.
pub fn for_each_submitted_cells<E: From<StoreError>>(
    conn: &Connection,
    wave_id: &str,
    survey_id: &str,
    mut f: impl FnMut(&Connection, CellRow<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let queries = [
        "SELECT response_id, version, area_code, vsic_section, size_class, indicator_bits, score_values, cells, arm,
                organisation_id, submitted_at
         FROM microdata_rows WHERE wave_id = ?1 AND survey_id = ?2 ORDER BY response_id",
        "SELECT r.id, r.version, r.area_code, r.vsic_section, r.size_class, r.indicator_bits, r.score_values, NULL, r.arm,
                r.organisation_id, r.submitted_at
         FROM responses r INDEXED BY responses_statistics
         WHERE r.wave_id = ?1 AND r.survey_id = ?2 AND r.status = 'submitted' AND r.standing = 'counted' AND r.indicator_bits IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM microdata_rows m WHERE m.response_id = r.id)
         ORDER BY r.id",
    ];
    let mut seen = 0usize;
    for (pass, sql) in queries.into_iter().enumerate() {
        if pass == 1 {
            let submitted: i64 = conn
                .prepare_cached(
                    "SELECT count(*) FROM responses INDEXED BY responses_statistics
                     WHERE wave_id = ?1 AND survey_id = ?2 AND status = 'submitted' AND standing = 'counted' AND indicator_bits IS NOT NULL",
                )
                .and_then(|mut s| s.query_row(params![wave_id, survey_id], |r| r.get(0)))
                .map_err(StoreError::from)?;
            if usize::try_from(submitted).unwrap_or(0) == seen {
                break;
            }
        }
        let mut stmt = conn.prepare_cached(sql).map_err(StoreError::from)?;
        let mut rows = stmt.query(params![wave_id, survey_id]).map_err(StoreError::from)?;
        while let Some(row) = rows.next().map_err(StoreError::from)? {
            let text =
                |i: usize| row.get_ref(i).ok().and_then(|v| v.as_str_or_null().ok().flatten());
            f(
                conn,
                CellRow {
                    id: row.get(0).map_err(StoreError::from)?,
                    version: row.get(1).map_err(StoreError::from)?,
                    area_code: text(2),
                    vsic_section: text(3),
                    size_class: text(4),
                    indicator_bits: row.get(5).map_err(StoreError::from)?,
                    score_values: row
                        .get_ref(6)
                        .map_err(StoreError::from)?
                        .as_blob_or_null()
                        .ok()
                        .flatten()
                        .unwrap_or(&[]),
                    cells: text(7),
                    arm: text(8),
                    organisation_id: row.get(9).map_err(StoreError::from)?,
                    submitted_at: text(10),
                },
            )?;
            seen += 1;
        }
    }
    Ok(())
}

/// The stored answers of one response (JSON).
pub fn answers_of(conn: &Connection, id: i64) -> Result<String, StoreError> {
    Ok(conn.query_row("SELECT answers FROM responses WHERE id = ?1", [id], |r| r.get(0))?)
}
