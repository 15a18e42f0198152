//! The growing delay after failed logins, per account and per address.

/// Failures allowed before any delay.
pub const MAX_FREE_FAILURES: i64 = 5;
/// The longest delay, in seconds.
const MAX_DELAY: i64 = 15 * 60;

/// Seconds to wait before another attempt, given `failures` so far, the last at
/// `last_failure`, now being `now` (Unix seconds); 0 when an attempt may be made.
pub fn retry_after(failures: i64, last_failure: i64, now: i64) -> i64 {
    if failures < MAX_FREE_FAILURES {
        return 0;
    }
    // 1 s after the 5th failure, then doubling: 2, 4, 8 ... up to 15 minutes. Times are whole
    // seconds and the failure happened somewhere within its second: only from the second
    // after `last_failure + delay` has the whole delay surely passed (a delay counted to
    // `last_failure + delay` could be almost nothing).
    let exponent = u32::try_from((failures - MAX_FREE_FAILURES).min(20)).unwrap_or(20);
    let delay = 2_i64.pow(exponent).min(MAX_DELAY);
    (last_failure + delay + 1 - now).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_starts_after_five_failures_and_doubles_up_to_fifteen_minutes() {
        assert_eq!(retry_after(4, 100, 100), 0);
        assert_eq!(retry_after(5, 100, 100), 2);
        assert_eq!(retry_after(5, 100, 101), 1, "still refused the next second");
        assert_eq!(retry_after(5, 100, 102), 0);
        assert_eq!(retry_after(6, 100, 100), 3);
        assert_eq!(retry_after(9, 100, 100), 17);
        assert_eq!(retry_after(9, 100, 110), 7);
        assert_eq!(retry_after(9, 100, 200), 0);
        assert_eq!(retry_after(50, 100, 100), 901);
    }
}
