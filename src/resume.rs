//! Resume links: a random token of 160 bits is the respondent's only key to their response.
//! Only its SHA-256 hash is stored, so a copy of the database opens no response.

use std::fmt;

use sha2::{Digest, Sha256};

/// Random bytes in a token (160 bits, above the 128 required).
const TOKEN_BYTES: usize = 20;

/// A resume token, as it appears in the link (lower-case hex).
#[derive(Clone, PartialEq, Eq)]
pub struct ResumeToken(String);

/// The stored form of a token.
pub type TokenHash = [u8; 32];

impl ResumeToken {
    /// A new random token from the operating system's generator.
    pub fn generate() -> Result<ResumeToken, getrandom::Error> {
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes)?;
        Ok(ResumeToken(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// Accepts a token of the right shape; anything else opens nothing.
    pub fn parse(text: &str) -> Option<ResumeToken> {
        let valid = text.len() == TOKEN_BYTES * 2
            && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        valid.then(|| ResumeToken(text.to_string()))
    }

    /// The token as it appears in links.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The hash that is stored and looked up.
    pub fn hash(&self) -> TokenHash {
        Sha256::digest(self.0.as_bytes()).into()
    }

    /// Whether `stored` is this token's hash, compared in constant time.
    pub fn matches(&self, stored: &[u8]) -> bool {
        let mine = self.hash();
        stored.len() == mine.len()
            && stored.iter().zip(mine).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

/// Tokens never appear in logs or debug output.
impl fmt::Debug for ResumeToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResumeToken(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_well_formed_and_only_match_their_own_hash() {
        let a = ResumeToken::generate().unwrap();
        let b = ResumeToken::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 40);
        assert_eq!(ResumeToken::parse(a.as_str()), Some(a.clone()));
        assert!(a.matches(&a.hash()));
        assert!(!a.matches(&b.hash()));
        assert!(!a.matches(&a.hash()[..31]));
        assert!(!format!("{a:?}").contains(a.as_str()));
    }

    #[test]
    fn malformed_tokens_are_refused() {
        for bad in
            ["", "abc", &"g".repeat(40), &"A".repeat(40), &"a".repeat(41), "../../etc/passwd"]
        {
            assert_eq!(ResumeToken::parse(bad), None, "{bad:?}");
        }
    }
}
