//! Spans of personal names: runs of capitalised syllables.
//!
//! Two readings, by how much the context already says:
//! - after a rank or an honorific ("Thượng tướng Hoàng Xuân Chiến", "ông Bảy Ẩn") any run of
//!   one to five capitalised syllables is the name ([`name_run`]);
//! - elsewhere (after a title, as a list item) the run must look like a Vietnamese name:
//!   a family name from the lexicon, two to four syllables, ending where the capitals end,
//!   not a place ([`vietnamese_name`]);
//! - a name in a foreign spelling (a syllable that is not a Vietnamese one) after a title
//!   is the whole run of capitalised syllables, when it follows the position word or a
//!   country or acronym that closes the organisation ([`foreign_name`]).
//!
//! Acronyms ("ĐNQP"), all-capital bylines ("XUÂN DÂN") and glued tokens never belong to a
//! name.

use crate::lexicon::{push_key, tag, Lexicon};
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

/// Vowels of the Vietnamese alphabet, with every tone.
const VOWELS: &str = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ";
/// Whether `c` is one of [`VOWELS`] (a binary search in a sorted copy).
fn is_vowel(c: char) -> bool {
    static SORTED: std::sync::OnceLock<Vec<char>> = std::sync::OnceLock::new();
    let sorted = SORTED.get_or_init(|| {
        let mut v: Vec<char> = VOWELS.chars().collect();
        v.sort_unstable();
        v
    });
    sorted.binary_search(&c).is_ok()
}

/// Initial consonants of a Vietnamese syllable.
const ONSETS: [&str; 27] = [
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "th", "tr", "qu", "b", "c", "d", "đ", "g",
    "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
];
/// Final consonants of a Vietnamese syllable.
const CODAS: [&str; 8] = ["ng", "nh", "ch", "c", "m", "n", "p", "t"];

/// Whether `word` is spelled like one Vietnamese syllable: an optional initial consonant,
/// one to three vowels and an optional final consonant ("Nguyễn", "Kim", "Kao"; not
/// "Prabowo", "Hourn", "Lloyd").
pub fn is_vietnamese_syllable(word: &str) -> bool {
    let mut w = String::with_capacity(word.len());
    push_key(&mut w, word);
    // vowels and final consonants share no letter: the nucleus is the whole run of vowels
    // after the onset, and what follows it must be a final consonant or nothing
    let first = w.as_bytes().first().copied();
    std::iter::once("")
        .chain(ONSETS)
        .filter(|o| o.is_empty() || (o.as_bytes()[0] == first.unwrap_or(0) && w.starts_with(o)))
        .any(|o| {
            let rest = &w[o.len()..];
            let mut vowels = 0;
            let mut coda = rest.len();
            for (b, c) in rest.char_indices() {
                if !is_vowel(c) {
                    coda = b;
                    break;
                }
                vowels += 1;
            }
            let coda = &rest[coda..];
            (1..=3).contains(&vowels) && (coda.is_empty() || CODAS.contains(&coda))
        })
}

/// A name written in a foreign spelling at `j`, inside the organisation part of a title
/// that started at `org_start`: the whole run of capitalised syllables, when one of them
/// at least is not a Vietnamese syllable and the run comes either right after the
/// position word (two syllables or more: "Đại sứ Pedro Comissário Afonso") or right after
/// a country or an acronym that closes the organisation ("Bộ trưởng Quốc phòng Mỹ Lloyd
/// Austin", "Tổng Thư ký ASEAN Kao Kim Hourn"). Returns the end (exclusive).
pub fn foreign_name(tokens: &[Token], j: usize, org_start: usize, lex: &Lexicon) -> Option<usize> {
    let first = tokens.get(j)?;
    if first.glued || !first.is_name_syllable() {
        return None;
    }
    // every condition below must hold; the cheap ones about what comes before the run are
    // tested first
    if j != org_start {
        let prev = tokens.get(j.checked_sub(1)?)?;
        let after_acronym = prev.is_all_caps() && !prev.glued;
        let after_country =
            || (1..=3).any(|len| j >= org_start + len && is_place(tokens, j - len, j, lex));
        if !(after_acronym || after_country()) {
            return None;
        }
    }
    let end = name_run(tokens, j, lex)?;
    if j == org_start && end - j < 2 {
        return None;
    }
    if lex.org_heads.starts_at(tokens, j) {
        return None;
    }
    // a country at the start of the run belongs to the organisation ("Đại sứ Indonesia")
    if (j + 1..=end.min(j + 3)).any(|e| is_place(tokens, j, e, lex)) {
        return None;
    }
    // the dearest test last
    let foreign = |t: &Token| t.text().chars().count() >= 2 && !is_vietnamese_syllable(t.text());
    if !tokens[j..end].iter().any(foreign) {
        return None;
    }
    Some(end)
}

/// Whether the token is a family name of the lexicon.
pub fn is_surname(t: &Token, _lex: &Lexicon) -> bool {
    t.is_name_syllable() && t.has_tag(tag::SURNAME)
}

/// Whether tokens `from..to` spell a place of the lexicon. A run that starts with a word can
/// only be one when that word starts a place ([`tag::PLACE_START`]): most runs are answered
/// without building their key.
pub fn is_place(tokens: &[Token], from: usize, to: usize, lex: &Lexicon) -> bool {
    match tokens.get(from) {
        Some(t) if from < to && t.is_word() && !t.has_tag(tag::PLACE_START) => false,
        _ => lex.places.contains(&joined_key(tokens, from, to)),
    }
}

/// Lower-case words of tokens `from..to`, single-spaced.
pub fn joined_key(tokens: &[Token], from: usize, to: usize) -> String {
    let mut k = String::new();
    for (n, t) in tokens[from..to].iter().enumerate() {
        if n > 0 {
            k.push(' ');
        }
        if t.is_word() {
            push_key(&mut k, t.text());
        } else {
            k.push_str(t.text());
        }
    }
    k
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
    if is_place(tokens, i, end, lex) {
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
    use crate::lexicon::key;

    #[test]
    fn is_place_agrees_with_looking_the_key_up() {
        let lex = lex();
        let mut places = 0;
        for s in [
            "Đại sứ Indonesia Ina Krisnamurthi tại Hà Nội, TP.HCM và Bà Rịa - Vũng Tàu ( Mỹ )",
            "Công an tỉnh Hà Nam, Thừa Thiên Huế, Đắk Lắk, Xin-ga-po, Hoa Kỳ, Việt Nam",
        ] {
            let tokens = tokenize(s);
            for from in 0..=tokens.len() {
                for to in from..=tokens.len() {
                    let want = lex.places.contains(&joined_key(&tokens, from, to));
                    assert_eq!(
                        is_place(&tokens, from, to, lex),
                        want,
                        "{from}..{to} of {s}"
                    );
                    places += usize::from(want);
                }
            }
        }
        assert!(places >= 5, "{places}");
    }

    /// The syllable test the single pass over the vowels replaced.
    fn is_vietnamese_syllable_by_splits(word: &str) -> bool {
        let w = key(word);
        let onsets = std::iter::once("").chain(ONSETS);
        onsets.filter(|o| w.starts_with(o)).any(|o| {
            let rest = &w[o.len()..];
            std::iter::once("").chain(CODAS).any(|c| {
                rest.len() > c.len() && rest.ends_with(c) && {
                    let nucleus = &rest[..rest.len() - c.len()];
                    let n = nucleus.chars().count();
                    (1..=3).contains(&n) && nucleus.chars().all(is_vowel)
                }
            })
        })
    }

    /// The key the single string replaced.
    fn joined_key_by_words(tokens: &[Token], from: usize, to: usize) -> String {
        tokens[from..to]
            .iter()
            .map(|t| {
                if t.is_word() {
                    key(t.text())
                } else {
                    t.text().to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn rewritten_syllable_test_and_key_agree_with_the_old_ones() {
        let letters: Vec<char> = "aăâeêioôơuưyàáảãạằấộừỹbcdđghklmnpqrstvxAĐNGQ1-"
            .chars()
            .collect();
        let mut seed = 12345u64;
        let mut words: Vec<String> = ["Nguyễn", "Kim", "Kao", "Prabowo", "Hourn", "Lloyd", "", "a"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for _ in 0..50_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = 1 + (seed >> 60) as usize % 7;
            let mut w = String::new();
            for k in 0..len {
                let r = (seed >> (8 * k % 56)) as usize;
                w.push(letters[r % letters.len()]);
            }
            words.push(w);
        }
        let mut yes = 0;
        for w in &words {
            let want = is_vietnamese_syllable_by_splits(w);
            assert_eq!(is_vietnamese_syllable(w), want, "{w}");
            yes += usize::from(want);
        }
        assert!(yes > 100, "{yes}");
        let tokens = tokenize("Bộ trưởng Quốc phòng Mỹ Lloyd Austin, TP.HCM ( Đại sứ ) Hà Nội");
        for from in 0..tokens.len() {
            for to in from..=tokens.len() {
                assert_eq!(
                    joined_key(&tokens, from, to),
                    joined_key_by_words(&tokens, from, to)
                );
            }
        }
    }

    use crate::lexicon::tokenize_builtin as tokenize;

    fn lex() -> &'static Lexicon {
        crate::lexicon::builtin()
    }

    #[test]
    fn a_run_stops_at_lower_case_punctuation_and_glue() {
        let lex = lex();
        let t = tokenize("Lê Văn Phúc phát biểu");
        assert_eq!(name_run(&t, 0, lex), Some(3));
        let t = tokenize("Lê Mạnh TuấnDự Lễ");
        assert_eq!(name_run(&t, 0, lex), Some(3));
        let t = tokenize("Đỗ Căn, Phó Chủ nhiệm");
        assert_eq!(name_run(&t, 0, lex), Some(2));
    }

    #[test]
    fn acronyms_and_bylines_are_not_names() {
        let lex = lex();
        assert_eq!(name_run(&tokenize("ĐNQP và HNQT"), 0, lex), None);
        assert_eq!(name_run(&tokenize("XUÂN DÂN"), 0, lex), None);
    }

    #[test]
    fn vietnamese_names_need_a_family_name_and_are_not_places() {
        let lex = lex();
        let t = tokenize("Tổng Bí thư Nguyễn Phú Trọng nhiều lần");
        assert_eq!(vietnamese_name(&t, 3, lex), Some(6));
        let t = tokenize("Giám đốc Công an tỉnh Hà Nam.");
        assert_eq!(vietnamese_name(&t, 5, lex), None);
        let t = tokenize("Bộ trưởng Quốc phòng");
        assert_eq!(vietnamese_name(&t, 2, lex), None);
        let t = tokenize("CATP Hà Nội");
        assert_eq!(vietnamese_name(&t, 1, lex), None);
    }

    #[test]
    fn vietnamese_syllables_and_foreign_spellings() {
        for w in ["Nguyễn", "Kim", "Kao", "Nghiêm", "Quyết", "Gì", "Y", "Ường"] {
            assert!(is_vietnamese_syllable(w), "{w}");
        }
        for w in [
            "Prabowo", "Hourn", "Lloyd", "Austin", "Afonso", "Pedro", "Minoru",
        ] {
            assert!(!is_vietnamese_syllable(w), "{w}");
        }
    }

    #[test]
    fn foreign_names_need_a_country_an_acronym_or_the_position_before_them() {
        let lex = lex();
        let t = tokenize("Bộ trưởng Quốc phòng Mỹ Lloyd Austin và");
        assert_eq!(foreign_name(&t, 5, 2, lex), Some(7));
        // right after "Quốc phòng": the run would be the organisation
        assert_eq!(foreign_name(&t, 3, 2, lex), None);
        let t = tokenize("Tổng Thư ký ASEAN Kao Kim Hourn.");
        assert_eq!(foreign_name(&t, 4, 3, lex), Some(7));
        let t = tokenize("Đại sứ Pedro Afonso nói");
        assert_eq!(foreign_name(&t, 2, 2, lex), Some(4));
        let t = tokenize("Đại sứ Pedro nói");
        assert_eq!(foreign_name(&t, 2, 2, lex), None);
    }
}
