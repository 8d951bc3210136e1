//! The word lists the extractor is built from, loaded from YAML (`config/ranks.vi.yaml`).
//!
//! Everything language-specific that is a *word* lives in the YAML file; the structure
//! (how a rank, a name and a chain of titles combine) lives in [`crate::scan`] and
//! [`crate::titles`]. Lists are matched case-insensitively on whole tokens, longest first.

use crate::chars::{Classes, CHANGES_CASE, LOWER_SLOW};
use crate::tokens::Token;
use crate::vocab::{FxHashMap, FxHashSet, Tags, Vocab, WordId};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The lexicon shipped with the crate, used when the `lexicon` setting is absent.
pub const DEFAULT_YAML: &str = include_str!("../../../config/ranks.vi.yaml");

/// One rank as the YAML file gives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankEntry {
    /// Canonical Vietnamese spelling, reported in `rank`.
    pub vi: String,
    /// English rank name, reported in `rank_en`.
    pub en: String,
    /// NATO code of the grade, reported in `rank_code`.
    pub code: String,
    /// Other spellings of the same rank.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// The YAML file as written (see the comments in `config/ranks.vi.yaml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLexicon {
    ranks: Vec<RankEntry>,
    #[serde(default)]
    rank_qualifiers: Vec<String>,
    positions: Vec<String>,
    #[serde(default)]
    position_prefixes: Vec<String>,
    #[serde(default)]
    title_modifiers_kept: Vec<String>,
    #[serde(default)]
    title_modifiers_dropped: Vec<String>,
    #[serde(default)]
    position_qualifiers: Vec<String>,
    #[serde(default)]
    org_heads: Vec<String>,
    #[serde(default)]
    predicates: Vec<String>,
    #[serde(default)]
    role_triggers: Vec<String>,
    #[serde(default)]
    role_objects: Vec<String>,
    #[serde(default)]
    list_heads: Vec<String>,
    #[serde(default)]
    honorifics: Vec<String>,
    #[serde(default)]
    pronouns: Vec<String>,
    #[serde(default)]
    surnames: Vec<String>,
    #[serde(default)]
    place_words: Vec<String>,
    #[serde(default)]
    places: Vec<String>,
    #[serde(default)]
    equivalents: BTreeMap<String, String>,
    #[serde(default)]
    not_names: Vec<String>,
}

/// Lower-case key of a word as the matchers compare it.
pub fn key(word: &str) -> String {
    word.to_lowercase()
}

/// Append [`key`] of `word` to `out`.
pub fn push_key(out: &mut String, word: &str) {
    let at = out.len();
    if word.is_ascii() {
        out.push_str(word);
        out[at..].make_ascii_lowercase();
        return;
    }
    let classes = Classes::get();
    let bytes = word.as_bytes();
    out.reserve(word.len());
    // characters that keep their case are copied a run at a time
    let mut copied = 0;
    let mut b = 0;
    while let Some(&x) = bytes.get(b) {
        let (cp, len, class) = classes.decode_bytes(bytes, b).unwrap_or((0, 1, 0));
        if class & CHANGES_CASE != 0 {
            if class & LOWER_SLOW != 0 {
                // `str::to_lowercase` handles what one character at a time cannot
                out.truncate(at);
                out.push_str(&word.to_lowercase());
                return;
            }
            out.push_str(word.get(copied..b).unwrap_or(""));
            if x < 0x80 {
                out.push(char::from(x.to_ascii_lowercase()));
            } else {
                out.push(classes.lower(char::from_u32(cp).unwrap_or('\u{FFFD}')));
            }
            copied = b + len;
        }
        b += len;
    }
    out.push_str(word.get(copied..).unwrap_or(""));
}

/// [`push_key`] as it was written first, one character at a time (tests compare the two).
#[cfg(test)]
fn push_key_by_chars(out: &mut String, word: &str) {
    let at = out.len();
    if word.is_ascii() {
        out.push_str(word);
        out[at..].make_ascii_lowercase();
        return;
    }
    let classes = Classes::get();
    for c in word.chars() {
        if classes.of(c) & LOWER_SLOW != 0 {
            out.truncate(at);
            out.push_str(&word.to_lowercase());
            return;
        }
        out.push(classes.lower(c));
    }
}

/// The tags of [`Vocab`] words: which phrase set a phrase of the word starts, and which
/// word lists hold it.
pub mod tag {
    use crate::vocab::Tags;

    /// Starts a rank spelling.
    pub const RANK: Tags = 1;
    /// Starts a rank qualifier.
    pub const RANK_QUALIFIER: Tags = 1 << 1;
    /// Starts a position.
    pub const POSITION: Tags = 1 << 2;
    /// Starts a position prefix.
    pub const POSITION_PREFIX: Tags = 1 << 3;
    /// Starts a kept title modifier.
    pub const MODIFIER_KEPT: Tags = 1 << 4;
    /// Starts a dropped title modifier.
    pub const MODIFIER_DROPPED: Tags = 1 << 5;
    /// Starts a position qualifier.
    pub const POSITION_QUALIFIER: Tags = 1 << 6;
    /// Starts an organisation head.
    pub const ORG_HEAD: Tags = 1 << 7;
    /// Starts a predicate.
    pub const PREDICATE: Tags = 1 << 8;
    /// Starts a role trigger.
    pub const ROLE_TRIGGER: Tags = 1 << 9;
    /// Starts a role object.
    pub const ROLE_OBJECT: Tags = 1 << 10;
    /// Starts a list head.
    pub const LIST_HEAD: Tags = 1 << 11;
    /// Starts an honorific.
    pub const HONORIFIC: Tags = 1 << 12;
    /// Starts a pronoun.
    pub const PRONOUN: Tags = 1 << 13;
    /// Starts a place word.
    pub const PLACE_WORD: Tags = 1 << 14;
    /// Is a family name.
    pub const SURNAME: Tags = 1 << 15;
    /// Never starts a name.
    pub const NOT_NAME: Tags = 1 << 16;
    /// Starts a place name (see [`crate::names::is_place`]).
    pub const PLACE_START: Tags = 1 << 17;
}

/// One phrase of a set: its words and its id.
/// No node (see [`PhraseSet`]).
const NO_NODE: u32 = u32::MAX;

/// A node of the word trie of a [`PhraseSet`].
#[derive(Debug, Clone, Default)]
struct Node {
    /// The id of the (first) phrase that ends here.
    phrase: Option<usize>,
    /// The next words of longer phrases, and their nodes.
    next: Vec<(WordId, u32)>,
}

/// A set of phrases (sequences of words), matched on tokens case-insensitively, longest first.
#[derive(Debug, Clone, Default)]
pub struct PhraseSet {
    /// The tag the first words of the phrases carry in the vocabulary (0: an empty set).
    tag: Tags,
    /// First word (by id) -> its node in `nodes`, or [`NO_NODE`].
    roots: Vec<u32>,
    /// The trie of the phrases' words.
    nodes: Vec<Node>,
}

impl PhraseSet {
    /// Build from phrases; the id of a phrase is its index in `phrases`. The words go into
    /// `vocab`, and their first words get `tag` there.
    pub fn new<S: AsRef<str>>(phrases: &[S], tag: Tags, vocab: &mut Vocab) -> PhraseSet {
        let mut set = PhraseSet {
            tag,
            roots: Vec::new(),
            nodes: Vec::new(),
        };
        for (id, p) in phrases.iter().enumerate() {
            let words: Vec<WordId> = p
                .as_ref()
                .split_whitespace()
                .map(|w| vocab.intern(&key(w)))
                .collect();
            let Some(&first) = words.first() else {
                continue;
            };
            vocab.tag_id(first, tag);
            let mut node = set.root_or_new(first);
            for &w in &words[1..] {
                node = set.next_or_new(node, w);
            }
            // of two identical phrases, the first one's id
            let end = &mut set.nodes[node as usize].phrase;
            if end.is_none() {
                *end = Some(id);
            }
        }
        set
    }

    /// The node of first word `w`, added if new.
    fn root_or_new(&mut self, w: WordId) -> u32 {
        let at = w as usize;
        if self.roots.len() <= at {
            self.roots.resize(at + 1, NO_NODE);
        }
        if self.roots[at] == NO_NODE {
            self.roots[at] = self.nodes.len() as u32;
            self.nodes.push(Node::default());
        }
        self.roots[at]
    }

    /// The node after `node` for the next word `w`, added if new.
    fn next_or_new(&mut self, node: u32, w: WordId) -> u32 {
        if let Some(&(_, n)) = self.nodes[node as usize].next.iter().find(|e| e.0 == w) {
            return n;
        }
        let n = self.nodes.len() as u32;
        self.nodes.push(Node::default());
        self.nodes[node as usize].next.push((w, n));
        n
    }

    /// The longest phrase starting at token `i`: (number of tokens, phrase id).
    /// Every token of the match must be a word, and no token after the first may be
    /// glued to the one before it (see [`Token::glued`]).
    #[inline]
    pub fn match_at(&self, tokens: &[Token], i: usize) -> Option<(usize, usize)> {
        let first = tokens.get(i)?;
        if !first.has_tag(self.tag) || !first.is_word() {
            return None;
        }
        self.match_slow(tokens, i, first.id)
    }

    /// [`PhraseSet::match_at`] once the first word is known to start a phrase: walks the
    /// trie along the tokens, remembering the last phrase end.
    fn match_slow(&self, tokens: &[Token], i: usize, first: WordId) -> Option<(usize, usize)> {
        let root = *self.roots.get(first as usize)?;
        let mut node = self.nodes.get(root as usize)?;
        let mut best = node.phrase.map(|id| (1, id));
        for (k, t) in tokens.iter().enumerate().skip(i + 1) {
            if node.next.is_empty() || !t.is_word() || t.glued {
                break;
            }
            match node.next.iter().find(|e| e.0 == t.id) {
                Some(&(_, n)) => node = &self.nodes[n as usize],
                None => break,
            }
            if let Some(id) = node.phrase {
                best = Some((k + 1 - i, id));
            }
        }
        best
    }

    /// Whether the phrase set holds a match at `i`.
    #[inline]
    pub fn starts_at(&self, tokens: &[Token], i: usize) -> bool {
        self.match_at(tokens, i).is_some()
    }
}

/// Words the structure of a title or a clause names (not lexicon lists).
#[derive(Debug, Clone, Copy)]
pub struct FunctionWords {
    /// "và" (and).
    pub va: WordId,
    /// "kiêm" (and concurrently).
    pub kiem: WordId,
    /// "cùng" (together with).
    pub cung: WordId,
}

/// The lexicon, ready for matching.
#[derive(Debug, Clone)]
pub struct Lexicon {
    /// Every word of the lists below, numbered; tokens are looked up here.
    pub vocab: Vocab,
    /// The ranks, in file order.
    pub ranks: Vec<RankEntry>,
    /// Rank spellings -> index into `ranks`.
    rank_ids: Vec<usize>,
    /// All rank spellings.
    pub rank_set: PhraseSet,
    /// "công an", "chuyên nghiệp" between rank and name.
    pub rank_qualifiers: PhraseSet,
    /// Position words.
    pub positions: PhraseSet,
    /// "Phó", "Tổng".
    pub position_prefixes: PhraseSet,
    /// "nguyên", "cựu", "đồng".
    pub modifiers_kept: PhraseSet,
    /// "tân", "nữ".
    pub modifiers_dropped: PhraseSet,
    /// "dự khuyết", "thường trực".
    pub position_qualifiers: PhraseSet,
    /// "Bộ", "Cục", ...
    pub org_heads: PhraseSet,
    /// Predicate verbs and function words that end a title.
    pub predicates: PhraseSet,
    /// "giữ chức", "từng làm", ...
    pub role_triggers: PhraseSet,
    /// "đối với".
    pub role_objects: PhraseSet,
    /// "gồm".
    pub list_heads: PhraseSet,
    /// "ông", "TS", "đồng chí", ...
    pub honorifics: PhraseSet,
    /// "ông", "bà" standing alone.
    pub pronouns: PhraseSet,
    /// "tỉnh", "thành phố", ...
    pub place_words: PhraseSet,
    /// Place names (lower-case, single-spaced).
    pub places: FxHashSet<String>,
    /// Abbreviation (lower-case) -> expansion (lower-case words).
    pub equivalents: FxHashMap<String, Vec<String>>,
    /// "và", "kiêm", "cùng".
    pub words: FunctionWords,
}

impl Lexicon {
    /// Parse a lexicon; `origin` names the file in errors.
    pub fn from_yaml(text: &str, origin: &str) -> Result<Lexicon, String> {
        let raw: RawLexicon =
            serde_norway::from_str(text).map_err(|e| format!("ranks lexicon {origin}: {e}"))?;
        if raw.ranks.is_empty() {
            return Err(format!("ranks lexicon {origin}: `ranks` is empty"));
        }
        if raw.positions.is_empty() {
            return Err(format!("ranks lexicon {origin}: `positions` is empty"));
        }
        let mut spellings = Vec::new();
        let mut rank_ids = Vec::new();
        for (i, r) in raw.ranks.iter().enumerate() {
            if r.vi.trim().is_empty() || r.en.trim().is_empty() || r.code.trim().is_empty() {
                return Err(format!(
                    "ranks lexicon {origin}: rank #{} needs `vi`, `en` and `code`",
                    i + 1
                ));
            }
            spellings.push(r.vi.clone());
            rank_ids.push(i);
            for a in &r.aliases {
                spellings.push(a.clone());
                rank_ids.push(i);
            }
        }
        crate::chars::init();
        let mut vocab = Vocab::default();
        for s in &raw.surnames {
            vocab.tag(&key(s.trim()), tag::SURNAME);
        }
        for s in &raw.not_names {
            vocab.tag(&key(s.trim()), tag::NOT_NAME);
        }
        let words = FunctionWords {
            va: vocab.intern("và"),
            kiem: vocab.intern("kiêm"),
            cung: vocab.intern("cùng"),
        };
        let v = &mut vocab;
        let lexicon = Lexicon {
            rank_set: PhraseSet::new(&spellings, tag::RANK, v),
            rank_ids,
            rank_qualifiers: PhraseSet::new(&raw.rank_qualifiers, tag::RANK_QUALIFIER, v),
            positions: PhraseSet::new(&raw.positions, tag::POSITION, v),
            position_prefixes: PhraseSet::new(&raw.position_prefixes, tag::POSITION_PREFIX, v),
            modifiers_kept: PhraseSet::new(&raw.title_modifiers_kept, tag::MODIFIER_KEPT, v),
            modifiers_dropped: PhraseSet::new(
                &raw.title_modifiers_dropped,
                tag::MODIFIER_DROPPED,
                v,
            ),
            position_qualifiers: PhraseSet::new(
                &raw.position_qualifiers,
                tag::POSITION_QUALIFIER,
                v,
            ),
            org_heads: PhraseSet::new(&raw.org_heads, tag::ORG_HEAD, v),
            predicates: PhraseSet::new(&raw.predicates, tag::PREDICATE, v),
            role_triggers: PhraseSet::new(&raw.role_triggers, tag::ROLE_TRIGGER, v),
            role_objects: PhraseSet::new(&raw.role_objects, tag::ROLE_OBJECT, v),
            list_heads: PhraseSet::new(&raw.list_heads, tag::LIST_HEAD, v),
            honorifics: PhraseSet::new(&raw.honorifics, tag::HONORIFIC, v),
            pronouns: PhraseSet::new(&raw.pronouns, tag::PRONOUN, v),
            place_words: PhraseSet::new(&raw.place_words, tag::PLACE_WORD, v),
            places: raw
                .places
                .iter()
                .map(|p| p.split_whitespace().map(key).collect::<Vec<_>>().join(" "))
                .collect(),
            equivalents: raw
                .equivalents
                .iter()
                .map(|(k, v)| (key(k), v.split_whitespace().map(key).collect()))
                .collect(),
            ranks: raw.ranks,
            words,
            vocab,
        };
        let mut lexicon = lexicon;
        // the first word of each place, so that a run of tokens is looked up as a place only
        // when its first word may start one
        for p in &lexicon.places {
            if let Some(first) = p.split(' ').next() {
                lexicon.vocab.tag(first, tag::PLACE_START);
            }
        }
        lexicon.vocab.add_capitalized();
        Ok(lexicon)
    }

    /// The rank matched at token `i`: (number of tokens, index into `ranks`).
    #[inline]
    pub fn rank_at(&self, tokens: &[Token], i: usize) -> Option<(usize, usize)> {
        self.rank_set
            .match_at(tokens, i)
            .map(|(len, id)| (len, self.rank_ids[id]))
    }

    /// Split one line into tokens looked up in this lexicon (offsets from its start).
    pub fn tokenize<'a>(&self, text: &'a str) -> Vec<Token<'a>> {
        crate::tokens::tokenize(text, &self.vocab)
    }
}

/// The built-in lexicon, parsed once, for tests.
#[cfg(test)]
pub(crate) fn builtin() -> &'static Lexicon {
    static LEX: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
    LEX.get_or_init(|| Lexicon::from_yaml(DEFAULT_YAML, "builtin").expect("built-in lexicon"))
}

/// Tokens of `s`, looked up in the built-in lexicon, for tests.
#[cfg(test)]
pub(crate) fn tokenize_builtin(s: &str) -> Vec<crate::tokens::Token<'_>> {
    builtin().tokenize(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The matcher the trie replaced: phrases by first word, longest first, tried in turn.
    fn match_by_list(
        phrases: &[String],
        vocab: &Vocab,
        tokens: &[Token],
        i: usize,
    ) -> Option<(usize, usize)> {
        let first = tokens.get(i)?;
        if !first.is_word() {
            return None;
        }
        let mut list: Vec<(Vec<WordId>, usize)> = phrases
            .iter()
            .enumerate()
            .map(|(id, p)| {
                (
                    p.split_whitespace().map(|w| vocab.id(&key(w))).collect(),
                    id,
                )
            })
            .filter(|(w, _): &(Vec<WordId>, usize)| w.first() == Some(&first.id))
            .collect();
        list.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
        'phrases: for (words, id) in list {
            if i + words.len() > tokens.len() {
                continue;
            }
            for (k, &w) in words.iter().enumerate() {
                let t = &tokens[i + k];
                if !t.is_word() || t.id != w || (k > 0 && t.glued) {
                    continue 'phrases;
                }
            }
            return Some((words.len(), id));
        }
        None
    }

    #[test]
    fn push_key_agrees_with_the_char_by_char_version() {
        let chars: Vec<char> = "aAđĐẠạỸỹÀàƠơƯưİΣσßﬁ Ǆǅǆ1-.'’&KΩǅ𝔸ÉÊ".chars().collect();
        let mut seed = 99u64;
        for n in 0..40_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = (seed >> 59) as usize % 8;
            let word: String = (0..len)
                .map(|k| chars[(seed >> (7 * k)) as usize % chars.len()])
                .collect();
            let prefix = if n % 2 == 0 { "" } else { "xY " };
            let (mut a, mut b) = (prefix.to_string(), prefix.to_string());
            push_key(&mut a, &word);
            push_key_by_chars(&mut b, &word);
            assert_eq!(a, b, "{word}");
        }
    }

    #[test]
    fn the_trie_matches_as_the_phrase_lists_did() {
        let raw: RawLexicon = serde_norway::from_str(DEFAULT_YAML).expect("built-in lexicon");
        let lex = builtin();
        let text = "Phó Tổng Bí thư Thượng tướng công an Phó giám đốc Công an tỉnh, Bộ trưởng \
                    Bộ Quốc phòng- Đại tướng Ngô Xuân Lịch; Thiếu tướng Phó Chủ tịch Ủy ban \
                    nhân dân Thành phố Hồ Chí MinhTrung tướng, ông bà Hội đồng Nghĩa vụ quân sự \
                    giữ chức Chủ nhiệm Tổng cục Chính trị Quân đội nhân dân Việt Nam đại tá \
                    thượng úy (Đại sứ) đặc mệnh toàn quyền Phó Thủ tướng Chính phủ";
        let tokens = lex.tokenize(text);
        let sets: [(&PhraseSet, &[String]); 6] = [
            (&lex.positions, &raw.positions),
            (&lex.org_heads, &raw.org_heads),
            (&lex.predicates, &raw.predicates),
            (&lex.honorifics, &raw.honorifics),
            (&lex.position_prefixes, &raw.position_prefixes),
            (&lex.role_triggers, &raw.role_triggers),
        ];
        let mut hits = 0;
        for (set, phrases) in sets {
            for i in 0..=tokens.len() {
                let want = tokens
                    .get(i)
                    .filter(|t| t.has_tag(set.tag))
                    .and_then(|_| match_by_list(phrases, &lex.vocab, &tokens, i));
                assert_eq!(set.match_at(&tokens, i), want, "token {i}");
                hits += usize::from(want.is_some());
            }
        }
        assert!(hits > 10, "{hits}");
    }

    #[test]
    fn default_lexicon_parses_and_covers_every_rank_family() {
        let lex = Lexicon::from_yaml(DEFAULT_YAML, "builtin").expect("default lexicon");
        let names: Vec<&str> = lex.ranks.iter().map(|r| r.vi.as_str()).collect();
        for r in [
            "Binh nhì",
            "Binh nhất",
            "Hạ sĩ",
            "Trung sĩ",
            "Thượng sĩ",
            "Thiếu úy",
            "Đại úy",
            "Thiếu tá",
            "Đại tá",
            "Thiếu tướng",
            "Đại tướng",
            "Chuẩn đô đốc",
            "Phó đô đốc",
            "Đô đốc",
        ] {
            assert!(names.contains(&r), "missing rank {r}");
        }
        let thuong_tuong = lex.ranks.iter().find(|r| r.vi == "Thượng tướng").unwrap();
        assert_eq!(thuong_tuong.en, "Colonel General");
        assert_eq!(thuong_tuong.code, "OF-8");
    }

    #[test]
    fn ranks_match_in_any_capitalisation_longest_first() {
        let lex = Lexicon::from_yaml(DEFAULT_YAML, "builtin").unwrap();
        let toks = lex.tokenize("CHUẨN Đô Đốc Nguyễn");
        let (len, id) = lex.rank_at(&toks, 0).expect("rank");
        assert_eq!(len, 3);
        assert_eq!(lex.ranks[id].vi, "Chuẩn đô đốc");
        let toks = lex.tokenize("Phó Đô đốc");
        let (len, id) = lex.rank_at(&toks, 0).unwrap();
        assert_eq!((len, lex.ranks[id].code.as_str()), (3, "OF-7"));
    }

    #[test]
    fn bad_yaml_names_the_file() {
        let err = Lexicon::from_yaml("ranks: [", "my.yaml").unwrap_err();
        assert!(err.contains("my.yaml"), "{err}");
        let err =
            Lexicon::from_yaml("ranks: []\npositions: [x]\nbogus: 1\n", "x.yaml").unwrap_err();
        assert!(err.contains("x.yaml"), "{err}");
    }
}
