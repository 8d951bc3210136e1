//! Character classes, looked up in a table instead of asked of Unicode data each time.
//!
//! The plugin asks a handful of questions about every character of an article ("is it a
//! letter?", "upper case?"). The standard library and the regex crate answer them from
//! Unicode tables with a search per call; here the answers for the first [`TABLE_END`] code
//! points (Latin, Vietnamese, combining marks, punctuation: everything a Vietnamese article
//! is made of) are computed once, from those same sources, and kept in one byte per code
//! point. Characters past the table are asked of the original source, so every answer is
//! exactly what the standard library or the regex class would give.

use regex::Regex;
use std::sync::LazyLock;

/// Code points below this have their classes in the table.
pub const TABLE_END: u32 = 0x3000;

/// regex `[\p{L}\p{M}\p{N}]`.
pub const WORDISH: u8 = 1;
/// regex `[\p{L}\p{M}]`.
pub const LETTER_OR_MARK: u8 = 2;
/// regex `\p{Lu}`.
pub const UPPER_LETTER: u8 = 4;
/// [`char::is_alphanumeric`], or a combining mark U+0300..U+036F.
pub const WORD_CHAR: u8 = 8;
/// [`char::is_alphabetic`].
pub const ALPHABETIC: u8 = 16;
/// [`char::is_uppercase`].
pub const UPPERCASE: u8 = 32;
/// [`char::is_lowercase`].
pub const LOWERCASE: u8 = 64;
/// A capital that can make a token a short form: a character of a token
/// ([`WORDISH`]) that is upper case, or a letter that is not lower case.
pub const CAPITAL: u8 = 128;

/// The flags of an ASCII character (the same the sources give: only letters and digits
/// have any).
const fn ascii_flags(b: u8) -> u8 {
    if b.is_ascii_digit() {
        WORDISH | WORD_CHAR
    } else if b.is_ascii_uppercase() {
        WORDISH | LETTER_OR_MARK | UPPER_LETTER | WORD_CHAR | ALPHABETIC | UPPERCASE | CAPITAL
    } else if b.is_ascii_lowercase() {
        WORDISH | LETTER_OR_MARK | WORD_CHAR | ALPHABETIC | LOWERCASE
    } else {
        0
    }
}

const ASCII: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = ascii_flags(b as u8);
        b += 1;
    }
    t
};

struct Classes {
    /// The flags of every code point below [`TABLE_END`] (a fixed size: a two-byte
    /// character's index needs no bounds check).
    table: Box<[u8; TABLE_END as usize]>,
    wordish: Regex,
    letter_or_mark: Regex,
    upper_letter: Regex,
}

fn class_regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid class pattern")
}

static CLASSES: LazyLock<Classes> = LazyLock::new(|| {
    let wordish = class_regex(r"[\p{L}\p{M}\p{N}]");
    let letter_or_mark = class_regex(r"[\p{L}\p{M}]");
    let upper_letter = class_regex(r"\p{Lu}");
    let mut classes = Classes {
        table: Box::new([0; TABLE_END as usize]),
        wordish,
        letter_or_mark,
        upper_letter,
    };
    let mut table = Box::new([0; TABLE_END as usize]);
    for (u, f) in (0..TABLE_END).zip(table.iter_mut()) {
        *f = char::from_u32(u).map_or(0, |c| classes.compute(c));
    }
    classes.table = table;
    classes
});

impl Classes {
    /// The flags of `c`, asked of the sources.
    fn compute(&self, c: char) -> u8 {
        let wordish = regex_has(&self.wordish, c);
        let capital = wordish && (c.is_uppercase() || c.is_alphabetic() && !c.is_lowercase());
        let sources = [
            (wordish, WORDISH),
            (regex_has(&self.letter_or_mark, c), LETTER_OR_MARK),
            (regex_has(&self.upper_letter, c), UPPER_LETTER),
            (c.is_alphanumeric() || is_combining_range(c), WORD_CHAR),
            (c.is_alphabetic(), ALPHABETIC),
            (c.is_uppercase(), UPPERCASE),
            (c.is_lowercase(), LOWERCASE),
            (capital, CAPITAL),
        ];
        sources
            .iter()
            .filter(|(yes, _)| *yes)
            .fold(0, |acc, (_, flag)| acc | flag)
    }
}

/// Build the table now (so the first article does not pay for it).
pub fn init() {
    LazyLock::force(&CLASSES);
}

fn is_combining_range(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// All the flags of `c` (see the constants).
#[inline]
pub fn flags(c: char) -> u8 {
    let u = c as usize;
    if u < 128 {
        return ASCII[u];
    }
    let classes = &*CLASSES;
    match classes.table.get(u) {
        Some(&f) => f,
        None => classes.compute(c),
    }
}

/// The table, fetched once for a loop over many characters.
#[derive(Clone, Copy)]
pub struct Table(&'static Classes);

/// The table (built on first use).
pub fn table() -> Table {
    Table(&CLASSES)
}

impl Table {
    /// The flags of the character that starts at byte `i` of `s` (a char boundary), and its
    /// length in bytes.
    #[inline(always)]
    pub fn at(self, s: &str, i: usize) -> (u8, usize) {
        let b = s.as_bytes();
        let b0 = b[i];
        if b0 < 0x80 {
            return (ASCII[usize::from(b0)], 1);
        }
        // Two- and three-byte characters below TABLE_END (all of Vietnamese) are read here,
        // without a call; the rest goes the long way.
        let table = &self.0.table;
        if b0 < 0xE0 {
            if let (Some(&b1), true) = (b.get(i + 1), b0 >= 0xC0) {
                let u = (usize::from(b0 & 0x1F) << 6) | usize::from(b1 & 0x3F);
                if let Some(&f) = table.get(u) {
                    return (f, 2);
                }
            }
        } else if b0 < 0xF0 {
            if let (Some(&b1), Some(&b2)) = (b.get(i + 1), b.get(i + 2)) {
                let u = (usize::from(b0 & 0x0F) << 12)
                    | (usize::from(b1 & 0x3F) << 6)
                    | usize::from(b2 & 0x3F);
                if let Some(&f) = table.get(u) {
                    return (f, 3);
                }
            }
        }
        self.at_non_ascii(s, i)
    }

    /// The flags of the character that ends just before byte `i` of `s` (a char boundary),
    /// and its length in bytes; `None` at the start.
    #[inline]
    pub fn before(self, s: &str, i: usize) -> Option<(u8, usize)> {
        let mut j = i.checked_sub(1)?;
        while !s.is_char_boundary(j) {
            j -= 1;
        }
        Some(self.at(s, j))
    }

    /// [`Table::at`] for a character of two bytes or more.
    #[inline(never)]
    fn at_non_ascii(self, s: &str, i: usize) -> (u8, usize) {
        let b = s.as_bytes();
        let b0 = b[i];
        let cont = |k: usize| u32::from(b[i + k] & 0x3F);
        let (u, len) = if b0 < 0xE0 {
            ((u32::from(b0 & 0x1F) << 6) | cont(1), 2)
        } else if b0 < 0xF0 {
            ((u32::from(b0 & 0x0F) << 12) | (cont(1) << 6) | cont(2), 3)
        } else {
            let u = (u32::from(b0 & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3);
            (u, 4)
        };
        match self.0.table.get(u as usize) {
            Some(&f) => (f, len),
            None => (char::from_u32(u).map_or(0, |c| self.0.compute(c)), len),
        }
    }
}

fn regex_has(re: &Regex, c: char) -> bool {
    let mut buf = [0u8; 4];
    re.is_match(c.encode_utf8(&mut buf))
}

/// `[\p{L}\p{M}\p{N}]` as the regex crate reads it: a character of a token.
#[inline]
pub fn is_wordish(c: char) -> bool {
    flags(c) & WORDISH != 0
}

/// `[\p{L}\p{M}]` as the regex crate reads it: a letter or a mark.
#[inline]
pub fn is_letter_or_mark(c: char) -> bool {
    flags(c) & LETTER_OR_MARK != 0
}

/// `\p{Lu}` as the regex crate reads it: an upper-case letter.
#[inline]
pub fn is_upper_letter(c: char) -> bool {
    flags(c) & UPPER_LETTER != 0
}

/// A character of a word: [`char::is_alphanumeric`] or a combining mark U+0300..U+036F.
#[inline]
pub fn is_word_char(c: char) -> bool {
    flags(c) & WORD_CHAR != 0
}

/// [`char::is_alphabetic`].
#[inline]
pub fn is_alphabetic(c: char) -> bool {
    flags(c) & ALPHABETIC != 0
}

/// [`char::is_uppercase`].
#[inline]
pub fn is_uppercase(c: char) -> bool {
    flags(c) & UPPERCASE != 0
}

/// [`char::is_lowercase`].
#[inline]
pub fn is_lowercase(c: char) -> bool {
    flags(c) & LOWERCASE != 0
}

/// See [`CAPITAL`].
#[inline]
pub fn is_capital(c: char) -> bool {
    flags(c) & CAPITAL != 0
}

/// `s` lower-cased (as [`str::to_lowercase`] would, for the strings compared here) into
/// `buf`; `None` when it does not fit. For comparing short words with fixed lists without
/// allocating.
pub fn lower_small<'b>(s: &str, buf: &'b mut [u8; 32]) -> Option<&'b str> {
    if s.len() > buf.len() * 3 {
        // No character lower-cases to less than a third of its length (K KELVIN SIGN, three
        // bytes, becomes k): too long whatever it holds.
        return None;
    }
    let mut n = 0;
    for c in s.chars() {
        if c.is_ascii() {
            *buf.get_mut(n)? = c.to_ascii_lowercase() as u8;
            n += 1;
            continue;
        }
        for c in c.to_lowercase() {
            let len = c.len_utf8();
            if n + len > buf.len() {
                return None;
            }
            c.encode_utf8(&mut buf[n..n + len]);
            n += len;
        }
    }
    std::str::from_utf8(&buf[..n]).ok()
}

/// Pseudo-random texts over `alphabet` (the pieces are strings), for checking the
/// hand-written matchers against the patterns they replace.
#[cfg(test)]
pub(crate) fn random_texts(alphabet: &[&str], count: usize, max_pieces: usize) -> Vec<String> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let n = (next() % (max_pieces as u64 + 1)) as usize;
            (0..n)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect()
        })
        .collect()
}

/// Pieces of text that exercise the classes: capitals and small letters of both scripts,
/// digits, connectors, spaces, dashes, brackets, marks, and characters outside the table.
#[cfg(test)]
pub(crate) const TRICKY: &[&str] = &[
    "A",
    "B",
    "C",
    "D",
    "I",
    "V",
    "X",
    "M",
    "L",
    "Đ",
    "Ệ",
    "Ư",
    "a",
    "b",
    "đ",
    "ệ",
    "ư",
    "1",
    "2",
    " ",
    " ",
    "-",
    ".",
    "/",
    "&",
    ",",
    "(",
    ")",
    "\n",
    "–",
    "—",
    "ª",
    "ǅ",
    "\u{300}",
    "中",
    "Ⓐ",
    "ⓐ",
    "𝐀",
    "ß",
    "İ",
    "\u{212A}",
    "ſ",
    "TP",
    "HCM",
    "và",
    "gọi tắt là ",
    "viết tắt ",
    "là ",
    "tức ",
    "Sau đây gọi là ",
    "khóa ",
    "thế kỷ ",
    "số",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_agrees_with_its_sources_everywhere() {
        let wordish = Regex::new(r"^[\p{L}\p{M}\p{N}]$").expect("re");
        let lm = Regex::new(r"^[\p{L}\p{M}]$").expect("re");
        let lu = Regex::new(r"^\p{Lu}$").expect("re");
        // the whole table plus a stretch past it (CJK, emoji, other planes)
        let samples = (0..0x3400u32)
            .chain(0x1F100..0x1F200)
            .chain(0x10400..0x10500);
        for c in samples.filter_map(char::from_u32) {
            let s = c.to_string();
            assert_eq!(is_wordish(c), wordish.is_match(&s), "{c:?}");
            assert_eq!(is_letter_or_mark(c), lm.is_match(&s), "{c:?}");
            assert_eq!(is_upper_letter(c), lu.is_match(&s), "{c:?}");
            assert_eq!(
                is_word_char(c),
                c.is_alphanumeric() || ('\u{300}'..='\u{36f}').contains(&c),
                "{c:?}"
            );
            assert_eq!(is_alphabetic(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_uppercase(c), c.is_uppercase(), "{c:?}");
            assert_eq!(is_lowercase(c), c.is_lowercase(), "{c:?}");
            let capital = wordish.is_match(&s)
                && (c.is_uppercase() || c.is_alphabetic() && !c.is_lowercase());
            assert_eq!(is_capital(c), capital, "{c:?}");
        }
    }

    #[test]
    fn table_reads_utf8_in_place() {
        let s = "aĐ ệ\u{300}–€𝐀中\u{10FFFF}Z";
        let t = table();
        let mut i = 0;
        for c in s.chars() {
            assert_eq!(t.at(s, i), (flags(c), c.len_utf8()), "{c:?}");
            i += c.len_utf8();
        }
    }

    #[test]
    fn small_lower_case_is_char_lower_case_when_it_fits() {
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
            "AB",
            "ỄỄỄ",
        ];
        for s in random_texts(&pieces, 5_000, 40) {
            let want: String = s.chars().flat_map(char::to_lowercase).collect();
            let mut buf = [0u8; 32];
            let got = lower_small(&s, &mut buf);
            assert_eq!(got, (want.len() <= 32).then_some(want.as_str()), "{s:?}");
        }
    }

    #[test]
    fn small_lower_case() {
        let mut buf = [0u8; 32];
        assert_eq!(lower_small("VÀ", &mut buf), Some("và"));
        assert_eq!(lower_small("Của", &mut buf), Some("của"));
        assert_eq!(lower_small(&"A".repeat(40), &mut buf), None);
    }
}
