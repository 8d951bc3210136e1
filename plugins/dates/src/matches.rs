//! Matches as the scanner's candidate rules read them, and hand-written matchers for the
//! purely numeric patterns.
//!
//! The numeric patterns (`28-4-2023`, `14-4`, `2016-2021`, a bare `18` or `2012`) hold
//! no cue word, so they would be searched at every digit; here they are matched by hand,
//! exactly as the regexes `(\d{1,2})([-/.])(\d{1,2})([-/.])(\d{4}|\d{2})`,
//! `(\d{1,2})([-/.])(\d{1,2})`, `(\d{4})\s*[-–—]\s*(\d{4})`, `\d{1,2}` and `\d{4}` would
//! (leftmost-first, `\d` any decimal digit, `\s` any white space), which the tests check.

use crate::regions::{Region, RegionFinder};
use regex::CaptureLocations;

/// The most groups a candidate pattern has, the whole match included.
const GROUPS: usize = 8;

/// One group of a match: bytes `start..end` of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span<'t> {
    text: &'t str,
    start: usize,
    end: usize,
}

impl<'t> Span<'t> {
    /// Byte offset of its first char.
    pub fn start(&self) -> usize {
        self.start
    }

    /// Byte offset after its last char.
    pub fn end(&self) -> usize {
        self.end
    }

    /// The text of the group.
    pub fn as_str(&self) -> &'t str {
        &self.text[self.start..self.end]
    }
}

/// Marks a group that did not take part in a match.
const NONE: (usize, usize) = (usize::MAX, usize::MAX);

/// The groups of one match (group 0: the whole match), as byte offsets ([`NONE`] for a
/// group that did not take part).
#[derive(Debug, Clone)]
pub struct Caps<'t> {
    text: &'t str,
    spans: [(usize, usize); GROUPS],
}

impl<'t> Caps<'t> {
    pub(crate) fn new(text: &'t str) -> Caps<'t> {
        Caps {
            text,
            spans: [NONE; GROUPS],
        }
    }

    /// The groups of a regex match read into `locs` (`text` is its haystack).
    pub fn from_locations(text: &'t str, locs: &CaptureLocations) -> Caps<'t> {
        let mut caps = Caps::new(text);
        for (i, slot) in caps.spans.iter_mut().enumerate().take(locs.len()) {
            if let Some(span) = locs.get(i) {
                *slot = span;
            }
        }
        caps
    }

    pub(crate) fn set(&mut self, i: usize, start: usize, end: usize) {
        self.spans[i] = (start, end);
    }

    /// Group `i`, if it took part in the match.
    pub fn get(&self, i: usize) -> Option<Span<'t>> {
        let &(start, end) = self.spans.get(i)?;
        (start != usize::MAX).then_some(Span {
            text: self.text,
            start,
            end,
        })
    }
}

/// A numeric pattern matched by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numeric {
    /// `(\d{1,2})([-/.])(\d{1,2})([-/.])(\d{4}|\d{2})`
    Full,
    /// `(\d{1,2})([-/.])(\d{1,2})`
    DayMonth,
    /// `(\d{4})\s*[-–—]\s*(\d{4})`
    YearRange,
    /// `\d{1,2}`
    BareDay,
    /// `\d{4}`
    BareYear,
}

/// Reads chars of `text` up to byte `end`.
struct Cursor<'t, 'd> {
    text: &'t str,
    end: usize,
    digits: &'d RegionFinder,
}

impl Cursor<'_, '_> {
    /// The char at byte `i` (before `end`).
    #[inline]
    fn char_at(&self, i: usize) -> Option<char> {
        if i >= self.end {
            return None;
        }
        self.text[i..].chars().next()
    }

    /// The end of the run of at most `max` digits at byte `i`, and how many there are.
    #[inline]
    fn digits(&self, i: usize, max: usize) -> (usize, usize) {
        let mut j = i;
        let mut n = 0;
        while n < max && j < self.end {
            match self.digits.digit_len(self.text, j) {
                Some(len) => {
                    j += len;
                    n += 1;
                }
                None => break,
            }
        }
        (j, n)
    }

    /// `\d{1,2}` at `i`: its end.
    #[inline]
    fn day(&self, i: usize) -> Option<usize> {
        let (j, n) = self.digits(i, 2);
        (n > 0).then_some(j)
    }

    /// `\d{4}` at `i`: its end.
    #[inline]
    fn year(&self, i: usize) -> Option<usize> {
        let (j, n) = self.digits(i, 4);
        (n == 4).then_some(j)
    }

    /// One char of `set` at `i`: its end.
    #[inline]
    fn one_of(&self, i: usize, set: &[char]) -> Option<usize> {
        self.char_at(i)
            .filter(|c| set.contains(c))
            .map(|c| i + c.len_utf8())
    }

    /// `\s*` at `i`: its end.
    #[inline]
    fn spaces(&self, mut i: usize) -> usize {
        while let Some(c) = self.char_at(i).filter(|c| c.is_whitespace()) {
            i += c.len_utf8();
        }
        i
    }
}

/// Separators of day, month and year.
const SEPARATORS: [char; 3] = ['-', '/', '.'];
/// Dashes between two years.
const DASHES: [char; 3] = ['-', '–', '—'];

impl Numeric {
    /// Whether the pattern may match in `region`: the two-part and three-part dates need a
    /// separator after the region's first digit (where every match starts), the years four
    /// digits in a row.
    #[inline]
    pub fn may_match_in(self, region: &Region) -> bool {
        match self {
            Numeric::Full | Numeric::DayMonth => region.separator,
            Numeric::YearRange | Numeric::BareYear => region.four_digits,
            Numeric::BareDay => true,
        }
    }

    /// The match anchored at byte `i` (a digit), with its groups (built only for a match).
    #[inline]
    fn anchored<'t>(self, cur: &Cursor<'t, '_>, i: usize) -> Option<Caps<'t>> {
        let mut caps = Caps::new(cur.text);
        let end = match self {
            // `\d{1,2}` before a separator: backing off to one digit leaves a digit where
            // the separator should be, so the greedy choice is the only one
            Numeric::Full | Numeric::DayMonth => {
                let a = cur.day(i)?;
                let s1 = cur.one_of(a, &SEPARATORS)?;
                let b = cur.day(s1)?;
                let full = if self == Numeric::DayMonth {
                    None
                } else {
                    let s2 = cur.one_of(b, &SEPARATORS)?;
                    let (four, n) = cur.digits(s2, 4);
                    let y = if n == 4 {
                        four
                    } else {
                        let (two, n) = cur.digits(s2, 2);
                        if n < 2 {
                            return None;
                        }
                        two
                    };
                    Some((s2, y))
                };
                caps.set(1, i, a);
                caps.set(2, a, s1);
                caps.set(3, s1, b);
                match full {
                    None => b,
                    Some((s2, y)) => {
                        caps.set(4, b, s2);
                        caps.set(5, s2, y);
                        y
                    }
                }
            }
            // `\s*` before a dash cannot give back a space to the dash
            Numeric::YearRange => {
                let a = cur.year(i)?;
                let d = cur.one_of(cur.spaces(a), &DASHES)?;
                let b0 = cur.spaces(d);
                let b = cur.year(b0)?;
                caps.set(1, i, a);
                caps.set(2, b0, b);
                b
            }
            Numeric::BareDay => cur.day(i)?,
            Numeric::BareYear => cur.year(i)?,
        };
        caps.set(0, i, end);
        Some(caps)
    }

    /// The leftmost match starting at or after byte `pos` and ending by byte `end`, tried
    /// only at the offsets in `digits` (in order; offsets before `pos` are skipped): every
    /// decimal digit gives the regex's answer, the scanner passes only the digits that
    /// start a number.
    #[inline]
    pub fn find_at<'t>(
        self,
        finder: &RegionFinder,
        text: &'t str,
        digits: &[usize],
        pos: usize,
        end: usize,
    ) -> Option<Caps<'t>> {
        let cur = Cursor {
            text,
            end,
            digits: finder,
        };
        let from = digits.partition_point(|&d| d < pos);
        digits[from..]
            .iter()
            .take_while(|&&d| d < end)
            .find_map(|&d| self.anchored(&cur, d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    /// Every match, in order, retrying one char after each match start (as the scanner
    /// does when a rule rejects a match): (start, end) of each group.
    fn all_regex(re: &Regex, text: &str) -> Vec<Vec<Option<(usize, usize)>>> {
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some(c) = re.captures_at(text, pos) {
            let m = c.get(0).expect("match");
            out.push(c.iter().map(|g| g.map(|g| (g.start(), g.end()))).collect());
            pos = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8);
        }
        out
    }

    fn all_numeric(
        n: Numeric,
        groups: usize,
        finder: &RegionFinder,
        text: &str,
    ) -> Vec<Vec<Option<(usize, usize)>>> {
        let mut out = Vec::new();
        let mut pos = 0;
        let digits: Vec<usize> = text
            .char_indices()
            .filter(|&(i, _)| finder.digit_len(text, i).is_some())
            .map(|(i, _)| i)
            .collect();
        while let Some(c) = n.find_at(finder, text, &digits, pos, text.len()) {
            let m = c.get(0).expect("match");
            out.push(
                (0..groups)
                    .map(|i| c.get(i).map(|g| (g.start, g.end)))
                    .collect(),
            );
            pos = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8);
        }
        out
    }

    #[test]
    fn numeric_matchers_agree_with_the_regexes() {
        let finder = RegionFinder::new(&Vec::new()).expect("finder");
        let rules = [
            (
                Numeric::Full,
                r"(\d{1,2})([-/.])(\d{1,2})([-/.])(\d{4}|\d{2})",
            ),
            (Numeric::DayMonth, r"(\d{1,2})([-/.])(\d{1,2})"),
            (Numeric::YearRange, r"(\d{4})\s*[-–—]\s*(\d{4})"),
            (Numeric::BareDay, r"\d{1,2}"),
            (Numeric::BareYear, r"\d{4}"),
        ];
        let texts = [
            "28-4-2023, 28/4/2023 và 28.4.2023; 31/05/13 10:48; 1-2-123 x 123-4-56789",
            "Sáng 14-4, 1/12 và 123/45/6; 3.4.5; 2016-2021, 2016 – 2021, 2016\u{a0}—\u{a0}2021",
            "20162-20213 1999 -2000 2000- 1999 2001 —  x 12345678 ٣٣-٣-٣٣٣٣ 1٣/2 ²³ 7",
            "",
            "5",
            "12-",
            "12-3-4",
            "12.03.2",
            "2020-",
            "1-1-1970-2",
            "x 123 ab 12 345 1234 ٣٣٣٣ 12٣4 5 – 6 7/8 9.",
        ];
        for (n, pattern) in rules {
            let re = Regex::new(pattern).expect("regex");
            let groups = re.captures_len();
            for text in texts {
                // a region ruled out for the pattern holds no match of it
                let (mut regions, mut digits) = (Vec::new(), Vec::new());
                finder.find(text, &mut regions, &mut digits);
                for r in regions.iter().filter(|r| !n.may_match_in(r)) {
                    let region = &text[r.start..r.end];
                    assert!(!re.is_match(region), "{n:?} in {region:?}");
                }
                assert_eq!(
                    all_numeric(n, groups, &finder, text),
                    all_regex(&re, text),
                    "{n:?} on {text:?}"
                );
            }
        }
    }
}
