//! Page templates from `templates/`, all loaded and compiled at start, so that a broken
//! template stops the server from starting rather than failing a request. Only `.html` names
//! are accepted, so minijinja escapes every value.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use minijinja::Environment;
use minijinja::value::Serde;
use serde::Serialize;

use crate::kernel::{Lang, Text};

/// Every `*.html` file under `dir` (one folder per audience: `respond/`, `staff/`, `stats/`,
/// `admin/`; shared pieces at the top), with its name as templates refer to it.
fn html_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|e| format!("{}: cannot list templates: {e}", folder.display()))?;
        for path in entries.filter_map(Result::ok).map(|e| e.path()) {
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                let relative = path.strip_prefix(dir).map_err(|e| e.to_string())?;
                let name = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                found.push((name, path));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The compiled templates and the interface's words in both languages.
pub struct Templates {
    env: Environment<'static>,
    messages: BTreeMap<String, Text>,
    /// The words of each language as a template value, built once: converting some 300 words
    /// for every page was a large share of a page's time.
    words: [minijinja::Value; 2],
}

impl Templates {
    /// Loads every `*.html` file under `dir`, named by its path from `dir` (`respond/page.html`),
    /// and the words of `dir/messages.toml`.
    pub fn load(dir: &Path) -> Result<Templates, String> {
        let mut env = Environment::new();
        formats::register(&mut env);
        for (name, path) in html_files(dir)? {
            let source =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            env.add_template_owned(name, source).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        let messages_path = dir.join("messages.toml");
        let messages: BTreeMap<String, Text> = std::fs::read_to_string(&messages_path)
            .map_err(|e| format!("{}: {e}", messages_path.display()))
            .and_then(|s| {
                toml::from_str(&s).map_err(|e| format!("{}: {e}", messages_path.display()))
            })?;
        let words = Lang::ALL.map(|lang| {
            let in_lang: BTreeMap<&str, &str> =
                messages.iter().map(|(k, v)| (k.as_str(), v.get(lang))).collect();
            minijinja::Value::from(Serde(&in_lang))
        });
        Ok(Templates { env, messages, words })
    }

    /// Renders `name` with `context`, plus `lang` and `t` (the interface words in `lang`).
    pub fn render<C: Serialize>(
        &self,
        name: &str,
        lang: Lang,
        context: &C,
    ) -> Result<String, minijinja::Error> {
        let words = self.words[usize::from(lang == Lang::En)].clone();
        let template = self.env.get_template(name)?;
        template.render(minijinja::context! { lang => lang.code(), t => words, ..minijinja::Value::from(Serde(context)) })
    }

    /// One interface word in `lang`, or its key if missing.
    pub fn word<'a>(&'a self, key: &'a str, lang: Lang) -> &'a str {
        self.messages.get(key).map_or(key, |t| t.get(lang))
    }
}

/// Filters that write numbers and dates as the page's language does, with the kernel's
/// functions, so pages and PDFs agree: `{{ x | decimal }}`, `{{ share | percent }}`,
/// `{{ n | count }}`, `{{ iso | date }}`, `{{ rfc3339 | moment }}`.
mod formats {
    use minijinja::{Environment, State};

    use crate::kernel::Lang;
    use crate::kernel::format;

    fn lang(state: &State<'_, '_>) -> Lang {
        state.lookup("lang").and_then(|l| l.as_str().and_then(Lang::parse)).unwrap_or_default()
    }

    pub fn register(env: &mut Environment<'static>) {
        env.add_filter("decimal", |s: &State<'_, '_>, x: f64| format::decimal(x, lang(s)));
        env.add_filter("percent", |s: &State<'_, '_>, x: f64| format::percent(x, lang(s)));
        env.add_filter("count", |s: &State<'_, '_>, n: i64| format::count(n, lang(s)));
        env.add_filter("date", |s: &State<'_, '_>, iso: String| format::iso_date(&iso, lang(s)));
        env.add_filter("moment", |s: &State<'_, '_>, at: String| {
            format::rfc3339_moment(&at, lang(s))
        });
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    /// Every `t.key` a template uses, with the file it is in.
    fn keys_used(dir: &Path) -> BTreeSet<(String, String)> {
        let mut used = BTreeSet::new();
        for (name, path) in super::html_files(dir).unwrap() {
            let source = std::fs::read_to_string(path).unwrap();
            for (at, _) in source.match_indices("t.") {
                let before = source[..at].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                    continue;
                }
                let key: String = source[at + 2..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !key.is_empty() {
                    used.insert((name.clone(), key));
                }
            }
        }
        used
    }

    #[test]
    fn every_message_key_a_template_uses_exists_in_both_languages() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let templates = super::Templates::load(&dir).unwrap();
        let used = keys_used(&dir);
        assert!(used.len() > 100, "the scan finds the keys: {}", used.len());
        let missing: Vec<String> = used
            .iter()
            .filter(|(_, key)| !templates.messages.contains_key(key))
            .map(|(file, key)| format!("{file}: t.{key}"))
            .collect();
        assert!(missing.is_empty(), "keys missing from messages.toml:\n{}", missing.join("\n"));
        for (key, text) in &templates.messages {
            assert!(!text.vi.trim().is_empty() && !text.en.trim().is_empty(), "{key} is empty");
        }
    }

    #[test]
    fn the_key_scan_would_catch_a_misspelled_key() {
        let dir = tempfile::TempDir::new().unwrap();
        std::fs::create_dir(dir.path().join("staff")).unwrap();
        let page = dir.path().join("staff/x.html");
        std::fs::write(page, "{{ t.no_such_key }} {{ staff.t }}").unwrap();
        let used = keys_used(dir.path());
        assert_eq!(used.into_iter().map(|(_, k)| k).collect::<Vec<_>>(), ["no_such_key"]);
    }
}
