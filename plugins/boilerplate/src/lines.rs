//! Reading the text's structure: lines, and the blocks glued inside a line.
//!
//! Some scrapers flatten a page's HTML blocks into one line without a space
//! between them ("… nghiêm trọng.Thượng tướng X phát biểu chỉ đạoHội đồng …").
//! [`segment`] cuts a line back into blocks at such glue points, so that a photo
//! caption glued between two paragraphs can be told apart. Kept blocks of one
//! line are joined back exactly as they were.

/// Characters that may close a sentence after its final punctuation.
const CLOSERS: &[char] = &['”', '"', '\'', '’', '»', ')'];
/// Sentence-final punctuation.
const FINALS: &[char] = &['.', '!', '?', '…'];
/// Opening quotes that may start a sentence.
const OPENERS: &[char] = &['“', '"', '\'', '‘', '«', '('];

/// One non-blank line of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The line's text (already trimmed by `normalize`).
    pub text: String,
    /// Whether a blank line precedes it (paragraph separation).
    pub blank_before: bool,
}

/// A block: a line, or one of the pieces a glued line is cut into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Index of its line in the list [`split_lines`] returned.
    pub line: usize,
    /// Byte range in the line's text.
    pub start: usize,
    /// End of the byte range.
    pub end: usize,
    /// The block's text, trimmed.
    pub text: String,
    /// Whether it is glued to a block before it on the same line.
    pub glued_left: bool,
    /// Whether a block is glued after it on the same line.
    pub glued_right: bool,
}

/// The non-blank lines, remembering which follow a blank line.
pub fn split_lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut blank = false;
    for raw in text.lines() {
        let t = raw.trim();
        if t.is_empty() {
            blank = true;
            continue;
        }
        out.push(Line {
            text: t.to_string(),
            blank_before: blank && !out.is_empty(),
        });
        blank = false;
    }
    out
}

/// Whether the letters of the token ending just before `chars[end]` look like an
/// abbreviation that a full stop follows ("TP.", "H.", "PGS."), where a capital
/// after the stop does not start a new block.
fn is_abbreviation_before(chars: &[char], end: usize) -> bool {
    let mut i = end;
    while i > 0 && !chars[i - 1].is_whitespace() && chars[i - 1] != '(' {
        i -= 1;
    }
    let letters: Vec<char> = chars[i..end]
        .iter()
        .copied()
        .filter(|c| c.is_alphabetic())
        .collect();
    !letters.is_empty() && letters.len() <= 3 && letters.iter().all(|c| c.is_uppercase())
}

/// Whether a word (run of letters) contains a letter outside ASCII (a Vietnamese
/// diacritic), which brand names in camel case ("VinFast") lack.
fn has_vietnamese_letter(chars: &[char]) -> bool {
    chars.iter().any(|c| c.is_alphabetic() && !c.is_ascii())
}

/// Whether a new block starts at `chars[k]` (glued to the one before, no space).
fn glue_at(chars: &[char], k: usize) -> bool {
    if k == 0 || k >= chars.len() {
        return false;
    }
    let next = chars[k];
    let after = chars.get(k + 1).copied();
    // 1. Sentence glue: "…quan trọng.Thượng tướng", "…bắt đầu.”Sau đó".
    let starts_sentence = next.is_uppercase()
        || (OPENERS.contains(&next) && next != '(' && after.is_some_and(|c| c.is_uppercase()));
    if starts_sentence {
        let mut p = k;
        while p > 0 && CLOSERS.contains(&chars[p - 1]) {
            p -= 1;
        }
        if p > 0 && FINALS.contains(&chars[p - 1]) {
            let stop = p - 1;
            let single_full_stop = chars[stop] == '.' && (stop == 0 || chars[stop - 1] != '.');
            if !(single_full_stop && p == k && is_abbreviation_before(chars, stop)) {
                return true;
            }
        }
    }
    // 2. Initials glue: "Ảnh: K.CThượng tá" (a credit's initials, then a capitalised word).
    if next.is_uppercase()
        && after.is_some_and(|c| c.is_lowercase())
        && k >= 2
        && chars[k - 1].is_uppercase()
        && chars[k - 2] == '.'
    {
        return true;
    }
    // 3. Glue after a closing bracket or quote: "(Ảnh: Duy Hiển)Trong chuyến …", "(phải)Phát biểu …".
    if next.is_uppercase()
        && after.is_some_and(|c| c.is_lowercase())
        && k >= 2
        && matches!(chars[k - 1], ')' | '”')
        && !chars[k - 2].is_whitespace()
    {
        return true;
    }
    // 4. Camel-case glue: "phát biểu chỉ đạoHội đồng", "an ninhĐối thoại".
    if next.is_uppercase()
        && after.is_some_and(|c| c.is_lowercase())
        && k >= 2
        && chars[k - 1].is_lowercase()
        && chars[k - 2].is_lowercase()
    {
        let mut l = k;
        while l > 0 && chars[l - 1].is_alphabetic() {
            l -= 1;
        }
        let mut r = k + 1;
        while r < chars.len() && chars[r].is_lowercase() {
            r += 1;
        }
        return has_vietnamese_letter(&chars[l..k]) || has_vietnamese_letter(&chars[k..r]);
    }
    false
}

/// Cut one line into blocks at glue points.
pub fn segment(line_index: usize, text: &str) -> Vec<Block> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let plain: Vec<char> = chars.iter().map(|&(_, c)| c).collect();
    let mut cuts: Vec<usize> = vec![0];
    cuts.extend(
        chars
            .iter()
            .enumerate()
            .skip(1)
            .filter(|&(k, _)| glue_at(&plain, k))
            .map(|(_, &(byte, _))| byte),
    );
    cuts.push(text.len());
    let mut blocks = Vec::new();
    for w in cuts.windows(2) {
        let (s, e) = (w[0], w[1]);
        let piece = text[s..e].trim();
        if piece.is_empty() {
            continue;
        }
        blocks.push(Block {
            line: line_index,
            start: s,
            end: e,
            text: piece.to_string(),
            glued_left: s > 0,
            glued_right: e < text.len(),
        });
    }
    blocks
}

/// Byte ranges of the sentences of a block: a sentence ends at final punctuation
/// (and closing quotes) followed by a space and a capital, unless the stop ends
/// an abbreviation.
pub fn sentence_spans(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let plain: Vec<char> = chars.iter().map(|&(_, c)| c).collect();
    let mut spans = Vec::new();
    let mut start = 0usize;
    let mut k = 0usize;
    while k < plain.len() {
        if FINALS.contains(&plain[k]) {
            let mut e = k + 1;
            while e < plain.len() && (FINALS.contains(&plain[e]) || CLOSERS.contains(&plain[e])) {
                e += 1;
            }
            let mut n = e;
            while n < plain.len() && plain[n] == ' ' {
                n += 1;
            }
            let spaced = n > e;
            let capital_next = n < plain.len()
                && (plain[n].is_uppercase()
                    || (OPENERS.contains(&plain[n])
                        && plain.get(n + 1).is_some_and(|c| c.is_uppercase())));
            let abbrev = plain[k] == '.' && e == k + 1 && is_abbreviation_before(&plain, k);
            if spaced && capital_next && !abbrev {
                let end_byte = if e < chars.len() {
                    chars[e].0
                } else {
                    text.len()
                };
                spans.push((start, end_byte));
                start = chars[n].0;
                k = n;
                continue;
            }
            k = e;
            continue;
        }
        k += 1;
    }
    if start < text.len() {
        spans.push((start, text.len()));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        segment(0, line).into_iter().map(|b| b.text).collect()
    }

    #[test]
    fn lines_remember_blank_separators() {
        let l = split_lines("A\n\nB\nC\n");
        assert_eq!(l.len(), 3);
        assert!(!l[0].blank_before && l[1].blank_before && !l[2].blank_before);
    }

    #[test]
    fn sentence_glue_cuts_a_line() {
        assert_eq!(
            texts("Câu một kết thúc.Câu hai bắt đầu."),
            vec!["Câu một kết thúc.", "Câu hai bắt đầu."]
        );
        assert_eq!(
            texts("Anh nói: “Xong rồi.”Sau đó về."),
            vec!["Anh nói: “Xong rồi.”", "Sau đó về."]
        );
    }

    #[test]
    fn camel_case_glue_cuts_only_vietnamese_words() {
        assert_eq!(
            texts("Ông A phát biểu chỉ đạoHội đồng họp."),
            vec!["Ông A phát biểu chỉ đạo", "Hội đồng họp."]
        );
        assert_eq!(
            texts("Hãng VinFast và YouTube hợp tác."),
            vec!["Hãng VinFast và YouTube hợp tác."]
        );
    }

    #[test]
    fn abbreviations_do_not_cut() {
        assert_eq!(
            texts("Công an TP.HCM và H.Định Quán."),
            vec!["Công an TP.HCM và H.Định Quán."]
        );
        assert_eq!(
            texts("Ông là PGS.TS ngành luật."),
            vec!["Ông là PGS.TS ngành luật."]
        );
    }

    #[test]
    fn initials_of_a_credit_cut_before_a_word() {
        assert_eq!(
            texts("Hiện trường - Ảnh: K.CThượng tá B cho biết."),
            vec!["Hiện trường - Ảnh: K.C", "Thượng tá B cho biết."]
        );
    }

    #[test]
    fn closing_bracket_glue_cuts() {
        assert_eq!(
            texts("Đoàn thăm đảo. (Ảnh: Duy Hiển)Trong chuyến đi, đoàn làm việc."),
            vec![
                "Đoàn thăm đảo. (Ảnh: Duy Hiển)",
                "Trong chuyến đi, đoàn làm việc."
            ]
        );
        assert_eq!(
            texts("Tập đoàn (VNPT) Việt Nam."),
            vec!["Tập đoàn (VNPT) Việt Nam."]
        );
    }

    #[test]
    fn glue_flags_are_set() {
        let b = segment(3, "Một.Hai");
        assert_eq!(b.len(), 2);
        assert!(!b[0].glued_left && b[0].glued_right);
        assert!(b[1].glued_left && !b[1].glued_right);
        assert_eq!(b[1].line, 3);
    }

    #[test]
    fn sentences_split_after_space_and_capital() {
        let t = "Câu một. Câu hai! TP. Hồ Chí Minh đẹp. cuối";
        let s: Vec<&str> = sentence_spans(t).iter().map(|&(a, b)| &t[a..b]).collect();
        assert_eq!(s, vec!["Câu một.", "Câu hai!", "TP. Hồ Chí Minh đẹp. cuối"]);
    }
}
