use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the system allocator: a page is hundreds of small allocations (template
/// values, strings) made from many threads, and glibc's malloc and free took about 15% of a
/// questionnaire page's time (BENCHMARKS.md, "Respondent pages").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use dxsurvey::cli::{Cli, run};

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", e.0);
            ExitCode::FAILURE
        }
    }
}
