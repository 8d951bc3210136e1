//! Structural shape of a piece of text: length, final punctuation, headline and
//! name shapes. These signals carry the rules to outlets no list knows.

use crate::latin::{is_alpha, is_upper};
use crate::rules::Limits;

/// Characters that may close a sentence after its final punctuation.
const CLOSERS: &[char] = &['”', '"', '\'', '’', '»', ')', ']'];

/// Number of whitespace-separated words (as `split_whitespace` counts them).
pub fn word_count(s: &str) -> usize {
    count_words_upto(s, usize::MAX)
}

/// Whether `s` has more than `n` whitespace-separated words (stops counting early).
pub fn more_words_than(s: &str, n: usize) -> bool {
    count_words_upto(s, n.saturating_add(1)) > n
}

/// The number of whitespace-separated words of `s`, counting no further than `cap`.
pub fn count_words_upto(s: &str, cap: usize) -> usize {
    count_words_in(s, cap, false)
}

/// [`count_words_upto`], told whether `s` is known to have no whitespace
/// outside ASCII (a piece of a text [`has_wide_space`] found none in), which
/// saves looking for it.
pub fn count_words_in(s: &str, cap: usize, ascii_spaces: bool) -> usize {
    if cap == 0 {
        return 0;
    }
    let b = s.as_bytes();
    // Counted as if all whitespace were ASCII: a word starts at a byte that
    // is not whitespace after one that is (a character's inner bytes follow
    // its first byte, which is no whitespace). Counted a chunk at a time,
    // without branches, up to the chunk where `cap` is reached.
    let ws = |c: u8| (c == b' ') | (c.wrapping_sub(b'\t') < 5);
    let mut n = usize::from(b.first().is_some_and(|&c| !ws(c)));
    let mut i = 1;
    #[cfg(target_arch = "x86_64")]
    {
        while i + 64 <= b.len() && n < cap {
            n += word_starts(&b[i - 1..i + 64]);
            i += 64;
        }
        // The last chunk, padded with spaces (which start no word).
        if i < b.len() && n < cap {
            let rest = &b[i - 1..];
            let mut w = [b' '; 65];
            w[..rest.len()].copy_from_slice(rest);
            n += word_starts(&w);
            i = b.len();
        }
    }
    while i < b.len() && n < cap {
        let end = (i + 64).min(b.len());
        let mut starts = 0u8;
        for (&p, &c) in b[i - 1..end - 1].iter().zip(&b[i..end]) {
            starts += u8::from(ws(p) & !ws(c));
        }
        n += usize::from(starts);
        i = end;
    }
    // The count holds when no whitespace outside ASCII starts in the bytes
    // read (the word starts found lie before byte `i`; such a space is at
    // most three bytes long).
    if !ascii_spaces && has_wide_space(&b[..(i + 3).min(b.len())]) {
        return count_words_upto_general(b, cap);
    }
    n.min(cap)
}

/// The number of word starts among the bytes `w[1..]` (`w` holds 65 bytes,
/// `w[0]` the byte before them), with AVX2 when the processor has it.
#[cfg(target_arch = "x86_64")]
#[inline]
fn word_starts(w: &[u8]) -> usize {
    if avx2::available() {
        avx2::word_starts(w)
    } else {
        sse2::word_starts(w)
    }
}

/// [`sse2::word_starts`] thirty-two bytes at a time.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::{
        __m256i, _mm256_add_epi8, _mm256_and_si256, _mm256_andnot_si256, _mm256_cmpeq_epi8,
        _mm256_cmpgt_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
        _mm256_sad_epu8, _mm256_set1_epi8, _mm256_setzero_si256, _mm256_storeu_si256,
        _mm256_sub_epi8,
    };

    pub use crate::lines::avx2::available;

    /// See [`super::sse2::word_starts`]; `w` holds 65 bytes. Only called
    /// when [`available`].
    pub fn word_starts(w: &[u8]) -> usize {
        assert!(w.len() == 65);
        assert!(available());
        // SAFETY: AVX2 is present and `w` holds the 65 bytes the loads read
        // (both checked above).
        unsafe { word_starts_avx2(w) }
    }

    /// # Safety
    /// The processor must have AVX2 and `w` must hold 65 bytes.
    #[target_feature(enable = "avx2")]
    unsafe fn word_starts_avx2(w: &[u8]) -> usize {
        // Per lane, the number of starts (a start lane is all ones, -1).
        let mut lanes = _mm256_setzero_si256();
        for part in 0..2 {
            let at = part * 32;
            // SAFETY: both unaligned 32-byte loads end at most at
            // `at + 33 <= 65 == w.len()`.
            let (prev, cur) = unsafe {
                let load = |k: usize| _mm256_loadu_si256(w.as_ptr().add(k).cast::<__m256i>());
                (load(at), load(at + 1))
            };
            lanes = _mm256_sub_epi8(lanes, _mm256_andnot_si256(space(cur), space(prev)));
        }
        // The sums of the lanes of each quarter.
        let mut sums = [0u64; 4];
        // SAFETY: `sums` holds the 32 bytes stored.
        unsafe {
            _mm256_storeu_si256(
                sums.as_mut_ptr().cast::<__m256i>(),
                _mm256_sad_epu8(lanes, _mm256_setzero_si256()),
            );
        }
        sums.iter().map(|&x| x as usize).sum()
    }

    /// Whether `w[..64]` (`w` holds 65 bytes) has control whitespace ('\t'
    /// to '\r'), or a space followed by a space (at `w[63]`, by `w[64]`), see
    /// [`super::sse2::spaced_badly`]. Only called when [`available`].
    pub fn spaced_badly(w: &[u8]) -> bool {
        assert!(w.len() == 65);
        assert!(available());
        // SAFETY: AVX2 is present and `w` holds the 65 bytes the loads read
        // (both checked above).
        unsafe { spaced_badly_avx2(w) }
    }

    /// # Safety
    /// The processor must have AVX2 and `w` must hold 65 bytes.
    #[target_feature(enable = "avx2")]
    unsafe fn spaced_badly_avx2(w: &[u8]) -> bool {
        let mut bad = _mm256_setzero_si256();
        for part in 0..2 {
            let at = part * 32;
            // SAFETY: both unaligned 32-byte loads end at most at
            // `at + 33 <= 65 == w.len()`.
            let (cur, next) = unsafe {
                let load = |k: usize| _mm256_loadu_si256(w.as_ptr().add(k).cast::<__m256i>());
                (load(at), load(at + 1))
            };
            let blank = |v: __m256i| _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b' ' as i8));
            let double = _mm256_and_si256(blank(cur), blank(next));
            let control = _mm256_andnot_si256(blank(cur), space(cur));
            bad = _mm256_or_si256(bad, _mm256_or_si256(double, control));
        }
        _mm256_movemask_epi8(bad) != 0
    }

    /// The ASCII whitespace bytes of `v` (' ', '\t' to '\r'), as all-ones lanes.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn space(v: __m256i) -> __m256i {
        // c - '\t' < 5 unsigned: c - '\t' + 0x80 < 5 + 0x80 as signed bytes.
        let shifted = _mm256_add_epi8(v, _mm256_set1_epi8(0x80u8.wrapping_sub(b'\t') as i8));
        let control = _mm256_cmpgt_epi8(_mm256_set1_epi8((0x80u8 + 5) as i8), shifted);
        _mm256_or_si256(control, _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b' ' as i8)))
    }
}

/// [`count_words_in`]'s count a chunk at a time, sixteen bytes at a time
/// (SSE2 is part of every x86-64 processor).
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmplt_epi8,
        _mm_cvtsi128_si32, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_sad_epu8,
        _mm_set1_epi8, _mm_setzero_si128, _mm_srli_si128, _mm_sub_epi8,
    };

    /// The number of word starts among the bytes `w[1..]` (`w` holds 65
    /// bytes, `w[0]` the byte before them): bytes that are not ASCII
    /// whitespace after one that is.
    pub fn word_starts(w: &[u8]) -> usize {
        assert!(w.len() == 65);
        // SAFETY: SSE2 is always present on x86-64, and the unaligned 16-byte
        // loads lie inside `w` (`at + 17 <= w.len()`).
        unsafe {
            // Per lane, the number of starts (a start lane is all ones, -1).
            let mut lanes = _mm_setzero_si128();
            for part in 0..4 {
                let at = part * 16;
                let prev = _mm_loadu_si128(w.as_ptr().add(at).cast::<__m128i>());
                let cur = _mm_loadu_si128(w.as_ptr().add(at + 1).cast::<__m128i>());
                lanes = _mm_sub_epi8(lanes, _mm_andnot_si128(space(cur), space(prev)));
            }
            // The sums of the lanes of each half.
            let sums = _mm_sad_epu8(lanes, _mm_setzero_si128());
            let low = _mm_cvtsi128_si32(sums) as usize;
            let high = _mm_cvtsi128_si32(_mm_srli_si128::<8>(sums)) as usize;
            low + high
        }
    }

    /// Whether `w[..16]` (`w` holds 17 bytes) has control whitespace ('\t' to
    /// '\r'), or a space followed by a space (at `w[15]`, by `w[16]`).
    pub fn spaced_badly(w: &[u8]) -> bool {
        assert!(w.len() == 17);
        // SAFETY: SSE2 is always present on x86-64, and both unaligned
        // 16-byte loads lie inside `w`.
        unsafe {
            let cur = _mm_loadu_si128(w.as_ptr().cast::<__m128i>());
            let next = _mm_loadu_si128(w.as_ptr().add(1).cast::<__m128i>());
            let blank = |v: __m128i| _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8));
            let double = _mm_and_si128(blank(cur), blank(next));
            let control = _mm_andnot_si128(blank(cur), space(cur));
            _mm_movemask_epi8(_mm_or_si128(double, control)) != 0
        }
    }

    /// The ASCII whitespace bytes of `v` (' ', '\t' to '\r'), as all-ones lanes.
    #[inline(always)]
    unsafe fn space(v: __m128i) -> __m128i {
        // c - '\t' < 5 unsigned: c - '\t' + 0x80 < 5 + 0x80 as signed bytes.
        let shifted = _mm_add_epi8(v, _mm_set1_epi8(0x80u8.wrapping_sub(b'\t') as i8));
        let control = _mm_cmplt_epi8(shifted, _mm_set1_epi8((0x80u8 + 5) as i8));
        _mm_or_si128(control, _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8)))
    }
}

/// The whitespace-separated words of `s`, as `s.split_whitespace()` gives
/// them, found from the bytes (see [`is_space_at`]) rather than by decoding
/// every character.
pub fn split_words(s: &str) -> SplitWords<'_> {
    SplitWords { s, at: 0 }
}

/// The iterator of [`split_words`].
#[derive(Debug, Clone)]
pub struct SplitWords<'a> {
    s: &'a str,
    at: usize,
}

impl<'a> Iterator for SplitWords<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let b = self.s.as_bytes();
        let mut i = self.at;
        loop {
            if i >= b.len() {
                self.at = i;
                return None;
            }
            match space_len_at(b, i) {
                0 => break,
                n => i += n,
            }
        }
        let start = i;
        // A character's inner bytes are never the first byte of a space.
        while i < b.len() && space_len_at(b, i) == 0 {
            i += 1;
        }
        self.at = i;
        Some(&self.s[start..i])
    }
}

/// Whether `b` has an ASCII digit: `b.iter().any(u8::is_ascii_digit)`, a
/// chunk of bytes at a time without a branch per byte (it vectorises).
pub fn has_ascii_digit(b: &[u8]) -> bool {
    let mut chunks = b.chunks_exact(32);
    for c in &mut chunks {
        let mut any = false;
        for &x in c {
            any |= x.wrapping_sub(b'0') < 10;
        }
        if any {
            return true;
        }
    }
    chunks.remainder().iter().any(u8::is_ascii_digit)
}

/// Whether `b` has whitespace outside ASCII (U+0085, U+00A0, U+1680,
/// U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000).
pub fn has_wide_space(b: &[u8]) -> bool {
    memchr::memchr3_iter(0xC2, 0xE2, 0xE3, b).any(|k| is_space_at(b, k))
        || memchr::memchr_iter(0x9A, b).any(|k| k > 0 && is_space_at(b, k - 1))
}

/// [`count_words_upto`] for any text, a character at a time.
fn count_words_upto_general(b: &[u8], cap: usize) -> usize {
    let mut n = 0;
    let mut in_word = false;
    let mut i = 0;
    while i < b.len() {
        let space = space_len_at(b, i);
        if space > 0 {
            in_word = false;
            i += space;
            continue;
        }
        if !in_word {
            in_word = true;
            n += 1;
            if n >= cap {
                return n;
            }
        }
        i += 1;
    }
    n
}

/// Whether the character starting at byte `i` of the UTF-8 text `b` is
/// whitespace as `char::is_whitespace` says, read from its bytes.
#[inline(always)]
pub fn is_space_at(b: &[u8], i: usize) -> bool {
    space_len_at(b, i) > 0
}

/// The byte length of the character starting at byte `i` of the UTF-8 text
/// `b` if it is whitespace (as `char::is_whitespace` says), else 0.
#[inline(always)]
fn space_len_at(b: &[u8], i: usize) -> usize {
    match SPACE_CLASS[usize::from(b[i])] {
        0 => 0,
        1 => 1,
        // Vietnamese letters start with E1 too, but never go on with 9A.
        _ if b[i] == 0xE1 && b.get(i + 1) != Some(&0x9A) => 0,
        _ => wide_space_len(&b[i..]),
    }
}

/// Per first byte of a character: 1 for an ASCII space, 2 for the first byte of
/// a non-ASCII space, else 0.
const SPACE_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            b'\t'..=b'\r' | b' ' => 1,
            0xC2 | 0xE1 | 0xE2 | 0xE3 => 2,
            _ => 0,
        };
        b += 1;
    }
    t
};

/// The byte length of the non-ASCII space `b` starts with (U+0085, U+00A0,
/// U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F or U+3000), or 0.
#[cold]
#[inline(never)]
fn wide_space_len(b: &[u8]) -> usize {
    match b {
        [0xC2, 0x85 | 0xA0, ..] => 2,
        [0xE1, 0x9A, 0x80, ..]
        | [0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF, ..]
        | [0xE2, 0x81, 0x9F, ..]
        | [0xE3, 0x80, 0x80, ..] => 3,
        _ => 0,
    }
}

/// `s` with its words separated by single spaces, as
/// `s.split_whitespace().collect::<Vec<_>>().join(" ")` makes it; `s` itself
/// (no copy) when it is already so.
pub fn collapse_whitespace(s: String) -> String {
    collapse_whitespace_in(s, false)
}

/// [`collapse_whitespace`], told whether `s` is known to have no whitespace
/// outside ASCII (see [`count_words_in`]).
pub fn collapse_whitespace_in(s: String, ascii_spaces: bool) -> String {
    if is_collapsed(s.as_bytes(), ascii_spaces) {
        s
    } else {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// [`collapse_whitespace_in`] of a borrowed text: the text itself when it is
/// already collapsed (no copy).
pub fn collapse_whitespace_cow(s: &str, ascii_spaces: bool) -> std::borrow::Cow<'_, str> {
    if is_collapsed(s.as_bytes(), ascii_spaces) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

/// Whether every whitespace character of `b` is a single ASCII space between
/// two other characters.
fn is_collapsed(b: &[u8], ascii_spaces: bool) -> bool {
    if b.first() == Some(&b' ') || b.last() == Some(&b' ') {
        return false;
    }
    // ASCII: no control whitespace, no double space (no early exit: it vectorises).
    let mut bad = false;
    let mut from = 0;
    #[cfg(target_arch = "x86_64")]
    if avx2::available() {
        while from + 65 <= b.len() {
            bad |= avx2::spaced_badly(&b[from..from + 65]);
            from += 64;
        }
    }
    #[cfg(target_arch = "x86_64")]
    while from + 17 <= b.len() {
        bad |= sse2::spaced_badly(&b[from..from + 17]);
        from += 16;
    }
    for w in b[from..].windows(2) {
        bad |= (w[0] == b' ') & (w[1] == b' ');
    }
    for &c in &b[from..] {
        bad |= c.wrapping_sub(b'\t') < 5;
    }
    if bad {
        return false;
    }
    ascii_spaces || !has_wide_space(b)
}

/// Whether the text ends like a sentence (". ! ? …", possibly inside closing quotes
/// or brackets, or the end-of-article mark "./.").
pub fn ends_sentence(s: &str) -> bool {
    let t = s.trim_end().trim_end_matches(CLOSERS);
    t.ends_with(['.', '!', '?', '…'])
}

/// Whether a block is running body text: a punctuated sentence of some length, or a
/// long stretch of words even without final punctuation.
pub fn is_body_like(s: &str, limits: &Limits) -> bool {
    let cap = limits
        .body_min_words
        .max(limits.body_min_words_unpunctuated);
    let n = count_words_upto(s, cap);
    (n >= limits.body_min_words && ends_sentence(s)) || n >= limits.body_min_words_unpunctuated
}

/// Whether a block looks like a headline: a few words, starting with a capital,
/// a digit or a quote, and not ending like a statement (". … : ; ,").
pub fn is_headline_like(s: &str, limits: &Limits) -> bool {
    let n = count_words_upto(s, limits.headline_max_words.saturating_add(1));
    let t = s.trim_end().trim_end_matches(CLOSERS);
    let first_ok = s
        .chars()
        .next()
        .is_some_and(|c| is_upper(c) || c.is_ascii_digit() || "“\"'‘«(".contains(c));
    (2..=limits.headline_max_words).contains(&n)
        && first_ok
        && !t.ends_with(['.', '…', ':', ';', ','])
}

/// Whether every word starts with a capital letter and holds only letters,
/// dots and hyphens: a personal name ("Duy Khiêm", "MAI NGUYÊN", "K.C").
pub fn is_name_like(s: &str, max_words: usize) -> bool {
    let mut n = 0;
    for w in split_words(s) {
        n += 1;
        if n > max_words {
            return false;
        }
        let name_word = w.chars().next().is_some_and(is_upper)
            && w.chars().all(|c| is_alpha(c) || c == '.' || c == '-');
        if !name_word {
            return false;
        }
    }
    n >= 1
}

/// Whether a word is written in capitals only (an all-caps byline word).
pub fn is_all_caps_word(w: &str) -> bool {
    let letters: Vec<char> = w.chars().filter(|&c| is_alpha(c)).collect();
    !letters.is_empty() && letters.iter().all(|&c| is_upper(c))
}

/// Whether the text is a tag list: at least four comma-separated short items,
/// mostly without a space after the comma, none a sentence.
pub fn is_tag_list(s: &str) -> bool {
    // The last item ends as the text does: a text ending like a sentence
    // (most paragraphs) has a last item that does.
    if ends_sentence(s) {
        return false;
    }
    let b = s.as_bytes();
    let (mut commas, mut tight) = (0usize, 0usize);
    for i in memchr::memchr_iter(b',', b) {
        commas += 1;
        tight += usize::from(b.get(i + 1) != Some(&b' '));
    }
    // At least four items, three quarters of the commas without a space after them.
    commas >= 3
        && tight * 4 >= commas * 3
        && s.split(',').all(|i| {
            let i = i.trim();
            !i.is_empty() && !more_words_than(i, 8) && !ends_sentence(i)
        })
}

/// Text folded for comparing repeated blocks: lower case, single spaces.
pub fn fold(s: &str) -> String {
    fold_in(s, false)
}

/// [`fold`], told whether `s` is known to have no whitespace outside ASCII
/// (see [`count_words_in`]).
pub fn fold_in(s: &str, ascii_spaces: bool) -> String {
    crate::latin::to_lowercase(&collapse_whitespace_cow(s, ascii_spaces))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        crate::rules::Rules::builtin().unwrap().limits
    }

    #[test]
    fn digits_are_found_wherever_they_are() {
        for n in 0..100 {
            for at in 0..n {
                for d in [b'0', b'5', b'9'] {
                    let mut b = vec![b'a'; n];
                    b[at] = d;
                    assert!(has_ascii_digit(&b));
                }
            }
            assert!(!has_ascii_digit(&vec![b'/'; n]) && !has_ascii_digit(&vec![b':'; n]));
        }
    }

    #[test]
    fn sentence_ends() {
        assert!(ends_sentence("Xong rồi."));
        assert!(ends_sentence("Anh nói “xong.”"));
        assert!(ends_sentence("theo đúng tiến độ./."));
        assert!(!ends_sentence("Tiêu đề bài báo"));
    }

    #[test]
    fn body_and_headline_shapes() {
        let l = limits();
        assert!(is_body_like("Một câu văn có đủ sáu từ trở lên.", &l));
        assert!(!is_body_like("Quá ngắn.", &l));
        assert!(is_headline_like("Tiếp tục đổi mới công tác đối ngoại", &l));
        assert!(is_headline_like("Vì sao tàu bị chìm?", &l));
        assert!(!is_headline_like("Một câu kết thúc bằng dấu chấm.", &l));
    }

    #[test]
    fn names() {
        assert!(is_name_like("Duy Khiêm", 5));
        assert!(is_name_like("MAI NGUYÊN", 5));
        assert!(!is_name_like("Bình luận", 5));
        assert!(!is_name_like("Nguyễn Văn A 2023", 5));
        assert!(is_all_caps_word("QUÂN"));
        assert!(!is_all_caps_word("Quân"));
    }

    #[test]
    fn spaces_from_bytes_agree_with_char_is_whitespace() {
        let mut buf = [0u8; 4];
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let b = c.encode_utf8(&mut buf).as_bytes();
            assert_eq!(is_space_at(b, 0), c.is_whitespace(), "{c:?}");
        }
    }

    #[test]
    fn wide_spaces_are_found_anywhere() {
        let wide = |s: &str| s.chars().any(|c| c.is_whitespace() && !c.is_ascii());
        for space in [
            "\u{a0}", "\u{85}", "\u{1680}", "\u{2003}", "\u{202f}", "\u{205f}", "\u{3000}", "”",
            "ậ", " ",
        ] {
            for at in 0..70 {
                let s = format!(
                    "{}{space}{}",
                    "ạ".repeat(at / 3) + &"a".repeat(at % 3),
                    "b".repeat(40)
                );
                assert_eq!(has_wide_space(s.as_bytes()), wide(&s), "{s:?}");
            }
        }
    }

    #[test]
    fn word_counts_agree_with_split_whitespace() {
        for s in [
            "",
            " ",
            "a",
            " a  b\u{a0}c\n",
            "Sáng 3-4,\u{2003}đơn vị\u{3000}tổ chức ",
            "x\u{1680}y\u{200b}z",
            "a\u{a0}",
            "\u{3000}a\u{2029}",
            "Ớ Ú “trích” – Ở\tđó  các\r\nđại biểu đã thảo luận nhiều nội dung quan trọng và thống nhất phương hướng năm tới.",
            " Sáng 3-4, đơn vị tổ chức hội nghị tổng kết công tác năm với nhiều đại biểu tham dự, x\u{1680}",
            "ỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚ ỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚỚ\u{a0}a b\x0bc\x1fd",
        ] {
            assert_eq!(word_count(s), s.split_whitespace().count(), "{s:?}");
            for cap in 0..40 {
                assert_eq!(count_words_upto(s, cap), word_count(s).min(cap), "{s:?}");
            }
            let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(collapse_whitespace(s.to_string()), joined, "{s:?}");
            assert_eq!(
                split_words(s).collect::<Vec<_>>(),
                s.split_whitespace().collect::<Vec<_>>(),
                "{s:?}"
            );
        }
        assert!(more_words_than("a b c", 2));
        assert!(!more_words_than("a b c", 3));
    }

    #[test]
    fn long_word_counts_agree_with_split_whitespace() {
        // Pieces of all kinds, strung together by a fixed pseudo-random walk,
        // so that spaces fall at every offset of the chunks counted at once.
        let pieces = [
            " ", "  ", "\t", "\n", "\r\n", "\x0b", "\x0c", "a", "ạ", "Ớ", "“x”", "–", "12",
            "\u{a0}", "\u{2003}", "\x1f", "đơn", ".",
        ];
        let mut seed = 7u32;
        for len in 0..300 {
            let mut s = String::new();
            for _ in 0..len {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                s.push_str(pieces[(seed >> 16) as usize % pieces.len()]);
            }
            let want = s.split_whitespace().count();
            let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(collapse_whitespace(s.clone()), joined, "{s:?}");
            assert_eq!(collapse_whitespace(joined.clone()), joined, "{s:?}");
            let ascii = !has_wide_space(s.as_bytes());
            for cap in [0, 1, 2, 5, 17, 40, 100, usize::MAX] {
                assert_eq!(count_words_upto(&s, cap), want.min(cap), "{s:?}");
                if ascii {
                    assert_eq!(count_words_in(&s, cap, true), want.min(cap), "{s:?}");
                }
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn chunked_word_starts_agree_with_the_byte_test() {
        // Pseudo-random bytes, half of them whitespace or its neighbours.
        let picks = [b' ', b'\t', b'\r', 0x08, 0x0E, 0x1F, b'a', 0x80, 0xA0, 0xFF];
        let bytes = crate::lines::tests::random_bytes_from(100_000, &picks, 0x2545_F491_4F6C_DD1D);
        let ws = |c: u8| c == b' ' || (b'\t'..=b'\r').contains(&c);
        // The same bytes without control whitespace and double spaces but
        // for one in every 199 bytes: windows of both kinds.
        let mut spaced = bytes.clone();
        for k in 0..spaced.len() {
            if (b'\t'..=b'\r').contains(&spaced[k])
                || (k > 0 && spaced[k - 1] == b' ' && spaced[k] == b' ')
            {
                spaced[k] = b'a';
            }
            if k % 199 == 0 {
                spaced[k] = [b'\t', b' ', b'\r'][k % 3];
            }
        }
        let mut clean = 0;
        for w in bytes.windows(65).chain(spaced.windows(65)).step_by(3) {
            let badly = w[..64].iter().any(|&c| (b'\t'..=b'\r').contains(&c))
                || w.windows(2).any(|p| p == b"  ");
            if avx2::available() {
                assert_eq!(avx2::spaced_badly(w), badly, "{w:?}");
            }
            let badly16 = (0..4).any(|k| sse2::spaced_badly(&w[16 * k..16 * k + 17]));
            assert_eq!(badly16, badly, "{w:?}");
            clean += usize::from(!badly);
            let want = w.windows(2).filter(|p| ws(p[0]) && !ws(p[1])).count();
            assert_eq!(sse2::word_starts(w), want, "{w:?}");
            assert_eq!(word_starts(w), want, "{w:?}");
            if avx2::available() {
                assert_eq!(avx2::word_starts(w), want, "{w:?}");
            }
        }
        assert!(clean > 1000, "{clean}");
    }

    #[test]
    fn tag_lists() {
        assert!(is_tag_list("Biên giới,Lào,Sư đoàn,Quy tập,Trung tướng"));
        assert!(is_tag_list(
            "Tổng công ty viễn thông quân đội,Đảo,Di động,Chủ quyền"
        ));
        assert!(!is_tag_list("Hà Nội, Huế, Đà Nẵng và TP HCM đều có mưa."));
        assert!(!is_tag_list("a,b"));
    }
}
