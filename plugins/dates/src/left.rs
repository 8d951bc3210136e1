//! The cue right before a day-month, found without the scanner's `left_token` regex:
//!
//! ```text
//! (?i)(?:(?P<time>(?P<h>\d{1,2})(?:\s*{hour}(?:\s*(?P<m>\d{1,2})(?:\s*{minute})?)?|:(?P<m2>\d{2})))
//!       |(?P<day>{day})|(?P<pod>{pod})(?:\s+(?P<suf>{suf}))?|(?P<rel>{rel_day})|(?P<wd>{weekday}))
//!    (?P<sep>\s*,?\s*\(?\s*)$
//! ```
//!
//! A search of that regex finds the leftmost start from which it matches up to the end of
//! the window, then the first alternative (in the order written) that matches from there.
//! Read backwards it is simple:
//! - no word ends with white space, `,` or `(`, nor does a number, so the token ends where
//!   those end the window (the rest is the separator, which must have its shape);
//! - each word ends the token at most one way (white space inside a word takes the whole
//!   run, as `\s+` before a letter must), so each word gives at most one start;
//! - the hour and minute words are single words without digits or `:`, so a clock time
//!   reads back one way: its trailing digits are the minutes (or the hour, before an hour
//!   word), and the hour takes the two digits before its hour word or `:` when there are
//!   two (the leftmost start).
//!
//! So the token is found by comparing each word with the end of the text, backwards, as
//! the [`Folder`] numbers their letters (`None` when a char beyond its table leaves the
//! answer to the regex).

use crate::fold::{Folder, Letters};
use crate::lexicon::{alternation_order, Lexicon};
use crate::regions::RegionFinder;
use crate::scan::word_before;

/// The token the regex matches at the end of a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftToken<'w> {
    /// Byte offset of its start in the window.
    pub start: usize,
    /// Which alternative matched.
    pub kind: TokenKind<'w>,
    /// Whether the separator after it holds `(`.
    pub paren: bool,
}

/// The alternatives of the regex, with the groups the scanner reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind<'w> {
    /// A clock time: its hour and minute digits (group `m`, or `m2` after a colon).
    Time { h: &'w str, m: Option<&'w str> },
    /// A day word.
    Day,
    /// A part-of-day word (its text), and whether a relative suffix follows it.
    PartOfDay { word: &'w str, suffix: bool },
    /// A relative day.
    Relative,
    /// A weekday.
    Weekday,
}

/// A word as the numbers of its parts (split at white space).
type Word = Vec<Vec<u8>>;

/// Some words, and which of them end with each letter.
#[derive(Debug)]
struct Words {
    words: Vec<Word>,
    /// By number of a letter: the indices of the words ending with it, in order.
    by_last: Vec<Vec<usize>>,
    /// Every index, for a char beyond the table.
    all: Vec<usize>,
}

impl Words {
    fn new(words: Vec<Word>) -> Words {
        let mut by_last = vec![Vec::new(); 256];
        for (i, w) in words.iter().enumerate() {
            if let Some(&n) = w.last().and_then(|p| p.last()) {
                by_last[usize::from(n)].push(i);
            }
        }
        Words {
            all: (0..words.len()).collect(),
            words,
            by_last,
        }
    }
}

/// The word lists of the regex, numbered.
#[derive(Debug)]
pub struct LeftMatcher {
    folder: Folder,
    day: Words,
    /// In the order the regex tries them (it decides which word a part of day is).
    part_of_day: Words,
    suffix: Words,
    relative: Words,
    weekday: Words,
    /// Single words.
    hour: Words,
    minute: Words,
}

/// The leftmost of two optional starts.
fn leftmost(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        _ => a.or(b),
    }
}

impl LeftMatcher {
    /// The matcher for the words of `lex` (numbered in `letters`); `None` when the words
    /// break the assumptions of the module docs or cannot be numbered.
    pub fn new(lex: &Lexicon, letters: &Letters) -> Option<LeftMatcher> {
        let day = alternation_order(&lex.day_words);
        let part_of_day = alternation_order(lex.part_of_day.keys());
        let suffix = alternation_order(lex.relative_suffixes.keys());
        let relative = alternation_order(lex.relative_days.keys());
        let weekday = alternation_order(&lex.weekdays);
        let hour = alternation_order(&lex.hour_words);
        let minute = alternation_order(&lex.minute_words);
        let lists = [
            &day,
            &part_of_day,
            &suffix,
            &relative,
            &weekday,
            &hour,
            &minute,
        ];
        let all = || lists.iter().flat_map(|l| l.iter().copied());
        if all().any(|w| w.ends_with([',', '('])) {
            return None;
        }
        let clock_word = |w: &&str| {
            !w.chars()
                .any(|c| c.is_whitespace() || c.is_numeric() || c == ':')
        };
        if !hour.iter().chain(&minute).all(clock_word) {
            return None;
        }
        let folder = letters.folder(all())?;
        let number = |words: &[&str]| -> Option<Words> {
            words
                .iter()
                .map(|w| w.split_whitespace().map(|p| folder.tail(p)).collect())
                .collect::<Option<Vec<Word>>>()
                .map(Words::new)
        };
        Some(LeftMatcher {
            day: number(&day)?,
            part_of_day: number(&part_of_day)?,
            suffix: number(&suffix)?,
            relative: number(&relative)?,
            weekday: number(&weekday)?,
            hour: number(&hour)?,
            minute: number(&minute)?,
            folder,
        })
    }

    /// The indices of the words of `words` that may end `text` (from its last char alone),
    /// in order.
    #[inline]
    fn candidates<'a>(&self, text: &str, words: &'a Words) -> &'a [usize] {
        match text.chars().next_back().map(|c| self.folder.number_of(c)) {
            None => &[],
            Some(None) => &words.all,
            Some(Some(n)) => &words.by_last[usize::from(n)],
        }
    }

    /// The words of `words` that end `text`, each with its start and index; `None` when
    /// only the regex can tell.
    fn ends<'a>(
        &'a self,
        text: &'a str,
        words: &'a Words,
    ) -> impl Iterator<Item = Option<(usize, usize)>> + 'a {
        self.candidates(text, words).iter().filter_map(move |&i| {
            match word_before(&self.folder, text, &words.words[i]) {
                None => Some(None),
                Some(found) => found.map(|s| Some((s, i))),
            }
        })
    }

    /// The leftmost start of a word of `words` ending `text`; `None` when only the regex
    /// can tell.
    fn word_start(&self, text: &str, words: &Words) -> Option<Option<usize>> {
        let mut best = None;
        for found in self.ends(text, words) {
            best = leftmost(best, Some(found?.0));
        }
        Some(best)
    }

    /// What `left_token` matches at the end of `window`: `Some(None)` for no match,
    /// `None` when only the regex can tell. `digits` tells the decimal digits (`\d`).
    pub fn find<'w>(
        &self,
        digits: &RegionFinder,
        window: &'w str,
    ) -> Option<Option<LeftToken<'w>>> {
        let t = window.trim_end_matches(|c: char| c.is_whitespace() || c == ',' || c == '(');
        let end = t.len();
        let Some(paren) = separator(&window[end..]) else {
            return Some(None);
        };
        if end == 0 {
            return Some(None);
        }
        // the start of the digit ending at byte `e` of `t`
        let digit_before = |e: usize| -> Option<usize> {
            let c = t[..e].chars().next_back()?;
            let at = e - c.len_utf8();
            digits.digit_len(t, at).map(|_| at)
        };
        // the start of an hour (one or two digits) ending at `e`
        let hour_digits = |e: usize| digit_before(e).map(|a| digit_before(a).unwrap_or(a));
        let trim = |e: usize| t[..e].trim_end().len();
        // `h \s* hour` ending at `e`: (start, end of h) of the leftmost
        let hour_word = |e: usize| -> Option<Option<(usize, usize)>> {
            let mut best: Option<(usize, usize)> = None;
            for found in self.ends(&t[..e], &self.hour) {
                let (x, _) = found?;
                let h_end = trim(x);
                if let Some(s) = hour_digits(h_end) {
                    if best.is_none_or(|(b, _)| s < b) {
                        best = Some((s, h_end));
                    }
                }
            }
            Some(best)
        };
        // `h \s* hour \s* m` with `m` (one or two digits, not glued to a third) ending at `e`
        let with_minutes = |e: usize| -> Option<Option<(usize, usize, usize)>> {
            let Some(last) = digit_before(e) else {
                return Some(None);
            };
            let m = digit_before(last).unwrap_or(last);
            if digit_before(m).is_some() {
                return Some(None);
            }
            Some(hour_word(trim(m))?.map(|(s, h_end)| (s, h_end, m)))
        };
        // the clock time: (start, hour, minutes) of the leftmost
        let mut time: Option<(usize, &str, Option<&str>)> = None;
        let mut keep = |s: usize, h: &'w str, m: Option<&'w str>| {
            if time.is_none_or(|(b, _, _)| s < b) {
                time = Some((s, h, m));
            }
        };
        // `h hour m minute`
        for found in self.ends(t, &self.minute) {
            let y = trim(found?.0);
            if let Some((s, h_end, m)) = with_minutes(y)? {
                keep(s, &t[s..h_end], Some(&t[m..y]));
            }
        }
        // `h hour m`, `h:m2`
        if let Some((s, h_end, m)) = with_minutes(end)? {
            keep(s, &t[s..h_end], Some(&t[m..end]));
        }
        if let Some(a) = digit_before(end).and_then(digit_before) {
            if a > 0 && t.as_bytes()[a - 1] == b':' {
                if let Some(s) = hour_digits(a - 1) {
                    keep(s, &t[s..a - 1], Some(&t[a..end]));
                }
            }
        }
        // `h hour`
        if let Some((s, h_end)) = hour_word(end)? {
            keep(s, &t[s..h_end], None);
        }
        let day = self.word_start(t, &self.day)?;
        // the part of day: (start, its index in the regex's order, its end, suffix)
        let mut pod: Option<(usize, usize, usize, bool)> = None;
        let mut suffixes = Vec::new();
        for found in self.ends(t, &self.suffix) {
            let x = found?.0;
            let y = trim(x);
            if y < x {
                suffixes.push(y);
            }
        }
        let mut keep_pod = |s: usize, i: usize, e: usize, suf: bool| {
            if pod.is_none_or(|(b, j, _, _)| (s, i) < (b, j)) {
                pod = Some((s, i, e, suf));
            }
        };
        for found in self.ends(t, &self.part_of_day) {
            let (s, i) = found?;
            keep_pod(s, i, end, false);
        }
        for &y in &suffixes {
            for found in self.ends(&t[..y], &self.part_of_day) {
                let (s, i) = found?;
                keep_pod(s, i, y, true);
            }
        }
        let relative = self.word_start(t, &self.relative)?;
        let weekday = self.word_start(t, &self.weekday)?;
        let starts = [time.map(|x| x.0), day, pod.map(|x| x.0), relative, weekday];
        let Some(start) = starts.iter().flatten().min().copied() else {
            return Some(None);
        };
        let kind = if let Some((_, h, m)) = time.filter(|x| x.0 == start) {
            TokenKind::Time { h, m }
        } else if day == Some(start) {
            TokenKind::Day
        } else if let Some((_, _, e, suffix)) = pod.filter(|x| x.0 == start) {
            TokenKind::PartOfDay {
                word: &t[start..e],
                suffix,
            }
        } else if relative == Some(start) {
            TokenKind::Relative
        } else {
            TokenKind::Weekday
        };
        Some(Some(LeftToken { start, kind, paren }))
    }
}

/// Whether `tail` has the shape of the separator, `\s*,?\s*\(?\s*`, and if so whether it
/// holds `(`.
fn separator(tail: &str) -> Option<bool> {
    let s = tail.trim_start();
    let s = s.strip_prefix(',').unwrap_or(s).trim_start();
    let (s, paren) = match s.strip_prefix('(') {
        Some(rest) => (rest, true),
        None => (s, false),
    };
    s.trim_start().is_empty().then_some(paren)
}
