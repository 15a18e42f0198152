//! Staff accounts: passwords, roles and what each role may see, session and API tokens, and the
//! growing delay after failed logins. No I/O here: storage is in `store`, pages in `web`.

mod access_code;
mod api_token;
mod password;
mod role;
mod throttle;
mod token;

pub use access_code::AccessCode;
pub use api_token::{ApiToken, Lifetime, TokenName};
pub use password::{Password, PasswordError, hash_password, verify_password};
pub use role::{Access, StaffRole};
pub use throttle::{MAX_FREE_FAILURES, retry_after};
pub use token::{SecretToken, TokenHash};

/// Seconds a session may stay unused before it ends.
pub const IDLE_TIMEOUT: i64 = 30 * 60;
/// Seconds a session lasts at most, however active.
pub const ABSOLUTE_LIFETIME: i64 = 12 * 60 * 60;
