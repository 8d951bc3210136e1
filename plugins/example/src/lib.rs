//! `example`: the plugin to copy when you write your own.
//!
//! It adds three fields to each record:
//! - `word_count`: words in `text` (runs of non-whitespace);
//! - `paragraph_count`: non-empty lines of `text`;
//! - `reading_minutes`: `word_count / words_per_minute`, rounded up (at least 1 for any text).
//!
//! Settings (all optional): `words_per_minute` (default 200).
//!
//! What it shows: settings parsed into a typed struct with unknown keys refused, a clear error
//! when they are wrong, a pure function that does the work (easy to unit-test), and the thin
//! [`Plugin`] implementation that connects it to enrichd.

use enrichd_plugin_api::{export_plugin, Context, Document, Error, Output, Plugin};
use serde::Deserialize;

/// The plugin's settings, from its `settings:` section in the daemon's config.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Reading speed used for `reading_minutes`.
    pub words_per_minute: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            words_per_minute: 200,
        }
    }
}

/// The counts this plugin adds.
#[derive(Debug, PartialEq, Eq)]
pub struct Counts {
    pub words: usize,
    pub paragraphs: usize,
    pub reading_minutes: usize,
}

/// Count words and paragraphs of `text`.
pub fn count(text: &str, words_per_minute: u32) -> Counts {
    let words = text.split_whitespace().count();
    let paragraphs = text.lines().filter(|l| !l.trim().is_empty()).count();
    let wpm = words_per_minute.max(1) as usize;
    Counts {
        words,
        paragraphs,
        reading_minutes: words.div_ceil(wpm),
    }
}

/// The plugin: its settings, fixed at creation. `process` only reads them, so one instance
/// serves every worker thread at once.
pub struct Example {
    settings: Settings,
}

impl Plugin for Example {
    const NAME: &'static str = "example";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn create(config: &serde_json::Value, _ctx: &Context) -> Result<Self, Error> {
        let settings: Settings = enrichd_plugin_api::settings(Self::NAME, config)?;
        if settings.words_per_minute == 0 {
            return Err(Error::new("example: words_per_minute must be at least 1"));
        }
        Ok(Example { settings })
    }

    fn process(&self, doc: &Document<'_>) -> Result<Output, Error> {
        let c = count(doc.text(), self.settings.words_per_minute);
        let mut out = Output::default();
        out.set("word_count", c.words)?;
        out.set("paragraph_count", c.paragraphs)?;
        out.set("reading_minutes", c.reading_minutes)?;
        Ok(out)
    }
}

export_plugin!(Example);

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        Context {
            config_dir: ".".into(),
        }
    }

    #[test]
    fn counts_words_paragraphs_and_minutes() {
        let text = "Hội nghị khai mạc sáng nay.\n\nĐại biểu thảo luận.\n";
        assert_eq!(
            count(text, 3),
            Counts {
                words: 10,
                paragraphs: 2,
                reading_minutes: 4
            }
        );
        assert_eq!(count("", 200).reading_minutes, 0);
    }

    #[test]
    fn the_plugin_adds_its_fields() {
        let p = Example::create(&serde_json::json!({"words_per_minute": 2}), &ctx()).unwrap();
        let doc = Document::new("một hai ba\n", "{}", "{}");
        let out = p.process(&doc).unwrap();
        assert_eq!(out.fields["word_count"], 3);
        assert_eq!(out.fields["reading_minutes"], 2);
        assert!(out.text.is_none(), "the text is left alone");
    }

    #[test]
    fn wrong_settings_are_refused_with_a_reason() {
        let err = Example::create(&serde_json::json!({"wpm": 2}), &ctx())
            .err()
            .unwrap();
        assert!(
            err.message()
                .starts_with("example settings: unknown field `wpm`"),
            "{err}"
        );
        let err = Example::create(&serde_json::json!({"words_per_minute": 0}), &ctx())
            .err()
            .unwrap();
        assert!(err.message().contains("at least 1"), "{err}");
    }
}
