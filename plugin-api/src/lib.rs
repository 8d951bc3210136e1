//! # enrichd-plugin-api: the contract between the enrichd daemon and its plugins
//!
//! A plugin is a shared library (`cdylib`) that enriches records. Write one in
//! safe Rust by implementing [`Plugin`] and exporting it with
//! [`export_plugin!`]; the macro generates the C ABI described in [`abi`], so
//! the daemon loads your library whatever compiler built it.
//!
//! ```
//! use enrichd_plugin_api::{export_plugin, Context, Document, Error, Output, Plugin};
//!
//! pub struct Shout;
//!
//! impl Plugin for Shout {
//!     const NAME: &'static str = "shout";
//!     const VERSION: &'static str = env!("CARGO_PKG_VERSION");
//!
//!     fn create(_config: &serde_json::Value, _ctx: &Context) -> Result<Self, Error> {
//!         Ok(Shout)
//!     }
//!
//!     fn process(&self, doc: &Document<'_>) -> Result<Output, Error> {
//!         let mut out = Output::default();
//!         out.set("shouted_chars", doc.text().chars().count())?;
//!         out.set_text(doc.text().to_uppercase());
//!         Ok(out)
//!     }
//! }
//!
//! export_plugin!(Shout);
//! ```
//!
//! ## What a plugin sees and returns
//! [`Document`] borrows the record's current text (no copy), its source metadata
//! and the fields earlier plugins in the chain added (parsed lazily, on first
//! access). [`Output`] carries a replacement text (or none) and the fields this
//! plugin adds or replaces. The daemon merges the output into the record and
//! times the call.
//!
//! ## What the daemon asks of a plugin
//! - `process` runs on one instance from several worker threads at once, so a
//!   plugin type is `Send + Sync`; keep per-record state local.
//! - Return errors, do not panic. A panic is caught at the boundary and fails
//!   that record with the panic message, but it is a bug.
//! - The library is never unloaded while the daemon runs.
//! - Record field names are a public contract (see the README); add new
//!   fields rather than changing the meaning of existing ones.

pub mod abi;

#[doc(hidden)]
pub mod ffi;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::cell::OnceCell;
use std::fmt;
use std::path::{Path, PathBuf};

pub use serde_json;

/// An error a plugin reports: a message for the operator.
///
/// Any error type converts into it with `?`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
}

impl Error {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl<E: std::error::Error> From<E> for Error {
    fn from(e: E) -> Error {
        Error::new(e.to_string())
    }
}

/// Where the daemon runs the plugin: what relative paths in its config resolve against.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Context {
    /// The folder of the daemon's config file.
    pub config_dir: PathBuf,
}

impl Context {
    /// Resolve a path from the plugin's config section: absolute paths stay, relative ones
    /// are taken from the config file's folder.
    pub fn resolve(&self, path: impl AsRef<Path>) -> PathBuf {
        let path = path.as_ref();
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.config_dir.join(path)
        }
    }
}

/// The input file a record came from (the record's `source` field).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct Source {
    /// The path the daemon read the file from.
    pub path: String,
    /// The file name, without folders.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    /// The file's modification time as RFC 3339 (UTC), when the file system reports one.
    pub modified: Option<String>,
}

/// One record as a plugin sees it: borrowed from the daemon for one call.
pub struct Document<'a> {
    text: &'a str,
    source_json: &'a str,
    fields_json: &'a str,
    source: OnceCell<Source>,
    fields: OnceCell<Map<String, Value>>,
    raw_fields: OnceCell<Vec<RawField<'a>>>,
}

impl<'a> Document<'a> {
    /// A document from its text, its `source` as JSON and the fields so far as a JSON object.
    /// The daemon builds documents; plugins use this in their own tests.
    pub fn new(text: &'a str, source_json: &'a str, fields_json: &'a str) -> Document<'a> {
        Document {
            text,
            source_json,
            fields_json,
            source: OnceCell::new(),
            fields: OnceCell::new(),
            raw_fields: OnceCell::new(),
        }
    }

    /// The record's current text (after earlier plugins rewrote it).
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The input file's metadata.
    pub fn source(&self) -> Result<&Source, Error> {
        if let Some(s) = self.source.get() {
            return Ok(s);
        }
        let parsed: Source = if self.source_json.trim().is_empty() {
            Source::default()
        } else {
            serde_json::from_str(self.source_json)
                .map_err(|e| Error::new(format!("record source is not valid JSON: {e}")))?
        };
        Ok(self.source.get_or_init(|| parsed))
    }

    /// All fields earlier plugins added, as one JSON object.
    pub fn fields(&self) -> Result<&Map<String, Value>, Error> {
        if let Some(f) = self.fields.get() {
            return Ok(f);
        }
        let parsed: Map<String, Value> = if self.fields_json.trim().is_empty() {
            Map::new()
        } else {
            serde_json::from_str(self.fields_json)
                .map_err(|e| Error::new(format!("record fields are not a JSON object: {e}")))?
        };
        Ok(self.fields.get_or_init(|| parsed))
    }

    /// One field an earlier plugin added, if present and not null.
    pub fn field(&self, name: &str) -> Result<Option<&Value>, Error> {
        Ok(self.fields()?.get(name).filter(|v| !v.is_null()))
    }

    /// One field an earlier plugin added, read straight into `T`, if present and not null.
    ///
    /// Cheaper than [`Document::field`] when a plugin reads a few fields: the fields object
    /// is scanned once without building a value tree, and only the named field is parsed.
    ///
    /// ```
    /// # use enrichd_plugin_api::Document;
    /// let doc = Document::new("…", "", r#"{"authors":["MAI NGUYÊN"],"title":null}"#);
    /// let authors: Option<Vec<String>> = doc.field_as("authors").unwrap();
    /// assert_eq!(authors, Some(vec!["MAI NGUYÊN".to_string()]));
    /// assert_eq!(doc.field_as::<String>("title").unwrap(), None);
    /// ```
    pub fn field_as<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<Option<T>, Error> {
        let raw = match self.raw_fields.get() {
            Some(r) => r,
            None => {
                let parsed = if self.fields_json.trim().is_empty() {
                    Vec::new()
                } else {
                    raw_fields(self.fields_json).map_err(|e| {
                        Error::new(format!("record fields are not a JSON object: {e}"))
                    })?
                };
                self.raw_fields.get_or_init(|| parsed)
            }
        };
        // The last of the same name counts, as in a map built from the object.
        match raw.iter().rev().find(|f| f.name == name) {
            Some(f) if f.value != "null" => serde_json::from_str(f.value)
                .map(Some)
                .map_err(|e| Error::new(format!("field {name:?} has an unexpected shape: {e}"))),
            _ => Ok(None),
        }
    }
}

/// One top-level field of the fields object: its name (borrowed unless it has escapes) and
/// its value as written (as a [`RawValue`] holds it).
struct RawField<'a> {
    name: Cow<'a, str>,
    value: &'a str,
}

/// The top-level fields of `json`, in order: one pass over the text that neither allocates a
/// string per name nor builds a value (the values are only delimited). Errors are those of
/// reading the object as a map.
///
/// Plain JSON (names without escapes, values nested at most [`scan::MAX_DEPTH`] deep) is
/// read by [`scan::fields`]; anything else, errors included, by serde_json.
fn raw_fields(json: &str) -> Result<Vec<RawField<'_>>, serde_json::Error> {
    match scan::fields(json) {
        Some(fields) => Ok(fields),
        None => raw_fields_serde(json),
    }
}

/// [`raw_fields`] through serde_json.
fn raw_fields_serde(json: &str) -> Result<Vec<RawField<'_>>, serde_json::Error> {
    use serde::de::{Deserializer as _, MapAccess, Visitor};

    /// A field name, borrowed from the text when it has no escapes.
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
        type Value = Vec<RawField<'de>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            // As a map type says it, so errors read as they did when the fields were one.
            f.write_str("a map")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
            while let Some((name, value)) = map.next_entry::<Name<'de>, &'de RawValue>()? {
                out.push(RawField {
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

/// A hand-written reader for the fields object: JSON's grammar as serde_json reads it,
/// checked byte by byte, with strings skipped by a substring search. It only answers for
/// input it fully accepts; for anything else it answers `None` and serde_json decides.
mod scan {
    use super::RawField;
    use std::borrow::Cow;

    /// Deepest nesting of a field's value read here (deeper goes to serde_json).
    pub const MAX_DEPTH: usize = 64;

    fn ws(b: &[u8], mut i: usize) -> usize {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = b.get(i) {
            i += 1;
        }
        i
    }

    /// Past the string whose opening quote is just before `i`.
    fn string(b: &[u8], mut i: usize) -> Option<usize> {
        const ONES: u64 = u64::MAX / 255;
        loop {
            // Eight bytes at a time up to a quote, a backslash or a control character (the
            // lowest byte flagged is the first such byte)...
            while let Some(chunk) = b.get(i..i + 8) {
                let x = u64::from_le_bytes(chunk.try_into().ok()?);
                let control = x.wrapping_sub(ONES * 0x20) & !x;
                let q = x ^ (ONES * u64::from(b'"'));
                let quote = q.wrapping_sub(ONES) & !q;
                let s = x ^ (ONES * u64::from(b'\\'));
                let slash = s.wrapping_sub(ONES) & !s;
                let found = (control | quote | slash) & (ONES << 7);
                if found != 0 {
                    i += (found.trailing_zeros() / 8) as usize;
                    break;
                }
                i += 8;
            }
            // ... then byte by byte, which decides.
            loop {
                match *b.get(i)? {
                    b'"' => return Some(i + 1),
                    b'\\' => break,
                    0..0x20 => return None,
                    _ => i += 1,
                }
            }
            i = match b.get(i + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i + 2,
                b'u' if b.get(i + 2..i + 6)?.iter().all(u8::is_ascii_hexdigit) => i + 6,
                _ => return None,
            };
        }
    }

    fn digits(b: &[u8], mut i: usize) -> usize {
        while let Some(b'0'..=b'9') = b.get(i) {
            i += 1;
        }
        i
    }

    /// Past the number that starts at `i`.
    fn number(b: &[u8], mut i: usize) -> Option<usize> {
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i)? {
            b'0' => {
                i += 1;
                if let Some(b'0'..=b'9') = b.get(i) {
                    return None;
                }
            }
            b'1'..=b'9' => i = digits(b, i + 1),
            _ => return None,
        }
        if b.get(i) == Some(&b'.') {
            let j = digits(b, i + 1);
            if j == i + 1 {
                return None;
            }
            i = j;
        }
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            let j = digits(b, i);
            if j == i {
                return None;
            }
            i = j;
        }
        Some(i)
    }

    /// Past a member name (a string whose quote is at `i`) and its colon, at the value.
    fn name_colon(b: &[u8], i: usize) -> Option<usize> {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let i = ws(b, string(b, i + 1)?);
        (b.get(i) == Some(&b':')).then(|| ws(b, i + 1))
    }

    /// Past the value that starts at `i`.
    fn value(b: &[u8], mut i: usize) -> Option<usize> {
        let mut stack = [0u8; MAX_DEPTH];
        let mut depth = 0;
        loop {
            match *b.get(i)? {
                b'"' => i = string(b, i + 1)?,
                open @ (b'{' | b'[') => {
                    if depth == MAX_DEPTH {
                        return None;
                    }
                    let close = if open == b'{' { b'}' } else { b']' };
                    i = ws(b, i + 1);
                    if b.get(i) == Some(&close) {
                        i += 1;
                    } else {
                        stack[depth] = open;
                        depth += 1;
                        if open == b'{' {
                            i = name_colon(b, i)?;
                        }
                        continue;
                    }
                }
                b't' if b[i..].starts_with(b"true") => i += 4,
                b'f' if b[i..].starts_with(b"false") => i += 5,
                b'n' if b[i..].starts_with(b"null") => i += 4,
                b'-' | b'0'..=b'9' => i = number(b, i)?,
                _ => return None,
            }
            // After a value: close what ends here, up to the next value.
            loop {
                if depth == 0 {
                    return Some(i);
                }
                i = ws(b, i);
                let open = stack[depth - 1];
                match b.get(i)? {
                    b',' => {
                        i = ws(b, i + 1);
                        if open == b'{' {
                            i = name_colon(b, i)?;
                        }
                        break;
                    }
                    b'}' if open == b'{' => {
                        depth -= 1;
                        i += 1;
                    }
                    b']' if open == b'[' => {
                        depth -= 1;
                        i += 1;
                    }
                    _ => return None,
                }
            }
        }
    }

    /// The fields of the object `json`, when this reader accepts all of it.
    pub fn fields(json: &str) -> Option<Vec<RawField<'_>>> {
        let b = json.as_bytes();
        let mut i = ws(b, 0);
        if b.get(i) != Some(&b'{') {
            return None;
        }
        let mut out = Vec::new();
        i = ws(b, i + 1);
        if b.get(i) == Some(&b'}') {
            i += 1;
        } else {
            loop {
                if b.get(i) != Some(&b'"') {
                    return None;
                }
                let name_start = i + 1;
                let after = string(b, name_start)?;
                let name_end = after - 1;
                if b[name_start..name_end].contains(&b'\\') {
                    // An escaped name: serde_json reads it.
                    return None;
                }
                i = ws(b, after);
                if b.get(i) != Some(&b':') {
                    return None;
                }
                let start = ws(b, i + 1);
                i = value(b, start)?;
                out.push(RawField {
                    // Both ends are at quotes, so on char boundaries.
                    name: Cow::Borrowed(json.get(name_start..name_end)?),
                    value: json.get(start..i)?,
                });
                i = ws(b, i);
                match b.get(i)? {
                    b',' => i = ws(b, i + 1),
                    b'}' => {
                        i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        (ws(b, i) == b.len()).then_some(out)
    }
}

/// What a plugin returns for one record.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Output {
    /// A replacement for the record's text; `None` leaves it unchanged.
    pub text: Option<String>,
    /// Fields to add to the record (a field of the same name is replaced).
    pub fields: Map<String, Value>,
}

impl Output {
    /// Replace the record's text.
    pub fn set_text(&mut self, text: String) {
        self.text = Some(text);
    }

    /// Add (or replace) a field on the record.
    pub fn set(&mut self, name: &str, value: impl Serialize) -> Result<(), Error> {
        let value = serde_json::to_value(value)
            .map_err(|e| Error::new(format!("field {name:?} cannot be serialised: {e}")))?;
        self.fields.insert(name.to_string(), value);
        Ok(())
    }
}

/// Read a plugin's settings (its `settings:` section, as passed to [`Plugin::create`]) into
/// `T`: no section (`null`) gives `T::default()`. Give `T` `#[serde(deny_unknown_fields)]` so a
/// misspelt key is an error; the message names the plugin.
///
/// ```
/// #[derive(Default, serde::Deserialize)]
/// #[serde(deny_unknown_fields, default)]
/// struct Settings { lexicon: Option<String> }
///
/// let s: Settings = enrichd_plugin_api::settings("dates", &serde_json::Value::Null).unwrap();
/// assert!(s.lexicon.is_none());
/// let err = enrichd_plugin_api::settings::<Settings>("dates", &serde_json::json!({"lexcon": "x"}));
/// assert!(err.err().unwrap().message().starts_with("dates settings: unknown field `lexcon`"));
/// ```
pub fn settings<T: serde::de::DeserializeOwned + Default>(
    plugin: &str,
    config: &Value,
) -> Result<T, Error> {
    if config.is_null() {
        return Ok(T::default());
    }
    T::deserialize(config).map_err(|e| Error::new(format!("{plugin} settings: {e}")))
}

/// The trait a plugin implements. Export it with [`export_plugin!`].
pub trait Plugin: Send + Sync + Sized + 'static {
    /// The plugin's name as the chain and the record's `pipeline` show it.
    const NAME: &'static str;
    /// The plugin's version (usually `env!("CARGO_PKG_VERSION")`).
    const VERSION: &'static str;

    /// Build the plugin from its own section of the daemon's config (`settings`,
    /// `null` when absent). Called once at start-up; errors stop the daemon with
    /// the message, so say what is wrong and where.
    fn create(config: &Value, ctx: &Context) -> Result<Self, Error>;

    /// Enrich one record. Called from several threads at once.
    fn process(&self, doc: &Document<'_>) -> Result<Output, Error>;
}

/// Export a [`Plugin`] implementation as this library's `enrichd_plugin_entry` symbol.
///
/// Use it once per `cdylib`, at the crate root: `export_plugin!(MyPlugin);`
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        #[no_mangle]
        pub extern "C" fn enrichd_plugin_entry() -> *const $crate::abi::PluginVTable {
            static VTABLE: $crate::abi::PluginVTable = $crate::abi::PluginVTable {
                abi_version: $crate::abi::ABI_VERSION,
                vtable_size: ::std::mem::size_of::<$crate::abi::PluginVTable>() as u32,
                name: $crate::abi::StrRef::from_str(<$plugin as $crate::Plugin>::NAME),
                version: $crate::abi::StrRef::from_str(<$plugin as $crate::Plugin>::VERSION),
                create: $crate::ffi::create::<$plugin>,
                process: $crate::ffi::process::<$plugin>,
                free_buf: $crate::ffi::free_buf,
                destroy: $crate::ffi::destroy::<$plugin>,
            };
            &VTABLE
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// `field_as` as it was first written: the whole object read into a map of raw values.
    fn by_map<T: serde::de::DeserializeOwned>(
        fields_json: &str,
        name: &str,
    ) -> Result<Option<T>, Error> {
        let raw: HashMap<String, &RawValue> = if fields_json.trim().is_empty() {
            HashMap::new()
        } else {
            serde_json::from_str(fields_json)
                .map_err(|e| Error::new(format!("record fields are not a JSON object: {e}")))?
        };
        match raw.get(name) {
            Some(v) if v.get() != "null" => serde_json::from_str(v.get())
                .map(Some)
                .map_err(|e| Error::new(format!("field {name:?} has an unexpected shape: {e}"))),
            _ => Ok(None),
        }
    }

    #[test]
    fn field_as_reads_one_field_as_a_map_of_the_object_would() {
        let objects = [
            "",
            "  ",
            "{}",
            r#"{"authors":["MAI NGUYÊN"],"title":null}"#,
            r#" { "title" : "T\"x\u00e9" , "authors" : [ "A", 1, {"b": [null]} ], "n": -1.5e3 } "#,
            r#"{"a\u0075thors":["escaped name"],"x":{"authors":["nested"]}}"#,
            r#"{"authors":["first"],"authors":["last"]}"#,
            r#"{"authors":"not a list","title":["not a string"]}"#,
            r#"{"authors":null,"title":"t"}"#,
            r#"{"authors":["a"]} trailing"#,
            r#"{"authors":["a"],}"#,
            r#"{"authors":["a"]"#,
            r#"{"authors" ["a"]}"#,
            r#"{1:2}"#,
            r#"["authors"]"#,
            "5",
            "null",
            r#""text""#,
            r#"{"title":"bad escape \q","authors":[]}"#,
        ];
        for json in objects {
            let doc = Document::new("", "", json);
            for name in ["authors", "title", "n", "x", "missing"] {
                assert_eq!(
                    doc.field_as::<Vec<String>>(name),
                    by_map::<Vec<String>>(json, name),
                    "{name} in {json}"
                );
                assert_eq!(
                    doc.field_as::<Value>(name),
                    by_map::<Value>(json, name),
                    "{name} in {json}"
                );
                assert_eq!(
                    doc.field_as::<String>(name),
                    by_map::<String>(json, name),
                    "{name} in {json}"
                );
            }
        }
    }

    /// Pseudo-random strings made of `pieces`.
    fn random_texts(pieces: &[&str], count: usize, max_pieces: usize) -> Vec<String> {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..count)
            .map(|_| {
                let n = (next() % (max_pieces as u64 + 1)) as usize;
                (0..n)
                    .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    fn pairs<'a>(fields: &[RawField<'a>]) -> Vec<(String, &'a str)> {
        fields
            .iter()
            .map(|f| (f.name.to_string(), f.value))
            .collect()
    }

    /// The hand-written reader accepts only what serde_json accepts, and delimits the same
    /// fields.
    #[test]
    fn the_scanner_agrees_with_serde_json() {
        let structural = [
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            " ",
            "\n",
            "\"a\"",
            "\"b\"",
            "\"\\n\"",
            "\"\\u00e9x\"",
            "\"\\u00g\"",
            "\"\\q\"",
            "\"\t\"",
            "\"é\"",
            "1",
            "-",
            "0",
            "01",
            "1.5",
            "1.",
            "2e9",
            "1E+",
            "-0.0e-1",
            "true",
            "tru",
            "false",
            "null",
            "nul",
            "x",
            "\"",
            "\\",
        ];
        let mut texts = random_texts(&structural, 200_000, 14);
        // well-formed objects, to reach deep into values
        let values = random_texts(
            &[
                "1", "\"s\"", "[", "]", "{\"k\":", "}", ",", "null", " ", "-2.5E3", "\"\\\"\"",
            ],
            50_000,
            12,
        );
        for (i, v) in values.iter().enumerate() {
            texts.push(format!("{{\"a\":{v},\"b\" : [ {v} ] }}"));
            texts.push(format!(" {{ \"n{i}\":{v}}} "));
        }
        // valid values, as serde_json writes them
        let mut state: u64 = 7;
        let mut valid = |depth: usize| -> String {
            fn gen(next: &mut dyn FnMut() -> u64, depth: usize) -> Value {
                match next() % if depth > 3 { 5 } else { 7 } {
                    0 => Value::Null,
                    1 => Value::Bool(next() % 2 == 0),
                    2 => Value::from(next() as i64 >> (next() % 60)),
                    3 => Value::from((next() % 10_000) as f64 / 7.0),
                    4 => Value::from(["", "é\"\\\n\u{1}x", "Hà Nội", "a/b"][(next() % 4) as usize]),
                    5 => (0..next() % 4).map(|_| gen(next, depth + 1)).collect(),
                    _ => (0..next() % 4)
                        .map(|k| (format!("k{k}"), gen(next, depth + 1)))
                        .collect::<Map<String, Value>>()
                        .into(),
                }
            }
            let mut next = || {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state
            };
            let v = gen(&mut next, depth);
            if next() % 2 == 0 {
                v.to_string()
            } else {
                serde_json::to_string_pretty(&v).expect("serialises")
            }
        };
        for _ in 0..20_000 {
            let (a, b) = (valid(0), valid(0));
            texts.push(format!("{{\"a\":{a},\"title\":{b}}}"));
        }
        texts.push(format!("{{\"a\":{}1{}}}", "[".repeat(70), "]".repeat(70)));
        texts.push(format!("{{\"a\":{}1{}}}", "[".repeat(60), "]".repeat(60)));
        let mut accepted = 0;
        for t in &texts {
            let serde = raw_fields_serde(t);
            match scan::fields(t) {
                Some(fast) => {
                    accepted += 1;
                    let serde = serde.unwrap_or_else(|e| panic!("{t:?} accepted, serde: {e}"));
                    assert_eq!(pairs(&fast), pairs(&serde), "{t:?}");
                }
                None => {
                    // Declined: serde_json answers, which is fine either way; but plain
                    // objects should be read here.
                    if serde.is_ok() && !t.contains('\\') && !t.contains("[[[[[[[[[[[[[[[[[[[[") {
                        panic!("{t:?} declined although serde_json reads it");
                    }
                }
            }
        }
        assert!(accepted > 20_000, "{accepted}");
    }

    #[test]
    fn field_as_errors_name_the_problem() {
        let doc = Document::new("", "", "[1]");
        let e = doc.field_as::<Value>("a").unwrap_err();
        assert!(
            e.message()
                .starts_with("record fields are not a JSON object: invalid type: sequence"),
            "{e}"
        );
        let doc = Document::new("", "", r#"{"a":"x"}"#);
        let e = doc.field_as::<Vec<String>>("a").unwrap_err();
        assert!(
            e.message()
                .starts_with("field \"a\" has an unexpected shape"),
            "{e}"
        );
    }
}
