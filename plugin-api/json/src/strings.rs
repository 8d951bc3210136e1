//! JSON strings: where a run of plain content ends, and how a string is written.

/// Whether a byte ends a run of plain string content: a quote, a backslash or a control
/// character.
fn is_special(c: u8) -> bool {
    c == b'"' || c == b'\\' || c < 0x20
}

/// The offset of the first special byte (see [`is_special`]) in `bytes`.
pub(crate) fn special(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    #[cfg(target_arch = "x86_64")]
    while let Some(chunk) = bytes.get(at..at + 16) {
        if let Some(hit) = sse2::special16(chunk) {
            return Some(at + hit);
        }
        at += 16;
    }
    bytes[at..]
        .iter()
        .position(|&c| is_special(c))
        .map(|hit| at + hit)
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::*;

    /// The first special byte of a 16-byte chunk (SSE2 is part of every x86_64 CPU).
    pub(super) fn special16(chunk: &[u8]) -> Option<usize> {
        assert_eq!(chunk.len(), 16);
        // SAFETY: the load reads exactly the 16 bytes of `chunk` (asserted above), unaligned;
        // the rest is SSE2 arithmetic, which x86_64 always has.
        let mask = unsafe {
            let x = _mm_loadu_si128(chunk.as_ptr().cast());
            let quote = _mm_cmpeq_epi8(x, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(x, _mm_set1_epi8(b'\\' as i8));
            // Unsigned x <= 0x1f exactly when min(x, 0x1f) == x.
            let control = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x);
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control))
        };
        (mask != 0).then(|| mask.trailing_zeros() as usize)
    }
}

/// Append `s` as a JSON string, escaped exactly as serde_json escapes it: the runs between the
/// bytes that need escaping are found 16 bytes at a time and copied whole.
///
/// ```
/// let mut out = Vec::new();
/// enrichd_json::write_str(&mut out, "Hà Nội \"24/7\"\n");
/// assert_eq!(out, serde_json::to_vec("Hà Nội \"24/7\"\n").unwrap());
/// ```
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    let mut rest = s.as_bytes();
    out.reserve(rest.len() + 2);
    out.push(b'"');
    while let Some(at) = special(rest) {
        out.extend_from_slice(&rest[..at]);
        write_escape(out, rest[at]);
        rest = &rest[at + 1..];
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

/// The escape of a quote, a backslash or a control character.
fn write_escape(out: &mut Vec<u8>, c: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match c {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0c => out.extend_from_slice(b"\\f"),
        _ => out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(c >> 4)],
            HEX[usize::from(c & 0xf)],
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_finds_the_first_quote_backslash_or_control_byte_at_any_offset() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut byte = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            // Mostly plain bytes (ASCII letters and UTF-8 lead/continuation bytes).
            match seed % 64 {
                0 => b'"',
                1 => b'\\',
                2 => (seed >> 8) as u8 % 0x20,
                n if n < 40 => b'a' + (n as u8 % 26),
                _ => 0x80 | (seed >> 16) as u8,
            }
        };
        for len in 0..80 {
            for _ in 0..200 {
                let bytes: Vec<u8> = (0..len).map(|_| byte()).collect();
                let expected = bytes.iter().position(|&c| is_special(c));
                assert_eq!(special(&bytes), expected, "{bytes:?}");
            }
        }
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them_at_every_position() {
        let specials = (0u8..0x20).chain([b'"', b'\\']).map(char::from);
        for c in specials.chain(['a', 'ệ', '\u{7f}', '😀']) {
            for len in 0..40 {
                for at in 0..=len {
                    let mut s: String = "x".repeat(len);
                    s.insert(at, c);
                    let mut out = Vec::new();
                    write_str(&mut out, &s);
                    assert_eq!(out, serde_json::to_vec(&s).unwrap(), "{s:?}");
                }
            }
        }
    }
}
