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

mod json;

use enrichd_json::{members, Member};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
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
    members: OnceCell<Vec<Member<'a>>>,
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
            members: OnceCell::new(),
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
        let raw = match self.members.get() {
            Some(r) => r,
            None => {
                let parsed = if self.fields_json.trim().is_empty() {
                    Vec::new()
                } else {
                    members(self.fields_json).map_err(|e| {
                        Error::new(format!("record fields are not a JSON object: {e}"))
                    })?
                };
                self.members.get_or_init(|| parsed)
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
    use serde_json::value::RawValue;
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
