//! Fieldwork from the business register (issue 13): the named register of a wave.

use tempfile::TempDir;

use crate::helpers::{run, text};

fn count(dir: &TempDir, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(dir.path().join("dxsurvey.db")).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn a_register_with_mistakes_is_refused_whole_and_a_good_one_gives_the_frame() {
    let dir = TempDir::new().unwrap();
    assert!(run(&dir, &["demo", "--responses", "10", "--wave", "2026"], &[]).status.success());
    let register = dir.path().join("register.csv");
    let import = |dir: &TempDir| {
        run(dir, &["frame", "register", register.to_str().unwrap(), "--wave", "2026"], &[])
    };
    std::fs::write(
        &register,
        "tax_code,name,area_code,vsic_section,size_class,address,email,phone\n\
         0101234567,Công ty An Phát,00070,G,micro,\"12 Hàng Bạc, Hoàn Kiếm\",info@anphat.vn,024 3826 0000\n\
         0101234567,Công ty Bình Minh,00070,G,micro,,,\n\
         0101234568,Công ty Cát Tường,99999,C,small,,,\n\
         0101234569,Công ty Đông Á,00082,C,huge,,,\n\
         0101234570,Công ty Gia Lâm,00082,C,small,,ketoan@,\n",
    )
    .unwrap();
    let output = import(&dir);
    let (_, stderr) = text(&output);
    assert!(!output.status.success());
    for expected in [
        "register.csv: line 3: tax code 0101234567 is already given on line 2",
        "register.csv: line 4: area_code '99999'",
        "register.csv: line 5: size_class 'huge'",
        "register.csv: line 6: email 'ketoan@'",
        "4 problem(s); nothing was imported",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
    assert_eq!(count(&dir, "SELECT count(*) FROM register_units"), 0);
    assert_eq!(count(&dir, "SELECT count(*) FROM frame_strata"), 0);

    std::fs::write(
        &register,
        "tax_code,name,area_code,vsic_section,employees,revenue,capital,email\n\
         0101234567,Công ty An Phát,00070,G,4,2,1,info@anphat.vn\n\
         0101234568,Công ty Bình Minh,00070,G,6,2.5,1,\n\
         0101234569,Công ty Đông Á,00082,C,250,900,900,\n",
    )
    .unwrap();
    let output = import(&dir);
    assert!(output.status.success(), "{}", text(&output).1);
    assert!(text(&output).0.contains("2 strata, 3 enterprises"), "{}", text(&output).0);
    assert_eq!(count(&dir, "SELECT count(*) FROM register_units WHERE wave_id = '2026'"), 3);
    assert_eq!(
        count(
            &dir,
            "SELECT enterprises FROM frame_strata WHERE area_code = '00070' AND vsic_section = 'G' AND size_class = 'micro'"
        ),
        2,
        "the frame counts the register"
    );
    assert_eq!(count(&dir, "SELECT count(*) FROM audit_log WHERE action = 'register.import'"), 1);

    // Counts alone would disagree with the register: refused, nothing changed.
    let frame = dir.path().join("frame.csv");
    std::fs::write(&frame, "area_code,vsic_section,size_class,enterprises\n00070,G,micro,120\n")
        .unwrap();
    let output = run(&dir, &["frame", "import", frame.to_str().unwrap(), "--wave", "2026"], &[]);
    assert!(!output.status.success());
    assert!(text(&output).1.contains("has a named register"), "{}", text(&output).1);
    assert_eq!(count(&dir, "SELECT sum(enterprises) FROM frame_strata"), 3);
}

/// A register of `n` enterprises over a few wards, sections and sizes (a tenth of them large).
pub fn register_of(n: usize) -> String {
    let wards = ["00070", "00082", "00004", "00008"];
    let mut csv = String::from("tax_code,name,area_code,vsic_section,size_class\n");
    for i in 0..n {
        let size = match i % 10 {
            0 => "large",
            1 | 2 => "small",
            3 => "medium",
            _ => "micro",
        };
        let section = ["G", "C", "F", "J"][(i / 7) % 4];
        csv.push_str(&format!("01{i:08},Công ty số {i},{},{section},{size}\n", wards[i % 4]));
    }
    csv
}

fn sample(dir: &TempDir, confirm: bool) -> std::process::Output {
    let mut args = vec!["sample", "--wave", "2026", "--size", "500", "--seed", "42"];
    if confirm {
        args.push("--confirm");
    }
    run(dir, &args, &[])
}

fn sampled(dir: &TempDir) -> Vec<String> {
    let conn = rusqlite::Connection::open(dir.path().join("dxsurvey.db")).unwrap();
    let mut stmt = conn
        .prepare("SELECT r.tax_code FROM sample_units s JOIN register_units r ON r.id = s.unit_id ORDER BY 1")
        .unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn a_sample_is_proposed_with_its_precision_drawn_once_and_drawn_again_the_same() {
    let world = || {
        let dir = TempDir::new().unwrap();
        assert!(run(&dir, &["demo", "--responses", "10", "--wave", "2026"], &[]).status.success());
        let register = dir.path().join("register.csv");
        std::fs::write(&register, register_of(2000)).unwrap();
        let output =
            run(&dir, &["frame", "register", register.to_str().unwrap(), "--wave", "2026"], &[]);
        assert!(output.status.success(), "{}", text(&output).1);
        dir
    };
    let dir = world();
    let proposal = sample(&dir, false);
    let (stdout, stderr) = text(&proposal);
    assert!(proposal.status.success(), "{stderr}");
    assert!(stdout.contains("200 in take-all strata (large)"), "{stdout}");
    assert!(
        stdout.contains("00070") && stdout.contains("Phường"),
        "every ward's precision: {stdout}"
    );
    assert!(stdout.contains("nothing drawn"), "{stdout}");
    assert!(sampled(&dir).is_empty(), "a proposal draws nothing");

    let output = sample(&dir, true);
    assert!(output.status.success(), "{}", text(&output).1);
    let first = sampled(&dir);
    assert_eq!(first.len(), 500);
    // Every unit's inclusion probability is its stratum's sample over its population.
    let mismatched = count(
        &dir,
        "WITH strata AS (
             SELECT r.wave_id, r.area_code, r.vsic_section, r.size_class, count(*) AS n_pop,
                    count(s.unit_id) AS n_sample
             FROM register_units r LEFT JOIN sample_units s ON s.unit_id = r.id
             GROUP BY 1, 2, 3, 4)
         SELECT count(*) FROM sample_units s JOIN register_units r ON r.id = s.unit_id
         JOIN strata t USING (area_code, vsic_section, size_class)
         WHERE abs(s.inclusion - 1.0 * t.n_sample / t.n_pop) > 1e-12",
    );
    assert_eq!(mismatched, 0);
    assert_eq!(count(&dir, "SELECT count(*) FROM audit_log WHERE action = 'sample.draw'"), 1);

    let again = sample(&dir, true);
    assert!(!again.status.success());
    assert!(text(&again).1.contains("already has its sample"), "{}", text(&again).1);
    let register = dir.path().join("register.csv");
    let reimport =
        run(&dir, &["frame", "register", register.to_str().unwrap(), "--wave", "2026"], &[]);
    assert!(!reimport.status.success());
    assert!(text(&reimport).1.contains("cannot be replaced"), "{}", text(&reimport).1);

    let elsewhere = world();
    assert!(sample(&elsewhere, true).status.success());
    assert_eq!(sampled(&elsewhere), first, "the same register, options and seed");
}

#[test]
fn each_sampled_enterprise_gets_a_code_kept_only_as_a_hash_and_a_reissued_code_replaces_it() {
    let dir = TempDir::new().unwrap();
    assert!(run(&dir, &["demo", "--responses", "10", "--wave", "2026"], &[]).status.success());
    let register = dir.path().join("register.csv");
    std::fs::write(&register, register_of(600)).unwrap();
    assert!(
        run(&dir, &["frame", "register", register.to_str().unwrap(), "--wave", "2026"], &[])
            .status
            .success()
    );
    let letters = dir.path().join("letters.csv");
    let invite = |extra: &[&str]| {
        let mut args = vec![
            "invitations",
            "--wave",
            "2026",
            "--out",
            letters.to_str().unwrap(),
            "--public-url",
            "https://khaosat.hanoi.gov.vn/",
        ];
        args.extend_from_slice(extra);
        run(&dir, &args, &[])
    };
    let early = invite(&[]);
    assert!(!early.status.success() && text(&early).1.contains("no sample and no agency yet"));
    assert!(sample(&dir, true).status.success());

    let output = invite(&[]);
    assert!(output.status.success(), "{}", text(&output).1);
    let mut reader = csv::Reader::from_path(&letters).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 500, "one letter per sampled enterprise");
    let codes: std::collections::BTreeSet<&str> = rows.iter().map(|r| &r[8]).collect();
    assert_eq!(codes.len(), 500, "every code differs");
    let first = &rows[0];
    assert!(first[8].len() == 19 && first[8].matches('-').count() == 3, "{}", &first[8]);
    let code = first[8].replace('-', "");
    assert_eq!(&first[9], format!("https://khaosat.hanoi.gov.vn/i/{code}"));
    assert_eq!(count(&dir, "SELECT count(*) FROM invitations"), 500);
    let database = std::fs::read(dir.path().join("dxsurvey.db")).unwrap();
    let wal = std::fs::read(dir.path().join("dxsurvey.db-wal")).unwrap_or_default();
    for bytes in [&database, &wal] {
        assert!(!bytes.windows(16).any(|w| w == code.as_bytes()), "no code is stored as such");
    }

    let config = dxsurvey::config::AppConfig::of_checkout(
        crate::helpers::repo(),
        dir.path().join("dxsurvey.db"),
    );
    let app = dxsurvey::app::App::start(&config).unwrap();
    let opened = |typed: &str| dxsurvey::service::invitations::opened_by(&app, typed).unwrap();
    let (wave, unit) = opened(&first[8].to_lowercase()).expect("the code opens its enterprise");
    assert_eq!((wave.as_str(), unit.code.as_str()), ("2026", &first[1]));
    assert!(opened("0000-0000-0000-0000").is_none());

    let again = invite(&[]);
    assert!(again.status.success());
    assert!(text(&again).0.contains("issued 0 access code(s)"), "codes are issued once");
    let reissued = invite(&["--reissue", &first[1], "--reason", "letter lost in the post"]);
    assert!(reissued.status.success(), "{}", text(&reissued).1);
    let mut reader = csv::Reader::from_path(&letters).unwrap();
    let new_code = reader.records().next().unwrap().unwrap()[8].to_string();
    assert!(opened(&first[8]).is_none(), "the old code stops working");
    assert_eq!(opened(&new_code).unwrap().1.code, first[1]);
    assert_eq!(
        count(
            &dir,
            "SELECT count(*) FROM audit_log WHERE action = 'invitation.reissue' AND detail LIKE '%letter lost%'"
        ),
        1
    );
    let unknown = invite(&["--reissue", "0109999999", "--reason", "x"]);
    assert!(text(&unknown).1.contains("no sampled enterprise"), "{}", text(&unknown).1);
}

#[test]
fn the_allocation_takes_its_shares_from_a_previous_wave_when_asked() {
    let dir = TempDir::new().unwrap();
    for (wave, n) in [("2025", "600"), ("2026", "10")] {
        let output = run(&dir, &["demo", "--responses", n, "--wave", wave], &[]);
        assert!(output.status.success(), "{}", text(&output).1);
    }
    let register = dir.path().join("register.csv");
    std::fs::write(&register, register_of(2000)).unwrap();
    assert!(
        run(&dir, &["frame", "register", register.to_str().unwrap(), "--wave", "2026"], &[])
            .status
            .success()
    );
    let propose = |extra: &[&str]| {
        let mut args = vec!["sample", "--wave", "2026", "--size", "500", "--seed", "42"];
        args.extend_from_slice(extra);
        let output = run(&dir, &args, &[]);
        assert!(output.status.success(), "{}", text(&output).1);
        text(&output).0
    };
    let stated = propose(&[]);
    let previous = propose(&["--prior-from-wave", "2025"]);
    assert_ne!(stated, previous, "the previous wave's shares change the expected precision");
    let unknown =
        run(&dir, &["sample", "--wave", "2026", "--size", "500", "--prior-from-wave", "2019"], &[]);
    assert!(!unknown.status.success());
    assert!(text(&unknown).1.contains("no wave '2019'"), "{}", text(&unknown).1);
    let drawn = propose(&["--prior-from-wave", "2025", "--confirm"]);
    assert!(drawn.contains("drew 500"), "{drawn}");
    assert_eq!(
        count(
            &dir,
            "SELECT count(*) FROM audit_log WHERE action = 'sample.draw' AND detail LIKE '%shares of wave 2025%'"
        ),
        1
    );
}
