//! `microdata.csv`: one row per submitted response, de-identified.
//!
//! - A pseudonymous `respondent` id (a keyed hash of the response id): stable across exports,
//!   meaningless outside them.
//! - No name, tax code or contact: questions with an identifying role and every free-text answer
//!   are left out (a text can name anyone).
//! - Each row shows the ward, section and size class of its final stratum (blank where the
//!   stratum pools them), and its quasi-identifiers recoded and locally suppressed until k rows
//!   share them (`release.rs`, `anonymise.rs`; docs/disclosure.md, section 6).
//! - Columns are the union of every version of the questionnaire, so exports of waves answered
//!   on different versions line up.

use std::collections::{BTreeMap, BTreeSet};

use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use serde_json::value::RawValue;
use sha2::Sha256;

use super::neutralise;
use crate::catalog::Catalog;
use crate::survey::{QuestionKind, Role, Survey};

/// The quasi-identifiers of a respondent as published: blank where coarsened.
pub type Published = (String, String, String);

/// Maps each (area, section, size) to what may be published, given how many respondents share
/// each combination: the codes coarsened on their own, blind to the strata. Only the attack
/// suite's weakened policy publishes codes this way (the strata then give them back).
pub fn coarsen(
    counts: &BTreeMap<(String, String, String), u32>,
    k: u32,
) -> BTreeMap<(String, String, String), Published> {
    let mut out = BTreeMap::new();
    let mut pending: Vec<&(String, String, String)> = Vec::new();
    for (key, n) in counts {
        if *n >= k {
            out.insert(key.clone(), key.clone());
        } else {
            pending.push(key);
        }
    }
    // Size class dropped, then sector, then area: each step pools what is still too small.
    let steps: [fn(&Published) -> Published; 3] = [
        |(a, s, _)| (a.clone(), s.clone(), String::new()),
        |(a, _, _)| (a.clone(), String::new(), String::new()),
        |_| (String::new(), String::new(), String::new()),
    ];
    for (i, step) in steps.iter().enumerate() {
        let mut pooled: BTreeMap<Published, u32> = BTreeMap::new();
        for key in &pending {
            *pooled.entry(step(key)).or_default() += counts[*key];
        }
        let last = i == steps.len() - 1;
        pending.retain(|key| {
            let coarse = step(key);
            if pooled[&coarse] >= k || last {
                out.insert((*key).clone(), coarse);
                false
            } else {
                true
            }
        });
    }
    out
}

/// Whether a question's answers go into the microdata: not identifying, not free text, not
/// the stratum (which has its own coarsened columns).
pub fn exported(q: &crate::survey::Question) -> bool {
    // The exact number of employees could single out a large firm; its size class is published.
    let identifying = matches!(
        q.role,
        Some(Role::LegalName | Role::TaxCode | Role::AgencyName | Role::Employees)
    );
    let free_text =
        matches!(q.kind, QuestionKind::ShortText { .. } | QuestionKind::LongText { .. });
    let stratum = matches!(q.role, Some(Role::Area | Role::VsicSection));
    !identifying && !free_text && !stratum
}

/// A submitted response's answer cells in its own version's exported-question order, as one
/// CSV fragment: computed once at submission, so exports need not read the answers again.
pub fn cells_fragment(survey: &Survey, answers: &serde_json::Map<String, Value>) -> String {
    let cells: Vec<String> =
        survey.questions.iter().filter(|q| exported(q)).map(|q| cell(answers.get(&q.id))).collect();
    let mut writer =
        csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let _ = writer.write_record(&cells);
    let mut bytes = writer.into_inner().unwrap_or_default();
    bytes.pop();
    String::from_utf8(bytes).unwrap_or_default()
}

/// The questions exported, by id, in the order of the newest version first, then any that only
/// older versions had.
pub fn exported_questions(catalog: &Catalog, survey_id: &str) -> Vec<String> {
    let mut versions: Vec<&Survey> = catalog.versions_of(survey_id);
    versions.sort_by_key(|s| std::cmp::Reverse(s.version));
    let mut seen = BTreeSet::new();
    let mut ids = Vec::new();
    for survey in versions {
        for q in survey.questions.iter().filter(|q| exported(q)) {
            if seen.insert(q.id.clone()) {
                ids.push(q.id.clone());
            }
        }
    }
    ids
}

/// How each questionnaire version's stored cells map onto the export's columns (the union of
/// every version's questions).
pub struct Layout {
    versions: std::collections::HashMap<u32, Mapping>,
    total: usize,
}

enum Mapping {
    /// The version's questions are the first columns, in order: its cells are copied as they
    /// are and the rest left empty.
    Prefix { missing: usize },
    /// Otherwise each cell goes to its column.
    Remap(Vec<usize>),
}

impl Layout {
    pub fn new(catalog: &Catalog, survey_id: &str, questions: &[String]) -> Layout {
        let versions = catalog
            .versions_of(survey_id)
            .into_iter()
            .map(|survey| {
                let columns: Vec<usize> = survey
                    .questions
                    .iter()
                    .filter(|q| exported(q))
                    .filter_map(|q| questions.iter().position(|id| *id == q.id))
                    .collect();
                let prefix =
                    !columns.is_empty() && columns.iter().enumerate().all(|(i, c)| i == *c);
                let mapping = if prefix {
                    Mapping::Prefix { missing: questions.len() - columns.len() }
                } else {
                    Mapping::Remap(columns)
                };
                (survey.version, mapping)
            })
            .collect();
        Layout { versions, total: questions.len() }
    }

    /// Appends `,cell` for every export column, from a response's stored cells.
    pub fn append(&self, version: u32, cells: &str, line: &mut String) {
        if self.total == 0 {
            return;
        }
        match self.versions.get(&version) {
            Some(Mapping::Prefix { missing }) => {
                line.push(',');
                line.push_str(cells);
                for _ in 0..*missing {
                    line.push(',');
                }
            }
            Some(Mapping::Remap(columns)) => {
                let mut placed = vec![String::new(); self.total];
                let mut reader =
                    csv::ReaderBuilder::new().has_headers(false).from_reader(cells.as_bytes());
                if let Some(Ok(record)) = reader.records().next() {
                    for (value, column) in record.iter().zip(columns) {
                        placed[*column] = value.to_string();
                    }
                }
                let mut writer = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::Any(b'\n'))
                    .from_writer(Vec::new());
                if writer.write_record(&placed).is_ok()
                    && let Ok(bytes) = writer.into_inner()
                {
                    line.push(',');
                    line.push_str(String::from_utf8_lossy(&bytes).trim_end_matches('\n'));
                }
            }
            None => {
                for _ in 0..self.total {
                    line.push(',');
                }
            }
        }
    }
}

/// The pseudonym of response `id`: the first 64 bits of HMAC-SHA256 under the export key, so
/// that only the key links it to the response, and every export gives it the same one.
pub fn pseudonym(key: &str, id: i64) -> String {
    keyed(key, &id.to_be_bytes())
}

/// The pseudonym of an organisation: keyed like a respondent's but from the organisation, so
/// that the same enterprise has the same pseudonym in every wave's microdata (a panel), under
/// the installation's key (backed up with the database).
pub fn organisation_pseudonym(key: &str, organisation_id: i64) -> String {
    Pseudonyms::new(key).organisation(organisation_id)
}

/// The pseudonym of a variance stratum: its label keyed like a respondent's, so that neither
/// its name nor its place in the file's order says which ward, section or size class it is
/// (docs/disclosure.md, section 6).
pub fn stratum_pseudonym(key: &str, label: &str) -> String {
    format!("h{}", keyed(key, format!("stratum:{label}").as_bytes()))
}

/// The pseudonyms of respondents and organisations under one key, the key prepared once (an
/// export makes two pseudonyms a row).
#[derive(Clone)]
pub struct Pseudonyms(Hmac<Sha256>);

impl Pseudonyms {
    pub fn new(key: &str) -> Pseudonyms {
        // HMAC accepts keys of any length: this cannot fail.
        Pseudonyms(Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key"))
    }

    /// [`pseudonym`] of response `id`.
    pub fn respondent(&self, id: i64) -> String {
        hex(self.0.clone(), &id.to_be_bytes())
    }

    /// [`organisation_pseudonym`] of an organisation.
    pub fn organisation(&self, organisation_id: i64) -> String {
        let mut message = *b"organisation:\0\0\0\0\0\0\0\0";
        message[13..].copy_from_slice(&organisation_id.to_be_bytes());
        hex(self.0.clone(), &message)
    }
}

/// The first 64 bits of HMAC-SHA256 of `message` under `key`, in hex.
fn keyed(key: &str, message: &[u8]) -> String {
    hex(Pseudonyms::new(key).0, message)
}

/// The first 64 bits of the MAC of `message`, in hex.
fn hex(mut mac: Hmac<Sha256>, message: &[u8]) -> String {
    mac.update(message);
    let digest = mac.finalize().into_bytes();
    let hex = b"0123456789abcdef";
    let mut out = String::with_capacity(16);
    for b in digest.iter().take(8) {
        out.push(char::from(hex[usize::from(b >> 4)]));
        out.push(char::from(hex[usize::from(b & 15)]));
    }
    out
}

/// An answer as a microdata cell: choice ids (several joined by `;`), numbers, yes/no, `na`.
pub fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => neutralise(s).into_owned(),
        Some(Value::Array(items)) => {
            items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(";")
        }
        Some(other) => other.to_string(),
    }
}

/// Where each exported question's answer goes: built once per export.
pub struct Columns {
    /// The questions in column order.
    order: Vec<String>,
    /// (question id, column), sorted by id: a binary search beats hashing for ids this short.
    index: Vec<(String, usize)>,
}

impl Columns {
    pub fn new(questions: &[String]) -> Columns {
        let mut index: Vec<(String, usize)> =
            questions.iter().enumerate().map(|(i, q)| (q.clone(), i)).collect();
        index.sort();
        Columns { order: questions.to_vec(), index }
    }

    /// The column of `id`; `next` is where the previous key's column left off. Stored answers
    /// follow question order, so the next column is nearly always the right one.
    fn column(&self, id: &str, next: usize) -> Option<usize> {
        for guess in next..(next + 3).min(self.order.len()) {
            if self.order[guess] == id {
                return Some(guess);
            }
        }
        self.index.binary_search_by(|(q, _)| q.as_str().cmp(id)).ok().map(|i| self.index[i].1)
    }

    /// Appends the answer cells of one response (stored JSON), in question order. The JSON is
    /// read in one pass, without building a tree.
    pub fn cells(&self, answers: &str, out: &mut Vec<String>) {
        let start = out.len();
        out.resize(start + self.index.len(), String::new());
        let mut deserializer = serde_json::Deserializer::from_str(answers);
        let _ = serde::Deserializer::deserialize_map(
            &mut deserializer,
            CellVisitor { columns: self, out: &mut out[start..] },
        );
    }
}

struct CellVisitor<'c, 'o> {
    columns: &'c Columns,
    out: &'o mut [String],
}

impl<'de> serde::de::Visitor<'de> for CellVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object of answers")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Question ids have no escapes, so the keys are borrowed from the stored text.
        let mut next = 0;
        while let Some(key) = map.next_key::<&'de str>()? {
            match self.columns.column(key, next) {
                Some(i) => {
                    self.out[i] = raw_cell(map.next_value::<&RawValue>()?.get());
                    next = i + 1;
                }

                None => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// A cell from one raw JSON value.
fn raw_cell(raw: &str) -> String {
    match raw.as_bytes().first() {
        // A string without escapes is its own text between the quotes; others are decoded.
        Some(b'"') if !raw.contains('\\') => neutralise(&raw[1..raw.len() - 1]).into_owned(),
        Some(b'"') => serde_json::from_str::<String>(raw)
            .map(|s| neutralise(&s).into_owned())
            .unwrap_or_default(),
        Some(b'[') => match serde_json::from_str::<Vec<&str>>(raw) {
            Ok(items) => items.join(";"),
            Err(_) => {
                serde_json::from_str::<Vec<String>>(raw).map(|v| v.join(";")).unwrap_or_default()
            }
        },
        Some(b'n') => String::new(),
        _ => raw.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(a: &str, s: &str, z: &str) -> (String, String, String) {
        (a.into(), s.into(), z.into())
    }

    #[test]
    fn rare_combinations_lose_detail_until_three_share_them() {
        let counts = BTreeMap::from([
            (key("00070", "G", "micro"), 5), // kept
            (key("00070", "G", "small"), 2), // G pooled: 2 + 1 = 3 without size
            (key("00070", "G", "large"), 1),
            (key("00070", "J", "micro"), 1), // J alone: 1 -> area pool with C: 1 + 1 = 2 -> city
            (key("00070", "C", "micro"), 1),
            (key("00082", "F", "small"), 1), // city pool: 1 + 2 = 3
        ]);
        let published = coarsen(&counts, 3);
        assert_eq!(published[&key("00070", "G", "micro")], key("00070", "G", "micro"));
        assert_eq!(published[&key("00070", "G", "small")], key("00070", "G", ""));
        assert_eq!(published[&key("00070", "G", "large")], key("00070", "G", ""));
        assert_eq!(published[&key("00070", "J", "micro")], key("", "", ""));
        assert_eq!(published[&key("00082", "F", "small")], key("", "", ""));
        // Every published combination is shared by at least three respondents.
        let mut shared: BTreeMap<&Published, u32> = BTreeMap::new();
        for (k, p) in &published {
            *shared.entry(p).or_default() += counts[k];
        }
        assert!(shared.values().all(|n| *n >= 3), "{shared:?}");
    }

    #[test]
    fn cells_of_an_older_version_land_in_their_columns() {
        let v1 = include_str!("../../tests/fixtures/small/small.toml");
        // Version 2 asks a new question first in dimension a.
        let v2 = v1.replace("version = 1", "version = 2").replace(
            "[[questions]]\nid = \"a1\"",
            "[[questions]]\nid = \"a0\"\ndimension = \"a\"\ntype = \"yes_no\"\nlabel = { vi = \"A0\", en = \"A0\" }\n\n[[questions]]\nid = \"a1\"",
        );
        let file = |source: &str| crate::survey::SurveyFile {
            path: "small.toml".into(),
            source: source.to_string(),
            survey: crate::survey::parse(source, "small.toml").unwrap(),
        };
        let catalog = Catalog::new(&[], &[file(v1), file(&v2)]).unwrap();
        let questions = exported_questions(&catalog, "small");
        assert_eq!(questions, ["a0", "a1", "a2", "a3", "b1", "b2"]);
        let layout = Layout::new(&catalog, "small", &questions);
        let mut line = String::new();
        layout.append(2, "yes,4,mid,no,x;z,na", &mut line);
        assert_eq!(line, ",yes,4,mid,no,x;z,na", "the newest version is copied as it is");
        line.clear();
        layout.append(1, "4,mid,no,x;z,na", &mut line);
        assert_eq!(line, ",,4,mid,no,x;z,na", "version 1 has no a0: its cells shift right");
    }

    #[test]
    fn raw_cells_read_like_parsed_ones() {
        let mut out = Vec::new();
        let questions: Vec<String> =
            ["a", "b", "c", "d", "e", "f"].iter().map(|s| s.to_string()).collect();
        Columns::new(&questions)
            .cells(r#"{"a": "x\"y", "b": ["p", "q"], "c": 4.5, "d": null, "f": "=1+1"}"#, &mut out);
        assert_eq!(out, ["x\"y", "p;q", "4.5", "", "", "'=1+1"]);
    }

    #[test]
    fn cells_write_choices_numbers_and_neutralise_formulas() {
        assert_eq!(cell(Some(&serde_json::json!(["a", "b"]))), "a;b");
        assert_eq!(cell(Some(&serde_json::json!(3))), "3");
        assert_eq!(cell(Some(&serde_json::json!("=cmd()"))), "'=cmd()");
        assert_eq!(cell(None), "");
    }

    #[test]
    fn pseudonyms_are_stable_and_keyed() {
        assert_eq!(stratum_pseudonym("k", "s-1"), stratum_pseudonym("k", "s-1"));
        assert_ne!(stratum_pseudonym("k", "s-1"), stratum_pseudonym("k", "s-2"));
        assert_ne!(stratum_pseudonym("k", "s-1"), stratum_pseudonym("other", "s-1"));
        assert_eq!(pseudonym("k", 1), pseudonym("k", 1));
        assert_ne!(pseudonym("k", 1), pseudonym("k", 2));
        assert_ne!(pseudonym("k", 1), pseudonym("other", 1));
        assert_eq!(pseudonym("k", 1).len(), 16);
        let prepared = Pseudonyms::new("k");
        assert_eq!(prepared.respondent(7), pseudonym("k", 7));
        assert_eq!(prepared.organisation(7), organisation_pseudonym("k", 7));
        assert_ne!(prepared.organisation(7), prepared.respondent(7));
    }
}
