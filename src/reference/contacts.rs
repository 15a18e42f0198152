//! Whom the organisations of a ward contact about the survey (`contacts.csv`, optional): the
//! office that follows up fieldwork there, printed on invitation letters. A ward without a line
//! falls back to the survey office of the configuration.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use super::AreaCode;
use super::load::{known_area, located, read_rows};
use crate::kernel::Text;

/// The survey contact of a ward.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub office: Text,
    pub phone: String,
    pub email: String,
}

#[derive(Deserialize)]
struct ContactRow {
    area_code: String,
    office_vi: String,
    office_en: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
}

/// The contacts of `path`, checked: known wards, each once, an office name in both languages
/// and a telephone number or an e-mail address.
pub(super) fn read_contacts(
    path: &Path,
    known: &HashSet<AreaCode>,
    problems: &mut Vec<String>,
) -> HashMap<AreaCode, Contact> {
    let mut contacts = HashMap::new();
    for (line, row) in read_rows::<ContactRow>(path, problems) {
        let at = located(path, line);
        let Some(code) = known_area(&row.area_code, known, &at, problems) else { continue };
        if row.office_vi.trim().is_empty() || row.office_en.trim().is_empty() {
            problems
                .push(format!("{at}: the office of {code} needs a Vietnamese and an English name"));
        }
        let (phone, email) = (row.phone.trim().to_string(), row.email.trim().to_string());
        if phone.is_empty() && email.is_empty() {
            problems.push(format!("{at}: give {code} a telephone number or an e-mail address"));
        }
        if !email.is_empty() && !validator::ValidateEmail::validate_email(&email) {
            problems.push(format!("{at}: '{email}' is not an e-mail address"));
        }
        let contact =
            Contact { office: Text::new(row.office_vi.trim(), row.office_en.trim()), phone, email };
        match contacts.entry(code) {
            std::collections::hash_map::Entry::Occupied(first) => {
                problems.push(format!("{at}: area {} is listed twice", first.key()));
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(contact);
            }
        }
    }
    contacts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_contact_line_is_reported_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("contacts.csv");
        std::fs::write(
            &path,
            "area_code,office_vi,office_en,phone,email\n\
             00070,UBND phường Hoàn Kiếm,Hoan Kiem Ward,024 3825 0000,\n\
             99999,UBND,Office,024,\n\
             00082,,Office,024,\n\
             00004,UBND,Office,,\n\
             00008,UBND,Office,,not-an-address\n\
             00070,UBND,Office,024,\n",
        )
        .unwrap();
        let known: HashSet<AreaCode> = ["00070", "00082", "00004", "00008"]
            .iter()
            .map(|c| AreaCode::parse(c).unwrap())
            .collect();
        let mut problems = Vec::new();
        let contacts = read_contacts(&path, &known, &mut problems);
        let all = problems.join("\n");
        for expected in [
            "contacts.csv:3: area 99999 is not in areas.csv",
            "contacts.csv:4: the office of 00082 needs a Vietnamese and an English name",
            "contacts.csv:5: give 00004 a telephone number or an e-mail address",
            "contacts.csv:6: 'not-an-address' is not an e-mail address",
            "contacts.csv:7: area 00070 is listed twice",
        ] {
            assert!(all.contains(expected), "{expected}\n{all}");
        }
        assert_eq!(problems.len(), 5, "{all}");
        let hoan_kiem = &contacts[&AreaCode::parse("00070").unwrap()];
        assert_eq!(hoan_kiem.office.vi, "UBND phường Hoàn Kiếm", "the first line stands");
    }
}
