//! Sixteen bytes at a time: where the two passes of the crate must look closely.
//!
//! Both passes copy most of the text as it is; only a few bytes need a look (a line end, a
//! doubled space, a character that may be space-like or invisible, an `o`/`u` before a toned
//! vowel, a character that may not be NFC). These functions give, for a block of
//! [`BLOCK`] bytes, a bit per byte that needs one, so that the passes skip the rest in bulk.
//! A set bit may be a false alarm (the pass then looks and moves on); a clear bit never hides
//! a byte that needs a look. On x86-64 the test runs on SSE2 (part of every x86-64
//! processor); elsewhere, byte by byte with the same predicates.

/// Bytes tested in one go.
pub const BLOCK: usize = 16;

/// Whether the byte `c`, followed by `n1`, is odd in visible text: a space or an ASCII
/// control character (`\t`, `\n`, `\r` among them), or the lead byte of a character that may
/// be space-like or invisible (`C2`, `E2`, `E3`, `EF`, `E1 9A`).
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline(always)]
pub fn is_odd(c: u8, n1: u8) -> bool {
    c <= 0x20 || matches!(c, 0x7F | 0xC2 | 0xE2 | 0xE3 | 0xEF) || (c == 0xE1 && n1 == 0x9A)
}

/// Whether the byte `c`, followed by `n1` and `n2`, ends a run of visible text for
/// `clean_whitespace`: an odd byte ([`is_odd`]) but a space, or a space before an odd byte.
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline(always)]
pub fn ends_run(c: u8, n1: u8, n2: u8) -> bool {
    if c == b' ' {
        is_odd(n1, n2)
    } else {
        is_odd(c, n1)
    }
}

/// Whether the byte `c`, after `p` and followed by `n1`, needs a look from the tone pass: a
/// lead byte of a character that is not surely NFC in any context (`CC` and above but the
/// Vietnamese letters `E1 B8..BB`), or the lead byte of a possible toned vowel (`C3`, `E1`)
/// right after an ASCII `o`/`u`.
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline(always)]
pub fn needs_tone_look(p: u8, c: u8, n1: u8) -> bool {
    let unknown = c >= 0xCC && !(c == 0xE1 && (0xB8..=0xBB).contains(&n1));
    let after_vowel = matches!(c, 0xC3 | 0xE1) && matches!(p | 0x20, b'o' | b'u');
    unknown || after_vowel
}

/// Bytes [`run_ends`] answers for: the last byte of its block only serves as the byte after
/// the one before it.
pub const RUN_STEP: usize = BLOCK - 1;

/// A bit per byte of `b[i..i + RUN_STEP]` for which [`ends_run`] holds.
/// Needs `i + BLOCK + 1 <= b.len()`.
#[inline(always)]
pub fn run_ends(b: &[u8], i: usize) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        sse2::run_ends(b, i)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        run_ends_bytewise(b, i)
    }
}

/// A bit per byte of `b[j + 1..j + 1 + BLOCK]` (the block after byte `j`) for which
/// [`needs_tone_look`] holds. Needs `j + BLOCK + 2 <= b.len()`.
#[inline(always)]
pub fn tone_looks(b: &[u8], j: usize) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        sse2::tone_looks(b, j)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        tone_looks_bytewise(b, j)
    }
}

/// [`run_ends`] byte by byte.
#[cfg(any(test, not(target_arch = "x86_64")))]
pub fn run_ends_bytewise(b: &[u8], i: usize) -> u32 {
    (0..RUN_STEP).fold(0, |m, k| {
        let j = i + k;
        m | u32::from(ends_run(b[j], b[j + 1], b[j + 2])) << k
    })
}

/// [`tone_looks`] byte by byte.
#[cfg(any(test, not(target_arch = "x86_64")))]
pub fn tone_looks_bytewise(b: &[u8], j: usize) -> u32 {
    (0..BLOCK).fold(0, |m, k| {
        let at = j + 1 + k;
        m | u32::from(needs_tone_look(b[at - 1], b[at], b[at + 1])) << k
    })
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use super::BLOCK;
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8,
        _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };

    /// Sixteen copies of `x`.
    #[inline(always)]
    fn splat(x: u8) -> __m128i {
        // SAFETY: SSE2 is always present on x86-64.
        unsafe { _mm_set1_epi8(x as i8) }
    }

    /// The three overlapping blocks of `b` from `at`, `at + 1` and `at + 2`.
    /// Panics unless `at + BLOCK + 2 <= b.len()`.
    #[inline(always)]
    fn load3(b: &[u8], at: usize) -> (__m128i, __m128i, __m128i) {
        assert!(at + BLOCK + 2 <= b.len());
        // SAFETY: SSE2 is always present on x86-64, and the three unaligned 16-byte loads lie
        // inside `b` (checked above).
        unsafe {
            let p = b.as_ptr().add(at);
            (
                _mm_loadu_si128(p.cast::<__m128i>()),
                _mm_loadu_si128(p.add(1).cast::<__m128i>()),
                _mm_loadu_si128(p.add(2).cast::<__m128i>()),
            )
        }
    }

    /// See [`super::run_ends`].
    #[inline(always)]
    pub fn run_ends(b: &[u8], i: usize) -> u32 {
        assert!(i + BLOCK < b.len());
        // SAFETY: SSE2 is always present on x86-64, and both unaligned 16-byte loads lie
        // inside `b` (checked above).
        let (c, n1) = unsafe {
            let p = b.as_ptr().add(i);
            (
                _mm_loadu_si128(p.cast::<__m128i>()),
                _mm_loadu_si128(p.add(1).cast::<__m128i>()),
            )
        };
        // SAFETY: SSE2 is always present on x86-64 (only register operations below).
        let (odd, spaces) = unsafe {
            let is = |v: __m128i, x: u8| _mm_cmpeq_epi8(v, splat(x));
            let or = |a: __m128i, b: __m128i| _mm_or_si128(a, b);
            // Unsigned `c <= 0x20`: spaces and control characters.
            let low = _mm_cmpeq_epi8(_mm_min_epu8(c, splat(0x20)), c);
            let odd = or(
                or(or(low, is(c, 0x7F)), or(is(c, 0xC2), is(c, 0xE2))),
                or(
                    or(is(c, 0xE3), is(c, 0xEF)),
                    _mm_and_si128(is(c, 0xE1), is(n1, 0x9A)),
                ),
            );
            (
                _mm_movemask_epi8(odd) as u32,
                _mm_movemask_epi8(is(c, b' ')) as u32,
            )
        };
        ((odd & !spaces) | (spaces & (odd >> 1))) & ((1 << super::RUN_STEP) - 1)
    }

    /// See [`super::tone_looks`].
    #[inline(always)]
    pub fn tone_looks(b: &[u8], j: usize) -> u32 {
        let (p, c, n1) = load3(b, j);
        // SAFETY: SSE2 is always present on x86-64 (only register operations below).
        unsafe {
            let is = |v: __m128i, x: u8| _mm_cmpeq_epi8(v, splat(x));
            let or = |a: __m128i, b: __m128i| _mm_or_si128(a, b);
            let and = |a: __m128i, b: __m128i| _mm_and_si128(a, b);
            // Unsigned `v >= x`.
            let at_least = |v: __m128i, x: u8| _mm_cmpeq_epi8(_mm_max_epu8(v, splat(x)), v);
            let e1 = is(c, 0xE1);
            let letter = and(e1, is(_mm_and_si128(n1, splat(0xFC)), 0xB8));
            let unknown = _mm_andnot_si128(letter, at_least(c, 0xCC));
            let folded = _mm_or_si128(p, splat(0x20));
            let vowel = or(is(folded, b'o'), is(folded, b'u'));
            let after_vowel = and(or(is(c, 0xC3), e1), vowel);
            _mm_movemask_epi8(or(unknown, after_vowel)) as u32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pseudo-random bytes, weighted towards the ones the predicates test.
    fn random_bytes(len: usize) -> Vec<u8> {
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let interesting = [
            b' ', b'\t', b'\n', b'\r', 0, 0x1F, 0x20, 0x21, 0x7F, 0x80, 0x81, 0x9A, 0xB7, 0xB8,
            0xBB, 0xBC, 0xC2, 0xC3, 0xCB, 0xCC, 0xE1, 0xE2, 0xE3, 0xEF, 0xFF, b'o', b'O', b'u',
            b'U', b'q', b'a',
        ];
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                if state & 3 == 0 {
                    (state >> 32) as u8
                } else {
                    interesting[((state >> 32) % interesting.len() as u64) as usize]
                }
            })
            .collect()
    }

    #[test]
    fn the_block_tests_equal_the_byte_tests() {
        let b = random_bytes(200_000);
        for i in 0..b.len() - BLOCK - 2 {
            assert_eq!(run_ends(&b, i), run_ends_bytewise(&b, i), "at {i}");
            assert_eq!(tone_looks(&b, i), tone_looks_bytewise(&b, i), "at {i}");
        }
    }
}
