//! Turning mentions into records: the year of a day-month, relative dates, ISO values.
//!
//! A day-month (or month) written without its year takes it from, in order:
//! 1. `text`: the nearest year written in the same sentence: a year expression
//!    ("năm 2024", "tháng 5/2023", a full date) or, only when there is none, a year
//!    right after a capitalised name ("Ất Tỵ 2025", "ASEAN 2020": the name of an
//!    event, often a coming one). Years of intervals ("giai đoạn 2016-2021") and
//!    deadlines ("đến năm 2025") are not used: they do not say when things happen.
//!    The end of an interval (`từ ngày 10 đến 14/10`) also looks, failing that, at
//!    the sentences right before and after its own in the same paragraph ("… từ
//!    ngày 10 đến 14/10. … vào ngày 18/11/2022."), as its two ends are only one
//!    record with a year. Failing that, the one year the headline (`title`)
//!    writes, if it writes exactly one; then the lead's date: a full date that is
//!    the text's first date expression and opens its first paragraph, after at
//!    most a short outlet tag ("Ngày 5/9/2019, tại…", "TGVN. Ngày 14/10/2022,"),
//!    used like `published` below (the year that puts the day-month in the window
//!    around it). When `published` is known, a text year only counts if it
//!    agrees with it (see below): one that does not is the period a report reviews;
//! 2. `published`: the page's publication date;
//! 3. `file`: the input file's modification time.
//!
//! From a reference date (2 or 3) the year is the one that puts the day-month within
//! the year-long window ending 60 days after the page date ("28/12" in a page of 10 Jan
//! 2025 is 2024-12-28; "3/1" in a page of 30 Dec 2024 is 2025-01-03), or ending 31 days
//! after the file's modification time (a file is written after its page). With none of these, the value is `--MM-DD` and `year_source` is
//! `unknown`.

use crate::lexicon::Unit;
use crate::scan::{Kind, Mention, Partial, Scan, Scanner};
use crate::text::{sentence_after, sentence_at, sentence_before, CharIndex};
use jiff::civil::Date;
use jiff::ToSpan;
use serde::Serialize;

/// Where the year of a record comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum YearSource {
    /// Written in the expression, a sentence near it, the headline, or the lead's date.
    Text,
    /// The page's publication date (field `published`).
    Published,
    /// The input file's modification time.
    File,
    /// Nowhere: the value leaves the year out (`--MM-DD`).
    Unknown,
}

/// One entry of the `dates` field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DateRecord {
    /// The expression as written, cue words included ("Sáng 14-4", "giai đoạn 2016-2021").
    pub text: String,
    /// Char offset of its first char in the record's text.
    pub start: usize,
    /// Char offset just after its last char.
    pub end: usize,
    /// ISO 8601 value, or `None` for a relative date without a reference date.
    pub value: Option<String>,
    /// `minute`, `day`, `week`, `month`, `quarter`, `year` or `decade`.
    pub precision: &'static str,
    /// `part_of_day` value from the lexicon ("morning"), or `None`.
    pub part_of_day: Option<String>,
    /// Where the year comes from.
    pub year_source: YearSource,
}

impl YearSource {
    /// Its name in the output, as it serialises.
    pub fn as_str(self) -> &'static str {
        match self {
            YearSource::Text => "text",
            YearSource::Published => "published",
            YearSource::File => "file",
            YearSource::Unknown => "unknown",
        }
    }
}

/// The keys of a record's JSON object, in the order its map keeps them (sorted: serde_json
/// without `preserve_order`, which a test checks).
const KEYS: [&str; 7] = [
    "end",
    "part_of_day",
    "precision",
    "start",
    "text",
    "value",
    "year_source",
];

/// A record's JSON object with every value `null`, to be cloned: a clone copies the map's
/// one node as it is, where inserting the keys one by one searches and shifts them.
fn template() -> &'static serde_json::Map<String, serde_json::Value> {
    static TEMPLATE: std::sync::OnceLock<serde_json::Map<String, serde_json::Value>> =
        std::sync::OnceLock::new();
    TEMPLATE.get_or_init(|| {
        KEYS.iter()
            .map(|k| (k.to_string(), serde_json::Value::Null))
            .collect()
    })
}

impl DateRecord {
    /// The record as a JSON object, exactly as it serialises, moving its strings instead
    /// of copying them.
    pub fn into_json(self) -> serde_json::Value {
        use serde_json::Value;
        let text_or_null = |s: Option<String>| s.map_or(Value::Null, Value::String);
        // in the order of `KEYS`
        let values = [
            Value::from(self.end),
            text_or_null(self.part_of_day),
            Value::from(self.precision),
            Value::from(self.start),
            Value::String(self.text),
            text_or_null(self.value),
            Value::from(self.year_source.as_str()),
        ];
        let mut map = template().clone();
        for (slot, value) in map.values_mut().zip(values) {
            *slot = value;
        }
        Value::Object(map)
    }
}

/// What the plugin knows besides the text.
#[derive(Debug, Clone, Default)]
pub struct Reference<'a> {
    /// The headline, if any.
    pub title: Option<&'a str>,
    /// The page's publication date.
    pub published: Option<Date>,
    /// The input file's modification date.
    pub file: Option<Date>,
    /// UTC offset for clock times written without one.
    pub utc_offset: &'a str,
}

/// The calendar date at the start of an RFC 3339 string ("2023-05-29T12:50:00+07:00"),
/// in the offset the string itself uses.
pub fn date_of(rfc3339: &str) -> Option<Date> {
    rfc3339.get(..10)?.parse::<Date>().ok()
}

/// Years that may lend themselves to a day-month: (byte offset, year, whether it is
/// only a year in a name such as "Tết Ất Tỵ 2025").
fn evidence(scanner: &Scanner, text: &str, scan: &Scan) -> Vec<(usize, i32, bool)> {
    let mut out: Vec<(usize, i32, bool)> = scan
        .mentions
        .iter()
        .filter(|m| !scanner.is_target(text, m.start))
        .filter_map(|m| match &m.kind {
            Kind::Point(p) => p.year.map(|y| (m.start, y, false)),
            Kind::Quarter { year, .. } => Some((m.start, *year, false)),
            _ => None,
        })
        .collect();
    out.extend(scan.named_years.iter().map(|&(p, y)| (p, y, true)));
    out.sort();
    out
}

/// Days after the page date a day-month without its year may fall (an announced event).
const AHEAD_OF_PUBLISHED: i64 = 60;
/// Days after the file's modification time: a file is written after its page, so
/// its dates lean further to the past.
const AHEAD_OF_FILE: i64 = 31;

/// The year from a reference date that puts `month`/`day` in the year-long window
/// ending `ahead` days after it (see the module docs).
fn year_near(reference: Date, month: u8, day: Option<u8>, ahead: i64) -> i32 {
    let year = i32::from(reference.year());
    let at = |y: i32| -> Option<Date> {
        let y = i16::try_from(y).ok()?;
        let d = day.unwrap_or(15) as i8;
        Date::new(y, month as i8, d)
            .or_else(|_| Date::new(y, month as i8, 28))
            .ok()
    };
    let Some(date) = at(year) else { return year };
    let late = reference.checked_add(ahead.days()).ok();
    let early = reference.checked_sub((365 - ahead).days()).ok();
    if late.is_some_and(|l| date > l) {
        year - 1
    } else if early.is_some_and(|e| date < e) {
        year + 1
    } else {
        year
    }
}

struct Resolver<'a> {
    text: &'a str,
    evidence: Vec<(usize, i32, bool)>,
    title_year: Option<i32>,
    lead: Option<Date>,
    reference: &'a Reference<'a>,
    chars: CharIndex<'a>,
}

impl Resolver<'_> {
    /// The year of a point written without one, and where it came from.
    ///
    /// A year from the text that contradicts the page's own date (the day-month would
    /// fall outside the window around `published`) is the period a report reviews
    /// ("đánh giá kết quả năm 2012" in a page of May 2013), not the year of the event:
    /// with `published` known, only a text year that agrees with it counts.
    ///
    /// `wide` (for an interval) also looks at the sentences right before and after the
    /// one at `pos` in its paragraph.
    fn infer(
        &self,
        pos: usize,
        month: u8,
        day: Option<u8>,
        wide: bool,
    ) -> (Option<i32>, YearSource) {
        let from_published = self
            .reference
            .published
            .map(|d| year_near(d, month, day, AHEAD_OF_PUBLISHED));
        let agrees = |y: i32| !matches!(from_published, Some(p) if p != y);
        let nearest = |spans: &[(usize, usize)]| -> Option<i32> {
            let mut near: Vec<&(usize, i32, bool)> = self
                .evidence
                .iter()
                .filter(|(p, _, _)| spans.iter().any(|(a, b)| (a..b).contains(&p)))
                .collect();
            near.sort_by_key(|(p, _, named)| (*named, p.abs_diff(pos)));
            near.iter().map(|(_, y, _)| *y).find(|&y| agrees(y))
        };
        if let Some(sentence) = sentence_at(self.text, pos) {
            if let Some(y) = nearest(&[sentence]) {
                return (Some(y), YearSource::Text);
            }
            if wide {
                if let Some(y) = nearest(&self.neighbours(sentence)) {
                    return (Some(y), YearSource::Text);
                }
            }
        }
        if let Some(y) = self.title_year.filter(|&y| agrees(y)) {
            return (Some(y), YearSource::Text);
        }
        if let Some(y) = self
            .lead
            .map(|d| year_near(d, month, day, AHEAD_OF_PUBLISHED))
            .filter(|&y| agrees(y))
        {
            return (Some(y), YearSource::Text);
        }
        if let Some(y) = from_published {
            return (Some(y), YearSource::Published);
        }
        if let Some(d) = self.reference.file {
            return (
                Some(year_near(d, month, day, AHEAD_OF_FILE)),
                YearSource::File,
            );
        }
        (None, YearSource::Unknown)
    }

    /// The sentences right before and after `sentence`, within its paragraph (a
    /// sentence that ends a line ends its paragraph).
    fn neighbours(&self, (start, end): (usize, usize)) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        if start > 0 && !self.text[..start].ends_with('\n') {
            out.push(sentence_before(self.text, start));
        }
        if end < self.text.len() && !self.text[start..end].ends_with('\n') {
            out.push(sentence_after(self.text, end));
        }
        out
    }

    /// Fill in the year of `p` if missing: (point, source). `wide`: see [`Self::infer`].
    fn complete(&self, pos: usize, p: &Partial, wide: bool) -> (Partial, YearSource) {
        match (p.year, p.month) {
            (Some(_), _) => (p.clone(), YearSource::Text),
            (None, Some(m)) => {
                let (year, src) = self.infer(pos, m, p.day, wide);
                let mut q = p.clone();
                q.year = year;
                if let (Some(y), Some(d)) = (year, p.day) {
                    // 29 February of a year without one: the year is not known after all.
                    let ok = i16::try_from(y).is_ok_and(|y| Date::new(y, m as i8, d as i8).is_ok());
                    if !ok {
                        q.year = None;
                        return (q, YearSource::Unknown);
                    }
                }
                (q, src)
            }
            (None, None) => (p.clone(), YearSource::Unknown),
        }
    }

    fn record(
        &self,
        start: usize,
        end: usize,
        value: Option<String>,
        precision: &'static str,
        m: &Mention,
        src: YearSource,
    ) -> DateRecord {
        DateRecord {
            text: self.text[start..end].to_string(),
            start: self.chars.char_at(start),
            end: self.chars.char_at(end),
            value,
            precision,
            part_of_day: m.part_of_day.clone(),
            year_source: src,
        }
    }

    fn records(&self, m: &Mention, out: &mut Vec<DateRecord>) {
        match &m.kind {
            Kind::Point(p) => {
                let (q, src) = self.complete(m.start, p, false);
                out.push(self.record(
                    m.start,
                    m.end,
                    Some(format_point(&q, self.reference.utc_offset)),
                    precision(&q),
                    m,
                    src,
                ));
            }
            Kind::Interval(a, b) => self.interval(m, a, b, out),
            Kind::Quarter { year, quarter } => {
                let first = (quarter - 1) * 3 + 1;
                let value = format!("{year:04}-{first:02}/{year:04}-{:02}", first + 2);
                out.push(self.record(m.start, m.end, Some(value), "quarter", m, YearSource::Text));
            }
            Kind::Decade { year } => {
                let value = format!("{year:04}/{:04}", year + 9);
                out.push(self.record(m.start, m.end, Some(value), "decade", m, YearSource::Text));
            }
            Kind::Relative { unit, offset } => {
                let (reference, src) = match (self.reference.published, self.reference.file) {
                    (Some(d), _) => (Some(d), YearSource::Published),
                    (None, Some(d)) => (Some(d), YearSource::File),
                    (None, None) => (None, YearSource::Unknown),
                };
                let value = reference.and_then(|d| relative_value(d, *unit, *offset));
                let precision = match unit {
                    Unit::Day => "day",
                    Unit::Week => "week",
                    Unit::Month => "month",
                    Unit::Year => "year",
                };
                out.push(self.record(m.start, m.end, value, precision, m, src));
            }
        }
    }

    /// One `START/END` record when the text gives the year; otherwise its two ends.
    fn interval(&self, m: &Mention, a: &Partial, b: &Partial, out: &mut Vec<DateRecord>) {
        let (mut a, mut b) = (a.clone(), b.clone());
        let mut src = YearSource::Text;
        if b.year.is_none() {
            let (q, s) = self.complete(m.start, &b, true);
            b = q;
            src = s;
        }
        if a.year.is_none() {
            a.year = b.year;
            if let Some(y) = b.year {
                if (a.month, a.day) > (b.month, b.day) {
                    a.year = Some(y - 1);
                }
            }
        }
        let off = self.reference.utc_offset;
        match (src, m.parts) {
            (YearSource::Text, _) | (_, None) => {
                let value = format!("{}/{}", format_point(&a, off), format_point(&b, off));
                out.push(self.record(m.start, m.end, Some(value), precision(&b), m, src));
            }
            (_, Some([(sa, ea), (sb, eb)])) => {
                out.push(self.record(sa, ea, Some(format_point(&a, off)), precision(&a), m, src));
                out.push(self.record(sb, eb, Some(format_point(&b, off)), precision(&b), m, src));
            }
        }
    }
}

/// The ISO 8601 text of a point; `--MM-DD` (or `--MM`) without a year.
pub fn format_point(p: &Partial, utc_offset: &str) -> String {
    let mut s = String::with_capacity(32);
    match (p.year, p.month, p.day) {
        (Some(y), Some(m), Some(d)) => {
            push_year(&mut s, y);
            s.push('-');
            push_two(&mut s, m);
            s.push('-');
            push_two(&mut s, d);
        }
        (Some(y), Some(m), None) => {
            push_year(&mut s, y);
            s.push('-');
            push_two(&mut s, m);
        }
        (Some(y), None, _) => push_year(&mut s, y),
        (None, Some(m), Some(d)) => {
            s.push_str("--");
            push_two(&mut s, m);
            s.push('-');
            push_two(&mut s, d);
        }
        (None, Some(m), None) => {
            s.push_str("--");
            push_two(&mut s, m);
        }
        (None, None, Some(d)) => {
            s.push_str("---");
            push_two(&mut s, d);
        }
        (None, None, None) => {}
    }
    if let (Some((h, mi)), Some(_)) = (p.time, p.day) {
        let off = p.offset.as_deref().unwrap_or(utc_offset);
        s.push('T');
        push_two(&mut s, h);
        s.push(':');
        push_two(&mut s, mi);
        s.push_str(off);
    }
    s
}

/// Appends `y` as `format!("{y:04}")` writes it.
fn push_year(s: &mut String, y: i32) {
    match u32::try_from(y) {
        Ok(y @ 0..=9999) => {
            for div in [1000, 100, 10, 1] {
                s.push(char::from(b'0' + (y / div % 10) as u8));
            }
        }
        _ => s.push_str(&format!("{y:04}")),
    }
}

/// Appends `n` as `format!("{n:02}")` writes it.
fn push_two(s: &mut String, n: u8) {
    if n < 100 {
        s.push(char::from(b'0' + n / 10));
        s.push(char::from(b'0' + n % 10));
    } else {
        s.push_str(&n.to_string());
    }
}

fn precision(p: &Partial) -> &'static str {
    match (p.time, p.day, p.month) {
        (Some(_), Some(_), _) => "minute",
        (_, Some(_), _) => "day",
        (_, None, Some(_)) => "month",
        _ => "year",
    }
}

/// The value of a relative period from its reference date.
fn relative_value(reference: Date, unit: Unit, offset: i32) -> Option<String> {
    match unit {
        Unit::Day => {
            let d = reference.checked_add(i64::from(offset).days()).ok()?;
            Some(d.to_string())
        }
        Unit::Week => {
            let back = i64::from(reference.weekday().to_monday_zero_offset());
            let monday = reference
                .checked_sub(back.days())
                .ok()?
                .checked_add((7 * i64::from(offset)).days())
                .ok()?;
            let sunday = monday.checked_add(6.days()).ok()?;
            Some(format!("{monday}/{sunday}"))
        }
        Unit::Month => {
            let first = reference
                .first_of_month()
                .checked_add(i64::from(offset).months())
                .ok()?;
            Some(format!("{:04}-{:02}", first.year(), first.month()))
        }
        Unit::Year => Some(format!("{:04}", i32::from(reference.year()) + offset)),
    }
}

/// Bytes of text that may stand before the lead date in the first paragraph: an
/// outlet tag ("TGVN. ", "(QĐND) - ").
const LEAD_PREFIX: usize = 40;

/// The date of the lead: a full date that is the text's first date expression and
/// opens its first paragraph, after at most a short outlet tag ("Ngày 5/9/2019, tại…",
/// "TGVN. Ngày 14/10/2022, …"). News leads open with the day of the event they report.
fn lead_date(scanner: &Scanner, text: &str, scan: &Scan) -> Option<Date> {
    let first = scan.mentions.first()?;
    let Kind::Point(p) = &first.kind else {
        return None;
    };
    let prefix = text[..first.start].trim_start();
    if prefix.len() > LEAD_PREFIX || prefix.contains('\n') || scanner.is_target(text, first.start) {
        return None;
    }
    let (y, m, d) = (i16::try_from(p.year?).ok()?, p.month?, p.day?);
    Date::new(y, m as i8, d as i8).ok()
}

/// All records for `text`, in text order.
pub fn resolve(
    scanner: &Scanner,
    text: &str,
    scan: &Scan,
    reference: &Reference<'_>,
) -> Vec<DateRecord> {
    let title_year = reference.title.and_then(|title| {
        let title_scan = scanner.scan(title, false);
        let mut years: Vec<i32> = evidence(scanner, title, &title_scan)
            .into_iter()
            .map(|(_, y, _)| y)
            .collect();
        years.sort();
        years.dedup();
        (years.len() == 1).then(|| years[0])
    });
    let resolver = Resolver {
        text,
        evidence: evidence(scanner, text, scan),
        title_year,
        lead: lead_date(scanner, text, scan),
        reference,
        chars: CharIndex::new(text),
    };
    let mut out = Vec::new();
    for m in &scan.mentions {
        resolver.records(m, &mut out);
    }
    out.sort_by_key(|r| r.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_maps_sort_their_keys() {
        // `DateRecord::into_json` fills the values of its template in the order of `KEYS`
        let mut map = serde_json::Map::new();
        map.insert("b".to_string(), serde_json::Value::Null);
        map.insert("a".to_string(), serde_json::Value::Null);
        assert_eq!(map.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(template().keys().collect::<Vec<_>>(), KEYS);
    }

    #[test]
    fn points_are_formatted_as_format_writes_them() {
        for y in [
            None,
            Some(0),
            Some(7),
            Some(999),
            Some(2024),
            Some(9999),
            Some(10000),
            Some(-5),
        ] {
            for m in [None, Some(1), Some(12), Some(100), Some(255)] {
                for d in [None, Some(3), Some(31)] {
                    for time in [None, Some((0, 5)), Some((23, 59))] {
                        for offset in [None, Some("+05:30".to_string())] {
                            let p = Partial {
                                year: y,
                                month: m,
                                day: d,
                                time,
                                offset: offset.clone(),
                            };
                            let mut expected = match (y, m, d) {
                                (Some(y), Some(m), Some(d)) => format!("{y:04}-{m:02}-{d:02}"),
                                (Some(y), Some(m), None) => format!("{y:04}-{m:02}"),
                                (Some(y), None, _) => format!("{y:04}"),
                                (None, Some(m), Some(d)) => format!("--{m:02}-{d:02}"),
                                (None, Some(m), None) => format!("--{m:02}"),
                                (None, None, Some(d)) => format!("---{d:02}"),
                                (None, None, None) => String::new(),
                            };
                            if let (Some((h, mi)), Some(_)) = (time, d) {
                                let off = offset.as_deref().unwrap_or("+07:00");
                                expected.push_str(&format!("T{h:02}:{mi:02}{off}"));
                            }
                            assert_eq!(format_point(&p, "+07:00"), expected, "{p:?}");
                        }
                    }
                }
            }
        }
    }
}
