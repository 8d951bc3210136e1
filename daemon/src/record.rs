//! The record: what enrichd writes for one input file. A public contract,
//! documented field by field in the README ("The record").

use enrichd_plugin_api::Source;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The fields plugins added, by name: each value is JSON text as the plugin returned it. The
/// daemon checks that it is JSON but never reads it into a tree: it only passes it on, to the
/// next plugin and to the sinks, and parses the few fields a database sink stores in columns
/// ([`Record::field`]).
pub type Fields = BTreeMap<String, Box<RawValue>>;

/// Fields made from JSON values (for tools and tests).
pub fn fields_from(values: Map<String, Value>) -> Fields {
    values
        .into_iter()
        .filter_map(|(k, v)| Some((k, serde_json::value::to_raw_value(&v).ok()?)))
        .collect()
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
    /// The record as one JSON line (no trailing newline).
    pub fn to_json_line(&self) -> Result<String, serde_json::Error> {
        // Sized up front: a record holds whole texts, and a buffer grown by doubling would keep
        // up to twice their size for as long as the record waits for its commit.
        let mut out = Vec::with_capacity(self.json_size_hint());
        serde_json::to_writer(&mut out, self)?;
        crate::utf8::into_string(out)
            .map_err(|_| serde::ser::Error::custom("serde_json wrote bytes that are not UTF-8"))
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
        let json = record.to_json_line().unwrap();
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
}
