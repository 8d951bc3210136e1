//! The word lists the scanner is built from, loaded from YAML (`config/dates.vi.yaml`).
//!
//! Everything language-specific that is a *word* lives here; the numeric grammar
//! (separators, digit counts, calendar checks) lives in [`crate::scan`].

use serde::Deserialize;
use std::collections::BTreeMap;

/// The lexicon shipped with the crate, used when the `lexicon` setting is absent.
pub const DEFAULT_YAML: &str = include_str!("../../../config/dates.vi.yaml");

/// The unit of a relative period ("tuần trước" = the week before).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// A calendar day.
    Day,
    /// An ISO week, Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
    /// A calendar year.
    Year,
}

/// A relative period: its unit and how many units from the reference date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelativePeriod {
    /// Week, month or year.
    pub unit: Unit,
    /// Units from the reference date's own (0 = this, -1 = previous, 1 = next).
    pub offset: i32,
}

/// The lexicon: see the comments in `config/dates.vi.yaml` for each key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lexicon {
    /// "ngày".
    pub day_words: Vec<String>,
    /// "tháng".
    pub month_words: Vec<String>,
    /// "năm".
    pub year_words: Vec<String>,
    /// "quý".
    pub quarter_words: Vec<String>,
    /// "những năm", "thập niên".
    pub decade_words: Vec<String>,
    /// "giai đoạn", "nhiệm kỳ".
    pub period_words: Vec<String>,
    /// Part-of-day word -> reported value.
    pub part_of_day: BTreeMap<String, String>,
    /// `part_of_day` values that move hours below 12 by 12.
    pub pm_parts: Vec<String>,
    /// `part_of_day` values that move hours 6..12 by 12.
    pub night_parts: Vec<String>,
    /// Suffix after a part-of-day word -> day offset.
    pub relative_suffixes: BTreeMap<String, i32>,
    /// Relative day word -> day offset.
    pub relative_days: BTreeMap<String, i32>,
    /// Relative period words.
    pub relative_periods: BTreeMap<String, RelativePeriod>,
    /// Words that make a following relative period a duration.
    pub quantity_words: Vec<String>,
    /// Weekday names.
    pub weekdays: Vec<String>,
    /// Clock hour words.
    pub hour_words: Vec<String>,
    /// Clock minute words.
    pub minute_words: Vec<String>,
    /// Words before a clock time after a date ("ngày 15/3 lúc 8h").
    pub clock_words: Vec<String>,
    /// "từ".
    pub range_from: Vec<String>,
    /// "đến", "tới".
    pub range_to: Vec<String>,
    /// Words allowed between "đến" and the end of a range ("hết").
    pub range_fillers: Vec<String>,
    /// "và", "hoặc".
    pub list_joiners: Vec<String>,
    /// "đầu", "cuối".
    pub modifiers: Vec<String>,
    /// "đến", "trước" before a deadline year.
    pub target_words: Vec<String>,
    /// UTC offset for clock times written without one, as `+HH:MM`.
    pub utc_offset: String,
    /// Inclusive range of years accepted after a year word.
    pub cued_years: [i32; 2],
    /// Inclusive range of years accepted without a year word.
    pub bare_years: [i32; 2],
}

impl Lexicon {
    /// Parse and check a lexicon from YAML text; `origin` names it in error messages.
    pub fn from_yaml(text: &str, origin: &str) -> Result<Lexicon, String> {
        let lex: Lexicon =
            serde_norway::from_str(text).map_err(|e| format!("dates lexicon {origin}: {e}"))?;
        lex.check()
            .map_err(|e| format!("dates lexicon {origin}: {e}"))?;
        Ok(lex)
    }

    /// The lexicon shipped with the crate.
    pub fn builtin() -> Result<Lexicon, String> {
        Lexicon::from_yaml(DEFAULT_YAML, "(built-in)")
    }

    fn check(&self) -> Result<(), String> {
        let required: [(&str, &Vec<String>); 5] = [
            ("day_words", &self.day_words),
            ("month_words", &self.month_words),
            ("year_words", &self.year_words),
            ("range_from", &self.range_from),
            ("range_to", &self.range_to),
        ];
        for (key, list) in required {
            if list.iter().all(|w| w.trim().is_empty()) {
                return Err(format!("`{key}` needs at least one word"));
            }
        }
        if crate::scan::parse_offset(&self.utc_offset).is_none() {
            return Err(format!(
                "`utc_offset` must look like +07:00, got {:?}",
                self.utc_offset
            ));
        }
        for (key, [lo, hi]) in [
            ("cued_years", self.cued_years),
            ("bare_years", self.bare_years),
        ] {
            if lo > hi || lo < 1 || hi > 9999 {
                return Err(format!("`{key}` must be [low, high] within 1..=9999"));
            }
        }
        Ok(())
    }
}

/// A regex alternation matching any of `words` as whole phrases: longest first,
/// escaped, with each space matching any run of whitespace. Empty lists give a
/// pattern that never matches.
pub fn alternation<'a>(words: impl IntoIterator<Item = &'a String>) -> String {
    let words = alternation_order(words);
    if words.is_empty() {
        return r"(?:[^\s\S])".to_string();
    }
    let parts: Vec<String> = words
        .iter()
        .map(|w| {
            w.split_whitespace()
                .map(regex::escape)
                .collect::<Vec<_>>()
                .join(r"\s+")
        })
        .collect();
    format!("(?:{})", parts.join("|"))
}

/// The words of [`alternation`] in the order it writes them (the order a regex tries them):
/// trimmed, empty ones left out, longest (in chars) first, neighbouring duplicates once.
pub fn alternation_order<'a>(words: impl IntoIterator<Item = &'a String>) -> Vec<&'a str> {
    let mut words: Vec<&str> = words
        .into_iter()
        .map(|w| w.trim())
        .filter(|w| !w.is_empty())
        .collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    words.dedup();
    words
}

/// The lookup key of a matched phrase: lower case, single spaces.
pub fn key(phrase: &str) -> String {
    if phrase.contains('Σ') {
        // `str::to_lowercase` lowers a capital sigma by its place in the word
        return phrase
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
    }
    // otherwise char by char, as `str::to_lowercase` does, in one buffer
    let mut out = String::with_capacity(phrase.len());
    for word in phrase.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_lower_case_with_single_spaces() {
        for phrase in ["Sáng  Nay", " HÔM\tQUA ", "İstanbul ẞ", "ΟΔΟΣ Σ", "", "  "] {
            let expected = phrase
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            assert_eq!(key(phrase), expected, "{phrase:?}");
        }
    }

    #[test]
    fn builtin_lexicon_parses() {
        let lex = Lexicon::builtin().expect("built-in lexicon");
        assert_eq!(
            lex.part_of_day.get("sáng").map(String::as_str),
            Some("morning")
        );
        assert!(lex.period_words.iter().any(|w| w == "giai đoạn"));
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let mut text = DEFAULT_YAML.to_string();
        text.push_str("\nmonths_typo: [x]\n");
        let err = Lexicon::from_yaml(&text, "test").unwrap_err();
        assert!(err.contains("months_typo"), "{err}");
    }

    #[test]
    fn bad_offset_is_rejected() {
        let text = DEFAULT_YAML.replace("utc_offset: \"+07:00\"", "utc_offset: \"seven\"");
        assert!(Lexicon::from_yaml(&text, "test").is_err());
    }

    #[test]
    fn alternation_prefers_longer_phrases() {
        let words = vec!["sáng".to_string(), "rạng sáng".to_string()];
        let re = regex::Regex::new(&format!("^{}$", alternation(&words))).expect("regex");
        assert!(re.is_match("rạng  sáng"));
        assert!(re.is_match("sáng"));
        let none = regex::Regex::new(&alternation(&Vec::new())).expect("regex");
        assert!(!none.is_match("anything"));
    }
}
