use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the system allocator: a page is hundreds of small allocations (template
/// values, strings) made from many threads, and glibc's malloc and free took about 15% of a
/// questionnaire page's time (BENCHMARKS.md, "Respondent pages").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use dxsurvey::cli::{Cli, run};

fn main() -> ExitCode {
    // Everything this program creates (database, logs, backups, exports, keys) is its owner's
    // alone, whatever the shell's umask.
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", e.0);
            ExitCode::FAILURE
        }
    }
}
