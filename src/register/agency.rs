//! The public agencies of a wave: one line per agency, read as strictly as the enterprises'
//! register. Agencies are a census (every one is invited), so there is no stratum to derive.
//!
//! Columns, in any order: `code` (the office's own code of the agency, for example its
//! budget-relation code: how forms and commands name it), `name`, `area_code` (the ward or
//! commune of its seat), `kind` (one of the agency questionnaire's kinds of agency, such as
//! `commune_committee`) are required; `address`, `email`, `phone`, `language` are optional.

use std::io::Read;

use super::{Keyed, Layout, Line, Reach, area, read_lines, text};
use crate::kernel::Lang;
use crate::reference::{AreaCode, Reference};

/// The columns an agency register may have.
pub const COLUMNS: [&str; 8] =
    ["code", "name", "area_code", "kind", "address", "email", "phone", "language"];

/// The longest code kept, in characters.
const MAX_CODE: usize = 20;

/// One public agency of the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterAgency {
    pub code: String,
    pub name: String,
    pub area: AreaCode,
    /// The id of a choice of the agency questionnaire's kind-of-agency question.
    pub kind: String,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub language: Lang,
}

impl RegisterAgency {
    /// The name as responses compare it: case and spacing ignored.
    pub fn plain_name(&self) -> String {
        self.name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
    }
}

impl Keyed for RegisterAgency {
    fn keys(&self) -> Vec<(String, String)> {
        vec![
            (format!("code/{}", self.code), format!("code {}", self.code)),
            (
                format!("name/{}/{}", self.area, self.plain_name()),
                format!("an agency named '{}' in ward {}", self.name, self.area),
            ),
        ]
    }
}

/// Reads an agency register line by line, handing each valid agency to `each`; `kinds` are the
/// kinds of agency the questionnaire knows. Returns every problem as `line N: …`: the caller
/// keeps nothing unless there is none.
pub fn for_each_agency(
    input: impl Read,
    reference: &Reference,
    kinds: &[String],
    each: impl FnMut(RegisterAgency),
) -> Vec<String> {
    let layout = |header: &csv::StringRecord| {
        Layout::of(header, &COLUMNS, &["code", "name", "area_code", "kind"])
    };
    read_lines(
        input,
        layout,
        |layout, record| agency(Line { layout, record }, reference, kinds),
        each,
    )
}

/// Reads a whole agency register, or lists every problem.
pub fn read_agencies(
    input: impl Read,
    reference: &Reference,
    kinds: &[String],
) -> Result<Vec<RegisterAgency>, Vec<String>> {
    let mut agencies = Vec::new();
    let problems = for_each_agency(input, reference, kinds, |a| agencies.push(a));
    if problems.is_empty() { Ok(agencies) } else { Err(problems) }
}

/// One line as an agency, or every problem of the line.
fn agency(
    line: Line<'_>,
    reference: &Reference,
    kinds: &[String],
) -> Result<RegisterAgency, Vec<String>> {
    let mut problems = Vec::new();
    let code = line.get("code");
    let code_ok = !code.is_empty()
        && code.chars().count() <= MAX_CODE
        && code.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !code_ok {
        problems.push(format!(
            "code '{code}' must be 1 to {MAX_CODE} letters, digits, '-', '_' or '.'"
        ));
    }
    let name = text(line.get("name"), "name", &mut problems);
    if name.is_none() {
        problems.push("name is empty".into());
    }
    let area = area(line.get("area_code"), reference, &mut problems);
    let kind = line.get("kind");
    if !kinds.iter().any(|k| k == kind) {
        problems.push(format!("kind '{kind}' must be one of {}", kinds.join(", ")));
    }
    let reach = Reach::read(line, &mut problems);
    match (name, area, reach) {
        (Some(name), Some(area), Some(reach)) if problems.is_empty() => Ok(RegisterAgency {
            code: code.to_string(),
            name,
            area,
            kind: kind.to_string(),
            address: reach.address,
            email: reach.email,
            phone: reach.phone,
            language: reach.language,
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn reference() -> Reference {
        Reference::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys/reference")).unwrap()
    }

    fn kinds() -> Vec<String> {
        ["city_department", "commune_committee", "other"].map(String::from).to_vec()
    }

    #[test]
    fn agencies_are_read_with_their_kind_and_how_to_reach_them() {
        let text = "name,code,area_code,kind,email,language\n\
                    Ủy ban nhân dân phường Hoàn Kiếm,1000001,00070,commune_committee,UB@hk.gov.vn,\n\
                    \"Sở Khoa học và Công nghệ, Hà Nội\",1000002,00070,city_department,,en\n";
        let agencies = read_agencies(text.as_bytes(), &reference(), &kinds()).unwrap();
        assert_eq!(agencies.len(), 2);
        assert_eq!(agencies[0].email.as_deref(), Some("ub@hk.gov.vn"));
        assert_eq!(agencies[0].kind, "commune_committee");
        assert_eq!(agencies[1].name, "Sở Khoa học và Công nghệ, Hà Nội");
        assert_eq!(agencies[1].language, Lang::En);
    }

    #[test]
    fn every_bad_line_is_reported_and_nothing_is_returned() {
        let text = "code,name,area_code,kind,email\n\
                    1000001,UBND phường A,00070,commune_committee,\n\
                    1000001,UBND phường B,00070,commune_committee,\n\
                    1000003,ubnd  PHƯỜNG a,00070,commune_committee,\n\
                    1000004,Trường C,99999,school,\n\
                    ,Trường D,00070,other,not-an-address\n";
        let problems = read_agencies(text.as_bytes(), &reference(), &kinds()).unwrap_err();
        let all = problems.join("\n");
        assert!(all.contains("line 3: code 1000001 is already given on line 2"), "{all}");
        assert!(
            all.contains(
                "line 4: an agency named 'ubnd  PHƯỜNG a' in ward 00070 is already given on line 2"
            ),
            "{all}"
        );
        assert!(all.contains("line 5: area_code '99999'"), "{all}");
        assert!(all.contains("line 5: kind 'school' must be one of city_department"), "{all}");
        assert!(all.contains("line 6: code '' must be"), "{all}");
        assert!(all.contains("line 6: email 'not-an-address'"), "{all}");
        assert_eq!(problems.len(), 6, "{all}");
        let header = read_agencies("code,name,area_code\n".as_bytes(), &reference(), &kinds());
        assert!(header.unwrap_err()[0].contains("kind"));
    }
}
