//! Hand-worked scores on a small questionnaire, and properties that hold for any answers.

use proptest::prelude::*;

use super::*;
use crate::answers::ChoiceSet;
use crate::survey::parse;

/// Two dimensions (weights 1 and 3), a condition, "not applicable", an exclusive choice.
const SMALL: &str = include_str!("../../tests/fixtures/small/small.toml");

fn small() -> Survey {
    parse(SMALL, "small.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// Answers by question id; the profile is left empty (it is not scored).
fn answers(survey: &Survey, given: &[(&str, Answer)]) -> Answers {
    let mut answers = Answers::empty(survey);
    for (id, answer) in given {
        answers.set(survey.question_idx(id).expect("question"), Some(answer.clone()));
    }
    answers
}

fn choice(i: u8) -> Answer {
    Answer::Choice { choice: i, other: None }
}

fn choices(ids: &[u8]) -> Answer {
    Answer::Choices { set: ids.iter().copied().collect(), other: None }
}

#[test]
fn weighted_means_of_dimensions_and_overall_match_hand_computation() {
    let survey = small();
    let given = answers(
        &survey,
        &[
            ("a1", Answer::Scale(4)),
            ("a2", choice(1)),
            ("a3", Answer::YesNo(true)),
            ("b1", choices(&[0, 2])),
            ("b2", Answer::NotApplicable),
        ],
    );
    let card = score(&survey, &given);
    // a = 100 (0.8·1 + 0.5·2 + 1·1) / 4 = 70; b = 100 · 3/4 = 75 ("na" is left out).
    assert_eq!(card.dimensions, vec![Some(70.0), Some(75.0)]);
    // overall = (70·1 + 75·3) / 4 = 73.75 -> "high" (from 70).
    assert_eq!(card.overall, Some(73.75));
    assert_eq!(card.level, Some(2));
    assert_eq!(card.indicators, vec![true, true]);
}

#[test]
fn dont_know_counts_as_little_as_not_applicable() {
    let survey = small();
    let with = |b2: Answer| {
        let given =
            answers(&survey, &[("a1", Answer::Scale(2)), ("b1", choices(&[0, 2])), ("b2", b2)]);
        score(&survey, &given).dimensions
    };
    assert_eq!(with(Answer::DontKnow), with(Answer::NotApplicable));
    assert_ne!(with(Answer::DontKnow), with(Answer::Scale(0)), "not a zero");
}

#[test]
fn hidden_questions_and_not_applicable_do_not_count() {
    let survey = small();
    // a1 = 2 hides a3, so its "yes" is ignored; a2 is not applicable.
    let given = answers(
        &survey,
        &[
            ("a1", Answer::Scale(2)),
            ("a2", Answer::NotApplicable),
            ("a3", Answer::YesNo(true)),
            ("b1", choices(&[3])),
            ("b2", Answer::Scale(5)),
        ],
    );
    let card = score(&survey, &given);
    // a = 100 · 0.4 = 40; b = 100 (0 + 1) / 2 = 50; overall = (40 + 150) / 4 = 47.5 -> "mid".
    assert_eq!(card.dimensions, vec![Some(40.0), Some(50.0)]);
    assert_eq!(card.overall, Some(47.5));
    assert_eq!(card.level, Some(1));
    assert_eq!(card.indicators, vec![false, false]);
}

#[test]
fn a_dimension_without_counting_answers_has_no_score_and_is_left_out_of_the_overall() {
    let survey = small();
    let card = score(&survey, &answers(&survey, &[("b2", Answer::Scale(1))]));
    assert_eq!(card.dimensions, vec![None, Some(20.0)]);
    assert_eq!(card.overall, Some(20.0));
    let empty = score(&survey, &Answers::empty(&survey));
    assert_eq!(empty.overall, None);
    assert_eq!(empty.level, None);
}

#[test]
fn multiple_choice_is_capped_at_full_score() {
    let survey = small();
    let card = score(&survey, &answers(&survey, &[("b1", choices(&[0, 1, 2]))]));
    // 1 + 1 + 2 = 4 = full score (the sum of positive scores) -> 100.
    assert_eq!(card.dimensions[1], Some(100.0));
}

/// Any answer a question of `kind` can take, "not applicable" and no answer included.
fn any_answer(kind: &QuestionKind) -> BoxedStrategy<Option<Answer>> {
    let answer: BoxedStrategy<Answer> = match kind {
        QuestionKind::Scale { .. } => (0u8..6).prop_map(Answer::Scale).boxed(),
        QuestionKind::SingleChoice { choices, .. } => {
            (0..choices.len() as u8).prop_map(choice).boxed()
        }
        QuestionKind::MultipleChoice { choices, .. } => {
            proptest::collection::vec(0..choices.len() as u8, 1..4)
                .prop_map(|ids| Answer::Choices {
                    set: ids.into_iter().collect::<ChoiceSet>(),
                    other: None,
                })
                .boxed()
        }
        QuestionKind::YesNo => any::<bool>().prop_map(Answer::YesNo).boxed(),
        _ => Just(Answer::Text("x".into())).boxed(),
    };
    prop_oneof![1 => Just(None), 1 => Just(Some(Answer::NotApplicable)), 6 => answer.prop_map(Some)]
        .boxed()
}

fn any_answers() -> impl Strategy<Value = (Survey, Answers)> {
    let survey = small();
    let strategies: Vec<_> = survey.questions.iter().map(|q| any_answer(&q.kind)).collect();
    strategies.prop_map(move |values| {
        let mut answers = Answers::empty(&survey);
        for (i, value) in values.into_iter().enumerate() {
            answers.set(i, value);
        }
        (survey.clone(), answers)
    })
}

proptest! {
    #[test]
    fn scores_stay_within_0_and_100((survey, answers) in any_answers()) {
        let card = score(&survey, &answers);
        for s in card.dimensions.iter().flatten().chain(card.overall.iter()) {
            prop_assert!((0.0..=100.0).contains(s), "score {s}");
        }
    }

    #[test]
    fn raising_one_answer_never_lowers_its_dimension((survey, answers) in any_answers(), which in 0usize..3) {
        // Questions no condition depends on: a scale, a single choice and a multiple choice.
        let id = ["a2", "b1", "b2"][which];
        let idx = survey.question_idx(id).unwrap();
        let question = &survey.questions[idx];
        let d = question.scored_dimension().unwrap();
        let before = score(&survey, &answers).dimensions[d];
        let raised = match (&question.kind, answers.get(idx)) {
            (QuestionKind::Scale { .. }, Some(Answer::Scale(s))) if *s < 5 => Answer::Scale(s + 1),
            (QuestionKind::SingleChoice { .. }, Some(Answer::Choice { choice: c, .. })) if *c < 2 => choice(c + 1),
            (QuestionKind::MultipleChoice { .. }, Some(Answer::Choices { set, .. })) if !set.contains(3) => {
                let mut more = *set;
                more.insert(2);
                Answer::Choices { set: more, other: None }
            }
            _ => return Ok(()),
        };
        let mut higher = answers;
        higher.set(idx, Some(raised));
        let after = score(&survey, &higher).dimensions[d];
        prop_assert!(after >= before, "{id}: {before:?} -> {after:?}");
    }

    #[test]
    fn answers_to_hidden_questions_change_nothing((survey, answers) in any_answers(), (_, other) in any_answers()) {
        // Give every hidden question the other draw's answer: nothing may change.
        let shown = answers.shown(&survey);
        let mut changed = answers.clone();
        for (i, visible) in shown.iter().enumerate() {
            if !visible {
                changed.set(i, other.get(i).cloned());
            }
        }
        prop_assert_eq!(score(&survey, &changed), score(&survey, &answers));
    }
}
