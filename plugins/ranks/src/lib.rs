//! The `ranks` plugin: people named with a military/police rank or an official title.
//!
//! # The `people` field
//! One entry per person named in the article body (`text`) or in its photo captions (the
//! `captions` field of the boilerplate plugin) with a rank, an official title or both:
//!
//! | key | value |
//! |---|---|
//! | `name` | the fullest form of the name as written ("Hoàng Xuân Chiến") |
//! | `rank` | canonical Vietnamese rank from the lexicon ("Thượng tướng"), or `null` |
//! | `rank_en` | English rank ("Colonel General"), or `null` |
//! | `rank_code` | NATO code of the grade ("OF-8"), or `null` |
//! | `titles` | official titles as written, each once, first seen first ("Thứ trưởng Bộ Quốc phòng"); a former post keeps its "nguyên"/"cựu" |
//! | `mentions` | `[{start, end}]`: where the *name* is written in `text`, in Unicode scalar (char) offsets, end exclusive |
//! | `caption_mentions` | `[{caption, start, end}]`: where the name is written in `captions[caption]`, offsets into that caption |
//!
//! A person only seen in captions has an empty `mentions`. Entries are in order of first
//! mention (text before captions). Later short mentions ("Bộ trưởng Ngô Xuân Lịch", "ông Hận",
//! "Hữu Ước") merge into the person they name, with the union of titles.
//!
//! Never people: organisations, acronyms, all-capital bylines, names in the `authors` field,
//! places. A name with neither rank nor title ("ông Bảy Ẩn") is not reported.
//!
//! What is read, and how, is in [`scan`] (mention shapes), [`titles`] (title extents and
//! appositive chains), [`names`] (name spans) and [`merge`]; the words are in the lexicon
//! (`config/ranks.vi.yaml`, see [`lexicon`]).
//!
//! # Speed
//! Everything that depends only on the lexicon is done once, in `create`: every lexicon
//! word gets a number and tags saying which lists have a phrase starting with it
//! ([`vocab`]), and the character classes the tokenizer asks about are tabulated
//! ([`chars`]). Per article, [`tokens`] reads each line once, looking each word up once;
//! the matchers then compare numbers and test tag bits, and skip at once the tokens no
//! shape can start with.
//!
//! # Settings
//! - `lexicon`: path of a lexicon YAML file (relative paths resolve against the config
//!   file's folder). Default: the lexicon built into the plugin (`config/ranks.vi.yaml`).
//!
//! Unknown settings are errors.

pub mod chars;
pub mod lexicon;
pub mod merge;
pub mod names;
pub mod scan;
pub mod titles;
pub mod tokens;
pub mod vocab;

use enrichd_plugin_api::{export_plugin, Context, Document, Error, Output, Plugin};
use lexicon::{key, Lexicon, DEFAULT_YAML};
use scan::{scan_tokens, Mention, Segment};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashSet;
use tokens::Tokenizer;

/// The plugin.
pub struct Ranks {
    lex: Lexicon,
}

/// One entry of the `people` field (see the crate docs).
#[derive(Debug, Serialize)]
pub struct PersonEntry<'l> {
    name: String,
    rank: Option<&'l str>,
    rank_en: Option<&'l str>,
    rank_code: Option<&'l str>,
    titles: Vec<String>,
    mentions: Vec<Span>,
    caption_mentions: Vec<CaptionSpan>,
}

/// Where a name is written in `text`.
#[derive(Debug, Serialize)]
struct Span {
    start: usize,
    end: usize,
}

/// Where a name is written in a caption.
#[derive(Debug, Serialize)]
struct CaptionSpan {
    caption: usize,
    start: usize,
    end: usize,
}

impl PersonEntry<'_> {
    /// The entry as the JSON object of the `people` field: the same value as serialising it,
    /// built directly, moving the strings rather than copying them.
    pub fn into_value(self) -> Value {
        let text = |s: Option<&str>| s.map_or(Value::Null, |s| Value::String(s.to_string()));
        let number = |n: usize| Value::from(n as u64);
        // The map keeps its keys sorted whatever the order they come in; inserted from the
        // last key to the first, each insertion compares with one key only.
        let mentions = self.mentions.iter().map(|s| {
            let mut o = Map::new();
            o.insert("start".to_string(), number(s.start));
            o.insert("end".to_string(), number(s.end));
            Value::Object(o)
        });
        let captions = self.caption_mentions.iter().map(|s| {
            let mut o = Map::new();
            o.insert("start".to_string(), number(s.start));
            o.insert("end".to_string(), number(s.end));
            o.insert("caption".to_string(), number(s.caption));
            Value::Object(o)
        });
        let titles = self.titles.into_iter().map(Value::String).collect();
        let mut m = Map::new();
        m.insert("titles".to_string(), Value::Array(titles));
        m.insert("rank_en".to_string(), text(self.rank_en));
        m.insert("rank_code".to_string(), text(self.rank_code));
        m.insert("rank".to_string(), text(self.rank));
        m.insert("name".to_string(), Value::String(self.name));
        m.insert("mentions".to_string(), Value::Array(mentions.collect()));
        m.insert(
            "caption_mentions".to_string(),
            Value::Array(captions.collect()),
        );
        Value::Object(m)
    }
}

/// The `people` field of these entries (see [`PersonEntry::into_value`]).
fn people_value(entries: Vec<PersonEntry<'_>>) -> Value {
    Value::Array(entries.into_iter().map(PersonEntry::into_value).collect())
}

impl Ranks {
    /// A plugin with this lexicon.
    pub fn with_lexicon(lex: Lexicon) -> Ranks {
        Ranks { lex }
    }

    /// The `people` field for a text, its captions and the byline names to leave out.
    pub fn people(&self, text: &str, captions: &[String], authors: &[String]) -> Value {
        people_value(self.entries(text, captions, authors))
    }

    /// The entries of the `people` field, in order of first mention.
    pub fn entries<S: AsRef<str>>(
        &self,
        text: &str,
        captions: &[S],
        authors: &[S],
    ) -> Vec<PersonEntry<'_>> {
        let mut mentions: Vec<Mention> = Vec::new();
        let mut tokenizer = Tokenizer::new(&self.lex.vocab);
        // reused from line to line, with room for about one token per three bytes of the
        // longest line from the start (growing it would copy the tokens of earlier lines)
        let longest = lines(text).map(str::len).max().unwrap_or(0);
        let mut tokens = Vec::with_capacity(longest / 3 + 16);
        let mut last = None;
        // Byte offset of the current line in `text`; and a byte offset with its character
        // offset, counted on only when a line has mentions (most lines have none).
        let mut line_start = 0usize;
        let mut counted = (0usize, 0usize);
        for line in lines(text) {
            tokens.clear();
            tokens.reserve(line.len() / 3 + 16);
            tokenizer.tokenize_into(line, &mut tokens);
            let before = mentions.len();
            let segment = Segment::Text;
            last = scan_tokens(line, 0, &tokens, segment, &self.lex, last, &mut mentions);
            if mentions.len() > before {
                // the line's mentions were placed from the line's start: shift them by its
                // character offset in `text`
                let skipped = text.get(counted.0..line_start).unwrap_or("");
                counted = (line_start, counted.1 + tokens::char_count(skipped));
                for m in &mut mentions[before..] {
                    m.start += counted.1;
                    m.end += counted.1;
                }
            }
            line_start += line.len() + 1;
        }
        for (n, caption) in captions.iter().enumerate() {
            for line in lines(caption.as_ref()) {
                tokens.clear();
                tokenizer.tokenize_into(line, &mut tokens);
                let segment = Segment::Caption(n);
                scan_tokens(line, 0, &tokens, segment, &self.lex, None, &mut mentions);
            }
        }
        let authors: HashSet<String> = authors
            .iter()
            .map(|a| {
                let words: Vec<String> = a.as_ref().split_whitespace().map(key).collect();
                words.join(" ")
            })
            .collect();
        merge::merge(&mentions, &authors, &self.lex)
            .into_iter()
            .map(|p| {
                let rank = p.rank.map(|r| &self.lex.ranks[r]);
                PersonEntry {
                    name: p.name,
                    rank: rank.map(|r| r.vi.as_str()),
                    rank_en: rank.map(|r| r.en.as_str()),
                    rank_code: rank.map(|r| r.code.as_str()),
                    titles: p.titles,
                    mentions: p
                        .mentions
                        .iter()
                        .map(|&(start, end)| Span { start, end })
                        .collect(),
                    caption_mentions: p
                        .caption_mentions
                        .iter()
                        .map(|&(caption, start, end)| CaptionSpan {
                            caption,
                            start,
                            end,
                        })
                        .collect(),
                }
            })
            .collect()
    }
}

/// The lines of `text`, as `text.split('\n')` gives them (an empty text is one empty line),
/// found with `memchr`.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let t = rest?;
        match memchr::memchr(b'\n', t.as_bytes()) {
            Some(at) => {
                // '\n' is one byte: both sides of it are character boundaries
                rest = t.get(at + 1..);
                t.get(..at)
            }
            None => rest.take(),
        }
    })
}

/// The strings of an array field; anything else reads as empty.
fn strings(value: Option<&Value>) -> Vec<&str> {
    value
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The plugin's settings.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    /// Path of a lexicon YAML file (relative to the config's folder).
    lexicon: Option<String>,
}

impl Plugin for Ranks {
    const NAME: &'static str = "ranks";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn create(config: &Value, ctx: &Context) -> Result<Self, Error> {
        let settings: Settings = enrichd_plugin_api::settings(Self::NAME, config)?;
        let lex = match settings.lexicon {
            None => Lexicon::from_yaml(DEFAULT_YAML, "(built-in)").map_err(Error::new)?,
            Some(p) => {
                let path = ctx.resolve(p);
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| Error::new(format!("ranks lexicon {}: {e}", path.display())))?;
                Lexicon::from_yaml(&text, &path.display().to_string()).map_err(Error::new)?
            }
        };
        Ok(Ranks { lex })
    }

    fn process(&self, doc: &Document<'_>) -> Result<Output, Error> {
        // Only these two fields are parsed, not everything earlier plugins added.
        let (captions, authors) = (
            doc.field_as::<Value>("captions")?,
            doc.field_as::<Value>("authors")?,
        );
        let (captions, authors) = (strings(captions.as_ref()), strings(authors.as_ref()));
        let mut out = Output::default();
        let people = people_value(self.entries(doc.text(), &captions, &authors));
        out.fields.insert("people".to_string(), people);
        Ok(out)
    }
}

export_plugin!(Ranks);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plugin() -> Ranks {
        Ranks::with_lexicon(Lexicon::from_yaml(DEFAULT_YAML, "builtin").unwrap())
    }

    /// (name, rank, titles) of every person found.
    fn found(text: &str) -> Vec<(String, Option<String>, Vec<String>)> {
        found_with(text, &[], &[])
    }

    fn found_with(
        text: &str,
        captions: &[&str],
        authors: &[&str],
    ) -> Vec<(String, Option<String>, Vec<String>)> {
        let caps: Vec<String> = captions.iter().map(|s| s.to_string()).collect();
        let auth: Vec<String> = authors.iter().map(|s| s.to_string()).collect();
        let people = plugin().people(text, &caps, &auth);
        people
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap().to_string(),
                    p["rank"].as_str().map(str::to_string),
                    p["titles"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|t| t.as_str().unwrap().to_string())
                        .collect(),
                )
            })
            .collect()
    }

    fn person(
        name: &str,
        rank: Option<&str>,
        titles: &[&str],
    ) -> (String, Option<String>, Vec<String>) {
        (
            name.to_string(),
            rank.map(str::to_string),
            titles.iter().map(|t| t.to_string()).collect(),
        )
    }

    #[test]
    fn rank_name_and_appositive_titles_up_to_the_predicate() {
        let text = "Trung tướng Phạm Văn Dũng, Ủy viên Trung ương Đảng, Tư lệnh Quân khu 7 nhấn mạnh yêu cầu.";
        assert_eq!(
            found(text),
            vec![person(
                "Phạm Văn Dũng",
                Some("Trung tướng"),
                &["Ủy viên Trung ương Đảng", "Tư lệnh Quân khu 7"]
            )]
        );
    }

    #[test]
    fn an_organisation_after_a_comma_stays_in_its_title() {
        let text = "Đại tá Lê Minh Hải, Phó cục trưởng Cục Cứu hộ, Bộ Tổng Tham mưu phát biểu.";
        assert_eq!(
            found(text)[0].2,
            vec!["Phó cục trưởng Cục Cứu hộ, Bộ Tổng Tham mưu"]
        );
    }

    #[test]
    fn title_before_rank() {
        let text =
            "Phát biểu, Tư lệnh Quân chủng Hải quân- Phó Đô đốc Trần Thanh Nghiêm khẳng định.";
        assert_eq!(
            found(text),
            vec![person(
                "Trần Thanh Nghiêm",
                Some("Phó đô đốc"),
                &["Tư lệnh Quân chủng Hải quân"]
            )]
        );
    }

    #[test]
    fn title_then_name_and_ambassador_is_a_title() {
        let text = "Thủ tướng Phạm Minh Chính chỉ đạo. Đại sứ Nguyễn Thị Hoa, Trưởng Phái đoàn Việt Nam phát biểu.";
        assert_eq!(
            found(text),
            vec![
                person("Phạm Minh Chính", None, &["Thủ tướng"]),
                person(
                    "Nguyễn Thị Hoa",
                    None,
                    &["Đại sứ", "Trưởng Phái đoàn Việt Nam"]
                ),
            ]
        );
    }

    #[test]
    fn lists_of_comrades_with_titles() {
        let text = "Dự có các đồng chí: Trần Văn An, Phó Chủ tịch Hội Cựu chiến binh; Lý Thị Mai, Thứ trưởng Bộ Y tế.";
        assert_eq!(
            found(text),
            vec![
                person("Trần Văn An", None, &["Phó Chủ tịch Hội Cựu chiến binh"]),
                person("Lý Thị Mai", None, &["Thứ trưởng Bộ Y tế"]),
            ]
        );
    }

    #[test]
    fn later_short_mentions_merge_with_all_offsets() {
        let text = "Thượng tướng Võ Văn Long, Thứ trưởng Bộ Công an dự.\nThượng tướng Võ Văn Long phát biểu. Thứ trưởng Võ Văn Long đề nghị.";
        let people = plugin().people(text, &[], &[]);
        let arr = people.as_array().unwrap();
        assert_eq!(arr.len(), 1);
        let mentions = arr[0]["mentions"].as_array().unwrap();
        assert_eq!(mentions.len(), 3);
        let chars: Vec<char> = text.chars().collect();
        for m in mentions {
            let (s, e) = (
                m["start"].as_u64().unwrap() as usize,
                m["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(chars[s..e].iter().collect::<String>(), "Võ Văn Long");
        }
        assert_eq!(arr[0]["rank_en"], "Colonel General");
        assert_eq!(arr[0]["rank_code"], "OF-8");
    }

    #[test]
    fn captions_are_read_and_marked_as_captions() {
        let text = "Hội nghị diễn ra tại Hà Nội.";
        let caps = ["Chuẩn Đô đốc Lê Văn Đạo, Phó Tư lệnh Quân chủng Hải quân phát biểu."];
        let people = plugin().people(text, &[caps[0].to_string()], &[]);
        let p = &people.as_array().unwrap()[0];
        assert_eq!(p["name"], "Lê Văn Đạo");
        assert_eq!(p["rank"], "Chuẩn đô đốc");
        assert_eq!(p["mentions"].as_array().unwrap().len(), 0);
        assert_eq!(p["caption_mentions"][0]["caption"], 0);
        assert_eq!(p["caption_mentions"][0]["start"], 13);
    }

    #[test]
    fn police_ranks_and_lower_case_ranks() {
        let text = "Đại tá Công an Đinh Văn Toàn chỉ đạo; trung tá Hà Văn Nam, Đội trưởng Đội Cảnh sát hình sự cho biết.";
        assert_eq!(
            found(text),
            vec![
                person("Đinh Văn Toàn", Some("Đại tá"), &[]),
                person(
                    "Hà Văn Nam",
                    Some("Trung tá"),
                    &["Đội trưởng Đội Cảnh sát hình sự"]
                ),
            ]
        );
    }

    #[test]
    fn role_phrases_give_titles_to_the_subject() {
        let text = "Đại tá Trần Văn Bình vừa được bổ nhiệm giữ chức Phó Giám đốc Công an tỉnh Nam Định. Trước đó, ông Bình từng làm Trưởng Công an huyện Ý Yên và Phó Chánh văn phòng Công an tỉnh.";
        assert_eq!(
            found(text),
            vec![person(
                "Trần Văn Bình",
                Some("Đại tá"),
                &[
                    "Phó Giám đốc Công an tỉnh Nam Định",
                    "Trưởng Công an huyện Ý Yên",
                    "Phó Chánh văn phòng Công an tỉnh"
                ]
            )]
        );
    }

    #[test]
    fn organisations_acronyms_places_and_bylines_are_not_people() {
        let text = "Bộ Tư lệnh BĐBP tổ chức hội nghị về HNQT và ĐNQP tại Hà Nội.\nGiám đốc Công an tỉnh Hà Nam chủ trì.\nTin, ảnh: XUÂN DÂN";
        assert!(found(text).is_empty(), "{:?}", found(text));
        let text = "Trung tá Lê Văn Hùng, Phóng viên chiến trường phát biểu.";
        assert!(found_with(text, &[], &["Lê Văn Hùng"]).is_empty());
    }

    #[test]
    fn the_people_value_is_the_serialised_entries() {
        let text = "Thượng tướng Võ Văn Long, Thứ trưởng Bộ Công an dự.\nĐại sứ Nguyễn Thị Hoa phát biểu. Thượng tướng Võ Văn Long đề nghị.";
        let caps = ["Chuẩn Đô đốc Lê Văn Đạo, Phó Tư lệnh Quân chủng Hải quân phát biểu."];
        let p = plugin();
        let entries = p.entries(text, &caps, &[]);
        assert_eq!(entries.len(), 3);
        let serialised = serde_json::to_value(&entries).unwrap();
        assert_eq!(people_value(entries), serialised);
    }

    #[test]
    fn lines_are_those_of_split() {
        for t in [
            "",
            "\n",
            "a",
            "a\n",
            "\na",
            "a\n\nb",
            "Đại tá\nMinh\n\n",
            "x\ny\nz",
        ] {
            assert_eq!(
                lines(t).collect::<Vec<_>>(),
                t.split('\n').collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn people_without_rank_or_title_are_left_out() {
        assert!(found("Ông Nguyễn Văn Ba, ở Cai Lậy cho biết giá bưởi giảm.").is_empty());
    }

    #[test]
    fn settings_are_checked() {
        let ctx = Context {
            config_dir: std::env::temp_dir(),
        };
        assert!(Ranks::create(&Value::Null, &ctx).is_ok());
        let err = Ranks::create(&json!({"lexikon": "x.yaml"}), &ctx)
            .err()
            .unwrap();
        assert!(err.message().contains("lexikon"));
        let err = Ranks::create(&json!({"lexicon": "no-such-ranks.yaml"}), &ctx)
            .err()
            .unwrap();
        assert!(err.message().contains("no-such-ranks.yaml"));
        let dir = std::env::temp_dir().join(format!("enrichd-ranks-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("bad.yaml"), "ranks: [").unwrap();
        let ctx = Context {
            config_dir: dir.clone(),
        };
        let err = Ranks::create(&json!({"lexicon": "bad.yaml"}), &ctx)
            .err()
            .unwrap();
        assert!(err.message().contains("bad.yaml"), "{}", err.message());
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn process_reads_captions_and_authors_from_earlier_fields() {
        let fields =
            r#"{"captions": ["Thiếu tướng Đỗ Văn An thăm đơn vị."], "authors": ["Đỗ Văn An"]}"#;
        let doc = Document::new("Nội dung.", "", fields);
        let out = plugin().process(&doc).unwrap();
        assert_eq!(out.fields["people"], json!([]));
        let fields = r#"{"captions": ["Thiếu tướng Đỗ Văn An thăm đơn vị."]}"#;
        let doc = Document::new("Nội dung.", "", fields);
        let out = plugin().process(&doc).unwrap();
        assert_eq!(out.fields["people"][0]["name"], "Đỗ Văn An");
    }

    #[test]
    fn a_foreign_name_after_a_country_or_an_acronym_is_read_whole() {
        assert_eq!(
            found("Hội nghị do Bộ trưởng Ngoại giao Malaysia Ahmad Zulkifli chủ trì."),
            vec![person(
                "Ahmad Zulkifli",
                None,
                &["Bộ trưởng Ngoại giao Malaysia"]
            )]
        );
        assert_eq!(
            found("Có mặt Tổng Thư ký APEC Bao Long Tarrin."),
            vec![person("Bao Long Tarrin", None, &["Tổng Thư ký APEC"])]
        );
        assert_eq!(
            found("Ông gặp Bộ trưởng Quốc phòng Mỹ Mark Esper."),
            vec![person("Mark Esper", None, &["Bộ trưởng Quốc phòng Mỹ"])]
        );
    }

    #[test]
    fn a_foreign_name_right_after_a_position_is_read_whole() {
        assert_eq!(
            found("Đại sứ Maria Fernanda Lopez phát biểu."),
            vec![person("Maria Fernanda Lopez", None, &["Đại sứ"])]
        );
        // a country opens the organisation, a lone letter is not a foreign name
        assert_eq!(
            found("Đại sứ Indonesia Ina Krisnamurthi phát biểu."),
            vec![person("Ina Krisnamurthi", None, &["Đại sứ Indonesia"])]
        );
        assert_eq!(
            found("Đại tá Lê Văn Nam, Phó Chủ nhiệm Chính trị Vùng B Hải quân dự."),
            vec![person(
                "Lê Văn Nam",
                Some("Đại tá"),
                &["Phó Chủ nhiệm Chính trị Vùng B Hải quân"]
            )]
        );
    }

    #[test]
    fn titles_in_a_row_go_to_the_name_after_the_last() {
        assert_eq!(
            found("Chủ tịch Ủy ban 3 Khóa 70, Đại sứ Jose Luis Romero cho biết."),
            vec![person(
                "Jose Luis Romero",
                None,
                &["Chủ tịch Ủy ban 3 Khóa 70", "Đại sứ"]
            )]
        );
    }

    #[test]
    fn lower_case_posts_verbs_and_fixed_organisations_bound_titles() {
        assert_eq!(
            found("Thiếu tá Trần Văn Bình, trợ lý tác chiến Lữ đoàn 6 phát biểu."),
            vec![person(
                "Trần Văn Bình",
                Some("Thiếu tá"),
                &["trợ lý tác chiến Lữ đoàn 6"]
            )]
        );
        assert_eq!(
            found("Do Thượng tá Lê Văn Hải, Trưởng Công an huyện Gia Lâm trực tiếp chỉ huy."),
            vec![person(
                "Lê Văn Hải",
                Some("Thượng tá"),
                &["Trưởng Công an huyện Gia Lâm"]
            )]
        );
        assert_eq!(
            found("Ông Trần Văn An, chủ tịch Hội đồng Nghĩa vụ quân sự huyện chủ trì."),
            vec![person(
                "Trần Văn An",
                None,
                &["chủ tịch Hội đồng Nghĩa vụ quân sự huyện"]
            )]
        );
    }
}
