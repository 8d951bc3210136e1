//! Many bytes at a time: where the two passes of the crate must look closely.
//!
//! Both passes copy most of the text as it is; only a few bytes need a look (a line end, a
//! doubled space, a character that may be space-like or invisible, an `o`/`u` before a toned
//! vowel, a character that may not be NFC). [`skip_run`] and [`skip_tones`] go straight to
//! the next such byte, testing a block of bytes at a time: 32 with AVX2 when the processor
//! has it, else 16 with SSE2 (part of every x86-64 processor); elsewhere, byte by byte with
//! the same predicates ([`ends_run`], [`needs_tone_look`]). A byte they stop at may be a
//! false alarm (the pass then looks and moves on); they never skip a byte that needs a look.
//! Near the end of the text they stop early and leave the last bytes to the pass.

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

/// Whether the character at byte `k` is a letter the tone pass surely leaves alone wherever
/// it stands: one known to be NFC (`C3 xx`, `E1 B8..BB xx`) that is not a toned `a`/`e`/`y`
/// ([`crate::split_tone`]), such as the `ố` of `Quốc`. [`skip_tones`] passes these by.
#[inline]
pub fn settled_letter_at(b: &[u8], k: usize) -> bool {
    let cont = |j: usize| {
        b.get(k + j)
            .filter(|&&x| x & 0xC0 == 0x80)
            .map(|&x| u32::from(x & 0x3F))
    };
    let code = match (b[k], b.get(k + 1)) {
        (0xC3, _) => cont(1).map(|x| 0xC0 | x),
        (0xE1, Some(0xB8..=0xBB)) => cont(1).zip(cont(2)).map(|(x, y)| 0x1000 | x << 6 | y),
        _ => None,
    };
    code.and_then(char::from_u32)
        .is_some_and(|c| crate::split_tone(c).is_none())
}

/// From byte `i` of `b`, the first byte for which [`ends_run`] holds, or a byte among the
/// last few of `b` (the caller goes on byte by byte from there).
#[inline]
pub fn skip_run(b: &[u8], i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2 (checked just above).
            unsafe { avx2::skip_run(b, i) }
        } else {
            sse2::skip_run(b, i)
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        skip_run_bytewise(b, i)
    }
}

/// From byte `i > 0` of `b`, the first byte for which [`needs_tone_look`] holds but that
/// is no [`settled_letter_at`], or a byte among the last few of `b` (the caller goes on byte
/// by byte from there).
#[inline]
pub fn skip_tones(b: &[u8], i: usize) -> usize {
    if i == 0 {
        // No byte before it: the caller looks at byte 0 itself (never skip what matters).
        return 0;
    }
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2 (checked just above).
            unsafe { avx2::skip_tones(b, i) }
        } else {
            sse2::skip_tones(b, i)
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        skip_tones_bytewise(b, i)
    }
}

/// [`skip_run`] byte by byte (stops two bytes before the end).
#[cfg(any(test, not(target_arch = "x86_64")))]
pub fn skip_run_bytewise(b: &[u8], mut i: usize) -> usize {
    while i + 2 < b.len() && !ends_run(b[i], b[i + 1], b[i + 2]) {
        i += 1;
    }
    i
}

/// [`skip_tones`] byte by byte (stops a byte before the end).
#[cfg(any(test, not(target_arch = "x86_64")))]
pub fn skip_tones_bytewise(b: &[u8], mut i: usize) -> usize {
    while i + 1 < b.len() && (!needs_tone_look(b[i - 1], b[i], b[i + 1]) || settled_letter_at(b, i))
    {
        i += 1;
    }
    i
}

/// Sixteen bytes at a time with SSE2.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8,
        _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };

    /// Bytes in a block.
    const BLOCK: usize = 16;

    /// Sixteen copies of `x`.
    #[inline(always)]
    fn splat(x: u8) -> __m128i {
        // SAFETY: SSE2 is always present on x86-64.
        unsafe { _mm_set1_epi8(x as i8) }
    }

    /// The block of `b` from `at`. Panics unless `at + BLOCK <= b.len()`.
    #[inline(always)]
    fn load(b: &[u8], at: usize) -> __m128i {
        assert!(at + BLOCK <= b.len());
        // SAFETY: SSE2 is always present on x86-64, and the unaligned load lies inside `b`
        // (checked above).
        unsafe { _mm_loadu_si128(b.as_ptr().add(at).cast::<__m128i>()) }
    }

    /// See [`super::skip_run`]. A block answers for its first fifteen bytes (the sixteenth
    /// only serves as the byte after the fifteenth).
    #[inline(always)]
    pub fn skip_run(b: &[u8], mut i: usize) -> usize {
        while i + BLOCK < b.len() {
            let (c, n1) = (load(b, i), load(b, i + 1));
            // SAFETY: SSE2 is always present on x86-64 (register operations only).
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
            let ends = ((odd & !spaces) | (spaces & (odd >> 1))) & 0x7FFF;
            if ends != 0 {
                return i + ends.trailing_zeros() as usize;
            }
            i += BLOCK - 1;
        }
        i
    }

    /// See [`super::skip_tones`].
    #[inline(always)]
    pub fn skip_tones(b: &[u8], i: usize) -> usize {
        // The block after byte `j`.
        let mut j = i - 1;
        while j + BLOCK + 2 <= b.len() {
            let (p, c, n1) = (load(b, j), load(b, j + 1), load(b, j + 2));
            // SAFETY: SSE2 is always present on x86-64 (register operations only).
            let looks = unsafe {
                let is = |v: __m128i, x: u8| _mm_cmpeq_epi8(v, splat(x));
                let or = |a: __m128i, b: __m128i| _mm_or_si128(a, b);
                let and = |a: __m128i, b: __m128i| _mm_and_si128(a, b);
                let e1 = is(c, 0xE1);
                let letter = and(e1, is(and(n1, splat(0xFC)), 0xB8));
                // Unsigned `c >= 0xCC`.
                let high = _mm_cmpeq_epi8(_mm_max_epu8(c, splat(0xCC)), c);
                let unknown = _mm_andnot_si128(letter, high);
                let folded = or(p, splat(0x20));
                let vowel = or(is(folded, b'o'), is(folded, b'u'));
                let after_vowel = and(or(is(c, 0xC3), e1), vowel);
                _mm_movemask_epi8(or(unknown, after_vowel)) as u32
            };
            // A toned-looking letter after `o`/`u` that is not a toned `a`/`e`/`y` is passed by.
            let mut looks = looks;
            while looks != 0 {
                let k = j + 1 + looks.trailing_zeros() as usize;
                if !super::settled_letter_at(b, k) {
                    return k;
                }
                looks &= looks - 1;
            }
            j += BLOCK;
        }
        j + 1
    }
}

/// Thirty-two bytes at a time with AVX2: [`sse2`] on twice the bytes.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::{
        __m256i, _mm256_and_si256, _mm256_andnot_si256, _mm256_cmpeq_epi8, _mm256_loadu_si256,
        _mm256_max_epu8, _mm256_min_epu8, _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8,
    };

    /// Bytes in a block.
    const BLOCK: usize = 32;

    // The helpers carry the feature too, so that they inline into the scans.

    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn splat(x: u8) -> __m256i {
        _mm256_set1_epi8(x as i8)
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn is(v: __m256i, x: u8) -> __m256i {
        _mm256_cmpeq_epi8(v, splat(x))
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn or(a: __m256i, b: __m256i) -> __m256i {
        _mm256_or_si256(a, b)
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn and(a: __m256i, b: __m256i) -> __m256i {
        _mm256_and_si256(a, b)
    }

    /// See [`super::skip_run`]. A block answers for its first 31 bytes (the 32nd only
    /// serves as the byte after the 31st).
    ///
    /// # Safety
    /// The processor must have AVX2.
    #[target_feature(enable = "avx2")]
    pub unsafe fn skip_run(b: &[u8], mut i: usize) -> usize {
        while i + BLOCK < b.len() {
            // In bounds: `i + 1 + BLOCK <= b.len()`.
            let c = _mm256_loadu_si256(b.as_ptr().add(i).cast::<__m256i>());
            let n1 = _mm256_loadu_si256(b.as_ptr().add(i + 1).cast::<__m256i>());
            let low = _mm256_cmpeq_epi8(_mm256_min_epu8(c, splat(0x20)), c);
            let odd = or(
                or(or(low, is(c, 0x7F)), or(is(c, 0xC2), is(c, 0xE2))),
                or(or(is(c, 0xE3), is(c, 0xEF)), and(is(c, 0xE1), is(n1, 0x9A))),
            );
            let odd = _mm256_movemask_epi8(odd) as u32;
            let spaces = _mm256_movemask_epi8(is(c, b' ')) as u32;
            let ends = ((odd & !spaces) | (spaces & (odd >> 1))) & 0x7FFF_FFFF;
            if ends != 0 {
                return i + ends.trailing_zeros() as usize;
            }
            i += BLOCK - 1;
        }
        i
    }

    /// See [`super::skip_tones`].
    ///
    /// # Safety
    /// The processor must have AVX2.
    #[target_feature(enable = "avx2")]
    pub unsafe fn skip_tones(b: &[u8], i: usize) -> usize {
        // The block after byte `j`.
        let mut j = i - 1;
        while j + BLOCK + 2 <= b.len() {
            // In bounds: `j + 2 + BLOCK <= b.len()`.
            let p = _mm256_loadu_si256(b.as_ptr().add(j).cast::<__m256i>());
            let c = _mm256_loadu_si256(b.as_ptr().add(j + 1).cast::<__m256i>());
            let n1 = _mm256_loadu_si256(b.as_ptr().add(j + 2).cast::<__m256i>());
            let e1 = is(c, 0xE1);
            let letter = and(e1, is(and(n1, splat(0xFC)), 0xB8));
            let high = _mm256_cmpeq_epi8(_mm256_max_epu8(c, splat(0xCC)), c);
            let unknown = _mm256_andnot_si256(letter, high);
            let folded = or(p, splat(0x20));
            let vowel = or(is(folded, b'o'), is(folded, b'u'));
            let after_vowel = and(or(is(c, 0xC3), e1), vowel);
            let looks = _mm256_movemask_epi8(or(unknown, after_vowel)) as u32;
            // A toned-looking letter after `o`/`u` that is not a toned `a`/`e`/`y` is passed by.
            let mut looks = looks;
            while looks != 0 {
                let k = j + 1 + looks.trailing_zeros() as usize;
                if !super::settled_letter_at(b, k) {
                    return k;
                }
                looks &= looks - 1;
            }
            j += BLOCK;
        }
        j + 1
    }

    #[cfg(test)]
    pub fn available() -> bool {
        std::is_x86_feature_detected!("avx2")
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
                match state & 15 {
                    // Mostly plain letters, so that whole blocks get skipped.
                    0..=9 => b'a' + (state >> 40) as u8 % 26,
                    10 => (state >> 32) as u8,
                    _ => interesting[((state >> 32) % interesting.len() as u64) as usize],
                }
            })
            .collect()
    }

    /// `skip` stops at the first byte from `i` for which `needs` holds, or past it.
    fn check(name: &str, b: &[u8], i: usize, to: usize, needs: impl Fn(usize) -> bool) {
        assert!(to >= i && to <= b.len(), "{name} at {i}: {to}");
        if let Some(first) = (i..to).find(|&k| needs(k)) {
            panic!("{name} from {i} skipped {first}, stopped at {to}");
        }
        // Stopping early is allowed only near the end.
        assert!(
            to + 34 >= b.len() || needs(to),
            "{name} from {i} stopped at {to}"
        );
    }

    #[test]
    fn the_block_scans_skip_no_byte_that_needs_a_look() {
        let b = random_bytes(60_000);
        let run = |k: usize| k + 2 < b.len() && ends_run(b[k], b[k + 1], b[k + 2]);
        let tone = |k: usize| {
            k + 1 < b.len()
                && needs_tone_look(b[k - 1], b[k], b[k + 1])
                && !settled_letter_at(&b, k)
        };
        for i in 1..b.len() {
            check("skip_run", &b, i, skip_run(&b, i), run);
            check("skip_tones", &b, i, skip_tones(&b, i), tone);
            check("bytewise run", &b, i, skip_run_bytewise(&b, i), run);
            check("bytewise tones", &b, i, skip_tones_bytewise(&b, i), tone);
            #[cfg(target_arch = "x86_64")]
            {
                check("sse2 run", &b, i, sse2::skip_run(&b, i), run);
                check("sse2 tones", &b, i, sse2::skip_tones(&b, i), tone);
                if avx2::available() {
                    // SAFETY: the processor has AVX2 (checked just above).
                    let (r, t) = unsafe { (avx2::skip_run(&b, i), avx2::skip_tones(&b, i)) };
                    check("avx2 run", &b, i, r, run);
                    check("avx2 tones", &b, i, t, tone);
                }
            }
        }
    }

    #[test]
    fn the_tone_scan_from_the_first_byte_skips_nothing() {
        for b in [&b""[..], b"o", "oà".as_bytes(), &random_bytes(100)] {
            assert_eq!(skip_tones(b, 0), 0);
        }
    }
}
