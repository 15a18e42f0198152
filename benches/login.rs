//! The cost of checking a password: `cargo bench --bench login`.
//!
//! Verifies an argon2id hash (m=19 MiB, t=2, p=1) repeatedly on one thread. Sign-ins run at
//! most two such checks at once (one per core), so memory stays under 2 × 19 MiB whatever the
//! number of simultaneous sign-ins. Figures are recorded in BENCHMARKS.md.

// A benchmark or harness reports on standard output by design.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use dxsurvey::auth::{Password, hash_password, verify_password};

fn main() {
    let hash =
        hash_password(&Password::new("a long enough pass phrase").expect("valid")).expect("hash");
    // Interleaved, so that neither kind of check pays alone for warming the allocator.
    let runs = 30;
    let (mut known, mut unknown) = (0.0, 0.0);
    for _ in 0..runs {
        let started = Instant::now();
        assert!(verify_password("a long enough pass phrase", Some(&hash)));
        known += started.elapsed().as_secs_f64() / f64::from(runs);
        let started = Instant::now();
        assert!(!verify_password("a long enough pass phrase", None));
        unknown += started.elapsed().as_secs_f64() / f64::from(runs);
    }
    println!(
        "argon2id verify: {:.1} ms for a known account, {:.1} ms for an unknown one; at most {:.0} sign-ins/s on 2 cores",
        known * 1e3,
        unknown * 1e3,
        2.0 / known
    );
}
