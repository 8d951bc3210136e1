//! The top-level members of a JSON object, found without building values.
//!
//! [`members`] first tries [`scan`]: one validating pass over the JSON that delimits each
//! member and checks the whole text is JSON, jumping through strings 16 bytes at a time (the
//! fields object is mostly long strings: boilerplate's removed texts, captions). Whatever the
//! scan does not accept (an error, or a case it leaves alone: escaped names, deep nesting) goes
//! through serde_json, so results and error messages are serde_json's in every case.

use serde::de::{Deserializer as _, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// One top-level member of a JSON object: its name (borrowed unless it has escapes) and its
/// value as written (without the whitespace around it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member<'a> {
    /// The name, unescaped.
    pub name: Cow<'a, str>,
    /// The value's JSON text, checked to be one JSON value.
    pub value: &'a str,
}

/// The top-level members of the JSON object `json`, in order (a name given twice is there
/// twice). Errors, for anything but one JSON object, are serde_json's reading it as a map.
///
/// ```
/// let m = enrichd_json::members(r#" {"title": "Hà Nội", "n": [1, 2]} "#).unwrap();
/// assert_eq!((m[1].name.as_ref(), m[1].value), ("n", "[1, 2]"));
/// assert!(enrichd_json::members("[1]").is_err());
/// ```
pub fn members(json: &str) -> Result<Vec<Member<'_>>, serde_json::Error> {
    match scan(json) {
        Some(fields) => Ok(fields),
        None => by_serde(json),
    }
}

/// The elements of the JSON array `json`, each as JSON text, in order. Errors, for anything
/// but one JSON array, are serde_json's reading it as a sequence; serde_json also reads what
/// the scan leaves to it (nesting past [`MAX_DEPTH`]).
///
/// ```
/// assert_eq!(enrichd_json::elements(r#"[1, "a", {"b": []}]"#).unwrap(), ["1", r#""a""#, r#"{"b": []}"#]);
/// assert!(enrichd_json::elements("{}").is_err());
/// ```
pub fn elements(json: &str) -> Result<Vec<&str>, serde_json::Error> {
    let scanned = spans(json, b'[', b']').and_then(|spans| {
        spans
            .into_iter()
            .map(|m| json.get(m.value))
            .collect::<Option<Vec<_>>>()
    });
    match scanned {
        Some(elements) => Ok(elements),
        None => {
            let list: Vec<&RawValue> = serde_json::from_str(json)?;
            Ok(list.into_iter().map(RawValue::get).collect())
        }
    }
}

/// Nesting deeper than this is left to serde_json (whose own limit is 128).
const MAX_DEPTH: usize = 100;

/// The members of `json` when it is one JSON object whose names have no escapes and whose
/// nesting stays within [`MAX_DEPTH`]; `None` for anything else (then serde_json decides).
fn scan(json: &str) -> Option<Vec<Member<'_>>> {
    spans(json, b'{', b'}')?
        .into_iter()
        .map(|m| {
            // An escaped name is left to serde_json, which unescapes it.
            m.plain_name.then_some(())?;
            Some(Member {
                name: Cow::Borrowed(json.get(m.name)?),
                value: json.get(m.value)?,
            })
        })
        .collect()
}

/// Where the members (or elements) of `json` are, when it is one valid JSON object (`open`
/// `{`, `close` `}`) or array (`[`, `]`) nesting within [`MAX_DEPTH`]; `None` otherwise.
fn spans(json: &str, open: u8, close: u8) -> Option<Vec<Span>> {
    let mut s = Scanner {
        b: json.as_bytes(),
        i: 0,
    };
    let mut spans = Vec::new();
    s.ws();
    if s.peek() != Some(open) {
        return None;
    }
    s.container(0, close, Some(&mut spans))?;
    s.ws();
    (s.i == s.b.len()).then_some(spans)
}

/// Where a member of the scanned object is: its name (inside the quotes; empty for an array's
/// element) and its value.
struct Span {
    name: std::ops::Range<usize>,
    value: std::ops::Range<usize>,
    plain_name: bool,
}

/// A cursor over JSON bytes; every method returns `None` where the text is not JSON.
struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    /// A string starting at the cursor; `Some(true)` when it has no escapes.
    fn string(&mut self) -> Option<bool> {
        self.eat(b'"')?;
        let mut plain = true;
        loop {
            self.i += crate::strings::special(self.b.get(self.i..)?)?;
            match self.next()? {
                b'"' => return Some(plain),
                b'\\' => plain = false,
                _ => return None, // a control character: it must be escaped in a string
            }
            match self.next()? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                b'u' => {
                    for _ in 0..4 {
                        if !self.next()?.is_ascii_hexdigit() {
                            return None;
                        }
                    }
                }
                _ => return None,
            }
        }
    }

    /// A value starting at the cursor, `depth` containers deep.
    fn value(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' => self.container(depth, b'}', None),
            b'[' => self.container(depth, b']', None),
            b't' => self.word(b"true"),
            b'f' => self.word(b"false"),
            b'n' => self.word(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// An object (`close` is `}`) or an array, from its opening bracket to `close`, its
    /// members noted in `spans` when given.
    fn container(
        &mut self,
        depth: usize,
        close: u8,
        mut spans: Option<&mut Vec<Span>>,
    ) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.i += 1;
        self.ws();
        if self.peek() == Some(close) {
            self.i += 1;
            return Some(());
        }
        loop {
            self.ws();
            let mut name = 0..0;
            let mut plain_name = true;
            if close == b'}' {
                let start = self.i;
                plain_name = self.string()?;
                name = start + 1..self.i - 1;
                self.ws();
                self.eat(b':')?;
                self.ws();
            }
            let start = self.i;
            self.value(depth + 1)?;
            if let Some(spans) = spans.as_deref_mut() {
                spans.push(Span {
                    name,
                    value: start..self.i,
                    plain_name,
                });
            }
            self.ws();
            match self.next()? {
                b',' => {}
                c if c == close => return Some(()),
                _ => return None,
            }
        }
    }

    fn word(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i + word.len();
        (self.b.get(self.i..end)? == word).then(|| self.i = end)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            self.digit()?;
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            self.digit()?;
            self.digits();
        }
        // "01", "1x": serde_json rejects a number run straight into more of one.
        match self.peek() {
            Some(b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') => None,
            _ => Some(()),
        }
    }

    fn digit(&mut self) -> Option<()> {
        self.next()?.is_ascii_digit().then_some(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
    }
}

/// The members of `json` read through serde_json (values delimited, not built).
fn by_serde(json: &str) -> Result<Vec<Member<'_>>, serde_json::Error> {
    /// A member name, borrowed from the text when it has no escapes.
    struct Name<'a>(Cow<'a, str>);

    impl<'de> Deserialize<'de> for Name<'de> {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct NameVisitor;
            impl<'de> Visitor<'de> for NameVisitor {
                type Value = Name<'de>;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a string")
                }
                fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Name<'de>, E> {
                    Ok(Name(Cow::Borrowed(v)))
                }
                fn visit_str<E>(self, v: &str) -> Result<Name<'de>, E> {
                    Ok(Name(Cow::Owned(v.to_string())))
                }
                fn visit_string<E>(self, v: String) -> Result<Name<'de>, E> {
                    Ok(Name(Cow::Owned(v)))
                }
            }
            d.deserialize_string(NameVisitor)
        }
    }

    struct FieldsVisitor;

    impl<'de> Visitor<'de> for FieldsVisitor {
        type Value = Vec<Member<'de>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            // As a map type says it, so errors read as they did when the fields were one.
            f.write_str("a map")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
            while let Some((name, value)) = map.next_entry::<Name<'de>, &'de RawValue>()? {
                out.push(Member {
                    name: name.0,
                    value: value.get(),
                });
            }
            Ok(out)
        }
    }

    let mut de = serde_json::Deserializer::from_str(json);
    let fields = (&mut de).deserialize_map(FieldsVisitor)?;
    de.end()?;
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(fields: &[Member<'_>]) -> Vec<(String, String)> {
        fields
            .iter()
            .map(|f| (f.name.to_string(), f.value.to_string()))
            .collect()
    }

    /// The scan, where it answers, says what serde_json says; `Some` only for valid JSON.
    fn agrees(json: &str) -> bool {
        let serde = by_serde(json);
        match scan(json) {
            Some(fast) => {
                let serde = serde.unwrap_or_else(|e| panic!("{json:?}: scan accepted, serde: {e}"));
                assert_eq!(pairs(&fast), pairs(&serde), "{json:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn the_scan_reads_every_kind_of_value_as_serde_json_does() {
        let valid = [
            "{}",
            " { } ",
            r#"{"a":1}"#,
            " {\n\t\"title\" : \"T\\\"x\\u00e9\\n\" ,\r\n \"n\" : -1.5e3 } ",
            r#"{"x":[],"y":{},"z":[1,-0,0.5,2E+10,3e-2,true,false,null,"s",{"k":[{}]}]}"#,
            r#"{"authors":["first"],"authors":["last"]}"#,
            r#"{"removed":[{"text":"Chia sẻ \"bài\" \\ / \b\f\n\r\t","rule":"share"}]}"#,
            r#"{"emoji":"😀 \ud83d\ude00","nested":{"a":{"b":{"c":[[[["d"]]]]}}}}"#,
        ];
        for json in valid {
            assert!(agrees(json), "the scan gave up on {json:?}");
        }
    }

    #[test]
    fn the_scan_leaves_what_is_not_json_or_unusual_to_serde_json() {
        let not_json = [
            "",
            "[]",
            r#"{"a":1} trailing"#,
            r#"{"a":1,}"#,
            r#"{"a":1"#,
            r#"{"a" 1}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":.5}"#,
            r#"{"a":1e}"#,
            r#"{"a":-}"#,
            r#"{"a":tru}"#,
            r#"{"a":nul}"#,
            r#"{"a":"\x"}"#,
            r#"{"a":"\u12g4"}"#,
            "{\"a\":\"tab\there\"}",
            r#"{"a":[1 2]}"#,
            r#"{"a":{"b" 1}}"#,
            r#"{"a":{1:2}}"#,
            r#"{"a":"unterminated}"#,
            r#"{a:1}"#,
        ];
        for json in not_json {
            assert!(!agrees(json), "the scan accepted {json:?}");
            assert!(by_serde(json).is_err(), "serde_json accepts {json:?}");
        }
        // Valid, but left to serde_json: an escaped name, and nesting past the scan's limit.
        let escaped = r#"{"a\u0075thors":["x"]}"#;
        assert!(!agrees(escaped));
        assert_eq!(by_serde(escaped).unwrap()[0].name, "authors");
        let deep = format!(
            r#"{{"a":{}{}}}"#,
            "[".repeat(MAX_DEPTH),
            "]".repeat(MAX_DEPTH)
        );
        assert!(!agrees(&deep));
    }

    #[test]
    fn elements_are_the_values_serde_json_reads_from_the_array() {
        for json in [
            "[]",
            " [ 1 , \"a\\\"b\" ,{\"k\":[[]]}, null ] ",
            r#"[[1,[2]],{},"x"]"#,
        ] {
            let serde: Vec<&RawValue> = serde_json::from_str(json).unwrap();
            let serde: Vec<&str> = serde.iter().map(|v| v.get()).collect();
            assert_eq!(elements(json).unwrap(), serde, "{json:?}");
        }
        // Past the scan's depth: serde_json reads it.
        let deep = format!("[1,{}{}]", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        let inner = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(elements(&deep).unwrap(), ["1", inner.as_str()]);
        for not_an_array in ["", "{}", "[1,]", "[1] 2", "[01]", "\"[]\""] {
            assert!(elements(not_an_array).is_err(), "{not_an_array:?}");
        }
    }

    #[test]
    fn the_scan_agrees_with_serde_json_on_every_one_byte_change_of_a_fields_object() {
        let json = r#"{"title":"Tiêu đề \"mới\"","n":[-1.5e3,0,true,null],"o":{"k":"v\\u0041"},"e":[],"f":false}"#;
        let swaps: &[u8] = b"{}[]\":,\\ -.0e1tnfu\t";
        let mut checked = 0;
        for at in 0..json.len() {
            if !json.is_char_boundary(at) {
                continue;
            }
            let mut deleted = json.to_string();
            deleted.remove(at);
            agrees(&deleted);
            for &c in swaps {
                let mut inserted = json.to_string();
                inserted.insert(at, c as char);
                agrees(&inserted);
                let next = json[at..].chars().next().map_or(0, char::len_utf8);
                let replaced = format!("{}{}{}", &json[..at], c as char, &json[at + next..]);
                agrees(&replaced);
                checked += 3;
            }
        }
        assert!(checked > 3000);
    }
}
