//! Scoring throughput on one core: `cargo bench --bench scoring`.
//!
//! Scores 20,000 varied synthetic responses to the enterprise questionnaire repeatedly for a few
//! seconds and prints responses per second. Figures are recorded in BENCHMARKS.md.

// A benchmark or harness reports on standard output by design.
#![allow(clippy::print_stdout)]

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use dxsurvey::demo::sample_answers;
use dxsurvey::reference::Reference;
use dxsurvey::scoring::score;
use dxsurvey::survey::load_file;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reference = Reference::load(&root.join("surveys/reference")).expect("reference data");
    let survey = load_file(&root.join("surveys/enterprise-dx.toml")).expect("questionnaire").survey;
    let answers = sample_answers(&survey, &reference, 20_000, 1);

    // Warm up caches and the branch predictor.
    for a in &answers {
        black_box(score(&survey, a));
    }
    let started = Instant::now();
    let mut scored = 0usize;
    while started.elapsed() < Duration::from_secs(3) {
        for a in &answers {
            black_box(score(black_box(&survey), black_box(a)));
        }
        scored += answers.len();
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "scoring enterprise-dx ({} questions): {scored} responses in {seconds:.2} s = {:.0} responses/s on one core ({:.2} µs each)",
        survey.questions.len(),
        scored as f64 / seconds,
        seconds * 1e6 / scored as f64
    );
}
