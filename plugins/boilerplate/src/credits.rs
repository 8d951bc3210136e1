//! Credits: photo credits closing captions, bylines, source lines and outlet
//! datelines at the start of the lead.

use crate::latin::{is_alpha, is_upper};
use crate::rules::{words_lower, Rules};
use crate::shape::{count_words_upto, is_all_caps_word, is_name_like, more_words_than};
use regex::Regex;

/// A caption split from its credit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credited {
    /// The caption without the credit (empty for a credit-only line).
    pub caption: String,
    /// The credited name, if the credit names one.
    pub who: Option<String>,
}

/// Split a photo credit ("… hội nghị. Ảnh: Hồng Pha", "(Ảnh: K.C)") off the end of a block.
pub fn split_credit(rules: &Rules, text: &str) -> Option<Credited> {
    let credit = rules.photo_credit.captures(text);
    let (start, who) = if let Some(c) = credit {
        let who = c
            .name("who")
            .map(|w| w.as_str().trim().trim_end_matches('.').to_string());
        // A credited name is short and has no clause in it.
        if who.as_deref().is_some_and(|w| more_words_than(w, 8)) {
            return None;
        }
        (c.get(0)?.start(), who.filter(|w| !w.is_empty()))
    } else if let Some(m) = rules.photo_credit_bare.find(text) {
        (m.start(), None)
    } else {
        return None;
    };
    // The match may begin with the caption's own full stop: keep it.
    let start = if text[start..].starts_with('.') {
        start + 1
    } else {
        start
    };
    let caption = text[..start]
        .trim_end()
        .trim_end_matches(['-', '–', '—', '(', ',', ';'])
        .trim()
        .to_string();
    Some(Credited { caption, who })
}

/// Split a list of names ("XUÂN CƯỜNG – THÁI PHƯƠNG") on the configured separators.
pub fn split_names(rules: &Rules, names: &str) -> Vec<String> {
    let mut parts = vec![names];
    for sep in &rules.author_separators {
        if parts.iter().any(|p| p.contains(sep.as_str())) {
            parts = parts.iter().flat_map(|p| p.split(sep.as_str())).collect();
        }
    }
    parts
        .into_iter()
        .map(|p| p.trim().trim_end_matches('.').trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// A byline has at most this many words.
pub const BYLINE_MAX_WORDS: usize = 15;

/// A source line has at most this many words.
pub const SOURCE_MAX_WORDS: usize = 20;

/// The authors a byline names ("Tin, ảnh: MAI NGUYÊN", "QUỲNH OANH (tổng hợp)").
pub fn parse_byline(rules: &Rules, text: &str) -> Option<Vec<String>> {
    parse_byline_counted(rules, text, count_words_upto(text, BYLINE_MAX_WORDS + 1))
}

/// [`parse_byline`] of a text of `words` words (as [`crate::shape::word_count`]
/// counts them; any number above [`BYLINE_MAX_WORDS`] when there are more).
pub fn parse_byline_counted(rules: &Rules, text: &str, words: usize) -> Option<Vec<String>> {
    if words > BYLINE_MAX_WORDS {
        return None;
    }
    let names = rules.bylines.iter().find_map(|re| {
        re.captures(text)
            .and_then(|c| c.name("names"))
            .map(|m| m.as_str())
    })?;
    let names = split_names(rules, names);
    (!names.is_empty()).then_some(names)
}

/// The source a source line credits ("(nguồn: Cổng TTĐT Bộ Quốc phòng/Báo QĐND)").
pub fn parse_source(rules: &Rules, text: &str) -> Option<String> {
    parse_source_counted(rules, text, count_words_upto(text, SOURCE_MAX_WORDS + 1))
}

/// [`parse_source`] of a text of `words` words (as [`crate::shape::word_count`]
/// counts them; any number above [`SOURCE_MAX_WORDS`] when there are more).
pub fn parse_source_counted(rules: &Rules, text: &str, words: usize) -> Option<String> {
    if words > SOURCE_MAX_WORDS {
        return None;
    }
    rules.sources.iter().find_map(|re| {
        re.captures(text)
            .and_then(|c| c.name("source"))
            .map(|m| m.as_str().trim().to_string())
    })
}

/// A "Theo NAME OUTLET" credit after the body: the author (if a name comes
/// before the outlet words) and the source.
pub fn parse_tail_source(rules: &Rules, text: &str) -> Option<(Option<String>, String)> {
    if more_words_than(text, 12) {
        return None;
    }
    let src = rules
        .tail_source
        .captures(text)?
        .name("source")?
        .as_str()
        .trim();
    let words: Vec<&str> = src.split_whitespace().collect();
    let lower = words_lower(src);
    // Where the outlet part starts, if outlet words follow a name.
    let cut =
        (1..words.len()).find(|&i| rules.outlet_prefix_words.prefix_len(&lower[i..]).is_some());
    match cut {
        Some(i) if is_name_like(&words[..i].join(" "), 5) => {
            Some((Some(words[..i].join(" ")), words[i..].join(" ")))
        }
        _ => Some((None, src.to_string())),
    }
}

/// All-caps name words glued with a space after the last sentence of a block
/// ("… của khu vực. ANH QUÂN"): the byte offset where they start, and the name.
pub fn trailing_caps_name(text: &str) -> Option<(usize, String)> {
    let t = text.trim_end();
    let caps = |w: &str| is_all_caps_word(w) && w.chars().all(is_alpha);
    // From the end: the capitalised words (at most four), then the word before them.
    let mut words = t.split_whitespace().rev();
    let mut n = 0;
    let mut first = "";
    let prev = loop {
        let w = words.next()?;
        if !caps(w) {
            break w;
        }
        n += 1;
        first = w;
        if n > 4 {
            return None;
        }
    };
    if n < 2 || !crate::shape::ends_sentence(prev) {
        return None;
    }
    let start = first.as_ptr() as usize - t.as_ptr() as usize;
    Some((start, t[start..].to_string()))
}

/// The outlet dateline shapes, compiled (once, with the rules).
pub fn dateline_patterns() -> [Regex; 3] {
    // These are fixed structural shapes; an invalid one is a programming error
    // caught by the unit tests.
    let mk = |s: &str| Regex::new(s).unwrap_or_else(|e| panic!("dateline pattern {s:?}: {e}"));
    [
        // (Chinhphu.vn) – / (Ngày Nay) - / (HNM) -
        mk(r"^\((?P<o>[^():]{2,40})\)\s*[-–—]\s*"),
        // ANTĐ - / QĐND Online - / TTO -
        mk(r"^(?P<o>\p{Lu}[\p{Lu}\d]{1,9}(?:\s+Online)?)\s+[-–—]\s+"),
        // VOV.VN - / Chinhphu.vn –
        mk(r"^(?P<o>[\p{L}\d-]+(?:\.[\p{L}\d-]+)*\.(?i:vn|com|net|org|info))\s*[-–—]\s+"),
    ]
}

/// Whether `text` can start like one of the [`dateline_patterns`]: an opening
/// bracket, two capitals (or a capital and a digit), or a first word with a dot
/// in it. Saves running the patterns on ordinary paragraphs.
fn may_open_dateline(text: &str) -> bool {
    let mut chars = text.chars();
    let opens = match chars.next() {
        Some('(') => true,
        Some(c) if is_upper(c) => chars.next().is_some_and(|c| is_upper(c) || c.is_numeric()),
        _ => false,
    };
    opens
        || text
            .split(char::is_whitespace)
            .next()
            .is_some_and(|w| w.contains('.'))
}

/// An outlet dateline opening a paragraph ("(Chinhphu.vn) – ", "Biên phòng - "):
/// its byte length and the outlet name.
pub fn dateline(rules: &Rules, text: &str) -> Option<(usize, String)> {
    // Every dateline shape, and an outlet name's, has a dash after the name.
    // ('-', or '–' E2 80 93 or '—' E2 80 94, in one pass.)
    let b = text.as_bytes();
    let has_dash = memchr::memchr2_iter(b'-', 0xE2, b)
        .any(|k| b[k] == b'-' || matches!(b[k + 1..], [0x80, 0x93 | 0x94, ..]));
    if !has_dash {
        return None;
    }
    let found = may_open_dateline(text)
        .then(|| {
            rules.datelines.iter().find_map(|re| {
                let c = re.captures(text)?;
                Some((c.get(0)?.end(), c.name("o")?.as_str().trim().to_string()))
            })
        })
        .flatten();
    let found = found.or_else(|| {
        // A known outlet name followed by a dash.
        let is_dash = |w: &&str| ["-", "–", "—"].contains(w);
        // The dash follows the name, which has at most `max_len` words.
        if !crate::shape::split_words(text)
            .take(8)
            .skip(1)
            .take(rules.outlets.max_len())
            .any(|w| is_dash(&w))
        {
            return None;
        }
        let words: Vec<&str> = crate::shape::split_words(text).take(8).collect();
        let n = rules.outlets.prefix_len_of(&words.join(" "))?;
        let dash = words.get(n)?;
        if !is_dash(dash) {
            return None;
        }
        let name = words[..n].join(" ");
        let end = text.find(dash.to_owned())? + dash.len();
        let end = end + (text[end..].len() - text[end..].trim_start().len());
        Some((end, name))
    })?;
    // A dateline is followed by the sentence it opens.
    let rest = &text[found.0..];
    rest.chars()
        .next()
        .is_some_and(|c| is_upper(c) || c.is_ascii_digit() || "“\"".contains(c))
        .then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules {
        Rules::builtin().unwrap()
    }

    #[test]
    fn credits_split_off_captions() {
        let r = rules();
        let c = split_credit(&r, "Đại biểu dự hội nghị. Ảnh: Hồng Pha").unwrap();
        assert_eq!(c.caption, "Đại biểu dự hội nghị.");
        assert_eq!(c.who.as_deref(), Some("Hồng Pha"));
        let c = split_credit(&r, "Vũ khí thu giữ - Ảnh: K.C").unwrap();
        assert_eq!(c.caption, "Vũ khí thu giữ");
        let c = split_credit(&r, "Đoàn thăm đảo. (Ảnh: Duy Hiển)").unwrap();
        assert_eq!(c.caption, "Đoàn thăm đảo.");
        let c = split_credit(&r, "Ảnh: TTXVN.").unwrap();
        assert_eq!(c.caption, "");
        assert!(split_credit(&r, "Hội nghị thảo luận về ảnh hưởng của bão.").is_none());
    }

    #[test]
    fn bylines_name_authors() {
        let r = rules();
        assert_eq!(
            parse_byline(&r, "Tin, ảnh: MAI NGUYÊN"),
            Some(vec!["MAI NGUYÊN".to_string()])
        );
        assert_eq!(
            parse_byline(&r, "Tin, ảnh: XUÂN CƯỜNG – THÁI PHƯƠNG"),
            Some(vec!["XUÂN CƯỜNG".to_string(), "THÁI PHƯƠNG".to_string()])
        );
        assert_eq!(
            parse_byline(&r, "QUỲNH OANH (tổng hợp)"),
            Some(vec!["QUỲNH OANH".to_string()])
        );
        assert_eq!(
            parse_byline(&r, "Quốc Việt (TTXVN)"),
            Some(vec!["Quốc Việt".to_string()])
        );
        assert_eq!(parse_byline(&r, "Tin: Hội nghị diễn ra hôm nay với rất nhiều đại biểu tham dự từ khắp các tỉnh thành"), None);
    }

    #[test]
    fn source_lines() {
        let r = rules();
        assert_eq!(
            parse_source(&r, "(nguồn: Cổng TTĐT Bộ Quốc phòng/Báo QĐND)").as_deref(),
            Some("Cổng TTĐT Bộ Quốc phòng/Báo QĐND")
        );
        assert_eq!(
            parse_tail_source(&r, "Theo Phương Anh Báo điện tử ĐCS"),
            Some((
                Some("Phương Anh".to_string()),
                "Báo điện tử ĐCS".to_string()
            ))
        );
        assert_eq!(
            parse_tail_source(&r, "Theo TTXVN"),
            Some((None, "TTXVN".to_string()))
        );
    }

    #[test]
    fn trailing_all_caps_byline() {
        let t = "Câu cuối của bài báo. ANH QUÂN";
        let (at, name) = trailing_caps_name(t).unwrap();
        assert_eq!(name, "ANH QUÂN");
        assert_eq!(&t[..at], "Câu cuối của bài báo. ");
        assert_eq!(trailing_caps_name("Hợp tác với NATO và ASEAN"), None);
    }

    #[test]
    fn datelines() {
        let r = rules();
        assert_eq!(
            dateline(&r, "(Chinhphu.vn) – Chiều 23/5, Bộ")
                .map(|d| d.1)
                .as_deref(),
            Some("Chinhphu.vn")
        );
        assert_eq!(
            dateline(&r, "(Ngày Nay) - Ngày 27/12, Bộ")
                .map(|d| d.1)
                .as_deref(),
            Some("Ngày Nay")
        );
        assert_eq!(
            dateline(&r, "QĐND Online - Sáng 31-5, Thượng")
                .map(|d| d.1)
                .as_deref(),
            Some("QĐND Online")
        );
        // Each dash, also after quotes (E2 80 9C) that are no dash.
        for dash in ["-", "–", "—"] {
            let t = format!("ANTĐ {dash} Sáng “nay”");
            assert_eq!(dateline(&r, &t).map(|d| d.1).as_deref(), Some("ANTĐ"));
        }
        assert_eq!(dateline(&r, "ANTĐ “ Sáng nay"), None);
        let (len, o) = dateline(&r, "Biên phòng - Sáng 14-4, Bộ").unwrap();
        assert_eq!(o, "Biên phòng");
        assert_eq!(&"Biên phòng - Sáng 14-4, Bộ"[len..], "Sáng 14-4, Bộ");
        assert_eq!(
            dateline(&r, "VOV.VN - Sáng nay").map(|d| d.1).as_deref(),
            Some("VOV.VN")
        );
        assert_eq!(
            dateline(&r, "Trung tướng Võ Văn Tuấn - Phó Tổng tham mưu trưởng"),
            None
        );
    }
}
