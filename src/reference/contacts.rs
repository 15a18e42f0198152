//! Whom the organisations of a ward contact about the survey (`contacts.csv`, optional): the
//! office that follows up fieldwork there, printed on invitation letters. A ward without a line
//! falls back to the survey office of the configuration.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use super::AreaCode;
use super::load::{located, read_rows};
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
        let code = match AreaCode::parse(&row.area_code) {
            Ok(code) if known.contains(&code) => code,
            Ok(code) => {
                problems.push(format!("{at}: area {code} is not in areas.csv"));
                continue;
            }
            Err(e) => {
                problems.push(format!("{at}: {e}"));
                continue;
            }
        };
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
        if contacts.insert(code.clone(), contact).is_some() {
            problems.push(format!("{at}: area {code} is listed twice"));
        }
    }
    contacts
}
