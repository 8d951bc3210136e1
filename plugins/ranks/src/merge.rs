//! Merge mentions into people: one entry per person, the union of titles, all mentions.
//!
//! - Mentions with the same name (case-insensitive) are one person.
//! - A shorter name that ends like exactly one longer name with a compatible rank is that
//!   person ("Hữu Ước" → "Nguyễn Hữu Ước", "trung tá Giao" → "Mai Thanh Giao").
//! - Bylines (`authors`), all-capital names and places are dropped.
//! - A person needs a rank or a title to be reported.
//! - Titles that say the same thing once are kept once: the same words (ignoring
//!   punctuation, case, a leading "nguyên"/"cựu", and the `equivalents` of the lexicon such as
//!   TW = Trung ương), or the words of a shorter title starting a longer one (the longer is
//!   kept).

use crate::chars::{Class, Classes, ALNUM, CHANGES_CASE, LOWER_SLOW, SPACE};
use crate::lexicon::{push_key, Lexicon};
use crate::scan::{Mention, Segment};
use std::collections::HashSet;

/// One person, merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The fullest form of the name.
    pub name: String,
    /// Index into the lexicon's ranks.
    pub rank: Option<usize>,
    /// Titles, first seen first.
    pub titles: Vec<String>,
    /// Name spans in the text (character offsets).
    pub mentions: Vec<(usize, usize)>,
    /// Name spans in photo captions: (caption index, start, end), offsets into the caption.
    pub caption_mentions: Vec<(usize, usize, usize)>,
}

/// Lower-case words of a name, single-spaced.
fn name_key(name: &str) -> String {
    let mut k = String::with_capacity(name.len());
    if push_words_key(&mut k, name, |class, _| class & SPACE == 0, |_| {}) {
        return k;
    }
    // a character whose lower case depends on its word (see `push_key`): word by word
    name_key_by_words(name)
}

/// [`name_key`] one word at a time, as [`push_key`] lower-cases a word.
fn name_key_by_words(name: &str) -> String {
    let mut k = String::with_capacity(name.len());
    for w in name.split_whitespace() {
        if !k.is_empty() {
            k.push(' ');
        }
        push_key(&mut k, w);
    }
    k
}

/// Append to `out` the words of `text` lower-cased, single-spaced, in one pass over the
/// characters: a word is a run of characters for which `in_word(classes, char)` holds, and
/// `word_done(out)` is called after each word is appended. Returns `false`, with `out` left
/// unfinished, at a character that lower-cases by its context ([`LOWER_SLOW`]).
fn push_words_key(
    out: &mut String,
    text: &str,
    in_word: impl Fn(Class, u32) -> bool,
    mut word_done: impl FnMut(&mut String),
) -> bool {
    let classes = Classes::get();
    let bytes = text.as_bytes();
    let mut b = 0;
    let mut in_run = false;
    // start of the characters not yet appended that stay as they are (copied a run at a time)
    let mut copy_from = None;
    let flush = |out: &mut String, from: &mut Option<usize>, to: usize| {
        if let Some(f) = from.take() {
            out.push_str(text.get(f..to).unwrap_or(""));
        }
    };
    while let Some((cp, len, class)) = classes.decode_bytes(bytes, b) {
        if in_word(class, cp) {
            if !in_run && !out.is_empty() {
                out.push(' ');
            }
            in_run = true;
            if class & CHANGES_CASE == 0 {
                copy_from.get_or_insert(b);
            } else if class & LOWER_SLOW != 0 {
                return false;
            } else {
                flush(out, &mut copy_from, b);
                out.push(classes.lower(char::from_u32(cp).unwrap_or('\u{FFFD}')));
            }
        } else if in_run {
            in_run = false;
            flush(out, &mut copy_from, b);
            word_done(out);
        }
        b += len;
    }
    if in_run {
        flush(out, &mut copy_from, b);
        word_done(out);
    }
    true
}

/// Whether a name should never be reported (byline, acronym, place); `key` is its
/// [`name_key`].
fn excluded(name: &str, key: &str, authors: &HashSet<String>, lex: &Lexicon) -> bool {
    key.is_empty()
        || authors.contains(key)
        || lex.places.contains(key)
        || !name.chars().any(char::is_lowercase)
}

/// Whether the words of `long` end with the words of `short` and are more of them.
fn ends_with_words(long: &str, short: &str) -> bool {
    long.len() > short.len()
        // the last bytes first: most names end differently
        && (short.is_empty() || long.as_bytes().last() == short.as_bytes().last())
        && long.ends_with(short)
        && long.as_bytes()[long.len() - short.len() - 1] == b' '
}

/// The words of a title that [`title_key`] compares: runs of letters, digits and '&'.
fn title_words(title: &str) -> impl Iterator<Item = &str> {
    let classes = Classes::get();
    title
        .split(move |c: char| !(classes.of(c) & ALNUM != 0 || c == '&'))
        .filter(|w| !w.is_empty())
}

/// Comparison words of a title, single-spaced: lower-case, punctuation dropped, equivalents
/// expanded, without a leading "nguyên"/"cựu".
pub fn title_key(title: &str, lex: &Lexicon) -> String {
    let mut k = String::with_capacity(title.len());
    // where the current word starts in `k`
    let mut at = 0;
    let in_word = |class: Class, cp: u32| class & ALNUM != 0 || cp == u32::from(b'&');
    let expand = |k: &mut String| {
        let word = &k[at + usize::from(at > 0)..];
        if let Some(exp) = lex.equivalents.get(word) {
            k.truncate(at);
            for e in exp {
                if !k.is_empty() {
                    k.push(' ');
                }
                k.push_str(e);
            }
        }
        at = k.len();
    };
    if !push_words_key(&mut k, title, in_word, expand) {
        // a character that lower-cases by its context: word by word
        return title_key_by_words(title, lex);
    }
    drop_former(&mut k);
    k
}

/// [`title_key`] one word at a time, as [`push_key`] lower-cases a word.
fn title_key_by_words(title: &str, lex: &Lexicon) -> String {
    let mut k = String::with_capacity(title.len());
    for w in title_words(title) {
        let at = k.len();
        if at > 0 {
            k.push(' ');
        }
        push_key(&mut k, w);
        if let Some(exp) = lex.equivalents.get(&k[at + usize::from(at > 0)..]) {
            k.truncate(at);
            for e in exp {
                if !k.is_empty() {
                    k.push(' ');
                }
                k.push_str(e);
            }
        }
    }
    drop_former(&mut k);
    k
}

/// Remove a leading "nguyên"/"cựu" (former) from a title key.
fn drop_former(k: &mut String) {
    let first = k.split(' ').next().unwrap_or("");
    if matches!(first, "nguyên" | "cựu") {
        let cut = (first.len() + 1).min(k.len());
        k.drain(..cut);
    }
}

/// Keep each title once (see the module docs).
///
/// A title written again is covered by its first writing, so only the first writing of
/// each distinct title is compared with the others (each key is worked out once).
pub fn dedupe_titles<S: AsRef<str>>(titles: &[S], lex: &Lexicon) -> Vec<String> {
    let mut distinct: Vec<&str> = Vec::new();
    for t in titles {
        let t = t.as_ref();
        if !distinct.contains(&t) {
            distinct.push(t);
        }
    }
    // One title is kept unless its key is empty. A title of two words or more always has
    // a key, when every equivalent gives a word or more: each word gives one word or more,
    // and only a leading "nguyên"/"cựu" is cut. Most people have one title: its key is not
    // worked out then.
    if let [t] = distinct[..] {
        if title_words(t).nth(1).is_some() && lex.equivalents.values().all(|e| !e.is_empty()) {
            return vec![t.to_string()];
        }
    }
    let keys: Vec<String> = distinct.iter().map(|t| title_key(t, lex)).collect();
    let mut out = Vec::new();
    for (i, t) in distinct.iter().enumerate() {
        let k = &keys[i];
        if k.is_empty() {
            continue;
        }
        let covered = keys
            .iter()
            .enumerate()
            .any(|(j, other)| j != i && (starts_with_words(other, k) || (other == k && j < i)));
        if !covered {
            out.push(t.to_string());
        }
    }
    out
}

/// Whether the words of `long` start with the words of `short` and are more of them.
fn starts_with_words(long: &str, short: &str) -> bool {
    long.len() > short.len() && long.starts_with(short) && long.as_bytes()[short.len()] == b' '
}

/// Merge mentions (in document order) into people, in order of first mention.
pub fn merge(mentions: &[Mention], authors: &HashSet<String>, lex: &Lexicon) -> Vec<Person> {
    let keys: Vec<String> = mentions.iter().map(|m| name_key(&m.name)).collect();
    // group by exact name
    let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, m) in mentions.iter().enumerate() {
        let key = keys[i].as_str();
        if excluded(&m.name, key, authors, lex) {
            continue;
        }
        match groups.iter_mut().find(|(w, _)| *w == key) {
            Some((_, list)) => list.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    let rank_of = |list: &[usize]| list.iter().find_map(|&i| mentions[i].rank);
    let ranks: Vec<Option<usize>> = groups.iter().map(|(_, list)| rank_of(list)).collect();
    // fold short names into the one longer name they end
    let mut target: Vec<Option<usize>> = vec![None; groups.len()];
    for (a, (wa, _)) in groups.iter().enumerate() {
        let ra = ranks[a];
        // the candidates (longer names ending with this one, of the same rank when both
        // have one) and those of them with this name's rank: how many, and the first
        let (mut candidates, mut first_candidate) = (0usize, None);
        let (mut same_rank, mut first_same_rank) = (0usize, None);
        for (b, (wb, _)) in groups.iter().enumerate() {
            if b == a || !ends_with_words(wb, wa) {
                continue;
            }
            let rb = ranks[b];
            if let (Some(x), Some(y)) = (ra, rb) {
                if x != y {
                    continue;
                }
            }
            candidates += 1;
            first_candidate.get_or_insert(b);
            if ra.is_some() && rb == ra {
                same_rank += 1;
                first_same_rank.get_or_insert(b);
            }
        }
        if candidates == 1 {
            target[a] = first_candidate;
        } else if same_rank == 1 {
            target[a] = first_same_rank;
        }
    }
    let root = |mut g: usize| {
        let mut steps = 0;
        while let Some(t) = target[g] {
            g = t;
            steps += 1;
            if steps > groups.len() {
                break;
            }
        }
        g
    };
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); groups.len()];
    for (g, (_, list)) in groups.iter().enumerate() {
        members[root(g)].extend(list.iter().copied());
    }
    let mut people: Vec<(usize, Person)> = Vec::new();
    for (g, list) in members.iter_mut().enumerate() {
        if list.is_empty() {
            continue;
        }
        list.sort_unstable();
        let first = list[0];
        let name = list
            .iter()
            .find(|&&i| keys[i] == groups[g].0)
            .map(|&i| mentions[i].name.clone())
            .unwrap_or_else(|| mentions[first].name.clone());
        let rank = rank_of(list);
        let titles: Vec<&str> = list
            .iter()
            .flat_map(|&i| mentions[i].titles.iter().map(String::as_str))
            .collect();
        let titles = dedupe_titles(&titles, lex);
        if rank.is_none() && titles.is_empty() {
            continue;
        }
        let mut person = Person {
            name,
            rank,
            titles,
            mentions: Vec::new(),
            caption_mentions: Vec::new(),
        };
        for &i in list.iter() {
            let m = &mentions[i];
            match m.segment {
                Segment::Text => person.mentions.push((m.start, m.end)),
                Segment::Caption(c) => person.caption_mentions.push((c, m.start, m.end)),
            }
        }
        people.push((first, person));
    }
    people.sort_by_key(|(first, _)| *first);
    people.into_iter().map(|(_, p)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex() -> &'static Lexicon {
        crate::lexicon::builtin()
    }

    fn m(name: &str, rank: Option<usize>, titles: &[&str]) -> Mention {
        Mention {
            name: name.into(),
            start: 0,
            end: name.chars().count(),
            segment: Segment::Text,
            rank,
            titles: titles.iter().map(|t| t.to_string()).collect(),
        }
    }

    #[test]
    fn same_titles_in_other_words_are_kept_once_and_the_longer_wins() {
        let lex = lex();
        let t = vec![
            "Ủy viên TW Đảng".to_string(),
            "Thứ trưởng Thường trực".to_string(),
            "Ủy viên Trung ương Đảng".to_string(),
            "Thứ trưởng Thường trực Bộ Công an".to_string(),
        ];
        assert_eq!(
            dedupe_titles(&t, lex),
            vec!["Ủy viên TW Đảng", "Thứ trưởng Thường trực Bộ Công an"]
        );
    }

    #[test]
    fn one_title_is_kept_unless_its_key_is_empty() {
        let lex = lex();
        for t in [
            "Thứ trưởng Bộ Công an",
            "nguyên Bộ trưởng",
            "nguyên TW",
            "cựu",
            "nguyên",
            "Nguyên, cựu",
            "TW",
            "(…)",
            "",
            "Đại sứ",
        ] {
            let want: Vec<String> = if title_key(t, lex).is_empty() {
                Vec::new()
            } else {
                vec![t.to_string()]
            };
            assert_eq!(dedupe_titles(&[t], lex), want, "{t}");
            assert_eq!(dedupe_titles(&[t, t], lex), want, "{t}");
        }
    }

    #[test]
    fn one_pass_keys_agree_with_the_word_by_word_ones() {
        let lex = lex();
        let chars: Vec<char> = "aAđĐẠạỸỹƠơ İΣσßǅ1-.,&()\u{a0}\u{2003}\tTWtw“”"
            .chars()
            .collect();
        let mut seed = 7u64;
        let mut texts: Vec<String> = [
            "Ủy viên TW Đảng",
            "nguyên Thứ trưởng",
            "Cựu, TW",
            " Nguyễn  Văn\u{a0}An ",
            "ΣΑΣ ΟΔΟΣ",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for _ in 0..20_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = (seed >> 58) as usize % 12;
            texts.push(
                (0..len)
                    .map(|k| chars[(seed >> (5 * k)) as usize % chars.len()])
                    .collect(),
            );
        }
        for t in &texts {
            assert_eq!(name_key(t), name_key_by_words(t), "{t:?}");
            assert_eq!(title_key(t, lex), title_key_by_words(t, lex), "{t:?}");
        }
    }

    #[test]
    fn short_names_join_the_one_person_they_end() {
        let lex = lex();
        let ms = vec![
            m("Nguyễn Hữu Ước", Some(2), &["Phó Tổng cục trưởng"]),
            m("Hữu Ước", Some(2), &["Tổng Biên tập Báo CAND"]),
        ];
        let people = merge(&ms, &HashSet::new(), lex);
        assert_eq!(people.len(), 1);
        assert_eq!(people[0].name, "Nguyễn Hữu Ước");
        assert_eq!(people[0].titles.len(), 2);
        assert_eq!(people[0].mentions.len(), 2);
    }

    #[test]
    fn ambiguous_short_names_stay_apart_and_bylines_go() {
        let lex = lex();
        let ms = vec![
            m("Nguyễn Văn Sơn", Some(7), &[]),
            m("Chu Minh Sơn", None, &["Trưởng Ban quản lý"]),
            m("Sơn", Some(7), &[]),
            m("Minh Hà", None, &["Phóng viên thường trú"]),
            m("XUÂN DÂN", Some(7), &[]),
        ];
        let authors: HashSet<String> = ["minh hà".to_string()].into();
        let people = merge(&ms, &authors, lex);
        let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["Nguyễn Văn Sơn", "Chu Minh Sơn"]);
    }

    #[test]
    fn people_without_rank_or_title_are_not_reported() {
        let lex = lex();
        let people = merge(&[m("Bảy Ẩn", None, &[])], &HashSet::new(), lex);
        assert!(people.is_empty());
    }
}
