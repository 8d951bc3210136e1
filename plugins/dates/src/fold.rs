//! Case-insensitive comparison of words, exactly as the scanner's `(?i)` regexes compare
//! them, for cheap tests that rule out a regex search before it runs.
//!
//! The letters of every word list are numbered once, in one [`Letters`] table (one pass
//! of one regex over the Basic Multilingual Plane); each word list's [`Folder`] shares it
//! and only records which of the numbers are its own.

use regex::Regex;
use std::sync::{Arc, OnceLock};

/// Chars below this code point (the whole Basic Multilingual Plane) are numbered.
pub const TABLE_SIZE: u32 = 0x1_0000;

/// Every char below [`TABLE_SIZE`], in order, in one string (built once per process), for
/// finding the chars of a class with one regex search.
pub fn table_chars() -> &'static str {
    static ALL: OnceLock<String> = OnceLock::new();
    ALL.get_or_init(|| (0..TABLE_SIZE).filter_map(char::from_u32).collect())
}

/// A regex, or the error that names it.
fn compile(p: &str) -> Result<Regex, String> {
    Regex::new(p).map_err(|e| format!("dates: cannot build pattern {p:?}: {e}"))
}

/// The letters of some words, numbered: two chars share a number exactly when a `(?i)`
/// regex made of one of them matches the other.
#[derive(Debug, Clone)]
pub struct Letters {
    /// By char below [`TABLE_SIZE`]: its number (from 1), or 0 when it matches no letter
    /// of the words; `None` when the letters have too many numbers for a byte.
    numbers: Option<Arc<[u8]>>,
}

impl Letters {
    /// The numbered letters of `words`.
    pub fn new<'a>(words: impl IntoIterator<Item = &'a str>) -> Result<Letters, String> {
        let mut distinct: Vec<char> = Vec::new();
        for w in words {
            for c in w.chars().filter(|c| !c.is_whitespace()) {
                if !distinct.contains(&c) {
                    distinct.push(c);
                }
            }
        }
        let mut numbers = vec![0u8; TABLE_SIZE as usize];
        if distinct.is_empty() {
            return Ok(Letters {
                numbers: Some(numbers.into()),
            });
        }
        let escaped: Vec<String> = distinct
            .iter()
            .map(|c| regex::escape(c.encode_utf8(&mut [0; 4])))
            .collect();
        // every char the letters match, found in one pass over the table's chars
        let class = compile(&format!("(?i)[{}]", escaped.concat()))?;
        // which letter of the words a char matches first: `(?i)` matching is an
        // equivalence (a char matches exactly the chars of its case-folding orbit), so two
        // chars match the same first letter exactly when one matches the other
        let first = compile(&format!("(?i)^(?:({}))$", escaped.join(")|(")))?;
        let mut locs = first.capture_locations();
        // number of the orbit of each letter of the words (by group), 0 until met
        let mut orbit = vec![0u8; distinct.len() + 1];
        let mut next = 1u8;
        for m in class.find_iter(table_chars()) {
            for c in m.as_str().chars() {
                let s = c.encode_utf8(&mut [0; 4]).to_owned();
                if first.captures_read(&mut locs, &s).is_none() {
                    return Err(format!("dates: {c:?} matches no letter of its class"));
                }
                let Some(group) = (1..locs.len()).find(|&i| locs.get(i).is_some()) else {
                    return Err(format!("dates: {c:?} matches no letter of its class"));
                };
                if orbit[group] == 0 {
                    orbit[group] = next;
                    next = match next.checked_add(1) {
                        Some(n) => n,
                        None => return Ok(Letters { numbers: None }),
                    };
                }
                numbers[c as usize] = orbit[group];
            }
        }
        Ok(Letters {
            numbers: Some(numbers.into()),
        })
    }

    /// The folder of `words`, whose letters must be among those numbered; `None` when the
    /// letters could not be numbered.
    pub fn folder<'a>(&self, words: impl IntoIterator<Item = &'a str>) -> Option<Folder> {
        let numbers = self.numbers.clone()?;
        let mut own = [0u64; 4];
        for w in words {
            for c in w.chars().filter(|c| !c.is_whitespace()) {
                let n = usize::from(*numbers.get(c as usize)?);
                if n == 0 {
                    // not among the numbered letters
                    return None;
                }
                own[n / 64] |= 1 << (n % 64);
            }
        }
        Some(Folder { numbers, own })
    }
}

/// Numbers the letters of some words: two chars share a number exactly when a `(?i)`
/// regex made of one of them matches the other.
#[derive(Debug, Clone)]
pub struct Folder {
    /// By char below [`TABLE_SIZE`]: its number (from 1), or 0 when it matches no letter
    /// numbered (shared with the folders of other words).
    numbers: Arc<[u8]>,
    /// Bit `n` set: number `n` is that of a letter of the words.
    own: [u64; 4],
}

/// How a char of a text compares with the numbered letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Number {
    /// Matches the letters of this number (0: none).
    Is(u8),
    /// Beyond the table: may match any.
    Unknown,
}

impl Folder {
    /// A folder for the letters of `words` alone; `None` when they have too many numbers.
    pub fn new<'a>(
        words: impl IntoIterator<Item = &'a str> + Clone,
    ) -> Result<Option<Folder>, String> {
        Ok(Letters::new(words.clone())?.folder(words))
    }

    fn number(&self, c: char) -> Number {
        match self.numbers.get(c as usize) {
            Some(&n) => Number::Is(n),
            None => Number::Unknown,
        }
    }

    /// The number of `c` (0: no letter numbered), `None` beyond the table.
    #[inline]
    pub fn number_of(&self, c: char) -> Option<u8> {
        self.numbers.get(c as usize).copied()
    }

    /// Whether number `n` is that of a letter of the words.
    fn owns(&self, n: u8) -> bool {
        n != 0 && self.own[usize::from(n / 64)] & (1 << (n % 64)) != 0
    }

    /// Whether `c` may match a letter of the words.
    pub fn is_letter(&self, c: char) -> bool {
        match self.number(c) {
            Number::Is(n) => self.owns(n),
            Number::Unknown => true,
        }
    }

    /// The last whitespace-separated part of `word` as numbers; `None` when a letter is
    /// beyond the table or the word is empty.
    pub fn tail(&self, word: &str) -> Option<Vec<u8>> {
        let tail = word.split_whitespace().last()?;
        tail.chars()
            .map(|c| match self.number(c) {
                Number::Is(n) if self.owns(n) => Some(n),
                _ => None,
            })
            .collect()
    }

    /// Whether `c` matches the letters numbered `want` (as a `(?i)` regex would); `None`
    /// when `c` is beyond the table, so that only a regex can tell.
    #[inline]
    pub fn matches(&self, c: char, want: u8) -> Option<bool> {
        match self.number(c) {
            Number::Is(n) => Some(n == want),
            Number::Unknown => None,
        }
    }

    /// Whether a text ending with `c` may end with `tail` (the first test of
    /// [`Folder::ends_with`], for ruling many tails out at once).
    #[inline]
    pub fn may_end_with(&self, c: char, tail: &[u8]) -> bool {
        match (self.number(c), tail.last()) {
            (Number::Is(n), Some(&want)) => n == want,
            _ => true,
        }
    }

    /// If `text` may end with `tail` (as a `(?i)` regex would match it), the byte offset
    /// where that ending starts.
    pub fn ends_with(&self, text: &str, tail: &[u8]) -> Option<usize> {
        let mut start = text.len();
        let mut chars = text.chars().rev();
        for &want in tail.iter().rev() {
            let c = chars.next()?;
            match self.number(c) {
                Number::Is(n) if n == want => {}
                Number::Unknown => {}
                Number::Is(_) => return None,
            }
            start -= c.len_utf8();
        }
        Some(start)
    }
}

/// Checks `folder` against the slow definition: over every char of the table, a char is a
/// letter exactly when `(?i)[letters of words]` matches it, and two letters share a number
/// exactly when `(?i)^c$` of one matches the other.
#[cfg(test)]
pub(crate) fn check_against_regexes(folder: &Folder, words: &[&str]) {
    let class: String = words
        .iter()
        .flat_map(|w| w.chars())
        .filter(|c| !c.is_whitespace())
        .map(|c| regex::escape(&c.to_string()))
        .collect();
    let class = Regex::new(&format!("(?i)[{class}]")).expect("class");
    let mut letters = Vec::new();
    for c in (0..TABLE_SIZE).filter_map(char::from_u32) {
        let is = class.is_match(&c.to_string());
        assert_eq!(folder.is_letter(c), is, "{c:?}");
        if is {
            letters.push(c);
        }
    }
    for &c in &letters {
        let re = Regex::new(&format!("(?i)^{}$", regex::escape(&c.to_string()))).expect("re");
        for &d in &letters {
            assert_eq!(
                re.is_match(&d.to_string()),
                folder.number(c) == folder.number(d),
                "{c:?} {d:?}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_share_a_number_exactly_when_they_match_case_insensitively() {
        let words = ["tháng", "kỳ", "s"];
        let folder = Folder::new(words).expect("built").expect("numbered");
        let letters: Vec<char> = (0..TABLE_SIZE)
            .filter_map(char::from_u32)
            .filter(|&c| folder.is_letter(c))
            .collect();
        // the Kelvin sign and the long s fold to letters of the words
        assert!(letters.contains(&'\u{212A}') && letters.contains(&'\u{17F}'));
        check_against_regexes(&folder, &words);
        let tail = folder.tail("những tháng").expect("tail");
        assert_eq!(folder.ends_with("xTHÁNG", &tail), Some(1));
        assert_eq!(folder.ends_with("tháng ", &tail), None);
        assert_eq!(folder.ends_with("áng", &tail), None);
    }

    #[test]
    fn folders_sharing_a_table_answer_as_their_own_would() {
        let gap = ["và", "hoặc", "đến", "tới", "hết"];
        let cue = ["ngày", "tháng", "năm", "quý", "IV", "những năm", "thập kỷ"];
        let odd = ["Ǆ", "ǅ", "ς", "ϑ", "ß", "ﬀ", "İ", "K"];
        let all: Vec<&str> = gap.iter().chain(&cue).chain(&odd).copied().collect();
        let letters = Letters::new(all.iter().copied()).expect("letters");
        for words in [&gap[..], &cue[..], &odd[..], &all[..]] {
            let shared = letters.folder(words.iter().copied()).expect("numbered");
            check_against_regexes(&shared, words);
            let own = Folder::new(words.iter().copied())
                .expect("built")
                .expect("numbered");
            for w in words.iter().chain(&["xyz", "NĂM", "Tháng"]) {
                let tail = own.tail(w);
                assert_eq!(tail.is_some(), shared.tail(w).is_some(), "{w:?}");
                let (Some(a), Some(b)) = (tail, shared.tail(w)) else {
                    continue;
                };
                for text in ["", "x", "tháng", "THÁNG", "những NĂM", "Và", "hoẶc"] {
                    assert_eq!(own.ends_with(text, &a), shared.ends_with(text, &b));
                }
            }
        }
        // a word whose letters were not numbered gets no folder
        assert!(letters.folder(["w"]).is_none());
    }
}
