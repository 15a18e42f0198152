//! PDF report speed and memory: `cargo bench --bench reports`.
//!
//! Fills a fresh database with 100,000 demo responses and a frame, computes the wave's figures
//! once, then times one area report (the ward with the most responses, and a former district),
//! the city overview, and all 126 area reports on every core, as `dxsurvey report all-areas`
//! does. Peak memory is measured from after the demo data is written. Figures are recorded in
//! BENCHMARKS.md.

// A benchmark or harness reports on standard output by design.
#![allow(clippy::print_stdout)]

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use dxsurvey::app::App;
use dxsurvey::config::AppConfig;
use dxsurvey::demo::{DemoOptions, generate};
use dxsurvey::figures::Breakdown;
use dxsurvey::report::area::{Place, area_report, each_area_report, every_area};
use dxsurvey::report::city::city_report;
use dxsurvey::survey::Lang;
use time::OffsetDateTime;

const RESPONSES: usize = 100_000;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("a temporary folder");
    let config = AppConfig::of_checkout(root, dir.path().join("bench.db"));
    let app = App::start(&config).expect("the app starts");
    let wave = OffsetDateTime::now_utc().year().to_string();
    let started = Instant::now();
    let options = DemoOptions {
        responses: RESPONSES,
        seed: 42,
        wave: wave.clone(),
        with_frame: true,
        order_effect: 0.0,
        sample: None,
    };
    generate(&app, &options).expect("demo data");
    println!("demo: {RESPONSES} responses in {:.1} s", started.elapsed().as_secs_f64());
    // Peak memory from here on: the reports, not the demo generator.
    let _ = std::fs::write("/proc/self/clear_refs", "5");

    let started = Instant::now();
    let inputs = dxsurvey::service::figures::report_inputs_of(&app, &wave, None).expect("figures");
    println!("figures of the wave (once for every report): {:.0} ms", ms(started));
    let created = OffsetDateTime::now_utc();
    let figures = &inputs.latest().figures;
    let busiest = figures
        .figures
        .iter()
        .filter(|f| f.breakdown() == Breakdown::Area && f.variable == 0)
        .max_by_key(|f| f.n)
        .expect("areas");
    for (label, code) in [
        ("ward with the most responses", &*busiest.group.to_string()),
        ("former district 001", "001"),
    ] {
        let place = Place::find(&app.reference, code).expect("a place");
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..15 {
            let started = Instant::now();
            size = area_report(&app, &app.texts, &inputs, &place, Lang::Vi, created).len();
            times.push(ms(started));
        }
        times.sort_by(f64::total_cmp);
        println!(
            "one area report, {label} ({}): median {:.1} ms, slowest {:.1} ms, {} KB",
            place.name.vi,
            times[times.len() / 2],
            times[times.len() - 1],
            size / 1024
        );
    }
    let started = Instant::now();
    let city = city_report(&app, &app.texts, &inputs, Lang::Vi, created);
    println!("city overview: {:.1} ms, {} KB", ms(started), city.len() / 1024);

    let places = every_area(&app.reference);
    let bytes = AtomicUsize::new(0);
    let started = Instant::now();
    let workers = each_area_report(&app, &inputs, &places, Lang::Vi, created, |place, pdf| {
        std::fs::write(dir.path().join(format!("{}.pdf", place.code)), &pdf).expect("written");
        bytes.fetch_add(pdf.len(), Ordering::Relaxed);
    });
    println!(
        "all {} area reports on {workers} workers: {:.2} s, {} KB in all",
        places.len(),
        started.elapsed().as_secs_f64(),
        bytes.load(Ordering::Relaxed) / 1024
    );
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM")).map(str::to_string))
        .unwrap_or_default();
    println!(
        "peak memory since the demo data was written: {}",
        peak.trim_start_matches("VmHWM:").trim()
    );
}

fn ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}
