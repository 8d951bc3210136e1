//! # enrichd-boilerplate: the article body alone, and an account of what was taken out
//!
//! A plugin for the enrichd chain (normalize → **boilerplate** → dates → …). It
//! reads the record's `text` (already normalised: NFC, new-style tones, one
//! paragraph per line) and rewrites it to the article body, one paragraph per
//! line with a blank line between paragraphs. Page furniture goes: CMS and
//! layout artifacts, site headers, media-player residue, share and comment
//! widgets, promotions, photo captions, bylines, source lines, outlet datelines,
//! publication stamps, category lines, tag lists and teasers of other articles
//! appended after the body.
//!
//! ## Fields added to the record
//! | field | meaning |
//! |---|---|
//! | `title` | the headline: the headline-shaped line before the lead (see "How it decides"); else `null` |
//! | `captions` | photo captions, clean (without the "Ảnh: X" credit), in order, without repeats |
//! | `authors` | names from bylines ("Tin, ảnh: MAI NGUYÊN", a lone name after the body, "X (tổng hợp)") |
//! | `outlet` | the outlet named by the lead's dateline ("(Chinhphu.vn) –") or by an outlet line after the body; else `null` |
//! | `sources` | outlets credited by source lines ("(nguồn: …)", "Theo …") |
//! | `published` | the page's own publication stamp as RFC 3339: a line that is only a date-time ("31/05/13 10:48 GMT+7", "Thứ Năm, 05/09/2019 - 18:32", "Cập nhật lúc 15:20 ngày 18/08/2017"), or such a stamp among short " \| "-separated meta parts ("Cập nhật: 20/12/2012 16:45 \| Lượt xem: 356"), not next to a site header line; else `null` |
//! | `site_clock` | the clock of the site's header as RFC 3339: a date-time inside a site header line ("Thứ hai, 29/05/2023 12:50 GMT+7" glued to the hotline) or a date-time line right next to one: the day the page was viewed or scraped, **not** a publication date; else `null` |
//! | `removed` | every piece taken out of `text`, in order: `{"text", "rule"}` |
//!
//! Rule names in `removed`: `artifact`, `image_marker`, `site_header`, `widget`,
//! `promo`, `inline_promo`, `teaser_header`, `footer`, `timestamp`, `byline`, `byline_name`,
//! `byline_trailing`, `source`, `tag_list`, `photo_credit`, `caption_credit`,
//! `caption_after_image`, `caption_duplicate`, `caption_glued`, `caption_shape`,
//! `caption_portrait`, `title`, `preamble`, `related_links`, `outlet_dateline`,
//! `duplicate`, `teaser`, `category`, `outlet`, `trailer`.
//!
//! ## Settings
//! - `rules`: path of the YAML rules file, relative to the daemon config's folder.
//!   When absent, the built-in copy of `config/boilerplate.vi.yaml` is used.
//!
//! Unknown settings are an error; a rules file that cannot be read or parsed
//! gives an error naming the file (with line and column for YAML errors).
//!
//! ## How it decides
//! Lists and patterns users extend live in the rules file (artifacts, widget
//! words, caption and byline shapes, outlet names, thresholds). Structure decides
//! the rest: the title is, among the whole headline-shaped lines before the lead
//! (not bulleted, no menu or breadcrumb separators, no date-time, no dateline),
//! the one sharing the most word pairs with the lead and the next paragraphs (the
//! latest on a tie), and with none shared, the first line if it is headline-shaped;
//! a teaser header followed by link items (bulleted or headline-shaped lines) and
//! then a long sentence-shaped paragraph is a related-links block, cut out
//! wherever it stands while the body goes on; "Xem thêm: HEADLINE" removes its
//! own line only; the body runs from the
//! first body-like paragraph to the last one before bylines, stamps, page footers
//! (copyright, reuse notice) or teasers;
//! teasers start at a teaser header, a second outlet dateline or a duplicated headline;
//! after the body, "Name - Unit" is a byline; captions
//! are the short lines after image markers, lines closed by a photo credit,
//! duplicated short sentences, short caption-shaped lines, and short pieces
//! glued between paragraphs by flattening scrapers (see [`lines`]), including a
//! short sentence without marks of prose glued with no space before a paragraph
//! at the start of a line ("… dịp Tết.Nghị định …").

pub mod classify;
pub mod credits;
pub mod latin;
pub mod lines;
pub mod needle;
pub mod rules;
pub mod shape;
pub mod stamps;
pub mod words;

use enrichd_plugin_api::{export_plugin, Context, Document, Error, Output, Plugin};
use rules::Rules;
use serde::Deserialize;
use serde_json::{Map, Value};

pub use classify::{extract, Extraction, Removed};

/// The plugin's settings (its section of the daemon config).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    /// Path of the YAML rules file.
    rules: Option<String>,
}

/// The plugin: compiled rules, shared read-only by all worker threads.
pub struct Boilerplate {
    rules: Rules,
}

impl Boilerplate {
    /// The plugin with these rules.
    pub fn with_rules(rules: Rules) -> Boilerplate {
        Boilerplate { rules }
    }
}

impl Plugin for Boilerplate {
    const NAME: &'static str = "boilerplate";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn create(config: &serde_json::Value, ctx: &Context) -> Result<Self, Error> {
        let settings: Settings = enrichd_plugin_api::settings(Self::NAME, config)?;
        let rules = match settings.rules {
            Some(path) => Rules::load(&ctx.resolve(path))?,
            None => Rules::builtin()?,
        };
        Ok(Boilerplate { rules })
    }

    fn process(&self, doc: &Document<'_>) -> Result<Output, Error> {
        let x = extract(&self.rules, doc.text());
        let mut out = Output::default();
        out.set_text(x.text);
        // The values are built from the owned strings, as `Output::set`
        // would serialise them (without copying each string).
        let f = &mut out.fields;
        f.insert("title".into(), opt(x.title));
        f.insert("captions".into(), strings(x.captions));
        f.insert("authors".into(), strings(x.authors));
        f.insert("outlet".into(), opt(x.outlet));
        f.insert("sources".into(), strings(x.sources));
        f.insert("published".into(), opt(x.published));
        f.insert("site_clock".into(), opt(x.site_clock));
        let removed = x.removed.into_iter().map(|r| {
            let mut m = Map::new();
            m.insert("text".into(), Value::String(r.text));
            m.insert("rule".into(), Value::String(r.rule.into()));
            Value::Object(m)
        });
        f.insert("removed".into(), Value::Array(removed.collect()));
        Ok(out)
    }
}

/// An optional string as JSON (`null` for none).
fn opt(s: Option<String>) -> Value {
    s.map_or(Value::Null, Value::String)
}

/// Strings as a JSON array.
fn strings(list: Vec<String>) -> Value {
    Value::Array(list.into_iter().map(Value::String).collect())
}

export_plugin!(Boilerplate);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx(dir: &std::path::Path) -> Context {
        Context {
            config_dir: dir.to_path_buf(),
        }
    }

    #[test]
    fn unknown_settings_are_errors() {
        let err = Boilerplate::create(&json!({"rulez": "x.yaml"}), &ctx(".".as_ref())).err();
        assert!(err.is_some_and(|e| e.message().contains("rulez")));
    }

    #[test]
    fn no_settings_use_the_built_in_rules() {
        assert!(Boilerplate::create(&serde_json::Value::Null, &ctx(".".as_ref())).is_ok());
        assert!(Boilerplate::create(&json!({}), &ctx(".".as_ref())).is_ok());
    }

    #[test]
    fn rules_path_resolves_against_the_config_folder_and_errors_name_the_file() {
        let dir = std::env::temp_dir().join(format!("bp-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(dir.join("good.yaml"), rules::BUILTIN).expect("write");
        std::fs::write(dir.join("bad.yaml"), "artifacts: [\n").expect("write");
        assert!(Boilerplate::create(&json!({"rules": "good.yaml"}), &ctx(&dir)).is_ok());
        let e = Boilerplate::create(&json!({"rules": "bad.yaml"}), &ctx(&dir))
            .err()
            .expect("bad rules fail");
        assert!(
            e.message().contains("bad.yaml") && e.message().contains("line"),
            "{}",
            e.message()
        );
        let e = Boilerplate::create(&json!({"rules": "missing.yaml"}), &ctx(&dir))
            .err()
            .expect("missing rules fail");
        assert!(e.message().contains("missing.yaml"), "{}", e.message());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn process_sets_text_and_fields() {
        let p = Boilerplate::create(&serde_json::Value::Null, &ctx(".".as_ref())).expect("plugin");
        let text = "Tiêu đề bài\n\nMột đoạn văn bản đủ dài để là thân bài của bài báo này.\n\nTin, ảnh: AN BÌNH\n";
        let out = p.process(&Document::new(text, "", "")).expect("process");
        assert_eq!(
            out.text.as_deref(),
            Some("Một đoạn văn bản đủ dài để là thân bài của bài báo này.\n")
        );
        assert_eq!(out.fields["title"], json!("Tiêu đề bài"));
        assert_eq!(out.fields["authors"], json!(["AN BÌNH"]));
        assert_eq!(out.fields["published"], serde_json::Value::Null);
        assert_eq!(out.fields["removed"][0]["rule"], json!("title"));
    }
}
