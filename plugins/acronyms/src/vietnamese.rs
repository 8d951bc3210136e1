//! Letters, words and syllables of Vietnamese text: the small pieces every other module uses.
//!
//! The per-letter questions (folding, tone-stripping, vowel marks) are answered from a table
//! built once for Latin letters (the Latin blocks up to U+024F and Latin Extended Additional,
//! where Vietnamese letters live), computed with the same Unicode operations as the general
//! path; any other character takes the general path.

use crate::chars::{self, lower_small};
#[cfg(test)]
use regex::Regex;
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;

/// The five tone marks as combining characters (NFD).
const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// What the table knows of one letter.
#[derive(Clone, Copy)]
struct LetterFacts {
    /// [`fold`] of the letter.
    fold: char,
    /// The letter lower-cased without its tone mark, when that is one character.
    toneless: Option<char>,
    /// True when the lower-cased letter carries a tone mark or a vowel shape mark.
    vowel_marks: bool,
    /// [`char::to_lowercase`] of the letter, when that is one character.
    lower: Option<char>,
}

/// The ranges of the letter table: (first code point, number of code points).
const LETTER_RANGES: [(u32, u32); 2] = [(0, 0x250), (0x1E00, 0x100)];

static LETTERS: LazyLock<Vec<Vec<LetterFacts>>> = LazyLock::new(|| {
    LETTER_RANGES
        .iter()
        .map(|&(first, len)| {
            (first..first + len)
                .map(|u| {
                    let c = char::from_u32(u).unwrap_or('\0');
                    let one = c.to_string();
                    let toneless = toneless(&one);
                    let mut t = toneless.chars();
                    let mut l = c.to_lowercase();
                    LetterFacts {
                        lower: l.next().filter(|_| l.next().is_none()),
                        fold: fold_slow(c),
                        toneless: t.next().filter(|_| t.next().is_none()),
                        vowel_marks: has_vowel_marks_slow(&one),
                    }
                })
                .collect()
        })
        .collect()
});

/// Build the letter table now (so the first article does not pay for it).
pub fn init() {
    chars::init();
    LazyLock::force(&LETTERS);
}

#[inline]
fn facts(c: char) -> Option<LetterFacts> {
    let u = c as u32;
    for (k, &(first, len)) in LETTER_RANGES.iter().enumerate() {
        if u >= first && u < first + len {
            return Some(LETTERS[k][(u - first) as usize]);
        }
    }
    None
}

/// A letter reduced for initial matching: lower case, without diacritics, `đ` as `d`.
///
/// So `Đ`, `đ`, `D` and `d` compare equal (the short form "ĐNQP" may be typed "DNQP"), and
/// `Ư` equals `u` (NSƯT, "Nghệ sĩ ưu tú").
pub fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    match facts(c) {
        Some(f) => f.fold,
        None => fold_slow(c),
    }
}

fn fold_slow(c: char) -> char {
    let lower = c.to_lowercase().next().unwrap_or(c);
    if lower == 'đ' {
        return 'd';
    }
    std::iter::once(lower).nfd().next().unwrap_or(lower)
}

/// The first letter of a word, folded (see [`fold`]).
pub fn initial(word: &str) -> Option<char> {
    word.chars().next().map(fold)
}

/// Lower case of a whole string ([`str::to_lowercase`]).
///
/// Letters of the letter table are lower-cased from it, other characters one by one as
/// [`char::to_lowercase`] does (which is what the standard library does for all but Σ, whose
/// lower case depends on its place in a word: a string with Σ takes the standard path).
pub fn lower(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Most characters are lower case already: they are copied in runs, up to the next one
    // that changes. `copied` is how much of `s` is in `out`.
    let mut copied = 0;
    let bytes = s.as_bytes();
    let mut i = 0;
    // Sixty-four bytes a step: only A-Z and characters whose lead byte is not one of the
    // common small letters' can change (see [`crate::candidates::BlockReader`]).
    #[cfg(target_arch = "x86_64")]
    {
        let reader = crate::candidates::BlockReader::new();
        while let Some(window) = bytes.get(i..i + crate::candidates::BLOCK_WINDOW) {
            let mut odd = reader.read(window).odd;
            let mut next = i + 64;
            while odd != 0 {
                let at = i + odd.trailing_zeros() as usize;
                odd &= odd - 1;
                // A-Z or a lead byte: a char boundary.
                match lower_at(s, at, &mut out, &mut copied) {
                    Some(len) => next = next.max(at + len),
                    None => return s.to_lowercase(),
                }
            }
            i = next;
        }
        // The block may have ended inside a character (one that stays as it is).
        while !s.is_char_boundary(i) {
            i += 1;
        }
    }
    // ASCII is read byte by byte; other characters are decoded where they start.
    while let Some(&x) = bytes.get(i) {
        if x < 0x80 {
            if x.is_ascii_uppercase() {
                out.push_str(&s[copied..i]);
                out.push(char::from(x.to_ascii_lowercase()));
                copied = i + 1;
            }
            i += 1;
            continue;
        }
        // `i` is a char boundary: it follows ASCII or a whole character.
        match lower_at(s, i, &mut out, &mut copied) {
            Some(len) => i += len,
            None => return s.to_lowercase(),
        }
    }
    out.push_str(&s[copied..]);
    out
}

/// [`lower`] for the character at `i` (a char boundary): when it changes, what is not yet
/// copied of `s` up to it and its lower case go to `out`. Its length in bytes, or `None` for
/// Σ (the caller takes the standard path).
#[inline]
fn lower_at(s: &str, i: usize, out: &mut String, copied: &mut usize) -> Option<usize> {
    let c = s[i..].chars().next()?;
    let len = c.len_utf8();
    let changed = if c.is_ascii() {
        c.is_ascii_uppercase().then(|| c.to_ascii_lowercase())
    } else {
        match facts(c).and_then(|f| f.lower) {
            Some(l) => (l != c).then_some(l),
            None if c == 'Σ' => return None,
            None => {
                let mut l = c.to_lowercase();
                if (l.next(), l.next()) == (Some(c), None) {
                    None
                } else {
                    out.push_str(&s[*copied..i]);
                    out.extend(c.to_lowercase());
                    *copied = i + len;
                    return Some(len);
                }
            }
        }
    };
    if let Some(l) = changed {
        out.push_str(&s[*copied..i]);
        out.push(l);
        *copied = i + len;
    }
    Some(len)
}

/// True when the word starts with an upper-case letter.
pub fn is_capitalized(word: &str) -> bool {
    word.chars().next().is_some_and(chars::is_uppercase)
}

/// True when the string has letters and none of them is lower case.
pub fn is_all_caps(word: &str) -> bool {
    let mut alphabetic = false;
    for c in word.chars() {
        if chars::is_lowercase(c) {
            return false;
        }
        alphabetic |= chars::is_alphabetic(c);
    }
    alphabetic
}

/// The word without its tone mark (vowel shapes such as â, ơ, ư stay), lower case, NFC.
fn toneless(word: &str) -> String {
    word.to_lowercase()
        .nfd()
        .filter(|c| !TONES.contains(c))
        .nfc()
        .collect()
}

/// The pattern [`is_syllable`] implements by hand, kept to check it against.
#[cfg(test)]
static SYLLABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnprstvx])?[aăâeêioôơuưy]{1,3}(?:ch|ng|nh|[cmnpt])?$",
    )
    .expect("syllable pattern is valid")
});

/// Onsets of a syllable: several letters, or one consonant.
const ONSETS: [&[char]; 11] = [
    &['n', 'g', 'h'],
    &['n', 'g'],
    &['n', 'h'],
    &['c', 'h'],
    &['g', 'h'],
    &['g', 'i'],
    &['k', 'h'],
    &['p', 'h'],
    &['t', 'h'],
    &['t', 'r'],
    &['q', 'u'],
];
const ONSET_LETTERS: &[char] = &[
    'b', 'c', 'd', 'đ', 'g', 'h', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'x',
];
const CODAS: [&[char]; 8] = [
    &['c', 'h'],
    &['n', 'g'],
    &['n', 'h'],
    &['c'],
    &['m'],
    &['n'],
    &['p'],
    &['t'],
];
const VOWELS: &[char] = &['a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y'];

/// The syllable pattern (onset? vowel{1,3} coda?) on toneless lower-case letters.
fn syllable_shape(cs: &[char]) -> bool {
    // What every syllable has, checked first (most acronyms fail it): one run of vowels
    // (an onset's i or u joins it), after at most three other letters and before at most two.
    let is_vowel = |c: &char| VOWELS.contains(c);
    let (Some(first), Some(last)) = (cs.iter().position(is_vowel), cs.iter().rposition(is_vowel))
    else {
        return false;
    };
    if first > 3 || cs.len() - 1 - last > 2 || !cs[first..=last].iter().all(is_vowel) {
        return false;
    }
    let onset_ok = |len: usize| -> bool {
        let rest = &cs[len..];
        let vowels_ok =
            |mid: &[char]| (1..=3).contains(&mid.len()) && mid.iter().all(|c| VOWELS.contains(c));
        if vowels_ok(rest) {
            return true;
        }
        CODAS
            .iter()
            .any(|coda| rest.ends_with(coda) && vowels_ok(&rest[..rest.len() - coda.len()]))
    };
    onset_ok(0)
        || ONSETS
            .iter()
            .any(|o| cs.starts_with(o) && onset_ok(o.len()))
        || cs.first().is_some_and(|c| ONSET_LETTERS.contains(c)) && onset_ok(1)
}

/// True when the word (any case) is one well-formed Vietnamese syllable: MAI, NGUYÊN, VŨ, ANH.
/// Acronyms rarely are (UBND, ĐNQP, CAND break the onset–vowel–coda shape).
pub fn is_syllable(word: &str) -> bool {
    if has_no_vowel_fast(word) {
        return false;
    }
    // Longest syllable: three onset letters, three vowels, two coda letters.
    let mut cs = ['\0'; 8];
    let mut n = 0;
    for c in word.chars() {
        // ASCII is its own toneless form, lower-cased (as the table says).
        let t = if c.is_ascii() {
            Some(c.to_ascii_lowercase())
        } else {
            facts(c).and_then(|f| f.toneless)
        };
        let Some(t) = t else {
            let t: Vec<char> = toneless(word).chars().collect();
            return syllable_shape(&t);
        };
        if n == cs.len() {
            return false;
        }
        cs[n] = t;
        n += 1;
    }
    syllable_shape(&cs[..n])
}

/// True when `word` is made only of ASCII letters other than vowels (a e i o u y, any case),
/// Đ and đ: then no character of it is a vowel of [`VOWELS`] (as most acronyms: CSGT, ĐNQP),
/// and it is no syllable. False says nothing.
fn has_no_vowel_fast(word: &str) -> bool {
    word.chars().all(|c| match c {
        'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'A' | 'E' | 'I' | 'O' | 'U' | 'Y' => false,
        'Đ' | 'đ' => true,
        c => c.is_ascii_alphabetic(),
    })
}

/// True when the word carries a tone mark or a Vietnamese vowel shape (ă â ê ô ơ ư).
pub fn has_vowel_marks(word: &str) -> bool {
    word.chars().any(|c| match facts(c) {
        Some(f) => f.vowel_marks,
        None => has_vowel_marks_slow(&c.to_string()),
    })
}

fn has_vowel_marks_slow(word: &str) -> bool {
    word.to_lowercase()
        .nfd()
        .any(|c| TONES.contains(&c) || matches!(c, '\u{302}' | '\u{306}' | '\u{31b}'))
}

/// Function words a short form may leave out (or keep) inside its long form: "phòng cháy và
/// chữa cháy" is PCCC; English ones for foreign names ("Institute for Strategic Studies").
pub fn is_skippable(word_lower: &str) -> bool {
    matches!(
        word_lower,
        "và" | "các"
            | "của"
            | "về"
            | "với"
            | "cho"
            | "những"
            | "and"
            | "of"
            | "for"
            | "the"
            | "on"
            | "in"
            | "to"
            | "de"
    )
}

/// True for the words that stand for `&` in a short form ("PC&CC" = "phòng cháy và chữa cháy").
pub fn is_and(word_lower: &str) -> bool {
    matches!(word_lower, "và" | "and")
}

/// [`is_skippable`] of the word's lower case, without allocating.
pub fn is_skippable_word(word: &str) -> bool {
    // Every skippable word starts with one of these letters, and only their ASCII capitals
    // lower-case to them (İ lower-cases to "i" and a combining dot, which no listed word has).
    let first = word.as_bytes().first().map(u8::to_ascii_lowercase);
    if !matches!(
        first,
        Some(b'v' | b'c' | b'n' | b'a' | b'o' | b'f' | b't' | b'i' | b'd')
    ) {
        return false;
    }
    let mut buf = [0u8; 32];
    lower_small(word, &mut buf).is_some_and(is_skippable)
}

/// [`is_and`] of the word's lower case, without allocating.
pub fn is_and_word(word: &str) -> bool {
    let mut buf = [0u8; 32];
    lower_small(word, &mut buf).is_some_and(is_and)
}

/// A word of running text with its byte span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset just past the last character.
    pub end: usize,
}

impl Word {
    /// The word's text in `text`.
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }
}

/// The words (runs of letters and digits) of `text`, in order.
pub fn words(text: &str) -> Vec<Word> {
    let table = chars::table();
    let n = text.len();
    let is_word_char_at = |i: usize| {
        let (f, len) = table.at(text, i);
        (f & chars::WORD_CHAR != 0, len)
    };
    let mut out = Vec::with_capacity(n / 6);
    let mut i = 0;
    loop {
        // Up to the next word character, then to the end of the word.
        while i < n {
            match is_word_char_at(i) {
                (true, _) => break,
                (false, len) => i += len,
            }
        }
        if i >= n {
            return out;
        }
        let start = i;
        while i < n {
            match is_word_char_at(i) {
                (true, len) => i += len,
                (false, _) => break,
            }
        }
        out.push(Word { start, end: i });
    }
}

/// True when `needle` (lower case) occurs in `haystack` (lower case) as whole words.
pub fn contains_phrase(haystack: &str, needle: &str) -> bool {
    find_phrase(haystack, needle).next().is_some()
}

/// Byte offsets of the whole-word occurrences of `needle` in `haystack` (same case expected).
pub fn find_phrase<'a>(haystack: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    match_starts(haystack, needle).filter(move |&i| is_boundary(haystack, i, i + needle.len()))
}

/// [`find_phrase`] with the needle's substring searcher already built (`finder` searches for
/// `needle`).
pub fn find_phrase_with<'a>(
    haystack: &'a str,
    needle: &'a str,
    finder: &'a memchr::memmem::Finder<'_>,
) -> impl Iterator<Item = usize> + 'a {
    let finder = (!needle.is_empty()).then_some(finder);
    starts_with_finder(haystack, needle, finder)
        .filter(move |&i| is_boundary(haystack, i, i + needle.len()))
}

/// The starts of the occurrences of `needle` in `haystack` that [`str::match_indices`] gives
/// (left to right, not overlapping), none for an empty needle, found with a substring searcher.
fn match_starts<'a>(haystack: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    let finder = (!needle.is_empty()).then(|| memchr::memmem::Finder::new(needle.as_bytes()));
    let mut at = 0;
    std::iter::from_fn(move || {
        let finder = finder.as_ref()?;
        let i = at + finder.find(haystack.as_bytes().get(at..)?)?;
        at = i + needle.len();
        Some(i)
    })
}

/// [`match_starts`] with a searcher for `needle` (none for an empty needle).
fn starts_with_finder<'a>(
    haystack: &'a str,
    needle: &'a str,
    finder: Option<&'a memchr::memmem::Finder<'_>>,
) -> impl Iterator<Item = usize> + 'a {
    let mut at = 0;
    std::iter::from_fn(move || {
        let finder = finder?;
        let i = at + finder.find(haystack.as_bytes().get(at..)?)?;
        at = i + needle.len();
        Some(i)
    })
}

/// True when the span `start..end` of `text` is not glued to letters or digits on either side.
pub fn is_boundary(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(chars::is_word_char) && !after.is_some_and(chars::is_word_char)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn d_and_dd_fold_together() {
        assert_eq!(fold('Đ'), 'd');
        assert_eq!(fold('đ'), 'd');
        assert_eq!(fold('D'), 'd');
        assert_eq!(fold('Ư'), 'u');
        assert_eq!(fold('ố'), 'o');
    }

    #[test]
    fn syllables_versus_acronyms() {
        for w in [
            "MAI", "NGUYÊN", "VŨ", "ANH", "QUỲNH", "OANH", "CƯỜNG", "nghiêng",
        ] {
            assert!(is_syllable(w), "{w}");
        }
        for w in [
            "UBND", "ĐNQP", "CAND", "TTXVN", "NSƯT", "ASEAN", "TP", "HĐND",
        ] {
            assert!(!is_syllable(w), "{w}");
        }
    }

    #[test]
    fn letter_table_agrees_with_the_general_path() {
        for c in (0..0x3000u32).filter_map(char::from_u32) {
            assert_eq!(fold(c), fold_slow(c), "{c:?}");
            let one = c.to_string();
            assert_eq!(has_vowel_marks(&one), has_vowel_marks_slow(&one), "{c:?}");
        }
    }

    #[test]
    fn words_without_vowels_are_no_syllables() {
        for w in ["CSGT", "ĐNQP", "đ", "TP", "PGS", "x", "BĐBP", "NGH"] {
            assert!(has_no_vowel_fast(w), "{w}");
            assert!(!is_syllable(w), "{w}");
        }
        // The fast check says nothing of these; the full one decides.
        for w in ["", "MAI", "AN", "CAND", "Y", "NGUYÊN", "TƯ", "B1", "A-B"] {
            if !w.is_empty() {
                assert!(!has_no_vowel_fast(w), "{w}");
            }
        }
    }

    #[test]
    fn syllable_shape_agrees_with_the_pattern() {
        let alphabet: Vec<char> = "nghcitrqubdđklmpsvxaăâeêoôơưyNGHQUĐĂÂÊÔƠƯYÁẦẾỘỚỨỳÝẠ"
            .chars()
            .chain(['\u{301}', 'İ', 'Σ', 'ß', '1', '-'])
            .collect();
        let check = |w: &str| {
            assert_eq!(is_syllable(w), SYLLABLE.is_match(&toneless(w)), "{w:?}");
        };
        let mut words = vec![String::new()];
        for _ in 0..3 {
            let mut next = Vec::new();
            for w in &words {
                for &c in &alphabet {
                    let mut x = w.clone();
                    x.push(c);
                    check(&x);
                    next.push(x);
                }
            }
            words = next;
        }
        // longer words, built from syllable parts
        let parts = [
            "ngh", "NG", "tr", "qu", "gi", "iê", "ƯƠ", "uyê", "oa", "ng", "ch", "nh", "t", "Ữ", "a",
        ];
        for a in parts {
            for b in parts {
                for c in parts {
                    check(&format!("{a}{b}{c}"));
                    for d in parts {
                        check(&format!("{a}{b}{c}{d}"));
                    }
                }
            }
        }
    }

    #[test]
    fn phrases_found_alike_with_a_prebuilt_searcher() {
        let pieces = ["QP, AN", "QP", ", ", "AN", "a", " ", "Đ", "QP, ANa"];
        for text in crate::chars::random_texts(&pieces, 2_000, 10) {
            for needle in ["QP, AN", "AN", ""] {
                let finder = memchr::memmem::Finder::new(needle.as_bytes());
                let want: Vec<usize> = find_phrase(&text, needle).collect();
                let got: Vec<usize> = find_phrase_with(&text, needle, &finder).collect();
                assert_eq!(got, want, "{text:?} {needle:?}");
            }
        }
    }

    #[test]
    fn lower_of_long_texts_is_the_standard_lower_case() {
        let pieces = [
            "A",
            "ệ",
            "Ệ",
            "İ",
            "\u{212A}",
            "Σ",
            "ß",
            "Đ",
            "x",
            " ",
            "Ǆ",
            "ǅ",
            "Ω",
            "中",
            "1",
            "“",
            "Ⓐ",
            "ᾈ",
            "ﬀ",
            "Hà Nội ",
            "Việt Nam ",
            "ơ",
            "ư",
            "ả",
            "÷",
            "ÿ",
            "ĳ",
            "ĭ",
        ];
        for s in crate::chars::random_texts(&pieces, 5_000, 150) {
            assert_eq!(lower(&s), s.to_lowercase(), "{s:?}");
        }
        let pad = "ab cd ef gh ij kl mn op qr st uv wx yz ab cd ef gh ij kl mn op qr s";
        for c in (0x80..0x3_0000u32).filter_map(char::from_u32) {
            for s in [
                format!("{c}{pad}{c}{pad}"),
                format!("{pad}a{c}{pad}{c}{pad}"),
            ] {
                assert_eq!(lower(&s), s.to_lowercase(), "{c:?}");
            }
        }
    }

    #[test]
    fn lower_is_the_standard_lower_case() {
        let pieces = [
            "A", "ệ", "Ệ", "İ", "\u{212A}", "Σ", "ß", "Đ", "x", " ", "Ǆ", "ǅ", "Ω", "中", "1", "“",
            "Ⓐ", "ᾈ", "ﬀ",
        ];
        for s in crate::chars::random_texts(&pieces, 5_000, 12) {
            assert_eq!(lower(&s), s.to_lowercase(), "{s:?}");
        }
        for c in (0..0x11000u32).filter_map(char::from_u32) {
            let s = format!("{c}a{c} {c}");
            assert_eq!(lower(&s), s.to_lowercase(), "{c:?}");
        }
    }

    #[test]
    fn skippable_words_as_their_lower_case_says() {
        let pieces = [
            "V", "v", "À", "à", "C", "Á", "á", "Ủ", "ủ", "A", "N", "D", "O", "F", "R", "T", "H",
            "E", "I", "İ", "Ữ", "ữ", "G", "\u{212A}", "x", "Ề", "Ớ",
        ];
        for w in crate::chars::random_texts(&pieces, 50_000, 5) {
            assert_eq!(is_skippable_word(&w), is_skippable(&lower(&w)), "{w:?}");
        }
    }

    #[test]
    fn lower_case_word_lists_without_allocating() {
        for w in ["Và", "VÀ", "và", "CỦA", "Những", "AND", "vả", "", "cácc"] {
            assert_eq!(is_skippable_word(w), is_skippable(&lower(w)), "{w}");
            assert_eq!(is_and_word(w), is_and(&lower(w)), "{w}");
        }
    }

    #[test]
    fn match_starts_are_those_of_match_indices() {
        let texts = crate::chars::random_texts(crate::chars::TRICKY, 5_000, 20);
        for (h, n) in texts.iter().zip(texts.iter().skip(7).cycle()) {
            for needle in [
                n.as_str(),
                n.get(..2).unwrap_or(""),
                "a a",
                "ệ",
                "TP",
                "A-A",
            ] {
                let want: Vec<usize> = if needle.is_empty() {
                    Vec::new()
                } else {
                    h.match_indices(needle).map(|(i, _)| i).collect()
                };
                assert_eq!(
                    match_starts(h, needle).collect::<Vec<_>>(),
                    want,
                    "{needle:?} in {h:?}"
                );
            }
        }
    }

    #[test]
    fn words_and_phrases() {
        let t = "Ủy ban nhân dân (UBND) tỉnh";
        let ws: Vec<&str> = words(t).iter().map(|w| w.text(t)).collect();
        assert_eq!(ws, ["Ủy", "ban", "nhân", "dân", "UBND", "tỉnh"]);
        assert!(contains_phrase("đại hội đảng", "đại hội"));
        assert!(!contains_phrase("đại hội đảng", "hội đ"));
    }
}
