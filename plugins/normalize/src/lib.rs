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

/// The tone marks, as combining characters in NFD.
const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// Move an old-style tone mark to the new-style vowel; output in NFC.
///
/// Works on NFC text (composing first only when the input is not already NFC): an `o`/`u` not
/// after `q`, then a bare `a`/`e`/`y` carrying only a tone mark (no circumflex, breve or horn),
/// then the end of the syllable → the tone moves onto the `o`/`u`. Text without such a syllable
/// is returned without any rewriting.
pub fn new_style_tones(text: &str) -> String {
    use unicode_normalization::{is_nfc_quick, IsNormalized};
    let composed: String;
    let s = if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        text
    } else {
        composed = text.nfc().collect();
        &composed
    };
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut prev: Option<char> = None;
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        if matches!(c, 'o' | 'O' | 'u' | 'U') && !matches!(prev, Some('q' | 'Q')) {
            let mut rest = s[i + c.len_utf8()..].chars();
            if let (Some(v), after) = (rest.next(), rest.next()) {
                let toned = split_tone(v)
                    .filter(|_| !after.is_some_and(|n| n.is_alphabetic() || is_combining(n)));
                if let Some((Some(moved), base)) =
                    toned.map(|(base, tone)| (unicode_normalization::char::compose(c, tone), base))
                {
                    let o = out.get_or_insert_with(|| String::with_capacity(s.len()));
                    o.push_str(&s[copied..i]);
                    o.push(moved);
                    o.push(base);
                    copied = i + c.len_utf8() + v.len_utf8();
                    chars.next();
                    prev = Some(base);
                    continue;
                }
            }
        }
        prev = Some(c);
    }
    match out {
        Some(mut o) => {
            o.push_str(&s[copied..]);
            o
        }
        None => s.to_string(),
    }
}

/// A precomposed `a`/`e`/`y` (any case) carrying exactly one tone mark: its bare letter and the mark.
fn split_tone(v: char) -> Option<(char, char)> {
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

/// Clean whitespace without joining lines (see the crate docs), in one pass.
pub fn clean_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    // Whether the current line has visible text yet; blank lines since the last such line;
    // a space seen since the last visible character; a `\r` whose `\n` is still to come.
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

/// The whole normalisation: NFC, new-style tones, clean whitespace.
///
/// Whitespace and invisible characters go first, so that a mark separated from its letter by
/// one (`a\u{0}\u{301}`) still composes with it: the result is stable under a second pass.
pub fn normalize(text: &str) -> String {
    new_style_tones(&clean_whitespace(text))
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
