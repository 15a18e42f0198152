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

#[test]
fn the_shipped_changelogs_are_what_the_reasons_and_the_two_versions_give() {
    for id in ["enterprise-dx", "agency-dx"] {
        let dir = TempDir::new().unwrap();
        let old = format!("surveys/archive/{id}.v1.toml");
        let new = format!("surveys/{id}.toml");
        let out = dir.path().join("changes.md");
        let made = run(&dir, &["changelog", &old, &new, "--out", out.to_str().unwrap()], &[]);
        assert!(made.status.success(), "{id}: {:?}", text(&made));
        let shipped =
            std::fs::read_to_string(repo().join(format!("surveys/{id}.changes.md"))).unwrap();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            shipped,
            "surveys/{id}.changes.md is stale: run `dxsurvey changelog {old} {new} --out surveys/{id}.changes.md`"
        );
    }
    // A new item shows the version-1 text of what it replaces beside its own.
    let enterprise =
        std::fs::read_to_string(repo().join("surveys/enterprise-dx.changes.md")).unwrap();
    let section = enterprise.split("## question `process_production`").nth(1).unwrap();
    let vi_row = section.lines().find(|l| l.starts_with("| vi |")).unwrap();
    assert!(vi_row.starts_with("| vi | [process_innovation]<br>"), "{vi_row}");
}

/// Version 1 of both questionnaires, as an installation that served them has them.
fn version_one(dir: &TempDir) -> std::path::PathBuf {
    let v1 = dir.path().join("v1");
    std::fs::create_dir_all(&v1).unwrap();
    for id in ["enterprise-dx", "agency-dx"] {
        let archived = repo().join(format!("surveys/archive/{id}.v1.toml"));
        std::fs::copy(archived, v1.join(format!("{id}.toml"))).unwrap();
    }
    v1
}

#[test]
fn responses_to_version_1_still_load_rescore_print_and_export_beside_version_2() {
    let dir = TempDir::new().unwrap();
    let v1 = version_one(&dir);
    let v1_env = v1.display().to_string();
    let demo = |wave: &str, env: &[(&str, &str)]| {
        let args = ["demo", "--responses", "300", "--seed", "2", "--wave", wave, "--with-frame"];
        let output = run(&dir, &args, env);
        assert!(output.status.success(), "{wave}: {:?}", text(&output));
    };
    // The reference data of that time, before version 2's `persons_employed` was banded.
    let reference = dir.path().join("reference-v1");
    std::fs::create_dir_all(&reference).unwrap();
    for entry in std::fs::read_dir(repo().join("surveys/reference")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, reference.join(path.file_name().unwrap())).unwrap();
    }
    let quasi = reference.join("quasi_identifiers.toml");
    let listed = std::fs::read_to_string(&quasi).unwrap();
    let cut: Vec<&str> =
        listed.split("[[quasi_identifiers]]").filter(|b| !b.contains("persons_employed")).collect();
    let cut = cut.join("[[quasi_identifiers]]");
    std::fs::write(&quasi, cut).unwrap();
    let reference_env = reference.display().to_string();
    demo(
        "w1",
        &[("ROCKET_SURVEYS", v1_env.as_str()), ("ROCKET_REFERENCE", reference_env.as_str())],
    );
    demo("w2", &[]);

    let conn = rusqlite::Connection::open(dir.path().join("dxsurvey.db")).unwrap();
    let versions: Vec<(String, u32, i64)> = conn
        .prepare("SELECT wave_id, version, count(*) FROM responses WHERE survey_id = 'enterprise-dx' GROUP BY wave_id, version ORDER BY wave_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        versions.iter().map(|v| (v.0.as_str(), v.1)).collect::<Vec<_>>(),
        [("w1", 1), ("w2", 2)]
    );

    // A version-1 response is scored again by its own version, and prints.
    let (id, stored): (i64, f64) = conn
        .query_row(
            "SELECT id, overall_score FROM responses WHERE wave_id = 'w1' AND survey_id = 'enterprise-dx' AND status = 'submitted' ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let pdf = dir.path().join("v1.pdf");
    let printed = run(
        &dir,
        &["report", "respondent", "--response", &id.to_string(), "--out", pdf.to_str().unwrap()],
        &[],
    );
    assert!(printed.status.success(), "{:?}", text(&printed));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    let config = crate::helpers::config(&dir);
    let config = dxsurvey::config::AppConfig { database: dir.path().join("dxsurvey.db"), ..config };
    let app = dxsurvey::app::App::start(&config).unwrap();
    let response = app.store.read(|c| dxsurvey::store::response_by_id(c, id)).unwrap().unwrap();
    let (survey, answers) = dxsurvey::response::decode(&app, &response).unwrap();
    assert_eq!(survey.version, 1);
    let card = dxsurvey::scoring::score(&survey, &answers);
    assert!((card.overall.unwrap() - stored).abs() < 1e-9, "rescored alike");

    // Each wave's export has its version in the version column, under the same header.
    let mut headers = Vec::new();
    for wave in ["w1", "w2"] {
        let out = dir.path().join(format!("export-{wave}"));
        let exported = run(&dir, &["export", "--wave", wave, "--out", out.to_str().unwrap()], &[]);
        assert!(exported.status.success(), "{wave}: {:?}", text(&exported));
        let mut reader = csv::Reader::from_path(out.join("microdata.csv")).unwrap();
        let header = reader.headers().unwrap().clone();
        let column = header.iter().position(|h| h == "version").unwrap();
        let expected = if wave == "w1" { "1" } else { "2" };
        for record in reader.records() {
            assert_eq!(&record.unwrap()[column], expected, "{wave}");
        }
        headers.push(header);
    }
    // The answers' columns are the union of both versions', in one order; the indicator and
    // score columns are each wave's questionnaire's.
    let answers = |h: &csv::StringRecord| -> Vec<String> {
        let first = h.iter().position(|c| c == "level").unwrap() + 1;
        h.iter().skip(first).map(str::to_string).collect()
    };
    assert_eq!(answers(&headers[0]), answers(&headers[1]), "both versions' questions");
    // Version 1's multi-select question, one 0/1 column per choice.
    assert!(
        headers[0].iter().any(|h| h.starts_with("process_innovation_")),
        "version 1's question"
    );
    assert!(headers[0].iter().any(|h| h == "process_production"), "version 2's question");
    assert_eq!(
        headers[0].iter().take(9).collect::<Vec<_>>(),
        headers[1].iter().take(9).collect::<Vec<_>>()
    );
}
