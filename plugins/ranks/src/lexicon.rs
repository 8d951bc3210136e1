//! The word lists the extractor is built from, loaded from YAML (`config/ranks.vi.yaml`).
//!
//! Everything language-specific that is a *word* lives in the YAML file; the structure
//! (how a rank, a name and a chain of titles combine) lives in [`crate::scan`] and
//! [`crate::titles`]. Lists are matched case-insensitively on whole tokens, longest first.

use crate::tokens::Token;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};

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

/// A set of phrases (sequences of words), matched on tokens case-insensitively, longest first.
#[derive(Debug, Clone, Default)]
pub struct PhraseSet {
    /// First word -> (phrase words, phrase id), longest phrases first.
    by_first: HashMap<String, Vec<(Vec<String>, usize)>>,
}

impl PhraseSet {
    /// Build from phrases; the id of a phrase is its index in `phrases`.
    pub fn new<S: AsRef<str>>(phrases: &[S]) -> PhraseSet {
        let mut by_first: HashMap<String, Vec<(Vec<String>, usize)>> = HashMap::new();
        for (id, p) in phrases.iter().enumerate() {
            let words: Vec<String> = p.as_ref().split_whitespace().map(key).collect();
            if let Some(first) = words.first() {
                by_first.entry(first.clone()).or_default().push((words, id));
            }
        }
        for list in by_first.values_mut() {
            list.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
        }
        PhraseSet { by_first }
    }

    /// The longest phrase starting at token `i`: (number of tokens, phrase id).
    /// Every token of the match must be a word, and no token after the first may be
    /// glued to the one before it (see [`Token::glued`]).
    pub fn match_at(&self, tokens: &[Token], i: usize) -> Option<(usize, usize)> {
        let first = tokens.get(i)?;
        if !first.is_word() {
            return None;
        }
        let list = self.by_first.get(&first.key)?;
        'phrases: for (words, id) in list {
            if i + words.len() > tokens.len() {
                continue;
            }
            for (k, w) in words.iter().enumerate() {
                let t = &tokens[i + k];
                if !t.is_word() || &t.key != w || (k > 0 && t.glued) {
                    continue 'phrases;
                }
            }
            return Some((words.len(), *id));
        }
        None
    }

    /// Whether the phrase set holds a match at `i`.
    pub fn starts_at(&self, tokens: &[Token], i: usize) -> bool {
        self.match_at(tokens, i).is_some()
    }
}

/// The lexicon, ready for matching.
#[derive(Debug, Clone)]
pub struct Lexicon {
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
    /// Family names (lower-case keys).
    pub surnames: HashSet<String>,
    /// "tỉnh", "thành phố", ...
    pub place_words: PhraseSet,
    /// Place names (lower-case, single-spaced).
    pub places: HashSet<String>,
    /// Abbreviation (lower-case) -> expansion (lower-case words).
    pub equivalents: HashMap<String, Vec<String>>,
    /// Words that never start a name.
    pub not_names: HashSet<String>,
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
        let set = |v: &[String]| v.iter().map(|s| key(s.trim())).collect::<HashSet<_>>();
        Ok(Lexicon {
            rank_set: PhraseSet::new(&spellings),
            rank_ids,
            ranks: raw.ranks,
            rank_qualifiers: PhraseSet::new(&raw.rank_qualifiers),
            positions: PhraseSet::new(&raw.positions),
            position_prefixes: PhraseSet::new(&raw.position_prefixes),
            modifiers_kept: PhraseSet::new(&raw.title_modifiers_kept),
            modifiers_dropped: PhraseSet::new(&raw.title_modifiers_dropped),
            position_qualifiers: PhraseSet::new(&raw.position_qualifiers),
            org_heads: PhraseSet::new(&raw.org_heads),
            predicates: PhraseSet::new(&raw.predicates),
            role_triggers: PhraseSet::new(&raw.role_triggers),
            role_objects: PhraseSet::new(&raw.role_objects),
            list_heads: PhraseSet::new(&raw.list_heads),
            honorifics: PhraseSet::new(&raw.honorifics),
            pronouns: PhraseSet::new(&raw.pronouns),
            surnames: set(&raw.surnames),
            place_words: PhraseSet::new(&raw.place_words),
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
            not_names: set(&raw.not_names),
        })
    }

    /// The rank matched at token `i`: (number of tokens, index into `ranks`).
    pub fn rank_at(&self, tokens: &[Token], i: usize) -> Option<(usize, usize)> {
        self.rank_set
            .match_at(tokens, i)
            .map(|(len, id)| (len, self.rank_ids[id]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::tokenize;

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
        let toks = tokenize("CHUẨN Đô Đốc Nguyễn");
        let (len, id) = lex.rank_at(&toks, 0).expect("rank");
        assert_eq!(len, 3);
        assert_eq!(lex.ranks[id].vi, "Chuẩn đô đốc");
        let toks = tokenize("Phó Đô đốc");
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
