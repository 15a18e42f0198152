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
