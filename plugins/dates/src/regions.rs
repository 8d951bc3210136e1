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

use crate::fold::{table_chars, Folder, Letters, TABLE_SIZE};
use regex::Regex;

/// May be part of a match.
const MEMBER: u8 = 1;
/// A decimal digit (regex `\d`).
const DIGIT: u8 = 2;
/// A letter of a cue word (or a roman numeral).
const LETTER: u8 = 4;
/// White space (regex `\s`, `char::is_whitespace`).
const SPACE: u8 = 8;

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
    /// Byte offset of the end of the last cue word [`RegionFinder::cues`] found in the
    /// region (filled in by the scanner with `cued`): a cued pattern's match holds a cue
    /// word, so none starts at or after it.
    pub cue_end: usize,
    /// The decimal digits that start a run of digits (the only places a numeric pattern's
    /// match can be kept: every rule rejects a number glued to a digit on its left):
    /// indices `digits.0..digits.1` of the offsets [`RegionFinder::find`] fills in.
    pub digits: (usize, usize),
    /// Whether a `-`, `/` or `.` follows its first digit (a day-month needs one).
    pub separator: bool,
    /// Whether it holds four decimal digits in a row (a year needs them).
    pub four_digits: bool,
}

/// The last word of some cue words, as letter numbers, and the bits of those words.
type Tail = (Vec<u8>, u16);

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
    /// The letters of the cue words, numbered, the distinct last words of the cue words
    /// in those numbers, each with the bits of the words it ends, and the roman numeral
    /// `I`; `None` when the letters could not all be numbered (then every region may hold
    /// any cue).
    cues: Option<(Folder, Vec<Tail>, Vec<u8>)>,
    /// The classes as regexes, for the chars beyond the table.
    member: Regex,
    letter: Regex,
    digit: Regex,
}

impl RegionFinder {
    /// A finder for patterns whose cue words are `words` (phrases; spaces inside them are
    /// whitespace, already allowed).
    pub fn new<'a>(words: impl IntoIterator<Item = &'a String>) -> Result<RegionFinder, String> {
        let words: Vec<(&String, u16)> = words.into_iter().map(|w| (w, u16::MAX)).collect();
        let letters = Letters::new(words.iter().map(|w| w.0.as_str()).chain(["IV"]))?;
        RegionFinder::with_letters(words, &letters)
    }

    /// [`RegionFinder::new`] with the letters of `words` and of the roman numerals `IV`
    /// numbered in `letters` (shared with other word lists). Each word comes with the bits
    /// [`RegionFinder::cues`] sets when it may cue a match (the patterns it is a cue of).
    pub fn with_letters<'a>(
        words: impl IntoIterator<Item = (&'a String, u16)>,
        numbered: &Letters,
    ) -> Result<RegionFinder, String> {
        let with_bits: Vec<(&String, u16)> = words.into_iter().collect();
        let words: Vec<&String> = with_bits.iter().map(|w| w.0).collect();
        let mut letters = String::from("IV");
        for w in &words {
            for c in w.chars().filter(|c| !c.is_whitespace()) {
                letters.push_str(&regex::escape(c.encode_utf8(&mut [0; 4])));
            }
        }
        let compile =
            |p: &str| Regex::new(p).map_err(|e| format!("dates: cannot build pattern {p:?}: {e}"));
        let member = compile(&format!(r"(?i)[\s\d\-/.,–—{letters}]"))?;
        let letter = compile(&format!(r"(?i)[{letters}]"))?;
        let digit = compile(r"\d")?;
        // the members of the table found in one pass over its chars, then each one's
        // classes asked of the other regexes
        let mut table = vec![0u8; TABLE_SIZE as usize].into_boxed_slice();
        for m in member.find_iter(table_chars()) {
            for c in m.as_str().chars() {
                table[c as usize] = member_flags(&digit, &letter, c);
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
        let cues = cue_tails(&with_bits, numbered);
        Ok(RegionFinder {
            table,
            cues,
            digit_leads,
            digit_pairs,
            member,
            letter,
            digit,
        })
    }

    /// The flags of `c`.
    #[inline(always)]
    fn flags(&self, c: char) -> u8 {
        match self.table.get(c as usize) {
            Some(&f) => f,
            None => self.flags_from_regexes(c),
        }
    }

    /// The flags of a char from the regexes (what the table holds for the chars it covers;
    /// asked directly for the chars beyond it).
    #[cold]
    fn flags_from_regexes(&self, c: char) -> u8 {
        if self.member.is_match(c.encode_utf8(&mut [0; 4])) {
            member_flags(&self.digit, &self.letter, c)
        } else {
            0
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

    /// Whether a cued pattern may match in `region` (the text of a region): each of them
    /// has a cue word, then white space, then a digit or a roman numeral's `I` (`tháng 5`,
    /// `quý I`), and the patterns look at nothing else around it. So the letters right
    /// before some white space followed by one of those must end with the last word of a
    /// cue word (compared case-insensitively, as the patterns do).
    pub fn may_hold_cue(&self, region: &str) -> bool {
        self.cues(region).0 != 0
    }

    /// The bits of every cue word whose last word ends the letters right before some white
    /// space followed by a digit or a roman numeral's `I` in `region` (see
    /// [`RegionFinder::may_hold_cue`]): a pattern whose every match holds one of its cue
    /// words (then white space, then a digit or numeral) can only match in `region` when
    /// the bits of one of those words are set. With the bits, the byte offset (in
    /// `region`) where the last of those cue words ends: such a pattern has no match that
    /// starts there or after (a match holds its cue word). All bits and the region's
    /// length when the cue words could not be numbered.
    pub fn cues(&self, region: &str) -> (u16, usize) {
        let Some((folder, tails, numeral)) = &self.cues else {
            return (u16::MAX, region.len());
        };
        let mut mask = 0;
        let mut last_end = 0;
        // byte offset of the run of letters being read, and of the white space after it
        let mut run = 0;
        let mut space = None;
        for (i, c) in region.char_indices() {
            let f = self.flags(c);
            if f & SPACE != 0 {
                if space.is_none() {
                    space = Some(i);
                }
                continue;
            }
            if let Some(s) = space.take() {
                let cue_next = f & DIGIT != 0
                    || (f & LETTER != 0
                        && folder
                            .ends_with(c.encode_utf8(&mut [0; 4]), numeral)
                            .is_some());
                let letters = &region[run..s];
                if let Some(last) = letters.chars().next_back().filter(|_| cue_next) {
                    for (t, bits) in tails {
                        if folder.may_end_with(last, t) && folder.ends_with(letters, t).is_some() {
                            mask |= bits;
                            last_end = s;
                        }
                    }
                }
                run = i;
            }
            if f & LETTER == 0 {
                run = i + c.len_utf8();
            }
        }
        (mask, last_end)
    }

    /// The regions of `text`, in text order, appended to `out`: from each digit not in a
    /// region yet, the run of member chars around it. The byte offset of every decimal
    /// digit of a region that starts a run of digits is appended to `digits` (in text order;
    /// see [`Region::digits`]).
    pub fn find(&self, text: &str, out: &mut Vec<Region>, digits: &mut Vec<usize>) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while let Some(at) = next_candidate(bytes, i) {
            i = at;
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
            let first = digits.len();
            // how many digits in a row end before the char (none before `i`)
            let mut run = 0usize;
            let mut separator = false;
            let mut four_digits = false;
            let mut end = i;
            for c in text[i..].chars() {
                let f = if c.is_ascii() {
                    self.table[c as usize]
                } else {
                    self.flags(c)
                };
                if f & MEMBER == 0 {
                    break;
                }
                if f & DIGIT != 0 {
                    if run == 0 {
                        digits.push(end);
                    }
                    run += 1;
                    four_digits |= run >= 4;
                } else {
                    run = 0;
                    separator |= matches!(c, '-' | '/' | '.');
                }
                seen |= f;
                end += c.len_utf8();
            }
            out.push(Region {
                start,
                end,
                letters: seen & LETTER != 0,
                cued: 0,
                cue_end: start,
                digits: (first, digits.len()),
                separator,
                four_digits,
            });
            i = end;
        }
    }
}

/// The folder of `words` and of the roman numerals, the distinct last words of `words`,
/// each with the bits of all the words it ends, and the numeral `I` in its numbers; `None`
/// when they cannot be numbered.
fn cue_tails(words: &[(&String, u16)], letters: &Letters) -> Option<(Folder, Vec<Tail>, Vec<u8>)> {
    let folder = letters.folder(words.iter().map(|w| w.0.as_str()).chain(["IV"]))?;
    let mut tails: Vec<Tail> = Vec::new();
    for (w, bits) in words {
        let tail = folder.tail(w)?;
        match tails.iter_mut().find(|t| t.0 == tail) {
            Some(t) => t.1 |= bits,
            None => tails.push((tail, *bits)),
        }
    }
    let numeral = folder.tail("I")?;
    Some((folder, tails, numeral))
}

/// The first byte at or after `from` that may start a decimal digit: an ASCII digit, or
/// the lead byte of a char from U+0640 on (`0xD9` and up), where every other decimal digit
/// lies, except the Vietnamese letters U+1E80..U+1EFF (`E1 BA ..`, `E1 BB ..`), which are
/// no digits.
#[inline]
fn next_candidate(bytes: &[u8], from: usize) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    let (from, found) = sse2::next_candidate(bytes, from);
    #[cfg(not(target_arch = "x86_64"))]
    let (from, found) = swar_next_candidate(bytes, from);
    found.or_else(|| tail_candidate(bytes, from))
}

/// Whether byte `j` of `bytes` may start a decimal digit (see [`next_candidate`]).
#[inline]
fn is_candidate(bytes: &[u8], j: usize) -> bool {
    let b = bytes[j];
    b.is_ascii_digit()
        || (b >= 0xD9 && !(b == 0xE1 && bytes.get(j + 1).is_some_and(|n| n & 0xFE == 0xBA)))
}

/// [`next_candidate`] one byte at a time.
fn tail_candidate(bytes: &[u8], from: usize) -> Option<usize> {
    (from..bytes.len()).find(|&j| is_candidate(bytes, j))
}

/// [`next_candidate`] eight bytes at a time, as long as nine bytes are left: the candidate,
/// or where the search stopped.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn swar_next_candidate(bytes: &[u8], from: usize) -> (usize, Option<usize>) {
    /// Eight bytes each `0x01`.
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    /// Eight bytes each `0x7F`.
    const LOW7: u64 = ONES * 0x7F;
    /// Eight bytes each `0x80`.
    const HIGH: u64 = ONES * 0x80;
    /// Bytes equal to `c` in `x`: the high bit of each such byte set.
    fn bytes_equal(x: u64, c: u8) -> u64 {
        let t = x ^ (ONES * u64::from(c));
        !(((t & LOW7) + LOW7) | t) & HIGH
    }
    let mut i = from;
    // nine bytes: each byte of the eight and the byte after it
    while let Some(chunk) = bytes.get(i..i + 9) {
        let mut word = [0u8; 8];
        word.copy_from_slice(&chunk[..8]);
        let x = u64::from_le_bytes(word);
        word.copy_from_slice(&chunk[1..]);
        let next = u64::from_le_bytes(word);
        let low = x & LOW7;
        // per byte (no carry crosses a byte): the low seven bits are at least 0x30, at
        // least 0x3A, at least 0x59
        let ge30 = low + ONES * 0x50;
        let ge3a = low + ONES * 0x46;
        let ge59 = low + ONES * 0x27;
        let digit = ge30 & !ge3a & !x;
        let vietnamese = bytes_equal(x, 0xE1) & bytes_equal(next & (ONES * 0xFE), 0xBA);
        let lead = ge59 & x & !vietnamese;
        let hits = (digit | lead) & HIGH;
        if hits != 0 {
            return (i, Some(i + (hits.trailing_zeros() / 8) as usize));
        }
        i += 8;
    }
    (i, None)
}

/// [`next_candidate`] sixteen bytes at a time with SSE2 (part of every x86-64 CPU).
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8,
        _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_xor_si128,
    };

    /// Bit `k` set: byte `k` of the first sixteen of `chunk` may start a digit.
    #[inline(always)]
    fn mask(chunk: &[u8; 17]) -> u32 {
        // SAFETY: SSE2 is part of every x86-64 CPU; both loads read sixteen of the seventeen
        // bytes of `chunk` and need no alignment.
        unsafe {
            let x = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            let next = _mm_loadu_si128(chunk.as_ptr().add(1).cast::<__m128i>());
            // ASCII digits: x - 0x30 below 10, compared signed after a shift by 0x80
            let shifted = _mm_add_epi8(x, _mm_set1_epi8(0x50));
            let digit = _mm_cmplt_epi8(shifted, _mm_set1_epi8(-128 + 10));
            // bytes 0xD9 and up: x ^ 0x80 above 0x58, compared signed
            let flipped = _mm_xor_si128(x, _mm_set1_epi8(-128));
            let lead = _mm_cmpgt_epi8(flipped, _mm_set1_epi8(0x58));
            // E1 followed by BA or BB
            let e1 = _mm_cmpeq_epi8(x, _mm_set1_epi8(0xE1_u8 as i8));
            let ba = _mm_cmpeq_epi8(
                _mm_and_si128(next, _mm_set1_epi8(0xFE_u8 as i8)),
                _mm_set1_epi8(0xBA_u8 as i8),
            );
            let vietnamese = _mm_and_si128(e1, ba);
            _mm_movemask_epi8(_mm_or_si128(digit, _mm_andnot_si128(vietnamese, lead))) as u32
        }
    }

    /// The candidate, or where the search stopped (fewer than seventeen bytes left).
    #[inline]
    pub(super) fn next_candidate(bytes: &[u8], from: usize) -> (usize, Option<usize>) {
        let mut i = from;
        // thirty-two bytes a step while thirty-three are left (each byte and the one after)
        while let Some(chunk) = bytes.get(i..i + 33) {
            let chunk: &[u8; 33] = chunk.try_into().expect("thirty-three bytes");
            let low: &[u8; 17] = chunk[..17].try_into().expect("seventeen bytes");
            let high: &[u8; 17] = chunk[16..].try_into().expect("seventeen bytes");
            let mask = mask(low) | mask(high) << 16;
            if mask != 0 {
                return (i, Some(i + mask.trailing_zeros() as usize));
            }
            i += 32;
        }
        // then sixteen bytes a step while seventeen are left
        while let Some(chunk) = bytes.get(i..i + 17) {
            let mask = mask(chunk.try_into().expect("seventeen bytes"));
            if mask != 0 {
                return (i, Some(i + mask.trailing_zeros() as usize));
            }
            i += 16;
        }
        (i, None)
    }
}

/// The flags of `c`, a member of a region (by the `member` regex): [`MEMBER`] and its classes.
fn member_flags(digit: &Regex, letter: &Regex, c: char) -> u8 {
    let s = c.encode_utf8(&mut [0; 4]).to_owned();
    let mut f = MEMBER;
    if digit.is_match(&s) {
        f |= DIGIT;
    }
    if letter.is_match(&s) {
        f |= LETTER;
    }
    if c.is_whitespace() {
        f |= SPACE;
    }
    f
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
        let mut digits = Vec::new();
        finder.find(text, &mut out, &mut digits);
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
        let digit_texts: Vec<&str> = digits.iter().map(|&d| &text[d..d + 1]).collect();
        // only the digits that start a number
        assert_eq!(digit_texts, ["5", "2", "1", "1"]);
        assert_eq!(digits, [14, 16, 26, 61]);
        assert_eq!(out[1].digits, (2, 3));
        out.clear();
        digits.clear();
        finder.find("a ٣ b ² c", &mut out, &mut digits);
        assert_eq!(out.len(), 1);
        assert_eq!(digits, [2]);
    }

    #[test]
    fn a_cue_needs_the_end_of_a_cue_word_then_space_then_a_digit_or_a_numeral() {
        let words = vec![
            "tháng".to_string(),
            "quý".to_string(),
            "những năm".to_string(),
        ];
        let finder = RegionFinder::new(&words).expect("finder");
        for (region, cue) in [
            ("THÁNG 5/2023", true),
            ("xTháng\u{a0}\u{2003}7", true),
            ("quý  II", true),
            ("QUÝ i", true),
            ("năm 1990", true),
            (" 12 ng", false),
            ("ng 12", false),
            ("áng 12", false),
            ("12 tháng", false),
            ("tháng-5", false),
            ("tháng, 5", false),
            ("quý V", false),
            ("5 6", false),
        ] {
            assert_eq!(finder.may_hold_cue(region), cue, "{region:?}");
        }
    }

    #[test]
    fn the_table_holds_the_classes_of_the_regexes() {
        let words = vec![
            "tháng".to_string(),
            "những năm".to_string(),
            "kỳ".to_string(),
        ];
        let finder = RegionFinder::new(&words).expect("finder");
        for c in (0..TABLE_SIZE).filter_map(char::from_u32) {
            assert_eq!(finder.flags(c), finder.flags_from_regexes(c), "{c:?}");
        }
    }

    #[test]
    fn the_byte_scan_stops_at_every_char_a_digit_may_start_with() {
        let finder = RegionFinder::new(&Vec::new()).expect("finder");
        for c in (0..TABLE_SIZE).filter_map(char::from_u32) {
            if finder.flags(c) & DIGIT == 0 {
                continue;
            }
            // the digit at every position of an eight-byte chunk, and in the tail
            for pad in 0..40 {
                let text = format!("{}{c}ấy ở", "ệ".repeat(pad / 3) + &"a".repeat(pad % 3));
                let at = text.find(c).expect("there");
                assert_eq!(next_candidate(text.as_bytes(), 0), Some(at), "{c:?} {pad}");
                let (stop, found) = swar_next_candidate(text.as_bytes(), 0);
                assert_eq!(
                    found.or_else(|| tail_candidate(text.as_bytes(), stop)),
                    Some(at),
                    "{c:?} {pad}"
                );
            }
        }
        assert_eq!(next_candidate("ấy ở ạ ă đ ư".as_bytes(), 0), None);
    }
}
