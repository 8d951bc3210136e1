//! Letters, words and syllables of Vietnamese text: the small pieces every other module uses.

use regex::Regex;
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;

/// The five tone marks as combining characters (NFD).
const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// A letter reduced for initial matching: lower case, without diacritics, `đ` as `d`.
///
/// So `Đ`, `đ`, `D` and `d` compare equal (the short form "ĐNQP" may be typed "DNQP"), and
/// `Ư` equals `u` (NSƯT, "Nghệ sĩ ưu tú").
pub fn fold(c: char) -> char {
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

/// Lower case of a whole string.
pub fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// True when the word starts with an upper-case letter.
pub fn is_capitalized(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// True when the string has letters and none of them is lower case.
pub fn is_all_caps(word: &str) -> bool {
    word.chars().any(char::is_alphabetic) && !word.chars().any(char::is_lowercase)
}

/// The word without its tone mark (vowel shapes such as â, ơ, ư stay), lower case, NFC.
fn toneless(word: &str) -> String {
    word.to_lowercase()
        .nfd()
        .filter(|c| !TONES.contains(c))
        .nfc()
        .collect()
}

static SYLLABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnprstvx])?[aăâeêioôơuưy]{1,3}(?:ch|ng|nh|[cmnpt])?$",
    )
    .expect("syllable pattern is valid")
});

/// True when the word (any case) is one well-formed Vietnamese syllable: MAI, NGUYÊN, VŨ, ANH.
/// Acronyms rarely are (UBND, ĐNQP, CAND break the onset–vowel–coda shape).
pub fn is_syllable(word: &str) -> bool {
    SYLLABLE.is_match(&toneless(word))
}

/// True when the word carries a tone mark or a Vietnamese vowel shape (ă â ê ô ơ ư).
pub fn has_vowel_marks(word: &str) -> bool {
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
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let inside = c.is_alphanumeric() || is_combining(c);
        match (inside, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(Word { start: s, end: i });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(Word {
            start: s,
            end: text.len(),
        });
    }
    out
}

fn is_combining(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// True when `needle` (lower case) occurs in `haystack` (lower case) as whole words.
pub fn contains_phrase(haystack: &str, needle: &str) -> bool {
    find_phrase(haystack, needle).next().is_some()
}

/// Byte offsets of the whole-word occurrences of `needle` in `haystack` (same case expected).
pub fn find_phrase<'a>(haystack: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    haystack
        .match_indices(needle)
        .map(|(i, _)| i)
        .filter(move |&i| !needle.is_empty() && is_boundary(haystack, i, i + needle.len()))
}

/// True when the span `start..end` of `text` is not glued to letters or digits on either side.
pub fn is_boundary(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(|c| c.is_alphanumeric() || is_combining(c))
        && !after.is_some_and(|c| c.is_alphanumeric() || is_combining(c))
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
    fn words_and_phrases() {
        let t = "Ủy ban nhân dân (UBND) tỉnh";
        let ws: Vec<&str> = words(t).iter().map(|w| w.text(t)).collect();
        assert_eq!(ws, ["Ủy", "ban", "nhân", "dân", "UBND", "tỉnh"]);
        assert!(contains_phrase("đại hội đảng", "đại hội"));
        assert!(!contains_phrase("đại hội đảng", "hội đ"));
    }
}
