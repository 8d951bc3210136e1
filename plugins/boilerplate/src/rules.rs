//! Loading and compiling the YAML rules file (`config/boilerplate.vi.yaml`).
//!
//! The file holds what users extend without recompiling: regular expressions for
//! artifacts, headers, stamps, credits, bylines and sources, and word lists for
//! widgets, outlets, categories, ranks and caption vocabulary. [`Rules::parse`]
//! checks and compiles it once, at plugin start-up.

use crate::needle::{AnyOf, Rx, RxSet};
pub use crate::words::words_lower;
use crate::words::{folded_head, with_words, WordBuf, HEAD};
use regex::Regex;
use serde::Deserialize;
use std::fmt;
use std::path::Path;

/// The rules file as written (before compiling).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    artifacts: Vec<String>,
    image_markers: Vec<String>,
    site_header: Vec<String>,
    timestamps: Vec<String>,
    #[serde(default)]
    stamp_prefixes: Vec<String>,
    default_utc_offset: String,
    widgets: Vec<String>,
    promos: Vec<String>,
    #[serde(default)]
    inline_promos: Vec<String>,
    teaser_headers: Vec<String>,
    #[serde(default)]
    page_footer: Vec<String>,
    photo_credit: String,
    photo_credit_bare: String,
    bylines: Vec<String>,
    author_separators: Vec<String>,
    sources: Vec<String>,
    tail_source: String,
    outlet_prefix_words: Vec<String>,
    outlets: Vec<String>,
    categories: Vec<String>,
    ranks: Vec<String>,
    caption_subjects: Vec<String>,
    caption_scenes: Vec<String>,
    caption_verbs: Vec<String>,
    prose_markers: Vec<String>,
    prose_openers: Vec<String>,
    limits: Limits,
}

/// Structural thresholds (see the rules file for what each one means).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// A block with at least this many words is body text even without final punctuation.
    pub body_min_words_unpunctuated: usize,
    /// A punctuated block needs at least this many words to count as body text.
    pub body_min_words: usize,
    /// A headline has at most this many words.
    pub headline_max_words: usize,
    /// An uncredited caption has at most this many words.
    pub caption_max_words: usize,
    /// A caption recognised by shape alone has at most this many words.
    pub caption_shape_max_words: usize,
    /// A lone name line has at most this many words.
    pub name_max_words: usize,
    /// Teaser detection needs at least this many body blocks after the lead.
    pub teaser_min_body_blocks: usize,
}

/// A word list, lower-cased and split into words, for whole-word phrase matching
/// (words fold as [`crate::words::fold_word`] says).
#[derive(Debug, Clone, Default)]
pub struct Phrases {
    items: Vec<Vec<String>>,
    /// The number of words of the longest phrase.
    max_len: usize,
    /// The first words of the phrases, sorted: a text starting with another
    /// word matches none, which one folded word tells.
    firsts: Vec<String>,
    /// For each of `firsts`, the phrases (indices in `items`, in order) that
    /// start with it: at a word, only they may start.
    by_first: Vec<Vec<usize>>,
    /// A bit per byte that begins one of `firsts` (see [`Phrases::may_open`]).
    first_bytes: [u64; 4],
    /// A bit per [`pair_key`] of one of `firsts`: a word whose key has no
    /// bit is none of them (see [`Phrases::starting_with`]).
    first_pairs: [u64; PAIR_WORDS],
}

/// The words of [`Phrases::first_pairs`].
const PAIR_WORDS: usize = 16;

/// A hash of the first two bytes of a word (the second 0 for a one-byte
/// word) into the bits of [`Phrases::first_pairs`].
#[inline]
fn pair_key(word: &[u8]) -> usize {
    let b0 = usize::from(word.first().copied().unwrap_or(0));
    let b1 = usize::from(word.get(1).copied().unwrap_or(0));
    (b0.wrapping_mul(31) ^ b1.wrapping_mul(7)) % (PAIR_WORDS * 64)
}

impl Phrases {
    /// Build from phrases as written.
    pub fn new(list: &[String]) -> Phrases {
        let mut items: Vec<Vec<String>> = list
            .iter()
            .map(|p| words_lower(p))
            .filter(|w| !w.is_empty())
            .collect();
        // Longest first, so a prefix match reports the longest phrase.
        items.sort_by_key(|w| std::cmp::Reverse(w.len()));
        let max_len = items.first().map_or(0, Vec::len);
        let mut firsts: Vec<String> = items.iter().filter_map(|p| p.first().cloned()).collect();
        firsts.sort();
        firsts.dedup();
        let mut by_first = vec![Vec::new(); firsts.len()];
        for (i, p) in items.iter().enumerate() {
            if let Ok(j) = firsts.binary_search(&p[0]) {
                by_first[j].push(i);
            }
        }
        let mut first_bytes = [0u64; 4];
        let mut first_pairs = [0u64; PAIR_WORDS];
        for f in &firsts {
            if let Some(b) = f.as_bytes().first() {
                first_bytes[usize::from(b / 64)] |= 1 << (b % 64);
            }
            let k = pair_key(f.as_bytes());
            first_pairs[k / 64] |= 1 << (k % 64);
        }
        Phrases {
            items,
            max_len,
            firsts,
            by_first,
            first_bytes,
            first_pairs,
        }
    }

    /// The number of words of the longest phrase (0 for an empty list).
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// The number of words of the longest phrase that `words` starts with, if any.
    pub fn prefix_len(&self, words: &[String]) -> Option<usize> {
        self.items
            .iter()
            .find(|p| words.len() >= p.len() && words[..p.len()] == p[..])
            .map(|p| p.len())
    }

    /// [`Phrases::prefix_len`] of the words of `text`, folding only as many
    /// words as the longest phrase has.
    pub fn prefix_len_of(&self, text: &str) -> Option<usize> {
        if !self.may_start(text) {
            return None;
        }
        with_words(text, self.max_len, |w| {
            self.items
                .iter()
                .find(|p| w.starts_with(p))
                .map(|p| p.len())
        })
    }

    /// Whether the first word of `text` starts a phrase (false when it has no words).
    fn may_start(&self, text: &str) -> bool {
        if !self.may_open(text) {
            return false;
        }
        with_words(text, 1, |w| {
            !w.is_empty() && !self.starting_with(w.word(0)).is_empty()
        })
    }

    /// True when `word` (one whitespace-separated word) is known to open no
    /// phrase: no phrase starts with a text whose first folded word is
    /// `word`'s, nor with one whose first word begins as `word` does and goes
    /// on past it with other characters than letters and digits (see
    /// [`Phrases::may_open`]). False when undecided (`word` folds to nothing).
    pub fn excludes_first_word(&self, word: &str) -> bool {
        if !self.may_open(word) {
            return true;
        }
        if word.is_ascii() {
            // An ASCII word folds to what lies between its first and last
            // letter or digit, lower-cased: compared as it is.
            let b = word.as_bytes();
            let Some(from) = b.iter().position(u8::is_ascii_alphanumeric) else {
                return false;
            };
            let to = b
                .iter()
                .rposition(u8::is_ascii_alphanumeric)
                .map_or(from, |e| e + 1);
            let core = &b[from..to];
            let cmp = |f: &String| {
                let f = f.as_bytes();
                f.iter()
                    .zip(core)
                    .map(|(x, y)| x.cmp(&y.to_ascii_lowercase()))
                    .find(|o| o.is_ne())
                    .unwrap_or_else(|| f.len().cmp(&core.len()))
            };
            return self.firsts.binary_search_by(cmp).is_err();
        }
        with_words(word, 1, |w| {
            !w.is_empty() && self.starting_with(w.word(0)).is_empty()
        })
    }

    /// False when no phrase can start `text` ([`Phrases::starts`] of its words
    /// is false), told from how its first word starts ([`folded_head`])
    /// without folding it; true when undecided.
    pub fn may_open(&self, text: &str) -> bool {
        // A text opening with an ASCII letter or digit followed by an ASCII
        // character (not a combining mark, which might compose with it): its
        // first word folds to a word starting with that character in lower
        // case, which must begin one of `firsts`.
        if let &[b0, ref rest @ ..] = text.as_bytes() {
            if b0.is_ascii_alphanumeric() && rest.first().is_none_or(u8::is_ascii) {
                let b = b0.to_ascii_lowercase();
                if self.first_bytes[usize::from(b / 64)] >> (b % 64) & 1 == 0 {
                    return false;
                }
            }
        }
        let mut buf = [0u8; HEAD];
        let n = folded_head(text, &mut buf);
        if n == 0 {
            return true;
        }
        let head = &buf[..n];
        // A first word starting with `head` has its first two bytes.
        let k = pair_key(head);
        if n >= 2 && self.first_pairs[k / 64] >> (k % 64) & 1 == 0 {
            return false;
        }
        // The first words that sort from `head` on: the first of them starts
        // with it if any does.
        let at = self.firsts.partition_point(|f| f.as_bytes() < head);
        self.firsts
            .get(at)
            .is_some_and(|f| f.as_bytes().starts_with(head))
    }

    /// Whether any phrase occurs in `words` as a run of whole words.
    pub fn occurs_in(&self, words: &[String]) -> bool {
        self.items
            .iter()
            .any(|p| words.windows(p.len()).any(|w| w == &p[..]))
    }

    /// The phrases (indices in `items`) whose first word is `word`.
    fn starting_with(&self, word: &str) -> &[usize] {
        let k = pair_key(word.as_bytes());
        if self.first_pairs[k / 64] >> (k % 64) & 1 == 0 {
            return &[];
        }
        match self.firsts.binary_search_by(|f| f.as_str().cmp(word)) {
            Ok(j) => &self.by_first[j],
            Err(_) => &[],
        }
    }

    /// Whether the folded words `w` start with a phrase ([`Phrases::prefix_len`] is some).
    pub fn starts(&self, w: &WordBuf) -> bool {
        !w.is_empty()
            && self
                .starting_with(w.word(0))
                .iter()
                .any(|&i| w.starts_with(&self.items[i]))
    }

    /// [`Phrases::occurs_in`] of the folded words `w`: at each word, the
    /// phrases starting with it.
    pub fn occurs_in_buf(&self, w: &WordBuf) -> bool {
        (0..w.len()).any(|k| {
            self.starting_with(w.word(k)).iter().any(|&i| {
                let p = &self.items[i];
                k + p.len() <= w.len() && p.iter().enumerate().all(|(j, x)| x == w.word(k + j))
            })
        })
    }

    /// Whether `words` is exactly one of the phrases.
    pub fn is_exactly(&self, words: &[String]) -> bool {
        self.items.iter().any(|p| p[..] == words[..])
    }

    /// [`Phrases::is_exactly`] of the words of `text`, folding at most one word
    /// more than the longest phrase has.
    pub fn is_exactly_text(&self, text: &str) -> bool {
        if !self.may_start(text) {
            return false;
        }
        with_words(text, self.max_len + 1, |w| {
            w.len() <= self.max_len && self.items.iter().any(|p| w.is(p))
        })
    }
}

/// The compiled rules.
#[derive(Debug)]
pub struct Rules {
    /// CMS/layout and media-player residue.
    pub artifacts: RxSet,
    /// Lines standing for an image.
    pub image_markers: RxSet,
    /// Site header lines.
    pub site_header: RxSet,
    /// Date-time shapes with groups d, m, y, H, M and optional tz.
    pub timestamps: Vec<Rx>,
    /// The pre-check of stamp lines: whether a match of `timestamps` ends
    /// the text but for what [`crate::stamps::stamp_line`] lets follow it.
    pub stamp_at_end: AnyOf,
    /// Words allowed before a stamp on a stamp line.
    pub stamp_prefixes: Phrases,
    /// The offset for stamps that name no zone, as `+HH:MM`.
    pub default_utc_offset: String,
    /// Widget words.
    pub widgets: Phrases,
    /// Promotions.
    pub promos: RxSet,
    /// Links to another article inside the body ("Xem thêm: HEADLINE"): the line alone goes.
    pub inline_promos: RxSet,
    /// Teaser block headers.
    pub teaser_headers: RxSet,
    /// Page footer lines (copyright, reuse notice): the body ends before them.
    pub page_footer: RxSet,
    /// A photo credit at the end of a caption; group `who`.
    pub photo_credit: Rx,
    /// A credit with no name.
    pub photo_credit_bare: Rx,
    /// Bylines; group `names`.
    pub bylines: Vec<Rx>,
    /// Separators between names in a byline.
    pub author_separators: Vec<String>,
    /// Source credits; group `source`.
    pub sources: Vec<Rx>,
    /// "Theo X" after the body; group `source`.
    pub tail_source: Rx,
    /// Words that start the outlet part of a "Theo NAME OUTLET" credit.
    pub outlet_prefix_words: Phrases,
    /// Known outlet names.
    pub outlets: Phrases,
    /// Site section names.
    pub categories: Phrases,
    /// Military and police ranks.
    pub ranks: Phrases,
    /// Caption subjects (ranks are added).
    pub caption_subjects: Phrases,
    /// Openers that make a caption on their own.
    pub caption_scenes: Phrases,
    /// Caption verbs.
    pub caption_verbs: Phrases,
    /// Words of running prose.
    pub prose_markers: Phrases,
    /// Adverbial openers of running prose.
    pub prose_openers: Phrases,
    /// Structural thresholds.
    pub limits: Limits,
    /// The pre-check of the sets the first pass tries on every block:
    /// artifacts, image markers, site header, promos, inline promos, teaser
    /// headers and page footer.
    pub local_sets: AnyOf,
    /// The outlet dateline shapes (see [`crate::credits::dateline`]).
    pub datelines: [Regex; 3],
}

/// What went wrong with a rules file: the message names the file (and the
/// line and column for YAML errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesError(pub String);

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RulesError {}

/// The lazy-DFA cache of each rule's regex. The rules run on short lines and blocks, mostly
/// behind literal prefilters, so a small cache holds what they need; the regex crate's default
/// (2 MiB per regex and thread) made these caches the plugin's largest memory.
pub(crate) const DFA_CACHE: usize = 256 << 10;

impl Rules {
    /// Read and compile a rules file.
    pub fn load(path: &Path) -> Result<Rules, RulesError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            RulesError(format!(
                "boilerplate rules file {}: cannot read: {e}",
                path.display()
            ))
        })?;
        Rules::parse(&text, &path.display().to_string())
    }

    /// Compile rules from YAML text; `origin` names the file in error messages.
    pub fn parse(yaml: &str, origin: &str) -> Result<Rules, RulesError> {
        let raw: RawRules = serde_norway::from_str(yaml).map_err(|e| {
            let at = e
                .location()
                .map(|l| format!(" at line {}, column {}", l.line(), l.column()))
                .unwrap_or_default();
            RulesError(format!("boilerplate rules file {origin}{at}: {e}"))
        })?;
        let re = |field: &str, s: &str| -> Result<Regex, RulesError> {
            regex::RegexBuilder::new(s)
                .dfa_size_limit(DFA_CACHE)
                .build()
                .map_err(|e| {
                    RulesError(format!(
                    "boilerplate rules file {origin}: `{field}`: bad regular expression {s:?}: {e}"
                ))
                })
        };
        let res = |field: &str, list: &[String]| -> Result<Vec<Regex>, RulesError> {
            list.iter().map(|s| re(field, s)).collect()
        };
        let need = |field: &str, r: &Regex, groups: &[&str]| -> Result<(), RulesError> {
            for g in groups {
                if !r.capture_names().any(|n| n == Some(g)) {
                    return Err(RulesError(format!(
                        "boilerplate rules file {origin}: `{field}`: pattern {:?} lacks the named group `{g}`",
                        r.as_str()
                    )));
                }
            }
            Ok(())
        };

        let timestamps = res("timestamps", &raw.timestamps)?;
        for r in &timestamps {
            need("timestamps", r, &["d", "m", "y", "H", "M"])?;
        }
        let photo_credit = re("photo_credit", &raw.photo_credit)?;
        need("photo_credit", &photo_credit, &["who"])?;
        let bylines = res("bylines", &raw.bylines)?;
        for r in &bylines {
            need("bylines", r, &["names"])?;
        }
        let sources = res("sources", &raw.sources)?;
        for r in &sources {
            need("sources", r, &["source"])?;
        }
        let tail_source = re("tail_source", &raw.tail_source)?;
        need("tail_source", &tail_source, &["source"])?;
        let offset = raw.default_utc_offset.trim().to_string();
        if parse_offset(&offset).is_none() {
            return Err(RulesError(format!(
                "boilerplate rules file {origin}: `default_utc_offset`: {offset:?} is not like +07:00"
            )));
        }
        // Build the fast paths' tables now rather than in the first document.
        crate::words::prepare();
        let mut subjects = raw.caption_subjects.clone();
        subjects.extend(raw.ranks.iter().cloned());

        let artifacts = RxSet::gated(rxs(res("artifacts", &raw.artifacts)?));
        let image_markers = RxSet::gated(rxs(res("image_markers", &raw.image_markers)?));
        let site_header = RxSet::gated(rxs(res("site_header", &raw.site_header)?));
        let promos = RxSet::gated(rxs(res("promos", &raw.promos)?));
        let inline_promos = RxSet::gated(rxs(res("inline_promos", &raw.inline_promos)?));
        let teaser_headers = RxSet::gated(rxs(res("teaser_headers", &raw.teaser_headers)?));
        let page_footer = RxSet::gated(rxs(res("page_footer", &raw.page_footer)?));
        let timestamps = rxs(timestamps);
        let local_sets = AnyOf::new(&[
            &artifacts,
            &image_markers,
            &site_header,
            &promos,
            &inline_promos,
            &teaser_headers,
            &page_footer,
        ]);
        Ok(Rules {
            artifacts,
            image_markers,
            site_header,
            stamp_at_end: AnyOf::ending(&timestamps, crate::stamps::AFTER_STAMP),
            timestamps,
            stamp_prefixes: Phrases::new(&raw.stamp_prefixes),
            default_utc_offset: offset,
            widgets: Phrases::new(&raw.widgets),
            promos,
            inline_promos,
            teaser_headers,
            page_footer,
            photo_credit: Rx::new(photo_credit),
            photo_credit_bare: Rx::new(re("photo_credit_bare", &raw.photo_credit_bare)?).gated(),
            bylines: rxs(bylines).into_iter().map(Rx::gated).collect(),
            author_separators: raw.author_separators,
            sources: rxs(sources).into_iter().map(Rx::gated).collect(),
            tail_source: Rx::new(tail_source).gated(),
            outlet_prefix_words: Phrases::new(&raw.outlet_prefix_words),
            outlets: Phrases::new(&raw.outlets),
            categories: Phrases::new(&raw.categories),
            ranks: Phrases::new(&raw.ranks),
            caption_subjects: Phrases::new(&subjects),
            caption_scenes: Phrases::new(&raw.caption_scenes),
            caption_verbs: Phrases::new(&raw.caption_verbs),
            prose_markers: Phrases::new(&raw.prose_markers),
            prose_openers: Phrases::new(&raw.prose_openers),
            limits: raw.limits,
            local_sets,
            datelines: crate::credits::dateline_patterns(),
        })
    }

    /// The rules shipped with the crate (`config/boilerplate.vi.yaml`).
    pub fn builtin() -> Result<Rules, RulesError> {
        Rules::parse(BUILTIN, "config/boilerplate.vi.yaml (built in)")
    }
}

/// Patterns with their prefilters.
fn rxs(list: Vec<Regex>) -> Vec<Rx> {
    list.into_iter().map(Rx::new).collect()
}

/// The shipped rules file, embedded.
pub const BUILTIN: &str = include_str!("../../../config/boilerplate.vi.yaml");

/// Parse `+HH:MM` / `-HH:MM` into minutes east of UTC.
pub fn parse_offset(s: &str) -> Option<i32> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let h: i32 = h.parse().ok()?;
    let m: i32 = m.parse().ok()?;
    (h <= 14 && m < 60).then_some(sign * (h * 60 + m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_compile() {
        let r = Rules::builtin().expect("built-in rules");
        assert!(!r.artifacts.is_empty());
        assert_eq!(r.default_utc_offset, "+07:00");
    }

    #[test]
    fn phrases_found_by_first_word_are_those_found_by_trying_each() {
        let p = Phrases::new(&[
            "ông".into(),
            "Phó Chủ tịch".into(),
            "phó chủ tịch UBND".into(),
            "chủ tịch".into(),
            "đang".into(),
        ]);
        let texts = [
            "Ông Nguyễn Văn A phát biểu",
            "Phó chủ tịch UBND tỉnh",
            "Phó chủ",
            "ông",
            "Cô đang nói, chủ tịch nghe",
            "Phó Chủ tịch",
            "",
            "— —",
            "chủ",
        ];
        for t in texts {
            let words = crate::rules::words_lower(t);
            let starts = p.prefix_len(&words).is_some();
            let occurs = p.occurs_in(&words);
            crate::words::with_words(t, usize::MAX, |w| {
                assert_eq!(p.starts(w), starts, "{t:?}");
                assert_eq!(p.occurs_in_buf(w), occurs, "{t:?}");
            });
        }
    }

    #[test]
    fn yaml_errors_name_file_line_and_column() {
        let err = Rules::parse("artifacts: [\n  - x\n", "my.yaml").unwrap_err();
        assert!(err.0.contains("my.yaml"), "{err}");
        assert!(err.0.contains("line"), "{err}");
    }

    #[test]
    fn unknown_keys_are_errors() {
        let yaml = format!("{BUILTIN}\nsurprise: 1\n");
        let err = Rules::parse(&yaml, "x.yaml").unwrap_err();
        assert!(err.0.contains("surprise"), "{err}");
    }

    #[test]
    fn bad_regex_is_reported_with_its_field() {
        let yaml = BUILTIN.replacen("artifacts:\n", "artifacts:\n  - '(unclosed'\n", 1);
        let err = Rules::parse(&yaml, "x.yaml").unwrap_err();
        assert!(err.0.contains("artifacts"), "{err}");
        assert!(err.0.contains("x.yaml"), "{err}");
    }

    #[test]
    fn timestamps_need_their_groups() {
        let yaml = BUILTIN.replacen("timestamps:\n", "timestamps:\n  - '(?P<d>\\d+)'\n", 1);
        let err = Rules::parse(&yaml, "x.yaml").unwrap_err();
        assert!(err.0.contains("named group"), "{err}");
    }

    #[test]
    fn phrases_match_whole_words_case_insensitively() {
        let p = Phrases::new(&["phát biểu".to_string(), "dự".to_string()]);
        assert!(p.occurs_in(&words_lower("Ông A Phát biểu tại hội nghị")));
        assert!(!p.occurs_in(&words_lower("bản dựng phim")));
        assert_eq!(p.prefix_len(&words_lower("Dự hội nghị")), Some(1));
        let w = Phrases::new(&["Bình luận".to_string()]);
        assert!(w.is_exactly(&words_lower("Bình lụân")));
        assert!(!w.is_exactly(&words_lower("Bình luân")));
    }

    #[test]
    fn buffered_word_checks_agree_with_the_word_lists() {
        let r = Rules::builtin().expect("rules");
        let texts = [
            "Thượng tướng Lê C chủ trì hội nghị.",
            "Quang cảnh buổi lễ.",
            "Các đại biểu đã thảo luận, phát biểu tại hội nghị",
            "Đại tá A phát biểu",
            "",
            "-- ,",
            "phát biểu",
            "Ông A Phát biểu tại hội nghị tổng kết năm với nhiều đại biểu tham dự",
            "Thứ hai",
            "Tags",
            "TAGS: x",
            "Zalo",
            "Theo dõi",
            "In",
            "IN BÀI",
            "Email:",
            "Trong",
            "A",
            "Ab",
            "Tại hội nghị",
            "Đại tá A",
            "Ảnh: X",
            "Thượng tướng Lê C",
            "Ý kiến bạn đọc",
            "Lưu",
            "LƯU BÀI",
            "Lưu bài",
            "Gửi bình luận",
            "Bình lụân",
            "Thiếu tướng Nguyễn Văn Hòa",
            "Quang cảnh buổi lễ",
            "Hoà",
            "Hòa bình",
            "Tỉnh ủy",
        ];
        let lists = word_lists(&r);
        for t in texts {
            let words = words_lower(t);
            with_words(t, usize::MAX, |w| {
                for p in lists {
                    assert!(!p.starts(w) || p.may_open(t), "{t}");
                    assert_eq!(p.starts(w), p.prefix_len(&words).is_some(), "{t}");
                    assert_eq!(p.occurs_in_buf(w), p.occurs_in(&words), "{t}");
                }
            });
        }
    }

    /// Every phrase list of the rules whose first words are looked up.
    fn word_lists(r: &Rules) -> [&Phrases; 7] {
        [
            &r.caption_scenes,
            &r.caption_subjects,
            &r.caption_verbs,
            &r.prose_markers,
            &r.prose_openers,
            &r.ranks,
            &r.widgets,
        ]
    }

    #[test]
    fn may_open_never_rules_out_a_phrase_start_on_random_texts() {
        let r = Rules::builtin().unwrap();
        let lists = word_lists(&r);
        // ASCII letters and digits next to combining marks (which may
        // compose with them), Vietnamese letters, spaces and punctuation.
        let pieces = [
            "T", "t", "h", "e", "o", "O", "i", "n", "B", "b", "a", "A", "u", "1", "x", "z", " ",
            ".", "-", "(", "\u{301}", "\u{31B}", "\u{306}", "\u{323}", "ơ", "ư", "Đ", "đ", "ì",
            "ạ", "Ý", "ó",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..20_000 {
            let len = 1 + next(8);
            let t: String = (0..len).map(|_| pieces[next(pieces.len())]).collect();
            with_words(&t, usize::MAX, |w| {
                for p in lists {
                    assert!(!p.starts(w) || p.may_open(&t), "{t:?}");
                }
            });
        }
        // Phrases opening with a letter that an ASCII letter and a combining
        // mark compose to, and such texts.
        let composed = Phrases::new(&["ơn huệ".into(), "ăn".into(), "Ông bà".into(), "ướt".into()]);
        for t in [
            "O\u{31B}n huệ",
            "a\u{306}n",
            "O\u{302}ng bà",
            "u\u{31B}o\u{31B}\u{301}t",
        ] {
            with_words(t, usize::MAX, |w| {
                assert!(composed.starts(w), "{t:?}");
                assert!(composed.may_open(t), "{t:?}");
            });
        }
        // Every first word is found (its pair bit is set).
        for p in lists {
            for f in &p.firsts {
                assert!(!p.starting_with(f).is_empty(), "{f:?}");
            }
        }
        // Texts opening with a listed word's first letters, cased both ways.
        for p in lists {
            for f in &p.firsts {
                for t in [
                    f.clone(),
                    f.to_uppercase(),
                    format!("{f} x"),
                    format!("{f}\u{301}"),
                ] {
                    with_words(&t, usize::MAX, |w| {
                        assert!(!p.starts(w) || p.may_open(&t), "{t:?}");
                    });
                }
            }
        }
    }

    #[test]
    fn offsets_parse() {
        assert_eq!(parse_offset("+07:00"), Some(420));
        assert_eq!(parse_offset("-03:30"), Some(-210));
        assert_eq!(parse_offset("7"), None);
    }

    #[test]
    fn first_words_are_excluded_as_folding_says() {
        let r = Rules::builtin().unwrap();
        for word in [
            "Facebook",
            "FACEBOOK!",
            "--",
            "In",
            "Inx",
            "theo",
            "Theo:",
            "a",
            "Tags",
            "x1",
            "(Email)",
            "Zalo.",
            "Bình",
            "bình,",
            "Chia",
            "Hà",
            "Ý",
            "“Theo",
            "1.",
        ] {
            let excluded = !r.widgets.may_open(word)
                || with_words(word, 1, |w| {
                    !w.is_empty() && !r.widgets.firsts.iter().any(|f| f == w.word(0))
                });
            assert_eq!(r.widgets.excludes_first_word(word), excluded, "{word:?}");
        }
        assert!(!r.widgets.excludes_first_word("Facebook"));
        assert!(r.widgets.excludes_first_word("Hà"));
    }
}
