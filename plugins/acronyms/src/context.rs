//! Choosing between the senses of an ambiguous short form (BTC: "Ban Tổ chức" or "Bộ Tài
//! chính") from the article's own words.
//!
//! Each sense scores:
//! - 3 when its long form is written in the article;
//! - 1 for each of its context words anywhere in the article, 2 more when the word is within
//!   [`WINDOW`] bytes of a mention;
//! - 4 when its `before` or `after` pattern matches at a mention ("Công ty CP", "SN 1978").
//!
//! The best sense wins only with a score of 3 or more and at least twice the runner-up's;
//! otherwise the short form stays unresolved (never a confident wrong answer).

use crate::dictionary::Sense;
use crate::vietnamese::{contains_phrase, lower};
use std::cell::OnceCell;

/// How far around a mention context words count double, in bytes.
pub const WINDOW: usize = 120;

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i.min(text.len())
}

/// The score of each sense (see the module docs).
pub fn scores(text: &str, mentions: &[(usize, usize)], senses: &[Sense]) -> Vec<u32> {
    scores_in(text, &lower(text), mentions, senses)
}

/// [`scores`], with the text's lower case already at hand (`doc` is `lower(text)`).
pub fn scores_in(text: &str, doc: &str, mentions: &[(usize, usize)], senses: &[Sense]) -> Vec<u32> {
    // The lower case around each mention, made only when a context word of the article is
    // looked for there (and only up to the first window that has it).
    let cells: Vec<OnceCell<String>> = mentions.iter().map(|_| OnceCell::new()).collect();
    let window = |i: usize| {
        cells[i].get_or_init(|| {
            let (s, e) = mentions[i];
            let a = floor_boundary(text, s.saturating_sub(WINDOW));
            let b = ceil_boundary(text, e + WINDOW);
            let mut joined = String::with_capacity(s - a + 1 + b - e);
            joined.push_str(&text[a..s]);
            joined.push(' ');
            joined.push_str(&text[e..b]);
            lower(&joined)
        })
    };
    senses
        .iter()
        .map(|sense| {
            let mut score = 0;
            if contains_phrase(doc, &lower(&sense.long)) {
                score += 3;
            }
            for cue in &sense.context {
                if contains_phrase(doc, cue) {
                    score += 1;
                    if (0..mentions.len()).any(|i| contains_phrase(window(i), cue)) {
                        score += 2;
                    }
                }
            }
            let before = sense.before.as_ref().is_some_and(|re| {
                mentions.iter().any(|&(s, _)| {
                    let a = floor_boundary(text, s.saturating_sub(WINDOW));
                    re.is_match(&text[a..s])
                })
            });
            let after = sense.after.as_ref().is_some_and(|re| {
                mentions.iter().any(|&(_, e)| {
                    let b = ceil_boundary(text, e + WINDOW);
                    re.is_match(&text[e..b])
                })
            });
            if before || after {
                score += 4;
            }
            score
        })
        .collect()
}

/// The index of the sense the article points to, if it points clearly enough.
pub fn choose(text: &str, mentions: &[(usize, usize)], senses: &[Sense]) -> Option<usize> {
    choose_in(text, &lower(text), mentions, senses)
}

/// [`choose`], with the text's lower case already at hand (`doc` is `lower(text)`).
pub fn choose_in(
    text: &str,
    doc: &str,
    mentions: &[(usize, usize)],
    senses: &[Sense],
) -> Option<usize> {
    let s = scores_in(text, doc, mentions, senses);
    // max_by_key keeps the last of equal maxima; ties are caught by the runner-up test.
    let (best, &top) = s.iter().enumerate().max_by_key(|&(_, v)| *v)?;
    let runner_up = s
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != best)
        .map(|(_, v)| *v)
        .max()
        .unwrap_or(0);
    (top >= 3 && top >= 2 * runner_up).then_some(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dictionary::Dictionary;

    const DICT: &str = r#"
acronyms:
  BTC:
    - long: Ban Tổ chức
      context: [liên hoan, hội thi]
    - long: Bộ Tài chính
      context: [ngân sách, thuế]
  SN:
    - long: sinh năm
      after: '^\s*(?:19|20)\d\d\b'
    - long: số nhà
      after: '^\s*\d+\s*,?\s*(?:đường|phố)\b'
"#;

    fn pick(text: &str, short: &str) -> Option<String> {
        let d = Dictionary::parse(DICT, "t").expect("loads");
        let e = d.get(short).expect("entry");
        let mentions: Vec<(usize, usize)> = text
            .match_indices(short)
            .map(|(i, m)| (i, i + m.len()))
            .collect();
        choose(text, &mentions, &e.senses).map(|i| e.senses[i].long.clone())
    }

    #[test]
    fn context_words_choose_the_sense() {
        assert_eq!(
            pick(
                "Liên hoan năm nay có 78 đơn vị. BTC đã nhận đủ tác phẩm của hội thi.",
                "BTC"
            ),
            Some("Ban Tổ chức".to_string())
        );
        assert_eq!(
            pick("Dự toán ngân sách và thuế được BTC trình Chính phủ.", "BTC"),
            Some("Bộ Tài chính".to_string())
        );
    }

    #[test]
    fn no_evidence_or_mixed_evidence_leaves_it_open() {
        assert_eq!(pick("BTC đã họp sáng nay.", "BTC"), None);
        assert_eq!(pick("Liên hoan bàn về ngân sách; BTC họp.", "BTC"), None);
    }

    #[test]
    fn a_conditional_single_sense_needs_its_evidence() {
        let d = Dictionary::parse(
            "acronyms:\n  MTV:\n    - long: một thành viên\n      before: 'TNHH\\s*$'\n",
            "t",
        )
        .expect("loads");
        let e = d.get("MTV").expect("entry");
        let at = |t: &str| {
            let i = t.find("MTV").expect("there");
            choose(t, &[(i, i + 3)], &e.senses)
        };
        assert_eq!(at("Công ty TNHH MTV Hòa Bình"), Some(0));
        assert_eq!(at("kênh âm nhạc MTV phát sóng"), None);
    }

    #[test]
    fn patterns_around_the_mention() {
        assert_eq!(
            pick("Nguyễn Văn A (SN 1978, trú tại Bình Dương)", "SN"),
            Some("sinh năm".into())
        );
        assert_eq!(
            pick("cửa hàng tại SN 12, phố Huế", "SN"),
            Some("số nhà".into())
        );
        assert_eq!(pick("SN là gì", "SN"), None);
    }
}
