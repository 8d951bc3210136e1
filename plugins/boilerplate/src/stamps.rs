//! Page date-times ("31/05/13 10:48 GMT+7", "Thứ hai, 29/05/2023 12:50 GMT+7") as RFC 3339.

use crate::rules::{parse_offset, Rules};
use regex::Captures;

/// A date-time found in a line: its byte range and its RFC 3339 value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// Start of the match.
    pub start: usize,
    /// End of the match.
    pub end: usize,
    /// `YYYY-MM-DDTHH:MM:SS±HH:MM`.
    pub value: String,
}

fn num(c: &Captures<'_>, name: &str) -> Option<i32> {
    c.name(name)?.as_str().parse().ok()
}

fn to_rfc3339(c: &Captures<'_>, default_offset: &str) -> Option<String> {
    let (d, m, mut y, h, mi) = (
        num(c, "d")?,
        num(c, "m")?,
        num(c, "y")?,
        num(c, "H")?,
        num(c, "M")?,
    );
    if c.name("y")?.as_str().len() == 2 {
        y += if y < 70 { 2000 } else { 1900 };
    }
    let dt = jiff::civil::DateTime::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
        i8::try_from(h).ok()?,
        i8::try_from(mi).ok()?,
        0,
        0,
    )
    .ok()?;
    let offset = match c.name("tz") {
        Some(tz) => {
            let hours: i32 = tz.as_str().trim_start_matches('+').parse().ok()?;
            if !(-12..=14).contains(&hours) {
                return None;
            }
            format!("{}{:02}:00", if hours < 0 { '-' } else { '+' }, hours.abs())
        }
        None => default_offset.to_string(),
    };
    parse_offset(&offset)?;
    Some(format!("{}{}", dt.strftime("%Y-%m-%dT%H:%M:%S"), offset))
}

/// The first valid date-time in `text`.
pub fn find_stamp(rules: &Rules, text: &str) -> Option<Stamp> {
    // Every stamp has its numbers in ASCII digits (see `to_rfc3339`).
    if !crate::shape::has_ascii_digit(text.as_bytes()) {
        return None;
    }
    // A text none of the patterns may match (for its literals) has no stamp.
    if !rules.timestamps.iter().any(|re| re.may_match(text)) {
        return None;
    }
    rules
        .timestamps
        .iter()
        .filter_map(|re| {
            re.captures_iter(text).find_map(|c| {
                let m = c.get(0)?;
                let value = to_rfc3339(&c, &rules.default_utc_offset)?;
                Some(Stamp {
                    start: m.start(),
                    end: m.end(),
                    value,
                })
            })
        })
        .min_by_key(|s| s.start)
}

/// The characters (besides whitespace) that may follow the stamp of a stamp line.
const AFTER_STAMP_CHARS: &str = "|-–()";

/// What may follow the stamp of a stamp line, as a pattern: whitespace and
/// [`AFTER_STAMP_CHARS`] (a necessary condition: see [`stamp_line`]).
pub const AFTER_STAMP: &str = r"[\s|\-–()]*";

/// If the whole line is a date-time (after an optional prefix such as
/// "Cập nhật:"), its RFC 3339 value.
pub fn stamp_line(rules: &Rules, text: &str) -> Option<String> {
    // Only whitespace and `AFTER_STAMP_CHARS` may follow a stamp (its last
    // byte tells for most texts), and a stamp has digits and its pattern's
    // literals.
    if !rules.stamp_at_end.edge_may(text)
        || !crate::shape::has_ascii_digit(text.as_bytes())
        || !rules.timestamps.iter().any(|re| re.may_match(text))
        || !rules.stamp_at_end.check(text).any()
    {
        return None;
    }
    whole_line_stamp(rules, text)
}

/// [`stamp_line`] without its pre-checks.
fn whole_line_stamp(rules: &Rules, text: &str) -> Option<String> {
    let s = find_stamp(rules, text)?;
    let before = text[..s.start]
        .trim()
        .trim_end_matches([':', '|', '-'])
        .trim();
    let after = text[s.end..]
        .trim()
        .trim_matches(|c: char| AFTER_STAMP_CHARS.contains(c))
        .trim();
    let before_ok = before.is_empty()
        || rules
            .stamp_prefixes
            .is_exactly(&crate::rules::words_lower(before));
    (before_ok && after.is_empty()).then_some(s.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules {
        Rules::builtin().unwrap()
    }

    #[test]
    fn short_year_stamp_with_zone() {
        assert_eq!(
            stamp_line(&rules(), "31/05/13 10:48 GMT+7").as_deref(),
            Some("2013-05-31T10:48:00+07:00")
        );
    }

    #[test]
    fn weekday_stamp_and_prefix() {
        let r = rules();
        assert_eq!(
            stamp_line(&r, "Cập nhật: Thứ hai, 29/05/2023 12:50").as_deref(),
            Some("2023-05-29T12:50:00+07:00")
        );
        assert_eq!(
            stamp_line(&r, "12:50 29/05/2023").as_deref(),
            Some("2023-05-29T12:50:00+07:00")
        );
    }

    #[test]
    fn stamps_inside_prose_are_not_stamp_lines() {
        let r = rules();
        assert_eq!(stamp_line(&r, "Lúc 10:48 ngày 31/05/2013 đoàn đến."), None);
        let s = find_stamp(
            &r,
            "Hotline: 0912 - (024) 3936Thứ hai, 29/05/2023 12:50 GMT+7",
        )
        .unwrap();
        assert_eq!(s.value, "2023-05-29T12:50:00+07:00");
    }

    #[test]
    fn page_clock_shapes() {
        let r = rules();
        for (line, want) in [
            ("Thứ Năm, 05/09/2019 - 18:32", "2019-09-05T18:32:00+07:00"),
            (
                "Thứ Ba, 16/03/2021 | 07:45 GMT+7",
                "2021-03-16T07:45:00+07:00",
            ),
            ("Thứ Bảy, 15/10/2022, 10:47", "2022-10-15T10:47:00+07:00"),
            (
                "Chủ Nhật, 16/11/2023 16:20 (GMT+07:00)",
                "2023-11-16T16:20:00+07:00",
            ),
            (
                "Cập nhật lúc 15:20 ngày 18/08/2017",
                "2017-08-18T15:20:00+07:00",
            ),
        ] {
            assert_eq!(stamp_line(&r, line).as_deref(), Some(want), "{line}");
        }
    }

    #[test]
    fn impossible_dates_are_rejected() {
        assert_eq!(stamp_line(&rules(), "31/02/2023 10:00"), None);
    }

    #[test]
    fn pre_checks_change_no_stamp_line() {
        let r = rules();
        let stamps = [
            "31/05/13 10:48 GMT+7",
            "Thứ hai, 29/05/2023 12:50",
            "15:20 ngày 18/08/2017",
            "05/09/2019 - 18:32 (GMT+7)",
            "1/1/2020 9h05",
        ];
        let mut found = 0;
        for st in stamps {
            for t in [
                st.to_string(),
                format!("Cập nhật: {st}"),
                format!("  {st}  "),
                format!("{st} |"),
                format!("{st} – "),
                format!("({st})"),
                format!("{st} )-( "),
                format!("{st}."),
                format!("{st} x"),
                format!("Ngày {st}"),
                format!("Sáng {st}, mưa lớn."),
                format!("{st} | Lượt xem: 356"),
            ] {
                let want = whole_line_stamp(&r, &t);
                found += usize::from(want.is_some());
                assert_eq!(stamp_line(&r, &t), want, "{t:?}");
            }
        }
        assert!(found >= 20, "{found}");
    }
}
