//! Invitation letters (issue 13), read back as a person and a phone read them: `pdftotext`
//! for the words, `zbarimg` for the QR code, which must open the same link the letter prints.

use std::path::Path;
use std::process::Command;

use tempfile::TempDir;

use crate::fieldwork::register_of;
use crate::helpers::{run, text};

const URL: &str = "https://khaosat.hanoi.gov.vn";

/// A wave with a register of 400, a sample of 100 and their codes; returns the mail-merge rows.
fn invited(dir: &TempDir) -> Vec<csv::StringRecord> {
    assert!(run(dir, &["demo", "--responses", "10", "--wave", "2026"], &[]).status.success());
    let register = dir.path().join("register.csv");
    std::fs::write(&register, register_of(400)).unwrap();
    let steps: [&[&str]; 3] = [
        &["frame", "register", register.to_str().unwrap(), "--wave", "2026"],
        &["sample", "--wave", "2026", "--size", "100", "--min-per-ward-size", "2", "--confirm"],
        &["invitations", "--wave", "2026", "--out", "mm.csv", "--public-url", URL],
    ];
    for args in steps {
        let mut args = args.to_vec();
        let merge = dir.path().join("mm.csv");
        if let Some(out) = args.iter_mut().find(|a| **a == "mm.csv") {
            *out = merge.to_str().unwrap();
        }
        let output = run(dir, &args, &[]);
        assert!(output.status.success(), "{args:?}: {}", text(&output).1);
    }
    let mut reader = csv::Reader::from_path(dir.path().join("mm.csv")).unwrap();
    reader.records().map(Result::unwrap).collect()
}

/// `tool args file` (and `-` for pdftotext, to write to standard output): its output; `None`
/// when the tool is missing outside CI.
pub fn tool(tool: &str, args: &[&str], file: &Path) -> Option<String> {
    let mut command = Command::new(tool);
    command.args(args).arg(file);
    if tool == "pdftotext" {
        command.arg("-");
    }
    match command.output() {
        Ok(output) => {
            assert!(output.status.success(), "{tool}: {}", String::from_utf8_lossy(&output.stderr));
            Some(String::from_utf8_lossy(&output.stdout).into_owned())
        }
        Err(e) => {
            assert!(std::env::var_os("CI").is_none(), "CI must install {tool}: {e}");
            eprintln!("skipped: {tool} is not installed: {e}");
            None
        }
    }
}

/// The QR codes of page `page` of `pdf`, as `zbarimg` decodes them from a 150 dpi rendering.
fn qr_codes(pdf: &Path, page: usize, dir: &Path) -> Option<Vec<String>> {
    let prefix = dir.join(format!("page{page}"));
    let n = page.to_string();
    let rendered = Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-singlefile", "-f", &n, "-l", &n])
        .arg(pdf)
        .arg(&prefix)
        .status();
    match rendered {
        Ok(status) => assert!(status.success()),
        Err(e) => {
            assert!(std::env::var_os("CI").is_none(), "CI must install poppler-utils: {e}");
            return None;
        }
    }
    let decoded = tool("zbarimg", &["--quiet", "--raw"], &prefix.with_extension("png"))?;
    Some(decoded.lines().map(str::to_string).collect())
}

#[test]
fn a_wards_letters_carry_each_enterprises_code_link_and_qr_code_and_print_again_the_same() {
    let dir = TempDir::new().unwrap();
    let rows = invited(&dir);
    let out = dir.path().join("letters");
    let letters = |env: &[(&str, &str)]| {
        let args = [
            "letters",
            "--wave",
            "2026",
            "--area",
            "00082",
            "--out",
            out.to_str().unwrap(),
            "--public-url",
            URL,
        ];
        run(&dir, &args, env)
    };

    // No one to contact for the ward: nothing is written, and the message says what to do.
    let refused = letters(&[]);
    assert!(!refused.status.success());
    assert!(text(&refused).1.contains("no one to contact for ward 00082"), "{}", text(&refused).1);
    assert!(!out.exists());

    let contact = [("ROCKET_CONTACT", "khaosat@hanoi.gov.vn, 024 3825 3536")];
    let output = letters(&contact);
    assert!(output.status.success(), "{}", text(&output).1);
    let files: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(files, ["letters-00082.pdf"], "only the ward asked for");
    let pdf = out.join("letters-00082.pdf");
    let ward: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[3] == "00082").collect();
    assert!(text(&output).0.contains(&format!("wrote {} letters", ward.len())));

    let Some(words) = tool("pdftotext", &["-layout"], &pdf) else { return };
    let pages: Vec<&str> = words.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert_eq!(pages.len(), ward.len(), "one page per enterprise");
    for (page, row) in pages.iter().zip(&ward) {
        let flat = page.split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in [&row[2], &row[1], &row[8], &row[9]] {
            assert!(flat.contains(expected), "{expected} on its letter: {flat}");
        }
        for words in [
            "Kính gửi",
            "To:",
            "Đề nghị trả lời trước ngày: 31/12/2026",
            "Please answer by: 31 Dec 2026",
            "024 3825 3536",
        ] {
            assert!(flat.contains(words), "{words}: {flat}");
        }
    }
    let Some(decoded) = qr_codes(&pdf, 1, dir.path()) else { return };
    assert_eq!(decoded, [ward[0][9].to_string()], "the QR code opens the printed link");
    let last = qr_codes(&pdf, ward.len(), dir.path()).unwrap();
    assert_eq!(last, [ward[ward.len() - 1][9].to_string()]);

    // Printed again (a letter came back), the codes are the same: the first letter still works.
    assert!(letters(&contact).status.success());
    let again = tool("pdftotext", &["-layout"], &pdf).unwrap();
    assert!(again.contains(&ward[0][8]), "the same code");
    let conn = rusqlite::Connection::open(dir.path().join("dxsurvey.db")).unwrap();
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(
        count("SELECT count(*) FROM unit_events WHERE kind = 'letter'"),
        2 * ward.len() as i64,
        "every letter is a field event"
    );
    assert_eq!(count("SELECT count(*) FROM audit_log WHERE action = 'letters.print'"), 2);
}
