//! `datapackage.json`: a Frictionless Data package describing both CSV files, generated from
//! the questionnaire: every column, its question in both languages, and its value labels.

use serde_json::{Value, json};

use super::aggregates::COLUMNS;
use super::anonymise::Risk;
use super::release::QuasiColumn;
use crate::app::App;
use crate::figures::Figures;
use crate::survey::{QuestionKind, Survey};

fn field(name: &str, kind: &str, vi: &str, en: &str) -> Value {
    json!({ "name": name, "type": kind, "title": en, "description": format!("{en} / {vi}"), "title_vi": vi, "title_en": en })
}

/// What protects the microdata, for the package to record.
pub struct Disclosure<'a> {
    pub risk: &'a Risk,
    pub quasi: &'a [QuasiColumn],
    pub threshold: u32,
}

impl Disclosure<'_> {
    /// The `disclosure` section of the package (docs/disclosure.md, section 6).
    fn describe(&self) -> Value {
        let design = ["area_code", "vsic_section", "size_class"].map(
            |name| json!({ "name": name, "shown_as": "the codes of the row's final stratum" }),
        );
        let keys: Vec<Value> = design
            .into_iter()
            .chain(self.quasi.iter().zip(&self.risk.blanked).map(|(q, blanked)| {
                json!({ "name": q.question, "banded": q.banded(), "blanked": blanked })
            }))
            .collect();
        json!({
            "policy": "docs/disclosure.md",
            "k": self.threshold,
            "key_variables": keys,
            "records": self.risk.records,
            "records_below_k": self.risk.below_k,
            "expected_reidentifications": self.risk.expected_reidentifications,
            "max_individual_risk": self.risk.max_individual_risk,
            "risk_method": "sdcMicro indivRisk (Benedetti-Franconi, method = approx) on classes of rows with the same design codes and the same values, a blank counting as a value",
        })
    }
}

/// The package descriptor.
pub fn datapackage(
    app: &App,
    figures: &Figures,
    survey: &Survey,
    questions: &[String],
    wave: &str,
    disclosure: &Disclosure<'_>,
) -> Value {
    let aggregates: Vec<Value> =
        COLUMNS.iter().map(|c| field(c.name, c.kind, c.vi, c.en)).collect();
    let mut micro = vec![
        field("respondent", "string", "Mã ẩn danh của phiếu", "Pseudonymous respondent id"),
        field(
            "area_code",
            "string",
            "Mã phường/xã (để trống nếu tầng của phiếu gộp nhiều phường/xã)",
            "Ward/commune code (blank where the row's stratum pools wards)",
        ),
        field(
            "vsic_section",
            "string",
            &format!("Ngành cấp 1 {} (để trống nếu tầng gộp nhiều ngành)", survey.vsic.name()),
            &format!(
                "{} section (Decision {}; blank where the row's stratum pools sections)",
                survey.vsic.name(),
                survey.vsic.decision()
            ),
        ),
        field(
            "size_class",
            "string",
            "Quy mô doanh nghiệp (để trống nếu tầng gộp nhiều quy mô)",
            "Size class (blank where the row's stratum pools size classes)",
        ),
        field(
            "stratum",
            "string",
            "Tầng dùng khi ước lượng (sau khi gộp tầng), dưới tên giả danh",
            "Stratum used for estimation (after collapsing), under a pseudonym",
        ),
        field(
            "stratum_population",
            "number",
            "Số doanh nghiệp của tầng theo dàn mẫu",
            "Enterprises in the stratum (frame)",
        ),
        field("weight", "number", "Quyền số thiết kế N_h / n_h", "Design weight N_h / n_h"),
        field(
            "version",
            "integer",
            "Phiên bản bảng hỏi mà đơn vị đã trả lời",
            "Version of the questionnaire the respondent answered",
        ),
        experiment_arm(app, &survey.id),
    ];
    for v in figures.variables.iter().filter(|v| !v.measure.is_level()) {
        let kind = if v.measure.is_indicator() { "integer" } else { "number" };
        micro.push(field(v.id(), kind, &v.label.vi, &v.label.en));
    }
    let mut level = field(
        "level",
        "string",
        "Mức độ trưởng thành (theo điểm tổng hợp)",
        "Maturity level (from the overall score)",
    );
    level["categories"] = Value::Array(
        survey
            .levels
            .iter()
            .map(|l| json!({ "value": l.id, "label": l.name.en, "label_vi": l.name.vi }))
            .collect(),
    );
    micro.push(level);
    let current = |id: &str| {
        survey.questions.iter().find(|q| q.id == id).or_else(|| {
            app.catalog
                .versions_of(&survey.id)
                .into_iter()
                .rev()
                .find_map(|s| s.questions.iter().find(|q| q.id == id))
        })
    };
    for id in questions {
        let Some(q) = current(id) else { continue };
        if let Some(banded) = disclosure.quasi.iter().find(|c| c.question == *id && c.banded()) {
            let mut f = field(id, "string", &q.label.vi, &q.label.en);
            let mut bands = banded.names.clone();
            bands.sort();
            f["categories"] = bands.iter().map(|b| json!({ "value": b, "label": b })).collect();
            f["description"] = Value::from(format!(
                "{} (published in bands for confidentiality)",
                f["description"].as_str().unwrap_or_default()
            ));
            micro.push(f);
            continue;
        }
        let kind = match q.kind {
            QuestionKind::Integer { .. } | QuestionKind::Scale { .. } => "integer",
            QuestionKind::Decimal { .. } => "number",
            _ => "string",
        };
        let mut f = field(id, kind, &q.label.vi, &q.label.en);
        let categories: Vec<Value> = match &q.kind {
            QuestionKind::SingleChoice { choices, .. }
            | QuestionKind::MultipleChoice { choices, .. } => choices
                .iter()
                .map(|c| json!({ "value": c.id, "label": c.label.en, "label_vi": c.label.vi }))
                .collect(),
            QuestionKind::Scale { steps } => steps
                .iter()
                .enumerate()
                .map(|(i, s)| json!({ "value": i, "label": s.en, "label_vi": s.vi }))
                .collect(),
            QuestionKind::YesNo => vec![
                json!({ "value": "yes", "label": "Yes", "label_vi": "Có" }),
                json!({ "value": "no", "label": "No", "label_vi": "Không" }),
            ],
            _ => vec![],
        };
        if !categories.is_empty() {
            f["categories"] = Value::Array(categories);
        }
        if matches!(q.kind, QuestionKind::MultipleChoice { .. }) {
            f["description"] = Value::from(format!(
                "{} (several choices joined by ';')",
                f["description"].as_str().unwrap_or_default()
            ));
        }
        // "na" (not applicable) and "dk" (don't know) are answers, kept apart; as values they
        // are missing to a statistics package.
        let missing: Vec<&str> = [(true, ""), (q.not_applicable, "na"), (q.dont_know, "dk")]
            .into_iter()
            .filter_map(|(offered, code)| offered.then_some(code))
            .collect();
        if missing.len() > 1 {
            f["missingValues"] = json!(missing);
        }
        micro.push(f);
    }
    json!({
        "profile": "tabular-data-package",
        "name": format!("dxsurvey-{}-{wave}", survey.id),
        "title": format!("{} — {wave}", survey.title.en),
        "title_vi": format!("{} — {wave}", survey.title.vi),
        "created": crate::store::now(),
        "description": if figures.weighted {
            "Estimates weighted to the business-register frame of the wave (stratified design, linearised variance, logit intervals)."
        } else {
            "NOT REPRESENTATIVE: no frame was loaded for this wave; estimates are unweighted shares of the respondents."
        },
        "disclosure": disclosure.describe(),
        "resources": [
            { "name": "aggregates", "path": "aggregates.csv", "profile": "tabular-data-resource", "format": "csv", "encoding": "utf-8",
              "schema": { "fields": aggregates } },
            { "name": "microdata", "path": "microdata.csv", "profile": "tabular-data-resource", "format": "csv", "encoding": "utf-8",
              "schema": { "fields": micro, "primaryKey": "respondent" } },
        ],
    })
}

/// The arm of a split-ballot experiment each respondent was randomly assigned, with the arms of
/// every version of the questionnaire as its categories (blank: no experiment).
fn experiment_arm(app: &App, survey_id: &str) -> Value {
    let mut f = field(
        "experiment_arm",
        "string",
        "Phương án của thử nghiệm chia phiếu mà đơn vị được phân ngẫu nhiên (để trống nếu bảng hỏi không có thử nghiệm)",
        "Arm of the split-ballot experiment the respondent was randomly assigned (blank when the questionnaire has none)",
    );
    let mut seen = std::collections::BTreeSet::new();
    let categories: Vec<Value> = app
        .catalog
        .versions_of(survey_id)
        .into_iter()
        .filter_map(|s| s.experiment.as_ref())
        .flat_map(|e| &e.arms)
        .filter(|a| seen.insert(a.id.clone()))
        .map(|a| json!({ "value": a.id, "label": a.label.en, "label_vi": a.label.vi }))
        .collect();
    if !categories.is_empty() {
        f["categories"] = Value::Array(categories);
    }
    f
}
