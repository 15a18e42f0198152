//! Whether a condition can hold for some answers: a `show_if` that never holds hides its
//! question for good, which is a mistake in the questionnaire, not in the answers.
//!
//! The check is conservative: it refuses only what is provably impossible. The condition is
//! expanded into alternatives of conjunctions (up to a bound; beyond it, anything is taken as
//! possible), and each conjunction's tests on the same question are intersected: the range of
//! a number or scale, the set of values of a single choice, yes/no or code question. Negated
//! tests hold for an unanswered question and never make a conjunction impossible.

use std::collections::HashMap;

use super::parse::CmpOp;
use super::{Condition, Scope, Target};
use crate::survey::model::QuestionKind;

/// Beyond this many alternatives the condition is taken as possible rather than expanded.
const MAX_ALTERNATIVES: usize = 256;

/// A test that must hold: one question's answer satisfies it.
#[derive(Clone)]
enum Atom {
    Compare { question: usize, op: CmpOp, value: f64 },
    Is { question: usize, targets: Vec<Target> },
}

/// Why no answers satisfy `condition`, or `None` when some can.
pub fn impossible(condition: &Condition, scope: &Scope<'_>) -> Option<String> {
    let alternatives = expand(condition, false)?;
    let mut reason = None;
    for conjunction in &alternatives {
        match conflict(conjunction, scope) {
            None => return None,
            Some(why) => reason = Some(why),
        }
    }
    reason.or_else(|| Some("it has no alternative that can hold".into()))
}

/// The condition as alternatives of conjunctions of positive tests; `None` when too large.
/// A negated test, an indicator or `answered()` may hold and constrains nothing here.
fn expand(condition: &Condition, negated: bool) -> Option<Vec<Vec<Atom>>> {
    let unconstrained = || Some(vec![vec![]]);
    match (condition, negated) {
        (Condition::Any(terms), false) | (Condition::All(terms), true) => {
            let mut out = Vec::new();
            for term in terms {
                out.extend(expand(term, negated)?);
                if out.len() > MAX_ALTERNATIVES {
                    return None;
                }
            }
            Some(out)
        }
        (Condition::All(terms), false) | (Condition::Any(terms), true) => {
            let mut out: Vec<Vec<Atom>> = vec![vec![]];
            for term in terms {
                let choices = expand(term, negated)?;
                if out.len() * choices.len() > MAX_ALTERNATIVES {
                    return None;
                }
                out = out
                    .iter()
                    .flat_map(|left| {
                        choices.iter().map(move |right| [left.clone(), right.clone()].concat())
                    })
                    .collect();
            }
            Some(out)
        }
        (Condition::Not(inner), _) => expand(inner, !negated),
        (Condition::Compare { question, op, value }, false) => {
            Some(vec![vec![Atom::Compare { question: *question, op: *op, value: *value }]])
        }
        (Condition::Is { question, targets, negate: false }, false) => {
            Some(vec![vec![Atom::Is { question: *question, targets: targets.clone() }]])
        }
        _ => unconstrained(),
    }
}

/// Why the tests of one conjunction cannot all hold, if they cannot.
fn conflict(conjunction: &[Atom], scope: &Scope<'_>) -> Option<String> {
    let mut ranges: HashMap<usize, (f64, f64)> = HashMap::new();
    let mut values: HashMap<usize, Vec<Target>> = HashMap::new();
    for atom in conjunction {
        match atom {
            Atom::Compare { question, op, value } => {
                let kind = scope.questions[*question].1;
                let range = ranges.entry(*question).or_insert_with(|| bounds(kind));
                *range = narrowed(*range, *op, *value, integral(kind));
                if range.0 > range.1 {
                    return Some(format!(
                        "'{}' can never be {op} {value} together with the rest{}",
                        scope.questions[*question].0,
                        describe(kind)
                    ));
                }
            }
            Atom::Is { question, targets } => {
                let allowed = values.entry(*question).or_insert_with(|| targets.clone());
                allowed.retain(|t| targets.contains(t));
                if allowed.is_empty() {
                    return Some(format!(
                        "'{}' has one answer and cannot be all of the values this condition asks for",
                        scope.questions[*question].0
                    ));
                }
            }
        }
    }
    None
}

/// The values a number or scale answer can take.
fn bounds(kind: Option<&QuestionKind>) -> (f64, f64) {
    #[allow(clippy::cast_precision_loss)]
    match kind {
        Some(QuestionKind::Scale { .. }) => (0.0, 5.0),
        Some(QuestionKind::Integer { min, max, .. }) => {
            (min.map_or(f64::NEG_INFINITY, |m| m as f64), max.map_or(f64::INFINITY, |m| m as f64))
        }
        Some(QuestionKind::Decimal { min, max, .. }) => {
            (min.unwrap_or(f64::NEG_INFINITY), max.unwrap_or(f64::INFINITY))
        }
        _ => (f64::NEG_INFINITY, f64::INFINITY),
    }
}

fn integral(kind: Option<&QuestionKind>) -> bool {
    matches!(kind, Some(QuestionKind::Scale { .. } | QuestionKind::Integer { .. }))
}

/// `range` narrowed by "answer `op` `value`"; strict comparisons step to the next whole
/// number for whole-number questions, and by nothing otherwise (a conservative closed bound).
fn narrowed((low, high): (f64, f64), op: CmpOp, value: f64, integral: bool) -> (f64, f64) {
    let above = if integral { value.floor() + 1.0 } else { value };
    let below = if integral { value.ceil() - 1.0 } else { value };
    match op {
        CmpOp::Eq if integral && value.fract() != 0.0 => (1.0, 0.0),
        CmpOp::Eq => (low.max(value), high.min(value)),
        CmpOp::Gt => (low.max(above), high),
        CmpOp::Ge => (low.max(value), high),
        CmpOp::Lt => (low, high.min(below)),
        CmpOp::Le => (low, high.min(value)),
        CmpOp::Ne => (low, high),
    }
}

fn describe(kind: Option<&QuestionKind>) -> String {
    match kind {
        Some(QuestionKind::Scale { .. }) => " (a scale goes from 0 to 5)".into(),
        Some(QuestionKind::Integer { min, max, .. }) => format!(
            " (its answers go from {} to {})",
            min.map_or("…".into(), |m| m.to_string()),
            max.map_or("…".into(), |m| m.to_string())
        ),
        Some(QuestionKind::Decimal { min, max, .. }) => format!(
            " (its answers go from {} to {})",
            min.map_or("…".into(), |m| m.to_string()),
            max.map_or("…".into(), |m| m.to_string())
        ),
        _ => String::new(),
    }
}
