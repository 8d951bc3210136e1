//! The `normalize` plugin: one spelling of the same Vietnamese text.
//!
//! Rewrites `text` to
//! - Unicode NFC (scrapes arrive in NFC and NFD alike);
//! - one tone placement, the new style: old-style `hoà`, `thuỷ`, `Uỷ` become `hòa`, `thủy`, `Ủy`
//!   (the tone mark moves to the first vowel of an open `oa`, `oe`, `uy` syllable; `qu` is a
//!   consonant, so `quý` stays);
//! - clean whitespace: exotic spaces (NBSP, thin, ideographic) become a plain space, zero-width
//!   characters and control characters go, runs of spaces collapse, lines are trimmed, `\r\n`
//!   becomes `\n`, and runs of blank lines become one blank line.
//!
//! Lines are never joined: later plugins read the line structure (captions, bylines, headings).
//! Adds no fields. Settings: none.

use enrichd_plugin_api::{export_plugin, Context, Document, Error, Output, Plugin};
use unicode_normalization::UnicodeNormalization;

mod scan;

/// Move an old-style tone mark to the new-style vowel; output in NFC.
///
/// Works on NFC text (composing first only when the input is not already NFC): an `o`/`u` not
/// after `q`, then a bare `a`/`e`/`y` carrying only a tone mark (no circumflex, breve or horn),
/// then the end of the syllable → the tone moves onto the `o`/`u`. Text without such a syllable
/// is returned without any rewriting.
pub fn new_style_tones(text: &str) -> String {
    match tones_fast(text) {
        Some(Some(out)) => out,
        Some(None) => text.to_string(),
        None => tones_general(text).unwrap_or_else(|| text.to_string()),
    }
}

/// [`new_style_tones`] taking ownership: the text itself comes back when nothing changes.
fn new_style_tones_owned(text: String) -> String {
    match tones_fast(&text) {
        Some(Some(out)) => out,
        Some(None) => text,
        None => tones_general(&text).unwrap_or(text),
    }
}

/// The general path: compose to NFC when the text is not already, then move the tones.
/// `None` when the text is NFC and has no syllable to rewrite.
fn tones_general(text: &str) -> Option<String> {
    use unicode_normalization::{is_nfc_quick, IsNormalized};
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        return move_tones(text);
    }
    let composed: String = text.nfc().collect();
    Some(move_tones(&composed).unwrap_or(composed))
}

/// The tone rule on text known to be NFC: `None` when nothing moves.
fn move_tones(s: &str) -> Option<String> {
    tones_pass(s, false).unwrap_or(None)
}

/// The fast path of [`new_style_tones`]: `None` when the text may not be NFC (the general
/// path then decides); otherwise the rewritten text, or `Some(None)` when nothing moves.
fn tones_fast(s: &str) -> Option<Option<String>> {
    tones_pass(s, true)
}

/// The tone rule in one pass over the bytes of `s`; with `check_nfc`, also checks that every
/// character is one NFC leaves alone whatever surrounds it ([`nfc_inert`]), so that the text
/// is NFC as it is, and gives `None` as soon as one is not.
///
/// The only places the rule can apply are an ASCII `o`/`u` followed by a toned `a`/`e`/`y`
/// (all of them start with `C3` or `E1`), and the only characters to ask about are the ones
/// outside the ranges known to be NFC ([`known_nfc`]): whole blocks of bytes with neither are
/// skipped at once ([`scan::skip_tones`]). The result: the rewritten text, or `Some(None)`
/// when nothing moves.
fn tones_pass(s: &str, check_nfc: bool) -> Option<Option<String>> {
    let b = s.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        // Straight to the next byte to look at (the scan needs the byte before it).
        if i > 0 {
            i = scan::skip_tones(b, i);
        }
        // ASCII and continuation bytes: nothing to do (the lead byte was looked at).
        if b[i] < 0xC0 {
            i += 1;
            continue;
        }
        if !known_nfc(b, i) {
            let c = s[i..].chars().next()?;
            if check_nfc && !nfc_inert(c) {
                return None;
            }
        }
        // After an `o`/`u` that is not after `q`.
        if i >= 1
            && matches!(b[i - 1], b'o' | b'O' | b'u' | b'U')
            && !(i >= 2 && matches!(b[i - 2], b'q' | b'Q'))
        {
            if let Some((moved, base, v_len)) = tone_swap_at(s, i) {
                let o = out.get_or_insert_with(|| String::with_capacity(s.len() + 8));
                o.push_str(&s[copied..i - 1]);
                o.push(moved);
                o.push(base);
                copied = i + v_len;
                i = copied;
                continue;
            }
        }
        i += 1;
    }
    Some(out.map(|mut o| {
        o.push_str(&s[copied..]);
        o
    }))
}

/// Whether the character whose lead byte is at `i` is in a range known to be [`nfc_inert`]
/// without asking: a two-byte character below U+0300, Latin Extended Additional
/// (U+1E00..U+1EFF), or U+2002..U+203F (typographic spaces, dashes, quotes, ellipsis).
#[inline(always)]
fn known_nfc(b: &[u8], i: usize) -> bool {
    match b[i] {
        0xC2..=0xCB => true,
        0xE1 => matches!(b.get(i + 1), Some(0xB8..=0xBB)),
        0xE2 => b.get(i + 1) == Some(&0x80) && b.get(i + 2).is_some_and(|&x| x >= 0x82),
        _ => false,
    }
}

/// At byte `i` (a character after an ASCII `o`/`u` at `i - 1`): the toned `o`/`u`, the bare
/// vowel and the length of the toned vowel at `i`, when the tone moves there.
fn tone_swap_at(s: &str, i: usize) -> Option<(char, char, usize)> {
    let c = char::from(s.as_bytes()[i - 1]);
    let mut rest = s[i..].chars();
    let v = rest.next()?;
    let (base, tone) = split_tone(v)?;
    if rest
        .next()
        .is_some_and(|n| n.is_alphabetic() || is_combining(n))
    {
        return None;
    }
    let moved = unicode_normalization::char::compose(c, tone)?;
    Some((moved, base, v.len_utf8()))
}

/// True for a character that is NFC in any context: it has canonical combining class 0 and is
/// NFC_Quick_Check=Yes (it never composes with what comes before it, nor is replaced). A
/// string made of such characters only is NFC.
fn nfc_inert(c: char) -> bool {
    use unicode_normalization::char::canonical_combining_class;
    use unicode_normalization::{is_nfc_quick, IsNormalized};
    canonical_combining_class(c) == 0 && is_nfc_quick(std::iter::once(c)) == IsNormalized::Yes
}

/// A precomposed `a`/`e`/`y` (any case) carrying exactly one tone mark: its bare letter and the mark.
fn split_tone(v: char) -> Option<(char, char)> {
    let (grave, acute, tilde, hook, dot) = ('\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}');
    Some(match v {
        '\u{e0}' => ('a', grave),
        '\u{e1}' => ('a', acute),
        '\u{e3}' => ('a', tilde),
        '\u{1ea3}' => ('a', hook),
        '\u{1ea1}' => ('a', dot),
        '\u{c0}' => ('A', grave),
        '\u{c1}' => ('A', acute),
        '\u{c3}' => ('A', tilde),
        '\u{1ea2}' => ('A', hook),
        '\u{1ea0}' => ('A', dot),
        '\u{e8}' => ('e', grave),
        '\u{e9}' => ('e', acute),
        '\u{1ebd}' => ('e', tilde),
        '\u{1ebb}' => ('e', hook),
        '\u{1eb9}' => ('e', dot),
        '\u{c8}' => ('E', grave),
        '\u{c9}' => ('E', acute),
        '\u{1ebc}' => ('E', tilde),
        '\u{1eba}' => ('E', hook),
        '\u{1eb8}' => ('E', dot),
        '\u{1ef3}' => ('y', grave),
        '\u{fd}' => ('y', acute),
        '\u{1ef9}' => ('y', tilde),
        '\u{1ef7}' => ('y', hook),
        '\u{1ef5}' => ('y', dot),
        '\u{1ef2}' => ('Y', grave),
        '\u{dd}' => ('Y', acute),
        '\u{1ef8}' => ('Y', tilde),
        '\u{1ef6}' => ('Y', hook),
        '\u{1ef4}' => ('Y', dot),
        _ => return None,
    })
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36f}')
}

fn is_space_like(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    )
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}'
    ) || (c.is_control() && c != '\n')
}

/// What a byte of the text is to [`clean_whitespace`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Part of a visible character that needs no look: copied as it is.
    Plain,
    /// ` ` or `\t`.
    Space,
    /// `\n`.
    Newline,
    /// `\r`.
    Return,
    /// An ASCII control character (not `\t`, `\n`, `\r`): dropped.
    Control,
    /// The lead byte of a character that may be space-like or invisible (U+0080..U+00BF,
    /// U+1680, U+2000..U+2FFF, U+3000..U+3FFF, U+F000..U+FFFF): decoded and asked.
    Ask,
}

const CLASSES: [Class; 256] = {
    let mut t = [Class::Plain; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = Class::Control;
        b += 1;
    }
    t[0x7F] = Class::Control;
    t[b' ' as usize] = Class::Space;
    t[b'\t' as usize] = Class::Space;
    t[b'\n' as usize] = Class::Newline;
    t[b'\r' as usize] = Class::Return;
    t[0xC2] = Class::Ask;
    t[0xE1] = Class::Ask;
    t[0xE2] = Class::Ask;
    t[0xE3] = Class::Ask;
    t[0xEF] = Class::Ask;
    t
};

/// The character starting at byte `i` (a lead byte of class [`Class::Ask`]) when it is
/// space-like or invisible: (is it space-like, its length). `None` for a visible character.
#[inline]
fn special_at(s: &str, i: usize) -> Option<(bool, usize)> {
    let b = s.as_bytes();
    // Vietnamese letters in U+1E00..U+1EFF share the lead byte of U+1680: skip them quickly.
    if b[i] == 0xE1 && b.get(i + 1) != Some(&0x9A) {
        return None;
    }
    let c = s[i..].chars().next()?;
    if is_space_like(c) {
        Some((true, c.len_utf8()))
    } else if is_invisible(c) {
        Some((false, c.len_utf8()))
    } else {
        None
    }
}

/// Clean whitespace without joining lines (see the crate docs), in one pass.
///
/// Works on bytes: visible characters are copied in runs, and only the bytes that can start a
/// space, a line end or an invisible character are looked at one by one.
pub fn clean_whitespace(text: &str) -> String {
    let b = text.as_bytes();
    let n = b.len();
    let mut out = String::with_capacity(text.len() + 1);
    // Whether the current line has visible text yet; blank lines since the last such line;
    // a space seen since the last visible character.
    let (mut in_line, mut blank_run, mut space) = (false, 0usize, false);
    let mut i = 0;
    while i < n {
        match CLASSES[usize::from(b[i])] {
            // `\r\n` is one line end: the `\n` right after a `\r` counts for nothing.
            Class::Newline if i > 0 && b[i - 1] == b'\r' => i += 1,
            Class::Newline | Class::Return => {
                if in_line {
                    in_line = false;
                    blank_run = 0;
                } else {
                    blank_run += 1;
                }
                space = false;
                i += 1;
            }
            Class::Space => {
                space = in_line;
                i += 1;
            }
            Class::Control => i += 1,
            class => {
                if class == Class::Ask {
                    if let Some((space_like, len)) = special_at(text, i) {
                        if space_like {
                            space = in_line;
                        }
                        i += len;
                        continue;
                    }
                }
                // A visible character: the line break or space owed before it, then the
                // whole run of visible characters that starts here.
                if !in_line {
                    if !out.is_empty() {
                        out.push('\n');
                        if blank_run > 0 {
                            out.push('\n');
                        }
                    }
                    in_line = true;
                } else if space {
                    out.push(' ');
                }
                space = false;
                let start = i;
                i += 1;
                while i < n {
                    // Whole blocks of visible text (single spaces included) at once.
                    i = scan::skip_run(b, i);
                    if i >= n {
                        break;
                    }
                    match CLASSES[usize::from(b[i])] {
                        Class::Plain => i += 1,
                        // One space between visible characters stays as it is.
                        Class::Space
                            if b[i] == b' '
                                && b.get(i + 1)
                                    .is_some_and(|&c| CLASSES[usize::from(c)] == Class::Plain) =>
                        {
                            i += 2
                        }
                        Class::Ask if special_at(text, i).is_none() => i += 1,
                        _ => break,
                    }
                }
                out.push_str(&text[start..i]);
            }
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// The whole normalisation: NFC, new-style tones, clean whitespace.
///
/// Whitespace and invisible characters go first, so that a mark separated from its letter by
/// one (`a\u{0}\u{301}`) still composes with it: the result is stable under a second pass.
pub fn normalize(text: &str) -> String {
    new_style_tones_owned(clean_whitespace(text))
}

/// The plugin.
pub struct Normalize;

impl Plugin for Normalize {
    const NAME: &'static str = "normalize";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn create(config: &serde_json::Value, _ctx: &Context) -> Result<Self, Error> {
        match config {
            serde_json::Value::Null => Ok(Normalize),
            serde_json::Value::Object(m) if m.is_empty() => Ok(Normalize),
            other => Err(Error::new(format!(
                "normalize takes no settings, got {other}"
            ))),
        }
    }

    fn process(&self, doc: &Document<'_>) -> Result<Output, Error> {
        let mut out = Output::default();
        let text = normalize(doc.text());
        if text != doc.text() {
            out.set_text(text);
        }
        Ok(out)
    }
}

export_plugin!(Normalize);

#[cfg(test)]
mod tests {
    use super::*;

    /// The tone marks, as combining characters in NFD.
    const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

    /// The original [`split_tone`], from the canonical decomposition.
    fn reference_split_tone(v: char) -> Option<(char, char)> {
        if v.is_ascii() {
            return None;
        }
        let mut parts = [None; 3];
        let mut n = 0;
        unicode_normalization::char::decompose_canonical(v, |p| {
            if n < parts.len() {
                parts[n] = Some(p);
            }
            n += 1;
        });
        match (n, parts[0], parts[1]) {
            (2, Some(base @ ('a' | 'A' | 'e' | 'E' | 'y' | 'Y')), Some(tone))
                if TONES.contains(&tone) =>
            {
                Some((base, tone))
            }
            _ => None,
        }
    }

    #[test]
    fn the_toned_vowels_are_the_ones_the_decomposition_gives() {
        for v in '\0'..=char::MAX {
            assert_eq!(split_tone(v), reference_split_tone(v), "{v:?}");
        }
    }

    /// The original NFD-based rule, kept as the reference the fast version must equal.
    fn reference_tones(text: &str) -> String {
        let chars: Vec<char> = text.nfd().collect();
        let mut out = Vec::with_capacity(chars.len());
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let swap = matches!(c, 'o' | 'O' | 'u' | 'U')
                && !(i > 0 && matches!(chars[i - 1], 'q' | 'Q'))
                && chars
                    .get(i + 1)
                    .is_some_and(|v| matches!(v, 'a' | 'A' | 'e' | 'E' | 'y' | 'Y'))
                && chars.get(i + 2).is_some_and(|t| TONES.contains(t))
                && !chars
                    .get(i + 3)
                    .is_some_and(|n| n.is_alphabetic() || is_combining(*n));
            if swap {
                out.extend([c, chars[i + 2], chars[i + 1]]);
                i += 3;
            } else {
                out.push(c);
                i += 1;
            }
        }
        out.into_iter().nfc().collect()
    }

    /// The original char-by-char whitespace cleaner, kept as the reference the byte-level
    /// one must equal.
    fn reference_clean_whitespace(text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 1);
        let (mut in_line, mut blank_run, mut space, mut after_cr) = (false, 0usize, false, false);
        for c in text.chars() {
            if c == '\n' && after_cr {
                after_cr = false;
                continue;
            }
            after_cr = c == '\r';
            if c == '\n' || c == '\r' {
                if in_line {
                    in_line = false;
                    blank_run = 0;
                } else {
                    blank_run += 1;
                }
                space = false;
            } else if is_space_like(c) {
                space = in_line;
            } else if !is_invisible(c) {
                if !in_line {
                    if !out.is_empty() {
                        out.push('\n');
                        if blank_run > 0 {
                            out.push('\n');
                        }
                    }
                    in_line = true;
                } else if space {
                    out.push(' ');
                }
                space = false;
                out.push(c);
            }
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out
    }

    /// The original whole normalisation, for comparing on random texts.
    fn reference_normalize(text: &str) -> String {
        reference_tones(&reference_clean_whitespace(text))
    }

    /// Each pass, and the whole normalisation, gives what its slow reference gives on `text`.
    fn assert_passes_equal_the_references(text: &str) {
        assert_eq!(
            clean_whitespace(text),
            reference_clean_whitespace(text),
            "{text:?}"
        );
        assert_eq!(new_style_tones(text), reference_tones(text), "{text:?}");
        assert_eq!(normalize(text), reference_normalize(text), "{text:?}");
    }

    /// Pseudo-random texts over `pieces`.
    fn random_texts(pieces: &[&str], count: usize, max_pieces: u64) -> Vec<String> {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..count)
            .map(|_| {
                let n = next() % (max_pieces + 1);
                (0..n)
                    .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_byte_level_passes_equal_the_reference_on_random_texts() {
        let pieces = [
            "a", "o", "u", "U", "q", "Q", "y", "à", "ẻ", "Ỷ", "ý", "ạ", "â", "ơ", "n", "x", " ",
            "  ", "\t", "\n", "\r", "\r\n", "\u{0}", "\u{7f}", "\u{85}", "\u{9f}", "\u{a0}",
            "\u{ad}", "\u{a9}", "\u{1680}", "\u{1681}", "\u{2000}", "\u{200a}", "\u{200b}",
            "\u{200c}", "\u{200d}", "\u{2013}", "\u{201c}", "\u{202f}", "\u{205f}", "\u{2060}",
            "\u{3000}", "\u{3001}", "\u{feff}", "\u{fffd}", "\u{300}", "\u{301}", "\u{309}",
            "\u{323}", "\u{302}", "\u{340}", "\u{1100}", "\u{1161}", "中", "😀", "ế", "Ḁ", "ỹ",
            "\u{2126}",
        ];
        for text in random_texts(&pieces, 40_000, 12) {
            assert_passes_equal_the_references(&text);
        }
    }

    #[test]
    fn the_block_scans_equal_the_reference_on_long_random_texts() {
        // Long runs of ordinary text (so that whole blocks are skipped) around the pieces
        // that need a look, at every offset within a block.
        let pieces = [
            "Việt Nam ",
            "hội nghị ",
            "của ",
            "người ",
            "quốc ",
            "abc",
            "xyz ",
            "o",
            "u",
            "Q",
            "q",
            "à",
            "ẻ",
            "Ỷ",
            "ý",
            "ạ",
            "y",
            "a",
            " ",
            "  ",
            "\t",
            "\n",
            "\r\n",
            "\r",
            "\u{0}",
            "\u{7f}",
            "\u{85}",
            "\u{a0}",
            "\u{ad}",
            "°",
            "«",
            "\u{1680}",
            "\u{1681}",
            "\u{2000}",
            "\u{2001}",
            "\u{2002}",
            "\u{200b}",
            "\u{200c}",
            "\u{200d}",
            "–",
            "“",
            "”",
            "…",
            "\u{202f}",
            "\u{205f}",
            "\u{2060}",
            "₫",
            "\u{3000}",
            "\u{feff}",
            "\u{2126}",
            "\u{301}",
            "\u{323}",
            "中",
            "😀",
            "hoà ",
            "thuỷ ",
            "Uỷ ",
            "quý ",
            "khoẻ",
        ];
        for text in random_texts(&pieces, 4_000, 120) {
            assert_passes_equal_the_references(&text);
        }
    }

    #[test]
    fn the_ranges_taken_as_nfc_without_asking_are() {
        for c in ('\u{80}'..='\u{10ffff}').filter(|&c| {
            let mut buf = [0; 4];
            known_nfc(c.encode_utf8(&mut buf).as_bytes(), 0)
        }) {
            assert!(nfc_inert(c), "{c:?}");
        }
        for c in ('\u{80}'..='\u{2ff}').chain('\u{1e00}'..='\u{1eff}') {
            let mut buf = [0; 4];
            assert!(known_nfc(c.encode_utf8(&mut buf).as_bytes(), 0), "{c:?}");
        }
    }

    #[test]
    fn the_fast_rule_equals_the_reference_on_every_short_combination() {
        // Every 4-letter string over the letters that matter, in NFC and in NFD.
        let alphabet: Vec<char> = "qQoOuUaàẠeẽyỷâấăươ n".chars().collect();
        let mut words = vec![String::new()];
        for _ in 0..4 {
            words = words
                .iter()
                .flat_map(|w| alphabet.iter().map(move |&c| format!("{w}{c}")))
                .collect();
        }
        for w in words {
            let nfd: String = w.nfd().collect();
            assert_eq!(new_style_tones(&w), reference_tones(&w), "{w:?}");
            assert_eq!(new_style_tones(&nfd), reference_tones(&nfd), "NFD {w:?}");
        }
    }

    #[test]
    fn normalize_equals_the_reference_on_every_short_combination() {
        // Every 4-piece string over the pieces that matter to the tone rule or around it,
        // alone and inside ordinary text long enough for whole blocks.
        let pieces = [
            "q", "o", "U", "à", "Ỷ", "ý", "ẹ", "a", "n", " ", "\u{200b}", "\n", "\u{0}", "\u{a0}",
            "\u{301}", "\u{2001}",
        ];
        let mut words = vec![String::new()];
        for _ in 0..4 {
            words = words
                .iter()
                .flat_map(|w| pieces.iter().map(move |p| format!("{w}{p}")))
                .collect();
        }
        let pad = "Việt Nam hội nghị quốc tế";
        for w in words {
            for text in [
                w.clone(),
                format!("{pad} {w} {pad}"),
                format!("{pad}{w}{pad}"),
            ] {
                assert_eq!(normalize(&text), reference_normalize(&text), "{text:?}");
            }
        }
    }

    #[test]
    fn old_style_tones_move_to_the_first_vowel() {
        assert_eq!(new_style_tones("hoà bình"), "hòa bình");
        assert_eq!(new_style_tones("thuỷ quân"), "thủy quân");
        assert_eq!(new_style_tones("Uỷ ban"), "Ủy ban");
        assert_eq!(new_style_tones("khoẻ mạnh"), "khỏe mạnh");
        assert_eq!(new_style_tones("HOÀ"), "HÒA");
    }

    #[test]
    fn closed_syllables_and_qu_keep_their_tone() {
        assert_eq!(new_style_tones("hoàn thành"), "hoàn thành");
        assert_eq!(new_style_tones("quý"), "quý");
        assert_eq!(new_style_tones("quả"), "quả");
        assert_eq!(new_style_tones("thuyền"), "thuyền");
        assert_eq!(new_style_tones("Huế"), "Huế");
        // A dot below sorts before the circumflex or breve in NFD: the vowel is not bare.
        for word in ["luận", "luật", "hoặc", "thuận", "Thuận", "khoặm", "quậy"] {
            assert_eq!(new_style_tones(word), word);
        }
    }

    #[test]
    fn nfd_input_becomes_nfc() {
        let nfd: String = "Quốc phòng hoà".nfd().collect();
        assert_ne!(nfd, "Quốc phòng hoà");
        assert_eq!(normalize(&nfd), "Quốc phòng hòa\n");
    }

    #[test]
    fn whitespace_is_cleaned_without_joining_paragraphs() {
        let input =
            "  Đại tá\u{a0} Minh  phát biểu. \r\n\r\n\r\n\nDòng hai\u{200b}\ttiếp  \nDòng ba";
        assert_eq!(
            normalize(input),
            "Đại tá Minh phát biểu.\n\nDòng hai tiếp\nDòng ba\n"
        );
    }

    #[test]
    fn a_mark_after_an_invisible_character_composes_with_its_letter() {
        assert_eq!(normalize("hôm qua\u{0}\u{301}"), "hôm quá\n");
        let once = normalize("Hoa\u{200b}\u{300} bình");
        assert_eq!(normalize(&once), once);
    }

    #[test]
    fn empty_text_stays_empty() {
        assert_eq!(normalize(""), "");
        assert_eq!(normalize(" \n \n"), "");
    }

    #[test]
    fn rejects_settings_it_does_not_know() {
        let ctx = Context {
            config_dir: ".".into(),
        };
        assert!(Normalize::create(&serde_json::json!({"x": 1}), &ctx).is_err());
        assert!(Normalize::create(&serde_json::Value::Null, &ctx).is_ok());
    }
}
