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
    while j > 0 {
        // the char that ends at `j`, when it may close a sentence
        let i = match bytes[j - 1] {
            b'\n' | b'.' | b'!' | b'?' => j - 1,
            0xA6 if j >= 3 && bytes[j - 3..j] == *"…".as_bytes() => j - 3,
            _ => {
                j -= 1;
                continue;
            }
        };
        if closes(text, i).is_some() {
            return j;
        }
        j = i;
    }
    0
}

/// The first sentence boundary after byte `pos` (the text's length if none).
fn boundary_after(text: &str, pos: usize) -> usize {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate().skip(pos) {
        if matches!(b, b'\n' | b'.' | b'!' | b'?' | 0xE2) {
            if let Some(end) = closes(text, i) {
                return end;
            }
        }
    }
    bytes.len()
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
        for text in texts {
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
