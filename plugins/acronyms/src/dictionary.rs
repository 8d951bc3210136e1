//! The dictionary of known short forms (`config/acronyms.vi.yaml`): loading, checking, lookup.
//!
//! See the file's own header for its format. Loading checks every entry: a key written
//! twice, an empty long form, a sense list of one, or a `before`/`after` pattern that is not a
//! valid regex is an error naming the file and the key.

use crate::chars;
use crate::fnv::{FnvMap, FnvSet};
use enrichd_plugin_api::Error;
use memchr::memmem::Finder;
use regex::Regex;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// One meaning of a short form.
#[derive(Debug, Clone)]
pub struct Sense {
    /// The expansion, as it should be written.
    pub long: String,
    /// Words or phrases (lower case) whose presence in the article points to this meaning.
    pub context: Vec<String>,
    /// Must match the text just before a mention (anchored by the pattern itself, e.g. `\s*$`).
    pub before: Option<Regex>,
    /// Must match the text just after a mention (e.g. `^\s*(19|20)\d\d`).
    pub after: Option<Regex>,
}

/// A dictionary entry: one sense, or several to choose from by context.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The meanings, in the file's order.
    pub senses: Vec<Sense>,
}

impl Entry {
    /// True when the article's words must choose the meaning: several senses, or one sense
    /// with conditions (context, before, after).
    pub fn is_ambiguous(&self) -> bool {
        self.senses.len() > 1
            || self
                .senses
                .iter()
                .any(|s| !s.context.is_empty() || s.before.is_some() || s.after.is_some())
    }
}

/// The loaded dictionary.
#[derive(Debug, Clone, Default)]
pub struct Dictionary {
    entries: FnvMap<String, Entry>,
    /// Keys by their D-folded form (Đ written as D), for text that drops the stroke.
    folded: FnvMap<String, Vec<String>>,
    codes: FnvMap<String, String>,
    /// The `ignore` list, as keys (a set: asked of every short form found).
    ignore: FnvSet<String>,
    /// A bit for each key of `ignore` at [`ignore_bit`]: a key whose bit is clear is not in
    /// the list, without hashing it.
    ignore_bits: u64,
    /// The keys with a space or comma inside, in the order [`Dictionary::phrase_keys`] gives,
    /// each with its substring searcher (built once, not per article).
    phrase_keys: Vec<(String, Finder<'static>)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    acronyms: Pairs<RawEntry>,
    #[serde(default)]
    codes: Option<Pairs<String>>,
    #[serde(default)]
    ignore: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawEntry {
    One(String),
    Many(Vec<RawSense>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSense {
    long: String,
    #[serde(default)]
    context: Vec<String>,
    #[serde(default)]
    before: Option<String>,
    #[serde(default)]
    after: Option<String>,
}

/// A YAML mapping read as a list of pairs, so that a key written twice is seen (a map type
/// would silently keep one of them).
struct Pairs<V>(Vec<(String, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Pairs<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PairsVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for PairsVisitor<V> {
            type Value = Pairs<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of short forms")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs<V>, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, V>()? {
                    out.push((k, v));
                }
                Ok(Pairs(out))
            }
        }
        d.deserialize_map(PairsVisitor(std::marker::PhantomData))
    }
}

/// The short form written as a key: NFC, no outer spaces.
pub fn key(short: &str) -> String {
    short.trim().nfc().collect()
}

/// [`key`], borrowing when the trimmed text is already NFC (as article text is).
fn key_ref(short: &str) -> Cow<'_, str> {
    let t = short.trim();
    // Characters below U+0300 (ASCII, Latin-1, Latin Extended-A and -B: Đ) neither combine
    // nor decompose to one another: such a key is NFC without a look at the tables.
    if t.is_ascii()
        || t.chars().all(|c| c < '\u{300}')
        || is_nfc_quick(t.chars()) == IsNormalized::Yes
    {
        Cow::Borrowed(t)
    } else {
        Cow::Owned(t.nfc().collect())
    }
}

/// A bit of 64 for a key, from its length and its first and last bytes (a filter in front of
/// the `ignore` set: most short forms found are not in it).
fn ignore_bit(key: &str) -> u64 {
    let b = key.as_bytes();
    let (first, last) = (b.first().copied(), b.last().copied());
    let mix = b
        .len()
        .wrapping_mul(31)
        .wrapping_add(usize::from(first.unwrap_or(0)).wrapping_mul(7))
        .wrapping_add(usize::from(last.unwrap_or(0)));
    1u64 << (mix % 64)
}

/// The key with Đ written as D (for lookups in text typed without the stroke).
fn d_folded(short: &str) -> String {
    short.replace('Đ', "D")
}

/// [`d_folded`], borrowing when there is no Đ.
fn d_folded_ref(short: &str) -> Cow<'_, str> {
    if short.contains('Đ') {
        Cow::Owned(d_folded(short))
    } else {
        Cow::Borrowed(short)
    }
}

impl Dictionary {
    /// Parse a dictionary; `origin` names the file in errors.
    pub fn parse(yaml: &str, origin: &str) -> Result<Dictionary, Error> {
        let file: File = serde_norway::from_str(yaml)
            .map_err(|e| Error::new(format!("acronym dictionary {origin}: {e}")))?;
        let err = |msg: String| Error::new(format!("acronym dictionary {origin}: {msg}"));
        let mut entries = FnvMap::default();
        for (raw_key, raw) in file.acronyms.0 {
            let k = key(&raw_key);
            if k.chars().filter(|c| c.is_alphabetic()).count() < 2 {
                return Err(err(format!("key {raw_key:?} needs at least two letters")));
            }
            let senses = match raw {
                RawEntry::One(long) => vec![Sense {
                    long: long.trim().nfc().collect(),
                    context: Vec::new(),
                    before: None,
                    after: None,
                }],
                RawEntry::Many(list) => {
                    let conditional = list.len() == 1
                        && (!list[0].context.is_empty()
                            || list[0].before.is_some()
                            || list[0].after.is_some());
                    if list.len() < 2 && !conditional {
                        return Err(err(format!(
                            "{k}: a list of senses needs two or more, or one with context, before \
                             or after; write one unconditional meaning as a string"
                        )));
                    }
                    let mut senses = Vec::new();
                    for s in list {
                        let compile = |p: Option<String>, what: &str| {
                            p.map(|p| {
                                Regex::new(&p)
                                    .map_err(|e| err(format!("{k}: bad {what} pattern: {e}")))
                            })
                            .transpose()
                        };
                        senses.push(Sense {
                            long: s.long.trim().nfc().collect(),
                            context: s
                                .context
                                .iter()
                                .map(|c| c.trim().nfc().collect::<String>().to_lowercase())
                                .filter(|c| !c.is_empty())
                                .collect(),
                            before: compile(s.before, "before")?,
                            after: compile(s.after, "after")?,
                        });
                    }
                    senses
                }
            };
            if let Some(s) = senses.iter().find(|s| s.long.is_empty()) {
                return Err(err(format!("{k}: empty long form {:?}", s.long)));
            }
            if entries.insert(k.clone(), Entry { senses }).is_some() {
                return Err(err(format!("{k} is listed twice")));
            }
        }
        let mut codes = FnvMap::default();
        for (raw_key, long) in file.codes.map(|c| c.0).unwrap_or_default() {
            let k = key(&raw_key);
            if long.trim().is_empty() {
                return Err(err(format!("codes: {k} has an empty long form")));
            }
            if codes
                .insert(k.clone(), long.trim().nfc().collect())
                .is_some()
            {
                return Err(err(format!("codes: {k} is listed twice")));
            }
        }
        let mut folded: FnvMap<String, Vec<String>> = FnvMap::default();
        for k in entries.keys() {
            folded.entry(d_folded(k)).or_default().push(k.clone());
        }
        let phrase_keys = entries
            .keys()
            .filter(|k| k.contains([' ', ',']))
            .map(|k| (k.clone(), Finder::new(k.as_bytes()).into_owned()))
            .collect();
        let ignore: FnvSet<String> = file.ignore.iter().map(|s| key(s)).collect();
        let ignore_bits = ignore.iter().fold(0, |bits, k| bits | ignore_bit(k));
        Ok(Dictionary {
            entries,
            folded,
            codes,
            ignore,
            ignore_bits,
            phrase_keys,
        })
    }

    /// Number of short forms in `acronyms`.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when `acronyms` is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry for a short form as written; failing that, the one entry whose key equals it
    /// once Đ is written D (text typed without the stroke: "HDND").
    pub fn get(&self, short: &str) -> Option<&Entry> {
        let k = key_ref(short);
        if let Some(e) = self.entries.get(k.as_ref()) {
            return Some(e);
        }
        match self
            .folded
            .get(d_folded_ref(&k).as_ref())
            .map(Vec::as_slice)
        {
            Some([only]) => self.entries.get(only),
            _ => None,
        }
    }

    /// The meaning of a part of a document number ("KL" in 53-KL/TW): the `codes` table first,
    /// then a one-sense dictionary entry.
    pub fn code_part(&self, part: &str) -> Option<&str> {
        let k = key_ref(part);
        if let Some(long) = self.codes.get(k.as_ref()) {
            return Some(long);
        }
        match self.get(&k) {
            Some(e) if !e.is_ambiguous() => Some(&e.senses[0].long),
            _ => None,
        }
    }

    /// True for tokens the dictionary says are not acronyms (GMT, USD).
    pub fn is_ignored(&self, short: &str) -> bool {
        if self.ignore.is_empty() {
            return false;
        }
        let k = key_ref(short);
        self.ignore_bits & ignore_bit(&k) != 0 && self.ignore.contains(k.as_ref())
    }

    /// True when `word` is a key with lower-case letters and two capitals ("ThS"), which the
    /// text is searched for because the dictionary lists it.
    pub fn is_mixed_case_key(&self, word: &str) -> bool {
        word.chars().any(chars::is_lowercase)
            && word.chars().filter(|&c| chars::is_uppercase(c)).count() >= 2
            && self.entries.contains_key(word)
    }

    /// Short forms with a space or comma inside ("QP, AN"), which the text is searched for as
    /// phrases.
    pub fn phrase_keys(&self) -> impl Iterator<Item = &str> {
        self.phrase_keys.iter().map(|(k, _)| k.as_str())
    }

    /// The substring searcher of a phrase key (see [`Dictionary::phrase_keys`]).
    pub fn phrase_finder(&self, key: &str) -> Option<&Finder<'static>> {
        self.phrase_keys
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, f)| f)
    }

    /// All keys and their senses' long forms, sorted (for reports and tests).
    pub fn listing(&self) -> BTreeMap<&str, Vec<&str>> {
        self.entries
            .iter()
            .map(|(k, e)| {
                (
                    k.as_str(),
                    e.senses.iter().map(|s| s.long.as_str()).collect(),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../../../config/acronyms.vi.yaml");

    #[test]
    fn shipped_dictionary_loads_with_150_or_more_entries() {
        let d = Dictionary::parse(SHIPPED, "acronyms.vi.yaml").expect("shipped dictionary loads");
        assert!(d.len() >= 150, "only {} entries", d.len());
        assert_eq!(
            d.get("UBND").map(|e| e.senses[0].long.as_str()),
            Some("Ủy ban nhân dân")
        );
        assert!(d.get("BTC").is_some_and(Entry::is_ambiguous));
        assert!(d.is_ignored("GMT"));
        assert_eq!(d.code_part("KL"), Some("Kết luận"));
        assert_eq!(d.code_part("QUTW"), Some("Quân ủy Trung ương"));
    }

    #[test]
    fn the_ignore_filter_agrees_with_the_set() {
        let d = Dictionary::parse(SHIPPED, "acronyms.vi.yaml").expect("loads");
        let words = [
            "",
            " GMT ",
            "VNĐ",
            "VND",
            "VNĐ\u{301}",
            "GMTX",
            "G",
            "ĐNQP",
            "usd",
        ];
        let keys = d.ignore.iter().map(String::as_str);
        let entries = d.entries.keys().map(String::as_str);
        for w in words.into_iter().chain(keys).chain(entries) {
            assert_eq!(d.is_ignored(w), d.ignore.contains(key(w).as_str()), "{w:?}");
        }
        for k in &d.ignore {
            assert!(d.is_ignored(k), "{k}");
        }
    }

    #[test]
    fn shipped_dictionary_has_no_conflicting_keys() {
        // A key written twice is an error at load; here also keys that differ only by Đ/D.
        let d = Dictionary::parse(SHIPPED, "acronyms.vi.yaml").expect("loads");
        for (folded, keys) in &d.folded {
            let longs: Vec<Vec<&str>> = keys
                .iter()
                .map(|k| {
                    d.entries[k]
                        .senses
                        .iter()
                        .map(|s| s.long.as_str())
                        .collect()
                })
                .collect();
            assert!(
                longs.windows(2).all(|w| w[0] == w[1]),
                "{folded}: {keys:?} disagree: {longs:?}"
            );
        }
    }

    #[test]
    fn a_key_written_twice_is_an_error_naming_the_file() {
        let e = Dictionary::parse("acronyms:\n  AB: một\n  AB: hai\n", "x.yaml").unwrap_err();
        assert!(
            e.message().contains("x.yaml") && e.message().contains("twice"),
            "{e}"
        );
    }

    #[test]
    fn bad_yaml_and_unknown_fields_are_errors_naming_the_file() {
        let e = Dictionary::parse("acronyms: [", "broken.yaml").unwrap_err();
        assert!(e.message().contains("broken.yaml"), "{e}");
        let e = Dictionary::parse("acronyms: {}\nextra: 1\n", "f.yaml").unwrap_err();
        assert!(e.message().contains("f.yaml"), "{e}");
        let e = Dictionary::parse("acronyms:\n  AB:\n    - long: x\n", "g.yaml").unwrap_err();
        assert!(e.message().contains("two or more"), "{e}");
        let one = "acronyms:\n  AB:\n    - long: x\n      context: [y]\n";
        assert!(Dictionary::parse(one, "g.yaml")
            .is_ok_and(|d| d.get("AB").is_some_and(Entry::is_ambiguous)));
        let bad = "acronyms:\n  AB:\n    - long: x\n      after: '('\n    - long: y\n";
        assert!(Dictionary::parse(bad, "h.yaml").is_err());
    }

    #[test]
    fn text_below_u0300_is_nfc() {
        let cs: Vec<char> = (0..0x300u32).filter_map(char::from_u32).collect();
        for &a in &cs {
            for &b in &cs {
                let s: String = [a, b].into_iter().collect();
                assert_eq!(s.nfc().collect::<String>(), s, "{s:?}");
                assert!(matches!(key_ref(&s), Cow::Borrowed(_)), "{s:?}");
            }
        }
    }

    #[test]
    fn lookup_tolerates_a_missing_stroke() {
        let d = Dictionary::parse("acronyms:\n  HĐND: Hội đồng nhân dân\n", "t").expect("loads");
        assert!(d.get("HDND").is_some());
        assert!(d.get("HĐND").is_some());
        assert!(d.get("HXND").is_none());
    }
}
