//! The parts of a text where a numeric date pattern can match, found in one pass so that
//! each pattern only runs there instead of over the whole text.
//!
//! Every candidate pattern of [`crate::scan`] (all but the relative words) matches a text
//! made of digits, whitespace, the separators `- / . , – —`, the letters of its cue words
//! (in any case) and the roman numerals of quarters, and holds at least one digit. So a
//! match lies inside a maximal run of such characters that holds a digit: a *region*.
//! None of these patterns looks at the text around a match (no anchors, no word
//! boundaries), so searching each region alone finds exactly the matches a search of the
//! whole text finds, in the same order.

use regex::Regex;

/// Characters below this code point are answered from a table.
const TABLE_SIZE: u32 = 0x3000;

/// May be part of a match.
const MEMBER: u8 = 1;
/// A decimal digit (regex `\d`).
const DIGIT: u8 = 2;
/// A letter of a cue word (or a roman numeral).
const LETTER: u8 = 4;

/// One region: bytes `start..end` of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// Byte offset of its first char.
    pub start: usize,
    /// Byte offset after its last char.
    pub end: usize,
    /// Whether it holds a letter of a cue word (patterns with a cue word need one).
    pub letters: bool,
    /// Bit `i` set: cued pattern `i` of the scanner matches somewhere in the region (filled
    /// in by the scanner).
    pub cued: u16,
}

/// Finds the regions of a text; built once from the cue words.
#[derive(Debug)]
pub struct RegionFinder {
    /// Flags of the chars below [`TABLE_SIZE`].
    table: Box<[u8]>,
    /// Matches one char that may be part of a match.
    member: Regex,
    /// Matches one char that is a cue word letter.
    letter: Regex,
    /// Matches one decimal digit.
    digit: Regex,
}

impl RegionFinder {
    /// A finder for patterns whose cue words are `words` (phrases; spaces inside them are
    /// whitespace, already allowed).
    pub fn new<'a>(words: impl IntoIterator<Item = &'a String>) -> Result<RegionFinder, String> {
        let mut letters = String::from("IV");
        for w in words {
            for c in w.chars().filter(|c| !c.is_whitespace()) {
                letters.push_str(&regex::escape(c.encode_utf8(&mut [0; 4])));
            }
        }
        let compile =
            |p: &str| Regex::new(p).map_err(|e| format!("dates: cannot build pattern {p:?}: {e}"));
        let member = compile(&format!(r"(?i)^[\s\d\-/.,–—{letters}]$"))?;
        let letter = compile(&format!(r"(?i)^[{letters}]$"))?;
        let digit = compile(r"^\d$")?;
        let mut finder = RegionFinder {
            table: Box::new([]),
            member,
            letter,
            digit,
        };
        finder.table = (0..TABLE_SIZE)
            .map(|u| char::from_u32(u).map_or(0, |c| finder.compute(c)))
            .collect();
        Ok(finder)
    }

    /// The flags of `c`, asked of the regexes.
    fn compute(&self, c: char) -> u8 {
        let s = c.encode_utf8(&mut [0; 4]).to_string();
        let mut f = 0;
        if self.member.is_match(&s) {
            f |= MEMBER;
            if self.digit.is_match(&s) {
                f |= DIGIT;
            }
            if self.letter.is_match(&s) {
                f |= LETTER;
            }
        }
        f
    }

    /// The flags of `c`.
    #[inline]
    fn flags(&self, c: char) -> u8 {
        match self.table.get(c as usize) {
            Some(&f) => f,
            None => self.compute(c),
        }
    }

    /// The length of the char at byte `i` of `text` (a char boundary) if it is a decimal
    /// digit.
    #[inline]
    pub fn digit_len(&self, text: &str, i: usize) -> Option<usize> {
        let b = *text.as_bytes().get(i)?;
        if b < 0x80 {
            return b.is_ascii_digit().then_some(1);
        }
        let c = text[i..].chars().next()?;
        (self.flags(c) & DIGIT != 0).then(|| c.len_utf8())
    }

    /// The regions of `text`, in text order, appended to `out`.
    pub fn find(&self, text: &str, out: &mut Vec<Region>) {
        let bytes = text.as_bytes();
        let mut start = 0;
        let mut seen = 0u8;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let (f, len) = if b < 0x80 {
                (self.table[usize::from(b)], 1)
            } else {
                match text[i..].chars().next() {
                    Some(c) => (self.flags(c), c.len_utf8()),
                    None => break,
                }
            };
            if f & MEMBER == 0 {
                if seen & DIGIT != 0 {
                    out.push(Region {
                        start,
                        end: i,
                        letters: seen & LETTER != 0,
                        cued: 0,
                    });
                }
                seen = 0;
                start = i + len;
            } else {
                seen |= f;
            }
            i += len;
        }
        if seen & DIGIT != 0 {
            out.push(Region {
                start,
                end: bytes.len(),
                letters: seen & LETTER != 0,
                cued: 0,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_hold_the_digits_and_the_cue_words_around_them() {
        let words = vec!["tháng".to_string(), "những năm".to_string()];
        let finder = RegionFinder::new(&words).expect("finder");
        let text = "Ngày (THÁNG 5/2023) có 12 người; ấy là những năm 1990.";
        let mut out = Vec::new();
        finder.find(text, &mut out);
        let parts: Vec<(&str, bool)> = out
            .iter()
            .map(|r| (&text[r.start..r.end], r.letters))
            .collect();
        assert_eq!(
            parts,
            vec![
                ("THÁNG 5/2023", true),
                (" 12 ng", true),
                (" những năm 1990.", true)
            ]
        );
        // a non-ASCII decimal digit counts, a superscript does not
        out.clear();
        finder.find("a ٣ b ² c", &mut out);
        assert_eq!(out.len(), 1);
    }
}
