//! Case-insensitive comparison of words, exactly as the scanner's `(?i)` regexes compare
//! them, for cheap tests that rule out a regex search before it runs.

use regex::Regex;

/// Chars below this code point (the whole Basic Multilingual Plane) are numbered.
const TABLE_SIZE: u32 = 0x1_0000;

/// Numbers the letters of some words: two chars share a number exactly when a `(?i)`
/// regex made of one of them matches the other.
#[derive(Debug)]
pub struct Folder {
    /// By char below [`TABLE_SIZE`]: its number (from 1), or 0 when it matches no letter
    /// of the words.
    numbers: Box<[u8]>,
}

/// How a char of a text compares with the numbered letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Number {
    /// Matches the letters of this number.
    Is(u8),
    /// Beyond the table: may match any.
    Unknown,
}

impl Folder {
    /// A folder for the letters of `words`; `None` when they have too many numbers.
    pub fn new<'a>(words: impl IntoIterator<Item = &'a str>) -> Result<Option<Folder>, String> {
        let compile =
            |p: &str| Regex::new(p).map_err(|e| format!("dates: cannot build pattern {p:?}: {e}"));
        let mut class = String::new();
        for w in words {
            for c in w.chars().filter(|c| !c.is_whitespace()) {
                class.push_str(&regex::escape(c.encode_utf8(&mut [0; 4])));
            }
        }
        let mut numbers = vec![0u8; TABLE_SIZE as usize].into_boxed_slice();
        if class.is_empty() {
            return Ok(Some(Folder { numbers }));
        }
        // every char the letters match, found in one pass over the table's chars
        let all: String = (0..TABLE_SIZE).filter_map(char::from_u32).collect();
        let letters: Vec<char> = compile(&format!("(?i)[{class}]"))?
            .find_iter(&all)
            .flat_map(|m| m.as_str().chars())
            .collect();
        let mut next = 1u8;
        for &c in &letters {
            if numbers[c as usize] != 0 {
                continue;
            }
            let one = compile(&format!(
                "(?i)^{}$",
                regex::escape(c.encode_utf8(&mut [0; 4]))
            ))?;
            for &d in &letters {
                if one.is_match(d.encode_utf8(&mut [0; 4])) {
                    numbers[d as usize] = next;
                }
            }
            next = match next.checked_add(1) {
                Some(n) => n,
                None => return Ok(None),
            };
        }
        Ok(Some(Folder { numbers }))
    }

    fn number(&self, c: char) -> Number {
        match self.numbers.get(c as usize) {
            Some(&n) => Number::Is(n),
            None => Number::Unknown,
        }
    }

    /// Whether `c` may match a letter of the words.
    pub fn is_letter(&self, c: char) -> bool {
        self.number(c) != Number::Is(0)
    }

    /// The last whitespace-separated part of `word` as numbers; `None` when a letter is
    /// beyond the table or the word is empty.
    pub fn tail(&self, word: &str) -> Option<Vec<u8>> {
        let tail = word.split_whitespace().last()?;
        tail.chars()
            .map(|c| match self.number(c) {
                Number::Is(n) if n != 0 => Some(n),
                _ => None,
            })
            .collect()
    }

    /// If `text` may end with `tail` (as a `(?i)` regex would match it), the byte offset
    /// where that ending starts.
    pub fn ends_with(&self, text: &str, tail: &[u8]) -> Option<usize> {
        let mut start = text.len();
        let mut chars = text.chars().rev();
        for &want in tail.iter().rev() {
            let c = chars.next()?;
            match self.number(c) {
                Number::Is(n) if n == want => {}
                Number::Unknown => {}
                Number::Is(_) => return None,
            }
            start -= c.len_utf8();
        }
        Some(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_share_a_number_exactly_when_they_match_case_insensitively() {
        let folder = Folder::new(["tháng", "kỳ", "s"])
            .expect("built")
            .expect("numbered");
        let letters: Vec<char> = (0..TABLE_SIZE)
            .filter_map(char::from_u32)
            .filter(|&c| folder.number(c) != Number::Is(0))
            .collect();
        // the Kelvin sign and the long s fold to letters of the words
        assert!(letters.contains(&'\u{212A}') && letters.contains(&'\u{17F}'));
        for &c in &letters {
            let re = Regex::new(&format!("(?i)^{}$", regex::escape(&c.to_string()))).expect("re");
            for &d in &letters {
                assert_eq!(
                    re.is_match(&d.to_string()),
                    folder.number(c) == folder.number(d),
                    "{c:?} {d:?}"
                );
            }
        }
        let tail = folder.tail("những tháng").expect("tail");
        assert_eq!(folder.ends_with("xTHÁNG", &tail), Some(1));
        assert_eq!(folder.ends_with("tháng ", &tail), None);
        assert_eq!(folder.ends_with("áng", &tail), None);
    }
}
