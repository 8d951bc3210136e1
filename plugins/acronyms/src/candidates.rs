//! Finding short forms in running text.
//!
//! A candidate is a word in capitals of at least two letters ("UBND", "ĐNQP"), or several such
//! pieces joined without spaces by `&`, `-`, `.` or `/` ("PC&CC", "PT-TH-ĐA", "TP.HCM").
//! Not candidates:
//! - Roman numerals: "Đại hội XIII", "Tổng cục II", "khóa XVI" (numerals of I, V, X and L
//!   always; with C, D or M only after a word that counts: "thế kỷ", "khóa", "lần thứ", …);
//! - words in capitals: two or more capitalised syllables side by side ("MAI NGUYÊN",
//!   "XUÂN CƯỜNG – THÁI PHƯƠNG"), one syllable with Vietnamese marks ("VŨ"), or a word of
//!   the record's `authors`;
//! - initials of a person ("V.T.", "K.C") and single letters ("cháu Đ");
//! - codes with digits: model names and plates ("FA-50", "AK-630", "60V-8598", "F404-GE-102");
//! - what the dictionary's `ignore` list names (GMT, USD).
//!
//! Document numbers ("Kết luận số 53-KL/TW", "2662-NQ/QUTW", "15/2020/NĐ-CP") are recognised
//! as a whole; their letter parts become candidates marked [`Place::Code`], resolved only
//! through the dictionary's `codes` table and never expanded.

use crate::chars::{self, is_alphabetic, is_letter_or_mark, is_uppercase};
use crate::dictionary::Dictionary;
use crate::vietnamese::{has_vowel_marks, is_all_caps, is_syllable};
use regex::Regex;
use std::sync::LazyLock;

/// Where a candidate stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// In running text.
    Free,
    /// A part of a document number such as 53-KL/TW.
    Code,
    /// A piece of a joined form ("TTGT" in "TTGT-ĐT") that was not known as a whole.
    Piece,
}

/// A short form found in the text, borrowed from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate<'t> {
    /// The short form as written.
    pub text: &'t str,
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset just past it.
    pub end: usize,
    /// Where it stands.
    pub place: Place,
    /// Byte spans of its pieces when joined by `&`, `-`, `.`, `/`; empty for one piece (so
    /// that most candidates allocate nothing).
    pub pieces: Vec<(usize, usize)>,
}

impl Candidate<'_> {
    /// True when it is several pieces joined ("PC&CC", "TTGT-ĐT").
    pub fn is_joined(&self) -> bool {
        self.pieces.len() > 1
    }
}

static ROMAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$")
        .expect("valid pattern")
});
static ROMAN_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:thế kỷ|khóa|khoá|lần thứ|đại hội|hội nghị|tổng cục|quân đoàn|quân khu|phần|chương|mục|kỳ|đợt|số|thứ)\s*$",
    )
    .expect("valid pattern")
});

/// Bytes of the text before a numeral that [`ROMAN_CUE`] can need: its longest word, every
/// letter at its longest under case folding, with room to spare.
const ROMAN_CUE_REACH: usize = 64;

/// Build the patterns now (so the first article does not pay for them).
pub fn init() {
    LazyLock::force(&ROMAN);
    LazyLock::force(&ROMAN_CUE);
}

/// A token of the text and a summary of its letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset just past it.
    pub end: usize,
    /// Joined from several pieces by `&`, `.`, `/` or `-`.
    pub joined: bool,
    /// It has a letter ([`char::is_alphabetic`]).
    pub alphabetic: bool,
    /// It has a lower-case letter ([`char::is_lowercase`]).
    pub lowercase: bool,
    /// How many upper-case letters it has ([`char::is_uppercase`]), counted up to 2.
    pub uppercase: u8,
}

/// The token starting at `start`: the pattern
/// `[\p{L}\p{M}\p{N}]+(?:[&./\-][\p{L}\p{M}\p{N}]+)*`, matched by hand.
#[inline(always)]
fn token_at(table: chars::Table, text: &str, start: usize) -> Token {
    let mut t = Token {
        start,
        end: start,
        joined: false,
        alphabetic: false,
        lowercase: false,
        uppercase: 0,
    };
    let n = text.len();
    let wordish_at = |i: usize| i < n && table.at(text, i).0 & chars::WORDISH != 0;
    let mut i = start;
    // All the flags of the token's characters, and how many are upper case.
    let mut any = 0u8;
    let mut upper = 0usize;
    loop {
        while i < n {
            let (f, len) = table.at(text, i);
            if f & chars::WORDISH == 0 {
                break;
            }
            any |= f;
            upper += usize::from(f & chars::UPPERCASE != 0);
            i += len;
        }
        t.alphabetic = any & chars::ALPHABETIC != 0;
        t.lowercase = any & chars::LOWERCASE != 0;
        t.uppercase = upper.min(2) as u8;
        match text.as_bytes().get(i) {
            Some(&b) if is_connector(b) && wordish_at(i + 1) => {
                t.joined = true;
                i += 1;
            }
            _ => {
                t.end = i;
                return t;
            }
        }
    }
}

fn is_connector(b: u8) -> bool {
    matches!(b, b'&' | b'.' | b'/' | b'-')
}

/// The start of the token that has the character at `i` (a token character).
///
/// A token is a longest chain of runs of token characters, each joined to the next by one
/// connector, so it is the same chain whether read from its start or from inside.
#[inline(always)]
fn token_start(table: chars::Table, text: &str, mut i: usize) -> usize {
    // Most tokens follow a space or other ASCII that neither belongs to a token nor joins one.
    match i.checked_sub(1).map(|p| text.as_bytes()[p]) {
        None => return i,
        Some(p) if p < 0x80 && !is_connector(p) && chars::flags(char::from(p)) == 0 => return i,
        _ => {}
    }
    let wordish_before = |i: usize| {
        table
            .before(text, i)
            .is_some_and(|(f, _)| f & chars::WORDISH != 0)
    };
    loop {
        while let Some((f, len)) = table.before(text, i) {
            if f & chars::WORDISH == 0 {
                break;
            }
            i -= len;
        }
        if i >= 2 && is_connector(text.as_bytes()[i - 1]) && wordish_before(i - 1) {
            i -= 1;
        } else {
            return i;
        }
    }
}

/// The bytes [`tokens_with_capitals`] passes over without a look: ASCII other than the
/// capitals A-Z, and UTF-8 continuation bytes.
const SKIP: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0xC0 {
        t[b] = !(b as u8).is_ascii_uppercase();
        b += 1;
    }
    t
};

/// The offset of the first character from `at` (a char boundary) that has the
/// [`chars::CAPITAL`] flag. Kept out of line: the loop over every byte of the text gets the
/// registers to itself.
#[inline(never)]
fn next_capital(table: chars::Table, text: &str, mut at: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    // Sixteen bytes a step while a window of eighteen fits: a position is looked at only
    // when it holds a capital A-Z or a lead byte that does not start a common lower-case
    // letter (see [`sse2::maybe_capitals`]).
    #[cfg(target_arch = "x86_64")]
    while let Some(window) = bytes.get(at..at + sse2::WINDOW) {
        let mask = sse2::maybe_capitals(window);
        if mask == 0 {
            at += 16;
            continue;
        }
        let i = at + mask.trailing_zeros() as usize;
        // `i` holds A-Z or a lead byte, so it is a char boundary.
        let (f, len) = table.at(text, i);
        if f & chars::CAPITAL != 0 {
            return Some(i);
        }
        at = i + len;
    }
    loop {
        // ASCII other than capitals, and bytes inside a character: skipped in a tight loop.
        while bytes.get(at).is_some_and(|&b| SKIP[usize::from(b)]) {
            at += 1;
        }
        let &b = bytes.get(at)?;
        if b < 0xC0 {
            return Some(at);
        }
        let (f, len) = table.at(text, at);
        if f & chars::CAPITAL != 0 {
            return Some(at);
        }
        at += len;
    }
}

/// [`next_capital`]'s skipping, sixteen bytes at a time (SSE2 is part of every x86-64
/// processor).
#[cfg(target_arch = "x86_64")]
pub(crate) mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8,
        _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_setzero_si128,
    };

    /// The bytes [`maybe_capitals`] reads: sixteen, and two more for the bytes after a lead.
    pub const WINDOW: usize = 18;

    /// Of the first sixteen bytes of `w` (`WINDOW` bytes), a bit per byte that may start a
    /// [`crate::chars::CAPITAL`] character: A-Z, and every lead byte (0xC0 and up) but those
    /// of letters that are lower case whatever follows: C3 A0..=BF (à..ÿ and ÷), C4 with an
    /// odd byte below B8 (U+0101..=U+0137 odd: ā, ă, đ, ĩ, …), C5 A9 (ũ), C6 A1 (ơ), C6 B0
    /// (ư), and E1 BA/BB then an odd byte (U+1E81..=U+1EFF odd: ạ, ả, ấ, …). Continuation
    /// bytes and other ASCII never have a bit, so every bit is at a char boundary.
    #[inline(always)]
    pub fn maybe_capitals(w: &[u8]) -> u32 {
        classify(w).cap
    }

    /// The classes of sixteen bytes, a bit per byte (see [`classify`]).
    #[derive(Clone, Copy)]
    pub struct Classes16 {
        /// May start a capital ([`maybe_capitals`]).
        pub cap: u32,
        /// ASCII other than letters and digits: what ends a run of token characters.
        pub brk: u32,
        /// A connector, `& . / -`.
        pub conn: u32,
        /// A lead byte of a letter that is lower case whatever follows (those
        /// [`maybe_capitals`] passes over, but ÷), or a-z.
        pub small: u32,
        /// A-Z, or a lead byte not in `small`: a character that may be upper case or not
        /// part of a token.
        pub odd: u32,
        /// A lead byte (0xC0 and up).
        pub lead: u32,
    }

    /// The classes of the first sixteen bytes of `w` (`WINDOW` bytes).
    #[inline(always)]
    pub fn classify(w: &[u8]) -> Classes16 {
        assert!(w.len() == WINDOW);
        // SAFETY: SSE2 is always present on x86-64, and the three unaligned 16-byte loads lie
        // inside `w` (`2 + 16 <= w.len()`).
        unsafe {
            let cur = _mm_loadu_si128(w.as_ptr().cast::<__m128i>());
            let c1 = _mm_loadu_si128(w.as_ptr().add(1).cast::<__m128i>());
            let c2 = _mm_loadu_si128(w.as_ptr().add(2).cast::<__m128i>());
            let is = |v: __m128i, b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
            // signed compares: byte values 0x80..=0xFF are -128..=-1
            let above = |v: __m128i, b: u8| _mm_cmpgt_epi8(v, _mm_set1_epi8(b as i8));
            let below = |v: __m128i, b: u8| _mm_cmplt_epi8(v, _mm_set1_epi8(b as i8));
            let odd = |v: __m128i| is(_mm_and_si128(v, _mm_set1_epi8(1)), 1);
            // c in first..first+n: c - first + 0x80 < n + 0x80 as signed bytes is
            // c - first < n unsigned.
            let range = |first: u8, n: u8| {
                let shifted = _mm_add_epi8(cur, _mm_set1_epi8((0x80u8.wrapping_sub(first)) as i8));
                _mm_cmplt_epi8(shifted, _mm_set1_epi8((0x80u8 + n) as i8))
            };
            let upper = range(b'A', 26);
            let small_ascii = range(b'a', 26);
            let digit = range(b'0', 10);
            // Lead bytes 0xC0..=0xFF: as signed bytes, -64..=-1.
            let lead = _mm_and_si128(above(cur, 0xBF), _mm_cmplt_epi8(cur, _mm_setzero_si128()));
            // C3 A0..=BF: A0..=BF are -96..=-65.
            let latin1 = _mm_and_si128(
                is(cur, 0xC3),
                _mm_and_si128(above(c1, 0x9F), below(c1, 0xC0)),
            );
            // C4 81..=B7 odd: 81..=B7 are -127..=-73.
            let extended_a = _mm_and_si128(
                _mm_and_si128(is(cur, 0xC4), odd(c1)),
                _mm_and_si128(above(c1, 0x80), below(c1, 0xB8)),
            );
            let u_tilde = _mm_and_si128(is(cur, 0xC5), is(c1, 0xA9));
            let horned = _mm_and_si128(is(cur, 0xC6), _mm_or_si128(is(c1, 0xA1), is(c1, 0xB0)));
            let vietnamese = _mm_and_si128(
                _mm_and_si128(is(cur, 0xE1), odd(c2)),
                _mm_or_si128(is(c1, 0xBA), is(c1, 0xBB)),
            );
            let lower = _mm_or_si128(
                _mm_or_si128(latin1, extended_a),
                _mm_or_si128(_mm_or_si128(u_tilde, horned), vietnamese),
            );
            let maybe = _mm_or_si128(upper, _mm_andnot_si128(lower, lead));
            // ÷ (C3 B7) is in `lower` but is no letter.
            let division = _mm_and_si128(is(cur, 0xC3), is(c1, 0xB7));
            let small_lead = _mm_andnot_si128(division, lower);
            // ASCII: 0..=0x7F are the non-negative signed bytes.
            let ascii = above(cur, 0xFF);
            let alnum = _mm_or_si128(_mm_or_si128(upper, small_ascii), digit);
            let brk = _mm_andnot_si128(alnum, ascii);
            let conn = _mm_or_si128(
                _mm_or_si128(is(cur, b'&'), is(cur, b'.')),
                _mm_or_si128(is(cur, b'/'), is(cur, b'-')),
            );
            let odd_chars = _mm_or_si128(upper, _mm_andnot_si128(small_lead, lead));
            let bits = |v: __m128i| _mm_movemask_epi8(v) as u32;
            Classes16 {
                cap: bits(maybe),
                brk: bits(brk),
                conn: bits(conn),
                small: bits(_mm_or_si128(small_ascii, small_lead)),
                odd: bits(odd_chars),
                lead: bits(lead),
            }
        }
    }

    /// The bytes [`block`] reads: sixty-four, and two more for the bytes after a lead.
    pub const BLOCK_WINDOW: usize = 66;

    /// [`Classes16`] of sixty-four bytes, a bit per byte.
    #[derive(Clone, Copy)]
    pub struct Block {
        pub cap: u64,
        pub brk: u64,
        pub conn: u64,
        pub small: u64,
        pub odd: u64,
        pub lead: u64,
    }

    impl Block {
        /// True when the character at bit `k` (a bit of `cap`) starts a token that cannot
        /// give a short form, or none at all, seen on the masks alone: the byte before it is
        /// ASCII that neither belongs to a token nor joins one, the run from it ends at
        /// ASCII other than a connector inside the block, and every character after it up
        /// to there is a-z, a digit or a letter of `small` (lower case), with at least one
        /// letter. Then the run is one token with at most one capital and a lower-case
        /// letter ([`super::cannot_be_short`]), or, when the character at `k` is not part
        /// of a token, holds no capital at all.
        #[inline(always)]
        pub fn is_plain_word(&self, k: u32) -> bool {
            if k == 0 || k == 63 || (self.brk & !self.conn) >> (k - 1) & 1 == 0 {
                return false;
            }
            let after = self.brk & (!0u64 << (k + 1));
            if after == 0 {
                return false;
            }
            let e = after.trailing_zeros();
            let inside = ((1u64 << e) - 1) & (!0u64 << (k + 1));
            self.conn >> e & 1 == 0 && self.odd & inside == 0 && self.small & inside != 0
        }
    }

    /// The classes of the first sixty-four bytes of `w` (`BLOCK_WINDOW` bytes).
    #[inline(always)]
    pub fn block(w: &[u8]) -> Block {
        assert!(w.len() == BLOCK_WINDOW);
        let parts: [Classes16; 4] = std::array::from_fn(|q| classify(&w[16 * q..16 * q + WINDOW]));
        let join = |f: fn(&Classes16) -> u32| {
            parts
                .iter()
                .enumerate()
                .fold(0u64, |acc, (q, p)| acc | u64::from(f(p)) << (16 * q))
        };
        Block {
            cap: join(|p| p.cap),
            brk: join(|p| p.brk),
            conn: join(|p| p.conn),
            small: join(|p| p.small),
            odd: join(|p| p.odd),
            lead: join(|p| p.lead),
        }
    }
}

/// [`sse2::block`] with AVX2, thirty-two bytes an instruction.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::sse2::{Block, BLOCK_WINDOW};
    use std::arch::x86_64::{
        __m256i, _mm256_add_epi8, _mm256_and_si256, _mm256_andnot_si256, _mm256_cmpeq_epi8,
        _mm256_cmpgt_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
        _mm256_set1_epi8, _mm256_setzero_si256,
    };

    // The helpers carry the feature too, so that they inline into `classify`.

    #[inline]
    #[target_feature(enable = "avx2")]
    fn splat(b: u8) -> __m256i {
        _mm256_set1_epi8(b as i8)
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn is(v: __m256i, b: u8) -> __m256i {
        _mm256_cmpeq_epi8(v, splat(b))
    }

    /// Signed compares: byte values 0x80..=0xFF are -128..=-1.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn above(v: __m256i, b: u8) -> __m256i {
        _mm256_cmpgt_epi8(v, splat(b))
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn below(v: __m256i, b: u8) -> __m256i {
        _mm256_cmpgt_epi8(splat(b), v)
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn and(a: __m256i, b: __m256i) -> __m256i {
        _mm256_and_si256(a, b)
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn or(a: __m256i, b: __m256i) -> __m256i {
        _mm256_or_si256(a, b)
    }

    /// `b` and not `a`.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn and_not(a: __m256i, b: __m256i) -> __m256i {
        _mm256_andnot_si256(a, b)
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn odd(v: __m256i) -> __m256i {
        is(and(v, splat(1)), 1)
    }

    /// `v` in `first..first + n`, as unsigned bytes.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn range(v: __m256i, first: u8, n: u8) -> __m256i {
        let shifted = _mm256_add_epi8(v, splat(0x80u8.wrapping_sub(first)));
        below(shifted, 0x80 + n)
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn bits(v: __m256i) -> u64 {
        u64::from(_mm256_movemask_epi8(v) as u32)
    }

    /// The classes of the first thirty-two bytes of `w` (thirty-four bytes), as
    /// [`super::sse2::classify`] gives them: cap, brk, conn, small, odd, lead.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn classify(w: &[u8; 34]) -> [u64; 6] {
        // SAFETY: the three unaligned 32-byte loads lie inside `w` (`2 + 32 <= 34`).
        let (cur, c1, c2) = unsafe {
            (
                _mm256_loadu_si256(w.as_ptr().cast::<__m256i>()),
                _mm256_loadu_si256(w.as_ptr().add(1).cast::<__m256i>()),
                _mm256_loadu_si256(w.as_ptr().add(2).cast::<__m256i>()),
            )
        };
        let upper = range(cur, b'A', 26);
        let small_ascii = range(cur, b'a', 26);
        let digit = range(cur, b'0', 10);
        let lead = and(
            above(cur, 0xBF),
            _mm256_cmpgt_epi8(_mm256_setzero_si256(), cur),
        );
        let latin1 = and(is(cur, 0xC3), and(above(c1, 0x9F), below(c1, 0xC0)));
        let extended_a = and(
            and(is(cur, 0xC4), odd(c1)),
            and(above(c1, 0x80), below(c1, 0xB8)),
        );
        let u_tilde = and(is(cur, 0xC5), is(c1, 0xA9));
        let horned = and(is(cur, 0xC6), or(is(c1, 0xA1), is(c1, 0xB0)));
        let vietnamese = and(and(is(cur, 0xE1), odd(c2)), or(is(c1, 0xBA), is(c1, 0xBB)));
        let lower = or(or(latin1, extended_a), or(or(u_tilde, horned), vietnamese));
        let maybe = or(upper, and_not(lower, lead));
        let division = and(is(cur, 0xC3), is(c1, 0xB7));
        let small_lead = and_not(division, lower);
        let ascii = above(cur, 0xFF);
        let alnum = or(or(upper, small_ascii), digit);
        let brk = and_not(alnum, ascii);
        let conn = or(
            or(is(cur, b'&'), is(cur, b'.')),
            or(is(cur, b'/'), is(cur, b'-')),
        );
        let odd_chars = or(upper, and_not(small_lead, lead));
        [
            bits(maybe),
            bits(brk),
            bits(conn),
            bits(or(small_ascii, small_lead)),
            bits(odd_chars),
            bits(lead),
        ]
    }

    /// [`super::sse2::block`].
    #[target_feature(enable = "avx2")]
    pub fn block(w: &[u8]) -> Block {
        assert!(w.len() == BLOCK_WINDOW);
        let (Ok(first), Ok(second)) = (
            <&[u8; 34]>::try_from(&w[..34]),
            <&[u8; 34]>::try_from(&w[32..]),
        ) else {
            unreachable!("a window of 66 bytes has both halves");
        };
        let (a, b) = (classify(first), classify(second));
        let join = |i: usize| a[i] | b[i] << 32;
        Block {
            cap: join(0),
            brk: join(1),
            conn: join(2),
            small: join(3),
            odd: join(4),
            lead: join(5),
        }
    }
}

/// Reads [`sse2::Block`]s with AVX2 when the processor has it, else with SSE2.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
pub(crate) struct BlockReader {
    avx2: bool,
}

#[cfg(target_arch = "x86_64")]
impl BlockReader {
    /// A reader for this processor.
    pub(crate) fn new() -> BlockReader {
        BlockReader {
            avx2: std::is_x86_feature_detected!("avx2"),
        }
    }

    /// The classes of the first sixty-four bytes of `w` ([`BLOCK_WINDOW`] bytes).
    #[inline(always)]
    pub(crate) fn read(self, w: &[u8]) -> sse2::Block {
        if self.avx2 {
            // SAFETY: the processor has AVX2 (checked in `new`).
            unsafe { avx2::block(w) }
        } else {
            sse2::block(w)
        }
    }
}

/// The bytes a block is read from: sixty-four, and two more for the bytes after a lead.
#[cfg(target_arch = "x86_64")]
pub(crate) const BLOCK_WINDOW: usize = sse2::BLOCK_WINDOW;

/// The class masks of a whole text, read once and shared by [`short_tokens_in`] and
/// [`crate::definitions::Phrases`]: sixty-four bytes a block from the start, the last block
/// padded with spaces.
pub struct TextBlocks {
    #[cfg(target_arch = "x86_64")]
    blocks: Vec<sse2::Block>,
}

impl TextBlocks {
    /// The blocks of `text`.
    pub fn read(text: &str) -> TextBlocks {
        #[cfg(target_arch = "x86_64")]
        {
            let reader = BlockReader::new();
            let b = text.as_bytes();
            let n = b.len();
            let mut blocks = Vec::with_capacity(n.div_ceil(64));
            let mut at = 0;
            while at < n {
                let block = match b.get(at..at + BLOCK_WINDOW) {
                    Some(window) => reader.read(window),
                    None => {
                        let mut last = [b' '; BLOCK_WINDOW];
                        last[..n - at].copy_from_slice(&b[at..]);
                        reader.read(&last)
                    }
                };
                blocks.push(block);
                at += 64;
            }
            TextBlocks { blocks }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = text;
            TextBlocks {}
        }
    }

    /// The blocks, the first from byte 0 (none on other processors).
    #[cfg(target_arch = "x86_64")]
    pub(crate) fn blocks(&self) -> &[sse2::Block] {
        &self.blocks
    }
}

/// The tokens of `text` that may hold a short form, in order, into `out`: those of
/// [`tokens_with_capitals`] that [`cannot_be_short`] does not rule out.
pub fn short_tokens(text: &str, out: &mut Vec<Token>) {
    short_tokens_in(text, &TextBlocks::read(text), out);
}

/// [`short_tokens`] on the text's `blocks`: a capitalised word ("Hà", "Trung") is passed over
/// on the block's masks (see [`sse2::Block::is_plain_word`]); any other capital is read as
/// [`tokens_with_capitals`] reads it.
pub fn short_tokens_in(text: &str, blocks: &TextBlocks, out: &mut Vec<Token>) {
    let table = chars::table();
    #[cfg(target_arch = "x86_64")]
    {
        // Capitals before `done` belong to a token read already.
        let mut done = 0;
        for (j, block) in blocks.blocks().iter().enumerate() {
            let base = 64 * j;
            if done >= base + 64 {
                continue;
            }
            let mut caps = block.cap & (!0u64 << done.saturating_sub(base));
            while caps != 0 {
                let k = caps.trailing_zeros();
                if block.is_plain_word(k) {
                    caps &= caps - 1;
                    continue;
                }
                // A capital A-Z or a lead byte: a char boundary.
                let c = base + k as usize;
                if table.at(text, c).0 & chars::CAPITAL == 0 {
                    caps &= caps - 1;
                    continue;
                }
                let token = token_at(table, text, token_start(table, text, c));
                if !cannot_be_short(&token) {
                    out.push(token);
                }
                done = token.end;
                if done >= base + 64 {
                    break;
                }
                caps &= !0u64 << (done - base);
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = blocks;
        let mut at = 0;
        while let Some(capital) = next_capital(table, text, at) {
            let token = token_at(table, text, token_start(table, text, capital));
            at = token.end;
            if !cannot_be_short(&token) {
                out.push(token);
            }
        }
    }
}

/// The tokens of `text` that have a capital ([`chars::CAPITAL`]), in order: runs of
/// letters, marks and digits, joined without spaces by `&`, `.`, `/` or `-`. Only these can
/// hold a short form: one needs a piece in capitals, a piece with two capitals (ThS), or a
/// document number's piece that starts with one.
pub fn tokens_with_capitals(text: &str) -> impl Iterator<Item = Token> + '_ {
    let table = chars::table();
    let mut at = 0;
    std::iter::from_fn(move || {
        let capital = next_capital(table, text, at)?;
        let token = token_at(table, text, token_start(table, text, capital));
        at = token.end;
        Some(token)
    })
}

/// True when a token can give no candidate: one piece that is neither in capitals (it has a
/// lower-case letter, or no letter at all) nor possibly a mixed-case key (a lower-case letter
/// and two capitals or more).
fn cannot_be_short(t: &Token) -> bool {
    let all_caps = t.alphabetic && !t.lowercase;
    let mixed = t.lowercase && t.uppercase >= 2;
    !t.joined && !all_caps && !mixed
}

/// True when `token` is a Roman numeral here; `before` is the text just before it.
pub fn is_roman_numeral(token: &str, before: &str) -> bool {
    if token.is_empty() || !token.bytes().all(|b| b"MDCLXVI".contains(&b)) || !ROMAN.is_match(token)
    {
        return false;
    }
    if token.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L')) {
        return true;
    }
    let before = before.trim_end();
    let mut from = before.len().saturating_sub(ROMAN_CUE_REACH);
    while !before.is_char_boundary(from) {
        from -= 1;
    }
    ROMAN_CUE.is_match(&before[from..])
}

/// A word in capitals that is a syllable of Vietnamese (MAI, NGUYÊN), not an acronym.
fn is_caps_syllable(word: &str) -> bool {
    // The syllable test first: it turns most acronyms down fastest (no vowel).
    word.chars().nth(1).is_some() && is_syllable(word) && is_all_caps(word)
}

fn is_dash_or_space(c: char) -> bool {
    matches!(c, ' ' | '\u{2013}' | '\u{2014}' | '-')
}

/// The pattern `([\p{L}\p{M}]+)[ \u{2013}\u{2014}-]*$`: the span of the last word of `s`
/// when only spaces and dashes follow it.
fn last_word(s: &str) -> Option<(usize, usize)> {
    let end = s.trim_end_matches(is_dash_or_space).len();
    let start = s[..end]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_letter_or_mark(c))
        .last()?
        .0;
    Some((start, end))
}

/// The pattern `^[ \u{2013}\u{2014}-]*([\p{L}\p{M}]+)`: the span of the first word of `s`
/// when only spaces and dashes come before it.
fn first_word(s: &str) -> Option<(usize, usize)> {
    let start = s.len() - s.trim_start_matches(is_dash_or_space).len();
    let len: usize = s[start..]
        .chars()
        .take_while(|&c| is_letter_or_mark(c))
        .map(char::len_utf8)
        .sum();
    (len > 0).then_some((start, start + len))
}

/// The words of the record's bylines (names in capitals such as "MAI NGUYÊN"): asked only
/// about a candidate that nothing else rules out, so a record's `authors` field need not be
/// read at all when no such candidate turns up.
pub trait AuthorWords {
    /// True when `word` is one of the words.
    fn contains_word(&self, word: &str) -> bool;
}

impl AuthorWords for [String] {
    fn contains_word(&self, word: &str) -> bool {
        self.iter().any(|a| a == word)
    }
}

/// True when the single word at `start..end` is a word written in capitals: a name in a
/// byline or a heading rather than an acronym. The bylines are asked last (see
/// [`AuthorWords`]).
fn is_word_in_capitals<A: AuthorWords + ?Sized>(
    text: &str,
    start: usize,
    end: usize,
    authors: &A,
) -> bool {
    is_name_in_capitals(text, start, end) || authors.contains_word(&text[start..end])
}

/// [`is_word_in_capitals`] but for the bylines: the word's own shape and its neighbours.
fn is_name_in_capitals(text: &str, start: usize, end: usize) -> bool {
    let word = &text[start..end];
    if !is_caps_syllable(word) {
        return false;
    }
    if has_vowel_marks(word) {
        return true;
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..start];
    let prev = last_word(before).filter(|&(_, e)| before[e..].chars().count() <= 3);
    if prev.is_some_and(|(s, e)| is_caps_syllable(&before[s..e])) {
        return true;
    }
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let after = &text[end..line_end];
    let next = first_word(after).filter(|&(s, _)| s <= 3);
    next.is_some_and(|(s, e)| is_caps_syllable(&after[s..e]))
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn has_letter_and_digit(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit()) && s.chars().any(is_alphabetic)
}

/// A piece of a token: its span and the connector before it.
type Piece = (usize, usize, Option<char>);

/// Split a token into pieces (span, connector before it), into `out`.
fn split_pieces(text: &str, start: usize, end: usize, out: &mut Vec<Piece>) {
    out.clear();
    let mut piece_start = start;
    let mut connector = None;
    for (i, b) in text.as_bytes()[start..end].iter().enumerate() {
        if matches!(b, b'&' | b'.' | b'/' | b'-') {
            out.push((piece_start, start + i, connector));
            connector = Some(char::from(*b));
            piece_start = start + i + 1;
        }
    }
    out.push((piece_start, end, connector));
}

/// The candidates of `text`, in order. `authors` are byline names in capitals' words.
pub fn scan<'t>(text: &'t str, dict: &Dictionary, authors: &[String]) -> Vec<Candidate<'t>> {
    scan_with(text, &TextBlocks::read(text), dict, authors)
}

/// [`scan`] on the text's `blocks`, with the bylines' words asked of `authors` only when
/// needed.
pub fn scan_with<'t, A: AuthorWords + ?Sized>(
    text: &'t str,
    blocks: &TextBlocks,
    dict: &Dictionary,
    authors: &A,
) -> Vec<Candidate<'t>> {
    // Room for the short forms of most articles without growing (about one per 300 bytes).
    let mut out = Vec::with_capacity(text.len() / 300 + 1);
    let mut pieces: Vec<Piece> = Vec::new();
    let mut tokens = Vec::with_capacity(text.len() / 300 + 1);
    short_tokens_in(text, blocks, &mut tokens);
    for token in tokens {
        split_pieces(text, token.start, token.end, &mut pieces);
        let piece_text = |p: &Piece| &text[p.0..p.1];
        let starts_upper = |p: &Piece| piece_text(p).chars().next().is_some_and(is_uppercase);
        // A document number: digits first, then letter parts ("53-KL/TW", "15/2020/NĐ-CP").
        if is_digits(piece_text(&pieces[0])) && pieces.iter().any(starts_upper) {
            if pieces
                .iter()
                .all(|p| is_digits(piece_text(p)) || starts_upper(p))
                && pieces.iter().all(|p| !has_letter_and_digit(piece_text(p)))
            {
                for p in pieces.iter().filter(|p| !is_digits(piece_text(p))) {
                    out.push(Candidate {
                        text: piece_text(p),
                        start: p.0,
                        end: p.1,
                        place: Place::Code,
                        pieces: Vec::new(),
                    });
                }
            }
            continue;
        }
        // Model names, plates, mixed letter-digit codes.
        if pieces.iter().any(|p| has_letter_and_digit(piece_text(p))) {
            continue;
        }
        // Runs of pieces in capitals, broken by lower-case or digit pieces. A piece with
        // lower-case letters counts when the dictionary lists it ("ThS").
        let short_piece = |p: &Piece| {
            let t = piece_text(p);
            is_all_caps(t) || dict.is_mixed_case_key(t)
        };
        let mut i = 0;
        while i < pieces.len() {
            if !short_piece(&pieces[i]) {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < pieces.len() && short_piece(&pieces[j]) {
                j += 1;
            }
            let run = &pieces[i..j];
            // "AK-630", "T-50": a run hyphenated to a number is a model name; "Osa-MA",
            // "Shangri-LA": one hyphenated to a word in lower case is part of a name.
            let model =
                j < pieces.len() && pieces[j].2 == Some('-') || i > 0 && run[0].2 == Some('-');
            let (start, end) = (run[0].0, run[run.len() - 1].1);
            let token = &text[start..end];
            let letters = |s: &str| s.chars().filter(|&c| is_alphabetic(c)).count();
            let initials = run.len() > 1 && run.iter().all(|p| letters(piece_text(p)) == 1);
            let single = run.len() == 1;
            let not_acronym = model
                || initials
                || letters(token) < 2
                || dict.is_ignored(token)
                || single && is_roman_numeral(token, &text[..start])
                || single && is_word_in_capitals(text, start, end, authors);
            let keep = !not_acronym;
            if keep {
                out.push(Candidate {
                    text: token,
                    start,
                    end,
                    place: Place::Free,
                    pieces: if single {
                        Vec::new()
                    } else {
                        run.iter().map(|p| (p.0, p.1)).collect()
                    },
                });
            }
            i = j;
        }
    }
    out
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
    fn next_capital_is_the_first_capital_character() {
        let table = chars::table();
        for text in random_texts(TRICKY, 5_000, 40) {
            for (at, _) in text.char_indices() {
                let want = text[at..]
                    .char_indices()
                    .find(|&(_, c)| chars::is_capital(c))
                    .map(|(i, _)| at + i);
                assert_eq!(next_capital(table, &text, at), want, "{text:?} from {at}");
            }
        }
    }

    #[test]
    fn next_capital_finds_every_capital_character() {
        let table = chars::table();
        let pad = "ab cd ef gh ij kl mn op qr st";
        for c in (0..0x3_0000).filter_map(char::from_u32) {
            let text = format!("{pad}{c}{pad}");
            let want = chars::is_capital(c).then_some(pad.len());
            assert_eq!(next_capital(table, &text, 0), want, "{c:?}");
        }
    }

    /// Pieces for long texts: the tricky ones, and the common words and letters a block
    /// passes over.
    fn block_pieces() -> Vec<&'static str> {
        let mut pieces = TRICKY.to_vec();
        pieces.extend([
            "Hà ", "Nội", " Trung", "Việt ", "Đảng ", "ả", "ộ", "ơ", "ĩ", "ư", "÷", "×", "ß", "“",
            "”", " ", " ", "xã", "a", "b", "k", "Tp", "ThS", "Ế", "9",
        ]);
        pieces
    }

    #[test]
    fn short_tokens_are_the_tokens_that_may_be_short() {
        for text in random_texts(&block_pieces(), 20_000, 120) {
            let want: Vec<Token> = tokens_with_capitals(&text)
                .filter(|t| !cannot_be_short(t))
                .collect();
            let mut got = Vec::new();
            short_tokens(&text, &mut got);
            assert_eq!(got, want, "{text:?}");
        }
    }

    /// [`sse2::Block`] of `w` (66 bytes), byte by byte.
    #[cfg(target_arch = "x86_64")]
    fn plain_block(w: &[u8]) -> sse2::Block {
        let mut b = sse2::Block {
            cap: 0,
            brk: 0,
            conn: 0,
            small: 0,
            odd: 0,
            lead: 0,
        };
        for k in 0..64 {
            let (x, n1, n2) = (w[k], w[k + 1], w[k + 2]);
            let lower = match x {
                0xC3 => (0xA0..=0xBF).contains(&n1),
                0xC4 => n1 % 2 == 1 && (0x81..=0xB7).contains(&n1),
                0xC5 => n1 == 0xA9,
                0xC6 => n1 == 0xA1 || n1 == 0xB0,
                0xE1 => (n1 == 0xBA || n1 == 0xBB) && n2 % 2 == 1,
                _ => false,
            };
            let lead = x >= 0xC0;
            let small_lead = lower && !(x == 0xC3 && n1 == 0xB7);
            let bit = |on: bool| u64::from(on) << k;
            b.cap |= bit(x.is_ascii_uppercase() || lead && !lower);
            b.brk |= bit(x.is_ascii() && !x.is_ascii_alphanumeric());
            b.conn |= bit(is_connector(x));
            b.small |= bit(x.is_ascii_lowercase() || small_lead);
            b.odd |= bit(x.is_ascii_uppercase() || lead && !small_lead);
            b.lead |= bit(lead);
        }
        b
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn blocks_agree_with_the_plain_reading_on_random_bytes() {
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        // Bytes biased to the leads and bytes the classes test.
        let pool: Vec<u8> = (0..=255u8)
            .chain([
                0xC3, 0xC4, 0xC5, 0xC6, 0xE1, 0xBA, 0xBB, 0xA9, 0xA1, 0xB0, 0xB7, 0x9F, 0xA0,
            ])
            .chain([
                0x80, 0x81, 0xB8, 0xBF, 0xC0, b'&', b'.', b'/', b'-', b' ', b'A', b'z',
            ])
            .collect();
        let avx2 = std::is_x86_feature_detected!("avx2");
        for _ in 0..50_000 {
            let w: Vec<u8> = (0..sse2::BLOCK_WINDOW)
                .map(|_| pool[(next() % pool.len() as u64) as usize])
                .collect();
            let want = plain_block(&w);
            let fields = |b: &sse2::Block| [b.cap, b.brk, b.conn, b.small, b.odd, b.lead];
            assert_eq!(fields(&sse2::block(&w)), fields(&want), "{w:x?}");
            if avx2 {
                // SAFETY: the processor has AVX2.
                let got = unsafe { avx2::block(&w) };
                assert_eq!(fields(&got), fields(&want), "{w:x?}");
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn block_classes_of_every_character() {
        let pad = "ab cd ef gh ij kl mn op qr st uv wx yz ab cd ef gh ij kl mn op qr st";
        for c in (0..0x3_0000).filter_map(char::from_u32) {
            let text = format!("{c}{pad}");
            let block = sse2::block(&text.as_bytes()[..sse2::BLOCK_WINDOW]);
            let f = chars::flags(c);
            let small = block.small & 1 == 1;
            let odd = block.odd & 1 == 1;
            if c.is_ascii() {
                assert_eq!(small, c.is_ascii_lowercase(), "{c:?}");
                assert_eq!(odd, c.is_ascii_uppercase(), "{c:?}");
                assert_eq!(block.brk & 1 == 1, !c.is_ascii_alphanumeric(), "{c:?}");
                assert_eq!(block.conn & 1 == 1, is_connector(c as u8), "{c:?}");
            } else {
                assert_eq!(small, !odd, "{c:?}");
                assert_eq!(block.brk & 1, 0, "{c:?}");
                assert_eq!(block.conn & 1, 0, "{c:?}");
                if small {
                    let lower_letter = chars::WORDISH | chars::LOWERCASE;
                    assert_eq!(f & lower_letter, lower_letter, "{c:?}");
                    assert_eq!(f & (chars::UPPERCASE | chars::CAPITAL), 0, "{c:?}");
                }
            }
            // continuation bytes have no class
            for k in 1..c.len_utf8() {
                let any = block.small | block.odd | block.brk | block.cap;
                assert_eq!(any >> k & 1, 0, "{c:?}");
            }
        }
    }

    #[test]
    fn tokens_are_those_of_the_pattern() {
        let wordish = pattern(r"[\p{L}\p{M}\p{N}]+(?:[&./\-][\p{L}\p{M}\p{N}]+)*");
        for text in random_texts(TRICKY, 20_000, 30) {
            let want: Vec<(usize, usize)> = wordish
                .find_iter(&text)
                .filter(|m| m.as_str().chars().any(chars::is_capital))
                .map(|m| (m.start(), m.end()))
                .collect();
            let got: Vec<Token> = tokens_with_capitals(&text).collect();
            let spans: Vec<(usize, usize)> = got.iter().map(|t| (t.start, t.end)).collect();
            assert_eq!(spans, want, "{text:?}");
            for t in got {
                let s = &text[t.start..t.end];
                assert_eq!(t.joined, s.contains(['&', '.', '/', '-']), "{s:?}");
                assert_eq!(t.alphabetic, s.chars().any(char::is_alphabetic), "{s:?}");
                assert_eq!(t.lowercase, s.chars().any(char::is_lowercase), "{s:?}");
                let upper = s.chars().filter(|c| c.is_uppercase()).count().min(2);
                assert_eq!(usize::from(t.uppercase), upper, "{s:?}");
            }
        }
    }

    #[test]
    fn words_around_a_name_are_those_of_the_patterns() {
        let last = pattern(r"([\p{L}\p{M}]+)[ \u{2013}\u{2014}-]*$");
        let first = pattern(r"^[ \u{2013}\u{2014}-]*([\p{L}\p{M}]+)");
        for text in random_texts(TRICKY, 20_000, 12) {
            let span =
                |c: Option<regex::Captures>| c.and_then(|c| c.get(1)).map(|m| (m.start(), m.end()));
            assert_eq!(last_word(&text), span(last.captures(&text)), "{text:?}");
            assert_eq!(first_word(&text), span(first.captures(&text)), "{text:?}");
        }
    }

    #[test]
    fn roman_numerals_as_the_patterns_say() {
        let texts = random_texts(TRICKY, 5_000, 12);
        let tokens = random_texts(&["M", "D", "C", "L", "X", "V", "I", "A"], 2_000, 6);
        for (before, token) in texts.iter().zip(tokens.iter().cycle()) {
            let want = !token.is_empty()
                && ROMAN.is_match(token)
                && (token.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L'))
                    || ROMAN_CUE.is_match(before.trim_end()));
            assert_eq!(
                is_roman_numeral(token, before),
                want,
                "{token:?} after {before:?}"
            );
        }
    }

    fn found(text: &str, authors: &[&str]) -> Vec<String> {
        let dict =
            Dictionary::parse("acronyms:\n  ThS: Thạc sĩ\nignore: [GMT]\n", "t").expect("loads");
        let authors: Vec<String> = authors.iter().map(|s| s.to_string()).collect();
        scan(text, &dict, &authors)
            .into_iter()
            .map(|c| match c.place {
                Place::Code => format!("code:{}", c.text),
                _ => c.text.to_string(),
            })
            .collect()
    }

    #[test]
    fn plain_and_joined_short_forms() {
        assert_eq!(
            found("HĐND, UBND TP. Hà Nội; Sở Cảnh sát PC&CC và PT-TH-ĐA.", &[]),
            ["HĐND", "UBND", "TP", "PC&CC", "PT-TH-ĐA"]
        );
        assert_eq!(
            found("tại TP.HCM và TP.Biên Hòa, KP.3", &[]),
            ["TP.HCM", "TP", "KP"]
        );
        // lower case inside only for listed keys
        assert_eq!(found("ThS Lê An, PGS.TS Hà, TpHCM", &[]), ["ThS", "PGS.TS"]);
    }

    #[test]
    fn roman_numerals_are_not_acronyms() {
        assert!(found("Đại hội XIII, Tổng cục II, khóa XVI, lần thứ IX", &[]).is_empty());
        assert!(is_roman_numeral("XIX", "thế kỷ "));
        assert!(!is_roman_numeral("CD", "đĩa "));
        assert!(is_roman_numeral("CD", "thế kỷ "));
    }

    #[test]
    fn names_in_capitals_are_not_acronyms() {
        assert!(found("Tin, ảnh: MAI NGUYÊN", &[]).is_empty());
        assert!(found("XUÂN CƯỜNG – THÁI PHƯƠNG", &[]).is_empty());
        assert!(found("Bài: VŨ", &[]).is_empty());
        assert!(found("Ảnh: HOANG", &["HOANG"]).is_empty());
        // an acronym next to a name in capitals is still one
        assert_eq!(found("UBND MAI", &[]), ["UBND", "MAI"]);
    }

    #[test]
    fn codes_initials_and_units() {
        assert_eq!(
            found("Kết luận số 53-KL/TW ngày 28-4", &[]),
            ["code:KL", "code:TW"]
        );
        assert_eq!(found("số 15/2020/NĐ-CP", &[]), ["code:NĐ", "code:CP"]);
        assert!(found(
            "tiêm kích FA-50, pháo AK-630, xe 60V-8598, F404-GE-102",
            &[]
        )
        .is_empty());
        assert!(found("hệ thống Osa-MA", &[]).is_empty());
        assert!(found("cháu V.T. Đ, ảnh: K.C", &[]).is_empty());
        assert!(found("lúc 10:48 GMT+7", &[]).is_empty());
        assert!(found("giai đoạn 2016-2021", &[]).is_empty());
    }
}
