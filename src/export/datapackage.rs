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

/// How the figures were estimated, as the package describes it.
pub struct Design<'a> {
    /// Whether `response_groups.csv` was written (a sample wave).
    pub groups: bool,
    /// The wave's calibration setting, when it has one.
    pub calibration: Option<&'a crate::store::StoredCalibration>,
}

impl Design<'_> {
    /// The estimator (docs/methodology.md §3, §3a): its code, what it does in both languages,
    /// and the calibration asked for, whether or not it holds (`calibration_problem`).
    fn describe(&self, figures: &Figures) -> Value {
        let (en, vi) = estimator_text(figures.estimator);
        let mut out = json!({
            "code": figures.estimator.code(),
            "description": en,
            "description_vi": vi,
            "methodology": "docs/methodology.md §3 (open waves), §3a (sample waves), §4 (variance)",
        });
        if let Some(c) = self.calibration {
            out["calibration"] = json!({
                "margins": c.margins, "distance": c.distance, "lower": c.lower, "upper": c.upper,
                "set_at": c.set_at,
            });
        }
        if let Some(problem) = &figures.calibration_problem {
            out["calibration_problem"] = Value::from(problem.as_str());
        }
        out
    }
}

fn estimator_text(estimator: crate::stats::Estimator) -> (&'static str, &'static str) {
    use crate::stats::Estimator;
    match estimator {
        Estimator::Unweighted => (
            "NOT REPRESENTATIVE: no frame was loaded for this wave; estimates are unweighted shares and means of the respondents.",
            "KHÔNG ĐẠI DIỆN: đợt này chưa có dàn mẫu; ước lượng là tỷ lệ và trung bình không trọng số của các đơn vị trả lời.",
        ),
        Estimator::PostStratified => (
            "Open wave: self-selected respondents weighted to the business-register frame, N_h / n_h within collapsed ward × section × size strata; linearised variance with finite population correction; logit intervals.",
            "Đợt mở: đơn vị tự trả lời, được gán quyền số theo dàn mẫu, N_h / n_h trong các tầng phường/xã × ngành × quy mô đã gộp; phương sai tuyến tính hóa có hiệu chỉnh tổng thể hữu hạn; khoảng tin cậy logit.",
        ),
        Estimator::Sample { calibration: None } => (
            "Probability sample drawn from the register: design weights 1/π, adjusted for non-response within the response-homogeneity groups of response_groups.csv; linearised variance with the groups as strata; logit intervals.",
            "Mẫu xác suất chọn từ danh bạ: quyền số thiết kế 1/π, điều chỉnh không trả lời trong các nhóm đáp ứng đồng nhất của response_groups.csv; phương sai tuyến tính hóa với các nhóm là tầng; khoảng tin cậy logit.",
        ),
        Estimator::Sample { calibration: Some(_) } => (
            "Probability sample drawn from the register: design weights 1/π, adjusted for non-response within the response-homogeneity groups of response_groups.csv, then calibrated to the register totals named under calibration; linearised variance with calibration residuals; logit intervals.",
            "Mẫu xác suất chọn từ danh bạ: quyền số thiết kế 1/π, điều chỉnh không trả lời trong các nhóm đáp ứng đồng nhất của response_groups.csv, rồi hiệu chỉnh theo các tổng của danh bạ nêu ở mục calibration; phương sai tuyến tính hóa với phần dư hiệu chỉnh; khoảng tin cậy logit.",
        ),
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
    design: &Design<'_>,
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
        "description": estimator_text(figures.estimator).0,
        "estimator": design.describe(figures),
        "disclosure": disclosure.describe(),
        "resources": resources(aggregates, micro, design.groups),
    })
}

fn resources(aggregates: Vec<Value>, micro: Vec<Value>, groups: bool) -> Value {
    let mut resources = vec![
        json!({ "name": "aggregates", "path": "aggregates.csv", "profile": "tabular-data-resource", "format": "csv", "encoding": "utf-8",
          "schema": { "fields": aggregates } }),
        json!({ "name": "microdata", "path": "microdata.csv", "profile": "tabular-data-resource", "format": "csv", "encoding": "utf-8",
          "schema": { "fields": micro, "primaryKey": "respondent" } }),
    ];
    if groups {
        let fields: Vec<Value> =
            super::groups::COLUMNS.iter().map(|c| field(c.name, c.kind, c.vi, c.en)).collect();
        resources.push(json!({ "name": "response_groups", "path": "response_groups.csv", "profile": "tabular-data-resource", "format": "csv", "encoding": "utf-8",
          "schema": { "fields": fields, "primaryKey": "stratum" } }));
    }
    Value::Array(resources)
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
