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
        serde_json::to_string(self)
    }

    /// One field, read into a JSON value; `None` when the record has no such field.
    pub fn field(&self, name: &str) -> Option<Value> {
        serde_json::from_str(self.fields.get(name)?.get()).ok()
    }
}
