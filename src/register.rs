//! The named business register of a wave: one line per enterprise, with what fieldwork needs to
//! reach it. Read from a CSV, strictly: every problem is reported with its line, and nothing is
//! imported unless the whole file is valid. The frame's counts per stratum derive from it.
//!
//! Columns, in any order (header names as below, UTF-8):
//! `tax_code`, `name`, `area_code` and a section (required); `size_class`, or `employees` with
//! `revenue` and `capital` in billions of đồng to derive it by Decree 80/2021; `address`,
//! `email`, `phone`, `language` (`vi` or `en`, the language of its e-mails; optional);
//! `year_founded` (optional). Employees, revenue, capital and the founding year, when given, are
//! kept: an invited enterprise finds them filled in on its profile page, to confirm or correct.
//!
//! The section is given in one of three columns: `vsic_section` in the wave's VSIC version (its
//! enterprise questionnaire's), or `vsic2018_section` / `vsic2025_section` in that version,
//! converted to the wave's by the correspondence of the reference data. A VSIC 2018 section
//! that VSIC 2025 splits (J) needs `vsic_division`, the first two digits of its VSIC 2018 code.

use std::collections::HashMap;
use std::io::Read;

use validator::ValidateEmail;

use crate::kernel::Lang;
use crate::reference::{
    Amount, AreaCode, ConversionError, Reference, SizeClass, TaxCode, VsicSection, VsicVersion,
};

pub mod agency;

/// The columns a register may have.
pub const COLUMNS: [&str; 16] = [
    "tax_code",
    "name",
    "area_code",
    "vsic_section",
    "vsic2018_section",
    "vsic2025_section",
    "vsic_division",
    "size_class",
    "employees",
    "revenue",
    "capital",
    "year_founded",
    "address",
    "email",
    "phone",
    "language",
];

/// The longest name or address kept, in characters.
const MAX_TEXT: usize = 500;

/// One enterprise of the register.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterUnit {
    pub tax_code: TaxCode,
    pub name: String,
    pub area: AreaCode,
    pub section: VsicSection,
    pub size: SizeClass,
    /// What the register knows of its size and age, to fill in its profile page.
    pub facts: Facts,
    pub address: Option<String>,
    /// Lower-cased and checked.
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The language of its e-mails.
    pub language: Lang,
}

/// Employees, revenue and capital (billions of đồng) and the founding year of an enterprise, as
/// far as the register gives them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Facts {
    pub employees: Option<i64>,
    pub revenue: Option<f64>,
    pub capital: Option<f64>,
    pub year_founded: Option<i64>,
}

impl Facts {
    /// The facts a line gives, each checked when not empty.
    fn read(line: Line<'_>, problems: &mut Vec<String>) -> Facts {
        let field = |c: &str| line.get(c);
        let whole = |column: &str, problems: &mut Vec<String>| {
            let value = field(column);
            if value.is_empty() {
                return None;
            }
            let parsed = value.parse::<i64>().ok().filter(|n| *n >= 0);
            if parsed.is_none() {
                problems.push(format!("{column} '{value}' is not a whole number of 0 or more"));
            }
            parsed
        };
        let amount = |column: &str, problems: &mut Vec<String>| {
            let value = field(column);
            if value.is_empty() {
                return None;
            }
            let parsed =
                value.replace(',', ".").parse::<f64>().ok().filter(|x| *x >= 0.0 && x.is_finite());
            if parsed.is_none() {
                problems.push(format!("{column} '{value}' is not an amount in billions of đồng"));
            }
            parsed
        };
        let employees = whole("employees", problems);
        let (revenue, capital) = (amount("revenue", problems), amount("capital", problems));
        let year_founded = whole("year_founded", problems);
        let this_year = i64::from(crate::kernel::format::today().year());
        if let Some(year) = year_founded.filter(|y| !(1900..=this_year).contains(y)) {
            problems.push(format!("year_founded '{year}' is not a year from 1900 to {this_year}"));
        }
        Facts { employees, revenue, capital, year_founded }
    }
}

/// Where each column is in the file.
struct Layout(HashMap<&'static str, usize>);

impl Layout {
    /// Reads the header: names of `columns` only, each of `required` present.
    fn of(
        header: &csv::StringRecord,
        columns: &[&'static str],
        required: &[&str],
    ) -> Result<Layout, String> {
        let mut at = HashMap::new();
        for (i, name) in header.iter().enumerate() {
            let Some(known) = columns.iter().find(|c| **c == name.trim()) else {
                return Err(format!(
                    "line 1: unknown column '{name}'; the columns are {}",
                    columns.join(", ")
                ));
            };
            if at.insert(*known, i).is_some() {
                return Err(format!("line 1: column '{known}' is given twice"));
            }
        }
        let missing: Vec<&str> = required.iter().copied().filter(|c| !at.contains_key(c)).collect();
        if !missing.is_empty() {
            return Err(format!("line 1: the register needs the column(s) {}", missing.join(", ")));
        }
        Ok(Layout(at))
    }

    /// Reads an enterprise register's header: also one section column, and a size or what
    /// derives it.
    fn of_enterprises(header: &csv::StringRecord) -> Result<Layout, String> {
        let layout = Layout::of(header, &COLUMNS, &["tax_code", "name", "area_code"])?;
        let sections: Vec<&str> =
            SECTION_COLUMNS.iter().map(|(c, _)| *c).filter(|c| layout.0.contains_key(c)).collect();
        if sections.len() != 1 {
            let names = SECTION_COLUMNS.map(|(c, _)| c).join(", ");
            return Err(format!(
                "line 1: give the section in one column of {names}, not {}",
                sections.len()
            ));
        }
        let derivable =
            ["employees", "revenue", "capital"].iter().all(|c| layout.0.contains_key(c));
        if !layout.0.contains_key("size_class") && !derivable {
            return Err("line 1: give `size_class`, or `employees`, `revenue` and `capital` to \
                        derive it"
                .into());
        }
        Ok(layout)
    }

    fn get<'r>(&self, record: &'r csv::StringRecord, column: &str) -> &'r str {
        self.0.get(column).and_then(|i| record.get(*i)).map_or("", str::trim)
    }
}

/// Reads a register, or lists every problem as `line N: …`.
pub fn read_register(
    input: impl Read,
    reference: &Reference,
    vsic: VsicVersion,
) -> Result<Vec<RegisterUnit>, Vec<String>> {
    let mut units = Vec::new();
    let problems = for_each_unit(input, reference, vsic, |unit| units.push(unit));
    if problems.is_empty() { Ok(units) } else { Err(problems) }
}

/// Reads a register line by line, handing each valid enterprise to `each` as it comes (so that
/// a register of any size is read in constant memory, but for its tax codes), and returns
/// every problem as `line N: …`: the caller keeps nothing unless there is none.
/// `vsic` is the wave's VSIC version, into which sections are converted.
pub fn for_each_unit(
    input: impl Read,
    reference: &Reference,
    vsic: VsicVersion,
    each: impl FnMut(RegisterUnit),
) -> Vec<String> {
    read_lines(
        input,
        Layout::of_enterprises,
        |layout, record| unit(layout, record, reference, vsic),
        each,
    )
}

/// A register entry that another line of the same file may not repeat.
trait Keyed {
    /// What no two entries may share, each with how a repeat is reported.
    fn keys(&self) -> Vec<(String, String)>;
}

impl Keyed for RegisterUnit {
    fn keys(&self) -> Vec<(String, String)> {
        let code = self.tax_code.as_str();
        vec![(code.to_string(), format!("tax code {code}"))]
    }
}

/// Reads a CSV register: the header by `layout`, each line by `entry`; hands every valid entry
/// to `each` and returns every problem, each as `line N: …`.
fn read_lines<T: Keyed>(
    input: impl Read,
    layout: impl FnOnce(&csv::StringRecord) -> Result<Layout, String>,
    entry: impl Fn(&Layout, &csv::StringRecord) -> Result<T, Vec<String>>,
    mut each: impl FnMut(T),
) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(input);
    let layout = match reader.headers() {
        Ok(header) => match layout(header) {
            Ok(layout) => layout,
            Err(e) => return vec![e],
        },
        Err(e) => return vec![format!("line 1: {e}")],
    };
    let mut problems = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push(format!("line {line}: {e}"));
                continue;
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        match entry(&layout, &record) {
            Ok(found) => {
                let mut repeated = false;
                for (key, what) in found.keys() {
                    if let Some(first) = seen.get(&key) {
                        problems
                            .push(format!("line {line}: {what} is already given on line {first}"));
                        repeated = true;
                    }
                }
                if !repeated {
                    seen.extend(found.keys().into_iter().map(|(key, _)| (key, line)));
                    each(found);
                }
            }
            Err(found) => problems.extend(found.into_iter().map(|p| format!("line {line}: {p}"))),
        }
    }
    if seen.is_empty() && problems.is_empty() {
        problems.push("the file lists no entry".into());
    }
    problems
}

/// One line as an enterprise, or every problem of the line.
fn unit(
    layout: &Layout,
    record: &csv::StringRecord,
    reference: &Reference,
    vsic: VsicVersion,
) -> Result<RegisterUnit, Vec<String>> {
    let field = Line { layout, record };
    let field = |c: &str| field.get(c);
    let mut problems = Vec::new();
    let tax_code = TaxCode::parse(field("tax_code")).map_err(|e| problems.push(e.to_string())).ok();
    let name = text(field("name"), "name", &mut problems);
    if name.is_none() {
        problems.push("name is empty".into());
    }
    let area = area(field("area_code"), reference, &mut problems);
    let section = section(Line { layout, record }, reference, vsic, &mut problems);
    let facts = Facts::read(Line { layout, record }, &mut problems);
    let size =
        section.and_then(|s| size_of(Line { layout, record }, s, &facts, reference, &mut problems));
    let reach = Reach::read(Line { layout, record }, &mut problems);
    match (tax_code, name, area, section, size, reach) {
        (Some(tax_code), Some(name), Some(area), Some(section), Some(size), Some(reach))
            if problems.is_empty() =>
        {
            let Reach { address, email, phone, language } = reach;
            Ok(RegisterUnit {
                tax_code,
                name,
                area,
                section,
                size,
                facts,
                address,
                email,
                phone,
                language,
            })
        }
        _ => Err(problems),
    }
}

/// The columns that may give a unit's section, and the VSIC version each is in (`None`: the
/// wave's).
const SECTION_COLUMNS: [(&str, Option<VsicVersion>); 3] = [
    ("vsic_section", None),
    ("vsic2018_section", Some(VsicVersion::V2018)),
    ("vsic2025_section", Some(VsicVersion::V2025)),
];

/// A line's section in the wave's VSIC version `to`, converted from the version its column is
/// in.
fn section(
    line: Line<'_>,
    reference: &Reference,
    to: VsicVersion,
    problems: &mut Vec<String>,
) -> Option<VsicSection> {
    let (column, from) = SECTION_COLUMNS.iter().find(|(c, _)| line.layout.0.contains_key(c))?;
    let from = from.unwrap_or(to);
    let value = line.get(column);
    let Some(section) =
        VsicSection::parse(value).ok().filter(|s| reference.sector(from, *s).is_some())
    else {
        problems.push(format!("{column}: '{value}' is not a section of {}", from.name()));
        return None;
    };
    let division = Some(line.get("vsic_division")).filter(|d| !d.is_empty());
    match reference.vsic.convert(section, from, to, division) {
        Ok(converted) => Some(converted),
        Err(ConversionError::Split { into, divisions }) => {
            let into: Vec<String> = into.iter().map(ToString::to_string).collect();
            problems.push(format!(
                "{column}: section {section} of {} is split between sections {} of {}: give `vsic_division`, the first two digits of its {} code ({})",
                from.name(),
                into.join(" and "),
                to.name(),
                from.name(),
                divisions.join(", ")
            ));
            None
        }
        Err(ConversionError::UnknownDivision | ConversionError::Unknown) => {
            problems.push(format!(
                "vsic_division: '{}' is not a division of section {section} of {} that the correspondence lists",
                division.unwrap_or_default(),
                from.name()
            ));
            None
        }
    }
}

/// A ward or commune of the reference list.
fn area(value: &str, reference: &Reference, problems: &mut Vec<String>) -> Option<AreaCode> {
    match AreaCode::parse(value) {
        Ok(code) if reference.area(&code).is_some() => Some(code),
        _ => {
            problems
                .push(format!("area_code '{value}' is not a ward/commune of the reference list"));
            None
        }
    }
}

/// How to reach a register entry, and in which language.
struct Reach {
    address: Option<String>,
    /// Lower-cased and checked.
    email: Option<String>,
    phone: Option<String>,
    language: Lang,
}

impl Reach {
    /// The optional columns `address`, `email`, `phone` and `language` of a line.
    fn read(line: Line<'_>, problems: &mut Vec<String>) -> Option<Reach> {
        let field = |c: &str| line.get(c);
        let before = problems.len();
        let email = match field("email") {
            "" => None,
            email if email.validate_email() => Some(email.to_lowercase()),
            email => {
                problems.push(format!("email '{email}' is not an e-mail address"));
                None
            }
        };
        let address = text(field("address"), "address", problems);
        let phone = text(field("phone"), "phone", problems);
        let language = match field("language") {
            "" => Lang::Vi,
            code => Lang::parse(code).unwrap_or_else(|| {
                problems.push(format!("language '{code}' is not vi or en"));
                Lang::Vi
            }),
        };
        (problems.len() == before).then_some(Reach { address, email, phone, language })
    }
}

/// An optional text, within [`MAX_TEXT`] characters.
fn text(value: &str, column: &str, problems: &mut Vec<String>) -> Option<String> {
    if value.chars().count() > MAX_TEXT {
        problems.push(format!("{column} is longer than {MAX_TEXT} characters"));
        return None;
    }
    (!value.is_empty()).then(|| value.to_string())
}

/// One line of the file, read by column name.
#[derive(Clone, Copy)]
struct Line<'a> {
    layout: &'a Layout,
    record: &'a csv::StringRecord,
}

impl<'a> Line<'a> {
    fn get(&self, column: &str) -> &'a str {
        self.layout.get(self.record, column)
    }
}

/// The size class given, or derived from employees, revenue and capital.
fn size_of(
    line: Line<'_>,
    section: VsicSection,
    facts: &Facts,
    reference: &Reference,
    problems: &mut Vec<String>,
) -> Option<SizeClass> {
    let given = line.get("size_class");
    if !given.is_empty() {
        let size = SizeClass::parse(given);
        if size.is_none() {
            problems.push(format!("size_class '{given}' must be micro, small, medium or large"));
        }
        return size;
    }
    let missing: Vec<&str> = [
        ("employees", facts.employees.is_none()),
        ("revenue", facts.revenue.is_none()),
        ("capital", facts.capital.is_none()),
    ]
    .into_iter()
    .filter(|(column, absent)| *absent && line.get(column).is_empty())
    .map(|(column, _)| column)
    .collect();
    if !missing.is_empty() {
        problems.push(format!("no size_class, and no {} to derive it", missing.join(", ")));
    }
    let employees = u64::try_from(facts.employees?).ok()?;
    let (revenue, capital) = (Amount::AtMost(facts.revenue?), Amount::AtMost(facts.capital?));
    Some(reference.sizes.classify(section, employees, revenue, capital))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn reference() -> Reference {
        Reference::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys/reference")).unwrap()
    }

    #[test]
    fn a_register_is_read_in_any_column_order_and_sizes_are_derived() {
        let text = "name,tax_code,area_code,vsic_section,employees,revenue,capital,email\n\
                    Công ty A,0101234567,00070,G,3,2.5,1,Info@A.vn\n\
                    \"Công ty B, chi nhánh\",0101234567-001,00070,C,250,1000,1000,\n";
        let units = read_register(text.as_bytes(), &reference(), VsicVersion::V2018).unwrap();
        assert_eq!(units.len(), 2);
        assert_eq!(units[0].size, SizeClass::Micro);
        assert_eq!(units[0].email.as_deref(), Some("info@a.vn"));
        assert_eq!(units[1].name, "Công ty B, chi nhánh");
        assert_eq!(units[1].size, SizeClass::Large);
        assert_eq!(units[1].email, None);
    }

    #[test]
    fn every_bad_line_is_reported_and_nothing_is_returned() {
        let text = "tax_code,name,area_code,vsic_section,size_class,email\n\
                    0101234567,A,00070,G,micro,a@b.vn\n\
                    0101234567,B,00070,G,micro,\n\
                    0101234568,C,99999,G,micro,\n\
                    0101234569,D,00070,G,tiny,\n\
                    0101234570,E,00070,G,small,not-an-address\n\
                    12345,F,00070,Z,small,\n\
                    0101234571,,00070,G,small,\n";
        let problems =
            read_register(text.as_bytes(), &reference(), VsicVersion::V2018).unwrap_err();
        let all = problems.join("\n");
        assert!(all.contains("line 3: tax code 0101234567 is already given on line 2"), "{all}");
        assert!(all.contains("line 4: area_code '99999'"), "{all}");
        assert!(all.contains("line 5: size_class 'tiny'"), "{all}");
        assert!(all.contains("line 6: email 'not-an-address'"), "{all}");
        assert!(all.contains("line 7: '12345' is not a tax code"), "{all}");
        assert!(all.contains("line 7: vsic_section"), "{all}");
        assert!(all.contains("line 8: name is empty"), "{all}");
        assert_eq!(problems.len(), 7, "{all}");
    }

    #[test]
    fn a_register_in_either_vsic_version_is_converted_to_the_waves() {
        let text = "tax_code,name,area_code,vsic2018_section,vsic_division,size_class\n\
                    0101234567,Ngân hàng A,00070,K,,large\n\
                    0101234568,Phần mềm B,00070,J,62,small\n\
                    0101234569,Xuất bản C,00070,J,58,small\n";
        let units = read_register(text.as_bytes(), &reference(), VsicVersion::V2025).unwrap();
        let sections: Vec<String> = units.iter().map(|u| u.section.to_string()).collect();
        assert_eq!(sections, ["L", "K", "J"], "finance moves a letter; J splits by division");
        let back = "tax_code,name,area_code,vsic2025_section,size_class\n0101234567,A,00070,L,large\n0101234568,B,00070,V,large\n";
        let units = read_register(back.as_bytes(), &reference(), VsicVersion::V2018).unwrap();
        assert_eq!(units.iter().map(|u| u.section.to_string()).collect::<Vec<_>>(), ["K", "U"]);

        let unsplit = "tax_code,name,area_code,vsic2018_section,size_class\n0101234568,B,00070,J,small\n0101234569,C,00070,V,small\n";
        let problems =
            read_register(unsplit.as_bytes(), &reference(), VsicVersion::V2025).unwrap_err();
        let all = problems.join("\n");
        assert!(
            all.contains("line 2: vsic2018_section: section J of VSIC 2018 is split between sections J and K of VSIC 2025: give `vsic_division`, the first two digits of its VSIC 2018 code (58, 59, 60, 61, 62, 63)"),
            "{all}"
        );
        assert!(
            all.contains("line 3: vsic2018_section: 'V' is not a section of VSIC 2018"),
            "{all}"
        );
        let in_wave =
            "tax_code,name,area_code,vsic_section,size_class\n0101234569,C,00070,V,small\n";
        let problems =
            read_register(in_wave.as_bytes(), &reference(), VsicVersion::V2018).unwrap_err();
        assert!(
            problems[0].contains("vsic_section: 'V' is not a section of VSIC 2018"),
            "{problems:?}"
        );
        let two = "tax_code,name,area_code,vsic_section,vsic2025_section,size_class\n";
        let problems = read_register(two.as_bytes(), &reference(), VsicVersion::V2018).unwrap_err();
        assert!(problems[0].contains("give the section in one column of"), "{problems:?}");
    }

    #[test]
    fn what_the_register_knows_of_size_and_age_is_kept_and_checked() {
        let text = "tax_code,name,area_code,vsic_section,size_class,employees,revenue,capital,year_founded\n\
                    0101234567,A,00070,G,small,25,\"12,5\",,2014\n\
                    0101234568,B,00070,G,micro,many,,,1850\n";
        let problems =
            read_register(text.as_bytes(), &reference(), VsicVersion::V2018).unwrap_err();
        let all = problems.join("\n");
        assert!(
            all.contains("line 3: employees 'many' is not a whole number of 0 or more"),
            "{all}"
        );
        assert!(all.contains("line 3: year_founded '1850' is not a year from 1900 to"), "{all}");
        assert_eq!(problems.len(), 2, "{all}");
        let good: String = text.lines().take(2).map(|l| format!("{l}\n")).collect();
        let units = read_register(good.as_bytes(), &reference(), VsicVersion::V2018).unwrap();
        let facts = units[0].facts;
        assert_eq!((facts.employees, facts.revenue, facts.capital), (Some(25), Some(12.5), None));
        assert_eq!(facts.year_founded, Some(2014));
        assert_eq!(units[0].size, SizeClass::Small, "the size given wins over the facts");
    }

    #[test]
    fn a_header_that_cannot_work_is_refused_first() {
        let refused = |header: &str| {
            read_register(header.as_bytes(), &reference(), VsicVersion::V2018).unwrap_err()
        };
        assert!(refused("tax_code,name,area_code,vsic_section,colour\n")[0].contains("'colour'"));
        assert!(refused("tax_code,name,area_code\n")[0].contains("vsic_section"));
        assert!(refused("tax_code,name,area_code,vsic_section\n")[0].contains("size_class"));
        assert!(refused("tax_code,name,name,area_code\n")[0].contains("twice"));
    }
}
