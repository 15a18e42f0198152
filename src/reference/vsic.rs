//! The Vietnam Standard Industrial Classification in its two versions, VSIC 2018 (Decision
//! 27/2018/QĐ-TTg, 21 sections A–U) and VSIC 2025 (Decision 36/2025/QĐ-TTg, in force since
//! 15 November 2025, 22 sections A–V), and the correspondence between their sections. A
//! questionnaire names the version it asks; a register in either version is converted to it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Sector;
use super::codes::VsicSection;
use super::load::{located, read_rows, text};

/// A version of VSIC.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
pub enum VsicVersion {
    /// Decision 27/2018/QĐ-TTg; what questionnaires that name none ask.
    #[default]
    #[serde(rename = "2018")]
    V2018,
    /// Decision 36/2025/QĐ-TTg, in force since 15 November 2025.
    #[serde(rename = "2025")]
    V2025,
}

impl VsicVersion {
    pub const ALL: [VsicVersion; 2] = [VsicVersion::V2018, VsicVersion::V2025];

    /// `2018` or `2025`.
    pub fn as_str(self) -> &'static str {
        match self {
            VsicVersion::V2018 => "2018",
            VsicVersion::V2025 => "2025",
        }
    }

    /// `VSIC 2018` or `VSIC 2025`.
    pub fn name(self) -> String {
        format!("VSIC {}", self.as_str())
    }

    pub fn parse(text: &str) -> Option<VsicVersion> {
        VsicVersion::ALL.into_iter().find(|v| v.as_str() == text.trim())
    }

    /// The decision that issued it.
    pub fn decision(self) -> &'static str {
        match self {
            VsicVersion::V2018 => "27/2018/QĐ-TTg",
            VsicVersion::V2025 => "36/2025/QĐ-TTg",
        }
    }

    fn sections(self) -> usize {
        match self {
            VsicVersion::V2018 => 21,
            VsicVersion::V2025 => 22,
        }
    }
}

/// One line of the correspondence: a VSIC 2018 section (or the listed divisions of it) that
/// VSIC 2025 classes in `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correspondence {
    pub from: VsicSection,
    pub to: VsicSection,
    /// The two-digit divisions of `from` that go to `to`; empty when the whole section does.
    pub divisions: Vec<String>,
}

/// Both versions' sections and their correspondence.
#[derive(Debug, Clone, Default)]
pub struct Vsic {
    v2018: Vec<Sector>,
    v2025: Vec<Sector>,
    correspondence: Vec<Correspondence>,
}

/// Why a section cannot be converted on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConversionError {
    /// The section is not one of its version's.
    Unknown,
    /// A VSIC 2018 section split between several VSIC 2025 sections: its division decides.
    Split { into: Vec<VsicSection>, divisions: Vec<String> },
    /// The division given is not one the correspondence lists for the section.
    UnknownDivision,
}

impl Vsic {
    /// The sections of a version, in order.
    pub fn sectors(&self, version: VsicVersion) -> &[Sector] {
        match version {
            VsicVersion::V2018 => &self.v2018,
            VsicVersion::V2025 => &self.v2025,
        }
    }

    /// A section of a version with its name.
    pub fn sector(&self, version: VsicVersion, section: VsicSection) -> Option<&Sector> {
        self.sectors(version).iter().find(|s| s.section == section)
    }

    /// `section` of version `from` in version `to`; `division` (two digits of the 2018 code)
    /// decides where a split section goes. From 2025 to 2018 every section has one
    /// correspondent (both J and K come from J).
    pub fn convert(
        &self,
        section: VsicSection,
        from: VsicVersion,
        to: VsicVersion,
        division: Option<&str>,
    ) -> Result<VsicSection, ConversionError> {
        self.sector(from, section).ok_or(ConversionError::Unknown)?;
        match (from, to) {
            (a, b) if a == b => Ok(section),
            (VsicVersion::V2025, _) => self
                .correspondence
                .iter()
                .find(|c| c.to == section)
                .map(|c| c.from)
                .ok_or(ConversionError::Unknown),
            (VsicVersion::V2018, _) => {
                let lines: Vec<&Correspondence> =
                    self.correspondence.iter().filter(|c| c.from == section).collect();
                match (lines.as_slice(), division) {
                    ([one], _) => Ok(one.to),
                    (_, Some(d)) => lines
                        .iter()
                        .find(|c| c.divisions.iter().any(|x| x == d.trim()))
                        .map(|c| c.to)
                        .ok_or(ConversionError::UnknownDivision),
                    (_, None) => Err(ConversionError::Split {
                        into: lines.iter().map(|c| c.to).collect(),
                        divisions: lines.iter().flat_map(|c| c.divisions.clone()).collect(),
                    }),
                }
            }
        }
    }

    /// The correspondence lines, for documentation and codebooks.
    pub fn correspondence(&self) -> &[Correspondence] {
        &self.correspondence
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SectorRow {
    code: String,
    name_vi: String,
    name_en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CorrespondenceRow {
    vsic2018: String,
    vsic2025: String,
    vsic2018_divisions: String,
}

/// Reads `vsic2018_sections.csv`, `vsic2025_sections.csv` and `vsic_2018_2025.csv` from `dir`.
pub(super) fn read_vsic(dir: &Path, problems: &mut Vec<String>) -> Vsic {
    let v2018 = read_sectors(&dir.join("vsic2018_sections.csv"), VsicVersion::V2018, problems);
    let v2025 = read_sectors(&dir.join("vsic2025_sections.csv"), VsicVersion::V2025, problems);
    let path = dir.join("vsic_2018_2025.csv");
    let mut vsic = Vsic { v2018, v2025, correspondence: Vec::new() };
    for (line, row) in read_rows::<CorrespondenceRow>(&path, problems) {
        let at = located(&path, line);
        let section = |code: &str, version: VsicVersion, problems: &mut Vec<String>| {
            let found =
                VsicSection::parse(code).ok().filter(|s| vsic.sector(version, *s).is_some());
            if found.is_none() {
                problems.push(format!("{at}: '{code}' is no section of {}", version.name()));
            }
            found
        };
        let from = section(&row.vsic2018, VsicVersion::V2018, problems);
        let to = section(&row.vsic2025, VsicVersion::V2025, problems);
        let divisions: Vec<String> =
            row.vsic2018_divisions.split_whitespace().map(str::to_string).collect();
        if let Some(bad) =
            divisions.iter().find(|d| d.len() != 2 || !d.bytes().all(|b| b.is_ascii_digit()))
        {
            problems.push(format!("{at}: division '{bad}' is not two digits"));
        }
        if let (Some(from), Some(to)) = (from, to) {
            vsic.correspondence.push(Correspondence { from, to, divisions });
        }
    }
    if problems.is_empty() {
        check_correspondence(&vsic, &path, problems);
    }
    vsic
}

/// Every section of each version is in the correspondence; a 2025 section comes from one 2018
/// section; a 2018 section split between several names its divisions on each line, once.
fn check_correspondence(vsic: &Vsic, path: &Path, problems: &mut Vec<String>) {
    let name = path.display();
    let lines = &vsic.correspondence;
    for s in &vsic.v2018 {
        let of: Vec<&Correspondence> = lines.iter().filter(|c| c.from == s.section).collect();
        if of.is_empty() {
            problems.push(format!("{name}: VSIC 2018 section {} has no correspondent", s.section));
        }
        let divisions: Vec<&String> = of.iter().flat_map(|c| &c.divisions).collect();
        let unique: std::collections::HashSet<&&String> = divisions.iter().collect();
        if of.len() > 1
            && (of.iter().any(|c| c.divisions.is_empty()) || unique.len() != divisions.len())
        {
            problems.push(format!(
                "{name}: VSIC 2018 section {} is split; each of its lines must list its own divisions",
                s.section
            ));
        }
    }
    for s in &vsic.v2025 {
        let sources: Vec<VsicSection> =
            lines.iter().filter(|c| c.to == s.section).map(|c| c.from).collect();
        if sources.len() != 1 {
            problems.push(format!(
                "{name}: VSIC 2025 section {} must come from exactly one VSIC 2018 section, not {}",
                s.section,
                sources.len()
            ));
        }
    }
}

fn read_sectors(path: &Path, version: VsicVersion, problems: &mut Vec<String>) -> Vec<Sector> {
    let mut sectors: Vec<Sector> = Vec::new();
    for (line, row) in read_rows::<SectorRow>(path, problems) {
        let at = located(path, line);
        match VsicSection::parse(&row.code) {
            Ok(section) if sectors.iter().any(|s| s.section == section) => {
                problems.push(format!("{at}: section {section} is listed twice"));
            }
            Ok(section) => sectors.push(Sector { section, name: text(row.name_vi, row.name_en) }),
            Err(e) => problems.push(format!("{at}: {e}")),
        }
    }
    let expected = version.sections();
    let in_order = sectors.iter().enumerate().all(|(i, s)| usize::from(s.section.index()) == i);
    if problems.is_empty() && (sectors.len() != expected || !in_order) {
        problems.push(format!(
            "{}: lists {} sections; {} has {expected}, A to {}, in order",
            path.display(),
            sectors.len(),
            version.name(),
            char::from(b'A' + u8::try_from(expected - 1).unwrap_or(0))
        ));
    }
    sectors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference() -> Vsic {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys/reference");
        let mut problems = Vec::new();
        let vsic = read_vsic(&dir, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        vsic
    }

    fn s(letter: &str) -> VsicSection {
        VsicSection::parse(letter).unwrap()
    }

    #[test]
    fn both_versions_load_with_their_sections() {
        let vsic = reference();
        assert_eq!(vsic.sectors(VsicVersion::V2018).len(), 21);
        assert_eq!(vsic.sectors(VsicVersion::V2025).len(), 22);
        assert_eq!(vsic.sector(VsicVersion::V2018, s("V")).map(|x| x.section), None);
        assert!(
            vsic.sector(VsicVersion::V2025, s("K"))
                .unwrap()
                .name
                .en
                .starts_with("Telecommunication")
        );
    }

    #[test]
    fn sections_convert_both_ways_and_a_split_section_asks_for_its_division() {
        let vsic = reference();
        let (old, new) = (VsicVersion::V2018, VsicVersion::V2025);
        assert_eq!(vsic.convert(s("K"), old, new, None), Ok(s("L")), "finance moved one letter");
        assert_eq!(vsic.convert(s("U"), old, new, None), Ok(s("V")));
        assert_eq!(vsic.convert(s("J"), old, new, Some("62")), Ok(s("K")), "programming");
        assert_eq!(vsic.convert(s("J"), old, new, Some("58")), Ok(s("J")), "publishing");
        assert_eq!(
            vsic.convert(s("J"), old, new, Some("45")),
            Err(ConversionError::UnknownDivision)
        );
        let split = vsic.convert(s("J"), old, new, None).unwrap_err();
        assert_eq!(
            split,
            ConversionError::Split {
                into: vec![s("J"), s("K")],
                divisions: ["58", "59", "60", "61", "62", "63"].map(String::from).to_vec()
            }
        );
        assert_eq!(vsic.convert(s("K"), new, old, None), Ok(s("J")));
        assert_eq!(vsic.convert(s("V"), new, old, None), Ok(s("U")));
        assert_eq!(vsic.convert(s("V"), old, new, None), Err(ConversionError::Unknown));
        for sector in vsic.sectors(new) {
            let back = vsic.convert(sector.section, new, old, None).unwrap();
            let division = vsic
                .correspondence()
                .iter()
                .find(|c| c.to == sector.section)
                .and_then(|c| c.divisions.first().cloned());
            assert_eq!(vsic.convert(back, old, new, division.as_deref()), Ok(sector.section));
        }
    }

    #[test]
    fn a_correspondence_that_leaves_a_section_out_is_refused() {
        let dir = tempfile::TempDir::new().unwrap();
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys/reference");
        for name in ["vsic2018_sections.csv", "vsic2025_sections.csv"] {
            std::fs::copy(source.join(name), dir.path().join(name)).unwrap();
        }
        let full = std::fs::read_to_string(source.join("vsic_2018_2025.csv")).unwrap();
        let without_k =
            full.lines().filter(|l| !l.starts_with("J,K")).collect::<Vec<_>>().join("\n");
        std::fs::write(dir.path().join("vsic_2018_2025.csv"), without_k).unwrap();
        let mut problems = Vec::new();
        read_vsic(dir.path(), &mut problems);
        assert!(
            problems.iter().any(|p| p.contains(
                "VSIC 2025 section K must come from exactly one VSIC 2018 section, not 0"
            )),
            "{problems:?}"
        );
    }
}
