//! Random secrets for sessions and CSRF tokens.

use sha2::{Digest, Sha256};

/// 256 random bits as lower-case hex.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

impl SecretToken {
    /// A new token from the operating system's generator.
    pub fn generate() -> Result<SecretToken, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        Ok(SecretToken(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// Wraps a token received from a client.
    pub fn from_client(text: &str) -> SecretToken {
        SecretToken(text.to_string())
    }

    /// The token as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What is stored instead of the token.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }

    /// Whether `other` equals this token, compared in constant time.
    pub fn matches(&self, other: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), other.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl std::fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretToken(…)")
    }
}
