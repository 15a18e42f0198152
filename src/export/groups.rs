//! `response_groups.csv` of a sample wave: each response-homogeneity group (a final stratum of
//! the design, docs/methodology.md §3a) with its register population, its sampled and
//! responding units, its unit and weighted response rates and the non-response adjustment of
//! its weights. Its `stratum` is the microdata's, so the two files join.

use std::io::Write;

use super::aggregates::Column;
use super::microdata::stratum_pseudonym;
use super::neutralise;
use crate::app::App;
use crate::figures::{self, Sample};
use crate::stats::{Estimator, Level};

/// The columns, in order; the file and its description in `datapackage.json` come from here.
pub const COLUMNS: [Column; 13] = [
    Column { name: "wave", kind: "string", vi: "Đợt khảo sát", en: "Survey wave" },
    Column {
        name: "stratum",
        kind: "string",
        vi: "Nhóm đáp ứng đồng nhất (tầng cuối cùng), dưới tên giả danh như trong microdata",
        en: "Response-homogeneity group (final stratum), under the pseudonym microdata use",
    },
    Column {
        name: "level",
        kind: "string",
        vi: "Mức gộp: stratum (phường/xã × ngành × quy mô), area_section, area hoặc city",
        en: "How far it was pooled: stratum (area × section × size), area_section, area or city",
    },
    Column {
        name: "area_code",
        kind: "string",
        vi: "Mã phường/xã (trống nếu nhóm gộp nhiều phường/xã)",
        en: "Ward/commune code (blank where the group pools wards)",
    },
    Column {
        name: "vsic_section",
        kind: "string",
        vi: "Ngành cấp 1 (trống nếu nhóm gộp nhiều ngành)",
        en: "VSIC section (blank where the group pools sections)",
    },
    Column {
        name: "size_class",
        kind: "string",
        vi: "Quy mô (trống nếu nhóm gộp nhiều quy mô)",
        en: "Size class (blank where the group pools size classes)",
    },
    Column {
        name: "population",
        kind: "number",
        vi: "Số doanh nghiệp của nhóm trong danh bạ (các tầng có mẫu)",
        en: "Enterprises of the group in the register (its sampled strata)",
    },
    Column {
        name: "sampled", kind: "integer", vi: "Số đơn vị được chọn mẫu", en: "Units sampled"
    },
    Column {
        name: "responded",
        kind: "integer",
        vi: "Số đơn vị đã trả lời (phiếu được tính)",
        en: "Units that responded (counted responses)",
    },
    Column {
        name: "unit_response_rate",
        kind: "number",
        vi: "Tỷ lệ trả lời theo đơn vị: responded / sampled",
        en: "Unit response rate: responded / sampled",
    },
    Column {
        name: "weighted_response_rate",
        kind: "number",
        vi: "Tỷ lệ trả lời có trọng số: Σ 1/π của đơn vị trả lời / Σ 1/π của đơn vị được chọn",
        en: "Weighted response rate: Σ 1/π over respondents / Σ 1/π over sampled units",
    },
    Column {
        name: "nonresponse_adjustment",
        kind: "number",
        vi: "Hệ số điều chỉnh không trả lời nhân vào quyền số thiết kế của đơn vị trả lời",
        en: "Non-response adjustment the respondents' design weights are multiplied by",
    },
    Column {
        name: "estimator",
        kind: "string",
        vi: "Bộ ước lượng của đợt (methodology §3a)",
        en: "The wave's estimator (methodology §3a)",
    },
];

/// Whether the wave's figures come from a drawn sample, so that it has groups to describe.
pub fn has_groups(sample: &Sample) -> bool {
    matches!(sample.design.estimator, Estimator::Sample { .. })
        && !sample.design.response.is_empty()
}

/// Starts `response_groups.csv`: its header.
pub fn groups_file<W: Write>(out: W) -> Result<csv::Writer<W>, csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS.iter().map(|c| c.name))?;
    Ok(w)
}

/// Writes the groups of sample wave `wave_id`; `key` keys the stratum pseudonyms as in the
/// microdata.
pub fn write_groups<W: Write>(
    app: &App,
    (sample, wave_id): (&Sample, &str),
    key: &str,
    w: &mut csv::Writer<W>,
) -> Result<(), csv::Error> {
    let design = &sample.design;
    let mut first_key = vec![None; design.strata.len()];
    for (k, &h) in design.stratum_of.iter().enumerate() {
        first_key[h].get_or_insert(k);
    }
    let rate = |r: Option<f64>| r.map(|x| x.to_string()).unwrap_or_default();
    for (h, (stratum, response)) in design.strata.iter().zip(&design.response).enumerate() {
        // The codes the group's microdata rows show: blank where the group pools them.
        let (area, section, size) =
            first_key[h].map(|k| figures::shown_codes(app, design, k)).unwrap_or_default();
        let label = stratum_pseudonym(key, &figures::stratum_label(design, h));
        w.write_record([
            wave_id.to_string(),
            label,
            level_name(stratum.level).to_string(),
            neutralise(&area).into_owned(),
            neutralise(&section).into_owned(),
            neutralise(&size).into_owned(),
            stratum.population.map(|p| p.to_string()).unwrap_or_default(),
            response.sampled.to_string(),
            response.responded.to_string(),
            rate(response.unit_rate()),
            rate(response.weighted_rate()),
            response.factor().to_string(),
            design.estimator.code().to_string(),
        ])?;
    }
    Ok(())
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Full => "stratum",
        Level::AreaSection => "area_section",
        Level::Area => "area",
        Level::City => "city",
    }
}
