//! What a microdata row shows of a response (docs/disclosure.md, section 6), decided once per
//! export: its design codes as its stratum allows, and its quasi-identifiers recoded and, where
//! rare, blanked by local suppression.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

use super::anonymise::{Codes, Key, Protected, Records};
use super::microdata::{self, Columns, Layout};
use crate::app::App;
use crate::figures::{self, Sample};
use crate::policy::MicrodataRule;
use crate::reference::QuasiIdentifier;
use crate::response::stored_scores;
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
    /// The category of each number seen (banded columns).
    banded: HashMap<i64, u16>,
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
        if let Some((q, min, max)) = &self.bands
            && let Ok(value) = cell.parse::<i64>()
        {
            if let Some(n) = self.banded.get(&value) {
                return *n;
            }
            let band = q.band(value, *min, *max);
            let n = self.intern(&band);
            self.banded.insert(value, n);
            return n;
        }
        self.intern(cell)
    }

    fn intern(&mut self, text: &str) -> u16 {
        if let Some(n) = self.numbers.get(text) {
            return *n;
        }
        self.names.push(text.to_string());
        let n = u16::try_from(self.names.len()).unwrap_or(u16::MAX);
        self.numbers.insert(text.to_string(), n);
        n
    }

    /// The published text of category `n` ("" for blank).
    pub fn name(&self, n: u16) -> &str {
        n.checked_sub(1).and_then(|i| self.names.get(usize::from(i))).map_or("", String::as_str)
    }

    /// The names of the bands, lowest first, when the column is published in bands.
    pub fn band_names(&self) -> Option<Vec<String>> {
        let (q, min, max) = self.bands.as_ref()?;
        let lowest = q.bands.first().map(|b| b - 1)?;
        let values = std::iter::once(lowest).chain(q.bands.iter().copied());
        Some(values.map(|v| q.band(v, *min, *max)).collect())
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
    /// The codes shown by the responses of each of the design's keys.
    codes: Vec<Codes>,
    /// The final stratum's columns of each design key.
    strata: Vec<StratumColumns>,
    pub quasi: Vec<QuasiColumn>,
    /// Answer cells past the last quasi-identifier need not be read.
    quasi_cells: usize,
    /// Whether some quasi-identifier is published in bands, so every row is rewritten.
    recodes: bool,
    /// The group of [`Records`] of each design key, and of a row outside the design.
    groups: Vec<usize>,
    outside: usize,
    layout: Layout,
    columns: Columns,
    /// Organisations whose rows do not carry their pseudonym ([`super::panel`]).
    unlinkable: Option<&'a HashSet<i64>>,
}

impl<'a> Release<'a> {
    /// `key` keys the pseudonyms of the strata.
    pub fn new(app: &'a App, sample: &'a Sample, questions: &[String], key: &str) -> Release<'a> {
        let survey_id = &sample.survey.id;
        let design = &sample.design;
        let codes = match app.policy.microdata_rule() {
            MicrodataRule::Protected => {
                (0..design.keys.len()).map(|i| figures::shown_codes(app, design, i)).collect()
            }
            MicrodataRule::FineStrata => {
                let mut by_codes: BTreeMap<Codes, u32> = BTreeMap::new();
                for (k, n) in &sample.counts {
                    *by_codes.entry(figures::codes_of(app, k)).or_default() += n;
                }
                let coarsened = microdata::coarsen(&by_codes, app.policy.threshold());
                design
                    .keys
                    .iter()
                    .map(|k| coarsened.get(&figures::codes_of(app, k)).cloned().unwrap_or_default())
                    .collect()
            }
        };
        // Per key: a sample's calibrated weights differ between the keys of a final stratum.
        let strata = (0..design.keys.len())
            .map(|k| {
                let h = design.stratum_of[k];
                StratumColumns {
                    label: microdata::stratum_pseudonym(key, &figures::stratum_label(design, h)),
                    population: design.strata[h].population,
                    weight: design.weights[k],
                }
            })
            .collect();
        let quasi: Vec<QuasiColumn> = app
            .reference
            .quasi_identifiers
            .iter()
            .filter(|q| q.survey == *survey_id)
            .filter_map(|q| quasi_column(app, survey_id, q, questions))
            .collect();
        Release {
            app,
            sample,
            codes,
            strata,
            quasi_cells: quasi.iter().map(|q| q.column + 1).max().unwrap_or(0),
            recodes: quasi.iter().any(QuasiColumn::banded),
            groups: Vec::new(),
            outside: 0,
            quasi,
            layout: Layout::new(&app.catalog, survey_id, questions),
            columns: Columns::new(questions),
            unlinkable: None,
        }
    }

    /// Withholds the pseudonym of these organisations from the rows written.
    pub fn withhold_pseudonyms(&mut self, unlinkable: &'a HashSet<i64>) {
        self.unlinkable = Some(unlinkable);
    }

    /// The design's key of a row (`Some(None)` outside the design), or `None` when the row is
    /// not released: in a sample wave, only sampled enterprises' responses are.
    fn place(&self, row: &CellRow<'_>) -> Option<Option<usize>> {
        // A sample wave places rows by their register stratum, and releases only the responses
        // of sampled enterprises, as the estimates use them (docs/methodology.md §3a).
        if let Some(placed) = &self.sample.placed {
            return placed
                .binary_search_by_key(&row.id, |(id, _)| *id)
                .ok()
                .map(|i| Some(placed[i].1));
        }
        Some(figures::key_index(
            self.app,
            &self.sample.design,
            row.area_code,
            row.vsic_section,
            row.size_class,
        ))
    }

    /// The group of records of a row at `place`.
    fn group(&self, place: Option<usize>) -> usize {
        place.map_or(self.outside, |i| self.groups[i])
    }

    /// The final stratum's columns of a row at `place`.
    fn stratum(&self, place: Option<usize>) -> Option<&StratumColumns> {
        place.map(|i| &self.strata[i])
    }

    /// Appends `,cell` for every answer column of a row to `out`.
    fn answers(
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

    /// The answer cells with the quasi-identifiers as published; `suppressed` gets the
    /// columns blanked by local suppression.
    fn rewrite(
        &self,
        answers: &str,
        (original, published): (&[u16], &[u16]),
        out: &mut String,
        suppressed: &mut Vec<usize>,
    ) {
        let fields = fields(answers, self.quasi_cells);
        let mut at = 0;
        for ((q, was), now) in self.quasi.iter().zip(original).zip(published) {
            if *now == 0 && *was != 0 {
                suppressed.push(q.column);
            }
        }
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

    /// Every row's codes and key, for local suppression.
    pub fn records(
        &mut self,
        conn: &rusqlite::Connection,
        wave_id: &str,
    ) -> Result<Records, StoreError> {
        let mut records = Records::default();
        self.groups = self.codes.iter().map(|codes| records.group(codes)).collect();
        self.outside = records.group(&NONE);
        let (mut answers, mut key) = (String::with_capacity(4096), Key::new());
        let survey_id = &self.sample.survey.id;
        store::for_each_submitted_cells(conn, wave_id, survey_id, |conn, row| {
            let Some(place) = self.place(&row) else { return Ok(()) };
            answers.clear();
            self.answers(conn, &row, &mut answers)?;
            key_of(&mut self.quasi, self.quasi_cells, &answers, &mut key);
            let weight = self.stratum(place).map_or(1.0, |s| s.weight);
            records.add_to(self.group(place), &key, weight);
            Ok::<(), StoreError>(())
        })?;
        Ok(records)
    }

    /// Calls `f` with every row of the microdata as `protected` publishes its key variables.
    pub fn write<E: From<StoreError>>(
        &mut self,
        protected: &Protected,
        conn: &rusqlite::Connection,
        wave_id: &str,
        mut f: impl FnMut(&ReleasedRow<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let survey = &self.sample.survey;
        let scores = survey.dimensions.len() + 1;
        let (mut answers, mut original) = (String::with_capacity(4096), Key::new());
        let (mut suppressed, mut values) = (Vec::new(), Vec::with_capacity(scores));
        let blank = vec![0; self.quasi.len()];
        store::for_each_submitted_cells(conn, wave_id, &survey.id, |conn, row| {
            let Some(place) = self.place(&row) else { return Ok(()) };
            answers.clear();
            suppressed.clear();
            self.answers(conn, &row, &mut answers)?;
            key_of(&mut self.quasi, self.quasi_cells, &answers, &mut original);
            let shown = match protected.published_in(self.group(place), &original) {
                // Unchanged and nothing to recode: the cells are written as stored.
                Some(published) if *published == original && !self.recodes => published,
                published => {
                    let stored = std::mem::take(&mut answers);
                    let published = published.unwrap_or(&blank);
                    self.rewrite(&stored, (&original, published), &mut answers, &mut suppressed);
                    published
                }
            };
            values.clear();
            values.extend(stored_scores(row.score_values).take(scores));
            values.resize(scores, None);
            f(&ReleasedRow {
                id: row.id,
                organisation_id: row
                    .organisation_id
                    .filter(|o| !self.unlinkable.is_some_and(|u| u.contains(o))),
                submitted_at: row.submitted_at,
                version: row.version,
                arm: row.arm,
                codes: place.map_or(&NONE, |i| &self.codes[i]),
                stratum: self.stratum(place),
                indicator_bits: row.indicator_bits,
                scores: &values,
                level: values.last().copied().flatten().map(|o| survey.level_for(o)),
                answers: &answers,
                suppressed: &suppressed,
                key: shown,
            })
        })
    }
}

/// The final stratum of a row, as the microdata show it.
pub struct StratumColumns {
    /// Its pseudonym.
    pub label: String,
    /// Enterprises in it (frame), when known.
    pub population: Option<f64>,
    pub weight: f64,
}

/// One row of the microdata, as released: what every file format shows of a response.
pub struct ReleasedRow<'r> {
    pub id: i64,
    /// `None` too for an organisation whose rows cannot be linked across waves safely
    /// ([`super::panel`]).
    pub organisation_id: Option<i64>,
    pub submitted_at: Option<&'r str>,
    pub version: u32,
    pub arm: Option<&'r str>,
    /// Area, section and size class, blank where the row's stratum pools them.
    pub codes: &'r Codes,
    pub stratum: Option<&'r StratumColumns>,
    pub indicator_bits: i64,
    /// The dimension scores, then the overall score.
    pub scores: &'r [Option<f64>],
    /// The maturity level of the overall score (its index).
    pub level: Option<usize>,
    /// `,cell` for every answer column, quasi-identifiers as published.
    pub answers: &'r str,
    /// The answer columns blanked by local suppression.
    pub suppressed: &'r [usize],
    /// The quasi-identifiers as published (category numbers, 0 for blank).
    pub key: &'r [u16],
}

/// The codes of a row outside the design (none, as a response submitted after the figures).
static NONE: Codes = (String::new(), String::new(), String::new());

/// The quasi-identifiers of a row into `key`, from its answer cells (as [`Release::answers`]
/// writes them; only the first `cells` are read), numbering categories not seen before.
fn key_of(quasi: &mut [QuasiColumn], cells: usize, answers: &str, key: &mut Key) {
    let fields = fields(answers, cells);
    key.clear();
    key.extend(
        quasi.iter_mut().map(|q| {
            q.category(fields.get(q.column).map_or("", |r| unquoted(&answers[r.clone()])))
        }),
    );
}

/// The column of a quasi-identifier, if the export has its question.
fn quasi_column(
    app: &App,
    survey_id: &str,
    q: &QuasiIdentifier,
    questions: &[String],
) -> Option<QuasiColumn> {
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
        banded: HashMap::new(),
        names: Vec::new(),
    })
}

/// The byte ranges of the first `upto` cells of `,a,b,...` (each after its comma).
pub(super) fn fields(answers: &str, upto: usize) -> Vec<Range<usize>> {
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
pub(super) fn unquoted(cell: &str) -> &str {
    cell.strip_prefix('"').and_then(|c| c.strip_suffix('"')).unwrap_or(cell)
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
