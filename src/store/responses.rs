//! Responses and the organisations that give them.

use rusqlite::{Connection, Transaction, params};

use super::{StoreError, now};

/// Where a response stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseStatus {
    Draft,
    Submitted,
}

impl ResponseStatus {
    fn as_str(self) -> &'static str {
        match self {
            ResponseStatus::Draft => "draft",
            ResponseStatus::Submitted => "submitted",
        }
    }
}

/// A response to store, with its organisation and, once submitted, its scores.
#[derive(Debug, Clone)]
pub struct NewResponse {
    pub wave_id: String,
    pub survey_id: String,
    pub version: u32,
    /// `enterprise` or `agency`.
    pub organisation_kind: &'static str,
    pub tax_code: Option<String>,
    pub organisation_name: String,
    pub status: ResponseStatus,
    /// The answers as a JSON object (see `surveys/README.md`).
    pub answers: String,
    pub area_code: Option<String>,
    pub vsic_section: Option<String>,
    pub size_class: Option<&'static str>,
    pub overall_score: Option<f64>,
    pub level: Option<String>,
    /// JSON object: dimension id -> score.
    pub scores: Option<String>,
    /// JSON object: indicator id -> bool.
    pub indicators: Option<String>,
}

/// Stores a response and its organisation (found by tax code, or created); returns its id.
pub fn insert_response(tx: &Transaction<'_>, response: &NewResponse) -> Result<i64, StoreError> {
    let at = now();
    let mut organisation = tx.prepare_cached(
        "INSERT INTO organisations (kind, tax_code, name, area_code, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (tax_code) DO UPDATE SET name = excluded.name, area_code = excluded.area_code
         RETURNING id",
    )?;
    let organisation_id: i64 = organisation.query_row(
        params![
            response.organisation_kind,
            response.tax_code,
            response.organisation_name,
            response.area_code,
            at
        ],
        |r| r.get(0),
    )?;
    let submitted_at = (response.status == ResponseStatus::Submitted).then_some(&at);
    let mut insert = tx.prepare_cached(
        "INSERT INTO responses (wave_id, survey_id, version, organisation_id, status, answers, area_code,
             vsic_section, size_class, overall_score, level, scores, indicators, created_at, updated_at, submitted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?15)",
    )?;
    insert
        .execute(params![
            response.wave_id,
            response.survey_id,
            response.version,
            organisation_id,
            response.status.as_str(),
            response.answers,
            response.area_code,
            response.vsic_section,
            response.size_class,
            response.overall_score,
            response.level,
            response.scores,
            response.indicators,
            at,
            submitted_at,
        ])
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                StoreError::Conflict(format!(
                    "{} already has a response in wave {}",
                    response.tax_code.as_deref().unwrap_or(&response.organisation_name),
                    response.wave_id
                ))
            }
            other => StoreError::Sqlite(other),
        })?;
    Ok(tx.last_insert_rowid())
}

/// The number of drafts and of submitted responses in a wave.
pub fn response_counts(conn: &Connection, wave_id: &str) -> Result<(i64, i64), StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT coalesce(sum(status = 'draft'), 0), coalesce(sum(status = 'submitted'), 0)
         FROM responses WHERE wave_id = ?1",
    )?;
    Ok(stmt.query_row([wave_id], |r| Ok((r.get(0)?, r.get(1)?)))?)
}
