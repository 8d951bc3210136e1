//! Expansions written in the article itself.
//!
//! Schwartz–Hearst, adapted to Vietnamese. The letters of a short form are matched, right to
//! left, to the first letters of the syllables just before it:
//! - each letter takes the initial of one syllable; `Đ` and `D` are the same letter;
//! - the function words "và", "các", "của" (and a few like them, see
//!   [`crate::vietnamese::is_skippable`]) may be skipped or kept inside the long form, never at
//!   its ends; every other syllable in the span must be matched, so a long form has no
//!   leftover words;
//! - `&` in the short form stands for "và" ("PC&CC"); `,` `-` `.` `/` in it are separators
//!   and match whatever punctuation the long form has ("PB,GDPL" = "phổ biến, giáo dục pháp
//!   luật", "PT-TH-ĐA" = "Phát thanh, Truyền hình, Điện ảnh");
//! - the long form is taken as written (its case and punctuation) and stops at the nearest
//!   clause boundary (`. ; : ! ? ( )` quotes, line ends).
//!
//! Forms recognised ([`DefinitionKind`]):
//! - "hội nhập quốc tế (HNQT)", also "(gọi tắt là HNQT)", "(sau đây viết tắt là HNQT)";
//! - the reverse, "HNQT (hội nhập quốc tế)": the whole parenthesis must match;
//! - a named body before a foreign short form whose letters follow another language:
//!   "Tập đoàn Bưu chính Viễn thông Việt Nam (VNPT)" — only when the short form is not in
//!   the dictionary and the name starts with a word such as "Tập đoàn", "Viện", "Bộ".
//!
//! [`implicit`] finds a long form the article writes without brackets ("Liên hoan Truyền
//! hình" for LHTH): used for short forms the dictionary does not know, and as evidence
//! between a dictionary entry's senses.

use crate::candidates::TextBlocks;
use crate::chars::{is_alphabetic, is_lowercase, is_upper_letter, lower_small};
use crate::dictionary::Dictionary;
use crate::vietnamese::{
    fold, initial, is_and, is_capitalized, is_skippable, is_skippable_word, lower, words, Word,
};
use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

/// How a definition was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefinitionKind {
    /// "long (SHORT)".
    LongFirst,
    /// "SHORT (long)".
    ShortFirst,
    /// "Name of a body (FOREIGN SHORT)".
    Name,
}

/// An expansion the article gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    /// The short form as written at the definition.
    pub short: String,
    /// The long form as written.
    pub long: String,
    /// Byte span of the short form at the definition.
    pub short_span: (usize, usize),
    /// Byte span of the long form.
    pub long_span: (usize, usize),
    /// How it was written.
    pub kind: DefinitionKind,
}

/// One letter of a short form to match.
#[derive(Debug, Clone, Copy)]
struct Letter {
    ch: char,
    /// An `&` stands before this letter: the long form needs "và" there.
    and_before: bool,
}

fn letters(short: &str) -> Vec<Letter> {
    let mut out = Vec::with_capacity(short.len());
    let mut and_before = false;
    for c in short.chars() {
        if c == '&' {
            and_before = true;
        } else if is_alphabetic(c) {
            out.push(Letter {
                ch: fold(c),
                and_before,
            });
            and_before = false;
        }
    }
    out
}

static PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:sau đây (?:gọi tắt là|viết tắt là|gọi là)|gọi tắt là|viết tắt là|gọi tắt:|viết tắt:|viết tắt)\s*",
    )
    .expect("valid pattern")
});
static REVERSE_PREFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(?:viết tắt của|tức là|tức|là)\s+").expect("valid pattern"));

/// Build the patterns now (so the first article does not pay for them).
pub fn init() {
    LazyLock::force(&PREFIX);
    LazyLock::force(&REVERSE_PREFIX);
}

/// [`PREFIX`] with the case-insensitive start it needs checked first: it can only match a
/// text starting with s, g or v (or a letter that folds to one: ſ).
fn strip_prefix(s: &str) -> Cow<'_, str> {
    if s.starts_with(['s', 'S', 'ſ', 'g', 'G', 'v', 'V']) {
        PREFIX.replace(s, "")
    } else {
        Cow::Borrowed(s)
    }
}

/// [`REVERSE_PREFIX`], checked the same way: it can only match from v, t or l.
fn strip_reverse_prefix(s: &str) -> Cow<'_, str> {
    if s.starts_with(['v', 'V', 't', 'T', 'l', 'L']) {
        REVERSE_PREFIX.replace(s, "")
    } else {
        Cow::Borrowed(s)
    }
}

/// The bracketed spans of `text`, as the pattern `\(([^()\n]{1,80})\)` finds them: (whole
/// span, inner span) in bytes, in order.
fn parens(text: &str) -> impl Iterator<Item = ((usize, usize), (usize, usize))> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || loop {
        let open = at + memchr::memchr(b'(', text.as_bytes().get(at..)?)?;
        let inner = open + 1;
        let mut n = 0;
        let mut close = None;
        for (i, c) in text[inner..].char_indices() {
            match c {
                ')' => {
                    close = (n > 0).then_some(inner + i);
                    break;
                }
                '(' | '\n' => break,
                _ if n == 80 => break,
                _ => n += 1,
            }
        }
        match close {
            Some(c) => {
                at = c + 1;
                return Some(((open, c + 1), (inner, c)));
            }
            None => at = inner,
        }
    })
}

/// The span of the capitals, alone or joined by `& . / -`, that end `s` (one space may
/// follow them): the pattern `(\p{Lu}+(?:[&./\-]\p{Lu}+)*)[ ]?$`.
fn short_before(s: &str) -> Option<(usize, usize)> {
    let end = s.strip_suffix(' ').map_or(s.len(), str::len);
    let run_start = |to: usize| {
        s[..to]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_upper_letter(c))
            .last()
            .map(|(i, _)| i)
    };
    let mut start = run_start(end)?;
    while start > 0 && matches!(s.as_bytes()[start - 1], b'&' | b'.' | b'/' | b'-') {
        match run_start(start - 1) {
            Some(i) => start = i,
            None => break,
        }
    }
    Some((start, end))
}

/// The pattern `^\p{Lu}+(?:(?:[&./\-]|, ?| )\p{Lu}+)*$`: runs of capitals, each joined to
/// the next by one of `& . / -`, a comma (and a space), or a space.
fn short_shape(s: &str) -> bool {
    let mut cs = s.chars().peekable();
    loop {
        let mut run = false;
        while cs.next_if(|&c| is_upper_letter(c)).is_some() {
            run = true;
        }
        if !run {
            return false;
        }
        match cs.next() {
            None => return true,
            Some('&' | '.' | '/' | '-' | ' ') => {}
            Some(',') => {
                cs.next_if_eq(&' ');
            }
            Some(_) => return false,
        }
    }
}

/// True when `s` has the shape of a short form: capitals, joined by `& . / -`, `,` or spaces.
pub fn is_short_shape(s: &str) -> bool {
    let n = s.chars().filter(|&c| is_alphabetic(c)).count();
    (2..=15).contains(&n) && short_shape(s)
}

/// Where a clause ends, looking back from a parenthesis.
fn clause_start(text: &str, end: usize) -> usize {
    text[..end]
        .char_indices()
        .rev()
        .find(|&(_, c)| {
            matches!(
                c,
                '.' | ';' | ':' | '!' | '?' | '(' | ')' | '[' | ']' | '"' | '“' | '”' | '\n'
            )
        })
        .map_or(0, |(i, c)| i + c.len_utf8())
}

/// Match `letters` to the last words of `ws` (the long form must end at the last word);
/// returns the index of the first word of the long form.
fn align(text: &str, ws: &[Word], letters: &[Letter]) -> Option<usize> {
    if letters.is_empty() || ws.is_empty() {
        return None;
    }
    align_at(text, ws, letters, letters.len() - 1, ws.len() - 1)
}

fn align_at(text: &str, ws: &[Word], letters: &[Letter], li: usize, wi: usize) -> Option<usize> {
    let w = ws[wi].text(text);
    if initial(w) != Some(letters[li].ch) {
        return None;
    }
    if li == 0 {
        return (!is_skippable_word(w)).then_some(wi);
    }
    // The previous letter sits on an earlier word; the words in between may only be
    // function words, and an `&` needs one of them (or an `&` sign) to be "và".
    let mut wj = wi;
    let mut skipped_and = false;
    while wj > 0 {
        wj -= 1;
        let gap_and = text[ws[wj].end..ws[wj + 1].start].contains('&') || skipped_and;
        if !letters[li].and_before || gap_and {
            if let Some(s) = align_at(text, ws, letters, li - 1, wj) {
                return Some(s);
            }
        }
        let mut buf = [0u8; 32];
        let lw = lower_small(ws[wj].text(text), &mut buf);
        if !lw.is_some_and(is_skippable) {
            return None;
        }
        skipped_and |= lw.is_some_and(is_and);
    }
    None
}

/// The most words a name in [`NAME_HEADS`] has.
const NAME_HEAD_WORDS: usize = 3;

/// Body names a foreign short form may follow ("Tập đoàn … (VNPT)"), lower case, word by word
/// (at most [`NAME_HEAD_WORDS`] words).
const NAME_HEADS: &[&[&str]] = &[
    &["tập", "đoàn"],
    &["tổng", "công", "ty"],
    &["công", "ty"],
    &["ngân", "hàng"],
    &["học", "viện"],
    &["viện"],
    &["trường"],
    &["đại", "học"],
    &["trung", "tâm"],
    &["tổng", "cục"],
    &["cục"],
    &["bộ"],
    &["ủy", "ban"],
    &["hiệp", "hội"],
    &["liên", "đoàn"],
    &["hội"],
    &["quỹ"],
    &["tổ", "chức"],
    &["cơ", "quan"],
    &["văn", "phòng"],
    &["đài"],
    &["báo"],
    &["tạp", "chí"],
    &["hãng"],
    &["diễn", "đàn"],
    &["liên", "minh"],
    &["hội", "đồng"],
    &["chương", "trình"],
    &["bệnh", "viện"],
    &["sở"],
    &["ban"],
];

/// Words that end a name when looking back from the parenthesis.
fn breaks_name(word_lower: &str) -> bool {
    matches!(
        word_lower,
        "của"
            | "là"
            | "được"
            | "có"
            | "đã"
            | "với"
            | "cho"
            | "tại"
            | "trong"
            | "theo"
            | "từ"
            | "để"
            | "nhằm"
            | "do"
            | "vào"
            | "sẽ"
            | "đang"
            | "này"
            | "đó"
            | "cùng"
            | "ông"
            | "bà"
            | "anh"
            | "chị"
            | "thuộc"
            | "gồm"
            | "như"
            | "về"
    )
}

/// "Tập đoàn Bưu chính Viễn thông Việt Nam (VNPT)": the leftmost body name that reaches the
/// parenthesis without a break word or a comma, at most ten words long.
fn name_before(text: &str, ws: &[Word]) -> Option<usize> {
    let mut best = None;
    for h in (0..ws.len()).rev() {
        if ws.len() - h > 10 {
            break;
        }
        let mut bufs = [[0u8; 32]; NAME_HEAD_WORDS];
        let [b0, b1, b2] = &mut bufs;
        let lower_at = |k: usize, buf| ws.get(h + k).and_then(|w| lower_small(w.text(text), buf));
        // The lower case of this word and the next ones, once for every head.
        let lowered = [lower_at(0, b0), lower_at(1, b1), lower_at(2, b2)];
        if lowered[0].is_some_and(breaks_name)
            || text[ws[h].end..ws.get(h + 1).map_or(ws[h].end, |w| w.start)].contains(',')
        {
            break;
        }
        if !is_capitalized(ws[h].text(text)) {
            continue;
        }
        let is_head = NAME_HEADS.iter().any(|head| {
            h + head.len() < ws.len() && head.iter().zip(lowered).all(|(&p, lw)| lw == Some(p))
        });
        if is_head {
            best = Some(h);
        }
    }
    best
}

/// The definitions in `text`, in order.
pub fn find(text: &str, dict: &Dictionary) -> Vec<Definition> {
    let mut out = Vec::new();
    for (whole, inner) in parens(text) {
        let raw = &text[inner.0..inner.1];
        let stripped = strip_prefix(raw.trim());
        let short = stripped.trim();
        if is_short_shape(short) {
            let short_start = inner.0 + raw.find(short).unwrap_or(0);
            let short_span = (short_start, short_start + short.len());
            let from = clause_start(text, whole.0);
            let ws: Vec<Word> = words(&text[from..whole.0])
                .into_iter()
                .map(|w| Word {
                    start: w.start + from,
                    end: w.end + from,
                })
                .collect();
            let ls = letters(short);
            let window = &ws[ws.len().saturating_sub(ls.len() * 2 + 2)..];
            if let Some(s) = align(text, window, &ls) {
                let long_span = (window[s].start, window[window.len() - 1].end);
                out.push(Definition {
                    short: short.to_string(),
                    long: text[long_span.0..long_span.1].to_string(),
                    short_span,
                    long_span,
                    kind: DefinitionKind::LongFirst,
                });
                continue;
            }
            if dict.get(short).is_none() && !short.contains('.') {
                if let Some(h) = name_before(text, &ws) {
                    let long_span = (ws[h].start, ws[ws.len() - 1].end);
                    out.push(Definition {
                        short: short.to_string(),
                        long: text[long_span.0..long_span.1].to_string(),
                        short_span,
                        long_span,
                        kind: DefinitionKind::Name,
                    });
                }
            }
            continue;
        }
        // "HNQT (hội nhập quốc tế)"
        let Some(sb) = short_before(&text[..whole.0]) else {
            continue;
        };
        let sb_text = &text[sb.0..sb.1];
        if !crate::vietnamese::is_boundary(text, sb.0, sb.1) || !is_short_shape(sb_text) {
            continue;
        }
        let body = strip_reverse_prefix(raw.trim());
        let body = body.trim();
        if !body.chars().any(is_lowercase) || body.bytes().any(|b| b.is_ascii_digit()) {
            continue;
        }
        let body_start = inner.0 + raw.find(body).unwrap_or(0);
        let ws: Vec<Word> = words(&text[body_start..body_start + body.len()])
            .into_iter()
            .map(|w| Word {
                start: w.start + body_start,
                end: w.end + body_start,
            })
            .collect();
        if align(text, &ws, &letters(sb_text)) == Some(0) {
            let long_span = (ws[0].start, ws[ws.len() - 1].end);
            out.push(Definition {
                short: sb_text.to_string(),
                long: text[long_span.0..long_span.1].to_string(),
                short_span: sb,
                long_span,
                kind: DefinitionKind::ShortFirst,
            });
        }
    }
    out
}

/// Bytes of text as [`Phrases::new`] reads them: ASCII in a word (a letter or a digit),
/// other ASCII, or a byte of a longer character (looked up).
const ASCII_OTHER: u8 = 0;
const ASCII_WORD: u8 = 1;
const NON_ASCII: u8 = 2;
const BYTE_CLASS: [u8; 256] = {
    let mut t = [NON_ASCII; 256];
    let mut x = 0;
    while x < 0x80 {
        t[x] = if (x as u8).is_ascii_alphanumeric() {
            ASCII_WORD
        } else {
            ASCII_OTHER
        };
        x += 1;
    }
    t
};

/// True when the character at byte `i` of `b` (a char boundary, at a byte of 0x80 or more)
/// is one of the letters most of Vietnamese is made of, known without a look-up: C3 80..=BF
/// but × and ÷ (U+00C0..=U+00FF), anything from C4, C5 or C6 (U+0100..=U+01BF, all letters),
/// and E1 BA/BB (U+1E80..=U+1EFF, all letters). Two bytes from a lead below 0xE0, three from
/// 0xE0..=0xEF: `(lead >> 5) - 4`.
#[inline(always)]
fn is_vietnamese_letter(b: &[u8], i: usize) -> bool {
    match (b.get(i), b.get(i + 1)) {
        (Some(0xC3), Some(&n)) => n != 0x97 && n != 0xB7,
        (Some(0xC4..=0xC6), Some(_)) => true,
        (Some(0xE1), Some(0xBA | 0xBB)) => b.get(i + 2).is_some(),
        _ => false,
    }
}

/// The article's words, for [`implicit`]; build once per article.
pub struct Phrases<'t> {
    text: &'t str,
    words: Vec<IndexedWord>,
}

/// A word of [`Phrases`] (as [`words`] finds it) with its [`initial`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IndexedWord {
    start: usize,
    end: usize,
    initial: char,
}

impl IndexedWord {
    fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }
}

impl<'t> Phrases<'t> {
    /// Index the words of `text`.
    pub fn new(text: &'t str) -> Phrases<'t> {
        Phrases::with_blocks(text, &TextBlocks::read(text))
    }

    /// [`Phrases::new`] with the text's class masks read already.
    pub fn with_blocks(text: &'t str, blocks: &TextBlocks) -> Phrases<'t> {
        #[cfg(target_arch = "x86_64")]
        return Phrases::new_in_blocks(text, blocks);
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = blocks;
            Phrases::new_plain(text)
        }
    }

    /// [`Phrases::new`] sixty-four bytes a step: the words' ends are read off the block's
    /// masks (ASCII other than letters and digits, and the characters that are no word
    /// characters, looked up only for lead bytes outside the common lower-case letters).
    #[cfg(target_arch = "x86_64")]
    fn new_in_blocks(text: &'t str, blocks: &TextBlocks) -> Phrases<'t> {
        let table = crate::chars::table();
        let b = text.as_bytes();
        let n = b.len();
        let mut words = Vec::with_capacity(n / 5);
        // The word being read: its start and initial.
        let mut open: Option<(usize, char)> = None;
        // Whether the byte before the block is a separator, and how many bytes at the start
        // of the block belong to a separator character begun in the one before.
        let (mut sep_before, mut spill) = (true, 0u32);
        for (j, block) in blocks.blocks().iter().enumerate() {
            let at = 64 * j;

            let mut sep = block.brk | ((1u64 << spill) - 1);
            spill = 0;
            // Characters with a lead byte outside the common small letters: looked up.
            let mut check = block.lead & !block.small;
            while check != 0 {
                let k = check.trailing_zeros();
                check &= check - 1;
                let (f, len) = table.at(text, at + k as usize);
                if f & crate::chars::WORD_CHAR == 0 {
                    let len = len as u32;
                    sep |= ((1u64 << len) - 1) << k;
                    spill = (k + len).saturating_sub(64);
                }
            }
            let carry = u64::from(sep_before);
            let starts = !sep & (sep << 1 | carry);
            let ends = sep & !(sep << 1 | carry);
            sep_before = sep >> 63 == 1;
            let mut events = starts | ends;
            while events != 0 {
                let k = events.trailing_zeros();
                events &= events - 1;
                let i = at + k as usize;
                match open.take() {
                    Some((start, initial)) => words.push(IndexedWord {
                        start,
                        end: i,
                        initial,
                    }),
                    None => {
                        let x = b[i];
                        let initial = if x < 0x80 {
                            char::from(x.to_ascii_lowercase())
                        } else {
                            text[i..].chars().next().map_or('\0', fold)
                        };
                        open = Some((i, initial));
                    }
                }
            }
        }
        if let Some((start, initial)) = open {
            words.push(IndexedWord {
                start,
                end: n,
                initial,
            });
        }
        Phrases { text, words }
    }

    /// [`Phrases::new`] byte by byte.
    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    fn new_plain(text: &'t str) -> Phrases<'t> {
        // `words` and each word's `initial`, in one pass with ASCII read byte by byte.
        let table = crate::chars::table();
        let b = text.as_bytes();
        let n = b.len();
        let mut words = Vec::with_capacity(n / 5);
        let mut i = 0;
        while i < n {
            let x = b[i];
            let (first, len) = match BYTE_CLASS[usize::from(x)] {
                ASCII_OTHER => {
                    i += 1;
                    continue;
                }
                ASCII_WORD => (char::from(x.to_ascii_lowercase()), 1),
                _ => match table.at(text, i) {
                    (f, len) if f & crate::chars::WORD_CHAR != 0 => {
                        (text[i..].chars().next().map_or('\0', fold), len)
                    }
                    (_, len) => {
                        i += len;
                        continue;
                    }
                },
            };
            let start = i;
            i += len;
            while let Some(&x) = b.get(i) {
                match BYTE_CLASS[usize::from(x)] {
                    ASCII_WORD => i += 1,
                    ASCII_OTHER => break,
                    _ if is_vietnamese_letter(b, i) => i += usize::from(x >> 5) - 4,
                    _ => match table.at(text, i) {
                        (f, len) if f & crate::chars::WORD_CHAR != 0 => i += len,
                        _ => break,
                    },
                }
            }
            words.push(IndexedWord {
                start,
                end: i,
                initial: first,
            });
        }
        Phrases { text, words }
    }
}

/// Fewest letters a short form needs before [`implicit`] guesses its long form: with three,
/// chance phrases spell too many short forms ("an và gần" for AVG).
pub const IMPLICIT_MIN_LETTERS: usize = 4;

/// The long form of `short` written without brackets somewhere in the article: consecutive
/// words (only spaces between them) whose initials spell it, skipping function words inside.
/// A function word never takes a letter, and no word of the phrase is in capitals (another
/// acronym). Only for short forms of [`IMPLICIT_MIN_LETTERS`] letters or more, and only when
/// every such phrase in the article is the same words; returns the first one as written,
/// with its byte span.
pub fn implicit(p: &Phrases<'_>, short: &str) -> Option<(String, (usize, usize))> {
    if !implicit_may_apply(short) {
        return None;
    }
    let ls = letters(short);
    let (text, ws) = (p.text, &p.words);
    let mut found: Option<(String, (usize, usize))> = None;
    let first = ls[0].ch;
    let starts = ws.iter().enumerate().filter(|(_, w)| w.initial == first);
    for (i, _) in starts {
        let Some(end) = forward(p, &ls, i) else {
            continue;
        };
        let span = (ws[i].start, ws[end].end);
        let phrase = &text[span.0..span.1];
        if phrase.chars().any(|c| c.is_ascii_digit()) || crate::vietnamese::is_all_caps(phrase) {
            continue;
        }
        match &found {
            None => found = Some((phrase.to_string(), span)),
            Some((first, _)) if lower(first) == lower(phrase) => {}
            Some(_) => return None,
        }
    }
    found
}

/// True when [`implicit`] looks for a long form of `short` at all (so the article's words are
/// worth indexing).
pub fn implicit_may_apply(short: &str) -> bool {
    letters(short).len() >= IMPLICIT_MIN_LETTERS && !short.contains(['&', ',', ' '])
}

/// Align `ls` forward from word `i`; words must be separated by spaces only (a hyphen between
/// spaces is allowed). Returns the index of the last word.
fn forward(p: &Phrases<'_>, ls: &[Letter], i: usize) -> Option<usize> {
    let (text, ws) = (p.text, &p.words);
    let ok_gap = |a: usize| {
        let gap = &text[ws[a].end..ws[a + 1].start];
        gap == " " || gap == " - "
    };
    let plain = |w: &str| !is_skippable_word(w) && !crate::vietnamese::is_all_caps(w);
    if ws[i].initial != ls[0].ch {
        return None;
    }
    let mut wi = i;
    for l in &ls[1..] {
        loop {
            if wi + 1 >= ws.len() || !ok_gap(wi) {
                return None;
            }
            wi += 1;
            let w = ws[wi].text(text);
            if ws[wi].initial == l.ch && plain(w) {
                break;
            }
            if !is_skippable_word(w) {
                return None;
            }
        }
    }
    // The first word is asked last: the walk rules out most places sooner.
    plain(ws[i].text(text)).then_some(wi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chars::{random_texts, TRICKY};

    /// The patterns the hand-written matchers replace.
    fn pattern(p: &str) -> Regex {
        Regex::new(p).expect("valid pattern")
    }

    #[test]
    fn name_heads_fit_their_room() {
        assert!(NAME_HEADS
            .iter()
            .all(|h| (1..=NAME_HEAD_WORDS).contains(&h.len())));
    }

    #[test]
    fn vietnamese_letters_are_word_characters() {
        for c in (0x80..0x1_0000).filter_map(char::from_u32) {
            let s = c.to_string();
            if is_vietnamese_letter(s.as_bytes(), 0) {
                let (f, len) = crate::chars::table().at(&s, 0);
                assert!(f & crate::chars::WORD_CHAR != 0, "{c:?}");
                assert_eq!(len, usize::from(s.as_bytes()[0] >> 5) - 4, "{c:?}");
            }
        }
    }

    #[test]
    fn phrases_index_the_words_and_their_initials() {
        for text in random_texts(TRICKY, 20_000, 30) {
            let p = Phrases::new(&text);
            let got: Vec<Word> = p
                .words
                .iter()
                .map(|w| Word {
                    start: w.start,
                    end: w.end,
                })
                .collect();
            assert_eq!(got, words(&text), "{text:?}");
            let want: Vec<Option<char>> = p.words.iter().map(|w| initial(w.text(&text))).collect();
            let initials: Vec<Option<char>> = p.words.iter().map(|w| Some(w.initial)).collect();
            assert_eq!(initials, want, "{text:?}");
        }
    }

    #[test]
    fn phrases_in_blocks_are_those_read_byte_by_byte() {
        let mut pieces = TRICKY.to_vec();
        pieces.extend([
            "Hà ", "Nội", " Trung", "Việt ", "Đảng ", "ả", "ộ", "ơ", "ĩ", "ư", "÷", "×", "“", "”",
            "…", "\u{2028}", "€", "xã", "a", "k", "9", "    ",
        ]);
        for text in random_texts(&pieces, 20_000, 150) {
            assert_eq!(
                Phrases::new(&text).words,
                Phrases::new_plain(&text).words,
                "{text:?}"
            );
        }
    }

    #[test]
    fn brackets_and_shapes_are_those_of_the_patterns() {
        let parens_re = pattern(r"\(([^()\n]{1,80})\)");
        let before_re = pattern(r"(\p{Lu}+(?:[&./\-]\p{Lu}+)*)[ ]?$");
        let shape_re = pattern(r"^\p{Lu}+(?:(?:[&./\-]|, ?| )\p{Lu}+)*$");
        let mut texts = random_texts(TRICKY, 30_000, 30);
        // long brackets: the 80-character limit
        for n in [78, 79, 80, 81, 82] {
            texts.push(format!("a ({}) b (ệ{})", "x".repeat(n), "ệ".repeat(n - 1)));
        }
        for text in &texts {
            let want: Vec<_> = parens_re
                .captures_iter(text)
                .map(|c| {
                    let (w, i) = (c.get(0).expect("whole"), c.get(1).expect("inner"));
                    ((w.start(), w.end()), (i.start(), i.end()))
                })
                .collect();
            assert_eq!(parens(text).collect::<Vec<_>>(), want, "{text:?}");
            let sb = before_re
                .captures(text)
                .and_then(|c| c.get(1))
                .map(|m| (m.start(), m.end()));
            assert_eq!(short_before(text), sb, "{text:?}");
            assert_eq!(short_shape(text), shape_re.is_match(text), "{text:?}");
            let trimmed = text.trim();
            assert_eq!(
                strip_prefix(trimmed),
                PREFIX.replace(trimmed, ""),
                "{text:?}"
            );
            assert_eq!(
                strip_reverse_prefix(trimmed),
                REVERSE_PREFIX.replace(trimmed, ""),
                "{text:?}"
            );
        }
    }

    fn defs(text: &str) -> Vec<(String, String, DefinitionKind)> {
        let dict =
            Dictionary::parse("acronyms:\n  TP.HCM: Thành phố Hồ Chí Minh\n", "t").expect("loads");
        find(text, &dict)
            .into_iter()
            .map(|d| (d.short, d.long, d.kind))
            .collect()
    }

    fn one(text: &str) -> Option<(String, String)> {
        defs(text).into_iter().next().map(|(s, l, _)| (s, l))
    }

    fn pair(s: &str, l: &str) -> Option<(String, String)> {
        Some((s.to_string(), l.to_string()))
    }

    #[test]
    fn long_form_before_the_short_form() {
        assert_eq!(
            one("Công tác quản lý, bảo vệ biên giới (BVBG) được giữ vững."),
            pair("BVBG", "bảo vệ biên giới")
        );
        assert_eq!(
            one("Ông là chiến sĩ Cục Cảnh sát giao thông (CSGT) từ năm 2010."),
            pair("CSGT", "Cảnh sát giao thông")
        );
        assert_eq!(
            one("lãnh đạo Mặt trận Tổ quốc (MTTQ) Việt Nam"),
            pair("MTTQ", "Mặt trận Tổ quốc")
        );
    }

    #[test]
    fn short_form_before_the_long_form() {
        assert_eq!(
            one("Công tác SSCĐ (sẵn sàng chiến đấu) được duy trì."),
            pair("SSCĐ", "sẵn sàng chiến đấu")
        );
        // the whole parenthesis must be the expansion
        assert_eq!(
            one("Công tác SSCĐ (sẵn sàng chiến đấu tốt) được duy trì."),
            None
        );
    }

    #[test]
    fn d_matches_dd_both_ways() {
        assert_eq!(
            one("đối ngoại quốc phòng (DNQP)"),
            pair("DNQP", "đối ngoại quốc phòng")
        );
        assert_eq!(one("Đội dân quân (ĐDQ)"), pair("ĐDQ", "Đội dân quân"));
    }

    #[test]
    fn function_words_may_be_skipped_or_kept() {
        assert_eq!(
            one("Sở Cảnh sát phòng cháy và chữa cháy (PCCC) thành phố"),
            pair("PCCC", "phòng cháy và chữa cháy")
        );
        assert_eq!(
            one("công tác phòng cháy và chữa cháy (PC&CC)"),
            pair("PC&CC", "phòng cháy và chữa cháy")
        );
        // ... but a function word never starts a long form
        assert_eq!(one("nhiệm vụ của các lực lượng (CLL)"), None);
        assert_eq!(one("nhiệm vụ của lực lượng (LL)"), pair("LL", "lực lượng"));
    }

    #[test]
    fn separators_in_the_short_form() {
        assert_eq!(
            one("công tác phổ biến, giáo dục pháp luật (PB,GDPL) tại đơn vị"),
            pair("PB,GDPL", "phổ biến, giáo dục pháp luật")
        );
        assert_eq!(
            one("chính sách quốc phòng, an ninh (QP, AN) của các nước"),
            pair("QP, AN", "quốc phòng, an ninh")
        );
        assert_eq!(
            one("Trung tâm Phát thanh, Truyền hình, Điện ảnh (PT-TH-ĐA) CAND"),
            pair("PT-TH-ĐA", "Phát thanh, Truyền hình, Điện ảnh")
        );
    }

    #[test]
    fn leftover_words_or_wrong_letters_give_no_definition() {
        assert_eq!(one("lực lượng vũ trang tỉnh (LLVT)"), None);
        assert_eq!(one("ngoại giao (HNQT)"), None);
        assert_eq!(one("Ông Nguyễn Văn An (TTXVN)"), None);
    }

    #[test]
    fn prefixed_definitions() {
        assert_eq!(
            one("Ban Chỉ đạo phòng, chống tham nhũng (sau đây gọi tắt là BCĐ)"),
            None,
            "letters B C Đ do not cover the whole name"
        );
        assert_eq!(
            one("Ban Chỉ đạo (sau đây gọi tắt là BCĐ)"),
            pair("BCĐ", "Ban Chỉ đạo")
        );
    }

    #[test]
    fn foreign_short_forms_after_a_body_name() {
        assert_eq!(
            defs("dùng hạ tầng của Tập đoàn Bưu chính Viễn thông Việt Nam (VNPT), đến nay"),
            [(
                "VNPT".to_string(),
                "Tập đoàn Bưu chính Viễn thông Việt Nam".to_string(),
                DefinitionKind::Name
            )]
        );
        assert_eq!(
            one("từ công ty Korea Aerospace Industries (KAI) của Hàn Quốc"),
            pair("KAI", "Korea Aerospace Industries")
        );
        // a place in brackets after a body is not its short form
        assert_eq!(one("Bệnh viện Chợ Rẫy (TP.HCM)"), None);
        // no body name: nothing
        assert_eq!(
            one("hệ thống radar mảng pha quét điện tử chủ động (AESA)"),
            None
        );
    }

    #[test]
    fn implicit_long_forms() {
        let t = "Liên hoan Truyền hình năm nay lớn. LHTH có 78 đơn vị.";
        let p = Phrases::new(t);
        assert_eq!(
            implicit(&p, "LHTH").map(|x| x.0),
            Some("Liên hoan Truyền hình".to_string())
        );
        // two different phrases spell it: undecided
        let t = "hội nhập quốc tế và hợp nhất quốc tế; HNQT";
        assert_eq!(implicit(&Phrases::new(t), "HNQT"), None);
        // three letters are too few to guess
        assert_eq!(implicit(&Phrases::new("công an quận; CAQ"), "CAQ"), None);
        // function words take no letter, words in capitals are not part of a long form
        assert_eq!(
            implicit(&Phrases::new("an ninh và giữ gìn; ANVG"), "ANVG"),
            None
        );
        assert_eq!(
            implicit(&Phrases::new("chiến sỹ CAND trong việc; SCTV"), "SCTV"),
            None
        );
    }
}
