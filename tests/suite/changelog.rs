//! `dxsurvey changelog` (issue 14): every changed item of a new questionnaire version with its
//! old and new text side by side in both languages, and why; no change goes unexplained.

use tempfile::TempDir;

use crate::helpers::{repo, run, text};

#[test]
fn the_changelog_shows_old_and_new_text_in_both_languages_and_refuses_an_unexplained_change() {
    let dir = TempDir::new().unwrap();
    let old = repo().join("surveys/archive/enterprise-dx.v1.toml");
    let source = std::fs::read_to_string(&old).unwrap();
    let new = dir.path().join("enterprise-dx.toml");
    std::fs::write(
        &new,
        source
            .replace("version = 1", "version = 2")
            .replace("Năm thành lập doanh nghiệp", "Năm doanh nghiệp được thành lập lần đầu")
            .replace("Year the enterprise was founded", "Year the enterprise was first founded"),
    )
    .unwrap();
    let (old_path, new_path) = (old.to_str().unwrap(), new.to_str().unwrap());

    let refused = run(&dir, &["changelog", old_path, new_path], &[]);
    assert!(!refused.status.success(), "no reasons file yet");
    std::fs::write(dir.path().join("enterprise-dx.changes.toml"), "").unwrap();
    let refused = run(&dir, &["changelog", old_path, new_path], &[]);
    assert!(!refused.status.success());
    let (_, stderr) = text(&refused);
    assert!(
        stderr.contains("question 'year_founded' changed, and no [[changes]] entry says why"),
        "{stderr}"
    );

    std::fs::write(
        dir.path().join("enterprise-dx.changes.toml"),
        "[[changes]]\nitem = \"year_founded\"\n\
         what = { vi = \"Hỏi năm thành lập lần đầu\", en = \"Asks for the first founding year\" }\n\
         why = { vi = \"Doanh nghiệp chuyển đổi loại hình có hai năm thành lập\", en = \"Converted enterprises have two founding years\" }\n\
         source = \"Luật Doanh nghiệp 2020\"\n",
    )
    .unwrap();
    let out = dir.path().join("changes.md");
    let written =
        run(&dir, &["changelog", old_path, new_path, "--out", out.to_str().unwrap()], &[]);
    assert!(written.status.success(), "{:?}", text(&written));
    let markdown = std::fs::read_to_string(&out).unwrap();
    assert!(markdown.starts_with("# enterprise-dx: phiên bản 1 → 2 / version 1 → 2"), "{markdown}");
    assert!(markdown.contains("## question `year_founded` (sửa / changed)"), "{markdown}");
    assert!(markdown.contains("- **Lý do / Why:** Doanh nghiệp chuyển đổi loại hình có hai năm thành lập — Converted enterprises have two founding years"));
    assert!(markdown.contains("- **Nguồn / Source:** Luật Doanh nghiệp 2020"));
    let vi_row = markdown
        .lines()
        .find(|l| l.starts_with("| vi | Năm thành lập doanh nghiệp"))
        .expect("vi row");
    assert!(vi_row.contains("| Năm doanh nghiệp được thành lập lần đầu"), "{vi_row}");
    let en_row = markdown
        .lines()
        .find(|l| l.starts_with("| en | Year the enterprise was founded"))
        .expect("en row");
    assert!(en_row.contains("| Year the enterprise was first founded"), "{en_row}");
    assert_eq!(markdown.matches("## ").count(), 1, "only the changed item: {markdown}");
}
