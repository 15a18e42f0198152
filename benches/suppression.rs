//! The cost of disclosure control: `cargo bench --bench suppression [RESPONSES]`.
//!
//! Fills a fresh database with demo responses and a frame (default 1,000,000), reads the wave
//! once, then computes every figure of every breakdown three times each way, in the same run:
//! with suppression by respondents only (the rule before issue 12) and with the whole policy
//! (shares and means too, levels as one table, secondary suppression per variable). The ratio
//! is what the goal of BENCHMARKS.md is about: at most a quarter more.

// A benchmark reports on standard output by design.
#![allow(clippy::print_stdout)]

use std::path::Path;
use std::time::Instant;

use dxsurvey::app::App;
use dxsurvey::config::AppConfig;
use dxsurvey::demo::{DemoOptions, generate};
use dxsurvey::figures::{figures_of, sample};
use dxsurvey::policy::DisclosurePolicy;

fn main() {
    let responses: usize =
        std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("a temporary folder");
    let config = AppConfig::of_checkout(root, dir.path().join("bench.db"));
    let app = App::start(&config).expect("the app starts");
    let wave = dxsurvey::kernel::format::today().year().to_string();
    let started = Instant::now();
    generate(
        &app,
        &DemoOptions {
            responses,
            seed: 1,
            wave: wave.clone(),
            with_frame: true,
            order_effect: 0.0,
            sample: None,
        },
    )
    .expect("demo data");
    println!("demo: {responses} responses in {:.1} s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    let read = sample(&app, &wave, "enterprise-dx").expect("the wave's sample");
    println!("reading the wave once: {:.2} s", started.elapsed().as_secs_f64());
    let counts_only = App { policy: DisclosurePolicy::new(5).with_counts_only(), ..app.clone() };
    let mut best = [f64::MAX; 2];
    let mut figures = 0;
    for _ in 0..3 {
        for (i, app) in [&counts_only, &app].into_iter().enumerate() {
            let started = Instant::now();
            figures = figures_of(app, &wave, &read).figures.len();
            best[i] = best[i].min(started.elapsed().as_secs_f64());
        }
    }
    println!("{figures} figures, best of 3:");
    println!("  suppression by respondents only: {:.3} s", best[0]);
    println!("  the whole disclosure policy:     {:.3} s", best[1]);
    println!("  ratio: {:.2}", best[1] / best[0]);
}
