//! `datapackage.json`: a Frictionless Data package describing both CSV files, generated from
//! the questionnaire: every column, its question in both languages, and its value labels.

use serde_json::{Value, json};

use super::aggregates::COLUMNS;
use super::anonymise::Risk;
use super::release::QuasiColumn;
use super::shape::Shape;
use super::table::{Measure, Missing, Storage};
use crate::figures::Figures;
use crate::kernel::Lang;
use crate::survey::Survey;

fn field(name: &str, kind: &str, vi: &str, en: &str) -> Value {
    json!({ "name": name, "type": kind, "title": en, "description": format!("{en} / {vi}"), "title_vi": vi, "title_en": en })
}

/// What protects the microdata, for the package to record.
pub struct Disclosure<'a> {
    pub risk: &'a Risk,
    pub quasi: &'a [QuasiColumn],
    pub threshold: u32,
    /// Organisations of several waves whose rows carry no pseudonym (export/panel.rs).
    pub unlinked: usize,
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
            "organisations_unlinked": self.unlinked,
            "panel_rule": "the organisation pseudonym is the same in every wave, except for organisations whose history (the codes and key values their rows show, wave by wave) fewer than k organisations share: their rows carry none",
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

/// What the package says of one wave: how its microdata are protected, how its figures were
/// estimated, and the figures.
pub type WavePackage<'a> = (Disclosure<'a>, Design<'a>, &'a Figures);

/// The package descriptor: `shapes` are the microdata's columns in Vietnamese and English;
/// `estimator` and `disclosure` describe the last wave, `waves` each of them.
pub fn datapackage(
    survey: &Survey,
    shapes: [&Shape; 2],
    waves: &[&str],
    per_wave: &[WavePackage<'_>],
) -> Value {
    let Some((disclosure, design, figures)) = per_wave.last() else { return Value::Null };
    let mut aggregates: Vec<Value> =
        COLUMNS.iter().map(|c| field(c.name, c.kind, c.vi, c.en)).collect();
    constrain_aggregates(&mut aggregates, per_wave);
    let micro = microdata_fields(shapes);
    let created = crate::store::now();
    let wave = waves.join("+");
    let each: Vec<Value> = waves
        .iter()
        .zip(per_wave)
        .map(|(w, (disclosure, design, figures))| {
            json!({ "wave": w, "estimator": design.describe(figures), "disclosure": disclosure.describe() })
        })
        .collect();
    json!({
        "$schema": PACKAGE_PROFILE,
        "name": format!("dxsurvey-{}-{wave}", survey.id),
        "title": format!("{} — {wave}", survey.title.en),
        "title_vi": format!("{} — {wave}", survey.title.vi),
        "version": format!("{}.{}", wave, created.get(..10).unwrap_or_default().replace('-', "")),
        "created": created,
        "licenses": [licence()],
        "description": estimator_text(figures.estimator).0,
        "estimator": design.describe(figures),
        "design_recipes": recipes(),
        "missing_codes": missing_codes(),
        "disclosure": disclosure.describe(),
        "waves": each,
        "resources": resources(aggregates, micro, per_wave.iter().any(|(_, d, _)| d.groups)),
    })
}

/// Data Package v2 (datapackage.org, 2024).
const PACKAGE_PROFILE: &str = "https://datapackage.org/profiles/2.0/datapackage.json";
const RESOURCE_PROFILE: &str = "https://datapackage.org/profiles/2.0/dataresource.json";
const SCHEMA_PROFILE: &str = "https://datapackage.org/profiles/2.0/tableschema.json";

/// Official statistics are open data under the Creative Commons Attribution licence
/// (docs/microdata.md says so for the microdata, which are for statisticians under the
/// office's rules).
fn licence() -> Value {
    json!({ "name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/", "title": "Creative Commons Attribution 4.0" })
}

/// How each statistics package sets up the design of the published estimates.
pub fn recipes() -> Value {
    json!({
        "r": "library(survey); options(survey.lonely.psu = \"certainty\"); design <- svydesign(ids = ~1, strata = ~stratum, weights = ~weight, fpc = ~stratum_population, data = microdata); svymean(~ind_innovation_active, design)",
        "stata": "use microdata.dta, clear\nencode stratum, generate(stratum_id)\nsvyset _n [pweight = weight], strata(stratum_id) fpc(stratum_population) singleunit(certainty)\nsvy: mean ind_innovation_active",
        "spss": "CSPLAN ANALYSIS /PLAN FILE='microdata.csaplan' /PLANVARS ANALYSISWEIGHT=weight /DESIGN STRATA=stratum /ESTIMATOR TYPE=EQUAL_WOR /POPSIZE VARIABLE=stratum_population.\nCSDESCRIPTIVES /PLAN FILE='microdata.csaplan' /SUMMARY VARIABLES=ind_innovation_active /MEAN.",
        "note": "A sample wave's weights are non-response adjusted (and calibrated when the estimator says so): these recipes reproduce its estimates; its standard errors exactly only without calibration (docs/methodology.md §3a, §4).",
    })
}

/// The codes of empty cells, as each format writes them.
fn missing_codes() -> Value {
    Value::Array(
        Missing::ALL
            .iter()
            .map(|m| {
                json!({
                    "csv": m.token(), "stata": format!(".{}", m.stata_letter()), "spss": m.code(),
                    "label": m.label(Lang::En), "label_vi": m.label(Lang::Vi),
                })
            })
            .collect(),
    )
}

/// The tokens a CSV cell holds when empty, for every field of both files.
fn missing_values() -> Value {
    let mut values = vec![Value::from("")];
    values.extend(Missing::ALL.iter().map(|m| Value::from(m.token())));
    Value::Array(values)
}

/// `enum` constraints on the coded columns of `aggregates.csv`.
fn constrain_aggregates(fields: &mut [Value], per_wave: &[WavePackage<'_>]) {
    use std::collections::BTreeSet;
    let all = || per_wave.iter().map(|(_, _, f)| *f);
    let breakdowns: BTreeSet<&str> =
        all().flat_map(|f| f.figures.iter().map(|x| x.breakdown().as_str())).collect();
    let variables: BTreeSet<&str> =
        all().flat_map(|f| f.variables.iter().map(|v| v.id())).collect();
    let estimators: BTreeSet<&str> = all().map(|f| f.estimator.code()).collect();
    let waves: BTreeSet<&str> = all().map(|f| f.wave.as_str()).collect();
    let listed = |set: &BTreeSet<&str>| Some(set.iter().map(|x| Value::from(*x)).collect());
    for field in fields.iter_mut() {
        let allowed: Option<Vec<Value>> = match field["name"].as_str() {
            Some("wave") => listed(&waves),
            Some("breakdown") => listed(&breakdowns),
            Some("indicator") => listed(&variables),
            Some("estimator") => listed(&estimators),
            _ => None,
        };
        if let Some(allowed) = allowed {
            field["constraints"] = json!({ "enum": allowed });
        }
        if field["name"] == "indicator" {
            field["categories"] = described(per_wave);
        }
    }
}

/// Every published variable (`ind_*`, `score_*`, `level_*`) with what it measures, each once.
fn described(per_wave: &[WavePackage<'_>]) -> Value {
    let mut seen = std::collections::BTreeSet::new();
    per_wave
        .iter()
        .flat_map(|(_, _, f)| &f.variables)
        .filter(|v| seen.insert(v.id().to_string()))
        .map(|v| json!({ "value": v.id(), "label": v.label.en, "label_vi": v.label.vi }))
        .collect()
}

/// The fields of the microdata, from its columns in both languages.
fn microdata_fields([vi, en]: [&Shape; 2]) -> Vec<Value> {
    let variables = en.table.variables.iter().zip(&vi.table.variables);
    variables
        .enumerate()
        .map(|(i, (v, v_vi))| {
            let texts = &en.texts[i];
            let kind = field_type(v.storage, texts.as_deref());
            let mut f = field(&v.name, kind, &v_vi.label, &v.label);
            if v.storage == Storage::Date {
                f["format"] = Value::from("%Y-%m-%d");
            }
            let labels = |shape: &Shape| {
                shape.table.variables[i].value_labels.map(|s| shape.table.value_labels[s].labels.clone())
            };
            if let (Some(labels), Some(labels_vi)) = (labels(en), labels(vi)) {
                let value = |code: i32| -> Value {
                    match texts.as_ref().and_then(|t| t.iter().find(|(c, _)| *c == code)) {
                        Some((_, id)) if kind == "integer" => id.parse::<i64>().map_or(Value::from(id.as_str()), Value::from),
                        Some((_, id)) => Value::from(id.as_str()),
                        None => Value::from(code),
                    }
                };
                let categories: Vec<Value> = labels
                    .iter()
                    .zip(&labels_vi)
                    .map(|((code, label), (_, label_vi))| json!({ "value": value(*code), "label": label, "label_vi": label_vi }))
                    .collect();
                let allowed: Vec<Value> = categories.iter().map(|c| c["value"].clone()).collect();
                f["constraints"] = json!({ "enum": allowed });
                f["categories"] = Value::Array(categories);
                if v.measure == Measure::Ordinal {
                    f["categoriesOrdered"] = Value::Bool(true);
                }
            }
            if let Some(question) = &en.questions[i] {
                f["question"] = Value::from(question.as_str());
            }
            f
        })
        .collect()
}

/// The Table Schema type of a column.
fn field_type(storage: Storage, texts: Option<&[(i32, String)]>) -> &'static str {
    match (storage, texts) {
        (Storage::Text { .. }, _) => "string",
        (Storage::Date, _) => "date",
        (_, Some(texts)) if texts.iter().all(|(_, t)| t.parse::<i64>().is_ok()) => "integer",
        (_, Some(_)) => "string",
        (Storage::Double, None) => "number",
        (_, None) => "integer",
    }
}

fn resources(aggregates: Vec<Value>, micro: Vec<Value>, groups: bool) -> Value {
    let mut resources = vec![
        json!({ "name": "aggregates", "path": "aggregates.csv", "$schema": RESOURCE_PROFILE, "type": "table", "format": "csv", "encoding": "utf-8",
          "schema": { "$schema": SCHEMA_PROFILE, "fields": aggregates, "missingValues": [""] } }),
        json!({ "name": "microdata", "path": "microdata.csv", "$schema": RESOURCE_PROFILE, "type": "table", "format": "csv", "encoding": "utf-8",
          "schema": { "$schema": SCHEMA_PROFILE, "fields": micro, "missingValues": missing_values(), "primaryKey": ["respondent"] } }),
    ];
    if groups {
        let fields: Vec<Value> =
            super::groups::COLUMNS.iter().map(|c| field(c.name, c.kind, c.vi, c.en)).collect();
        resources.push(json!({ "name": "response_groups", "path": "response_groups.csv", "$schema": RESOURCE_PROFILE, "type": "table", "format": "csv", "encoding": "utf-8",
          "schema": { "$schema": SCHEMA_PROFILE, "fields": fields, "missingValues": [""], "primaryKey": ["stratum"] } }));
    }
    Value::Array(resources)
}
