//! Reading the text's structure: lines, and the blocks glued inside a line.
//!
//! Some scrapers flatten a page's HTML blocks into one line without a space
//! between them ("… nghiêm trọng.Thượng tướng X phát biểu chỉ đạoHội đồng …").
//! [`segment`] cuts a line back into blocks at such glue points, so that a photo
//! caption glued between two paragraphs can be told apart. Kept blocks of one
//! line are joined back exactly as they were.

use crate::latin::{is_alpha, is_lower, is_upper};

/// Characters that may close a sentence after its final punctuation.
const CLOSERS: &[char] = &['”', '"', '\'', '’', '»', ')'];
/// Sentence-final punctuation.
const FINALS: &[char] = &['.', '!', '?', '…'];
/// Opening quotes that may start a sentence.
const OPENERS: &[char] = &['“', '"', '\'', '‘', '«', '('];

/// One non-blank line of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line<'t> {
    /// The line's text, trimmed (a slice of the input).
    pub text: &'t str,
    /// Whether a blank line precedes it (paragraph separation).
    pub blank_before: bool,
}

/// A block: a line, or one of the pieces a glued line is cut into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block<'t> {
    /// Index of its line in the list [`split_lines`] returned.
    pub line: usize,
    /// Byte range in the line's text.
    pub start: usize,
    /// End of the byte range.
    pub end: usize,
    /// The block's text, trimmed (a slice of the input).
    pub text: &'t str,
    /// Whether it is glued to a block before it on the same line.
    pub glued_left: bool,
    /// Whether a block is glued after it on the same line.
    pub glued_right: bool,
}

/// The non-blank lines, remembering which follow a blank line.
pub fn split_lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut blank = false;
    // The pieces between line feeds (`str::lines` without its "\r" and last
    // empty piece, which trimming and the blank check make no matter).
    let mut from = 0;
    let ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain(std::iter::once(text.len()));
    for end in ends {
        let raw = &text[from..end];
        from = end + 1;
        let t = raw.trim();
        if t.is_empty() {
            blank = true;
            continue;
        }
        out.push(Line {
            text: t,
            blank_before: blank && !out.is_empty(),
        });
        blank = false;
    }
    out
}

/// Whether the letters of the token that ends where `before` (the characters
/// before a full stop, last first) starts look like an abbreviation ("TP.", "H.",
/// "PGS."), where a capital after the stop does not start a new block: one to
/// three letters, all capitals.
fn is_abbreviation(before: impl Iterator<Item = char>) -> bool {
    let mut letters = 0;
    for c in before.take_while(|&c| !c.is_whitespace() && c != '(') {
        if is_alpha(c) {
            if !is_upper(c) || letters == 3 {
                return false;
            }
            letters += 1;
        }
    }
    letters > 0
}

/// Whether a letter is outside ASCII (a Vietnamese diacritic), which brand names
/// in camel case ("VinFast") lack.
fn is_vietnamese_letter(c: char) -> bool {
    is_alpha(c) && !c.is_ascii()
}

/// Whether a block may start with `c`: a capital, or an opening quote (before one).
fn may_start_block(c: char) -> bool {
    is_upper(c) || (c != '(' && OPENERS.contains(&c))
}

/// Whether a new block starts with `next`, at byte `k` of `text` (glued to the
/// one before, no space); `next` passed [`may_start_block`].
fn glue_at(text: &str, k: usize, next: char) -> bool {
    let (before, from_next) = text.split_at(k);
    let mut back = before.chars().rev();
    let (Some(prev), prev2) = (back.next(), back.next()) else {
        return false;
    };
    let next_upper = is_upper(next);
    let after = from_next.chars().nth(1);
    // 1. Sentence glue: "…quan trọng.Thượng tướng", "…bắt đầu.”Sau đó".
    let starts_sentence = next_upper || after.is_some_and(is_upper);
    // Final punctuation, maybe inside closers, ends `before` only if its last
    // character is one of them.
    if starts_sentence && (FINALS.contains(&prev) || CLOSERS.contains(&prev)) {
        let closed = before.trim_end_matches(CLOSERS);
        if let Some(stop_char) = closed.chars().next_back().filter(|c| FINALS.contains(c)) {
            let stop = closed.len() - stop_char.len_utf8();
            let single_full_stop = stop_char == '.' && !closed[..stop].ends_with('.');
            let bare = closed.len() == k;
            if !(single_full_stop && bare && is_abbreviation(closed[..stop].chars().rev())) {
                return true;
            }
        }
    }
    // The other kinds: a capitalised word glued after two characters.
    let Some(prev2) = prev2 else {
        return false;
    };
    if !next_upper || !after.is_some_and(is_lower) {
        return false;
    }
    // 2. Initials glue: "Ảnh: K.CThượng tá" (a credit's initials, then a capitalised word).
    if is_upper(prev) && prev2 == '.' {
        return true;
    }
    // 3. Glue after a closing bracket or quote: "(Ảnh: Duy Hiển)Trong chuyến …", "(phải)Phát biểu …".
    if matches!(prev, ')' | '”') && !prev2.is_whitespace() {
        return true;
    }
    // 4. Camel-case glue: "phát biểu chỉ đạoHội đồng", "an ninhĐối thoại".
    if is_lower(prev) && is_lower(prev2) {
        let mut left = before.chars().rev().take_while(|c| is_alpha(*c));
        let mut right = from_next.chars();
        let mut right = right
            .next()
            .into_iter()
            .chain(right.take_while(|&c| is_lower(c)));
        return left.any(is_vietnamese_letter) || right.any(is_vietnamese_letter);
    }
    false
}

/// Cut one line into blocks at glue points.
pub fn segment(line_index: usize, text: &str) -> Vec<Block<'_>> {
    let mut blocks = Vec::new();
    segment_into(line_index, text, &mut blocks);
    blocks
}

/// [`segment`], appending the blocks to `blocks`.
pub fn segment_into<'t>(line_index: usize, text: &'t str, blocks: &mut Vec<Block<'t>>) {
    let mut last = 0;
    let bytes = text.as_bytes();
    // Only capitals and quotes start blocks, and never after a space: the
    // candidates are found a chunk at a time (see [`candidates`]) and only
    // they are decoded.
    let mut k = 1;
    while k < bytes.len() {
        let end = (k + CHUNK).min(bytes.len());
        let mut mask = chunk_mask(bytes, k);
        while mask != 0 {
            let at = k + mask.trailing_zeros() as usize;
            mask &= mask - 1;
            if is_any_small_letter_at(bytes, at) {
                continue;
            }
            let (c, _) = decode_at(bytes, at);
            if may_start_block(c) && glue_at(text, at, c) {
                push_block(line_index, text, last, at, blocks);
                last = at;
            }
        }
        k = end;
    }
    push_block(line_index, text, last, text.len(), blocks);
}

/// The candidates ([`candidates`]) among bytes `k..k + CHUNK` of `b` (those
/// there are), without the small letters ([`is_small_letter_at`]), which never
/// start a block.
#[inline]
fn chunk_mask(b: &[u8], k: usize) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        if k + CHUNK + 2 <= b.len() {
            return chunk_bits(&b[k - 1..k + CHUNK + 2]);
        }
        // The line's last chunk, padded with zero bytes (no candidates, and
        // as the end of the text to the small-letter test), its bits past
        // the end dropped.
        let rest = &b[k - 1..];
        let mut w = [0u8; CHUNK + 3];
        w[..rest.len()].copy_from_slice(rest);
        let n = b.len() - k;
        let valid = if n >= CHUNK {
            u64::MAX
        } else {
            (1u64 << n) - 1
        };
        chunk_bits(&w) & valid
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let end = (k + CHUNK).min(b.len());
        let mut mask = candidates(&b[k - 1..end]);
        let mut m = mask;
        while m != 0 {
            let j = m.trailing_zeros() as usize;
            m &= m - 1;
            if is_small_letter_at(b, k + j) {
                mask &= !(1u64 << j);
            }
        }
        mask
    }
}

/// Of the bytes `w[1..=CHUNK]` (`w` holds `CHUNK + 3` bytes: the byte
/// before them and two after), the candidates ([`candidates`]) that are not
/// small letters ([`is_small_letter_at`]): with AVX2 when the processor has
/// it, else with SSE2.
#[cfg(target_arch = "x86_64")]
#[inline]
fn chunk_bits(w: &[u8]) -> u64 {
    if avx2::available() {
        avx2::chunk_bits(w)
    } else {
        sse2::candidates(&w[..CHUNK + 1]) & !sse2::small_letters(w)
    }
}

/// Whether the character at byte `at` (the first byte of a character) is,
/// from its bytes alone, one of the small letters of Vietnamese text outside
/// ASCII that are most of the candidates [`candidates`] finds: U+00E0–U+00FF
/// (`C3 A0`–`C3 BF`: "à", "ê", "ô"; all small letters but "÷") or an odd code
/// point of U+1EA0–U+1EFF (`E1 BA`/`E1 BB`: "ạ", "ế", "ữ"; the even ones
/// are their capitals). `false` means undecided. (Filtered a chunk at a time,
/// see [`sse2::small_letters`].)
#[inline(always)]
fn is_small_letter_at(b: &[u8], at: usize) -> bool {
    match b[at] {
        0xC3 => b.get(at + 1).is_some_and(|&x| x >= 0xA0 && x != 0xB7),
        0xE1 => {
            matches!(b.get(at + 1), Some(0xBA | 0xBB)) && b.get(at + 2).is_some_and(|&x| x & 1 == 1)
        }
        _ => false,
    }
}

/// [`is_small_letter_at`], or one of the other small letters of Vietnamese,
/// in Latin Extended-A and B: "ă" (`C4 83`), "đ" (`C4 91`), "ĩ" (`C4 A9`),
/// "ũ" (`C5 A9`), "ơ" (`C6 A1`), "ư" (`C6 B0`), tested a candidate at a time
/// (too few to pay for a chunked test).
#[inline(always)]
fn is_any_small_letter_at(b: &[u8], at: usize) -> bool {
    match b[at] {
        0xC4 => matches!(b.get(at + 1), Some(0x83 | 0x91 | 0xA9)),
        0xC5 => b.get(at + 1) == Some(&0xA9),
        0xC6 => matches!(b.get(at + 1), Some(0xA1 | 0xB0)),
        _ => is_small_letter_at(b, at),
    }
}

/// Bytes [`candidates`] looks at in one go.
const CHUNK: usize = 64;

/// Of the bytes `w[1..]` (at most [`CHUNK`], `w[0]` the byte before them), a
/// bit per byte that may start a block ([`may_start_block`]) after no space:
/// an ASCII capital, an ASCII opening quote or the first byte of a character
/// outside ASCII (which needs decoding). Continuation bytes and other ASCII
/// characters never start a block.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn candidates(w: &[u8]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if w.len() == CHUNK + 1 {
        return sse2::candidates(w);
    }
    let mut mask = 0u64;
    for j in 0..w.len() - 1 {
        mask |= u64::from(is_candidate(w[j], w[j + 1])) << j;
    }
    mask
}

/// The test of [`candidates`] for byte `c` after byte `p`.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn is_candidate(p: u8, c: u8) -> bool {
    let upper = c.wrapping_sub(b'A') < 26;
    let quote = (c == b'"') | (c == b'\'');
    let lead = c >= 0xC0;
    (upper | quote | lead) & (p != b' ')
}

/// [`candidates`] of a whole chunk, sixteen bytes at a time (SSE2 is part of
/// every x86-64 processor).
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use super::CHUNK;
    use std::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8,
        _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_setzero_si128,
    };

    /// Of the bytes `w[1..=CHUNK]` (`w` holds `CHUNK + 3` bytes), a bit per
    /// byte for which [`super::is_small_letter_at`] holds.
    pub fn small_letters(w: &[u8]) -> u64 {
        assert!(w.len() == CHUNK + 3);
        let mut mask = 0u64;
        for part in 0..CHUNK / 16 {
            let at = part * 16;
            // SAFETY: SSE2 is always present on x86-64, and the unaligned
            // 16-byte loads lie inside `w` (`at + 19 <= w.len()`).
            let bits = unsafe {
                let cur = _mm_loadu_si128(w.as_ptr().add(at + 1).cast::<__m128i>());
                let c1 = _mm_loadu_si128(w.as_ptr().add(at + 2).cast::<__m128i>());
                let c2 = _mm_loadu_si128(w.as_ptr().add(at + 3).cast::<__m128i>());
                let is = |v: __m128i, b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
                // C3 A0..=C3 BF but C3 B7: A0..=FF are -96..=-1 as signed bytes.
                let high = _mm_and_si128(
                    _mm_cmpgt_epi8(c1, _mm_set1_epi8(-97)),
                    _mm_cmplt_epi8(c1, _mm_setzero_si128()),
                );
                let latin1 = _mm_andnot_si128(is(c1, 0xB7), _mm_and_si128(is(cur, 0xC3), high));
                // E1 BA/BB, then an odd byte.
                let odd = is(_mm_and_si128(c2, _mm_set1_epi8(1)), 1);
                let ext = _mm_and_si128(
                    _mm_and_si128(is(cur, 0xE1), _mm_or_si128(is(c1, 0xBA), is(c1, 0xBB))),
                    odd,
                );
                _mm_movemask_epi8(_mm_or_si128(latin1, ext))
            };
            mask |= u64::from(bits as u16) << at;
        }
        mask
    }

    /// See [`super::candidates`]; `w` holds `CHUNK + 1` bytes.
    pub fn candidates(w: &[u8]) -> u64 {
        assert!(w.len() == CHUNK + 1);
        let mut mask = 0u64;
        for part in 0..CHUNK / 16 {
            let at = part * 16;
            // SAFETY: SSE2 is always present on x86-64, and both unaligned
            // 16-byte loads lie inside `w` (`at + 17 <= w.len()`).
            let bits = unsafe {
                let prev = _mm_loadu_si128(w.as_ptr().add(at).cast::<__m128i>());
                let cur = _mm_loadu_si128(w.as_ptr().add(at + 1).cast::<__m128i>());
                // Capitals: c - 'A' + 0x80 < 26 + 0x80 as signed bytes is c - 'A' < 26 unsigned.
                let shifted = _mm_add_epi8(cur, _mm_set1_epi8((0x80u8.wrapping_sub(b'A')) as i8));
                let upper = _mm_cmplt_epi8(shifted, _mm_set1_epi8((0x80u8 + 26) as i8));
                let quote = _mm_or_si128(
                    _mm_cmpeq_epi8(cur, _mm_set1_epi8(b'"' as i8)),
                    _mm_cmpeq_epi8(cur, _mm_set1_epi8(b'\'' as i8)),
                );
                // Lead bytes 0xC0..=0xFF: as signed bytes, -64..=-1.
                let lead = _mm_cmplt_epi8(_mm_set1_epi8(-65), cur);
                let lead = _mm_andnot_si128(_mm_cmplt_epi8(_mm_set1_epi8(-1), cur), lead);
                let any = _mm_or_si128(_mm_or_si128(upper, quote), lead);
                let after_space = _mm_cmpeq_epi8(prev, _mm_set1_epi8(b' ' as i8));
                _mm_movemask_epi8(_mm_andnot_si128(after_space, any))
            };
            mask |= u64::from(bits as u16) << at;
        }
        mask
    }
}

/// [`chunk_bits`] thirty-two bytes at a time, with the tests of [`sse2`] in
/// one pass.
#[cfg(target_arch = "x86_64")]
pub(crate) mod avx2 {
    use super::CHUNK;
    use std::arch::x86_64::{
        __m256i, _mm256_add_epi8, _mm256_and_si256, _mm256_andnot_si256, _mm256_cmpeq_epi8,
        _mm256_cmpgt_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
        _mm256_set1_epi8, _mm256_setzero_si256,
    };

    /// Whether the processor has AVX2 (the standard library asks the processor once).
    pub fn available() -> bool {
        std::is_x86_feature_detected!("avx2")
    }

    /// See [`super::chunk_bits`]; `w` holds `CHUNK + 3` bytes. Only called
    /// when [`available`].
    pub fn chunk_bits(w: &[u8]) -> u64 {
        assert!(w.len() == CHUNK + 3);
        assert!(available());
        // SAFETY: AVX2 is present (checked above), and `w` has the
        // `CHUNK + 3` bytes the loads read (checked above).
        unsafe { chunk_bits_avx2(w) }
    }

    /// # Safety
    /// The processor must have AVX2 and `w` must hold `CHUNK + 3` bytes.
    #[target_feature(enable = "avx2")]
    unsafe fn chunk_bits_avx2(w: &[u8]) -> u64 {
        let mut mask = 0u64;
        for part in 0..CHUNK / 32 {
            let at = part * 32;
            // SAFETY: the four unaligned 32-byte loads start at `at + 0..=3`
            // and end at most at `at + 35 <= CHUNK + 3 == w.len()`.
            let (prev, cur, c1, c2) = unsafe {
                let load = |k: usize| _mm256_loadu_si256(w.as_ptr().add(k).cast::<__m256i>());
                (load(at), load(at + 1), load(at + 2), load(at + 3))
            };
            let set = |b: u8| _mm256_set1_epi8(b as i8);
            let is = |v: __m256i, b: u8| _mm256_cmpeq_epi8(v, set(b));
            // Candidates (see `sse2::candidates`): capitals (c - 'A' < 26
            // unsigned, as signed bytes shifted by 0x80), quotes, lead bytes
            // 0xC0..=0xFF (-64..=-1 as signed bytes), not after a space.
            let shifted = _mm256_add_epi8(cur, set(0x80u8.wrapping_sub(b'A')));
            let upper = _mm256_cmpgt_epi8(set(0x80 + 26), shifted);
            let quote = _mm256_or_si256(is(cur, b'"'), is(cur, b'\''));
            let lead = _mm256_andnot_si256(
                _mm256_cmpgt_epi8(cur, set(0xFF)),
                _mm256_cmpgt_epi8(cur, set(0xBF)),
            );
            let any = _mm256_or_si256(_mm256_or_si256(upper, quote), lead);
            let cand = _mm256_andnot_si256(is(prev, b' '), any);
            // Small letters (see `sse2::small_letters`): C3 A0..=BF but B7
            // (A0..=FF are -96..=-1), or E1 BA/BB and an odd byte.
            let high = _mm256_and_si256(
                _mm256_cmpgt_epi8(c1, set(0x9F)),
                _mm256_cmpgt_epi8(_mm256_setzero_si256(), c1),
            );
            let latin1 = _mm256_andnot_si256(is(c1, 0xB7), _mm256_and_si256(is(cur, 0xC3), high));
            let odd = is(_mm256_and_si256(c2, set(1)), 1);
            let ext = _mm256_and_si256(
                _mm256_and_si256(is(cur, 0xE1), _mm256_or_si256(is(c1, 0xBA), is(c1, 0xBB))),
                odd,
            );
            let small = _mm256_or_si256(latin1, ext);
            let bits = _mm256_movemask_epi8(_mm256_andnot_si256(small, cand));
            mask |= u64::from(bits as u32) << at;
        }
        mask
    }
}

/// The character starting at byte `k` of the UTF-8 text `b` (`k` on a
/// character boundary) and its byte length.
#[inline(always)]
fn decode_at(b: &[u8], k: usize) -> (char, usize) {
    let lead = u32::from(b[k]);
    let cont = |i: usize| u32::from(b.get(k + i).copied().unwrap_or(0x80) & 0x3F);
    let (u, len) = if lead < 0x80 {
        (lead, 1)
    } else if lead < 0xE0 {
        (((lead & 0x1F) << 6) | cont(1), 2)
    } else if lead < 0xF0 {
        (((lead & 0x0F) << 12) | (cont(1) << 6) | cont(2), 3)
    } else {
        (
            ((lead & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3),
            4,
        )
    };
    (char::from_u32(u).unwrap_or('\u{FFFD}'), len)
}

/// The block of `text` from byte `s` to byte `e` (cut points), unless it is blank.
fn push_block<'t>(
    line_index: usize,
    text: &'t str,
    s: usize,
    e: usize,
    blocks: &mut Vec<Block<'t>>,
) {
    let piece = text[s..e].trim();
    if piece.is_empty() {
        return;
    }
    blocks.push(Block {
        line: line_index,
        start: s,
        end: e,
        text: piece,
        glued_left: s > 0,
        glued_right: e < text.len(),
    });
}

/// Byte ranges of the sentences of a block: a sentence ends at final punctuation
/// (and closing quotes) followed by a space and a capital, unless the stop ends
/// an abbreviation.
pub fn sentence_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0usize;
    let mut k = 0usize;
    while let Some(stop) = next_final(text, k) {
        let stop_char = text[stop..].chars().next().unwrap_or('.');
        // The stop, more stops and closing quotes: the sentence's end `e`.
        let mut e = stop + stop_char.len_utf8();
        for c in text[e..].chars() {
            if !(FINALS.contains(&c) || CLOSERS.contains(&c)) {
                break;
            }
            e += c.len_utf8();
        }
        let n = e + text[e..].bytes().take_while(|&b| b == b' ').count();
        let spaced = n > e;
        let mut next = text[n..].chars();
        let capital_next = next.next().is_some_and(|c| {
            is_upper(c) || (OPENERS.contains(&c) && next.next().is_some_and(is_upper))
        });
        let abbrev =
            stop_char == '.' && e == stop + 1 && is_abbreviation(text[..stop].chars().rev());
        if spaced && capital_next && !abbrev {
            spans.push((start, e));
            start = n;
            k = n;
        } else {
            k = e;
        }
    }
    if start < text.len() {
        spans.push((start, text.len()));
    }
    spans
}

/// The byte offset of the first sentence-final character ([`FINALS`]) at or after byte `from`.
fn next_final(text: &str, from: usize) -> Option<usize> {
    let b = text.as_bytes();
    let rest = b.get(from..)?;
    // The first ASCII stop, then a '…' (E2 80 A6) before it, if any.
    let ascii = memchr::memchr3(b'.', b'!', b'?', rest);
    let before = &rest[..ascii.unwrap_or(rest.len())];
    let ellipsis =
        memchr::memchr_iter(0xE2, before).find(|&i| before[i + 1..].starts_with(&[0x80, 0xA6]));
    ellipsis.or(ascii).map(|i| from + i)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        segment(0, line)
            .into_iter()
            .map(|b| b.text.to_string())
            .collect()
    }

    #[test]
    fn chunked_candidates_agree_with_the_byte_test() {
        // Every pair of bytes, a chunk at a time.
        let mut pairs = Vec::new();
        for p in 0..=255u8 {
            for c in 0..=255u8 {
                pairs.extend([p, c]);
            }
        }
        for w in pairs.windows(CHUNK + 1).step_by(7) {
            let want = (0..CHUNK).fold(0u64, |m, j| {
                m | (u64::from(is_candidate(w[j], w[j + 1])) << j)
            });
            assert_eq!(candidates(w), want, "{w:?}");
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn chunked_small_letters_agree_with_the_byte_test() {
        // Every triple of interesting bytes, a chunk at a time.
        let interesting = [
            0x00u8, 0x41, 0x80, 0x9F, 0xA0, 0xB7, 0xBA, 0xBB, 0xBC, 0xBF, 0xC3, 0xE1, 0xFF, 0x01,
            0x02, 0xC4, 0xC5, 0xC6, 0x83, 0x91, 0xA9, 0xA1, 0xB0, 0xA8,
        ];
        let mut bytes = Vec::new();
        for &a in &interesting {
            for &b in &interesting {
                for &c in &interesting {
                    bytes.extend([a, b, c]);
                }
            }
        }
        for w in bytes.windows(CHUNK + 3).step_by(5) {
            let want = (0..CHUNK).fold(0u64, |m, j| {
                m | (u64::from(is_small_letter_at(w, j + 1)) << j)
            });
            assert_eq!(sse2::small_letters(w), want, "{w:?}");
        }
    }

    /// A small generator of pseudo-random bytes (xorshift), biased towards
    /// the bytes the chunk tests look at.
    fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
        let picks = [
            b' ', b'A', b'Z', b'a', b'"', b'\'', 0x40, 0x5B, 0x80, 0x9F, 0xA0, 0xB7, 0xBA, 0xBB,
            0xBF, 0xC0, 0xC3, 0xE1, 0xFF, 0x01,
        ];
        random_bytes_from(n, &picks, seed)
    }

    /// `n` pseudo-random bytes (xorshift from `seed`): half of them from `picks`, the others
    /// any byte.
    pub(crate) fn random_bytes_from(n: usize, picks: &[u8], mut seed: u64) -> Vec<u8> {
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                if seed & 1 == 0 {
                    picks[(seed >> 8) as usize % picks.len()]
                } else {
                    (seed >> 16) as u8
                }
            })
            .collect()
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn chunk_bits_agree_with_the_byte_tests() {
        let bytes = random_bytes(200_000, 0x9E37_79B9_7F4A_7C15);
        for w in bytes.windows(CHUNK + 3).step_by(3) {
            let want = (0..CHUNK).fold(0u64, |m, j| {
                let bit = is_candidate(w[j], w[j + 1]) && !is_small_letter_at(w, j + 1);
                m | (u64::from(bit) << j)
            });
            assert_eq!(chunk_bits(w), want, "{w:?}");
            assert_eq!(
                sse2::candidates(&w[..CHUNK + 1]) & !sse2::small_letters(w),
                want,
                "{w:?}"
            );
            if avx2::available() {
                assert_eq!(avx2::chunk_bits(w), want, "{w:?}");
            }
        }
    }

    #[test]
    fn lines_split_as_str_lines_does() {
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "a\r\nb\r\n\r\nc",
            "\n\n a \n\t\nb\r",
            "a\rb\n\u{a0}\nc\n\n",
        ] {
            let mut want = Vec::new();
            let mut blank = false;
            for raw in text.lines() {
                let t = raw.trim();
                if t.is_empty() {
                    blank = true;
                    continue;
                }
                want.push(Line {
                    text: t,
                    blank_before: blank && !want.is_empty(),
                });
                blank = false;
            }
            assert_eq!(split_lines(text), want, "{text:?}");
        }
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

    /// The first implementation, which the faster one must agree with.
    mod reference {
        use super::super::{CLOSERS, FINALS, OPENERS};

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

        fn has_vietnamese_letter(chars: &[char]) -> bool {
            chars.iter().any(|c| c.is_alphabetic() && !c.is_ascii())
        }

        fn glue_at(chars: &[char], k: usize) -> bool {
            if k == 0 || k >= chars.len() {
                return false;
            }
            let next = chars[k];
            let after = chars.get(k + 1).copied();
            // 1. Sentence glue: "…quan trọng.Thượng tướng", "…bắt đầu.”Sau đó".
            let starts_sentence = next.is_uppercase()
                || (OPENERS.contains(&next)
                    && next != '('
                    && after.is_some_and(|c| c.is_uppercase()));
            if starts_sentence {
                let mut p = k;
                while p > 0 && CLOSERS.contains(&chars[p - 1]) {
                    p -= 1;
                }
                if p > 0 && FINALS.contains(&chars[p - 1]) {
                    let stop = p - 1;
                    let single_full_stop =
                        chars[stop] == '.' && (stop == 0 || chars[stop - 1] != '.');
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

        pub fn segment(line_index: usize, text: &str) -> Vec<super::Block<'_>> {
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
                super::push_block(line_index, text, w[0], w[1], &mut blocks);
            }
            blocks
        }

        pub fn sentence_spans(text: &str) -> Vec<(usize, usize)> {
            let chars: Vec<(usize, char)> = text.char_indices().collect();
            let plain: Vec<char> = chars.iter().map(|&(_, c)| c).collect();
            let mut spans = Vec::new();
            let mut start = 0usize;
            let mut k = 0usize;
            while k < plain.len() {
                if FINALS.contains(&plain[k]) {
                    let mut e = k + 1;
                    while e < plain.len()
                        && (FINALS.contains(&plain[e]) || CLOSERS.contains(&plain[e]))
                    {
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
    }

    #[test]
    fn cuts_and_sentences_agree_with_the_first_implementation() {
        let lines = [
            "Câu một kết thúc.Câu hai bắt đầu. TP. Hồ Chí Minh và H.Định Quán.",
            "Anh nói: “Xong rồi.”Sau đó về…“Được” - Ảnh: K.CThượng tá B cho biết.",
            "Đoàn thăm đảo. (Ảnh: Duy Hiển)Trong chuyến đi, (phải)Phát biểu chỉ đạoHội đồng.",
            "Hãng VinFast và YouTube hợp tác!Ông PGS.TS A? “B” … C.. D... E.”F ‘G’ «H» (I) J",
            "a.B .C  D.\u{a0}E.\tF? «G ‘H “I ”J ’K )L ]M x.Y.Z AB.CD ABCD.E Ⅰ.Ⅱ ⓐ.Ⓑ",
            "",
            ".",
            "X",
            "đạoĐ ninhĐối thoạiÂu ưỚc ĐoànĐ.Đ aA.Ă …Ư",
        ];
        for line in lines {
            let new: Vec<_> = segment(0, line)
                .into_iter()
                .map(|b| (b.start, b.end))
                .collect();
            let old: Vec<_> = reference::segment(0, line)
                .into_iter()
                .map(|b| (b.start, b.end))
                .collect();
            assert_eq!(new, old, "{line:?}");
            assert_eq!(
                sentence_spans(line),
                reference::sentence_spans(line),
                "{line:?}"
            );
        }
    }

    #[test]
    fn sentences_split_after_space_and_capital() {
        let t = "Câu một. Câu hai! TP. Hồ Chí Minh đẹp. cuối";
        let s: Vec<&str> = sentence_spans(t).iter().map(|&(a, b)| &t[a..b]).collect();
        assert_eq!(s, vec!["Câu một.", "Câu hai!", "TP. Hồ Chí Minh đẹp. cuối"]);
    }
}
