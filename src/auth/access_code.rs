//! The personal access code of an invited organisation: printed on its letter and in its
//! e-mail, typed on the home page or carried by its link. 80 bits in Crockford's base32 (no I,
//! L, O or U to misread), shown in four groups (`7KQ2-M9XD-4RTW-HB3N`); read back whatever the
//! case, spaces or dashes.
//!
//! A code is derived from the secret key, the wave, the register entry and a generation
//! (HMAC-SHA256), so that a letter can be printed again, by an official in another week, with
//! the same code; issuing a new code raises the generation. Only a SHA-256 hash is stored:
//! 80 bits cannot be searched, and a copy of the database without the key opens nothing.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in a code: 16 × 5 bits.
const LENGTH: usize = 16;

/// An access code, in its plain form (upper case, no separators).
#[derive(Clone, PartialEq, Eq)]
pub struct AccessCode(String);

impl AccessCode {
    /// The code of register entry `unit` of `wave` in its `generation`, under `key`.
    pub fn derive(key: &str, wave: &str, unit: i64, generation: i64) -> AccessCode {
        // HMAC accepts keys of any length: this cannot fail.
        let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
        mac.update(b"access-code\0");
        mac.update(wave.as_bytes());
        mac.update(b"\0");
        mac.update(&unit.to_be_bytes());
        mac.update(&generation.to_be_bytes());
        let bytes = mac.finalize().into_bytes();
        AccessCode(base32_80(&bytes[..10]))
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

/// 80 bits as 16 base32 characters, most significant first.
fn base32_80(bytes: &[u8]) -> String {
    let value = bytes.iter().fold(0u128, |v, b| (v << 8) | u128::from(*b));
    (0..LENGTH).rev().map(|i| char::from(ALPHABET[((value >> (5 * i)) & 31) as usize])).collect()
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
        let code = AccessCode::derive("key", "2026", 1, 1);
        assert_eq!(code.as_str().len(), 16);
        assert_eq!(code.grouped().len(), 19);
        assert_eq!(AccessCode::parse(&code.grouped()), Some(code.clone()));
        assert_eq!(AccessCode::parse(&code.grouped().to_lowercase().replace('-', " ")), Some(code));
        let read = AccessCode::parse("7kq2-m9xd-4rtw-hbon").unwrap();
        assert_eq!(read.as_str(), "7KQ2M9XD4RTWHB0N", "O is read as zero");
        assert_eq!(AccessCode::parse("7KQ2-M9XD-4RTW"), None);
        assert_eq!(AccessCode::parse("7KQ2-M9XD-4RTW-HBU1"), None, "no U in the alphabet");
    }

    #[test]
    fn a_derived_code_is_the_same_for_the_same_unit_and_generation_only() {
        let key = "k".repeat(64);
        let code = AccessCode::derive(&key, "2026", 7, 1);
        assert_eq!(code, AccessCode::derive(&key, "2026", 7, 1));
        assert_eq!(AccessCode::parse(&code.grouped()), Some(code.clone()));
        for other in [
            AccessCode::derive(&key, "2026", 7, 2),
            AccessCode::derive(&key, "2026", 8, 1),
            AccessCode::derive(&key, "2027", 7, 1),
            AccessCode::derive(&"j".repeat(64), "2026", 7, 1),
        ] {
            assert_ne!(code, other);
        }
        // All 80 bits are used: over many codes every character appears in every position.
        let codes: Vec<AccessCode> =
            (0..2000).map(|u| AccessCode::derive(&key, "w", u, 1)).collect();
        for position in 0..LENGTH {
            let seen: std::collections::BTreeSet<u8> =
                codes.iter().map(|c| c.0.as_bytes()[position]).collect();
            assert_eq!(seen.len(), 32, "position {position}");
        }
    }
}
