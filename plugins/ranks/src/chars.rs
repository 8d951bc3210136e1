//! Character classes the tokenizer asks about, answered from tables built once.
//!
//! The answers are exactly those of the standard library (`char::is_alphanumeric`,
//! `char::is_uppercase`, `char::to_lowercase`, ...): the tables are filled by asking it, for
//! the Latin, Vietnamese, combining-mark and general-punctuation blocks (everything below
//! U+2070); other characters are asked directly.

use std::sync::OnceLock;

/// Characters below this code point are answered from the tables.
const TABLE_SIZE: usize = 0x2070;

/// A set of classes of a character.
pub type Class = u16;

/// A letter, digit or combining tone mark: part of a word (see [`is_word_char`]).
pub const WORD: Class = 1;
/// `char::is_uppercase`.
pub const UPPER: Class = 2;
/// `char::is_lowercase`.
pub const LOWER: Class = 4;
/// `char::is_alphabetic`.
pub const ALPHA: Class = 8;
/// `char::is_whitespace`.
pub const SPACE: Class = 16;
/// `char::to_lowercase` is not the character itself.
pub const CHANGES_CASE: Class = 32;
/// Lower-casing it in a string is not one fixed character: `char::to_lowercase` gives
/// several, or `str::to_lowercase` looks at the context (final sigma, 'Σ').
pub const LOWER_SLOW: Class = 64;
/// `char::is_ascii_digit`.
pub const DIGIT: Class = 128;
/// `char::is_alphanumeric`.
pub const ALNUM: Class = 256;
/// An upper-case letter that lower-cases to one character, which upper-cases back to it
/// ('Đ' → 'đ' → 'Đ').
pub const CAPITAL: Class = 512;
/// A connector that stays inside a word when a letter or digit follows it: `&`, `-`, `.`,
/// `'`, `’` ("PC&CC", "TP.HCM").
pub const CONNECTOR: Class = 1024;

/// The classes of one character, computed with the standard library.
fn compute(c: char) -> Class {
    let alpha = c.is_alphabetic();
    // `char::is_alphanumeric` is `is_alphabetic() || is_numeric()`
    let alnum = alpha || c.is_numeric();
    let mut f = 0;
    if alnum || c == '\u{300}' || ('\u{301}'..='\u{323}').contains(&c) {
        f |= WORD;
    }
    if c.is_uppercase() {
        f |= UPPER;
    }
    if c.is_lowercase() {
        f |= LOWER;
    }
    if alpha {
        f |= ALPHA;
    }
    if c.is_whitespace() {
        f |= SPACE;
    }
    let mut lower = c.to_lowercase();
    let first = lower.next();
    let single = lower.next().is_none();
    if !(first == Some(c) && single) {
        f |= CHANGES_CASE;
    }
    if !single || c == 'Σ' {
        f |= LOWER_SLOW;
    }
    if c.is_ascii_digit() {
        f |= DIGIT;
    }
    if alnum {
        f |= ALNUM;
    }
    if matches!(c, '&' | '-' | '.' | '\'' | '’') {
        f |= CONNECTOR;
    }
    if let (Some(l), true) = (first, single) {
        let mut up = l.to_uppercase();
        if l != c && up.next() == Some(c) && up.next().is_none() && c != 'Σ' {
            f |= CAPITAL;
        }
    }
    f
}

/// [`compute`] of a code point beyond the tables.
#[cold]
#[inline(never)]
fn compute_code(cp: u32) -> Class {
    compute(char::from_u32(cp).unwrap_or('\u{FFFD}'))
}

/// The tables: classes, and the lower-case form (when it is one character).
struct Tables {
    classes: Box<[Class; TABLE_SIZE]>,
    lower: Box<[char]>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let chars = || (0..TABLE_SIZE as u32).map(|u| char::from_u32(u).unwrap_or('\0'));
        let classes: Vec<Class> = chars().map(compute).collect();
        Tables {
            classes: classes
                .into_boxed_slice()
                .try_into()
                .unwrap_or_else(|_| unreachable!("one class per code point")),
            lower: chars()
                .map(|c| c.to_lowercase().next().unwrap_or(c))
                .collect(),
        }
    })
}

/// Build the tables now rather than on first use.
pub fn init() {
    tables();
}

/// The tables, fetched once for a run of look-ups.
#[derive(Clone, Copy)]
pub struct Classes {
    /// The classes of the characters below [`TABLE_SIZE`] (a fixed size: a byte indexes it
    /// without a bounds check).
    classes: &'static [Class; TABLE_SIZE],
    /// Their lower-case forms.
    lower: &'static [char],
}

impl std::fmt::Debug for Classes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Classes")
    }
}

impl Classes {
    /// The tables (built on first use).
    pub fn get() -> Classes {
        let t = tables();
        Classes {
            classes: &t.classes,
            lower: &t.lower,
        }
    }

    /// The classes of `c` (a combination of [`WORD`], [`UPPER`], ...).
    #[inline]
    pub fn of(self, c: char) -> Class {
        match self.classes.get(c as usize) {
            Some(&f) => f,
            None => compute(c),
        }
    }

    /// The character starting at byte `b` of `text` (a character boundary), its length in
    /// bytes and its classes.
    #[inline]
    pub fn decode(self, text: &str, b: usize) -> Option<(char, usize, Class)> {
        let bytes = text.as_bytes();
        let x = *bytes.get(b)?;
        if x < 0x80 {
            return Some((char::from(x), 1, self.classes[usize::from(x)]));
        }
        let c = text.get(b..)?.chars().next()?;
        Some((c, c.len_utf8(), self.of(c)))
    }

    /// The character starting at byte `b` of `bytes` (a character boundary of valid UTF-8):
    /// its code point, its length in bytes and its classes. Decodes by hand, without the
    /// checks `str::chars` needs for arbitrary input.
    #[inline(always)]
    pub fn decode_bytes(self, bytes: &[u8], b: usize) -> Option<(u32, usize, Class)> {
        let x = *bytes.get(b)?;
        if x < 0x80 {
            return Some((u32::from(x), 1, self.ascii(x)));
        }
        Some(self.decode_multi(bytes, b, x))
    }

    /// The classes of the byte `x` read as a character (an ASCII character when `x < 0x80`).
    #[inline(always)]
    pub fn ascii(self, x: u8) -> Class {
        // a byte always indexes the table: no bounds check
        self.classes[usize::from(x)]
    }

    /// [`Classes::decode_bytes`] of the character of two bytes or more whose first byte `x`
    /// is at byte `b`.
    #[inline(always)]
    pub fn decode_multi(self, bytes: &[u8], b: usize, x: u8) -> (u32, usize, Class) {
        let cont = |k: usize| u32::from(bytes.get(b + k).copied().unwrap_or(0x80) & 0x3F);
        let (cp, len) = if x < 0xE0 {
            ((u32::from(x & 0x1F) << 6) | cont(1), 2)
        } else if x < 0xF0 {
            ((u32::from(x & 0x0F) << 12) | (cont(1) << 6) | cont(2), 3)
        } else {
            let cp = (u32::from(x & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3);
            (cp, 4)
        };
        let class = match self.classes.get(cp as usize) {
            Some(&f) => f,
            None => compute_code(cp),
        };
        (cp, len, class)
    }

    /// `c` lower-cased, for a character without [`LOWER_SLOW`].
    #[inline]
    pub fn lower(self, c: char) -> char {
        match self.lower.get(c as usize) {
            Some(&l) => l,
            None => c.to_lowercase().next().unwrap_or(c),
        }
    }
}

/// The classes of `c` (a combination of [`WORD`], [`UPPER`], ...).
#[inline]
pub fn class(c: char) -> Class {
    Classes::get().of(c)
}

/// Whether `c` belongs to a word: a letter, a digit, or a combining tone mark
/// (U+0300..U+0323) written after a bare vowel.
#[inline]
pub fn is_word_char(c: char) -> bool {
    class(c) & WORD != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_agree_with_the_standard_library() {
        for c in [
            'a', 'Đ', 'đ', 'ễ', 'Ữ', '\u{301}', '1', ' ', '\u{a0}', '-', 'İ', 'Σ', '“', '…', '中',
            '²', 'Ⅳ', '٣',
        ] {
            assert_eq!(class(c), compute(c), "{c:?}");
            assert_eq!(class(c) & ALNUM != 0, c.is_alphanumeric(), "{c:?}");
        }
        assert!(is_word_char('ư') && is_word_char('\u{323}') && !is_word_char('.'));
        assert_eq!(class('Đ') & (UPPER | CHANGES_CASE), UPPER | CHANGES_CASE);
        let t = Classes::get();
        assert_eq!((t.lower('Đ'), t.lower('Ự'), t.lower('x')), ('đ', 'ự', 'x'));
        assert!(class('İ') & LOWER_SLOW != 0 && class('Σ') & LOWER_SLOW != 0);
        assert!(
            class('Đ') & CAPITAL != 0 && class('Ự') & CAPITAL != 0 && class('B') & CAPITAL != 0
        );
        assert!(
            class('đ') & CAPITAL == 0 && class('İ') & CAPITAL == 0 && class('K') & CAPITAL != 0
        );
        assert_eq!(t.decode("aễ…", 1), Some(('ễ', 3, class('ễ'))));
        assert_eq!(t.decode("aễ…", 4), Some(('…', 3, class('…'))));
        assert_eq!(t.decode("aễ…", 7), None);
        let s = "aé\u{1EF9}€𝔸中\u{7FF}\u{800}\u{FFFF}\u{10FFFF}\u{80}\u{2070}";
        for (b, c) in s.char_indices() {
            assert_eq!(t.decode(s, b), Some((c, c.len_utf8(), class(c))));
            let d = t.decode_bytes(s.as_bytes(), b);
            assert_eq!(d, Some((u32::from(c), c.len_utf8(), class(c))));
        }
        assert_eq!(t.decode_bytes(s.as_bytes(), s.len()), None);
    }
}
