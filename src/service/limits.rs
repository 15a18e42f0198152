//! How often one client may do what costs the service or could be abused: start a
//! self-declared response, try a password, call the API. One client is one IPv4 address or one
//! IPv6 /64 ([`AddressKey`]), as the trusted address rule gives it. Kept in memory: a restart
//! forgets them, which costs an attacker nothing they could not get by waiting.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::AppConfig;
use crate::kernel::net::AddressKey;

/// At most `n` actions per client and period: a burst of `n`, then one every period / `n`.
pub struct AddressLimit {
    limiter: DefaultKeyedRateLimiter<AddressKey>,
}

impl AddressLimit {
    pub fn per_hour(n: u32) -> AddressLimit {
        AddressLimit { limiter: RateLimiter::keyed(Quota::per_hour(at_least_one(n))) }
    }

    pub fn per_minute(n: u32) -> AddressLimit {
        AddressLimit { limiter: RateLimiter::keyed(Quota::per_minute(at_least_one(n))) }
    }

    /// Counts an action of `address`; `Err(seconds)` to wait when it is one too many.
    pub fn check(&self, address: IpAddr) -> Result<(), u64> {
        if self.limiter.len() > 100_000 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&AddressKey::of(address)).map_err(|not_until| {
            let clock = governor::clock::DefaultClock::default();
            not_until.wait_time_from(governor::clock::Clock::now(&clock)).as_secs().max(1)
        })
    }
}

fn at_least_one(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

/// The limits of the installation, from its settings.
pub struct Limits {
    /// Self-declared starts in an open wave (a ward office helping its enterprises shares one
    /// address: not too few).
    pub starts: AddressLimit,
    /// Sign-in attempts, counted before any password is checked or anything is written.
    pub sign_ins: AddressLimit,
    /// API requests.
    pub api_calls: AddressLimit,
}

impl Limits {
    pub fn of(config: &AppConfig) -> Limits {
        Limits {
            starts: AddressLimit::per_hour(config.starts_per_hour),
            sign_ins: AddressLimit::per_minute(config.sign_ins_per_minute),
            api_calls: AddressLimit::per_minute(config.api_calls_per_minute),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_burst_then_waits_and_others_are_not_held_up() {
        let limit = AddressLimit::per_minute(3);
        let me: IpAddr = "2001:db8::1".parse().unwrap();
        let my_other: IpAddr = "2001:db8::ffff".parse().unwrap();
        assert!((0..3).all(|_| limit.check(me).is_ok()));
        let wait = limit.check(my_other).unwrap_err();
        assert!((1..=20).contains(&wait), "one action every 20 s: {wait}");
        assert!(limit.check("192.0.2.7".parse().unwrap()).is_ok());
    }
}
