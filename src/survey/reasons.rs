//! Why a version of a questionnaire differs from the one before: `<id>.changes.toml` beside the
//! file, one `[[changes]]` entry per changed item (what, why, which source). Read strictly, every
//! problem located, and checked against the two versions so that no change goes unexplained.

use serde::Deserialize;
use toml::Spanned;

use super::diff::ItemChange;
use super::model::Survey;
use super::problem::{LoadError, Problem, line_of};
use super::raw::RawText;
use crate::kernel::Text;

/// Why one item changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    /// An id of the new version (or `file`); of the old one when `removed`.
    pub item: String,
    /// The old version's ids this item replaces.
    pub replaces: Vec<String>,
    pub removed: bool,
    pub what: Text,
    pub why: Text,
    pub source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReasons {
    #[serde(default)]
    changes: Vec<Spanned<RawReason>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReason {
    item: String,
    #[serde(default)]
    replaces: Vec<String>,
    #[serde(default)]
    removed: bool,
    what: RawText,
    why: RawText,
    source: Option<String>,
}

/// The ids of every item of `survey` (`file` among them), read once per file of reasons.
fn item_ids(survey: &Survey) -> std::collections::HashSet<String> {
    super::diff::items(survey).into_iter().map(|i| i.id).collect()
}

/// Reads the reasons for the changes from `old` to `new`; `file` names the source in problems.
pub fn read_reasons(
    source: &str,
    file: &str,
    old: &Survey,
    new: &Survey,
) -> Result<Vec<Reason>, LoadError> {
    let problem = |line: Option<usize>, item: Option<String>, message: String| Problem {
        file: file.to_string(),
        line,
        item,
        message,
    };
    let raw: RawReasons = toml::from_str(source).map_err(|e| LoadError {
        problems: vec![problem(
            e.span().map(|s| line_of(source, s.start)),
            None,
            e.message().trim().to_string(),
        )],
    })?;
    let (old_ids, new_ids) = (item_ids(old), item_ids(new));
    let mut problems = Vec::new();
    let mut reasons = Vec::new();
    for spanned in raw.changes {
        let line = Some(line_of(source, spanned.span().start));
        let r = spanned.into_inner();
        let what = format!("change '{}'", r.item);
        let mut complain =
            |message: String| problems.push(problem(line, Some(what.clone()), message));
        if r.removed && (new_ids.contains(&r.item) || !old_ids.contains(&r.item)) {
            complain(format!(
                "'{}' is marked removed, so it must be an item of version {} and not of version {}",
                r.item, old.version, new.version
            ));
        } else if !r.removed && !new_ids.contains(&r.item) {
            complain(format!(
                "'{}' is no item of version {} (mark a removed item `removed = true`)",
                r.item, new.version
            ));
        }
        for replaced in r.replaces.iter().filter(|id| !old_ids.contains(*id)) {
            complain(format!("replaces '{replaced}', which is no item of version {}", old.version));
        }
        let text =
            |raw: RawText, key: &str, complain: &mut dyn FnMut(String)| match (raw.vi, raw.en) {
                (Some(vi), Some(en)) if !vi.trim().is_empty() && !en.trim().is_empty() => {
                    Some(Text::new(vi.trim(), en.trim()))
                }
                _ => {
                    complain(format!("`{key}` needs a Vietnamese and an English text"));
                    None
                }
            };
        let (what_text, why_text) =
            (text(r.what, "what", &mut complain), text(r.why, "why", &mut complain));
        if let (Some(what), Some(why)) = (what_text, why_text) {
            reasons.push(Reason {
                item: r.item,
                replaces: r.replaces,
                removed: r.removed,
                what,
                why,
                source: r.source,
            });
        }
    }
    if problems.is_empty() { Ok(reasons) } else { Err(LoadError { problems }) }
}

/// The changes no reason explains: a changed or added item needs a reason of its own; a removed
/// one a reason marking it removed, or one that replaces it.
pub fn unexplained<'c>(changes: &'c [ItemChange], reasons: &[Reason]) -> Vec<&'c ItemChange> {
    changes
        .iter()
        .filter(|change| {
            let own =
                reasons.iter().any(|r| r.item == change.id && r.removed == change.new.is_none());
            let replaced =
                change.new.is_none() && reasons.iter().any(|r| r.replaces.contains(&change.id));
            !own && !replaced
        })
        .collect()
}

/// The reason that explains a change, if any.
pub fn reason_for<'r>(change: &ItemChange, reasons: &'r [Reason]) -> Option<&'r Reason> {
    reasons.iter().find(|r| r.item == change.id && r.removed == change.new.is_none()).or_else(
        || {
            change
                .new
                .is_none()
                .then(|| reasons.iter().find(|r| r.replaces.contains(&change.id)))
                .flatten()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::diff::changes;

    const ENTERPRISE: &str = include_str!("../../surveys/archive/enterprise-dx.v1.toml");

    fn versions() -> (Survey, Survey) {
        let parse = |s: &str| crate::survey::parse(s, "t.toml").unwrap_or_else(|e| panic!("{e}"));
        let new = ENTERPRISE
            .replace("version = 1", "version = 2")
            .replace("Năm thành lập doanh nghiệp", "Năm doanh nghiệp được thành lập")
            .replace("id = \"website\"", "id = \"has_site\"")
            .replace("website == 'yes'", "has_site == 'yes'");
        (parse(ENTERPRISE), parse(&new))
    }

    #[test]
    fn every_change_needs_a_reason_and_a_replacement_explains_a_removal() {
        let (old, new) = versions();
        let found = changes(&old, &new);
        let reasons = "[[changes]]\nitem = \"year_founded\"\nwhat = { vi = \"Sửa câu chữ\", en = \"Reworded\" }\nwhy = { vi = \"Rõ hơn\", en = \"Clearer\" }\n";
        let read = read_reasons(reasons, "r.toml", &old, &new).unwrap();
        let missing: Vec<&str> = unexplained(&found, &read).iter().map(|c| c.id.as_str()).collect();
        assert!(missing.contains(&"has_site") && missing.contains(&"website"), "{missing:?}");
        assert!(!missing.contains(&"year_founded"));
        let replaced = format!(
            "{reasons}[[changes]]\nitem = \"has_site\"\nreplaces = [\"website\"]\nwhat = {{ vi = \"Đổi mã\", en = \"New id\" }}\nwhy = {{ vi = \"Thống nhất\", en = \"Consistency\" }}\n"
        );
        let read = read_reasons(&replaced, "r.toml", &old, &new).unwrap();
        let missing: Vec<&str> = unexplained(&found, &read).iter().map(|c| c.id.as_str()).collect();
        // Indicators naming the question changed their condition: they need their own reason.
        assert!(!missing.contains(&"has_site") && !missing.contains(&"website"), "{missing:?}");
        let removed = found.iter().find(|c| c.id == "website").unwrap();
        assert_eq!(reason_for(removed, &read).map(|r| r.item.as_str()), Some("has_site"));
    }

    #[test]
    fn a_reason_for_no_item_or_in_one_language_is_refused_with_its_line() {
        let (old, new) = versions();
        let text = "[[changes]]\nitem = \"year_founded\"\nwhat = { vi = \"Sửa\", en = \"Edit\" }\nwhy = { vi = \"Rõ\", en = \"Clear\" }\n\n[[changes]]\nitem = \"nowhere\"\nreplaces = [\"nothing\"]\nwhat = { vi = \"Sửa\" }\nwhy = { vi = \"Rõ\", en = \"Clear\" }\n\n[[changes]]\nitem = \"year_founded\"\nremoved = true\nwhat = { vi = \"Bỏ\", en = \"Drop\" }\nwhy = { vi = \"Thừa\", en = \"Redundant\" }\n";
        let problems = read_reasons(text, "r.toml", &old, &new).unwrap_err().problems;
        let all: Vec<String> = problems.iter().map(ToString::to_string).collect();
        let has = |needle: &str| all.iter().any(|p| p.contains(needle));
        assert!(has("r.toml:6: change 'nowhere': 'nowhere' is no item of version 2"), "{all:?}");
        assert!(has("replaces 'nothing', which is no item of version 1"), "{all:?}");
        assert!(has("`what` needs a Vietnamese and an English text"), "{all:?}");
        assert!(
            has("r.toml:12: change 'year_founded': 'year_founded' is marked removed"),
            "{all:?}"
        );
    }
}
