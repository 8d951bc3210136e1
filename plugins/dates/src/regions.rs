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

/// Chars below this code point (the whole Basic Multilingual Plane) are answered from a
/// table.
const TABLE_SIZE: u32 = 0x1_0000;

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
    /// By first byte of a char's UTF-8 form: whether a decimal digit starts with it
    /// (for three-byte chars, see `digit_pairs`; four-byte chars are always looked at).
    digit_leads: [bool; 256],
    /// By first and second byte of a three-byte char (`(first - 0xE0) * 64 + second % 64`):
    /// whether a decimal digit starts with them.
    digit_pairs: [bool; 16 * 64],
    /// By first byte of a char: its length in bytes when no decimal digit starts with that
    /// byte, else 0.
    skip: [u8; 256],
    /// The classes as regexes, for the chars beyond the table.
    member: Regex,
    letter: Regex,
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
        let member = compile(&format!(r"(?i)[\s\d\-/.,–—{letters}]"))?;
        let letter = compile(&format!(r"(?i)[{letters}]"))?;
        let digit = compile(r"\d")?;
        // every char of the table in one string, each class found in one pass over it
        let all: String = (0..TABLE_SIZE).filter_map(char::from_u32).collect();
        let mut table = vec![0u8; TABLE_SIZE as usize].into_boxed_slice();
        for (re, flag) in [(&member, MEMBER), (&digit, DIGIT), (&letter, LETTER)] {
            for m in re.find_iter(&all) {
                for c in m.as_str().chars() {
                    table[c as usize] |= flag;
                }
            }
        }
        for f in table.iter_mut() {
            if *f & MEMBER == 0 {
                *f = 0;
            }
        }
        let mut digit_leads = [false; 256];
        let mut digit_pairs = [false; 16 * 64];
        for c in (0..TABLE_SIZE).filter_map(char::from_u32) {
            if table[c as usize] & DIGIT == 0 {
                continue;
            }
            let mut buf = [0; 4];
            let bytes = c.encode_utf8(&mut buf).as_bytes();
            digit_leads[usize::from(bytes[0])] = true;
            if bytes.len() == 3 {
                digit_pairs[usize::from(bytes[0] - 0xE0) * 64 + usize::from(bytes[1] & 0x3F)] =
                    true;
            }
        }
        // four-byte chars are not in the table: always look at them
        digit_leads[0xF0..].fill(true);
        let mut skip = [0u8; 256];
        for (b, step) in skip.iter_mut().enumerate() {
            if !digit_leads[b] {
                *step = match b {
                    0..0xC0 => 1,
                    0xC0..0xE0 => 2,
                    0xE0..0xF0 => 3,
                    _ => 4,
                };
            }
        }
        Ok(RegionFinder {
            table,
            digit_leads,
            skip,
            digit_pairs,
            member,
            letter,
            digit,
        })
    }

    /// The flags of `c`.
    #[inline]
    fn flags(&self, c: char) -> u8 {
        match self.table.get(c as usize) {
            Some(&f) => f,
            None => {
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
        }
    }

    /// The length of the char at byte `i` of `text` (a char boundary) if it is a decimal
    /// digit.
    #[inline(always)]
    pub fn digit_len(&self, text: &str, i: usize) -> Option<usize> {
        let b = *text.as_bytes().get(i)?;
        if b < 0x80 {
            return b.is_ascii_digit().then_some(1);
        }
        let c = text[i..].chars().next()?;
        (self.flags(c) & DIGIT != 0).then(|| c.len_utf8())
    }

    /// Whether a decimal digit may start at byte `i` (a char boundary), from its bytes only.
    #[inline]
    fn may_be_digit(&self, bytes: &[u8], i: usize) -> bool {
        let b = bytes[i];
        if !self.digit_leads[usize::from(b)] {
            return false;
        }
        match (b, bytes.get(i + 1)) {
            (0xE0..=0xEF, Some(&b2)) => {
                self.digit_pairs[usize::from(b - 0xE0) * 64 + usize::from(b2 & 0x3F)]
            }
            _ => true,
        }
    }

    /// The regions of `text`, in text order, appended to `out`: from each digit not in a
    /// region yet, the run of member chars around it.
    pub fn find(&self, text: &str, out: &mut Vec<Region>) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // skip the chars no digit starts with
            let step = self.skip[usize::from(bytes[i])];
            if step != 0 {
                i += usize::from(step);
                continue;
            }
            if !self.may_be_digit(bytes, i) || self.digit_len(text, i).is_none() {
                // on to the next char (`i` is on a lead byte)
                i += match bytes[i] {
                    ..0xE0 => 2,
                    0xE0..0xF0 => 3,
                    _ => 4,
                };
                continue;
            }
            let mut seen = 0;
            let mut start = i;
            for c in text[..i].chars().rev() {
                let f = self.flags(c);
                if f & MEMBER == 0 {
                    break;
                }
                seen |= f;
                start -= c.len_utf8();
            }
            let mut end = i;
            for c in text[i..].chars() {
                let f = self.flags(c);
                if f & MEMBER == 0 {
                    break;
                }
                seen |= f;
                end += c.len_utf8();
            }
            out.push(Region {
                start,
                end,
                letters: seen & LETTER != 0,
                cued: 0,
            });
            i = end;
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
