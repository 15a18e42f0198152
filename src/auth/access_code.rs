//! The personal access code of an invited organisation: printed on its letter and in its
//! e-mail, typed on the home page or carried by its link. 80 random bits in Crockford's base32
//! (no I, L, O or U to misread), shown in four groups (`7KQ2-M9XD-4RTW-HB3N`); read back
//! whatever the case, spaces or dashes. Only a SHA-256 hash is stored: 80 bits cannot be
//! searched, and a copy of the database opens nothing.

use sha2::{Digest, Sha256};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in a code: 16 × 5 bits.
const LENGTH: usize = 16;

/// An access code, in its plain form (upper case, no separators).
#[derive(Clone, PartialEq, Eq)]
pub struct AccessCode(String);

impl AccessCode {
    /// A new code from the operating system's generator.
    pub fn generate() -> Result<AccessCode, getrandom::Error> {
        let mut bytes = [0u8; LENGTH];
        getrandom::fill(&mut bytes)?;
        Ok(AccessCode(bytes.iter().map(|b| char::from(ALPHABET[usize::from(b & 31)])).collect()))
    }

    /// A code as a person typed it: case, spaces and dashes do not matter, and the letters
    /// people confuse with digits (O, I, L) are read as the digits. `None` if it cannot be one.
    pub fn parse(typed: &str) -> Option<AccessCode> {
        let plain: String = typed
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .map(|c| match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            })
            .collect();
        let valid = plain.len() == LENGTH && plain.bytes().all(|b| ALPHABET.contains(&b));
        valid.then_some(AccessCode(plain))
    }

    /// The code as letters print it, in four groups.
    pub fn grouped(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
    }

    /// The code as links carry it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What is stored instead of the code.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }
}

impl std::fmt::Debug for AccessCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessCode(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_back_however_they_are_typed() {
        let code = AccessCode::generate().unwrap();
        assert_eq!(code.as_str().len(), 16);
        assert_eq!(code.grouped().len(), 19);
        assert_eq!(AccessCode::parse(&code.grouped()), Some(code.clone()));
        assert_eq!(AccessCode::parse(&code.grouped().to_lowercase().replace('-', " ")), Some(code));
        let read = AccessCode::parse("7kq2-m9xd-4rtw-hbon").unwrap();
        assert_eq!(read.as_str(), "7KQ2M9XD4RTWHB0N", "O is read as zero");
        assert_eq!(AccessCode::parse("7KQ2-M9XD-4RTW"), None);
        assert_eq!(AccessCode::parse("7KQ2-M9XD-4RTW-HBU1"), None, "no U in the alphabet");
        assert_ne!(AccessCode::generate().unwrap(), AccessCode::generate().unwrap());
    }
}
