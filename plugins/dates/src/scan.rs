//! Finding date expressions: candidates, their cue words, and how they combine.
//!
//! The scan runs in three steps.
//! 1. **Candidates.** Each numeric or lexical form is matched on its own: full dates
//!    (`28-4-2023`, `28/4/2023`, `28.4.2023`, `ngày 28 tháng 4 năm 2023`, page stamps
//!    `31/05/13 10:48`), day-months (`14-4`), month-years (`tháng 5/2023`), quarters,
//!    years after a year word (`năm 2024`), spans of years (`2016-2021`), decades,
//!    and weak pieces that only count when something links them to a real date: a
//!    day after "ngày" (`ngày 18`), a bare small number, a bare month (`tháng 8`), a
//!    bare year (`2012`). A number glued to letters, to another number or to a code
//!    (`53-KL/TW`, `Covid-19`, `0912011882`, `99,46%`) is never a candidate.
//! 2. **Cues.** A day-month is only a date when a cue stands right before it: the
//!    day word, a part of the day (`Sáng 14-4`), a relative day (`hôm nay (16-1)`,
//!    `Chiều qua, 25-5`), a weekday, or a clock time with one of those (`19 giờ ngày
//!    15/3`). Without one (`thắng 2-1`, `15-30 phút`) it stays weak. Cue words are
//!    taken into the expression's span.
//! 3. **Links.** Neighbouring candidates joined by "từ … đến/tới …" or a dash become
//!    one interval; joined by a comma, "và" or "hoặc" they lend each other what they
//!    lack (`tháng 8 và tháng 9.2010`, `ngày 14, 15 và 16/4`, `các năm 2009, 2010 và
//!    2011`). Weak candidates nothing linked are dropped.
//!
//! Years are not inferred here: a day-month keeps `year: None` for [`crate::resolve`].

use crate::cued::CuedNumber;
use crate::fold::{Folder, Letters};
use crate::left::{LeftMatcher, LeftToken, TokenKind};
use crate::lexicon::{alternation, key, Lexicon, Unit};
use crate::matches::{Caps, Numeric, Span};
use crate::regions::{Region, RegionFinder};
use crate::text::{before, char_after, char_before};
use regex::{CaptureLocations, Captures, Regex};
use std::collections::HashMap;

/// A calendar point as written, possibly without its year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Partial {
    /// The year, when the expression (or one linked to it) writes it.
    pub year: Option<i32>,
    /// 1..=12.
    pub month: Option<u8>,
    /// 1..=31.
    pub day: Option<u8>,
    /// Hour and minute of a clock time.
    pub time: Option<(u8, u8)>,
    /// UTC offset written with the time (`GMT+7` -> `+07:00`).
    pub offset: Option<String>,
}

/// What an expression denotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A year, month, day or minute.
    Point(Partial),
    /// From one point to another, inclusive.
    Interval(Partial, Partial),
    /// A quarter of a year (1..=4).
    Quarter {
        /// The year.
        year: i32,
        /// 1..=4.
        quarter: u8,
    },
    /// The ten years from `year` (a multiple of ten).
    Decade {
        /// The first year.
        year: i32,
    },
    /// A period named relative to the reference date ("hôm qua", "tuần trước").
    Relative {
        /// Its unit.
        unit: Unit,
        /// Units from the reference.
        offset: i32,
    },
}

/// One date expression found in a text. Offsets are bytes; [`crate::resolve`]
/// turns them into chars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// Byte offset of the first char of the expression (cue words included).
    pub start: usize,
    /// Byte offset just after it.
    pub end: usize,
    /// What it denotes.
    pub kind: Kind,
    /// `part_of_day` value from the lexicon ("morning"), when a part-of-day word cues it.
    pub part_of_day: Option<String>,
    /// Whether it counts as a date on its own (see the module docs).
    pub strong: bool,
    /// A bare number (day or year) that only a link can make a date.
    pub bare: bool,
    /// For an interval: the byte spans of its two ends, so that it can be split.
    pub parts: Option<[(usize, usize); 2]>,
}

impl Mention {
    fn point(start: usize, end: usize, p: Partial, strong: bool) -> Mention {
        Mention {
            start,
            end,
            kind: Kind::Point(p),
            part_of_day: None,
            strong,
            bare: false,
            parts: None,
        }
    }

    fn partial(&self) -> Option<&Partial> {
        match &self.kind {
            Kind::Point(p) => Some(p),
            _ => None,
        }
    }

    fn family(&self) -> Option<Family> {
        self.partial().and_then(Partial::family)
    }
}

/// What a point pins down, for linking like with like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// A day without its month ("ngày 18").
    DayOnly,
    /// A day of a month, with or without the year.
    Day,
    /// A month, with or without the year.
    Month,
    /// A year.
    Year,
}

impl Partial {
    fn family(&self) -> Option<Family> {
        match (self.day, self.month, self.year) {
            (Some(_), None, _) => Some(Family::DayOnly),
            (Some(_), Some(_), _) => Some(Family::Day),
            (None, Some(_), _) => Some(Family::Month),
            (None, None, Some(_)) => Some(Family::Year),
            _ => None,
        }
    }

    /// Comparable (year, month, day) key; missing parts count as 0.
    fn order(&self) -> (i32, u8, u8) {
        (
            self.year.unwrap_or(0),
            self.month.unwrap_or(0),
            self.day.unwrap_or(0),
        )
    }
}

/// The result of a scan.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    /// The date expressions, in text order, not overlapping.
    pub mentions: Vec<Mention>,
    /// Bare years right after a capitalised word ("ASEAN 2020", "Ất Tỵ 2025"), which
    /// are not dates in their own right but tell which year a nearby day-month is in:
    /// (byte offset, year).
    pub named_years: Vec<(usize, i32)>,
}

/// Days in `month` of a leap year: the most a day-month without its year may have.
fn max_day(month: u8) -> u8 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn valid_day_month(day: u32, month: u32) -> bool {
    (1..=12).contains(&month) && day >= 1 && day <= u32::from(max_day(month as u8))
}

fn valid_date(year: i32, month: u32, day: u32) -> bool {
    valid_day_month(day, month)
        && i16::try_from(year)
            .is_ok_and(|y| jiff::civil::Date::new(y, month as i8, day as i8).is_ok())
}

/// `+HH:MM` from an offset as written: `+7`, `+07`, `+0700`, `+07:00`, `-3:30`.
pub fn parse_offset(s: &str) -> Option<String> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let (sign, rest) = match s.chars().next()? {
        '+' => ('+', &s[1..]),
        '-' => ('-', &s[1..]),
        _ => return None,
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() > 2 => rest.split_at(rest.len() - 2),
        None => (rest, "0"),
    };
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    (h <= 14 && m < 60 && !h.to_string().is_empty()).then(|| format!("{sign}{h:02}:{m:02}"))
}

fn num(c: &Caps<'_>, i: usize) -> Option<u32> {
    c.get(i).and_then(|m| m.as_str().parse().ok())
}

fn roman_quarter(s: &str) -> Option<u8> {
    match s.to_ascii_uppercase().as_str() {
        "I" | "1" => Some(1),
        "II" | "2" => Some(2),
        "III" | "3" => Some(3),
        "IV" | "4" => Some(4),
        _ => None,
    }
}

/// No letter or digit glued before `start`, and no code-like joiner either
/// (`53-KL`, `x/12`, `1.200`, `99,46`).
fn clean_left(text: &str, start: usize) -> bool {
    match char_before(text, start) {
        None => true,
        Some(c) if c.is_alphanumeric() => false,
        Some(c) if matches!(c, '-' | '/' | '–') => {
            !char_before(text, start - c.len_utf8()).is_some_and(char::is_alphanumeric)
        }
        Some(c) if matches!(c, '.' | ',' | ':') => {
            !char_before(text, start - c.len_utf8()).is_some_and(|d| d.is_ascii_digit())
        }
        _ => true,
    }
}

/// No letter, digit or `%` glued after `end`, and no code-like continuation
/// (`2662-NQ`, `12/2023/QH15`, `1.5.2`, `99,46`, `12:50` after a bare number).
fn clean_right(text: &str, end: usize) -> bool {
    match char_after(text, end) {
        None => true,
        Some(c) if c.is_alphanumeric() || c == '%' => false,
        Some(c) if matches!(c, '-' | '/' | '–') => {
            !char_after(text, end + c.len_utf8()).is_some_and(char::is_alphanumeric)
        }
        Some(c) if matches!(c, '.' | ',' | ':') => {
            !char_after(text, end + c.len_utf8()).is_some_and(|d| d.is_ascii_digit())
        }
        _ => true,
    }
}

/// A match that starts a word (`word_start`) and ends cleanly (`clean_right`).
fn standalone(text: &str, m: Span<'_>) -> bool {
    word_start(text, m.start()) && clean_right(text, m.end())
}

/// A match with clean edges on both sides (`clean_left`, `clean_right`).
fn clean_edges(text: &str, m: Span<'_>) -> bool {
    clean_left(text, m.start()) && clean_right(text, m.end())
}

/// Run `f` on every match of `re`, retrying one char further when `f` rejects a
/// match, so that a rejected match never hides an overlapping good one.
fn each_match<'t>(re: &Regex, text: &'t str, mut f: impl FnMut(&Captures<'t>) -> bool) {
    let mut pos = 0;
    while pos <= text.len() {
        let Some(c) = re.captures_at(text, pos) else {
            break;
        };
        let Some(m) = c.get(0) else { break };
        let step = char_after(text, m.start()).map_or(1, char::len_utf8);
        pos = if f(&c) && m.end() > m.start() {
            m.end()
        } else {
            m.start() + step
        };
    }
}

/// [`each_match`] over the [`Region`]s of a text where cued pattern number `cued` may match
/// (see [`RegionFinder::cues`]): the same matches, in the same order, as a search of the
/// whole text, for the patterns the regions are made for.
fn each_match_in<'t>(
    re: &Regex,
    text: &'t str,
    regions: &[Region],
    cued: usize,
    mut f: impl FnMut(&Caps<'t>) -> bool,
) {
    let mut pos = 0;
    // one set of capture slots for every search (made at the first)
    let mut locs = None;
    for r in regions.iter().filter(|r| r.cued & (1 << cued) != 0) {
        let hay = &text[..r.end];
        pos = pos.max(r.start);
        let locs = locs.get_or_insert_with(|| re.capture_locations());
        // no match starts after the region's last cue word
        while pos < r.cue_end {
            let Some(m) = re.captures_read_at(locs, hay, pos) else {
                break;
            };
            let step = char_after(text, m.start()).map_or(1, char::len_utf8);
            pos = if f(&Caps::from_locations(text, locs)) && m.end() > m.start() {
                m.end()
            } else {
                m.start() + step
            };
        }
    }
}

impl Scanner {
    /// [`each_match_in`] for a numeric pattern matched by hand, tried only where a number
    /// starts ([`Region::digits`]): `f` must reject, with no effect, a match glued to a
    /// digit on its left (as `clean_left` does), which a search from any digit would find.
    fn each_numeric<'t>(
        &self,
        n: Numeric,
        text: &'t str,
        regions: &[Region],
        digits: &[usize],
        mut f: impl FnMut(&Caps<'t>) -> bool,
    ) {
        let mut pos = 0;
        for r in regions.iter().filter(|r| n.may_match_in(r)) {
            pos = pos.max(r.start);
            let digits = &digits[r.digits.0..r.digits.1];
            while pos <= r.end {
                let Some(c) = n.find_at(&self.regions, text, digits, pos, r.end) else {
                    break;
                };
                let Some(m) = c.get(0) else { break };
                let step = char_after(text, m.start()).map_or(1, char::len_utf8);
                pos = if f(&c) && m.end() > m.start() {
                    m.end()
                } else {
                    m.start() + step
                };
            }
        }
    }
}

impl Scanner {
    /// [`each_match_in`] for a pattern that `matcher` also finds (by hand where it can
    /// tell, by `re` where only the regex can).
    #[allow(clippy::too_many_arguments)]
    fn each_cued<'t>(
        &self,
        matcher: Option<&CuedNumber>,
        re: &Regex,
        text: &'t str,
        regions: &[Region],
        digits: &[usize],
        cued: usize,
        mut f: impl FnMut(&Caps<'t>) -> bool,
    ) {
        let Some(matcher) = matcher else {
            return each_match_in(re, text, regions, cued, f);
        };
        let mut pos = 0;
        let mut locs = None;
        for r in regions.iter().filter(|r| r.cued & (1 << cued) != 0) {
            let hay = &text[..r.end];
            pos = pos.max(r.start);
            let ds = &digits[r.digits.0..r.digits.1];
            while pos < r.cue_end {
                let found = match matcher.find_at(&self.regions, text, hay, ds, pos) {
                    Some(found) => found,
                    None => {
                        let locs = locs.get_or_insert_with(|| re.capture_locations());
                        re.captures_read_at(locs, hay, pos)
                            .map(|_| Caps::from_locations(text, locs))
                    }
                };
                let Some(c) = found else {
                    break;
                };
                let Some(m) = c.get(0) else { break };
                let step = char_after(text, m.start()).map_or(1, char::len_utf8);
                pos = if f(&c) && m.end() > m.start() {
                    m.end()
                } else {
                    m.start() + step
                };
            }
        }
    }
}

/// What the words before a day-month said.
#[derive(Debug, Default)]
struct LeftCues {
    start: usize,
    cued: bool,
    part_of_day: Option<String>,
    time: Option<(u8, u8)>,
    paren: bool,
}

/// Bit number of `dm_text` in [`Region::cued`] (see [`cue_words`]).
const CUED_DM_TEXT: usize = 0;
/// Bit number of `month_year` in [`Region::cued`] (see [`cue_words`]).
const CUED_MONTH_YEAR: usize = 1;
/// Bit number of `month_only` in [`Region::cued`] (see [`cue_words`]).
const CUED_MONTH_ONLY: usize = 2;
/// Bit number of `quarter` in [`Region::cued`] (see [`cue_words`]).
const CUED_QUARTER: usize = 3;
/// Bit number of `year` in [`Region::cued`] (see [`cue_words`]).
const CUED_YEAR: usize = 4;
/// Bit number of `decade` in [`Region::cued`] (see [`cue_words`]).
const CUED_DECADE: usize = 5;
/// Bit number of `day_only` in [`Region::cued`] (see [`cue_words`]).
const CUED_DAY_ONLY: usize = 6;
/// Bit number of `day_range` in [`Region::cued`] (see [`cue_words`]).
const CUED_DAY_RANGE: usize = 7;

/// The compiled scanner. Build once per lexicon; scanning is read-only.
pub struct Scanner {
    dm_text: Regex,
    month_year: Regex,
    month_only: Regex,
    quarter: Regex,
    year: Regex,
    decade: Regex,
    day_only: Regex,
    day_range: Regex,
    /// `month_only`, `year`, `decade` and `day_only` without their regexes (`None`: the
    /// words do not allow it), in the order of the fields above.
    cued_numbers: [Option<CuedNumber>; 4],
    /// The relative words standing alone (`None`: not built, none reported).
    relative: Option<Regex>,
    left_token: Regex,
    /// Indices of the named groups of `left_token`.
    left_groups: LeftGroups,
    /// Rules out `left_token` searches cheaply (`None`: never).
    left_filter: Option<LeftFilter>,
    /// Finds what `left_token` matches without it (`None`: the words do not allow it).
    left_matcher: Option<LeftMatcher>,
    left_modifier: Regex,
    left_period: Regex,
    left_from: Regex,
    left_target: Regex,
    /// Rule out `left_modifier`, `left_period` (but its `(`), `left_from` and
    /// `left_target` searches cheaply.
    modifier_end: WordEnd,
    period_end: WordEnd,
    from_end: WordEnd,
    target_end: WordEnd,
    right_time: Regex,
    /// Indices of the named groups of `right_time`.
    right_groups: RightGroups,
    /// By ASCII byte: whether a match of `right_time` may go on with it after its leading
    /// blanks and separator (a digit, or the first letter of a clock word in any case).
    time_lead: [bool; 128],
    right_paren: Regex,
    gap_range: Regex,
    gap_dash: Regex,
    gap_list: Regex,
    /// The letters of the words of the `gap_` patterns (`None`: not numbered).
    gap_letters: Option<Folder>,
    after_lower_word: Regex,
    regions: RegionFinder,
    part_of_day: HashMap<String, String>,
    suffixes: HashMap<String, i32>,
    relative_days: HashMap<String, i32>,
    relative_periods: HashMap<String, (Unit, i32)>,
    quantity: Vec<String>,
    pm_parts: Vec<String>,
    night_parts: Vec<String>,
    cued_years: [i32; 2],
    bare_years: [i32; 2],
    joiner_keys: Vec<String>,
}

/// The cue words of the cued patterns, each with the bits (`1 << CUED_…`) of the patterns
/// it is a cue of: every match of a cued pattern holds one of its cue words, then white
/// space, then a digit (or a quarter's roman numeral), which [`RegionFinder::cues`]
/// looks for.
fn cue_words(lex: &Lexicon) -> impl Iterator<Item = (&String, u16)> {
    fn with(words: &[String], bits: u16) -> impl Iterator<Item = (&String, u16)> {
        words.iter().map(move |w| (w, bits))
    }
    let day = 1 << CUED_DAY_ONLY | 1 << CUED_DAY_RANGE;
    let month = 1 << CUED_DM_TEXT | 1 << CUED_MONTH_YEAR | 1 << CUED_MONTH_ONLY;
    with(&lex.day_words, day)
        .chain(with(&lex.month_words, month))
        .chain(with(&lex.year_words, 1 << CUED_YEAR))
        .chain(with(&lex.quarter_words, 1 << CUED_QUARTER))
        .chain(with(&lex.decade_words, 1 << CUED_DECADE))
        .chain(with(&lex.range_from, 1 << CUED_DAY_RANGE))
}

/// The ASCII bytes that may follow the leading blanks and separator of a clock time after
/// a date (see [`Scanner::time_lead`]): the digits and the first letters of `clock` words,
/// as `(?i)` matches them.
fn time_lead(clock: &[String]) -> Result<[bool; 128], String> {
    let firsts: String = clock
        .iter()
        .filter_map(|w| w.trim().chars().next())
        .map(|c| regex::escape(c.encode_utf8(&mut [0; 4])))
        .collect();
    let class = if firsts.is_empty() {
        compile(r"^\d")?
    } else {
        compile(&format!(r"(?i)^(?:\d|[{firsts}])"))?
    };
    let mut lead = [false; 128];
    for (b, lead) in (0u8..128).zip(&mut lead) {
        *lead = class.is_match(char::from(b).encode_utf8(&mut [0; 4]));
    }
    Ok(lead)
}

/// The index of the group called `name` in `re`.
fn group(re: &Regex, name: &str) -> Result<usize, String> {
    re.capture_names()
        .position(|n| n == Some(name))
        .ok_or_else(|| format!("dates: no group {name:?} in {}", re.as_str()))
}

/// The text of group `i` of a match read into `locs` from `hay`.
fn group_text<'h>(locs: &CaptureLocations, hay: &'h str, i: usize) -> Option<&'h str> {
    locs.get(i).map(|(a, b)| &hay[a..b])
}

/// Indices of the named groups of [`Scanner::left_token`].
#[derive(Debug, Clone, Copy)]
struct LeftGroups {
    time: usize,
    h: usize,
    m: usize,
    m2: usize,
    day: usize,
    pod: usize,
    suf: usize,
    rel: usize,
    wd: usize,
    sep: usize,
}

impl LeftGroups {
    fn of(re: &Regex) -> Result<LeftGroups, String> {
        Ok(LeftGroups {
            time: group(re, "time")?,
            h: group(re, "h")?,
            m: group(re, "m")?,
            m2: group(re, "m2")?,
            day: group(re, "day")?,
            pod: group(re, "pod")?,
            suf: group(re, "suf")?,
            rel: group(re, "rel")?,
            wd: group(re, "wd")?,
            sep: group(re, "sep")?,
        })
    }
}

/// What a text must end with for [`Scanner::left_token`] to match it: after its trailing
/// separator (white space, `,`, `(`), a digit, the last word of a day, part-of-day,
/// suffix, relative-day or weekday word, or the last word of an hour or minute word with
/// a digit before it (white space between).
#[derive(Debug)]
struct LeftFilter {
    folder: Folder,
    plain: Vec<Vec<u8>>,
    after_digit: Vec<Vec<u8>>,
}

impl LeftFilter {
    /// The filter for the words of `lex`, whose letters are numbered in `letters`; `None`
    /// when a word ends with a separator char or its letters cannot be numbered.
    fn new(lex: &Lexicon, letters: &Letters) -> Option<LeftFilter> {
        let plain: Vec<&str> = lex
            .day_words
            .iter()
            .chain(lex.part_of_day.keys())
            .chain(lex.relative_suffixes.keys())
            .chain(lex.relative_days.keys())
            .chain(&lex.weekdays)
            .map(|w| w.trim())
            .filter(|w| !w.is_empty())
            .collect();
        let after_digit: Vec<&str> = lex
            .hour_words
            .iter()
            .chain(&lex.minute_words)
            .map(|w| w.trim())
            .filter(|w| !w.is_empty())
            .collect();
        let all = || plain.iter().chain(&after_digit).copied();
        if all().any(|w| w.ends_with([',', '('])) {
            return None;
        }
        let folder = letters.folder(all())?;
        let tails = |words: &[&str]| -> Option<Vec<Vec<u8>>> {
            words.iter().map(|w| folder.tail(w)).collect()
        };
        let (Some(plain), Some(after_digit)) = (tails(&plain), tails(&after_digit)) else {
            return None;
        };
        Some(LeftFilter {
            folder,
            plain,
            after_digit,
        })
    }
}

/// Rules out a search for `(?i)(?:word|word…)\s+$` (one of some words, then white space
/// ending the text): the text must end with white space after the last word of one of
/// them. Also finds where such a search matches, without the regex (see
/// [`WordEnd::start`]).
#[derive(Debug)]
struct WordEnd(Option<NumberedWords>);

/// The letters of some words numbered by a [`Folder`]: the last part of each word, and all
/// the parts of each (parts: the word split at white space).
#[derive(Debug)]
struct NumberedWords {
    folder: Folder,
    tails: Vec<Vec<u8>>,
    parts: Vec<Vec<Vec<u8>>>,
}

impl WordEnd {
    /// The test for `words`, whose letters are numbered in `letters`.
    fn new<'a>(words: impl IntoIterator<Item = &'a String>, letters: &Letters) -> WordEnd {
        let words: Vec<&str> = words
            .into_iter()
            .map(|w| w.trim())
            .filter(|w| !w.is_empty())
            .collect();
        let Some(folder) = letters.folder(words.iter().copied()) else {
            return WordEnd(None);
        };
        let tails: Option<Vec<Vec<u8>>> = words.iter().map(|w| folder.tail(w)).collect();
        let parts: Option<Vec<Vec<Vec<u8>>>> = words
            .iter()
            .map(|w| w.split_whitespace().map(|p| folder.tail(p)).collect())
            .collect();
        WordEnd(tails.zip(parts).map(|(tails, parts)| NumberedWords {
            folder,
            tails,
            parts,
        }))
    }

    /// Whether the search may match `window`.
    fn may_match(&self, window: &str) -> bool {
        let Some(NumberedWords { folder, tails, .. }) = &self.0 else {
            return true;
        };
        let t = window.trim_end();
        let Some(last) = t.chars().next_back().filter(|_| t.len() < window.len()) else {
            return false;
        };
        tails
            .iter()
            .any(|tail| folder.may_end_with(last, tail) && folder.ends_with(t, tail).is_some())
    }

    /// Where the search for `(?i)(?:word|word…)\s+$` (the words' alternation, as
    /// [`alternation`] writes it: white space inside a word is `\s+`) matches `window`:
    /// `Some(Some(start))` of the leftmost match, `Some(None)` for no match, `None` when
    /// only the regex can tell (a char beyond the [`Folder`]'s table, or no numbers).
    ///
    /// Every match ends at the end of the window, after all its trailing white space (a
    /// word ends with a letter), and each part of a word takes the whole run of white space
    /// after it; so each word can only match one way, and the leftmost match is the
    /// smallest start among the words that match.
    fn start(&self, window: &str) -> Option<Option<usize>> {
        let NumberedWords { folder, parts, .. } = self.0.as_ref()?;
        let t = window.trim_end();
        if t.len() == window.len() {
            return Some(None);
        }
        let mut best: Option<usize> = None;
        for word in parts {
            if let Some(start) = word_before(folder, t, word)? {
                best = Some(best.map_or(start, |b| b.min(start)));
            }
        }
        Some(best)
    }
}

/// Where `parts` (a word's parts as numbers, white space between them) ends `text` exactly:
/// `Some(Some(start))`, `Some(None)` when it does not, `None` when a char beyond the
/// folder's table leaves it open.
pub(crate) fn word_before(folder: &Folder, text: &str, parts: &[Vec<u8>]) -> Option<Option<usize>> {
    let mut end = text.len();
    for (k, part) in parts.iter().enumerate().rev() {
        if k + 1 < parts.len() {
            // the white space between two parts: all of it, at least one char
            let before = text[..end].trim_end().len();
            if before == end {
                return Some(None);
            }
            end = before;
        }
        for &want in part.iter().rev() {
            let Some(c) = text[..end].chars().next_back() else {
                return Some(None);
            };
            if !folder.matches(c, want)? {
                return Some(None);
            }
            end -= c.len_utf8();
        }
    }
    Some(Some(end))
}

/// The start of the leftmost match of `re` (`(?i)(?:word|word…)\s+$` for the words of
/// `end`) in `window`, found without the regex when [`WordEnd::start`] can tell.
fn word_end_start(end: &WordEnd, re: &Regex, window: &str) -> Option<usize> {
    if !end.may_match(window) {
        return None;
    }
    match end.start(window) {
        Some(found) => found,
        None => re.find(window).map(|m| m.start()),
    }
}

/// Indices of the named groups of [`Scanner::right_time`].
#[derive(Debug, Clone, Copy)]
struct RightGroups {
    h: usize,
    h2: usize,
    m: usize,
    m2: usize,
    tz: usize,
}

impl RightGroups {
    fn of(re: &Regex) -> Result<RightGroups, String> {
        Ok(RightGroups {
            h: group(re, "h")?,
            h2: group(re, "h2")?,
            m: group(re, "m")?,
            m2: group(re, "m2")?,
            tz: group(re, "tz")?,
        })
    }
}

fn compile(pattern: &str) -> Result<Regex, String> {
    regex::RegexBuilder::new(pattern)
        .dfa_size_limit(DFA_CACHE)
        .build()
        .map_err(|e| format!("dates: cannot build pattern {pattern:?}: {e}"))
}

const DFA_CACHE: usize = 256 << 10;

/// Every word whose letters a [`Folder`] of the scanner compares (and the roman numerals
/// of quarters), to be numbered once.
fn folded_words(lex: &Lexicon) -> impl Iterator<Item = &str> {
    lex.day_words
        .iter()
        .chain(lex.part_of_day.keys())
        .chain(lex.relative_suffixes.keys())
        .chain(lex.relative_days.keys())
        .chain(&lex.weekdays)
        .chain(&lex.hour_words)
        .chain(&lex.minute_words)
        .chain(&lex.modifiers)
        .chain(&lex.period_words)
        .chain(&lex.year_words)
        .chain(&lex.range_from)
        .chain(&lex.target_words)
        .chain(&lex.list_joiners)
        .chain(&lex.range_to)
        .chain(&lex.range_fillers)
        .chain(&lex.month_words)
        .chain(&lex.quarter_words)
        .chain(&lex.decade_words)
        .map(|w| w.as_str())
        .chain(["IV"])
}

impl Scanner {
    /// Build the scanner from a lexicon.
    pub fn new(lex: &Lexicon) -> Result<Scanner, String> {
        Scanner::with_relative(lex, true)
    }

    /// Build the scanner from a lexicon; `relative`: whether it can report relative words
    /// standing alone (their pattern is built only then).
    pub fn with_relative(lex: &Lexicon, relative: bool) -> Result<Scanner, String> {
        let day = alternation(&lex.day_words);
        let month = alternation(&lex.month_words);
        let year = alternation(&lex.year_words);
        let quarter = alternation(&lex.quarter_words);
        let decade = alternation(&lex.decade_words);
        let period = alternation(&lex.period_words);
        let pod = alternation(lex.part_of_day.keys());
        let suf = alternation(lex.relative_suffixes.keys());
        let rel_day = alternation(lex.relative_days.keys());
        let rel_period = alternation(lex.relative_periods.keys());
        let weekday = alternation(&lex.weekdays);
        let hour = alternation(&lex.hour_words);
        let minute = alternation(&lex.minute_words);
        let from = alternation(&lex.range_from);
        let to = alternation(&lex.range_to);
        let fillers = alternation(&lex.range_fillers);
        let joiners = alternation(&lex.list_joiners);
        let modifiers = alternation(&lex.modifiers);
        let target = alternation(&lex.target_words);
        let clock = alternation(&lex.clock_words);
        let letters = Letters::new(folded_words(lex))?;
        let mut cued = vec![String::new(); 8];
        cued[CUED_DM_TEXT] = format!(
            r"(?i)(?:({day})\s+)?(\d{{1,2}})\s+{month}\s+(\d{{1,2}})(?:\s*(?:,|{year})\s*(\d{{4}}))?"
        );
        cued[CUED_MONTH_YEAR] =
            format!(r"(?i){month}\s+(\d{{1,2}})(?:[-/.]|\s+{year}\s+)(\d{{4}})");
        cued[CUED_MONTH_ONLY] = format!(r"(?i){month}\s+(\d{{1,2}})");
        cued[CUED_QUARTER] = format!(
            r"(?i){quarter}\s+(IV|I{{1,3}}|[1-4])(?:\s*[-/.]\s*|\s+{year}\s+|\s+)(\d{{4}})"
        );
        cued[CUED_YEAR] = format!(r"(?i){year}\s+(\d{{4}})");
        cued[CUED_DECADE] = format!(r"(?i){decade}\s+(\d{{4}})");
        cued[CUED_DAY_ONLY] = format!(r"(?i){day}\s+(\d{{1,2}})");
        cued[CUED_DAY_RANGE] = format!(
            r"(?i)(?:{day}|{from})\s+(\d{{1,2}})\s*[-–]\s*(\d{{1,2}})([/.])(\d{{1,2}})(?:([/.])(\d{{4}}))?"
        );
        let left_token = compile(&format!(
            r"(?i)(?:(?P<time>(?P<h>\d{{1,2}})(?:\s*{hour}(?:\s*(?P<m>\d{{1,2}})(?:\s*{minute})?)?|:(?P<m2>\d{{2}})))|(?P<day>{day})|(?P<pod>{pod})(?:\s+(?P<suf>{suf}))?|(?P<rel>{rel_day})|(?P<wd>{weekday}))(?P<sep>\s*,?\s*\(?\s*)$"
        ))?;
        let right_time = compile(&format!(
            r"(?i)^[ \t]*[,|\-–]?[ \t]*(?:(?:{clock}[ \t]+)?(?P<h>\d{{1,2}}):(?P<m>\d{{2}})(?::\d{{2}})?|{clock}[ \t]+(?P<h2>\d{{1,2}})[ \t]*{hour}(?:[ \t]*(?P<m2>\d{{1,2}})(?:[ \t]*{minute})?)?)(?:[ \t]*\(?[ \t]*(?:GMT|UTC)[ \t]*(?P<tz>[+-][ \t]*\d{{1,2}}(?::?\d{{2}})?)?[ \t]*\)?)?"
        ))?;
        Ok(Scanner {
            dm_text: compile(&cued[CUED_DM_TEXT])?,
            month_year: compile(&cued[CUED_MONTH_YEAR])?,
            month_only: compile(&cued[CUED_MONTH_ONLY])?,
            quarter: compile(&cued[CUED_QUARTER])?,
            year: compile(&cued[CUED_YEAR])?,
            decade: compile(&cued[CUED_DECADE])?,
            day_only: compile(&cued[CUED_DAY_ONLY])?,
            day_range: compile(&cued[CUED_DAY_RANGE])?,
            relative: relative
                .then(|| {
                    compile(&format!(
                        r"(?i)(?:(?P<pod>{pod})\s+(?P<suf>{suf})|(?P<day>{rel_day})|(?P<period>{rel_period}))"
                    ))
                })
                .transpose()?,
            left_groups: LeftGroups::of(&left_token)?,
            cued_numbers: [
                CuedNumber::new(&lex.month_words, &letters, 1, 2),
                CuedNumber::new(&lex.year_words, &letters, 4, 4),
                CuedNumber::new(&lex.decade_words, &letters, 4, 4),
                CuedNumber::new(&lex.day_words, &letters, 1, 2),
            ],
            left_filter: LeftFilter::new(lex, &letters),
            left_matcher: LeftMatcher::new(lex, &letters),
            left_token,
            left_modifier: compile(&format!(r"(?i){modifiers}\s+$"))?,
            left_period: compile(&format!(
                r"(?i)(?:(?:{from})\s+)?(?:{period}|{year})\s+$|\(\s*$"
            ))?,
            left_from: compile(&format!(r"(?i){from}\s+$"))?,
            left_target: compile(&format!(r"(?i){target}\s+$"))?,
            modifier_end: WordEnd::new(&lex.modifiers, &letters),
            period_end: WordEnd::new(lex.period_words.iter().chain(&lex.year_words), &letters),
            from_end: WordEnd::new(&lex.range_from, &letters),
            target_end: WordEnd::new(&lex.target_words, &letters),
            right_groups: RightGroups::of(&right_time)?,
            time_lead: time_lead(&lex.clock_words)?,
            right_time,
            right_paren: compile(r"^[ \t]*\)")?,
            gap_range: compile(&format!(r"(?i)^\s*{to}\s+(?:{fillers}\s+)*$"))?,
            gap_dash: compile(r"^\s*[-–—]\s*$")?,
            gap_list: compile(&format!(r"(?i)^\s*(?:,\s*(?:{joiners}\s+)?|{joiners}\s+)$"))?,
            gap_letters: letters.folder(
                lex.list_joiners
                    .iter()
                    .chain(&lex.range_to)
                    .chain(&lex.range_fillers)
                    .map(|w| w.as_str()),
            ),
            after_lower_word: compile(r"^\s+(\p{Ll}[\p{L}\p{M}]*)")?,
            regions: RegionFinder::with_letters(cue_words(lex), &letters)?,
            part_of_day: lex
                .part_of_day
                .iter()
                .map(|(k, v)| (key(k), v.clone()))
                .collect(),
            suffixes: lex
                .relative_suffixes
                .iter()
                .map(|(k, v)| (key(k), *v))
                .collect(),
            relative_days: lex
                .relative_days
                .iter()
                .map(|(k, v)| (key(k), *v))
                .collect(),
            relative_periods: lex
                .relative_periods
                .iter()
                .map(|(k, v)| (key(k), (v.unit, v.offset)))
                .collect(),
            quantity: lex.quantity_words.iter().map(|w| key(w)).collect(),
            pm_parts: lex.pm_parts.clone(),
            night_parts: lex.night_parts.clone(),
            cued_years: lex.cued_years,
            bare_years: lex.bare_years,
            joiner_keys: lex
                .list_joiners
                .iter()
                .chain(&lex.range_to)
                .map(|w| key(w))
                .collect(),
        })
    }
}

#[cfg(test)]
impl Scanner {
    /// The cued patterns, in the order of the `CUED_` bit numbers.
    fn cued_patterns(&self) -> [&Regex; 8] {
        let mut all = [&self.dm_text; 8];
        all[CUED_MONTH_YEAR] = &self.month_year;
        all[CUED_MONTH_ONLY] = &self.month_only;
        all[CUED_QUARTER] = &self.quarter;
        all[CUED_YEAR] = &self.year;
        all[CUED_DECADE] = &self.decade;
        all[CUED_DAY_ONLY] = &self.day_only;
        all[CUED_DAY_RANGE] = &self.day_range;
        all
    }
}

/// A word starts at byte `pos`: no letter or digit right before it, or a capital glued
/// to a lower-case letter or digit, as scraped pages glue a heading to the next
/// paragraph ("che giấuNgày 30.5", "39364407Thứ hai").
fn word_start(text: &str, pos: usize) -> bool {
    match char_before(text, pos) {
        None => true,
        Some(p) if !p.is_alphanumeric() => true,
        Some(p) => {
            (p.is_lowercase() || p.is_ascii_digit())
                && char_after(text, pos).is_some_and(char::is_uppercase)
        }
    }
}

/// No letter or digit right at byte `pos`: a word ended there.
fn word_end(text: &str, pos: usize) -> bool {
    !char_after(text, pos).is_some_and(char::is_alphanumeric)
}

impl Scanner {
    /// Find the date expressions of `text`. `bare_relative` also reports relative
    /// words standing alone ("hôm qua", "tuần trước"), when the scanner was built for them
    /// (see [`Scanner::with_relative`]).
    pub fn scan(&self, text: &str, bare_relative: bool) -> Scan {
        // sized for a typical text, so that they seldom grow
        let mut cands = Vec::with_capacity(text.len() / 128 + 8);
        let mut named_years = Vec::new();
        let mut regions = Vec::with_capacity(text.len() / 128 + 8);
        let mut digits = Vec::with_capacity(text.len() / 32 + 8);
        self.regions.find(text, &mut regions, &mut digits);
        for r in regions.iter_mut().filter(|r| r.letters) {
            let (cued, end) = self.regions.cues(&text[r.start..r.end]);
            r.cued = cued;
            r.cue_end = r.start + end;
        }
        self.full_dates(text, &regions, &digits, &mut cands);
        self.day_months(text, &regions, &digits, &mut cands);
        self.text_dates(text, &regions, &mut cands);
        self.month_years(text, &regions, &digits, &mut cands);
        self.quarters(text, &regions, &mut cands);
        self.years(text, &regions, &digits, &mut cands);
        self.year_ranges(text, &regions, &digits, &mut cands);
        self.decades(text, &regions, &digits, &mut cands);
        self.day_ranges(text, &regions, &mut cands);
        self.weak_pieces(text, &regions, &digits, &mut cands, &mut named_years);
        if bare_relative {
            self.relatives(text, &mut cands);
        }
        let kept = select(cands);
        let linked = self.link(text, kept);
        let mentions: Vec<Mention> = linked.into_iter().filter(|m| m.strong).collect();
        named_years.retain(|(pos, _)| !mentions.iter().any(|m| m.start <= *pos && *pos < m.end));
        Scan {
            mentions,
            named_years,
        }
    }

    /// Whether the expression starting at `start` follows a deadline word ("đến năm 2025").
    pub fn is_target(&self, text: &str, start: usize) -> bool {
        let (wstart, window) = before(text, start, 24);
        word_end_start(&self.target_end, &self.left_target, window)
            .is_some_and(|s| word_start(text, wstart + s))
    }

    fn in_years(year: i32, [lo, hi]: [i32; 2]) -> bool {
        (lo..=hi).contains(&year)
    }

    /// Whether `re`, one of the `gap_` patterns, matches `gap`. Those patterns match
    /// only white space, `,`, dashes and their words, so a gap with any other char is
    /// ruled out without a search (most gaps are text).
    fn gap_is(&self, re: &Regex, gap: &str) -> bool {
        let allowed = |c: char| {
            c.is_whitespace()
                || matches!(c, ',' | '-' | '–' | '—')
                || self.gap_letters.as_ref().is_none_or(|f| f.is_letter(c))
        };
        gap.chars().all(allowed) && re.is_match(gap)
    }

    /// Whether `left_token` may match `window` (see [`LeftFilter`]).
    fn left_may_match(&self, window: &str) -> bool {
        let Some(filter) = &self.left_filter else {
            return true;
        };
        let ends_with_digit = |t: &str| {
            t.chars()
                .next_back()
                .is_some_and(|c| self.regions.digit_len(t, t.len() - c.len_utf8()).is_some())
        };
        let t = window.trim_end_matches(|c: char| c.is_whitespace() || c == ',' || c == '(');
        let Some(last) = t.chars().next_back() else {
            return false;
        };
        let ends = |tail: &[u8]| {
            filter.folder.may_end_with(last, tail) && filter.folder.ends_with(t, tail).is_some()
        };
        ends_with_digit(t)
            || filter.plain.iter().any(|tail| ends(tail))
            || filter.after_digit.iter().any(|tail| {
                filter.folder.may_end_with(last, tail)
                    && filter
                        .folder
                        .ends_with(t, tail)
                        .is_some_and(|start| ends_with_digit(t[..start].trim_end()))
            })
    }

    /// What `left_token` matches at the end of `window`, by the regex (`slots`: capture
    /// slots, made at the first search).
    fn left_token_by_regex<'w>(
        &self,
        window: &'w str,
        slots: &mut Option<CaptureLocations>,
    ) -> Option<LeftToken<'w>> {
        if !self.left_may_match(window) {
            return None;
        }
        self.left_token_regex(window, slots)
    }

    /// [`Scanner::left_token_by_regex`] without the filter.
    fn left_token_regex<'w>(
        &self,
        window: &'w str,
        slots: &mut Option<CaptureLocations>,
    ) -> Option<LeftToken<'w>> {
        let locs = slots.get_or_insert_with(|| self.left_token.capture_locations());
        let m = self.left_token.captures_read(locs, window)?;
        if m.as_str().trim().is_empty() {
            return None;
        }
        let g = self.left_groups;
        let c = |i: usize| group_text(locs, window, i);
        let kind = if c(g.time).is_some() {
            TokenKind::Time {
                h: c(g.h)?,
                m: c(g.m).or_else(|| c(g.m2)),
            }
        } else if c(g.day).is_some() {
            TokenKind::Day
        } else if let Some(word) = c(g.pod) {
            TokenKind::PartOfDay {
                word,
                suffix: c(g.suf).is_some(),
            }
        } else if c(g.rel).is_some() {
            TokenKind::Relative
        } else if c(g.wd).is_some() {
            TokenKind::Weekday
        } else {
            return None;
        };
        Some(LeftToken {
            start: m.start(),
            kind,
            paren: c(g.sep).is_some_and(|s| s.contains('(')),
        })
    }

    /// Walk the cue words before a day-month, right to left (see the module docs).
    fn left_cues(&self, text: &str, start: usize) -> LeftCues {
        let mut cues = LeftCues {
            start,
            ..LeftCues::default()
        };
        let (mut day, mut pod, mut rel, mut weekday) = (false, false, false, false);
        // capture slots made at the first search
        let mut slots = None;
        loop {
            let (wstart, window) = before(text, cues.start, 64);
            let found = match &self.left_matcher {
                Some(matcher) => matcher.find(&self.regions, window),
                None => None,
            };
            let token = match found {
                Some(token) => token,
                None => self.left_token_by_regex(window, &mut slots),
            };
            let Some(token) = token else {
                break;
            };
            let tok_start = wstart + token.start;
            if !word_start(text, tok_start) {
                break;
            }
            match token.kind {
                TokenKind::Time { h, m } => {
                    let h = h.parse::<u8>().ok();
                    let mi = m.map_or(Some(0), |m| m.parse::<u8>().ok());
                    match (h, mi) {
                        (Some(h), Some(mi))
                            if cues.time.is_none() && (day || pod) && h < 24 && mi < 60 =>
                        {
                            cues.time = Some((h, mi));
                        }
                        _ => break,
                    }
                }
                TokenKind::Day => {
                    if day || cues.time.is_some() {
                        break;
                    }
                    day = true;
                }
                TokenKind::PartOfDay { word, suffix } => {
                    if pod || cues.time.is_some() {
                        break;
                    }
                    pod = true;
                    cues.part_of_day = self.part_of_day.get(&key(word)).cloned();
                    if suffix {
                        rel = true;
                    }
                }
                TokenKind::Relative => {
                    if rel || cues.time.is_some() {
                        break;
                    }
                    rel = true;
                }
                TokenKind::Weekday => {
                    if weekday || cues.time.is_some() {
                        break;
                    }
                    weekday = true;
                }
            }
            if token.paren {
                cues.paren = true;
            }
            cues.cued = true;
            cues.start = tok_start;
        }
        if let (Some((h, mi)), Some(p)) = (cues.time, &cues.part_of_day) {
            let pm = (self.pm_parts.contains(p) && h < 12)
                || (self.night_parts.contains(p) && (6..12).contains(&h));
            if pm {
                cues.time = Some((h + 12, mi));
            }
        }
        cues
    }

    /// A clock time (and UTC offset) right after a date, and a closing parenthesis
    /// when the cues opened one: (new end, time, offset).
    #[allow(clippy::type_complexity)]
    fn right_ext(
        &self,
        text: &str,
        end: usize,
        paren: bool,
    ) -> (usize, Option<(u8, u8)>, Option<String>) {
        let mut end = end;
        let mut time = None;
        let mut offset = None;
        let hay = &text[end..];
        if !self.may_have_time(hay) {
            // no clock time
        } else if let Some((whole, locs)) = {
            let mut locs = self.right_time.capture_locations();
            self.right_time
                .captures_read(&mut locs, hay)
                .map(|m| (m, locs))
        } {
            let g = self.right_groups;
            let c = |i: usize| group_text(&locs, hay, i);
            let field = |a: usize, b: usize| c(a).or_else(|| c(b)).map(|m| m.parse::<u32>().ok());
            let h = field(g.h, g.h2).flatten();
            let mi = field(g.m, g.m2).unwrap_or(Some(0));
            let stop = end + whole.end();
            if let (Some(h), Some(mi)) = (h, mi) {
                if h < 24 && mi < 60 && clean_right(text, stop) {
                    time = Some((h as u8, mi as u8));
                    offset = c(g.tz).and_then(parse_offset);
                    end = stop;
                }
            }
        }
        if paren {
            if let Some(m) = self.right_paren.find(&text[end..]) {
                end += m.end();
            }
        }
        (end, time, offset)
    }

    /// Whether `right_time` may match `hay`: after `^[ \t]*[,|\-–]?[ \t]*` (taken
    /// greedily: none of those chars can start what follows) comes a digit or the first
    /// letter of a clock word (any char beyond ASCII may be either).
    fn may_have_time(&self, hay: &str) -> bool {
        let b = hay.as_bytes();
        let blanks = |mut i: usize| {
            while b.get(i).is_some_and(|&c| c == b' ' || c == b'\t') {
                i += 1;
            }
            i
        };
        let mut i = blanks(0);
        if matches!(b.get(i), Some(b',' | b'|' | b'-')) {
            i += 1;
        } else if b[i..].starts_with("–".as_bytes()) {
            i += "–".len();
        }
        match b.get(blanks(i)) {
            None => false,
            Some(&c) if c >= 0x80 => true,
            Some(&c) => self.time_lead[usize::from(c)],
        }
    }

    /// Push a day-bearing candidate with its cues and clock time. `strong` says the
    /// form is a date without cues; `need_time` rejects it unless a time follows.
    #[allow(clippy::too_many_arguments)]
    fn push_day(
        &self,
        text: &str,
        start: usize,
        end: usize,
        mut p: Partial,
        strong: bool,
        need_time: bool,
        out: &mut Vec<Mention>,
    ) -> bool {
        let cues = self.left_cues(text, start);
        let (end, right_time, offset) = self.right_ext(text, end, cues.paren);
        if need_time && right_time.is_none() {
            return false;
        }
        p.time = right_time.or(cues.time);
        p.offset = offset;
        out.push(Mention {
            start: cues.start,
            end,
            kind: Kind::Point(p),
            part_of_day: cues.part_of_day,
            strong: strong || cues.cued,
            bare: false,
            parts: None,
        });
        true
    }

    /// Start of a modifier ("đầu", "cuối") right before `start`, or `start`.
    fn modifier_start(&self, text: &str, start: usize) -> usize {
        let (wstart, window) = before(text, start, 32);
        match word_end_start(&self.modifier_end, &self.left_modifier, window) {
            Some(s) if word_start(text, wstart + s) => wstart + s,
            _ => start,
        }
    }

    /// Where `left_period` matches `window`, and whether its match opens a parenthesis:
    /// `(?:(?:from)\s+)?(?:period|year)\s+$` or `\(\s*$`, found without the regex when
    /// the words' letters tell (the two alternatives end the window differently: with a
    /// letter then white space, or with `(`; the optional `từ` takes the whole white space
    /// before the period word, so taking it when it is there gives the leftmost match).
    fn period_cue(&self, window: &str) -> Option<(usize, bool)> {
        let t = window.trim_end();
        if t.ends_with('(') {
            return Some((t.len() - 1, true));
        }
        if !self.period_end.may_match(window) {
            return None;
        }
        let by_regex = || {
            self.left_period
                .find(window)
                .map(|m| (m.start(), m.as_str().trim_start().starts_with('(')))
        };
        let Some(found) = self.period_end.start(window) else {
            return by_regex();
        };
        let start = found?;
        match self.from_end.start(&window[..start]) {
            Some(from) => Some((from.unwrap_or(start), false)),
            None => by_regex(),
        }
    }

    /// Start of "từ" right before `start`, if there.
    fn range_start(&self, text: &str, start: usize) -> Option<usize> {
        let (wstart, window) = before(text, start, 16);
        word_end_start(&self.from_end, &self.left_from, window)
            .map(|s| wstart + s)
            .filter(|&s| word_start(text, s))
    }

    fn full_dates(&self, text: &str, regions: &[Region], digits: &[usize], out: &mut Vec<Mention>) {
        self.each_numeric(Numeric::Full, text, regions, digits, |c| {
            let (Some(m0), Some(s1), Some(s2), Some(ytext)) =
                (c.get(0), c.get(2), c.get(4), c.get(5))
            else {
                return false;
            };
            let (Some(d), Some(mo), Some(y)) = (num(c, 1), num(c, 3), num(c, 5)) else {
                return false;
            };
            if s1.as_str() != s2.as_str() || !clean_left(text, m0.start()) {
                return false;
            }
            let two_digit = ytext.as_str().len() == 2;
            let year = if two_digit {
                if y < 70 {
                    2000 + y as i32
                } else {
                    1900 + y as i32
                }
            } else {
                y as i32
            };
            if !valid_date(year, mo, d) || !Self::in_years(year, self.cued_years) {
                return false;
            }
            if !two_digit && !clean_right(text, m0.end()) {
                return false;
            }
            let p = Partial {
                year: Some(year),
                month: Some(mo as u8),
                day: Some(d as u8),
                ..Partial::default()
            };
            self.push_day(text, m0.start(), m0.end(), p, true, two_digit, out)
        });
    }

    fn day_months(&self, text: &str, regions: &[Region], digits: &[usize], out: &mut Vec<Mention>) {
        self.each_numeric(Numeric::DayMonth, text, regions, digits, |c| {
            let Some(m0) = c.get(0) else { return false };
            let (Some(d), Some(mo)) = (num(c, 1), num(c, 3)) else {
                return false;
            };
            if !valid_day_month(d, mo) || !clean_edges(text, m0) {
                return false;
            }
            let p = Partial {
                month: Some(mo as u8),
                day: Some(d as u8),
                ..Partial::default()
            };
            self.push_day(text, m0.start(), m0.end(), p, false, false, out)
        });
    }

    fn text_dates(&self, text: &str, regions: &[Region], out: &mut Vec<Mention>) {
        each_match_in(&self.dm_text, text, regions, CUED_DM_TEXT, |c| {
            let Some(m0) = c.get(0) else { return false };
            let (Some(d), Some(mo)) = (num(c, 2), num(c, 3)) else {
                return false;
            };
            let year = num(c, 4).map(|y| y as i32);
            let ok = match year {
                Some(y) => valid_date(y, mo, d) && Self::in_years(y, self.cued_years),
                None => valid_day_month(d, mo),
            };
            if !ok || !standalone(text, m0) {
                return false;
            }
            let p = Partial {
                year,
                month: Some(mo as u8),
                day: Some(d as u8),
                ..Partial::default()
            };
            let strong = c.get(1).is_some() || year.is_some();
            self.push_day(text, m0.start(), m0.end(), p, strong, false, out)
        });
    }

    fn month_years(
        &self,
        text: &str,
        regions: &[Region],
        digits: &[usize],
        out: &mut Vec<Mention>,
    ) {
        each_match_in(&self.month_year, text, regions, CUED_MONTH_YEAR, |c| {
            let Some(m0) = c.get(0) else { return false };
            let (Some(mo), Some(y)) = (num(c, 1), num(c, 2)) else {
                return false;
            };
            let y = y as i32;
            if !(1..=12).contains(&mo)
                || !Self::in_years(y, self.cued_years)
                || !standalone(text, m0)
            {
                return false;
            }
            let p = Partial {
                year: Some(y),
                month: Some(mo as u8),
                ..Partial::default()
            };
            out.push(Mention::point(
                self.modifier_start(text, m0.start()),
                m0.end(),
                p,
                true,
            ));
            true
        });
        let cn = self.cued_numbers[0].as_ref();
        self.each_cued(
            cn,
            &self.month_only,
            text,
            regions,
            digits,
            CUED_MONTH_ONLY,
            |c| {
                let Some(m0) = c.get(0) else { return false };
                let Some(mo) = num(c, 1) else { return false };
                if !(1..=12).contains(&mo) || !standalone(text, m0) {
                    return false;
                }
                let p = Partial {
                    month: Some(mo as u8),
                    ..Partial::default()
                };
                out.push(Mention::point(
                    self.modifier_start(text, m0.start()),
                    m0.end(),
                    p,
                    false,
                ));
                true
            },
        );
    }

    fn quarters(&self, text: &str, regions: &[Region], out: &mut Vec<Mention>) {
        each_match_in(&self.quarter, text, regions, CUED_QUARTER, |c| {
            let (Some(m0), Some(q)) = (c.get(0), c.get(1)) else {
                return false;
            };
            let (Some(quarter), Some(y)) = (roman_quarter(q.as_str()), num(c, 2)) else {
                return false;
            };
            let year = y as i32;
            if !Self::in_years(year, self.cued_years) || !standalone(text, m0) {
                return false;
            }
            out.push(Mention {
                start: self.modifier_start(text, m0.start()),
                end: m0.end(),
                kind: Kind::Quarter { year, quarter },
                part_of_day: None,
                strong: true,
                bare: false,
                parts: None,
            });
            true
        });
    }

    fn years(&self, text: &str, regions: &[Region], digits: &[usize], out: &mut Vec<Mention>) {
        let cn = self.cued_numbers[1].as_ref();
        self.each_cued(cn, &self.year, text, regions, digits, CUED_YEAR, |c| {
            let Some(m0) = c.get(0) else { return false };
            let Some(y) = num(c, 1) else { return false };
            let y = y as i32;
            if !Self::in_years(y, self.cued_years) || !standalone(text, m0) {
                return false;
            }
            let p = Partial {
                year: Some(y),
                ..Partial::default()
            };
            out.push(Mention::point(
                self.modifier_start(text, m0.start()),
                m0.end(),
                p,
                true,
            ));
            true
        });
    }

    fn year_ranges(
        &self,
        text: &str,
        regions: &[Region],
        digits: &[usize],
        out: &mut Vec<Mention>,
    ) {
        self.each_numeric(Numeric::YearRange, text, regions, digits, |c| {
            let Some(m0) = c.get(0) else { return false };
            let (Some(a), Some(b)) = (num(c, 1), num(c, 2)) else {
                return false;
            };
            let (a, b) = (a as i32, b as i32);
            if !clean_edges(text, m0) || b <= a || b - a > 100 {
                return false;
            }
            let (wstart, window) = before(text, m0.start(), 48);
            let cue = self
                .period_cue(window)
                .map(|(s, paren)| (wstart + s, paren))
                .filter(|&(s, paren)| paren || word_start(text, s));
            let range = if cue.is_some() {
                self.cued_years
            } else {
                self.bare_years
            };
            if !Self::in_years(a, range) || !Self::in_years(b, range) {
                return false;
            }
            let mut start = m0.start();
            let mut end = m0.end();
            if let Some((s, paren)) = cue {
                start = s;
                if paren {
                    match self.right_paren.find(&text[end..]) {
                        Some(m) => end += m.end(),
                        None => start = m0.start(),
                    }
                }
            }
            let ya = Partial {
                year: Some(a),
                ..Partial::default()
            };
            let yb = Partial {
                year: Some(b),
                ..Partial::default()
            };
            out.push(Mention {
                start,
                end,
                kind: Kind::Interval(ya, yb),
                part_of_day: None,
                strong: true,
                bare: false,
                parts: Some([(start, m0.start() + 4), (m0.end() - 4, end)]),
            });
            true
        });
    }

    fn decades(&self, text: &str, regions: &[Region], digits: &[usize], out: &mut Vec<Mention>) {
        let cn = self.cued_numbers[2].as_ref();
        self.each_cued(cn, &self.decade, text, regions, digits, CUED_DECADE, |c| {
            let Some(m0) = c.get(0) else { return false };
            let Some(y) = num(c, 1) else { return false };
            let year = y as i32;
            if !Self::in_years(year, self.cued_years) || !standalone(text, m0) {
                return false;
            }
            let kind = if year % 10 == 0 {
                Kind::Decade { year }
            } else {
                Kind::Point(Partial {
                    year: Some(year),
                    ..Partial::default()
                })
            };
            out.push(Mention {
                start: self.modifier_start(text, m0.start()),
                end: m0.end(),
                kind,
                part_of_day: None,
                strong: true,
                bare: false,
                parts: None,
            });
            true
        });
    }

    fn day_ranges(&self, text: &str, regions: &[Region], out: &mut Vec<Mention>) {
        each_match_in(&self.day_range, text, regions, CUED_DAY_RANGE, |c| {
            let Some(m0) = c.get(0) else { return false };
            let (Some(d1), Some(d2), Some(mo)) = (num(c, 1), num(c, 2), num(c, 4)) else {
                return false;
            };
            let year = num(c, 6).map(|y| y as i32);
            if c.get(5)
                .is_some_and(|s2| c.get(3).is_some_and(|s1| s1.as_str() != s2.as_str()))
            {
                return false;
            }
            let ok = d1 < d2
                && match year {
                    Some(y) => {
                        valid_date(y, mo, d1)
                            && valid_date(y, mo, d2)
                            && Self::in_years(y, self.cued_years)
                    }
                    None => valid_day_month(d1, mo) && valid_day_month(d2, mo),
                };
            if !ok || !standalone(text, m0) {
                return false;
            }
            let cues = self.left_cues(text, m0.start());
            let (Some(g1), Some(g2)) = (c.get(1), c.get(2)) else {
                return false;
            };
            let a = Partial {
                year,
                month: Some(mo as u8),
                day: Some(d1 as u8),
                ..Partial::default()
            };
            let b = Partial {
                day: Some(d2 as u8),
                ..a.clone()
            };
            out.push(Mention {
                start: cues.start,
                end: m0.end(),
                kind: Kind::Interval(a, b),
                part_of_day: cues.part_of_day,
                strong: true,
                bare: false,
                parts: Some([(cues.start, g1.end()), (g2.start(), m0.end())]),
            });
            true
        });
    }

    fn weak_pieces(
        &self,
        text: &str,
        regions: &[Region],
        digits: &[usize],
        out: &mut Vec<Mention>,
        named_years: &mut Vec<(usize, i32)>,
    ) {
        let cn = self.cued_numbers[3].as_ref();
        self.each_cued(
            cn,
            &self.day_only,
            text,
            regions,
            digits,
            CUED_DAY_ONLY,
            |c| {
                let Some(m0) = c.get(0) else { return false };
                let Some(d) = num(c, 1) else { return false };
                if !(1..=31).contains(&d) || !standalone(text, m0) {
                    return false;
                }
                let p = Partial {
                    day: Some(d as u8),
                    ..Partial::default()
                };
                let cues = self.left_cues(text, m0.start());
                out.push(Mention {
                    part_of_day: cues.part_of_day,
                    ..Mention::point(cues.start, m0.end(), p, false)
                });
                true
            },
        );
        self.each_numeric(Numeric::BareDay, text, regions, digits, |c| {
            let Some(m0) = c.get(0) else { return false };
            let Some(d) = num(c, 0) else { return false };
            if !(1..=31).contains(&d) || !clean_edges(text, m0) {
                return false;
            }
            let p = Partial {
                day: Some(d as u8),
                ..Partial::default()
            };
            out.push(Mention {
                bare: true,
                ..Mention::point(m0.start(), m0.end(), p, false)
            });
            true
        });
        self.each_numeric(Numeric::BareYear, text, regions, digits, |c| {
            let Some(m0) = c.get(0) else { return false };
            let Some(y) = num(c, 0) else { return false };
            let y = y as i32;
            if !Self::in_years(y, self.bare_years) || !clean_edges(text, m0) {
                return false;
            }
            let p = Partial {
                year: Some(y),
                ..Partial::default()
            };
            out.push(Mention {
                bare: true,
                ..Mention::point(m0.start(), m0.end(), p, false)
            });
            if after_capitalised_word(text, m0.start()) {
                named_years.push((m0.start(), y));
            }
            true
        });
    }

    fn relatives(&self, text: &str, out: &mut Vec<Mention>) {
        let Some(relative) = &self.relative else {
            return;
        };
        each_match(relative, text, |c| {
            let Some(m0) = c.get(0) else { return false };
            if !word_start(text, m0.start()) || !word_end(text, m0.end()) {
                return false;
            }
            let mut part_of_day = None;
            let (unit, offset) = if let (Some(p), Some(s)) = (c.name("pod"), c.name("suf")) {
                part_of_day = self.part_of_day.get(&key(p.as_str())).cloned();
                (
                    Unit::Day,
                    self.suffixes.get(&key(s.as_str())).copied().unwrap_or(0),
                )
            } else if let Some(d) = c.name("day") {
                (
                    Unit::Day,
                    self.relative_days
                        .get(&key(d.as_str()))
                        .copied()
                        .unwrap_or(0),
                )
            } else if let Some(p) = c.name("period") {
                if self.after_quantity(text, m0.start()) {
                    return false;
                }
                match self.relative_periods.get(&key(p.as_str())) {
                    Some(&v) => v,
                    None => return false,
                }
            } else {
                return false;
            };
            out.push(Mention {
                start: m0.start(),
                end: m0.end(),
                kind: Kind::Relative { unit, offset },
                part_of_day,
                strong: true,
                bare: false,
                parts: None,
            });
            true
        });
    }

    /// Whether the word before `start` is a number or a quantity word ("nhiều năm nay").
    fn after_quantity(&self, text: &str, start: usize) -> bool {
        let prev = text[..start].trim_end();
        let word: String = prev
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        !word.is_empty()
            && (word.chars().all(|c| c.is_ascii_digit())
                || self.quantity.contains(&word.to_lowercase()))
    }

    /// Whether a lower-case word that is not a list joiner follows `end`
    /// ("2000 người" is a quantity, "2011, Đoàn" and "2010 và 2011" are years).
    fn lower_word_after(&self, text: &str, end: usize) -> bool {
        self.after_lower_word
            .captures(&text[end..])
            .and_then(|c| c.get(1))
            .is_some_and(|w| !self.joiner_keys.contains(&key(w.as_str())))
    }

    /// Whether a gap holds a list joiner word ("và", "hoặc"), not just a comma.
    fn has_joiner(&self, gap: &str) -> bool {
        gap.split(|c: char| c.is_whitespace() || c == ',')
            .any(|w| !w.is_empty() && self.joiner_keys.contains(&key(w)))
    }

    fn link(&self, text: &str, ms: Vec<Mention>) -> Vec<Mention> {
        let ms = self.link_day_chains(text, ms);
        let ms = self.link_ranges(text, ms);
        self.link_lists(text, ms)
    }

    /// "ngày 18 đến 28/5" (a range), "ngày 14, 15 và 16/4" (a list).
    fn link_day_chains(&self, text: &str, mut ms: Vec<Mention>) -> Vec<Mention> {
        let mut out = Vec::with_capacity(ms.len());
        let mut i = 0;
        while i < ms.len() {
            if let Some(linked) = self.day_chain_at(text, &ms, i) {
                i = linked.0;
                out.extend(linked.1);
                continue;
            }
            // chains only look ahead: mention `i` is not read again, so it moves out
            let placeholder = Mention::point(0, 0, Partial::default(), false);
            out.push(std::mem::replace(&mut ms[i], placeholder));
            i += 1;
        }
        out
    }

    /// The chain starting at `i`, if one does: (index after it, its mentions).
    fn day_chain_at(&self, text: &str, ms: &[Mention], i: usize) -> Option<(usize, Vec<Mention>)> {
        let first = &ms[i];
        if first.bare || first.family() != Some(Family::DayOnly) {
            return None;
        }
        let mut j = i + 1;
        while j < ms.len()
            && ms[j].bare
            && ms[j].family() == Some(Family::DayOnly)
            && self.gap_is(&self.gap_list, &text[ms[j - 1].end..ms[j].start])
        {
            j += 1;
        }
        let last = ms.get(j)?;
        let lp = last.partial()?;
        if last.bare || lp.family() != Some(Family::Day) {
            return None;
        }
        let gap = &text[ms[j - 1].end..last.start];
        let list = self.gap_is(&self.gap_list, gap);
        let range =
            j == i + 1 && (self.gap_is(&self.gap_range, gap) || self.gap_is(&self.gap_dash, gap));
        if !list && !range {
            return None;
        }
        let with_month = |m: &Mention| -> Option<Partial> {
            let mut p = m.partial()?.clone();
            p.month = lp.month;
            p.year = lp.year;
            let (d, mo) = (u32::from(p.day?), u32::from(p.month?));
            valid_day_month(d, mo).then_some(p)
        };
        let mut linked = Vec::new();
        if range {
            let a = with_month(first)?;
            if a.order() >= lp.order() {
                return None;
            }
            let start = self.range_start(text, first.start).unwrap_or(first.start);
            linked.push(Mention {
                start,
                end: last.end,
                kind: Kind::Interval(a, lp.clone()),
                part_of_day: first
                    .part_of_day
                    .clone()
                    .or_else(|| last.part_of_day.clone()),
                strong: true,
                bare: false,
                parts: Some([(start, first.end), (last.start, last.end)]),
            });
        } else {
            for m in &ms[i..j] {
                let p = with_month(m)?;
                linked.push(Mention {
                    kind: Kind::Point(p),
                    strong: true,
                    bare: false,
                    ..m.clone()
                });
            }
            linked.push(Mention {
                strong: true,
                ..last.clone()
            });
        }
        Some((j + 1, linked))
    }

    /// "từ X đến Y" and "X – Y" between points of the same kind.
    fn link_ranges(&self, text: &str, ms: Vec<Mention>) -> Vec<Mention> {
        let mut out = Vec::with_capacity(ms.len());
        let mut ms = ms.into_iter().peekable();
        while let Some(a) = ms.next() {
            if let Some(m) = ms.peek().and_then(|b| self.range_of(text, &a, b)) {
                out.push(m);
                ms.next();
                continue;
            }
            out.push(a);
        }
        out
    }

    fn range_of(&self, text: &str, a: &Mention, b: &Mention) -> Option<Mention> {
        let (pa, pb) = (a.partial()?, b.partial()?);
        let fam = pa.family()?;
        if fam != pb.family()? || fam == Family::DayOnly || !(a.strong || b.strong) {
            return None;
        }
        if fam != Family::Year && (a.bare || b.bare) {
            return None;
        }
        let gap = &text[a.end..b.start];
        let from = self.range_start(text, a.start);
        let is_range = (from.is_some() && self.gap_is(&self.gap_range, gap))
            || (self.gap_is(&self.gap_dash, gap) && !a.bare && !b.bare);
        if !is_range {
            return None;
        }
        let (mut pa, mut pb) = (pa.clone(), pb.clone());
        match (pa.year, pb.year) {
            (None, Some(y)) => {
                pa.year = Some(y);
                if pa.order() > pb.order() {
                    pa.year = Some(y - 1);
                }
            }
            (Some(y), None) => {
                pb.year = Some(y);
                if pa.order() > pb.order() {
                    pb.year = Some(y + 1);
                }
            }
            (Some(_), Some(_)) if pa.order() >= pb.order() => return None,
            _ => {}
        }
        let start = from.unwrap_or(a.start);
        Some(Mention {
            start,
            end: b.end,
            kind: Kind::Interval(pa, pb),
            part_of_day: a.part_of_day.clone().or_else(|| b.part_of_day.clone()),
            strong: true,
            bare: false,
            parts: Some([(start, a.end), (b.start, b.end)]),
        })
    }

    /// "tháng 8 và tháng 9.2010", "ngày 27/5 và 28/5", "các năm 2009, 2010 và 2011".
    fn link_lists(&self, text: &str, mut ms: Vec<Mention>) -> Vec<Mention> {
        // A weak point before a strong one of its kind: it is a date, and takes the year.
        for i in (0..ms.len().saturating_sub(1)).rev() {
            let (left, right) = ms.split_at_mut(i + 1);
            let (a, b) = (&mut left[i], &right[0]);
            if !self.gap_is(&self.gap_list, &text[a.end..b.start]) || !b.strong || a.bare {
                continue;
            }
            let (Some(fa), Some(pb)) = (a.family(), b.partial()) else {
                continue;
            };
            if !matches!(fa, Family::Day | Family::Month) || Some(fa) != pb.family() {
                continue;
            }
            // A comma alone does not make "2-1, sáng 5/6" a list of dates.
            if fa == Family::Day && !self.has_joiner(&text[a.end..b.start]) {
                continue;
            }
            let year = pb.year;
            if let Kind::Point(pa) = &mut a.kind {
                if pa.year.is_none() {
                    pa.year = year;
                }
            }
            a.strong = true;
        }
        // A weak point after a strong one: "2010" after "năm 2009,", "28/5" after "ngày 27/5 và".
        for i in 0..ms.len().saturating_sub(1) {
            let (left, right) = ms.split_at_mut(i + 1);
            let (a, b) = (&left[i], &mut right[0]);
            if !a.strong || b.strong || !self.gap_is(&self.gap_list, &text[a.end..b.start]) {
                continue;
            }
            let (Some(pa), Some(fb)) = (a.partial(), b.family()) else {
                continue;
            };
            if pa.family() != Some(fb) {
                continue;
            }
            let gap = &text[a.end..b.start];
            let ok = match fb {
                // After a comma a bare number may be a count ("năm 2013, 2000 người"); after
                // "và"/"hoặc" it closes a list of years ("các năm 2008 và 2012 đều tăng").
                Family::Year => {
                    b.bare && (!gap.contains(',') || !self.lower_word_after(text, b.end))
                }
                Family::Day => !b.bare && self.has_joiner(gap),
                Family::Month => !b.bare,
                Family::DayOnly => false,
            };
            if !ok {
                continue;
            }
            let year = pa.year;
            if let Kind::Point(pb) = &mut b.kind {
                if pb.year.is_none() {
                    pb.year = year;
                }
            }
            b.strong = true;
            b.bare = false;
        }
        ms
    }
}

/// Whether the word right before `start` (one space apart) starts with a capital:
/// "ASEAN 2020", "Ất Tỵ 2025", "Việt Nam 2024".
fn after_capitalised_word(text: &str, start: usize) -> bool {
    let Some(prev) = text[..start].strip_suffix(' ') else {
        return false;
    };
    let word: Vec<char> = prev
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '-')
        .collect();
    word.last().is_some_and(|c| c.is_uppercase())
}

/// Keep the best non-overlapping candidates: strong before weak, longer before shorter,
/// earlier before later. Returns them in text order.
fn select(mut cands: Vec<Mention>) -> Vec<Mention> {
    cands.sort_by(|a, b| {
        b.strong
            .cmp(&a.strong)
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
    });
    let mut kept: Vec<Mention> = Vec::new();
    for c in cands {
        if kept.iter().all(|k| c.end <= k.start || c.start >= k.end) {
            kept.push(c);
        }
    }
    kept.sort_by_key(|m| m.start);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_letter_table_answers_as_the_slow_definition() {
        let lex = Lexicon::builtin().expect("lexicon");
        let letters = Letters::new(folded_words(&lex)).expect("letters");
        let all: Vec<&str> = folded_words(&lex).collect();
        let folder = letters.folder(all.iter().copied()).expect("numbered");
        crate::fold::check_against_regexes(&folder, &all);
        let gap: Vec<&str> = lex
            .list_joiners
            .iter()
            .chain(&lex.range_to)
            .chain(&lex.range_fillers)
            .map(|w| w.as_str())
            .collect();
        let folder = letters.folder(gap.iter().copied()).expect("numbered");
        crate::fold::check_against_regexes(&folder, &gap);
    }

    #[test]
    fn texts_ruled_out_for_a_clock_time_match_no_clock_time() {
        let scanner = Scanner::new(&Lexicon::builtin().expect("lexicon")).expect("scanner");
        let starts = [
            "", " ", "\t", " , ", ",", "|", " - ", "–", " – ", "\u{a0}", ", -", "  |\t",
        ];
        let rests = [
            "10:30",
            "8:05:12 GMT+7",
            "lúc 8 giờ",
            "LÚC 8:30",
            "Lúc 9h",
            "vào lúc 7 giờ 15",
            "VÀO LÚC 10 giờ",
            "٣:٣٠",
            "tại",
            ")",
            ".",
            "",
            "x",
            "lúc",
            "giờ 5",
        ];
        let mut checked = 0;
        for a in starts {
            for b in rests {
                let hay = format!("{a}{b} sau");
                if scanner.right_time.is_match(&hay) {
                    checked += 1;
                    assert!(scanner.may_have_time(&hay), "{hay:?}");
                }
            }
        }
        assert!(checked > 50, "{checked}");
    }

    #[test]
    fn regions_ruled_out_for_cues_match_no_cued_pattern() {
        let scanner = Scanner::new(&Lexicon::builtin().expect("lexicon")).expect("scanner");
        let pieces = [
            "ngày",
            "NGÀY",
            "tháng",
            "Tháng",
            "THÁNG",
            "năm",
            "NĂM",
            "quý",
            "QUÝ",
            "những năm",
            "thập niên",
            "thập kỷ",
            "từ",
            "TỪ",
            "trong",
            "ng",
            "áng",
            "xtháng",
            "5",
            "12",
            "2023",
            "I",
            "IV",
            "ii",
            "v",
            " ",
            "  ",
            "\u{a0}",
            "-",
            "/",
            ".",
            ",",
            "–",
            "(",
            "đến",
        ];
        // every sequence of up to four pieces, with and without spaces between them
        let mut texts = Vec::new();
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    texts.push(format!("{a} {b}{c}"));
                    texts.push(format!("{a}{b} {c} 7"));
                    for d in ["5", "I", "2023", " 9"] {
                        texts.push(format!("{a} {b} {c}{d}"));
                    }
                }
            }
        }
        let mut checked = 0;
        for text in &texts {
            let mut regions = Vec::new();
            let mut digits = Vec::new();
            scanner.regions.find(text, &mut regions, &mut digits);
            for r in regions {
                let region = &text[r.start..r.end];
                let (mask, cue_end) = scanner.regions.cues(region);
                for (i, re) in scanner.cued_patterns().into_iter().enumerate() {
                    if re.is_match(region) {
                        checked += 1;
                        assert!(mask & (1 << i) != 0, "{i} {region:?}");
                        let m = re.find(region).expect("a match");
                        assert!(m.start() < cue_end, "{i} {region:?}");
                        assert!(scanner.regions.may_hold_cue(region), "{region:?}");
                    }
                }
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    /// The lexicon's words that may stand left of a date (modifiers, period, year, from and
    /// deadline words).
    fn left_words(lex: &Lexicon) -> impl Iterator<Item = &String> {
        lex.modifiers
            .iter()
            .chain(&lex.period_words)
            .chain(&lex.year_words)
            .chain(&lex.range_from)
            .chain(&lex.target_words)
    }

    /// Test words: `seed`, then each of `words` as it is, in capitals and glued to a letter.
    fn word_variants<'a>(seed: &[&str], words: impl Iterator<Item = &'a String>) -> Vec<String> {
        let mut out: Vec<String> = seed.iter().map(|s| s.to_string()).collect();
        for w in words {
            out.extend([w.clone(), w.to_uppercase(), format!("x{w}")]);
        }
        out
    }

    #[test]
    fn windows_ruled_out_for_left_tokens_match_no_left_token() {
        let lex = Lexicon::builtin().expect("lexicon");
        let scanner = Scanner::new(&lex).expect("scanner");
        let token_words = lex
            .day_words
            .iter()
            .chain(lex.part_of_day.keys())
            .chain(lex.relative_suffixes.keys())
            .chain(lex.relative_days.keys())
            .chain(&lex.weekdays)
            .chain(&lex.hour_words)
            .chain(&lex.minute_words);
        let words = word_variants(&["trong", "anh", "thắng"], token_words);
        let befores = ["", "7", "19 ", "8:", "sáng ", "x"];
        let afters = [
            "", " ", ",", " , ( ", "(", " 30", "30", ":15", " 5 phút", ".", "-",
        ];
        let mut matched = 0;
        for w in &words {
            for b in befores {
                for a in afters {
                    let window = format!("{b}{w}{a}");
                    if scanner.left_token.is_match(&window) {
                        matched += 1;
                        assert!(scanner.left_may_match(&window), "{window:?}");
                    }
                }
            }
        }
        assert!(matched > 500, "{matched}");
    }

    #[test]
    fn left_tokens_found_without_the_regex_are_what_the_regex_matches() {
        let lex = Lexicon::builtin().expect("lexicon");
        let scanner = Scanner::new(&lex).expect("scanner");
        let matcher = scanner.left_matcher.as_ref().expect("numbered");
        let mut pieces: Vec<String> = [
            " ",
            "  ",
            "\u{a0}",
            "\t",
            ",",
            "(",
            ":",
            "x",
            "𝐱",
            "a",
            "1",
            "12",
            "123",
            "7",
            "٣",
            "0",
            "30",
            ":15",
            "h",
            "g",
            "H",
            "giờ",
            "GIỜ",
            "phút",
            "-",
            ".",
            "8 giờ 30",
            "20h30",
            "7g15 ",
            "8:30",
            "19 giờ 5 phút",
            "123h4",
            "sáng nay",
            "Chiều  qua",
            "TỐI MAI",
        ]
        .iter()
        .map(|p| p.to_string())
        .collect();
        for w in lex
            .day_words
            .iter()
            .chain(lex.part_of_day.keys())
            .chain(lex.relative_suffixes.keys())
            .chain(lex.relative_days.keys())
            .chain(&lex.weekdays)
            .chain(&lex.hour_words)
            .chain(&lex.minute_words)
        {
            pieces.push(w.clone());
            pieces.push(w.to_uppercase());
            pieces.push(w.replace(' ', "\u{a0} "));
        }
        // a fixed pseudo-random sequence (64-bit LCG)
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % n
        };
        let (mut matched, mut decided) = (0, 0);
        let mut kinds = [0usize; 8];
        let mut slots = None;
        for _ in 0..200_000 {
            let mut window = String::new();
            for _ in 0..1 + next(7) {
                window.push_str(&pieces[next(pieces.len())]);
            }
            let want = scanner.left_token_regex(&window, &mut slots);
            matched += usize::from(want.is_some());
            if let Some(t) = &want {
                let k = match t.kind {
                    TokenKind::Time { m: None, .. } => 0,
                    TokenKind::Time { m: Some(_), .. } => 1,
                    TokenKind::Day => 2,
                    TokenKind::PartOfDay { suffix: false, .. } => 3,
                    TokenKind::PartOfDay { suffix: true, .. } => 4,
                    TokenKind::Relative => 5,
                    TokenKind::Weekday => 6,
                };
                kinds[k] += 1;
                kinds[7] += usize::from(t.paren);
            }
            if let Some(got) = matcher.find(&scanner.regions, &window) {
                decided += 1;
                assert_eq!(got, want, "{window:?}");
            }
        }
        assert!(matched > 20_000, "{matched}");
        assert!(kinds.iter().all(|&k| k > 500), "{kinds:?}");
        assert!(decided > 150_000, "{decided}");
    }

    #[test]
    fn cued_numbers_found_without_the_regexes_are_what_the_regexes_match() {
        let lex = Lexicon::builtin().expect("lexicon");
        let scanner = Scanner::new(&lex).expect("scanner");
        let mut pieces: Vec<String> = [
            " ",
            "  ",
            "\u{a0}",
            "\u{b}",
            ",",
            "-",
            "/",
            ".",
            "x",
            "𝐱",
            "1",
            "12",
            "123",
            "2023",
            "20234",
            "٣",
            "٣٣",
            "0",
            "ng",
            "ăm",
            "năm 2024",
            "tháng 5",
            "ngày 12",
            "những năm 1990",
            "NĂM\u{2003}1992",
        ]
        .iter()
        .map(|p| p.to_string())
        .collect();
        for w in lex
            .month_words
            .iter()
            .chain(&lex.year_words)
            .chain(&lex.decade_words)
            .chain(&lex.day_words)
        {
            pieces.push(w.clone());
            pieces.push(w.to_uppercase());
            pieces.push(w.replace(' ', "\u{a0} "));
        }
        let cases = [
            (&scanner.month_only, CUED_MONTH_ONLY),
            (&scanner.year, CUED_YEAR),
            (&scanner.decade, CUED_DECADE),
            (&scanner.day_only, CUED_DAY_ONLY),
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % n
        };
        let (mut matched, mut decided) = ([0usize; 4], 0);
        for _ in 0..30_000 {
            let mut text = String::new();
            for _ in 0..1 + next(8) {
                text.push_str(&pieces[next(pieces.len())]);
            }
            let (mut regions, mut digits) = (Vec::new(), Vec::new());
            scanner.regions.find(&text, &mut regions, &mut digits);
            for r in &regions {
                let hay = &text[..r.end];
                let ds = &digits[r.digits.0..r.digits.1];
                for (k, (re, _)) in cases.iter().enumerate() {
                    let Some(matcher) = scanner.cued_numbers[k].as_ref() else {
                        panic!("no matcher {k}");
                    };
                    let mut locs = re.capture_locations();
                    for pos in (r.start..=r.end).filter(|&p| text.is_char_boundary(p)) {
                        let want = re
                            .captures_read_at(&mut locs, hay, pos)
                            .map(|_| [locs.get(0), locs.get(1)]);
                        matched[k] += usize::from(want.is_some());
                        if let Some(got) = matcher.find_at(&scanner.regions, &text, hay, ds, pos) {
                            decided += 1;
                            let got =
                                got.map(|c| [0, 1].map(|i| c.get(i).map(|m| (m.start(), m.end()))));
                            assert_eq!(got, want, "{text:?} {pos} {}", re.as_str());
                        }
                    }
                }
            }
        }
        assert!(matched.iter().all(|&m| m > 2_000), "{matched:?}");
        assert!(decided > 100_000, "{decided}");
    }

    #[test]
    fn gaps_ruled_out_by_their_chars_match_no_gap_pattern() {
        let lex = Lexicon::builtin().expect("lexicon");
        let scanner = Scanner::new(&lex).expect("scanner");
        let mut pieces: Vec<String> = [" ", "\u{a0}", ",", "-", "–", "—", "x", "các"]
            .iter()
            .map(|p| p.to_string())
            .collect();
        for w in lex
            .list_joiners
            .iter()
            .chain(&lex.range_to)
            .chain(&lex.range_fillers)
        {
            pieces.push(w.clone());
            pieces.push(w.to_uppercase());
        }
        let mut matched = 0;
        for a in &pieces {
            for b in &pieces {
                for c in &pieces {
                    for gap in [format!("{a} {b} {c} "), format!(" {a}{b}{c}")] {
                        for re in [&scanner.gap_list, &scanner.gap_range, &scanner.gap_dash] {
                            if re.is_match(&gap) {
                                matched += 1;
                                assert!(scanner.gap_is(re, &gap), "{gap:?}");
                            }
                        }
                    }
                }
            }
        }
        assert!(matched > 100, "{matched}");
    }

    #[test]
    fn left_words_found_without_the_regexes_are_where_the_regexes_match() {
        let lex = Lexicon::builtin().expect("lexicon");
        let scanner = Scanner::new(&lex).expect("scanner");
        let mut words = word_variants(&["trong", "(", "x", ""], left_words(&lex));
        // white space of other kinds (and more of it) between the parts of a word
        words.extend(left_words(&lex).map(|w| w.replace(' ', "\u{a0} ")));
        let befores = ["", "từ ", "TỪ\u{2003}", "a ", "từ", "𝐱 ", "nửa ", "quá "];
        let afters = ["", " ", "\u{a0}\u{a0}", "x ", " (", "( ", "(", " 𝐱 ", "\t"];
        let mut matched = 0;
        for w in &words {
            for b in befores {
                for a in afters {
                    let window = format!("{b}{w}{a}");
                    let cases = [
                        (&scanner.left_modifier, &scanner.modifier_end),
                        (&scanner.left_from, &scanner.from_end),
                        (&scanner.left_target, &scanner.target_end),
                    ];
                    for (re, end) in cases {
                        let want = re.find(&window).map(|m| m.start());
                        matched += usize::from(want.is_some());
                        assert_eq!(word_end_start(end, re, &window), want, "{window:?}");
                    }
                    let want = scanner
                        .left_period
                        .find(&window)
                        .map(|m| (m.start(), m.as_str().trim_start().starts_with('(')));
                    assert_eq!(scanner.period_cue(&window), want, "{window:?}");
                }
            }
        }
        assert!(matched > 200, "{matched}");
    }

    #[test]
    fn windows_ruled_out_by_their_last_word_match_no_left_word_pattern() {
        let lex = Lexicon::builtin().expect("lexicon");
        let scanner = Scanner::new(&lex).expect("scanner");
        let words = word_variants(&["trong", "(", "x"], left_words(&lex));
        let mut matched = 0;
        for w in &words {
            for b in ["", "từ ", "a "] {
                for a in ["", " ", "\u{a0}\u{a0}", "x ", " (", "( "] {
                    let window = format!("{b}{w}{a}");
                    let cases = [
                        (
                            &scanner.left_modifier,
                            scanner.modifier_end.may_match(&window),
                        ),
                        (&scanner.left_from, scanner.from_end.may_match(&window)),
                        (&scanner.left_target, scanner.target_end.may_match(&window)),
                        (
                            &scanner.left_period,
                            window.trim_end().ends_with('(')
                                || scanner.period_end.may_match(&window),
                        ),
                    ];
                    for (re, may) in cases {
                        if re.is_match(&window) {
                            matched += 1;
                            assert!(may, "{window:?} {}", re.as_str());
                        }
                    }
                }
            }
        }
        assert!(matched > 200, "{matched}");
    }
}
