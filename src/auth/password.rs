//! Passwords: at least 12 characters, not a common one, stored as argon2id (OWASP's parameters,
//! m=19 MiB, t=2, p=1: the crate's defaults).

use std::collections::HashSet;
use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 12;

/// Why a password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a password needs at least {MIN_LENGTH} characters")]
    TooShort,
    #[error("this password is among the most common ones; choose another")]
    Common,
    #[error("a password may have at most 1,000 characters")]
    TooLong,
}

/// A password good enough to be set.
pub struct Password(String);

fn common() -> &'static HashSet<&'static str> {
    static COMMON: OnceLock<HashSet<&'static str>> = OnceLock::new();
    COMMON.get_or_init(|| include_str!("common-passwords.txt").lines().collect())
}

impl Password {
    /// Checks a new password.
    pub fn new(plain: &str) -> Result<Password, PasswordError> {
        let length = plain.chars().count();
        if length < MIN_LENGTH {
            Err(PasswordError::TooShort)
        } else if length > 1_000 {
            Err(PasswordError::TooLong)
        } else if common().contains(plain.to_lowercase().as_str()) {
            Err(PasswordError::Common)
        } else {
            Ok(Password(plain.to_string()))
        }
    }
}

/// The argon2id PHC string of a password (slow on purpose: run it off the async threads).
pub fn hash_password(password: &Password) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.0.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `plain` matches `hash`. With no hash (an unknown account), a hash is still verified,
/// so that the answer takes as long as for a known account.
pub fn verify_password(plain: &str, hash: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| {
        Argon2::default()
            .hash_password(b"no account has this password")
            .map(|h| h.to_string())
            .unwrap_or_default()
    });
    let Ok(parsed) = PasswordHash::new(hash.unwrap_or(dummy)) else { return false };
    Argon2::default().verify_password(plain.as_bytes(), &parsed).is_ok() && hash.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_common_passwords_are_refused() {
        assert_eq!(Password::new("short").err(), Some(PasswordError::TooShort));
        assert_eq!(Password::new("Password1234").err(), Some(PasswordError::Common));
        assert_eq!(Password::new("MatKhau123456").err(), Some(PasswordError::Common));
        assert!(Password::new("hồ-gươm-mùa-thu-2026").is_ok());
    }

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let hash = hash_password(&Password::new("correct horse battery").unwrap()).unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("correct horse battery!", Some(&hash)));
        assert!(
            !verify_password("no account has this password", None),
            "an unknown account never matches"
        );
        assert!(!verify_password("x", Some("not a hash")));
    }

    #[test]
    fn the_bundled_list_only_holds_what_could_pass_the_length_rule() {
        assert!(common().len() > 150);
        assert!(common().iter().all(|p| p.chars().count() >= MIN_LENGTH && *p == p.to_lowercase()));
    }
}
