//! Reading reference data from its folder, with every problem located by file and line.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use serde::Deserialize;

use super::{Area, AreaCode, AreaGroup, Reference, SizeRules};
use crate::kernel::Text;

/// Everything wrong with the reference data, each with its file and line.
#[derive(Debug)]
pub struct ReferenceError {
    pub problems: Vec<String>,
}

impl fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problems.join("\n"))
    }
}

impl std::error::Error for ReferenceError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AreaRow {
    code: String,
    name_vi: String,
    name_en: String,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupRow {
    group_code: String,
    group_name_vi: String,
    group_name_en: String,
    area_code: String,
}

const AREA_KINDS: [&str; 3] = ["phuong", "xa", "dac_khu"];

impl Reference {
    /// Loads `areas.csv`, `area_groups.csv` (optional), the VSIC files and
    /// `size_classes.toml` from `dir`.
    pub fn load(dir: &Path) -> Result<Reference, ReferenceError> {
        let mut problems = Vec::new();
        let areas = read_areas(&dir.join("areas.csv"), &mut problems);
        let known: HashSet<AreaCode> = areas.iter().map(|a| a.code.clone()).collect();
        let groups_path = dir.join("area_groups.csv");
        let groups = if groups_path.exists() {
            read_groups(&groups_path, &known, &mut problems)
        } else {
            Vec::new()
        };
        let vsic = super::vsic::read_vsic(dir, &mut problems);
        let sizes = read_sizes(&dir.join("size_classes.toml"), &mut problems);
        let targets = read_targets(&dir.join("targets.toml"), &mut problems);
        let quasi_identifiers = super::quasi::read_quasi_identifiers(
            &dir.join("quasi_identifiers.toml"),
            &mut problems,
        );
        let contacts_path = dir.join("contacts.csv");
        let contacts = if contacts_path.exists() {
            super::contacts::read_contacts(&contacts_path, &known, &mut problems)
        } else {
            Default::default()
        };
        match sizes {
            Some(sizes) if problems.is_empty() => Ok(Reference {
                targets,
                quasi_identifiers,
                contacts,
                ..Reference::new(areas, groups, vsic, sizes)
            }),
            _ => Err(ReferenceError { problems }),
        }
    }
}

pub(super) fn read_rows<T: for<'de> Deserialize<'de>>(
    path: &Path,
    problems: &mut Vec<String>,
) -> Vec<(u64, T)> {
    let mut reader = match csv::Reader::from_path(path) {
        Ok(reader) => reader,
        Err(e) => {
            problems.push(format!("{}: cannot read: {e}", path.display()));
            return Vec::new();
        }
    };
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(e) => {
            problems.push(format!("{}:1: {}", path.display(), csv_message(&e)));
            return Vec::new();
        }
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push(format!("{}:{line}: {}", path.display(), csv_message(&e)));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        match record.deserialize::<T>(Some(&headers)) {
            Ok(row) => rows.push((line, row)),
            Err(e) => problems.push(format!("{}:{line}: {}", path.display(), csv_message(&e))),
        }
    }
    rows
}

fn csv_message(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
        _ => error.to_string(),
    }
}

pub(super) fn text(vi: String, en: String) -> Text {
    Text::new(vi.trim(), en.trim())
}

fn read_areas(path: &Path, problems: &mut Vec<String>) -> Vec<Area> {
    let mut seen = HashSet::new();
    let mut areas = Vec::new();
    for (line, row) in read_rows::<AreaRow>(path, problems) {
        let at = located(path, line);
        let code = match AreaCode::parse(&row.code) {
            Ok(code) => code,
            Err(e) => {
                problems.push(format!("{at}: {e}"));
                continue;
            }
        };
        if !seen.insert(code.clone()) {
            problems.push(format!("{at}: area {code} is listed twice"));
        }
        if !AREA_KINDS.contains(&row.kind.as_str()) {
            problems.push(format!(
                "{at}: type '{}' is not one of {}",
                row.kind,
                AREA_KINDS.join(", ")
            ));
        }
        if row.name_vi.trim().is_empty() || row.name_en.trim().is_empty() {
            problems.push(format!("{at}: area {code} needs a Vietnamese and an English name"));
        }
        areas.push(Area { code, name: text(row.name_vi, row.name_en), kind: row.kind });
    }
    if areas.is_empty() && problems.is_empty() {
        problems.push(format!("{}: lists no area", path.display()));
    }
    areas
}

fn read_groups(
    path: &Path,
    known: &HashSet<AreaCode>,
    problems: &mut Vec<String>,
) -> Vec<AreaGroup> {
    let mut groups: Vec<AreaGroup> = Vec::new();
    for (line, row) in read_rows::<GroupRow>(path, problems) {
        let at = located(path, line);
        let Some(code) = known_area(&row.area_code, known, &at, problems) else { continue };
        match groups.iter_mut().find(|g| g.code == row.group_code) {
            Some(group) if group.areas.contains(&code) => {
                problems.push(format!("{at}: area {code} is listed twice in group {}", group.code));
            }
            Some(group) => group.areas.push(code),
            None => groups.push(AreaGroup {
                code: row.group_code,
                name: text(row.group_name_vi, row.group_name_en),
                areas: vec![code],
            }),
        }
    }
    groups
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetsFile {
    #[serde(default)]
    targets: Vec<crate::stats::Target>,
}

/// Targets are optional: a province may track none.
fn read_targets(path: &Path, problems: &mut Vec<String>) -> Vec<crate::stats::Target> {
    let Ok(source) = std::fs::read_to_string(path) else { return Vec::new() };
    match toml::from_str::<TargetsFile>(&source) {
        Ok(file) => {
            for t in file.targets.iter().filter(|t| !(0.0..=1.0).contains(&t.value)) {
                problems.push(format!(
                    "{}: target '{}' must be a share between 0 and 1, not {}",
                    path.display(),
                    t.indicator,
                    t.value
                ));
            }
            file.targets
        }
        Err(e) => {
            let line = e.span().map_or(0, |s| crate::kernel::line_of(&source, s.start));
            problems.push(format!("{}:{line}: {}", path.display(), e.message()));
            Vec::new()
        }
    }
}

fn read_sizes(path: &Path, problems: &mut Vec<String>) -> Option<SizeRules> {
    let source = match std::fs::read_to_string(path) {
        Ok(source) => source,
        Err(e) => {
            problems.push(format!("{}: cannot read: {e}", path.display()));
            return None;
        }
    };
    match toml::from_str::<SizeRules>(&source) {
        Ok(rules) => {
            problems
                .extend(rules.problems().into_iter().map(|p| format!("{}: {p}", path.display())));
            Some(rules)
        }
        Err(e) => {
            let line = e.span().map_or(0, |s| crate::kernel::line_of(&source, s.start));
            problems.push(format!("{}:{line}: {}", path.display(), e.message()));
            None
        }
    }
}

/// The area `code` of a line at `at`, if it is one of `known`; else the problem is noted.
pub(super) fn known_area(
    code: &str,
    known: &HashSet<AreaCode>,
    at: &str,
    problems: &mut Vec<String>,
) -> Option<AreaCode> {
    match AreaCode::parse(code) {
        Ok(code) if known.contains(&code) => Some(code),
        Ok(code) => {
            problems.push(format!("{at}: area {code} is not in areas.csv"));
            None
        }
        Err(e) => {
            problems.push(format!("{at}: {e}"));
            None
        }
    }
}

pub(super) fn located(path: &Path, line: u64) -> String {
    format!("{}:{line}", path.display())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn shipped() -> &'static Path {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/surveys/reference"))
    }

    #[test]
    fn the_shipped_reference_data_is_hanoi() {
        let reference = Reference::load(shipped()).unwrap();
        assert_eq!(reference.areas.len(), 126);
        assert_eq!(reference.areas.iter().filter(|a| a.kind == "phuong").count(), 51);
        assert_eq!(reference.vsic.sectors(super::super::VsicVersion::V2018).len(), 21);
        let hoan_kiem = reference.area_by_str("00070").unwrap();
        assert_eq!(hoan_kiem.name.vi, "Phường Hoàn Kiếm");
        assert!(reference.groups.iter().all(|g| !g.areas.is_empty()));
        assert_eq!(reference.targets.len(), 1);
        assert_eq!(
            (
                reference.targets[0].indicator.as_str(),
                reference.targets[0].value,
                reference.targets[0].year
            ),
            ("innovation_active", 0.5, 2030)
        );
    }

    #[test]
    fn every_bad_row_is_reported_with_its_file_and_line() {
        let dir = tempfile::TempDir::new().unwrap();
        for name in [
            "vsic2018_sections.csv",
            "vsic2025_sections.csv",
            "vsic_2018_2025.csv",
            "size_classes.toml",
        ] {
            std::fs::copy(shipped().join(name), dir.path().join(name)).unwrap();
        }
        std::fs::write(
            dir.path().join("areas.csv"),
            "code,name_vi,name_en,type\n00070,Phường Hoàn Kiếm,Hoan Kiem Ward,phuong\n123,Xã A,A Commune,xa\n00070,Trùng,Duplicate,phuong\n00073,Xã B,B Commune,huyen\n",
        )
        .unwrap();
        let problems = Reference::load(dir.path()).unwrap_err().problems;
        let text = problems.join("\n");
        assert!(text.contains("areas.csv:3: '123' is not a ward/commune code"), "{text}");
        assert!(text.contains("areas.csv:4: area 00070 is listed twice"), "{text}");
        assert!(text.contains("areas.csv:5: type 'huyen' is not one of"), "{text}");
        assert_eq!(problems.len(), 3, "{text}");
    }
}
