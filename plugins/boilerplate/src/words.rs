//! Words as the word lists compare them.
//!
//! A word is a whitespace-separated piece with the punctuation at its edges
//! stripped, lower-cased, with its tone mark moved to the end of the word, in
//! NFC: "Hòa", "hoà" and "HOÀ" all fold to "hoà" (see [`fold_word`]).
//!
//! Folding runs on the text of every block, so it has a fast path: a table,
//! built once, that gives each Vietnamese letter its lower-case, toneless form
//! and its tone. Words with anything the table does not cover (other scripts,
//! combining marks, several tones) take the general path, [`fold_word_general`],
//! which states the folding in full; the unit tests check that both agree.

use crate::latin::{is_alnum, slot, slotted, SLOTS};
use std::sync::OnceLock;
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::UnicodeNormalization;

/// The five Vietnamese tone marks, as combining characters.
const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// Fold one whitespace-separated word: strip non-alphanumeric characters at its
/// edges, lower-case it and move its tone marks to its end (so that "hòa" and
/// "hoà", "lụân" and "luận" fold alike). Empty when nothing alphanumeric is left.
pub fn fold_word(raw: &str) -> String {
    let mut out = String::new();
    fold_word_append(raw, &mut out);
    out
}

/// [`fold_word`], appended to `out` (no allocation when `out` has room).
pub fn fold_word_append(raw: &str, out: &mut String) {
    let b = raw.as_bytes();
    let alnum_edges = b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric);
    let w = if alnum_edges {
        raw
    } else {
        raw.trim_matches(|c: char| !is_alnum(c))
    };
    if w.is_ascii() {
        let at = out.len();
        out.push_str(w);
        out[at..].make_ascii_lowercase();
        return;
    }
    if !fold_vietnamese_append(w, out) {
        out.push_str(&fold_word_general(w));
    }
}

/// The general folding of a stripped word: lower-case, decompose (NFD), move the
/// tone marks to the end, recompose (NFC).
pub fn fold_word_general(w: &str) -> String {
    let w = w.to_lowercase();
    let tones: String = w.nfd().filter(|c| TONES.contains(c)).collect();
    let mut base: String = w.nfd().filter(|c| !TONES.contains(c)).collect();
    base.push_str(&tones);
    base.nfc().collect::<String>()
}

/// Split into folded words (see [`fold_word`]), dropping pieces with nothing
/// alphanumeric in them.
pub fn words_lower(s: &str) -> Vec<String> {
    folded(s).collect()
}

/// The folded words of `s`, lazily.
fn folded(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split_whitespace()
        .map(fold_word)
        .filter(|w| !w.is_empty())
}

/// The fast path of [`fold_word`], appending to `out`: false (and `out` as it
/// was) when a character or the word's shape is not covered by the table.
fn fold_vietnamese_append(w: &str, out: &mut String) -> bool {
    let start = out.len();
    let ok = fold_vietnamese_into(w, out).is_some();
    if !ok {
        out.truncate(start);
    }
    ok
}

fn fold_vietnamese_into(w: &str, out: &mut String) -> Option<()> {
    let table = table();
    let mut tone: Option<u8> = None;
    let mut last: Option<char> = None;
    for c in w.chars() {
        let letter = table.letter(c)?;
        if letter.tone != NO_TONE {
            if tone.is_some() {
                return None;
            }
            tone = Some(letter.tone);
        }
        if let Some(p) = last {
            out.push(p);
        }
        last = Some(letter.toneless);
    }
    let last = last?;
    match tone {
        None => out.push(last),
        Some(t) => out.push_str(table.tail(last, t)?),
    }
    Some(())
}

/// The most bytes [`folded_head`] gives.
pub const HEAD: usize = 24;

/// How the first folded word of `s` ([`WordBuf::word`]`(0)` after
/// [`WordBuf::fill`]) starts, told without folding the word: the bytes are
/// written to `buf` and their number returned (0 when nothing is sure).
///
/// While `s` opens with letters and digits of the fast path's table, each
/// folds to its lower-case, toneless form (both paths agree on it), except the
/// word's last letter, which takes the tone, and a letter a combining mark
/// follows (it may compose with it): so all but the last of them are sure.
pub fn folded_head(s: &str, buf: &mut [u8; HEAD]) -> usize {
    let table = table();
    let (mut len, mut sure, mut n) = (0, 0, 0);
    for c in s.chars() {
        if !is_alnum(c) {
            break;
        }
        let Some(letter) = table.letter(c) else {
            break;
        };
        let w = letter.toneless.len_utf8();
        if len + w > HEAD {
            break;
        }
        sure = len;
        letter.toneless.encode_utf8(&mut buf[len..len + w]);
        len += w;
        n += 1;
    }
    if n < 2 {
        0
    } else {
        sure
    }
}

/// The first folded words of a text, in one buffer that is reused (see [`with_words`]).
#[derive(Debug, Default)]
pub struct WordBuf {
    text: String,
    /// The end of each word in `text` (words are stored back to back).
    ends: Vec<usize>,
}

impl WordBuf {
    /// Fold the first `n` words of `s` (all when there are fewer), dropping
    /// pieces with nothing alphanumeric in them, as [`words_lower`] does.
    pub fn fill(&mut self, s: &str, n: usize) {
        self.text.clear();
        self.ends.clear();
        for raw in crate::shape::split_words(s) {
            if self.ends.len() >= n {
                break;
            }
            fold_word_append(raw, &mut self.text);
            if self.text.len() > self.ends.last().copied().unwrap_or(0) {
                self.ends.push(self.text.len());
            }
        }
    }

    /// The number of words.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are no words.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Word `i`.
    pub fn word(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// Whether the words start with `phrase`.
    pub fn starts_with(&self, phrase: &[String]) -> bool {
        phrase.len() <= self.len() && phrase.iter().enumerate().all(|(k, p)| p == self.word(k))
    }

    /// Whether the words are exactly `phrase`.
    pub fn is(&self, phrase: &[String]) -> bool {
        phrase.len() == self.len() && self.starts_with(phrase)
    }
}

/// `f` of the first `n` folded words of `s` ([`WordBuf::fill`]), in a buffer
/// reused by the thread's calls.
pub fn with_words<R>(s: &str, n: usize, f: impl FnOnce(&WordBuf) -> R) -> R {
    thread_local! {
        static BUF: std::cell::RefCell<WordBuf> = std::cell::RefCell::default();
    }
    BUF.with(|b| match b.try_borrow_mut() {
        Ok(mut buf) => {
            buf.fill(s, n);
            f(&buf)
        }
        Err(_) => {
            let mut buf = WordBuf::default();
            buf.fill(s, n);
            f(&buf)
        }
    })
}

/// `Letter::tone` of a letter without a tone mark.
const NO_TONE: u8 = u8::MAX;

/// A letter the fast path covers.
#[derive(Debug, Clone, Copy)]
struct Letter {
    /// Lower-cased, without its tone mark, recomposed (NFC).
    toneless: char,
    /// Index of its tone in [`TONES`], or [`NO_TONE`].
    tone: u8,
}

/// The fast path's tables, indexed by [`slot`].
struct Table {
    letters: Vec<Option<Letter>>,
    /// For a toneless letter and a tone: the letter with the tone moved onto it (NFC).
    tails: Vec<[Option<String>; 5]>,
}

impl Table {
    fn letter(&self, c: char) -> Option<Letter> {
        self.letters[slot(c)?]
    }

    fn tail(&self, toneless: char, tone: u8) -> Option<&str> {
        self.tails[slot(toneless)?][usize::from(tone)].as_deref()
    }

    fn build() -> Table {
        let chars = slotted();
        let mut letters = vec![None; SLOTS];
        let mut tails: Vec<[Option<String>; 5]> = vec![Default::default(); SLOTS];
        for c in chars {
            let Some(letter) = Table::letter_of(c) else {
                continue;
            };
            let Some(s) = slot(c) else { continue };
            letters[s] = Some(letter);
            let Some(ts) = slot(letter.toneless) else {
                letters[s] = None;
                continue;
            };
            if tails[ts][0].is_none() {
                for (k, tone) in TONES.iter().enumerate() {
                    let tail: String = [letter.toneless, *tone].into_iter().nfc().collect();
                    tails[ts][k] = Some(tail);
                }
            }
        }
        Table { letters, tails }
    }

    /// How the fast path treats `c`, if it can: a character whose lower case is
    /// one character that decomposes into a starter and combining marks, with at
    /// most one tone mark, and whose toneless form is one character.
    fn letter_of(c: char) -> Option<Letter> {
        if c.is_ascii() {
            return Some(Letter {
                toneless: c.to_ascii_lowercase(),
                tone: NO_TONE,
            });
        }
        let mut lower = c.to_lowercase();
        let l = lower.next()?;
        if lower.next().is_some() {
            return None;
        }
        let d: Vec<char> = l.nfd().collect();
        let (&first, marks) = d.split_first()?;
        if canonical_combining_class(first) != 0
            || slot(first).is_none()
            || marks.iter().any(|&m| canonical_combining_class(m) == 0)
        {
            return None;
        }
        let tones: Vec<u8> = marks
            .iter()
            .filter_map(|m| TONES.iter().position(|t| t == m))
            .filter_map(|k| u8::try_from(k).ok())
            .collect();
        let tone = match tones[..] {
            [] => NO_TONE,
            [t] => t,
            _ => return None,
        };
        let mut toneless = d.iter().copied().filter(|c| !TONES.contains(c)).nfc();
        let t = toneless.next()?;
        if toneless.next().is_some() {
            return None;
        }
        Some(Letter { toneless: t, tone })
    }
}

/// Build the tables of the fast paths (done on first use otherwise).
pub fn prepare() {
    table();
    crate::latin::prepare();
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(Table::build)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The folding as first written: the specification the fast path must meet.
    fn reference(raw: &str) -> String {
        fold_word_general(raw.trim_matches(|c: char| !c.is_alphanumeric()))
    }

    fn covered() -> Vec<char> {
        slotted().filter(|&c| table().letter(c).is_some()).collect()
    }

    #[test]
    fn examples_fold_as_documented() {
        assert_eq!(fold_word("Hòa"), fold_word("hoà"));
        assert_eq!(fold_word("HOÀ,"), "hoà");
        assert_eq!(fold_word("lụân"), fold_word("luận"));
        assert_eq!(fold_word("(Đà"), "đà");
        assert_eq!(fold_word("--"), "");
        assert_eq!(fold_word("TP.HCM"), "tp.hcm");
    }

    #[test]
    fn every_covered_letter_folds_as_the_reference_alone_and_in_pairs() {
        // Alone: every covered character; in pairs: the letters.
        for c in covered() {
            let w = c.to_string();
            assert_eq!(fold_word(&w), reference(&w), "{w:?}");
        }
        let letters: Vec<char> = covered()
            .into_iter()
            .filter(|c| c.is_alphabetic())
            .collect();
        assert!(letters.contains(&'ệ') && letters.contains(&'Đ') && letters.contains(&'Ữ'));
        let mut w = String::new();
        for &a in &letters {
            for &b in &letters {
                w.clear();
                w.extend([a, b]);
                assert_eq!(fold_word(&w), reference(&w), "{w:?}");
            }
        }
    }

    #[test]
    fn vietnamese_syllables_fold_as_the_reference() {
        let text = "Sáng 3-4, đơn vị TỔ CHỨC hội nghị tổng kết Công tác năm. Thượng tướng \
                    Nguyễn Văn Hòa phát biểu; lụât, luận, khuya, quyết, giữ, ƯỚC, ngoằn \
                    hóá (typo) ǅ ﬁ İstanbul ΣΑΣ café naïve x\u{301}y a\u{323}\u{302}";
        for w in text.split_whitespace() {
            assert_eq!(fold_word(w), reference(w), "{w:?}");
        }
        for a in ["a", "â", "ư", "đ", "n", "q", "3", "y"] {
            for b in covered() {
                for c in ["n", "ng", "c", "t", "i", "", "u", "o"] {
                    let w = format!("{a}{b}{c}");
                    assert_eq!(fold_word(&w), reference(&w), "{w:?}");
                }
            }
        }
    }
}
