//! Real readers for the tests of the file writers: R (`haven`), Python (`pyreadstat`,
//! `pandas`, `openpyxl`) and GNU PSPP, as statisticians open the files. On a developer's machine without
//! them a test says so and checks what it can; under CI (`CI` set) a missing reader fails.

use std::process::Command;

/// Runs `Rscript -e CODE ARGS...`; `None` when R or the package `needs` is not installed.
pub fn r(code: &str, args: &[&str], needs: &str) -> Option<String> {
    let probe = format!("library({needs})");
    present("Rscript", &["-e", &probe], &format!("R with {needs} (r-base-core, r-cran-{needs})"))?;
    let mut all = vec!["-e", code];
    all.extend_from_slice(args);
    Some(run("Rscript", &all))
}

/// GNU PSPP's reading of a `.sav` file as CSV: values, or value labels with `labels`; `None`
/// when PSPP is not installed.
pub fn pspp(sav: &std::path::Path, labels: bool) -> Option<String> {
    present("pspp-convert", &["--version"], "GNU PSPP (pspp)")?;
    let out = sav.with_extension(if labels { "labels.csv" } else { "values.csv" });
    let (sav, csv) = (sav.to_str().unwrap_or_default(), out.to_str().unwrap_or_default());
    let mut args = vec![sav, csv];
    if labels {
        args.insert(0, "--labels");
    }
    run("pspp-convert", &args);
    Some(std::fs::read_to_string(out).expect("pspp-convert wrote it"))
}

/// Runs `python3 -c CODE ARGS...`; `None` when Python or the module `needs` is missing.
pub fn python(code: &str, args: &[&str], needs: &str) -> Option<String> {
    present("python3", &["-c", &format!("import {needs}")], &format!("python3 with {needs}"))?;
    let mut all = vec!["-c", code];
    all.extend_from_slice(args);
    Some(run("python3", &all))
}

/// `Some(())` when `program ARGS` runs and succeeds.
fn present(program: &str, args: &[&str], what: &str) -> Option<()> {
    let why = match Command::new(program).args(args).output() {
        Ok(output) if output.status.success() => return Some(()),
        Ok(output) => String::from_utf8_lossy(&output.stderr).into_owned(),
        Err(e) => e.to_string(),
    };
    assert!(std::env::var_os("CI").is_none(), "CI must install {what}: {why}");
    eprintln!("{what} is not installed ({why}): the real reader's check was skipped");
    None
}

fn run(program: &str, args: &[&str]) -> String {
    let output = Command::new(program).args(args).output().expect("it ran a moment ago");
    assert!(
        output.status.success(),
        "{program} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}
