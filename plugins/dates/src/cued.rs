//! The simplest cued patterns, `(?i){words}\s+(\d{lo,hi})` (a year, decade, month or day
//! word, then a number), found without their regex.
//!
//! A match's number follows white space, so it starts a run of digits: one of the digits
//! [`crate::regions::RegionFinder::find`] lists. Read back from such a digit, the white
//! space before it is the whole run (a word ends with a letter), and each word ends there
//! at most one way. The words hold no digits, so the matches of the digits of a region come
//! in the order of their starts: the first digit (after the search's start) with a word
//! before it gives the leftmost match, at the leftmost start of its words (which word it is
//! does not change the groups).

use crate::fold::{Folder, Letters};
use crate::lexicon::alternation_order;
use crate::matches::Caps;
use crate::regions::RegionFinder;
use crate::scan::word_before;

/// `(?i){words}\s+(\d{lo,hi})` for some words.
#[derive(Debug)]
pub struct CuedNumber {
    folder: Folder,
    /// Each word as the numbers of its parts (split at white space).
    words: Vec<Vec<Vec<u8>>>,
    lo: usize,
    hi: usize,
}

impl CuedNumber {
    /// The matcher for `words` (numbered in `letters`) and `lo..=hi` digits; `None` when
    /// a word holds a digit-like char or cannot be numbered.
    pub fn new(words: &[String], letters: &Letters, lo: usize, hi: usize) -> Option<CuedNumber> {
        let words = alternation_order(words);
        if words.is_empty() || words.iter().any(|w| w.chars().any(char::is_numeric)) {
            return None;
        }
        let folder = letters.folder(words.iter().copied())?;
        let words = words
            .iter()
            .map(|w| w.split_whitespace().map(|p| folder.tail(p)).collect())
            .collect::<Option<Vec<Vec<Vec<u8>>>>>()?;
        Some(CuedNumber {
            folder,
            words,
            lo,
            hi,
        })
    }

    /// The leftmost match in `hay` starting at or after `pos`, as the regex's groups (0:
    /// the match, 1: the number; offsets in `text`, of which `hay` is a prefix):
    /// `Some(None)` for none, `None` when only the regex can tell. `digits`: the starts of
    /// the runs of digits of the region searched, in order.
    pub fn find_at<'t>(
        &self,
        finder: &RegionFinder,
        text: &'t str,
        hay: &str,
        digits: &[usize],
        pos: usize,
    ) -> Option<Option<Caps<'t>>> {
        let first = digits.partition_point(|&d| d <= pos);
        for &d in &digits[first..] {
            let mut n = 0;
            let mut end = d;
            while n < self.hi {
                let Some(len) = finder.digit_len(hay, end) else {
                    break;
                };
                end += len;
                n += 1;
            }
            if n < self.lo {
                continue;
            }
            let word_end = hay[..d].trim_end().len();
            if word_end == d {
                continue;
            }
            let mut best: Option<usize> = None;
            for w in &self.words {
                if let Some(s) = word_before(&self.folder, &hay[..word_end], w)? {
                    if s >= pos && best.is_none_or(|b| s < b) {
                        best = Some(s);
                    }
                }
            }
            if let Some(start) = best {
                let mut caps = Caps::new(text);
                caps.set(0, start, end);
                caps.set(1, d, end);
                return Some(Some(caps));
            }
        }
        Some(None)
    }
}
