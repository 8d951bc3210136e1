//! Tokens with character offsets: words (syllables) and punctuation marks.
//!
//! A word is a run of letters and digits; `&`, `-`, `.` and `'` stay inside a word when a
//! letter or digit follows them directly ("PC&CC", "PT-TH-ĐA", "TP.HCM"). A lower-case
//! letter directly followed by a capitalised syllable starts a new token marked
//! [`Token::glued`]: scraped pages glue headings and captions to the next sentence
//! ("chỉ đạoHội đồng", "Lê Mạnh TuấnDự Lễ").
//!
//! Each word is looked up once in the lexicon's [`Vocab`] (lower-case), and its shape
//! (capitalised, all capitals, ...) is worked out once, so the matchers only compare
//! numbers and test bits.

use crate::chars::{
    Class, Classes, ALPHA, CAPITAL, CHANGES_CASE, CONNECTOR, DIGIT, LOWER, LOWER_SLOW, SPACE,
    UPPER, WORD,
};
use crate::vocab::{Tags, Vocab, WordId, NO_WORD};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Letters and digits.
    Word,
    /// One punctuation character.
    Punct(char),
}

/// One token of a line.
///
/// The token keeps the line it was read from and its byte range in it, rather than its own
/// slice: most tokens are never read as text, so the slice (and its character-boundary
/// checks) is only made when asked for ([`Token::text`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    /// The tokenized line.
    line: &'a str,
    /// Byte offset of the token in `line`.
    start: u32,
    /// Length of the token in bytes.
    len: u32,
    /// The lexicon word this token is (lower-cased), or [`NO_WORD`]; always [`NO_WORD`]
    /// for punctuation.
    pub id: WordId,
    /// The tags of that lexicon word (0 when unknown).
    pub tags: Tags,
    /// Word or punctuation.
    pub kind: Kind,
    /// Split from the previous word without a space (a glued heading or caption).
    pub glued: bool,
    /// The classes of its characters, kept as gathered: the shape predicates
    /// ([`Token::is_cap`], ...) are worked out from them only when asked, and most tokens
    /// are never asked.
    shape: Shape,
}

impl<'a> Token<'a> {
    /// The token as written.
    #[inline]
    pub fn text(&self) -> &'a str {
        slice(self.line, self.byte_start(), self.byte_end())
    }

    /// Byte offset of the token in the tokenized line (see [`char_offset`] for characters).
    #[inline]
    pub fn byte_start(&self) -> usize {
        self.start as usize
    }

    /// Byte offset after the token in the tokenized line.
    #[inline]
    pub fn byte_end(&self) -> usize {
        self.start as usize + self.len as usize
    }

    /// Whether this is a word.
    #[inline]
    pub fn is_word(&self) -> bool {
        self.kind == Kind::Word
    }

    /// Whether this is the punctuation mark `c`.
    #[inline]
    pub fn is(&self, c: char) -> bool {
        self.kind == Kind::Punct(c)
    }

    /// Whether this is one of the dashes used as separators.
    #[inline]
    pub fn is_dash(&self) -> bool {
        matches!(self.kind, Kind::Punct('-' | '–' | '—'))
    }

    /// Whether this word carries any of `tags` in the lexicon.
    #[inline]
    pub fn has_tag(&self, tags: Tags) -> bool {
        self.tags & tags != 0
    }

    /// A word whose first character is an upper-case letter.
    #[inline]
    pub fn is_cap(&self) -> bool {
        self.is_word() && self.shape.first & UPPER != 0
    }

    /// A word of at least two letters, all upper-case ("ĐNQP", "CATP", "XUÂN").
    #[inline]
    pub fn is_all_caps(&self) -> bool {
        self.is_word()
            && self.shape.any() & (LOWER | ALPHA) == ALPHA
            && self
                .shape
                .two_letters(self.line, (self.byte_start(), self.byte_end()))
    }

    /// Capitalised like a name syllable: upper-case first letter, the rest lower-case
    /// letters ("Nguyễn", "Sít"); a single capital letter also counts ("Y").
    #[inline]
    pub fn is_name_syllable(&self) -> bool {
        self.shape.first & UPPER != 0 && self.shape.rest_all & LOWER != 0
    }

    /// Contains a digit.
    #[inline]
    pub fn has_digit(&self) -> bool {
        self.shape.any() & DIGIT != 0
    }

    /// A lower-case word.
    #[inline]
    pub fn is_lower(&self) -> bool {
        self.is_word() && self.shape.first & LOWER != 0
    }
}

/// `text[start..end]`, where the tokenizer found both ends at character boundaries (after a
/// whole character or at the end of the text); empty if it ever did not. Checked, not
/// `get_unchecked`: a tokenizer bug must stay a wrong token, never undefined behaviour in the
/// daemon's process.
#[inline(always)]
fn slice(text: &str, start: usize, end: usize) -> &str {
    debug_assert!(text.get(start..end).is_some(), "{start}..{end}");
    text.get(start..end).unwrap_or_default()
}

/// Connectors that stay inside a word when a letter or digit follows them.
fn is_connector(c: char) -> bool {
    matches!(c, '&' | '-' | '.' | '\'' | '’')
}

/// The classes of the characters of a token, gathered one character at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shape {
    /// Classes of the first character.
    first: Class,
    /// Classes any later character has.
    rest_any: Class,
    /// Classes every later character has.
    rest_all: Class,
}

impl Shape {
    /// The shape of a token that starts with a character of `first` classes.
    #[inline]
    fn new(first: Class) -> Shape {
        Shape {
            first,
            rest_any: 0,
            rest_all: Class::MAX,
        }
    }

    /// Add a character after the first.
    #[inline]
    fn add(&mut self, class: Class) {
        self.rest_any |= class;
        self.rest_all &= class;
    }

    /// Classes any character has.
    #[inline]
    fn any(&self) -> Class {
        self.first | self.rest_any
    }

    /// Whether `text[range]`, the token of this shape, has two letters or more.
    #[inline]
    fn two_letters(&self, text: &str, range: (usize, usize)) -> bool {
        if self.first & ALPHA != 0 && self.rest_any & ALPHA != 0 {
            return true;
        }
        count_letters(slice(text, range.0, range.1)) >= 2
    }
}

/// The letters of `word` (rare: a digit or a mark first, or a single letter). Out of line, so
/// that the word loop does not prepare for it.
#[cold]
#[inline(never)]
fn count_letters(word: &str) -> usize {
    let classes = Classes::get();
    word.chars().filter(|&c| classes.of(c) & ALPHA != 0).count()
}

/// Splits lines into tokens, reusing its buffers from one line to the next.
#[derive(Debug)]
pub struct Tokenizer<'v> {
    vocab: &'v Vocab,
    classes: Classes,
    /// Lower-case form of the current word.
    lower: String,
    /// Characters (byte offset, classes) of a word that may split.
    chars: Vec<(usize, Class)>,
}

impl<'v> Tokenizer<'v> {
    /// A tokenizer looking words up in `vocab`.
    pub fn new(vocab: &'v Vocab) -> Tokenizer<'v> {
        Tokenizer {
            vocab,
            classes: Classes::get(),
            lower: String::new(),
            chars: Vec::new(),
        }
    }

    /// Split `text` (one line) into tokens, appended to `out`. Offsets are kept as `u32`: a
    /// line of 4 GiB or more gives no tokens.
    pub fn tokenize_into<'a>(&mut self, text: &'a str, out: &mut Vec<Token<'a>>) {
        if u32::try_from(text.len()).is_err() {
            return;
        }
        let bytes = text.as_bytes();
        let classes = self.classes;
        let mut b = 0;
        while let Some(&x) = bytes.get(b) {
            // spaces between words first, without a table look-up
            if x == b' ' {
                b += 1;
                continue;
            }
            let (cp, len, class) = if x < 0x80 {
                (u32::from(x), 1, classes.ascii(x))
            } else {
                classes.decode_multi(bytes, b, x)
            };
            if class & SPACE != 0 {
                b += len;
            } else if class & WORD != 0 {
                let (end, shape) = self.read_word(text, b, len, class);
                if shape.rest_any & UPPER != 0 && shape.any() & LOWER != 0 {
                    // maybe "TuấnDự": a lower-case letter, then a capitalised syllable (a
                    // word without lower-case letters, "QĐND", never splits)
                    self.push_split_word(text, b..end, out);
                } else {
                    out.push(self.word_token(text, b..end, &shape, false));
                }
                b = end;
                // most words end at a space: step over it now
                if bytes.get(b) == Some(&b' ') {
                    b += 1;
                }
            } else {
                out.push(Token {
                    line: text,
                    start: b as u32,
                    len: len as u32,
                    id: NO_WORD,
                    tags: 0,
                    kind: Kind::Punct(char::from_u32(cp).unwrap_or('\u{FFFD}')),
                    glued: false,
                    shape: Shape::new(class),
                });
                b += len;
            }
        }
    }

    /// Read the word at byte `start` (its first character is `first_len` bytes long and has
    /// `first` classes): letters and digits, and connectors followed by one ("PC&CC",
    /// "TP.HCM"), except a '.' that ends a sentence ("Tuấn.Theo"). Returns the byte after
    /// the word and its shape.
    #[inline(always)]
    fn read_word(
        &self,
        text: &str,
        start: usize,
        first_len: usize,
        first: Class,
    ) -> (usize, Shape) {
        let bytes = text.as_bytes();
        let classes = self.classes;
        let mut b = start + first_len;
        let mut shape = Shape::new(first);
        loop {
            // ASCII letters and digits, one table look-up each
            let x = loop {
                let Some(&x) = bytes.get(b) else {
                    return (b, shape);
                };
                if x >= 0x80 {
                    break x;
                }
                let class = classes.ascii(x);
                if class & WORD == 0 {
                    break x;
                }
                shape.add(class);
                b += 1;
            };
            let (d, len, class) = if x < 0x80 {
                (u32::from(x), 1, classes.ascii(x))
            } else {
                classes.decode_multi(bytes, b, x)
            };
            if class & WORD != 0 {
                shape.add(class);
                b += len;
                continue;
            }
            if class & CONNECTOR != 0 {
                if let Some((_, n_len, n)) = classes.decode_bytes(bytes, b + len) {
                    if n & WORD != 0
                        && !(d == u32::from(b'.') && self.ends_sentence(text, start, b))
                    {
                        shape.add(class);
                        shape.add(n);
                        b += len + n_len;
                        continue;
                    }
                }
            }
            break;
        }
        (b, shape)
    }

    /// Whether a '.' glued to the next word after `text[start..end]` ends a sentence
    /// ("Tuấn.Theo") rather than an abbreviation ("TP.HCM", "H.Định", "v.v", "1.600"): the
    /// part since the last connector has two letters or more and a lower-case one. Rare, and
    /// kept out of line so that the word loop does not prepare for it.
    #[cold]
    #[inline(never)]
    fn ends_sentence(&self, text: &str, start: usize, end: usize) -> bool {
        let part = slice(text, start, end);
        let mut letters = 0;
        let mut lower = false;
        for c in part.chars().rev().take_while(|c| !is_connector(*c)) {
            let class = self.classes.of(c);
            letters += u32::from(class & ALPHA != 0);
            lower |= class & LOWER != 0;
        }
        letters >= 2 && lower
    }

    /// Push the word at bytes `range`, split where a lower-case letter is followed by a
    /// capitalised syllable ("TuấnDự" → "Tuấn", glued "Dự"). Out of line: few words have a
    /// capital after their first letter.
    #[cold]
    #[inline(never)]
    fn push_split_word<'a>(
        &mut self,
        text: &'a str,
        range: std::ops::Range<usize>,
        out: &mut Vec<Token<'a>>,
    ) {
        let mut chars = std::mem::take(&mut self.chars);
        chars.clear();
        chars.extend(
            text[range.clone()]
                .char_indices()
                .map(|(b, c)| (range.start + b, self.classes.of(c))),
        );
        let lower = |k: usize| chars[k].1 & LOWER != 0;
        let byte = |k: usize| chars.get(k).map_or(range.end, |c| c.0);
        let mut from = 0;
        for k in 1..=chars.len() {
            let split = k == chars.len()
                || (lower(k - 1) && chars[k].1 & UPPER != 0 && k + 1 < chars.len() && lower(k + 1));
            if split {
                let mut shape = Shape::new(chars[from].1);
                chars[from + 1..k].iter().for_each(|c| shape.add(c.1));
                let token = self.word_token(text, byte(from)..byte(k), &shape, from > 0);
                out.push(token);
                from = k;
            }
        }
        self.chars = chars;
    }

    /// One word token at bytes `range`: its shape, and its id and tags in the vocabulary
    /// (looked up lower-case).
    #[inline(always)]
    fn word_token<'a>(
        &mut self,
        text: &'a str,
        range: std::ops::Range<usize>,
        shape: &Shape,
        glued: bool,
    ) -> Token<'a> {
        let (id, tags) = if shape.any() & CHANGES_CASE == 0 {
            self.vocab.lookup_at(text, range.start, range.end)
        } else if shape.first & CAPITAL != 0 && shape.rest_any & CHANGES_CASE == 0 {
            // "Nguyễn": the capitalised form of a word, if any
            match self.vocab.lookup_capitalized(text, range.start, range.end) {
                Some(found) => found,
                None => self.lookup_lower(slice(text, range.start, range.end), shape.any()),
            }
        } else {
            self.lookup_lower(slice(text, range.start, range.end), shape.any())
        };
        Token {
            line: text,
            // `tokenize_into` takes lines shorter than 4 GiB only
            start: range.start as u32,
            len: (range.end - range.start) as u32,
            id,
            tags,
            kind: Kind::Word,
            glued,
            shape: *shape,
        }
    }

    /// The id and tags of a word with upper-case letters (`any`: the classes of its
    /// characters), looked up lower-case.
    #[inline(never)]
    fn lookup_lower(&mut self, word: &str, any: Class) -> (WordId, Tags) {
        if any & LOWER_SLOW != 0 {
            // `str::to_lowercase` handles what one character at a time cannot
            return self.vocab.lookup(&word.to_lowercase());
        }
        self.lower.clear();
        for c in word.chars() {
            self.lower.push(self.classes.lower(c));
        }
        self.vocab.lookup(&self.lower)
    }
}

/// Split `text` (one line) into tokens, looking words up in `vocab`.
pub fn tokenize<'a>(text: &'a str, vocab: &Vocab) -> Vec<Token<'a>> {
    let mut out = Vec::new();
    Tokenizer::new(vocab).tokenize_into(text, &mut out);
    out
}

/// Number of characters (Unicode scalar values) of `text`: its bytes that do not continue a
/// character (`10xxxxxx`), counted sixteen at a time with SSE2 (part of every x86-64
/// processor), eight at a time elsewhere.
#[inline]
pub fn char_count(text: &str) -> usize {
    let bytes = text.as_bytes();
    #[cfg(target_arch = "x86_64")]
    {
        let blocks = bytes.len() / 16 * 16;
        let (head, tail) = bytes.split_at(blocks);
        sse2::char_starts(head) + char_starts_swar(tail)
    }
    #[cfg(not(target_arch = "x86_64"))]
    char_starts_swar(bytes)
}

/// The bytes of `bytes` that start a character, counted eight at a time.
#[inline]
fn char_starts_swar(bytes: &[u8]) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut chunks = bytes.chunks_exact(8);
    let mut continuations = 0usize;
    // per byte lane, how many continuation bytes so far; summed across the lanes (by a
    // multiplication, exact while the sum is below 256) every 31 steps
    let mut lanes = 0u64;
    let mut steps = 0;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let w = u64::from_le_bytes(w);
        // bit 7 set and bit 6 clear
        lanes += ((w & !(w << 1)) & HIGH) >> 7;
        steps += 1;
        if steps == 31 {
            continuations += (lanes.wrapping_mul(ONES) >> 56) as usize;
            lanes = 0;
            steps = 0;
        }
    }
    continuations += (lanes.wrapping_mul(ONES) >> 56) as usize;
    continuations += chunks
        .remainder()
        .iter()
        .filter(|&&b| b & 0xC0 == 0x80)
        .count();
    bytes.len() - continuations
}

/// Counting character starts sixteen bytes at a time.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpgt_epi8, _mm_cvtsi128_si64, _mm_loadu_si128, _mm_sad_epu8, _mm_set1_epi8,
        _mm_setzero_si128, _mm_sub_epi8, _mm_unpackhi_epi64,
    };

    /// The bytes of `bytes` (a multiple of 16 long) that start a character: read as signed
    /// numbers, the continuation bytes `0x80..=0xBF` are exactly those below -64.
    pub fn char_starts(bytes: &[u8]) -> usize {
        let mut total = 0usize;
        let mut chunks = bytes.chunks_exact(16);
        // SAFETY: SSE2 is part of the x86-64 baseline, and each load reads the 16 bytes of
        // one chunk (unaligned loads).
        unsafe {
            let floor = _mm_set1_epi8(-65);
            let zero = _mm_setzero_si128();
            loop {
                // per byte lane, the starts seen; at most 255 blocks before the lanes are summed
                let mut lanes = zero;
                let mut n = 0;
                for c in chunks.by_ref().take(255) {
                    let v = _mm_loadu_si128(c.as_ptr().cast::<__m128i>());
                    // -1 in the lanes of bytes that start a character
                    lanes = _mm_sub_epi8(lanes, _mm_cmpgt_epi8(v, floor));
                    n += 1;
                }
                let sums = _mm_sad_epu8(lanes, zero);
                let low = _mm_cvtsi128_si64(sums) as usize;
                let high = _mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)) as usize;
                total += low + high;
                if n < 255 {
                    return total;
                }
            }
        }
    }
}

/// The character offset of byte `byte` (a character boundary) of `line`.
#[inline]
pub fn char_offset(line: &str, byte: usize) -> usize {
    char_count(line.get(..byte).unwrap_or(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokenize(s: &str) -> Vec<Token<'_>> {
        super::tokenize(s, &Vocab::default())
    }

    fn texts(s: &str) -> Vec<String> {
        tokenize(s)
            .into_iter()
            .map(|t| t.text().to_string())
            .collect()
    }

    #[test]
    fn words_keep_inner_connectors_and_offsets_are_characters() {
        assert_eq!(
            texts("Sở Cảnh sát PC&CC, PT-TH-ĐA (TP.HCM)."),
            vec![
                "Sở",
                "Cảnh",
                "sát",
                "PC&CC",
                ",",
                "PT-TH-ĐA",
                "(",
                "TP.HCM",
                ")",
                "."
            ]
        );
        let s = "Đại tá Minh";
        let t = tokenize(s);
        let (start, end) = (t[2].byte_start(), t[2].byte_end());
        assert_eq!((char_offset(s, start), char_offset(s, end)), (7, 11));
        assert_eq!(char_count(s), 11);
        for s in [
            "",
            "a",
            "ễ",
            "Nguyễn Văn Đạo – “Thượng tướng” 𝔸 …",
            &"ữa".repeat(700),
            &"aễ…𝔸 ".repeat(1500),
            &"Đại tá Minh phát biểu. ".repeat(300),
        ] {
            assert_eq!(char_count(s), s.chars().count(), "{s}");
        }
        let mixed = "Thượng tướng Võ Văn Long – “Thứ trưởng” 𝔸 … x".repeat(3);
        for (b, _) in mixed.char_indices() {
            let (head, tail) = mixed.split_at(b);
            assert_eq!(char_count(head), head.chars().count(), "{head}");
            assert_eq!(char_count(tail), tail.chars().count(), "{tail}");
        }
    }

    #[test]
    fn a_glued_full_stop_ends_a_sentence_but_not_an_abbreviation() {
        assert_eq!(
            texts("Lê Mạnh Tuấn.Theo TP.HCM, H.Định"),
            vec!["Lê", "Mạnh", "Tuấn", ".", "Theo", "TP.HCM", ",", "H.Định"]
        );
    }

    #[test]
    fn a_dash_before_a_space_is_punctuation() {
        assert_eq!(
            texts("Bộ Quốc phòng- Đại tướng"),
            vec!["Bộ", "Quốc", "phòng", "-", "Đại", "tướng"]
        );
    }

    #[test]
    fn glued_capitalised_syllables_split_and_are_marked() {
        let t = tokenize("Lê Mạnh TuấnDự Lễ");
        assert_eq!(t[2].text(), "Tuấn");
        assert_eq!(t[3].text(), "Dự");
        assert!(t[3].glued);
        assert!(!t[2].glued);
        // acronyms do not split
        assert_eq!(texts("ĐNQP HNQT"), vec!["ĐNQP", "HNQT"]);
        let t = tokenize("QĐND TP.HCM BĐBP-HNQT");
        assert_eq!(t.len(), 3);
        assert!(t.iter().all(|t| t.is_all_caps() && t.is_cap() && !t.glued));
        assert!(t.iter().all(|t| !t.is_name_syllable() && !t.is_lower()));
    }

    #[test]
    fn token_shapes() {
        let t = tokenize("Nguyễn ĐNQP vùng");
        assert!(t[0].is_name_syllable() && t[0].is_cap());
        assert!(t[1].is_all_caps() && !t[1].is_name_syllable());
        assert!(t[2].is_lower());
    }
}
