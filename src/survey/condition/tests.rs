//! What conditions mean, on the small test questionnaire.

use crate::answers::{Answer, Answers};
use crate::survey::{Survey, parse};

use super::parse::parse as parse_expr;
use super::{Condition, Facts, Scope, resolve};

fn small() -> Survey {
    parse(include_str!("../../../tests/fixtures/small/small.toml"), "small.toml")
        .unwrap_or_else(|e| panic!("{e}"))
}

/// `source` resolved on the small questionnaire (every question in scope), handed to `with`.
fn resolved<T>(source: &str, with: impl FnOnce(&Survey, &Scope<'_>, Condition) -> T) -> T {
    let survey = small();
    let entries: Vec<_> =
        survey.questions.iter().map(|q| (q.id.as_str(), Some(&q.kind), q.offers())).collect();
    let scope = Scope { questions: &entries, before: entries.len(), indicators: &[] };
    let condition =
        resolve(&parse_expr(source).unwrap(), &scope).unwrap_or_else(|e| panic!("{e:?}"));
    with(&survey, &scope, condition)
}

/// Evaluates `source` against `given` answers (all questions shown).
fn holds(source: &str, given: &[(&str, Answer)]) -> bool {
    resolved(source, |survey, _, condition| evaluate(survey, &condition, given))
}

fn evaluate(survey: &Survey, condition: &Condition, given: &[(&str, Answer)]) -> bool {
    let mut answers = Answers::empty(survey);
    for (id, answer) in given {
        answers.set(survey.question_idx(id).unwrap(), Some(answer.clone()));
    }
    let shown = vec![true; survey.questions.len()];
    condition.holds(&Facts { answers: answers.values(), shown: &shown, indicators: &[] })
}

fn choice(i: u8) -> Answer {
    Answer::Choice { choice: i, other: None }
}

#[test]
fn every_test_on_an_unanswered_question_is_false_even_not_equal() {
    assert!(!holds("a2 == 'mid'", &[]));
    assert!(!holds("a2 != 'mid'", &[]));
    assert!(!holds("a1 < 3", &[]));
    assert!(holds("not (a2 == 'mid')", &[]));
    assert!(!holds("answered(a2)", &[]));
}

#[test]
fn choices_numbers_and_lists_compare_as_written() {
    let given = [("a1", Answer::Scale(3)), ("a2", choice(2)), ("a3", Answer::YesNo(false))];
    assert!(holds("a2 == 'high' and a1 >= 3 and a1 < 4 and a3 == 'no'", &given));
    assert!(holds("a2 in ['low', 'high']", &given));
    assert!(!holds("a2 in ['low', 'mid']", &given));
    assert!(holds("a2 != 'low' or a1 == 0", &given));
    assert!(holds("answered(a1)", &given));
}

#[test]
fn not_applicable_is_an_answer_but_not_answered() {
    let given = [("a2", Answer::NotApplicable)];
    assert!(holds("a2 == 'na'", &given));
    assert!(!holds("a2 == 'low'", &given));
    assert!(!holds("answered(a2)", &given));
}

#[test]
fn dont_know_is_an_answer_apart_from_not_applicable_and_not_answered() {
    let given = [("b2", Answer::DontKnow)];
    assert!(holds("b2 == 'dk'", &given));
    assert!(!holds("b2 == 'na'", &given));
    assert!(!holds("answered(b2)", &given));
    assert!(!holds("b2 >= 0", &given), "no number to compare");
}

#[test]
fn has_and_has_any_look_inside_multiple_choices() {
    let given = [("b1", Answer::Choices { set: [0u8, 2].into_iter().collect(), other: None })];
    assert!(holds("b1 has 'x'", &given));
    assert!(!holds("b1 has 'y'", &given));
    assert!(holds("b1 has_any ['y', 'z']", &given));
    assert!(!holds("b1 has_any ['y', 'none']", &given));
}

#[test]
fn mistakes_are_named_precisely() {
    let survey = small();
    let entries: Vec<_> =
        survey.questions.iter().map(|q| (q.id.as_str(), Some(&q.kind), q.offers())).collect();
    let scope = Scope { questions: &entries, before: entries.len(), indicators: &[] };
    let errors =
        |source: &str| resolve(&parse_expr(source).unwrap(), &scope).unwrap_err().join("; ");
    assert!(errors("a1 == 'high'").contains("compare it with a number"));
    assert!(errors("a2 > 1").contains("cannot be compared with the number"));
    assert!(errors("a3 == 'maybe'").contains("has no choice 'maybe'"));
    assert!(errors("a3 == 'na'").contains("does not offer 'na'"));
    assert!(errors("b1 == 'x'").contains("use has or has_any"));
    assert!(errors("a2 has 'low'").contains("'has' applies to multiple-choice"));
    assert!(errors("a1").contains("is a question"));
    let both = errors("zz == 'a' or a2 == 'nope'");
    assert!(both.contains("no question 'zz'") && both.contains("no choice 'nope'"), "{both}");
}

/// Why `source` can never hold on the small questionnaire, if it cannot.
fn never(source: &str) -> Option<String> {
    resolved(source, |_, scope, condition| super::impossible(&condition, scope))
}

#[test]
fn a_condition_no_answer_can_satisfy_is_found_and_explained() {
    let beyond = never("a1 > 5").expect("a scale stops at 5");
    assert!(beyond.contains("'a1'") && beyond.contains("0 to 5"), "{beyond}");
    assert!(never("a1 == 6").is_some());
    assert!(never("a1 > 2 and a1 < 3").is_some(), "no whole step between 2 and 3");
    let both = never("a2 == 'low' and a2 == 'high'").expect("one answer, two values");
    assert!(both.contains("'a2'"), "{both}");
    assert!(never("a2 in ['low', 'mid'] and a2 == 'high' and a1 >= 0").is_some());
    assert!(never("(a2 == 'low' or a1 > 9) and a2 == 'high'").is_some());
}

#[test]
fn a_condition_some_answers_satisfy_is_accepted() {
    for source in [
        "a1 >= 5",
        "a1 > 2 and a1 < 4",
        "a2 == 'low' or a2 == 'high'",
        "(a2 == 'low' or a1 > 4) and a2 == 'high'",
        "not (a2 == 'low') and a2 == 'low'",
        "a2 in ['low', 'mid'] and a2 != 'low'",
        "a3 == 'yes' and answered(a1)",
    ] {
        assert_eq!(never(source), None, "{source}");
    }
}
