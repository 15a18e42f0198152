//! The loader reports every problem of a file, each where it is.

use super::*;

fn problems(source: &str) -> Vec<Problem> {
    parse(source, "broken.toml").expect_err("the file is invalid").problems
}

/// The problem whose message contains `needle`, with its line and item.
fn find<'a>(problems: &'a [Problem], needle: &str) -> &'a Problem {
    problems
        .iter()
        .find(|p| p.message.contains(needle))
        .unwrap_or_else(|| panic!("no problem mentions {needle:?}; got:\n{}", list(problems)))
}

fn list(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("  {p}\n")).collect()
}

#[test]
fn every_mistake_of_a_broken_file_is_reported_with_line_and_item() {
    let source = include_str!("../../tests/fixtures/broken/broken.toml");
    let found = problems(source);
    let line_of_text = |text: &str| {
        source.lines().position(|l| l.contains(text)).map(|i| i + 1).expect("text in fixture")
    };

    let missing = find(&found, "`observation_period` has no English (en) text");
    assert_eq!(missing.item, None);
    assert_eq!(missing.line, Some(line_of_text("observation_period =")));

    let weight = find(&found, "`weight` must be a positive number, not 0");
    assert_eq!(weight.item.as_deref(), Some("dimension 'strategy'"));
    assert_eq!(weight.line, Some(line_of_text("weight = 0")));

    let duplicate = find(&found, "id 'strategy' is already used by dimension 'strategy'");
    assert_eq!(duplicate.line, Some(line_of_text("title = { vi = \"Trùng\"") - 1));

    let level = find(&found, "level bounds must ascend");
    assert_eq!(level.item.as_deref(), Some("level 'high'"));

    let unknown_key = find(&found, "unknown field `lable`");
    assert_eq!(unknown_key.item.as_deref(), Some("question 'name'"));
    assert_eq!(unknown_key.line, Some(line_of_text("lable =")));

    let later = find(&found, "'later' is not asked before this question");
    assert_eq!(later.item.as_deref(), Some("question 'plan'"));
    assert_eq!(later.line, Some(line_of_text("show_if = \"later")));

    find(&found, "a single_choice question needs `choices`");
    find(&found, "question 'later' has no choice 'maybe'");
    find(&found, "no question 'nothing'");
    find(&found, "'na' is reserved");
    let unasked = find(&found, "missing `message`");
    assert_eq!(unasked.item.as_deref(), Some("check 'odd_plan'"));
    find(&found, "'dk' is reserved for \"don't know\"");
    find(&found, "`steps` has 2 descriptors");
    find(&found, "'has' applies to multiple-choice questions, but 'later' is a yes_no question");
    find(&found, "needs a question with role 'tax_code'");

    for problem in &found {
        assert_eq!(problem.file, "broken.toml");
    }
    assert!(found.len() >= 14, "expected every problem, got:\n{}", list(&found));
}

#[test]
fn a_toml_syntax_error_is_located() {
    let found = problems("id = \"x\"\nversion = 1\ntitle = { vi = \"a\", en = }\n");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].line, Some(3));
}

#[test]
fn a_toml_syntax_error_names_the_item_whose_block_holds_it() {
    let source = "id = \"x\"\nversion = 1\n\n[[dimensions]]\nid = \"people\"\n\n[[questions]]\nid = \"q7\"\nlabel = { vi = \"a\", en = }\n";
    let found = problems(source);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].line, Some(9));
    assert_eq!(found[0].item.as_deref(), Some("question 'q7'"), "{}", list(&found));
    let top = problems("id = \"x\"\nversion = 1\ntitle = { vi = \"a\", en = }\n");
    assert_eq!(top[0].item, None, "a top-level line belongs to no item");
}

#[test]
fn an_unknown_top_level_key_is_an_error() {
    let found = problems("id = \"x\"\nversoin = 2\n");
    assert!(found[0].message.contains("unknown field `versoin`"), "{}", list(&found));
    assert_eq!(found[0].line, Some(2));
}

#[test]
fn the_shipped_questionnaires_load() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys");
    let loaded = load_paths(&[dir]).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = loaded.iter().map(|f| f.survey.id.as_str()).collect();
    assert!(ids.contains(&"enterprise-dx") && ids.contains(&"agency-dx"), "{ids:?}");
}
