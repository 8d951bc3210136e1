//! The record: what enrichd writes for one input file. A public contract,
//! documented field by field in the README ("The record").

use enrichd_json::write_str;
use enrichd_plugin_api::Source;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The fields plugins added, by name: each value is JSON text as the plugin returned it. The
/// daemon checks that it is JSON but never reads it into a tree: it only passes it on, to the
/// next plugin and to the sinks, and parses the few fields a database sink stores in columns
/// ([`Record::field`]).
pub type Fields = BTreeMap<String, RawJson>;

/// One JSON value as text, known to be valid JSON: checked when it was read
/// ([`RawJson::parse`], or the plugin output's members, which `enrichd_json::members` checks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawJson(Box<str>);

impl RawJson {
    /// `text` if it is one JSON value (the whitespace around it is dropped).
    pub fn parse(text: &str) -> Result<RawJson, serde_json::Error> {
        let value: &RawValue = serde_json::from_str(text)?;
        Ok(RawJson(value.get().into()))
    }

    /// `s` as a JSON string.
    pub fn string(s: &str) -> RawJson {
        let mut out = Vec::with_capacity(s.len() + 2);
        write_str(&mut out, s);
        RawJson(into_text(out).into())
    }

    /// A value `enrichd_json::members` delimited and checked.
    pub(crate) fn checked(text: &str) -> RawJson {
        RawJson(text.into())
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        &self.0
    }
}

impl Serialize for RawJson {
    /// Written as it is, through serde_json's raw values (tools and tests; the daemon writes
    /// records with [`Record::to_json_line`]).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let raw: &RawValue = serde_json::from_str(&self.0).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

/// Fields made from JSON values (for tools and tests).
pub fn fields_from(values: Map<String, Value>) -> Fields {
    values
        .into_iter()
        .map(|(k, v)| (k, RawJson(v.to_string().into())))
        .collect()
}

/// Append `"name":value` for each field, separated by commas, with one before the first too
/// when they come `after_others` members of the same object.
fn write_members(out: &mut Vec<u8>, fields: &Fields, after_others: bool) {
    for (i, (name, value)) in fields.iter().enumerate() {
        if after_others || i > 0 {
            out.push(b',');
        }
        write_str(out, name);
        out.push(b':');
        out.extend_from_slice(value.get().as_bytes());
    }
}

/// The fields as one JSON object (what the next plugin reads).
pub fn fields_json(fields: &Fields) -> String {
    let mut out = Vec::with_capacity(
        fields
            .iter()
            .map(|(k, v)| k.len() + v.get().len() + 4)
            .sum::<usize>()
            + 2,
    );
    out.push(b'{');
    write_members(&mut out, fields, false);
    out.push(b'}');
    into_text(out)
}

/// Bytes this module wrote from strings and checked JSON text, so UTF-8; checked all the same
/// (a bug here must not make a `String` that is not UTF-8).
fn into_text(out: Vec<u8>) -> String {
    crate::utf8::into_string(out)
        .unwrap_or_else(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

/// One plugin's step in a record's journey.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// The plugin's name.
    pub plugin: String,
    /// The plugin's version.
    pub version: String,
    /// Wall time of the call, including the boundary crossing, in microseconds.
    pub micros: u64,
    /// The plugin's error on this record, if it failed.
    pub error: Option<String>,
}

/// An enriched record.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// SHA-256 of the input bytes (lower-case hex): the same input gives the same id.
    pub id: String,
    /// Where the input came from.
    pub source: Source,
    /// When enrichd read the input (RFC 3339, UTC).
    pub ingested_at: String,
    /// The text, as the last plugin left it.
    pub text: String,
    /// The fields the plugins added, by name.
    #[serde(flatten)]
    pub fields: Fields,
    /// The plugins that ran, in order.
    pub pipeline: Vec<Step>,
}

impl Record {
    /// The record as one JSON line (no trailing newline): the same bytes as serde_json makes
    /// of it, written directly (the strings a run at a time, the fields copied as they are).
    pub fn to_json_line(&self) -> String {
        // Sized up front: a record holds whole texts, and a buffer grown by doubling would keep
        // up to twice their size for as long as the record waits for its commit.
        let mut out = Vec::with_capacity(self.json_size_hint());
        out.extend_from_slice(b"{\"id\":");
        write_str(&mut out, &self.id);
        let s = &self.source;
        out.extend_from_slice(b",\"source\":{\"path\":");
        write_str(&mut out, &s.path);
        out.extend_from_slice(b",\"name\":");
        write_str(&mut out, &s.name);
        out.extend_from_slice(format!(",\"bytes\":{},\"sha256\":", s.bytes).as_bytes());
        write_str(&mut out, &s.sha256);
        out.extend_from_slice(b",\"modified\":");
        write_option(&mut out, s.modified.as_deref());
        out.extend_from_slice(b"},\"ingested_at\":");
        write_str(&mut out, &self.ingested_at);
        out.extend_from_slice(b",\"text\":");
        write_str(&mut out, &self.text);
        write_members(&mut out, &self.fields, true);
        out.extend_from_slice(b",\"pipeline\":[");
        for (i, step) in self.pipeline.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"plugin\":");
            write_str(&mut out, &step.plugin);
            out.extend_from_slice(b",\"version\":");
            write_str(&mut out, &step.version);
            out.extend_from_slice(format!(",\"micros\":{},\"error\":", step.micros).as_bytes());
            write_option(&mut out, step.error.as_deref());
            out.push(b'}');
        }
        out.extend_from_slice(b"]}");
        into_text(out)
    }

    /// A little more than the record's JSON takes, in bytes, in the common case (text with
    /// few characters to escape): the fields are JSON already, only the text is escaped.
    fn json_size_hint(&self) -> usize {
        let s = &self.source;
        let fields: usize = self
            .fields
            .iter()
            .map(|(k, v)| k.len() + v.get().len() + 4)
            .sum();
        let steps: usize = self
            .pipeline
            .iter()
            .map(|p| {
                p.plugin.len() + p.version.len() + p.error.as_ref().map_or(0, String::len) + 80
            })
            .sum();
        let text = self.text.len() + self.text.len() / 16;
        let source = 2 * (s.path.len() + s.name.len()) + s.sha256.len() + 160;
        self.id.len() + self.ingested_at.len() + text + fields + steps + source + 128
    }

    /// One field, read into a JSON value; `None` when the record has no such field.
    pub fn field(&self, name: &str) -> Option<Value> {
        serde_json::from_str(self.fields.get(name)?.get()).ok()
    }
}

/// A string, or `null`.
fn write_option(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => write_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_json_buffer_is_sized_once_without_much_to_spare() {
        let text =
            "Đại tướng Phan Văn Giang, Bộ trưởng Bộ Quốc phòng, nói: \"QĐND\".\n".repeat(400);
        let Value::Object(fields) = json!({
            "title": "Hội nghị Bộ trưởng Quốc phòng ASEAN",
            "body": text,
            "people": [{"name": "Phan Văn Giang", "rank": "Đại tướng", "titles": ["Bộ trưởng Bộ Quốc phòng"], "start": 1, "end": 15}],
            "removed": ["Chia sẻ", "Bình luận"],
        }) else {
            unreachable!()
        };
        let record = Record {
            id: "a".repeat(64),
            source: Source {
                path: "/srv/drop/bai-viet.txt".into(),
                name: "bai-viet.txt".into(),
                bytes: 30_000,
                sha256: "a".repeat(64),
                modified: Some("2026-01-01T00:00:00Z".into()),
            },
            ingested_at: "2026-01-01T00:00:00Z".into(),
            text,
            fields: fields_from(fields),
            pipeline: vec![Step {
                plugin: "normalize".into(),
                version: "0.1.0".into(),
                micros: 120,
                error: None,
            }],
        };
        let json = record.to_json_line();
        assert_eq!(
            serde_json::from_str::<Value>(&json).unwrap()["title"],
            "Hội nghị Bộ trưởng Quốc phòng ASEAN"
        );
        assert!(json.capacity() >= json.len());
        assert!(
            json.capacity() == record.json_size_hint() && json.capacity() <= json.len() * 9 / 8,
            "{} bytes in a buffer of {}",
            json.len(),
            json.capacity()
        );
    }

    #[test]
    fn the_json_line_has_the_bytes_serde_json_makes_of_the_record() {
        let odd = "\"quoted\" \\ \u{1}\u{1f}\u{7f}\t\r\n “Hà Nội” 😀";
        let Value::Object(fields) = json!({
            "title": odd,
            "id": "a field named like a record member",
            "people": [{"name": "Phan Văn Giang", "titles": [], "start": 1}],
            "n": [0, -7, 1.5, 18446744073709551615u64, true, null, {}],
            "": "",
        }) else {
            unreachable!()
        };
        let full = Record {
            id: "a".repeat(64),
            source: Source {
                path: format!("/srv/drop/{odd}.txt"),
                name: format!("{odd}.txt"),
                bytes: u64::MAX,
                sha256: "b".repeat(64),
                modified: Some("2026-01-01T00:00:00Z".into()),
            },
            ingested_at: "2026-01-01T00:00:00Z".into(),
            text: odd.repeat(20),
            fields: fields_from(fields),
            pipeline: vec![
                Step {
                    plugin: "normalize".into(),
                    version: "0.1.0".into(),
                    micros: 120,
                    error: None,
                },
                Step {
                    plugin: "ranks".into(),
                    version: "0.1.0".into(),
                    micros: 0,
                    error: Some(odd.into()),
                },
            ],
        };
        let bare = Record {
            id: String::new(),
            source: Source::default(),
            ingested_at: String::new(),
            text: String::new(),
            fields: Fields::new(),
            pipeline: Vec::new(),
        };
        for record in [full, bare] {
            assert_eq!(
                record.to_json_line(),
                serde_json::to_string(&record).unwrap()
            );
        }
    }

    #[test]
    fn the_fields_object_has_the_bytes_serde_json_makes_of_the_fields() {
        let Value::Object(fields) = json!({"b": [1, {"x": "\n"}], "a": "Đ", "": null}) else {
            unreachable!()
        };
        for fields in [fields_from(fields), Fields::new()] {
            assert_eq!(
                fields_json(&fields),
                serde_json::to_string(&fields).unwrap()
            );
        }
    }
}
