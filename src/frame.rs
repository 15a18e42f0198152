//! The business-register frame: how many enterprises each stratum (ward/commune × VSIC
//! section × size class) has. Read from a CSV with the header
//! `area_code,vsic_section,size_class,enterprises`, strictly: every problem is reported with its
//! line, and nothing is imported unless the whole file is valid.

use std::collections::HashMap;
use std::io::Read;

use crate::reference::{AreaCode, Reference, SizeClass, VsicSection, VsicVersion};

/// The expected header.
pub const HEADER: [&str; 4] = ["area_code", "vsic_section", "size_class", "enterprises"];

/// One stratum of the frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameRow {
    pub area: AreaCode,
    pub section: VsicSection,
    pub size: SizeClass,
    pub enterprises: u64,
}

/// Reads a frame whose sections are in VSIC version `vsic` (the wave's), or lists every problem
/// as `line N: …`.
pub fn read_frame(
    input: impl Read,
    reference: &Reference,
    vsic: VsicVersion,
) -> Result<Vec<FrameRow>, Vec<String>> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(true).trim(csv::Trim::All).from_reader(input);
    let mut problems = Vec::new();
    match reader.headers() {
        Ok(header) if header.iter().eq(HEADER.iter().copied()) => {}
        Ok(header) => {
            let got: Vec<&str> = header.iter().collect();
            return Err(vec![format!(
                "line 1: the header must be `{}`, not `{}`",
                HEADER.join(","),
                got.join(",")
            )]);
        }
        Err(e) => return Err(vec![format!("line 1: {e}")]),
    }
    let mut rows = Vec::new();
    let mut seen: HashMap<(AreaCode, VsicSection, SizeClass), u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let before = problems.len();
        let field = |i: usize| record.get(i).unwrap_or("");
        let area = match AreaCode::parse(field(0)) {
            Ok(code) if reference.area(&code).is_some() => Some(code),
            _ => {
                problems.push(format!(
                    "line {line}: area_code '{}' is not a ward/commune of the reference list",
                    field(0)
                ));
                None
            }
        };
        let section =
            VsicSection::parse(field(1)).ok().filter(|s| reference.sector(vsic, *s).is_some());
        if section.is_none() {
            problems.push(format!(
                "line {line}: vsic_section '{}' is not a section of {}, the wave's classification",
                field(1),
                vsic.name()
            ));
        }
        let size = SizeClass::parse(field(2));
        if size.is_none() {
            problems.push(format!(
                "line {line}: size_class '{}' must be micro, small, medium or large",
                field(2)
            ));
        }
        let enterprises = field(3).parse::<u64>().ok();
        if enterprises.is_none() {
            problems.push(format!(
                "line {line}: enterprises '{}' must be a whole number of 0 or more",
                field(3)
            ));
        }
        if problems.len() > before {
            continue;
        }
        if let (Some(area), Some(section), Some(size), Some(enterprises)) =
            (area, section, size, enterprises)
        {
            if let Some(first) = seen.insert((area.clone(), section, size), line) {
                problems.push(format!(
                    "line {line}: stratum {area} {section} {} is already given on line {first}",
                    size.as_str()
                ));
                continue;
            }
            rows.push(FrameRow { area, section, size, enterprises });
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push("the file lists no stratum".into());
    }
    if problems.is_empty() { Ok(rows) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn reference() -> Reference {
        Reference::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys/reference")).unwrap()
    }

    #[test]
    fn a_valid_frame_is_read() {
        let text = "area_code,vsic_section,size_class,enterprises\n00070,G,micro,1520\n00070, C ,small,12\n";
        let rows = read_frame(text.as_bytes(), &reference(), VsicVersion::V2018).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].enterprises, 12);
    }

    #[test]
    fn every_bad_line_is_reported_and_nothing_is_returned() {
        let text = "area_code,vsic_section,size_class,enterprises\n\
                    00070,G,micro,10\n\
                    99999,G,micro,10\n\
                    00070,Z,micro,10\n\
                    00070,G,tiny,10\n\
                    00070,C,micro,-3\n\
                    00070,C,micro,2.5\n\
                    00070,G,micro,11\n";
        let problems = read_frame(text.as_bytes(), &reference(), VsicVersion::V2018).unwrap_err();
        let all = problems.join("\n");
        assert!(all.contains("line 3: area_code '99999'"), "{all}");
        assert!(all.contains("line 4: vsic_section"), "{all}");
        assert!(all.contains("line 5: size_class 'tiny'"), "{all}");
        assert!(all.contains("line 6: enterprises '-3'"), "{all}");
        assert!(all.contains("line 7: enterprises '2.5'"), "{all}");
        assert!(all.contains("line 8: stratum 00070 G micro is already given on line 2"), "{all}");
        assert_eq!(problems.len(), 6);
    }

    #[test]
    fn a_wrong_header_is_refused() {
        let problems = read_frame(
            "area,section,size,count\n00070,G,micro,1\n".as_bytes(),
            &reference(),
            VsicVersion::V2018,
        )
        .unwrap_err();
        assert!(problems[0].starts_with("line 1: the header must be"));
    }
}
