//! Questionnaire versions: the exact definition of every version ever loaded.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{StoreError, now};
use crate::survey::SurveyFile;

/// A questionnaire version as stored.
#[derive(Debug, Clone)]
pub struct StoredQuestionnaire {
    pub survey_id: String,
    pub version: u32,
    pub source: String,
    pub loaded_at: String,
}

/// Records the questionnaires read from files. A version seen before must have the same
/// definition (comments and layout aside); a changed definition needs a new version.
pub fn sync_questionnaires(tx: &Transaction<'_>, files: &[SurveyFile]) -> Result<(), StoreError> {
    let mut problems = Vec::new();
    for file in files {
        let survey = &file.survey;
        let stored: Option<(String, String)> = tx
            .query_row(
                "SELECT source, loaded_at FROM questionnaires WHERE survey_id = ?1 AND version = ?2",
                params![survey.id, survey.version],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match stored {
            None => {
                tx.execute(
                    "INSERT INTO questionnaires (survey_id, version, kind, source, loaded_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![survey.id, survey.version, survey.kind.as_str(), file.source, now()],
                )?;
            }
            Some((source, loaded_at)) if !same_definition(&source, &file.source) => {
                problems.push(format!(
                    "{}: questionnaire '{}' version {} differs from the definition stored on {loaded_at}; \
                     responses were answered against that one, so raise `version` to publish a change",
                    file.path.display(),
                    survey.id,
                    survey.version
                ));
            }
            Some(_) => {}
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(StoreError::Conflict(problems.join("\n"))) }
}

/// Whether two sources define the same questionnaire, whatever their comments and layout.
fn same_definition(a: &str, b: &str) -> bool {
    match (a.parse::<toml::Table>(), b.parse::<toml::Table>()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Every stored questionnaire version.
pub fn all_questionnaires(conn: &Connection) -> Result<Vec<StoredQuestionnaire>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT survey_id, version, source, loaded_at FROM questionnaires ORDER BY survey_id, version",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(StoredQuestionnaire {
            survey_id: r.get(0)?,
            version: r.get(1)?,
            source: r.get(2)?,
            loaded_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
