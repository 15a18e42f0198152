//! Personal API tokens as scripts send them, `dxs_` then 64 lower-case hex digits: a
//! [`SecretToken`] (256 random bits) with a prefix that says what it is (to a person reading a
//! script, and to secret scanners). Only the hash of the secret is stored. A token's name and
//! lifetime are parsed here too, so that whatever holds one holds a valid one.

use std::fmt;

use super::token::{SecretToken, TokenHash};

/// What every API token starts with.
pub const PREFIX: &str = "dxs_";

/// The longest name, in characters.
pub const MAX_NAME: usize = 100;

/// A personal API token.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(SecretToken);

impl ApiToken {
    /// A new token from the operating system's generator.
    pub fn generate() -> Result<ApiToken, getrandom::Error> {
        Ok(ApiToken(SecretToken::generate()?))
    }

    /// A token of the right shape (`dxs_` and 64 lower-case hex digits); anything else opens
    /// nothing.
    pub fn parse(text: &str) -> Option<ApiToken> {
        let secret = text.strip_prefix(PREFIX).filter(|s| s.len() == 64)?;
        SecretToken::parse(secret).map(ApiToken)
    }

    /// The token as its owner copies it: shown once, at creation.
    pub fn reveal(&self) -> String {
        format!("{PREFIX}{}", self.0.as_str())
    }

    /// What is stored instead of the token.
    pub fn hash(&self) -> TokenHash {
        self.0.hash()
    }
}

/// Tokens never appear in logs or debug output.
impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(…)")
    }
}

/// What a token's owner calls it ("nightly export"): 1 to [`MAX_NAME`] characters, trimmed, no
/// control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenName(String);

impl TokenName {
    pub fn parse(text: &str) -> Option<TokenName> {
        let name = text.trim();
        let fits = (1..=MAX_NAME).contains(&name.chars().count());
        (fits && !name.chars().any(char::is_control)).then(|| TokenName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How many days a token lives: 1 to [`Lifetime::MAX_DAYS`]. Every token expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime(u32);

impl Lifetime {
    /// Days a token lives unless asked otherwise.
    pub const DEFAULT_DAYS: u32 = 90;
    /// The longest life a token may be given.
    pub const MAX_DAYS: u32 = 365;

    pub fn days(days: u32) -> Option<Lifetime> {
        (1..=Self::MAX_DAYS).contains(&days).then_some(Lifetime(days))
    }

    /// The days typed in a form; empty means the default.
    pub fn parse(text: &str) -> Option<Lifetime> {
        match text.trim() {
            "" => Some(Lifetime(Self::DEFAULT_DAYS)),
            days => days.parse().ok().and_then(Lifetime::days),
        }
    }

    /// The lifetime in seconds.
    pub fn seconds(self) -> i64 {
        i64::from(self.0) * 86_400
    }

    pub fn in_days(self) -> u32 {
        self.0
    }
}

impl Default for Lifetime {
    fn default() -> Self {
        Lifetime(Self::DEFAULT_DAYS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_its_prefix_and_a_secret_and_only_its_hash_matches() {
        let token = ApiToken::generate().unwrap();
        let shown = token.reveal();
        assert!(shown.starts_with("dxs_") && shown.len() == 68, "{shown}");
        assert_eq!(ApiToken::parse(&shown), Some(token.clone()));
        assert_ne!(ApiToken::generate().unwrap().hash(), token.hash());
        assert!(!format!("{token:?}").contains(&shown[4..]));
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let secret = "a".repeat(64);
        for bad in [
            "",
            "dxs_",
            secret.as_str(),
            &format!("dxs_{}", "a".repeat(40)),
            &format!("dxs_{}", "A".repeat(64)),
            &format!("dxs_{secret}0"),
            &format!("DXS_{secret}"),
            &format!(" dxs_{secret}"),
        ] {
            assert_eq!(ApiToken::parse(bad), None, "{bad:?}");
        }
        assert!(ApiToken::parse(&format!("dxs_{secret}")).is_some());
    }

    #[test]
    fn names_and_lifetimes_are_bounded() {
        assert_eq!(TokenName::parse("  nightly export ").unwrap().as_str(), "nightly export");
        assert!(TokenName::parse("   ").is_none());
        assert!(TokenName::parse("a\nb").is_none());
        assert!(TokenName::parse(&"ệ".repeat(100)).is_some());
        assert!(TokenName::parse(&"ệ".repeat(101)).is_none());
        assert_eq!(Lifetime::parse("").map(Lifetime::in_days), Some(90));
        assert_eq!(Lifetime::parse("365").map(Lifetime::in_days), Some(365));
        for bad in ["0", "366", "-1", "ninety", "1.5"] {
            assert_eq!(Lifetime::parse(bad), None, "{bad}");
        }
        assert_eq!(Lifetime::days(2).unwrap().seconds(), 172_800);
    }
}
