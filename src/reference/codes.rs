//! Codes that are valid once constructed: parse at the boundary, trust afterwards.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a code was refused, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CodeError(pub String);

/// Official code of a ward or commune (General Statistics Office, 5 digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AreaCode(String);

impl AreaCode {
    /// Parses a 5-digit code.
    pub fn parse(code: &str) -> Result<AreaCode, CodeError> {
        let code = code.trim();
        if code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()) {
            Ok(AreaCode(code.to_string()))
        } else {
            Err(CodeError(format!("'{code}' is not a ward/commune code (5 digits, e.g. 00070)")))
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Looked up by its text in maps keyed by codes: equal codes have equal texts and hashes.
impl std::borrow::Borrow<str> for AreaCode {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AreaCode {
    type Error = CodeError;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        AreaCode::parse(&code)
    }
}

impl From<AreaCode> for String {
    fn from(code: AreaCode) -> String {
        code.0
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A VSIC section letter, A to V: VSIC 2018 has A to U, VSIC 2025 A to V (which letters a
/// version has, and what they mean, is its reference list: [`super::Vsic`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VsicSection(u8);

impl VsicSection {
    /// Every letter a version may use, in order.
    pub fn all() -> impl Iterator<Item = VsicSection> {
        (b'A'..=b'V').map(VsicSection)
    }

    /// The letter's place in the alphabet: A is 0.
    pub fn index(self) -> u8 {
        self.0 - b'A'
    }

    /// Parses a section letter, upper or lower case.
    pub fn parse(code: &str) -> Result<VsicSection, CodeError> {
        match code.trim().as_bytes() {
            [c] if c.to_ascii_uppercase().is_ascii_uppercase()
                && c.to_ascii_uppercase() <= b'V' =>
            {
                Ok(VsicSection(c.to_ascii_uppercase()))
            }
            _ => Err(CodeError(format!("'{code}' is not a VSIC section (a letter A to V)"))),
        }
    }

    /// The section letter.
    pub fn letter(self) -> char {
        char::from(self.0)
    }
}

impl TryFrom<String> for VsicSection {
    type Error = CodeError;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        VsicSection::parse(&code)
    }
}

impl From<VsicSection> for String {
    fn from(section: VsicSection) -> String {
        section.letter().to_string()
    }
}

impl fmt::Display for VsicSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.letter())
    }
}

/// An enterprise tax code (mã số thuế): 10 digits, or 10 digits, '-' and 3 digits for a
/// dependent branch. No check digit is enforced: the rule in circulation is unverified.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TaxCode(String);

impl TaxCode {
    /// Parses a tax code, ignoring surrounding spaces.
    pub fn parse(code: &str) -> Result<TaxCode, CodeError> {
        let code = code.trim();
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        let valid = match code.split_once('-') {
            None => digits(code, 10),
            Some((main, branch)) => digits(main, 10) && digits(branch, 3),
        };
        if valid {
            Ok(TaxCode(code.to_string()))
        } else {
            Err(CodeError(format!(
                "'{code}' is not a tax code (10 digits, or 10 digits-3 digits for a branch)"
            )))
        }
    }

    /// Whether it is a dependent branch's code (10 digits-3 digits), not an enterprise's.
    pub fn is_branch(&self) -> bool {
        self.0.contains('-')
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TaxCode {
    type Error = CodeError;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        TaxCode::parse(&code)
    }
}

impl From<TaxCode> for String {
    fn from(code: TaxCode) -> String {
        code.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_codes_of_enterprises_and_branches_are_accepted() {
        assert_eq!(TaxCode::parse(" 0101234567 ").unwrap().as_str(), "0101234567");
        assert!(TaxCode::parse("0101234567-001").is_ok());
    }

    #[test]
    fn malformed_tax_codes_are_refused() {
        for bad in ["", "010123456", "01012345678", "0101234567-01", "010123456a", "0101234567-"] {
            assert!(TaxCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn vsic_section_letters_run_from_a_to_v() {
        assert_eq!(VsicSection::all().count(), 22, "VSIC 2025 has 22 sections, VSIC 2018 21");
        assert_eq!(VsicSection::parse("c").unwrap().letter(), 'C');
        assert_eq!(VsicSection::parse("V").unwrap().index(), 21);
        assert!(VsicSection::parse("W").is_err());
        assert!(VsicSection::parse("AB").is_err());
        assert!(VsicSection::parse("").is_err());
    }

    #[test]
    fn area_codes_have_five_digits() {
        assert!(AreaCode::parse("00070").is_ok());
        assert!(AreaCode::parse("0070").is_err());
        assert!(AreaCode::parse("0007a").is_err());
    }
}
