//! # enrichd-acronyms: short forms in Vietnamese news, resolved and written out
//!
//! A plugin for the enrichd chain (normalize → boilerplate → dates → ranks → **acronyms**). It
//! reads the record's `text` (the article body, NFC, new-style tones) and the `authors` an
//! earlier plugin found, leaves `text` unchanged and adds the fields below.
//!
//! ## Fields added to the record
//! | field | meaning |
//! |---|---|
//! | `acronyms` | `[{short, long, origin, mentions}]`, one per resolved short form, in order of first mention. `short` as written ("ĐNQP", "PC&CC", "QP, AN"); `long` the expansion (as the article writes it when it defines it, else as the dictionary does); `origin` `"document"` (defined in the article, or spelled out there without brackets) or `"dictionary"`; `mentions` every occurrence as `{start, end}`, Unicode scalar (char) offsets into `text`, end exclusive, the definition itself and parts of document numbers included |
//! | `unresolved_acronyms` | `[{short, mentions, candidates?}]`: short forms nobody could expand, so users see what to add to the dictionary; `candidates` lists the senses of an ambiguous dictionary entry the article's words did not decide |
//! | `text_expanded` | `text` with short forms written out as "đối ngoại quốc phòng (ĐNQP)" (see `expand`); absent when `expand: off` |
//!
//! ## Settings
//! - `dictionary`: path of the YAML dictionary, relative to the daemon config's folder. When
//!   absent, the built-in copy of `config/acronyms.vi.yaml` is used. Users add entries there
//!   without recompiling (its header describes the format: one meaning as a string; several
//!   meanings with context words and before/after patterns; `codes` for parts of document
//!   numbers; `ignore` for capitals that are not acronyms).
//! - `expand`: `first` (default: each acronym's first mention in running text, unless the
//!   article defines it there), `every` (every mention in running text), or `off`.
//!
//! Unknown settings are an error; a dictionary that cannot be read or parsed, or that lists a
//! short form twice, gives an error naming the file.
//!
//! ## How it decides
//! - Short forms: words in capitals, alone or joined by `& - . /` ([`candidates`]). Roman
//!   numerals ("Đại hội XIII", "Tổng cục II"), names in capitals ("MAI NGUYÊN", bylines),
//!   initials, model names and plates ("FA-50"), and the dictionary's `ignore` list (GMT) are
//!   not acronyms. In document numbers ("53-KL/TW") only the parts the `codes` table knows
//!   count, and they are never written out.
//! - In-article definitions win ([`definitions`]): "hội nhập quốc tế (HNQT)", the reverse
//!   "HNQT (hội nhập quốc tế)", "(gọi tắt là …)", and a body's name before a foreign short
//!   form ("… Việt Nam (VNPT)"). Letters match syllable initials, Đ = D, "và"/"các"/"của"
//!   skipped or kept, `&` = "và"; the long form must have no leftover words.
//! - Then the dictionary ([`dictionary`]); an ambiguous entry is decided by the article's
//!   words ([`context`]) or left unresolved — never a confident wrong answer.
//! - Then, for short forms the dictionary lacks, a long form spelled out without brackets
//!   elsewhere in the article.
//! - See [`resolve`] for the whole order.

pub mod candidates;
pub mod chars;
pub mod context;
pub mod definitions;
pub mod dictionary;
pub mod expand;
mod fnv;
pub mod resolve;
pub mod vietnamese;

use candidates::AuthorWords;
use dictionary::Dictionary;
use enrichd_plugin_api::{export_plugin, Context, Document, Error, Output, Plugin};
use expand::Mode;
use resolve::{analyse_with, Analysis, Mention};
use serde::Deserialize;
use serde_json::Value;
use std::cell::OnceCell;
use std::sync::LazyLock;

/// The built-in dictionary, used when the `dictionary` setting is absent.
pub const BUILTIN_DICTIONARY: &str = include_str!("../../../config/acronyms.vi.yaml");

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    #[serde(default)]
    dictionary: Option<String>,
    #[serde(default)]
    expand: Mode,
}

/// The plugin.
pub struct Acronyms {
    dict: Dictionary,
    mode: Mode,
}

/// An object's keys, as a map with null values: copied for each object written (see
/// [`filled`]), which costs less than building the map key by key.
fn template(keys: &[&str]) -> serde_json::Map<String, Value> {
    keys.iter().map(|k| (k.to_string(), Value::Null)).collect()
}

/// A copy of `template` with `values` in its keys' order (the map's order, which is sorted).
fn filled<const N: usize>(template: &serde_json::Map<String, Value>, values: [Value; N]) -> Value {
    debug_assert_eq!(template.len(), N);
    let mut map = template.clone();
    for (slot, v) in map.values_mut().zip(values) {
        *slot = v;
    }
    Value::Object(map)
}

/// The objects of the record's fields, by their keys.
static SPAN: LazyLock<serde_json::Map<String, Value>> =
    LazyLock::new(|| template(&["end", "start"]));
static ACRONYM: LazyLock<serde_json::Map<String, Value>> =
    LazyLock::new(|| template(&["long", "mentions", "origin", "short"]));
static UNRESOLVED: LazyLock<serde_json::Map<String, Value>> =
    LazyLock::new(|| template(&["mentions", "short"]));

/// Byte offsets to char offsets for one text: the char offset of every mention's ends,
/// counted in one pass.
struct CharOffsets<'t> {
    text: &'t str,
    /// Byte offsets, sorted, each once.
    bytes: Vec<usize>,
    /// The number of chars that start before each of `bytes`.
    chars: Vec<usize>,
}

/// The number of chars that start in `text[from..to]` (every byte that is not a UTF-8
/// continuation).
fn count_chars(text: &str, from: usize, to: usize) -> usize {
    match text.get(from..to) {
        // the standard library counts a string's chars a word at a time
        Some(s) => s.chars().count(),
        None => text.as_bytes()[from..to]
            .iter()
            .filter(|&&b| (b as i8) >= -0x40)
            .count(),
    }
}

impl<'t> CharOffsets<'t> {
    fn new(text: &'t str, analysis: &Analysis) -> CharOffsets<'t> {
        let lists = analysis.acronyms.iter().map(|a| &a.mentions);
        let lists = lists.chain(analysis.unresolved.iter().map(|u| &u.mentions));
        let count: usize = analysis
            .acronyms
            .iter()
            .map(|a| a.mentions.len())
            .sum::<usize>()
            + analysis
                .unresolved
                .iter()
                .map(|u| u.mentions.len())
                .sum::<usize>();
        let mut bytes: Vec<usize> = Vec::with_capacity(2 * count);
        for mentions in lists {
            for m in mentions {
                bytes.extend([m.start, m.end]);
            }
        }
        bytes.sort_unstable();
        bytes.dedup();
        let mut chars = Vec::with_capacity(bytes.len());
        let (mut at, mut count) = (0, 0);
        for &b in &bytes {
            let b = b.min(text.len());
            if b > at {
                count += count_chars(text, at, b);
                at = b;
            }
            chars.push(count);
        }
        CharOffsets { text, bytes, chars }
    }

    fn at(&self, byte: usize) -> usize {
        match self.bytes.binary_search(&byte) {
            Ok(i) => self.chars[i],
            Err(_) => count_chars(self.text, 0, byte.min(self.text.len())),
        }
    }

    /// The mentions as `[{start, end}]`, in char offsets.
    fn spans(&self, mentions: &[Mention]) -> Value {
        mentions
            .iter()
            .map(|m| {
                // in key order: end, start
                filled(
                    &SPAN,
                    [Value::from(self.at(m.end)), Value::from(self.at(m.start))],
                )
            })
            .collect()
    }
}

/// The words in capitals of the record's `authors` (byline names such as "MAI NGUYÊN"), read
/// from the record on the first question: reading a field means scanning every field earlier
/// plugins wrote, and most records never need it.
struct DocAuthors<'d, 'a> {
    doc: &'d Document<'a>,
    words: OnceCell<Vec<String>>,
}

impl AuthorWords for DocAuthors<'_, '_> {
    fn contains_word(&self, word: &str) -> bool {
        self.words
            .get_or_init(|| author_words(self.doc))
            .contains_word(word)
    }
}

/// The words in capitals of the record's `authors` (byline names such as "MAI NGUYÊN").
fn author_words(doc: &Document<'_>) -> Vec<String> {
    let Ok(Some(serde_json::Value::Array(list))) = doc.field_as::<serde_json::Value>("authors")
    else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|v| v.as_str())
        .flat_map(|s| s.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| vietnamese::is_all_caps(w))
        .map(str::to_string)
        .collect()
}

impl Acronyms {
    /// A plugin instance from settings (`null` or an object).
    pub fn from_settings(config: &serde_json::Value, ctx: &Context) -> Result<Acronyms, Error> {
        // The character tables and patterns, built now rather than on the first article.
        vietnamese::init();
        candidates::init();
        definitions::init();
        for t in [&SPAN, &ACRONYM, &UNRESOLVED] {
            LazyLock::force(t);
        }
        let settings: Settings = match config {
            serde_json::Value::Null => Settings::default(),
            other => serde_json::from_value(other.clone())
                .map_err(|e| Error::new(format!("acronyms settings: {e}")))?,
        };
        let dict = match &settings.dictionary {
            Some(path) => {
                let path = ctx.resolve(path);
                let yaml = std::fs::read_to_string(&path).map_err(|e| {
                    Error::new(format!("acronym dictionary {}: {e}", path.display()))
                })?;
                Dictionary::parse(&yaml, &path.display().to_string())?
            }
            None => Dictionary::parse(BUILTIN_DICTIONARY, "built-in acronyms.vi.yaml")?,
        };
        Ok(Acronyms {
            dict,
            mode: settings.expand,
        })
    }

    /// The fields for one text (see the crate docs); `authors` are the words of the bylines.
    pub fn enrich(&self, text: &str, authors: &[String]) -> Result<Output, Error> {
        self.enrich_with(text, authors)
    }

    /// [`Acronyms::enrich`] with the bylines' words asked of `authors` only when needed.
    fn enrich_with<A: AuthorWords + ?Sized>(
        &self,
        text: &str,
        authors: &A,
    ) -> Result<Output, Error> {
        let analysis = analyse_with(text, &self.dict, authors);
        // The written-out text first: the analysis is then taken apart, its strings moved into
        // the record rather than copied.
        let expanded = expand::expand(text, &analysis.acronyms, self.mode);
        let offsets = CharOffsets::new(text, &analysis);
        let acronyms: Value = analysis
            .acronyms
            .into_iter()
            .map(|a| {
                // in key order: long, mentions, origin, short
                filled(
                    &ACRONYM,
                    [
                        Value::String(a.long),
                        offsets.spans(&a.mentions),
                        Value::from(a.origin.as_str()),
                        Value::String(a.short),
                    ],
                )
            })
            .collect();
        let unresolved: Value = analysis
            .unresolved
            .into_iter()
            .map(|u| {
                // in key order: mentions, short
                let mut fields = filled(
                    &UNRESOLVED,
                    [offsets.spans(&u.mentions), Value::String(u.short)],
                );
                if let (Value::Object(map), false) = (&mut fields, u.candidates.is_empty()) {
                    map.insert("candidates".to_string(), Value::from(u.candidates));
                }
                fields
            })
            .collect();
        // As `out.set` would store them, built without a serializer.
        let mut out = Output::default();
        out.fields.insert("acronyms".to_string(), acronyms);
        out.fields
            .insert("unresolved_acronyms".to_string(), unresolved);
        if let Some(expanded) = expanded {
            // As `out.set` would store it, without copying the text.
            out.fields.insert(
                "text_expanded".to_string(),
                serde_json::Value::String(expanded),
            );
        }
        Ok(out)
    }
}

impl Plugin for Acronyms {
    const NAME: &'static str = "acronyms";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn create(config: &serde_json::Value, ctx: &Context) -> Result<Self, Error> {
        Acronyms::from_settings(config, ctx)
    }

    fn process(&self, doc: &Document<'_>) -> Result<Output, Error> {
        let authors = DocAuthors {
            doc,
            words: OnceCell::new(),
        };
        self.enrich_with(doc.text(), &authors)
    }
}

export_plugin!(Acronyms);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::PathBuf;

    fn ctx() -> Context {
        Context {
            config_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        }
    }

    #[test]
    fn settings_are_checked() {
        assert!(Acronyms::from_settings(&json!(null), &ctx()).is_ok());
        assert!(Acronyms::from_settings(&json!({"expand": "every"}), &ctx()).is_ok());
        assert!(Acronyms::from_settings(&json!({"expand": "sometimes"}), &ctx()).is_err());
        let e = Acronyms::from_settings(&json!({"colour": 1}), &ctx())
            .err()
            .expect("error");
        assert!(e.message().contains("colour"), "{e}");
        let e = Acronyms::from_settings(&json!({"dictionary": "nope.yaml"}), &ctx())
            .err()
            .expect("error");
        assert!(e.message().contains("nope.yaml"), "{e}");
    }

    #[test]
    fn a_dictionary_file_from_the_config_folder() {
        let dir = std::env::temp_dir().join(format!("acronyms-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(dir.join("d.yaml"), "acronyms:\n  XYZ: xin yêu zê\n").expect("write");
        std::fs::write(dir.join("bad.yaml"), "acronyms: [").expect("write");
        let ctx = Context {
            config_dir: dir.clone(),
        };
        let p = Acronyms::from_settings(&json!({"dictionary": "d.yaml"}), &ctx).expect("loads");
        let out = p.enrich("Ông XYZ đến.", &[]).expect("runs");
        assert_eq!(out.fields["acronyms"][0]["long"], "xin yêu zê");
        let e = Acronyms::from_settings(&json!({"dictionary": "bad.yaml"}), &ctx)
            .err()
            .expect("error");
        assert!(e.message().contains("bad.yaml"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn objects_filled_from_their_templates() {
        let v = filled(&ACRONYM, [json!("l"), json!([1]), json!("o"), json!("s")]);
        assert_eq!(
            v,
            json!({"long": "l", "mentions": [1], "origin": "o", "short": "s"})
        );
        assert_eq!(
            filled(&SPAN, [json!(3), json!(1)]),
            json!({"end": 3, "start": 1})
        );
        assert_eq!(
            filled(&UNRESOLVED, [json!([]), json!("X")]),
            json!({"mentions": [], "short": "X"})
        );
    }

    #[test]
    fn fields_and_char_offsets() {
        let p = Acronyms::from_settings(&json!(null), &ctx()).expect("builtin loads");
        let text = "Đại hội XIII bàn về ĐNQP. Tin, ảnh: MAI NGUYÊN";
        let out = p.enrich(text, &[]).expect("runs");
        let a = &out.fields["acronyms"];
        assert_eq!(a.as_array().map(Vec::len), Some(1), "{a}");
        assert_eq!(a[0]["short"], "ĐNQP");
        assert_eq!(a[0]["origin"], "dictionary");
        let want = text
            .find("ĐNQP")
            .map(|b| text[..b].chars().count())
            .expect("there");
        assert_eq!(a[0]["mentions"][0]["start"], want);
        assert_eq!(a[0]["mentions"][0]["end"], want + 4);
        assert_eq!(out.fields["unresolved_acronyms"], json!([]));
        assert_eq!(
            out.fields["text_expanded"],
            "Đại hội XIII bàn về đối ngoại quốc phòng (ĐNQP). Tin, ảnh: MAI NGUYÊN"
        );
        assert!(out.text.is_none());
    }

    #[test]
    fn byline_names_from_the_authors_field() {
        let p = Acronyms::from_settings(&json!({"expand": "off"}), &ctx()).expect("loads");
        let out = p
            .enrich("Nội dung. TUẤN", &["TUẤN".to_string()])
            .expect("runs");
        assert_eq!(out.fields["unresolved_acronyms"], json!([]));
        assert!(!out.fields.contains_key("text_expanded"));
    }
}
