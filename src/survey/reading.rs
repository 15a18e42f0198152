//! How long a questionnaire takes to read, from its own texts: what a respondent reads on its
//! pages (the introduction, section and pillar headings, every question's label and help, its
//! choices, scale descriptors and unit), counted in words, which in Vietnamese are syllables.
//! Reading rates are those of plain reading aloud-in-the-head, so the estimate is a lower bound
//! of the time answering takes.

use super::model::{QuestionKind, Survey};
use crate::kernel::{Lang, Text};

/// Words read per minute: Vietnamese syllables, English words.
pub fn words_per_minute(lang: Lang) -> f64 {
    match lang {
        Lang::Vi => 200.0,
        Lang::En => 230.0,
    }
}

/// The words of a questionnaire in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    pub lang: Lang,
    /// Every question shown.
    pub words: usize,
    /// Only the questions every respondent sees (without `show_if`).
    pub always_shown: usize,
}

impl Reading {
    /// Minutes to read every question, rounded up.
    pub fn minutes(&self) -> u32 {
        minutes(self.words, self.lang)
    }

    /// Minutes to read the questions every respondent sees, rounded up.
    pub fn minutes_always_shown(&self) -> u32 {
        minutes(self.always_shown, self.lang)
    }
}

fn minutes(words: usize, lang: Lang) -> u32 {
    // Word counts of a questionnaire are far below 2^52: exact as f64.
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let rounded = (words as f64 / words_per_minute(lang)).ceil() as u32;
    rounded
}

/// The words of `survey` in `lang`.
pub fn reading(survey: &Survey, lang: Lang) -> Reading {
    let count = |text: &Text| text.get(lang).split_whitespace().count();
    let some = |text: &Option<Text>| text.as_ref().map_or(0, count);
    let mut frame = count(&survey.title) + count(&survey.description);
    frame += survey.sections.iter().map(|s| count(&s.title) + some(&s.description)).sum::<usize>();
    frame +=
        survey.dimensions.iter().map(|d| count(&d.title) + some(&d.description)).sum::<usize>();
    let (mut words, mut always_shown) = (frame, frame);
    for question in &survey.questions {
        let mut own = count(&question.label) + some(&question.help);
        own += question.kind.choices().iter().map(|c| count(&c.label)).sum::<usize>();
        own += match &question.kind {
            QuestionKind::Scale { steps } => steps.iter().map(count).sum(),
            QuestionKind::Integer { unit, .. } | QuestionKind::Decimal { unit, .. } => some(unit),
            _ => 0,
        };
        words += own;
        if question.show_if.is_none() {
            always_shown += own;
        }
    }
    Reading { lang, words, always_shown }
}

/// The most minutes the description promises ("about 20–25 minutes", "khoảng 20–25 phút"):
/// the largest number written just before the word for minutes.
pub fn promised_minutes(description: &Text, lang: Lang) -> Option<u32> {
    let unit = match lang {
        Lang::Vi => "phút",
        Lang::En => "minute",
    };
    let words: Vec<&str> = description.get(lang).split_whitespace().collect();
    words
        .windows(2)
        .filter(|pair| pair[1].to_lowercase().starts_with(unit))
        .filter_map(|pair| {
            pair[0]
                .split(['–', '-', '—'])
                .filter_map(|n| n.trim_matches(|c: char| !c.is_ascii_digit()).parse().ok())
                .max()
        })
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_promise_is_the_upper_end_of_the_range_before_the_word_for_minutes() {
        let text = Text::new(
            "Phiếu có 40 câu hỏi. Thời gian trả lời khoảng 20–25 phút.",
            "It has 40 questions. Answering takes about 20–25 minutes.",
        );
        assert_eq!(promised_minutes(&text, Lang::Vi), Some(25));
        assert_eq!(promised_minutes(&text, Lang::En), Some(25));
        assert_eq!(promised_minutes(&Text::new("Mất 15 phút", "15 min"), Lang::Vi), Some(15));
        assert_eq!(promised_minutes(&Text::new("Không hứa", "No promise"), Lang::En), None);
    }

    #[test]
    fn reading_time_rounds_up_at_the_language_rate() {
        let reading = Reading { lang: Lang::Vi, words: 5_401, always_shown: 200 };
        assert_eq!((reading.minutes(), reading.minutes_always_shown()), (28, 1));
        let english = Reading { lang: Lang::En, words: 230, always_shown: 0 };
        assert_eq!((english.minutes(), english.minutes_always_shown()), (1, 0));
    }
}
