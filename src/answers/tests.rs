//! Reading answers: every value is checked against its question, with a precise problem.

use std::path::Path;

use serde_json::json;

use super::*;
use crate::reference::Reference;
use crate::survey::{Survey, parse};

fn small() -> Survey {
    parse(include_str!("../../tests/fixtures/small/small.toml"), "small.toml")
        .unwrap_or_else(|e| panic!("{e}"))
}

fn reference() -> Reference {
    Reference::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys/reference")).unwrap()
}

fn read(value: serde_json::Value) -> Result<Answers, Vec<AnswerProblem>> {
    Answers::from_json(&small(), value.as_object().unwrap(), &reference())
}

fn problem(value: serde_json::Value) -> ProblemKind {
    let problems = read(value).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    problems[0].kind.clone()
}

#[test]
fn text_is_trimmed_and_normalised_to_nfc() {
    // "Hoàn Kiếm" with combining accents (NFD) becomes the precomposed form.
    let decomposed = "  UBND Ho\u{0061}\u{0300}n Ki\u{0065}\u{0302}\u{0301}m ";
    let answers = read(json!({ "name": decomposed })).unwrap();
    assert_eq!(answers.get(0), Some(&Answer::Text("UBND Hoàn Kiếm".into())));
}

#[test]
fn wrong_values_are_refused_with_the_reason() {
    assert_eq!(
        problem(json!({ "a1": 6 })),
        ProblemKind::OutOfRange { min: "0".into(), max: "5".into() }
    );
    assert_eq!(problem(json!({ "a1": "three" })), ProblemKind::WrongType);
    assert_eq!(problem(json!({ "a2": "biggest" })), ProblemKind::UnknownChoice("biggest".into()));
    assert_eq!(problem(json!({ "a3": true })), ProblemKind::WrongType);
    assert_eq!(problem(json!({ "a3": "na" })), ProblemKind::UnknownChoice("na".into()));
    assert_eq!(problem(json!({ "b1": ["x", "none"] })), ProblemKind::Exclusive("none".into()));
    assert_eq!(problem(json!({ "b1": [] })), ProblemKind::Required);
    assert_eq!(problem(json!({ "area": "00000" })), ProblemKind::UnknownArea("00000".into()));
    assert_eq!(problem(json!({ "name": "a\u{0007}b" })), ProblemKind::ControlCharacters);
    assert_eq!(problem(json!({ "name": "x".repeat(201) })), ProblemKind::TooLong(200));
    assert_eq!(problem(json!({ "whatever": 1 })), ProblemKind::UnknownQuestion);
}

#[test]
fn every_problem_is_reported_at_once() {
    let problems = read(json!({ "a1": 9, "a2": "x", "b2": -1, "nope": true })).unwrap_err();
    let mut ids: Vec<&str> = problems.iter().map(|p| p.question.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["a1", "a2", "b2", "nope"]);
}

#[test]
fn messages_exist_in_both_languages() {
    let problem = AnswerProblem::new("a1", ProblemKind::Required);
    assert_eq!(problem.message(crate::survey::Lang::Vi), "câu hỏi này bắt buộc trả lời");
    assert_eq!(problem.message(crate::survey::Lang::En), "this question must be answered");
}

#[test]
fn json_round_trips_through_the_stored_form() {
    let survey = small();
    let given =
        json!({ "name": "UBND", "area": "00070", "a1": 2, "a2": "na", "b1": ["x", "z"], "b2": 5 });
    let answers = read(given.clone()).unwrap();
    assert_eq!(serde_json::Value::Object(answers.to_json(&survey)), given);
    let unknown = json!({ "name": "UBND", "area": "00070", "b2": "dk" });
    let answers = read(unknown.clone()).unwrap();
    assert_eq!(answers.get(survey.question_idx("b2").unwrap()), Some(&Answer::DontKnow));
    assert_eq!(serde_json::Value::Object(answers.to_json(&survey)), unknown);
    let not_offered = read(json!({ "name": "UBND", "area": "00070", "a2": "dk" })).unwrap_err();
    assert!(format!("{not_offered:?}").contains("dk"), "{not_offered:?}");
}

#[test]
fn a_check_is_raised_on_the_page_of_its_last_question_when_its_answers_go_together() {
    let survey = small();
    let page_of = |id: &str| {
        let i = survey.question_idx(id).unwrap();
        survey.pages.iter().position(|p| p.questions.contains(&i)).unwrap()
    };
    let odd = read(json!({ "name": "UBND", "area": "00070", "a1": 5, "b1": ["none"] })).unwrap();
    let raised: Vec<&str> =
        odd.raised_checks(&survey, page_of("b1")).iter().map(|c| c.id.as_str()).collect();
    assert_eq!(raised, ["high_a_without_b"]);
    assert!(odd.raised_checks(&survey, page_of("a1")).is_empty(), "asked once, on b1's page");
    let usual = read(json!({ "name": "UBND", "area": "00070", "a1": 2, "b1": ["none"] })).unwrap();
    assert!(usual.raised_checks(&survey, page_of("b1")).is_empty());
}

#[test]
fn missing_lists_required_questions_that_are_shown() {
    let survey = small();
    let answers = read(json!({ "name": "UBND" })).unwrap();
    let missing: Vec<String> = answers.missing(&survey).into_iter().map(|p| p.question).collect();
    assert_eq!(missing, ["area"]);
}

mod pages {
    use super::*;
    use crate::answers::form::{ForeignField, PageInput, apply_page};

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect()
    }

    /// Applies fields to page `n` of the small questionnaire on top of `answers`.
    fn apply(
        n: usize,
        answers: &Answers,
        pairs: &[(&str, &str)],
    ) -> Result<PageInput, ForeignField> {
        let survey = small();
        apply_page(&survey, &survey.pages[n], answers, &fields(pairs), &reference())
    }

    #[test]
    fn a_valid_page_replaces_that_pages_answers_only() {
        let survey = small();
        let start = read(json!({ "name": "UBND", "area": "00070", "b2": 4 })).unwrap();
        let PageInput { answers, revealed, problems } =
            apply(1, &start, &[("a1", "2"), ("a2", "na"), ("action", "next")]).unwrap();
        assert!(problems.is_empty());
        assert!(revealed.is_empty());
        let json = serde_json::Value::Object(answers.to_json(&survey));
        assert_eq!(json, json!({ "name": "UBND", "area": "00070", "a1": 2, "a2": "na", "b2": 4 }));
    }

    #[test]
    fn a_question_revealed_by_this_page_is_not_an_error_and_is_reported() {
        let start = Answers::empty(&small());
        let PageInput { revealed, problems, .. } = apply(1, &start, &[("a1", "4")]).unwrap();
        assert!(problems.is_empty());
        assert_eq!(revealed, ["a3"]);
    }

    #[test]
    fn an_answer_to_a_question_hidden_by_this_page_is_dropped() {
        let survey = small();
        let start = read(json!({ "a1": 4, "a3": "yes" })).unwrap();
        let answers = apply(1, &start, &[("a1", "1"), ("a3", "yes")]).unwrap().answers;
        assert_eq!(answers.get(survey.question_idx("a3").unwrap()), None);
    }

    #[test]
    fn invalid_and_missing_answers_are_listed_by_question() {
        let problems =
            apply(0, &Answers::empty(&small()), &[("name", " "), ("area", "12")]).unwrap().problems;
        assert_eq!(
            problems,
            [
                AnswerProblem::new("name", ProblemKind::Required),
                AnswerProblem::new("area", ProblemKind::UnknownArea("12".into()))
            ]
        );
    }

    #[test]
    fn valid_answers_are_taken_beside_wrong_and_missing_ones_which_keep_what_was_stored() {
        let survey = small();
        let stored = read(json!({ "name": "UBND Phường", "area": "00070" })).unwrap();
        let input = apply(0, &stored, &[("name", "UBND Phường Ba Đình"), ("area", "12")]).unwrap();
        assert_eq!(
            input.problems,
            [AnswerProblem::new("area", ProblemKind::UnknownArea("12".into()))]
        );
        assert_eq!(input.wrong_values(), input.problems);
        let json = serde_json::Value::Object(input.answers.to_json(&survey));
        assert_eq!(json, json!({ "name": "UBND Phường Ba Đình", "area": "00070" }));

        let partial = apply(0, &Answers::empty(&survey), &[("name", "UBND")]).unwrap();
        assert_eq!(partial.problems, [AnswerProblem::new("area", ProblemKind::Required)]);
        assert!(!partial.is_complete() && partial.wrong_values().is_empty());
        assert_eq!(partial.answers.to_json(&survey)["name"], json!("UBND"));
    }

    #[test]
    fn fields_no_page_of_ours_sends_are_refused() {
        let empty = Answers::empty(&small());
        assert_eq!(
            apply(1, &empty, &[("b1", "x")]),
            Err(ForeignField("b1".into())),
            "a question of another page"
        );
        assert_eq!(
            apply(1, &empty, &[("drop_table", "1")]),
            Err(ForeignField("drop_table".into()))
        );
        assert_eq!(apply(1, &empty, &[("a1", "1"), ("a1", "2")]), Err(ForeignField("a1".into())));
    }

    #[test]
    fn multiple_choices_arrive_as_repeated_fields() {
        let survey = small();
        let answers =
            apply(2, &Answers::empty(&survey), &[("b1", "x"), ("b1", "z")]).unwrap().answers;
        assert_eq!(answers.to_json(&survey)["b1"], json!(["x", "z"]));
    }
}
