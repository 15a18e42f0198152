//! Responses and the organisations that give them.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

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

    fn parse(text: &str) -> ResponseStatus {
        if text == "submitted" { ResponseStatus::Submitted } else { ResponseStatus::Draft }
    }
}

/// How the organisation of a response is known (see migration 0007).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdentityCheck {
    /// Typed on the open start page.
    #[default]
    SelfDeclared,
    /// Started with the personal access code of a register entry.
    Verified,
    /// Self-declared, then checked by an administrator.
    Confirmed,
}

/// Whether a response counts in the statistics (see migration 0007).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Standing {
    #[default]
    Counted,
    /// Self-declared in an open wave: out of the estimates until confirmed.
    Unconfirmed,
    /// A test or fraudulent response: kept, out of every figure.
    Void,
}

impl IdentityCheck {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityCheck::SelfDeclared => "self_declared",
            IdentityCheck::Verified => "verified",
            IdentityCheck::Confirmed => "confirmed",
        }
    }

    fn parse(text: &str) -> IdentityCheck {
        match text {
            "verified" => IdentityCheck::Verified,
            "confirmed" => IdentityCheck::Confirmed,
            _ => IdentityCheck::SelfDeclared,
        }
    }
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Counted => "counted",
            Standing::Unconfirmed => "unconfirmed",
            Standing::Void => "void",
        }
    }

    fn parse(text: &str) -> Standing {
        match text {
            "unconfirmed" => Standing::Unconfirmed,
            "void" => Standing::Void,
            _ => Standing::Counted,
        }
    }
}

/// Who a new response is from and whether it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Origin {
    pub identity: IdentityCheck,
    pub standing: Standing,
    /// The register entry whose access code started it.
    pub register_unit: Option<i64>,
}

impl Origin {
    /// Started with the access code of register entry `unit`.
    pub fn verified(unit: i64) -> Origin {
        Origin {
            identity: IdentityCheck::Verified,
            standing: Standing::Counted,
            register_unit: Some(unit),
        }
    }

    /// Typed on the start page of an open wave: out of the estimates until confirmed.
    pub fn self_declared() -> Origin {
        Origin {
            identity: IdentityCheck::SelfDeclared,
            standing: Standing::Unconfirmed,
            register_unit: None,
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
    /// What makes the organisation one (tax code, or area and name of an agency).
    pub identity: String,
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
    /// Indicator i as bit i.
    pub indicator_bits: Option<i64>,
    /// Dimension scores then the overall score, little-endian f64, NaN for none.
    pub score_values: Option<Vec<u8>>,
    /// Microdata cells of the answers (CSV), for a submitted response.
    pub cells: Option<String>,
    /// Who it is from and whether it counts; set when it is first stored.
    pub origin: Origin,
    /// The arm of the questionnaire's experiment, drawn when it is first stored.
    pub arm: Option<String>,
}

/// A stored response.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    pub id: i64,
    pub wave_id: String,
    pub survey_id: String,
    pub version: u32,
    pub status: ResponseStatus,
    pub identity: String,
    pub resume_hash: Option<Vec<u8>>,
    pub answers: String,
    pub area_code: Option<String>,
    pub vsic_section: Option<String>,
    pub overall_score: Option<f64>,
    pub scores: Option<String>,
    pub indicators: Option<String>,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    pub identity_check: IdentityCheck,
    pub standing: Standing,
    pub register_unit: Option<i64>,
    /// The arm of the questionnaire's experiment it was assigned.
    pub arm: Option<String>,
}

fn constraint(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

/// Stores a response and its organisation (found by identity, or created); returns its id.
pub fn insert_response(
    tx: &Transaction<'_>,
    response: &NewResponse,
    resume_hash: Option<&[u8]>,
) -> Result<i64, StoreError> {
    let at = now();
    let organisation_id = upsert_organisation(tx, response, &at)?;
    let submitted_at = (response.status == ResponseStatus::Submitted).then_some(&at);
    let mut insert = tx.prepare_cached(
        "INSERT INTO responses (wave_id, survey_id, version, organisation_id, status, resume_hash, answers, area_code,
             vsic_section, size_class, overall_score, level, scores, indicators, created_at, updated_at, submitted_at,
             indicator_bits, score_values, identity_check, standing, register_unit_id, arm)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
    )?;
    insert
        .execute(params![
            response.wave_id,
            response.survey_id,
            response.version,
            organisation_id,
            response.status.as_str(),
            resume_hash,
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
            response.indicator_bits,
            response.score_values,
            response.origin.identity.as_str(),
            response.origin.standing.as_str(),
            response.origin.register_unit,
            response.arm,
        ])
        .map_err(|e| {
            if constraint(&e) {
                StoreError::Conflict(format!(
                    "{} already has a response in wave {}",
                    response.tax_code.as_deref().unwrap_or(&response.organisation_name),
                    response.wave_id
                ))
            } else {
                StoreError::Sqlite(e)
            }
        })?;
    let id = tx.last_insert_rowid();
    if response.origin.standing == Standing::Counted {
        write_cells(tx, id, response)?;
    }
    Ok(id)
}

/// The microdata row of a submitted response (see migration 0003).
fn write_cells(tx: &Transaction<'_>, id: i64, response: &NewResponse) -> Result<(), StoreError> {
    let (Some(cells), Some(bits), Some(scores)) =
        (&response.cells, response.indicator_bits, &response.score_values)
    else {
        return Ok(());
    };
    let mut stmt = tx.prepare_cached(
        "INSERT OR REPLACE INTO microdata_rows (response_id, wave_id, survey_id, version, area_code, vsic_section,
             size_class, indicator_bits, score_values, cells, arm, organisation_id, submitted_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, arm, organisation_id, submitted_at
         FROM responses WHERE id = ?1",
    )?;
    stmt.execute(params![
        id,
        response.wave_id,
        response.survey_id,
        response.version,
        response.area_code,
        response.vsic_section,
        response.size_class,
        bits,
        scores,
        cells
    ])?;
    Ok(())
}

fn upsert_organisation(
    tx: &Transaction<'_>,
    response: &NewResponse,
    at: &str,
) -> Result<i64, StoreError> {
    let mut organisation = tx.prepare_cached(
        "INSERT INTO organisations (kind, identity, tax_code, name, area_code, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (identity) DO UPDATE SET name = excluded.name, area_code = excluded.area_code
         RETURNING id",
    )?;
    Ok(organisation.query_row(
        params![
            response.organisation_kind,
            response.identity,
            response.tax_code,
            response.organisation_name,
            response.area_code,
            at
        ],
        |r| r.get(0),
    )?)
}

/// Replaces the answers and derived columns of a draft. Returns false, changing nothing, when
/// the response is no longer a draft.
pub fn update_draft(
    tx: &Transaction<'_>,
    id: i64,
    response: &NewResponse,
) -> Result<bool, StoreError> {
    let mut update = tx.prepare_cached(
        "UPDATE responses SET answers = ?2, area_code = ?3, vsic_section = ?4, size_class = ?5, updated_at = ?6
         WHERE id = ?1 AND status = 'draft'",
    )?;
    let changed = update.execute(params![
        id,
        response.answers,
        response.area_code,
        response.vsic_section,
        response.size_class,
        now()
    ])?;
    if changed == 1 {
        let mut organisation = tx.prepare_cached(
            "UPDATE organisations SET name = ?2, area_code = ?3
             WHERE id = (SELECT organisation_id FROM responses WHERE id = ?1)",
        )?;
        organisation.execute(params![id, response.organisation_name, response.area_code])?;
    }
    Ok(changed == 1)
}

/// Submits a draft with its final answers and scores. Returns false, changing nothing, when it
/// was already submitted: submitting is idempotent.
pub fn submit_response(
    tx: &Transaction<'_>,
    id: i64,
    response: &NewResponse,
) -> Result<bool, StoreError> {
    let mut submit = tx.prepare_cached(
        "UPDATE responses SET status = 'submitted', answers = ?2, area_code = ?3, vsic_section = ?4, size_class = ?5,
             overall_score = ?6, level = ?7, scores = ?8, indicators = ?9, updated_at = ?10, submitted_at = ?10,
             indicator_bits = ?11, score_values = ?12
         WHERE id = ?1 AND status = 'draft'",
    )?;
    let changed = submit.execute(params![
        id,
        response.answers,
        response.area_code,
        response.vsic_section,
        response.size_class,
        response.overall_score,
        response.level,
        response.scores,
        response.indicators,
        now(),
        response.indicator_bits,
        response.score_values,
    ])?;
    let counted: bool = tx
        .prepare_cached("SELECT standing = 'counted' FROM responses WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?;
    if changed == 1 && counted {
        write_cells(tx, id, response)?;
    }
    Ok(changed == 1)
}

pub(super) const COLUMNS: &str = "r.id, r.wave_id, r.survey_id, r.version, r.status, o.identity, r.resume_hash, r.answers,
    r.area_code, r.vsic_section, r.overall_score, r.scores, r.indicators, r.updated_at, r.submitted_at,
    r.identity_check, r.standing, r.register_unit_id, r.arm";

pub(super) fn stored(row: &Row<'_>) -> rusqlite::Result<StoredResponse> {
    Ok(StoredResponse {
        id: row.get(0)?,
        wave_id: row.get(1)?,
        survey_id: row.get(2)?,
        version: row.get(3)?,
        status: ResponseStatus::parse(&row.get::<_, String>(4)?),
        identity: row.get(5)?,
        resume_hash: row.get(6)?,
        answers: row.get(7)?,
        area_code: row.get(8)?,
        vsic_section: row.get(9)?,
        overall_score: row.get(10)?,
        scores: row.get(11)?,
        indicators: row.get(12)?,
        updated_at: row.get(13)?,
        submitted_at: row.get(14)?,
        identity_check: IdentityCheck::parse(&row.get::<_, String>(15)?),
        standing: Standing::parse(&row.get::<_, String>(16)?),
        register_unit: row.get(17)?,
        arm: row.get(18)?,
    })
}

/// The response whose resume token has this hash.
pub fn response_by_resume_hash(
    conn: &Connection,
    hash: &[u8],
) -> Result<Option<StoredResponse>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM responses r JOIN organisations o ON o.id = r.organisation_id WHERE r.resume_hash = ?1"
    ))?;
    Ok(stmt.query_row([hash], stored).optional()?)
}

/// The response with this id (for the writer, inside a transaction).
pub fn response_by_id(conn: &Connection, id: i64) -> Result<Option<StoredResponse>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM responses r JOIN organisations o ON o.id = r.organisation_id WHERE r.id = ?1"
    ))?;
    Ok(stmt.query_row([id], stored).optional()?)
}

/// Whether the organisation already has a response to the questionnaire in the wave, and where
/// it stands.
pub fn existing_response(
    conn: &Connection,
    wave_id: &str,
    survey_id: &str,
    identity: &str,
) -> Result<Option<ResponseStatus>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.status FROM responses r JOIN organisations o ON o.id = r.organisation_id
         WHERE r.wave_id = ?1 AND r.survey_id = ?2 AND o.identity = ?3 AND r.standing <> 'void'",
    )?;
    let status: Option<String> =
        stmt.query_row(params![wave_id, survey_id, identity], |r| r.get(0)).optional()?;
    Ok(status.map(|s| ResponseStatus::parse(&s)))
}

/// The number of drafts and of submitted responses in a wave.
pub fn response_counts(conn: &Connection, wave_id: &str) -> Result<(i64, i64), StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT coalesce(sum(status = 'draft'), 0), coalesce(sum(status = 'submitted'), 0)
         FROM responses WHERE wave_id = ?1 AND standing <> 'void'",
    )?;
    Ok(stmt.query_row([wave_id], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// Whom a respondent is compared with.
#[derive(Debug, Clone, Copy)]
pub enum PeerGroup<'a> {
    Area(&'a str),
    Sector(&'a str),
}

/// Mean scores of the other submitted responses of a peer group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeerMeans {
    /// How many other responses the means are over.
    pub count: i64,
    pub overall: Option<f64>,
    /// Mean score per dimension id.
    pub dimensions: Vec<(String, f64)>,
}

/// Which submitted responses of a peer group a mean is over.
#[derive(Debug, Clone, Copy)]
pub enum PeerFilter<'a> {
    /// All but this response (live means, as the weakened policy of the attack tests shows).
    AllBut(i64),
    /// Those submitted before this moment (an RFC 3339 UTC time).
    SubmittedBefore(&'a str),
}

/// Mean scores of the submitted responses to `survey_id` in `wave_id` in the peer group that
/// `filter` keeps.
pub fn peer_means(
    conn: &Connection,
    wave_id: &str,
    survey_id: &str,
    group: PeerGroup<'_>,
    filter: PeerFilter<'_>,
) -> Result<PeerMeans, StoreError> {
    let (column, value) = match group {
        PeerGroup::Area(code) => ("area_code", code),
        PeerGroup::Sector(section) => ("vsic_section", section),
    };
    let (kept, bound): (&str, rusqlite::types::Value) = match filter {
        PeerFilter::AllBut(id) => ("r.id != ?4", id.into()),
        PeerFilter::SubmittedBefore(at) => ("r.submitted_at < ?4", at.to_string().into()),
    };
    // Qualified: json_each has columns of the same names.
    let filter = format!(
        "r.wave_id = ?1 AND r.survey_id = ?2 AND r.status = 'submitted' AND r.standing <> 'void' AND r.{column} = ?3 AND {kept}"
    );
    let mut totals = conn.prepare_cached(&format!(
        "SELECT count(*), avg(r.overall_score) FROM responses r WHERE {filter}"
    ))?;
    let (count, overall) = totals
        .query_row(params![wave_id, survey_id, value, bound], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let mut by_dimension = conn.prepare_cached(&format!(
        "SELECT d.key, avg(d.value) FROM responses r, json_each(r.scores) AS d
         WHERE {filter} AND d.value IS NOT NULL GROUP BY d.key ORDER BY d.key"
    ))?;
    let dimensions = by_dimension
        .query_map(params![wave_id, survey_id, value, bound], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(PeerMeans { count, overall, dimensions })
}

/// The arm and indicator bits of every submitted response that counts, of one questionnaire
/// version in a wave: what a split-ballot experiment compares.
pub fn arm_indicators(
    conn: &Connection,
    wave: &str,
    survey: &str,
    version: u32,
) -> Result<Vec<(Option<String>, i64)>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT arm, indicator_bits FROM responses
         WHERE wave_id = ?1 AND survey_id = ?2 AND version = ?3 AND status = 'submitted'
           AND standing = 'counted' AND indicator_bits IS NOT NULL",
    )?;
    let rows = statement
        .query_map(params![wave, survey, version], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
