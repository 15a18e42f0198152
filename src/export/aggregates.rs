//! `aggregates.csv`: one row per breakdown group and variable.

use std::io::Write;

use super::neutralise;
use crate::figures::Figures;
use crate::stats::Suppression;

/// A column of `aggregates.csv`: its name, its Frictionless type and what it holds in both
/// languages. The file and its description in `datapackage.json` both come from [`COLUMNS`].
pub struct Column {
    pub name: &'static str,
    pub kind: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
}

/// The columns, in order.
pub const COLUMNS: [Column; 13] = [
    Column { name: "wave", kind: "string", vi: "Đợt khảo sát", en: "Survey wave" },
    Column {
        name: "breakdown",
        kind: "string",
        vi: "Cách chia: city, area, vsic_section, size_class, area_size_class, area_vsic_section",
        en: "Breakdown: city, area, vsic_section, size_class, area_size_class, area_vsic_section",
    },
    Column {
        name: "group",
        kind: "string",
        vi: "Nhóm: all, mã phường/xã, ngành cấp 1, quy mô, mã phường/xã:quy mô, hoặc mã phường/xã:ngành",
        en: "Group: all, area code, VSIC section, size class, area:size, or area:section",
    },
    Column {
        name: "indicator",
        kind: "string",
        vi: "Biến: ind_<chỉ tiêu> (tỷ lệ), score_<trụ cột> hoặc score_overall (điểm trung bình), level_<mức> (tỷ lệ ở mức trưởng thành đó)",
        en: "Variable: ind_<indicator> (a share), score_<dimension> or score_overall (a mean score), level_<level> (the share at that maturity level)",
    },
    Column {
        name: "estimate",
        kind: "number",
        vi: "Ước lượng: tỷ lệ 0–1 hoặc điểm 0–100",
        en: "Estimate: a share 0–1 or a score 0–100",
    },
    Column { name: "se", kind: "number", vi: "Sai số chuẩn", en: "Standard error" },
    Column {
        name: "ci_low",
        kind: "number",
        vi: "Cận dưới khoảng tin cậy 95%",
        en: "Lower bound of the 95% interval",
    },
    Column {
        name: "ci_high",
        kind: "number",
        vi: "Cận trên khoảng tin cậy 95%",
        en: "Upper bound of the 95% interval",
    },
    Column {
        name: "cv",
        kind: "number",
        vi: "Hệ số biến thiên (SE / ước lượng)",
        en: "Coefficient of variation (SE / estimate)",
    },
    Column { name: "n", kind: "integer", vi: "Số đơn vị trả lời", en: "Respondents" },
    Column {
        name: "weighted_n",
        kind: "number",
        vi: "Tổng quyền số (số doanh nghiệp ước tính)",
        en: "Sum of weights (estimated enterprises)",
    },
    Column {
        name: "suppressed",
        kind: "boolean",
        vi: "Không công bố do quá ít đơn vị trả lời",
        en: "Not published: too few respondents",
    },
    Column {
        name: "estimator",
        kind: "string",
        vi: "Phương pháp ước lượng (docs/methodology.md)",
        en: "Estimator (docs/methodology.md): unweighted, post_stratified, sample_nonresponse_adjusted, sample_calibrated_<distance>",
    },
];

/// Writes the figures; a suppressed row has empty estimate columns and `suppressed` = `true`.
pub fn write_aggregates(figures: &Figures, out: impl Write) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    write_aggregate_header(&mut writer)?;
    write_aggregate_rows(figures, &mut writer)?;
    writer.flush()?;
    Ok(())
}

/// The header line of `aggregates.csv`.
pub fn write_aggregate_header(writer: &mut csv::Writer<impl Write>) -> Result<(), csv::Error> {
    writer.write_record(COLUMNS.map(|c| c.name))
}

/// One row per figure of a wave (several waves' rows follow each other in one file).
pub fn write_aggregate_rows(
    figures: &Figures,
    writer: &mut csv::Writer<impl Write>,
) -> Result<(), csv::Error> {
    let number = |x: f64| format!("{x}");
    for f in &figures.figures {
        let variable = &figures.variables[f.variable];
        let group = f.group.to_string();
        let fixed =
            [figures.wave.as_str(), f.breakdown().as_str(), &neutralise(&group), variable.id()];
        let values: [String; 8] = match (&f.estimate, f.suppression) {
            (Some(e), Suppression::Published) => [
                number(e.estimate),
                number(e.se),
                e.interval.map(|i| number(i.low)).unwrap_or_default(),
                e.interval.map(|i| number(i.high)).unwrap_or_default(),
                e.cv.map(number).unwrap_or_default(),
                f.n.to_string(),
                number(e.weighted_n),
                "false".into(),
            ],
            // Nothing about a suppressed group is published: not even its count.
            (_, Suppression::Primary | Suppression::Secondary) => [
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                "true".into(),
            ],
            // A group whose respondents all lack this variable (a score with no answer).
            (None, Suppression::Published) => [
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                f.n.to_string(),
                String::new(),
                "false".into(),
            ],
        };
        writer.write_record(
            fixed
                .iter()
                .map(|s| s.as_bytes())
                .chain(values.iter().map(String::as_bytes))
                .chain([figures.estimator.code().as_bytes()]),
        )?;
    }
    writer.flush()?;
    Ok(())
}
