//! Text geometry: byte-to-character offsets, sentence spans, look-behind windows.

/// Converts byte offsets of one text into Unicode scalar (char) offsets, as Python's
/// `len(str)` counts them.
///
/// Nothing is indexed up front: a char offset is the number of char-starting bytes before
/// the byte offset, counted on from the last answer when the offsets come in text order
/// (as the records of a text do).
pub struct CharIndex<'a> {
    bytes: &'a [u8],
    /// The last (byte, char) offsets answered.
    last: std::cell::Cell<(usize, usize)>,
}

impl<'a> CharIndex<'a> {
    /// Index `text`.
    pub fn new(text: &'a str) -> CharIndex<'a> {
        CharIndex {
            bytes: text.as_bytes(),
            last: std::cell::Cell::new((0, 0)),
        }
    }

    /// The char offset of byte offset `byte` (a char boundary, or the text's length).
    pub fn char_at(&self, byte: usize) -> usize {
        let byte = byte.min(self.bytes.len());
        let (from, mut chars) = match self.last.get() {
            (b, c) if b <= byte => (b, c),
            _ => (0, 0),
        };
        chars += count_chars(&self.bytes[from..byte]);
        self.last.set((byte, chars));
        chars
    }
}

/// The number of chars starting in `bytes` (bytes that are not UTF-8 continuation bytes).
fn count_chars(bytes: &[u8]) -> usize {
    let starts = |b: &u8| u8::from((*b as i8) >= -0x40);
    // per chunk of 64 the count fits a byte, which the compiler counts many at a time
    let mut chunks = bytes.chunks_exact(64);
    let mut n = 0;
    for chunk in &mut chunks {
        n += usize::from(chunk.iter().map(starts).sum::<u8>());
    }
    n + chunks
        .remainder()
        .iter()
        .map(|b| usize::from(starts(b)))
        .sum::<usize>()
}

/// Byte spans of the sentences of `text`: a sentence ends at a line break, or after
/// `.`, `!`, `?` or `…` followed by a space or by an upper-case letter (scraped pages
/// often glue sentences: "…quốc phòng.Thượng tướng…"). A dot between digits
/// ("29.5") never ends one.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // only '\n', '.', '!', '?' and the first byte of '…' (E2 80 A6) can end a sentence
        let b = bytes[i];
        let len = match b {
            b'\n' => 1,
            b'.' | b'!' | b'?' => 1,
            0xE2 if bytes[i..].starts_with("…".as_bytes()) => 3,
            _ => {
                i += 1;
                continue;
            }
        };
        let end = i + len;
        let ends = b == b'\n'
            || match text[end..].chars().next() {
                None => true,
                Some(n) => n.is_whitespace() || n.is_uppercase(),
            };
        if ends {
            if end > start {
                out.push((start, end));
            }
            start = end;
        }
        i = end;
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

/// Where the sentence closed by the char at byte `i` ends, if that char closes one (see
/// [`sentences`]).
fn closes(text: &str, i: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let end = match bytes[i] {
        b'\n' => return Some(i + 1),
        b'.' | b'!' | b'?' => i + 1,
        0xE2 if bytes[i..].starts_with("…".as_bytes()) => i + 3,
        _ => return None,
    };
    match text[end..].chars().next() {
        Some(n) if !n.is_whitespace() && !n.is_uppercase() => None,
        _ => Some(end),
    }
}

/// The last sentence boundary at or before byte `pos` (0 if none).
fn boundary_before(text: &str, pos: usize) -> usize {
    let bytes = text.as_bytes();
    let mut j = pos;
    // `k`: the last byte before `j` that may end a char closing a sentence
    while let Some(k) = stops::prev(bytes, j) {
        let i = if bytes[k] == 0xA6 {
            if k >= 2 && bytes[k - 2..=k] == *"…".as_bytes() {
                k - 2
            } else {
                j = k;
                continue;
            }
        } else {
            k
        };
        if closes(text, i).is_some() {
            return k + 1;
        }
        j = i;
    }
    0
}

/// The first sentence boundary after byte `pos` (the text's length if none).
fn boundary_after(text: &str, pos: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = pos;
    while let Some(k) = stops::next(bytes, i) {
        if let Some(end) = closes(text, k) {
            return end;
        }
        i = k + 1;
    }
    bytes.len()
}

/// Finding the bytes a sentence stop may start (`\n . ! ?` and the first byte of `…`) or
/// end with (the same, with the last byte of `…`), sixteen bytes at a time with SSE2 on
/// x86-64.
mod stops {
    /// Whether `b` may start a char that closes a sentence.
    fn starts(b: u8) -> bool {
        matches!(b, b'\n' | b'.' | b'!' | b'?' | 0xE2)
    }

    /// Whether `b` may end a char that closes a sentence.
    fn ends(b: u8) -> bool {
        matches!(b, b'\n' | b'.' | b'!' | b'?' | 0xA6)
    }

    /// The first byte at or after `from` that [`starts`] a stop.
    pub(super) fn next(bytes: &[u8], from: usize) -> Option<usize> {
        let mut i = from;
        #[cfg(target_arch = "x86_64")]
        while i + 16 <= bytes.len() {
            let mask = sse2::mask(&bytes[i..i + 16], 0xE2);
            if mask != 0 {
                return Some(i + mask.trailing_zeros() as usize);
            }
            i += 16;
        }
        (i..bytes.len()).find(|&k| starts(bytes[k]))
    }

    /// The last byte before `to` that [`ends`] a stop.
    pub(super) fn prev(bytes: &[u8], to: usize) -> Option<usize> {
        let mut j = to;
        #[cfg(target_arch = "x86_64")]
        while j >= 16 {
            let mask = sse2::mask(&bytes[j - 16..j], 0xA6);
            if mask != 0 {
                return Some(j - 16 + (31 - mask.leading_zeros()) as usize);
            }
            j -= 16;
        }
        (0..j).rev().find(|&k| ends(bytes[k]))
    }

    #[cfg(target_arch = "x86_64")]
    mod sse2 {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8,
        };

        /// Bit `k` set: byte `k` of the sixteen `chunk` is `\n . ! ?` or `other`.
        #[inline(always)]
        pub(super) fn mask(chunk: &[u8], other: u8) -> u32 {
            let chunk: &[u8; 16] = chunk.try_into().expect("sixteen bytes");
            // SAFETY: SSE2 is part of every x86-64 CPU; the load reads the sixteen bytes of
            // `chunk` and needs no alignment.
            unsafe {
                let x = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
                let eq = |b: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(b as i8));
                let hits = _mm_or_si128(
                    _mm_or_si128(eq(b'\n'), eq(b'.')),
                    _mm_or_si128(_mm_or_si128(eq(b'!'), eq(b'?')), eq(other)),
                );
                _mm_movemask_epi8(hits) as u32
            }
        }
    }
}

/// The span of the sentence (as [`sentences`] cuts them) holding byte `pos`, found by
/// looking only around `pos`.
pub fn sentence_at(text: &str, pos: usize) -> Option<(usize, usize)> {
    (pos < text.len()).then(|| (boundary_before(text, pos), boundary_after(text, pos)))
}

/// The sentence right before the one starting at byte `start` (> 0).
pub fn sentence_before(text: &str, start: usize) -> (usize, usize) {
    (boundary_before(text, start - 1), start)
}

/// The sentence right after the one ending at byte `end` (< the text's length).
pub fn sentence_after(text: &str, end: usize) -> (usize, usize) {
    (end, boundary_after(text, end))
}

/// The index of the sentence holding byte `pos`.
pub fn sentence_of(spans: &[(usize, usize)], pos: usize) -> Option<usize> {
    let i = spans.partition_point(|&(_, end)| end <= pos);
    (i < spans.len() && spans[i].0 <= pos).then_some(i)
}

/// Up to `max` bytes of `text` before byte `pos`, cut at a char boundary.
pub fn before(text: &str, pos: usize, max: usize) -> (usize, &str) {
    let mut start = pos.saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    (start, &text[start..pos])
}

/// The char just before byte `pos`, if any.
pub fn char_before(text: &str, pos: usize) -> Option<char> {
    text[..pos].chars().next_back()
}

/// The char at byte `pos`, if any.
pub fn char_after(text: &str, pos: usize) -> Option<char> {
    text[pos..].chars().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_offsets_count_scalars() {
        let text = "Sáng 14-4";
        let idx = CharIndex::new(text);
        let byte = text.find("14").expect("present");
        assert_eq!(idx.char_at(byte), 5);
        assert_eq!(idx.char_at(text.len()), 9);
        let long = "Tháng 5 năm 2024, ngày 14-4. ".repeat(9);
        let idx = CharIndex::new(&long);
        for (chars, (byte, _)) in long.char_indices().enumerate().step_by(7) {
            assert_eq!(idx.char_at(byte), chars);
        }
        assert_eq!(idx.char_at(3), 3);
        assert_eq!(idx.char_at(long.len()), long.chars().count());
    }

    #[test]
    fn sentences_split_on_stops_not_on_date_dots() {
        let text = "Ngày 29.5, họp. Năm 2024 tốt.Thượng tướng nói\nDòng hai";
        let spans = sentences(text);
        let parts: Vec<&str> = spans.iter().map(|&(a, b)| &text[a..b]).collect();
        assert_eq!(
            parts,
            vec![
                "Ngày 29.5, họp.",
                " Năm 2024 tốt.",
                "Thượng tướng nói\n",
                "Dòng hai"
            ]
        );
        assert_eq!(sentence_of(&spans, 3), Some(0));
        assert_eq!(sentence_of(&spans, text.len() - 1), Some(3));
    }

    #[test]
    fn sentences_found_around_a_position_are_the_same() {
        let texts = [
            "Ngày 29.5, họp. Năm 2024 tốt.Thượng tướng nói\nDòng hai",
            "…a. b… C!\n\n?x.Y… z…",
            "Hết.",
            "x",
        ];
        // long texts too, with stops at every offset of a sixteen-byte chunk
        let long: Vec<String> = (0..17)
            .map(|n| {
                format!(
                    "{}Một hai ba bốn năm… Sáu bảy.tám chín mười… mười một!\nx?Y a.b {}",
                    "ạ".repeat(n),
                    "z".repeat(n)
                )
            })
            .collect();
        for text in texts.into_iter().chain(long.iter().map(String::as_str)) {
            let spans = sentences(text);
            for (pos, _) in text.char_indices() {
                let s = sentence_of(&spans, pos).expect("a sentence");
                assert_eq!(sentence_at(text, pos), Some(spans[s]), "{text:?} {pos}");
                if s > 0 {
                    assert_eq!(sentence_before(text, spans[s].0), spans[s - 1]);
                }
                if s + 1 < spans.len() {
                    assert_eq!(sentence_after(text, spans[s].1), spans[s + 1]);
                }
            }
            assert_eq!(sentence_at(text, text.len()), None);
        }
    }
}
