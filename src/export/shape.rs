//! The columns of the microdata, the same in every format (CSV, Stata, SPSS, Excel, R), built
//! once from the questionnaire's versions: identifiers as text, codes with their value labels,
//! a multi-select question as one 0/1 column per choice, and the reason of every empty cell
//! ([`Missing`]). A [`ReleasedRow`] becomes the cells of one row here and nowhere else.

use std::collections::HashSet;

use super::release::{QuasiColumn, ReleasedRow, fields, unquoted};
use super::table::{Cell, Measure, Missing, Storage, Table, ValueLabels, Variable, epoch_days};
use crate::app::App;
use crate::kernel::{Lang, Text};
use crate::response::has_indicator;
use crate::survey::{Question, QuestionKind, Survey};

/// Longest variable name every package accepts (Stata's limit).
const NAME_LIMIT: usize = 32;

/// The columns of the microdata and how each row fills them.
pub struct Shape {
    pub table: Table,
    /// The CSV text of each code of a coded variable (its choice ids), by variable.
    pub texts: Vec<Option<Vec<(i32, String)>>>,
    /// For each variable, the question it comes from (answers only), for the codebook.
    pub questions: Vec<Option<String>>,
    answers: Vec<Answer>,
    indicators: usize,
    scores: usize,
}

/// How one answer column of a released row becomes variables.
enum Answer {
    Number,
    Coded {
        question: String,
        codes: CodeIndex,
    },
    /// The 0/1 columns of a multi-select question; a choice's code is its column.
    Choices {
        question: String,
        index: CodeIndex,
        choices: usize,
    },
}

/// The codes of a question by their text. A few codes, so a scan beats hashing; a text of up to
/// eight bytes compares as one integer (codes hold no NUL, so the padding cannot collide).
struct CodeIndex {
    short: Vec<(u64, i32)>,
    long: Vec<(String, i32)>,
}

impl CodeIndex {
    fn new(codes: impl IntoIterator<Item = (String, i32)>) -> CodeIndex {
        let mut index = CodeIndex { short: Vec::new(), long: Vec::new() };
        for (text, code) in codes {
            match short_key(&text) {
                Some(key) => index.short.push((key, code)),
                None => index.long.push((text, code)),
            }
        }
        index
    }

    fn get(&self, text: &str) -> Option<i32> {
        match short_key(text) {
            Some(key) => self.short.iter().find(|(k, _)| *k == key).map(|(_, c)| *c),
            None => self.long.iter().find(|(t, _)| t == text).map(|(_, c)| *c),
        }
    }
}

fn short_key(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    let mut key = [0u8; 8];
    key.get_mut(..bytes.len())?.copy_from_slice(bytes);
    Some(u64::from_le_bytes(key))
}

/// The identifiers of a row, computed by the caller (they need the export key).
pub struct RowIds<'a> {
    pub respondent: &'a str,
    pub organisation: &'a str,
    pub wave: &'a str,
}

/// A row that cannot be written as its questionnaire describes it.
#[derive(Debug, thiserror::Error)]
#[error("response {response}: answer '{answer}' to question '{question}' is not one of its codes")]
pub struct UnknownCode {
    pub response: i64,
    pub question: String,
    pub answer: String,
}

/// A wave whose questionnaire computes other indicators, scores or levels than the columns.
#[derive(Debug, thiserror::Error)]
#[error(
    "wave {wave} was answered on a questionnaire with other {what} than the first wave's: export it on its own"
)]
pub struct Mismatch {
    pub wave: String,
    pub what: &'static str,
}

/// The fixed columns before the figures' variables, with their labels and storage.
fn fixed(wave_width: usize, area_width: usize) -> [(&'static str, Text, Storage); 11] {
    let t = Text::new;
    [
        (
            "respondent",
            t("Mã ẩn danh của phiếu", "Pseudonymous respondent id"),
            Storage::Text { width: 16 },
        ),
        (
            "organisation",
            t(
                "Mã ẩn danh của đơn vị, giống nhau qua các đợt (trống: không thể nối an toàn)",
                "Pseudonymous organisation id, the same in every wave (empty: not safely linkable)",
            ),
            Storage::Text { width: 16 },
        ),
        ("wave", t("Đợt khảo sát", "Survey wave"), Storage::Text { width: wave_width }),
        (
            "version",
            t("Phiên bản bảng hỏi đã trả lời", "Questionnaire version answered"),
            Storage::Int,
        ),
        ("submitted", t("Ngày nộp phiếu", "Date submitted"), Storage::Date),
        (
            "area_code",
            t(
                "Mã phường/xã (trống: tầng gộp nhiều phường/xã)",
                "Ward/commune code (empty: coarsened, the stratum pools wards)",
            ),
            Storage::Text { width: area_width },
        ),
        (
            "vsic_section",
            t(
                "Ngành cấp 1 VSIC (trống: tầng gộp nhiều ngành)",
                "VSIC section (empty: coarsened, the stratum pools sections)",
            ),
            Storage::Text { width: 1 },
        ),
        (
            "size_class",
            t(
                "Quy mô (trống: tầng gộp nhiều quy mô)",
                "Size class (empty: coarsened, the stratum pools size classes)",
            ),
            Storage::Text { width: 6 },
        ),
        (
            "stratum",
            t(
                "Tầng ước lượng (sau gộp), tên giả danh",
                "Estimation stratum (after collapsing), pseudonymised",
            ),
            Storage::Text { width: 17 },
        ),
        (
            "stratum_population",
            t("Số doanh nghiệp của tầng theo dàn mẫu", "Enterprises in the stratum (frame)"),
            Storage::Long,
        ),
        ("weight", t("Quyền số ước lượng", "Estimation weight"), Storage::Double),
    ]
}

impl Shape {
    /// The shape of `survey`'s microdata (every version's questions, `questions` in order) in
    /// `lang`; `waves` are the waves the file holds.
    pub fn new(
        app: &App,
        survey: &Survey,
        questions: &[String],
        quasi: &[QuasiColumn],
        lang: Lang,
        waves: &[&str],
    ) -> Shape {
        let mut shape = Shape {
            table: Table {
                label: format!("{} — {}", survey.title.get(lang), waves.join(", ")),
                lang,
                variables: Vec::new(),
                value_labels: Vec::new(),
            },
            texts: Vec::new(),
            questions: Vec::new(),
            answers: Vec::new(),
            indicators: survey.indicators.len(),
            scores: survey.dimensions.len() + 1,
        };
        let wave_width = waves.iter().map(|w| w.len()).max().unwrap_or(1);
        let area_width =
            app.reference.areas.iter().map(|a| a.code.as_str().len()).max().unwrap_or(5);
        for (name, label, storage) in fixed(wave_width, area_width) {
            let measure = if storage.is_text() { Measure::Nominal } else { Measure::Scale };
            shape.push(name, label.get(lang), storage, measure, None, None);
        }
        shape.experiment_arm(app, &survey.id);
        shape.figures(survey);
        // Labels as the newest wave's respondents read them ("{ref_year}" filled).
        let period = waves.last().and_then(|w| app.period_of(w).ok().flatten());
        let versions: Vec<Survey> = app
            .catalog
            .versions_of(&survey.id)
            .into_iter()
            .map(|s| period.map_or_else(|| s.clone(), |p| s.in_period(p)))
            .collect();
        for id in questions {
            // The newest version's wording; choices of any version.
            let Some(q) =
                versions.iter().rev().find_map(|s| s.questions.iter().find(|q| q.id == *id))
            else {
                shape.answers.push(Answer::Number);
                continue;
            };
            let all: Vec<&Question> = versions
                .iter()
                .rev()
                .filter_map(|s| s.questions.iter().find(|x| x.id == *id))
                .collect();
            let banded = quasi.iter().find(|c| c.question == *id).and_then(QuasiColumn::band_names);
            shape.answer(q, &all, banded);
        }
        shape
    }

    /// The shape of a table made by hand, without answers (for the writers' tests).
    #[cfg(test)]
    pub fn of_table(table: Table) -> Shape {
        let n = table.variables.len();
        Shape {
            table,
            texts: vec![None; n],
            questions: vec![None; n],
            answers: Vec::new(),
            indicators: 0,
            scores: 0,
        }
    }

    fn push(
        &mut self,
        name: &str,
        label: &str,
        storage: Storage,
        measure: Measure,
        labels: Option<ValueLabels>,
        texts: Option<Vec<(i32, String)>>,
    ) {
        let value_labels = labels.map(|set| self.labels(set));
        let name = unique_name(name, &self.table.variables);
        self.table.variables.push(Variable {
            name,
            label: label.to_string(),
            storage,
            measure,
            value_labels,
            missing: !storage.is_text(),
        });
        self.texts.push(texts);
        self.questions.push(None);
    }

    /// The index of a value-label set, shared with an equal set already there.
    fn labels(&mut self, set: ValueLabels) -> usize {
        if let Some(i) = self.table.value_labels.iter().position(|s| *s == set) {
            return i;
        }
        self.table.value_labels.push(set);
        self.table.value_labels.len() - 1
    }

    fn experiment_arm(&mut self, app: &App, survey_id: &str) {
        let lang = self.table.lang;
        let mut seen = HashSet::new();
        let arms: Vec<(String, String)> = app
            .catalog
            .versions_of(survey_id)
            .into_iter()
            .filter_map(|s| s.experiment.as_ref())
            .flat_map(|e| &e.arms)
            .filter(|a| seen.insert(a.id.clone()))
            .map(|a| (a.id.clone(), a.label.get(lang).to_string()))
            .collect();
        let (set, texts) = coded("experiment_arm", &arms);
        let label = Text::new(
            "Phương án thử nghiệm chia phiếu được phân ngẫu nhiên",
            "Split-ballot experiment arm randomly assigned",
        );
        self.push(
            "experiment_arm",
            label.get(lang),
            Storage::Byte,
            Measure::Nominal,
            Some(set),
            Some(texts),
        );
    }

    fn figures(&mut self, survey: &Survey) {
        let lang = self.table.lang;
        let flag =
            ValueLabels { name: "_flag".into(), labels: vec![(0, no(lang)), (1, yes(lang))] };
        for indicator in &survey.indicators {
            let name = format!("ind_{}", indicator.id);
            let flag = Some(flag.clone());
            self.push(
                &name,
                indicator.label.get(lang),
                Storage::Byte,
                Measure::Nominal,
                flag,
                None,
            );
        }
        for dimension in &survey.dimensions {
            let label = format!("{} (0–100)", dimension.title.get(lang));
            self.push(
                &format!("score_{}", dimension.id),
                &label,
                Storage::Double,
                Measure::Scale,
                None,
                None,
            );
        }
        let overall = Text::new("Điểm tổng hợp (0–100)", "Overall score (0–100)");
        self.push("score_overall", overall.get(lang), Storage::Double, Measure::Scale, None, None);
        let levels: Vec<(String, String)> =
            survey.levels.iter().map(|l| (l.id.clone(), l.name.get(lang).to_string())).collect();
        let (set, texts) = coded("level", &levels);
        let label = Text::new(
            "Mức độ trưởng thành (theo điểm tổng hợp)",
            "Maturity level (from the overall score)",
        );
        self.push(
            "level",
            label.get(lang),
            Storage::Byte,
            Measure::Ordinal,
            Some(set),
            Some(texts),
        );
    }

    /// The variables of one exported question; `all` holds its every version, newest first.
    fn answer(&mut self, q: &Question, all: &[&Question], banded: Option<Vec<String>>) {
        let lang = self.table.lang;
        let label = q.label.get(lang);
        let (storage, measure, choices) = match (&q.kind, banded) {
            (_, Some(bands)) => {
                let named = bands.iter().map(|b| (b.clone(), b.clone())).collect();
                (Storage::Byte, Measure::Ordinal, named)
            }
            (QuestionKind::MultipleChoice { .. }, None) => {
                self.choices(q, all);
                return;
            }
            (QuestionKind::SingleChoice { .. }, None) => {
                (Storage::Byte, Measure::Nominal, union(all, lang))
            }
            (QuestionKind::YesNo, None) => {
                let (set, texts) = yes_no(lang);
                self.push(&q.id, label, Storage::Byte, Measure::Nominal, Some(set), Some(texts));
                self.answered(q, vec![("yes".into(), 1), ("no".into(), 0)]);
                return;
            }
            (QuestionKind::Scale { steps }, None) => {
                let named: Vec<(i32, String)> = steps
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (to_code(i), s.get(lang).to_string()))
                    .collect();
                let set = ValueLabels { name: q.id.clone(), labels: named.clone() };
                let texts = named.iter().map(|(n, _)| (*n, n.to_string())).collect();
                self.push(&q.id, label, Storage::Byte, Measure::Ordinal, Some(set), Some(texts));
                let codes = named.iter().map(|(n, _)| (n.to_string(), *n)).collect();
                self.answered(q, codes);
                return;
            }
            (QuestionKind::Integer { .. }, None) => {
                self.push(&q.id, label, Storage::Long, Measure::Scale, None, None);
                self.answers.push(Answer::Number);
                return;
            }
            _ => {
                self.push(&q.id, label, Storage::Double, Measure::Scale, None, None);
                self.answers.push(Answer::Number);
                return;
            }
        };
        let (set, texts) = coded(&q.id, &choices);
        let codes = texts.iter().map(|(n, text)| (text.clone(), *n)).collect();
        self.push(&q.id, label, storage, measure, Some(set), Some(texts));
        self.answered(q, codes);
    }

    /// Records the coded answer just pushed as coming from `q`.
    fn answered(&mut self, q: &Question, codes: Vec<(String, i32)>) {
        if let Some(last) = self.questions.last_mut() {
            *last = Some(q.id.clone());
        }
        self.answers.push(Answer::Coded { question: q.id.clone(), codes: CodeIndex::new(codes) });
    }

    /// One 0/1 variable per choice of a multi-select question.
    fn choices(&mut self, q: &Question, all: &[&Question]) {
        let lang = self.table.lang;
        let chosen = ValueLabels {
            name: "_chosen".into(),
            labels: vec![
                (0, Text::new("Không chọn", "Not chosen").get(lang).into()),
                (1, Text::new("Có chọn", "Chosen").get(lang).into()),
            ],
        };
        let mut index = Vec::new();
        for (i, (id, text)) in union(all, lang).into_iter().enumerate() {
            let label = format!("{}: {text}", q.label.get(lang));
            let name = choice_name(&q.id, &id, i + 1);
            self.push(&name, &label, Storage::Byte, Measure::Nominal, Some(chosen.clone()), None);
            if let Some(last) = self.questions.last_mut() {
                *last = Some(q.id.clone());
            }
            index.push((id, to_code(i)));
        }
        let choices = index.len();
        self.answers.push(Answer::Choices {
            question: q.id.clone(),
            index: CodeIndex::new(index),
            choices,
        });
    }

    /// Whether the rows of `survey`'s responses in `wave` fill these columns: the same
    /// indicators, dimensions and levels, in order.
    pub fn admits(&self, survey: &Survey, wave: &str) -> Result<(), Mismatch> {
        let names = |prefix: &str| -> Vec<&str> {
            let names = self.table.variables.iter().map(|v| v.name.as_str());
            names.filter(|n| n.starts_with(prefix)).collect()
        };
        let indicators: Vec<String> =
            survey.indicators.iter().map(|i| format!("ind_{}", i.id)).collect();
        let scores: Vec<String> = survey
            .dimensions
            .iter()
            .map(|d| format!("score_{}", d.id))
            .chain(["score_overall".to_string()])
            .collect();
        let levels: Vec<&str> = survey.levels.iter().map(|l| l.id.as_str()).collect();
        let level_column = self.table.variables.iter().position(|v| v.name == "level");
        let known_levels: Vec<&str> = level_column
            .and_then(|i| self.texts[i].as_ref())
            .map(|t| t.iter().map(|(_, id)| id.as_str()).collect())
            .unwrap_or_default();
        let mismatch = |what| Err(Mismatch { wave: wave.to_string(), what });
        if names("ind_") != indicators {
            return mismatch("indicators");
        }
        if names("score_") != scores {
            return mismatch("scores");
        }
        if known_levels != levels {
            return mismatch("maturity levels");
        }
        Ok(())
    }

    /// The cells of one released row, in the order of the table's variables.
    pub fn cells<'a>(
        &self,
        row: &'a ReleasedRow<'_>,
        ids: &'a RowIds<'_>,
        out: &mut Vec<Cell<'a>>,
    ) -> Result<(), UnknownCode> {
        out.clear();
        let text = |t: &'a str| Cell::Text(t);
        let number =
            |n: Option<f64>, missing: Missing| n.map_or(Cell::Missing(missing), Cell::Number);
        let stratum = row.stratum;
        out.extend([
            text(ids.respondent),
            text(ids.organisation),
            text(ids.wave),
            Cell::Number(f64::from(row.version)),
            row.submitted_at
                .and_then(crate::kernel::format::rfc3339_local_date)
                .map_or(Cell::Missing(Missing::Skipped), |d| Cell::Date(epoch_days(d))),
            text(&row.codes.0),
            text(&row.codes.1),
            text(&row.codes.2),
            text(stratum.map_or("", |s| s.label.as_str())),
            number(stratum.and_then(|s| s.population), Missing::Skipped),
            number(stratum.map(|s| s.weight), Missing::Skipped),
        ]);
        let arm = &self.texts[out.len()];
        out.push(coded_cell(arm.as_deref(), row.arm.unwrap_or_default()));
        out.extend(
            (0..self.indicators)
                .map(|i| Cell::Number(f64::from(u8::from(has_indicator(row.indicator_bits, i))))),
        );
        out.extend(row.scores.iter().take(self.scores).map(|s| number(*s, Missing::Skipped)));
        out.push(
            row.level.map_or(Cell::Missing(Missing::Skipped), |l| Cell::Number(l as f64 + 1.0)),
        );
        self.answer_cells(row, out)
    }

    fn answer_cells<'a>(
        &self,
        row: &'a ReleasedRow<'_>,
        out: &mut Vec<Cell<'a>>,
    ) -> Result<(), UnknownCode> {
        let ranges = fields(row.answers, self.answers.len());
        for (column, answer) in self.answers.iter().enumerate() {
            let cell = ranges.get(column).map_or("", |r| unquoted(&row.answers[r.clone()]));
            let missing = if row.suppressed.contains(&column) {
                Some(Missing::Suppressed)
            } else {
                match cell {
                    "" => Some(Missing::Skipped),
                    "na" => Some(Missing::NotApplicable),
                    "dk" => Some(Missing::DontKnow),
                    _ => None,
                }
            };
            let unknown = |question: &str| UnknownCode {
                response: row.id,
                question: question.to_string(),
                answer: cell.to_string(),
            };
            match (answer, missing) {
                (Answer::Choices { choices, .. }, Some(m)) => {
                    out.extend(std::iter::repeat_n(Cell::Missing(m), *choices));
                }
                (Answer::Choices { question, index, choices }, None) => {
                    let start = out.len();
                    out.extend(std::iter::repeat_n(Cell::Number(0.0), *choices));
                    for choice in cell.split(';') {
                        let i = index.get(choice).ok_or_else(|| unknown(question))?;
                        out[start + i as usize] = Cell::Number(1.0);
                    }
                }
                (_, Some(m)) => out.push(Cell::Missing(m)),
                (Answer::Number, None) => {
                    out.push(cell.parse().map_or(Cell::Missing(Missing::Skipped), Cell::Number));
                }
                (Answer::Coded { question, codes }, None) => {
                    let code = codes.get(cell).ok_or_else(|| unknown(question))?;
                    out.push(Cell::Number(f64::from(code)));
                }
            }
        }
        Ok(())
    }
}

/// The cell of a coded variable from its CSV text ("" is skipped).
fn coded_cell<'a>(texts: Option<&[(i32, String)]>, text: &str) -> Cell<'a> {
    texts
        .and_then(|t| t.iter().find(|(_, x)| x == text))
        .map_or(Cell::Missing(Missing::Skipped), |(n, _)| Cell::Number(f64::from(*n)))
}

/// Codes 1, 2, … for `(id, label)` categories, as a value-label set named `name` and the CSV
/// text of each code.
fn coded(name: &str, categories: &[(String, String)]) -> (ValueLabels, Vec<(i32, String)>) {
    let labels =
        categories.iter().enumerate().map(|(i, (_, l))| (to_code(i + 1), l.clone())).collect();
    let texts =
        categories.iter().enumerate().map(|(i, (id, _))| (to_code(i + 1), id.clone())).collect();
    (ValueLabels { name: name.to_string(), labels }, texts)
}

fn yes_no(lang: Lang) -> (ValueLabels, Vec<(i32, String)>) {
    let set = ValueLabels { name: "_yes_no".into(), labels: vec![(0, no(lang)), (1, yes(lang))] };
    (set, vec![(0, "no".into()), (1, "yes".into())])
}

fn yes(lang: Lang) -> String {
    Text::new("Có", "Yes").get(lang).to_string()
}

fn no(lang: Lang) -> String {
    Text::new("Không", "No").get(lang).to_string()
}

/// The choices of every version of a question, newest first, each once.
fn union(all: &[&Question], lang: Lang) -> Vec<(String, String)> {
    let mut seen = HashSet::new();
    all.iter()
        .flat_map(|q| match &q.kind {
            QuestionKind::SingleChoice { choices, .. }
            | QuestionKind::MultipleChoice { choices, .. } => choices.as_slice(),
            _ => &[],
        })
        .filter(|c| seen.insert(c.id.clone()))
        .map(|c| (c.id.clone(), c.label.get(lang).to_string()))
        .collect()
}

fn to_code(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

/// `question_choice`, or `question_N` (N the choice's number) where that is too long.
fn choice_name(question: &str, choice: &str, number: usize) -> String {
    let full = format!("{question}_{choice}");
    if full.len() <= NAME_LIMIT {
        return full;
    }
    let suffix = format!("_{number}");
    let room = NAME_LIMIT - suffix.len();
    format!("{}{suffix}", &question[..question.len().min(room)])
}

/// `name`, or `name` with `_2`, `_3`, … in its last characters when a variable has it.
fn unique_name(name: &str, taken: &[Variable]) -> String {
    let free = |n: &str| !taken.iter().any(|v| v.name == n);
    let base: String = name.chars().take(NAME_LIMIT).collect();
    if free(&base) {
        return base;
    }
    (2..)
        .map(|i| {
            let suffix = format!("_{i}");
            format!("{}{suffix}", &base[..base.len().min(NAME_LIMIT - suffix.len())])
        })
        .find(|n| free(n))
        .unwrap_or(base)
}
