//! The one kind of secret this product hands to clients: session ids, CSRF tokens and the keys
//! of resume links. 256 random bits as lower-case hex; only a SHA-256 hash is stored where a
//! token opens something, so a copy of the database opens nothing. Comparisons take the same
//! time whatever the input.

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Random bytes in a new token.
const TOKEN_BYTES: usize = 32;

/// Resume links made before tokens were unified carry 160 bits; they still open their response.
const LEGACY_BYTES: usize = 20;

/// The stored form of a token.
pub type TokenHash = [u8; 32];

/// A secret token.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

impl SecretToken {
    /// A new token from the operating system's generator.
    pub fn generate() -> Result<SecretToken, getrandom::Error> {
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes)?;
        Ok(SecretToken(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// A token of the right shape, as links carry it; anything else opens nothing.
    pub fn parse(text: &str) -> Option<SecretToken> {
        let valid = [TOKEN_BYTES * 2, LEGACY_BYTES * 2].contains(&text.len())
            && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        valid.then(|| SecretToken(text.to_string()))
    }

    /// Wraps whatever a client sent, to compare or hash it; it is never trusted as well formed.
    pub fn from_client(text: &str) -> SecretToken {
        SecretToken(text.to_string())
    }

    /// The token as links and cookies carry it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What is stored instead of the token.
    pub fn hash(&self) -> TokenHash {
        Sha256::digest(self.0.as_bytes()).into()
    }

    /// Whether `other` is this token, compared in constant time.
    pub fn matches(&self, other: &str) -> bool {
        self.0.as_bytes().ct_eq(other.as_bytes()).into()
    }

    /// Whether `stored` is this token's hash, compared in constant time.
    pub fn matches_hash(&self, stored: &[u8]) -> bool {
        self.hash().as_slice().ct_eq(stored).into()
    }
}

/// Tokens never appear in logs or debug output.
impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_well_formed_and_only_match_their_own_hash() {
        let a = SecretToken::generate().unwrap();
        let b = SecretToken::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 64);
        assert_eq!(SecretToken::parse(a.as_str()), Some(a.clone()));
        assert!(a.matches_hash(&a.hash()));
        assert!(!a.matches_hash(&b.hash()));
        assert!(!a.matches_hash(&a.hash()[..31]));
        assert!(a.matches(a.as_str()) && !a.matches(b.as_str()) && !a.matches(""));
        assert!(!format!("{a:?}").contains(a.as_str()));
    }

    #[test]
    fn links_made_with_160_bit_tokens_still_parse() {
        let legacy = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(SecretToken::parse(legacy).map(|t| t.as_str().len()), Some(40));
    }

    #[test]
    fn malformed_tokens_are_refused() {
        for bad in
            ["", "abc", &"g".repeat(40), &"A".repeat(64), &"a".repeat(41), "../../etc/passwd"]
        {
            assert_eq!(SecretToken::parse(bad), None, "{bad:?}");
        }
    }
}
