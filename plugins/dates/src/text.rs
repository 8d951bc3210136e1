//! Text geometry: byte-to-character offsets, sentence spans, look-behind windows.

/// Converts byte offsets of one text into Unicode scalar (char) offsets, as Python's
/// `len(str)` counts them.
pub struct CharIndex {
    starts: Vec<usize>,
    len: usize,
}

impl CharIndex {
    /// Index `text`.
    pub fn new(text: &str) -> CharIndex {
        CharIndex {
            starts: text.char_indices().map(|(i, _)| i).collect(),
            len: text.len(),
        }
    }

    /// The char offset of byte offset `byte` (a char boundary, or the text's length).
    pub fn char_at(&self, byte: usize) -> usize {
        if byte >= self.len {
            return self.starts.len();
        }
        match self.starts.binary_search(&byte) {
            Ok(i) | Err(i) => i,
        }
    }
}

/// Byte spans of the sentences of `text`: a sentence ends at a line break, or after
/// `.`, `!`, `?` or `…` followed by a space or by an upper-case letter (scraped pages
/// often glue sentences: "…quốc phòng.Thượng tướng…"). A dot between digits
/// ("29.5") never ends one.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let next = it.peek().map(|&(_, n)| n);
        let ends = match c {
            '\n' => true,
            '.' | '!' | '?' | '…' => match next {
                None => true,
                Some(n) => n.is_whitespace() || n.is_uppercase(),
            },
            _ => false,
        };
        if ends {
            let end = i + c.len_utf8();
            if end > start {
                out.push((start, end));
            }
            start = end;
        }
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
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
}
