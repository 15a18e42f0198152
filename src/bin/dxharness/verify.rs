//! After a crash: is every write the server acknowledged in the database, byte for byte, are
//! the stored scores those the scoring module computes from the stored answers, and is the
//! database sound?

use std::collections::BTreeMap;
use std::path::Path;

use dxsurvey::answers::Answers;
use dxsurvey::answers::form::page_fields;
use dxsurvey::auth::SecretToken;
use dxsurvey::reference::Reference;
use dxsurvey::response::new_response;
use dxsurvey::store::ResponseStatus;
use dxsurvey::survey::Survey;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde_json::{Map, Value};

use crate::load::Ack;

/// What the check found.
pub struct Verdict {
    pub acknowledged: usize,
    pub lost: usize,
    pub score_mismatches: usize,
    pub integrity: String,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.lost == 0 && self.score_mismatches == 0 && self.integrity == "ok"
    }
}

struct Stored {
    answers: Map<String, Value>,
    status: String,
    wave: String,
    scores: Option<String>,
    overall: Option<f64>,
}

pub fn verify(
    record: &Path,
    database: &Path,
    survey: &Survey,
    reference: &Reference,
) -> Result<Verdict, String> {
    let text = std::fs::read_to_string(record)
        .map_err(|e| format!("cannot read {}: {e}", record.display()))?;
    let mut by_token: BTreeMap<String, Vec<Ack>> = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        // The last line may be cut short if the harness itself was stopped mid-write.
        let Ok(ack) = serde_json::from_str::<Ack>(line) else {
            if n + 1 < text.lines().count() {
                return Err(format!("{}: line {} is not a record", record.display(), n + 1));
            }
            continue;
        };
        by_token.entry(ack.token.clone()).or_default().push(ack);
    }
    let conn = Connection::open_with_flags(database, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| format!("cannot open {}: {e}", database.display()))?;
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| format!("integrity check: {e}"))?;
    let mut verdict = Verdict { acknowledged: 0, lost: 0, score_mismatches: 0, integrity };
    let mut shown = 0;
    let mut lose = |verdict: &mut Verdict, what: String| {
        verdict.lost += 1;
        if shown < 10 {
            eprintln!("LOST: {what}");
            shown += 1;
        }
    };
    for (token, acks) in &by_token {
        verdict.acknowledged += acks.len();
        let stored = stored(&conn, token).map_err(|e| format!("reading the database: {e}"))?;
        let Some(stored) = stored else {
            for ack in acks {
                lose(
                    &mut verdict,
                    format!("{token}: {} of page {}: no such response", ack.kind, ack.page),
                );
            }
            continue;
        };
        for ack in acks {
            match ack.kind.as_str() {
                "submit" if stored.status != "submitted" => {
                    lose(
                        &mut verdict,
                        format!("{token}: acknowledged submission, status {}", stored.status),
                    );
                }
                "submit" => {
                    if !scores_agree(&stored, survey, reference) {
                        verdict.score_mismatches += 1;
                        eprintln!("SCORES DIFFER: {token}");
                    }
                }
                _ => {
                    let now = page_fields(survey, ack.page, &stored.answers);
                    if now != ack.fields {
                        lose(
                            &mut verdict,
                            format!(
                                "{token}: page {} is {now:?}, acknowledged {:?}",
                                ack.page, ack.fields
                            ),
                        );
                    }
                }
            }
        }
    }
    Ok(verdict)
}

fn stored(conn: &Connection, token: &str) -> rusqlite::Result<Option<Stored>> {
    let Some(parsed) = SecretToken::parse(token) else { return Ok(None) };
    conn.query_row(
        "SELECT answers, status, wave_id, scores, overall_score FROM responses WHERE resume_hash = ?1",
        [parsed.hash().as_slice()],
        |r| {
            let answers: String = r.get(0)?;
            let answers = serde_json::from_str::<Value>(&answers)
                .ok()
                .and_then(|v| v.as_object().cloned())
                .unwrap_or_default();
            Ok(Stored { answers, status: r.get(1)?, wave: r.get(2)?, scores: r.get(3)?, overall: r.get(4)? })
        },
    )
    .optional()
}

/// The stored scores are the scoring module's for the stored answers.
fn scores_agree(stored: &Stored, survey: &Survey, reference: &Reference) -> bool {
    let Ok(answers) = Answers::from_json(survey, &stored.answers, reference) else { return false };
    let fresh = new_response(survey, &answers, reference, &stored.wave, ResponseStatus::Submitted);
    fresh.scores == stored.scores && fresh.overall_score == stored.overall
}
