//! Spans of personal names: runs of capitalised syllables.
//!
//! Two readings, by how much the context already says:
//! - after a rank or an honorific ("Thượng tướng Hoàng Xuân Chiến", "ông Bảy Ẩn") any run of
//!   one to five capitalised syllables is the name ([`name_run`]);
//! - elsewhere (after a title, as a list item) the run must look like a Vietnamese name:
//!   a family name from the lexicon, two to four syllables, ending where the capitals end,
//!   not a place ([`vietnamese_name`]).
//!
//! Acronyms ("ĐNQP"), all-capital bylines ("XUÂN DÂN") and glued tokens never belong to a
//! name.

use crate::lexicon::{key, tag, Lexicon};
use crate::tokens::Token;

/// The most syllables a name takes ("Trưng Huỳnh Minh Trí", "Phim Mạ Chăn Vông").
pub const MAX_NAME: usize = 5;

/// Whether a name may continue with token `k` (not its first token).
fn continues(tokens: &[Token], k: usize, lex: &Lexicon) -> bool {
    let t = &tokens[k];
    t.is_name_syllable() && !t.glued && !stops_name(tokens, k, lex)
}

/// A rank or a multi-word position word starts at `k`: the name ended before it.
fn stops_name(tokens: &[Token], k: usize, lex: &Lexicon) -> bool {
    lex.rank_at(tokens, k).is_some()
        || lex
            .positions
            .match_at(tokens, k)
            .is_some_and(|(len, _)| len >= 2)
}

/// The end (exclusive) of a run of name syllables starting at `i`, if `i` starts one.
pub fn name_run(tokens: &[Token], i: usize, lex: &Lexicon) -> Option<usize> {
    let first = tokens.get(i)?;
    if !first.is_name_syllable() || first.has_tag(tag::NOT_NAME) || stops_name(tokens, i, lex) {
        return None;
    }
    let mut j = i + 1;
    while j < tokens.len() && j - i < MAX_NAME && continues(tokens, j, lex) {
        j += 1;
    }
    Some(j)
}

/// Whether the token is a family name of the lexicon.
pub fn is_surname(t: &Token, _lex: &Lexicon) -> bool {
    t.is_name_syllable() && t.has_tag(tag::SURNAME)
}

/// Lower-case words of tokens `from..to`, single-spaced.
pub fn joined_key(tokens: &[Token], from: usize, to: usize) -> String {
    tokens[from..to]
        .iter()
        .map(|t| {
            if t.is_word() {
                key(t.text)
            } else {
                t.text.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A Vietnamese name at `i` without a rank to vouch for it: family name first, two to four
/// syllables, nothing capitalised right after it, not a place and not after a place word
/// ("tỉnh Hà Nam"). Returns the end (exclusive).
pub fn vietnamese_name(tokens: &[Token], i: usize, lex: &Lexicon) -> Option<usize> {
    let first = tokens.get(i)?;
    if !is_surname(first, lex) || first.glued {
        return None;
    }
    let end = name_run(tokens, i, lex)?;
    let len = end - i;
    if !(2..=4).contains(&len) {
        return None;
    }
    if let Some(next) = tokens.get(end) {
        if next.is_cap() && !next.glued && !stops_name(tokens, end, lex) {
            return None;
        }
    }
    if lex.places.contains(&joined_key(tokens, i, end)) {
        return None;
    }
    if after_place_word(tokens, i, lex) {
        return None;
    }
    Some(end)
}

/// Whether a place word ("tỉnh", "thành phố", "TP") ends right before token `i`.
pub fn after_place_word(tokens: &[Token], i: usize, lex: &Lexicon) -> bool {
    (1..=3).any(|len| {
        i >= len
            && lex
                .place_words
                .match_at(tokens, i - len)
                .is_some_and(|(l, _)| l == len)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::DEFAULT_YAML;

    /// Tokens of `s`, looked up in the built-in lexicon.
    fn tokenize(s: &str) -> Vec<Token<'_>> {
        crate::lexicon::builtin().tokenize(s)
    }

    fn lex() -> Lexicon {
        Lexicon::from_yaml(DEFAULT_YAML, "builtin").unwrap()
    }

    #[test]
    fn a_run_stops_at_lower_case_punctuation_and_glue() {
        let lex = lex();
        let t = tokenize("Lê Văn Phúc phát biểu");
        assert_eq!(name_run(&t, 0, &lex), Some(3));
        let t = tokenize("Lê Mạnh TuấnDự Lễ");
        assert_eq!(name_run(&t, 0, &lex), Some(3));
        let t = tokenize("Đỗ Căn, Phó Chủ nhiệm");
        assert_eq!(name_run(&t, 0, &lex), Some(2));
    }

    #[test]
    fn acronyms_and_bylines_are_not_names() {
        let lex = lex();
        assert_eq!(name_run(&tokenize("ĐNQP và HNQT"), 0, &lex), None);
        assert_eq!(name_run(&tokenize("XUÂN DÂN"), 0, &lex), None);
    }

    #[test]
    fn vietnamese_names_need_a_family_name_and_are_not_places() {
        let lex = lex();
        let t = tokenize("Tổng Bí thư Nguyễn Phú Trọng nhiều lần");
        assert_eq!(vietnamese_name(&t, 3, &lex), Some(6));
        let t = tokenize("Giám đốc Công an tỉnh Hà Nam.");
        assert_eq!(vietnamese_name(&t, 5, &lex), None);
        let t = tokenize("Bộ trưởng Quốc phòng");
        assert_eq!(vietnamese_name(&t, 2, &lex), None);
        let t = tokenize("CATP Hà Nội");
        assert_eq!(vietnamese_name(&t, 1, &lex), None);
    }
}
