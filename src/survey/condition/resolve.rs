//! Resolving parsed names against a questionnaire, with every mistake reported.

use super::parse::{CmpOp, Expr, Literal, Name};
use super::{Condition, Target};
use crate::answers::ChoiceSet;
use crate::survey::model::{Offers, QuestionKind};

/// What a condition may refer to.
pub struct Scope<'a> {
    /// Every question of the file, in order: id, type (`None` if the question itself is
    /// invalid) and whether it offers "not applicable" and "don't know".
    pub questions: &'a [(&'a str, Option<&'a QuestionKind>, Offers)],
    /// Only questions before this position may be named.
    pub before: usize,
    /// Indicators that may be named as bare ids (earlier ones, in `when` only).
    pub indicators: &'a [&'a str],
}

/// Resolves `expr`, or lists everything wrong with it.
pub fn resolve(expr: &Expr, scope: &Scope<'_>) -> Result<Condition, Vec<String>> {
    let mut errors = Vec::new();
    let condition = resolve_expr(expr, scope, &mut errors);
    if errors.is_empty() { Ok(condition) } else { Err(errors) }
}

fn resolve_expr(expr: &Expr, scope: &Scope<'_>, errors: &mut Vec<String>) -> Condition {
    let mut all = |terms: &[Expr]| terms.iter().map(|t| resolve_expr(t, scope, errors)).collect();
    match expr {
        Expr::Or(terms) => Condition::Any(all(terms)),
        Expr::And(terms) => Condition::All(all(terms)),
        Expr::Not(inner) => Condition::Not(Box::new(resolve_expr(inner, scope, errors))),
        Expr::Compare { name, op, value } => {
            let Some((question, kind, na)) = lookup(name, scope, errors) else {
                return Condition::Any(vec![]);
            };
            match value {
                Literal::Num(n) => {
                    if let Some(kind) = kind
                        && !matches!(
                            kind,
                            QuestionKind::Integer { .. }
                                | QuestionKind::Decimal { .. }
                                | QuestionKind::Scale { .. }
                        )
                    {
                        errors.push(format!(
                            "'{}' is a {} question and cannot be compared with the number {n} (at character {})",
                            name.id,
                            kind.name(),
                            name.offset + 1
                        ));
                    }
                    Condition::Compare { question, op: *op, value: *n }
                }
                Literal::Str(s) => {
                    if !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                        errors.push(format!(
                            "'{}' is compared with the text '{s}' by an order comparison; only == and != apply to texts (at character {})",
                            name.id,
                            name.offset + 1
                        ));
                    }
                    let targets = targets(name, kind, na, std::slice::from_ref(value), errors);
                    Condition::Is { question, targets, negate: *op == CmpOp::Ne }
                }
            }
        }
        Expr::In { name, values } => {
            let Some((question, kind, na)) = lookup(name, scope, errors) else {
                return Condition::Any(vec![]);
            };
            let targets = targets(name, kind, na, values, errors);
            Condition::Is { question, targets, negate: false }
        }
        Expr::Has { name, values } => {
            let Some((question, kind, _)) = lookup(name, scope, errors) else {
                return Condition::Any(vec![]);
            };
            let mut choices = ChoiceSet::default();
            match kind {
                Some(kind @ QuestionKind::MultipleChoice { .. }) => {
                    for value in values {
                        match choice_of(kind, value) {
                            Some(i) => choices.insert(i),
                            None => errors.push(unknown_choice(name, value)),
                        }
                    }
                }
                Some(kind) => errors.push(format!(
                    "'has' applies to multiple-choice questions, but '{}' is a {} question (at character {})",
                    name.id,
                    kind.name(),
                    name.offset + 1
                )),
                None => {}
            }
            Condition::Has { question, choices }
        }
        Expr::Answered(name) => match lookup(name, scope, errors) {
            Some((question, _, _)) => Condition::Answered(question),
            None => Condition::Any(vec![]),
        },
        Expr::Flag(name) => {
            if let Some(i) = scope.indicators.iter().position(|id| *id == name.id) {
                return Condition::Indicator(i);
            }
            let what = if scope.questions.iter().any(|(id, _, _)| *id == name.id) {
                format!(
                    "'{}' is a question: test its answer, e.g. {} == 'yes' or answered({})",
                    name.id, name.id, name.id
                )
            } else if scope.indicators.is_empty() {
                format!("'{}' alone is not a condition: compare it with a value", name.id)
            } else {
                format!("'{}' is not an indicator declared above this one", name.id)
            };
            errors.push(format!("{what} (at character {})", name.offset + 1));
            Condition::Any(vec![])
        }
    }
}

fn lookup<'a>(
    name: &Name,
    scope: &Scope<'a>,
    errors: &mut Vec<String>,
) -> Option<(usize, Option<&'a QuestionKind>, Offers)> {
    match scope.questions.iter().position(|(id, _, _)| *id == name.id) {
        Some(i) if i < scope.before => {
            let (_, kind, na) = scope.questions[i];
            Some((i, kind, na))
        }
        Some(_) => {
            errors.push(format!(
                "'{}' is not asked before this question; a condition may only use earlier answers (at character {})",
                name.id,
                name.offset + 1
            ));
            None
        }
        None => {
            errors.push(format!("no question '{}' (at character {})", name.id, name.offset + 1));
            None
        }
    }
}

fn choice_of(kind: &QuestionKind, value: &Literal) -> Option<u8> {
    match value {
        Literal::Str(id) => kind.choice_idx(id),
        Literal::Num(_) => None,
    }
}

fn unknown_choice(name: &Name, value: &Literal) -> String {
    format!("question '{}' has no choice {value} (at character {})", name.id, name.offset + 1)
}

fn targets(
    name: &Name,
    kind: Option<&QuestionKind>,
    offers: Offers,
    values: &[Literal],
    errors: &mut Vec<String>,
) -> Vec<Target> {
    let Some(kind) = kind else { return vec![] };
    let mut targets = Vec::with_capacity(values.len());
    for value in values {
        let Literal::Str(text) = value else {
            errors.push(format!(
                "'in' lists quoted values, not the number {value} (at character {})",
                name.offset + 1
            ));
            continue;
        };
        let offered = match text.as_str() {
            "na" => Some((offers.not_applicable, "not applicable", Target::NotApplicable)),
            "dk" => Some((offers.dont_know, "don't know", Target::DontKnow)),
            _ => None,
        };
        if let Some((offered, meaning, target)) = offered {
            if !offered {
                errors.push(format!(
                    "question '{}' does not offer '{text}' ({meaning}) (at character {})",
                    name.id,
                    name.offset + 1
                ));
            }
            targets.push(target);
            continue;
        }
        let target = match kind {
            QuestionKind::SingleChoice { .. } => kind.choice_idx(text).map(Target::Choice),
            QuestionKind::YesNo => match text.as_str() {
                "yes" => Some(Target::YesNo(true)),
                "no" => Some(Target::YesNo(false)),
                _ => None,
            },
            QuestionKind::VsicSection { .. } => crate::reference::VsicSection::parse(text)
                .ok()
                .map(|s| Target::Code(s.letter().to_string())),
            QuestionKind::Area | QuestionKind::ShortText { .. } | QuestionKind::LongText { .. } => {
                Some(Target::Code(text.clone()))
            }
            QuestionKind::MultipleChoice { .. } => {
                errors.push(format!(
                    "'{}' is a multiple-choice question: use has or has_any, not == or in (at character {})",
                    name.id,
                    name.offset + 1
                ));
                continue;
            }
            QuestionKind::Scale { .. }
            | QuestionKind::Integer { .. }
            | QuestionKind::Decimal { .. } => {
                errors.push(format!(
                    "'{}' is a {} question: compare it with a number, not the text {value} (at character {})",
                    name.id,
                    kind.name(),
                    name.offset + 1
                ));
                continue;
            }
        };
        match target {
            Some(t) => targets.push(t),
            None => errors.push(unknown_choice(name, value)),
        }
    }
    targets
}
