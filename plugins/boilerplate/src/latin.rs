//! Letter classes with a fast path for the Latin letters Vietnamese text is
//! written in.
//!
//! `char::is_uppercase` and friends look non-ASCII characters up in Unicode
//! tables, which costs more than anything else when the text is scanned
//! character by character. For ASCII, Latin-1 Supplement to Latin Extended-B
//! and Latin Extended Additional (which holds the toned vowels), the answers
//! are copied once into a small table, indexed by [`slot`]; other characters
//! ask the standard library. The answers are the same either way.

use std::sync::OnceLock;

/// Code points the tables cover: ASCII, U+00C0–U+024F and U+1E00–U+1EFF.
pub fn slot(c: char) -> Option<usize> {
    let u = c as usize;
    match u {
        0..=0x7F => Some(u),
        0xC0..=0x24F => Some(0x80 + u - 0xC0),
        0x1E00..=0x1EFF => Some(0x80 + 0x190 + u - 0x1E00),
        _ => None,
    }
}

/// Number of slots.
pub const SLOTS: usize = 0x80 + 0x190 + 0x100;

/// The characters the slots stand for, in slot order.
pub fn slotted() -> impl Iterator<Item = char> {
    (0u32..0x80)
        .chain(0xC0..=0x24F)
        .chain(0x1E00..=0x1EFF)
        .filter_map(char::from_u32)
}

const UPPER: u8 = 1;
const LOWER: u8 = 2;
const ALPHA: u8 = 4;
const NUMERIC: u8 = 8;

/// Build the table (done on first use otherwise).
pub fn prepare() {
    classes();
    lowers();
}

fn classes() -> &'static [u8; SLOTS] {
    static CLASSES: OnceLock<[u8; SLOTS]> = OnceLock::new();
    CLASSES.get_or_init(|| {
        let mut t = [0u8; SLOTS];
        for c in slotted() {
            if let Some(s) = slot(c) {
                let flag = |yes: bool, bit: u8| if yes { bit } else { 0 };
                t[s] = flag(c.is_uppercase(), UPPER)
                    | flag(c.is_lowercase(), LOWER)
                    | flag(c.is_alphabetic(), ALPHA)
                    | flag(c.is_numeric(), NUMERIC);
            }
        }
        t
    })
}

/// `c.is_uppercase()`.
#[inline]
pub fn is_upper(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_uppercase();
    }
    match slot(c) {
        Some(s) => classes()[s] & UPPER != 0,
        None => c.is_uppercase(),
    }
}

/// `c.is_lowercase()`.
#[inline]
pub fn is_lower(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_lowercase();
    }
    match slot(c) {
        Some(s) => classes()[s] & LOWER != 0,
        None => c.is_lowercase(),
    }
}

/// `c.is_alphabetic()`.
#[inline]
pub fn is_alpha(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    match slot(c) {
        Some(s) => classes()[s] & ALPHA != 0,
        None => c.is_alphabetic(),
    }
}

/// `c.to_lowercase()` when `c` is in the table and its lower case is one
/// character; `None` otherwise (ask the standard library).
#[inline]
pub fn lower_of(c: char) -> Option<char> {
    if c.is_ascii() {
        return Some(c.to_ascii_lowercase());
    }
    let l = lowers()[slot(c)?];
    (l != '\0').then_some(l)
}

/// The single-character lower case of each slot ('\0' when it is not one character).
fn lowers() -> &'static [char; SLOTS] {
    static LOWERS: OnceLock<[char; SLOTS]> = OnceLock::new();
    LOWERS.get_or_init(|| {
        let mut t = ['\0'; SLOTS];
        for c in slotted() {
            let mut l = c.to_lowercase();
            if let (Some(s), Some(one), None) = (slot(c), l.next(), l.next()) {
                t[s] = one;
            }
        }
        t
    })
}

/// `s.to_lowercase()`: ASCII a byte at a time, the table's characters through
/// the table, others through `char::to_lowercase` (which is what
/// `str::to_lowercase` does for every character but 'Σ', whose lower case
/// depends on its neighbours: a text with one is left to the standard library).
pub fn to_lowercase(s: &str) -> String {
    let lowers = lowers();
    let mut out = String::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let x = b[i];
        if x < 0x80 {
            out.push(char::from(x.to_ascii_lowercase()));
            i += 1;
            continue;
        }
        let c = decode_at(b, i);
        match slot(c).map(|k| lowers[k]).filter(|&l| l != '\0') {
            Some(l) => out.push(l),
            None if c == 'Σ' => return s.to_lowercase(),
            None => out.extend(c.to_lowercase()),
        }
        i += c.len_utf8();
    }
    out
}

/// The character whose UTF-8 encoding starts at byte `k` of `b`, a whole
/// UTF-8 text (`k` on a character boundary, not ASCII).
#[inline(always)]
fn decode_at(b: &[u8], k: usize) -> char {
    let lead = u32::from(b[k]);
    let cont = |j: usize| u32::from(b.get(k + j).copied().unwrap_or(0x80) & 0x3F);
    let u = if lead < 0xE0 {
        ((lead & 0x1F) << 6) | cont(1)
    } else if lead < 0xF0 {
        ((lead & 0x0F) << 12) | (cont(1) << 6) | cont(2)
    } else {
        ((lead & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3)
    };
    char::from_u32(u).unwrap_or('\u{FFFD}')
}

/// `c.is_alphanumeric()`.
#[inline]
pub fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    match slot(c) {
        Some(s) => classes()[s] & (ALPHA | NUMERIC) != 0,
        None => c.is_alphanumeric(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_agree_with_the_standard_library() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(is_upper(c), c.is_uppercase(), "{c:?}");
            assert_eq!(is_lower(c), c.is_lowercase(), "{c:?}");
            assert_eq!(is_alpha(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_alnum(c), c.is_alphanumeric(), "{c:?}");
            if let Some(l) = lower_of(c) {
                assert_eq!(l.to_string(), c.to_lowercase().to_string(), "{c:?}");
            }
            let w = format!("A{c}Σ {c}b");
            assert_eq!(to_lowercase(&w), w.to_lowercase(), "{w:?}");
            let w = format!("A{c}Ạ “{c}” bC{c}");
            assert_eq!(to_lowercase(&w), w.to_lowercase(), "{w:?}");
        }
    }
}
