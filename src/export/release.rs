//! What a microdata row shows of a response (docs/disclosure.md, section 6), decided once per
//! export: its design codes as its stratum allows, and its quasi-identifiers recoded and, where
//! rare, blanked by local suppression.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use super::anonymise::{Codes, Key, Records};
use super::microdata::{self, Columns, Layout};
use crate::app::App;
use crate::figures::{self, Sample};
use crate::policy::MicrodataRule;
use crate::reference::QuasiIdentifier;
use crate::store::{self, CellRow, StoreError};
use crate::survey::QuestionKind;

/// One quasi-identifier column of the file, with the categories seen in it.
pub struct QuasiColumn {
    /// Its place among the answer columns.
    pub column: usize,
    pub question: String,
    /// For a number: the bands, and the question's bounds that name the first and last.
    bands: Option<(QuasiIdentifier, Option<i64>, Option<i64>)>,
    numbers: HashMap<String, u16>,
    /// The published text of each category, by its number less one.
    pub names: Vec<String>,
}

impl QuasiColumn {
    /// The category of a cell, recoded to its band; 0 for an empty cell. New categories are
    /// numbered as they come.
    fn category(&mut self, cell: &str) -> u16 {
        if cell.is_empty() {
            return 0;
        }
        let text = match (&self.bands, cell.parse::<i64>()) {
            (Some((q, min, max)), Ok(value)) => q.band(value, *min, *max),
            _ => cell.to_string(),
        };
        if let Some(n) = self.numbers.get(&text) {
            return *n;
        }
        self.names.push(text.clone());
        let n = u16::try_from(self.names.len()).unwrap_or(u16::MAX);
        self.numbers.insert(text, n);
        n
    }

    /// The published text of category `n` ("" for blank).
    pub fn name(&self, n: u16) -> &str {
        n.checked_sub(1).and_then(|i| self.names.get(usize::from(i))).map_or("", String::as_str)
    }

    /// Whether the column is published in bands.
    pub fn banded(&self) -> bool {
        self.bands.is_some()
    }
}

/// How the rows of one export show their responses.
pub struct Release<'a> {
    app: &'a App,
    sample: &'a Sample,
    /// Codes coarsened on their own: only under the attack suite's weakened policy.
    coarsened: Option<BTreeMap<Codes, Codes>>,
    pub quasi: Vec<QuasiColumn>,
    layout: Layout,
    columns: Columns,
}

impl<'a> Release<'a> {
    pub fn new(app: &'a App, sample: &'a Sample, questions: &[String]) -> Release<'a> {
        let survey_id = &sample.survey.id;
        let coarsened = (app.policy.microdata_rule() == MicrodataRule::FineStrata).then(|| {
            let mut by_codes: BTreeMap<Codes, u32> = BTreeMap::new();
            for (k, n) in &sample.counts {
                *by_codes.entry(figures::codes_of(app, k)).or_default() += n;
            }
            microdata::coarsen(&by_codes, app.policy.threshold())
        });
        let quasi = app
            .reference
            .quasi_identifiers
            .iter()
            .filter(|q| q.survey == *survey_id)
            .filter_map(|q| {
                let column = questions.iter().position(|id| *id == q.question)?;
                let bounds = app.catalog.versions_of(survey_id).into_iter().rev().find_map(|s| {
                    s.questions.iter().find(|x| x.id == q.question).map(|x| match x.kind {
                        QuestionKind::Integer { min, max, .. } => (min, max),
                        _ => (None, None),
                    })
                });
                let (min, max) = bounds.unwrap_or_default();
                Some(QuasiColumn {
                    column,
                    question: q.question.clone(),
                    bands: (!q.bands.is_empty()).then(|| (q.clone(), min, max)),
                    numbers: HashMap::new(),
                    names: Vec::new(),
                })
            })
            .collect();
        Release {
            app,
            sample,
            coarsened,
            quasi,
            layout: Layout::new(&app.catalog, survey_id, questions),
            columns: Columns::new(questions),
        }
    }

    /// The design codes a row shows.
    pub fn codes(&self, row: &CellRow<'_>) -> Codes {
        match &self.coarsened {
            Some(coarsened) => {
                let codes = (
                    row.area_code.unwrap_or_default().to_string(),
                    row.vsic_section.unwrap_or_default().to_string(),
                    row.size_class.unwrap_or_default().to_string(),
                );
                coarsened.get(&codes).cloned().unwrap_or_default()
            }
            None => figures::shown_codes(
                self.app,
                &self.sample.design,
                row.area_code,
                row.vsic_section,
                row.size_class,
            ),
        }
    }

    /// Appends `,cell` for every answer column of a row to `out`.
    pub fn answers(
        &self,
        conn: &rusqlite::Connection,
        row: &CellRow<'_>,
        out: &mut String,
    ) -> Result<(), StoreError> {
        match row.cells {
            Some(cells) => self.layout.append(row.version, cells, out),
            None => {
                // Submitted before cells were kept: read its answers the slow way.
                let answers = store::answers_of(conn, row.id)?;
                let mut cells = Vec::new();
                self.columns.cells(&answers, &mut cells);
                let mut writer = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::Any(b'\n'))
                    .from_writer(Vec::new());
                writer.write_record(&cells).map_err(|e| StoreError::Invalid(e.to_string()))?;
                let bytes = writer.into_inner().map_err(|e| StoreError::Invalid(e.to_string()))?;
                out.push(',');
                out.push_str(String::from_utf8_lossy(&bytes).trim_end_matches('\n'));
            }
        }
        Ok(())
    }

    /// The quasi-identifiers of a row, from its answer cells (as [`Release::answers`] writes
    /// them), numbering categories not seen before.
    pub fn key(&mut self, answers: &str) -> Key {
        let upto = self.quasi.iter().map(|q| q.column + 1).max().unwrap_or(0);
        let fields = fields(answers, upto);
        self.quasi
            .iter_mut()
            .map(|q| {
                let cell = fields.get(q.column).map_or("", |r| unquoted(&answers[r.clone()]));
                q.category(cell)
            })
            .collect()
    }

    /// The answer cells with the quasi-identifiers as published.
    pub fn rewrite(&self, answers: &str, published: &Key, out: &mut String) {
        let upto = self.quasi.iter().map(|q| q.column + 1).max().unwrap_or(0);
        let fields = fields(answers, upto);
        let mut at = 0;
        let mut replacements: Vec<(&Range<usize>, &str)> = self
            .quasi
            .iter()
            .zip(published)
            .filter_map(|(q, n)| fields.get(q.column).map(|r| (r, q.name(*n))))
            .collect();
        replacements.sort_by_key(|(r, _)| r.start);
        for (range, text) in replacements {
            out.push_str(&answers[at..range.start]);
            out.push_str(text);
            at = range.end;
        }
        out.push_str(&answers[at..]);
    }
}

/// The byte ranges of the first `upto` cells of `,a,b,...` (each after its comma).
fn fields(answers: &str, upto: usize) -> Vec<Range<usize>> {
    let bytes = answers.as_bytes();
    let mut ranges = Vec::with_capacity(upto);
    let mut at = 0;
    while ranges.len() < upto && at < bytes.len() && bytes[at] == b',' {
        let start = at + 1;
        let mut end = start;
        if bytes.get(start) == Some(&b'"') {
            end += 1;
            while end < bytes.len() {
                if bytes[end] == b'"' {
                    if bytes.get(end + 1) == Some(&b'"') {
                        end += 2;
                        continue;
                    }
                    end += 1;
                    break;
                }
                end += 1;
            }
        }
        while end < bytes.len() && bytes[end] != b',' {
            end += 1;
        }
        ranges.push(start..end);
        at = end;
    }
    ranges
}

/// A cell's text without its CSV quotes (quasi-identifiers are codes and numbers, which need
/// none; anything quoted is read as its plain text).
fn unquoted(cell: &str) -> &str {
    cell.strip_prefix('"').and_then(|c| c.strip_suffix('"')).unwrap_or(cell)
}

/// Every row's codes and key, for local suppression.
pub fn records(
    release: &mut Release<'_>,
    conn: &rusqlite::Connection,
    wave_id: &str,
) -> Result<Records, StoreError> {
    let mut records = Records::default();
    let mut answers = String::with_capacity(4096);
    let (app, sample) = (release.app, release.sample);
    store::for_each_submitted_cells(conn, wave_id, &sample.survey.id, |conn, row| {
        answers.clear();
        release.answers(conn, &row, &mut answers)?;
        let weight = figures::stratum_of(
            app,
            &sample.design,
            row.area_code,
            row.vsic_section,
            row.size_class,
        )
        .map_or(1.0, |(_, s)| s.weight());
        records.add(release.codes(&row), release.key(&answers), weight);
        Ok::<(), StoreError>(())
    })?;
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_found_and_replaced_quoted_or_not() {
        let answers = r#",a,"b,""c",,d"#;
        let f = fields(answers, 3);
        assert_eq!(
            f.iter().map(|r| &answers[r.clone()]).collect::<Vec<_>>(),
            ["a", r#""b,""c""#, ""]
        );
        assert_eq!(fields(answers, 10).len(), 4);
        assert_eq!(unquoted("\"x\""), "x");
    }
}
