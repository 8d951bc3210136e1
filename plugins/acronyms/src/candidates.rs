//! Finding short forms in running text.
//!
//! A candidate is a word in capitals of at least two letters ("UBND", "ĐNQP"), or several such
//! pieces joined without spaces by `&`, `-`, `.` or `/` ("PC&CC", "PT-TH-ĐA", "TP.HCM").
//! Not candidates:
//! - Roman numerals: "Đại hội XIII", "Tổng cục II", "khóa XVI" (numerals of I, V, X and L
//!   always; with C, D or M only after a word that counts: "thế kỷ", "khóa", "lần thứ", …);
//! - words in capitals: two or more capitalised syllables side by side ("MAI NGUYÊN",
//!   "XUÂN CƯỜNG – THÁI PHƯƠNG"), one syllable with Vietnamese marks ("VŨ"), or a word of
//!   the record's `authors`;
//! - initials of a person ("V.T.", "K.C") and single letters ("cháu Đ");
//! - codes with digits: model names and plates ("FA-50", "AK-630", "60V-8598", "F404-GE-102");
//! - what the dictionary's `ignore` list names (GMT, USD).
//!
//! Document numbers ("Kết luận số 53-KL/TW", "2662-NQ/QUTW", "15/2020/NĐ-CP") are recognised
//! as a whole; their letter parts become candidates marked [`Place::Code`], resolved only
//! through the dictionary's `codes` table and never expanded.

use crate::dictionary::Dictionary;
use crate::vietnamese::{has_vowel_marks, is_all_caps, is_syllable};
use regex::Regex;
use std::sync::LazyLock;

/// Where a candidate stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// In running text.
    Free,
    /// A part of a document number such as 53-KL/TW.
    Code,
    /// A piece of a joined form ("TTGT" in "TTGT-ĐT") that was not known as a whole.
    Piece,
}

/// A short form found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The short form as written.
    pub text: String,
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset just past it.
    pub end: usize,
    /// Where it stands.
    pub place: Place,
    /// Byte spans of its pieces when joined by `&`, `-`, `.`, `/` (one span otherwise).
    pub pieces: Vec<(usize, usize)>,
}

impl Candidate {
    /// True when it is several pieces joined ("PC&CC", "TTGT-ĐT").
    pub fn is_joined(&self) -> bool {
        self.pieces.len() > 1
    }
}

static WORDISH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\p{L}\p{M}\p{N}]+(?:[&./\-][\p{L}\p{M}\p{N}]+)*").expect("valid pattern")
});
static ROMAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$")
        .expect("valid pattern")
});
static ROMAN_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:thế kỷ|khóa|khoá|lần thứ|đại hội|hội nghị|tổng cục|quân đoàn|quân khu|phần|chương|mục|kỳ|đợt|số|thứ)\s*$",
    )
    .expect("valid pattern")
});
static LAST_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([\p{L}\p{M}]+)[ \u{2013}\u{2014}-]*$").expect("valid pattern"));
static FIRST_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[ \u{2013}\u{2014}-]*([\p{L}\p{M}]+)").expect("valid pattern"));

/// True when `token` is a Roman numeral here; `before` is the text just before it.
pub fn is_roman_numeral(token: &str, before: &str) -> bool {
    if token.is_empty() || !ROMAN.is_match(token) {
        return false;
    }
    if token.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L')) {
        return true;
    }
    ROMAN_CUE.is_match(before.trim_end())
}

/// A word in capitals that is a syllable of Vietnamese (MAI, NGUYÊN), not an acronym.
fn is_caps_syllable(word: &str) -> bool {
    is_all_caps(word) && word.chars().count() >= 2 && is_syllable(word)
}

/// True when the single word at `start..end` is a word written in capitals: a name in a
/// byline or a heading rather than an acronym.
fn is_word_in_capitals(text: &str, start: usize, end: usize, authors: &[String]) -> bool {
    let word = &text[start..end];
    if authors.iter().any(|a| a == word) {
        return true;
    }
    if !is_caps_syllable(word) {
        return false;
    }
    if has_vowel_marks(word) {
        return true;
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let prev = LAST_WORD
        .captures(&text[line_start..start])
        .and_then(|c| c.get(1))
        .filter(|m| text[line_start + m.end()..start].chars().count() <= 3);
    let next = FIRST_WORD
        .captures(&text[end..line_end])
        .and_then(|c| c.get(1))
        .filter(|m| m.start() <= 3);
    prev.is_some_and(|m| is_caps_syllable(m.as_str()))
        || next.is_some_and(|m| is_caps_syllable(m.as_str()))
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

fn has_letter_and_digit(s: &str) -> bool {
    s.chars().any(char::is_alphabetic) && s.chars().any(|c| c.is_ascii_digit())
}

/// Split a match of joined pieces into (piece span, connector before it).
fn split_pieces(text: &str, start: usize, end: usize) -> Vec<(usize, usize, Option<char>)> {
    let mut out = Vec::new();
    let mut piece_start = start;
    let mut connector = None;
    for (i, c) in text[start..end].char_indices() {
        if matches!(c, '&' | '.' | '/' | '-') {
            out.push((piece_start, start + i, connector));
            connector = Some(c);
            piece_start = start + i + c.len_utf8();
        }
    }
    out.push((piece_start, end, connector));
    out
}

/// The candidates of `text`, in order. `authors` are byline names in capitals' words.
pub fn scan(text: &str, dict: &Dictionary, authors: &[String]) -> Vec<Candidate> {
    let mut out = Vec::new();
    for m in WORDISH.find_iter(text) {
        let pieces = split_pieces(text, m.start(), m.end());
        let piece_text = |p: &(usize, usize, Option<char>)| &text[p.0..p.1];
        // A document number: digits first, then letter parts ("53-KL/TW", "15/2020/NĐ-CP").
        if is_digits(piece_text(&pieces[0]))
            && pieces
                .iter()
                .any(|p| piece_text(p).chars().next().is_some_and(char::is_uppercase))
        {
            if pieces.iter().all(|p| {
                let t = piece_text(p);
                is_digits(t) || t.chars().next().is_some_and(char::is_uppercase)
            }) && pieces.iter().all(|p| !has_letter_and_digit(piece_text(p)))
            {
                for p in pieces.iter().filter(|p| !is_digits(piece_text(p))) {
                    out.push(Candidate {
                        text: piece_text(p).to_string(),
                        start: p.0,
                        end: p.1,
                        place: Place::Code,
                        pieces: vec![(p.0, p.1)],
                    });
                }
            }
            continue;
        }
        // Model names, plates, mixed letter-digit codes.
        if pieces.iter().any(|p| has_letter_and_digit(piece_text(p))) {
            continue;
        }
        // Runs of pieces in capitals, broken by lower-case or digit pieces. A piece with
        // lower-case letters counts when the dictionary lists it ("ThS").
        let short_piece = |p: &(usize, usize, Option<char>)| {
            let t = piece_text(p);
            is_all_caps(t) || dict.is_mixed_case_key(t)
        };
        let mut i = 0;
        while i < pieces.len() {
            if !short_piece(&pieces[i]) {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < pieces.len() && short_piece(&pieces[j]) {
                j += 1;
            }
            let run = &pieces[i..j];
            // "AK-630", "T-50": a run hyphenated to a number is a model name; "Osa-MA",
            // "Shangri-LA": one hyphenated to a word in lower case is part of a name.
            let model =
                j < pieces.len() && pieces[j].2 == Some('-') || i > 0 && run[0].2 == Some('-');
            let (start, end) = (run[0].0, run[run.len() - 1].1);
            let token = &text[start..end];
            let letters = |s: &str| s.chars().filter(|c| c.is_alphabetic()).count();
            let initials = run.len() > 1 && run.iter().all(|p| letters(piece_text(p)) == 1);
            let single = run.len() == 1;
            let not_acronym = model
                || initials
                || letters(token) < 2
                || dict.is_ignored(token)
                || single && is_roman_numeral(token, &text[..start])
                || single && is_word_in_capitals(text, start, end, authors);
            let keep = !not_acronym;
            if keep {
                out.push(Candidate {
                    text: token.to_string(),
                    start,
                    end,
                    place: Place::Free,
                    pieces: run.iter().map(|p| (p.0, p.1)).collect(),
                });
            }
            i = j;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, authors: &[&str]) -> Vec<String> {
        let dict =
            Dictionary::parse("acronyms:\n  ThS: Thạc sĩ\nignore: [GMT]\n", "t").expect("loads");
        let authors: Vec<String> = authors.iter().map(|s| s.to_string()).collect();
        scan(text, &dict, &authors)
            .into_iter()
            .map(|c| match c.place {
                Place::Code => format!("code:{}", c.text),
                _ => c.text,
            })
            .collect()
    }

    #[test]
    fn plain_and_joined_short_forms() {
        assert_eq!(
            found("HĐND, UBND TP. Hà Nội; Sở Cảnh sát PC&CC và PT-TH-ĐA.", &[]),
            ["HĐND", "UBND", "TP", "PC&CC", "PT-TH-ĐA"]
        );
        assert_eq!(
            found("tại TP.HCM và TP.Biên Hòa, KP.3", &[]),
            ["TP.HCM", "TP", "KP"]
        );
        // lower case inside only for listed keys
        assert_eq!(found("ThS Lê An, PGS.TS Hà, TpHCM", &[]), ["ThS", "PGS.TS"]);
    }

    #[test]
    fn roman_numerals_are_not_acronyms() {
        assert!(found("Đại hội XIII, Tổng cục II, khóa XVI, lần thứ IX", &[]).is_empty());
        assert!(is_roman_numeral("XIX", "thế kỷ "));
        assert!(!is_roman_numeral("CD", "đĩa "));
        assert!(is_roman_numeral("CD", "thế kỷ "));
    }

    #[test]
    fn names_in_capitals_are_not_acronyms() {
        assert!(found("Tin, ảnh: MAI NGUYÊN", &[]).is_empty());
        assert!(found("XUÂN CƯỜNG – THÁI PHƯƠNG", &[]).is_empty());
        assert!(found("Bài: VŨ", &[]).is_empty());
        assert!(found("Ảnh: HOANG", &["HOANG"]).is_empty());
        // an acronym next to a name in capitals is still one
        assert_eq!(found("UBND MAI", &[]), ["UBND", "MAI"]);
    }

    #[test]
    fn codes_initials_and_units() {
        assert_eq!(
            found("Kết luận số 53-KL/TW ngày 28-4", &[]),
            ["code:KL", "code:TW"]
        );
        assert_eq!(found("số 15/2020/NĐ-CP", &[]), ["code:NĐ", "code:CP"]);
        assert!(found(
            "tiêm kích FA-50, pháo AK-630, xe 60V-8598, F404-GE-102",
            &[]
        )
        .is_empty());
        assert!(found("hệ thống Osa-MA", &[]).is_empty());
        assert!(found("cháu V.T. Đ, ảnh: K.C", &[]).is_empty());
        assert!(found("lúc 10:48 GMT+7", &[]).is_empty());
        assert!(found("giai đoạn 2016-2021", &[]).is_empty());
    }
}
